r"""Policy classes of :mod:`provable_rl.ftpedel`: exact visitations, covariances and gaps.

An explicit finite class :math:`\Pi` of deterministic policies, its exact feature visitations
:math:`\phi_{\pi,h}`, covariances :math:`\Lambda_{\pi,h}`, values and gaps from the true model
(:ref:`ftpedel-linear-mdp`), and the design's linear-minimisation oracle, one backward induction
over all policies (:func:`best_response_policy`, :ref:`ftpedel-design`).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP

from ._checks import _check_mdp, _check_policies, _check_step


def all_deterministic_policies(mdp: LinearMDP, *, max_policies: int = 4096) -> np.ndarray:
    """Every deterministic policy ``pi[h, s]`` of ``mdp``: :math:`A^{SH}` of them.

    Parameters
    ----------
    mdp : LinearMDP
        The problem (H steps, S states, A actions).
    max_policies : int, default 4096
        Refuse to enumerate more policies than this.

    Returns
    -------
    numpy.ndarray
        Int array ``(A^(S H), H, S)``; ``policies[n, h, s]`` is the action of policy n at step h
        in state s.

    Raises
    ------
    ValueError
        When :math:`A^{SH}` exceeds ``max_policies`` (use :func:`sampled_policies`).

    Examples
    --------
    >>> from mdps.instances.random import random_linear_mdp
    >>> mdp = random_linear_mdp(n_states=2, n_actions=2, dim=3, horizon=2, rng=0)
    >>> all_deterministic_policies(mdp).shape
    (16, 2, 2)
    """
    mdp = _check_mdp(mdp)
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    max_policies = v.positive_int("max_policies", max_policies)
    if A ** (S * H) > max_policies:
        raise ValueError(f"mdp: A^(S H) = {A}^{S * H} deterministic policies exceed max_policies={max_policies}")
    grid = np.array(list(itertools.product(range(A), repeat=S * H)), dtype=np.int64)
    return grid.reshape(-1, H, S)


def sampled_policies(mdp: LinearMDP, n_policies: int, rng=None, *, include_optimal: bool = True) -> np.ndarray:
    r"""``n_policies`` distinct deterministic policies drawn uniformly at random (:math:`\pi^*` first if asked).

    Parameters
    ----------
    mdp : LinearMDP
        The problem; its exact optimal policy comes from ``mdp.tabular``.
    n_policies : int >= 1
        How many distinct policies; at most :math:`A^{SH}`.
    rng : numpy.random.Generator, int or None
        Randomness of the draws.
    include_optimal : bool, default True
        Put the MDP's optimal deterministic policy first.

    Returns
    -------
    numpy.ndarray
        Int array ``(n_policies, H, S)``.

    Raises
    ------
    ValueError
        When fewer than ``n_policies`` distinct policies exist.
    """
    mdp = _check_mdp(mdp)
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    n = v.positive_int("n_policies", n_policies)
    if n > A ** (S * H):
        raise ValueError(f"n_policies: expected at most A^(S H) = {A ** (S * H)}, got {n}")
    if not isinstance(include_optimal, (bool, np.bool_)):
        raise ValueError(f"include_optimal: expected True or False, got {include_optimal!r}")
    gen = v.as_rng(rng)
    chosen = [np.asarray(mdp.tabular.optimal_policy, dtype=np.int64)] if include_optimal else []
    seen = {c.tobytes() for c in chosen}
    while len(chosen) < n:
        pol = gen.integers(0, A, size=(H, S)).astype(np.int64)
        if pol.tobytes() not in seen:
            seen.add(pol.tobytes())
            chosen.append(pol)
    return np.stack(chosen)


def _stochastic(mdp: LinearMDP, policies: np.ndarray) -> np.ndarray:
    """Deterministic policies (n, H, S) as one-hot probabilities (n, H, S, A)."""
    out = np.zeros(policies.shape + (mdp.n_actions,))
    np.put_along_axis(out, policies[..., None], 1.0, axis=-1)
    return out


def _pair_occupancies(mdp: LinearMDP, probs: np.ndarray) -> np.ndarray:
    """Step-h pair occupancies d_h^pi(s, a) of stochastic policies (n, H, S, A) -> (n, H, S, A)."""
    P = mdp.tabular.P
    n, H = probs.shape[:2]
    occ = np.empty(probs.shape)
    state = np.broadcast_to(mdp.initial, (n, mdp.n_states))
    for h in range(H):
        occ[:, h] = state[:, :, None] * probs[:, h]
        state = np.einsum("nsa,sat->nt", occ[:, h], P[h])
    return occ


@dataclass(frozen=True, eq=False)
class PolicyClass:
    r"""Exact statistics of an explicit finite policy class :math:`\Pi` (built by :func:`policy_class`).

    See :ref:`ftpedel-linear-mdp` for the definitions.

    Parameters
    ----------
    policies : numpy.ndarray
        Int array ``(n, H, S)``, the deterministic policies.
    occupancies : numpy.ndarray
        Array ``(n, H, S, A)``: the pair occupancies :math:`d_h^\pi(s, a)`.
    visitations : numpy.ndarray
        Array ``(n, H, d)``: :math:`\phi_{\pi,h} = E_\pi[\phi(s_h, a_h)]`.
    covariances : numpy.ndarray
        Array ``(n, H, d, d)``: :math:`\Lambda_{\pi,h} = E_\pi[\phi \phi^\top]`.
    values : numpy.ndarray
        Array ``(n,)``: :math:`V^\pi = \sum_h \langle \phi_{\pi,h}, \theta_h \rangle`.
    gaps : numpy.ndarray
        Array ``(n,)``: :math:`\Delta(\pi) = \max_{\pi' \in \Pi} V^{\pi'} - V^\pi` (optimality is
        relative to the class).
    best : int
        Index of a best policy of the class (the first maximiser).
    """

    policies: np.ndarray
    occupancies: np.ndarray
    visitations: np.ndarray
    covariances: np.ndarray
    values: np.ndarray
    gaps: np.ndarray
    best: int

    def __len__(self) -> int:
        return self.policies.shape[0]

    @property
    def min_gap(self) -> float:
        r""":math:`\Delta_{\min}`, the smallest nonzero gap (inf when every policy is optimal)."""
        pos = self.gaps[self.gaps > 1e-12]
        return float(pos.min()) if pos.size else math.inf


def policy_class(mdp: LinearMDP, policies) -> PolicyClass:
    r"""Exact visitations, covariances, values and gaps of the deterministic ``policies``.

    A forward recursion with the true model,
    :math:`d_{h+1}(s') = \sum_s d_h(s) P_h(s' \mid s, \pi_h(s))`, then
    :math:`\phi_{\pi,h} = \sum_{s,a} d_h^\pi(s, a) \phi(s, a)` and
    :math:`\Lambda_{\pi,h} = \sum_{s,a} d_h^\pi(s, a) \phi(s, a) \phi(s, a)^\top`.

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policies : array_like
        Int array ``(n, H, S)`` (or one policy ``(H, S)``).

    Returns
    -------
    PolicyClass
        The exact statistics, read-only.

    Examples
    --------
    >>> from mdps.instances.random import random_linear_mdp
    >>> mdp = random_linear_mdp(n_states=2, n_actions=2, dim=3, horizon=2, rng=0)
    >>> pc = policy_class(mdp, all_deterministic_policies(mdp))
    >>> len(pc), pc.visitations.shape, float(pc.gaps.min())
    (16, (16, 2, 3), 0.0)
    """
    mdp = _check_mdp(mdp)
    pol = _check_policies(mdp, policies)
    occ = _pair_occupancies(mdp, _stochastic(mdp, pol))
    phi = mdp.features
    visit = np.einsum("nhsa,sai->nhi", occ, phi)
    cov = np.einsum("nhsa,sai,saj->nhij", occ, phi, phi)
    values = np.einsum("nhi,hi->n", visit, mdp.theta)
    best = int(np.argmax(values))
    gaps = np.maximum(values[best] - values, 0.0)
    for arr in (pol, occ, visit, cov, values, gaps):
        arr.setflags(write=False)
    return PolicyClass(pol, occ, visit, cov, values, gaps, best)


def policy_covariance(mdp: LinearMDP, policy, step: int) -> np.ndarray:
    r"""The covariance :math:`\Lambda_{\pi,h} = E_\pi[\phi(s_h, a_h) \phi(s_h, a_h)^\top]` of one policy.

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policy : array_like
        Deterministic (int array ``(H, S)``) or stochastic (action probabilities ``(H, S, A)``).
    step : int
        The step h, in ``[0, H)``.

    Returns
    -------
    numpy.ndarray
        Array ``(d, d)``.
    """
    mdp = _check_mdp(mdp)
    h = _check_step(mdp, step)
    arr = v.real_array("policy", policy)  # (bool, string, complex and ragged policies are refused)
    if arr.dtype.kind in "iu":
        pol = v.int_array("policy", arr, ndim=2, high=mdp.n_actions)
        if pol.shape != (mdp.horizon, mdp.n_states):
            raise ValueError(f"policy: expected an int array of shape {(mdp.horizon, mdp.n_states)}, got {pol.shape}")
        probs = _stochastic(mdp, pol[None])
    else:
        probs = v.float_array("policy", arr, ndim=3, shape=(mdp.horizon, mdp.n_states, mdp.n_actions))[None]
        v.check_simplex("policy", probs)
    occ = _pair_occupancies(mdp, probs)[0, h]
    return np.einsum("sa,sai,saj->ij", occ, mdp.features, mdp.features)


def uniform_policy(mdp: LinearMDP) -> np.ndarray:
    r"""The uniformly random policy, :math:`\pi_h(a \mid s) = 1 / A`.

    Parameters
    ----------
    mdp : LinearMDP
        The problem.

    Returns
    -------
    numpy.ndarray
        Action probabilities ``(H, S, A)``.
    """
    mdp = _check_mdp(mdp)
    return np.full((mdp.horizon, mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)


def _uniform_probs(mdp) -> np.ndarray:
    return np.full((mdp.horizon, mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)


def best_response_policy(mdp: LinearMDP, step: int, matrix) -> tuple:
    r"""The linear-minimisation oracle: :math:`\arg\max_\pi E_\pi[\phi(s_h, a_h)^\top M \phi(s_h, a_h)]`.

    One backward induction with reward :math:`g(s, a) = \phi(s, a)^\top M \phi(s, a)` at step
    ``h`` only (actions after step h do not matter and are set to 0). Because
    :math:`\operatorname{tr}(\Lambda_{\pi,h} M)` is linear in the occupancy, a deterministic policy
    attains the maximum over all policies (:ref:`ftpedel-design`).

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    step : int
        The step h, in ``[0, H)``.
    matrix : array_like
        The matrix M, shape ``(d, d)`` (the Frank-Wolfe gradient direction).

    Returns
    -------
    policy : numpy.ndarray
        Int array ``(H, S)``, a maximiser.
    covariance : numpy.ndarray
        Its :math:`\Lambda_{\pi,h}`, shape ``(d, d)``.
    value : float
        :math:`\operatorname{tr}(\Lambda_{\pi,h} M)`.
    """
    mdp = _check_mdp(mdp)
    h = _check_step(mdp, step)
    M = v.float_array("matrix", matrix, ndim=2, shape=(mdp.dim, mdp.dim))
    return _best_response(mdp, h, M)


def _best_response(mdp: LinearMDP, h: int, M: np.ndarray) -> tuple:
    """:func:`best_response_policy` on validated input: the operations of :func:`_best_response_reference`
    in the same order (the same bits), without numpy's Python wrappers."""
    phi, P = mdp.features, mdp.tabular.P
    g = _c_einsum("sai,ij,saj->sa", phi, M, phi)
    policy = np.zeros((mdp.horizon, mdp.n_states), dtype=np.int64)
    policy[h] = g.argmax(axis=1)
    V = _maximum.reduce(g, axis=1)
    for k in range(h - 1, -1, -1):
        Q = P[k] @ V
        policy[k] = Q.argmax(axis=1)
        V = _maximum.reduce(Q, axis=1)
    states = np.arange(mdp.n_states)
    dist = mdp.initial
    for k in range(h):
        dist = dist @ P[k, states, policy[k]]
    feats = phi[states, policy[h]]  # (S, d)
    cov = (feats * dist[:, None]).T @ feats
    return policy, cov, float(mdp.initial @ V)


try:  # numpy >= 2: np.einsum's C implementation, without its Python dispatch
    from numpy._core.multiarray import c_einsum as _c_einsum
except ImportError:  # numpy 1.x, which pyproject.toml allows
    from numpy.core.multiarray import c_einsum as _c_einsum
_maximum = np.maximum


def _best_response_reference(mdp: LinearMDP, h: int, M: np.ndarray) -> tuple:
    """:func:`_best_response` before its overhead was cut (the reference of the tests and benchmark)."""
    phi, P = mdp.features, mdp.tabular.P
    g = np.einsum("sai,ij,saj->sa", phi, M, phi)
    policy = np.zeros((mdp.horizon, mdp.n_states), dtype=np.int64)
    policy[h] = np.argmax(g, axis=1)
    V = g.max(axis=1)
    for k in range(h - 1, -1, -1):
        Q = P[k] @ V
        policy[k] = np.argmax(Q, axis=1)
        V = Q.max(axis=1)
    states = np.arange(mdp.n_states)
    dist = mdp.initial
    for k in range(h):
        dist = dist @ P[k, states, policy[k]]
    feats = phi[states, policy[h]]  # (S, d)
    cov = (feats * dist[:, None]).T @ feats
    return policy, cov, float(mdp.initial @ V)
