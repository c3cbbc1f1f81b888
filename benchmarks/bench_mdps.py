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
4. ``sample_episodes`` against its own kernel (the rounds of 1.): target at most 1.5x the
   kernel's time (tables of P cached on the MDP, OfflineData built without re-checks).
5. Backward induction (``mdps.backward_induction``) against a plain Numba loop written here
   (``--fh-states`` S, A = 10, H = 50), on a random problem with one P per step and on a
   stationary one (``finite_horizon``, P stored once): target no slower. Both sum each backup
   over s' in increasing order, so their values must agree bit for bit (asserted).
6. Sparse MDPs (``--sparse-side`` ^ 2 cells and as many chain states): ``solve`` with "pi",
   "mpi" and "vi" on ``sparse_gridworld`` and ``sparse_chain`` at gamma = 0.99 (time and
   certificate), and ``sample_episodes`` / its CSR kernel per step on the gridworld.
7. Memory of a stationary finite-horizon MDP (``finite_horizon`` of a ``--fh-memory-states`` x
   10 random MDP, H = 50): the bytes its P holds against H S A S floats.
8. The linear program (``mdps.linear_program``, HiGHS) against value iteration: on a sparse 45 x
   45 gridworld (its constraint matrix sparse) and on a dense random MDP with ``--lp-states``
   states (default 1000, 0 skips; the dense P gives the LP S^2 A non-zeros whatever the storage).
9. ``solve(method="auto")``'s rule: "pi" against "mpi" on random MDPs (A = 10, S in {50, 200, 500,
   1000}, gamma in {0.9, 0.99, 0.999}), a 20 x 20 gridworld and a 300-state chain (gamma = 0.99),
   best of ``--repeat`` CPU times each, with the method "auto" picks.

Run:

    python benchmarks/bench_mdps.py
"""
from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from mdps import backward_induction, finite_horizon, linear_program, solve
from mdps.core import policy_matrix
from mdps.instances import chain_mdp, gridworld, sparse_chain, sparse_gridworld
from mdps.planning import _auto_method
from mdps.instances.random import random_finite_horizon_mdp, random_mdp
from mdps.planning import value_iteration
from mdps.sampling import (
    _rollout_kernel, _single_actions, _sparse_rollout_kernel, _stream_state, _uniform, packed_alias_table, sample_episodes,
)


@numba.njit
def plain_backward_induction(P, R):
    """The reference: backward induction as three plain loops (no BLAS)."""
    H, S, A, _ = P.shape
    V = np.zeros((H + 1, S))
    Q = np.empty((H, S, A))
    for h in range(H - 1, -1, -1):
        for s in range(S):
            best = -np.inf
            for a in range(A):
                acc = 0.0
                for t in range(S):
                    acc += P[h, s, a, t] * V[h + 1, t]
                q = R[h, s, a] + acc
                Q[h, s, a] = q
                best = max(best, q)
            V[h, s] = best
    return V, Q


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
    parser.add_argument("--fh-states", type=int, default=100)
    parser.add_argument("--sparse-side", type=int, default=316)
    parser.add_argument("--fh-memory-states", type=int, default=2000)
    parser.add_argument("--lp-states", type=int, default=1000)
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
        round_ratios, public_ratios = [], []
        for _ in range(args.repeat):
            this_kernel = best_time(lambda: kernel(2_000, 1_000), 1)
            this_public = best_time(lambda: sample_episodes(mdp, policy, 2_000, args.seed, n_steps=1_000), 1)
            this_python = best_time(lambda: python_rollout(mdp.P, mdp.R, policy, mdp.initial, 10, 1_000,
                                                           np.random.default_rng(args.seed)), 1)
            round_ratios.append((n_fast / this_kernel) / (n_slow / this_python))
            public_ratios.append(this_public / this_kernel)
            t_kernel, t_public, t_python = min(t_kernel, this_kernel), min(t_public, this_public), min(t_python, this_python)
        rate_kernel, rate_public, rate_python = n_fast / t_kernel, n_fast / t_public, n_slow / t_python
        print(f"[{label}]")
        print(f"  rollout, numba kernel           : {rate_kernel:12,.0f} transitions/s")
        print(f"  rollout, sample_episodes        : {rate_public:12,.0f} transitions/s (kernel + tables + OfflineData)")
        print(f"  rollout, python rng.choice loop : {rate_python:12,.0f} transitions/s")
        print(f"  ratio kernel / python           : {rate_kernel / rate_python:12,.0f}x   (target >= 500x; "
              f"rounds {min(round_ratios):,.0f}x to {max(round_ratios):,.0f}x)")
        print(f"  ratio sample_episodes / python  : {rate_public / rate_python:12,.0f}x")
        print(f"  sample_episodes time / kernel's : {rate_kernel / rate_public:12.2f}x   (target <= 1.5x; "
              f"rounds {min(public_ratios):.2f}x to {max(public_ratios):.2f}x)")
        dense_ns = 1e9 / rate_kernel

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

    # Backward induction --------------------------------------------------------------------
    cases = {"one P per step": random_finite_horizon_mdp(args.fh_states, 10, 50, rng=args.seed),
             "stationary": finite_horizon(random_mdp(args.fh_states, 10, rng=args.seed), 50)}
    for label, fh in cases.items():
        V_plain, Q_plain = plain_backward_induction(fh.P, fh.R)  # warm-up (compile)
        res = backward_induction(fh)
        assert np.array_equal(V_plain, res.values) and np.array_equal(Q_plain, res.q_values), \
            "the plain loop computes something else"
        t_bi = t_plain = np.inf
        bi_ratios = []
        for _ in range(2 * args.repeat):
            this_bi = best_time(lambda: backward_induction(fh), 1)
            this_plain = best_time(lambda: plain_backward_induction(fh.P, fh.R), 1)
            bi_ratios.append(this_plain / this_bi)
            t_bi, t_plain = min(t_bi, this_bi), min(t_plain, this_plain)
        print(f"backward induction, S={args.fh_states}, A=10, H=50, {label} (values equal bit for bit)")
        print(f"  backward_induction (mdps)       : {1e3 * t_bi:9.2f} ms CPU")
        print(f"  plain Numba loop                : {1e3 * t_plain:9.2f} ms CPU")
        print(f"  ratio plain / mdps              : {t_plain / t_bi:9.2f}x   (target >= 1; rounds {min(bi_ratios):.2f}x "
              f"to {max(bi_ratios):.2f}x)")

    # Sparse MDPs -----------------------------------------------------------------------------
    side = args.sparse_side
    for name, build in ((f"sparse_gridworld({side}, {side}, 0.99)", lambda: sparse_gridworld(side, side, 0.99)),
                        (f"sparse_chain({side * side}, 0.99)", lambda: sparse_chain(side * side, 0.99))):
        start = time.perf_counter()
        mdp_sparse = build()
        built = time.perf_counter() - start
        print(f"{name}: S={mdp_sparse.n_states}, nnz(P)={mdp_sparse.P.nnz}, built in {built:.2f} s")
        values = {}
        for method in ("pi", "mpi", "vi"):
            start, cpu = time.perf_counter(), time.process_time()
            res = solve(mdp_sparse, method)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            values[method] = res.values
            print(f"  solve {method:>3}: {wall:7.2f} s wall, {cpu:7.2f} s CPU, {res.iterations:5d} iterations, "
                  f"certified error <= {res.value_error_bound:.1e}")
        gap = max(np.max(np.abs(values[m] - values["pi"])) for m in ("mpi", "vi"))
        print(f"  largest gap between the methods' values: {gap:.1e}")
    grid = sparse_gridworld(side, side, 0.99)
    uniform = np.full((grid.n_states, 4), 0.25)
    pi = policy_matrix(uniform, 4)[None]
    csr_args = (grid.P.indptr, grid.P.indices, grid._alias_tables.reshape(-1, 1), grid.R, _single_actions(pi),
                packed_alias_table(pi), packed_alias_table(grid.initial))
    _sparse_rollout_kernel(*csr_args, 1, 10, False, 0.1, np.random.default_rng(args.seed))
    t_k = t_p = np.inf
    for _ in range(args.repeat):
        t_k = min(t_k, best_time(lambda: _sparse_rollout_kernel(*csr_args, 2_000, 1_000, False, 0.1,
                                                                np.random.default_rng(args.seed)), 1))
        t_p = min(t_p, best_time(lambda: sample_episodes(grid, uniform, 2_000, args.seed, n_steps=1_000), 1))
    print(f"  sampling on the gridworld, uniform policy: CSR kernel {1e9 * t_k / 2e6:.1f} ns/step, sample_episodes "
          f"{1e9 * t_p / 2e6:.1f} ns/step ({t_p / t_k:.2f}x its kernel); the dense kernel above (S={S}): "
          f"{dense_ns:.1f} ns/step")

    # Stationary finite horizon: P stored once ---------------------------------------------------
    if args.fh_memory_states > 0:
        Sm = args.fh_memory_states
        stationary = finite_horizon(random_mdp(Sm, 10, rng=args.seed), 50)
        low, high = np.lib.array_utils.byte_bounds(stationary.P)
        print(f"finite_horizon(random_mdp({Sm}, 10), 50): P holds {(high - low) / 2**20:,.0f} MiB "
              f"(H S A S floats would be {50 * Sm * 10 * Sm * 8 / 2**30:,.1f} GiB); stationary={stationary.stationary}")

    # solve(method="auto") -------------------------------------------------------------------------
    print('policy iteration against modified policy iteration (what solve(method="auto") picks)')
    problems = [(f"random_mdp({n}, 10, {g})", random_mdp(n, 10, gamma=g, rng=args.seed))
                for n in (50, 200, 500, 1000) for g in (0.9, 0.99, 0.999)]
    problems += [("gridworld(20, 20, 0.99)", gridworld(20, 20, 0.99)), ("chain_mdp(300, 0.99)", chain_mdp(300, 0.99))]
    for name, problem in problems:
        t_pi = best_time(lambda: solve(problem, "pi"), args.repeat)
        t_mpi = best_time(lambda: solve(problem, "mpi"), args.repeat)
        print(f"  {name:28s} pi {1e3 * t_pi:8.2f} ms, mpi {1e3 * t_mpi:8.2f} ms, pi / mpi {t_pi / t_mpi:6.2f}x, "
              f"auto picks {_auto_method(problem)}")

    # Linear program against value iteration --------------------------------------------------
    cases = [("sparse_gridworld(45, 45, 0.95)", sparse_gridworld(45, 45, 0.95))]
    if args.lp_states > 0:
        cases.append((f"random_mdp({args.lp_states}, 10, 0.95)", random_mdp(args.lp_states, 10, gamma=0.95, rng=args.seed)))
    for name, problem in cases:
        t_vi = best_time(lambda: value_iteration(problem), 3)
        start = time.process_time()
        lp = linear_program(problem)
        t_lp = time.process_time() - start
        gap = np.max(np.abs(lp.values - value_iteration(problem).values))
        print(f"linear program vs value iteration, {name}: LP {t_lp:.2f} s, VI {1e3 * t_vi:.1f} ms CPU, "
              f"ratio {t_lp / t_vi:.0f}x (target <= 3x); LP certified error <= {lp.value_error_bound:.1e}, gap {gap:.1e}")


if __name__ == "__main__":
    main()
