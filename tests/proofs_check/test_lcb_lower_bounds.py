"""The claims against the exact lower bounds (LCB-M5, M6, C4, C5) hold at the smoke budget and reject
their panels, at two seeds."""
import functools

import pytest

import proofs_check.lcb_lower_bounds as bound_claims
from proofs_check.framework import get_claim
from tests.proofs_check.conftest import SMOKE_SEEDS, assert_check_passes

CLAIM_IDS = [c.id for c in bound_claims.CLAIMS]


def test_claims_are_registered_with_panels_of_module_level_learners():
    assert CLAIM_IDS == ["LCB-M5", "LCB-M6", "LCB-C4", "LCB-C5"]
    for claim in bound_claims.CLAIMS:
        assert get_claim(claim.id) is claim and claim.name.startswith("lcb.") and len(claim.mutants) >= 3
        for mutant in claim.mutants:
            fn = mutant.learner.func if isinstance(mutant.learner, functools.partial) else mutant.learner
            assert fn.__module__ == "proofs_check.lcb" and "<" not in fn.__qualname__


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds_and_panel_is_rejected(claim_id, seed, tmp_path):
    assert_check_passes(claim_id, seed, tmp_path)


def test_m6_sandwich_is_exact_and_polynomial():
    n, lower, upper = bound_claims.m6_sandwich()
    assert (lower > 0).all() and (lower <= upper).all()
    assert upper[-1] < 1e-25  # both ends are exponentially small at N = 400
