"""Notebook 3's exercises (two to write code, two values to predict, a regime to choose) and its
prompts."""

from __future__ import annotations

import numpy as np

from ..momentum import BOUNDED, convergence_rate, iteration_regime, physical_to_momentum
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array, result_number, result_pair

__all__ = [
    "step_exercise",
    "mapping_exercise",
    "optimum_exercise",
    "regime_exercise",
    "leaky_step_exercise",
    "damping_prompt",
    "knife_edge_prompt",
    "directions_prompt",
]


def _judge_step(result: object, w: np.ndarray, v: np.ndarray, g: np.ndarray, rho: float,
                eta: float) -> str | None:
    w_new, v_new = (
        result_array(x, shape=w.shape, what=f"the {part} you returned is")
        for x, part in zip(result_pair(result, "(w_new, v_new)"), ("w_new", "v_new"), strict=True)
    )
    v_ok = rho * v - g
    w_ok = w + eta * v_ok
    if np.allclose(w_new, v_ok) and np.allclose(v_new, w_ok):
        return "the pair is swapped: return (w_new, v_new), position first"
    if np.allclose(v_new, -v_ok):
        return ("the velocity is rho * v + grad, PyTorch's buffer b = -v; in this project the "
                "velocity collects minus the gradient, rho * v - grad")
    if not np.allclose(v_new, v_ok):
        return (f"the velocity is {np.round(v_new, 4)}, expected rho * v - grad = "
                f"{np.round(v_ok, 4)}")
    if np.allclose(w_new, w - eta * v_ok):
        return ("you move by -eta * v_new: that is the homework's sign, which climbs the loss; "
                "the position moves along the velocity, w + eta * v_new")
    if np.allclose(w_new, w + eta * v) and not np.allclose(v, v_ok):
        return "the position moved with the old velocity v; use the new one"
    if not np.allclose(w_new, w_ok):
        return f"the position is {np.round(w_new, 4)}, expected {np.round(w_ok, 4)}"
    return None


_rng = np.random.default_rng(30)

step_exercise = CodeExercise(
    "one momentum step",
    "Write `my_step(w, v, grad_w, rho, eta)` that returns the pair `(w_new, v_new)` of the "
    r"fixed rule: $v' = \rho v - \nabla E(w)$, then $w' = w + \eta v'$.",
    cases=[
        Case("w = 1, v = 0, grad = 2, rho = 0.9, eta = 0.1",
             (np.array([1.0]), np.array([0.0]), np.array([2.0]), 0.9, 0.1)),
        Case("a 3-D step with a non-zero velocity",
             (_rng.normal(size=3), _rng.normal(size=3), _rng.normal(size=3), 0.7, 0.05)),
    ],
    judge=_judge_step,
    success="correct: velocity first, then the position along the new velocity.",
    hints=[
        "Momentum keeps a velocity that gathers minus the gradient (it points downhill) and "
        "moves the position along it: which of the two is updated first?",
        "Two lines, in this order: v_new = rho * v - grad_w, then w_new = w + eta * v_new (the "
        "new velocity). Return (w_new, v_new).",
    ],
    solution=r"""The velocity collects minus the gradient, so it points downhill; the position
then moves *along* it (the homework's minus sign here would climb):

```python
def my_step(w, v, grad_w, rho, eta):
    v_new = rho * v - grad_w       # decayed old velocity, plus the downhill push
    w_new = w + eta * v_new        # move along the new velocity
    return w_new, v_new
```
""",
)

def _judge_mapping(result: object, m: float, c: float, h: float) -> str | None:
    rho, eta = (result_number(x, what=f"the {part} you returned is")
                for x, part in zip(result_pair(result, "(rho, eta)"), ("rho", "eta"), strict=True))
    rho_ok, eta_ok = physical_to_momentum(m, c, h)
    if not np.isclose(rho, rho_ok):
        why = ""
        if np.isclose(rho, 1 - c * h):
            why = " (divide the friction term by the mass)"
        elif np.isclose(rho, 1 / (1 + c * h / m)):
            why = (" (that is the implicit friction of Remark 4; the box of Remark 3 takes the "
                   "friction at the old velocity)")
        return f"rho = {rho:.4g}, expected 1 - c dt / m = {rho_ok:.4g}{why}"
    if not np.isclose(eta, eta_ok):
        why = ""
        if np.isclose(eta, h / m):
            why = " (the position gets dt * velocity, and the velocity already has dt / m)"
        elif np.isclose(eta, h * h):
            why = " (divide by the mass: the same force moves a heavier ball less)"
        elif np.isclose(eta, -1.0):
            why = " (eta = -1 is the homework's sign slip; eta is positive)"
        return f"eta = {eta:.4g}, expected dt^2 / m = {eta_ok:.4g}{why}"
    return None


mapping_exercise = CodeExercise(
    "from the ball to the optimiser",
    "Write `my_to_momentum(mass, friction, dt)` that returns `(rho, eta)` for a ball of mass $m$ "
    r"with friction $c$ integrated with time step $\Delta t$ (Remark 3).",
    cases=[Case(f"m = {m}, c = {c}, dt = {h}", (m, c, h))
           for m, c, h in [(1.0, 0.0, 1.0), (2.0, 0.5, 0.1), (0.5, 3.0, 0.05)]],
    judge=_judge_mapping,
    success="correct: friction sets rho below 1, and eta is dt squared over the mass.",
    hints=[
        "Remark 3: the friction force -c v removes a fraction c dt / m of the velocity per step.",
        "Rescale the velocity by dt / m: the position update brings one dt and the velocity "
        "update dt / m, so eta has dt twice and the mass once.",
    ],
    solution=r"""Newton's law with friction, stepped by semi-implicit Euler, is
$v_{t+1} = (1 - c\,\Delta t/m)\, v_t - \frac{\Delta t}{m} \nabla E(p_t)$ and
$p_{t+1} = p_t + \Delta t\, v_{t+1}$. With $v = \frac{\Delta t}{m} u$ this is momentum on $u$:

```python
def my_to_momentum(mass, friction, dt):
    rho = 1 - friction * dt / mass   # friction takes c dt / m of the velocity per step
    eta = dt**2 / mass               # dt from the position update, dt / m from the velocity
    return rho, eta
```
""",
)

_RHO_25, _ETA_25 = 4.0 / 9.0, 25.0 / 9.0  # ((5 - 1)/(5 + 1))^2 and (2 / (0.2 + 1))^2

optimum_exercise = NumericExercise(
    "the optimum for kappa = 25",
    r"The eigenvalues of a quadratic lie in $[\lambda_{\min}, \lambda_{\max}] = [0.04, 1]$. "
    r"Without running anything, give Polyak's optimal pair $(\rho^\star, \eta^\star)$, to three "
    "decimals.",
    [_RHO_25, _ETA_25],
    rtol=2e-3,
    mistakes=[
        ([2 / 3, _ETA_25],
         "2/3 = (sqrt(kappa) - 1)/(sqrt(kappa) + 1) is the rate r*; rho* is its square"),
        ([_RHO_25, 2 / 1.04],
         "2 / (lambda_min + lambda_max) is the best step of plain gradient descent; momentum's "
         "eta* uses square roots"),
        ([_RHO_25, 1 / 9],
         "that eta* is for eigenvalues in [1, 25]; here lambda_max = 1, lambda_min = 0.04"),
        ([_ETA_25, _RHO_25], "the two are swapped: give (rho*, eta*)"),
        ([(24 / 26) ** 2, _ETA_25], "rho* uses sqrt(kappa) = 5, not kappa"),
        ([2 / 3, 5 / 3], "both formulas end with a square: square each of your two numbers"),
        ([_RHO_25, 5 / 3], "eta* is the square of 2 / (sqrt(lambda_min) + sqrt(lambda_max))"),
        (lambda a: np.isclose(a[0], _RHO_25, rtol=2e-3) and not np.isclose(a[1], _ETA_25),
         "your rho* is right; eta* is not"),
        (lambda a: np.isclose(a[1], _ETA_25, rtol=2e-3) and not np.isclose(a[0], _RHO_25),
         "your eta* is right; rho* is not"),
    ],
    hints=[
        "Polyak's optimum puts both extreme eigenvalues on critical damping; the Theory "
        "section's two formulas use square roots of kappa, lambda_min and lambda_max.",
        "Here sqrt(kappa) = 5, sqrt(lambda_min) = 0.2 and sqrt(lambda_max) = 1: put them in "
        "rho* = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2 and "
        "eta* = (2/(sqrt(lambda_min) + sqrt(lambda_max)))^2.",
    ],
    solution=r"""With $\lambda_{\min} = 0.04$ and $\lambda_{\max} = 1$: $\kappa = 25$,
$\sqrt\kappa = 5$, and

$$\rho^\star = \left(\frac{5 - 1}{5 + 1}\right)^2 = \frac49 \approx 0.444, \qquad
\eta^\star = \left(\frac{2}{\sqrt{0.04} + \sqrt{1}}\right)^2 = \left(\frac{2}{1.2}\right)^2
= \frac{25}{9} \approx 2.778.$$

The rate is $\sqrt{\rho^\star} = 2/3$, against $24/26 \approx 0.923$ for gradient descent. Check:
`optimal_parameters(0.04, 1.0)`.""",
)


_REGIME_LAMBDAS = [0.01, 1.0]
_BOUNDED = iteration_regime(0.5, 3.0, _REGIME_LAMBDAS) == BOUNDED  # checked against the math
_RATE = convergence_rate(0.5, 3.0, _REGIME_LAMBDAS)

regime_exercise = ChoiceExercise(
    "the regime of (rho, eta) = (0.5, 3.0)",
    r"On the explorer's quadratic with $\kappa = 100$ (eigenvalues $0.01$ and $1$), take "
    r"$(\rho, \eta) = (0.5, 3.0)$. What does the error do?",
    {
        "a": Option("it shrinks without changing sign", False,
                    "the steep direction (lambda = 1) has 1 + rho - eta lambda = -1.5 < 0: its "
                    "dominant root is negative, so the error flips sign every step"),
        "b": Option("it oscillates and shrinks", False,
                    "the flat direction does shrink, but the steep one's roots are -0.5 and -1: "
                    "a root of modulus exactly 1 never shrinks"),
        "c": Option("it stays bounded and never converges", _BOUNDED,
                    f"the rate is r = {_RATE:.4f}: eta = 3 is exactly the edge "
                    "2(1 + rho)/lambda_max, where a simple root -1 makes the error flip sign "
                    "forever at a constant size"),
        "d": Option("it grows without bound", False,
                    "divergence needs a root of modulus above 1 (or a double root on the unit "
                    "circle); here the largest modulus is exactly 1 and the root -1 is simple"),
    },
    hints=[
        "The slowest direction decides the regime: here the steep one, lambda = 1.",
        "Find the roots of mu^2 - (1 + rho - eta lambda) mu + rho for rho = 0.5, eta = 3 and "
        "lambda = 1, and their moduli.",
    ],
    solution=r"""For $\lambda = 1$: $\mu^2 - (1 + 0.5 - 3)\mu + 0.5 = \mu^2 + 1.5\mu + 0.5
= (\mu + 1)(\mu + 0.5)$, roots $-1$ and $-0.5$. The largest modulus is exactly 1 and the root is
simple, so the error along this direction flips sign every step at a constant size: **(c) bounded,
never converges**. (For $\lambda = 0.01$ both roots are inside the unit circle, but the slowest
direction sets the regime.) The dot sits exactly on the black line of the explorer's map,
$\eta = 2(1 + \rho)/\lambda_{\max}$.""",
)


leaky_step_exercise = NumericExercise(
    "the effective step",
    r"With $\rho = 0.95$ and $\eta = 0.002$, a gradient that barely changes from step to step "
    "moves the weights as plain gradient descent would with which step?",
    0.002 / (1 - 0.95),
    rtol=1e-3,
    mistakes=[
        (0.002 * (1 - 0.95),
         "the weights add up to 1 + rho + rho^2 + ... = 1/(1 - rho): divide, do not multiply"),
        (0.002 / 0.95, "the geometric sum is 1/(1 - rho), not 1/rho"),
        (0.002, "that is the step of one gradient; the velocity adds up all the past ones"),
        (1 / (1 - 0.95), "1/(1 - rho) = 20 is the factor; the step is eta times it"),
    ],
    hints=[
        "The velocity is a sum of past gradients weighted 1, rho, rho^2, ...",
        "On a constant gradient g the velocity tends to -g (1 + rho + rho^2 + ...): sum the "
        "geometric series, then multiply by eta.",
    ],
    solution=r"""On a gradient $g$ that barely changes, $v_t \to -g\,(1 + \rho + \rho^2 + \dots)
= -g/(1 - \rho)$, so each step is $-\frac{\eta}{1 - \rho}\, g$: plain gradient descent with step
$\eta/(1 - \rho) = 0.002 / 0.05 = 0.04$, twenty times $\eta$.""",
)


damping_prompt = Prompt(
    "Set ρ = 1 (η = 1, κ = 100). Will the run converge, blow up, or neither? What does the "
    "total energy do?",
    r"Neither. The readout says *r = 1.0000 (bounded, never converges)*: both roots of every "
    r"direction have modulus $\sqrt\rho = 1$. The loss swings forever, and the total energy "
    r"swings in a band without drifting (the modified energy is constant).",
)

knife_edge_prompt = Prompt(
    "Put the dot as close to the star as the sliders go (ρ = 0.67, η = 3.31 at κ = 100) and "
    "note the rate. Then raise η by 0.04, to 3.35. What happens? And if you lower it by "
    "0.04 instead?",
    r"At (0.67, 3.31) the rate is 0.869, already above $r^\star = 0.818$: even the sliders' "
    r"rounding costs, because the optimum is the tip of a sharp V. At η = 3.35 the rate is "
    r"1.029 and the run diverges: the edge $2(1 + \rho)/\lambda_{\max} = 3.34$ sits only 1% "
    r"above $\eta^\star$ (see *The knife edge* below). At η = 3.27 the rate is 0.832: "
    r"backing off costs little. (The readout also warns that the blue gradient-descent run "
    r"diverges at all these steps: without momentum any step above $2/\lambda_{\max} = 2$ "
    r"diverges; momentum pushes that edge to $2(1 + \rho)/\lambda_{\max}$.)",
)

directions_prompt = Prompt(
    "Set ρ = 0.9, η = 0.1. Which eigen-direction is still far from the minimum after 150 "
    "steps, and does its error oscillate?",
    r"The flat direction ($\lambda_{\min} = 0.01$): its error creeps down without changing "
    r"sign (real roots, rate 0.989), while the steep direction ($\lambda_{\max} = 1$) "
    r"oscillates and shrinks at $\sqrt{0.9} = 0.949$. The overall rate is the slower one.",
)
