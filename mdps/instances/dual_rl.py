"""Instances for Dual RL (theory/dual_rl.md): the imitation fork of DUAL-R1 / DUAL-FIG1."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as v
from ..core import DiscountedMDP


@dataclass(frozen=True, eq=False)
class ImitationProblem:
    """An MDP with an expert and a suboptimal behaviour policy, both (S, A) probability arrays."""

    mdp: DiscountedMDP
    expert_policy: np.ndarray
    suboptimal_policy: np.ndarray


def imitation_fork(branch_length: int = 3, n_actions: int = 3, gamma: float = 0.9, *, coverage: float = 0.0,
                   rng=None) -> ImitationProblem:
    """A fork where the suboptimal data can miss every expert state (theory §8, DUAL-R1).

    States: 0 is the start; ``1 .. L`` the expert branch; ``L+1 .. 2L`` the suboptimal branch
    (``L = branch_length``). In state 0 action 0 enters the expert branch (state 1) and every other
    action the suboptimal branch (state L+1). In expert state i the expert's action ``e_i`` (drawn
    from ``rng``) moves to ``i + 1`` (state L loops on itself) and every other action returns to 0.
    In the suboptimal branch action 0 stays and the others move on (the last state loops). Reward 1
    in the last expert state, 0 elsewhere (imitation does not read it).

    The expert plays 0 in state 0 and ``e_i`` on its branch (action 0 off its support). The
    suboptimal policy plays action 0 in state 0 with probability ``coverage`` (0: its data never
    reach an expert state) and is uniform everywhere else.
    """
    L = v.positive_int("branch_length", branch_length)
    A = v.positive_int("n_actions", n_actions)
    if A < 2:
        raise ValueError(f"n_actions: expected at least 2, got {A}")
    coverage = v.probability("coverage", coverage, open_low=False, open_high=True)
    gen = v.as_rng(rng)
    good = gen.integers(0, A, size=L)
    S = 2 * L + 1
    P = np.zeros((S, A, S))
    R = np.zeros((S, A))
    P[0, 0, 1] = 1.0
    P[0, 1:, L + 1] = 1.0
    for i in range(1, L + 1):
        P[i, :, 0] = 1.0
        P[i, good[i - 1], 0] = 0.0
        P[i, good[i - 1], min(i + 1, L)] = 1.0
    R[L, good[L - 1]] = 1.0
    for j in range(L + 1, 2 * L + 1):
        P[j, 0, j] = 1.0
        P[j, 1:, min(j + 1, 2 * L)] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    expert = np.zeros((S, A))
    expert[:, 0] = 1.0
    expert[np.arange(1, L + 1)] = 0.0
    expert[np.arange(1, L + 1), good] = 1.0
    sub = np.full((S, A), 1.0 / A)
    sub[0] = (1.0 - coverage) / (A - 1)
    sub[0, 0] = coverage
    return ImitationProblem(DiscountedMDP(P, R, gamma, initial), expert, sub)
