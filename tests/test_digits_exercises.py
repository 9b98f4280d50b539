"""Notebook 4's exercises: right answers pass, each known slip gets its own feedback and the hint,
the worked solution appears only on demand."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises.digits import (
    bandwidth_question,
    check_sample_gradient,
    momentum_steps_question,
)
from tp3helpers.softmax import softmax


def right(phi, t, W):
    return np.outer(phi, softmax(W.T @ phi) - t)


def test_sample_gradient_right_answer_passes():
    feedback = check_sample_gradient(right)
    assert feedback.passed, feedback


def stub(phi, t, W):
    raise NotImplementedError


def test_sample_gradient_not_attempted():
    feedback = check_sample_gradient(stub)
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
    feedback = check_sample_gradient(wrong)
    assert feedback.status == "failed"
    assert says in str(feedback)
    assert "np.outer(phi, y - t)" in str(feedback)  # the hint, after a wrong attempt


def test_momentum_steps_question():
    expected = int(np.ceil(np.log(1e6) / np.log(21 / 19)))  # (sqrt(400) - 1)/(sqrt(400) + 1)
    assert momentum_steps_question.check(expected).passed
    assert momentum_steps_question.check(...).status == "not attempted"
    slips = {5526: "gradient descent's count", 276: "factor 1/2", 20: "sqrt(kappa) alone",
             10: "far too few"}
    for answer, says in slips.items():
        feedback = momentum_steps_question.check(answer)
        assert feedback.status == "failed" and says in str(feedback), (answer, feedback)
        assert "solve r^t = eps" in str(feedback)
    assert "is not right." in str(momentum_steps_question.check(1000))


def test_bandwidth_question():
    assert bandwidth_question.check("a").passed
    for letter, says in [("b", "best held-out"), ("c", "under-fitting"), ("d", "the reverse")]:
        feedback = bandwidth_question.check(letter)
        assert feedback.status == "failed" and says in str(feedback)
        assert "Over-fitting means" in str(feedback)
    assert bandwidth_question.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("exercise", "answer_text"),
    [(check_sample_gradient, "np.outer(phi, y - t)"), (momentum_steps_question, "139 steps"),
     (bandwidth_question, "**(a)**")],
)
def test_solutions_only_on_demand(exercise, answer_text):
    solution = exercise.solution()
    assert answer_text in solution._repr_markdown_()
    untouched = exercise.check(stub if exercise is check_sample_gradient else ...)
    assert untouched.status == "not attempted" and answer_text not in str(untouched)
