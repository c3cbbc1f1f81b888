"""Figures LCB-FIG1 ... LCB-FIG5 (:ref:`lcb-figures`; Rashidinejad et al. 2021), from the sweeps of
:mod:`proofs_check.lcb`; LCB-FIG5 adds the exact minimax lower bounds of
:mod:`provable_rl.lcb_lower_bounds` (the ones LCB-M5 and LCB-C4 divide by).

Every panel is log-log: the measured worst-case mean (outer max over the gap grid of the mean over
replicate blocks) with a 95% band over the blocks at the worst grid point, the fitted slope in the
legend, and the theoretical rate as a dashed reference line anchored at the first point.
"""
from __future__ import annotations

import numpy as np

from experiments.figures import Figure
from experiments.plotting import mean_interval, rate_panel, reference_line
from proofs_check.lcb import (
    C1_SWEEP,
    C2_SWEEP,
    CB_STATES,
    CB_VS_C_SWEEP,
    MAB_SWEEP,
    V2_SWEEP,
    V3_SWEEP,
    blocks_by_point,
    regime_concentrability,
    worst_blocks,
)
from proofs_check.lcb_lower_bounds import cb_lower_bound, mab_lower_bound


def worst_case_curve(rows, value, *, point="N", grid="grid"):
    """(x, mean, lower, upper): the worst case over ``grid`` of the mean over blocks of ``value``.

    The blocks come from :func:`proofs_check.lcb.blocks_by_point` and :func:`proofs_check.lcb.worst_blocks`,
    the same worst case the claims test; the band is the 95% interval over the worst point's blocks.
    """
    x, blocks = blocks_by_point(rows, value, point=point, grid=grid)
    bands = np.array([mean_interval(worst_blocks(at_point)) for at_point in blocks])
    return x, bands[:, 0], bands[:, 1], bands[:, 2]


def _figure(ncols, width=4.6):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, 3.8), squeeze=False)
    return fig, axes[0]


def _save(fig, path):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    for ax in fig.axes:
        ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels collide on short log ranges
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_fig1(data, path):
    rows = data[MAB_SWEEP.name]
    Cs = sorted({r["C"] for r in rows})
    fig, axes = _figure(len(Cs))
    for ax, C in zip(axes, Cs):
        sel = [r for r in rows if r["C"] == C]
        for key, label, color in (("lcb", "LCB", "C0"), ("mpa", "most-played (imitation)", "C1"),
                                  ("eba", "empirical best (greedy)", "C2")):
            x, m, lo, hi = worst_case_curve(sel, key)
            if np.all(m > 0):
                rate_panel(ax, x, m, lower=lo, upper=hi, label=label, color=color)
            else:
                ax.plot([], [], color=color, label=f"{label}: 0 at some N")
        x, m, _, _ = worst_case_curve(sel, "lcb")
        reference_line(ax, x, -0.5, anchor=m[0], label="rate $N^{-1/2}$")
        title = f"C* = {C:.3g}"
        if C < 2:  # the most-played arm's exact error is far below the axis: say it in the title
            xs = sorted({r["N"] for r in sel})
            exact = [max(r["mpa_exact"] for r in sel if r["N"] == n and "mpa_exact" in r) for n in xs]
            title += f"\nmost-played (exact): {exact[0]:.1e} at N={xs[0]:g}, {exact[1]:.1e} at N={xs[1]:g}"
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("N (samples)")
        ax.set_ylabel("worst-case E[suboptimality]")
        ax.legend(fontsize=7, loc="best")
    _save(fig, path)


def _plot_fig2(data, path):
    rows = data[C1_SWEEP.name]
    fig, axes = _figure(1, width=6.0)
    ax = axes[0]
    for regime, color in (("1+S/N", "C0"), ("1.1", "C1"), ("1.5", "C2")):
        x, m, lo, hi = worst_case_curve([r for r in rows if r["regime"] == regime], "lcb")
        rate_panel(ax, x, m, lower=lo, upper=hi, label=f"LCB-H4, C* = {regime}", color=color)
        if regime == "1.5":
            reference_line(ax, x, -0.5, anchor=m[0], label="rate $N^{-1/2}$")
        if regime == "1+S/N":
            reference_line(ax, x, -1.0, anchor=m[0], label="rate $N^{-1}$", ls=":")
    x, m, lo, hi = worst_case_curve(data[C2_SWEEP.name], "lcb")
    rate_panel(ax, x, m, lower=lo, upper=hi, label="LCB-H3 (nearly expert, rare contexts)", color="C3")
    ax.set_xlabel("N (samples)")
    ax.set_ylabel("worst-case E[suboptimality]")
    ax.set_title(f"Contextual bandit, S = {CB_STATES}: 1/N near expert data, 1/sqrt(N) otherwise", fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, path)


def _plot_fig3(data, path):
    rows = data[CB_VS_C_SWEEP.name]
    N = rows[0]["N"]
    regimes = sorted({r["regime"] for r in rows}, key=lambda g: regime_concentrability(g, N, CB_STATES))
    excess = np.array([regime_concentrability(g, N, CB_STATES) - 1.0 for g in regimes])
    curves = [worst_case_curve([r for r in rows if r["regime"] == g], "lcb") for g in regimes]
    m = np.array([c[1][0] for c in curves])
    lo = np.array([c[2][0] for c in curves])
    hi = np.array([c[3][0] for c in curves])
    fig, axes = _figure(1, width=6.0)
    ax = axes[0]
    rate_panel(ax, excess, m, lower=lo, upper=hi, label="LCB worst case (LCB-H4)", fit=False)
    shape = np.sqrt(CB_STATES * excess / N) + CB_STATES / N
    ax.loglog(excess, shape * m[-1] / shape[-1], "--", color="0.4",
              label="sqrt(S(C*-1)/N) + S/N (shape, matched at the last point)")
    ax.set_xlabel("C* - 1")
    ax.set_ylabel("worst-case E[suboptimality]")
    ax.set_title(f"Contextual bandit at N = {N}, S = {CB_STATES}", fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, path)


def _plot_fig4(data, path):
    fig, axes = _figure(2)
    rows = data[V2_SWEEP.name]
    ax = axes[0]
    for key, label, color in (("split", "VI-LCB (data split)", "C0"), ("no_split", "VI-LCB (no split)", "C1")):
        x, m, lo, hi = worst_case_curve(rows, key)
        rate_panel(ax, x, m, lower=lo, upper=hi, label=label, color=color)
        if key == "split":
            reference_line(ax, x, -0.5, anchor=m[0], label="rate $N^{-1/2}$")
    ax.set_title("LCB-H5 (C* = 1.5, gamma = 0.5)", fontsize=9)
    ax.set_xlabel("N (samples)")
    ax.set_ylabel("worst-case J(pi*) - J(pi_hat)")
    ax.legend(fontsize=7)
    ax = axes[1]
    x, m, lo, hi = worst_case_curve(data[V3_SWEEP.name], "split")
    rate_panel(ax, x, m, lower=lo, upper=hi, label="VI-LCB (data split)", color="C0")
    reference_line(ax, x, -1.0, anchor=m[0], label="rate $N^{-1}$")
    ax.set_title("LCB-H5 with rare states (nearly expert data, gamma = 0.5)", fontsize=9)
    ax.set_xlabel("N (samples)")
    ax.set_ylabel("E[J(pi*) - J(pi_hat)]")
    ax.legend(fontsize=7)
    _save(fig, path)


def _plot_fig5(data, path):
    fig, axes = _figure(2, width=5.2)
    panels = ((axes[0], [r for r in data[MAB_SWEEP.name] if r["C"] == 4.0], lambda n: mab_lower_bound(n, 4.0),
               "MAB, LCB-H1 grid, C* = 4", ("lcb", "mpa", "eba")),
              (axes[1], [r for r in data[C1_SWEEP.name] if r["regime"] == "1.5"],
               lambda n: cb_lower_bound(n, 1.5, CB_STATES), f"Contextual bandit, LCB-H4, C* = 1.5, S = {CB_STATES}",
               ("lcb", "mpa", "eba")))
    names = {"lcb": ("LCB", "C0"), "mpa": ("most-played (imitation)", "C1"), "eba": ("empirical best (greedy)", "C2")}
    for ax, rows, bound, title, keys in panels:
        for key in keys:
            x, m, lo, hi = worst_case_curve(rows, key)
            label, color = names[key]
            rate_panel(ax, x, m, lower=lo, upper=hi, label=label, color=color)
        x = np.array(sorted({r["N"] for r in rows}), float)
        ax.loglog(x, [bound(n) for n in x], "k--", label="exact minimax lower bound (two-point Bayes risk)")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("N (samples)")
        ax.set_ylabel("worst-case E[suboptimality]")
        ax.legend(fontsize=7)
    _save(fig, path)


FIGURES = [
    Figure("LCB-FIG1", "MAB worst-case suboptimality vs N: LCB, most-played arm and empirical best arm, C* = 4/3, 2, 4",
           (MAB_SWEEP,), _plot_fig1),
    Figure("LCB-FIG2", "CB worst-case suboptimality vs N on LCB-H4 (C* = 1 + S/N, 1.1, 1.5) and LCB-H3",
           (C1_SWEEP, C2_SWEEP), _plot_fig2),
    Figure("LCB-FIG3", "CB worst-case suboptimality vs C* at N = 1e4: flat near C* = 1, then like sqrt(C* - 1)",
           (CB_VS_C_SWEEP,), _plot_fig3),
    Figure("LCB-FIG4", "VI-LCB vs N on LCB-H5: split vs no split (rate 1/sqrt(N)); rare states on expert data (1/N)",
           (V2_SWEEP, V3_SWEEP), _plot_fig4),
    Figure("LCB-FIG5", "LCB, imitation and greedy against the exact minimax lower bound vs N (MAB at C* = 4, CB at C* = 1.5)",
           (MAB_SWEEP, C1_SWEEP), _plot_fig5),
]
