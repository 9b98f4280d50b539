"""The Question 3 checkers accept right answers and name the usual slips."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises.momentum import (
    leaky_step_exercise,
    mapping_exercise,
    optimum_exercise,
    regime_exercise,
    step_exercise,
)
from tp3helpers.momentum import (
    BOUNDED,
    Quadratic,
    iteration_regime,
    momentum_descent,
    optimal_parameters,
)


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in (step_exercise, mapping_exercise, optimum_exercise, regime_exercise,
                     leaky_step_exercise):
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


def test_mapping_checker():
    assert mapping_exercise.check(lambda m, c, h: (1 - c * h / m, h * h / m)).passed
    assert "divide the friction" in mapping_exercise.check(
        lambda m, c, h: (1 - c * h, h * h / m)).message
    assert "already has dt / m" in mapping_exercise.check(
        lambda m, c, h: (1 - c * h / m, h / m)).message
    assert "sign slip" in mapping_exercise.check(lambda m, c, h: (1 - c * h / m, -1.0)).message
    assert "implicit friction of Remark 4" in mapping_exercise.check(
        lambda m, c, h: (1 / (1 + c * h / m), h * h / (m + c * h))).message
    assert "divide by the mass" in mapping_exercise.check(
        lambda m, c, h: (1 - c * h / m, h * h)).message

    def stub(m, c, h):
        raise NotImplementedError

    assert mapping_exercise.check(stub).status == "not attempted"


# --- hints and solutions of the code exercises ----------------------------------------------


def test_code_exercises_hint_after_a_wrong_attempt_and_solution_on_demand():
    feedback = step_exercise.check(lambda w, v, g, r, e: (w, v))
    assert feedback.status == "failed" and "Hint 1 of 2" in str(feedback)
    assert "Hint" not in str(step_exercise.check(right_step))
    assert "w + eta * v_new" in step_exercise.solution
    assert "v_new = rho * v - grad_w" not in str(feedback)  # the solution is not in the feedback
    wrong = mapping_exercise.check(lambda m, c, h: (1 - c * h, h * h / m))
    assert "Hint 1 of 2" in str(wrong) and "dt**2 / mass" in mapping_exercise.solution


# --- the optimum for kappa = 25 ---------------------------------------------------------------


def test_optimum_question_right_answer_rounded_to_three_decimals():
    assert optimum_exercise.check((0.444, 2.778)).passed
    assert optimum_exercise.check(np.array([4 / 9, 25 / 9])).passed
    rho, eta = optimal_parameters(0.04, 1.0)  # the package agrees with the stored answer
    assert optimum_exercise.check((rho, eta)).passed


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ((2 / 3, 25 / 9), "is the rate r*"),
        ((4 / 9, 2 / 1.04), "best step of plain gradient descent"),
        ((4 / 9, 1 / 9), "eigenvalues in [1, 25]"),
        ((25 / 9, 4 / 9), "swapped"),
        (((24 / 26) ** 2, 25 / 9), "not kappa"),
        ((2 / 3, 5 / 3), "both formulas end with a square"),
        ((4 / 9, 5 / 3), "eta* is the square"),
        ((0.444, 2.0), "your rho* is right; eta* is not"),
        ((0.3, 2.778), "your eta* is right; rho* is not"),
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
    assert "0.444" not in str(optimum_exercise.check(...))
    assert "25}{9}" in optimum_exercise.solution


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


# --- the effective step -----------------------------------------------------------------------


def test_leaky_step_question():
    assert leaky_step_exercise.check(0.04).passed
    # measured: momentum on a constant gradient moves 0.04 per unit gradient in the long run
    line = momentum_descent(lambda w: np.ones(1), [0.0], rho=0.95, eta=0.002, steps=2000)
    assert leaky_step_exercise.check(-(line[-1] - line[-2])[0]).passed
    for answer, explanation in [(0.0001, "do not multiply"), (0.002 / 0.95, "not 1/rho"),
                                (0.002, "step of one gradient"), (20.0, "is the factor")]:
        feedback = leaky_step_exercise.check(answer)
        assert explanation in feedback.message and "Hint 1 of 2" in str(feedback)
    assert "0.04" in leaky_step_exercise.solution
    assert leaky_step_exercise.check(...).status == "not attempted"
