"""mdps.sparse: sparse transitions agree with the dense ones, are validated, solved and sampled."""
import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings

from mdps import (
    DiscountedMDP, SparseDiscountedMDP, bellman_residual, expected_return, occupancy, policy_evaluation,
    policy_q_values, q_from_values, sample_episodes, solve, state_occupancy,
)
from mdps.instances import chain_mdp, gridworld, random_mdp, sparse_chain, sparse_gridworld

from .strategies import discounted_mdps
from .test_sampling import LEVEL, bernoulli_sums_pvalue, chi_square_pvalue


def _sparse_random(seed, S=5, A=3, gamma=0.9):
    """A random dense MDP with exact zeros in P, and its sparse twin."""
    gen = np.random.default_rng(seed)
    P = gen.dirichlet(np.ones(S), size=(S, A))
    P = np.where((P >= 0.15) | (P == P.max(axis=-1, keepdims=True)), P, 0.0)
    P /= P.sum(axis=-1, keepdims=True)
    dense = DiscountedMDP(P, gen.random((S, A)), gamma, gen.dirichlet(np.ones(S)))
    return dense, SparseDiscountedMDP.from_dense(dense)


@settings(max_examples=25, deadline=None)
@given(discounted_mdps())
def test_sparse_and_dense_agree(dense):
    sparse = SparseDiscountedMDP.from_dense(dense)
    np.testing.assert_array_equal(sparse.to_dense().P, dense.P)
    for method in ("pi", "vi", "mpi", "lp"):
        res, ref = solve(sparse, method), solve(dense, method)
        assert res.method == method
        truth = dense.optimal_values
        # Each certificate holds for the sparse solver's own numbers.
        assert np.max(np.abs(res.values - truth)) <= res.value_error_bound + 1e-12
        assert np.max(np.abs(policy_evaluation(dense, res.policy) - truth)) <= res.policy_error_bound + 1e-12
        np.testing.assert_allclose(res.values, ref.values, atol=2e-7 if method == "lp" else 1e-9)
    stochastic = np.random.default_rng(dense.n_states).dirichlet(np.ones(dense.n_actions), size=dense.n_states)
    for policy in (dense.optimal_policy, stochastic):
        np.testing.assert_allclose(policy_evaluation(sparse, policy), policy_evaluation(dense, policy), atol=1e-10)
        np.testing.assert_allclose(policy_q_values(sparse, policy), policy_q_values(dense, policy), atol=1e-10)
        np.testing.assert_allclose(state_occupancy(sparse, policy), state_occupancy(dense, policy), atol=1e-12)
        np.testing.assert_allclose(occupancy(sparse, policy), occupancy(dense, policy), atol=1e-12)
        assert expected_return(sparse, policy) == pytest.approx(expected_return(dense, policy), abs=1e-10)
    V = np.linspace(0.0, 1.0, dense.n_states)
    np.testing.assert_allclose(q_from_values(sparse, V), q_from_values(dense, V), atol=1e-14)
    assert bellman_residual(sparse, V) == pytest.approx(bellman_residual(dense, V), abs=1e-14)


def test_instances_are_the_classic_ones():
    for sparse, dense in ((sparse_chain(9, 0.8, slip=0.3, small_reward=0.2), chain_mdp(9, 0.8, slip=0.3, small_reward=0.2)),
                          (sparse_gridworld(4, 5, 0.9, slip=0.2), gridworld(4, 5, 0.9, slip=0.2)),
                          (sparse_gridworld(1, 2, 0.5, slip=0.0), gridworld(1, 2, 0.5, slip=0.0))):
        twin = sparse.to_dense()
        np.testing.assert_allclose(twin.P, dense.P, rtol=0, atol=1e-15)
        np.testing.assert_array_equal(twin.R, dense.R)
        np.testing.assert_array_equal(twin.initial, dense.initial)
        assert twin.gamma == dense.gamma
        np.testing.assert_allclose(sparse.optimal_values, dense.optimal_values, atol=1e-12)
        np.testing.assert_array_equal(sparse.optimal_policy, dense.optimal_policy)


def test_large_chain_is_solved_and_certified():
    mdp = sparse_chain(20_000, 0.99, slip=0.0)
    res = solve(mdp, "mpi")
    # Without slips, walking right from state s reaches the end after S - 1 - s steps.
    S = mdp.n_states
    walk = 0.99 ** (S - 1 - np.arange(S)) / (1 - 0.99)
    truth = np.maximum(walk, 0.05 / (1 - 0.99))  # or stay at 0 forever, for the small reward
    truth[1:] = np.maximum(walk[1:], 0.99 * truth[0])
    assert res.value_error_bound <= 1e-8
    assert np.max(np.abs(res.values - truth)) <= res.value_error_bound


def test_validation():
    R, initial = np.full((2, 2), 0.5), [1.0, 0.0]
    good = scipy.sparse.csr_array(np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.0, 1.0]]))
    SparseDiscountedMDP(good, R, 0.9, initial)
    with pytest.raises(TypeError, match="P: expected a scipy.sparse"):
        SparseDiscountedMDP(good.toarray(), R, 0.9, initial)
    with pytest.raises(ValueError, match=r"P: expected shape \(S \* A, S\)"):
        SparseDiscountedMDP(good[:3], R, 0.9, initial)
    with pytest.raises(ValueError, match="non-negative"):
        SparseDiscountedMDP(scipy.sparse.csr_array([[1.0, 0.0], [1.5, -0.5], [0, 1.0], [0, 1.0]]), R, 0.9, initial)
    # Rows must sum to 1 within 1e-9: never renormalised.
    off = good.toarray()
    off[1] = [0.5, 0.5 + 2e-9]
    with pytest.raises(ValueError, match="rows summing to 1 within 1e-09.*row 1"):
        SparseDiscountedMDP(scipy.sparse.csr_array(off), R, 0.9, initial)
    off[1] = [0.5, 0.5 + 5e-10]
    assert SparseDiscountedMDP(scipy.sparse.csr_array(off), R, 0.9, initial).P[[1]].toarray()[0, 1] == 0.5 + 5e-10
    empty = scipy.sparse.csr_array((4, 2))
    with pytest.raises(ValueError, match="sum of 0.0 at row 0"):
        SparseDiscountedMDP(empty, R, 0.9, initial)
    with pytest.raises(ValueError, match="finite"):
        SparseDiscountedMDP(scipy.sparse.csr_array([[np.nan, 1.0], [0, 1.0], [0, 1.0], [0, 1.0]]), R, 0.9, initial)
    with pytest.raises(ValueError, match="R: expected values in"):
        SparseDiscountedMDP(good, np.full((2, 2), 1.5), 0.9, initial)
    with pytest.raises(ValueError, match="gamma"):
        SparseDiscountedMDP(good, R, 1.0, initial)
    with pytest.raises(TypeError, match="mdp: expected a DiscountedMDP"):
        SparseDiscountedMDP.from_dense(good)
    # Duplicates are summed and the stored arrays are read-only.
    coo = scipy.sparse.coo_array(([0.5, 0.5, 1.0, 1.0, 1.0], ([0, 0, 1, 2, 3], [1, 1, 0, 1, 1])), shape=(4, 2))
    mdp = SparseDiscountedMDP(coo, R, 0.9, initial)
    assert mdp.P.nnz == 4 and not mdp.P.data.flags.writeable


def test_deterministic_transitions_give_the_dense_samplers_data():
    """Rows with one successor: every uniform is spent where the dense kernel spends it."""
    for dense in (chain_mdp(12, 0.9, slip=0.0), gridworld(3, 4, slip=0.0)):
        sparse = SparseDiscountedMDP.from_dense(dense)
        for policy in (dense.optimal_policy, np.full((dense.n_states, dense.n_actions), 1 / dense.n_actions)):
            a = sample_episodes(dense, policy, 37, rng=3, n_steps=15)
            b = sample_episodes(sparse, policy, 37, rng=3, n_steps=15)
            for field in ("s", "a", "r", "s_next", "h"):
                np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_sparse_episodes_follow_the_law():
    dense, sparse = _sparse_random(seed=31, S=5, A=3)
    policy = np.random.default_rng(32).dirichlet(np.ones(3), size=5)
    data = sample_episodes(sparse, policy, 400, rng=33, n_steps=25)
    same = sample_episodes(sparse, policy, 400, rng=33, n_steps=25)
    np.testing.assert_array_equal(data.s_next, same.s_next)
    stats = data.statistics  # per step (H, S, A): summed over the steps
    counts, transitions = stats.counts.sum(axis=0), stats.transition_counts.sum(axis=0)
    assert chi_square_pvalue(np.bincount(data.s[data.h == 0], minlength=5)[None], dense.initial[None]) > LEVEL
    assert chi_square_pvalue(counts, policy) > LEVEL
    assert chi_square_pvalue(transitions, dense.P) > LEVEL
    assert bernoulli_sums_pvalue(stats.reward_sums.sum(axis=0), counts, dense.R) > LEVEL
    # The check can fail: the same counts against a slightly wrong kernel.
    wrong = np.roll(dense.P, 1, axis=2) * 0.1 + dense.P * 0.9
    assert chi_square_pvalue(transitions, wrong) <= LEVEL
    inner = data.h[1:] > 0
    np.testing.assert_array_equal(data.s[1:][inner], data.s_next[:-1][inner])


def test_iid_samples_of_a_sparse_mdp():
    from mdps import sample_offline_data, sample_statistics

    # One successor per row: the dense kernel's data exactly.
    dense = chain_mdp(10, 0.9, slip=0.0)
    sparse = SparseDiscountedMDP.from_dense(dense)
    mu = np.random.default_rng(41).dirichlet(np.ones(20)).reshape(10, 2)
    a, b = sample_offline_data(dense, mu, 300, rng=42), sample_offline_data(sparse, mu, 300, rng=42)
    for field in ("s", "a", "r", "s_next"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    # Several successors: the law of P.
    dense, sparse = _sparse_random(seed=43, S=5, A=3)
    mu = np.full((5, 3), 1 / 15)
    stats = sample_offline_data(sparse, mu, 20_000, rng=44).statistics
    assert chi_square_pvalue(stats.counts.reshape(1, -1), mu.reshape(1, -1)) > LEVEL
    assert chi_square_pvalue(stats.transition_counts, dense.P) > LEVEL
    assert bernoulli_sums_pvalue(stats.reward_sums, stats.counts, dense.R) > LEVEL
    with pytest.raises(TypeError, match="problem: expected a bandit or a dense MDP"):
        sample_statistics(sparse, mu, 10, rng=0)
