"""Unit tests of provable_rl.dual_rl: the LP and its duals, the divergence table, f-DVL/XQL, ReCOIL."""
import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from mdps.core import DiscountedMDP
from mdps.data import OfflineData
from mdps.instances.dual_rl import imitation_fork
from mdps.instances.random import random_mdp
from mdps.planning import occupancy
from provable_rl import dual_rl as D


def _setup(seed, S=5, A=3):
    rng = np.random.default_rng(seed)
    mdp = random_mdp(S, A, 0.9, rng)
    behavior = rng.dirichlet(np.ones(A), size=S)
    return mdp, behavior, occupancy(mdp, behavior)


# ------------------------------------------------------------------ the divergence table

@pytest.mark.parametrize("name", list(D.DIVERGENCES))
def test_conjugates_match_their_definition(name):
    div = D.DIVERGENCES[name]
    t = np.linspace(1e-9, 30.0, 300_001)
    t_all = np.linspace(-30.0, 30.0, 600_001)
    for y in (-3.0, -1.0, -0.4, 0.0, 0.3, 0.5, 1.5):
        sup_p = np.max(t * y - div.f(t))
        assert div.conjugate_nonneg(y) == pytest.approx(sup_p, abs=1e-6) or (np.isinf(div.conjugate_nonneg(y)) and sup_p > 5)
        if name == "chi2":  # f is defined on all of R only for chi-square
            assert div.conjugate(y) == pytest.approx(np.max(t_all * y - div.f(t_all)), abs=1e-6)
        if name == "kl":
            assert div.conjugate(y) == pytest.approx(sup_p, abs=1e-6)


@pytest.mark.parametrize("name", ["kl", "chi2"])
def test_f_prime_inverse_inverts_f_prime(name):
    div = D.DIVERGENCES[name]
    t = np.array([0.1, 0.5, 1.0, 2.0, 7.0])
    np.testing.assert_allclose(div.f_prime_inverse(div.f_prime(t)), t, rtol=1e-12)
    assert div.f(1.0) == pytest.approx(0.0)


def test_tv_ratio_is_set_valued_and_raises():
    with pytest.raises(ValueError, match="set-valued"):
        D.DIVERGENCES["tv"].ratio(np.zeros(3), 1.0)


def test_unknown_divergence_raises():
    with pytest.raises(ValueError, match="divergence"):
        D.get_divergence("hellinger")


# ------------------------------------------------------------------ the LP

def test_lp_methods_agree_and_give_optimal_values():
    mdp, _, _ = _setup(0)
    target = (1 - mdp.gamma) * mdp.initial @ mdp.optimal_values
    for method in D.LP_METHODS:
        sol = D.occupancy_lp(mdp, method=method)
        assert sol.objective == pytest.approx(target, abs=1e-7)
        np.testing.assert_allclose(sol.values, mdp.optimal_values, atol=1e-6)
        np.testing.assert_allclose(sol.occupancy.sum(), 1.0, atol=1e-7)
        dual = D.value_lp(mdp, method=method)
        np.testing.assert_allclose(dual.values, mdp.optimal_values, atol=1e-6)
        np.testing.assert_allclose(dual.occupancy, sol.occupancy, atol=1e-6)


@settings(max_examples=10)
@given(seed=st.integers(0, 10_000), S=st.integers(2, 6), A=st.integers(1, 3), gamma=st.floats(0.1, 0.95))
def test_lp_strong_duality_property(seed, S, A, gamma):
    mdp = random_mdp(S, A, gamma, seed)
    V = mdp.optimal_values
    sol = D.occupancy_lp(mdp)
    # HiGHS is a simplex/IPM with 1e-9 feasibility tolerance; values scale with 1/(1 - gamma).
    tol = 1e-7 / (1 - gamma)
    assert sol.objective == pytest.approx((1 - gamma) * mdp.initial @ V, abs=tol)
    np.testing.assert_allclose(sol.values, V, atol=tol)  # multipliers = V*
    np.testing.assert_allclose(D.value_lp(mdp).objective, sol.objective, atol=tol)


def test_occupancy_negatives_within_solver_tolerance_are_zeroed_larger_raise():
    d = np.array([[0.5, -0.5 * D.NEGATIVE_TOLERANCE], [0.25, 0.25]])
    np.testing.assert_array_equal(D.occupancy_policy(d), [[1.0, 0.0], [0.5, 0.5]])
    with pytest.raises(ValueError, match="occupancy: expected non-negative"):
        D.occupancy_policy(np.array([[0.5, -2 * D.NEGATIVE_TOLERANCE], [0.25, 0.25]]))
    with pytest.raises(ValueError, match="solver output"):
        D._nonnegative_occupancy("occupancy (solver output)", np.array([-1e-6, 1.0]))


def test_sa_helpers_match_planning():
    from mdps.planning import policy_q_values

    mdp, behavior, _ = _setup(7)
    np.testing.assert_allclose(D._policy_q(mdp, behavior, mdp.R), policy_q_values(mdp, behavior), atol=1e-10)
    Q = np.random.default_rng(0).normal(size=behavior.shape)
    pi = D._mirror_step(behavior, Q, 0.7)
    twin = behavior * np.exp(0.7 * Q)
    np.testing.assert_allclose(pi, twin / twin.sum(axis=1, keepdims=True), atol=1e-14)
    masked = behavior.copy()
    masked[:, 0] = 0.0
    masked /= masked.sum(axis=1, keepdims=True)
    assert np.all(D._mirror_step(masked, Q, 0.7)[:, 0] == 0.0)


def test_occupancy_policy_is_optimal():
    mdp, _, _ = _setup(1)
    from mdps.planning import policy_evaluation

    sol = D.occupancy_lp(mdp)
    np.testing.assert_allclose(policy_evaluation(mdp, sol.policy), mdp.optimal_values, atol=1e-7)


def test_flow_matrix_maps_occupancies_to_initial():
    mdp, behavior, dO = _setup(2)
    np.testing.assert_allclose(D.flow_matrix(mdp) @ dO.reshape(-1), (1 - mdp.gamma) * mdp.initial, atol=1e-12)


def test_bad_lp_method_and_mdp():
    mdp, _, _ = _setup(0)
    with pytest.raises(ValueError, match="method"):
        D.occupancy_lp(mdp, method="simplex")
    with pytest.raises(ValueError, match="method"):
        D.value_lp(mdp, method="simplex")
    with pytest.raises(TypeError, match="mdp"):
        D.occupancy_lp("not an mdp")


# ------------------------------------------------------------------ regularised primal and duals

@pytest.mark.parametrize("name", list(D.DIVERGENCES))
def test_primal_equals_dual_v_and_closed_form(name):
    mdp, _, dO = _setup(3)
    primal = D.regularized_primal(mdp, dO, 0.1, name)
    dual = D.dual_v(mdp, dO, 0.1, name)
    assert dual.objective == pytest.approx(primal.objective, abs=1e-6)
    assert D.dual_v_objective(mdp, dO, dual.values, 0.1, name) == pytest.approx(dual.objective, abs=1e-8)
    assert D.regularized_objective(mdp, dO, primal.occupancy, 0.1, name) == pytest.approx(primal.objective, abs=1e-6)


def test_dual_q_closed_form_matches_cvxpy_and_policy_value():
    mdp, behavior, dO = _setup(4)
    pi = np.random.default_rng(0).dirichlet(np.ones(3), size=5)
    for name in ("kl", "chi2"):
        Q, value = D.dual_q(mdp, dO, pi, 0.5, name)
        Qc = D.dual_q_minimizer(mdp, dO, pi, 0.5, name)
        target = D.regularized_objective(mdp, dO, occupancy(mdp, pi), 0.5, name)
        assert value == pytest.approx(target, abs=1e-6)
        assert D.dual_q_objective(mdp, dO, Qc, pi, 0.5, name) == pytest.approx(target, abs=1e-9)


@settings(max_examples=6)
@given(seed=st.integers(0, 10_000), alpha=st.sampled_from([1.0, 0.1, 0.01]), name=st.sampled_from(["kl", "chi2", "tv"]))
def test_small_alpha_bound_property(seed, alpha, name):
    mdp, _, dO = _setup(seed, S=4, A=2)
    lp = D.occupancy_lp(mdp)
    sol = D.regularized_primal(mdp, dO, alpha, name)
    gap = lp.objective - sol.expected_reward
    bound = alpha * D.DIVERGENCES[name].value(lp.occupancy, dO)
    assert -1e-7 <= gap <= bound + 1e-7


def test_dual_v_without_positivity_is_wrong_for_chi2():
    mdp, _, dO = _setup(3)
    good = D.dual_v(mdp, dO, 0.01, "chi2")
    bad = D.dual_v(mdp, dO, 0.01, "chi2", positivity=False)
    assert bad.objective > good.objective + 1e-3  # f* >= f*_p: dropping d >= 0 relaxes the primal
    assert np.min(bad.occupancy) < 0


def test_solver_failure_raises_with_status():
    mdp, _, dO = _setup(3)
    # f* of TV has domain |y| <= 1/2: at a small alpha no V satisfies it, the problem is infeasible.
    with pytest.raises(ValueError, match="status 'infeasible'"):
        D.dual_v(mdp, dO, 0.01, "tv", positivity=False)

    class Inaccurate:
        status = "optimal_inaccurate"

    with pytest.raises(ValueError, match="optimal_inaccurate"):
        D._check_status(Inaccurate(), "x")


def test_regularized_bad_inputs():
    mdp, _, dO = _setup(3)
    with pytest.raises(ValueError, match="alpha"):
        D.regularized_primal(mdp, dO, -1.0)
    zero = dO.copy()
    zero[0, 0] += zero[0, 1]
    zero[0, 1] = 0.0
    with pytest.raises(ValueError, match="data_occupancy: expected full support"):
        D.dual_v(mdp, zero, 1.0)
    with pytest.raises(ValueError, match="data_occupancy"):
        D.regularized_primal(mdp, dO * 2, 1.0)
    with pytest.raises(ValueError, match="data_occupancy"):
        D.regularized_primal(mdp, dO[:2], 1.0)
    with pytest.raises(ValueError, match="set-valued"):
        D.dual_q_minimizer(mdp, dO, np.full((5, 3), 1 / 3), 1.0, "tv")


# ------------------------------------------------------------------ implicit maximisation

EX_Q = np.array([[1.0, 2.0, 3.5, 0.5]])
EX_MU = np.array([[0.4, 0.3, 0.1, 0.2]])


def test_theory_worked_examples():
    tv = [D.implicit_maximum(EX_Q, EX_MU, loss="tv", temperature=t)[0] for t in (0.6, 0.8, 0.9, 0.95)]
    assert tv == [1.0, 2.0, 2.0, 3.5]
    chi = [D.implicit_maximum(EX_Q, EX_MU, loss="chi2", temperature=t)[0] for t in (0.9, 0.91, 0.95, 0.99)]
    np.testing.assert_allclose(chi, [3.278, 3.5, 3.5, 3.5], atol=1e-3)
    assert D.implicit_maximum(EX_Q, EX_MU, loss="chi2_exact", temperature=0.95)[0] == pytest.approx(4.45, abs=5e-3)
    gum = [D.implicit_maximum(EX_Q, EX_MU, loss="gumbel", temperature=b)[0] for b in (1, 0.3, 0.1, 0.03)]
    np.testing.assert_allclose(gum, [1.94, 2.82, 3.27, 3.43], atol=5e-3)


def _twin_minimiser(q, mu, loss, lam):
    """Slow twin of the kernel: bounded scalar minimisation of the same convex objective."""
    f = lambda V: D.implicit_objective(np.array([V]), q[None], mu[None], loss=loss, temperature=lam)[0]  # noqa: E731
    lo, hi = q.min() - 20.0, q.max() + 20.0
    res = scipy.optimize.minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    return res.x, res.fun


@pytest.mark.parametrize("loss", ["tv", "chi2", "chi2_exact"])
def test_implicit_kernel_matches_numpy_twin(loss):
    rng = np.random.default_rng(7)
    Q = rng.normal(size=(40, 5)) * 3
    mu = rng.dirichlet(np.ones(5), size=40)
    mu[rng.random(mu.shape) < 0.3] = 0
    mu[:, 0] += 0.05
    mu /= mu.sum(axis=1, keepdims=True)
    lam = rng.uniform(0.55, 0.99, size=40)
    for s in range(40):
        V = D.implicit_maximum(Q[s:s + 1], mu[s:s + 1], loss=loss, temperature=lam[s])
        obj = D.implicit_objective(V, Q[s:s + 1], mu[s:s + 1], loss=loss, temperature=lam[s])[0]
        v_twin, obj_twin = _twin_minimiser(Q[s], mu[s], loss, lam[s])
        assert obj <= obj_twin + 1e-10
        if loss != "tv":  # strictly convex pieces around the optimum: the minimiser is unique
            assert V[0] == pytest.approx(v_twin, abs=1e-5)


def test_tv_kernel_equals_quantile_formula():
    rng = np.random.default_rng(8)
    Q = rng.normal(size=(50, 4))
    mu = rng.dirichlet(np.ones(4), size=50)
    for lam in (0.55, 0.7, 0.85, 0.97):
        np.testing.assert_array_equal(D.implicit_maximum(Q, mu, loss="tv", temperature=lam), D.tv_quantile_value(Q, mu, lam))


def test_private_quantile_offset_is_the_mutant_and_not_public():
    import inspect

    assert D._tv_quantile(np.array(EX_Q, float), np.array(EX_MU, float), 0.95, -1)[0] == 2.0
    assert D._tv_quantile(np.array(EX_Q, float), np.array(EX_MU, float), 0.95, 0)[0] == 3.5
    assert "step_offset" not in inspect.signature(D.tv_quantile_value).parameters
    assert "quantile_step_offset" not in inspect.signature(D.fdvl_value_iteration).parameters


def test_implicit_bad_inputs():
    with pytest.raises(ValueError, match="temperature"):
        D.implicit_maximum(EX_Q, EX_MU, loss="tv", temperature=0.5)
    with pytest.raises(ValueError, match="temperature"):
        D.implicit_maximum(EX_Q, EX_MU, loss="chi2", temperature=1.5)
    with pytest.raises(ValueError, match="loss"):
        D.implicit_maximum(EX_Q, EX_MU, loss="huber")
    with pytest.raises(ValueError, match="behavior"):
        D.implicit_maximum(EX_Q, EX_MU * 2)
    with pytest.raises(ValueError, match="behavior"):
        D.implicit_maximum(EX_Q, EX_MU[:, :3])


# ------------------------------------------------------------------ fixed points and semi-gradient

def test_tv_fixed_point_is_support_optimal():
    mdp, _, _ = _setup(5, S=6, A=3)
    mu = np.full((6, 3), 0.5)
    mu[:, 2] = 0.0
    res = D.fdvl_value_iteration(mdp, mu, loss="tv", temperature=0.9, tol=1e-11)
    np.testing.assert_allclose(res.values, D.support_optimal_values(mdp, mu), atol=1e-9)
    assert res.error_bound <= 1e-11
    np.testing.assert_allclose(res.policy.sum(axis=1), 1.0)
    assert np.all(res.policy[:, 2] == 0)  # AWR never leaves the data's support


def test_q_step_is_the_bellman_backup():
    from mdps.planning import q_from_values

    mdp, _, _ = _setup(5)
    np.testing.assert_allclose(D.q_step(mdp, mdp.optimal_values), q_from_values(mdp, mdp.optimal_values))
    with pytest.raises(ValueError, match="values"):
        D.q_step(mdp, np.zeros(2))


def test_advantage_weighted_policy_clip():
    Q = np.array([[0.0, 100.0]])
    pi = D.advantage_weighted_policy(Q, np.array([0.0]), np.array([[0.5, 0.5]]), temperature=3.0, clip=100.0)
    np.testing.assert_allclose(pi, [[1 / 101, 100 / 101]])


def _twin_semi_gradient(data, gamma, loss, lam, n_steps, lr_v, lr_q, decay, rng):
    """Pure-python twin of the semi-gradient kernel (same draws from the same Generator)."""
    S, A = data.n_states, data.n_actions
    Q, V = np.zeros((S, A)), np.zeros(S)

    def grad(y):
        if loss == "gumbel":
            return -(np.exp(y / lam) - 1) / lam
        if loss == "tv":
            gp = 1.0 if y > 0 else 0.0
        elif loss == "chi2":
            gp = 1 + y / 2 if (y > 0 or y < -4) else 0.0
        else:
            gp = 1 + y / 2 if y > -2 else 0.0
        return (1 - lam) - lam * gp

    for t in range(n_steps):
        i = rng.integers(0, data.s.size)
        s, a = data.s[i], data.a[i]
        scale = 1 / (1 + decay * t)
        V[s] -= lr_v * scale * grad(Q[s, a] - V[s])
        Q[s, a] -= lr_q * scale * (Q[s, a] - data.r[i] - gamma * V[data.s_next[i]])
    return Q, V


@pytest.mark.parametrize("loss", ["tv", "chi2", "chi2_exact", "gumbel"])
def test_semi_gradient_kernel_matches_twin(loss):
    from mdps.sampling import sample_offline_data

    mdp, _, dO = _setup(6, S=4, A=2)
    data = sample_offline_data(mdp, dO, 300, rng=1)
    lam = 0.5 if loss == "gumbel" else 0.8
    res, _ = D.fdvl_semi_gradient(data, 0.9, loss=loss, temperature=lam, n_steps=500, learning_rate_v=0.05,
                                  learning_rate_q=0.1, decay=0.01, rng=2)
    Q, V = _twin_semi_gradient(data, 0.9, loss, lam, 500, 0.05, 0.1, 0.01, np.random.default_rng(2))
    np.testing.assert_allclose(res.values, V, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.q_values, Q, rtol=1e-12, atol=1e-12)


def test_semi_gradient_approaches_the_exact_fixed_point():
    from mdps.sampling import sample_offline_data

    mdp, behavior, dO = _setup(9, S=3, A=2)
    data = sample_offline_data(mdp, dO, 5000, rng=3)
    stats = data.statistics
    mu = stats.counts / stats.counts.sum(axis=1, keepdims=True)
    empirical = DiscountedMDP(stats.empirical_transitions(), np.clip(stats.empirical_rewards(), 0, 1), 0.9,
                              np.full(3, 1 / 3))
    exact = D.fdvl_value_iteration(empirical, mu, loss="chi2", temperature=0.8).values
    res, trace = D.fdvl_semi_gradient(data, 0.9, loss="chi2", temperature=0.8, n_steps=400_000,
                                      learning_rate_v=0.05, learning_rate_q=0.05, decay=2e-4,
                                      record_every=100_000, rng=4)
    errors = np.max(np.abs(trace - exact), axis=1)
    # Robbins-Monro steps: the error shrinks and ends within 2% of the value scale (V ~ 5).
    assert errors[-1] < 0.1
    assert errors[-1] < errors[0]


def test_semi_gradient_policy_is_nan_on_states_without_data():
    from mdps.sampling import sample_offline_data

    mdp, _, dO = _setup(6, S=4, A=2)
    dO = dO.copy()
    dO[3] = 0.0
    dO /= dO.sum()
    data = sample_offline_data(mdp, dO, 200, rng=1)
    assert data.statistics.counts[3].sum() == 0
    res, _ = D.fdvl_semi_gradient(data, 0.9, n_steps=300, rng=2)
    assert np.all(np.isnan(res.policy[3]))
    np.testing.assert_allclose(res.policy[:3].sum(axis=1), 1.0)


def test_semi_gradient_reproducible_and_validated():
    from mdps.sampling import sample_offline_data

    mdp, _, dO = _setup(6, S=4, A=2)
    data = sample_offline_data(mdp, dO, 100, rng=1)
    a, _ = D.fdvl_semi_gradient(data, 0.9, n_steps=200, rng=5)
    b, _ = D.fdvl_semi_gradient(data, 0.9, n_steps=200, rng=5)
    np.testing.assert_array_equal(a.values, b.values)
    with pytest.raises(TypeError, match="data"):
        D.fdvl_semi_gradient("data", 0.9)
    with pytest.raises(ValueError, match="n_steps"):
        D.fdvl_semi_gradient(data, 0.9, n_steps=0)
    with pytest.raises(ValueError, match="learning_rate_q"):
        D.fdvl_semi_gradient(data, 0.9, learning_rate_q=-1.0)
    with pytest.raises(ValueError, match="initial_q"):
        D.fdvl_semi_gradient(data, 0.9, initial_q=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="gamma"):
        D.fdvl_semi_gradient(data, 1.0)


def test_gumbel_blows_up_where_the_polynomial_surrogates_do_not():
    q = EX_Q[0]
    n = 1000
    a = np.random.default_rng(0).choice(4, size=n, p=EX_MU[0])
    data = OfflineData(np.zeros(n, dtype=int), a, q[a], np.zeros(n, dtype=int), 1, 4)
    errs = {}
    for loss, t in (("gumbel", 1.0), ("chi2", 0.95)):
        target = D.implicit_maximum(EX_Q, EX_MU, loss=loss, temperature=t)[0]
        with np.errstate(over="ignore", invalid="ignore"):
            res, _ = D.fdvl_semi_gradient(data, 0.9, loss=loss, temperature=t, n_steps=300, learning_rate_v=0.1,
                                          learning_rate_q=0.0, initial_q=EX_Q, initial_values=[q.max() - 20.0], rng=1)
        errs[loss] = abs(res.values[0] - target)
    assert errs["chi2"] < 0.5
    assert not errs["gumbel"] < 100  # an exp(20) step: huge overshoot (or overflow to inf/nan)


# ------------------------------------------------------------------ ReCOIL

def test_recoil_recovers_expert_without_coverage_and_baseline_fails():
    prob = imitation_fork(3, 3, 0.9, coverage=0.0, rng=0)
    mdp = prob.mdp
    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    visited = dE.sum(axis=1) > 0
    assert dS[1:4].sum() == 0  # the suboptimal data never reach an expert state
    for beta in (0.2, 0.8):
        res = D.recoil(mdp, dE, dS, beta)
        np.testing.assert_allclose(res.policy[visited], prob.expert_policy[visited], atol=1e-3)
        assert res.objective == pytest.approx(0.0, abs=1e-8)
    base = D.coverage_baseline(mdp, dE, dS)
    assert np.sum((occupancy(mdp, base.policy) - dE) ** 2) > 0.1


def test_recoil_dual_q_value_is_minus_the_mixture_divergence():
    prob = imitation_fork(2, 2, 0.9, coverage=0.3, rng=1)
    mdp = prob.mdp
    S, A = mdp.n_states, mdp.n_actions
    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    beta = 0.4
    for pi in (prob.expert_policy, prob.suboptimal_policy):
        f = lambda x: D.recoil_dual_q_objective(mdp, dE, dS, x.reshape(S, A), pi, beta, "chi2")  # noqa: E731
        res = scipy.optimize.minimize(f, np.zeros(S * A), method="BFGS", options={"gtol": 1e-10})
        mix = beta * dE + (1 - beta) * dS
        p = beta * occupancy(mdp, pi) + (1 - beta) * dS
        chi2 = np.sum((p - mix)[mix > 0] ** 2 / mix[mix > 0])
        assert res.fun == pytest.approx(-chi2, abs=1e-7)


def test_recoil_critic_attains_minus_the_divergence():
    prob = imitation_fork(2, 2, 0.9, coverage=0.3, rng=1)
    mdp = prob.mdp
    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    beta = 0.4
    mix = beta * dE + (1 - beta) * dS
    for pi in (prob.expert_policy, prob.suboptimal_policy):
        Q = D.recoil_critic(mdp, dE, dS, pi, beta)
        p = beta * occupancy(mdp, pi) + (1 - beta) * dS
        chi2 = np.sum((p - mix)[mix > 0] ** 2 / mix[mix > 0])
        assert D.recoil_dual_q_objective(mdp, dE, dS, Q, pi, beta) == pytest.approx(-chi2, abs=1e-12)


def test_kl_zero_ratio_uses_the_documented_floor():
    prob = imitation_fork(2, 2, 0.9, coverage=0.0, rng=1)
    mdp = prob.mdp
    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    # pi = suboptimal policy: d^pi = d_S, so p = beta d_S + (1 - beta) d_S = d_S, which is 0 on the expert
    # branch where d_mix = beta d_E > 0: KL's f'(0) = -inf there.
    Q = D.recoil_critic(mdp, dE, dS, prob.suboptimal_policy, 0.5, "kl")
    assert np.all(np.isfinite(Q))
    div = D.DIVERGENCES["kl"]
    assert D._f_prime_of_ratio(div, np.array([0.0]))[0] == pytest.approx(np.log(D.RATIO_FLOOR) + 1.0)
    assert D._f_prime_of_ratio(D.DIVERGENCES["chi2"], np.array([0.0]))[0] == -2.0


def test_recoil_npg_converges_to_the_expert_and_baseline_does_not():
    prob = imitation_fork(3, 3, 0.9, coverage=0.0, rng=0)
    mdp = prob.mdp
    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    for divergence in ("chi2", "kl"):
        trace = D.recoil_npg(mdp, dE, dS, 0.5, divergence, n_iterations=60)
        assert trace.distances[-1] < 1e-8 < trace.distances[0]
    base = D.coverage_baseline_npg(mdp, dE, dS, n_iterations=60)
    exact = D.coverage_baseline(mdp, dE, dS)
    assert base.distances[-1] == pytest.approx(np.sum((occupancy(mdp, exact.policy) - dE) ** 2), abs=1e-4)
    assert base.distances[-1] > 0.1
    with pytest.raises(ValueError, match="set-valued"):
        D.recoil_npg(mdp, dE, dS, 0.5, "tv")
    with pytest.raises(ValueError, match="step_size"):
        D.recoil_npg(mdp, dE, dS, 0.5, step_size=0.0)


def test_recoil_bad_inputs():
    prob = imitation_fork(2, 2, 0.9, rng=1)
    dE = occupancy(prob.mdp, prob.expert_policy)
    with pytest.raises(ValueError, match="beta"):
        D.recoil(prob.mdp, dE, dE, beta=1.0)
    with pytest.raises(ValueError, match="suboptimal_occupancy"):
        D.recoil(prob.mdp, dE, dE * 0.5)
    with pytest.raises(ValueError, match="clip"):
        D.coverage_baseline(prob.mdp, dE, dE, clip=0.0)


def test_imitation_fork_validation():
    with pytest.raises(ValueError, match="n_actions"):
        imitation_fork(3, 1)
    with pytest.raises(ValueError, match="coverage"):
        imitation_fork(3, 2, coverage=1.0)


def test_a_cvxpy_solver_with_a_highs_method_is_refused_not_ignored():
    from mdps.instances import random_mdp
    from provable_rl.dual_rl import occupancy_lp, value_lp

    mdp = random_mdp(3, 2, 0.9, 0)
    for solve in (occupancy_lp, value_lp):
        with pytest.raises(ValueError, match="solver: a cvxpy solver is used only with method='cvxpy'"):
            solve(mdp, method="highs", solver="CLARABEL")
        with pytest.raises(TypeError, match="solver"):
            solve(mdp, method="cvxpy", solver=3)


# ------------------------------------------------------------------ ReCOIL and f-DVL from sampled data

def _fork_data(n_expert, n_suboptimal, seed):
    from mdps.sampling import sample_statistics

    prob = imitation_fork(3, 3, 0.9, coverage=0.0, rng=seed)
    mdp = prob.mdp
    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    rng = np.random.default_rng(seed)
    return prob, sample_statistics(mdp, dE, n_expert, rng), sample_statistics(mdp, dS, n_suboptimal, rng)


def test_recoil_from_data_imitates_the_expert_and_the_baseline_cannot():
    prob, expert, suboptimal = _fork_data(20_000, 100_000, 0)
    mdp = prob.mdp
    visited = occupancy(mdp, prob.expert_policy).sum(axis=1) > 0
    res = D.recoil_from_data(expert, suboptimal, mdp.initial, mdp.gamma, beta=0.5)
    np.testing.assert_allclose(res.policy[visited], prob.expert_policy[visited], atol=0.02)
    base = D.coverage_baseline_from_data(expert, suboptimal, mdp.initial, mdp.gamma)
    assert base.policy[0, 0] == 0.0  # action 0 of the start enters the expert branch, outside supp(d_S)


@pytest.mark.parametrize("seed, n_expert", [(0, 200), (3, 800), (5, 3200)])
def test_the_coverage_baseline_by_newton_is_cvxpy_optimum_to_its_accuracy(seed, n_expert):
    """The default (Newton on the dual) meets the flow to rounding, is the maximiser (its value is
    at least CLARABEL's up to CLARABEL's accuracy) and gives the same policy to that accuracy."""
    prob, expert, suboptimal = _fork_data(n_expert, 20 * n_expert, seed)
    mdp = prob.mdp
    newton = D.coverage_baseline_from_data(expert, suboptimal, mdp.initial, mdp.gamma)
    conic = D.coverage_baseline_from_data(expert, suboptimal, mdp.initial, mdp.gamma, solver="CLARABEL")
    model = D.empirical_imitation_model(expert, suboptimal, mdp.initial, mdp.gamma)
    M, rhs, cols = model.flow(model.suboptimal_occupancy > 0)
    np.testing.assert_allclose(M @ newton.occupancy.reshape(-1)[cols], rhs, rtol=0, atol=1e-13)
    assert newton.objective >= conic.objective - 1e-7
    np.testing.assert_allclose(newton.policy, conic.policy, atol=1e-3)


def test_recoil_from_data_on_exact_data_is_the_exact_recoil():
    """With the counts proportional to d_E, d_S and the exact transition counts, the empirical problem is recoil's."""
    from mdps.data import SufficientStatistics

    prob = imitation_fork(3, 3, 0.9, coverage=0.2, rng=2)
    mdp = prob.mdp
    scale = 2.0 ** 40

    def stats(d):
        counts = np.round(d * scale)
        transitions = counts[..., None] * mdp.P
        return SufficientStatistics(counts.astype(np.int64), np.zeros_like(counts), np.round(transitions).astype(np.int64))

    dE, dS = occupancy(mdp, prob.expert_policy), occupancy(mdp, prob.suboptimal_policy)
    res = D.recoil_from_data(stats(dE), stats(dS), mdp.initial, mdp.gamma, beta=0.3)
    np.testing.assert_allclose(res.occupancy, D.recoil(mdp, dE, dS, 0.3).occupancy, atol=1e-6)


def test_empirical_imitation_model_validation():
    prob, expert, suboptimal = _fork_data(50, 50, 1)
    with pytest.raises(TypeError, match="expert_data"):
        D.empirical_imitation_model(np.zeros((7, 3)), suboptimal, prob.mdp.initial, 0.9)
    with pytest.raises(ValueError, match="initial"):
        D.empirical_imitation_model(expert, suboptimal, np.ones(7), 0.9)
    with pytest.raises(ValueError, match="suboptimal_data"):
        from mdps.sampling import sample_statistics

        small = imitation_fork(2, 3, 0.9, rng=1).mdp  # 5 states, not 7
        bad = sample_statistics(small, np.full((5, 3), 1 / 15), 50, rng=1)
        D.empirical_imitation_model(expert, bad, prob.mdp.initial, 0.9)
    with pytest.raises(ValueError, match="beta"):
        D.recoil_from_data(expert, suboptimal, prob.mdp.initial, 0.9, beta=1.0)


def test_sampled_v_step_descent_reaches_the_sampled_minimiser_and_xql_overflows():
    rng = np.random.default_rng(0)
    q_values = np.array([[1.0, 2.0, 3.5, 0.5]])
    mu = np.array([[0.4, 0.3, 0.1, 0.2]])
    actions = rng.choice(4, size=400, p=mu[0])
    states = np.zeros(400, dtype=int)
    mu_hat = np.bincount(actions, minlength=4)[None] / 400.0
    for loss in ("tv", "chi2"):
        trace = D.implicit_maximum_descent(states, q_values[0, actions], 1, loss=loss, temperature=0.95, n_steps=4000)
        target = D.implicit_maximum(q_values, mu_hat, loss=loss, temperature=0.95)
        assert abs(trace[-1, 0] - target[0]) < 0.05
    with np.errstate(over="ignore", invalid="ignore"):
        xql = D.implicit_maximum_descent(states, q_values[0, actions], 1, loss="gumbel", temperature=0.001, n_steps=10)
    assert not np.all(np.isfinite(xql))  # nothing clipped: the overflow is visible


def test_sampled_v_step_validation():
    with pytest.raises(ValueError, match="states"):
        D.implicit_maximum_descent([0, 3], [1.0, 2.0], 2)
    with pytest.raises(ValueError, match="q_samples"):
        D.implicit_maximum_descent([0, 1], [1.0], 2)
    with pytest.raises(ValueError, match="temperature"):
        D.implicit_maximum_descent([0, 1], [1.0, 2.0], 2, loss="tv", temperature=0.4)
    with pytest.raises(ValueError, match="decay"):
        D.implicit_maximum_descent([0, 1], [1.0, 2.0], 2, decay=-1.0)
    with pytest.raises(ValueError, match="values"):
        D.implicit_loss_gradient([0.0], [0, 1], [1.0, 2.0], 2)
