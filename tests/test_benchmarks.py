"""The benchmark machinery runs and reports what it should; no time is asserted."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("tp3_benchmarks_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def test_every_move_changes_the_value(bench):
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0)
    values = bench.move_values(slider, [0.5, 0.2, 0.2, 0.9], 7)
    assert len(values) == 7
    assert values[0] != 0.5
    assert all(a != b for a, b in zip(values, values[1:], strict=False))
    dropdown = widgets.Dropdown(options=[("a", 1), ("b", 2)], value=1)
    assert bench.move_values(dropdown, None, 3) == [2, 1, 2]


def test_explorer_rows_have_live_and_rebuild_timings(bench):
    spec = bench.ExplorerSpec(
        name="softmax",
        module="tp3helpers.explorers.softmax",
        factory="softmax_explorer",
        controls={"logit_0": [0.5, 1.5], "target": None, "missing": [1, 2]},
    )
    result = bench.bench_explorer(spec, moves=3, baseline_moves=1, warmup=1)
    rows = {row["control"]: row for row in result["controls"]}
    assert rows["missing"] == {"control": "missing", "skipped": "no such control"}
    for name in ("logit_0", "target"):
        row = rows[name]
        assert row["live"]["n"] == 3 and row["rebuild"]["n"] == 1
        assert row["live"]["median_ms"] > 0 and row["speedup"] > 0
        assert row["errors"] == 0 and row["frames_changed"] >= 2
        assert isinstance(row["flags"], list)
    assert "temperature" in result["unlisted_controls"]
    table = bench.format_explorers([result])
    assert "logit_0" in table and "rebuild/live" in table


def test_missing_explorer_is_reported_not_fatal(bench):
    spec = bench.ExplorerSpec(name="nope", module="tp3helpers.explorers.nope", factory="f",
                              controls={})
    result = bench.bench_explorer(spec, moves=1, baseline_moves=1)
    assert "skipped" in result
    assert "skipped" in bench.format_explorers([result])


def test_quick_numerics_and_json_output(bench, tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert bench.main(["--quick", "--only", "numerics", "--repeats", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "CPU:" in printed and "BLAS:" in printed and str(out.name) in printed
    results = json.loads(out.read_text())
    assert results["quick"] is True
    assert {"cpu", "logical_cores", "python", "versions", "blas", "env"} <= set(results["machine"])
    cases = [row["case"] for row in results["numerics"]]
    assert len(cases) == 6
    for row in results["numerics"]:
        assert row["ours_ms"] > 0 and row["baseline_ms"] > 0 and row["ratio"] > 0
        assert isinstance(row["met"], bool)
    assert "explorers" not in results and "notebooks" not in results
