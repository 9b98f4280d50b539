"""What a class reads on the projector: ``make demo`` (Voilà, presentation size) at 1280x720.

Every text a class reads, the prompts, the revealed answers, the exercises' statements and the
feedback of their checks, is at least as large as the explorers' readout (measured in the same
page), and a revealed answer is brought into view: the test puts the button at the bottom of the
screen, where the answer would land below it, and clicks.

Text is measured on the text nodes the browser lays out, outside typeset maths (MathJax draws its
glyphs itself and makes sub- and superscripts smaller by design, as the readout's subscripts are).
"""

from __future__ import annotations

import time

import pytest
import test_voila
from browser_support import MAIN_CONTROLS, explorer_parts, present_notebooks

from tp3helpers.plotting.figure import PRESENTATION

NOTEBOOKS = present_notebooks()

#: The font size (CSS px) and the start of every text node laid out in ``root``, outside maths.
_TEXT_SIZES_JS = """
(root) => {
  const found = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || element.closest('mjx-container, .MathJax, .MathJax_Preview, script, style')) {
      continue;
    }
    if (!element.checkVisibility()) continue;
    found.push([parseFloat(getComputedStyle(element).fontSize), text.slice(0, 50)]);
  }
  return found;
}
"""

#: Where ``element`` is on the screen: its box and the viewport's height.
_BOX_JS = """
(element) => {
  const r = element.getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, height: r.height, viewport: window.innerHeight};
}
"""


def _too_small(locator, least: float) -> list[str]:
    sizes = locator.evaluate(_TEXT_SIZES_JS)
    assert sizes, "no text found"
    return [f"{size:g} px: {text!r}" for size, text in sizes if size < least - 0.01]


#: Each notebook's page in Voilà at 1280x720, loaded once, its explorers drawn (test_voila's).
notebook_page = test_voila.notebook_page


def projected(notebook_page, notebook: str):
    """The notebook's page, once every card shows its text (Markdown in an Output widget,
    rendered when the widget connects; ``textContent``, as cells out of view skip rendering)."""
    page = notebook_page(notebook)
    page.locator(".tp3-card").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.tp3-card')].every("
        "(c) => c.textContent.trim().length > 40)", timeout=60_000)
    return page


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_what_a_class_reads_is_as_large_as_the_readout(notebook, notebook_page):
    page = projected(notebook_page, notebook)
    _, _, readout, _ = explorer_parts(page, MAIN_CONTROLS[notebook].control)
    readout_px = float(readout.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)"))
    assert readout_px == PRESENTATION.readout_px, "make demo did not show presentation size"
    cards, feedback = page.locator(".tp3-card").all(), page.locator(".tp3-feedback").all()
    assert cards and feedback, "no prompt, exercise or feedback in the page"
    problems = [f"{kind} {i}: {problem}"
                for kind, boxes in (("card", cards), ("feedback", feedback))
                for i, box in enumerate(boxes) for problem in _too_small(box, readout_px)]
    assert not problems, f"smaller than the readout's {readout_px:g} px:\n" + "\n".join(problems)


def _reveal_at_the_bottom_of_the_screen(page, card) -> dict:
    """Scroll ``card``'s button to the bottom of the screen, click it, and return where the
    revealed text is once it has kept its place for half a second."""
    button = card.locator(".jupyter-button").first
    for _ in range(10):  # cells above that skip rendering get their real height as they show
        button.evaluate("(b) => b.scrollIntoView({block: 'end'})")
        time.sleep(0.3)
        before = button.evaluate(_BOX_JS)
        if before["bottom"] > before["viewport"] - 60:
            break
    assert before["bottom"] > before["viewport"] - 60, before  # below it: off the screen
    button.click()
    revealed = card.locator(".tp3-revealed")
    deadline, last, since = time.monotonic() + 20, None, time.monotonic()
    while True:
        box = revealed.evaluate(_BOX_JS)
        place = (round(box["top"]), round(box["bottom"]))
        if place != last or box["height"] < 20:
            last, since = place, time.monotonic()
        elif time.monotonic() - since > 0.5:
            return box
        assert time.monotonic() < deadline, f"the revealed text never settled: {box}"
        time.sleep(0.1)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_a_revealed_answer_comes_into_view_at_the_readout_size(notebook, notebook_page):
    page = projected(notebook_page, notebook)
    _, _, readout, _ = explorer_parts(page, MAIN_CONTROLS[notebook].control)
    readout_px = float(readout.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)"))
    prompts = page.locator(".tp3-card", has_text="Predict:").all()
    assert prompts, "no prompt in the page"
    for i, card in enumerate(prompts):
        box = _reveal_at_the_bottom_of_the_screen(page, card)
        assert box["top"] >= -1 and box["bottom"] <= box["viewport"] + 1, (i, box)
        small = _too_small(card.locator(".tp3-revealed"), readout_px)
        assert not small, f"prompt {i}: answer text under {readout_px:g} px: {small}"
    # A worked solution may be taller than the screen: its start comes into view.
    exercise = page.locator(".tp3-card", has_text="Show solution").first
    box = _reveal_at_the_bottom_of_the_screen(page, exercise)
    assert 0 <= box["top"] < box["viewport"] - 100, box
