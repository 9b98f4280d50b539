"""Checkers for the Question 1 exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..softmax import cross_entropy, softmax
from ._feedback import Feedback, result_array, run_cases
from ._questions import code_exercise

__all__ = ["check_softmax", "check_cross_entropy_grad"]


def _compare(name: str, got: object, expected: np.ndarray, atol: float = 1e-9) -> str | None:
    got = result_array(got, shape=expected.shape, what=f"for {name} your function returned")
    if not np.all(np.isfinite(got)):
        return f"for {name} the result contains NaN or inf: {np.round(got, 4)}"
    if not np.allclose(got, expected, rtol=1e-7, atol=atol):
        return f"for {name} you return {np.round(got, 4)}, expected {np.round(expected, 4)}"
    return None


_SOFTMAX_HINT = (
    "softmax(a) = softmax(a - c) for any constant c: subtract a.max() before np.exp, so the "
    "largest exponent is exp(0) = 1 and nothing overflows."
)
_SOFTMAX_SOLUTION = r"""Shift by the largest logit, then normalise:

```python
def my_softmax(a):
    shifted = a - np.max(a)          # the largest entry becomes 0
    e = np.exp(shifted)              # in (0, 1]; exp(-inf) = 0
    return e / e.sum()
```

The shift does not change the result, since the factor $e^{-c}$ cancels between numerator and
denominator: $\frac{e^{a_k - c}}{\sum_j e^{a_j - c}} = \frac{e^{a_k}}{\sum_j e^{a_j}}$.
At least one exponent is then $e^0 = 1$, so the sum is between 1 and $K$: no overflow, no $0/0$.
"""


@code_exercise(hint=_SOFTMAX_HINT, solution=_SOFTMAX_SOLUTION)
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


_GRAD_HINT = (
    "Per sample n the derivative with respect to the logits is y_n - t_n: the softmax of the "
    "row minus its one-hot target. Take the softmax along axis=1 (over the classes), and build "
    "the one-hot targets with np.eye(K)[labels]."
)
_GRAD_SOLUTION = r"""From the Theory section, $\partial E_D / \partial a_{kn} = y_{kn} - t_{kn}$,
row by row:

```python
def my_grad(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)   # stable, per sample
    y = np.exp(shifted)
    y /= y.sum(axis=1, keepdims=True)                       # softmax over the classes
    t = np.eye(logits.shape[1])[labels]                     # one-hot targets, shape (N, K)
    return y - t
```

Subtracting each row's maximum keeps logits of 1000 finite, as in the softmax exercise.
"""


@code_exercise(hint=_GRAD_HINT, solution=_GRAD_SOLUTION)
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
        got = result_array(
            f(a.copy(), labels.copy()),
            shape=a.shape,
            what=f"for {name} (one row per sample) your function returned",
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
