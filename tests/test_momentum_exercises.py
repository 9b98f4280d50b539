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
    Quadratic,
    convergence_rate,
    iteration_regime,
    momentum_descent,
    nesterov_descent,
    optimal_parameters,
    physical_to_momentum,
    steps_to_tolerance,
    torch_sgd_momentum,
)


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in (step_exercise, mapping_exercise, optimum_exercise, regime_exercise,
                     critical_steps_exercise):
        exercise.reset()


def right_undo(w_new, v_new, grad, rho, eta):
    w = w_new - eta * v_new
    return w, (v_new + grad(w)) / rho


def forward_step(w, v, grad, rho, eta):
    """The fixed rule as the notebook writes it (Repair 1, Summary, the loop of Going deeper)."""
    v = rho * v - grad(w)
    return w + eta * v, v


def test_step_not_attempted():
    def stub(w_new, v_new, grad, rho, eta):
        raise NotImplementedError

    feedback = step_exercise.check(stub)
    assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)


def test_undo_right_answer_passes_and_takes_each_case_back_to_its_start():
    assert step_exercise.check(right_undo).passed
    for case in step_exercise.cases:
        w_new, v_new, grad, rho, eta = case.args
        w, v = right_undo(*case.args)
        np.testing.assert_allclose(forward_step(w, v, grad, rho, eta), (w_new, v_new),
                                   rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(right_undo(*step_exercise.cases[0].args), ([1.1], [2.4]))


def test_undo_the_old_transcription_is_one_more_step_forward():
    """The old statement printed the forward rule, which transcribed into its answer; that
    transcription now goes the wrong way, with its own message."""
    feedback = step_exercise.check(forward_step)
    assert feedback.status == "failed" and "one more step forward" in feedback.message


def test_undo_cannot_be_one_call_of_a_helper_or_of_the_visible_loop():
    """The imported runs start from rest and go forward: even with the step reversed they do not
    undo a step; the Going deeper loop returns a path, not the pair."""

    def reversed_run(w_new, v_new, grad, rho, eta):
        path, velocity = momentum_descent(grad, w_new, rho=rho, eta=-eta, steps=1,
                                          return_velocity=True)
        return path[-1], velocity[-1]

    def torch_run(w_new, v_new, grad, rho, eta):
        return torch_sgd_momentum(grad, w_new, lr=-eta, momentum=rho, steps=1)[-1], v_new

    def nesterov_run(w_new, v_new, grad, rho, eta):
        return nesterov_descent(grad, w_new, rho=rho, eta=-eta, steps=1)[-1], v_new

    for shortcut in (reversed_run, torch_run, nesterov_run):
        feedback = step_exercise.check(shortcut)
        assert feedback.status == "failed" and "position is" in feedback.message, shortcut

    def momentum_loop(grad, w, rho, eta, steps):  # the notebook's Going deeper loop, verbatim
        v, path = np.zeros_like(w), [w]
        for _ in range(steps):
            v = rho * v - grad(w)  # the velocity first
            w = w + eta * v  # then the position, along the new velocity
            path.append(w)
        return np.array(path)

    loop = step_exercise.check(lambda wn, vn, g, r, e: momentum_loop(g, wn, r, e, 1))
    assert "return the pair (w, v)" in loop.message
    pair = step_exercise.check(lambda wn, vn, g, r, e: tuple(momentum_loop(g, wn, r, e, 1)))
    assert pair.status == "failed" and "position is" in pair.message


@pytest.mark.parametrize(
    ("slip", "explanation"),
    [
        (lambda wn, vn, g, r, e: right_undo(wn, vn, g, r, e)[::-1], "swapped"),
        (lambda wn, vn, g, r, e: (wn + e * vn, (vn + g(wn + e * vn)) / r), "homework's"),
        (lambda wn, vn, g, r, e: (wn - e * vn, (vn + g(wn)) / r), "not at w'"),
        (lambda wn, vn, g, r, e: (wn - e * vn, vn + g(wn - e * vn)), "divide by it"),
        (lambda wn, vn, g, r, e: (wn - e * vn, r * (vn + g(wn - e * vn))), "do not multiply"),
        (lambda wn, vn, g, r, e: (wn - e * vn, (vn - g(wn - e * vn)) / r), "add it back"),
        (lambda wn, vn, g, r, e: (wn - e * vn, vn), "velocity is"),
        (lambda wn, vn, g, r, e: (wn, vn), "position is"),
    ],
)
def test_undo_names_each_slip(slip, explanation):
    feedback = step_exercise.check(slip)
    assert feedback.status == "failed" and explanation in feedback.message, feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_undo_wrong_return():
    assert "return the pair" in step_exercise.check(lambda wn, vn, g, r, e: wn).message


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
    feedback = step_exercise.check(lambda wn, vn, g, r, e: (wn, vn))
    assert feedback.status == "failed" and "Hint 1 of 2" in str(feedback)
    second = step_exercise.check(forward_step)
    assert "Hint 2 of 2" in str(second) and "Solve the position update" in str(second)
    assert "Hint" not in str(step_exercise.check(right_undo))
    assert "w = w_new - eta * v_new" in step_exercise.solution
    assert "(v_new + grad(w)) / rho" not in str(second)  # the solution is not in the feedback
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


# --- the rate 1 that grows: the double root -1 -------------------------------------------

LAMBDAS = [0.5, 2.0]


def errors_from_rest(rho, eta, steps):
    """|error| along each eigenvector of the axis-aligned bowl, from rest at (1, 1)."""
    bowl = Quadratic.from_eigenvalues(LAMBDAS)
    return np.abs(momentum_descent(bowl.grad, [1.0, 1.0], rho=rho, eta=eta, steps=steps))


def test_rate_one_right_answer_is_the_only_growing_setting_of_a_grid():
    assert regime_exercise.check((1, 2)).passed and regime_exercise.check([1.0, 2.0]).passed
    assert convergence_rate(1.0, 2.0, LAMBDAS) == pytest.approx(1.0, abs=1e-12)
    assert iteration_regime(1.0, 2.0, LAMBDAS) == DIVERGENT
    assert np.roots([1, -(1 + 1.0 - 2.0 * 2.0), 1.0]) == pytest.approx([-1.0, -1.0])
    steep = errors_from_rest(1.0, 2.0, 2000)[:, 1]
    assert steep == pytest.approx(1 + 2 * np.arange(2001))  # grows like t: 1 + 2t
    # every other setting of a grid with the rate 1 keeps the error bounded
    rho, eta = np.meshgrid(np.linspace(0, 1, 101), np.linspace(0.01, 4, 400), indexing="ij")
    on_circle = np.isclose(convergence_rate(rho, eta, LAMBDAS), 1.0, atol=1e-12)
    regimes = iteration_regime(rho[on_circle], eta[on_circle], LAMBDAS)
    growing = np.flatnonzero(regimes == DIVERGENT)
    assert on_circle.sum() > 100 and len(growing) == 1
    assert (rho[on_circle][growing[0]], eta[on_circle][growing[0]]) == pytest.approx((1.0, 2.0))


def test_rate_one_the_old_settings_shown_by_the_visible_cell_are_named_mistakes():
    """The old question gave two settings and asked what each does, which the Beyond-the-homework
    cell's runs answered; the settings a student can read off such runs now fail with a reason."""
    edge = errors_from_rest(0.5, 1.5, 2000)[:, 1]
    assert edge[-200:].max() == pytest.approx(edge[800:1000].max(), rel=1e-9)  # bounded
    assert iteration_regime(0.5, 1.5, LAMBDAS) == BOUNDED
    feedback = regime_exercise.check((0.5, 1.5))
    assert feedback.status == "failed" and "root -1 is simple" in feedback.message
    letter = regime_exercise.check("b")  # the old answer
    assert letter.status == "failed" and "expected an array of real numbers" in letter.message


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ((2, 1), "swapped"),
        ((1, 0), "the weights never move"),
        ((1, 8), "far beyond the edge"),
        ((0.5, 1.5), "root -1 is simple"),
        ((0.9, 1.9), "root -1 is simple"),
        ((1, 1), "each simple"),
        ((1, 1.5), "each simple"),
        ((1, 4), "rate is not 1"),
        ((0.5, 3.0), "rate is not 1"),
    ],
)
def test_rate_one_names_each_mistake(answer, explanation):
    feedback = regime_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message, feedback.message
    assert "Hint 1 of 2" in str(feedback)


def test_rate_one_named_mistakes_are_right_about_their_settings():
    assert convergence_rate(1.0, 8.0, LAMBDAS) > 1
    for rho, eta in [(0.5, 1.5), (0.9, 1.9), (1.0, 1.0), (1.0, 1.5)]:
        assert convergence_rate(rho, eta, LAMBDAS) == pytest.approx(1.0, abs=1e-12)
        assert iteration_regime(rho, eta, LAMBDAS) == BOUNDED
    for rho, eta in [(1.0, 4.0), (0.5, 3.0)]:
        assert not np.isclose(convergence_rate(rho, eta, LAMBDAS), 1.0)


def test_rate_one_not_attempted_hints_and_solution():
    assert regime_exercise.check(...).status == "not attempted"
    regime_exercise.check((1, 1))
    second = regime_exercise.check((0.5, 1.5))
    assert "Hint 2 of 2" in str(second) and "z^2 = rho" in str(second)
    assert "(1, 2)" not in str(second)
    assert "**$(\\rho, \\eta) = (1, 2)$**" in regime_exercise.solution
    assert "$201$ times" in regime_exercise.solution and "$3\\,|e_0|$" in regime_exercise.solution


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
