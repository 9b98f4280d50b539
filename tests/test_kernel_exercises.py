"""Checkers for the Question 2 exercises give specific feedback."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from tp3helpers.exercises.kernels import (
    SERIES,
    counterexample_exercise,
    far_prediction_exercise,
    psd_exercise,
    smallest_eigenvalue_exercise,
    taylor_exercise,
    valid_kernel_exercise,
)
from tp3helpers.kernels import KernelRidge, exp_kernel, gaussian, is_psd, taylor_exp_kernel

CHECKERS = [psd_exercise, taylor_exercise, counterexample_exercise]
QUESTIONS = [valid_kernel_exercise, smallest_eigenvalue_exercise, far_prediction_exercise]


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


def reference_certificate(K):
    if is_psd(K):
        return None
    return np.linalg.eigh(K)[1][:, 0]


def reference_series(K, coefficients):
    return sum(a * K**i for i, a in enumerate(coefficients))  # K**0 is all ones


def test_correct_answers_pass():
    assert psd_exercise.check(reference_certificate).passed
    assert taylor_exercise.check(reference_series).passed
    assert counterexample_exercise.check(lambda: np.array([-1.5, 0.5])).passed


def test_the_series_cases_include_the_taylor_sum_of_exp():
    K = np.random.default_rng(0).uniform(-1, 1, size=(4, 4))
    K = K + K.T
    taylor = taylor_exp_kernel(lambda X, Y=None: K, 5)(np.zeros((4, 1)))
    np.testing.assert_allclose(reference_series(K, SERIES["the Taylor sum T_5 of exp"]), taylor)


# --- the certificate: None up to rounding, else a vector with c^T K c < 0 ----------------------


def threshold_certificate(threshold):
    """A certificate with an absolute threshold on the smallest eigenvalue."""
    def certificate(K):
        eigenvalues, vectors = np.linalg.eigh(K)
        return None if eigenvalues[0] >= -threshold else vectors[:, 0]
    return certificate


def test_exact_zero_threshold_fails_on_rounding():
    feedback = psd_exercise.check(threshold_certificate(0.0))
    assert feedback.status == "failed" and "PSD up to rounding" in feedback.message
    assert "rank 2" in feedback.message and "return None" in feedback.message


@pytest.mark.parametrize("threshold", [1e-12, 1e-9, 1e-7, 1e-4])
def test_every_absolute_threshold_fails_at_some_scale(threshold):
    feedback = psd_exercise.check(threshold_certificate(threshold))
    assert feedback.status == "failed"
    assert "times 1e6" in feedback.message or "times 1e-6" in feedback.message, feedback.message


def test_a_too_loose_relative_tolerance_misses_a_real_negative_eigenvalue():
    def loose(K):
        eigenvalues, vectors = np.linalg.eigh(K)
        return None if eigenvalues[0] >= -1e-5 * np.abs(eigenvalues).max() else vectors[:, 0]

    feedback = psd_exercise.check(loose)
    assert feedback.status == "failed" and "-1e-07 times the largest" in feedback.message
    assert "return the eigenvector" in feedback.message and "Hint 1 of 2" in str(feedback)


def test_a_vector_that_proves_nothing_is_refused():
    def largest(K):  # the right decision, the wrong eigenvector
        eigenvalues, vectors = np.linalg.eigh(K)
        return None if is_psd(K) else vectors[:, -1]

    feedback = psd_exercise.check(largest)
    assert feedback.status == "failed" and "it proves nothing" in feedback.message
    feedback = psd_exercise.check(lambda K: None if is_psd(K) else np.zeros(len(K)))
    assert "finite and non-zero" in feedback.message


def test_a_certificate_of_the_wrong_kind_is_described():
    feedback = psd_exercise.check(lambda K: False)
    assert feedback.status == "failed" and "expected an array of shape (3,)" in feedback.message
    feedback = psd_exercise.check(lambda K: None if is_psd(K) else np.eye(len(K)))
    assert "an array of shape (2, 2); expected an array of shape (2,)" in feedback.message


# --- the power series of k --------------------------------------------------------------------


def test_matrix_powers_are_recognised():
    feedback = taylor_exercise.check(
        lambda K, a: sum(c * np.linalg.matrix_power(K, i) for i, c in enumerate(a)))
    assert feedback.status == "failed" and "element-wise powers K**i" in feedback.message
    assert "the matrix power K^0" in feedback.message  # seen first on the constant case


def test_the_identity_as_the_constant_term_is_named():
    feedback = taylor_exercise.check(
        lambda K, a: a[0] * np.eye(len(K)) + sum(c * K**i for i, c in enumerate(a) if i))
    assert feedback.message.startswith("for g(k) = 3 (a constant) your term i = 0 is 3 times the "
                                       "identity")


def test_missing_constant_term_is_named():
    feedback = taylor_exercise.check(
        lambda K, a: sum((c * K**i for i, c in enumerate(a) if i), np.zeros_like(K)))
    assert feedback.status == "failed" and "the term i = 0 is missing" in feedback.message


def test_powers_one_too_high_and_a_missing_last_term_are_named():
    feedback = taylor_exercise.check(lambda K, a: sum(c * K ** (i + 1) for i, c in enumerate(a)))
    assert "your powers are one too high" in feedback.message
    feedback = taylor_exercise.check(lambda K, a: sum(c * K**i for i, c in enumerate(a[:-1]))
                                     + 0.0 * K if len(a) > 1 else a[0] * np.ones_like(K))
    assert feedback.message.startswith("for g(k) = k the last term, a_1 K**1, is missing")


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
    assert psd_exercise.check(namespace["my_certificate"]).passed
    assert taylor_exercise.check(namespace["my_series_gram"]).passed
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


def test_far_prediction_exercise_is_what_kernel_ridge_predicts():
    x, y, far = np.array([[0.0]]), np.array([1.0]), np.array([[10.0]])
    gaussian_h1 = partial(gaussian, bandwidth=1.0)
    measured = [KernelRidge(kernel, alpha=1.0).fit(x, y).predict(far)[0]
                for kernel in (gaussian_h1, exp_kernel(gaussian_h1))]
    question = far_prediction_exercise
    assert question.check(measured).passed
    assert question.check([0.0, 0.269]).passed and question.check([0, 1 / (np.e + 1)]).passed
    assert question.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ([0.0, 0.0], "the constant term of its series"),
        ([0.5, 0.269], "0.5 is the dual weight beta"),
        ([0.0, 1 / np.e], "the penalty alpha = 1 adds to k(0, 0)"),
        ([0.0, 0.5], "the diagonal is exp(k(0, 0)) = e"),
        ([0.0, np.e / (np.e + 1)], "the prediction at the training point"),
        ([0.0, 1.0], "the penalty pulls it below y_1"),
        (0.269, "give two numbers"),
        ([0.0, 0.3], "is not right."),
    ],
)
def test_far_prediction_each_slip_gets_its_own_feedback(answer, reason):
    feedback = far_prediction_exercise.check(answer)
    assert feedback.status == "failed" and reason in feedback.message, feedback.message
    assert "Hint 1 of 2: With one training point" in str(feedback)
    assert far_prediction_exercise.solution[:60] not in str(feedback)
    assert "[0, 0.269]" in far_prediction_exercise.solution
