"""The Question 3 exercises (notebook 3, *Exercises*): two to write code (one momentum step, the
ball's (rho, eta)), two numbers to predict (the optimum for kappa = 25, the effective step of the
leaky average) and one choice (the regime of a setting)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..momentum import BOUNDED, convergence_rate, iteration_regime, physical_to_momentum
from ._feedback import Feedback, result_array, result_number, run_cases
from ._questions import ChoiceQuestion, NumericQuestion, code_exercise

__all__ = [
    "check_momentum_step",
    "check_physical_to_momentum",
    "optimal_parameters_question",
    "regime_question",
    "leaky_step_question",
]


def _step(w, v, g, rho, eta):
    v_new = rho * v - g
    return w + eta * v_new, v_new


def _pair(result: object, what: str) -> tuple[object, object] | str:
    if not isinstance(result, tuple | list) or len(result) != 2:
        return f"return the pair {what}, got {result!r}"
    return result[0], result[1]


_STEP_HINT = (
    "Two lines, in this order: the new velocity v' = rho * v - grad_w, then the position moves "
    "along the NEW velocity, w + eta * v'. Return (w_new, v_new)."
)
_STEP_SOLUTION = r"""The velocity collects minus the gradient, so it points downhill; the position
then moves *along* it (the homework's minus sign here would climb):

```python
def my_step(w, v, grad_w, rho, eta):
    v_new = rho * v - grad_w       # decayed old velocity, plus the downhill push
    w_new = w + eta * v_new        # move along the new velocity
    return w_new, v_new
```
"""


@code_exercise(hint=_STEP_HINT, solution=_STEP_SOLUTION)
def check_momentum_step(fn: Callable[..., tuple[np.ndarray, np.ndarray]]) -> Feedback:
    r"""Check a student's ``step(w, v, grad_w, rho, eta)`` returning ``(w_new, v_new)``.

    The expected update is :math:`v' = \rho v - \nabla E(w)`, :math:`w' = w + \eta v'`. The
    feedback names the two usual slips: the homework's sign (:math:`w - \eta v'`, which climbs)
    and moving with the old velocity :math:`v` instead of :math:`v'`.
    """
    rng = np.random.default_rng(30)
    cases = [
        ("w = 1, v = 0, grad = 2, rho = 0.9, eta = 0.1",
         (np.array([1.0]), np.array([0.0]), np.array([2.0]), 0.9, 0.1)),
        ("a 3-D step with a non-zero velocity",
         (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), 0.7, 0.05)),
    ]

    def case(f, name, args):
        w, v, g, rho, eta = args
        got = _pair(f(w.copy(), v.copy(), g.copy(), rho, eta), "(w_new, v_new)")
        if isinstance(got, str):
            return got
        w_new, v_new = (
            result_array(x, shape=w.shape, what=f"for {name} the {part} you returned is")
            for x, part in zip(got, ("w_new", "v_new"), strict=True)
        )
        w_ok, v_ok = _step(w, v, g, rho, eta)
        if np.allclose(w_new, v_ok) and np.allclose(v_new, w_ok):
            return f"for {name} the pair is swapped: return (w_new, v_new), position first"
        if np.allclose(v_new, -v_ok):
            return (f"for {name} the velocity is rho * v + grad, PyTorch's buffer b = -v; in this "
                    "project the velocity collects minus the gradient, rho * v - grad")
        if not np.allclose(v_new, v_ok):
            return (f"for {name} the velocity is {np.round(v_new, 4)}, expected "
                    f"rho * v - grad = {np.round(v_ok, 4)}")
        if np.allclose(w_new, w - eta * v_ok):
            return (f"for {name} you move by -eta * v_new: that is the homework's sign, which "
                    "climbs the loss; the position moves along the velocity, w + eta * v_new")
        if np.allclose(w_new, w + eta * v) and not np.allclose(v, v_ok):
            return f"for {name} the position moved with the old velocity v; use the new one"
        if not np.allclose(w_new, w_ok):
            return (f"for {name} the position is {np.round(w_new, 4)}, expected "
                    f"{np.round(w_ok, 4)}")
        return None

    checks = [lambda f, name=name, args=args: case(f, name, args) for name, args in cases]
    return run_cases("check_momentum_step", fn, checks,
                     "correct: velocity first, then the position along the new velocity.")


_MAPPING_HINT = (
    "Remark 3: friction -c v removes c dt / m of the velocity per step, and rescaling the velocity "
    "by dt / m leaves dt twice and the mass once in the step eta."
)
_MAPPING_SOLUTION = r"""Newton's law with friction, stepped by semi-implicit Euler, is
$v_{t+1} = (1 - c\,\Delta t/m)\, v_t - \frac{\Delta t}{m} \nabla E(p_t)$ and
$p_{t+1} = p_t + \Delta t\, v_{t+1}$. With $v = \frac{\Delta t}{m} u$ this is momentum on $u$:

```python
def my_to_momentum(mass, friction, dt):
    rho = 1 - friction * dt / mass   # friction takes c dt / m of the velocity per step
    eta = dt**2 / mass               # dt from the position update, dt / m from the velocity
    return rho, eta
```
"""


@code_exercise(hint=_MAPPING_HINT, solution=_MAPPING_SOLUTION)
def check_physical_to_momentum(
    fn: Callable[[float, float, float], tuple[float, float]],
) -> Feedback:
    r"""Check a student's ``to_momentum(mass, friction, dt)`` returning ``(rho, eta)``.

    Expected :math:`\rho = 1 - c\,\Delta t/m` and :math:`\eta = \Delta t^2 / m`
    (:func:`tp3helpers.momentum.physical_to_momentum`); the feedback spots the step forgotten in
    :math:`\eta` and the mass forgotten in :math:`\rho`.
    """
    cases = [(1.0, 0.0, 1.0), (2.0, 0.5, 0.1), (0.5, 3.0, 0.05)]

    def case(f, m, c, h):
        name = f"m = {m}, c = {c}, dt = {h}"
        got = _pair(f(m, c, h), "(rho, eta)")
        if isinstance(got, str):
            return got
        rho, eta = (
            result_number(x, what=f"for {name} the {part} you returned is")
            for x, part in zip(got, ("rho", "eta"), strict=True)
        )
        rho_ok, eta_ok = physical_to_momentum(m, c, h)
        if not np.isclose(rho, rho_ok):
            hint = ""
            if np.isclose(rho, 1 - c * h):
                hint = " (divide the friction term by the mass)"
            elif np.isclose(rho, 1 / (1 + c * h / m)):
                hint = (" (that is the implicit friction of Remark 4; the box of Remark 3 takes "
                        "the friction at the old velocity)")
            return f"for {name} rho = {rho:.4g}, expected 1 - c dt / m = {rho_ok:.4g}{hint}"
        if not np.isclose(eta, eta_ok):
            hint = ""
            if np.isclose(eta, h / m):
                hint = " (the position gets dt * velocity, and the velocity already has dt / m)"
            elif np.isclose(eta, h * h):
                hint = " (divide by the mass: the same force moves a heavier ball less)"
            elif np.isclose(eta, -1.0):
                hint = " (eta = -1 is the homework's sign slip; eta is positive)"
            return f"for {name} eta = {eta:.4g}, expected dt^2 / m = {eta_ok:.4g}{hint}"
        return None

    checks = [lambda f, args=args: case(f, *args) for args in cases]
    return run_cases("check_physical_to_momentum", fn, checks,
                     "correct: friction sets rho below 1, and eta is dt squared over the mass.")


_RHO_25, _ETA_25 = 4.0 / 9.0, 25.0 / 9.0  # ((5 - 1)/(5 + 1))^2 and (2 / (0.2 + 1))^2

optimal_parameters_question = NumericQuestion(
    "the optimum for kappa = 25",
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
    hint="sqrt(kappa) = 5, sqrt(lambda_min) = 0.2 and sqrt(lambda_max) = 1; put them in the two "
         "formulas of the Theory section.",
    solution=r"""With $\lambda_{\min} = 0.04$ and $\lambda_{\max} = 1$: $\kappa = 25$,
$\sqrt\kappa = 5$, and

$$\rho^\star = \left(\frac{5 - 1}{5 + 1}\right)^2 = \frac49 \approx 0.444, \qquad
\eta^\star = \left(\frac{2}{\sqrt{0.04} + \sqrt{1}}\right)^2 = \left(\frac{2}{1.2}\right)^2
= \frac{25}{9} \approx 2.778.$$

The rate is $\sqrt{\rho^\star} = 2/3$, against $24/26 \approx 0.923$ for gradient descent. Check:
`optimal_parameters(0.04, 1.0)`.""",
)

_REGIME_LAMBDAS = [0.01, 1.0]
_REGIME_OPTIONS = {
    "a": "the steep direction (lambda = 1) has 1 + rho - eta lambda = -1.5 < 0: its dominant root "
         "is negative, so the error flips sign every step",
    "b": "the flat direction does shrink, but the steep one's roots are -0.5 and -1: a root of "
         "modulus exactly 1 never shrinks",
    "c": "the rate is r = {rate:.4f}: eta = 3 is exactly the edge 2(1 + rho)/lambda_max, where a "
         "simple root -1 makes the error flip sign forever at a constant size",
    "d": "divergence needs a root of modulus above 1 (or a double root on the unit circle); here "
         "the largest modulus is exactly 1 and the root -1 is simple",
}

regime_question = ChoiceQuestion(
    "the regime of (rho, eta) = (0.5, 3.0)",
    {
        key: (
            key == "c" and iteration_regime(0.5, 3.0, _REGIME_LAMBDAS) == BOUNDED,
            text.format(rate=convergence_rate(0.5, 3.0, _REGIME_LAMBDAS)),
        )
        for key, text in _REGIME_OPTIONS.items()
    },
    hint="The steep direction lambda = 1 decides: find the roots of "
         "mu^2 - (1 + rho - eta lambda) mu + rho for rho = 0.5, eta = 3, and their moduli.",
    solution=r"""For $\lambda = 1$: $\mu^2 - (1 + 0.5 - 3)\mu + 0.5 = \mu^2 + 1.5\mu + 0.5
= (\mu + 1)(\mu + 0.5)$, roots $-1$ and $-0.5$. The largest modulus is exactly 1 and the root is
simple, so the error along this direction flips sign every step at a constant size: **(c) bounded,
never converges**. (For $\lambda = 0.01$ both roots are inside the unit circle, but the slowest
direction sets the regime.) The dot sits exactly on the black line of the explorer's map,
$\eta = 2(1 + \rho)/\lambda_{\max}$.""",
)

leaky_step_question = NumericQuestion(
    "the effective step",
    0.002 / (1 - 0.95),
    rtol=1e-3,
    mistakes=[
        (0.002 * (1 - 0.95),
         "the weights add up to 1 + rho + rho^2 + ... = 1/(1 - rho): divide, do not multiply"),
        (0.002 / 0.95, "the geometric sum is 1/(1 - rho), not 1/rho"),
        (0.002, "that is the step of one gradient; the velocity adds up all the past ones"),
        (1 / (1 - 0.95), "1/(1 - rho) = 20 is the factor; the step is eta times it"),
    ],
    hint="The velocity is a sum of past gradients weighted 1, rho, rho^2, ...; on a constant "
         "gradient, what does that sum tend to?",
    solution=r"""On a gradient $g$ that barely changes, $v_t \to -g\,(1 + \rho + \rho^2 + \dots)
= -g/(1 - \rho)$, so each step is $-\frac{\eta}{1 - \rho}\, g$: plain gradient descent with step
$\eta/(1 - \rho) = 0.002 / 0.05 = 0.04$, twenty times $\eta$.""",
)
