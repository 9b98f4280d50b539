"""Widget test of the momentum explorer: every control changes the figure and the readout."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.contour import ContourSet

from tp3helpers.explorers import Explorer
from tp3helpers.explorers.momentum import MomentumExplorer, momentum_explorer
from tp3helpers.momentum import convergence_rate


@pytest.fixture
def explorer():
    ex = momentum_explorer()
    yield ex
    ex.close()


def test_builds_with_its_controls_and_a_readout(explorer):
    assert isinstance(explorer, MomentumExplorer) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"rho", "eta", "condition_number", "objective"}
    assert "rate" in explorer.readout.value
    assert "tp3-warning" not in explorer.readout.value
    assert "tp3-error" not in explorer.readout.value


@pytest.mark.parametrize(
    ("name", "value"),
    [("rho", 0.5), ("eta", 2.5), ("condition_number", 10), ("objective", "rosenbrock")],
)
def test_each_control_redraws_the_figure_and_the_readout(explorer, assert_control_redraws,
                                                          name, value):
    assert_control_redraws(explorer, name, value)


def test_readout_gives_the_rate_of_the_current_setting(explorer):
    explorer.controls["rho"].value = 0.3
    explorer.controls["eta"].value = 1.5
    explorer.controls["condition_number"].value = 20
    rate = convergence_rate(0.3, 1.5, [1 / 20, 1.0])
    assert f"r = {rate:.4f}" in explorer.readout.value


def test_rho_move_updates_only_animated_artists(explorer):
    """The momentum path and the map's marker follow rho; the static contours stay: no full draw."""
    full_draws = []
    explorer.figure.canvas.mpl_connect("draw_event", full_draws.append)
    path_before = explorer.artists["path"].get_xydata().copy()
    explorer.controls["rho"].value = 0.2
    assert full_draws == [] and explorer.scene == ("quadratic", 100)
    assert not np.array_equal(explorer.artists["path"].get_xydata(), path_before)
    np.testing.assert_allclose(explorer.artists["point"].get_xydata(), [[1.0, 0.2]])
    assert explorer.artists["path"].get_animated() and explorer.artists["point"].get_animated()


def test_condition_number_changes_the_rate_map(explorer):
    image_before = np.ma.getdata(explorer.artists["rate_map"].get_array()).copy()
    explorer.controls["condition_number"].value = 5
    assert not np.array_equal(np.ma.getdata(explorer.artists["rate_map"].get_array()), image_before)


def test_diverging_setting_gives_a_message_not_an_exception(explorer, assert_control_redraws):
    explorer.controls["rho"].value = 0.9
    assert_control_redraws(explorer, "eta", 4.4)  # 4.4 > 2 (1 + rho) / lambda_max
    readout = explorer.readout.value
    assert "tp3-warning" in readout and "diverged" in readout
    # the finite part of the run is still on the plot
    xy = explorer.artists["path"].get_xydata()
    assert len(xy) > 1 and np.all(np.isfinite(xy))


def test_diverging_rosenbrock_run_gives_a_message(explorer):
    explorer.controls["objective"].value = "rosenbrock"
    explorer.controls["eta"].value = 4.0
    assert "diverged" in explorer.readout.value
    assert "tp3-error" not in explorer.readout.value


def test_frictionless_ball_is_reported_as_never_settling(explorer):
    explorer.controls["eta"].value = 0.5
    explorer.controls["rho"].value = 1.0
    assert "never settles" in explorer.readout.value


def test_condition_number_is_disabled_for_rosenbrock(explorer):
    explorer.controls["objective"].value = "rosenbrock"
    assert explorer.controls["condition_number"].disabled
    assert "condition number applies to the quadratic only" in explorer.readout.value
    explorer.controls["objective"].value = "quadratic"
    assert not explorer.controls["condition_number"].disabled


def test_keyboard_noise_is_rounded(explorer):
    explorer.controls["rho"].value = 0.49999999999999994
    assert explorer.artists["point"].get_xydata()[0, 1] == 0.5  # exactly, not 0.49999999999999994


def test_snapshot_for_the_stored_notebook(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["image/png"].startswith(b"\x89PNG")


def test_returning_to_a_loss_blits_on_its_own_background(explorer, pixels):
    """Back on a loss seen before, the cached background gives the same pixels as a full draw."""
    explorer.controls["condition_number"].value = 10
    explorer.controls["objective"].value = "rosenbrock"
    explorer.controls["objective"].value = "quadratic"
    full_draws = []
    explorer.figure.canvas.mpl_connect("draw_event", full_draws.append)
    explorer.controls["condition_number"].value = 100
    explorer.controls["rho"].value = 0.55
    assert full_draws == [], "coming back to a loss seen before should blit, not redraw"
    blitted = pixels(explorer.figure)
    explorer.request_full_draw()
    explorer.refresh("rho")
    np.testing.assert_array_equal(pixels(explorer.figure), blitted)
    path_axes = explorer.artists["path"].axes
    contours = [c for c in path_axes.collections if isinstance(c, ContourSet)]
    assert len(contours) == 2 * 3  # filled and lines, for each loss visited
    assert sum(c.get_visible() for c in contours) == 2  # only those of the loss shown
