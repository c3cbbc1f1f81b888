r"""LCB against the exact minimax lower bounds of Rashidinejad et al. (2021): LCB-M5, M6, C4, C5.

The paper proves LCB minimax optimal by matching its upper bounds with Le Cam two-point lower bounds
(:ref:`lcb-thm-mab`, :ref:`lcb-thm-cb`). Here the lower bounds are numbers, not rates: the exact
Bayes risk of the hard families' hypothesis pairs, summed over the binomial likelihoods of the data
(:mod:`provable_rl.lcb_lower_bounds`, no sampling). The claims divide the learner's measured
worst-case suboptimality (the rows of :mod:`proofs_check.lcb`'s sweeps, the same datasets LCB-M1,
M2, C1 and FIG3 use) by the bound at the same N, C* and S:

- **LCB-M5** (MAB, C* >= 2) and **LCB-C4** (contextual, C* in (1, 2)): the ratio's log-log slope in N is
  0 (excluding +1/2, a constant error, and -1/2), and the ratio lies in the band [1, U / LB] at every
  N and C*, where U is the [derived] Hoeffding upper bound of LCB-M1 / LCB-C3. The band's top is not a
  fitted constant: it is the ratio of the two bounds (~ 17 sqrt(log(2|A|N)) for the MAB), and the
  bottom, 1, checks the lower bound itself (no learner can beat it on average over the pair).
- **LCB-C5** (the sqrt(C* - 1) shape of LCB-FIG3): at N = 1e4, over C* in [1.03, 2], the ratio to the
  contextual lower bound is flat in C* - 1 (log-log slope 0, excluding +/- 1/2): LCB's error follows
  the bound's :math:`\sqrt{S C^\star (C^\star - 1) / N}` shape (whose own slope in C* - 1 is reported).
- **LCB-M6** (MAB, C* = 4/3, non-adaptivity against the bound): the minimax risk is pinned between the
  exact LCB-H2 lower bound and the most-played arm's exact worst case
  :math:`P(\mathrm{Bin}(N, 1/C^\star) \le N/2)`, which differ by a polynomial factor only (log-log slope
  of their ratio in [0, 1] over N in {50, ..., 400} while both fall like :math:`e^{-0.144 N}`), and the
  learner's measured worst case is above that exponentially small upper bound at N = 1000, 2000, 4000.

Panels: LCB-M5 penalty_x10, empirical_best, most_played, ucb; LCB-C4 and C5 empirical_best, ucb,
penalty_x0.1, penalty_x10 (over-pessimism on the noisy anchor's rare action); LCB-M6 most_played, delta_exp, penalty_x100. The penalty without its log(1/delta)
term is not rejected by LCB-M5 and is not in its panel: measured at smoke (seed 1) its ratio is
~2.4 at C* = 4 against LCB's ~5, because the log(1/delta) term buys a high-probability guarantee,
not a better expectation (see ``panel_note``).

Measured error rates (2026-12-05, ``provable-rl calibrate 'LCB-C4' 'LCB-C5' --budget quick --seeds 20
--jobs 1`` and ``provable-rl calibrate 'LCB-M5' 'LCB-M6' --budget quick --seeds 20 --jobs 2``, root seeds
1..20, on 2 cores shared by ~8 agents): every claim held at 20/20 seeds and every mutant of every panel
was rejected at 20/20 (LCB-C4 1422 s, LCB-C5 193 s; LCB-M5 344 s and LCB-M6 255 s with LCB-M1's cells
cached). The tests run each at smoke, root seeds 0 and 1.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from provable_rl.lcb_lower_bounds import (
    contextual_minimax_lower_bound,
    mab_minimax_lower_bound,
    most_played_risk_bound,
)

from .framework import Claim, per_budget, register
from .lcb import (
    C1_SWEEP,
    CB_PROTOCOL,
    CB_STATES,
    M_DELTA_EXP,
    M_EMPIRICAL_BEST,
    M_MOST_PLAYED,
    M_PENALTY_X01,
    M_PENALTY_X10,
    M_PENALTY_X100,
    M_UCB,
    MAB_SWEEP,
    PAPER,
    _at_least,
    _budgeted,
    _c1_run,
    blocks_by_point,
    c3_bound,
    mab_bound,
    regime_concentrability,
    worst_blocks,
)
from .statistics import Verdict, all_of, rate_verdict

#: Competing slopes of a ratio that should be flat: +1/2 (a constant error against a 1/sqrt(N) bound)
#: and -1/2 (an error falling like 1/N, below any 1/sqrt(N) lower bound: a broken bound).
FLAT_COMPETITORS = (0.5, -0.5)
#: Tolerance of the flat-ratio slopes: that of the rates they restate (LCB-M1's 0.15 on its slope
#: -1/2; the bound's own slope is -1/2 to 1e-3, so the ratio's slope is the rate's slope + 1/2).
FLAT_TOLERANCE = 0.15


@functools.lru_cache(maxsize=None)
def mab_lower_bound(n_samples, concentrability):
    """:func:`provable_rl.lcb_lower_bounds.mab_minimax_lower_bound` (its value), cached per (N, C*)."""
    return mab_minimax_lower_bound(int(n_samples), float(concentrability))[0]


@functools.lru_cache(maxsize=None)
def cb_lower_bound(n_samples, concentrability, n_states=CB_STATES):
    """:func:`provable_rl.lcb_lower_bounds.contextual_minimax_lower_bound` (its value), cached."""
    return contextual_minimax_lower_bound(int(n_samples), float(concentrability), int(n_states))[0]


def _band(ratios_worst, top, label):
    """1 <= mean(ratios) <= top, each end one-sided at 95% (the order verdicts of :mod:`proofs_check.lcb`)."""
    from .lcb import _at_most
    return all_of({f"{label} >= 1": _at_least(ratios_worst, 1.0, label),
                   f"{label} <= U/LB = {top:.3g}": _at_most(ratios_worst, top, label)})


def _flat(x, ratio_blocks):
    return rate_verdict(x, ratio_blocks, 0.0, FLAT_TOLERANCE, competitors=FLAT_COMPETITORS)


def _worst_index(ratio_blocks):
    return int(np.argmax(ratio_blocks.mean(axis=2).max(axis=1)))


# --------------------------------------------------------------------------------------------
# LCB-M5: MAB, C* >= 2
# --------------------------------------------------------------------------------------------

M5_CONCENTRABILITIES = (2.0, 4.0)


def _analyse_m5(rows, budget):
    """Ratio to the exact LCB-H1 lower bound: flat in N, inside [1, U/LB] at every N, for C* = 2 and 4."""
    out = {}
    for C in M5_CONCENTRABILITIES:
        sel = [r for r in rows if r["C"] == C]
        x, blocks = blocks_by_point(sel, "lcb")
        lower = np.array([mab_lower_bound(n, C) for n in x])
        ratio = blocks / lower[:, None, None]
        out[f"C*={C:g} ratio slope"] = _flat(x, ratio)
        arms = max(r["arms"] for r in sel)
        for i, n in enumerate(x):
            top = mab_bound(int(n), C, arms) / lower[i]
            out[f"C*={C:g} N={n:g} band"] = _band(worst_blocks(ratio[i]), top, "LCB / LB")
    return all_of(out)


# --------------------------------------------------------------------------------------------
# LCB-M6: MAB, C* = 4/3: the minimax risk is exponentially small, LCB's is not
# --------------------------------------------------------------------------------------------

M6_CONCENTRABILITY = 4.0 / 3.0
#: N of the exact sandwich (the LCB-H2 sum costs O(N^3); ~3 s in all).
M6_EXACT_N = (50, 100, 200, 400)
#: N at which the learner's measured worst case is compared with the minimax upper bound.
M6_LEARNER_N = (1000, 2000, 4000)
#: The LCB-H2 gap grid of the sandwich (g = kappa / sqrt(N)); the maximiser is kappa ~ 1 at every N.
M6_GAP_SCALES = (0.5, 0.71, 1.0, 1.41, 2.0)


@functools.lru_cache(maxsize=None)
def m6_sandwich():
    """(N, lower bound, upper bound) at :data:`M6_EXACT_N`: the exact LCB-H2 Bayes risk and
    :func:`provable_rl.lcb_lower_bounds.most_played_risk_bound` at C* = 4/3."""
    lower = [mab_minimax_lower_bound(n, M6_CONCENTRABILITY, gap_scales=M6_GAP_SCALES)[0] for n in M6_EXACT_N]
    upper = [most_played_risk_bound(n, M6_CONCENTRABILITY) for n in M6_EXACT_N]
    return np.array(M6_EXACT_N, float), np.array(lower), np.array(upper)


def _analyse_m6(rows, budget):
    """Exact sandwich (a formula, the same at every seed) and the learner above its top."""
    n, lower, upper = m6_sandwich()
    log_gap = np.log(upper / lower)
    slope = float(np.polyfit(np.log(n), log_gap, 1)[0])
    decay = float(np.polyfit(n, np.log(upper), 1)[0])
    sandwich = Verdict(bool(np.all(lower <= upper) and 0.0 <= slope <= 1.0), slope, (slope, slope),
                       f"UB/LB log-log slope {slope:.3f} over N={list(M6_EXACT_N)} (needs [0, 1]); "
                       f"log UB falls by {-decay:.3f} per sample",
                       {"lower": lower.tolist(), "upper": upper.tolist()})
    out = {"minimax risk within a polynomial factor of the exact lower bound": sandwich}
    C = round(M6_CONCENTRABILITY, 6)
    sel = [r for r in rows if r["C"] == C]
    x, blocks = blocks_by_point(sel, "lcb")
    for N in M6_LEARNER_N:
        if N in x:
            top = most_played_risk_bound(N, M6_CONCENTRABILITY)
            out[f"N={N} learner above the minimax upper bound {top:.3g}"] = _at_least(
                worst_blocks(blocks[list(x).index(N)]), top, "learner worst case")
    return all_of(out)


# --------------------------------------------------------------------------------------------
# LCB-C4, C5: contextual bandit
# --------------------------------------------------------------------------------------------

C4_REGIMES = ("1.1", "1.5")


def _analyse_c4(rows, budget):
    """Ratio to the exact LCB-H4 lower bound at C* = 1.1 and 1.5: flat in N, inside [1, U/LB]."""
    out = {}
    for regime in C4_REGIMES:
        C = float(regime)
        x, blocks = blocks_by_point(rows, "lcb", where=lambda r, g=regime: r["regime"] == g)
        lower = np.array([cb_lower_bound(n, C) for n in x])
        ratio = blocks / lower[:, None, None]
        out[f"C*={regime} ratio slope"] = _flat(x, ratio)
        for i, n in enumerate(x):
            top = c3_bound(int(n), CB_STATES, 2, C) / lower[i]
            out[f"C*={regime} N={n:g} band"] = _band(worst_blocks(ratio[i]), top, "LCB / LB")
    return all_of(out)


#: LCB-C5's range of C*: above 1 + S/N by 30x (there the S/N term is < 15% of the sqrt term).
C5_REGIMES = ("1.03", "1.1", "1.3", "1.6", "2")
C5_N = 10_000


def _c5_cells(budget):
    # LCB-FIG3's sweep at C* >= 1.03 with more blocks (FIG3 has 2 at smoke; a rate needs 4).
    return [{"N": C5_N, "block": b, "regimes": list(C5_REGIMES)} for b in range(per_budget(budget, 6, 8, 16))]


#: LCB-H4 at N = 1e4 over C*: the rows of :func:`proofs_check.lcb._c1_run`, as LCB-FIG3's.
C5_SWEEP = _budgeted("lcb.cb_concentrability_shape", _c1_run, _c5_cells, CB_PROTOCOL)


def _analyse_c5(rows, budget):
    """At N = 1e4: LCB's worst case / the exact lower bound has log-log slope 0 in C* - 1 (C* in [1.03, 2])."""
    N = rows[0]["N"]
    sel = [{**r, "excess": regime_concentrability(r["regime"], N, CB_STATES) - 1.0}
           for r in rows if r["regime"] in C5_REGIMES]
    x, blocks = blocks_by_point(sel, "lcb", point="excess")
    lower = np.array([cb_lower_bound(N, 1.0 + e) for e in x])
    verdict = _flat(x, blocks / lower[:, None, None])
    verdict.details["lower_bound_slope_in_excess"] = float(np.polyfit(np.log(x), np.log(lower), 1)[0])
    verdict.details["lower_bound"] = lower.tolist()
    return verdict


CLAIMS = [
    Claim("LCB-M5", "lcb.mab.minimax_ratio", PAPER,
          "MAB, C* >= 2: LCB minimax optimal up to log factors; lower bound by Le Cam's two points "
          "[recalled form; the bound here is the exact Bayes risk of LCB-H1's pair, derived]",
          "LCB's worst case over the LCB-H1 grid divided by the exact two-point lower bound (maximised over 49 "
          "gaps): log-log slope in N 0 +/- 0.15 (excluding +1/2 and -1/2) for C* = 2 and 4, and inside [1, U/LB] "
          "at every N (U: the Hoeffding bound of LCB-M1; each end one-sided at 95%)",
          "rate", MAB_SWEEP, _analyse_m5,
          mutants=(M_PENALTY_X10, M_EMPIRICAL_BEST, M_MOST_PLAYED, M_UCB),
          panel_note="The penalty without its log(1/delta) term is not in the panel: it is not wrong in "
                     "expectation (ratio ~2.4 at C* = 4 against LCB's ~5, measured at smoke); log(1/delta) "
                     "pays for LCB's high-probability guarantee."),
    Claim("LCB-M6", "lcb.mab.not_adaptive_vs_bound", PAPER,
          "MAB, C* in (1, 2): minimax risk exponentially small, attained by imitation; LCB not adaptive "
          "[recalled; the bounds here are exact, derived]",
          "At C* = 4/3: the exact LCB-H2 lower bound and the most-played arm's exact worst case "
          "P(Bin(N, 3/4) <= N/2) (an upper bound on the minimax risk) differ by a factor whose log-log slope "
          "over N in {50, 100, 200, 400} is in [0, 1] (both fall like e^{-0.144 N}); the learner's measured "
          "worst case over the LCB-H1 grid is above that upper bound (one-sided 95%) at N = 1000, 2000, 4000",
          "order", MAB_SWEEP, _analyse_m6,
          mutants=(M_MOST_PLAYED, M_DELTA_EXP, M_PENALTY_X100)),
    Claim("LCB-C4", "lcb.cb.minimax_ratio", PAPER,
          "CB, C* in (1, 2]: LCB minimax optimal up to logs, lower bound sqrt(S (C*-1)/N) [recalled form; "
          "exact Bayes risk of LCB-H4's ambiguous contexts, derived]",
          "On LCB-H4 with the noisy anchor (S = 10, worst case over kappa in {0.5, 1, 2}), LCB's worst case "
          "divided by the exact lower bound of LCB-H4's ambiguous contexts: log-log slope in N 0 +/- 0.15 "
          "(excluding +/- 1/2) at C* = 1.1 and 1.5, and inside [1, U/LB] at every N (U: LCB-C3's bound)",
          "rate", C1_SWEEP, _analyse_c4,
          mutants=(M_EMPIRICAL_BEST, M_UCB, M_PENALTY_X01, M_PENALTY_X10),
          panel_note="Behaviour cloning is not in the panel (as in LCB-C1): in an ambiguous context both actions "
                     "are equally covered, and its uniform guess has the bound's rate; LCB-M5 rejects it."),
    Claim("LCB-C5", "lcb.cb.concentrability_shape", PAPER,
          "CB: suboptimality ~ sqrt(S (C* - 1) / N) for C* in (1, 2] [recalled form; exact lower bound, derived]",
          "At N = 1e4 on LCB-H4 with the noisy anchor (S = 10, worst case over kappa), LCB's worst case divided "
          "by the exact lower bound of LCB-H4 (~ sqrt(S C* (C* - 1) / N)) has log-log slope 0 +/- 0.15 in C* - 1 "
          "over C* in {1.03, 1.1, 1.3, 1.6, 2}, excluding +/- 1/2",
          "rate", C5_SWEEP, _analyse_c5,
          mutants=(M_EMPIRICAL_BEST, M_UCB, M_PENALTY_X01, M_PENALTY_X10),
          panel_note="Behaviour cloning is not in the panel: its uniform guess in the ambiguous contexts has "
                     "the same shape in C* (measured slope 0.00 at smoke); LCB-M5 rejects it."),
]

for _claim in CLAIMS:
    register(_claim)

#: The sweep of this module (the others are :data:`proofs_check.lcb.SWEEPS`).
SWEEPS = {C5_SWEEP.name: C5_SWEEP}
