"""`python -m bot …` and the `oversight-desk` console script."""

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main())
