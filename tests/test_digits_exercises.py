"""Notebook 4's exercises: right answers pass, each known slip gets its own feedback and the hint,
the worked solution appears only on demand."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.digits import SoftmaxObjective
from tp3helpers.exercises.digits import (
    floor_exercise,
    momentum_steps_exercise,
    sample_gradient_exercise,
)
from tp3helpers.momentum import (
    momentum_descent,
    noisy_gradient,
    optimal_parameters,
    stationary_variance,
    steps_to_tolerance,
)
from tp3helpers.softmax import softmax


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in (sample_gradient_exercise, momentum_steps_exercise, floor_exercise):
        exercise.reset()


def right(phi, t, W):
    return np.outer(softmax(W @ phi) - t, phi)


def test_sample_gradient_right_answer_passes():
    feedback = sample_gradient_exercise.check(right)
    assert feedback.passed, feedback


def test_sample_gradient_right_answer_is_one_term_of_the_objective_gradient(rng):
    """Summed over the images (and with the penalty) the answer is SoftmaxObjective.grad."""
    phi, labels = rng.normal(size=(6, 4)), np.array([0, 1, 2, 1, 0, 2])
    objective = SoftmaxObjective(phi, labels, 0.5, num_classes=3)
    w = rng.normal(size=objective.size)
    W = objective.weights(w)
    total = sum(right(phi[n], np.eye(3)[labels[n]], W) for n in range(6)) + 0.5 * W
    np.testing.assert_allclose(total, objective.weights(objective.grad(w)), rtol=1e-12)


def stub(phi, t, W):
    raise NotImplementedError


def test_sample_gradient_not_attempted():
    feedback = sample_gradient_exercise.check(stub)
    assert feedback.status == "not attempted" and "Hint" not in str(feedback)


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        (lambda phi, t, W: np.outer(t - softmax(W @ phi), phi), "sign is reversed"),
        (lambda phi, t, W: np.outer(W @ phi - t, phi), "use the logits a instead"),
        (lambda phi, t, W: softmax(W @ phi) - t, "with respect to the logits"),
        (lambda phi, t, W: right(phi, t, W).T, "one row per class"),
        (lambda phi, t, W: np.outer(np.exp(W @ phi) / np.exp(W @ phi).sum() - t, phi),
         "warning"),
        (lambda phi, t, W: 2 * right(phi, t, W), "expected"),
    ],
)
def test_sample_gradient_slips_get_their_own_feedback_and_the_hint(wrong, says):
    feedback = sample_gradient_exercise.check(wrong)
    assert feedback.status == "failed"
    assert says in str(feedback)
    assert "Hint 1 of 2: Notebook 1: the gradient with respect to the logits" in str(feedback)
    assert "Hint 2" not in str(feedback)  # the step comes after a second wrong attempt
    assert "Hint 2 of 2: The logit a_k depends on W[k, j]" in str(sample_gradient_exercise.check(
        wrong))


def test_momentum_steps_answer_is_the_count_of_a_run():
    rho, eta = optimal_parameters(1.0, 400.0)
    path = momentum_descent(lambda w: 400.0 * w, [1.0], rho=rho, eta=eta, steps=400)[:, 0]
    measured = steps_to_tolerance(np.abs(path), 1e-6)
    assert measured == 198 and momentum_steps_exercise.check(measured).passed
    assert momentum_steps_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("answer", "says"),
    [(139, "from the rate r* alone"), (138, "shortcut (1/2) sqrt(kappa)"),
     (167, "factor of the flattest direction"), (5526, "gradient descent's count"),
     (276, "about 1 - 2/sqrt(k)")],
)
def test_momentum_steps_slips(answer, says):
    feedback = momentum_steps_exercise.check(answer)
    assert feedback.status == "failed" and says in str(feedback), (answer, feedback)
    assert "Hint 1 of 2: At Polyak's optimum both ends of the spectrum" in str(feedback)
    assert "is not right." in str(momentum_steps_exercise.check(1000))


def test_floor_exercise_right_answer_matches_runs():
    """The floors themselves: 4,000 independent noisy one-dimensional runs, momentum 0.8 with
    step 0.01 against gradient descent with 0.05 (the answer) and 0.01."""
    assert floor_exercise.check("b").passed
    rng = np.random.default_rng(3)
    floors = {}
    for rho, eta in [(0.8, 0.01), (0.0, 0.05), (0.0, 0.01)]:
        noisy = noisy_gradient(lambda w: w, 1.0, rng)
        floors[rho, eta] = np.mean(momentum_descent(noisy, np.zeros(4000), rho=rho, eta=eta,
                                                    steps=1500)[-1] ** 2)
    relative_se = np.sqrt(2 / 4000)
    assert floors[0.8, 0.01] == pytest.approx(floors[0.0, 0.05], rel=6 * relative_se + 0.02)
    assert floors[0.8, 0.01] > 4 * floors[0.0, 0.01]
    # and the small-step formula the solution quotes
    assert stationary_variance(0.8, 0.01, [1.0], 1.0)[0] == pytest.approx(
        stationary_variance(0.0, 0.05, [1.0], 1.0)[0], rel=0.03)


@pytest.mark.parametrize(("letter", "says"), [("a", "momentum's floor is higher"),
                                              ("c", "the other way round"),
                                              ("d", "rho does not multiply the step")])
def test_floor_exercise_explains_each_wrong_option(letter, says):
    feedback = floor_exercise.check(letter)
    assert feedback.status == "failed" and says in str(feedback)
    assert "Hint 1 of 2: The velocity is a leaky sum" in str(feedback)
    assert floor_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("exercise", "answer_text"),
    [(sample_gradient_exercise, "np.outer(y - t, phi)"), (momentum_steps_exercise, "198 steps"),
     (floor_exercise, "**(b)**")],
)
def test_solutions_only_on_demand(exercise, answer_text):
    assert answer_text in exercise.solution
    untouched = exercise.check(stub if exercise is sample_gradient_exercise else ...)
    assert untouched.status == "not attempted" and answer_text not in str(untouched)
