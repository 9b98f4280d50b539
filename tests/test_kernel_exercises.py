"""Checkers for the Question 2 exercises give specific feedback."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from tp3helpers.exercises.kernels import (
    CLOSEST,
    FAR_ALPHA,
    FAR_VALUE,
    SERIES,
    counterexample_exercise,
    far_prediction_exercise,
    psd_exercise,
    smallest_eigenvalue_exercise,
    taylor_exercise,
    valid_kernel_exercise,
)
from tp3helpers.kernels import (
    KernelRidge,
    exp_kernel,
    gaussian,
    is_psd,
    psd_rtol,
    taylor_exp_kernel,
)

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
    assert counterexample_exercise.check(lambda: np.array([0.5, 1.5])).passed


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
    feedback = counterexample_exercise.check(lambda: np.array([0.5, 0.5]))
    assert feedback.status == "failed" and "all your points are the same point" in feedback.message
    # Two distinct points whose negative eigenvalue is below rounding: the feedback says that it
    # exists, how small it is, and the rounding level it hides in (not "if any").
    for points in ([20.0, 21.0], [2.0, 10.0]):
        counterexample_exercise.reset()
        gram = np.exp(-np.outer(points, points))
        relative = np.linalg.eigvalsh(gram)[0] / np.abs(np.linalg.eigvalsh(gram)).max()
        assert -psd_rtol(2) < relative < 0  # a negative eigenvalue, inside the rounding level
        feedback = counterexample_exercise.check(lambda p=points: np.array(p))
        assert feedback.status == "failed", points
        assert "does have a negative eigenvalue on your distinct points" in feedback.message
        assert f"{relative:.1e}" in feedback.message and f"-{psd_rtol(2):.1e}" in feedback.message


def test_any_two_distinct_moderate_positive_points_are_a_counterexample():
    for pair in ([0.1, 0.2], [1.0, 2.0], [0.5, 3.0], [[1.0, 0.5], [0.5, 1.0]], [0.3, 0.6, 0.9]):
        assert counterexample_exercise.check(lambda p=pair: np.array(p)).passed, pair


@pytest.mark.parametrize(
    "points",
    # The Check section's pair and its visible pattern -a, a (a cell run again with new numbers),
    # points on an axis (x . x' = 0), and all-negative points: every coordinate must be positive.
    [[1.0, -1.0], [2.0, -2.0], [-3.0, 3.0], [[1.0, 0.0], [0.0, 1.0]], [-2.0, -1.0]],
)
def test_points_with_a_coordinate_not_positive_are_refused(points):
    feedback = counterexample_exercise.check(lambda: np.array(points))
    assert feedback.status == "failed", points
    assert "every coordinate must be positive" in feedback.message, feedback.message
    assert f"is {np.min(points):.3g}:" in feedback.message


def test_counterexample_shape_and_size():
    assert "two or more points" in counterexample_exercise.check(lambda: np.array([1.0])).message
    assert "below 700" in counterexample_exercise.check(lambda: np.array([26.0, 27.0])).message


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


def exp_minus_linear_on(a):
    """The Gram matrix of exp(-x x') on the two points -a and a."""
    x = np.array([-a, a])
    return np.exp(-np.outer(x, x))


def test_the_closest_pair_is_where_the_psd_rule_flips():
    # The prediction from the exact eigenvalues, against is_psd on computed ones: rounding moves
    # the ratio -a^2 by about eps / a^2 ~ 0.3 % at a ~ 2e-7, so 2 % on either side is clear.
    assert not is_psd(exp_minus_linear_on(1.02 * CLOSEST))
    assert is_psd(exp_minus_linear_on(0.98 * CLOSEST))
    assert CLOSEST == pytest.approx(np.sqrt(100 * 2 * 2.0**-52), rel=1e-12)  # artanh(u) ~ u


def test_smallest_eigenvalue_exercise():
    question = smallest_eigenvalue_exercise
    assert question.check(...).status == "not attempted"
    assert question.check(np.sqrt(np.arctanh(100 * 2 * 2.0**-52))).passed
    assert question.check(2.1e-7).passed  # two significant digits are enough
    assert "2.11 \\times 10^{-7}" in question.solution
    assert "4.44 \\times 10^{-14}" in question.solution


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (4.44e-14, "that is a^2"),
        (np.sqrt(100 * 2.0**-52), "a factor 2 is lost"),  # n = 1, or eps = 2^-53, or max|λ| = 1
        (np.sqrt(100 * 2 * 2.0**-53), "a factor 2 is lost"),  # eps_mach taken as 2^-53
        (np.sqrt(400 * 2.0**-52), "a factor 2 too many"),  # |λ_min| taken as a^2
        (np.sqrt(2 * 2.0**-52), "the factor 100 of the rule is missing"),
        (7.07e-6, "the fixed threshold -1e-10"),
        (2.0e-7, "not to 2 significant digits"),  # cut off
        (-2.1e-7, "give a positive a"),
        (0.0, "the matrix is all ones"),
        (1.0, "far too large"),
        (1e-9, "is not right."),
    ],
)
def test_smallest_eigenvalue_each_slip_gets_its_own_feedback(answer, reason):
    feedback = smallest_eigenvalue_exercise.check(answer)
    assert feedback.status == "failed" and reason in feedback.message, (answer, feedback.message)
    assert "Hint 1 of 2: Write the 2 x 2 Gram matrix" in str(feedback)
    assert smallest_eigenvalue_exercise.solution[:60] not in str(feedback)


def test_far_prediction_exercise_is_what_kernel_ridge_predicts():
    x, y, far = np.array([[0.0]]), np.array([1.0]), np.array([[10.0]])
    exp_gaussian = exp_kernel(partial(gaussian, bandwidth=1.0))
    measured = KernelRidge(exp_gaussian, alpha=FAR_ALPHA).fit(x, y).predict(far)[0]
    assert measured == pytest.approx(FAR_VALUE, rel=1e-12)
    # The Gaussian kernel itself cannot reach it: at most e^-50 at x = 10, whatever the penalty.
    for alpha in (1e-6, FAR_ALPHA, 10.0):
        gaussian_far = KernelRidge(partial(gaussian, bandwidth=1.0), alpha=alpha).fit(x, y)
        assert 0 < gaussian_far.predict(far)[0] <= np.exp(-50.0)
    question = far_prediction_exercise
    assert question.check(...).status == "not attempted"
    assert question.check(5 - np.e).passed and question.check(2.28).passed
    assert "= 0.2" in question.statement and "5 - e \\approx 2.282" in question.solution


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (4.0, "the diagonal is exp(k(0, 0)) = e, not 1"),
        (5.0, "adds to the penalty"),
        (4 * np.e, "e is its value at the training point"),
        (np.e - 5, "the sign"),
        (0.0, "does not vanish far from the data"),
        (-1.0, "alpha is a penalty, alpha > 0"),
        (3.0, "is not right."),
    ],
)
def test_far_prediction_each_slip_gets_its_own_feedback(answer, reason):
    feedback = far_prediction_exercise.check(answer)
    assert feedback.status == "failed" and reason in feedback.message, feedback.message
    assert "Hint 1 of 2: With one training point" in str(feedback)
    assert far_prediction_exercise.solution[:60] not in str(feedback)
