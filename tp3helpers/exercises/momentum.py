"""Notebook 3's exercises (two to write code, three values to predict) and its prompts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..momentum import (
    closed_form_errors,
    convergence_rate,
    momentum_to_physical,
    optimal_parameters,
)
from ._exercise import CodeExercise, NumericExercise, Prompt
from ._feedback import Case, first_slip, not_close, result_number, result_pair

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


def _judge_undo(result: object, w_new: np.ndarray, v_new: np.ndarray,
                grad: Callable[[np.ndarray], np.ndarray], rho: float, eta: float) -> str | None:
    w_ok = w_new - eta * v_new  # the position moved along the new velocity
    v_ok = (v_new + grad(w_ok)) / rho  # the velocity took the gradient at the old position
    w, v = result_pair(result, (w_ok, v_ok), ("w", "v"), "position", shape=w_new.shape)
    v_on = rho * v_new - grad(w_new)
    if np.allclose(w, w_new + eta * v_on) and np.allclose(v, v_on):
        return ("that is one more step forward, from (w', v'); go back instead, to the (w, v) "
                "that the step started from")
    if np.allclose(w, w_new + eta * v_new):
        return ("you undid the homework's w' = w - eta v', which climbs; the fixed rule moves "
                "the position by + eta v'")
    slips = [
        ((v_new + grad(w_new)) / rho,
         "the step took the gradient at the old position w, not at w': recover w first, then "
         "take the gradient there"),
        (v_new + grad(w_ok), "the step also multiplied the old velocity by rho: divide by it"),
        (rho * (v_new + grad(w_ok)), "divide by rho, do not multiply"),
        ((v_new - grad(w_ok)) / rho, "the step subtracted the gradient: add it back"),
    ]
    position = not_close(w, w_ok, "the position is")
    if position or np.allclose(v, v_ok):
        return position
    return first_slip(v, slips) or not_close(v, v_ok, "the velocity is")


_rng = np.random.default_rng(30)
_A = np.diag([1.0, 2.0, 4.0])  # E(w) = w^T A w / 2 in the second case

step_exercise = CodeExercise(
    "one momentum step, undone",
    r"One step of the fixed momentum rule (*Repair 1*) took the weights and the velocity from "
    r"$(w, v)$ to $(w', v')$. Write `my_undo(w_new, v_new, grad, rho, eta)` that returns the "
    r"pair `(w, v)` the step started from, where `grad(w)` returns $\nabla E(w)$ and "
    r"$\rho > 0$.",
    cases=[
        Case("w_new = 1, v_new = -1, grad(w) = 2 w, rho = 0.5, eta = 0.1",
             (np.array([1.0]), np.array([-1.0]), lambda w: 2.0 * w, 0.5, 0.1)),
        Case("a 3-D step on E(w) = w^T A w / 2, A = diag(1, 2, 4), rho = 0.7, eta = 0.05",
             (_rng.normal(size=3), _rng.normal(size=3), lambda w: _A @ w, 0.7, 0.05)),
    ],
    judge=_judge_undo,
    success="correct: the position first (it moved along the new velocity), then the "
            "velocity, with the gradient at the old position.",
    hints=[
        "Undo the two updates in the reverse order. The step changed the velocity first and "
        "then moved the position along the new velocity: which of w and v can you recover from "
        "(w', v') alone?",
        "Solve the position update w' = w + eta v' for w; then solve the velocity update "
        "v' = rho v - grad(w) for v, with the gradient at that recovered w. Return (w, v).",
    ],
    solution=r"""The step was $v' = \rho v - \nabla E(w)$, then $w' = w + \eta v'$: the velocity
first, then the position along the *new* velocity. Undo it in the reverse order. The position
update needs only $v'$, so it gives $w$ at once; the velocity update took the gradient at that old
$w$, and then gives $v$:

```python
def my_undo(w_new, v_new, grad, rho, eta):
    w = w_new - eta * v_new                 # from w' = w + eta v'
    v = (v_new + grad(w)) / rho             # from v' = rho v - grad(w), at the old w
    return w, v
```

The order matters: the gradient was taken at the old position, so $w$ has to come back first.""",
)


def _judge_mapping(result: object, rho: float, eta: float, m: float) -> str | None:
    _, friction_ok, dt_ok = momentum_to_physical(rho, eta, m)
    friction, dt = result_pair(result, (friction_ok, dt_ok), ("friction", "dt"), "friction",
                               read=result_number)
    if not np.isclose(dt, dt_ok):
        why = first_slip(dt, [
            (eta * m, " (eta = dt^2 / m gives dt^2 = eta m: take the square root)"),
            (np.sqrt(eta / m),
             " (eta = dt^2 / m: multiply by the mass before the square root, do not divide)"),
            (np.sqrt(eta), " (the mass is in eta = dt^2 / m too)"),
        ]) or ""
        return f"dt = {dt:.4g}, expected sqrt(eta m) = {dt_ok:.4g}{why}"
    if not np.isclose(friction, friction_ok, atol=1e-12):
        why = first_slip(friction, [
            ((1 - rho) / dt_ok, " (rho = 1 - c dt / m: the mass multiplies, c = (1 - rho) m / dt)"),
            ((1 - rho) * dt_ok / m,
             " (solve rho = 1 - c dt / m for c: divide 1 - rho by dt, do not multiply)"),
            (rho * m / dt_ok, " (friction is what rho lacks to reach 1: 1 - rho, not rho)"),
        ]) or ""
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

# -- the spectrum behind Polyak's pair: the formulas read backwards ------------------------------

_SPECTRUM = (0.25, 4.0)  # the range the pair was tuned for: the expected answer
_RHO_P, _ETA_P = (round(x, 12) for x in optimal_parameters(*_SPECTRUM))  # 0.36 and 0.64
_ROOT_P = float(np.sqrt(_RHO_P))  # the ends' double roots are +sqrt(rho*) and -sqrt(rho*)


def _ends(root: float, step: float) -> np.ndarray:
    """``(lambda_min, lambda_max)`` from critical damping, ``step * lambda = (1 -+ root)^2``."""
    return np.array([(1 - root) ** 2, (1 + root) ** 2]) / step


optimum_exercise = NumericExercise(
    "the spectrum behind Polyak's pair",
    rf"Someone tuned momentum on a quadratic with Polyak's rule and got "
    rf"$(\rho^\star, \eta^\star) = ({_RHO_P:g}, {_ETA_P:g})$. Without running anything: for "
    r"which range of eigenvalues $[\lambda_{\min}, \lambda_{\max}]$ did they tune it? Give the "
    r"pair $(\lambda_{\min}, \lambda_{\max})$, to three decimals.",
    list(_SPECTRUM),
    rtol=2e-3,
    mistakes=[
        ([_RHO_P, _ETA_P],
         "that is the pair you were given; give the eigenvalues it was tuned for"),
        (np.sqrt(_SPECTRUM), "those are sqrt(lambda_min) and sqrt(lambda_max): square them"),
        (_SPECTRUM[::-1], "the two are swapped: give (lambda_min, lambda_max), the smaller first"),
        (_ends(_RHO_P, _ETA_P),
         f"rho* is the square of the double roots' size: the ends sit at z = +-sqrt(rho*) = "
         f"+-{_ROOT_P:g}, not +-rho*"),
        (_ends(_ROOT_P, 1.0), "(1 -+ sqrt(rho*))^2 is eta* lambda at the two ends: divide by eta*"),
        (_ends(_ROOT_P, 1 / _ETA_P), "divide by eta*, do not multiply"),
        (_ends(_ROOT_P, np.sqrt(_ETA_P)),
         "the ends satisfy eta* lambda = (1 -+ sqrt(rho*))^2: divide by eta* itself, not by its "
         "square root"),
        ([_SPECTRUM[0] / _SPECTRUM[1], 1.0],
         "kappa = 16 is right, but lambda_max is not 1: eta* sets the scale"),
        # one end right (both right has passed already)
        (lambda a: np.isclose(a[0], _SPECTRUM[0], rtol=2e-3),
         "your lambda_min is right; lambda_max is not"),
        (lambda a: np.isclose(a[1], _SPECTRUM[1], rtol=2e-3),
         "your lambda_max is right; lambda_min is not"),
    ],
    hints=[
        "Polyak's pair puts both ends of the spectrum on critical damping: a double root "
        "+sqrt(rho*) at lambda_min and -sqrt(rho*) at lambda_max (Theory, the rate on a "
        "quadratic). Read those two conditions backwards.",
        f"A double root z of z^2 - (1 + rho - eta lambda) z + rho has 2z = 1 + rho - eta lambda "
        f"and z^2 = rho. Put rho = {_RHO_P:g}, eta = {_ETA_P:g} and z = +{_ROOT_P:g}, then "
        f"z = -{_ROOT_P:g}, and solve each for lambda.",
    ],
    solution=rf"""The two ends have double roots $z = \pm\sqrt{{\rho^\star}} = \pm{_ROOT_P:g}$, and
a double root satisfies $2z = 1 + \rho - \eta\lambda$, so
$\eta^\star\lambda = 1 + \rho^\star \mp 2\sqrt{{\rho^\star}} = (1 \mp \sqrt{{\rho^\star}})^2$:

$$\lambda_{{\min}} = \frac{{(1 - {_ROOT_P:g})^2}}{{{_ETA_P:g}}}
= \frac{{{(1 - _ROOT_P) ** 2:g}}}{{{_ETA_P:g}}} = {_ends(_ROOT_P, _ETA_P)[0]:g}, \qquad
\lambda_{{\max}} = \frac{{(1 + {_ROOT_P:g})^2}}{{{_ETA_P:g}}}
= \frac{{{(1 + _ROOT_P) ** 2:g}}}{{{_ETA_P:g}}} = {_ends(_ROOT_P, _ETA_P)[1]:g}.$$

Forwards again: $\kappa = {_SPECTRUM[1] / _SPECTRUM[0]:g}$, $\sqrt\kappa = {np.sqrt(_SPECTRUM[1] /
_SPECTRUM[0]):g}$, and Theory's formulas give back $({_RHO_P:g}, {_ETA_P:g})$. The momentum alone
fixes only $\kappa$ (through $\sqrt{{\rho^\star}} = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$); the step
sets the scale of the curvatures.""",
)


# -- the one setting with the rate 1 that grows: a double root -1 --------------------------------

_REGIME_LAMBDAS = (0.5, 2.0)
# The double root z = -1 on the steeper eigenvalue: rho = z^2 = 1, eta lambda = 1 + rho - 2z = 4.
_RHO_G, _ETA_G = 1.0, 4.0 / max(_REGIME_LAMBDAS)
_EDGE = (0.5, 2 * (1 + 0.5) / max(_REGIME_LAMBDAS))  # rate 1, a simple root -1: the solution's
_STEEP = {name: closed_form_errors(*pair, _REGIME_LAMBDAS[1:], [1.0], 100)[:, 0]
          for name, pair in {"edge": _EDGE, "double": (_RHO_G, _ETA_G)}.items()}  # from rest


regime_exercise = NumericExercise(
    "the rate 1 that grows",
    r"A quadratic has the eigenvalues $0.5$ and $2$. Many settings $(\rho, \eta)$ give it the "
    r"rate $r = 1$ exactly, and from rest most of them keep the error bounded: it neither "
    r"shrinks nor grows. Exactly one setting with $\eta > 0$ has the rate 1 and yet an error "
    r"that grows without bound. Which? Give the pair $(\rho, \eta)$.",
    [_RHO_G, _ETA_G],
    rtol=1e-3,
    mistakes=[
        ([_ETA_G, _RHO_G], "the two are swapped: give (rho, eta), the momentum first"),
        (lambda a: np.isclose(a[0], 1.0) and np.isclose(a[1], 0.0, atol=1e-9),
         "with eta = 0 the double root is +1, but the weights never move: eta > 0"),
        ([_RHO_G, 4 / min(_REGIME_LAMBDAS)],
         "eta lambda = 4 on the flatter eigenvalue puts the steeper one at eta lambda = 16, far "
         "beyond the edge: its rate is above 1"),
        (lambda a: a[0] < 1 and np.isclose(a[1] * max(_REGIME_LAMBDAS), 2 * (1 + a[0])),
         "that setting is on the divergence edge, rate 1, but with rho < 1 the root -1 is "
         "simple (the other root is -rho): the error flips sign at a constant size, bounded"),
        (lambda a: np.isclose(a[0], 1.0) and 0 < a[1] < _ETA_G,
         "with rho = 1 and eta lambda < 4 on both eigenvalues the roots are complex pairs of "
         "modulus 1, each simple: the error stays bounded"),
        (lambda a: not np.isclose(convergence_rate(a[0], a[1], _REGIME_LAMBDAS), 1.0),
         "that setting's rate is not 1: find the largest root modulus of "
                         "z^2 - (1 + rho - eta lambda) z + rho over the two eigenvalues"),
        (lambda a: not np.isclose(a[0], 1.0),
         "the rate is 1 there, but every root of modulus 1 is simple, so the error stays "
         "bounded; a double root z has z^2 = rho"),
    ],
    hints=[
        "A rate of exactly 1 does not settle it: a root of modulus 1 keeps the error's size if "
        "it is simple, and makes it grow like t if it is double (the closed form's factor t). "
        "So look for a double root of modulus 1.",
        "A double root z of z^2 - (1 + rho - eta lambda) z + rho satisfies z^2 = rho and "
        "2z = 1 + rho - eta lambda. A real z of modulus 1 is +1 or -1: solve for rho and "
        "eta lambda, then choose which eigenvalue gets it (the other must keep its roots "
        "within the unit circle).",
    ],
    solution=rf"""The rate is the largest root modulus, and a root of modulus 1 makes the error grow
only if it is double: then the closed form carries the factor $t$. A double root $z$ of
$z^2 - (1 + \rho - \eta\lambda)z + \rho$ is real, with $z^2 = \rho$ and
$2z = 1 + \rho - \eta\lambda$. Modulus 1 means $z = \pm 1$, so $\rho = 1$ (no friction):

- $z = +1$ gives $\eta\lambda = 0$, no step at all;
- $z = -1$ gives $\eta\lambda = 4$. On $\lambda = 0.5$ that is $\eta = 8$, and then
  $\lambda = 2$ has $\eta\lambda = 16$, beyond the edge $2(1 + \rho) = 4$: rate above 1. On
  $\lambda = 2$ it is $\eta = {_ETA_G:g}$, and $\lambda = 0.5$ has $\eta\lambda = 1$: complex roots
  of modulus 1, bounded.

So **$(\rho, \eta) = ({_RHO_G:g}, {_ETA_G:g})$**, the frictionless ball at the end of its energy
band. From rest the steep direction's error is $(1 + 2t)(-1)^t e_0$:
${abs(_STEEP['double'][-1]):.0f}$ times its start after 100 steps. Every other setting with the
rate 1 keeps it bounded: on the edge $\eta\lambda = 2(1 + \rho)$ with $\rho < 1$ the roots are
$-1$ and $-\rho$, distinct, and from rest at $(\rho, \eta) = ({_EDGE[0]:g}, {_EDGE[1]:g})$ the
error settles at ${abs(_STEEP['edge'][-1]):.3g}\,|e_0|$, flipping sign at every step.""",
)


# -- a ball pushed at the minimum: the double root from a new start ------------------------------

_FLAT, _STEEPEST = 0.04, 1.0
_RHO_K, _ETA_K = optimal_parameters(_FLAT, _STEEPEST)  # 4/9 and 25/9
_Z = float(np.sqrt(_RHO_K))  # the flattest direction's double root, r* = 2/3
_T = np.arange(200.0)


def _pushed_errors(steps: int = 200) -> np.ndarray:
    """|e_t| / |e_1| along lambda = 0.04 from e_0 = 0, e_1 = 1, by the recurrence
    e_{t+1} = (1 + rho - eta lambda) e_t - rho e_{t-1} (it holds from t = 1 whatever v_0)."""
    e = [0.0, 1.0]
    for _ in range(steps - 2):
        e.append((1 + _RHO_K - _ETA_K * _FLAT) * e[-1] - _RHO_K * e[-2])
    return np.abs(e)


def _first_below(sizes: np.ndarray, tol: float = 1e-3) -> int:
    """First step t >= 1 whose size (relative to |e_1|) is at most tol."""
    return 1 + int(np.flatnonzero(sizes[1:] <= tol)[0])


_PUSHED = _pushed_errors()
_PUSHED_STEPS = _first_below(_PUSHED)

critical_steps_exercise = NumericExercise(
    "a push at the minimum",
    r"Take Polyak's optimal $(\rho^\star, \eta^\star)$ for eigenvalues in $[0.04, 1]$. The "
    r"weights start exactly at the minimum, $w_0 = w^\star$, but moving, as after a push: a "
    r"velocity $v_0 \ne 0$ along the flattest eigenvector ($\lambda = 0.04$). The first step "
    r"takes them a distance $|e_1|$ from the minimum. After how many steps $t$, counted from "
    r"$w_0$, is the error $|e_t|$ below $|e_1| / 1000$ for the first time? Give a whole number.",
    _PUSHED_STEPS,
    rtol=0.0,
    atol=0.5,
    mistakes=[
        (_first_below((1 + (1 - _Z) * _T) * _Z**_T),
         "that is the count from rest, where e_0 is not 0 and the error carries the factor "
         "1 + (1 - r*) t; here e_0 = 0, and the double root's closed form keeps only t e_1 / z"),
        (_first_below(_Z ** (_T - 1)),
         "that is the count from the rate r* = 2/3 alone; the double root adds a factor t"),
        (_first_below(_Z**_T),
         "that is the count from the rate r* = 2/3 alone; the double root adds a factor t"),
        (_first_below(_T * _Z**_T),
         "the closed form divides e_1 by the root: e_t = t (e_1 / z) z^t = t z^(t-1) e_1"),
        (_PUSHED_STEPS - 1, "t counts the steps from w_0 = w*, the push's first step included"),
        (_first_below(_T * _RHO_K ** (_T - 1)), "the double root is sqrt(rho*) = 2/3, not rho*"),
    ],
    hints=[
        "Only the start has changed: from t = 1 on the error still follows "
        "e_(t+1) = (1 + rho - eta lambda) e_t - rho e_(t-1), and at Polyak's optimum "
        "lambda_min has the double root z = r* (Theory, the rate on a quadratic), whose closed "
        "form holds for any e_0 and e_1.",
        "Put e_0 = 0 in e_t = (e_0 + t (e_1/z - e_0)) z^t: e_t = t z^(t-1) e_1, with "
        "z = r* = (sqrt(kappa) - 1)/(sqrt(kappa) + 1). Here kappa = 25: find the first t where "
        "t (2/3)^(t-1) <= 0.001.",
    ],
    solution=rf"""For $[0.04, 1]$: $\kappa = 25$, $\sqrt\kappa = 5$, and the flattest direction has
the double root $z = r^\star = 4/6 = 2/3$. The recurrence holds from $t = 1$ whatever the first
velocity, so the double root's closed form applies with $e_0 = 0$:
$e_t = \bigl(e_0 + t(e_1/z - e_0)\bigr)z^t = t\,(2/3)^{{t-1}}\, e_1$. The ball first coasts on,
to ${_PUSHED.max():.3g}\,|e_1|$ at $t = {int(np.argmax(_PUSHED))}$, then the error falls: at
$t = {_PUSHED_STEPS - 1}$ it is ${_PUSHED[_PUSHED_STEPS - 1]:.3g}\,|e_1|$, at
$t = {_PUSHED_STEPS}$ it is ${_PUSHED[_PUSHED_STEPS]:.3g}\,|e_1|$: **{_PUSHED_STEPS} steps**.
The rate alone, $(2/3)^{{t-1}} \le 10^{{-3}}$, would say {_first_below(_Z ** (_T - 1))}; the factor
$t$ of critical damping costs {_PUSHED_STEPS - _first_below(_Z ** (_T - 1))} more, and a start
from rest (factor $1 + t/3$) would need {_first_below((1 + (1 - _Z) * _T) * _Z**_T)}.""",
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
