"""The fast paths give the numbers of the plain ones: stationary finite-horizon MDPs stored once,
sampling tables cached on the MDP, OfflineData of the samplers built without re-checking."""
import numpy as np
import pytest

from mdps import (
    FiniteHorizonMDP, OfflineData, backward_induction, finite_horizon, occupancy, policy_evaluation, q_from_values,
    sample_episodes, sample_offline_data, state_occupancy,
)
from mdps.instances import random_mdp


def _copy(mdp):
    return FiniteHorizonMDP(np.array(mdp.P), np.array(mdp.R), mdp.initial, mdp.reward_model, mdp.reward_std)


def test_stationary_finite_horizon_stores_p_once_and_gives_the_same_numbers():
    base = random_mdp(30, 3, rng=1)
    mdp, full = finite_horizon(base, 40), None
    full = _copy(mdp)
    assert mdp.stationary and not full.stationary
    assert mdp.P.strides[0] == 0 and np.shares_memory(mdp.P[0], mdp.P[39]) and not mdp.P.flags.writeable
    assert not np.shares_memory(mdp.P, base.P)  # copied once, so the discounted MDP's P is not aliased
    a, b = backward_induction(mdp), backward_induction(full)
    for x, y in ((a.values, b.values), (a.q_values, b.q_values), (a.policy, b.policy)):
        np.testing.assert_array_equal(x, y)
    policy = np.random.default_rng(2).dirichlet(np.ones(3), size=(40, 30))
    for fn in (policy_evaluation, state_occupancy, occupancy):
        np.testing.assert_array_equal(fn(mdp, policy), fn(full, policy))
    np.testing.assert_array_equal(q_from_values(mdp, a.values), q_from_values(full, a.values))
    for one, other in ((sample_episodes(mdp, policy, 20, rng=3), sample_episodes(full, policy, 20, rng=3)),
                       (sample_offline_data(mdp, np.full((40, 30, 3), 1 / 90), 50, rng=4),
                        sample_offline_data(full, np.full((40, 30, 3), 1 / 90), 50, rng=4))):
        for field in ("s", "a", "r", "s_next", "h"):
            np.testing.assert_array_equal(getattr(one, field), getattr(other, field))
    # The sampler's table of a stationary MDP has one layer.
    assert mdp._sampling_tables[0].shape[0] == 1 and full._sampling_tables[0].shape[0] == 40


def test_a_broadcast_kernel_is_still_checked():
    P1 = np.full((2, 2, 2), 0.5)
    P1[1, 1] = [0.7, 0.4]
    with pytest.raises(ValueError, match="P: expected rows summing to 1"):
        FiniteHorizonMDP(np.broadcast_to(P1, (5, 2, 2, 2)), np.zeros((5, 2, 2)), [1.0, 0.0])
    P1[1, 1] = [0.5, 0.5]
    with pytest.raises(ValueError, match=r"R: expected shape \(5, 2, 2\) \(from P\)"):
        FiniteHorizonMDP(np.broadcast_to(P1, (5, 2, 2, 2)), np.broadcast_to(np.zeros((2, 2)), (4, 2, 2)), [1.0, 0.0])
    with pytest.raises(ValueError, match="R: expected values in"):
        FiniteHorizonMDP(np.broadcast_to(P1, (5, 2, 2, 2)), np.broadcast_to(np.full((2, 2), 2.0), (5, 2, 2)), [1.0, 0.0])
    mdp = FiniteHorizonMDP(np.broadcast_to(P1, (5, 2, 2, 2)), np.zeros((5, 2, 2)), [1.0, 0.0])
    assert not mdp.stationary and mdp.P.strides[0] == 0  # R given per step: only P is stored once


def test_sampler_output_is_what_the_checked_constructor_makes():
    mdp = random_mdp(12, 3, rng=5)
    data = sample_episodes(mdp, np.full((12, 3), 1 / 3), 9, rng=6, n_steps=7)
    assert mdp._sampling_tables is mdp._sampling_tables  # built once, cached on the MDP
    checked = OfflineData(data.s, data.a, data.r, data.s_next, 12, 3, data.h, 7)
    for field in ("s", "a", "r", "s_next", "h"):
        x, y = getattr(data, field), getattr(checked, field)
        assert x.dtype == y.dtype and not x.flags.writeable
        np.testing.assert_array_equal(x, y)
    assert (data.n_states, data.n_actions, data.horizon) == (12, 3, 7)
    np.testing.assert_array_equal(data.statistics.transition_counts, checked.statistics.transition_counts)


def test_solve_auto_says_which_method_ran_and_keeps_its_certificate():
    from mdps import solve
    from mdps.instances import chain_mdp, sparse_chain

    for mdp, want in ((random_mdp(20, 3, gamma=0.9, rng=7), "pi"), (random_mdp(20, 3, gamma=0.99, rng=7), "mpi"),
                      (chain_mdp(150, 0.9), "mpi"), (sparse_chain(30, 0.5), "mpi")):
        res = solve(mdp, "auto")
        assert res.method == want
        truth = solve(mdp, "pi").values
        assert np.max(np.abs(res.values - truth)) <= res.value_error_bound + 1e-12
    fh = finite_horizon(random_mdp(5, 2, rng=1), 3)
    assert solve(fh, "auto").method == "backward_induction"
    with pytest.raises(TypeError, match="tol: expected an option of method 'auto'"):
        solve(random_mdp(5, 2, rng=1), "auto", tol=1e-6)
    with pytest.raises(ValueError, match="method: expected one of"):
        solve(random_mdp(5, 2, rng=1), "fastest")


def test_solve_default_is_auto_and_says_which_method_ran():
    """The default picks the faster certified method by the measured rule and reports it."""
    from mdps import solve
    from mdps.instances import random_mdp

    small, large = random_mdp(10, 3, gamma=0.9, rng=0), random_mdp(120, 3, gamma=0.9, rng=0)
    assert solve(small).method == "pi" and solve(large).method == "mpi"
    assert solve(random_mdp(10, 3, gamma=0.99, rng=0)).method == "mpi"
    res, exact = solve(large), solve(large, "pi")
    np.testing.assert_allclose(res.values, exact.values, atol=res.value_error_bound + exact.value_error_bound)
