"""Each HNPG claim holds at the smoke budget and each mutant is rejected."""
import pytest

import proofs_check.hnpg as hnpg_claims
from proofs_check.framework import check_claim, get_claim, run_sweep

CLAIMS = ["HNPG-H1", "HNPG-H2", "HNPG-H3", "HNPG-H3b", "HNPG-H4", "HNPG-H5", "HNPG-H6"]


@pytest.mark.parametrize("claim_id", CLAIMS)
def test_claim_holds_and_mutant_is_rejected(claim_id, tmp_path):
    claim = get_claim(claim_id)
    algorithm, mutant = check_claim(claim, "smoke", use_cache=False, cache_dir=tmp_path)
    assert algorithm.holds, algorithm.verdict.summary
    assert not mutant.holds, mutant.verdict.summary


def test_claims_are_registered_with_ids_and_names():
    for claim_id in CLAIMS:
        claim = get_claim(claim_id)
        assert claim.name.startswith("hnpg.")
        assert claim.mutant and claim.mutant_description


def test_sweeps_are_reproducible_and_reject_unknown_mutants(tmp_path):
    sweep = hnpg_claims.H2_SWEEP
    first = run_sweep(sweep, "smoke", use_cache=False, cache_dir=tmp_path)
    second = run_sweep(sweep, "smoke", use_cache=False, cache_dir=tmp_path)
    assert first == second
    cell = sweep.cells("smoke")[0]
    with pytest.raises(ValueError, match="mutant"):
        sweep.run_cell(cell, __import__("numpy").random.default_rng(0), "nonsense")


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
