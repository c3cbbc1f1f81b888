"""mdps.converters: pymdptoolbox arrays, Gymnasium toy-text P dicts (checked against Gymnasium's
own environments), and MDPs out as Gymnasium environments."""
import numpy as np
import pytest
import scipy.sparse
import scipy.stats

from mdps.converters import from_gymnasium, from_mdptoolbox, to_gymnasium, to_mdptoolbox
from mdps.core import FiniteHorizonMDP
from mdps.instances.classic import gridworld
from mdps.instances.random import random_finite_horizon_mdp, random_mdp
from mdps.planning import expected_return, policy_evaluation

LEVEL = 1e-3


# --------------------------------------------------------------------------------------------
# pymdptoolbox layout
# --------------------------------------------------------------------------------------------

def test_mdptoolbox_round_trip_and_reward_layouts():
    mdp = random_mdp(4, 3, 0.9, rng=0)
    T, R = to_mdptoolbox(mdp)
    assert T.shape == (3, 4, 4) and R.shape == (4, 3)
    back = from_mdptoolbox(T, R, 0.9, initial=mdp.initial)
    np.testing.assert_array_equal(back.P, mdp.P)
    np.testing.assert_array_equal(back.R, mdp.R)
    # Per-transition rewards R[a, s, s'] average to R[s, a] under P; per-state rewards repeat.
    per_transition = np.broadcast_to(R.T[:, :, None], (3, 4, 4))
    np.testing.assert_allclose(from_mdptoolbox(T, per_transition, 0.9).R, R, rtol=1e-12)
    state_reward = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_array_equal(from_mdptoolbox(T, state_reward, 0.9).R, np.repeat(state_reward[:, None], 3, 1))
    sparse = [scipy.sparse.csr_matrix(t) for t in T]
    np.testing.assert_array_equal(from_mdptoolbox(sparse, R, 0.9).P, mdp.P)
    np.testing.assert_array_equal(from_mdptoolbox(T, R, 0.9).initial, np.full(4, 0.25))


def test_mdptoolbox_rescaling_is_affine_on_values():
    mdp = random_mdp(4, 3, 0.8, rng=1)
    T, R = to_mdptoolbox(mdp)
    low, high = -2.0, 5.0
    raw = low + (high - low) * R  # rewards in original units
    rescaled = from_mdptoolbox(T, raw, 0.8, reward_range=(low, high))
    np.testing.assert_allclose(rescaled.R, R, atol=1e-15)
    # V' = (V - low / (1 - gamma)) / (high - low) for any policy: evaluate V in original units by hand.
    pi = np.array([0, 2, 1, 1])
    P_pi = mdp.P[np.arange(4), pi]
    V_raw = np.linalg.solve(np.eye(4) - 0.8 * P_pi, raw[np.arange(4), pi])
    np.testing.assert_allclose(policy_evaluation(rescaled, pi), (V_raw - low / 0.2) / (high - low), atol=1e-12)


def test_mdptoolbox_bad_input():
    T, R = to_mdptoolbox(random_mdp(3, 2, 0.9, rng=0))
    with pytest.raises(ValueError, match=r"^rewards: expected rewards in \[0, 1\].*reward_range"):
        from_mdptoolbox(T, R * 3, 0.9)
    with pytest.raises(ValueError, match=r"^reward_range: expected every reward within"):
        from_mdptoolbox(T, R * 3 - 1, 0.9, reward_range=(0, 1))
    with pytest.raises(ValueError, match=r"^reward_range: expected finite low < high"):
        from_mdptoolbox(T, R, 0.9, reward_range=(1, 0))
    with pytest.raises(ValueError, match="^rewards: expected shape"):
        from_mdptoolbox(T, R.T, 0.9)
    bad = np.array(T)
    bad[1, 2] *= 0.5
    with pytest.raises(ValueError, match=r"^transitions: expected rows summing to 1"):
        from_mdptoolbox(bad, R, 0.9)
    with pytest.raises(ValueError, match=r"^transitions: expected shape \(A, S, S\)"):
        from_mdptoolbox(T[:, :, :2], R, 0.9)
    with pytest.raises(ValueError, match="^gamma"):
        from_mdptoolbox(T, R, 1.0)
    with pytest.raises(ValueError, match="^initial"):
        from_mdptoolbox(T, R, 0.9, initial=[1.0, 0.0])


# --------------------------------------------------------------------------------------------
# Gymnasium toy-text in
# --------------------------------------------------------------------------------------------

def _gym_steps(env, s, a, n_steps):
    """``n_steps`` independent steps of Gymnasium's env from state s with action a."""
    out = []
    for _ in range(n_steps):
        env.unwrapped.s = s
        s_next, reward, *_ = env.step(a)
        out.append((int(s_next), float(reward)))
    return np.array(out)


def test_frozen_lake_matches_gymnasiums_environment():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1", is_slippery=True).unwrapped
    env.reset(seed=0)
    mdp = from_gymnasium(env, gamma=0.95)
    desc = env.desc.reshape(-1)
    terminal = np.flatnonzero((desc == b"H") | (desc == b"G"))
    np.testing.assert_array_equal(mdp.initial, env.initial_state_distrib)
    stat, dof = 0.0, 0
    for s in range(16):
        if s in terminal:
            np.testing.assert_array_equal(mdp.P[s, :, s], 1.0)
            np.testing.assert_array_equal(mdp.R[s], 0.0)
            continue
        for a in range(4):
            steps = _gym_steps(env, s, a, 150)
            counts = np.bincount(steps[:, 0].astype(int), minlength=16)
            assert np.all(counts[mdp.P[s, a] == 0] == 0)
            support = mdp.P[s, a] > 0
            expected = 150 * mdp.P[s, a, support]
            stat += np.sum((counts[support] - expected) ** 2 / expected)
            dof += support.sum() - 1
            # Reward 1 exactly on entering the goal: R[s, a] = P(goal | s, a).
            assert mdp.R[s, a] == pytest.approx(mdp.P[s, a, 15])
            np.testing.assert_array_equal(steps[:, 1], steps[:, 0] == 15)
    assert scipy.stats.chi2.sf(stat, dof) > LEVEL


def test_frozen_lake_optimal_value_matches_monte_carlo_in_gymnasium():
    """Discounted returns of our optimal policy, run in Gymnasium's env, average to our V*(start)."""
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1", is_slippery=True).unwrapped
    gamma = 0.9
    mdp = from_gymnasium(env, gamma=gamma)
    policy = mdp.optimal_policy
    returns = np.empty(600)
    env.reset(seed=1)
    for episode in range(returns.size):
        s, _ = env.reset()
        total, discount, done = 0.0, 1.0, False
        while not done and discount > 1e-6:
            s, reward, done, _, _ = env.step(int(policy[s]))
            total += discount * reward
            discount *= gamma
        returns[episode] = total
    z = (returns.mean() - expected_return(mdp, policy)) / (returns.std(ddof=1) / np.sqrt(returns.size))
    assert abs(z) < scipy.stats.norm.isf(LEVEL / 2)
    assert expected_return(mdp, policy) > 0.05  # not a vacuous comparison of zeros


def test_cliff_walking_needs_an_explicit_reward_range():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("CliffWalking-v1").unwrapped
    with pytest.raises(ValueError, match=r"^env_or_P: expected mean rewards in \[0, 1\].*reward_range"):
        from_gymnasium(env, gamma=0.9)
    with pytest.raises(ValueError, match="^reward_range: expected every reward within"):
        from_gymnasium(env, gamma=0.9, reward_range=(-10, 0))
    with pytest.raises(ValueError, match=r"^reward_range: expected low <= 0 <= high"):
        from_gymnasium(env, gamma=0.9, reward_range=(-100, -1))


def test_cliff_walking_matches_gymnasiums_environment():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("CliffWalking-v1").unwrapped
    env.reset(seed=0)
    low, high = -100.0, 0.0
    mdp = from_gymnasium(env, gamma=0.95, reward_range=(low, high))
    goal = 47
    assert mdp.initial[36] == 1.0
    np.testing.assert_array_equal(mdp.P[goal, :, goal], 1.0)
    np.testing.assert_array_equal(mdp.R[goal], (0 - low) / (high - low))
    for s in range(48):
        if s == goal:
            continue
        for a in range(4):
            env.unwrapped.s = s
            s_next, reward, terminated, _, _ = env.step(a)
            assert mdp.P[s, a, s_next] == 1.0  # deterministic
            assert mdp.R[s, a] == (reward - low) / (high - low)
            assert terminated == (s_next == goal)
    # Values are the affine image of the episodic (undiscounted-at-termination) values in original units.
    pi = mdp.optimal_policy
    V_raw = np.zeros(48)
    for _ in range(2000):  # plain value evaluation in original units, goal terminal with value 0
        V_new = np.array([sum(p * (r + (0.0 if done else 0.95 * V_raw[t])) for p, t, r, done in env.P[s][int(pi[s])])
                          for s in range(48)])
        V_new[goal] = 0.0
        if np.max(np.abs(V_new - V_raw)) < 1e-13:
            break
        V_raw = V_new
    np.testing.assert_allclose(policy_evaluation(mdp, pi), (V_raw - low / 0.05) / (high - low), atol=1e-9)
    # The optimal path walks along the cliff: 13 steps from the start (start 36 -> up, 11 x right, down).
    s, steps = 36, 0
    while s != goal:
        s = int(np.argmax(mdp.P[s, pi[s]]))
        steps += 1
    assert steps == 13


def test_gymnasium_dict_errors():
    with pytest.raises(ValueError, match="^env_or_P: state 1 is entered by terminating and by non-terminating"):
        from_gymnasium({0: {0: [(0.5, 1, 0.0, True), (0.5, 0, 0.0, False)]},
                        1: {0: [(1.0, 1, 0.0, False)]}}, gamma=0.9)
    with pytest.raises(ValueError, match="^env_or_P: expected a next state in 0 .. 1"):
        from_gymnasium({0: {0: [(1.0, 2, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, False)]}}, gamma=0.9)
    with pytest.raises(ValueError, match=r"^env_or_P \(transition probabilities\): expected rows summing to 1"):
        from_gymnasium({0: {0: [(0.5, 1, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, False)]}}, gamma=0.9)
    with pytest.raises(ValueError, match="^env_or_P: expected actions 0 .. 0"):
        from_gymnasium({0: {0: [(1.0, 1, 0.0, False)]}, 1: {1: [(1.0, 1, 0.0, False)]}}, gamma=0.9)
    with pytest.raises(ValueError, match="^env_or_P: expected finite"):
        from_gymnasium({0: {0: [(np.nan, 1, 0.0, False)]}, 1: {0: [(1.0, 1, 0.0, False)]}}, gamma=0.9)
    with pytest.raises(TypeError, match="^env_or_P: expected a dict"):
        from_gymnasium([1, 2], gamma=0.9)


# --------------------------------------------------------------------------------------------
# Out: Gymnasium environments
# --------------------------------------------------------------------------------------------

def test_env_passes_gymnasiums_checker_and_is_seeded():
    gym = pytest.importorskip("gymnasium")
    from gymnasium.utils.env_checker import check_env

    env = to_gymnasium(gridworld(slip=0.2), n_steps=30)
    check_env(env, skip_render_check=True)
    assert isinstance(env, gym.Env) and env.gamma == 0.9

    def episode(seed):
        out = [env.reset(seed=seed)[0]]
        truncated = False
        while not truncated:
            s, r, terminated, truncated, info = env.step(2)
            assert not terminated
            out += [s, r]
        return out, info["step"]

    first, steps = episode(5)
    assert steps == 30 and episode(5)[0] == first and episode(6)[0] != first
    with pytest.raises(RuntimeError, match="^step: call reset"):
        env.step(0)


def test_env_samples_the_mdps_law():
    pytest.importorskip("gymnasium")
    mdp = random_mdp(3, 2, 0.9, rng=7)
    env = to_gymnasium(mdp)
    env.reset(seed=8)
    counts = np.zeros((3, 2, 3), dtype=int)
    reward_sums = np.zeros((3, 2))
    s = env.reset(seed=8)[0]
    gen = np.random.default_rng(9)
    for _ in range(6000):
        a = int(gen.integers(2))
        s_next, r, terminated, truncated, _ = env.step(a)
        assert not (terminated or truncated)  # a discounted MDP without n_steps runs forever
        counts[s, a, s_next] += 1
        reward_sums[s, a] += r
        s = s_next
    n = counts.sum(axis=-1)
    stat = np.sum((counts - n[..., None] * mdp.P) ** 2 / (n[..., None] * mdp.P))
    assert scipy.stats.chi2.sf(stat, 6 * 2) > LEVEL
    z2 = (reward_sums - n * mdp.R) ** 2 / (n * mdp.R * (1 - mdp.R))
    assert scipy.stats.chi2.sf(z2.sum(), 6) > LEVEL


def test_finite_horizon_env_truncates_at_h_and_uses_each_steps_kernel():
    pytest.importorskip("gymnasium")
    P = np.zeros((3, 2, 1, 2))
    P[:, :, 0, :] = [[0.0, 1.0], [1.0, 0.0]]  # deterministic switch at every step...
    P[1, :, 0, :] = [[1.0, 0.0], [0.0, 1.0]]  # ...except step 1, which stays
    mdp = FiniteHorizonMDP(P, np.zeros((3, 2, 1)), [1.0, 0.0])
    env = to_gymnasium(mdp)
    s, info = env.reset(seed=0)
    path = [s]
    for h in range(3):
        s, _, terminated, truncated, info = env.step(0)
        path.append(s)
        assert info["step"] == h + 1 and truncated == (h == 2) and not terminated
    assert path == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="^n_steps: expected the horizon 3"):
        to_gymnasium(mdp, n_steps=4)
    fh = random_finite_horizon_mdp(3, 2, 4, rng=0)
    assert to_gymnasium(fh).n_steps == 4


def test_env_bad_input():
    pytest.importorskip("gymnasium")
    env = to_gymnasium(random_mdp(3, 2, 0.9, rng=0))
    env.reset(seed=0)
    for action in (2, -1, 0.5, True, "0"):
        with pytest.raises(ValueError, match=r"^action: expected an int in 0 .. 1"):
            env.step(action)
    with pytest.raises(ValueError, match="^n_steps: expected a positive integer"):
        to_gymnasium(random_mdp(3, 2, 0.9, rng=0), n_steps=0)
    with pytest.raises(TypeError, match="^mdp"):
        to_gymnasium("FrozenLake")


def test_gymnasium_round_trip_frozen_lake():
    """FrozenLake -> DiscountedMDP -> Gymnasium env -> P dict of the same law."""
    gym = pytest.importorskip("gymnasium")
    mdp = from_gymnasium(gym.make("FrozenLake-v1").unwrapped, gamma=0.9)
    env = to_gymnasium(mdp)
    env.reset(seed=3)
    again = from_gymnasium(
        {s: {a: [(p, t, float(mdp.R[s, a]), False) for t, p in enumerate(mdp.P[s, a]) if p > 0]
             for a in range(4)} for s in range(16)}, gamma=0.9, initial=mdp.initial)
    np.testing.assert_array_equal(again.P, mdp.P)
    np.testing.assert_allclose(again.R, mdp.R, atol=1e-15)
    assert env.observation_space.n == 16 and env.action_space.n == 4


def test_taxi_needs_a_sink_and_matches_gymnasium():
    """Taxi's terminal states are also entered without terminating: 'absorb' refuses, 'sink' works."""
    gym = pytest.importorskip("gymnasium")
    env = gym.make("Taxi-v4").unwrapped
    env.reset(seed=0)
    with pytest.raises(ValueError, match="^env_or_P: state .* pass terminal='sink'"):
        from_gymnasium(env, gamma=0.9, reward_range=(-10, 20))
    low, high = -10.0, 20.0
    mdp = from_gymnasium(env, gamma=0.9, reward_range=(low, high), terminal="sink")
    S = 500
    assert mdp.n_states == S + 1 and mdp.initial[S] == 0.0
    np.testing.assert_array_equal(mdp.P[S, :, S], 1.0)
    assert np.all(mdp.R[S] == -low / (high - low))
    n_terminating = 0
    for s in range(S):
        for a in range(6):
            env.s = s
            s_next, reward, terminated, _, _ = env.step(a)
            assert mdp.P[s, a, S if terminated else s_next] == 1.0
            assert mdp.R[s, a] == pytest.approx((reward - low) / (high - low))
            n_terminating += terminated
    assert n_terminating > 0
    with pytest.raises(ValueError, match="^terminal: expected 'absorb' or 'sink'"):
        from_gymnasium(env, gamma=0.9, terminal="stop")


def test_sink_and_absorb_agree_on_frozen_lake():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1").unwrapped
    absorb = from_gymnasium(env, gamma=0.9)
    sink = from_gymnasium(env, gamma=0.9, terminal="sink")
    np.testing.assert_allclose(sink.optimal_values[:16], absorb.optimal_values, atol=1e-12)


def test_unused_rows_of_terminal_states_are_not_required():
    """Some P dicts leave terminal states without transitions; they become absorbing, reward 0."""
    mdp = from_gymnasium({0: {0: [(1.0, 1, 1.0, True)], 1: [(1.0, 0, 0.5, False)]}, 1: {0: [], 1: []}},
                         gamma=0.5, initial=[1.0, 0.0])
    np.testing.assert_array_equal(mdp.P[1, :, 1], 1.0)
    np.testing.assert_array_equal(mdp.R, [[1.0, 0.5], [0.0, 0.0]])
    np.testing.assert_allclose(mdp.optimal_values, [1.0, 0.0])  # max(1 then 0 forever, 0.5 / (1 - 0.5))
