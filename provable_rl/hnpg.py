r"""Hybrid actor-critic (HAC) and hybrid NPG (HNPG): on-policy policy gradient with offline data.

Zhou, Sekhari, Song & Sun (2023), "Offline Data Enhanced On-Policy Policy Gradient with Provable
Guarantees" (arXiv 2311.08384, ICLR 2024). The notation, the algorithms as pseudo-code, the
theorems with their assumptions and tags, and every departure from the paper: :ref:`theory-hnpg`.

Setting (:ref:`hnpg-setting`): a discounted MDP started from a reset distribution over pairs,
:math:`(s_0, a_0) \sim \mu_0`; the occupancy :math:`d^\pi` of
:func:`mdps.instances.hnpg.reset_occupancy`; offline tuples :math:`(s, a, r, s')` with
:math:`(s, a) \sim \nu`.

Theorem 1 (HAC, Algorithm 1; :ref:`hnpg-theorem1`). With the critic of Algorithm 2 (HPE) and the
mirror-descent step :math:`\eta = (1 - \gamma)\sqrt{\log A / T}`, with probability
:math:`1 - \delta`, for any comparator :math:`\pi_e`:

- if the critic class is (approximately) Bellman complete (:math:`\epsilon_{\mathrm{be}} \le 1/T`)
  and :math:`\lambda = 1`,

  .. math::

      \sum_{t=1}^T V^{\pi_e} - V^{\pi^t} \le \frac{60}{(1-\gamma)^2}\sqrt{T \log A}
      + \frac{100}{(1-\gamma)^2}\sqrt{\min\{C_{\mathrm{npg}}, C_{\mathrm{off}}^2\}\, T};

- without completeness and with :math:`\lambda = T/2 - 1`,

  .. math::

      \sum_{t=1}^T V^{\pi_e} - V^{\pi^t} \le \frac{2}{(1-\gamma)^2}\sqrt{T \log A}
      + \frac{72}{(1-\gamma)^2}\sqrt{C_{\mathrm{npg}}\, T}.

So the hybrid learner is as good as the better of offline RL (when offline data cover
:math:`\pi_e`) and on-policy NPG (when :math:`\mu_0` covers it) — "best of both worlds".
Theorem 2 states the same for HNPG (Algorithm 3, log-linear policies
:math:`\pi_\theta(a \mid s) \propto \exp(\theta^\top \phi(s, a))` and a compatible critic fitted
on the offline + online mixture; :ref:`hnpg-theorem2`).

HAC and HNPG: what is here
--------------------------
- :func:`sample_round`: one round of sampling (Numba kernel): :math:`(s, a) \sim d^\pi` by a
  geometric horizon, the unbiased Monte-Carlo target :math:`y` with
  :math:`\mathbb E[y] = Q^\pi(s, a)` by geometric stopping (Agarwal et al. 2021, Alg. 1; see
  :ref:`hnpg-sampling`), and offline tuples :math:`(s, a) \sim \nu`.
- :func:`hybrid_policy_evaluation` (Algorithm 2, HPE), tabular (closed form per entry) or linear
  (weighted ridge), with the paper's K1/K2 averaging; :func:`population_hpe`, its expected-value
  version (:ref:`hnpg-tabular`).
- :func:`hac` (Algorithm 1) with the baselines on the same code path (``critic="online"``: on-policy
  NPG; ``critic="offline"``: FQE-greedy, :math:`\lambda = 0`; ``critic="exact"``: exact-critic NPG),
  :func:`mirror_descent_step` (its actor step), and :func:`hnpg` (Algorithm 3).
  :func:`npg_exact` is the exact softmax NPG of Agarwal et al. (HNPG-H2,
  :ref:`hnpg-npg-last-iterate`).

HAC and HNPG: speed
-------------------
A round's sampling is one Numba kernel (all K2 batches at once) and tabular HPE a second; tabular
HAC runs all T rounds in one kernel that calls both (handing the Generator to a kernel costs more
than a round's sampling), and so does HNPG with a linear critic (sampling, HPE's normal equations
tallied per pair, the compatible fit and the step; it agrees with the per-round loop, which solves
the same equations in numpy, up to rounding). ``backend="numpy"`` runs the same algorithm on a vectorised numpy
sampler (same law, another random stream): the reference of ``benchmarks/bench_hnpg.py``, which
prints the ratio. Exact diagnostics (values, occupancies, critic errors) are computed after the
loop with batched solves, a block of iterates at a time (at most ``EXACT_BLOCK_ENTRIES`` matrix
entries alive, not T + 1 matrices of S x S), or skipped with ``diagnostics=False``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from mdps import _validation as v
from mdps.core import DiscountedMDP, _softmax, policy_matrix, softmax_policy
from mdps.instances.hnpg import _reset_occupancy, check_reset, product_reset
from mdps.planning import policy_evaluation, policy_q_values, q_from_values
from mdps.sampling import cdf

__all__ = ["HACResult", "HPEResult", "RoundSamples", "hac", "hnpg", "hybrid_policy_evaluation",
           "absorbing_states", "deterministic_next", "mirror_descent_step", "npg_exact", "population_hpe", "sample_round", "softmax_policy"]

CRITICS = ("hybrid", "online", "offline", "exact")
BACKENDS = ("numba", "numpy")


# --------------------------------------------------------------------------------------------
# Sampling (Numba kernel and its vectorised numpy reference)
# --------------------------------------------------------------------------------------------

@numba.njit(cache=True)
def _geometric(log_gamma, u):
    # Number of continuations before a stop with continuation probability gamma:
    # P(K >= k) = gamma^k, by inversion of one uniform (log(1 - u) <= 0; log_gamma = -inf gives 0).
    return np.int64(np.floor(np.log(1.0 - u) / log_gamma))


# The searches index the full CDF arrays instead of taking row slices: a slice is a new array
# object with reference counting, which cost more than the draws themselves in the inner loops.
# Each returns the first index i with u < c[i] (c ends at exactly 1.0 > u), i.e. the number of
# entries <= u: a branch-free count for short rows (binary search mispredicts at every level),
# a binary search for long ones.
SHORT_ROW = 64


@numba.njit(cache=True)
def _search_flat(c, u):
    n = c.shape[0]
    if n <= SHORT_ROW:
        k = 0
        for i in range(n):
            k += u >= c[i]
        return k
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if u < c[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True)
def _search_row(c, s, u):
    n = c.shape[1]
    if n <= SHORT_ROW:
        k = 0
        for i in range(n):
            k += u >= c[s, i]
        return k
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if u < c[s, mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True)
def _search_pair(c, s, a, u):
    n = c.shape[2]
    if n <= SHORT_ROW:
        k = 0
        for i in range(n):
            k += u >= c[s, a, i]
        return k
    lo, hi = 0, n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if u < c[s, a, mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True)
def _round_kernel(P_cdf, R, pi_cdf, reset_cdf, nu_cdf, gamma, n_on, n_off, gaussian, std, absorbing, det_next, rng):
    """``n_on`` on-policy samples (s, a, y) and ``n_off`` offline tuples (s, a, r, s').

    Same law as the paper's sampler (see :ref:`hnpg-sampling`); two shortcuts save uniforms without
    changing it: a deterministic transition (``det_next >= 0``) is taken without a draw, and a
    rollout that reaches an absorbing state with a constant 0/1 reward stops stepping.
    Deterministic 0/1 rewards consume no uniform either.
    """
    S, A = R.shape
    log_gamma = np.log(gamma) if gamma > 0.0 else -np.inf
    on_s = np.empty(n_on, np.int64)
    on_a = np.empty(n_on, np.int64)
    on_y = np.empty(n_on, np.float64)
    steps = 0
    for i in range(n_on):
        k = _search_flat(reset_cdf, rng.random())
        s = k // A
        a = k - s * A
        # (s, a) ~ d^pi: run pi for h ~ Geometric steps, P(h) = (1 - gamma) gamma^h.
        h = _geometric(log_gamma, rng.random())
        for j in range(h):
            if absorbing[s]:
                # Every action loops on s: only the last action matters.
                a = _search_row(pi_cdf, s, rng.random())
                break
            nxt = det_next[s, a]
            s = nxt if nxt >= 0 else _search_pair(P_cdf, s, a, rng.random())
            a = _search_row(pi_cdf, s, rng.random())
        on_s[i] = s
        on_a[i] = a
        # y: undiscounted reward sum until a stop with probability 1 - gamma after each step.
        n_more = _geometric(log_gamma, rng.random())
        mean = R[s, a]
        if gaussian:
            y = mean + std * rng.standard_normal()
        elif 0.0 < mean < 1.0:
            y = 1.0 if rng.random() < mean else 0.0
        else:
            y = mean
        for j in range(n_more):
            if absorbing[s] and not gaussian:
                # A self-loop with the same 0/1 reward for every action: the rest is deterministic.
                y += (n_more - j) * R[s, 0]
                break
            nxt = det_next[s, a]
            s = nxt if nxt >= 0 else _search_pair(P_cdf, s, a, rng.random())
            a = _search_row(pi_cdf, s, rng.random())
            mean = R[s, a]
            if gaussian:
                y += mean + std * rng.standard_normal()
            elif 0.0 < mean < 1.0:
                y += 1.0 if rng.random() < mean else 0.0
            else:
                y += mean
        on_y[i] = y
        steps += h + n_more + 1
    off_s = np.empty(n_off, np.int64)
    off_a = np.empty(n_off, np.int64)
    off_r = np.empty(n_off, np.float64)
    off_t = np.empty(n_off, np.int64)
    for i in range(n_off):
        k = _search_flat(nu_cdf, rng.random())
        s = k // A
        a = k - s * A
        off_s[i] = s
        off_a[i] = a
        mean = R[s, a]
        if gaussian:
            off_r[i] = mean + std * rng.standard_normal()
        elif 0.0 < mean < 1.0:
            off_r[i] = 1.0 if rng.random() < mean else 0.0
        else:
            off_r[i] = mean
        nxt = det_next[s, a]
        off_t[i] = nxt if nxt >= 0 else _search_pair(P_cdf, s, a, rng.random())
    return on_s, on_a, on_y, off_s, off_a, off_r, off_t, steps


def deterministic_next(mdp: DiscountedMDP) -> np.ndarray:
    r"""The deterministic transitions of ``mdp``, which the samplers take without a draw.

    ``next[s, a] = s'`` when :math:`P(s' \mid s, a) = 1`, else -1.

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem.

    Returns
    -------
    numpy.ndarray of int64, shape (S, A)
        The next state of every deterministic pair, -1 elsewhere.

    Examples
    --------
    >>> from mdps.instances.hnpg import lock_problem
    >>> lock = lock_problem(length=2, n_actions=2, gamma=0.8, rng=0)
    >>> deterministic_next(lock.mdp).shape
    (4, 2)
    """
    P = _check_mdp(mdp).P
    nxt = np.argmax(P, axis=2)
    certain = np.take_along_axis(P, nxt[..., None], axis=2)[..., 0] == 1.0
    return np.ascontiguousarray(np.where(certain, nxt, -1).astype(np.int64))


def absorbing_states(mdp: DiscountedMDP) -> np.ndarray:
    r"""States where every action loops back with probability 1 and pays the same 0/1 reward.

    That is, :math:`P(s \mid s, a) = 1` for every :math:`a` and :math:`r(s, \cdot)` is a constant
    in :math:`\{0, 1\}`. From such a state the rest of a rollout is deterministic, so the samplers
    stop stepping there (the samples keep their law; only fewer uniforms are drawn).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem.

    Returns
    -------
    numpy.ndarray of bool, shape (S,)
        True at the absorbing states with a constant 0/1 reward.

    Examples
    --------
    >>> from mdps.instances.hnpg import lock_problem
    >>> absorbing_states(lock_problem(length=2, n_actions=2, gamma=0.8, rng=0).mdp).tolist()
    [False, False, True, True]
    """
    S = _check_mdp(mdp).n_states
    loop = np.all(mdp.P[np.arange(S), :, np.arange(S)] == 1.0, axis=1)
    flat = np.all(mdp.R == mdp.R[:, :1], axis=1) & np.isin(mdp.R[:, 0], (0.0, 1.0))
    return np.ascontiguousarray(loop & flat)


def _search(cdf_rows, u):
    """Vectorised ``_draw``: the first index i with ``u < cdf_rows[.., i]``."""
    return (u[:, None] >= cdf_rows).sum(axis=1)


def _round_numpy(P_cdf, R, pi_cdf, reset_cdf, nu_cdf, gamma, n_on, n_off, gaussian, std, absorbing, det_next, rng):
    """The same law as :func:`_round_kernel`, vectorised over samples in plain numpy (the benchmark's reference)."""
    S, A = R.shape
    log_gamma = np.log(gamma) if gamma > 0 else -np.inf

    def geometric(n):
        return np.floor(np.log(1.0 - rng.random(n)) / log_gamma).astype(np.int64)

    def reward(means):
        if gaussian:
            return means + std * rng.standard_normal(means.shape)
        return (rng.random(means.shape) < means).astype(np.float64)

    k = np.searchsorted(reset_cdf, rng.random(n_on), side="right")
    s, a = k // A, k % A
    h = geometric(n_on)
    stuck = np.zeros(n_on, bool)
    for step in range(int(h.max(initial=0))):
        live = np.flatnonzero((h > step) & ~stuck)
        stuck[live] = absorbing[s[live]]
        go = live[~stuck[live]]
        s[go] = _search(P_cdf[s[go], a[go]], rng.random(go.size))
        a[go] = _search(pi_cdf[s[go]], rng.random(go.size))
    # Rollouts that reached a self-loop only redraw their last action there (as the kernel does).
    redraw = np.flatnonzero(stuck)
    a[redraw] = _search(pi_cdf[s[redraw]], rng.random(redraw.size))
    on_s, on_a = s.copy(), a.copy()
    n_more = geometric(n_on)
    y = reward(R[s, a])
    done = np.zeros(n_on, bool)
    for step in range(int(n_more.max(initial=0))):
        live = np.flatnonzero((n_more > step) & ~done)
        if not gaussian:
            end = live[absorbing[s[live]]]
            y[end] += (n_more[end] - step) * R[s[end], 0]
            done[end] = True
            live = live[~absorbing[s[live]]]
        s[live] = _search(P_cdf[s[live], a[live]], rng.random(live.size))
        a[live] = _search(pi_cdf[s[live]], rng.random(live.size))
        y[live] += reward(R[s[live], a[live]])
    k = np.searchsorted(nu_cdf, rng.random(n_off), side="right")
    off_s, off_a = k // A, k % A
    off_r = reward(R[off_s, off_a])
    off_t = _search(P_cdf[off_s, off_a], rng.random(n_off))
    return on_s, on_a, y, off_s, off_a, off_r, off_t, int((h + n_more + 1).sum())


@dataclass(frozen=True)
class RoundSamples:
    r"""One round of HPE's samples, as drawn by :func:`sample_round` (see :ref:`hnpg-sampling`).

    On-policy samples :math:`(s, a, y)` with :math:`(s, a) \sim d^\pi` and
    :math:`\mathbb E[y \mid s, a] = Q^\pi(s, a)`, and offline tuples :math:`(s, a, r, s')` with
    :math:`(s, a) \sim \nu`.

    Parameters
    ----------
    on_s, on_a : int numpy.ndarray of shape (n_on,)
        States and actions of the on-policy samples.
    on_y : float numpy.ndarray of shape (n_on,)
        Their Monte-Carlo targets :math:`y` (undiscounted reward sums).
    off_s, off_a : int numpy.ndarray of shape (n_off,)
        States and actions of the offline tuples.
    off_r : float numpy.ndarray of shape (n_off,)
        Their rewards.
    off_s_next : int numpy.ndarray of shape (n_off,)
        Their next states :math:`s'`.
    n_steps : int
        The environment steps the on-policy samples took (rollouts to reach :math:`(s, a)` plus
        the Monte-Carlo continuation).
    """

    on_s: np.ndarray
    on_a: np.ndarray
    on_y: np.ndarray
    off_s: np.ndarray
    off_a: np.ndarray
    off_r: np.ndarray
    off_s_next: np.ndarray
    n_steps: int


def _check_mdp(mdp):
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    return mdp


def _check_policy(mdp, policy):
    # A writable copy: the kernels are compiled for writable arrays only (one signature each).
    pi = np.array(policy_matrix(policy, mdp.n_actions))
    if pi.shape != (mdp.n_states, mdp.n_actions):
        raise ValueError(f"policy: expected shape ({mdp.n_states},) or ({mdp.n_states}, {mdp.n_actions}), "
                         f"got {np.shape(policy)}")
    return pi


def _nonneg_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {value!r}")
    if value > v.MAX_INT:
        raise ValueError(f"{name}: expected a non-negative integer of at most {v.MAX_INT}, got {value!r}")
    return int(value)


def _flag(name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


#: Bytes per sample of a round (on: s, a, y; offline: s, a, r, s'; int64 / float64 each).
_BYTES_PER_SAMPLE = 32


def sample_round(mdp: DiscountedMDP, policy, *, n_on: int, n_off: int = 0, offline_distribution=None,
                 reset=None, rng=None, backend: str = "numba") -> RoundSamples:
    r"""Draw one round of HPE's samples (see :ref:`hnpg-sampling`).

    On-policy samples follow Agarwal et al. (2021), Alg. 1: :math:`(s_0, a_0) \sim \mu_0`, then
    :math:`h` steps of :math:`\pi` with :math:`\Pr(h) = (1 - \gamma)\gamma^h` give
    :math:`(s, a) \sim d^\pi`; from there :math:`\pi` runs on and stops with probability
    :math:`1 - \gamma` after each step, and :math:`y` is the undiscounted reward sum,
    :math:`r(s, a)` included, so :math:`\mathbb E[y \mid s, a] = Q^\pi(s, a)`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem, used as a simulator.
    policy : int array of shape (S,) or float array of shape (S, A)
        The policy :math:`\pi` being evaluated.
    n_on : int >= 0
        The number of on-policy samples :math:`(s, a, y)`.
    n_off : int >= 0, default 0
        The number of offline tuples, :math:`(s, a) \sim` ``offline_distribution``.
    offline_distribution : array_like of shape (S, A), optional
        :math:`\nu` (required when ``n_off > 0``).
    reset : array_like of shape (S, A), optional
        :math:`\mu_0`; defaults to :math:`\rho(s) / A`
        (:func:`mdps.instances.hnpg.product_reset`).
    rng : numpy.random.Generator, int or None, optional
        Source of randomness.
    backend : {"numba", "numpy"}, default "numba"
        The Numba kernel, or the vectorised numpy reference (same law, different random stream).

    Returns
    -------
    RoundSamples
        The on-policy samples, the offline tuples and the environment steps taken.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> mdp = chain_mdp(n_states=4, gamma=0.8)
    >>> round_ = sample_round(mdp, [1, 1, 1, 1], n_on=5, rng=0)
    >>> round_.on_y.shape
    (5,)
    """
    mdp = _check_mdp(mdp)
    pi = _check_policy(mdp, policy)
    n_on, n_off = _nonneg_int("n_on", n_on), _nonneg_int("n_off", n_off)
    v.check_allocation("n_on" if n_off == 0 else "n_off" if n_on == 0 else "n_on + n_off", n_on + n_off,
                       _BYTES_PER_SAMPLE, "samples")
    mu0 = product_reset(mdp) if reset is None else check_reset(mdp, reset)
    if n_off > 0:
        if offline_distribution is None:
            raise ValueError("offline_distribution: expected an (S, A) distribution when n_off > 0, got None")
        nu = check_reset(mdp, offline_distribution, "offline_distribution")
    else:
        nu = mu0
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    sampler = _round_kernel if backend == "numba" else _round_numpy
    out = sampler(cdf(mdp.P), mdp.R, cdf(pi), cdf(mu0.reshape(-1)), cdf(nu.reshape(-1)), mdp.gamma,
                  n_on, n_off, mdp.reward_model == "gaussian", mdp.reward_std, absorbing_states(mdp),
                  deterministic_next(mdp), v.as_rng(rng))
    return RoundSamples(*out[:7], int(out[7]))


# --------------------------------------------------------------------------------------------
# HPE (Algorithm 2)
# --------------------------------------------------------------------------------------------

@numba.njit(cache=True)
def _tabular_hpe_kernel(on_s, on_a, on_y, off_s, off_a, off_r, off_t, pi, f0, gamma, lam,
                        k1, k2, m_on, m_off, bootstrap, average):
    """K2 closed-form HPE iterations on K2 batches; returns (f_bar, mc_loss, td_loss)."""
    S, A = f0.shape
    f = f0.copy()
    f_sum = np.zeros((S, A))
    num = np.empty((S, A))
    den = np.empty((S, A))
    V = np.empty(S)
    w_off = 1.0 / m_off if m_off > 0 else 0.0
    w_on = lam / m_on if m_on > 0 else 0.0
    for k in range(k2):
        num[:] = 0.0
        den[:] = 0.0
        for s in range(S):
            acc = 0.0
            for a in range(A):
                acc += pi[s, a] * f[s, a]
            V[s] = acc
        for j in range(k * m_off, (k + 1) * m_off):
            s, a = off_s[j], off_a[j]
            target = off_r[j] + (gamma * V[off_t[j]] if bootstrap else 0.0)
            num[s, a] += w_off * target
            den[s, a] += w_off
        for j in range(k * m_on, (k + 1) * m_on):
            s, a = on_s[j], on_a[j]
            num[s, a] += w_on * on_y[j]
            den[s, a] += w_on
        for s in range(S):
            for a in range(A):
                # No sample at (s, a): the argmin is not unique; keep f_{k-1}(s, a).
                if den[s, a] > 0.0:
                    f[s, a] = num[s, a] / den[s, a]
        if k >= k1:
            f_sum += f
    f_bar = f_sum / (k2 - k1) if average else f.copy()
    return f_bar, _losses(f_bar, pi, gamma, on_s, on_a, on_y, off_s, off_a, off_r, off_t, k2, m_on, m_off)


@numba.njit(cache=True)
def _losses(f, pi, gamma, on_s, on_a, on_y, off_s, off_a, off_r, off_t, k2, m_on, m_off):
    """(online MC loss, offline TD loss) of ``f`` on the last batch (NaN without samples)."""
    S, A = f.shape
    V = np.zeros(S)
    for s in range(S):
        for a in range(A):
            V[s] += pi[s, a] * f[s, a]
    mc = np.nan
    if m_on > 0:
        mc = 0.0
        for j in range((k2 - 1) * m_on, k2 * m_on):
            mc += (f[on_s[j], on_a[j]] - on_y[j]) ** 2
        mc /= m_on
    td = np.nan
    if m_off > 0:
        td = 0.0
        for j in range((k2 - 1) * m_off, k2 * m_off):
            td += (f[off_s[j], off_a[j]] - off_r[j] - gamma * V[off_t[j]]) ** 2
        td /= m_off
    return mc, td


def _tabular_hpe_numpy(on_s, on_a, on_y, off_s, off_a, off_r, off_t, pi, f0, gamma, lam,
                       k1, k2, m_on, m_off, bootstrap, average):
    """Vectorised twin of :func:`_tabular_hpe_kernel` (bincounts per iteration)."""
    S, A = f0.shape
    f = np.array(f0, dtype=float)
    f_sum = np.zeros((S, A))
    w_off = 1.0 / m_off if m_off > 0 else 0.0
    w_on = lam / m_on if m_on > 0 else 0.0
    for k in range(k2):
        V = (pi * f).sum(axis=1)
        sl_off, sl_on = slice(k * m_off, (k + 1) * m_off), slice(k * m_on, (k + 1) * m_on)
        idx_off = off_s[sl_off] * A + off_a[sl_off]
        idx_on = on_s[sl_on] * A + on_a[sl_on]
        target = off_r[sl_off] + (gamma * V[off_t[sl_off]] if bootstrap else 0.0)
        num = w_off * np.bincount(idx_off, target, S * A) + w_on * np.bincount(idx_on, on_y[sl_on], S * A)
        den = w_off * np.bincount(idx_off, minlength=S * A) + w_on * np.bincount(idx_on, minlength=S * A)
        seen = den > 0
        flat = f.reshape(-1)
        flat[seen] = num[seen] / den[seen]
        if k >= k1:
            f_sum += f
    f_bar = f_sum / (k2 - k1) if average else f.copy()
    V = (pi * f_bar).sum(axis=1)
    mc = td = np.nan
    if m_on > 0:
        last = slice((k2 - 1) * m_on, k2 * m_on)
        mc = float(np.mean((f_bar[on_s[last], on_a[last]] - on_y[last]) ** 2))
    if m_off > 0:
        last = slice((k2 - 1) * m_off, k2 * m_off)
        td = float(np.mean((f_bar[off_s[last], off_a[last]] - off_r[last] - gamma * V[off_t[last]]) ** 2))
    return f_bar, (mc, td)


def _linear_hpe(samples, features, pi, w0, gamma, lam, k1, k2, m_on, m_off, ridge, bootstrap, average):
    """Weighted ridge HPE with critic ``f_w = psi . w``; returns (w_bar, (mc, td)).

    The samples enter each iteration's normal equations only through per-pair counts, reward and
    target sums and (offline) next-state counts, so these are tallied once for all K2 batches
    (``bincount``) and each iteration solves ``G_k w = psi^T (c_k r + gamma M_k psi_pi w)``: the
    same equations as a loop over the samples, at a cost that does not grow with the batch.
    """
    S, A, d = features.shape
    SA = S * A
    flat = features.reshape(SA, d)
    w = np.array(w0, dtype=float)
    w_sum = np.zeros(d)
    s_on, a_on, y_on = samples.on_s, samples.on_a, samples.on_y
    s_off, a_off, r_off, t_off = samples.off_s, samples.off_a, samples.off_r, samples.off_s_next
    psi_pi = np.einsum("sa,sad->sd", pi, features)  # E_{a'~pi(s')} psi(s', a')
    G = np.broadcast_to(ridge * np.eye(d), (k2, d, d)).copy()
    b_fixed = np.zeros((k2, d))
    use_on = m_on > 0 and lam > 0
    if m_off > 0:
        batch = np.repeat(np.arange(k2), m_off)
        pair = batch * SA + s_off * A + a_off
        counts = np.bincount(pair, minlength=k2 * SA).reshape(k2, SA) / m_off
        G += np.einsum("kp,pd,pe->kde", counts, flat, flat)
        b_fixed += (np.bincount(pair, weights=r_off, minlength=k2 * SA).reshape(k2, SA) / m_off) @ flat
        if bootstrap:
            moves = np.bincount(pair * S + t_off, minlength=k2 * SA * S).reshape(k2, SA, S) / m_off
    if use_on:
        batch = np.repeat(np.arange(k2), m_on)
        pair = batch * SA + s_on * A + a_on
        counts = np.bincount(pair, minlength=k2 * SA).reshape(k2, SA) * (lam / m_on)
        G += np.einsum("kp,pd,pe->kde", counts, flat, flat)
        b_fixed += (np.bincount(pair, weights=y_on, minlength=k2 * SA).reshape(k2, SA) * (lam / m_on)) @ flat
    for k in range(k2):
        b = b_fixed[k]
        if m_off > 0 and bootstrap:
            b = b + gamma * flat.T @ (moves[k] @ (psi_pi @ w))
        w = np.linalg.solve(G[k], b)
        if k >= k1:
            w_sum += w
    w_bar = w_sum / (k2 - k1) if average else w
    f = features @ w_bar
    V = (pi * f).sum(axis=1)
    mc = td = np.nan
    if m_on > 0:
        last = slice((k2 - 1) * m_on, k2 * m_on)
        mc = float(np.mean((f[s_on[last], a_on[last]] - y_on[last]) ** 2))
    if m_off > 0:
        last = slice((k2 - 1) * m_off, k2 * m_off)
        td = float(np.mean((f[s_off[last], a_off[last]] - r_off[last] - gamma * V[t_off[last]]) ** 2))
    return w_bar, (mc, td)


@dataclass(frozen=True)
class HPEResult:
    r"""What :func:`hybrid_policy_evaluation` returns.

    Parameters
    ----------
    critic : numpy.ndarray of shape (S, A)
        :math:`\bar f = \frac{1}{K_2 - K_1}\sum_{k=K_1+1}^{K_2} f_k`, the average of the iterates.
    weights : numpy.ndarray of shape (d,) or None
        :math:`\bar w` for a linear critic (``critic = features @ weights``), None for the tabular one.
    mc_loss : float
        :math:`\bar f`'s online Monte-Carlo loss :math:`\mathrm{mean}\,(f(s,a) - y)^2` on the last
        batch (NaN without on-policy samples).
    td_loss : float
        :math:`\bar f`'s offline TD loss :math:`\mathrm{mean}\,(f(s,a) - r - \gamma f(s', \pi))^2`
        on the last batch (NaN without offline tuples).
    samples : RoundSamples
        All ``K2`` batches (batch ``k`` is the ``k``-th block of ``m_on`` / ``m_off`` entries).
    """

    critic: np.ndarray
    weights: np.ndarray | None
    mc_loss: float
    td_loss: float
    samples: RoundSamples


@dataclass(frozen=True)
class _HPEConfig:
    lam: float
    k1: int
    k2: int
    m_on: int
    m_off: int
    ridge: float
    bootstrap: bool
    average: bool


def _check_hpe(lam, k1, k2, m_on, m_off, ridge, offline_distribution, mdp):
    lam = v.nonnegative_float("lam", lam)
    k1, k2 = _nonneg_int("k1", k1), v.positive_int("k2", k2)
    if not k1 < k2:
        raise ValueError(f"k1, k2: expected k1 < k2, got k1={k1}, k2={k2}")
    m_on, m_off = _nonneg_int("m_on", m_on), _nonneg_int("m_off", m_off)
    if m_on == 0 and m_off == 0:
        raise ValueError("m_on, m_off: expected at least one positive batch size, got 0 and 0")
    v.check_allocation("k2 * (m_on + m_off)", k2 * (m_on + m_off), _BYTES_PER_SAMPLE, "samples")
    if m_off == 0 and lam == 0:
        raise ValueError("lam: expected lam > 0 when there is no offline batch (m_off=0), got 0")
    ridge = v.nonnegative_float("ridge", ridge)
    nu = None
    if m_off > 0:
        if offline_distribution is None:
            raise ValueError("offline_distribution: expected an (S, A) distribution when m_off > 0, got None")
        nu = check_reset(mdp, offline_distribution, "offline_distribution")
    return lam, k1, k2, m_on, m_off, ridge, nu


def _check_features(mdp, features, name="features"):
    psi = v.float_array(name, features, ndim=3, shape=(mdp.n_states, mdp.n_actions, None))
    if psi.shape[2] == 0:
        raise ValueError(f"{name}: expected at least one feature, got 0")
    return psi


def hybrid_policy_evaluation(mdp: DiscountedMDP, policy, *, offline_distribution=None, lam: float = 1.0,
                             k1: int = 2, k2: int = 4, m_on: int = 200, m_off: int = 200, features=None,
                             ridge: float = 1e-8, initial_critic=None, reset=None, rng=None,
                             bootstrap: bool = True, average: bool = True, backend: str = "numba") -> HPEResult:
    r"""HPE, hybrid fitted policy evaluation (Zhou et al. 2023, Algorithm 2; :ref:`hnpg-hpe`).

    For :math:`k = 1, \dots, K_2`, with fresh batches :math:`D_{\mathrm{on}}` (``m_on`` samples
    :math:`(s, a, y)`, see :func:`sample_round`) and :math:`D_{\mathrm{off}}` (``m_off`` tuples
    with :math:`(s, a) \sim \nu`),

    .. math::

        f_k = \arg\min_f\; \hat{\mathbb E}_{D_{\mathrm{off}}}\big[(f(s,a) - r - \gamma f_{k-1}(s', \pi))^2\big]
        + \lambda\, \hat{\mathbb E}_{D_{\mathrm{on}}}\big[(f(s,a) - y)^2\big],

    and the output is :math:`\bar f = \frac{1}{K_2 - K_1}\sum_{k=K_1+1}^{K_2} f_k`, where
    :math:`f(s', \pi) = \sum_{a'} \pi(a' \mid s') f(s', a')` (the expectation; the proof draws
    :math:`a' \sim \pi`, which has the same conditional mean).

    - Tabular (``features=None``): the loss decouples per entry, and :math:`f_k(s, a)` is the
      weighted average
      :math:`\big[\sum_{\mathrm{off}} \mathrm{target} / m_{\mathrm{off}} + \lambda \sum_{\mathrm{on}} y / m_{\mathrm{on}}\big]
      / \big[n_{\mathrm{off}} / m_{\mathrm{off}} + \lambda\, n_{\mathrm{on}} / m_{\mathrm{on}}\big]`.
      An entry with no sample keeps :math:`f_{k-1}(s, a)` (the argmin is not unique there; the
      paper leaves it open).
    - Linear (``features`` :math:`\psi` of shape (S, A, d)): weighted ridge regression with
      ``ridge`` :math:`\cdot I` added to the Gram matrix (``ridge`` > 0 only makes it invertible;
      the paper has none).

    The closed forms are in :ref:`hnpg-tabular`; the departures in :ref:`hnpg-departures`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem, used as a simulator.
    policy : int array of shape (S,) or float array of shape (S, A)
        The policy :math:`\pi` being evaluated.
    offline_distribution : array_like of shape (S, A), optional
        :math:`\nu` (required when ``m_off > 0``).
    lam : float >= 0, default 1.0
        The weight :math:`\lambda` of the on-policy term (1 for Bellman-complete classes,
        :math:`T/2 - 1` without completeness in Theorem 1). ``lam = 0`` is pure offline FQE.
    k1, k2 : int, 0 <= k1 < k2, default 2 and 4
        Averaging window (Lemma 5 sets them from :math:`\epsilon_{\mathrm{stat}}`; see
        :ref:`hnpg-lemma5`).
    m_on, m_off : int >= 0, default 200
        Batch sizes per iteration; ``m_off = 0`` drops the offline term (on-policy Monte-Carlo
        regression, classic NPG's critic), ``m_on = 0`` drops the online term.
    features : array_like of shape (S, A, d), optional
        A linear critic class :math:`f_w = w^\top \psi` (default: tabular).
    ridge : float >= 0, default 1e-8
        Added to the linear fit's Gram matrix.
    initial_critic : array_like of shape (S, A) or (d,), optional
        :math:`f_0` (any member of the class; default 0).
    reset : array_like of shape (S, A), optional
        :math:`\mu_0`; defaults to :func:`mdps.instances.hnpg.product_reset`.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness for the samples.
    bootstrap, average : bool, default True
        Ablations: ``bootstrap=False`` replaces the TD target by :math:`r`; ``average=False``
        returns :math:`f_{K_2}` instead of the average.
    backend : {"numba", "numpy"}, default "numba"
        The Numba kernels, or the vectorised numpy reference (same law, another random stream).

    Returns
    -------
    HPEResult
        The critic :math:`\bar f`, its weights (linear class), its losses and the samples.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps.instances import random_mdp
    >>> mdp = random_mdp(n_states=3, n_actions=2, gamma=0.5, rng=0)
    >>> out = hybrid_policy_evaluation(mdp, np.full((3, 2), 0.5), offline_distribution=np.full((3, 2), 1 / 6), rng=0)
    >>> out.critic.shape
    (3, 2)
    """
    mdp = _check_mdp(mdp)
    pi = _check_policy(mdp, policy)
    lam, k1, k2, m_on, m_off, ridge, nu = _check_hpe(lam, k1, k2, m_on, m_off, ridge, offline_distribution, mdp)
    mu0 = product_reset(mdp) if reset is None else check_reset(mdp, reset)
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    psi = None if features is None else _check_features(mdp, features)
    shape = (mdp.n_states, mdp.n_actions) if psi is None else (psi.shape[2],)
    f0 = np.zeros(shape) if initial_critic is None else np.array(
        v.float_array("initial_critic", initial_critic, shape=shape))
    if f0.shape != shape:
        raise ValueError(f"initial_critic: expected shape {shape}, got {f0.shape}")
    cfg = _HPEConfig(lam, k1, k2, m_on, m_off, ridge, _flag("bootstrap", bootstrap), _flag("average", average))
    ctx = _Context(mdp, mu0, nu if nu is not None else mu0, psi, backend)
    return _hpe(ctx, pi, f0, cfg, v.as_rng(rng))


@dataclass(frozen=True)
class _Context:
    """Validated problem arrays and CDFs shared by every round of a run."""

    mdp: DiscountedMDP
    reset: np.ndarray
    nu: np.ndarray
    features: np.ndarray | None
    backend: str

    def __post_init__(self):
        object.__setattr__(self, "P_cdf", cdf(self.mdp.P))
        object.__setattr__(self, "reset_cdf", cdf(self.reset.reshape(-1)))
        object.__setattr__(self, "nu_cdf", cdf(self.nu.reshape(-1)))
        object.__setattr__(self, "absorbing", absorbing_states(self.mdp))
        object.__setattr__(self, "det_next", deterministic_next(self.mdp))


def _policy_cdf(pi):
    # pi comes from softmax / one-hot rows built here (already valid): skip mdps.sampling.cdf's checks.
    c = np.cumsum(pi, axis=-1)
    return np.ascontiguousarray(c / c[..., -1:])


def _hpe(ctx: _Context, pi, f0, cfg: _HPEConfig, rng) -> HPEResult:
    mdp = ctx.mdp
    sampler = _round_kernel if ctx.backend == "numba" else _round_numpy
    out = sampler(ctx.P_cdf, mdp.R, _policy_cdf(pi), ctx.reset_cdf, ctx.nu_cdf, mdp.gamma, cfg.k2 * cfg.m_on,
                  cfg.k2 * cfg.m_off, mdp.reward_model == "gaussian", mdp.reward_std, ctx.absorbing,
                  ctx.det_next, rng)
    samples = RoundSamples(*out[:7], int(out[7]))
    if ctx.features is None:
        hpe = _tabular_hpe_kernel if ctx.backend == "numba" else _tabular_hpe_numpy
        f_bar, (mc, td) = hpe(*out[:7], pi, f0, mdp.gamma, cfg.lam, cfg.k1, cfg.k2, cfg.m_on, cfg.m_off,
                              cfg.bootstrap, cfg.average)
        return HPEResult(f_bar, None, float(mc), float(td), samples)
    w_bar, (mc, td) = _linear_hpe(samples, ctx.features, pi, f0, mdp.gamma, cfg.lam, cfg.k1, cfg.k2,
                                  cfg.m_on, cfg.m_off, cfg.ridge, cfg.bootstrap, cfg.average)
    return HPEResult(ctx.features @ w_bar, w_bar, mc, td, samples)


def population_hpe(mdp: DiscountedMDP, policy, offline_distribution, *, lam: float = 1.0, n_iterations: int = 50,
                   initial_critic=None, reset=None) -> np.ndarray:
    r"""Expected-value HPE (see :ref:`hnpg-tabular`): the iterates :math:`f_0, \dots, f_K`.

    Entrywise,

    .. math::

        f_k = \frac{\nu\, (\mathcal T^\pi f_{k-1}) + \lambda\, d^\pi Q^\pi}{\nu + \lambda\, d^\pi},

    the minimiser of eq. 1's expected loss over the tabular class; entries with
    :math:`\nu + \lambda d^\pi = 0` keep :math:`f_{k-1}`. Since :math:`\mathcal T^\pi Q^\pi = Q^\pi`,
    :math:`|f_k - Q^\pi| \le \gamma \lVert f_{k-1} - Q^\pi \rVert_\infty` on the support (HNPG-H3,
    :ref:`hnpg-contraction`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem (known exactly).
    policy : int array of shape (S,) or float array of shape (S, A)
        The policy :math:`\pi` being evaluated.
    offline_distribution : array_like of shape (S, A)
        :math:`\nu`.
    lam : float >= 0, default 1.0
        The weight :math:`\lambda` of the on-policy term.
    n_iterations : int >= 1, default 50
        :math:`K`.
    initial_critic : array_like of shape (S, A), optional
        :math:`f_0` (default 0).
    reset : array_like of shape (S, A), optional
        :math:`\mu_0`, which defines :math:`d^\pi`; defaults to
        :func:`mdps.instances.hnpg.product_reset`.

    Returns
    -------
    numpy.ndarray of shape (K + 1, S, A)
        The iterates :math:`f_0, \dots, f_K`.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps.instances import random_mdp
    >>> mdp = random_mdp(n_states=3, n_actions=2, gamma=0.5, rng=0)
    >>> population_hpe(mdp, np.full((3, 2), 0.5), np.full((3, 2), 1 / 6), n_iterations=5).shape
    (6, 3, 2)
    """
    mdp = _check_mdp(mdp)
    pi = _check_policy(mdp, policy)
    nu = check_reset(mdp, offline_distribution, "offline_distribution")
    lam = v.nonnegative_float("lam", lam)
    K = v.positive_int("n_iterations", n_iterations)
    v.check_allocation("n_iterations", (K + 1) * mdp.n_states * mdp.n_actions, 8, "entries of the iterates")
    mu0 = product_reset(mdp) if reset is None else check_reset(mdp, reset)
    S, A = mdp.n_states, mdp.n_actions
    f = np.zeros((S, A)) if initial_critic is None else np.array(
        v.float_array("initial_critic", initial_critic, ndim=2, shape=(S, A)))
    d = _reset_occupancy(mdp.P, mdp.gamma, pi, mu0)
    Q = policy_q_values(mdp, pi)
    den = nu + lam * d
    seen = den > 0
    out = [f.copy()]
    for _ in range(K):
        Tf = mdp.R + mdp.gamma * mdp.P @ (pi * f).sum(axis=1)
        f = np.where(seen, (nu * Tf + lam * d * Q) / np.where(seen, den, 1.0), f)
        out.append(f.copy())
    return np.array(out)


# --------------------------------------------------------------------------------------------
# Policies and exact quantities
# --------------------------------------------------------------------------------------------

def mirror_descent_step(policy, critic, eta: float) -> np.ndarray:
    r"""One mirror-descent (exponentiated-gradient) step of HAC (Zhou et al. 2023, Algorithm 1, line 5).

    .. math::

        \pi'(a \mid s) = \frac{\pi(a \mid s) \exp(\eta f(s, a))}{\sum_b \pi(b \mid s) \exp(\eta f(s, b))},

    the KL-regularised maximiser of
    :math:`\langle \pi'(\cdot \mid s), f(s, \cdot)\rangle - \mathrm{KL}(\pi'(\cdot \mid s) \,\Vert\, \pi(\cdot \mid s)) / \eta`
    in every state. Actions with :math:`\pi(a \mid s) = 0` keep probability 0. Unrolled from the
    uniform :math:`\pi^1` this is :math:`\pi^{t+1} = \mathrm{softmax}(\eta \sum_{\tau \le t} f^\tau)`
    (see :ref:`hnpg-hac`).

    Parameters
    ----------
    policy : float array (S, A)
        ``pi``; every row must be a probability vector (it is not renormalised).
    critic : float array (S, A)
        ``f`` (e.g. HPE's ``f_bar`` or the exact ``Q^pi``), finite.
    eta : float > 0
        The step size (Theorem 1: :math:`(1 - \gamma)\sqrt{\log A / T}`).

    Returns
    -------
    array (S, A)
        ``pi'``.

    Raises
    ------
    ValueError
        If a row of ``policy`` is not a probability vector, if the shapes differ, or if ``eta`` is
        not a positive finite number.

    Examples
    --------
    >>> mirror_descent_step([[0.5, 0.5]], [[0.0, np.log(3.0)]], 1.0).round(3).tolist()
    [[0.25, 0.75]]
    """
    pi = v.float_array("policy", policy, ndim=2)
    v.check_simplex("policy", pi, axis=1)
    f = v.float_array("critic", critic, ndim=2, shape=pi.shape, like="policy")
    eta = v.positive_float("eta", eta)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        out = _softmax(np.log(pi) + eta * f)
        if np.all(np.isfinite(out)):
            return out
        # eta * f overflowed (a huge eta): the same step computed stably, f shifted by its row maximum
        # over the support of pi first, so that every exponent is <= 0 and one per row is finite.
        top = np.where(pi > 0, f, -np.inf).max(axis=1, keepdims=True)
        return _softmax(np.where(pi > 0, np.log(pi) + eta * (f - top), -np.inf))


# Exact values for the exact-critic loop of :func:`hac` / :func:`hnpg` (``critic="exact"``), the one hot
# loop that needs ``Q^pi`` (up to T = 1024 calls per run in HNPG-H1 and its hypothesis test). Its policies
# are this module's own softmax rows, so mdps.planning.policy_q_values's per-call validation only costs
# time there: measured 121 us vs 40 us per call (S = 10, A = 4; timeit, 2000 calls each, same process).
# Everywhere else this module uses mdps.planning.
def _q_values_unchecked(mdp, pi):
    P_pi = np.einsum("sa,sat->st", pi, mdp.P)
    V = np.linalg.solve(np.eye(mdp.n_states) - mdp.gamma * P_pi, (pi * mdp.R).sum(axis=1))
    return mdp.R + mdp.gamma * mdp.P @ V


# --------------------------------------------------------------------------------------------
# HAC (Algorithm 1) and its baselines
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HACResult:
    r"""What :func:`hac` and :func:`hnpg` return; index ``t`` is iteration ``t + 1`` of the paper.

    Values are taken from the initial *state* law :math:`\rho` (the first action from the
    policy), not from the reset over pairs (see :ref:`hnpg-departures`).

    Parameters
    ----------
    policies : numpy.ndarray of shape (T + 1, S, A)
        :math:`\pi^1, \dots, \pi^{T+1}`; the paper's output is uniform over them.
    values : numpy.ndarray of shape (T + 1,)
        :math:`V^{\pi^t}(\rho)` from the initial state distribution (exact; NaN, as are
        ``suboptimality`` and ``critic_error``, when the run was made with ``diagnostics=False``).
    suboptimality : numpy.ndarray of shape (T + 1,)
        :math:`V^\star(\rho) - V^{\pi^t}(\rho)`.
    mc_loss, td_loss : numpy.ndarray of shape (T,)
        The critic's online Monte-Carlo and offline TD losses on its last batch (NaN when absent).
    critic_error : numpy.ndarray of shape (T,)
        :math:`\mathbb E_{d^{\pi^t}}[(f^t - Q^{\pi^t})^2]` (exact), the on-policy accuracy of
        Lemma 5(a) (:ref:`hnpg-lemma5`).
    online_samples, online_steps, offline_samples : int numpy.ndarray of shape (T,)
        Cumulative on-policy samples (:math:`K_2 m_{\mathrm{on}}` per round), environment steps they
        took, and offline tuples drawn.
    eta : float
        The step size used.
    critics : numpy.ndarray of shape (T, S, A) or None
        :math:`f^1, \dots, f^T`, the critic of each round as its :math:`(S, A)` table (for a
        linear class, :math:`f = \psi w` on every pair); None only for a result built without them.
    """

    policies: np.ndarray
    values: np.ndarray
    suboptimality: np.ndarray
    mc_loss: np.ndarray
    td_loss: np.ndarray
    critic_error: np.ndarray
    online_samples: np.ndarray
    online_steps: np.ndarray
    offline_samples: np.ndarray
    eta: float
    critics: np.ndarray | None = None

    @property
    def average_suboptimality(self) -> float:
        r""":math:`\frac{1}{T}\sum_{t=1}^T (V^\star - V^{\pi^t})`, Theorem 1's left side over :math:`T`."""
        return float(self.suboptimality[:-1].mean())


def _critic_config(critic, lam, m_on, m_off):
    if critic not in CRITICS:
        raise ValueError(f"critic: expected one of {CRITICS}, got {critic!r}")
    if critic == "online":
        # Only the Monte-Carlo term is left: its argmin does not depend on the weight lam.
        return 1.0, m_on, 0
    if critic == "offline":
        return 0.0, 0, m_off
    return lam, m_on, m_off


def hac(mdp: DiscountedMDP, *, n_iterations: int = 150, critic: str = "hybrid", offline_distribution=None,
        lam: float = 1.0, k1: int = 2, k2: int = 4, m_on: int = 200, m_off: int = 200, eta: float | None = None,
        features=None, ridge: float = 1e-8, reset=None, rng=None, bootstrap: bool = True, average: bool = True,
        warm_start: bool = True, backend: str = "numba", diagnostics: bool = True) -> HACResult:
    r"""HAC, the hybrid actor-critic (Zhou et al. 2023, Algorithm 1), and its baselines.

    :math:`\pi^1` is uniform; for :math:`t = 1, \dots, T`: :math:`f^t = \mathrm{HPE}(\pi^t)`
    (:func:`hybrid_policy_evaluation`) and

    .. math::

        \pi^{t+1}(a \mid s) \propto \pi^t(a \mid s) \exp(\eta f^t(s, a)),
        \qquad \eta = (1 - \gamma)\sqrt{\log A / T}

    (:ref:`hnpg-hac`). ``critic`` picks the learner, all on this code path:

    - ``"hybrid"``: HAC (offline TD term + :math:`\lambda` x on-policy Monte-Carlo term);
    - ``"online"``: on-policy NPG, the offline term dropped (``m_off = 0``; ``lam`` is then irrelevant);
    - ``"offline"``: FQE-greedy: :math:`\lambda = 0` (no online samples) and the greedy update
      :math:`\pi^{t+1} = \arg\max_a f^t` in place of the mirror step (fitted policy iteration on
      offline data);
    - ``"exact"``: the exact :math:`Q^{\pi^t}` as critic (exact-critic NPG, HNPG-H1).

    Departures from the paper (:ref:`hnpg-departures`): HPE's :math:`f_0` at round :math:`t` is
    the previous round's :math:`\bar f` (``warm_start=True``; Algorithm 2 allows any
    :math:`f_0 \in \mathcal F`, and a cold start would waste the short :math:`K_2 = 4` window);
    the output is the whole sequence, from which the uniform mixture is formed.

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem, used as a simulator (and exactly, for the diagnostics).
    n_iterations : int >= 1, default 150
        :math:`T`.
    critic : {"hybrid", "online", "offline", "exact"}, default "hybrid"
        The learner (see above).
    offline_distribution : array_like of shape (S, A), optional
        :math:`\nu` (required when offline tuples are drawn).
    lam : float >= 0, default 1.0
        The weight :math:`\lambda` of HPE's on-policy term (1 when the class is complete,
        :math:`T/2 - 1` otherwise, Theorem 1).
    k1, k2 : int, 0 <= k1 < k2, default 2 and 4
        HPE's averaging window.
    m_on, m_off : int >= 0, default 200
        HPE's batch sizes per iteration.
    eta : float > 0, optional
        Step size; defaults to Theorem 1's :math:`(1 - \gamma)\sqrt{\log A / T}`.
    features : array_like of shape (S, A, d), optional
        A linear critic class (default tabular).
    ridge : float >= 0, default 1e-8
        Added to the linear fit's Gram matrix.
    reset : array_like of shape (S, A), optional
        :math:`\mu_0`; defaults to :func:`mdps.instances.hnpg.product_reset`.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness for the samples.
    bootstrap, average : bool, default True
        HPE's ablations, as in :func:`hybrid_policy_evaluation`.
    warm_start : bool, default True
        Start each round's HPE from the previous round's critic.
    backend : {"numba", "numpy"}, default "numba"
        The Numba kernels (tabular HAC runs in one kernel), or the vectorised numpy reference.
    diagnostics : bool, default True
        Compute the exact values, suboptimality and critic errors after the loop (one
        :math:`S \times S` solve per iterate and two per critic, in blocks of iterates); with
        False they are NaN and the run costs only the algorithm.

    Returns
    -------
    HACResult
        The policies, their exact values and suboptimality, the critics' losses and errors, and
        the sample counts.

    Examples
    --------
    >>> from mdps.instances.hnpg import lock_problem
    >>> lock = lock_problem(length=3, n_actions=3, gamma=0.8, rng=0)
    >>> out = hac(lock.mdp, n_iterations=20, offline_distribution=lock.offline_distribution, reset=lock.reset, rng=0)
    >>> out.policies.shape
    (21, 5, 3)
    """
    mdp = _check_mdp(mdp)
    T = v.positive_int("n_iterations", n_iterations)
    eta = _default_eta(mdp, T) if eta is None else v.positive_float("eta", eta)
    lam_c, m_on_c, m_off_c = _critic_config(critic, lam, m_on, m_off)
    mu0 = product_reset(mdp) if reset is None else check_reset(mdp, reset)
    if critic == "exact":
        nu = None
        cfg = None
        if features is not None:
            raise ValueError("features: the exact critic is tabular; got features with critic='exact'")
    else:
        lam_c, k1, k2, m_on_c, m_off_c, ridge, nu = _check_hpe(lam_c, k1, k2, m_on_c, m_off_c, ridge,
                                                               offline_distribution, mdp)
        cfg = _HPEConfig(lam_c, k1, k2, m_on_c, m_off_c, ridge, _flag("bootstrap", bootstrap),
                         _flag("average", average))
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    psi = None if features is None else _check_features(mdp, features)
    ctx = _Context(mdp, mu0, nu if nu is not None else mu0, psi, backend)
    return _run_actor_critic(ctx, T, eta, cfg, v.as_rng(rng), greedy=critic == "offline",
                             warm_start=_flag("warm_start", warm_start), policy_features=None,
                             diagnostics=_flag("diagnostics", diagnostics))


def _default_eta(mdp, T):
    return (1.0 - mdp.gamma) * np.sqrt(np.log(mdp.n_actions) / T)


@numba.njit(cache=True)
def _hac_tabular_kernel(P_cdf, R, reset_cdf, nu_cdf, gamma, T, eta, lam, k1, k2, m_on, m_off, greedy,
                        warm_start, bootstrap, average, gaussian, std, absorbing, det_next, rng):
    """All T rounds of tabular HAC in one call: per round, :func:`_round_kernel` then
    :func:`_tabular_hpe_kernel` then the mirror (or greedy) step. Passing the Generator to a
    kernel costs tens of microseconds, so the per-round Python loop would spend more time on
    dispatch than on sampling; this kernel consumes the random stream exactly as that loop does."""
    S, A = R.shape
    logits = np.zeros((S, A))
    pi = np.full((S, A), 1.0 / A)
    pi_cdf = np.empty((S, A))
    f0 = np.zeros((S, A))
    policies = np.empty((T + 1, S, A))
    critics = np.empty((T, S, A))
    mc = np.empty(T)
    td = np.empty(T)
    steps = np.zeros(T, np.int64)
    total = 0
    for t in range(T):
        policies[t] = pi
        for s in range(S):
            acc = 0.0
            for a in range(A):
                acc += pi[s, a]
                pi_cdf[s, a] = acc
            for a in range(A):
                pi_cdf[s, a] /= acc
        on_s, on_a, on_y, off_s, off_a, off_r, off_t, n_steps = _round_kernel(
            P_cdf, R, pi_cdf, reset_cdf, nu_cdf, gamma, k2 * m_on, k2 * m_off, gaussian, std, absorbing, det_next,
            rng)
        f, losses = _tabular_hpe_kernel(on_s, on_a, on_y, off_s, off_a, off_r, off_t, pi, f0, gamma, lam,
                                        k1, k2, m_on, m_off, bootstrap, average)
        critics[t] = f
        mc[t], td[t] = losses
        total += n_steps
        steps[t] = total
        if warm_start:
            f0 = f.copy()
        if greedy:
            for s in range(S):
                best = 0
                for a in range(1, A):
                    if f[s, a] > f[s, best]:
                        best = a
                pi[s, :] = 0.0
                pi[s, best] = 1.0
        else:
            for s in range(S):
                top = -np.inf
                for a in range(A):
                    logits[s, a] += eta * f[s, a]
                    top = max(top, logits[s, a])
                norm = 0.0
                for a in range(A):
                    pi[s, a] = np.exp(logits[s, a] - top)
                    norm += pi[s, a]
                for a in range(A):
                    pi[s, a] /= norm
    policies[T] = pi
    return policies, critics, mc, td, steps


@numba.njit(cache=True)
def _hnpg_linear_kernel(P_cdf, R, reset_cdf, nu_cdf, gamma, T, eta, lam, k1, k2, m_on, m_off, warm_start,
                        bootstrap, average, gaussian, std, absorbing, det_next, phi, psi, ridge, fit_lam, fit_ridge,
                        centre, rng):
    """All T rounds of Algorithm 3 with a linear HPE critic in one call: per round, :func:`_round_kernel`, then
    K2 weighted ridge solves of HPE (the normal equations of :func:`_linear_hpe`, tallied per pair), then the
    compatible fit of :func:`_compatible_fit` (``centre=False`` regresses ``f`` in place of ``f - E_pi f``:
    HNPG-H7's q_fit mutant) and the step ``theta += eta w``. Consumes the random stream as the per-round
    loop does; the numbers agree with it up to rounding (sums in another order)."""
    S, A = R.shape
    SA = S * A
    d = psi.shape[2]
    dp = phi.shape[2]
    theta = np.zeros(dp)
    pi = np.full((S, A), 1.0 / A)
    pi_cdf = np.empty((S, A))
    w0 = np.zeros(d)
    policies = np.empty((T + 1, S, A))
    critics = np.empty((T, S, A))
    mc = np.empty(T)
    td = np.empty(T)
    steps = np.zeros(T, np.int64)
    psi_pi = np.empty((S, d))
    V_next = np.empty(S)
    G = np.empty((d, d))
    b = np.empty(d)
    w_sum = np.empty(d)
    c_off = np.empty(SA)
    c_on = np.empty(SA)
    r_off = np.empty(SA)
    y_on = np.empty(SA)
    weight = np.empty(SA)
    f = np.empty((S, A))
    g = np.empty((S, A, dp))
    Gf = np.empty((dp, dp))
    bf = np.empty(dp)
    mean_phi = np.empty(dp)
    use_on = m_on > 0 and lam > 0.0
    w_off = 1.0 / m_off if m_off > 0 else 0.0
    w_on = lam / m_on if m_on > 0 else 0.0
    total = 0
    for t in range(T):
        policies[t] = pi
        for s in range(S):
            acc = 0.0
            for a in range(A):
                acc += pi[s, a]
                pi_cdf[s, a] = acc
            for a in range(A):
                pi_cdf[s, a] /= acc
        on_s, on_a, on_y, off_s, off_a, off_r, off_t, n_steps = _round_kernel(
            P_cdf, R, pi_cdf, reset_cdf, nu_cdf, gamma, k2 * m_on, k2 * m_off, gaussian, std, absorbing, det_next,
            rng)
        total += n_steps
        steps[t] = total
        # HPE (Algorithm 2) with the critic f_w = psi . w.
        for s in range(S):
            for j in range(d):
                acc = 0.0
                for a in range(A):
                    acc += pi[s, a] * psi[s, a, j]
                psi_pi[s, j] = acc
        w = w0.copy()
        w_sum[:] = 0.0
        for k in range(k2):
            c_off[:] = 0.0
            r_off[:] = 0.0
            c_on[:] = 0.0
            y_on[:] = 0.0
            for i in range(k * m_off, (k + 1) * m_off):
                p = off_s[i] * A + off_a[i]
                c_off[p] += 1.0
                r_off[p] += off_r[i]
            if use_on:
                for i in range(k * m_on, (k + 1) * m_on):
                    p = on_s[i] * A + on_a[i]
                    c_on[p] += 1.0
                    y_on[p] += on_y[i]
            G[:] = 0.0
            b[:] = 0.0
            for p in range(SA):
                c = c_off[p] * w_off + c_on[p] * w_on
                if c == 0.0:
                    continue
                target = r_off[p] * w_off + y_on[p] * w_on
                s, a = p // A, p % A
                for i in range(d):
                    b[i] += target * psi[s, a, i]
                    for j in range(d):
                        G[i, j] += c * psi[s, a, i] * psi[s, a, j]
            for i in range(d):
                G[i, i] += ridge
            if m_off > 0 and bootstrap:
                for s in range(S):
                    acc = 0.0
                    for j in range(d):
                        acc += psi_pi[s, j] * w[j]
                    V_next[s] = acc
                for i in range(k * m_off, (k + 1) * m_off):
                    scale = gamma * w_off * V_next[off_t[i]]
                    for j in range(d):
                        b[j] += scale * psi[off_s[i], off_a[i], j]
            w = np.linalg.solve(G, b)
            if k >= k1:
                w_sum += w
        w_bar = w_sum / (k2 - k1) if average else w
        if warm_start:
            w0 = w_bar.copy()
        for s in range(S):
            for a in range(A):
                acc = 0.0
                for j in range(d):
                    acc += psi[s, a, j] * w_bar[j]
                f[s, a] = acc
        critics[t] = f
        # The critic's losses on the last batch.
        for s in range(S):
            acc = 0.0
            for a in range(A):
                acc += pi[s, a] * f[s, a]
            V_next[s] = acc
        mc[t] = np.nan
        if m_on > 0:
            acc = 0.0
            for i in range((k2 - 1) * m_on, k2 * m_on):
                acc += (f[on_s[i], on_a[i]] - on_y[i]) ** 2
            mc[t] = acc / m_on
        td[t] = np.nan
        if m_off > 0:
            acc = 0.0
            for i in range((k2 - 1) * m_off, k2 * m_off):
                acc += (f[off_s[i], off_a[i]] - off_r[i] - gamma * V_next[off_t[i]]) ** 2
            td[t] = acc / m_off
        # Algorithm 3's compatible fit on the round's samples, weights nu-hat + fit_lam d-hat.
        weight[:] = 0.0
        n_off_all = k2 * m_off
        n_on_all = k2 * m_on
        for i in range(n_off_all):
            weight[off_s[i] * A + off_a[i]] += 1.0 / n_off_all
        if n_on_all > 0 and fit_lam > 0.0:
            for i in range(n_on_all):
                weight[on_s[i] * A + on_a[i]] += fit_lam / n_on_all
        for s in range(S):
            for j in range(dp):
                acc = 0.0
                for a in range(A):
                    acc += pi[s, a] * phi[s, a, j]
                mean_phi[j] = acc
            for a in range(A):
                for j in range(dp):
                    g[s, a, j] = phi[s, a, j] - mean_phi[j]
        Gf[:] = 0.0
        bf[:] = 0.0
        for s in range(S):
            for a in range(A):
                c = weight[s * A + a]
                if c == 0.0:
                    continue
                target = f[s, a] - V_next[s] if centre else f[s, a]
                for i in range(dp):
                    bf[i] += c * g[s, a, i] * target
                    for j in range(dp):
                        Gf[i, j] += c * g[s, a, i] * g[s, a, j]
        for i in range(dp):
            Gf[i, i] += fit_ridge
        step = np.linalg.solve(Gf, bf)
        for i in range(dp):
            theta[i] += eta * step[i]
        for s in range(S):
            top = -np.inf
            for a in range(A):
                acc = 0.0
                for j in range(dp):
                    acc += phi[s, a, j] * theta[j]
                pi[s, a] = acc
                top = max(top, acc)
            norm = 0.0
            for a in range(A):
                pi[s, a] = np.exp(pi[s, a] - top)
                norm += pi[s, a]
            for a in range(A):
                pi[s, a] /= norm
    policies[T] = pi
    return policies, critics, mc, td, steps


def _run_actor_critic(ctx, T, eta, cfg, rng, *, greedy, warm_start, policy_features, fit_ridge=1e-6,
                      fit_lam=1.0, fused=True, diagnostics=True, fit_centre=True):
    """The shared loop of :func:`hac` and :func:`hnpg` (``policy_features`` given: Algorithm 3).

    Only what the algorithm needs runs inside the loop; the exact diagnostics (values, occupancies,
    critic errors) are computed afterwards for all iterations at once (batched solves).
    """
    mdp = ctx.mdp
    S, A = mdp.n_states, mdp.n_actions
    v.check_allocation("n_iterations", (2 * T + 1) * S * A + 5 * T, 8,
                       "entries of the per-iteration policies, critics and counters")
    theta = np.zeros((S, A)) if policy_features is None else np.zeros(policy_features.shape[2])
    pi = np.full((S, A), 1.0 / A)
    f0 = np.zeros((S, A)) if ctx.features is None else np.zeros(ctx.features.shape[2])
    policies = np.empty((T + 1, S, A))
    critics = np.empty((T, S, A))
    mc = np.full(T, np.nan)
    td = np.full(T, np.nan)
    n_on = np.zeros(T, np.int64)
    steps = np.zeros(T, np.int64)
    n_off = np.zeros(T, np.int64)
    on_total = step_total = off_total = 0
    if (fused and cfg is not None and ctx.backend == "numba" and ctx.features is None
            and policy_features is None):
        policies, critics, mc, td, steps = _hac_tabular_kernel(
            ctx.P_cdf, mdp.R, ctx.reset_cdf, ctx.nu_cdf, mdp.gamma, T, eta, cfg.lam, cfg.k1, cfg.k2, cfg.m_on,
            cfg.m_off, greedy, warm_start, cfg.bootstrap, cfg.average, mdp.reward_model == "gaussian",
            mdp.reward_std, ctx.absorbing, ctx.det_next, rng)
        n_on = cfg.k2 * cfg.m_on * np.arange(1, T + 1)
        n_off = cfg.k2 * cfg.m_off * np.arange(1, T + 1)
        return _finish(ctx, policies, critics, mc, td, n_on, steps, n_off, eta, diagnostics)
    if (fused and cfg is not None and ctx.backend == "numba" and ctx.features is not None
            and policy_features is not None):
        policies, critics, mc, td, steps = _hnpg_linear_kernel(
            ctx.P_cdf, mdp.R, ctx.reset_cdf, ctx.nu_cdf, mdp.gamma, T, eta, cfg.lam, cfg.k1, cfg.k2, cfg.m_on,
            cfg.m_off, warm_start, cfg.bootstrap, cfg.average, mdp.reward_model == "gaussian", mdp.reward_std,
            ctx.absorbing, ctx.det_next, np.ascontiguousarray(policy_features, dtype=float),
            np.ascontiguousarray(ctx.features, dtype=float), cfg.ridge, float(fit_lam), float(fit_ridge),
            fit_centre, rng)
        n_on = cfg.k2 * cfg.m_on * np.arange(1, T + 1)
        n_off = cfg.k2 * cfg.m_off * np.arange(1, T + 1)
        return _finish(ctx, policies, critics, mc, td, n_on, steps, n_off, eta, diagnostics)
    for t in range(T):
        policies[t] = pi
        if cfg is None:
            f = _q_values_unchecked(mdp, pi)
            samples = None
        else:
            out = _hpe(ctx, pi, f0, cfg, rng)
            f, samples = out.critic, out.samples
            mc[t], td[t] = out.mc_loss, out.td_loss
            if warm_start:
                f0 = out.critic if out.weights is None else out.weights
            on_total += samples.on_s.size
            step_total += samples.n_steps
            off_total += samples.off_s.size
        critics[t] = f
        n_on[t], steps[t], n_off[t] = on_total, step_total, off_total
        if policy_features is not None:
            w = _compatible_fit(policy_features, pi, f, samples, fit_lam, ctx, fit_ridge, fit_centre)
            theta = theta + eta * w
            pi = _softmax(policy_features @ theta)
        elif greedy:
            pi = np.zeros((S, A))
            pi[np.arange(S), np.argmax(f, axis=1)] = 1.0
        else:
            theta = theta + eta * f
            pi = _softmax(theta)
    policies[T] = pi
    return _finish(ctx, policies, critics, mc, td, n_on, steps, n_off, eta, diagnostics)


def _finish(ctx, policies, critics, mc, td, n_on, steps, n_off, eta, diagnostics=True):
    mdp = ctx.mdp
    T = critics.shape[0]
    values = np.full(T + 1, np.nan)
    err = np.full(T, np.nan)
    if diagnostics:
        # Block by block, so that only a block of (S, S) matrices is alive at a time.
        for block, V, Q, d in _exact_blocks(mdp, policies, ctx.reset):
            values[block] = V @ mdp.initial
            # The last policy, pi^{T+1}, has no critic.
            upto = min(block.stop, T) - block.start
            if upto > 0:
                err[block.start:block.start + upto] = np.einsum(
                    "tsa,tsa->t", d[:upto], (critics[block.start:block.start + upto] - Q[:upto]) ** 2)
    V_star = float(mdp.initial @ mdp.optimal_values)
    for arr in (policies, values, mc, td, err, n_on, steps, n_off, critics):
        arr.setflags(write=False)
    return HACResult(policies, values, V_star - values, mc, td, err, n_on, steps, n_off, float(eta), critics)


#: The exact diagnostics solve (I - gamma P_pi) systems for this many matrix entries at a time
#: (8 MB of float64): a block of iterates, not all T + 1 of them (5.3 GB at S = 2000, T = 150).
EXACT_BLOCK_ENTRIES = 1 << 20


def _exact_blocks(mdp, policies, reset, block_entries=None):
    """Yield ``(slice, V, Q, d)`` for consecutive blocks of a stack of policies (see :func:`_batched_exact`)."""
    n, S, A = policies.shape
    size = max(1, (EXACT_BLOCK_ENTRIES if block_entries is None else block_entries) // (S * S))
    I = np.eye(S)
    rho1 = np.einsum("sa,sat->t", reset, mdp.P)
    for start in range(0, n, size):
        block = slice(start, min(start + size, n))
        pols = policies[block]
        m = pols.shape[0]
        P_pi = np.einsum("nsa,sat->nst", pols, mdp.P)
        V = np.linalg.solve(I - mdp.gamma * P_pi, np.einsum("nsa,sa->ns", pols, mdp.R)[..., None])[..., 0]
        Q = mdp.R + mdp.gamma * np.einsum("sat,nt->nsa", mdp.P, V)
        later = np.linalg.solve(I - mdp.gamma * np.swapaxes(P_pi, 1, 2), np.broadcast_to(rho1[:, None], (m, S, 1)))
        d = (1.0 - mdp.gamma) * (reset + mdp.gamma * later * pols)
        yield block, V, Q, d


def _batched_exact(mdp, policies, reset):
    """V^pi (n, S), Q^pi (n, S, A) and the reset occupancy d^pi (n, S, A) of a stack of policies."""
    n, S, A = policies.shape
    V, Q, d = np.empty((n, S)), np.empty((n, S, A)), np.empty((n, S, A))
    for block, V_b, Q_b, d_b in _exact_blocks(mdp, policies, reset):
        V[block], Q[block], d[block] = V_b, Q_b, d_b
    return V, Q, d


# --------------------------------------------------------------------------------------------
# HNPG (Algorithm 3)
# --------------------------------------------------------------------------------------------

def _compatible_fit(phi, pi, f, samples, lam, ctx, ridge, centre=True):
    """Algorithm 3's critic fit: ``w = argmin E_off (w.g - f_c)^2 + lam E_on (w.g - f_c)^2``,
    ``g = phi - E_pi phi`` (= grad log pi_theta), ``f_c = f - E_pi f`` (``f`` itself with ``centre=False``,
    HNPG-H7's q_fit mutant). With ``samples=None`` the expectation is taken under ``nu + lam d^pi``
    (population fit, used with the exact critic)."""
    S, A, d = phi.shape
    g = phi - np.einsum("sa,sad->sd", pi, phi)[:, None, :]
    f_c = f - (pi * f).sum(axis=1, keepdims=True) if centre else f
    if samples is None:
        weight = ctx.nu + lam * _reset_occupancy(ctx.mdp.P, ctx.mdp.gamma, pi, ctx.reset)
    else:
        weight = np.zeros(S * A)
        if samples.off_s.size:
            weight += np.bincount(samples.off_s * A + samples.off_a, minlength=S * A) / samples.off_s.size
        if samples.on_s.size and lam > 0:
            weight += np.bincount(samples.on_s * A + samples.on_a, minlength=S * A) * (lam / samples.on_s.size)
        weight = weight.reshape(S, A)
    G = np.einsum("sa,sad,sae->de", weight, g, g) + ridge * np.eye(d)
    b = np.einsum("sa,sad,sa->d", weight, g, f_c)
    return np.linalg.solve(G, b)


def hnpg(mdp: DiscountedMDP, policy_features, *, n_iterations: int = 150, critic: str = "hybrid",
         offline_distribution=None, lam: float = 1.0, k1: int = 2, k2: int = 4, m_on: int = 200, m_off: int = 200,
         eta: float | None = None, features=None, ridge: float = 1e-8, fit_ridge: float = 1e-6, reset=None,
         rng=None, warm_start: bool = True, backend: str = "numba", diagnostics: bool = True) -> HACResult:
    r"""HNPG, hybrid natural policy gradient with log-linear policies (Zhou et al. 2023, Algorithm 3).

    :math:`\pi_\theta(a \mid s) \propto \exp(\theta^\top \phi(s, a))` with :math:`\theta^1 = 0`
    (uniform). For :math:`t = 1, \dots, T`: :math:`f^t = \mathrm{HPE}(\pi_{\theta^t})`; with
    :math:`g = \nabla_\theta \log \pi_\theta = \phi - \mathbb E_\pi \phi` and
    :math:`f_c = f - \mathbb E_\pi f`,

    .. math::

        w^t = \arg\min_w\; \hat{\mathbb E}_{D_{\mathrm{off}}}\big[(w^\top g - f_c)^2\big]
        + \lambda\, \hat{\mathbb E}_{D_{\mathrm{on}}}\big[(w^\top g - f_c)^2\big]

    (normal equations: an NPG step with the Fisher matrix of the offline + online mixture), then
    :math:`\theta^{t+1} = \theta^t + \eta w^t` (:ref:`hnpg-algorithm3`). :math:`D_{\mathrm{on}}`
    and :math:`D_{\mathrm{off}}` are all of HPE's batches of the round.

    Departures (:ref:`hnpg-departures`): ``eta`` defaults to HAC's
    :math:`(1 - \gamma)\sqrt{\log A / T}` rather than Lemma 7's
    :math:`\sqrt{2 \log A / (\beta W^2 T)}` (:math:`W` is not known in practice); ``fit_ridge``
    (default 1e-6) regularises the fit because :math:`g` is rank deficient (it sums to 0 under
    :math:`\pi` in every state). With ``critic="exact"`` the fit uses the exact :math:`Q^\pi` and
    population weights :math:`\nu + \lambda d^\pi`; with one-hot :math:`\phi` it then reproduces
    :func:`hac` (the compatible critic is exact).

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem, used as a simulator (and exactly, for the diagnostics).
    policy_features : array_like of shape (S, A, d_pi)
        :math:`\phi`, the policy's features.
    n_iterations : int >= 1, default 150
        :math:`T`.
    critic : {"hybrid", "online", "offline", "exact"}, default "hybrid"
        The critic, as in :func:`hac`, except that "offline" keeps the NPG step here, with
        :math:`\lambda = 0`.
    offline_distribution : array_like of shape (S, A), optional
        :math:`\nu` (required when offline tuples are drawn; with ``critic="exact"`` it defaults
        to the reset).
    lam : float >= 0, default 1.0
        The weight :math:`\lambda` of the on-policy term, in HPE and in the compatible fit.
    k1, k2 : int, 0 <= k1 < k2, default 2 and 4
        HPE's averaging window.
    m_on, m_off : int >= 0, default 200
        HPE's batch sizes per iteration.
    eta : float > 0, optional
        Step size; defaults to :math:`(1 - \gamma)\sqrt{\log A / T}`.
    features : array_like of shape (S, A, d), optional
        A linear critic class for HPE (default tabular).
    ridge : float >= 0, default 1e-8
        Added to HPE's linear Gram matrix.
    fit_ridge : float > 0, default 1e-6
        Added to the compatible fit's Gram matrix.
    reset : array_like of shape (S, A), optional
        :math:`\mu_0`; defaults to :func:`mdps.instances.hnpg.product_reset`.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness for the samples.
    warm_start : bool, default True
        Start each round's HPE from the previous round's critic.
    backend : {"numba", "numpy"}, default "numba"
        The sampler: the Numba kernel or the vectorised numpy reference.
    diagnostics : bool, default True
        Compute the exact values, suboptimality and critic errors (as in :func:`hac`); NaN when
        False.

    Returns
    -------
    HACResult
        The policies :math:`\pi_{\theta^1}, \dots, \pi_{\theta^{T+1}}`, their exact values, the
        critics' losses and errors, and the sample counts.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps.instances import random_mdp
    >>> mdp = random_mdp(n_states=3, n_actions=2, gamma=0.5, rng=0)
    >>> phi = np.eye(6).reshape(3, 2, 6)
    >>> out = hnpg(mdp, phi, n_iterations=5, offline_distribution=np.full((3, 2), 1 / 6), rng=0)
    >>> out.values.shape
    (6,)
    """
    mdp = _check_mdp(mdp)
    phi = _check_features(mdp, policy_features, "policy_features")
    T = v.positive_int("n_iterations", n_iterations)
    eta = _default_eta(mdp, T) if eta is None else v.positive_float("eta", eta)
    lam_c, m_on_c, m_off_c = _critic_config(critic, lam, m_on, m_off)
    mu0 = product_reset(mdp) if reset is None else check_reset(mdp, reset)
    fit_ridge = v.positive_float("fit_ridge", fit_ridge)
    if critic == "exact":
        lam_c = v.nonnegative_float("lam", lam)
        nu = mu0 if offline_distribution is None else check_reset(mdp, offline_distribution, "offline_distribution")
        cfg = None
        if features is not None:
            raise ValueError("features: the exact critic is tabular; got features with critic='exact'")
    else:
        lam_c, k1, k2, m_on_c, m_off_c, ridge, nu = _check_hpe(lam_c, k1, k2, m_on_c, m_off_c, ridge,
                                                               offline_distribution, mdp)
        cfg = _HPEConfig(lam_c, k1, k2, m_on_c, m_off_c, ridge, True, True)
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    psi = None if features is None else _check_features(mdp, features)
    ctx = _Context(mdp, mu0, nu if nu is not None else mu0, psi, backend)
    return _run_actor_critic(ctx, T, eta, cfg, v.as_rng(rng), greedy=False, warm_start=_flag("warm_start", warm_start),
                             policy_features=phi, fit_ridge=fit_ridge, fit_lam=lam_c,
                             diagnostics=_flag("diagnostics", diagnostics))


# --------------------------------------------------------------------------------------------
# Exact NPG (Agarwal et al. 2021), for the last-iterate check HNPG-H2
# --------------------------------------------------------------------------------------------

def npg_exact(mdp: DiscountedMDP, *, eta: float, n_iterations: int, return_policies: bool = False):
    r"""Exact softmax NPG: :math:`\pi^{t+1} \propto \pi^t \exp(\eta A^{\pi^t} / (1 - \gamma))` from uniform.

    Agarwal, Kakade, Lee & Mahajan (2021), Thm 16 (HNPG-H2, tagged [recalled] and re-derived in
    :ref:`hnpg-npg-last-iterate`): for every state law :math:`\rho`,

    .. math::

        V^\star(\rho) - V^{\pi^T}(\rho) \le \frac{\log A}{\eta T} + \frac{1}{(1 - \gamma)^2 T}.

    Parameters
    ----------
    mdp : DiscountedMDP
        The problem (known exactly: the advantages are exact).
    eta : float > 0
        The step :math:`\eta`.
    n_iterations : int >= 1
        :math:`T`.
    return_policies : bool, default False
        Also return the policies.

    Returns
    -------
    numpy.ndarray of shape (T + 1, S), or a pair
        The values :math:`V^{\pi^t}(s)` for :math:`t = 0, \dots, T`; with
        ``return_policies=True``, the pair (values, policies), policies of shape (T + 1, S, A).

    Examples
    --------
    >>> from mdps.instances import random_mdp
    >>> values = npg_exact(random_mdp(n_states=3, n_actions=2, gamma=0.5, rng=0), eta=1.0, n_iterations=10)
    >>> values.shape, bool((values[-1] >= values[0] - 1e-12).all())
    ((11, 3), True)
    """
    mdp = _check_mdp(mdp)
    eta, T = v.positive_float("eta", eta), v.positive_int("n_iterations", n_iterations)
    v.check_allocation("n_iterations", (T + 1) * mdp.n_states * (mdp.n_actions + 1), 8,
                       "entries of the per-iteration values and policies")
    return _npg_exact(mdp, eta, T, return_policies=_flag("return_policies", return_policies))


def _npg_exact(mdp, eta, T, return_policies=False):
    """Unvalidated loop (``eta`` of any sign)."""
    S, A = mdp.n_states, mdp.n_actions
    logits = np.zeros((S, A))
    out = np.empty((T + 1, S))
    policies = np.empty((T + 1, S, A))
    for t in range(T + 1):
        pi = _softmax(logits)
        policies[t] = pi
        V = policy_evaluation(mdp, pi)
        out[t] = V
        Q = q_from_values(mdp, V)
        logits = logits + eta * (Q - V[:, None]) / (1.0 - mdp.gamma)
    return (out, policies) if return_policies else out
