"""The momentum explorer: its readout and panels tell the truth about each run, and a move of rho or
eta redraws only what moves (what every explorer does is in test_explorer_contract.py)."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.contour import ContourSet

from tp3helpers.explorers import Explorer
from tp3helpers.explorers.momentum import MomentumExplorer, momentum_explorer
from tp3helpers.momentum import convergence_rate

EXPLORER = momentum_explorer


def test_a_new_explorer_shows_a_converging_run(explorer):
    readout = explorer.readout.value
    assert "rate" in readout and "tp3-warning" not in readout and "tp3-error" not in readout
    assert isinstance(explorer, MomentumExplorer) and isinstance(explorer, Explorer)


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


def test_a_diverging_run_keeps_its_finite_part_on_the_plot(explorer):
    explorer.controls["rho"].value = 0.9
    explorer.controls["eta"].value = 4.4  # 4.4 > 2 (1 + rho) / lambda_max
    assert "diverged" in explorer.readout.value
    xy = explorer.artists["path"].get_xydata()
    assert len(xy) > 1 and np.all(np.isfinite(xy))


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
    explorer.figure.canvas.draw()  # a full draw
    np.testing.assert_array_equal(pixels(explorer.figure), blitted)
    path_axes = explorer.artists["path"].axes
    contours = [c for c in path_axes.collections if isinstance(c, ContourSet)]
    assert len(contours) == 2 * 3  # filled and lines, for each loss visited
    assert sum(c.get_visible() for c in contours) == 2  # only those of the loss shown


def test_steps_sets_the_length_of_the_runs():
    widget = momentum_explorer(steps=20)
    assert len(widget.artists["path"].get_xdata()) == 21  # the start and 20 steps
    assert "after 20 steps" in widget.readout.value
    widget.close()


def test_readout_at_rho_one_says_bounded_never_converges(explorer):
    explorer.controls["rho"].value = 1.0
    explorer.controls["eta"].value = 1.0
    text = explorer.readout.value
    assert "r = 1.0000 (bounded, never converges)" in text
    assert "divergent" not in text and "diverge" not in text
    assert "tp3-warning" not in text
    explorer.controls["eta"].value = 4.2  # eta * lambda_max > 4: now it does diverge
    assert "(divergent)" in explorer.readout.value


def test_readout_explains_slow_divergence_and_who_diverged(explorer):
    explorer.controls["rho"].value = 1.0
    explorer.controls["eta"].value = 4.0  # double root -1: the rate is exactly 1, yet it grows
    text = explorer.readout.value
    assert "r = 1.0000 (divergent)" in text and "grows like t" in text and "> 1" not in text
    explorer.controls["rho"].value = 0.8
    explorer.controls["eta"].value = 3.7  # r = 1.27: grows, but stays within the plots' range
    text = explorer.readout.value
    assert "momentum run diverges (r = 1.2702 &gt; 1" in text
    # only gradient descent left every bound; its advice does not mention rho
    assert "gradient descent run diverged" in text and "momentum run diverged" not in text
    assert "η &lt; 2/λ_max" in text
    explorer.controls["eta"].value = 2.5  # gradient descent: r = 1.5 > 1, still within range
    text = explorer.readout.value
    assert "gradient descent run diverges (r = 1.5000 &gt; 1" in text
    explorer.controls["eta"].value = 1.9  # below 2 / lambda_max: it converges, no message
    assert "gradient descent run diverge" not in explorer.readout.value


def test_loss_parts_along_the_eigenvectors_add_up_to_the_loss(explorer):
    explorer.controls["rho"].value = 0.9
    explorer.controls["eta"].value = 0.1
    loss = explorer.artists["loss"].get_ydata()
    flat, steep = (line.get_ydata() for line in explorer.artists["loss_parts"])
    np.testing.assert_allclose(flat + steep, loss, rtol=1e-10)
    # each part shrinks at its own rate, given per eigen-direction in the readout
    rates = [convergence_rate(0.9, 0.1, lam) for lam in (0.01, 1.0)]
    assert f"λ = 0.01: r = {rates[0]:.4f} (monotone)" in explorer.readout.value
    assert f"λ = 1: r = {rates[1]:.4f} (oscillating)" in explorer.readout.value
    # the part is quadratic in its error component: over 50 steps it shrinks by r^100
    measured = (flat[150] / flat[100]) ** (1 / 100)
    assert measured == pytest.approx(rates[0], rel=1e-3)
    before = flat.copy()
    explorer.controls["rho"].value = 0.5
    assert not np.array_equal(explorer.artists["loss_parts"][0].get_ydata(), before)
    explorer.controls["objective"].value = "rosenbrock"
    assert all(len(line.get_ydata()) == 0 for line in explorer.artists["loss_parts"])
    assert "per eigen-direction" not in explorer.readout.value


def test_rate_map_marks_the_bounded_cells(explorer):
    """Rate exactly 1: the row rho = 1 up to eta * lambda_max = 4, the column eta = 0, and cells
    that fall on the edge eta = 2 (1 + rho) / lambda_max."""
    (marks,) = [line for line in explorer.artists["rate_map"].axes.get_lines()
                if line.get_label() == "bounded (r = 1)" and line.get_visible()]
    eta, rho = (np.asarray(a) for a in marks.get_data())
    top = rho == 1.0
    assert top.sum() > 100 and eta[top].max() < 4.0  # eta * lambda_max < 4 on the top row
    rates = convergence_rate(rho, eta, [0.01, 1.0])
    np.testing.assert_allclose(rates, 1.0, atol=1e-12)
