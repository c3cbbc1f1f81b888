r"""Converters in and out: pymdptoolbox arrays, Gymnasium toy-text ``P`` dicts, Gymnasium environments.

- :func:`from_mdptoolbox` reads pymdptoolbox's layout (transitions ``(A, S, S)``, rewards
  ``(S,)``, ``(S, A)`` or ``(A, S, S)``) and :func:`to_mdptoolbox` writes it. pymdptoolbox itself
  is not needed.
- :func:`from_gymnasium` reads the ``P`` dict of Gymnasium's toy-text environments
  (``{s: {a: [(prob, s_next, reward, terminated), ...]}}``: FrozenLake, CliffWalking, and Taxi
  with ``terminal="sink"``) or the environment itself.
- :func:`to_gymnasium` wraps any tabular MDP of :mod:`mdps.core` as a ``gymnasium.Env`` for a
  class or for code written against Gymnasium. Gymnasium is an optional extra
  (``pip install provable-rl[gym]``), imported only inside this function.

Rewards here are means in [0, 1]. Rewards outside [0, 1] (CliffWalking pays -1 per step and
-100 for the cliff) are never rescaled silently: pass ``reward_range=(low, high)`` and every
reward :math:`r` becomes :math:`(r - \ell) / (u - \ell)` with :math:`(\ell, u)` = ``(low, high)``.
An affine map of the rewards maps every policy's value the same way,
:math:`V'(s) = (V(s) - \ell / (1 - \gamma)) / (u - \ell)`, so optimal policies, gaps (up to the
factor :math:`1 / (u - \ell)`) and orderings of policies are preserved.
"""
from __future__ import annotations

import functools
import numbers

import numpy as np

from . import _validation as v
from .core import DiscountedMDP, FiniteHorizonMDP, LinearMDP
from .sampling import cdf


def _reward_range(reward_range) -> tuple[float, float] | None:
    if reward_range is None:
        return None
    if isinstance(reward_range, (str, bytes)):
        raise v.ArgumentTypeError(f"reward_range: expected a pair (low, high) of numbers, got {reward_range!r}")
    try:
        low, high = (v.real_number("reward_range", x, "a pair (low, high) of numbers") for x in reward_range)
    except v.ArgumentTypeError:
        raise
    except (TypeError, ValueError):
        raise ValueError(f"reward_range: expected a pair (low, high) of numbers, got {reward_range!r}") from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"reward_range: expected finite low < high, got {reward_range!r}")
    return low, high


def _rescale(rewards: np.ndarray, bounds, what: str) -> np.ndarray:
    """Map rewards affinely from ``bounds`` to [0, 1], or check they are in [0, 1] already."""
    if bounds is None:
        bad = (rewards < 0) | (rewards > 1)
        if np.any(bad):
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{what}: expected rewards in [0, 1], got {rewards[idx]!r} at {idx}; pass "
                "reward_range=(low, high) to rescale them affinely to [0, 1]"
            )
        return rewards
    low, high = bounds
    bad = (rewards < low) | (rewards > high)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"reward_range: expected every reward within [{low}, {high}], got {rewards[idx]!r} at {idx} of {what}"
        )
    return (rewards - low) / (high - low)


def _initial(initial, n_states: int) -> np.ndarray:
    if initial is None:
        return np.full(n_states, 1.0 / n_states)
    init = v.float_array("initial", initial, ndim=1, shape=(n_states,))
    v.check_simplex("initial", init)
    return init


# --------------------------------------------------------------------------------------------
# pymdptoolbox
# --------------------------------------------------------------------------------------------

def from_mdptoolbox(transitions, rewards, gamma: float, *, initial=None, reward_range=None,
                    reward_model: str = "bernoulli", reward_std: float = 0.1) -> DiscountedMDP:
    r"""A :class:`DiscountedMDP` from pymdptoolbox's array layout.

    pymdptoolbox puts the action first, ``transitions[a, s, s']``; this package puts it second,
    ``P[s, a, s']``. pymdptoolbox itself is not needed.

    Parameters
    ----------
    transitions : array (A, S, S), or a sequence of A (S, S) arrays or scipy sparse matrices
        ``transitions[a, s, s']``; every row sums to 1 (checked, never renormalised).
    rewards : array (S,), (S, A) or (A, S, S)
        pymdptoolbox's three reward layouts: per state ``r[s]``, per pair ``R[s, a]``, or per
        transition ``R[a, s, s']`` (averaged over :math:`s'` with the transition probabilities).
    gamma : float in [0, 1)
        Discount factor.
    initial : array (S,), optional
        Initial-state distribution (pymdptoolbox has none); default uniform.
    reward_range : (low, high), optional
        Rescale rewards affinely from [low, high] to [0, 1]. Without it, (mean) rewards outside
        [0, 1] raise ``ValueError``.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean, as in :class:`DiscountedMDP`.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards, as in :class:`DiscountedMDP`.

    Returns
    -------
    DiscountedMDP
        ``P[s, a, s'] = transitions[a, s, s']`` and the (rescaled) mean rewards ``R[s, a]``.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps.converters import from_mdptoolbox
    >>> T = np.array([[[0.5, 0.5], [0.8, 0.2]], [[0.0, 1.0], [0.1, 0.9]]])  # mdptoolbox's small()
    >>> mdp = from_mdptoolbox(T, np.array([[5, 10], [-1, 2]]), gamma=0.9, reward_range=(-1, 10))
    >>> mdp.optimal_policy
    array([1, 0])
    """
    if isinstance(transitions, (list, tuple)):
        transitions = [t.toarray() if hasattr(t, "toarray") else t for t in transitions]
    T = v.float_array("transitions", transitions, ndim=3)
    A, S, S2 = T.shape
    if S != S2 or min(A, S) == 0:
        raise ValueError(f"transitions: expected shape (A, S, S) with A, S >= 1, got {T.shape}")
    v.check_simplex("transitions", T, axis=2)
    bounds = _reward_range(reward_range)
    r = v.float_array("rewards", rewards)
    if r.shape == (S,):
        R = np.repeat(r[:, None], A, axis=1)
    elif r.shape == (S, A):
        R = r
    elif r.shape == (A, S, S):
        # The affine rescaling commutes with this average (rows of T sum to 1).
        R = np.einsum("ast,ast->sa", T, r)
    else:
        raise ValueError(f"rewards: expected shape ({S},), ({S}, {A}) or ({A}, {S}, {S}) (from transitions), got {r.shape}")
    R = _rescale(np.array(R), bounds, "rewards")
    return DiscountedMDP(np.transpose(T, (1, 0, 2)), R, gamma, _initial(initial, S),
                         reward_model=reward_model, reward_std=reward_std)


def to_mdptoolbox(mdp: DiscountedMDP) -> tuple[np.ndarray, np.ndarray]:
    """An MDP in pymdptoolbox's layout, the inverse of :func:`from_mdptoolbox`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem (``gamma`` and ``initial`` are not part of pymdptoolbox's arrays).

    Returns
    -------
    transitions : numpy.ndarray
        Shape (A, S, S), ``transitions[a, s, s'] = P[s, a, s']`` (a fresh array).
    rewards : numpy.ndarray
        Shape (S, A), the mean rewards (a fresh array).

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> T, R = to_mdptoolbox(chain_mdp(n_states=4))
    >>> T.shape, R.shape
    ((2, 4, 4), (4, 2))
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    return np.ascontiguousarray(np.transpose(mdp.P, (1, 0, 2))), np.array(mdp.R)


# --------------------------------------------------------------------------------------------
# Gymnasium toy-text P dicts
# --------------------------------------------------------------------------------------------

def from_gymnasium(env_or_P, gamma: float, *, initial=None, reward_range=None, terminal: str = "absorb",
                   reward_model: str = "bernoulli", reward_std: float = 0.1) -> DiscountedMDP:
    r"""A :class:`DiscountedMDP` from a Gymnasium toy-text environment or its ``P`` dict.

    ``P[s][a]`` is a list of ``(prob, s_next, reward, terminated)``; entries with the same
    ``s_next`` add up. The mean reward is :math:`R(s, a) = \sum \text{prob} \cdot \text{reward}`
    over the list. Termination becomes
    absorption: a state entered by a terminating transition is made absorbing (a self-loop under
    every action) with reward 0 in the original units, i.e. ``-low / (high - low)`` after
    rescaling, so that every policy's discounted value is the affine image of its value in the
    episodic environment. The rows the dict gives for such a state (which Gymnasium never uses)
    are ignored. A state entered both by terminating and by non-terminating transitions has no
    such reading and raises ``ValueError``; use ``terminal="sink"`` for such environments (Taxi):
    every terminating transition then leads to one added absorbing state, index ``S``, with the
    same zero reward, and all the original states keep their rows and indices.

    The realised rewards of the result are Bernoulli (or Gaussian) around these means, not the
    environment's rewards; means, values and policies agree, reward noise does not.

    Parameters
    ----------
    env_or_P : gymnasium.Env or dict
        An environment whose ``unwrapped`` has a ``P`` dict (FrozenLake, CliffWalking, Taxi), or
        the dict itself, with states ``0 .. S-1`` and actions ``0 .. A-1`` as keys.
    gamma : float in [0, 1)
        Discount factor of the result.
    initial : array (S,), optional
        Initial distribution; default the environment's ``initial_state_distrib`` if it has one,
        else uniform.
    reward_range : (low, high), optional
        Required when rewards leave [0, 1]: each reward r becomes ``(r - low) / (high - low)``
        (CliffWalking: ``reward_range=(-100, 0)``). Never applied unless passed.
    terminal : {"absorb", "sink"}, default "absorb"
        How termination becomes absorption (see above). "sink" gives ``S + 1`` states.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        Distribution of a realised reward around its mean, as in :class:`DiscountedMDP`.
    reward_std : float, default 0.1
        Standard deviation of Gaussian rewards, as in :class:`DiscountedMDP`.

    Returns
    -------
    DiscountedMDP
        ``S`` states (``S + 1`` with ``terminal="sink"``), the environment's actions, and mean
        rewards in [0, 1].

    Raises
    ------
    ValueError
        If the dict is malformed, a reward leaves [0, 1] without ``reward_range`` (or leaves the
        range given), or a state is entered both by terminating and by non-terminating
        transitions with ``terminal="absorb"``.
    TypeError
        If ``env_or_P`` is neither a dict nor an environment with a ``P`` dict.

    Examples
    --------
    >>> import gymnasium as gym  # doctest: +SKIP
    >>> from mdps.converters import from_gymnasium
    >>> mdp = from_gymnasium(gym.make("CliffWalking-v1"), gamma=0.95, reward_range=(-100, 0))  # doctest: +SKIP
    """
    P_dict = env_or_P
    if not isinstance(env_or_P, dict):
        unwrapped = getattr(env_or_P, "unwrapped", env_or_P)
        P_dict = getattr(unwrapped, "P", None)
        if not isinstance(P_dict, dict):
            raise TypeError(
                f"env_or_P: expected a dict or a toy-text environment with a P dict, got {type(env_or_P).__name__}"
            )
        if initial is None and getattr(unwrapped, "initial_state_distrib", None) is not None:
            initial = np.asarray(unwrapped.initial_state_distrib, dtype=np.float64)
    S = len(P_dict)
    keys = list(P_dict)
    if S == 0 or any(v.is_bool(k) or not isinstance(k, numbers.Integral) for k in keys) \
            or sorted(keys) != list(range(S)):
        raise ValueError(f"env_or_P: expected states 0 .. S-1 as keys, got {keys[:5]}...")
    if not all(isinstance(P_dict[s], dict) for s in range(S)):
        raise ValueError("env_or_P: expected a dict {action: [(prob, s_next, reward, terminated), ...]} for every state")
    A = len(P_dict[0])
    if A == 0:
        raise ValueError("env_or_P: expected at least one action, got none in state 0")
    if terminal not in ("absorb", "sink"):
        raise ValueError(f"terminal: expected 'absorb' or 'sink', got {terminal!r}")
    sink = terminal == "sink"
    bounds = _reward_range(reward_range)
    n_out = S + 1 if sink else S
    v.check_allocation("env_or_P", n_out * A * n_out * 2, 8, "entries of P (S A S) and its copy")
    P = np.zeros((n_out, A, n_out))
    R = np.zeros((n_out, A))
    entered_terminal = np.zeros(n_out, dtype=bool)
    entered_otherwise = np.zeros(n_out, dtype=bool)
    for s in range(S):
        actions = P_dict[s]
        if any(v.is_bool(b) or not isinstance(b, numbers.Integral) for b in actions) \
                or sorted(actions) != list(range(A)):
            raise ValueError(f"env_or_P: expected actions 0 .. {A - 1} in state {s}, got {sorted(actions)}")
        for a in range(A):
            for entry in actions[a]:
                try:
                    prob, s_next, reward, terminated = entry
                except (TypeError, ValueError):
                    raise ValueError(
                        f"env_or_P: expected (prob, s_next, reward, terminated) tuples, got {entry!r} at ({s}, {a})"
                    ) from None
                if v.is_bool(prob) or v.is_bool(reward) or not isinstance(prob, numbers.Real) \
                        or not isinstance(reward, numbers.Real):
                    raise ValueError(
                        f"env_or_P: expected a real probability and reward, got {entry!r} at ({s}, {a})"
                    )
                prob, reward = float(prob), float(reward)
                if v.is_bool(s_next) or not (isinstance(s_next, numbers.Integral) and 0 <= s_next < S):
                    raise ValueError(f"env_or_P: expected a next state in 0 .. {S - 1}, got {s_next!r} at ({s}, {a})")
                if not (np.isfinite(prob) and np.isfinite(reward)):
                    raise ValueError(f"env_or_P: expected finite probabilities and rewards, got {entry!r} at ({s}, {a})")
                if bounds is not None and not (bounds[0] <= reward <= bounds[1]):
                    raise ValueError(
                        f"reward_range: expected every reward within {bounds}, got {reward!r} at ({s}, {a})"
                    )
                if not isinstance(terminated, (bool, np.bool_)):
                    raise ValueError(f"env_or_P: expected terminated True or False, got {entry!r} at ({s}, {a})")
                target = S if (sink and terminated) else int(s_next)
                P[s, a, target] += prob
                R[s, a] += prob * reward
                if prob > 0:
                    (entered_terminal if terminated else entered_otherwise)[target] = True
    ambiguous = entered_terminal & entered_otherwise
    if np.any(ambiguous):
        raise ValueError(
            f"env_or_P: state {int(np.argmax(ambiguous))} is entered by terminating and by "
            "non-terminating transitions, so it cannot be made absorbing; pass terminal='sink'"
        )
    if sink:
        entered_terminal[S] = True  # the sink is absorbing even if nothing terminates
    absorbing = np.flatnonzero(entered_terminal)
    # The rows of absorbing states are replaced before any check: Gymnasium never uses them.
    P[absorbing] = 0.0
    P[absorbing, :, absorbing] = 1.0
    v.check_simplex("env_or_P (transition probabilities)", P, axis=2)
    # Rewards were checked one by one above. The mean divides by the row's total probability
    # (within 1e-8 of 1), so that a mean of rewards in [low, high] cannot leave it by rounding.
    R = R / P.sum(axis=2)
    zero = 0.0
    if bounds is not None:
        low, high = bounds
        if not low <= 0.0 <= high and absorbing.size:
            raise ValueError(
                f"reward_range: expected low <= 0 <= high so that absorbing states keep reward 0, got {bounds}"
            )
        R = (R - low) / (high - low)
        zero = -low / (high - low)
    R[absorbing] = zero
    bad = (R < 0) | (R > 1)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"env_or_P: expected mean rewards in [0, 1], got {R[idx]!r} at {idx}; pass "
            "reward_range=(low, high) to rescale them affinely to [0, 1]"
        )
    start = _initial(initial, S)
    if sink:
        start = np.append(start, 0.0)
    return DiscountedMDP(P, R, gamma, start, reward_model=reward_model, reward_std=reward_std)


# --------------------------------------------------------------------------------------------
# Out: a Gymnasium environment
# --------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _env_class():
    import gymnasium
    from gymnasium import spaces

    class TabularMDPEnv(gymnasium.Env):
        """A tabular MDP of :mod:`mdps` as a Gymnasium environment (see :func:`to_gymnasium`)."""

        metadata = {"render_modes": []}

        def __init__(self, mdp, n_steps):
            self.mdp = mdp
            tab = mdp.tabular if isinstance(mdp, LinearMDP) else mdp
            if isinstance(tab, DiscountedMDP):
                self._P, self._R, self.gamma = tab.P[None], tab.R[None], tab.gamma
            else:
                self._P, self._R, self.gamma = tab.P, tab.R, 1.0
            self._P_cdf = cdf(self._P)
            self._initial_cdf = cdf(tab.initial)
            self._gaussian = tab.reward_model == "gaussian"
            self._std = tab.reward_std
            self.n_steps = n_steps
            self.observation_space = spaces.Discrete(tab.n_states)
            self.action_space = spaces.Discrete(tab.n_actions)
            self._state = None
            self._step = 0

        def _draw(self, cdf_row):
            return int(np.searchsorted(cdf_row, self.np_random.random(), side="right"))

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            self._state = self._draw(self._initial_cdf)
            self._step = 0
            return self._state, {"step": 0}

        def step(self, action):
            if self._state is None:
                raise RuntimeError("step: call reset() first (or again after a truncated episode)")
            if isinstance(action, (bool, np.bool_)) or not isinstance(action, (numbers.Integral, np.integer)) \
                    or not 0 <= int(action) < self.action_space.n:
                raise ValueError(f"action: expected an int in 0 .. {self.action_space.n - 1}, got {action!r}")
            a = int(action)
            layer = min(self._step, self._P.shape[0] - 1)
            s = self._state
            mean = self._R[layer, s, a]
            if self._gaussian:
                reward = float(mean + self._std * self.np_random.standard_normal())
            else:
                reward = 1.0 if self.np_random.random() < mean else 0.0
            s_next = self._draw(self._P_cdf[layer, s, a])
            self._step += 1
            truncated = self.n_steps is not None and self._step >= self.n_steps
            self._state = None if truncated else s_next
            return s_next, reward, False, truncated, {"step": self._step}

    return TabularMDPEnv


def to_gymnasium(mdp, *, n_steps: int | None = None):
    """``mdp`` as a ``gymnasium.Env`` with ``Discrete(S)`` observations and ``Discrete(A)`` actions.

    The environment samples exactly this package's model: ``s_0 ~ initial``, ``s' ~ P[h, s, a]``
    and a reward drawn from the MDP's reward model (Bernoulli with mean ``R``, or Gaussian) using
    the environment's ``np_random`` (seeded by ``reset(seed=...)``). It never sets
    ``terminated``; an episode is ``truncated`` after ``n_steps`` steps. A
    :class:`FiniteHorizonMDP` (or :class:`LinearMDP`) truncates at its horizon H, and the step
    ``h`` (needed by a time-inhomogeneous policy) is in ``info["step"]``; a discounted MDP runs
    forever unless ``n_steps`` is given, and its ``gamma`` is the env attribute ``gamma`` (the
    environment itself does not discount). Stepping after truncation raises until ``reset``.

    Gymnasium is an optional dependency (``pip install provable-rl[gym]``).

    Parameters
    ----------
    mdp : DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem to simulate.
    n_steps : int, optional
        Truncation length: must be H (or None) for a finite-horizon MDP; for a discounted MDP,
        None (the default) never truncates.

    Returns
    -------
    gymnasium.Env
        An environment with ``Discrete(S)`` observations and ``Discrete(A)`` actions, and
        attributes ``mdp``, ``gamma`` (1.0 in finite horizon) and ``n_steps``.

    Raises
    ------
    ImportError
        If Gymnasium is not installed.

    Examples
    --------
    >>> from mdps.converters import to_gymnasium
    >>> from mdps.instances.classic import gridworld
    >>> env = to_gymnasium(gridworld(), n_steps=50)  # doctest: +SKIP
    >>> state, info = env.reset(seed=0)  # doctest: +SKIP
    """
    try:
        cls = _env_class()
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("to_gymnasium needs gymnasium: pip install 'provable-rl[gym]'") from err
    if isinstance(mdp, (FiniteHorizonMDP, LinearMDP)):
        H = mdp.horizon
        if n_steps is not None and v.positive_int("n_steps", n_steps) != H:
            raise ValueError(f"n_steps: expected the horizon {H} (or None) for a finite-horizon MDP, got {n_steps}")
        n_steps = H
    elif isinstance(mdp, DiscountedMDP):
        n_steps = None if n_steps is None else v.positive_int("n_steps", n_steps)
    else:
        raise TypeError(f"mdp: expected a DiscountedMDP, FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}")
    return cls(mdp, n_steps)
