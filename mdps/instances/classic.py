"""Small classic problems for teaching and for the papers' qualitative experiments."""
from __future__ import annotations

import numpy as np

from .. import _validation as v
from ..core import DiscountedMDP


def chain_mdp(n_states: int = 6, gamma: float = 0.9, *, slip: float = 0.1,
              small_reward: float = 0.05) -> DiscountedMDP:
    """A chain: action 1 moves right (with probability ``1 - slip``), action 0 returns to state 0.

    State 0 pays ``small_reward`` for action 0 and the last state pays 1; the optimal policy
    walks right, a myopic one stays at 0. Starts in state 0.
    """
    S = v.positive_int("n_states", n_states)
    if S < 2:
        raise ValueError(f"n_states: expected at least 2, got {S}")
    slip = v.probability("slip", slip, open_low=False, open_high=True)
    P = np.zeros((S, 2, S))
    R = np.zeros((S, 2))
    for s in range(S):
        P[s, 0, 0] = 1.0
        right = min(s + 1, S - 1)
        P[s, 1, right] += 1.0 - slip
        P[s, 1, 0] += slip
    R[0, 0] = small_reward
    R[S - 1, 1] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    return DiscountedMDP(P, R, gamma, initial)
