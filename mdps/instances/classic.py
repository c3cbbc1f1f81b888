"""Small classic problems for teaching and for the papers' qualitative experiments."""
from __future__ import annotations

import numpy as np

from .. import _validation as v
import scipy.sparse

from ..core import DiscountedMDP, FiniteHorizonMDP
from ..sparse import SparseDiscountedMDP

__all__ = ["chain_mdp", "combination_lock", "finite_horizon_lock", "gridworld", "sparse_chain", "sparse_gridworld"]


def chain_mdp(n_states: int = 6, gamma: float = 0.9, *, slip: float = 0.1,
              small_reward: float = 0.05) -> DiscountedMDP:
    r"""A chain: action 1 moves right (with probability ``1 - slip``), action 0 returns to state 0.

    State 0 pays ``small_reward`` for action 0 and the last state pays 1 for action 1; every
    other pair pays 0. The optimal policy walks right, a myopic one stays at 0. Starts in state 0.
    Action 1 slips back to state 0 with probability ``slip``; from the last state it otherwise stays
    there.

    Parameters
    ----------
    n_states : int >= 2, default 6
        Length of the chain ``S``.
    gamma : float in [0, 1), default 0.9
        Discount factor.
    slip : float in [0, 1), default 0.1
        Probability that action 1 sends the agent back to state 0.
    small_reward : float in [0, 1], default 0.05
        Reward of action 0 in state 0, the myopic lure.

    Returns
    -------
    DiscountedMDP
        ``S`` states, 2 actions, Bernoulli rewards.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> chain_mdp(n_states=4).optimal_policy.tolist()
    [1, 1, 1, 1]
    """
    S = v.positive_int("n_states", n_states)
    if S < 2:
        raise ValueError(f"n_states: expected at least 2, got {S}")
    slip = v.probability("slip", slip, open_low=False, open_high=True)
    small_reward = v.probability("small_reward", small_reward, open_low=False, open_high=False)
    v.check_allocation("n_states", 3 * S * 2 * S, 8, "entries of P (S A S) and its copies")
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


def combination_lock(length: int = 5, n_actions: int = 5, gamma: float = 0.85, rng=None, *,
                     good_actions=None) -> DiscountedMDP:
    r"""The discounted combination lock, the hard exploration instance of the hybrid NPG experiments.

    States ``0 .. length-1`` form the chain, ``length`` is the goal (absorbing, reward 1 per
    step) and ``length + 1`` the dead state (absorbing, reward 0). In chain state ``i`` the
    action ``good_actions[i]`` moves to ``i + 1`` (the goal after the last one); every other
    action leads to the dead state. Chain states pay 0. The start is state 0, so a uniform
    policy reaches the goal with probability :math:`A^{-L}` (``n_actions ** -length``), while
    :math:`V^\star(0) = \gamma^L / (1 - \gamma)`. Claim HNPG-H4 runs on it: offline data that
    cover :math:`\pi^\star` let the hybrid learner open the lock; see :ref:`theory-hnpg`.

    Parameters
    ----------
    length : int >= 1, default 5
        Number of chain states ``L``.
    n_actions : int >= 2, default 5
        Number of actions ``A``.
    gamma : float in [0, 1), default 0.85
        Discount factor.
    rng : numpy.random.Generator, int or None, optional
        Draws ``good_actions`` when it is not given (validated even then).
    good_actions : int array (length,), optional
        The correct action of each chain state; default a uniform draw from ``rng``.

    Returns
    -------
    DiscountedMDP
        ``L + 2`` states and ``A`` actions, starting in state 0.

    Examples
    --------
    >>> from mdps.instances import combination_lock
    >>> lock = combination_lock(length=3, n_actions=4, gamma=0.5, good_actions=[1, 2, 3])
    >>> lock.optimal_policy[:3].tolist(), float(lock.optimal_values[0])  # gamma^3 / (1 - gamma)
    ([1, 2, 3], 0.25)
    """
    L = v.positive_int("length", length)
    A = v.positive_int("n_actions", n_actions)
    if A < 2:
        raise ValueError(f"n_actions: expected at least 2 for a lock, got {A}")
    v.check_allocation("length, n_actions", 3 * (L + 2) * A * (L + 2), 8, "entries of P (S A S) and its copies")
    gen = v.as_rng(rng)  # checked even when good_actions is given (then unused)
    if good_actions is None:
        good = gen.integers(0, A, size=L)
    else:
        good = v.int_array("good_actions", good_actions, ndim=1, high=A)
        if good.shape[0] != L:
            raise ValueError(f"good_actions: expected {L} entries (one per chain state), got {good.shape[0]}")
    S = L + 2
    goal, dead = L, L + 1
    P = np.zeros((S, A, S))
    R = np.zeros((S, A))
    for i in range(L):
        P[i, :, dead] = 1.0
        P[i, good[i], dead] = 0.0
        P[i, good[i], i + 1 if i + 1 < L else goal] = 1.0
    P[goal, :, goal] = 1.0
    P[dead, :, dead] = 1.0
    R[goal, :] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    return DiscountedMDP(P, R, gamma, initial)


def finite_horizon_lock(horizon: int = 8, n_actions: int = 5, rng=None, *, distractor: float = 0.1,
                        good_actions=None) -> FiniteHorizonMDP:
    r"""The finite-horizon lock, the exploration instance of the optimistic actor-critic experiments.

    Two states: on-track (0) and dead (1, absorbing, reward 0). At step h on track, action
    ``good_actions[h]`` stays on track and pays 0, except at the last step where it pays 1;
    every other action moves to the dead state and pays the ``distractor`` reward (0.1 by
    default), which lures a greedy learner. :math:`V^\star_0(0) = 1`, and a uniform policy
    succeeds with probability :math:`A^{-H}` (``n_actions ** -horizon``). Claim AC-T2 runs on it
    (optimism is necessary, and offline data can replace it); see :ref:`theory-optimistic_ac`.

    Parameters
    ----------
    horizon : int >= 1, default 8
        The horizon ``H``.
    n_actions : int >= 2, default 5
        Number of actions ``A``.
    rng : numpy.random.Generator, int or None, optional
        Draws ``good_actions`` when it is not given (validated even then).
    distractor : float in [0, 1), default 0.1
        Reward of a wrong action taken on track.
    good_actions : int array (horizon,), optional
        The correct action of each step; default a uniform draw from ``rng``.

    Returns
    -------
    FiniteHorizonMDP
        2 states, ``A`` actions, horizon ``H``, starting on track.

    Examples
    --------
    >>> from mdps.instances import finite_horizon_lock
    >>> lock = finite_horizon_lock(horizon=3, n_actions=2, good_actions=[0, 1, 1])
    >>> float(lock.optimal_values[0, 0]), lock.optimal_policy[:, 0].tolist()
    (1.0, [0, 1, 1])
    """
    H = v.positive_int("horizon", horizon)
    A = v.positive_int("n_actions", n_actions)
    if A < 2:
        raise ValueError(f"n_actions: expected at least 2 for a lock, got {A}")
    distractor = v.probability("distractor", distractor, open_low=False, open_high=True)
    v.check_allocation("horizon, n_actions", 3 * H * 2 * A * 2, 8, "entries of P (H S A S) and its copies")
    gen = v.as_rng(rng)  # checked even when good_actions is given (then unused)
    if good_actions is None:
        good = gen.integers(0, A, size=H)
    else:
        good = v.int_array("good_actions", good_actions, ndim=1, high=A)
        if good.shape[0] != H:
            raise ValueError(f"good_actions: expected {H} entries (one per step), got {good.shape[0]}")
    P = np.zeros((H, 2, A, 2))
    R = np.zeros((H, 2, A))
    P[:, 0, :, 1] = 1.0
    P[:, 1, :, 1] = 1.0
    R[:, 0, :] = distractor
    for h in range(H):
        P[h, 0, good[h], 1] = 0.0
        P[h, 0, good[h], 0] = 1.0
        R[h, 0, good[h]] = 1.0 if h == H - 1 else 0.0
    return FiniteHorizonMDP(P, R, np.array([1.0, 0.0]))


#: Gridworld moves, in Gymnasium FrozenLake's order: 0 left, 1 down, 2 right, 3 up.
GRID_MOVES = ((0, -1), (1, 0), (0, 1), (-1, 0))


def gridworld(n_rows: int = 4, n_cols: int = 4, gamma: float = 0.9, *, slip: float = 0.1,
              goal=None, goal_reward: float = 1.0, walls=(), start=(0, 0)) -> DiscountedMDP:
    r"""A small gridworld for teaching: reach the goal cell, avoid bumping into walls.

    States are the cells, ``s = row * n_cols + col``; actions move left, down, right, up (0, 1, 2,
    3, as in Gymnasium's FrozenLake). With probability ``1 - slip`` the chosen move happens, with
    probability ``slip`` a uniformly random move (any of the four) happens instead. A move into
    the border or a wall leaves the agent where it is. Entering the goal pays ``goal_reward``
    (:math:`R(s, a) = r_{\text{goal}} P(\text{goal} \mid s, a)`); the goal is absorbing with
    reward 0, so :math:`V^\star(s) = r_{\text{goal}}\, \max_\pi \mathbb{E}^\pi[\gamma^{T - 1}]` with
    :math:`T` the hitting time of the goal. Wall cells keep their state index but cannot be
    entered (they are absorbing, reward 0, and unreachable).

    Parameters
    ----------
    n_rows : int >= 1, default 4
        Number of rows (the grid needs at least two cells).
    n_cols : int >= 1, default 4
        Number of columns.
    gamma : float in [0, 1), default 0.9
        Discount factor.
    slip : float in [0, 1), default 0.1
        Probability that the move is replaced by a uniformly random one.
    goal : (row, col), optional
        Default: the bottom-right cell.
    goal_reward : float in (0, 1], default 1.0
        Reward :math:`r_{\text{goal}}` of entering the goal.
    walls : sequence of (row, col), default ()
        Blocked cells (not the start or the goal).
    start : (row, col), default (0, 0)
        The initial cell (a point mass).

    Returns
    -------
    DiscountedMDP
        ``n_rows * n_cols`` states and 4 actions.

    Examples
    --------
    >>> from mdps.instances.classic import gridworld
    >>> mdp = gridworld(slip=0.0, gamma=0.5)
    >>> float(mdp.optimal_values[0])  # six moves to the far corner: gamma ** 5
    0.03125
    """
    rows, cols = v.positive_int("n_rows", n_rows), v.positive_int("n_cols", n_cols)
    if rows * cols < 2:
        raise ValueError(f"n_rows, n_cols: expected at least two cells, got {rows} x {cols}")
    slip = v.probability("slip", slip, open_low=False, open_high=True)
    goal_reward = v.probability("goal_reward", goal_reward, open_low=True, open_high=False)
    v.check_allocation("n_rows, n_cols", 3 * (rows * cols) ** 2 * len(GRID_MOVES), 8,
                       "entries of P (S A S) and its copies")

    def cell(name, value):
        if isinstance(value, (list, tuple)) and any(v.is_bool(x) for x in value):
            raise v.ArgumentTypeError(f"{name}: expected a (row, col) of integers, got {value!r}")
        arr = v.int_array(name, value, ndim=1)
        if arr.shape != (2,) or arr[0] >= rows or arr[1] >= cols:
            raise ValueError(f"{name}: expected a (row, col) inside the {rows} x {cols} grid, got {value!r}")
        return int(arr[0]) * cols + int(arr[1])

    goal_state = rows * cols - 1 if goal is None else cell("goal", goal)
    start_state = cell("start", start)
    if isinstance(walls, (str, bytes)) or not hasattr(walls, "__iter__"):
        raise v.ArgumentTypeError(f"walls: expected a sequence of (row, col) cells, got {walls!r}")
    blocked = {cell("walls", w) for w in walls}
    if goal_state == start_state:
        raise ValueError(f"goal: expected a cell other than the start {start!r}, got {goal!r}")
    if blocked & {goal_state, start_state}:
        raise ValueError("walls: expected no wall on the start or the goal cell")
    S, A = rows * cols, len(GRID_MOVES)
    P = np.zeros((S, A, S))
    for s in range(S):
        if s == goal_state or s in blocked:
            P[s, :, s] = 1.0
            continue
        r, c = divmod(s, cols)
        for move, (dr, dc) in enumerate(GRID_MOVES):
            nr, nc = r + dr, c + dc
            target = nr * cols + nc if 0 <= nr < rows and 0 <= nc < cols else s
            target = s if target in blocked else target
            P[s, :, target] += slip / A
            P[s, move, target] += 1.0 - slip
    R = goal_reward * P[:, :, goal_state]
    R[goal_state] = 0.0
    initial = np.zeros(S)
    initial[start_state] = 1.0
    return DiscountedMDP(P, R, gamma, initial)


def sparse_chain(n_states: int = 6, gamma: float = 0.9, *, slip: float = 0.1,
                 small_reward: float = 0.05) -> SparseDiscountedMDP:
    r""":func:`chain_mdp` with sparse transitions, for long chains (:math:`10^5` states and more).

    The same problem as ``chain_mdp(n_states, gamma, slip=slip, small_reward=small_reward)``
    (action 0 returns to state 0, action 1 moves right with probability ``1 - slip`` and back to
    state 0 otherwise), built directly as a :class:`~mdps.SparseDiscountedMDP`: at most two
    successors per pair, :math:`O(S)` memory. Its ``to_dense()`` equals :func:`chain_mdp` exactly.

    Parameters
    ----------
    n_states : int >= 2, default 6
        Length of the chain ``S``.
    gamma : float in [0, 1), default 0.9
        Discount factor.
    slip : float in [0, 1), default 0.1
        Probability that action 1 sends the agent back to state 0.
    small_reward : float in [0, 1], default 0.05
        Reward of action 0 in state 0, the myopic lure.

    Returns
    -------
    SparseDiscountedMDP
        ``S`` states, 2 actions, Bernoulli rewards, ``P`` of shape (2 S, S).

    Examples
    --------
    >>> from mdps.instances import sparse_chain
    >>> mdp = sparse_chain(n_states=100_000, gamma=0.99)
    >>> mdp.P.shape, mdp.max_successors, int(mdp.optimal_policy[0])
    ((200000, 100000), 2, 0)
    """
    S = v.positive_int("n_states", n_states)
    if S < 2:
        raise ValueError(f"n_states: expected at least 2, got {S}")
    slip = v.probability("slip", slip, open_low=False, open_high=True)
    small_reward = v.probability("small_reward", small_reward, open_low=False, open_high=False)
    v.check_allocation("n_states", 20 * S, 8, "entries of the sparse P and its copies")
    states = np.arange(S)
    right = np.minimum(states + 1, S - 1)
    # Row 2 s: back to 0. Row 2 s + 1: right with 1 - slip, to 0 with slip (summed where right = 0).
    rows = np.concatenate([2 * states, 2 * states + 1, 2 * states + 1])
    cols = np.concatenate([np.zeros(S, np.int64), right, np.zeros(S, np.int64)])
    vals = np.concatenate([np.ones(S), np.full(S, 1.0 - slip), np.full(S, slip)])
    P = scipy.sparse.coo_array((vals, (rows, cols)), shape=(2 * S, S)).tocsr()
    R = np.zeros((S, 2))
    R[0, 0] = small_reward
    R[S - 1, 1] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    return SparseDiscountedMDP(P, R, gamma, initial)


def sparse_gridworld(n_rows: int = 4, n_cols: int = 4, gamma: float = 0.9, *,
                     slip: float = 0.1) -> SparseDiscountedMDP:
    r""":func:`gridworld` with sparse transitions, for large grids (:math:`10^5` cells and more).

    The same problem as ``gridworld(n_rows, n_cols, gamma, slip=slip)`` (start in the top-left
    cell, goal in the bottom-right one, no walls; moves left, down, right, up; with probability
    ``slip`` a uniformly random move instead; entering the goal pays 1), built directly as a
    :class:`~mdps.SparseDiscountedMDP` with at most four successors per pair. Its ``to_dense()``
    equals :func:`gridworld` up to the rounding of the summed slip probabilities (1e-16).

    Parameters
    ----------
    n_rows : int >= 1, default 4
        Number of rows (the grid needs at least two cells).
    n_cols : int >= 1, default 4
        Number of columns.
    gamma : float in [0, 1), default 0.9
        Discount factor.
    slip : float in [0, 1), default 0.1
        Probability that the move is replaced by a uniformly random one.

    Returns
    -------
    SparseDiscountedMDP
        ``n_rows * n_cols`` states and 4 actions, ``P`` of shape (4 S, S).

    Examples
    --------
    >>> from mdps.instances import sparse_gridworld
    >>> mdp = sparse_gridworld(316, 316, gamma=0.99)  # 99,856 cells
    >>> mdp.n_states, mdp.max_successors
    (99856, 4)
    """
    rows, cols = v.positive_int("n_rows", n_rows), v.positive_int("n_cols", n_cols)
    if rows * cols < 2:
        raise ValueError(f"n_rows, n_cols: expected at least two cells, got {rows} x {cols}")
    slip = v.probability("slip", slip, open_low=False, open_high=True)
    S, A = rows * cols, len(GRID_MOVES)
    v.check_allocation("n_rows, n_cols", 3 * 2 * S * A * (A + 1), 8, "entries of the sparse P and its copies")
    goal = S - 1
    states = np.arange(S)
    r, c = np.divmod(states, cols)
    targets = np.empty((S, A), np.int64)
    for move, (dr, dc) in enumerate(GRID_MOVES):
        nr, nc = r + dr, c + dc
        inside = (nr >= 0) & (nr < rows) & (nc >= 0) & (nc < cols)
        targets[:, move] = np.where(inside, nr * cols + nc, states)
    targets[goal] = goal
    # Entry (s, a, k): the slip share of move k, plus 1 - slip where k = a (duplicates are summed).
    pair = (states[:, None] * A + np.arange(A))[:, :, None]
    rows_idx = np.concatenate([np.broadcast_to(pair, (S, A, A)).reshape(-1), (states[:, None] * A + np.arange(A)).reshape(-1)])
    cols_idx = np.concatenate([np.broadcast_to(targets[:, None, :], (S, A, A)).reshape(-1), targets.reshape(-1)])
    vals = np.concatenate([np.full(S * A * A, slip / A), np.full(S * A, 1.0 - slip)])
    at_goal = np.concatenate([np.repeat(states == goal, A * A), np.repeat(states == goal, A)])
    vals[at_goal] = np.where(np.arange(at_goal.size)[at_goal] < S * A * A, 0.0, 1.0)
    P = scipy.sparse.coo_array((vals, (rows_idx, cols_idx)), shape=(S * A, S)).tocsr()
    P.eliminate_zeros()
    R = P[:, [goal]].toarray().reshape(S, A)
    R[goal] = 0.0
    initial = np.zeros(S)
    initial[0] = 1.0
    return SparseDiscountedMDP(P, R, gamma, initial)
