"""The contract shared by every explorer: a figure, named controls, named artists and a readout.

An explorer builds its figure and artists once and passes them to :class:`Explorer`. On every
control change, its :meth:`~Explorer.update` recomputes with the math layer, updates the existing
artists in place (``set_data``, ``set_height``, ``set_array``) and returns the readout.

Redrawing follows Matplotlib's blitting tutorial
(https://matplotlib.org/stable/users/explain/animations/blitting.html), in :class:`BlitManager`:

1. the artists that move are marked *animated*, so a full draw of the figure leaves them out;
   right after a full draw, the ``draw_event`` handler saves that picture (the *background*) and
   draws the animated artists on top;
2. a control change restores the background, draws only the animated artists and copies the
   result to the screen (blits): a few milliseconds instead of a full draw.

When a control changes the static content too (another loss, with other contours), the explorer
shows another *scene* (:meth:`Explorer.show_scene`). Each scene keeps its own background: the
first visit of a scene costs one full draw, coming back to it blits again.

Artists that change now and then rather than on every frame (the results of a training that has
finished) form a *layer*: they are drawn on a copy of the background kept without them, and the
result is the background the next frames are blitted on (:meth:`Explorer.redraw_layer`): a few
artists drawn, not the whole figure.

Every explorer fits the screen it is shown on (:mod:`._layout`): it learns the room it has from
the browser, arranges its controls beside or above the figure and resizes the figure. Its text is
never smaller than 12 CSS pixels, larger in presentation size (``presentation=True``, or the
environment variable ``TP3_PRESENTATION=1`` that ``make demo`` sets).

Under ipympl, each frame goes to the browser as a PNG encoded by
:func:`tp3helpers._foreign_internals.send_fast_frames`.

No exception escapes a callback into the notebook: it is shown in the readout instead. Every
value a control holds is checked in one place, :meth:`Explorer.value`: a value that the explorer
cannot show (set from code: ``None`` in a drop-down, NaN, a number outside the slider's range)
gives a message in the readout that names the control.
"""

from __future__ import annotations

import asyncio
import base64
import html
import math
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .._cells import close_widgets, replace_previous
from .._foreign_internals import send_fast_frames, stop_data_url_sync
from ..plotting.figure import (
    close_figure,
    make_legible,
    png_snapshot,
    text_style,
)
from ._layout import ScreenFit, align_descriptions

__all__ = ["BlitManager", "Explorer", "InvalidSetting", "message_html", "still_html"]

#: A slider value within this many rounding errors of one of its stops is that stop, sent with
#: float noise (a rounding error: float64's machine epsilon times the slider's largest number).
STOP_NOISE = 64


def message_html(text: str, kind: str = "info") -> str:
    """Readout HTML for a message; ``kind`` is ``"info"``, ``"warning"`` or ``"error"``."""
    colours = {"info": "#1f4e79", "warning": "#8a5300", "error": "#a40000"}
    icon = {"info": "", "warning": "⚠ ", "error": "✖ "}[kind]
    return (
        f'<div class="tp3-message tp3-{kind}" style="color:{colours[kind]}">'
        f"{icon}{html.escape(text)}</div>"
    )


#: Under an explorer's still picture in a stored notebook (see :func:`still_html`).
STILL_CAPTION = "A still picture: run the notebook (Run ▸ Run All Cells) to move the sliders."


def still_html(png: bytes, title: str) -> str:
    """The explorer's picture with :data:`STILL_CAPTION` under it, for readers without a kernel
    (a stored notebook on a code host, or in JupyterLab before it runs); the live widget replaces
    it as soon as a kernel runs the cell."""
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<div class="tp3-still"><img src="{source}" alt="{html.escape(title)}">'
            f"<p><i>{html.escape(STILL_CAPTION)}</i></p></div>")


class InvalidSetting(ValueError):
    """A control holds a value that the explorer cannot show; the message names the control."""


def _options(control: widgets.Widget) -> list:
    """The values a drop-down or selection slider offers (an option is a value or a pair
    ``(label, value)``)."""
    return [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in control.options]


def _domain(control: widgets.Widget) -> list | tuple[float, float] | None:
    """What ``control`` may hold, as it is built: its options, or a slider's ``(low, high)``
    (a log slider's ``min`` and ``max`` are exponents); ``None`` for anything else."""
    if hasattr(control, "options"):
        return _options(control)
    if isinstance(control, widgets.FloatLogSlider):
        return control.base**control.min, control.base**control.max
    if hasattr(control, "min") and hasattr(control, "max"):
        return control.min, control.max
    return None


def _slider_stop(control: widgets.Widget, value: float) -> float:
    """The stop of slider ``control`` that ``value`` is within float noise of, else ``value``.

    A browser sends a slider's stops with float noise (an arrow key gives ``1.9999999999999998``
    for 2): such a value becomes the stop, written to 12 significant digits. A value set from code
    between two stops is kept as it is.
    """
    if not control.step:
        return value
    log = isinstance(control, widgets.FloatLogSlider)
    position = math.log(value, control.base) if log else value
    stop = control.min + round((position - control.min) / control.step) * control.step
    scale = max(abs(control.min), abs(control.max), control.step)
    if abs(position - stop) > STOP_NOISE * sys.float_info.epsilon * scale:
        return value
    return float(f"{control.base**stop if log else stop:.12g}")


def _artists_in(value: object) -> list[Artist]:
    """The artists in ``value``: an artist, or a list, tuple or container of artists."""
    if isinstance(value, Artist):
        return [value]
    return [artist for item in value for artist in _artists_in(item)]


class BlitManager:
    """Redraw the animated artists of ``figure`` on a saved background (blitting).

    ``scene`` names what the static artists show now; a background is saved per scene (and per
    canvas size), so that switching back to a scene seen before needs no full draw. The ``layer``
    artists are drawn on the background, on a copy of it kept without them (``bare``), when they
    change (``layer_changed``). A canvas that cannot blit is simply drawn in full each time.
    """

    def __init__(self, figure: Figure, animated: Iterable[Artist],
                 layer: Iterable[Artist] = ()) -> None:
        self.figure = figure
        # Agg-based canvases (ipympl's too, although it sets supports_blit = False) can blit.
        self.blitting = hasattr(figure.canvas, "copy_from_bbox")
        self.animated = list(animated) if self.blitting else []
        self.layer = list(layer) if self.blitting else []
        for artist in (*self.animated, *self.layer):
            artist.set_animated(True)
        self.scene: Hashable = None
        self.backgrounds: dict[Hashable, object] = {}
        self.bare: dict[Hashable, object] = {}
        self.layer_changed = False
        # Set by an explorer whose moves come faster than it draws (see update).
        self.soon = False
        self.on_error: Callable[[Exception], None] | None = None
        self.due: asyncio.Handle | None = None
        figure.canvas.mpl_connect("draw_event", self.on_draw)

    def _key(self) -> tuple:
        return (self.scene, self.figure.bbox.bounds)

    def on_draw(self, event: object) -> None:
        """After a full draw: save the background and draw the animated artists on it."""
        canvas = self.figure.canvas
        if not self.blitting or canvas.is_saving():  # a snapshot draws everything: no background
            return
        scene, size = self._key()
        if any(other_size != size for _, other_size in self.backgrounds):
            self.backgrounds.clear()  # the canvas was resized: the other backgrounds are stale
            self.bare.clear()
        self.bare[scene, size] = canvas.copy_from_bbox(self.figure.bbox)
        self.draw_layer()
        self.draw_animated()

    def draw_layer(self) -> None:
        """On the bare background just drawn or restored: draw the layer, keep the result as the
        scene's background."""
        for artist in self.layer:
            self.figure.draw_artist(artist)
        self.backgrounds[self._key()] = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self.layer_changed = False

    def has_background(self) -> bool:
        """True when the next :meth:`update` can blit (no full draw needed)."""
        return self._key() in self.backgrounds

    def draw_animated(self) -> None:
        for artist in self.animated:
            self.figure.draw_artist(artist)

    def update(self) -> None:
        """Show the artists' current state: blit on the scene's background, or draw in full.

        With ``soon`` set and an event loop running (a kernel), the frame is drawn at the loop's
        next turn, once the kernel has answered the browser's message: the browser sends the next
        move of a dragged slider while this frame is drawn, and the moves made before it is drawn
        share it. An error of that draw goes to ``on_error``.
        """
        try:
            loop = asyncio.get_running_loop() if self.soon else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.update_now()
        elif self.due is None:
            self.due = loop.call_soon(self._update_due)

    def _update_due(self) -> None:
        self.due = None
        try:
            self.update_now()
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(exc)

    def update_now(self) -> None:
        canvas = self.figure.canvas
        background = self.backgrounds.get(self._key())
        if background is None:
            canvas.draw()  # on_draw saves the background and draws the animated artists
            return
        if self.layer_changed:
            canvas.restore_region(self.bare[self._key()])
            self.draw_layer()
        else:
            canvas.restore_region(background)
        self.draw_animated()
        canvas.blit(self.figure.bbox)


class Explorer(widgets.VBox):
    """Base class of the explorers: a ``VBox`` holding the controls, the figure and a readout.

    A subclass builds its controls, figure and artists, then calls ``super().__init__`` with them
    (this draws the first state) and provides :meth:`update`. An explorer made again by the same
    notebook cell replaces the one made before, which is closed (see
    :func:`tp3helpers._cells.replace_previous`).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure, already holding every artist.
    controls : Mapping[str, ipywidgets.Widget]
        The controls by name.
    artists : Mapping[str, Artist | Sequence[Artist]]
        The artists that :meth:`update` changes, by name.
    title : str
        Shown above the controls.
    animated : Iterable[str], optional
        The names in ``artists`` that change on every control move (drawn by blitting);
        all of them by default.
    layer : Iterable[str], optional
        The names in ``artists`` that change now and then, not on every move: drawn on the
        background when :meth:`redraw_layer` says they changed.
    columns : int
        Columns of the grid of controls (when they are above the figure).
    presentation : bool, optional
        Larger text and thicker lines, for a projector. By default, presentation size when the
        environment variable ``TP3_PRESENTATION`` is set to a value other than ``0``.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure, created once.
    controls : dict[str, ipywidgets.Widget]
        The controls by name; setting ``controls[name].value`` updates the figure.
    artists : dict[str, Artist | Sequence[Artist]]
        The artists by name, for instance ``explorer.artists["prob_bars"]``: read their data to
        see exactly what the figure shows.
    readout : ipywidgets.HTML
        Numbers that go with the figure, or a message when a setting cannot be shown.
    """

    def __init__(
        self,
        figure: Figure,
        controls: Mapping[str, widgets.Widget],
        artists: Mapping[str, object],
        *,
        title: str,
        animated: Iterable[str] | None = None,
        layer: Iterable[str] = (),
        columns: int = 3,
        presentation: bool | None = None,
    ) -> None:
        self.figure = figure
        self.controls = dict(controls)
        self._domains = {name: _domain(control) for name, control in self.controls.items()}
        self.artists = dict(artists)
        self.style = text_style(presentation)
        make_legible(figure, self.style)
        self.readout = widgets.HTML(layout=widgets.Layout(min_height="2.5em"))
        self.readout.style.font_size = f"{self.style.readout_px:g}px"
        self.readout.add_class("tp3-readout")
        self._title = title
        moving = self.artists if animated is None else animated
        self._blit = BlitManager(figure, _artists_in([self.artists[name] for name in moving]),
                                 _artists_in([self.artists[name] for name in layer]))
        self._scenes: dict[Hashable, list[Artist]] = {}
        align_descriptions(self.controls.values())
        grid = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns=f"repeat({columns}, minmax(0, 1fr))"),
        )
        canvas = figure.canvas
        if isinstance(canvas, widgets.DOMWidget):
            view: widgets.Widget = canvas
            stop_data_url_sync(canvas)  # the explorer draws before a browser shows it
            send_fast_frames(canvas)
        else:
            view = widgets.HTML(
                message_html("The live figure needs the ipympl backend: run %matplotlib widget.")
            )
        heading = widgets.HTML(f"<b>{html.escape(title)}</b>")
        heading.style.font_size = f"{self.style.readout_px + 2:g}px"
        super().__init__([heading, grid, view, self.readout])
        self.add_class("tp3-explorer")
        self.fit = ScreenFit(self, figure, title=heading, controls=grid, view=view,
                             readout=self.readout, columns=columns, redraw=self._blit.update)
        self.children = (*self.children, self.fit.watcher)
        for name, control in self.controls.items():
            control.add_class(f"tp3-control-{name}")  # a stable hook for browser tests
            control.observe(lambda change, name=name: self.refresh(name), names="value")
        self.refresh(None)
        # The panels keep the place the first draw gave them: a later draw (a new scene, the
        # picture for a stored notebook) lays nothing out again, so the saved backgrounds stay
        # in register with the moving artists, and it saves a layout pass. A new size lays the
        # panels out again (``ScreenFit``).
        figure.set_layout_engine("none")
        # Made again by the same notebook cell, an explorer replaces the previous one, which is
        # closed: re-running cells does not pile up figures.
        replace_previous(self, type(self), lambda old: old.close())

    # -- to be provided by subclasses ------------------------------------------------------------
    def update(self, changed: str | None) -> str:
        """Recompute and update the artists after control ``changed`` (``None``: first draw).

        Returns the readout HTML.
        """
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------------------
    def value(self, name: str) -> object:
        """The value of control ``name``, checked.

        A drop-down or a selection slider must hold one of its options, a slider a number within
        the range it was built with. A value within float noise of a slider's stop is that stop
        (a browser's arrow key sends ``1.9999999999999998`` for 2); any other value is used as it
        was set, however small. Otherwise raises :class:`InvalidSetting` naming the control
        (``explorer.controls["rho"].value = None`` from code, say): the readout shows it.
        """
        control, domain = self.controls[name], self._domains[name]
        value = control.value
        label = f'{control.description} (controls["{name}"])'
        if isinstance(domain, list):
            if value is None or value not in domain:
                raise InvalidSetting(f"{label} must be one of {', '.join(map(repr, domain))}, "
                                     f"got {value!r}")
            return value
        if domain is not None:
            low, high = domain
            if not low <= value <= high:  # NaN too
                raise InvalidSetting(f"{label} must be a number from {low:g} to {high:g}, "
                                     f"got {value!r}")
            if isinstance(value, float):
                return _slider_stop(control, value)
        return value

    @property
    def scene(self) -> Hashable:
        """The key of the scene shown now (``None`` before any :meth:`show_scene`)."""
        return self._blit.scene

    def show_scene(self, key: Hashable, draw: Callable[[], list[Artist]]) -> None:
        """Show the static artists of scene ``key`` and hide those of the other scenes.

        ``draw()`` draws the scene's static artists and returns them; it runs on the first visit
        of ``key`` only, and the artists are kept (hidden) while another scene is shown. Other
        static changes that go with the scene (axis limits, an image's data) are the caller's.
        """
        for artist in self._scenes.get(self._blit.scene, ()):
            artist.set_visible(False)
        if key not in self._scenes:
            self._scenes[key] = draw()
        for artist in self._scenes[key]:
            artist.set_visible(True)
        self._blit.scene = key

    def redraw_layer(self) -> None:
        """The ``layer`` artists changed: draw them again on the background with the next frame
        (a few artists drawn, not the whole figure)."""
        self._blit.layer_changed = True

    # -- the render path -------------------------------------------------------------------------
    def refresh(self, changed: str | None = None) -> None:
        """Check every control, run :meth:`update` for a change of ``changed`` and redraw; never
        raises."""
        try:
            for name in self.controls:
                self.value(name)
            readout = self.update(changed)
        except InvalidSetting as exc:
            readout = message_html(f"This setting cannot be shown: {exc}.", "warning")
        except Exception as exc:  # noqa: BLE001 - a widget must never raise into the notebook
            readout = message_html(
                f"This setting cannot be shown ({type(exc).__name__}: {exc}).", "error"
            )
        try:
            if not self._blit.has_background():  # static content changed: new texts to size
                make_legible(self.figure, self.style)
            self._blit.update()
        except Exception as exc:  # noqa: BLE001
            readout += message_html(f"Redraw failed: {exc}", "error")
        self.readout.value = readout  # after the figure: the browser gets the new frame first

    # -- display ---------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        """The live widget, plus a PNG of the figure for readers without a running kernel."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{self._title} (live in JupyterLab or Voilà with a running kernel)"
        bundle["image/png"] = png_snapshot(self.figure, [*self._blit.animated, *self._blit.layer])
        bundle["text/html"] = still_html(bundle["image/png"], self._title)
        return bundle

    def close(self) -> None:
        """Close the figure, its ipympl canvas and toolbar, and every widget of the explorer.

        ipywidgets keeps each open widget alive, and with it all it refers to: a control or a
        toolbar left open would keep this explorer's figure in memory. A closed explorer may
        itself live on (in IPython's ``Out`` history), so it lets go of its figure and artists.
        """
        if hasattr(self, "figure"):  # not closed yet, and __init__ got that far
            parts = [self.layout, *self.children]
            close_figure(self.figure)
            close_widgets(*parts)
            self.children = ()
            del self.figure, self._blit, self.fit
            self.artists.clear()
            self._scenes.clear()
        super().close()
