"""Exact planning against its peers: QuantEcon's ``DiscreteDP`` and pymdptoolbox, same inputs.

For every grid point (random MDPs from ``mdps.instances.random_mdp``: Dirichlet(1) transition
rows, uniform rewards; A = 10 actions, S in {100, 500, 1000, 2000}, gamma in {0.9, 0.99}) the
same arrays go to

- ``mdps.planning.solve`` with ``method="pi"``, ``"mpi"`` (default ``m=20``) and ``"vi"``;
- QuantEcon ``DiscreteDP(R, P, gamma).solve`` with ``"policy_iteration"``,
  ``"modified_policy_iteration"`` (``k=20``) and ``"value_iteration"``;
- pymdptoolbox ``PolicyIteration``, ``PolicyIterationModified`` (20 sweeps) and
  ``ValueIteration``, on ``to_mdptoolbox``'s arrays.

The iterative methods all get the same target accuracy ``tol``: the project's default,
``max(1e-10, 10 x rounding floor)`` (the smallest tolerance it can certify, see
``mdps.planning.value_iteration``; 1e-10 up to S = 1000 at gamma = 0.9, up to 4e-8 at
S = 2000, gamma = 0.99), passed as ``epsilon`` to the peers. Outputs are checked before
anything is timed: every policy must equal the one of ``solve(..., "pi")``; policy iteration's
values must agree to 1e-10, and the other values of the project and of QuantEcon must be within
``tol`` of :math:`V^\\star` (their largest gap is printed). pymdptoolbox's modified PI and VI
stop on the span of the change without shifting the values, which are then off by up to a
constant, so for them only the policy is checked (and the value gap printed). pymdptoolbox
refuses a transition matrix whose row sums are more than 10 machine epsilons from 1, which
Dirichlet rows of 1000 states and more can be: it is then skipped, with its message.

Timing: the peer objects and the converted arrays are built once, outside the clock; each round
runs every contender once (a batch of calls of at least ~50 ms when one call is shorter, timed
as a whole), in an order rotated from round to round, so a change of the machine's load hits all
of them alike. Times are CPU times of this process (``time.process_time``) with
BLAS limited to one thread (``--threads``), so that other processes on a shared machine do not
count. The printed ratio is peer time / mdps time of the same method per round (> 1: mdps is
faster), min and median over the rounds; the mdps column is the min of its times. Value
iteration needs thousands of sweeps at gamma = 0.99, so it is run on ``--vi-states`` only.

Simulation against Gymnasium (``--gym-steps``, 0 to skip): Gymnasium's ``FrozenLake-v1`` (8 x 8,
slippery) stepped in a Python loop under the uniform random policy (``env.unwrapped.step``, the
environment without its wrappers, and ``reset`` after a terminal step), against
``mdps.sample_episodes`` on ``mdps.from_gymnasium`` of the same environment (terminal states
absorbing) and the same policy. Before timing, both samples' one-step transition counts are
tested against the converted kernel (a pooled chi-square p-value each, which must exceed 1e-4):
the two simulate the same law. The ratio is Gymnasium's CPU time per step / mdps' per round.

rlberry is not a contender here: its latest release on PyPI (0.7.3) requires ``gymnasium<0.30``, and
with the gymnasium 1.x this project's converters use it fails at import
(``gymnasium.logger.set_level`` no longer exists; tried 2026-12-05 on Python 3.11), so it is not in
the ``bench`` extra. ``benchmarks/bench_rlberry.py`` compares against it (``FiniteMDP.step``,
rlberry-scool's UCBVI and LSVI-UCB agents) from a separate virtual environment with
gymnasium 0.29; its docstring has the setup commands and the measured ratios.

Peers are optional (``pip install -e ".[bench]"``): a missing one is skipped with a message.

Run (6 minutes of wall time on the shared 2-core machine, 2026-12-05; the planning grid alone 1 to 2 minutes on a quiet core):

    python benchmarks/bench_peers.py
"""
from __future__ import annotations

import argparse
import os
import sys


def _limit_threads(n: int) -> None:
    # Must run before numpy is imported: OpenBLAS reads these once, at load time.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


def _parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, nargs="+", default=[100, 500, 1000, 2000])
    parser.add_argument("--gammas", type=float, nargs="+", default=[0.9, 0.99])
    parser.add_argument("--actions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--vi-states", type=int, nargs="*", default=[100, 500])
    parser.add_argument("--vi-rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1: one core)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gym-steps", type=int, default=200_000, help="Gymnasium steps per round (0: skip)")
    parser.add_argument("--gym-rounds", type=int, default=5)
    return parser.parse_args(argv)


def _chi_square_pvalue(counts, P):
    """Pooled chi-square p-value of transition counts N(s, a, s') against the kernel P (S, A, S)."""
    import numpy as np
    import scipy.stats

    n = counts.sum(axis=-1, keepdims=True)
    expected = n * P
    if np.any((counts > 0) & (P == 0)):
        return 0.0  # a transition the kernel forbids
    keep = expected > 0
    stat = float((((counts - expected) ** 2)[keep] / expected[keep]).sum())
    dof = int(((P > 0).sum(axis=-1) - 1)[n[..., 0] > 0].sum())
    return float(scipy.stats.chi2.sf(stat, dof)) if dof else 1.0


def gymnasium_section(args):
    """Gymnasium's FrozenLake step loop against sample_episodes on the converted MDP (see the docstring)."""
    import time

    import numpy as np

    try:
        import gymnasium
    except ImportError:
        print("gymnasium is not installed: skipped (pip install -e '.[gym]')")
        return
    from mdps import from_gymnasium, sample_episodes

    env = gymnasium.make("FrozenLake-v1", map_name="8x8", is_slippery=True).unwrapped
    mdp = from_gymnasium(env, gamma=0.99)
    S, A = mdp.n_states, mdp.n_actions
    policy = np.full((S, A), 1.0 / A)
    n_steps, n_episodes = 100, max(1, args.gym_steps // 100)
    total = n_steps * n_episodes

    def gym_loop(record=None):
        rng = np.random.default_rng(args.seed)
        s, _ = env.reset(seed=args.seed)
        for _ in range(total):
            a = int(rng.integers(A))
            s_next, r, terminated, truncated, _ = env.step(a)
            if record is not None:
                record[s, a, s_next] += 1
            s = env.reset()[0] if terminated or truncated else s_next

    def ours():
        return sample_episodes(mdp, policy, n_episodes, rng=args.seed, n_steps=n_steps)

    counts = np.zeros((S, A, S), np.int64)
    gym_loop(counts)
    p_gym = _chi_square_pvalue(counts, mdp.P)
    data = ours()
    ours_counts = np.zeros((S, A, S), np.int64)
    np.add.at(ours_counts, (data.s, data.a, data.s_next), 1)
    p_ours = _chi_square_pvalue(ours_counts, mdp.P)
    if min(p_gym, p_ours) <= 1e-4:
        raise AssertionError(f"FrozenLake: transitions do not follow the kernel (p = {p_gym:.2g} gym, {p_ours:.2g} mdps)")
    ratios, t_ours, t_gym = [], np.inf, np.inf
    for r in range(args.gym_rounds):
        order = (ours, gym_loop) if r % 2 == 0 else (gym_loop, ours)
        spent = {}
        for fn in order:
            start = time.process_time()
            fn()
            spent[fn] = time.process_time() - start
        ratios.append(spent[gym_loop] / spent[ours])
        t_ours, t_gym = min(t_ours, spent[ours]), min(t_gym, spent[gym_loop])
    print(f"FrozenLake-v1 8x8 slippery, uniform random policy, {total:,} steps a round, {args.gym_rounds} rounds "
          f"(chi-square p vs the kernel: gymnasium {p_gym:.2f}, mdps {p_ours:.2f})")
    print(f"  gymnasium env.step loop : {1e9 * t_gym / total:9.0f} ns/step")
    print(f"  mdps.sample_episodes    : {1e9 * t_ours / total:9.0f} ns/step")
    print(f"  ratio gymnasium / mdps  : {np.min(ratios):.0f}x min, {np.median(ratios):.0f}x median")


def main(argv=None):
    args = _parse(argv)
    _limit_threads(args.threads)
    import time

    import numpy as np

    from mdps.converters import to_mdptoolbox
    from mdps.instances.random import random_mdp
    from mdps.planning import _rounding, solve

    try:
        from quantecon.markov import DiscreteDP
    except ImportError:
        DiscreteDP = None
        print("quantecon is not installed: skipped (pip install -e '.[bench]')")
    try:
        import mdptoolbox.mdp as toolbox
        import mdptoolbox.error as toolbox_errors
    except ImportError:
        toolbox = None
        print("pymdptoolbox is not installed: skipped (pip install -e '.[bench]')")

    def contenders(mdp, method, tol):
        """name -> (run, values and policy of its output) for one method; peers as available."""
        gamma = mdp.gamma
        out = {}
        if method == "pi":
            out["mdps"] = (lambda: solve(mdp, "pi"), lambda r: (r.values, r.policy))
        else:
            out["mdps"] = (lambda: solve(mdp, method, tol=tol), lambda r: (r.values, r.policy))
        if DiscreteDP is not None:
            ddp = DiscreteDP(mdp.R, mdp.P, gamma)
            qe_run = {
                "pi": lambda: ddp.solve(method="policy_iteration"),
                "mpi": lambda: ddp.solve(method="modified_policy_iteration", epsilon=tol, k=20),
                "vi": lambda: ddp.solve(method="value_iteration", epsilon=tol, max_iter=10**6),
            }[method]
            out["quantecon"] = (qe_run, lambda r: (r.v, r.sigma))
        if toolbox is not None:
            T, R = to_mdptoolbox(mdp)

            def tb_run():
                if method == "pi":
                    solver = toolbox.PolicyIteration(T, R, gamma)
                elif method == "mpi":
                    solver = toolbox.PolicyIterationModified(T, R, gamma, epsilon=tol, max_iter=20)
                else:
                    solver = toolbox.ValueIteration(T, R, gamma, epsilon=tol, max_iter=10**6)
                solver.run()
                return solver

            out["mdptoolbox"] = (tb_run, lambda r: (np.array(r.V), np.array(r.policy)))
        return out

    peers = [name for name, present in (("quantecon", DiscreteDP), ("mdptoolbox", toolbox)) if present is not None]
    print(f"random MDPs, A={args.actions}, seed {args.seed}; CPU times, BLAS threads {args.threads}; "
          f"{args.rounds} rounds ({args.vi_rounds} for vi), contenders interleaved")
    print("ratio = peer time / mdps time of the same method (> 1: mdps faster), min / median over rounds")
    header = f"{'S':>5} {'gamma':>5} {'method':>6} {'mdps ms':>9}" + "".join(f" {p + ' min/med':>22}" for p in peers)
    print(header)
    print("-" * len(header))
    fastest = []
    start_all = time.perf_counter()
    for S in args.states:
        for gamma in args.gammas:
            mdp = random_mdp(S, args.actions, gamma, rng=args.seed)
            reference = solve(mdp, "pi")
            tol = max(1e-10, 10.0 * _rounding(S, np.array([mdp.max_value])) / (1.0 - gamma))
            best = {}
            for method in ("pi", "mpi", "vi"):
                if method == "vi" and S not in args.vi_states:
                    continue
                runs = contenders(mdp, method, tol)
                notes, batch = [], {}
                for name, (run, read) in list(runs.items()):
                    start = time.process_time()
                    try:
                        values, policy = read(run())
                    except Exception as err:  # noqa: BLE001 - a peer refusing the input is reported, not fatal
                        if name == "mdps" or toolbox is None or not isinstance(err, toolbox_errors.Error):
                            raise
                        notes.append(f"{name} skipped: {str(err).strip(chr(39) + ' ').replace('PyMDPToolbox - ', '')}")
                        del runs[name]
                        continue
                    batch[name] = max(1, min(500, int(0.05 / max(time.process_time() - start, 1e-6))))
                    if not np.array_equal(np.asarray(policy), reference.policy):
                        raise AssertionError(f"S={S} gamma={gamma} {method} {name}: a different policy")
                    gap = float(np.max(np.abs(np.asarray(values) - reference.values)))
                    if name == "mdptoolbox" and method != "pi":
                        notes.append(f"mdptoolbox values off by {gap:.1e} (unshifted span stop)")
                    elif gap > (1e-10 if method == "pi" else tol):
                        raise AssertionError(f"S={S} gamma={gamma} {method} {name}: values {gap:.1e} from V*")
                    elif method != "pi":
                        notes.append(f"{name} error {gap:.0e}")
                names = list(runs)
                times = {name: [] for name in names}
                for r in range(args.rounds if method != "vi" else args.vi_rounds):
                    shift = r % len(names)
                    for name in names[shift:] + names[:shift]:
                        run, n = runs[name][0], batch[name]
                        start = time.process_time()
                        for _ in range(n):
                            run()
                        times[name].append((time.process_time() - start) / n)
                ours = np.array(times["mdps"])
                best[method] = ours.min()
                line = f"{S:>5} {gamma:>5} {method:>6} {1e3 * ours.min():>9.2f}"
                for peer in peers:
                    if peer not in times:
                        line += f" {'-':>22}"
                        continue
                    ratios = np.array(times[peer]) / ours
                    line += f" {f'{ratios.min():.2f}x / {np.median(ratios):.2f}x':>22}"
                if method != "pi":
                    notes.insert(0, f"tol {tol:.0e}")
                print(line + ("   # " + ", ".join(notes) if notes else ""), flush=True)
            fastest.append((S, gamma, min(best, key=best.get), best))
    print("fastest mdps method per grid point (min CPU ms):")
    for S, gamma, name, best in fastest:
        print(f"  S={S:<5} gamma={gamma:<5} {name:>4}   " + ", ".join(f"{k} {1e3 * t:.2f}" for k, t in best.items()))
    if args.gym_steps > 0:
        gymnasium_section(args)
    print(f"total wall time {time.perf_counter() - start_all:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
