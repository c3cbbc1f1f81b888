"""The problems: frozen dataclasses of validated numpy arrays.

Notation used throughout the project (documented once here):

- ``S`` states, ``A`` actions, ``H`` the horizon of a finite-horizon problem, ``d`` a feature
  dimension, ``gamma`` the discount factor.
- ``P[s, a, s']`` (discounted) or ``P[h, s, a, s']`` (finite horizon): transition probabilities.
- ``R[s, a]`` or ``R[h, s, a]``: mean rewards in [0, 1]. Realised rewards are Bernoulli with
  these means (``reward_model="bernoulli"``, the default) or Gaussian with standard deviation
  ``reward_std`` (``reward_model="gaussian"``).
- ``initial[s]``: the initial-state distribution (the paper's rho or mu_0).
- A deterministic policy is an int array ``pi[s]`` (or ``pi[h, s]``); a stochastic one is a
  float array ``pi[s, a]`` (or ``pi[h, s, a]``) with rows on the simplex.
  :func:`policy_matrix` turns the first into the second; :func:`softmax_policy` maps logits
  to a stochastic policy.

Every array is copied, checked (shape, finiteness, simplex rows, rewards in [0, 1]) and made
read-only at construction. Quantities asked for often (V*, Q*, gaps) are cached on the instance.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import _validation as v

REWARD_MODELS = ("bernoulli", "gaussian")


def _check_reward_model(reward_model: str, reward_std: float) -> float:
    if not isinstance(reward_model, str) or reward_model not in REWARD_MODELS:
        raise ValueError(f"reward_model: expected one of {REWARD_MODELS}, got {reward_model!r}")
    if reward_model == "gaussian":
        return v.positive_float("reward_std", reward_std)
    # Unused by Bernoulli rewards, but still a number: a typo should not pass silently.
    std = v.real_number("reward_std", reward_std, "a non-negative number")
    if not (np.isfinite(std) and std >= 0):
        raise ValueError(f"reward_std: expected a non-negative number, got {reward_std!r}")
    return std


@dataclass(frozen=True, eq=False)
class DiscountedMDP:
    """A finite discounted MDP.

    Parameters
    ----------
    P : array (S, A, S)
        Transition probabilities ``P[s, a, s']``; every row ``P[s, a]`` sums to 1.
    R : array (S, A)
        Mean rewards in [0, 1].
    gamma : float
        Discount factor in [0, 1).
    initial : array (S,)
        Initial-state distribution.
    reward_model : {"bernoulli", "gaussian"}
        Distribution of a realised reward around its mean.
    reward_std : float
        Standard deviation of Gaussian rewards (ignored for Bernoulli).

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import DiscountedMDP
    >>> P = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
    >>> mdp = DiscountedMDP(P, R=np.array([[0.0, 0.5], [1.0, 1.0]]), gamma=0.5, initial=[1.0, 0.0])
    >>> mdp.optimal_values
    array([1.5, 2. ])
    """

    P: np.ndarray
    R: np.ndarray
    gamma: float
    initial: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1

    def __post_init__(self):
        P = v.float_array("P", self.P, ndim=3)
        S, A, S2 = P.shape
        if S != S2 or S == 0 or A == 0:
            raise ValueError(f"P: expected shape (S, A, S) with S, A >= 1, got {P.shape}")
        v.check_simplex("P", P, axis=2)
        R = v.float_array("R", self.R, ndim=2, shape=(S, A), like="P")
        v.check_unit_interval("R", R)
        initial = v.float_array("initial", self.initial, ndim=1, shape=(S,), like="P")
        v.check_simplex("initial", initial)
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "gamma", v.discount(self.gamma))
        object.__setattr__(self, "reward_std", _check_reward_model(self.reward_model, self.reward_std))

    @property
    def n_states(self) -> int:
        return self.P.shape[0]

    @property
    def n_actions(self) -> int:
        return self.P.shape[1]

    @property
    def max_value(self) -> float:
        """V_max = 1 / (1 - gamma), the largest possible value."""
        return 1.0 / (1.0 - self.gamma)

    @cached_property
    def solution(self):
        """The exact optimal solution (policy iteration), cached: a :class:`mdps.planning.PlanningResult`."""
        from .planning import solve

        return solve(self, method="pi")

    @property
    def optimal_values(self) -> np.ndarray:
        """V*(s), shape (S,)."""
        return self.solution.values

    @property
    def optimal_q(self) -> np.ndarray:
        """Q*(s, a), shape (S, A)."""
        return self.solution.q_values

    @property
    def optimal_policy(self) -> np.ndarray:
        """An optimal deterministic policy pi*(s), shape (S,)."""
        return self.solution.policy

    @property
    def gaps(self) -> np.ndarray:
        """Action gaps V*(s) - Q*(s, a) >= 0, shape (S, A)."""
        return self.solution.gaps


@dataclass(frozen=True, eq=False)
class FiniteHorizonMDP:
    """A finite-horizon, time-inhomogeneous MDP with steps h = 0, ..., H-1.

    Parameters
    ----------
    P : array (H, S, A, S)
        ``P[h, s, a, s']``, the law of the state at step h+1.
    R : array (H, S, A)
        Mean rewards in [0, 1]; values therefore lie in [0, H].
    initial : array (S,)
        Distribution of the state at step 0.
    reward_model, reward_std
        As in :class:`DiscountedMDP`.
    """

    P: np.ndarray
    R: np.ndarray
    initial: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1

    def __post_init__(self):
        P = v.float_array("P", self.P, ndim=4)
        H, S, A, S2 = P.shape
        if S != S2 or min(H, S, A) == 0:
            raise ValueError(f"P: expected shape (H, S, A, S) with H, S, A >= 1, got {P.shape}")
        v.check_simplex("P", P, axis=3)
        R = v.float_array("R", self.R, ndim=3, shape=(H, S, A), like="P")
        v.check_unit_interval("R", R)
        initial = v.float_array("initial", self.initial, ndim=1, shape=(S,), like="P")
        v.check_simplex("initial", initial)
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "reward_std", _check_reward_model(self.reward_model, self.reward_std))

    @property
    def horizon(self) -> int:
        return self.P.shape[0]

    @property
    def n_states(self) -> int:
        return self.P.shape[1]

    @property
    def n_actions(self) -> int:
        return self.P.shape[2]

    @property
    def max_value(self) -> float:
        """V_max = H."""
        return float(self.horizon)

    @cached_property
    def solution(self):
        """Exact backward induction, cached: a :class:`mdps.planning.PlanningResult`."""
        from .planning import solve

        return solve(self)

    @property
    def optimal_values(self) -> np.ndarray:
        """V*_h(s), shape (H + 1, S); the last row is 0."""
        return self.solution.values

    @property
    def optimal_q(self) -> np.ndarray:
        """Q*_h(s, a), shape (H, S, A)."""
        return self.solution.q_values

    @property
    def optimal_policy(self) -> np.ndarray:
        """pi*_h(s), shape (H, S)."""
        return self.solution.policy

    @property
    def gaps(self) -> np.ndarray:
        """V*_h(s) - Q*_h(s, a), shape (H, S, A)."""
        return self.solution.gaps


@dataclass(frozen=True, eq=False)
class MultiArmedBandit:
    """A K-armed bandit with mean rewards ``means[a]`` in [0, 1]."""

    means: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1

    def __post_init__(self):
        means = v.float_array("means", self.means, ndim=1)
        if means.size == 0:
            raise ValueError("means: expected at least one arm, got 0")
        v.check_unit_interval("means", means)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "reward_std", _check_reward_model(self.reward_model, self.reward_std))

    @property
    def n_actions(self) -> int:
        return self.means.shape[0]

    @property
    def optimal_arm(self) -> int:
        return int(np.argmax(self.means))

    @property
    def gaps(self) -> np.ndarray:
        return self.means.max() - self.means


@dataclass(frozen=True, eq=False)
class ContextualBandit:
    """A contextual bandit: contexts ``s ~ context_distribution``, mean rewards ``means[s, a]``."""

    context_distribution: np.ndarray
    means: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1

    def __post_init__(self):
        rho = v.float_array("context_distribution", self.context_distribution, ndim=1)
        v.check_simplex("context_distribution", rho)
        means = v.float_array("means", self.means, ndim=2, shape=(rho.size, None), like="context_distribution")
        if means.shape[1] == 0:
            raise ValueError("means: expected at least one action, got 0")
        v.check_unit_interval("means", means)
        object.__setattr__(self, "context_distribution", rho)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "reward_std", _check_reward_model(self.reward_model, self.reward_std))

    @property
    def n_states(self) -> int:
        return self.means.shape[0]

    @property
    def n_actions(self) -> int:
        return self.means.shape[1]

    @property
    def optimal_policy(self) -> np.ndarray:
        return np.argmax(self.means, axis=1)

    @property
    def gaps(self) -> np.ndarray:
        return self.means.max(axis=1, keepdims=True) - self.means


@dataclass(frozen=True, eq=False)
class LinearMDP:
    """A finite-horizon linear MDP over a finite state space.

    ``P[h, s, a, s'] = features[s, a] . mu[h, :, s']`` and ``R[h, s, a] = features[s, a] . theta[h]``.

    Parameters
    ----------
    features : array (S, A, d)
        The feature map phi(s, a).
    mu : array (H, d, S)
        The measures mu_h; each ``mu[h, i]`` is a signed measure over next states.
    theta : array (H, d)
        Reward parameters.
    initial : array (S,)
        Distribution of the state at step 0.

    The induced ``P`` must be a valid transition kernel and ``R`` must lie in [0, 1]; both are
    checked. :attr:`tabular` is the same problem as a :class:`FiniteHorizonMDP`.
    """

    features: np.ndarray
    mu: np.ndarray
    theta: np.ndarray
    initial: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1
    tabular: FiniteHorizonMDP = field(init=False, repr=False)

    def __post_init__(self):
        phi = v.float_array("features", self.features, ndim=3)
        S, A, d = phi.shape
        if min(S, A, d) == 0:
            raise ValueError(f"features: expected shape (S, A, d) with S, A, d >= 1, got {phi.shape}")
        mu = v.float_array("mu", self.mu, ndim=3, shape=(None, d, S), like="features")
        H = mu.shape[0]
        if H == 0:
            raise ValueError("mu: expected a horizon H >= 1, got 0")
        theta = v.float_array("theta", self.theta, ndim=2, shape=(H, d), like="features and mu")
        # The induced P has H S A S entries, and the checks make a few copies of it.
        v.check_allocation("features, mu", 4 * H * S * A * S, 8, "entries of the induced P and its copies")
        P = np.einsum("sai,hit->hsat", phi, mu)
        R = np.einsum("sai,hi->hsa", phi, theta)
        # The product of valid inputs can miss 0 or 1 by a rounding error (a signed mu can give
        # P = -1e-17 where the exact value is 0); only such misses, below 1e-12, are rounded to the
        # boundary. A larger miss is an error.
        try:
            tab = FiniteHorizonMDP(
                P=np.where((P < 0) & (P > -1e-12), 0.0, P),
                R=np.clip(R, 0.0, 1.0) if np.all((R > -1e-12) & (R < 1 + 1e-12)) else R,
                initial=self.initial,
                reward_model=self.reward_model,
                reward_std=self.reward_std,
            )
        except ValueError as err:
            raise ValueError(f"features, mu, theta: the induced linear MDP is invalid: {err}") from None
        object.__setattr__(self, "features", phi)
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "theta", theta)
        object.__setattr__(self, "initial", tab.initial)
        object.__setattr__(self, "reward_std", tab.reward_std)
        object.__setattr__(self, "tabular", tab)

    @property
    def horizon(self) -> int:
        return self.mu.shape[0]

    @property
    def n_states(self) -> int:
        return self.features.shape[0]

    @property
    def n_actions(self) -> int:
        return self.features.shape[1]

    @property
    def dim(self) -> int:
        return self.features.shape[2]


def one_hot_linear_mdp(mdp: FiniteHorizonMDP) -> LinearMDP:
    """Embed a tabular finite-horizon MDP as a linear MDP with one-hot features (d = S * A).

    ``features[s, a] = e_{s*A + a}``, ``mu[h, s*A + a] = P[h, s, a]``, ``theta[h, s*A + a] = R[h, s, a]``.
    ``one_hot_linear_mdp(m).tabular`` has the same P and R as ``m``.
    """
    if not isinstance(mdp, FiniteHorizonMDP):
        raise TypeError(f"mdp: expected a FiniteHorizonMDP, got {type(mdp).__name__}")
    H, S, A = mdp.R.shape
    v.check_allocation("mdp", (S * A) ** 2 + 4 * H * S * A * S, 8,
                       "entries of the one-hot features (S A)^2 and of the induced P")
    features = np.eye(S * A).reshape(S, A, S * A)
    mu = mdp.P.reshape(H, S * A, S)
    theta = mdp.R.reshape(H, S * A)
    return LinearMDP(features, mu, theta, mdp.initial, mdp.reward_model, mdp.reward_std)


def finite_horizon(mdp: DiscountedMDP, horizon: int) -> FiniteHorizonMDP:
    """The undiscounted H-step truncation of a discounted MDP (stationary P and R).

    ``P[h] = mdp.P`` and ``R[h] = mdp.R`` for every step h; ``gamma`` is dropped (the values are
    undiscounted sums of H rewards, in [0, H]).

    Examples
    --------
    >>> from mdps import finite_horizon
    >>> from mdps.instances.classic import chain_mdp
    >>> finite_horizon(chain_mdp(n_states=3), horizon=4).P.shape
    (4, 3, 2, 3)
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    H = v.positive_int("horizon", horizon)
    S, A = mdp.R.shape
    v.check_allocation("horizon", H * S * A * S, 8, "entries of P (H S A S)")
    return FiniteHorizonMDP(
        P=np.broadcast_to(mdp.P, (H,) + mdp.P.shape),
        R=np.broadcast_to(mdp.R, (H,) + mdp.R.shape),
        initial=mdp.initial,
        reward_model=mdp.reward_model,
        reward_std=mdp.reward_std,
    )


def policy_matrix(policy, n_actions: int) -> np.ndarray:
    """A policy as action probabilities ``pi[..., a]``.

    A deterministic policy (int array ``pi[s]`` or ``pi[h, s]``) becomes one-hot rows; a
    stochastic policy (float array whose last axis has length ``n_actions``) is checked and
    returned as a read-only float64 array.
    """
    n_actions = v.positive_int("n_actions", n_actions)
    arr = v.real_array("policy", policy)
    if arr.dtype.kind in "iu":
        pi = v.int_array("policy", arr, high=n_actions)
        v.check_allocation("n_actions", pi.size * n_actions, 8, "entries of the policy's probabilities")
        out = np.zeros(pi.shape + (n_actions,))
        np.put_along_axis(out, pi[..., None], 1.0, axis=-1)
        out.setflags(write=False)
        return out
    out = v.float_array("policy", arr)
    if out.ndim == 0 or out.shape[-1] != n_actions:
        raise ValueError(
            f"policy: expected an int array of actions or probabilities with last axis {n_actions}, "
            f"got dtype {arr.dtype} and shape {arr.shape}"
        )
    v.check_simplex("policy", out)
    return out


def deterministic_policy(policy) -> np.ndarray:
    """A stochastic policy whose rows are one-hot, as an int array of actions.

    Raises ``ValueError`` when a row puts mass on more than one action: use ``argmax`` yourself
    if a greedy choice is what you want.
    """
    arr = v.real_array("policy", policy)
    if arr.dtype.kind in "iu":
        return v.int_array("policy", arr)
    pi = v.float_array("policy", arr)
    if pi.ndim == 0 or pi.shape[-1] == 0:
        raise ValueError(f"policy: expected an array of shape (..., A) with A >= 1, got shape {pi.shape}")
    v.check_simplex("policy", pi)
    if np.any((pi > v.SIMPLEX_ATOL) & (pi < 1 - v.SIMPLEX_ATOL)):
        raise ValueError("policy: expected one-hot rows (a deterministic policy), got a stochastic row")
    return np.argmax(pi, axis=-1)


def softmax_policy(logits) -> np.ndarray:
    """The softmax (Gibbs) policy of a table of logits.

    ``pi(a|s) = exp(z[s, a]) / sum_b exp(z[s, b])``, computed stably by subtracting each row's
    maximum first (so large logits do not overflow). This is the tabular softmax / log-linear
    policy class of HAC/HNPG (``provable_rl.hnpg``) and of the optimistic actor-critic's actor
    (``provable_rl.optimistic_ac``).

    Parameters
    ----------
    logits : float array (..., A)
        Finite logits ``z``; usually (S, A). The softmax is taken along the last axis.

    Returns
    -------
    array, same shape as ``logits``
        Each row along the last axis is a probability vector (strictly positive).

    Raises
    ------
    ValueError
        If ``logits`` is not at least 1-d, has no action, or holds NaN / inf.

    Examples
    --------
    >>> import numpy as np
    >>> softmax_policy([[0.0, 0.0], [0.0, np.log(3.0)]]).round(3).tolist()
    [[0.5, 0.5], [0.25, 0.75]]
    """
    z = v.float_array("logits", logits)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"logits: expected an array of shape (..., A) with A >= 1, got shape {z.shape}")
    return _softmax(z)


def _softmax(z):
    """Unvalidated :func:`softmax_policy` for the algorithms' own logits (already finite arrays)."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
