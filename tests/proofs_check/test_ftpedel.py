"""Every FTPedel/PEDEL claim holds at the smoke budget and every mutant is rejected."""
import pytest

import proofs_check.ftpedel as ft_claims
from proofs_check.framework import check_claim, get_claim

CLAIM_IDS = [c.id for c in ft_claims.CLAIMS]


def test_every_theory_check_is_registered_once():
    expected = {f"FT-F{i}" for i in range(1, 6)} | {f"FT-E{i}" for i in range(1, 5)}
    assert set(CLAIM_IDS) == expected and len(CLAIM_IDS) == len(expected)
    for claim in ft_claims.CLAIMS:
        assert claim.name.startswith("ftpedel.") and claim.mutant and claim.mutant_description
        assert get_claim(claim.id) is claim


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds_and_mutant_is_rejected_at_smoke(claim_id, tmp_path):
    algorithm, mutant = check_claim(get_claim(claim_id), "smoke", use_cache=False, cache_dir=tmp_path)
    assert algorithm.holds, algorithm.verdict.summary
    assert not mutant.holds, mutant.verdict.summary


def test_sweep_cells_are_reproducible():
    sweep = ft_claims.CORRECTNESS
    from proofs_check.framework import run_sweep

    cell = sweep.cells("smoke")[:1]
    small = type(sweep)(sweep.name, lambda budget: [dict(cell[0], runs=2)], sweep.run_cell, sweep.version)
    assert run_sweep(small, "smoke", use_cache=False) == run_sweep(small, "smoke", use_cache=False)


# Plausible broken variants beyond each claim's registered mutant (module docstring of
# proofs_check.ftpedel): each must be rejected by the claim that is supposed to exclude it.
FURTHER_VARIANTS = [
    ("FT-F3", "optimistic_choice"),
    ("FT-E1", "radius_div100"),
    ("FT-E2", "uniform_design"),
    ("FT-E3", "no_pooling"),
    pytest.param("FT-E4", "ignore_offline", marks=pytest.mark.slow),
    pytest.param("FT-E4", "radius_div100", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("claim_id, variant", FURTHER_VARIANTS)
def test_further_broken_variant_is_rejected(claim_id, variant, tmp_path):
    from proofs_check.framework import run_sweep

    claim = get_claim(claim_id)
    rows = run_sweep(claim.sweep, "smoke", mutant=variant, use_cache=False, cache_dir=tmp_path)
    assert not claim.analyse(rows, "smoke").holds

