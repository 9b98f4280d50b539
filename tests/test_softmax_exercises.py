"""Notebook 1's exercises: right answers pass, each typical slip gets its own feedback."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import log_softmax as scipy_log_softmax
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression

from tp3helpers.exercises.softmax import (
    BIAS_COUNTS,
    BIAS_SMOOTHING,
    EXACT_TO_ROUNDING,
    FLAT_TAU,
    bias_exercise,
    curvature_exercise,
    log_softmax_exercise,
    sharp_temperature_exercise,
    temperature_gradient_exercise,
)
from tp3helpers.gradcheck import numerical_gradient
from tp3helpers.momentum import gradient_descent
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


def own_log_softmax(a):
    shifted = a - a.max()
    return shifted - np.log(np.exp(shifted).sum())


def test_log_softmax_right_answer_passes():
    assert log_softmax_exercise.check(own_log_softmax).passed


def test_the_expected_log_probabilities_are_step_one():
    """The checker's reference against the package's log_softmax on its domain, and SciPy's on
    every case (the last is beyond the package's domain)."""
    from tp3helpers.exercises.softmax import _step_one

    for case in log_softmax_exercise.cases:
        (a,) = case.args
        np.testing.assert_allclose(_step_one(a), scipy_log_softmax(a), rtol=1e-13, atol=1e-12)
        if np.abs(a[np.isfinite(a)]).max() <= 1e150:
            np.testing.assert_allclose(_step_one(a), log_softmax(a), rtol=1e-13, atol=1e-12)
    np.testing.assert_array_equal(_step_one(np.array([1e300, 0.0, -1e300])), [0.0, -1e300, -2e300])


def _one_class_at_a_time(a):
    """The shortcut through cross_entropy: one sample with label k has the loss -ln y_k."""
    return -np.array([cross_entropy(a[None, :], [k]) for k in range(a.size)])


def _through_a_default_argument(a, ce=cross_entropy):
    """The shortcut that escaped the old design, which rebound names in the notebook only."""
    return -np.array([ce(a[None, :], [k]) for k in range(a.size)])


@pytest.mark.parametrize("helper", [_one_class_at_a_time, _through_a_default_argument,
                                    log_softmax, lambda a: np.log(softmax(a))])
def test_the_package_helpers_refuse_the_last_case(helper):
    """Every way through the package's helpers passes the cases in their domain, or fails them,
    and is refused at logits of 1e300 with its own message."""
    feedback = log_softmax_exercise.check(helper)
    assert feedback.status == "failed"
    if feedback.message.startswith("for a = [1e300, 0, -1e300]"):
        assert "raised ValueError" in feedback.message and "beyond the domain" in feedback.message
        assert feedback.message.endswith("the package's helpers refuse logits beyond their domain "
                                         "(at most 1e150 in size); NumPy alone handles them: "
                                         "shifted by the largest logit, ln y is (0, -1e300, "
                                         "-2e300) exactly")
    else:
        assert feedback.message.startswith("for a = [0, -1000]")


def test_the_helpers_imported_by_the_notebook_fail():
    """The notebook imports SciPy's softmax and scikit-learn's log_loss too: both fail where a
    probability underflows (log_loss clips it, and its log is -36, not -1000)."""
    from scipy.special import softmax as scipy_softmax
    from sklearn.metrics import log_loss

    feedback = log_softmax_exercise.check(lambda a: np.log(scipy_softmax(a)))
    assert feedback.message.startswith("for a = [0, -1000] your function raised a warning")

    def clipped(a):
        y = softmax(a)
        return -np.array([log_loss([k], [y], labels=range(a.size)) for k in range(a.size)])

    feedback = log_softmax_exercise.check(clipped)
    assert feedback.message.startswith("for a = [0, -1000] you return [ -0.     -36.0437]")
    assert "or a library clips it (log_loss to 2.2e-16, whose log is -36)" in feedback.message


def test_scipy_log_softmax_is_not_a_helper_of_the_notebook():
    """SciPy's log_softmax, which the notebook does not import, computes the same: it passes."""
    assert log_softmax_exercise.check(scipy_log_softmax).passed
    assert log_softmax_exercise.check(lambda a: a - logsumexp(a)).passed


def test_naive_log_sum_exp_fails_on_overflow():
    feedback = log_softmax_exercise.check(lambda a: a - np.log(np.exp(a).sum()))
    assert feedback.status == "failed"
    assert feedback.message.startswith("for a = [1000, 1000, 999] your function raised a warning")
    assert feedback.message.endswith("exp(1000) overflows float64")


def test_the_log_of_the_package_softmax_is_not_an_answer():
    """The helper the notebook imports gives probabilities; their log fails where y underflows."""
    feedback = log_softmax_exercise.check(lambda a: np.log(softmax(a)))
    assert feedback.message.startswith("for a = [0, -1000] your function raised a warning")
    assert "divide by zero" in feedback.message and "it becomes 0, whose log is -inf" in (
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
         "the derivative is -6.72887"),
    ],
)
def test_each_temperature_slip_gets_its_own_feedback(wrong, case, explanation):
    feedback = temperature_gradient_exercise.check(wrong)
    assert feedback.status == "failed" and explanation in feedback.message, feedback.message
    assert case in feedback.message


@pytest.mark.parametrize("eps", [1e-4, 1e-5, 1e-6, 1e-7, 1e-8])
def test_finite_differences_are_not_an_answer(eps):
    """The old shortcut: the notebook's numerical_gradient on its cross_entropy, at any step."""
    def measured(logits, labels, tau):
        return numerical_gradient(lambda t: cross_entropy(logits / t[0], labels),
                                  np.array([tau]), eps=eps)[0]

    feedback = temperature_gradient_exercise.check(measured)
    assert feedback.status == "failed"
    assert "digits only, as finite differences do" in feedback.message, feedback.message


def test_richardson_extrapolation_is_not_an_answer():
    """The referee's shortcut: one Richardson extrapolation of central differences of
    cross_entropy passes the first three cases; at tau = 1e8 it keeps a few digits only."""
    def extrapolated(logits, labels, tau):
        def quotient(h):
            return (cross_entropy(logits / (tau + h), labels)
                    - cross_entropy(logits / (tau - h), labels)) / (2 * h)

        h = 1e-3 * tau
        return (4 * quotient(h / 2) - quotient(h)) / 3

    feedback = temperature_gradient_exercise.check(extrapolated)
    assert feedback.status == "failed"
    assert feedback.message.startswith("for the same logits at tau = 1e8 you return")
    assert "digits only, as finite differences do" in feedback.message
    assert feedback.message.endswith("the rounding of its values swamps their differences")


def _romberg(f, tau, h, levels):
    """Central differences of f at tau with steps h, h/2, ..., extrapolated ``levels`` times."""
    table = [(f(tau + h / 2**j) - f(tau - h / 2**j)) / (2 * h / 2**j) for j in range(levels + 1)]
    for m in range(1, levels + 1):
        table = [(4**m * table[j + 1] - table[j]) / (4**m - 1) for j in range(len(table) - 1)]
    return table[0]


def test_the_exactness_asked_lies_between_rounding_and_finite_differences():
    """Any stable evaluation of the formula is within a hundredth of the tolerance in every case;
    at tau = 1e8 differences of E_D, extrapolated up to five times, at any step from 1e-7 tau to
    0.9 tau, miss it by a factor of a hundred at least (the bound of FLAT_TAU's comment: 1e-8 of
    the derivative, about 1e-9 of the size)."""
    for case in temperature_gradient_exercise.cases:
        logits, labels, tau = case.args
        size = np.abs(logits).sum() / tau**2
        exact = right_temperature_grad(logits, labels, tau)
        other = -np.sum(cross_entropy_grad(logits / tau, labels) * logits) / tau**2  # another way
        assert abs(other - exact) < EXACT_TO_ROUNDING * size / 100
    assert FLAT_TAU == 1e8 and temperature_gradient_exercise.cases[-1].args[2] == FLAT_TAU
    logits, labels = temperature_gradient_exercise.cases[0].args[:2]
    size = np.abs(logits).sum() / FLAT_TAU**2
    assert np.abs(logits).sum() / FLAT_TAU < 2e-7  # E_D moves by less over any step below tau
    n, c = logits.shape  # what the statement and the case's note say of tau = 1e8:
    assert abs(cross_entropy(logits / FLAT_TAU, labels) - n * np.log(c)) < 1e-7
    assert np.abs(softmax(logits / FLAT_TAU, axis=1) - 1 / c).max() < 1e-8  # eight digits
    exact = right_temperature_grad(logits, labels, FLAT_TAU)
    assert abs(exact) > 0.1 * size  # the derivative is not itself lost in the size

    def loss(t):
        return cross_entropy(logits / t, labels)

    best = min(abs(_romberg(loss, FLAT_TAU, k * FLAT_TAU, levels) - exact)
               for k in np.logspace(-7, np.log10(0.9), 40) for levels in range(6))
    assert best > 100 * EXACT_TO_ROUNDING * size


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


# --- the numeric exercise: where the gradient of a shared bias vanishes -----------------------

# By hand: 6, 4 and 2 samples with 0.9 on their class and 0.05 on the others.
TARGET_SUMS = np.array([6 * 0.9 + 4 * 0.05 + 2 * 0.05, 6 * 0.05 + 4 * 0.9 + 2 * 0.05,
                        6 * 0.05 + 4 * 0.05 + 2 * 0.9])  # (5.7, 4.0, 2.3)
BY_HAND = np.log(TARGET_SUMS / TARGET_SUMS[0])  # (0, ln(4/5.7), ln(2.3/5.7))
SMOOTHED = np.repeat(np.full((3, 3), 0.05) + 0.85 * np.eye(3), BIAS_COUNTS, axis=0)


def test_the_bias_exercise_states_its_training_set():
    assert BIAS_COUNTS == (6, 4, 2) and BIAS_SMOOTHING == 0.9
    statement = " ".join(bias_exercise.statement.split())
    assert "6 samples of class 0, 4 of class 1 and 2 of class 2" in statement
    assert "0.9 on the sample's own class and 0.05 on each of the others" in statement


def test_the_bias_answer_zeroes_the_gradient_and_is_where_descent_stops():
    """Independently of the exercise: Step 4's gradient vanishes there, gradient descent on the
    bias alone goes there, and scikit-learn finds it (smoothed targets as sample weights)."""
    def grad(b):
        return cross_entropy_grad(np.tile(b, (12, 1)), SMOOTHED).sum(axis=0)

    assert np.abs(grad(BY_HAND)).max() < 1e-12
    assert np.abs(numerical_gradient(
        lambda b: cross_entropy(np.tile(b, (12, 1)), SMOOTHED), BY_HAND)).max() < 1e-8
    run = gradient_descent(grad, np.zeros(3), eta=0.1, steps=2000)
    np.testing.assert_allclose(run[-1] - run[-1][0], BY_HAND, atol=1e-10)
    classes = np.tile(np.arange(3), 12)  # each sample once per class, weighted by its target
    fit = LogisticRegression(C=1e10, tol=1e-12, max_iter=10_000).fit(
        np.zeros((36, 1)), classes, sample_weight=SMOOTHED.ravel())
    np.testing.assert_allclose(fit.intercept_ - fit.intercept_[0], BY_HAND, atol=1e-5)


def test_bias_exercise_right_answer():
    assert bias_exercise.check(BY_HAND).passed
    assert bias_exercise.check(BY_HAND.round(3)).passed  # three decimals are enough
    assert bias_exercise.check([0, -0.354, -0.908]).passed
    assert bias_exercise.check(...).status == "not attempted"


FREQUENCIES = np.array(BIAS_COUNTS) / 12


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        (TARGET_SUMS / 12, "these are the probabilities softmax(b)"),
        (TARGET_SUMS / TARGET_SUMS[0], "take their natural logarithm"),
        (np.log(FREQUENCIES / FREQUENCIES[0]), "the optimum for one-hot targets"),
        (-BY_HAND, "the ratios are inverted"),
        (BY_HAND / np.log(10), "base-10 logarithm"),
        ([0.0, 0.0, 0.0], "at b = 0 every class gets 1/3"),
        (12 / 3 - TARGET_SUMS, "the gradient at b = 0, where gradient descent starts"),
        (np.log(TARGET_SUMS / 12), "right up to a constant"),
        (BY_HAND + 1.0, "right up to a constant"),
        (np.log((0.9 * FREQUENCIES + 0.05) / (0.9 * FREQUENCIES[0] + 0.05)),
         "adds 0.05 to every class"),
        (BY_HAND.round(2), "rounded too much"),
    ],
)
def test_bias_exercise_each_slip_gets_its_own_feedback(answer, explanation):
    feedback = bias_exercise.check(answer)
    assert feedback.status == "failed" and explanation in feedback.message, feedback.message
    assert "Hint 1 of 2: Where gradient descent stops, the gradient" in str(feedback)


def test_bias_exercise_other_wrong_answers():
    assert bias_exercise.check([1.0, 2.0, -3.0]).message.endswith("is not right.")
    assert "expected shape (3,)" in bias_exercise.check([0.1, -0.1]).message
    assert "(a str)" in bias_exercise.check("[0, -0.354, -0.908]").message


def test_bias_exercise_hint_ladder_leads():
    first = bias_exercise.check([0.0, 0.0, 0.0])
    assert "mean target" not in str(first) and "Hint 2" not in str(first)  # the step comes next
    second = bias_exercise.check([0.0, 0.0, 0.0])
    assert "Hint 2 of 2: So 12 softmax(b) = sum_n t_n: softmax(b) is the mean target" in str(second)


def test_bias_exercise_solution_only_on_demand():
    assert "-0.3542" not in repr(bias_exercise)
    assert "-0.3542" not in str(bias_exercise.check([0.0, 0.0, 0.0]))
    assert "[ 0.     -0.3542 -0.9076]" in bias_exercise.solution
    assert "`[5.7 4.  2.3]`" in bias_exercise.solution


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


# --- predicting a value for a setting the notebook never shows: tau = 0.001 ------------------

A_EXPLORER, TAU = np.array([2.0, 1.0, 0.0, -1.0]), 0.001


def exponent(target, entry=None, tau=TAU):
    """log10 of |dE/da_entry| (the largest entry if None) when class ``target`` is true, through
    SciPy's logsumexp: ln y_k = a_k/tau - logsumexp(a/tau), and on the true class
    ln(1 - y_c) = logsumexp of the other classes' a_k/tau minus logsumexp of all."""
    z = A_EXPLORER / tau
    log_size = z - logsumexp(z)
    log_size[target] = logsumexp(np.delete(z, target)) - logsumexp(z)
    chosen = log_size.max() if entry is None else log_size[entry]
    return (chosen - np.log(tau)) / np.log(10)


FIRST, SECOND = -1000 / np.log(10) + 3, -2000 / np.log(10) + 3  # e^-1000/0.001, e^-2000/0.001


def test_sharp_temperature_right_answer():
    assert exponent(0) == pytest.approx(FIRST, abs=1e-12)
    assert exponent(3, entry=2) == pytest.approx(SECOND, abs=1e-12)
    assert exponent(3) == pytest.approx(3.0, abs=1e-12)  # the largest entry, 1/0.001
    assert sharp_temperature_exercise.check([exponent(0), exponent(3, entry=2)]).passed
    assert sharp_temperature_exercise.check([-431.29, -865.59]).passed
    assert sharp_temperature_exercise.check([-431.3, -865.59]).passed
    assert sharp_temperature_exercise.check(...).status == "not attempted"


def test_sharp_temperature_the_cells_cannot_compute_it():
    """The old shortcut, the Explore cell re-run at the exercise's tau, prints 0 for the correct
    prediction and 1000 for the wrong one's largest entry; class 2's entry computed is 0 too
    (float64 rounds e^-1000 and e^-2000 to 0). The package's gradient gives 0 as well."""
    right = (softmax(A_EXPLORER / TAU) - np.eye(4)[0]) / TAU
    wrong = (softmax(A_EXPLORER / TAU) - np.eye(4)[3]) / TAU
    assert np.abs(right).max() == 0.0 and wrong[2] == 0.0 and np.abs(wrong).max() == 1000.0
    assert np.abs(cross_entropy_grad(A_EXPLORER[None, :] / TAU, [0])).max() == 0.0
    feedback = sharp_temperature_exercise.check([np.abs(right).max(), np.abs(wrong).max()])
    assert "1000 is a gradient, 10^3, not an exponent" in feedback.message
    assert "float64 rounds" not in feedback.message
    feedback = sharp_temperature_exercise.check([0.0, np.log10(np.abs(wrong).max())])
    assert "float64 rounds e^(-1000) to 0" in feedback.message
    feedback = sharp_temperature_exercise.check([-431.29, np.log10(np.abs(wrong).max())])
    assert "3 is the exponent of the largest entry when class 3 is true" in feedback.message
    feedback = sharp_temperature_exercise.check([-431.29, wrong[2]])
    assert "float64 rounds e^(-2000) to 0" in feedback.message


@pytest.mark.parametrize(
    ("answer", "explanation"),
    [
        ([-431.29, 1000.0], "1000 is a gradient, 10^3, not an exponent"),
        ([0.0, -865.59], "x = 0 would mean a gradient of 10^0 = 1. The computed gradient is 0"),
        ([-431.29, 0.0], "Class 2's computed entry is 0"),
        ([-431.29, 3.0], "3 is the exponent of the largest entry"),
        ([-865.59, -431.29], "the two are swapped"),
        ([-434.29, -868.59], "the factor 1/tau is missing in both"),
        ([-434.29, -865.59], "the factor 1/tau is missing in (i)"),
        ([-434.29, 3.0], "3 is the exponent of the largest entry"),
        ([-431.29, -868.59], "the factor 1/tau is missing in (ii)"),
        ([-437.29, -871.59], "you subtracted 3"),
        ([-431.29, -871.59], "you subtracted 3"),
        ([-1000 + np.log(1000), -2000 + np.log(1000)], "natural logarithms"),
        ([-431.29, -2000 + np.log(1000)], "natural logarithms"),
        ([-865.59, -865.59], "not a_0 - a_2"),
        ([-3000 / np.log(10) + 3, -865.59], "not a_0 - a_3"),
        ([-431.29, -431.29], "its gap to the winner, class 0, a_0 - a_2 = 2"),
        ([3.0, -865.59], "grows like 1/tau only for a wrong prediction"),
        ([431.29, -865.59], "a negative exponent"),
        ([-431.29, 865.59], "class 2's entry is tiny, not huge"),
        ([np.log10(np.exp(-10) / 0.1), -865.59], "the exponent at tau = 0.1"),
        ([-431.0, -865.59], "give two decimals"),
        ([-431.29, -865.3], "give two decimals"),
        (-431.29, "give two numbers"),
        ([-400.0, -865.59], "is not right."),
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
    solution = " ".join(sharp_temperature_exercise.solution.split())
    assert "[-431.29, -865.59]" in solution
    assert "lost 428 orders" in solution and "gained 2:" in solution
