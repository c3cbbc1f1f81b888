"""Figures: tidy sweep data in, PNG and CSV out. Plotting never reruns an experiment.

A :class:`Figure` names the sweeps whose rows it reads and a ``plot(data, path)`` function that
draws from those rows only. :func:`make_figure` gets the rows through the sweep runner (cached
cells are read from disk, missing ones are computed), writes them as CSV beside the PNG, and
calls ``plot``. Each paper's figures live in ``experiments/<paper>.py`` as a ``FIGURES`` list.
"""
from __future__ import annotations

import csv
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from proofs_check.framework import CLAIM_MODULES, Sweep, run_sweep

DEFAULT_OUTPUT = Path("paper_figures")


@dataclass(frozen=True)
class Figure:
    """A figure built from the rows of one or more sweeps.

    Attributes
    ----------
    name : str
        The id in ``theory/`` (``"LCB-FIG1"``); also the file stem.
    title : str
        One line saying what it shows.
    sweeps : tuple of Sweep
        The data it reads.
    plot : callable (data, path) -> None
        ``data`` maps each sweep's name to its rows; write a PNG at ``path``.
    """

    name: str
    title: str
    sweeps: tuple
    plot: Callable


def all_figures() -> list[Figure]:
    """Every figure of every paper module in ``experiments`` that defines ``FIGURES``."""
    figures = []
    for name in CLAIM_MODULES:
        try:
            module = importlib.import_module(f"experiments.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"experiments.{name}":
                raise
            continue
        figures.extend(getattr(module, "FIGURES", []))
    return figures


def write_csv(rows: list, path: Path) -> None:
    """Rows (dicts) as a CSV with the union of their keys as columns."""
    columns: list = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def make_figure(figure: Figure, budget: str = "quick", output_dir=None, **runner_options) -> Path:
    """Collect the figure's rows (cached or computed), write ``<name>.csv`` and ``<name>.png``."""
    import matplotlib

    matplotlib.use("Agg")
    out = Path(output_dir) if output_dir is not None else DEFAULT_OUTPUT
    out.mkdir(parents=True, exist_ok=True)
    data = {}
    for sweep in figure.sweeps:
        if not isinstance(sweep, Sweep):
            raise TypeError(f"figure {figure.name}: sweeps must be Sweep objects, got {type(sweep).__name__}")
        data[sweep.name] = run_sweep(sweep, budget, **runner_options)
    rows = [{"sweep": name, **row} for name, sweep_rows in data.items() for row in sweep_rows]
    write_csv(rows, out / f"{figure.name}.csv")
    png = out / f"{figure.name}.png"
    figure.plot(data, png)
    return png
