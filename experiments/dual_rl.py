"""Figures of Dual RL (:ref:`dual_rl-figures`): DUAL-FIG1 ... FIG5, drawn from sweep rows only."""
from __future__ import annotations

import numpy as np

from proofs_check.dual_rl import (ALPHA_SWEEP, CURVE_SWEEP, ITER_SWEEP, LARGE_ALPHA_SWEEP, R1_SWEEP, R2_SWEEP,
                                  STABILITY_SWEEP)

from .figures import Figure
from .plotting import mean_interval, rate_panel, reference_line

_COLORS = {"kl": "C0", "chi2": "C1", "tv": "C2", "gumbel": "C3", "chi2_exact": "C4"}
_LABELS = {"kl": "KL", "chi2": "Pearson $\\chi^2$", "tv": "total variation", "gumbel": "Gumbel (XQL), $\\beta = 1-\\lambda$",
           "chi2_exact": "exact $\\chi^2$ conjugate $f^*_p$"}


def _num(x):
    return float(x)


def _plot_recoil(data, path):
    import matplotlib.pyplot as plt

    fig, (ax0, ax) = plt.subplots(1, 2, figsize=(11, 4))
    it_rows = data[ITER_SWEEP.name]
    for i, beta in enumerate(sorted({r["beta"] for r in it_rows})):
        iters = sorted({r["iteration"] for r in it_rows})
        curve = np.array([[_num(r["recoil_distance"]) for r in it_rows if r["beta"] == beta and r["iteration"] == k]
                          for k in iters])
        ax0.semilogy(iters, np.maximum(curve.mean(axis=1), 1e-16), color=f"C{i}", label=f"ReCOIL dual-Q + NPG, $\\beta$={beta:g}")
    base = np.array([[_num(r["baseline_distance"]) for r in it_rows if r["iteration"] == k]
                     for k in sorted({r["iteration"] for r in it_rows})])
    ax0.semilogy(sorted({r["iteration"] for r in it_rows}), base.mean(axis=1), "k--", label="coverage baseline + NPG")
    ax0.set_xlabel("iteration (exact critic, NPG step 0.1)")
    ax0.set_ylabel(r"$\|d^{\pi_k} - d^E\|_2^2$ (mean over instances)")
    ax0.legend(fontsize=8)

    rows = data[R1_SWEEP.name]
    betas = sorted({r["beta"] for r in rows})
    for key, label, color in (("occupancy_error", "ReCOIL, exact (cvxpy)", "C0"),
                              ("baseline_occupancy_error", "coverage baseline, exact (cvxpy)", "C3")):
        mean = np.array([np.mean([_num(r[key]) for r in rows if r["beta"] == b]) for b in betas])
        lo = np.array([np.min([_num(r[key]) for r in rows if r["beta"] == b]) for b in betas])
        hi = np.array([np.max([_num(r[key]) for r in rows if r["beta"] == b]) for b in betas])
        ax.plot(betas, np.maximum(mean, 1e-12), "o-", color=color, label=label)
        ax.fill_between(betas, np.maximum(lo, 1e-12), np.maximum(hi, 1e-12), color=color, alpha=0.2, lw=0)
    ax.set_yscale("log")
    ax.set_xlabel(r"mixture weight $\beta$")
    ax.set_ylabel(r"$\|d^{\hat\pi} - d^E\|_2^2$ (min-max band over instances)")
    ax.axhline(1e-6, color="0.5", ls=":", lw=1, label="claim tolerance $10^{-6}$")
    ax.legend(fontsize=8)
    fig.suptitle("DUAL-FIG1: the suboptimal data miss every expert state; ReCOIL recovers $d^E$, the coverage baseline cannot")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_alpha(data, path):
    import matplotlib.pyplot as plt

    rows = data[ALPHA_SWEEP.name]
    fig, ((ax1, ax2), (ax3, ax4)) = plt.subplots(2, 2, figsize=(11, 8))
    for f in ("kl", "chi2", "tv"):
        pts = sorted((r["alpha"], _num(r["expected_reward"]), _num(r["divergence_value"])) for r in rows if r["divergence"] == f)
        a = np.array([p[0] for p in pts])
        ax1.semilogx(a, [p[1] for p in pts], "o-", color=_COLORS[f], label=_LABELS[f], ms=3)
        ax2.loglog(a, np.maximum([p[2] for p in pts], 1e-12), "o-", color=_COLORS[f], label=_LABELS[f], ms=3)
    ax1.axhline(_num(rows[0]["J_star"]), color="k", ls="--", lw=1, label=r"$J^* = (1-\gamma)\mu^\top V^*$")
    ax1.axhline(_num(rows[0]["data_reward"]), color="0.5", ls=":", lw=1, label=r"$E_{d^O}[r]$ (data)")
    ax1.set_xlabel(r"$\alpha$")
    ax1.set_ylabel(r"$E_{d_\alpha}[r]$")
    ax1.legend(fontsize=8)
    ax2.set_xlabel(r"$\alpha$")
    ax2.set_ylabel(r"$D_f(d_\alpha \| d^O)$ (floored at $10^{-12}$)")
    _plot_large_alpha(data[LARGE_ALPHA_SWEEP.name], ax3, ax4)
    fig.suptitle(r"DUAL-FIG2: the regularised optimum interpolates between $d^*$ ($\alpha\to 0$) and $d^O$ ($\alpha\to\infty$)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_large_alpha(rows, ax3, ax4):
    """DUAL-D7's data: the 1/alpha rate (KL, chi2) and the sharp TV threshold alpha_TV."""
    blocks = sorted({r["block"] for r in rows})
    for f in ("kl", "chi2"):
        alphas = sorted({r["alpha"] for r in rows if r["divergence"] == f})
        values = np.array([[_num(next(r["l1_to_data"] for r in rows if r["divergence"] == f and r["alpha"] == a
                                       and r["block"] == b)) for b in blocks] for a in alphas])
        mean, lo, hi = mean_interval(values)
        rate_panel(ax3, alphas, mean, lower=lo, upper=hi, label=_LABELS[f], color=_COLORS[f])
        if f == "kl":
            reference_line(ax3, alphas, -1.0, anchor=mean[0] * 1.5, label=r"$1/\alpha$ (DUAL-D7)")
    ax3.set_xlabel(r"$\alpha$")
    ax3.set_ylabel(r"$\|d_\alpha - d^O\|_1$ (mean, 95% band over MDPs)")
    ax3.legend(fontsize=8)
    tv = [r for r in rows if r["divergence"] == "tv"]
    x = np.array([_num(r["alpha_over_threshold"]) for r in tv])
    y = np.array([_num(r["l1_to_data"]) for r in tv])
    ax4.semilogy(x, np.maximum(y, 1e-12), "o", color=_COLORS["tv"], label=f"total variation ({len(blocks)} MDPs)")
    ax4.axvline(1.0, color="k", ls="--", lw=1, label=r"$\alpha_{TV} = 2\min_V\|\delta_V\|_\infty$")
    ax4.axhline(1e-6, color="0.5", ls=":", lw=1, label="claim tolerance $10^{-6}$")
    ax4.set_xlabel(r"$\alpha / \alpha_{TV}$")
    ax4.set_ylabel(r"$\|d_\alpha - d^O\|_1$ (floored at $10^{-12}$)")
    ax4.legend(fontsize=8)


def _plot_curves(data, path):
    import matplotlib.pyplot as plt

    rows = data[CURVE_SWEEP.name]
    fig, ax = plt.subplots(figsize=(6, 4))
    for loss in ("tv", "chi2", "chi2_exact", "gumbel"):
        pts = sorted((r["lambda"], _num(r["value"])) for r in rows if r["loss"] == loss)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "-", color=_COLORS[loss], label=_LABELS[loss],
                drawstyle="steps-post" if loss == "tv" else "default")
    ax.axhline(_num(rows[0]["support_max"]), color="k", ls="--", lw=1, label=r"$\max_{a \in supp\,\mu} Q(s,a)$")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"$V_\lambda(s)$")
    ax.set_title(r"DUAL-FIG3: implicit maximisers, $Q=(1,2,3.5,.5)$, $\mu=(.4,.3,.1,.2)$", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_stability(data, path):
    import matplotlib.pyplot as plt

    rows = data[STABILITY_SWEEP.name]
    fig, ax = plt.subplots(figsize=(6, 4))
    cap = 1e12
    for loss in ("gumbel", "chi2", "tv"):
        pts = sorted((r["residual"], _num(r["final_error"])) for r in rows if r["loss"] == loss)
        x = np.array([p[0] for p in pts])
        y = np.array([p[1] for p in pts])
        y = np.where(np.isfinite(y), np.minimum(y, cap), cap)
        label = {"gumbel": r"Gumbel loss (XQL), $\beta=1$", "chi2": r"$\chi^2$ surrogate, $\lambda=0.95$",
                 "tv": r"TV surrogate, $\lambda=0.95$"}[loss]
        ax.loglog(x, np.maximum(y, 1e-16), "o-", color=_COLORS[loss], label=label)
    ax.axhline(cap, color="0.5", ls=":", lw=1, label=r"overflow (inf/nan) drawn at $10^{12}$")
    ax.set_xlabel(r"initial residual $\max Q - V_0$")
    ax.set_ylabel(r"$|V_{500} - V_\lambda|$ after 500 semi-gradient steps (lr 0.1)")
    ax.set_title("DUAL-FIG4: the exponential loss blows up, polynomial ones do not", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_recoil_from_data(data, path):
    import matplotlib.pyplot as plt

    rows = data[R2_SWEEP.name]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    sizes = sorted({r["n_expert"] for r in rows})
    for i, beta in enumerate(sorted({r["beta"] for r in rows})):
        for key, style, label in (("gap", "o-", "ReCOIL return gap"), ("bound", "s--", "projection bound")):
            mean = [np.mean([_num(r[key]) / _num(r["expert_return"]) for r in rows
                             if r["beta"] == beta and r["n_expert"] == n]) for n in sizes]
            ax.loglog(sizes, np.maximum(mean, 1e-16), style, color=f"C{i}", label=f"{label}, $\\beta$={beta:g}")
    base = [np.mean([_num(r["baseline_gap"]) / _num(r["expert_return"]) for r in rows if r["n_expert"] == n])
            for n in sizes]
    ax.loglog(sizes, base, "k^-", label="coverage baseline return gap")
    ax.set_xlabel(r"expert tuples $n_E$ (suboptimal tuples: $20 n_E$)")
    ax.set_ylabel(r"$(J_E - J(\hat\pi)) / J_E$ (mean over instances)")
    ax.set_title("DUAL-FIG5: ReCOIL from sampled data without coverage (DUAL-R2)", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


FIGURES = [
    Figure("DUAL-FIG1", "ReCOIL vs the coverage-assuming baseline when d^S misses the expert's states",
           (ITER_SWEEP, R1_SWEEP), _plot_recoil),
    Figure("DUAL-FIG2", "alpha sweep of the f-regularised primal: E_{d_alpha}[r], D_f(d_alpha||d^O), and the "
           "large-alpha limit (1/alpha rate for KL and chi2, exact TV threshold)",
           (ALPHA_SWEEP, LARGE_ALPHA_SWEEP), _plot_alpha),
    Figure("DUAL-FIG3", "implicit maximisers V_lambda vs lambda (TV, chi2 surrogate, exact chi2, Gumbel)",
           (CURVE_SWEEP,), _plot_curves),
    Figure("DUAL-FIG4", "stability of semi-gradient V-learning: Gumbel vs polynomial surrogates",
           (STABILITY_SWEEP,), _plot_stability),
    Figure("DUAL-FIG5", "ReCOIL from sampled data: return gap and projection bound vs expert samples, and the "
           "coverage baseline", (R2_SWEEP,), _plot_recoil_from_data),
]
