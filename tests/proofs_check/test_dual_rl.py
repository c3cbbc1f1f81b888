"""Every Dual RL claim holds at the smoke budget and its whole mutant panel is rejected, at two seeds;
the learners follow their protocols; the certificates and thresholds the claims use."""
import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check import dual_rl
from proofs_check.framework import all_claims, get_claim, run_sweep
from provable_rl import dual_rl as D
from tests.proofs_check.conftest import SMOKE_SEEDS, assert_check_passes

CLAIMS = [c for c in all_claims() if c.name.startswith("dual_rl.")]
CLAIM_IDS = [c.id for c in CLAIMS]
EXPECTED = {"DUAL-D1", "DUAL-D2", "DUAL-D3", "DUAL-D4", "DUAL-D5", "DUAL-D6", "DUAL-D7", "DUAL-D8", "DUAL-D9",
            "DUAL-D10", "DUAL-D11", "DUAL-D12", "DUAL-D13", "DUAL-D14", "DUAL-R2"}

# Mutants aimed at one sub-statement of a claim with several: besides being rejected, each must fail
# the sub-verdict it is aimed at (so every sub-statement is shown to have power of its own).
SUB_MUTANTS = {
    ("DUAL-D6", "alpha_too_strong"): ("gap <= alpha D_f(d*||d_O)",),
    ("DUAL-D6", "inverted_alpha"): ("monotone in alpha",),
    ("DUAL-D6", "no_one_minus_gamma"): ("gap >= 0",),
    ("DUAL-D7", "alpha_too_weak"): ("TV: d_alpha = d_O for alpha > alpha_TV",),
    ("DUAL-D7", "alpha_too_strong"): ("TV: d_alpha != d_O for alpha < alpha_TV",),
    ("DUAL-D7", "alpha_sqrt"): ("kl: ||d_alpha - d_O||_1 ~ alpha^-1", "chi2: ||d_alpha - d_O||_1 ~ alpha^-1"),
    ("DUAL-D7", "toward_uniform"): ("kl: ||d_alpha - d_O||_1 ~ alpha^-1", "chi2: ||d_alpha - d_O||_1 ~ alpha^-1"),
    ("DUAL-D4", "conjugate_sign"): ("kl: |d_alpha - d_O w*| / sqrt(2G/m)", "chi2: |d_alpha - d_O w*| / sqrt(2G/m)"),
    ("DUAL-D4", "no_clip"): ("chi2: |d_alpha - d_O w*| / sqrt(2G/m)",),
    ("DUAL-D8", "fstar_no_positivity"): ("chi2 d_O w* >= 0",),
    ("DUAL-D8", "uniform_initial"): ("M d = (1-gamma) mu",),
    ("DUAL-D10", "support_max"): ("< max below threshold",),
    ("DUAL-D11", "conjugate_sign"): ("stationarity",),
    ("DUAL-D12", "xql_beta_x10"): ("XQL error <= beta log(1/mu_min)/(1-gamma)",),
    ("DUAL-D12", "quantile_off_by_one"): ("TV fixed point = V*_supp",),
}


def test_every_theory_check_is_registered_with_a_panel():
    assert set(CLAIM_IDS) == EXPECTED and len(CLAIM_IDS) == len(EXPECTED)
    for claim in CLAIMS:
        assert claim.protocol.name.startswith("dual_rl.")
        assert len(claim.mutants) >= 3
        assert get_claim(claim.id) is claim
        for mutant in claim.mutants:  # module-level functions: picklable by reference, source in the cache key
            fn = mutant.learner.func if isinstance(mutant.learner, functools.partial) else mutant.learner
            assert fn.__module__ == "proofs_check.dual_rl" and "<" not in fn.__qualname__
    for claim_id, mutant in SUB_MUTANTS:
        get_claim(claim_id).get_mutant(mutant)  # every targeted mutant is in its claim's panel


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds_and_panel_is_rejected(claim_id, seed, tmp_path):
    _, mutants = assert_check_passes(claim_id, seed, tmp_path)
    for name, ev in mutants.items():
        for sub in SUB_MUTANTS.get((claim_id, name), ()):
            assert not ev.verdict.details[sub]["holds"], f"{name} should fail {sub!r}: {ev.verdict.summary}"


def test_sweeps_are_reproducible_and_call_the_learner():
    a = run_sweep(dual_rl.FP_SWEEP, "smoke", use_cache=False, seed=3)
    b = run_sweep(dual_rl.FP_SWEEP, "smoke", use_cache=False, seed=3)
    assert a == b
    calls = []

    def recording(mdp, behavior, *, loss, temperature):
        calls.append(loss)
        return dual_rl.fdvl_fixed_point(mdp, behavior, loss=loss, temperature=temperature)

    c = run_sweep(dual_rl.FP_SWEEP, "smoke", learner=recording, use_cache=False, seed=3)
    assert c == a and calls.count("tv") == len(dual_rl.FP_SWEEP.cells("smoke"))


def test_chi2_threshold_reduces_to_theory_when_q_spread_is_small():
    Q = np.array([[1.0, 2.0, 3.5, 0.5]])
    mu = np.array([[0.4, 0.3, 0.1, 0.2]])
    assert dual_rl.chi2_surrogate_threshold(Q, mu)[0] == 1 / 1.1
    # An in-support action 6 below the max pushes the threshold up: 1/(1 + 0.1 - 0.2 (3 - 1)) = 1/0.7 > 1.
    Q2 = np.array([[1.0, 2.0, 3.5, -2.5]])
    assert np.isinf(dual_rl.chi2_surrogate_threshold(Q2, mu)[0])


def test_tv_threshold_is_the_exact_penalty_constant():
    mdp, _, dO = dual_rl._problem(np.random.default_rng(0))
    threshold = dual_rl.tv_exact_penalty_threshold(mdp)
    # Certificate: some V has ||delta_V||_inf = threshold / 2, and the TV optimum sits at d_O just above it.
    assert np.abs(D.regularized_primal(mdp, dO, 1.02 * threshold, "tv").occupancy - dO).sum() < 1e-6
    assert np.abs(D.regularized_primal(mdp, dO, 0.98 * threshold, "tv").occupancy - dO).sum() > 1e-3


@pytest.mark.parametrize("divergence", ["kl", "chi2"])
def test_duality_certificate_bounds_the_distance_of_perturbed_solutions(divergence):
    """G >= (m/2) ||d_hat - d(V_hat)||^2 for any d_hat >= 0 and V_hat, not only for solver outputs."""
    rng = np.random.default_rng(5)
    mdp, _, dO = dual_rl._problem(rng)
    for alpha in (0.05, 1.0, 30.0):
        primal, dual = dual_rl.regularized_pair(mdp, dO, alpha, divergence)
        for scale in (0.0, 1e-4, 1e-2):
            d_hat = np.maximum(primal.occupancy + scale * rng.standard_normal(dO.shape) * dO, 0.0)
            V_hat = dual.values + scale * rng.standard_normal(mdp.n_states)
            gap, modulus = dual_rl.duality_certificate(mdp, dO, alpha, divergence, d_hat, V_hat)
            d_of_v = dO * D.get_divergence(divergence).ratio(D.value_residual(mdp, V_hat), alpha)
            assert gap >= -1e-12
            assert np.linalg.norm(d_hat - d_of_v) <= np.sqrt(2 * max(gap, 0.0) / modulus) + 1e-7


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), alpha=st.floats(0.05, 20.0))
def test_xql_and_cql_are_dual_rl_instances(seed, alpha):
    """DUAL-D14's identities at arbitrary V, Q, pi and alpha: XQL's objective is dual-V (KL) up to a shift
    of V by -alpha/(1-gamma), CQL's is dual-Q (Pearson chi2) with alpha_CQL = 2 alpha."""
    rng = np.random.default_rng(seed)
    mdp, _, dO = dual_rl._problem(rng)
    V = rng.normal(0.0, 3.0, mdp.n_states)
    Q = rng.normal(0.0, 3.0, (mdp.n_states, mdp.n_actions))
    pi = rng.dirichlet(np.ones(mdp.n_actions), size=mdp.n_states)
    er = float(np.sum(dO * mdp.R))
    xql = alpha * dual_rl.xql_value_objective(mdp, dO, V, alpha) + er
    assert D.dual_v_objective(mdp, dO, V - alpha / (1 - mdp.gamma), alpha, "kl") == pytest.approx(xql, rel=1e-9)
    cql = er + dual_rl.cql_objective(mdp, dO, Q, pi, 2 * alpha) / (2 * alpha)
    assert D.dual_q_objective(mdp, dO, Q, pi, alpha, "chi2") == pytest.approx(cql, rel=1e-9, abs=1e-9)
