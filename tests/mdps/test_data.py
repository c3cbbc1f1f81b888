"""mdps.data: OfflineData validation and statistics, SufficientStatistics, data_distribution's C*."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdps.core import MultiArmedBandit, finite_horizon
from mdps.data import OfflineData, SufficientStatistics, data_distribution
from mdps.instances.random import (
    random_bandit,
    random_contextual_bandit,
    random_finite_horizon_mdp,
    random_linear_mdp,
    random_mdp,
)
from mdps.planning import concentrability, optimal_occupancy

from .strategies import discounted_mdps, seeds

PROBLEMS = {
    "bandit": lambda seed: random_bandit(4, rng=seed),
    "contextual": lambda seed: random_contextual_bandit(3, 3, rng=seed),
    "discounted": lambda seed: random_mdp(4, 3, 0.9, rng=seed),
    "finite_horizon": lambda seed: random_finite_horizon_mdp(3, 2, 3, rng=seed),
    "linear": lambda seed: random_linear_mdp(4, 2, 2, 3, rng=seed),
}


# --------------------------------------------------------------------------------------------
# data_distribution realises C* exactly
# --------------------------------------------------------------------------------------------

@settings(max_examples=20)
@given(kind=st.sampled_from(sorted(PROBLEMS)), seed=seeds,
       C=st.floats(1.0, 50.0), off_support=st.sampled_from(["uniform", "dirichlet"]))
def test_data_distribution_realises_concentrability_exactly(kind, seed, C, off_support):
    problem = PROBLEMS[kind](seed)
    mu = data_distribution(problem, C, off_support=off_support, rng=seed)
    d_star = optimal_occupancy(problem)
    assert mu.shape == d_star.shape and np.all(mu >= 0)
    sums = mu.sum(axis=(1, 2)) if mu.ndim == 3 else mu.sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    assert concentrability(problem, mu) == pytest.approx(C, rel=1e-9)
    # Independent recomputation of max d*/mu on the support of d*.
    support = d_star > 0
    assert np.max(d_star[support] / mu[support]) == pytest.approx(C, rel=1e-9)


def test_data_distribution_with_an_explicit_off_support_distribution():
    mdp = random_mdp(3, 2, 0.9, rng=0)
    d_star = optimal_occupancy(mdp)
    nu = np.where(d_star > 0, 0.0, 1.0)
    nu /= nu.sum()
    mu = data_distribution(mdp, 3.0, off_support=nu)
    np.testing.assert_allclose(mu, d_star / 3 + (2 / 3) * nu)
    with pytest.raises(ValueError, match="^off_support: expected no mass on the support"):
        data_distribution(mdp, 3.0, off_support=np.full((3, 2), 1 / 6))
    with pytest.raises(ValueError, match="^off_support: expected 'uniform'"):
        data_distribution(mdp, 3.0, off_support="gaussian")


def test_data_distribution_raises_when_impossible():
    # One arm (or one action everywhere): pi* visits every pair, so no mu has C* > 1.
    with pytest.raises(ValueError, match=r"^concentrability: C\* = 2.0 > 1 needs pairs outside"):
        data_distribution(MultiArmedBandit([0.5]), 2.0)
    one_action = random_mdp(3, 1, 0.9, rng=0)
    with pytest.raises(ValueError, match="^concentrability: C"):
        data_distribution(one_action, 1.5)
    np.testing.assert_allclose(data_distribution(one_action, 1.0), optimal_occupancy(one_action))


@pytest.mark.parametrize("bad", [0.99, 0.0, -1.0, np.nan, np.inf, "two"])
def test_concentrability_below_one_rejected(bad):
    with pytest.raises(ValueError, match="^concentrability: expected a"):
        data_distribution(random_bandit(3, rng=0), bad)


# --------------------------------------------------------------------------------------------
# OfflineData
# --------------------------------------------------------------------------------------------

def _tuples(n=6):
    gen = np.random.default_rng(0)
    return dict(s=gen.integers(0, 3, n), a=gen.integers(0, 2, n), r=gen.random(n), s_next=gen.integers(0, 3, n),
                n_states=3, n_actions=2)


@pytest.mark.parametrize("name, value, message", [
    ("s", [0, 1, 3, 0, 1, 2], "^s: expected entries < 3, got 3"),
    ("s", [0, -1, 2, 0, 1, 2], "^s: expected entries >= 0, got -1"),
    ("a", [0, 1, 2, 0, 1, 1], "^a: expected entries < 2, got 2"),
    ("s_next", [0, 1, 2, 0, 1, 5], "^s_next: expected entries < 3, got 5"),
    ("s", [0.5, 1, 2, 0, 1, 2], "^s: expected integers"),
    ("r", [0.5, np.nan, 0, 0, 1, 1], "^r: expected finite values"),
    ("a", [0, 1, 1], "^a: expected 6 entries like s, got 3"),
    ("s_next", [0, 1, 1], "^s_next: expected 6 entries like s"),
    ("n_states", 0, "^n_states: expected a positive integer"),
])
def test_offline_data_bad_input(name, value, message):
    kwargs = _tuples()
    kwargs[name] = value
    with pytest.raises(ValueError, match=message):
        OfflineData(**kwargs)


def test_offline_data_empty_and_horizon_errors():
    with pytest.raises(ValueError, match="^s: expected a non-empty dataset"):
        OfflineData([], [], [], [], 3, 2)
    kwargs = _tuples()
    with pytest.raises(ValueError, match="^h, horizon: expected both"):
        OfflineData(**kwargs, h=np.zeros(6, dtype=int))
    with pytest.raises(ValueError, match="^h: expected entries < 2"):
        OfflineData(**kwargs, h=[0, 1, 2, 0, 1, 0], horizon=2)
    with pytest.raises(ValueError, match="^horizon: expected a positive integer"):
        OfflineData(**kwargs, h=[0] * 6, horizon=0)


def test_statistics_match_a_python_loop():
    gen = np.random.default_rng(5)
    n, S, A, H = 500, 4, 3, 3
    s, a, t, h = (gen.integers(0, k, n) for k in (S, A, S, H))
    r = gen.random(n)
    for horizon in (None, H):
        data = OfflineData(s, a, r, t, S, A, None if horizon is None else h, horizon)
        shape = (S, A) if horizon is None else (H, S, A)
        counts, sums, trans = np.zeros(shape, int), np.zeros(shape), np.zeros(shape + (S,), int)
        for i in range(n):
            key = (s[i], a[i]) if horizon is None else (h[i], s[i], a[i])
            counts[key] += 1
            sums[key] += r[i]
            trans[key + (t[i],)] += 1
        stats = data.statistics
        np.testing.assert_array_equal(stats.counts, counts)
        np.testing.assert_allclose(stats.reward_sums, sums, rtol=1e-12)
        np.testing.assert_array_equal(stats.transition_counts, trans)
        assert stats.n_samples == n and stats.n_repetitions is None
        assert data.statistics is stats
        seen = counts > 0
        np.testing.assert_allclose(stats.empirical_rewards()[seen], sums[seen] / counts[seen])
        np.testing.assert_allclose(stats.empirical_transitions()[seen].sum(axis=-1), 1.0)
        assert np.all(stats.empirical_transitions()[~seen] == 0)


def test_bandit_statistics_are_per_arm():
    data = OfflineData([0, 0, 0], [0, 2, 2], [1.0, 0.0, 1.0], None, 1, 3)
    np.testing.assert_array_equal(data.statistics.counts, [1, 0, 2])
    np.testing.assert_array_equal(data.statistics.reward_sums, [1.0, 0.0, 1.0])
    assert data.statistics.transition_counts is None
    with pytest.raises(ValueError, match="^transition_counts: these statistics have no transitions"):
        data.statistics.empirical_transitions()


def test_split_and_subset():
    data = OfflineData(**_tuples(n=10))
    folds = data.split(3, rng=1)
    assert [len(f) for f in folds] == [3, 3, 3]
    again = data.split(3, rng=1)
    for f, g in zip(folds, again):
        np.testing.assert_array_equal(f.r, g.r)
    used = np.concatenate([f.r for f in folds])
    assert len(np.unique(used)) == 9 and np.all(np.isin(used, data.r))
    mask = data.s == 0
    np.testing.assert_array_equal(data.subset(mask).r, data.r[mask])
    with pytest.raises(ValueError, match="^n_folds: expected at most 10"):
        data.split(11)
    with pytest.raises(ValueError, match="^n_folds: expected a positive integer"):
        data.split(0)


def test_sufficient_statistics_validation():
    with pytest.raises(ValueError, match="^counts: expected non-negative"):
        SufficientStatistics(np.array([1, -1]), np.zeros(2))
    with pytest.raises(TypeError, match="^counts: expected an integer array"):
        SufficientStatistics(np.array([1.0, 1.0]), np.zeros(2))
    with pytest.raises(ValueError, match="^reward_sums: expected shape"):
        SufficientStatistics(np.array([1, 1]), np.zeros(3))
    with pytest.raises(ValueError, match="^reward_sums: expected finite"):
        SufficientStatistics(np.array([1, 1]), np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="^transition_counts: expected sum over s'"):
        SufficientStatistics(np.array([[1, 1], [0, 0]]), np.zeros((2, 2)),
                             np.array([[[1, 0], [1, 1]], [[0, 0], [0, 0]]]))
    with pytest.raises(ValueError, match="^transition_counts: expected a last axis of length S = 1"):
        SufficientStatistics(np.array([[1, 1]]), np.zeros((1, 2)), np.array([[[1, 0], [1, 0]]]))
    with pytest.raises(ValueError, match="^n_repetitions: expected counts with a leading axis of length 3"):
        SufficientStatistics(np.ones((2, 2), dtype=int), np.zeros((2, 2)), n_repetitions=3)
    stats = SufficientStatistics(np.array([[1, 2], [3, 4]]), np.zeros((2, 2)), n_repetitions=2)
    np.testing.assert_array_equal(stats.n_samples, [3, 7])
    # Without a repetition axis a 2-d table is one dataset (this used to be summed per row).
    assert SufficientStatistics(np.array([[1, 2], [3, 4]]), np.zeros((2, 2))).n_samples == 10


@settings(max_examples=10)
@given(mdp=discounted_mdps(), C=st.floats(1.0, 10.0))
def test_data_distribution_on_random_and_truncated_mdps(mdp, C):
    if mdp.n_actions == 1 and C > 1:
        return  # impossible by construction, covered above
    mu = data_distribution(mdp, C)
    assert concentrability(mdp, mu) == pytest.approx(C, rel=1e-9)
    fh = finite_horizon(mdp, 3)
    if C > 1 and np.any(optimal_occupancy(fh).reshape(3, -1).min(axis=1) > 0):
        return  # some step visits every pair (possible with A = 1)
    assert concentrability(fh, data_distribution(fh, C)) == pytest.approx(C, rel=1e-9)


def test_pair_shape_is_the_shape_of_a_data_distribution():
    from mdps.data import pair_shape
    from mdps.instances.random import random_bandit, random_contextual_bandit, random_finite_horizon_mdp, random_linear_mdp
    from mdps.instances.random import random_mdp

    assert pair_shape(random_bandit(4, rng=0)) == (4,)
    assert pair_shape(random_contextual_bandit(3, 2, rng=0)) == (3, 2)
    assert pair_shape(random_mdp(5, 2, rng=0)) == (5, 2)
    assert pair_shape(random_finite_horizon_mdp(3, 2, 4, rng=0)) == (4, 3, 2)
    assert pair_shape(random_linear_mdp(6, 2, 3, 5, rng=0)) == (5, 6, 2)
    with pytest.raises(TypeError, match="problem: expected a bandit or an MDP"):
        pair_shape(np.zeros((2, 2)))
