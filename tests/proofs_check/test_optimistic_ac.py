"""Each claim of proofs_check.optimistic_ac holds at the smoke budget and rejects its mutant."""
import pytest

from proofs_check import optimistic_ac  # noqa: F401  (registers the claims)
from proofs_check.framework import check_claim, get_claim

CLAIMS = optimistic_ac.CLAIMS


def test_every_theory_claim_is_registered():
    assert {c.id for c in CLAIMS} == {"AC-T1", "AC-T1b", "AC-T1c", "AC-T2", "AC-T2b", "AC-T3",
                                   "AC-T5", "AC-T5b"}
    assert all(c.mutant in optimistic_ac.MUTANTS and c.name.startswith("optimistic_ac.") for c in CLAIMS)
    assert all(get_claim(c.id) is c for c in CLAIMS)


@pytest.mark.parametrize("claim", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_holds_and_mutant_is_rejected(claim):
    algorithm, mutant = check_claim(claim, "smoke", use_cache=False)
    assert algorithm.holds, algorithm.verdict.summary
    assert not mutant.holds, mutant.verdict.summary


@pytest.mark.parametrize("claim_id, mutant", [(c, m) for c, ms in optimistic_ac.EXTRA_MUTANTS.items() for m in ms])
def test_extra_mutants_are_rejected(claim_id, mutant):
    from proofs_check.framework import run_sweep

    claim = get_claim(claim_id)
    assert mutant in optimistic_ac.MUTANTS and mutant != claim.mutant
    verdict = claim.analyse(run_sweep(claim.sweep, "smoke", use_cache=False, mutant=mutant), "smoke")
    assert not verdict.holds, verdict.summary


def test_sweep_rows_are_reproducible():
    from proofs_check.framework import run_sweep

    sweep = optimistic_ac.LINEAR_RATE  # the cheapest sweep; every sweep draws only from its cell's rng
    first = run_sweep(sweep, "smoke", use_cache=False, seed=3)
    again = run_sweep(sweep, "smoke", use_cache=False, seed=3)
    assert first == again
