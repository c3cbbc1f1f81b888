"""Instances of the optimistic actor-critic checks (Tan, Fan & Wei 2025): a minimax gap family,
random MDPs whose state values are spread over [0, H], and a lock whose reward is a coin flip.

These are the instances of the claims AC-T1d, AC-T1e and AC-T3c (:ref:`optimistic_ac-claims`); they
are imported directly from this module (not re-exported by :mod:`mdps.instances`).
"""
from __future__ import annotations

import numpy as np

from mdps import _validation as v
from mdps.core import FiniteHorizonMDP

__all__ = ["coin_lock_mdp", "gap_family_mdp", "spread_value_mdp"]


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


def coin_lock_mdp(gap: float, horizon: int = 6, n_actions: int = 5, rng=None, *, success: float = 0.5,
                  reward_std: float = 0.01) -> FiniteHorizonMDP:
    r"""A lock whose reward is a coin flip, beside distractors worth ``gap`` less.

    Four states: on track (0), dead (1, absorbing, reward 0), win (2) and lose (3). At steps
    :math:`h < H - 1` on track, one action per step (drawn uniformly from ``rng``) is correct; every
    other action pays the **distractor** ``success - gap`` and moves to the dead state. The correct
    action stays on track, except at step :math:`H - 2`, where it flips a coin: win with
    probability ``success``, lose otherwise; at the last step every action pays 1 in the win state
    and 0 elsewhere. So :math:`V^\star = ` ``success``, every distractor is worth exactly ``gap``
    less, and a uniform policy reaches the coin with probability :math:`A^{-(H-1)}`.

    All rewards are Gaussian with standard deviation ``reward_std`` around their means: small, so that
    a distractor's value is known after a few samples and the only noise that matters is the coin's.
    A learner that estimates the coin's bias from n flips mistakes the lock for a distractor with
    probability about :math:`\Phi(-\text{gap}\sqrt{n} / \sigma)`, :math:`\sigma^2 =` ``success (1 -
    success)``: the instance on which the sample size needed for a ``gap / 2``-optimal policy scales
    like :math:`1 / \text{gap}^2` (claim AC-T3c).

    Parameters
    ----------
    gap : float in (0, success]
        How much less than the lock every distractor is worth.
    horizon : int >= 2
        H (the lock has H - 1 decisions; the last step only pays).
    n_actions : int >= 2
        The number of actions A.
    rng : numpy.random.Generator, int or None
        Draws the correct actions.
    success : float in (0, 1)
        The coin's probability of a win, :math:`V^\star`.
    reward_std : float > 0
        Standard deviation of every reward (Gaussian reward model).

    Returns
    -------
    FiniteHorizonMDP
        The instance (4 states, ``reward_model="gaussian"``), starting on track.

    Examples
    --------
    >>> mdp = coin_lock_mdp(0.1, horizon=4, n_actions=3, rng=0)
    >>> float(mdp.optimal_values[0, 0]), float(np.sort(mdp.optimal_q[0, 0])[0])
    (0.5, 0.4)
    """
    p = v.probability("success", success)
    g = v.real_number("gap", gap, f"a number in (0, success = {p:g}]")
    if not 0.0 < g <= p:
        raise ValueError(f"gap: expected a number in (0, success = {p:g}], got {gap!r}")
    H = v.positive_int("horizon", horizon)
    A = v.positive_int("n_actions", n_actions)
    if H < 2:
        raise ValueError(f"horizon: expected an int >= 2, got {horizon!r}")
    if A < 2:
        raise ValueError(f"n_actions: expected an int >= 2, got {n_actions!r}")
    std = v.positive_float("reward_std", reward_std)
    v.check_allocation("horizon, n_actions", 3 * H * 4 * A * 4, 8, "entries of P (H S A S) and its copies")
    good = v.as_rng(rng).integers(0, A, size=H)
    P = np.zeros((H, 4, A, 4))
    R = np.zeros((H, 4, A))
    P[:, 0, :, 1] = 1.0
    P[:, 1, :, 1] = 1.0
    P[:, 2, :, 2] = 1.0
    P[:, 3, :, 3] = 1.0
    R[:, 0, :] = p - g
    for h in range(H - 1):
        P[h, 0, good[h], 1] = 0.0
        R[h, 0, good[h]] = 0.0
        if h < H - 2:
            P[h, 0, good[h], 0] = 1.0
        else:
            P[h, 0, good[h], 2] = p
            P[h, 0, good[h], 3] = 1.0 - p
    R[H - 1, 2, :] = 1.0
    return FiniteHorizonMDP(P, R, np.array([1.0, 0.0, 0.0, 0.0]), reward_model="gaussian", reward_std=std)
