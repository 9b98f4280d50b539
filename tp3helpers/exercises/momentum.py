"""Notebook 3's exercises (two to write code, two values to predict, a regime to choose) and its
prompts."""

from __future__ import annotations

import numpy as np

from ..momentum import (
    BOUNDED,
    closed_form_errors,
    convergence_rate,
    iteration_regime,
    momentum_to_physical,
    steps_to_tolerance,
)
from ._exercise import ChoiceExercise, CodeExercise, NumericExercise, Option, Prompt
from ._feedback import Case, result_array, result_number, result_pair

__all__ = [
    "step_exercise",
    "mapping_exercise",
    "optimum_exercise",
    "regime_exercise",
    "critical_steps_exercise",
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

def _judge_mapping(result: object, rho: float, eta: float, m: float) -> str | None:
    friction, dt = (
        result_number(x, what=f"the {part} you returned is")
        for x, part in zip(result_pair(result, "(friction, dt)"), ("friction", "dt"), strict=True)
    )
    _, friction_ok, dt_ok = momentum_to_physical(rho, eta, m)
    if np.isclose(friction, dt_ok) and np.isclose(dt, friction_ok) and not np.isclose(dt, dt_ok):
        return "the pair is swapped: return (friction, dt), friction first"
    if not np.isclose(dt, dt_ok):
        why = ""
        if np.isclose(dt, eta * m):
            why = " (eta = dt^2 / m gives dt^2 = eta m: take the square root)"
        elif np.isclose(dt, np.sqrt(eta / m)):
            why = " (eta = dt^2 / m: multiply by the mass before the square root, do not divide)"
        elif np.isclose(dt, np.sqrt(eta)):
            why = " (the mass is in eta = dt^2 / m too)"
        return f"dt = {dt:.4g}, expected sqrt(eta m) = {dt_ok:.4g}{why}"
    if not np.isclose(friction, friction_ok, atol=1e-12):
        why = ""
        if np.isclose(friction, (1 - rho) / dt_ok):
            why = " (rho = 1 - c dt / m: the mass multiplies, c = (1 - rho) m / dt)"
        elif np.isclose(friction, (1 - rho) * dt_ok / m):
            why = " (solve rho = 1 - c dt / m for c: divide 1 - rho by dt, do not multiply)"
        elif np.isclose(friction, rho * m / dt_ok):
            why = " (friction is what rho lacks to reach 1: 1 - rho, not rho)"
        return f"friction = {friction:.4g}, expected (1 - rho) m / dt = {friction_ok:.4g}{why}"
    return None


mapping_exercise = CodeExercise(
    "from the optimiser back to the ball",
    r"Write `my_to_ball(rho, eta, mass)` that returns the pair `(friction, dt)`: the friction "
    r"$c$ and the time step $\Delta t$ of a ball of the given mass $m$ whose semi-implicit Euler "
    r"steps are momentum with these $(\rho, \eta)$.",
    cases=[Case(f"rho = {r}, eta = {e}, mass = {m}", (r, e, m))
           for r, e, m in [(0.9, 0.01, 1.0), (0.5, 0.04, 2.0), (1.0, 0.25, 4.0)]],
    judge=_judge_mapping,
    success="correct: the step fixes the time step, and what rho lacks to reach 1 is friction.",
    hints=[
        "Invert the box of Repair 3: it gives rho and eta from (m, c, dt); here you know rho, "
        "eta and m. Which of the two formulas has only dt unknown?",
        "eta = dt^2 / m gives dt = sqrt(eta m); then rho = 1 - c dt / m gives "
        "c = (1 - rho) m / dt. Return (c, dt).",
    ],
    solution=r"""The box of Repair 3 reads $\rho = 1 - c\,\Delta t / m$ and $\eta = \Delta t^2 / m$.
The second has only $\Delta t$ unknown, and then the first gives $c$:

```python
def my_to_ball(rho, eta, mass):
    dt = np.sqrt(eta * mass)                 # from eta = dt^2 / m
    friction = (1 - rho) * mass / dt         # from rho = 1 - c dt / m
    return friction, dt
```

$\rho = 1$ means no friction at all; a larger step $\eta$ is a longer time step (or a lighter
ball).
""",
)

_RHO_16, _ETA_16 = 0.36, 0.64  # ((4 - 1)/(4 + 1))^2 and (2 / (0.5 + 2))^2

optimum_exercise = NumericExercise(
    "the optimum for eigenvalues in [0.25, 4]",
    r"The eigenvalues of a quadratic lie in $[\lambda_{\min}, \lambda_{\max}] = [0.25, 4]$. "
    r"Without running anything, give Polyak's optimal pair $(\rho^\star, \eta^\star)$, to three "
    "decimals.",
    [_RHO_16, _ETA_16],
    rtol=2e-3,
    mistakes=[
        ([0.6, _ETA_16],
         "0.6 = (sqrt(kappa) - 1)/(sqrt(kappa) + 1) is the rate r*; rho* is its square"),
        ([_RHO_16, 2 / 4.25],
         "2 / (lambda_min + lambda_max) is the best step of plain gradient descent; momentum's "
         "eta* uses square roots"),
        ([_RHO_16, 0.16],
         "that eta* is for eigenvalues in [1, 16]; here lambda_min = 0.25 and lambda_max = 4"),
        ([_ETA_16, _RHO_16], "the two are swapped: give (rho*, eta*)"),
        ([(15 / 17) ** 2, _ETA_16], "rho* uses sqrt(kappa) = 4, not kappa = 16"),
        ([0.6, 0.8], "both formulas end with a square: square each of your two numbers"),
        ([_RHO_16, 0.8], "eta* is the square of 2 / (sqrt(lambda_min) + sqrt(lambda_max))"),
        (lambda a: np.isclose(a[0], _RHO_16, rtol=2e-3) and not np.isclose(a[1], _ETA_16),
         "your rho* is right; eta* is not"),
        (lambda a: np.isclose(a[1], _ETA_16, rtol=2e-3) and not np.isclose(a[0], _RHO_16),
         "your eta* is right; rho* is not"),
    ],
    hints=[
        "Polyak's optimum puts both extreme eigenvalues on critical damping; the Theory "
        "section's two formulas use square roots of kappa, lambda_min and lambda_max.",
        "Here kappa = 16, so sqrt(kappa) = 4, sqrt(lambda_min) = 0.5 and sqrt(lambda_max) = 2: put "
        "them in rho* = ((sqrt(kappa) - 1)/(sqrt(kappa) + 1))^2 and "
        "eta* = (2/(sqrt(lambda_min) + sqrt(lambda_max)))^2.",
    ],
    solution=r"""With $\lambda_{\min} = 0.25$ and $\lambda_{\max} = 4$: $\kappa = 16$,
$\sqrt\kappa = 4$, and

$$\rho^\star = \left(\frac{4 - 1}{4 + 1}\right)^2 = 0.36, \qquad
\eta^\star = \left(\frac{2}{\sqrt{0.25} + \sqrt{4}}\right)^2 = \left(\frac{2}{2.5}\right)^2
= 0.64.$$

The rate is $\sqrt{\rho^\star} = 0.6$, against $15/17 \approx 0.882$ for gradient descent with its
best step $2/(0.25 + 4)$.""",
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
        "Find the roots of z^2 - (1 + rho - eta lambda) z + rho for rho = 0.5, eta = 3 and "
        "lambda = 1, and their moduli.",
    ],
    solution=r"""For $\lambda = 1$: $z^2 - (1 + 0.5 - 3)z + 0.5 = z^2 + 1.5z + 0.5
= (z + 1)(z + 0.5)$, roots $-1$ and $-0.5$. The largest modulus is exactly 1 and the root is
simple, so the error along this direction flips sign every step at a constant size: **(c) bounded,
never converges**. (For $\lambda = 0.01$ both roots are inside the unit circle, but the slowest
direction sets the regime.) The dot sits exactly on the black line of the explorer's map,
$\eta = 2(1 + \rho)/\lambda_{\max}$.""",
)


def _critical_steps(tol: float = 1e-3) -> int:
    """Steps until the flattest direction's error at Polyak's optimum for [0.04, 1] is below tol
    of its start: the double root z = r* = 2/3 with its factor t."""
    errors = closed_form_errors(4 / 9, 25 / 9, [0.04], [1.0], 200)[:, 0]
    return steps_to_tolerance(np.abs(errors), tol)


_T = np.arange(200)
_R = 2 / 3

critical_steps_exercise = NumericExercise(
    "steps at critical damping",
    r"Take Polyak's optimal $(\rho^\star, \eta^\star)$ for eigenvalues in $[0.04, 1]$ and start "
    r"from rest with an error along the flattest eigenvector only ($\lambda = 0.04$). After how "
    r"many steps is that error below $1/1000$ of its start for the first time? Give a whole "
    "number.",
    _critical_steps(),
    rtol=0.0,
    atol=0.5,
    mistakes=[
        (steps_to_tolerance(_R**_T, 1e-3),
         "that is the count from the rate r* = 2/3 alone; at the optimum the flattest direction "
         "has a double root, and its error carries an extra factor (1 + (1 - r*) t)"),
        (int(np.log(1000) / np.log(1.5)),
         "ln(1000) / ln(3/2) = 17.04 is not a whole number of steps, and it leaves out the "
         "factor t of the double root"),
        (steps_to_tolerance(_R**_T * (1 + (1 + _R) * _T), 1e-3),
         "(1 + (1 + r*) t) is the factor of the steepest direction, where the double root is "
         "-r*; along the flattest one the root is +r* and the factor is 1 + (1 - r*) t"),
        (steps_to_tolerance((4 / 9) ** _T * (1 + (5 / 9) * _T), 1e-3),
         "the rate is sqrt(rho*) = 2/3, not rho* = 4/9"),
        (steps_to_tolerance((4 / 9) ** _T, 1e-3),
         "the rate is sqrt(rho*) = 2/3, not rho* = 4/9; and the double root adds a factor t"),
    ],
    hints=[
        "At Polyak's optimum the flattest eigenvalue sits on critical damping: its two roots are "
        "one double root z = r* = (sqrt(kappa) - 1)/(sqrt(kappa) + 1), and the error carries an "
        "extra factor t (Theory, the rate on a quadratic).",
        "Here kappa = 25 and r* = 2/3; the double root's closed form from rest is "
        "e_t = (1 + (1 - r*) t) (r*)^t e_0 = (1 + t/3) (2/3)^t e_0. Find the first t where "
        "(1 + t/3) (2/3)^t <= 0.001.",
    ],
    solution=r"""For $[0.04, 1]$: $\kappa = 25$, $\sqrt\kappa = 5$, $r^\star = 4/6 = 2/3$. The
flattest eigenvalue has the double root $z = r^\star$, and from rest ($e_1 = (1 - \eta\lambda)
e_0$) the closed form is $e_t = \bigl(1 + (1 - r^\star)\,t\bigr)(r^\star)^t e_0 =
(1 + t/3)(2/3)^t e_0$. Step by step: at $t = 22$ it is $8.33 \times 1.34 \cdot 10^{-4} \approx
1.1 \cdot 10^{-3}$, at $t = 23$ it is $8.67 \times 8.9 \cdot 10^{-5} \approx 7.7 \cdot 10^{-4}$:
**23 steps**. The rate alone, $(2/3)^t \le 10^{-3}$, would say 18: the factor $t$ of critical
damping costs five more.""",
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
    r"above $\eta^\star$ (see *The knife edge* in *Check*). At η = 3.27 the rate is 0.832: "
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
