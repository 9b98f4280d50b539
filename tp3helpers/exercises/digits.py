"""Notebook 4's exercises (one image's gradient to write, a step count to predict, a bandwidth to
choose) and its prompt."""

from __future__ import annotations

import numpy as np

from ..digits import predicted_steps
from ..momentum import optimal_parameters
from ..softmax import softmax
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array

__all__ = ["sample_gradient_exercise", "momentum_steps_exercise", "bandwidth_exercise",
           "penalty_prompt"]


def _judge_sample_gradient(result: object, phi: np.ndarray, t: np.ndarray,
                           W: np.ndarray) -> str | None:
    y = softmax(W.T @ phi)
    expected = np.outer(phi, y - t)
    got = result_array(result)  # real numbers of any shape, else what it is
    if got.shape == y.shape and np.allclose(got, y - t):
        return ("you return y - t, the gradient with respect to the logits; the weights need the "
                "chain rule: multiply by phi (an outer product)")
    if got.shape == expected.T.shape != expected.shape and np.allclose(got, expected.T):
        return (f"your array has shape {got.shape}, the transpose of the expected (D, K) = "
                f"{expected.shape}: W has one row per feature")
    got = result_array(result, shape=expected.shape)
    if not np.all(np.isfinite(got)):
        return "the gradient contains NaN or inf: use a stable softmax"
    if np.allclose(got, expected, rtol=1e-7, atol=1e-10):
        return None
    if np.allclose(got, -expected):
        return ("you return phi (t - y): the sign is reversed; the gradient is prediction minus "
                "target")
    if np.allclose(got, np.outer(phi, W.T @ phi - t)):
        return "you use the logits a instead of y = softmax(a)"
    return f"you return {np.round(got, 4)}, expected {np.round(expected, 4)}"


_rng = np.random.default_rng(4)

sample_gradient_exercise = CodeExercise(
    "the gradient of one image",
    "For one image with features `phi` (shape `(D,)`), one-hot target `t` (shape `(K,)`) and "
    "weights `W` (shape `(D, K)`), write `my_sample_gradient(phi, t, W)` returning the gradient "
    "of its cross-entropy term with respect to `W`, a `(D, K)` array (no penalty). Use `softmax` "
    "from `tp3helpers.softmax` if you like.",
    cases=[
        Case("phi = [1, 2], t = [0, 1, 0], W = 0",
             (np.array([1.0, 2.0]), np.array([0.0, 1.0, 0.0]), np.zeros((2, 3)))),
        Case("random phi and W with D = 5, K = 4",
             (_rng.normal(size=5), np.eye(4)[2], _rng.normal(size=(5, 4)))),
        Case("logits of about 1000",
             (np.array([1.0, 0.5, 2.0]), np.eye(3)[1],
              500.0 * np.array([[1.0, -1.0, 0.5], [0.2, 0.4, 0.0], [0.3, -0.2, 0.1]]))),
    ],
    judge=_judge_sample_gradient,
    success="correct: phi (y - t)^T, stable for large logits too.",
    hints=[
        "Notebook 1: the gradient with respect to the logits a = W^T phi is y - t with "
        "y = softmax(a); the chain rule carries it to W.",
        "The logit a_k depends on W[j, k] through phi[j] alone, so "
        "dE/dW[j, k] = phi[j] (y_k - t_k): the outer product of phi and y - t, of shape (D, K).",
    ],
    solution=r"""The logits of the image are $a = W^\top \phi$ ($a_k = \sum_j \phi_j W_{jk}$),
and notebook 1 gives $\partial E / \partial a_k = y_k - t_k$. By the chain rule
$\partial E / \partial W_{jk} = \phi_j (y_k - t_k)$:

```python
def my_sample_gradient(phi, t, W):
    y = softmax(W.T @ phi)          # the image's class probabilities, shape (K,)
    return np.outer(phi, y - t)     # shape (D, K)
```

Summing this over the images gives $\Phi^\top (Y - T)$, the data part of $\nabla J$.
""",
)


def _momentum_steps_exercise(kappa: float = 400.0, tol: float = 1e-6) -> NumericExercise:
    """How many steps momentum with (rho*, eta*) needs for kappa and tol, at the worst rate."""
    rho, eta = optimal_parameters(1.0, kappa)
    expected = predicted_steps(rho, eta, 1.0, kappa, tol)
    log_term = np.log(1.0 / tol)
    root = np.sqrt(kappa)
    return NumericExercise(
        "predict the momentum steps",
        f"On a problem with $\\kappa = {kappa:g}$, how many steps does momentum with "
        "$(\\rho^\\star, \\eta^\\star)$ need, at the worst-case rate, to shrink its error by "
        f"$\\varepsilon = 10^{{{int(np.log10(tol))}}}$? Give a whole number.",
        expected,
        rtol=0.03,
        atol=0.0,
        mistakes=[
            (kappa * log_term, "that is about kappa ln(1/eps), gradient descent's count; "
                               "momentum's rate depends on sqrt(kappa)"),
            (root * log_term, "close, but the rate (sqrt(k) - 1)/(sqrt(k) + 1) is about "
                              "1 - 2/sqrt(k): there is a factor 1/2"),
            (root, "that is sqrt(kappa) alone: the number of steps also grows with ln(1/eps)"),
            (lambda a: a < 0.3 * expected, "far too few: each step shrinks the error only by the "
                                           "rate r = (sqrt(k) - 1)/(sqrt(k) + 1)"),
        ],
        hints=[
            "Momentum with (rho*, eta*) shrinks the error by the rate "
            "r = (sqrt(kappa) - 1)/(sqrt(kappa) + 1) at every step.",
            "Solve r^t = eps for t: t = ln(1/eps) / ln(1/r), rounded up.",
        ],
        solution=rf"""With $\kappa = {kappa:g}$, $\sqrt\kappa = {root:g}$ and the rate is
$r = (\sqrt\kappa - 1)/(\sqrt\kappa + 1) = {(root - 1) / (root + 1):.4f}$. The error falls below
$\varepsilon = 10^{{{int(np.log10(tol))}}}$ when $r^t \le \varepsilon$, that is
$t \ge \ln(1/\varepsilon) / \ln(1/r) = {log_term:.2f} / {np.log((root + 1) / (root - 1)):.4f}$,
so **{expected} steps**. The shortcut $\ln(1/r) \approx 2/\sqrt\kappa$ gives
$\tfrac12 \sqrt\kappa \ln(1/\varepsilon) \approx {0.5 * root * log_term:.0f}$; gradient descent
with step $1/L$ would need about $\kappa \ln(1/\varepsilon) \approx {kappa * log_term:.0f}$.
""",
    )


momentum_steps_exercise = _momentum_steps_exercise()

bandwidth_exercise = ChoiceExercise(
    "which bandwidth over-fits?",
    "The Gaussian kernel of the digits has the bandwidth $h$. Which setting over-fits?",
    {
        "a": Option("$h = 0.3$", True,
                    "with h = 0.3 the kernel between two different digits is almost 0: each "
                    "training digit is an island, the exact-kernel SVM is perfect on training and "
                    "poor on held-out digits"),
        "b": Option("$h = 2$", False,
                    "h = 2 gives about the best held-out accuracy: nearby digits share "
                    "information, distant ones do not"),
        "c": Option("$h = 10$", False,
                    "h = 10 makes all digits look alike: the model is too smooth and loses "
                    "accuracy on the training digits too, which is under-fitting"),
        "d": Option("the larger $h$, the more the classifier over-fits", False,
                    "the reverse: a wider kernel gives a smoother classifier; it is the narrow "
                    "kernel that memorises"),
    },
    hints=[
        "Over-fitting means perfect on the training digits and poor on the held-out ones.",
        "What is k(x, x') = exp(-|x - x'|^2 / (2 h^2)) between two different digits when h is "
        "tiny? And when h is huge?",
    ],
    solution=r"""Two different training digits are at a squared distance of about 9 (more than 2
for 99 % of the pairs), so with $h = 0.3$ their kernel value is about
$e^{-9/0.18} \approx 10^{-22}$: the Gram matrix is nearly the identity. The classifier
can then give every training digit its own label (training accuracy 100 %) while a new digit is
close to none of them (held-out accuracy about 30 % in *Beyond the homework*). So **(a)**. With
$h = 10$ the opposite happens: every pair looks alike, and both
accuracies drop (under-fitting).
""",
)

penalty_prompt = Prompt(
    "Move λ from 0.1 to 0.01. By how much does κ grow, and how many times more steps do "
    "gradient descent and momentum need?",
    "κ = L/λ grows about tenfold (L hardly changes, μ = λ falls tenfold), from about 210 to about "
    "2,100. Gradient descent needs about κ ln(1/ε) steps, ten times more; momentum needs about "
    "½√κ ln(1/ε), only √10 ≈ 3 times more. In 200 steps gradient descent stays far from the "
    "minimum.",
)
