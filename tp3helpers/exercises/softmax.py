"""Notebook 1's exercises (two to write code, two values to predict, a choice) and its prompt.

No exercise is answered by a helper the notebook imports: the package's ``softmax`` gives
probabilities, whose logarithm fails where the log-softmax exercise is judged; no helper computes
the derivative with respect to the temperature.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..softmax import cross_entropy, log_softmax, one_hot, softmax
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array, result_number

__all__ = [
    "log_softmax_exercise",
    "temperature_gradient_exercise",
    "bias_exercise",
    "sharp_temperature_exercise",
    "curvature_exercise",
    "temperature_prompt",
]


def _judge_log_softmax(result: object, a: np.ndarray) -> str | None:
    got, expected = result_array(result, shape=a.shape), log_softmax(a)
    if np.isnan(got).any():
        return f"the result contains NaN: {np.round(got, 4)}"
    if not np.allclose(got, expected, rtol=1e-9, atol=1e-9):  # -inf equals -inf here
        return f"you return {np.round(got, 4)}, expected {np.round(expected, 4)}"
    return None


log_softmax_exercise = CodeExercise(
    "log-probabilities that never overflow",
    "Complete `def my_log_softmax(a):` so that it returns the log-probabilities "
    r"$\ln y_k = \ln \operatorname{softmax}(a)_k$ of a 1-D array of logits $a$, without ever "
    "forming $y$ itself. It must be exact for logits of ±1000, give $-\\infty$ for a logit of "
    "$-\\infty$, and raise no warning.",
    cases=[
        Case("a = [1, 2, 3]", (np.array([1.0, 2.0, 3.0]),)),
        Case("a = [1000, 1000, 999]", (np.array([1000.0, 1000.0, 999.0]),),
             "exp(1000) overflows float64"),
        Case("a = [0, -1000]", (np.array([0.0, -1000.0]),),
             "here ln y is (-e^-1000, -1000), about (0, -1000): the probability e^-1000 "
             "underflows to 0, so the log of a probability gives -inf, and a shift that makes an "
             "exponent 1000 overflows; use Step 1 with the largest logit as the shift"),
        Case("a = [-1000, -1001, -1002]", (np.array([-1000.0, -1001.0, -1002.0]),),
             "exp(-1000) underflows to 0, and ln 0 = -inf"),
        Case("a = [0, -inf, 1]", (np.array([0.0, -np.inf, 1.0]),),
             "a logit of -inf has log-probability -inf; shifting by the minimum or the mean "
             "gives -inf - (-inf) = NaN there"),
    ],
    judge=_judge_log_softmax,
    success="correct, including logits of ±1000 and -inf: you shifted by the largest logit.",
    hints=[
        "Step 1 of the Theory: ln y_k = a_k - ln sum_c e^(a_c), so only the log-sum-exp is "
        "hard. Subtracting the same number m from every logit changes that log-sum-exp by exactly "
        "m: which m keeps every exponent at most 0?",
        "Take m = a.max(): ln sum_c e^(a_c) = m + ln sum_c e^(a_c - m), where the sum is at "
        "least 1. Return (a - m) minus the log of that sum.",
    ],
    solution=r"""Shift by the largest logit, then subtract the log of the (now safe) sum:

```python
def my_log_softmax(a):
    shifted = a - np.max(a)                 # every exponent <= 0; -inf stays -inf
    return shifted - np.log(np.exp(shifted).sum())
```

Step 1 gives $\ln y_k = a_k - \ln \sum_c e^{a_c}$, and for any $m$,
$\ln \sum_c e^{a_c} = m + \ln \sum_c e^{a_c - m}$. With $m = \max_c a_c$ the largest term of the sum
is $e^0 = 1$, so the sum lies between 1 and $C$: no overflow, and its logarithm is finite. Taking
`np.log(softmax(a))` instead fails for $a = (0, -1000)$: the probability $e^{-1000}$ is below the
smallest float, so it becomes 0 and its logarithm $-\infty$, while $\ln y_2 = -1000$ is an
ordinary number. This is why libraries fuse log-softmax with the loss.
""",
)


def _temperature_loss(logits: np.ndarray, labels: np.ndarray, tau: float) -> float:
    return cross_entropy(logits / tau, labels)


def _judge_temperature(result: object, logits: np.ndarray, labels: np.ndarray,
                       tau: float) -> str | None:
    got = result_number(result)
    if not np.isfinite(got):
        return f"you return {got}; expected a finite number"
    step = 1e-6 * tau
    measured = float(numerical_gradient(lambda t: _temperature_loss(logits, labels, t[0]),
                                        np.array([tau]), eps=step)[0])
    if relative_error(got, measured) <= 1e-6:
        return None
    y_tau, y_one = softmax(logits / tau, axis=1), softmax(logits, axis=1)
    t = one_hot(labels, logits.shape[1])
    slope = float(np.sum((y_tau - t) * logits))  # sum_n (y_n - t_n) . a_n, at temperature tau
    slips = [
        (slope / tau**2, "the sign is wrong: a/tau falls as tau grows, d(a/tau)/dtau = -a/tau^2"),
        (-slope, "the factor 1/tau^2 is missing: d(a/tau)/dtau = -a/tau^2"),
        (-slope / tau, "the power of tau is wrong: d(a/tau)/dtau = -a/tau^2, not -a/tau"),
        (-float(np.sum((y_one - t) * logits)) / tau**2,
         "your probabilities ignore the temperature: y_n must be softmax(a_n / tau)"),
        (-slope / tau**2 / len(labels), "that is the mean over the samples; E_D is a sum"),
    ]
    for value, why in slips:
        if relative_error(got, value) <= 1e-6:
            return f"you return {got:.6g}: {why}"
    return f"you return {got:.6g}, finite differences of E_D(tau) give {measured:.6g}"


_rng = np.random.default_rng(3)
_LOGITS, _LABELS = _rng.normal(size=(5, 4)), _rng.integers(0, 4, size=5)

temperature_gradient_exercise = CodeExercise(
    "the derivative with respect to the temperature",
    "*Temperature scaling* calibrates a trained classifier with a single number: its logits "
    r"$a_n$ are divided by a temperature $\tau > 0$, and $\tau$ is chosen to minimise "
    r"$E_D(\tau) = -\sum_n \ln \operatorname{softmax}(a_n / \tau)_{c_n}$ on held-out data "
    r"($c_n$ is sample $n$'s class). Complete `def my_temperature_grad(logits, labels, tau):` so "
    r"that it returns the number $dE_D / d\tau$, for logits of shape $(N, C)$ and integer labels. "
    "The check compares it with finite differences, also for logits in the thousands (the "
    "package's `softmax` may help).",
    cases=[Case("5 samples, 4 classes, tau = 1", (_LOGITS, _LABELS, 1.0)),
           Case("the same at tau = 0.5", (_LOGITS, _LABELS, 0.5)),
           Case("logits up to 2000 in size at tau = 2", (600.0 * _LOGITS, _LABELS, 2.0),
                "a / tau reaches 997, and exp(997) overflows float64: use a stable softmax")],
    judge=_judge_temperature,
    success="correct: your derivative matches finite differences, also for large logits.",
    hints=[
        "E_D depends on tau only through the scaled logits z_n = a_n / tau, and Step 3 gives "
        "the derivative with respect to them: dE_D/dz_kn = y_kn - t_kn, with y_n = "
        "softmax(a_n / tau). Use the chain rule.",
        "dz_kn/dtau = -a_kn / tau^2, so dE_D/dtau = -sum over n and k of (y_kn - t_kn) a_kn / "
        "tau^2: y = softmax(logits / tau, axis=1), t = np.eye(C)[labels].",
    ],
    solution=r"""By the chain rule through the scaled logits $z_{kn} = a_{kn}/\tau$, whose
derivative is $\partial E_D / \partial z_{kn} = y_{kn} - t_{kn}$ with $y_n =
\operatorname{softmax}(a_n/\tau)$ (Step 3) and $dz_{kn}/d\tau = -a_{kn}/\tau^2$:

$$\frac{dE_D}{d\tau} = -\frac{1}{\tau^2} \sum_n \sum_k (y_{kn} - t_{kn})\, a_{kn}.$$

```python
def my_temperature_grad(logits, labels, tau):
    y = softmax(logits / tau, axis=1)             # stable: shifts each row by its maximum
    t = np.eye(logits.shape[1])[labels]           # one-hot targets, shape (N, C)
    return -np.sum((y - t) * logits) / tau**2
```

The sum $\sum_k (y_{kn} - t_{kn}) a_{kn}$ is the model's expected logit minus the true class's
logit: for a confident, correct sample it is negative, and raising $\tau$ (a softer prediction)
costs loss. Temperature scaling (Guo et al., 2017) sets this derivative, summed over held-out
data, to zero: it makes an over-confident network's probabilities honest without changing a
single prediction, since dividing every logit by the same $\tau$ keeps their order.
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
    n, c = y.shape
    t = one_hot(np.array(labels), c)
    expected = (y - t).sum(axis=0)
    mistakes = [
        (-expected, "that is the sum of t_n - y_n; the gradient is prediction minus target, "
                    "y_n - t_n"),
        (y - t, "you give one row per sample (y_n - t_n); the bias is shared by every sample, "
                "and each sample's term adds to its gradient: sum the rows"),
        (expected / n, "that is the mean over the samples; E_D is a sum, so its gradient is "
                       "the sum too"),
        (y.sum(axis=0), "the targets are missing: subtract the one-hot t_n of every sample"),
        (np.zeros(c), "all zeros is what each sample's row y_n - t_n sums to over the classes; "
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
`(softmax(logits, axis=1) - np.eye(C)[labels]).sum(axis=0)`. Its entries add up to 0, since every
$y_n$ and every $t_n$ sums to 1.
""",
    )


bias_exercise = _bias_exercise(BATCH_COUNTS, BATCH_LABELS)

#: The setting of the sharp-temperature exercise: the explorer's default logits at tau = 0.05,
#: half the temperature slider's smallest value.
SHARP_LOGITS, SHARP_TAU = np.array([2.0, 1.0, 0.0, -1.0]), 0.05


def _largest_gradient(target: int, tau: float = SHARP_TAU) -> float:
    """max_k |(y_k - t_k)| / tau for the sharp-temperature exercise's logits."""
    y = softmax(SHARP_LOGITS / tau)
    return float(np.abs(y - one_hot(np.array([target]), 4)[0]).max() / tau)


sharp_temperature_exercise = NumericExercise(
    "a temperature below the slider's range",
    r"Take the explorer's first logits, $a = (2, 1, 0, -1)$, at the temperature $\tau = 0.05$, "
    r"half the slider's smallest value. Predict the largest $\lvert \partial E / \partial a_k "
    r"\rvert$ over the four classes, (i) when the true class is class 0 and (ii) when it is class "
    "3. Answer with the two numbers `[first, second]`, to three significant digits.",
    [_largest_gradient(0), _largest_gradient(3)],
    rtol=1e-2,
    atol=0.0,
    mistakes=[
        (lambda answer: answer.size == 2 and answer[0] == 0.0,
         "the first is tiny but not 0: with a correct prediction the gradient vanishes like "
         "e^(-margin/tau)/tau, where the margin is a_0 - a_1 = 1"),
        (lambda answer: answer.size == 2 and abs(answer[0] - 1 / SHARP_TAU) < 0.2,
         "the gradient grows like 1/tau only for a wrong prediction; for a correct one it "
         "vanishes like e^(-margin/tau)/tau"),
        ([_largest_gradient(0) * SHARP_TAU, _largest_gradient(3) * SHARP_TAU],
         "the sliders' logits are divided by tau before the softmax, so the chain rule adds the "
         "factor 1/tau: dE/da = (y - t)/tau"),
        (lambda answer: answer.size == 2 and abs(answer[0] - _largest_gradient(0, 0.1)) < 1e-5,
         "4.5e-4 is the value at tau = 0.1, printed in Explore; at tau = 0.05 the exponent "
         "margin/tau doubles"),
        (lambda answer: answer.size == 2 and 0 < answer[0] < 1e-12,
         "far too small: the margin that counts is between the two largest logits, "
         "a_0 - a_1 = 1, so the largest entry is about e^(-1/tau)/tau"),
        (lambda answer: answer.size == 2 and abs(answer[1] - 10.0) < 0.2,
         "10 is 1/tau at tau = 0.1; at tau = 0.05 the wrong prediction's gradient tends to "
         "1/tau = 20"),
        (lambda answer: answer.size == 1,
         "give two numbers, [first, second], for example [1e-3, 5.0]"),
    ],
    hints=[
        "Two regimes, as in Explore: is the prediction right (the true class has the largest "
        "logit alone) or wrong? In which one does y - t tend to 0?",
        "Right: the largest entry is about e^(-margin/tau)/tau, with the margin a_0 - a_1 "
        "between the two largest logits. Wrong: y - t tends to e_0 - e_3, so the largest entry "
        "tends to 1/tau.",
    ],
    solution=r"""At $\tau = 0.05$ the softmax of $a/\tau = (40, 20, 0, -20)$ is all but the one-hot
vector of class 0: $y_1 \approx e^{-20}$, $y_2 \approx e^{-40}$, $y_3 \approx e^{-60}$.

- (i) Class 0 true, a correct prediction: $y - t \approx (-e^{-20}, e^{-20}, e^{-40}, e^{-60})$,
  so the largest entry of $(y - t)/\tau$ is about $e^{-20}/0.05 \approx 4.12 \times 10^{-8}$,
  the law $e^{-\Delta/\tau}/\tau$ with the margin $\Delta = a_0 - a_1 = 1$.
- (ii) Class 3 true, a wrong prediction: $y - t \approx e_0 - e_3$, so the largest entry is
  about $1/\tau = 20$.

So `[4.12e-8, 20.0]`. Halving $\tau$ from 0.1 divided the first by about 11,000 (from
$4.5 \times 10^{-4}$) and doubled the second: an exponential against a $1/\tau$. A sharp softmax
learns hard from its mistakes and not at all from its confident successes.
""",
)

curvature_exercise = ChoiceExercise(
    "where one sample's loss curves most",
    r"For $C = 4$ classes, the Hessian of one sample's loss with respect to its logits is "
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
$L = \tfrac12 \sigma_{\max}([X, 1])^2 + \alpha$.
""",
)

temperature_prompt = Prompt(
    r"Set the temperature to $\tau = 0.1$ without touching the logits: the true class, class 0, "
    r"has the largest logit. Does the gradient grow like $1/\tau$? Then make class 3 the true "
    "class. And now?",
    r"**It depends on whether the prediction is right.** With class 0 true and the largest logit "
    r"alone, $y \to t$ as $\tau \to 0$: the bars all but vanish, and their labels read "
    r"$\mp 0.000454$ on classes 0 and 1, that is $e^{-(a_0 - a_1)/\tau}/\tau = e^{-10}/0.1 "
    r"\approx 4.5 \times 10^{-4}$, and far less on classes 2 and 3. They vanish exponentially, "
    r"much faster than $1/\tau$ grows. With class 3 true, $y$ still tends to the one-hot vector "
    r"of class 0, so $y - t \to e_0 - e_3$: the bars read $+10$ on class 0 and $-10$ on class 3, "
    r"that is $\pm 1/\tau$. Only there does the gradient grow like $1/\tau$. A sharp softmax "
    r"learns hard from its mistakes and not at all from its confident successes.",
)
