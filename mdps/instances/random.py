"""Random problems, seeded: Dirichlet transitions, uniform mean rewards, random linear MDPs."""
from __future__ import annotations

import numpy as np

from .. import _validation as v
from ..core import ContextualBandit, DiscountedMDP, FiniteHorizonMDP, LinearMDP, MultiArmedBandit


def random_mdp(n_states: int = 5, n_actions: int = 3, gamma: float = 0.9, rng=None, *,
               concentration: float = 1.0, initial: str = "uniform") -> DiscountedMDP:
    """A discounted MDP with ``P[s, a] ~ Dirichlet(concentration)`` and ``R ~ U[0, 1]``.

    ``initial`` is "uniform" or "dirichlet" (a Dirichlet(1) draw).
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
    """A finite-horizon MDP with per-step ``P[h, s, a] ~ Dirichlet(concentration)`` and ``R ~ U[0, 1]``."""
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    H = v.positive_int("horizon", horizon)
    alpha = v.positive_float("concentration", concentration)
    v.check_allocation("n_states, n_actions, horizon", 2 * H * S * A * S, 8, "entries of P (H S A S) and its copy")
    gen = v.as_rng(rng)
    P = gen.dirichlet(np.full(S, alpha), size=(H, S, A))
    R = gen.random((H, S, A))
    return FiniteHorizonMDP(P, R, _initial(initial, S, gen))


def random_bandit(n_actions: int = 5, rng=None) -> MultiArmedBandit:
    """A bandit with ``means ~ U[0, 1]``."""
    A = v.positive_int("n_actions", n_actions)
    v.check_allocation("n_actions", 2 * A, 8, "entries of the means and their copy")
    return MultiArmedBandit(v.as_rng(rng).random(A))


def random_contextual_bandit(n_states: int = 5, n_actions: int = 3, rng=None) -> ContextualBandit:
    """A contextual bandit with ``rho ~ Dirichlet(1)`` and ``means ~ U[0, 1]``."""
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    v.check_allocation("n_states, n_actions", 2 * S * (A + 1), 8, "entries of the means and their copy")
    gen = v.as_rng(rng)
    return ContextualBandit(gen.dirichlet(np.ones(S)), gen.random((S, A)))


def random_linear_mdp(n_states: int = 10, n_actions: int = 4, dim: int = 3, horizon: int = 4, rng=None, *,
                      concentration: float = 1.0) -> LinearMDP:
    """A random linear MDP of dimension ``dim``.

    ``features[s, a] ~ Dirichlet(1)`` lies on the simplex and each ``mu[h, i]`` is a
    distribution over states (Dirichlet(concentration)), so every transition row
    ``phi(s, a) . mu_h`` is a mixture of distributions and hence valid. ``theta[h] ~ U[0, 1]^d``
    keeps rewards ``phi . theta`` in [0, 1].
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
