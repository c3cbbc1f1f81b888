"""Every FTPedel/PEDEL claim holds at the smoke budget at two root seeds and rejects its whole panel;
the certificate FT-E5 reads is recomputed from the data; the fixed reference learners behave."""
import functools
import math

import numpy as np
import pytest

import proofs_check.ftpedel as ft_claims
from mdps.instances.ftpedel import ft_x2, random_linear_family
from proofs_check.framework import Sweep, get_claim, run_sweep
from provable_rl import ftpedel as ft
from tests.proofs_check.conftest import SMOKE_SEEDS, assert_check_passes

CLAIM_IDS = [c.id for c in ft_claims.CLAIMS]


def test_every_theory_check_is_registered_once():
    expected = {f"FT-F{i}" for i in range(1, 6)} | {f"FT-E{i}" for i in range(1, 9)}
    assert set(CLAIM_IDS) == expected and len(CLAIM_IDS) == len(expected)
    for claim in ft_claims.CLAIMS:
        assert claim.name.startswith("ftpedel.") and claim.mutants
        assert len(claim.mutants) >= 3 or claim.panel_note
        assert get_claim(claim.id) is claim
        for mutant in claim.mutants:
            # Module-level functions or partials of them: picklable by reference, cacheable.
            func = mutant.learner.func if isinstance(mutant.learner, functools.partial) else mutant.learner
            assert "<" not in func.__qualname__ and func.__module__ == "proofs_check.ftpedel"


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_holds_and_panel_is_rejected(claim_id, seed, tmp_path):
    assert_check_passes(claim_id, seed, tmp_path)


def test_sweep_cells_are_reproducible():
    sweep = ft_claims.CORRECTNESS
    cell = sweep.cells("smoke")[0]
    small = Sweep(sweep.name + ".small", functools.partial(_one_cell, dict(cell, runs=2)), sweep.run_cell,
                  protocol=sweep.protocol)
    assert run_sweep(small, "smoke", use_cache=False) == run_sweep(small, "smoke", use_cache=False)


def _one_cell(cell, budget):
    return [cell]


def test_optimistic_choice_picks_a_wrong_arm_where_pessimism_is_right():
    inst = ft_x2(8, 0.1)
    pc = ft.policy_class(inst.mdp, inst.policies)
    expert = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    beta = math.log(1 / 0.05)
    assert pc.gaps[ft.pessimistic_choice(inst.mdp, pc, expert, beta=beta)] == 0
    assert pc.gaps[ft_claims.optimistic_choice(inst.mdp, pc, expert, beta)] > 0


def _family_run(learner, seed=3):
    inst = random_linear_family(seed, epsilon=ft_claims.E5_EPSILON)
    pc = ft.policy_class(inst.mdp, inst.policies)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=seed)
    run = learner(inst.mdp, inst.policies, epsilon=ft_claims.E5_EPSILON, delta=ft_claims.E5_DELTA, offline=off,
                  rng=np.random.default_rng(seed))
    return inst, pc, off.covariances(inst.mdp), run


def _row(inst, pc, cov, run):
    return ft_claims.certificate_row(inst.mdp, pc, cov, run, epsilon=ft_claims.E5_EPSILON,
                                     delta=ft_claims.E5_DELTA)


def test_certificate_is_recomputed_from_the_reported_data():
    inst, pc, cov, run = _family_run(ft_claims.ftpedel_learner)
    row = _row(inst, pc, cov, run)
    assert 0.5 < row["q_ratio"] <= 1.0 + 1e-9 and row["certified"] == 1 and row["est_error"] <= 1.0
    assert len(run.rounds) == math.ceil(math.log2(4 / ft_claims.E5_EPSILON))
    # Half the online data reported: the same targets are no longer covered.
    halved = tuple(dict(r, steps=[dict(s, online_pair_counts=np.asarray(s["online_pair_counts"]) // 2)
                                  for s in r["steps"]]) for r in run.rounds)
    assert _row(inst, pc, cov, ft_claims.PACRun(run.policy_index, run.online_episodes, halved))["q_ratio"] > 1.5
    # A run that stops a round early with two survivors is not certified; no certificate at all neither.
    short = ft_claims.PACRun(run.policy_index, run.online_episodes, run.rounds[:-1])
    assert len(short.rounds[-1]["kept"]) > 1 and _row(inst, pc, cov, short)["certified"] == 0
    assert _row(inst, pc, cov, ft_claims.PACRun(run.policy_index, run.online_episodes))["certified"] == 0


@pytest.mark.parametrize("mutant, field, check", [
    ("verify_planned", "q_ratio", lambda x: x > 1.0),
    ("no_log_delta", "q_ratio", lambda x: x > 1.2),
    ("schedule_off_by_one", "q_ratio", lambda x: x > 3.0),
    ("last_round_2eps", "certified", lambda x: x == 0),
    ("wrong_step_features", "est_error", lambda x: x > 1.0),
])
def test_each_certificate_bug_shows_in_its_measurement(mutant, field, check):
    inst, pc, cov, run = _family_run(getattr(ft_claims, mutant))
    assert check(_row(inst, pc, cov, run)[field])


def test_e6_measures_are_deterministic_and_ordered():
    # The lower bound (tolerance 1 / log(1 / (2.4 delta)), gaps Delta + eps) is below N_FT at beta_L
    # on the family, and both grow as epsilon shrinks.
    inst, pc, measures = ft_claims.e6_instance(11, 2)
    assert measures == ft_claims.e6_instance.__wrapped__(11, 2)[2]
    n_ft, lower = np.array(measures).T
    assert np.all(lower < n_ft) and np.all(np.diff(n_ft) > 0)
    assert [ft_claims.rounds_for(e) for e in ft_claims.E6_EPSILONS] == [5, 7, 9]
    assert ft_claims.E6_GROWTH_MARGIN == 9 / 5


def test_e6_band_holds_for_a_run():
    inst, pc, measures = ft_claims.e6_instance(11, 2)
    eps, (n_ft, _) = ft_claims.E6_EPSILONS[0], measures[0]
    band = ft_claims.E6_BAND_FACTOR * ft_claims.rounds_for(eps) * n_ft
    good = ft_claims.ftpedel_learner(inst.mdp, inst.policies, epsilon=eps, delta=ft_claims.E6_DELTA, rng=0)
    assert 0 < good.online_episodes <= band


def _realised_objective(inst, cov, h, step):
    V = np.asarray(step["targets"], float)
    if not np.any(V):
        return 0.0
    counts = np.asarray(step["online_pair_counts"], float)
    A = (np.einsum("sa,sai,saj->ij", counts, inst.mdp.features, inst.mdp.features) + cov[h]
         + ft_claims.REGULARIZER * np.eye(inst.mdp.dim))
    return float(ft._q_values(A, V, np.ones(V.shape[0]))[0].max())


def test_recorded_objective_is_the_realised_one_and_meets_the_target():
    inst, pc, cov, run = _family_run(ft_claims.ftpedel_learner)
    for rnd in run.rounds:
        for h, step in enumerate(rnd["steps"]):
            assert step["objective"] <= rnd["tolerance"]
            assert step["objective"] == pytest.approx(_realised_objective(inst, cov, h, step), rel=1e-9, abs=1e-15)
    # The planned-covariance bug records the planned objective: below the target, the realised one above.
    inst, pc, cov, run = _family_run(ft_claims.verify_planned)
    pairs = [(step["objective"], _realised_objective(inst, cov, h, step), rnd["tolerance"])
             for rnd in run.rounds for h, step in enumerate(rnd["steps"])]
    assert all(rec <= tol for rec, _, tol in pairs) and any(real > tol for _, real, tol in pairs)
