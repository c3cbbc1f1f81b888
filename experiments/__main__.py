"""``python -m experiments``: the ``provable-rl`` command line."""
from .cli import main

raise SystemExit(main())
