r"""The explicit bounds of the optimistic actor-critic over their instance classes (Tan, Fan & Wei 2025; :ref:`theory-optimistic_ac`).

Four bound claims of :mod:`proofs_check.optimistic_ac` are searched: the tabular switch bound
(AC-T1b), the critic's optimism on the lock (AC-T1c) and on random MDPs with stochastic
transitions (AC-T1e), and the linear switch bound (AC-T5). Measured over search seeds 1..20 with
``provable-rl search CLAIM --seeds 20`` and ``provable-rl search CLAIM --mutant NAME --seeds 20``
(one process, ``nice -n 5``, on the shared 2-core machine, 2026-12-05; the seconds are the 20
searches together):

========  ==================================  ==================================================
claim     algorithm: searches with a          mutants: searches with a counterexample
          counterexample
========  ==================================  ==================================================
AC-T1b    0/20 (worst ratio 0.859; 64 s)      switch_every_episode, switch_every_4,
                                              doubling_x1.25: 20/20 each
AC-T1c    0/20 (45 s)                         bonus_x0.1, bonus_x0.01, wrong_sign, no_optimism:
                                              20/20 each
AC-T1e    0/20 (53 s)                         bonus_x0.1, wrong_sign, no_optimism,
                                              no_optimistic_init: 20/20 each
========  ==================================  ==================================================

AC-T1b
    Count doubling switches at most :math:`S A H (\log_2 t + 1)` times in the first :math:`t`
    episodes (:func:`provable_rl.optimistic_ac.switch_bound`, :ref:`optimistic_ac-switch-bounds`):
    each :math:`(h, s, a)` fires at counts :math:`1, 2, 4, \dots`, and a switch needs a firing.
    The bound holds **deterministically**, for every finite-horizon MDP and every :math:`t`.
    *Class*: random finite-horizon MDPs (:func:`tabular_load`: Dirichlet(:math:`\alpha`)
    transitions, :math:`\alpha \in \{1, 0.5, 0.1, 5\}`, Bernoulli rewards with :math:`U[0, 1]`
    means, or AC-T1e's spread values), :math:`S, A \in [2, 5]`, :math:`H \in [1, 5]` (AC-T1's
    :math:`S = 5, A = 3, H = 5` included), :math:`T \in \{4^2, \dots, 4^8\}`. *Test*:
    :data:`T1B_RUNS` runs, a violation at any :math:`t \le T` counts, exact binomial test at rate
    :data:`T5_DELTA` (one violating run is a counterexample); measured: the worst
    switches / bound. Periodic switching every 4th episode exceeds the bound only once
    :math:`t / 4 > S A H (\log_2 t + 1)`, from :math:`t \approx 200` at the smallest sizes: the
    grid goes to :math:`4^8` and the sizes stop at 5 (with :math:`S, A \le 6`, :math:`H \le 10`,
    :math:`T \le 4^7` it and doubling_x1.25 each escaped 2 of 20 searches). At seeds 0 to 3 every mutant's
    shrunk counterexample is :math:`S = A = 2`, :math:`H = 1`, :math:`T = 64` or 256.
AC-T1e
    With :math:`c \ge 1/\sqrt 2` the critic dominates :math:`Q^*` at every :math:`(h, s, a)`
    except with probability :math:`\delta` (one-sided Hoeffding on :math:`r + V^*_{h+1}(s')`,
    range :math:`H - h`, and a union bound over the :math:`S A H T` values of
    :math:`(h, s, a, n)`; :ref:`optimistic_ac-optimism`). The derivation holds for every
    finite-horizon MDP with rewards in :math:`[0, 1]`. *Class*: as AC-T1b's MDPs, with
    :math:`S, A \in [2, 6]`, :math:`H \in [1, 20]` (the claim's :math:`H = 20`),
    :math:`T \in \{4^2, \dots, 4^6\}` (the claim's 300 in between); the ``spread`` family
    (:func:`mdps.instances.optimistic_ac.spread_value_mdp`, :math:`\alpha \in \{5, 1, 0.5\}`) is
    the claim's, where next-state values differ by order :math:`H - h`. The learner is the
    protocol's (:math:`c = 1`, :math:`\delta = 0.1` inside :math:`\iota`). *Test*:
    :data:`T1E_RUNS` runs; a run violates when :math:`\max (Q^* - Q) > 10^{-9}` for its last
    critic (the claim's event); exact binomial test of the rate :math:`\delta = 0.1`
    (:data:`proofs_check.optimistic_ac.OPTIMISM_DELTA`). At :math:`c = 1` Hoeffding gives
    :math:`\delta^2 / (S A H T)`, far below 0.1: no run of the library's learner violated, so the
    measured frequency (what the search steers by) stays 0. At seeds 0 and 1 every mutant is caught on
    the first, smallest, instance (:math:`S = A = 2`, :math:`H = 1`, :math:`T = 16`).
AC-T1c
    The claim runs the lock at :math:`c = 0.3`, below Hoeffding's :math:`1/\sqrt 2`, so the UCB
    relaxation does not cover it. On a lock it is covered by a [derived] bound,
    :func:`lock_failure_bound`: the critic can miss :math:`Q^*` only at a wrong action on track,
    whose rewards are Bernoulli(0.1), and the exact probability that their running mean falls
    below :math:`0.1 - c (H - h)\sqrt{\iota / n}` at some :math:`n \le T`
    (:func:`bernoulli_crossing_probability`, a dynamic programme, no union bound over :math:`n`),
    summed over the :math:`(A - 1) H` wrong pairs, is at most 0.0059 on the whole class (at :math:`H = 2`, :math:`A = 8`, :math:`T = 4096`) (a union
    bound over :math:`n` instead would exceed 0.1 on most of it). *Class*: locks with
    :math:`H \in [2, 10]`, :math:`A \in [2, 8]`, the right actions drawn at random, distractor
    Bernoulli(0.1) (the claim's; at 0.3 the bound exceeds 0.1 on most locks, which are then
    outside the class: :class:`proofs_check.search.OutsideClass`), :math:`T \in \{4^3, \dots,
    4^6\}`. *Test*: :data:`T1C_RUNS` runs, exact binomial test of the rate 0.1. At seeds 0 and 1
    every mutant is caught on the smallest lock (:math:`H = A = 2`, :math:`T = 64`).
AC-T5
    Below.

AC-T5, the explicit bound of the linear instantiation:
the LSVI-UCB actor-critic (:func:`provable_rl.optimistic_ac.linear_optimistic_actor_critic`,
:ref:`optimistic_ac-linear-algorithm`) recomputes its critic only when some
:math:`\log\det\Lambda_h` has grown by more than :math:`\log 2` since the last switch, and so
switches at most

.. math::

    B(t) = H\, d\, \log_2\Big(1 + \frac{t}{d \lambda}\Big), \qquad \lambda = 1,

times in its first :math:`t` episodes (:func:`provable_rl.optimistic_ac.linear_switch_bound`,
derived in :ref:`optimistic_ac-switch-bounds`). The derivation uses only :math:`\|\phi(s, a)\|_2 \le 1`,
no offline data and one step per :math:`h` per episode: it holds **deterministically**, for every
linear MDP, every horizon, every number of actions and states, every radius and actor step, and at
every :math:`t`, not only at the claim's checkpoints.

AC-T5 itself checks it on one family (random linear MDPs :math:`d = 5`, :math:`|A| = 10`,
:math:`H = 5`, :math:`S = 10`, :math:`T \le 32000`), where the measured switches stay below
:math:`0.18\, B(T)`. The search covers the class the derivation covers, restricted to sizes that
keep an example fast:

Class
    Linear MDPs (:class:`mdps.core.LinearMDP`, uniform start, Bernoulli rewards) with
    :math:`S \in [2, 10]` states, :math:`A \in [2, 10]` actions, :math:`d \in [1, 8]`,
    :math:`H \in [1, 5]`, and :math:`T \in \{4^2, 4^3, \dots, 4^7\}` (16 to 16384 episodes),
    in two feature families, on the simplex so that :math:`\|\phi\|_2 \le 1`:

    - ``aggregated`` (listed first, the simplest): one-hot features
      :math:`\phi(s, a) = e_{g(s, a)}` for a random map :math:`g : S \times A \to [d]` (state-action
      aggregation; :math:`\mu_{h, i} \sim \mathrm{Dirichlet}(1)`, :math:`\theta_h \sim U[0, 1]^d`).
      Here :math:`\|\phi\|_2 = 1` and :math:`\Lambda_h` is diagonal, where the AM-GM step of the
      derivation is tightest: with :math:`d = H = 1`, :math:`\Lambda = 1 + t` and the switches
      fire at :math:`t = 2^k - 2`, where they reach :math:`(k - 1) / \log_2(2^k - 1)` of the bound
      (0.93 at :math:`T = 16384`).
    - ``random``: the claim's recipe (:func:`mdps.instances.random.random_linear_mdp`:
      :math:`\phi(s, a) \sim \mathrm{Dirichlet}(\alpha)`) with :math:`\alpha = 1` (the claim's)
      or a feature concentration :math:`\alpha \in \{0.3, 0.1, 3\}` (features near the simplex's
      corners, :math:`\|\phi\| \to 1`, or near its centre).

    The learner is the claim protocol's (:math:`c = 1`, :math:`\eta = 1`, ridge 1); the bound does
    not depend on :math:`c` or :math:`\eta`.

Test per instance
    :data:`T5_RUNS` independent runs (each its own random stream) of :math:`T` episodes; a run
    violates the bound when its switches after some episode :math:`t \le T` exceed :math:`B(t)`.
    The p-value is the exact binomial one of "P(violation) :math:`\le 10^{-6}`"
    (:data:`T5_DELTA`, the allowance AC-T5's own analysis gives a deterministic bound), so one
    violating run (p :math:`\approx 8 \cdot 10^{-6}`) is a counterexample at any example budget
    up to 5000. The measured quantity, which the search steers by, is the worst ratio
    :math:`\max_{\text{runs}} \max_{t \le T} \#\text{switches}(t) / B(t)` against the bound 1;
    the searches of the library's learner reach 0.96 (two dimensions, features near the corners
    of the simplex, :math:`H = 1`). An instance whose features left the unit ball (none does in
    this class) would be outside the theorem (:class:`proofs_check.search.OutsideClass`).

The panel: switching after every episode or every 4th violates the bound once :math:`t / k`
exceeds :math:`B(t)`; the determinant factor 1.05 fires about :math:`\log 2 / \log 1.05 \approx 14`
times as often as doubling (after every episode while :math:`\det\Lambda_h` grows fast). All three
are caught on the smallest instances the strategies shrink to (:math:`d = H = 1`, :math:`T = 16`
or 64).

Not searched: AC-T5b's :math:`\sqrt T` regret (:ref:`optimistic_ac-linear-rate`) is a rate claim
(a log-log slope over :math:`T = 2^{17}, \dots, 2^{21}`, with no explicit constant), not a bound,
and one run of its window costs seconds; it has no property.

Every strategy shrinks toward small instances: the ``aggregated`` family, fewer states, actions,
dimensions and steps, the smallest :math:`T`, the claim's feature concentration.
"""
from __future__ import annotations

import numpy as np

import functools
import math

from mdps.core import LinearMDP
from mdps.instances.classic import finite_horizon_lock
from mdps.instances.optimistic_ac import spread_value_mdp
from mdps.instances.random import random_finite_horizon_mdp, random_linear_mdp
from provable_rl.optimistic_ac import exploration_log_term, linear_switch_bound, switch_bound

from .. import optimistic_ac as claims
from . import BoundProperty, OutsideClass, Trial, binomial_trial, register_property

__all__ = ["T1C_EPISODES", "T1C_PROPERTY", "T1C_RUNS", "bernoulli_crossing_probability", "lock_failure_bound",
           "t1c_evaluate", "t1c_load", "t1c_parameters", "T1B_EPISODES", "T1B_PROPERTY", "T1B_RUNS", "T1E_EPISODES", "T1E_PROPERTY", "T1E_RUNS", "T5_DELTA",
           "T5_EPISODES", "T5_PROPERTY", "T5_RUNS", "t1b_evaluate", "t1b_parameters", "t1e_evaluate",
           "t1e_parameters", "tabular_load", "tabular_switch_bounds"]

#: Episodes per run: 4^2 .. 4^7, a geometric grid that shrinks toward the smallest.
T5_EPISODES = tuple(4 ** k for k in range(2, 8))           # 16 .. 16384
#: Feature concentrations of the ``random`` family; the first is the claim's recipe.
_FEATURE_CONCENTRATIONS = (1.0, 0.3, 0.1, 3.0)
#: Independent runs per instance.
T5_RUNS = 8
#: The failure probability the per-instance binomial test allows a deterministic bound (as AC-T5's analysis).
T5_DELTA = 1e-6


def _strategies():
    from hypothesis import strategies as st

    return st


def t5_parameters():
    """Hypothesis strategy of AC-T5 instances: aggregated (one-hot) and Dirichlet-feature linear MDPs.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts with ``family``, ``n_states``, ``n_actions``, ``dim``, ``horizon``,
        ``n_episodes``, ``instance_seed`` (and ``feature_concentration`` for ``random``).
    """
    st = _strategies()
    # Up to the claim's own sizes (S = 10, |A| = 10, H = 5), and to d = 8 (the claim's 5 and above).
    setting = claims.LINEAR
    sizes = dict(n_states=st.integers(2, setting["n_states"]), n_actions=st.integers(2, setting["n_actions"]),
                 dim=st.integers(1, setting["dim"] + 3), horizon=st.integers(1, setting["horizon"]),
                 n_episodes=st.sampled_from(T5_EPISODES), instance_seed=st.integers(0, 2 ** 32 - 1))
    aggregated = st.fixed_dictionaries({"family": st.just("aggregated"), **sizes})
    random = st.fixed_dictionaries({"family": st.just("random"), **sizes,
                                    "feature_concentration": st.sampled_from(_FEATURE_CONCENTRATIONS)})
    return st.one_of(aggregated, random)


def _aggregated_linear_mdp(seed: int, n_states: int, n_actions: int, dim: int, horizon: int) -> LinearMDP:
    r"""State-action aggregation as a linear MDP: :math:`\phi(s, a) = e_{g(s, a)}`, :math:`g` uniform."""
    gen = np.random.default_rng(seed)
    cells = gen.integers(0, dim, size=(n_states, n_actions))
    features = np.eye(dim)[cells]
    mu = gen.dirichlet(np.ones(n_states), size=(horizon, dim))
    theta = gen.random((horizon, dim))
    return LinearMDP(features, mu, theta, np.full(n_states, 1.0 / n_states))


def _dirichlet_linear_mdp(seed: int, n_states: int, n_actions: int, dim: int, horizon: int,
                          concentration: float) -> LinearMDP:
    r""":func:`random_linear_mdp` with :math:`\phi \sim \mathrm{Dirichlet}(\alpha)` (the same draws at
    :math:`\alpha = 1`, where it is that function)."""
    if concentration == 1.0:
        return random_linear_mdp(n_states, n_actions, dim, horizon, seed)
    gen = np.random.default_rng(seed)
    features = gen.dirichlet(np.full(dim, concentration), size=(n_states, n_actions))
    mu = gen.dirichlet(np.ones(n_states), size=(horizon, dim))
    theta = gen.random((horizon, dim))
    return LinearMDP(features, mu, theta, np.full(n_states, 1.0 / n_states))


def t5_load(parameters: dict) -> LinearMDP:
    """The linear MDP of AC-T5 parameters, deterministically.

    Parameters
    ----------
    parameters : dict
        One draw of :func:`t5_parameters`.

    Returns
    -------
    LinearMDP
        The instance the learner runs on.
    """
    family = parameters["family"]
    shape = (parameters["instance_seed"], parameters["n_states"], parameters["n_actions"], parameters["dim"],
             parameters["horizon"])
    if family == "aggregated":
        return _aggregated_linear_mdp(*shape)
    if family == "random":
        return _dirichlet_linear_mdp(*shape, float(parameters["feature_concentration"]))
    raise ValueError(f"parameters: unknown family {family!r}")


def switch_bounds(dim: int, horizon: int, n_episodes: int) -> np.ndarray:
    r"""The bound :math:`B(t) = H d \log_2(1 + t / d)` after each episode :math:`t = 1, \dots, T`.

    Parameters
    ----------
    dim, horizon, n_episodes : int
        :math:`d`, :math:`H` and :math:`T`.

    Returns
    -------
    numpy.ndarray, shape (T,)
        :func:`provable_rl.optimistic_ac.linear_switch_bound` (ridge 1) at every :math:`t`.
    """
    t = np.arange(1, n_episodes + 1, dtype=float)
    return horizon * dim * np.log2(1.0 + t / dim)


def t5_evaluate(instance, parameters, learner, rng) -> Trial:
    r"""AC-T5's switch bound on one linear MDP: :data:`T5_RUNS` runs, a violation anywhere in a run counts.

    Parameters
    ----------
    instance : LinearMDP
        From :func:`t5_load`.
    parameters : dict
        Its parameters (``n_episodes`` is :math:`T`).
    learner : callable
        ``learner(mdp, n_episodes, rng) -> run`` (the claim's linear protocol).
    rng : numpy.random.Generator
        The example's stream; each run gets an independent child.

    Returns
    -------
    Trial
        Measured: the worst :math:`\#\text{switches}(t) / B(t)` over runs and episodes; bound 1;
        p-value: the exact binomial test of the violating runs at rate :data:`T5_DELTA`.

    Raises
    ------
    OutsideClass
        If some feature vector has Euclidean norm above 1 (the derivation's assumption).
    """
    features = np.asarray(instance.features, dtype=float)
    if float(np.linalg.norm(features, axis=-1).max()) > 1.0 + 1e-12:
        raise OutsideClass("features outside the unit ball: the switch bound assumes ||phi||_2 <= 1")
    T = int(parameters["n_episodes"])
    d, H = features.shape[2], instance.tabular.horizon
    bounds = switch_bounds(d, H, T)
    worst, violations, totals = 0.0, 0, []
    for run_rng in rng.spawn(T5_RUNS):
        switches = np.asarray(learner(instance, T, run_rng).switches, dtype=float)
        if switches.shape != (T,):
            raise ValueError(f"learner: expected switches of shape ({T},), got {switches.shape}")
        ratios = switches / bounds
        worst = max(worst, float(ratios.max()))
        violations += bool(np.any(switches > bounds))
        totals.append(int(switches[-1]))
    binomial = binomial_trial(violations, T5_RUNS, T5_DELTA)
    ceiling = T / bounds[-1]            # at most one switch per episode: the largest ratio a run can show
    return Trial(worst, 1.0, binomial.p_value, (worst, max(worst, ceiling)),
                 f"{violations}/{T5_RUNS} runs above H d log2(1 + t/d) (worst switches / bound {worst:.3g}, "
                 f"p {binomial.p_value:.2g})",
                 {"violations": violations, "runs": T5_RUNS, "switches_at_T": totals,
                  "bound_at_T": linear_switch_bound(d, H, T),
                  "d": d, "H": H, "S": instance.tabular.n_states, "A": instance.tabular.n_actions,
                  "max_feature_norm": float(np.linalg.norm(features, axis=-1).max())})


T5_PROPERTY = register_property(BoundProperty(
    "AC-T5",
    "Linear MDPs with features on the simplex (||phi||_2 <= 1), S in 2..10, A in 2..10, d in 1..8, H in 1..5, "
    "T in 16..16384 (powers of 4): state-action aggregation (one-hot features, the tight case of the bound) and "
    "the claim's random recipe with Dirichlet(alpha) features, alpha in {1, 0.3, 0.1, 3}. The claim's learner "
    "(LSVI-UCB, c = 1, eta = 1, ridge 1) must switch at most H d log2(1 + t/d) times after every episode t "
    f"(deterministic; {T5_RUNS} runs per instance, exact binomial test at rate 1e-6).",
    t5_parameters, t5_load, t5_evaluate, max_examples=50, ci_examples=6))



# ------------------------------------------------------------------------------------------
# AC-T1b and AC-T1e: the tabular learner's switch bound and its critic's optimism
# ------------------------------------------------------------------------------------------

#: Episodes per run of AC-T1b: 4^2 .. 4^8. Periodic switching (every 4th episode) exceeds the bound only
#: once t / 4 > S A H (log2 t + 1): from t ~ 200 at S = A = 2, H = 1, from t ~ 8000 at the claim's sizes.
T1B_EPISODES = tuple(4 ** k for k in range(2, 9))           # 16 .. 65536
#: Independent runs per AC-T1b instance (a deterministic bound: one violating run is a counterexample).
T1B_RUNS = 4
#: Episodes per run of AC-T1e: 4^2 .. 4^6 (the claim runs 300).
T1E_EPISODES = tuple(4 ** k for k in range(2, 7))          # 16 .. 4096
#: Independent runs per AC-T1e instance; at the per-instance level 0.05 / 20 the exact binomial test
#: of the rate 0.1 rejects from 8 violating runs of 24.
T1E_RUNS = 24
#: Transition concentrations of the tabular families; the first of each is the simplest (the claims' own
#: recipes: Dirichlet(1) for ``random``, AC-T1e's Dirichlet(5) for ``spread``).
_RANDOM_CONCENTRATIONS = (1.0, 0.5, 0.1, 5.0)
_SPREAD_CONCENTRATIONS = (5.0, 1.0, 0.5)


def _tabular_parameters(max_states, max_actions, max_horizon, episodes):
    st = _strategies()
    sizes = dict(n_states=st.integers(2, max_states), n_actions=st.integers(2, max_actions),
                 horizon=st.integers(1, max_horizon), n_episodes=st.sampled_from(episodes),
                 instance_seed=st.integers(0, 2 ** 32 - 1))
    random = st.fixed_dictionaries({"family": st.just("random"), **sizes,
                                    "concentration": st.sampled_from(_RANDOM_CONCENTRATIONS)})
    spread = st.fixed_dictionaries({"family": st.just("spread"), **sizes,
                                    "concentration": st.sampled_from(_SPREAD_CONCENTRATIONS)})
    return st.one_of(random, spread)


def t1b_parameters():
    """Hypothesis strategy of AC-T1b instances: random finite-horizon MDPs, two reward families.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts with ``family`` (``"random"`` first, then ``"spread"``), ``n_states`` (2..5),
        ``n_actions`` (2..5), ``horizon`` (1..5), ``n_episodes`` (:data:`T1B_EPISODES`),
        ``concentration`` and ``instance_seed``.
    """
    return _tabular_parameters(5, 5, 5, T1B_EPISODES)


def t1e_parameters():
    """Hypothesis strategy of AC-T1e instances: random finite-horizon MDPs with stochastic transitions.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts with ``family`` (``"random"`` first, then ``"spread"``), ``n_states`` (2..6),
        ``n_actions`` (2..6), ``horizon`` (1..20), ``n_episodes`` (:data:`T1E_EPISODES`),
        ``concentration`` and ``instance_seed``.
    """
    return _tabular_parameters(6, 6, 20, T1E_EPISODES)


def tabular_load(parameters: dict):
    r"""The finite-horizon MDP of AC-T1b or AC-T1e parameters, deterministically.

    ``"random"``: :func:`mdps.instances.random.random_finite_horizon_mdp` (Dirichlet(:math:`\alpha`)
    transitions, Bernoulli rewards with :math:`U[0, 1]` means); ``"spread"``:
    :func:`mdps.instances.optimistic_ac.spread_value_mdp` (the same transitions, rewards mostly set by
    the state, so that next-state values differ by order :math:`H - h`; AC-T1e's recipe).

    Parameters
    ----------
    parameters : dict
        One draw of :func:`t1b_parameters` or :func:`t1e_parameters`.

    Returns
    -------
    mdps.core.FiniteHorizonMDP
        The instance the learner runs on.
    """
    family = parameters["family"]
    shape = (parameters["n_states"], parameters["n_actions"], parameters["horizon"], parameters["instance_seed"])
    alpha = float(parameters["concentration"])
    if family == "random":
        return random_finite_horizon_mdp(*shape, concentration=alpha)
    if family == "spread":
        return spread_value_mdp(*shape, concentration=alpha)
    raise ValueError(f"parameters: unknown family {family!r}")


def tabular_switch_bounds(n_states: int, n_actions: int, horizon: int, n_episodes: int) -> np.ndarray:
    r"""The bound :math:`S A H (\log_2 t + 1)` after each episode :math:`t = 1, \dots, T`.

    Parameters
    ----------
    n_states, n_actions, horizon, n_episodes : int
        :math:`S`, :math:`A`, :math:`H` and :math:`T`.

    Returns
    -------
    numpy.ndarray, shape (T,)
        :func:`provable_rl.optimistic_ac.switch_bound` at every :math:`t`.
    """
    t = np.arange(1, n_episodes + 1, dtype=float)
    return n_states * n_actions * horizon * (np.log2(t) + 1.0)


def t1b_evaluate(instance, parameters, learner, rng) -> Trial:
    r"""AC-T1b's switch bound on one MDP: :data:`T1B_RUNS` runs, a violation anywhere in a run counts.

    Parameters
    ----------
    instance : mdps.core.FiniteHorizonMDP
        From :func:`tabular_load`.
    parameters : dict
        Its parameters (``n_episodes`` is :math:`T`).
    learner : callable
        ``learner(mdp, n_episodes, rng) -> run`` (the claim's tabular protocol).
    rng : numpy.random.Generator
        The example's stream; each run gets an independent child.

    Returns
    -------
    Trial
        Measured: the worst :math:`\#\text{switches}(t) / (S A H (\log_2 t + 1))` over runs and
        episodes; bound 1; p-value: the exact binomial test of the violating runs at rate
        :data:`T5_DELTA` (a deterministic bound).
    """
    T = int(parameters["n_episodes"])
    S, A, H = instance.n_states, instance.n_actions, instance.horizon
    bounds = tabular_switch_bounds(S, A, H, T)
    worst, violations, totals = 0.0, 0, []
    for run_rng in rng.spawn(T1B_RUNS):
        switches = np.asarray(learner(instance, T, run_rng).switches, dtype=float)
        if switches.shape != (T,):
            raise ValueError(f"learner: expected switches of shape ({T},), got {switches.shape}")
        worst = max(worst, float((switches / bounds).max()))
        violations += bool(np.any(switches > bounds))
        totals.append(int(switches[-1]))
    binomial = binomial_trial(violations, T1B_RUNS, T5_DELTA)
    ceiling = T / bounds[-1]            # at most one switch per episode
    return Trial(worst, 1.0, binomial.p_value, (worst, max(worst, ceiling)),
                 f"{violations}/{T1B_RUNS} runs above S A H (log2 t + 1) (worst switches / bound {worst:.3g}, "
                 f"p {binomial.p_value:.2g})",
                 {"violations": violations, "runs": T1B_RUNS, "switches_at_T": totals,
                  "bound_at_T": switch_bound(S, A, H, T), "S": S, "A": A, "H": H})


def t1e_evaluate(instance, parameters, learner, rng) -> Trial:
    r"""AC-T1e's optimism on one MDP: the runs whose last critic misses :math:`Q^*` somewhere, tested at 0.1.

    A run violates when :math:`\max_{h, s, a} (Q^*_h(s, a) - Q_h(s, a)) > 10^{-9}` for its last critic
    :math:`Q` (the claim's event, every :math:`(h, s, a)`, unvisited pairs included).

    Parameters
    ----------
    instance : mdps.core.FiniteHorizonMDP
        From :func:`tabular_load`.
    parameters : dict
        Its parameters (``n_episodes`` is :math:`T`).
    learner : callable
        ``learner(mdp, n_episodes, rng) -> run`` (the claim's ``stochastic_critic`` protocol).
    rng : numpy.random.Generator
        The example's stream; each run gets an independent child.

    Returns
    -------
    Trial
        The violation frequency against :data:`proofs_check.optimistic_ac.OPTIMISM_DELTA`, exact
        binomial p-value; the details record the largest deficit over the runs (negative: every
        critic dominated :math:`Q^*` with that margin).
    """
    T = int(parameters["n_episodes"])
    q_star = np.asarray(instance.optimal_q, dtype=float)
    deficits = []
    for run_rng in rng.spawn(T1E_RUNS):
        q_values = np.asarray(learner(instance, T, run_rng).q_values, dtype=float)
        if q_values.shape != q_star.shape:
            raise ValueError(f"learner: expected q_values of shape {q_star.shape}, got {q_values.shape}")
        deficits.append(float(np.max(q_star - q_values)))
    violations = int(np.sum(np.asarray(deficits) > 1e-9))
    return binomial_trial(violations, T1E_RUNS, claims.OPTIMISM_DELTA, label="runs whose critic misses Q*",
                          details={"largest_deficit": max(deficits), "S": instance.n_states,
                                   "A": instance.n_actions, "H": instance.horizon})


T1B_PROPERTY = register_property(BoundProperty(
    "AC-T1b",
    "Finite-horizon MDPs with Dirichlet(alpha) transitions (alpha in {1, 0.5, 0.1, 5}) and Bernoulli rewards "
    "(U[0, 1] means, or AC-T1e's spread values with alpha in {5, 1, 0.5}), S in 2..5, A in 2..5, H in 1..5 (the "
    "claim's S = 5, A = 3, H = 5 included), T in 16..65536 (powers of 4). The claim's learner (count doubling, "
    "c = 1, eta = 1) must switch at most "
    f"S A H (log2 t + 1) times after every episode t (deterministic; {T1B_RUNS} runs per instance, exact binomial "
    "test at rate 1e-6).",
    t1b_parameters, tabular_load, t1b_evaluate, max_examples=50, ci_examples=4))

T1E_PROPERTY = register_property(BoundProperty(
    "AC-T1e",
    "Finite-horizon MDPs with Dirichlet(alpha) transitions and Bernoulli rewards in [0, 1]: U[0, 1] means "
    "(alpha in {1, 0.5, 0.1, 5}) or AC-T1e's spread values, rewards mostly set by the state (alpha in "
    "{5, 1, 0.5}); S in 2..6, A in 2..6, H in 1..20, T in 16..4096 (powers of 4). The claim's learner (c = 1 "
    ">= 1/sqrt(2), delta = 0.1 inside iota = log(S A H T / delta)) must end with a critic Q >= Q* at every "
    f"(h, s, a) except with probability 0.1 (one-sided Hoeffding and a union bound); {T1E_RUNS} runs per "
    "instance, exact binomial test of the rate 0.1.",
    t1e_parameters, tabular_load, t1e_evaluate, max_examples=20, ci_examples=4))


# ------------------------------------------------------------------------------------------
# AC-T1c: optimism on the lock at c = 0.3, with a derived failure bound
# ------------------------------------------------------------------------------------------

#: Episodes per run of AC-T1c: 4^3 .. 4^6 (the claim runs 32000; the failure bound's dynamic
#: programme costs O(T^2) per step).
T1C_EPISODES = tuple(4 ** k for k in range(3, 7))          # 64 .. 4096
#: Independent runs per AC-T1c instance (the exact binomial test of the rate 0.1 rejects from 8 of 24 at
#: the per-instance level 0.05 / 20).
T1C_RUNS = 24
#: The distractor's mean reward, the claim's. At 0.3 the failure bound exceeds 0.1 on most locks
#: (0.12 to 0.73 at H = 2..10, A = 2..8, T = 64..4096): c = 0.3 is then covered by no statement.
_DISTRACTOR = 0.1


def bernoulli_crossing_probability(p: float, offsets, n_max: int) -> float:
    r"""The exact probability that a Bernoulli(p) walk falls below :math:`n p - x_n` for some :math:`n \le N`.

    With :math:`S_n` the sum of :math:`n` i.i.d. Bernoulli(:math:`p`) draws, returns
    :math:`P(\exists\, n \le N : S_n < n p - x_n)`, by dynamic programming over the law of
    :math:`S_n` on the paths that have not crossed yet (:math:`O(N^2)` operations). Exact up to
    floating point: no union bound over :math:`n`.

    Parameters
    ----------
    p : float
        The success probability, in (0, 1).
    offsets : callable
        ``offsets(n) -> x_n`` for an int array ``n`` (vectorised), the distance below the mean.
    n_max : int
        :math:`N \ge 1`.

    Returns
    -------
    float
        The crossing probability.

    Examples
    --------
    >>> import numpy as np
    >>> round(bernoulli_crossing_probability(0.5, lambda n: np.zeros(n.shape), 1), 3)   # S_1 < 0.5
    0.5
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)) or not 0 < p < 1:
        raise ValueError(f"p: expected a probability in (0, 1), got {p!r}")
    if not callable(offsets):
        raise TypeError(f"offsets: expected a callable n -> x_n, got {type(offsets).__name__}")
    if isinstance(n_max, bool) or not isinstance(n_max, (int, np.integer)) or n_max < 1:
        raise ValueError(f"n_max: expected a positive int, got {n_max!r}")
    n = np.arange(1, int(n_max) + 1)
    # S_n < n p - x_n  <=>  S_n <= ceil(n p - x_n) - 1 for an integer S_n: the first `first[n]` values cross.
    first = np.ceil(n * p - np.asarray(offsets(n), dtype=float)).astype(np.int64)
    if not np.any(first > 0):
        return 0.0
    start = int(n[np.argmax(first > 0)])
    law = np.zeros(start)                   # the law of S_(start - 1): no crossing is possible before
    law[0] = 1.0
    for _ in range(start - 1):
        law[1:] = law[1:] * (1 - p) + law[:-1] * p
        law[0] *= 1 - p
    lost = 0.0
    for m in range(start, int(n_max) + 1):
        nxt = np.empty(law.size + 1)
        nxt[:-1] = law * (1 - p)
        nxt[-1] = 0.0
        nxt[1:] += law * p
        k = int(first[m - 1])
        if k > 0:
            lost += float(nxt[:k].sum())
            nxt[:k] = 0.0
        law = nxt
    return lost


@functools.lru_cache(maxsize=256)
def lock_failure_bound(horizon: int, n_actions: int, n_episodes: int, distractor: float,
                       bonus_scale: float = 0.3, delta: float = 0.1) -> float:
    r"""An upper bound on P(the last critic misses :math:`Q^*` somewhere) on the lock ([derived]).

    The learner: :func:`provable_rl.optimistic_ac.optimistic_actor_critic` with bonus
    :math:`c (H - h) \sqrt{\iota / n}`, :math:`\iota = \log(S A H T / \delta)` (:math:`S = 2`) and
    unvisited pairs valued :math:`H - h`, on :func:`mdps.instances.classic.finite_horizon_lock`
    (transitions deterministic; the distractor reward Bernoulli(:math:`p`), every other reward 0 or
    1). At the dead state :math:`Q^* = 0 \le Q`. At the right action on track the critic's target is
    :math:`\hat r + V_{h+1}(0) + b \ge 1 = Q^*` by induction from the last step (its reward is 1
    exactly, and clipping to :math:`[0, H - h]` keeps 1). So the critic misses :math:`Q^*` only at a
    wrong action on track, :math:`Q^*_h = p`, where :math:`Q_h \ge \hat r + b` (the dead state's
    :math:`V_{h+1} \ge 0`): only if, at its count :math:`n \le T` at the last switch, the mean
    :math:`S_n / n` of its :math:`n` Bernoulli(:math:`p`) rewards is below
    :math:`p - c (H - h)\sqrt{\iota / n}`. The rewards of each pair form an i.i.d. sequence whatever
    the learner does, so a union bound over the :math:`(A - 1) H` wrong pairs (not over :math:`n`:
    :func:`bernoulli_crossing_probability` is the exact probability of crossing at some
    :math:`n \le T`) gives

    .. math::

        P(\exists (h, s, a): Q_h(s, a) < Q^*_h(s, a)) \le (A - 1) \sum_{h=0}^{H-1}
        P\big(\exists n \le T: S_n < n p - c (H - h) \sqrt{\iota n}\big).

    Hoeffding's inequality would need :math:`c \ge 1/\sqrt 2` (:ref:`optimistic_ac-optimism`); this
    bound uses the lock's structure and covers the claim's :math:`c = 0.3`.

    Parameters
    ----------
    horizon, n_actions, n_episodes : int
        :math:`H`, :math:`A` and :math:`T`.
    distractor : float
        :math:`p`, in (0, 1).
    bonus_scale : float
        :math:`c` (default: AC-T1c's 0.3).
    delta : float
        The :math:`\delta` inside :math:`\iota` (default: the learner's 0.1).

    Returns
    -------
    float
        The bound.

    Examples
    --------
    >>> lock_failure_bound(2, 2, 1024, 0.1) < 0.01
    True
    """
    if isinstance(distractor, bool) or not isinstance(distractor, (int, float)) or not 0 < distractor < 1:
        raise ValueError(f"distractor: expected a probability in (0, 1), got {distractor!r}")
    if isinstance(bonus_scale, bool) or not isinstance(bonus_scale, (int, float)) or not bonus_scale >= 0:
        raise ValueError(f"bonus_scale: expected a non-negative number, got {bonus_scale!r}")
    iota = exploration_log_term(2, n_actions, horizon, n_episodes, delta)
    total = 0.0
    for h in range(horizon):
        scale = bonus_scale * (horizon - h)
        total += bernoulli_crossing_probability(distractor, lambda n, s=scale: s * np.sqrt(iota * n), n_episodes)
    return (n_actions - 1) * total


def t1c_parameters():
    """Hypothesis strategy of AC-T1c instances: finite-horizon locks.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts with ``horizon`` (2..10), ``n_actions`` (2..8), ``distractor`` (0.1, the
        claim's), ``n_episodes`` (:data:`T1C_EPISODES`) and ``instance_seed`` (the right actions).
    """
    st = _strategies()
    return st.fixed_dictionaries({
        "horizon": st.integers(2, 10), "n_actions": st.integers(2, 8), "distractor": st.just(_DISTRACTOR),
        "n_episodes": st.sampled_from(T1C_EPISODES), "instance_seed": st.integers(0, 2 ** 32 - 1)})


def t1c_load(parameters: dict):
    """The lock of AC-T1c parameters (its right actions drawn from ``instance_seed``).

    Parameters
    ----------
    parameters : dict
        One draw of :func:`t1c_parameters`.

    Returns
    -------
    mdps.core.FiniteHorizonMDP
        :func:`mdps.instances.classic.finite_horizon_lock` with those sizes and distractor.
    """
    return finite_horizon_lock(parameters["horizon"], parameters["n_actions"], parameters["instance_seed"],
                               distractor=float(parameters["distractor"]))


def t1c_evaluate(instance, parameters, learner, rng) -> Trial:
    r"""AC-T1c's optimism on one lock: the runs whose last critic misses :math:`Q^*`, tested at 0.1.

    Parameters
    ----------
    instance : mdps.core.FiniteHorizonMDP
        From :func:`t1c_load`.
    parameters : dict
        Its parameters.
    learner : callable
        ``learner(mdp, n_episodes, rng) -> run`` (the claim's ``lock_critic`` protocol).
    rng : numpy.random.Generator
        The example's stream; each run gets an independent child.

    Returns
    -------
    Trial
        The violation frequency of :data:`T1C_RUNS` runs against
        :data:`proofs_check.optimistic_ac.OPTIMISM_DELTA`, exact binomial p-value; the details
        record :func:`lock_failure_bound` and the largest deficit.

    Raises
    ------
    OutsideClass
        When :func:`lock_failure_bound` exceeds the claim's rate (then no statement covers the
        instance at :math:`c = 0.3`).
    """
    H, A, T = parameters["horizon"], parameters["n_actions"], int(parameters["n_episodes"])
    bound = lock_failure_bound(H, A, T, float(parameters["distractor"]),
                               claims.LOCK_RATE_SETTING["bonus_scale"], claims.OPTIMISM_DELTA)
    if bound > claims.OPTIMISM_DELTA:
        raise OutsideClass(f"lock_failure_bound {bound:.3g} > {claims.OPTIMISM_DELTA}: c = 0.3 is not covered here")
    q_star = np.asarray(instance.optimal_q, dtype=float)
    deficits = []
    for run_rng in rng.spawn(T1C_RUNS):
        q_values = np.asarray(learner(instance, T, run_rng).q_values, dtype=float)
        if q_values.shape != q_star.shape:
            raise ValueError(f"learner: expected q_values of shape {q_star.shape}, got {q_values.shape}")
        deficits.append(float(np.max(q_star - q_values)))
    violations = int(np.sum(np.asarray(deficits) > 1e-9))
    return binomial_trial(violations, T1C_RUNS, claims.OPTIMISM_DELTA, label="runs whose critic misses Q*",
                          details={"failure_bound": bound, "largest_deficit": max(deficits), "H": H, "A": A})


T1C_PROPERTY = register_property(BoundProperty(
    "AC-T1c",
    "Finite-horizon locks (two states, H in 2..10, A in 2..8, one right action per step drawn at random, "
    "distractor reward Bernoulli(0.1)), T in 64..4096 (powers of 4). The claim's learner (c = 0.3, "
    "delta = 0.1 inside iota) must end with a critic Q >= Q* at every (h, s, a) except with probability 0.1; "
    "covered on these locks by a [derived] bound (exact Bernoulli boundary crossing, union over the (A - 1) H "
    f"wrong pairs; every instance searched has it <= 0.1). {T1C_RUNS} runs per instance, exact binomial test of "
    "the rate 0.1.",
    t1c_parameters, t1c_load, t1c_evaluate, max_examples=20, ci_examples=4))
