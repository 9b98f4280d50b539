"""Checkers for the Question 2 exercises give specific feedback."""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest

from tp3helpers.exercises.kernels import (
    counterexample_exercise,
    feature_count_exercise,
    psd_exercise,
    smallest_eigenvalue_exercise,
    taylor_exercise,
    valid_kernel_exercise,
)
from tp3helpers.kernels import exp_feature_map, is_psd, taylor_exp_kernel

CHECKERS = [psd_exercise, taylor_exercise, counterexample_exercise]
QUESTIONS = [valid_kernel_exercise, smallest_eigenvalue_exercise, feature_count_exercise]


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in CHECKERS + QUESTIONS:
        exercise.reset()


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("checker", CHECKERS)
def test_stub_is_not_attempted(checker):
    feedback = checker.check(stub)
    assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)
    assert not feedback


def reference_is_psd(K):
    return bool(np.allclose(K, K.T)) and is_psd(0.5 * (K + K.T))


def reference_taylor(K, order):
    return taylor_exp_kernel(lambda X, Y=None: K, order)(np.zeros((len(K), 1)))


def test_correct_answers_pass():
    assert psd_exercise.check(reference_is_psd).passed
    assert taylor_exercise.check(reference_taylor).passed
    assert counterexample_exercise.check(lambda: np.array([-1.5, 0.5])).passed


def test_exact_zero_threshold_fails_on_rounding():
    feedback = psd_exercise.check(lambda K: bool(np.linalg.eigvalsh(K)[0] >= 0))
    assert feedback.status == "failed" and "rounding error" in feedback.message


def test_absolute_threshold_fails_on_a_scaled_matrix():
    feedback = psd_exercise.check(lambda K: bool(np.linalg.eigvalsh(K)[0] >= -1e-10))
    assert feedback.status == "failed" and "times 1e6" in feedback.message


def test_missing_symmetry_check_is_named():
    def no_symmetry(K):
        eigenvalues = np.linalg.eigvals(K).real
        return bool(eigenvalues.min() >= -1e-8 * np.abs(eigenvalues).max())

    feedback = psd_exercise.check(no_symmetry)
    assert feedback.status == "failed" and "symmetric" in feedback.message


def test_is_psd_must_return_a_bool():
    feedback = psd_exercise.check(lambda K: np.linalg.eigvalsh(K))
    assert "return True or False" in feedback.message


def test_matrix_powers_are_recognised():
    feedback = taylor_exercise.check(
        lambda K, n: sum(np.linalg.matrix_power(K, i) / factorial(i) for i in range(n + 1))
    )
    assert feedback.status == "failed" and "element-wise powers" in feedback.message


def test_missing_constant_term_is_named():
    feedback = taylor_exercise.check(
        lambda K, n: sum((K**i / factorial(i) for i in range(1, n + 1)), np.zeros_like(K))
    )
    assert feedback.status == "failed" and "the term i = 0 is missing" in feedback.message


def test_missing_last_term_is_named():
    def off_by_one(K, n):
        return np.ones_like(K) + sum(K**i / factorial(i) for i in range(1, n))

    feedback = taylor_exercise.check(off_by_one)
    assert feedback.status == "failed" and "K**1/1! is missing" in feedback.message


def test_points_where_exp_minus_k_is_psd_fail():
    feedback = counterexample_exercise.check(lambda: np.array([0.0, 0.0]))
    assert feedback.status == "failed" and "looks PSD" in feedback.message
    assert "all your points are the same point" in feedback.message
    # Two large points of the same sign: the negative eigenvalue is below rounding.
    feedback = counterexample_exercise.check(lambda: np.array([20.0, 21.0]))
    assert feedback.status == "failed" and "lost in rounding" in feedback.message


def test_any_two_distinct_moderate_points_are_a_counterexample_but_not_the_check_sections():
    for pair in ([0.1, 0.2], [-2.0, 1.0], [0.5, 3.0], [[1.0, 0.0], [0.0, 1.0]]):
        assert counterexample_exercise.check(lambda p=pair: np.array(p)).passed, pair
    feedback = counterexample_exercise.check(lambda: np.array([1.0, -1.0]))
    assert feedback.status == "failed" and "Check section's two points" in feedback.message
    feedback = counterexample_exercise.check(lambda: np.array([2.0, -2.0]))  # answered elsewhere
    assert feedback.status == "failed" and "eigenvalue exercise" in feedback.message


def test_counterexample_shape_and_size():
    assert "two or more points" in counterexample_exercise.check(lambda: np.array([1.0])).message
    assert "below 700" in counterexample_exercise.check(lambda: np.array([-30.0, 30.0])).message


def test_a_too_loose_relative_tolerance_misses_a_real_negative_eigenvalue():
    feedback = psd_exercise.check(
        lambda K: bool(np.allclose(K, K.T))
        and bool(np.linalg.eigvalsh(K)[0] >= -1e-5 * np.abs(np.linalg.eigvalsh(K)).max())
    )
    assert feedback.status == "failed" and "-1e-7 times the largest" in feedback.message
    assert "rounding level" in feedback.message and "Hint 1 of 2" in str(feedback)


@pytest.mark.parametrize("threshold", [1e-12, 1e-9, 1e-7, 1e-4])
def test_every_absolute_threshold_fails_at_some_scale(threshold):
    def absolute(K):
        return bool(np.allclose(K, K.T)) and bool(np.linalg.eigvalsh(K)[0] >= -threshold)

    feedback = psd_exercise.check(absolute)
    assert feedback.status == "failed"
    assert "times 1e6" in feedback.message or "times 1e-6" in feedback.message, feedback.message


@pytest.mark.parametrize("checker", CHECKERS)
def test_hint_after_a_wrong_attempt_and_solution_only_on_demand(checker):
    wrong = checker.check(lambda *args: np.zeros((1, 1)))
    assert wrong.status == "failed" and f"Hint 1 of 2: {checker.hints[0]}" in str(wrong)
    assert "Hint" not in str(checker.check(stub))  # not attempted: no hint yet
    assert "```python" not in str(wrong)  # the solution is not given away
    assert "```python" in checker.solution


def test_the_solutions_pass_their_own_checkers():
    namespace = {"np": np}
    for checker in CHECKERS:
        code = checker.solution.split("```python")[1].split("```")[0]
        exec(code, namespace)  # noqa: S102 - our own solution text
    assert psd_exercise.check(namespace["my_is_psd"]).passed
    assert taylor_exercise.check(namespace["my_taylor_exp_gram"]).passed
    assert counterexample_exercise.check(namespace["my_counterexample"]).passed


def test_valid_kernel_exercise():
    question = valid_kernel_exercise
    assert question.check(...).status == "not attempted"
    assert question.check("c").passed and question.check(" C ").passed
    reasons = {
        "a": "1/e - e < 0",
        "b": "converges only where |x x'| < 1",
        "d": "trace 0",
        "e": "k(0, 0) = -1",
    }
    for option, reason in reasons.items():
        feedback = question.check(option)
        assert feedback.status == "failed" and reason in feedback.message, feedback.message
        assert "Hint 1 of 2" in str(feedback)
    assert "one of" in question.check("z").message
    assert "Only **(c)** is valid" in question.solution


def test_smallest_eigenvalue_exercise():
    question = smallest_eigenvalue_exercise
    assert question.check(np.exp(-4) - np.exp(4)).passed
    assert question.check(-54.6).passed  # three significant digits are enough
    wrong = {
        54.58: "wrong sign",
        np.exp(-4) + np.exp(4) + 1.0: "determinant",  # any other positive number
        np.exp(-4): "diagonal entry",
        0.0: "not valid",
        -54.5: "round the last digit",  # cut off instead of rounded
    }
    for answer, reason in wrong.items():
        feedback = question.check(answer)
        assert feedback.status == "failed" and reason in feedback.message, (answer, feedback)
        assert "Hint 1 of 2" in str(feedback)
    assert "-54.58" in question.solution


def test_feature_count_exercise():
    question = feature_count_exercise
    assert question.check(121).passed
    wrong = {81: "last block only", 120: "i = 0 is missing", 35: "distinct monomials",
             31: "count on the plane", 40: "stops at order 3", 242: "denominator",
             5: "one coordinate per order"}
    for answer, reason in wrong.items():
        feedback = question.check(answer)
        assert feedback.status == "failed" and reason in feedback.message, (answer, feedback)
        assert "Hint 1 of 2" in str(feedback)
    assert question.check(np.array([121, 121])).status == "failed"
    assert "121" in question.solution
    # The notebook prints the counts on the plane: the answer for 3-D is not among them.
    assert exp_feature_map(np.ones((1, 3)), 4).shape[1] == 121
    assert 121 not in [exp_feature_map(np.ones((1, 2)), n).shape[1] for n in range(7)]
