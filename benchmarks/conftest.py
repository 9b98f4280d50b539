"""Shared set-up of the benchmarks (``make bench``; not collected by ``make test``).

Every case is a pytest-benchmark group with an "ours" and a "baseline" benchmark measured in the
same run; ``benchmarks/report.py`` turns the JSON into ratios, targets and the README's tables.
"""

import matplotlib

matplotlib.use("Agg")  # before pyplot: the explorers draw synchronously on an Agg canvas

import pytest  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--quick", action="store_true", help="smoke run: few rounds, small sizes")


@pytest.fixture(scope="session")
def quick(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--quick")
