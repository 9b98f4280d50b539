"""Notebook 1's exercises (two to write code, a gradient to derive, a choice) and its prompt."""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..softmax import cross_entropy, one_hot, softmax
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array

__all__ = [
    "softmax_exercise",
    "gradient_exercise",
    "bias_exercise",
    "curvature_exercise",
    "temperature_prompt",
]


def _judge_softmax(result: object, a: np.ndarray) -> str | None:
    got, expected = result_array(result, shape=a.shape), softmax(a)
    if not np.all(np.isfinite(got)):
        return f"the result contains NaN or inf: {np.round(got, 4)}"
    if not np.allclose(got, expected, rtol=1e-7, atol=1e-9):
        return f"you return {np.round(got, 4)}, expected {np.round(expected, 4)}"
    return None


softmax_exercise = CodeExercise(
    "a softmax that never overflows",
    "Write `my_softmax(a)` for a 1-D array of logits. It must give correct probabilities for "
    "logits of ±1000 and probability 0 for a logit of `-inf`, without any warning.",
    cases=[
        Case("a = [1, 2, 3]", (np.array([1.0, 2.0, 3.0]),)),
        Case("a = [1, 2, 3] + 50", (np.array([51.0, 52.0, 53.0]),)),
        Case("a = [1000, 1000, 999]", (np.array([1000.0, 1000.0, 999.0]),),
             "exp(1000) overflows float64"),
        Case("a = [-1000, -1001, -1002]", (np.array([-1000.0, -1001.0, -1002.0]),),
             "exp(-1000) underflows to 0, and 0/0 is NaN"),
        Case("a = [0, -inf, 1]", (np.array([0.0, -np.inf, 1.0]),),
             "a logit of -inf has probability exactly 0; shifting by the minimum or the mean "
             "gives -inf - (-inf) = NaN there"),
    ],
    judge=_judge_softmax,
    success="correct, including logits of ±1000 and -inf: you subtracted the maximum.",
    hints=[
        "softmax(a) does not change when the same constant c is subtracted from every logit: "
        "the factor exp(-c) cancels between numerator and denominator. Which c keeps every "
        "exponent at most 0?",
        "Subtract the largest logit, a.max(), then exponentiate and divide by the sum: the "
        "largest term is exp(0) = 1, so nothing overflows and the sum is at least 1.",
    ],
    solution=r"""Shift by the largest logit, then normalise:

```python
def my_softmax(a):
    shifted = a - np.max(a)          # the largest entry becomes 0
    e = np.exp(shifted)              # in (0, 1]; exp(-inf) = 0
    return e / e.sum()
```

The shift does not change the result, since the factor $e^{-c}$ cancels between numerator and
denominator: $\frac{e^{a_k - c}}{\sum_j e^{a_j - c}} = \frac{e^{a_k}}{\sum_j e^{a_j}}$.
At least one exponent is then $e^0 = 1$, so the sum is between 1 and $K$: no overflow, no $0/0$.
""",
)


def _judge_gradient(result: object, logits: np.ndarray, labels: np.ndarray) -> str | None:
    expected = numerical_gradient(lambda z: cross_entropy(z, labels), logits, eps=1e-6)
    got = result_array(result, shape=logits.shape)
    if not np.all(np.isfinite(got)):
        return "the gradient contains NaN or inf"
    error = relative_error(got, expected)
    if error > 1e-6:
        worst = np.unravel_index(np.argmax(np.abs(got - expected)), logits.shape)
        return (
            f"the relative error against finite differences is {error:.1e}; the worst entry is "
            f"sample {worst[0]}, class {worst[1]}: you give {got[worst]:.4f}, finite differences "
            f"give {expected[worst]:.4f}"
        )
    return None


_rng = np.random.default_rng(3)
_LOGITS, _LABELS = _rng.normal(size=(5, 4)), _rng.integers(0, 4, size=5)

gradient_exercise = CodeExercise(
    "the gradient of E_D",
    r"Write `my_grad(logits, labels)` that returns the $(N, K)$ array "
    r"$\partial E_D / \partial a_{kn}$ for integer labels (one row per sample). The check compares "
    "it with finite differences, for ordinary logits and for logits of size 1000.",
    cases=[Case("5 samples with 4 classes", (_LOGITS, _LABELS)),
           Case("logits of size ~1000", (300.0 * _LOGITS, _LABELS))],
    judge=_judge_gradient,
    success="correct: your gradient matches finite differences, also for large logits.",
    hints=[
        "The Theory section's Step 3 gives the derivative for each sample on its own: "
        "prediction minus target.",
        "Row n is softmax(logits[n]) - t_n: a stable softmax along axis=1 (over the classes), "
        "minus the one-hot targets np.eye(K)[labels].",
    ],
    solution=r"""From the Theory section, $\partial E_D / \partial a_{kn} = y_{kn} - t_{kn}$,
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
""",
)

#: The batch of the shared-bias exercise: logits ln(counts), so that softmax gives simple fractions.
BATCH_COUNTS, BATCH_LABELS = [[1, 1, 1], [2, 1, 1], [1, 1, 6]], [0, 2, 2]


def _bias_exercise(counts: list[list[int]], labels: list[int]) -> NumericExercise:
    r"""The gradient with respect to a bias shared by every sample: :math:`\sum_n (y_n - t_n)`.

    Every sample's logits are :math:`a_n + b`, so by the chain rule (Theory, Step 4) the answer
    is :math:`\sum_n (y_n - t_n)`. The usual slips each get their own feedback: the sign, one row
    per sample, the mean instead of the sum, forgetting the targets, summing over the classes
    (all zeros), a softmax over the samples, the homework's line that keeps a single
    :math:`t_n`, and an answer rounded to two decimals.
    """
    logits = np.log(np.array(counts, dtype=float))
    y = softmax(logits, axis=1)
    n, k = y.shape
    t = one_hot(np.array(labels), k)
    expected = (y - t).sum(axis=0)
    mistakes = [
        (-expected, "that is the sum of t_n - y_n; the gradient is prediction minus target, "
                    "y_n - t_n"),
        (y - t, "you give one row per sample (y_n - t_n); the bias is shared by every sample, "
                "and each sample's term adds to its gradient: sum the rows"),
        (expected / n, "that is the mean over the samples; E_D is a sum, so its gradient is "
                       "the sum too"),
        (y.sum(axis=0), "the targets are missing: subtract the one-hot t_n of every sample"),
        (np.zeros(k), "all zeros is what each sample's row y_n - t_n sums to over the classes; "
                      "the bias gradient sums over the samples instead, class by class (axis=0)"),
        ((softmax(logits, axis=0) - t).sum(axis=0),
         "your softmax normalises each class over the samples (axis=0); softmax normalises each "
         "sample's logits over the classes (axis=1)"),
        *[(y.sum(axis=0) - t[i], f"that subtracts only sample {i}'s target, the homework's line "
                                 "with the dropped sum (correction 2): subtract sum_n t_n")
          for i in range(n)],
        (lambda answer: answer.shape == expected.shape
         and bool(np.allclose(answer, expected, rtol=0.0, atol=0.011)),
         "close, but rounded too much: give at least three decimals, or type the fractions "
         "themselves (write 5/6, NumPy computes 0.8333...)"),
    ]
    rows = "\n".join(
        f"| {i} | {np.array2string(y[i], precision=4)} | {np.array2string(t[i], precision=0)} |"
        for i in range(n)
    )
    return NumericExercise(
        "the gradient with respect to a shared bias",
        f"""Three samples, three classes, all with the same bias vector $b$ added to their
logits: $a_n + b$. Their logits (at the current $b$) and labels are

```python
logits = np.log(np.array({counts}))
labels = np.array({labels})
```

What is $\\partial E_D / \\partial b$, as an array of three numbers? Work it out by hand (the
probabilities are simple fractions) or with a line of NumPy; three decimals are enough.""",
        expected,
        rtol=1e-3,
        atol=1e-3,  # three decimals are enough
        mistakes=mistakes,
        hints=[
            "The bias is added to every sample's logits, so by the chain rule every sample "
            "contributes its own gradient with respect to its logits.",
            "Compute y_n = softmax(a_n) for each sample, subtract its one-hot target t_n, then "
            "add the three rows.",
        ],
        solution=f"""The logits of sample $n$ are $a_n + b$, so
$\\partial a_{{kn}} / \\partial b_k = 1$ for every sample and, by the chain rule,
$\\partial E_D / \\partial b = \\sum_n \\partial E_D / \\partial a_n = \\sum_n (y_n - t_n)$.

| sample | $y_n$ = softmax | $t_n$ (one-hot) |
|---|---|---|
{rows}

Summing the rows of $Y - T$: $\\partial E_D / \\partial b =$
`{np.array2string(expected, precision=4)}`, or in code
`(softmax(logits, axis=1) - np.eye(K)[labels]).sum(axis=0)`. Its entries add up to 0, since every
$y_n$ and every $t_n$ sums to 1.
""",
    )


bias_exercise = _bias_exercise(BATCH_COUNTS, BATCH_LABELS)

curvature_exercise = ChoiceExercise(
    "where one sample's loss curves most",
    r"For $K = 4$ classes, the Hessian of one sample's loss with respect to its logits is "
    r"$\operatorname{diag}(y) - y y^\top$. For which prediction $y$ is its largest eigenvalue "
    "the largest?",
    {
        "a": Option(r"$y = (1, 0, 0, 0)$, a confident prediction", False,
                    "for a one-hot prediction diag(y) - y y^T is the zero matrix: a confident "
                    "prediction has no curvature at all (and its gradient is 0 too if correct)"),
        "b": Option(r"$y = (\tfrac14, \tfrac14, \tfrac14, \tfrac14)$, the uniform prediction",
                    False, "for the uniform y = (1/4, 1/4, 1/4, 1/4) the largest eigenvalue is "
                           "1/4, not the largest possible"),
        "c": Option(r"$y = (\tfrac12, \tfrac12, 0, 0)$, torn between two classes", True,
                    "y = (1/2, 1/2, 0, 0) gives the eigenvalue 1/2, along (1, -1, 0, 0): the "
                    "largest any prediction can give, and the factor 1/2 in L"),
        "d": Option("it is the same for every $y$", False,
                    "diag(y) - y y^T depends on y: it is the covariance of the one-hot class, "
                    "zero when the class is certain"),
    },
    hints=[
        "diag(y) - y y^T is the covariance matrix of the one-hot class drawn from y: for which "
        "prediction is the class most uncertain along one direction?",
        "Compute the largest eigenvalue for each option, by hand or with "
        "np.linalg.eigvalsh(np.diag(y) - np.outer(y, y)).",
    ],
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

temperature_prompt = Prompt(
    "Set the temperature to $T = 0.1$ without touching the logits: the true class, class 0, has "
    "the largest logit. Does the gradient grow like $1/T$? Then make class 3 the true class. And "
    "now?",
    r"**It depends on whether the prediction is right.** With class 0 true and the largest logit "
    r"alone, $y \to t$ as $T \to 0$: the bars all but vanish, and their labels read $\mp 0.000454$ "
    r"on classes 0 and 1, that is $e^{-(a_0 - a_1)/T}/T = e^{-10}/0.1 \approx 4.5 \times 10^{-4}$, "
    r"and far less on classes 2 and 3. They vanish exponentially, much faster than $1/T$ grows. "
    r"With class 3 true, $y$ still tends to the one-hot vector of class 0, so $y - t \to e_0 - "
    r"e_3$: the bars read $+10$ on class 0 and $-10$ on class 3, that is $\pm 1/T$. Only there "
    r"does the gradient grow like $1/T$. A sharp softmax learns hard from its mistakes and not at "
    r"all from its confident successes.",
)
