"""Tests of provable_rl.hnpg: sampling kernel twins and laws, HPE, HAC, HNPG, exact NPG, bad input."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdps.instances.hnpg import aliased_features, aliased_trap, linear_lock, lock_problem, reset_occupancy
from mdps.instances.random import random_mdp
from mdps.planning import occupancy, policy_evaluation, policy_q_values
from provable_rl.hnpg import (
    _round_kernel,
    _tabular_hpe_kernel,
    _tabular_hpe_numpy,
    absorbing_states,
    deterministic_next,
    hac,
    hnpg,
    hybrid_policy_evaluation,
    mirror_descent_step,
    npg_exact,
    population_hpe,
    sample_round,
    softmax_policy,
)
from mdps.sampling import cdf


# ----------------------------------------------------------------------------- twins

def _round_python(P_cdf, R, pi_cdf, reset_cdf, nu_cdf, gamma, n_on, n_off, absorbing, det_next, rng):
    """Slow pure-python twin of the Numba round kernel (Bernoulli rewards), same random stream."""
    S, A = R.shape
    draw = lambda row, u: int(np.searchsorted(row, u, side="right"))  # noqa: E731
    log_g = np.log(gamma)
    geometric = lambda u: int(np.floor(np.log(1.0 - u) / log_g))  # noqa: E731

    def reward(mean):
        if mean <= 0:
            return 0.0
        if mean >= 1:
            return 1.0
        return 1.0 if rng.random() < mean else 0.0

    def step(s, a):
        return int(det_next[s, a]) if det_next[s, a] >= 0 else draw(P_cdf[s, a], rng.random())

    on = []
    steps = 0
    for _ in range(n_on):
        k = draw(reset_cdf, rng.random())
        s, a = divmod(k, A)
        h = geometric(rng.random())
        for _ in range(h):
            if absorbing[s]:
                a = draw(pi_cdf[s], rng.random())
                break
            s = step(s, a)
            a = draw(pi_cdf[s], rng.random())
        s_out, a_out = s, a
        more = geometric(rng.random())
        y = reward(R[s, a])
        for j in range(more):
            if absorbing[s]:
                y += (more - j) * R[s, 0]
                break
            s = step(s, a)
            a = draw(pi_cdf[s], rng.random())
            y += reward(R[s, a])
        on.append((s_out, a_out, y))
        steps += h + more + 1
    off = []
    for _ in range(n_off):
        k = draw(nu_cdf, rng.random())
        s, a = divmod(k, A)
        r = reward(R[s, a])
        off.append((s, a, r, step(s, a)))
    return on, off, steps


@pytest.mark.parametrize("which", ["random", "lock"])
def test_round_kernel_matches_python_twin(which):
    if which == "random":
        mdp = random_mdp(5, 3, 0.7, 1)
        nu = np.random.default_rng(2).dirichlet(np.ones(15)).reshape(5, 3)
        reset = np.full((5, 3), 1 / 15)
    else:
        lock = lock_problem(4, 3, 0.8, 3)
        mdp, nu, reset = lock.mdp, lock.offline_distribution, lock.reset
    pi = softmax_policy(np.random.default_rng(4).standard_normal((mdp.n_states, mdp.n_actions)))
    args = (cdf(mdp.P), mdp.R, cdf(pi), cdf(reset.reshape(-1)), cdf(nu.reshape(-1)), mdp.gamma, 60, 40)
    absorbing, det_next = absorbing_states(mdp), deterministic_next(mdp)
    out = _round_kernel(*args, False, 0.1, absorbing, det_next, np.random.default_rng(7))
    on, off, steps = _round_python(*args, absorbing, det_next, np.random.default_rng(7))
    np.testing.assert_array_equal(out[0], [o[0] for o in on])
    np.testing.assert_array_equal(out[1], [o[1] for o in on])
    np.testing.assert_allclose(out[2], [o[2] for o in on], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out[3], [o[0] for o in off])
    np.testing.assert_array_equal(out[4], [o[1] for o in off])
    np.testing.assert_array_equal(out[5], [o[2] for o in off])
    np.testing.assert_array_equal(out[6], [o[3] for o in off])
    assert out[7] == steps


def test_absorbing_states_and_deterministic_transitions():
    lock = lock_problem(3, 4, 0.8, 0)
    np.testing.assert_array_equal(absorbing_states(lock.mdp), [False, False, False, True, True])
    nxt = deterministic_next(lock.mdp)
    assert nxt[0, lock.good_actions[0]] == 1 and nxt[2, lock.good_actions[2]] == 3 and np.all(nxt[4] == 4)
    assert np.all(deterministic_next(random_mdp(3, 2, 0.5, 0)) == -1)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_on_policy_samples_have_the_right_law(backend):
    """(s, a) ~ d^pi and E[y | s, a] = Q^pi (see :ref:`hnpg-sampling`), for both samplers."""
    mdp = random_mdp(4, 2, 0.6, 5)
    pi = softmax_policy(np.random.default_rng(6).standard_normal((4, 2)))
    reset = np.random.default_rng(8).dirichlet(np.ones(8)).reshape(4, 2)
    n = 100_000
    out = sample_round(mdp, pi, n_on=n, reset=reset, rng=9, backend=backend)
    d = reset_occupancy(mdp, pi, reset)
    freq = np.bincount(out.on_s * 2 + out.on_a, minlength=8).reshape(4, 2) / n
    assert np.max(np.abs(freq - d) / np.sqrt(d * (1 - d) / n)) < 5.0
    Q = policy_q_values(mdp, pi)
    idx = out.on_s * 2 + out.on_a
    counts = np.bincount(idx, minlength=8)
    means = np.bincount(idx, out.on_y, minlength=8) / counts
    second = np.bincount(idx, out.on_y ** 2, minlength=8) / counts
    se = np.sqrt((second - means ** 2) / counts)
    assert np.max(np.abs(means - Q.reshape(-1)) / se) < 5.0
    # Offline tuples follow nu and P.
    off = sample_round(mdp, pi, n_on=0, n_off=n, offline_distribution=reset, rng=10, backend=backend)
    freq_off = np.bincount(off.off_s * 2 + off.off_a, minlength=8).reshape(4, 2) / n
    assert np.max(np.abs(freq_off - reset) / np.sqrt(reset * (1 - reset) / n)) < 5.0


def test_reset_occupancy_matches_state_occupancy():
    """With mu0(s, a) = initial(s) pi(a|s) the reset occupancy is the ordinary one."""
    mdp = random_mdp(5, 3, 0.8, 11)
    pi = softmax_policy(np.random.default_rng(12).standard_normal((5, 3)))
    d = reset_occupancy(mdp, pi, mdp.initial[:, None] * pi)
    np.testing.assert_allclose(d, occupancy(mdp, pi), atol=1e-12)
    d2 = reset_occupancy(mdp, pi)
    assert abs(d2.sum() - 1) < 1e-12 and np.all(d2 >= (1 - mdp.gamma) * mdp.initial[:, None] / 3 - 1e-15)


# ----------------------------------------------------------------------------- HPE

def test_tabular_hpe_kernel_matches_numpy_twin():
    mdp = random_mdp(5, 3, 0.7, 13)
    pi = softmax_policy(np.random.default_rng(14).standard_normal((5, 3)))
    nu = np.full((5, 3), 1 / 15)
    s = sample_round(mdp, pi, n_on=5 * 30, n_off=5 * 20, offline_distribution=nu, rng=15)
    f0 = np.random.default_rng(16).standard_normal((5, 3))
    for lam, bootstrap, average in [(1.0, True, True), (0.0, True, False), (7.0, False, True)]:
        args = (s.on_s, s.on_a, s.on_y, s.off_s, s.off_a, s.off_r, s.off_s_next, pi, f0, mdp.gamma, lam,
                2, 5, 30, 20, bootstrap, average)
        f1, l1 = _tabular_hpe_kernel(*args)
        f2, l2 = _tabular_hpe_numpy(*args)
        np.testing.assert_allclose(f1, f2, atol=1e-12)
        np.testing.assert_allclose(l1, l2, atol=1e-10)


def test_linear_hpe_with_one_hot_features_is_tabular():
    mdp = random_mdp(4, 2, 0.6, 17)
    pi = np.full((4, 2), 0.5)
    nu = np.full((4, 2), 1 / 8)
    kw = dict(offline_distribution=nu, lam=2.0, k1=1, k2=3, m_on=400, m_off=400)
    tab = hybrid_policy_evaluation(mdp, pi, rng=18, **kw)
    lin = hybrid_policy_evaluation(mdp, pi, rng=18, features=np.eye(8).reshape(4, 2, 8), ridge=1e-12, **kw)
    np.testing.assert_allclose(tab.critic, lin.critic, atol=1e-7)
    np.testing.assert_allclose(tab.td_loss, lin.td_loss, atol=1e-7)


def test_sampled_hpe_is_accurate_with_many_samples():
    mdp = random_mdp(4, 2, 0.5, 19)
    pi = softmax_policy(np.random.default_rng(20).standard_normal((4, 2)))
    out = hybrid_policy_evaluation(mdp, pi, offline_distribution=np.full((4, 2), 1 / 8), k1=10, k2=30,
                                   m_on=2000, m_off=2000, rng=21)
    np.testing.assert_allclose(out.critic, policy_q_values(mdp, pi), atol=0.05)


@given(st.integers(2, 6), st.integers(2, 4), st.floats(0.5, 0.95), st.floats(0.01, 100.0), st.integers(0, 10 ** 6))
def test_population_hpe_contracts_to_q_pi(S, A, gamma, lam, seed):
    gen = np.random.default_rng(seed)
    mdp = random_mdp(S, A, gamma, gen, concentration=0.5)
    pi = softmax_policy(gen.standard_normal((S, A)))
    nu = gen.dirichlet(np.full(S * A, 0.3)).reshape(S, A)
    f0 = gen.uniform(-3, 3, (S, A))
    iterates = population_hpe(mdp, pi, nu, lam=lam, n_iterations=30, initial_critic=f0)
    err = np.abs(iterates - policy_q_values(mdp, pi)).max(axis=(1, 2))
    assert np.all(err <= gamma ** np.arange(31) * err[0] + 1e-9)


def test_population_hpe_without_online_term_keeps_uncovered_entries():
    mdp = random_mdp(3, 2, 0.5, 22)
    nu = np.zeros((3, 2))
    nu[0, 0] = 1.0
    f0 = np.arange(6.0).reshape(3, 2)
    it = population_hpe(mdp, np.full((3, 2), 0.5), nu, lam=0.0, n_iterations=3, initial_critic=f0)
    np.testing.assert_array_equal(it[-1].reshape(-1)[1:], f0.reshape(-1)[1:])


# ----------------------------------------------------------------------------- HAC / HNPG / NPG

def test_exact_hac_is_mirror_descent_on_q():
    mdp = random_mdp(4, 3, 0.7, 23)
    out = hac(mdp, n_iterations=5, critic="exact", eta=0.3)
    pi = np.full((4, 3), 1 / 3)
    for t in range(5):
        np.testing.assert_allclose(out.policies[t], pi, atol=1e-12)
        pi = mirror_descent_step(pi, policy_q_values(mdp, pi), 0.3)
    assert np.isclose(out.values[0], mdp.initial @ policy_evaluation(mdp, np.full((4, 3), 1 / 3)))
    assert np.isclose(out.eta, 0.3)


def test_hnpg_with_one_hot_features_and_exact_critic_reproduces_hac():
    mdp = random_mdp(4, 3, 0.7, 24)
    phi = np.eye(12).reshape(4, 3, 12)
    a = hac(mdp, n_iterations=8, critic="exact", eta=0.5)
    b = hnpg(mdp, phi, n_iterations=8, critic="exact", eta=0.5, fit_ridge=1e-10)
    np.testing.assert_allclose(a.policies, b.policies, atol=1e-6)


def test_hnpg_sampled_improves_on_random_mdp():
    mdp = random_mdp(4, 2, 0.6, 25)
    phi = np.eye(8).reshape(4, 2, 8)
    out = hnpg(mdp, phi, n_iterations=30, offline_distribution=np.full((4, 2), 1 / 8), eta=1.0, rng=26)
    assert out.suboptimality[-1] < 0.5 * out.suboptimality[0]


def test_hac_learners_on_the_lock():
    lock = lock_problem(3, 3, 0.8, 0)
    kw = dict(n_iterations=60, offline_distribution=lock.offline_distribution, reset=lock.reset, rng=1)
    hybrid = hac(lock.mdp, **kw)
    offline = hac(lock.mdp, critic="offline", **kw)
    online = hac(lock.mdp, critic="online", **kw)
    assert hybrid.suboptimality[-1] < 0.5 * hybrid.suboptimality[0]
    assert offline.suboptimality[-1] < 1e-9 and offline.online_samples[-1] == 0
    assert np.all(np.isnan(online.td_loss)) and online.offline_samples[-1] == 0
    assert hybrid.online_samples[-1] == 60 * 4 * 200
    again = hac(lock.mdp, **kw)
    np.testing.assert_array_equal(hybrid.policies, again.policies)


def test_linear_hac_on_aliased_trap():
    problem = aliased_trap()
    kw = dict(n_iterations=40, features=problem.features, offline_distribution=problem.offline_distribution,
              reset=problem.reset, rng=2, m_on=100, m_off=100)
    hybrid = hac(problem.mdp, lam=19.0, **kw)
    fqe = hac(problem.mdp, lam=0.0, **kw)
    assert hybrid.suboptimality[-1] < 0.5 * fqe.suboptimality[-1]


def test_npg_exact_improves_monotonically():
    mdp = random_mdp(6, 3, 0.8, 27)
    V = npg_exact(mdp, eta=1.0, n_iterations=30)
    assert np.all(np.diff(V, axis=0) >= -1e-10)
    np.testing.assert_allclose(V[-1], mdp.optimal_values, atol=1e-3)


def test_npg_exact_returns_the_policies_it_evaluated():
    mdp = random_mdp(4, 3, 0.7, 5)
    V, policies = npg_exact(mdp, eta=0.5, n_iterations=10, return_policies=True)
    np.testing.assert_allclose(V, npg_exact(mdp, eta=0.5, n_iterations=10))
    assert policies.shape == (11, 4, 3)
    np.testing.assert_allclose(policies[0], 1 / 3)
    np.testing.assert_allclose(V[-1], policy_evaluation(mdp, policies[-1]), atol=1e-10)


def test_aliased_features_alias_states():
    psi = aliased_features([0, 1, 1], 2)
    assert psi.shape == (3, 2, 4)
    np.testing.assert_array_equal(psi[1], psi[2])


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, match", [
    (dict(lam=-1.0), "lam"),
    (dict(lam="abc"), "lam: expected a finite number >= 0, got 'abc'"),
    (dict(lam=None), "lam"),
    (dict(lam=float("nan")), "lam"),
    (dict(ridge=None), "ridge: expected a finite number >= 0, got None"),
    (dict(ridge=-1e-3), "ridge"),
    (dict(ridge="x"), "ridge"),
    (dict(k1=4, k2=4), "k1, k2"),
    (dict(m_on=0, m_off=0), "m_on, m_off"),
    (dict(m_on=-1), "m_on"),
    (dict(offline_distribution=None), "offline_distribution"),
    (dict(offline_distribution=np.ones((3, 2))), "offline_distribution"),
    (dict(reset=np.ones((2, 2)) / 4), "reset"),
    (dict(features=np.ones((3, 3, 1))), "features"),
    (dict(initial_critic=np.ones(5)), "initial_critic"),
    (dict(backend="torch"), "backend"),
])
def test_hpe_bad_input(kwargs, match):
    mdp = random_mdp(3, 2, 0.5, 0)
    base = dict(offline_distribution=np.full((3, 2), 1 / 6))
    with pytest.raises(ValueError, match=match):
        hybrid_policy_evaluation(mdp, np.full((3, 2), 0.5), **{**base, **kwargs})


@pytest.mark.parametrize("kwargs, match", [
    (dict(critic="greedy"), "critic"),
    (dict(eta=-0.1), "eta"),
    (dict(n_iterations=0), "n_iterations"),
    (dict(critic="exact", features=np.ones((3, 2, 2))), "features"),
    (dict(critic="offline", offline_distribution=None), "offline_distribution"),
    (dict(lam="abc"), "lam"),
    (dict(ridge=None), "ridge"),
    (dict(eta="fast"), "eta"),
])
def test_hac_bad_input(kwargs, match):
    mdp = random_mdp(3, 2, 0.5, 0)
    base = dict(offline_distribution=np.full((3, 2), 1 / 6), n_iterations=2)
    with pytest.raises(ValueError, match=match):
        hac(mdp, **{**base, **kwargs})


def test_softmax_policy_and_mirror_descent_step():
    pi = softmax_policy([[0.0, 0.0], [0.0, np.log(3.0)], [1e4, 0.0]])
    np.testing.assert_allclose(pi, [[0.5, 0.5], [0.25, 0.75], [1.0, 0.0]], atol=1e-12)
    gen = np.random.default_rng(28)
    logits, critic = gen.standard_normal((4, 3)), gen.standard_normal((4, 3))
    # pi exp(eta f) from softmax(z) is softmax(z + eta f); zero-probability actions stay at 0.
    np.testing.assert_allclose(mirror_descent_step(softmax_policy(logits), critic, 0.7),
                               softmax_policy(logits + 0.7 * critic), atol=1e-12)
    out = mirror_descent_step([[0.0, 1.0]], [[5.0, 0.0]], 2.0)
    np.testing.assert_array_equal(out, [[0.0, 1.0]])


@pytest.mark.parametrize("args, match", [
    (([[0.5, 0.6]], [[0.0, 0.0]], 1.0), "policy: expected rows summing to 1"),
    (([[1.2, -0.2]], [[0.0, 0.0]], 1.0), "policy: expected non-negative"),
    (([0.5, 0.5], [0.0, 0.0], 1.0), "policy"),
    (([[0.5, 0.5]], [[0.0, 0.0, 0.0]], 1.0), "critic"),
    (([[0.5, 0.5]], [[0.0, np.inf]], 1.0), "critic"),
    (([[0.5, 0.5]], [[0.0, 0.0]], 0.0), "eta"),
    (([[0.5, 0.5]], [[0.0, 0.0]], -1.0), "eta"),
    (([[0.5, 0.5]], [[0.0, 0.0]], "big"), "eta"),
])
def test_mirror_descent_step_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        mirror_descent_step(*args)


def test_softmax_policy_bad_input():
    with pytest.raises(ValueError, match="logits"):
        softmax_policy([[0.0, np.nan]])
    with pytest.raises(ValueError, match="logits"):
        softmax_policy(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="logits"):
        softmax_policy(1.0)


def test_other_bad_input():
    mdp = random_mdp(3, 2, 0.5, 0)
    with pytest.raises(ValueError, match="lam: expected a finite number >= 0, got 'abc'"):
        population_hpe(mdp, np.full((3, 2), 0.5), np.full((3, 2), 1 / 6), lam="abc")
    with pytest.raises(ValueError, match="lam"):
        hnpg(mdp, np.eye(6).reshape(3, 2, 6), critic="exact", lam="abc")
    with pytest.raises(ValueError, match="ridge"):
        hnpg(mdp, np.eye(6).reshape(3, 2, 6), offline_distribution=np.full((3, 2), 1 / 6), ridge=None)
    with pytest.raises(ValueError, match="policy"):
        sample_round(mdp, np.ones((3, 3)) / 3, n_on=1)
    with pytest.raises(ValueError, match="policy"):
        sample_round(mdp, np.array([[0.5, 0.6], [0.5, 0.5], [0.5, 0.5]]), n_on=1)
    with pytest.raises(ValueError, match="offline_distribution"):
        sample_round(mdp, np.full((3, 2), 0.5), n_on=1, n_off=2)
    with pytest.raises(TypeError, match="mdp"):
        sample_round("mdp", np.full((3, 2), 0.5), n_on=1)
    with pytest.raises(ValueError, match="n_iterations"):
        population_hpe(mdp, np.full((3, 2), 0.5), np.full((3, 2), 1 / 6), n_iterations=0)
    with pytest.raises(ValueError, match="eta"):
        npg_exact(mdp, eta=0.0, n_iterations=3)
    with pytest.raises(ValueError, match="policy_features"):
        hnpg(mdp, np.ones((3, 3, 2)), offline_distribution=np.full((3, 2), 1 / 6))
    with pytest.raises(ValueError, match="offline"):
        lock_problem(3, 3, 0.8, 0, offline="expert")
    with pytest.raises(ValueError, match="groups"):
        aliased_features([-1, 0], 2)


def test_fused_hac_kernel_matches_the_per_round_loop():
    """The one-kernel tabular HAC consumes the random stream exactly as the per-round Python loop."""
    from provable_rl.hnpg import _Context, _HPEConfig, _run_actor_critic

    lock = lock_problem(3, 5, 0.8, 4)
    ctx = _Context(lock.mdp, lock.reset, lock.offline_distribution, None, "numba")
    cfg = _HPEConfig(1.0, 2, 4, 50, 50, 0.0, True, True)
    for greedy in (False, True):
        runs = [_run_actor_critic(ctx, 20, 0.2, cfg, np.random.default_rng(5), greedy=greedy, warm_start=True,
                                  policy_features=None, fused=fused) for fused in (True, False)]
        np.testing.assert_allclose(runs[0].policies, runs[1].policies, atol=1e-9)
        np.testing.assert_allclose(runs[0].td_loss, runs[1].td_loss, atol=1e-9)
        np.testing.assert_array_equal(runs[0].online_steps, runs[1].online_steps)
        np.testing.assert_array_equal(runs[0].online_samples, runs[1].online_samples)


def test_fused_hnpg_kernel_matches_the_per_round_loop():
    """The one-kernel Algorithm 3 (linear HPE, compatible fit) consumes the random stream as the per-round
    Python loop and agrees with it up to rounding, with and without the offline term and the fit's centring."""
    from mdps.instances.hnpg import linear_lock
    from provable_rl.hnpg import _Context, _HPEConfig, _run_actor_critic

    problem = linear_lock(3, 4, 0.8, 2)
    lock, phi = problem.lock, problem.features
    ctx = _Context(lock.mdp, lock.reset, lock.offline_distribution, phi, "numba")
    for m_off, centre in ((40, True), (0, True), (40, False)):
        cfg = _HPEConfig(1.0, 2, 4, 40, m_off, 1e-8, True, True)
        runs = [_run_actor_critic(ctx, 30, 0.3, cfg, np.random.default_rng(5), greedy=False, warm_start=True,
                                  policy_features=phi, fit_centre=centre, fused=fused) for fused in (True, False)]
        np.testing.assert_allclose(runs[0].policies, runs[1].policies, atol=1e-9)
        np.testing.assert_allclose(runs[0].critics, runs[1].critics, atol=1e-7)
        np.testing.assert_allclose(runs[0].mc_loss, runs[1].mc_loss, atol=1e-7)
        np.testing.assert_allclose(runs[0].td_loss, runs[1].td_loss, atol=1e-7)
        np.testing.assert_array_equal(runs[0].online_steps, runs[1].online_steps)
        np.testing.assert_array_equal(runs[0].online_samples, runs[1].online_samples)
        np.testing.assert_array_equal(runs[0].offline_samples, runs[1].offline_samples)


@given(st.integers(2, 12), st.integers(2, 5), st.floats(0.5, 0.95), st.integers(8, 200), st.integers(0, 10 ** 6))
def test_exact_hac_cumulative_suboptimality_bound(S, A, gamma, T, seed):
    """HNPG-H1's property: sum_t V* - V^{pi_t} <= 2 sqrt(T log A) / (1 - gamma)^2 (Lemma 6 + PDL, exact critic)."""
    mdp = random_mdp(S, A, gamma, seed, concentration=0.3)
    out = hac(mdp, n_iterations=T, critic="exact")
    assert out.suboptimality[:-1].sum() <= 2 * np.sqrt(T * np.log(A)) / (1 - gamma) ** 2


def test_linear_hpe_tallies_match_a_loop_over_the_samples():
    """The per-pair tallies of _linear_hpe solve the same normal equations as a loop over the samples."""
    from provable_rl.hnpg import _linear_hpe

    rng = np.random.default_rng(0)
    mdp = random_mdp(6, 3, 0.8, rng)
    psi = rng.standard_normal((6, 3, 5))
    pi = softmax_policy(rng.standard_normal((6, 3)))
    nu = np.full((6, 3), 1 / 18)
    samples = sample_round(mdp, pi, n_on=4 * 50, n_off=4 * 60, offline_distribution=nu, rng=1)
    w = np.ones(5)
    psi_pi = np.einsum("sa,sad->sd", pi, psi)
    for k in range(4):
        off, on = slice(60 * k, 60 * (k + 1)), slice(50 * k, 50 * (k + 1))
        X_off, X_on = psi[samples.off_s[off], samples.off_a[off]], psi[samples.on_s[on], samples.on_a[on]]
        y_off = samples.off_r[off] + 0.8 * psi_pi[samples.off_s_next[off]] @ w
        G = 1e-8 * np.eye(5) + X_off.T @ X_off / 60 + 2.0 * X_on.T @ X_on / 50
        w = np.linalg.solve(G, X_off.T @ y_off / 60 + 2.0 * X_on.T @ samples.on_y[on] / 50)
    w_bar, _ = _linear_hpe(samples, psi, pi, np.ones(5), 0.8, 2.0, 3, 4, 50, 60, 1e-8, True, True)
    np.testing.assert_allclose(w_bar, w, rtol=1e-9, atol=1e-12)


def test_linear_lock_is_a_linear_mdp_with_dense_features():
    """Every Q^pi is linear in the features (d = 2L + 2 < S A), and no feature vector is one-hot."""
    problem = linear_lock(4, 5, 0.8, 3)
    phi = problem.features
    S, A, d = phi.shape
    assert d == 10 < S * A and (np.abs(phi) > 1e-12).sum(axis=2).min() > 1
    flat = phi.reshape(S * A, d)
    pi = softmax_policy(np.random.default_rng(0).standard_normal((S, A)))
    for policy in (pi, problem.mdp.optimal_policy):
        q = policy_q_values(problem.mdp, policy).reshape(-1)
        w = np.linalg.lstsq(flat, q, rcond=None)[0]
        np.testing.assert_allclose(flat @ w, q, atol=1e-9)
    assert problem.lock.success_probability(problem.mdp.optimal_policy) == 1.0


def test_blocked_diagnostics_equal_the_stacked_ones(monkeypatch):
    """Issue 17: the exact diagnostics computed a few iterates at a time give the stacked numbers, and
    diagnostics=False leaves the algorithm (its policies) unchanged."""
    import provable_rl.hnpg as module

    mdp = random_mdp(7, 3, 0.8, np.random.default_rng(0))
    nu = np.full((7, 3), 1 / 21)
    stacked = hac(mdp, n_iterations=12, offline_distribution=nu, m_on=20, m_off=20, rng=0)
    monkeypatch.setattr(module, "EXACT_BLOCK_ENTRIES", 7 * 7 * 5)  # blocks of 5 iterates: 5 + 5 + 3
    blocked = hac(mdp, n_iterations=12, offline_distribution=nu, m_on=20, m_off=20, rng=0)
    for name in ("values", "suboptimality", "critic_error"):
        np.testing.assert_allclose(getattr(blocked, name), getattr(stacked, name), rtol=1e-12, atol=1e-12)
    bare = hac(mdp, n_iterations=12, offline_distribution=nu, m_on=20, m_off=20, rng=0, diagnostics=False)
    np.testing.assert_array_equal(bare.policies, stacked.policies)
    assert np.isnan(bare.values).all() and np.isnan(bare.critic_error).all()
    with pytest.raises((TypeError, ValueError), match="diagnostics"):
        hac(mdp, n_iterations=2, offline_distribution=nu, diagnostics="yes")


def test_hac_returns_its_critics():
    """HACResult.critics holds f^1 .. f^T: the exact critic is Q^{pi_t}, and the sampled critics give the
    reported critic_error E_{d^{pi_t}}(f^t - Q^{pi_t})^2."""
    from provable_rl.hnpg import _batched_exact

    mdp = random_mdp(5, 3, 0.7, np.random.default_rng(1))
    nu = np.full((5, 3), 1 / 15)
    exact = hac(mdp, n_iterations=6, critic="exact")
    reset = np.repeat(mdp.initial[:, None], 3, axis=1) / 3
    _, Q, d = _batched_exact(mdp, exact.policies[:-1], reset)
    np.testing.assert_allclose(exact.critics, Q, atol=1e-10)
    for backend in ("numba", "numpy"):
        out = hac(mdp, n_iterations=6, offline_distribution=nu, m_on=10, m_off=10, rng=0, backend=backend)
        assert out.critics.shape == (6, 5, 3) and not out.critics.flags.writeable
        _, Q, d = _batched_exact(mdp, out.policies[:-1], reset)
        np.testing.assert_allclose(np.sum(d * (out.critics - Q) ** 2, axis=(1, 2)), out.critic_error, rtol=1e-10)
