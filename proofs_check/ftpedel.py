"""Claims of PEDEL / FTPedel (Wagenmaker & Jamieson 2022; Wagenmaker & Pacchiano 2023).

The theorems behind these claims are on :ref:`theory-ftpedel`; the table of
:ref:`ftpedel-claims` maps each claim to its theorem and panel, and the instances are described
in :ref:`ftpedel-instances`.

Every sweep fixes the instances, draws the data and evaluates exactly; the algorithm under test is
a *learner* following the sweep's protocol (the library's by default). Cells with randomness split
their Generator into ``data_rng`` (instances, offline data) and ``algo_rng`` (the learner's online
samples), so the algorithm and every mutant meet the same instances and offline data.

FTPedel learner protocols
-------------------------
- ``ftpedel.complexity``: ``measure(mdp, policy_class, *, epsilon, beta, offline_covariances)
  -> float`` (N_FT; default :func:`ftpedel_measure`). Claims F1-F5, figures FIG1-2.
- ``ftpedel.pac_learner``: ``learner(mdp, policies, *, epsilon, delta, offline, rng) -> PACRun``
  (default :func:`ftpedel_learner`, FTPedel with its certificate). Claims E2-E5, figure FIG4.
- ``ftpedel.pac_learner_r03``: the same call; default FTPedel at radius constant 0.3. Claim E1.
- ``ftpedel.pedel``: the same call; default PEDEL (raw targets, no offline data). Figure FIG3.
- ``ftpedel.pac_learner_plugin``: the same call; default FTPedel with the plug-in design
  (:func:`plugin_learner`). Claim E7. (Claim E8 uses ``ftpedel.pac_learner``.)

FTPedel claims and panels
-------------------------
Complexity measure (deterministic design solves; F4, F5 on random tabular MDPs):

- FT-F1: online-only N of FT-X1 vs beta (sqrt(d-1)+1)^2 / Delta^2. Panel: uniform design, gap not
  squared, beta halved.
- FT-F2: offline data on the suboptimal arms bring it to beta / Delta^2. Panel: Lambda_off ignored,
  Lambda_off averaged instead of summed, uniform design, beta halved.
- FT-F3: expert data: verifiable beta (d-1) / Delta^2; pessimism (a fixed reference, not the learner
  under test) picks pi*. Panel: Lambda_off ignored, averaged, uniform design.
- FT-F4: N_FT monotone in Lambda_off and 0 at 1e9 I. Panel: Lambda_off averaged, ignored (note: a
  property of any additive PSD form; only how Lambda_off enters can break it).
- FT-F5: halving every gap and epsilon multiplies N by 4. Panel: gap not squared, ridge lambda = 1
  (note: homogeneity is blind to constant factors).

End to end (FTPedel with sampling):

- FT-E1: epsilon-optimal in >= 1 - delta of runs (binomial) on a 16-armed bandit with every gap
  1.1 eps, at radius constant 0.3 where the union bound's slack is small. Panel: elimination at
  eps_l (not 2 eps_l), beta_l / 10 (note: bugs that only loosen the certificate are E5's).
- FT-E2: offline data cut the online episodes of the library's online-only run on FT-X1 > 2x. Panel:
  Lambda_off ignored, design blind to it (verification sees it), Lambda_off averaged, uniform design.
- FT-E3: offline data covering every direction: 0 online episodes and correct. Panel: Lambda_off
  ignored, averaged, offline tuples not pooled into the regressions.
- FT-E4: online episodes against N_FT have log-log slope 1 (0.5 and 1.5 excluded) on an FT-X1 family.
  Panel: uniform design, Lambda_off ignored, beta_l / 100. Note: for the library's learner this is a
  consistency check of its rounds against the measure of the same solver; it cannot see a constant
  factor on the episodes, nor any bug that keeps the cost.
- FT-E5: the certificate, on random multi-step linear MDPs (:func:`mdps.instances.ftpedel.random_linear_family`:
  S = 4, A = 2, d = 3, H = 2, stochastic transitions, a near tie and competitors with gaps in
  (eps, 2 eps)), half the runs with the family's offline data and half on its policies that share
  their step-0 actions, without offline data (``shared_first_step``: every step-0 visitation
  difference is 0, :ref:`ftpedel-propagation`). Sub-checks: every round's design objective at the *realised* data (recomputed
  from the reported online pair counts) <= eps_l^2 / beta_l with eps_l = 2^-l and the library's
  beta_l; the last round certifies eps (4 eps_L <= eps, or one survivor); value-difference
  estimates within eps_l in >= 1 - delta of runs; eps-optimal in >= 1 - delta of runs. Panel:
  last round certifying 2 eps, eps_l = 2^-(l-1), planned covariance verified instead of the
  realised one, beta_l without log(1/delta), next-step visitations from the actions of step h,
  beta_l / 4, and difference targets without the propagation target (the library's defect until
  2026-12-05: on the shared-step-0 runs it draws no episode, and 20 of 40 runs' estimates and 9 to
  12 of 40 answers miss at quick root seeds 1 and 2; the offline data of the first kind hide it).
  None of these was caught by F1-E4 before E5 (FT-E1, H = 1: 1-4/40 violations).
- FT-E6: episodes against N_FT with the propagation term (``ftpedel_complexity(...,
  propagation=True)``, :ref:`ftpedel-propagation`) and the verifiable lower bound on the
  multi-step family (no offline data, H = 2 (2 and 3 at full), eps = 0.2 * 4^-k, k = 0..2, one
  instance per cell, 4 at smoke, 6 at quick, 20 at full): every run uses at least the lower bound's episodes;
  episodes / N_FT(beta_L) <= 64 L (the elimination analysis: round l's survivors have
  Delta <= 8 eps_l and eps <= 8 eps_l, and the propagation target is needed in round l only while
  a survivor acting unlike the leader after h is alive, whose gap is then <= 8 eps_l); the ratio at
  the smallest eps is at most 9/5 (= L ratio, the band's growth) times the ratio at the largest
  (paired bootstrap over instances); eps-optimal in >= 1 - delta of runs. Measured (quick, root
  seeds 1 and 2, 10 instances each, before the quick grid was cut to 6): mean ratio 53, 58, 42 and 60, 60, 43 from the largest to
  the smallest eps (per run 17 to 78; band 320 to 576), growth 0.78 [0.57, 1.04] and
  0.71 [0.54, 0.89]. Before the propagation target the ratio against the differences-only N_FT
  fell from large to small eps (growth 0.50 [0.27, 0.80] at seed 1), partly because rounds with
  no data cost nothing; against the paper's N_FT the fixed algorithm's ratio grows (a near tie
  costs beta_L / eps_L^2 through the propagation target, which the differences-only measure does
  not charge), which is why the claim uses the measure with the term.
  Panel: no elimination, beta_l / 1000 (beta_l / 100
  falls below the lower bound in only ~1 run in 5), beta_l x 16. H = 3 is not in the quick cells:
  measured CPU per instance (4 instances, 2026-12-05, before the propagation target), H = 3 / H = 2
  is 0.95 / 0.61 s for the deterministic measures and 0.74 / 0.41 s for the three runs (E5:
  0.174 / 0.110 s per run), so about 1.7x E6's quick cost; it stays at full.
- FT-E7: the plug-in design (``design_model="plugin"``: each round's exploration planned with the
  transitions estimated from the data so far, then the realised covariance verified and the plan
  redone with the data in hand when it misses) on FT-E5's family (eps 0.1) and on
  :func:`mdps.instances.ftpedel.routing_mdp` (6 rooms, eps 0.2). Sub-checks: the certificate of
  FT-E5 (realised objective <= eps_l^2 / beta_l in every round, last round certifies eps),
  eps-optimal in >= 1 - delta of runs, and on each instance kind mean plug-in episodes / mean
  oracle-plan episodes on the same instances and offline data (paired bootstrap) <= growth^2 =
  1.5625 (the family's from the quick budget on, see _analyse_e7).
  The factor: both loops stop on the same realised test; the oracle can overshoot its
  plan by one growth step, and the plug-in's re-plan adds at least one growth step of the
  episodes so far when the estimated model misjudges the atoms, so an estimate accurate enough for
  the first re-plan to fix it costs at most one extra factor growth. Measured (quick, root seed
  0, 20 family runs and 4 routing runs, before the quick cells were cut to 15 and 3):
  0.91 [0.79, 1.06] on the family, 0.96 [0.92, 1.00] on routing (the plug-in can undercut the
  oracle: its re-plan collects only what the data in hand lack, the oracle's loop grows the whole
  plan). Panel: no verification (trusts the plan: realised objective up to 1.2 x the tolerance),
  never re-plans (each step's first design reused: 3.5x on routing, 5.9x on the family), the
  transitions of step k estimated from step k + 1's data (2.7x on routing; 1.04x on the family,
  whose uniform design is nearly optimal), beta_l / 4. Not in the panel: a model frozen after
  round 1 but re-planned every round costs 1.005x on routing (the re-plan absorbs its error).
- FT-E8: the offline gain against the measure the algorithm targets, on
  :func:`mdps.instances.ftpedel.partial_coverage_routing` (30000 offline tuples on the optimum's
  and the near tie's directions, none on the near tie's step-0 action nor the far rooms; eps
  0.2): measured gain = mean online-only episodes (the library's run, fixed) / mean episodes with
  the offline data, against the gain of :func:`provable_rl.ftpedel.schedule_complexity` (4.61),
  within a factor growth = 1.25 both ways (paired bootstrap); plus the certificate with the true
  offline covariance and eps-optimality. The band: every (round, step) collection of a run ends
  between its planned minimum and one growth step above it, and on this instance the exact
  elimination's survivors (the schedule's) are those of the runs in the rounds that cost, so both
  runs lie in [S, growth S] and the gain within a factor growth of S(0) / S(Lambda_off).
  N_FT's gain here is 2.68: N_FT (tolerance 1 / beta, gaps max(Delta, eps)) is not the measure the
  rounds meet (their last tolerance eps_L^2 / beta_L is many times stricter), so a fixed
  Lambda_off is worth a different share of the online need (one of the two causes of the previous
  session's 0.36-2.6 measured vs 1.1-5.6 predicted on the random family; the other was the
  difference-target defect, fixed by the propagation target, :ref:`ftpedel-propagation`; the
  routing policies act alike after step 0, so it never applies here). Measured (quick, root seed 0, 12 runs):
  0.98 [0.93, 1.03]. Panel: Lambda_off ignored (gain 1: 0.22 of the prediction), Lambda_off
  averaged (0.22), counted twice (the verification then passes with too few online data: realised
  objective 1.15 x the tolerance at the true Lambda_off), of step h + 1 (2e4 x).

Calibration of the FTPedel claims
---------------------------------
Each claim and its whole panel at root seeds 1..20, ``provable-rl calibrate 'FT-F*' 'FT-E[1-5]'
--budget quick --seeds 20 --jobs 1`` and ``provable-rl calibrate 'FT-E6' ...`` (two processes,
merged with ``--merge``), 2026-12-05, after FT-E6 and the recorded objective were added:

- quick: every claim (F1-F5, E1-E6) held at 20/20 seeds and every mutant of every panel was
  rejected at 20/20.
- smoke (previous session, before FT-E6): every claim held at 20/20 and every mutant was rejected
  at 20/20. (FT-E1 with 30 runs missed eps_threshold at 1 seed, 9/30 violations; with 40 runs
  eps_threshold had 16-26/40 violations, the test rejects from 12, and radius_div10 more.) FT-E6
  at smoke (not calibrated at 20 seeds): held at root seeds 0-7, radius_div1000 rejected at 0-7,
  no_elimination and radius_x16 at 0-1 (the tests' seeds).
- This session (plug-in design, schedule measure, FT-E7, FT-E8) left the library's default path
  bit-for-bit unchanged: 1341 cells recomputed at quick (FT-F1..F5 at root seed 1, FT-E1, E2, E3,
  E4, E5, E6 at several seeds, algorithm and mutants) gave rows identical to the cached cells of
  the calibration above, so its verdicts stand for the current code.
- FT-E7 and FT-E8, root seeds 1..20, one process per seed list (the machine had load ~20 on 2
  cores): quick: FT-E7 held 20/20, no_verification, never_replans, wrong_step_model and radius_div4
  each rejected 20/20; FT-E8 held 20/20, ignore_offline, double_counted_offline, wrong_step_offline
  and averaged_offline each rejected 20/20. Smoke: FT-E7 held 20/20, every mutant rejected 20/20;
  FT-E8 held 20/20, every mutant rejected 20/20, with the smoke sizes of _analyse_e7 and _e8_cells
  (with smoke's former 4 runs, E7 failed at root seeds 3 and 20, E8 at 8).
- After the propagation target (2026-12-05; FT-E5's second kind and ``no_propagation_target``
  mutant, FT-E6 against N_FT with the propagation term, the quick grids of E5 and E6 cut):
  ``provable-rl calibrate 'FT-E5' 'FT-E6' 'FT-E7' 'FT-P1' --budget quick --seeds 20 --jobs 2``
  (3460 s on the shared machine): E5, E6 and E7 held at 20/20 and every mutant of their panels
  was rejected at 20/20 (``no_propagation_target`` included). Smoke (``provable-rl calibrate 'FT-E5'
  'FT-E6' 'FT-P1' --budget smoke --seeds 20 --jobs 2``): E5 20/20 with every mutant rejected
  20/20; E6 held at 19/20 (root seed 19: the growth ratio 1.19 with the bootstrap interval
  [0.63, 1.98] over smoke's 4 instances, against 1.8), every mutant rejected 20/20. FT-E8 and the
  H = 1 claims are untouched by the fix (routing policies act alike after step 0; at H = 1 there is
  no later step): their rows at quick root seed 1 are identical to before.
- Time, 20 seeds at quick with claims and panels, on 2 cores shared by ~15 busy processes: E1
  1623 s, E2 341 s, E3 117 s, E4 478 s, E5 516 s, E6 2702 s, F1-F5 131 s together; so about 8x
  what the previous session measured on a less loaded machine (~95 s per seed, E6 not counted).
"""
from __future__ import annotations

import functools
import importlib
import math
from dataclasses import dataclass

import numpy as np

from mdps.core import LinearMDP, one_hot_linear_mdp
from mdps.instances.ftpedel import (competitor_bandit, ft_x1, ft_x2, partial_coverage_routing, random_linear_family,
                                    routing_mdp)
from mdps.instances.random import random_finite_horizon_mdp
from provable_rl import ftpedel as ft

from .framework import Claim, LearnerProtocol, Mutant, Sweep, per_budget, register
from .statistics import all_of, bound_verdict, exact_verdict, order_verdict, rate_verdict

PAPER = "Wagenmaker & Pacchiano 2023 (FTPedel); Wagenmaker & Jamieson 2022 (PEDEL)"
#: Small epsilon for the bandit measures, so that max(Delta, eps) = Delta for every suboptimal arm.
_EPS_MEASURE = 1e-3
#: Ridge lambda of every regression of the end-to-end learners (the library's default), and of the
#: realised covariance FT-E5 recomputes.
REGULARIZER = 1e-3


#: The claims of this module, in registration order.
CLAIMS: list = []


def _register(claim: Claim) -> Claim:
    CLAIMS.append(register(claim))
    return claim


# ============================================================================================
# Learners of the complexity measure (protocol ftpedel.complexity)
# ============================================================================================

def ftpedel_measure(mdp, policy_class, *, epsilon, beta, offline_covariances=None) -> float:
    """N_FT(D_off, epsilon) by the library's design solver (:func:`provable_rl.ftpedel.ftpedel_complexity`)."""
    return float(ft.ftpedel_complexity(mdp, policy_class, epsilon=epsilon, beta=beta,
                                       offline_covariances=offline_covariances).n_episodes)


def measure_variant(mdp, policy_class, *, epsilon, beta, offline_covariances=None, design="optimal",
                    offline="summed", gap_power=2, constant=1.0, regularizer=1e-8) -> float:
    """The complexity measure with one ingredient changed (the mutants of the measure claims).

    ``design="uniform"``: the uniformly random policy instead of the optimal design.
    ``offline="ignored"``: Lambda_off = 0; ``"averaged"``: Lambda_off,h divided by its trace (the
    average of phi phi^T over the tuples for unit-norm features) instead of summed.
    ``gap_power=1``: the targets divided by max(Delta, eps) instead of its square.
    ``constant``: the tolerance 1 / (constant beta). ``regularizer``: the ridge of the design's
    covariance (the measure's own is 1e-8).
    """
    off = offline_covariances
    if off is not None and offline == "ignored":
        off = None
    elif off is not None and offline == "averaged":
        off = np.asarray(off, float)
        trace = np.trace(off, axis1=1, axis2=2)
        off = off / np.maximum(trace, 1.0)[:, None, None]
    if gap_power == 2:
        return float(ft.ftpedel_complexity(mdp, policy_class, epsilon=epsilon, beta=beta, offline_covariances=off,
                                           constant=constant, design=design, regularizer=regularizer).n_episodes)
    scales = np.maximum(policy_class.gaps, epsilon) ** (gap_power / 2.0)
    H, d = mdp.horizon, mdp.dim
    Loff = np.zeros((H, d, d)) if off is None else np.asarray(off, float)
    vis = policy_class.visitations
    return float(sum(ft.minimum_episodes(vis[:, h] - vis[policy_class.best, h], scales, 1.0 / (constant * beta),
                                         mdp=mdp, step=h, offline_covariance=Loff[h], regularizer=regularizer,
                                         design=design, rtol=0.005).n_episodes for h in range(H)))


uniform_design_measure = functools.partial(measure_variant, design="uniform")
ignore_offline_measure = functools.partial(measure_variant, offline="ignored")
averaged_offline_measure = functools.partial(measure_variant, offline="averaged")
gap_not_squared_measure = functools.partial(measure_variant, gap_power=1)
half_beta_measure = functools.partial(measure_variant, constant=0.5)
ridge_one_measure = functools.partial(measure_variant, regularizer=1.0)

MEASURE = LearnerProtocol(
    name="ftpedel.complexity",
    signature="measure(mdp, policy_class, *, epsilon, beta, offline_covariances=None) -> float",
    description=(
        "mdp : mdps.core.LinearMDP (H steps, S states, A actions, features (S, A, d)), known exactly. "
        "policy_class : provable_rl.ftpedel.PolicyClass, the exact visitations phi_{pi,h} (n, H, d), "
        "covariances, values and gaps of the finite class Pi. epsilon : float > 0. beta : float > 0, the "
        "log-confidence term. offline_covariances : float array (H, d, d) of Lambda_off,h = sum over the offline "
        "tuples of phi phi^T (unnormalised), or None (no offline data). Returns float >= 0: N_FT = sum_h "
        "min{N : inf over designs Lambda of the step-h policy covariances of max_pi ||phi_{pi,h} - "
        "phi_{pi*,h}||^2_{(N Lambda + Lambda_off,h)^-1} / max(Delta(pi), epsilon)^2 <= 1/beta}. The sweeps "
        "compare it with closed forms (FT-X1, FT-X2), with itself under more offline data, and under halved gaps."),
    default=ftpedel_measure,
)


# ============================================================================================
# End-to-end learners (protocols ftpedel.pac_learner, ftpedel.pac_learner_r03, ftpedel.pedel)
# ============================================================================================

@dataclass(frozen=True)
class PACRun:
    """What an (epsilon, delta)-PAC learner returns to the end-to-end sweeps.

    Attributes
    ----------
    policy_index : int
        Index of the returned policy in the class.
    online_episodes : int
        Online episodes used.
    rounds : tuple of dict
        The certificate, one dict per elimination round in order (FT-E5 reads it; the other claims
        ignore it): ``survivors`` (int array, class indices at the round's start), ``estimates``
        (their V-hat), ``kept`` (indices after the round's elimination) and ``steps``, per step h a
        dict with ``targets`` (float (P, d): the vectors the round's step-h design covered) and
        ``online_pair_counts`` (int (S, A): the round's step-h online pairs n(s, a)).
    """

    policy_index: int
    online_episodes: int
    rounds: tuple = ()


def ftpedel_learner(mdp, policies, *, epsilon, delta, offline=None, rng=None, radius_constant=1.0,
                    design="optimal", targets="difference", **knobs) -> PACRun:
    """FTPedel (:func:`provable_rl.ftpedel.ftpedel`) with its certificate recorded.

    ``knobs`` are the private keywords of ``provable_rl.ftpedel._ftpedel`` that make the broken
    variants of this module's panels; the library's algorithm passes none.
    """
    pol = np.asarray(policies, dtype=np.int64)
    off = ft.empty_statistics(mdp) if offline is None else offline
    record: list = []
    res = ft._ftpedel(mdp, pol, float(epsilon), float(delta), off, rng, targets, float(radius_constant),
                      REGULARIZER, design, 1.25, 1e9, record=record, **knobs)
    return PACRun(int(res.policy_index), int(res.online_episodes), tuple(record))


# --- mutants of the end-to-end learners (each a partial of ftpedel_learner) ------------------
last_round_2eps = functools.partial(ftpedel_learner, round_shift=-1)
schedule_off_by_one = functools.partial(ftpedel_learner, schedule_shift=-1)
verify_planned = functools.partial(ftpedel_learner, verify="planned")
no_log_delta = functools.partial(ftpedel_learner, radius_log_delta=False)
wrong_step_features = functools.partial(ftpedel_learner, next_step=0)
radius_div4 = functools.partial(ftpedel_learner, radius_constant=0.25)
ignore_offline = functools.partial(ftpedel_learner, offline_in_design=False, offline_in_verification=False)
offline_verification_only = functools.partial(ftpedel_learner, offline_in_design=False)
averaged_offline = functools.partial(ftpedel_learner, offline_normalised=True)
no_pooling = functools.partial(ftpedel_learner, pool_offline=False)
uniform_design = functools.partial(ftpedel_learner, design="uniform")
radius_div100 = functools.partial(ftpedel_learner, radius_constant=0.01)
no_propagation_target = functools.partial(ftpedel_learner, propagation_targets=False)

#: FT-E1's radius constant (below the library's 1; see FT-E1).
E1_RADIUS = 0.3
ftpedel_learner_r03 = functools.partial(ftpedel_learner, radius_constant=E1_RADIUS)
eps_threshold_r03 = functools.partial(ftpedel_learner, radius_constant=E1_RADIUS, elimination_factor=1.0)
radius_div10_r03 = functools.partial(ftpedel_learner, radius_constant=E1_RADIUS / 10)

pedel_learner = functools.partial(ftpedel_learner, targets="raw")
pedel_uniform = functools.partial(ftpedel_learner, targets="raw", design="uniform")

_PAC_CALL = "learner(mdp, policies, *, epsilon, delta, offline, rng) -> PACRun"
_PAC_TEXT = (
    "mdp : mdps.core.LinearMDP, the simulator; a learner may read its model (the library's design is an "
    "oracle design planned with the true model) but must draw its online data with rng (e.g. "
    "provable_rl.ftpedel.collect_step). policies : int array (n, H, S), the finite class Pi. epsilon, delta : "
    "float. offline : provable_rl.ftpedel.TransitionStatistics (per-step counts n_h(s, a, s') and reward sums) "
    "or None. rng : numpy Generator. Returns a PACRun (policy_index, online_episodes, rounds: the per-round "
    "certificate, see PACRun). The sweeps compare the returned policy's exact gap with epsilon, the episodes "
    "with N_FT, and (FT-E5) recompute each round's realised covariance from the reported online pair counts.")

PAC = LearnerProtocol(name="ftpedel.pac_learner", signature=_PAC_CALL, description=_PAC_TEXT,
                      default=ftpedel_learner)
PAC_R03 = LearnerProtocol(
    name="ftpedel.pac_learner_r03", signature=_PAC_CALL,
    description=_PAC_TEXT + f" Default: FTPedel at confidence-radius constant {E1_RADIUS} (FT-E1's stress test).",
    default=ftpedel_learner_r03)
PEDEL = LearnerProtocol(
    name="ftpedel.pedel", signature=_PAC_CALL,
    description=_PAC_TEXT + " Default: PEDEL (raw visitation targets, no offline data).",
    default=pedel_learner)


def _spawn(rng, n):
    return rng.spawn(n)


# ============================================================================================
# FT-F1 .. F3: the bandit examples FT-X1 and FT-X2
# ============================================================================================

def _bandit_cells(budget):
    return [{"n_arms": 8, "gap": 0.1, "delta": 0.05}]


def _bandit_run(cell, rng, learner):
    K, gap, delta = cell["n_arms"], cell["gap"], cell["delta"]
    beta = math.log(1.0 / delta)
    x1, x2 = ft_x1(K, gap), ft_x2(K, gap)
    pc = ft.policy_class(x1.mdp, x1.policies)
    online = learner(x1.mdp, pc, epsilon=_EPS_MEASURE, beta=beta, offline_covariances=None)
    hybrid = learner(x1.mdp, pc, epsilon=_EPS_MEASURE, beta=beta, offline_covariances=x1.offline_covariances)
    verifiable = learner(x2.mdp, pc, epsilon=_EPS_MEASURE, beta=beta, offline_covariances=x2.offline_covariances)
    # The unverifiable reference learner of the separation (pessimism), not the measure under test.
    expert = ft.sample_offline_statistics(x2.mdp, x2.offline_counts, rng)
    lcb_arm = ft.pessimistic_choice(x2.mdp, pc, expert, beta=beta)
    return [{
        "online": float(online), "hybrid": float(hybrid), "verifiable": float(verifiable),
        "closed_online": beta * (math.sqrt(K - 1) + 1) ** 2 / gap ** 2,
        "closed_hybrid": beta / gap ** 2, "closed_verifiable": beta * (K - 1) / gap ** 2,
        "unverifiable_correct": int(pc.gaps[lcb_arm] == 0),
    }]


def optimistic_choice(mdp, pc, offline, beta, regularizer=1e-3):
    """Broken variant of :func:`provable_rl.ftpedel.pessimistic_choice`: the bonus added, not subtracted.

    Not a learner of any sweep (FT-F3's unverifiable learner is a fixed reference); the unit test
    ``tests/proofs_check/test_ftpedel.py`` checks that it picks a wrong arm on FT-X2.
    """
    theta, _ = ft._regress_step(mdp, offline.counts[0], offline.reward_sums[0], regularizer, None, None)
    Lam = offline.covariances(mdp)[0] + regularizer * np.eye(mdp.dim)
    phi = pc.visitations[:, 0]
    width = np.sqrt(np.einsum("pi,ip->p", phi, np.linalg.solve(Lam, phi.T)))
    return int(np.argmax(phi @ theta + math.sqrt(beta) * width))


BANDIT_MEASURES = Sweep("ftpedel.bandit_measures", _bandit_cells, _bandit_run, protocol=MEASURE)


def _within(measured, closed, rtol):
    """``closed <= measured <= (1 + rtol) closed``: a Frank-Wolfe answer is an upper bound."""
    ratio = np.asarray(measured, float) / np.asarray(closed, float)
    return all_of({
        "within": exact_verdict(ratio, 1.0, atol=rtol),
        "not_below_optimum": exact_verdict(np.maximum(1.0 - ratio, 0.0), 0.0, atol=1e-3),
    })


def _analyse_f1(rows, budget):
    return _within([r["online"] for r in rows], [r["closed_online"] for r in rows], 0.05)


def _analyse_f2(rows, budget):
    ratio = [r["online"] / r["hybrid"] if r["hybrid"] > 0 else math.inf for r in rows]
    closed = [r["closed_online"] / r["closed_hybrid"] for r in rows]
    return all_of({
        "hybrid": _within([r["hybrid"] for r in rows], [r["closed_hybrid"] for r in rows], 0.05),
        "gain": exact_verdict(np.asarray(ratio) / np.asarray(closed), 1.0, atol=0.05),
    })


def _analyse_f3(rows, budget):
    # The unverifiable learner's 0 online episodes hold by construction (pessimistic_choice reads
    # the offline data only), so they are not a sub-check; what can fail is its choice.
    # Limitation: on FT-X2 a greedy (no-penalty) choice also picks arm 0, because the ridge
    # estimate of an unobserved arm is 0 and every mean is > 0; an optimistic choice is not.
    return all_of({
        "verifiable": _within([r["verifiable"] for r in rows], [r["closed_verifiable"] for r in rows], 0.05),
        "lcb_correct": exact_verdict([r["unverifiable_correct"] for r in rows], 1.0, atol=0.0),
    })


_M_UNIFORM = Mutant("uniform_design", uniform_design_measure,
                    "design explores with the uniformly random policy instead of the optimal design")
_M_IGNORE = Mutant("ignore_offline", ignore_offline_measure, "offline covariance ignored (Lambda_off = 0)")
_M_AVERAGED = Mutant("averaged_offline", averaged_offline_measure,
                     "offline covariance averaged over the tuples (divided by its trace) instead of summed")
_M_GAP = Mutant("gap_not_squared", gap_not_squared_measure, "targets divided by max(Delta, eps), not its square")
_M_HALF_BETA = Mutant("half_beta", half_beta_measure, "tolerance 2 / beta instead of 1 / beta (beta halved)")
_M_RIDGE = Mutant("ridge_one", ridge_one_measure,
                  "design covariance regularised with lambda = 1 (a learner's ridge) instead of ~0")

_register(Claim(
    id="FT-F1", name="ftpedel.measure.online_closed_form", paper=PAPER,
    theorem="FT-X1, online only: complexity = XY-allocation optimum [derived]",
    statement="N_online(FT-X1, d=8, Delta=0.1, delta=0.05) within [1, 1.05] x beta (sqrt(d-1)+1)^2 / Delta^2 = 3982",
    kind="exact", sweep=BANDIT_MEASURES, analyse=_analyse_f1,
    mutants=(_M_UNIFORM, _M_GAP, _M_HALF_BETA),
))
_register(Claim(
    id="FT-F2", name="ftpedel.measure.offline_plus_online", paper=PAPER,
    theorem="FT-X1, offline plus online: offline data enter the design additively [paper]; numbers [derived]",
    statement="N_FT(FT-X1) within [1, 1.05] x beta/Delta^2 = 300; N_online / N_FT within 5% of (sqrt(d-1)+1)^2 = 13.3",
    kind="exact", sweep=BANDIT_MEASURES, analyse=_analyse_f2,
    mutants=(_M_IGNORE, _M_AVERAGED, _M_UNIFORM, _M_HALF_BETA),
))
_register(Claim(
    id="FT-F3", name="ftpedel.measure.verifiable_vs_unverifiable", paper=PAPER,
    theorem="FT-X2: verifiable vs unverifiable separation [paper that it exists]; numbers [derived]",
    statement="expert data: verifiable N within [1, 1.05] x beta (d-1)/Delta^2 = 2097; pessimism picks pi* with 0 online episodes",
    kind="exact", sweep=BANDIT_MEASURES, analyse=_analyse_f3,
    mutants=(_M_IGNORE, _M_AVERAGED, _M_UNIFORM),
    panel_note="The unverifiable learner (pessimism) is a fixed reference of the sweep, not the learner under "
               "test; its optimistic variant is checked by a unit test.",
))


# ============================================================================================
# FT-F4: monotonicity in the offline covariance; FT-F5: gap scaling
# ============================================================================================

def _random_instance(rng, horizon=2):
    mdp = one_hot_linear_mdp(random_finite_horizon_mdp(2, 2, horizon, rng))
    return mdp, ft.policy_class(mdp, ft.all_deterministic_policies(mdp))


def _instance_cells(budget):
    return [{"instance": k} for k in range(per_budget(budget, 2, 4, 10))]


def _monotone_run(cell, rng, learner):
    mdp, pc = _random_instance(rng)
    beta = math.log(len(pc) / 0.1)
    eps = 0.05
    small = rng.integers(0, 40, size=(mdp.horizon, mdp.n_states, mdp.n_actions))
    large = small + rng.integers(0, 40, size=small.shape)
    kappa = np.full(small.shape, 10 ** 9)
    phi = mdp.features

    def n_ft(counts):
        cov = np.einsum("hsa,sai,saj->hij", counts, phi, phi)
        return float(learner(mdp, pc, epsilon=eps, beta=beta, offline_covariances=cov))

    return [{"n_small": n_ft(small), "n_large": n_ft(large), "n_kappa": n_ft(kappa)}]


MONOTONICITY = Sweep("ftpedel.monotonicity", _instance_cells, _monotone_run, protocol=MEASURE)


def _analyse_f4(rows, budget):
    excess = [max(r["n_large"] / r["n_small"] - 1.0, 0.0) if r["n_small"] > 0 else float(r["n_large"] > 0)
              for r in rows]
    # N_FT(0) = N_online holds by construction (online_complexity is ftpedel_complexity with
    # Lambda_off = 0), so it is a unit test, not a sub-check here.
    return all_of({
        # Frank-Wolfe answers are upper bounds within ~1%: monotone up to that tolerance.
        "monotone": exact_verdict(excess, 0.0, atol=0.02),
        "kappa_identity_is_free": exact_verdict([r["n_kappa"] for r in rows], 0.0, atol=0.0),
    })


_register(Claim(
    id="FT-F4", name="ftpedel.measure.monotone_in_offline", paper=PAPER,
    theorem="N_FT of the FTPedel upper bound: never worse than online since Lambda_off >= 0 [recalled]; properties [derived]",
    statement="Lambda_off <= Lambda'_off => N_FT(Lambda') <= 1.02 N_FT(Lambda); N_FT(1e9 I) = 0",
    kind="exact", sweep=MONOTONICITY, analyse=_analyse_f4,
    mutants=(_M_AVERAGED, _M_IGNORE),
    panel_note="Monotonicity holds for any additive PSD form, so only bugs in how Lambda_off enters can fail "
               "it; both are here (rejected by N_FT(1e9 I) = 0). Design and gap bugs keep both properties "
               "and are FT-F1/F2/F5's.",
))


def _scaling_run(cell, rng, learner):
    mdp, pc = _random_instance(rng)
    half = LinearMDP(mdp.features, mdp.mu, mdp.theta / 2, mdp.initial)
    pc_half = ft.policy_class(half, pc.policies)
    beta = math.log(len(pc) / 0.1)
    eps = 0.05
    return [{"n_full": float(learner(mdp, pc, epsilon=eps, beta=beta, offline_covariances=None)),
             "n_half": float(learner(half, pc_half, epsilon=eps / 2, beta=beta, offline_covariances=None))}]


GAP_SCALING = Sweep("ftpedel.gap_scaling", _instance_cells, _scaling_run, protocol=MEASURE)


def _analyse_f5(rows, budget):
    return exact_verdict([r["n_half"] / r["n_full"] for r in rows], 4.0, atol=0.0, rtol=1e-4)


_register(Claim(
    id="FT-F5", name="ftpedel.measure.gap_scaling", paper=PAPER,
    theorem="N_FT without offline data: q scales as 1/(N g^2) [derived, exact algebra]",
    statement="halving every gap and epsilon (theta/2) multiplies N_online by 4 (rtol 1e-4)",
    kind="exact", sweep=GAP_SCALING, analyse=_analyse_f5,
    mutants=(_M_GAP, _M_RIDGE),
    panel_note="Homogeneity sees only rules of the wrong degree in (Delta, eps) or an N-independent term "
               "(a ridge); constant factors (beta halved), design and offline bugs scale by exactly 4 too "
               "and are FT-F1/F2/F4's.",
))


# ============================================================================================
# FT-E1: correctness (stressed radius)
# ============================================================================================

#: E1's instance: 16 arms, every competitor just outside epsilon, a little offline data on each.
E1_ARMS, E1_GAP, E1_EPSILON, E1_DELTA, E1_OFFLINE = 16, 0.055, 0.05, 0.1, 20


def _e1_cells(budget):
    # 40 runs at smoke: the binomial test (level 1e-3) then rejects at >= 12/40 violations, and
    # eps_threshold's violation rate is ~0.45-0.65 by seed (30 runs missed it at 1 of 20 seeds).
    blocks, runs = per_budget(budget, (4, 10), (6, 10), (10, 20))
    return [{"block": b, "runs": runs} for b in range(blocks)]


def _e1_run(cell, rng, learner):
    inst = ft_x1(E1_ARMS, E1_GAP)
    counts = np.full(inst.offline_counts.shape, E1_OFFLINE)
    pc = ft.policy_class(inst.mdp, inst.policies)
    data_rng, algo_rng = _spawn(rng, 2)
    rows = []
    for run in range(cell["runs"]):
        off = ft.sample_offline_statistics(inst.mdp, counts, data_rng)
        res = learner(inst.mdp, inst.policies, epsilon=E1_EPSILON, delta=E1_DELTA, offline=off, rng=algo_rng)
        gap = float(pc.gaps[res.policy_index])
        rows.append({"run": run, "gap": gap, "violation": int(gap > E1_EPSILON),
                     "online_episodes": int(res.online_episodes)})
    return rows


CORRECTNESS = Sweep("ftpedel.correctness", _e1_cells, _e1_run, protocol=PAC_R03)


def _analyse_e1(rows, budget):
    return bound_verdict([r["violation"] for r in rows], len(rows), E1_DELTA,
                         ratios=[r["gap"] / E1_EPSILON for r in rows])


_register(Claim(
    id="FT-E1", name="ftpedel.e2e.correct", paper=PAPER,
    theorem="FTPedel main theorem: epsilon-optimal w.p. >= 1 - delta [paper]; PEDEL Thm 1",
    statement=f"FTPedel (radius constant {E1_RADIUS}) returns an {E1_EPSILON}-optimal arm of a {E1_ARMS}-armed "
              f"bandit with every gap {E1_GAP} in >= 1 - delta = {1 - E1_DELTA:g} of runs",
    kind="bound", sweep=CORRECTNESS, analyse=_analyse_e1,
    mutants=(
        Mutant("eps_threshold", eps_threshold_r03, "elimination threshold eps_l instead of 2 eps_l"),
        Mutant("radius_div10", radius_div10_r03, "confidence radius beta_l / 10"),
    ),
    panel_note="Correctness sees only bugs that make the returned arm wrong at this radius. Bugs that loosen "
               "the certificate without changing the answer here (last round certifying 2 eps, planned "
               "covariance verified, log(1/delta) dropped, beta_l / 4, offline tuples not pooled: 1-4/40 "
               "violations each) and the next-step features (H = 1 here) are FT-E5's panel.",
))


# ============================================================================================
# FT-E2: offline data help; FT-E3: zero-online regime
# ============================================================================================

def _e2_cells(budget):
    return [{"seed_block": b} for b in range(per_budget(budget, 3, 6, 20))]


def _e2_run(cell, rng, learner):
    inst = ft_x1(8, 0.1)
    data_rng, algo_rng, ref_rng = _spawn(rng, 3)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, data_rng)
    with_off = learner(inst.mdp, inst.policies, epsilon=0.05, delta=0.1, offline=off, rng=algo_rng)
    # The reference: the library's FTPedel without offline data (fixed, whatever the learner).
    without = ft.ftpedel(inst.mdp, inst.policies, epsilon=0.05, delta=0.1, offline=None, rng=ref_rng)
    return [{"with_offline": int(with_off.online_episodes), "without_offline": int(without.online_episodes)}]


OFFLINE_HELP = Sweep("ftpedel.offline_help", _e2_cells, _e2_run, protocol=PAC)


def _analyse_e2(rows, budget):
    return order_verdict([r["with_offline"] for r in rows], [r["without_offline"] for r in rows],
                         margin=0.5, label="episodes with / without D_off")


_register(Claim(
    id="FT-E2", name="ftpedel.e2e.offline_helps", paper=PAPER,
    theorem="FTPedel main theorem: O~(N_FT(D_off)) online episodes [recalled]; FT-X1",
    statement="on FT-X1 (d=8, Delta=0.1, eps=0.05) offline data cut the online episodes of the library's "
              "online-only run by more than 2x",
    kind="order", sweep=OFFLINE_HELP, analyse=_analyse_e2,
    mutants=(
        Mutant("ignore_offline", ignore_offline, "offline covariance ignored in the design and its verification "
               "(data still pooled)"),
        Mutant("offline_verification_only", offline_verification_only,
               "offline covariance in the verification but not in the design (plans the online-only allocation)"),
        Mutant("averaged_offline", averaged_offline,
               "offline covariance averaged over the tuples instead of summed, in the design and the verification"),
        Mutant("uniform_design", uniform_design, "explores with the uniformly random policy"),
    ),
))


def _e3_cells(budget):
    cells = [{"instance": "ft_x1_full", "block": b} for b in range(per_budget(budget, 2, 3, 10))]
    if budget != "smoke":
        cells += [{"instance": "tabular", "block": b} for b in range(per_budget(budget, 0, 2, 5))]
    return cells


def _e3_run(cell, rng, learner):
    data_rng, algo_rng = _spawn(rng, 2)
    if cell["instance"] == "ft_x1_full":
        inst = ft_x1(8, 0.1)
        # Reversed, so the optimum is the last class member: an algorithm whose estimates tie (no
        # information) returns the first survivor, which must not be the optimum by accident.
        mdp, policies = inst.mdp, inst.policies[::-1]
        counts = np.full(inst.offline_counts.shape, 10 ** 6)
    else:
        mdp, pc0 = _random_instance(data_rng)
        policies = pc0.policies
        counts = np.full((mdp.horizon, mdp.n_states, mdp.n_actions), 10 ** 6)
    pc = ft.policy_class(mdp, policies)
    off = ft.sample_offline_statistics(mdp, counts, data_rng)
    # eps below FT-X1's gap 0.1, so that returning any suboptimal arm is a violation.
    eps = 0.05
    res = learner(mdp, policies, epsilon=eps, delta=0.1, offline=off, rng=algo_rng)
    return [{"online_episodes": int(res.online_episodes), "correct": int(pc.gaps[res.policy_index] <= eps)}]


ZERO_ONLINE = Sweep("ftpedel.zero_online", _e3_cells, _e3_run, protocol=PAC)


def _analyse_e3(rows, budget):
    return all_of({
        "episodes": exact_verdict([r["online_episodes"] for r in rows], 0.0, atol=0.0),
        "correct": exact_verdict([r["correct"] for r in rows], 1.0, atol=0.0),
    })


_register(Claim(
    id="FT-E3", name="ftpedel.e2e.zero_online", paper=PAPER,
    theorem="FTPedel design: no online episode once Lambda_off meets the tolerance [recalled]; exactly 0 with design-then-verify",
    statement="offline data covering every direction (1e6 tuples per pair): FTPedel uses 0 online episodes and is correct",
    kind="exact", sweep=ZERO_ONLINE, analyse=_analyse_e3,
    mutants=(
        Mutant("ignore_offline", ignore_offline, "offline covariance ignored in the design and its verification "
               "(data still pooled)"),
        Mutant("averaged_offline", averaged_offline,
               "offline covariance averaged over the tuples instead of summed, in the design and the verification"),
        Mutant("no_pooling", no_pooling, "offline tuples left out of the regressions"),
    ),
))


# ============================================================================================
# FT-E4: online episodes against the complexity
# ============================================================================================

#: The family: FT-X1 with K_k = 4 * 2^k arms and Delta_k = 0.2 / 2^k (epsilon = Delta_k / 2): N_FT
#: grows 4x per point while K doubles, so uniform exploration (cost ~ K N_FT) and a design blind
#: to the offline data (cost ~ (sqrt(K - 1) + 1)^2 / Delta^2) both have slope ~1.5.
E4_POINTS = 5


def _e4_cells(budget):
    # >= 4 independent blocks per point at every budget (rate_verdict's minimum).
    blocks = per_budget(budget, 4, 4, 10)
    return [{"point": k, "block": b} for k in range(E4_POINTS) for b in range(blocks)]


def _e4_instance(point):
    K, gap = 4 * 2 ** point, 0.2 / 2 ** point
    # 1e9 offline tuples per suboptimal arm: enough even at the last round's tolerance (eps_l ~ Delta/4).
    return ft_x1(K, gap, n_offline=10 ** 9), gap


def _e4_run(cell, rng, learner):
    inst, gap = _e4_instance(cell["point"])
    data_rng, algo_rng = _spawn(rng, 2)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, data_rng)
    res = learner(inst.mdp, inst.policies, epsilon=gap / 2, delta=0.1, offline=off, rng=algo_rng)
    return [{"online_episodes": int(res.online_episodes)}]


@functools.lru_cache(maxsize=None)
def e4_complexity(point: int) -> float:
    """N_FT of the E4 instance at ``point`` with beta = log(|Pi| / delta) (deterministic)."""
    inst, gap = _e4_instance(point)
    pc = ft.policy_class(inst.mdp, inst.policies)
    return ft.ftpedel_complexity(inst.mdp, pc, epsilon=gap / 2, beta=math.log(len(pc) / 0.1),
                                 offline_covariances=inst.offline_covariances).n_episodes


EPISODES_VS_COMPLEXITY = Sweep("ftpedel.episodes_vs_complexity", _e4_cells, _e4_run, protocol=PAC)

#: Slopes E4 must exclude: 1.5 (cost ~ K N_FT: uniform exploration, or a design blind to the
#: offline data) and 0.5 (a cost that grows like sqrt(N_FT), e.g. offline data meeting a too-loose
#: tolerance on the first points).
E4_COMPETITORS = (0.5, 1.5)


def _analyse_e4(rows, budget):
    points = sorted({r["point"] for r in rows})
    blocks = sorted({r["block"] for r in rows})
    table = {(r["point"], r["block"]): r["online_episodes"] for r in rows}
    x = [e4_complexity(k) for k in points]
    data = np.array([[[table[(k, b)] for b in blocks]] for k in points], dtype=float)
    return rate_verdict(x, data, 1.0, 0.25, competitors=E4_COMPETITORS)


_register(Claim(
    id="FT-E4", name="ftpedel.e2e.episodes_track_complexity", paper=PAPER,
    theorem="FTPedel main theorem: O~(N_FT) online episodes [recalled]; lower bound of the same shape",
    statement="log online episodes against log N_FT has slope 1 (+/- 0.25, 0.5 and 1.5 excluded) on FT-X1 "
              "with K = 4..64, Delta = 0.2..0.0125",
    kind="rate", sweep=EPISODES_VS_COMPLEXITY, analyse=_analyse_e4,
    mutants=(
        Mutant("uniform_design", uniform_design, "explores with the uniformly random policy (cost ~ K N_FT)"),
        Mutant("ignore_offline", ignore_offline, "offline covariance ignored in the design and its verification"),
        Mutant("radius_div100", radius_div100, "confidence radius beta_l / 100"),
    ),
    panel_note="N_FT is the library's measure with the true model, and the library's learner plans with the "
               "same solver: for it the check is a consistency check of the rounds against the measure. It "
               "rejects learners whose cost grows like another power of N_FT along the family (the panel), "
               "not a constant factor on the episodes (beta_l x 2, log(1/delta) dropped) nor any bug that "
               "keeps the cost (correctness, certificate: FT-E1, FT-E5).",
))


# ============================================================================================
# FT-E5: the certificate, on the multi-step linear family
# ============================================================================================

#: FT-E5's family (mdps.instances.ftpedel.random_linear_family): S = 4, A = 2, d = 3, H = 2, 8
#: policies chosen around epsilon, 50 offline tuples of action 0 per state and step.
E5_EPSILON, E5_DELTA = 0.1, 0.1


#: FT-E5's two kinds of instances: the family with its offline data, and the family's policies
#: that share their step-0 actions, without offline data (every step-0 visitation difference is 0,
#: so only the propagation target draws step-0 data; see FT-E5).
E5_KINDS = ("offline", "shared_first_step")


def _e5_cells(budget):
    # Quick: 3 blocks of 5 runs per kind (30 runs), cut from 4 blocks when the second kind doubled
    # the runs, to keep the quick budget (issue 11's 3 minutes for reproduce).
    blocks, runs = per_budget(budget, (2, 4), (3, 5), (10, 10))
    return [{"block": b, "runs": runs, "kind": kind} for b in range(blocks) for kind in E5_KINDS]


def theory_tolerance(round_index: int, *, horizon: int, n_policies: int, delta: float) -> float:
    """The tolerance of round l that the proof needs: ``eps_l^2 / beta_l`` with ``eps_l = 2^-l`` and
    ``beta_l = log(2 H |Pi| l^2 / delta)`` (the library's radius constant 1; the paper's c H^4 dropped)."""
    return (2.0 ** -round_index) ** 2 / ft.confidence_radius(round_index, horizon=horizon, n_policies=n_policies,
                                                             delta=delta)


def certificate_row(mdp, pc, offline_covariances, run: PACRun, *, epsilon, delta) -> dict:
    """FT-E5's measurements of one run, from the run's certificate and the exact model.

    - ``q_ratio``: max over rounds l and steps h of the design objective at the *realised* data,
      ``max_p ||v_p||^2_{(sum n(s,a) phi phi^T + Lambda_off,h + lambda I)^-1}`` (recomputed here
      from the reported online pair counts and targets), divided by :func:`theory_tolerance` of l
      (l is the record's position, whatever the learner calls it). The proof needs <= 1.
    - ``certified``: 1 when the run ended with one survivor, or after a round l with 4 eps_l <= epsilon
      (every survivor is then epsilon-optimal on the good event).
    - ``est_error``: max over rounds and survivors of |(V-hat_pi - V-hat_lead) - (V_pi - V_lead)| / eps_l
      (lead = the round's empirical best); the proof's event is <= 1.
    - ``gap``: the returned policy's exact gap.
    """
    H, d, n = mdp.horizon, mdp.dim, len(pc)
    q_ratio, est_error = 0.0, 0.0
    for k, rnd in enumerate(run.rounds, start=1):
        tol = theory_tolerance(k, horizon=H, n_policies=n, delta=delta)
        for h, step in enumerate(rnd["steps"]):
            V = np.asarray(step["targets"], float)
            if not np.any(V):
                continue
            counts = np.asarray(step["online_pair_counts"], float)
            A = (np.einsum("sa,sai,saj->ij", counts, mdp.features, mdp.features) + offline_covariances[h]
                 + REGULARIZER * np.eye(d))
            q = float(ft._q_values(A, V, np.ones(V.shape[0]))[0].max())
            q_ratio = max(q_ratio, q / tol)
        sv, est = np.asarray(rnd["survivors"]), np.asarray(rnd["estimates"], float)
        lead = int(np.argmax(est))
        err = np.abs((est - est[lead]) - (pc.values[sv] - pc.values[sv[lead]])).max()
        est_error = max(est_error, float(err) / 2.0 ** -k)
    L = len(run.rounds)
    if n == 1:
        certified = 1
    elif L == 0:
        certified = 0
    else:
        certified = int(len(run.rounds[-1]["kept"]) == 1 or 4 * 2.0 ** -L <= epsilon)
    return {"q_ratio": q_ratio, "certified": certified, "est_error": est_error,
            "gap": float(pc.gaps[run.policy_index]), "online_episodes": int(run.online_episodes)}


def _e5_run(cell, rng, learner):
    data_rng, algo_rng = _spawn(rng, 2)
    rows = []
    shared = cell.get("kind") == "shared_first_step"
    for run in range(cell["runs"]):
        inst = random_linear_family(data_rng, epsilon=E5_EPSILON, n_offline=0 if shared else 50,
                                    shared_first_step=shared)
        pc = ft.policy_class(inst.mdp, inst.policies)
        off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, data_rng)
        res = learner(inst.mdp, inst.policies, epsilon=E5_EPSILON, delta=E5_DELTA, offline=off, rng=algo_rng)
        row = certificate_row(inst.mdp, pc, off.covariances(inst.mdp), res, epsilon=E5_EPSILON, delta=E5_DELTA)
        rows.append({"run": run, **row})
    return rows


CERTIFICATE = Sweep("ftpedel.certificate", _e5_cells, _e5_run, protocol=PAC)


def _analyse_e5(rows, budget):
    n = len(rows)
    return all_of({
        # Exact: the learner's own stopping test is this inequality; 1e-9 absorbs nothing but rounding.
        "verified": exact_verdict([max(r["q_ratio"] - 1.0, 0.0) for r in rows], 0.0, atol=1e-9),
        "certified": exact_verdict([r["certified"] for r in rows], 1.0, atol=0.0),
        "estimates": bound_verdict([int(r["est_error"] > 1.0) for r in rows], n, E5_DELTA,
                                   ratios=[r["est_error"] for r in rows]),
        "correct": bound_verdict([int(r["gap"] > E5_EPSILON) for r in rows], n, E5_DELTA,
                                 ratios=[r["gap"] / E5_EPSILON for r in rows]),
    })


_register(Claim(
    id="FT-E5", name="ftpedel.e2e.certified", paper=PAPER,
    theorem="PEDEL Thm 1 / FTPedel main theorem, the proof's good event [recalled structure]; elimination logic [derived]",
    statement=f"on random multi-step linear MDPs (S=4, A=2, d=3, H=2, eps={E5_EPSILON}, delta={E5_DELTA}): every "
              "round's realised covariance meets eps_l^2 / beta_l, the last round certifies eps, the "
              "estimates are within eps_l in >= 1 - delta of runs, and the answer is eps-optimal in >= 1 - delta",
    kind="exact", sweep=CERTIFICATE, analyse=_analyse_e5,
    mutants=(
        Mutant("last_round_2eps", last_round_2eps, "epsilon schedule one round short: the last round certifies 2 eps"),
        Mutant("schedule_off_by_one", schedule_off_by_one, "eps_l = 2^-(l-1): the schedule counted from l = 0"),
        Mutant("verify_planned", verify_planned,
               "the verification reads the planned covariance N Lambda(omega), not the collected data"),
        Mutant("no_log_delta", no_log_delta, "beta_l without its log(1/delta)"),
        Mutant("wrong_step_features", wrong_step_features,
               "next-step visitations phi-hat_{pi,h+1} built with the actions of step h"),
        Mutant("radius_div4", radius_div4, "confidence radius beta_l / 4"),
        Mutant("no_propagation_target", no_propagation_target,
               "difference targets only: the leader's own visitation is not covered when a survivor acts unlike "
               "it after step h (the library's defect until 2026-12-05)"),
    ),
))


# ============================================================================================
# FT-E6: episodes against N_FT and the lower bound, on the multi-step family, over epsilon
# ============================================================================================

#: FT-E6's grid: epsilon = 0.2 * 4^-k, k = 0..2 (powers of 2, so that each point adds two rounds).
E6_EPSILONS = tuple(0.2 * 4.0 ** -k for k in range(3))
E6_DELTA = 0.1
#: Every round l <= L of the elimination needs at most 64 N_FT(beta_L) episodes (survivors of round
#: l have Delta <= 8 eps_l and eps <= 8 eps_l, so the design of N_FT scaled by 64 meets the round's
#: tolerance eps_l^2 / beta_l), hence <= 64 L N_FT over the L rounds (see FT-E6).
E6_BAND_FACTOR = 64.0
#: The band 64 L grows by L(eps_min) / L(eps_max) = 9 / 5 over the grid: the largest growth of the
#: ratio episodes / N_FT from the largest to the smallest epsilon that the upper bound allows.
E6_GROWTH_MARGIN = 9.0 / 5.0

no_elimination = functools.partial(ftpedel_learner, elimination_factor=math.inf)
radius_x16 = functools.partial(ftpedel_learner, radius_constant=16.0)
radius_div1000 = functools.partial(ftpedel_learner, radius_constant=0.001)


def _e6_cells(budget):
    # One cell per random instance (the paired bootstrap resamples instances). H = 2, and H = 2 and 3
    # alternating at the full budget (H = 3 doubles the cost of a run and of the measures).
    # Quick: 6 instances (10 until 2026-12-05; cut for the quick budget's time: the mutants' margins
    # at 10 -- growth 3.3 against 1.8, a band excess of 2.4, runs below the lower bound -- leave room).
    n = per_budget(budget, 4, 6, 20)
    return [{"instance": i, "horizon": 2 + i % 2 if budget == "full" else 2} for i in range(n)]


def rounds_for(epsilon: float) -> int:
    """The number of rounds L = ceil(log2(4 / epsilon)) of the library's schedule eps_l = 2^-l."""
    return max(1, math.ceil(math.log2(4.0 / epsilon)))


@functools.lru_cache(maxsize=64)
def e6_instance(seed: int, horizon: int):
    """FT-E6's instance drawn from ``seed`` (random_linear_family built around the grid's smallest
    epsilon, so that its near tie keeps N_FT ~ 1 / eps^2 over the whole grid; no offline data) and its
    deterministic measures per epsilon: N_FT at beta_L (the radius of the last round) and the
    verifiable lower bound at beta = log(1 / (2.4 delta))."""
    inst = random_linear_family(np.random.default_rng(seed), epsilon=E6_EPSILONS[-1], horizon=horizon)
    pc = ft.policy_class(inst.mdp, inst.policies)
    measures = []
    for eps in E6_EPSILONS:
        beta_last = ft.confidence_radius(rounds_for(eps), horizon=horizon, n_policies=len(pc), delta=E6_DELTA)
        # rtol 0.02: both are upper approximations within ~2%, which only makes the floor stricter.
        n_ft = ft.ftpedel_complexity(inst.mdp, pc, epsilon=eps, beta=beta_last, rtol=0.02,
                                     propagation=True).n_episodes
        lower = ft.verifiable_lower_bound(inst.mdp, pc, epsilon=eps, beta=math.log(1 / (2.4 * E6_DELTA)),
                                          rtol=0.02).n_episodes
        measures.append((n_ft, lower))
    return inst, pc, tuple(measures)


def _e6_run(cell, rng, learner):
    data_rng, algo_rng = _spawn(rng, 2)
    seed = int(data_rng.integers(2 ** 62))
    horizon = cell["horizon"]
    inst, pc, measures = e6_instance(seed, horizon)
    rows = []
    for k, (eps, (n_ft, lower)) in enumerate(zip(E6_EPSILONS, measures)):
        res = learner(inst.mdp, inst.policies, epsilon=eps, delta=E6_DELTA, offline=None, rng=algo_rng)
        episodes = int(res.online_episodes)
        rows.append({"point": k, "epsilon": eps, "online_episodes": episodes,
                     "n_ft": float(n_ft), "lower_bound": float(lower), "ratio": episodes / n_ft,
                     "band": E6_BAND_FACTOR * rounds_for(eps), "below_lower_bound": int(episodes < lower),
                     "gap": float(pc.gaps[res.policy_index])})
    return rows


EPISODES_VS_MEASURES = Sweep("ftpedel.episodes_vs_measures", _e6_cells, _e6_run, protocol=PAC)


def _analyse_e6(rows, budget):
    instances = sorted({r["instance"] for r in rows})
    table = {(r["point"], r["instance"]): r["ratio"] for r in rows}
    last = len(E6_EPSILONS) - 1
    return all_of({
        "lower_bound": exact_verdict([r["below_lower_bound"] for r in rows], 0.0, atol=0.0),
        "band": exact_verdict([max(r["ratio"] / r["band"] - 1.0, 0.0) for r in rows], 0.0, atol=0.0),
        # Paired by instance: the ratio at the smallest epsilon against the ratio at the largest.
        "growth": order_verdict([table[(last, i)] for i in instances], [table[(0, i)] for i in instances],
                                margin=E6_GROWTH_MARGIN, paired=True,
                                label="episodes / N_FT at the smallest / the largest eps"),
        "correct": bound_verdict([int(r["gap"] > r["epsilon"]) for r in rows], len(rows), E6_DELTA,
                                 ratios=[r["gap"] / r["epsilon"] for r in rows]),
    })


_register(Claim(
    id="FT-E6", name="ftpedel.e2e.episodes_vs_measures", paper=PAPER,
    theorem="FTPedel main theorem / PEDEL Thm 1: O~(N_FT) online episodes [recalled]; verifiable lower bound "
            "[recalled]; the band 64 L [derived]",
    statement="on random multi-step linear MDPs (S=4, A=2, d=3, H=2, no offline data) at eps = 0.2 * 4^-k, "
              "k=0..2: no run uses fewer episodes than the verifiable lower bound, episodes / N_FT(beta_L) <= 64 L "
              "(N_FT with the propagation term) "
              "in every run, the mean ratio at the smallest eps is at most 9/5 times that at the largest "
              "(paired by instance), and the answer is eps-optimal in >= 1 - delta of runs",
    kind="bound", sweep=EPISODES_VS_MEASURES, analyse=_analyse_e6,
    mutants=(
        Mutant("no_elimination", no_elimination, "no policy is ever eliminated (threshold infinite)"),
        Mutant("radius_div1000", radius_div1000, "confidence radius beta_l / 1000"),
        Mutant("radius_x16", radius_x16, "confidence radius beta_l x 16 (= H^4 at H = 2: the band is derived for "
               "the library's constant 1)"),
    ),
    panel_note="The uniform design is not in the panel: on these small random MDPs it costs only 1-2x the "
               "optimal design (a constant inside the band); FT-E2 and FT-FIG3 show it where it is expensive. "
               "The lower bound is the only floor, and it is loose (tolerance 1 / log(1 / (2.4 delta))): "
               "beta_l / 100 fell below it in 9 of 50 runs in a trial of an earlier grid (10 instances x 5 eps), "
               "so the panel cuts the radius by 1000; a round tolerance eps_l / beta_l (not squared) stays "
               "above it at some seeds and is not in the panel.",
))


# ============================================================================================
# FT-E7: the plug-in design (planned with the estimated model) against the oracle plan
# ============================================================================================

#: FT-E7's routing instance (mdps.instances.ftpedel.routing_mdp: 6 rooms, a near tie at gap 0.05,
#: far policies at 0.3): accuracy and confidence.
E7_ROUTING_EPSILON, E7_DELTA = 0.2, 0.1
#: The library's verification growth factor (ftpedel_learner's ``growth``).
E7_GROWTH = 1.25
#: Mean plug-in episodes / mean oracle episodes allowed: growth^2 (see FT-E7).
E7_COST_FACTOR = E7_GROWTH ** 2


def plugin_learner(mdp, policies, *, epsilon, delta, offline=None, rng=None, **knobs) -> PACRun:
    """FTPedel with the plug-in design (``design_model="plugin"``), its certificate recorded.

    ``knobs`` are the private keywords of ``provable_rl.ftpedel._ftpedel`` (the panel's variants).
    """
    return ftpedel_learner(mdp, policies, epsilon=epsilon, delta=delta, offline=offline, rng=rng,
                           design_model="plugin", **knobs)


plugin_no_verification = functools.partial(plugin_learner, plugin_verify=False)
plugin_never_replans = functools.partial(plugin_learner, plugin_freeze_design=True)
plugin_frozen_model = functools.partial(plugin_learner, plugin_freeze_round=1)
plugin_wrong_step_model = functools.partial(plugin_learner, plugin_step_offset=1)
plugin_radius_div4 = functools.partial(plugin_learner, radius_constant=0.25)

PAC_PLUGIN = LearnerProtocol(
    name="ftpedel.pac_learner_plugin", signature=_PAC_CALL,
    description=_PAC_TEXT + " Default: FTPedel with the plug-in design (each round's exploration planned with the "
                            "transitions estimated from the data so far, then the realised covariance verified); "
                            "a learner must not read the model's transitions.",
    default=plugin_learner)


def _e7_cells(budget):
    blocks, runs = per_budget(budget, (1, 4), (3, 5), (10, 10))
    cells = [{"instance": "random", "block": b, "runs": runs} for b in range(blocks)]
    return cells + [{"instance": "routing", "block": b, "runs": 1} for b in range(per_budget(budget, 2, 3, 10))]


@functools.lru_cache(maxsize=64)
def _e7_case(kind: str, instance_seed: int, offline_seed: int, reference_seed: int):
    """An FT-E7 instance, its offline data and the oracle plan's episodes on them (the fixed reference).

    Cached: a panel's learners meet the same cases (common random numbers), so the reference runs once.
    """
    if kind == "random":
        inst, eps = random_linear_family(np.random.default_rng(instance_seed), epsilon=E5_EPSILON), E5_EPSILON
    else:
        inst, eps = routing_mdp(), E7_ROUTING_EPSILON
    pc = ft.policy_class(inst.mdp, inst.policies)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, np.random.default_rng(offline_seed))
    oracle = ftpedel_learner(inst.mdp, inst.policies, epsilon=eps, delta=E7_DELTA, offline=off,
                             rng=np.random.default_rng(reference_seed))
    return inst, eps, pc, off, int(oracle.online_episodes)


def _e7_run(cell, rng, learner):
    data_rng, algo_rng = _spawn(rng, 2)
    rows = []
    for run in range(cell["runs"]):
        seeds = (int(x) for x in data_rng.integers(2 ** 62, size=3))
        inst, eps, pc, off, oracle_episodes = _e7_case(cell["instance"], *seeds)
        res = learner(inst.mdp, inst.policies, epsilon=eps, delta=E7_DELTA, offline=off, rng=algo_rng)
        row = certificate_row(inst.mdp, pc, off.covariances(inst.mdp), res, epsilon=eps, delta=E7_DELTA)
        rows.append({"run": run, "epsilon": eps, **row, "oracle_episodes": oracle_episodes})
    return rows


PLUGIN_DESIGN = Sweep("ftpedel.plugin_design", _e7_cells, _e7_run, protocol=PAC_PLUGIN)


def _analyse_e7(rows, budget):
    routing = [r for r in rows if r["instance"] == "routing"]
    family = [r for r in rows if r["instance"] == "random"]
    checks = {
        "verified": exact_verdict([max(r["q_ratio"] - 1.0, 0.0) for r in rows], 0.0, atol=1e-9),
        "certified": exact_verdict([r["certified"] for r in rows], 1.0, atol=0.0),
        "correct": bound_verdict([int(r["gap"] > r["epsilon"]) for r in rows], len(rows), E7_DELTA,
                                 ratios=[r["gap"] / r["epsilon"] for r in rows]),
        "cost_routing": order_verdict([r["online_episodes"] for r in routing],
                                      [r["oracle_episodes"] for r in routing], margin=E7_COST_FACTOR, paired=True,
                                      label="plug-in / oracle episodes (routing)"),
    }
    # On the family a run's cost depends on its elimination path (a competitor near a threshold
    # survives one round more or less), so the ratio needs the quick budget's 15 runs: with smoke's 4
    # the bootstrap interval spanned [0.6, 2.4] and a 20-seed smoke calibration failed at root seeds
    # 3 and 20 (point estimates 1.63 and 1.15). The panel is rejected at smoke without it.
    if budget != "smoke":
        checks["cost_family"] = order_verdict([r["online_episodes"] for r in family],
                                              [r["oracle_episodes"] for r in family], margin=E7_COST_FACTOR,
                                              paired=True, label="plug-in / oracle episodes (family)")
    return all_of(checks)


_register(Claim(
    id="FT-E7", name="ftpedel.e2e.plugin_design", paper=PAPER,
    theorem="FTPedel / PEDEL: exploration designed from estimated visitations, verified on the realised "
            "covariance (OPTCOV's role) [recalled structure]; the cost factor growth^2 [derived]",
    statement=f"FTPedel with the plug-in design, on random multi-step linear MDPs (FT-E5's family, eps={E5_EPSILON}) "
              f"and on a routing MDP (6 rooms, eps={E7_ROUTING_EPSILON}): every round's realised covariance meets "
              "eps_l^2 / beta_l, the last round certifies eps, eps-optimal in >= 1 - delta of runs, and its mean "
              f"online episodes are at most growth^2 = {E7_COST_FACTOR:g} times the oracle plan's on the same "
              "instances (paired, on each)",
    kind="bound", sweep=PLUGIN_DESIGN, analyse=_analyse_e7,
    mutants=(
        Mutant("no_verification", plugin_no_verification,
               "plans from the estimated model and trusts it: no realised-covariance check"),
        Mutant("never_replans", plugin_never_replans,
               "each step's first design (atoms and weights) reused in every later round, only N rescaled"),
        Mutant("wrong_step_model", plugin_wrong_step_model,
               "the transitions of step k estimated from step k + 1's data"),
        Mutant("radius_div4", plugin_radius_div4, "confidence radius beta_l / 4"),
    ),
    panel_note="A plug-in model frozen after the first round but re-planned every round (plugin_frozen_model) is "
               "not in the panel: the re-plan with the realised data absorbs the first round's estimation error, "
               "and it cost 1.005x the oracle on the routing MDP (3 runs) -- a stale model is not a bug this "
               "design can show, a stale design is (never_replans).",
))


# ============================================================================================
# FT-E8: the offline gain against the measure the algorithm targets
# ============================================================================================

#: FT-E8's instance (mdps.instances.ftpedel.partial_coverage_routing: 30000 offline tuples on the
#: optimum's and the near tie's directions, none on the rest) and its accuracy and confidence.
E8_OFFLINE, E8_EPSILON, E8_DELTA = 30000, 0.2, 0.1
#: measured gain / predicted gain must lie in [1 / growth, growth] (see FT-E8).
E8_GAIN_FACTOR = E7_GROWTH

double_counted_offline = functools.partial(ftpedel_learner, offline_scale=2.0)
wrong_step_offline = functools.partial(ftpedel_learner, offline_step_shift=1)


@functools.lru_cache(maxsize=4)
def e8_predicted_gain(n_offline: int = E8_OFFLINE) -> tuple:
    """FT-E8's predictions (deterministic): the schedule measure's gain (the claim's), and N_FT's gain at
    beta = log(|Pi| / delta) (reported, the paper's measure; not the claim's, see FT-E8)."""
    inst = partial_coverage_routing(n_offline)
    pc = ft.policy_class(inst.mdp, inst.policies)
    kw = dict(epsilon=E8_EPSILON, delta=E8_DELTA)
    schedule = (ft.schedule_complexity(inst.mdp, pc, **kw).n_episodes
                / ft.schedule_complexity(inst.mdp, pc, offline_covariances=inst.offline_covariances, **kw).n_episodes)
    beta = math.log(len(pc) / E8_DELTA)
    n_ft = (ft.ftpedel_complexity(inst.mdp, pc, epsilon=E8_EPSILON, beta=beta).n_episodes
            / ft.ftpedel_complexity(inst.mdp, pc, epsilon=E8_EPSILON, beta=beta,
                                    offline_covariances=inst.offline_covariances).n_episodes)
    return float(schedule), float(n_ft)


def _e8_cells(budget):
    # Smoke runs quick's 9 runs (cells do not depend on the budget): with 4, the interval of the
    # gain ratio reached 1.29 at root seed 8 of a 20-seed smoke calibration (point 1.13).
    blocks, runs = per_budget(budget, (3, 3), (3, 3), (10, 5))
    return [{"block": b, "runs": runs} for b in range(blocks)]


@functools.lru_cache(maxsize=64)
def _e8_online_only(reference_seed: int) -> int:
    """The library's online-only episodes on FT-E8's instance (the fixed reference; cached, so that a
    panel's learners share it)."""
    inst = partial_coverage_routing(E8_OFFLINE)
    return int(ftpedel_learner(inst.mdp, inst.policies, epsilon=E8_EPSILON, delta=E8_DELTA, offline=None,
                               rng=np.random.default_rng(reference_seed)).online_episodes)


def _e8_run(cell, rng, learner):
    data_rng, algo_rng, ref_rng = _spawn(rng, 3)
    inst = partial_coverage_routing(E8_OFFLINE)
    pc = ft.policy_class(inst.mdp, inst.policies)
    predicted, n_ft_gain = e8_predicted_gain(E8_OFFLINE)
    rows = []
    for run in range(cell["runs"]):
        off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, data_rng)
        res = learner(inst.mdp, inst.policies, epsilon=E8_EPSILON, delta=E8_DELTA, offline=off, rng=algo_rng)
        online = _e8_online_only(int(ref_rng.integers(2 ** 62)))
        row = certificate_row(inst.mdp, pc, off.covariances(inst.mdp), res, epsilon=E8_EPSILON, delta=E8_DELTA)
        rows.append({"run": run, **row, "online_only_episodes": online,
                     "predicted_gain": predicted, "n_ft_gain": n_ft_gain})
    return rows


OFFLINE_GAIN = Sweep("ftpedel.offline_gain", _e8_cells, _e8_run, protocol=PAC)


def _analyse_e8(rows, budget):
    with_offline = [r["online_episodes"] * r["predicted_gain"] for r in rows]
    online = [r["online_only_episodes"] for r in rows]
    return all_of({
        "verified": exact_verdict([max(r["q_ratio"] - 1.0, 0.0) for r in rows], 0.0, atol=1e-9),
        "certified": exact_verdict([r["certified"] for r in rows], 1.0, atol=0.0),
        "correct": bound_verdict([int(r["gap"] > E8_EPSILON) for r in rows], len(rows), E8_DELTA,
                                 ratios=[r["gap"] / E8_EPSILON for r in rows]),
        "gain_at_most": order_verdict(online, with_offline, margin=E8_GAIN_FACTOR, paired=True,
                                      label="measured gain / predicted gain"),
        "gain_at_least": order_verdict(with_offline, online, margin=E8_GAIN_FACTOR, paired=True,
                                       label="predicted gain / measured gain"),
    })


_register(Claim(
    id="FT-E8", name="ftpedel.e2e.offline_gain", paper=PAPER,
    theorem="FTPedel main theorem: offline data enter the design additively, so they cut the online episodes "
            "by the measure's factor [recalled]; the measure at the algorithm's schedule and the band [derived]",
    statement=f"on a routing MDP whose offline data ({E8_OFFLINE} tuples per covered pair) cover the optimum's and "
              f"the near tie's directions and not the rest (eps={E8_EPSILON}), the online-only / offline-plus-online "
              "episodes ratio is within a factor growth = 1.25 of the ratio the schedule measure predicts "
              "(schedule_complexity), every round's realised covariance meets eps_l^2 / beta_l with the true "
              "offline covariance, and the answer is eps-optimal in >= 1 - delta of runs",
    kind="bound", sweep=OFFLINE_GAIN, analyse=_analyse_e8,
    mutants=(
        Mutant("ignore_offline", ignore_offline, "offline covariance ignored in the design and its verification "
               "(data still pooled)"),
        Mutant("double_counted_offline", double_counted_offline,
               "offline covariance counted twice in the design and the verification"),
        Mutant("wrong_step_offline", wrong_step_offline,
               "step h's design and verification read the offline covariance of step h + 1"),
        Mutant("averaged_offline", averaged_offline,
               "offline covariance averaged over the tuples instead of summed, in the design and the verification"),
    ),
))


# ============================================================================================
# Figure-only sweeps
# ============================================================================================

def _curve_cells(budget):
    n = per_budget(budget, 5, 9, 17)
    return [{"n_offline": float(x)} for x in np.geomspace(1.0, 1e5, n)]


def _curve_run(cell, rng, learner):
    K, gap, delta = 8, 0.1, 0.05
    beta = math.log(1 / delta)
    inst = ft_x1(K, gap, n_offline=max(1, int(round(cell["n_offline"]))))
    pc = ft.policy_class(inst.mdp, inst.policies)
    n_ft = learner(inst.mdp, pc, epsilon=_EPS_MEASURE, beta=beta, offline_covariances=inst.offline_covariances)
    return [{"n_ft": float(n_ft), "online_only": beta * (math.sqrt(K - 1) + 1) ** 2 / gap ** 2,
             "plateau": beta / gap ** 2}]


OFFLINE_CURVE = Sweep("ftpedel.offline_curve", _curve_cells, _curve_run, protocol=MEASURE)


def _dim_cells(budget):
    return [{"n_arms": K} for K in per_budget(budget, (2, 4, 8), (2, 4, 8, 16), (2, 4, 8, 16, 32))]


def _dim_run(cell, rng, learner):
    K, gap, delta = cell["n_arms"], 0.1, 0.05
    beta = math.log(1 / delta)
    inst = ft_x2(K, gap)
    pc = ft.policy_class(inst.mdp, inst.policies)
    verifiable = learner(inst.mdp, pc, epsilon=_EPS_MEASURE, beta=beta, offline_covariances=inst.offline_covariances)
    expert = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng)
    arm = ft.pessimistic_choice(inst.mdp, pc, expert, beta=beta)
    return [{"verifiable": float(verifiable), "closed_verifiable": beta * (K - 1) / gap ** 2,
             "unverifiable": 0, "unverifiable_correct": int(pc.gaps[arm] == 0)}]


VERIFIABLE_VS_DIM = Sweep("ftpedel.verifiable_vs_dim", _dim_cells, _dim_run, protocol=MEASURE)


def _uniform_cells(budget):
    arms = per_budget(budget, (4, 8), (4, 8, 16), (4, 8, 16, 32))
    runs = per_budget(budget, 2, 4, 10)
    return [{"n_arms": K, "design": design, "block": b} for K in arms for design in ("optimal", "uniform")
            for b in range(runs)]


def _uniform_run(cell, rng, learner):
    inst = competitor_bandit(cell["n_arms"], 0.1, far_gap=0.5)
    pc = ft.policy_class(inst.mdp, inst.policies)
    # "optimal": the learner under test (PEDEL by default); "uniform": the fixed baseline.
    run = learner if cell["design"] == "optimal" else pedel_uniform
    res = run(inst.mdp, inst.policies, epsilon=0.05, delta=0.1, offline=None, rng=rng)
    return [{"online_episodes": int(res.online_episodes), "correct": int(pc.gaps[res.policy_index] <= 0.05)}]


PEDEL_VS_UNIFORM = Sweep("ftpedel.pedel_vs_uniform", _uniform_cells, _uniform_run, protocol=PEDEL)

# PEDEL's own claims (Wagenmaker & Jamieson 2022) read this module's sweeps and learners; imported
# last (after every name they use exists) and not bound to a name here, so that their code stays out
# of this module's cache fingerprint.
importlib.import_module("proofs_check.pedel")
