"""Serial vs overlapped preprocessing + LiteRT inference (the experiment behind budget 3).

Prints the JSON object on stdout and one human-readable line on stderr (`--format text` for
the detailed human lines).  Same as `python main.py bench overlap`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from explorer.bench import script_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(script_main("overlap"))
