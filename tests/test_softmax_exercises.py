"""Notebook 1's exercises: right answers pass, each typical slip gets its own feedback."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.exercises.softmax import (
    BATCH_COUNTS,
    BATCH_LABELS,
    bias_exercise,
    curvature_exercise,
    log_softmax_exercise,
    sharp_temperature_exercise,
    temperature_gradient_exercise,
)
from tp3helpers.gradcheck import numerical_gradient
from tp3helpers.softmax import cross_entropy, cross_entropy_grad, log_softmax, one_hot, softmax

EXERCISES = [log_softmax_exercise, temperature_gradient_exercise, bias_exercise,
             sharp_temperature_exercise, curvature_exercise]


@pytest.fixture(autouse=True)
def _fresh_ladders():
    for exercise in EXERCISES:
        exercise.reset()


def stub(*args):
    raise NotImplementedError


def test_stub_is_not_attempted():
    for exercise in (log_softmax_exercise, temperature_gradient_exercise):
        feedback = exercise.check(stub)
        assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)
        assert not feedback


# --- writing code: log-softmax ---------------------------------------------------------------


def test_log_softmax_right_answer_passes():
    assert log_softmax_exercise.check(log_softmax).passed


def test_naive_log_sum_exp_fails_on_overflow():
    feedback = log_softmax_exercise.check(lambda a: a - np.log(np.exp(a).sum()))
    assert feedback.status == "failed"
    assert feedback.message.startswith("for a = [1000, 1000, 999] your function raised a warning")
    assert feedback.message.endswith("exp(1000) overflows float64")


def test_the_log_of_the_package_softmax_is_not_an_answer():
    """The helper the notebook imports gives probabilities; their log fails where y underflows."""
    feedback = log_softmax_exercise.check(lambda a: np.log(softmax(a)))
    assert feedback.message.startswith("for a = [0, -1000] your function raised a warning")
    assert "divide by zero" in feedback.message and "the log of a probability gives -inf" in (
        feedback.message)


def test_shifting_by_the_minimum_or_the_mean_is_caught():
    def by_minimum(a):
        shifted = a - a.min()
        return shifted - np.log(np.exp(shifted).sum())

    def by_mean(a):
        shifted = a - a.mean()
        return shifted - np.log(np.exp(shifted).sum())

    feedback = log_softmax_exercise.check(by_minimum)
    assert feedback.message.startswith("for a = [0, -1000] your function raised a warning "
                                       "(RuntimeWarning: overflow")
    assert "the largest logit as the shift" in feedback.message
    feedback = log_softmax_exercise.check(by_mean)
    assert feedback.message.startswith("for a = [0, -inf, 1] your function raised a warning")
    assert "gives -inf - (-inf) = NaN there" in feedback.message


def test_a_wrong_log_softmax_is_shown_beside_the_right_one():
    feedback = log_softmax_exercise.check(lambda a: a - a.max())  # the normaliser forgotten
    assert feedback.message.startswith("for a = [1, 2, 3] you return [-2. -1.  0.], expected")


# --- writing code: the derivative with respect to the temperature ----------------------------


def right_temperature_grad(logits, labels, tau):
    y, t = softmax(logits / tau, axis=1), one_hot(labels, logits.shape[1])
    return -np.sum((y - t) * logits) / tau**2


def test_the_temperature_derivative_is_right():
    """The formula of the solution against finite differences, independently of the checker."""
    rng = np.random.default_rng(0)
    logits, labels = 3.0 * rng.normal(size=(7, 5)), rng.integers(0, 5, size=7)
    for tau in (0.3, 1.0, 4.0):
        measured = numerical_gradient(lambda t: cross_entropy(logits / t[0], labels),
                                      np.array([tau]))[0]
        assert right_temperature_grad(logits, labels, tau) == pytest.approx(measured, rel=1e-7)
    assert temperature_gradient_exercise.check(right_temperature_grad).passed


@pytest.mark.parametrize(
    ("wrong", "case", "explanation"),
    [
        (lambda a, c, tau: -right_temperature_grad(a, c, tau), "tau = 1", "the sign is wrong"),
        (lambda a, c, tau: right_temperature_grad(a, c, tau) * tau**2, "tau = 0.5",
         "the factor 1/tau^2 is missing"),
        (lambda a, c, tau: right_temperature_grad(a, c, tau) * tau, "tau = 0.5",
         "the power of tau is wrong"),
        (lambda a, c, tau: -np.sum((softmax(a, axis=1) - one_hot(c, a.shape[1])) * a) / tau**2,
         "tau = 0.5", "ignore the temperature"),
        (lambda a, c, tau: right_temperature_grad(a, c, tau) / len(c), "tau = 1",
         "mean over the samples"),
        (lambda a, c, tau: right_temperature_grad(a, c, tau) + 1.0, "tau = 1",
         "finite differences of E_D(tau) give"),
    ],
)
def test_each_temperature_slip_gets_its_own_feedback(wrong, case, explanation):
    feedback = temperature_gradient_exercise.check(wrong)
    assert feedback.status == "failed" and explanation in feedback.message, feedback.message
    assert case in feedback.message


def test_a_naive_softmax_fails_on_the_large_logits():
    def naive(logits, labels, tau):
        e = np.exp(logits / tau)
        y = e / e.sum(axis=1, keepdims=True)
        return -np.sum((y - one_hot(labels, logits.shape[1])) * logits) / tau**2

    feedback = temperature_gradient_exercise.check(naive)
    assert feedback.message.startswith("for logits up to 2000 in size at tau = 2 your function "
                                       "raised a warning")
    assert feedback.message.endswith("exp(997) overflows float64: use a stable softmax")


def test_a_temperature_derivative_of_the_wrong_kind_is_described():
    feedback = temperature_gradient_exercise.check(lambda a, c, tau: np.zeros(3))
    assert "an array of shape (3,); expected a real number" in feedback.message


def test_not_a_function():
    assert log_softmax_exercise.check(3).status == "failed"


def test_code_exercises_hints_lead_the_way():
    naive = lambda a: a - np.log(np.exp(a).sum())  # noqa: E731
    first = log_softmax_exercise.check(naive)
    assert "Hint 1 of 2: Step 1 of the Theory" in str(first)
    assert "a.max()" not in str(first)  # the step comes with the second wrong attempt
    assert "Hint 2 of 2: Take m = a.max()" in str(log_softmax_exercise.check(naive))
    wrong = temperature_gradient_exercise.check(lambda a, c, tau: 0.0)
    assert "Hint 1 of 2: E_D depends on tau only through the scaled logits" in str(wrong)
    assert "-a_kn / tau^2" not in str(wrong)


def _run_solution(exercise, name):
    """Execute the code block of a worked solution and return the function it defines."""
    block = exercise.solution.split("```python\n")[1].split("```")[0]
    namespace = {"np": np, "softmax": softmax}
    exec(block, namespace)  # the project's own solution text
    return namespace[name]


def test_the_worked_solutions_pass_their_own_checkers():
    assert log_softmax_exercise.check(_run_solution(log_softmax_exercise, "my_log_softmax")).passed
    solution = _run_solution(temperature_gradient_exercise, "my_temperature_grad")
    assert temperature_gradient_exercise.check(solution).passed


def test_a_student_result_of_the_wrong_kind_is_described():
    feedback = log_softmax_exercise.check(lambda a: "probabilities")
    assert "returned 'probabilities' (a str)" in feedback.message
    assert "expected an array of shape (3,)" in feedback.message
    feedback = temperature_gradient_exercise.check(lambda a, c, tau: 1j)
    assert "complex" in feedback.message and "raised" not in feedback.message


# --- the numeric exercise: the gradient with respect to a shared bias -------------------------

BATCH_LOGITS = np.log(np.array(BATCH_COUNTS, dtype=float))
# By hand: y = (1/3, 1/3, 1/3), (1/2, 1/4, 1/4), (1/8, 1/8, 3/4); targets 0, 2, 2.
BY_HAND = np.array([1 / 3 + 1 / 2 + 1 / 8 - 1, 1 / 3 + 1 / 4 + 1 / 8, 1 / 3 + 1 / 4 + 3 / 4 - 2])


def test_the_bias_exercise_states_its_batch():
    assert BATCH_LABELS == [0, 2, 2]
    assert "np.log(np.array([[1, 1, 1], [2, 1, 1], [1, 1, 6]]))" in bias_exercise.statement
    assert "labels = np.array([0, 2, 2])" in bias_exercise.statement


def test_bias_exercise_right_answer():
    assert bias_exercise.check(BY_HAND).passed
    assert bias_exercise.check(BY_HAND.round(4)).passed
    assert bias_exercise.check(BY_HAND.round(3)).passed  # three decimals are enough
    assert bias_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        (-BY_HAND, "prediction minus target"),
        (softmax(BATCH_LOGITS, axis=1) - np.eye(3)[BATCH_LABELS], "one row per sample"),
        (BY_HAND / 3, "mean over the samples"),
        (softmax(BATCH_LOGITS, axis=1).sum(axis=0), "targets are missing"),
        (softmax(BATCH_LOGITS, axis=1).sum(axis=0) - np.eye(3)[2], "dropped sum"),
        ([0.0, 0.0, 0.0], "sums to over the classes"),
        ((softmax(BATCH_LOGITS, axis=0) - np.eye(3)[BATCH_LABELS]).sum(axis=0), "over the samples"),
        (BY_HAND.round(2), "rounded too much"),
    ],
)
def test_bias_exercise_each_slip_gets_its_own_feedback(answer, explanation):
    feedback = bias_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message
    assert "Hint 1 of 2: The bias is added to every sample's logits" in str(feedback)


def test_bias_exercise_other_wrong_answers():
    assert bias_exercise.check([1.0, 2.0, -3.0]).message.endswith("is not right.")
    assert "expected shape (3,)" in bias_exercise.check([0.1, -0.1]).message
    assert "(a str)" in bias_exercise.check("[-0.04, 0.71, -0.67]").message


def test_bias_exercise_solution_only_on_demand():
    assert "-0.0417" not in repr(bias_exercise)
    assert "-0.0417" not in str(bias_exercise.check([0.0, 0.0, 0.0]))
    assert "[-0.0417  0.7083 -0.6667]" in bias_exercise.solution


# --- the multiple choice: where one sample's loss curves most -------------------------------


def _largest_eigenvalue(y):
    y = np.asarray(y, dtype=float)
    return np.linalg.eigvalsh(np.diag(y) - np.outer(y, y)).max()


def test_curvature_exercise_right_answer_is_the_largest_eigenvalue():
    options = {"a": [1, 0, 0, 0], "b": [0.25] * 4, "c": [0.5, 0.5, 0, 0]}
    best = max(options, key=lambda key: _largest_eigenvalue(options[key]))
    assert best == "c" and np.isclose(_largest_eigenvalue(options["c"]), 0.5)
    assert curvature_exercise.check(best).passed


@pytest.mark.parametrize(
    ("choice", "explanation"), [("a", "zero matrix"), ("b", "1/4"), ("d", "depends on y")]
)
def test_curvature_exercise_each_wrong_option_explained(choice, explanation):
    feedback = curvature_exercise.check(choice)
    assert feedback.status == "failed" and explanation in feedback.message
    assert feedback.hints and "Hint 1 of 2" in str(feedback)


def test_curvature_exercise_bad_input_and_solution():
    assert curvature_exercise.check(...).status == "not attempted"
    assert "one of 'a', 'b', 'c', 'd'" in curvature_exercise.check("e").message
    assert "**(c)**" in curvature_exercise.solution


# --- predicting a value for a setting the notebook never shows: tau = 0.05 -------------------


def measured_largest(target, tau=0.05):
    """The explorer's first logits at tau: the package's gradient with respect to a / tau, times
    1/tau (finite differences cannot resolve entries of 4e-8 next to a loss of about 2e-9)."""
    a = np.array([2.0, 1.0, 0.0, -1.0])
    return np.abs(cross_entropy_grad(a[None, :] / tau, [target])).max() / tau


def test_sharp_temperature_right_answer():
    assert sharp_temperature_exercise.check([measured_largest(0), measured_largest(3)]).passed
    assert sharp_temperature_exercise.check([np.exp(-20) / 0.05, 20.0]).passed
    assert sharp_temperature_exercise.check([4.12e-8, 20]).passed
    assert sharp_temperature_exercise.check(...).status == "not attempted"


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ([0.0, 20.0], "tiny but not 0"),
        ([20.0, 20.0], "grows like 1/tau only for a wrong prediction"),
        ([np.exp(-20), 1.0], "the factor 1/tau"),
        ([4.54e-4, 20.0], "the value at tau = 0.1"),
        ([np.exp(-40) / 0.05, 20.0], "the margin that counts"),
        ([4.12e-8, 10.0], "1/tau = 20"),
        (4.12e-8, "give two numbers"),
        ([5e-8, 20.0], "is not right."),
    ],
)
def test_sharp_temperature_each_slip_gets_its_own_feedback(answer, explanation):
    feedback = sharp_temperature_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message, feedback.message
    assert "Hint 1 of 2: Two regimes, as in Explore" in str(feedback)


def test_sharp_temperature_is_a_setting_the_notebook_never_shows():
    """The explorer's temperature slider stops at 0.1, where the notebook prints its values."""
    from tp3helpers.explorers import softmax_explorer

    explorer = softmax_explorer()
    assert explorer.controls["temperature"].min == -1  # 10^-1 = 0.1
    explorer.close()
    assert "[4.12e-8, 20.0]" in sharp_temperature_exercise.solution
