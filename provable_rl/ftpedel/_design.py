r"""The experiment-design problem of :mod:`provable_rl.ftpedel` and its solvers.

The design objective of every target,
:math:`q_p = v_p^\top (N \Lambda(\omega) + \Lambda_{\mathrm{off}} + \lambda I)^{-1} v_p / g_p^2`
(:func:`design_objective`), its minimisation over exploration weights by Frank-Wolfe
(:func:`frank_wolfe_design`, :ref:`ftpedel-design`) or by cvxpy (:func:`cvxpy_design`), and the
least number of episodes whose design meets a tolerance (:func:`minimum_episodes`,
:ref:`ftpedel-minimum-episodes`).
"""
from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from numpy.linalg import _umath_linalg

from mdps import _validation as v
from mdps.core import LinearMDP

from ._checks import DESIGNS, _check_atoms, _check_mdp, _check_psd, _check_step, _check_targets
from ._policies import (_best_response, _best_response_reference, _c_einsum, _pair_occupancies, _stochastic,
                        _uniform_probs)


def design_objective(design_covariance, targets, scales, n_episodes, *, offline_covariance=None,
                     regularizer: float = 1e-8) -> np.ndarray:
    r"""The design objective of every target, :math:`q_p = v_p^\top (N \Lambda + \Lambda_{\mathrm{off}} + \lambda I)^{-1} v_p / g_p^2`.

    See :ref:`ftpedel-design`.

    Parameters
    ----------
    design_covariance : array_like
        :math:`\Lambda = \sum_j \omega_j \Lambda_j`, shape ``(d, d)``: the per-episode covariance of
        the design (symmetric positive semi-definite).
    targets : array_like
        The vectors :math:`v_p`, shape ``(P, d)``.
    scales : array_like
        The positive gap scales :math:`g_p`, shape ``(P,)``.
    n_episodes : float >= 0
        The number of episodes N.
    offline_covariance : array_like, optional
        :math:`\Lambda_{\mathrm{off}}`, shape ``(d, d)`` (unnormalised, PSD); None means 0.
    regularizer : float > 0, default 1e-8
        The ridge :math:`\lambda`.

    Returns
    -------
    numpy.ndarray
        :math:`q_p` for every target, shape ``(P,)``.

    Examples
    --------
    >>> import numpy as np
    >>> V = np.array([[1.0, -1.0]])                              # arm 0 against arm 1
    >>> q = design_objective(np.diag([0.5, 0.5]), V, np.ones(1), 10.0)
    >>> round(float(q[0]), 6)                                   # 1/5 + 1/5
    0.4
    """
    V, g = _check_targets(targets, scales)
    d = V.shape[1]
    D = _check_psd("design_covariance", design_covariance, d)
    Loff = np.zeros((d, d)) if offline_covariance is None else _check_psd("offline_covariance", offline_covariance, d)
    N = v.nonnegative_float("n_episodes", n_episodes)
    reg = v.positive_float("regularizer", regularizer)
    return _q_values(N * D + Loff + reg * np.eye(d), V, g)[0]


def _q_values(A: np.ndarray, V: np.ndarray, g: np.ndarray):
    X = np.linalg.solve(A, V.T)  # (d, P) = A^{-1} v_p
    return np.einsum("pi,ip->p", V, X) / g ** 2, X


@dataclass(frozen=True, eq=False)
class Design:
    r"""An exploration design: a mixture of atoms (policies or given covariances).

    The design covariance is :math:`\Lambda(\omega) = \sum_j \omega_j \Lambda_j`
    (:ref:`ftpedel-design`).

    Parameters
    ----------
    weights : numpy.ndarray
        :math:`\omega`, shape ``(J,)``, on the simplex.
    covariances : numpy.ndarray
        :math:`\Lambda_j` of each atom at the design's step, shape ``(J, d, d)``.
    policies : numpy.ndarray or None
        The atoms as policies, action probabilities ``(J, H, S, A)``. For the DP oracle these are
        deterministic best responses, the uniformly random starting policy, or its parts
        "uniform, but action a at the design's step". None when the atoms are given covariances.
    indices : numpy.ndarray or None
        Int array ``(J,)``: the atoms' indices into the given covariances (explicit oracle), or
        None.
    n_episodes : float
        The N the design was solved for.
    value : float
        :math:`\max_p q_p` at the returned weights (an upper bound on the optimum; the best
        iterate).
    iterations : int
        Frank-Wolfe iterations run (0 for designs not produced by Frank-Wolfe).
    duality_gap : float
        ``value / lower_bound - 1``: a certified bound on the relative suboptimality of ``value``
        (inf when no lower bound was found; 0 for designs not produced by Frank-Wolfe).
    """

    weights: np.ndarray
    covariances: np.ndarray
    policies: np.ndarray | None
    indices: np.ndarray | None
    n_episodes: float
    value: float
    iterations: int
    duality_gap: float

    @property
    def covariance(self) -> np.ndarray:
        r""":math:`\Lambda(\omega) = \sum_j \omega_j \Lambda_j`, shape ``(d, d)``."""
        return np.tensordot(self.weights, self.covariances, 1)


def frank_wolfe_design(targets, scales, n_episodes, *, covariances=None, mdp: LinearMDP | None = None,
                       step: int | None = None, offline_covariance=None, regularizer: float = 1e-8,
                       max_iterations: int = 2000, rtol: float = 1e-3, initial: Design | None = None) -> Design:
    r"""Minimise the smoothed max of :math:`q_p(\omega)` over exploration weights by Frank-Wolfe.

    The objective (:ref:`ftpedel-design`; OPTCOV's smoothed objective of W&J 2022 / W&P 2023) is

    .. math::

       f(\omega) = \frac{1}{\eta} \log \sum_p e^{\eta q_p(\omega)}, \qquad
       q_p(\omega) = \frac{v_p^\top A(\omega)^{-1} v_p}{g_p^2}, \qquad
       A(\omega) = N \sum_j \omega_j \Lambda_j + \Lambda_{\mathrm{off}} + \lambda I.

    The gradient in the design covariance is :math:`-N M` with
    :math:`M = \sum_p w_p A^{-1} v_p v_p^\top A^{-1} / g_p^2` and :math:`w = \mathrm{softmax}(\eta q)`,
    so the vertex is :math:`\arg\max_j \operatorname{tr}(\Lambda_j M)`: over the rows of
    ``covariances`` when given, otherwise over *all* policies of ``mdp`` at ``step`` by one
    backward induction (:func:`best_response_policy`). Steps are *pairwise*: mass moves from the
    active atom with the smallest :math:`\operatorname{tr}(\Lambda_j M)` to the vertex, by a line
    search on f along that segment (a grid in the segment's generalised eigenbasis, then two
    zooms), which avoids plain Frank-Wolfe's zig-zag when the optimum is interior.
    :math:`\eta_t = 0.1 (t + 1) / \max_p q_p` sharpens the softmax slowly. The best iterate (by the
    true max) is returned.

    Stopping certificate (weak duality): for any target weights w,

    .. math::

       \min_\omega \max_p q_p \ge \min_\omega \sum_p w_p q_p
       \ge \sum_p w_p q_p(\omega_t) - N \big(\max_j \operatorname{tr}(\Lambda_j M)
       - \operatorname{tr}(\Lambda(\omega_t) M)\big)

    (the convex function is above its linearisation). The solver stops when the best value is
    within ``1 + rtol`` of the best such lower bound, so ``rtol`` bounds the relative
    suboptimality of the returned design (``duality_gap`` reports the bound reached).

    The initial design is uniform over the given atoms, or the uniformly random policy for the DP
    oracle, so every reachable direction is seen from the start. For the DP oracle the first
    ``_SPLIT_ITERATIONS`` steps also line-search a pairwise step away from one part of that policy
    ("uniform, but action a at step h"; the uniform covariance is the average of the A parts'),
    and keep the block split into its parts when that lowers f more. This is a departure made for
    speed (:ref:`ftpedel-departures`): with offline data the optimum drains the parts at very
    different rates.

    Implementation: the loop calls numpy.linalg's LAPACK gufuncs directly inside one errstate and
    memoises solves on the exact bytes of the problem, the same floating-point operations as the plain
    numpy version (``_frank_wolfe_reference``, tested equal bit for bit), 1.2-1.5 times faster per
    solve and a memo look-up for a repeated one (``python benchmarks/bench_ftpedel.py solver``); a
    Numba line search (the solver 1.7 times faster than the reference) was left out: it changed 2 of
    26 test designs in the last bits (libm's exp and log and unfused products instead of numpy's
    SIMD ones and OpenBLAS).

    Parameters
    ----------
    targets : array_like
        The vectors :math:`v_p`, shape ``(P, d)``.
    scales : array_like
        The positive gap scales :math:`g_p`, shape ``(P,)``.
    n_episodes : float > 0
        The number of episodes N.
    covariances : array_like, optional
        Explicit exploration atoms :math:`\Lambda_j`, shape ``(J, d, d)``. Give exactly one of
        ``covariances`` and ``mdp`` (with ``step``).
    mdp : LinearMDP, optional
        Use the DP oracle over all policies of ``mdp`` (with ``step``).
    step : int, optional
        The step h of the DP oracle, in ``[0, H)``.
    offline_covariance : array_like, optional
        :math:`\Lambda_{\mathrm{off}}`, shape ``(d, d)`` (unnormalised, PSD); None means 0.
    regularizer : float > 0, default 1e-8
        The ridge :math:`\lambda`.
    max_iterations : int, default 2000
        Upper limit on the Frank-Wolfe iterations.
    rtol : float in (0, 1), default 1e-3
        Stop once the certified relative suboptimality is at most this.
    initial : Design, optional
        A warm start (same atom type).

    Returns
    -------
    Design
        The best design found, with its value and certified duality gap.

    Examples
    --------
    >>> import numpy as np
    >>> covs = np.stack([np.diag(e) for e in np.eye(3)])        # three arms, tabular features
    >>> V = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])      # differences to arm 0
    >>> design = frank_wolfe_design(V, np.ones(2), 1.0, covariances=covs)
    >>> bool(abs(design.value - (np.sqrt(2) + 1) ** 2) < 0.02 * design.value)
    True
    """
    V, g = _check_targets(targets, scales)
    d = V.shape[1]
    N = v.positive_float("n_episodes", n_episodes)
    reg = v.positive_float("regularizer", regularizer)
    Loff = np.zeros((d, d)) if offline_covariance is None else _check_psd("offline_covariance", offline_covariance, d)
    max_iterations = v.positive_int("max_iterations", max_iterations)
    rtol = v.probability("rtol", rtol)
    explicit = covariances is not None
    if explicit == (mdp is not None):
        raise ValueError("covariances, mdp: expected exactly one of explicit covariances or an mdp with a step")
    if initial is not None:
        if not isinstance(initial, Design):
            raise TypeError(f"initial: expected a Design, got {type(initial).__name__}")
        if initial.covariances.shape[1:] != (d, d) or (initial.indices is None) == explicit:
            raise ValueError("initial: expected a Design of the same dimension and atom type (indices for "
                             "explicit covariances, policies for the DP oracle)")
    if explicit:
        C = _check_atoms(covariances, d)
    else:
        mdp = _check_mdp(mdp)
        if mdp.dim != d:
            raise ValueError(f"targets: expected vectors of the mdp's dimension {mdp.dim}, got {d}")
        h = _check_step(mdp, step)
    return _frank_wolfe(V, g, N, Loff, reg, max_iterations, rtol, C if explicit else None,
                        None if explicit else (mdp, h), initial)


def _frank_wolfe(V, g, N, Loff, reg, max_iterations, rtol, C, oracle, initial):
    """:func:`frank_wolfe_design` on validated input, memoised on the exact bytes of the problem.

    The solve is deterministic, and FTPedel's runs pose the same design problem again and again (the
    first epoch's, whose targets do not depend on the data, in every run of a cell, and the fixed
    point's repeated solves), so a solve seen before returns a copy of its Design (the same bits).
    """
    key = _problem_key(V, g, N, Loff, reg, max_iterations, rtol, C, oracle, initial)
    with _SOLVED_LOCK:  # cells may run in threads (e.g. a Dask backend)
        design = _SOLVED.get(key)
        if design is not None:
            _SOLVED.move_to_end(key)
    if design is None:
        with np.errstate(call=_raise_linalg_error, invalid="call", over="ignore", divide="ignore", under="ignore"):
            design = _frank_wolfe_loop(V, g, N, Loff, reg, max_iterations, rtol, C, oracle, initial)
        with _SOLVED_LOCK:
            if key not in _SOLVED:
                _SOLVED[key] = design
                _SOLVED_BYTES[0] += _design_bytes(design)
                while _SOLVED_BYTES[0] > _SOLVED_MAX_BYTES:
                    _SOLVED_BYTES[0] -= _design_bytes(_SOLVED.popitem(last=False)[1])
    return _copy_design(design)


#: The memo of :func:`_frank_wolfe`, least recently used first, its designs' arrays within
#: _SOLVED_MAX_BYTES (``provable-rl verify FT-E5 --budget smoke``: 2570 solves of 1689 distinct
#: problems, 1.5 MB of designs).
_SOLVED: OrderedDict = OrderedDict()
_SOLVED_BYTES = [0]
_SOLVED_LOCK = threading.Lock()
_SOLVED_MAX_BYTES = 64 * 2 ** 20


def _clear_solved():
    """Empty the memo of :func:`_frank_wolfe` (for tests and benchmarks of the solver itself)."""
    with _SOLVED_LOCK:
        _SOLVED.clear()
        _SOLVED_BYTES[0] = 0


def _design_bytes(design: Design) -> int:
    return sum(a.nbytes for a in (design.weights, design.covariances, design.policies, design.indices)
               if a is not None) + 200


def _problem_key(V, g, N, Loff, reg, max_iterations, rtol, C, oracle, initial) -> bytes:
    """A 128-bit digest of everything :func:`_frank_wolfe_loop` reads (arrays with their shapes and dtypes)."""
    digest = hashlib.blake2b(digest_size=16)

    def add(*arrays):
        for arr in arrays:
            if arr is None:
                digest.update(b"-")
                continue
            arr = np.ascontiguousarray(arr)
            digest.update(f"{arr.dtype.str}{arr.shape}".encode())
            digest.update(arr.data)

    add(V, g, Loff, np.array([N, reg, rtol, max_iterations], dtype=float), C)
    if oracle is not None:
        mdp, h = oracle
        add(mdp.features, mdp.tabular.P, mdp.initial, np.array([h, mdp.horizon]))
    if initial is not None:
        add(initial.weights, initial.covariances, initial.policies, initial.indices)
    return digest.digest()


def _copy_design(design: Design) -> Design:
    return Design(design.weights.copy(), design.covariances.copy(),
                  None if design.policies is None else design.policies.copy(),
                  None if design.indices is None else design.indices.copy(),
                  design.n_episodes, design.value, design.iterations, design.duality_gap)


def _frank_wolfe_loop(V, g, N, Loff, reg, max_iterations, rtol, C, oracle, initial):
    # The same floating-point operations in the same order as _frank_wolfe_reference (bit-identical
    # designs), with numpy's Python-level overhead cut: LAPACK through numpy.linalg's gufuncs inside
    # one errstate, g^2 and the iteration's A computed once, tensordot as its dot.
    d = V.shape[1]
    base = Loff + reg * np.eye(d)
    g2 = g ** 2
    VT = V.T
    # Atoms are only appended (a dropped atom keeps weight 0): keys, items (index or policy
    # probabilities (H, S, A)), covariances (J, d, d), weights (J,).
    keys: list = []
    items: list = []

    if initial is not None and len(initial.weights):
        for k in range(len(initial.weights)):
            if initial.indices is not None:
                keys.append(int(initial.indices[k]))
                items.append(int(initial.indices[k]))
            else:
                items.append(initial.policies[k])
                keys.append(_atom_key(initial.policies[k]))
        covs, weights = np.array(initial.covariances), np.array(initial.weights, dtype=float)
    elif C is not None:
        # Uniform weights over the atoms: every direction they span is seen from the start.
        keys, items = list(range(C.shape[0])), list(range(C.shape[0]))
        covs, weights = np.array(C), np.full(C.shape[0], 1.0 / C.shape[0])
    else:
        mdp, h = oracle
        # The uniformly random policy (atom 0), and its A parts "uniform, but action a at step h"
        # (atoms 1..A, weight 0): Lambda_uniform is their average (Lambda_h is linear in pi_h given
        # the earlier steps). Draining the whole block is best without offline data, but with it
        # the optimum drops some parts much faster than others (FT-X1 partial offline: 108 pairwise
        # steps from the block, 19 from the parts); so the first steps also try draining the worst
        # part instead, and split the block (same design) when that lowers f more.
        block = mdp.n_actions > 1  # with one action the uniform policy is its only part
        parts = np.arange(1, mdp.n_actions + 1) if block else np.arange(0)
        probs = np.repeat(_uniform_probs(mdp)[None], 1 + parts.size, axis=0)
        probs[parts, h] = 0.0
        probs[parts, h, :, parts - 1] = 1.0
        items = list(probs)
        keys = [_atom_key(p) for p in items]
        F = mdp.features.reshape(-1, mdp.dim)  # (S A, d)
        occ = _pair_occupancies(mdp, probs)[:, h].reshape(len(probs), -1, 1)
        covs = np.swapaxes(occ * F, 1, 2) @ F  # a 3-operand einsum here is slow on FT-E4's sizes
        weights = np.zeros(1 + parts.size)
        weights[0] = 1.0
    if C is not None or initial is not None:
        block = False
    index = {k: j for j, k in enumerate(keys)}
    D = _mix(weights, covs)

    best_value, best_weights, lower = math.inf, weights.copy(), 0.0
    t = 0
    for t in range(1, max_iterations + 1):
        A = N * D + base
        X = _solve(A, VT)
        q = _c_einsum("pi,ip->p", V, X) / g2
        qmax = float(_max(q))
        if qmax < best_value:
            best_value, best_weights = qmax, weights.copy()
        if qmax <= 0 or best_value <= (1.0 + rtol) * lower:
            break
        eta = _ETA_CONSTANT * (t + 1) / qmax
        w = np.exp(eta * (q - qmax))
        w /= _add.reduce(w)
        M = (X * (w / g2)) @ X.T
        if C is not None:
            scores_all = _c_einsum("jik,ik->j", C, M)
            j_new = int(scores_all.argmax())
            key, cov, item, score = j_new, C[j_new], j_new, float(scores_all[j_new])
        else:
            pol, cov, score = _best_response(oracle[0], oracle[1], M)
            key = pol.tobytes()
            item = None if key in index else _stochastic(oracle[0], pol[None])[0]
        # Weak duality: for target weights w, the linearisation of the convex sum_p w_p q_p at the
        # current design, minimised over the simplex, lower-bounds the optimum of the max.
        lower = max(lower, float(w @ q) - N * (score - float(_add.reduce(D * M, axis=None))))
        # Pairwise step: move mass from the worst active atom to the vertex (plain Frank-Wolfe
        # zig-zags when the optimum is interior).
        scores = _c_einsum("jik,ik->j", covs, M)
        away = int(np.where(weights > 0, scores, np.inf).argmin())
        gamma, value = 0.0, math.inf
        if keys[away] != key:
            gamma, value = _line_search(VT, g2, eta, A, N * (cov - covs[away]), weights[away])
        if block and weights[0] > 0 and t <= _SPLIT_ITERATIONS:
            split = weights.copy()  # the same design, the block's mass spread over its parts
            split[parts] += weights[0] / len(parts)
            split[0] = 0.0
            part_away = int(np.where(split > 0, scores, np.inf).argmin())
            if keys[part_away] != key:
                step2 = N * (cov - covs[part_away])
                gamma2, value2 = _line_search(VT, g2, eta, A, step2, split[part_away])
                if gamma2 > 0.0 and value2 < value:
                    weights, away, gamma, block = split, part_away, gamma2, False
        if gamma <= 0.0:
            continue
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
            items.append(item)
            covs = np.concatenate([covs, cov[None]])
            weights = np.append(weights, 0.0)
            best_weights = np.append(best_weights, 0.0)
        if gamma >= weights[away] * (1 - 1e-12):
            gamma = weights[away]
        weights[away] -= gamma
        weights[index[key]] += gamma
        D = _mix(weights, covs)
    q, _ = _q_values(N * D + base, V, g)
    if float(q.max()) < best_value:
        best_value, best_weights = float(q.max()), weights.copy()
    keep = np.flatnonzero(best_weights > 0)
    out_w = best_weights[keep] / best_weights[keep].sum()
    rel_gap = best_value / lower - 1.0 if lower > 0 else math.inf
    if C is not None:
        return Design(out_w, covs[keep], None, np.array([items[j] for j in keep], dtype=np.int64), N,
                      best_value, t, float(rel_gap))
    return Design(out_w, covs[keep], np.stack([items[j] for j in keep]), None, N, best_value, t, float(rel_gap))


#: eta_t = _ETA_CONSTANT * (t + 1) / max q: a slowly sharpening softmax (tuned on FT-X1; larger
#: constants stall the line search on the kinks of the max).
_ETA_CONSTANT = 0.1

#: For the DP oracle's cold start, the first iterations that also try splitting the uniformly random
#: policy into its step-h parts (on FT-E1..E4 and the benchmark the split, when taken, is taken by
#: iteration 4; trying later would cost a second line search per iteration for nothing).
_SPLIT_ITERATIONS = 4


def _atom_key(probs: np.ndarray):
    if np.all((probs == 0) | (probs == 1)):
        return np.argmax(probs, axis=-1).astype(np.int64).tobytes()
    return "uniform" if np.allclose(probs, probs.flat[0]) else probs.tobytes()


def _smooth_max(q: np.ndarray, eta: float) -> np.ndarray:
    m = q.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(eta * (q - m)).sum(axis=-1, keepdims=True)) / eta)[..., 0]


def _fixed_design_episodes(D, V, g, base, tol, start, max_episodes):
    """The least N with ``max_p q_p(N D + base) <= tol`` for a fixed design D (q decreases in N)."""
    with np.errstate(call=_raise_linalg_error, invalid="call", over="ignore", divide="ignore", under="ignore"):
        return _fixed_design_bisection(D, V, g, base, tol, start, max_episodes)


def _fixed_design_bisection(D, V, g, base, tol, start, max_episodes):
    g2, VT = g ** 2, V.T

    def ok(N):
        # max_p q_p as _q_values computes it (the same bits), without numpy's wrappers
        return float(_max(_c_einsum("pi,ip->p", V, _solve(N * D + base, VT)) / g2)) <= tol

    hi = max(start, 1e-12)
    while not ok(hi):
        hi *= 2.0
        if hi > max_episodes:
            raise ValueError(f"tolerance: not met with max_episodes={max_episodes:g} episodes; "
                             "the targets are probably outside the directions the design reaches")
    lo = hi / 2.0
    while ok(lo) and lo > 1e-12:
        hi, lo = lo, lo / 2.0
    for _ in range(60):
        mid = math.sqrt(lo * hi)
        if ok(mid):
            hi = mid
        else:
            lo = mid
        if hi / lo < 1.0 + 1e-12:
            break
    return hi


_COARSE = np.unique(np.concatenate([np.geomspace(1e-4, 1.0, 12), np.linspace(0.0, 1.0, 33)[1:-1]]))
_ZOOM = np.linspace(0.0, 1.0, 17)


def _line_search(VT, g2, eta, A0, step, upper):
    """argmin over gamma in [0, upper] of the smoothed max of q(A0 + gamma step), and that minimum.

    With ``A0 = L L^T`` and ``L^{-1} step L^{-T} = W diag(lam) W^T``,
    ``(A0 + gamma step)^{-1} = U diag(1/(1 + gamma lam)) U^T`` with ``U = L^{-T} W``, so q on a
    grid of gammas is one small matrix product: a coarse grid, then two zooms. ``VT`` is the
    targets' transpose ``V.T`` and ``g2`` the squared scales; the operations are those of
    :func:`_line_search_reference` in the same order (bit-identical), without numpy's wrappers.
    Call it inside the errstate of :func:`_frank_wolfe`.
    """
    Linv = _inv(_cholesky(A0))
    lam, W = _eigh(Linv @ step @ Linv.T)
    coef = (W.T @ (Linv @ VT)) ** 2 / g2  # (d, P)
    f0 = float(_smooth_max_fast(_sum(coef, 0)[None], eta)[0])
    grid = upper * _COARSE
    best_gamma, best_val = 0.0, f0
    last = grid.size - 1
    for _ in range(3):
        inv = _multiply.outer(grid, lam)
        _add(inv, 1.0, out=inv)
        _divide(1.0, inv, out=inv)
        vals = _smooth_max_fast(inv @ coef, eta)
        k = int(vals.argmin())
        if vals[k] < best_val:
            best_gamma, best_val = float(grid[k]), float(vals[k])
        lo, hi = grid[k - 1 if k > 0 else 0], grid[k + 1 if k < last else last]
        grid = lo + (hi - lo) * _ZOOM
        last = _ZOOM.size - 1
    return best_gamma, best_val


def _smooth_max_fast(q: np.ndarray, eta: float) -> np.ndarray:
    """:func:`_smooth_max` on a 2-d ``q`` by the same ufuncs in the same order, without the wrappers."""
    m = _maximum.reduce(q, axis=-1, keepdims=True)
    e = _subtract(q, m)
    _multiply(eta, e, out=e)
    _exp(e, out=e)
    s = _add.reduce(e, axis=-1, keepdims=True)
    _log(s, out=s)
    _divide(s, eta, out=s)
    _add(m, s, out=s)
    return s[:, 0]


def _raise_linalg_error(err, flag):
    raise np.linalg.LinAlgError("Frank-Wolfe: a design matrix is singular or not positive definite "
                                "(the regulariser must keep every A(omega) positive definite)")


def _mix(weights, covs):
    """``np.tensordot(weights, covs, 1)`` as the single dot it does (same bits)."""
    J, d = covs.shape[0], covs.shape[1]
    return _dot(weights.reshape(1, J), covs.reshape(J, d * d)).reshape(d, d)


def _max(x):
    return _maximum.reduce(x)


def _sum(x, axis):
    return _add.reduce(x, axis=axis)


# numpy.linalg's own gufuncs (the LAPACK calls np.linalg.solve/cholesky/inv/eigh make, so the same
# bits), called without the wrappers' per-call type checks and errstate: _frank_wolfe sets numpy.linalg's
# errstate once around its loop.
_solve = functools.partial(_umath_linalg.solve, signature="dd->d")
_cholesky = functools.partial(_umath_linalg.cholesky_lo, signature="d->d")
_inv = functools.partial(_umath_linalg.inv, signature="d->d")


def _eigh(a):
    return _umath_linalg.eigh_lo(a, signature="d->dd")


_dot, _add, _subtract, _multiply, _divide = np.dot, np.add, np.subtract, np.multiply, np.divide
_maximum, _exp, _log = np.maximum, np.exp, np.log


def _frank_wolfe_reference(V, g, N, Loff, reg, max_iterations, rtol, C, oracle, initial):
    """The solver before its overhead was cut (kept to test and benchmark the fast path against)."""
    d = V.shape[1]
    base = Loff + reg * np.eye(d)
    # Atoms are only appended (a dropped atom keeps weight 0): keys, items (index or policy
    # probabilities (H, S, A)), covariances (J, d, d), weights (J,).
    keys: list = []
    items: list = []

    if initial is not None and len(initial.weights):
        for k in range(len(initial.weights)):
            if initial.indices is not None:
                keys.append(int(initial.indices[k]))
                items.append(int(initial.indices[k]))
            else:
                items.append(initial.policies[k])
                keys.append(_atom_key(initial.policies[k]))
        covs, weights = np.array(initial.covariances), np.array(initial.weights, dtype=float)
    elif C is not None:
        # Uniform weights over the atoms: every direction they span is seen from the start.
        keys, items = list(range(C.shape[0])), list(range(C.shape[0]))
        covs, weights = np.array(C), np.full(C.shape[0], 1.0 / C.shape[0])
    else:
        mdp, h = oracle
        # The uniformly random policy (atom 0), and its A parts "uniform, but action a at step h"
        # (atoms 1..A, weight 0): Lambda_uniform is their average (Lambda_h is linear in pi_h given
        # the earlier steps). Draining the whole block is best without offline data, but with it
        # the optimum drops some parts much faster than others (FT-X1 partial offline: 108 pairwise
        # steps from the block, 19 from the parts); so the first steps also try draining the worst
        # part instead, and split the block (same design) when that lowers f more.
        block = mdp.n_actions > 1  # with one action the uniform policy is its only part
        parts = np.arange(1, mdp.n_actions + 1) if block else np.arange(0)
        probs = np.repeat(_uniform_probs(mdp)[None], 1 + parts.size, axis=0)
        probs[parts, h] = 0.0
        probs[parts, h, :, parts - 1] = 1.0
        items = list(probs)
        keys = [_atom_key(p) for p in items]
        F = mdp.features.reshape(-1, mdp.dim)  # (S A, d)
        occ = _pair_occupancies(mdp, probs)[:, h].reshape(len(probs), -1, 1)
        covs = np.swapaxes(occ * F, 1, 2) @ F  # a 3-operand einsum here is slow on FT-E4's sizes
        weights = np.zeros(1 + parts.size)
        weights[0] = 1.0
    if C is not None or initial is not None:
        block = False
    index = {k: j for j, k in enumerate(keys)}
    D = np.tensordot(weights, covs, 1)

    best_value, best_weights, lower = math.inf, weights.copy(), 0.0
    t = 0
    for t in range(1, max_iterations + 1):
        q, X = _q_values(N * D + base, V, g)
        qmax = float(q.max())
        if qmax < best_value:
            best_value, best_weights = qmax, weights.copy()
        if qmax <= 0 or best_value <= (1.0 + rtol) * lower:
            break
        eta = _ETA_CONSTANT * (t + 1) / qmax
        w = np.exp(eta * (q - qmax))
        w /= w.sum()
        M = (X * (w / g ** 2)) @ X.T
        if C is not None:
            scores_all = np.einsum("jik,ik->j", C, M)
            j_new = int(np.argmax(scores_all))
            key, cov, item, score = j_new, C[j_new], j_new, float(scores_all[j_new])
        else:
            pol, cov, score = _best_response_reference(oracle[0], oracle[1], M)
            key = pol.tobytes()
            item = None if key in index else _stochastic(oracle[0], pol[None])[0]
        # Weak duality: for target weights w, the linearisation of the convex sum_p w_p q_p at the
        # current design, minimised over the simplex, lower-bounds the optimum of the max.
        lower = max(lower, float(w @ q) - N * (score - float(np.sum(D * M))))
        # Pairwise step: move mass from the worst active atom to the vertex (plain Frank-Wolfe
        # zig-zags when the optimum is interior).
        scores = np.einsum("jik,ik->j", covs, M)
        away = int(np.argmin(np.where(weights > 0, scores, np.inf)))
        gamma, value = 0.0, math.inf
        if keys[away] != key:
            gamma, value = _line_search_reference(V, g, eta, N * D + base, N * (cov - covs[away]), weights[away])
        if block and weights[0] > 0 and t <= _SPLIT_ITERATIONS:
            split = weights.copy()  # the same design, the block's mass spread over its parts
            split[parts] += weights[0] / len(parts)
            split[0] = 0.0
            part_away = int(np.argmin(np.where(split > 0, scores, np.inf)))
            if keys[part_away] != key:
                step2 = N * (cov - covs[part_away])
                gamma2, value2 = _line_search_reference(V, g, eta, N * D + base, step2, split[part_away])
                if gamma2 > 0.0 and value2 < value:
                    weights, away, gamma, block = split, part_away, gamma2, False
        if gamma <= 0.0:
            continue
        if key not in index:
            index[key] = len(keys)
            keys.append(key)
            items.append(item)
            covs = np.concatenate([covs, cov[None]])
            weights = np.append(weights, 0.0)
            best_weights = np.append(best_weights, 0.0)
        if gamma >= weights[away] * (1 - 1e-12):
            gamma = weights[away]
        weights[away] -= gamma
        weights[index[key]] += gamma
        D = np.tensordot(weights, covs, 1)
    q, _ = _q_values(N * D + base, V, g)
    if float(q.max()) < best_value:
        best_value, best_weights = float(q.max()), weights.copy()
    keep = np.flatnonzero(best_weights > 0)
    out_w = best_weights[keep] / best_weights[keep].sum()
    rel_gap = best_value / lower - 1.0 if lower > 0 else math.inf
    if C is not None:
        return Design(out_w, covs[keep], None, np.array([items[j] for j in keep], dtype=np.int64), N,
                      best_value, t, float(rel_gap))
    return Design(out_w, covs[keep], np.stack([items[j] for j in keep]), None, N, best_value, t, float(rel_gap))


def _line_search_reference(V, g, eta, A0, step, upper):
    """The line search of :func:`_frank_wolfe_reference` (see :func:`_line_search`)."""
    Linv = np.linalg.inv(np.linalg.cholesky(A0))
    lam, W = np.linalg.eigh(Linv @ step @ Linv.T)
    coef = (W.T @ (Linv @ V.T)) ** 2 / g ** 2  # (d, P)
    f0 = float(_smooth_max(coef.sum(axis=0)[None], eta)[0])
    grid = upper * _COARSE
    best_gamma, best_val = 0.0, f0
    for _ in range(3):
        vals = _smooth_max((1.0 / (1.0 + grid[:, None] * lam[None, :])) @ coef, eta)
        k = int(np.argmin(vals))
        if vals[k] < best_val:
            best_gamma, best_val = float(grid[k]), float(vals[k])
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
        grid = lo + (hi - lo) * _ZOOM
    return best_gamma, best_val


def cvxpy_design(targets, scales, n_episodes, covariances, *, offline_covariance=None,
                 regularizer: float = 1e-8, solver: str = "CLARABEL", **solver_options) -> Design:
    r"""The same convex design problem as :func:`frank_wolfe_design`, solved by cvxpy (the cross-check).

    The SDP (:ref:`ftpedel-design`):

    .. math::

       \min_{t, \omega} t \quad \text{s.t.} \quad
       v_p^\top \Big(N \sum_j \omega_j \Lambda_j + \Lambda_{\mathrm{off}} + \lambda I\Big)^{-1} v_p
       \le t\, g_p^2 \ \ \forall p, \qquad \omega \in \text{simplex},

    with cvxpy's ``matrix_frac``. It needs explicit atoms ``covariances``; for a policy space, pass
    every deterministic policy's covariance (:func:`policy_class`). Solver round-off below 1e-6 is
    cleaned (negatives set to 0, renormalised) and ``value`` is recomputed in numpy at those
    weights.

    Parameters
    ----------
    targets : array_like
        The vectors :math:`v_p`, shape ``(P, d)``.
    scales : array_like
        The positive gap scales :math:`g_p`, shape ``(P,)``.
    n_episodes : float > 0
        The number of episodes N.
    covariances : array_like
        The exploration atoms :math:`\Lambda_j`, shape ``(J, d, d)``.
    offline_covariance : array_like, optional
        :math:`\Lambda_{\mathrm{off}}`, shape ``(d, d)`` (unnormalised, PSD); None means 0.
    regularizer : float > 0, default 1e-8
        The ridge :math:`\lambda`.
    solver : str, default "CLARABEL"
        An installed cvxpy solver.
    **solver_options
        Passed to ``problem.solve``.

    Returns
    -------
    Design
        The optimal weights over all the given atoms (``iterations`` and ``duality_gap`` are 0).

    Raises
    ------
    ValueError
        When the solver is not installed, fails, does not reach an optimal status, or returns
        weights more than 1e-6 off the simplex.
    """
    import cvxpy as cp

    V, g = _check_targets(targets, scales)
    d = V.shape[1]
    N = v.positive_float("n_episodes", n_episodes)
    reg = v.positive_float("regularizer", regularizer)
    C = _check_atoms(covariances, d)
    Loff = np.zeros((d, d)) if offline_covariance is None else _check_psd("offline_covariance", offline_covariance, d)
    if not isinstance(solver, str) or solver.upper() not in cp.installed_solvers():
        raise ValueError(f"solver: expected an installed cvxpy solver {cp.installed_solvers()}, got {solver!r}")
    omega = cp.Variable(C.shape[0], nonneg=True)
    t = cp.Variable()
    # The design covariance as one affine map of omega: a Python sum of J scaled matrices is J
    # subexpressions for cvxpy to compile (minutes at the 4096 atoms of a three-step class).
    J = C.shape[0]
    A = N * cp.reshape(C.reshape(J, d * d).T @ omega, (d, d), order="C") + Loff + reg * np.eye(d)
    A = (A + A.T) / 2
    cons = [cp.sum(omega) == 1] + [cp.matrix_frac(V[p], A) <= t * g[p] ** 2 for p in range(V.shape[0])]
    problem = cp.Problem(cp.Minimize(t), cons)
    try:
        problem.solve(solver=solver, **solver_options)
    except cp.error.SolverError as err:
        raise ValueError(f"solver: cvxpy's {solver} failed ({err})") from None
    if problem.status != "optimal" or omega.value is None:
        raise ValueError(f"solver: cvxpy's {solver} did not reach optimality (status {problem.status})")
    raw = np.asarray(omega.value, dtype=float)
    # Only the solver's round-off is cleaned up; anything larger is an error, not clipped away.
    if raw.min() < -1e-6 or abs(raw.sum() - 1.0) > 1e-6:
        raise ValueError(f"solver: cvxpy returned weights off the simplex (min {raw.min():.3g}, sum {raw.sum():.6g})")
    w = np.maximum(raw, 0.0)
    w /= w.sum()
    value = float(_q_values(N * np.tensordot(w, C, 1) + Loff + reg * np.eye(d), V, g)[0].max())
    return Design(w, C, None, np.arange(C.shape[0]), N, value, 0, 0.0)


@dataclass(frozen=True, eq=False)
class MinimumEpisodes:
    r"""The smallest N whose design meets the tolerance (the output of :func:`minimum_episodes`).

    :math:`N^\star = \min\{N \ge 0 : \min_\omega \max_p q_p(\omega; N) \le \mathrm{tol}\}`
    (:ref:`ftpedel-minimum-episodes`).

    Parameters
    ----------
    n_episodes : float
        The smallest feasible N found (0 when the offline data alone meet the tolerance).
    design : Design or None
        The design at that N (None when N = 0).
    lower : float
        Below this no design meets the tolerance: from the Frank-Wolfe certificate without offline
        covariance (exact up to the regulariser); with offline covariance 0 (unknown) for the fixed
        point, and the largest N the solver found infeasible for the bisection.
    solves : int
        Number of design solves.
    """

    n_episodes: float
    design: Design | None
    lower: float
    solves: int


def minimum_episodes(targets, scales, tolerance: float, *, covariances=None, mdp: LinearMDP | None = None,
                     step: int | None = None, offline_covariance=None, regularizer: float = 1e-8,
                     design: str = "optimal", rtol: float = 0.005, design_rtol: float = 0.005,
                     max_iterations: int = 200, max_episodes: float = 1e15,
                     method: str = "fixed_point") -> MinimumEpisodes:
    r"""The least number of episodes :math:`\min\{N \ge 0 : \min_\omega \max_p q_p(\omega; N) \le \mathrm{tol}\}`.

    A search over N (:ref:`ftpedel-minimum-episodes`), with
    :math:`q_p(\omega; N) = v_p^\top (N \Lambda(\omega) + \Lambda_{\mathrm{off}} + \lambda I)^{-1} v_p / g_p^2`.
    The design value decreases in N. Return 0 when the offline covariance alone meets the
    tolerance. Without offline covariance ``q`` scales as 1/N (up to the regulariser): one solve at
    N = 1 gives N0 = value / tolerance, the design is re-solved at N0 and N is made exact for it by
    geometric bisection on the scalar N. With offline covariance, ``method`` chooses:

    - ``"fixed_point"`` (default): alternate "least N for the current design" (geometric bisection
      on the scalar N, exact for that design) and "re-solve the design at that N" (warm-started
      Frank-Wolfe). The N's decrease and stop, within ``rtol``, where the design is optimal for its
      own N. Typically 2-4 design solves.
    - ``"bisection"``: geometric bisection on N with a full (warm-started) design solve per trial:
      the bracket starts at the online-only answer (feasible, offline data only help), halves until
      infeasible, then bisects ``log N`` until ``hi / lo <= 1 + rtol``. About 10-15 solves; kept as
      the plain reference the fixed point is tested against.

    The answer is an upper bound: it is feasible for the design found, and the true optimum can
    only be smaller (by the design's suboptimality, bounded by ``design_rtol`` when Frank-Wolfe's
    certificate is reached). ``design_rtol`` and ``max_iterations`` go to each Frank-Wolfe solve.

    ``design="uniform"`` fixes the design to the uniformly random policy (``mdp`` needed) or to
    equal weights on the given ``covariances``, and only N is searched (an ablation).

    Parameters
    ----------
    targets : array_like
        The vectors :math:`v_p`, shape ``(P, d)``.
    scales : array_like
        Positive gap scales :math:`g_p`, shape ``(P,)``.
    tolerance : float > 0
        The right-hand side, e.g. :math:`\epsilon_\ell^2 / \beta_\ell` or :math:`1 / \beta`.
    covariances : array_like, optional
        Explicit exploration atoms, shape ``(J, d, d)``; give exactly one of ``covariances`` and
        ``mdp`` (with ``step``).
    mdp : LinearMDP, optional
        Design over all policies of ``mdp`` at ``step`` (the DP oracle).
    step : int, optional
        The step h of the DP oracle, in ``[0, H)``.
    offline_covariance : array_like, optional
        :math:`\Lambda_{\mathrm{off}}`, shape ``(d, d)`` (unnormalised, PSD); None means 0.
    regularizer : float > 0, default 1e-8
        The ridge :math:`\lambda` of the design's covariance.
    design : {"optimal", "uniform"}, default "optimal"
        "uniform" fixes the design (an ablation); see above.
    rtol : float in (0, 1), default 0.005
        Relative precision of the search over N.
    design_rtol : float in (0, 1), default 0.005
        ``rtol`` of each Frank-Wolfe solve.
    max_iterations : int, default 200
        ``max_iterations`` of each Frank-Wolfe solve.
    max_episodes : float > 0, default 1e15
        Raise ``ValueError`` rather than search beyond this N.
    method : {"fixed_point", "bisection"}, default "fixed_point"
        The search used with offline data; see above.

    Returns
    -------
    MinimumEpisodes
        The least N found, its design, a lower limit and the number of solves.

    Examples
    --------
    >>> import numpy as np
    >>> covs = np.stack([np.diag(e) for e in np.eye(3)])        # three arms, tabular features
    >>> V = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])      # differences to arm 0
    >>> res = minimum_episodes(V, np.ones(2), 0.1, covariances=covs)
    >>> bool(abs(res.n_episodes - 10 * (np.sqrt(2) + 1) ** 2) < 0.02 * res.n_episodes)
    True
    >>> minimum_episodes(V, np.ones(2), 0.1, covariances=covs, offline_covariance=1e3 * np.eye(3)).n_episodes
    0.0
    """
    V, g = _check_targets(targets, scales)
    tol = v.positive_float("tolerance", tolerance)
    x = v.real_number("max_episodes", max_episodes, "a positive number (or inf)")
    if not x > 0:  # (NaN fails too)
        raise ValueError(f"max_episodes: expected a positive number (or inf), got {max_episodes!r}")
    if design not in DESIGNS:
        raise ValueError(f"design: expected one of {DESIGNS}, got {design!r}")
    if method not in ("fixed_point", "bisection"):
        raise ValueError(f"method: expected 'fixed_point' or 'bisection', got {method!r}")
    d = V.shape[1]
    Loff = np.zeros((d, d)) if offline_covariance is None else _check_psd("offline_covariance", offline_covariance, d)
    reg = v.positive_float("regularizer", regularizer)
    rtol = v.probability("rtol", rtol)
    design_rtol = v.probability("design_rtol", design_rtol)
    max_iterations = v.positive_int("max_iterations", max_iterations)
    if (covariances is None) == (mdp is None):
        raise ValueError("covariances, mdp: expected exactly one of explicit covariances or an mdp with a step")
    if mdp is not None:
        mdp = _check_mdp(mdp)
        step = _check_step(mdp, step)
        C = None
    else:
        C = v.float_array("covariances", covariances, ndim=3, shape=(None, d, d))
    return _minimum_episodes(V, g, tol, C, mdp, step, Loff, reg, design, rtol, design_rtol, max_iterations, x,
                             method)


def _minimum_episodes(V, g, tol, covariances, mdp, step, Loff, reg, design, rtol, design_rtol, max_iterations,
                      max_episodes, method):
    """:func:`minimum_episodes` on validated input. ``mdp`` is a LinearMDP or a :class:`_PlanningModel`
    (anything with ``features``, ``tabular.P``, ``initial``, ``horizon``, ``n_states``, ``n_actions`` and
    ``dim``), used only through the DP oracle and the uniform policy's covariance."""
    d = V.shape[1]
    if float(_q_values(Loff + reg * np.eye(d), V, g)[0].max()) <= tol:
        return MinimumEpisodes(0.0, None, 0.0, 0)
    if design == "uniform":
        if mdp is not None:
            probs = _uniform_probs(mdp)
            occ = _pair_occupancies(mdp, probs[None])[0, step]
            cov = np.einsum("sa,sai,saj->ij", occ, mdp.features, mdp.features)
            fixed = Design(np.ones(1), cov[None], probs[None], None, 1.0, math.nan, 0, 0.0)
        else:
            C = covariances
            fixed = Design(np.full(C.shape[0], 1.0 / C.shape[0]), C, None, np.arange(C.shape[0]), 1.0, math.nan, 0, 0.0)

        def solve(N, warm, offline=True):
            val = float(_q_values(N * fixed.covariance + (Loff if offline else 0.0) + reg * np.eye(d), V, g)[0].max())
            return Design(fixed.weights, fixed.covariances, fixed.policies, fixed.indices, N, val, 0, 0.0)
    else:
        def solve(N, warm, offline=True):
            return _frank_wolfe(V, g, N, Loff if offline else np.zeros((d, d)), reg, max_iterations, design_rtol,
                                covariances, (mdp, step) if mdp is not None else None, warm)
    # The online-only design sees every target direction, so it is a feasible start for any N.
    first = solve(1.0, None, offline=False)
    solves = 1
    if not np.any(Loff):
        # Online only: q(omega; N) = q(omega; 1) / N up to the regulariser, so the solve at N = 1
        # gives N0 = value / tol; re-solve there (the regulariser's weight changes with N) and set N
        # exactly for that design by bisection on the scalar N.
        des = solve(max(first.value / tol, 1e-12), first)
        solves += 1
        N = _fixed_design_episodes(des.covariance, V, g, Loff + reg * np.eye(d), tol, des.n_episodes, max_episodes)
        value = float(_q_values(N * des.covariance + reg * np.eye(d), V, g)[0].max())
        out = Design(des.weights, des.covariances, des.policies, des.indices, N, value,
                     des.iterations, des.duality_gap)
        # The certificate: OPT(N) >= value / (1 + gap), and q ~ 1/N, so no N below this is feasible
        # (exact up to the regulariser).
        lower = N / (1.0 + des.duality_gap) if math.isfinite(des.duality_gap) else 0.0
        return MinimumEpisodes(N, out, lower, solves)
    if method == "bisection":
        return _bisect_episodes(solve, first, tol, rtol, max_episodes, solves)
    # With offline data: a fixed-point iteration on N. For the current design the least feasible N
    # is a scalar search; re-solving the design at that N (warm start) can only lower it, so the
    # sequence decreases, and it stops where the design is optimal for its own N -- the minimum.
    cur, N = first, None
    lower = 0.0
    for _ in range(30):
        N_new = _fixed_design_episodes(cur.covariance, V, g, Loff + reg * np.eye(d), tol,
                                       max(first.value / tol, 1e-12) if N is None else N, max_episodes)
        if N is not None and N_new >= N * (1.0 - rtol):
            N = min(N, N_new)
            break
        N = N_new
        cur = solve(N, cur)
        solves += 1
    value = float(_q_values(N * cur.covariance + Loff + reg * np.eye(d), V, g)[0].max())
    if value > tol:
        # The last re-solve can only be better at N, so this is rounding: take the design's own N.
        N = _fixed_design_episodes(cur.covariance, V, g, Loff + reg * np.eye(d), tol, N, max_episodes)
        value = float(_q_values(N * cur.covariance + Loff + reg * np.eye(d), V, g)[0].max())
    out = Design(cur.weights, cur.covariances, cur.policies, cur.indices, N, value, cur.iterations,
                 cur.duality_gap)
    return MinimumEpisodes(N, out, lower, solves)


def _bisect_episodes(solve, first, tol, rtol, max_episodes, solves):
    """Geometric bisection on N, one warm-started design solve per trial (see :func:`minimum_episodes`)."""
    hi = max(first.value / tol, 1e-12)
    cur = solve(hi, first)
    solves += 1
    while cur.value > tol:
        hi *= 2.0
        if hi > max_episodes:
            raise ValueError(f"tolerance: not met with max_episodes={max_episodes:g} episodes")
        cur = solve(hi, cur)
        solves += 1
    lo = hi / 2.0
    trial = solve(lo, cur)
    solves += 1
    while trial.value <= tol and lo > 1e-12:
        hi, cur = lo, trial
        lo /= 2.0
        trial = solve(lo, cur)
        solves += 1
    while hi / lo > 1.0 + rtol:
        mid = math.sqrt(lo * hi)
        trial = solve(mid, cur)
        solves += 1
        if trial.value <= tol:
            hi, cur = mid, trial
        else:
            lo = mid
    return MinimumEpisodes(hi, cur, lo, solves)
