"""Checkers for the Question 2 exercises give specific feedback."""

from __future__ import annotations

from math import factorial

import numpy as np
import pytest

from tp3helpers.exercises.kernels import (
    check_exp_counterexample,
    check_is_psd,
    check_taylor_exp_gram,
    feature_count_question,
    smallest_eigenvalue_question,
    valid_kernel_question,
)
from tp3helpers.kernels import exp_feature_map, is_psd, taylor_exp_kernel

CHECKERS = [check_is_psd, check_taylor_exp_gram, check_exp_counterexample]


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("checker", CHECKERS)
def test_stub_is_not_attempted(checker):
    feedback = checker(stub)
    assert feedback.status == "not attempted" and "not attempted yet" in str(feedback)
    assert not feedback


def reference_is_psd(K):
    return bool(np.allclose(K, K.T)) and is_psd(0.5 * (K + K.T))


def reference_taylor(K, order):
    return taylor_exp_kernel(lambda X, Y=None: K, order)(np.zeros((len(K), 1)))


def test_correct_answers_pass():
    assert check_is_psd(reference_is_psd).passed
    assert check_taylor_exp_gram(reference_taylor).passed
    assert check_exp_counterexample(lambda: np.array([-1.5, 0.5])).passed


def test_exact_zero_threshold_fails_on_rounding():
    feedback = check_is_psd(lambda K: bool(np.linalg.eigvalsh(K)[0] >= 0))
    assert feedback.status == "failed" and "rounding error" in feedback.message


def test_absolute_threshold_fails_on_a_scaled_matrix():
    feedback = check_is_psd(lambda K: bool(np.linalg.eigvalsh(K)[0] >= -1e-10))
    assert feedback.status == "failed" and "times 1e6" in feedback.message


def test_missing_symmetry_check_is_named():
    def no_symmetry(K):
        eigenvalues = np.linalg.eigvals(K).real
        return bool(eigenvalues.min() >= -1e-8 * np.abs(eigenvalues).max())

    feedback = check_is_psd(no_symmetry)
    assert feedback.status == "failed" and "symmetric" in feedback.message


def test_is_psd_must_return_a_bool():
    feedback = check_is_psd(lambda K: np.linalg.eigvalsh(K))
    assert "return True or False" in feedback.message


def test_matrix_powers_are_recognised():
    feedback = check_taylor_exp_gram(
        lambda K, n: sum(np.linalg.matrix_power(K, i) / factorial(i) for i in range(n + 1))
    )
    assert feedback.status == "failed" and "element-wise powers" in feedback.message


def test_missing_constant_term_is_named():
    feedback = check_taylor_exp_gram(
        lambda K, n: sum((K**i / factorial(i) for i in range(1, n + 1)), np.zeros_like(K))
    )
    assert feedback.status == "failed" and "the term i = 0 is missing" in feedback.message


def test_missing_last_term_is_named():
    def off_by_one(K, n):
        return np.ones_like(K) + sum(K**i / factorial(i) for i in range(1, n))

    feedback = check_taylor_exp_gram(off_by_one)
    assert feedback.status == "failed" and "K**1/1! is missing" in feedback.message


def test_points_where_exp_minus_k_is_psd_fail():
    feedback = check_exp_counterexample(lambda: np.array([0.0, 0.0]))
    assert feedback.status == "failed" and "looks PSD" in feedback.message
    assert "all your points are the same point" in feedback.message
    # Two large points of the same sign: the negative eigenvalue is below rounding.
    feedback = check_exp_counterexample(lambda: np.array([20.0, 21.0]))
    assert feedback.status == "failed" and "lost in rounding" in feedback.message


def test_any_two_distinct_moderate_points_are_a_counterexample_but_not_the_check_sections():
    for pair in ([0.1, 0.2], [-2.0, 1.0], [0.5, 3.0], [[1.0, 0.0], [0.0, 1.0]]):
        assert check_exp_counterexample(lambda p=pair: np.array(p)).passed, pair
    feedback = check_exp_counterexample(lambda: np.array([1.0, -1.0]))
    assert feedback.status == "failed" and "Check section's two points" in feedback.message


def test_counterexample_shape_and_size():
    assert "two or more points" in check_exp_counterexample(lambda: np.array([1.0])).message
    assert "below 700" in check_exp_counterexample(lambda: np.array([-30.0, 30.0])).message


def test_a_too_loose_relative_tolerance_misses_a_real_negative_eigenvalue():
    feedback = check_is_psd(
        lambda K: bool(np.allclose(K, K.T))
        and bool(np.linalg.eigvalsh(K)[0] >= -1e-5 * np.abs(np.linalg.eigvalsh(K)).max())
    )
    assert feedback.status == "failed" and "-1e-7 times the largest" in feedback.message
    assert "rounding level" in feedback.message and "Hint:" in str(feedback)


@pytest.mark.parametrize("threshold", [1e-12, 1e-9, 1e-7, 1e-4])
def test_every_absolute_threshold_fails_at_some_scale(threshold):
    def absolute(K):
        return bool(np.allclose(K, K.T)) and bool(np.linalg.eigvalsh(K)[0] >= -threshold)

    feedback = check_is_psd(absolute)
    assert feedback.status == "failed"
    assert "times 1e6" in feedback.message or "times 1e-6" in feedback.message, feedback.message


@pytest.mark.parametrize("checker", CHECKERS)
def test_hint_after_a_wrong_attempt_and_solution_only_on_demand(checker):
    wrong = checker(lambda *args: np.zeros((1, 1)))
    assert wrong.status == "failed" and "Hint:" in str(wrong) and checker.hint in str(wrong)
    assert "Hint:" not in str(checker(stub))  # not attempted: no hint yet
    assert "```python" not in str(wrong)  # the solution is not given away
    solution = checker.solution()
    assert "```python" in solution._repr_markdown_()


def test_the_solutions_pass_their_own_checkers():
    namespace = {"np": np}
    for checker in CHECKERS:
        code = checker.solution().markdown.split("```python")[1].split("```")[0]
        exec(code, namespace)  # noqa: S102 - our own solution text
    assert check_is_psd(namespace["my_is_psd"]).passed
    assert check_taylor_exp_gram(namespace["my_taylor_exp_gram"]).passed
    assert check_exp_counterexample(namespace["my_counterexample"]).passed


def test_valid_kernel_question():
    question = valid_kernel_question()
    assert question.check(...).status == "not attempted"
    assert question.check("c").passed and question.check(" C ").passed
    reasons = {
        "a": "1/e - e < 0",
        "b": "converges only where |x x'| < 1",
        "d": "trace 0",
        "e": "k(0, 0) = -1",
    }
    for option, reason in reasons.items():
        feedback = question.check(option)
        assert feedback.status == "failed" and reason in feedback.message, feedback.message
        assert "Hint:" in str(feedback)
    assert "one of" in question.check("z").message
    assert "Only **(c)** is valid" in question.solution().markdown


def test_smallest_eigenvalue_question():
    question = smallest_eigenvalue_question()
    assert question.check(np.exp(-4) - np.exp(4)).passed
    assert question.check(-54.6).passed  # three significant digits are enough
    wrong = {
        54.58: "wrong sign",
        np.exp(-4) + np.exp(4) + 1.0: "determinant",  # any other positive number
        np.exp(-4): "diagonal entry",
        0.0: "not valid",
        -54.5: "round the last digit",  # cut off instead of rounded
    }
    for answer, reason in wrong.items():
        feedback = question.check(answer)
        assert feedback.status == "failed" and reason in feedback.message, (answer, feedback)
        assert "Hint:" in str(feedback)
    assert "-54.58" in question.solution().markdown


def test_feature_count_question():
    question = feature_count_question()
    assert question.check(121).passed
    wrong = {81: "last block only", 120: "i = 0 is missing", 35: "distinct monomials",
             31: "count on the plane", 40: "stops at order 3", 242: "denominator",
             5: "one coordinate per order"}
    for answer, reason in wrong.items():
        feedback = question.check(answer)
        assert feedback.status == "failed" and reason in feedback.message, (answer, feedback)
        assert "Hint:" in str(feedback)
    assert question.check(np.array([121, 121])).status == "failed"
    assert "121" in question.solution().markdown
    # The notebook prints the counts on the plane: the answer for 3-D is not among them.
    assert exp_feature_map(np.ones((1, 3)), 4).shape[1] == 121
    assert 121 not in [exp_feature_map(np.ones((1, 2)), n).shape[1] for n in range(7)]


def test_explore_prompts_hide_their_answers_until_clicked():
    from tp3helpers.exercises.kernels import KERNEL_PROMPTS, kernel_prompt

    for name, (question, answer) in KERNEL_PROMPTS.items():
        widget = kernel_prompt(name)
        text = repr(widget)
        assert question[:30] in widget.children[0].value and answer[:30] not in text
        button, out = widget.children[1], widget.children[2]
        assert not out.outputs
        button.click()
        assert any(answer in output["data"]["text/markdown"] for output in out.outputs)
        widget.close()
    with pytest.raises(ValueError, match="name must be one of"):
        kernel_prompt("nope")
