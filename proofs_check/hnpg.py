"""HNPG / HAC claims (Zhou, Sekhari, Song & Sun 2023; HNPG-H1 .. H9, H3b).

The theorems behind each claim, their assumptions and tags, the instances and the table "which
claim checks what" are on the theory page, :ref:`theory-hnpg` (:ref:`hnpg-claims`).

Every sweep fixes the instance, draws the data and evaluates exactly; the algorithm under test is a
*learner* following the sweep's protocol (the library's algorithm by default). Cells that need
randomness split their Generator into ``data_rng`` (the instance) and ``algo_rng`` (the learner's
samples), so the algorithm and every mutant meet the same instances (common random numbers).

HNPG protocols
--------------
==========================  =============================================================  ===================
protocol                    call                                                           claims
==========================  =============================================================  ===================
``hnpg.exact_actor``        ``learner(mdp, n_iterations, rng) -> policies (T+1, S, A)``    H1
``hnpg.exact_npg``          ``learner(mdp, eta, n_iterations) -> policies (T+1, S, A)``    H2
``hnpg.population_hpe``     ``learner(mdp, policy, nu, lam, n_iterations, f0) -> f_0..K``  H3
``hnpg.sampled_hpe``        ``learner(mdp, policy, nu, lam, k1, k2, m_on, m_off, rng)``    H3b
``hnpg.hac``                ``learner(mdp, features, reset, nu, n_iterations, rng)``       H4, H5, H8 (lambda = 1)
``hnpg.hac_no_complete``    the same call; default lambda = T/2 - 1                        H6
``hnpg.log_linear``         ``learner(mdp, phi, psi, reset, nu, n_iterations, rng)``       H7
``hnpg.hac_batch``          ``learner(mdp, reset, nu, n_iterations, batch_size, rng)``     H9
==========================  =============================================================  ===================

HNPG claims and panels
----------------------
- HNPG-H1 (bound): exact-critic HAC, ``sum_t V* - V^{pi_t} <= 2 sqrt(T log A) / (1 - gamma)^2``
  (Lemma 6 + the performance-difference lemma). Panel: step / 10, the step's sign flipped, a mirror
  step that restarts from uniform (its panel note says why a myopic critic is not in it).
- HNPG-H2 (bound): exact softmax NPG, last iterate ``V* - V^{pi_T} <= log A / (eta T) + 1 / ((1 - gamma)^2 T)``
  at every T (Agarwal et al. 2021, Thm 16; re-derived in ``_h2_run``). Panel: the step's sign
  flipped, the step without its horizon factor ``1 / (1 - gamma)``, step / 100.
- HNPG-H3 (exact): population HPE contracts, ``||f_k - Q^pi||_inf <= gamma^k ||f_0 - Q^pi||_inf``.
  Panel: TD target ``max_a' f`` (FQI), TD target ``r`` only (no bootstrap), TD target bootstrapping
  the uniform policy instead of pi.
- HNPG-H3b (rate): sampled HPE's on-policy error falls like 1/(K2 - K1) with the K1/K2 averaging
  (Lemma 5's statistical part); competitors -1/2 and 0 excluded. Panel: no averaging (f_{K2}), one
  batch reused for every iteration (no fresh data); see its panel note for why not three.
- HNPG-H4 (order): lock L = 6, A = 8, T = 600, offline data covering pi*: HAC solves it (seed-mean
  final (V* - V)/V* <= 0.1), on-policy NPG does not (>= 0.5), and HAC's final suboptimality is
  <= 0.2 x on-policy NPG's. Panel: offline TD target without bootstrapping, on-policy NPG (offline
  weight off), the step with an extra horizon factor (x (1 - gamma)).
- HNPG-H5 (negative control): a short lock (L = 3, A = 8, T = 150) with offline data that miss pi*'s
  path (C_off = inf): on-policy NPG learns, and HAC neither wins (its average suboptimality is NOT
  <= 0.8 x on-policy NPG's: the theory promises no gain) nor loses (<= 1.25 x). Panel: a learner that
  never moves, offline-only FQE-greedy (on-policy term off), the step with an extra horizon factor,
  the step without its horizon factor (a 1/(1-gamma) larger step wins: not Theorem 1's algorithm).
- HNPG-H6 (order): lambda = T/2 - 1 (Theorem 1 without completeness). On an aliased linear critic
  (epsilon_be > 0) HAC stays within 1.5 x on-policy NPG and its suboptimality decreases; on a lock
  whose deep states on-policy sampling never reaches, it still uses the offline data (final <= 0.2 x
  on-policy NPG's). Panel: on-policy NPG (ignores the offline data: held before the lock part was
  added, ratio 0.993), pure FQE (lambda = 0), the step with an extra horizon factor.
- HNPG-H7 (order): Algorithm 3 (HNPG: log-linear policies, compatible fit, linear HPE critic, lambda = 1)
  on the linear lock (L = 4, A = 8, gamma = 0.8, d = 10 dense features < S A = 48, T = 800): it solves it
  (seed-mean final (V* - V)/V* <= 0.1), on-policy NPG does not (>= 0.5), its final <= 0.2 x on-policy's,
  its cumulative suboptimality is >= 0.8 x that of Algorithm 3 with the exact critic (a learner faster
  than its exact-critic self takes a larger step), and <= Theorem 2's bound; the summary prints the
  bound's quantities computed on the instance (C_off_bar = max d*/nu, C_npg >= max d*/d^uniform, beta,
  W, the critic's on-policy error). Panel: the compatible fit on f (a Q fit) instead of f - E_pi f,
  on-policy NPG (offline weight off), the step without its horizon factor, the step with an extra one.
  Measured at smoke with 2 seeds, root seeds 0 and 1: final 0.050 / 0.027 (Q fit 0.34 / 0.32), exact / sampled
  cumulative 0.46 / 0.48 (step without horizon 2.3 / 2.3), Theorem 2 ratio <= 0.002 (vacuous at this T).
  Smoke now runs 6 seeds, as quick: with 2 and with 4 it failed at smoke root seed 9 of 1..20; with 6,
  `provable-rl calibrate HNPG-H7 --budget smoke --seeds 20` holds 20/20, every mutant rejected 20/20
  (and HNPG-H8, whose smoke also went from 4 seeds to 6 after a failure at seed 8, 20/20 likewise).
  Since December 2026 Algorithm 3's rounds run in one Numba kernel (the same numbers up to rounding: H7's
  rows within 3e-9 relative of the per-round loop's at quick, root seed 1); H7 was recalibrated then, at
  quick and at smoke (see "HNPG calibration").
- HNPG-H8 (order): best of both worlds where it matters. A lock (L = 6, A = 8, gamma = 0.85) followed by an
  exit whose good action the offline data never show (nu = eps-greedy on the chain, the other actions at the
  exit) while the resets start there with probability 0.2: offline-only FQE-greedy takes the exit's one-step
  reward (final 0.82 of V* lost), on-policy NPG never opens the lock (1.0), HAC solves it (T = 800; final
  0.027 at smoke seed 0) and ends <= 0.2 x each of them. Panel: offline-only FQE-greedy, on-policy NPG
  (offline weight off), lambda = 0 with the mirror step (on-policy weight off), the step with an extra
  horizon factor. The other direction, "useless offline data do not make the hybrid lose", is HNPG-H5
  (<= 1.25 x on-policy NPG with data off pi*'s path; its panel's offline-only learner trusts those data).
- HNPG-H9 (rate): the sampled critic's part of Theorem 1's regret. Sampled HAC (lambda = 1, K1 = 2, K2 = 4,
  m_on = m_off = m, Theorem 1's step) on two random MDPs (S = 10, A = 4, gamma = 0.5 and 0.7, nu uniform,
  T = 16), m = 16 .. 512: E|R_m - R_exact| ~ m^-1/2, R the cumulative suboptimality and R_exact that of HAC
  with the exact critic (the fluctuation that Theorem 1's statistical term T sqrt(C Delta_on) bounds; the
  signed mean is second order, ~ 1/m), and the critics' on-policy error E_{d^pi_t}(f^t - Q^pi_t)^2 ~ 1/m
  (Lemma 5(a)'s Delta_on with m in place of T); competitors 0 and -1, resp. -1/2 and 0, excluded. Panel: a
  batch that ignores m, a critic with the discount gamma^2, the TD target without bootstrap, the on-policy term
  off (lambda = 0), the step without its horizon factor. Measured at quick, root seed 1: slopes -0.571
  [-0.631, -0.510] and -1.009 [-1.022, -0.996]; a critic with the discount gamma^2 keeps the regret's
  rate (-0.53: the regret does not see a bias that keeps the actions' ranking) and only the critic part
  rejects it (-0.13). Until December 2026 the claim ran T = 32 and m = 32 .. 1024 (four times the
  samples; slopes -0.565 [-0.640, -0.488] and -1.091 [-1.097, -1.085] at quick, root seed 1).

Departures from the earlier version of these claims: H4's lock grew from L = 5, T = 400 to L = 6,
T = 600 (on-policy NPG solved L = 5, A = 8 at some seeds, e.g. final 0.008, 0.127, 0.491 of V* at 3 of
12 seeds, which failed H4 at root seeds 9-11; at L = 6 it stays at >= 0.995 in 20/20 seeds while HAC
reaches 0.007-0.025 at T = 600). H6 gained its lock part: with lambda = T/2 - 1 on the aliased trap
alone HAC is on-policy NPG (ratio 0.993), so no check of that instance can tell a learner that ignores
the offline data from HAC; where on-policy samples never reach (the lock's deep states) the offline
term decides the critic whatever lambda is. H5 gained "does not lose": under the learner protocol the
baseline no longer moves with the mutant, so a learner that never moves passed "does not win".

HNPG calibration
----------------
``provable-rl calibrate 'HNPG-*' --budget quick --seeds 20 --jobs 1`` (root seeds 1..20, fresh cache),
December 2026, after H7 and H8 were added: the whole selection passed at 20/20 seeds (2558 s on the
shared 2-core machine with five other jobs running, i.e. 128 s per seed).

Every claim held at 20/20 root seeds and every mutant of every panel was rejected at 20/20 seeds
(H1: step_div10, wrong_sign, no_accumulation; H2: wrong_sign, no_horizon_factor, step_div100; H3:
greedy_target, no_bootstrap, uniform_bootstrap; H3b: no_averaging, stale_batch; H4: td_no_bootstrap,
on_policy_npg, step_extra_horizon; H5: do_nothing, offline_only, step_extra_horizon, step_no_horizon;
H6: on_policy_npg, ignore_on_policy_term, step_extra_horizon; H7: q_fit, on_policy_npg, step_no_horizon,
step_extra_horizon; H8: offline_only, on_policy_npg, ignore_on_policy_term, step_extra_horizon). At the
smoke budget only the earlier calibration of H1-H6 exists (20/20 seeds, every mutant rejected, before
the linear HPE was rewritten to per-pair tallies, which changes H6's numbers by rounding only); H7 and
H8 were calibrated at smoke later (see their items above, and H7's recalibration below).

HNPG-H9 was added after that run and calibrated alone (20/20, every mutant rejected 20/20, at quick and at
smoke) with T = 32 and m = 32 .. 1024; those runs are superseded by the next.

Speed-up of December 2026 (the quick budget of reproduce): Algorithm 3 with a linear critic runs all its
rounds in one Numba kernel (H7's rows change by rounding only, <= 3e-9 relative), H9 runs T = 16 and
m = 16 .. 512 (a quarter of the samples; see ``H9_T``), and a cell's baseline run (on-policy NPG,
FQE-greedy) and H7's exact-critic reference, which do not depend on the learner under test, are computed
once per cell and Generator in a process (``_memoised``) instead of once per mutant. The rows of H1-H6
and H8 are bit-identical to those before (every row of the claim and of every mutant, ``provable-rl verify
'HNPG-*' --budget quick --no-cache --with-rows`` at root seeds 1 and 2, compared value by value), so
their calibration above stands. H7 and H9 were recalibrated: ``provable-rl calibrate 'HNPG-H7' 'HNPG-H9'
--budget quick --seeds 20 --jobs 1`` (fresh cache) held at 20/20 root seeds and rejected every mutant at
20/20 (H7: q_fit, on_policy_npg, step_no_horizon, step_extra_horizon; H9: fixed_batch,
critic_discount_squared, td_no_bootstrap, ignore_on_policy_term, step_no_horizon), 618 s on the shared
machine (load average 8-10; H7 254 s, H9 364 s); at smoke (``--budget smoke``, same command) likewise
20/20 and every mutant rejected 20/20 (H7 237 s, H9 248 s). Then the whole paper with the final code,
``provable-rl calibrate 'HNPG-*' --budget quick --seeds 20 --jobs 1`` (fresh cache): every claim held at
20/20 root seeds and every mutant of every panel was rejected at 20/20, in 1099 s on the shared machine
(load average 6-9; H1 87 s, H2 106 s, H3 11 s, H3b 21 s, H4 127 s, H5 64 s, H6 130 s, H7 89 s, H8 155 s,
H9 310 s) against 2558 s for H1-H8 before (and 1921 s for H9 alone).

Time for 20 root seeds at quick, a claim with its whole panel, in the run of H1-H8 (load-dependent: the
earlier quick calibration of H1-H6 took 779 s in all against 1410 s here): H1 536 s, H2 183 s, H3 17 s,
H3b 33 s, H4 260 s, H5 127 s, H6 254 s, H7 874 s, H8 274 s. CPU seconds of one root seed (quick, seed 1,
a claim's cells and its panel's, ``time.process_time`` around them in one process, December 2026), before /
after the speed-up: H1 2.0 / 1.9, H2 1.1 / 1.0, H3 0.1 / 0.1, H3b 0.6 / 0.5, H4 3.4 / 2.3, H5 1.0 / 0.6,
H6 3.3 / 2.0, H7 15.8 / 1.9, H8 5.2 / 2.9, H9 22.9 / 7.4; all 55.5 / 20.4 (at smoke, root seed 1: 37.4 /
13.5). ``provable-rl verify 'HNPG-*' --budget quick --seed 1 --no-cache --jobs 1``, the code before and after
run back to back on the loaded machine: 108.5 / 42.1 s of wall time in the claims' ``seconds``.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import json
import types

import numpy as np

from mdps.core import policy_matrix
from mdps.instances.hnpg import aliased_trap, linear_lock, lock_problem, lock_with_exit, reset_occupancy
from mdps.instances.random import random_mdp
from mdps.planning import policy_q_values
from proofs_check.framework import Claim, LearnerProtocol, Mutant, Sweep, per_budget, register
from proofs_check.statistics import Verdict, all_of, bound_verdict, exact_verdict, order_verdict, rate_verdict
from provable_rl.hnpg import (
    _batched_exact,
    _Context,
    _HPEConfig,
    _q_values_unchecked,
    _run_actor_critic,
    _tabular_hpe_kernel,
    hac,
    hnpg,
    hybrid_policy_evaluation,
    npg_exact,
    population_hpe,
    sample_round,
    softmax_policy,
)

PAPER = "Zhou, Sekhari, Song & Sun 2023"
#: A deterministic inequality: any violation must fail the binomial test (P(k >= 1) < 1e-3).
DETERMINISTIC_DELTA = 1e-7


def _theory_eta(mdp, T, horizon_power=1.0):
    """Theorem 1's step ``(1 - gamma) sqrt(log A / T)``; ``horizon_power`` p gives ``(1 - gamma)^p sqrt(..)``."""
    return (1.0 - mdp.gamma) ** horizon_power * np.sqrt(np.log(mdp.n_actions) / T)


def _values(mdp, policies):
    """Exact ``V^{pi_t}`` from the initial law, for a stack of policies (T + 1, S, A)."""
    policies = np.asarray(policies, dtype=float)
    if policies.ndim != 3 or policies.shape[1:] != (mdp.n_states, mdp.n_actions):
        raise ValueError(f"learner: expected policies of shape (T + 1, {mdp.n_states}, {mdp.n_actions}), "
                         f"got {policies.shape}")
    V, _, _ = _batched_exact(mdp, policies, np.repeat(mdp.initial[:, None], mdp.n_actions, axis=1) / mdp.n_actions)
    return V @ mdp.initial


def _suboptimality(mdp, policies):
    return float(mdp.initial @ mdp.optimal_values) - _values(mdp, policies)


# --------------------------------------------------------------------------------------------
# HNPG-H1: exact-critic HAC, cumulative suboptimality bound; also HNPG-FIG3's data
# --------------------------------------------------------------------------------------------

def exact_hac(mdp, n_iterations, rng):
    """HAC with the exact critic ``Q^{pi_t}`` and Theorem 1's step (the library's :func:`hac`, ``critic="exact"``)."""
    return hac(mdp, n_iterations=n_iterations, critic="exact").policies


def exact_mirror_descent(mdp, n_iterations, rng, *, eta_scale=1.0, critic="q", accumulate=True):
    """Mutant family: ``pi^{t+1} ~ pi^t exp(eta f^t)`` with ``eta = eta_scale x`` Theorem 1's step and
    ``f^t = Q^{pi_t}`` (``critic="q"``) or the reward ``r`` (``critic="reward"``, a myopic critic);
    ``accumulate=False`` restarts every step from uniform, ``pi^{t+1} ~ exp(eta f^t)`` (the mirror
    step's ``pi^t`` factor forgotten)."""
    T = n_iterations
    eta = eta_scale * _theory_eta(mdp, T)
    S, A = mdp.n_states, mdp.n_actions
    logits = np.zeros((S, A))
    policies = np.empty((T + 1, S, A))
    for t in range(T + 1):
        pi = np.exp(logits - logits.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        policies[t] = pi
        if t < T:
            f = _q_values_unchecked(mdp, pi) if critic == "q" else mdp.R
            logits = (logits if accumulate else 0.0) + eta * f
    return policies


EXACT_ACTOR = LearnerProtocol(
    name="hnpg.exact_actor",
    signature="learner(mdp, n_iterations, rng) -> policies",
    description=(
        "mdp : mdps.DiscountedMDP (S states, A actions, rewards in [0, 1]), known exactly: the learner may "
        "compute Q^pi of any policy (an exact critic). n_iterations : int T. rng : numpy Generator (unused by "
        "exact learners). Returns float array (T + 1, S, A): the policies pi_1 .. pi_{T+1}, rows on the "
        "simplex, pi_1 the learner's start. The sweep computes exactly sum_{t<=T} V* - V^{pi_t} from the "
        "initial state law and compares it with 2 sqrt(T log A) / (1 - gamma)^2."),
    default=exact_hac,
)

H1_T_GRID = (32, 64, 128, 256, 512, 1024)


def _h1_cells(budget):
    n_inst = per_budget(budget, 2, 4, 10)
    gammas = per_budget(budget, (0.5,), (0.5, 0.7), (0.5, 0.7, 0.9))
    return [{"gamma": g, "instance": i} for g in gammas for i in range(n_inst)]


def _h1_run(cell, rng, learner):
    data_rng, algo_rng = rng.spawn(2)
    mdp = random_mdp(10, 4, cell["gamma"], data_rng, concentration=0.3)
    A, gamma = mdp.n_actions, mdp.gamma
    rows = []
    for T in H1_T_GRID:
        gap = _suboptimality(mdp, learner(mdp, T, algo_rng))
        cumulative = float(gap[:-1].sum())
        bound = 2.0 * np.sqrt(T * np.log(A)) / (1 - gamma) ** 2
        rows.append({"T": T, "cumulative_suboptimality": cumulative, "average_suboptimality": cumulative / T,
                     "bound": bound, "ratio": cumulative / bound})
    return rows


H1_SWEEP = Sweep("hnpg.exact_hac", _h1_cells, _h1_run, protocol=EXACT_ACTOR)


def _h1_analyse(rows, budget):
    ratios = np.array([r["ratio"] for r in rows])
    return bound_verdict(ratios > 1.0, len(rows), DETERMINISTIC_DELTA, ratios=ratios)


H1 = register(Claim(
    id="HNPG-H1", name="hnpg.hac.exact_critic_bound", paper=PAPER,
    theorem="Lemma 6 + performance difference (exact critic) [derived]",
    statement="exact-critic HAC with eta=(1-gamma)sqrt(log A/T): sum_t V*-V^pi_t <= 2 sqrt(T log A)/(1-gamma)^2, "
              "random MDPs S=10, A=4, T in 32..1024",
    kind="bound", sweep=H1_SWEEP, analyse=_h1_analyse,
    mutants=(
        Mutant("step_div10", functools.partial(exact_mirror_descent, eta_scale=0.1),
               "mirror-descent step 10x too small (wrong scale)"),
        Mutant("wrong_sign", functools.partial(exact_mirror_descent, eta_scale=-1.0),
               "the step's sign flipped: pi <- pi exp(-eta Q) (descends)"),
        Mutant("no_accumulation", functools.partial(exact_mirror_descent, accumulate=False),
               "pi^{t+1} ~ exp(eta Q^{pi_t}): the mirror step restarts from uniform (pi^t's factor forgotten)"),
    ),
    panel_note="What the bound cannot see: a larger step (e.g. without the (1 - gamma) factor) only speeds "
               "up exact-critic NPG, and a myopic critic (r in place of Q^pi) stays below the bound on these "
               "random MDPs (max ratio 0.49 against HAC's 0.44 at gamma = 0.5, smoke, seed 0): the bound is "
               "loose by 2.3x, so only learners more than ~2x slower than HAC are rejectable.",
))


# --------------------------------------------------------------------------------------------
# HNPG-H2: exact NPG last iterate
# --------------------------------------------------------------------------------------------

def exact_npg(mdp, eta, n_iterations):
    """The library's exact softmax NPG (:func:`provable_rl.hnpg.npg_exact`)."""
    return npg_exact(mdp, eta=eta, n_iterations=n_iterations, return_policies=True)[1]


def npg_variant(mdp, eta, n_iterations, *, sign=1.0, horizon=True, eta_scale=1.0):
    """Mutant family of exact NPG: ``pi <- pi exp(sign x eta_scale x eta A / (1 - gamma))``, the
    ``1 / (1 - gamma)`` dropped when ``horizon=False``."""
    step = sign * eta_scale * eta / ((1.0 - mdp.gamma) if horizon else 1.0)
    S, A = mdp.n_states, mdp.n_actions
    logits = np.zeros((S, A))
    policies = np.empty((n_iterations + 1, S, A))
    for t in range(n_iterations + 1):
        pi = np.exp(logits - logits.max(axis=1, keepdims=True))
        pi /= pi.sum(axis=1, keepdims=True)
        policies[t] = pi
        Q = _q_values_unchecked(mdp, pi)
        logits = logits + step * (Q - (pi * Q).sum(axis=1, keepdims=True))
    return policies


EXACT_NPG = LearnerProtocol(
    name="hnpg.exact_npg",
    signature="learner(mdp, eta, n_iterations) -> policies",
    description=(
        "mdp : mdps.DiscountedMDP, known exactly. eta : float > 0, the NPG step of Agarwal et al. (2021): "
        "pi^{t+1} ~ pi^t exp(eta A^{pi^t} / (1 - gamma)). n_iterations : int T. Returns float array "
        "(T + 1, S, A): pi^0 (uniform) .. pi^T. The sweep checks exactly, at every t, "
        "V*(rho) - V^{pi^t}(rho) <= log A / (eta t) + 1 / ((1 - gamma)^2 t)."),
    default=exact_npg,
)


#: eta = 0.01 is where a step without its 1/(1 - gamma) factor shows: at gamma = 0.9 its max ratio
#: to the bound is 1.8 (the algorithm's 0.20); at eta >= 0.1 the bound is too loose to see it (<= 0.42).
H2_ETAS = (0.01, 0.1, 1.0, 10.0)


def _h2_cells(budget):
    n_inst = per_budget(budget, 2, 4, 10)
    return [{"gamma": g, "eta": eta, "instance": i} for g in (0.5, 0.9) for eta in H2_ETAS
            for i in range(n_inst)]


def _h2_run(cell, rng, learner):
    """Exact NPG ``pi^{t+1} ~ pi^t exp(eta A^t / (1 - gamma))`` from uniform, T = 200.

    The threshold is re-derived, not taken on trust (the constant is tagged [recalled]):
    with ``Z_t(s) = sum_a pi^t(a|s) exp(eta A^t(s, a) / (1 - gamma)) >= 1`` (Jensen, E_pi A = 0),
    the performance-difference lemma gives ``V^{t+1}(mu) - V^t(mu) >= (1 - gamma)/eta E_mu log Z_t >= 0``
    for every ``mu`` (monotone improvement), and for ``d* = d^{pi*}_rho``
    ``V*(rho) - V^t(rho) = (1/eta) E_{d*}[KL(pi*||pi^t) - KL(pi*||pi^{t+1}) + log Z_t]``
    ``<= (1/eta) E_{d*}[KL_t - KL_{t+1}] + (V^{t+1}(d*) - V^t(d*)) / (1 - gamma)``. Summing over
    t < T, ``KL(pi*||uniform) <= log A`` and ``V <= 1/(1 - gamma)`` give
    ``T (V*(rho) - V^T(rho)) <= sum_t (V*(rho) - V^t(rho)) <= log A / eta + 1 / (1 - gamma)^2``.
    """
    mdp = random_mdp(10, 4, cell["gamma"], rng, concentration=0.3)
    T = 200
    values = _values(mdp, learner(mdp, cell["eta"], T))
    t = np.arange(1, T + 1)
    gap = mdp.initial @ mdp.optimal_values - values[1:]
    bound = np.log(mdp.n_actions) / (cell["eta"] * t) + 1.0 / ((1 - mdp.gamma) ** 2 * t)
    return [{"max_ratio": float(np.max(gap / bound)), "violated": int(np.any(gap > bound))}]


H2_SWEEP = Sweep("hnpg.npg_last_iterate", _h2_cells, _h2_run, protocol=EXACT_NPG)


def _h2_analyse(rows, budget):
    return bound_verdict([r["violated"] for r in rows], len(rows), DETERMINISTIC_DELTA,
                         ratios=[r["max_ratio"] for r in rows])


H2 = register(Claim(
    id="HNPG-H2", name="hnpg.npg.last_iterate_bound", paper=PAPER,
    theorem="Agarwal et al. 2021 Thm 16 [recalled], re-derived here [derived] (see _h2_run)",
    statement="exact softmax NPG: V*-V^pi_t <= log A/(eta t) + 1/((1-gamma)^2 t) for all t <= 200, eta in {0.01,0.1,1,10}",
    kind="bound", sweep=H2_SWEEP, analyse=_h2_analyse,
    mutants=(
        Mutant("wrong_sign", functools.partial(npg_variant, sign=-1.0),
               "NPG step with the wrong sign (pi <- pi exp(-eta A / (1-gamma)))"),
        Mutant("no_horizon_factor", functools.partial(npg_variant, horizon=False),
               "the step without its horizon factor: pi <- pi exp(eta A) (1/(1-gamma) dropped)"),
        Mutant("step_div100", functools.partial(npg_variant, eta_scale=0.01), "the step 100x too small"),
    ),
))


# --------------------------------------------------------------------------------------------
# HNPG-H3: population HPE contraction (exact); HNPG-H3b: sampled HPE averaging (rate)
# --------------------------------------------------------------------------------------------

H3_N_AVERAGED = (1, 2, 4, 8, 16, 32)
H3_BURN_IN = 12
H3_LAMBDAS = (0.1, 1.0, 10.0, 1000.0)
H3_ITERATIONS = 40


def population_hpe_learner(mdp, policy, offline_distribution, lam, n_iterations, initial_critic):
    """The library's expected-value HPE (:func:`provable_rl.hnpg.population_hpe`)."""
    return population_hpe(mdp, policy, offline_distribution, lam=lam, n_iterations=n_iterations,
                          initial_critic=initial_critic)


def population_hpe_variant(mdp, policy, offline_distribution, lam, n_iterations, initial_critic, *, target):
    """Mutant family of population HPE: the offline TD target is ``r + gamma max_a' f(s', a')``
    (``"greedy"``, an FQI target), ``r`` (``"reward"``, no bootstrap) or ``r + gamma E_uniform f(s', .)``
    (``"uniform"``, bootstrapping the wrong policy)."""
    pi = np.asarray(policy, dtype=float)
    d = reset_occupancy(mdp, pi)
    Q = policy_q_values(mdp, pi)
    nu = offline_distribution
    den = nu + lam * d
    f = np.array(initial_critic, dtype=float)
    out = [f.copy()]
    for _ in range(n_iterations):
        if target == "greedy":
            Tf = mdp.R + mdp.gamma * mdp.P @ f.max(axis=1)
        elif target == "reward":
            Tf = mdp.R
        else:
            Tf = mdp.R + mdp.gamma * mdp.P @ f.mean(axis=1)
        f = np.where(den > 0, (nu * Tf + lam * d * Q) / np.where(den > 0, den, 1.0), f)
        out.append(f.copy())
    return np.array(out)


POPULATION_HPE = LearnerProtocol(
    name="hnpg.population_hpe",
    signature="learner(mdp, policy, offline_distribution, lam, n_iterations, initial_critic) -> iterates",
    description=(
        "mdp : mdps.DiscountedMDP (S, A), with the product reset initial(s) / A. policy : float (S, A), the "
        "policy pi evaluated. offline_distribution : float (S, A), nu. lam : float > 0, the weight of the "
        "on-policy term. n_iterations : int K. initial_critic : float (S, A), f_0. Returns float array "
        "(K + 1, S, A): f_0 .. f_K, the expected-value iterates of HPE's eq. 1 (offline TD term under nu, "
        "lam x on-policy Monte-Carlo term under d^pi). The sweep checks exactly "
        "||f_k - Q^pi||_inf <= gamma^k ||f_0 - Q^pi||_inf for every k."),
    default=population_hpe_learner,
)


def _h3_cells(budget):
    return [{"instance": i} for i in range(per_budget(budget, 3, 6, 20))]


def _h3_run(cell, rng, learner):
    mdp = random_mdp(6, 3, float(rng.uniform(0.5, 0.95)), rng, concentration=0.5)
    pi = softmax_policy(rng.standard_normal((6, 3)))
    nu = rng.dirichlet(np.full(18, 0.3)).reshape(6, 3)
    Q = policy_q_values(mdp, pi)
    rows = []
    for lam in H3_LAMBDAS:
        f0 = rng.uniform(-5, 5, size=(6, 3))
        iterates = np.asarray(learner(mdp, pi, nu, lam, H3_ITERATIONS, f0), dtype=float)
        err = np.abs(iterates - Q).max(axis=(1, 2))
        k = np.arange(err.size)
        excess = float(np.max(err - mdp.gamma ** k * err[0]))
        rows.append({"lam": lam, "gamma": mdp.gamma, "contraction_excess": excess,
                     "final_error": float(err[-1]), "predicted_final": float(mdp.gamma ** H3_ITERATIONS * err[0])})
    return rows


H3_SWEEP = Sweep("hnpg.hpe_population", _h3_cells, _h3_run, protocol=POPULATION_HPE)


def _h3_analyse(rows, budget):
    # A deterministic inequality per iterate: the excess over gamma^k ||f_0 - Q^pi|| must be <= 0
    # up to rounding (clipped at 0 so that slack below the bound counts as agreement).
    return exact_verdict([max(r["contraction_excess"], 0.0) for r in rows], np.zeros(len(rows)), atol=1e-9)


H3 = register(Claim(
    id="HNPG-H3", name="hnpg.hpe.population_contraction", paper=PAPER,
    theorem="Alg. 2 (HPE) in expectation: T^pi Q^pi = Q^pi gives a gamma-contraction [derived]",
    statement=f"population HPE: ||f_k-Q^pi||_inf <= gamma^k ||f_0-Q^pi||_inf for k <= {H3_ITERATIONS}, "
              f"lam in {H3_LAMBDAS}, random nu, gamma in [0.5, 0.95]",
    kind="exact", sweep=H3_SWEEP, analyse=_h3_analyse,
    mutants=(
        Mutant("greedy_target", functools.partial(population_hpe_variant, target="greedy"),
               "TD target bootstraps max_a' f(s',a') (FQI) instead of E_pi f(s',.): converges elsewhere"),
        Mutant("no_bootstrap", functools.partial(population_hpe_variant, target="reward"),
               "TD target r only (gamma f(s', pi) dropped): the offline term pulls towards r"),
        Mutant("uniform_bootstrap", functools.partial(population_hpe_variant, target="uniform"),
               "TD target bootstraps E_uniform f(s',.): evaluates the wrong policy offline"),
    ),
))


def sampled_hpe(mdp, policy, offline_distribution, lam, k1, k2, m_on, m_off, rng):
    """The library's sampled HPE (:func:`provable_rl.hnpg.hybrid_policy_evaluation`): ``f_bar``."""
    return hybrid_policy_evaluation(mdp, policy, offline_distribution=offline_distribution, lam=lam, k1=k1, k2=k2,
                                    m_on=m_on, m_off=m_off, rng=rng).critic


def sampled_hpe_no_averaging(mdp, policy, offline_distribution, lam, k1, k2, m_on, m_off, rng):
    """Mutant: HPE returning the last iterate ``f_{K2}`` instead of the average of ``f_{K1+1..K2}``."""
    return hybrid_policy_evaluation(mdp, policy, offline_distribution=offline_distribution, lam=lam, k1=k1, k2=k2,
                                    m_on=m_on, m_off=m_off, rng=rng, average=False).critic


def sampled_hpe_stale_batch(mdp, policy, offline_distribution, lam, k1, k2, m_on, m_off, rng):
    """Mutant: one batch ``D_on, D_off`` drawn once and reused by every iteration (no fresh data per k)."""
    pi = np.array(policy, dtype=float)
    batch = sample_round(mdp, pi, n_on=m_on, n_off=m_off, offline_distribution=offline_distribution, rng=rng)
    tile = lambda x: np.ascontiguousarray(np.tile(x, k2))  # noqa: E731 (local helper, not a learner)
    f_bar, _ = _tabular_hpe_kernel(tile(batch.on_s), tile(batch.on_a), tile(batch.on_y), tile(batch.off_s),
                                   tile(batch.off_a), tile(batch.off_r), tile(batch.off_s_next), pi,
                                   np.zeros(pi.shape), mdp.gamma, float(lam), k1, k2, m_on, m_off, True, True)
    return f_bar


SAMPLED_HPE = LearnerProtocol(
    name="hnpg.sampled_hpe",
    signature="learner(mdp, policy, offline_distribution, lam, k1, k2, m_on, m_off, rng) -> critic",
    description=(
        "mdp : mdps.DiscountedMDP (S, A) used as a simulator: draw on-policy samples (s, a) ~ d^pi with "
        "unbiased Monte-Carlo targets and offline tuples (s, a) ~ nu with provable_rl.hnpg.sample_round. "
        "policy : float (S, A). offline_distribution : float (S, A), nu. lam : float, the on-policy weight. "
        "k1 < k2 : ints, the averaging window. m_on, m_off : ints, the batch sizes per iteration. rng : "
        "numpy Generator for the samples. Returns float (S, A): the critic. The sweep measures "
        "E_{d^pi}(f - Q^pi)^2 against K2 - K1 (log-log slope)."),
    default=sampled_hpe,
)


def _h3b_cells(budget):
    return [{"block": b} for b in range(per_budget(budget, 4, 6, 12))]


def _h3_instance(rng):
    mdp = random_mdp(5, 3, 0.5, rng, concentration=0.5)
    pi = softmax_policy(rng.standard_normal((5, 3)))
    return mdp, pi


def _h3b_run(cell, rng, learner):
    # One fixed instance (part of the claim's definition, not cell randomness): blocks replicate one experiment.
    mdp, pi = _h3_instance(np.random.default_rng(20231114))
    Q = policy_q_values(mdp, pi)
    d = reset_occupancy(mdp, pi)
    nu = np.full((5, 3), 1 / 15)
    rows = []
    for n in H3_N_AVERAGED:
        errors = []
        for _ in range(10):
            critic = np.asarray(learner(mdp, pi, nu, 1.0, H3_BURN_IN, H3_BURN_IN + n, 40, 40, rng), dtype=float)
            errors.append(float(np.sum(d * (critic - Q) ** 2)))
        rows.append({"n_averaged": n, "on_policy_mse": float(np.mean(errors))})
    return rows


H3B_SWEEP = Sweep("hnpg.hpe_averaging", _h3b_cells, _h3b_run, protocol=SAMPLED_HPE)


def _h3b_analyse(rows, budget):
    blocks = sorted({r["block"] for r in rows})
    table = np.array([[next(r["on_policy_mse"] for r in rows if r["block"] == b and r["n_averaged"] == n)
                       for b in blocks] for n in H3_N_AVERAGED])
    return rate_verdict(H3_N_AVERAGED, table[:, None, :], exponent=-1.0, tolerance=0.25,
                        competitors=(-0.5, 0.0))


H3B = register(Claim(
    id="HNPG-H3b", name="hnpg.hpe.averaging_rate", paper=PAPER,
    theorem="Alg. 2 (HPE) K1/K2 averaging, Lemma 5's statistical part [paper]; the slope [derived]",
    statement="sampled HPE after a burn-in of K1=12: E_{d^pi}(f_bar-Q^pi)^2 ~ (K2-K1)^-1 (log-log slope -1 +/- 0.25, "
              "-1/2 and 0 excluded)",
    kind="rate", sweep=H3B_SWEEP, analyse=_h3b_analyse,
    mutants=(
        Mutant("no_averaging", sampled_hpe_no_averaging,
               "HPE without averaging: returns f_K2 instead of the mean of f_{K1+1..K2}"),
        Mutant("stale_batch", sampled_hpe_stale_batch,
               "one batch drawn once and reused by every iteration: averaging removes no variance"),
    ),
    panel_note="The rate only sees how the error scales with K2 - K1: an average over a constant fraction "
               "of the window has the same slope, and so does averaging from k = 1 without the burn-in (slope "
               "-1.16, -1.11, -1.09 at smoke seeds 0-2: the start's bias decays like gamma^k, faster than the "
               "variance). The two ways averaging can fail to reduce variance are the panel.",
))


# --------------------------------------------------------------------------------------------
# HNPG-H4 / H5 / H6: actor-critic learners on the lock and on aliased features
# --------------------------------------------------------------------------------------------

def hac_learner(mdp, features, reset, offline_distribution, n_iterations, rng, *, lam=1.0, m=200,
                horizon_power=1.0, bootstrap=True, critic="hybrid"):
    """The library's HAC (:func:`provable_rl.hnpg.hac`): K1 = 2, K2 = 4, ``m_on = m_off = m``, lambda and
    the step of Theorem 1 (``lam="half_T"`` is T/2 - 1). The keywords make the panel's variants:
    ``horizon_power`` p uses ``(1 - gamma)^p sqrt(log A / T)``, ``bootstrap=False`` a TD target ``r``,
    ``critic="online"`` on-policy NPG (offline term off), ``"offline"`` FQE-greedy (on-policy term off)."""
    T = n_iterations
    lam = T / 2 - 1 if lam == "half_T" else lam
    return hac(mdp, n_iterations=T, critic=critic, offline_distribution=offline_distribution, reset=reset, rng=rng,
               features=features, lam=lam, k1=2, k2=4, m_on=m, m_off=m, bootstrap=bootstrap,
               eta=_theory_eta(mdp, T, horizon_power))


#: H6's learner: Theorem 1 without completeness (lambda = T/2 - 1), batches of 100.
hac_no_complete = functools.partial(hac_learner, lam="half_T", m=100)


def do_nothing(mdp, features, reset, offline_distribution, n_iterations, rng):
    """Mutant: a learner that never leaves the uniform policy."""
    S, A = mdp.n_states, mdp.n_actions
    return types.SimpleNamespace(policies=np.full((n_iterations + 1, S, A), 1.0 / A))


_AC_DESCRIPTION = (
    "mdp : mdps.DiscountedMDP (S, A), a simulator: the learner draws its samples with "
    "provable_rl.hnpg.sample_round (episodes start from reset; offline tuples (s, a) ~ nu). features : "
    "float (S, A, d), the critic's linear class, or None for the tabular class. reset : float (S, A), mu0. "
    "offline_distribution : float (S, A), nu. n_iterations : int T. rng : numpy Generator for the samples. "
    "Returns an object with attribute policies, float (T + 1, S, A): pi^1 .. pi^{T+1} (a "
    "provable_rl.hnpg.HACResult; the optional arrays mc_loss, td_loss, online_samples of shape (T,) feed the "
    "figures). The sweep computes V* - V^{pi_t} exactly and compares the learner with on-policy NPG.")

AC_PROTOCOL = LearnerProtocol(
    name="hnpg.hac",
    signature="learner(mdp, features, reset, offline_distribution, n_iterations, rng) -> result",
    description=_AC_DESCRIPTION + " Default: HAC with lambda = 1 (the Bellman-complete case).",
    default=hac_learner,
)

AC_NO_COMPLETE_PROTOCOL = LearnerProtocol(
    name="hnpg.hac_no_complete",
    signature="learner(mdp, features, reset, offline_distribution, n_iterations, rng) -> result",
    description=_AC_DESCRIPTION + " Default: HAC with lambda = T/2 - 1 (Theorem 1 without completeness).",
    default=hac_no_complete,
)

#: HNPG-H4's lock: long enough (A^L = 262144) that the reset alone does not let on-policy NPG find pi*,
#: T long enough for the hybrid to solve it with Theorem 1's step.
LOCK = {"length": 6, "n_actions": 8, "gamma": 0.85, "T": 600}
#: HNPG-H5's lock: short enough (A^L = 512) that on-policy NPG learns from the reset alone, so the
#: negative control compares two learners that both move.
LOCK_SHORT = {"length": 3, "n_actions": 8, "gamma": 0.85, "T": 150}


def _num(x):
    return float(x) if np.isfinite(x) else None


def _optional(out, name, T):
    arr = getattr(out, name, None)
    return np.full(T, np.nan) if arr is None else np.asarray(arr, dtype=float)


def _learner_rows(mdp, out, T, success=None):
    """One row per iteration t = 0 .. T (pi^{t+1}); losses are those of round t's critic."""
    policies = np.asarray(out.policies, dtype=float)
    if policies.shape != (T + 1, mdp.n_states, mdp.n_actions):
        raise ValueError(f"learner: expected policies of shape {(T + 1, mdp.n_states, mdp.n_actions)}, "
                         f"got {policies.shape}")
    V_star = float(mdp.initial @ mdp.optimal_values)
    gap = _suboptimality(mdp, policies) / V_star
    mc, td, online = (_optional(out, k, T) for k in ("mc_loss", "td_loss", "online_samples"))
    walk = None if success is None else success(policies)
    rows = []
    for t in range(T + 1):
        last = t == T
        row = {"t": t, "relative_suboptimality": float(gap[t]),
               "mc_loss": None if last else _num(mc[t]), "td_loss": None if last else _num(td[t]),
               "online_samples": _num(online[t - 1]) if t else 0}
        if success is not None:
            row["success"] = float(walk[t])
        rows.append(row)
    return rows


def _success(lock, policies):
    """``prod_i pi_t(good_i | i)`` for every t: :meth:`LockProblem.success_probability`, vectorised."""
    return np.prod(policies[:, np.arange(lock.length), lock.good_actions], axis=1)


#: Rows that do not depend on the learner under test (a cell's baseline run, on-policy NPG or FQE-greedy, and
#: an exact-critic reference), kept for the last this many cells of this process: a claim's panel meets the
#: same baseline cells at every mutant (common random numbers), and each was recomputed for every one of them.
BASELINE_MEMO_CELLS = 64
_BASELINE_MEMO: collections.OrderedDict = collections.OrderedDict()


def _rng_key(rng):
    """What determines every draw from ``rng`` and from the streams it spawns: its seed sequence (entropy, spawn
    key, children spawned so far) and its state; None for a Generator without a seed sequence."""
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):
        return None
    return repr(seq.entropy), tuple(seq.spawn_key), seq.n_children_spawned, repr(rng.bit_generator.state)


def _memoised(tag, cell, rng_key, compute):
    """``compute()`` (a list of row dicts), or copies of the rows it returned for the same ``tag``, ``cell`` and
    ``rng_key`` (:func:`_rng_key` of the Generator ``compute`` draws from, taken before any draw); never
    memoised when ``rng_key`` is None."""
    if rng_key is None:
        return compute()
    key = (tag, json.dumps(cell, sort_keys=True), rng_key)
    if key in _BASELINE_MEMO:
        _BASELINE_MEMO.move_to_end(key)
    else:
        _BASELINE_MEMO[key] = compute()
        while len(_BASELINE_MEMO) > BASELINE_MEMO_CELLS:
            _BASELINE_MEMO.popitem(last=False)
    return [dict(row) for row in _BASELINE_MEMO[key]]


def _run_lock(cell, rng, learner, config, offline):
    """A lock from ``data_rng``; role "hybrid" runs the learner under test, "online" on-policy NPG (memoised:
    it does not depend on the learner)."""
    if cell["learner"] != "hybrid":
        return _memoised(("lock", tuple(sorted(config.items())), offline), cell, _rng_key(rng),
                         lambda: _lock_rows(cell, rng, learner, config, offline))
    return _lock_rows(cell, rng, learner, config, offline)


def _lock_rows(cell, rng, learner, config, offline):
    data_rng, algo_rng = rng.spawn(2)
    lock = lock_problem(config["length"], config["n_actions"], config["gamma"], data_rng, offline=offline)
    run = learner if cell["learner"] == "hybrid" else functools.partial(hac_learner, critic="online")
    out = run(lock.mdp, None, lock.reset, lock.offline_distribution, config["T"], algo_rng)
    rows = _learner_rows(lock.mdp, out, config["T"], functools.partial(_success, lock))
    d_star = reset_occupancy(lock.mdp, lock.mdp.optimal_policy, lock.reset)
    rows[0]["nu_covers_pi_star"] = int(np.all(lock.offline_distribution[d_star > 0] > 0))
    return rows


def _lock_cells(budget):
    seeds = per_budget(budget, 6, 10, 24)
    return [{"learner": learner, "seed": s} for learner in ("hybrid", "online") for s in range(seeds)]


def _h4_run(cell, rng, learner):
    return _run_lock(cell, rng, learner, LOCK, "epsilon_greedy")


def _h5_run(cell, rng, learner):
    return _run_lock(cell, rng, learner, LOCK_SHORT, "off_path")


H4_SWEEP = Sweep("hnpg.lock", _lock_cells, _h4_run, protocol=AC_PROTOCOL)
H5_SWEEP = Sweep("hnpg.lock_no_coverage", _lock_cells, _h5_run, protocol=AC_PROTOCOL)


def _final(rows, learner, key="relative_suboptimality"):
    last = max(r["t"] for r in rows)
    by_seed = {r["seed"]: r[key] for r in rows if r["learner"] == learner and r["t"] == last}
    return np.array([by_seed[s] for s in sorted(by_seed)])


def _initial(rows, learner, key="relative_suboptimality"):
    by_seed = {r["seed"]: r[key] for r in rows if r["learner"] == learner and r["t"] == 0}
    return np.array([by_seed[s] for s in sorted(by_seed)])


def _average(rows, learner):
    """Per seed: (1/T) sum_{t<T} (V* - V^pi_t) / V*, Theorem 1's average suboptimality."""
    T = max(r["t"] for r in rows)
    by_seed = {}
    for r in rows:
        if r["learner"] == learner and r["t"] < T:
            by_seed.setdefault(r["seed"], []).append(r["relative_suboptimality"])
    return np.array([np.mean(by_seed[s]) for s in sorted(by_seed)])


#: H4: the hybrid "solves" the lock when its final V* - V is at most this fraction of V* (seed mean).
SOLVED = 0.1
#: H4: on-policy NPG "does not solve" it when its final V* - V is at least this fraction of V* (seed mean).
UNSOLVED = 0.5


def _lock_uses_offline(rows, prefix=""):
    hybrid, online = _final(rows, "hybrid"), _final(rows, "online")
    # A fixed threshold as order_verdict's denominator (a constant 1 per seed): mean(x) / 1 <= margin,
    # with the bootstrap interval over seeds of the numerator.
    return {
        prefix + "hybrid far ahead": order_verdict(hybrid, online, margin=0.2,
                                                   label="final suboptimality hybrid / on-policy"),
        prefix + "hybrid solves": order_verdict(hybrid, np.ones(hybrid.size), margin=SOLVED,
                                                label="hybrid mean final (V*-V)/V*"),
        prefix + "on-policy does not": order_verdict(np.ones(online.size), online, margin=1.0 / UNSOLVED,
                                                     label="1 / on-policy mean final (V*-V)/V*"),
    }


def _h4_analyse(rows, budget):
    return all_of(_lock_uses_offline(rows))


STEP_EXTRA_HORIZON = "the step with an extra horizon factor: (1-gamma)^2 sqrt(log A/T) (too small)"

H4 = register(Claim(
    id="HNPG-H4", name="hnpg.lock.hybrid_beats_on_policy", paper=PAPER,
    theorem="Thm 1 (best of both worlds: min{C_npg, C_off^2}) [paper]; the lock [derived]",
    statement=f"lock L={LOCK['length']}, A={LOCK['n_actions']}, gamma={LOCK['gamma']}, T={LOCK['T']}, offline nu = "
              f"eps-greedy pi* occupancy: HAC solves it (mean final (V*-V)/V* <= {SOLVED:g}), on-policy NPG does not "
              f"(>= {UNSOLVED:g}), and HAC's final V*-V <= 0.2 x on-policy NPG's (seed means, bootstrap)",
    kind="order", sweep=H4_SWEEP, analyse=_h4_analyse,
    mutants=(
        Mutant("td_no_bootstrap", functools.partial(hac_learner, bootstrap=False),
               "offline TD target r only (no gamma f(s', pi) bootstrap): offline data cannot carry pi*'s values"),
        Mutant("on_policy_npg", functools.partial(hac_learner, critic="online"),
               "on-policy NPG: the offline weight off (the critic ignores the offline data)"),
        Mutant("step_extra_horizon", functools.partial(hac_learner, horizon_power=2.0), STEP_EXTRA_HORIZON),
    ),
))


#: H5: the hybrid "loses" when its average suboptimality exceeds on-policy NPG's by this factor.
NO_LOSS = 1.25


def _h5_analyse(rows, budget):
    # Theory side: the guarantee's offline branch needs C_off < inf; with C_off = inf only C_npg remains,
    # so the theory predicts no gain from the offline data (this premise is a property of the construction).
    covered = [r["nu_covers_pi_star"] for r in rows if r["t"] == 0 and "nu_covers_pi_star" in r]
    no_guarantee = Verdict(not any(covered), float(np.mean(covered)), (0.0, 0.0),
                           f"nu covers pi*'s pairs in {int(np.sum(covered))}/{len(covered)} runs (C_off = inf needed)")
    # The control is only informative if the baseline moves: on-policy NPG must learn this short lock.
    learns = order_verdict(_final(rows, "online"), _initial(rows, "online"), margin=0.5,
                           label="on-policy final / initial suboptimality")
    hybrid, online = _average(rows, "hybrid"), _average(rows, "online")
    wins = order_verdict(hybrid, online, margin=0.8, label="average suboptimality hybrid / on-policy")
    no_win = Verdict(not wins.holds, wins.statistic, wins.interval, f"not ({wins.summary})", wins.details)
    # Theorem 1 still gives the C_npg branch: the hybrid keeps on-policy NPG's guarantee (it does not lose).
    no_loss = order_verdict(hybrid, online, margin=NO_LOSS, label="average suboptimality hybrid / on-policy")
    return all_of({"on-policy learns": learns, "hybrid does not win": no_win, "hybrid does not lose": no_loss,
                   "no offline guarantee": no_guarantee})


H5 = register(Claim(
    id="HNPG-H5", name="hnpg.lock.negative_control", paper=PAPER,
    theorem="Thm 1 needs min{C_npg, C_off^2} small [paper]; negative control [derived]",
    statement=f"lock L={LOCK_SHORT['length']}, A={LOCK_SHORT['n_actions']}, T={LOCK_SHORT['T']}, nu uniform over "
              "pairs off pi*'s path (C_off = inf): on-policy NPG learns (final <= 0.5 x initial suboptimality), "
              f"HAC's average suboptimality is NOT <= 0.8 x on-policy NPG's and is <= {NO_LOSS:g} x",
    kind="order", sweep=H5_SWEEP, analyse=_h5_analyse,
    mutants=(
        Mutant("do_nothing", do_nothing, "a learner that never leaves uniform: passes 'no gain' vacuously"),
        Mutant("offline_only", functools.partial(hac_learner, critic="offline"),
               "FQE-greedy on the offline data alone (on-policy term off): the data do not show pi*"),
        Mutant("step_extra_horizon", functools.partial(hac_learner, horizon_power=2.0), STEP_EXTRA_HORIZON),
        Mutant("step_no_horizon", functools.partial(hac_learner, horizon_power=0.0),
               "the step without its horizon factor: sqrt(log A/T), 1/(1-gamma) x Theorem 1's"),
    ),
))


ALIASED_T = 100


def _h6_cells(budget):
    # The lock part separates by a factor ~100 (HAC ~0.01, on-policy ~1.0 of V*), so few seeds
    # decide it; "fqe" (lambda = 0) is only drawn in HNPG-FIG2, not analysed.
    seeds = per_budget(budget, 6, 8, 16)
    return ([{"part": "aliased", "learner": learner, "seed": s} for learner in ("hybrid", "online")
             for s in range(seeds)]
            + [{"part": "aliased", "learner": "fqe", "seed": s} for s in range(per_budget(budget, 3, 3, 6))]
            + [{"part": "lock", "learner": learner, "seed": s} for learner in ("hybrid", "online")
               for s in range(per_budget(budget, 4, 6, 12))])


def _h6_run(cell, rng, learner):
    if cell["part"] == "lock":
        return _run_lock(cell, rng, learner, LOCK, "epsilon_greedy")
    if cell["learner"] != "hybrid":
        return _memoised("aliased", cell, _rng_key(rng), lambda: _aliased_rows(cell, rng, learner))
    return _aliased_rows(cell, rng, learner)


def _aliased_rows(cell, rng, learner):
    algo_rng = rng.spawn(1)[0]
    problem = aliased_trap(0.9)
    role = cell["learner"]
    run = {"hybrid": learner, "online": functools.partial(hac_learner, critic="online", m=100),
           "fqe": functools.partial(hac_learner, lam=0.0, m=100)}[role]
    out = run(problem.mdp, problem.features, problem.reset, problem.offline_distribution, ALIASED_T, algo_rng)
    rows = _learner_rows(problem.mdp, out, ALIASED_T)
    errors = getattr(out, "critic_error", None)
    for t, row in enumerate(rows[:-1]):
        row["critic_error"] = None if errors is None else float(errors[t])
    return rows


H6_SWEEP = Sweep("hnpg.aliased", _h6_cells, _h6_run, protocol=AC_NO_COMPLETE_PROTOCOL)


def _part(rows, part):
    return [r for r in rows if r["part"] == part]


def _h6_analyse(rows, budget):
    aliased = _part(rows, "aliased")
    factor = order_verdict(_average(aliased, "hybrid"), _average(aliased, "online"), margin=1.5,
                           label="average suboptimality hybrid(lam=T/2-1) / on-policy")
    decreases = order_verdict(_final(aliased, "hybrid"), _initial(aliased, "hybrid"), margin=0.5,
                              label="final / initial suboptimality")
    return all_of({"aliased: within 1.5x of on-policy NPG": factor, "aliased: no divergence": decreases,
                   **_lock_uses_offline(_part(rows, "lock"), prefix="lock: ")})


H6 = register(Claim(
    id="HNPG-H6", name="hnpg.aliased.robust_without_completeness", paper=PAPER,
    theorem="Thm 1, no-completeness case (lambda = T/2 - 1) [paper]; aliased instance and lock [derived]",
    statement=f"lambda=T/2-1: aliased linear critic (epsilon_be > 0), T={ALIASED_T}: HAC's average suboptimality "
              f"<= 1.5 x on-policy NPG's and final <= 0.5 x initial; lock L={LOCK['length']}, A={LOCK['n_actions']}, "
              f"T={LOCK['T']}: HAC solves it (<= {SOLVED:g}), on-policy NPG does not, final <= 0.2 x on-policy's",
    kind="order", sweep=H6_SWEEP, analyse=_h6_analyse,
    mutants=(
        Mutant("on_policy_npg", functools.partial(hac_learner, critic="online", m=100),
               "on-policy NPG: ignores the offline data (lambda -> infinity)"),
        Mutant("ignore_on_policy_term", functools.partial(hac_learner, lam=0.0, m=100),
               "critic fit ignores the on-policy term (lambda = 0: pure FQE on aliased features)"),
        Mutant("step_extra_horizon", functools.partial(hac_learner, lam="half_T", m=100, horizon_power=2.0),
               STEP_EXTRA_HORIZON),
    ),
))


# --------------------------------------------------------------------------------------------
# HNPG-H7: Algorithm 3 (log-linear policies, compatible fit) on a linear lock
# --------------------------------------------------------------------------------------------

#: HNPG-H7's linear lock: d = 2L + 2 = 10 dense features against S A = 48 pairs; A^L = 4096 keeps
#: on-policy NPG from the reset alone at the start (final 0.9997 of V* at T = 800, 4 seeds).
LINEAR_LOCK = {"length": 4, "n_actions": 8, "gamma": 0.8, "T": 800, "m": 100}


def hnpg_learner(mdp, policy_features, critic_features, reset, offline_distribution, n_iterations, rng, *,
                 critic="hybrid", horizon_power=1.0, m=LINEAR_LOCK["m"]):
    """The library's HNPG (:func:`provable_rl.hnpg.hnpg`, Algorithm 3): lambda = 1, K1 = 2, K2 = 4,
    ``m_on = m_off = m``, HPE with the linear critic class ``critic_features`` and the step
    ``(1 - gamma)^p sqrt(log A / T)`` (``horizon_power`` p = 1 is the library's default);
    ``critic="online"`` drops the offline term (on-policy NPG with compatible features)."""
    T = n_iterations
    return hnpg(mdp, policy_features, n_iterations=T, critic=critic, offline_distribution=offline_distribution,
                reset=reset, rng=rng, features=critic_features, lam=1.0, k1=2, k2=4, m_on=m, m_off=m,
                eta=_theory_eta(mdp, T, horizon_power))


def hnpg_q_fit(mdp, policy_features, critic_features, reset, offline_distribution, n_iterations, rng,
               *, m=LINEAR_LOCK["m"]):
    """Mutant: Algorithm 3 whose compatible fit regresses the critic ``f`` itself (a Q fit) on
    ``g = phi - E_pi phi`` instead of the advantage ``f - E_pi f``; everything else as
    :func:`hnpg_learner` (same HPE, same sample weights, same step), on the library's loop with the
    fit's centring off."""
    ctx = _Context(mdp, np.asarray(reset, dtype=float), np.asarray(offline_distribution, dtype=float),
                   np.asarray(critic_features, dtype=float), "numba")
    cfg = _HPEConfig(1.0, 2, 4, m, m, 1e-8, True, True)
    T = n_iterations
    out = _run_actor_critic(ctx, T, _theory_eta(mdp, T), cfg, rng, greedy=False, warm_start=True,
                            policy_features=np.asarray(policy_features, dtype=float), fit_lam=1.0,
                            fit_centre=False, diagnostics=False)
    return types.SimpleNamespace(policies=out.policies)


LOG_LINEAR_PROTOCOL = LearnerProtocol(
    name="hnpg.log_linear",
    signature="learner(mdp, policy_features, critic_features, reset, offline_distribution, n_iterations, rng) "
              "-> result",
    description=(
        "mdp : mdps.DiscountedMDP (S, A), a simulator: the learner draws its samples with "
        "provable_rl.hnpg.sample_round (episodes start from reset; offline tuples (s, a) ~ nu). "
        "policy_features : float (S, A, d), phi of the log-linear policies pi_theta(a|s) ~ exp(theta . phi(s, a)). "
        "critic_features : float (S, A, d), the critic's linear class. reset : float (S, A), mu0. "
        "offline_distribution : float (S, A), nu. n_iterations : int T. rng : numpy Generator for the samples. "
        "Returns an object with attribute policies, float (T + 1, S, A) (optionally critic_error, shape (T,)). "
        "The sweep computes V* - V^{pi_t} exactly, and compares the learner with on-policy NPG and with "
        "Algorithm 3 run with the exact critic."),
    default=hnpg_learner,
)


def _h7_cells(budget):
    # The margins are wide (hybrid final 0.02-0.04 of V* against 0.1; on-policy 0.9997 against 0.5):
    # few seeds decide it, and a run of T = 800 rounds of the linear learner is the claim's cost
    # (six at smoke, as at quick: with two, and still with four, the interval of the hybrid's final
    # suboptimality reached past SOLVED at smoke root seed 9 of 1..20, a false alarm).
    seeds = per_budget(budget, 6, 6, 12)
    return [{"learner": learner, "seed": s} for learner in ("hybrid", "online") for s in range(seeds)]


def _compatible_norm(mdp, phi, policies, stride=20):
    """``W = max ||w_t||`` over every ``stride``-th policy: the least-norm w with ``w . (phi - E_pi phi) = A^pi``
    on every pair (Assumption 3's W, along the exact-critic run rather than over the whole class)."""
    S, A, d = phi.shape
    policies = policies[::stride]
    V, Q, _ = _batched_exact(mdp, policies, np.full((S, A), 1.0 / (S * A)))
    norms = []
    for pi, q, val in zip(policies, Q, V):
        g = (phi - np.einsum("sa,sad->sd", pi, phi)[:, None, :]).reshape(S * A, d)
        w = np.linalg.lstsq(g, (q - val[:, None]).reshape(-1), rcond=None)[0]
        norms.append(float(np.linalg.norm(w)))
    return max(norms)


def _h7_run(cell, rng, learner):
    """A linear lock from ``data_rng``; role "hybrid" runs the learner, "online" on-policy HNPG (memoised: it does
    not depend on the learner); the hybrid cell also runs Algorithm 3 with the exact critic (deterministic, memoised
    per instance) and computes Theorem 2's quantities."""
    if cell["learner"] != "hybrid":
        return _memoised("linear_lock", cell, _rng_key(rng), lambda: _h7_rows(cell, rng, learner))
    return _h7_rows(cell, rng, learner)


def _h7_rows(cell, rng, learner):
    data_rng, algo_rng = rng.spawn(2)
    instance_key = _rng_key(data_rng)
    cfg = LINEAR_LOCK
    problem = linear_lock(cfg["length"], cfg["n_actions"], cfg["gamma"], data_rng)
    lock, phi, T = problem.lock, problem.features, cfg["T"]
    mdp = lock.mdp
    run = learner if cell["learner"] == "hybrid" else functools.partial(hnpg_learner, critic="online")
    out = run(mdp, phi, phi, lock.reset, lock.offline_distribution, T, algo_rng)
    policies = np.asarray(out.policies, dtype=float)
    if policies.shape != (T + 1, mdp.n_states, mdp.n_actions):
        raise ValueError(f"learner: expected policies of shape {(T + 1, mdp.n_states, mdp.n_actions)}, "
                         f"got {policies.shape}")
    V_star = float(mdp.initial @ mdp.optimal_values)
    gap = _suboptimality(mdp, policies)
    row = {"final": float(gap[-1] / V_star), "average": float(gap[:-1].mean() / V_star),
           "cumulative": float(gap[:-1].sum())}
    if cell["learner"] == "hybrid":
        row.update(_memoised("linear_lock.exact", cell, instance_key, lambda: [_h7_reference(problem, T)])[0])
        errors = getattr(out, "critic_error", None)
        row["critic_error"] = None if errors is None else float(np.mean(errors))
    return [row]


def _h7_reference(problem, T):
    """Algorithm 3 with the exact critic on ``problem`` and Theorem 2's quantities (no learner involved)."""
    lock, phi = problem.lock, problem.features
    mdp = lock.mdp
    exact = hnpg(mdp, phi, n_iterations=T, critic="exact", offline_distribution=lock.offline_distribution,
                 reset=lock.reset)
    d_star = reset_occupancy(mdp, mdp.optimal_policy, lock.reset)
    d_uniform = reset_occupancy(mdp, np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions), lock.reset)
    on = d_star > 0
    c_off = float(np.max(d_star[on] / lock.offline_distribution[on]))
    c_npg = float(np.max(d_star[on] / d_uniform[on]))
    beta = float(np.max(np.sum(phi ** 2, axis=2)))
    W = _compatible_norm(mdp, phi, np.asarray(exact.policies))
    gamma, A = mdp.gamma, mdp.n_actions
    bound = (np.sqrt(2 * beta * W ** 2 * np.log(A) * T) / (1 - gamma)
             + 350 / (1 - gamma) ** 2 * np.sqrt(min(c_npg, c_off ** 2) * T))
    return {"exact_cumulative": float(exact.suboptimality[:-1].sum()), "c_off_bar": c_off,
            "c_npg_uniform": c_npg, "beta": beta, "W": W, "theorem2_bound": float(bound)}


H7_SWEEP = Sweep("hnpg.linear_lock", _h7_cells, _h7_run, protocol=LOG_LINEAR_PROTOCOL)


def _h7_values(rows, learner, key):
    by_seed = {r["seed"]: r[key] for r in rows if r["learner"] == learner}
    return np.array([by_seed[s] for s in sorted(by_seed)], dtype=float)


#: H7: the sampled learner may not beat Algorithm 3 with the exact critic by more than this factor.
NOT_FASTER = 0.8


def _h7_analyse(rows, budget):
    hybrid, online = _h7_values(rows, "hybrid", "final"), _h7_values(rows, "online", "final")
    cumulative = _h7_values(rows, "hybrid", "cumulative")
    exact = _h7_values(rows, "hybrid", "exact_cumulative")
    bound = _h7_values(rows, "hybrid", "theorem2_bound")
    stats = [r for r in rows if r["learner"] == "hybrid"]
    errors = [r["critic_error"] for r in stats if r.get("critic_error") is not None]
    quantities = (f"C_off_bar = max d*/nu in [{min(r['c_off_bar'] for r in stats):.2f}, "
                  f"{max(r['c_off_bar'] for r in stats):.2f}], C_npg >= max d*/d^unif = "
                  f"{min(r['c_npg_uniform'] for r in stats):.3g}, beta = {max(r['beta'] for r in stats):.2f}, "
                  f"W = {max(r['W'] for r in stats):.2f}, mean critic error E_d(f - Q)^2 = "
                  + (f"{np.mean(errors):.3g}" if errors else "n/a"))
    theorem = bound_verdict(cumulative > bound, cumulative.size, DETERMINISTIC_DELTA, ratios=cumulative / bound)
    theorem = Verdict(theorem.holds, theorem.statistic, theorem.interval,
                      f"{theorem.summary}; {quantities}", theorem.details)
    # "Not faster than its exact-critic self", a control on the step [derived, not a theorem]: Theorem 2
    # bounds the regret by the exact-critic optimisation term plus a statistical term, and the sampled learner
    # measured about 2x slower than the exact-critic run (ratio 0.46-0.48 at smoke); a learner more than 1.25x faster
    # than Algorithm 3 with the exact critic and the same step is not running Algorithm 3's step.
    not_faster = order_verdict(exact, cumulative, margin=1.0 / NOT_FASTER, paired=True,
                               label="cumulative suboptimality exact-critic Algorithm 3 / learner")
    return all_of({
        "hybrid solves": order_verdict(hybrid, np.ones(hybrid.size), margin=SOLVED,
                                       label="hybrid mean final (V*-V)/V*"),
        "on-policy does not": order_verdict(np.ones(online.size), online, margin=1.0 / UNSOLVED,
                                            label="1 / on-policy mean final (V*-V)/V*"),
        "hybrid far ahead": order_verdict(hybrid, online, margin=0.2, label="final suboptimality hybrid / on-policy"),
        "not faster than the exact critic": not_faster,
        "Theorem 2 bound": theorem,
    })


H7 = register(Claim(
    id="HNPG-H7", name="hnpg.linear_lock.algorithm3", paper=PAPER,
    theorem="Thm 2 (HNPG, Alg. 3, Bellman complete, lambda = 1) [paper]; the linear lock [derived]",
    statement=f"Algorithm 3 (log-linear policies, compatible fit, linear HPE critic) on the linear lock L="
              f"{LINEAR_LOCK['length']}, A={LINEAR_LOCK['n_actions']}, gamma={LINEAR_LOCK['gamma']}, d=10 < SA=48, "
              f"T={LINEAR_LOCK['T']}: it solves it (mean final (V*-V)/V* <= {SOLVED:g}), on-policy NPG does not "
              f"(>= {UNSOLVED:g}), final <= 0.2 x on-policy's; its cumulative suboptimality is >= {NOT_FASTER:g} x "
              "Algorithm 3's with the exact critic and <= Theorem 2's bound (C_off, C_npg, W, critic error printed)",
    kind="order", sweep=H7_SWEEP, analyse=_h7_analyse,
    mutants=(
        Mutant("q_fit", hnpg_q_fit,
               "the compatible fit regresses f (a Q fit) instead of the advantage f - E_pi f"),
        Mutant("on_policy_npg", functools.partial(hnpg_learner, critic="online"),
               "the offline weight off: on-policy NPG with compatible features"),
        Mutant("step_no_horizon", functools.partial(hnpg_learner, horizon_power=0.0),
               "the step without its horizon factor: sqrt(log A/T), 1/(1-gamma) x Theorem 1's"),
        Mutant("step_extra_horizon", functools.partial(hnpg_learner, horizon_power=2.0), STEP_EXTRA_HORIZON),
    ),
))


# --------------------------------------------------------------------------------------------
# HNPG-H8: each data source covers half of what pi* needs; only the hybrid solves it
# --------------------------------------------------------------------------------------------

#: HNPG-H8's lock with an exit: the chain as in H4 (on-policy NPG stays at >= 0.995 of V* there), the
#: exit shown by the resets (probability 0.2) but not by the data; T = 800 (at T = 600 the hybrid's final
#: gap was 0.06-0.15 of V*, at 800 0.017-0.026, 6 seeds).
EXIT_LOCK = {"length": 6, "n_actions": 8, "gamma": 0.85, "T": 800, "exit_reset": 0.2}
#: H8: a baseline "fails" when its seed-mean final V* - V is at least this fraction of V*. FQE-greedy
#: takes the exit's one-step reward: 1 - (1 - gamma) / gamma = 0.82 of V* lost.
FAILS = 0.5


def _h8_cells(budget):
    # Six at smoke as at quick: with four, on-policy NPG's interval reached below FAILS at smoke root
    # seed 8 of 1..20 (one run found the exit), a false alarm.
    seeds = per_budget(budget, 6, 6, 12)
    return [{"learner": learner, "seed": s} for learner in ("hybrid", "online", "offline") for s in range(seeds)]


def _h8_run(cell, rng, learner):
    if cell["learner"] != "hybrid":
        return _memoised("lock_exit", cell, _rng_key(rng), lambda: _h8_rows(cell, rng, learner))
    return _h8_rows(cell, rng, learner)


def _h8_rows(cell, rng, learner):
    data_rng, algo_rng = rng.spawn(2)
    cfg = EXIT_LOCK
    lock = lock_with_exit(cfg["length"], cfg["n_actions"], cfg["gamma"], data_rng, exit_reset=cfg["exit_reset"])
    role = cell["learner"]
    run = learner if role == "hybrid" else functools.partial(hac_learner, critic=role)
    out = run(lock.mdp, None, lock.reset, lock.offline_distribution, cfg["T"], algo_rng)
    rows = _learner_rows(lock.mdp, out, cfg["T"])
    pi_star = policy_matrix(lock.mdp.optimal_policy, lock.mdp.n_actions)
    d_star = reset_occupancy(lock.mdp, pi_star, lock.reset)
    rows[0]["nu_covers_pi_star"] = int(np.all(lock.offline_distribution[d_star > 0] > 0))
    return rows


H8_SWEEP = Sweep("hnpg.lock_exit", _h8_cells, _h8_run, protocol=AC_PROTOCOL)


def _h8_analyse(rows, budget):
    hybrid = _final(rows, "hybrid")
    verdicts = {"hybrid solves": order_verdict(hybrid, np.ones(hybrid.size), margin=SOLVED,
                                               label="hybrid mean final (V*-V)/V*")}
    for role, name in (("online", "on-policy NPG"), ("offline", "offline-only FQE-greedy")):
        other = _final(rows, role)
        verdicts[f"{name} fails"] = order_verdict(np.ones(other.size), other, margin=1.0 / FAILS,
                                                  label=f"1 / {name} mean final (V*-V)/V*")
        verdicts[f"hybrid far ahead of {name}"] = order_verdict(hybrid, other, margin=0.2,
                                                                label=f"final suboptimality hybrid / {name}")
    covered = [r["nu_covers_pi_star"] for r in rows if r["t"] == 0 and "nu_covers_pi_star" in r]
    verdicts["data miss pi*"] = Verdict(not any(covered), float(np.mean(covered)), (0.0, 0.0),
                                        f"nu covers pi*'s pairs in {int(np.sum(covered))}/{len(covered)} runs "
                                        "(C_off = inf by construction)")
    return all_of(verdicts)


H8 = register(Claim(
    id="HNPG-H8", name="hnpg.lock_exit.hybrid_needs_both", paper=PAPER,
    theorem="Thm 1's two coverage branches, combined [derived]: each data source covers half of pi*'s path",
    statement=f"lock L={EXIT_LOCK['length']}, A={EXIT_LOCK['n_actions']}, gamma={EXIT_LOCK['gamma']} followed by an "
              f"exit that the offline data never show and the resets do (probability {EXIT_LOCK['exit_reset']:g}), "
              f"T={EXIT_LOCK['T']}: HAC solves it (mean final (V*-V)/V* <= {SOLVED:g}); on-policy NPG and "
              f"offline-only FQE-greedy do not (>= {FAILS:g}); HAC's final <= 0.2 x each of theirs",
    kind="order", sweep=H8_SWEEP, analyse=_h8_analyse,
    mutants=(
        Mutant("offline_only", functools.partial(hac_learner, critic="offline"),
               "offline-only FQE-greedy (on-policy term off, greedy step): takes the exit's one-step reward"),
        Mutant("on_policy_npg", functools.partial(hac_learner, critic="online"),
               "the hybrid with the offline weight off (on-policy NPG): cannot open the lock"),
        Mutant("ignore_on_policy_term", functools.partial(hac_learner, lam=0.0),
               "the hybrid with the on-policy weight off (lambda = 0, mirror step): never sees the exit's good action"),
        Mutant("step_extra_horizon", functools.partial(hac_learner, horizon_power=2.0), STEP_EXTRA_HORIZON),
    ),
    panel_note="Theorem 1 promises the better of min{C_npg, C_off^2}; here both are infinite for pi* (the data "
               "miss the exit's good action, the resets miss the chain's deep states), so success is the two "
               "halves combined, beyond the theorem's min. A smaller offline weight is no mutant: with lambda = "
               "0.01 the hybrid still solves it (final 0.012-0.026 of V* at T = 800, 4 seeds), since tabular HPE "
               "fits the exit's good action from on-policy samples whatever lambda is (nu = 0 there).",
))


# --------------------------------------------------------------------------------------------
# HNPG-H9: the sampled critic's contribution to Theorem 1's regret, as a rate in the batch size
# --------------------------------------------------------------------------------------------

def batch_hac(mdp, reset, offline_distribution, n_iterations, batch_size, rng):
    """The library's HAC (:func:`provable_rl.hnpg.hac`) with ``m_on = m_off = batch_size``, lambda = 1,
    K1 = 2, K2 = 4, Theorem 1's step; the exact diagnostics are left to the sweep (the result carries
    the policies and the critics)."""
    return hac(mdp, n_iterations=n_iterations, offline_distribution=offline_distribution, reset=reset, rng=rng,
               m_on=batch_size, m_off=batch_size, diagnostics=False)


def batch_hac_variant(mdp, reset, offline_distribution, n_iterations, batch_size, rng, *, critic_gamma_power=1.0,
                      fixed_batch=None, bootstrap=True, lam=1.0, horizon_power=1.0):
    """Mutant family of :func:`batch_hac`. ``critic_gamma_power`` p: the critic evaluates the policy with the
    discount ``gamma^p`` (its rollouts stop w.p. ``1 - gamma^p``, its TD targets bootstrap with ``gamma^p``)
    while the step stays Theorem 1's; ``fixed_batch``: the batch size ignores ``batch_size``;
    ``bootstrap=False``: TD target ``r``; ``lam``: the on-policy weight; ``horizon_power``: the step
    ``(1 - gamma)^p sqrt(log A / T)``."""
    critic_mdp = mdp if critic_gamma_power == 1.0 else dataclasses.replace(mdp, gamma=mdp.gamma ** critic_gamma_power)
    m = batch_size if fixed_batch is None else fixed_batch
    return hac(critic_mdp, n_iterations=n_iterations, offline_distribution=offline_distribution, reset=reset, rng=rng,
               m_on=m, m_off=m, bootstrap=bootstrap, lam=lam, eta=_theory_eta(mdp, n_iterations, horizon_power),
               diagnostics=False)


BATCH_PROTOCOL = LearnerProtocol(
    name="hnpg.hac_batch",
    signature="learner(mdp, reset, offline_distribution, n_iterations, batch_size, rng) -> result",
    description=(
        "mdp : mdps.DiscountedMDP (S, A), a simulator: the learner draws its samples with "
        "provable_rl.hnpg.sample_round (episodes start from reset; offline tuples (s, a) ~ nu). reset : float "
        "(S, A), mu0. offline_distribution : float (S, A), nu. n_iterations : int T. batch_size : int m, the "
        "number of on-policy samples and of offline tuples per HPE iteration (m_on = m_off = m). rng : numpy "
        "Generator for the samples. Returns an object with attributes policies, float (T + 1, S, A): "
        "pi^1 .. pi^{T+1}, and critics, float (T, S, A): f^1 .. f^T, the critic of each round (a "
        "provable_rl.hnpg.HACResult). The sweep computes exactly sum_{t<=T} V* - V^{pi_t} and its distance to the "
        "same sum for HAC with the exact critic Q^{pi_t} (same step), and the critics' on-policy error "
        "E_{d^{pi_t}}(f^t - Q^{pi_t})^2, against m (log-log slopes)."),
    default=batch_hac,
)

#: HNPG-H9's instances: random MDPs (S = 10, A = 4, Dirichlet(0.3) transitions, as HNPG-H1's), fixed by the
#: claim (seeds 0, 1): the blocks replicate one experiment per instance.
H9_GAMMAS = (0.5, 0.7)
#: T = 16 and m = 16 .. 512 (since December 2026; before: T = 32, m = 32 .. 1024, four times the samples).
#: At quick, root seeds 1 / 2: regret part -0.571 / -0.529 with bootstrap intervals 0.121 / 0.122 wide
#: (before: -0.565 / -0.504, 0.153 / 0.128 wide), critic part -1.009 / -1.000 (before: -1.091 / -1.088).
#: T = 16 with m = 32 .. 1024 measured -0.61 / -0.61 and -1.08 / -1.09. The critic's local slope is flatter
#: at m = 16 .. 32 (-0.55) and steeper in the middle (see H9_TOLERANCE's note): the fit over the grid
#: averages them.
H9_T = 16
#: m_on = m_off = m: 1.5 decades.
H9_BATCHES = (16, 32, 64, 128, 256, 512)


def _h9_instance(index):
    return random_mdp(10, 4, H9_GAMMAS[index], np.random.default_rng(index), concentration=0.3)


@functools.lru_cache(maxsize=len(H9_GAMMAS))
def _h9_exact_cumulative(index):
    """sum_{t<=T} V* - V^{pi_t} of HAC with the exact critic on instance ``index`` (deterministic: computed once)."""
    mdp = _h9_instance(index)
    reset = np.repeat(mdp.initial[:, None], mdp.n_actions, axis=1) / mdp.n_actions
    return float(_suboptimality(mdp, hac(mdp, n_iterations=H9_T, critic="exact", reset=reset,
                                         diagnostics=False).policies)[:-1].sum())


def _h9_cells(budget):
    # The regret part is the noisy one (|excess| has a coefficient of variation of about 0.75 per run):
    # with 4 blocks of 4 runs at smoke its bootstrap interval was 0.21-0.24 wide (root seeds 0, 1; T = 32,
    # m = 32 .. 1024), close to the 2 x tolerance a rate verdict accepts; 4 x 6 runs (0.12 and 0.14 wide at
    # smoke root seeds 0 and 1 with T = 16, m = 16 .. 512).
    blocks = per_budget(budget, 4, 8, 16)
    runs = per_budget(budget, 6, 6, 8)
    return [{"instance": g, "block": b, "runs": runs} for g in range(len(H9_GAMMAS)) for b in range(blocks)]


def _h9_run(cell, rng, learner):
    """Per batch size m, over ``cell["runs"]`` runs of the learner: the mean of |R_m - R_exact|, where R is
    the cumulative suboptimality sum_{t<=T} V* - V^{pi_t} (R_exact: HAC with the exact critic, same step),
    and the mean over runs and rounds of the critic's on-policy error E_{d^{pi_t}}(f^t - Q^{pi_t})^2."""
    mdp = _h9_instance(cell["instance"])
    S, A, T = mdp.n_states, mdp.n_actions, H9_T
    nu = np.full((S, A), 1.0 / (S * A))
    reset = np.repeat(mdp.initial[:, None], A, axis=1) / A
    exact = _h9_exact_cumulative(cell["instance"])
    rows = []
    for m in H9_BATCHES:
        excess, critic_error = [], []
        for _ in range(cell["runs"]):
            out = learner(mdp, reset, nu, T, m, rng)
            policies = np.asarray(out.policies, dtype=float)
            excess.append(float(_suboptimality(mdp, policies)[:-1].sum()) - exact)
            critics = np.asarray(getattr(out, "critics", None), dtype=float)
            if critics.shape != (T, S, A):
                raise ValueError(f"learner: expected critics of shape {(T, S, A)}, got {critics.shape}")
            _, Q, d = _batched_exact(mdp, policies[:-1], reset)
            critic_error.append(float(np.mean(np.sum(d * (critics - Q) ** 2, axis=(1, 2)))))
        excess = np.array(excess)
        rows.append({"batch_size": m, "mean_abs_excess": float(np.mean(np.abs(excess))),
                     "mean_excess": float(np.mean(excess)), "critic_error": float(np.mean(critic_error)),
                     "exact_cumulative": exact})
    return rows


H9_SWEEP = Sweep("hnpg.hac_batch_size", _h9_cells, _h9_run, protocol=BATCH_PROTOCOL)

#: H9's tolerance on both slopes: what the curves carry besides their leading term. The regret's distance
#: has a signed, second-order part (~ 1/m) and measured -0.52 / -0.54 at smoke (root seeds 0 / 1) and -0.57 /
#: -0.53 at quick (root seeds 1 / 2); the critic's error has a part from pairs a batch misses (their entry keeps
#: f_{k-1}; ~ exp(-c m)) and measured -1.01 / -1.02 at smoke and -1.01 / -1.00 at quick, with local slopes
#: (quick, root seed 1) -0.55 at m = 16 .. 32, then -0.94, -1.13, -1.20 and -1.05 at 256 .. 512. The
#: competitors must still lie outside the bootstrap interval itself.
H9_TOLERANCE = 0.15


def _h9_analyse(rows, budget):
    instances = sorted({r["instance"] for r in rows})
    blocks = sorted({r["block"] for r in rows})

    def table(key):
        value = {(r["batch_size"], r["instance"], r["block"]): r[key] for r in rows}
        return np.array([[[value[(m, g, b)] for b in blocks] for g in instances] for m in H9_BATCHES])

    return all_of({
        "regret's distance to the exact critic ~ m^-1/2": rate_verdict(
            H9_BATCHES, table("mean_abs_excess"), exponent=-0.5, tolerance=H9_TOLERANCE, competitors=(0.0, -1.0)),
        "critic's on-policy error ~ 1/m (Lemma 5a)": rate_verdict(
            H9_BATCHES, table("critic_error"), exponent=-1.0, tolerance=H9_TOLERANCE, competitors=(-0.5, 0.0)),
    })


H9 = register(Claim(
    id="HNPG-H9", name="hnpg.hac.sampled_critic_rate", paper=PAPER,
    theorem="Thm 1's statistical term with Lemma 5(a)'s Delta_on ~ 1/m [paper]; the m^-1/2 rate of the "
            "regret's distance to the exact-critic run [derived]",
    statement=f"sampled HAC (lambda=1, K1=2, K2=4, m_on=m_off=m, Theorem 1's step) on random MDPs S=10, A=4, "
              f"gamma in {H9_GAMMAS}, nu uniform, T={H9_T}, m in {H9_BATCHES[0]}..{H9_BATCHES[-1]}: "
              "E|sum_t (V*-V^pi_t) - the same sum for exact-critic HAC| ~ m^-1/2 (0 and -1 excluded) and the "
              "critics' mean E_{d^pi_t}(f^t-Q^pi_t)^2 ~ m^-1 (-1/2 and 0 excluded), log-log slopes +/- "
              f"{H9_TOLERANCE:g}",
    kind="rate", sweep=H9_SWEEP, analyse=_h9_analyse,
    mutants=(
        Mutant("fixed_batch", functools.partial(batch_hac_variant, fixed_batch=H9_BATCHES[0]),
               f"the batch size ignores m ({H9_BATCHES[0]} per HPE iteration): the critic's noise does not shrink"),
        Mutant("critic_discount_squared", functools.partial(batch_hac_variant, critic_gamma_power=2.0),
               "the critic evaluates pi with the discount gamma^2 (rollouts stop w.p. 1 - gamma^2, TD targets "
               "bootstrap with gamma^2): a biased critic"),
        Mutant("td_no_bootstrap", functools.partial(batch_hac_variant, bootstrap=False),
               "offline TD target r only (no gamma f(s', pi) bootstrap): a biased critic, the excess does not vanish"),
        Mutant("ignore_on_policy_term", functools.partial(batch_hac_variant, lam=0.0),
               "the on-policy term off (lambda = 0, mirror step): offline TD alone tracks Q^{pi_t} only through "
               "HPE's gamma-contraction (K2 = 4 iterations a round), a lag no m removes"),
        Mutant("step_no_horizon", functools.partial(batch_hac_variant, horizon_power=0.0),
               "the step without its horizon factor: sqrt(log A/T), 1/(1-gamma) x Theorem 1's"),
    ),
    panel_note="Each part sees what the other cannot: the regret's distance does not see a critic biased in a way "
               "that keeps the actions' ranking (critic_discount_squared: regret slope -0.48 / -0.54 at smoke root "
               "seeds 0 / 1, -0.53 at quick root seed 1, against the critic part's -0.13), the critic's error does "
               "not see a wrong step (step_no_horizon: critic slope -1.01). Not in the panel, because a critic "
               "without bias has the same two rates whatever else is wrong (measured at smoke, root seed 0, regret / "
               "critic slopes, both parts holding): HPE without its averaging (-0.44 / -0.92), one batch reused by "
               "HPE's K2 iterations (-0.52 / -0.92), a cold start each round (-0.56 / -1.05). Nor is the offline "
               "term dropped (on-policy NPG): the critic part rejected it at that seed (-0.38 / -0.82; with T = 32, "
               "m = 32 .. 1024 both parts held, -0.54 / -0.98), a rejection not calibrated over seeds. The "
               "averaging is HNPG-H3b's claim, the offline term's use HNPG-H4's and H8's.",
))


# --------------------------------------------------------------------------------------------
# HNPG-FIG1's sweep (no claim): samples to solve the lock against its length
# --------------------------------------------------------------------------------------------

def _length_cells(budget):
    lengths = per_budget(budget, (2, 3, 4), (2, 3, 4, 5, 6), (2, 3, 4, 5, 6, 7))
    seeds = per_budget(budget, 1, 3, 6)
    return [{"length": L, "learner": learner, "seed": s} for L in lengths
            for learner in ("hybrid", "online", "offline") for s in range(seeds)]


LENGTH_T = 400
LENGTH_ACTIONS = 8


def _length_run(cell, rng, learner):
    data_rng, algo_rng = rng.spawn(2)
    lock = lock_problem(cell["length"], LENGTH_ACTIONS, 0.85, data_rng)
    run = learner if cell["learner"] == "hybrid" else functools.partial(hac_learner, critic=cell["learner"])
    out = run(lock.mdp, None, lock.reset, lock.offline_distribution, LENGTH_T, algo_rng)
    success = np.array([lock.success_probability(p) for p in out.policies])
    hit = np.flatnonzero(success >= 0.5)
    solved = hit.size > 0
    t = int(hit[0]) if solved else LENGTH_T
    # Policy pi^{t+1} was produced from the samples of rounds 1..t.
    online = int(out.online_samples[t - 1]) if t > 0 else 0
    offline = int(out.offline_samples[t - 1]) if t > 0 else 0
    return [{"solved": int(solved), "iterations": t, "online_samples": online, "total_samples": online + offline,
             "final_success": float(success[-1])}]


LENGTH_SWEEP = Sweep("hnpg.lock_length", _length_cells, _length_run, protocol=AC_PROTOCOL)
