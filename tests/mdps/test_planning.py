"""mdps.planning: the solvers agree, their certificates hold, occupancies satisfy the flow equations."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdps.core import DiscountedMDP, FiniteHorizonMDP, MultiArmedBandit, finite_horizon
from mdps.instances.classic import chain_mdp
from mdps.instances.random import (
    random_bandit, random_contextual_bandit, random_finite_horizon_mdp, random_linear_mdp, random_mdp,
)
from mdps.planning import (
    PlanningResult,
    _result,
    backward_induction,
    bellman_residual,
    concentrability,
    expected_return,
    linear_program,
    modified_policy_iteration,
    occupancy,
    optimal_return,
    policy_evaluation,
    policy_iteration,
    policy_q_values,
    solve,
    state_occupancy,
    suboptimality,
    value_iteration,
)

from .strategies import discounted_mdps, finite_horizon_mdps, stochastic_policies

#: Slack for the reference computation itself: an exact policy evaluation is a linear solve whose
#: rounding error is ~ cond(I - gamma P_pi) * eps * V_max <= 2 / (1 - gamma)^2 * 1e-16, below 1e-12.
REFERENCE_ROUNDING = 1e-12


@settings(max_examples=20)
@given(mdp=discounted_mdps())
def test_vi_pi_lp_agree_on_v_star_within_their_certificates(mdp):
    results = [solve(mdp, method) for method in ("vi", "pi", "lp")]
    for res in results:
        assert res.value_error_bound >= 0 and res.policy_error_bound >= res.value_error_bound
        assert res.values.shape == (mdp.n_states,) and res.q_values.shape == mdp.R.shape
    for i, a in enumerate(results):
        for b in results[i + 1:]:
            gap = np.max(np.abs(a.values - b.values))
            assert gap <= a.value_error_bound + b.value_error_bound, (a.method, b.method, gap)
    vi, pi = results[0], results[1]
    assert vi.value_error_bound <= 1e-10 + 1e-9 * (mdp.gamma > 0.9)  # the default tol was met
    assert pi.value_error_bound < 1e-11  # exact up to rounding


@settings(max_examples=20)
@given(mdp=discounted_mdps(), tol=st.sampled_from([1e-1, 1e-3, 1e-6]))
def test_certified_bounds_bound_the_true_errors(mdp, tol):
    """A loose VI: its value and greedy-policy errors against V* (from PI) are within its bounds."""
    vi = value_iteration(mdp, tol=tol)
    assert vi.value_error_bound <= tol
    v_star, slack = mdp.optimal_values, mdp.solution.value_error_bound + REFERENCE_ROUNDING
    assert np.max(np.abs(vi.values - v_star)) <= vi.value_error_bound + slack
    greedy_values = policy_evaluation(mdp, vi.policy)
    assert np.max(np.abs(greedy_values - v_star)) <= vi.policy_error_bound + slack
    # VI values equal the exact evaluation of their own greedy policy within the two guarantees.
    assert np.max(np.abs(vi.values - greedy_values)) <= vi.value_error_bound + vi.policy_error_bound + slack
    # The reported residual is the one of the returned values.
    assert bellman_residual(mdp, vi.values) <= vi.value_error_bound * (1 - mdp.gamma)


def test_bound_is_informative_and_violated_by_an_uncertified_stop():
    """The check above can fail: stopping VI when ||V_k - V_{k-1}|| <= tol (a common mistake) is
    not within tol of V* on a slow chain, and the a-posteriori bound says so."""
    mdp = chain_mdp(n_states=8, gamma=0.95)
    V = np.zeros(mdp.n_states)
    while True:
        V_new = (mdp.R + mdp.gamma * mdp.P @ V).max(axis=1)
        done = np.max(np.abs(V_new - V)) <= 1e-3
        V = V_new
        if done:
            break
    error = np.max(np.abs(V - mdp.optimal_values))
    assert error > 1e-3
    assert bellman_residual(mdp, V) / (1 - mdp.gamma) >= error


def test_value_iteration_input_errors():
    mdp = random_mdp(200, 3, 0.999, rng=0)
    with pytest.raises(ValueError, match="^tol: expected more than the rounding floor"):
        value_iteration(mdp, tol=1e-12)
    with pytest.raises(ValueError, match="^tol: expected a positive"):
        value_iteration(mdp, tol=-1.0)
    with pytest.raises(ValueError, match="^max_iter: value iteration did not reach"):
        value_iteration(mdp, tol=1e-6, max_iter=3)
    with pytest.raises(ValueError, match="^method"):
        solve(mdp, method="newton")
    with pytest.raises(TypeError, match="^mdp"):
        value_iteration(random_finite_horizon_mdp(rng=0))


@pytest.mark.parametrize("method", ["pi", "vi", "mpi", "lp"])
def test_solver_results_pass_the_checks_they_skip(method):
    # _result builds the solvers' PlanningResult without re-running its checks; the same fields
    # must pass them, and the policy must be the greedy one of the Q-values.
    res = solve(random_mdp(12, 3, gamma=0.9, rng=6), method)
    fields = {name: getattr(res, name) for name in ("values", "q_values", "policy", "iterations", "method",
                                                     "value_error_bound", "policy_error_bound")}
    checked = PlanningResult(**fields)
    np.testing.assert_array_equal(checked.policy, np.argmax(res.q_values, axis=1))
    assert res.values.dtype == np.float64 and res.policy.dtype == np.int64
    assert not any(arr.flags.writeable for arr in (res.values, res.q_values, res.policy))
    assert isinstance(res.value_error_bound, float) and res.policy_error_bound == 2 * res.value_error_bound


def test_a_non_finite_solver_output_still_raises():
    mdp = random_mdp(4, 2, rng=7)
    with pytest.raises(ValueError, match="values"):
        _result(mdp, np.array([0.0, np.nan, 0.0, 0.0]), 1, "vi")


def test_policy_iteration_on_a_two_state_example_by_hand():
    # State 0: stay (reward 0.5) or go to 1 (reward 0); state 1 absorbing with reward 1.
    P = np.array([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [0.0, 1.0]]])
    mdp = DiscountedMDP(P, np.array([[0.5, 0.0], [1.0, 1.0]]), 0.9, [1.0, 0.0])
    res = policy_iteration(mdp)
    np.testing.assert_allclose(res.values, [9.0, 10.0], rtol=0, atol=1e-12)  # 0 + 0.9 * 10 > 0.5 / 0.1
    np.testing.assert_array_equal(res.policy, [1, 0])
    # Q(0, stay) = 0.5 + 0.9 * 9 = 8.6, Q(0, go) = 9.
    np.testing.assert_allclose(res.gaps, [[0.4, 0.0], [0.0, 0.0]], atol=1e-12)
    lp = linear_program(mdp)
    np.testing.assert_allclose(lp.values, res.values, atol=lp.value_error_bound + 1e-12)


@settings(max_examples=15)
@given(mdp=finite_horizon_mdps())
def test_backward_induction_is_exact_and_optimal(mdp):
    res = solve(mdp)
    assert res.method == "backward_induction" and res.value_error_bound == 0.0
    H, S, A = mdp.R.shape
    assert res.values.shape == (H + 1, S) and np.all(res.values[H] == 0)
    np.testing.assert_allclose(policy_evaluation(mdp, res.policy), res.values, atol=1e-12)
    # No deterministic policy does better (enumerated when small).
    gen = np.random.default_rng(0)
    for _ in range(20):
        other = gen.integers(0, A, size=(H, S))
        assert np.all(policy_evaluation(mdp, other)[0] <= res.values[0] + 1e-12)


def _numpy_backward_induction(P, R):
    """The reference: backward induction in plain numpy (einsum backups, argmax)."""
    H, S, A, _ = P.shape
    V, Q = np.zeros((H + 1, S)), np.empty((H, S, A))
    for h in range(H - 1, -1, -1):
        Q[h] = R[h] + np.einsum("sat,t->sa", P[h], V[h + 1])
        V[h] = Q[h].max(axis=1)
    return V, Q, np.argmax(Q, axis=-1)


@pytest.mark.parametrize("build", [
    lambda: random_finite_horizon_mdp(21, 4, 9, rng=1),  # 21 states: two blocks of eight and five more
    lambda: finite_horizon(random_mdp(13, 3, rng=2), 11),  # stationary: P stored once
    lambda: random_linear_mdp(12, 3, 4, 6, rng=3),  # through its tabular form
], ids=["per-step", "stationary", "linear"])
def test_backward_induction_kernel_matches_a_numpy_reference(build):
    mdp = build()
    tab = getattr(mdp, "tabular", mdp)
    res = backward_induction(mdp)
    V, Q, policy = _numpy_backward_induction(np.array(tab.P), np.array(tab.R))
    np.testing.assert_allclose(res.values, V, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.q_values, Q, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(res.policy, policy)  # no near-ties on these problems
    assert res.values.dtype == np.float64 and res.policy.dtype == np.int64 and not res.q_values.flags.writeable


def test_backward_induction_breaks_exact_ties_to_the_first_action_and_sums_identical_rows_identically():
    # Actions 1 and 3 repeat action 0's row of P and its reward, so Q ties exactly (0, 1, 3), and
    # states 0 (in the kernel's first block of eight) and 9 (after the last block) share all
    # their rows: the sums run in one fixed order, so their Q-values must be equal bit for bit.
    gen = np.random.default_rng(4)
    H, S, A = 5, 10, 4
    P = gen.dirichlet(np.ones(S), size=(H, S, A))
    R = gen.uniform(0.0, 0.5, size=(H, S, A))
    R[:, :, 0] += 0.5  # action 0 (and its copies) is the best
    P[:, :, [1, 3]] = P[:, :, [0]]
    R[:, :, [1, 3]] = R[:, :, [0]]
    P[:, 9], R[:, 9] = P[:, 0], R[:, 0]
    res = backward_induction(FiniteHorizonMDP(P, R, np.full(S, 1.0 / S)))
    np.testing.assert_array_equal(res.q_values[:, :, 1], res.q_values[:, :, 0])
    np.testing.assert_array_equal(res.q_values[:, :, 3], res.q_values[:, :, 0])
    np.testing.assert_array_equal(res.q_values[:, 9], res.q_values[:, 0])
    np.testing.assert_array_equal(res.policy, np.zeros((H, S), dtype=int))


@settings(max_examples=20)
@given(data=st.data(), mdp=discounted_mdps())
def test_discounted_occupancy_sums_to_one_and_satisfies_flow(data, mdp):
    S, A = mdp.R.shape
    pi = data.draw(stochastic_policies((S, A)))
    d = occupancy(mdp, pi)
    assert d.shape == (S, A) and np.all(d >= -1e-15)
    assert abs(d.sum() - 1.0) < 1e-12
    inflow = (1 - mdp.gamma) * mdp.initial + mdp.gamma * np.einsum("sa,sat->t", d, mdp.P)
    np.testing.assert_allclose(d.sum(axis=1), inflow, rtol=0, atol=1e-12)
    np.testing.assert_allclose(d, state_occupancy(mdp, pi)[:, None] * pi, atol=1e-15)
    # J(pi) = <d, R> / (1 - gamma)
    np.testing.assert_allclose(expected_return(mdp, pi), (d * mdp.R).sum() / (1 - mdp.gamma), rtol=1e-10, atol=1e-12)


@settings(max_examples=15)
@given(data=st.data(), mdp=finite_horizon_mdps())
def test_finite_horizon_occupancy_per_step(data, mdp):
    H, S, A = mdp.R.shape
    pi = data.draw(stochastic_policies((H, S, A)))
    d = occupancy(mdp, pi)
    assert d.shape == (H, S, A) and np.all(d >= 0)
    np.testing.assert_allclose(d.sum(axis=(1, 2)), 1.0, atol=1e-12)
    np.testing.assert_allclose(d[0].sum(axis=1), mdp.initial, atol=1e-15)
    for h in range(H - 1):
        np.testing.assert_allclose(d[h + 1].sum(axis=1), np.einsum("sa,sat->t", d[h], mdp.P[h]), atol=1e-12)
    np.testing.assert_allclose(expected_return(mdp, pi), (d * mdp.R).sum(), rtol=1e-10, atol=1e-12)


def test_stationary_policy_in_finite_horizon_is_used_at_every_step():
    mdp = random_finite_horizon_mdp(4, 3, 5, rng=3)
    pi = np.array([0, 2, 1, 1])
    np.testing.assert_array_equal(policy_evaluation(mdp, pi), policy_evaluation(mdp, np.tile(pi, (5, 1))))
    with pytest.raises(ValueError, match="^policy: expected shape"):
        policy_evaluation(mdp, np.zeros((2, 4), dtype=int))


def test_returns_suboptimality_and_q_values():
    mdp = random_mdp(5, 3, 0.8, rng=4)
    assert suboptimality(mdp, mdp.optimal_policy) == pytest.approx(0.0, abs=1e-12)
    worst = np.argmin(mdp.optimal_q, axis=1)
    assert suboptimality(mdp, worst) > 0
    np.testing.assert_allclose(policy_q_values(mdp, mdp.optimal_policy), mdp.optimal_q, atol=1e-12)
    assert np.all(mdp.gaps >= 0) and np.all(mdp.gaps[np.arange(5), mdp.optimal_policy] == 0)
    bandit = random_bandit(4, rng=0)
    assert expected_return(bandit, bandit.optimal_arm) == optimal_return(bandit) == bandit.means.max()
    cb = random_contextual_bandit(3, 2, rng=0)
    assert suboptimality(cb, cb.optimal_policy) == 0.0
    assert suboptimality(cb, 1 - cb.optimal_policy) > 0
    with pytest.raises(ValueError, match="^policy"):
        expected_return(bandit, 7)
    with pytest.raises(ValueError, match="^policy"):
        expected_return(mdp, np.zeros(4, dtype=int))


def test_concentrability_by_hand():
    bandit = MultiArmedBandit([0.2, 0.9, 0.5])
    assert concentrability(bandit, [0.5, 0.25, 0.25]) == pytest.approx(4.0)
    assert concentrability(bandit, [0.5, 0.0, 0.5]) == np.inf
    assert concentrability(bandit, [0.5, 0.0, 0.5], policy=0) == pytest.approx(2.0)
    mdp = random_mdp(3, 2, 0.9, rng=0)
    d = occupancy(mdp, mdp.optimal_policy)
    assert concentrability(mdp, d) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="^data_distribution: expected rows summing"):
        concentrability(mdp, np.full((3, 2), 0.2))
    with pytest.raises(ValueError, match="^data_distribution: expected shape"):
        concentrability(mdp, np.full((2, 3), 1 / 6))
    fh = finite_horizon(mdp, 3)
    uniform = np.full((3, 2), 1 / 6)
    assert concentrability(fh, uniform) == pytest.approx(concentrability(fh, np.broadcast_to(uniform, (3, 3, 2))))


@settings(max_examples=30)
@given(mdp=discounted_mdps(), m=st.sampled_from([1, 3, 20]), tol=st.sampled_from([None, 1e-4, 1e-8]))
def test_mpi_certificate_holds_and_agrees_with_pi(mdp, m, tol):
    mpi, pi = modified_policy_iteration(mdp, m=m, tol=tol), solve(mdp, "pi")
    assert mpi.method == "mpi" and mpi.policy_error_bound == 2 * mpi.value_error_bound
    assert mpi.value_error_bound <= (1e-10 + 1e-9 * (mdp.gamma > 0.9) if tol is None else tol)
    slack = pi.value_error_bound + REFERENCE_ROUNDING
    assert np.max(np.abs(mpi.values - mdp.optimal_values)) <= mpi.value_error_bound + slack
    assert np.max(np.abs(policy_evaluation(mdp, mpi.policy) - mdp.optimal_values)) <= mpi.policy_error_bound + slack
    # |Q_mpi - Q*| <= gamma |V_mpi - V*|: where the optimal action leads by more than twice that,
    # mpi picks it too.
    Q = np.sort(pi.q_values, axis=1)
    lead = Q[:, -1] - (Q[:, -2] if Q.shape[1] > 1 else -np.inf)
    clear = lead > 2 * mdp.gamma * (mpi.value_error_bound + slack) + 1e-12
    np.testing.assert_array_equal(mpi.policy[clear], pi.policy[clear])


@pytest.mark.parametrize("gamma", [0.9, 0.99])
def test_mpi_pi_and_vi_agree_on_random_mdps_without_ties(gamma):
    mdp = random_mdp(60, 5, gamma, rng=7)
    pi, mpi = solve(mdp, "pi"), solve(mdp, "mpi")
    np.testing.assert_array_equal(mpi.policy, pi.policy)
    assert np.max(np.abs(mpi.values - pi.values)) <= mpi.value_error_bound + pi.value_error_bound
    assert mpi.iterations < value_iteration(mdp).iterations
    # Policy iteration's values are V^pi of its policy, the same with or without the gather path.
    reference = np.linalg.solve(np.eye(60) - gamma * np.einsum("sa,sat->st", np.eye(5)[pi.policy], mdp.P),
                                mdp.R[np.arange(60), pi.policy])
    np.testing.assert_allclose(pi.values, reference, rtol=0, atol=REFERENCE_ROUNDING)
    np.testing.assert_allclose(policy_evaluation(mdp, np.eye(5)[pi.policy]), pi.values, rtol=0, atol=1e-15)


def test_mpi_on_a_slow_chain_and_its_input_errors():
    mdp = chain_mdp(n_states=30, gamma=0.99)
    res = solve(mdp, "mpi", m=3, tol=1e-8)
    assert res.value_error_bound <= 1e-8
    np.testing.assert_array_equal(res.policy, mdp.optimal_policy)
    with pytest.raises(ValueError, match="^m: expected a positive integer"):
        solve(mdp, "mpi", m=0)
    with pytest.raises(ValueError, match="^m: expected a positive integer"):
        solve(mdp, "mpi", m=2.5)
    with pytest.raises(TypeError, match="^m: expected a positive integer"):
        solve(mdp, "mpi", m="20")
    with pytest.raises(TypeError, match="^m: expected a positive integer"):
        solve(mdp, "mpi", m=True)
    with pytest.raises(ValueError, match="^tol: expected a positive"):
        solve(mdp, "mpi", tol=0.0)
    with pytest.raises(ValueError, match="^tol: expected more than the rounding floor"):
        solve(mdp, "mpi", tol=1e-14)
    with pytest.raises(ValueError, match="^max_iter: modified policy iteration did not reach"):
        solve(mdp, "mpi", m=1, tol=1e-8, max_iter=2)
    with pytest.raises(TypeError, match="^initial_values: expected an option of method 'mpi'"):
        solve(mdp, "mpi", initial_values=np.zeros(30))
    with pytest.raises(TypeError, match="^mdp"):
        modified_policy_iteration(random_finite_horizon_mdp(rng=0))
