"""Every control of every explorer: a live update against rebuilding the figure (``interact``).

ours
    ``explorer.controls[name].value = v`` until the Agg canvas holds the new frame (Agg draws
    synchronously), through the explorer's own render path; a drag over the control's stops.
baseline
    What ``interact`` does on every move: build the explorer anew, set the value, render the
    figure to PNG, close it.
drag (ipympl)
    The same drag on the backend of ``%matplotlib widget``, which also encodes each frame as PNG
    for the browser: process CPU time per move, to size a server for a class.
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.cbook import flatten

from tp3helpers.explorers import kernel_explorer, momentum_explorer, softmax_explorer
from tp3helpers.plotting.figure import png_snapshot

EXPLORERS = {"softmax": softmax_explorer, "kernel": kernel_explorer, "momentum": momentum_explorer}


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
    if control.value in cycle:
        start = cycle.index(control.value)
    else:  # a slider value between two stops
        start = int(np.argmin([abs(s - control.value) for s in cycle]))
    return [cycle[(start + 1 + i) % len(cycle)] for i in range(moves)]


def time_moves(benchmark, explorer, name: str, moves: int, warmup: int) -> None:
    """Benchmark ``controls[name].value = v`` until the canvas holds the frame; record the median
    process CPU time per move, and how many moves changed the figure or showed an error."""
    control = explorer.controls[name]
    initial = control.value
    values = iter(drag(control, moves + warmup))
    cpu: list[float] = []
    seen = {"frame": None, "changed": 0, "errors": 0}

    def check() -> None:  # not timed: did the previous move change the figure, show an error?
        frame = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
        if seen["frame"] is not None:
            seen["changed"] += not np.array_equal(frame, seen["frame"])
            seen["errors"] += "tp3-error" in explorer.readout.value
        seen["frame"] = frame

    def setup() -> tuple:
        check()
        return (next(values),), {}

    def move(value: object) -> None:
        c0 = time.process_time()
        control.value = value
        np.asarray(explorer.figure.canvas.buffer_rgba())
        cpu.append(time.process_time() - c0)

    benchmark.pedantic(move, setup=setup, rounds=moves, warmup_rounds=warmup)
    check()
    control.value = initial
    benchmark.extra_info.update(
        cpu_ms=float(np.median(cpu[warmup:]) * 1e3), moves=len(cpu),
        frames_changed=seen["changed"], errors=seen["errors"])


@pytest.fixture(scope="module")
def explorers():
    built = {name: factory() for name, factory in EXPLORERS.items()}
    yield built
    for explorer in built.values():
        explorer.close()


@pytest.mark.parametrize("kind", ["ours", "baseline"])
@pytest.mark.parametrize(("name", "control"), CASES, ids=[f"{n}.{c}" for n, c in CASES])
def test_control(benchmark, explorers, quick, name, control, kind):
    benchmark.group = f"explorer {name}.{control}"
    benchmark.extra_info.update(kind=kind, case="explorer", explorer=name, control=control)
    if kind == "ours":
        time_moves(benchmark, explorers[name], control, 5 if quick else 50, 1 if quick else 3)
        return
    values = iter(drag(explorers[name].controls[control], 20))

    def rebuild(value: object) -> bytes:
        explorer = EXPLORERS[name]()
        explorer.controls[control].value = value
        try:
            return png_snapshot(explorer.figure, flatten(explorer.artists.values()))
        finally:
            explorer.close()

    benchmark.pedantic(rebuild, setup=lambda: ((next(values),), {}),
                       rounds=1 if quick else 7, warmup_rounds=1)


@pytest.fixture
def ipympl_backend():
    previous = plt.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    yield
    plt.switch_backend(previous)


@pytest.mark.parametrize(("name", "control"), SLIDERS, ids=[f"{n}.{c}" for n, c in SLIDERS])
def test_drag_cpu_ipympl(benchmark, ipympl_backend, quick, name, control):
    benchmark.group = f"drag {name}.{control}"
    benchmark.extra_info.update(kind="ipympl", case="drag", explorer=name, control=control)
    explorer = EXPLORERS[name]()
    try:
        time_moves(benchmark, explorer, control, 3 if quick else 20, 1)
    finally:
        explorer.close()
