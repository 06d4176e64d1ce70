import pytest

from tests.bundle import Bundle


@pytest.fixture
def bundle(tmp_path):
    """A fresh project copy on a free port; stopped and cleaned up after the test."""
    created = Bundle.create(tmp_path)
    yield created
    created.cleanup()
