"""Launch MobileNet Explorer: ``python main.py`` opens the window, subcommands serve scripts."""

import sys

from explorer.cli import main

if __name__ == "__main__":
    sys.exit(main())
