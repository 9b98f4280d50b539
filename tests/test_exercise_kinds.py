"""The shared pieces of every notebook: visible checks, the three kinds of exercise and the prompts,
their hint ladders, how they look, and every exercise and prompt of the four notebooks."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

from tp3helpers.checks import check_close, check_true
from tp3helpers.exercises import (
    Case,
    ChoiceExercise,
    CodeExercise,
    Exercise,
    NumericExercise,
    Option,
    Prompt,
    digits,
    kernels,
    momentum,
    run_cases,
    softmax,
)
from tp3helpers.exercises._display import RevealScroller
from tp3helpers.plotting.figure import PRESENTATION, PRESENTATION_ENV

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"

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


# --- numeric exercises ----------------------------------------------------------------------

HINTS = ["Think of the idea.", "Now take the step.", "Here is the last step."]


@pytest.fixture
def bias_question():
    return NumericExercise(
        "gradient of the bias",
        "What is the gradient?",
        np.array([0.25, -0.5, 0.25]),
        mistakes=[
            (np.array([-0.25, 0.5, -0.25]), "the sign is flipped: it is y - t, not t - y"),
            (lambda a: not np.isclose(a.sum(), 0.0), "the entries must add up to 0"),
        ],
        hints=HINTS,
        solution=SECRET,
    )


def test_numeric_right_answer(bias_question):
    feedback = bias_question.check([0.25, -0.5, 0.25])
    assert feedback.passed and "Hint" not in str(feedback)


def test_numeric_not_attempted(bias_question):
    for answer in (..., None):
        feedback = bias_question.check(answer)
        assert feedback.status == "not attempted" and not feedback
        assert "replace `...`" in feedback.message


def test_numeric_each_known_mistake_has_its_own_feedback(bias_question):
    flipped = bias_question.check([-0.25, 0.5, -0.25])
    assert flipped.status == "failed" and "sign is flipped" in flipped.message
    wrong_sum = bias_question.check([1.0, 0.0, 0.0])
    assert "add up to 0" in wrong_sum.message and "sign" not in wrong_sum.message
    other = bias_question.check([0.5, -0.5, 0.0])
    assert "not right" in other.message and "sign" not in other.message


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
    q = NumericExercise(
        "bias gradient", "q",
        [1.0, -1.0],
        mistakes=[(np.array([[0.5, -0.5], [0.5, -0.5]]), "one row per sample: sum the rows")],
        hints=HINTS, solution="s",
    )
    assert "sum the rows" in q.check([[0.5, -0.5], [0.5, -0.5]]).message
    assert "expected shape (2,)" in q.check([[0.5, -0.5]]).message


def test_numeric_scalar_accepts_a_size_one_array():
    q = NumericExercise("loss", "q", 0.6931471805599453, hints=HINTS, solution="s", rtol=1e-4)
    assert q.check(np.log(2)).passed and q.check([0.69315]).passed
    assert "single number" in q.check([0.69, 0.69]).message


def test_construction_is_validated():
    with pytest.raises(TypeError, match="hints must be a sequence of two or more"):
        NumericExercise("q", "s", 1.0, hints=["only one"], solution="s")
    with pytest.raises(TypeError, match="hints must be a sequence"):
        NumericExercise("q", "s", 1.0, hints="a string", solution="s")
    with pytest.raises(TypeError, match="each hint"):
        NumericExercise("q", "s", 1.0, hints=["h", ""], solution="s")
    with pytest.raises(TypeError, match="statement"):
        NumericExercise("q", "", 1.0, hints=HINTS, solution="s")
    with pytest.raises(TypeError, match="expected"):
        NumericExercise("q", "s", "one", hints=HINTS, solution="s")
    with pytest.raises(ValueError, match="finite"):
        NumericExercise("q", "s", np.inf, hints=HINTS, solution="s")
    with pytest.raises(TypeError, match="answer"):
        Prompt("q", "")


# --- multiple choice ------------------------------------------------------------------------


@pytest.fixture
def choice():
    return ChoiceExercise(
        "T → 0",
        "What does the gradient do?",
        {
            "a": Option("it grows", False, "the gradient does not always grow"),
            "b": Option("it depends", True, "it depends on whether the true class is the arg-max"),
            "c": Option("it vanishes", False, "the gradient is not always zero"),
        },
        hints=HINTS,
        solution=SECRET,
    )


def test_choice_lists_its_options_under_the_question(choice):
    assert choice.statement.endswith(
        "What does the gradient do?\n\n- (a) it grows\n- (b) it depends\n- (c) it vanishes")


def test_choice_right_and_each_wrong_option(choice):
    right = choice.check(" B ")
    assert right.passed and "arg-max" in right.message
    a, c = choice.check("a"), choice.check("c")
    assert "does not always grow" in a.message and "not always zero" in c.message
    assert a.message != c.message
    assert a.hints and c.hints and "Hint" not in str(right)


def test_choice_bad_input(choice):
    assert choice.check(...).status == "not attempted"
    bad = choice.check("d")
    assert bad.status == "failed" and "'a', 'b', 'c'" in bad.message
    assert choice.check(2).status == "failed"


def test_choice_needs_exactly_one_right_option():
    with pytest.raises(ValueError, match="exactly one"):
        ChoiceExercise("q", "s", {"a": Option("x", True, "x"), "b": Option("y", True, "y")},
                       hints=HINTS, solution="s")


# --- code exercises: one case type, one runner -----------------------------------------------


def _judge_double(result, x):
    return None if result == 2 * x else f"you return {result!r}, expected {2 * x!r}"


@pytest.fixture
def double():
    return CodeExercise(
        "double it", "Write `f(x)` returning twice `x`.",
        cases=[Case("x = 3", (3.0,)), Case("x = 0", (0.0,), "zero doubles to zero")],
        judge=_judge_double, success="correct", hints=HINTS, solution=SECRET,
    )


def stub(*args):
    raise NotImplementedError


def test_code_exercise_cases_name_the_call_that_fails(double):
    assert double.check(lambda x: 2 * x).passed
    first = double.check(lambda x: x)
    assert first.message == "for x = 3 you return 3.0, expected 6.0"
    second = double.check(lambda x: x + 3.0)
    assert second.message == "for x = 0 you return 3.0, expected 0.0 — zero doubles to zero"


def test_code_exercise_not_attempted_and_not_a_function(double):
    feedback = double.check(stub)
    assert feedback.status == "not attempted" and "raise NotImplementedError" in feedback.message
    assert "Hint" not in str(feedback)
    assert double.check(3).message == "expected a function, got 3 (a int)"


def test_code_exercise_blames_the_right_code(double):
    raised = double.check(lambda x: 1 / 0)
    assert raised.message.startswith("for x = 3 your function raised ZeroDivisionError")
    warned = double.check(lambda x: np.float64(x) / 0.0)
    assert "your function raised a warning (RuntimeWarning" in warned.message
    broken = CodeExercise("q", "s", cases=[Case("x = 1", (1.0,))], judge=lambda r, x: r.nope,
                          success="ok", hints=HINTS, solution="s")
    assert "fault of the checker" in broken.check(lambda x: x).message


def test_a_student_function_cannot_change_the_judged_arguments():
    seen = []
    exercise = CodeExercise("q", "s", cases=[Case("a", (np.zeros(2),))],
                            judge=lambda r, a: seen.append(a.copy()), success="ok", hints=HINTS,
                            solution="s")

    def mutate(a):
        a[:] = 7.0
        return a

    assert exercise.check(mutate).passed
    assert np.array_equal(seen[0], np.zeros(2))


def test_run_cases_is_the_runner(double):
    assert run_cases(lambda x: 2 * x, double.cases, _judge_double) is None
    assert run_cases(lambda x: x, double.cases, _judge_double).startswith("for x = 3")


# --- the hint ladder ------------------------------------------------------------------------


@pytest.mark.parametrize("make", ["numeric", "choice", "code"])
def test_each_wrong_attempt_adds_the_next_hint(make, bias_question, choice, double):
    exercise, wrong, untried = {
        "numeric": (bias_question, [1.0, 0.0, 0.0], ...),
        "choice": (choice, "a", ...),
        "code": (double, lambda x: x, stub),
    }[make]
    assert exercise.check(untried).hints == ()  # not attempted: no hint, no step up the ladder
    given = [exercise.check(wrong).hints for _ in range(4)]
    assert given == [tuple(HINTS[:1]), tuple(HINTS[:2]), tuple(HINTS), tuple(HINTS)]
    first, last = exercise.check(untried), exercise.check(wrong)
    assert first.hints == () and "Hint" not in str(first)
    assert "Hint 1 of 3: Think of the idea." in str(last) and "No more hints" in str(last)
    assert "<i>Hint 3 of 3: Here is the last step.</i>" in last._repr_html_()
    exercise.reset()
    again = exercise.check(wrong)
    assert again.hints == tuple(HINTS[:1]) and "No more hints" not in str(again)
    assert "Hint 2" not in str(again)
    assert SECRET not in str(last) + last._repr_html_()  # the solution only on demand


def test_a_passed_check_shows_no_hint(double):
    double.check(lambda x: x)
    assert double.check(lambda x: 2 * x).hints == ()


# --- how an exercise and a prompt look ------------------------------------------------------


def _widget_text(widget) -> str:
    parts = [repr(widget.get_state())]
    for child in getattr(widget, "children", ()):
        parts.append(_widget_text(child))
    return " ".join(parts)


@pytest.mark.parametrize("make", ["numeric", "choice", "code", "prompt"])
def test_shown_with_a_button_and_the_answer_only_on_demand(make, bias_question, choice, double):
    thing = {"numeric": bias_question, "choice": choice, "code": double,
             "prompt": Prompt("What does the gradient do at T = 0.1?", SECRET)}[make]
    card = thing.widget()
    text_out, button, revealed, scroller = card.children
    shown = text_out.outputs[0]["data"]["text/markdown"]
    if make == "prompt":
        assert shown == "**Predict:** What does the gradient do at T = 0.1?"
        assert button.description == "Reveal the answer"
    else:
        assert shown.startswith(f"**Exercise: {thing.title}** *({thing.kind})*\n\n")
        assert shown.endswith(thing.statement)
        assert button.description == "Show solution"
    assert SECRET not in _widget_text(card) and not revealed.outputs
    button.click()
    assert button.disabled and scroller.revealed == 1
    assert revealed.outputs[0]["data"]["text/markdown"] == SECRET
    card.close()


@pytest.mark.parametrize("make", ["numeric", "prompt"])
def test_the_display_has_readable_fallbacks(make, bias_question):
    thing = {"numeric": bias_question, "prompt": Prompt("Will it converge?", SECRET)}[make]
    bundle = thing._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # live in JupyterLab and Voila
    text = bundle["text/markdown"]
    if make == "prompt":
        assert text.startswith("**Predict:** Will it converge?\n\n")
        assert "Run the notebook for the “Reveal the answer” button" in text
        assert bundle["text/plain"] == "Predict: Will it converge?"
    else:
        assert "What is the gradient?" in text and "“Show solution” button" in text
        assert bundle["text/plain"].startswith("Exercise: gradient of the bias (predict a value)")
    assert "VBox" not in bundle["text/plain"] and SECRET not in str(bundle)


def test_presentation_size_is_the_readout_size(monkeypatch, bias_question):
    size = f"{PRESENTATION.readout_px:g}px"  # the explorers' readout in presentation size
    assert f".tp3-large {{ font-size: {size};" in RevealScroller._css
    monkeypatch.setenv(PRESENTATION_ENV, "0")
    assert "tp3-large" not in bias_question.widget()._dom_classes
    assert "font-size" not in bias_question.check([1.0, 0.0, 0.0])._repr_html_()
    monkeypatch.setenv(PRESENTATION_ENV, "1")
    assert "tp3-large" in bias_question.widget()._dom_classes
    assert f"font-size:{size}" in bias_question.check([1.0, 0.0, 0.0])._repr_html_()


# --- every exercise and prompt of the four notebooks ----------------------------------------

MODULES = {"01_softmax_cross_entropy": softmax, "02_exponential_kernel": kernels,
           "03_momentum_physics": momentum, "04_together_digits": digits}


def _defined(kind):
    return {f"{module.__name__.rsplit('.', 1)[1]}.{name}": getattr(module, name)
            for module in MODULES.values() for name in module.__all__
            if isinstance(getattr(module, name), kind)}


EXERCISES, PROMPTS = _defined(Exercise), _defined(Prompt)


def test_each_module_exports_its_exercises_and_prompts_only():
    for module in MODULES.values():
        for name in module.__all__:
            thing = getattr(module, name)
            assert name.endswith("_exercise") == isinstance(thing, Exercise), name
            assert name.endswith("_prompt") == isinstance(thing, Prompt), name
    assert len(EXERCISES) == 19 and len(PROMPTS) == 8


def _wrong_answer(exercise):
    if isinstance(exercise, CodeExercise):
        return lambda *args: None
    if isinstance(exercise, ChoiceExercise):
        return next(key for key, option in exercise.options.items() if not option.right)
    return np.full(exercise.expected.shape, 12345.678)


@pytest.mark.parametrize("name", list(EXERCISES))
def test_every_exercise_has_a_hint_ladder_and_its_solution_only_on_demand(name):
    exercise = EXERCISES[name]
    exercise.reset()
    untried = exercise.check(stub if isinstance(exercise, CodeExercise) else ...)
    assert untried.status == "not attempted" and untried.hints == ()
    ladder = [exercise.check(_wrong_answer(exercise)) for _ in exercise.hints]
    assert all(feedback.status == "failed" for feedback in ladder)
    assert [f.hints for f in ladder] == [exercise.hints[:i] for i in range(1, len(ladder) + 1)]
    assert "No more hints" in str(ladder[-1]) and "No more hints" not in str(ladder[0])
    for text in [repr(exercise), *(str(f) + f._repr_html_() for f in ladder)]:
        assert exercise.solution not in text and exercise.solution[:60] not in text
    exercise.reset()


@pytest.mark.parametrize("name", list(PROMPTS))
def test_every_prompt_hides_its_answer_until_clicked(name):
    prompt = PROMPTS[name]
    card = prompt.widget()
    assert prompt.answer[:30] not in _widget_text(card) + str(prompt._repr_mimebundle_())
    card.button.click()
    assert card.revealed.outputs[0]["data"]["text/markdown"] == prompt.answer
    card.close()


def _stored_outputs(notebook: str) -> str:
    nb = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
    return " ".join(str(o) for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs)


@pytest.mark.parametrize("notebook", list(MODULES))
def test_no_stored_notebook_gives_an_answer_away(notebook):
    outputs = _stored_outputs(notebook)
    module = MODULES[notebook]
    secrets = [getattr(module, name) for name in module.__all__]
    # Each solution's and each answer's first 60 characters, and each of their code lines.
    texts = [s.solution if isinstance(s, Exercise) else s.answer for s in secrets]
    fingerprints = {text[:60] for text in texts}
    fingerprints |= {line.strip() for text in texts for line in text.splitlines()
                     if line.startswith("    ") and len(line.strip()) > 20}
    leaked = [fingerprint for fingerprint in fingerprints if fingerprint in outputs]
    assert not leaked, leaked


# --- checkers blame the right code (issue 15, item 5) ----------------------------------------

BAD_RESULTS = {
    "a string": ("abc", "'abc' (a str)"),
    "a dict": ({"y": 1}, "(a dict)"),
    "complex numbers": (np.array([0.5 + 1j, 0.5]), "complex numbers"),
    "None": (None, "None (a NoneType)"),
}


def _checkers():
    def pair(value):
        return lambda *args: (value, value)

    def single(value):
        return lambda *args: value

    return {
        "log_softmax": (softmax.log_softmax_exercise, single),
        "temperature_gradient": (softmax.temperature_gradient_exercise, single),
        "taylor": (kernels.taylor_exercise, single),
        "counterexample": (kernels.counterexample_exercise, single),
        "step": (momentum.step_exercise, pair),
        "mapping": (momentum.mapping_exercise, pair),
        "sample_gradient": (digits.sample_gradient_exercise, single),
    }


@pytest.mark.parametrize("kind", BAD_RESULTS)
@pytest.mark.parametrize("name", list(_checkers()))
def test_checkers_describe_a_wrong_result_instead_of_blaming_the_student(name, kind):
    exercise, wrap = _checkers()[name]
    value, described = BAD_RESULTS[kind]
    feedback = exercise.check(wrap(value))
    assert feedback.status == "failed"
    assert "raised" not in feedback.message, feedback.message
    assert "checker" not in feedback.message, feedback.message
    assert described in feedback.message and "expected" in feedback.message, feedback.message


@pytest.mark.parametrize("name", list(_checkers()))
def test_checkers_report_a_wrong_shape(name):
    exercise, wrap = _checkers()[name]
    feedback = exercise.check(wrap(np.zeros((2, 3, 4))))
    assert feedback.status == "failed" and "shape (2, 3, 4)" in feedback.message, feedback.message
    assert "raised" not in feedback.message


def test_checkers_never_allocate_for_a_huge_result():
    huge = np.broadcast_to(1.0, (10**6, 10**6))  # 8 TB if anything copied or multiplied it
    for exercise in (kernels.counterexample_exercise, softmax.log_softmax_exercise,
                     softmax.temperature_gradient_exercise, digits.sample_gradient_exercise):
        feedback = exercise.check(lambda *args: huge)
        assert feedback.status == "failed" and "(1000000, 1000000)" in feedback.message
        assert "raised" not in feedback.message and "allocate" not in feedback.message


@pytest.fixture(autouse=True)
def _fresh_ladders():
    """The package's exercises are shared objects: every test starts them at the first hint."""
    for exercise in EXERCISES.values():
        exercise.reset()
