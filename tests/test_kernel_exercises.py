"""Checkers for the Question 2 exercises give specific feedback."""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest

from tp3helpers.exercises.kernels import (
    check_exp_counterexample,
    check_is_psd,
    check_taylor_exp_gram,
)
from tp3helpers.kernels import is_psd, taylor_exp_kernel

CHECKERS = [check_is_psd, check_taylor_exp_gram, check_exp_counterexample]


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("checker", CHECKERS)
def test_stub_is_not_attempted(checker):
    feedback = checker(stub)
    assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)
    assert not feedback


def reference_is_psd(K):
    return bool(np.allclose(K, K.T)) and is_psd(0.5 * (K + K.T))


def reference_taylor(K, order):
    return taylor_exp_kernel(lambda X, Y=None: K, order)(np.zeros((len(K), 1)))


def test_correct_answers_pass():
    assert check_is_psd(reference_is_psd).passed
    assert check_taylor_exp_gram(reference_taylor).passed
    assert check_exp_counterexample(lambda: np.array([-1.0, 1.0])).passed


def test_exact_zero_threshold_fails_on_rounding():
    feedback = check_is_psd(lambda K: bool(np.linalg.eigvalsh(K)[0] >= 0))
    assert feedback.status == "failed" and "rounding error" in feedback.message


def test_absolute_threshold_fails_on_a_scaled_matrix():
    feedback = check_is_psd(lambda K: bool(np.linalg.eigvalsh(K)[0] >= -1e-10))
    assert feedback.status == "failed" and "times 1e6" in feedback.message


def test_missing_symmetry_check_is_named():
    def no_symmetry(K):
        eigenvalues = np.linalg.eigvals(K).real
        return bool(eigenvalues.min() >= -1e-8 * np.abs(eigenvalues).max())

    feedback = check_is_psd(no_symmetry)
    assert feedback.status == "failed" and "symmetric" in feedback.message


def test_is_psd_must_return_a_bool():
    feedback = check_is_psd(lambda K: np.linalg.eigvalsh(K))
    assert "return True or False" in feedback.message


def test_matrix_powers_are_recognised():
    feedback = check_taylor_exp_gram(
        lambda K, n: sum(np.linalg.matrix_power(K, i) / factorial(i) for i in range(n + 1))
    )
    assert feedback.status == "failed" and "element-wise powers" in feedback.message


def test_missing_last_term_is_named():
    def off_by_one(K, n):
        return np.ones_like(K) + sum(K**i / factorial(i) for i in range(1, n))

    feedback = check_taylor_exp_gram(off_by_one)
    assert feedback.status == "failed" and "K**1/1! is missing" in feedback.message


def test_points_where_exp_minus_k_is_psd_fail():
    feedback = check_exp_counterexample(lambda: np.array([0.0, 0.0]))
    assert feedback.status == "failed" and "is PSD" in feedback.message


def test_counterexample_shape_and_size():
    assert "two or more points" in check_exp_counterexample(lambda: np.array([1.0])).message
    assert "below 700" in check_exp_counterexample(lambda: np.array([-30.0, 30.0])).message
