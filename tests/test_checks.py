"""The visible checks: a prediction is stated with its tolerance before the measurement."""

import pytest

from tp3helpers.checks import predict


def test_prediction_is_printed_before_the_measurement(capsys):
    prediction = predict("steps to 1e-6", 691.2, rtol=0.05)
    assert capsys.readouterr().out == "Prediction: steps to 1e-6 = 691 (within 5%)\n"
    measured = prediction.check(688)
    assert measured == 688
    assert capsys.readouterr().out == (
        "steps to 1e-6: predicted 691 (within 5%), measured 688 ✓\n"
    )


@pytest.mark.parametrize(
    ("tolerance", "inside", "outside"),
    [
        (dict(rtol=0.1), 105.0, 111.0),
        (dict(atol=2), 98.0, 97.9),
        (dict(at_least=50), 50.0, 49.9),
        (dict(at_most=120), 120.0, 120.1),
        (dict(at_least=50, at_most=120), 60.0, 121.0),
    ],
)
def test_each_kind_of_tolerance_passes_inside_and_fails_outside(capsys, tolerance, inside, outside):
    prediction = predict("count", 100.0, **tolerance)
    prediction.check(inside)
    with pytest.raises(AssertionError, match=r"count: predicted 100 .* ✗ \(allowed"):
        prediction.check(outside)


@pytest.mark.parametrize(
    "tolerance",
    [{}, dict(rtol=0.1, atol=1), dict(rtol=-0.1), dict(atol=float("nan")),
     dict(at_least=5, at_most=1)],
)
def test_a_prediction_needs_exactly_one_sensible_tolerance(tolerance):
    with pytest.raises(ValueError):
        predict("count", 100.0, **tolerance)


def test_a_prediction_must_be_a_finite_number():
    with pytest.raises(ValueError, match="value must be a finite number"):
        predict("count", float("inf"), rtol=0.1)


def test_whole_numbers_print_in_full(capsys):
    """A count of steps reads as a count: 1927, not 1.93e+03; other numbers keep three digits."""
    count = predict("gradient descent, steps to 1e-4", 1927, at_most=1927)
    count.check(1336)
    predict("a rate", 0.99523, rtol=0.01)
    out = capsys.readouterr().out
    assert "= 1927 (at most 1927)" in out and "measured 1336 ✓" in out
    assert "= 0.995 (within 1%)" in out
