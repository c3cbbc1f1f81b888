r"""Instances for HNPG / HAC: the discounted lock with its data, and aliased features.

Zhou, Sekhari, Song & Sun (2023) start every episode from a reset distribution over
state-action pairs, ``mu0(s, a)``, and define the occupancy

.. math::

    d^\pi(s, a) = (1 - \gamma) \Big[\mu_0(s, a) + \sum_{t \ge 1} \gamma^t \Pr{}^\pi(s_t = s, a_t = a)\Big].

:func:`reset_occupancy` computes it exactly. :func:`lock_problem` is HNPG-H4's setting
(the discounted lock of :func:`mdps.instances.classic.combination_lock`,
:math:`\mu_0 = \delta_{s_0} \times \mathrm{Uniform}(A)`, offline data from the occupancy of an
epsilon-greedy optimal policy). :func:`aliased_trap` is a small MDP with linear critic features
that alias two states with different values, so that the linear class is not Bellman complete
(HNPG-H6). :func:`linear_lock` is the lock with dense linear features (``d = 2L + 2 < S A``) for
Algorithm 3's log-linear policies and linear critic (HNPG-H7). Why these instances are hard, and for whom: :ref:`hnpg-instances`; the notation:
:ref:`hnpg-setting`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as v
from ..core import DiscountedMDP, policy_matrix
from .classic import combination_lock

__all__ = ["AliasedTrap", "LinearLock", "LockProblem", "aliased_features", "aliased_trap", "check_reset",
           "epsilon_greedy_policy", "linear_lock", "lock_problem", "lock_with_exit", "product_reset",
           "reset_occupancy"]


def product_reset(mdp: DiscountedMDP) -> np.ndarray:
    r"""The default reset over pairs: the initial state law times a uniform first action.

    :math:`\mu_0(s, a) = \rho(s) / A`, with :math:`\rho` = ``mdp.initial`` (see :ref:`hnpg-setting`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem; its ``initial`` state law and its number of actions are used.

    Returns
    -------
    numpy.ndarray of shape (S, A)
        :math:`\mu_0`, a probability distribution over state-action pairs.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> float(product_reset(chain_mdp(n_states=3, gamma=0.8)).sum())
    1.0
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    return np.repeat(mdp.initial[:, None], mdp.n_actions, axis=1) / mdp.n_actions


def check_reset(mdp: DiscountedMDP, reset, name: str = "reset") -> np.ndarray:
    r"""Validate a distribution over state-action pairs of ``mdp`` (shape (S, A), sums to 1).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem that fixes the shape (S, A).
    reset : array_like of shape (S, A)
        The distribution to check (a reset :math:`\mu_0` or an offline law :math:`\nu`):
        finite, non-negative, summing to 1.
    name : str, default "reset"
        The argument's name in error messages.

    Returns
    -------
    numpy.ndarray of shape (S, A)
        ``reset`` as a float array (not renormalised).

    Raises
    ------
    ValueError
        If the shape is wrong or the entries are not a probability distribution.
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    mu = v.float_array(name, reset, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    v.check_simplex(name, mu.reshape(-1))
    return mu


def reset_occupancy(mdp: DiscountedMDP, policy, reset=None) -> np.ndarray:
    r"""The normalised discounted occupancy :math:`d^\pi(s, a)` from a reset over pairs.

    .. math::

        d^\pi(s, a) = (1 - \gamma)\, \mu_0(s, a)
        + (1 - \gamma)\, \gamma\, \big[\rho_1^\top (I - \gamma P_\pi)^{-1}\big](s)\, \pi(a \mid s),
        \qquad \rho_1(s') = \sum_{s, a} \mu_0(s, a) P(s' \mid s, a),

    :math:`\rho_1` being the law of the second state. It sums to 1 and satisfies
    :math:`d^\pi \ge (1 - \gamma) \mu_0` (see :ref:`hnpg-setting`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem (transitions ``P`` and discount ``gamma``).
    policy : int array of shape (S,) or float array of shape (S, A)
        The policy :math:`\pi`, deterministic (one action per state) or stochastic (rows on the
        simplex).
    reset : array_like of shape (S, A), optional
        :math:`\mu_0`; defaults to :func:`product_reset`.

    Returns
    -------
    numpy.ndarray of shape (S, A)
        :math:`d^\pi`.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> mdp = chain_mdp(n_states=3, gamma=0.8)
    >>> d = reset_occupancy(mdp, [1, 1, 1])
    >>> round(float(d.sum()), 12)
    1.0
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
    r"""The epsilon-greedy optimal policy :math:`(1 - \epsilon)\pi^\star + \epsilon\, \mathrm{Uniform}(A)`.

    The data-collecting policy of :func:`lock_problem` (see :ref:`hnpg-lock`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem; its ``optimal_policy`` is :math:`\pi^\star`.
    epsilon : float in [0, 1]
        The exploration probability.

    Returns
    -------
    numpy.ndarray of shape (S, A)
        The policy's action probabilities.
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    eps = v.probability("epsilon", epsilon, open_low=False, open_high=False)
    A = mdp.n_actions
    return (1.0 - eps) * policy_matrix(mdp.optimal_policy, A) + eps / A


@dataclass(frozen=True, eq=False)
class LockProblem:
    r"""HNPG-H4's lock with its reset and offline distributions (see :ref:`hnpg-lock`).

    Built by :func:`lock_problem`.

    Parameters
    ----------
    mdp : DiscountedMDP
        :func:`mdps.instances.classic.combination_lock` (chain ``0..L-1``, goal ``L``, dead ``L+1``).
    reset : numpy.ndarray of shape (S, A)
        :math:`\mu_0 = \delta_{s_0} \times \mathrm{Uniform}(A)`.
    offline_distribution : numpy.ndarray of shape (S, A)
        :math:`\nu`: the occupancy (from ``reset``) of the epsilon-greedy optimal policy, uniform
        over all pairs, or uniform off the combination's pairs.
    good_actions : int numpy.ndarray of shape (L,)
        The combination :math:`g_0, \dots, g_{L-1}`.
    """

    mdp: DiscountedMDP
    reset: np.ndarray
    offline_distribution: np.ndarray
    good_actions: np.ndarray

    @property
    def length(self) -> int:
        """The number of chain states, :math:`L`."""
        return self.good_actions.shape[0]

    def success_probability(self, policy) -> float:
        r"""Probability that ``policy`` walks the whole chain from state 0: :math:`\prod_i \pi(g_i \mid i)`.

        Parameters
        ----------
        policy : int array of shape (S,) or float array of shape (S, A)
            The policy :math:`\pi`.

        Returns
        -------
        float
            The product of the probabilities of the good actions along the chain.
        """
        pi = policy_matrix(policy, self.mdp.n_actions)
        return float(np.prod(pi[np.arange(self.length), self.good_actions]))


def lock_problem(length: int = 5, n_actions: int = 5, gamma: float = 0.85, rng=None, *,
                 epsilon: float | None = None, offline: str = "epsilon_greedy") -> LockProblem:
    r"""The discounted lock of HNPG-H4 with :math:`\mu_0 = \delta_{s_0} \times \mathrm{Uniform}(A)` and its offline data law.

    Chain states ``0 .. length-1``, a goal (absorbing, reward 1) and a dead state (absorbing,
    reward 0); one good action per chain state. Under the uniform policy the goal is reached
    with probability :math:`A^{-L}`, so :math:`C_{\mathrm{npg}} \ge A^{L-1}`, while the
    epsilon-greedy data with :math:`\epsilon = 1/L` give
    :math:`\bar C_{\mathrm{off}} \le (1 - 1/L)^{-L} \le 4` (derived in :ref:`hnpg-lock`).

    Parameters
    ----------
    length : int >= 1, default 5
        :math:`L`, the number of chain states.
    n_actions : int >= 2, default 5
        :math:`A`.
    gamma : float in [0, 1), default 0.85
        The discount.
    rng : numpy.random.Generator, int or None, optional
        Draws the combination (passed to :func:`mdps.instances.classic.combination_lock`).
    epsilon : float in [0, 1], optional
        Exploration of the data-collecting policy; defaults to ``1 / length`` (see
        :ref:`hnpg-lock`).
    offline : {"epsilon_greedy", "uniform", "off_path"}
        :math:`\nu` = occupancy of the epsilon-greedy optimal policy (covers :math:`\pi^\star`,
        H4), uniform over all pairs, or uniform over every pair except the combination's
        ``(i, good_i)`` (no coverage of :math:`\pi^\star`: :math:`C_{\mathrm{off}} = \infty`, H5's
        negative control).

    Returns
    -------
    LockProblem
        The MDP, its reset, the offline law and the combination.

    Examples
    --------
    >>> problem = lock_problem(length=3, n_actions=4, gamma=0.8, rng=0)
    >>> problem.success_probability(problem.mdp.optimal_policy)
    1.0
    """
    L = v.positive_int("length", length)
    A = v.positive_int("n_actions", n_actions)
    # combination_lock's own check, before the combination of L actions is drawn.
    v.check_allocation("length, n_actions", 3 * (L + 2) * A * (L + 2), 8, "entries of P (S A S) and its copies")
    good = v.as_rng(rng).integers(0, A, size=L)
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
    r"""Critic features that alias states: :math:`\psi(s, a) = e_{(\mathrm{groups}[s], a)}`.

    States with the same group share every feature, so a linear critic cannot tell them apart.
    With all groups distinct this is the tabular (one-hot) class (see :ref:`hnpg-aliased`).

    Parameters
    ----------
    groups : int array of shape (S,)
        The group of each state, ``0 .. G-1``.
    n_actions : int >= 1
        :math:`A`.

    Returns
    -------
    numpy.ndarray of shape (S, A, G * A)
        The one-hot features (read-only).

    Examples
    --------
    >>> psi = aliased_features([0, 1, 1], 2)
    >>> psi.shape, bool((psi[1] == psi[2]).all())
    ((3, 2, 4), True)
    """
    g = v.int_array("groups", groups, ndim=1)
    A = v.positive_int("n_actions", n_actions)
    if g.size == 0:
        raise ValueError("groups: expected at least one state, got 0")
    G = int(g.max()) + 1
    v.check_allocation("groups, n_actions", g.size * A * G * A, 8, "feature entries (S, A, G A)")
    psi = np.zeros((g.size, A, G * A))
    for s, grp in enumerate(g):
        psi[s, np.arange(A), grp * A + np.arange(A)] = 1.0
    psi.setflags(write=False)
    return psi


@dataclass(frozen=True, eq=False)
class AliasedTrap:
    r"""HNPG-H6's misspecified problem: an MDP, critic features that alias two states, and data laws.

    Built by :func:`aliased_trap` (see :ref:`hnpg-aliased`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The five-state, two-action MDP.
    features : numpy.ndarray of shape (5, 2, 8)
        The critic features :math:`\psi` (:func:`aliased_features` with groups ``[0, 1, 1, 2, 3]``).
    reset : numpy.ndarray of shape (5, 2)
        :math:`\mu_0` (:func:`product_reset`: state 0, uniform first action).
    offline_distribution : numpy.ndarray of shape (5, 2)
        :math:`\nu`, mostly on the trap corridor.
    """

    mdp: DiscountedMDP
    features: np.ndarray
    reset: np.ndarray
    offline_distribution: np.ndarray


def aliased_trap(gamma: float = 0.9, *, distractor: float = 0.3, trap_weight: float = 0.9) -> AliasedTrap:
    r"""A five-state, two-action MDP whose linear critic class is not Bellman complete.

    States: 0 start, 1 "good corridor", 2 "trap corridor", 3 goal (absorbing, reward 1), 4 dead
    (absorbing, reward 0). From 0, action 0 goes to 1 (reward 0) and action 1 goes to 2 and pays
    ``distractor`` :math:`c`. Every action of 1 leads to the goal; every action of 2 leads to the
    dead state. So :math:`Q^\star(0, 0) = \gamma^2 / (1 - \gamma)` and :math:`Q^\star(0, 1) = c`:
    action 0 is optimal.

    The critic features (:func:`aliased_features`) give states 1 and 2 the same features, while
    their values differ (:math:`\gamma / (1 - \gamma)` vs 0): the class does not contain
    :math:`\mathcal T^\pi f` (:math:`\epsilon_{\mathrm{be}} > 0`). The offline law :math:`\nu`
    puts ``trap_weight`` of its mass on the trap corridor and spreads the rest uniformly, so a
    TD (FQE) fit bootstraps state 0 from a value of the aliased pair that is mostly the trap's,
    and prefers the distractor. On-policy Monte-Carlo regression fits state 0's own features
    directly and is not fooled. The derivation: :ref:`hnpg-aliased`.

    Parameters
    ----------
    gamma : float in [0, 1), default 0.9
        The discount.
    distractor : float in [0, 1], default 0.3
        :math:`c`, the reward of the trap's first step.
    trap_weight : float in [0, 1), default 0.9
        The mass of :math:`\nu` on the trap corridor's pairs.

    Returns
    -------
    AliasedTrap
        The MDP, its critic features, the reset and the offline law.

    Examples
    --------
    >>> trap = aliased_trap(0.9)
    >>> int(trap.mdp.optimal_policy[0]), trap.features.shape
    (0, (5, 2, 8))
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


@dataclass(frozen=True, eq=False)
class LinearLock:
    r"""HNPG-H7's problem: the lock of :func:`lock_problem` with dense linear features (see :ref:`hnpg-linear-lock`).

    Built by :func:`linear_lock`.

    Parameters
    ----------
    lock : LockProblem
        The lock, its reset :math:`\mu_0` and its offline law :math:`\nu` (epsilon-greedy occupancy).
    features : numpy.ndarray of shape (S, A, 2L + 2)
        :math:`\phi(s, a) = M^\top e_{c(s, a)}`: the class :math:`c(s, a)` (chain state and whether
        the action is the good one; the goal; the dead state) mixed by a random orthogonal
        :math:`M`. Used for the log-linear policy and for the linear critic.
    """

    lock: LockProblem
    features: np.ndarray

    @property
    def mdp(self) -> DiscountedMDP:
        """The lock's MDP."""
        return self.lock.mdp


def linear_lock(length: int = 4, n_actions: int = 8, gamma: float = 0.8, rng=None) -> LinearLock:
    r"""The lock of :func:`lock_problem` as a linear MDP with dense features, :math:`d = 2L + 2 < S A`.

    Transitions and rewards of the lock depend on a pair only through its class
    :math:`c(s, a)`: ``(i, good)`` or ``(i, bad)`` for a chain state ``i``, the goal, the dead
    state (``2 L + 2`` classes). With :math:`\phi(s, a) = M^\top e_{c(s, a)}` for a random
    orthogonal :math:`M` (QR of a Gaussian matrix), the features are not one-hot, every
    :math:`Q^\pi` is linear in :math:`\phi` and so is :math:`\mathcal T^\pi f` for a linear
    :math:`f` (the linear class is Bellman complete, :math:`\epsilon_{\mathrm{be}} = 0`), and the
    compatible features :math:`\phi - \mathbb E_\pi \phi` represent every advantage exactly
    (Assumption 3 with :math:`\beta \le \max \|\phi\|^2 = 1`). The log-linear class is smaller
    than the tabular one: it gives the bad actions of a state equal probabilities. Derivation:
    :ref:`hnpg-linear-lock`.

    Parameters
    ----------
    length : int >= 1, default 4
        :math:`L`, the number of chain states.
    n_actions : int >= 2, default 8
        :math:`A`.
    gamma : float in [0, 1), default 0.8
        The discount.
    rng : numpy.random.Generator, int or None, optional
        Draws the combination, then the mixing matrix.

    Returns
    -------
    LinearLock
        The lock (with :math:`\mu_0` and the epsilon-greedy :math:`\nu`) and its features.

    Examples
    --------
    >>> problem = linear_lock(length=3, n_actions=4, gamma=0.8, rng=0)
    >>> problem.features.shape, bool((problem.features != 0).sum(axis=2).min() > 1)
    ((5, 4, 8), True)
    """
    gen = v.as_rng(rng)
    lock = lock_problem(length, n_actions, gamma, gen)
    L, A = lock.length, lock.mdp.n_actions
    classes = np.empty((L + 2, A), dtype=np.int64)
    classes[:L] = 2 * np.arange(L)[:, None] + 1
    classes[np.arange(L), lock.good_actions] = 2 * np.arange(L)
    classes[L], classes[L + 1] = 2 * L, 2 * L + 1
    d = 2 * L + 2
    mixing, _ = np.linalg.qr(gen.standard_normal((d, d)))
    features = mixing[classes]
    features.setflags(write=False)
    return LinearLock(lock, features)


def lock_with_exit(length: int = 6, n_actions: int = 8, gamma: float = 0.85, rng=None, *,
                   epsilon: float | None = None, exit_reset: float = 0.2) -> LockProblem:
    r"""A lock whose offline data cover the chain but not the last choice (see :ref:`hnpg-lock-exit`).

    Chain states ``0 .. L-1`` as in :func:`lock_problem` (one good action each, every other
    action to the dead state); the last good action leads to the *exit* state ``L``. There, one
    action (drawn from ``rng``) leads to the goal ``L + 1`` (absorbing, reward 1 per step, so
    :math:`Q^\star = \gamma / (1 - \gamma)`) and every other action pays 1 once and leads to the
    dead state ``L + 2`` (:math:`Q = 1`). Episodes start at state 0 with probability
    ``1 - exit_reset`` and at the exit otherwise, with a uniform first action:
    :math:`\mu_0 = ((1 - p)\, \delta_0 + p\, \delta_L) \times \mathrm{Uniform}(A)`; values are
    measured from state 0. The offline law :math:`\nu` is the occupancy (from state 0, uniform first
    action) of a behaviour policy that is epsilon-greedy on the chain (:math:`\epsilon = 1/L` by default) and
    uniform over the *other* actions at the exit. So the data cover the chain but never show the
    exit's good action (:math:`C_{\mathrm{off}} = \infty`: offline learning takes the one-step
    reward), and the resets show the exit but not the chain's deep states
    (:math:`C_{\mathrm{npg}} \ge A^{L-1}`: on-policy exploration faces the lock). Each data source
    covers one half of what :math:`\pi^\star` needs.

    Parameters
    ----------
    length : int >= 1, default 6
        :math:`L`, the number of chain states before the exit.
    n_actions : int >= 2, default 8
        :math:`A`.
    gamma : float in [0, 1), default 0.85
        The discount.
    rng : numpy.random.Generator, int or None, optional
        Draws the combination, then the exit's good action.
    epsilon : float in [0, 1], optional
        Exploration of the behaviour policy on the chain; defaults to ``1 / length``.
    exit_reset : float in [0, 1), default 0.2
        :math:`p`, the probability that an episode starts at the exit.

    Returns
    -------
    LockProblem
        The MDP (``L + 3`` states), the reset, the offline law, and the good actions of the
        ``L + 1`` decision states (chain and exit).

    Examples
    --------
    >>> problem = lock_with_exit(length=3, n_actions=4, gamma=0.8, rng=0)
    >>> exit_good = problem.good_actions[-1]
    >>> problem.mdp.n_states, float(problem.offline_distribution[3, exit_good])
    (6, 0.0)
    """
    L = v.positive_int("length", length)
    A = v.positive_int("n_actions", n_actions)
    if A < 2:
        raise ValueError(f"n_actions: expected at least 2, got {A}")
    gamma = v.discount(gamma)
    eps = 1.0 / L if epsilon is None else v.probability("epsilon", epsilon, open_low=False, open_high=False)
    p_exit = v.probability("exit_reset", exit_reset, open_low=False, open_high=True)
    v.check_allocation("length, n_actions", 3 * (L + 3) * A * (L + 3), 8, "entries of P (S A S) and its copies")
    good = v.as_rng(rng).integers(0, A, size=L + 1)
    S = L + 3
    exit_state, goal, dead = L, L + 1, L + 2
    P = np.zeros((S, A, S))
    R = np.zeros((S, A))
    for i in range(L):
        P[i, :, dead] = 1.0
        P[i, good[i], dead] = 0.0
        P[i, good[i], i + 1] = 1.0
    P[exit_state, :, dead] = 1.0
    R[exit_state, :] = 1.0
    P[exit_state, good[L], dead] = 0.0
    P[exit_state, good[L], goal] = 1.0
    R[exit_state, good[L]] = 0.0
    P[goal, :, goal] = 1.0
    R[goal, :] = 1.0
    P[dead, :, dead] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    mdp = DiscountedMDP(P, R, gamma, initial)
    reset = np.zeros((S, A))
    reset[0], reset[exit_state] = (1.0 - p_exit) / A, p_exit / A
    behaviour = np.full((S, A), 1.0 / A)
    behaviour[np.arange(L)] = eps / A
    behaviour[np.arange(L), good[:L]] += 1.0 - eps
    behaviour[exit_state] = 1.0 / (A - 1)
    behaviour[exit_state, good[L]] = 0.0
    # The data's episodes start at state 0 only: a start at the exit with a uniform first action
    # would show the exit's good action.
    nu = _reset_occupancy(mdp.P, mdp.gamma, behaviour, product_reset(mdp))
    for arr in (reset, nu, good):
        arr.setflags(write=False)
    return LockProblem(mdp, reset, nu, good)
