"""Bit-for-bit regression of the mdps foundation: outputs stored before the performance work.

The calibrated claims of the project depend on these numbers (V*, Q*, policies, occupancies and
sampled data for a given seed), so a speed-up must leave them identical, not merely close.
``golden_outputs.npz`` was written by ``python tests/mdps/test_golden.py`` on the code before the
changes it guards (sparse MDPs, cached alias tables, stationary finite-horizon P, the backward
induction backup); re-run it only when a change of numbers is intended. Re-run on 2026-12-05 for
backward induction's Numba kernel (a fixed order of summation instead of BLAS's): fh-V, fh-Q,
st-V and st-Q moved by at most 3e-15, every other entry (policies included) stayed identical.
"""
import os

import numpy as np

from mdps import (
    backward_induction, finite_horizon, occupancy, policy_evaluation, sample_episodes, sample_offline_data,
    sample_statistics, solve, state_occupancy,
)
from mdps.instances import chain_mdp, gridworld, random_finite_horizon_mdp, random_mdp

GOLDEN = os.path.join(os.path.dirname(__file__), "golden_outputs.npz")


def compute() -> dict:
    out = {}
    for gamma in (0.9, 0.99):
        mdp = random_mdp(30, 4, gamma=gamma, rng=3)
        for method in ("pi", "vi", "mpi", "lp"):
            res = solve(mdp, method=method)
            out[f"{gamma}-{method}-V"], out[f"{gamma}-{method}-Q"] = res.values, res.q_values
            out[f"{gamma}-{method}-pi"] = res.policy
            out[f"{gamma}-{method}-bounds"] = np.array([res.value_error_bound, res.policy_error_bound, res.iterations])
        stochastic = np.random.default_rng(1).dirichlet(np.ones(4), size=30)
        out[f"{gamma}-eval-det"] = policy_evaluation(mdp, mdp.optimal_policy)
        out[f"{gamma}-eval-sto"] = policy_evaluation(mdp, stochastic)
        out[f"{gamma}-occ-det"] = occupancy(mdp, mdp.optimal_policy)
        out[f"{gamma}-occ-sto"] = state_occupancy(mdp, stochastic)
    for name, mdp in (("chain", chain_mdp(50, 0.95)), ("grid", gridworld(6, 7, 0.95, slip=0.2))):
        for method in ("pi", "mpi"):
            res = solve(mdp, method=method)
            out[f"{name}-{method}-V"], out[f"{name}-{method}-pi"] = res.values, res.policy
    fh = random_finite_horizon_mdp(20, 3, 7, rng=5)
    res = backward_induction(fh)
    out["fh-V"], out["fh-Q"], out["fh-pi"] = res.values, res.q_values, res.policy
    out["fh-eval"] = policy_evaluation(fh, np.random.default_rng(2).dirichlet(np.ones(3), size=(7, 20)))
    out["fh-occ"] = occupancy(fh, res.policy)
    st = finite_horizon(random_mdp(25, 3, rng=4), 9)
    res = backward_induction(st)
    out["st-V"], out["st-Q"], out["st-pi"] = res.values, res.q_values, res.policy
    out["st-occ"] = state_occupancy(st, res.policy)
    mdp = random_mdp(40, 5, gamma=0.95, rng=7)
    stochastic = np.random.default_rng(8).dirichlet(np.ones(5), size=40)
    for key, (problem, policy, kw) in {
        "ep-det": (mdp, mdp.optimal_policy, {"n_steps": 13}),
        "ep-sto": (mdp, stochastic, {"n_steps": 11}),
        "ep-fh": (fh, np.zeros((7, 20), int), {}),
        "ep-st": (st, np.full((25, 3), 1 / 3), {}),
    }.items():
        data = sample_episodes(problem, policy, 37, rng=11, **kw)
        for field in ("s", "a", "r", "s_next", "h"):
            out[f"{key}-{field}"] = getattr(data, field)
    mu = np.random.default_rng(9).dirichlet(np.ones(40 * 5)).reshape(40, 5)
    data = sample_offline_data(mdp, mu, 500, rng=12)
    for field in ("s", "a", "r", "s_next"):
        out[f"iid-{field}"] = getattr(data, field)
    stats = sample_statistics(mdp, mu, 1000, rng=13, n_repetitions=3)
    out["stats-counts"], out["stats-sums"], out["stats-trans"] = stats.counts, stats.reward_sums, stats.transition_counts
    return out


def test_outputs_are_bit_for_bit_those_stored():
    stored = np.load(GOLDEN)
    now = compute()
    assert sorted(stored.files) == sorted(now)
    for key in stored.files:
        assert stored[key].dtype == now[key].dtype, key
        assert np.array_equal(stored[key], now[key]), key


if __name__ == "__main__":
    np.savez_compressed(GOLDEN, **compute())
