"""benchmarks/class_load_report.py on made-up results: the capacity, the arithmetic it is compared
with, the sizing rules, and the files it rewrites (no hub needed)."""

from __future__ import annotations

import math
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
import class_load_report as report  # noqa: E402

BENCH = """<!-- bench:start -->
**Dragging a slider under ipympl**

| explorer | slider | CPU ms per move | wall ms | students per core at 10 moves/s |
| --- | --- | --- | --- | --- |
| momentum | rho | 12.5 | 12.5 | 8.0 |
| momentum | condition_number | 20.0 | 20.0 | 5.0 |
<!-- bench:end -->
"""


def size(students: int, p95: float, *, refined: bool = False, errors: int = 0) -> dict:
    """One class size's results: each student's server and kernels use 20% and 10% of a core."""
    return {
        "students": students, "seconds": 20.0, "median_ms": p95 / 2, "p95_ms": p95,
        "ticks": 200 * students, "sent": 200 * students, "answered": 200 * students,
        "unchanged": 0, "lost": 0, "errors": ["boom"] * errors, "browser_ms": [],
        "cpu_percent": {"hub": 1.0, "proxy": 2.0, "servers": 10.0 * students,
                        "kernels": 20.0 * students, "driver": 5.0, "browser": 0.0},
        "peak_rss_mb": {"hub": 150.0, "proxy": 60.0, "servers": 150.0 * students,
                        "kernels": 400.0 * students, "driver": 40.0, "browser": 0.0},
        "peak_rss_mb_per_student": {f"student{i + 1}": 500.0 + i for i in range(students)},
        "ok": p95 < 150 and not errors, **({"refined": True} if refined else {}),
    }


def results(sizes: list[dict]) -> dict:
    return {"machine": {"cpu": "Test CPU", "cores": 2, "memory_gb": 24, "python": "3.11"},
            "versions": {"jupyterhub": "6", "configurable-http-proxy": "5", "jupyter_server": "2",
                         "ipympl": "0.10", "ipywidgets": "8"},
            "started": "2026-12-07T18:00:00Z", "seconds_total": 600, "load_before": [0.2] * 3,
            "load_after": [0.4] * 3, "limit_ms": 150.0, "rate_per_s": 10.0,
            "control": "03_momentum_physics.rho", "notebooks": ["03_momentum_physics"],
            "sizes": sizes}


@pytest.fixture
def bench(tmp_path) -> Path:
    page = tmp_path / "performance.md"
    page.write_text(BENCH)
    return page


def test_capacity_is_the_largest_size_under_the_line(bench):
    data = results([size(1, 40), size(2, 60), size(4, 120), size(8, 400),
                    size(6, 140, refined=True), size(7, 180, refined=True)])
    text, facts = report.report(data, bench)
    assert facts["capacity"] == 6
    assert "**Capacity of this machine: 6 students**" in text
    # 2 cores x 1000 ms / (10 moves/s x 12.5 ms) = 16 students; the costliest: 10.
    assert facts["predicted"] == pytest.approx(16.0)
    assert "= **16.0 students** on 2 cores (10.0 for the costliest slider)" in text
    # The kernels' CPU per move with one student: 20% of a core = 200 ms/s for 10 moves/s.
    assert "the kernel spent 20.0 ms of CPU per move" in text
    assert "lower bound" not in text  # a quiet machine (load average 0.4)


def test_an_error_puts_a_size_over_the_line_and_a_gap_is_reported(bench):
    data = results([size(1, 40), size(2, 60), size(4, 100, errors=1)])
    text, facts = report.report(data, bench)
    assert facts["capacity"] == 2
    assert "between 2 and 4 students" in text


def test_sizing_follows_its_stated_rules(bench):
    data = results([size(1, 40), size(2, 60)])
    _, facts = report.report(data, bench)
    assert facts["memory_mb"] == 501.0  # the largest student's server and kernels
    assert facts["mem_guarantee_mb"] == 512  # rounded up to 128 MB
    assert facts["mem_limit_mb"] == 1024  # twice that, rounded up to 256 MB
    assert facts["cpu_cores"] == pytest.approx(0.30)  # servers + kernels with one student
    assert facts["cpu_guarantee"] == pytest.approx(0.30)
    text = report._beyond(facts)
    per_node = min(int(0.95 * 4 / 0.30), int(0.85 * 16 * 1024 / 512))
    assert f"| 4 vCPU, 16 GB | {per_node} (CPU) | {math.ceil(30 / per_node)} |" in text


def test_limits_are_written_into_the_deploy_files(tmp_path, bench):
    for name in ("jupyterhub_config.py", "values.yaml"):
        shutil.copy(REPO / "deploy" / name, tmp_path / name)
    _, facts = report.report(results([size(1, 40)]), bench)
    report.write_deploy(tmp_path, facts)
    assert 'MEMORY_LIMIT = "1G"  # class-load:memory-limit' in (
        tmp_path / "jupyterhub_config.py").read_text()
    values = (tmp_path / "values.yaml").read_text()
    assert "    guarantee: 512M\n    limit: 1G\n  cpu:\n    guarantee: 0.3\n" in values


def test_the_page_is_rewritten_between_its_markers_only(tmp_path, bench):
    page = tmp_path / "class.md"
    page.write_text(f"before\n{report.START}\nold\n{report.END}\nafter\n")
    report.write_between(page, report.START, report.END, "new")
    assert page.read_text() == f"before\n{report.START}\nnew\n{report.END}\nafter\n"
    with pytest.raises(SystemExit, match="no <!-- class-load:start -->"):
        report.write_between(bench, report.START, report.END, "new")
