"""Notebook 4's exercises (one image's gradient with respect to its features to write, exact to
rounding; the condition number at which momentum's transient peak reaches 10; the momentum whose
noise floor matches gradient descent's when the steps are not small) and its prompt."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..momentum import closed_form_errors, optimal_parameters, stationary_variance
from ..softmax import softmax
from ._exercise import CodeExercise, NumericExercise, Prompt
from ._feedback import Case, first_slip, not_close, only_some_digits, result_array

__all__ = ["sample_gradient_exercise", "momentum_peak_exercise", "floor_exercise",
           "penalty_prompt"]


def exact_to_rounding(phi: np.ndarray, t: np.ndarray, W: np.ndarray) -> float:
    r"""How far a correct ``my_sample_gradient(phi, t, W)`` may lie from :math:`W^\top (y - t)`
    (2-norm): twice (the student's rounding and ours) the formula's first-order rounding bound.

    With :math:`s = \max_k \sum_j |W_{kj}\phi_j|`, the logits err by :math:`D s\,\varepsilon`,
    the softmax's shift and exponentials add :math:`(2 s + 3)\,\varepsilon`, :math:`\lVert\delta
    y\rVert_1 \le 2 \lVert\delta a\rVert_\infty`, and the product with :math:`W^\top` adds
    :math:`(C + 1)\,\varepsilon \lVert W\rVert_F \lVert y - t\rVert`. Central differences reach
    at best :math:`\varepsilon^{2/3} \approx 4 \times 10^{-11}` of the gradient: far more.
    """
    (c, d), eps = W.shape, np.finfo(float).eps
    y, s = softmax(W @ phi), float(np.max(np.abs(W) @ np.abs(phi)))
    return 2 * eps * np.linalg.norm(W) * ((c + 1) * np.linalg.norm(y - t) + 2 * ((d + 2) * s + 3))


def _judge_sample_gradient(result: object, phi: np.ndarray, t: np.ndarray,
                           W: np.ndarray) -> str | None:
    y = softmax(W @ phi)
    expected = W.T @ (y - t)
    other_variable = first_slip(result_array(result), [  # real numbers of any shape
        (np.outer(y - t, phi), "you return (y - t) phi^T, the gradient with respect to the "
         "weights W; here the variable is phi, which meets the logits through the columns of W"),
        ((y - t)[:, None] * W, "you multiply each row w_k by y_k - t_k but do not add them up: "
         "phi reaches the loss through every logit, so the chain rule sums over the classes k"),
        (y - t, "you return y - t, the gradient with respect to the logits a = W phi; the chain "
         "rule carries it on to phi"),
    ])
    if other_variable:
        return other_variable
    got = result_array(result, shape=expected.shape)
    if not np.all(np.isfinite(got)):
        return "the gradient contains NaN or inf: use a stable softmax"
    off = float(np.linalg.norm(got - expected))
    if off <= exact_to_rounding(phi, t, W):
        return None
    close = only_some_digits(off, float(np.linalg.norm(expected)))
    if close:
        return (f"you return {np.round(got, 4)}, which {close}: the check wants it exact to "
                "rounding")
    square = W.shape[0] == W.shape[1]
    return first_slip(got, [
        (-expected, "you return W^T (t - y): the sign is reversed; the gradient is prediction "
         "minus target"),
        (W.T @ (W @ phi - t), "you use the logits a instead of y = softmax(a)"),
        (W.T @ y, "you return W^T y, the gradient of ln sum_k exp(a_k) alone; the target's term "
         "-a_c (c the image's class) adds -w_c: W^T (y - t)"),
        (W @ (y - t) if square else None, "you return W (y - t), which sums along the rows of "
         "W; phi[j] meets the logits through column j of W (a_k = sum_j W[k, j] phi[j]): "
         "W^T (y - t)"),
    ]) or not_close(got, expected, rtol=0.0, atol=0.0)  # not within rounding, seen above


_rng = np.random.default_rng(4)

sample_gradient_exercise = CodeExercise(
    "the gradient of one image",
    "When this classifier is the last layer of a network, the layers below it learn from the "
    "gradient of each image's loss with respect to its *features*. For one image with features "
    "`phi` (shape `(D,)`), one-hot target `t` (shape `(C,)`) and weights `W` (shape `(C, D)`, "
    r"one row per class), the loss is $E = -\sum_k t_k \ln y_k$ with "
    r"$y = \operatorname{softmax}(W\phi)$. Write `my_sample_gradient(phi, t, W)` returning "
    r"$\partial E / \partial \phi$, a `(D,)` array, exact up to rounding (finite differences "
    "fall short of that by thousands of roundings). The package's `softmax` may help.",
    cases=[
        Case("phi = [1, 2, -1], t = [0, 1, 0], W = [[1, 0, 1], [0, 1, 0], [1, -1, 2]]",
             (np.array([1.0, 2.0, -1.0]), np.array([0.0, 1.0, 0.0]),
              np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, -1.0, 2.0]]))),
        Case("random phi and W with D = 5, C = 4",
             (_rng.normal(size=5), np.eye(4)[2], _rng.normal(size=(4, 5)))),
        Case("logits of about 1000, D = C = 3",
             (np.array([1.0, 0.5, 2.0]), np.eye(3)[1],
              500.0 * np.array([[1.0, 0.2, 0.3], [-1.0, 0.4, -0.2], [0.5, 0.0, 0.1]])),
             note="exp(1000) overflows float64: shift the logits by their largest before exp "
                  "(softmax is unchanged by the shift), or use the package's softmax"),
    ],
    judge=_judge_sample_gradient,
    success="correct to rounding: W^T (y - t), stable for large logits too.",
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


def steepest_peak(kappa: float) -> float:
    """The largest |e_s| / |e_0| along the steepest direction of a quadratic with curvatures in
    [1, kappa], for momentum started from rest at Polyak's optimum (the closed form)."""
    rho, eta = optimal_parameters(1.0, kappa)
    steps = int(4 * np.sqrt(kappa)) + 4  # the peak comes near sqrt(kappa)/2
    return float(np.abs(closed_form_errors(rho, eta, [kappa], [1.0], steps)[:, 0]).max())


#: The peak exercise's tolerance: the large-kappa peak sqrt(kappa)/e neglects a relative
#: 7/(6 kappa), so the kappa it gives is high by about 7/(3 kappa), 0.32% near 740, and a
#: continuous step moves it by less than 0.01%: 0.5% accepts the theory's answer.
PEAK_RTOL = 0.005


def _momentum_peak_exercise(target: float = 10.0) -> NumericExercise:
    """The kappa where :func:`steepest_peak`, which grows with kappa, reaches ``target``."""
    expected = float(brentq(lambda k: steepest_peak(k) - target, 4.0, 100 * target**2))
    root = np.sqrt(expected)
    r = (root - 1) / (root + 1)
    s_star = 1 / np.log(1 / r) - 1 / (1 + r)
    large = (np.e * target) ** 2
    return NumericExercise(
        "the steepest direction's peak",
        "On a quadratic with curvatures in $[1, \\kappa]$, momentum with Polyak's "
        r"$(\rho^\star, \eta^\star)$ starts from rest with an error along the *steepest* "
        "eigenvector only. That error first grows before it decays: its largest ratio "
        "$|e_s| / |e_0|$ over the steps $s \\ge 0$ grows with $\\kappa$. For which "
        f"$\\kappa$ does it reach {target:g}? Give $\\kappa$ within {100 * PEAK_RTOL:g}%.",
        expected,
        rtol=PEAK_RTOL,
        atol=0.0,
        mistakes=[
            (target**2, f"that makes sqrt(kappa) = {target:g}: sqrt(kappa) is the factor "
                        "1 + (1 + r*) s near the peak, but the power (r*)^s has shrunk it by "
                        "then, by about e"),
            ((target / np.e) ** 2, f"sqrt(kappa) / e = {target:g} gives sqrt(kappa) = "
                                   f"{target:g} e, not {target:g} / e"),
            (4 * target**2, f"that puts the peak at step sqrt(kappa)/2 = {target:g}; the "
                            "question asks for the size of the error there"),
            (float(brentq(lambda k: _peak_with_rate(k, ((np.sqrt(k) - 1) / (np.sqrt(k) + 1))**2)
                          - target, 4.0, 1000 * target**2)),
             "the roots of momentum have modulus sqrt(rho*) = r*, not rho*: the error shrinks "
             "like (r*)^s"),
        ],
        hints=[
            "At Polyak's optimum the steepest direction sits on critical damping: a double root "
            "z = -r*, r* = (sqrt(kappa) - 1)/(sqrt(kappa) + 1), so its error from rest is "
            "(1 + (1 + r*) s) (-r*)^s e_0 (notebook 3): a factor that grows times a power that "
            "shrinks. Find the peak of their product as a function of kappa.",
            "The logarithm of (1 + (1 + r*) s) r*^s stops growing where "
            "1 + (1 + r*) s = (1 + r*) / ln(1/r*); there r*^s is about 1/e, and for large kappa "
            f"ln(1/r*) is about 2 / sqrt(kappa). Set the peak equal to {target:g}.",
        ],
        solution=rf"""The steepest direction has the double root $-r^\star$,
$r^\star = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$, and from rest its error is
$e_s = \bigl(1 + (1 + r^\star)\,s\bigr)(-r^\star)^s e_0$ (notebook 3, *The rate on a quadratic*).
The logarithm of $\bigl(1 + (1 + r^\star)s\bigr)(r^\star)^s$ has the derivative
$(1 + r^\star)/\bigl(1 + (1 + r^\star)s\bigr) - \ln(1/r^\star)$, zero where
$1 + (1 + r^\star)s = (1 + r^\star)/\ln(1/r^\star)$, and there
$(r^\star)^s = e^{{-1}} (r^\star)^{{-1/(1 + r^\star)}}$. For large $\kappa$,
$\ln(1/r^\star) \approx 2/\sqrt\kappa$ and $1 + r^\star \approx 2$: the peak comes near step
$\sqrt\kappa/2$ and is about $\sqrt\kappa/e$ (the next term multiplies it by
$1 + 7/(6\kappa)$). It reaches {target:g} at $\sqrt\kappa = {target:g}\,e$, $\kappa \approx
{large:.1f}$. Exactly, taking the whole steps around the peak, **$\kappa \approx {expected:.1f}$**
($\sqrt\kappa \approx {root:.2f}$, the peak at step $s \approx {s_star:.1f}$): the theory's value is
{100 * (large / expected - 1):.2f}% high. A single run cannot answer this; the formula, solved for
$\kappa$, does. This growth is the "little delay" of the factor $s$ that momentum's curve shows
beside its rate.
""",
    )


def _peak_with_rate(kappa: float, rate: float) -> float:
    """The peak of (1 + (1 + rate) s) rate^s over the whole steps s (a wrong rate's peak)."""
    s = np.arange(int(40 * np.sqrt(kappa)))
    return float(np.max((1 + (1 + rate) * s) * rate**s))


momentum_peak_exercise = _momentum_peak_exercise()

def _floor_exercise(step: float = 0.2, gd_step: float = 1.0) -> NumericExercise:
    """The rho whose noise floor at the step step/lambda is gradient descent's at gd_step/lambda."""
    gd_floor = stationary_variance(0.0, gd_step, [1.0], 1.0)[0]
    expected = float(brentq(lambda rho: stationary_variance(rho, step, [1.0], 1.0)[0] - gd_floor,
                            0.0, 1 - 1e-9))
    small = 1 - step / gd_step  # the same effective step, exact only for small steps
    no_momentum_factor = 1 - step * (2 - gd_step) / (2 * gd_step)
    no_gd_factor = float(brentq(lambda rho: step / (1 - rho) * (1 + rho) / (2 * (1 + rho) - step)
                                - gd_step / 2, 0.0, 1 - 1e-9))
    return NumericExercise(
        "two noise floors",
        r"Along one curvature direction $\lambda$ of a quadratic, every gradient carries noise "
        r"of the same variance $\sigma^2$. Gradient descent with the step "
        f"$\\eta' = {gd_step:g}/\\lambda$ settles into a noise floor; momentum with the step "
        f"$\\eta = {step:g}/\\lambda$ does too. Which $\\rho$ gives it the same floor? The steps "
        "are not small here. Give $\\rho$ within 0.001.",
        expected,
        rtol=0.0,
        atol=0.001,
        mistakes=[
            (small, f"{small:g} matches the effective steps, eta / (1 - rho) = eta'; that is "
                    "right for small steps only, and here eta' lambda is not small: keep the "
                    "exact factors of both floors"),
            (no_gd_factor, "you keep momentum's factor 2(1 + rho)/(2(1 + rho) - eta lambda) "
                            "but drop gradient descent's, 2/(2 - eta' lambda)"),
            (no_momentum_factor, "you keep gradient descent's factor 2/(2 - eta' lambda) but "
                                 "drop momentum's, 2(1 + rho)/(2(1 + rho) - eta lambda)"),
        ],
        hints=[
            "For small steps momentum's floor is gradient descent's with the effective step "
            "eta / (1 - rho). Here the steps are not small: use the exact floors (Beyond the "
            "homework, from notebook 3's Going deeper), each the small-step floor times a factor.",
            "Set (eta / (1 - rho)) (sigma^2 / (2 lambda)) 2(1 + rho) / (2(1 + rho) - eta lambda) "
            "equal to (eta' sigma^2 / (2 lambda)) 2 / (2 - eta' lambda), with eta lambda and "
            "eta' lambda as given: sigma and lambda cancel, and what is left is a quadratic "
            "equation in rho.",
        ],
        solution=rf"""Along the curvature $\lambda$, momentum's floor is
$\frac{{\eta}}{{1 - \rho}}\frac{{\sigma^2}}{{2\lambda}} \cdot
\frac{{2(1 + \rho)}}{{2(1 + \rho) - \eta\lambda}}$ and gradient descent's is
$\frac{{\eta'\sigma^2}}{{2\lambda}} \cdot \frac{{2}}{{2 - \eta'\lambda}}$ (notebook 3, *Going
deeper: momentum with noisy gradients*). With $a = \eta\lambda = {step:g}$ and
$b = \eta'\lambda = {gd_step:g}$, equal floors mean
$a(1 + \rho)(2 - b) = b(1 - \rho)\bigl(2(1 + \rho) - a\bigr)$, that is the quadratic
$b\rho^2 + a(1 - b)\rho - (b - a) = 0$, whose root in $[0, 1)$ is
$\rho = \bigl(\sqrt{{a^2(1 - b)^2 + 4b(b - a)}} - a(1 - b)\bigr)/(2b)$ $\approx$
**{expected:.3f}**. The small-step rule, equal effective steps $\eta/(1 - \rho) = \eta'$, gives
$\rho = {small:g}$: at $\eta'\lambda = {gd_step:g}$ gradient descent's factor
$2/(2 - \eta'\lambda) = {2 / (2 - gd_step):g}$ raises its floor, and momentum needs more memory
to match it.
""",
    )


floor_exercise = _floor_exercise()

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
