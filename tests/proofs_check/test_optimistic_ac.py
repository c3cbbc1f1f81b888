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
                              "AC-T5", "AC-T5b"}
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
