"""The plotting layer: each function draws on the axes it is given and returns the artists it made;
each ``set_*`` function changes those artists' data in place (issue 9).

One section per module of ``tp3helpers.plotting`` (notebook 2's spectrum, GP-sample and
bandwidth-error panels are tested in ``test_kernel_plots.py``). A new drawing function gets a test
of what it puts on the axes; a new update function also gets an entry in ``UPDATES``, which checks
that the update changes both the artists' data and the drawn pixels.
"""

from __future__ import annotations

import io
import re
import warnings

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

from tp3helpers import momentum
from tp3helpers.plotting import digits, figure, history, kernels, softmax
from tp3helpers.plotting import momentum as mplot


@pytest.fixture
def ax():
    _, ax = plt.subplots(figsize=(4, 3), dpi=60)
    return ax


def rendered(ax) -> np.ndarray:
    ax.figure.canvas.draw()
    return np.asarray(ax.figure.canvas.buffer_rgba()).copy()


# -- figure ---------------------------------------------------------------------------------------
def test_new_figure_has_the_size_resolution_and_layout_asked():
    fig = figure.new_figure(5.0, 2.5)
    assert tuple(fig.get_size_inches()) == (5.0, 2.5)
    assert fig.dpi == figure.FIGURE_DPI
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)


@pytest.mark.parametrize(
    ("width", "height", "error", "named"),
    [("a", 3.0, TypeError, "width"), (3.0, None, TypeError, "height"),
     (0.0, 3.0, ValueError, "width"), (3.0, float("nan"), ValueError, "height"),
     (-2.0, 3.0, ValueError, "width"), (1e6, 3.0, ValueError, "width")],
)
def test_new_figure_refuses_a_bad_size_by_name(width, height, error, named):
    """Issue 24.3: new_figure("a", 3) raised numpy's isfinite TypeError."""
    value = width if named == "width" else height
    with pytest.raises(error, match=rf"^{named} .*{re.escape(repr(value))}"):
        figure.new_figure(width, height)


@pytest.fixture
def ipympl_backend():
    previous = plt.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    yield
    plt.close("all")
    plt.switch_backend(previous)


def test_new_figure_under_ipympl_warns_nothing(ipympl_backend):
    """Issue 24.7: under PYTHONWARNINGS=error, ipympl's toolbar stopped every notebook. Other
    libraries' deprecation warnings may remain on their lowest versions (docs/design.md); on the
    newest, a notebook runs with every warning an error (test_rerun.py)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = figure.new_figure(3.0, 2.0)
    assert type(fig.canvas).__module__.startswith("ipympl")
    shown = [f"{w.category.__name__}: {w.message}" for w in caught
             if not issubclass(w.category, DeprecationWarning) or "Toolbar" in str(w.message)]
    assert shown == []


def test_new_figure_silences_the_toolbar_warning_only(monkeypatch):
    make = plt.figure

    def figure_that_warns(*args, **kwargs):
        warnings.warn("Passing unrecognized arguments to super(Toolbar).__init__().\n...",
                      DeprecationWarning, stacklevel=2)
        warnings.warn("another deprecation", DeprecationWarning, stacklevel=2)
        return make(*args, **kwargs)

    monkeypatch.setattr(plt, "figure", figure_that_warns)
    with pytest.warns(DeprecationWarning) as caught:
        figure.new_figure(3.0, 2.0)
    assert [str(warning.message) for warning in caught] == ["another deprecation"]


def test_png_snapshot_shows_animated_artists_and_keeps_them_animated(ax):
    (line,) = ax.plot([0, 1], [0, 1], linewidth=8, color="red")
    line.set_animated(True)  # left out of a normal draw, as when an explorer blits it

    png = figure.png_snapshot(ax.figure, [line])
    picture = mpimg.imread(io.BytesIO(png), format="png")
    assert picture.shape[:2] == (3 * figure.FIGURE_DPI, 4 * figure.FIGURE_DPI)
    red = (picture[..., 0] > 0.9) & (picture[..., 1] < 0.2) & (picture[..., 2] < 0.2)
    assert red.sum() > 100, "the animated line is missing from the snapshot"
    assert line.get_animated()


# -- history --------------------------------------------------------------------------------------
def test_history_axes_and_line(ax):
    history.log_history_axes(ax, steps=150, ylim=(1e-3, 10.0), title="loss", ylabel="E")
    line = history.history_line(ax, colour="C1", label="momentum")
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 150)
    assert ax.get_ylim() == pytest.approx((1e-3, 10.0))
    assert line in ax.lines and line.get_label() == "momentum" and len(line.get_xdata()) == 0


def test_set_history_leaves_out_what_a_log_axis_cannot_show(ax):
    history.log_history_axes(ax, steps=3, ylim=(1e-3, 10.0), title="", ylabel="")
    line = history.history_line(ax, colour="C0", label="x")
    history.set_history(line, np.array([1.0, 0.0, -2.0, 1e30]))
    np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(line.get_ydata(), [1.0, np.nan, np.nan, 1e4])  # capped at 1e3 top


# -- softmax --------------------------------------------------------------------------------------
def test_labelled_bars_one_bar_and_label_per_class(ax):
    bars, labels = softmax.labelled_bars(ax, [0.1, 0.7, 0.2], ylim=(0, 1), title="y", ylabel="p")
    assert [bar.get_height() for bar in bars] == [0.1, 0.7, 0.2]
    assert all(bar in ax.patches for bar in bars) and all(label in ax.texts for label in labels)
    assert [label.get_text() for label in labels] == ["0.10", "0.70", "0.20"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["class 0", "class 1", "class 2"]
    assert ax.get_ylim() == (0, 1)


def test_set_bar_values_puts_labels_above_positive_and_below_negative_bars(ax):
    bars, labels = softmax.labelled_bars(ax, [0.5, 0.5], ylim=(-1, 1), title="", ylabel="")
    softmax.set_bar_values(bars, labels, [0.4, -0.6], fmt="{:+.1f}")
    assert [bar.get_height() for bar in bars] == [0.4, -0.6]
    assert [label.get_text() for label in labels] == ["+0.4", "-0.6"]
    above, below = labels
    assert above.get_verticalalignment() == "bottom" and below.get_verticalalignment() == "top"
    ax.figure.canvas.draw()
    for bar, label in zip(bars, labels, strict=True):  # centred on the bar, just off its end
        box = label.get_window_extent()
        top = ax.transData.transform((0, bar.get_height()))[1]
        assert box.x0 < ax.transData.transform((bar.get_x() + bar.get_width() / 2, 0))[0] < box.x1
        assert (box.y0 >= top) if bar.get_height() >= 0 else (box.y1 <= top)


def test_colour_target_bar(ax):
    bars, _ = softmax.labelled_bars(ax, [0.2, 0.3, 0.5], ylim=(0, 1), title="", ylabel="")
    softmax.colour_target_bar(bars, 2)
    colours = [bar.get_facecolor() for bar in bars]
    assert colours == [to_rgba(softmax.OTHER_COLOUR)] * 2 + [to_rgba(softmax.TARGET_COLOUR)]


def test_decision_regions_shade_the_most_probable_class(ax):
    X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, 0.0], [2.0, -1.0]])
    y = np.array([0, 0, 1, 1])

    def predict_proba(points):  # class 1 right of x1 = 0
        p1 = 1.0 / (1.0 + np.exp(-5.0 * points[:, 0]))
        return np.column_stack([1.0 - p1, p1])

    softmax.decision_regions(ax, predict_proba, X, y, resolution=40)
    (image,) = ax.images
    shade = image.get_array()
    assert shade.shape == (40, 40, 4)
    colours = plt.get_cmap("tab10")(np.arange(2))[:, :3]
    np.testing.assert_allclose(shade[20, 0, :3], colours[0])  # left edge: class 0
    np.testing.assert_allclose(shade[20, -1, :3], colours[1])  # right edge: class 1
    assert len(ax.collections) == 2 and ax.get_legend() is not None


# -- kernels --------------------------------------------------------------------------------------
def test_draw_gram_normalises_and_shows_row_zero_on_top(ax):
    K = 5.0 * np.array([[1.0, -0.5], [-0.5, 1.0]])
    mesh = kernels.draw_gram(ax, K)
    assert mesh in ax.collections
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(2, 2), K / 5.0)
    assert ax.yaxis_inverted() and len(ax.figure.axes) == 2  # the colour bar


def test_draw_regression_data_truth_and_an_empty_fit(ax):
    x, y = np.array([0.0, 1.0]), np.array([0.5, -0.5])
    grid = np.linspace(-1, 2, 7)
    fit = kernels.draw_regression(ax, x, y, grid, np.sin(grid))
    np.testing.assert_array_equal(fit.get_xdata(), grid)
    assert np.isnan(fit.get_ydata()).all() and fit in ax.lines
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), np.column_stack([x, y]))
    assert ax.get_xlim() == (-1, 2)


def test_draw_decision_shades_the_decision_function(ax):
    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    image = kernels.draw_decision(ax, lambda p: p[:, 0], X, np.array([0, 1]), resolution=11)
    grid = np.linspace(-1.5, 1.5, 11)
    np.testing.assert_allclose(image.get_array(), np.tanh(np.tile(grid, (11, 1))))
    assert image.get_extent() == [-1.5, 1.5, -1.5, 1.5]


def test_draw_taylor_errors(ax):
    lines = kernels.draw_taylor_errors(ax, [0, 1, 2], [1.0, 0.1, 0.01], [2.0, 0.2, 0.02])
    assert [list(line.get_ydata()) for line in lines] == [[1.0, 0.1, 0.01], [2.0, 0.2, 0.02]]
    assert ax.get_yscale() == "log"


# -- momentum -------------------------------------------------------------------------------------
def test_loss_contours_and_minimum(ax):
    artists = mplot.loss_contours(ax, lambda w: (w**2).sum(axis=-1) + 0.1, (-2, 2), (-1, 1),
                                  resolution=30, minimum=(0.0, 0.0))
    filled, lines, star = artists
    assert filled.filled and not lines.filled
    assert star in ax.lines and (star.get_xdata()[0], star.get_ydata()[0]) == (0.0, 0.0)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 1)


def test_set_trajectory_clips_far_outside_the_axes(ax):
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    line = mplot.trajectory_line(ax, colour="C0", label="path")
    assert line in ax.lines and len(line.get_xdata()) == 0
    mplot.set_trajectory(line, np.array([[0.2, 0.3], [1e50, -1e50]]))
    np.testing.assert_allclose(line.get_xdata(), [0.2, 51.0])
    np.testing.assert_allclose(line.get_ydata(), [0.3, -50.0])


def test_rate_map_shows_one_minus_rate_and_masks_divergence(ax):
    eta, rho = np.linspace(0.1, 2.0, 4), np.linspace(0.0, 0.9, 3)
    rates = np.array([[0.5, 0.9, 1.0, 1.5]] * 3)
    image = mplot.rate_map(ax, eta, rho, rates)
    data = image.get_array()
    np.testing.assert_allclose(data[0, :2], [0.5, 0.1])
    assert data.mask[:, 2:].all() and not data.mask[:, :2].any()
    assert image.get_extent() == [0.1, 2.0, 0.0, 0.9]
    bar = mplot.rate_colorbar(ax.figure, image, ax)
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == ["0.999", "0.99", "0.9", "0"]


def test_regime_boundaries_label_each_region_present(ax):
    eta, rho = np.linspace(0.01, 2.5, 80), np.linspace(0.0, 0.99, 60)
    regimes = momentum.iteration_regime(rho[:, None], eta[None, :], np.array([0.1, 1.0]))
    artists = mplot.regime_boundaries(ax, eta, rho, regimes)
    names = {a.get_text() for a in artists if isinstance(a, Text)}
    present = {mplot.REGIME_NAMES[code] for code in np.unique(regimes)}
    assert names == present == {"monotone", "oscillating", "divergent"}
    assert artists[0] in ax.collections  # the boundary lines


# -- digits ---------------------------------------------------------------------------------------
def test_gram_image_shows_the_matrix_with_a_colour_bar(ax):
    K = np.array([[1.0, 0.2], [0.2, 1.0]])
    image = digits.gram_image(ax, K, title="K")
    np.testing.assert_array_equal(image.get_array(), K)
    assert image in ax.images and len(ax.figure.axes) == 2


def test_gallery_shows_the_first_mistakes_and_blanks_the_rest():
    fig = plt.figure()
    images, titles = digits.digit_gallery(fig, 3, columns=2)
    assert len(images) == len(titles) == 3 and len(fig.axes) == 4  # a 2 x 2 grid
    X = np.arange(4 * 64, dtype=float).reshape(4, 64) / 256
    mistakes = digits.set_gallery(images, titles, X, np.array([1, 7, 2, 5]), np.array([1, 3, 2, 6]))
    assert mistakes == 2
    np.testing.assert_array_equal(images[0].get_array(), X[1].reshape(8, 8))
    np.testing.assert_array_equal(images[1].get_array(), X[3].reshape(8, 8))
    assert not np.asarray(images[2].get_array()).any()
    assert [t.get_text() for t in titles] == ["7 (true 3)", "5 (true 6)", " "]


def test_accuracy_bars_in_percent(ax):
    bars, labels = digits.accuracy_bars(ax, ["a", "b"], ["C0", "C1"])
    assert [bar.get_width() for bar in bars] == [0.0, 0.0] and ax.get_xlim() == (0, 100)
    digits.set_accuracy(bars, labels, [0.925, None])
    assert [bar.get_width() for bar in bars] == [92.5, 0.0]
    assert [label.get_text() for label in labels] == ["92.5 %", ""]


# -- every update changes the artists' data and the pixels ---------------------------------------
def _bars(ax):
    return softmax.labelled_bars(ax, [0.2, 0.8], ylim=(0, 1), title="", ylabel="")


def _history(ax):
    history.log_history_axes(ax, steps=10, ylim=(1e-3, 10.0), title="", ylabel="")
    line = history.history_line(ax, colour="C0", label="x")
    history.set_history(line, np.geomspace(1, 0.01, 11))
    return line


def _trajectory(ax):
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    line = mplot.trajectory_line(ax, colour="C0", label="path")
    mplot.set_trajectory(line, np.array([[-0.5, 0.5], [0.0, 0.0]]))
    return line


def _spectrum(ax):
    artists = kernels.draw_spectrum(ax, 3, tolerance=1e-10)
    kernels.set_spectrum(artists, np.array([3.0, 2.0, 1.0]), tolerance=1e-10)
    return artists


def _gallery(ax):
    return digits.digit_gallery(ax.figure.add_subfigure(ax.get_subplotspec()), 2, columns=2)


RATES = np.array([[0.5, 0.9], [0.99, 2.0]])

# name: (draw(ax) -> artists, update(artists), data(artists) -> array)
UPDATES = {
    "set_bar_values": (_bars, lambda a: softmax.set_bar_values(*a, [0.6, 0.4]),
                       lambda a: [b.get_height() for b in a[0]]),
    "colour_target_bar": (_bars, lambda a: softmax.colour_target_bar(a[0], 1),
                          lambda a: [b.get_facecolor() for b in a[0]]),
    "set_history": (_history, lambda line: history.set_history(line, np.geomspace(5, 1, 11)),
                    lambda line: line.get_ydata()),
    "set_gram": (lambda ax: kernels.draw_gram(ax, np.eye(3)),
                 lambda mesh: kernels.set_gram(mesh, np.ones((3, 3))),
                 lambda mesh: np.asarray(mesh.get_array())),
    "set_spectrum": (_spectrum, lambda a: kernels.set_spectrum(a, np.array([1.0, 1.0, -1.0]),
                                                               tolerance=1e-10),
                     lambda a: np.concatenate([line.get_ydata() for line in a[:3]])),
    "set_gp_samples": (lambda ax: kernels.draw_gp_samples(ax, np.linspace(0, 1, 5), 1),
                       lambda a: kernels.set_gp_samples(a, np.linspace(-1, 1, 5)),
                       lambda a: a[0][0].get_ydata()),
    "set_gallery": (_gallery, lambda a: digits.set_gallery(*a, np.ones((2, 64)), [1, 2], [3, 4]),
                    lambda a: np.array([image.get_array() for image in a[0]])),
    "set_accuracy": (lambda ax: digits.accuracy_bars(ax, ["a", "b"], ["C0", "C1"]),
                     lambda a: digits.set_accuracy(*a, [0.5, 0.75]),
                     lambda a: [bar.get_width() for bar in a[0]]),
    "set_trajectory": (_trajectory, lambda line: mplot.set_trajectory(line, np.ones((3, 2)) / 2),
                       lambda line: line.get_xydata()),
    "rate_image_data": (lambda ax: mplot.rate_map(ax, np.arange(2.0), np.arange(2.0), RATES),
                        lambda image: image.set_data(mplot.rate_image_data(RATES.T)),
                        lambda image: image.get_array().filled(-1)),
}


@pytest.mark.parametrize("name", UPDATES)
def test_update_changes_data_and_pixels(ax, name):
    draw, update, data = UPDATES[name]
    artists = draw(ax)
    before, pixels = np.array(data(artists), dtype=float), rendered(ax)
    update(artists)
    after = np.array(data(artists), dtype=float)
    assert before.shape != after.shape or not np.array_equal(before, after, equal_nan=True)
    assert (rendered(ax) != pixels).any(), f"{name} changed the data but not the picture"


def test_root_kind_map_colours_each_kind_and_greys_what_diverges(ax):
    artists = mplot.root_kind_map(ax, resolution=200)
    data = artists["image"].get_array()
    kinds = set(np.unique(data.compressed()).astype(int))
    assert kinds == {momentum.REAL_POSITIVE, momentum.COMPLEX_PAIR, momentum.REAL_NEGATIVE}
    rho, x = 0.5, 4.0  # beyond the edge 2(1 + rho) = 3: masked (grey)
    row, col = int(rho * 199), int(x / 4.5 * 199)
    assert data.mask[row, col] and not data.mask[row, int(1.0 / 4.5 * 199)]
    border = artists["border"].get_xydata()
    np.testing.assert_allclose(border[:, 1], (1 - np.sqrt(border[:, 0])) ** 2)
    assert [t.get_text().split("\n")[0] for t in artists["labels"]] == [
        "creeps", "spirals", "flips", "diverges"]
