"""benchmarks/report.py: pytest-benchmark's JSON into ratios, targets and the performance tables.

The JSON below has the fields pytest-benchmark writes that the report reads, with times chosen
so that some targets are met and some missed; nothing is timed here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "report.py"


def bench(group: str, kind: str, median_s: float, **info: object) -> dict:
    return {"group": group, "name": f"test[{group}-{kind}]", "extra_info": {"kind": kind, **info},
            "stats": {"median": median_s, "min": median_s, "rounds": 5}}


def explorer(control: str, ours_s: float, baseline_s: float, errors: int = 0) -> list[dict]:
    group, info = f"explorer softmax.{control}", {"case": "explorer", "explorer": "softmax",
                                                  "control": control}
    if control == "rho":  # the digits explorer, as test_first_frame_digits records it
        group = "first frame digits.rho"
        info = {"case": "first_frame", "explorer": "digits", "control": "rho", "target_ms": 100.0}
    return [bench(group, "ours", ours_s, cpu_ms=ours_s * 800, moves=50, frames_changed=50,
                  errors=errors, **info),
            bench(group, "baseline", baseline_s, **info)]


def numerics(name: str, ours_s: float, baseline_s: float) -> list[dict]:
    return [bench(f"numerics {name}", kind, t, case="numerics", baseline="scipy.special.softmax")
            for kind, t in [("ours", ours_s), ("baseline", baseline_s)]]


SAMPLE = {
    "machine_info": {"python_version": "3.11.7", "cpu": {"brand_raw": "Test CPU", "count": 2}},
    "datetime": "2026-11-27T20:00:00.000000+00:00",
    "benchmarks": [
        *explorer("logit_0", 0.005, 0.300),  # met
        *explorer("temperature", 0.020, 0.300),  # over one frame: missed
        *explorer("target", 0.005, 0.300, errors=3),  # fast but shows an error: missed
        *explorer("rho", 0.050, 9.0),  # digits: first frame within its own 100 ms target
        *numerics("softmax (200000, 10)", 0.040, 0.035),  # ratio 1.14: met
        *numerics("log_softmax (200000, 10)", 0.080, 0.040),  # ratio 2: missed
        *numerics("convergence_rate 60 x 60 grid", 0.001, 0.5),  # 500x faster: met
        bench("notebook 01_softmax_cross_entropy", "ours", 6.0, case="notebook", rss_mb=114.2,
              peak_rss_mb=120.7),
        bench("drag softmax.logit_0", "ipympl", 0.030, case="drag", explorer="softmax",
              control="logit_0", cpu_ms=20.0),
    ],
}


@pytest.fixture(scope="module")
def report_module():
    spec = importlib.util.spec_from_file_location("tp3_bench_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows_of(text: str, first_cell: str) -> list[list[str]]:
    """The cells of the markdown table rows whose first cell is ``first_cell``."""
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows if row[0].strip() == first_cell]


def test_tables_ratios_and_targets(report_module):
    text, missed = report_module.report(SAMPLE)
    assert text.startswith("Machine: Test CPU, 2 logical cores; Python 3.11.7; run 2026-11-27T20")
    for title in ("Explorer updates", "Numerics", "Notebooks", "Dragging a slider under ipympl"):
        assert f"**{title}" in text
    explorers = {row[1]: row for row in rows_of(text, "softmax") if len(row) == 7}
    assert explorers["logit_0"][2:] == ["5.0", "4.0", "300", "60x", "≤ 16 ms, ≥ 4x: met"]
    assert explorers["temperature"][-1].endswith("MISSED")
    assert explorers["target"][-1].endswith("MISSED")
    assert rows_of(text, "digits")[0][2:] == ["50.0", "40.0", "9000", "180x", "≤ 100 ms, ≥ 4x: met"]
    assert rows_of(text, "`softmax (200000, 10)`")[0][-2:] == ["1.14", "≤ 1.5: met"]
    assert rows_of(text, "`log_softmax (200000, 10)`")[0][-2:] == ["2.00", "≤ 1.5: MISSED"]
    assert rows_of(text, "`convergence_rate 60 x 60 grid`")[0][-2:] == ["500x faster",
                                                                       "≥ 100x: met"]
    assert rows_of(text, "01_softmax_cross_entropy")[0] == [
        "01_softmax_cross_entropy", "6.0", "114", "121", "< 30 s: met"]
    drag = [row for row in rows_of(text, "softmax") if len(row) == 5]
    assert drag == [["softmax", "logit_0", "20.0", "30.0", "5.0"]]  # 1000 / (20 ms x 10/s)
    sizing = "one core keeps up with 5.0 students dragging the costliest slider (softmax.logit_0"
    assert sizing in text
    assert sorted(m.split(":")[0] for m in missed) == [
        "log_softmax (200000, 10)", "softmax.target", "softmax.temperature"]
    assert text.rstrip().endswith("; ".join(missed))


def test_page_tables_are_replaced_between_the_markers(report_module, tmp_path, capsys):
    data = tmp_path / "latest.json"
    data.write_text(json.dumps(SAMPLE))
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- bench:start -->\nold tables\n<!-- bench:end -->\n\nAfter.\n")
    assert report_module.main([str(data), "--page", str(readme)]) == 0
    printed = capsys.readouterr().out
    text = readme.read_text()
    assert "old tables" not in text and text.startswith("# Title\n\n<!-- bench:start -->\n")
    assert text.endswith("<!-- bench:end -->\n\nAfter.\n")
    assert printed.strip() in text and "| softmax | logit_0 |" in text
    readme.write_text("# No markers\n")
    with pytest.raises(SystemExit, match="markers"):
        report_module.main([str(data), "--page", str(readme)])


#: What the browser tests write (tests/browser/conftest.py): medians chosen so that the digits
#: explorer misses its 100 ms and the momentum explorer drags slower than the reference.
BROWSER = {
    "machine": {"cpu": "Test CPU", "cores": 2, "python": "3.11.7", "browser": "chromium (150)",
                "load_average": [0.5, 0.4, 0.3]},
    "datetime": "2026-12-07T12:00",
    "latency": {name: {"moves_ms": [m - 5, m, m + 5], "median_ms": m}
                for name, m in [("softmax_explorer", 60.0), ("kernel_explorer", 50.0),
                                ("momentum_explorer", 80.0), ("digits_explorer", 120.0),
                                ("reference_plot", 70.0)]},
    "drag": {name: {"fps": fps, "frames": int(2 * fps), "presses": 60, "span_ms": 2000.0}
             for name, fps in [("softmax_explorer", 20.0), ("kernel_explorer", 22.0),
                               ("momentum_explorer", 12.0), ("digits_explorer", 18.0),
                               ("reference_plot", 15.0)]},
}


def test_latency_table_against_the_reference(report_module, tmp_path, capsys):
    data = tmp_path / "browser.json"
    data.write_text(json.dumps(BROWSER))
    page = tmp_path / "performance.md"
    page.write_text("<!-- bench:start -->\nkept\n<!-- bench:end -->\n"
                    "<!-- latency:start -->\nold\n<!-- latency:end -->\n")
    assert report_module.main(["--latency", str(data), "--page", str(page)]) == 0
    text = page.read_text()
    assert "old" not in text and "kept" in text and capsys.readouterr().out.strip() in text
    assert "| digits | rho | 120 | 125 | 1.71 | 18.0 | 1.20 |" in text
    missed_row = "| momentum | rho | 80 | 85 | 1.14 | 12.0 | 0.80 | frames/s ≥ reference: MISSED |"
    assert missed_row in text
    _, missed = report_module.latency_report(BROWSER)
    assert missed == ["momentum.rho: 12.0 frames/s < 15.0", "digits first frame: median 120 ms"]
