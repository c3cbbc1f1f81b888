"""The statistics every claim uses, decided once (DESIGN.md, "Claims").

- ``bound``: count violations k in n independent runs; the claim fails when a one-sided binomial
  test rejects "violation probability <= delta" at level 1e-3. Also report the largest ratio
  measured / bound.
- ``rate``: least-squares slope of log(mean error) on log(x) over >= 5 geometric points, with a
  bootstrap interval over independent replicate blocks; the claim holds when the theoretical
  exponent lies in the interval widened by a stated tolerance (< 1/4, so that -1/2 and -1 are
  told apart).
- ``exact``: absolute and relative tolerance stated in the claim.
- ``order``: a ratio of means with a margin, with a bootstrap interval over seeds.

Each function returns a :class:`Verdict`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.stats

#: Level of the binomial test of a bound claim.
BOUND_TEST_LEVEL = 1e-3
#: Bootstrap resamples for slope and ratio intervals.
N_BOOTSTRAP = 2000
#: Largest tolerance a rate claim may use: half the distance between -1/2 and -1.
MAX_RATE_TOLERANCE = 0.25


@dataclass(frozen=True)
class Verdict:
    """The outcome of one statistical check.

    Attributes
    ----------
    holds : bool
        Whether the claim holds on this evidence.
    statistic : float
        The headline number (violation frequency, slope, max error, ratio).
    interval : tuple of float
        Its confidence interval, or (statistic, statistic) when there is none.
    summary : str
        One line for a table: what was measured against what was expected.
    details : dict
        Everything else worth reporting (k, n, p-value, tightness, per-point means ...).
    """

    holds: bool
    statistic: float
    interval: tuple
    summary: str
    details: dict = field(default_factory=dict)


def bound_verdict(violations, n_runs: int, delta: float, *, ratios=None, level: float = BOUND_TEST_LEVEL) -> Verdict:
    """Binomial test of "P(violation) <= delta" from ``violations`` out of ``n_runs``.

    ``violations`` is a count or a boolean array over runs. The claim fails when
    ``P(Bin(n_runs, delta) >= k) < level``. ``ratios`` (measured / bound per run) adds the
    largest ratio, how tight the bound is.
    """
    k = int(np.sum(violations))
    n = int(n_runs)
    if n < 1:
        raise ValueError(f"n_runs: expected at least one run, got {n_runs}")
    if not 0 < delta < 1:
        raise ValueError(f"delta: expected a number in (0, 1), got {delta}")
    p_value = float(scipy.stats.binom.sf(k - 1, n, delta))  # P(X >= k)
    holds = p_value >= level
    lo, hi = _clopper_pearson(k, n, 0.95)
    details = {"violations": k, "runs": n, "delta": delta, "p_value": p_value}
    tight = ""
    if ratios is not None:
        r = np.asarray(ratios, dtype=float)
        details["max_ratio"] = float(np.max(r))
        tight = f", max measured/bound {details['max_ratio']:.3g}"
    summary = f"{k}/{n} violations (delta {delta:g}, p {p_value:.2g}){tight}"
    return Verdict(holds, k / n, (lo, hi), summary, details)


def _clopper_pearson(k: int, n: int, confidence: float) -> tuple:
    alpha = 1 - confidence
    lo = 0.0 if k == 0 else float(scipy.stats.beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(scipy.stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def loglog_slope(x, y) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    lx = lx - lx.mean()
    return float(lx @ (ly - ly.mean()) / (lx @ lx))


def rate_verdict(x, blocks, exponent: float, tolerance: float, *, rng=0,
                 n_bootstrap: int = N_BOOTSTRAP, confidence: float = 0.95) -> Verdict:
    """Log-log slope of a worst-case mean curve, with a bootstrap interval over replicate blocks.

    Parameters
    ----------
    x : array (n_points,)
        The geometric grid (N, T, 1/epsilon), at least 5 points.
    blocks : array (n_points, n_grid, n_blocks)
        The mean error of each independent replicate block, for each point and each instance of
        a grid over which the worst case is taken (``n_grid = 1`` for a single instance). The
        curve is the **outer max over the grid of the mean over blocks**.
    exponent : float
        The theoretical exponent (e.g. -0.5).
    tolerance : float
        Widening of the interval, at most :data:`MAX_RATE_TOLERANCE`.
    """
    x = np.asarray(x, dtype=float)
    blocks = np.asarray(blocks, dtype=float)
    if blocks.ndim != 3 or blocks.shape[0] != x.size:
        raise ValueError(f"blocks: expected shape (n_points={x.size}, n_grid, n_blocks), got {blocks.shape}")
    if x.size < 5:
        raise ValueError(f"x: expected at least 5 points for a rate, got {x.size}")
    if not 0 <= tolerance <= MAX_RATE_TOLERANCE:
        raise ValueError(f"tolerance: expected a number in [0, {MAX_RATE_TOLERANCE}], got {tolerance}")
    curve = blocks.mean(axis=2).max(axis=1)
    if np.any(curve <= 0):
        return Verdict(False, float("nan"), (float("nan"), float("nan")),
                       "a mean error of 0 at some point: no slope to fit", {"curve": curve.tolist()})
    slope = loglog_slope(x, curve)
    gen = np.random.default_rng(rng)
    n_blocks = blocks.shape[2]
    idx = gen.integers(0, n_blocks, size=(n_bootstrap, x.size, n_blocks))
    # (B, n_points, n_grid): block means resampled per point, then the worst case over the grid.
    resampled = np.take_along_axis(blocks[None], idx[:, :, None, :], axis=3).mean(axis=3).max(axis=2)
    resampled = np.maximum(resampled, np.finfo(float).tiny)
    lx = np.log(x) - np.log(x).mean()
    ly = np.log(resampled)
    slopes = (ly - ly.mean(axis=1, keepdims=True)) @ lx / (lx @ lx)
    alpha = 1 - confidence
    lo, hi = (float(q) for q in np.quantile(slopes, [alpha / 2, 1 - alpha / 2]))
    holds = lo - tolerance <= exponent <= hi + tolerance
    summary = f"slope {slope:.3f} [{lo:.3f}, {hi:.3f}] vs {exponent:g} +/- {tolerance:g}"
    return Verdict(holds, slope, (lo, hi), summary,
                   {"exponent": exponent, "tolerance": tolerance, "x": x.tolist(), "curve": curve.tolist()})


def exact_verdict(measured, expected, *, atol: float, rtol: float = 0.0) -> Verdict:
    """``|measured - expected| <= atol + rtol |expected|`` elementwise; statistic = the worst excess ratio."""
    m = np.asarray(measured, dtype=float)
    e = np.asarray(expected, dtype=float)
    err = np.abs(m - e)
    allowed = atol + rtol * np.abs(e)
    worst = float(np.max(err / allowed)) if err.size else 0.0
    holds = bool(np.all(np.isfinite(m)) and np.all(err <= allowed))
    summary = f"max |error| {float(np.max(err)) if err.size else 0.0:.3g} (atol {atol:g}, rtol {rtol:g})"
    return Verdict(holds, float(np.max(err)) if err.size else 0.0, (0.0, float(np.max(allowed)) if err.size else 0.0),
                   summary, {"worst_error_over_tolerance": worst})


def order_verdict(smaller, larger, *, margin: float, rng=0, n_bootstrap: int = N_BOOTSTRAP,
                  confidence: float = 0.95, label: str = "A / B") -> Verdict:
    """"A is smaller than B by a margin": ``mean(A) / mean(B) <= margin`` with confidence.

    ``smaller`` and ``larger`` are per-seed measurements (paired or not, at least 2 each). The
    bootstrap upper end of the ratio's interval must be at most ``margin`` (e.g. 0.8 for "at
    least 20% fewer").
    """
    a = np.asarray(smaller, dtype=float)
    b = np.asarray(larger, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError(f"smaller, larger: expected at least 2 seeds each, got {a.size} and {b.size}")
    if b.mean() <= 0:
        raise ValueError("larger: expected a positive mean, the ratio's denominator")
    ratio = float(a.mean() / b.mean())
    gen = np.random.default_rng(rng)
    ra = a[gen.integers(0, a.size, size=(n_bootstrap, a.size))].mean(axis=1)
    rb = b[gen.integers(0, b.size, size=(n_bootstrap, b.size))].mean(axis=1)
    ratios = ra / np.maximum(rb, np.finfo(float).tiny)
    alpha = 1 - confidence
    lo, hi = (float(q) for q in np.quantile(ratios, [alpha / 2, 1 - alpha / 2]))
    holds = hi <= margin
    summary = f"{label} = {ratio:.3g} [{lo:.3g}, {hi:.3g}], needs <= {margin:g}"
    return Verdict(holds, ratio, (lo, hi), summary, {"margin": margin, "mean_smaller": float(a.mean()),
                                                     "mean_larger": float(b.mean())})


def all_of(verdicts: dict) -> Verdict:
    """Combine named sub-verdicts of one claim: holds when all hold; the summary lists each."""
    if not verdicts:
        raise ValueError("verdicts: expected at least one")
    names = list(verdicts)
    first = verdicts[names[0]]
    holds = all(vd.holds for vd in verdicts.values())
    summary = "; ".join(f"{k}: {vd.summary}{'' if vd.holds else ' FAIL'}" for k, vd in verdicts.items())
    details = {k: {"holds": vd.holds, "statistic": vd.statistic, "interval": list(vd.interval), **vd.details}
               for k, vd in verdicts.items()}
    return Verdict(holds, first.statistic, first.interval, summary, details)
