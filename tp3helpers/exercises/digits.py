"""Notebook 4's exercises (one image's gradient with respect to its features to write, the
transient peak of momentum's error to predict, two noise floors to compare) and its prompt."""

from __future__ import annotations

import numpy as np

from ..momentum import closed_form_errors, optimal_parameters
from ..softmax import softmax
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array

__all__ = ["sample_gradient_exercise", "momentum_peak_exercise", "floor_exercise",
           "penalty_prompt"]


def _judge_sample_gradient(result: object, phi: np.ndarray, t: np.ndarray,
                           W: np.ndarray) -> str | None:
    y = softmax(W @ phi)
    expected = W.T @ (y - t)
    got = result_array(result)  # real numbers of any shape, else what it is
    if got.shape == W.shape and np.allclose(got, np.outer(y - t, phi)):
        return ("you return (y - t) phi^T, the gradient with respect to the weights W; here the "
                "variable is phi, which meets the logits through the columns of W")
    if got.shape == W.shape and np.allclose(got, (y - t)[:, None] * W):
        return ("you multiply each row w_k by y_k - t_k but do not add them up: phi reaches the "
                "loss through every logit, so the chain rule sums over the classes k")
    if got.shape == y.shape != expected.shape and np.allclose(got, y - t):
        return ("you return y - t, the gradient with respect to the logits a = W phi; the chain "
                "rule carries it on to phi")
    got = result_array(result, shape=expected.shape)
    if not np.all(np.isfinite(got)):
        return "the gradient contains NaN or inf: use a stable softmax"
    if np.allclose(got, expected, rtol=1e-7, atol=1e-10):
        return None
    if np.allclose(got, -expected):
        return ("you return W^T (t - y): the sign is reversed; the gradient is prediction "
                "minus target")
    if np.allclose(got, W.T @ (W @ phi - t)):
        return "you use the logits a instead of y = softmax(a)"
    if np.allclose(got, W.T @ y):
        return ("you return W^T y, the gradient of ln sum_k exp(a_k) alone; the target's term "
                "-a_c (c the image's class) adds -w_c: W^T (y - t)")
    if W.shape[0] == W.shape[1] and np.allclose(got, W @ (y - t)):
        return ("you return W (y - t), which sums along the rows of W; phi[j] meets the logits "
                "through column j of W (a_k = sum_j W[k, j] phi[j]): W^T (y - t)")
    return f"you return {np.round(got, 4)}, expected {np.round(expected, 4)}"


_rng = np.random.default_rng(4)

sample_gradient_exercise = CodeExercise(
    "the gradient of one image",
    "When this classifier is the last layer of a network, the layers below it learn from the "
    "gradient of each image's loss with respect to its *features*. For one image with features "
    "`phi` (shape `(D,)`), one-hot target `t` (shape `(C,)`) and weights `W` (shape `(C, D)`, "
    r"one row per class), the loss is $E = -\sum_k t_k \ln y_k$ with "
    r"$y = \operatorname{softmax}(W\phi)$. Write `my_sample_gradient(phi, t, W)` returning "
    r"$\partial E / \partial \phi$, a `(D,)` array. The package's `softmax` may help.",
    cases=[
        Case("phi = [1, 2], t = [0, 1, 0], W = [[1, 0], [0, 1], [1, -1]]",
             (np.array([1.0, 2.0]), np.array([0.0, 1.0, 0.0]),
              np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]]))),
        Case("random phi and W with D = 5, C = 4",
             (_rng.normal(size=5), np.eye(4)[2], _rng.normal(size=(4, 5)))),
        Case("logits of about 1000, D = C = 3",
             (np.array([1.0, 0.5, 2.0]), np.eye(3)[1],
              500.0 * np.array([[1.0, 0.2, 0.3], [-1.0, 0.4, -0.2], [0.5, 0.0, 0.1]]))),
    ],
    judge=_judge_sample_gradient,
    success="correct: W^T (y - t), stable for large logits too.",
    hints=[
        "Notebook 1: the gradient with respect to the logits a = W phi is y - t with "
        "y = softmax(a). Each feature phi[j] reaches the loss through every logit: use the chain "
        "rule and add up over the classes.",
        "a_k = sum_j W[k, j] phi[j], so da_k/dphi[j] = W[k, j] and "
        "dE/dphi[j] = sum_k (y_k - t_k) W[k, j]: the matrix W^T times y - t, of shape (D,).",
    ],
    solution=r"""The logits of the image are $a = W \phi$ ($a_k = \sum_j W_{kj} \phi_j$), and
notebook 1 gives $\partial E / \partial a_k = y_k - t_k$. The feature $\phi_j$ enters every
logit, with $\partial a_k / \partial \phi_j = W_{kj}$, so the chain rule adds up over the classes:
$\partial E / \partial \phi_j = \sum_k (y_k - t_k)\, W_{kj}$, that is
$\partial E / \partial \phi = W^\top (y - t)$:

```python
def my_sample_gradient(phi, t, W):
    y = softmax(W @ phi)            # the image's class probabilities, shape (C,)
    return W.T @ (y - t)            # shape (D,)
```

The same $y - t$ times $\phi^\top$ is the gradient with respect to $W$, whose sum over the images
is the Theory's $(Y - T)^\top \Phi$; times $W^\top$ it is what backpropagation hands down to the
layers below.
""",
)


def _momentum_peak_exercise(kappa: float = 400.0) -> NumericExercise:
    """The largest |error| along the steepest direction of a quadratic with curvatures in
    [1, kappa], for momentum started from rest at Polyak's optimum, in units of its start."""
    rho, eta = optimal_parameters(1.0, kappa)
    steps = int(4 * np.sqrt(kappa))  # the peak comes near sqrt(kappa)/2
    errors = np.abs(closed_form_errors(rho, eta, [kappa], [1.0], steps)[:, 0])
    expected = float(errors.max())
    peak_step = int(errors.argmax())
    root = np.sqrt(kappa)
    r = (root - 1) / (root + 1)
    s_star = 1 / np.log(1 / r) - 1 / (1 + r)  # where (1 + (1 + r) s) r^s stops growing
    s = np.arange(steps + 1)
    return NumericExercise(
        "the steepest direction's peak",
        f"On a quadratic with curvatures in $[1, {kappa:g}]$, momentum with Polyak's "
        r"$(\rho^\star, \eta^\star)$ starts from rest with an error along the *steepest* "
        "eigenvector only. What is the largest ratio $|e_s| / |e_0|$ of that error to its "
        "start over all steps $s \\ge 0$? Give it within 2%.",
        expected,
        rtol=0.02,
        atol=0.0,
        mistakes=[
            (1.0, "1 is the peak of the rate alone, (r*)^s, and of the flattest direction's "
                  "(1 + (1 - r*) s)(r*)^s, which never exceed their start; the steepest "
                  "direction's double root is -r*, and its factor 1 + (1 + r*) s grows faster "
                  "than (r*)^s shrinks at first"),
            (lambda a: np.all((a >= np.floor(s_star)) & (a <= np.ceil(s_star))),
             "that is the step s at which the error peaks; the question asks for the ratio "
             "|e_s| / |e_0| there"),
            (root, "sqrt(kappa) is the factor 1 + (1 + r*) s near the peak; the power (r*)^s "
                   "has shrunk it by then, by about e"),
            (float(np.max((1 + (1 + rho) * s) * rho**s)),
             "the roots of momentum have modulus sqrt(rho*) = r*, not rho*: the error shrinks "
             "like (r*)^s"),
            ((1 + r) / (np.e * np.log(1 / r)),
             "close, but that takes (r*)^s = 1/e at the peak; there it is e^-1 (r*)^(-1/(1 + r*)), "
             "and s is a whole step: evaluate the product at the whole steps around the peak"),
        ],
        hints=[
            "At Polyak's optimum the steepest direction sits on critical damping: a double root "
            "z = -r*, r* = (sqrt(kappa) - 1)/(sqrt(kappa) + 1), so its error from rest is "
            "(1 + (1 + r*) s) (-r*)^s e_0 (notebook 3): a factor that grows times a power that "
            "shrinks.",
            f"Here r* = {root - 1:g}/{root + 1:g}. The logarithm of (1 + (1 + r*) s) r*^s stops "
            "growing where (1 + r*) / (1 + (1 + r*) s) = ln(1/r*); evaluate the product at the "
            "whole steps on either side.",
        ],
        solution=rf"""With $\kappa = {kappa:g}$, $\sqrt\kappa = {root:g}$ and
$r^\star = {root - 1:g}/{root + 1:g} \approx {r:.4f}$. The steepest direction has the double root
$-r^\star$, and from rest its error is
$e_s = \bigl(1 + (1 + r^\star)\,s\bigr)(-r^\star)^s e_0$ (notebook 3, *The rate on a quadratic*).
The logarithm of $\bigl(1 + (1 + r^\star)s\bigr)(r^\star)^s$ has the derivative
$(1 + r^\star)/\bigl(1 + (1 + r^\star)s\bigr) - \ln(1/r^\star)$, zero at
$s = 1/\ln(1/r^\star) - 1/(1 + r^\star) \approx {s_star:.2f}$. At step {peak_step} the ratio is
**{expected:.2f}**: the error first grows about {expected:.1f}-fold, flipping sign every step, and
only then decays at the rate $r^\star$. For large $\kappa$, $\ln(1/r^\star) \approx
2/\sqrt\kappa$: the peak comes near step $\sqrt\kappa/2$ and reaches about
$\sqrt\kappa/e \approx {root / np.e:.2f}$. This growth is the "little delay" of the factor $s$
that momentum's curve shows beside its rate.
""",
    )


momentum_peak_exercise = _momentum_peak_exercise()

floor_exercise = ChoiceExercise(
    "two noise floors",
    r"Trained with minibatch gradients, momentum with $\rho = 0.8$ and a small step $\eta$ settles "
    r"into a noise floor instead of converging. Plain minibatch gradient descent with the step "
    r"$2\eta$ settles into a floor too. How do the two floors compare?",
    {
        "a": Option("gradient descent's floor is about twice momentum's", False,
                    "that compares the steps 2 eta and eta; but momentum's velocity adds up the "
                    "gradients of past minibatches, noise included, with weights 1, 0.8, 0.64, "
                    "..., which sum to 5: its effective step is 5 eta"),
        "b": Option("momentum's floor is about 2.5 times gradient descent's", True,
                    "momentum moves like gradient descent with the effective step "
                    "eta / (1 - rho) = 5 eta, noise included; for small steps a floor grows in "
                    "proportion to the effective step: 5 eta / (2 eta) = 2.5"),
        "c": Option("about the same", False,
                    "the floors match when the effective steps match: gradient descent would "
                    "need the step eta / (1 - rho) = 5 eta, not 2 eta"),
        "d": Option("momentum's floor is about 5 times gradient descent's", False,
                    "5 = 1/(1 - rho) compares momentum with gradient descent at the same step "
                    "eta; here gradient descent's step is 2 eta, which doubles its floor"),
    },
    hints=[
        "The velocity is a leaky sum of past (minibatch) gradients, the one j steps old weighted "
        "rho^j: what does that sum do to a gradient that barely changes, and to its noise?",
        "Momentum moves like gradient descent with the step eta (1 + rho + rho^2 + ...) = "
        "eta / (1 - rho), and for small steps a noise floor grows in proportion to the step: "
        "compare that effective step with 2 eta.",
    ],
    solution=r"""The velocity sums past gradients with weights $1, \rho, \rho^2, \dots$, which add
up to $1/(1 - \rho) = 5$ for $\rho = 0.8$. Where the gradient barely changes, momentum moves like
gradient descent with the *effective step* $\eta/(1 - \rho) = 5\eta$, and the noise of the
minibatches is summed the same way. For a small step ($\eta$ times every curvature well below
$2(1 + \rho)$) a floor along a curvature $\lambda$ is about $\frac{\eta}{1 - \rho}
\frac{\sigma^2}{2\lambda}$ for momentum and $\frac{\eta'\sigma^2}{2\lambda}$ for gradient descent
with step $\eta'$: with $\eta' = 2\eta$ their ratio is $5\eta / 2\eta = 2.5$, **(b)**.
Gradient descent would match momentum's floor with the step $5\eta$. Notebook 3's *Going deeper:
momentum with noisy gradients* has the exact formula.
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
