"""Random problems, seeded: Dirichlet transitions, uniform mean rewards, random linear MDPs."""
from __future__ import annotations

import numpy as np

from .. import _validation as v
from ..core import ContextualBandit, DiscountedMDP, FiniteHorizonMDP, LinearMDP, MultiArmedBandit

__all__ = ["random_bandit", "random_contextual_bandit", "random_finite_horizon_mdp", "random_linear_mdp", "random_mdp"]


def random_mdp(n_states: int = 5, n_actions: int = 3, gamma: float = 0.9, rng=None, *,
               concentration: float = 1.0, initial: str = "uniform") -> DiscountedMDP:
    r"""A discounted MDP with :math:`P(\cdot \mid s, a) \sim \mathrm{Dirichlet}(\alpha)` and :math:`R(s, a) \sim U[0, 1]`, all independent.

    Parameters
    ----------
    n_states : int >= 1, default 5
        Number of states ``S``.
    n_actions : int >= 1, default 3
        Number of actions ``A``.
    gamma : float in [0, 1), default 0.9
        Discount factor.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness; the same seed gives the same problem.
    concentration : float > 0, default 1.0
        The Dirichlet parameter :math:`\alpha` of every transition row (small: near-deterministic
        rows; large: near-uniform rows).
    initial : {"uniform", "dirichlet"}, default "uniform"
        The initial distribution: uniform, or a Dirichlet(1) draw.

    Returns
    -------
    DiscountedMDP
        The random problem (Bernoulli rewards).

    Examples
    --------
    >>> from mdps.instances import random_mdp
    >>> random_mdp(n_states=4, n_actions=2, rng=0).P.shape
    (4, 2, 4)
    """
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    alpha = v.positive_float("concentration", concentration)
    v.check_allocation("n_states, n_actions", 2 * S * A * S, 8, "entries of P (S A S) and its copy")
    gen = v.as_rng(rng)
    P = gen.dirichlet(np.full(S, alpha), size=(S, A))
    R = gen.random((S, A))
    return DiscountedMDP(P, R, gamma, _initial(initial, S, gen))


def random_finite_horizon_mdp(n_states: int = 5, n_actions: int = 3, horizon: int = 5, rng=None, *,
                              concentration: float = 1.0, initial: str = "uniform") -> FiniteHorizonMDP:
    r"""A finite-horizon MDP with per-step :math:`P_h(\cdot \mid s, a) \sim \mathrm{Dirichlet}(\alpha)` and :math:`R_h(s, a) \sim U[0, 1]`.

    Parameters
    ----------
    n_states : int >= 1, default 5
        Number of states ``S``.
    n_actions : int >= 1, default 3
        Number of actions ``A``.
    horizon : int >= 1, default 5
        The horizon ``H``.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness; the same seed gives the same problem.
    concentration : float > 0, default 1.0
        The Dirichlet parameter :math:`\alpha` of every transition row.
    initial : {"uniform", "dirichlet"}, default "uniform"
        The initial distribution: uniform, or a Dirichlet(1) draw.

    Returns
    -------
    FiniteHorizonMDP
        The random problem (Bernoulli rewards), time-inhomogeneous.
    """
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    H = v.positive_int("horizon", horizon)
    alpha = v.positive_float("concentration", concentration)
    v.check_allocation("n_states, n_actions, horizon", 2 * H * S * A * S, 8, "entries of P (H S A S) and its copy")
    gen = v.as_rng(rng)
    P = gen.dirichlet(np.full(S, alpha), size=(H, S, A))
    R = gen.random((H, S, A))
    return FiniteHorizonMDP(P, R, _initial(initial, S, gen))


def random_bandit(n_actions: int = 5, rng=None) -> MultiArmedBandit:
    """A multi-armed bandit with independent means ``means[a] ~ U[0, 1]``.

    Parameters
    ----------
    n_actions : int >= 1, default 5
        Number of arms ``A``.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness; the same seed gives the same problem.

    Returns
    -------
    MultiArmedBandit
        The random bandit (Bernoulli rewards).

    Examples
    --------
    >>> from mdps.instances import random_bandit
    >>> random_bandit(n_actions=3, rng=0).n_actions
    3
    """
    A = v.positive_int("n_actions", n_actions)
    v.check_allocation("n_actions", 2 * A, 8, "entries of the means and their copy")
    return MultiArmedBandit(v.as_rng(rng).random(A))


def random_contextual_bandit(n_states: int = 5, n_actions: int = 3, rng=None) -> ContextualBandit:
    r"""A contextual bandit with :math:`\rho \sim \mathrm{Dirichlet}(1)` and ``means[s, a] ~ U[0, 1]``.

    Parameters
    ----------
    n_states : int >= 1, default 5
        Number of contexts ``S``.
    n_actions : int >= 1, default 3
        Number of actions ``A``.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness; the same seed gives the same problem.

    Returns
    -------
    ContextualBandit
        The random contextual bandit (Bernoulli rewards).
    """
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    v.check_allocation("n_states, n_actions", 2 * S * (A + 1), 8, "entries of the means and their copy")
    gen = v.as_rng(rng)
    return ContextualBandit(gen.dirichlet(np.ones(S)), gen.random((S, A)))


def random_linear_mdp(n_states: int = 10, n_actions: int = 4, dim: int = 3, horizon: int = 4, rng=None, *,
                      concentration: float = 1.0) -> LinearMDP:
    r"""A random linear MDP of dimension ``dim``.

    :math:`\phi(s, a) \sim \mathrm{Dirichlet}(1)` lies on the simplex of :math:`\mathbb{R}^d` and
    each :math:`\mu_h` row ``mu[h, i]`` is a distribution over states
    (:math:`\mathrm{Dirichlet}(\alpha)`), so every transition row
    :math:`\langle \phi(s, a), \mu_h(\cdot) \rangle` is a mixture of distributions and hence
    valid. :math:`\theta_h \sim U[0, 1]^d` keeps the rewards
    :math:`\langle \phi(s, a), \theta_h \rangle` in [0, 1]. The initial distribution is uniform.

    Parameters
    ----------
    n_states : int >= 1, default 10
        Number of states ``S``.
    n_actions : int >= 1, default 4
        Number of actions ``A``.
    dim : int >= 1, default 3
        Feature dimension ``d``.
    horizon : int >= 1, default 4
        The horizon ``H``.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness; the same seed gives the same problem.
    concentration : float > 0, default 1.0
        The Dirichlet parameter :math:`\alpha` of the measures ``mu[h, i]``.

    Returns
    -------
    LinearMDP
        The random linear MDP (Bernoulli rewards).

    Examples
    --------
    >>> from mdps.instances import random_linear_mdp
    >>> random_linear_mdp(rng=0).features.shape
    (10, 4, 3)
    """
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    d, H = v.positive_int("dim", dim), v.positive_int("horizon", horizon)
    alpha = v.positive_float("concentration", concentration)
    v.check_allocation("n_states, n_actions, dim, horizon", 2 * (S * A * d + H * d * S) + 4 * H * S * A * S, 8,
                       "entries of the features, mu and the induced P")
    gen = v.as_rng(rng)
    features = gen.dirichlet(np.ones(d), size=(S, A))
    mu = gen.dirichlet(np.full(S, alpha), size=(H, d))
    theta = gen.random((H, d))
    return LinearMDP(features, mu, theta, np.full(S, 1.0 / S))


def _initial(kind: str, S: int, gen) -> np.ndarray:
    if kind == "uniform":
        return np.full(S, 1.0 / S)
    if kind == "dirichlet":
        return gen.dirichlet(np.ones(S))
    raise ValueError(f"initial: expected 'uniform' or 'dirichlet', got {kind!r}")
