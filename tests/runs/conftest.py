"""Fixtures of the run tests: a stubbed Glue client behind gluegen's AWS connection, and a clock that does not sleep."""

from __future__ import annotations

import pytest

from generator.adopt import read
from generator.runs import commands, watch
from recorded import FakeClock, Glue


@pytest.fixture
def glue(monkeypatch, aws_env):
    stubbed = Glue.create()
    regions = []

    def connect(region=None, profile=None, endpoint_url=None):
        regions.append(region)
        return stubbed.connection()

    monkeypatch.setattr(read, "connect", connect)
    stubbed.regions = regions
    yield stubbed
    stubbed.stubber.deactivate()


@pytest.fixture
def clock(monkeypatch):
    from datetime import datetime, timezone

    fake = FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(commands, "CLOCK", watch.Clock(fake.monotonic, fake.sleep, fake.now))
    return fake
