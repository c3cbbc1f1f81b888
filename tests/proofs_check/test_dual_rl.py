"""Every Dual RL claim holds at the smoke budget and every mutant is rejected."""
import pytest

from proofs_check import dual_rl
from proofs_check.framework import all_claims, check_claim

CLAIMS = [c for c in all_claims() if c.name.startswith("dual_rl.")]
EXPECTED = {"DUAL-D1", "DUAL-D2", "DUAL-D3", "DUAL-D4", "DUAL-D5", "DUAL-D6", "DUAL-D7", "DUAL-D8", "DUAL-D9",
            "DUAL-D10", "DUAL-D11", "DUAL-D12", "DUAL-R1"}


def test_every_theory_check_is_registered():
    assert {c.id for c in CLAIMS} == EXPECTED
    for claim in CLAIMS:
        assert claim.mutant and claim.mutant_description


# Claims with several sub-statements: each sub-verdict is failed by a mutant aimed at it. The claim's
# own mutant is checked in test_claim_holds_and_mutant_rejected, the others in
# test_sub_statement_mutants_fail_their_sub_verdict.
SUB_MUTANTS = [
    ("DUAL-D6", "alpha_too_strong", ("gap <= alpha D_f(d*||d_O)",)),
    ("DUAL-D6", "inverted_alpha", ("monotone in alpha",)),
    ("DUAL-D6", "no_one_minus_gamma", ("gap >= 0",)),
    ("DUAL-D7", "alpha_too_weak", ("TV: d_alpha = d_O for alpha > alpha_TV",)),
    ("DUAL-D7", "alpha_too_strong", ("TV: d_alpha != d_O for alpha < alpha_TV",)),
    ("DUAL-D7", "toward_uniform", ("kl: ||d_alpha - d_O||_1 ~ alpha^-1", "chi2: ||d_alpha - d_O||_1 ~ alpha^-1")),
]
OWN_MUTANT_SUBS = {(c, m): subs for c, m, subs in SUB_MUTANTS}


def _assert_sub_verdicts_fail(verdict, subs):
    for sub in subs:
        assert sub in verdict.details
        assert not verdict.details[sub]["holds"], verdict.summary


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_holds_and_mutant_rejected(claim, tmp_path):
    algorithm, mutant = check_claim(claim, "smoke", use_cache=False, cache_dir=tmp_path)
    assert algorithm.holds, algorithm.verdict.summary
    assert not mutant.holds, mutant.verdict.summary
    _assert_sub_verdicts_fail(mutant.verdict, OWN_MUTANT_SUBS.get((claim.id, claim.mutant), ()))


def test_chi2_threshold_reduces_to_theory_when_q_spread_is_small():
    import numpy as np

    Q = np.array([[1.0, 2.0, 3.5, 0.5]])
    mu = np.array([[0.4, 0.3, 0.1, 0.2]])
    assert dual_rl.chi2_surrogate_threshold(Q, mu)[0] == 1 / 1.1
    # An in-support action 6 below the max pushes the threshold up: 1/(1 + 0.1 - 0.2 (3 - 1)) = 1/0.7 > 1.
    Q2 = np.array([[1.0, 2.0, 3.5, -2.5]])
    assert np.isinf(dual_rl.chi2_surrogate_threshold(Q2, mu)[0])


def test_sweeps_are_reproducible():
    from proofs_check.framework import run_sweep

    a = run_sweep(dual_rl.FP_SWEEP, "smoke", use_cache=False, seed=3)
    b = run_sweep(dual_rl.FP_SWEEP, "smoke", use_cache=False, seed=3)
    assert a == b



def test_own_mutants_are_listed():
    own = {(c.id, c.mutant) for c in CLAIMS}
    assert ("DUAL-D6", "alpha_too_strong") in own and ("DUAL-D7", "alpha_too_weak") in own


@pytest.mark.parametrize("claim_id, mutant, subs",
                         [m for m in SUB_MUTANTS if m[:2] not in {(c.id, c.mutant) for c in CLAIMS}],
                         ids=lambda x: x if isinstance(x, str) else "")
def test_sub_statement_mutants_fail_their_sub_verdict(claim_id, mutant, subs, tmp_path):
    from proofs_check.framework import get_claim, run_sweep

    claim = get_claim(claim_id)
    verdict = claim.analyse(run_sweep(claim.sweep, "smoke", mutant=mutant, use_cache=False, cache_dir=tmp_path), "smoke")
    _assert_sub_verdicts_fail(verdict, subs)


def test_tv_threshold_is_the_exact_penalty_constant():
    import numpy as np

    from provable_rl import dual_rl as D

    mdp, _, dO = dual_rl._problem(np.random.default_rng(0))
    threshold = dual_rl.tv_exact_penalty_threshold(mdp)
    # Certificate: some V has ||delta_V||_inf = threshold / 2, and the TV optimum sits at d_O just above it.
    assert np.abs(D.regularized_primal(mdp, dO, 1.02 * threshold, "tv").occupancy - dO).sum() < 1e-6
    assert np.abs(D.regularized_primal(mdp, dO, 0.98 * threshold, "tv").occupancy - dO).sum() > 1e-3
