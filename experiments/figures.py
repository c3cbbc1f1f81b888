"""Figures: tidy sweep data in, PNG and CSV out. Plotting never reruns an experiment.

A :class:`Figure` names the sweeps whose rows it reads and a ``plot(data, path)`` function that
draws from those rows only. :func:`make_figure` gets the rows through the sweep runner (cached
cells are read from disk, missing ones are computed), writes them as CSV beside the PNG, and
calls ``plot``. Each paper's figures live in ``experiments/<paper>.py`` as a ``FIGURES`` list;
:func:`register_figure` adds others (a user's own, or a test's).
"""
from __future__ import annotations

import contextlib
import csv
import fnmatch
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from proofs_check import framework
from proofs_check.framework import CLAIM_MODULES, SelectionError, Sweep, run_sweep  # noqa: F401  (CLAIM_MODULES: public name)

__all__ = ["Figure", "register_figure", "unregister_figure", "registered_figures", "all_figures", "select_figures",
           "write_csv", "figure_data", "make_figure"]

#: Where :func:`make_figure` writes when no ``output_dir`` is given.
DEFAULT_OUTPUT = Path("paper_figures")


@dataclass(frozen=True)
class Figure:
    """A figure built from the rows of one or more sweeps.

    Parameters
    ----------
    name : str
        The figure's id (``"LCB-FIG1"``), as the paper's theory page names it; also the file stem.
    title : str
        One line saying what it shows.
    sweeps : tuple of Sweep
        The data it reads.
    plot : callable (data, path) -> None
        ``data`` maps each sweep's name to its rows; write a PNG at ``path``.

    Examples
    --------
    A figure of a user's own sweep (see :func:`register_figure` to add it to ``provable-rl
    figures``)::

        def plot(data, path):
            import matplotlib.pyplot as plt
            rows = data["my.sweep"]
            fig, ax = plt.subplots()
            ax.loglog([r["n_samples"] for r in rows], [r["error"] for r in rows], "o-")
            fig.savefig(path)
            plt.close(fig)

        figure = Figure("MY-FIG1", "error against the sample size", (my_sweep,), plot)
    """

    name: str
    title: str
    sweeps: tuple
    plot: Callable

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or "/" in self.name or "\\" in self.name:
            raise ValueError(f"name: expected a non-empty file stem, got {self.name!r}")
        sweeps = tuple(self.sweeps) if isinstance(self.sweeps, (list, tuple)) else (self.sweeps,)
        for sweep in sweeps:
            if not isinstance(sweep, Sweep):
                raise TypeError(f"figure {self.name}: sweeps must be Sweep objects, got {type(sweep).__name__}")
        object.__setattr__(self, "sweeps", sweeps)
        if not callable(self.plot):
            raise TypeError(f"figure {self.name}: plot must be a callable (data, path) -> None")


_EXTRA: dict[str, Figure] = {}


def register_figure(figure: Figure) -> Figure:
    """Add a figure that is not in a paper module's ``FIGURES`` (names are unique).

    Parameters
    ----------
    figure : Figure
        The figure to add.

    Returns
    -------
    Figure
        ``figure`` (so the call can decorate an assignment).
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure: expected a Figure, got {type(figure).__name__}")
    old = _EXTRA.get(figure.name)
    if old is not None and old is not figure:
        raise ValueError(f"figure: name {figure.name!r} is registered twice")
    _EXTRA[figure.name] = figure
    return figure


def unregister_figure(figure) -> Figure:
    """Remove a figure added by :func:`register_figure`.

    Parameters
    ----------
    figure : Figure or str
        The figure or its name.

    Returns
    -------
    Figure
        The figure removed.
    """
    name = figure.name if isinstance(figure, Figure) else figure
    try:
        return _EXTRA.pop(name)
    except KeyError:
        raise SelectionError(f"figure: no registered figure {name!r}") from None


@contextlib.contextmanager
def registered_figures(*figures: Figure):
    """Register ``figures`` for the duration of a ``with`` block.

    Parameters
    ----------
    *figures : Figure
        The figures to add; the registry is restored on exit.

    Yields
    ------
    tuple of Figure
        ``figures``.
    """
    for figure in figures:
        if not isinstance(figure, Figure):
            raise TypeError(f"figures: expected Figure objects, got {figure!r}")
    saved = dict(_EXTRA)
    try:
        for figure in figures:
            register_figure(figure)
        yield figures
    finally:
        _EXTRA.clear()
        _EXTRA.update(saved)


def all_figures() -> list[Figure]:
    """Every figure of every paper module in ``experiments`` that defines ``FIGURES``, then the
    registered ones (only the registered ones inside ``proofs_check.isolated_registry``).

    Returns
    -------
    list of Figure
        In paper order, then in order of registration.
    """
    figures = []
    for name in framework.paper_modules():
        try:
            module = importlib.import_module(f"experiments.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"experiments.{name}":
                raise
            continue
        figures.extend(getattr(module, "FIGURES", []))
    figures.extend(f for f in _EXTRA.values() if all(f is not g for g in figures))
    return figures


def select_figures(patterns=None) -> list[Figure]:
    """Figures whose name matches any of the fnmatch ``patterns``.

    Parameters
    ----------
    patterns : str or list of str, optional
        fnmatch patterns on the names (``"LCB-FIG*"``); all figures when None or empty.

    Returns
    -------
    list of Figure
        The matching figures.

    Raises
    ------
    proofs_check.SelectionError
        When no figure matches.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    if patterns is not None:
        if isinstance(patterns, (bytes, dict)):
            raise TypeError(f"patterns: expected None, a str or a list of str, got {patterns!r}")
        try:
            patterns = list(patterns)
        except TypeError:
            raise TypeError(f"patterns: expected None, a str or a list of str, got {patterns!r}") from None
        if not all(isinstance(p, str) for p in patterns):
            raise TypeError(f"patterns: expected None, a str or a list of str, got {patterns!r}")
    figures = all_figures()
    if not patterns:
        return figures
    chosen = [f for f in figures if any(fnmatch.fnmatchcase(f.name, p) for p in patterns)]
    if not chosen:
        raise SelectionError(f"patterns: no figure matches {list(patterns)}; "
                         f"known: {', '.join(f.name for f in figures) or 'none'}")
    return chosen


def write_csv(rows: list, path: Path) -> None:
    """Write rows (dicts) as a CSV with the union of their keys as columns.

    Parameters
    ----------
    rows : list of dict
        The rows; a key missing from a row leaves its cell empty.
    path : str or pathlib.Path
        The file to write (its folder is created).
    """
    if rows is None or isinstance(rows, (str, bytes, dict)) or not hasattr(rows, "__iter__") or \
            not all(isinstance(r, dict) for r in rows):
        raise TypeError(f"rows: expected a list of dicts, got {str(rows)[:200]}")
    path = _check_path("path", path)
    columns: list = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def figure_data(figure: Figure, budget: str = "quick", **runner_options) -> dict:
    """The rows of the figure's sweeps (cached cells read, missing ones computed).

    Parameters
    ----------
    figure : Figure
        The figure.
    budget : {"smoke", "quick", "full"}
        The sweep budget.
    **runner_options
        Passed to :func:`proofs_check.run_sweep`.

    Returns
    -------
    dict
        ``{sweep name: list of rows}``.
    """
    _check_figure(figure, budget)
    return {sweep.name: run_sweep(sweep, budget, **runner_options) for sweep in figure.sweeps}


def make_figure(figure: Figure, budget: str = "quick", output_dir=None, **runner_options) -> Path:
    """Collect the figure's rows (cached or computed), write ``<name>.csv`` and ``<name>.png``.

    The matplotlib backend is left as it is (the command line selects Agg), so the figure also
    shows in a notebook.

    Parameters
    ----------
    figure : Figure
        The figure.
    budget : {"smoke", "quick", "full"}
        The sweep budget.
    output_dir : str or pathlib.Path, optional
        Where to write (default ``paper_figures``).
    **runner_options
        Passed to :func:`proofs_check.run_sweep` (``seed``, ``jobs``, ``backend``,
        ``cache_dir``, ``use_cache``, ``progress``).

    Returns
    -------
    pathlib.Path
        The PNG written.
    """
    _check_figure(figure, budget)
    out = _check_path("output_dir", output_dir) if output_dir is not None else DEFAULT_OUTPUT
    out.mkdir(parents=True, exist_ok=True)
    data = figure_data(figure, budget, **runner_options)
    rows = [{"sweep": name, **row} for name, sweep_rows in data.items() for row in sweep_rows]
    write_csv(rows, out / f"{figure.name}.csv")
    png = out / f"{figure.name}.png"
    figure.plot(data, png)
    if not png.exists():
        raise RuntimeError(f"figure {figure.name}: plot did not write {png}")
    return png


def _check_figure(figure, budget) -> None:
    from proofs_check.framework import BUDGETS

    if not isinstance(figure, Figure):
        raise TypeError(f"figure: expected an experiments.figures.Figure, got {figure!r}")
    if not isinstance(budget, str) or budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")


def _check_path(name: str, value) -> Path:
    if not isinstance(value, (str, os.PathLike)) or str(value) == "":
        raise TypeError(f"{name}: expected a path (str or os.PathLike), got {value!r}")
    if "\0" in str(value):
        raise ValueError(f"{name}: the path contains a NUL character: {value!r}")
    return Path(value)
