"""mdps.instances: random problems are valid and seeded; classic problems have their stated values."""
import numpy as np
import pytest

from mdps.instances.classic import chain_mdp, combination_lock, finite_horizon_lock, gridworld
from mdps.instances.random import (
    random_bandit,
    random_contextual_bandit,
    random_finite_horizon_mdp,
    random_linear_mdp,
    random_mdp,
)
from mdps.planning import expected_return, policy_evaluation

RANDOM = [
    lambda seed: random_mdp(4, 3, 0.9, rng=seed, initial="dirichlet"),
    lambda seed: random_finite_horizon_mdp(4, 3, 3, rng=seed),
    lambda seed: random_bandit(5, rng=seed),
    lambda seed: random_contextual_bandit(3, 2, rng=seed),
    lambda seed: random_linear_mdp(5, 2, 3, 2, rng=seed),
]


@pytest.mark.parametrize("make", RANDOM)
def test_random_instances_are_seeded(make):
    a, b, c = make(3), make(3), make(4)
    fields = [f for f in ("P", "R", "means", "features", "mu", "theta") if hasattr(a, f)]
    for name in fields:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert any(not np.array_equal(getattr(a, name), getattr(c, name)) for name in fields)


def test_random_instance_bad_input():
    with pytest.raises(ValueError, match="^n_states: expected a positive integer"):
        random_mdp(0, 2)
    with pytest.raises(ValueError, match="^concentration: expected a positive"):
        random_mdp(3, 2, concentration=0.0)
    with pytest.raises(ValueError, match="^initial: expected 'uniform' or 'dirichlet'"):
        random_mdp(3, 2, initial="corner")
    with pytest.raises(ValueError, match="^gamma"):
        random_mdp(3, 2, gamma=1.0)
    with pytest.raises(ValueError, match="^horizon: expected a positive integer"):
        random_finite_horizon_mdp(3, 2, 0)
    with pytest.raises(ValueError, match="^dim: expected a positive integer"):
        random_linear_mdp(3, 2, 0)


def test_chain_mdp_prefers_walking_right():
    mdp = chain_mdp(n_states=5, gamma=0.95, slip=0.0)
    np.testing.assert_array_equal(mdp.optimal_policy, [1, 1, 1, 1, 1])
    # Four moves right, then reward 1 forever: gamma^4 / (1 - gamma).
    assert expected_return(mdp, mdp.optimal_policy) == pytest.approx(0.95 ** 4 / 0.05)
    assert expected_return(mdp, np.zeros(5, dtype=int)) == pytest.approx(0.05 / 0.05)
    with pytest.raises(ValueError, match=r"^small_reward: expected a number in \[0, 1\]"):
        chain_mdp(small_reward=2.0)
    with pytest.raises(ValueError, match="^n_states: expected at least 2"):
        chain_mdp(n_states=1)


def test_combination_lock_values():
    L, A, gamma = 4, 3, 0.85
    mdp = combination_lock(L, A, gamma, rng=0)
    assert mdp.optimal_values[0] == pytest.approx(gamma ** L / (1 - gamma))
    # A uniform policy reaches the goal with probability A^-L, after exactly L steps.
    uniform = np.full((L + 2, A), 1.0 / A)
    assert expected_return(mdp, uniform) == pytest.approx(A ** -L * gamma ** L / (1 - gamma))
    good = np.array([2, 0, 1, 1])
    np.testing.assert_array_equal(combination_lock(L, A, gamma, good_actions=good).optimal_policy[:L], good)
    with pytest.raises(ValueError, match="^good_actions: expected 4 entries"):
        combination_lock(L, A, gamma, good_actions=[0, 1])
    with pytest.raises(ValueError, match="^n_actions: expected at least 2"):
        combination_lock(L, 1, gamma)


def test_finite_horizon_lock_values():
    H, A = 5, 3
    mdp = finite_horizon_lock(H, A, rng=1)
    assert mdp.optimal_values[0, 0] == pytest.approx(1.0)
    uniform = np.full((H, 2, A), 1.0 / A)
    # Success pays 1 with probability A^-H; each failure at step h pays the distractor 0.1 once.
    fail = sum(A ** -h * (1 - 1 / A) for h in range(H))
    assert expected_return(mdp, uniform) == pytest.approx(A ** -H + 0.1 * fail)
    with pytest.raises(ValueError, match=r"^distractor: expected a number in \[0, 1\)"):
        finite_horizon_lock(H, A, distractor=1.5)


def test_gridworld_values_and_structure():
    gamma = 0.9
    mdp = gridworld(3, 4, gamma, slip=0.0)
    assert mdp.n_states == 12 and mdp.n_actions == 4
    goal = 11
    for s in range(12):
        r, c = divmod(s, 4)
        distance = (2 - r) + (3 - c)
        expected = 0.0 if s == goal else gamma ** (distance - 1)
        assert mdp.optimal_values[s] == pytest.approx(expected), s
    # A wall forces a detour: from (0, 0) to (0, 2) around a wall at (0, 1) takes 4 moves.
    walled = gridworld(2, 3, gamma, slip=0.0, goal=(0, 2), walls=[(0, 1)])
    assert walled.optimal_values[0] == pytest.approx(gamma ** 3)
    assert np.all(walled.P[:, :, 1] == np.eye(6)[1][:, None] * 1.0)  # nothing enters the wall
    # Slip spreads mass uniformly over the four moves.
    slippery = gridworld(3, 3, gamma, slip=0.4)
    np.testing.assert_allclose(slippery.P[4, 2], [0, 0.1, 0, 0.1, 0, 0.7, 0, 0.1, 0])
    assert np.all(np.diff(policy_evaluation(slippery, slippery.optimal_policy)[[0, 4, 7]]) > 0)


def test_gridworld_bad_input():
    with pytest.raises(ValueError, match="^goal: expected a \\(row, col\\) inside the 4 x 4 grid"):
        gridworld(goal=(4, 0))
    with pytest.raises(ValueError, match="^walls: expected no wall on the start or the goal"):
        gridworld(walls=[(0, 0)])
    with pytest.raises(ValueError, match="^goal: expected a cell other than the start"):
        gridworld(goal=(0, 0))
    with pytest.raises(ValueError, match=r"^slip: expected a number in \[0, 1\)"):
        gridworld(slip=1.0)
    with pytest.raises(ValueError, match=r"^goal_reward: expected a number in \(0, 1\]"):
        gridworld(goal_reward=0.0)
    with pytest.raises(ValueError, match="^n_rows, n_cols: expected at least two cells"):
        gridworld(1, 1)
