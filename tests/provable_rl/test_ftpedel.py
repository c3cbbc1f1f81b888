"""PEDEL / FTPedel algorithms: exact statistics, the design solver against cvxpy and brute force,
complexity measures, sampling laws, the end-to-end algorithm, and bad input."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mdps import expected_return, one_hot_linear_mdp, sample_episodes
from mdps.core import LinearMDP
from mdps.instances.ftpedel import arm_policies, bandit_linear_mdp, competitor_bandit, ft_x1, ft_x2
from mdps.instances.random import random_finite_horizon_mdp, random_linear_mdp
from provable_rl import ftpedel as ft


@pytest.fixture(scope="module")
def small_mdp():
    return random_linear_mdp(n_states=3, n_actions=2, dim=3, horizon=2, rng=1)


@pytest.fixture(scope="module")
def tabular():
    mdp = one_hot_linear_mdp(random_finite_horizon_mdp(2, 2, 2, rng=3))
    return mdp, ft.policy_class(mdp, ft.all_deterministic_policies(mdp))


# ------------------------------------------------------------------------------------------
# Exact statistics of a policy class
# ------------------------------------------------------------------------------------------

def test_values_match_exact_policy_evaluation(small_mdp):
    pols = ft.all_deterministic_policies(small_mdp)
    pc = ft.policy_class(small_mdp, pols)
    assert len(pc) == 2 ** 6
    exact = [expected_return(small_mdp, p) for p in pols]
    np.testing.assert_allclose(pc.values, exact, atol=1e-12)
    assert pc.gaps.min() == 0 and pc.gaps[pc.best] == 0
    np.testing.assert_allclose(pc.values[pc.best], expected_return(small_mdp, small_mdp.tabular.optimal_policy))


def test_visitations_and_covariances_match_monte_carlo(small_mdp):
    pol = ft.sampled_policies(small_mdp, 3, rng=0)[1]
    pc = ft.policy_class(small_mdp, pol[None])
    data = sample_episodes(small_mdp, pol, 40_000, rng=5)
    for h in range(small_mdp.horizon):
        feats = small_mdp.features[data.s[data.h == h], data.a[data.h == h]]
        np.testing.assert_allclose(feats.mean(0), pc.visitations[0, h], atol=0.01)
        np.testing.assert_allclose(feats.T @ feats / len(feats), pc.covariances[0, h], atol=0.01)
    np.testing.assert_allclose(ft.policy_covariance(small_mdp, pol, 1), pc.covariances[0, 1], atol=1e-12)


def test_one_hot_visitations_are_occupancies(tabular):
    mdp, pc = tabular
    occ = pc.occupancies.reshape(len(pc), mdp.horizon, -1)
    np.testing.assert_allclose(pc.visitations, occ, atol=1e-12)
    np.testing.assert_allclose(pc.covariances[:, 1], np.stack([np.diag(o) for o in occ[:, 1]]), atol=1e-12)


def test_sampled_policies_are_distinct_and_start_with_the_optimum(small_mdp):
    pols = ft.sampled_policies(small_mdp, 10, rng=2)
    assert len({p.tobytes() for p in pols}) == 10
    np.testing.assert_array_equal(pols[0], small_mdp.tabular.optimal_policy)
    np.testing.assert_array_equal(pols, ft.sampled_policies(small_mdp, 10, rng=2))


# ------------------------------------------------------------------------------------------
# The design solver
# ------------------------------------------------------------------------------------------

def test_best_response_matches_brute_force(small_mdp):
    pc = ft.policy_class(small_mdp, ft.all_deterministic_policies(small_mdp))
    rng = np.random.default_rng(0)
    for h in range(small_mdp.horizon):
        B = rng.standard_normal((3, 3))
        M = B @ B.T
        pol, cov, val = ft.best_response_policy(small_mdp, h, M)
        brute = np.einsum("nij,ij->n", pc.covariances[:, h], M)
        assert val == pytest.approx(brute.max(), rel=1e-12)
        np.testing.assert_allclose(cov, ft.policy_covariance(small_mdp, pol, h), atol=1e-12)


def test_design_objective_is_the_matrix_fractional_form():
    rng = np.random.default_rng(1)
    B = rng.standard_normal((4, 4))
    D, L = B @ B.T, np.diag(rng.random(4))
    V, g = rng.standard_normal((3, 4)), rng.random(3) + 0.5
    q = ft.design_objective(D, V, g, 7.0, offline_covariance=L, regularizer=0.1)
    A = 7.0 * D + L + 0.1 * np.eye(4)
    np.testing.assert_allclose(q, [v @ np.linalg.solve(A, v) / s ** 2 for v, s in zip(V, g)], rtol=1e-12)


@pytest.mark.parametrize("offline", [False, True])
def test_frank_wolfe_matches_cvxpy(offline):
    """DP oracle over all policies vs cvxpy over every deterministic policy's covariance."""
    small_mdp = random_linear_mdp(n_states=2, n_actions=2, dim=3, horizon=2, rng=4)
    pc = ft.policy_class(small_mdp, ft.all_deterministic_policies(small_mdp))
    h = 1
    chosen = np.arange(0, len(pc), 2)
    V = pc.visitations[chosen, h] - pc.visitations[pc.best, h]
    keep = np.linalg.norm(V, axis=1) > 1e-9
    V, g = V[keep], np.maximum(pc.gaps[chosen][keep], 0.05)
    L = np.diag([3.0, 0.0, 1.0]) if offline else None
    fw = ft.frank_wolfe_design(V, g, 50.0, mdp=small_mdp, step=h, offline_covariance=L, rtol=1e-4)
    cx = ft.cvxpy_design(V, g, 50.0, pc.covariances[:, h], offline_covariance=L)
    assert fw.value >= cx.value * (1 - 1e-4)       # cvxpy's optimum is the optimum
    assert fw.value <= cx.value * (1 + 0.01)       # Frank-Wolfe within 1%
    q = ft.design_objective(fw.covariance, V, g, 50.0, offline_covariance=L)
    assert q.max() == pytest.approx(fw.value, rel=1e-9)
    assert np.isclose(fw.weights.sum(), 1.0) and np.all(fw.weights > 0)


def test_dp_start_split_is_the_uniform_design_and_stays_certified():
    """The DP solver's cold start: the uniform policy's covariance is the average of its parts
    ("uniform, but action a at step h"), and on FT-X1 with partial offline data (where the block is
    split) the result agrees with cvxpy within the certificate, which stays honest."""
    mdp = random_linear_mdp(n_states=3, n_actions=3, dim=4, horizon=3, rng=5)
    h = 1
    parts = np.repeat(ft.uniform_policy(mdp)[None], 3, axis=0)
    parts[:, h] = np.eye(3)[:, None, :]
    uniform = ft.policy_covariance(mdp, ft.uniform_policy(mdp), h)
    np.testing.assert_allclose(np.mean([ft.policy_covariance(mdp, p, h) for p in parts], axis=0), uniform,
                               rtol=1e-12, atol=1e-15)

    x1 = ft_x1(8, 0.1)
    pc = ft.policy_class(x1.mdp, x1.policies)
    V, g = pc.visitations[1:, 0] - pc.visitations[0, 0], pc.gaps[1:]
    L = np.diag(np.arange(8) * 30.0)
    fw = ft.frank_wolfe_design(V, g, 1000.0, mdp=x1.mdp, step=0, offline_covariance=L, rtol=0.01)
    cx = ft.cvxpy_design(V, g, 1000.0, pc.covariances[:, 0], offline_covariance=L)
    assert fw.duality_gap <= 0.01
    assert cx.value * (1 - 1e-4) <= fw.value <= cx.value * (1 + 0.01)
    assert fw.value / (1 + fw.duality_gap) <= cx.value * (1 + 1e-4)   # the lower bound is a lower bound
    q = ft.design_objective(fw.covariance, V, g, 1000.0, offline_covariance=L)
    assert q.max() == pytest.approx(fw.value, rel=1e-9)
    assert fw.policies.shape[1:] == (1, 1, 8) and np.allclose(fw.policies.sum(-1), 1.0)
    for policy, cov in zip(fw.policies, fw.covariances):
        np.testing.assert_allclose(cov, ft.policy_covariance(x1.mdp, policy, 0), rtol=1e-12, atol=1e-15)


def test_frank_wolfe_explicit_xy_allocation_closed_form():
    d = 8
    covs = np.stack([np.diag(e) for e in np.eye(d)])
    V = np.eye(d)[1:] - np.eye(d)[0]
    design = ft.frank_wolfe_design(V, np.ones(d - 1), 1.0, covariances=covs, rtol=1e-4)
    assert design.value == pytest.approx((math.sqrt(d - 1) + 1) ** 2, rel=2e-3)
    assert design.duality_gap <= 1e-3


def test_minimum_episodes_is_tight(tabular):
    mdp, pc = tabular
    V = pc.visitations[:, 1] - pc.visitations[pc.best, 1]
    g = np.maximum(pc.gaps, 0.05)
    L = np.diag([5.0, 0, 20.0, 1.0])
    res = ft.minimum_episodes(V, g, 0.2, mdp=mdp, step=1, offline_covariance=L)
    assert res.design.value <= 0.2
    # Slightly fewer episodes cannot meet the tolerance whatever the design (cvxpy optimum).
    below = ft.cvxpy_design(V, g, res.n_episodes * 0.97, pc.covariances[:, 1], offline_covariance=L)
    assert below.value > 0.2
    assert ft.minimum_episodes(V, g, 0.2, mdp=mdp, step=1, offline_covariance=1e9 * np.eye(4)).n_episodes == 0.0


def test_uniform_design_costs_more(tabular):
    mdp, pc = tabular
    V = pc.visitations[:, 1] - pc.visitations[pc.best, 1]
    g = np.maximum(pc.gaps, 0.05)
    best = ft.minimum_episodes(V, g, 0.1, mdp=mdp, step=1).n_episodes
    uniform = ft.minimum_episodes(V, g, 0.1, mdp=mdp, step=1, design="uniform").n_episodes
    assert uniform >= best


@settings(max_examples=4)
@given(st.integers(0, 10_000), st.floats(0.0, 50.0), st.floats(0.0, 50.0))
def test_ftpedel_complexity_is_monotone_in_offline_data(seed, extra, base):
    mdp = bandit_linear_mdp([0.6, 0.5, 0.45, 0.3], reward_std=1.0)
    pc = ft.policy_class(mdp, arm_policies(4))
    rng = np.random.default_rng(seed)
    small = np.diag(base * rng.random(4))[None]
    large = small + np.diag(extra * rng.random(4))[None]
    n_small = ft.ftpedel_complexity(mdp, pc, epsilon=0.01, beta=3.0, offline_covariances=small).n_episodes
    n_large = ft.ftpedel_complexity(mdp, pc, epsilon=0.01, beta=3.0, offline_covariances=large).n_episodes
    assert n_large <= n_small * 1.02 + 1e-9


def test_complexity_measures_on_ft_x1():
    inst = ft_x1(4, 0.1)
    pc = ft.policy_class(inst.mdp, inst.policies)
    beta = math.log(20)
    online = ft.online_complexity(inst.mdp, pc, epsilon=1e-3, beta=beta).n_episodes
    assert online == pytest.approx(beta * (math.sqrt(3) + 1) ** 2 / 0.01, rel=0.01)
    lower = ft.verifiable_lower_bound(inst.mdp, pc, epsilon=1e-3, beta=beta).n_episodes
    assert lower <= online
    pedel = ft.pedel_complexity(inst.mdp, pc, epsilon=1e-3, beta=beta).n_episodes
    assert pedel > 0
    raw = ft.online_complexity(inst.mdp, pc, epsilon=1e-3, beta=beta, targets="raw").n_episodes
    assert raw > 0


# ------------------------------------------------------------------------------------------
# Sampling and the algorithm
# ------------------------------------------------------------------------------------------

def test_collect_step_has_the_law_of_rollouts(small_mdp):
    """Multinomial step-h statistics against the statistics of real rollouts (mdps.sampling)."""
    pol = ft.sampled_policies(small_mdp, 2, rng=4)[1]
    n = 30_000
    stats = ft.collect_step(small_mdp, pol[None], [n], 1, rng=0)
    assert stats.counts[0].sum() == 0 and stats.counts[1].sum() == n
    data = sample_episodes(small_mdp, pol, n, rng=1)
    at = data.h == 1
    rollout = np.zeros((small_mdp.n_states, small_mdp.n_actions, small_mdp.n_states))
    np.add.at(rollout, (data.s[at], data.a[at], data.s_next[at]), 1)
    np.testing.assert_allclose(stats.counts[1] / n, rollout / n, atol=0.015)
    R = small_mdp.tabular.R[1]
    n_sa = stats.pair_counts[1]
    seen = n_sa > 500
    np.testing.assert_allclose(stats.reward_sums[1][seen] / n_sa[seen], R[seen], atol=0.05)


def test_offline_statistics_and_covariances():
    inst = ft_x1(4, 0.1, n_offline=50)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    np.testing.assert_array_equal(off.pair_counts, inst.offline_counts)
    np.testing.assert_allclose(off.covariances(inst.mdp), inst.offline_covariances)


def test_ftpedel_is_reproducible_and_correct_on_ft_x1():
    inst = ft_x1(4, 0.2)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    a = ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, offline=off, rng=7)
    b = ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, offline=off, rng=7)
    assert a.policy_index == b.policy_index == 0 and a.online_episodes == b.online_episodes
    assert a.online_episodes == int(a.episodes_per_round.sum())
    without = ft.pedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, rng=7)
    assert without.policy_index == 0 and without.online_episodes > a.online_episodes


def test_ftpedel_on_a_tabular_mdp_estimates_values(tabular):
    mdp, pc = tabular
    off = ft.sample_offline_statistics(mdp, np.full((2, 2, 2), 10 ** 7), rng=1)
    res = ft.ftpedel(mdp, pc.policies, epsilon=0.2, delta=0.1, offline=off, rng=2)
    assert res.online_episodes == 0
    alive = ~np.isnan(res.value_estimates)
    np.testing.assert_allclose(res.value_estimates[alive], pc.values[alive], atol=5e-3)
    assert pc.gaps[res.policy_index] <= 0.2


def test_pedel_runs_online_on_a_tabular_mdp(tabular):
    mdp, pc = tabular
    res = ft.pedel(mdp, pc.policies, epsilon=0.3, delta=0.1, rng=3)
    assert res.online_episodes > 0 and pc.gaps[res.policy_index] <= 0.3
    uni = ft.pedel(mdp, pc.policies, epsilon=0.3, delta=0.1, rng=3, design="uniform")
    assert pc.gaps[uni.policy_index] <= 0.3


def test_pessimism_picks_the_expert_arm():
    inst = ft_x2(6, 0.1)
    pc = ft.policy_class(inst.mdp, inst.policies)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    assert ft.pessimistic_choice(inst.mdp, pc, off, beta=3.0) == 0


def test_confidence_radius_drops_h4_by_default():
    base = ft.confidence_radius(2, horizon=3, n_policies=10, delta=0.1)
    assert base == pytest.approx(math.log(2 * 3 * 10 * 4 / 0.1))
    assert ft.confidence_radius(2, horizon=3, n_policies=10, delta=0.1, radius_constant=3 ** 4) == pytest.approx(81 * base)


# ------------------------------------------------------------------------------------------
# Instances and bad input
# ------------------------------------------------------------------------------------------

def test_instances():
    x1, x2 = ft_x1(5, 0.1), ft_x2(5, 0.1)
    assert isinstance(x1.mdp, LinearMDP) and x1.mdp.dim == 5 and x1.mdp.horizon == 1
    np.testing.assert_allclose(np.diag(x1.offline_covariances[0]), [0, 1e6, 1e6, 1e6, 1e6])
    np.testing.assert_allclose(np.diag(x2.offline_covariances[0]), [1e6, 0, 0, 0, 0])
    comp = competitor_bandit(6, 0.1, far_gap=0.4)
    np.testing.assert_allclose(comp.mdp.theta[0], [0.6, 0.5, 0.2, 0.2, 0.2, 0.2])


@pytest.mark.parametrize("call, match", [
    (lambda: ft_x1(1, 0.1), "n_arms"),
    (lambda: ft_x1(4, 0.9), "gap"),
    (lambda: ft_x1(4, -0.1), "gap"),
    (lambda: competitor_bandit(4, 0.1, far_gap=0.05), "far_gap"),
    (lambda: bandit_linear_mdp([0.5]), "means"),
])
def test_instances_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_input_raises(small_mdp):
    inst = ft_x1(4, 0.1)
    pc = ft.policy_class(inst.mdp, inst.policies)
    V, g = np.eye(4)[1:] - np.eye(4)[0], np.ones(3)
    covs = np.stack([np.diag(e) for e in np.eye(4)])
    cases = [
        (lambda: ft.ftpedel(inst.mdp, inst.policies, epsilon=0, delta=0.1), "epsilon"),
        (lambda: ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=1.5), "delta"),
        (lambda: ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, targets="x"), "targets"),
        (lambda: ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, design="x"), "design"),
        (lambda: ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, growth=1.0), "growth"),
        (lambda: ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, radius_constant=-1), "radius_constant"),
        (lambda: ft.ftpedel(inst.mdp, np.zeros((2, 2, 2), int), epsilon=0.1, delta=0.1), "policies"),
        (lambda: ft.ftpedel(inst.mdp, np.full((2, 1, 1), 9), epsilon=0.1, delta=0.1), "policies"),
        (lambda: ft.frank_wolfe_design(V, g, 1.0), "covariances, mdp"),
        (lambda: ft.frank_wolfe_design(V, g, 1.0, covariances=covs, mdp=inst.mdp, step=0), "covariances, mdp"),
        (lambda: ft.frank_wolfe_design(V, -g, 1.0, covariances=covs), "scales"),
        (lambda: ft.frank_wolfe_design(V, g, 0.0, covariances=covs), "n_episodes"),
        (lambda: ft.frank_wolfe_design(V, g, 1.0, mdp=inst.mdp, step=3), "step"),
        (lambda: ft.frank_wolfe_design(V, g, 1.0, covariances=covs, offline_covariance=-np.eye(4)), "offline_covariance"),
        (lambda: ft.frank_wolfe_design(np.zeros((0, 4)), [], 1.0, covariances=covs), "targets"),
        (lambda: ft.minimum_episodes(V, g, 0.0, covariances=covs), "tolerance"),
        (lambda: ft.minimum_episodes(V, g, 1.0, covariances=covs, design="x"), "design"),
        (lambda: ft.ftpedel_complexity(inst.mdp, pc, epsilon=-1, beta=1.0), "epsilon"),
        (lambda: ft.ftpedel_complexity(inst.mdp, pc, epsilon=0.1, beta=1.0, offline_covariances=np.eye(4)), "offline_covariances"),
        (lambda: ft.sampled_policies(small_mdp, 10 ** 6), "n_policies"),
        (lambda: ft.all_deterministic_policies(small_mdp, max_policies=3), "max_policies"),
        (lambda: ft.sample_offline_statistics(inst.mdp, np.ones((2, 1, 4), int)), "pair_counts"),
        (lambda: ft.collect_step(inst.mdp, inst.policies, [1, 2], 0), "n_episodes"),
        (lambda: ft.best_response_policy(inst.mdp, 0, np.eye(3)), "matrix"),
    ]
    for call, match in cases:
        with pytest.raises(ValueError, match=match):
            call()
    with pytest.raises(TypeError, match="mdp"):
        ft.policy_class(inst.mdp.tabular, inst.policies)
    with pytest.raises(TypeError, match="offline"):
        ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, offline=np.zeros(3))


def test_unreachable_targets_raise():
    covs = np.diag([1.0, 0.0])[None]
    with pytest.raises(ValueError, match="tolerance"):
        ft.minimum_episodes(np.array([[0.0, 1.0]]), [1.0], 1e-3, covariances=covs, max_episodes=1e6)


def test_fixed_point_agrees_with_plain_bisection(tabular):
    mdp, pc = tabular
    for h in (mdp.horizon - 1,):  # the later step: its targets depend on the dynamics
        V = pc.visitations[:, h] - pc.visitations[pc.best, h]
        g = np.maximum(pc.gaps, 0.05)
        L = np.diag([30.0, 0.0, 5.0, 60.0])
        fixed = ft.minimum_episodes(V, g, 0.05, mdp=mdp, step=h, offline_covariance=L)
        bisect = ft.minimum_episodes(V, g, 0.05, mdp=mdp, step=h, offline_covariance=L, method="bisection")
        assert fixed.n_episodes == pytest.approx(bisect.n_episodes, rel=0.02)
        assert bisect.lower < bisect.n_episodes and bisect.design.value <= 0.05
    with pytest.raises(ValueError, match="method"):
        ft.minimum_episodes(V, g, 0.05, mdp=mdp, step=0, method="newton")


def test_broken_variants_are_not_public_options():
    import inspect

    public = set(inspect.signature(ft.ftpedel).parameters) | set(inspect.signature(ft.pedel).parameters)
    knobs = {"elimination_factor", "offline_in_design", "offline_in_verification", "offline_normalised",
             "pool_offline", "round_shift", "schedule_shift", "verify", "radius_log_delta", "next_step", "record",
             "plugin_verify", "plugin_freeze_round", "plugin_step_offset", "plugin_freeze_design"}
    assert not public & knobs
    assert knobs <= set(inspect.signature(ft._ftpedel).parameters)


def test_recording_the_certificate_changes_nothing():
    from mdps.instances.ftpedel import random_linear_family

    inst = random_linear_family(5, epsilon=0.1)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=1)
    args = (inst.mdp, inst.policies, 0.1, 0.1, off)
    tail = ("difference", 1.0, 1e-3, "optimal", 1.25, 1e9)
    public = ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, offline=off, rng=2)
    record = []
    private = ft._ftpedel(*args, np.random.default_rng(2), *tail, record=record)
    assert (private.policy_index, private.online_episodes) == (public.policy_index, public.online_episodes)
    np.testing.assert_array_equal(private.episodes_per_round, public.episodes_per_round)
    assert [r["round"] for r in record] == list(range(1, public.rounds + 1))
    assert sum(int(s["online_pair_counts"].sum()) for r in record for s in r["steps"]) == public.online_episodes
    for r in record:
        assert r["eps"] == 2.0 ** -r["round"] and len(r["steps"]) == inst.mdp.horizon
        assert r["estimates"].shape == r["survivors"].shape and set(r["kept"]) <= set(r["survivors"])


def test_random_linear_family_is_genuinely_linear_and_built_around_epsilon():
    from mdps.instances.ftpedel import random_linear_family

    eps = 0.1
    inst = random_linear_family(0, epsilon=eps, n_policies=8)
    mdp = inst.mdp
    assert mdp.dim < mdp.n_states * mdp.n_actions and mdp.horizon == 2
    assert np.all(mdp.tabular.P.max(axis=-1) < 1)            # stochastic transitions
    pc = ft.policy_class(mdp, inst.policies)
    assert len(pc) == 8 and len({p.tobytes() for p in inst.policies}) == 8
    gaps = np.sort(pc.gaps)
    assert gaps[0] == 0 and 0 < gaps[1] < eps / 2
    assert np.sum((pc.gaps > eps) & (pc.gaps < 2 * eps)) >= 2
    best = ft.policy_class(mdp, ft.all_deterministic_policies(mdp)).values.max()
    assert np.isclose(pc.values.max(), best)                 # the class holds the optimal policy
    assert inst.offline_counts[:, :, 0].min() > 0 and inst.offline_counts[:, :, 1:].sum() == 0
    again = random_linear_family(0, epsilon=eps, n_policies=8)
    np.testing.assert_array_equal(again.policies, inst.policies)
    with pytest.raises(ValueError, match="n_policies"):
        random_linear_family(0, n_policies=3)


def test_frank_wolfe_rejects_a_bad_warm_start():
    covs = np.stack([np.diag(e) for e in np.eye(3)])
    V = np.array([[1.0, -1.0, 0.0]])
    with pytest.raises(TypeError, match="initial"):
        ft.frank_wolfe_design(V, np.ones(1), 1.0, covariances=covs, initial="uniform")
    other = ft.frank_wolfe_design(np.ones((1, 2)), np.ones(1), 1.0, covariances=np.stack([np.eye(2)]))
    with pytest.raises(ValueError, match="initial"):
        ft.frank_wolfe_design(V, np.ones(1), 1.0, covariances=covs, initial=other)


def test_plugin_design_is_reproducible_verified_and_leaves_the_oracle_default_unchanged():
    from mdps.instances.ftpedel import random_linear_family

    inst = random_linear_family(5, epsilon=0.1)
    off = ft.sample_offline_statistics(inst.mdp, inst.offline_counts, rng=1)
    kw = dict(epsilon=0.1, delta=0.1, offline=off)
    default = ft.ftpedel(inst.mdp, inst.policies, rng=2, **kw)
    oracle = ft.ftpedel(inst.mdp, inst.policies, rng=2, design_model="oracle", **kw)
    assert (default.policy_index, default.online_episodes) == (oracle.policy_index, oracle.online_episodes)
    plug = ft.ftpedel(inst.mdp, inst.policies, rng=3, design_model="plugin", **kw)
    again = ft.ftpedel(inst.mdp, inst.policies, rng=3, design_model="plugin", **kw)
    assert (plug.policy_index, plug.online_episodes) == (again.policy_index, again.online_episodes)
    pc = ft.policy_class(inst.mdp, inst.policies)
    assert pc.gaps[plug.policy_index] <= 0.1 and plug.online_episodes > 0
    record = []
    ft._ftpedel(inst.mdp, inst.policies, 0.1, 0.1, off, np.random.default_rng(3), "difference", 1.0, 1e-3,
                "optimal", 1.25, 1e9, design_model="plugin", record=record)
    assert all(s["objective"] <= r["tolerance"] for r in record for s in r["steps"])
    assert ft.pedel(inst.mdp, inst.policies, epsilon=0.2, delta=0.1, rng=0, design_model="plugin").online_episodes > 0
    with pytest.raises(ValueError, match="design_model"):
        ft.ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, design_model="true")


def test_estimated_transitions_are_a_kernel_and_consistent():
    from mdps.instances.random import random_linear_mdp

    mdp = random_linear_mdp(n_states=4, n_actions=2, dim=3, horizon=2, rng=0)
    counts = np.random.default_rng(0).multinomial(10 ** 6, mdp.tabular.P[0].reshape(-1, 4)[0])  # (s, a) = (0, 0)
    many = np.zeros((4, 2, 4), dtype=np.int64)
    many[0, 0] = counts
    P = ft._estimated_transitions(mdp, many, 1e-3)
    np.testing.assert_allclose(P.sum(-1), 1.0)
    assert P.min() >= 0
    full = np.rint(1e6 * mdp.tabular.P[0]).astype(np.int64)    # every pair, exact frequencies
    np.testing.assert_allclose(ft._estimated_transitions(mdp, full, 1e-3), mdp.tabular.P[0], atol=1e-3)
    # No data: the uniform next state (the ridge estimate is 0 everywhere).
    np.testing.assert_allclose(ft._estimated_transitions(mdp, np.zeros_like(full), 1e-3), 0.25)


def test_routing_mdp():
    from mdps.instances.ftpedel import routing_mdp

    inst = routing_mdp(n_rooms=4, near_gap=0.05, far_gap=0.2, leak=0.1)
    pc = ft.policy_class(inst.mdp, inst.policies)
    np.testing.assert_allclose(pc.gaps, [0, 0.05, 0.2, 0.2], atol=1e-12)
    P0 = inst.mdp.tabular.P[0, 0]                                # from the start state, action a
    np.testing.assert_allclose(P0[:, 1:].diagonal(), 0.9) and np.testing.assert_allclose(P0[:, 0], 0.0)
    assert np.all(inst.mdp.tabular.P[1, 1:, :, 0] == 1.0) and inst.offline_counts.sum() == 0
    for kwargs, match in [({"n_rooms": 2}, "n_rooms"), ({"far_gap": 0.01}, "far_gap"), ({"leak": 0.9}, "leak"),
                          ({"far_gap": 0.9}, "far_gap"), ({"near_gap": 0}, "near_gap")]:
        with pytest.raises(ValueError, match=match):
            routing_mdp(**kwargs)
