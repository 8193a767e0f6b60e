"""The main window appears, with its layer table filled, before TensorFlow is imported.

The app is started in a fresh process through the real path (main.py -> cli -> run_gui);
the startup probe (explorer.bench.startup_bench) replaces QApplication.exec from outside and
looks at sys.modules at the moment the filled window is shown.
"""

from __future__ import annotations

from explorer.bench.startup_bench import probe_once


def test_window_shown_before_tensorflow_is_imported() -> None:
    record = probe_once(timeout_s=120)
    assert record["found_window"] is True
    assert record["table_rows"] > 0
    assert record["tensorflow_imported_at_show"] is False
    assert record["keras_imported_at_show"] is False
    assert record["exit_status"] == 0
