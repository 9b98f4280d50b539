"""Every control of every explorer, timed as a drag over its stops (docs/performance.md).

ours: ``controls[name].value = v`` until the Agg canvas holds the new frame; baseline: what
``interact`` does on each move (build the explorer anew, set the value, render to PNG, close).
drag: the same drag under ipympl (``%matplotlib widget``): CPU per move, to size a server.
first frame: the digits explorer (notebook 4) draws a move at once and trains in a task on the
event loop; its baseline (no event loop) trains before it draws. Target (issue 14): 100 ms.
"""

from __future__ import annotations

import asyncio
import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.cbook import flatten
from threadpoolctl import threadpool_limits

from tp3helpers import explorers
from tp3helpers.plotting.figure import png_snapshot

EXPLORERS = {"softmax": explorers.softmax_explorer, "kernel": explorers.kernel_explorer,
             "momentum": explorers.momentum_explorer}


def _controls(factory) -> dict[str, str]:
    """The controls of a new explorer: name -> widget class name."""
    explorer = factory()
    explorer.close()
    return {name: type(control).__name__ for name, control in explorer.controls.items()}


KINDS = {name: _controls(factory) for name, factory in EXPLORERS.items()}
CASES = [(name, control) for name, controls in KINDS.items() for control in controls]
SLIDERS = [(name, control) for name, control in CASES if "Slider" in KINDS[name][control]]


def slider_stops(control: object) -> list[object]:
    """The values a control can take, in order: a slider's grid, or a drop-down's options."""
    if getattr(control, "options", None):
        return [o[1] if isinstance(o, tuple) else o for o in control.options]
    count = int(round((control.max - control.min) / control.step))
    stops = [control.min + i * control.step for i in range(count + 1)]
    if hasattr(control, "base"):  # FloatLogSlider: min, max and step are exponents
        stops = [control.base**e for e in stops]
    return [round(s, 10) if isinstance(s, float) else s for s in stops]


def drag(control: object, moves: int) -> list[object]:
    """``moves`` values as a mouse drag gives them: one stop at a time, there and back."""
    stops = slider_stops(control)
    cycle = stops + stops[-2:0:-1]
    start = (cycle.index(control.value) if control.value in cycle
             else int(np.argmin([abs(s - control.value) for s in cycle])))  # between two stops
    return [cycle[(start + 1 + i) % len(cycle)] for i in range(moves)]


def time_moves(benchmark, explorer, name: str, moves: int, warmup: int,
               settle=lambda: None, clock=time.process_time) -> None:
    """Benchmark ``controls[name].value = v`` until the canvas holds the frame; record the median
    CPU time per move (``clock``) and how many moves changed the frame or showed an error.
    ``settle`` runs untimed before each move (digits: the previous training ends and shows)."""
    control = explorer.controls[name]
    values = iter(drag(control, moves + warmup))
    cpu: list[float] = []
    seen = {"before": None, "changed": 0, "errors": 0}

    def frame() -> np.ndarray:
        return np.asarray(explorer.figure.canvas.buffer_rgba()).copy()

    def check() -> None:  # untimed: did the last move change the frame, show an error?
        if seen["before"] is not None:
            seen["changed"] += not np.array_equal(frame(), seen["before"])
            seen["errors"] += "tp3-error" in explorer.readout.value

    def setup() -> tuple:
        check()
        settle()
        seen["before"] = frame()
        return (next(values),), {}

    def move(value: object) -> None:
        c0 = clock()
        control.value = value
        np.asarray(explorer.figure.canvas.buffer_rgba())
        cpu.append(clock() - c0)

    benchmark.pedantic(move, setup=setup, rounds=moves, warmup_rounds=warmup)
    check()
    benchmark.extra_info.update(cpu_ms=float(np.median(cpu[warmup:]) * 1e3), moves=len(cpu),
                                frames_changed=seen["changed"], errors=seen["errors"])


@pytest.mark.parametrize("kind", ["ours", "baseline"])
@pytest.mark.parametrize(("name", "control"), CASES, ids=[f"{n}.{c}" for n, c in CASES])
def test_control(benchmark, quick, name, control, kind):
    benchmark.group = f"explorer {name}.{control}"
    benchmark.extra_info.update(kind=kind, case="explorer", explorer=name, control=control)
    explorer = EXPLORERS[name]()
    if kind == "ours":
        time_moves(benchmark, explorer, control, 5 if quick else 50, 1 if quick else 3)
        explorer.close()
        return
    values = iter(drag(explorer.controls[control], 20))
    explorer.close()  # one at a time: a new explorer of a class closes the one made before

    def rebuild(value: object) -> None:
        explorer = EXPLORERS[name]()
        explorer.controls[control].value = value
        png_snapshot(explorer.figure, flatten(explorer.artists.values()))
        explorer.close()

    benchmark.pedantic(rebuild, setup=lambda: ((next(values),), {}),
                       rounds=1 if quick else 5, warmup_rounds=1)


@pytest.mark.parametrize(("name", "control"), SLIDERS, ids=[f"{n}.{c}" for n, c in SLIDERS])
def test_drag_cpu_ipympl(benchmark, quick, name, control):
    benchmark.group = f"drag {name}.{control}"
    benchmark.extra_info.update(kind="ipympl", case="drag", explorer=name, control=control)
    previous, _ = plt.get_backend(), plt.switch_backend("module://ipympl.backend_nbagg")
    explorer = EXPLORERS[name]()
    try:
        time_moves(benchmark, explorer, control, 3 if quick else 20, 1)
    finally:
        explorer.close()
        plt.switch_backend(previous)


@pytest.mark.parametrize("kind", ["ours", "baseline"])
def test_first_frame_digits(benchmark, quick, kind):
    """ours: a move in a running event loop (as in a Jupyter kernel) draws the new setting and
    leaves training to a task, which the next move cancels; baseline: with no event loop, the move
    trains to the end before it draws."""
    benchmark.group = "first frame digits.rho"
    benchmark.extra_info.update(kind=kind, case="first_frame", explorer="digits", control="rho",
                                target_ms=100.0)
    moves = 3 if quick else 30 if kind == "ours" else 5

    def measure() -> None:
        explorer = explorers.digits_explorer()
        try:
            time_moves(benchmark, explorer, "rho", moves, 1)
        finally:
            explorer.close()  # cancels the last move's training task

    async def in_a_loop() -> None:
        measure()

    with threadpool_limits(limits=1, user_api="blas"):  # as notebook 4 sets it
        asyncio.run(in_a_loop()) if kind == "ours" else measure()
    info = benchmark.extra_info
    assert info["errors"] == 0 and info["frames_changed"] == info["moves"]
