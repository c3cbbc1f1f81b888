"""Speed of the mdps foundation against plain references measured in the same run.

1. Sampling: transitions per second of the Numba rollout kernel (``mdps.sampling``, after a
   warm-up call) against a plain Python per-step loop that draws ``rng.choice(S, p=P[s, a])``,
   the way the ``step`` of rlberry's and mushroom-rl's finite MDPs does. Target ratio >= 500.
2. Planning: ``mdps.planning.value_iteration`` against a pure numpy value-iteration loop written
   here, run for the same number of sweeps. Target: no slower (ratio >= 1).

Both on a 200-state, 10-action random MDP, for a deterministic policy (the environment-step
comparison: the Python side then draws only the next state and the reward) and for the uniform
random policy (both sides also draw the action; neither draws one for the deterministic policy). Times are best-of-``--repeat`` CPU times of this
process (``time.process_time``), so that other processes sharing the machine do not count; value
iteration is also reported in wall-clock time because BLAS may use several threads. Run:

    python benchmarks/bench_mdps.py
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from mdps.core import policy_matrix
from mdps.instances.random import random_mdp
from mdps.planning import value_iteration
from mdps.sampling import _rollout_kernel, _single_actions, alias_table, sample_episodes


def best_time(fn, repeat, clock=time.process_time):
    best = np.inf
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def python_rollout(P, R, policy, initial, n_episodes, n_steps, rng):
    """The reference: one ``rng.choice`` per draw, as in a Python ``env.step``.

    ``policy`` is an int array (S,) (no draw for the action) or probabilities (S, A)."""
    S, A = R.shape
    deterministic = policy.ndim == 1
    total = 0.0
    for _ in range(n_episodes):
        s = rng.choice(S, p=initial)
        for _ in range(n_steps):
            a = policy[s] if deterministic else rng.choice(A, p=policy[s])
            s_next = rng.choice(S, p=P[s, a])
            total += 1.0 if rng.random() < R[s, a] else 0.0
            s = s_next
    return total


def numpy_value_iteration(P, R, gamma, n_sweeps):
    """The reference: the textbook numpy loop ``V <- max_a (R + gamma P V)``."""
    V = np.zeros(R.shape[0])
    for _ in range(n_sweeps):
        V = (R + gamma * np.einsum("sat,t->sa", P, V)).max(axis=1)
    return V


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=200)
    parser.add_argument("--actions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    S, A = args.states, args.actions
    mdp = random_mdp(S, A, gamma=0.95, rng=args.seed)
    P_prob, P_alias = alias_table(mdp.P[None])
    initial_prob, initial_alias = alias_table(mdp.initial)
    R = mdp.R[None]
    print(f"MDP: S={S}, A={A}; best of {args.repeat} CPU times")
    policies = {
        "deterministic policy": np.random.default_rng(args.seed).integers(0, A, size=S),
        "uniform random policy": np.full((S, A), 1.0 / A),
    }
    for label, policy in policies.items():
        pi = policy_matrix(policy, A)[None]
        single = _single_actions(pi)
        pi_prob, pi_alias = alias_table(pi)

        def kernel(n_episodes, n_steps):
            return _rollout_kernel(P_prob, P_alias, R, single, pi_prob, pi_alias, initial_prob, initial_alias,
                                   n_episodes, n_steps, False, 0.1, np.random.default_rng(args.seed))

        kernel(1, 10)  # warm-up: compile or load from the cache
        n_fast, n_slow = 2_000 * 1_000, 10 * 1_000
        t_kernel = best_time(lambda: kernel(2_000, 1_000), args.repeat)
        t_public = best_time(lambda: sample_episodes(mdp, policy, 2_000, args.seed, n_steps=1_000), args.repeat)
        t_python = best_time(
            lambda: python_rollout(mdp.P, mdp.R, policy, mdp.initial, 10, 1_000, np.random.default_rng(args.seed)),
            max(1, args.repeat // 2))
        rate_kernel, rate_public, rate_python = n_fast / t_kernel, n_fast / t_public, n_slow / t_python
        print(f"[{label}]")
        print(f"  rollout, numba kernel           : {rate_kernel:12,.0f} transitions/s")
        print(f"  rollout, sample_episodes        : {rate_public:12,.0f} transitions/s (kernel + tables + OfflineData)")
        print(f"  rollout, python rng.choice loop : {rate_python:12,.0f} transitions/s")
        print(f"  ratio kernel / python           : {rate_kernel / rate_python:12,.0f}x   (target >= 500x)")
        print(f"  ratio sample_episodes / python  : {rate_public / rate_python:12,.0f}x")

    # Value iteration -----------------------------------------------------------------------
    result = value_iteration(mdp)
    sweeps = result.iterations
    # Alternate the two so that a change of the machine's load hits both alike.
    t_vi = t_ref = w_vi = w_ref = np.inf
    for _ in range(2 * args.repeat):
        for clock in (time.process_time, time.perf_counter):
            this = best_time(lambda: value_iteration(mdp), 1, clock)
            other = best_time(lambda: numpy_value_iteration(mdp.P, mdp.R, mdp.gamma, sweeps), 1, clock)
            if clock is time.process_time:
                t_vi, t_ref = min(t_vi, this), min(t_ref, other)
            else:
                w_vi, w_ref = min(w_vi, this), min(w_ref, other)
    V_ref = numpy_value_iteration(mdp.P, mdp.R, mdp.gamma, sweeps)
    assert np.max(np.abs(V_ref - result.values)) <= 1e-9, "the reference computes something else"
    print(f"value iteration, gamma={mdp.gamma}: {sweeps} sweeps, certified error <= {result.value_error_bound:.1e}")
    print(f"  value_iteration (mdps.planning) : {1e3 * t_vi:9.2f} ms CPU, {1e3 * w_vi:9.2f} ms wall")
    print(f"  numpy einsum reference loop     : {1e3 * t_ref:9.2f} ms CPU, {1e3 * w_ref:9.2f} ms wall")
    print(f"  ratio reference / mdps          : {t_ref / t_vi:9.2f}x CPU, {w_ref / w_vi:6.2f}x wall   (target >= 1)")


if __name__ == "__main__":
    main()
