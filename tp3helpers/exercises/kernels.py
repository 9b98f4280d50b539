"""Notebook 2's exercises (three to write code, a choice, two values to predict) and its prompts."""

from __future__ import annotations

from math import factorial

import numpy as np

from .._validation import short_repr
from ..kernels import (
    exp_kernel,
    gaussian,
    is_psd,
    linear,
    min_eigenvalue,
    polynomial,
    psd_rtol,
    relative_min_eigenvalue,
)
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, WrongResult, result_array

__all__ = [
    "psd_exercise",
    "taylor_exercise",
    "counterexample_exercise",
    "valid_kernel_exercise",
    "smallest_eigenvalue_exercise",
    "feature_count_exercise",
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
        "[[1, 3], [0, 1]] (eigenvalues 1 and 1, but not symmetric)":
            np.array([[1.0, 3.0], [0.0, 1.0]]),
    }
    return [Case(name, (K,)) for name, K in named.items()]


def _judge_psd(result: object, K: np.ndarray) -> str | None:
    if not isinstance(result, bool | np.bool_):
        return f"you return {short_repr(result)}; return True or False"
    symmetric = bool(np.allclose(K, K.T))
    expected = symmetric and is_psd(0.5 * (K + K.T))
    if bool(result) == expected:
        return None
    if not symmetric:
        return ("you answer True, but a Gram matrix is always symmetric: check "
                "np.allclose(K, K.T) first (np.linalg.eigvals alone is fooled here)")
    K = 0.5 * (K + K.T)
    smallest, relative = min_eigenvalue(K), relative_min_eigenvalue(K)
    rule = f"-100 * n * eps * max|eigenvalue| (here {psd_rtol(len(K)):.0e} * max|eigenvalue|)"
    if expected:
        return (f"you answer False, but its smallest computed eigenvalue, {smallest:.1e} "
                f"({relative:+.0e} times the largest in size), is rounding error: compare it with "
                f"a tolerance relative to the matrix's scale, {rule}")
    return (f"you answer True, but its smallest eigenvalue is {smallest:.3g}, {relative:+.0e} "
            f"times the largest in size: far below the rounding level {rule}, so the matrix is "
            "not PSD")


psd_exercise = CodeExercise(
    "a PSD test that survives rounding",
    "Write `my_is_psd(K)` returning `True` or `False`: is `K` symmetric and positive "
    "semi-definite? Use the tolerance of the Check section.",
    cases=_psd_cases(),
    judge=_judge_psd,
    success="correct: symmetric check, eigenvalues and a tolerance relative to the matrix's scale.",
    hints=[
        "A Gram matrix is symmetric. And eigenvalues computed in floating point are exact only up "
        "to rounding of the size of n * eps * max|eigenvalue|: a PSD matrix can show a tiny "
        "negative one, at any scale.",
        "Check np.allclose(K, K.T); compute np.linalg.eigvalsh(K); accept when the smallest is at "
        "least -100 * n * np.finfo(float).eps * max|eigenvalue|, the Check section's tolerance.",
    ],
    solution=r"""```python
def my_is_psd(K):
    K = np.asarray(K, dtype=float)
    if K.shape[0] != K.shape[1] or not np.allclose(K, K.T):
        return False                        # a Gram matrix is square and symmetric
    eigenvalues = np.linalg.eigvalsh(K)     # real, sorted, for a symmetric matrix
    tol = 100 * len(K) * np.finfo(float).eps * np.abs(eigenvalues).max()
    return bool(eigenvalues[0] >= -tol)
```

`eigvalsh` is backward stable: its eigenvalues are exact for a matrix within about
$n \varepsilon \lVert K \rVert_2$ of $K$, so a PSD matrix can show $\lambda_{\min}$ that far below
0 ($\lVert K \rVert_2 = \max|\lambda|$). A fixed threshold such as $-10^{-10}$ is too strict for a
matrix of size $10^9$ and too loose for one of size $10^{-6}$; the relative one means the same
at every scale. `np.linalg.eigvals` would not do: on a non-symmetric matrix it can report
positive eigenvalues although $c^\top K c < 0$ for some $c$.
""",
)


def _taylor(K: np.ndarray, order: int) -> np.ndarray:
    total, term = np.ones_like(K), np.ones_like(K)
    for i in range(1, order + 1):
        term = term * K / i
        total = total + term
    return total


def _judge_taylor(result: object, K: np.ndarray, order: int) -> str | None:
    got, want = result_array(result, shape=K.shape), _taylor(K, order)
    if np.allclose(got, want, rtol=1e-10, atol=1e-12):
        return None
    if order == 0 and np.allclose(got, np.eye(len(K))):
        return ("you return the identity matrix; the i = 0 term is k(x, x')^0 = 1 for every pair, "
                "the all-ones matrix: use element-wise powers K**i, not np.linalg.matrix_power")
    if np.allclose(got, want - 1.0):
        return ("the term i = 0 is missing: k(x, x')^0 = 1 for every pair, so the sum starts from "
                "the all-ones matrix np.ones_like(K)")
    if order >= 1 and np.allclose(got, want - K**order / factorial(order)):
        return f"the last term K**{order}/{order}! is missing"
    return (f"the largest difference from the partial sum is {np.abs(got - want).max():.3g}; "
            "each term is K**i / i! with element-wise powers")


_K5 = linear(np.random.default_rng(5).uniform(-1.0, 1.0, size=(5, 2)))

taylor_exercise = CodeExercise(
    "the Gram matrix of exp(k) from its Taylor series",
    "Given the Gram matrix `K` of a kernel and an order $N$, write `my_taylor_exp_gram(K, order)` "
    r"returning $\sum_{i=0}^{N} K^{\circ i} / i!$, where $K^{\circ i}$ raises each entry to the "
    "power $i$.",
    cases=[Case(f"order {order}", (_K5, order)) for order in (0, 1, 2, 5, 40)],
    judge=_judge_taylor,
    success="correct: your partial sums are element-wise and converge to exp(K).",
    hints=[
        "exp(k) = 1 + k + k^2/2! + ... is applied to each pair (x, x') on its own: every power "
        "is taken entry by entry, not as a matrix product.",
        "Start from the all-ones matrix np.ones_like(K) (the term i = 0 is k^0 = 1 for every "
        "pair), then add K**i / i! for i = 1, ..., order.",
    ],
    solution=r"""```python
def my_taylor_exp_gram(K, order):
    term = np.ones_like(K, dtype=float)    # i = 0: k^0 = 1 for every pair (not the identity)
    total = term.copy()
    for i in range(1, order + 1):
        term = term * K / i                # K**i / i!, built from the previous term
        total = total + term
    return total
```

Each term is the Gram matrix of the valid kernel $k^i / i!$ (product rule, then a positive
multiple), so every partial sum is PSD; as the order grows they converge entry by entry to
$\exp(K)$, the Gram matrix of $\exp(k)$.
""",
)


def _judge_counterexample(result: object) -> str | None:
    points = result_array(result)
    if points.ndim not in (1, 2) or not 2 <= points.shape[0] <= MAX_POINTS:
        raise WrongResult(f"your function returned an array of shape {points.shape}; expected two "
                          f"or more points (at most {MAX_POINTS}), shape (n,) or (n, d)")
    if not np.isfinite(points).all():
        return "your points contain NaN or inf"
    try:
        gram = linear(points)
    except ValueError:  # inner products overflow float64
        gram = np.array([np.inf])
    if np.abs(gram).max() > 700:
        return "keep |x . x'| below 700 so that exp(-x . x') stays finite"
    if points.ndim == 1 and sorted(np.unique(points)) == [-1.0, 1.0]:
        return "those are the Check section's two points, -1 and 1: find a pair of your own"
    if points.ndim == 1 and sorted(np.unique(points)) == [-2.0, 2.0]:
        return "those are the points of the eigenvalue exercise, -2 and 2: find a pair of your own"
    gram_exp = np.exp(-gram)
    if not is_psd(gram_exp):
        return None
    distinct = len(np.unique(points.reshape(points.shape[0], -1), axis=0))
    why = ("all your points are the same point, so every entry is equal" if distinct == 1 else
           "its negative eigenvalue, if any, is lost in rounding: your entries exp(-x . x') range "
           f"over {gram_exp.min():.1e} to {gram_exp.max():.1e}")
    return (f"on your points exp(-x . x') looks PSD (smallest eigenvalue "
            f"{min_eigenvalue(gram_exp):.2e}, within rounding of 0 or above): {why}; choose "
            "distinct points with |x . x'| of order 1")


counterexample_exercise = CodeExercise(
    "a counter-example",
    "Write `my_counterexample()` returning points (shape $(n,)$ or $(n, d)$) on which the Gram "
    r"matrix of $\exp(-x^\top x')$ has a negative eigenvalue. Use points other than the Check "
    "section's $-1$ and $1$, or the eigenvalue exercise's $-2$ and $2$ (the check refuses those). "
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
    return np.array([-2.0, 1.0])
```

The Gram matrix is $\begin{pmatrix} e^{-4} & e^{2} \\ e^{2} & e^{-1} \end{pmatrix}$: its
determinant $e^{-5} - e^{4}$ is negative, so one eigenvalue is negative and $\exp(-k)$ is not
a valid kernel. In general the determinant of two points is
$e^{-x^2 - x'^2} - e^{-2 x x'}$, negative exactly when $x^2 + x'^2 > 2 x x'$, that is
$(x - x')^2 > 0$: **any two distinct points** are a counter-example. (Numerically, keep
$\lvert x x' \rvert$ moderate: for two large points of the same sign every entry is tiny and the
negative eigenvalue drowns in rounding.)

The rule that fails is R1: $-k$ is $a\,k$ with $a = -1 < 0$, and it is not a valid kernel (its
diagonal $-k(x, x) = -\lVert \phi(x) \rVert^2$ is negative); the exponential series of $-k$ has
terms $(-k)^i / i!$ of alternating sign, so the sums of R2 no longer apply.
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

_A, _B = np.exp(-4.0), np.exp(4.0)  # the diagonal and off-diagonal of exp(-x x') at x = -2, 2

smallest_eigenvalue_exercise = NumericExercise(
    "the smallest eigenvalue of exp(-x x') at x = -2, 2",
    "Without running code, predict the smallest eigenvalue of the Gram matrix of $\\exp(-x x')$ "
    "on the two points $x = -2$ and $x = 2$ (sign and value, 3 significant digits).",
    _A - _B,
    rtol=1e-3,
    atol=0.0,
    mistakes=[
        (_B - _A, "right size, wrong sign: the eigenvalues of [[a, b], [b, a]] are a + b and "
                  "a - b, and here the diagonal a = e^-4 is far smaller than b = e^4"),
        (_A + _B, "that is the largest eigenvalue, a + b for the matrix [[a, b], [b, a]]; the "
                  "other one is a - b"),
        (_A, "the diagonal entry is not an eigenvalue here: the off-diagonal e^4 dominates"),
        (0.0, "0 would put the matrix on the edge of PSD, but exp(-k) is not valid: the "
              "determinant e^-8 - e^8 (the product of the two eigenvalues) is negative, so one "
              "eigenvalue is negative"),
        (lambda answer: abs(answer - (_A - _B)) < 0.2,
         "nearly, but not to 3 significant digits: compute e^-4 and e^4 to two decimals, then "
         "round the difference (round the last digit, do not cut it off)"),
        (lambda answer: answer > 0, "a positive smallest eigenvalue would make the matrix PSD, "
                                    "but its determinant e^-8 - e^8 < 0 says the two "
                                    "eigenvalues have opposite signs"),
    ],
    hints=[
        "Write the 2 x 2 Gram matrix entry by entry, K[i, j] = exp(-x_i x_j): which entries are "
        "large, which are small?",
        "A symmetric matrix [[a, b], [b, a]] has the eigenvalues a + b and a - b. Give 3 "
        "significant digits, or an expression such as np.exp(...) - np.exp(...).",
    ],
    solution=r"""With $a = e^{-(-2)(-2)} = e^{-4}$ on the diagonal and $b = e^{-(-2)(2)} = e^{4}$
off it, $K = \begin{pmatrix} a & b \\ b & a \end{pmatrix}$ has eigenvectors $(1, 1)$ and
$(1, -1)$ with eigenvalues $a + b$ and $a - b$. The smallest is

$$\lambda_{\min} = e^{-4} - e^{4} \approx -54.58,$$

far below the rounding level ($100 \cdot 2 \cdot \varepsilon \cdot 54.6 \approx 2 \times 10^{-12}$):
$\exp(-x x')$ is not a valid kernel. In code: `np.exp(-4) - np.exp(4)`.
""",
)

# The notebook prints the counts on the plane (d = 2); the exercise asks for d = 3, so that the
# stored output does not answer it: 1 + 3 + 9 + 27 + 81.
feature_count_exercise = NumericExercise(
    "the size of a feature map",
    r"Beyond the homework counted the coordinates of $\Phi_N(x)$ on the plane. How many "
    r"coordinates does $\Phi_4(x)$, the feature map of $\exp(k)$ truncated at order 4, have for "
    r"the linear kernel in **three** dimensions, $\phi(x) = x \in \mathbb R^3$?",
    121.0,
    rtol=0.0,
    atol=1e-9,
    mistakes=[
        (81.0, "that is the last block only, phi^(x4) with 3^4 coordinates; the direct sum keeps "
               "every order i = 0, ..., 4"),
        (120.0, "the block i = 0 is missing: phi^(x0) = 1, one constant coordinate, the feature "
                "of the term k^0 = 1"),
        (35.0, "35 counts the distinct monomials of degree at most 4 in three variables; the "
               "tensor power keeps x1 x2 and x2 x1 as separate coordinates, 3^i of them in "
               "block i"),
        (31.0, "31 is the count on the plane (d = 2), printed in Beyond the homework; here "
               "phi(x) has d = 3 coordinates, so block i has 3^i (31 is also 1 + 3 (1 + 2 + 3 + "
               "4), which takes d * i instead of d^i)"),
        (40.0, "1 + 3 + 9 + 27 stops at order 3; Phi_4 keeps the block i = 4 too"),
        (242.0, "3^5 - 1 transfers the plane's 2^5 - 1 without its denominator: the geometric "
                "sum 1 + d + ... + d^N is (d^(N+1) - 1) / (d - 1)"),
        (5.0, "one coordinate per order is too few: the block phi^(xi) has d^i coordinates"),
    ],
    hints=[
        "Phi_4 is the direct sum of the blocks phi^(x i) / sqrt(i!) for i = 0, ..., 4: count the "
        "coordinates of each block, then add.",
        "Block i holds every product of i coordinates of phi(x), in order (x1 x2 and x2 x1 are "
        "two coordinates): d^i of them, with d = 3.",
    ],
    solution=r"""The block of order $i$ is $\phi(x)^{\otimes i} / \sqrt{i!}$, all products
$x_{j_1} x_{j_2} \cdots x_{j_i}$ with each $j \in \{1, 2, 3\}$: $3^i$ coordinates. Keeping
$i = 0, \dots, 4$:

$$1 + 3 + 9 + 27 + 81 = \frac{3^5 - 1}{3 - 1} = 121.$$

`kernels.exp_feature_map(np.ones((1, 3)), 4).shape[1]` is 121. In general $\Phi_N$ has
$1 + d + \dots + d^N = (d^{N+1} - 1)/(d - 1)$ coordinates: it grows so fast that nobody computes
it, which is why kernel methods work with $\exp(k)$ directly. The inner product of two such
vectors is $\sum_{i \le 4} (x^\top x')^i / i! = T_4(x, x')$, which tends to $\exp(x^\top x')$ as
the order grows.
""",
)

bandwidth_prompt = Prompt(
    "With the Gaussian base kernel, how do the sampled functions change from $h = 1$ to "
    "$h = 0.05$, and what does the ridge fit do at $h = 0.05$? And at $h = 10$?",
    "At $h = 0.05$ the samples wiggle a dozen times or more across $[-1, 1]$: values at points "
    "further apart than a few $h$ are no longer tied by the Gaussian part of κ. They still "
    "share one random level, because κ = exp(k) = 1 + k + … contains the constant kernel 1: "
    "two far-apart points keep a correlation of $1/e$. The fit chases the noise: the readout "
    "shows its training error falling well below the noise level 0.25 and its error against "
    "the noise-free curve rising (about 0.11 and 0.24, against 0.26 and 0.08 at $h = 0.5$). "
    "At $h = 10$ the samples are almost constant and the fit is nearly a straight line, "
    "which misses the bends of $\\sin 3x$ (both errors near 0.42).",
)

order_zero_prompt = Prompt(
    "Pick the linear base kernel and Taylor order 0. What are κ, its eigenvalues, the sampled "
    "functions and the fit?",
    "Order 0 keeps only the term $k^0 = 1$: κ = 1 for every pair. The Gram matrix is all ones, "
    "with one eigenvalue $n = 40$ and 39 grey bars (0 up to rounding); the samples are "
    "constant functions, and the fit is the best constant, close to the mean of $y$. Raising "
    "the order adds $x x'/h^2$, then its square, ...: lines, then parabolas.",
)

minus_linear_prompt = Prompt(
    "Pick 'minus linear (not valid)' at $h = 0.5$. Is κ PSD at order 0? At order 1? At order "
    "3? With the exact exponential?",
    "Order 0 is the constant 1 again: PSD, whatever $k$ is. Order 1, $1 - x x'/h^2$, has one "
    "red bar, a negative eigenvalue about as large as the largest ($-1.0 \\times$ max|λ| at "
    "$h = 0.5$); the Gaussian-process panel is empty (no covariance has a negative "
    "eigenvalue) and the fit is refused. Each odd power of $-k$ adds a red bar: two at order "
    "3. The exact $\\exp(-x x'/h^2)$ is not PSD either (seven red bars), and below "
    "$h \\approx 0.04$ it overflows float64 and the readout says so.",
)
