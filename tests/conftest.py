"""Shared test setup: headless Qt, isolated settings and caches, the shared fixtures folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Must happen before anything imports Qt: no display on CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES_DIR = Path(os.environ.get("MOBILENET_FIXTURES", REPO_ROOT.parent / "shared" / "fixtures"))


@pytest.fixture(scope="session", autouse=True)
def _session_engine_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Converted LiteRT models go to one temp folder shared by the whole session (reused
    between tests for speed, never written into the user's ~/.cache)."""
    if "MOBILENET_EXPLORER_CACHE" not in os.environ:
        os.environ["MOBILENET_EXPLORER_CACHE"] = str(tmp_path_factory.mktemp("engine-cache"))


@pytest.fixture(autouse=True)
def _isolated_user_state(tmp_path_factory: pytest.TempPathFactory,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep QSettings and the Keras cache of tests away from the user's real ones."""
    state = tmp_path_factory.mktemp("user-state")
    monkeypatch.setenv("MOBILENET_EXPLORER_SETTINGS", str(state / "settings.ini"))
    monkeypatch.setenv("KERAS_HOME", str(state / "keras"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """The shared weights/photos folder; tests needing it skip when it is absent."""
    if not (FIXTURES_DIR / "SOURCES.md").exists():
        pytest.skip(f"shared fixtures not found at {FIXTURES_DIR} (set MOBILENET_FIXTURES)")
    return FIXTURES_DIR


@pytest.fixture(autouse=True)
def _no_leaked_qthreads(request: pytest.FixtureRequest):
    """Fail any test that leaves a QThread running (the app must stop its workers)."""
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from explorer.threads import running_threads  # imported lazily: Qt only when used

    leaked = running_threads()
    if leaked:
        pytest.fail(f"test left QThreads running: {leaked}")
