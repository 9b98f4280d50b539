"""Notebook 4's exercises: right answers pass, each known slip gets its own feedback and the hint,
the worked solution appears only on demand."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises.digits import (
    bandwidth_exercise,
    momentum_steps_exercise,
    sample_gradient_exercise,
)
from tp3helpers.softmax import softmax


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in (sample_gradient_exercise, momentum_steps_exercise, bandwidth_exercise):
        exercise.reset()


def right(phi, t, W):
    return np.outer(phi, softmax(W.T @ phi) - t)


def test_sample_gradient_right_answer_passes():
    feedback = sample_gradient_exercise.check(right)
    assert feedback.passed, feedback


def stub(phi, t, W):
    raise NotImplementedError


def test_sample_gradient_not_attempted():
    feedback = sample_gradient_exercise.check(stub)
    assert feedback.status == "not attempted" and "Hint" not in str(feedback)


@pytest.mark.parametrize(
    ("wrong", "says"),
    [
        (lambda phi, t, W: np.outer(phi, t - softmax(W.T @ phi)), "sign is reversed"),
        (lambda phi, t, W: np.outer(phi, W.T @ phi - t), "use the logits a instead"),
        (lambda phi, t, W: softmax(W.T @ phi) - t, "with respect to the logits"),
        (lambda phi, t, W: right(phi, t, W).T, "transpose"),
        (lambda phi, t, W: np.outer(phi, np.exp(W.T @ phi) / np.exp(W.T @ phi).sum() - t),
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
    assert "Hint 2 of 2: The logit a_k depends on W[j, k]" in str(sample_gradient_exercise.check(
        wrong))


def test_momentum_steps_exercise():
    expected = int(np.ceil(np.log(1e6) / np.log(21 / 19)))  # (sqrt(400) - 1)/(sqrt(400) + 1)
    assert momentum_steps_exercise.check(expected).passed
    assert momentum_steps_exercise.check(...).status == "not attempted"
    slips = {5526: "gradient descent's count", 276: "factor 1/2", 20: "sqrt(kappa) alone",
             10: "far too few"}
    for answer, says in slips.items():
        feedback = momentum_steps_exercise.check(answer)
        assert feedback.status == "failed" and says in str(feedback), (answer, feedback)
        assert "Hint 1 of 2: Momentum with (rho*, eta*) shrinks the error" in str(feedback)
    assert "is not right." in str(momentum_steps_exercise.check(1000))


def test_bandwidth_exercise():
    assert bandwidth_exercise.check("a").passed
    for letter, says in [("b", "best held-out"), ("c", "under-fitting"), ("d", "the reverse")]:
        feedback = bandwidth_exercise.check(letter)
        assert feedback.status == "failed" and says in str(feedback)
        assert "Over-fitting means" in str(feedback)
    assert bandwidth_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("exercise", "answer_text"),
    [(sample_gradient_exercise, "np.outer(phi, y - t)"), (momentum_steps_exercise, "139 steps"),
     (bandwidth_exercise, "**(a)**")],
)
def test_solutions_only_on_demand(exercise, answer_text):
    assert answer_text in exercise.solution
    untouched = exercise.check(stub if exercise is sample_gradient_exercise else ...)
    assert untouched.status == "not attempted" and answer_text not in str(untouched)
