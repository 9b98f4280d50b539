"""Checkers for the Question 1 exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..softmax import cross_entropy, softmax
from ._feedback import Feedback, run_cases

__all__ = ["check_softmax", "check_cross_entropy_grad"]


def _compare(name: str, got: object, expected: np.ndarray, atol: float = 1e-9) -> str | None:
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        return f"for {name} the result has shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)):
        return f"for {name} the result contains NaN or inf: {np.round(got, 4)}"
    if not np.allclose(got, expected, rtol=1e-7, atol=atol):
        return f"for {name} you return {np.round(got, 4)}, expected {np.round(expected, 4)}"
    return None


def check_softmax(fn: Callable[[np.ndarray], np.ndarray]) -> Feedback:
    """Check a student's ``softmax(a)`` for one 1-D vector of logits.

    Cases: small logits, a shift by a constant, logits of 1000 (overflow in a naive version),
    logits of -1000 (underflow to 0/0) and a ``-inf`` logit (probability exactly 0).
    """
    cases = [
        ("a = [1, 2, 3]", np.array([1.0, 2.0, 3.0])),
        ("a = [1, 2, 3] + 50", np.array([51.0, 52.0, 53.0])),
        ("a = [1000, 1000, 999]", np.array([1000.0, 1000.0, 999.0])),
        ("a = [-1000, -1001, -1002]", np.array([-1000.0, -1001.0, -1002.0])),
        ("a = [0, -inf, 1]", np.array([0.0, -np.inf, 1.0])),
    ]
    checks = [
        (lambda f, name=name, a=a: _compare(name, f(a.copy()), softmax(a))) for name, a in cases
    ]
    return run_cases(
        "check_softmax",
        fn,
        checks,
        "correct, including logits of ±1000 and -inf: you subtracted the maximum.",
    )


def check_cross_entropy_grad(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Feedback:
    """Check a student's ``grad(logits, labels)`` returning the (N, K) gradient of ``E_D``.

    It is compared with central finite differences of :func:`tp3helpers.softmax.cross_entropy` on
    seeded random logits, then on logits of 1000.
    """
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(5, 4))
    labels = rng.integers(0, 4, size=5)
    big = logits * 300.0

    def against_finite_differences(f: Callable, a: np.ndarray, name: str) -> str | None:
        expected = numerical_gradient(lambda z: cross_entropy(z, labels), a, eps=1e-6)
        got = np.asarray(f(a.copy(), labels.copy()), dtype=float)
        if got.shape != a.shape:
            return (
                f"for {name} the gradient has shape {got.shape}, "
                f"expected {a.shape} (one row per sample)"
            )
        if not np.all(np.isfinite(got)):
            return f"for {name} the gradient contains NaN or inf"
        err = relative_error(got, expected)
        if err > 1e-6:
            worst = np.unravel_index(np.argmax(np.abs(got - expected)), a.shape)
            return (
                f"for {name} the relative error against finite differences is {err:.1e}; "
                f"the worst entry is sample {worst[0]}, class {worst[1]}: you give "
                f"{got[worst]:.4f}, finite differences give {expected[worst]:.4f}"
            )
        return None

    checks = [
        lambda f: against_finite_differences(f, logits, "5 samples with 4 classes"),
        lambda f: against_finite_differences(f, big, "logits of size ~1000"),
    ]
    return run_cases(
        "check_cross_entropy_grad",
        fn,
        checks,
        "correct: your gradient matches finite differences, also for large logits.",
    )
