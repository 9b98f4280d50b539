"""Explorers and figures in a student's hands: re-running cells replaces what they made, and a
closed explorer is freed (no figure, widget or memory left behind), under Agg and under ipympl.

The ipympl tests run in a real Jupyter kernel (its own process, with ``%matplotlib widget``), fed
cells as JupyterLab sends them: with a ``cellId`` in the request's metadata, or without one as
nbclient and Voilà do.
"""

from __future__ import annotations

import textwrap
import warnings

import matplotlib.pyplot as plt
import pytest

from tp3helpers import _cells
from tp3helpers._cells import running_cell
from tp3helpers.explorers import kernel_explorer, momentum_explorer, softmax_explorer
from tp3helpers.plotting.figure import new_figure

# -- in this process: Agg, no kernel -------------------------------------------------------------


def test_outside_a_kernel_there_is_no_cell():
    assert running_cell() is None


@pytest.fixture
def in_a_cell(monkeypatch):
    """Pretend that the code runs in notebook cell ``in_a_cell[0]`` (change it to move on)."""
    cell = ["cell-1"]
    monkeypatch.setattr(_cells, "running_cell", lambda: cell[0])
    return cell


def test_a_cell_that_builds_an_explorer_21_times_neither_warns_nor_piles_up_figures(in_a_cell):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "More than 20 figures" is a RuntimeWarning
        for _ in range(21):
            explorer = softmax_explorer()
    assert plt.get_fignums() == [explorer.figure.number]
    explorer.close()


def test_a_cell_closes_its_previous_explorer_of_the_same_kind_only(in_a_cell):
    first, other = softmax_explorer(), momentum_explorer()
    first_figure = first.figure
    second = softmax_explorer()
    assert not plt.fignum_exists(first_figure.number)
    assert first.children == () and not hasattr(first, "figure")
    assert plt.fignum_exists(other.figure.number) and plt.fignum_exists(second.figure.number)
    second.controls["logit_0"].value = -2.0  # the new one still works
    assert second.artists["prob_bars"][0].get_height() < 0.5
    in_a_cell[0] = "cell-2"
    third = softmax_explorer()  # another cell's explorer leaves this one open
    assert plt.fignum_exists(second.figure.number)
    for explorer in (first, first, other, second, third):  # closing twice is harmless
        explorer.close()


def test_outside_a_kernel_explorers_are_kept():
    """A script or a benchmark may hold two explorers of a kind: none is closed behind its back."""
    first, second = softmax_explorer(), softmax_explorer()
    assert plt.fignum_exists(first.figure.number) and plt.fignum_exists(second.figure.number)
    first.controls["logit_0"].value = -2.0
    assert first.artists["prob_bars"][0].get_height() < 0.5
    first.close()
    second.close()


def test_figures_made_outside_a_kernel_are_kept():
    a, b = new_figure(3.0, 2.0), new_figure(3.0, 2.0)
    assert plt.fignum_exists(a.number) and plt.fignum_exists(b.number)


def test_a_figure_made_again_by_the_same_cell_replaces_the_previous_one(in_a_cell):
    cell = in_a_cell
    first = new_figure(3.0, 2.0)
    labelled = new_figure(3.0, 2.0, label="second panel")
    again = new_figure(3.0, 2.0)
    assert not plt.fignum_exists(first.number)
    assert plt.fignum_exists(again.number) and plt.fignum_exists(labelled.number)
    cell[0] = "cell-2"
    elsewhere = new_figure(3.0, 2.0)
    assert plt.fignum_exists(again.number) and plt.fignum_exists(elsewhere.number)
    unreplaced = new_figure(3.0, 2.0, replace=False)
    assert plt.fignum_exists(elsewhere.number) and plt.fignum_exists(unreplaced.number)


# -- in a Jupyter kernel with ipympl ---------------------------------------------------------------

SETUP = """
%matplotlib widget
import gc, warnings, weakref
import matplotlib.pyplot as plt
from ipywidgets.widgets.widget import _instances as open_widgets
from tp3helpers.explorers import kernel_explorer, momentum_explorer, softmax_explorer
from tp3helpers.plotting.figure import new_figure
from tp3helpers.exercises import Prompt
# What a student would see reaches stderr every time, where the tests look for it (libraries'
# deprecation warnings stay hidden, as in JupyterLab)
warnings.simplefilter("always", RuntimeWarning)
warnings.simplefilter("always", UserWarning)
"""


class Kernel:
    """A Jupyter kernel that runs cells and returns what they print; errors fail the test."""

    def __init__(self, manager, client) -> None:
        self.manager, self.client = manager, client

    def run(self, code: str, cell_id: str | None = None) -> tuple[str, str]:
        """Run ``code`` as a cell (sent with ``cell_id``, if given); its stdout and stderr."""
        content = {"code": textwrap.dedent(code), "silent": False, "store_history": True,
                   "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        metadata = {"cellId": cell_id} if cell_id else {}
        request = self.client.session.msg("execute_request", content, metadata=metadata)
        self.client.shell_channel.send(request)
        streams = {"stdout": [], "stderr": []}
        while True:
            message = self.client.get_iopub_msg(timeout=180)
            if message["parent_header"].get("msg_id") != request["header"]["msg_id"]:
                continue
            kind, body = message["msg_type"], message["content"]
            if kind == "stream":
                streams[body["name"]].append(body["text"])
            elif kind == "error":
                pytest.fail("the cell raised:\n" + "\n".join(body["traceback"]))
            elif kind == "status" and body["execution_state"] == "idle":
                return "".join(streams["stdout"]), "".join(streams["stderr"])

    def value(self, expression: str) -> object:
        """The value of a Python literal ``expression`` evaluated in the kernel."""
        out, _ = self.run(f"print(repr({expression}))")
        return eval(out)  # noqa: S307 - our own test's literal


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    from jupyter_client import KernelManager

    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
        patch.setenv("MPLCONFIGDIR", str(runtime))
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel()
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            session = Kernel(manager, client)
            session.run(SETUP)
            yield session
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


EXPLORER_CELL = "explorer = momentum_explorer()\nexplorer"
FIGURE_CELL = "fig = new_figure(6.0, 3.0)\nfig.subplots().plot([0, 1], [1, 0])\nfig.canvas"
REVEAL_CELL = "Prompt('What does the ball do at rho = 1?', 'It never settles.')"
COUNT = "(len(plt.get_fignums()), len(open_widgets))"


def test_rerunning_cells_in_jupyterlab_replaces_their_explorer_figure_and_widgets(kernel):
    figures_before, _ = kernel.value(COUNT)
    counts, errors = [], ""
    cells = {"explorer-cell": EXPLORER_CELL, "figure-cell": FIGURE_CELL, "reveal-cell": REVEAL_CELL}
    for _ in range(3):
        for cell_id, code in cells.items():
            errors += kernel.run(code, cell_id=cell_id)[1]
        counts.append(kernel.value(COUNT))
    assert [figures for figures, _ in counts] == [figures_before + 2] * 3
    assert counts[1][1] == counts[2][1], f"open widgets grew from {counts[1]} to {counts[2]}"
    assert "Warning" not in errors, errors


def test_without_cell_ids_a_cell_is_known_by_its_code(kernel):
    figures_before, _ = kernel.value(COUNT)
    for _ in range(3):
        kernel.run("explorer_b = softmax_explorer()\nexplorer_b")
        kernel.run(FIGURE_CELL + "  # another cell")
    assert kernel.value(COUNT)[0] == figures_before + 2


def test_a_cell_that_builds_21_explorers_does_not_warn(kernel):
    figures_before, _ = kernel.value(COUNT)
    _, errors = kernel.run("for _ in range(21):\n    explorer_c = softmax_explorer()",
                           cell_id="loop-cell")
    assert "More than 20 figures" not in errors and "Warning" not in errors, errors
    assert kernel.value(COUNT)[0] == figures_before + 1


@pytest.mark.parametrize("maker", ["softmax_explorer", "kernel_explorer", "momentum_explorer"])
def test_a_closed_explorer_frees_its_figure_and_widgets_under_ipympl(kernel, maker):
    out, _ = kernel.run(f"""
        gc.collect()
        widgets_before = len(open_widgets)
        explorer_d = {maker}()
        assert type(explorer_d.figure.canvas).__module__.startswith("ipympl")
        figure = weakref.ref(explorer_d.figure)
        widgets_made = len(open_widgets) - widgets_before
        held = [explorer_d]  # as IPython's Out history holds a displayed explorer
        explorer_d.close()
        del explorer_d
        gc.collect()
        print(figure() is None, widgets_made > 10, len(open_widgets) - widgets_before)
    """)
    assert out.split() == ["True", "True", "0"], out


def test_a_replaced_figure_kept_by_the_out_history_holds_no_pixels_nor_artists(kernel):
    # A cell ending with ``fig.canvas`` leaves the canvas in IPython's Out history: once the
    # figure is replaced by a re-run, what the history keeps must be small.
    kernel.run(FIGURE_CELL, cell_id="out-cell")
    out, _ = kernel.run("""
        canvas = fig.canvas
        canvas.draw()
        pixels = canvas.get_renderer().buffer_rgba().nbytes
        print(pixels > 100_000, len(canvas._data_url or "") > 1000)
    """)
    assert out.split() == ["True", "True"], out
    kernel.run(FIGURE_CELL, cell_id="out-cell")  # the re-run closes the first figure
    out, _ = kernel.run("""
        print(canvas.figure.axes, canvas.renderer, canvas._last_buff.size, canvas._data_url)
    """)
    assert out.split() == ["[]", "None", "0", "None"], out


def test_a_slider_move_blits_under_ipympl(kernel):
    out, _ = kernel.run("""
        explorer_e = momentum_explorer()
        full_draws = []
        explorer_e.figure.canvas.mpl_connect("draw_event", full_draws.append)
        path = explorer_e.artists["path"].get_xydata().copy()
        explorer_e.controls["rho"].value = 0.3
        print(len(full_draws), (explorer_e.artists["path"].get_xydata() != path).any())
        explorer_e.close()
    """)
    assert out.split() == ["0", "True"], out


def test_closing_an_agg_explorer_closes_its_figure_and_every_widget():
    for maker in (softmax_explorer, kernel_explorer, momentum_explorer):
        explorer = maker()
        figure, controls = explorer.figure, list(explorer.controls.values())
        parts = [*controls, *(c.layout for c in controls), explorer.readout, explorer.layout]
        explorer.close()
        assert not plt.fignum_exists(figure.number)
        assert all(part.comm is None for part in parts)  # closed: no longer registered
