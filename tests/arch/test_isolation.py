"""explorer.arch must stay pure: no Qt, no TensorFlow, not even numpy."""

import subprocess
import sys


def test_arch_imports_without_qt_or_tensorflow():
    code = (
        "import sys, explorer.arch, explorer.arch.paper, explorer.arch.export, explorer.cli;"
        "bad = [m for m in ('PySide6', 'tensorflow', 'keras', 'numpy', 'pyqtgraph')"
        " if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
