r"""Notebook 1's exercises (two to write code, two values to predict, a choice) and its prompt.

None is answered by a notebook helper or cell: the helpers refuse logits of :math:`10^{300}`
(log-softmax); differences of :math:`E_D` lose its derivative at :math:`\tau = 10^8`; nothing
solves for the bias where its gradient vanishes, nor fits smoothed targets; and at
:math:`\tau = 0.001` float64 rounds the gradients asked for to 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..softmax import log_softmax, one_hot, softmax
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, first_slip, not_close, only_some_digits, result_array, result_number

__all__ = [
    "log_softmax_exercise",
    "temperature_gradient_exercise",
    "bias_exercise",
    "sharp_temperature_exercise",
    "curvature_exercise",
    "temperature_prompt",
]


def _step_one(a: np.ndarray) -> np.ndarray:
    r"""Step 1, :math:`\ln y_k = a_k - \ln \sum_c e^{a_c}`: exact to rounding for any logits,
    :math:`\pm 10^{300}` and :math:`-\infty` included. The expected answer of every case."""
    return a - np.logaddexp.reduce(a)


def _judge_log_softmax(result: object, a: np.ndarray) -> str | None:
    got, expected = result_array(result, shape=a.shape), _step_one(a)
    if np.isnan(got).any():
        return f"the result contains NaN: {np.round(got, 4)}"
    return not_close(got, expected, rtol=1e-9, atol=1e-9)  # -inf equals -inf here


log_softmax_exercise = CodeExercise(
    "log-probabilities that never overflow",
    "Complete `def my_log_softmax(a):` so that it returns the log-probabilities "
    r"$\ln y_k = \ln \operatorname{softmax}(a)_k$ of a 1-D array of logits $a$, without ever "
    "forming $y$ itself. It must be exact for logits of ±1000 and even of "
    r"$\pm 10^{300}$, give $-\infty$ for a logit of $-\infty$, and raise no warning. Use NumPy "
    "alone: the package's helpers refuse logits beyond $10^{150}$ in size, their documented "
    "domain.",
    cases=[
        Case("a = [1, 2, 3]", (np.array([1.0, 2.0, 3.0]),)),
        Case("a = [1000, 1000, 999]", (np.array([1000.0, 1000.0, 999.0]),),
             "exp(1000) overflows float64"),
        Case("a = [0, -1000]", (np.array([0.0, -1000.0]),),
             "here ln y is (-e^-1000, -1000), about (0, -1000), but the probability e^-1000 is "
             "below the smallest float: it becomes 0, whose log is -inf, or a library clips it "
             "(log_loss to 2.2e-16, whose log is -36); and a shift that makes an exponent 1000 "
             "overflows. Use Step 1 with the largest logit as the shift"),
        Case("a = [-1000, -1001, -1002]", (np.array([-1000.0, -1001.0, -1002.0]),),
             "exp(-1000) underflows to 0, and ln 0 = -inf"),
        Case("a = [0, -inf, 1]", (np.array([0.0, -np.inf, 1.0]),),
             "a logit of -inf has log-probability -inf; shifting by the minimum or the mean "
             "gives -inf - (-inf) = NaN there"),
        Case("a = [1e300, 0, -1e300]", (np.array([1e300, 0.0, -1e300]),),
             "the package's helpers refuse logits beyond their domain (at most 1e150 in size); "
             "NumPy alone handles them: shifted by the largest logit, ln y is (0, -1e300, "
             "-2e300) exactly"),
    ],
    judge=_judge_log_softmax,
    success="correct, including logits of ±1000, ±1e300 and -inf: you shifted by the largest "
            "logit.",
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
ordinary number. This is why libraries fuse log-softmax with the loss. For
$a = (10^{300}, 0, -10^{300})$ the shifted logits $(0, -10^{300}, -2 \cdot 10^{300})$ are still
floats (the largest is about $1.8 \cdot 10^{308}$), the sum is exactly 1, and the answer is exact;
the package's helpers refuse such logits, beyond the domain they document.
""",
)


#: How exact the temperature derivative must be, as a fraction of the size of its terms
#: :math:`\sum_{k,n} |a_{kn}| / \tau^2`; the chain rule is exact to a few :math:`10^{-16}` of it.
EXACT_TO_ROUNDING = 1e-12
#: A temperature where :math:`E_D \approx N \ln C` moves by less than :math:`\sum |a_{kn}| / \tau
#: \approx 2 \times 10^{-7}` over any step :math:`h < \tau`, so the rounding of its values,
#: :math:`\varepsilon N \ln C \approx 10^{-15}`, leaves a difference quotient (extrapolated or
#: not) a relative error of at least :math:`10^{-8}`, far beyond :data:`EXACT_TO_ROUNDING`.
FLAT_TAU = 1e8


def _temperature_grad(logits: np.ndarray, labels: np.ndarray, tau: float) -> float:
    r""":math:`dE_D/d\tau = -\sum_n \sum_k (y_{kn} - t_{kn})\, a_{kn} / \tau^2` with
    :math:`y_n = \operatorname{softmax}(a_n / \tau)` (the chain rule through :math:`a/\tau`)."""
    y, t = softmax(logits / tau, axis=1), one_hot(labels, logits.shape[1])
    return float(-np.sum((y - t) * logits) / tau**2)


def _judge_temperature(result: object, logits: np.ndarray, labels: np.ndarray,
                       tau: float) -> str | None:
    got = result_number(result)
    if not np.isfinite(got):
        return f"you return {got}; expected a finite number"
    exact, size = _temperature_grad(logits, labels, tau), np.abs(logits).sum() / tau**2
    if abs(got - exact) <= EXACT_TO_ROUNDING * size:
        return None
    close = only_some_digits(abs(got - exact), size)
    if close:
        return (f"you return {got:.12g}, the derivative is {exact:.12g}: yours {close}: "
                "differentiate E_D(tau) by hand")
    y_one, t = softmax(logits, axis=1), one_hot(labels, logits.shape[1])
    why = first_slip(got, [
        (-exact, "the sign is wrong: a/tau falls as tau grows, d(a/tau)/dtau = -a/tau^2"),
        (exact * tau**2, "the factor 1/tau^2 is missing: d(a/tau)/dtau = -a/tau^2"),
        (exact * tau, "the power of tau is wrong: d(a/tau)/dtau = -a/tau^2, not -a/tau"),
        (-float(np.sum((y_one - t) * logits)) / tau**2,
         "your probabilities ignore the temperature: y_n must be softmax(a_n / tau)"),
        (exact / len(labels), "that is the mean over the samples; E_D is a sum"),
    ], rtol=1e-6, atol=0.0)
    if why:
        return f"you return {got:.6g}: {why}"
    return f"you return {got:.6g}, the derivative is {exact:.6g}"


_rng = np.random.default_rng(3)
_LOGITS, _LABELS = _rng.normal(size=(5, 4)), _rng.integers(0, 4, size=5)

temperature_gradient_exercise = CodeExercise(
    "the derivative with respect to the temperature",
    "*Temperature scaling* calibrates a trained classifier with a single number: its logits "
    r"$a_n$ are divided by a temperature $\tau > 0$, and $\tau$ is chosen to minimise "
    r"$E_D(\tau) = -\sum_n \ln \operatorname{softmax}(a_n / \tau)_{c_n}$ on held-out data "
    r"($c_n$ is sample $n$'s class). Complete `def my_temperature_grad(logits, labels, tau):` so "
    r"that it returns the number $dE_D / d\tau$, for logits of shape $(N, C)$ and integer labels. "
    r"The check wants it exact up to rounding, within $10^{-12} \sum_{k,n} |a_{kn}| / \tau^2$ "
    r"(a $10^{-12}$ of the size of its terms), also for logits in the thousands and at "
    r"$\tau = 10^8$. There the softmax is uniform to about eight digits and $E_D$ barely moves: "
    "differences of its values, even extrapolated, lose the derivative to rounding (the "
    "package's `softmax` may help).",
    cases=[Case("5 samples, 4 classes, tau = 1", (_LOGITS, _LABELS, 1.0)),
           Case("the same at tau = 0.5", (_LOGITS, _LABELS, 0.5)),
           Case("logits up to 2000 in size at tau = 2", (600.0 * _LOGITS, _LABELS, 2.0),
                "a / tau reaches 997, and exp(997) overflows float64: use a stable softmax"),
           Case("the same logits at tau = 1e8", (_LOGITS, _LABELS, FLAT_TAU),
                "E_D is within 1e-7 of N ln C there, and the rounding of its values swamps their "
                "differences")],
    judge=_judge_temperature,
    success="correct to rounding, also for large logits and at tau = 1e8, where differences of "
            "E_D cannot follow: the chain rule gives every digit.",
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

#: The training set of the shared-bias exercise: samples per class, and the smoothed targets'
#: weight on a sample's own class (the rest is shared equally by the other classes).
BIAS_COUNTS, BIAS_SMOOTHING = (6, 4, 2), 0.9


def _bias_exercise(counts: tuple[int, ...], own: float) -> NumericExercise:
    """Where a bias-only model's gradient sum_n (softmax(b) - t_n) vanishes."""
    c, n, other = len(counts), sum(counts), (1 - own) / (len(counts) - 1)
    targets = np.repeat(np.full((c, c), other) + (own - other) * np.eye(c), counts, axis=0)
    mean = targets.mean(axis=0)
    expected = np.log(mean / mean[0])
    one_hot_optimum = np.log(np.array(counts) / counts[0])
    at_zero = n / c - targets.sum(axis=0)  # the gradient N y - sum_n t_n at b = 0
    everywhere = own * np.array(counts) / n + other  # the smoothing added to every class
    mistakes = [
        (mean, "these are the probabilities softmax(b) at the optimum; b is their logarithm, "
               "shifted so that b_0 = 0"),
        (mean / mean[0], "these are e^(b_k - b_0), the ratios of the probabilities: take their "
                         "natural logarithm"),
        (one_hot_optimum, "that is the optimum for one-hot targets (the class frequencies); "
                          "with smoothed targets softmax(b) matches the mean smoothed target"),
        (-expected, "the ratios are inverted: e^(b_k - b_0) = y_k / y_0"),
        (expected / np.log(10), "that is the base-10 logarithm; softmax uses e: the natural log"),
        (np.zeros(c), f"at b = 0 every class gets 1/{c}, and the gradient sum_n (y - t_n) is "
                      "not zero there: the classes do not weigh the same in the targets"),
        (at_zero, "that is the gradient at b = 0, where gradient descent starts; the question is "
                  "where it stops: where this gradient is zero"),
        (lambda answer: answer.shape == expected.shape and answer[0] != 0
         and bool(np.allclose(answer - answer[0], expected, rtol=0.0, atol=1e-3)),
         "right up to a constant, which changes no probability; the statement fixes b_0 = 0: "
         "subtract your b_0 from every entry"),
        (np.log(everywhere / everywhere[0]),
         f"your mean target adds {other:g} to every class, but a sample puts {other:g} only on "
         f"the classes other than its own: class k's mean is {own:g} f_k + {other:g} (1 - f_k), "
         "f_k its frequency"),
        (lambda answer: answer.shape == expected.shape
         and bool(np.allclose(answer, expected, rtol=0.0, atol=0.011)),
         "close, but rounded too much: give three decimals"),
    ]
    sums = targets.sum(axis=0)
    listed = ", ".join(f"{m} of class {k}" for k, m in enumerate(counts[1:-1], 1))
    rows = "\n".join(
        f"| {k} | {counts[k]} | {own:g} on class {k}, {other:g} on the others |" for k in range(c)
    )
    return NumericExercise(
        "where the gradient of a shared bias vanishes",
        f"""A classifier with {c} classes keeps its weights at zero and trains only its bias $b$:
every sample gets the same logits $b$, hence the same prediction $y = \\operatorname{{softmax}}(b)$.
Its training set holds {counts[0]} samples of class 0, {listed} and {counts[-1]} of class {c - 1},
with *smoothed* targets: {own:g} on the sample's own class and {other:g} on each of the others.
Gradient descent on $E_D$ converges: to which $b$? Adding the same number to every $b_k$ changes no
probability, so fix $b_0 = 0$ and answer with the {c} numbers
$({", ".join(f"b_{k}" for k in range(c))})$, to three decimals.""",
        expected,
        rtol=0.0,
        atol=1e-3,  # three decimals
        mistakes=mistakes,
        hints=[
            "Where gradient descent stops, the gradient with respect to b is zero. Step 4 gives "
            "it: the sum over the samples of y_n - t_n, where here every y_n is the same "
            "softmax(b).",
            f"So {n} softmax(b) = sum_n t_n: softmax(b) is the mean target. Add up the smoothed "
            "targets class by class, then find the b with b_0 = 0 whose softmax is that mean: "
            "e^(b_k - b_0) = y_k / y_0.",
        ],
        solution=f"""Every sample has the logits $b$, so $\\partial a_{{kn}} / \\partial b_k = 1$
and, by the chain rule (Step 4),
$\\partial E_D / \\partial b = \\sum_n (y - t_n) = N y - \\sum_n t_n$ with $N = {n}$. Gradient
descent stops where this is zero: $y = \\operatorname{{softmax}}(b)$ equals the mean target
$\\bar t = \\frac1N \\sum_n t_n$.

| class | samples | target of each |
|---|---|---|
{rows}

$\\sum_n t_n =$ `{np.array2string(sums, precision=4)}`, so $\\bar t =$
`{np.array2string(mean, precision=4)}`. Softmax gives $y_k / y_0 = e^{{b_k - b_0}}$, so with
$b_0 = 0$, $b_k = \\ln(\\bar t_k / \\bar t_0)$: $b =$ `{np.array2string(expected, precision=4)}`.

A bias-only model predicts the (smoothed) class frequencies, whatever the inputs: the bias is
where a classifier keeps what it knows before it sees an input. With one-hot targets it would be
`{np.array2string(one_hot_optimum, precision=4)}`, the logarithms of the class frequencies over
class 0's.
Unlike one sample with a one-hot target, whose loss has no minimiser, samples of different
classes pull the shared bias in opposite directions, and the pulls balance.
""",
    )


bias_exercise = _bias_exercise(BIAS_COUNTS, BIAS_SMOOTHING)

#: The setting of the sharp-temperature exercise: the explorer's first logits at tau = 0.001, a
#: hundredth of the temperature slider's smallest value. There float64 rounds e^-1000 to 0.
SHARP_LOGITS, SHARP_TAU = np.array([2.0, 1.0, 0.0, -1.0]), 0.001


def _gradient_exponent(target: int, entry: int | None = None, tau: float = SHARP_TAU,
                       base: float = 10.0) -> float:
    r"""The exponent :math:`x` of :math:`\lvert \partial E / \partial a_k \rvert = 10^x` for class
    ``entry`` (the largest for ``None``) when class ``target`` is true; ``base`` a wrong base.

    :math:`(y - t)/\tau` is :math:`y_k/\tau` off the true class :math:`c` and :math:`\sum_{k \ne c}
    y_k / \tau` on it, computed in logarithms, finite where :math:`y_k` underflows to 0.
    """
    log_y = log_softmax(SHARP_LOGITS / tau)
    log_size = log_y.copy()  # ln |y_k - t_k|
    log_size[target] = np.logaddexp.reduce(np.delete(log_y, target))
    chosen = log_size.max() if entry is None else log_size[entry]
    return float((chosen - np.log(tau)) / np.log(base))


#: (i) the largest entry when class 0 is true; (ii) class 2's entry when class 3 is true.
_FIRST, _SECOND = _gradient_exponent(0), _gradient_exponent(3, entry=2)
#: The largest entry when class 3 is true: 1/tau, on the winner (class 0) and the true class.
_LARGEST_WRONG = _gradient_exponent(3)


def _pair(test: Callable[[float, float], bool]) -> Callable[[np.ndarray], bool]:
    return lambda answer: answer.shape == (2,) and bool(test(answer[0], answer[1]))


def _near(x: float, value: float) -> bool:
    return abs(x - value) <= 0.01  # two decimals, the exercise's tolerance


_NO_TAU = ("the factor 1/tau is missing{}: the logits are divided by tau before the softmax, so "
           "the chain rule gives dE/da = (y - t)/tau, and dividing by 0.001 adds 3 to the exponent")

sharp_temperature_exercise = NumericExercise(
    "a temperature below the slider's range",
    r"Take the explorer's first logits, $a = (2, 1, 0, -1)$, at the temperature "
    r"$\tau = 0.001$, a hundredth of the slider's smallest value. Write an entry of the gradient "
    r"as $\lvert \partial E / \partial a_k \rvert = 10^x$ and predict $x$ (i) for the largest "
    "entry over the four classes when the true class is class 0, and (ii) for class 2's "
    r"entry $\lvert \partial E / \partial a_2 \rvert$ when the true class is class 3. Answer "
    "with the two exponents `[first, second]`, to two decimals. Float64 rounds both gradients "
    r"to 0 (its smallest positive number is about $5 \times 10^{-324}$): work with logarithms.",
    [_FIRST, _SECOND],
    rtol=0.0,
    atol=0.01,  # two decimals of the exponent
    mistakes=[
        ([_SECOND, _FIRST],
         "the two are swapped: in (i) the margin that counts is a_0 - a_1 = 1, in (ii) class 2 "
         "is a_0 - a_2 = 2 below the winner"),
        (_pair(lambda first, second: abs(second - 1 / SHARP_TAU) < 1),
         "1000 is a gradient, 10^3, not an exponent; and it is the largest entry when class 3 is "
         "true, 1/tau on the winner (class 0) and the true class (3), not class 2's entry"),
        (_pair(lambda first, second: first == 0.0),
         "x = 0 would mean a gradient of 10^0 = 1. The computed gradient is 0 because float64 "
         "rounds e^(-1000) to 0, but the gradient is not 0: about e^(-margin/tau)/tau"),
        (_pair(lambda first, second: second == 0.0),
         "x = 0 would mean a gradient of 10^0 = 1. Class 2's computed entry is 0 because float64 "
         "rounds e^(-2000) to 0, but the entry is not 0: about e^(-(a_0 - a_2)/tau)/tau"),
        (_pair(lambda first, second: _near(second, _LARGEST_WRONG)),
         "3 is the exponent of the largest entry when class 3 is true, 1/tau = 1000 on the "
         "winner (class 0) and the true class (3); class 2 is neither, and its entry is y_2/tau"),
        ([_FIRST - 3, _SECOND - 3], _NO_TAU.format(" in both")),
        ([_FIRST - 3, _SECOND], _NO_TAU.format(" in (i)")),
        ([_FIRST, _SECOND - 3], _NO_TAU.format(" in (ii)")),
        (_pair(lambda first, second: _near(first, _FIRST - 6) or _near(second, _SECOND - 6)),
         "dividing by tau = 0.001 adds 3 to the exponent: you subtracted 3"),
        (_pair(lambda first, second: _near(first, _gradient_exponent(0, base=np.e))
               or _near(second, _gradient_exponent(3, entry=2, base=np.e))),
         "those are natural logarithms; the exponent of 10 is the natural log over ln 10"),
        (_pair(lambda first, second: _near(first, _gradient_exponent(0, entry=2))),
         "in (i) the margin that counts is between the two largest logits, a_0 - a_1 = 1, not "
         "a_0 - a_2"),
        (_pair(lambda first, second: _near(first, _gradient_exponent(0, entry=3))),
         "in (i) the margin that counts is between the two largest logits, a_0 - a_1 = 1, not "
         "a_0 - a_3"),
        (_pair(lambda first, second: _near(second, _FIRST)),
         "in (ii) class 2's probability is about e^(-(a_0 - a_2)/tau): what counts is its gap "
         "to the winner, class 0, a_0 - a_2 = 2"),
        (_pair(lambda first, second: abs(first - _LARGEST_WRONG) < 0.5),
         "the gradient grows like 1/tau only for a wrong prediction; for a correct one it "
         "vanishes like e^(-margin/tau)/tau"),
        (_pair(lambda first, second: first > 0),
         "the first gradient is tiny, not huge: a correct, confident prediction has a negative "
         "exponent"),
        (_pair(lambda first, second: second > 0),
         "class 2's entry is tiny, not huge: it is neither the winner nor the true class, and "
         "its probability vanishes like e^(-(a_0 - a_2)/tau)"),
        (_pair(lambda first, second: abs(first - _gradient_exponent(0, tau=0.1)) < 0.05),
         "that is the exponent at tau = 0.1, printed in Explore (4.5e-4); at tau = 0.001 the "
         "exponent -margin/tau is a hundred times larger"),
        (_pair(lambda first, second: abs(first - _FIRST) < 0.5 and abs(second - _SECOND) < 0.5),
         "close, but the decimals of an exponent matter (10^0.3 is a factor of 2): give two "
         "decimals"),
        (lambda answer: answer.size == 1,
         "give two numbers, [first, second], for example [-5.0, -7.0]"),
    ],
    hints=[
        "Two regimes, as in Explore: is the prediction right or wrong? In both, a class k that "
        "is not the arg-max gets y_k <= e^(-(a_max - a_k)/tau), and dE/da = (y - t)/tau.",
        "(i) Right: the largest entry is about y_1/tau = e^(-(a_0 - a_1)/tau)/tau. (ii) Wrong: "
        "class 2 is neither the arg-max nor the true class, so its entry is y_2/tau, about "
        "e^(-(a_0 - a_2)/tau)/tau. Then x = ln(entry)/ln 10 = (-gap/tau)/ln 10 - log10(tau).",
    ],
    solution=rf"""$\partial E / \partial a = (y - t)/\tau$, with
$y = \operatorname{{softmax}}(a/\tau)$ and $a/\tau = (2000, 1000, 0, -1000)$: $y$ is all but
the one-hot vector of class 0, with $y_1 \approx e^{{-1000}}$, $y_2 \approx e^{{-2000}}$,
$y_3 \approx e^{{-3000}}$. Float64 rounds all three to 0, so only the theory gives the answer, in
logarithms.

- (i) Class 0 true, a correct prediction: $y - t \approx (-e^{{-1000}}, e^{{-1000}}, e^{{-2000}},
  e^{{-3000}})$, so the largest entry of $(y - t)/\tau$ is $e^{{-1000}}/0.001$, the law
  $e^{{-\Delta/\tau}}/\tau$ with the margin $\Delta = a_0 - a_1 = 1$. Its exponent is
  $x = -1000/\ln 10 + 3 \approx {_FIRST:.2f}$.
- (ii) Class 3 true, a wrong prediction: $y - t \approx e_0 - e_3$, so the winner and the true
  class get $\pm 1/\tau = \pm 10^{{{_LARGEST_WRONG:.0f}}}$, the largest entries. Class 2 is
  neither: its entry is $y_2/\tau \approx e^{{-2000}}/0.001$, with $a_0 - a_2 = 2$, so
  $x = -2000/\ln 10 + 3 \approx {_SECOND:.2f}$.

So `[{_FIRST:.2f}, {_SECOND:.2f}]`. From $\tau = 0.1$ (Explore: $4.5 \times 10^{{-4}}$ and 10) to
$\tau = 0.001$ the correct prediction's largest entry lost
{_gradient_exponent(0, tau=0.1) - _FIRST:.0f} orders of magnitude while the wrong prediction's
gained {_LARGEST_WRONG - _gradient_exponent(3, tau=0.1):.0f}: an exponential against a $1/\tau$.
A sharp softmax learns hard from its mistakes, on the two classes they involve only, and not at
all from its confident successes.
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
