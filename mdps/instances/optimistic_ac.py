"""Instances of the optimistic actor-critic checks (Tan, Fan & Wei 2025): a minimax gap family and
random MDPs whose state values are spread over [0, H].

These are the instances of the claims AC-T1d and AC-T1e (:ref:`optimistic_ac-claims`); they are
imported directly from this module (not re-exported by :mod:`mdps.instances`).
"""
from __future__ import annotations

import numpy as np

from mdps import _validation as v
from mdps.core import FiniteHorizonMDP

__all__ = ["gap_family_mdp", "spread_value_mdp"]


def gap_family_mdp(gap: float, n_actions: int = 4, horizon: int = 3, rng=None) -> FiniteHorizonMDP:
    r"""A bandit hidden in an MDP: one of ``n_actions`` first actions is better by ``gap``.

    Three states: the start (0), "good" (1) and "bad" (2), both absorbing. At step 0 every action
    leads to "good" with probability 1/2, except one action :math:`a^*`, drawn uniformly from
    ``rng``, which leads there with probability :math:`(1 + \text{gap}) / 2`; "good" pays reward 1
    at every later step, "bad" 0. So :math:`V^*_0 = (1 + \text{gap})(H - 1) / 2` and every other first
    action costs :math:`\text{gap} (H - 1) / 2` per episode. Over a grid of gaps the worst-case
    regret at T is the minimax regret of the family: :math:`\Theta(\sqrt{A T})` up to logs for a
    learner with optimal worst-case regret, :math:`T^{2/3}` for explore-then-commit with
    :math:`T^{2/3}` exploration.

    Parameters
    ----------
    gap : float in (0, 1]
        The gap of the transition probabilities at step 0.
    n_actions : int >= 2
        The number of actions A.
    horizon : int >= 2
        H.
    rng : numpy.random.Generator, int or None
        Draws :math:`a^*`.

    Returns
    -------
    FiniteHorizonMDP
        The instance (deterministic rewards, stochastic transitions at step 0).

    Examples
    --------
    >>> mdp = gap_family_mdp(0.5, 4, 3, rng=0)
    >>> float(mdp.optimal_values[0, 0]), float(np.sort(mdp.optimal_q[0, 0])[0])
    (1.5, 1.0)
    """
    g = v.real_number("gap", gap, "a number in (0, 1]")
    if not 0.0 < g <= 1.0:
        raise ValueError(f"gap: expected a number in (0, 1], got {gap!r}")
    A = v.positive_int("n_actions", n_actions)
    H = v.positive_int("horizon", horizon)
    if A < 2:
        raise ValueError(f"n_actions: expected an int >= 2, got {n_actions!r}")
    if H < 2:
        raise ValueError(f"horizon: expected an int >= 2, got {horizon!r}")
    v.check_allocation("horizon, n_actions", 3 * H * 3 * A * 3, 8, "entries of P (H S A S) and its copies")
    best = int(v.as_rng(rng).integers(A))
    P = np.zeros((H, 3, A, 3))
    P[:, 1, :, 1] = 1.0
    P[:, 2, :, 2] = 1.0
    P[:, 0, :, 0] = 1.0
    P[0, 0, :, 0] = 0.0
    P[0, 0, :, 1] = 0.5
    P[0, 0, :, 2] = 0.5
    P[0, 0, best, 1] = 0.5 * (1.0 + g)
    P[0, 0, best, 2] = 0.5 * (1.0 - g)
    R = np.zeros((H, 3, A))
    R[1:, 1, :] = 1.0
    return FiniteHorizonMDP(P, R, np.array([1.0, 0.0, 0.0]))


def spread_value_mdp(n_states: int = 6, n_actions: int = 3, horizon: int = 10, rng=None, *,
                     concentration: float = 0.5) -> FiniteHorizonMDP:
    r"""A random MDP whose states are "rewarding" or not, so that state values spread over [0, H].

    Per-step transitions :math:`P_h(\cdot \mid s, a) \sim \mathrm{Dirichlet}(\alpha)` as in
    :func:`mdps.instances.random.random_finite_horizon_mdp`, but the mean reward depends mostly on
    the state: :math:`R_h(s, a) = 0.8\, b_s + 0.2\, u_{h s a}` with :math:`b_s \sim` Bernoulli(1/2)
    (at least one state of each kind) and :math:`u \sim U[0, 1]`. The values of the next states then
    differ by order :math:`H - h`, so the error of :math:`\hat P_h V_{h+1}` at a pair visited n times
    is of order :math:`(H - h) / \sqrt n`: the scale a UCB bonus needs its horizon factor for.

    Parameters
    ----------
    n_states : int >= 2
        S.
    n_actions : int >= 1
        A.
    horizon : int >= 1
        H.
    rng : numpy.random.Generator, int or None
        Source of randomness; the same seed gives the same problem.
    concentration : float > 0
        The Dirichlet parameter :math:`\alpha` of every transition row.

    Returns
    -------
    FiniteHorizonMDP
        The random problem (Bernoulli rewards), time-inhomogeneous, uniform start.

    Examples
    --------
    >>> mdp = spread_value_mdp(6, 3, 10, rng=0)
    >>> mdp.P.shape
    (10, 6, 3, 6)
    """
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    H = v.positive_int("horizon", horizon)
    if S < 2:
        raise ValueError(f"n_states: expected an int >= 2, got {n_states!r}")
    alpha = v.positive_float("concentration", concentration)
    v.check_allocation("n_states, n_actions, horizon", 3 * H * S * A * S, 8, "entries of P (H S A S) and its copies")
    gen = v.as_rng(rng)
    P = gen.dirichlet(np.full(S, alpha), size=(H, S, A))
    rewarding = np.zeros(S)
    rewarding[gen.permutation(S)[: max(1, S // 2)]] = 1.0
    R = 0.8 * rewarding[None, :, None] + 0.2 * gen.random((H, S, A))
    return FiniteHorizonMDP(P, R, np.full(S, 1.0 / S))
