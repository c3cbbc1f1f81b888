"""Small classic problems for teaching and for the papers' qualitative experiments."""
from __future__ import annotations

import numpy as np

from .. import _validation as v
from ..core import DiscountedMDP, FiniteHorizonMDP


def chain_mdp(n_states: int = 6, gamma: float = 0.9, *, slip: float = 0.1,
              small_reward: float = 0.05) -> DiscountedMDP:
    """A chain: action 1 moves right (with probability ``1 - slip``), action 0 returns to state 0.

    State 0 pays ``small_reward`` for action 0 and the last state pays 1; the optimal policy
    walks right, a myopic one stays at 0. Starts in state 0.
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
    """The discounted combination lock of theory/hnpg.md (HNPG-H4).

    States ``0 .. length-1`` form the chain, ``length`` is the goal (absorbing, reward 1 per
    step) and ``length + 1`` the dead state (absorbing, reward 0). In chain state ``i`` the
    action ``good_actions[i]`` moves to ``i + 1`` (the goal after the last one); every other
    action leads to the dead state. Chain states pay 0. The start is state 0, so a uniform
    policy reaches the goal with probability ``n_actions ** -length``.

    ``good_actions`` defaults to a draw from ``rng`` (uniform over actions for each state).
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
    """The finite-horizon lock of theory/optimistic_ac.md (AC-T2).

    Two states: on-track (0) and dead (1, absorbing, reward 0). At step h on track, action
    ``good_actions[h]`` stays on track and pays 0, except at the last step where it pays 1;
    every other action moves to the dead state and pays the ``distractor`` reward (0.1), which
    lures a greedy learner. V* = 1 from state 0, and a uniform policy succeeds with probability
    ``n_actions ** -horizon``.
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
    """A small gridworld for teaching: reach the goal cell, avoid bumping into walls.

    States are the cells, ``s = row * n_cols + col``; actions move left, down, right, up (0, 1, 2,
    3, as in Gymnasium's FrozenLake). With probability ``1 - slip`` the chosen move happens, with
    probability ``slip`` a uniformly random move (any of the four) happens instead. A move into
    the border or a wall leaves the agent where it is. Entering the goal pays ``goal_reward``
    (``R[s, a] = goal_reward * P(goal | s, a)``); the goal is absorbing with reward 0, so
    ``V*(s) = goal_reward * E[gamma^(T - 1)]`` with T the hitting time of the goal. Wall cells
    keep their state index but cannot be entered (they are absorbing, reward 0, and unreachable).

    Parameters
    ----------
    n_rows, n_cols : int >= 1
        Grid size (at least two cells).
    gamma : float in [0, 1)
    slip : float in [0, 1)
        Probability that the move is replaced by a uniformly random one.
    goal : (row, col), optional
        Default: the bottom-right cell.
    goal_reward : float in (0, 1]
    walls : sequence of (row, col)
        Blocked cells (not the start or the goal).
    start : (row, col)
        The initial cell (a point mass).

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
