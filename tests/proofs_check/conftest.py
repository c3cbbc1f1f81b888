"""Shared settings of the claim tests.

``SMOKE_SEEDS``: every claim and its whole mutant panel run at the smoke budget at these two root
seeds, so that a claim tuned to one seed's draws cannot pass the suite. The calibration of
``provable-rl calibrate`` uses root seeds 1..K; seed 0 is the command line's default.
"""

SMOKE_SEEDS = (0, 1)


def assert_check_passes(claim_id, seed, cache_dir):
    """Run a claim and its whole panel at the smoke budget; assert it holds and every mutant is rejected.

    Returns ``(algorithm, mutants)`` (see :func:`proofs_check.framework.check_claim`) for
    claim-specific assertions.
    """
    from proofs_check.framework import check_claim, get_claim

    algorithm, mutants = check_claim(get_claim(claim_id), "smoke", seed=seed, use_cache=False, cache_dir=cache_dir)
    assert algorithm.holds, algorithm.verdict.summary
    for name, evidence in mutants.items():
        assert not evidence.holds, f"{name}: {evidence.verdict.summary}"
    return algorithm, mutants
