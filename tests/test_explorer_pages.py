"""``scripts/explorer_pages.py``: the explorer pages ``make demo`` makes from the notebooks.

The pages made from the course's notebooks are checked and run (as Voilà runs them: top to
bottom in a fresh kernel); small notebooks made here check the cases the course does not have
yet (a heading inside a code fence, a cell that needs the notebook's earlier sections, a
notebook without an Explore section).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "explorer_pages.py"
COURSE = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load_script():
    spec = importlib.util.spec_from_file_location("explorer_pages", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


pages = _load_script()


def notebook(*cells: tuple[str, str]) -> nbformat.NotebookNode:
    """A notebook of ``(kind, source)`` cells, kind ``"md"`` or ``"code"``."""
    make = {"md": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    return nbformat.v4.new_notebook(cells=[make[kind](source) for kind, source in cells])


SETUP = ("code", "import numpy as np\nfrom tp3helpers.explorers import softmax_explorer\n"
                 "from tp3helpers.softmax import softmax\n%matplotlib widget\n"
                 "rng = np.random.default_rng(1)")


def sources(nb: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in nb.cells]


# -- the course's notebooks ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("demo")
    return out, pages.write_pages([REPO / "notebooks"], out)


def test_every_course_notebook_gets_a_page_listed_first(written):
    out, problems = written
    assert problems == []
    names = sorted(path.name for path in out.iterdir())
    expected = [f"{pages.PREFIX}{path.name}" for path in COURSE]
    assert names == [*expected, *(path.name for path in COURSE)]  # pages first, by name
    for path in COURSE:  # each notebook is served as it is, not copied
        assert (out / path.name).resolve() == path.resolve()


@pytest.mark.parametrize("path", COURSE, ids=[p.stem for p in COURSE])
def test_course_page_is_setup_explorer_then_the_explore_section(written, path):
    out, _ = written
    page = nbformat.read(out / f"{pages.PREFIX}{path.name}", as_version=4)
    source = nbformat.read(path, as_version=4)
    setup, explorer, *rest = page.cells
    # The explorer's cell comes straight after the imports: it is the first thing on the page.
    assert "_explorer(" in explorer.source and "display(" in explorer.source, explorer.source
    # The imports are the Setup section's, and only those the page uses.
    tree = ast.parse(pages.python_of(setup.source))
    imported = pages.imported(tree)
    used = set().union(*(pages.used(ast.parse(pages.python_of(c.source)))
                         for c in page.cells if c.cell_type == "code"))
    assert set(imported) <= used, set(imported) - used
    # Every other cell is one of the notebook's own, nothing of the sections before Explore.
    explore = pages.split_sections(source)["Explore"]
    assert all(cell.source in {c.source for c in explore} or cell.source
               in explore[0].source for cell in rest)
    assert not any(line.startswith("## ") for cell in page.cells
                   for line in cell.source.splitlines())
    assert page.metadata["tp3"] == {"explorer_page_of": path.name}
    assert all(not cell.get("outputs") for cell in page.cells if cell.cell_type == "code")


@pytest.mark.parametrize("path", COURSE, ids=[p.stem for p in COURSE])
def test_course_page_runs_without_error(written, path):
    """As Voilà runs it: every cell in order, in a fresh kernel, in the folder it is served from."""
    from nbclient import NotebookClient

    out, _ = written
    page = nbformat.read(out / f"{pages.PREFIX}{path.name}", as_version=4)
    NotebookClient(page, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(out)}}).execute()
    errors = [o for c in page.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    widgets = [o for o in page.cells[1].outputs
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, page.cells[1].outputs


# -- the rules, on small notebooks ---------------------------------------------------------------
def test_page_puts_the_explorer_first_and_keeps_the_section_in_order():
    nb = notebook(("md", "# Title"), ("md", "## Setup\nText."), SETUP,
                  ("md", "## Explore\nWhat to try."), ("code", "prompt = 1\nprompt"),
                  ("code", "explorer = softmax_explorer()\ndisplay(explorer)"),
                  ("md", "Then try this."), ("md", "## Exercises"), ("code", "x = 2"))
    page = pages.explorer_page(nb, "n.ipynb")
    assert page.problems == []
    assert sources(page.notebook)[1:] == [
        "explorer = softmax_explorer()\ndisplay(explorer)", "What to try.",
        "prompt = 1\nprompt", "Then try this."]
    setup = page.notebook.cells[0].source
    assert "from tp3helpers.explorers import softmax_explorer" in setup
    assert "%matplotlib widget" in setup and "rng = np.random.default_rng(1)" in setup
    assert "softmax\n" not in setup.replace("softmax_explorer", "")  # unused import left out


def test_a_heading_inside_a_code_fence_does_not_start_a_section():
    nb = notebook(("md", "## Setup"), SETUP,
                  ("md", "## Explore\n```python\n## not a heading\n```"),
                  ("code", "display(softmax_explorer())"))
    page = pages.explorer_page(nb, "n.ipynb")
    assert sources(page.notebook)[1:] == [
        "display(softmax_explorer())", "```python\n## not a heading\n```"]


def test_a_cell_that_needs_an_earlier_section_is_left_out_and_reported():
    nb = notebook(("md", "## Setup"), SETUP, ("md", "## Check"), ("code", "data = softmax(1)"),
                  ("md", "## Explore"), ("code", "display(softmax_explorer())"),
                  ("code", "print(data)"), ("code", "y = softmax(np.zeros(2))\nprint(y)"))
    page = pages.explorer_page(nb, "n.ipynb")
    assert sources(page.notebook)[1:] == [
        "display(softmax_explorer())", "y = softmax(np.zeros(2))\nprint(y)"]
    assert len(page.problems) == 1 and "needs data" in page.problems[0]
    assert "from tp3helpers.softmax import softmax" in page.notebook.cells[0].source


@pytest.mark.parametrize(("cells", "reason"), [
    ([("md", "## Setup"), SETUP, ("code", "display(softmax_explorer())")], "no '## Explore'"),
    ([("md", "## Explore"), ("code", "display(softmax_explorer())")], "no '## Setup'"),
    ([("md", "## Setup"), SETUP, ("md", "## Explore"), ("code", "print(1)")],
     "calls no explorer"),
])
def test_no_page_without_setup_explore_or_explorer(cells, reason):
    page = pages.explorer_page(notebook(*cells), "n.ipynb")
    assert page.notebook is None
    assert len(page.problems) == 1 and reason in page.problems[0], page.problems


def test_rewriting_the_folder_replaces_the_earlier_pages(tmp_path):
    source = tmp_path / "notebooks"
    source.mkdir()
    nb = notebook(("md", "## Setup"), SETUP, ("md", "## Explore"),
                  ("code", "display(softmax_explorer())"))
    nbformat.write(nb, source / "a.ipynb")
    out = tmp_path / "demo"
    assert pages.write_pages([source], out) == []
    (source / "a.ipynb").rename(source / "b.ipynb")
    assert pages.write_pages([source], out) == []
    assert sorted(p.name for p in out.iterdir()) == [f"{pages.PREFIX}b.ipynb", "b.ipynb"]
