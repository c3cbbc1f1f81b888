"""Speed of the mdps foundation against plain references measured in the same run.

1. Sampling: transitions per second of the Numba rollout kernel (``mdps.sampling``, after a
   warm-up call) against a plain Python per-step loop that draws ``rng.choice(S, p=P[s, a])``,
   the way the ``step`` of rlberry's and mushroom-rl's finite MDPs does. Target ratio >= 500.
2. Planning: ``mdps.planning.value_iteration`` against a pure numpy value-iteration loop written
   here, run for the same number of sweeps. Target: no slower (ratio >= 1).

Both on a 200-state, 10-action random MDP, for a deterministic policy (the environment-step
comparison: the Python side then draws only the next state and the reward) and for the uniform
random policy (both sides also draw the action; neither draws one for the deterministic policy).
The kernel writes its output arrays (2 M transitions, page faults included); the Python loop
stores nothing. Times are CPU times of this process (``time.process_time``), so that other
processes sharing the machine do not count, best of ``--repeat`` rounds that alternate the
kernel, ``sample_episodes`` and the Python loop; the range of the per-round ratios is printed
too. Value iteration is also reported in wall-clock time because BLAS may use several threads.
3. Uniforms: the kernels' inlined xoshiro256** stream against ``Generator.random`` called in a
   Numba loop (why the kernels carry their own stream, see ``mdps.sampling``).

Run:

    python benchmarks/bench_mdps.py
"""
from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from mdps.core import policy_matrix
from mdps.instances.random import random_mdp
from mdps.planning import value_iteration
from mdps.sampling import _rollout_kernel, _single_actions, _stream_state, _uniform, packed_alias_table, sample_episodes


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


@numba.njit
def generator_uniform_sum(rng, n):
    """n uniforms from ``Generator.random`` called in a Numba loop (summed: no memory traffic)."""
    total = 0.0
    for _ in range(n):
        total += rng.random()
    return total


@numba.njit
def stream_uniform_sum(rng, n):
    """n uniforms from the kernels' inlined xoshiro256** stream (summed: no memory traffic)."""
    stream = _stream_state(rng)
    total = 0.0
    for _ in range(n):
        u, stream = _uniform(stream)
        total += u
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
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    S, A = args.states, args.actions
    mdp = random_mdp(S, A, gamma=0.95, rng=args.seed)
    P_table = packed_alias_table(mdp.P[None])
    initial_table = packed_alias_table(mdp.initial)
    R = mdp.R[None]
    print(f"MDP: S={S}, A={A}; best of {args.repeat} alternating rounds of CPU times")
    policies = {
        "deterministic policy": np.random.default_rng(args.seed).integers(0, A, size=S),
        "uniform random policy": np.full((S, A), 1.0 / A),
    }
    for label, policy in policies.items():
        pi = policy_matrix(policy, A)[None]
        single = _single_actions(pi)
        pi_table = packed_alias_table(pi)

        def kernel(n_episodes, n_steps):
            return _rollout_kernel(P_table, R, single, pi_table, initial_table,
                                   n_episodes, n_steps, False, 0.1, np.random.default_rng(args.seed))

        kernel(1, 10)  # warm-up: compile or load from the cache
        n_fast, n_slow = 2_000 * 1_000, 10 * 1_000
        # Rounds alternate the three, so that a change of the machine's load hits all alike; each
        # round's ratio is kept too, because on a shared machine one round can be far off.
        t_kernel = t_public = t_python = np.inf
        round_ratios = []
        for _ in range(args.repeat):
            this_kernel = best_time(lambda: kernel(2_000, 1_000), 1)
            this_public = best_time(lambda: sample_episodes(mdp, policy, 2_000, args.seed, n_steps=1_000), 1)
            this_python = best_time(lambda: python_rollout(mdp.P, mdp.R, policy, mdp.initial, 10, 1_000,
                                                           np.random.default_rng(args.seed)), 1)
            round_ratios.append((n_fast / this_kernel) / (n_slow / this_python))
            t_kernel, t_public, t_python = min(t_kernel, this_kernel), min(t_public, this_public), min(t_python, this_python)
        rate_kernel, rate_public, rate_python = n_fast / t_kernel, n_fast / t_public, n_slow / t_python
        print(f"[{label}]")
        print(f"  rollout, numba kernel           : {rate_kernel:12,.0f} transitions/s")
        print(f"  rollout, sample_episodes        : {rate_public:12,.0f} transitions/s (kernel + tables + OfflineData)")
        print(f"  rollout, python rng.choice loop : {rate_python:12,.0f} transitions/s")
        print(f"  ratio kernel / python           : {rate_kernel / rate_python:12,.0f}x   (target >= 500x; "
              f"rounds {min(round_ratios):,.0f}x to {max(round_ratios):,.0f}x)")
        print(f"  ratio sample_episodes / python  : {rate_public / rate_python:12,.0f}x")

    # Uniforms: the inlined xoshiro256** stream against Generator.random called from Numba ---------
    n_uniforms = 4_000_000
    generator = np.random.default_rng(args.seed)
    stream_uniform_sum(generator, 10), generator_uniform_sum(generator, 10)  # warm-up
    t_stream = best_time(lambda: stream_uniform_sum(generator, n_uniforms), args.repeat)
    t_generator = best_time(lambda: generator_uniform_sum(generator, n_uniforms), args.repeat)
    print("uniforms in a Numba loop (what a step spends per draw)")
    print(f"  inlined xoshiro256** (mdps)     : {1e9 * t_stream / n_uniforms:9.2f} ns")
    print(f"  rng.random() from Numba         : {1e9 * t_generator / n_uniforms:9.2f} ns")

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
