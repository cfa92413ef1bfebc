"""Runtime tests: every test runs on both backends (the ``backend`` fixture
from tests/conftest.py), and none may hang: a watchdog ends the test session
with a traceback dump if a single test takes longer than WATCHDOG seconds."""

import faulthandler

import pytest

WATCHDOG = 60


@pytest.fixture(autouse=True)
def _watchdog():
    faulthandler.dump_traceback_later(WATCHDOG, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
