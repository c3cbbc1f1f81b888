"""The project against rlberry: FiniteMDP simulation, UCBVI and LSVI-UCB, same inputs.

rlberry cannot live beside this project's environment: its latest release (0.7.3) requires
``gymnasium<0.30`` and fails at import with gymnasium 1.x, and its UCBVI and LSVI-UCB agents are in
the companion package ``rlberry-scool`` (``rlberry_scool.agents.UCBVIAgent``,
``rlberry_scool.agents.LSVIUCBAgent``; plain Python and numpy, no Numba). So this script runs in a
separate virtual environment, set up with

    python -m venv /tmp/rlberry_venv
    /tmp/rlberry_venv/bin/pip install "rlberry==0.7.3" "rlberry-scool==0.7.3" "gymnasium<0.30" -e .

from the repository root (the project's runtime dependencies do not include gymnasium, so ``-e .``
without extras keeps gymnasium 0.29), and is run with ``/tmp/rlberry_venv/bin/python``.

Conventions as in ``bench_peers.py``: CPU times of this process (``time.process_time``) with BLAS
limited to one thread; each round runs every contender once (a call shorter than ~50 ms is
repeated and timed as a batch), in an order rotated from round to round; outputs are checked
before anything is timed; the ratio is rlberry's time / the project's in the same round, min and
median over the rounds.

1. **Simulation.** A random MDP (``mdps.instances.random_mdp``, S = 200, A = 10: Dirichlet(1) rows,
   uniform rewards); the same arrays ``P[s, a, s']``, ``R[s, a]`` go to rlberry's
   ``FiniteMDP(R, P)``, stepped in a Python loop under the uniform random policy, and to
   ``mdps.sample_episodes`` with the same policy (episodes of 100 steps). rlberry checks that each
   row sums to 1 within 1e-15, which Dirichlet rows need not do, so the rows are renormalised once
   and both get the renormalised array. Check: for every sampled transition the randomised
   probability-integral transform of s' under ``P[s, a]`` is Uniform(0, 1) exactly when s' follows
   the kernel; its histogram in 20 bins gets a chi-square test (19 degrees of freedom, valid at any
   sample size, unlike a test of the 400,000 (s, a, s') cells), p-value > 1e-4 for both samples.
   Time per step.
2. **Tabular UCBVI.** rlberry's ``UCBVIAgent`` (Azar et al. 2017 with a "simplified Bernstein"
   bonus :math:`c / \\sqrt{n} + V_{\\max,h} / n`, stationary model estimate, a full backward
   induction after **every** episode, loops in Python) against the project's
   ``provable_rl.optimistic_ac.low_switching_ucbvi`` (Hoeffding bonus
   :math:`c (H - h) \\sqrt{\\iota / n}`, per-step model estimate, backward induction only when a
   count doubles, greedy actor; one Numba kernel for the whole run, which also evaluates every
   played policy exactly for the regret) and ``optimistic_actor_critic`` (the same critic with the
   softmax actor of Tan, Fan & Wei 2025); also ``low_switching_ucbvi(..., switching="every_episode")``,
   which, like rlberry's agent, redoes the backward induction after every episode. **The
   algorithms differ** (bonus, model estimate, and for the first and third the switching), so there
   is no output to compare beyond all running T episodes; what is compared is the CPU cost per
   episode of a T-episode run on the same MDP (``random_mdp(20, 5)`` truncated at H = 10,
   stationary; bonus scale 1 for all). At T = 300 the 1000 per-step counts are still small, so the
   doubling rule updates the critic in most episodes (the "critic updates" column) and the
   project's rows differ little: the ratio measures the implementation (Numba vs Python loops),
   not the rare switching.
3. **LSVI-UCB.** rlberry's ``LSVIUCBAgent`` (Jin et al. 2020; at each episode it re-solves the
   regression from the **whole history** of T H transitions, a Python loop over T H A, so an
   episode costs O(T)) against the project's ``linear_optimistic_actor_critic`` (LSVI-UCB critic
   from per-(h, s, a, s') sufficient statistics, recomputed only when a :math:`\\det \\Lambda_h`
   doubles, softmax actor; Numba). Same features :math:`\\phi(s, a)` (the AC-T5 instance:
   ``random_linear_mdp`` d = 5, ``|A|`` = 10, H = 5, S = 10); rlberry is given a stationary
   ``FiniteMDP`` made of the instance's step-0 kernel and rewards (its agent assumes stationary
   transitions), so its trajectories follow a different law from step 1 on: only the cost is
   compared. rlberry's cost is that of episode T + 1 (its history filled first with T episodes of
   random actions, outside the clock, then one ``run_episode`` and one regression, as in its
   ``fit``); the project's is a T-episode run divided by T, with determinant-doubling switches (at
   the theory-sized radius c = 1 of AC-T5 the critic sits at its cap for the first ~65k episodes
   and a run switches only a few dozen times, e.g. 35 at T = 2000) and with ``switching="every_episode"``
   (a new critic after every episode, as rlberry). **The algorithms differ** (whole history vs
   sufficient statistics, and the bonuses: rlberry adds a :math:`V_{\\max} \\|\\phi\\|^2_{\\Lambda^{-1}}`
   term to :math:`c \\|\\phi\\|_{\\Lambda^{-1}}`), so the outputs are not compared; the ratio grows
   linearly with T because rlberry's episode does.

Measured 2026-12-05 on the shared 2-core machine (Python 3.11, rlberry 0.7.3, rlberry-scool 0.7.3,
gymnasium 0.29.1; 26 s of wall time), ``/tmp/rlberry_venv/bin/python benchmarks/bench_rlberry.py``:

    1. simulation: random_mdp S=200, A=10, uniform random policy, 50,000 steps a call, 5 rounds
       (PIT chi-square p vs P: rlberry 0.36, mdps 0.82)
       rlberry FiniteMDP.step loop :     12354 ns/step
       mdps.sample_episodes        :        20 ns/step
       ratio rlberry / mdps        : 540x min, 614x median
    2. tabular UCBVI (different algorithms, see the docstring):
       random_mdp S=20, A=5, H=10 (stationary), T=300 episodes a run, 5 rounds
                                  us/episode  rlberry / this: min   median  critic updates
       low_switching_ucbvi               6.9                 745x     755x             258
       ucbvi every episode               7.7                 663x     676x             300
       optimistic_actor_critic          23.9                 218x     219x             300
       rlberry UCBVIAgent             5279.7                                          300
    3. LSVI-UCB (different algorithms, see the docstring):
       AC-T5 features d=5, |A|=10, H=5, S=10, 3 rounds
                     rlberry        project, rare switching         project, every episode
            T    episode T+1       run / T ratio min  median       run / T ratio min  median
          500       315.8 ms        2.3 us  129502x  133578x       17.7 us   17363x   17467x
         1000       629.1 ms        1.7 us  367617x  367781x       17.2 us   36396x   36511x
         2000      1258.2 ms        1.4 us  900502x  919800x       16.9 us   74126x   74160x
    (26 s of wall time)
"""
from __future__ import annotations

import argparse
import os


def _limit_threads(n: int) -> None:
    # Must run before numpy is imported: OpenBLAS reads these once, at load time.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1: one core)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sim-steps", type=int, default=50_000, help="rlberry steps per round (0: skip)")
    parser.add_argument("--sim-rounds", type=int, default=5)
    parser.add_argument("--ucbvi-episodes", type=int, default=300, help="T of the UCBVI runs (0: skip)")
    parser.add_argument("--ucbvi-rounds", type=int, default=5)
    parser.add_argument("--lsvi-episodes", type=int, nargs="*", default=[500, 1000, 2000])
    parser.add_argument("--lsvi-rounds", type=int, default=3)
    return parser.parse_args(argv)


def _per_call(fn, min_time=0.05):
    """CPU seconds per call of fn, repeating it until a batch lasts min_time."""
    import time

    calls, start = 0, time.process_time()
    while True:
        fn()
        calls += 1
        spent = time.process_time() - start
        if spent >= min_time:
            return spent / calls


def _interleaved(contenders: dict, rounds: int, reference: str):
    """Per-call times {name: [per round]}, the order rotated each round; ratios to ``reference``."""
    import numpy as np

    names = list(contenders)
    times = {name: [] for name in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            times[name].append(contenders[name]())
    ratios = {name: np.array(times[name]) / np.array(times[reference]) for name in names if name != reference}
    return {name: min(t) for name, t in times.items()}, ratios


def _pit_chi_square(s, a, s_next, P, rng, n_bins=20):
    """Chi-square p-value of the randomised PIT of s' under P[s, a] (uniform iff s' ~ P[s, a])."""
    import numpy as np
    import scipy.stats

    cdf = np.cumsum(P, axis=-1)
    upper = cdf[s, a, s_next]
    lower = upper - P[s, a, s_next]
    u = lower + rng.random(len(s)) * (upper - lower)
    counts = np.bincount(np.minimum((u * n_bins).astype(int), n_bins - 1), minlength=n_bins)
    return float(scipy.stats.chisquare(counts).pvalue)


def _renormalised(P):
    import numpy as np

    P = P / P.sum(axis=-1, keepdims=True)
    if np.max(np.abs(P.sum(axis=-1) - 1.0)) >= 1e-15:  # rlberry's own check
        raise AssertionError("rows still off 1 by 1e-15 after renormalisation")
    return P


def simulation_section(args):
    """rlberry FiniteMDP.step loop against sample_episodes on the same arrays (see the docstring)."""
    import numpy as np
    from rlberry.envs.finite_mdp import FiniteMDP

    from mdps import DiscountedMDP, sample_episodes
    from mdps.instances.random import random_mdp

    base = random_mdp(200, 10, 0.9, rng=args.seed)
    P, R = _renormalised(np.array(base.P)), np.array(base.R)
    mdp = DiscountedMDP(P, R, 0.9, initial=base.initial)
    S, A = mdp.n_states, mdp.n_actions
    env = FiniteMDP(R, P.copy(), initial_state_distribution=np.asarray(mdp.initial, float))
    env.reseed(args.seed)
    policy = np.full((S, A), 1.0 / A)
    n_steps = 100
    n_episodes = max(1, args.sim_steps // n_steps)
    total = n_steps * n_episodes

    def rlberry_loop(record=None):
        rng = np.random.default_rng(args.seed)
        actions = rng.integers(A, size=total)
        for k in range(total):
            if k % n_steps == 0:
                s, _ = env.reset()
            s_next, _, _, _, _ = env.step(actions[k])
            if record is not None:
                record.append((s, actions[k], s_next))
            s = s_next

    def ours():
        return sample_episodes(mdp, policy, n_episodes, rng=args.seed, n_steps=n_steps)

    record = []
    rlberry_loop(record)
    s, a, s_next = (np.array(c) for c in zip(*record))
    check_rng = np.random.default_rng(args.seed + 1)
    p_rlberry = _pit_chi_square(s, a, s_next, P, check_rng)
    data = ours()
    p_ours = _pit_chi_square(data.s, data.a, data.s_next, P, check_rng)
    if min(p_rlberry, p_ours) <= 1e-4:
        raise AssertionError(f"transitions do not follow P (p = {p_rlberry:.2g} rlberry, {p_ours:.2g} mdps)")
    best, ratios = _interleaved({"mdps": lambda: _per_call(ours), "rlberry": lambda: _per_call(rlberry_loop)},
                                args.sim_rounds, "mdps")
    r = ratios["rlberry"]
    print(f"1. simulation: random_mdp S={S}, A={A}, uniform random policy, {total:,} steps a call, "
          f"{args.sim_rounds} rounds\n   (PIT chi-square p vs P: rlberry {p_rlberry:.2f}, mdps {p_ours:.2f})")
    print(f"   rlberry FiniteMDP.step loop : {1e9 * best['rlberry'] / total:9.0f} ns/step")
    print(f"   mdps.sample_episodes        : {1e9 * best['mdps'] / total:9.0f} ns/step")
    print(f"   ratio rlberry / mdps        : {np.min(r):.0f}x min, {np.median(r):.0f}x median")


def ucbvi_section(args):
    """rlberry's UCBVIAgent against low_switching_ucbvi / optimistic_actor_critic, cost per episode."""
    import numpy as np
    from rlberry.envs.finite_mdp import FiniteMDP
    from rlberry_scool.agents import UCBVIAgent

    from mdps import DiscountedMDP
    from mdps.core import finite_horizon
    from mdps.instances.random import random_mdp
    from provable_rl.optimistic_ac import low_switching_ucbvi, optimistic_actor_critic

    S, A, H, T = 20, 5, 10, args.ucbvi_episodes
    base = random_mdp(S, A, 0.9, rng=args.seed)
    P, R = _renormalised(np.array(base.P)), np.array(base.R)
    tab = finite_horizon(DiscountedMDP(P, R, 0.9, initial=base.initial), H)
    env = FiniteMDP(R, P.copy(), initial_state_distribution=np.asarray(tab.initial, float))

    def rlberry_run():
        agent = UCBVIAgent(env, gamma=1.0, horizon=H, bonus_scale_factor=1.0, seeder=args.seed)
        agent.fit(T)
        return agent

    def ucbvi_run():
        return low_switching_ucbvi(tab, T, args.seed, bonus_scale=1.0)

    def every_episode_run():
        return low_switching_ucbvi(tab, T, args.seed, bonus_scale=1.0, switching="every_episode")

    def ac_run():
        return optimistic_actor_critic(tab, T, args.seed, bonus_scale=1.0)

    contenders = {"low_switching_ucbvi": ucbvi_run, "ucbvi every episode": every_episode_run,
                  "optimistic_actor_critic": ac_run, "rlberry UCBVIAgent": rlberry_run}
    agent = rlberry_run()
    runs = [fn() for fn in list(contenders.values())[:3]]  # also compiles / loads the kernels
    if agent.episode != T or any(run.regret.shape != (T,) for run in runs):
        raise AssertionError("a learner did not run T episodes")
    best, ratios = _interleaved({name: lambda fn=fn: _per_call(fn) for name, fn in contenders.items()},
                                args.ucbvi_rounds, "rlberry UCBVIAgent")
    print(f"2. tabular UCBVI (different algorithms, see the docstring):\n   random_mdp S={S}, A={A}, H={H} "
          f"(stationary), T={T} episodes a run, {args.ucbvi_rounds} rounds")
    print(f"   {'':<25} {'us/episode':>11} {'rlberry / this: min':>20} {'median':>8} {'critic updates':>15}")
    updates = dict(zip(contenders, [run.n_switches for run in runs] + [agent.episode]))
    for name in contenders:
        line = f"   {name:<25} {1e6 * best[name] / T:11.1f}"
        if name in ratios:
            r = 1.0 / ratios[name]
            line += f" {np.min(r):>19.0f}x {np.median(r):>7.0f}x"
        else:
            line += f" {'':>28}"
        print(line + f" {updates[name]:>15}")


def lsvi_section(args):
    """rlberry's LSVIUCBAgent (cost of episode T+1) against linear_optimistic_actor_critic (run / T)."""
    import numpy as np
    from rlberry.envs.finite_mdp import FiniteMDP
    from rlberry_scool.agents import LSVIUCBAgent

    from proofs_check.optimistic_ac import LINEAR, linear_instance
    from provable_rl.optimistic_ac import linear_optimistic_actor_critic

    lin = linear_instance()
    tab = lin.tabular
    features = np.asarray(lin.features, float)
    S, A, d = features.shape
    H = tab.horizon
    P0, R0 = _renormalised(np.array(tab.P[0])), np.array(tab.R[0])
    env = FiniteMDP(R0, P0, initial_state_distribution=np.asarray(tab.initial, float))

    class Features:
        shape = (d,)

        def map(self, observation, action):
            return features[observation, action]

    def filled_agent(T):
        agent = LSVIUCBAgent(env, horizon=H, feature_map_fn=lambda env: Features(), gamma=1.0,
                             bonus_scale_factor=1.0, seeder=args.seed)
        agent.n_episodes = T + 1
        agent.reset()
        agent.bonus_scale_factor = 0.0  # random actions while filling the history, as its fit does at c = 0
        for _ in range(T):
            agent.run_episode()
        agent.bonus_scale_factor = 1.0
        return agent

    def rlberry_episode(agent):
        history = (agent.episode, agent.total_time_steps, agent.lambda_mat.copy(), agent.lambda_mat_inv.copy())

        def one():
            agent.run_episode()
            agent.w_vec = agent._run_lsvi(agent.bonus_scale_factor)
            # back to episode T + 1 for the next call (the history arrays are overwritten in place)
            agent.episode, agent.total_time_steps = history[0], history[1]
            agent.lambda_mat[:], agent.lambda_mat_inv[:] = history[2], history[3]
            del agent.state_hist[history[1]:], agent.action_hist[history[1]:], agent.nstate_hist[history[1]:]
        return one

    opts = dict(bonus_scale=LINEAR["bonus_scale"], eta=LINEAR["eta"])
    linear_optimistic_actor_critic(lin, 10, 0, **opts)  # compile / load the kernel
    print(f"3. LSVI-UCB (different algorithms, see the docstring):\n   AC-T5 features d={d}, |A|={A}, H={H}, "
          f"S={S}, {args.lsvi_rounds} rounds")
    print(f"   {'':>6} {'rlberry':>14} {'project, rare switching':>30} {'project, every episode':>30}")
    print(f"   {'T':>6} {'episode T+1':>14} {'run / T':>13} {'ratio min':>8} {'median':>7} "
          f"{'run / T':>13} {'ratio min':>8} {'median':>7}")
    for T in args.lsvi_episodes:
        agent = filled_agent(T)
        if agent.total_time_steps != T * H:
            raise AssertionError("rlberry's history is not T H transitions")
        run = linear_optimistic_actor_critic(lin, T, args.seed, **opts)
        if run.regret.shape != (T,):
            raise AssertionError("linear_optimistic_actor_critic did not run T episodes")
        ours = lambda T=T: linear_optimistic_actor_critic(lin, T, args.seed, **opts)  # noqa: E731
        every = lambda T=T: linear_optimistic_actor_critic(  # noqa: E731
            lin, T, args.seed, switching="every_episode", **opts)
        one = rlberry_episode(agent)
        best, ratios = _interleaved({"ours": lambda: _per_call(ours) / T, "every": lambda: _per_call(every) / T,
                                     "rlberry": lambda: _per_call(one)}, args.lsvi_rounds, "rlberry")
        r, r_every = 1.0 / ratios["ours"], 1.0 / ratios["every"]
        print(f"   {T:>6} {1e3 * best['rlberry']:>11.1f} ms {1e6 * best['ours']:>10.1f} us "
              f"{np.min(r):>7.0f}x {np.median(r):>7.0f}x {1e6 * best['every']:>10.1f} us "
              f"{np.min(r_every):>7.0f}x {np.median(r_every):>7.0f}x")


def main(argv=None):
    args = _parse(argv)
    _limit_threads(args.threads)
    import time

    start = time.perf_counter()
    if args.sim_steps:
        simulation_section(args)
    if args.ucbvi_episodes:
        ucbvi_section(args)
    if args.lsvi_episodes:
        lsvi_section(args)
    print(f"({time.perf_counter() - start:.0f} s of wall time)")


if __name__ == "__main__":
    main()
