"""Set-up of the benchmarks (``make bench``, not ``make test``): each case is a pytest-benchmark
group of "ours" and "baseline", timed in one run; ``report.py`` turns the JSON into tables."""

import matplotlib

matplotlib.use("Agg")  # before pyplot: the explorers draw synchronously on an Agg canvas

import pytest  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--quick", action="store_true", help="smoke run: few rounds, small sizes")


@pytest.fixture(scope="session")
def quick(request: pytest.FixtureRequest) -> bool:
    return request.config.getoption("--quick")
