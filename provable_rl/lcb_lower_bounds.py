r"""Exact minimax lower bounds for offline bandits (Rashidinejad, Zhu, Ma, Jiao & Russell 2021).

The paper's lower bounds (its MAB and contextual-bandit minimax theorems, :ref:`lcb-thm-mab` and
:ref:`lcb-thm-cb`) are Le Cam two-point arguments over instances that share the data distribution
:math:`\mu` and differ in one reward mean. This module computes the quantity those arguments bound,
**exactly** (no sampling, no constant): the Bayes risk of the best possible decision rule under a
uniform prior over the hypotheses, from the binomial likelihoods of the data,

.. math::

    \inf_{\hat a} \tfrac12 \bigl(\mathbb E_A[\text{subopt}] + \mathbb E_B[\text{subopt}]\bigr)
    = \frac{\Delta}{2} \sum_{x} \min\bigl(P_A(x), P_B(x)\bigr)
    = \frac{\Delta}{2} \bigl(1 - \mathrm{TV}(P_A^N, P_B^N)\bigr),

where :math:`x` runs over the sufficient statistics of the N samples and :math:`\Delta` is the loss of
the wrong decision. Every estimator's worst case over the two hypotheses is at least this average,
so it is a lower bound on the minimax expected suboptimality over any class that contains both
instances. The hypotheses are those of the hard families in :mod:`mdps.instances.lcb`
(:ref:`lcb-hard-instances`):

- :func:`mab_two_point_risk`: LCB-H1's pair, :math:`\mu = (1/C^\star, 1 - 1/C^\star)`, arm 1's mean
  :math:`1/2 \pm \Delta`, arm 2's 1/2 (both in :math:`\mathrm{MAB}(C^\star)` when :math:`C^\star \ge 2`);
- :func:`mab_minimax_lower_bound`: its maximum over a grid of gaps (:math:`C^\star \ge 2`), or, for
  :math:`C^\star \in (1, 2)`, LCB-H2's pair (the data distributions differ too) maximised over gaps;
- :func:`contextual_minimax_lower_bound`: LCB-H4's ambiguous contexts, each a two-point pair, under
  a uniform product prior (the Bayes risk is the :math:`\rho`-weighted sum of the contexts' risks).

Departures ([derived], :ref:`lcb-departures`): the paper states its bounds with unspecified
constants; here the bound is the exact Bayes risk of these particular families, maximised over a
finite grid of gaps (any grid gives a valid lower bound; a finer one only raises it).
"""
from __future__ import annotations

import math

import numpy as np
import scipy.special
import scipy.stats

from mdps import _validation as v

__all__ = [
    "DEFAULT_GAP_SCALES", "contextual_minimax_lower_bound", "contextual_two_point_risk", "mab_minimax_lower_bound",
    "mab_two_point_risk", "mab_two_point_risk_h2", "most_played_risk_bound",
]

#: The gap grid of the maximisation, as multiples of the natural scale (sqrt(C*/N) for LCB-H1, the
#: per-context scale for LCB-H4, 1/sqrt(N) for LCB-H2): 49 log-spaced values in [1/16, 16].
DEFAULT_GAP_SCALES = tuple(float(x) for x in np.geomspace(1.0 / 16.0, 16.0, 49))

#: Largest N of the LCB-H2 computation (it sums over O(N^3) terms and its values reach ~1e-300).
MAX_H2_SAMPLES = 2000


def _overlap_symmetric(counts, gap):
    r"""sum_k min(Bin(k; n, 1/2 + gap), Bin(k; n, 1/2 - gap)) for every n in ``counts`` (array).

    The likelihood ratio is :math:`((1/2+\Delta)/(1/2-\Delta))^{2k-n}`, so the minimum is the
    "+" law below n/2 and the "-" law above; by the symmetry k -> n - k the sum is
    :math:`2 P_+(K < n/2) + P_+(K = n/2)`.
    """
    n = np.asarray(counts, dtype=np.int64)
    p = 0.5 + gap
    below = scipy.stats.binom.cdf((n + 1) // 2 - 1, n, p)
    middle = np.where(n % 2 == 0, scipy.stats.binom.pmf(n // 2, n, p), 0.0)
    return np.clip(2.0 * below + middle, 0.0, 1.0)


def _mass(value, name):
    m = v.probability(name, value)
    if not 0.0 < m <= 1.0:
        raise ValueError(f"{name}: expected a probability in (0, 1], got {value!r}")
    return m


def _gap(value, name="gap"):
    g = float(value) if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool) \
        else None
    if g is None or not (0.0 < g <= 0.5):
        raise ValueError(f"{name}: expected a number in (0, 1/2], got {value!r}")
    return g


def mab_two_point_risk(n_samples: int, arm_mass: float, gap: float) -> float:
    r"""Exact Bayes risk of LCB-H1's two hypotheses: arm 1's mean :math:`1/2 \pm \Delta`, arm 2's 1/2.

    Both hypotheses draw arms from :math:`\mu = (m, 1 - m)`; only arm 1's rewards differ, so the
    sufficient statistic is :math:`(N_1, K_1)` (arm 1's count and reward sum). The quantity is

    .. math::

        \frac{\Delta}{2} \sum_{n=0}^{N} \mathrm{Bin}(n; N, m)
        \sum_{k=0}^{n} \min\bigl(\mathrm{Bin}(k; n, \tfrac12 + \Delta), \mathrm{Bin}(k; n, \tfrac12 - \Delta)\bigr),

    the smallest average over the two hypotheses of the expected suboptimality any rule can reach
    (choosing the wrong arm costs :math:`\Delta`). With :math:`m = 1/C^\star` and :math:`C^\star \ge 2`
    both instances are in :math:`\mathrm{MAB}(C^\star)` (:func:`mdps.instances.lcb.lcb_h1`, "A" and
    "B"), so it lower-bounds the minimax risk there (Le Cam's two-point method, the construction of
    the paper's MAB lower bound).

    The sum over n skips the counts beyond 12 standard deviations of N m (their total probability is
    below e^{-50}).

    Parameters
    ----------
    n_samples : int
        N, the number of offline samples.
    arm_mass : float in (0, 1]
        m, the data mass of arm 1 (the arm whose mean differs).
    gap : float in (0, 1/2]
        :math:`\Delta`.

    Returns
    -------
    float
        The Bayes risk (the minimax risk over the pair is at least this).

    Examples
    --------
    >>> round(mab_two_point_risk(1000, 0.25, 0.06), 5)
    0.00172
    """
    N = v.positive_int("n_samples", n_samples, maximum=v.MAX_COUNT)
    m = _mass(arm_mass, "arm_mass")
    g = _gap(gap)
    # The sum runs over O(sqrt(N)) counts, a few float arrays of that size.
    v.check_allocation("n_samples", 8 * (24.0 * math.sqrt(N * m * (1.0 - m)) + 26.0), 8, "summands")
    n = _support(N, m)
    weights = scipy.stats.binom.pmf(n, N, m)
    return float(g / 2.0 * np.dot(weights, _overlap_symmetric(n, g)))


def _support(N, m):
    """The counts n within 12 standard deviations (+ 12) of N m: outside, Bin(n; N, m) < e^{-50} in all
    (Bernstein), far below double precision relative to the sum (the Bayes risk is >= Delta/2 * 1e-16
    whenever it matters). Keeps the sum O(sqrt(N)) per gap."""
    spread = 12.0 * math.sqrt(N * m * (1.0 - m)) + 12.0
    return np.arange(max(0, int(N * m - spread)), min(N, int(math.ceil(N * m + spread))) + 1)


def _h2_overlap(N, C, g):
    """sum over (n1, k1, k2) of min(P_A, P_B) for LCB-H2 (exact; the likelihood ratio depends on k1 - k2)."""
    p = 1.0 / C
    n1 = np.arange(N + 1)
    log_wa = scipy.stats.binom.logpmf(n1, N, p)
    log_wb = scipy.stats.binom.logpmf(n1, N, 1.0 - p)
    total = 0.0
    for a in range(N + 1):
        b = N - a
        # The difference d = k1 - k2 under A (arm 1 at 1/2 + g, arm 2 at 1/2) and under B (the reverse).
        da = np.convolve(scipy.stats.binom.pmf(np.arange(a + 1), a, 0.5 + g),
                         scipy.stats.binom.pmf(np.arange(b + 1), b, 0.5)[::-1])
        db = np.convolve(scipy.stats.binom.pmf(np.arange(a + 1), a, 0.5),
                         scipy.stats.binom.pmf(np.arange(b + 1), b, 0.5 + g)[::-1])
        top = max(log_wa[a], log_wb[a])
        # Scaled by exp(top) so that tiny weights (~1e-300 at N = 2000) stay representable.
        inner = np.minimum(np.exp(log_wa[a] - top) * da, np.exp(log_wb[a] - top) * db).sum()
        if inner > 0:
            total += math.exp(top + math.log(inner)) if top + math.log(inner) > -745 else 0.0
    return total


def mab_two_point_risk_h2(n_samples: int, concentrability: float, gap: float) -> float:
    r"""Exact Bayes risk of LCB-H2's two hypotheses, for :math:`C^\star \in (1, 2)`.

    "A": :math:`\mu = (1/C^\star, 1 - 1/C^\star)`, means :math:`(1/2 + g, 1/2)`; "B": the mirror image
    (:func:`mdps.instances.lcb.lcb_h2`). Both realise exactly :math:`C^\star`. The counts and the
    rewards both differ between them; the likelihood ratio depends on :math:`(N_1, K_1 - K_2)`, so
    the quantity :math:`\frac g2 \sum \min(P_A, P_B)` sums, for every :math:`N_1`, the convolution of
    the two reward-sum laws. :math:`O(N^3)` work: N is limited to :data:`MAX_H2_SAMPLES`; values below
    ~1e-320 are returned as 0.

    Parameters
    ----------
    n_samples : int
        N, at most :data:`MAX_H2_SAMPLES`.
    concentrability : float in (1, 2)
        :math:`C^\star`.
    gap : float in (0, 1/2]
        The reward gap g.

    Returns
    -------
    float
        The Bayes risk: a lower bound on the minimax risk over :math:`\mathrm{MAB}(C^\star)`.

    Examples
    --------
    >>> f"{mab_two_point_risk_h2(100, 4 / 3, 0.1):.3g}"
    '2.36e-09'
    """
    N = v.positive_int("n_samples", n_samples)
    if N > MAX_H2_SAMPLES:
        raise ValueError(f"n_samples: expected at most {MAX_H2_SAMPLES} (O(N^3) exact sum), got {n_samples}")
    C = float(concentrability) if isinstance(concentrability, (int, float)) and not isinstance(concentrability, bool) \
        else float("nan")
    if not 1.0 < C < 2.0:
        raise ValueError(f"concentrability: expected a number in (1, 2), got {concentrability!r}")
    g = _gap(gap)
    return g / 2.0 * _h2_overlap(N, C, g)


def _scales(gap_scales):
    # Booleans, strings and complex numbers are refused, not converted (float_array's checks).
    scales = (np.asarray(DEFAULT_GAP_SCALES, dtype=float) if gap_scales is None
              else v.float_array("gap_scales", gap_scales, ndim=1))
    if scales.ndim != 1 or scales.size == 0 or not np.all(np.isfinite(scales) & (scales > 0)):
        raise ValueError(f"gap_scales: expected a non-empty 1-d sequence of positive numbers, got {gap_scales!r}")
    return scales


def mab_minimax_lower_bound(n_samples: int, concentrability: float, *, gap_scales=None) -> tuple[float, float]:
    r"""A lower bound on the minimax expected suboptimality over :math:`\mathrm{MAB}(C^\star)`, exactly.

    The largest exact two-point Bayes risk over a grid of gaps:

    - :math:`C^\star \ge 2`: :func:`mab_two_point_risk` with :math:`m = 1/C^\star` and
      :math:`\Delta = \kappa \sqrt{C^\star / N}` (capped at 1/2) for :math:`\kappa` in ``gap_scales``
      (LCB-H1; decays like :math:`\sqrt{C^\star/N}`);
    - :math:`1 < C^\star < 2`: :func:`mab_two_point_risk_h2` with :math:`g = \kappa/\sqrt N` (capped at
      1/2) (LCB-H2; decays like :math:`e^{-N \mathrm{KL}(1/2 \| 1/C^\star)}` up to polynomial factors).

    Parameters
    ----------
    n_samples : int
        N.
    concentrability : float > 1
        :math:`C^\star`.
    gap_scales : sequence of float > 0, optional
        :math:`\kappa` grid (default :data:`DEFAULT_GAP_SCALES`). For :math:`C^\star < 2` the default
        is thinned to every fourth value (the exact sum costs :math:`O(N^3)` per gap).

    Returns
    -------
    (float, float)
        The lower bound and the gap that attains it.

    Examples
    --------
    >>> bound, gap = mab_minimax_lower_bound(1000, 4.0)
    >>> round(bound, 5), round(gap, 4)
    (0.00536, 0.0251)
    """
    N = v.positive_int("n_samples", n_samples, maximum=v.MAX_COUNT)
    C = v.positive_float("concentrability", concentrability)
    if C <= 1.0:
        raise ValueError(f"concentrability: expected a number > 1, got {concentrability!r}")
    if C >= 2.0:
        gaps = np.minimum(0.5, _scales(gap_scales) * math.sqrt(C / N))
        risks = [mab_two_point_risk(N, 1.0 / C, g) for g in gaps]
    else:
        scales = _scales(gap_scales if gap_scales is not None else DEFAULT_GAP_SCALES[::4])
        gaps = np.unique(np.minimum(0.5, scales / math.sqrt(N)))
        risks = [mab_two_point_risk_h2(N, C, g) for g in gaps]
    best = int(np.argmax(risks))
    return float(risks[best]), float(gaps[best])


def most_played_risk_bound(n_samples: int, concentrability: float) -> float:
    r"""An upper bound on the minimax risk over :math:`\mathrm{MAB}(C^\star)`, :math:`C^\star < 2`, exactly.

    The optimal arm carries data mass at least :math:`1/C^\star > 1/2`, so the most-played arm is wrong
    only if the optimal arm got at most half of the N samples, and a wrong arm costs at most 1:

    .. math::

        \sup_{\mathrm{MAB}(C^\star)} \mathbb E[\text{subopt}(\text{most played})]
        \le P\bigl(\mathrm{Bin}(N, 1/C^\star) \le N/2\bigr).

    With :func:`mab_minimax_lower_bound` it pins the minimax risk between two exact numbers.

    Parameters
    ----------
    n_samples : int
        N.
    concentrability : float in (1, 2)
        :math:`C^\star`.

    Returns
    -------
    float
        :math:`P(\mathrm{Bin}(N, 1/C^\star) \le N/2)` (0 below ~1e-308).

    Examples
    --------
    >>> f"{most_played_risk_bound(100, 4 / 3):.3g}"
    '6.64e-08'
    """
    # N beyond 2**53 is not exact in float64 (the binomial's arguments).
    N = v.positive_int("n_samples", n_samples, maximum=v.MAX_COUNT)
    C = float(concentrability) if isinstance(concentrability, (int, float)) and not isinstance(concentrability, bool) \
        else float("nan")
    if not 1.0 < C < 2.0:
        raise ValueError(f"concentrability: expected a number in (1, 2), got {concentrability!r}")
    return float(scipy.stats.binom.cdf(N // 2, N, 1.0 / C))


def _contextual_masses(n_samples, C, S):
    """(rho, mu(s, 0)) of LCB-H4's S - 1 ambiguous contexts (the plain family, :func:`mdps.instances.lcb.lcb_h4`)."""
    rho = np.full(S - 1, (C - 1.0) / (S - 1))
    return rho, rho / C


def contextual_two_point_risk(n_samples: int, concentrability: float, n_states: int, gap_scale: float) -> float:
    r"""Exact Bayes risk of LCB-H4's ambiguous contexts under a uniform product prior.

    LCB-H4 (:func:`mdps.instances.lcb.lcb_h4`, plain anchor): S - 1 ambiguous contexts of mass
    :math:`\rho = (C^\star - 1)/(S - 1)` each, both actions covered with :math:`\mu = \rho/C^\star`.
    In every ambiguous context s, independently with probability 1/2, action 0's mean is
    :math:`1/2 + \Delta_s` or :math:`1/2 - \Delta_s` (action 1's is 1/2), with
    :math:`\Delta_s = \kappa / \sqrt{N \rho / C^\star}` capped at 1/2. Every such instance is in
    :math:`\mathrm{CB}(C^\star)` (the optimal action has :math:`d^{\pi^\star}/\mu = C^\star`). The
    counts do not depend on the hypothesis, and given them the reward sums of different contexts are
    independent, so the Bayes-optimal rule decides each context from its own data and the Bayes risk
    is the sum of the contexts' two-point risks (:func:`mab_two_point_risk` with
    :math:`N(s, 0) \sim \mathrm{Bin}(N, \rho/C^\star)`):

    .. math::

        \sum_{s \ge 1} \rho(s)\, \frac{\Delta_s}{2} \sum_{n} \mathrm{Bin}(n; N, \rho(s)/C^\star)
        \sum_{k} \min\bigl(\mathrm{Bin}(k; n, \tfrac12 + \Delta_s), \mathrm{Bin}(k; n, \tfrac12 - \Delta_s)\bigr) .

    (Assouad's construction over the ambiguous contexts, evaluated exactly.)

    Parameters
    ----------
    n_samples : int
        N.
    concentrability : float in (1, 2]
        :math:`C^\star`.
    n_states : int >= 2
        S.
    gap_scale : float > 0
        :math:`\kappa`.

    Returns
    -------
    float
        The Bayes risk of the family (a lower bound on the minimax risk over :math:`\mathrm{CB}(C^\star)`).

    Examples
    --------
    >>> round(contextual_two_point_risk(10_000, 1.5, 10, 1.0), 5)
    0.00059
    """
    N = v.positive_int("n_samples", n_samples, maximum=v.MAX_COUNT)
    C = v.positive_float("concentrability", concentrability)
    if not 1.0 < C <= 2.0:
        raise ValueError(f"concentrability: expected a number in (1, 2], got {concentrability!r}")
    S = v.positive_int("n_states", n_states)
    if S < 2:
        raise ValueError(f"n_states: expected at least 2 contexts, got {n_states!r}")
    v.check_allocation("n_states", 2 * S, 8, "entries of the context masses")
    kappa = v.positive_float("gap_scale", gap_scale)
    rho, mass = _contextual_masses(N, C, S)
    gap = min(0.5, kappa / math.sqrt(N * mass[0]))
    # The ambiguous contexts are identical: S - 1 times one context's share.
    return float((S - 1) * rho[0] * mab_two_point_risk(N, mass[0], gap))


def contextual_minimax_lower_bound(n_samples: int, concentrability: float, n_states: int, *,
                                   gap_scales=None) -> tuple[float, float]:
    r"""A lower bound on the minimax expected suboptimality over :math:`\mathrm{CB}(C^\star)`, exactly.

    The largest :func:`contextual_two_point_risk` over a grid of :math:`\kappa`. It decays like
    :math:`\sqrt{S (C^\star - 1) / N}` (the paper's contextual lower bound for
    :math:`C^\star \in (1, 2]`).

    Parameters
    ----------
    n_samples : int
        N.
    concentrability : float in (1, 2]
        :math:`C^\star`.
    n_states : int >= 2
        S.
    gap_scales : sequence of float > 0, optional
        The :math:`\kappa` grid (default :data:`DEFAULT_GAP_SCALES`).

    Returns
    -------
    (float, float)
        The lower bound and the :math:`\kappa` that attains it.

    Examples
    --------
    >>> bound, kappa = contextual_minimax_lower_bound(10_000, 1.5, 10)
    >>> round(bound, 5), round(kappa, 3)
    (0.0022, 0.397)
    """
    scales = _scales(gap_scales)
    risks = [contextual_two_point_risk(n_samples, concentrability, n_states, k) for k in scales]
    best = int(np.argmax(risks))
    return float(risks[best]), float(scales[best])
