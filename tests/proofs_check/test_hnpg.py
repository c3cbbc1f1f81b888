"""Each HNPG claim holds at the smoke budget at two root seeds, and its whole mutant panel is rejected."""
import functools
import types

import numpy as np
import pytest

import proofs_check.hnpg as hnpg_claims
from proofs_check.framework import get_claim, run_sweep
from tests.proofs_check.conftest import SMOKE_SEEDS, assert_check_passes

CLAIMS = ["HNPG-H1", "HNPG-H2", "HNPG-H3", "HNPG-H3b", "HNPG-H4", "HNPG-H5", "HNPG-H6", "HNPG-H7", "HNPG-H8", "HNPG-H9"]


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
@pytest.mark.parametrize("claim_id", CLAIMS)
def test_claim_holds_and_panel_is_rejected(claim_id, seed, tmp_path):
    assert_check_passes(claim_id, seed, tmp_path)


def test_claims_are_registered_with_protocols_and_panels():
    for claim_id in CLAIMS:
        claim = get_claim(claim_id)
        assert claim.name.startswith("hnpg.") and claim.protocol.name.startswith("hnpg.")
        assert len(claim.mutants) >= 3 or claim.panel_note
        for mutant in claim.mutants:
            assert mutant.description and callable(mutant.learner)


def test_sweeps_are_reproducible(tmp_path):
    sweep = hnpg_claims.H2_SWEEP
    first = run_sweep(sweep, "smoke", use_cache=False, cache_dir=tmp_path)
    second = run_sweep(sweep, "smoke", use_cache=False, cache_dir=tmp_path)
    assert first == second


def test_lock_baseline_does_not_depend_on_the_learner():
    """Common random numbers: the on-policy baseline cell gives the same rows whatever the learner."""
    cell = {"learner": "online", "seed": 0}
    rows = [hnpg_claims._h5_run(cell, np.random.default_rng(3), learner)
            for learner in (hnpg_claims.hac_learner, hnpg_claims.do_nothing)]
    assert rows[0] == rows[1]


def test_memoised_baseline_rows_are_those_of_a_fresh_run():
    """A baseline cell's rows come from the memo only for the same cell and Generator, as copies."""
    cell = {"learner": "online", "seed": 0}
    hnpg_claims._BASELINE_MEMO.clear()
    fresh = hnpg_claims._h5_run(cell, np.random.default_rng(7), hnpg_claims.hac_learner)
    assert len(hnpg_claims._BASELINE_MEMO) == 1
    direct = hnpg_claims._lock_rows(cell, np.random.default_rng(7), None, hnpg_claims.LOCK_SHORT, "off_path")
    fresh[0]["t"] = -1  # the caller owns its rows: the memo keeps its own
    again = hnpg_claims._h5_run(cell, np.random.default_rng(7), hnpg_claims.do_nothing)
    assert again == direct and again[0]["t"] == 0
    other = hnpg_claims._h5_run(cell, np.random.default_rng(8), hnpg_claims.hac_learner)
    assert other != direct and len(hnpg_claims._BASELINE_MEMO) == 2
    spawned = np.random.default_rng(7)
    spawned.spawn(1)  # same state, another seed sequence position: another key
    assert hnpg_claims._rng_key(spawned) != hnpg_claims._rng_key(np.random.default_rng(7))
    assert hnpg_claims._rng_key(np.random.Generator(np.random.PCG64(np.random.SeedSequence(7)))) is not None
    hnpg_claims._BASELINE_MEMO.clear()


def test_learners_that_ignore_one_data_source_are_not_the_algorithm():
    """H6's panel names the two ways to ignore a data source (issue: lambda = 49 alone is nearly on-policy)."""
    names = {m.name for m in get_claim("HNPG-H6").mutants}
    assert {"on_policy_npg", "ignore_on_policy_term"} <= names
    assert get_claim("HNPG-H6").learner.keywords["lam"] == "half_T"


def test_exact_mirror_descent_matches_the_library_at_scale_one():
    from mdps.instances.random import random_mdp

    mdp = random_mdp(4, 3, 0.7, np.random.default_rng(0))
    ours = hnpg_claims.exact_mirror_descent(mdp, 20, None)
    np.testing.assert_allclose(ours, hnpg_claims.exact_hac(mdp, 20, None), atol=1e-10)
    npg = functools.partial(hnpg_claims.npg_variant)(mdp, 0.5, 10)
    np.testing.assert_allclose(npg, hnpg_claims.exact_npg(mdp, 0.5, 10), atol=1e-10)


def test_claim_kinds_match_their_verdicts():
    assert get_claim("HNPG-H3").kind == "exact" and get_claim("HNPG-H3b").kind == "rate"


def test_negative_control_fails_when_the_baseline_does_not_move():
    """HNPG-H5 must not pass with learners that never leave uniform (the vacuous control it replaced)."""
    rows = [{"learner": learner, "seed": s, "t": t, "relative_suboptimality": 1.0, "nu_covers_pi_star": 0}
            for learner in ("hybrid", "online") for s in range(3) for t in range(hnpg_claims.LOCK_SHORT["T"] + 1)]
    verdict = hnpg_claims.H5.analyse(rows, "smoke")
    assert not verdict.holds and "on-policy learns" in verdict.summary


def test_budgets_grow():
    for sweep in (hnpg_claims.H1_SWEEP, hnpg_claims.H4_SWEEP, hnpg_claims.H6_SWEEP, hnpg_claims.LENGTH_SWEEP):
        assert len(sweep.cells("smoke")) <= len(sweep.cells("quick")) <= len(sweep.cells("full"))


def test_vectorised_success_matches_the_lock():
    from mdps.instances.hnpg import lock_problem

    lock = lock_problem(4, 3, 0.8, 0)
    policies = np.random.default_rng(0).dirichlet(np.ones(3), size=(5, lock.mdp.n_states))
    np.testing.assert_allclose(hnpg_claims._success(lock, policies),
                               [lock.success_probability(p) for p in policies])


def test_h7_q_fit_mutant_differs_from_the_advantage_fit_only_in_its_target():
    """Same samples and critic as the library's HNPG (same start), but another target: the steps differ."""
    from mdps.instances.hnpg import linear_lock

    problem = linear_lock(3, 4, 0.8, 0)
    args = (problem.mdp, problem.features, problem.features, problem.lock.reset, problem.lock.offline_distribution, 3)
    ours = hnpg_claims.hnpg_q_fit(*args, np.random.default_rng(1)).policies
    library = hnpg_claims.hnpg_learner(*args, np.random.default_rng(1)).policies
    np.testing.assert_allclose(ours[0], library[0])
    assert np.abs(ours[1:] - library[1:]).max() > 1e-6


def test_exit_lock_splits_coverage_between_the_data_and_the_resets():
    """HNPG-H8's premise: nu misses the exit's good action, the resets miss the chain's deep states."""
    from mdps.instances.hnpg import lock_with_exit

    lock = lock_with_exit(4, 3, 0.8, 0)
    L, good_exit = 4, lock.good_actions[-1]
    assert lock.offline_distribution[L, good_exit] == 0 and lock.offline_distribution[L].sum() > 0
    assert np.all(lock.offline_distribution[np.arange(L), lock.good_actions[:L]] > 0)
    assert np.all(lock.reset[1:L] == 0) and lock.reset[L, good_exit] > 0
    assert lock.mdp.optimal_policy[L] == good_exit


def test_h9_learner_must_return_its_critics():
    """HNPG-H9 computes the critic's error from the learner's critics, so a result without them is refused."""
    def no_critics(mdp, reset, offline_distribution, n_iterations, batch_size, rng):
        out = hnpg_claims.batch_hac(mdp, reset, offline_distribution, n_iterations, batch_size, rng)
        return types.SimpleNamespace(policies=out.policies)

    cell = hnpg_claims._h9_cells("smoke")[0]
    with pytest.raises(ValueError, match="learner: expected critics"):
        hnpg_claims._h9_run(cell, np.random.default_rng(0), no_critics)


def test_h9_variant_at_its_defaults_is_the_library():
    """The mutant family with nothing changed draws the same samples and takes the same steps as HAC."""
    mdp = hnpg_claims._h9_instance(1)
    S, A = mdp.n_states, mdp.n_actions
    args = (mdp, np.repeat(mdp.initial[:, None], A, axis=1) / A, np.full((S, A), 1 / (S * A)), 8, 16)
    ours = hnpg_claims.batch_hac_variant(*args, np.random.default_rng(2))
    library = hnpg_claims.batch_hac(*args, np.random.default_rng(2))
    np.testing.assert_array_equal(ours.policies, library.policies)
    np.testing.assert_array_equal(ours.critics, library.critics)


def test_h9_rejects_a_critic_whose_error_does_not_shrink():
    """The analysis on hand-made rows: the right rates hold; a critic error flat in m fails the claim."""
    rng = np.random.default_rng(0)
    rows = [{"instance": g, "block": b, "batch_size": m,
             "mean_abs_excess": m ** -0.5 * (1 + 0.05 * rng.standard_normal()),
             "critic_error": m ** -1.0 * (1 + 0.05 * rng.standard_normal())}
            for g in range(2) for b in range(6) for m in hnpg_claims.H9_BATCHES]
    assert hnpg_claims.H9.analyse(rows, "smoke").holds
    flat = [{**r, "critic_error": 0.1 * (1 + 0.05 * rng.standard_normal())} for r in rows]
    verdict = hnpg_claims.H9.analyse(flat, "smoke")
    assert not verdict.holds and "critic's on-policy error" in verdict.summary
