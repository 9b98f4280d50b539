"""Notebook 4's exercises: right answers pass, each known slip gets its own feedback and the hint,
the worked solution appears only on demand."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.digits import SoftmaxObjective
from tp3helpers.exercises.digits import (
    floor_exercise,
    momentum_peak_exercise,
    sample_gradient_exercise,
)
from tp3helpers.gradcheck import numerical_gradient
from tp3helpers.momentum import (
    momentum_descent,
    noisy_gradient,
    optimal_parameters,
    stationary_variance,
    steps_to_tolerance,
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


def test_momentum_peak_answer_is_the_peak_of_a_run():
    rho, eta = optimal_parameters(1.0, 400.0)
    path = momentum_descent(lambda w: 400.0 * w, [1.0], rho=rho, eta=eta, steps=80)[:, 0]
    measured = np.max(np.abs(path))
    assert measured == pytest.approx(7.3708, abs=1e-4)
    assert int(np.argmax(np.abs(path))) == 9
    assert momentum_peak_exercise.check(measured).passed
    assert momentum_peak_exercise.check(...).status == "not attempted"


def test_momentum_peak_accepts_the_theory_s_predictions():
    """The continuous maximum of (1 + (1 + r) s) r^s and the large-kappa value sqrt(kappa)/e both
    lie within the stated 2%."""
    r = 19 / 21
    s_star = 1 / np.log(1 / r) - 1 / (1 + r)
    for prediction in ((1 + (1 + r) * s_star) * r**s_star, 20 / np.e):
        momentum_peak_exercise.reset()
        assert momentum_peak_exercise.check(prediction).passed, prediction


def test_momentum_peak_is_answered_by_no_step_count():
    """The old shortcut, notebook 4's step-count line re-run with kappa = 400, gives a count
    (198), not a ratio; the checker says it is not right."""
    r, s = 19 / 21, np.arange(5000)
    count = steps_to_tolerance((1 + (1 + r) * s) * r**s, 1e-6)
    assert count == 198
    feedback = momentum_peak_exercise.check(count)
    assert feedback.status == "failed" and "is not right" in str(feedback)


@pytest.mark.parametrize(
    ("answer", "says"),
    [(1, "peak of the rate alone"), (1.0, "never exceed their start"), (9, "the step s at which"),
     (10, "the step s at which"), (9.47, "the step s at which"), (20, "sqrt(kappa) is the factor"),
     (3.72, "modulus sqrt(rho*) = r*"), (7.0, "takes (r*)^s = 1/e")],
)
def test_momentum_peak_slips(answer, says):
    feedback = momentum_peak_exercise.check(answer)
    assert feedback.status == "failed" and says in str(feedback), (answer, feedback)
    assert "Hint 1 of 2: At Polyak's optimum the steepest direction" in str(feedback)
    assert "Hint 2 of 2: Here r* = 19/21" in str(momentum_peak_exercise.check(1000))


def test_floor_exercise_right_answer_matches_runs():
    """The floors themselves: 4,000 independent noisy one-dimensional runs, momentum 0.8 with
    step 0.01 against gradient descent with 0.02 (the comparison asked) and 0.01."""
    assert floor_exercise.check("b").passed
    rng = np.random.default_rng(3)
    floors = {}
    for rho, eta in [(0.8, 0.01), (0.0, 0.02), (0.0, 0.01)]:
        noisy = noisy_gradient(lambda w: w, 1.0, rng)
        floors[rho, eta] = np.mean(momentum_descent(noisy, np.zeros(4000), rho=rho, eta=eta,
                                                    steps=1500)[-1] ** 2)
    relative_se = np.sqrt(2 / 4000)  # of each mean of 4,000 squared Gaussians
    # (b): 2.5, up to three standard errors of each floor and the small-step factors (< 1%)
    assert floors[0.8, 0.01] / floors[0.0, 0.02] == pytest.approx(
        2.5, rel=3 * np.sqrt(2) * relative_se + 0.01)
    # (d), the same-step ratio 5, is what gradient descent with step eta gives instead
    assert floors[0.8, 0.01] / floors[0.0, 0.01] == pytest.approx(
        5.0, rel=3 * np.sqrt(2) * relative_se + 0.01)
    # and the small-step formula the solution quotes
    ratio = (stationary_variance(0.8, 0.01, [1.0], 1.0)[0]
             / stationary_variance(0.0, 0.02, [1.0], 1.0)[0])
    assert ratio == pytest.approx(2.5, rel=0.01)


@pytest.mark.parametrize(("letter", "says"), [("a", "compares the steps 2 eta and eta"),
                                              ("c", "the floors match when the effective"),
                                              ("d", "at the same step")])
def test_floor_exercise_explains_each_wrong_option(letter, says):
    feedback = floor_exercise.check(letter)
    assert feedback.status == "failed" and says in str(feedback)
    assert "Hint 1 of 2: The velocity is a leaky sum" in str(feedback)
    assert "Hint 2 of 2: Momentum moves like gradient descent" in str(floor_exercise.check(letter))
    assert floor_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("exercise", "answer_text"),
    [(sample_gradient_exercise, "W.T @ (y - t)"), (momentum_peak_exercise, "**7.37**"),
     (floor_exercise, "**(b)**")],
)
def test_solutions_only_on_demand(exercise, answer_text):
    assert answer_text in exercise.solution
    untouched = exercise.check(stub if exercise is sample_gradient_exercise else ...)
    assert untouched.status == "not attempted" and answer_text not in str(untouched)
