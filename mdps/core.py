r"""The problems: frozen dataclasses of validated numpy arrays.

Notation used throughout the project (the full data model is in :ref:`conventions`):

- ``S`` states, ``A`` actions, ``H`` the horizon of a finite-horizon problem, ``d`` a feature
  dimension, ``gamma`` (:math:`\gamma`) the discount factor.
- ``P[s, a, s']`` (discounted) or ``P[h, s, a, s']`` (finite horizon): transition probabilities
  :math:`P(s' \mid s, a)` or :math:`P_h(s' \mid s, a)`; the last axis is the next state.
- ``R[s, a]`` or ``R[h, s, a]``: mean rewards in [0, 1]. Realised rewards are Bernoulli with
  these means (``reward_model="bernoulli"``, the default) or Gaussian with standard deviation
  ``reward_std`` (``reward_model="gaussian"``).
- ``initial[s]``: the initial-state distribution (the papers' :math:`\rho` or :math:`\mu_0`).
- A deterministic policy is an int array ``pi[s]`` (or ``pi[h, s]``); a stochastic one is a
  float array ``pi[s, a]`` (or ``pi[h, s, a]``) with rows on the simplex.
  :func:`policy_matrix` turns the first into the second; :func:`softmax_policy` maps logits
  to a stochastic policy.

Every array is copied, checked (shape, finiteness, simplex rows, rewards in [0, 1]) and made
read-only at construction; a finite-horizon ``P`` or ``R`` given as a broadcast along the step
axis (``np.broadcast_to``, as :func:`finite_horizon` makes them) is stored once, as such a view. Quantities asked for often (:math:`V^\star`, :math:`Q^\star`, gaps)
are cached on the instance.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import _validation as v

REWARD_MODELS = ("bernoulli", "gaussian")


def _per_step_array(name: str, value, ndim: int, shape: tuple | None = None, like: str | None = None) -> np.ndarray:
    """``v.float_array(name, value, ndim=ndim)``, kept as a read-only broadcast view when ``value`` is one.

    A numpy array whose step axis (axis 0) has stride 0, as ``np.broadcast_to(P, (H,) + P.shape)``
    makes it, holds one step's numbers for every step: only that step is copied and checked, and the
    result repeats it with stride 0 again, so a stationary problem stores its P once (H S A S floats
    would be 16 GB at H = 50, S = 2000, A = 10)."""
    if isinstance(value, np.ndarray) and value.ndim == ndim and value.shape[0] > 1 and value.strides[0] == 0 \
            and (shape is None or value.shape == shape):
        step = v.float_array(name, value[0], ndim=ndim - 1)
        return np.broadcast_to(step, value.shape)  # read-only
    return v.float_array(name, value, ndim=ndim, shape=shape, like=like)


def _packed_transitions(P: np.ndarray) -> np.ndarray:
    """The samplers' packed alias tables of ``P`` (L, S, A, S), read-only (built by :mod:`mdps.sampling`)."""
    from .sampling import packed_alias_table

    table = packed_alias_table(P)
    table.setflags(write=False)
    return table


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
    r"""A finite discounted MDP.

    The value of a policy :math:`\pi` is
    :math:`V^\pi(s) = \mathbb{E}^\pi[\sum_{t \ge 0} \gamma^t r_t \mid s_0 = s]`, and the optimal
    values solve the Bellman optimality equations

    .. math::

        Q^\star(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V^\star(s'),
        \qquad V^\star(s) = \max_a Q^\star(s, a).

    Since rewards lie in [0, 1], every value lies in
    :math:`[0, V_{\max}]` with :math:`V_{\max} = 1 / (1 - \gamma)`. The exact solution (policy
    iteration, :func:`mdps.planning.solve`) is computed on first use and cached:
    :attr:`optimal_values`, :attr:`optimal_q`, :attr:`optimal_policy`, :attr:`gaps`.

    Parameters
    ----------
    P : array (S, A, S)
        Transition probabilities ``P[s, a, s']`` :math:`= P(s' \mid s, a)`; every row
        ``P[s, a]`` sums to 1 (within 1e-8).
    R : array (S, A)
        Mean rewards ``R[s, a]`` in [0, 1].
    gamma : float
        Discount factor :math:`\gamma` in [0, 1).
    initial : array (S,)
        Initial-state distribution :math:`\rho` (a probability vector).
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean: Bernoulli with mean ``R[s, a]``, or
        Gaussian with mean ``R[s, a]`` and standard deviation ``reward_std``.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards (> 0); ignored for Bernoulli rewards, but must
        still be a finite number >= 0.

    Raises
    ------
    ValueError
        If a shape does not match, a row of ``P`` or ``initial`` is not a probability vector, a
        reward leaves [0, 1], ``gamma`` is outside [0, 1) or an entry is NaN or inf.
    TypeError
        If an argument is not numeric (a bool, a string, None, a complex number).

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
        """The number of states ``S``."""
        return self.P.shape[0]

    @property
    def n_actions(self) -> int:
        """The number of actions ``A``."""
        return self.P.shape[1]

    @property
    def max_value(self) -> float:
        r""":math:`V_{\max} = 1 / (1 - \gamma)`, the largest possible value."""
        return 1.0 / (1.0 - self.gamma)

    @cached_property
    def solution(self):
        """The exact optimal solution (policy iteration), cached: a :class:`mdps.planning.PlanningResult`."""
        from .planning import solve

        return solve(self, method="pi")

    @cached_property
    def _sampling_tables(self):
        """``(P_table, R)`` for the samplers, one layer: packed alias tables of P, built once per MDP."""
        return _packed_transitions(self.P[None]), self.R[None]

    @property
    def optimal_values(self) -> np.ndarray:
        r""":math:`V^\star(s)`, shape (S,)."""
        return self.solution.values

    @property
    def optimal_q(self) -> np.ndarray:
        r""":math:`Q^\star(s, a)`, shape (S, A)."""
        return self.solution.q_values

    @property
    def optimal_policy(self) -> np.ndarray:
        r"""An optimal deterministic policy :math:`\pi^\star(s)`, int array of shape (S,)."""
        return self.solution.policy

    @property
    def gaps(self) -> np.ndarray:
        r"""Action gaps :math:`V^\star(s) - Q^\star(s, a) \ge 0`, shape (S, A)."""
        return self.solution.gaps


@dataclass(frozen=True, eq=False)
class FiniteHorizonMDP:
    r"""A finite-horizon, time-inhomogeneous MDP with steps :math:`h = 0, \dots, H-1`.

    An episode starts in :math:`s_0 \sim` ``initial`` and takes ``H`` steps; the value of a
    policy is the undiscounted sum :math:`V^\pi_h(s) = \mathbb{E}^\pi[\sum_{k=h}^{H-1} r_k \mid s_h = s]`.
    The optimal values follow from backward induction,

    .. math::

        V^\star_H = 0, \qquad
        Q^\star_h(s, a) = R_h(s, a) + \sum_{s'} P_h(s' \mid s, a) V^\star_{h+1}(s'), \qquad
        V^\star_h(s) = \max_a Q^\star_h(s, a),

    computed exactly on first use and cached (:attr:`optimal_values` has ``H + 1`` rows, the last
    one 0).

    Parameters
    ----------
    P : array (H, S, A, S)
        ``P[h, s, a, s']`` :math:`= P_h(s' \mid s, a)`, the law of the state at step h+1; every
        row ``P[h, s, a]`` sums to 1. A stationary kernel given as ``np.broadcast_to(P1, (H,) + P1.shape)``
        (stride 0 along the steps) is checked and stored once (:attr:`stationary`).
    R : array (H, S, A)
        Mean rewards ``R[h, s, a]`` in [0, 1]; values therefore lie in [0, H]. A broadcast along
        the steps is stored once, as for ``P``.
    initial : array (S,)
        Distribution of the state at step 0.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean, as in :class:`DiscountedMDP`.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards, as in :class:`DiscountedMDP`.

    Raises
    ------
    ValueError
        If a shape does not match, a row of ``P`` or ``initial`` is not a probability vector or
        a reward leaves [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import FiniteHorizonMDP
    >>> P = np.ones((3, 1, 2, 1))  # one state, two actions, H = 3
    >>> mdp = FiniteHorizonMDP(P, R=np.full((3, 1, 2), [0.2, 0.7]), initial=[1.0])
    >>> mdp.optimal_values[:, 0].round(2).tolist()  # V*_h = 0.7 (H - h)
    [2.1, 1.4, 0.7, 0.0]
    """

    P: np.ndarray
    R: np.ndarray
    initial: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1

    def __post_init__(self):
        P = _per_step_array("P", self.P, 4)
        H, S, A, S2 = P.shape
        if S != S2 or min(H, S, A) == 0:
            raise ValueError(f"P: expected shape (H, S, A, S) with H, S, A >= 1, got {P.shape}")
        if P.strides[0] == 0:
            v.check_simplex("P", P[0], axis=2)
        else:
            v.check_simplex("P", P, axis=3)
        R = _per_step_array("R", self.R, 3, shape=(H, S, A), like="P")
        v.check_unit_interval("R", R[0] if R.strides[0] == 0 else R)
        initial = v.float_array("initial", self.initial, ndim=1, shape=(S,), like="P")
        v.check_simplex("initial", initial)
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "reward_std", _check_reward_model(self.reward_model, self.reward_std))

    @property
    def horizon(self) -> int:
        """The horizon ``H`` (number of steps of an episode)."""
        return self.P.shape[0]

    @property
    def stationary(self) -> bool:
        """Whether ``P`` and ``R`` are stored once for all steps (read-only broadcast views, stride 0).

        True for :func:`finite_horizon` and for arrays passed as ``np.broadcast_to(x, (H,) + x.shape)``;
        the memory is then that of one step.
        """
        return self.P.strides[0] == 0 and self.R.strides[0] == 0

    @cached_property
    def _sampling_tables(self):
        """``(P_table, R)`` for the samplers, built once per MDP: one layer when the problem is stationary."""
        if self.stationary:
            return _packed_transitions(self.P[:1]), self.R[:1]
        return _packed_transitions(self.P), self.R

    @property
    def n_states(self) -> int:
        """The number of states ``S``."""
        return self.P.shape[1]

    @property
    def n_actions(self) -> int:
        """The number of actions ``A``."""
        return self.P.shape[2]

    @property
    def max_value(self) -> float:
        r""":math:`V_{\max} = H`, the largest possible value."""
        return float(self.horizon)

    @cached_property
    def solution(self):
        """Exact backward induction, cached: a :class:`mdps.planning.PlanningResult`."""
        from .planning import solve

        return solve(self)

    @property
    def optimal_values(self) -> np.ndarray:
        r""":math:`V^\star_h(s)`, shape (H + 1, S); the last row is 0."""
        return self.solution.values

    @property
    def optimal_q(self) -> np.ndarray:
        r""":math:`Q^\star_h(s, a)`, shape (H, S, A)."""
        return self.solution.q_values

    @property
    def optimal_policy(self) -> np.ndarray:
        r"""An optimal deterministic policy :math:`\pi^\star_h(s)`, int array of shape (H, S)."""
        return self.solution.policy

    @property
    def gaps(self) -> np.ndarray:
        r""":math:`V^\star_h(s) - Q^\star_h(s, a) \ge 0`, shape (H, S, A)."""
        return self.solution.gaps


@dataclass(frozen=True, eq=False)
class MultiArmedBandit:
    r"""A K-armed bandit with mean rewards ``means[a]`` in [0, 1].

    Pulling arm :math:`a` pays a reward with mean :math:`r(a)` = ``means[a]``; the value of a
    (possibly randomised) choice :math:`\pi` is :math:`J(\pi) = \sum_a \pi(a) r(a)`, the optimal
    arm is :math:`a^\star = \arg\max_a r(a)` and the gaps are :math:`r(a^\star) - r(a)`.

    Parameters
    ----------
    means : array (A,)
        Mean reward of each arm, in [0, 1]; at least one arm.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean, as in :class:`DiscountedMDP`.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards, as in :class:`DiscountedMDP`.

    Examples
    --------
    >>> from mdps import MultiArmedBandit
    >>> bandit = MultiArmedBandit([0.2, 0.9, 0.5])
    >>> bandit.optimal_arm, bandit.gaps.round(2).tolist()
    (1, [0.7, 0.0, 0.4])
    """

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
        """The number of arms ``A``."""
        return self.means.shape[0]

    @property
    def optimal_arm(self) -> int:
        """The best arm (the lowest index among ties)."""
        return int(np.argmax(self.means))

    @property
    def gaps(self) -> np.ndarray:
        r"""Gaps :math:`\max_b r(b) - r(a) \ge 0`, shape (A,)."""
        return self.means.max() - self.means


@dataclass(frozen=True, eq=False)
class ContextualBandit:
    r"""A contextual bandit: contexts ``s ~ context_distribution``, mean rewards ``means[s, a]``.

    A round draws a context :math:`s \sim \rho`, the learner picks an action :math:`a`, and a
    reward with mean :math:`r(s, a)` is paid. A policy :math:`\pi(a \mid s)` earns
    :math:`J(\pi) = \sum_s \rho(s) \sum_a \pi(a \mid s) r(s, a)`; the optimal policy takes
    :math:`\arg\max_a r(s, a)` in each context. It is a one-step MDP: the same (S, A) shapes and
    policy conventions apply.

    Parameters
    ----------
    context_distribution : array (S,)
        The context distribution :math:`\rho`, a probability vector.
    means : array (S, A)
        Mean rewards ``means[s, a]`` in [0, 1]; at least one action.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean, as in :class:`DiscountedMDP`.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards, as in :class:`DiscountedMDP`.

    Examples
    --------
    >>> from mdps import ContextualBandit
    >>> cb = ContextualBandit([0.5, 0.5], [[0.1, 0.8], [0.6, 0.3]])
    >>> cb.optimal_policy.tolist()
    [1, 0]
    """

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
        """The number of contexts ``S``."""
        return self.means.shape[0]

    @property
    def n_actions(self) -> int:
        """The number of actions ``A``."""
        return self.means.shape[1]

    @property
    def optimal_policy(self) -> np.ndarray:
        """The best action of each context (lowest index among ties), int array of shape (S,)."""
        return np.argmax(self.means, axis=1)

    @property
    def gaps(self) -> np.ndarray:
        r"""Gaps :math:`\max_b r(s, b) - r(s, a) \ge 0`, shape (S, A)."""
        return self.means.max(axis=1, keepdims=True) - self.means


@dataclass(frozen=True, eq=False)
class LinearMDP:
    r"""A finite-horizon linear MDP over a finite state space.

    Transitions and mean rewards are linear in a known feature map
    :math:`\phi : \mathcal{S} \times \mathcal{A} \to \mathbb{R}^d`:

    .. math::

        P_h(s' \mid s, a) = \langle \phi(s, a), \mu_h(s') \rangle, \qquad
        R_h(s, a) = \langle \phi(s, a), \theta_h \rangle,

    i.e. ``P[h, s, a, s'] = features[s, a] @ mu[h, :, s']`` and
    ``R[h, s, a] = features[s, a] @ theta[h]``.

    Parameters
    ----------
    features : array (S, A, d)
        The feature map :math:`\phi(s, a)`.
    mu : array (H, d, S)
        The measures :math:`\mu_h`; each ``mu[h, i]`` is a signed measure over next states.
    theta : array (H, d)
        Reward parameters :math:`\theta_h`.
    initial : array (S,)
        Distribution of the state at step 0.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean, as in :class:`DiscountedMDP`.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards, as in :class:`DiscountedMDP`.

    Attributes
    ----------
    tabular : FiniteHorizonMDP
        The same problem as a tabular MDP (the induced ``P`` and ``R``); planning, sampling and
        evaluation of a linear MDP go through it.

    Raises
    ------
    ValueError
        If the induced ``P`` is not a valid transition kernel or the induced ``R`` leaves
        [0, 1] (a miss below 1e-12, a rounding error of the product, is rounded to the boundary).

    See Also
    --------
    one_hot_linear_mdp : a tabular MDP as a linear MDP with ``d = S A``.

    Examples
    --------
    >>> from mdps.instances import random_linear_mdp
    >>> lin = random_linear_mdp(n_states=6, n_actions=2, dim=3, horizon=4, rng=0)
    >>> lin.dim, lin.tabular.P.shape
    (3, (4, 6, 2, 6))
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
        """The horizon ``H``."""
        return self.mu.shape[0]

    @property
    def n_states(self) -> int:
        """The number of states ``S``."""
        return self.features.shape[0]

    @property
    def n_actions(self) -> int:
        """The number of actions ``A``."""
        return self.features.shape[1]

    @property
    def dim(self) -> int:
        """The feature dimension ``d``."""
        return self.features.shape[2]


def one_hot_linear_mdp(mdp: FiniteHorizonMDP) -> LinearMDP:
    r"""Embed a tabular finite-horizon MDP as a linear MDP with one-hot features (``d = S A``).

    With :math:`k = s A + a`, the features are :math:`\phi(s, a) = e_k`, and
    ``mu[h, k] = P[h, s, a]``, ``theta[h, k] = R[h, s, a]``, so that
    :math:`\langle \phi(s, a), \mu_h(s') \rangle = P_h(s' \mid s, a)` exactly: every tabular MDP is
    a linear MDP of dimension :math:`S A`.

    Parameters
    ----------
    mdp : FiniteHorizonMDP
        The tabular problem (its reward model is kept).

    Returns
    -------
    LinearMDP
        The same problem with one-hot features; ``one_hot_linear_mdp(m).tabular`` has the same
        ``P`` and ``R`` as ``m``.

    Raises
    ------
    TypeError
        If ``mdp`` is not a :class:`FiniteHorizonMDP`.
    ValueError
        If the features (``(S A)^2`` entries) would not fit in memory.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import one_hot_linear_mdp
    >>> from mdps.instances import random_finite_horizon_mdp
    >>> m = random_finite_horizon_mdp(n_states=3, n_actions=2, horizon=2, rng=0)
    >>> lin = one_hot_linear_mdp(m)
    >>> lin.dim, bool(np.allclose(lin.tabular.P, m.P))
    (6, True)
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
    r"""The undiscounted H-step truncation of a discounted MDP (stationary P and R).

    ``P[h] = mdp.P`` and ``R[h] = mdp.R`` for every step :math:`h < H`; :math:`\gamma` is
    dropped (the values are undiscounted sums of H rewards, in [0, H]).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem to truncate (initial distribution and reward model are kept).
    horizon : int >= 1
        The horizon ``H``.

    Returns
    -------
    FiniteHorizonMDP
        ``P`` of shape (H, S, A, S) and ``R`` of shape (H, S, A), the same at every step and
        stored once (read-only broadcast views of ``mdp.P`` and ``mdp.R``,
        :attr:`FiniteHorizonMDP.stationary`): H = 50, S = 2000, A = 10 takes the 320 MB of one
        step, not 16 GB.

    Raises
    ------
    TypeError
        If ``mdp`` is not a :class:`DiscountedMDP`.
    ValueError
        If ``horizon`` is not a positive integer, or H S A floats (its Q-values) would not fit in memory.

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
    # P and R are views; what its users allocate per step (Q-values, occupancies) must still fit.
    v.check_allocation("horizon", H * S * A, 8, "entries of the per-step arrays (H S A) of its solution")
    return FiniteHorizonMDP(
        P=np.broadcast_to(mdp.P, (H,) + mdp.P.shape),
        R=np.broadcast_to(mdp.R, (H,) + mdp.R.shape),
        initial=mdp.initial,
        reward_model=mdp.reward_model,
        reward_std=mdp.reward_std,
    )


def policy_matrix(policy, n_actions: int) -> np.ndarray:
    r"""A policy as action probabilities ``pi[..., a]``.

    A deterministic policy (int array ``pi[s]`` or ``pi[h, s]``) becomes one-hot rows,
    :math:`\pi(a \mid s) = \mathbb{1}\{a = \pi(s)\}`; a stochastic policy (float array whose last
    axis has length ``n_actions``) is checked and returned as a read-only float64 array.

    Parameters
    ----------
    policy : int array (...,) or float array (..., A)
        Actions in ``[0, n_actions)`` (integer dtype), or probability rows (float dtype) whose
        last axis has length ``n_actions`` and sums to 1.
    n_actions : int >= 1
        The number of actions ``A``.

    Returns
    -------
    numpy.ndarray
        Read-only float64 probabilities of shape ``policy.shape + (A,)`` (deterministic input)
        or ``policy.shape`` (stochastic input).

    Raises
    ------
    ValueError
        If an action is out of range, a row is not a probability vector, or the last axis of a
        float policy is not ``n_actions``.

    See Also
    --------
    deterministic_policy : the inverse for one-hot rows.

    Examples
    --------
    >>> policy_matrix([1, 0], n_actions=3).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
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

    The inverse of :func:`policy_matrix` on deterministic policies. It does not pick a greedy
    action: use ``argmax`` yourself if that is what you want.

    Parameters
    ----------
    policy : float array (..., A) or int array (...,)
        Probability rows that are one-hot (within 1e-8), or already an int array of actions
        (returned checked, as int64).

    Returns
    -------
    numpy.ndarray
        Int array of actions of shape ``policy.shape[:-1]`` (for probability rows).

    Raises
    ------
    ValueError
        If a row is not a probability vector or puts mass on more than one action.

    Examples
    --------
    >>> deterministic_policy([[0.0, 1.0], [1.0, 0.0]]).tolist()
    [1, 0]
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
    r"""The softmax (Gibbs) policy of a table of logits.

    .. math::

        \pi(a \mid s) = \frac{\exp z(s, a)}{\sum_b \exp z(s, b)},

    computed stably by subtracting each row's maximum first (so large logits do not overflow). This is the tabular softmax / log-linear
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
