"""The agent's sampling period follows the scaling profile unless ``--metrics-interval`` is given."""

from __future__ import annotations

import pytest

from dockyard.cli import _parser
from dockyard.cli_agent import metrics_interval


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["up"], 2.0),
        (["up", "--scaling-profile", "aws"], 10.0),
        (["up", "--metrics-interval", "5"], 5.0),
        (["up", "--metrics-interval", "0"], 0.0),
        (["agent", "--endpoint", "http://127.0.0.1:1", "--cluster", "c"], 10.0),
        (["agent", "--endpoint", "http://127.0.0.1:1", "--cluster", "c", "--metrics-interval", "1"], 1.0),
    ],
    ids=["up-fast", "up-aws", "up-explicit", "up-off", "agent", "agent-explicit"],
)
def test_metrics_interval(argv: list[str], expected: float) -> None:
    assert metrics_interval(_parser().parse_args(argv)) == expected
