"""Entry point: ``python run.py <command> ...`` (the same as the ``mixmig`` console script)."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
