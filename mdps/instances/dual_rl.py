"""Instances for Dual RL: the imitation fork of DUAL-R2 and DUAL-FIG1, FIG5 (:ref:`dual_rl-instances`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as v
from ..core import DiscountedMDP

__all__ = ["ImitationProblem", "imitation_fork"]


@dataclass(frozen=True, eq=False)
class ImitationProblem:
    r"""An imitation problem: an MDP with an expert and a suboptimal behaviour policy (:ref:`dual_rl-instances`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read by the imitation learners).
    expert_policy : numpy.ndarray, shape (S, A)
        :math:`\pi_E`, rows on the simplex; its occupancy is the expert data :math:`d_E`.
    suboptimal_policy : numpy.ndarray, shape (S, A)
        The behaviour policy of the suboptimal data, rows on the simplex; its occupancy is
        :math:`d_S`.
    """

    mdp: DiscountedMDP
    expert_policy: np.ndarray
    suboptimal_policy: np.ndarray


def imitation_fork(branch_length: int = 3, n_actions: int = 3, gamma: float = 0.9, *, coverage: float = 0.0,
                   rng=None) -> ImitationProblem:
    r"""A fork where the suboptimal data can miss every expert state (:ref:`dual_rl-instances`, DUAL-R2).

    States: 0 is the start; :math:`1, \dots, L` the expert branch; :math:`L+1, \dots, 2L` the
    suboptimal branch (:math:`L` = ``branch_length``, so :math:`S = 2L + 1`). In state 0 action 0
    enters the expert branch (state 1) and every other action the suboptimal branch (state
    :math:`L+1`). In expert state i the expert's action :math:`e_i` (drawn from ``rng``) moves to
    :math:`i + 1` (state L loops on itself) and every other action returns to 0. In the suboptimal
    branch action 0 stays and the others move on (the last state loops). Reward 1 in the last
    expert state, 0 elsewhere (imitation does not read it).

    The expert plays 0 in state 0 and :math:`e_i` on its branch. The suboptimal policy plays
    action 0 in state 0 with probability ``coverage`` and is uniform everywhere else. With
    ``coverage = 0`` the suboptimal data never reach an expert state,
    :math:`d_S(s, \cdot) = 0` for :math:`s = 1, \dots, L`: a learner that stays on
    :math:`\mathrm{supp}(d_S)` cannot imitate the expert.

    Parameters
    ----------
    branch_length : int, default 3
        L, the length of each branch (:math:`\ge 1`).
    n_actions : int, default 3
        A (:math:`\ge 2`).
    gamma : float, default 0.9
        The discount :math:`\gamma`.
    coverage : float, default 0.0
        The probability in [0, 1) that the suboptimal policy enters the expert branch.
    rng : None, int or numpy.random.Generator, default None
        Draws the expert's actions :math:`e_1, \dots, e_L`.

    Returns
    -------
    ImitationProblem
        The MDP (initial state 0), the expert policy and the suboptimal policy.

    Examples
    --------
    >>> problem = imitation_fork(3, 3, 0.9, coverage=0.0, rng=0)
    >>> problem.mdp.n_states, problem.mdp.n_actions
    (7, 3)
    >>> problem.expert_policy[0].tolist(), problem.suboptimal_policy[0].tolist()
    ([1.0, 0.0, 0.0], [0.0, 0.5, 0.5])
    """
    L = v.positive_int("branch_length", branch_length)
    A = v.positive_int("n_actions", n_actions)
    if A < 2:
        raise ValueError(f"n_actions: expected at least 2, got {A}")
    coverage = v.probability("coverage", coverage, open_low=False, open_high=True)
    S = 2 * L + 1
    v.check_allocation("branch_length, n_actions", 3 * S * A * S, 8, "entries of P (S A S) and its copies")
    gen = v.as_rng(rng)
    good = gen.integers(0, A, size=L)
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
