"""Slider-to-screen p50/p95 while a 30 fps stream plays into the Classify view (issue 5, budget 1).

Prints the JSON object on stdout and one human-readable line on stderr (`--format text` for
the detailed human lines).  Same as `python main.py bench stream`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from explorer.bench import script_main  # noqa: E402

if __name__ == "__main__":
    sys.exit(script_main("stream"))
