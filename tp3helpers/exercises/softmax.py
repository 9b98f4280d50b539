"""Checkers for the Question 1 exercises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..softmax import cross_entropy, one_hot, softmax
from ._feedback import Feedback, _StudentError, result_array, run_cases
from ._questions import ChoiceQuestion, NumericQuestion, code_exercise

__all__ = [
    "check_softmax",
    "check_cross_entropy_grad",
    "bias_gradient_question",
    "curvature_question",
]


def _compare(name: str, got: object, expected: np.ndarray, atol: float = 1e-9) -> str | None:
    got = result_array(got, shape=expected.shape, what=f"for {name} your function returned")
    if not np.all(np.isfinite(got)):
        return f"for {name} the result contains NaN or inf: {np.round(got, 4)}"
    if not np.allclose(got, expected, rtol=1e-7, atol=atol):
        return f"for {name} you return {np.round(got, 4)}, expected {np.round(expected, 4)}"
    return None


_SOFTMAX_HINT = (
    "softmax(a) = softmax(a - c) for any constant c: subtract a.max() before np.exp, so the "
    "largest exponent is exp(0) = 1 and nothing overflows. Not the minimum or the mean: with a "
    "-inf logit they give -inf - (-inf) = NaN."
)


def _named(name: str, call: Callable[[], object]) -> object:
    """``call()``, with the case's name put in front of a crash or warning of the student's code."""
    try:
        return call()
    except _StudentError as exc:
        raise _StudentError(f"for {name} {exc}") from exc
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
        (lambda f, name=name, a=a: _compare(name, _named(name, lambda: f(a.copy())), softmax(a)))
        for name, a in cases
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
            _named(name, lambda: f(a.copy(), labels.copy())),
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


def bias_gradient_question(logits: object, labels: object) -> NumericQuestion:
    r"""The question "what is :math:`\partial E_D / \partial b` for this batch?" (notebook 1).

    Every sample's logits are :math:`a_n + b` with one shared bias :math:`b`, so by the chain rule
    (Theory, Step 4) the answer is :math:`\sum_n (y_n - t_n)`, computed here from the batch.
    The usual slips each get their own feedback: the sign, one row per sample, the mean instead of
    the sum, forgetting the targets, summing over the classes (all zeros), a softmax over the
    samples, the homework's line that keeps a single :math:`t_n`, and an answer rounded to two
    decimals.
    """
    y = softmax(logits, axis=1)
    n, k = y.shape
    t = one_hot(np.asarray(labels), k)
    residual = y - t
    expected = residual.sum(axis=0)
    mistakes = [
        (-expected, "that is the sum of t_n - y_n; the gradient is prediction minus target, "
                    "y_n - t_n"),
        (residual, "you give one row per sample (y_n - t_n); the bias is shared by every "
                   "sample, and each sample's term adds to its gradient: sum the rows"),
        (expected / n, "that is the mean over the samples; E_D is a sum, so its gradient is "
                       "the sum too"),
        (y.sum(axis=0), "the targets are missing: subtract the one-hot t_n of every sample"),
    ]
    mistakes += [
        (np.zeros(k), "all zeros is what each sample's row y_n - t_n sums to over the classes; "
                      "the bias gradient sums over the samples instead, class by class (axis=0)"),
        ((softmax(logits, axis=0) - t).sum(axis=0),
         "your softmax normalises each class over the samples (axis=0); softmax normalises each "
         "sample's logits over the classes (axis=1)"),
    ]
    mistakes += [
        (y.sum(axis=0) - t[i], f"that subtracts only sample {i}'s target, the homework's line "
                               "with the dropped sum (correction 2): subtract sum_n t_n")
        for i in range(n)
    ]
    mistakes.append((
        lambda answer: answer.shape == expected.shape
        and bool(np.allclose(answer, expected, rtol=0.0, atol=0.011)),
        "close, but rounded too much: give at least three decimals, or type the fractions "
        "themselves (write 5/6, NumPy computes 0.8333...)",
    ))
    rows = "\n".join(
        f"| {i} | {np.array2string(y[i], precision=4)} | {np.array2string(t[i], precision=0)} |"
        for i in range(n)
    )
    solution = f"""The logits of sample $n$ are $a_n + b$, so
$\\partial a_{{kn}} / \\partial b_k = 1$ for every sample and, by the chain rule,
$\\partial E_D / \\partial b = \\sum_n \\partial E_D / \\partial a_n = \\sum_n (y_n - t_n)$.

| sample | $y_n$ = softmax | $t_n$ (one-hot) |
|---|---|---|
{rows}

Summing the rows of $Y - T$: $\\partial E_D / \\partial b =$
`{np.array2string(expected, precision=4)}`, or in code
`(softmax(logits, axis=1) - np.eye(K)[labels]).sum(axis=0)`. Its entries add up to 0, since every
$y_n$ and every $t_n$ sums to 1.
"""
    return NumericQuestion(
        "the gradient with respect to the shared bias",
        expected,
        rtol=1e-3,
        atol=1e-3,  # three decimals are enough
        mistakes=mistakes,
        hint="Compute y_n = softmax(a_n) for each sample, subtract its one-hot target, then add "
             "the rows: every sample contributes to the shared bias.",
        solution=solution,
    )


curvature_question = ChoiceQuestion(
    "where one sample's loss curves most",
    {
        "a": (False, "for a one-hot prediction diag(y) - y y^T is the zero matrix: a confident "
                     "prediction has no curvature at all (and its gradient is 0 too if correct)"),
        "b": (False, "for the uniform y = (1/4, 1/4, 1/4, 1/4) the largest eigenvalue is "
                     "1/4, not the largest possible"),
        "c": (True, "y = (1/2, 1/2, 0, 0) gives the eigenvalue 1/2, along (1, -1, 0, 0): "
                    "the largest any prediction can give, and the factor 1/2 in L"),
        "d": (False, "diag(y) - y y^T depends on y: it is the covariance of the one-hot class, "
                     "zero when the class is certain"),
    },
    hint="The Hessian diag(y) - y y^T is the covariance of the one-hot class drawn from y: "
         "compute its eigenvalues with np.linalg.eigvalsh for each option.",
    solution=r"""The Hessian of $-\ln y_{\text{target}}$ with respect to the logits is
$H = \operatorname{diag}(y) - y y^\top$, whatever the target.

- (a) $y = e_1$: $H = \operatorname{diag}(e_1) - e_1 e_1^\top = 0$.
- (b) $y = \tfrac14 \mathbf 1$: $H = \tfrac14 (I - \tfrac14 \mathbf 1 \mathbf 1^\top)$, eigenvalues
  $\tfrac14$ (three times) and 0.
- (c) $y = (\tfrac12, \tfrac12, 0, 0)$: $H (1, -1, 0, 0)^\top = \tfrac12 (1, -1, 0, 0)^\top$,
  eigenvalue $\tfrac12$.

In general $u^\top H u = \operatorname{Var}(u_c)$ for the class $c$ drawn from $y$, and a variable
with values in $[\min u, \max u]$ has variance at most $(\max u - \min u)^2 / 4 \le \tfrac12$ for
a unit vector $u$. So **(c)**, and $\tfrac12$ is the factor in `SoftmaxRegression`'s bound
$L = \tfrac12 \sigma_{\max}([X, 1])^2 + \lambda$.
""",
)
