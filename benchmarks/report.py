"""Ratios, targets and the performance tables from pytest-benchmark's JSON, and the table of
browser latency from the browser tests' JSON.

Usage: python benchmarks/report.py [benchmarks/results/latest.json]
           [--latency benchmarks/results/browser.json] [--page docs/performance.md]

``--page FILE`` rewrites the tables between the markers in FILE: the benchmarks' between
``<!-- bench:start -->`` and ``<!-- bench:end -->``, the browser's between
``<!-- latency:start -->`` and ``<!-- latency:end -->``.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

FRAME_MS, MIN_SPEEDUP, MAX_RATIO, MIN_MAP_SPEEDUP, NOTEBOOK_S = 16.0, 4.0, 1.5, 100.0, 30.0
MOVES_PER_S = 10  # a student dragging a slider: moves per second one kernel draws
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
LATENCY_START, LATENCY_END = "<!-- latency:start -->", "<!-- latency:end -->"
#: The digits explorer's first frame after a key press (issue 14), median, milliseconds.
FIRST_FRAME_MS = 100.0
#: The browser tests' names of the explorers, in the course's order, and the reference plot.
EXPLORERS = {"softmax_explorer": ("softmax", "logit_0"), "kernel_explorer": ("kernel", "bandwidth"),
             "momentum_explorer": ("momentum", "rho"), "digits_explorer": ("digits", "rho")}
REFERENCE = "reference_plot"


def table(headers: list[str], rows: list[list[object]]) -> str:
    lines = [headers, ["---"] * len(headers), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def report(data: dict) -> tuple[str, list[str]]:
    """Markdown tables of a pytest-benchmark JSON, and the targets missed."""
    groups: dict[str, dict[str, dict]] = defaultdict(dict)
    for bench in data["benchmarks"]:
        groups[bench["group"]][bench["extra_info"]["kind"]] = bench
    rows, missed = defaultdict(list), []

    def check(ok: bool, what: str, target: str) -> str:
        if not ok:
            missed.append(f"{what}: {target}")
        return f"{target}: {'met' if ok else 'MISSED'}"

    for group, kinds in groups.items():
        ms = {kind: bench["stats"]["median"] * 1e3 for kind, bench in kinds.items()}
        info, name = next(iter(kinds.values()))["extra_info"], group.split(" ", 1)[1]
        if info["case"] in ("explorer", "first_frame") and len(ms) == 2:  # a move, a new frame
            live, x = kinds["ours"]["extra_info"], ms["baseline"] / ms["ours"]
            frame = info.get("target_ms", FRAME_MS)  # digits: first frame while training runs
            ok = ms["ours"] <= frame and x >= MIN_SPEEDUP and not live["errors"]
            ok = ok and 2 * live["frames_changed"] >= live["moves"]  # most moves show a change
            rows["explorer"].append([info["explorer"], info["control"], f"{ms['ours']:.1f}",
                                     f"{live['cpu_ms']:.1f}", f"{ms['baseline']:.0f}", f"{x:.0f}x",
                                     check(ok, f"{info['explorer']}.{info['control']}",
                                           f"≤ {frame:g} ms, ≥ {MIN_SPEEDUP:g}x")])
        elif info["case"] == "numerics" and len(ms) == 2:
            ratio = ms["ours"] / ms["baseline"]
            if name.startswith("convergence_rate"):  # a vectorised map against a loop
                shown = f"{1 / ratio:.0f}x faster"
                status = check(1 / ratio >= MIN_MAP_SPEEDUP, name, f"≥ {MIN_MAP_SPEEDUP:g}x")
            else:
                shown, status = f"{ratio:.2f}", check(ratio <= MAX_RATIO, name, f"≤ {MAX_RATIO:g}")
            rows["numerics"].append([f"`{name}`", f"{ms['ours']:.2f}", info["baseline"],
                                     f"{ms['baseline']:.2f}", shown, status])
        elif info["case"] == "notebook":
            ok = ms["ours"] < NOTEBOOK_S * 1e3
            rows["notebook"].append([name, f"{ms['ours'] / 1e3:.1f}", f"{info['rss_mb']:.0f}",
                                     f"{info['peak_rss_mb'] or float('nan'):.0f}",
                                     check(ok, name, f"< {NOTEBOOK_S:g} s")])
        elif info["case"] == "drag":
            cpu = info["cpu_ms"]
            rows["drag"].append([info["explorer"], info["control"], f"{cpu:.1f}",
                                 f"{ms['ipympl']:.1f}", f"{1e3 / (cpu * MOVES_PER_S):.1f}"])
    cpu = data["machine_info"]["cpu"]
    out = [f"Machine: {cpu.get('brand_raw', '?')}, {cpu.get('count', '?')} logical cores; "
           f"Python {data['machine_info']['python_version']}; run {data['datetime'][:16]} UTC."]
    for kind, title, headers in [
        ("explorer", "Explorer updates (Agg)", "explorer|control|median ms|CPU ms|rebuild ms|"
                                               "rebuild/live|target"),
        ("numerics", "Numerics", "case|ours ms|baseline|baseline ms|ours/baseline|target"),
        ("notebook", "Notebooks", "notebook|Run All s|kernel RSS after MB|peak RSS MB|target"),
        ("drag", "Dragging a slider under ipympl", "explorer|slider|CPU ms per move|wall ms|"
                                                   f"students per core at {MOVES_PER_S} moves/s"),
    ]:
        if rows[kind]:
            out += [f"**{title}**", table(headers.split("|"), rows[kind])]
    if rows["drag"]:  # the figure an instructor sizes a server with
        worst = max(rows["drag"], key=lambda row: float(row[2]))
        out.append(f"At {MOVES_PER_S} moves/s one core keeps up with {worst[4]} students dragging "
                   f"the costliest slider ({worst[0]}.{worst[1]}, {worst[2]} ms CPU per move).")
    out.append("All targets met." if not missed else "Targets missed: " + "; ".join(missed))
    return "\n\n".join(out), missed


def latency_report(data: dict) -> tuple[str, list[str]]:
    """A Markdown table of the browser tests' timings against the reference plot of the same
    run, and the targets missed: frames per second while dragged at least the reference's, and
    the digits explorer's first frame within :data:`FIRST_FRAME_MS`."""
    latency, drag, missed = data["latency"], data["drag"], []
    reference_ms = latency.get(REFERENCE, {}).get("median_ms")
    reference_fps = drag.get(REFERENCE, {}).get("fps")
    rows = []
    for name, (explorer, control) in EXPLORERS.items():
        if name not in latency:
            continue
        median = latency[name]["median_ms"]
        moves = latency[name]["moves_ms"]
        fps = drag.get(name, {}).get("fps")
        targets = []
        if fps is not None and reference_fps:
            ok = fps >= reference_fps
            targets.append(f"frames/s ≥ reference: {'met' if ok else 'MISSED'}")
            if not ok:
                missed.append(f"{explorer}.{control}: {fps:.1f} frames/s < {reference_fps:.1f}")
        if explorer == "digits":
            ok = median <= FIRST_FRAME_MS
            targets.append(f"≤ {FIRST_FRAME_MS:g} ms: {'met' if ok else 'MISSED'}")
            if not ok:
                missed.append(f"digits first frame: median {median:.0f} ms")
        rows.append([explorer, control, f"{median:.0f}", f"{max(moves):.0f}",
                     "–" if reference_ms is None else f"{median / reference_ms:.2f}",
                     "–" if fps is None else f"{fps:.1f}",
                     "–" if fps is None or not reference_fps else f"{fps / reference_fps:.2f}",
                     "; ".join(targets) or "–"])
    if REFERENCE in latency:
        rows.append(["reference: one line, `set_data`", "frequency", f"{reference_ms:.0f}",
                     f"{max(latency[REFERENCE]['moves_ms']):.0f}", "1",
                     "–" if reference_fps is None else f"{reference_fps:.1f}", "1", "–"])
    machine = data["machine"]
    load = ", ".join(f"{v:.1f}" for v in machine.get("load_average", []))
    moves = max((len(v["moves_ms"]) for v in latency.values()), default=0)
    out = [f"Machine: {machine['cpu']}, {machine['cores']} logical cores (load average {load} at "
           f"the end); {machine['browser']}; Python {machine['python']}; run "
           f"{data['datetime']} UTC. Key press to the first new pixels on the canvas, median of "
           f"{moves} presses in Voilà at presentation size, 1280x720; frames per second while the "
           "key is held (30 presses a second for two seconds).",
           table(["explorer", "slider", "median ms", "max ms", "median / reference",
                  "drag frames/s", "frames/s / reference", "target"], rows),
           "All targets met." if not missed else "Targets missed: " + "; ".join(missed)]
    return "\n\n".join(out), missed


def write_between(path: Path, start: str, end: str, text: str) -> None:
    """Replace what ``path`` holds between the markers ``start`` and ``end`` with ``text``."""
    content = path.read_text()
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(content):
        raise SystemExit(f"{path}: no {start} ... {end} markers")
    path.write_text(pattern.sub(lambda _: f"{start}\n{text}\n{end}", content))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json", type=Path, nargs="?", help="pytest-benchmark's JSON")
    parser.add_argument("--latency", type=Path, help="the browser tests' JSON")
    parser.add_argument("--page", type=Path,
                        help="rewrite the tables between their markers in this file")
    args = parser.parse_args(argv)
    if args.json is None and args.latency is None:
        parser.error("give a benchmark JSON, --latency JSON, or both")
    if args.json is not None:
        text, _ = report(json.loads(args.json.read_text()))
        print(text)
        if args.page:
            write_between(args.page, START, END, text)
    if args.latency is not None:
        text, _ = latency_report(json.loads(args.latency.read_text()))
        print(text)
        if args.page:
            write_between(args.page, LATENCY_START, LATENCY_END, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
