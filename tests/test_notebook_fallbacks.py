"""A stored notebook reads well before it runs: on a code host, converted to HTML, or in JupyterLab
before Run All, every widget shows a readable fallback (the prompt's or the exercise's text, the
explorer's still picture with its caption), never ``VBox(children=...``; storing a notebook keeps
those fallbacks; and nbval checks the exercise cells through their ``nbval-check-output`` tag."""

from __future__ import annotations

import base64
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tp3helpers.exercises import Prompt, digits, kernels, momentum, softmax

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MODULES = [softmax, kernels, momentum, digits]
CAPTION = "A still picture: run the notebook (Run ▸ Run All Cells) to move the sliders."
#: An exercise or a prompt named alone in a cell: the cell that shows it.
SHOWN = re.compile(r"^\w+_(exercise|prompt)$")


def _load_script():
    spec = importlib.util.spec_from_file_location("execute_notebooks",
                                                  ROOT / "scripts" / "execute_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def converted(request):
    """The stored notebook and its HTML as ``jupyter nbconvert --to html`` makes it."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(request.param, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    return nb, body


def test_no_widget_shows_as_its_python_repr(converted):
    _, body = converted
    assert "VBox(children=" not in body and "HTMLMath(" not in body and "Button(" not in body


def test_a_caption_under_each_explorer_picture(converted):
    nb, body = converted
    explorers = [c for c in nb.cells
                 if c.cell_type == "code" and re.search(r"\w+_explorer\(", c.source)]
    stills = re.findall(r'<div class="tp3-still">(.*?)</div>', body, flags=re.S)
    assert explorers and len(stills) == len(explorers)
    for still in stills:
        picture, caption = still.index("<img"), still.index(CAPTION)
        assert 'src="data:image/png;base64,' in still and picture < caption


def test_each_exercise_and_prompt_shows_its_text(converted):
    nb, body = converted
    shown = [c for c in nb.cells if c.cell_type == "code" and SHOWN.match(c.source)]
    assert shown
    things = {name: getattr(m, name) for m in MODULES for name in m.__all__}
    for cell in shown:
        thing = things[cell.source]
        (output,) = cell.outputs
        text = output.data["text/markdown"]
        if isinstance(thing, Prompt):
            assert text.startswith(f"**Predict:** {thing.question}")
        else:
            assert f"**Exercise: {thing.title}**" in text and thing.statement in text
    prompts = sum(isinstance(things[c.source], Prompt) for c in shown)
    assert body.count("Run the notebook for the “Reveal the answer” button.") == prompts
    assert body.count("Run the notebook for the “Show solution” button.") == len(shown) - prompts


def test_storing_a_notebook_keeps_the_fallbacks():
    from tp3helpers.explorers import softmax_explorer

    explorer = softmax_explorer()
    # As a kernel sends it: the PNG's bytes in base64.
    shown = {kind: base64.b64encode(value).decode() if isinstance(value, bytes) else value
             for kind, value in explorer._repr_mimebundle_().items()}
    outputs = [
        shown,
        softmax.temperature_prompt._repr_mimebundle_(),
        {"image/png": "iVBOR...", "text/html": "<img src='data:image/png;base64,iVBOR...'/>",
         "text/plain": "Canvas(...)"},  # an ipympl figure's snapshot: the PNG suffices
    ]
    explorer.close()
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
    nb.cells = [nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data=data) for data in outputs])]
    _load_script().strip_widgets(nb)
    still, prompt, figure = (output.data for output in nb.cells[0].outputs)
    assert "widgets" not in nb.metadata
    assert set(still) == {"text/html", "text/plain"} and CAPTION in still["text/html"]
    assert set(prompt) == {"text/markdown", "text/plain"}
    assert prompt["text/markdown"].startswith("**Predict:** Set the temperature")
    assert set(figure) == {"image/png", "text/plain"}


def _run_nbval(tmp_path: Path, stored: str) -> subprocess.CompletedProcess:
    """nbval (as ``make test`` runs it) on a notebook whose tagged cell stored ``stored``."""
    cell = nbformat.v4.new_code_cell(
        "print('not attempted')", metadata={"tags": ["nbval-check-output"]}, execution_count=1,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text=stored)])
    nb = nbformat.v4.new_notebook(cells=[cell])
    path = tmp_path / "tagged.ipynb"
    nbformat.write(nb, path)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q", "-p",
         "no:cacheprovider", str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=300)


def test_nbval_checks_a_cell_by_its_tag_and_fails_on_a_changed_output(tmp_path):
    same = _run_nbval(tmp_path, "not attempted\n")
    assert same.returncode == 0, same.stdout
    changed = _run_nbval(tmp_path, "passed\n")
    assert changed.returncode == 1 and "not attempted" in changed.stdout, changed.stdout
