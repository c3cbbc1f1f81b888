"""Speed of Dual RL's solvers, as ratios measured in the same run.

1. The occupancy LP (``provable_rl.dual_rl.occupancy_lp``) through cvxpy with its default solver
   (CLARABEL here) against scipy's HiGHS ``linprog`` given the same LP in its V-form (the default,
   ``method="highs"``) and in its d-form (``"highs-primal"``), and against value iteration
   (``mdps.planning.value_iteration``, tol 1e-8) on the same random MDPs, S from 10 to 500, A = 4,
   gamma = 0.9. Every answer is checked against V* before it is timed.
2. The tabular f-DVL fixed point (``fdvl_value_iteration``) with its Numba V-step against the same
   iteration with a vectorised numpy V-step (the reference below), chi-square surrogate, and the TV
   V-step as the numpy quantile (the default) against the Numba piecewise kernel.

Run: ``python benchmarks/bench_dual_rl.py [--quick]``. Timings are medians of repeats; only the
ratios mean anything (the machine is shared).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from mdps.instances.random import random_mdp
from mdps.planning import value_iteration
from provable_rl import dual_rl as D


def _median_time(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def implicit_max_numpy(Q, mu, lam, loss="chi2"):
    """Vectorised numpy twin of the Numba V-step: the same piecewise root search, all states at once."""
    spec = D.IMPLICIT_LOSSES[loss]
    bp = np.array(spec.breakpoints)
    ic, sl = np.array(spec.intercepts), np.array(spec.slopes)
    S, A = Q.shape
    cands = np.sort((Q[:, :, None] - bp[None, None, :]).reshape(S, -1), axis=1)  # (S, K)
    lo = np.concatenate([np.full((S, 1), -np.inf), cands], axis=1)
    hi = np.concatenate([cands, np.full((S, 1), np.inf)], axis=1)
    mid = np.where(np.isinf(lo), hi - 1.0, np.where(np.isinf(hi), lo + 1.0, 0.5 * (lo + hi)))
    y = Q[:, None, :] - mid[:, :, None]  # (S, K+1, A)
    region = np.sum(bp[None, None, None, :] < y[..., None], axis=-1)
    w = mu[:, None, :]
    c0 = (1 - lam) - lam * np.sum(w * (ic[region] + sl[region] * Q[:, None, :]), axis=2)
    c1 = lam * np.sum(w * sl[region], axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.where(c1 > 0, -c0 / c1, np.nan)
    stop_at_lo = ((c1 > 0) & (root <= lo)) | ((c1 == 0) & (c0 >= 0))
    stop_at_root = (c1 > 0) & (root > lo) & (root <= hi)
    stop = stop_at_lo | stop_at_root
    first = np.argmax(stop, axis=1)
    idx = np.arange(S)
    return np.where(stop_at_lo[idx, first], lo[idx, first], root[idx, first])


def fixed_point_numpy(mdp, mu, lam, tol=1e-10):
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.P.reshape(S * A, S)
    V = np.zeros(S)
    while True:
        Q = mdp.R + mdp.gamma * (P @ V).reshape(S, A)
        V_new = implicit_max_numpy(Q, mu, lam)
        res = np.max(np.abs(V_new - V))
        V = V_new
        if mdp.gamma * res <= tol * (1 - mdp.gamma):
            return V


def bench_lp(sizes, repeats):
    warm = random_mdp(4, 2, 0.9, rng=0)
    for method in D.LP_METHODS:  # imports and first-call set-up are not part of the timing
        D.occupancy_lp(warm, method=method)
    print("1. Occupancy LP, A = 4, gamma = 0.9 (median seconds; ratios > 1: the first is slower)")
    print("   cvxpy: d-form, cvxpy's default solver; highs: V-form, HiGHS IPM + crossover (the default);")
    print("   highs-primal: d-form through HiGHS; VI: value iteration to 1e-8")
    print(f"{'S':>5} {'cvxpy':>9} {'highs':>9} {'h-primal':>9} {'VI':>9} {'cvxpy/highs':>12} {'h-primal/highs':>15} "
          f"{'highs/VI':>9}")
    for S in sizes:
        mdp = random_mdp(S, 4, 0.9, rng=S)
        V = mdp.optimal_values
        J = (1 - mdp.gamma) * mdp.initial @ V
        t_cvx, sol_cvx = _median_time(lambda: D.occupancy_lp(mdp, method="cvxpy"), repeats)
        t_hig, sol_hig = _median_time(lambda: D.occupancy_lp(mdp, method="highs"), repeats)
        # The d-form through HiGHS takes minutes at S = 500: one run.
        t_hp, sol_hp = _median_time(lambda: D.occupancy_lp(mdp, method="highs-primal"), 1 if S > 100 else repeats)
        t_vi, vi = _median_time(lambda: value_iteration(mdp, tol=1e-8), repeats)
        for name, err in (("cvxpy", abs(sol_cvx.objective - J)), ("highs", abs(sol_hig.objective - J)),
                          ("highs-primal", abs(sol_hp.objective - J)),
                          ("highs multipliers", np.max(np.abs(sol_hig.values - V))),
                          ("VI", np.max(np.abs(vi.values - V)))):
            if err > 1e-6:
                raise AssertionError(f"{name} is wrong at S={S}: error {err:.2e}")
        print(f"{S:>5} {t_cvx:>9.4f} {t_hig:>9.4f} {t_hp:>9.4f} {t_vi:>9.4f} {t_cvx / t_hig:>12.1f} {t_hp / t_hig:>15.1f} "
              f"{t_hig / t_vi:>9.1f}")


def bench_fixed_point(sizes, repeats):
    print("\n2. f-DVL fixed point, A = 4, gamma = 0.9 (median seconds)")
    print(f"{'S':>5} {'chi2 numba':>11} {'chi2 numpy':>11} {'numpy/numba':>12} {'max|diff|':>10} "
          f"{'TV quantile':>12} {'TV numba':>9} {'numba/quantile':>15}")
    D.fdvl_value_iteration(random_mdp(3, 2, 0.9, rng=0), np.full((3, 2), 0.5), loss="chi2", temperature=0.9)  # JIT
    for S in sizes:
        rng = np.random.default_rng(S)
        mdp = random_mdp(S, 4, 0.9, rng)
        mu = rng.dirichlet(np.ones(4), size=S)
        t_nb, res = _median_time(lambda: D.fdvl_value_iteration(mdp, mu, loss="chi2", temperature=0.9), repeats)
        t_np, V_np = _median_time(lambda: fixed_point_numpy(mdp, mu, 0.9), repeats)
        diff = float(np.max(np.abs(res.values - V_np)))
        Q = mdp.R + mdp.gamma * np.einsum("sat,t->sa", mdp.P, res.values)
        t_q, Vq = _median_time(lambda: [D.tv_quantile_value(Q, mu, 0.9) for _ in range(100)], repeats)
        t_k, Vk = _median_time(lambda: [D.implicit_maximum(Q, mu, loss="tv", temperature=0.9) for _ in range(100)], repeats)
        if np.max(np.abs(Vq[0] - Vk[0])) > 0 or diff > 1e-8:
            raise AssertionError(f"V-steps disagree at S={S}")
        print(f"{S:>5} {t_nb:>11.4f} {t_np:>11.4f} {t_np / t_nb:>12.1f} {diff:>10.1e} "
              f"{t_q:>12.4f} {t_k:>9.4f} {t_k / t_q:>15.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args()
    sizes = (10, 50, 200) if args.quick else (10, 30, 100, 300, 500)
    repeats = 1 if args.quick else 3
    bench_lp(sizes, repeats)
    bench_fixed_point(sizes, repeats)


if __name__ == "__main__":
    main()
