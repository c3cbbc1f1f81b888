r"""The statistics every claim uses, one per kind of claim, decided once for the whole library.

Each function returns a :class:`Verdict` (holds or not, a headline statistic, its interval, a
one-line summary and details).

- ``bound`` (:func:`bound_verdict`): a high-probability bound "the error exceeds the bound with
  probability at most :math:`\delta`". Count the violations :math:`k` in :math:`n` independent
  runs; the claim fails when the one-sided binomial test rejects
  :math:`P(\text{violation}) \le \delta`, i.e. when :math:`P(\mathrm{Bin}(n, \delta) \ge k) <
  10^{-3}`. The largest ratio measured / bound says how tight the bound is.
- ``rate`` (:func:`rate_verdict`): the least-squares slope of :math:`\log(\text{mean error})` on
  :math:`\log x` over at least 5 geometric points, with a bootstrap interval over at least 4
  independent replicate blocks; the claim holds when the theoretical exponent lies in the
  interval widened by a stated tolerance :math:`\tau \le 1/4` (so that :math:`-1/2` and
  :math:`-1` are told apart). The check is *inconclusive, hence failing*, when there are fewer
  than 4 blocks, when some resample has a zero worst-case mean error, or when the interval is
  wider than :math:`2\tau`: otherwise noisier evidence would pass more easily.
- ``exact`` (:func:`exact_verdict`): :math:`|m - e| \le \text{atol} + \text{rtol}\,|e|`
  elementwise, with tolerances stated in the claim.
- ``order`` (:func:`order_verdict`): a ratio of means :math:`\bar A / \bar B` at most a margin,
  with a bootstrap interval over seeds.

:func:`all_of` combines the sub-verdicts of a claim that asserts several things.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.stats

__all__ = [
    "BOUND_TEST_LEVEL",
    "N_BOOTSTRAP",
    "MAX_RATE_TOLERANCE",
    "MIN_RATE_BLOCKS",
    "Verdict",
    "bound_verdict",
    "loglog_slope",
    "rate_verdict",
    "exact_verdict",
    "order_verdict",
    "all_of",
]

#: Level of the binomial test of a bound claim.
BOUND_TEST_LEVEL = 1e-3
#: Bootstrap resamples for slope and ratio intervals.
N_BOOTSTRAP = 2000
#: Largest tolerance a rate claim may use: half the distance between -1/2 and -1.
MAX_RATE_TOLERANCE = 0.25
#: Fewest replicate blocks a rate claim may bootstrap over; fewer is inconclusive (a failing verdict).
MIN_RATE_BLOCKS = 4


# ------------------------------------------------------------------------------------------
# Argument checks shared by the public functions (and by proofs_check.calibration and the
# experiments' report and plotting): a bool is not a number, a string is not a number, complex
# is not real; the message names the argument and shows the value.
# ------------------------------------------------------------------------------------------

#: The largest int a size or a count may take (the bootstrap allocates n_bootstrap x points x blocks).
MAX_SIZE = 2**31


def _is_real_scalar(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _real(name: str, value, *, low=None, high=None, open_low: bool = False, open_high: bool = False,
          finite: bool = True) -> float:
    """``value`` as a float, checked: a real number (not a bool, a string or complex), finite, in range."""
    if not _is_real_scalar(value):
        raise TypeError(f"{name}: expected a real number, got {value!r} ({type(value).__name__})")
    x = float(value)
    if np.isnan(x) or (finite and not np.isfinite(x)):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    if low is not None and (x < low or (open_low and x == low)):
        raise ValueError(f"{name}: expected a number {'>' if open_low else '>='} {low}, got {value!r}")
    if high is not None and (x > high or (open_high and x == high)):
        raise ValueError(f"{name}: expected a number {'<' if open_high else '<='} {high}, got {value!r}")
    return x


def _int(name: str, value, *, low: int = 0, high: int = MAX_SIZE) -> int:
    """``value`` as an int in ``[low, high]`` (a bool or a float is not an int)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {value!r} ({type(value).__name__})")
    if not low <= int(value) <= high:
        raise ValueError(f"{name}: expected an int in [{low}, {high}], got {value!r}")
    return int(value)


def _flag(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected a bool, got {value!r} ({type(value).__name__})")
    return bool(value)


def _real_array(name: str, value, *, ndim=None, finite: bool = True, nan: bool = False,
                bools: bool = False) -> np.ndarray:
    """``value`` as a float array: real numbers (not bools unless ``bools``, strings, complex or
    objects), finite (or, with ``finite=False``, +-inf allowed and NaN only with ``nan=True``), of
    ``ndim`` axes."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise TypeError(f"{name}: expected an array of real numbers, got {value!r}")
    try:
        arr = np.asarray(value)
    except ValueError as err:  # ragged nesting
        raise ValueError(f"{name}: expected an array of real numbers, got a ragged {type(value).__name__}") from err
    if arr.dtype == object:
        if not all(_is_real_scalar(v) or (bools and isinstance(v, (bool, np.bool_))) for v in arr.ravel()):
            raise TypeError(f"{name}: expected an array of real numbers, got {value!r}")
        arr = arr.astype(float)
    if arr.dtype.kind not in ("biuf" if bools else "iuf"):
        raise TypeError(f"{name}: expected an array of real numbers, got dtype {arr.dtype} ({value!r})")
    arr = arr.astype(float)
    if ndim is not None and arr.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"{name}: expected {ndim} axes, got shape {arr.shape}")
    if (finite and not np.all(np.isfinite(arr))) or (not nan and np.any(np.isnan(arr))):
        raise ValueError(f"{name}: expected {'finite values' if finite else 'no NaN'}, got {value!r}")
    return arr


def _rng(name: str, rng):
    """``rng`` checked: None, a non-negative int (not a bool), a Generator, BitGenerator or SeedSequence."""
    if rng is None or isinstance(rng, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise TypeError(f"{name}: expected None, a non-negative int seed or a numpy Generator, got {rng!r}")
    return rng


@dataclass(frozen=True)
class Verdict:
    """The outcome of one statistical check.

    Parameters
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
    r"""Binomial test of "P(violation) <= delta" from ``violations`` out of ``n_runs``.

    With :math:`k` violations in :math:`n` runs, the p-value is

    .. math::

        p = P(\mathrm{Bin}(n, \delta) \ge k) = \sum_{j=k}^{n} \binom{n}{j} \delta^j (1-\delta)^{n-j},

    and the claim fails when :math:`p < \text{level}`. The interval is the 95% Clopper-Pearson
    interval of the violation probability (see
    :func:`proofs_check.calibration.clopper_pearson`).

    Parameters
    ----------
    violations : int or array of bool
        The number of runs whose error exceeded the bound, or one flag (bool or 0/1) per run.
    n_runs : int
        The number of independent runs :math:`n` (the size of ``violations`` when it is an array).
    delta : float
        The failure probability the bound allows, in (0, 1).
    ratios : array of float, optional
        Measured / bound per run: adds the largest ratio (how tight the bound is) to the summary
        and ``details["max_ratio"]``.
    level : float
        Level of the test (default :data:`BOUND_TEST_LEVEL`, :math:`10^{-3}`).

    Returns
    -------
    Verdict
        Statistic :math:`k / n`; ``details`` holds ``violations``, ``runs``, ``delta``,
        ``p_value``, ``level`` (and ``max_ratio``).

    Examples
    --------
    >>> bound_verdict(3, 100, 0.1).holds, bound_verdict(30, 100, 0.1).holds
    (True, False)
    """
    if isinstance(n_runs, bool) or not isinstance(n_runs, (int, np.integer)) or n_runs < 1:
        raise ValueError(f"n_runs: expected a positive int, got {n_runs!r}")
    n = _int("n_runs", n_runs, low=1, high=2**53)
    _real("delta", delta, low=0.0, high=1.0, open_low=True, open_high=True)
    _real("level", level, low=0.0, high=1.0, open_low=True, open_high=True)
    if isinstance(violations, (bool, np.bool_, str, bytes, dict)) or violations is None:
        raise TypeError(f"violations: expected a count or per-run flags, got {violations!r}")
    try:
        v = np.asarray(violations)
    except ValueError:  # a ragged sequence
        raise ValueError(f"violations: expected a count or a 1-d array of per-run flags, got a ragged sequence "
                         f"{violations!r}") from None
    if v.dtype.kind not in "biuf":
        raise TypeError(f"violations: expected a count or booleans/0-1 per run, got dtype {v.dtype}")
    if v.ndim > 1:
        raise ValueError(f"violations: expected a count or a 1-d array of per-run flags, got shape {v.shape}")
    if v.ndim > 0:
        if v.size != n:
            raise ValueError(f"violations: expected {n} per-run flags (n_runs), got {v.size}")
        if v.dtype != bool and not np.all((v == 0) | (v == 1)):
            raise ValueError("violations: expected a count or booleans/0-1 per run")
    elif not (np.isfinite(v) and float(v) == int(v)):
        raise ValueError(f"violations: expected an integer count, got {violations!r}")
    k = int(np.sum(v))
    if not 0 <= k <= n:
        raise ValueError(f"violations: expected a count in [0, n_runs={n}], got {k}")
    p_value = float(scipy.stats.binom.sf(k - 1, n, delta))  # P(X >= k)
    holds = p_value >= level
    lo, hi = _clopper_pearson(k, n, 0.95)
    details = {"violations": k, "runs": n, "delta": delta, "p_value": p_value, "level": level}
    tight = ""
    if ratios is not None:
        r = _real_array("ratios", ratios, ndim=(0, 1), finite=False)
        if r.size == 0:
            raise ValueError("ratios: expected at least one measured/bound ratio")
        details["max_ratio"] = float(np.max(r))
        tight = f", max measured/bound {details['max_ratio']:.3g}"
    summary = f"{k}/{n} violations (delta {delta:g}, p {p_value:.2g}){tight}"
    return Verdict(bool(holds), k / n, (lo, hi), summary, details)


def _clopper_pearson(k: int, n: int, confidence: float) -> tuple:
    alpha = 1 - confidence
    lo = 0.0 if k == 0 else float(scipy.stats.beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(scipy.stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def loglog_slope(x, y) -> float:
    r"""Least-squares slope of :math:`\log y` on :math:`\log x`.

    With :math:`u_i = \log x_i - \overline{\log x}` and :math:`v_i = \log y_i`,

    .. math::

        \hat\beta = \frac{\sum_i u_i (v_i - \bar v)}{\sum_i u_i^2},

    the exponent of the power law :math:`y \approx C x^{\beta}` that fits best in log-log scale.

    Parameters
    ----------
    x : array_like (n,)
        Positive finite points, at least two distinct.
    y : array_like (n,)
        Positive finite values, same length as ``x``.

    Returns
    -------
    float
        The slope :math:`\hat\beta`.

    Examples
    --------
    >>> round(loglog_slope([1, 10, 100], [1.0, 0.1, 0.01]), 6)
    -1.0
    """
    x, y = _real_array("x", x, finite=False, nan=True), _real_array("y", y, finite=False, nan=True)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError(f"x, y: expected two 1-d arrays of the same length >= 2, got {x.shape} and {y.shape}")
    if np.any(~(x > 0)) or np.any(~(y > 0)) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x, y: expected positive finite values for a log-log slope")
    lx, ly = np.log(x), np.log(y)
    lx = lx - lx.mean()
    if not lx @ lx > 0:
        raise ValueError("x: expected at least two distinct values")
    return float(lx @ (ly - ly.mean()) / (lx @ lx))


def rate_verdict(x, blocks, exponent: float, tolerance: float, *, rng=0,
                 n_bootstrap: int = N_BOOTSTRAP, confidence: float = 0.95, alternative: str = "two-sided",
                 competitors=()) -> Verdict:
    r"""Log-log slope of a worst-case mean curve, with a bootstrap interval over replicate blocks.

    With :math:`e_{p,g,b}` the mean error of block :math:`b` at point :math:`x_p` on grid
    instance :math:`g`, the curve is the worst case over the grid of the mean over blocks,

    .. math::

        y_p = \max_g \frac{1}{B} \sum_{b=1}^{B} e_{p,g,b},

    and the statistic is its log-log slope :math:`\hat\beta` (:func:`loglog_slope`). The
    interval :math:`[\ell, h]` holds the :math:`\alpha/2` and :math:`1-\alpha/2` quantiles of
    the slopes of ``n_bootstrap`` resampled curves, each drawing :math:`B` blocks with
    replacement independently at every point (:math:`\alpha = 1 - \text{confidence}`). The
    claim holds when :math:`\ell - \tau \le \beta \le h + \tau` (two-sided) or :math:`h \le
    \beta + \tau` (at most), where :math:`\beta` is ``exponent`` and :math:`\tau` the
    ``tolerance``.

    Parameters
    ----------
    x : array (n_points,)
        The geometric grid (N, T, 1/epsilon), at least 5 points.
    blocks : array (n_points, n_grid, n_blocks)
        The mean error of each independent replicate block, for each point and each instance of
        a grid over which the worst case is taken (``n_grid = 1`` for a single instance). The
        curve is the **outer max over the grid of the mean over blocks**. At least
        :data:`MIN_RATE_BLOCKS` blocks, else the verdict fails as inconclusive.
    exponent : float
        The theoretical exponent (e.g. -0.5).
    tolerance : float
        Widening of the interval, at most :data:`MAX_RATE_TOLERANCE`.
    rng : int or Generator
        Seed of the bootstrap (the verdict is reproducible).
    n_bootstrap : int
        Bootstrap resamples, at least 100 (default :data:`N_BOOTSTRAP`).
    confidence : float
        Level of the bootstrap interval, in (0, 1) (default 0.95).
    alternative : {"two-sided", "at_most"}
        ``"two-sided"``: the slope is ``exponent`` (an identity-like rate). ``"at_most"``: the curve
        grows no faster than ``x ** exponent`` (what an upper bound such as :math:`\sqrt{T}` regret
        asserts; a slower growth, e.g. log T, is consistent with it).
    competitors : sequence of float
        The plausible wrong exponents the check must tell apart from ``exponent`` (for a
        :math:`1/\sqrt{N}` rate: -1/3 and -1; for :math:`\sqrt{T}` regret: 2/3 and 1). Each must lie outside the
        bootstrap interval ``[lo, hi]`` itself (not widened by the tolerance): a claim whose
        interval still contains a competitor has not resolved the exponent and fails.

    Returns
    -------
    Verdict
        Two-sided: holds when ``lo - tolerance <= exponent <= hi + tolerance`` for the bootstrap
        interval ``(lo, hi)``. At most: holds when the whole interval is below the band's top,
        ``hi <= exponent + tolerance``. Fails as *inconclusive* (summary starts with "inconclusive") when
        ``n_blocks < MIN_RATE_BLOCKS``, when a resample has a worst-case mean of 0 at some point,
        or when ``hi - lo > 2 * tolerance``. With ``competitors``, also fails when one of them is
        inside ``[lo, hi]``; the summary names the competitors excluded and those not.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([100, 200, 400, 800, 1600])
    >>> noise = 1 + 0.05 * np.random.default_rng(0).standard_normal((5, 1, 8))
    >>> blocks = x[:, None, None] ** -0.5 * noise
    >>> rate_verdict(x, blocks, -0.5, 0.1, competitors=(-1/3, -1)).holds, rate_verdict(x, blocks, -1.0, 0.25).holds
    (True, False)
    """
    x = _real_array("x", x, ndim=1)
    blocks = _real_array("blocks", blocks, finite=False, nan=True)  # (non-finite errors: a failing verdict)
    if blocks.ndim != 3 or blocks.shape[0] != x.size:
        raise ValueError(f"x, blocks: expected blocks of shape (n_points, n_grid, n_blocks) with n_points = the "
                         f"size of x ({x.size}), got blocks of shape {blocks.shape}")
    if x.size < 5:
        raise ValueError(f"x: expected at least 5 points for a rate, got {x.size}")
    if not _is_real_scalar(tolerance) or not 0 <= tolerance <= MAX_RATE_TOLERANCE:
        raise ValueError(f"tolerance: expected a number in [0, {MAX_RATE_TOLERANCE}], got {tolerance!r}")
    if not (np.all(np.isfinite(x)) and np.all(x > 0)) or np.unique(x).size != x.size:
        raise ValueError(f"x: expected distinct positive finite points, got {x.tolist()}")
    if blocks.shape[1] < 1 or blocks.shape[2] < 1:
        raise ValueError(f"blocks: expected at least one grid instance and one block, got shape {blocks.shape}")
    _real("exponent", exponent)
    _real("confidence", confidence, low=0.0, high=1.0, open_low=True, open_high=True)
    if not isinstance(alternative, str) or alternative not in ("two-sided", "at_most"):
        raise ValueError(f"alternative: expected 'two-sided' or 'at_most', got {alternative!r}")
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 100:
        raise ValueError(f"n_bootstrap: expected an int >= 100, got {n_bootstrap!r}")
    _int("n_bootstrap", n_bootstrap, low=100, high=MAX_SIZE // max(1, x.size * blocks.shape[2]))
    _rng("rng", rng)
    if isinstance(competitors, (str, bytes)) or not all(_is_real_scalar(c) for c in np.ravel(
            np.asarray(competitors, dtype=object))):
        raise TypeError(f"competitors: expected a sequence of numbers, got {competitors!r}")
    try:
        competitors = tuple(float(c) for c in competitors)
    except (TypeError, ValueError):
        raise TypeError(f"competitors: expected a sequence of numbers, got {competitors!r}") from None
    if not all(np.isfinite(competitors)) or any(abs(c - exponent) < 1e-12 for c in competitors):
        raise ValueError(f"competitors: expected finite exponents other than {exponent}, got {competitors}")
    curve = blocks.mean(axis=2).max(axis=1)
    n_blocks = blocks.shape[2]
    base = {"exponent": exponent, "tolerance": tolerance, "x": x.tolist(), "curve": curve.tolist(),
            "n_blocks": int(n_blocks), "n_grid": int(blocks.shape[1])}
    nan = float("nan")
    if not np.all(np.isfinite(curve)):
        # An error that diverged (inf) or is undefined (nan) has no rate: the claim fails.
        return Verdict(False, nan, (nan, nan), "a non-finite mean error at some point: no slope to fit", base)
    if np.any(curve <= 0):
        return Verdict(False, nan, (nan, nan), "a mean error of 0 at some point: no slope to fit", base)
    slope = loglog_slope(x, curve)
    if n_blocks < MIN_RATE_BLOCKS:
        # A failing verdict rather than a ValueError, so that a sweep reports it next to the others.
        # With 2-3 blocks the bootstrap interval is too coarse to mean anything.
        return Verdict(False, slope, (nan, nan),
                       f"inconclusive: slope {slope:.3f} from {n_blocks} replicate blocks, "
                       f"needs >= {MIN_RATE_BLOCKS}: raise the number of blocks", base)
    gen = np.random.default_rng(rng)
    idx = gen.integers(0, n_blocks, size=(n_bootstrap, x.size, n_blocks))
    # (B, n_points, n_grid): block means resampled per point, then the worst case over the grid.
    resampled = np.take_along_axis(blocks[None], idx[:, :, None, :], axis=3).mean(axis=3).max(axis=2)
    if np.any(~(resampled > 0)):
        # log(0) would send that resample's slope to +-infinity and stretch the interval over any
        # exponent: the data cannot tell the rate.
        n_zero = int(np.sum(np.any(~(resampled > 0), axis=1)))
        return Verdict(False, slope, (nan, nan),
                       f"inconclusive: slope {slope:.3f}, but {n_zero}/{n_bootstrap} resamples have a zero "
                       f"worst-case mean error at some point: raise repetitions", base)
    lx = np.log(x) - np.log(x).mean()
    ly = np.log(resampled)
    slopes = (ly - ly.mean(axis=1, keepdims=True)) @ lx / (lx @ lx)
    alpha = 1 - confidence
    lo, hi = (float(q) for q in np.quantile(slopes, [alpha / 2, 1 - alpha / 2]))
    if alternative == "at_most":
        summary = f"slope {slope:.3f} [{lo:.3f}, {hi:.3f}] vs at most {exponent:g} + {tolerance:g}"
        holds = bool(hi <= exponent + tolerance)
    else:
        summary = f"slope {slope:.3f} [{lo:.3f}, {hi:.3f}] vs {exponent:g} +/- {tolerance:g}"
        holds = bool(lo - tolerance <= exponent <= hi + tolerance)
    base["alternative"] = alternative
    if competitors:
        excluded = [c for c in competitors if c < lo or c > hi]
        inside = [c for c in competitors if lo <= c <= hi]
        base["competitors"] = list(competitors)
        base["competitors_excluded"] = excluded
        summary += f"; excludes {', '.join(f'{c:.3g}' for c in excluded) or 'none'}"
        if inside:
            summary += f", NOT {', '.join(f'{c:.3g}' for c in inside)}"
            holds = False
    if hi - lo > 2 * tolerance:
        # An interval wider than the tolerance band would accept rates it cannot tell apart.
        return Verdict(False, slope, (lo, hi), f"inconclusive: {summary}, interval wider than 2 x tolerance", base)
    return Verdict(holds, slope, (lo, hi), summary, base)


def exact_verdict(measured, expected, *, atol: float, rtol: float = 0.0) -> Verdict:
    r"""An identity up to stated tolerances: :math:`|m_i - e_i| \le \text{atol} + \text{rtol}\,|e_i|` for every i.

    Non-finite measured values fail.

    Parameters
    ----------
    measured : array_like
        What the algorithm computed.
    expected : array_like
        The exact value (finite), broadcastable against ``measured``.
    atol : float
        Absolute tolerance, at least 0.
    rtol : float
        Relative tolerance, at least 0.

    Returns
    -------
    Verdict
        The statistic is the largest absolute error, the interval ``(0, largest allowed error)``;
        ``details["worst_error_over_tolerance"]`` is the largest error / allowed ratio (at most
        1 when it holds).

    Examples
    --------
    >>> exact_verdict([1.0, 2.0], [1.0, 2.0 + 1e-9], atol=1e-8).holds
    True
    """
    for name, tol in (("atol", atol), ("rtol", rtol)):
        _real(name, tol, low=0.0)
    # (a non-finite measurement is a failing verdict, not an error; the ground truth must be finite)
    m = _real_array("measured", measured, finite=False, nan=True, bools=True)
    e = _real_array("expected", expected, finite=False, nan=True, bools=True)
    try:
        shape = np.broadcast_shapes(m.shape, e.shape)
    except ValueError:
        raise ValueError(f"measured, expected: shapes {m.shape} and {e.shape} do not broadcast") from None
    if shape != m.shape:
        raise ValueError(f"expected: shape {e.shape} does not broadcast to the shape {m.shape} of measured "
                         f"(one measurement compared with several truths)")
    m, e = np.broadcast_arrays(m, e)
    if m.size == 0:
        raise ValueError("measured: expected at least one value to compare")
    if not np.all(np.isfinite(e)):
        raise ValueError("expected: the ground truth has non-finite values")
    err = np.abs(m - e)
    allowed = atol + rtol * np.abs(e)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(err == 0, 0.0, err / allowed)
    ratio = np.where(np.isnan(err), np.inf, ratio)
    worst = float(np.max(ratio))
    max_err = float(np.max(np.where(np.isnan(err), np.inf, err)))
    holds = bool(np.all(np.isfinite(m)) and np.all(err <= allowed))
    summary = f"max |error| {max_err:.3g} (atol {atol:g}, rtol {rtol:g})"
    return Verdict(holds, max_err, (0.0, float(np.max(allowed))), summary,
                   {"worst_error_over_tolerance": worst, "atol": atol, "rtol": rtol})


def order_verdict(smaller, larger, *, margin: float, rng=0, n_bootstrap: int = N_BOOTSTRAP,
                  confidence: float = 0.95, label: str = "A / B", paired: bool = False) -> Verdict:
    r""""A is smaller than B by a margin": :math:`\bar A / \bar B \le` ``margin`` with confidence.

    The statistic is :math:`r = \bar A / \bar B`; the interval :math:`[\ell, h]` holds the
    :math:`\alpha/2` and :math:`1 - \alpha/2` quantiles of :math:`\bar A^* / \bar B^*` over
    ``n_bootstrap`` resamples of the seeds (:math:`\alpha = 1 - \text{confidence}`), and the
    claim holds when :math:`h \le` ``margin`` (e.g. 0.8 for "at least 20% fewer"). The verdict
    fails as inconclusive when some resample of ``larger`` has a mean :math:`\le 0` (no ratio)
    or the interval is not finite.

    Parameters
    ----------
    smaller : array_like
        Per-seed measurements of A, the side claimed smaller (at least 2, finite).
    larger : array_like
        Per-seed measurements of B (at least 2, finite, positive mean).
    margin : float
        The largest ratio allowed, positive.
    rng : int or Generator
        Seed of the bootstrap (the verdict is reproducible).
    n_bootstrap : int
        Bootstrap resamples, at least 100.
    confidence : float
        Level of the interval, in (0, 1).
    label : str
        How the ratio is named in the summary.
    paired : bool
        Seed i of A and seed i of B share data: resample the seeds together (a tighter interval
        for positively correlated pairs); needs as many seeds on each side.

    Returns
    -------
    Verdict
        Statistic :math:`r`, interval :math:`(\ell, h)`; ``details`` holds the margin and both
        means.

    Examples
    --------
    >>> order_verdict([1.0, 1.1, 0.9, 1.0], [2.0, 2.1, 1.9, 2.0], margin=0.8).holds
    True
    """
    a = _real_array("smaller", smaller, ndim=(0, 1), finite=False, nan=True).ravel()
    b = _real_array("larger", larger, ndim=(0, 1), finite=False, nan=True).ravel()
    if a.size < 2 or b.size < 2:
        raise ValueError(f"smaller, larger: expected at least 2 seeds each, got {a.size} and {b.size}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("smaller, larger: expected finite measurements")
    if b.mean() <= 0:
        raise ValueError("larger: expected a positive mean, the ratio's denominator")
    _real("margin", margin, low=0.0, open_low=True)
    _real("confidence", confidence, low=0.0, high=1.0, open_low=True, open_high=True)
    if isinstance(n_bootstrap, bool) or not isinstance(n_bootstrap, (int, np.integer)) or n_bootstrap < 100:
        raise ValueError(f"n_bootstrap: expected an int >= 100, got {n_bootstrap!r}")
    _int("n_bootstrap", n_bootstrap, low=100, high=MAX_SIZE // max(1, a.size + b.size))
    _rng("rng", rng)
    _flag("paired", paired)
    if not isinstance(label, str):
        raise TypeError(f"label: expected a str, got {label!r}")
    if paired and a.size != b.size:
        raise ValueError(f"smaller, larger: paired=True needs as many seeds in each, got {a.size} and {b.size}")
    ratio = float(a.mean() / b.mean())
    gen = np.random.default_rng(rng)
    ia = gen.integers(0, a.size, size=(n_bootstrap, a.size))
    ib = ia if paired else gen.integers(0, b.size, size=(n_bootstrap, b.size))
    ra = a[ia].mean(axis=1)
    rb = b[ib].mean(axis=1)
    details = {"margin": margin, "mean_smaller": float(a.mean()), "mean_larger": float(b.mean())}
    if np.any(~(rb > 0)):
        # A resampled denominator of 0 (or below) has no ratio: the seeds cannot tell the order.
        nan = float("nan")
        return Verdict(False, ratio, (nan, nan),
                       f"inconclusive: {label} = {ratio:.3g}, but some resample of the larger side has a "
                       f"mean <= 0: raise seeds", details)
    ratios = ra / rb
    alpha = 1 - confidence
    lo, hi = (float(q) for q in np.quantile(ratios, [alpha / 2, 1 - alpha / 2]))
    summary = f"{label} = {ratio:.3g} [{lo:.3g}, {hi:.3g}], needs <= {margin:g}"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return Verdict(False, ratio, (lo, hi), f"inconclusive: {summary}, a non-finite interval", details)
    holds = bool(hi <= margin)
    return Verdict(holds, ratio, (lo, hi), summary, details)


def all_of(verdicts: dict) -> Verdict:
    """Combine named sub-verdicts of one claim: holds when all hold; the summary lists each.

    Parameters
    ----------
    verdicts : dict of str to Verdict
        At least one, in the order the summary lists them.

    Returns
    -------
    Verdict
        Holds when every sub-verdict holds. The statistic and interval are the first
        sub-verdict's; every sub-verdict's are in ``details[name]``.

    Examples
    --------
    >>> both = all_of({"a": exact_verdict(1.0, 1.0, atol=0), "b": exact_verdict(2.0, 1.0, atol=0.5)})
    >>> both.holds, both.summary.endswith("FAIL")
    (False, True)
    """
    if not isinstance(verdicts, dict):
        raise TypeError(f"verdicts: expected a dict of name to Verdict, got {type(verdicts).__name__}")
    if not verdicts:
        raise ValueError("verdicts: expected at least one")
    for key, vd in verdicts.items():
        if not isinstance(vd, Verdict):
            raise TypeError(f"verdicts[{key!r}]: expected a Verdict, got {type(vd).__name__}")
    names = list(verdicts)
    first = verdicts[names[0]]
    holds = all(vd.holds for vd in verdicts.values())
    summary = "; ".join(f"{k}: {vd.summary}{'' if vd.holds else ' FAIL'}" for k, vd in verdicts.items())
    details = {k: {"holds": vd.holds, "statistic": vd.statistic, "interval": list(vd.interval), **vd.details}
               for k, vd in verdicts.items()}
    return Verdict(holds, first.statistic, first.interval, summary, details)
