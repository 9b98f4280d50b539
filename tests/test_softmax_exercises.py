"""Checkers for the Question 1 exercises give specific feedback."""

from __future__ import annotations

import numpy as np

from tp3helpers.exercises import check_cross_entropy_grad, check_softmax
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
