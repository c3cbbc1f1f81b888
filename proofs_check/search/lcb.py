r"""The LCB bounds over their instance classes (Rashidinejad et al. 2021; :ref:`theory-lcb`).

Three explicit bounds of :mod:`proofs_check.lcb` are searched:

``LCB-C3``
    LCB's expected suboptimality on a contextual bandit is at most
    :math:`\min(1, \sqrt{S (C^\star - 1) L / N} + S L / N)`, :math:`L = \log(2 S A N)`
    (:func:`proofs_check.lcb.c3_bound`). Class: the claim's recipe (random contextual bandits with
    :math:`S \le 10`, :math:`A \le 5`, :math:`C^\star \le 5`) and the hard families LCB-H3 and
    LCB-H4, :math:`N` from :math:`10^3` to :math:`10^5`. Per instance, 2000 datasets and the
    empirical Bernstein test of the mean (:func:`proofs_check.search.mean_bound_trial`).
``LCB-V1``
    VI-LCB's value estimate is a lower bound, :math:`V \le V^{\pi}` at every state, except with
    probability :math:`\delta = 0.1`. Class: random MDPs (:math:`S \le 8`, :math:`A \le 4`,
    :math:`\gamma \in [0.5, 0.95]`, data :math:`\mu = d^{\pi^\star}/C + (1 - 1/C)\nu` with
    :math:`C \le 10`) and the gamble MDPs of :func:`mdps.instances.lcb.lcb_gamble_mdp`; 40
    datasets per instance and the exact binomial test.
``LCB-V4``
    On nearly-expert data (:math:`\mu = (1 - 1/N) d^{\pi^\star} + \nu / N`) VI-LCB returns an
    optimal policy except with probability :math:`\delta = 0.05`. Class: random MDPs as above and
    the claim's delayed chain (:func:`mdps.instances.lcb.lcb_delayed_chain`) at lengths 5 to 18
    (walking worth at least three times the cash-out);
    200 datasets per instance. The allowed rate on a random MDP adds the [derived] chance that the
    cloning fold misses a state of the optimal policy's support (:func:`v4_allowed_rate`).

Every strategy shrinks toward small instances: fewer states and actions, a smaller N, the
first family listed.
"""
from __future__ import annotations

import numpy as np

from mdps.instances.lcb import (lcb_delayed_chain, lcb_gamble_mdp, lcb_h3, lcb_h4, lcb_random_contextual_bandit,
                                lcb_random_mdp)

from .. import lcb as claims
from . import BoundProperty, OutsideClass, binomial_trial, mean_bound_trial, register_property

__all__ = ["C3_PROPERTY", "V1_PROPERTY", "V4_PROPERTY"]

#: Sample sizes searched: 10^(k/4), a log-uniform grid that shrinks toward the smallest.
_C3_SIZES = tuple(int(round(10 ** (k / 4))) for k in range(12, 21))      # 1000 .. 100000
_V_SIZES = tuple(int(round(10 ** (k / 4))) for k in range(12, 19))       # 1000 .. 31623
_CHAIN_SIZES = (10 ** 6, 10 ** 7)
_GAMMAS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
C3_DATASETS = 2000
V1_DATASETS = 40
V4_DATASETS = 200


def _strategies():
    from hypothesis import strategies as st

    return st


# ------------------------------------------------------------------------------------------
# LCB-C3
# ------------------------------------------------------------------------------------------

def c3_parameters():
    """Hypothesis strategy of LCB-C3 instances (JSON-able dicts)."""
    st = _strategies()
    size = st.sampled_from(_C3_SIZES)
    recipe = st.fixed_dictionaries({
        "family": st.just("recipe"), "n_states": st.integers(2, 10), "n_actions": st.integers(2, 5),
        "concentrability": st.integers(1, 5), "n_samples": size, "instance_seed": st.integers(0, 2 ** 32 - 1)})
    h4 = st.fixed_dictionaries({
        "family": st.just("H4"), "n_states": st.integers(2, 10),
        "regime": st.sampled_from(("2", "1.5", "1.1", "1+S/N")), "gap_scale": st.sampled_from(claims.CB_GAP_SCALES),
        "n_samples": size})
    h3 = st.fixed_dictionaries({"family": st.just("H3"), "n_states": st.integers(2, 10), "n_samples": size})
    return st.one_of(recipe, h4, h3)


def c3_load(parameters: dict):
    """The contextual bandit of LCB-C3 parameters: ``(ContextualBandit, mu, realised C*)``."""
    family, S, N = parameters["family"], parameters["n_states"], parameters["n_samples"]
    if family == "recipe":
        return lcb_random_contextual_bandit(np.random.default_rng(parameters["instance_seed"]), n_states=S,
                                            n_actions=parameters["n_actions"],
                                            concentrability=float(parameters["concentrability"]))
    if family == "H4":
        C = claims.regime_concentrability(parameters["regime"], N, S)
        return lcb_h4(N, C, parameters["gap_scale"], S)
    if family == "H3":
        return lcb_h3(max(N, S + 1), 1.0, 1.0, S)
    raise ValueError(f"parameters: unknown family {family!r}")


def c3_evaluate(instance, parameters, learner, rng):
    """LCB-C3's bound on one contextual bandit: 2000 datasets, empirical Bernstein test of the mean."""
    from mdps import sample_statistics

    cb, mu, realised = instance
    N = parameters["n_samples"]
    data_rng, algo_rng = rng.spawn(2)
    stats = sample_statistics(cb, mu, N, data_rng, n_repetitions=C3_DATASETS)
    subopt = claims._cb_subopt(cb, np.asarray(learner(stats, algo_rng)))
    bound = claims.c3_bound(N, cb.n_states, cb.n_actions, realised)
    value_range = max(float(cb.gaps.max()), 1e-12)
    return mean_bound_trial(subopt, bound, value_range, label="E[subopt]",
                            details={"realised_concentrability": float(realised), "S": cb.n_states,
                                     "A": cb.n_actions})


# ------------------------------------------------------------------------------------------
# LCB-V1 and LCB-V4: VI-LCB on random MDPs, gambles and delayed chains
# ------------------------------------------------------------------------------------------

def _random_mdp_parameters(st, concentrability):
    return st.fixed_dictionaries({
        "family": st.just("random"), "n_states": st.integers(2, 8), "n_actions": st.integers(2, 4),
        "gamma": st.sampled_from(_GAMMAS), "concentrability": concentrability,
        "mixing": st.sampled_from(("all", "off")), "n_samples": st.sampled_from(_V_SIZES),
        "instance_seed": st.integers(0, 2 ** 32 - 1)})


def v1_parameters():
    """Hypothesis strategy of LCB-V1 instances: random MDPs and gamble MDPs."""
    st = _strategies()
    gambles = st.fixed_dictionaries({
        "family": st.just("gamble"), "n_gambles": st.integers(1, 6), "gamma": st.sampled_from((0.8, 0.85, 0.9, 0.95)),
        "n_samples": st.sampled_from((10 ** 4, 10 ** 5, 10 ** 6))})
    return st.one_of(_random_mdp_parameters(st, st.integers(1, 10)), gambles)


def v1_load(parameters: dict):
    """The MDP and data distribution of LCB-V1 parameters: ``(DiscountedMDP, mu, realised C*)``."""
    if parameters["family"] == "gamble":
        # The claim's safe reward 0.4 at gamma = 0.9, scaled with gamma so gambling stays optimal.
        return lcb_gamble_mdp(parameters["n_gambles"], gamma=parameters["gamma"],
                              safe_reward=0.4 * parameters["gamma"] / 0.9)
    if parameters["family"] == "random":
        return lcb_random_mdp(parameters["instance_seed"], concentrability=float(parameters["concentrability"]),
                              n_states=parameters["n_states"], n_actions=parameters["n_actions"],
                              gamma=parameters["gamma"], mixing=parameters["mixing"])
    raise ValueError(f"parameters: unknown family {parameters['family']!r}")


def v1_evaluate(instance, parameters, learner, rng):
    """LCB-V1's invariant on one MDP: the runs where V exceeds V^pi somewhere, binomial test at delta = 0.1."""
    mdp, mu, realised = instance
    N = parameters["n_samples"]
    data_rng, algo_rng = rng.spawn(2)
    stats = claims.fold_statistics(mdp, mu, N, mdp.gamma, data_rng, V1_DATASETS)
    policy, values = learner(stats, mdp.gamma, claims.V1_DELTA, algo_rng)
    true_values = claims._policy_values(mdp, np.asarray(policy))
    excess = (np.asarray(values, float) - true_values).max(axis=1)
    return binomial_trial(int((excess > 1e-9).sum()), V1_DATASETS, claims.V1_DELTA, label="runs with V > V^pi",
                          details={"max_excess": float(excess.max()), "realised_concentrability": float(realised)})


def v4_parameters():
    """Hypothesis strategy of LCB-V4 instances: nearly-expert random MDPs and delayed chains."""
    st = _strategies()
    # Lengths up to 18: walking is worth gamma^k / (1 - gamma) >= 1.5, three times the cash-out
    # (at 22 the margin is 2x and VI-LCB's pessimism, correctly, cashes out: outside the class).
    chains = st.fixed_dictionaries({"family": st.just("chain"), "length": st.integers(5, 18)})
    random = _random_mdp_parameters(st, st.just("expert"))
    return st.one_of(random, chains)


def v4_load(parameters: dict):
    """The MDP and data distribution of LCB-V4 parameters: ``(DiscountedMDP, mu, realised C*)``.

    A random MDP gets :math:`\\mu = (1 - 1/N) d^{\\pi^\\star} + \\nu / N` with :math:`\\nu` uniform
    off the optimal policy's support (``mixing`` is ignored: the data are nearly expert). A chain
    is the claim's delayed chain (:func:`mdps.instances.lcb.lcb_delayed_chain`, gamma 0.9,
    cash-out 0.5, uniform data, :math:`N = 10^7` pooled) at another length.
    """
    if parameters["family"] == "chain":
        return lcb_delayed_chain(parameters["length"], gamma=claims.V4_CHAIN_GAMMA)
    if parameters["family"] == "random":
        N = parameters["n_samples"]
        return lcb_random_mdp(parameters["instance_seed"], concentrability=N / (N - 1.0),
                              n_states=parameters["n_states"], n_actions=parameters["n_actions"],
                              gamma=parameters["gamma"], mixing="off")
    raise ValueError(f"parameters: unknown family {parameters['family']!r}")


def v4_allowed_rate(mdp, mu, n_samples: int, split: bool) -> float:
    r"""LCB-V4's allowed rate of suboptimal runs on one instance ([derived]).

    On nearly-expert data behaviour cloning returns the expert's action at every state of
    :math:`\operatorname{supp} d^{\pi^\star}` that its fold of :math:`m` samples visits, and VI-LCB's
    monotone update leaves an optimal :math:`\pi_0` unchanged on its good event; so a run is
    suboptimal only when the fold misses a state of the support, or off the good event. By a union
    bound the rate is at most

    .. math:: \delta_{\text{claim}} + \sum_{s:\, d^{\pi^\star}(s) > 0} (1 - \mu(s))^m,

    with :math:`\delta_{\text{claim}} = 0.05` the claim's allowance (which also covers VI-LCB's own
    :math:`\delta = 1/N`). The claim's fixed instance has a negligible miss term; the search
    reaches instances where it is not, and must not call them counterexamples.
    """
    from mdps import optimal_occupancy

    if not split:
        return claims.V4_DELTA
    F = claims.n_vi_lcb_iterations(n_samples, mdp.gamma) + 1
    m = n_samples // F
    state_mass = mu.sum(axis=1)
    support = optimal_occupancy(mdp).sum(axis=1) > 0
    return float(claims.V4_DELTA + np.sum((1.0 - state_mass[support]) ** m))


def v4_evaluate(instance, parameters, learner, rng):
    """LCB-V4's bound on one MDP: the runs returning a suboptimal policy, binomial test at the allowed rate."""
    mdp, mu, realised = instance
    chain = parameters["family"] == "chain"
    N = claims.V4_CHAIN_N if chain else parameters["n_samples"]
    allowed = v4_allowed_rate(mdp, mu, N, split=not chain)
    if allowed >= 0.5:        # an instance where imitation cannot work says nothing about the bound
        raise OutsideClass(f"allowed rate {allowed:.3g}: the cloning fold misses the expert's states too often")
    data_rng, algo_rng = rng.spawn(2)
    stats = claims.fold_statistics(mdp, mu, N, mdp.gamma, data_rng, V4_DATASETS, split=not chain)
    policy, _ = learner(stats, mdp.gamma, 1.0 / N, algo_rng)
    subopt = claims._subopt(mdp, np.asarray(policy))
    return binomial_trial(int((subopt > 1e-9).sum()), V4_DATASETS, allowed, label="suboptimal runs",
                          details={"mean_subopt": float(subopt.mean()), "realised_concentrability": float(realised),
                                   "n_samples": N})


C3_PROPERTY = register_property(BoundProperty(
    "LCB-C3",
    "Contextual bandits with S <= 10 contexts, A <= 5 actions, Bernoulli rewards: the claim's random recipe "
    "(C* <= 5) and the hard families LCB-H3 (C* = 1, rare contexts) and LCB-H4 (C* in {1 + S/N, 1.1, 1.5, 2}, "
    "a rare noisy action); N in 1e3..1e5.",
    c3_parameters, c3_load, c3_evaluate, max_examples=20, ci_examples=3))

V1_PROPERTY = register_property(BoundProperty(
    "LCB-V1",
    "Discounted MDPs: random MDPs with S <= 8, A <= 4, gamma in [0.5, 0.95], data mu = d*/C + (1 - 1/C) nu "
    "(C <= 10, nu uniform over all pairs or off supp d*), N in 1e3..3e4; and the gamble MDPs (1 to 6 gambles, "
    "gamma in [0.8, 0.95], N in 1e4..1e6). VI-LCB splits the data into log N / (1 - gamma) + 1 folds.",
    v1_parameters, v1_load, v1_evaluate, max_examples=20, ci_examples=3))

V4_PROPERTY = register_property(BoundProperty(
    "LCB-V4",
    "Nearly-expert data: random MDPs (S <= 8, A <= 4, gamma in [0.5, 0.95]) with mu = (1 - 1/N) d* + nu / N, "
    "N in 1e3..3e4, split into folds, allowed rate 0.05 + P(the cloning fold misses a state of supp d*) "
    "(instances where that exceeds 0.5 are skipped); and the claim's delayed chain at lengths 5 to 18 "
    "(gamma 0.9, uniform data, N = 1e7 pooled, allowed rate 0.05).",
    v4_parameters, v4_load, v4_evaluate, max_examples=50, ci_examples=6))
