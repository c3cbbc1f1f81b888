"""Benchmark: sampled HAC on a small lock (L = 5, A = 5, gamma = 0.85, T = 150), Numba vs numpy.

(The lock is the one of :ref:`hnpg-lock`. The registered claim HNPG-H4 runs L = 6, A = 8, T = 600;
this benchmark keeps an earlier, shorter setup so that the numpy reference stays fast to time.)

Both runs execute the same algorithm (:func:`provable_rl.hnpg.hac`, K1 = 2, K2 = 4, m_on = m_off = 200,
lambda = 1) in the same process; ``backend="numba"`` runs all rounds in one Numba kernel (per round:
the sampling kernel, then the HPE kernel, then the mirror step), ``backend="numpy"`` uses the vectorised numpy sampler (same law) and the
bincount HPE. Timings are the best of ``--repeats`` alternating runs after a warm-up (JIT compile
excluded; it is reported separately). Prints the ratio numpy / numba.

    python benchmarks/bench_hnpg.py [--repeats 5]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from mdps.instances.hnpg import lock_problem
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


if __name__ == "__main__":
    main()
