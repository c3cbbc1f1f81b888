"""Shared plotting helpers: log-log rate panels with confidence bands and reference slopes."""
from __future__ import annotations

import numpy as np

from proofs_check.statistics import loglog_slope


def rate_panel(ax, x, mean, *, lower=None, upper=None, label: str = "", color=None, fit: bool = True):
    """Plot a measured mean curve on log-log axes with an optional band and the fitted slope in the legend."""
    x = np.asarray(x, float)
    mean = np.asarray(mean, float)
    text = label
    if fit and np.all(mean > 0) and x.size >= 2:
        text = f"{label} (slope {loglog_slope(x, mean):.2f})"
    line, = ax.loglog(x, mean, "o-", color=color, label=text, lw=1.5, ms=4)
    if lower is not None and upper is not None:
        ax.fill_between(x, np.maximum(lower, np.finfo(float).tiny), upper, color=line.get_color(), alpha=0.2, lw=0)
    return line


def reference_line(ax, x, exponent: float, *, anchor: float, label: str | None = None, **style):
    """A dashed line ``anchor * (x / x[0]) ** exponent``: the theoretical rate."""
    x = np.asarray(x, float)
    style = {"color": "0.4", "ls": "--", "lw": 1, **style}
    ax.loglog(x, anchor * (x / x[0]) ** exponent, label=label or f"rate $x^{{{exponent:g}}}$", **style)


def mean_interval(values, confidence_z: float = 1.96):
    """Mean and a normal-approximation interval over the last axis."""
    values = np.asarray(values, float)
    mean = values.mean(axis=-1)
    if values.shape[-1] < 2:
        return mean, mean, mean
    half = confidence_z * values.std(axis=-1, ddof=1) / np.sqrt(values.shape[-1])
    return mean, mean - half, mean + half
