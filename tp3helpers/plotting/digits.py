"""Pictures for notebook 4: digit images, a gallery of misclassified digits, accuracy bars."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure, SubFigure
from matplotlib.image import AxesImage
from matplotlib.text import Text

__all__ = [
    "DIGIT_SHAPE",
    "gram_image",
    "digit_gallery",
    "set_gallery",
    "accuracy_bars",
    "set_accuracy",
]

#: The images of scikit-learn's digits are 8 x 8 pixels.
DIGIT_SHAPE = (8, 8)


def gram_image(ax: Axes, K: np.ndarray, *, title: str) -> AxesImage:
    """Show a Gram matrix as an image (rows and columns in the order given) with a colour bar."""
    image = ax.imshow(K, cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return image


def digit_gallery(
    where: Figure | SubFigure, count: int, *, columns: int = 8
) -> tuple[list[AxesImage], list[Text]]:
    """``count`` small empty digit panels on a grid of ``columns``, for :func:`set_gallery`."""
    rows = -(-count // columns)
    axes = where.subplots(rows, columns, squeeze=False).ravel()
    images, titles = [], []
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
    for ax in axes[:count]:
        images.append(ax.imshow(np.zeros(DIGIT_SHAPE), cmap="gray_r", vmin=0.0, vmax=1.0,
                                interpolation="nearest"))
        titles.append(ax.set_title(" ", fontsize=10, color="#a40000"))
    return images, titles


def set_gallery(
    images: list[AxesImage],
    titles: list[Text],
    X: np.ndarray,
    predicted: np.ndarray,
    true: np.ndarray,
) -> int:
    """Show the first misclassified rows of ``X`` with "predicted (true)" titles.

    Panels beyond the number of mistakes are left blank. Returns the number of mistakes.
    """
    wrong = np.flatnonzero(np.asarray(predicted) != np.asarray(true))
    for slot, (image, title) in enumerate(zip(images, titles, strict=True)):
        if slot < wrong.size:
            i = wrong[slot]
            image.set_data(np.asarray(X[i]).reshape(DIGIT_SHAPE))
            title.set_text(f"{predicted[i]} (true {true[i]})")
        else:
            image.set_data(np.zeros(DIGIT_SHAPE))
            title.set_text(" ")
    return int(wrong.size)


def accuracy_bars(
    ax: Axes, names: list[str], colours: list[str]
) -> tuple[BarContainer, list[Text]]:
    """Horizontal bars of held-out accuracy in percent (0 to 100), one per name, and a value
    label inside each bar."""
    bars = ax.barh(names, np.zeros(len(names)), color=colours)
    ax.set_xlim(0, 100)
    ax.set_xlabel("held-out accuracy (%)")
    ax.invert_yaxis()
    labels = [ax.text(2, bar.get_y() + bar.get_height() / 2, "", va="center", fontsize=11,
                      color="white", fontweight="bold") for bar in bars]
    return bars, labels


def set_accuracy(bars: BarContainer, labels: list[Text], values: list[float | None]) -> None:
    """Set each bar to an accuracy in [0, 1] (``None``: not known yet, an empty bar)."""
    for bar, label, value in zip(bars, labels, values, strict=True):
        bar.set_width(0.0 if value is None else 100.0 * value)
        label.set_text("" if value is None else f"{100.0 * value:.1f} %")
