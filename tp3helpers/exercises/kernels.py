"""Checkers for the Question 2 exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..kernels import gaussian, is_psd, linear, min_eigenvalue
from ._feedback import Feedback, WrongResult, result_array, run_cases

__all__ = ["check_is_psd", "check_taylor_exp_gram", "check_exp_counterexample"]

# A counterexample needs two points; more than this would only make the checker's Gram matrix big.
MAX_POINTS = 200


def _psd_cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(11)
    points = rng.normal(size=(12, 2))
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    return [
        ("the 3x3 identity", np.eye(3)),
        ("[[1, 2], [2, 1]] (eigenvalues 3 and -1)", np.array([[1.0, 2.0], [2.0, 1.0]])),
        ("a Gaussian Gram matrix of 12 points", gaussian(points, bandwidth=0.7)),
        ("the linear Gram matrix of 12 points in 2-D (rank 2, so ten eigenvalues are 0 "
         "up to rounding)", linear(points)),
        ("the same rank-2 Gram matrix times 1e6", 1e6 * linear(points)),
        ("a matrix with eigenvalues 1, 0.5, 0.2 and -1e-3",
         q @ np.diag([1.0, 0.5, 0.2, -1e-3]) @ q.T),
        ("[[1, 3], [0, 1]] (eigenvalues 1 and 1, but not symmetric)",
         np.array([[1.0, 3.0], [0.0, 1.0]])),
    ]


def _expected_psd(K: np.ndarray) -> bool:
    return bool(np.allclose(K, K.T)) and is_psd(0.5 * (K + K.T))


def _psd_advice(name: str, K: np.ndarray, expected: bool) -> str:
    if not np.allclose(K, K.T):
        return (
            f"for {name} you answer True, but a Gram matrix is always symmetric: check "
            "np.allclose(K, K.T) first (np.linalg.eigvals alone is fooled here)"
        )
    smallest = min_eigenvalue(0.5 * (K + K.T))
    if expected:
        return (
            f"for {name} you answer False, but its smallest computed eigenvalue, {smallest:.1e}, "
            "is rounding error: compare with a tolerance that scales with the matrix, such as "
            "-1e-10 * (largest |eigenvalue|)"
        )
    return (
        f"for {name} you answer True, but its smallest eigenvalue is {smallest:.3g}: "
        "that is far beyond rounding error, so the matrix is not PSD"
    )


def check_is_psd(fn: Callable[[np.ndarray], bool]) -> Feedback:
    """Check a student's ``is_psd(K)`` returning whether ``K`` is a symmetric PSD matrix.

    Cases: the identity, a matrix with a negative eigenvalue, Gaussian and rank-deficient linear
    Gram matrices (the latter also scaled by 1e6), a small negative eigenvalue (-1e-3) and a
    non-symmetric matrix whose eigenvalues are positive.
    """

    def case(name: str, K: np.ndarray) -> Callable[[Callable], str | None]:
        def run(f: Callable) -> str | None:
            expected = _expected_psd(K)
            answer = f(K.copy())
            if not isinstance(answer, bool | np.bool_):
                return f"for {name} you return {answer!r}; return True or False"
            return None if bool(answer) == expected else _psd_advice(name, K, expected)

        return run

    return run_cases(
        "check_is_psd", fn, [case(name, K) for name, K in _psd_cases()],
        "correct: symmetric check, eigenvalues and a tolerance relative to the matrix's scale.",
    )


def check_taylor_exp_gram(fn: Callable[[np.ndarray, int], np.ndarray]) -> Feedback:
    r"""Check a student's ``taylor_exp_gram(K, order)``: :math:`\sum_{i=0}^{N} K^{\circ i} / i!`.

    The powers are element-wise (:math:`K^{\circ i}_{ab} = K_{ab}^i`), not matrix powers. Cases:
    orders 0, 1, 2 and 5 on a seeded Gram matrix, then order 40 against :math:`\exp(K)`.
    """
    rng = np.random.default_rng(5)
    K = linear(rng.uniform(-1.0, 1.0, size=(5, 2)))

    def expected(order: int) -> np.ndarray:
        total, term = np.ones_like(K), np.ones_like(K)
        for i in range(1, order + 1):
            term = term * K / i
            total = total + term
        return total

    def case(order: int) -> Callable[[Callable], str | None]:
        def run(f: Callable) -> str | None:
            got = result_array(
                f(K.copy(), order), shape=K.shape, what=f"for order {order} your function returned"
            )
            want = expected(order)
            if np.allclose(got, want, rtol=1e-10, atol=1e-12):
                return None
            if order == 0 and np.allclose(got, np.eye(len(K))):
                return (
                    "for order 0 you return the identity matrix; the i = 0 term is k(x, x')^0 = 1 "
                    "for every pair, the all-ones matrix: use element-wise powers K**i, not "
                    "np.linalg.matrix_power"
                )
            if order >= 1 and np.allclose(got, want - K**order / np.prod(range(1, order + 1))):
                return f"for order {order} the last term K**{order}/{order}! is missing"
            return (
                f"for order {order} the largest difference from the partial sum is "
                f"{np.abs(got - want).max():.3g}; each term is K**i / i! with element-wise powers"
            )

        return run

    def converges(f: Callable) -> str | None:
        got = result_array(
            f(K.copy(), 40), shape=K.shape, what="for order 40 your function returned"
        )
        if not np.allclose(got, np.exp(K), rtol=1e-12):
            return "order 40 should agree with np.exp(K) to 12 digits"
        return None

    return run_cases(
        "check_taylor_exp_gram", fn, [case(0), case(1), case(2), case(5), converges],
        "correct: your partial sums are element-wise and converge to exp(K).",
    )


def check_exp_counterexample(fn: Callable[[], np.ndarray]) -> Feedback:
    r"""Check a student's ``counterexample()`` returning points X for which exp(-x x') fails.

    The Gram matrix of :math:`\exp(-k)` with the linear kernel :math:`k(x, x') = x^\top x'` on the
    returned points must have an eigenvalue below :math:`-10^{-6}` (times its largest one).
    """

    def case(f: Callable) -> str | None:
        points = result_array(f(), what="your function returned")
        if points.ndim not in (1, 2) or not 2 <= points.shape[0] <= MAX_POINTS:
            raise WrongResult(
                f"your function returned an array of shape {points.shape}; expected two or more "
                f"points (at most {MAX_POINTS}), shape (n,) or (n, d)"
            )
        if not np.isfinite(points).all():
            return "your points contain NaN or inf"
        try:
            gram = linear(points)
        except ValueError:  # inner products overflow float64
            gram = np.array([np.inf])
        if np.abs(gram).max() > 700:
            return "keep |x . x'| below 700 so that exp(-x . x') stays finite"
        eigenvalues = np.linalg.eigvalsh(np.exp(-gram))
        if eigenvalues[0] >= -1e-6 * np.abs(eigenvalues).max():
            return (
                f"on your points exp(-x . x') is PSD (smallest eigenvalue {eigenvalues[0]:.2e}); "
                "try two points whose inner products have opposite signs, such as -1 and 1"
            )
        return None

    return run_cases(
        "check_exp_counterexample", fn, [case],
        "correct: exp(-k) has a negative eigenvalue on your points, so it is not a valid kernel.",
    )
