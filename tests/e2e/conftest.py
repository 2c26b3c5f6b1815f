"""Fixtures shared by the end-to-end test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.slack_standin import SlackStandIn


@pytest.fixture(scope="module")
def standin() -> Iterator[SlackStandIn]:
    """A local stand-in for Slack's Web API, one per test module."""
    server = SlackStandIn().start()
    yield server
    server.stop()
