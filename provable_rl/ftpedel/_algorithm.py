r"""PEDEL and FTPedel end to end, and the unverifiable pessimistic baseline.

The rounds of policy elimination with experiment design (:func:`ftpedel`, :func:`pedel`;
:ref:`ftpedel-pseudocode`), their confidence radius (:func:`confidence_radius`), the ridge
estimator on counts, and :func:`pessimistic_choice` (:ref:`ftpedel-separation`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP

from ._checks import DESIGN_MODELS, DESIGNS, TARGETS, _check_mdp, _check_policies
from ._data import TransitionStatistics, collect_step, empty_statistics
from ._design import minimum_episodes, _q_values
from ._plugin import _plugin_collect
from ._policies import PolicyClass


@dataclass(frozen=True, eq=False)
class FTPedelResult:
    r"""The output of :func:`ftpedel` / :func:`pedel`.

    Parameters
    ----------
    policy_index : int
        Index of the returned policy in the class.
    policy : numpy.ndarray
        The returned policy, int array ``(H, S)``.
    online_episodes : int
        Online episodes used in total.
    rounds : int
        Rounds run.
    episodes_per_round : numpy.ndarray
        Int array ``(rounds,)``: online episodes of each round.
    survivors : tuple of numpy.ndarray
        The surviving class indices after each round's elimination.
    value_estimates : numpy.ndarray
        Array ``(n_policies,)``: the last round's :math:`\hat V^\pi` of each policy (NaN for
        policies eliminated before it).
    """

    policy_index: int
    policy: np.ndarray
    online_episodes: int
    rounds: int
    episodes_per_round: np.ndarray
    survivors: tuple
    value_estimates: np.ndarray


def confidence_radius(round_index: int, *, horizon: int, n_policies: int, delta: float,
                      radius_constant: float = 1.0) -> float:
    r"""The confidence radius :math:`\beta_\ell = c_\beta \log(2 H \lvert\Pi\rvert \ell^2 / \delta)` of round l.

    :math:`c_\beta` is ``radius_constant``. The paper's :math:`\beta_\ell` carries :math:`c H^4`
    ([recalled]); the default ``radius_constant=1`` drops it (:ref:`ftpedel-radius` says why);
    ``radius_constant=H**4`` restores the paper's scaling. The argument of the log is a union bound
    over steps, policies and rounds (:ref:`ftpedel-correctness`).

    Parameters
    ----------
    round_index : int >= 1
        The round :math:`\ell`.
    horizon : int >= 1
        The horizon H.
    n_policies : int >= 1
        The size of the class, ``|Pi|``.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    radius_constant : float > 0, default 1
        The factor :math:`c_\beta`.

    Returns
    -------
    float
        :math:`\beta_\ell`.

    Examples
    --------
    >>> round(confidence_radius(1, horizon=1, n_policies=8, delta=0.1), 4)   # log(160)
    5.0752
    """
    ell = v.positive_int("round_index", round_index)
    horizon = v.positive_int("horizon", horizon)
    n_policies = v.positive_int("n_policies", n_policies)
    delta = v.probability("delta", delta)
    radius_constant = v.positive_float("radius_constant", radius_constant)
    return float(radius_constant) * math.log(2 * horizon * n_policies * ell ** 2 / delta)


def _regress_step(mdp, counts_h, sums_h, reg, visit_h, next_actions):
    """Ridge estimates at step h from pooled counts: theta_h and (optionally) phi_{pi,h+1}.

    ``Lambda = sum n(s,a) phi phi^T + reg I``; ``theta = Lambda^{-1} sum phi r``;
    ``phi_{pi,h+1} = sum_{s,a,s'} n(s,a,s') phi_pi(s') phi(s,a)^T Lambda^{-1} phi_{pi,h}``.
    """
    phi = mdp.features
    n_sa = counts_h.sum(axis=-1)
    Lam = np.einsum("sa,sai,saj->ij", n_sa, phi, phi) + reg * np.eye(mdp.dim)
    theta = np.linalg.solve(Lam, np.einsum("sa,sai->i", sums_h, phi))
    if next_actions is None:
        return theta, None
    W = np.linalg.solve(Lam, visit_h.T)                      # (d, P)
    coef = np.einsum("sai,ip->psa", phi, W)                  # phi(s,a)^T Lambda^{-1} phi_pi
    mass = np.einsum("sat,psa->pt", counts_h, coef)          # weight on each next state
    next_feats = phi[np.arange(mdp.n_states)[None, :], next_actions]  # (P, S, d)
    return theta, np.einsum("pt,pti->pi", mass, next_feats)


def ftpedel(mdp: LinearMDP, policies, *, epsilon: float, delta: float, offline: TransitionStatistics | None = None,
            rng=None, targets: str = "difference", radius_constant: float = 1.0, regularizer: float = 1e-3,
            design: str = "optimal", growth: float = 1.25, max_episodes: float = 1e9,
            design_model: str = "oracle") -> FTPedelResult:
    r"""FTPedel (Wagenmaker & Pacchiano 2023 [recalled structure]): PEDEL with offline data pooled in.

    The pseudo-code and the reasons for its constants are in :ref:`ftpedel-pseudocode` and
    :ref:`ftpedel-correctness`. Rounds :math:`\ell = 1, \dots, \lceil \log_2(4/\epsilon) \rceil` with
    :math:`\epsilon_\ell = 2^{-\ell}` and :math:`\beta_\ell` from :func:`confidence_radius`. In round
    l, for h = 0, ..., H-1:

    1. targets: :math:`\hat\phi_{\pi,h} - \hat\phi_{\mathrm{leader},h}` (``targets="difference"``,
       leader = last round's empirical best) or :math:`\hat\phi_{\pi,h}` (``"raw"``, PEDEL's) over
       the survivors;
    2. design (with the true model, or with the estimated one: ``design_model``): the least N and
       weights :math:`\omega` with
       :math:`\max_p \|v_p\|^2_{(N \Lambda(\omega) + \Lambda_{\mathrm{off},h} + \lambda I)^{-1}}
       \le \epsilon_\ell^2 / \beta_\ell` (:func:`minimum_episodes`; 0 when the offline data already
       suffice), then ``ceil(N omega_j)`` episodes of each atom, checking the realised covariance
       and growing N by ``growth`` until the tolerance holds ("design, then verify", replacing
       OPTCOV, :ref:`ftpedel-design-then-verify`);
    3. regression on this round's step-h online transitions **plus the offline step-h tuples**:
       :math:`\hat\theta_h` and :math:`\hat\phi_{\pi,h+1}` for every survivor
       (:ref:`ftpedel-estimator`).

    Then :math:`\hat V^\pi = \sum_h \langle \hat\phi_{\pi,h}, \hat\theta_h \rangle` and policies with
    :math:`\hat V^\pi < \max \hat V - 2 \epsilon_\ell` are eliminated (estimation error at most
    :math:`\epsilon_\ell`, threshold :math:`2 \epsilon_\ell`: :math:`\pi^*` survives and every
    survivor of round l has :math:`\Delta \le 4 \epsilon_\ell`); stop when one survives or after
    the last round, returning the empirical best survivor.

    Parameters
    ----------
    mdp : LinearMDP
        The simulator (the algorithm sees it through sampled statistics and, for the oracle
        design only, through its model).
    policies : array_like
        Int array ``(n, H, S)``: the finite class :math:`\Pi` (at least 2 policies).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    offline : TransitionStatistics, optional
        :math:`D_{\mathrm{off}}`. None gives PEDEL.
    rng : numpy.random.Generator, int or None
        Randomness of the online samples.
    targets : {"difference", "raw"}, default "difference"
        The design targets (step 1 above).
    radius_constant : float > 0, default 1
        Multiplies :math:`\beta_\ell`; 1 drops the paper's :math:`H^4` (:ref:`ftpedel-radius`).
    regularizer : float > 0, default 1e-3
        Ridge :math:`\lambda` of every regression (and of the design's covariance).
    design : {"optimal", "uniform"}, default "optimal"
        "uniform" explores with the uniformly random policy (the naive baseline of FT-FIG3: same
        verification, so still correct, only more episodes).
    growth : float > 1, default 1.25
        Factor by which N grows when the realised covariance misses the tolerance.
    max_episodes : float > 0, default 1e9
        Raise ``ValueError`` rather than collect more online episodes than this.
    design_model : {"oracle", "plugin"}, default "oracle"
        The model each round's design is planned with: the true one ("oracle", the reference), or
        the transitions estimated from every transition seen so far ("plugin": offline tuples and
        earlier online data; the uniformly random policy while an earlier step has no data;
        re-planned with the data in hand when the realised covariance misses the tolerance;
        :ref:`ftpedel-plugin-design`). The verification is the same.

    Returns
    -------
    FTPedelResult
        The returned policy, the online episodes used and the elimination history.

    Examples
    --------
    >>> from mdps.instances.ftpedel import ft_x1
    >>> from provable_rl.ftpedel import sample_offline_statistics
    >>> inst = ft_x1(n_arms=4, gap=0.2)
    >>> off = sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    >>> res = ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, offline=off, rng=0)
    >>> res.policy_index
    0
    """
    mdp = _check_mdp(mdp)
    pol = _check_policies(mdp, policies)
    if pol.shape[0] < 2:
        raise ValueError(f"policies: expected a class of at least 2 policies to choose from, got {pol.shape[0]}")
    eps = v.positive_float("epsilon", epsilon)
    dlt = v.probability("delta", delta)
    gen = v.as_rng(rng)
    if targets not in TARGETS:
        raise ValueError(f"targets: expected one of {TARGETS}, got {targets!r}")
    if design not in DESIGNS:
        raise ValueError(f"design: expected one of {DESIGNS}, got {design!r}")
    if design_model not in DESIGN_MODELS:
        raise ValueError(f"design_model: expected one of {DESIGN_MODELS}, got {design_model!r}")
    c_beta = v.positive_float("radius_constant", radius_constant)
    reg = v.positive_float("regularizer", regularizer)
    growth = v.positive_float("growth", growth)
    if growth <= 1:
        raise ValueError(f"growth: expected a number > 1, got {growth!r}")
    max_episodes = v.positive_float("max_episodes", max_episodes)
    H, S = mdp.horizon, mdp.n_states
    if offline is None:
        offline = empty_statistics(mdp)
    if not isinstance(offline, TransitionStatistics):
        raise TypeError(f"offline: expected TransitionStatistics, got {type(offline).__name__}")
    if offline.counts.shape != (H, S, mdp.n_actions, S):
        raise ValueError(f"offline: expected counts of shape {(H, S, mdp.n_actions, S)}, got {offline.counts.shape}")
    return _ftpedel(mdp, pol, eps, dlt, offline, gen, targets, c_beta, reg, design, growth, max_episodes,
                    design_model=design_model)


def _with_propagation_target(differences, leader_visitation, later_actions, leader):
    r"""Step h's difference targets, plus the leader's own visitation when a survivor acts unlike
    the leader at some step after h (the *propagation target*, :ref:`ftpedel-propagation`).

    Why: with :math:`\hat P_h` the step-h regression and L the leader, the step-h error of the
    value-difference estimate :math:`\hat V^\pi - \hat V^L` is

    .. math::

       \langle (\hat P_h - P_h)(\phi_{\pi,h} - \phi_{L,h}), V^\pi_{h+1} \rangle
       + \langle (\hat P_h - P_h)\phi_{L,h}, V^\pi_{h+1} - V^L_{h+1} \rangle .

    The difference targets control the first term. The second vanishes only when :math:`\pi` and
    L act alike at every step after h; otherwise it needs :math:`\phi_{L,h}` itself covered.
    ``later_actions`` is the survivors' actions at steps h+1, ..., H-1, shape ``(P, H-h-1, S)``;
    ``leader`` the leader's row in it.
    """
    if np.any(later_actions != later_actions[leader]):
        return np.vstack([differences, leader_visitation[None, :]])
    return differences


def _ftpedel(mdp, pol, eps, dlt, offline, gen, targets, c_beta, reg, design, growth, max_episodes, *,
             elimination_factor=2.0, offline_in_design=True, offline_in_verification=True, pool_offline=True,
             offline_normalised=False, round_shift=0, schedule_shift=0, verify="realised",
             radius_log_delta=True, next_step=1, design_model="oracle", plugin_verify=True, plugin_freeze_round=None,
             plugin_step_offset=0, plugin_freeze_design=False, offline_scale=1.0, offline_step_shift=0,
             propagation_targets=True, record=None):
    """:func:`ftpedel` on validated input.

    The keywords other than ``record`` exist for the broken variants of ``proofs_check.ftpedel``
    only, and their defaults are the algorithm: ``elimination_factor`` (threshold
    ``elimination_factor * eps_l``); ``offline_in_design`` / ``offline_in_verification`` (Lambda_off
    seen by the design / by the verification of the realised covariance); ``offline_normalised``
    (Lambda_off,h divided by the number of step-h offline tuples, in the design and the
    verification); ``pool_offline`` (offline tuples in the regressions); ``round_shift`` (``l_max = ceil(log2(4/eps)) + round_shift``: -1 is
    a last round that certifies only 2 eps); ``schedule_shift`` (``eps_l = 2^-(l + schedule_shift)``:
    -1 is a schedule counted from l = 0); ``verify`` ("realised", or "planned": the stopping test
    reads the planned ``N Lambda(omega)`` instead of the collected data); ``radius_log_delta`` (False
    drops the ``1/delta`` inside beta_l's log); ``next_step`` (phi-hat_{pi,h+1} built from the
    actions of step ``h + next_step``; 0 is the wrong step); ``offline_scale`` (Lambda_off multiplied
    by it in the design and the verification: 2 counts the offline data twice);
    ``offline_step_shift`` (step h's design and verification see Lambda_off of step
    ``(h + shift) mod H``: 1 is the wrong step's offline data); ``propagation_targets`` (False
    drops the leader's visitation from the step-h targets, :func:`_with_propagation_target`: the
    defect of the difference targets at H >= 2 that the library had until 2026-12-05). ``design_model`` is the public
    option (see :func:`ftpedel`); ``plugin_verify`` (False trusts the plug-in plan),
    ``plugin_freeze_round`` (the plug-in model stops learning after that round),
    ``plugin_step_offset`` (P-hat_k estimated from step ``k + offset``'s data) and
    ``plugin_freeze_design`` (each step's first plug-in design reused in every round) are the
    plug-in design's broken variants (:func:`_plugin_collect`).

    ``record``: a list, or None. When a list, one dict per round is appended: ``round`` (l),
    ``eps`` (eps_l), ``tolerance`` (eps_l^2 / beta_l), ``survivors`` (class indices at the start of
    the round), ``estimates`` (their V-hat), ``kept`` (indices after the elimination), and ``steps``:
    per step h a dict with ``targets`` (the design's vectors, (P, d)), ``online_pair_counts``
    (this round's step-h online pairs n(s, a), (S, A)) and ``objective`` (the design objective
    max_p ||v_p||^2 in the inverse of the covariance the stopping test last read: the realised data
    plus the offline covariance plus the ridge, to compare with ``tolerance``; 0 for zero targets).
    Recording changes nothing else.
    """
    factor = float(elimination_factor)
    H, S, d = mdp.horizon, mdp.n_states, mdp.dim
    off_cov = offline.covariances(mdp)
    if offline_normalised:
        off_cov = off_cov / np.maximum(offline.pair_counts.sum(axis=(1, 2)), 1)[:, None, None]
    off_cov = float(offline_scale) * np.roll(off_cov, -int(offline_step_shift), axis=0)
    design_off = off_cov if offline_in_design else np.zeros_like(off_cov)
    verify_off = off_cov if offline_in_verification else np.zeros_like(off_cov)
    radius_delta = dlt if radius_log_delta else 1.0 - 1e-12
    n_pol = pol.shape[0]
    l_max = max(1, math.ceil(math.log2(4.0 / eps)) + int(round_shift))
    survivors = np.arange(n_pol)
    leader = 0
    values = np.full(n_pol, np.nan)
    history, per_round = [], []
    total = 0
    plugin = design_model == "plugin"
    # The plug-in design's data: every transition seen so far (offline, then each round's online
    # step-h transitions), per step.
    model_counts = np.array(offline.counts, dtype=np.int64) if plugin else None
    frozen_designs = {} if plugin_freeze_design else None
    first_feats = mdp.features[np.arange(S)[None, :], pol[:, 0, :]]  # (n, S, d)
    exact_first = np.einsum("s,nsi->ni", mdp.initial, first_feats)
    ell = 0
    for ell in range(1, l_max + 1):
        if survivors.size == 1:
            ell -= 1
            break
        eps_l = 2.0 ** -(ell + int(schedule_shift))
        tol = eps_l ** 2 / confidence_radius(ell, horizon=H, n_policies=n_pol, delta=radius_delta,
                                             radius_constant=c_beta)
        visit = np.empty((survivors.size, H, d))
        visit[:, 0] = exact_first[survivors]
        theta = np.empty((H, d))
        ref = int(np.searchsorted(survivors, leader))
        round_episodes = 0
        steps = []
        for h in range(H):
            vecs = visit[:, h] - visit[ref, h] if targets == "difference" else visit[:, h]
            if targets == "difference" and propagation_targets and h + 1 < H:
                vecs = _with_propagation_target(vecs, visit[ref, h], pol[survivors, h + 1:], ref)
            ones = np.ones(vecs.shape[0])
            online_counts = np.zeros((S, mdp.n_actions, S), dtype=np.int64)
            online_sums = np.zeros((S, mdp.n_actions))
            # The design objective at the data in hand (offline + ridge, then + each batch collected):
            # what the stopping test compares with tol, recorded next to it.
            objective = float(_q_values(verify_off[h] + reg * np.eye(d), vecs, ones)[0].max()) if np.any(vecs) else 0.0
            if objective > tol and plugin:
                objective, step_episodes = _plugin_collect(
                    mdp, h, vecs, tol, model_counts, design_off[h], verify_off[h], reg, design, growth,
                    max_episodes - total - round_episodes, online_counts, online_sums, gen,
                    verify=plugin_verify, step_offset=int(plugin_step_offset), frozen=frozen_designs)
                round_episodes += step_episodes
            elif objective > tol:
                plan = minimum_episodes(vecs, ones, tol, mdp=mdp, step=h, offline_covariance=design_off[h],
                                        regularizer=reg, design=design, rtol=0.02, design_rtol=0.02,
                                        max_iterations=30)
                N = plan.n_episodes
                atoms, weights = plan.design.policies, plan.design.weights
                collected = np.zeros(weights.size, dtype=np.int64)
                while True:
                    want = np.ceil(N * weights - 1e-9).astype(np.int64)
                    extra = np.maximum(want - collected, 0)
                    if total + round_episodes + extra.sum() > max_episodes:
                        raise ValueError(f"max_episodes: the run needs more than {max_episodes:g} online episodes")
                    new = collect_step(mdp, atoms, extra, h, gen)
                    online_counts += new.counts[h]
                    online_sums += new.reward_sums[h]
                    collected += extra
                    round_episodes += int(extra.sum())
                    if verify == "planned":
                        realised = np.tensordot(collected.astype(float), plan.design.covariances, 1)
                    else:
                        realised = np.einsum("sa,sai,saj->ij", online_counts.sum(-1), mdp.features, mdp.features)
                    objective = float(_q_values(realised + verify_off[h] + reg * np.eye(d), vecs, ones)[0].max())
                    if objective <= tol:
                        break
                    N *= growth
            if record is not None:
                steps.append({"targets": vecs.copy(), "online_pair_counts": online_counts.sum(-1),
                              "objective": objective})
            if plugin and (plugin_freeze_round is None or ell <= plugin_freeze_round):
                model_counts[h] += online_counts
            pooled_counts = online_counts + offline.counts[h] if pool_offline else online_counts
            pooled_sums = online_sums + offline.reward_sums[h] if pool_offline else online_sums
            nxt_step = h + int(next_step)
            next_actions = pol[survivors, nxt_step, :] if h + 1 < H else None
            theta[h], nxt = _regress_step(mdp, pooled_counts, pooled_sums, reg, visit[:, h], next_actions)
            if nxt is not None:
                visit[:, h + 1] = nxt
        total += round_episodes
        per_round.append(round_episodes)
        est = np.einsum("phi,hi->p", visit, theta)
        values[:] = np.nan
        values[survivors] = est
        keep = est >= est.max() - factor * eps_l
        if record is not None:
            record.append({"round": ell, "eps": eps_l, "tolerance": tol, "survivors": survivors.copy(),
                           "estimates": est.copy(), "kept": survivors[keep].copy(), "steps": steps})
        survivors = survivors[keep]
        leader = int(survivors[np.argmax(est[keep])])
        history.append(survivors.copy())
    best = int(survivors[np.nanargmax(values[survivors])])
    return FTPedelResult(best, pol[best].copy(), int(total), ell, np.array(per_round, dtype=np.int64),
                         tuple(history), values)


def pedel(mdp: LinearMDP, policies, *, epsilon: float, delta: float, rng=None, targets: str = "raw",
          radius_constant: float = 1.0, regularizer: float = 1e-3, design: str = "optimal", growth: float = 1.25,
          max_episodes: float = 1e9, design_model: str = "oracle") -> FTPedelResult:
    r"""PEDEL (Wagenmaker & Jamieson 2022 [recalled structure]): :func:`ftpedel` without offline data.

    Raw visitation targets :math:`\hat\phi_{\pi,h}` by default (PEDEL's). The rounds, the
    elimination at :math:`2 \epsilon_\ell` and the departures from the paper (design-then-verify
    instead of OPTCOV, :math:`\beta_\ell` without :math:`H^4`) are those of :func:`ftpedel`
    (:ref:`ftpedel-pseudocode`, :ref:`ftpedel-departures`).

    Parameters
    ----------
    mdp : LinearMDP
        The simulator.
    policies : array_like
        Int array ``(n, H, S)``: the finite class :math:`\Pi` (at least 2 policies).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    rng : numpy.random.Generator, int or None
        Randomness of the online samples.
    targets : {"raw", "difference"}, default "raw"
        The design targets (see :func:`ftpedel`).
    radius_constant : float > 0, default 1
        Multiplies :math:`\beta_\ell`; 1 drops the paper's :math:`H^4`.
    regularizer : float > 0, default 1e-3
        Ridge :math:`\lambda` of every regression.
    design : {"optimal", "uniform"}, default "optimal"
        The optimal design, or the uniformly random policy (a baseline).
    growth : float > 1, default 1.25
        Factor by which N grows when the realised covariance misses the tolerance.
    max_episodes : float > 0, default 1e9
        Raise ``ValueError`` rather than collect more online episodes than this.
    design_model : {"oracle", "plugin"}, default "oracle"
        Plan the designs with the true model or the estimated one (see :func:`ftpedel`).

    Returns
    -------
    FTPedelResult
        The returned policy, the online episodes used and the elimination history.

    Examples
    --------
    >>> from mdps.instances.ftpedel import competitor_bandit
    >>> inst = competitor_bandit(n_arms=4, gap=0.2)
    >>> pedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, rng=0).policy_index
    0
    """
    return ftpedel(mdp, policies, epsilon=epsilon, delta=delta, offline=None, rng=rng, targets=targets,
                   radius_constant=radius_constant, regularizer=regularizer, design=design, growth=growth,
                   max_episodes=max_episodes, design_model=design_model)


def pessimistic_choice(mdp: LinearMDP, policy_class: PolicyClass, offline: TransitionStatistics, *,
                       beta: float, regularizer: float = 1e-3) -> int:
    r"""An unverifiable learner: the class member with the largest lower confidence bound on offline data.

    .. math::

       \mathrm{LCB}(\pi) = \sum_h \langle \phi_{\pi,h}, \hat\theta_h \rangle
       - \sqrt{\beta}\, \|\phi_{\pi,h}\|_{\hat\Lambda_h^{-1}},

    with ridge estimates from the offline data only and the exact visitations of the class (so it
    is meant for H = 1 or known dynamics, as in FT-X2). Pessimism picks a well-covered policy
    without any online episode, but cannot certify it (:ref:`ftpedel-separation`; the LCB idea of
    Rashidinejad et al. 2021, :ref:`theory-lcb`).

    Parameters
    ----------
    mdp : LinearMDP
        The problem (its features; the dynamics enter only through ``policy_class``).
    policy_class : PolicyClass
        The exact statistics of the class.
    offline : TransitionStatistics
        The offline data :math:`D_{\mathrm{off}}`.
    beta : float > 0
        The squared confidence width multiplier :math:`\beta`.
    regularizer : float > 0, default 1e-3
        The ridge :math:`\lambda` of :math:`\hat\Lambda_h`.

    Returns
    -------
    int
        The index in the class of the policy with the largest LCB.

    Examples
    --------
    >>> from mdps.instances.ftpedel import ft_x2
    >>> from provable_rl.ftpedel import policy_class, sample_offline_statistics
    >>> inst = ft_x2(n_arms=4)
    >>> pc = policy_class(inst.mdp, inst.policies)
    >>> off = sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    >>> pessimistic_choice(inst.mdp, pc, off, beta=3.0)
    0
    """
    mdp = _check_mdp(mdp)
    if not isinstance(policy_class, PolicyClass):
        raise TypeError(f"policy_class: expected a PolicyClass, got {type(policy_class).__name__}")
    if not isinstance(offline, TransitionStatistics):
        raise TypeError(f"offline: expected TransitionStatistics, got {type(offline).__name__}")
    b = v.positive_float("beta", beta)
    reg = v.positive_float("regularizer", regularizer)
    lcb = np.zeros(len(policy_class))
    for h in range(mdp.horizon):
        theta, _ = _regress_step(mdp, offline.counts[h], offline.reward_sums[h], reg, None, None)
        Lam = offline.covariances(mdp)[h] + reg * np.eye(mdp.dim)
        phi = policy_class.visitations[:, h]
        width = np.sqrt(np.einsum("pi,ip->p", phi, np.linalg.solve(Lam, phi.T)))
        lcb += phi @ theta - math.sqrt(b) * width
    return int(np.argmax(lcb))
