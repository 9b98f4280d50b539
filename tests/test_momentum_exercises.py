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
    Quadratic,
    convergence_rate,
    iteration_regime,
    momentum_descent,
    optimal_parameters,
    physical_to_momentum,
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


# --- the optimum for eigenvalues in [0.25, 4] ------------------------------------------------


def test_optimum_question_right_answer_rounded_to_three_decimals():
    assert optimum_exercise.check((0.360, 0.640)).passed
    rho, eta = optimal_parameters(0.25, 4.0)  # the package agrees with the stored answer
    assert optimum_exercise.check((rho, eta)).passed
    # and the pair is optimal: no setting nearby has a smaller rate
    best = convergence_rate(rho, eta, [0.25, 4.0])
    grid = convergence_rate(np.linspace(0.2, 0.5, 61)[:, None], np.linspace(0.4, 0.9, 61),
                            [0.25, 4.0])
    assert best == pytest.approx(0.6) and grid.min() >= best - 1e-9


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ((0.6, 0.64), "is the rate r*"),
        ((0.36, 2 / 4.25), "best step of plain gradient descent"),
        ((0.36, 0.16), "eigenvalues in [1, 16]"),
        ((0.64, 0.36), "swapped"),
        (((15 / 17) ** 2, 0.64), "not kappa = 16"),
        ((0.6, 0.8), "both formulas end with a square"),
        ((0.36, 0.8), "eta* is the square"),
        ((0.360, 0.5), "your rho* is right; eta* is not"),
        ((0.3, 0.640), "your eta* is right; rho* is not"),
    ],
)
def test_optimum_question_names_each_mistake(answer, explanation):
    feedback = optimum_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_optimum_question_unknown_mistake_not_attempted_and_solution():
    feedback = optimum_exercise.check((0.5, 2.0))
    assert feedback.status == "failed" and "Hint 1 of 2" in str(feedback)
    assert optimum_exercise.check(...).status == "not attempted"
    assert "0.36" not in str(optimum_exercise.check(...))
    assert "= 0.64" in optimum_exercise.solution


# --- which regime -----------------------------------------------------------------------------


def test_regime_question_right_answer_matches_a_simulated_run():
    assert regime_exercise.check("c").passed and regime_exercise.check(" C ").passed
    assert iteration_regime(0.5, 3.0, [0.01, 1.0]) == BOUNDED
    # the run itself: the error neither shrinks nor grows
    bowl = Quadratic.from_eigenvalues([0.01, 1.0])
    path = momentum_descent(bowl.grad, [0.0, 1.0], rho=0.5, eta=3.0, steps=2000)
    assert np.abs(path[-200:, 1]).max() == pytest.approx(np.abs(path[800:1000, 1]).max(), rel=1e-6)


@pytest.mark.parametrize(
    ("choice", "explanation"),
    [("a", "dominant root is negative"), ("b", "never shrinks"), ("d", "modulus above 1")],
)
def test_regime_question_explains_each_wrong_option(choice, explanation):
    feedback = regime_exercise.check(choice)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_regime_question_bad_letter_and_solution():
    assert "one of" in regime_exercise.check("e").message
    assert regime_exercise.check(...).status == "not attempted"
    assert "(c) bounded" in regime_exercise.solution


# --- steps at critical damping ---------------------------------------------------------------


def test_critical_steps_answer_is_the_count_of_a_run():
    """The run itself: momentum at Polyak's optimum for [0.04, 1], error along lambda = 0.04."""
    rho, eta = optimal_parameters(0.04, 1.0)
    path = momentum_descent(lambda w: 0.04 * w, [1.0], rho=rho, eta=eta, steps=100)[:, 0]
    measured = steps_to_tolerance(np.abs(path), 1e-3)
    assert measured == 23 and critical_steps_exercise.check(measured).passed
    assert critical_steps_exercise.check(23.0).passed and critical_steps_exercise.check([23]).passed


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        (18, "from the rate r* = 2/3 alone"),
        (17, "is not a whole number of steps"),
        (27, "factor of the steepest direction"),
        (11, "not rho* = 4/9"),
        (9, "not rho* = 4/9"),
    ],
)
def test_critical_steps_names_each_mistake(answer, explanation):
    feedback = critical_steps_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_critical_steps_other_answers_not_attempted_and_solution():
    assert critical_steps_exercise.check(24).status == "failed"
    assert critical_steps_exercise.check(22).status == "failed"
    assert critical_steps_exercise.check(...).status == "not attempted"
    assert "**23 steps**" in critical_steps_exercise.solution
    assert "23" not in critical_steps_exercise.statement
