"""`python -m gates` and the installed `foundation-gates` command."""

import sys

from gates.cli import main


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
