"""Property-based bound checks: every property's search over its instance class.

For each registered property, at two search seeds: the library's algorithm yields no
counterexample, and every mutant of the claim's panel yields one, shrunk, that replays exactly.
These run at each property's default example budget (they take seconds); the 20-seed false-alarm
measurement is ``provable-rl search CLAIM --seeds 20`` (slow test below).
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from proofs_check.search import (BoundProperty, Trial, all_properties, binomial_trial, get_property, load_instance,
                                 mean_bound_trial, replay, search)

SEARCH_SEEDS = (0, 1)
PROPERTIES = [prop.claim_id for prop in all_properties()]
PANEL = [(prop.claim_id, mutant.name) for prop in all_properties() for mutant in prop.claim.mutants]


def test_every_explicit_bound_has_a_property():
    assert {"LCB-C3", "LCB-V1", "LCB-V4", "FT-E1", "FT-E6", "FT-E7", "FT-E8", "HNPG-H1", "HNPG-H2", "AC-T1b",
            "AC-T1c", "AC-T1e", "AC-T5"} <= set(PROPERTIES)
    for claim_id in PROPERTIES:
        prop = get_property(claim_id)
        assert prop.claim.kind == "bound", f"{claim_id} is not a bound claim"
        assert prop.instance_class.strip()


#: Searches too long for the default run (``-m slow`` runs them; the 20-seed rates are in the
#: properties' docstrings). FT-E1's eps_threshold mutant fails only 2-4x more often than allowed, so
#: each shrink candidate needs 80 FTPedel runs (50-75 s a search; seed 0 runs by default). FT-E6: the
#: algorithm's search tries 10 instances (each solves two designs and runs FTPedel 4 times; 6-7.5 s at seeds 0
#: and 1, 6-28 s at seeds 1..20 on a loaded machine); radius x16 (caught on the first instance, 0.4-0.8 s)
#: and no elimination (on the second, the smallest routing MDP, 1-1.7 s) run by default; beta_l / 1000
#: (1.2 s) stays slow to keep the default FT-E6 tests near their time before routing MDPs joined the class.
SLOW = {("FT-E1", "eps_threshold", 1), ("FT-E6", None, 0), ("FT-E6", None, 1), ("FT-E6", "radius_div1000", 0),
        ("FT-E6", "radius_div1000", 1)}
#: FT-E7 and FT-E8: each example runs up to 8 (9) pairs of FTPedel runs, 30-50 s for the algorithm's default
#: search on a loaded machine; their default-budget searches are slow, and the bounded version (``ci=True``,
#: 2 examples) of every search but the one below runs by default (test_ftpedel_paired_searches_at_the_ci_budget).
PAIRED = ("FT-E7", "FT-E8")
SLOW |= {(claim_id, mutant, seed) for claim_id in PAIRED for seed in SEARCH_SEEDS
         for mutant in (None, *(m.name for m in get_property(claim_id).claim.mutants))}
#: FT-E7's wrong_step_model is caught where its step-0 model sends the runs to the library's episode cap (leak 0)
#: or on routing MDPs with many rooms: 145 s a search, slow even at the ci budget.
SLOW_CI = {("FT-E7", "wrong_step_model")}
ALGORITHM_SEEDS = [pytest.param(claim_id, seed, marks=pytest.mark.slow) if (claim_id, None, seed) in SLOW
                   else (claim_id, seed) for claim_id in PROPERTIES for seed in SEARCH_SEEDS]


@pytest.mark.parametrize("claim_id, seed", ALGORITHM_SEEDS)
def test_the_algorithm_has_no_counterexample(claim_id, seed):
    result = search(claim_id, seed=seed)
    assert not result.found, f"{claim_id} seed {seed}: {result.counterexample}"
    assert len(result.examples) >= 1
    assert result.worst["ratio"] < 1.0 or result.worst["p_value"] >= result.per_instance_level


#: Known misses (strict xfails): none today. FT-E6's no-elimination mutant was one at seeds 0 and 1 until routing
#: MDPs joined FT-E6's class (proofs_check.search.ftpedel); it is now caught on the smallest routing MDP.
MISSED: set = set()


def _panel_marks(claim_id, mutant, seed):
    marks = [pytest.mark.slow] if (claim_id, mutant, seed) in SLOW else []
    if (claim_id, mutant, seed) in MISSED:
        marks.append(pytest.mark.xfail(strict=True, reason="the band's slack since the propagation target"))
    return marks


PANEL_SEEDS = [pytest.param(claim_id, mutant, seed, marks=_panel_marks(claim_id, mutant, seed))
               for claim_id, mutant in PANEL for seed in SEARCH_SEEDS]


@pytest.mark.parametrize("claim_id, mutant, seed", PANEL_SEEDS)
def test_every_mutant_yields_a_shrunk_counterexample_that_replays(claim_id, mutant, seed):
    result = search(claim_id, mutant=mutant, seed=seed)
    assert result.found, f"{claim_id}: mutant {mutant} survived {len(result.examples)} examples at seed {seed}"
    counterexample = result.counterexample
    assert counterexample["p_value"] < result.per_instance_level
    # The JSON round trip rebuilds the instance and the same data: the same verdict.
    document = json.loads(json.dumps(result.to_dict()))["counterexample"]
    load_instance(document)
    trial = replay(document)
    assert trial.p_value == pytest.approx(counterexample["p_value"], rel=1e-9, abs=1e-300)
    assert trial.measured == pytest.approx(counterexample["measured"])


CI_SEARCHES = [pytest.param(claim_id, learner, marks=pytest.mark.slow) if (claim_id, learner) in SLOW_CI
               else (claim_id, learner)
               for claim_id in PAIRED for learner in (None, *(m.name for m in get_property(claim_id).claim.mutants))]


@pytest.mark.parametrize("claim_id, mutant", CI_SEARCHES)
def test_ftpedel_paired_searches_at_the_ci_budget(claim_id, mutant):
    # The bounded version: 2 examples at seed 0 (per-instance level 0.025). The algorithm has no
    # counterexample; each mutant has one, found on the simplest instance, that replays exactly.
    result = search(claim_id, mutant=mutant, seed=0, ci=True)
    assert result.max_examples == get_property(claim_id).ci_examples
    if mutant is None:
        assert not result.found, f"{claim_id} at the ci budget: {result.counterexample}"
        return
    assert result.found, f"{claim_id}: mutant {mutant} survived {len(result.examples)} examples at the ci budget"
    document = json.loads(json.dumps(result.to_dict()))["counterexample"]
    assert replay(document).p_value == pytest.approx(document["p_value"], rel=1e-9, abs=1e-300)


def test_leading_run_p_value_is_exact():
    from proofs_check.search.ftpedel import leading_run_p_value

    # Under the null at its edge (each pair above with probability 1/2), P(p <= alpha) <= alpha:
    # exactly 2^-t for the one-sided run, over every sequence of 6 pairs.
    sequences = np.array(np.meshgrid(*[[0, 1]] * 6)).reshape(6, -1).T
    p_values = np.array([leading_run_p_value(seq) for seq in sequences])
    for alpha in (0.5, 0.25, 0.0625, 1 / 64):
        assert np.mean(p_values <= alpha) <= alpha + 1e-12
    assert leading_run_p_value([1] * 8) == 2.0 ** -8
    assert leading_run_p_value([-1] * 9, two_sided=True) == 2.0 ** -8
    assert leading_run_p_value([1, 1, -1, 1], two_sided=True) == 0.5
    with pytest.raises(ValueError, match="sides"):
        leading_run_p_value([-1, 1])
    with pytest.raises(ValueError, match="sides"):
        leading_run_p_value([])
    with pytest.raises(ValueError, match="rate"):
        leading_run_p_value([1], rate=1.0)


def test_ftpedel_e8_class_excludes_gaps_at_a_threshold():
    from proofs_check.search import OutsideClass
    from proofs_check.search.ftpedel import (E8_LAST_MARGIN, E8_MARGIN, e8_evaluate, e8_last_round_margin,
                                             e8_load, e8_margin)
    from proofs_check.ftpedel import ftpedel_learner

    # The claim's instance is in the class at its edges; a far gap at 2 eps_3 = 0.25 is not, nor a near
    # tie 0.1 (0.4 eps_4 below the last threshold 0.125).
    assert e8_margin([0.0, 0.05, 0.3], 0.2) == pytest.approx(E8_MARGIN)
    assert e8_last_round_margin([0.0, 0.05, 0.3], 0.2) == pytest.approx(E8_LAST_MARGIN)
    assert e8_last_round_margin([0.0, 0.1, 0.3], 0.2) == pytest.approx(0.4)
    parameters = {"n_offline": 30000, "n_rooms": 3, "leak": 0.1, "near_gap": 0.05, "far_gap": 0.25}
    with pytest.raises(OutsideClass, match="threshold"):
        e8_evaluate(e8_load(parameters), parameters, ftpedel_learner, np.random.default_rng(0))


def test_ftpedel_e6_loads_both_kinds_and_recorded_documents():
    from proofs_check.search.ftpedel import E6_FAR_GAP, e6_load

    # Parameters recorded before routing MDPs joined FT-E6's class have no "kind": they are the family's.
    recorded = {"layout": 0, "dim": 3, "n_policies": 8, "epsilon": 0.2, "instance_seed": 0}
    assert e6_load(recorded) is e6_load({"kind": "family", **recorded})
    assert load_instance({"claim": "FT-E6", "parameters": recorded}) is e6_load(recorded)
    routing = e6_load({"kind": "routing", "n_rooms": 3, "leak": 0.1, "near_ratio": 3.0, "epsilon": 0.05})
    assert routing.problem.mdp.dim == 3 and np.allclose(np.sort(routing.gaps), [0.0, 0.15, E6_FAR_GAP])
    with pytest.raises(ValueError, match="kind"):
        e6_load({"kind": "bandit"})


def test_counterexamples_are_shrunk_toward_small_instances():
    # The V1 panel's penalty-free learner is caught on the smallest gamble MDP at the smallest N.
    result = search("LCB-V1", mutant="no_penalty", seed=0)
    assert result.counterexample["parameters"] == {"family": "gamble", "n_gambles": 1, "gamma": 0.8,
                                                   "n_samples": 10_000} or \
        result.counterexample["parameters"]["family"] == "random" and \
        result.counterexample["parameters"]["n_states"] == 2


def test_search_is_reproducible():
    first = search("LCB-C3", seed=3, max_examples=5)
    second = search("LCB-C3", seed=3, max_examples=5)
    assert first.examples == second.examples


def test_a_users_learner_is_searched_and_a_lambda_works():
    from proofs_check.lcb import empirical_best

    result = search("LCB-C3", learner=empirical_best, seed=0)
    assert result.found and result.learner.endswith("empirical_best")
    with pytest.raises(ValueError, match="learner"):
        replay(result.counterexample)
    assert replay(result.counterexample, learner=empirical_best).p_value == pytest.approx(
        result.counterexample["p_value"])


def test_bad_arguments_raise_clear_errors():
    from proofs_check import SelectionError

    with pytest.raises(SelectionError, match="no bound property"):
        get_property("LCB-M1")
    with pytest.raises(ValueError, match="max_examples"):
        search("LCB-C3", max_examples=0)
    with pytest.raises(ValueError, match="seed"):
        search("LCB-C3", seed=-1)
    with pytest.raises(ValueError, match="level"):
        search("LCB-C3", level=1.5)
    with pytest.raises(ValueError, match="one or the other"):
        search("LCB-C3", learner=lambda s, r: None, mutant="ucb")
    with pytest.raises(ValueError, match="parameters"):
        load_instance({"claim": "LCB-C3"})
    with pytest.raises(TypeError, match="callable"):
        BoundProperty("X-1", "class", None, lambda p: p, lambda *a: None)


def test_binomial_trial_is_exact():
    trial = binomial_trial(0, 40, 0.1)
    assert trial.p_value == 1.0 and trial.ratio == 0.0
    assert binomial_trial(40, 40, 0.1).p_value == pytest.approx(0.1 ** 40)
    with pytest.raises(ValueError, match="violations"):
        binomial_trial(41, 40, 0.1)
    with pytest.raises(ValueError, match="delta"):
        binomial_trial(1, 40, 0.0)


def test_mean_bound_trial_controls_its_false_alarms():
    # Under the null (mean exactly at the bound) P(p < alpha) <= alpha, for skewed and for
    # two-point distributions on [0, 1]; measured over 2000 draws of 500 samples each.
    rng = np.random.default_rng(0)
    alpha = 0.05
    for draw, mean in ((lambda n: rng.binomial(1, 0.02, n).astype(float), 0.02),
                       (lambda n: rng.beta(0.5, 4.5, n), 0.1),
                       (lambda n: rng.uniform(0, 1, n), 0.5)):
        p_values = np.array([mean_bound_trial(draw(500), mean, 1.0).p_value for _ in range(2000)])
        assert np.mean(p_values < alpha) <= alpha
    # and it has power: a mean 3x the bound with a small variance is detected.
    assert mean_bound_trial(rng.binomial(1, 0.06, 2000).astype(float), 0.02, 1.0).p_value < 1e-3
    with pytest.raises(ValueError, match="values"):
        mean_bound_trial([0.5, 2.0], 0.1, 1.0)
    with pytest.raises(ValueError, match="value_range"):
        mean_bound_trial([0.5, 0.2], 0.1, 0.0)


def test_bernoulli_crossing_probability_is_exact():
    # AC-T1c's failure bound rests on it: against 40000 simulated walks, and on a case done by hand.
    from proofs_check.search.optimistic_ac import bernoulli_crossing_probability, lock_failure_bound

    rng = np.random.default_rng(0)
    p, n_max = 0.3, 200
    walks = np.cumsum(rng.random((40_000, n_max)) < p, axis=1)
    n = np.arange(1, n_max + 1)
    simulated = np.mean(np.any(walks < n * p - 0.5 * np.sqrt(n), axis=1))
    exact = bernoulli_crossing_probability(p, lambda m: 0.5 * np.sqrt(m), n_max)
    assert abs(exact - simulated) < 4 * np.sqrt(exact * (1 - exact) / 40_000)
    # p = 1/2, boundary n p - x_n = -0.5 at n = 1 (no crossing) and 1 at n = 2: crossing iff S_2 = 0.
    assert bernoulli_crossing_probability(0.5, lambda m: np.where(m == 1, 1.0, 0.0), 2) == pytest.approx(0.25)
    assert lock_failure_bound(2, 2, 64, 0.1) == 0.0 < lock_failure_bound(2, 8, 1024, 0.1) < 0.01
    with pytest.raises(ValueError, match="p"):
        bernoulli_crossing_probability(1.0, lambda m: m, 3)


def test_ftpedel_is_eps_optimal_when_the_survivors_agree_at_the_first_step():
    # Found by the FT-E6 search: without the propagation target (the library before 2026-12-05)
    # the survivors agree at step 0, no step-0 episode is drawn, the step-1 visitations collapse
    # to 0 and the first survivor (gap 1.41 eps) is returned in 12 of 12 runs.
    from mdps.instances.ftpedel import random_linear_family
    from proofs_check.ftpedel import ftpedel_learner
    from provable_rl import ftpedel as ft

    inst = random_linear_family(np.random.default_rng(0), epsilon=0.0125)
    gaps = ft.policy_class(inst.mdp, inst.policies).gaps
    for propagation, most_wrong in ((True, 1), (False, 4)):
        answers = [ftpedel_learner(inst.mdp, inst.policies, epsilon=0.0125, delta=0.1, offline=None,
                                   rng=np.random.default_rng(k), propagation_targets=propagation).policy_index
                   for k in range(4)]
        wrong = sum(gaps[i] > 0.0125 for i in answers)
        # A correct learner: at most 1 of 4 runs wrong (P(Bin(4, 0.1) >= 2) = 0.052). The defect: 4 of 4.
        assert wrong <= most_wrong if propagation else wrong == most_wrong


def test_trial_to_dict_is_plain_json():
    trial = Trial(0.5, 0.0, 0.01, (0.1, 0.9), "x", {"n": np.int64(3)})
    assert json.loads(json.dumps(trial.to_dict()))["ratio"] == "inf"


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", PROPERTIES)
def test_false_alarms_over_20_seeds(claim_id):
    found = [seed for seed in range(1, 21) if search(claim_id, seed=seed).found]
    assert not found, f"{claim_id}: counterexamples for the algorithm at seeds {found}"
