"""Unit tests of provable_rl.lcb (LCB, MPA, EBA, VI-LCB) and the hard families of mdps.instances.lcb."""
import math

import numpy as np
import pytest

from mdps import (
    MultiArmedBandit,
    OfflineData,
    SufficientStatistics,
    concentrability,
    data_distribution,
    policy_evaluation,
    sample_offline_data,
    sample_statistics,
)
from mdps.instances import random_bandit, random_mdp
from mdps.instances.lcb import (
    HARD_FAMILIES,
    cb_as_mdp,
    lcb_h1,
    lcb_h2,
    lcb_h3,
    lcb_h3_expected_suboptimality,
    lcb_h4,
    lcb_h5,
    lcb_h6,
    lcb_random_contextual_bandit,
    lcb_random_mdp,
)
from provable_rl.lcb import (
    bandit_lcb,
    contextual_empirical_best,
    contextual_lcb,
    contextual_most_played,
    empirical_best_arm,
    hoeffding_penalty,
    most_played_arm,
    n_vi_lcb_iterations,
    pessimistic_value_iteration,
    random_argmax,
    seen_argmax,
    vi_lcb,
    vi_lcb_penalty,
)


# ------------------------------------------------------------------ building blocks

def test_random_argmax_breaks_ties_uniformly_even_next_to_huge_values():
    # The float pitfall: -1e9 + 1e-9 == -1e9, so noise-based tie-breaking would always return 0.
    values = np.tile([-1e9, -1e9, -2e9], (4000, 1))
    picks = random_argmax(values, np.random.default_rng(0))
    assert set(np.unique(picks)) == {0, 1}
    assert abs(np.mean(picks == 1) - 0.5) < 0.05


def test_random_argmax_returns_the_unique_maximum_and_rejects_nan():
    assert random_argmax([0.1, 0.7, 0.3], 0) == 1
    with pytest.raises(ValueError, match="values"):
        random_argmax([0.1, np.nan], 0)
    with pytest.raises(ValueError, match="values"):
        random_argmax(np.zeros((2, 0)), 0)


def test_seen_argmax_ranks_seen_above_unseen_and_randomises_empty_rows():
    scores = np.array([[-5.0, np.inf], [0.0, 0.0]])
    counts = np.array([[1, 0], [0, 0]])
    picks = np.array([seen_argmax(scores, counts, np.random.default_rng(i)) for i in range(400)])
    assert np.all(picks[:, 0] == 0)
    assert 0.4 < picks[:, 1].mean() < 0.6
    with pytest.raises(ValueError, match="counts"):
        seen_argmax(scores, counts[:, :1], 0)


def test_hoeffding_penalty_formula():
    b = hoeffding_penalty(np.array([0, 1, 4]), math.log(40.0), 2.0)
    want = 2.0 * np.sqrt(math.log(40.0) / (2.0 * np.array([1, 1, 4])))
    np.testing.assert_allclose(b, want)


# ------------------------------------------------------------------ bandits

def _lcb_twin(counts, sums, delta, c=1.0):
    """Slow per-arm twin of LCB's scores (pure python)."""
    K = len(counts)
    out = []
    for n, s in zip(counts, sums):
        if n == 0:
            out.append(-math.inf)
        else:
            out.append(s / n - c * math.sqrt(math.log(2 * K / delta) / (2 * n)))
    return out


def test_bandit_lcb_batched_scores_match_per_repetition_twin():
    bandit = MultiArmedBandit(np.array([0.3, 0.5, 0.6, 0.55]))
    stats = sample_statistics(bandit, np.array([0.4, 0.3, 0.05, 0.25]), 60, 1, n_repetitions=200)
    res = bandit_lcb(stats, penalty_scale=0.7, rng=2)
    for r in range(200):
        twin = _lcb_twin(stats.counts[r], stats.reward_sums[r], 1 / 60, 0.7)
        np.testing.assert_allclose(res.scores[r], twin, rtol=1e-12)
        best = [i for i, x in enumerate(twin) if x == max(twin)]
        assert res.policy[r] in best
    np.testing.assert_allclose(res.delta, 1 / 60)


def test_bandit_rules_from_raw_data_equal_their_statistics():
    bandit = MultiArmedBandit(np.array([0.3, 0.6, 0.5]))
    data = sample_offline_data(bandit, np.array([0.5, 0.1, 0.4]), 200, rng=3)
    for rule in (bandit_lcb, most_played_arm, empirical_best_arm):
        a, b = rule(data, rng=4), rule(data.statistics, rng=4)
        assert a.policy == b.policy and isinstance(a.policy, int)
        np.testing.assert_array_equal(a.scores, b.scores)


def test_bandit_lcb_default_delta_is_one_over_n_and_the_docstring_example():
    stats = SufficientStatistics(np.array([90, 1]), np.array([54.0, 1.0]))
    res = bandit_lcb(stats, rng=0)
    assert res.policy == 0 and res.delta == pytest.approx(1 / 91)
    np.testing.assert_array_equal(res.scores, bandit_lcb(stats, delta=1 / 91, rng=0).scores)
    assert empirical_best_arm(stats, rng=0).policy == 1      # greedy trusts the single reward of 1
    assert most_played_arm(stats, rng=0).policy == 0


def test_unseen_arm_ranks_below_a_seen_arm_with_a_huge_penalty():
    # One sample with reward 0: LCB = -sqrt(log(2K N)/2) < -1; an unseen arm must still lose.
    stats = SufficientStatistics(np.array([1, 0, 0]), np.array([0.0, 0.0, 0.0]))
    assert all(bandit_lcb(stats, delta=1e-300, rng=i).policy == 0 for i in range(20))


def test_bandit_rules_are_reproducible():
    bandit = MultiArmedBandit(np.array([0.5, 0.5, 0.5]))
    stats = sample_statistics(bandit, np.full(3, 1 / 3), 30, 0, n_repetitions=50)
    np.testing.assert_array_equal(bandit_lcb(stats, rng=7).policy, bandit_lcb(stats, rng=7).policy)


def test_contextual_rules_shapes_batched_and_single():
    inst = lcb_h4(1000, 1.5, 1.0, 5, noisy_anchor=False)
    stats = sample_statistics(inst.problem, inst.data_distribution, 1000, 0, n_repetitions=30)
    for rule in (contextual_lcb, contextual_most_played, contextual_empirical_best):
        res = rule(stats, rng=1)
        assert res.policy.shape == (30, 5)
        assert np.all(res.policy[:, 0] == 0)  # the anchor's only seen action
    single = SufficientStatistics(stats.counts[0], stats.reward_sums[0])
    assert contextual_lcb(single, rng=1).policy.shape == (5,)
    data = sample_offline_data(inst.problem, inst.data_distribution, 500, rng=2)
    np.testing.assert_array_equal(contextual_lcb(data, rng=3).scores, contextual_lcb(data.statistics, rng=3).scores)


def test_contextual_lcb_scores_match_twin_with_union_over_pairs():
    counts = np.array([[3, 0], [1, 7]])
    sums = np.array([[2.0, 0.0], [1.0, 3.0]])
    res = contextual_lcb(SufficientStatistics(counts, sums), delta=0.05, rng=0)
    for s in range(2):
        for a in range(2):
            n = counts[s, a]
            want = -math.inf if n == 0 else sums[s, a] / n - math.sqrt(math.log(2 * 4 / 0.05) / (2 * n))
            assert res.scores[s, a] == pytest.approx(want)


@pytest.mark.parametrize("kwargs, match", [
    ({"delta": 0.0}, "delta"), ({"delta": 1.5}, "delta"), ({"penalty_scale": -1.0}, "penalty_scale"),
    ({"penalty_scale": float("nan")}, "penalty_scale"),
])
def test_bandit_lcb_rejects_bad_parameters(kwargs, match):
    stats = SufficientStatistics(np.array([3, 2]), np.array([1.0, 1.0]))
    with pytest.raises(ValueError, match=match):
        bandit_lcb(stats, **kwargs)


def test_bandit_rules_reject_bad_data():
    with pytest.raises(TypeError, match="data"):
        bandit_lcb(np.array([1, 2]))
    with pytest.raises(ValueError, match="data"):
        bandit_lcb(SufficientStatistics(np.zeros((2, 2, 2), int), np.zeros((2, 2, 2))))
    with pytest.raises(ValueError, match="empty"):
        bandit_lcb(SufficientStatistics(np.array([0, 0]), np.array([0.0, 0.0])))
    cb_data = OfflineData(np.array([0, 1]), np.array([0, 1]), np.array([1.0, 0.0]), None, 2, 2)
    with pytest.raises(ValueError, match="n_states"):
        most_played_arm(cb_data)
    with pytest.raises(ValueError, match="data"):
        contextual_lcb(SufficientStatistics(np.array([1, 2]), np.array([1.0, 1.0])))


# ------------------------------------------------------------------ VI-LCB

def _vi_lcb_twin(counts, sums, trans, gamma, delta, c=1.0):
    """Literal pure-python Algorithm 3 on fold statistics (F, S, A), tight constants, no ties assumed."""
    F, S, A = counts.shape
    T = F - 1
    vmax = 1 / (1 - gamma)
    log_term = math.log(2 * F * S * A / delta)
    pi = [max(range(A), key=lambda a: counts[0, s, a]) for s in range(S)]
    V = [0.0] * S
    for t in range(1, T + 1):
        newV, newpi = list(V), list(pi)
        for s in range(S):
            best, arg = -math.inf, None
            for a in range(A):
                m = counts[t, s, a]
                if m == 0:
                    continue
                q = (sums[t, s, a] / m - c * vmax * math.sqrt(log_term / (2 * m))
                     + gamma * sum(trans[t, s, a, x] / m * V[x] for x in range(S)))
                if q > best:
                    best, arg = q, a
            if arg is not None and best > V[s]:
                newV[s], newpi[s] = best, arg
        V, pi = newV, newpi
    return np.array(pi), np.array(V)


def _folds(mdp, mu, n_samples, rng, reps=None):
    F = n_vi_lcb_iterations(n_samples, mdp.gamma) + 1
    m = n_samples // F
    st = sample_statistics(mdp, mu, m, rng, n_repetitions=(reps or 1) * F)
    S, A = mdp.n_states, mdp.n_actions
    lead = (reps, F) if reps else (F,)
    return SufficientStatistics(st.counts.reshape(lead + (S, A)), st.reward_sums.reshape(lead + (S, A)),
                                st.transition_counts.reshape(lead + (S, A, S)), n_repetitions=reps)


def test_vi_lcb_matches_the_literal_twin_batched():
    mdp = random_mdp(4, 3, gamma=0.5, rng=0)
    mu = data_distribution(mdp, 2.0)
    stats = _folds(mdp, mu, 20000, 1, reps=6)
    res = vi_lcb(stats, 0.5, delta=0.1, penalty_scale=0.3, rng=2)
    assert res.policy.shape == (6, 4) and res.n_iterations == stats.counts.shape[1] - 1
    for r in range(6):
        pi, V = _vi_lcb_twin(stats.counts[r], stats.reward_sums[r], stats.transition_counts[r], 0.5, 0.1, 0.3)
        np.testing.assert_allclose(res.values[r], V, atol=1e-12)
        np.testing.assert_array_equal(res.policy[r], pi)


def test_vi_lcb_is_a_certified_lower_bound_and_learns_from_raw_data():
    mdp = random_mdp(5, 3, gamma=0.5, rng=0)
    data = sample_offline_data(mdp, data_distribution(mdp, 1.0), 4000, rng=1)
    res = vi_lcb(data, 0.5, rng=2)
    np.testing.assert_array_equal(res.policy, mdp.optimal_policy)
    assert np.all(res.values <= policy_evaluation(mdp, res.policy) + 1e-12)
    assert res.fold_size == 4000 // (n_vi_lcb_iterations(4000, 0.5) + 1)
    again = vi_lcb(data, 0.5, rng=2)
    np.testing.assert_array_equal(again.values, res.values)


def test_vi_lcb_no_split_and_pooled_statistics_agree():
    mdp = random_mdp(4, 2, gamma=0.5, rng=3)
    data = sample_offline_data(mdp, data_distribution(mdp, 1.5), 3000, rng=4)
    a = vi_lcb(data, 0.5, split=False, rng=5)
    b = vi_lcb(data.statistics, 0.5, split=False, rng=5)
    np.testing.assert_allclose(a.values, b.values)
    assert a.n_iterations == n_vi_lcb_iterations(3000, 0.5) and a.fold_size == 3000
    assert np.all(a.values <= policy_evaluation(mdp, a.policy) + 1e-12)


def test_vi_lcb_paper_constants_are_vacuous_at_small_n_and_return_behaviour_cloning():
    mdp = random_mdp(4, 3, gamma=0.5, rng=0)
    stats = _folds(mdp, data_distribution(mdp, 2.0), 8000, 1)
    res = vi_lcb(stats, 0.5, constants="paper", rng=2)
    np.testing.assert_array_equal(res.values, 0.0)
    np.testing.assert_array_equal(res.policy, stats.counts[0].argmax(axis=1))  # no ties at these counts
    pen = vi_lcb_penalty(stats.counts[1:], gamma=0.5, n_folds=stats.counts.shape[0], delta=1 / 8000, constants="paper")
    assert pen.min() > 2.0  # >= V_max: Q_t < 0 <= V_{t-1} everywhere


def test_vi_lcb_ablation_switches():
    mdp = random_mdp(4, 3, gamma=0.5, rng=0)
    mu = data_distribution(mdp, 1.0)   # expert data: non-optimal pairs unseen
    stats = _folds(mdp, mu, 8000, 1)
    opt = vi_lcb(stats, 0.5, unseen_value=2.0, rng=0)
    assert np.any(opt.policy != mdp.optimal_policy)  # optimism about unseen pairs picks them
    # With the paper's vacuous penalty no Q_t rises above 0, so pi_T = pi_0: behaviour cloning returns
    # fold 0's most-played action, the uniform start returns its own random draw.
    bc = vi_lcb(stats, 0.5, constants="paper", rng=0)
    np.testing.assert_array_equal(bc.policy, stats.counts[0].argmax(axis=1))
    starts = [vi_lcb(stats, 0.5, start="uniform", constants="paper", rng=seed) for seed in range(40)]
    for res in starts:
        np.testing.assert_array_equal(res.values, 0.0)
    draws = np.array([res.policy for res in starts])            # (40, S)
    assert np.all(np.isin(draws, np.arange(3)))
    assert all(len(np.unique(draws[:, s])) == 3 for s in range(4))  # every action appears in every state


@pytest.mark.parametrize("kwargs, match", [
    ({"constants": "loose"}, "constants"), ({"split": "yes"}, "split"), ({"delta": 2.0}, "delta"),
    ({"penalty_scale": -0.1}, "penalty_scale"), ({"start": "oracle"}, "start"),
    ({"unseen_value": float("nan")}, "unseen_value"),
])
def test_vi_lcb_rejects_bad_parameters(kwargs, match):
    mdp = random_mdp(3, 2, gamma=0.5, rng=0)
    data = sample_offline_data(mdp, data_distribution(mdp, 1.5), 500, rng=1)
    with pytest.raises(ValueError, match=match):
        vi_lcb(data, 0.5, **kwargs)


def test_vi_lcb_rejects_bad_data():
    mdp = random_mdp(3, 2, gamma=0.5, rng=0)
    data = sample_offline_data(mdp, data_distribution(mdp, 1.5), 500, rng=1)
    with pytest.raises(ValueError, match="gamma"):
        vi_lcb(data, 1.0)
    with pytest.raises(ValueError, match="pooled"):
        vi_lcb(data.statistics, 0.5, split=True)
    folds = _folds(mdp, data_distribution(mdp, 1.5), 500, 1)
    with pytest.raises(ValueError, match="split=False with per-fold"):
        vi_lcb(folds, 0.5, split=False)
    with pytest.raises(ValueError, match="n_repetitions"):   # a 4-d array without n_repetitions
        vi_lcb(SufficientStatistics(folds.counts[None], folds.reward_sums[None], folds.transition_counts[None]), 0.5)
    with pytest.raises(ValueError, match="transition"):
        vi_lcb(SufficientStatistics(np.ones((3, 2), int), np.ones((3, 2))), 0.5, split=False)
    with pytest.raises(TypeError, match="data"):
        vi_lcb(np.ones((3, 2)), 0.5)
    bandit_data = OfflineData(np.array([0, 1]), np.array([0, 1]), np.array([1.0, 0.0]), None, 2, 2)
    with pytest.raises(ValueError, match="s_next"):
        vi_lcb(bandit_data, 0.5)
    with pytest.raises(ValueError, match="T \\+ 1"):
        vi_lcb(data.subset(np.arange(3)), 0.5)
    with pytest.raises(ValueError, match="n_samples"):
        n_vi_lcb_iterations(0, 0.5)


# ------------------------------------------------------------------ hard families

def test_families_realise_their_concentrability():
    assert lcb_h1(1000, 4.0, 1.0).concentrability == pytest.approx(4.0)
    assert lcb_h1(1000, 4.0, 1.0, hypothesis="B").concentrability == pytest.approx(4 / 3)
    assert lcb_h2(1000, 1.5, hypothesis="B").concentrability == pytest.approx(1.5)
    for C in (1.0, 1.01, 1.5, 2.0):
        inst = lcb_h4(2000, C, 1.0, 10, noisy_anchor=False)
        assert inst.concentrability == pytest.approx(C)
        assert concentrability(inst.problem, inst.data_distribution) == pytest.approx(C)
        noisy = lcb_h4(2000, C, 1.0, 10)   # the rare action's mass 1/N scales the rest by 1 - 1/N
        assert noisy.concentrability == pytest.approx(C * 2000 / 1999, rel=1e-12)
        assert concentrability(noisy.problem, noisy.data_distribution) == pytest.approx(C * 2000 / 1999, rel=1e-12)
        assert noisy.data_distribution[0, 1] == pytest.approx(1 / 2000)
    h3 = lcb_h3(1000, 1.0, 1.0, 10)
    assert h3.concentrability == pytest.approx(0.991 / 0.990, rel=1e-12)
    assert lcb_h3(1000, 1.0, 1.0, 10, noisy_anchor=False).concentrability == 1.0
    assert lcb_h5(1000, 1.5, 1.0, 6).concentrability == pytest.approx(1.5 * 1000 / 999)
    assert lcb_h6(1000, 3.0, 0.2, 5).concentrability == pytest.approx(3.0)
    assert lcb_random_contextual_bandit(0, n_states=4, n_actions=3, concentrability=2.0).concentrability == pytest.approx(2.0)
    assert lcb_random_mdp(0, concentrability=2.0).concentrability < 2.0
    assert lcb_random_mdp(0, concentrability=2.0, mixing="off").concentrability == pytest.approx(2.0)
    for name, family in HARD_FAMILIES.items():
        assert name.startswith("LCB-H") and callable(family)


def test_h1_gap_scales_like_sqrt_c_over_n_and_h4_gaps():
    bandit = lcb_h1(400, 4.0, 1.0).problem
    assert bandit.gaps.max() == pytest.approx(math.sqrt(4 / 400))
    assert lcb_h1(400, 4.0, 100.0).problem.gaps.max() == pytest.approx(0.5)
    cb, mu, _ = lcb_h4(1000, 1.5, 1.0, 6)
    rho = cb.context_distribution
    assert cb.gaps[1, 1] == pytest.approx(1 / math.sqrt(1000 * rho[1] / 1.5))
    assert mu.sum() == pytest.approx(1.0)


def test_h3_expected_suboptimality_matches_monte_carlo():
    cb, mu, _ = lcb_h3(500, 1.0, 1.0, 10)
    stats = sample_statistics(cb, mu, 500, 0, n_repetitions=20000)
    pol = contextual_lcb(stats, rng=1).policy
    gaps = cb.gaps[np.arange(10)[None], pol]
    mean = (gaps * cb.context_distribution).sum(axis=1).mean()
    assert mean == pytest.approx(lcb_h3_expected_suboptimality(500, 10), rel=0.05)


def test_cb_as_mdp_values_are_bandit_values_over_one_minus_gamma():
    inst = lcb_h4(1000, 1.5, 1.0, 4)
    mdp = cb_as_mdp(inst, 0.5).problem
    pi = np.array([0, 1, 0, 1])
    V = policy_evaluation(mdp, pi)
    J_cb = inst.problem.context_distribution @ inst.problem.means[np.arange(4), pi]
    assert mdp.initial @ V == pytest.approx(J_cb / 0.5)


@pytest.mark.parametrize("call, match", [
    (lambda: lcb_h1(100, 0.5), "concentrability"), (lambda: lcb_h1(100, 2.0, n_states=3), "n_states"),
    (lambda: lcb_h1(100, 2.0, hypothesis="C"), "hypothesis"), (lambda: lcb_h1(100, 2.0, 0.0), "gap"),
    (lambda: lcb_h2(100, 2.5), "concentrability"), (lambda: lcb_h3(100, 2.0), "concentrability"),
    (lambda: lcb_h3(5, 1.0, 1.0, 10), "n_samples"), (lambda: lcb_h4(100, 2.5), "concentrability"),
    (lambda: lcb_h4(100, 1.5, 1.0, 1), "n_states"), (lambda: lcb_h6(100, 2.0, 0.95, 5, gamma=0.5), "gap_scale"),
    (lambda: lcb_random_mdp(0, concentrability=2.0, mixing="some"), "mixing"),
    (lambda: cb_as_mdp(lcb_h1(100, 2.0), 0.5), "instance"),
])
def test_families_reject_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_low_level_vi_functions_validate_shapes():
    from provable_rl.lcb import pessimistic_value_iteration

    counts = np.ones((1, 2, 3, 2), int)
    sums = np.ones((1, 2, 3, 2))
    trans = np.zeros((1, 2, 3, 2, 3), int)
    trans[..., 0] = 1
    with pytest.raises(ValueError, match="transition_counts"):
        pessimistic_value_iteration(counts, sums, trans[..., :2], sums, 0.5, np.zeros((1, 3), int))
    with pytest.raises(ValueError, match="initial_policy"):
        pessimistic_value_iteration(counts, sums, trans, sums, 0.5, np.zeros((1, 3), int) + 2)
    pi, V = pessimistic_value_iteration(counts, sums, trans, 0.0 * sums, 0.5, np.zeros((1, 3), int), rng=0)
    assert pi.shape == (1, 3) and np.all(V >= 1.0)
    with pytest.raises(ValueError, match="n_folds"):
        vi_lcb_penalty(np.ones((3, 2)), gamma=0.5, n_folds=0, delta=0.1)


def test_batching_is_read_from_n_repetitions_not_guessed_from_shape():
    bandit = random_bandit(3, rng=0)
    reps = sample_statistics(bandit, np.full(3, 1 / 3), 40, 1, n_repetitions=5)   # (5, 3), n_repetitions 5
    assert bandit_lcb(reps, rng=0).policy.shape == (5,)
    with pytest.raises(ValueError, match="n_repetitions"):   # 5 bandit datasets are not a 5-context CB
        contextual_lcb(reps, rng=0)
    cb = lcb_h4(1000, 1.5, 1.0, 4).problem
    one = sample_statistics(cb, lcb_h4(1000, 1.5, 1.0, 4).data_distribution, 1000, 2)   # (4, 2), one CB dataset
    assert contextual_lcb(one, rng=0).policy.shape == (4,)
    with pytest.raises(ValueError, match="n_repetitions"):   # one CB dataset is not 4 bandit datasets
        bandit_lcb(one, rng=0)
    mdp = random_mdp(3, 2, gamma=0.5, rng=0)
    pooled = sample_statistics(mdp, data_distribution(mdp, 1.5), 500, 3, n_repetitions=5)   # (5, S, A)
    res = vi_lcb(pooled, 0.5, split=False, rng=0)            # 5 pooled datasets, not 5 folds of one
    assert res.policy.shape == (5, 3) and res.fold_size == 500
    with pytest.raises(ValueError, match="split"):
        vi_lcb(pooled, 0.5, rng=0)


def test_finite_horizon_data_is_rejected_by_name():
    data = OfflineData(np.array([0, 1]), np.array([0, 1]), np.array([1.0, 0.0]), None, 2, 2,
                       h=np.array([0, 1]), horizon=2)
    with pytest.raises(ValueError, match="data"):
        contextual_lcb(data, rng=0)


@pytest.mark.parametrize("call, match", [
    (lambda: hoeffding_penalty(np.array([1, 2]), 1.0, scale=-1.0), "scale"),
    (lambda: hoeffding_penalty(np.array([-1, 2]), 1.0), "counts"),
    (lambda: hoeffding_penalty(np.array([1, 2]), -1.0), "log_term"),
    (lambda: hoeffding_penalty(np.array([1.5, 2]), 1.0), "counts"),
])
def test_hoeffding_penalty_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_pessimistic_value_iteration_rejects_inconsistent_statistics():
    counts = np.array([[[[4, 1]]]])
    good = dict(counts=counts, reward_sums=np.array([[[[3.0, 1.0]]]]), transition_counts=counts[..., None],
                penalty=np.zeros((1, 1, 1, 2)), gamma=0.5, initial_policy=np.array([[0]]))
    pessimistic_value_iteration(**good)
    for key, value, match in (("penalty", np.full((1, 1, 1, 2), -0.1), "penalty"),
                              ("penalty", np.full((1, 1, 1, 2), np.nan), "penalty"),
                              ("reward_sums", np.array([[[[5.0, 1.0]]]]), "reward_sums"),
                              ("counts", -counts, "counts"),
                              ("transition_counts", 2 * counts[..., None], "transition_counts"),
                              ("unseen_value", float("nan"), "unseen_value")):
        with pytest.raises(ValueError, match=match):
            pessimistic_value_iteration(**{**good, key: value})


def test_noisy_anchor_fools_greedy_but_not_lcb():
    # The anchor's rare action (mass 1/N, mean 0.5 < 0.6) is seen ~once: greedy takes it after a lucky reward.
    cb, mu, _ = lcb_h3(4000, 1.0, 1.0, 5)
    stats = sample_statistics(cb, mu, 4000, 0, n_repetitions=2000)
    lcb = contextual_lcb(stats, rng=1).policy[:, 0]
    greedy = contextual_empirical_best(stats, rng=1).policy[:, 0]
    seen_lucky = (stats.counts[:, 0, 1] > 0) & (stats.reward_sums[:, 0, 1] == stats.counts[:, 0, 1])
    assert np.all(lcb == 0)
    assert np.all(greedy[seen_lucky] == 1)   # every all-ones sample of the rare action beats a*'s mean (< 1)
    assert 0.2 < seen_lucky.mean() < 0.45                     # ~ P(seen) x P(reward 1) = 0.63 x 0.5
    with pytest.raises(ValueError, match="noisy_anchor"):
        lcb_h4(1000, 1.5, 1.0, 5, noisy_anchor="yes")


def test_split_vi_lcb_on_raw_data_equals_the_per_fold_statistics_path_bit_for_bit():
    # Raw data builds one fold's next-state counts at a time (memory); the result must be the one of
    # the same folds handed over as stacked per-fold statistics.
    from mdps import SufficientStatistics, data_distribution, sample_offline_data
    from mdps.instances import random_mdp
    from provable_rl.lcb import n_vi_lcb_iterations

    mdp = random_mdp(12, 4, gamma=0.9, rng=1)
    data = sample_offline_data(mdp, data_distribution(mdp, 2.0), 20000, rng=11)
    lazy = vi_lcb(data, 0.9, split=True, rng=21)
    gen = np.random.default_rng(21)
    folds = [f.statistics for f in data.split(n_vi_lcb_iterations(len(data), 0.9) + 1, gen)]
    stacked = SufficientStatistics(np.stack([f.counts for f in folds]), np.stack([f.reward_sums for f in folds]),
                                   np.stack([f.transition_counts for f in folds]))
    dense = vi_lcb(stacked, 0.9, split=True, rng=gen)
    assert np.array_equal(lazy.policy, dense.policy) and lazy.values.tobytes() == dense.values.tobytes()
    assert (lazy.n_iterations, lazy.fold_size, lazy.delta) == (dense.n_iterations, dense.fold_size, dense.delta)
