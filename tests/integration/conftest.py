import pytest

from devkit.bundle import Bundle
from devkit.sandbox import tools_state


@pytest.fixture(autouse=True)
def checkout_untouched():
    """No integration test may change the checkout's node_modules or .venv install markers
    (a copy's `npm ci` through a link once emptied node_modules)."""
    before = tools_state()
    yield
    assert tools_state() == before, "the test changed the checkout's node_modules or .venv"


@pytest.fixture
def bundle(tmp_path):
    """A fresh project copy on a free port; stopped and cleaned up after the test."""
    created = Bundle.create(tmp_path)
    yield created
    created.cleanup()
