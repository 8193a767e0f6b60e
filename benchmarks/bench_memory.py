"""Resident memory over 5,000 pipeline frames, 50 variants and tf.function retracing (budget 5);
``--soak``: 10,000 frames at the smallest published variant, RSS/threads/fds flat (issue 6).

Prints the JSON object on stdout and one human-readable line on stderr (`--format text` for
the detailed human lines).  Also ``python main.py bench memory [--soak]``.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from explorer.bench import script_main  # noqa: E402


def _extra(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--variants", type=int, default=None,
                        help="variants to move through (default 50; 0 skips that phase)")
    parser.add_argument("--soak", action="store_true",
                        help="soak: only the frames phase, 10,000 frames at 0.25/128 by default")


if __name__ == "__main__":
    sys.exit(script_main("memory", extra=_extra,
                         runner_kwargs=lambda a: {"variants": a.variants, "soak": a.soak}))
