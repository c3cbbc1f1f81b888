"""Benchmark of the LCB sweeps (quick budget) against a plain numpy reference, measured in the same run.

Fast path: :mod:`proofs_check.lcb`'s ``run_cell`` (sufficient statistics drawn directly, every
repetition in one vectorised call). Reference: the naive way, with raw samples and a per-repetition
Python loop (draw N arms, N Bernoulli rewards, bincount, score, argmax), computing the same three
rules (LCB, most-played, empirical best) on the same instances. The reference is too slow for whole
cells, so it runs a subsample of each cell's repetitions and its time per cell is extrapolated from
its measured samples per second (said so in the output).

Run: ``python benchmarks/bench_lcb.py`` (about a minute). Prints, per sweep, the time per cell and
the simulated samples per second of both, and their ratios.

``python benchmarks/bench_lcb.py memory [S]`` measures the peak memory (tracemalloc, numpy's
allocations included) of split VI-LCB on raw data at S = 2000 (A = 4, N = 1e6, gamma = 0.9, T + 1 =
140 folds), where per-fold next-state counts held at once would take (T + 1) S^2 A x 8 bytes
(17.9 GB); :func:`provable_rl.lcb.vi_lcb` builds one fold's at a time.
"""
from __future__ import annotations

import math
import time

import numpy as np

import proofs_check.lcb as L
from mdps.instances.lcb import lcb_h1, lcb_h4


def _naive_rules(counts, sums, n_pairs, n_samples):
    """LCB, most-played and empirical best for one dataset (per context rows), plain numpy."""
    r_hat = sums / np.maximum(counts, 1)
    b = np.sqrt(math.log(2 * n_pairs * n_samples) / (2 * np.maximum(counts, 1)))
    seen = counts > 0
    lcb = np.where(seen, r_hat - b, -10.0).argmax(axis=-1)
    mpa = counts.argmax(axis=-1)
    eba = np.where(seen, r_hat, -10.0).argmax(axis=-1)
    return lcb, mpa, eba


def naive_mab_cell(N, rng, reps):
    """The MAB sweep's cell with raw samples and a loop over repetitions; returns (samples drawn, LCB mean)."""
    drawn, lcb_sum = 0, 0.0
    for C in L.MAB_CONCENTRABILITIES:
        for kappa, gap in [(k, None) for k in L.MAB_GAP_SCALES] + [(1.0, g) for g in L.MAB_FIXED_GAPS]:
            bandit, mu, _ = lcb_h1(N, C, kappa, gap=gap)
            for _ in range(reps):
                arms = rng.choice(2, size=N, p=mu)
                rewards = (rng.random(N) < bandit.means[arms]).astype(float)
                counts = np.bincount(arms, minlength=2)
                sums = np.bincount(arms, weights=rewards, minlength=2)
                lcb, _, _ = _naive_rules(counts, sums, 2, N)
                lcb_sum += bandit.gaps[lcb]
                drawn += N
    return drawn, lcb_sum


def naive_cb_cell(N, rng, reps):
    """The CB (LCB-H4) sweep's cell with raw samples and a loop over repetitions."""
    drawn, lcb_sum = 0, 0.0
    for regime in L.CB_REGIMES:
        C = L.regime_concentrability(regime, N, L.CB_STATES)
        for kappa in L.CB_GAP_SCALES:
            cb, mu, _ = lcb_h4(N, C, kappa, L.CB_STATES)
            S, A = cb.means.shape
            flat_mu, flat_means = mu.ravel(), cb.means.ravel()
            for _ in range(reps):
                pairs = rng.choice(S * A, size=N, p=flat_mu)
                rewards = (rng.random(N) < flat_means[pairs]).astype(float)
                counts = np.bincount(pairs, minlength=S * A).reshape(S, A)
                sums = np.bincount(pairs, weights=rewards, minlength=S * A).reshape(S, A)
                lcb, _, _ = _naive_rules(counts, sums, S * A, N)
                lcb_sum += cb.context_distribution @ cb.gaps[np.arange(S), lcb]
                drawn += N
    return drawn, lcb_sum


def bench(name, sweep, samples_per_cell, naive_cell, naive_reps, n_cells=6):
    cells = sweep.cells("quick")
    pick = [cells[i] for i in np.linspace(0, len(cells) - 1, n_cells).astype(int)]
    rng = np.random.default_rng(0)
    sweep.run_cell(dict(pick[0]), rng, sweep.protocol.default)  # warm-up (imports, caches)
    fast_time, fast_samples = 0.0, 0
    for cell in pick:
        start = time.perf_counter()
        sweep.run_cell(dict(cell), rng, sweep.protocol.default)
        fast_time += time.perf_counter() - start
        fast_samples += samples_per_cell(cell)
    naive_time, naive_samples = 0.0, 0
    for cell in pick:
        start = time.perf_counter()
        drawn, _ = naive_cell(cell["N"], rng, naive_reps)
        naive_time += time.perf_counter() - start
        naive_samples += drawn
    fast_rate, naive_rate = fast_samples / fast_time, naive_samples / naive_time
    fast_cell = fast_time / len(pick)
    naive_cell_est = fast_samples / len(pick) / naive_rate  # the same cells at full repetitions
    print(f"\n{name} (quick budget, {len(cells)} cells; {len(pick)} timed, N = {sorted({c['N'] for c in pick})})")
    print(f"  fast  (statistics, batched):    {fast_cell * 1e3:9.1f} ms per cell, {fast_rate:10.3g} samples/s")
    print(f"  naive (raw samples, rep loop): {naive_cell_est * 1e3:9.1f} ms per cell (extrapolated from "
          f"{naive_reps} reps per instance), {naive_rate:10.3g} samples/s")
    print(f"  ratio naive / fast: {naive_cell_est / fast_cell:.0f}x per cell")
    return naive_cell_est / fast_cell


def main():
    mab_reps = L._mab_reps("quick")
    n_grid = len(L.MAB_GAP_SCALES) + len(L.MAB_FIXED_GAPS)
    bench("LCB-M1..M3 sweep lcb.mab_worst_case", L.MAB_SWEEP,
          lambda c: len(L.MAB_CONCENTRABILITIES) * n_grid * mab_reps * c["N"], naive_mab_cell, naive_reps=4)
    cb_reps = 250  # quick-budget repetitions per instance of lcb.cb_ambiguous
    bench("LCB-C1 sweep lcb.cb_ambiguous", L.C1_SWEEP,
          lambda c: len(L.CB_REGIMES) * len(L.CB_GAP_SCALES) * cb_reps * c["N"], naive_cb_cell, naive_reps=4)


def memory(n_states=2000, n_actions=4, n_samples=1_000_000, gamma=0.9):
    """Peak traced memory of split VI-LCB on raw data, and what all folds' next-state counts would take."""
    import tracemalloc

    from mdps import data_distribution, sample_offline_data
    from mdps.instances import random_mdp
    from provable_rl.lcb import n_vi_lcb_iterations, vi_lcb

    mdp = random_mdp(n_states, n_actions, gamma=gamma, rng=0)
    data = sample_offline_data(mdp, data_distribution(mdp, 2.0), n_samples, rng=1)
    folds = n_vi_lcb_iterations(n_samples, gamma) + 1
    all_folds = folds * n_states ** 2 * n_actions * 8
    tracemalloc.start()
    start = time.perf_counter()
    vi_lcb(data, gamma, split=True, rng=2)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"split VI-LCB, S={n_states} A={n_actions} N={n_samples:g} gamma={gamma} ({folds} folds): "
          f"peak {peak / 2 ** 30:.2f} GiB traced during vi_lcb ({seconds:.0f} s); all folds' next-state "
          f"counts at once would take {all_folds / 2 ** 30:.1f} GiB ({all_folds / peak:.0f}x)")
    return peak


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["memory"]:
        memory(*(int(a) for a in sys.argv[2:3]))
    else:
        main()
