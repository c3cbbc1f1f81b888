"""Shared plotting helpers: log-log rate panels with confidence bands and reference slopes."""
from __future__ import annotations

import numpy as np

from proofs_check.statistics import loglog_slope

__all__ = ["rate_panel", "reference_line", "mean_interval"]


def rate_panel(ax, x, mean, *, lower=None, upper=None, label: str = "", color=None, fit: bool = True):
    """Plot a measured mean curve on log-log axes with an optional band and the fitted slope in the legend.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw on.
    x : array_like, shape (n,)
        The abscissae (sample sizes, episodes...), positive.
    mean : array_like, shape (n,)
        The measured means.
    lower, upper : array_like, shape (n,), optional
        A band drawn around the curve (both or neither).
    label : str
        The legend entry.
    color : optional
        A matplotlib colour (default: the next of the cycle).
    fit : bool
        Append the least-squares log-log slope (:func:`proofs_check.statistics.loglog_slope`)
        to the label when every mean is positive.

    Returns
    -------
    matplotlib.lines.Line2D
        The curve.
    """
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
    r"""A dashed line :math:`a (x / x_0)^{k}`, the theoretical rate.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes to draw on.
    x : array_like, shape (n,)
        The abscissae; :math:`x_0` is the first.
    exponent : float
        The rate's exponent :math:`k` (``-0.5`` for :math:`1/\sqrt{N}`).
    anchor : float
        The line's value :math:`a` at ``x[0]``.
    label : str, optional
        The legend entry (default ``rate x^k``).
    **style
        matplotlib line options, over a grey dashed default.
    """
    x = np.asarray(x, float)
    style = {"color": "0.4", "ls": "--", "lw": 1, **style}
    ax.loglog(x, anchor * (x / x[0]) ** exponent, label=label or f"rate $x^{{{exponent:g}}}$", **style)


def mean_interval(values, confidence_z: float | None = None, *, confidence: float = 0.95):
    r"""Mean and a Student-t interval of the mean over the last axis.

    The interval is :math:`\bar x \pm t_{n-1}\, s / \sqrt{n}` with :math:`t_{n-1}` the two-sided
    ``confidence`` quantile of Student's t with :math:`n - 1` degrees of freedom (:math:`n` the
    size of the last axis, :math:`s` the sample standard deviation): with few blocks a normal
    quantile (1.96) would draw a band too narrow (:math:`t_1 = 12.7`, :math:`t_3 = 3.18` at 95%).

    Parameters
    ----------
    values : array_like, shape (..., n)
        The replicates, on the last axis.
    confidence_z : float, optional
        Kept for old callers: a normal z-score turned into its two-sided level, so
        ``confidence_z=1.96`` means 95%. Overrides ``confidence``.
    confidence : float
        The two-sided level, in (0, 1).

    Returns
    -------
    mean, lower, upper : numpy.ndarray, shape (...)
        The mean and the interval's ends; with one value the band is the mean itself.

    Examples
    --------
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
