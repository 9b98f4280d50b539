"""Checkers for the Question 3 exercises: one momentum step, and the ball's (rho, eta)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..momentum import physical_to_momentum
from ._feedback import Feedback, result_array, result_number, run_cases

__all__ = ["check_momentum_step", "check_physical_to_momentum"]


def _step(w, v, g, rho, eta):
    v_new = rho * v - g
    return w + eta * v_new, v_new


def _pair(result: object, what: str) -> tuple[object, object] | str:
    if not isinstance(result, tuple | list) or len(result) != 2:
        return f"return the pair {what}, got {result!r}"
    return result[0], result[1]


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
            hint = " (divide the friction term by the mass)" if np.isclose(rho, 1 - c * h) else ""
            return f"for {name} rho = {rho:.4g}, expected 1 - c dt / m = {rho_ok:.4g}{hint}"
        if not np.isclose(eta, eta_ok):
            hint = ""
            if np.isclose(eta, h / m):
                hint = " (the position gets dt * velocity, and the velocity already has dt / m)"
            elif np.isclose(eta, -1.0):
                hint = " (eta = -1 is the homework's sign slip; eta is positive)"
            return f"for {name} eta = {eta:.4g}, expected dt^2 / m = {eta_ok:.4g}{hint}"
        return None

    checks = [lambda f, args=args: case(f, *args) for args in cases]
    return run_cases("check_physical_to_momentum", fn, checks,
                     "correct: friction sets rho below 1, and eta is dt squared over the mass.")
