"""Benchmarks for tp3: live explorers, numerics against SciPy and scikit-learn, whole notebooks.

Every number is a ratio against a baseline measured in the same run, on the same machine, so the
ratios mean something on any machine; the absolute times are for the machine printed at the top.

Usage (``make bench`` runs the first line)::

    python benchmarks/run.py                  # everything, about 3 minutes on 2 cores
    python benchmarks/run.py --quick          # a smoke run of the machinery, small sizes (~20 s)
    python benchmarks/run.py --only explorers,numerics --explorers softmax

Sections (``--only`` takes any of them):

explorers
    For every explorer in :data:`EXPLORERS` and every control: the time from ``control.value = v``
    to the Agg canvas holding the new frame (the explorer's own render path; with Agg the
    callback runs synchronously, and the canvas buffer is read to force completion), median and
    p90 over at least 50 moves that each change the value. Baseline: what ``ipywidgets.interact``
    with the inline backend does on every move, i.e. build the same figure from scratch with the
    same plotting code, set the value, render it once to PNG, close it.
numerics
    ``softmax``, ``log_softmax`` and ``cross_entropy_grad`` on (200000, 10) float64 against
    ``scipy.special``; ``kernels.gaussian`` on (3000, 10) against scikit-learn's ``rbf_kernel``;
    ``convergence_rate`` on a 400 x 400 (rho, eta) grid against a per-point ``numpy.roots`` loop;
    ``momentum_descent`` for 10000 steps in 2-D against a plain reference loop. Candidate and
    baseline runs are interleaved and repeated; the median of the repeats is compared.
notebooks
    Each notebook executed headless with nbclient (as nbval does): wall time and the kernel
    process's peak resident memory (sampled every 20 ms with psutil).
growth
    The kernel explorer's update time and memory (tracemalloc peak per update) for 50, 100, 200
    and 400 data points, and the largest size that still updates within one 60 Hz frame.

The results are printed as tables and written as JSON to ``benchmarks/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib
import importlib.metadata
import inspect
import json
import math
import os
import platform
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: the explorers draw synchronously on an Agg canvas

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

#: One 60 Hz frame, in milliseconds: the budget of a slider move.
FRAME_MS = 16.0
#: A live explorer must be at least this many times faster than rebuilding the figure.
MIN_EXPLORER_SPEEDUP = 4.0
#: Our numerics may take at most this many times as long as SciPy / scikit-learn.
MAX_NUMERICS_RATIO = 1.2
#: The vectorised convergence map must be at least this many times faster than the roots loop.
MIN_MAP_SPEEDUP = 100.0
#: All notebooks together must execute within this many seconds.
NOTEBOOKS_BUDGET_S = 30.0


# -- the explorers and the values their controls cycle through ------------------------------------
@dataclass
class ExplorerSpec:
    """An explorer to benchmark: where its factory lives and what each control is set to.

    ``controls`` maps a control name to the values a move cycles through, or to ``None`` to cycle
    through the control's own ``options`` (dropdowns, selection sliders). Consecutive values
    differ, so every move is a real change.
    """

    name: str
    module: str
    factory: str
    controls: dict[str, Sequence[object] | None]
    kwargs: dict[str, object] = field(default_factory=dict)


def _sweep(start: float, stop: float, step: float) -> list[float]:
    """A drag across a slider and back: start .. stop in ``step`` increments, then back."""
    count = int(round(abs(stop - start) / step))
    sign = 1.0 if stop > start else -1.0
    there = [round(start + sign * step * i, 10) for i in range(count + 1)]
    return there + there[-2:0:-1]


def _log_sweep(start: float, stop: float, step: float) -> list[float]:
    """The same on a log slider: exponents from log10(start) to log10(stop) in ``step``."""
    return [round(10.0**e, 10) for e in _sweep(math.log10(start), math.log10(stop), step)]


EXPLORERS: list[ExplorerSpec] = [
    ExplorerSpec(
        name="softmax",
        module="tp3helpers.explorers.softmax",
        factory="softmax_explorer",
        controls={
            # drags over the slider grid: most moves show label strings not drawn before
            "logit_0": _sweep(2.0, -4.0, 0.1),
            "logit_1": _sweep(1.0, 5.0, 0.1),
            "logit_2": _sweep(0.0, -2.5, 0.1),
            "logit_3": _sweep(-1.0, 4.0, 0.1),
            "target": None,
            "temperature": _log_sweep(1.0, 10.0, 0.05) + _log_sweep(1.0, 0.1, 0.05),
        },
    ),
    ExplorerSpec(
        name="kernel",
        module="tp3helpers.explorers.kernels",
        factory="kernel_explorer",
        controls={
            "bandwidth": _log_sweep(0.5, 3.0, 0.05) + _log_sweep(0.5, 0.1, 0.05),
            "kernel": None,
            "order": None,
        },
    ),
    ExplorerSpec(
        name="momentum",
        module="tp3helpers.explorers.momentum",
        factory="momentum_explorer",
        controls={
            "rho": _sweep(0.8, 0.99, 0.01) + _sweep(0.8, 0.3, 0.01),
            "eta": _sweep(1.0, 2.0, 0.02) + _sweep(1.0, 0.3, 0.02),
            "condition_number": None,
            "objective": None,
        },
    ),
]


def move_values(control: object, values: Sequence[object] | None, moves: int) -> list[object]:
    """``moves`` values for ``control``, cycling through ``values``, each unlike the one before."""
    if values is None:
        options = getattr(control, "options", None)
        if not options:
            raise ValueError(f"control {control!r} has no options: give values in EXPLORERS")
        values = [o[1] if isinstance(o, tuple) else o for o in options]
    cycle = [v for v in values]
    if len(set(map(repr, cycle))) < 2:
        raise ValueError(f"need at least two different values, got {cycle!r}")
    out: list[object] = []
    previous = control.value
    i = 0
    while len(out) < moves:
        value = cycle[i % len(cycle)]
        i += 1
        if value != previous:
            out.append(value)
            previous = value
    return out


def load_factory(spec: ExplorerSpec) -> Callable[..., object] | None:
    try:
        module = importlib.import_module(spec.module)
    except ImportError:
        return None
    return getattr(module, spec.factory, None)


def frame_ready(explorer: object) -> np.ndarray:
    """Force the frame to completion: with Agg the callback already drew it; read the buffer."""
    return np.asarray(explorer.figure.canvas.buffer_rgba())


@contextlib.contextmanager
def _no_live_render() -> Iterator[None]:
    """Skip the explorers' canvas draws, so that a rebuilt figure is rendered only once, to PNG."""
    from tp3helpers.explorers._base import Explorer

    original = Explorer._render
    Explorer._render = lambda self: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Explorer._render = original  # type: ignore[method-assign]


def rebuild_once(factory: Callable[..., object], kwargs: dict, name: str, value: object) -> bytes:
    """The ``interact`` baseline: new figure with the same plotting code, set, PNG, close."""
    from tp3helpers.plotting.figure import png_snapshot

    with _no_live_render():
        explorer = factory(**kwargs)
        explorer.controls[name].value = value
    try:
        return png_snapshot(explorer.figure, explorer._animated)
    finally:
        explorer.close()


def _ms(seconds: Sequence[float]) -> dict[str, float]:
    values = np.asarray(seconds) * 1e3
    return {
        "median_ms": float(np.median(values)),
        "p90_ms": float(np.percentile(values, 90)),
        "min_ms": float(values.min()),
        "n": int(values.size),
    }


def bench_explorer(
    spec: ExplorerSpec, *, moves: int, baseline_moves: int, warmup: int = 3
) -> dict[str, object]:
    """Time every control of one explorer against the rebuild baseline."""
    factory = load_factory(spec)
    if factory is None:
        return {"name": spec.name, "skipped": f"{spec.module}.{spec.factory} is not there yet"}
    explorer = factory(**spec.kwargs)
    rows = []
    unlisted = sorted(set(explorer.controls) - set(spec.controls))
    for name, values in spec.controls.items():
        control = explorer.controls.get(name)
        if control is None:
            rows.append({"control": name, "skipped": "no such control"})
            continue
        initial = control.value
        sequence = move_values(control, values, warmup + moves)
        wall, cpu, errors, changed = [], [], 0, 0
        previous = frame_ready(explorer).copy()
        for i, value in enumerate(sequence):
            gc.collect(0)
            t0, c0 = time.perf_counter(), time.thread_time()
            control.value = value
            frame = frame_ready(explorer)
            t1, c1 = time.perf_counter(), time.thread_time()
            if i < warmup:
                previous = frame.copy()
                continue
            wall.append(t1 - t0)
            cpu.append(c1 - c0)
            errors += "tp3-error" in explorer.readout.value
            changed += not np.array_equal(frame, previous)
            previous = frame.copy()
        control.value = initial  # leave the other controls' sweeps independent of this one
        base = []
        for value in sequence[warmup : warmup + baseline_moves]:
            gc.collect(0)
            t0 = time.perf_counter()
            rebuild_once(factory, spec.kwargs, name, value)
            base.append(time.perf_counter() - t0)
        live, rebuilt = _ms(wall), _ms(base)
        speedup = rebuilt["median_ms"] / live["median_ms"]
        flags = []
        if live["median_ms"] > FRAME_MS:
            flags.append(f"median over {FRAME_MS:g} ms")
        if speedup < MIN_EXPLORER_SPEEDUP:
            flags.append(f"under {MIN_EXPLORER_SPEEDUP:g}x")
        if errors:
            flags.append(f"{errors} moves showed an error")
        if 2 * changed < len(wall):  # a tiny move may round to the same pixels; most must not
            flags.append(f"{len(wall) - changed} of {len(wall)} moves left the frame unchanged")
        rows.append(
            {
                "control": name,
                "live": live,
                "live_cpu_median_ms": float(np.median(cpu) * 1e3),
                "rebuild": rebuilt,
                "speedup": speedup,
                "frames_changed": changed,
                "errors": errors,
                "flags": flags,
            }
        )
    explorer.close()
    plt.close("all")
    return {"name": spec.name, "controls": rows, "unlisted_controls": unlisted}


# -- numerics -------------------------------------------------------------------------------------
def interleaved(cases: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Run each case once per round, alternating the order, for ``repeats`` rounds (one warm-up)."""
    names = list(cases)
    for name in names:
        cases[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            gc.collect()
            t0 = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def _compare(
    case: str,
    ours: Callable[[], object],
    theirs: Callable[[], object],
    baseline: str,
    repeats: int,
    *,
    kind: str = "ratio",
    extrapolate: float = 1.0,
    note: str = "",
) -> dict[str, object]:
    times = interleaved({"ours": ours, "baseline": theirs}, repeats)
    t_ours = statistics.median(times["ours"])
    t_base = statistics.median(times["baseline"]) * extrapolate
    row: dict[str, object] = {
        "case": case,
        "baseline": baseline,
        "ours_ms": t_ours * 1e3,
        "ours_min_ms": min(times["ours"]) * 1e3,
        "baseline_ms": t_base * 1e3,
        "baseline_min_ms": min(times["baseline"]) * extrapolate * 1e3,
        "repeats": repeats,
        "note": note,
    }
    if kind == "ratio":  # ours / library, at most 1.2
        row["ratio"] = t_ours / t_base
        row["ratio_meaning"] = "ours/baseline"
        row["target"] = f"<= {MAX_NUMERICS_RATIO:g}"
        row["met"] = row["ratio"] <= MAX_NUMERICS_RATIO
    else:  # speed-up over the loop, at least 100
        row["ratio"] = t_base / t_ours
        row["ratio_meaning"] = "baseline/ours"
        row["target"] = f">= {MIN_MAP_SPEEDUP:g}"
        row["met"] = row["ratio"] >= MIN_MAP_SPEEDUP
    return row


def roots_rate(rho: float, eta: float, eigenvalues: Sequence[float]) -> float:
    """Reference rate: the largest root modulus of mu^2 - (1 + rho - eta lam) mu + rho, by roots."""
    return max(
        float(np.abs(np.roots([1.0, -(1.0 + rho - eta * lam), rho])).max()) for lam in eigenvalues
    )


def reference_momentum(
    grad: Callable[[np.ndarray], np.ndarray], w0: np.ndarray, rho: float, eta: float, steps: int
) -> np.ndarray:
    """Momentum descent as a student would write it: no checks, one row per step."""
    w = np.array(w0, dtype=float)
    v = np.zeros_like(w)
    out = np.empty((steps + 1, w.size))
    out[0] = w
    for t in range(steps):
        v = rho * v - grad(w)
        w = w + eta * v
        out[t + 1] = w
    return out


def bench_numerics(*, quick: bool, repeats: int) -> list[dict[str, object]]:
    import scipy.special
    from sklearn.metrics.pairwise import rbf_kernel

    from tp3helpers import kernels, momentum
    from tp3helpers import softmax as sm

    rng = np.random.default_rng(6)
    rows = []

    n, k = (20_000, 10) if quick else (200_000, 10)
    logits = 3.0 * rng.normal(size=(n, k))
    labels = rng.integers(0, k, size=n)
    rows_idx = np.arange(n)

    def scipy_grad() -> np.ndarray:
        g = scipy.special.softmax(logits, axis=1)
        g[rows_idx, labels] -= 1.0
        return g

    np.testing.assert_allclose(sm.softmax(logits), scipy.special.softmax(logits, axis=1))
    np.testing.assert_allclose(sm.cross_entropy_grad(logits, labels), scipy_grad(), atol=1e-15)
    shape = f"({n}, {k}) float64"
    rows.append(_compare(f"softmax {shape}", lambda: sm.softmax(logits, axis=1),
                         lambda: scipy.special.softmax(logits, axis=1),
                         "scipy.special.softmax", repeats))
    rows.append(_compare(f"log_softmax {shape}", lambda: sm.log_softmax(logits, axis=1),
                         lambda: scipy.special.log_softmax(logits, axis=1),
                         "scipy.special.log_softmax", repeats))
    rows.append(_compare(f"cross_entropy_grad {shape}",
                         lambda: sm.cross_entropy_grad(logits, labels), scipy_grad,
                         "scipy.special.softmax, then p[n, label] -= 1", repeats))

    m, d = (600, 10) if quick else (3000, 10)
    points = rng.normal(size=(m, d))
    h = 1.5
    gamma = 1.0 / (2.0 * h * h)
    np.testing.assert_allclose(kernels.gaussian(points, bandwidth=h),
                               rbf_kernel(points, gamma=gamma), atol=1e-12)
    rows.append(_compare(f"kernels.gaussian Gram ({m}, {d})",
                         lambda: kernels.gaussian(points, bandwidth=h),
                         lambda: rbf_kernel(points, gamma=gamma),
                         "sklearn.metrics.pairwise.rbf_kernel", repeats))

    side = 60 if quick else 400
    rho = np.linspace(0.0, 0.99, side)[:, None]
    eta = np.linspace(0.01, 2.5, side)[None, :]
    lam = np.array([0.01, 1.0])
    sample = min(side * side, 400 if quick else 2000)
    picks = rng.choice(side * side, size=sample, replace=False)
    pairs = [(float(rho[i // side, 0]), float(eta[0, i % side])) for i in picks]
    grid = momentum.convergence_rate(rho, eta, lam)
    loop = np.array([roots_rate(r, e, lam) for r, e in pairs])
    np.testing.assert_allclose(grid.reshape(-1)[picks], loop, atol=1e-6)
    scale = side * side / sample
    rows.append(_compare(
        f"convergence_rate {side} x {side} grid",
        lambda: momentum.convergence_rate(rho, eta, lam),
        lambda: [roots_rate(r, e, lam) for r, e in pairs],
        "per-point numpy.roots loop", max(3, repeats // 3), kind="speedup", extrapolate=scale,
        note=(f"loop timed on {sample} random grid points and scaled by {scale:g} to the full grid"
              if scale > 1 else ""),
    ))

    steps = 1000 if quick else 10_000
    a = momentum.Quadratic.from_eigenvalues([0.1, 1.0], momentum.rotation_matrix(0.5)).A
    w0 = np.array([1.0, -1.5])

    def grad(w: np.ndarray) -> np.ndarray:
        return a @ w

    ours = momentum.momentum_descent(grad, w0, rho=0.9, eta=0.05, steps=steps)
    np.testing.assert_allclose(ours, reference_momentum(grad, w0, 0.9, 0.05, steps), rtol=1e-12,
                               atol=1e-300)
    rows.append(_compare(
        f"momentum_descent {steps} steps, 2-D",
        lambda: momentum.momentum_descent(grad, w0, rho=0.9, eta=0.05, steps=steps),
        lambda: reference_momentum(grad, w0, 0.9, 0.05, steps),
        "plain Python loop, same gradient", repeats,
    ))
    return rows


# -- whole notebooks ------------------------------------------------------------------------------
class _PeakRSS:
    """Poll a process (and its children) for resident memory in a thread; keep the maximum."""

    def __init__(self, get_pid: Callable[[], int | None], interval: float = 0.02) -> None:
        self.get_pid, self.interval = get_pid, interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        process = None
        while not self._stop.is_set():
            try:
                if process is None:
                    pid = self.get_pid()
                    process = psutil.Process(pid) if pid else None
                if process is not None:
                    rss = process.memory_info().rss
                    rss += sum(c.memory_info().rss for c in process.children(recursive=True))
                    self.peak = max(self.peak, rss)
            except (psutil.Error, AttributeError):
                process = None
            self._stop.wait(self.interval)

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def bench_notebooks(paths: Sequence[Path]) -> dict[str, object]:
    import nbformat
    from nbclient import NotebookClient

    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})

        def kernel_pid(client: NotebookClient = client) -> int | None:
            km = getattr(client, "km", None)
            provisioner = getattr(km, "provisioner", None)
            return getattr(provisioner, "pid", None)

        error = ""
        with _PeakRSS(kernel_pid) as memory:
            t0 = time.perf_counter()
            try:
                client.execute()
            except Exception as exc:  # noqa: BLE001 - report it, keep benchmarking the others
                error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:200]}"
            wall = time.perf_counter() - t0
        rows.append({"notebook": path.name, "wall_s": wall,
                     "peak_rss_mb": memory.peak / 2**20, "error": error})
    total = sum(r["wall_s"] for r in rows)
    return {"notebooks": rows, "total_s": total, "target_s": NOTEBOOKS_BUDGET_S,
            "met": total < NOTEBOOKS_BUDGET_S and not any(r["error"] for r in rows),
            "memory_note": "kernel process and its children, resident set sampled every 20 ms"}


# -- growth of the kernel explorer ----------------------------------------------------------------
def kernel_explorer_of_size(n: int) -> tuple[object, str] | None:
    """A kernel explorer on ``n`` data points, and how the size was set (``None``: cannot)."""
    try:
        module = importlib.import_module("tp3helpers.explorers.kernels")
    except ImportError:
        return None
    factory = getattr(module, "kernel_explorer", None)
    if factory is None:
        return None
    if "n_points" in inspect.signature(factory).parameters:
        return factory(n_points=n), "kernel_explorer(n_points=n)"
    ridge_data = getattr(module, "ridge_data", None)
    if ridge_data is not None and "n" in inspect.signature(ridge_data).parameters:
        # No size parameter yet: build with ridge_data(rng, n=n) for the duration of the build.
        module.ridge_data = functools.partial(ridge_data, n=n)
        try:
            return factory(), "ridge_data(rng, n=n) patched during construction"
        finally:
            module.ridge_data = ridge_data
    return None


def _update_cost(n: int, moves: int) -> dict[str, object] | None:
    built = kernel_explorer_of_size(n)
    if built is None:
        return None
    explorer, how = built
    control = explorer.controls["bandwidth"]
    sequence = move_values(control, EXPLORERS[1].controls["bandwidth"], moves + 2)
    wall = []
    for i, value in enumerate(sequence):
        t0 = time.perf_counter()
        control.value = value
        frame_ready(explorer)
        if i >= 2:
            wall.append(time.perf_counter() - t0)
    tracemalloc.start()
    peaks = []
    for value in sequence[:5]:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        control.value = value
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
    tracemalloc.stop()
    explorer.close()
    plt.close("all")
    return {"n_points": n, **_ms(wall), "peak_alloc_mb": max(peaks) / 2**20, "size_set_by": how}


def bench_growth(sizes: Sequence[int], moves: int, search: bool) -> dict[str, object]:
    rows = []
    for n in sizes:
        row = _update_cost(n, moves)
        if row is None:
            return {"skipped": "the kernel explorer has no size parameter "
                               "(kernel_explorer(n_points=...))"}
        rows.append(row)
    largest = None
    if search:
        fits = {r["n_points"]: r["median_ms"] <= FRAME_MS for r in rows}
        good = [n for n, ok in fits.items() if ok]
        bad = [n for n, ok in fits.items() if not ok]
        lo = max(good) if good else 1
        hi = min(n for n in bad if n > lo) if any(n > lo for n in bad) else None
        while hi is None and lo < 6400:  # still within a frame: double until it is not
            row = _update_cost(2 * lo, moves)
            rows.append(row)
            if row["median_ms"] <= FRAME_MS:
                lo = 2 * lo
            else:
                hi = 2 * lo
        while hi is not None and hi - lo > max(4, lo // 10):  # bisect to about 10 %
            mid = (lo + hi) // 2
            row = _update_cost(mid, moves)
            rows.append(row)
            lo, hi = (mid, hi) if row["median_ms"] <= FRAME_MS else (lo, mid)
        largest = lo if good or lo > 1 else None
    rows.sort(key=lambda r: r["n_points"])
    return {"sizes": rows, "largest_within_frame": largest, "frame_ms": FRAME_MS,
            "control": "bandwidth",
            "memory_note": "tracemalloc peak of Python/NumPy allocations during one update"}


# -- the machine ----------------------------------------------------------------------------------
def machine() -> dict[str, object]:
    import threadpoolctl

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    # Read versions from the installed metadata: importing ipympl would switch matplotlib's
    # backend away from Agg for every figure made afterwards.
    versions = {}
    for name in ("numpy", "scipy", "scikit-learn", "matplotlib", "ipywidgets", "ipympl"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    import scipy.linalg  # noqa: F401 - load SciPy's BLAS too, so that it is listed
    import sklearn  # noqa: F401

    blas = [
        {k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                   "threading_layer")}
        for info in threadpoolctl.threadpool_info()
    ]
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "blas": blas,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                 "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


# -- printing -------------------------------------------------------------------------------------
def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(out)


def format_machine(m: dict) -> str:
    blas = "; ".join(f"{b['internal_api']} {b['version']} ({b['architecture']}, "
                     f"{b['num_threads']} threads)" for b in m["blas"])
    env = ", ".join(f"{k}={v}" for k, v in m["env"].items() if v is not None) or "none set"
    load = m["load_average_at_start"]
    return "\n".join([
        f"CPU: {m['cpu']}, {m['logical_cores']} logical cores; {m['platform']}",
        f"Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"BLAS: {blas}",
        f"OpenBLAS/OpenMP environment: {env}",
        f"load average at start: {', '.join(f'{x:.2f}' for x in load) if load else 'n/a'}",
    ])


def format_explorers(results: list[dict]) -> str:
    rows = []
    for ex in results:
        if "skipped" in ex:
            dashes = ["-"] * 7
            rows.append([ex["name"], *dashes, f"skipped: {ex['skipped']}"])
            continue
        for r in ex["controls"]:
            if "skipped" in r:
                rows.append([ex["name"], r["control"], "-", "-", "-", "-", "-", "-", r["skipped"]])
                continue
            rows.append([
                ex["name"], r["control"], f"{r['live']['median_ms']:.1f}",
                f"{r['live']['p90_ms']:.1f}", f"{r['live_cpu_median_ms']:.1f}", f"{r['live']['n']}",
                f"{r['rebuild']['median_ms']:.0f}", f"{r['speedup']:.1f}x",
                "FLAG: " + "; ".join(r["flags"]) if r["flags"] else "ok",
            ])
    return _table(["explorer", "control", "median ms", "p90 ms", "cpu ms", "moves", "rebuild ms",
                   "rebuild/live", "status"], rows)


def format_numerics(rows: list[dict]) -> str:
    body = [[r["case"], f"{r['ours_ms']:.2f}", f"{r['baseline_ms']:.2f}", r["baseline"],
             f"{r['ratio']:.2f} ({r['ratio_meaning']})", r["target"],
             "met" if r["met"] else "MISSED"] for r in rows]
    notes = [f"  note: {r['case']}: {r['note']}" for r in rows if r["note"]]
    return "\n".join([_table(["case", "ours ms", "baseline ms", "baseline", "ratio", "target",
                              "status"], body), *notes])


def format_notebooks(res: dict) -> str:
    body = [[r["notebook"], f"{r['wall_s']:.1f}", f"{r['peak_rss_mb']:.0f}",
             r["error"] or "ok"] for r in res["notebooks"]]
    body.append(["all together", f"{res['total_s']:.1f}", "",
                 f"target < {res['target_s']:g} s: {'met' if res['met'] else 'MISSED'}"])
    return _table(["notebook", "wall s", "peak RSS MB", "status"], body)


def format_growth(res: dict) -> str:
    if "skipped" in res:
        return f"skipped: {res['skipped']}"
    body = [[r["n_points"], f"{r['median_ms']:.1f}", f"{r['p90_ms']:.1f}",
             f"{r['peak_alloc_mb']:.2f}"] for r in res["sizes"]]
    largest = res["largest_within_frame"]
    return "\n".join([
        _table(["data points", "median ms", "p90 ms", "peak alloc MB"], body),
        f"largest size within {res['frame_ms']:g} ms: "
        + (str(largest) if largest else
           f"none: even {res['sizes'][0]['n_points']} points take "
           f"{res['sizes'][0]['median_ms']:.1f} ms (the fixed cost of the frame)"),
        f"(size set by {res['sizes'][0]['size_set_by']}; moves of the {res['control']} control)",
    ])


# -- main -----------------------------------------------------------------------------------------
SECTIONS = ("explorers", "numerics", "notebooks", "growth")


def run(args: argparse.Namespace) -> dict[str, object]:
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    unknown = only - set(SECTIONS)
    if unknown:
        raise SystemExit(f"--only: unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    quick = args.quick
    moves = args.moves or (5 if quick else 50)
    results: dict[str, object] = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
    }
    print("# tp3 benchmarks" + (" (--quick: small sizes, few moves)" if quick else ""))
    print(format_machine(results["machine"]), flush=True)

    if "explorers" in only:
        wanted = set(args.explorers.split(",")) if args.explorers else None
        specs = [s for s in EXPLORERS if wanted is None or s.name in wanted]
        explorers = [bench_explorer(s, moves=moves, baseline_moves=args.baseline_moves
                                    or (2 if quick else 15)) for s in specs]
        results["explorers"] = {"frame_ms": FRAME_MS, "min_speedup": MIN_EXPLORER_SPEEDUP,
                                "results": explorers}
        print(f"\n## Explorer updates: control.value = v until the Agg canvas holds the frame "
              f"(target: median <= {FRAME_MS:g} ms and >= {MIN_EXPLORER_SPEEDUP:g}x faster than "
              "rebuilding the figure as interact does)")
        print(format_explorers(explorers), flush=True)

    if "numerics" in only:
        rows = bench_numerics(quick=quick, repeats=args.repeats or (3 if quick else 15))
        results["numerics"] = rows
        print("\n## Numerics against the library a user would pick (median of interleaved "
              "repeats)")
        print(format_numerics(rows), flush=True)

    if "notebooks" in only:
        paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
        res = bench_notebooks(paths)
        results["notebooks"] = res
        print("\n## Whole notebooks executed headless with nbclient (as nbval does)")
        print(format_notebooks(res), flush=True)

    if "growth" in only:
        sizes = [50, 100] if quick else [50, 100, 200, 400]
        res = bench_growth(sizes, moves=5 if quick else 20, search=not quick)
        results["growth"] = res
        print("\n## Kernel explorer: update cost against the number of data points")
        print(format_growth(res), flush=True)

    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if hasattr(os, "getloadavg"):  # other work on the machine inflates every time above
        results["load_average_at_end"] = os.getloadavg()
        print("\nload average at end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes and few moves")
    parser.add_argument("--only", help=f"comma-separated sections of {','.join(SECTIONS)}")
    parser.add_argument("--explorers", help="comma-separated explorer names (softmax,kernel,...)")
    parser.add_argument("--moves", type=int, help="timed moves per control (default 50)")
    parser.add_argument("--baseline-moves", type=int, help="rebuilds per control (default 15)")
    parser.add_argument("--repeats", type=int, help="repeats per numerics case (default 15)")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    results = run(args)
    out = args.out or RESULTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=float) + "\n")
    try:
        shown = out.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = out
    print(f"\nresults written to {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
