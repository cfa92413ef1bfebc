"""Shared fixtures: every test that runs processes can ask for each backend."""

import pytest

BACKENDS = ["greenlet", "threads"]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param
