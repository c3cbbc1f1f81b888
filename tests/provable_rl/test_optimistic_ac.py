"""Unit tests of provable_rl.optimistic_ac: kernels against numpy twins, properties, bad input."""
import math

import numpy as np
import pytest

from mdps.core import FiniteHorizonMDP, softmax_policy
from mdps.instances.classic import finite_horizon_lock
from mdps.instances.random import random_finite_horizon_mdp, random_linear_mdp
from mdps.planning import concentrability, expected_return, occupancy, optimal_return, policy_evaluation
from mdps.sampling import sample_episodes
from provable_rl import optimistic_ac as ac


@pytest.fixture(scope="module")
def mdp():
    return random_finite_horizon_mdp(4, 3, 4, rng=0, concentration=0.5)


@pytest.fixture(scope="module")
def linear():
    return random_linear_mdp(8, 4, 3, 3, rng=1)


def _same(run_a, run_b):
    np.testing.assert_allclose(run_a.regret, run_b.regret, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(run_a.switches, run_b.switches)
    assert run_a.first_within_epsilon == run_b.first_within_epsilon
    np.testing.assert_allclose(run_a.policy, run_b.policy, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(run_a.q_values, run_b.q_values, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# The Numba kernel against the plain numpy twin (same random stream)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [
    dict(bonus_scale=1.0),
    dict(bonus_scale=0.1, eta=np.inf),
    dict(bonus_scale=0.1, reset="never"),
    dict(bonus_scale=0.1, reset="every_episode"),
    dict(bonus_scale=0.1, switching="every_episode"),
    dict(bonus_scale=0.0),
    dict(bonus_scale=0.0, unvisited="zero"),
    dict(bonus_scale=0.1, unvisited="zero"),
    dict(bonus_scale=-0.1, unvisited="zero"),
])
def test_tabular_kernel_matches_numpy_twin(mdp, options):
    # _broken_variant also admits the mutants (reset every episode, negative bonus).
    a = ac._broken_variant(mdp, 150, 3, **options)
    b = ac._broken_variant(mdp, 150, 3, backend="numpy", **options)
    _same(a, b)


def test_hybrid_and_gaussian_rewards_match_numpy_twin():
    lock = finite_horizon_lock(5, 3, 0)
    offline = ac.offline_episodes(lock, 10, 1, epsilon=0.3)
    for bonus in (0.0, 0.1):
        _same(ac.rare_switching_actor_critic(lock, 100, 2, bonus_scale=bonus, offline_data=offline),
              ac.rare_switching_actor_critic(lock, 100, 2, bonus_scale=bonus, offline_data=offline, backend="numpy"))
    m = random_finite_horizon_mdp(3, 2, 3, rng=4)
    g = FiniteHorizonMDP(m.P, m.R, m.initial, reward_model="gaussian", reward_std=0.3)
    _same(ac.rare_switching_actor_critic(g, 100, 5), ac.rare_switching_actor_critic(g, 100, 5, backend="numpy"))


@pytest.mark.parametrize("reset", ["switch", "never"])
def test_large_eta_long_runs_match_the_textbook_twin(reset):
    """eta = 1000 drives probabilities to exactly 0 within a segment: the kernel's multiplicative
    steps (with their flush below 2.2e-308 and skipped re-evaluations) against the twin's
    softmax(logits) every episode. Without resets (mode 1) a later critic can revive an action an
    earlier one drove to 0, which a multiplicative step could not (it crashed on a row of zeros)."""
    lock = finite_horizon_lock(5, 3, 0)
    fast = ac.rare_switching_actor_critic(lock, 1500, 0, bonus_scale=0.1, eta=1000.0, reset=reset)
    slow = ac.rare_switching_actor_critic(lock, 1500, 0, bonus_scale=0.1, eta=1000.0, reset=reset, backend="numpy")
    _same(fast, slow)
    assert np.all(np.isfinite(fast.regret)) and np.any(fast.policy == 0.0)


@pytest.mark.parametrize("knobs", [dict(switch_period=3), dict(growth=1.25), dict(bonus_horizon=False),
                                   dict(bonus_log=False)])
def test_mutant_knobs_match_numpy_twin(mdp, linear, knobs):
    # The knobs of _broken_variant (proofs_check's mutants), in both kernels and both backends.
    _same(ac._broken_variant(mdp, 200, 3, bonus_scale=0.1, **knobs),
          ac._broken_variant(mdp, 200, 3, bonus_scale=0.1, backend="numpy", **knobs))
    _same(ac._broken_variant(linear, 150, 7, linear=True, bonus_scale=0.05, **knobs),
          ac._broken_variant(linear, 150, 7, linear=True, bonus_scale=0.05, backend="numpy", **knobs))


def test_mutant_knobs_change_what_they_say(mdp):
    base = ac._broken_variant(mdp, 512, 3, bonus_scale=0.1)
    periodic = ac._broken_variant(mdp, 512, 3, bonus_scale=0.1, switch_period=4)
    assert periodic.n_switches == 128 and list(periodic.switches[:8]) == [0, 0, 0, 1, 1, 1, 1, 2]
    assert ac._broken_variant(mdp, 512, 3, bonus_scale=0.1, growth=1.25).n_switches > base.n_switches
    with pytest.raises(ValueError, match="growth"):
        ac._broken_variant(mdp, 10, 3, growth=1.0)
    with pytest.raises(ValueError, match="mutant knobs"):
        ac._run(mdp, 10, 3, linear=False, bonus_scale=0.1, eta=1.0, delta=0.1, offline_data=None,
                switching="doubling", reset="switch", epsilon=0.1, ridge=1.0, backend="numba", growth=1.5)


@pytest.mark.parametrize("options", [dict(bonus_scale=0.05), dict(bonus_scale=0.05, reset="every_episode"),
                                     dict(bonus_scale=0.0)])
def test_linear_kernel_matches_numpy_twin(linear, options):
    # The kernel tracks log det Lambda_h by rank-one updates, the twin by slogdet: same switches.
    a = ac._broken_variant(linear, 120, 7, linear=True, **options)
    b = ac._broken_variant(linear, 120, 7, linear=True, backend="numpy", **options)
    _same(a, b)
    offline = ac.offline_episodes(linear, 15, 0, epsilon=0.5)
    _same(ac._broken_variant(linear, 60, 8, linear=True, offline_data=offline, **options),
          ac._broken_variant(linear, 60, 8, linear=True, offline_data=offline, backend="numpy", **options))
    if "reset" not in options:
        _same(a, ac.linear_optimistic_actor_critic(linear, 120, 7, **options))


def test_linear_kernel_matches_numpy_twin_on_the_ac_t5_instance():
    # An AC-T5 instance (d = 5, |A| = 10), long enough for many determinant-doubling switches; a small
    # bonus so that the critic leaves its cap and the actor is not uniform.
    from proofs_check.optimistic_ac import linear_instance

    lin = linear_instance(0)
    run = ac.linear_optimistic_actor_critic(lin, 400, 1, bonus_scale=0.01)
    assert run.n_switches > 20 and run.n_switches <= ac.linear_switch_bound(5, 5, 400)
    assert np.ptp(run.q_values[0]) > 0
    _same(run, ac.linear_optimistic_actor_critic(lin, 400, 1, bonus_scale=0.01, backend="numpy"))


def test_critic_kernels_match_numpy(mdp, linear):
    gen = np.random.default_rng(0)
    H, S, A = 3, 4, 2
    counts = gen.integers(0, 4, size=(H, S, A))
    trans = np.zeros((H, S, A, S), np.int64)
    for h, s, a in np.ndindex(H, S, A):
        trans[h, s, a] = gen.multinomial(counts[h, s, a], np.full(S, 1.0 / S))
    sums = gen.random((H, S, A)) * counts
    for bonus in (0.5, 0.0, -0.5):
        for cap in (True, False):
            Q = np.empty((H, S, A))
            ac._tabular_critic(counts, sums, trans, bonus, 3.0, cap, True, Q)
            np.testing.assert_allclose(Q, ac.optimistic_q_values(counts, sums, trans, bonus, 3.0, cap), atol=1e-12)
            left = (H - np.arange(H))[:, None, None] * np.ones((H, S, A))
            np.testing.assert_array_equal(Q[counts == 0], left[counts == 0] if cap else 0.0)
            ac._tabular_critic(counts, sums, trans, bonus, 3.0, cap, False, Q)
            np.testing.assert_allclose(Q, ac.optimistic_q_values(counts, sums, trans, bonus, 3.0, cap,
                                                                 horizon_factor=False), atol=1e-12)
    features = linear.features
    Sl, Al, d = features.shape
    Hl = linear.horizon
    cl = gen.integers(0, 5, size=(Hl, Sl, Al))
    tl = np.zeros((Hl, Sl, Al, Sl), np.int64)
    for h, s, a in np.ndindex(Hl, Sl, Al):
        tl[h, s, a] = gen.multinomial(cl[h, s, a], np.full(Sl, 1.0 / Sl))
    sl = gen.random((Hl, Sl, Al)) * cl
    gram = np.eye(d) + np.einsum("hsa,sai,saj->hij", cl, features, features)
    Q = np.empty((Hl, Sl, Al))
    ac._linear_critic(np.ascontiguousarray(features), gram, sl, tl, 0.7, Q)
    np.testing.assert_allclose(Q, ac.lsvi_ucb_q_values(features, gram, sl, tl, 0.7), atol=1e-10)


def test_cholesky_inverse_and_logdet():
    gen = np.random.default_rng(1)
    X = gen.standard_normal((6, 4))
    M = X.T @ X + np.eye(4)
    inv = np.empty((4, 4))
    logdet = ac._cholesky_inverse(M, inv)
    np.testing.assert_allclose(inv, np.linalg.inv(M), atol=1e-12)
    assert logdet == pytest.approx(np.linalg.slogdet(M)[1], abs=1e-12)


def test_kernel_policy_return_is_exact_policy_evaluation(mdp):
    gen = np.random.default_rng(2)
    pi = gen.dirichlet(np.ones(mdp.n_actions), size=mdp.R.shape[:2])
    V = np.empty((mdp.horizon + 1, mdp.n_states))
    P_by_next, R_flat = ac._model_by_next_state(mdp.P, mdp.R)
    q = np.empty((mdp.horizon, mdp.n_states * mdp.n_actions))
    J = ac._policy_return(P_by_next, R_flat, pi, mdp.initial, V, q, True)
    assert J == pytest.approx(expected_return(mdp, pi), abs=1e-12)
    np.testing.assert_allclose(V, policy_evaluation(mdp, pi), atol=1e-12)


def _policy_return_pair_by_pair(P, R, pi, initial):
    """The kernel's evaluation before it was laid out by next state: one pair's sum after the other."""
    H, S, A = R.shape
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        for s in range(S):
            total = 0.0
            for a in range(A):
                if pi[h, s, a] > 0.0:
                    q = R[h, s, a]
                    for t in range(S):
                        q += P[h, s, a, t] * V[h + 1, t]
                    total += pi[h, s, a] * q
            V[h, s] = total
    out = 0.0
    for s in range(S):
        out += initial[s] * V[0, s]
    return out


def test_kernel_policy_return_is_bit_identical_to_the_pair_by_pair_sums():
    # The claims' rows were measured with the pair-by-pair loop; the faster layout, and the reuse of the last
    # call's Q-values where V_{h+1} has not moved, must not move a bit. The policies are an actor's iterates
    # after a reset (what the kernel evaluates), which converge in double precision step by step.
    gen = np.random.default_rng(3)
    lin = random_linear_mdp(10, 10, 5, 5, rng=4).tabular
    reused = 0
    for model in (lin, random_finite_horizon_mdp(5, 3, 5, rng=5)):
        H, S, A = model.R.shape
        P_by_next, R_flat = ac._model_by_next_state(model.P, model.R)
        V, q = np.empty((H + 1, S)), np.empty((H, S * A))
        for k in range(3):
            weights, flat_rows = np.empty((H, S, A)), np.zeros((H, S), np.bool_)
            ac._actor_weights(gen.random((H, S, A)) * (H - np.arange(H))[:, None, None], 50.0, weights, flat_rows)
            pi = np.full((H, S, A), 1.0 / A)
            for t in range(400):
                q_before = q.copy()
                J = ac._policy_return(P_by_next, R_flat, pi, model.initial, V, q, k == 0 and t == 0)
                assert J == _policy_return_pair_by_pair(model.P, model.R, pi, model.initial)
                reused += t > 0 and bool(np.array_equal(q, q_before))  # no step's Q-values recomputed
                if not ac._mirror_step(pi, weights, flat_rows):
                    break
    assert reused > 0  # the reuse path was taken


# ---------------------------------------------------------------------------------------------
# Properties of a run
# ---------------------------------------------------------------------------------------------

def test_first_episode_plays_uniform_and_regret_is_exact(mdp):
    run = ac.optimistic_actor_critic(mdp, 50, 0)
    uniform = np.full(mdp.R.shape, 1.0 / mdp.n_actions)
    assert run.regret[0] == pytest.approx(optimal_return(mdp) - expected_return(mdp, uniform), abs=1e-12)
    np.testing.assert_allclose(run.cumulative_regret, np.cumsum(run.regret))
    assert np.all(run.regret >= -1e-12)


def test_switches_obey_doubling_bound_and_reproducible(mdp):
    T = 2000
    run = ac.optimistic_actor_critic(mdp, T, 11)
    assert np.all(np.diff(run.switches) >= 0) and run.switches[-1] == run.n_switches
    assert run.n_switches <= ac.switch_bound(mdp.n_states, mdp.n_actions, mdp.horizon, T)
    again = ac.optimistic_actor_critic(mdp, T, 11)
    np.testing.assert_array_equal(run.regret, again.regret)
    every = ac.rare_switching_actor_critic(mdp, 30, 0, switching="every_episode")
    np.testing.assert_array_equal(every.switches, np.arange(1, 31))


def test_policy_is_softmax_of_segment_critic(mdp):
    run = ac.optimistic_actor_critic(mdp, 300, 4, eta=0.5)
    # After a reset at the last switch, the actor has accumulated eta * Q once per episode since then.
    n_seg = 300 - int(np.flatnonzero(np.diff(np.concatenate([[0], run.switches])))[-1])
    np.testing.assert_allclose(run.policy, softmax_policy(0.5 * n_seg * run.q_values), atol=1e-10)
    greedy = ac.low_switching_ucbvi(mdp, 100, 4)
    assert set(np.unique(greedy.policy)) <= {0.0, 1.0}
    np.testing.assert_array_equal(greedy.policy, ac.greedy_policy_matrix(greedy.q_values))


def test_optimistic_critic_dominates_q_star(mdp):
    run = ac.optimistic_actor_critic(mdp, 1000, 5, bonus_scale=1.0)
    assert np.all(run.q_values >= mdp.optimal_q - 1e-9)
    flat = ac.non_optimistic_hybrid_actor_critic(mdp, ac.offline_episodes(mdp, 5, 0), 10, 0)
    assert np.all(flat.q_values <= mdp.horizon)


def test_optimism_explores_the_lock_and_greedy_gets_stuck():
    # A uniform policy hits the reward once per 5^8 episodes: greedy on the empirical model never does.
    lock = finite_horizon_lock(8, 5, 0)
    optimistic = ac.optimistic_actor_critic(lock, 1500, 0, bonus_scale=0.1)
    stuck = ac.rare_switching_actor_critic(lock, 1500, 0, bonus_scale=0.0, unvisited="zero")
    assert stuck.first_within_epsilon == -1
    assert optimistic.first_within_epsilon > 0
    assert optimistic.cumulative_regret[-1] < 0.7 * stuck.cumulative_regret[-1]


def test_unvisited_value_is_separate_from_the_bonus():
    # Bonus 0 with unvisited pairs at their cap H - h is optimistic initialisation alone: it still
    # explores the lock, while bonus 0 with unvisited pairs at 0 is stuck on the distractor.
    lock = finite_horizon_lock(8, 5, 0)
    init_only = ac.rare_switching_actor_critic(lock, 1500, 0, bonus_scale=0.0, unvisited="cap")
    stuck = ac.rare_switching_actor_critic(lock, 1500, 0, bonus_scale=0.0, unvisited="zero")
    assert init_only.first_within_epsilon > 0 and stuck.first_within_epsilon == -1


def test_behaviour_policy_and_concentrability():
    lock = finite_horizon_lock(6, 4, 0)
    pis = [ac.epsilon_greedy_behaviour(lock, e) for e in (0.0, 0.2, 0.5)]
    for pi in pis:
        np.testing.assert_allclose(pi.sum(axis=-1), 1.0)
    c = [concentrability(lock, occupancy(lock, pi)) for pi in pis]
    assert c[0] == pytest.approx(1.0) and c[0] < c[1] < c[2]
    assert c[2] == pytest.approx((1 - 0.5 * 0.75) ** -6)
    assert ac.offline_episodes(lock, 0, 0) is None
    assert len(ac.offline_episodes(lock, 3, 0)) == 3 * 6


def test_switch_bound_and_radius():
    assert ac.switch_bound(5, 3, 5, 1024) == pytest.approx(75 * 11)
    assert ac.linear_switch_bound(5, 5, 5 * 1023) == pytest.approx(25 * 10)
    assert ac.linear_switch_bound(2, 3, 6, ridge=3.0) == pytest.approx(6 * math.log2(2.0))
    assert ac.exploration_log_term(2, 2, 2, 10, 0.1) == pytest.approx(math.log(800))
    assert ac.elliptical_radius(5, 5, 100, 0.1, 2.0) == pytest.approx(2 * 25 * math.sqrt(math.log(25000)))


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, match", [
    (dict(n_episodes=0), "n_episodes"),
    (dict(bonus_scale=float("nan")), "bonus_scale"),
    (dict(bonus_scale="big"), "bonus_scale"),
    (dict(eta=0.0), "eta"),
    (dict(eta="fast"), "eta"),
    (dict(delta=1.5), "delta"),
    (dict(epsilon=-1.0), "epsilon"),
    (dict(switching="sometimes"), "switching"),
    (dict(reset="always"), "reset"),
    (dict(reset="every_episode"), "reset"),
    (dict(bonus_scale=-0.1), "bonus_scale"),
    (dict(unvisited="maybe"), "unvisited"),
    (dict(backend="cuda"), "backend"),
])
def test_bad_input_raises(mdp, options, match):
    kwargs = dict(n_episodes=10)
    kwargs.update(options)
    with pytest.raises(ValueError, match=match):
        ac.rare_switching_actor_critic(mdp, kwargs.pop("n_episodes"), 0, **kwargs)


def test_bad_problem_and_data_raise(mdp, linear):
    with pytest.raises(TypeError, match="mdp"):
        ac.rare_switching_actor_critic("lock", 10, 0)
    with pytest.raises(TypeError, match="mdp"):
        ac.linear_optimistic_actor_critic(mdp, 10, 0)
    with pytest.raises(ValueError, match="ridge"):
        ac.linear_optimistic_actor_critic(linear, 10, 0, ridge=0.0)
    other = sample_episodes(finite_horizon_lock(3, 2, 0), np.zeros((3, 2), int), 2, 0)
    with pytest.raises(ValueError, match="offline_data"):
        ac.rare_switching_actor_critic(mdp, 10, 0, offline_data=other)
    with pytest.raises(TypeError, match="offline_data"):
        ac.rare_switching_actor_critic(mdp, 10, 0, offline_data=np.zeros(3))
    with pytest.raises(ValueError, match="offline_data"):
        ac.hybrid_optimistic_actor_critic(mdp, None, 10, 0)
    with pytest.raises(ValueError, match="offline_data"):
        ac.non_optimistic_hybrid_actor_critic(mdp, None, 10, 0)
    with pytest.raises(ValueError, match="offline_data"):
        ac.optimistic_actor_critic(mdp, 10, 0, offline_data=ac.offline_episodes(mdp, 2, 0))
    with pytest.raises(ValueError, match="bonus_scale"):
        ac.optimistic_actor_critic(mdp, 10, 0, bonus_scale=0.0)
    with pytest.raises(ValueError, match="bonus_scale"):
        ac.hybrid_optimistic_actor_critic(mdp, ac.offline_episodes(mdp, 2, 0), 10, 0, bonus_scale="x")
    with pytest.raises(ValueError, match="epsilon"):
        ac.epsilon_greedy_behaviour(mdp, 1.5)
    with pytest.raises(ValueError, match="rng"):
        ac.rare_switching_actor_critic(mdp, 10, -1)
    with pytest.raises(ValueError, match="bonus_scale"):
        ac.linear_optimistic_actor_critic(linear, 10, 0, bonus_scale=-0.05)


@pytest.mark.parametrize("call, match", [
    (lambda: ac.exploration_log_term(2, 2, 2, 10, -1.0), "delta"),
    (lambda: ac.exploration_log_term(2, 0, 2, 10, 0.1), "n_actions"),
    (lambda: ac.elliptical_radius(5, 5, 0, 0.1, 1.0), "n_episodes"),
    (lambda: ac.elliptical_radius(5, 5, 10, 1.5, 1.0), "delta"),
    (lambda: ac.elliptical_radius(0, 5, 10, 0.1, 1.0), "dim"),
    (lambda: ac.elliptical_radius(5, 5, 10, 0.1, -1.0), "bonus_scale"),
    (lambda: ac.switch_bound(5, 3, 0, 10), "horizon"),
    (lambda: ac.linear_switch_bound(0, 5, 10), "dim"),
    (lambda: ac.linear_switch_bound(5, 5, 10, ridge=0.0), "ridge"),
])
def test_helpers_validate(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_tabular_bonus_on_hand_made_counts():
    # H = 2, S = 2, A = 2, c = 0.25, iota = 4: the bonus is c (H - h) sqrt(iota / n) = 0.5 (H - h) / sqrt(n).
    counts = np.array([[[4, 1], [0, 0]], [[4, 0], [1, 9]]])
    sums = np.array([[[1.0, 1.0], [0.0, 0.0]], [[2.0, 0.0], [0.0, 3.0]]])
    trans = np.zeros((2, 2, 2, 2), dtype=np.int64)
    trans[0, 0, 0] = [1, 3]
    trans[0, 0, 1] = [1, 0]
    trans[1, 0, 0] = [4, 0]
    trans[1, 1, 0] = [0, 1]
    trans[1, 1, 1] = [5, 4]
    # Step 1 (one step left): 0.5 + 0.5/2, unvisited -> 1, 0 + 0.5/1, 1/3 + 0.5/3; V_1 = [1, 0.5].
    # Step 0 (two left): 0.25 + (0.25 * 1 + 0.75 * 0.5) + 1/2 = 1.375; 1 + 1 + 1 = 3 clipped to 2; unvisited -> 2.
    expected = np.array([[[1.375, 2.0], [2.0, 2.0]], [[0.75, 1.0], [0.5, 0.5]]])
    np.testing.assert_allclose(ac.optimistic_q_values(counts, sums, trans, 0.25, 4.0), expected, atol=1e-12)
    kernel = np.empty((2, 2, 2))
    ac._tabular_critic(counts, sums, trans.astype(np.int64), 0.25, 4.0, True, True, kernel)
    np.testing.assert_allclose(kernel, expected, atol=1e-12)
    # Without the horizon factor the step-0 bonus halves: 0.875 + 0.25; the step-1 bonus (H - h = 1) is unchanged.
    no_horizon = ac.optimistic_q_values(counts, sums, trans, 0.25, 4.0, horizon_factor=False)
    np.testing.assert_allclose(no_horizon, np.array([[[1.125, 2.0], [2.0, 2.0]], [[0.75, 1.0], [0.5, 0.5]]]),
                               atol=1e-12)
    # Unvisited pairs valued 0: V_1 = [0.75, 0.5], so step 0 gives 0.25 + (0.25 * 0.75 + 0.75 * 0.5) + 0.5 = 1.3125.
    zero = ac.optimistic_q_values(counts, sums, trans, 0.25, 4.0, unvisited_cap=False)
    np.testing.assert_allclose(zero, np.array([[[1.3125, 2.0], [0.0, 0.0]], [[0.75, 0.0], [0.5, 0.5]]]), atol=1e-12)
    # The log term of the bonus: iota = log(S A H T / delta).
    assert ac.exploration_log_term(2, 2, 2, 100, 0.1) == pytest.approx(math.log(8000.0))


def test_the_instances_of_the_minimax_and_stochastic_optimism_claims():
    from mdps.instances.optimistic_ac import gap_family_mdp, spread_value_mdp
    mdp = gap_family_mdp(0.25, 3, 4, rng=2)
    gaps = np.sort(mdp.optimal_values[0, 0] - mdp.optimal_q[0, 0])
    np.testing.assert_allclose(gaps, [0.0, 0.25 * 3 / 2, 0.25 * 3 / 2])
    for bad in (0.0, 1.5, float("nan")):
        with pytest.raises(ValueError, match="gap"):
            gap_family_mdp(bad)
    with pytest.raises(ValueError, match="n_actions"):
        gap_family_mdp(0.5, 1)
    spread = spread_value_mdp(4, 2, 6, rng=0)
    assert np.ptp(spread.optimal_values[0]) > 1.0  # values spread over [0, H]
    with pytest.raises(ValueError, match="n_states"):
        spread_value_mdp(1)


def test_the_coin_lock_of_the_offline_threshold_claim():
    from mdps.data import data_distribution
    from mdps.instances.optimistic_ac import coin_lock_mdp
    from mdps.planning import concentrability
    mdp = coin_lock_mdp(0.1, horizon=6, n_actions=5, rng=3)
    assert mdp.reward_model == "gaussian" and mdp.P.shape == (6, 4, 5, 4)
    # V* = the coin's bias; every distractor on track is worth exactly the gap less, at every step of the lock.
    assert mdp.optimal_values[0, 0] == pytest.approx(0.5)
    on_track = mdp.optimal_q[:5, 0]
    np.testing.assert_allclose(np.sort(on_track, axis=1)[:, :4], 0.4, atol=1e-12)
    np.testing.assert_allclose(on_track.max(axis=1), 0.5, atol=1e-12)
    # The correct action of step H - 2 flips the coin: win (pays 1 at the last step) with probability 1/2.
    good = mdp.optimal_policy[4, 0]
    np.testing.assert_allclose(mdp.P[4, 0, good], [0.0, 0.0, 0.5, 0.5])
    # Concentrability is dialled exactly by mdps.data_distribution.
    for c in (1.0, 2.0, 32.0):
        assert concentrability(mdp, data_distribution(mdp, c)) == pytest.approx(c)
    for bad in (0.0, 0.6, float("nan")):
        with pytest.raises(ValueError, match="gap"):
            coin_lock_mdp(bad)
    with pytest.raises(ValueError, match="horizon"):
        coin_lock_mdp(0.1, horizon=1)
    with pytest.raises(ValueError, match="n_actions"):
        coin_lock_mdp(0.1, n_actions=1)
    with pytest.raises(ValueError, match="success"):
        coin_lock_mdp(0.1, success=1.0)
    with pytest.raises(ValueError, match="reward_std"):
        coin_lock_mdp(0.1, reward_std=0.0)
