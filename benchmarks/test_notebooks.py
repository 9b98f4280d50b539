"""Each notebook run top to bottom in its own kernel (kernel start included), as nbval and Run All
do; the kernel's resident memory after Run All and at its peak, to size a server for a class."""

from __future__ import annotations

from pathlib import Path

import nbformat
import psutil
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory in MB (Linux only, else None)."""
    status = Path(f"/proc/{pid}/status")
    lines = status.read_text().splitlines() if status.exists() else []
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:")), None)


def run_all(path: Path) -> dict[str, float | None]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.reset_execution_trackers()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        pid = client.km.provisioner.pid
        return {"rss_mb": psutil.Process(pid).memory_info().rss / 2**20,
                "peak_rss_mb": peak_rss_mb(pid)}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook(benchmark, path):
    benchmark.group = f"notebook {path.stem}"
    memory = benchmark.pedantic(run_all, args=(path,), rounds=1)
    benchmark.extra_info.update(kind="ours", case="notebook", **memory)
