"""Every LCB claim holds at the smoke budget and its whole mutant panel is rejected, at two seeds;
the learners follow their protocols; the LCB-C3 property."""
import functools
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import proofs_check.lcb as lcb_claims
from mdps import sample_statistics
from mdps.instances.lcb import lcb_h1, lcb_h4, lcb_random_contextual_bandit
from proofs_check.framework import get_claim
from provable_rl.lcb import bandit_lcb, contextual_lcb, most_played_arm, vi_lcb
from tests.proofs_check.conftest import SMOKE_SEEDS, assert_check_passes

CLAIM_IDS = [c.id for c in lcb_claims.CLAIMS]


def test_every_theory_check_is_registered_once_with_a_panel():
    expected = {f"LCB-M{i}" for i in range(1, 5)} | {f"LCB-C{i}" for i in range(1, 4)} | {f"LCB-V{i}" for i in range(1, 6)}
    assert set(CLAIM_IDS) == expected and len(CLAIM_IDS) == len(expected)
    for claim in lcb_claims.CLAIMS:
        assert claim.name.startswith("lcb.") and claim.protocol.name.startswith("lcb.")
        assert len(claim.mutants) >= 3
        assert get_claim(claim.id) is claim
        for mutant in claim.mutants:  # module-level functions or partials of one: picklable by reference
            fn = mutant.learner.func if isinstance(mutant.learner, functools.partial) else mutant.learner
            assert fn.__module__ == "proofs_check.lcb" and "<" not in fn.__qualname__


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds_and_panel_is_rejected(claim_id, seed, tmp_path):
    algorithm, _ = assert_check_passes(claim_id, seed, tmp_path)
    if claim_id == "LCB-M2":  # the exact MPA tail is a formula: reported in the details, never a verdict
        assert algorithm.verdict.details["mpa_exact_at_1000"] < 1e-50
        assert "MPA" not in algorithm.verdict.summary


def test_sweeps_are_reproducible_and_call_the_learner():
    sweep = lcb_claims.M4_SWEEP
    cell = sweep.cells("smoke")[0]
    a = sweep.run_cell(dict(cell), np.random.default_rng(3), lcb_claims.lcb_arms)
    b = sweep.run_cell(dict(cell), np.random.default_rng(3), lcb_claims.lcb_arms)
    assert a == b
    calls = []

    def always_arm_1(statistics, rng):
        calls.append(statistics.counts.shape)
        return np.ones(statistics.counts.shape[0], dtype=int)

    rows = sweep.run_cell(dict(cell), np.random.default_rng(3), always_arm_1)
    assert calls and rows[0]["lcb"] == pytest.approx(0.1)  # arm 1 is the suboptimal one (gap 0.1)
    assert rows[0]["eba"] == a[0]["eba"]  # the baselines see the same data (common random numbers)


def test_default_learners_are_the_library_algorithms():
    rng = np.random.default_rng(0)
    inst = lcb_h1(1000, 4.0, 1.0, rare_arm_mean=0.4)
    stats = sample_statistics(inst.problem, inst.data_distribution, 1000, rng, n_repetitions=50)
    np.testing.assert_array_equal(lcb_claims.lcb_arms(stats, np.random.default_rng(1)),
                                  bandit_lcb(stats, rng=np.random.default_rng(1)).policy)
    # penalty x1 through the mutant helper is LCB itself (same width, same tie-breaking)
    np.testing.assert_array_equal(lcb_claims.penalty_scaled(stats, np.random.default_rng(1), scale=1.0),
                                  bandit_lcb(stats, rng=np.random.default_rng(1)).policy)
    cb, mu, _ = lcb_h4(1000, 1.5, 1.0, 4)
    cstats = sample_statistics(cb, mu, 1000, rng, n_repetitions=20)
    np.testing.assert_array_equal(lcb_claims.lcb_policies(cstats, np.random.default_rng(2)),
                                  contextual_lcb(cstats, rng=np.random.default_rng(2)).policy)


def test_mdp_learner_splits_on_folds_and_reuses_pooled_data():
    from mdps.instances.lcb import lcb_random_mdp

    mdp, mu, _ = lcb_random_mdp(lcb_claims.V_MDP_SEED, concentrability=2.0, gamma=0.5)
    stats = lcb_claims.fold_statistics(mdp, mu, 4000, 0.5, np.random.default_rng(0), 5)
    pi, V = lcb_claims.vi_lcb_learner(stats, 0.5, 0.1, np.random.default_rng(1))
    res = vi_lcb(stats, 0.5, delta=0.1, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(pi, res.policy)
    np.testing.assert_array_equal(V, res.values)
    pooled = lcb_claims._pool(stats)
    assert pooled.counts.shape == (5, 1, mdp.n_states, mdp.n_actions)
    pi, V = lcb_claims.vi_lcb_learner(pooled, 0.5, 0.1, np.random.default_rng(1))
    res = vi_lcb(pooled, 0.5, delta=0.1, split=False, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(pi, res.policy)
    # few rounds: the folds merged in fours still hold every sample
    pi, V = lcb_claims.vi_lcb_few_rounds(stats, 0.5, 0.1, np.random.default_rng(1))
    assert pi.shape == (5, mdp.n_states) and V.shape == (5, mdp.n_states)


def test_mpa_exact_tail_matches_monte_carlo():
    N, C = 20, 4 / 3
    inst = lcb_h1(N, C, gap=0.2)
    stats = sample_statistics(inst.problem, inst.data_distribution, N, 0, n_repetitions=200_000)
    mc = inst.problem.gaps[most_played_arm(stats, rng=1).policy].mean()
    exact = lcb_claims._mpa_exact(N, C, 0.2)
    assert mc == pytest.approx(exact, rel=0.1)


# LCB-C3 as a hypothesis property: the recipe of :ref:`lcb-random-recipe` with E[subopt] <= the derived bound
# (:ref:`lcb-thm-cb`).
@given(seed=st.integers(0, 2**31 - 1), n_states=st.integers(2, 10), n_actions=st.integers(2, 5),
       concentrability=st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0]), log_n=st.floats(math.log(100), math.log(10_000)),
       use_h4=st.booleans(), h4_regime=st.sampled_from(["1+S/N", "1.1", "1.5", "2"]),
       gap_scale=st.sampled_from([0.5, 1.0, 2.0]))
def test_lcb_c3_expected_suboptimality_below_bound(seed, n_states, n_actions, concentrability, log_n, use_h4,
                                                   h4_regime, gap_scale):
    rng = np.random.default_rng(seed)
    N = int(round(math.exp(log_n)))
    if use_h4:
        C = 1 + n_states / N if h4_regime == "1+S/N" else float(h4_regime)
        cb, mu, C = lcb_h4(N, C, gap_scale, n_states)
    else:
        cb, mu, C = lcb_random_contextual_bandit(rng, n_states=n_states, n_actions=n_actions,
                                                 concentrability=concentrability)
    stats = sample_statistics(cb, mu, N, rng, n_repetitions=400)
    policy = contextual_lcb(stats, rng=rng).policy
    gaps = cb.gaps[np.arange(cb.n_states)[None], policy]
    mean = float((gaps * cb.context_distribution).sum(axis=1).mean())
    assert mean <= lcb_claims.c3_bound(N, cb.n_states, cb.n_actions, C)


def test_batched_policy_values_match_policy_evaluation_and_subopt_rejects_negative_gaps():
    from mdps import policy_evaluation
    from mdps.instances.lcb import lcb_random_mdp

    mdp = lcb_random_mdp(lcb_claims.V_MDP_SEED, concentrability=2.0, gamma=0.5).problem
    policies = np.random.default_rng(0).integers(0, mdp.n_actions, size=(7, mdp.n_states))
    batched = lcb_claims._policy_values(mdp, policies)
    for pi, values in zip(policies, batched):
        np.testing.assert_allclose(values, policy_evaluation(mdp, pi), atol=1e-12)
    assert np.all(lcb_claims._subopt(mdp, policies) >= 0)
    assert np.all(lcb_claims._subopt(mdp, mdp.optimal_policy[None]) == 0)

    class Wrong:  # an MDP whose "optimal" values are too small: a policy would beat them
        P, R, gamma, initial, n_states = mdp.P, mdp.R, mdp.gamma, mdp.initial, mdp.n_states
        optimal_values = mdp.optimal_values - 1.0

    with pytest.raises(ValueError, match="policies"):
        lcb_claims._subopt(Wrong(), mdp.optimal_policy[None])

