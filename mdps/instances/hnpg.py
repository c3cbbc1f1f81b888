"""Instances for HNPG / HAC (theory/hnpg.md): the discounted lock with its data, and aliased features.

Zhou, Sekhari, Song & Sun (2023) start every episode from a reset distribution over
state-action pairs, ``mu0(s, a)``, and define the occupancy

    d^pi(s, a) = (1 - gamma) [mu0(s, a) + sum_{t >= 1} gamma^t Pr^pi(s_t = s, a_t = a)].

:func:`reset_occupancy` computes it exactly. :func:`lock_problem` is HNPG-H4's setting
(the discounted lock of :func:`mdps.instances.classic.combination_lock`, ``mu0 = delta_{s0} x
Uniform(A)``, offline data from the occupancy of an epsilon-greedy optimal policy).
:func:`aliased_trap` is a small MDP with linear critic features that alias two states with
different values, so that the linear class is not Bellman complete (HNPG-H6).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as v
from ..core import DiscountedMDP, policy_matrix
from .classic import combination_lock

__all__ = ["LockProblem", "aliased_features", "aliased_trap", "epsilon_greedy_policy", "lock_problem",
           "product_reset", "reset_occupancy"]


def product_reset(mdp: DiscountedMDP) -> np.ndarray:
    """``mu0(s, a) = initial(s) / A``: the initial state law times a uniform first action, shape (S, A)."""
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    return np.repeat(mdp.initial[:, None], mdp.n_actions, axis=1) / mdp.n_actions


def check_reset(mdp: DiscountedMDP, reset, name: str = "reset") -> np.ndarray:
    """Validate a distribution over state-action pairs of ``mdp`` (shape (S, A), sums to 1)."""
    mu = v.float_array(name, reset, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    v.check_simplex(name, mu.reshape(-1))
    return mu


def reset_occupancy(mdp: DiscountedMDP, policy, reset=None) -> np.ndarray:
    """The normalised discounted occupancy ``d^pi(s, a)`` from a reset over pairs, shape (S, A).

    ``d = (1 - gamma) mu0 + (1 - gamma) gamma [rho_1 (I - gamma P_pi)^{-1}](s) pi(a|s)`` with
    ``rho_1 = sum_{s,a} mu0(s, a) P(.|s, a)`` the law of the second state. It sums to 1 and
    satisfies ``d >= (1 - gamma) mu0``.

    Parameters
    ----------
    mdp : DiscountedMDP
    policy : int array (S,) or float array (S, A)
    reset : array (S, A), optional
        ``mu0``; defaults to :func:`product_reset`.
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    pi = policy_matrix(policy, mdp.n_actions)
    if pi.shape != (mdp.n_states, mdp.n_actions):
        raise ValueError(f"policy: expected shape ({mdp.n_states},) or ({mdp.n_states}, {mdp.n_actions}), "
                         f"got {np.shape(policy)}")
    mu0 = product_reset(mdp) if reset is None else check_reset(mdp, reset)
    return _reset_occupancy(mdp.P, mdp.gamma, pi, mu0)


def _reset_occupancy(P, gamma, pi, mu0):
    S = P.shape[0]
    rho1 = np.einsum("sa,sat->t", mu0, P)
    P_pi = np.einsum("sa,sat->st", pi, P)
    later = np.linalg.solve(np.eye(S) - gamma * P_pi.T, rho1)
    return (1.0 - gamma) * (mu0 + gamma * later[:, None] * pi)


def epsilon_greedy_policy(mdp: DiscountedMDP, epsilon: float) -> np.ndarray:
    """``(1 - epsilon) pi* + epsilon Uniform(A)`` as probabilities, shape (S, A)."""
    eps = v.probability("epsilon", epsilon, open_low=False, open_high=False)
    A = mdp.n_actions
    return (1.0 - eps) * policy_matrix(mdp.optimal_policy, A) + eps / A


@dataclass(frozen=True, eq=False)
class LockProblem:
    """HNPG-H4's lock with its reset and offline distributions.

    Attributes
    ----------
    mdp : DiscountedMDP
        :func:`mdps.instances.classic.combination_lock` (chain ``0..L-1``, goal ``L``, dead ``L+1``).
    reset : array (S, A)
        ``mu0 = delta_{s0} x Uniform(A)``.
    offline_distribution : array (S, A)
        ``nu``: the occupancy (from ``reset``) of the epsilon-greedy optimal policy, or uniform.
    good_actions : int array (L,)
        The combination.
    """

    mdp: DiscountedMDP
    reset: np.ndarray
    offline_distribution: np.ndarray
    good_actions: np.ndarray

    @property
    def length(self) -> int:
        return self.good_actions.shape[0]

    def success_probability(self, policy) -> float:
        """Probability that ``policy`` walks the whole chain from state 0: ``prod_i pi(good_i | i)``."""
        pi = policy_matrix(policy, self.mdp.n_actions)
        return float(np.prod(pi[np.arange(self.length), self.good_actions]))


def lock_problem(length: int = 5, n_actions: int = 5, gamma: float = 0.85, rng=None, *,
                 epsilon: float | None = None, offline: str = "epsilon_greedy") -> LockProblem:
    """The discounted lock of HNPG-H4 with ``mu0 = delta_{s0} x Uniform(A)`` and its offline data law.

    Parameters
    ----------
    length, n_actions, gamma, rng
        Passed to :func:`mdps.instances.classic.combination_lock` (``rng`` draws the combination).
    epsilon : float, optional
        Exploration of the data-collecting policy; defaults to ``1 / length`` (theory/hnpg.md, H4).
    offline : {"epsilon_greedy", "uniform", "off_path"}
        ``nu`` = occupancy of the epsilon-greedy optimal policy (covers pi*, H4), uniform over
        all pairs, or uniform over every pair except the combination's ``(i, good_i)`` (no
        coverage of pi*: ``C_off = inf``, H5's negative control).

    Examples
    --------
    >>> problem = lock_problem(length=3, n_actions=4, gamma=0.8, rng=0)
    >>> problem.success_probability(problem.mdp.optimal_policy)
    1.0
    """
    L = v.positive_int("length", length)
    good = v.as_rng(rng).integers(0, v.positive_int("n_actions", n_actions), size=L)
    mdp = combination_lock(L, n_actions, gamma, good_actions=good)
    S, A = mdp.n_states, mdp.n_actions
    reset = product_reset(mdp)
    if offline == "epsilon_greedy":
        eps = 1.0 / L if epsilon is None else epsilon
        nu = _reset_occupancy(mdp.P, mdp.gamma, epsilon_greedy_policy(mdp, eps), reset)
    elif offline == "uniform":
        nu = np.full((S, A), 1.0 / (S * A))
    elif offline == "off_path":
        off = np.ones((S, A))
        off[np.arange(L), good] = 0.0
        nu = off / off.sum()
    else:
        raise ValueError(f"offline: expected 'epsilon_greedy', 'uniform' or 'off_path', got {offline!r}")
    for arr in (reset, nu, good):
        arr.setflags(write=False)
    return LockProblem(mdp, reset, nu, good)


def aliased_features(groups, n_actions: int) -> np.ndarray:
    """Critic features that alias states: ``psi(s, a) = e_{(groups[s], a)}``, shape (S, A, G * A).

    States with the same group share every feature, so a linear critic cannot tell them apart.
    With all groups distinct this is the tabular (one-hot) class.
    """
    g = v.int_array("groups", groups, ndim=1)
    A = v.positive_int("n_actions", n_actions)
    if g.size == 0:
        raise ValueError("groups: expected at least one state, got 0")
    G = int(g.max()) + 1
    psi = np.zeros((g.size, A, G * A))
    for s, grp in enumerate(g):
        psi[s, np.arange(A), grp * A + np.arange(A)] = 1.0
    psi.setflags(write=False)
    return psi


@dataclass(frozen=True, eq=False)
class AliasedTrap:
    """HNPG-H6's misspecified problem: an MDP, critic features that alias two states, and data laws."""

    mdp: DiscountedMDP
    features: np.ndarray
    reset: np.ndarray
    offline_distribution: np.ndarray


def aliased_trap(gamma: float = 0.9, *, distractor: float = 0.3, trap_weight: float = 0.9) -> AliasedTrap:
    """A five-state, two-action MDP whose linear critic class is not Bellman complete.

    States: 0 start, 1 "good corridor", 2 "trap corridor", 3 goal (absorbing, reward 1), 4 dead
    (absorbing, reward 0). From 0, action 0 goes to 1 (reward 0) and action 1 goes to 2 and pays
    ``distractor``. Every action of 1 leads to the goal; every action of 2 leads to the dead
    state. So ``Q(0, 0) = gamma^2 / (1 - gamma)`` and ``Q(0, 1) = distractor``: action 0 is optimal.

    The critic features (:func:`aliased_features`) give states 1 and 2 the same features, while
    their values differ (``gamma / (1 - gamma)`` vs 0): the class does not contain ``T^pi f``
    (``epsilon_be > 0``). The offline law ``nu`` puts ``trap_weight`` of its mass on the trap
    corridor and spreads the rest uniformly, so a TD (FQE) fit bootstraps state 0 from a value of
    the aliased pair that is mostly the trap's, and prefers the distractor. On-policy Monte-Carlo
    regression fits state 0's own features directly and is not fooled.
    """
    gamma = v.discount(gamma)
    distractor = v.probability("distractor", distractor, open_low=False, open_high=False)
    trap_weight = v.probability("trap_weight", trap_weight, open_low=False, open_high=True)
    S, A = 5, 2
    P = np.zeros((S, A, S))
    R = np.zeros((S, A))
    P[0, 0, 1] = 1.0
    P[0, 1, 2] = 1.0
    R[0, 1] = distractor
    P[1, :, 3] = 1.0
    P[2, :, 4] = 1.0
    P[3, :, 3] = 1.0
    R[3, :] = 1.0
    P[4, :, 4] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    mdp = DiscountedMDP(P, R, gamma, initial)
    features = aliased_features([0, 1, 1, 2, 3], A)
    nu = np.full((S, A), (1.0 - trap_weight) / (S * A - A))
    nu[2, :] = trap_weight / A
    nu.setflags(write=False)
    return AliasedTrap(mdp, features, product_reset(mdp), nu)
