"""Tests of tp3helpers.momentum: iterates, the heavy-ball mapping, rates and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tp3helpers.momentum import (
    BOUNDED,
    DIVERGENCE_BOUND,
    DIVERGENT,
    DOUBLE_ROOT_RTOL,
    MONOTONE,
    OSCILLATING,
    HeavyBallCounterexample,
    Quadratic,
    Rosenbrock,
    closed_form_errors,
    convergence_rate,
    gradient_descent,
    has_diverged,
    heavy_ball,
    iteration_regime,
    measured_rate,
    mechanical_energy,
    momentum_descent,
    momentum_to_physical,
    nesterov_descent,
    nesterov_parameters,
    nesterov_rate,
    noisy_gradient,
    optimal_parameters,
    physical_to_momentum,
    rotation_matrix,
    stationary_variance,
    steps_to_tolerance,
    torch_sgd_momentum,
    worst_case_quadratic,
)


def polyak_reference(grad, w0, rho, eta, steps):
    """Polyak's heavy ball written directly: w+ = w - eta grad(w) + rho (w - w_prev)."""
    w_prev = w = np.asarray(w0, dtype=float)
    out = [w]
    for _ in range(steps):
        w, w_prev = w - eta * grad(w) + rho * (w - w_prev), w
        out.append(w)
    return np.array(out)


def random_quadratic(rng, d=3, low=0.1, high=2.0):
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return Quadratic.from_eigenvalues(rng.uniform(low, high, size=d), q, rng.normal(size=d))


def companion_rate(rho, eta, eigenvalues):
    """Spectral radius of the 2x2 companion matrices, by numpy.linalg.eigvals."""
    return max(
        np.abs(np.linalg.eigvals([[1 + rho - eta * lam, -rho], [1.0, 0.0]])).max()
        for lam in eigenvalues
    )


# -- iterates -------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(
    rho=st.floats(0.0, 0.99),
    eta=st.floats(0.01, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_momentum_matches_polyak_reference(rho, eta, seed):
    rng = np.random.default_rng(seed)
    quad = random_quadratic(rng)
    w0 = rng.normal(size=3)
    got = momentum_descent(quad.grad, w0, rho=rho, eta=eta, steps=30)
    expected = polyak_reference(quad.grad, w0, rho, eta, 30)
    assert got.shape == (31, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_momentum_on_rosenbrock_matches_polyak_reference():
    f = Rosenbrock()
    got = momentum_descent(f.grad, [-1.2, 1.0], rho=0.9, eta=1e-4, steps=200)
    np.testing.assert_allclose(got, polyak_reference(f.grad, [-1.2, 1.0], 0.9, 1e-4, 200),
                               rtol=1e-9, atol=1e-12)


def test_first_steps_by_hand():
    grad = lambda w: 2.0 * w  # noqa: E731  E = w^2
    positions, velocities = momentum_descent(grad, [1.0], rho=0.5, eta=0.1, steps=2,
                                             return_velocity=True)
    # v1 = -2, w1 = 1 - 0.2 = 0.8; v2 = 0.5 * -2 - 1.6 = -2.6, w2 = 0.8 - 0.26 = 0.54
    np.testing.assert_allclose(velocities[:, 0], [0.0, -2.0, -2.6])
    np.testing.assert_allclose(positions[:, 0], [1.0, 0.8, 0.54])


def test_rho_zero_is_gradient_descent(rng):
    quad = random_quadratic(rng)
    w0 = rng.normal(size=3)
    gd = gradient_descent(quad.grad, w0, eta=0.3, steps=25)
    by_hand = [w0]
    for _ in range(25):
        by_hand.append(by_hand[-1] - 0.3 * quad.grad(by_hand[-1]))
    np.testing.assert_allclose(gd, np.array(by_hand), rtol=1e-12)
    np.testing.assert_array_equal(gd, momentum_descent(quad.grad, w0, rho=0.0, eta=0.3, steps=25))


def test_zero_steps_returns_start():
    out = momentum_descent(lambda w: w, [1.0, 2.0], rho=0.5, eta=0.1, steps=0)
    np.testing.assert_array_equal(out, [[1.0, 2.0]])


def test_homework_sign_climbs_the_loss(rng):
    quad = random_quadratic(rng)
    w0 = rng.normal(size=3)
    # the homework's w <- w - eta v is our update with -eta
    climbing = momentum_descent(quad.grad, w0, rho=0.5, eta=-0.1, steps=20)
    losses = quad.value(climbing)
    assert np.all(np.diff(losses) > 0)


@settings(max_examples=40, deadline=None)
@given(rho=st.floats(0.0, 0.95), lr=st.floats(0.01, 0.5), seed=st.integers(0, 2**32 - 1))
def test_torch_update_rule_gives_the_same_iterates(rho, lr, seed):
    rng = np.random.default_rng(seed)
    quad = random_quadratic(rng)
    w0 = rng.normal(size=3)
    np.testing.assert_allclose(
        torch_sgd_momentum(quad.grad, w0, lr=lr, momentum=rho, steps=20),
        momentum_descent(quad.grad, w0, rho=rho, eta=lr, steps=20),
        rtol=1e-9, atol=1e-12,
    )


# -- divergence -----------------------------------------------------------------------------------

def test_diverging_run_stops_without_warning():
    quad = Quadratic.from_eigenvalues([0.01, 1.0])
    steps = 500
    positions, velocities = momentum_descent(quad.grad, [1.0, 1.0], rho=0.5, eta=4.0,
                                             steps=steps, return_velocity=True)
    assert has_diverged(positions, steps)
    assert 1 < len(positions) < steps + 1
    assert len(velocities) == len(positions)
    assert np.all(np.isfinite(positions)) and np.abs(positions).max() <= DIVERGENCE_BOUND
    # the prefix is the true run
    np.testing.assert_allclose(positions, polyak_reference(quad.grad, [1.0, 1.0], 0.5, 4.0,
                                                           len(positions) - 1), rtol=1e-9)
    # what was kept can still be evaluated without overflow
    assert np.all(np.isfinite(quad.value(positions)))


def test_gradient_returning_inf_stops_the_run():
    def grad(w):  # w halves each step: 1, 0.5, 0.25, where the gradient becomes infinite
        return np.full_like(w, np.inf) if abs(w[0]) < 0.3 else w

    out = momentum_descent(grad, [1.0], rho=0.0, eta=0.5, steps=10)
    assert out.shape == (3, 1) and has_diverged(out, 10)
    np.testing.assert_array_equal(out[:, 0], [1.0, 0.5, 0.25])


def test_gradient_refusing_non_finite_input_still_stops_cleanly():
    def grad(w):  # like a validating objective: it raises on inf/NaN
        if not np.all(np.isfinite(w)):
            raise ValueError("w must be finite")
        return -2.0 * w  # a hill: every step doubles and more

    out = momentum_descent(grad, [1.0], rho=0.5, eta=1.0, steps=500)
    assert has_diverged(out, 500) and np.all(np.abs(out) <= 1e50)


def test_divergence_is_found_at_the_same_step_as_a_step_by_step_check():
    # the run is checked per block of steps; the stop must be the first escaping step
    for eta in (2.05, 2.5, 3.0, 10.0):
        out = momentum_descent(lambda w: w, [1.0], rho=0.0, eta=eta, steps=5000)
        w, rows = 1.0, 1  # the same iteration in plain floats, checked after every step
        while abs(w + eta * -w) <= 1e50:
            w, rows = w + eta * -w, rows + 1
        assert len(out) == rows < 5001
        assert out[-1, 0] == w


def test_rosenbrock_divergence_stops_before_overflow():
    f = Rosenbrock()
    out = gradient_descent(f.grad, [-1.5, 2.0], eta=0.01, steps=100)
    assert has_diverged(out, 100)
    assert np.all(np.isfinite(f.value(out)))
    assert np.all(np.isfinite(f.grad(out)))


def test_converging_run_is_not_flagged():
    quad = Quadratic.from_eigenvalues([0.5, 1.0])
    out = momentum_descent(quad.grad, [1.0, 1.0], rho=0.5, eta=0.5, steps=50)
    assert out.shape == (51, 2) and not has_diverged(out, 50)


# -- the heavy ball -------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(
    mass=st.floats(0.2, 5.0),
    friction=st.floats(0.0, 1.0),
    dt=st.floats(0.05, 0.8),
    seed=st.integers(0, 2**32 - 1),
)
def test_heavy_ball_equals_momentum(mass, friction, dt, seed):
    rng = np.random.default_rng(seed)
    quad = random_quadratic(rng)
    x0 = rng.normal(size=3)
    rho, eta = physical_to_momentum(mass, friction, dt)
    assert rho == pytest.approx(1 - friction * dt / mass)
    assert eta == pytest.approx(dt**2 / mass)
    ball = heavy_ball(quad.grad, x0, mass=mass, friction=friction, dt=dt, steps=40)
    descent = momentum_descent(quad.grad, x0, rho=rho, eta=eta, steps=40)
    assert ball.shape == descent.shape
    scale = 1.0 + np.abs(descent).max()
    np.testing.assert_allclose(ball, descent, rtol=1e-8, atol=1e-9 * scale)


def test_heavy_ball_velocity_is_rescaled_momentum_velocity(rng):
    quad = random_quadratic(rng)
    x0 = rng.normal(size=3)
    m, c, h = 2.0, 0.4, 0.3
    rho, eta = physical_to_momentum(m, c, h)
    _, v_ball = heavy_ball(quad.grad, x0, mass=m, friction=c, dt=h, steps=20, return_velocity=True)
    _, u = momentum_descent(quad.grad, x0, rho=rho, eta=eta, steps=20, return_velocity=True)
    np.testing.assert_allclose(v_ball, (h / m) * u, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(rho=st.floats(-1.0, 1.0), eta=st.floats(1e-4, 10.0), mass=st.floats(0.1, 10.0))
def test_momentum_to_physical_round_trip(rho, eta, mass):
    m, c, h = momentum_to_physical(rho, eta, mass)
    assert m == mass and c >= 0 and h > 0
    back = physical_to_momentum(m, c, h)
    assert back == pytest.approx((rho, eta), rel=1e-9, abs=1e-12)


def test_frictionless_ball_is_rho_one_and_homework_mapping():
    rho, eta = physical_to_momentum(1.0, 0.0, 1.0)
    assert (rho, eta) == (1.0, 1.0)  # the homework's rho = 1; its eta = -1 is the sign slip


# -- energy ---------------------------------------------------------------------------------------

def test_energy_decays_with_friction_and_not_without():
    quad = Quadratic.from_eigenvalues([0.2, 1.0], rotation_matrix(0.4))
    eta = 0.5
    totals = {}
    for rho in (0.8, 1.0):
        path = momentum_descent(quad.grad, [1.0, -1.0], rho=rho, eta=eta, steps=300)
        kinetic, potential, total = mechanical_energy(quad.value, path, dt=np.sqrt(eta))
        np.testing.assert_allclose(total, kinetic + potential)
        assert kinetic[0] == 0 and total[0] == pytest.approx(quad.value([1.0, -1.0]))
        totals[rho] = total
    assert totals[0.8][-1] < 1e-8 * totals[0.8][0]
    assert totals[1.0][-100:].min() > 0.3 * totals[1.0][0]
    assert totals[1.0].max() < 3.0 * totals[1.0][0]


def test_energy_of_heavy_ball_matches_physics_units(rng):
    quad = random_quadratic(rng)
    m, h = 3.0, 0.2
    path, v = heavy_ball(quad.grad, rng.normal(size=3), mass=m, friction=0.5, dt=h, steps=30,
                         return_velocity=True)
    kinetic, _, _ = mechanical_energy(quad.value, path, mass=m, dt=h,
                                      potential_minimum=0.0)
    np.testing.assert_allclose(kinetic, 0.5 * m * np.sum(v**2, axis=1), rtol=1e-9, atol=1e-15)


# -- objectives -----------------------------------------------------------------------------------

def test_quadratic_and_rosenbrock_gradients_match_finite_differences(rng):
    from tp3helpers.gradcheck import numerical_gradient

    quad = random_quadratic(rng)
    w = rng.normal(size=3)
    np.testing.assert_allclose(quad.grad(w), numerical_gradient(quad.value, w), rtol=1e-6)
    f = Rosenbrock(a=0.7, b=20.0, scale=0.3)
    p = rng.normal(size=2)
    np.testing.assert_allclose(f.grad(p), numerical_gradient(f.value, p), rtol=1e-6)
    hess = np.array([numerical_gradient(lambda z, i=i: f.grad(z)[i], p) for i in range(2)])
    np.testing.assert_allclose(f.hessian(p), hess, rtol=1e-5)


def test_objectives_vectorise_over_points(rng):
    f = Rosenbrock()
    pts = rng.normal(size=(4, 5, 2))
    assert f.value(pts).shape == (4, 5) and f.grad(pts).shape == (4, 5, 2)
    assert f.value(pts)[1, 2] == pytest.approx(f.value(pts[1, 2]))
    quad = Quadratic([[2.0, 0.5], [0.5, 1.0]], minimum=[1.0, -1.0])
    assert quad.value(pts).shape == (4, 5)
    assert quad.value([1.0, -1.0]) == 0.0


def test_rosenbrock_hessian_at_minimum():
    f = Rosenbrock()
    np.testing.assert_allclose(f.hessian(f.minimum), [[802.0, -400.0], [-400.0, 200.0]])
    assert f.value(f.minimum) == 0.0
    np.testing.assert_allclose(Rosenbrock(scale=0.5).eigenvalues, 0.5 * f.eigenvalues)


def test_quadratic_from_eigenvalues(rng):
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    quad = Quadratic.from_eigenvalues([3.0, 0.5, 1.0], q)
    np.testing.assert_allclose(quad.eigenvalues, [0.5, 1.0, 3.0])
    assert quad.condition_number == pytest.approx(6.0)
    np.testing.assert_allclose(quad.hessian(), quad.A)


# -- rates ----------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(
    rho=st.floats(-0.9, 1.5),
    eta=st.floats(0.0, 5.0),
    eigenvalues=st.lists(st.floats(0.01, 2.0), min_size=1, max_size=4),
)
def test_convergence_rate_matches_eigvals_of_companion_matrix(rho, eta, eigenvalues):
    expected = companion_rate(rho, eta, eigenvalues)
    assert convergence_rate(rho, eta, eigenvalues) == pytest.approx(expected, rel=1e-6, abs=1e-7)


def test_convergence_rate_matches_numpy_roots(rng):
    for rho, eta, lam in rng.uniform([0, 0, 0.1], [1, 3, 2], size=(20, 3)):
        roots = np.roots([1.0, -(1 + rho - eta * lam), rho])
        assert convergence_rate(rho, eta, [lam]) == pytest.approx(np.abs(roots).max(), rel=1e-7)


@settings(max_examples=80, deadline=None)
@given(
    rho=st.floats(0.0, 0.95),
    eta_scaled=st.floats(0.05, 3.5),
    small=st.floats(0.02, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_convergence_rate_matches_simulated_runs(rho, eta_scaled, small, seed):
    eigenvalues = [small, 1.0]
    eta = eta_scaled
    predicted = convergence_rate(rho, eta, eigenvalues)
    assume(0.05 <= predicted < 0.99)  # else too slow to see, or underflows too fast
    rng = np.random.default_rng(seed)
    quad = Quadratic.from_eigenvalues(eigenvalues, rotation_matrix(rng.uniform(0, np.pi)))
    steps = int(min(600, 250 * np.log(10) / -np.log(predicted)))  # errors stay above 1e-250
    path = momentum_descent(quad.grad, rng.normal(size=2) + 2.0, rho=rho, eta=eta, steps=steps)
    assert measured_rate(path, quad.minimum) == pytest.approx(predicted, abs=0.03)


def test_diverging_rate_is_seen_on_the_run():
    quad = Quadratic.from_eigenvalues([0.1, 1.0])
    rate = convergence_rate(0.5, 3.2, quad.eigenvalues)
    assert rate > 1
    path = momentum_descent(quad.grad, [1.0, 1.0], rho=0.5, eta=3.2, steps=200)
    assert measured_rate(path, quad.minimum) == pytest.approx(rate, abs=0.02)


def test_convergence_rate_broadcasts_a_grid():
    rho = np.linspace(0, 1, 400)[:, None]
    eta = np.linspace(0, 4, 400)[None, :]
    grid = convergence_rate(rho, eta, [0.01, 1.0])
    assert grid.shape == (400, 400)
    assert grid[7, 123] == pytest.approx(convergence_rate(rho[7, 0], eta[0, 123], [0.01, 1.0]))
    assert isinstance(convergence_rate(0.5, 1.0, 1.0), float)


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1e4])
def test_optimal_parameters_attain_the_accelerated_rate(kappa):
    rho, eta = optimal_parameters(1.0 / kappa, 1.0)
    root = np.sqrt(kappa)
    assert rho == pytest.approx(((root - 1) / (root + 1)) ** 2)
    assert eta == pytest.approx((2 / (1 + 1 / root)) ** 2)
    best = (root - 1) / (root + 1)
    assert convergence_rate(rho, eta, [1.0 / kappa, 1.0]) == pytest.approx(best, rel=1e-6)
    assert companion_rate(rho, eta, [1.0 / kappa, 1.0]) == pytest.approx(best, rel=1e-6)
    gd_best = convergence_rate(0.0, 2.0 / (1.0 + 1.0 / kappa), [1.0 / kappa, 1.0])
    assert gd_best == pytest.approx((kappa - 1) / (kappa + 1))
    assert best < gd_best


def test_optimal_parameters_are_a_minimum_of_the_rate():
    lam = [0.01, 1.0]
    rho, eta = optimal_parameters(*lam)
    r = np.linspace(rho - 0.05, rho + 0.05, 41)[:, None]
    e = np.linspace(eta - 0.2, eta + 0.2, 41)[None, :]
    assert convergence_rate(r, e, lam).min() >= convergence_rate(rho, eta, lam) - 1e-6


def test_regimes():
    lam = 0.25
    eta = 1.0  # eta * lam = 0.25, critical rho = (1 - 0.5)^2 = 0.25
    assert iteration_regime(0.2, eta, [lam]) == MONOTONE
    assert iteration_regime(0.3, eta, [lam]) == OSCILLATING
    assert iteration_regime(0.0, 7.0, [lam]) == OSCILLATING  # overshoot, root -0.75
    assert iteration_regime(0.0, 9.0, [lam]) == DIVERGENT
    assert iteration_regime(1.0, 1.0, [lam]) == BOUNDED  # rho = 1: bounded, never settles
    # two directions: one oscillating direction is enough
    assert iteration_regime(0.2, eta, [lam, 0.01]) == MONOTONE
    assert iteration_regime(0.2, eta, [lam, 1.0]) == OSCILLATING
    grid = iteration_regime(np.array([[0.2], [0.3]]), np.array([[eta]]), [lam])
    np.testing.assert_array_equal(grid, [[MONOTONE], [OSCILLATING]])


def test_regimes_match_the_sign_pattern_of_runs():
    # one eigen-direction, e = w: monotone runs never change sign, oscillating ones do
    for rho, eta, expected in [(0.05, 0.5, MONOTONE), (0.6, 0.5, OSCILLATING),
                               (0.0, 1.8, OSCILLATING)]:
        grad = lambda w: w  # noqa: E731
        path = momentum_descent(grad, [1.0], rho=rho, eta=eta, steps=60)[:, 0]
        flips = np.count_nonzero(np.diff(np.sign(path[np.abs(path) > 1e-300])))
        assert iteration_regime(rho, eta, [1.0]) == expected
        assert (flips > 0) == (expected == OSCILLATING)


def test_measured_rate_of_a_geometric_sequence():
    path = (0.8 ** np.arange(50))[:, None] * np.array([[1.0, 2.0]])
    assert measured_rate(path, [0.0, 0.0]) == pytest.approx(0.8)
    assert measured_rate(path, [0.0, 0.0], start=5) == pytest.approx(0.8)


# -- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"w0": [np.nan, 1.0]}, ValueError, "w0 contains NaN"),
        ({"w0": [np.inf]}, ValueError, r"w0 contains \+inf"),
        ({"w0": [[1.0, 2.0]]}, ValueError, "w0 must be 1-D"),
        ({"w0": 1.0}, ValueError, "w0 must be 1-D"),
        ({"steps": -1}, ValueError, "steps must be an integer from 0 to 1000000, got -1"),
        ({"steps": 2.5}, TypeError, "steps must be an integer from 0 to 1000000, got 2.5"),
        ({"rho": np.nan}, ValueError, "rho must be finite"),
        ({"eta": "0.1"}, TypeError, "eta must be a real number"),
        ({"grad": 3}, TypeError, "grad must be callable"),
        ({"grad": lambda w: w[:1]}, ValueError, r"grad must return an array of shape \(2,\)"),
    ],
)
def test_momentum_descent_bad_input(kwargs, error, match):
    args = {"grad": lambda w: w, "w0": [1.0, 2.0], "rho": 0.5, "eta": 0.1, "steps": 3} | kwargs
    grad = args.pop("grad")
    w0 = args.pop("w0")
    with pytest.raises(error, match=match):
        momentum_descent(grad, w0, **args)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mass": 0.0}, "mass must be > 0, got 0.0"),
        ({"mass": -1.0}, "mass must be > 0"),
        ({"dt": 0.0}, "dt must be > 0, got 0.0"),
        ({"friction": -0.1}, "friction must be >= 0, got -0.1"),
        ({"x0": [1.0, np.nan]}, "x0 contains NaN"),
        ({"steps": -3}, "steps must be an integer from 0 to 1000000, got -3"),
    ],
)
def test_heavy_ball_bad_input(kwargs, match):
    args = {"x0": [1.0, 2.0], "mass": 1.0, "friction": 0.1, "dt": 0.1, "steps": 3} | kwargs
    with pytest.raises(ValueError, match=match):
        heavy_ball(lambda w: w, args.pop("x0"), **args)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: physical_to_momentum(0.0, 0.1, 0.1), "mass must be > 0"),
        (lambda: physical_to_momentum(1.0, -0.1, 0.1), "friction must be >= 0"),
        (lambda: physical_to_momentum(1.0, 0.1, -0.1), "dt must be > 0"),
        (lambda: momentum_to_physical(1.5, 0.1), "rho must be <= 1"),
        (lambda: momentum_to_physical(0.5, 0.0), "eta must be > 0"),
        (lambda: momentum_to_physical(0.5, 0.1, mass=-2.0), "mass must be > 0"),
        (lambda: convergence_rate(0.5, 0.1, [1.0, 0.0]), r"eigenvalues must all lie in \[1e-50"),
        (lambda: convergence_rate(0.5, 0.1, [-1.0]), r"eigenvalues must all lie in \[1e-50"),
        (lambda: convergence_rate(np.nan, 0.1, [1.0]), "rho contains NaN"),
        (lambda: iteration_regime(0.5, 0.1, [0.0]), r"eigenvalues must all lie in \[1e-50"),
        (lambda: optimal_parameters(0.0, 1.0), "lambda_min must be > 0"),
        (lambda: optimal_parameters(2.0, 1.0), "lambda_min must be <= lambda_max"),
        (lambda: Quadratic([[1.0, 2.0], [0.0, 1.0]]), "A must be symmetric"),
        (lambda: Quadratic([[1.0, 0.0], [0.0, -1.0]]), "A must be positive definite"),
        (lambda: Quadratic([[1.0, 0.0]]), "A must be a square matrix"),
        (lambda: Quadratic.from_eigenvalues([1.0, 0.0]), r"eigenvalues must all lie in \[1e-50"),
        (lambda: Quadratic.from_eigenvalues([1.0, 2.0], [[1.0, 1.0], [0.0, 1.0]]),
         "rotation must be an orthogonal"),
        (lambda: Quadratic([[1.0]]).value([1.0, 2.0]), r"w must have shape \(\.\.\., 1\)"),
        (lambda: Rosenbrock(b=0.0), "b must be > 0"),
        (lambda: measured_rate([[1.0], [0.5], [0.2]], [0.0]), r"T >= 3 steps \(4 rows\)"),
        (lambda: measured_rate(np.ones((10, 1)), [0.0], start=8),
         "start must be an integer from 1 to 7, got 8"),
        (lambda: measured_rate(np.ones((10, 2)), [0.0]), "minimum has 1 entries but the positions"),
        (lambda: mechanical_energy(np.sum, np.ones((3, 2)), dt=0.0), "dt must be > 0"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_exploding_velocity_with_zero_step_stops_without_warning():
    # eta = 0 keeps w fixed while v doubles; once v overflows, 0 * inf makes w NaN and the run stops
    positions, velocities = momentum_descent(lambda w: -w, [1.0], rho=2.0, eta=0.0, steps=3000,
                                             return_velocity=True)
    assert has_diverged(positions, 3000)
    assert np.all(positions == 1.0) and np.all(np.isfinite(velocities))


# -- closed form of the error, step counts ---------------------------------------------------------


def _eigen_run(rho, eta, eigenvalues, start, steps):
    """The run's error components along the eigenvectors of a diagonal quadratic."""
    lam = np.asarray(eigenvalues, float)
    return momentum_descent(lambda w: lam * w, start, rho=rho, eta=eta, steps=steps)


@settings(max_examples=80, deadline=None)
@given(
    rho=st.floats(0.0, 0.99),
    eta_lam=st.lists(st.floats(0.001, 3.9), min_size=1, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_closed_form_matches_the_run(rho, eta_lam, seed):
    """Every regime: real roots of either sign, complex roots, and anything in between."""
    rng = np.random.default_rng(seed)
    lam = np.array(eta_lam)  # eta = 1, so eta * lambda = lam
    assume(np.all(lam < 2 * (1 + rho) - 1e-3))  # converging runs, errors stay representable
    start = rng.normal(size=lam.size)
    run = _eigen_run(rho, 1.0, lam, start, 60)
    closed = closed_form_errors(rho, 1.0, lam, start, 60)
    np.testing.assert_allclose(closed, run, rtol=1e-6, atol=1e-9 * np.abs(start).max())


def test_closed_form_at_a_double_root_carries_the_factor_t():
    # Polyak's optimum for [0.01, 1]: both ends are (numerically nearly) double roots +-r
    rho, eta = optimal_parameters(0.01, 1.0)
    r = np.sqrt(rho)
    closed = closed_form_errors(rho, eta, [0.01, 1.0], [1.0, 1.0], 200)
    t = np.arange(201)
    np.testing.assert_allclose(closed[:, 0], r**t * (1 + (1 - r) * t), rtol=1e-7)
    np.testing.assert_allclose(closed[:, 1], (-r) ** t * (1 + (1 + r) * t), rtol=1e-7)
    np.testing.assert_allclose(closed, _eigen_run(rho, eta, [0.01, 1.0], [1.0, 1.0], 200),
                               rtol=1e-7, atol=1e-15)


def test_closed_form_near_a_double_root_on_both_sides_of_the_threshold():
    # roots a relative distance just above and just below DOUBLE_ROOT_RTOL apart
    rho = 0.25  # critical damping at eta * lam = (1 - 0.5)^2 = 0.25
    for gap in (0.5 * DOUBLE_ROOT_RTOL, 2 * DOUBLE_ROOT_RTOL):
        lam = 0.25 * (1 - gap)  # disc ~ gap: |z1 - z2| / |z| ~ sqrt(gap), far above the rtol
        closed = closed_form_errors(rho, 1.0, [lam], [1.0], 300)
        np.testing.assert_allclose(closed, _eigen_run(rho, 1.0, [lam], [1.0], 300), rtol=1e-8,
                                   atol=1e-300)
    s = 2 * np.sqrt(rho) * (1 - 0.3 * DOUBLE_ROOT_RTOL)  # roots about 0.8e-7 apart: double
    lam = 1 + rho - s
    closed = closed_form_errors(rho, 1.0, [lam], [1.0], 300)
    np.testing.assert_allclose(closed, _eigen_run(rho, 1.0, [lam], [1.0], 300), rtol=1e-8,
                               atol=1e-300)


def test_closed_form_of_plain_gradient_descent_and_the_zero_double_root():
    closed = closed_form_errors(0.0, 0.5, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0], 4)
    np.testing.assert_allclose(closed[:, 0], 0.5 ** np.arange(5))
    np.testing.assert_array_equal(closed[1:, 1], 0.0)  # eta lambda = 1: one step to the minimum
    np.testing.assert_allclose(closed[:, 2], (-0.5) ** np.arange(5))


def test_step_count_from_the_closed_form_equals_the_measured_count():
    """The knife-edge table of notebook 3: predicted and measured counts are the same."""
    valley = Quadratic.from_eigenvalues([0.01, 1.0], rotation_matrix(np.pi / 6))
    lam, Q = np.linalg.eigh(valley.A)
    rho, eta_star = optimal_parameters(0.01, 1.0)
    start = np.array([-1.6, 1.4])
    for factor in (0.8, 0.9, 0.95, 1.0, 1.005):
        closed = closed_form_errors(rho, factor * eta_star, lam, start @ Q, 600)
        run = momentum_descent(valley.grad, start, rho=rho, eta=factor * eta_star, steps=600)
        assert steps_to_tolerance(np.linalg.norm(closed, axis=1), 1e-6) == steps_to_tolerance(
            np.linalg.norm(run, axis=1), 1e-6)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: closed_form_errors(0.5, 0.1, [1.0], [1.0, 2.0], 5), ValueError,
         "start must have one entry per eigenvalue"),
        (lambda: closed_form_errors(0.5, 0.1, [0.0], [1.0], 5), ValueError,
         "eigenvalues must all lie in"),
        (lambda: closed_form_errors(0.5, 0.1, [1.0], [np.nan], 5), ValueError,
         "start contains NaN"),
        (lambda: closed_form_errors(0.5, 0.1, [1.0], [1.0], 10**6), ValueError,
         "steps must be an integer from 0 to 100000"),
        (lambda: closed_form_errors(np.inf, 0.1, [1.0], [1.0], 5), ValueError, "rho must lie in"),
        (lambda: steps_to_tolerance([1.0, -0.5], 0.1), ValueError, "errors must be sizes >= 0"),
        (lambda: steps_to_tolerance([1.0, 0.5], 1.0), ValueError, "tol must lie in"),
    ],
)
def test_closed_form_and_step_count_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- Nesterov, the lower bound and the counterexample -------------------------------------------


def nesterov_reference(grad, w0, rho, eta, steps):
    """Nesterov in the look-ahead form: y = w + rho (w - w_prev), w+ = y - eta grad(y)."""
    w_prev = w = np.asarray(w0, dtype=float)
    out = [w]
    for _ in range(steps):
        y = w + rho * (w - w_prev)
        w, w_prev = y - eta * grad(y), w
        out.append(w)
    return np.array(out)


@settings(max_examples=40, deadline=None)
@given(rho=st.floats(0.0, 0.99), eta=st.floats(0.01, 1.0), seed=st.integers(0, 2**32 - 1))
def test_nesterov_matches_the_look_ahead_form(rho, eta, seed):
    rng = np.random.default_rng(seed)
    bowl = random_quadratic(rng)
    start = rng.normal(size=3)
    np.testing.assert_allclose(nesterov_descent(bowl.grad, start, rho=rho, eta=eta, steps=40),
                               nesterov_reference(bowl.grad, start, rho, eta, 40), rtol=1e-9,
                               atol=1e-12)


def test_nesterov_rate_matches_companion_matrix_and_runs(rng):
    bowl = random_quadratic(rng, d=3, low=0.05, high=1.0)
    for rho, eta in [(0.5, 0.5), (0.9, 1.0), (0.3, 1.9)]:
        companion = max(np.abs(np.linalg.eigvals(
            [[(1 + rho) * (1 - eta * lam), -rho * (1 - eta * lam)], [1.0, 0.0]])).max()
            for lam in bowl.eigenvalues)
        assert nesterov_rate(rho, eta, bowl.eigenvalues) == pytest.approx(companion, rel=1e-10)
        steps = int(np.log(1e-8) / np.log(companion))  # stop well above rounding
        path = nesterov_descent(bowl.grad, rng.normal(size=3), rho=rho, eta=eta, steps=steps)
        assert measured_rate(path, bowl.minimum) == pytest.approx(companion, rel=0.02)


def test_nesterov_parameters_give_rate_one_minus_one_over_sqrt_kappa():
    for kappa in (4.0, 25.0, 100.0, 1e4):
        rho, eta = nesterov_parameters(1.0, kappa)
        assert eta == 1 / kappa
        assert nesterov_rate(rho, eta, [1.0, kappa]) == pytest.approx(1 - 1 / np.sqrt(kappa),
                                                                      rel=1e-6)
    with pytest.raises(ValueError, match="mu must be <= L"):
        nesterov_parameters(2.0, 1.0)


def test_worst_case_quadratic_and_the_krylov_argument():
    mu, L, n = 0.01, 1.0, 400
    hard = worst_case_quadratic(n, mu, L)
    assert mu < hard.eigenvalues[0] and hard.eigenvalues[-1] < L
    q = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
    np.testing.assert_allclose(hard.minimum[1:50] / hard.minimum[:49], q, rtol=1e-10)
    tail = np.sqrt(np.cumsum(hard.minimum[::-1] ** 2)[::-1])  # tail[t] = |w*_{t:}|
    rho, eta = optimal_parameters(mu, L)
    for path in (gradient_descent(hard.grad, np.zeros(n), eta=1.0, steps=60),
                 momentum_descent(hard.grad, np.zeros(n), rho=rho, eta=eta, steps=60),
                 nesterov_descent(hard.grad, np.zeros(n), rho=np.sqrt(rho), eta=1.0, steps=60)):
        for t, w in enumerate(path):
            assert np.abs(w[t:]).max(initial=0.0) <= 1e-14  # zero beyond entry t, to rounding
        distance = np.linalg.norm(path - hard.minimum, axis=1)
        assert np.all(distance >= tail[:61] * (1 - 1e-9))
    with pytest.raises(ValueError, match="mu must be < L"):
        worst_case_quadratic(10, 1.0, 1.0)
    with pytest.raises(ValueError, match="dimension must be an integer from 2 to 5000"):
        worst_case_quadratic(10**6, 0.1, 1.0)


def test_counterexample_is_strongly_convex_and_smooth_with_kappa_25():
    f = HeavyBallCounterexample()
    x = np.linspace(-3, 5, 4001)[:, None]
    g = f.grad(x)[:, 0]
    slopes = np.diff(g) / np.diff(x[:, 0])
    assert slopes.min() >= 1 - 1e-9 and slopes.max() <= 25 + 1e-9
    from tp3helpers.gradcheck import numerical_gradient

    for point in (-1.0, 0.5, 1.5, 1.9, 2.5, 3.3):  # away from the kinks at 1 and 2
        np.testing.assert_allclose(f.grad([point]), numerical_gradient(f.value, np.array([point])),
                                   rtol=1e-7)
    values = f.value(np.array([[1 - 1e-12], [1.0], [2 - 1e-12], [2.0]]))
    np.testing.assert_allclose(values[0], values[1])  # continuous at the kinks
    np.testing.assert_allclose(values[2], values[3])
    assert f.value([0.0]) == 0.0 and f.value([-1.0]) > 0


def test_heavy_ball_cycles_where_gradient_descent_and_nesterov_converge():
    f = HeavyBallCounterexample()
    rho, eta = optimal_parameters(f.mu, f.L)
    assert (rho, eta) == pytest.approx((4 / 9, 1 / 9))
    heavy = momentum_descent(f.grad, [3.3], rho=rho, eta=eta, steps=300)[:, 0]
    np.testing.assert_allclose(heavy[-30:], heavy[-33:-3], atol=1e-12)  # period 3
    assert np.abs(heavy[-30:]).min() > 0.5
    assert abs(gradient_descent(f.grad, [3.3], eta=1 / f.L, steps=300)[-1, 0]) < 1e-10
    n_rho, n_eta = nesterov_parameters(f.mu, f.L)
    assert abs(nesterov_descent(f.grad, [3.3], rho=n_rho, eta=n_eta, steps=300)[-1, 0]) < 1e-10


# -- stochastic gradients ------------------------------------------------------------------------


def test_noisy_gradient_adds_seeded_gaussian_noise():
    noisy = noisy_gradient(lambda w: 2 * w, 0.5, np.random.default_rng(1))
    again = noisy_gradient(lambda w: 2 * w, 0.5, np.random.default_rng(1))
    w = np.ones(200_000)
    draw = noisy(w)
    np.testing.assert_array_equal(draw, again(w))
    noise = draw - 2
    # mean within 5 standard errors, variance within 5 standard errors (sqrt(2/n) relative)
    assert abs(noise.mean()) < 5 * 0.5 / np.sqrt(w.size)
    assert noise.var() == pytest.approx(0.25, rel=5 * np.sqrt(2 / w.size))
    assert np.array_equal(noisy_gradient(lambda w: w, 0.0, np.random.default_rng(0))(w), w)
    with pytest.raises(ValueError, match="sigma must be >= 0"):
        noisy_gradient(lambda w: w, -1.0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        noisy_gradient(lambda w: w, 1.0, 3)


@pytest.mark.parametrize(("rho", "eta"), [(0.0, 0.1), (0.9, 0.01), (0.9, 0.1), (0.5, 1.5)])
def test_stationary_variance_matches_many_independent_runs(rho, eta):
    """4,000 independent one-dimensional runs at once; the sample variance of Gaussians has a
    relative standard error sqrt(2/n): the prediction must hold within 5 of them."""
    n, lam, sigma = 4000, 1.0, 0.7
    noisy = noisy_gradient(lambda w: lam * w, sigma, np.random.default_rng(7))
    final = momentum_descent(noisy, np.zeros(n), rho=rho, eta=eta, steps=1500)[-1]
    predicted = stationary_variance(rho, eta, [lam], sigma)[0]
    assert np.mean(final**2) == pytest.approx(predicted, rel=5 * np.sqrt(2 / n))


def test_stationary_variance_small_step_limit_and_domain():
    small = stationary_variance(0.9, 1e-6, [1.0, 4.0], 1.0)
    np.testing.assert_allclose(small, 1e-6 / (1 - 0.9) / (2 * np.array([1.0, 4.0])), rtol=1e-5)
    with pytest.raises(ValueError, match="eta \\* eigenvalue must be below 2 \\(1 \\+ rho\\)"):
        stationary_variance(0.5, 3.0, [1.0], 1.0)
    with pytest.raises(ValueError, match="rho must lie in"):
        stationary_variance(1.0, 0.1, [1.0], 1.0)


def test_root_kind_matches_numpy_roots_and_the_sign_pattern_of_runs():
    """Real roots >= 0: started from rest the error keeps its sign and shrinks every step;
    real roots < 0: it flips sign at every step; a complex pair: their product is rho."""
    from tp3helpers.momentum import COMPLEX_PAIR, REAL_NEGATIVE, REAL_POSITIVE, root_kind

    for rho in np.linspace(0.0, 0.99, 23):
        for x in np.linspace(0.01, 2 * (1 + rho) - 0.01, 41):
            kind = root_kind(rho, x)
            roots = np.roots([1.0, -(1 + rho - x), rho])
            if kind == COMPLEX_PAIR:
                assert np.abs(roots.imag).min() > 0
                np.testing.assert_allclose(np.abs(roots), np.sqrt(rho), rtol=1e-9)
                continue
            assert np.abs(roots.imag).max() <= 1e-7 * max(1.0, np.abs(roots).max())
            error = momentum_descent(lambda w, x=x: x * w, [1.0], rho=rho, eta=1.0,
                                     steps=40)[:, 0]
            error = error[np.abs(error) > 1e-280]
            if kind == REAL_POSITIVE:
                assert np.all(roots.real >= -1e-12)
                assert np.all(error >= 0) and np.all(np.diff(error) <= 1e-15)
            else:
                assert kind == REAL_NEGATIVE and np.all(roots.real <= 1e-12)
                assert np.all(np.sign(error[1:]) == -np.sign(error[:-1]))
    np.testing.assert_array_equal(root_kind([0.25, 0.25, 0.25], [0.1, 1.0, 2.4]),
                                  [REAL_POSITIVE, COMPLEX_PAIR, REAL_NEGATIVE])
    with pytest.raises(ValueError, match="rho must be >= 0"):
        root_kind(-0.1, 1.0)
