"""mdps.core: validation of every problem type, policy helpers, the linear/tabular embedding."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdps.core import (
    ContextualBandit,
    DiscountedMDP,
    FiniteHorizonMDP,
    LinearMDP,
    MultiArmedBandit,
    deterministic_policy,
    finite_horizon,
    one_hot_linear_mdp,
    policy_matrix,
)
from mdps.instances.random import random_finite_horizon_mdp, random_linear_mdp, random_mdp
from mdps.planning import policy_evaluation, solve

from .strategies import discounted_mdps, finite_horizon_mdps, seeds


def _valid(S=3, A=2):
    gen = np.random.default_rng(0)
    return gen.dirichlet(np.ones(S), size=(S, A)), gen.random((S, A)), np.full(S, 1.0 / S)


# --------------------------------------------------------------------------------------------
# Bad input: one test each, the message names the argument
# --------------------------------------------------------------------------------------------

def test_rows_not_summing_to_one_rejected():
    P, R, init = _valid()
    P[1, 0] *= 1.01
    with pytest.raises(ValueError, match=r"^P: expected rows summing to 1.*\(1, 0\)"):
        DiscountedMDP(P, R, 0.9, init)


def test_negative_probability_rejected():
    P, R, init = _valid()
    P[0, 1, :2] = [-0.1, 1.1 - P[0, 1, 2]]
    with pytest.raises(ValueError, match=r"^P: expected non-negative probabilities"):
        DiscountedMDP(P, R, 0.9, init)


@pytest.mark.parametrize("bad", [-0.01, 1.01])
def test_reward_outside_unit_interval_rejected(bad):
    P, R, init = _valid()
    R[2, 1] = bad
    with pytest.raises(ValueError, match=r"^R: expected values in \[0, 1\]"):
        DiscountedMDP(P, R, 0.9, init)


@pytest.mark.parametrize("name", ["P", "R", "initial"])
def test_nan_rejected(name):
    arrays = dict(zip(["P", "R", "initial"], _valid()))
    arrays[name].flat[0] = np.nan
    with pytest.raises(ValueError, match=rf"^{name}: expected finite values"):
        DiscountedMDP(gamma=0.9, **arrays)


@pytest.mark.parametrize("name, shape", [("R", (3, 3)), ("initial", (2,)), ("P", (3, 2, 2))])
def test_mismatched_shapes_rejected(name, shape):
    arrays = dict(zip(["P", "R", "initial"], _valid()))
    arrays[name] = np.full(shape, 1.0 / shape[-1])
    with pytest.raises(ValueError, match=rf"^{name}: expected"):
        DiscountedMDP(gamma=0.9, **arrays)


@pytest.mark.parametrize("gamma", [1.0, -0.1, 1.5, np.nan, "0.9x"])
def test_gamma_outside_unit_interval_rejected(gamma):
    with pytest.raises(ValueError, match=r"^gamma: expected a number in \[0, 1\)"):
        DiscountedMDP(*_valid()[:2], gamma, _valid()[2])


def test_reward_model_and_std_checked():
    P, R, init = _valid()
    with pytest.raises(ValueError, match="^reward_model"):
        DiscountedMDP(P, R, 0.9, init, reward_model="poisson")
    with pytest.raises(ValueError, match="^reward_std"):
        DiscountedMDP(P, R, 0.9, init, reward_model="gaussian", reward_std=0.0)
    with pytest.raises(ValueError, match="^reward_std"):
        DiscountedMDP(P, R, 0.9, init, reward_std="wide")


def test_finite_horizon_mdp_validation():
    P, R, init = _valid()
    with pytest.raises(ValueError, match="^P: expected a 4-d array"):
        FiniteHorizonMDP(P, R[None], init)
    with pytest.raises(ValueError, match="^R: expected shape"):
        FiniteHorizonMDP(P[None], R[None, :2], init)
    bad = np.array(P[None])
    bad[0, 0, 0] = 0.5
    with pytest.raises(ValueError, match="^P: expected rows summing to 1"):
        FiniteHorizonMDP(bad, R[None], init)


def test_bandit_validation():
    with pytest.raises(ValueError, match="^means: expected values in"):
        MultiArmedBandit([0.5, 1.5])
    with pytest.raises(ValueError, match="^means: expected at least one arm"):
        MultiArmedBandit([])
    with pytest.raises(ValueError, match="^context_distribution: expected rows summing"):
        ContextualBandit([0.5, 0.6], np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="^means: expected shape"):
        ContextualBandit([0.5, 0.5], np.full((3, 2), 0.5))


def test_non_positive_horizon_rejected():
    mdp = DiscountedMDP(*_valid()[:2], 0.9, _valid()[2])
    for horizon in (0, -3, 2.5):
        with pytest.raises(ValueError, match="^horizon: expected a positive integer"):
            finite_horizon(mdp, horizon)
    with pytest.raises(TypeError, match="^mdp"):
        finite_horizon(random_finite_horizon_mdp(rng=0), 3)


def test_instances_are_frozen_read_only_and_cache_their_solution():
    mdp = random_mdp(4, 3, 0.9, rng=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        mdp.gamma = 0.5
    with pytest.raises(ValueError, match="read-only"):
        mdp.P[0, 0, 0] = 1.0
    assert mdp.solution is mdp.solution
    with pytest.raises(ValueError, match="read-only"):
        mdp.optimal_values[0] = 0.0
    # The inputs were copied: changing the caller's array does not change the instance.
    P, R, init = _valid()
    m = DiscountedMDP(P, R, 0.9, init)
    R[0, 0] = 0.123456
    assert m.R[0, 0] != 0.123456


# --------------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------------

@settings(max_examples=20)
@given(seed=seeds, shape=st.sampled_from([(5,), (3, 4), (2, 3, 2)]), n_actions=st.integers(1, 4))
def test_policy_matrix_deterministic_policy_round_trip(seed, shape, n_actions):
    pi = np.random.default_rng(seed).integers(0, n_actions, size=shape)
    matrix = policy_matrix(pi, n_actions)
    assert matrix.shape == shape + (n_actions,)
    np.testing.assert_array_equal(matrix.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(np.take_along_axis(matrix, pi[..., None], -1)[..., 0], 1.0)
    np.testing.assert_array_equal(deterministic_policy(matrix), pi)
    np.testing.assert_array_equal(policy_matrix(matrix, n_actions), matrix)


def test_policy_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"^policy: expected entries < 3, got 3"):
        policy_matrix(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match=r"^policy: expected entries >= 0"):
        policy_matrix(np.array([0, -1]), 3)
    with pytest.raises(ValueError, match="^policy: expected rows summing to 1"):
        policy_matrix(np.array([[0.5, 0.6]]), 2)
    with pytest.raises(ValueError, match="^policy: expected an int array of actions or probabilities"):
        policy_matrix(np.array([[0.5, 0.5]]), 3)
    with pytest.raises(ValueError, match="^policy: expected one-hot rows"):
        deterministic_policy(np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="^n_actions"):
        policy_matrix(np.array([0]), 0)


# --------------------------------------------------------------------------------------------
# Finite-horizon truncation and the linear <-> tabular embedding
# --------------------------------------------------------------------------------------------

@settings(max_examples=15)
@given(mdp=discounted_mdps(), horizon=st.integers(1, 6))
def test_finite_horizon_truncation_is_h_undiscounted_backups(mdp, horizon):
    fh = finite_horizon(mdp, horizon)
    assert fh.P.shape == (horizon,) + mdp.P.shape
    np.testing.assert_array_equal(fh.P[-1], mdp.P)
    np.testing.assert_array_equal(fh.initial, mdp.initial)
    # Reference: H undiscounted Bellman backups from 0, written out with loops.
    S, A = mdp.R.shape
    V = np.zeros(S)
    for _ in range(horizon):
        V = np.array([max(mdp.R[s, a] + sum(mdp.P[s, a, t] * V[t] for t in range(S)) for a in range(A))
                      for s in range(S)])
    np.testing.assert_allclose(fh.optimal_values[0], V, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fh.optimal_values[horizon], 0.0)


@settings(max_examples=15)
@given(mdp=finite_horizon_mdps())
def test_one_hot_embedding_has_the_same_problem_and_values(mdp):
    linear = one_hot_linear_mdp(mdp)
    assert linear.dim == mdp.n_states * mdp.n_actions
    np.testing.assert_array_equal(linear.tabular.P, mdp.P)
    np.testing.assert_array_equal(linear.tabular.R, mdp.R)
    np.testing.assert_array_equal(solve(linear).values, mdp.optimal_values)
    policy = np.random.default_rng(0).integers(0, mdp.n_actions, size=(mdp.horizon, mdp.n_states))
    np.testing.assert_array_equal(policy_evaluation(linear, policy), policy_evaluation(mdp, policy))


@settings(max_examples=10)
@given(seed=seeds, dim=st.integers(1, 4))
def test_linear_bellman_backup_in_feature_space_matches_tabular(seed, dim):
    """Q_h = phi . w_h with w_h = theta_h + mu_h V_{h+1} (the linear-MDP identity) equals tabular Q*."""
    linear = random_linear_mdp(n_states=5, n_actions=3, dim=dim, horizon=4, rng=seed)
    H = linear.horizon
    V = np.zeros(linear.n_states)
    for h in range(H - 1, -1, -1):
        w = linear.theta[h] + linear.mu[h] @ V
        Q = linear.features @ w
        np.testing.assert_allclose(Q, linear.tabular.optimal_q[h], rtol=0, atol=1e-12)
        V = Q.max(axis=1)


def test_linear_mdp_rounding_only_within_1e_12():
    phi = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])  # S = 2, A = 1, d = 2
    mu = np.array([[[1.0 + 1e-13, -1e-13], [0.0, 1.0]]])
    theta = np.array([[0.5, 1.0 + 1e-13]])
    linear = LinearMDP(phi, mu, theta, [1.0, 0.0])
    assert linear.tabular.P[0, 0, 0, 1] == 0.0 and linear.tabular.R[0, 1, 0] == 1.0
    with pytest.raises(ValueError, match="^features, mu, theta: the induced linear MDP is invalid: P"):
        LinearMDP(phi, np.array([[[1.1, -0.1], [0.0, 1.0]]]), np.array([[0.5, 0.5]]), [1.0, 0.0])
    with pytest.raises(ValueError, match="^features, mu, theta: the induced linear MDP is invalid: R"):
        LinearMDP(phi, mu, np.array([[0.5, 1.0 + 1e-9]]), [1.0, 0.0])
    with pytest.raises(ValueError, match="^theta: expected shape"):
        LinearMDP(phi, mu, np.array([[0.5]]), [1.0, 0.0])


def test_nonnegative_float_accepts_zero_and_names_the_argument():
    from mdps._validation import nonnegative_float

    assert nonnegative_float("scale", 0) == 0.0 and nonnegative_float("scale", np.float32(2.5)) == 2.5
    for bad in (-1e-12, np.inf, np.nan, True, "1", None, [1.0]):
        with pytest.raises(ValueError, match=r"^scale: expected a finite number >= 0, got "):
            nonnegative_float("scale", bad)
