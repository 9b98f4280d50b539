"""The class page's numbers from ``make class-load``'s JSON: tables, a plot, the capacity, sizing.

Usage: python benchmarks/class_load_report.py RESULTS.json
           [--page docs/class.md] [--plot docs/images/class_load.png] [--deploy deploy]

Prints the report; ``--page`` rewrites the part of the class page between its class-load markers,
``--plot`` draws frame time against the number of students, ``--deploy`` writes the measured
memory limit into deploy/jupyterhub_config.py and the per-student requests and limits into
deploy/values.yaml (between their markers). Everything on the page comes from the JSON and from
``make bench``'s drag table (docs/performance.md, or README.md before it moved there): the
arithmetic prediction the capacity is compared with.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

from report import write_between  # make bench's page writer, beside this script

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- class-load:start -->", "<!-- class-load:end -->"
YAML_START, YAML_END = "# class-load:start", "# class-load:end"
SERVER_SIDE = ("hub", "proxy", "servers", "kernels")  # what a hub's machine runs
#: Nodes a Kubernetes class could run on (vCPU, memory GB), and the share of each that
#: Kubernetes leaves to pods (allocatable, after the kubelet, the system pods and the eviction
#: threshold; typical of managed clusters).
NODES = [(4, 16), (8, 32)]
CPU_SHARE, MEMORY_SHARE = 0.95, 0.85
CLASSES = (30, 100, 300)


def table(headers: list[str], rows: list[list[object]]) -> str:
    lines = [headers, ["---"] * len(headers), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def median(values: list[float]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def cpu_ms_per_move(result: dict, groups: tuple[str, ...]) -> float | None:
    """CPU milliseconds the ``groups`` spent per answered move (moves of the browser included)."""
    moves = result["answered"] + len(result["browser_ms"])
    if not moves:
        return None
    cpu_s = sum(result["cpu_percent"][g] for g in groups) / 100 * result["seconds"]
    return cpu_s * 1e3 / moves


#: Where ``make bench`` writes its tables, between these markers (the first file that has them).
BENCH_PAGES = (REPO / "docs" / "performance.md", REPO / "README.md")
BENCH_START, BENCH_END = "<!-- bench:start -->", "<!-- bench:end -->"


def bench_page() -> Path | None:
    return next((p for p in BENCH_PAGES if p.exists() and BENCH_START in p.read_text()), None)


def bench_cpu_ms(page: Path, control: str) -> tuple[float, float, str] | None:
    """From ``make bench``'s table "Dragging a slider under ipympl": CPU ms per move of
    ``control`` (``notebook.control``, e.g. momentum's rho) and of the costliest slider."""
    explorer = {"03_momentum_physics": "momentum", "01_softmax_cross_entropy": "softmax",
                "02_exponential_kernel": "kernel"}[control.split(".")[0]]
    text = page.read_text()
    text = text[text.find(BENCH_START):text.find(BENCH_END)]
    part = text[text.find("**Dragging a slider under ipympl**"):]
    rows = re.findall(r"^\| (\w+) \| (\w+) \| ([\d.]+) \| [\d.]+ \| [\d.]+ \|$", part, re.M)
    if not rows:
        return None
    costliest = max(rows, key=lambda r: float(r[2]))
    ours = [float(r[2]) for r in rows if (r[0], r[1]) == (explorer, control.split(".")[1])]
    if not ours:
        return None
    return ours[0], float(costliest[2]), f"{costliest[0]}.{costliest[1]}"


def round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def sizing(data: dict) -> dict:
    """Per-student requests and limits from the measurement (the rules are printed with them)."""
    sizes = [r for r in data["sizes"] if not r.get("refined")]
    one = sizes[0]
    per_student = [mb for r in data["sizes"]
                   for user, mb in r.get("peak_rss_mb_per_student", {}).items()
                   if user.startswith("student")]
    memory_mb = max(per_student) if per_student else (
        (one["peak_rss_mb"]["servers"] + one["peak_rss_mb"]["kernels"]) / one["students"])
    # A student's pod: their server and kernels, dragging alone (no waiting for a shared core).
    cpu = sum(one["cpu_percent"][g] for g in ("servers", "kernels")) / 100 / one["students"]
    guarantee_mb = round_up(memory_mb, 128)
    limit_mb = round_up(2 * guarantee_mb, 256)
    cpu_guarantee = round_up(cpu, 0.05)
    largest = max(data["sizes"], key=lambda r: r["students"])
    core_mb = max(r["peak_rss_mb"]["hub"] + r["peak_rss_mb"]["proxy"] for r in data["sizes"])
    core_cpu = max(r["cpu_percent"]["hub"] + r["cpu_percent"]["proxy"] for r in data["sizes"])
    return {"core_mb": core_mb, "core_cpu": core_cpu, "core_students": largest["students"],
            "memory_mb": memory_mb, "cpu_cores": cpu, "mem_guarantee_mb": guarantee_mb,
            "mem_limit_mb": limit_mb, "cpu_guarantee": cpu_guarantee, "cpu_limit": 1.0}


def memory_text(mb: float) -> str:
    """Kubernetes and JupyterHub's spelling: 1G for 1024 MB, else 768M."""
    return f"{mb / 1024:g}G" if mb % 1024 == 0 else f"{mb:.0f}M"


def capacity(data: dict) -> tuple[int, str]:
    """The largest N under the line with no error, and whether the run found the line."""
    ok = [r["students"] for r in data["sizes"] if r["ok"]]
    best = max(ok, default=0)
    over = [r["students"] for r in data["sizes"] if not r["ok"]]
    if over and min(over) == best + 1:
        return best, "found"
    if over:
        return best, f"between {best} and {min(over)} students (the run halved the gap 3 times)"
    return best, "not reached: " + data.get("stopped", "the largest class size run was under it")


def report(data: dict, page: Path | None) -> tuple[str, dict]:
    """The markdown of the class page's results, and the figures the plot and deploy/ need.
    ``page`` holds ``make bench``'s tables (the arithmetic prediction), if any."""
    m, v = data["machine"], data["versions"]
    limit = data["limit_ms"]
    out = [
        f"Machine: {m['cpu']}, {m['cores']} logical cores, {m['memory_gb']:.0f} GB; "
        f"Python {m['python']}; JupyterHub {v['jupyterhub']}, configurable-http-proxy "
        f"{v['configurable-http-proxy']}, Jupyter Server {v['jupyter_server']}, ipympl "
        f"{v['ipympl']}, ipywidgets {v['ipywidgets']}; run {data['started'][:16]} UTC, "
        f"{data['seconds_total'] / 60:.0f} min in all. Load average (1, 5, 15 min) before the "
        f"run {_load(data['load_before'])}, after it {_load(data['load_after'])} (the class's own)"
        + (": the machine was shared with other jobs, so these figures are provisional."
           if data["load_before"][0] > 1.0 else ".")
    ]
    if data.get("quick"):
        out.append("**Quick run** (`CLASS_LOAD_ARGS=--quick`): a smoke test, not a measurement.")
    rows = []
    for r in sorted(data["sizes"], key=lambda r: r["students"]):
        per = [mb for u, mb in r.get("peak_rss_mb_per_student", {}).items()
               if u.startswith("student")]
        cpu = r["cpu_percent"]
        rows.append([
            f"{r['students']}" + (" (refined)" if r.get("refined") else ""),
            ms(r["median_ms"]), ms(r["p95_ms"]),
            f"{ms(median(r['browser_ms']))} ({len(r['browser_ms'])})",
            f"{r['answered']} (+{r.get('unchanged', 0)}) / {r['sent']} / {r['ticks']}", r["lost"],
            len(r["errors"]),
            f"{cpu['hub']:.0f} / {cpu['proxy']:.0f}", f"{cpu['servers']:.0f} / "
            f"{cpu['kernels']:.0f}", f"{cpu['driver']:.0f} / {cpu['browser']:.0f}",
            f"{r['peak_rss_mb']['hub']:.0f} / {r['peak_rss_mb']['proxy']:.0f}",
            f"{r['peak_rss_mb']['servers'] + r['peak_rss_mb']['kernels']:.0f}",
            f"{max(per):.0f}" if per else "–",
            "under" if r["ok"] else "**over**",
        ])
    out += [
        f"**Frame time against class size** ({data['control']}, {data['rate_per_s']:g} moves "
        f"a second per student, {data['sizes'][0]['seconds']:.0f} s per size; notebooks open per "
        f"student: {', '.join(data['notebooks'])})",
        table(["students", "median ms", "p95 ms", "Chromium key→pixels median ms (moves)",
               "framed (+ unchanged) / sent / mouse moves", "lost", "errors", "CPU % hub / proxy",
               "CPU % servers / kernels", "CPU % driver / browser", "MB hub / proxy",
               "MB servers + kernels", "MB per student (max)", f"p95 < {limit:g} ms, no error"],
              rows),
        "A mouse move is sent as an update unless one is waiting for the kernel (then the newest "
        "value waits, as ipywidgets throttles); an update is framed when its frame came, "
        "unchanged when it held the value the kernel had already (no new frame needed). "
        "CPU in % of one core over the drag; memory the peak resident set. The servers and "
        "kernels include the Chromium student's (one server, one Voilà kernel); the driver (the "
        "simulated students) and the browser run on the same machine as the hub.",
    ]
    best, found = capacity(data)
    cores = m["cores"]
    one = [r for r in data["sizes"] if not r.get("refined")][0]
    kernel_ms, side_ms = cpu_ms_per_move(one, ("kernels",)), cpu_ms_per_move(one, SERVER_SIDE)
    all_ms = cpu_ms_per_move(one, (*SERVER_SIDE, "driver", "browser"))
    bench = bench_cpu_ms(page, data["control"]) if page else None
    facts = {"capacity": best, "cores": cores}
    lines = [f"**Capacity of this machine: {best} student{'' if best == 1 else 's'}** dragging "
             f"at once with the 95th "
             f"percentile of frame time under {limit:g} ms and no error"
             + ("." if found == "found" else f" ({found}).")]
    if bench:
        ours, worst, worst_name = bench
        predicted = cores * 1000 / (data["rate_per_s"] * ours)
        facts["predicted"] = predicted
        lines.append(
            f"The arithmetic from `make bench` ({_shown(page)}: CPU per move "
            f"of the slider in one kernel, {ours:g} ms for {data['control'].split('.')[1]}; "
            f"{worst:g} ms for the "
            f"costliest, {worst_name}) predicts {cores} × 1000 / (10 × {ours:g}) = "
            f"**{predicted:.1f} students** on {cores} cores "
            f"({cores * 1000 / (data['rate_per_s'] * worst):.1f} for the costliest slider).")
        if kernel_ms and side_ms and all_ms:
            lines.append(
                f"Measured here with one student: the kernel spent {kernel_ms:.1f} ms of CPU per "
                f"move, the whole server side (kernel, Jupyter server, proxy, hub) "
                f"{side_ms:.1f} ms, and with the simulated students' driver and the browser on "
                f"the same machine {all_ms:.1f} ms. The same arithmetic with the server side's "
                f"cost gives {cores * 1000 / (data['rate_per_s'] * side_ms):.1f} students, with "
                f"everything this machine ran {cores * 1000 / (data['rate_per_s'] * all_ms):.1f}.")
    # The load after the run is the class's own (students, browser, hub); other jobs show before.
    busy = data["load_before"][0]
    if busy > cores / 2:
        lines.append(
            f"Other jobs kept the machine's load average at {busy:.1f} on {cores} cores when "
            "this run started, so the class had only part of the cores: this capacity is a lower "
            "bound. "
            "Run `make class-load` on a quiet machine for the machine's own figure.")
    out.append(" ".join(lines))
    out += _faults(data), _isolation(data)
    size = sizing(data)
    out.append(_beyond(size))
    return "\n\n".join(part for part in out if part), {**facts, **size}


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def _load(values: list[float]) -> str:
    return ", ".join(f"{x:.1f}" for x in values)


def _faults(data: dict) -> str:
    f = data.get("faults")
    if not f:
        return ""
    o, victim, after = f["others"], f["victim_drag"], f["victim_after"]
    rows = [
        ["the hub process restarted mid-drag (proxy and servers kept running)",
         f"hub away {f['hub_away_s']:.1f} s; the other {f['students'] - 1} students' moves: "
         f"{o['answered']} answered of {o['sent']} sent, {o['lost']} lost, "
         f"{len(o['errors'])} errors, p95 {ms(o['p95_ms'])} ms",
         "yes" if o["lost"] == 0 and not o["errors"] and o["answered"] else "**no**"],
        ["after the restart, every student reaches their server", "; ".join(f["after_restart"]),
         "yes" if f["all_reach_their_server"] else "**no**"],
        [f"{f['victim']}'s server and kernels killed ({f['killed_processes']} processes)",
         f"{victim['lost']} of {f['victim']}'s moves lost (in flight when it died); the others "
         f"unaffected (above)", "yes" if o["lost"] == 0 else "**no**"],
        [f"{f['victim']} starts again", f"server back in {f['victim_restart_s']:.1f} s, saved "
         f"notebooks {'intact' if f['saved_notebooks_intact'] else '**changed**'}; notebook 3 "
         f"run again, then {after['answered']} of {after['sent']} moves answered",
         "yes" if f["saved_notebooks_intact"] and after["answered"] else "**no**"],
    ]
    return (f"**Faults during the load** ({f['students']} students dragging for "
            f"{f['seconds']:g} s: the hub restarted at a quarter of it, {f['victim']}'s server "
            f"killed at 60%)\n\n" + table(["fault", "what happened", "as it should"], rows))


def _isolation(data: dict) -> str:
    checks = data.get("isolation")
    if not checks:
        return ""
    rows = [[c["check"], c["seen"], "yes" if c["passed"] else "**no**"] for c in checks]
    return "**Isolation**\n\n" + table(["check", "seen", "passed"], rows)


def _beyond(size: dict) -> str:
    rows = []
    for cores, gb in NODES:
        name, cpu_alloc, mem_alloc = f"{cores} vCPU, {gb} GB", CPU_SHARE * cores, MEMORY_SHARE * gb
        per_node = min(int(cpu_alloc / size["cpu_guarantee"]),
                       int(mem_alloc * 1024 / size["mem_guarantee_mb"]))
        bound = ("CPU" if cpu_alloc / size["cpu_guarantee"]
                 < mem_alloc * 1024 / size["mem_guarantee_mb"] else "memory")
        rows.append([name, f"{per_node} ({bound})",
                     *(f"{math.ceil(n / per_node)}" for n in CLASSES)])
    return (
        f"**Beyond one machine** (Zero to JupyterHub on Kubernetes, `deploy/values.yaml`). "
        f"Measured per student: {size['memory_mb']:.0f} MB of memory at most (their server "
        f"and notebooks' kernels), and {size['cpu_cores']:.2f} cores for them while dragging "
        f"alone. Requests and limits: memory guarantee "
        f"{memory_text(size['mem_guarantee_mb'])} (the measured peak rounded up to 128 MB), "
        f"limit {memory_text(size['mem_limit_mb'])} (twice that, room for two more notebooks); "
        f"CPU guarantee {size['cpu_guarantee']:g} (one student dragging, rounded up to 0.05), "
        f"limit {size['cpu_limit']:g}. With every student guaranteed what a drag needs, a whole "
        f"class can drag at once:\n\n"
        + table([f"node (allocatable: {CPU_SHARE:.0%} of the CPU, {MEMORY_SHARE:.0%} of the "
                 "memory)", "students per node",
                 *(f"nodes for {n}" for n in CLASSES)], rows)
        + f"\n\nPlus the hub and the proxy ({size['core_mb']:.0f} MB and "
          f"{size['core_cpu']:.0f}% of a core at most here, with {size['core_students']} "
          "students), which Zero to JupyterHub puts on a core node of their own.")


def write_deploy(folder: Path, size: dict) -> None:
    """The measured memory limit into the hub's config, the requests and limits into values.yaml."""
    config = folder / "jupyterhub_config.py"
    text = config.read_text()
    line = re.compile(r'^MEMORY_LIMIT = ".*"  # class-load:memory-limit$', re.M)
    if not line.search(text):
        raise SystemExit(f"{config}: no MEMORY_LIMIT line marked class-load:memory-limit")
    config.write_text(line.sub(
        f'MEMORY_LIMIT = "{memory_text(size["mem_limit_mb"])}"  # class-load:memory-limit', text))
    block = (f"  memory:\n    guarantee: {memory_text(size['mem_guarantee_mb'])}\n"
             f"    limit: {memory_text(size['mem_limit_mb'])}\n"
             f"  cpu:\n    guarantee: {size['cpu_guarantee']:g}\n"
             f"    limit: {size['cpu_limit']:g}")
    write_between(folder / "values.yaml", "  " + YAML_START, "  " + YAML_END, block)


def plot(data: dict, path: Path, facts: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = sorted(data["sizes"], key=lambda r: r["students"])
    n = [r["students"] for r in results]
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100, layout="constrained")
    ax.plot(n, [r["median_ms"] for r in results], "o-", label="simulated students: median")
    ax.plot(n, [r["p95_ms"] for r in results], "s-", label="simulated students: 95th percentile")
    browser = [(r["students"], median(r["browser_ms"])) for r in results if r["browser_ms"]]
    if browser:
        ax.plot(*zip(*browser, strict=True), "^--",
                label="Chromium student: key press to pixels, median")
    ax.axhline(data["limit_ms"], color="tab:red", lw=1, label=f"{data['limit_ms']:g} ms")
    if facts["capacity"]:
        ax.axvline(facts["capacity"], color="tab:green", lw=1.5, ls=":",
                   label=f"measured capacity: {facts['capacity']}")
    if "predicted" in facts:
        ax.axvline(facts["predicted"], color="tab:gray", lw=1, ls="--",
                   label=f"make bench's arithmetic: {facts['predicted']:.1f}")
    highest = max([data["limit_ms"], *(r["p95_ms"] or 0 for r in results),
                   *(b for _, b in browser)])
    ax.set_ylim(0, highest * 1.1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(n, [str(x) for x in n])
    ax.set_xlabel("students dragging a slider at once (10 moves a second each)")
    ax.set_ylabel("update to new frame, ms")
    ax.set_title(f"Frame time against class size on {data['machine']['cores']} cores "
                 f"({data['control']})")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json", type=Path)
    parser.add_argument("--page", type=Path, help="rewrite the results between its markers")
    parser.add_argument("--plot", type=Path, help="draw frame time against class size")
    parser.add_argument("--deploy", type=Path, help="write the measured limits into deploy/")
    parser.add_argument("--bench", type=Path, default=bench_page(),
                        help="the page of make bench's tables (the arithmetic prediction)")
    args = parser.parse_args(argv)
    data = json.loads(args.json.read_text())
    if not data["sizes"]:
        raise SystemExit(f"{args.json}: no class size was measured (see the run's output)")
    text, facts = report(data, args.bench)
    print(text)
    if args.plot:
        plot(data, args.plot, facts)
        text += f"\n\n![Frame time against class size]({_relative(args.plot, args.page)})"
    if args.page:
        write_between(args.page, START, END, text)
    if args.deploy:
        write_deploy(args.deploy, facts)
    return 0


def _relative(image: Path, page: Path | None) -> str:
    if page is None:
        return str(image)
    return image.resolve().relative_to(page.resolve().parent).as_posix()


if __name__ == "__main__":
    raise SystemExit(main())
