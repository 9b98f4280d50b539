"""Notebook 1's exercises: right answers pass, each typical slip gets its own feedback."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises.softmax import (
    BATCH_COUNTS,
    BATCH_LABELS,
    bias_exercise,
    curvature_exercise,
    gradient_exercise,
    softmax_exercise,
)
from tp3helpers.softmax import cross_entropy_grad, one_hot, softmax

EXERCISES = [softmax_exercise, gradient_exercise, bias_exercise, curvature_exercise]


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in EXERCISES:
        exercise.reset()


def stub(*args):
    raise NotImplementedError


def test_stub_is_not_attempted():
    for exercise in (softmax_exercise, gradient_exercise):
        feedback = exercise.check(stub)
        assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)
        assert not feedback


def test_correct_answers_pass():
    assert softmax_exercise.check(softmax).passed
    assert gradient_exercise.check(cross_entropy_grad).passed


def test_naive_softmax_fails_on_overflow():
    feedback = softmax_exercise.check(lambda a: np.exp(a) / np.exp(a).sum())
    assert feedback.status == "failed" and "overflow" in feedback.message
    assert feedback.message.startswith("for a = [1000, 1000, 999] your function raised")
    assert feedback.message.endswith("exp(1000) overflows float64")


def test_shifting_by_the_minimum_is_caught_on_the_infinite_logit():
    feedback = softmax_exercise.check(lambda a: np.exp(a - a.min()) / np.exp(a - a.min()).sum())
    assert feedback.message.startswith("for a = [0, -inf, 1] your function raised a warning")
    assert "shifting by the minimum or the mean gives -inf - (-inf) = NaN" in feedback.message


def test_wrong_gradient_names_the_entry():
    feedback = gradient_exercise.check(lambda a, t: one_hot(t, a.shape[1]) - softmax(a, axis=1))
    assert feedback.status == "failed"
    assert "sample" in feedback.message and "class" in feedback.message


def test_gradient_with_wrong_shape():
    feedback = gradient_exercise.check(
        lambda a, t: (softmax(a, axis=1) - one_hot(t, a.shape[1])).sum(axis=0)
    )
    assert "shape (4,); expected an array of shape (5, 4)" in feedback.message


def test_not_a_function():
    assert softmax_exercise.check(3).status == "failed"


def test_code_exercises_hints_lead_the_way():
    wrong_softmax = softmax_exercise.check(lambda a: np.exp(a) / np.exp(a).sum())
    assert "Hint 1 of 2: softmax(a) does not change" in str(wrong_softmax)
    assert "a.max()" not in str(wrong_softmax)  # the step comes with the second wrong attempt
    again = softmax_exercise.check(lambda a: np.exp(a) / np.exp(a).sum())
    assert "Hint 2 of 2: Subtract the largest logit, a.max()" in str(again)
    wrong_grad = gradient_exercise.check(lambda a, t: one_hot(t, a.shape[1]) - softmax(a, axis=1))
    assert "Hint 1 of 2: The Theory section's Step 3" in str(wrong_grad)


def _run_solution(exercise, name):
    """Execute the code block of a worked solution and return the function it defines."""
    block = exercise.solution.split("```python\n")[1].split("```")[0]
    namespace = {"np": np}
    exec(block, namespace)  # the project's own solution text
    return namespace[name]


def test_the_worked_solutions_pass_their_own_checkers():
    assert softmax_exercise.check(_run_solution(softmax_exercise, "my_softmax")).passed
    assert gradient_exercise.check(_run_solution(gradient_exercise, "my_grad")).passed


def test_a_student_result_of_the_wrong_kind_is_described():
    feedback = softmax_exercise.check(lambda a: "probabilities")
    assert "returned 'probabilities' (a str)" in feedback.message
    assert "expected an array of shape (3,)" in feedback.message
    feedback = gradient_exercise.check(lambda a, t: softmax(a, axis=1).astype(complex))
    assert "complex" in feedback.message and "raised" not in feedback.message


# --- the numeric exercise: the gradient with respect to a shared bias -------------------------

BATCH_LOGITS = np.log(np.array(BATCH_COUNTS, dtype=float))
# By hand: y = (1/3, 1/3, 1/3), (1/2, 1/4, 1/4), (1/8, 1/8, 3/4); targets 0, 2, 2.
BY_HAND = np.array([1 / 3 + 1 / 2 + 1 / 8 - 1, 1 / 3 + 1 / 4 + 1 / 8, 1 / 3 + 1 / 4 + 3 / 4 - 2])


def test_the_bias_exercise_states_its_batch():
    assert BATCH_LABELS == [0, 2, 2]
    assert "np.log(np.array([[1, 1, 1], [2, 1, 1], [1, 1, 6]]))" in bias_exercise.statement
    assert "labels = np.array([0, 2, 2])" in bias_exercise.statement


def test_bias_exercise_right_answer():
    assert bias_exercise.check(BY_HAND).passed
    assert bias_exercise.check(BY_HAND.round(4)).passed
    assert bias_exercise.check(BY_HAND.round(3)).passed  # three decimals are enough
    assert bias_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        (-BY_HAND, "prediction minus target"),
        (softmax(BATCH_LOGITS, axis=1) - np.eye(3)[BATCH_LABELS], "one row per sample"),
        (BY_HAND / 3, "mean over the samples"),
        (softmax(BATCH_LOGITS, axis=1).sum(axis=0), "targets are missing"),
        (softmax(BATCH_LOGITS, axis=1).sum(axis=0) - np.eye(3)[2], "dropped sum"),
        ([0.0, 0.0, 0.0], "sums to over the classes"),
        ((softmax(BATCH_LOGITS, axis=0) - np.eye(3)[BATCH_LABELS]).sum(axis=0), "over the samples"),
        (BY_HAND.round(2), "rounded too much"),
    ],
)
def test_bias_exercise_each_slip_gets_its_own_feedback(answer, explanation):
    feedback = bias_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2: The bias is added to every sample's logits" in str(feedback)


def test_bias_exercise_other_wrong_answers():
    assert bias_exercise.check([1.0, 2.0, -3.0]).message.endswith("is not right.")
    assert "expected shape (3,)" in bias_exercise.check([0.1, -0.1]).message
    assert "(a str)" in bias_exercise.check("[-0.04, 0.71, -0.67]").message


def test_bias_exercise_solution_only_on_demand():
    assert "-0.0417" not in repr(bias_exercise)
    assert "-0.0417" not in str(bias_exercise.check([0.0, 0.0, 0.0]))
    assert "[-0.0417  0.7083 -0.6667]" in bias_exercise.solution


# --- the multiple choice: where one sample's loss curves most -------------------------------


def _largest_eigenvalue(y):
    y = np.asarray(y, dtype=float)
    return np.linalg.eigvalsh(np.diag(y) - np.outer(y, y)).max()


def test_curvature_exercise_right_answer_is_the_largest_eigenvalue():
    options = {"a": [1, 0, 0, 0], "b": [0.25] * 4, "c": [0.5, 0.5, 0, 0]}
    best = max(options, key=lambda key: _largest_eigenvalue(options[key]))
    assert best == "c" and np.isclose(_largest_eigenvalue(options["c"]), 0.5)
    assert curvature_exercise.check(best).passed


@pytest.mark.parametrize(
    ("choice", "explanation"), [("a", "zero matrix"), ("b", "1/4"), ("d", "depends on y")]
)
def test_curvature_exercise_each_wrong_option_explained(choice, explanation):
    feedback = curvature_exercise.check(choice)
    assert feedback.status == "failed" and explanation in feedback.message
    assert feedback.hints and "Hint 1 of 2" in str(feedback)


def test_curvature_exercise_bad_input_and_solution():
    assert curvature_exercise.check(...).status == "not attempted"
    assert "one of 'a', 'b', 'c', 'd'" in curvature_exercise.check("e").message
    assert "**(c)**" in curvature_exercise.solution
