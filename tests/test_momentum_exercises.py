"""The Question 3 checkers accept right answers and name the usual slips."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises.momentum import (
    critical_steps_exercise,
    mapping_exercise,
    optimum_exercise,
    regime_exercise,
    step_exercise,
)
from tp3helpers.momentum import (
    BOUNDED,
    DIVERGENT,
    REAL_NEGATIVE,
    Quadratic,
    convergence_rate,
    iteration_regime,
    momentum_descent,
    optimal_parameters,
    physical_to_momentum,
    root_kind,
    steps_to_tolerance,
)


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in (step_exercise, mapping_exercise, optimum_exercise, regime_exercise,
                     critical_steps_exercise):
        exercise.reset()


def right_step(w, v, g, rho, eta):
    v = rho * v - g
    return w + eta * v, v


def test_step_not_attempted():
    def stub(w, v, g, rho, eta):
        raise NotImplementedError

    feedback = step_exercise.check(stub)
    assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)


def test_step_right_answer_passes():
    assert step_exercise.check(right_step).passed


def test_step_homework_sign_is_named():
    def homework(w, v, g, rho, eta):
        v = rho * v - g
        return w - eta * v, v

    feedback = step_exercise.check(homework)
    assert feedback.status == "failed" and "homework's sign" in feedback.message


def test_step_old_velocity_is_named():
    def old(w, v, g, rho, eta):
        return w + eta * v, rho * v - g

    assert "old velocity" in step_exercise.check(old).message


def test_step_swapped_pair_and_pytorch_buffer_are_named():
    assert "swapped" in step_exercise.check(lambda w, v, g, r, e: right_step(w, v, g, r, e)[::-1]
                                            ).message

    def pytorch(w, v, g, rho, eta):
        b = rho * v + g
        return w - eta * b, b

    assert "PyTorch's buffer" in step_exercise.check(pytorch).message


def test_step_wrong_velocity_and_wrong_return():
    assert "velocity is" in step_exercise.check(lambda w, v, g, r, e: (w, v + g)).message
    assert "return the pair" in step_exercise.check(lambda w, v, g, r, e: w).message


def right_ball(rho, eta, mass):
    dt = np.sqrt(eta * mass)
    return (1 - rho) * mass / dt, dt


def test_mapping_checker_inverts_the_box_and_names_each_slip():
    assert mapping_exercise.check(right_ball).passed
    # the answer goes back to the same (rho, eta) through the box, for the three cases
    for rho, eta, mass in [(0.9, 0.01, 1.0), (0.5, 0.04, 2.0), (1.0, 0.25, 4.0)]:
        friction, dt = right_ball(rho, eta, mass)
        assert physical_to_momentum(mass, friction, dt) == pytest.approx((rho, eta))
    slips = {
        "swapped": lambda r, e, m: right_ball(r, e, m)[::-1],
        "take the square root": lambda r, e, m: (right_ball(r, e, m)[0], e * m),
        "multiply by the mass before": lambda r, e, m: (right_ball(r, e, m)[0], np.sqrt(e / m)),
        "the mass multiplies": lambda r, e, m: ((1 - r) / np.sqrt(e * m), np.sqrt(e * m)),
        "divide 1 - rho by dt": lambda r, e, m: ((1 - r) * np.sqrt(e * m) / m, np.sqrt(e * m)),
        "1 - rho, not rho": lambda r, e, m: (r * m / np.sqrt(e * m), np.sqrt(e * m)),
    }
    for words, slip in slips.items():
        feedback = mapping_exercise.check(slip)
        assert feedback.status == "failed" and words in feedback.message, (words, feedback)
    assert "the mass is in eta" in mapping_exercise.check(
        lambda r, e, m: ((1 - r) * m / np.sqrt(e), np.sqrt(e))).message

    def stub(rho, eta, mass):
        raise NotImplementedError

    assert mapping_exercise.check(stub).status == "not attempted"


# --- hints and solutions of the code exercises ----------------------------------------------


def test_code_exercises_hint_after_a_wrong_attempt_and_solution_on_demand():
    feedback = step_exercise.check(lambda w, v, g, r, e: (w, v))
    assert feedback.status == "failed" and "Hint 1 of 2" in str(feedback)
    assert "Hint" not in str(step_exercise.check(right_step))
    assert "w + eta * v_new" in step_exercise.solution
    assert "v_new = rho * v - grad_w" not in str(feedback)  # the solution is not in the feedback
    wrong = mapping_exercise.check(lambda r, e, m: (0.0, e * m))
    assert "Hint 1 of 2" in str(wrong) and "np.sqrt(eta * mass)" in mapping_exercise.solution


# --- the spectrum behind Polyak's pair (0.36, 0.64) -----------------------------------------


def test_optimum_question_right_answer_gives_back_the_stated_pair():
    assert optimum_exercise.check((0.25, 4.0)).passed
    assert optimum_exercise.check([0.2502, 3.995]).passed  # three decimals
    assert "(0.36, 0.64)" in optimum_exercise.statement
    rho, eta = optimal_parameters(0.25, 4.0)  # forwards: the stated pair comes from this range
    assert (rho, eta) == pytest.approx((0.36, 0.64), rel=1e-12)
    # backwards: the ends' double roots +-sqrt(rho) give eta lambda = (1 -+ sqrt(rho))^2
    assert [(1 - np.sqrt(rho)) ** 2 / eta, (1 + np.sqrt(rho)) ** 2 / eta] == pytest.approx(
        [0.25, 4.0])
    for lam, z in [(0.25, 0.6), (4.0, -0.6)]:  # a double root at each end (split by rounding,
        # about sqrt(1e-16) = 1e-8 for a double root)
        assert np.roots([1, -(1 + rho - eta * lam), rho]) == pytest.approx([z, z], abs=1e-6)


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ((0.36, 0.64), "the pair you were given"),
        ((0.5, 2.0), "square them"),
        ((4.0, 0.25), "swapped"),
        ((0.64, 2.89), "not +-rho*"),
        ((0.16, 2.56), "divide by eta*"),
        ((0.1024, 1.6384), "do not multiply"),
        ((0.2, 3.2), "not by its square root"),
        ((0.0625, 1.0), "lambda_max is not 1"),
        ((0.25, 5.0), "your lambda_min is right; lambda_max is not"),
        ((0.3, 4.0), "your lambda_max is right; lambda_min is not"),
    ],
)
def test_optimum_question_names_each_mistake(answer, explanation):
    feedback = optimum_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_optimum_question_unknown_mistake_not_attempted_and_solution():
    feedback = optimum_exercise.check((1.0, 2.0))
    assert feedback.status == "failed" and "Hint 1 of 2" in str(feedback)
    second = optimum_exercise.check((1.0, 3.0))
    assert "Hint 2 of 2" in str(second) and "z = +0.6" in str(second)
    assert optimum_exercise.check(...).status == "not attempted"
    assert "0.25" not in str(optimum_exercise.check(...))
    assert "= 0.25" in optimum_exercise.solution and "= 4." in optimum_exercise.solution


# --- two settings with the rate 1 -----------------------------------------------------------

SETTINGS = {"A": (0.5, 1.5), "B": (1.0, 2.0)}


def test_regime_question_helpers_cannot_tell_the_settings_apart():
    """What the old question let a helper answer: here the rate and the root kind are the same
    for both settings, so only the roots' multiplicity decides."""
    for rho, eta in SETTINGS.values():
        assert convergence_rate(rho, eta, [0.5, 2.0]) == pytest.approx(1.0, abs=1e-12)
    assert root_kind(0.5, 1.5 * 2.0) == root_kind(1.0, 2.0 * 2.0) == REAL_NEGATIVE
    assert np.sort(np.roots([1, -(1 + 0.5 - 3.0), 0.5])) == pytest.approx([-1.0, -0.5])
    assert np.roots([1, -(1 + 1.0 - 4.0), 1.0]) == pytest.approx([-1.0, -1.0])


def test_regime_question_right_answer_matches_simulated_runs():
    assert regime_exercise.check("b").passed and regime_exercise.check(" B ").passed
    assert iteration_regime(*SETTINGS["A"], [0.5, 2.0]) == BOUNDED
    assert iteration_regime(*SETTINGS["B"], [0.5, 2.0]) == DIVERGENT
    bowl = Quadratic.from_eigenvalues([0.5, 2.0])  # axis-aligned: the second entry is lambda = 2
    runs = {name: momentum_descent(bowl.grad, [1.0, 1.0], rho=rho, eta=eta, steps=2000)
            for name, (rho, eta) in SETTINGS.items()}
    a, b = np.abs(runs["A"]), np.abs(runs["B"])
    assert a[-200:, 1].max() == pytest.approx(a[800:1000, 1].max(), rel=1e-9)  # constant size
    assert a[-1, 1] == pytest.approx(3.0)
    assert b[:, 1] == pytest.approx(1 + 2 * np.arange(2001))  # grows like t: 1 + 2t
    assert b[:, 0].max() < 2.0  # the flat direction stays bounded


@pytest.mark.parametrize(
    ("choice", "explanation"),
    [("a", "double root -1"), ("c", "the other way round"), ("d", "does not make it grow")],
)
def test_regime_question_explains_each_wrong_option(choice, explanation):
    feedback = regime_exercise.check(choice)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_regime_question_bad_letter_hints_and_solution():
    assert "one of" in regime_exercise.check("e").message
    assert regime_exercise.check(...).status == "not attempted"
    regime_exercise.check("a")
    assert "eta lambda = 3 for A and 4 for B" in str(regime_exercise.check("d"))
    assert "**(b)**" in regime_exercise.solution and "201" in regime_exercise.solution


# --- a push at the minimum: the double root from e_0 = 0 ------------------------------------


def pushed_run(steps=60):
    """A momentum loop started at the minimum with a velocity, lambda = 0.04, Polyak's pair for
    [0.04, 1]; the error relative to |e_1|."""
    rho, eta = optimal_parameters(0.04, 1.0)
    w, v, path = 0.0, 1.0, [0.0]
    for _ in range(steps):
        v = rho * v - 0.04 * w
        w = w + eta * v
        path.append(w)
    return np.abs(path) / abs(path[1])


def test_pushed_answer_is_the_count_of_a_run_and_of_the_closed_form():
    sizes = pushed_run()
    measured = 1 + int(np.flatnonzero(sizes[1:] <= 1e-3)[0])
    t = np.arange(61)
    assert sizes == pytest.approx(t * (2 / 3) ** (t - 1.0), rel=1e-9)  # e_t = t z^(t-1) e_1
    assert measured == 27 and critical_steps_exercise.check(measured).passed
    assert critical_steps_exercise.check(27.0).passed and critical_steps_exercise.check([27]).passed


def test_pushed_question_is_not_the_visible_count_from_rest():
    """The notebook's steps-to-tolerance cell counts from rest; its formula now gives a named
    wrong answer."""
    r, t = 2 / 3, np.arange(200)
    from_rest = steps_to_tolerance((1 + (1 - r) * t) * r**t, 1e-3)
    assert from_rest == 23
    assert "count from rest" in critical_steps_exercise.check(from_rest).message


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        (23, "count from rest"),
        (19, "from the rate r* = 2/3 alone"),
        (18, "from the rate r* = 2/3 alone"),
        (25, "divides e_1 by the root"),
        (26, "the push's first step included"),
        (13, "not rho*"),
    ],
)
def test_pushed_question_names_each_mistake(answer, explanation):
    feedback = critical_steps_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_pushed_question_other_answers_not_attempted_hints_and_solution():
    assert critical_steps_exercise.check(28).status == "failed"
    second = critical_steps_exercise.check(24)
    assert second.status == "failed" and "Hint 2 of 2" in str(second)
    assert "t (2/3)^(t-1) <= 0.001" in str(second)
    assert critical_steps_exercise.check(...).status == "not attempted"
    assert "**27 steps**" in critical_steps_exercise.solution
    assert "27" not in critical_steps_exercise.statement
