"""Checkers for the Question 1 exercises give specific feedback."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises import (
    bias_gradient_question,
    check_cross_entropy_grad,
    check_softmax,
    curvature_question,
)
from tp3helpers.softmax import cross_entropy_grad, one_hot, softmax


def stub(*args):
    raise NotImplementedError


def test_stub_is_not_attempted():
    for checker in (check_softmax, check_cross_entropy_grad):
        feedback = checker(stub)
        assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)
        assert not feedback


def test_correct_answers_pass():
    assert check_softmax(softmax).passed
    assert check_cross_entropy_grad(cross_entropy_grad).passed


def test_naive_softmax_fails_on_overflow():
    feedback = check_softmax(lambda a: np.exp(a) / np.exp(a).sum())
    assert feedback.status == "failed" and "overflow" in feedback.message
    assert feedback.message.startswith("for a = [1000, 1000, 999] your function raised")


def test_shifting_by_the_minimum_is_caught_on_the_infinite_logit():
    feedback = check_softmax(lambda a: np.exp(a - a.min()) / np.exp(a - a.min()).sum())
    assert feedback.message.startswith("for a = [0, -inf, 1] your function raised a warning")
    assert "Not the minimum or the mean" in str(feedback)


def test_wrong_gradient_names_the_entry():
    feedback = check_cross_entropy_grad(lambda a, t: one_hot(t, a.shape[1]) - softmax(a, axis=1))
    assert feedback.status == "failed"
    assert "sample" in feedback.message and "class" in feedback.message


def test_gradient_with_wrong_shape():
    feedback = check_cross_entropy_grad(
        lambda a, t: (softmax(a, axis=1) - one_hot(t, a.shape[1])).sum(axis=0)
    )
    assert "shape" in feedback.message


def test_not_a_function():
    assert check_softmax(3).status == "failed"


# --- hints and solutions of the code exercises ------------------------------------------------


def test_code_exercises_hint_after_a_wrong_attempt_and_solution_on_demand():
    wrong_softmax = check_softmax(lambda a: np.exp(a) / np.exp(a).sum())
    assert "Hint: softmax(a) = softmax(a - c)" in str(wrong_softmax)
    wrong_grad = check_cross_entropy_grad(lambda a, t: one_hot(t, a.shape[1]) - softmax(a, axis=1))
    assert "Hint: Per sample n" in str(wrong_grad)
    for checker in (check_softmax, check_cross_entropy_grad):
        assert "Hint" not in str(checker(stub))
        assert "```python" in checker.solution()._repr_markdown_()


def _run_solution(checker, name):
    """Execute the code block of a worked solution and return the function it defines."""
    text = checker.solution().markdown
    block = text.split("```python\n")[1].split("```")[0]
    namespace = {"np": np}
    exec(block, namespace)  # the project's own solution text
    return namespace[name]


def test_the_worked_solutions_pass_their_own_checkers():
    assert check_softmax(_run_solution(check_softmax, "my_softmax")).passed
    assert check_cross_entropy_grad(_run_solution(check_cross_entropy_grad, "my_grad")).passed


def test_a_student_result_of_the_wrong_kind_is_described():
    feedback = check_softmax(lambda a: "probabilities")
    assert "returned 'probabilities' (a str)" in feedback.message
    assert "expected an array of shape (3,)" in feedback.message
    feedback = check_cross_entropy_grad(lambda a, t: softmax(a, axis=1).astype(complex))
    assert "complex" in feedback.message and "raised" not in feedback.message


# --- the numeric question: the gradient with respect to a shared bias -------------------------

BATCH_LOGITS = np.log(np.array([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0], [1.0, 1.0, 6.0]]))
BATCH_LABELS = np.array([0, 2, 2])
# By hand: y = (1/3, 1/3, 1/3), (1/2, 1/4, 1/4), (1/8, 1/8, 3/4); targets 0, 2, 2.
BY_HAND = np.array([1 / 3 + 1 / 2 + 1 / 8 - 1, 1 / 3 + 1 / 4 + 1 / 8, 1 / 3 + 1 / 4 + 3 / 4 - 2])


@pytest.fixture
def bias_question():
    return bias_gradient_question(BATCH_LOGITS, BATCH_LABELS)


def test_bias_question_right_answer(bias_question):
    assert bias_question.check(BY_HAND).passed
    assert bias_question.check(BY_HAND.round(4)).passed
    assert bias_question.check(BY_HAND.round(3)).passed  # three decimals are enough
    assert bias_question.check(...).status == "not attempted"


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
def test_bias_question_each_slip_gets_its_own_feedback(bias_question, answer, explanation):
    feedback = bias_question.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint: Compute y_n = softmax(a_n)" in str(feedback)


def test_bias_question_other_wrong_answers(bias_question):
    assert bias_question.check([1.0, 2.0, -3.0]).message.endswith("is not right.")
    assert "expected shape (3,)" in bias_question.check([0.1, -0.1]).message
    assert "(a str)" in bias_question.check("[-0.04, 0.71, -0.67]").message


def test_bias_question_solution_only_on_demand(bias_question):
    assert "-0.0417" not in repr(bias_question)
    assert "-0.0417" not in str(bias_question.check([0.0, 0.0, 0.0]))
    assert "[-0.0417  0.7083 -0.6667]" in bias_question.solution().markdown


# --- the multiple choice: where one sample's loss curves most -------------------------------


def _largest_eigenvalue(y):
    y = np.asarray(y, dtype=float)
    return np.linalg.eigvalsh(np.diag(y) - np.outer(y, y)).max()


def test_curvature_question_right_answer_is_the_largest_eigenvalue():
    options = {"a": [1, 0, 0, 0], "b": [0.25] * 4, "c": [0.5, 0.5, 0, 0]}
    best = max(options, key=lambda key: _largest_eigenvalue(options[key]))
    assert best == "c" and np.isclose(_largest_eigenvalue(options["c"]), 0.5)
    assert curvature_question.check(best).passed


@pytest.mark.parametrize(
    ("choice", "explanation"), [("a", "zero matrix"), ("b", "1/4"), ("d", "depends on y")]
)
def test_curvature_question_each_wrong_option_explained(choice, explanation):
    feedback = curvature_question.check(choice)
    assert feedback.status == "failed" and explanation in feedback.message
    assert feedback.hint and "Hint" in str(feedback)


def test_curvature_question_bad_input_and_solution():
    assert curvature_question.check(...).status == "not attempted"
    assert "one of 'a', 'b', 'c', 'd'" in curvature_question.check("e").message
    assert "**(c)**" in curvature_question.solution().markdown


def test_stored_notebook_gives_no_answer_away():
    from pathlib import Path

    import nbformat

    path = Path(__file__).parent.parent / "notebooks" / "01_softmax_cross_entropy.ipynb"
    nb = nbformat.read(path, as_version=4)
    outputs = " ".join(
        str(output) for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs
    )
    secrets = [
        "shifted = a - np.max(a)",  # check_softmax's solution
        "y /= y.sum(axis=1, keepdims=True)",  # check_cross_entropy_grad's solution
        "0.7083",  # the shared-bias gradient
        "**(c)**",  # the curvature question's solution
        "It depends on whether the prediction is right",  # the Explore reveal
    ]
    assert not [secret for secret in secrets if secret in outputs]
    assert outputs.count("○") == 8  # four exercises, each in text/plain and text/html
