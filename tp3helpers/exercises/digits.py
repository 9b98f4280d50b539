"""Notebook 4's exercises (one image's gradient to write, a step count to predict, the noise floor's
step to choose) and its prompt."""

from __future__ import annotations

import numpy as np

from ..momentum import closed_form_errors, optimal_parameters, steps_to_tolerance
from ..softmax import softmax
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array

__all__ = ["sample_gradient_exercise", "momentum_steps_exercise", "floor_exercise",
           "penalty_prompt"]


def _judge_sample_gradient(result: object, phi: np.ndarray, t: np.ndarray,
                           W: np.ndarray) -> str | None:
    y = softmax(W @ phi)
    expected = np.outer(y - t, phi)
    got = result_array(result)  # real numbers of any shape, else what it is
    if got.shape == y.shape and np.allclose(got, y - t):
        return ("you return y - t, the gradient with respect to the logits; the weights need the "
                "chain rule: multiply by phi (an outer product)")
    if got.shape == expected.T.shape != expected.shape and np.allclose(got, expected.T):
        return (f"your array has shape {got.shape}, the transpose of the expected (C, D) = "
                f"{expected.shape}: W has one row per class, like the gradient")
    got = result_array(result, shape=expected.shape)
    if not np.all(np.isfinite(got)):
        return "the gradient contains NaN or inf: use a stable softmax"
    if np.allclose(got, expected, rtol=1e-7, atol=1e-10):
        return None
    if np.allclose(got, -expected):
        return ("you return (t - y) phi^T: the sign is reversed; the gradient is prediction "
                "minus target")
    if np.allclose(got, np.outer(W @ phi - t, phi)):
        return "you use the logits a instead of y = softmax(a)"
    return f"you return {np.round(got, 4)}, expected {np.round(expected, 4)}"


_rng = np.random.default_rng(4)

sample_gradient_exercise = CodeExercise(
    "the gradient of one image",
    "For one image with features `phi` (shape `(D,)`), one-hot target `t` (shape `(C,)`) and "
    "weights `W` (shape `(C, D)`, one row per class), write `my_sample_gradient(phi, t, W)` "
    "returning the gradient of its cross-entropy term with respect to `W`, a `(C, D)` array (no "
    "penalty). Use `softmax` from `tp3helpers.softmax` if you like.",
    cases=[
        Case("phi = [1, 2], t = [0, 1, 0], W = 0",
             (np.array([1.0, 2.0]), np.array([0.0, 1.0, 0.0]), np.zeros((3, 2)))),
        Case("random phi and W with D = 5, C = 4",
             (_rng.normal(size=5), np.eye(4)[2], _rng.normal(size=(4, 5)))),
        Case("logits of about 1000",
             (np.array([1.0, 0.5, 2.0]), np.eye(3)[1],
              500.0 * np.array([[1.0, 0.2, 0.3], [-1.0, 0.4, -0.2], [0.5, 0.0, 0.1]]))),
    ],
    judge=_judge_sample_gradient,
    success="correct: (y - t) phi^T, stable for large logits too.",
    hints=[
        "Notebook 1: the gradient with respect to the logits a = W phi is y - t with "
        "y = softmax(a); the chain rule carries it to W.",
        "The logit a_k depends on W[k, j] through phi[j] alone, so "
        "dE/dW[k, j] = (y_k - t_k) phi[j]: the outer product of y - t and phi, of shape (C, D).",
    ],
    solution=r"""The logits of the image are $a = W \phi$ ($a_k = \sum_j W_{kj} \phi_j$), and
notebook 1 gives $\partial E / \partial a_k = y_k - t_k$. By the chain rule
$\partial E / \partial W_{kj} = (y_k - t_k)\, \phi_j$:

```python
def my_sample_gradient(phi, t, W):
    y = softmax(W @ phi)            # the image's class probabilities, shape (C,)
    return np.outer(y - t, phi)     # shape (C, D)
```

Summing this over the images gives $(Y - T)^\top \Phi$, the data part of $\nabla J$.
""",
)


def _momentum_steps_exercise(kappa: float = 400.0, tol: float = 1e-6) -> NumericExercise:
    """Steps until momentum's error along the steepest direction of a quadratic with curvatures
    in [1, kappa], started from rest at Polyak's optimum, is below tol of its start."""
    rho, eta = optimal_parameters(1.0, kappa)
    errors = closed_form_errors(rho, eta, [kappa], [1.0], 2000)[:, 0]
    expected = steps_to_tolerance(np.abs(errors), tol)
    root = np.sqrt(kappa)
    r = (root - 1) / (root + 1)
    t = np.arange(2001)
    log_term = np.log(1.0 / tol)
    return NumericExercise(
        "predict the momentum steps",
        f"On a quadratic with curvatures in $[1, {kappa:g}]$, momentum with Polyak's "
        r"$(\rho^\star, \eta^\star)$ starts from rest with an error along the *steepest* "
        r"eigenvector only. After how many steps is that error below "
        f"$10^{{{int(np.log10(tol))}}}$ of its start for the first time? Give a whole number.",
        expected,
        rtol=0.0,
        atol=0.5,
        mistakes=[
            (steps_to_tolerance(r**t, tol),
             "that is the count from the rate r* alone; at the optimum the steepest direction "
             "has a double root, and its error carries an extra factor t"),
            (0.5 * root * log_term,
             "that is the shortcut (1/2) sqrt(kappa) ln(1/eps) for the rate alone; the double "
             "root of the steepest direction adds a factor t"),
            (steps_to_tolerance(r**t * (1 + (1 - r) * t), tol),
             "(1 + (1 - r*) t) is the factor of the flattest direction, whose double root is "
             "+r*; the steepest one's root is -r* and its factor 1 + (1 + r*) t"),
            (kappa * log_term, "that is about kappa ln(1/eps), gradient descent's count with "
                               "step 1/L; momentum's rate depends on sqrt(kappa)"),
            (root * log_term, "the rate (sqrt(k) - 1)/(sqrt(k) + 1) is about 1 - 2/sqrt(k): "
                              "ln(1/eps) / ln(1/r) is about (1/2) sqrt(kappa) ln(1/eps), and the "
                              "double root adds a factor t"),
        ],
        hints=[
            "At Polyak's optimum both ends of the spectrum sit on critical damping: the steepest "
            "direction has the double root z = -r*, r* = (sqrt(kappa) - 1)/(sqrt(kappa) + 1), and "
            "its error carries an extra factor t (notebook 3).",
            f"Here r* = {root - 1:g}/{root + 1:g}; from rest the steepest direction's error is "
            "e_t = (1 + (1 + r*) t) (-r*)^t e_0. Find the first t where "
            f"(1 + (1 + r*) t) r*^t <= 1e{int(np.log10(tol))}.",
        ],
        solution=rf"""With $\kappa = {kappa:g}$, $\sqrt\kappa = {root:g}$ and
$r^\star = {root - 1:g}/{root + 1:g} \approx {r:.4f}$. The steepest direction has the double root
$-r^\star$, and from rest its error is
$e_t = \bigl(1 + (1 + r^\star)\,t\bigr)(-r^\star)^t e_0$ (notebook 3, *The rate on a quadratic*).
The first $t$ with $\bigl(1 + (1 + r^\star)t\bigr)(r^\star)^t \le 10^{{{int(np.log10(tol))}}}$ is
**{expected} steps**. The rate alone would say
{steps_to_tolerance(r**t, tol)}: the factor $t$ of critical damping costs
{expected - steps_to_tolerance(r**t, tol)} more. Gradient descent with step $1/L$ would need about
$\kappa \ln(1/\varepsilon) \approx {kappa * log_term:.0f}$.
""",
    )


momentum_steps_exercise = _momentum_steps_exercise()

floor_exercise = ChoiceExercise(
    "the noise floor's step",
    r"Trained with minibatch gradients, momentum with $\rho = 0.8$ and a small step $\eta$ settles "
    "into a noise floor instead of converging. Which plain minibatch gradient descent settles at "
    "about the same floor?",
    {
        "a": Option(r"step $\eta$", False,
                    "with the same step, momentum's floor is higher: its velocity adds up the "
                    "noise of past minibatches with weights 1, 0.8, 0.64, ..., which sum to 5"),
        "b": Option(r"step $5\eta$", True,
                    "the velocity sums past gradients, noise included, with weights 1, rho, "
                    "rho^2, ..., which add up to 1/(1 - rho) = 5: momentum behaves like gradient "
                    "descent with the effective step eta / (1 - rho) = 5 eta, floor included"),
        "c": Option(r"step $\eta / 5$", False,
                    "the other way round: momentum amplifies the steps, noise included, so the "
                    "matching gradient descent needs a larger step, not a smaller one"),
        "d": Option(r"step $0.8\,\eta$", False,
                    "rho does not multiply the step: the velocity keeps a fraction rho of "
                    "itself at every step, and the geometric sum 1 + rho + rho^2 + ... = "
                    "1/(1 - rho) does"),
    },
    hints=[
        "The velocity is a leaky sum of past (minibatch) gradients, the one j steps old weighted "
        "rho^j: what does that sum do to a gradient that barely changes, and to its noise?",
        "Add up 1 + rho + rho^2 + ... for rho = 0.8: momentum moves like gradient descent with the "
        "step eta times that sum.",
    ],
    solution=r"""The velocity sums past gradients with weights $1, \rho, \rho^2, \dots$, which add
up to $1/(1 - \rho) = 5$ for $\rho = 0.8$. Where the gradient barely changes, momentum moves like
gradient descent with the *effective step* $\eta/(1 - \rho) = 5\eta$, and the noise of the
minibatches is summed the same way. For a small step ($\eta$ times every curvature well below
$2(1 + \rho)$) the floor depends on the effective step only: **(b)**, step $5\eta$. Notebook 3's
*Going deeper: momentum with noisy gradients* has the exact formula.
""",
)

penalty_prompt = Prompt(
    "Move α from 0.1 to 0.01 and leave ρ and η as they are. By how much does κ grow (the readout "
    "gives it)? How do the two loss curves change within the 200 steps, and what optimum does "
    "the readout suggest now?",
    "κ = L/α grows about tenfold, from about 210 to about 2,100: μ = α falls tenfold while "
    "L = ½σ²max + α hardly changes. Both curves fall more slowly. Gradient descent's gap still "
    "drops about a hundredfold in 200 steps, then flattens: its flattest directions now shrink "
    "by only 1 − 1/κ ≈ 0.9995 per step. Momentum at ρ = 0.76 is no longer near the optimum "
    "(the readout now gives ρ* ≈ 0.92 and η*·L ≈ 3.8): its gap falls about ten-thousandfold "
    "instead of down to rounding. Set ρ and η·L to the new optimum and its curve steepens again, "
    "with a rate of about (√κ − 1)/(√κ + 1) ≈ 0.96.",
)
