r"""AC-T5's switch bound over its instance class (Tan, Fan & Wei 2025; :ref:`theory-optimistic_ac`).

The explicit bound of :mod:`proofs_check.optimistic_ac` on the linear instantiation is AC-T5's:
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

from mdps.core import LinearMDP
from mdps.instances.random import random_linear_mdp
from provable_rl.optimistic_ac import linear_switch_bound

from .. import optimistic_ac as claims
from . import BoundProperty, OutsideClass, Trial, binomial_trial, register_property

__all__ = ["T5_PROPERTY", "T5_RUNS", "T5_DELTA", "T5_EPISODES"]

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

