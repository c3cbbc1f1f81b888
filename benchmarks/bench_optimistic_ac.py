"""Speed of the Numba episode loop against the plain numpy implementation of the same run.

One T = 8000 run of the AC-T1 setting (a random finite-horizon MDP S=5, A=3, H=5, bonus c=1,
eta=1; ``proofs_check.optimistic_ac.tabular_instance``) with each backend, and a T = 2000 run of
the AC-T5 setting (a random linear MDP d=5, ``|A|``=10, H=5, S=10, LSVI-UCB radius c=1, eta=1;
``linear_instance``). See :ref:`optimistic_ac-instances` for the instances. Both backends draw the
same random stream and give the same regret curve (checked below). The Numba
kernel is compiled (or loaded from cache) before timing. Prints the ratio numpy / numba; the
target is >= 20.

A second section times the kernel's exact evaluation of the played policy (``_policy_return``: the model
laid out by next state, the last call's Q-values reused where V_{h+1} has not moved) against the
pair-by-pair loop it replaced (below, compiled the same way), on the AC-T5b instance
(``linear_instance(0)``): the actor's iterates after a reset, pi <- pi exp(eta Q) / Z with eta = 1,
for the critic of the learner's run at T = 2^17, one evaluation and one actor step per iterate, as in a
segment of a run (both sides take the same actor steps, so the ratio understates the evaluation's own).
Both must give the same doubles (checked); prints the ratio old / new (best CPU time of 5).

    python benchmarks/bench_optimistic_ac.py
"""
import time

import numba
import numpy as np

from proofs_check.optimistic_ac import LINEAR, TABULAR, linear_instance, tabular_instance
from provable_rl import optimistic_ac as ac
from provable_rl.optimistic_ac import linear_optimistic_actor_critic, rare_switching_actor_critic


def _best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main(n_episodes: int = 8000) -> None:
    mdp = tabular_instance()
    opts = dict(bonus_scale=TABULAR["bonus_scale"], eta=TABULAR["eta"])
    rare_switching_actor_critic(mdp, 10, 0, **opts)  # compile / load the kernel
    t_numba, fast = _best_of(lambda: rare_switching_actor_critic(mdp, n_episodes, 0, **opts), 5)
    t_numpy, slow = _best_of(lambda: rare_switching_actor_critic(mdp, n_episodes, 0, backend="numpy", **opts), 1)
    assert np.allclose(fast.regret, slow.regret, rtol=1e-9, atol=1e-9) and fast.n_switches == slow.n_switches
    print(f"tabular AC-T1 run, T={n_episodes}: numba {t_numba * 1e3:.1f} ms, numpy {t_numpy * 1e3:.0f} ms, "
          f"ratio numpy/numba = {t_numpy / t_numba:.0f}x (target >= 20x)")

    lin = linear_instance()
    lin_opts = dict(bonus_scale=LINEAR["bonus_scale"], eta=LINEAR["eta"])
    linear_optimistic_actor_critic(lin, 10, 0, **lin_opts)
    T_lin = n_episodes // 4
    t_numba, fast = _best_of(lambda: linear_optimistic_actor_critic(lin, T_lin, 0, **lin_opts), 3)
    t_numpy, slow = _best_of(lambda: linear_optimistic_actor_critic(lin, T_lin, 0, backend="numpy", **lin_opts), 1)
    assert np.allclose(fast.regret, slow.regret, rtol=1e-9, atol=1e-9)
    print(f"linear AC-T5 run, T={T_lin}: numba {t_numba * 1e3:.1f} ms, numpy {t_numpy * 1e3:.0f} ms, "
          f"ratio numpy/numba = {t_numpy / t_numba:.0f}x")


@numba.njit(cache=True)
def _policy_return_pair_by_pair(P, R, pi, initial, V):
    """The kernel's evaluation before 2026-12-05: each pair's sum after the other, nothing reused."""
    H, S, A = R.shape
    for s in range(S):
        V[H, s] = 0.0
    for h in range(H - 1, -1, -1):
        for s in range(S):
            total = 0.0
            for a in range(A):
                p = pi[h, s, a]
                if p > 0.0:
                    q = R[h, s, a]
                    for t in range(S):
                        q += P[h, s, a, t] * V[h + 1, t]
                    total += p * q
            V[h, s] = total
    out = 0.0
    for s in range(S):
        out += initial[s] * V[0, s]
    return out


@numba.njit(cache=True)
def _segment_old(P, R, initial, weights, flat_rows, n_steps, out):
    H, S, A = R.shape
    pi = np.full((H, S, A), 1.0 / A)
    V = np.empty((H + 1, S))
    for k in range(n_steps):
        out[k] = _policy_return_pair_by_pair(P, R, pi, initial, V)
        ac._mirror_step(pi, weights, flat_rows)


@numba.njit(cache=True)
def _segment_new(P, R, initial, weights, flat_rows, n_steps, out):
    H, S, A = R.shape
    pi = np.full((H, S, A), 1.0 / A)
    V = np.empty((H + 1, S))
    P_by_next, R_flat = ac._model_by_next_state(P, R)
    q = np.empty((H, S * A))
    for k in range(n_steps):
        out[k] = ac._policy_return(P_by_next, R_flat, pi, initial, V, q, k == 0)
        ac._mirror_step(pi, weights, flat_rows)


def evaluation_ratio(n_steps: int = 20000, repeats: int = 5) -> float:
    """Best CPU time of the old evaluation over a segment of ``n_steps`` actor iterates / the new one."""
    lin = linear_instance(0)
    tab = lin.tabular
    run = linear_optimistic_actor_critic(lin, 2**17, 0, bonus_scale=LINEAR["bonus_scale"], eta=LINEAR["eta"])
    H, S, A = tab.R.shape
    weights, flat_rows = np.empty((H, S, A)), np.zeros((H, S), np.bool_)
    ac._actor_weights(np.ascontiguousarray(run.q_values), LINEAR["eta"], weights, flat_rows)
    P, R, initial = (np.ascontiguousarray(x) for x in (tab.P, tab.R, tab.initial))
    old, new = np.empty(n_steps), np.empty(n_steps)
    times = {}
    for name, fn, out in (("old", _segment_old, old), ("new", _segment_new, new)):
        fn(P, R, initial, weights, flat_rows, 10, out[:10])  # compile / load
        best = np.inf
        for _ in range(repeats):
            start = time.process_time()
            fn(P, R, initial, weights, flat_rows, n_steps, out)
            best = min(best, time.process_time() - start)
        times[name] = best
    assert np.array_equal(old, new), "the two evaluations must give the same doubles"
    ratio = times["old"] / times["new"]
    print(f"exact evaluation of {n_steps} actor iterates (AC-T5b instance, S=10, A=10, H=5): pair-by-pair "
          f"{times['old'] * 1e3:.1f} ms, by next state with reuse {times['new'] * 1e3:.1f} ms, ratio old/new = "
          f"{ratio:.2f}x (same doubles)")
    return ratio


if __name__ == "__main__":
    main()
    evaluation_ratio()
