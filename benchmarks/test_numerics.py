"""The math layer against the library or the loop a user would write instead: both are checked
to give the same numbers, then timed in the same run (pytest-benchmark's own calibration)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
from sklearn.metrics.pairwise import rbf_kernel

from tp3helpers import kernels, momentum, softmax


def grad_reference(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """∂E/∂a = y − t with SciPy's softmax: subtract 1 at each row's label."""
    grad = scipy.special.softmax(logits, axis=1)
    grad[np.arange(len(labels)), labels] -= 1.0
    return grad


def roots_rate(rho: np.ndarray, eta: np.ndarray, eigenvalues: np.ndarray) -> np.ndarray:
    """The rate map point by point: largest |root| of μ² − (1 + ρ − ηλ) μ + ρ, by numpy.roots."""
    return np.array([[max(np.abs(np.roots([1.0, -(1.0 + r - e * lam), r])).max()
                          for lam in eigenvalues) for e in eta.ravel()] for r in rho.ravel()])


def momentum_reference(grad, w0: np.ndarray, rho: float, eta: float, steps: int) -> np.ndarray:
    """Momentum as notebook 3 writes it, with no checks: v ← ρv − ∇E(w), w ← w + ηv."""
    w, v, path = np.array(w0, dtype=float), np.zeros(len(w0)), [w0]
    for _ in range(steps):
        v = rho * v - grad(w)
        w = w + eta * v
        path.append(w)
    return np.array(path)


def cases(quick: bool) -> dict[str, tuple]:
    """name -> (ours, baseline, what the baseline is): zero-argument callables on shared data."""
    rng = np.random.default_rng(6)
    n = 20_000 if quick else 200_000
    logits, labels = 3.0 * rng.normal(size=(n, 10)), rng.integers(0, 10, size=n)
    points, h = rng.normal(size=(300 if quick else 3000, 10)), 1.5
    side = 20 if quick else 60
    rho = np.linspace(0.0, 0.99, side)[:, None]
    eta, lam = np.linspace(0.01, 2.5, side)[None, :], np.array([0.01, 1.0])
    a = momentum.Quadratic.from_eigenvalues([0.1, 1.0], momentum.rotation_matrix(0.5)).A
    w0, steps = np.array([1.0, -1.5]), 1000 if quick else 10_000
    return {
        f"softmax ({n}, 10)": (lambda: softmax.softmax(logits, axis=1),
                              lambda: scipy.special.softmax(logits, axis=1),
                              "scipy.special.softmax"),
        f"log_softmax ({n}, 10)": (lambda: softmax.log_softmax(logits, axis=1),
                                  lambda: scipy.special.log_softmax(logits, axis=1),
                                  "scipy.special.log_softmax"),
        f"cross_entropy_grad ({n}, 10)": (lambda: softmax.cross_entropy_grad(logits, labels),
                                         lambda: grad_reference(logits, labels),
                                         "scipy.special.softmax, then p[n, label] -= 1"),
        f"gaussian Gram ({len(points)}, 10)": (
            lambda: kernels.gaussian(points, bandwidth=h),
            lambda: rbf_kernel(points, gamma=1.0 / (2.0 * h * h)),
            "sklearn.metrics.pairwise.rbf_kernel"),
        f"momentum_descent {steps} steps, 2-D": (
            lambda: momentum.momentum_descent(lambda w: a @ w, w0, rho=0.9, eta=0.05, steps=steps),
            lambda: momentum_reference(lambda w: a @ w, w0, 0.9, 0.05, steps),
            "plain NumPy loop"),
        f"convergence_rate {side} x {side} grid": (
            lambda: momentum.convergence_rate(rho, eta, lam),
            lambda: roots_rate(rho, eta, lam), "numpy.roots at each grid point"),
    }


IDS = [name.split(" ")[0] for name in cases(quick=True)]  # the names without the sizes


@pytest.fixture(scope="module")
def all_cases(quick):
    built = cases(quick)
    for ours, baseline, _ in built.values():  # the same numbers before any timing
        np.testing.assert_allclose(ours(), baseline(), rtol=1e-9, atol=1e-12)
    return list(built.items())


@pytest.mark.parametrize("kind", ["ours", "baseline"])
@pytest.mark.parametrize("index", range(len(IDS)), ids=IDS)
def test_numerics(benchmark, all_cases, index, kind):
    name, (ours, baseline, what) = all_cases[index]
    benchmark.group = f"numerics {name}"
    benchmark.extra_info.update(kind=kind, case="numerics", baseline=what)
    benchmark(ours if kind == "ours" else baseline)
