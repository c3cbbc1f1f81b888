"""Figures for Tan, Fan & Wei (2025), built from the sweeps of :mod:`proofs_check.optimistic_ac`.

- AC-FIG1: cumulative (expected) regret against episodes on the lock, for the online, hybrid and
  non-optimistic variants and the baselines (UCBVI eta = inf, no resets, switching every episode).
- AC-FIG2: number of critic switches against T (log x): the tabular (random MDP, AC-T1b) and linear
  (random linear MDP, AC-T5) rate runs with their doubling bounds S A H (log2 T + 1) and
  H d log2(1 + T/d), and the lock variants.
- AC-FIG3: non-optimistic hybrid regret against N_off for behaviour policies of several
  qualities (their c*_off in the legend), with the online optimistic learner as reference.
- AC-FIG4: cumulative regret against T (log-log) with the sqrt(T) and T references: the
  theory-sized runs (random MDP, c = 1: AC-T1; random linear MDP, c = 1, T up to 2^21: AC-T5b,
  linear up to ~65k episodes, then bending, with the checked window 2^17..2^21 shaded) and the
  c = 0.3 lock runs of AC-T1c (c chosen, so illustration only).
- AC-FIG5: the non-optimistic hybrid's offline threshold on the coin lock (AC-T3c): the mean over runs of
  the smallest N_off from which the critic's greedy policy is eps-optimal, against c*_off (eps fixed) and
  against 1/eps^2 (c*_off fixed), log-log, with slope-1 references.

Each ``plot(data, path)`` only reads rows; nothing is rerun. The claims behind the sweeps are listed
in :ref:`optimistic_ac-claims`.
"""
from __future__ import annotations

import numpy as np

from experiments.figures import Figure
from experiments.plotting import mean_interval, rate_panel, reference_line
from proofs_check.optimistic_ac import (
    LINEAR,
    LINEAR_LONG,
    LINEAR_LONG_CHECKPOINTS,
    LINEAR_RATE,
    LOCK,
    LOCK_RATE,
    LOCK_RATE_SETTING,
    LOCK_SWEEP,
    LOCK_VARIANTS,
    TABULAR,
    TABULAR_RATE,
    THRESHOLD_C_EPSILON,
    THRESHOLD_E_C_STAR,
    THRESHOLD_RATE_SWEEP,
    THRESHOLD_SWEEP,
)


def _by(rows, key, value):
    return [r for r in rows if r[key] == value]


def _curve(rows, x_key, y_key, unit_key):
    """x values and a (n_x, n_units) array of y."""
    xs = sorted({r[x_key] for r in rows})
    units = sorted({r[unit_key] for r in rows})
    table = {(r[x_key], r[unit_key]): r[y_key] for r in rows}
    return np.array(xs, float), np.array([[table[(x, u)] for u in units] for x in xs], float)


def _thousands_ticks(ax, T):
    """Ticks at the checkpoints, labelled 2k, 4k, ... (the default log ticks collide on 2k..32k)."""
    ax.set_xticks(T)
    ax.set_xticks([], minor=True)
    ax.set_xticklabels([f"{t / 1000:g}k" for t in T])


def _plot_lock_regret(data, path):
    import matplotlib.pyplot as plt

    rows = data[LOCK_SWEEP.name]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = ["-", "--", "-.", ":"]
    for i, name in enumerate(LOCK_VARIANTS):
        sub = _by(rows, "variant", name)
        if not sub:
            continue
        T, y = _curve(sub, "T", "regret", "seed")
        mean, lo, hi = mean_interval(y)
        line, = ax.plot(T, mean, marker="osv^D<>p"[i % 8], ls=styles[i % 4], ms=4, lw=1.5, label=name)
        ax.fill_between(T, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    # Dropping dead at once pays the distractor 0.1: regret 0.9 per episode.
    ax.plot(T, 0.9 * T, color="0.5", lw=0.8, label="0.9 per episode (takes the distractor)")
    ax.set_xlabel("episodes T")
    ax.set_ylabel("cumulative expected regret")
    ax.set_title(f"Lock H={LOCK['horizon']}, A={LOCK['n_actions']}: variants and baselines (c={LOCK['bonus_scale']}; "
                 "non-optimistic = bonus 0, unvisited 0)", fontsize=10)
    ax.set_ylim(0, T[-1] * 1.05)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_switches(data, path):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    tabular = (f"tabular random MDP S={TABULAR['n_states']}, A={TABULAR['n_actions']}, H={TABULAR['horizon']}, "
               f"c={TABULAR['bonus_scale']:g}")
    linear = (f"linear random MDP d={LINEAR['dim']}, A={LINEAR['n_actions']}, H={LINEAR['horizon']}, "
              f"c={LINEAR['bonus_scale']:g}")
    for sweep, label, bound in ((TABULAR_RATE, tabular, "bound S A H (log2 T + 1)"),
                                (LINEAR_RATE, linear, "bound H d log2(1 + T/d)")):
        rows = data.get(sweep.name)
        if not rows:
            continue
        T, y = _curve(rows, "T", "switches", "block")
        mean, lo, hi = mean_interval(y)
        line, = ax.semilogx(T, mean, "o-", label=label)
        ax.fill_between(T, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
        _, b = _curve(rows, "T", "switch_bound", "block")
        ax.semilogx(T, b[:, 0], "--", color=line.get_color(), lw=1, label=bound)
        _thousands_ticks(ax, T)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("episodes T (log scale)")
    ax.set_ylabel("critic switches")
    ax.set_title("AC-T1b / AC-T5: switches against T (log-x: log T growth is a line) and the bounds", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1]
    rows = data[LOCK_SWEEP.name]
    for name in LOCK_VARIANTS:
        sub = _by(rows, "variant", name)
        if not sub:
            continue
        T, y = _curve(sub, "T", "switches", "seed")
        ax.semilogx(T, y.mean(axis=1), "o-", ms=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("episodes T (log scale)")
    ax.set_ylabel("critic switches (log scale)")
    ax.set_title("Lock: switches per variant")
    ax.legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_threshold(data, path):
    import matplotlib.pyplot as plt

    rows = data[THRESHOLD_SWEEP.name]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    hybrid = _by(rows, "learner", "non-optimistic hybrid")
    for eps in sorted({r["epsilon"] for r in hybrid}):
        sub = _by(hybrid, "epsilon", eps)
        n_off, y = _curve(sub, "n_offline", "regret", "seed")
        c_off = sub[0]["concentrability"]
        mean, lo, hi = mean_interval(y)
        line, = ax.plot(n_off, mean, "o-", label=f"behaviour eps={eps:g} (c*_off={c_off:.3g})")
        ax.fill_between(n_off, lo, hi, color=line.get_color(), alpha=0.2, lw=0)
    online = np.array([r["regret"] for r in _by(rows, "learner", "optimistic online")])
    if online.size:
        ax.axhline(online.mean(), color="k", ls="--", lw=1, label=f"optimistic online (c={LOCK['bonus_scale']})")
    ax.set_xscale("symlog", linthresh=5, linscale=0.5)
    ax.set_xlim(0, max(r["n_offline"] for r in rows) * 1.2)
    ax.set_xlabel("offline episodes N_off (symlog)")
    ax.set_ylabel(f"cumulative expected regret at T={LOCK['n_episodes']}")
    ax.set_title("Non-optimistic hybrid: the N_off threshold moves with c*_off")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_rates(data, path):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    panels = (
        (axes[0], TABULAR_RATE,
         (f"AC-T1: random MDP S={TABULAR['n_states']}, A={TABULAR['n_actions']}, H={TABULAR['horizon']}, "
          f"c={TABULAR['bonus_scale']:g} (pre-registered)")),
        (axes[1], LINEAR_LONG,
         (f"AC-T5b: random linear MDP d={LINEAR['dim']}, A={LINEAR['n_actions']}, H={LINEAR['horizon']}, "
          f"c={LINEAR['bonus_scale']:g} (checked window shaded)")),
        (axes[2], LOCK_RATE,
         (f"lock H={LOCK_RATE_SETTING['horizon']}, A={LOCK_RATE_SETTING['n_actions']}, "
          f"c={LOCK_RATE_SETTING['bonus_scale']:g} (c chosen: illustration only)")),
    )
    for ax, sweep, title in panels:
        rows = data.get(sweep.name)
        if not rows:
            ax.set_visible(False)
            continue
        T, y = _curve(rows, "T", "regret", "block")
        mean, lo, hi = mean_interval(y)
        if sweep is LINEAR_LONG:
            # The slope and the sqrt(T) reference start where the checked window starts; before it
            # the regret is linear.
            start = int(np.searchsorted(T, LINEAR_LONG_CHECKPOINTS[0]))
            slope = np.polyfit(np.log(T[start:]), np.log(mean[start:]), 1)[0]
            rate_panel(ax, T, mean, lower=lo, upper=hi, fit=False,
                       label=f"optimistic rare-switching AC (slope {slope:.2f} in the window)")
            ax.axvspan(LINEAR_LONG_CHECKPOINTS[0], LINEAR_LONG_CHECKPOINTS[-1], color="0.9", zorder=0,
                       label="checked window")
            reference_line(ax, T[start:], 0.5, anchor=mean[start], label="sqrt(T) reference")
            reference_line(ax, T, 1.0, anchor=mean[0], label="linear (T) reference", ls=":")
            ax.set_xticks(T[::2])
            ax.set_xticks([], minor=True)
            ax.set_xticklabels([f"2^{int(np.log2(t))}" for t in T[::2]])
        else:
            rate_panel(ax, T, mean, lower=lo, upper=hi, label="optimistic rare-switching AC")
            reference_line(ax, T, 0.5, anchor=mean[0], label="sqrt(T) reference")
            reference_line(ax, T, 1.0, anchor=mean[0], label="linear (T) reference", ls=":")
            _thousands_ticks(ax, T)
        ax.set_xlabel("episodes T")
        ax.set_ylabel("cumulative expected regret")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_offline_threshold(data, path):
    import matplotlib.pyplot as plt

    rows = data[THRESHOLD_RATE_SWEEP.name]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    designs = (("c_star", "c_star", "c*_off (concentrability of the offline data)",
                f"AC-T3c: threshold against c*_off (eps = {THRESHOLD_C_EPSILON:g})"),
               ("epsilon", "epsilon", "1 / eps^2",
                f"AC-T3c: threshold against 1/eps^2 (c*_off = {THRESHOLD_E_C_STAR:g}, T ~ 1/eps^2)"))
    for ax, (design, key, xlabel, title) in zip(axes, designs):
        sub = _by(rows, "design", design)
        points = sorted({r[key] for r in sub}, reverse=(key == "epsilon"))
        values = [np.array([r["threshold"] for r in sub if r[key] == p], float) for p in points]
        x = np.array(points, float) if key == "c_star" else 1.0 / np.array(points, float) ** 2
        # A run without a threshold in its grid (-1) would make the mean infinite: the claim fails then; the figure
        # shows the finite runs and says how many were not.
        censored = sum(int(np.sum(v < 0)) for v in values)
        mean, lo, hi = np.array([mean_interval(v[v > 0]) for v in values]).T
        rate_panel(ax, x, mean, lower=lo, upper=hi, label="non-optimistic hybrid: mean threshold N_off")
        reference_line(ax, x, 1.0, anchor=mean[0], label="slope 1 (c*/eps^2)")
        reference_line(ax, x, 0.5, anchor=mean[0], label="slope 1/2", ls=":")
        ax.set_xticks(x)
        ax.set_xticks([], minor=True)
        ax.set_xticklabels([f"{v:g}" for v in x])
        ax.set_xlabel(xlabel)
        ax.set_ylabel("offline samples per step N_off (mean over runs)")
        ax.set_title(title + (f"; {censored} runs without a threshold" if censored else ""), fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


FIGURES = [
    Figure("AC-FIG1", "Cumulative regret against episodes on the lock: variants and baselines",
           (LOCK_SWEEP,), _plot_lock_regret),
    Figure("AC-FIG2", "Critic switches against T (log axes) with the doubling bounds",
           (TABULAR_RATE, LINEAR_RATE, LOCK_SWEEP), _plot_switches),
    Figure("AC-FIG3", "Non-optimistic hybrid regret against N_off for several behaviour qualities",
           (THRESHOLD_SWEEP,), _plot_threshold),
    Figure("AC-FIG4", "Cumulative regret against T, log-log, with the sqrt(T) and T references",
           (TABULAR_RATE, LINEAR_LONG, LOCK_RATE), _plot_rates),
    Figure("AC-FIG5", "The non-optimistic hybrid's offline threshold against c*_off and 1/eps^2 (coin lock)",
           (THRESHOLD_RATE_SWEEP,), _plot_offline_threshold),
]
