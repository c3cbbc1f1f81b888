"""Shared plotting helpers: log-log rate panels with confidence bands and reference slopes."""
from __future__ import annotations

import numpy as np

from proofs_check.statistics import _flag, _real, _real_array, loglog_slope

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
    x = _abscissae(x)
    # (a NaN or inf mean is drawn as a gap, not an error)
    mean = _curve("mean", mean, x)
    lower = None if lower is None else _curve("lower", lower, x)
    upper = None if upper is None else _curve("upper", upper, x)
    _axes(ax)
    if not isinstance(label, str):
        raise TypeError(f"label: expected a str, got {label!r}")
    _flag("fit", fit)
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
    x = _abscissae(x)
    _axes(ax)
    exponent = _real("exponent", exponent)
    anchor = _real("anchor", anchor, low=0.0, open_low=True)
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label: expected a str or None, got {label!r}")
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

    # (NaN replicates give a NaN mean: drawn as a gap)
    values = _real_array("values", values, finite=False, nan=True, bools=True)
    if values.ndim == 0 or values.shape[-1] == 0:
        raise ValueError(f"values: expected at least one replicate on the last axis, got shape {values.shape}")
    if confidence_z is not None:
        _real("confidence_z", confidence_z, low=0.0, open_low=True)
        if not (np.isfinite(confidence_z) and confidence_z > 0):
            raise ValueError(f"confidence_z: expected a positive z-score, got {confidence_z!r}")
        confidence = 2 * float(scipy.stats.norm.cdf(confidence_z)) - 1
    _real("confidence", confidence, low=0.0, high=1.0, open_low=True, open_high=True)
    values = np.asarray(values, float)
    mean = values.mean(axis=-1)
    n = values.shape[-1]
    if n < 2:
        return mean, mean, mean
    quantile = float(scipy.stats.t.ppf(0.5 + confidence / 2, df=n - 1))
    half = quantile * values.std(axis=-1, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def _abscissae(x) -> np.ndarray:
    x = _real_array("x", x, ndim=1)
    if x.size == 0 or not np.all(x > 0):
        raise ValueError(f"x: expected positive abscissae for a log-log axis, got {x.tolist()}")
    return x


def _curve(name: str, values, x: np.ndarray) -> np.ndarray:
    values = _real_array(name, values, ndim=1, finite=False, nan=True)
    if values.shape != x.shape:
        raise ValueError(f"{name}: expected shape {x.shape} (that of x), got {values.shape}")
    return values


def _axes(ax) -> None:
    if not (hasattr(ax, "loglog") and hasattr(ax, "fill_between")):
        raise TypeError(f"ax: expected matplotlib axes, got {type(ax).__name__}")
