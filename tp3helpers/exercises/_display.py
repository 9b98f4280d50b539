"""How an exercise or a prompt looks (:class:`Card`): its text, a button, and the text the
button reveals, in no output until the click. In presentation size (``make demo``) cards and
feedback take the explorers' readout size (:data:`tp3helpers.plotting.figure.PRESENTATION`).
"""

from __future__ import annotations

import anywidget
import ipywidgets as widgets
import traitlets
from IPython.display import Markdown

from .._cells import close_widgets, replace_previous
from ..plotting.figure import PRESENTATION, text_style

__all__ = ["Card", "RevealScroller", "presentation_px"]


def presentation_px() -> float | None:
    """The explorers' readout size in CSS pixels in presentation size, else ``None``."""
    return PRESENTATION.readout_px if text_style() == PRESENTATION else None


_ESM = r"""
// Keep a card's revealed text in view for two seconds while Markdown and MathJax resize it.
function render({ model, el }) {
  const reveal = () => {
    const card = el.closest('.tp3-card');
    const shown = card && card.querySelector('.tp3-revealed');
    if (!shown) return;
    const observer = new ResizeObserver(() => {
      if (shown.getBoundingClientRect().height > 0) shown.scrollIntoView({ block: 'nearest' });
    });
    observer.observe(shown);
    setTimeout(() => observer.disconnect(), 2000);
  };
  model.on('change:revealed', reveal);
  return () => model.off('change:revealed', reveal);
}
export default { render };
"""

_LARGE = f"{PRESENTATION.readout_px:g}px"


class RevealScroller(anywidget.AnyWidget):
    """Invisible: scrolls its card's revealed text into view when ``revealed`` grows (inline
    JavaScript: it works offline), and gives the page the presentation-size rule ``.tp3-large``."""

    _esm = _ESM
    # JupyterLab's and the widgets' text sizes are CSS variables: a card in presentation size sets
    # them for everything inside it (Markdown, code, tables, buttons).
    _css = (
        f".tp3-large {{ font-size: {_LARGE}; --jp-content-font-size1: {_LARGE}; "
        f"--jp-code-font-size: {_LARGE}; --jp-ui-font-size1: {_LARGE}; "
        f"--jp-widgets-font-size: {_LARGE}; --jp-widgets-inline-height: 1.8em; }}"
    )
    #: How many times the card revealed its text.
    revealed = traitlets.Int(0).tag(sync=True)


class Card(widgets.VBox):
    """``text``, a button ``label``, and ``hidden``, shown under the button once it is clicked.

    ``text`` and ``hidden`` are Markdown. The display data also carries ``text/markdown`` (the
    text, for a stored notebook on a code host) and ``plain`` as ``text/plain``. A card made again
    by the same cell replaces and closes the previous one.

    Attributes
    ----------
    button : ipywidgets.Button
        The button; disabled once clicked.
    revealed : ipywidgets.Output
        Empty until the click, then ``hidden`` as Markdown.
    """

    def __init__(self, text: str, label: str, hidden: str, *, plain: str) -> None:
        self.button = widgets.Button(description=label, button_style="info",
                                     layout=widgets.Layout(width="auto", align_self="flex-start"))
        shown, self.revealed = widgets.Output(), widgets.Output()
        shown.append_display_data(Markdown(text))
        self.revealed.add_class("tp3-revealed")
        scroller = RevealScroller(layout=widgets.Layout(display="none"))

        def reveal(_button: object) -> None:
            self.button.disabled = True
            self.revealed.append_display_data(Markdown(hidden))
            scroller.revealed += 1

        self.button.on_click(reveal)
        super().__init__([shown, self.button, self.revealed, scroller])
        self.add_class("tp3-card")
        if presentation_px():
            self.add_class("tp3-large")
        note = f"*Run the notebook for the “{label}” button.*"
        self._fallback = {"text/plain": plain, "text/markdown": f"{text}\n\n{note}"}
        replace_previous(self, ("card", label, hidden), close_widgets)

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        """The live widget, with readable text for readers without a running kernel."""
        return {**(super()._repr_mimebundle_(**kwargs) or {}), **self._fallback}
