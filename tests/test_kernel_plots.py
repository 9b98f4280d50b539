"""Notebook 2's plotting layer: spectrum colours and blanking, GP samples, the error curve."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from tp3helpers.kernels import psd_rtol
from tp3helpers.plotting.kernels import (
    NOT_PSD_COLOUR,
    PSD_COLOUR,
    ROUNDING_COLOUR,
    SPECTRUM_FLOOR,
    draw_bandwidth_errors,
    draw_gp_samples,
    draw_spectrum,
    set_gp_samples,
    set_spectrum,
    spectrum_colours,
)


def test_spectrum_colours_follow_the_sign_beyond_the_tolerance():
    colours = spectrum_colours([1.0, 1e-3, 1e-14, -1e-14, -1e-8], 1e-12)
    assert colours == [PSD_COLOUR, PSD_COLOUR, ROUNDING_COLOUR, ROUNDING_COLOUR, NOT_PSD_COLOUR]


def test_set_spectrum_draws_one_bar_per_eigenvalue_and_blanks_on_nan():
    fig, ax = plt.subplots()
    artists = draw_spectrum(ax, 4, tolerance=psd_rtol(4))
    set_spectrum(artists, np.array([-0.5, 2.0, 0.0, 1e-20]), tolerance=psd_rtol(4))
    positive, rounding, negative = artists
    np.testing.assert_allclose(positive.get_ydata()[1::3], [1.0])  # 2.0 / max|λ|
    np.testing.assert_allclose(negative.get_ydata()[1::3], [0.25])  # |-0.5| / 2.0
    np.testing.assert_allclose(rounding.get_ydata()[1::3], [SPECTRUM_FLOOR, SPECTRUM_FLOOR])
    np.testing.assert_allclose(negative.get_xdata()[0], 4)  # the smallest is drawn last, in red
    set_spectrum(artists, np.full(4, np.nan), tolerance=psd_rtol(4))
    assert all(len(line.get_ydata()) == 0 for line in artists)
    plt.close(fig)


def test_gp_samples_panel_updates_and_notes():
    fig, ax = plt.subplots()
    grid = np.linspace(-1.0, 1.0, 5)
    artists = draw_gp_samples(ax, grid, 2)
    samples = np.arange(10.0).reshape(2, 5)
    set_gp_samples(artists, samples, note="nothing to draw")
    np.testing.assert_array_equal([line.get_ydata() for line in artists[0]], samples)
    assert artists[1].get_text() == "nothing to draw"
    plt.close(fig)


def test_bandwidth_errors_plot_the_mean_over_repetitions():
    fig, ax = plt.subplots()
    h = np.array([0.1, 1.0, 10.0])
    train = np.array([[0.0, 0.2, 0.4], [0.2, 0.4, 0.6]])
    lines = draw_bandwidth_errors(ax, h, train, train + 1.0)
    np.testing.assert_allclose(lines[0].get_ydata(), [0.1, 0.3, 0.5])
    np.testing.assert_allclose(lines[1].get_ydata(), [1.1, 1.3, 1.5])
    assert ax.get_xscale() == "log" and "mean of 2" in lines[0].get_label()
    plt.close(fig)
