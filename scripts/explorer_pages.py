"""One page per explorer for ``make demo``, made from the course notebooks each time it starts.

A notebook in Voilà runs every cell before its explorer, and opens at its title. For a class,
``make demo`` also serves an *explorer page* per notebook: the explorer at the top, then the
rest of the notebook's "Explore" section (its text, prompts and checks), and nothing else. The
page is a small notebook written into the folder Voilà serves, beside a link to every notebook:

1. the notebook's "## Setup" cells that import, less the imports the page does not use (the
   ``%matplotlib widget`` line and a seeded ``rng`` stay; Setup cells without an import, such
   as data loading, are left out): no output, hidden in Voilà;
2. the explorer's cell: the section's first code cell that calls a function imported from
   ``tp3helpers.explorers``;
3. the section's other cells in their order, less its heading line.

Pages are named ``00_explore_<notebook>.ipynb``, so that Voilà's list (folders, then files by
name) shows them before the notebooks. Nothing is copied by hand: the pages follow the notebooks
each time ``make demo`` starts, and ``tests/test_explorer_pages.py`` runs them from the stored
notebooks. A cell of the section that needs a name no earlier cell of the page defines (data made
in the notebook's Check section, say) cannot run on the page: it is left out and reported.

Usage: python scripts/explorer_pages.py NOTEBOOK_OR_FOLDER [...] --out FOLDER
"""

from __future__ import annotations

import argparse
import ast
import builtins
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

#: An explorer page's name is this prefix and its notebook's name.
PREFIX = "00_explore_"
#: The functions that build explorers are imported from here (or a module inside it).
EXPLORERS = "tp3helpers.explorers"
#: Names a cell may use without defining them: Python's builtins and IPython's own.
ALWAYS_DEFINED = frozenset(dir(builtins)) | {"display", "get_ipython", "In", "Out"}

_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Page:
    """An explorer page: the notebook it was made from, and what could not go into it."""

    notebook: nbformat.NotebookNode | None
    problems: list[str] = field(default_factory=list)


def python_of(source: str) -> str:
    """A code cell's source as Python (IPython's ``%magic`` lines become calls, line by line)."""
    return TransformerManager().transform_cell(source)


def split_sections(nb: nbformat.NotebookNode) -> dict[str, list[nbformat.NotebookNode]]:
    """The notebook's cells under each heading of level 1 or 2, by the heading's text.

    A Markdown cell holding a heading after some text is split in two at the heading; each
    section's first Markdown cell starts with its heading line. Lines inside code fences are
    not headings. Cells before the first heading are under ``""``.
    """
    sections: dict[str, list[nbformat.NotebookNode]] = {"": []}
    current = ""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            sections[current].append(cell)
            continue
        piece: list[str] = []
        fenced = False
        for line in cell.source.splitlines(keepends=True):
            fenced ^= bool(_FENCE.match(line))
            heading = None if fenced else _HEADING.match(line)
            if heading:
                if "".join(piece).strip():
                    sections[current].append(nbformat.v4.new_markdown_cell("".join(piece)))
                current, piece = heading.group(2), []
                sections.setdefault(current, [])
            piece.append(line)
        if "".join(piece).strip():
            sections[current].append(
                nbformat.v4.new_markdown_cell("".join(piece), metadata=cell.metadata))
    return sections


def imported(tree: ast.AST) -> dict[str, str]:
    """Each name an import statement of ``tree`` binds, and the module it comes from."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = node.module or ""
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
    return names


def bound(tree: ast.AST) -> set[str]:
    """The names ``tree`` defines: assigned, imported, function and class names, arguments."""
    names = set(imported(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def used(tree: ast.AST) -> set[str]:
    """The names ``tree`` reads."""
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def calls_an_explorer(tree: ast.AST, explorers: set[str]) -> bool:
    """True if ``tree`` calls one of the functions named ``explorers``."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id in explorers for node in ast.walk(tree))


def setup_source(cells: list[nbformat.NotebookNode], needed: set[str]) -> str:
    """The Setup section's import cells, without the imported names that no cell of the page
    uses (``needed``); every other statement is kept, in its order."""
    statements: list[tuple[ast.stmt, str]] = []
    for cell in (c for c in cells if c.cell_type == "code"):
        python = python_of(cell.source)
        tree = ast.parse(python)
        if not imported(tree):
            continue
        lines = cell.source.splitlines()
        if len(lines) != len(python.splitlines()):  # a cell magic: not line by line
            lines = python.splitlines()
        statements += [(node, "\n".join(lines[node.lineno - 1:node.end_lineno]))
                       for node in tree.body]
    kept: list[str] = []
    needed = set(needed)
    for node, text in reversed(statements):  # a later statement may need an earlier one
        if isinstance(node, ast.Import | ast.ImportFrom):
            node.names = [a for a in node.names
                          if (a.asname or a.name.split(".")[0]) in needed]
            if not node.names:
                continue
            text = ast.unparse(node)
        needed |= used(node)
        kept.append(text)
    return "\n".join(reversed(kept))


def explorer_page(nb: nbformat.NotebookNode, name: str) -> Page:
    """The explorer page of notebook ``nb`` (file name ``name``): see the module's notes."""
    sections = split_sections(nb)
    if "Explore" not in sections:
        return Page(None, [f"{name}: no '## Explore' section, so no explorer page"])
    if "Setup" not in sections:
        return Page(None, [f"{name}: no '## Setup' section, so no explorer page"])
    setup = sections["Setup"]
    available = ALWAYS_DEFINED | {n for c in setup if c.cell_type == "code"
                                  for n in imported(ast.parse(python_of(c.source)))}
    explorers = {n for c in setup if c.cell_type == "code"
                 for n, module in imported(ast.parse(python_of(c.source))).items()
                 if module == EXPLORERS or module.startswith(EXPLORERS + ".")}
    cells = list(sections["Explore"])
    first = cells[0].source.split("\n", 1)  # the heading line, and the text after it
    cells[0] = nbformat.v4.new_markdown_cell(first[1] if len(first) > 1 else "",
                                             metadata=cells[0].metadata)
    found = [c for c in cells if c.cell_type == "code"
             and calls_an_explorer(ast.parse(python_of(c.source)), explorers)]
    if not found:
        return Page(None, [f"{name}: its Explore section calls no explorer imported in Setup "
                           f"from {EXPLORERS}, so no explorer page"])
    problems: list[str] = []
    page_cells, defined, needed = [], set(available), set()
    for cell in [found[0], *(c for c in cells if c is not found[0])]:
        if cell.cell_type == "markdown":
            if cell.source.strip():
                page_cells.append(cell)
            continue
        tree = ast.parse(python_of(cell.source))
        missing = used(tree) - defined - bound(tree)
        if missing:
            problems.append(f"{name}: a cell of the Explore section needs "
                            f"{', '.join(sorted(missing))}, which neither the Setup section's "
                            f"imports nor the section define: left out of the explorer page:\n"
                            f"    {cell.source.splitlines()[0]} ...")
            if cell is found[0]:
                return Page(None, problems)
            continue
        defined |= bound(tree)
        needed |= used(tree)
        page_cells.append(nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata))
    header = (f"# The explorer page of {name}, made by `make demo` from its Setup and Explore\n"
              "# sections (scripts/explorer_pages.py): edit the notebook, not this page.\n")
    setup_cell = nbformat.v4.new_code_cell(header + setup_source(setup, needed))
    page = nbformat.v4.new_notebook(cells=[setup_cell, *page_cells], metadata=nb.metadata)
    page.metadata["tp3"] = {"explorer_page_of": name}
    return Page(page, problems)


def notebooks_in(paths: list[Path]) -> list[Path]:
    """The notebooks named, or in the folders named, by name."""
    found = [p for path in paths for p in (sorted(path.glob("*.ipynb")) if path.is_dir()
                                           else [path])]
    return [p for p in found if not p.name.startswith(PREFIX)]


def write_pages(paths: list[Path], out: Path) -> list[str]:
    """Write the explorer pages of the notebooks ``paths`` into folder ``out``, beside a link to
    each notebook; replace what an earlier run wrote there. Returns the problems found."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_symlink() or (old.name.startswith(PREFIX) and old.suffix == ".ipynb"):
            old.unlink()
    problems = []
    for path in notebooks_in(paths):
        (out / path.name).symlink_to(path.resolve())
        page = explorer_page(nbformat.read(path, as_version=4), path.name)
        problems += page.problems
        if page.notebook is not None:
            nbformat.write(page.notebook, out / f"{PREFIX}{path.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks, or folders of them")
    parser.add_argument("--out", type=Path, required=True, help="the folder Voilà serves")
    args = parser.parse_args(argv)
    problems = write_pages(args.notebooks, args.out)
    pages = sorted(p.name for p in args.out.glob(f"{PREFIX}*.ipynb"))
    print(f"explorer pages in {args.out}: {', '.join(pages) or 'none'}")
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
