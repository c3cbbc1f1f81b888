"""Figures HNPG-FIG1 ... HNPG-FIG3 (Zhou et al. 2023; see :ref:`hnpg-figures`), from the sweeps of
:mod:`proofs_check.hnpg`.

- HNPG-FIG1 (the paper's Fig. 2 on the tabular lock): samples until the learner's policy walks the
  whole lock with probability >= 0.5, against the lock length L, for HAC (hybrid), on-policy NPG
  and offline-only FQE-greedy. Runs that never solve within T are drawn at the cap, hollow.
- HNPG-FIG2 (the paper's Fig. 3): the critic's online Monte-Carlo loss and offline TD loss over
  iterations, in the lock (tabular, complete) and with aliased linear features (no completeness).
- HNPG-FIG3: average suboptimality of exact-critic HAC against T (log-log) with Theorem 1's
  exact-critic bound 2 sqrt(log A / T) / (1 - gamma)^2.
"""
from __future__ import annotations

import numpy as np

from experiments.figures import Figure
from experiments.plotting import mean_interval, rate_panel, reference_line
from proofs_check.hnpg import ALIASED_T, H1_SWEEP, H4_SWEEP, H6_SWEEP, LENGTH_ACTIONS, LENGTH_SWEEP, LENGTH_T, LOCK

COLORS = {"hybrid": "C0", "online": "C3", "offline": "C2", "fqe": "C2"}
LABELS = {"hybrid": "HAC (hybrid, $\\lambda$=1)", "online": "on-policy NPG", "offline": "offline FQE-greedy",
          "fqe": "TD-only critic ($\\lambda$=0)"}


def _save(fig, path):
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def samples_to_solve(rows, learner, key):
    """Per length L: (L, mean, min, max, all solved?) of ``key`` over seeds; unsolved runs count at the cap."""
    out = []
    for L in sorted({r["length"] for r in rows}):
        vals = np.array([r[key] for r in rows if r["length"] == L and r["learner"] == learner], float)
        solved = all(r["solved"] for r in rows if r["length"] == L and r["learner"] == learner)
        out.append((L, vals.mean(), vals.min(), vals.max(), solved))
    return out


def _plot_fig1(data, path):
    import matplotlib.pyplot as plt

    rows = data[LENGTH_SWEEP.name]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.9))
    panels = [("online_samples", ("hybrid", "online"), "online samples to solve"),
              ("total_samples", ("hybrid", "online", "offline"), "online + offline samples to solve")]
    for ax, (key, learners, ylabel) in zip(axes, panels):
        for learner in learners:
            pts = samples_to_solve(rows, learner, key)
            L = np.array([p[0] for p in pts])
            mean = np.array([p[1] for p in pts])
            lo, hi = np.array([p[2] for p in pts]), np.array([p[3] for p in pts])
            solved = np.array([p[4] for p in pts])
            color = COLORS[learner]
            ax.plot(L, mean, "-", color=color, lw=1.5, label=LABELS[learner])
            ax.fill_between(L, np.maximum(lo, 1), np.maximum(hi, 1), color=color, alpha=0.15, lw=0)
            ax.plot(L[solved], mean[solved], "o", color=color, ms=5)
            ax.plot(L[~solved], mean[~solved], "o", mfc="none", color=color, ms=7)
        ax.set_yscale("log")
        ax.set_xlabel("lock length L")
        ax.set_ylabel(ylabel)
        ax.set_xticks(sorted({r["length"] for r in rows}))
        ax.legend(fontsize=8, loc="upper left")
    axes[0].set_title(f"lock, A={LENGTH_ACTIONS}, $\\gamma$=0.85 (hollow: not solved by T={LENGTH_T}; mean, min-max over seeds)",
                      fontsize=8)
    axes[1].set_title("offline-only uses no online sample (fresh offline batches per round)", fontsize=8)
    _save(fig, path)


def loss_curves(rows, learner, key):
    """(t, mean, lower, upper) of ``key`` over seeds, per iteration (rows with a value only)."""
    ts = sorted({r["t"] for r in rows if r["learner"] == learner and r.get(key) is not None})
    table = np.array([[r[key] for r in rows if r["learner"] == learner and r["t"] == t] for t in ts], float)
    mean, lo, hi = mean_interval(table)
    return np.array(ts), mean, lo, hi


def _plot_fig2(data, path):
    import matplotlib.pyplot as plt

    # H6's sweep also has a lock part (HAC with lambda = T/2 - 1 on HNPG-H4's lock): the aliased panel only.
    lock_rows = data[H4_SWEEP.name]
    aliased_rows = [r for r in data[H6_SWEEP.name] if r.get("part", "aliased") == "aliased"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.9))
    panels = [
        (axes[0], lock_rows, [("hybrid", "mc_loss", "-"), ("hybrid", "td_loss", "--"), ("online", "mc_loss", ":")],
         f"lock L={LOCK['length']}, A={LOCK['n_actions']} (tabular: Bellman complete)"),
        (axes[1], aliased_rows, [("hybrid", "mc_loss", "-"), ("online", "mc_loss", ":"), ("fqe", "mc_loss", "-.")],
         "aliased features: online MC loss"),
        (axes[2], aliased_rows, [("hybrid", "td_loss", "--"), ("fqe", "td_loss", "-.")],
         "aliased features: offline TD loss"),
    ]
    for ax, rows, curves, title in panels:
        for learner, key, style in curves:
            t, mean, lo, hi = loss_curves(rows, learner, key)
            if t.size == 0:
                continue
            name = "online MC loss" if key == "mc_loss" else "offline TD loss"
            if rows is lock_rows:
                label = f"{LABELS[learner]}: {name}"
            elif learner == "hybrid":
                label = "HAC ($\\lambda$=T/2-1)"
            else:
                label = LABELS[learner]
            ax.plot(t, mean, style, color=COLORS[learner], lw=1.3, label=label)
            ax.fill_between(t, np.maximum(lo, 0.0), hi, color=COLORS[learner], alpha=0.15, lw=0)
        if rows is lock_rows:
            ax.set_yscale("symlog", linthresh=1e-3)  # the on-policy critic's loss is exactly 0 before any reward
        else:
            ax.set_yscale("log")
        ax.set_xlabel("iteration t")
        ax.set_ylabel("loss of the round's critic (last batch)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7)
    axes[1].text(0.02, 0.95, f"T={ALIASED_T}; the MC loss includes Var(y)", transform=axes[1].transAxes, fontsize=7,
                 va="top")
    _save(fig, path)


def average_suboptimality(rows, gamma):
    """(T, mean, lower, upper) over instances of the average suboptimality of exact-critic HAC."""
    Ts = sorted({r["T"] for r in rows if r["gamma"] == gamma})
    table = np.array([[r["average_suboptimality"] for r in rows if r["gamma"] == gamma and r["T"] == T] for T in Ts])
    mean, lo, hi = mean_interval(table)
    return np.array(Ts, float), mean, lo, hi


def _plot_fig3(data, path):
    import matplotlib.pyplot as plt

    rows = data[H1_SWEEP.name]
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    for i, gamma in enumerate(sorted({r["gamma"] for r in rows})):
        T, mean, lo, hi = average_suboptimality(rows, gamma)
        color = f"C{i}"
        rate_panel(ax, T, mean, lower=lo, upper=hi, label=f"exact-critic HAC, $\\gamma$={gamma:g}", color=color)
        bound = 2 * np.sqrt(np.log(4) / T[0]) / (1 - gamma) ** 2
        reference_line(ax, T, -0.5, anchor=bound, color=color,
                       label=f"bound 2$\\sqrt{{\\log A/T}}/(1-\\gamma)^2$, $\\gamma$={gamma:g}")
    ax.set_xlabel("T (iterations)")
    ax.set_ylabel("(1/T) $\\sum_t$ V* - V$^{\\pi_t}$")
    ax.set_title("random MDPs S=10, A=4: average suboptimality vs T", fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, path)


FIGURES = [
    Figure("HNPG-FIG1", "Samples to solve the lock vs its length: hybrid, on-policy, offline-only",
           (LENGTH_SWEEP,), _plot_fig1),
    Figure("HNPG-FIG2", "Online MC loss and offline TD loss over iterations, tabular lock and aliased features",
           (H4_SWEEP, H6_SWEEP), _plot_fig2),
    Figure("HNPG-FIG3", "Average suboptimality of exact-critic HAC vs T with the 1/sqrt(T) bound",
           (H1_SWEEP,), _plot_fig3),
]
