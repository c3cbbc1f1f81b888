"""Speed of the Numba episode loop against the plain numpy implementation of the same run.

One T = 8000 run of the AC-T1 setting (a random finite-horizon MDP S=5, A=3, H=5, bonus c=1,
eta=1; ``proofs_check.optimistic_ac.tabular_instance``) with each backend, and a T = 2000 run of
the AC-T5 setting (a random linear MDP d=5, ``|A|``=10, H=5, S=10, LSVI-UCB radius c=1, eta=1;
``linear_instance``). See :ref:`optimistic_ac-instances` for the instances. Both backends draw the
same random stream and give the same regret curve (checked below). The Numba
kernel is compiled (or loaded from cache) before timing. Prints the ratio numpy / numba; the
target is >= 20.

    python benchmarks/bench_optimistic_ac.py
"""
import time

import numpy as np

from proofs_check.optimistic_ac import LINEAR, TABULAR, linear_instance, tabular_instance
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


if __name__ == "__main__":
    main()
