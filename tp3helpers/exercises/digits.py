"""Exercises of notebook 4 (the three results on the digits): one image's gradient (code), the
momentum step count for a given condition number (number), the bandwidth that over-fits (choice)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..digits import predicted_steps
from ..momentum import optimal_parameters
from ..softmax import softmax
from ._feedback import Feedback, result_array, run_cases
from ._questions import ChoiceQuestion, NumericQuestion, code_exercise

__all__ = ["check_sample_gradient", "momentum_steps_question", "bandwidth_question"]

_SAMPLE_HINT = (
    "Notebook 1: the gradient with respect to the logits a = W^T phi is y - t with "
    "y = softmax(a). The logit a_k depends on W[j, k] through phi[j], so the gradient with "
    "respect to W is the outer product np.outer(phi, y - t), of shape (D, K)."
)
_SAMPLE_SOLUTION = r"""The logits of the image are $a = W^\top \phi$ ($a_k = \sum_j \phi_j W_{jk}$),
and notebook 1 gives $\partial E / \partial a_k = y_k - t_k$. By the chain rule
$\partial E / \partial W_{jk} = \phi_j (y_k - t_k)$:

```python
def my_sample_gradient(phi, t, W):
    y = softmax(W.T @ phi)          # the image's class probabilities, shape (K,)
    return np.outer(phi, y - t)     # shape (D, K)
```

Summing this over the images gives $\Phi^\top (Y - T)$, the data part of $\nabla J$.
"""


def _sample_gradient(phi: np.ndarray, t: np.ndarray, W: np.ndarray) -> np.ndarray:
    return np.outer(phi, softmax(W.T @ phi) - t)


@code_exercise(hint=_SAMPLE_HINT, solution=_SAMPLE_SOLUTION)
def check_sample_gradient(fn: Callable[..., np.ndarray]) -> Feedback:
    """Check a student's ``gradient(phi, t, W)`` of one image's cross-entropy with respect to W.

    Cases: zero weights, random weights, and weights giving logits of about 1000. The usual slips
    get their own feedback: the sign (t - y), forgetting the softmax (a - t), returning the
    gradient of the logits (y - t) or the transposed (K, D) array.
    """
    rng = np.random.default_rng(4)
    cases = [
        ("phi = [1, 2], t = [0, 1, 0], W = 0", np.array([1.0, 2.0]), np.array([0.0, 1.0, 0.0]),
         np.zeros((2, 3))),
        ("random phi and W with D = 5, K = 4", rng.normal(size=5), np.eye(4)[2],
         rng.normal(size=(5, 4))),
        ("logits of about 1000", np.array([1.0, 0.5, 2.0]), np.eye(3)[1],
         500.0 * np.array([[1.0, -1.0, 0.5], [0.2, 0.4, 0.0], [0.3, -0.2, 0.1]])),
    ]

    def case(f, name, phi, t, W):
        expected = _sample_gradient(phi, t, W)
        y = softmax(W.T @ phi)
        raw = f(phi.copy(), t.copy(), W.copy())
        arr = np.asarray(raw, dtype=float) if np.ndim(raw) else None
        if arr is not None and arr.shape == (W.shape[1],) and np.allclose(arr, y - t):
            return (f"for {name} you return y - t, the gradient with respect to the logits; "
                    "the weights need the chain rule: multiply by phi (an outer product)")
        if arr is not None and arr.shape == expected.T.shape != expected.shape \
                and np.allclose(arr, expected.T):
            return (f"for {name} your array has shape {arr.shape}, the transpose of the "
                    f"expected (D, K) = {expected.shape}: W has one row per feature")
        got = result_array(raw, shape=expected.shape, what=f"for {name} your function returned")
        if not np.all(np.isfinite(got)):
            return f"for {name} the gradient contains NaN or inf: use a stable softmax"
        if np.allclose(got, expected, rtol=1e-7, atol=1e-10):
            return None
        if np.allclose(got, -expected):
            return (f"for {name} you return phi (t - y): the sign is reversed; the gradient is "
                    "prediction minus target")
        if np.allclose(got, np.outer(phi, W.T @ phi - t)):
            return f"for {name} you use the logits a instead of y = softmax(a)"
        return f"for {name} you return {np.round(got, 4)}, expected {np.round(expected, 4)}"

    checks = [lambda f, c=c: case(f, *c) for c in cases]
    return run_cases("check_sample_gradient", fn, checks,
                     "correct: phi (y - t)^T, stable for large logits too.")


def _momentum_steps_question(kappa: float = 400.0, tol: float = 1e-6) -> NumericQuestion:
    rho, eta = optimal_parameters(1.0, kappa)
    expected = predicted_steps(rho, eta, 1.0, kappa, tol)
    log_term = np.log(1.0 / tol)
    root = np.sqrt(kappa)
    return NumericQuestion(
        f"momentum steps for kappa = {kappa:g}",
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
        hint="Momentum with (rho*, eta*) shrinks the error by r = (sqrt(k) - 1)/(sqrt(k) + 1) per "
             "step; solve r^t = eps for t.",
        solution=rf"""With $\kappa = {kappa:g}$, $\sqrt\kappa = {root:g}$ and the rate is
$r = (\sqrt\kappa - 1)/(\sqrt\kappa + 1) = {(root - 1) / (root + 1):.4f}$. The error falls below
$\varepsilon = 10^{{{int(np.log10(tol))}}}$ when $r^t \le \varepsilon$, that is
$t \ge \ln(1/\varepsilon) / \ln(1/r) = {log_term:.2f} / {np.log((root + 1) / (root - 1)):.4f}$,
so **{expected} steps**. The shortcut $\ln(1/r) \approx 2/\sqrt\kappa$ gives
$\tfrac12 \sqrt\kappa \ln(1/\varepsilon) \approx {0.5 * root * log_term:.0f}$; gradient descent
with step $1/L$ would need about $\kappa \ln(1/\varepsilon) \approx {kappa * log_term:.0f}$.
""",
    )


#: "Predict the number of momentum steps for kappa = 400 and eps = 1e-6" (notebook 4).
momentum_steps_question = _momentum_steps_question()

#: "Which bandwidth over-fits the digits?" (notebook 4, Beyond the homework measures it).
bandwidth_question = ChoiceQuestion(
    "which bandwidth over-fits",
    {
        "a": (True, "with h = 0.3 the kernel between two different digits is almost 0: each "
                    "training digit is an island, the exact-kernel SVM is perfect on training and "
                    "poor on held-out digits"),
        "b": (False, "h = 2 gives about the best held-out accuracy: nearby digits share "
                     "information, distant ones do not"),
        "c": (False, "h = 10 makes all digits look alike: the model is too smooth and loses "
                     "accuracy on the training digits too, which is under-fitting"),
        "d": (False, "the reverse: a wider kernel gives a smoother classifier; it is the narrow "
                     "kernel that memorises"),
    },
    hint="Over-fitting means perfect on the training digits and poor on the held-out ones. What "
         "is k(x, x') = exp(-|x - x'|^2 / (2 h^2)) between two different digits when h is tiny?",
    solution=r"""Two different training digits are at a squared distance of about 9 (more than 2
for 99 % of the pairs), so with $h = 0.3$ their kernel value is about
$e^{-9/0.18} \approx 10^{-22}$: the Gram matrix is nearly the identity. The classifier
can then give every training digit its own label (training accuracy 100 %) while a new digit is
close to none of them (held-out accuracy about 30 % in *Beyond the homework*). So **(a)**. With
$h = 10$ the opposite happens: every pair looks alike, and both
accuracies drop (under-fitting).
""",
)
