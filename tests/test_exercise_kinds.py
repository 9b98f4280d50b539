"""The shared pieces of every notebook: visible checks, the three kinds of exercise, reveals."""

from __future__ import annotations

import numpy as np
import pytest

from tp3helpers.checks import check_close, check_true
from tp3helpers.exercises import (
    ChoiceQuestion,
    CodeExercise,
    NumericQuestion,
    code_exercise,
    reveal,
)
from tp3helpers.exercises._feedback import run_cases

SECRET = "The answer is 0.4321"


# --- visible checks -------------------------------------------------------------------------


def test_check_close_prints_the_comparison(capsys):
    error = check_close("∂E/∂b: analytic vs finite differences", [1.0, 2.0], [1.0, 2.0 + 1e-9])
    out = capsys.readouterr().out
    assert out == "∂E/∂b: analytic vs finite differences, relative error 2e-10 ✓\n"
    assert error == pytest.approx(1e-9 / (np.sqrt(5) * 2), rel=1e-3)


def test_check_close_bound_form_is_machine_independent(capsys):
    check_close("softmax sums to 1", 1.0 + 1e-15, 1.0, show="bound")
    check_close("softmax sums to 1", 1.0 + 3e-16, 1.0, show="bound")
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["softmax sums to 1, relative error < 1e-07 ✓"] * 2


def test_check_close_fails_loudly_with_both_values(capsys):
    with pytest.raises(AssertionError) as info:
        check_close("∂E/∂W", [1.0, 2.0], [1.0, 3.0])
    message = str(info.value)
    assert message.startswith("∂E/∂W, relative error 1.9e-01 ✗")
    assert "[1. 2.]" in message and "[1. 3.]" in message
    assert capsys.readouterr().out == ""  # no ✓ line printed on failure


def test_check_close_atol_and_shapes(capsys):
    check_close("row sums vs 0", [1e-12, 0.0], [0.0, 0.0], atol=1e-10)
    check_close("row sums vs 0", [1e-12, 0.0], [0.0, 0.0], atol=1e-10, show="bound")
    assert capsys.readouterr().out.splitlines() == [
        "row sums vs 0, largest difference 1e-12 ✓",  # not "relative error 1e+00"
        "row sums vs 0, largest difference <= 1e-10 ✓",
    ]
    with pytest.raises(AssertionError, match="largest difference 1.0e-08 > 1e-10"):
        check_close("row sums vs 0", [1e-8, 0.0], [0.0, 0.0], atol=1e-10)
    with pytest.raises(AssertionError):
        check_close("tiny gradient", [1e-12, 0.0], [0.0, 1e-12])
    with pytest.raises(ValueError, match="same shape"):
        check_close("x", [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="show"):
        check_close("x", 1.0, 1.0, show="loud")


def test_check_close_returns_a_float_that_a_notebook_does_not_echo():
    from IPython.core.formatters import DisplayFormatter

    error = check_close("x", 1.0, 1.0 + 1e-12)
    assert isinstance(error, float) and error == pytest.approx(5e-13)
    assert DisplayFormatter().format(error) == ({}, {})


def test_check_true(capsys):
    check_true("K is PSD", True, "smallest eigenvalue -3e-16")
    assert capsys.readouterr().out == "K is PSD ✓ (smallest eigenvalue -3e-16)\n"
    with pytest.raises(AssertionError, match="K is PSD ✗ \\(smallest eigenvalue -1\\)"):
        check_true("K is PSD", np.bool_(False), "smallest eigenvalue -1")


# --- numeric questions ----------------------------------------------------------------------


@pytest.fixture
def bias_question():
    return NumericQuestion(
        "gradient of the bias",
        np.array([0.25, -0.5, 0.25]),
        mistakes=[
            (np.array([-0.25, 0.5, -0.25]), "the sign is flipped: it is y - t, not t - y"),
            (lambda a: not np.isclose(a.sum(), 0.0), "the entries must add up to 0"),
        ],
        hint="Sum y_n - t_n over the samples.",
        solution=SECRET,
    )


def test_numeric_right_answer(bias_question):
    feedback = bias_question.check([0.25, -0.5, 0.25])
    assert feedback.passed and "Hint" not in str(feedback)


def test_numeric_not_attempted(bias_question):
    for answer in (..., None):
        feedback = bias_question.check(answer)
        assert feedback.status == "not attempted" and not feedback


def test_numeric_each_known_mistake_has_its_own_feedback(bias_question):
    flipped = bias_question.check([-0.25, 0.5, -0.25])
    assert flipped.status == "failed" and "sign is flipped" in flipped.message
    wrong_sum = bias_question.check([1.0, 0.0, 0.0])
    assert "add up to 0" in wrong_sum.message and "sign" not in wrong_sum.message
    other = bias_question.check([0.5, -0.5, 0.0])
    assert "not right" in other.message and "sign" not in other.message
    for feedback in (flipped, wrong_sum, other):
        assert feedback.hint == "Sum y_n - t_n over the samples."
        assert "Hint: Sum y_n - t_n" in str(feedback) and "<i>Hint:</i>" in feedback._repr_html_()


def test_numeric_wrong_kinds_are_described(bias_question):
    assert "(a str)" in bias_question.check("0.25, -0.5, 0.25").message
    assert "(a dict)" in bias_question.check({"b": 1}).message
    assert "complex" in bias_question.check([0.25j, 0.5, 0.25]).message
    assert "shape (2,)" in bias_question.check([0.25, -0.25]).message
    assert "NaN" in bias_question.check([np.nan, 0.5, 0.25]).message
    huge = np.broadcast_to(0.0, (100_000, 100_000))  # a view: the checker must not copy it
    assert "shape (100000, 100000)" in bias_question.check(huge).message


def test_numeric_never_gives_the_answer_away(bias_question):
    answers = (..., [0.1, -0.2, 0.1], "x", [1.0, 0.0, 0.0], [-0.25, 0.5, -0.25])
    texts = [repr(bias_question)] + [str(bias_question.check(a)) for a in answers]
    texts += [bias_question.check(a)._repr_html_() for a in answers]
    for text in texts:
        assert "-0.5" not in text and " 0.25" not in text and "[0.25" not in text
        assert SECRET not in text


def test_numeric_mistake_of_another_shape():
    q = NumericQuestion(
        "bias gradient",
        [1.0, -1.0],
        mistakes=[(np.array([[0.5, -0.5], [0.5, -0.5]]), "one row per sample: sum the rows")],
        hint="h",
        solution="s",
    )
    assert "sum the rows" in q.check([[0.5, -0.5], [0.5, -0.5]]).message
    assert "expected shape (2,)" in q.check([[0.5, -0.5]]).message


def test_numeric_scalar_accepts_a_size_one_array():
    q = NumericQuestion("loss", 0.6931471805599453, hint="h", solution="s", rtol=1e-4)
    assert q.check(np.log(2)).passed and q.check([0.69315]).passed
    assert "single number" in q.check([0.69, 0.69]).message


def test_numeric_construction_is_validated():
    with pytest.raises(TypeError, match="hint"):
        NumericQuestion("q", 1.0, hint="", solution="s")
    with pytest.raises(TypeError, match="expected"):
        NumericQuestion("q", "one", hint="h", solution="s")
    with pytest.raises(ValueError, match="finite"):
        NumericQuestion("q", np.inf, hint="h", solution="s")


# --- multiple choice ------------------------------------------------------------------------


@pytest.fixture
def choice():
    return ChoiceQuestion(
        "T → 0",
        {
            "a": (False, "the gradient does not always grow"),
            "b": (True, "it depends on whether the true class is the arg-max"),
            "c": (False, "the gradient is not always zero"),
        },
        hint="Try both a right and a wrong prediction.",
        solution=SECRET,
    )


def test_choice_right_and_each_wrong_option(choice):
    right = choice.check(" B ")
    assert right.passed and "arg-max" in right.message
    a, c = choice.check("a"), choice.check("c")
    assert "does not always grow" in a.message and "not always zero" in c.message
    assert a.message != c.message
    assert a.hint and c.hint and "Hint" not in str(right)


def test_choice_bad_input(choice):
    assert choice.check(...).status == "not attempted"
    bad = choice.check("d")
    assert bad.status == "failed" and "'a', 'b', 'c'" in bad.message
    assert choice.check(2).status == "failed"


def test_choice_needs_exactly_one_right_option():
    with pytest.raises(ValueError, match="exactly one"):
        ChoiceQuestion("q", {"a": (True, "x"), "b": (True, "y")}, hint="h", solution="s")


# --- code exercises -------------------------------------------------------------------------


@code_exercise(hint="Return twice the input.", solution=SECRET)
def check_double(fn):
    """Check ``fn(x) == 2 x``."""
    return run_cases(
        "check_double", fn, [lambda f: None if f(3.0) == 6.0 else "f(3) should be 6"], "correct"
    )


def stub(x):
    raise NotImplementedError


def test_code_exercise_hint_only_after_a_wrong_attempt():
    assert isinstance(check_double, CodeExercise)
    assert check_double.__doc__ == "Check ``fn(x) == 2 x``."
    assert check_double(lambda x: 2 * x).passed
    assert check_double(stub).status == "not attempted" and "Hint" not in str(check_double(stub))
    wrong = check_double(lambda x: x)
    assert wrong.status == "failed" and "Hint: Return twice" in str(wrong)


def test_code_exercise_blames_the_right_code():
    raised = check_double(lambda x: 1 / 0)
    assert "your function raised ZeroDivisionError" in raised.message
    warned = check_double(lambda x: np.float64(x) / 0.0)
    assert "your function raised a warning (RuntimeWarning" in warned.message


# --- solutions and reveals: only on demand --------------------------------------------------


def _widget_text(widget) -> str:
    parts = [repr(widget.get_state())]
    for child in getattr(widget, "children", ()):
        parts.append(_widget_text(child))
    return " ".join(parts)


@pytest.mark.parametrize("make", ["numeric", "choice", "code"])
def test_solution_only_on_demand(make, bias_question, choice):
    exercise = {"numeric": bias_question, "choice": choice, "code": check_double}[make]
    solution = exercise.solution()
    assert SECRET in solution._repr_markdown_() and SECRET in str(solution)
    box = exercise.solution_button()
    assert SECRET not in _widget_text(box) and SECRET not in repr(box)
    button, out = box.children
    button.click()
    assert button.disabled
    assert out.outputs[0]["data"]["text/markdown"] == SECRET


def test_reveal_shows_the_question_and_hides_the_answer():
    box = reveal("What does the gradient do at T = 0.1?", SECRET)
    question, button, out = box.children
    assert "T = 0.1" in question.value and "Predict" in question.value
    assert SECRET not in _widget_text(box) and not out.outputs
    button.click()
    assert SECRET in out.outputs[0]["data"]["text/markdown"]
    with pytest.raises(TypeError, match="answer"):
        reveal("q", "")


# --- checkers blame the right code (issue 15, item 5) ----------------------------------------

BAD_RESULTS = {
    "a string": ("abc", "'abc' (a str)"),
    "a dict": ({"y": 1}, "(a dict)"),
    "complex numbers": (np.array([0.5 + 1j, 0.5]), "complex numbers"),
    "None": (None, "None (a NoneType)"),
}


def _checkers():
    from tp3helpers import exercises as ex

    def pair(value):
        return lambda *args: (value, value)

    def single(value):
        return lambda *args: value

    return {
        "check_softmax": (ex.check_softmax, single),
        "check_cross_entropy_grad": (ex.check_cross_entropy_grad, single),
        "check_taylor_exp_gram": (ex.check_taylor_exp_gram, single),
        "check_exp_counterexample": (ex.check_exp_counterexample, single),
        "check_momentum_step": (ex.check_momentum_step, pair),
        "check_physical_to_momentum": (ex.check_physical_to_momentum, pair),
    }


@pytest.mark.parametrize("kind", BAD_RESULTS)
@pytest.mark.parametrize("name", list(_checkers()))
def test_checkers_describe_a_wrong_result_instead_of_blaming_the_student(name, kind):
    checker, wrap = _checkers()[name]
    value, described = BAD_RESULTS[kind]
    feedback = checker(wrap(value))
    assert feedback.status == "failed"
    assert "raised" not in feedback.message, feedback.message
    assert "checker" not in feedback.message, feedback.message
    assert described in feedback.message and "expected" in feedback.message, feedback.message


@pytest.mark.parametrize("name", list(_checkers()))
def test_checkers_report_a_wrong_shape(name):
    checker, wrap = _checkers()[name]
    feedback = checker(wrap(np.zeros((2, 3, 4))))
    assert feedback.status == "failed" and "shape (2, 3, 4)" in feedback.message, feedback.message
    assert "raised" not in feedback.message


def test_checkers_never_allocate_for_a_huge_result():
    from tp3helpers import exercises as ex

    huge = np.broadcast_to(1.0, (10**6, 10**6))  # 8 TB if anything copied or multiplied it
    for checker in (ex.check_exp_counterexample, ex.check_softmax, ex.check_cross_entropy_grad):
        feedback = checker(lambda *args: huge)
        assert feedback.status == "failed" and "(1000000, 1000000)" in feedback.message
        assert "raised" not in feedback.message and "allocate" not in feedback.message
