"""Students re-run cells all the time: three Run All in one kernel warn no more and use no more
memory than one (issue 15).

Each notebook runs in its own kernel, as in JupyterLab (``%matplotlib widget``, ipympl), with
nbclient, and with every warning an error (``PYTHONWARNINGS=error``, issue 24.7): a warning stops
the run. After the first Run All the kernel's resident memory is the reference; two more Run All
in the same kernel must print nothing on stderr (Matplotlib's "More than 20 figures have been
opened" warning among others) and leave the resident memory within ``MAX_GROWTH_MB`` of it.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbclient
import nbformat
import psutil
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
RUNS = 3
MAX_GROWTH_MB = 10.0
#: A last cell run after each Run All, so that the resident memory is what the kernel keeps: it
#: collects garbage and hands the C heap's free pages back to the system (glibc), which would
#: otherwise count memory already freed.
COLLECT = """\
import ctypes, gc
gc.collect()
try:
    ctypes.CDLL("libc.so.6").malloc_trim(0)
except (OSError, AttributeError):
    pass"""


def run_all(client: nbclient.NotebookClient, nb: nbformat.NotebookNode) -> list[str]:
    """Execute every cell once in the client's kernel; the stderr text and warnings printed."""
    printed = []
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)  # raises CellExecutionError on an unexpected error
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            if output.output_type == "stream" and output.name == "stderr" and text.strip():
                printed.append(f"cell {index}: {text.strip()[:300]}")
            elif "More than 20 figures" in str(output.get("data", "")):
                printed.append(f"cell {index}: {str(output['data'])[:300]}")
    return printed


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_run_all_three_times_in_one_kernel(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(COLLECT))
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.reset_execution_trackers()
    with client.setup_kernel(env={**os.environ, "PYTHONWARNINGS": "error"}):
        kernel = psutil.Process(client.km.provisioner.pid)
        rss = []  # MB after each Run All
        for run in range(1, RUNS + 1):
            printed = run_all(client, nb)
            assert not printed, f"Run All number {run} printed:\n" + "\n".join(printed)
            rss.append(kernel.memory_info().rss / 2**20)
    growth = rss[-1] - rss[0]
    after = ", ".join(f"{mb:.1f}" for mb in rss)
    print(f"{path.name}: kernel RSS after each Run All {after} MB ({growth:+.1f} MB)")
    assert growth <= MAX_GROWTH_MB, (
        f"{RUNS} Run All grew the kernel by {growth:.1f} MB over one (RSS after each: {after} MB); "
        f"at most {MAX_GROWTH_MB:g} MB expected"
    )
