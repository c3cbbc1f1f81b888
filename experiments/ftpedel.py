"""Figures FT-FIG1 ... FT-FIG4 of PEDEL / FTPedel (:ref:`ftpedel-figures`), from the sweeps of
:mod:`proofs_check.ftpedel`.

- FT-FIG1: online episodes needed (N_FT) against the offline sample size on FT-X1, falling from the
  online-only value to the beta / Delta^2 plateau.
- FT-FIG2: verifiable against unverifiable online cost with expert data, against d.
- FT-FIG3: PEDEL (optimal design) against uniform exploration on a bandit with one close
  competitor and K - 2 gap-irrelevant arms.
- FT-FIG4: FTPedel's online episodes against N_FT (the FT-E4 family), slope 1 as reference.
"""
from __future__ import annotations

import numpy as np

from experiments.figures import Figure
from experiments.plotting import mean_interval, rate_panel, reference_line
from proofs_check.ftpedel import (
    EPISODES_VS_COMPLEXITY,
    OFFLINE_CURVE,
    PEDEL_VS_UNIFORM,
    VERIFIABLE_VS_DIM,
    e4_complexity,
)


def _figure(ncols=1, width=5.2):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, 4.0), squeeze=False)
    return fig, axes[0]


def _save(fig, path):
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_fig1(data, path):
    rows = sorted(data[OFFLINE_CURVE.name], key=lambda r: r["n_offline"])
    x = np.array([r["n_offline"] for r in rows])
    y = np.array([r["n_ft"] for r in rows])
    fig, (ax,) = _figure()
    ax.loglog(x, y, "o-", color="C0", label="N_FT (Frank-Wolfe design)")
    ax.axhline(rows[0]["online_only"], color="C1", ls="--", lw=1,
               label=f"online only $\\beta(\\sqrt{{d-1}}+1)^2/\\Delta^2$ = {rows[0]['online_only']:.0f}")
    ax.axhline(rows[0]["plateau"], color="C2", ls="--", lw=1,
               label=f"plateau $\\beta/\\Delta^2$ = {rows[0]['plateau']:.0f}")
    ax.set_xlabel("offline samples per suboptimal arm $n_{off}$")
    ax.set_ylabel("online episodes needed")
    ax.set_title("FT-X1 (d = 8, $\\Delta$ = 0.1, $\\delta$ = 0.05): offline data on the\n"
                 "suboptimal arms leave only the optimal arm to sample", fontsize=9)
    ax.legend(fontsize=8)
    _save(fig, path)


def _plot_fig2(data, path):
    rows = sorted(data[VERIFIABLE_VS_DIM.name], key=lambda r: r["n_arms"])
    d = np.array([r["n_arms"] for r in rows], float)
    fig, (ax,) = _figure()
    ax.plot(d, [r["verifiable"] for r in rows], "o-", color="C0", label="verifiable (N_FT, expert data)")
    ax.plot(d, [r["closed_verifiable"] for r in rows], "--", color="0.4", lw=1,
            label="$\\beta(d-1)/\\Delta^2$")
    ok = all(r["unverifiable_correct"] for r in rows)
    ax.plot(d, [r["unverifiable"] for r in rows], "s-", color="C1",
            label=f"unverifiable (pessimism): 0 online episodes, returns $\\pi^*$: {ok}")
    ax.set_xlabel("dimension d (arms)")
    ax.set_ylabel("online episodes")
    ax.set_title("FT-X2: expert data (only $\\pi^*$ covered), $\\Delta$ = 0.1, $\\delta$ = 0.05", fontsize=9)
    ax.legend(fontsize=8)
    _save(fig, path)


def _by(rows, key, value, **fixed):
    xs = sorted({r[key] for r in rows if all(r[k] == v for k, v in fixed.items())})
    means, lows, highs = [], [], []
    for x in xs:
        vals = [r[value] for r in rows if r[key] == x and all(r[k] == v for k, v in fixed.items())]
        m, lo, hi = mean_interval(np.array(vals, float))
        means.append(m)
        lows.append(lo)
        highs.append(hi)
    return np.array(xs, float), np.array(means), np.array(lows), np.array(highs)


def _plot_fig3(data, path):
    rows = data[PEDEL_VS_UNIFORM.name]
    fig, (ax,) = _figure()
    for design, label, color in (("optimal", "PEDEL (optimal design)", "C0"),
                                 ("uniform", "uniform exploration", "C1")):
        x, m, lo, hi = _by(rows, "n_arms", "online_episodes", design=design)
        rate_panel(ax, x, m, lower=lo, upper=hi, label=label, color=color)
    x, m, _, _ = _by(rows, "n_arms", "online_episodes", design="uniform")
    reference_line(ax, x, 1.0, anchor=m[0], label="uniform's expected rate $K^1$")
    ax.set_xlabel("arms K (one close competitor, K - 2 far arms)")
    ax.set_ylabel("online episodes (mean, 95% band)")
    ax.set_title("PEDEL against uniform exploration (gap 0.1, far gap 0.5, $\\epsilon$ = 0.05)", fontsize=9)
    ax.legend(fontsize=8)
    _save(fig, path)


def _plot_fig4(data, path):
    rows = data[EPISODES_VS_COMPLEXITY.name]
    points = sorted({r["point"] for r in rows})
    x = np.array([e4_complexity(k) for k in points])
    m, lo, hi = [], [], []
    for k in points:
        mean, low, high = mean_interval(np.array([r["online_episodes"] for r in rows if r["point"] == k], float))
        m.append(mean)
        lo.append(low)
        hi.append(high)
    fig, (ax,) = _figure()
    rate_panel(ax, x, np.array(m), lower=np.array(lo), upper=np.array(hi), label="FTPedel online episodes")
    reference_line(ax, x, 1.0, anchor=m[0], label="slope 1 (episodes $\\propto$ N_FT)")
    ax.set_xlabel("N_FT (complexity, $\\beta = \\log(|\\Pi|/\\delta)$)")
    ax.set_ylabel("online episodes")
    ax.set_title("FT-E4 family: FT-X1 with K = 4..64 arms, $\\Delta$ = 0.2..0.0125", fontsize=9)
    ax.legend(fontsize=8)
    _save(fig, path)


FIGURES = [
    Figure("FT-FIG1", "Online episodes needed against offline sample size on FT-X1", (OFFLINE_CURVE,), _plot_fig1),
    Figure("FT-FIG2", "Verifiable against unverifiable online cost against d (expert data, FT-X2)",
           (VERIFIABLE_VS_DIM,), _plot_fig2),
    Figure("FT-FIG3", "PEDEL against uniform exploration", (PEDEL_VS_UNIFORM,), _plot_fig3),
    Figure("FT-FIG4", "FTPedel online episodes against the complexity N_FT", (EPISODES_VS_COMPLEXITY,), _plot_fig4),
]
