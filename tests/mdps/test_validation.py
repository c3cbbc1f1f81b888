"""Regression tests of issue 15 for mdps: each bad input raises, naming the argument.

Bools are not integers, strings and complex numbers are not numbers, sizes have upper bounds
(int64 and the machine's memory), statistics must be consistent with each other, and a NaN Q has
no greedy policy. The API-wide fuzz (tests/test_api_fuzz.py) covers the categories; these pin the
cases the issue names, and the valid behaviour that must not change.
"""
import numpy as np
import pytest

import mdps
from mdps import _validation as v
from mdps.instances import random_mdp


@pytest.fixture(scope="module")
def mdp():
    return random_mdp(3, 2, gamma=0.9, rng=0)


@pytest.fixture(scope="module")
def fh(mdp):
    return mdps.finite_horizon(mdp, 3)


@pytest.mark.parametrize("value", [True, False, np.bool_(True), "3", 3 + 0j, None, 2.5, float("nan"), float("inf")])
def test_positive_int_refuses_bools_strings_complex_and_non_integers(value):
    with pytest.raises((ValueError, TypeError), match="^n: expected a positive integer"):
        v.positive_int("n", value)


def test_positive_int_keeps_accepting_ints_and_integral_floats_and_has_an_upper_bound():
    assert v.positive_int("n", np.int32(3)) == 3 and v.positive_int("n", 1e6) == 10**6
    with pytest.raises(ValueError, match=rf"^n: expected a positive integer of at most {v.MAX_INT}, got"):
        v.positive_int("n", 2**63)
    with pytest.raises(ValueError, match="^n: expected a positive integer of at most 5, got 6"):
        v.positive_int("n", 6, maximum=5)


def test_finite_horizon_of_true_raises(mdp):
    with pytest.raises(TypeError, match=r"^horizon: expected a positive integer, got True"):
        mdps.finite_horizon(mdp, True)


@pytest.mark.parametrize("gamma", ["0.9", False, 0.9 + 0j, None])
def test_gamma_must_be_a_real_number(mdp, gamma):
    with pytest.raises(TypeError, match="^gamma: expected a number in"):
        mdps.DiscountedMDP(mdp.P, mdp.R, gamma, mdp.initial)


def test_the_type_errors_are_also_value_errors_for_callers_that_catch_those(mdp):
    with pytest.raises(ValueError, match="^gamma"):
        mdps.DiscountedMDP(mdp.P, mdp.R, "0.9", mdp.initial)


@pytest.mark.parametrize("convert", [lambda P: P.astype(str), lambda P: P.astype(complex), lambda P: P > 0.5,
                                     lambda P: None])
def test_arrays_of_strings_complex_or_bools_are_refused(mdp, convert):
    with pytest.raises(TypeError, match="^P: expected an array of real numbers"):
        mdps.DiscountedMDP(convert(mdp.P), mdp.R, 0.9, mdp.initial)


def test_rng_refuses_bools():
    with pytest.raises(TypeError, match="^rng"):
        v.as_rng(True)


def test_bool_policies_and_indices_are_refused(mdp):
    with pytest.raises(TypeError, match="^policy"):
        mdps.policy_matrix(np.array([True, False, True]), 2)
    with pytest.raises(TypeError, match="^policy"):
        mdps.expected_return(mdp, [True, False, True])


def test_sample_episodes_with_a_huge_n_steps_raises_instead_of_crashing(mdp):
    with pytest.raises(ValueError, match=r"^n_steps: expected at most \d+ steps \(96 bytes each"):
        mdps.sample_episodes(mdp, np.zeros(3, int), 4, n_steps=2**62)
    with pytest.raises(ValueError, match=r"^n_episodes \* n_steps: expected at most \d+ tuples"):
        mdps.sample_episodes(mdp, np.zeros(3, int), 2**40, n_steps=2**20)


def test_sample_offline_data_with_a_huge_n_samples_raises_instead_of_crashing(fh):
    mu = np.full((3, 3, 2), 1 / 6)
    with pytest.raises(ValueError, match=r"^n_samples \* horizon: expected at most \d+ tuples"):
        mdps.sample_offline_data(fh, mu, 2**62)


def test_sample_statistics_bounds_counts_to_what_a_float_holds_exactly(fh):
    mu = np.full((3, 3, 2), 1 / 6)
    with pytest.raises(ValueError, match=r"^n_samples: expected at most \d+ \(a dataset of at most 2\*\*53"):
        mdps.sample_statistics(fh, mu, 2**52)
    with pytest.raises(ValueError, match="^n_repetitions: expected at most"):
        mdps.sample_statistics(fh, mu, 10, n_repetitions=2**50)
    with pytest.raises(TypeError, match="^transitions: expected True or False"):
        mdps.sample_statistics(fh, mu, 10, transitions=1)


def test_memory_errors_become_value_errors_naming_the_argument(mdp, monkeypatch):
    import mdps.sampling as sampling

    def out_of_memory(*args):
        raise MemoryError

    monkeypatch.setattr(sampling, "_rollout_kernel", out_of_memory)
    with pytest.raises(ValueError, match="^n_episodes, n_steps: expected a size whose arrays fit"):
        mdps.sample_episodes(mdp, np.zeros(3, int), 4, n_steps=5, rng=0)


def test_sizes_that_need_more_memory_than_the_machine_has_are_refused(mdp, fh):
    with pytest.raises(ValueError, match="^horizon: expected at most"):
        mdps.finite_horizon(mdp, 2**50)
    with pytest.raises(ValueError, match="^n_actions: expected at most"):
        mdps.policy_matrix([0, 1], 2**61)
    data = mdps.OfflineData([0], [0], [0.5], [1], n_states=2**40, n_actions=2)
    with pytest.raises(ValueError, match=r"^n_states, n_actions: expected at most"):
        data.statistics


def test_greedy_policy_of_nan_raises():
    with pytest.raises(ValueError, match="^q_values: expected finite values"):
        mdps.greedy_policy([[0.0, np.nan]])
    with pytest.raises(ValueError, match="^q_values: expected an array of shape"):
        mdps.greedy_policy(np.zeros((2, 0)))
    np.testing.assert_array_equal(mdps.greedy_policy([[0.0, 1.0], [2.0, 2.0]]), [1, 0])


def test_sufficient_statistics_must_be_consistent():
    S = mdps.SufficientStatistics
    with pytest.raises(ValueError, match=r"^reward_sums: expected a sum within \[0.0 \* count, 1.0 \* count\]"):
        S(np.array([1, 2]), np.array([2.0, 1.0]))
    with pytest.raises(ValueError, match="^reward_sums: expected a sum within"):
        S(np.array([1, 2]), np.array([-0.5, 1.0]))
    with pytest.raises(ValueError, match="^transition_counts: expected non-negative counts"):
        S(np.full((3, 2), 2), np.zeros((3, 2)), np.array([[[3, -1, 0]] * 2] * 3))
    with pytest.raises(ValueError, match="^counts: expected counts of at most"):
        S(np.array([2**60, 1]), np.zeros(2))
    with pytest.raises(ValueError, match="^counts: expected an array of shape"):
        S(np.array(3), np.array(1.0))
    with pytest.raises(TypeError, match="^reward_sums: expected an array of real numbers"):
        S(np.array([1, 1]), np.array(["0.5", "1"]))
    with pytest.raises(TypeError, match="^n_repetitions"):
        S(np.ones((1, 2), int), np.zeros((1, 2)), n_repetitions=True)
    # Unbounded (Gaussian) rewards: only a zero count forces a zero sum.
    S(np.array([1, 2]), np.array([-3.0, 7.5]), reward_range=None)
    with pytest.raises(ValueError, match="^reward_sums: expected 0 where a count is 0"):
        S(np.array([0, 2]), np.array([0.5, 7.5]), reward_range=None)


def test_statistics_say_whether_their_rewards_are_bounded(mdp):
    mu = np.full((3, 2), 1 / 6)
    assert mdps.sample_statistics(mdp, mu, 50, rng=0).reward_range == (0.0, 1.0)
    gaussian = mdps.DiscountedMDP(mdp.P, mdp.R, 0.9, mdp.initial, reward_model="gaussian", reward_std=1.0)
    assert mdps.sample_statistics(gaussian, mu, 50, rng=0).reward_range is None
    assert mdps.sample_offline_data(mdp, mu, 50, rng=0).statistics.reward_range == (0.0, 1.0)
    assert mdps.sample_offline_data(gaussian, mu, 500, rng=0).statistics.reward_range is None


def test_subset_validates_its_index(mdp):
    data = mdps.sample_offline_data(mdp, np.full((3, 2), 1 / 6), 20, rng=0)
    assert len(data.subset(np.arange(5))) == 5 and len(data.subset(data.a == 0)) == int(np.sum(data.a == 0))
    for index, match in [([20], "^index: expected entries < 20"), ([-1], "^index: expected entries >= 0"),
                         (np.ones(3, bool), r"^index: expected a boolean mask of shape \(20,\)"),
                         ([], "^index: expected at least one tuple"), ([0.5], "^index: expected integers"),
                         (True, "^index")]:
        with pytest.raises((ValueError, TypeError), match=match):
            data.subset(index)


def test_problem_arguments_are_named_problem(mdp):
    for fn in (mdps.optimal_return, mdps.optimal_occupancy):
        with pytest.raises(TypeError, match="^problem: expected"):
            fn("mdp")
    with pytest.raises(TypeError, match="^problem: expected"):
        mdps.expected_return(None, [0, 0, 0])


def test_planning_functions_refuse_the_wrong_kind_of_mdp(mdp, fh):
    with pytest.raises(TypeError, match="^mdp: expected a FiniteHorizonMDP or LinearMDP"):
        mdps.backward_induction(mdp)
    with pytest.raises(TypeError, match="^mdp: expected a DiscountedMDP"):
        mdps.bellman_residual(fh, np.zeros(3))
    with pytest.raises(TypeError, match="^tolerance: expected an option of method 'vi'"):
        mdps.solve(mdp, method="vi", tolerance=1e-3)
    with pytest.raises(ValueError, match="^method: expected one of"):
        mdps.solve(mdp, method=["vi"])


def test_planning_result_checks_its_fields(mdp):
    sol = mdp.solution
    fields = dict(values=sol.values, q_values=sol.q_values, policy=sol.policy, iterations=1, method="pi",
                  value_error_bound=0.0, policy_error_bound=0.0)
    mdps.PlanningResult(**fields)
    for name, bad in [("values", np.zeros(4)), ("policy", np.array([0, 5, 0])), ("iterations", True),
                      ("method", "newton"), ("value_error_bound", -1.0), ("q_values", np.full((3, 2), np.nan))]:
        with pytest.raises((ValueError, TypeError), match=f"^{name}"):
            mdps.PlanningResult(**{**fields, name: bad})


def test_shape_mismatches_name_the_argument_they_come_from(mdp):
    with pytest.raises(ValueError, match=r"^R: expected shape \(3, 1\) \(from P\)"):
        mdps.DiscountedMDP(mdp.P[:, :1], mdp.R, 0.9, mdp.initial)
    with pytest.raises(ValueError, match=r"^data_distribution: expected a 3-d array \(from the pairs of problem"):
        mdps.sample_offline_data(mdps.finite_horizon(mdp, 2), np.full((3, 2), 1 / 6), 5)


def test_gymnasium_dicts_with_bad_entries_name_env_or_P():
    good = {0: {0: [(1.0, 0, 0.5, False)]}}
    mdps.from_gymnasium(good, 0.9)
    for entry in [("1.0", 0, 0.5, False), (1.0, True, 0.5, False), (1.0, 0, "0.5", False), (1.0, 0, 0.5, "no")]:
        with pytest.raises(ValueError, match="^env_or_P: expected"):
            mdps.from_gymnasium({0: {0: [entry]}}, 0.9)
    with pytest.raises(ValueError, match="^env_or_P: expected states 0 .. S-1"):
        mdps.from_gymnasium({"0": {0: [(1.0, 0, 0.5, False)]}}, 0.9)
    with pytest.raises(TypeError, match="^reward_range"):
        mdps.from_mdptoolbox(np.ones((1, 1, 1)), np.zeros(1), 0.9, reward_range=("0", "1"))


def test_valid_sampling_is_unchanged_by_the_checks(mdp, fh):
    """Same seeds, same data: the validation draws nothing and reorders nothing."""
    mu = np.full((3, 2), 1 / 6)
    a = mdps.sample_offline_data(mdp, mu, 200, rng=7)
    gen = np.random.default_rng(7)
    b = mdps.sample_offline_data(mdp, mu, 200, rng=gen)
    np.testing.assert_array_equal(a.s, b.s)
    np.testing.assert_array_equal(a.r, b.r)
    episodes = mdps.sample_episodes(fh, np.zeros((3, 3), int), 5, rng=3)
    assert len(episodes) == 15 and episodes.horizon == 3
