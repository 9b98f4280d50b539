"""Notebook 2's exercises (three to write code, a choice, two values to predict) and its prompts.

No helper returns a proof that a matrix is not PSD, the Gram matrix of any power series of a
kernel, or a counter-example among positive points; the two values to predict are inverse questions
that the helpers and cells answer only forwards.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial.polynomial import polyval

from ..kernels import (
    exp_kernel,
    gaussian,
    is_psd,
    linear,
    polynomial,
    psd_rtol,
    psd_tolerance,
    relative_min_eigenvalue,
)
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, WrongResult, first_slip, result_array

__all__ = [
    "psd_exercise",
    "taylor_exercise",
    "counterexample_exercise",
    "valid_kernel_exercise",
    "smallest_eigenvalue_exercise",
    "far_prediction_exercise",
    "bandwidth_prompt",
    "order_zero_prompt",
    "minus_linear_prompt",
]

# A counterexample needs two points; more than this would only make the checker's Gram matrix big.
MAX_POINTS = 200


def _psd_cases() -> list[Case]:
    rng = np.random.default_rng(11)
    points = rng.normal(size=(12, 2))
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    cubic = exp_kernel(lambda A, B=None: polynomial(A, B, degree=3))(rng.uniform(-1, 1, (20, 3)))
    eigenvalues, vectors = np.linalg.eigh(cubic)
    move = eigenvalues[0] + 1e-7 * eigenvalues[-1]
    cubic_shifted = cubic - move * np.outer(vectors[:, 0], vectors[:, 0])
    small_negative = q @ np.diag([1.0, 0.5, 0.2, -1e-3]) @ q.T
    named = {
        "the 3x3 identity": np.eye(3),
        "[[1, 2], [2, 1]] (eigenvalues 3 and -1)": np.array([[1.0, 2.0], [2.0, 1.0]]),
        "a Gaussian Gram matrix of 12 points": gaussian(points, bandwidth=0.7),
        "the linear Gram matrix of 12 points in 2-D (rank 2, so ten eigenvalues are 0 up to "
        "rounding)": linear(points),
        "the same rank-2 Gram matrix times 1e6": 1e6 * linear(points),
        "the Gram matrix of exp of a cubic kernel (largest eigenvalue about 1e9)": cubic,
        "that matrix with one eigenvalue moved to -1e-7 times the largest": cubic_shifted,
        "a matrix with eigenvalues 1, 0.5, 0.2 and -1e-3": small_negative,
        "the same matrix times 1e-6 (eigenvalues 1e-6, ..., -1e-9)": 1e-6 * small_negative,
    }
    return [Case(name, (0.5 * (K + K.T),)) for name, K in named.items()]


def _judge_certificate(result: object, K: np.ndarray) -> str | None:
    eigenvalues = np.linalg.eigvalsh(K)
    tau = psd_tolerance(eigenvalues)
    rule = f"-100 * n * eps * max|eigenvalue| = {-tau:.1e}"
    smallest, relative = eigenvalues[0], relative_min_eigenvalue(K)
    if result is None:
        if smallest >= -tau:
            return None
        return (f"you return None, but its smallest eigenvalue is {smallest:.3g}, {relative:+.0e} "
                f"times the largest in size: far below the rounding level {rule}, so K is not "
                "PSD; return the eigenvector of that eigenvalue")
    c = result_array(result, shape=(len(K),), what="your function returned")
    if not np.isfinite(c).all() or not np.any(c):
        return "your vector c must be finite and non-zero"
    form = float(c @ K @ c) / float(c @ c)  # c^T K c / |c|^2: at least the smallest eigenvalue
    if smallest >= -tau:
        return (f"you return a vector, but K is PSD up to rounding: its smallest computed "
                f"eigenvalue, {smallest:.1e} ({relative:+.0e} times the largest in size), is "
                f"rounding error at the level {rule} (your c gives c^T K c / |c|^2 = {form:.1e}); "
                "compare with a tolerance relative to the matrix's scale, and return None")
    if form >= -tau:
        return (f"your c gives c^T K c / |c|^2 = {form:.3g}, not below the rounding level {rule}: "
                f"it proves nothing; the eigenvector of the smallest eigenvalue {smallest:.3g} "
                "does")
    return None


psd_exercise = CodeExercise(
    "a proof that a matrix is not PSD",
    "A PSD test can show its proof. Complete `def my_certificate(K):` for a symmetric matrix "
    "`K`: return `None` when `K` is PSD up to rounding (the Check section's tolerance), and "
    r"otherwise a vector $c$ with $c^\top K c < 0$ beyond rounding, "
    r"$c^\top K c < -100\, n\, \varepsilon \max_i|\lambda_i|\, \lVert c \rVert^2$.",
    cases=_psd_cases(),
    judge=_judge_certificate,
    success="correct: None up to rounding, and otherwise the eigenvector that proves c^T K c < 0.",
    hints=[
        "In the eigenvectors u_i of K, c^T K c = sum_i lambda_i (u_i^T c)^2: which unit vector c "
        "makes it smallest? And rounding alone can make a PSD matrix show a smallest eigenvalue "
        "of about -n * eps * max|eigenvalue|, at any scale.",
        "eigenvalues, vectors = np.linalg.eigh(K) (ascending; eigenvectors in the columns). If "
        "eigenvalues[0] >= -100 * n * np.finfo(float).eps * max|eigenvalue|, return None; "
        "otherwise return vectors[:, 0], for which c^T K c = eigenvalues[0].",
    ],
    solution=r"""```python
def my_certificate(K):
    eigenvalues, vectors = np.linalg.eigh(K)        # ascending; eigenvectors in the columns
    tol = 100 * len(K) * np.finfo(float).eps * np.abs(eigenvalues).max()
    if eigenvalues[0] >= -tol:
        return None                                  # PSD up to rounding
    return vectors[:, 0]                             # c^T K c = lambda_min < -tol
```

Written in the orthonormal eigenvectors, $c^\top K c = \sum_i \lambda_i (u_i^\top c)^2$: for a
unit vector it is smallest, $\lambda_{\min}$, at $c = u_{\min}$. So a negative $\lambda_{\min}$
comes with its own proof, a vector anyone can check by one product, $c^\top K c < 0$, without
trusting an eigensolver. The proof must beat rounding: `eigh` is exact only for a matrix within
about $n \varepsilon \lVert K \rVert_2$ of $K$, so a PSD matrix can show $\lambda_{\min}$ that far
below 0. A fixed threshold such as $-10^{-10}$ is too strict for a Gram matrix of size $10^9$ and
too loose for one of size $10^{-9}$; the relative one means the same at every scale.
""",
)


def _judge_series(result: object, K: np.ndarray, coefficients: tuple[float, ...]) -> str | None:
    # NumPy's polyval is sum_i a_i K**i entry by entry (by Horner's rule, not the solution's loop).
    got, want = result_array(result, shape=K.shape), polyval(K, coefficients)
    if np.allclose(got, want, rtol=1e-10, atol=1e-12):
        return None
    a0, n = coefficients[0], len(coefficients)
    return first_slip(got, [
        (want - a0 + a0 * np.eye(len(K)) if a0 else None,
         f"your term i = 0 is {a0:g} times the identity, the matrix power K^0; the series is "
         f"applied to each value k(x, x') on its own, so that term is {a0:g} k(x, x')^0 = "
         f"{a0:g} for every pair, the all-ones matrix: use element-wise powers K**i, with "
         "K**0 = np.ones_like(K)"),
        (sum(a * np.linalg.matrix_power(K, i) for i, a in enumerate(coefficients)),
         "you take matrix powers (K @ K, np.linalg.matrix_power); the series is applied to each "
         "value k(x, x') on its own: use element-wise powers K**i"),
        (want - a0 if a0 else None,
         "the term i = 0 is missing: a_0 k(x, x')^0 = a_0 for every pair (all ones times a_0)"),
        (polyval(K, (0.0, *coefficients)), "your powers are one too high: coefficient a_i "
         "multiplies K**i, starting with a_0 K**0 = a_0 (all ones)"),
        (polyval(K, coefficients[:-1]) if n >= 2 else None,
         f"the last term, a_{n - 1} K**{n - 1}, is missing"),
    ]) or (f"the largest difference from the series is {np.abs(got - want).max():.3g}; "
           "each term is a_i * K**i with element-wise powers")


_K5 = linear(np.random.default_rng(5).uniform(-1.0, 1.0, size=(5, 2)))
#: The power-series exercise's cases: their names and coefficients (a_0, a_1, ...).
SERIES = {"g(k) = 3 (a constant)": (3.0,), "g(k) = k": (0.0, 1.0),
          "the Taylor sum T_5 of exp": tuple(1.0 / np.cumprod([1.0, 1, 2, 3, 4, 5])),
          "g(k) = 1 + k + k^2 + k^3": (1.0, 1.0, 1.0, 1.0),
          "g(k) = 2 + k^2 / 2": (2.0, 0.0, 0.5)}

taylor_exercise = CodeExercise(
    "the Gram matrix of a power series of k",
    r"Rule R7 builds a kernel $g(k) = \sum_i a_i k^i$ from a valid kernel $k$ and coefficients "
    r"$a_i \ge 0$; $\exp(k)$ is the case $a_i = 1/i!$. Complete "
    "`def my_series_gram(K, coefficients):` so that, given the Gram matrix `K` of $k$ and the "
    r"coefficients $(a_0, a_1, \dots, a_N)$, it returns the Gram matrix of $g(k)$, "
    r"$\sum_{i=0}^{N} a_i K^{\circ i}$, where $K^{\circ i}$ raises each entry to the power $i$.",
    cases=[Case(name, (_K5, coefficients)) for name, coefficients in SERIES.items()],
    judge=_judge_series,
    success="correct: your powers are element-wise and the series starts with a constant.",
    hints=[
        "g is applied to each value k(x, x') on its own, as exp is in the Taylor series: every "
        "power is taken entry by entry, not as a matrix product; and k(x, x')^0 = 1 for every "
        "pair.",
        "Start from the all-ones matrix np.ones_like(K) for the power 0; for each coefficient "
        "a_i, add a_i times the current power, then multiply the power by K entry by entry.",
    ],
    solution=r"""```python
def my_series_gram(K, coefficients):
    total = np.zeros_like(K, dtype=float)
    power = np.ones_like(K, dtype=float)   # K**0 entry by entry: all ones, not the identity
    for a in coefficients:
        total = total + a * power
        power = power * K                  # the next power, entry by entry
    return total
```

Each term is the Gram matrix of the valid kernel $a_i k^i$ (product rule, then a non-negative
multiple), so each finite sum is PSD; with $a_i = 1/i!$ the sums are the Taylor sums $T_N$ and
converge entry by entry to $\exp(K)$. The constant term is $a_0$ for every pair, the all-ones
matrix $a_0 \mathbf{1}\mathbf{1}^\top$ (Remark 3): the identity would be the matrix power $K^0$,
which has nothing to do with the kernel.
""",
)


def _judge_counterexample(result: object) -> str | None:
    points = result_array(result)
    if points.ndim not in (1, 2) or not 2 <= points.shape[0] <= MAX_POINTS:
        raise WrongResult(f"your function returned an array of shape {points.shape}; expected two "
                          f"or more points (at most {MAX_POINTS}), shape (n,) or (n, d)")
    if not np.isfinite(points).all():
        return "your points contain NaN or inf"
    if not (points > 0).all():
        smallest = float(points.min())
        return (f"a coordinate of your points is {smallest:.3g}: every coordinate must be "
                "positive, so that every x . x' > 0 and every entry exp(-x . x') is below 1 (the "
                "Check section's -1 and 1 make x x' = -1 and a large entry e off the diagonal)")
    try:
        gram = linear(points)
    except ValueError:  # inner products overflow float64
        gram = np.array([np.inf])
    if np.abs(gram).max() > 700:
        return "keep |x . x'| below 700 so that exp(-x . x') stays finite"
    gram_exp = np.exp(-gram)
    if not is_psd(gram_exp):
        return None
    if len(np.unique(points.reshape(points.shape[0], -1), axis=0)) == 1:
        return ("all your points are the same point, so every entry of the Gram matrix is equal "
                "and it is PSD; choose two distinct points with |x . x'| of order 1")
    # Two distinct points always give a negative eigenvalue; here it hides in rounding.
    return (f"exp(-x . x') does have a negative eigenvalue on your distinct points, but it is "
            f"only {relative_min_eigenvalue(gram_exp):.1e} of the largest, inside the rounding "
            f"level -{psd_rtol(len(gram_exp)):.1e} that the Check section's rule allows, so it "
            "cannot be told from 0; choose points with |x . x'| of order 1")


counterexample_exercise = CodeExercise(
    "a counter-example",
    "Write `my_counterexample()` returning points (shape $(n,)$ or $(n, d)$) **with every "
    r"coordinate positive** on which the Gram matrix of $\exp(-x^\top x')$ has a negative "
    r"eigenvalue that the Check section's rule detects (beyond rounding). The Check section's "
    r"$-1$ and $1$ do not qualify: there $x x' = -1$ puts the large entry $e$ off the diagonal; "
    r"here every $x^\top x' > 0$, so every entry is below 1. "
    "Before you open the solution, say which construction rule fails for $-k$.",
    cases=[Case("")],
    judge=_judge_counterexample,
    success="correct: exp(-k) has a negative eigenvalue on your points: it is not a valid kernel.",
    hints=[
        "Two points in 1-D are enough: a symmetric 2 x 2 matrix with a negative determinant has "
        "one negative eigenvalue.",
        "The Gram matrix of exp(-x x') on x, x' has the determinant exp(-x^2 - x'^2) - "
        "exp(-2 x x'): compare the two exponents. For which x, x' is the second term the larger?",
    ],
    solution=r"""```python
def my_counterexample():
    return np.array([1.0, 2.0])
```

The Gram matrix is $\begin{pmatrix} e^{-1} & e^{-2} \\ e^{-2} & e^{-4} \end{pmatrix}$: every
entry is between 0 and 1, yet its determinant $e^{-5} - e^{-4}$ is negative, so one eigenvalue
is negative and $\exp(-k)$ is not a valid kernel. In general the determinant of two points is
$e^{-x^2 - x'^2} - e^{-2 x x'}$, negative exactly when $x^2 + x'^2 > 2 x x'$, that is
$(x - x')^2 > 0$: **any two distinct points** are a counter-example, whatever their signs.
(Numerically, keep $\lvert x x' \rvert$ moderate: for two large points of the same sign every
entry is tiny and the negative eigenvalue drowns in rounding.)

The rule that fails is R1: $-k$ is $\gamma\,k$ with $\gamma = -1 < 0$, and it is not a valid
kernel (its diagonal $-k(x, x) = -\lVert \phi(x) \rVert^2$ is negative); the exponential series
of $-k$ has terms $(-k)^i / i!$ of alternating sign, so the sums of R2 no longer apply.
""",
)


valid_kernel_exercise = ChoiceExercise(
    "which is a valid kernel?",
    r"Exactly one of these functions of $x, x' \in \mathbb R$ (the whole real line) is a valid "
    "kernel. Answer with its letter; every wrong letter gets its own reason.",
    {
        "a": Option(r"$\exp(-x x')$", False,
                    "exp(-x x') is the exponential of -k, a negative multiple of the linear "
                    "kernel; at x = -1, x' = 1 its Gram matrix [[1/e, e], [e, 1/e]] has the "
                    "eigenvalue 1/e - e < 0."),
        "b": Option(r"$1 / (1 - x x')$", False,
                    "1/(1 - x x') = 1 + x x' + (x x')^2 + ... has non-negative coefficients, but "
                    "the series converges only where |x x'| < 1; at x = x' = 1.5 the function "
                    "is 1/(1 - 2.25) = -0.8 < 0 on the diagonal, impossible for "
                    "k(x, x) = |phi(x)|^2."),
        "c": Option(r"$(1 + x x')^2 \exp(x x')$", True,
                    "(1 + x x')^2 exp(x x') is a product (Schur) of two valid kernels: the "
                    "polynomial kernel and the exponential of the linear kernel."),
        "d": Option(r"$\exp(-(x - x')^2/2) - \exp(-(x - x')^2/8)$", False,
                    "exp(-(x - x')^2 / 2) - exp(-(x - x')^2 / 8) is a difference of two valid "
                    "Gaussian kernels; its diagonal is 0, so every Gram matrix has trace 0 and, "
                    "unless it is 0, a negative eigenvalue."),
        "e": Option(r"$x x' - 1$", False,
                    "x x' - 1 gives k(0, 0) = -1 < 0, while a valid kernel has "
                    "k(x, x) = |phi(x)|^2 >= 0: adding a negative constant breaks the rules."),
    },
    hints=[
        "A valid kernel has k(x, x) = |phi(x)|^2 >= 0 and PSD Gram matrices; the rules build new "
        "kernels only from non-negative combinations, products and limits of valid ones.",
        "Try each candidate on one or two points (x = x' = 1.5; x = -1 and x' = 1) and look for "
        "a minus sign, or a series used where it diverges.",
    ],
    solution=r"""Only **(c)** is valid.

| option | verdict | reason |
|---|---|---|
| (a) $e^{-xx'}$ | not valid | $-k$ is a negative multiple; at $\pm 1$: eigenvalue $e^{-1} - e$ |
| (b) $1/(1 - xx')$ | not valid | the series needs $\lvert xx' \rvert < 1$; $k(1.5, 1.5) < 0$ |
| (c) $(1 + xx')^2 e^{xx'}$ | **valid** | product of two valid kernels (Schur) |
| (d) difference of Gaussians | not valid | zero diagonal, trace 0, so a negative eigenvalue |
| (e) $xx' - 1$ | not valid | $k(0, 0) = -1 < 0$ |

Two quick tests catch most invalid candidates: $k(x, x) \ge 0$ for every $x$, and the
$2 \times 2$ Gram matrix on two points has a non-negative determinant,
$k(x, x) k(x', x') \ge k(x, x')^2$ (Cauchy-Schwarz in feature space).
""",
)

def _tex(value: float) -> str:
    """4.44e-14 as 4.44 \\times 10^{-14}, for LaTeX."""
    mantissa, exponent = f"{value:.2e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


#: The Check section's relative tolerance for two points, 100 * 2 * eps_mach.
_RTOL2 = psd_rtol(2)
#: On x = -a, a the Gram matrix of exp(-x x') is [[e^-a^2, e^a^2], [e^a^2, e^-a^2]], with the
#: eigenvalues e^-a^2 -+ e^a^2; their ratio is -tanh(a^2), so the rule finds the negative one
#: exactly when tanh(a^2) > 100 * 2 * eps_mach.
CLOSEST = float(np.sqrt(np.arctanh(_RTOL2)))

smallest_eigenvalue_exercise = NumericExercise(
    "how close can two points be before rounding hides exp(-x x')?",
    r"Take the Gram matrix of $\exp(-x x')$ on the two points $x = -a$ and $x = a$. As $a$ "
    r"shrinks towards 0, the Check section's rule, $\lambda_{\min} \ge -100\, n\, "
    r"\varepsilon_{\text{mach}} \max_i |\lambda_i|$ with $\varepsilon_{\text{mach}} = 2^{-52}$, "
    r"stops telling this matrix from a PSD one. Predict the value of $a$ below which the rule, "
    "applied to the exact eigenvalues, calls the matrix PSD, to 2 significant digits.",
    CLOSEST,
    rtol=1e-2,
    atol=0.0,
    mistakes=[
        (CLOSEST**2, "that is a^2: the ratio lambda_min / lambda_max = -tanh(a^2) is about -a^2, "
                     "so a is the square root of 100 n eps_mach"),
        (np.sqrt(_RTOL2 / 2), "a factor 2 is lost: the rule has n = 2 points, "
                              "eps_mach = 2^-52 (about 2.2e-16, not 1.1e-16), and "
                              "|lambda_min| = e^(a^2) - e^(-a^2), about 2 a^2, is compared with "
                              "max|lambda| = e^(a^2) + e^(-a^2), about 2 (not the diagonal 1)"),
        (np.sqrt(2 * _RTOL2), "a factor 2 too many: |lambda_min| = e^(a^2) - e^(-a^2) is about "
                              "2 a^2 (not a^2), against 100 * 2 * eps_mach times max|lambda|, "
                              "about 2"),
        (CLOSEST / 10, "the factor 100 of the rule is missing: the tolerance is "
                       "100 n eps_mach max|lambda|"),
        (np.sqrt(0.5e-10), "that is where lambda_min, about -2 a^2, reaches the fixed threshold "
                           "-1e-10 that the Check section shows failing; the project's rule is "
                           "relative: lambda_min against -100 n eps_mach max|lambda|"),
        (lambda answer: abs(answer / CLOSEST - 1) < 0.1,
         "close, but not to 2 significant digits: take eps_mach = 2^-52 (about 2.22e-16) to "
         "three digits and round the result, do not cut it off"),
        (lambda answer: answer < 0, "the points are -a and a with a > 0: give a positive a"),
        (lambda answer: answer == 0,
         "at a = 0 both points are 0 and the matrix is all ones, PSD; the question is how far "
         "from 0 they must be for the negative eigenvalue to beat rounding"),
        (lambda answer: answer > 1e-4,
         "far too large: there the ratio lambda_min / max|lambda| is much more negative than "
         "-100 n eps_mach and the rule finds the negative eigenvalue easily; look for the a "
         "where the ratio is as small as the tolerance"),
    ],
    hints=[
        "Write the 2 x 2 Gram matrix entry by entry, K[i, j] = exp(-x_i x_j); a symmetric "
        "[[p, q], [q, p]] has the eigenvalues p + q and p - q. The rule looks only at the ratio "
        "lambda_min / max|lambda|.",
        "The ratio is (e^(-a^2) - e^(a^2)) / (e^(-a^2) + e^(a^2)) = -tanh(a^2), about -a^2 for "
        "small a. Set it equal to -100 * 2 * 2^-52 and solve for a.",
    ],
    solution=rf"""With $p = e^{{-a^2}}$ on the diagonal ($x x' = a^2$) and $q = e^{{a^2}}$ off it
($x x' = -a^2$), $K = \begin{{pmatrix}} p & q \\ q & p \end{{pmatrix}}$ has the eigenvectors
$(1, 1)$ and $(1, -1)$, with the eigenvalues $p + q > 0$ and $p - q < 0$: negative for every
$a > 0$, one more proof that $\exp(-k)$ is not a valid kernel. The rule compares the ratio

$$\frac{{\lambda_{{\min}}}}{{\max_i|\lambda_i|}}
= \frac{{e^{{-a^2}} - e^{{a^2}}}}{{e^{{-a^2}} + e^{{a^2}}}} = -\tanh(a^2) \approx -a^2$$

with $-100 \cdot 2 \cdot 2^{{-52}} = -{_tex(_RTOL2)}$. It fails the rule while
$\tanh(a^2) > {_tex(_RTOL2)}$, that is for

$$a > \sqrt{{\operatorname{{artanh}}({_tex(_RTOL2)})}} \approx {_tex(CLOSEST)}.$$

Closer to 0 than that, the matrix differs from the all-ones matrix (eigenvalues 2 and 0) by less
than rounding can explain, and the test cannot tell $\exp(-k)$ from a valid kernel there. The
rule is relative: multiplying $K$ by any $\gamma > 0$ leaves the ratio, and so this limit,
unchanged; only the distance between the points counts. In code:
`np.sqrt(np.arctanh(100 * 2 * 2.0**-52))`. The computed eigenvalues agree: the project's PSD
test calls the Gram matrix on $\pm 0.98\,a$ PSD and the one on $\pm 1.02\,a$ not.
""",
)

_E = float(np.e)  # the Gaussian kernel's k(0, 0) = 1, so exp of it gives e there
#: Kernel ridge with exp of the Gaussian kernel (h = 1) on one point x_1 = 0, y_1 = 1 predicts
#: y(10) = exp(e^-50) / (e + alpha) at x = 10; the penalty that makes it FAR_VALUE:
FAR_VALUE = 0.2
FAR_ALPHA = float(np.exp(np.exp(-50.0)) / FAR_VALUE - _E)

far_prediction_exercise = NumericExercise(
    "far from the data",
    r"Kernel ridge regression with the exponential of the Gaussian kernel of bandwidth $h = 1$, "
    r"$\exp(k)$ (the kernel the explorer shows), learns from a single point, $x_1 = 0$ with "
    r"$y_1 = 1$. Far from that point, at $x = 10$, its prediction is "
    rf"$\hat y(10) = {FAR_VALUE:g}$. Which penalty $\alpha$ was used? Answer to three "
    "significant digits.",
    FAR_ALPHA,
    rtol=1e-3,
    atol=0.0,
    mistakes=[
        (1 / FAR_VALUE - 1, "for exp(k) the diagonal is exp(k(0, 0)) = e, not 1: "
                            "beta = y_1 / (e + alpha)"),
        (1 / FAR_VALUE, "beta = y_1 / (k(x_1, x_1) + alpha): the diagonal exp(k(0, 0)) = e adds "
                        "to the penalty"),
        (_E / FAR_VALUE - _E, "exp(k(10, 0)) = exp(e^-50) is about e^0 = 1 far from the data; "
                              "e is its value at the training point, exp(k(0, 0))"),
        (_E - 1 / FAR_VALUE, "the sign: 0.2 (e + alpha) = 1 gives alpha = 1/0.2 - e"),
        (lambda answer: answer <= 0,
         "alpha is a penalty, alpha > 0. If no alpha seemed to work, you took exp(k(10, 0)) "
         "as about 0: that is the Gaussian kernel's k(10, 0) = e^-50, but its exponential does "
         "not vanish far from the data: exp(e^-50) is about e^0 = 1"),
    ],
    hints=[
        "With one training point, kernel ridge solves (k(x_1, x_1) + alpha) beta = y_1 and "
        "predicts y(x) = beta k(x, x_1). What does exp(k) give for a point with itself, and "
        "for two points 10 apart?",
        "exp(k(0, 0)) = exp(1) = e and exp(k(10, 0)) = exp(e^-50), about 1. So "
        "y(10) = exp(e^-50) / (e + alpha): set it to 0.2 and solve for alpha.",
    ],
    solution=rf"""With one point the system $(K + \alpha I)\beta = y$ is the number
$\beta = y_1 / (\tilde k(x_1, x_1) + \alpha)$, and $\hat y(x) = \beta\, \tilde k(x, x_1)$, here
with $\tilde k = \exp(k)$:

- at the training point, $\tilde k(0, 0) = \exp(k(0, 0)) = e$, so $\beta = 1/(e + \alpha)$;
- far from it, $k(10, 0) = e^{{-50}} \approx {_tex(np.exp(-50.0))}$, but
  $\tilde k(10, 0) = \exp(e^{{-50}}) \approx 1$, so $\hat y(10) \approx 1/(e + \alpha)$.

Setting $1/(e + \alpha) = {FAR_VALUE:g}$ gives
$\alpha = {1 / FAR_VALUE:g} - e \approx {FAR_ALPHA:.4g}$.

The Gaussian kernel itself forgets the data far from it: with it, $\hat y(10) = e^{{-50}} / (1 +
\alpha)$, at most $e^{{-50}}$ whatever $\alpha$, and no penalty gives ${FAR_VALUE:g}$. Its
exponential never does: $\exp(k) = 1 + k + k^2/2 + \dots$ contains the constant kernel 1, so far
from every training point it predicts the constant $\sum_i \beta_i$, which only the penalty pulls
towards 0. This is why the explorer's sampled functions share one random level, and why $\exp$
of a Gaussian is not a Gaussian kernel.
""",
)

bandwidth_prompt = Prompt(
    "With the Gaussian base kernel (the explorer shows its exponential, "
    r"$\tilde k = \exp(k_h)$), how do the sampled functions change from $h = 1$ to $h = 0.05$, "
    "and what does the ridge fit do at $h = 0.05$? And at $h = 10$?",
    "At $h = 0.05$ the samples wiggle a dozen times or more across $[-1, 1]$: values at points "
    r"further apart than a few $h$ are no longer tied by the Gaussian part of $\tilde k$. They "
    r"still share one random level, because $\tilde k = \exp(k_h) = 1 + k_h + \dots$ contains "
    "the constant kernel 1: two far-apart points keep a correlation of $1/e$ (the Gaussian kernel "
    "itself would give them none). The fit chases the noise: the readout shows its training "
    "error falling well below the noise level 0.25 and its error against the noise-free curve "
    "rising (about 0.11 and 0.24, against 0.26 and 0.08 at $h = 0.5$). At $h = 10$ the samples "
    "are almost constant and the fit is nearly a straight line, which misses the bends of "
    r"$\sin 3x$ (both errors near 0.42).",
)

order_zero_prompt = Prompt(
    r"Pick the linear base kernel and Taylor order 0. What are the shown kernel $\tilde k$, its "
    "eigenvalues, the sampled functions and the fit?",
    r"Order 0 keeps only the term $k^0 = 1$: $\tilde k = 1$ for every pair. The Gram matrix is "
    "all ones, with one eigenvalue $n = 40$ and 39 grey bars (0 up to rounding); the samples are "
    "constant functions, and the fit is the best constant, close to the mean of $y$. Raising "
    "the order adds $x x'/h^2$, then its square, ...: lines, then parabolas.",
)

minus_linear_prompt = Prompt(
    r"Pick 'minus linear (not valid)' at $h = 0.5$. Is the shown kernel $\tilde k$ PSD at "
    "order 0? At order 1? At order 3? With the exact exponential?",
    "Order 0 is the constant 1 again: PSD, whatever $k$ is. Order 1, $1 - x x'/h^2$, has one "
    "red bar, a negative eigenvalue about as large as the largest ($-1.0 \\times$ max|λ| at "
    "$h = 0.5$); the Gaussian-process panel is empty (no covariance has a negative "
    "eigenvalue) and the fit is refused. Each odd power of $-k$ adds a red bar: two at order "
    "3. The exact $\\exp(-x x'/h^2)$ is not PSD either (seven red bars), and below "
    "$h \\approx 0.04$ it overflows float64 and the readout says so.",
)
