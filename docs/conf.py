"""Sphinx configuration of the provable_rl documentation.

Build with ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (what CI runs).
Two pages are generated here, at configuration time, from the code and the committed data:
``catalogue.md`` (every claim, its panel and its measured rates, from the registry and
``paper_figures/calibration_quick.json``) and ``cli.md`` (the command line's help). The
notebooks are copied from ``notebooks/`` into ``docs/notebooks/`` and executed by myst-nb at the
smoke budget (``PROVABLE_RL_DOCS_EXECUTE=off`` renders the committed outputs instead).
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))

import provable_rl  # noqa: E402
from _generate import write_generated_pages  # noqa: E402

project = "provable_rl"
author = "the provable_rl developers"
copyright = "2026, the provable_rl developers"
release = provable_rl.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# The figures, the notebooks and the catalogue run with a non-interactive backend and a
# throw-away cache, so building the docs never touches the user's cache.
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["PROVABLE_RL_BUDGET"] = os.environ.get("PROVABLE_RL_DOCS_BUDGET", "smoke")
os.environ.setdefault("PROVABLE_RL_CACHE", str(DOCS / "_build" / "cache"))

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off" if os.environ.get("PROVABLE_RL_DOCS_EXECUTE") == "off" else "force"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True

autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

html_theme = "pydata_sphinx_theme"
html_title = f"provable_rl {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
}
html_static_path = []

nitpicky = False


def _copy_notebooks() -> None:
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copyfile(notebook, target / notebook.name)


_copy_notebooks()
write_generated_pages(DOCS)
