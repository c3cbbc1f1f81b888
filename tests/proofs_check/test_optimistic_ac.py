"""Each claim of proofs_check.optimistic_ac holds at the smoke budget and rejects its whole panel, at two seeds."""
import functools
import pickle

import numpy as np
import pytest

from proofs_check import optimistic_ac
from proofs_check.framework import LearnerProtocol, get_claim, run_sweep
from tests.proofs_check.conftest import SMOKE_SEEDS, assert_check_passes

CLAIMS = optimistic_ac.CLAIMS
CLAIM_IDS = [c.id for c in CLAIMS]


def test_every_theory_claim_is_registered_with_a_panel():
    assert set(CLAIM_IDS) == {"AC-T1", "AC-T1b", "AC-T1c", "AC-T1d", "AC-T1e", "AC-T2", "AC-T2b", "AC-T3", "AC-T3b",
                              "AC-T3c", "AC-T5", "AC-T5b"}
    for claim in CLAIMS:
        assert claim.name.startswith("optimistic_ac.") and get_claim(claim.id) is claim
        assert isinstance(claim.protocol, LearnerProtocol) and claim.protocol.name.startswith("optimistic_ac.")
        assert len(claim.mutants) >= 3 or claim.panel_note
        for mutant in claim.mutants:
            # Workers pickle learners by reference: module-level functions or partials of them.
            learner = mutant.learner.func if isinstance(mutant.learner, functools.partial) else mutant.learner
            assert learner.__module__ == "proofs_check.optimistic_ac"
            pickle.dumps(mutant.learner)


def test_rate_claims_exclude_the_competing_exponents():
    assert optimistic_ac.REGRET_COMPETITORS == (2.0 / 3.0, 1.0)
    rows = [{"block": b, "T": T, "regret": T ** (2 / 3) * (1 + 0.01 * b)} for b in range(8)
            for T in optimistic_ac.RATE_CHECKPOINTS]
    # A T^(2/3) regret is inside the 0.5 +/- 0.15 band's reach but must not pass.
    verdict = optimistic_ac._analyse_rate(rows, "smoke")
    assert not verdict.holds and "NOT 0.667" in verdict.summary


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds_and_panel_is_rejected(claim_id, seed, tmp_path):
    assert_check_passes(claim_id, seed, tmp_path)


def test_sweep_rows_are_reproducible():
    sweep = optimistic_ac.LINEAR_RATE  # the cheapest sweep; every sweep draws only from its cell's rng
    first = run_sweep(sweep, "smoke", use_cache=False, seed=3)
    again = run_sweep(sweep, "smoke", use_cache=False, seed=3)
    assert first == again


def test_the_sweep_measures_regret_from_the_learners_per_episode_regret():
    # A user's learner returns per-episode regret and switches; the sweep accumulates them itself.
    run = optimistic_ac.TABULAR_PROTOCOL.default(optimistic_ac.tabular_instance(0), 4000, np.random.default_rng(1))
    rows = optimistic_ac._curve_rows(run, [2000, 4000], epsilon=0.1)
    assert rows[1]["regret"] == pytest.approx(float(np.sum(run.regret)))
    assert rows[0]["switches"] == run.switches[1999] and rows[0]["first_within_epsilon"] == run.first_within_epsilon


def test_hybrid_mutants_mishandle_only_the_offline_data():
    lock = optimistic_ac.finite_horizon_lock(4, 3, 0)
    offline = optimistic_ac.offline_episodes(lock, 30, 1, epsilon=0.2)
    ref = optimistic_ac.non_optimistic_hybrid(lock, offline, 50, np.random.default_rng(2))
    same = optimistic_ac._hybrid_variant(lock, offline, 50, np.random.default_rng(2))
    np.testing.assert_array_equal(ref.regret, same.regret)
    ignored = optimistic_ac._hybrid_variant(lock, offline, 50, np.random.default_rng(2), offline="ignore")
    alone = optimistic_ac.non_optimistic_hybrid(lock, None, 50, np.random.default_rng(2))
    np.testing.assert_array_equal(ignored.regret, alone.regret)
    with pytest.raises(ValueError, match="offline"):
        optimistic_ac._hybrid_variant(lock, offline, 5, 0, offline="half")


def test_the_t_two_thirds_baseline_and_the_on_policy_critic_are_learners_of_the_protocol():
    mdp = optimistic_ac.gap_family_mdp(0.25, 2, 3, 0)
    etc = optimistic_ac._explore_then_commit(mdp, 5000, np.random.default_rng(0))
    # Epochs of 1024 and 2048 episodes explore ceil(1024^(2/3)) = 102 and 161 episodes uniformly.
    uniform_regret = 0.25 * 2 / 2 / 2
    np.testing.assert_allclose(etc.regret[:102], uniform_regret)
    np.testing.assert_allclose(etc.regret[1024:1024 + 161], uniform_regret)
    assert etc.regret.shape == (5000,) and etc.q_values.shape == (3, 3, 2)
    on_policy = optimistic_ac._on_policy_actor_critic(mdp, 1000, np.random.default_rng(0))
    assert on_policy.regret.shape == (1000,) and np.all(on_policy.regret >= -1e-12)
    np.testing.assert_allclose(on_policy.regret[:256], uniform_regret)  # the first batch plays the uniform policy


def _threshold_rows(scale):
    """Rows of AC-T3c's sweep whose per-run thresholds are ``scale(c*, eps)`` times a spread of run factors."""
    rows = []
    for design, c, e in optimistic_ac._threshold_points():
        for k in range(20):
            value = scale(c, e) * (1.0 + 0.05 * k)
            rows.append({"design": design, "c_star": c, "epsilon": e, "threshold": value})
    return rows


def test_the_threshold_rate_resolves_the_exponents_of_c_star_and_epsilon():
    analyse = optimistic_ac._analyse_threshold_rate
    assert analyse(_threshold_rows(lambda c, e: c / e ** 2), "smoke").holds
    # A threshold ~ c*/eps (the ridge mutant's) fails on the eps design only; ~ sqrt(c*)/eps^2 on the c* design only.
    slow = analyse(_threshold_rows(lambda c, e: c / e), "smoke")
    assert not slow.holds and "exponent of 1/eps^2: slope 0.5" in slow.summary
    assert not analyse(_threshold_rows(lambda c, e: c ** 0.5 / e ** 2), "smoke").holds
    # A run without a threshold in its grid (-1) makes the mean infinite: the claim fails.
    censored = _threshold_rows(lambda c, e: c / e ** 2)
    censored[0]["threshold"] = -1
    assert not analyse(censored, "smoke").holds


def test_the_threshold_scan_nests_the_offline_data_and_starts_at_the_hoeffding_size():
    c, eps = 4.0, 0.05
    grid = optimistic_ac.threshold_grid(c, eps)
    gap = optimistic_ac.GAP_PER_EPSILON * eps
    assert grid[0] == 1 and np.all(grid[1:] == 2 * grid[:-1])
    assert grid[-1] >= optimistic_ac.TOP_FACTOR * c / gap ** 2 > grid[-2]
    mdp = optimistic_ac.coin_lock_mdp(gap, 6, 5, 0)
    data = optimistic_ac.sample_offline_data(mdp, optimistic_ac.data_distribution(mdp, c), 16, 1)
    small = optimistic_ac._offline_prefix(data, 4, 16)
    assert len(small) == 4 * 6
    np.testing.assert_array_equal(small.statistics.counts.sum(axis=(1, 2)), np.full(6, 4))
    for h in range(6):  # the first 4 tuples of every step, in order
        np.testing.assert_array_equal(small.s[small.h == h], data.s[data.h == h][:4])
    assert optimistic_ac._offline_prefix(data, 16, 16) is data
    assert optimistic_ac.online_episodes(0.1) == 125


def test_the_ridge_mutant_shrinks_the_critic_towards_zero():
    mdp = optimistic_ac.coin_lock_mdp(0.1, 3, 2, 0)
    ridged = optimistic_ac._ridge_hybrid(mdp, None, 1, np.random.default_rng(0), ridge=10)
    # One online episode: every pair has 10 pseudo-observations of value 0 (and at most one real visit).
    assert np.all(np.abs(ridged.q_values) <= 1.0 / 11 + 1e-9)


def test_the_on_policy_batch_statistics_have_the_law_of_rolled_out_episodes():
    mdp = optimistic_ac.gap_family_mdp(0.5, 2, 3, 0)
    policy = np.full((3, 3, 2), 0.5)
    counts, sums, trans = optimistic_ac._episode_batch_statistics(mdp, policy, 4000, np.random.default_rng(0))
    np.testing.assert_array_equal(counts.sum(axis=(1, 2)), 4000)
    np.testing.assert_array_equal(trans.sum(axis=-1), counts)
    np.testing.assert_array_equal(trans[:-1].sum(axis=(1, 2)), counts[1:].sum(axis=-1))
    rolled = optimistic_ac._episode_statistics(optimistic_ac.sample_episodes(mdp, policy, 4000, 1), (3, 3, 2))
    # Same law: the step-1 state counts agree within a few binomial standard deviations (sd ~ 32 here).
    assert np.all(np.abs(counts[1].sum(axis=-1) - rolled[0][1].sum(axis=-1)) < 200)
    np.testing.assert_allclose(sums, counts * mdp.R)  # deterministic rewards: sums are counts times means


def test_threshold_sweep_shortcuts_give_what_the_checked_paths_give():
    # AC-T3c's sweep builds the nested data sets, the greedy critic's suboptimality and the coin locks without the
    # library's checks, and memoises the coin locks by stream state: each must be what the checked path gives (the
    # calibrated rows depend on it).
    from mdps.data import data_distribution
    from mdps.sampling import sample_offline_data
    from provable_rl.optimistic_ac import _offline_statistics, greedy_policy_matrix

    gap, c_star, n_top = 0.1, 4.0, 64
    first, second = (np.random.default_rng(5).spawn(1)[0] for _ in range(2))
    mdp, distribution = optimistic_ac._coin_lock_and_distribution(gap, c_star, first)
    again, again_distribution = optimistic_ac._coin_lock_and_distribution(gap, c_star, second)
    assert again is mdp and again_distribution is distribution
    assert first.bit_generator.state == second.bit_generator.state
    fresh = np.random.default_rng(5).spawn(1)[0]
    setting = optimistic_ac.COIN_LOCK
    lock = optimistic_ac.coin_lock_mdp(gap, setting["horizon"], setting["n_actions"], fresh,
                                       success=setting["success"], reward_std=setting["reward_std"])
    assert fresh.bit_generator.state == first.bit_generator.state
    assert np.array_equal(lock.P, mdp.P) and np.array_equal(lock.R, mdp.R)
    assert np.array_equal(data_distribution(lock, c_star), distribution)

    data = sample_offline_data(mdp, distribution, n_top, first)
    for n in (1, 8, n_top):
        prefix = optimistic_ac._offline_prefix(data, n, n_top)
        checked = data.subset((np.arange(data.horizon)[:, None] * n_top + np.arange(n)[None, :]).ravel())
        for column in ("s", "a", "r", "s_next", "h"):
            assert np.array_equal(getattr(prefix, column), getattr(checked, column))
            assert getattr(prefix, column).dtype == getattr(checked, column).dtype
        stats, checked_stats = prefix.statistics, checked.statistics
        assert np.array_equal(stats.counts, checked_stats.counts)
        assert np.array_equal(stats.reward_sums, checked_stats.reward_sums)
        # The learner's own tally of the offline tuples (no SufficientStatistics built) is the same numbers.
        counts, sums, trans = _offline_statistics(prefix, mdp)
        assert np.array_equal(counts, checked_stats.counts) and np.array_equal(sums, checked_stats.reward_sums)
        assert np.array_equal(trans, checked_stats.transition_counts)

    gen = np.random.default_rng(6)
    for q_values in (gen.random((6, 4, 5)), np.round(gen.random((6, 4, 5)), 1), mdp.optimal_q):
        expected = optimistic_ac._expected_regret(mdp, greedy_policy_matrix(q_values))
        assert optimistic_ac._greedy_suboptimality(mdp, q_values) == expected


def test_memoised_cells_are_the_cells_computed_afresh():
    # The lock sweep's baselines and AC-T3's instances, data and reference are memoised by stream state across the
    # algorithm and its mutants: a hit must give the rows (and leave the stream where) a fresh computation does.
    baseline = {"variant": "non-optimistic (online)", "seed": 0}
    reference = {"learner": "optimistic online", "epsilon": 0.0, "n_offline": 0, "seed": 0}
    hybrid = {"learner": "non-optimistic hybrid", "epsilon": 0.2, "n_offline": 20, "seed": 0}
    for run, cell, learner in ((optimistic_ac._run_lock, baseline, None),
                               (optimistic_ac._run_threshold, reference, None),
                               (optimistic_ac._run_threshold, hybrid, optimistic_ac.non_optimistic_hybrid)):
        streams = [np.random.default_rng([11, k]) for k in (0, 0)]
        rows = [run(cell, stream, learner) for stream in streams]
        assert rows[0] == rows[1] and rows[0] is not rows[1]
        assert streams[0].bit_generator.state == streams[1].bit_generator.state
    fresh = np.random.default_rng([11, 0])
    optimistic_ac._THRESHOLD_CELLS.items.clear()
    assert optimistic_ac._run_threshold(hybrid, fresh, optimistic_ac.non_optimistic_hybrid) == rows[0]
