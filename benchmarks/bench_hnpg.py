"""Benchmark: sampled HAC on a small lock (L = 5, A = 5, gamma = 0.85, T = 150), Numba vs numpy.

(The lock is the one of :ref:`hnpg-lock`. The registered claim HNPG-H4 runs L = 6, A = 8, T = 600;
this benchmark keeps an earlier, shorter setup so that the numpy reference stays fast to time.)

Both runs execute the same algorithm (:func:`provable_rl.hnpg.hac`, K1 = 2, K2 = 4, m_on = m_off = 200,
lambda = 1) in the same process; ``backend="numba"`` runs all rounds in one Numba kernel (per round:
the sampling kernel, then the HPE kernel, then the mirror step), ``backend="numpy"`` uses the vectorised numpy sampler (same law) and the
bincount HPE. Timings are the best of ``--repeats`` alternating runs after a warm-up (JIT compile
excluded; it is reported separately). Prints the ratio numpy / numba.

Second part (issue 17's memory wall): HAC's exact diagnostics on a random MDP (S = 400, A = 4,
T = 100), computed as before (all T + 1 matrices of S x S stacked: one block), in blocks of
``provable_rl.hnpg.EXACT_BLOCK_ENTRIES`` entries (the default), and skipped (``diagnostics=False``).
Prints the peak traced memory (``tracemalloc``; numpy reports its buffers to it) and the wall time
of each, as ratios to the blocked run, and checks that the blocked numbers equal the stacked ones.
Measured on the shared 2-core machine under load (December 2026, ``--repeats 3``, so best of 2 for
this part): peak memory stacked / blocked 12.3x (380 MiB against 31 MiB), time stacked / blocked
1.1x (3.3x in an earlier run with less load), diagnostics off 0.01x the blocked run's time (the
exact diagnostics are 99% of such a run at S = 400). The stacked and blocked numbers agreed to 1e-12.

Third part: Algorithm 3 (:func:`provable_rl.hnpg.hnpg`, linear HPE critic and compatible fit) on
HNPG-H7's linear lock (L = 4, A = 8, gamma = 0.8, d = 10, T = 800, m_on = m_off = 100), all rounds in
one Numba kernel (the default since December 2026) against the per-round loop it replaced (the Numba
sampler, then HPE's and the fit's normal equations in numpy; kept as the reference, ``fused=False``),
same process, same seeds, alternating runs. Prints the ratio loop / kernel and the largest difference
of the two runs' policies (rounding only: the kernel sums in another order). Measured on the shared
2-core machine under load (December 2026, ``linear_comparison(3)``): loop 1.355 s, kernel 0.198 s,
6.8x; largest policy difference 8.4e-10.

    python benchmarks/bench_hnpg.py [--repeats 5] [--memory-states 400]
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

import provable_rl.hnpg as hnpg_module
from mdps.instances.hnpg import linear_lock, lock_problem
from mdps.instances.random import random_mdp
from provable_rl.hnpg import hac


LOCKS = {}


def run(backend: str, seed: int):
    # The lock (and its V*) is built once per seed, outside the timed part of later runs.
    if seed not in LOCKS:
        LOCKS[seed] = lock_problem(5, 5, 0.85, rng=seed)
        LOCKS[seed].mdp.optimal_values
    lock = LOCKS[seed]
    return hac(lock.mdp, n_iterations=150, critic="hybrid", offline_distribution=lock.offline_distribution,
               reset=lock.reset, lam=1.0, k1=2, k2=4, m_on=200, m_off=200, rng=seed, backend=backend), lock


def best_times(repeats: int) -> dict:
    """Best wall time per backend; runs alternate so that machine load hits both alike."""
    times = {"numba": [], "numpy": []}
    for r in range(repeats):
        run("numba", r)  # build lock r untimed
        for backend in times:
            start = time.perf_counter()
            run(backend, r)
            times[backend].append(time.perf_counter() - start)
    return {b: min(t) for b, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory-states", type=int, default=400)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    run("numba", 0)  # compile (or load the cached kernels)
    print(f"first numba run (includes JIT compile or cache load): {time.perf_counter() - start:.3f} s")
    best = best_times(args.repeats)
    t_numba, t_numpy = best["numba"], best["numpy"]
    print(f"HAC on the lock (L=5, A=5, gamma=0.85, T=150), best of {args.repeats}:")
    print(f"  numpy reference : {t_numpy:.3f} s")
    print(f"  numba kernels   : {t_numba:.3f} s")
    print(f"  speed-up numpy / numba = {t_numpy / t_numba:.1f}x (target >= 20x)")
    gaps = {b: [float(out.suboptimality[-1] / (lock.mdp.initial @ lock.mdp.optimal_values))
                for out, lock in (run(b, s) for s in range(3))] for b in ("numba", "numpy")}
    for b, g in gaps.items():
        print(f"  final relative suboptimality ({b}, seeds 0-2): {np.round(g, 3).tolist()}")
    memory_comparison(args.memory_states, min(args.repeats, 2))
    linear_comparison(args.repeats)


def diagnostics_run(mdp, mode: str):
    """One HAC run with the diagnostics ``mode``: "stacked" (one block), "blocked" (default) or "off"."""
    nu = np.full((mdp.n_states, mdp.n_actions), 1.0 / (mdp.n_states * mdp.n_actions))
    saved = hnpg_module.EXACT_BLOCK_ENTRIES
    if mode == "stacked":
        hnpg_module.EXACT_BLOCK_ENTRIES = 1 << 62
    try:
        tracemalloc.start()
        start = time.perf_counter()
        out = hac(mdp, n_iterations=100, offline_distribution=nu, m_on=50, m_off=50, rng=0,
                  diagnostics=mode != "off")
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        hnpg_module.EXACT_BLOCK_ENTRIES = saved
    return out, elapsed, peak


def memory_comparison(n_states: int, repeats: int):
    """Peak memory and best time of HAC's diagnostics, stacked vs blocked vs off."""
    mdp = random_mdp(n_states, 4, 0.9, np.random.default_rng(0))
    mdp.optimal_values  # solved once, outside the timed runs
    diagnostics_run(mdp, "off")  # compile / load the kernels
    results = {}
    for mode in ("stacked", "blocked", "off"):
        runs = [diagnostics_run(mdp, mode) for _ in range(repeats)]
        results[mode] = (runs[0][0], min(r[1] for r in runs), max(r[2] for r in runs))
    same = all(np.allclose(getattr(results["stacked"][0], k), getattr(results["blocked"][0], k), rtol=1e-12, atol=1e-12)
               for k in ("values", "critic_error"))
    print(f"HAC diagnostics, random MDP S={n_states}, A=4, T=100, best of {repeats}:")
    base_t, base_m = results["blocked"][1], results["blocked"][2]
    for mode, (_, t, m) in results.items():
        print(f"  {mode:8s}: {t:.3f} s ({t / base_t:.2f}x blocked), peak {m / 2**20:.1f} MiB ({m / base_m:.2f}x blocked)")
    print(f"  stacked and blocked values and critic errors agree to 1e-12: {same}")


def linear_run(problem, fused: bool, seed: int):
    """Algorithm 3 on ``problem`` (a linear lock) with H7's settings, fused kernel or per-round loop."""
    lock, phi = problem.lock, problem.features
    ctx = hnpg_module._Context(lock.mdp, lock.reset, lock.offline_distribution, phi, "numba")
    cfg = hnpg_module._HPEConfig(1.0, 2, 4, 100, 100, 1e-8, True, True)
    T = 800
    eta = (1 - lock.mdp.gamma) * np.sqrt(np.log(lock.mdp.n_actions) / T)
    return hnpg_module._run_actor_critic(ctx, T, eta, cfg, np.random.default_rng(seed), greedy=False,
                                         warm_start=True, policy_features=phi, fused=fused, diagnostics=False)


def linear_comparison(repeats: int):
    """Best time of Algorithm 3's fused kernel against the per-round loop, and their largest difference."""
    problem = linear_lock(4, 8, 0.8, rng=0)
    linear_run(problem, True, 0)  # compile (or load the cached kernel)
    times = {True: [], False: []}
    runs = {}
    for r in range(repeats):
        for fused in times:
            start = time.perf_counter()
            runs[fused] = linear_run(problem, fused, r)
            times[fused].append(time.perf_counter() - start)
    t_kernel, t_loop = min(times[True]), min(times[False])
    diff = float(np.abs(runs[True].policies - runs[False].policies).max())
    print(f"Algorithm 3 on the linear lock (L=4, A=8, d=10, T=800, m=100), best of {repeats}:")
    print(f"  per-round loop  : {t_loop:.3f} s")
    print(f"  fused kernel    : {t_kernel:.3f} s")
    print(f"  speed-up loop / kernel = {t_loop / t_kernel:.1f}x; largest policy difference {diff:.1e}")


if __name__ == "__main__":
    main()
