r"""PEDEL's own theorem (Wagenmaker & Jamieson 2022): claims on the episodes PEDEL uses.

PEDEL (Policy Elimination with Online Experiment Design) is the online-only algorithm that
FTPedel extends (:ref:`theory-ftpedel`); its claims live here, beside :mod:`proofs_check.ftpedel`,
which imports this module last so that they register with the rest of the paper's claims. The
theorem, the example and the derivations of the numbers below are on the theory page
(:ref:`ftpedel-pedel-bound`).

PEDEL learner protocols
-----------------------
- ``ftpedel.pedel`` (from :mod:`proofs_check.ftpedel`): ``learner(mdp, policies, *, epsilon, delta,
  offline, rng) -> PACRun``; default PEDEL with raw visitation targets
  (:func:`proofs_check.ftpedel.pedel_learner`, the library's :func:`provable_rl.ftpedel.pedel`
  with its certificate recorded). Claim FT-P1.
- ``ftpedel.pedel_difference``: the same call; default PEDEL with difference targets
  :math:`\hat\phi_{\pi} - \hat\phi_{\mathrm{leader}}` (:data:`pedel_difference`, the library's
  online-only FTPedel). Claim FT-P2.

Claims and panels
-----------------
- FT-P1 (PEDEL's instance-dependent complexity, W&J 2022 Thm 1 [recalled]): on the random
  multi-step family (:func:`mdps.instances.ftpedel.random_linear_family`, S = 4, A = 2, d = 3,
  H = 2) with the class cut to the optimum and the policies of gap >= 0.1 (so Delta_min >= 0.1:
  PEDEL's measure :func:`provable_rl.ftpedel.pedel_complexity` no longer grows once
  epsilon <= Delta_min), at eps = 0.05 * 2^(-k/2), k = 0..4, delta = 0.1, over 4 (smoke) or 10
  (quick) instances: every round's realised covariance meets eps_l^2 / beta_l (the certificate the
  episodes buy); no run below the verifiable lower bound; episodes / N_PEDEL(beta_L) <= 64 L in
  every run (derived: :data:`P1_BAND_FACTOR`); the log-log slope in 1/eps of that ratio (each
  instance's ratio relative to its value at the largest eps, averaged over instances) is
  0 +/- 0.25 with 1 and 2 (the worst-case d / eps^2 growth) outside its interval; eps-optimal in
  >= 1 - delta of runs. Panel: no elimination (pays d / eps^2: slope 2), beta_l without
  log(1/delta) and beta_l / 1000 (their certificates miss the theorem's tolerance; / 1000 also
  falls below the lower bound and returns wrong policies). These three are the variants of
  :mod:`proofs_check.ftpedel`, which design for difference targets; what rejects them (the slope,
  the certificate at the theorem's tolerance) does not depend on the targets, but raw-target
  versions would change one thing only (not done: they need a new calibration).
- FT-P2 (low-regret learners are not instance-optimal, W&J 2022's example [paper that it exists;
  shape recalled]): on the "end of optimism" bandit :func:`end_of_optimism` (d = 3: e1 optimal,
  x = (1 - Delta, gamma Delta, -(gamma - 1) Delta) with gap 0.8 Delta, e2 and e3 informative with
  gap 0.8; gamma = 4), eps = Delta / 2, Delta in {0.1, 0.025, 0.00625}: PEDEL (difference
  targets) is eps-optimal in >= 1 - delta of runs; at the smallest Delta it uses at most half the
  episodes of :func:`optimistic_learner` (LinUCB with the same certified stopping rule); and the
  ratio PEDEL / LinUCB falls by at least the factor Delta_max / Delta_min = 16 from the largest to
  the smallest Delta (derived: PEDEL's episodes are bounded independently of Delta, LinUCB's grow
  as beta / Delta^2, so the ratio falls as Delta^2, by 256). Panel: raw targets (the library's
  PEDEL default: its own measure charges pi* at Delta_min, so it pays ~ 1 / Delta^2 here), the
  design restricted to the surviving arms (the low-regret behaviour, :func:`survivor_design_pedel`),
  no elimination, and the low-regret learner itself. Note: uniform exploration is not in the
  panel (it plays e2 and e3 a quarter of the time each, so it is as instance-optimal as the design
  here, 1.6-1.8x its episodes).

Measured error rates of FT-P1 and FT-P2
---------------------------------------
Each claim and its whole panel at root seeds 1..20, 2026-12-05:

- quick: FT-P1 held at 20/20 seeds; no_elimination, no_log_delta and radius_div1000 were rejected
  at 20/20 (``provable-rl calibrate FT-P1 --budget quick --seeds 20 --jobs 2``, 685 s on the
  nearly idle 2-core machine; a first run on the loaded machine had to be stopped when files this
  module imports were edited during it). FT-P2 (``provable-rl calibrate 'FT-P2'``):
  held at 19/20 before the reference's wrong runs were left out of the comparison (root seed 10:
  one LinUCB run of 600 certified x at Delta = 0.00625 after 10,522 pulls, against 1-2 million in
  the others, and the seed's mean ratio rose above the growth margin); every mutant was rejected
  at 20/20. With the fix (``provable-rl calibrate 'FT-P2' --budget quick --seeds 20 --jobs 3``,
  808 s): held at 20/20, raw_targets, survivor_design, no_elimination and low_regret rejected at
  20/20.
- quick, with PEDEL's own panel (raw-target variants) and 6 instances (2026-12-05, ``provable-rl
  calibrate 'FT-E5' 'FT-E6' 'FT-E7' 'FT-P1' --budget quick --seeds 20 --jobs 2``): FT-P1 held at
  20/20, no_elimination, no_log_delta and radius_div1000 rejected at 20/20; smoke (``provable-rl
  calibrate 'FT-E5' 'FT-E6' 'FT-P1' --budget smoke --seeds 20 --jobs 2``): the same, 20/20.
- smoke: FT-P1 held at 20/20 and every mutant was rejected at 20/20 (``provable-rl calibrate 'FT-P*'
  --budget smoke --seeds 20 --jobs 1``); FT-P2 with the fix held at 20/20 and every mutant was
  rejected at 20/20 (``provable-rl calibrate 'FT-P2' --budget smoke --seeds 20 --jobs 3``; before
  the fix, 20/20 as well).
- Time, 20 seeds with the panels: FT-P1 2289 s at smoke; FT-P2 1198 s at smoke and 2800 s at
  quick (single process, load 15-30 on 2 cores).
"""
from __future__ import annotations

import functools
import math

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP
from mdps.instances.ftpedel import arm_policies, random_linear_family
from provable_rl import ftpedel as ft

from .framework import Claim, LearnerProtocol, Mutant, Sweep, per_budget, register
from .ftpedel import (_PAC_CALL, _PAC_TEXT, PAPER, PEDEL, REGULARIZER, PACRun, certificate_row, ftpedel_learner,
                      no_elimination, pedel_learner, rounds_for)
from .statistics import all_of, bound_verdict, exact_verdict, order_verdict, rate_verdict

#: The claims of this module, in registration order.
CLAIMS: list = []


def _register(claim: Claim) -> Claim:
    CLAIMS.append(register(claim))
    return claim


# ============================================================================================
# FT-P1: PEDEL's episodes against its instance-dependent measure, on the multi-step family
# ============================================================================================

#: The class of FT-P1 keeps the optimum and the policies with a gap of at least this much, so
#: Delta_min >= P1_CLASS_GAP (the family is drawn around this epsilon: competitors in (0.1, 0.2)).
P1_CLASS_GAP = 0.1
#: eps = 0.05 * 2^(-k/2), k = 0..4: every point is <= Delta_min / 2, where PEDEL's measure is flat
#: in eps (max(Delta, Delta_min, eps) = max(Delta, Delta_min)) and PEDEL stops before its last round.
P1_EPSILONS = tuple(0.05 * 2.0 ** (-k / 2) for k in range(5))
P1_DELTA = 0.1
#: Round l needs at most 64 N_PEDEL(beta_L) episodes: its survivors have Delta <= 8 eps_l (on the
#: proof's event), Delta_min <= 8 eps_l (a survivor other than pi* exists, else PEDEL stopped) and
#: eps <= 8 eps_l (l <= L), so max(Delta, Delta_min, eps)^2 <= 64 eps_l^2 for every survivor, and
#: the measure's design scaled by 64 beta_l / beta_L <= 64 meets the round's tolerance eps_l^2 / beta_l
#: at every step. Over at most L rounds: 64 L N_PEDEL(beta_L).
P1_BAND_FACTOR = 64.0
#: The ratio's slope in 1/eps: 0 (PEDEL's measure and its episodes are both flat once eps <=
#: Delta_min), +/- 0.25; the competitors: 2 (the worst-case d / eps^2, a learner that keeps paying
#: for eps) and 1.
P1_TOLERANCE = 0.25
P1_COMPETITORS = (1.0, 2.0)


@functools.lru_cache(maxsize=64)
def resolvable_instance(seed: int, horizon: int = 2):
    """FT-P1's instance drawn from ``seed`` and its deterministic measures.

    The MDP is :func:`mdps.instances.ftpedel.random_linear_family` (S = 4, A = 2, d = 3, drawn around
    epsilon = :data:`P1_CLASS_GAP`); the class keeps its optimum and its policies of gap at least
    :data:`P1_CLASS_GAP` (the near tie is dropped, so every suboptimal policy can be eliminated).

    Parameters
    ----------
    seed : int
        Seed of the draw.
    horizon : int, default 2
        H.

    Returns
    -------
    tuple
        ``(mdp, policies, policy_class, n_pedel, lower)``: ``n_pedel`` a tuple of
        :func:`provable_rl.ftpedel.pedel_complexity` at beta_L (the last round's radius) per
        :data:`P1_EPSILONS` point, and ``lower`` the verifiable lower bound
        (:func:`provable_rl.ftpedel.verifiable_lower_bound`, beta = log(1 / (2.4 delta))) at the
        grid's largest epsilon, which is below the bound at every other point (it decreases in
        epsilon).

    Examples
    --------
    >>> mdp, policies, pc, n_pedel, lower = resolvable_instance(3)
    >>> bool(pc.min_gap >= P1_CLASS_GAP and lower < min(n_pedel))
    True
    """
    inst = random_linear_family(np.random.default_rng(seed), epsilon=P1_CLASS_GAP, horizon=horizon)
    full = ft.policy_class(inst.mdp, inst.policies)
    keep = (np.arange(len(full)) == full.best) | (full.gaps >= P1_CLASS_GAP)
    policies = inst.policies[keep]
    pc = ft.policy_class(inst.mdp, policies)
    # For eps <= Delta_min the measure's scales max(Delta, Delta_min, eps) do not depend on eps, and
    # without offline data its N is linear in beta (q scales as 1 / N up to the 1e-8 ridge, the
    # library's own first step): one solve at the largest eps, rescaled to each point's beta_L.
    def beta_last(eps):
        return ft.confidence_radius(rounds_for(eps), horizon=horizon, n_policies=len(pc), delta=P1_DELTA)

    first = max(P1_EPSILONS)
    base = ft.pedel_complexity(inst.mdp, pc, epsilon=first, beta=beta_last(first), rtol=0.02).n_episodes
    n_pedel = tuple(float(base * beta_last(eps) / beta_last(first)) for eps in P1_EPSILONS)
    lower = ft.verifiable_lower_bound(inst.mdp, pc, epsilon=max(P1_EPSILONS), beta=math.log(1 / (2.4 * P1_DELTA)),
                                      rtol=0.02).n_episodes
    return inst.mdp, policies, pc, n_pedel, float(lower)


def _p1_cells(budget):
    # One cell per instance: the rate's replicate blocks are the instances. Quick: 6 (10 until
    # 2026-12-05, cut for the quick budget's time; the slope's interval at 10 was 0.001 wide).
    return [{"instance": i} for i in range(per_budget(budget, 4, 6, 20))]


def _p1_run(cell, rng, learner):
    data_rng, algo_rng = rng.spawn(2)
    mdp, policies, pc, n_pedel, lower = resolvable_instance(int(data_rng.integers(2 ** 62)))
    zeros = np.zeros((mdp.horizon, mdp.dim, mdp.dim))
    # Common random numbers: the runs at the five eps of an instance draw the same online samples,
    # so the ratio's change with eps is measured on the same draws. (Without them, whether the
    # last competitor falls in round 4 or 5 -- a 4x difference in episodes -- is a coin flip per
    # run, and four instances cannot tell a slope from that noise.)
    algo_seed = int(algo_rng.integers(2 ** 62))
    rows = []
    for k, eps in enumerate(P1_EPSILONS):
        res = learner(mdp, policies, epsilon=eps, delta=P1_DELTA, offline=None, rng=np.random.default_rng(algo_seed))
        cert = certificate_row(mdp, pc, zeros, res, epsilon=eps, delta=P1_DELTA)
        episodes = int(res.online_episodes)
        rows.append({"point": k, "epsilon": eps, "online_episodes": episodes, "n_pedel": n_pedel[k],
                     "lower_bound": lower, "ratio": episodes / n_pedel[k],
                     "band": P1_BAND_FACTOR * rounds_for(eps), "q_ratio": cert["q_ratio"],
                     "gap": float(pc.gaps[res.policy_index])})
    return rows


PEDEL_VS_MEASURE = Sweep("ftpedel.pedel_vs_measure", _p1_cells, _p1_run, protocol=PEDEL)


def _analyse_p1(rows, budget):
    instances = sorted({r["instance"] for r in rows})
    points = sorted({r["point"] for r in rows})
    table = {(r["point"], r["instance"]): r["ratio"] for r in rows}
    # Each instance's ratio relative to its own mean ratio over the grid: the slope is about how the
    # ratio moves with eps, and the instances' different constants (6-16) would only widen it.
    ratios = np.array([[table[(k, i)] for i in instances] for k in points])
    blocks = (ratios / np.maximum(ratios.mean(axis=0), 1e-300))[:, None, :]
    x = [1.0 / P1_EPSILONS[k] for k in points]
    first = [r for r in rows if r["point"] == 0]
    return all_of({
        "flat": rate_verdict(x, blocks, 0.0, P1_TOLERANCE, competitors=P1_COMPETITORS),
        # Exact: the learner's stopping test is this inequality; 1e-9 absorbs nothing but rounding.
        "verified": exact_verdict([max(r["q_ratio"] - 1.0, 0.0) for r in rows], 0.0, atol=1e-9),
        "lower_bound": exact_verdict([int(r["online_episodes"] < r["lower_bound"]) for r in rows], 0.0, atol=0.0),
        "band": exact_verdict([max(r["ratio"] / r["band"] - 1.0, 0.0) for r in rows], 0.0, atol=0.0),
        # One run per instance (the largest eps): an instance's runs share their draws, so only
        # runs of different instances are independent trials for the binomial test.
        "correct": bound_verdict([int(r["gap"] > r["epsilon"]) for r in first], len(first), P1_DELTA,
                                 ratios=[r["gap"] / r["epsilon"] for r in first]),
    })


# FT-P1's panel: PEDEL (raw targets) with one thing wrong each. (Until 2026-12-05 these were
# FTPedel's difference-target variants, which differ from PEDEL in two ways.)
pedel_no_elimination = functools.partial(ftpedel_learner, targets="raw", elimination_factor=math.inf)
pedel_no_log_delta = functools.partial(ftpedel_learner, targets="raw", radius_log_delta=False)
pedel_radius_div1000 = functools.partial(ftpedel_learner, targets="raw", radius_constant=0.001)


_register(Claim(
    id="FT-P1", name="ftpedel.pedel.episodes_vs_measure", paper=PAPER,
    theorem="PEDEL Thm 1 (W&J 2022): O~(N_PEDEL) episodes, N_PEDEL with max(Delta, Delta_min, eps) [recalled]; "
            "the band 64 L and the flatness below Delta_min [derived]",
    statement="on random multi-step linear MDPs (S=4, A=2, d=3, H=2; class: pi* and the policies of gap >= 0.1) "
              "at eps = 0.05 * 2^(-k/2), k=0..4, delta=0.1: every round meets eps_l^2 / beta_l on the realised data, "
              "no run below the verifiable lower bound, episodes / N_PEDEL(beta_L) <= 64 L, that ratio's log-log "
              "slope in 1/eps is 0 +/- 0.25 (1 and 2 excluded), eps-optimal in >= 1 - delta of runs",
    kind="rate", sweep=PEDEL_VS_MEASURE, analyse=_analyse_p1,
    mutants=(
        Mutant("no_elimination", pedel_no_elimination,
               "no policy is ever eliminated: every round covers the whole class (the worst-case d / eps^2)"),
        Mutant("no_log_delta", pedel_no_log_delta, "beta_l without its log(1/delta)"),
        Mutant("radius_div1000", pedel_radius_div1000, "confidence radius beta_l / 1000"),
    ),
    panel_note="The uniform design is not in the panel: on these random MDPs it costs 0.9-1.4x the optimal "
               "design, inside every band (FT-P2 and FT-FIG3 have instances where exploration matters). A "
               "radius x 16 stays inside the band 64 L (ratios ~ 90-150 against 448-576): the band is derived, "
               "not fitted, and is loose by ~ 30x.",
))


# ============================================================================================
# FT-P2: the end-of-optimism example: a low-regret learner needs ~ 1 / Delta^2 times more
# ============================================================================================

#: FT-P2's gaps Delta (eps = Delta / 2) and the informative arms' leverage gamma.
P2_GAPS = (0.1, 0.025, 0.00625)
P2_GAMMA = 4.0
P2_DELTA = 0.1
#: PEDEL uses at most this fraction of LinUCB's episodes at the smallest Delta.
P2_GAIN_MARGIN = 0.5
#: The ratio PEDEL / LinUCB falls at least by Delta_max / Delta_min (the derivation gives its square).
P2_GROWTH_MARGIN = P2_GAPS[-1] / P2_GAPS[0]


def end_of_optimism(gap: float, gamma: float = P2_GAMMA) -> LinearMDP:
    r"""The "end of optimism" linear bandit of FT-P2 (:ref:`ftpedel-pedel-bound`).

    One state, H = 1, d = 3, four arms with unit-variance Gaussian rewards and
    :math:`\theta = (0.9, 0.1, 0.1)`:

    - :math:`e_1` (mean 0.9, optimal), :math:`e_2`, :math:`e_3` (mean 0.1: gap 0.8, informative),
    - :math:`x = (1 - \Delta, \gamma \Delta, -(\gamma - 1) \Delta)` (mean :math:`0.9 - 0.8 \Delta`).

    Telling :math:`e_1` from :math:`x` means estimating
    :math:`\langle e_1 - x, \theta\rangle = \Delta \langle (1, -\gamma, \gamma - 1), \theta\rangle`,
    which the clearly suboptimal arms :math:`e_2, e_3` resolve in a number of pulls that does not
    depend on :math:`\Delta`; comparing :math:`e_1` with :math:`x` directly costs
    :math:`\sim \beta / \Delta^2`. The features sum to 1, so every arm leads back to the state.

    Parameters
    ----------
    gap : float in (0, 1)
        :math:`\Delta`.
    gamma : float >= 1, default 4
        The leverage :math:`\gamma` of :math:`x` on the informative directions.

    Returns
    -------
    LinearMDP
        The bandit (``reward_model="gaussian"``); its policies are
        :func:`mdps.instances.ftpedel.arm_policies` ``(4)``.

    Examples
    --------
    >>> mdp = end_of_optimism(0.1)
    >>> [round(float(m), 2) for m in mdp.tabular.R[0, 0]]
    [0.9, 0.1, 0.1, 0.82]
    """
    g = v.positive_float("gap", gap)
    if g >= 1:
        raise ValueError(f"gap: expected a number in (0, 1), got {gap!r}")
    c = v.positive_float("gamma", gamma)
    if c < 1:
        raise ValueError(f"gamma: expected a number >= 1, got {gamma!r}")
    features = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0],
                          [1.0 - g, c * g, -(c - 1.0) * g]]])
    return LinearMDP(features, np.ones((1, 3, 1)), np.array([[0.9, 0.1, 0.1]]), np.ones(1),
                     reward_model="gaussian", reward_std=1.0)


def _bandit_arms(mdp, policies):
    if mdp.horizon != 1 or mdp.n_states != 1:
        raise ValueError(f"mdp: expected a bandit (H = 1, S = 1), got H = {mdp.horizon}, S = {mdp.n_states}")
    if mdp.reward_model != "gaussian":
        raise ValueError(f"mdp: expected Gaussian rewards, got {mdp.reward_model!r}")
    pol = np.asarray(policies)
    if pol.ndim != 3 or pol.shape[1:] != (1, 1) or pol.shape[0] < 2:
        raise ValueError(f"policies: expected arm policies of shape (K >= 2, 1, 1), got {pol.shape}")
    arms = pol[:, 0, 0].astype(np.int64)
    if arms.min() < 0 or arms.max() >= mdp.n_actions:
        raise ValueError(f"policies: expected arms in [0, {mdp.n_actions}), got {arms.tolist()}")
    return arms, mdp.features[0, arms], mdp.features[0, arms] @ mdp.theta[0]


def _pull(rng, means, reward_std, counts):
    """Reward sums of ``counts[k]`` pulls of each arm k (Gaussian: the sum's exact law)."""
    return rng.normal(counts * means, np.sqrt(counts) * reward_std)


def optimistic_learner(mdp, policies, *, epsilon, delta, offline=None, rng=None, batch: float = 0.1,
                       regularizer: float = REGULARIZER, max_episodes: float = 1e9) -> PACRun:
    r"""A low-regret learner with PEDEL's certified stopping rule: batched LinUCB (OFUL) on a bandit.

    The reference of FT-P2 (and a mutant of its panel). With ridge statistics
    :math:`A = \lambda I + \sum_a n_a \phi_a \phi_a^\top`, :math:`\hat\theta = A^{-1} \sum_a \phi_a r_a`
    and :math:`\beta_k = \log(2 K k^2 / \delta)` at update k (PEDEL's radius with updates for
    rounds), it plays the optimistic arm
    :math:`\arg\max_a \langle \phi_a, \hat\theta\rangle + \sqrt{\beta_k} \|\phi_a\|_{A^{-1}}` for
    ``max(1, ceil(batch * n_a))`` pulls (:math:`n_a` its pulls so far: a rarely switching LinUCB,
    which gives every arm at most ``1 + batch`` times the pulls LinUCB would), and stops as soon as the empirical best :math:`\hat a` is
    certified: :math:`\langle \phi_a - \phi_{\hat a}, \hat\theta\rangle + \sqrt{\beta_k}
    \|\phi_a - \phi_{\hat a}\|_{A^{-1}} \le \epsilon` for every arm a, the difference widths PEDEL's
    certificate uses. Departure: Gaussian reward sums of a batch are drawn at once (their exact law).

    Parameters
    ----------
    mdp : LinearMDP
        A bandit (H = 1, one state, Gaussian rewards).
    policies : array_like
        Arm policies, int array ``(K, 1, 1)``.
    epsilon : float > 0
        The accuracy of the certificate.
    delta : float in (0, 1)
        The confidence.
    offline : None
        Ignored (the protocol's argument; FT-P2 has no offline data).
    rng : numpy.random.Generator, int or None
        Randomness of the rewards.
    batch : float > 0, default 0.1
        A batch of arm a has ``max(1, ceil(batch * n_a))`` pulls.
    regularizer : float > 0, default 1e-3
        The ridge :math:`\lambda`.
    max_episodes : float > 0, default 1e9
        Raise ``ValueError`` rather than pull more.

    Returns
    -------
    PACRun
        The certified arm's index and the pulls used (no round records).

    Examples
    --------
    >>> run = optimistic_learner(end_of_optimism(0.1), arm_policies(4), epsilon=0.05, delta=0.1, rng=0)
    >>> run.policy_index, run.online_episodes > 1000
    (0, True)
    """
    arms, X, means = _bandit_arms(mdp, policies)
    eps = v.positive_float("epsilon", epsilon)
    dlt = v.probability("delta", delta)
    batch = v.positive_float("batch", batch)
    reg = v.positive_float("regularizer", regularizer)
    max_episodes = v.positive_float("max_episodes", max_episodes)
    gen = v.as_rng(rng)
    K, d = X.shape
    counts, sums = np.zeros(K), np.zeros(K)
    t, k = 0, 0
    while True:
        k += 1
        root_beta = math.sqrt(math.log(2 * K * k ** 2 / dlt))
        A_inv = np.linalg.inv(reg * np.eye(d) + (X.T * counts) @ X)
        est = X @ (A_inv @ (X.T @ sums))
        best = int(np.argmax(est))
        diff = X - X[best]
        widths = np.sqrt(np.maximum(np.einsum("ki,ij,kj->k", diff, A_inv, diff), 0.0))
        if t > 0 and np.all(est - est[best] + root_beta * widths <= eps):
            return PACRun(best, int(t))
        ucb = est + root_beta * np.sqrt(np.maximum(np.einsum("ki,ij,kj->k", X, A_inv, X), 0.0))
        arm = int(np.argmax(ucb))
        # A batch grows the chosen arm's pulls by at most the fraction ``batch``, so its width
        # shrinks by at most ~ batch / 2 within the batch: a clearly suboptimal arm gets at most
        # (1 + batch) times the pulls LinUCB would give it one at a time.
        m = max(1, math.ceil(batch * counts[arm]))
        if t + m > max_episodes:
            raise ValueError(f"max_episodes: the run needs more than {max_episodes:g} pulls")
        pulls = np.zeros(K)
        pulls[arm] = m
        sums += _pull(gen, means, mdp.reward_std, pulls)
        counts += pulls
        t += m


def survivor_design_pedel(mdp, policies, *, epsilon, delta, offline=None, rng=None,
                          regularizer: float = REGULARIZER, growth: float = 1.25) -> PACRun:
    r"""PEDEL (difference targets) whose design may only play the surviving arms: a broken variant.

    Bandits only (H = 1, Gaussian rewards). The rounds, the tolerance
    :math:`\epsilon_\ell^2 / \beta_\ell`, the verification of the realised covariance and the
    elimination at :math:`2 \epsilon_\ell` are those of :func:`provable_rl.ftpedel.pedel`; the only
    change is the design's atoms: the arms not yet eliminated instead of every arm. This is how a
    low-regret learner explores (it plays only arms that may still be optimal), and on
    :func:`end_of_optimism` it pays :math:`\sim \beta / \Delta^2` (a mutant of FT-P2).

    Parameters
    ----------
    mdp : LinearMDP
        A bandit (H = 1, one state, Gaussian rewards).
    policies : array_like
        Arm policies, int array ``(K, 1, 1)``.
    epsilon : float > 0
        The accuracy.
    delta : float in (0, 1)
        The confidence.
    offline : None
        Ignored (the protocol's argument).
    rng : numpy.random.Generator, int or None
        Randomness of the rewards.
    regularizer : float > 0, default 1e-3
        Ridge of the regression and of the design.
    growth : float > 1, default 1.25
        Factor by which N grows when the realised covariance misses the tolerance.

    Returns
    -------
    PACRun
        The returned arm's index and the pulls used (no round records).

    Examples
    --------
    >>> run = survivor_design_pedel(end_of_optimism(0.1), arm_policies(4), epsilon=0.05, delta=0.1, rng=0)
    >>> run.policy_index
    0
    """
    arms, X, means = _bandit_arms(mdp, policies)
    eps = v.positive_float("epsilon", epsilon)
    dlt = v.probability("delta", delta)
    reg = v.positive_float("regularizer", regularizer)
    growth = v.positive_float("growth", growth)
    gen = v.as_rng(rng)
    K, d = X.shape
    survivors, leader, total = np.arange(K), 0, 0
    for ell in range(1, max(1, math.ceil(math.log2(4.0 / eps))) + 1):
        if survivors.size == 1:
            break
        eps_l = 2.0 ** -ell
        tol = eps_l ** 2 / ft.confidence_radius(ell, horizon=1, n_policies=K, delta=dlt)
        Xs = X[survivors]
        V = Xs - X[leader]
        atoms = np.einsum("ki,kj->kij", Xs, Xs)
        plan = ft.minimum_episodes(V, np.ones(len(V)), tol, covariances=atoms, regularizer=reg, rtol=0.02,
                                   design_rtol=0.02, max_iterations=30)
        N, weights = plan.n_episodes, np.zeros(len(Xs))
        weights[np.asarray(plan.design.indices)] = plan.design.weights
        counts, sums = np.zeros(len(Xs)), np.zeros(len(Xs))
        while True:
            extra = np.maximum(np.ceil(N * weights - 1e-9) - counts, 0.0)
            sums += _pull(gen, means[survivors], mdp.reward_std, extra)
            counts += extra
            A_inv = np.linalg.inv(reg * np.eye(d) + (Xs.T * counts) @ Xs)
            if np.einsum("pi,ij,pj->p", V, A_inv, V).max() <= tol:
                break
            N *= growth
        total += int(counts.sum())
        est = Xs @ (A_inv @ (Xs.T @ sums))
        keep = est >= est.max() - 2.0 * eps_l
        survivors = survivors[keep]
        leader = int(survivors[np.argmax(est[keep])])
    return PACRun(leader, total)


#: PEDEL with difference targets (the library's FTPedel without offline data): FT-P2's learner.
pedel_difference = functools.partial(ftpedel_learner, targets="difference")

PEDEL_DIFFERENCE = LearnerProtocol(
    name="ftpedel.pedel_difference", signature=_PAC_CALL,
    description=_PAC_TEXT + " Default: PEDEL with difference targets phi-hat_pi - phi-hat_leader (no offline data).",
    default=pedel_difference)


def _p2_cells(budget):
    return [{"block": b} for b in range(per_budget(budget, 4, 10, 20))]


def _p2_run(cell, rng, learner):
    algo_rng, ref_rng = rng.spawn(2)
    rows = []
    for k, gap in enumerate(P2_GAPS):
        mdp, policies = end_of_optimism(gap), arm_policies(4)
        eps = gap / 2
        res = learner(mdp, policies, epsilon=eps, delta=P2_DELTA, offline=None, rng=algo_rng)
        # The reference: the low-regret learner with the same certificate (fixed, whatever the learner).
        ref = optimistic_learner(mdp, policies, epsilon=eps, delta=P2_DELTA, rng=ref_rng)
        gaps = mdp.tabular.R[0, 0].max() - mdp.tabular.R[0, 0][policies[:, 0, 0]]
        rows.append({"point": k, "gap": gap, "epsilon": eps, "online_episodes": int(res.online_episodes),
                     "low_regret_episodes": int(ref.online_episodes), "policy_gap": float(gaps[res.policy_index]),
                     "low_regret_gap": float(gaps[ref.policy_index])})
    return rows


LOW_REGRET_EXAMPLE = Sweep("ftpedel.low_regret_example", _p2_cells, _p2_run, protocol=PEDEL_DIFFERENCE)


def _analyse_p2(rows, budget):
    last = len(P2_GAPS) - 1
    table = {(r["point"], r["block"]): r for r in rows}
    # The comparison uses the blocks whose reference run certified a correct arm at both ends of
    # the grid: a LinUCB run that certified a wrong arm stopped on a bad event of its confidence
    # bound, and its episodes are not a cost of identification (such runs are at most delta of
    # all, which "reference_correct" tests). Quick calibration before this: at root seed 10 one
    # LinUCB run of 600 certified x at Delta = 0.00625 after 10,522 pulls (the others: 1-2
    # million), and that one block's ratio 0.77 lifted the mean ratio above the growth margin.

    def reference_correct(b):
        return all(table[(k, b)]["low_regret_gap"] <= table[(k, b)]["epsilon"] for k in (0, last))

    blocks = sorted({r["block"] for r in rows})
    kept = [b for b in blocks if reference_correct(b)]
    # (With fewer than 2 such blocks the reference failed in most runs and "reference_correct" fails.)
    blocks = kept if len(kept) >= 2 else blocks

    def ratio(k, b):
        return table[(k, b)]["online_episodes"] / table[(k, b)]["low_regret_episodes"]

    return all_of({
        "gain": order_verdict([table[(last, b)]["online_episodes"] for b in blocks],
                              [table[(last, b)]["low_regret_episodes"] for b in blocks], margin=P2_GAIN_MARGIN,
                              paired=True, label="PEDEL / LinUCB episodes at the smallest gap"),
        "growth": order_verdict([ratio(last, b) for b in blocks], [ratio(0, b) for b in blocks],
                                margin=P2_GROWTH_MARGIN, paired=True,
                                label="(PEDEL / LinUCB) at the smallest / at the largest gap"),
        "correct": bound_verdict([int(r["policy_gap"] > r["epsilon"]) for r in rows], len(rows), P2_DELTA,
                                 ratios=[r["policy_gap"] / r["epsilon"] for r in rows]),
        # The reference must be a correct learner for the comparison to mean anything.
        "reference_correct": bound_verdict([int(r["low_regret_gap"] > r["epsilon"]) for r in rows], len(rows),
                                           P2_DELTA),
    })


_register(Claim(
    id="FT-P2", name="ftpedel.pedel.beats_low_regret", paper=PAPER,
    theorem="PEDEL (W&J 2022): low-regret algorithms are provably worse on an explicit example [paper that it "
            "exists; shape recalled]; this instance and its episode counts [derived]",
    statement="end-of-optimism bandit (d=3, gamma=4, Delta in {0.1, 0.025, 0.00625}, eps=Delta/2, delta=0.1): "
              "PEDEL (difference targets) uses <= 1/2 of LinUCB's episodes (same certificate) at the smallest "
              "Delta, the ratio PEDEL / LinUCB falls by >= 16x from the largest to the smallest Delta (paired), "
              "and PEDEL is eps-optimal in >= 1 - delta of runs",
    kind="order", sweep=LOW_REGRET_EXAMPLE, analyse=_analyse_p2,
    mutants=(
        Mutant("raw_targets", pedel_learner,
               "design for raw visitations phi_pi (the library's PEDEL default) instead of differences"),
        Mutant("survivor_design", survivor_design_pedel,
               "the design may only play arms not yet eliminated (how a low-regret learner explores)"),
        Mutant("no_elimination", no_elimination, "no arm is ever eliminated"),
        Mutant("low_regret", optimistic_learner, "the low-regret learner (LinUCB) with the same certificate"),
    ),
    panel_note="Uniform exploration is not in the panel: it plays the informative arms e2, e3 a quarter of "
               "the time each, so on this instance it is as instance-optimal as the design (1.6-1.8x its "
               "episodes, Delta-free).",
))
