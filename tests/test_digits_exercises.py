"""Notebook 4's exercises: right answers pass, each known slip gets its own feedback and the hint,
the worked solution appears only on demand."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.digits import SoftmaxObjective
from tp3helpers.exercises.digits import (
    exact_to_rounding,
    floor_exercise,
    momentum_peak_exercise,
    sample_gradient_exercise,
    steepest_peak,
)
from tp3helpers.gradcheck import numerical_gradient
from tp3helpers.momentum import (
    momentum_descent,
    noisy_gradient,
    optimal_parameters,
    stationary_variance,
)
from tp3helpers.softmax import log_softmax, softmax


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in (sample_gradient_exercise, momentum_peak_exercise, floor_exercise):
        exercise.reset()


def right(phi, t, W):
    return W.T @ (softmax(W @ phi) - t)


def test_sample_gradient_right_answer_passes():
    feedback = sample_gradient_exercise.check(right)
    assert feedback.passed, feedback


def test_sample_gradient_right_answer_matches_finite_differences(rng):
    """The answer W^T (y - t) is the derivative of the image's cross-entropy in its features."""
    phi, W, t = rng.normal(size=6), rng.normal(size=(4, 6)), np.eye(4)[1]

    def loss(p):
        return -float(t @ log_softmax(W @ p))

    np.testing.assert_allclose(right(phi, t, W), numerical_gradient(loss, phi), rtol=1e-7)


def test_sample_gradient_is_not_a_gradient_the_objective_computes(rng):
    """The old shortcut: one image's SoftmaxObjective gradient is the one in W, shape (C, D),
    and the checker names it."""
    phi, label = rng.normal(size=(1, 4)), np.array([2])
    objective = SoftmaxObjective(phi, label, 1e-12, num_classes=3)
    W = rng.normal(size=(3, 4))
    in_W = objective.weights(objective.grad(W.ravel()))
    np.testing.assert_allclose(in_W, np.outer(softmax(W @ phi[0]) - np.eye(3)[2], phi[0]),
                               atol=1e-10)
    feedback = sample_gradient_exercise.check(objective_grad_in_W)
    assert feedback.status == "failed" and "with respect to the weights W" in str(feedback)


def objective_grad_in_W(phi, t, W):
    objective = SoftmaxObjective(phi[None, :], [int(np.argmax(t))], 1e-12, num_classes=len(t))
    return objective.weights(objective.grad(W.ravel()))


def stub(phi, t, W):
    raise NotImplementedError


def test_sample_gradient_not_attempted():
    feedback = sample_gradient_exercise.check(stub)
    assert feedback.status == "not attempted" and "Hint" not in str(feedback)


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        (lambda phi, t, W: W.T @ (t - softmax(W @ phi)), "sign is reversed"),
        (lambda phi, t, W: W.T @ (W @ phi - t), "use the logits a instead"),
        (lambda phi, t, W: softmax(W @ phi) - t, "with respect to the logits"),
        (lambda phi, t, W: np.outer(softmax(W @ phi) - t, phi), "with respect to the weights W"),
        (lambda phi, t, W: (softmax(W @ phi) - t)[:, None] * W, "do not add them up"),
        (lambda phi, t, W: W.T @ softmax(W @ phi), "the target's term"),
        (lambda phi, t, W: W.T @ (np.exp(W @ phi) / np.exp(W @ phi).sum() - t), "warning"),
        (lambda phi, t, W: 2 * right(phi, t, W), "expected"),
    ],
)
def test_sample_gradient_slips_get_their_own_feedback_and_the_hint(wrong, says):
    feedback = sample_gradient_exercise.check(wrong)
    assert feedback.status == "failed"
    assert says in str(feedback)
    assert "Hint 1 of 2: Notebook 1: the gradient with respect to the logits" in str(feedback)
    assert "Hint 2" not in str(feedback)  # the step comes after a second wrong attempt
    assert "Hint 2 of 2: a_k = sum_j W[k, j] phi[j]" in str(sample_gradient_exercise.check(wrong))


def test_sample_gradient_names_rows_for_columns_where_the_shapes_agree():
    """W (y - t) has the right shape only when C = D: the third case (C = D = 3) catches it, and
    a function that is right on the first two cases reaches it."""

    def rows(phi, t, W):
        if W.shape[0] == W.shape[1]:
            return W @ (softmax(W @ phi) - t)
        return right(phi, t, W)

    feedback = sample_gradient_exercise.check(rows)
    assert feedback.status == "failed" and "column j of W" in str(feedback)


def finite_differences(phi, t, W):
    """The referee's shortcut: central differences of ln sum_k exp(a_k) - t.a, a = W phi."""
    return numerical_gradient(lambda p: np.logaddexp.reduce(W @ p) - t @ (W @ p), phi)


def test_sample_gradient_refuses_finite_differences_by_name():
    feedback = sample_gradient_exercise.check(finite_differences)
    assert feedback.status == "failed"
    assert "digits only, as finite differences do" in str(feedback)


def test_sample_gradient_tolerance_separates_rounding_from_finite_differences():
    """On every case the rounding bound lies over 10 times below what finite differences miss
    by (about 50 times on the large logits, thousands on the others), and above what other
    correct ways of computing W^T (y - t) differ by."""
    correct = [
        lambda phi, t, W: W.T @ softmax(W @ phi) - W.T @ t,
        lambda phi, t, W: (np.exp(log_softmax(W @ phi)) - t) @ W,
        lambda phi, t, W: np.einsum("kj,k->j", W, softmax(np.einsum("kj,j->k", W, phi)) - t),
    ]
    for case in sample_gradient_exercise.cases:
        phi, t, W = case.args
        exact, tol = right(phi, t, W), exact_to_rounding(phi, t, W)
        assert tol < 1e-12 * np.linalg.norm(exact) * 100  # a few hundred roundings at most
        assert np.linalg.norm(finite_differences(phi, t, W) - exact) > 10 * tol
        for other in correct:
            assert np.linalg.norm(other(phi, t, W) - exact) <= tol


def test_sample_gradient_names_rows_for_columns_on_the_first_case():
    """W (y - t): the first case is square, so the slip gives a vector the checker names
    instead of NumPy's shape error."""
    feedback = sample_gradient_exercise.check(lambda phi, t, W: W @ (softmax(W @ phi) - t))
    assert feedback.status == "failed" and "column j of W" in str(feedback)
    assert "for phi = [1, 2, -1]" in str(feedback) and "matmul" not in str(feedback)


def test_sample_gradient_naive_softmax_is_told_how_to_avoid_the_overflow():
    def naive(phi, t, W):
        e = np.exp(W @ phi)
        return W.T @ (e / e.sum() - t)

    feedback = sample_gradient_exercise.check(naive)
    assert feedback.status == "failed" and "overflow" in str(feedback)
    assert "shift the logits by their largest" in str(feedback)


KAPPA_10 = momentum_peak_exercise.expected.item()


def test_momentum_peak_answer_is_where_runs_peak_at_10():
    """The answer from runs of momentum itself: the peak of a run just below the answer is below
    10, just above it above 10; and the closed form's peak is the run's."""
    peaks = []
    for kappa in (KAPPA_10 * (1 - 1e-4), KAPPA_10 * (1 + 1e-4)):
        rho, eta = optimal_parameters(1.0, kappa)
        path = momentum_descent(lambda w, k=kappa: k * w, [1.0], rho=rho, eta=eta, steps=120)
        peaks.append(np.max(np.abs(path)))
        assert peaks[-1] == pytest.approx(steepest_peak(kappa), rel=1e-12)
    assert peaks[0] < 10 < peaks[1]
    assert momentum_peak_exercise.check(KAPPA_10).passed


def test_momentum_peak_one_forward_run_is_no_answer():
    """The old shortcut: one run at kappa = 400 gives its peak, 7.37, which is not a kappa."""
    rho, eta = optimal_parameters(1.0, 400.0)
    peak = np.abs(momentum_descent(lambda w: 400.0 * w, [1.0], rho=rho, eta=eta, steps=100)).max()
    assert peak == pytest.approx(7.3708, abs=1e-4)
    feedback = momentum_peak_exercise.check(peak)
    assert feedback.status == "failed" and "is not right" in str(feedback)
    assert momentum_peak_exercise.check(...).status == "not attempted"


def test_momentum_peak_accepts_the_large_kappa_theory():
    """sqrt(kappa)/e = 10 gives kappa = 100 e^2, within the stated 0.5% (its neglected relative
    term is 7/(3 kappa)); the next term 1 + 7/(6 kappa) of the peak is checked at that kappa."""
    kappa = 100 * np.e**2
    r = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    continuous = (1 + r) / (np.e * np.log(1 / r)) * r ** (-1 / (1 + r))
    assert continuous == pytest.approx(10 * (1 + 7 / (6 * kappa)), rel=1e-5)
    assert kappa / KAPPA_10 - 1 == pytest.approx(7 / (3 * kappa), rel=0.05)
    assert momentum_peak_exercise.check(kappa).passed
    momentum_peak_exercise.reset()
    assert momentum_peak_exercise.check(740).passed


@pytest.mark.parametrize(
    ("answer", "says"),
    [(100, "makes sqrt(kappa) = 10"), (13.5, "not 10 / e"), (400, "the peak at step"),
     (2944, "modulus sqrt(rho*) = r*"), (750, "is not right")],
)
def test_momentum_peak_slips(answer, says):
    feedback = momentum_peak_exercise.check(answer)
    assert feedback.status == "failed" and says in str(feedback), (answer, feedback)
    assert "Hint 1 of 2: At Polyak's optimum the steepest direction" in str(feedback)
    assert "Hint 2 of 2: The logarithm of" in str(momentum_peak_exercise.check(1000))


RHO_MATCH = floor_exercise.expected.item()


def test_floor_answer_solves_the_quadratic_and_matches_runs():
    """rho = sqrt(0.8) (the root of rho^2 = 0.8 at eta lambda = 0.2, eta' lambda = 1); 4,000
    independent noisy one-dimensional runs give equal floors there, and at the small-step
    answer 0.8 a floor about half as high."""
    assert RHO_MATCH == pytest.approx(np.sqrt(0.8), abs=1e-9)
    assert floor_exercise.check(0.894).passed
    rng = np.random.default_rng(3)
    floors = {}
    for rho, eta in [(RHO_MATCH, 0.2), (0.8, 0.2), (0.0, 1.0)]:
        noisy = noisy_gradient(lambda w: w, 1.0, rng)
        floors[rho] = np.mean(momentum_descent(noisy, np.zeros(4000), rho=rho, eta=eta,
                                               steps=1500)[-1] ** 2)
    tolerance = 3 * np.sqrt(2) * np.sqrt(2 / 4000)  # 3 standard errors of a ratio of two means
    assert floors[RHO_MATCH] / floors[0.0] == pytest.approx(1.0, rel=tolerance)
    small = (stationary_variance(0.8, 0.2, [1.0], 1.0)[0]
             / stationary_variance(0.0, 1.0, [1.0], 1.0)[0])
    assert small == pytest.approx(0.2 * 1.8 / (0.2 * 3.4))  # 0.53: the small-step rule fails
    assert floors[0.8] / floors[0.0] == pytest.approx(small, rel=tolerance)


def test_floor_is_not_the_visible_cell_s_ratio():
    """The old shortcut: the Beyond cell re-run with the old numbers printed a ratio of floors,
    2.57; a ratio is no rho, and the small-step rho 0.8 is named."""
    feedback = floor_exercise.check(2.57)
    assert feedback.status == "failed" and "is not right" in str(feedback)
    floor_exercise.reset()
    assert "right for small steps only" in str(floor_exercise.check(0.8))


@pytest.mark.parametrize(("answer", "says"), [(0.8, "right for small steps only"),
                                              (0.9, "drop momentum's"),
                                              (0.788, "drop gradient descent's"),
                                              ("b", "expected an array of real numbers")])
def test_floor_slips(answer, says):
    feedback = floor_exercise.check(answer)
    assert feedback.status == "failed" and says in str(feedback)
    assert "Hint 1 of 2: For small steps momentum's floor" in str(feedback)
    assert "Hint 2 of 2: Set (eta / (1 - rho))" in str(floor_exercise.check(answer))
    assert floor_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("exercise", "answer_text"),
    [(sample_gradient_exercise, "W.T @ (y - t)"), (momentum_peak_exercise, "736.6"),
     (floor_exercise, "**0.894**")],
)
def test_solutions_only_on_demand(exercise, answer_text):
    assert answer_text in exercise.solution
    untouched = exercise.check(stub if exercise is sample_gradient_exercise else ...)
    assert untouched.status == "not attempted" and answer_text not in str(untouched)
