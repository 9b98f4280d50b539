"""Notebook 3's claims beyond the homework, checked on simulated runs: the bounded regime (rate
exactly 1), the modified energy that semi-implicit Euler conserves, implicit friction, the leaky
average and the eigen-components of the error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tp3helpers.momentum import (
    BOUNDED,
    DIVERGENT,
    OSCILLATING,
    Quadratic,
    convergence_rate,
    iteration_regime,
    mechanical_energy,
    momentum_descent,
    rotation_matrix,
)
from tp3helpers.plotting.momentum import REGIME_NAMES


def _error_sizes(rho: float, eta: float, lam: float, steps: int) -> np.ndarray:
    """Size of the state (two consecutive errors) of a 1-D run on E = lam w^2 / 2 from w = 1."""
    e = momentum_descent(lambda w: lam * w, [1.0], rho=rho, eta=eta, steps=steps)[:, 0]
    return np.hypot(e[1:], e[:-1])


@pytest.mark.parametrize("eta_lam", [0.01, 1.0, 2.5, 3.9])
def test_rho_one_is_bounded_and_never_converges(eta_lam):
    lam = 0.5
    eta = eta_lam / lam
    assert convergence_rate(1.0, eta, [lam]) == pytest.approx(1.0, abs=1e-12)
    assert iteration_regime(1.0, eta, [lam]) == BOUNDED
    z = _error_sizes(1.0, eta, lam, 4000)
    # neither shrinks nor grows: the last quarter spans the same band as the first
    first, last = z[:1000], z[-1000:]
    assert last.max() == pytest.approx(first.max(), rel=0.05)
    assert last.min() > 0.5 * first.min() > 0


def test_the_divergence_edge_itself_is_bounded():
    """eta = 2 (1 + rho) / lambda puts a simple root at -1: the error flips sign forever."""
    rho, lam = 0.5, 1.0
    eta = 2 * (1 + rho) / lam
    assert iteration_regime(rho, eta, [lam]) == BOUNDED
    z = _error_sizes(rho, eta, lam, 2000)
    assert z[-1] == pytest.approx(z[1000], rel=1e-6) and z[-1] > 0.1


def test_a_double_root_minus_one_diverges_linearly():
    """rho = 1 and eta * lambda = 4: the root -1 is double and the error grows like t."""
    assert iteration_regime(1.0, 4.0, [1.0]) == DIVERGENT
    z = _error_sizes(1.0, 4.0, 1.0, 1000)
    assert z[-1] / z[499] == pytest.approx(2.0, rel=0.01)


def test_bounded_needs_every_direction_on_or_inside_the_circle():
    assert iteration_regime(1.0, 1.0, [0.01, 1.0]) == BOUNDED
    assert iteration_regime(1.0, 4.5, [0.01, 1.0]) == DIVERGENT  # eta * lambda_max > 4
    assert iteration_regime(0.99, 1.0, [0.01, 1.0]) == OSCILLATING
    grid = iteration_regime(np.array([[0.5], [1.0]]), np.array([[1.0, 3.0]]), [1.0])
    np.testing.assert_array_equal(grid, [[OSCILLATING, BOUNDED], [BOUNDED, BOUNDED]])
    assert REGIME_NAMES[BOUNDED] == "bounded, never converges"


def _modified_energy(bowl: Quadratic, path: np.ndarray, eta: float) -> np.ndarray:
    """H - (dt/2) v . grad E(w) with m = 1, dt = sqrt(eta) (notebook 3, Check)."""
    h = np.sqrt(eta)
    _, _, total = mechanical_energy(bowl.value, path, dt=h)
    v = np.vstack([np.zeros((1, path.shape[1])), np.diff(path, axis=0) / h])
    return total - 0.5 * h * np.sum(v * bowl.grad(path), axis=1)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.05, 3.8))
def test_semi_implicit_euler_conserves_the_modified_energy(seed, eta_lam_max):
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.05, 1.0, size=3))
    lam /= lam[-1]
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    bowl = Quadratic.from_eigenvalues(lam, q, minimum=rng.normal(size=3))
    path = momentum_descent(bowl.grad, rng.normal(size=3), rho=1.0, eta=eta_lam_max, steps=300)
    modified = _modified_energy(bowl, path, eta_lam_max)
    _, _, total = mechanical_energy(bowl.value, path, dt=np.sqrt(eta_lam_max))
    assert np.ptp(modified) <= 1e-10 * modified[0]
    assert modified.min() > 0  # positive definite for eta * lambda < 4
    # the plain energy swings in a band around it (no drift) but is not constant
    assert np.ptp(total) > 1e3 * np.ptp(modified)


def test_implicit_friction_is_momentum_with_a_positive_rho():
    """Implicit friction, v' = v + (dt/m)(-grad - c v') then x' = x + dt v', is momentum with
    rho = 1/(1 + c dt/m) and eta = dt^2/(m + c dt)."""
    bowl = Quadratic.from_eigenvalues([0.3, 1.0], rotation_matrix(0.4))
    x0 = np.array([1.0, -2.0])
    for m, c, dt in [(1.0, 3.0, 0.5), (0.5, 10.0, 0.2), (2.0, 0.1, 1.0)]:
        x, v, ball = x0.copy(), np.zeros(2), [x0]
        for _ in range(100):
            v = (v - dt / m * bowl.grad(x)) / (1 + c * dt / m)
            x = x + dt * v
            ball.append(x)
        rho, eta = 1 / (1 + c * dt / m), dt**2 / (m + c * dt)
        assert 0 < rho <= 1
        np.testing.assert_allclose(
            momentum_descent(bowl.grad, x0, rho=rho, eta=eta, steps=100), ball, atol=1e-12)


def test_velocity_is_a_leaky_average_of_the_gradients():
    bowl = Quadratic.from_eigenvalues([0.2, 1.0], rotation_matrix(0.7))
    rho, eta = 0.8, 0.3
    path, vel = momentum_descent(bowl.grad, [1.0, 1.0], rho=rho, eta=eta, steps=40,
                                 return_velocity=True)
    grads = bowl.grad(path)
    for t in (1, 7, 40):
        weights = rho ** np.arange(t - 1, -1, -1)
        np.testing.assert_allclose(vel[t], -weights @ grads[:t], atol=1e-12)
    # a constant gradient g: the step tends to -eta g / (1 - rho)
    g = np.array([0.5, -1.0])
    line = momentum_descent(lambda w: g, [0.0, 0.0], rho=rho, eta=eta, steps=200)
    np.testing.assert_allclose(line[-1] - line[-2], -eta * g / (1 - rho), rtol=1e-12)


def test_eigen_components_follow_their_own_closed_form():
    lam_min, lam_max = 0.01, 1.0
    q = rotation_matrix(np.pi / 6)
    bowl = Quadratic.from_eigenvalues([lam_min, lam_max], q, minimum=[0.3, -0.2])
    rho, eta = 0.8, 1.0  # distinct roots (at the optimum both directions have a double root)
    path = momentum_descent(bowl.grad, [-1.8, -0.2], rho=rho, eta=eta, steps=150)
    components = (path - bowl.minimum) @ q  # columns: along lam_min, lam_max
    t = np.arange(151)
    for i, lam in enumerate((lam_min, lam_max)):
        mu = np.roots([1.0, -(1 + rho - eta * lam), rho]).astype(complex)
        c0, c1 = components[0, i], (1 - eta * lam) * components[0, i]
        b = (c1 - mu[0] * c0) / (mu[1] - mu[0])
        closed = ((c0 - b) * mu[0] ** t + b * mu[1] ** t).real
        np.testing.assert_allclose(components[:, i], closed, atol=1e-12)
        assert np.abs(mu).max() == pytest.approx(convergence_rate(rho, eta, [lam]))
