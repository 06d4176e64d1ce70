import shutil
import tempfile
from pathlib import Path

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


@pytest.fixture
def public_folder():
    """A folder any user may enter (pytest's own tmp folders are 0700): for a bundle whose
    socket or files another user (nginx's, the app's own) must reach."""
    folder = Path(tempfile.mkdtemp(prefix="host-public-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
