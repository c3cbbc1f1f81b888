"""``python -m experiments``: the ``provable-rl`` command line."""
from .cli import main

if __name__ == "__main__":  # worker processes that re-import the main module must not rerun it
    raise SystemExit(main())
