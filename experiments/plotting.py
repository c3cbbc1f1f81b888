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


def mean_interval(values, confidence_z: float | None = None, *, confidence: float = 0.95):
    """Mean and a Student-t interval of the mean over the last axis.

    ``mean +/- t_{n-1} s / sqrt(n)`` with ``t_{n-1}`` the two-sided ``confidence`` quantile of
    Student's t with ``n - 1`` degrees of freedom (``n`` the size of the last axis): with few
    blocks a normal quantile (1.96) would draw a band too narrow (t_1 = 12.7, t_3 = 3.18 at 95%).
    ``confidence_z`` (kept for old callers) is a normal z-score turned into its two-sided level,
    so ``confidence_z=1.96`` means 95%. With one value the band is the mean itself.

    Example
    -------
    >>> mean, lo, hi = mean_interval([[1.0, 3.0]])
    >>> float(mean[0]), round(float(hi[0] - mean[0]), 2)
    (2.0, 12.71)
    """
    import scipy.stats

    if confidence_z is not None:
        if not (np.isfinite(confidence_z) and confidence_z > 0):
            raise ValueError(f"confidence_z: expected a positive z-score, got {confidence_z!r}")
        confidence = 2 * float(scipy.stats.norm.cdf(confidence_z)) - 1
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a number in (0, 1), got {confidence!r}")
    values = np.asarray(values, float)
    mean = values.mean(axis=-1)
    n = values.shape[-1]
    if n < 2:
        return mean, mean, mean
    quantile = float(scipy.stats.t.ppf(0.5 + confidence / 2, df=n - 1))
    half = quantile * values.std(axis=-1, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half
