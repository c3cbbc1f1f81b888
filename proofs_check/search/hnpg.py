r"""The exact-critic HNPG bounds over their instance classes (Zhou, Sekhari, Song & Sun 2023; :ref:`theory-hnpg`).

Two explicit bounds of :mod:`proofs_check.hnpg` are searched. Both are deterministic inequalities
about learners that know the MDP exactly, and both hold for *every* finite discounted MDP with
rewards in :math:`[0, 1]`, every discount :math:`\gamma \in [0, 1)`, every initial state law
:math:`\rho` and every number of actions :math:`A \ge 2`; the searched class is a finite part of
that, with three families, simplest first:

``bandit``
    One state with a self-loop (:math:`S = 1`): action 0 has reward 1, the other :math:`A - 1`
    actions reward :math:`1 - \Delta`, :math:`A \le 8`, :math:`\Delta \in \{1, 0.5, 0.25, 0.1\}`.
    Here :math:`V^\star - V^\pi = \Delta (1 - \pi(0)) / (1 - \gamma)` and mirror descent is
    Hedge on a fixed gain vector, where HNPG-H1's bound is nearly tight (measured: exact-critic
    HAC reaches 0.51 of it, against 0.46 on random MDPs like the claim's).
``random``
    :func:`mdps.instances.random_mdp`: :math:`2 \le S \le 12`, :math:`2 \le A \le 6`, Dirichlet
    transition rows with concentration in :math:`\{0.1, 0.3, 1\}` (the claims use 0.3), uniform
    rewards, :math:`\rho` uniform or a Dirichlet(1) draw.
``lock``
    The discounted combination lock of :func:`mdps.instances.hnpg.lock_problem` (length
    :math:`1 \le L \le 6`, :math:`A \le 8`, :math:`\rho = \delta_{s_0}`), the instance of HNPG-H4,
    with one fixed combination (relabelling the actions maps every lock of a length onto it, and
    both learners treat actions symmetrically).

with :math:`\gamma \in \{0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99\}`.

``HNPG-H1``
    Exact-critic HAC (:math:`\pi^{t+1} \propto \pi^t \exp(\eta Q^{\pi^t})`,
    :math:`\eta = (1 - \gamma)\sqrt{\log A / T}`, from uniform) satisfies

    .. math:: \sum_{t=1}^{T} V^\star(\rho) - V^{\pi^t}(\rho) \le \frac{2 \sqrt{T \log A}}{(1 - \gamma)^2}

    (Lemma 6 and the performance-difference lemma, :ref:`hnpg-theorems`; :func:`h1_bound`), for
    every state law :math:`\rho`. Lemma 6 asks for :math:`\eta \le (1 - \gamma)/2`, i.e.
    :math:`T \ge 4 \log A`; the searched :math:`T \in \{16, 32, \dots, 2048\}` satisfy it for
    every :math:`A \le 54`.
``HNPG-H2``
    Exact softmax NPG (:math:`\pi^{t+1} \propto \pi^t \exp(\eta A^{\pi^t} / (1 - \gamma))`, from
    uniform) satisfies, at every :math:`t \ge 1` and for every :math:`\eta > 0`,

    .. math:: V^\star(\rho) - V^{\pi^t}(\rho) \le \frac{\log A}{\eta t} + \frac{1}{(1 - \gamma)^2 t}

    (Agarwal et al. 2021, Thm 16, re-derived in :ref:`hnpg-npg-last-iterate`; :func:`h2_bound`),
    checked at every :math:`t \le T`, :math:`T \in \{10, 20, 50, 100, 200, 500,
    1000\}`, :math:`\eta \in \{10^{-3}, 3 \cdot 10^{-3}, \dots, 10\}` (half-decades).

**The per-instance test.** The learner runs once; the sum (H1) or every gap (H2) is computed
exactly (linear solves, no sampling). As in the claims' ``analyse`` functions, a violation is
tested as an event of probability at most :math:`\delta = 10^{-7}`
(``proofs_check.hnpg.DETERMINISTIC_DELTA``) with the exact binomial test
(:func:`exact_bound_trial`): a deterministic learner that respects the bound never violates it, so
its p-value is 1 on every instance; one violation has p-value :math:`10^{-7}`, far below any
per-instance level. The ratio measured / bound steers the search.

Every strategy shrinks toward small instances: the bandit family first, fewer states and actions,
a smaller :math:`\gamma`, a shorter run :math:`T`.
"""
from __future__ import annotations

import numpy as np

from mdps import DiscountedMDP
from mdps.instances.hnpg import lock_problem
from mdps.instances.random import random_mdp

from .. import hnpg as claims
from . import BoundProperty, Trial, binomial_trial, register_property

__all__ = ["H1_PROPERTY", "H2_PROPERTY", "exact_bound_trial", "h1_bound", "h2_bound", "discounted_bandit",
           "load_mdp"]

#: Discounts searched, shortest horizon first.
GAMMAS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
#: The bandit family's reward gaps.
BANDIT_GAPS = (1.0, 0.5, 0.25, 0.1)
#: Dirichlet concentrations of the random family's transition rows.
CONCENTRATIONS = (0.1, 0.3, 1.0)
#: The lock's combination: any fixed one (relabelling actions maps one lock onto another, and both
#: learners start from uniform and treat actions symmetrically, so the values do not depend on it).
LOCK_SEED = 0
#: HNPG-H1's horizons T (each >= 4 log A for A <= 54, Lemma 6's condition).
H1_ITERATIONS = tuple(2 ** k for k in range(4, 12))         # 16 .. 2048
#: HNPG-H2's horizons T (the bound is checked at every t <= T).
H2_ITERATIONS = (10, 20, 50, 100, 200, 500, 1000)
#: HNPG-H2's steps eta, half-decades from 1e-3 to 10.
H2_ETAS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def _strategies():
    from hypothesis import strategies as st

    return st


# ------------------------------------------------------------------------------------------
# The instances (shared by both properties)
# ------------------------------------------------------------------------------------------

def discounted_bandit(n_actions: int, gap: float, gamma: float) -> DiscountedMDP:
    r"""A one-state MDP (a bandit with discount): action 0 pays 1, every other action :math:`1 - \Delta`.

    Parameters
    ----------
    n_actions : int >= 2
        :math:`A`.
    gap : float in (0, 1]
        :math:`\Delta`.
    gamma : float in [0, 1)
        The discount.

    Returns
    -------
    DiscountedMDP
        :math:`S = 1`, :math:`P(s \mid s, a) = 1`; :math:`V^\star - V^\pi = \Delta (1 - \pi(0)) / (1 - \gamma)`.

    Examples
    --------
    >>> mdp = discounted_bandit(3, 0.5, 0.5)
    >>> mdp.R.tolist(), float(mdp.optimal_values[0])
    ([[1.0, 0.5, 0.5]], 2.0)
    """
    R = np.full((1, int(n_actions)), 1.0 - float(gap))
    R[0, 0] = 1.0
    return DiscountedMDP(np.ones((1, int(n_actions), 1)), R, float(gamma), np.ones(1))


def _family_parameters(st):
    """The three families' parameters (without the learner's T and eta), bandit first."""
    gamma = st.sampled_from(GAMMAS)
    bandit = st.fixed_dictionaries({"family": st.just("bandit"), "n_actions": st.integers(2, 8),
                                    "gap": st.sampled_from(BANDIT_GAPS), "gamma": gamma})
    random = st.fixed_dictionaries({
        "family": st.just("random"), "n_states": st.integers(2, 12), "n_actions": st.integers(2, 6),
        "gamma": gamma, "concentration": st.sampled_from(CONCENTRATIONS),
        "initial": st.sampled_from(("uniform", "dirichlet")), "instance_seed": st.integers(0, 2 ** 32 - 1)})
    lock = st.fixed_dictionaries({"family": st.just("lock"), "length": st.integers(1, 6),
                                  "n_actions": st.integers(2, 8), "gamma": gamma})
    return bandit, random, lock


def load_mdp(parameters: dict) -> DiscountedMDP:
    r"""The MDP of HNPG-H1 or HNPG-H2 parameters (deterministic in the parameters).

    Parameters
    ----------
    parameters : dict
        An example of :func:`h1_parameters` or :func:`h2_parameters`: ``family`` (``"bandit"``,
        ``"random"`` or ``"lock"``), ``gamma``, ``n_actions`` and the family's own entries.

    Returns
    -------
    DiscountedMDP
        The problem; its ``initial`` is the law :math:`\rho` the values are taken from.
    """
    family, gamma = parameters["family"], parameters["gamma"]
    if family == "bandit":
        return discounted_bandit(parameters["n_actions"], parameters["gap"], gamma)
    if family == "random":
        return random_mdp(parameters["n_states"], parameters["n_actions"], gamma,
                          np.random.default_rng(parameters["instance_seed"]),
                          concentration=parameters["concentration"], initial=parameters["initial"])
    if family == "lock":
        return lock_problem(parameters["length"], parameters["n_actions"], gamma, LOCK_SEED).mdp
    raise ValueError(f"parameters: unknown family {family!r}")


def exact_bound_trial(measured: float, bound: float, *, label: str = "measured",
                      details: dict | None = None) -> Trial:
    r"""Test an exactly computed quantity against its bound: one run, a violation tested at :math:`\delta = 10^{-7}`.

    The quantity is computed without sampling from one run of the learner; "the bound holds on
    this instance" is read as "a run violates it with probability at most
    :math:`\delta` = ``proofs_check.hnpg.DETERMINISTIC_DELTA``", tested exactly
    (:func:`proofs_check.search.binomial_trial` with one run): the p-value is 1 without a
    violation and :math:`\delta` with one. For a deterministic learner that respects the bound the
    p-value is therefore always 1 (no false alarm at any level); for a randomised learner it is
    the exact binomial test of :math:`P(\text{violation}) \le \delta`.

    Parameters
    ----------
    measured : float
        The exact quantity (a cumulative or a last-iterate suboptimality).
    bound : float
        What the theorem allows for it, > 0.
    label : str
        The quantity's name, for the summary.
    details : dict, optional
        Recorded with the trial.

    Returns
    -------
    Trial
        ``measured`` and ``bound`` as given (their ratio steers the search), the binomial p-value,
        and the degenerate interval ``(measured, measured)`` (the quantity is exact).

    Examples
    --------
    >>> exact_bound_trial(0.4, 1.0).p_value, exact_bound_trial(1.0, 1.0).p_value
    (1.0, 1.0)
    >>> trial = exact_bound_trial(1.2, 1.0)
    >>> round(trial.ratio, 2), trial.p_value <= 1e-7
    (1.2, True)
    """
    measured, bound = float(measured), float(bound)
    if not (np.isfinite(bound) and bound > 0):
        raise ValueError(f"bound: expected a positive number, got {bound!r}")
    violated = not measured <= bound          # NaN counts as a violation
    test = binomial_trial(int(violated), 1, claims.DETERMINISTIC_DELTA)
    return Trial(measured, bound, test.p_value, (measured, measured),
                 f"{label} {measured:.4g} vs bound {bound:.4g} (ratio {measured / bound:.3g}, p {test.p_value:.2g})",
                 {"violated": int(violated), **(details or {})})


# ------------------------------------------------------------------------------------------
# HNPG-H1: exact-critic HAC, cumulative suboptimality
# ------------------------------------------------------------------------------------------

def h1_bound(n_iterations: int, n_actions: int, gamma: float) -> float:
    r"""HNPG-H1's bound :math:`2 \sqrt{T \log A} / (1 - \gamma)^2` on :math:`\sum_{t \le T} V^\star - V^{\pi^t}`.

    Parameters
    ----------
    n_iterations : int
        :math:`T`.
    n_actions : int
        :math:`A`.
    gamma : float
        :math:`\gamma`.

    Returns
    -------
    float
        The bound.

    Examples
    --------
    >>> round(h1_bound(64, 4, 0.5), 3)
    75.354
    """
    return float(2.0 * np.sqrt(n_iterations * np.log(n_actions)) / (1.0 - gamma) ** 2)


def h1_parameters():
    """Hypothesis strategy of HNPG-H1 instances: a family's MDP and the horizon ``n_iterations``.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts; bandits first, then random MDPs, then locks.
    """
    st = _strategies()
    horizon = st.sampled_from(H1_ITERATIONS)
    return st.one_of(*(st.builds(lambda p, T: {**p, "n_iterations": T}, family, horizon)
                       for family in _family_parameters(st)))


def h1_evaluate(mdp, parameters, learner, rng):
    r"""HNPG-H1's bound on one MDP: one run of :math:`T` iterations, the exact cumulative suboptimality.

    Parameters
    ----------
    mdp : DiscountedMDP
        The instance (:func:`load_mdp`).
    parameters : dict
        Its parameters (``n_iterations`` is :math:`T`).
    learner : callable
        ``learner(mdp, n_iterations, rng) -> policies (T + 1, S, A)`` (``hnpg.exact_actor``).
    rng : numpy.random.Generator
        Passed to the learner (exact learners ignore it).

    Returns
    -------
    Trial
        :math:`\sum_{t=1}^{T} V^\star(\rho) - V^{\pi^t}(\rho)` against :func:`h1_bound`
        (:func:`exact_bound_trial`).
    """
    T = parameters["n_iterations"]
    gaps = claims._suboptimality(mdp, learner(mdp, T, rng))
    cumulative = float(gaps[:-1].sum())
    return exact_bound_trial(cumulative, h1_bound(T, mdp.n_actions, mdp.gamma), label="sum_t V*-V^pi_t",
                             details={"S": mdp.n_states, "A": mdp.n_actions, "T": T,
                                      "final_suboptimality": float(gaps[-2])})


# ------------------------------------------------------------------------------------------
# HNPG-H2: exact NPG, last iterate at every t
# ------------------------------------------------------------------------------------------

def h2_bound(t, eta: float, n_actions: int, gamma: float):
    r"""HNPG-H2's bound :math:`\log A / (\eta t) + 1 / ((1 - \gamma)^2 t)` on :math:`V^\star - V^{\pi^t}`.

    Parameters
    ----------
    t : int or array_like of int
        The iteration(s), >= 1.
    eta : float
        The NPG step :math:`\eta > 0`.
    n_actions : int
        :math:`A`.
    gamma : float
        :math:`\gamma`.

    Returns
    -------
    float or numpy.ndarray
        The bound at each ``t``.

    Examples
    --------
    >>> round(float(h2_bound(10, 1.0, 2, 0.5)), 4)
    0.4693
    """
    t = np.asarray(t, dtype=float)
    return np.log(n_actions) / (eta * t) + 1.0 / ((1.0 - gamma) ** 2 * t)


def h2_parameters():
    """Hypothesis strategy of HNPG-H2 instances: a family's MDP, the step ``eta`` and the horizon.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts; bandits first, then random MDPs, then locks.
    """
    st = _strategies()
    eta, horizon = st.sampled_from(H2_ETAS), st.sampled_from(H2_ITERATIONS)
    return st.one_of(*(st.builds(lambda p, e, T: {**p, "eta": e, "n_iterations": T}, family, eta, horizon)
                       for family in _family_parameters(st)))


def h2_evaluate(mdp, parameters, learner, rng):
    r"""HNPG-H2's bound on one MDP: one run, the gap at every :math:`t \le T` against :func:`h2_bound`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The instance (:func:`load_mdp`).
    parameters : dict
        Its parameters (``eta`` and ``n_iterations`` :math:`T`).
    learner : callable
        ``learner(mdp, eta, n_iterations) -> policies (T + 1, S, A)`` (``hnpg.exact_npg``).
    rng : numpy.random.Generator
        Unused (the protocol is deterministic).

    Returns
    -------
    Trial
        The gap and the bound at the iteration where their ratio is largest; a violation at any
        :math:`t` is a violation (:func:`exact_bound_trial`).
    """
    eta, T = parameters["eta"], parameters["n_iterations"]
    gaps = claims._suboptimality(mdp, learner(mdp, eta, T))[1:]
    t = np.arange(1, T + 1)
    bounds = h2_bound(t, eta, mdp.n_actions, mdp.gamma)
    ratios = gaps / bounds
    worst = int(np.argmax(np.where(np.isnan(ratios), np.inf, ratios)))
    violations = int(np.sum(~(gaps <= bounds)))
    return exact_bound_trial(gaps[worst], bounds[worst], label=f"V*-V^pi_t at t={worst + 1}",
                             details={"S": mdp.n_states, "A": mdp.n_actions, "t": worst + 1,
                                      "iterations_violated": violations})


H1_PROPERTY = register_property(BoundProperty(
    "HNPG-H1",
    "Exact-critic HAC, eta = (1-gamma) sqrt(log A / T), sum_{t<=T} V*(rho) - V^pi_t(rho) <= 2 sqrt(T log A)/(1-gamma)^2 "
    "on discounted MDPs with rewards in [0, 1]: one-state bandits (A <= 8, one best action, gap in {1, .5, .25, .1}), "
    "random MDPs (S <= 12, A <= 6, Dirichlet rows of concentration .1/.3/1, rho uniform or random) and the "
    "combination lock (L <= 6, A <= 8); gamma in {.3, .5, .7, .8, .9, .95, .99}, T in 16..2048 (T >= 4 log A). "
    "One exact run per instance; a violation is tested at delta = 1e-7 (exact binomial).",
    h1_parameters, load_mdp, h1_evaluate, max_examples=60, ci_examples=6))

H2_PROPERTY = register_property(BoundProperty(
    "HNPG-H2",
    "Exact softmax NPG, V*(rho) - V^pi_t(rho) <= log A/(eta t) + 1/((1-gamma)^2 t) at every t <= T, on the same "
    "families as HNPG-H1 (bandits, random MDPs S <= 12, locks L <= 6; gamma in {.3, ..., .99}); "
    "eta in 1e-3..10 (half-decades), T in 10..1000. One exact run per instance; a violation at any t is tested "
    "at delta = 1e-7 (exact binomial).",
    h2_parameters, load_mdp, h2_evaluate, max_examples=100, ci_examples=8))
