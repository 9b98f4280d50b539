"""Every stored notebook is valid, executed in order, error-free, free of widget state and small."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
TEMPLATE = [
    "Aim",
    "Setup",
    "Theory",
    "Check",
    "Explore",
    "Beyond the homework",
    "Exercises",
    "Summary",
]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    path = request.param
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return path, nb


def test_executed_top_to_bottom(notebook):
    _, nb = notebook
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert counts and None not in counts, "some code cells were never executed"
    assert counts == list(range(1, len(counts) + 1)), f"execution counts out of order: {counts}"


def test_no_error_output(notebook):
    _, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "code":
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert not errors, f"stored error in cell: {cell.source[:80]!r}"
            streams = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "Traceback" not in streams and "Warning" not in streams, streams[:300]


def test_no_saved_widget_state(notebook):
    _, nb = notebook
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {})


def test_small(notebook):
    path, _ = notebook
    assert path.stat().st_size < 2_000_000


def test_follows_the_template(notebook):
    _, nb = notebook
    headings = [
        line[3:].strip()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    assert headings == TEMPLATE


def test_one_seeded_rng_and_widget_backend(notebook):
    _, nb = notebook
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "%matplotlib widget" in code
    assert code.count("np.random.default_rng(") == 1
    assert "sys.path" not in code


def test_says_how_to_use_it_at_the_top(notebook):
    _, nb = notebook
    first = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown" and first.startswith("# ")
    assert "**How to use this notebook:**" in first and "Run All Cells" in first
    assert "(../docs/using-a-notebook.md)" in first


#: The answer cell of an exercise: its last line checks the answer.
CHECK = re.compile(r"^(\w+_exercise)\.check\((\w+)\)$")


def test_every_exercise_is_answered_the_same_way(notebook):
    """A cell shows the exercise (its name alone), the next one is the student's answer and ends
    with ``name.check(answer)``, tagged for nbval rather than marked in a comment; the stored answer
    cell says "not attempted"; no other way to show a solution or an answer is left."""
    _, nb = notebook
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    answers = [i for i, cell in enumerate(code) if re.search(r"\w+_exercise\.check\(", cell.source)]
    assert answers, "no exercise"
    for i in answers:
        cell = code[i]
        last = CHECK.match(cell.source.strip().splitlines()[-1])
        assert last, f"an answer cell must end with name.check(answer): {cell.source!r}"
        assert code[i - 1].source == last.group(1), "the exercise is shown in the cell before"
        assert "nbval-check-output" in cell.metadata.get("tags", []), cell.source
        assert "NBVAL" not in cell.source, cell.source
        (output,) = cell.outputs
        assert output.data["text/plain"].startswith("○ ") and "not attempted yet" in str(output)
    everything = "\n".join(cell.source for cell in code)
    for gone in ("reveal(", ".solution(", "solution_button", "kernel_prompt("):
        assert gone not in everything


#: The main path, read in one sitting: at most this many words of prose.
MAIN_PATH_WORDS = 2000


def main_path_prose(nb: nbformat.NotebookNode) -> str:
    """Markdown outside the sections whose heading says "Going deeper" (each runs to the next
    heading of the same or a higher level) and outside ``<details>`` blocks."""
    kept, deeper_level = [], None
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        heading = re.match(r"(#+)\s", cell.source)
        if heading:
            level = len(heading[1])
            if deeper_level is not None and level <= deeper_level:
                deeper_level = None
            if deeper_level is None and "going deeper" in cell.source.lower().split("\n")[0]:
                deeper_level = level
        if deeper_level is None:
            kept.append(re.sub(r"<details>.*?</details>", " ", cell.source, flags=re.S))
    return "\n".join(kept)


def test_the_main_path_is_read_in_one_sitting(notebook):
    """At most 2,000 words (whitespace-separated) on the main path; every "Going deeper" heading
    is collapsed in JupyterLab and followed by a line that says what the section adds."""
    _, nb = notebook
    words = len(main_path_prose(nb).split())
    assert words <= MAIN_PATH_WORDS, f"{words} words on the main path"
    deeper = [c for c in nb.cells if c.cell_type == "markdown"
              and re.match(r"#+\s.*going deeper", c.source.lower())]
    assert deeper, "no Going deeper section"
    for cell in deeper:
        assert cell.metadata.get("jp-MarkdownHeadingCollapsed") is True, cell.source[:60]
        opening = [line for line in cell.source.split("\n")[1:] if line.strip()]
        assert opening and not opening[0].startswith("#"), f"{cell.source[:60]!r}: no opening line"
