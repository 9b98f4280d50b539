"""Fitting an explorer to the screen it is shown on.

ipympl draws a figure at the size matplotlib gives it and has no "fill the container" mode
(ipympl issue #297), so the explorer asks the browser how much room it has:

1. :class:`RoomWatcher`, an invisible widget inside the explorer, watches the explorer's box with
   a ``ResizeObserver`` (inline JavaScript, works offline) and reports the explorer's width, the
   height of the pane that scrolls it and the height left for the figure. It reports only when the
   room changes, never on a slider move.
2. :class:`ScreenFit` chooses where the controls go (:func:`arrange`: beside the figure on a wide
   screen, above it otherwise) and resizes the figure with ``fig.set_size_inches``. Text keeps its
   size in CSS pixels (:mod:`tp3helpers.plotting.figure`).

The figure keeps its designed shape (:func:`figure_size`): stretching it would add pixels that show
nothing new, and every pixel costs time on every slider move.

The watcher's script also: lets Voilà skip painting cells out of view (CSS ``content-visibility``),
except the explorers' own, since a long notebook's formulas are costly to paint on every frame;
keeps every number of the readout on one line (a browser may break "5.68e-14" after the hyphen);
brings an explorer page of ``make demo`` to the top of the window once fitted; and makes a link to
a notebook section in Voilà (``...ipynb#Explore``) land on it once the cells above have run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import anywidget
import ipywidgets as widgets
import traitlets
from matplotlib.figure import Figure

from ..plotting.figure import css_px

__all__ = ["Arrangement", "RoomWatcher", "ScreenFit", "align_descriptions", "arrange"]

#: Width of the controls' column beside the figure: a share of the explorer's width, in bounds.
SIDEBAR_SHARE, SIDEBAR_MIN, SIDEBAR_MAX = 0.27, 300, 420
#: Below this width, or when the screen is not clearly wider than tall, the controls go on top.
SIDE_MIN_WIDTH, SIDE_MIN_ASPECT = 1000, 1.45
#: Gap between the grid's cells, CSS pixels.
GAP = 8
#: The figure never gets smaller than this (a phone in portrait scrolls instead).
MIN_FIGURE = (320, 240)
#: How much taller than its designed shape a figure narrower than designed may get.
MAX_STRETCH = 1.6
#: A figure grows only when it gains more than this many pixels (the readout's height varies).
GROW_THRESHOLD = 24
#: About what the other parts take of a notebook panel's height, controls beside or above.
SIDE_PARTS_HEIGHT, STACKED_PARTS_HEIGHT = 40, 240

_ESM = r"""
// The nearest ancestor that scrolls vertically (JupyterLab's notebook panel), if any.
function scroller(node) {
  for (let n = node.parentElement; n && n !== document.body; n = n.parentElement) {
    const overflow = getComputedStyle(n).overflowY;
    if ((overflow === 'auto' || overflow === 'scroll') && n.scrollHeight > n.clientHeight + 1
        && n.clientHeight > 200) return n;
  }
  return null;
}

// A number of the readout: "5.68e-14", "−0.3", "1,927", "98.1 %".
const NUMBER = /[+\-\u2212]?\d+(?:[.,]\d+)*(?:e[+\-\u2212]?\d+)?(?: ?%)?/g;

// Wrap every number in the text under `root` in a span never broken across lines.
function keepNumbersWhole(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('.tp3-number') && node.data.search(NUMBER) >= 0) {
      texts.push(node);
    }
  }
  for (const node of texts) {
    const pieces = document.createDocumentFragment();
    let last = 0;
    for (const match of node.data.matchAll(NUMBER)) {
      pieces.append(node.data.slice(last, match.index));
      const span = document.createElement('span');
      span.className = 'tp3-number';
      span.style.whiteSpace = 'nowrap';
      span.textContent = match[0];
      pieces.append(span);
      last = match.index + match[0].length;
    }
    pieces.append(node.data.slice(last));
    node.replaceWith(pieces);
  }
}

function watch(model, explorer) {
  let last = '';
  let frame = 0;
  const measure = () => {
    frame = 0;
    const figure = explorer.querySelector('.tp3-figure canvas') ||
                   explorer.querySelector('.tp3-figure');
    if (!figure) return;
    const pane = scroller(explorer);
    const paneHeight = pane ? pane.clientHeight : window.innerHeight;
    const tracks = getComputedStyle(explorer).gridTemplateColumns.split(' ').map(parseFloat);
    // Margins, borders and padding between the figure's grid cell and its canvas.
    let around = 0;
    for (let n = figure; n && n !== explorer; n = n.parentElement) {
      const s = getComputedStyle(n);
      around += ['marginLeft', 'marginRight', 'paddingLeft', 'paddingRight', 'borderLeftWidth',
                 'borderRightWidth'].reduce((sum, side) => sum + (parseFloat(s[side]) || 0), 0);
    }
    const room = {
      width: Math.floor(explorer.clientWidth),
      height: Math.floor(paneHeight),
      figure_width: Math.floor((tracks[tracks.length - 1] || explorer.clientWidth) - around),
      figure_height: Math.floor(paneHeight - (explorer.getBoundingClientRect().height
                                              - figure.getBoundingClientRect().height)),
      arrangement: model.get('arrangement'),
      panel: pane !== null,
    };
    const key = JSON.stringify(room);
    if (key === last || room.width <= 0) return;
    last = key;
    explorer.dataset.tp3Room = 'measured';
    model.set('room', room);
    model.save_changes();
  };
  // data-tp3-room: "measured" until Python has handled the last report (tests wait for it).
  let placed = false;
  const handled = () => {
    if (model.get('handled') !== last) return;
    explorer.dataset.tp3Room = 'fitted';
    if (!placed) {
      placed = true;
      toTop(explorer);
    }
  };
  model.on('change:handled', handled);
  const later = () => { if (!frame) frame = requestAnimationFrame(measure); };
  const observer = new ResizeObserver(later);
  observer.observe(explorer);
  // On every new readout (wrapping changes the readout too, but leaves no number to wrap).
  const wrap = () => {
    const readout = explorer.querySelector('.tp3-readout');
    if (readout) keepNumbersWhole(readout);
  };
  const numbers = new MutationObserver(wrap);
  numbers.observe(explorer, {childList: true, subtree: true, characterData: true});
  wrap();
  window.addEventListener('resize', later);
  model.on('change:arrangement', later);
  later();
  return () => {
    observer.disconnect();
    numbers.disconnect();
    window.removeEventListener('resize', later);
    model.off('change:arrangement', later);
    model.off('change:handled', handled);
    if (frame) cancelAnimationFrame(frame);
  };
}

// An explorer page of make demo starts a few pixels down (margins): once fitted, bring it to the
// top so that the first screen shows it whole, unless the reader scrolled or opened a section.
function toTop(explorer) {
  if (!document.body.dataset.voila || location.hash.length > 1) return;
  const pane = scroller(explorer);
  const scrolled = pane ? pane.scrollTop : window.scrollY;
  const top = explorer.getBoundingClientRect().top - (pane ? pane.getBoundingClientRect().top : 0);
  const height = pane ? pane.clientHeight : window.innerHeight;
  if (scrolled === 0 && top > 0 && top < height / 4) explorer.scrollIntoView({block: 'start'});
}

// A link to a section in Voila (...ipynb#Explore) is followed before the cells above it have run
// and push it down. Once no cell waits to run, bring the section to the top, and again whenever
// it moves, until it has kept its place for two seconds or the reader scrolls, clicks or types.
function goToSection() {
  if (window.tp3Section || !document.body.dataset.voila || location.hash.length < 2) return;
  window.tp3Section = true;
  const id = decodeURIComponent(location.hash.slice(1));
  const events = ['wheel', 'keydown', 'mousedown', 'touchstart'];
  let reader = false;
  const stop = () => { reader = true; };
  events.forEach((kind) => window.addEventListener(kind, stop, {capture: true}));
  const started = performance.now();
  let placedAt = 0;
  let placedTop = null;
  const step = () => {
    const section = document.getElementById(id);
    const waiting = document.querySelector('.voila-skeleton-container');
    if (reader || performance.now() - started > 300000 || (placedAt && !waiting
        && performance.now() - placedAt > 2000)) {
      events.forEach((kind) => window.removeEventListener(kind, stop, {capture: true}));
      return;
    }
    if (section && section.offsetParent !== null && !waiting) {
      const top = section.getBoundingClientRect().top;
      if (placedTop === null || Math.abs(top - placedTop) > 1) {
        section.scrollIntoView({block: 'start'});
        placedTop = section.getBoundingClientRect().top;
        placedAt = performance.now();
      }
    }
    setTimeout(step, 100);
  };
  step();
}

function render({ model, el }) {
  goToSection();
  // The view is put in the page after render returns: wait until it is there.
  let stop = null;
  let frame = 0;
  const find = () => {
    const explorer = el.closest('.tp3-explorer');
    if (explorer) stop = watch(model, explorer);
    else if (!el.isConnected || !stop) frame = requestAnimationFrame(find);
  };
  find();
  return () => { cancelAnimationFrame(frame); if (stop) stop(); };
}

export default { render };
"""


class RoomWatcher(anywidget.AnyWidget):
    """Invisible widget that reports the room its explorer has in the browser (``room``)."""

    _esm = _ESM
    _css = ("body[data-voila] .jp-Cell:not(:has(.tp3-explorer)) "
            "{ content-visibility: auto; contain-intrinsic-size: auto 200px; }")
    #: From the browser: ``width``, ``height``, ``figure_width``, ``figure_height`` (CSS pixels)
    #: and the ``arrangement`` shown. From Python: the arrangement to show, the last room handled.
    room = traitlets.Dict().tag(sync=True)
    arrangement = traitlets.Unicode("stacked").tag(sync=True)
    handled = traitlets.Unicode("").tag(sync=True)


def align_descriptions(controls: Iterable[widgets.Widget]) -> None:
    """Give every control's label the width of the longest one: none cut off, all lined up."""
    described = [c for c in controls if getattr(c, "description", "")]
    if described:
        longest = max(len(c.description) for c in described)
        for control in described:
            control.style.description_width = f"{0.6 * longest + 0.5:.1f}em"
            control.layout.width = "95%"


@dataclass(frozen=True)
class Arrangement:
    """Where the parts of an explorer go: ``kind`` is ``"side"`` or ``"stacked"``."""

    kind: str
    sidebar: int = 0  # width of the controls' column, CSS pixels (side only)

    @property
    def name(self) -> str:
        """The kind, and for "side" the column's width (a new width makes the browser measure)."""
        return f"side {self.sidebar}" if self.kind == "side" else self.kind


def arrange(width: float, height: float, design: tuple[float, float] | None = None
            ) -> Arrangement:
    """Controls beside the figure on a wide screen, above it otherwise.

    ``width`` and ``height`` (of the scrolling pane) are in CSS pixels. In a window (Voilà) the
    screen's shape decides; in a notebook panel (``design`` given: the figure's designed size) the
    arrangement that gives the larger figure wins.
    """
    sidebar = int(min(max(SIDEBAR_SHARE * width, SIDEBAR_MIN), SIDEBAR_MAX))
    side, stacked = Arrangement("side", sidebar), Arrangement("stacked")
    if design is None:
        wide = width >= SIDE_MIN_WIDTH and width >= SIDE_MIN_ASPECT * height
        return side if wide else stacked
    beside_width = width - sidebar - GAP
    beside = figure_size(beside_width, height - SIDE_PARTS_HEIGHT, design)
    above = figure_size(width, height - STACKED_PARTS_HEIGHT, design)
    larger = beside[0] * beside[1] > above[0] * above[1]
    return side if beside_width >= MIN_FIGURE[0] and larger else stacked


def figure_size(room_width: float, room_height: float, design: tuple[float, float]
                ) -> tuple[int, int]:
    """The largest figure of ``design``'s shape inside the room, in CSS pixels.

    A figure narrower than designed keeps the designed height as far as the room allows (at most
    :data:`MAX_STRETCH` times its shape's), for its labels. It is never smaller than
    :data:`MIN_FIGURE` (a smaller room scrolls), and never wider than a room at least that wide.
    """
    aspect = design[0] / design[1]
    if room_width <= room_height * aspect:  # the width binds
        width = room_width
        height = max(width / aspect,
                     min(design[1], room_height, width / aspect * MAX_STRETCH))
        if width >= MIN_FIGURE[0]:  # the minimum height: taller, not wider than the room
            height = max(height, MIN_FIGURE[1])
    else:
        width, height = room_height * aspect, room_height
    grow = max(1.0, MIN_FIGURE[0] / width, MIN_FIGURE[1] / height)
    return int(width * grow + 1e-6), int(height * grow + 1e-6)


class ScreenFit:
    """Keeps an explorer's figure and layout fitted to the room the browser reports.

    ``box`` (the explorer) becomes a CSS grid of the parts ``title``, ``controls``, ``view`` (the
    figure's) and ``readout``; ``columns`` is the controls' when they are above the figure. The
    figure's initial size is its designed shape; ``redraw()`` draws it in full after a resize.
    """

    def __init__(self, box: widgets.Box, figure: Figure, *, title: widgets.Widget,
                 controls: widgets.GridBox, view: widgets.Widget, readout: widgets.Widget,
                 columns: int, redraw: Callable[[], None]) -> None:
        self.figure = figure
        self._box, self._controls, self._columns, self._redraw = box, controls, columns, redraw
        self.watcher = RoomWatcher(layout=widgets.Layout(display="none"))
        for part, area in ((title, "title"), (controls, "controls"), (view, "figure"),
                           (readout, "readout"), (self.watcher, "watcher")):
            part.layout.grid_area = area
        view.add_class("tp3-figure")
        view.layout.align_self = "flex-start"
        box.layout.display = "grid"
        box.layout.grid_gap = f"{GAP // 2}px {GAP}px"
        self.design = self.size()
        self.arrangement = Arrangement("stacked")
        self._show(self.arrangement)
        self.watcher.observe(self._on_room, names="room")

    def _show(self, arrangement: Arrangement) -> None:
        layout = self._box.layout
        if arrangement.kind == "side":
            layout.grid_template_columns = f"{arrangement.sidebar}px minmax(0, 1fr)"
            layout.grid_template_rows = "auto auto 1fr"
            layout.grid_template_areas = ('"title title" "controls figure" "readout figure"')
            self._controls.layout.grid_template_columns = "minmax(0, 1fr)"
        else:
            layout.grid_template_columns = "minmax(0, 1fr)"
            layout.grid_template_rows = "auto"
            layout.grid_template_areas = '"title" "controls" "figure" "readout"'
            self._controls.layout.grid_template_columns = (
                f"repeat({self._columns}, minmax(0, 1fr))")
        self.arrangement = arrangement
        self.watcher.arrangement = arrangement.name

    def _on_room(self, change: dict) -> None:
        try:
            self.fit(change["new"])
        except Exception:  # noqa: BLE001 - a resize must never raise into the notebook
            pass
        self.watcher.handled = json.dumps(change["new"], separators=(",", ":"))

    def fit(self, room: dict) -> bool:
        """Arrange and size the figure for ``room`` (as the browser reports it); True if resized."""
        arrangement = arrange(room["width"], room["height"],
                              self.design if room.get("panel") else None)
        if arrangement != self.arrangement:
            self._show(arrangement)  # the browser measures again and reports
            return False
        if room.get("arrangement") != arrangement.name:
            return False  # measured before the browser showed this arrangement
        width, height = figure_size(room["figure_width"], room["figure_height"], self.design)
        now_width, now_height = self.size()
        grows_only = width >= now_width and height >= now_height
        if grows_only and max(width - now_width, height - now_height) <= GROW_THRESHOLD:
            return False  # the same size too
        per_inch = css_px(self.figure, 72.0)
        self.figure.set_size_inches(width / per_inch, height / per_inch, forward=True)
        self._relayout()
        self._redraw()
        return True

    def size(self) -> tuple[int, int]:
        """The figure's size in CSS pixels."""
        width, height = self.figure.get_size_inches() * css_px(self.figure, 72.0)
        return round(width), round(height)

    def _relayout(self) -> None:
        """Lay the panels out again for the new size, also after the explorer froze its layout."""
        engine = self.figure.get_layout_engine()
        if engine is None or type(engine).__name__ == "PlaceHolderLayoutEngine":
            self.figure.set_layout_engine("constrained")
            self.figure.draw_without_rendering()
            self.figure.set_layout_engine("none")
