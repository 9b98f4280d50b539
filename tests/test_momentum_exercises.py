"""The Question 3 checkers accept right answers and name the usual slips."""

from __future__ import annotations

from tp3helpers.exercises.momentum import check_momentum_step, check_physical_to_momentum


def right_step(w, v, g, rho, eta):
    v = rho * v - g
    return w + eta * v, v


def test_step_not_attempted():
    def stub(w, v, g, rho, eta):
        raise NotImplementedError

    feedback = check_momentum_step(stub)
    assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)


def test_step_right_answer_passes():
    assert check_momentum_step(right_step).passed


def test_step_homework_sign_is_named():
    def homework(w, v, g, rho, eta):
        v = rho * v - g
        return w - eta * v, v

    feedback = check_momentum_step(homework)
    assert feedback.status == "failed" and "homework's sign" in feedback.message


def test_step_old_velocity_is_named():
    def old(w, v, g, rho, eta):
        return w + eta * v, rho * v - g

    assert "old velocity" in check_momentum_step(old).message


def test_step_wrong_velocity_and_wrong_return():
    assert "velocity is" in check_momentum_step(lambda w, v, g, r, e: (w, v + g)).message
    assert "return the pair" in check_momentum_step(lambda w, v, g, r, e: w).message


def test_mapping_checker():
    assert check_physical_to_momentum(lambda m, c, h: (1 - c * h / m, h * h / m)).passed
    assert "divide the friction" in check_physical_to_momentum(
        lambda m, c, h: (1 - c * h, h * h / m)).message
    assert "already has dt / m" in check_physical_to_momentum(
        lambda m, c, h: (1 - c * h / m, h / m)).message
    assert "sign slip" in check_physical_to_momentum(lambda m, c, h: (1 - c * h / m, -1.0)).message

    def stub(m, c, h):
        raise NotImplementedError

    assert check_physical_to_momentum(stub).status == "not attempted"
