r"""PEDEL and FTPedel: policy elimination with experiment design in linear MDPs, with offline data.

The theory (setting, pseudo-code, theorems, instances, departures) is on the page
:ref:`theory-ftpedel`.

References
----------
- A. Wagenmaker, K. Jamieson (2022), "Instance-Dependent Near-Optimal Policy Identification in
  Linear MDPs via Online Experiment Design", NeurIPS 2022 (arXiv 2207.02575): **PEDEL**.
- A. Wagenmaker, A. Pacchiano (2023), "Leveraging Offline Data in Online Reinforcement
  Learning", ICML 2023 (arXiv 2211.04974): **FTPedel**.

Theorems of PEDEL and FTPedel
-----------------------------
In the project's notation (:ref:`ftpedel-setting`); the constants are tagged [recalled] there.
A linear MDP of horizon H, with features :math:`\phi(s, a) \in \mathbb{R}^d` and a finite policy
class :math:`\Pi`. The feature visitation is :math:`\phi_{\pi,h} = E_\pi[\phi(s_h, a_h)]` and the
policy covariance :math:`\Lambda_{\pi,h} = E_\pi[\phi \phi^\top]`, so that
:math:`V^\pi = \sum_h \langle \phi_{\pi,h}, \theta_h \rangle`. The offline covariance is
:math:`\Lambda_{\mathrm{off},h} = \sum_\tau \phi \phi^\top` (unnormalised).

- **FTPedel upper bound** (W&P 2023, main theorem; :ref:`ftpedel-upper-bound`). With probability
  at least :math:`1 - \delta`, FTPedel returns an epsilon-optimal policy of :math:`\Pi` after
  :math:`\tilde O(N_{FT}(D_{\mathrm{off}}, \epsilon))` online episodes plus a lower-order
  burn-in, where

  .. math::

     N_{FT} = \sum_h \min\Big\{N : \inf_{\Lambda \in \Omega_h} \max_\pi
     \frac{\|\phi_{\pi,h} - \phi_{\pi^*,h}\|^2_{(N \Lambda + \Lambda_{\mathrm{off},h})^{-1}}}
     {\max(\Delta(\pi), \epsilon)^2} \le \frac{1}{c \beta}\Big\}

  (:func:`ftpedel_complexity`). With :math:`\Lambda_{\mathrm{off}} = 0` this is the online-only
  measure (:func:`online_complexity`). PEDEL's measure (W&J 2022 Thm 1,
  :ref:`ftpedel-pedel-bound`) uses raw visitations and :math:`\max(\Delta, \Delta_{\min}, \epsilon)`.
- **Lower bound** (W&P 2023; :ref:`ftpedel-lower-bound`). Every verifiable
  :math:`(\epsilon, \delta)`-PAC algorithm needs at least
  :math:`\max_h \min\{N : \dots / (\Delta(\pi) + \epsilon)^2 \le c / \beta\}` online episodes
  (:func:`verifiable_lower_bound`).

What provable_rl.ftpedel contains
---------------------------------
- Exact feature visitations, covariances and gaps of an explicit policy class
  (:func:`policy_class`, :func:`all_deterministic_policies`, :func:`sampled_policies`).
- The experiment-design solver (:func:`frank_wolfe_design`, :ref:`ftpedel-design`). It runs
  Frank-Wolfe on the smoothed maximum
  :math:`f(\omega) = \eta^{-1} \log \sum_p \exp(\eta q_p(\omega))` with
  :math:`q_p = v_p^\top (N \Lambda(\omega) + \Lambda_{\mathrm{off}} + \lambda I)^{-1} v_p / g_p^2`.
  The linear-minimisation step over policies is one backward induction
  (:func:`best_response_policy`), so the policy space is never enumerated. :func:`cvxpy_design`
  solves the same convex problem with cvxpy.
- The minimum number of episodes, found by geometric bisection on N (:func:`minimum_episodes`),
  and the complexity measures built on it, including the schedule measure the algorithm's rounds
  target (:func:`schedule_complexity`, the offline gain it predicts: claim FT-E8).
- PEDEL and FTPedel end to end, with sampling (:func:`ftpedel`, :func:`pedel`;
  :ref:`ftpedel-pseudocode`).

Departures from the PEDEL and FTPedel papers
--------------------------------------------
All are deliberate; see each docstring and :ref:`ftpedel-departures`.

- OPTCOV (online Frank-Wolfe driven by a regret minimiser) is replaced by "design, then verify"
  (:ref:`ftpedel-design-then-verify`). By default (``design_model="oracle"``) the design is solved
  with the true model: an oracle design, honest about the statistics but not about the cost of
  finding the exploration policies. Then ``ceil(N omega_j)`` episodes of each atom are collected,
  the realised covariance is checked against the tolerance, and N grows by ``growth`` until the
  check passes. There is therefore no :math:`\epsilon^{-8/5}` burn-in term.
  ``design_model="plugin"`` plans each round's design with the transitions estimated from the
  data so far (the ridge regression the estimator runs, clipped to a kernel; the uniformly random
  policy while an earlier step has no data; the initial distribution is known, as the first
  visitations already assume), verifies the realised covariance the same way and re-plans with
  the data in hand when it misses (:ref:`ftpedel-plugin-design`; claim FT-E7 measures its cost
  against the oracle plan).
- The confidence radius is
  :math:`\beta_\ell = c_\beta \log(2 H \lvert\Pi\rvert \ell^2 / \delta)`
  (:ref:`ftpedel-radius`). The default ``radius_constant = 1`` drops the paper's :math:`H^4`
  factor. That factor comes from a worst-case propagation of visitation errors through the
  horizon. On the project's tiny problems it would make the tolerance
  :math:`\epsilon_\ell^2 / \beta_\ell`, hence every sample size, about :math:`H^4` times larger.
  Correctness at the default is checked empirically instead (claim FT-E1). Pass
  ``radius_constant=H**4`` for the paper's scaling.
- **The propagation target** (the library's addition, :ref:`ftpedel-propagation`). With
  ``targets="difference"`` at H >= 2, the step-h design also covers the leader's own visitation
  :math:`\hat\phi_{L,h}` whenever a survivor acts unlike the leader after step h: the step-h
  regression error reaches the value differences through
  :math:`\langle (\hat P_h - P_h)\phi_{L,h}, V^\pi_{h+1} - V^L_{h+1} \rangle`, which the
  differences alone do not control. Without it (the library until 2026-12-05) a class whose
  policies share their step-h visitation drew no step-h data and returned policies up to
  :math:`2\epsilon` off. The price: a near tie whose later actions differ costs about
  :math:`\beta_L / \epsilon_L^2` episodes.
- Data are handled as sufficient statistics. The step-h transitions of n episodes of a policy are
  drawn as multinomial counts over (s, a, s') with the exact step-h law (the same law as the
  statistics of n rollouts), and every regression uses counts.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP

__all__ = [
    "Complexity", "Design", "FTPedelResult", "MinimumEpisodes", "PolicyClass", "TransitionStatistics",
    "all_deterministic_policies", "best_response_policy", "collect_step", "confidence_radius", "cvxpy_design",
    "design_objective", "empty_statistics", "frank_wolfe_design", "ftpedel", "ftpedel_complexity",
    "minimum_episodes", "online_complexity", "pedel", "pedel_complexity", "pessimistic_choice", "policy_class",
    "policy_covariance", "sample_offline_statistics", "sampled_policies", "schedule_complexity", "uniform_policy",
    "verifiable_lower_bound",
]

TARGETS = ("difference", "raw")
DESIGNS = ("optimal", "uniform")
DESIGN_MODELS = ("oracle", "plugin")


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

def _check_mdp(mdp) -> LinearMDP:
    if not isinstance(mdp, LinearMDP):
        raise TypeError(f"mdp: expected a LinearMDP, got {type(mdp).__name__}")
    return mdp


def _check_policies(mdp: LinearMDP, policies) -> np.ndarray:
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    pol = v.int_array("policies", policies, high=A)
    if pol.ndim == 2 and pol.shape == (H, S):
        pol = pol[None]
    if pol.ndim != 3 or pol.shape[1:] != (H, S) or pol.shape[0] == 0:
        raise ValueError(f"policies: expected an int array of shape (n_policies, {H}, {S}), got {pol.shape}")
    return pol


def _check_step(mdp: LinearMDP, step) -> int:
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < mdp.horizon:
        raise ValueError(f"step: expected an int in [0, {mdp.horizon}), got {step!r}")
    return int(step)


def _check_psd(name: str, matrix, d: int) -> np.ndarray:
    mat = v.float_array(name, matrix, ndim=2, shape=(d, d))
    if not np.allclose(mat, mat.T, atol=1e-9 * (1 + np.abs(mat).max())):
        raise ValueError(f"{name}: expected a symmetric matrix, got an asymmetric one")
    if np.linalg.eigvalsh(mat).min() < -1e-9 * (1 + np.abs(mat).max()):
        raise ValueError(f"{name}: expected a positive semi-definite matrix, got a negative eigenvalue")
    return mat


def _check_atoms(covariances, d: int) -> np.ndarray:
    """Exploration atoms (J, d, d), J >= 1: symmetric positive semi-definite covariances."""
    C = v.float_array("covariances", covariances, ndim=3, shape=(None, d, d))
    if C.shape[0] == 0:
        raise ValueError("covariances: expected at least one atom, got 0")
    tol = 1e-9 * (1 + np.abs(C).max(axis=(1, 2)))
    if np.any(np.abs(C - np.swapaxes(C, 1, 2)).max(axis=(1, 2)) > tol):
        raise ValueError("covariances: expected symmetric matrices, got an asymmetric one")
    low = np.linalg.eigvalsh(C).min(axis=1)
    if np.any(low < -tol):
        j = int(np.argmax(low < -tol))
        raise ValueError(f"covariances: expected positive semi-definite matrices, got a negative eigenvalue "
                         f"{low[j]!r} at atom {j}")
    return C


def _check_targets(targets, scales):
    V = v.float_array("targets", targets, ndim=2)
    if V.shape[0] == 0:
        raise ValueError("targets: expected at least one target vector, got 0")
    g = v.float_array("scales", scales, ndim=1, shape=(V.shape[0],))
    if np.any(g <= 0):
        raise ValueError(f"scales: expected positive scales, got {g.min()!r}")
    return V, g


# --------------------------------------------------------------------------------------------
# Policy classes and their exact statistics
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Experiment design
# --------------------------------------------------------------------------------------------

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
            pol, cov, score = _best_response(oracle[0], oracle[1], M)
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
            gamma, value = _line_search(V, g, eta, N * D + base, N * (cov - covs[away]), weights[away])
        if block and weights[0] > 0 and t <= _SPLIT_ITERATIONS:
            split = weights.copy()  # the same design, the block's mass spread over its parts
            split[parts] += weights[0] / len(parts)
            split[0] = 0.0
            part_away = int(np.argmin(np.where(split > 0, scores, np.inf)))
            if keys[part_away] != key:
                step2 = N * (cov - covs[part_away])
                gamma2, value2 = _line_search(V, g, eta, N * D + base, step2, split[part_away])
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
    def ok(N):
        return float(_q_values(N * D + base, V, g)[0].max()) <= tol

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


def _line_search(V, g, eta, A0, step, upper):
    """argmin over gamma in [0, upper] of the smoothed max of q(A0 + gamma step), and that minimum.

    With ``A0 = L L^T`` and ``L^{-1} step L^{-T} = W diag(lam) W^T``,
    ``(A0 + gamma step)^{-1} = U diag(1/(1 + gamma lam)) U^T`` with ``U = L^{-T} W``, so q on a
    grid of gammas is one small matrix product: a coarse grid, then two zooms.
    """
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
    A = N * sum(omega[j] * C[j] for j in range(C.shape[0])) + Loff + reg * np.eye(d)
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


@dataclass(frozen=True, eq=False)
class Complexity:
    """A complexity measure: per-step minimum episode counts and their total.

    See :ref:`ftpedel-upper-bound` and :ref:`ftpedel-lower-bound`.

    Parameters
    ----------
    n_episodes : float
        The measure (a sum over steps, or a max for the lower bound).
    per_step : numpy.ndarray
        The least N at each step, shape ``(H,)``.
    designs : tuple
        The :class:`Design` reaching each step's N (None where N = 0).
    """

    n_episodes: float
    per_step: np.ndarray
    designs: tuple


def _offline_for(mdp: LinearMDP, offline_covariances):
    H, d = mdp.horizon, mdp.dim
    if offline_covariances is None:
        return np.zeros((H, d, d))
    L = v.float_array("offline_covariances", offline_covariances, ndim=3, shape=(H, d, d))
    for h in range(H):
        _check_psd("offline_covariances", L[h], d)
    return L


def _measure(mdp, pclass, *, epsilon, beta, offline_covariances, targets, gap_rule, tolerance, combine,
             design, regularizer, rtol, propagation=False):
    mdp = _check_mdp(mdp)
    if not isinstance(pclass, PolicyClass):
        raise TypeError(f"policy_class: expected a PolicyClass, got {type(pclass).__name__}")
    eps = v.positive_float("epsilon", epsilon)
    v.positive_float("beta", beta)
    if targets not in TARGETS:
        raise ValueError(f"targets: expected one of {TARGETS}, got {targets!r}")
    if pclass.visitations.shape[1:] != (mdp.horizon, mdp.dim):
        raise ValueError("policy_class: expected the statistics of a policy class of this mdp")
    Loff = _offline_for(mdp, offline_covariances)
    gaps = pclass.gaps
    if gap_rule == "max":
        scales = np.maximum(gaps, eps)
    elif gap_rule == "max_min_gap":
        scales = np.maximum(np.maximum(gaps, eps), min(pclass.min_gap, 1e300))
    else:
        scales = gaps + eps
    per_step, designs = np.zeros(mdp.horizon), []
    for h in range(mdp.horizon):
        step_scales = scales
        if targets == "difference":
            vecs = pclass.visitations[:, h] - pclass.visitations[pclass.best, h]
            if propagation and h + 1 < mdp.horizon:
                vecs, step_scales = _propagation_term(pclass, h, eps, vecs, scales)
        else:
            vecs = pclass.visitations[:, h]
        res = minimum_episodes(vecs, step_scales, tolerance, mdp=mdp, step=h, offline_covariance=Loff[h],
                               regularizer=regularizer, design=design, rtol=rtol)
        per_step[h] = res.n_episodes
        designs.append(res.design)
    per_step.setflags(write=False)
    return Complexity(float(combine(per_step)), per_step, tuple(designs))


def _propagation_term(pclass, h, eps, vecs, scales):
    r"""Step h's targets and scales with :math:`\phi_{\pi^*,h}` appended at scale
    :math:`\max(\Delta^{(h)}_{\min}, \epsilon)`, where :math:`\Delta^{(h)}_{\min}` is the least gap
    of the policies acting unlike :math:`\pi^*` after step h (unchanged when there are none)."""
    later = pclass.policies[:, h + 1:]
    differs = np.any(later != later[pclass.best], axis=(1, 2))
    if not differs.any():
        return vecs, scales
    scale = max(float(pclass.gaps[differs].min()), eps)
    return (np.vstack([vecs, pclass.visitations[pclass.best, h][None, :]]),
            np.append(np.asarray(scales, float), scale))


def ftpedel_complexity(mdp: LinearMDP, policy_class: PolicyClass, *, epsilon: float, beta: float,
                       offline_covariances=None, constant: float = 1.0, targets: str = "difference",
                       design: str = "optimal", regularizer: float = 1e-8, rtol: float = 0.005,
                       propagation: bool = False) -> Complexity:
    r"""The offline-data-dependent complexity :math:`N_{FT}(D_{\mathrm{off}}, \epsilon)` of W&P 2023.

    The measure of the FTPedel upper bound (:ref:`ftpedel-upper-bound`; constants [recalled]):

    .. math::

       N_{FT} = \sum_h \min\Big\{N \ge 0 : \inf_{\Lambda \in \Omega_h} \max_{\pi \in \Pi}
       \frac{\|\phi_{\pi,h} - \phi_{\pi^*,h}\|^2_{(N \Lambda + \Lambda_{\mathrm{off},h})^{-1}}}
       {\max(\Delta(\pi), \epsilon)^2} \le \frac{1}{\mathrm{constant} \cdot \beta}\Big\}.

    :math:`\Omega_h` is the hull of *all* policies' step-h covariances (the DP oracle); the targets
    range over the class. ``constant`` stands for the paper's :math:`c H^4` ([recalled]); 1 by
    default. ``targets="raw"`` uses :math:`\phi_{\pi,h}` (PEDEL's targets) instead of
    differences. ``design="uniform"`` replaces the optimal design by the uniformly random policy
    (an ablation). ``propagation=True`` adds the term the library's FTPedel pays at H >= 2
    (:ref:`ftpedel-propagation`): at each step h < H-1 where some policy acts unlike
    :math:`\pi^*` after h, the target :math:`\phi_{\pi^*,h}` at scale
    :math:`\max(\Delta^{(h)}_{\min}, \epsilon)`, the least gap of those policies (not in the
    paper's measure as recalled). Frank-Wolfe solves make the answer an upper bound within about
    ``rtol`` plus the design's suboptimality.

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policy_class : PolicyClass
        The exact statistics of the class :math:`\Pi` (:func:`policy_class`).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    beta : float > 0
        The log-confidence term :math:`\beta`, e.g. ``log(|Pi| / delta)``.
    offline_covariances : array_like, optional
        :math:`\Lambda_{\mathrm{off},h}`, shape ``(H, d, d)`` (unnormalised). None means no
        offline data.
    constant : float > 0, default 1
        The factor in the tolerance :math:`1 / (\mathrm{constant} \cdot \beta)`.
    targets : {"difference", "raw"}, default "difference"
        :math:`\phi_{\pi,h} - \phi_{\pi^*,h}` or :math:`\phi_{\pi,h}`.
    design : {"optimal", "uniform"}, default "optimal"
        The optimal design, or the uniformly random policy (an ablation).
    regularizer : float > 0, default 1e-8
        The ridge of the design's covariance.
    rtol : float in (0, 1), default 0.005
        Relative precision of each step's search over N.
    propagation : bool, default False
        Add the propagation term (above); only with difference targets.

    Returns
    -------
    Complexity
        :math:`N_{FT}` (``n_episodes``), the per-step N and their designs.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps.instances.ftpedel import ft_x1
    >>> inst = ft_x1(n_arms=4, gap=0.1)
    >>> pc = policy_class(inst.mdp, inst.policies)
    >>> beta = np.log(1 / 0.05)
    >>> online = online_complexity(inst.mdp, pc, epsilon=0.01, beta=beta).n_episodes
    >>> hybrid = ftpedel_complexity(inst.mdp, pc, epsilon=0.01, beta=beta,
    ...                             offline_covariances=inst.offline_covariances).n_episodes
    >>> bool(hybrid < online / 3)
    True
    """
    c = v.positive_float("constant", constant)
    if not isinstance(propagation, (bool, np.bool_)):
        raise TypeError(f"propagation: expected a bool, got {type(propagation).__name__}")
    return _measure(mdp, policy_class, epsilon=epsilon, beta=beta, offline_covariances=offline_covariances,
                    targets=targets, gap_rule="max", tolerance=1.0 / (c * v.positive_float("beta", beta)), combine=np.sum,
                    design=design, regularizer=regularizer, rtol=rtol, propagation=bool(propagation))


def online_complexity(mdp: LinearMDP, policy_class: PolicyClass, *, epsilon: float, beta: float,
                      constant: float = 1.0, targets: str = "difference", design: str = "optimal",
                      regularizer: float = 1e-8, rtol: float = 0.005, propagation: bool = False) -> Complexity:
    r"""The online-only complexity: :func:`ftpedel_complexity` with :math:`\Lambda_{\mathrm{off}} = 0`.

    With ``targets="raw"`` and gaps floored at :math:`\max(\Delta, \Delta_{\min}, \epsilon)` this
    would be PEDEL's measure (W&J 2022 Thm 1, [recalled]); use :func:`pedel_complexity` for that
    (:ref:`ftpedel-pedel-bound`).

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policy_class : PolicyClass
        The exact statistics of the class :math:`\Pi` (:func:`policy_class`).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    beta : float > 0
        The log-confidence term :math:`\beta`, e.g. ``log(|Pi| / delta)``.
    constant : float > 0, default 1
        The factor in the tolerance :math:`1 / (\mathrm{constant} \cdot \beta)`.
    targets : {"difference", "raw"}, default "difference"
        :math:`\phi_{\pi,h} - \phi_{\pi^*,h}` or :math:`\phi_{\pi,h}`.
    design : {"optimal", "uniform"}, default "optimal"
        The optimal design, or the uniformly random policy (an ablation).
    regularizer : float > 0, default 1e-8
        The ridge of the design's covariance.
    rtol : float in (0, 1), default 0.005
        Relative precision of each step's search over N.
    propagation : bool, default False
        Add the propagation term of :func:`ftpedel_complexity`.

    Returns
    -------
    Complexity
        The online-only measure, per step and summed over steps.
    """
    return ftpedel_complexity(mdp, policy_class, epsilon=epsilon, beta=beta, offline_covariances=None,
                              constant=constant, targets=targets, design=design, regularizer=regularizer,
                              rtol=rtol, propagation=propagation)


def pedel_complexity(mdp: LinearMDP, policy_class: PolicyClass, *, epsilon: float, beta: float,
                     constant: float = 1.0, regularizer: float = 1e-8, rtol: float = 0.005) -> Complexity:
    r"""PEDEL's measure (W&J 2022 Thm 1, [recalled]): raw visitations, :math:`\max(\Delta, \Delta_{\min}, \epsilon)`.

    See :ref:`ftpedel-pedel-bound`:

    .. math::

       \sum_h \min\Big\{N : \inf_{\Lambda \in \Omega_h} \max_\pi
       \frac{\|\phi_{\pi,h}\|^2_{(N \Lambda)^{-1}}}{\max(\Delta(\pi), \Delta_{\min}, \epsilon)^2}
       \le \frac{1}{\mathrm{constant} \cdot \beta}\Big\}.

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policy_class : PolicyClass
        The exact statistics of the class :math:`\Pi` (:func:`policy_class`).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    beta : float > 0
        The log-confidence term :math:`\beta`, e.g. ``log(|Pi| / delta)``.
    constant : float > 0, default 1
        The factor in the tolerance; stands for the paper's :math:`H^4` and constants ([recalled]).
    regularizer : float > 0, default 1e-8
        The ridge of the design's covariance.
    rtol : float in (0, 1), default 0.005
        Relative precision of each step's search over N.

    Returns
    -------
    Complexity
        PEDEL's measure, per step and summed over steps.
    """
    c = v.positive_float("constant", constant)
    return _measure(mdp, policy_class, epsilon=epsilon, beta=beta, offline_covariances=None, targets="raw",
                    gap_rule="max_min_gap", tolerance=1.0 / (c * v.positive_float("beta", beta)), combine=np.sum,
                    design="optimal", regularizer=regularizer, rtol=rtol)


def verifiable_lower_bound(mdp: LinearMDP, policy_class: PolicyClass, *, epsilon: float, beta: float,
                           offline_covariances=None, constant: float = 1.0, regularizer: float = 1e-8,
                           rtol: float = 0.005) -> Complexity:
    r"""The verifiable lower bound of W&P 2023 (:ref:`ftpedel-lower-bound`; constants [recalled]).

    .. math::

       \max_h \min\Big\{N : \inf_{\Lambda \in \Omega_h} \max_\pi
       \frac{\|\phi_{\pi,h} - \phi_{\pi^*,h}\|^2_{(N \Lambda + \Lambda_{\mathrm{off},h})^{-1}}}
       {(\Delta(\pi) + \epsilon)^2} \le \frac{\mathrm{constant}}{\beta}\Big\}.

    With unit Gaussian rewards the cheapest perturbation making :math:`\pi` beat :math:`\pi^*`
    costs :math:`(\Delta + \epsilon)^2 / (2 \|\phi_\pi - \phi_{\pi^*}\|^2)` in KL, which change of
    measure needs to be at least :math:`\log(1 / (2.4 \delta))`.

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policy_class : PolicyClass
        The exact statistics of the class :math:`\Pi` (:func:`policy_class`).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    beta : float > 0
        The log-confidence term :math:`\beta`, e.g. ``log(|Pi| / delta)``.
    offline_covariances : array_like, optional
        :math:`\Lambda_{\mathrm{off},h}`, shape ``(H, d, d)`` (unnormalised). None means no
        offline data.
    constant : float > 0, default 1
        The paper's constant c ([recalled]) in the tolerance :math:`c / \beta`.
    regularizer : float > 0, default 1e-8
        The ridge of the design's covariance.
    rtol : float in (0, 1), default 0.005
        Relative precision of each step's search over N.

    Returns
    -------
    Complexity
        The bound (``n_episodes``, a max over steps) and the per-step N.
    """
    c = v.positive_float("constant", constant)
    return _measure(mdp, policy_class, epsilon=epsilon, beta=beta, offline_covariances=offline_covariances,
                    targets="difference", gap_rule="sum", tolerance=c / v.positive_float("beta", beta), combine=np.max,
                    design="optimal", regularizer=regularizer, rtol=rtol)


def schedule_complexity(mdp: LinearMDP, policy_class: PolicyClass, *, epsilon: float, delta: float,
                        offline_covariances=None, radius_constant: float = 1.0, regularizer: float = 1e-3) -> Complexity:
    r"""The online episodes :func:`ftpedel`'s round schedule needs when every estimate is exact.

    The measure the algorithm targets (:ref:`ftpedel-offline-gain`): rounds
    :math:`\ell = 1, \dots, L = \lceil \log_2(4/\epsilon) \rceil` with
    :math:`\epsilon_\ell = 2^{-\ell}` and :math:`\beta_\ell` (:func:`confidence_radius`); the
    survivors of round :math:`\ell` are those an exact elimination keeps,
    :math:`\Pi_\ell = \{\pi : \Delta(\pi) \le 2 \epsilon_{\ell-1}\}` (:math:`\Pi_1 = \Pi`), and
    round :math:`\ell` needs at step h the least N with

    .. math::

       \inf_{\Lambda \in \Omega_h} \max_{\pi \in \Pi_\ell}
       \|\phi_{\pi,h} - \phi_{\pi^*,h}\|^2_{(N \Lambda + \Lambda_{\mathrm{off},h} + \lambda I)^{-1}}
       \le \epsilon_\ell^2 / \beta_\ell

    (:func:`minimum_episodes`), with :math:`\phi_{\pi^*,h}` itself among the targets when a
    survivor acts unlike :math:`\pi^*` after step h (the propagation target,
    :ref:`ftpedel-propagation`); the schedule stops when one policy survives. The result is the sum
    over rounds and steps. Unlike :func:`ftpedel_complexity` (:math:`N_{FT}`, the paper's measure,
    with tolerance :math:`1/\beta` and gaps :math:`\max(\Delta, \epsilon)`), it keeps the
    algorithm's constants: the last rounds ask for a tolerance :math:`\epsilon_L^2 / \beta_L` many
    times stricter than :math:`N_{FT}`'s, so a fixed :math:`\Lambda_{\mathrm{off}}` is worth fewer
    online episodes there, and the offline gain :math:`N_{FT}(0) / N_{FT}(\Lambda_{\mathrm{off}})`
    is not the gain the algorithm can realise.

    Parameters
    ----------
    mdp : LinearMDP
        The problem, known exactly.
    policy_class : PolicyClass
        The exact statistics of the class :math:`\Pi`.
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    offline_covariances : array_like, optional
        :math:`\Lambda_{\mathrm{off},h}`, shape ``(H, d, d)`` (unnormalised); None means none.
    radius_constant : float > 0, default 1
        :math:`c_\beta` of :func:`confidence_radius`.
    regularizer : float > 0, default 1e-3
        The ridge :math:`\lambda` (the algorithm's default).

    Returns
    -------
    Complexity
        The total (``n_episodes``) and the per-step totals over rounds (``per_step``); ``designs``
        is empty.

    Examples
    --------
    >>> from mdps.instances.ftpedel import partial_coverage_routing
    >>> inst = partial_coverage_routing(30000)
    >>> pc = policy_class(inst.mdp, inst.policies)
    >>> online = schedule_complexity(inst.mdp, pc, epsilon=0.2, delta=0.1).n_episodes
    >>> hybrid = schedule_complexity(inst.mdp, pc, epsilon=0.2, delta=0.1,
    ...                              offline_covariances=inst.offline_covariances).n_episodes
    >>> bool(3 < online / hybrid < 6)
    True
    """
    mdp = _check_mdp(mdp)
    if not isinstance(policy_class, PolicyClass):
        raise TypeError(f"policy_class: expected a PolicyClass, got {type(policy_class).__name__}")
    if policy_class.visitations.shape[1:] != (mdp.horizon, mdp.dim):
        raise ValueError("policy_class: expected the statistics of a policy class of this mdp")
    eps = v.positive_float("epsilon", epsilon)
    dlt = v.probability("delta", delta)
    c_beta = v.positive_float("radius_constant", radius_constant)
    reg = v.positive_float("regularizer", regularizer)
    Loff = _offline_for(mdp, offline_covariances)
    H, n = mdp.horizon, len(policy_class)
    vis, best = policy_class.visitations, policy_class.best
    per_step = np.zeros(H)
    for ell in range(1, max(1, math.ceil(math.log2(4.0 / eps))) + 1):
        alive = policy_class.gaps <= (math.inf if ell == 1 else 2.0 * 2.0 ** -(ell - 1))
        if alive.sum() <= 1:
            break
        tol = (2.0 ** -ell) ** 2 / confidence_radius(ell, horizon=H, n_policies=n, delta=dlt,
                                                     radius_constant=c_beta)
        for h in range(H):
            V = vis[alive, h] - vis[best, h]
            if h + 1 < H:
                later = policy_class.policies[alive, h + 1:]
                V = _with_propagation_target(V, vis[best, h], later, int(np.flatnonzero(np.flatnonzero(alive) == best)[0]))
            if np.any(V):
                per_step[h] += _minimum_episodes(V, np.ones(V.shape[0]), tol, None, mdp, h, Loff[h], reg, "optimal",
                                                 0.005, 0.005, 200, 1e15, "fixed_point").n_episodes
    per_step.setflags(write=False)
    return Complexity(float(per_step.sum()), per_step, ())


# --------------------------------------------------------------------------------------------
# Data as per-step transition statistics
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class TransitionStatistics:
    r"""Per-step sufficient statistics of transitions of a finite-horizon problem.

    Offline data :math:`D_{\mathrm{off}}` and online data are both stored this way
    (:ref:`ftpedel-offline-data`).

    Parameters
    ----------
    counts : array_like
        Int array ``(H, S, A, S)``: :math:`n_h(s, a, s')`.
    reward_sums : array_like
        Float array ``(H, S, A)``: the sum of the rewards observed at (h, s, a).
    """

    counts: np.ndarray
    reward_sums: np.ndarray

    def __post_init__(self):
        counts = v.int_array("counts", self.counts, ndim=4)
        H, S, A, S2 = counts.shape
        if S != S2:
            raise ValueError(f"counts: expected shape (H, S, A, S), got {counts.shape}")
        sums = v.float_array("reward_sums", self.reward_sums, ndim=3, shape=(H, S, A))
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "reward_sums", sums)

    @property
    def pair_counts(self) -> np.ndarray:
        """The pair counts :math:`n_h(s, a)`, shape ``(H, S, A)``."""
        return self.counts.sum(axis=-1)

    def covariances(self, mdp: LinearMDP) -> np.ndarray:
        r"""The unnormalised covariance :math:`\sum_{s,a} n_h(s, a) \phi(s, a) \phi(s, a)^\top` of each step.

        Parameters
        ----------
        mdp : LinearMDP
            The problem whose features are used.

        Returns
        -------
        numpy.ndarray
            Array ``(H, d, d)``; for offline data, :math:`\Lambda_{\mathrm{off},h}`.
        """
        return np.einsum("hsa,sai,saj->hij", self.pair_counts, mdp.features, mdp.features)


def empty_statistics(mdp: LinearMDP) -> TransitionStatistics:
    """Statistics of no data at all (every count 0).

    Parameters
    ----------
    mdp : LinearMDP
        The problem (fixes H, S and A).

    Returns
    -------
    TransitionStatistics
        Zero counts ``(H, S, A, S)`` and zero reward sums ``(H, S, A)``.
    """
    mdp = _check_mdp(mdp)
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    return TransitionStatistics(np.zeros((H, S, A, S), dtype=np.int64), np.zeros((H, S, A)))


def _draw_transitions(mdp: LinearMDP, h: int, pair_counts: np.ndarray, gen) -> tuple:
    """Next-state counts (S, A, S) and reward sums (S, A) of ``pair_counts[s, a]`` samples at step h."""
    tab = mdp.tabular
    trans = gen.multinomial(pair_counts, tab.P[h])
    if tab.reward_model == "gaussian":
        sums = pair_counts * tab.R[h] + tab.reward_std * np.sqrt(pair_counts) * gen.standard_normal(pair_counts.shape)
    else:
        sums = gen.binomial(pair_counts, tab.R[h]).astype(np.float64)
    return trans.astype(np.int64), sums


def sample_offline_statistics(mdp: LinearMDP, pair_counts, rng=None) -> TransitionStatistics:
    r"""Offline data with the given ``pair_counts[h, s, a]`` (any logging process, no coverage assumed).

    Next states :math:`s' \sim P_h(\cdot \mid s, a)` (multinomial counts) and rewards from the true
    reward model (binomial or Gaussian sums): the law of the statistics of that many logged tuples
    (:ref:`ftpedel-offline-data`).

    Parameters
    ----------
    mdp : LinearMDP
        The simulator.
    pair_counts : array_like
        Int array ``(H, S, A)`` with entries >= 0: how many tuples each (h, s, a) has.
    rng : numpy.random.Generator, int or None
        Randomness of the next states and rewards.

    Returns
    -------
    TransitionStatistics
        ``counts`` ``(H, S, A, S)`` with ``counts.sum(-1) == pair_counts``, and ``reward_sums``
        ``(H, S, A)``.

    Examples
    --------
    >>> from mdps.instances.ftpedel import ft_x1
    >>> inst = ft_x1(n_arms=3, n_offline=100)
    >>> off = sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    >>> off.pair_counts.tolist(), off.covariances(inst.mdp)[0].diagonal().tolist()
    ([[[0, 100, 100]]], [0.0, 100.0, 100.0])
    """
    mdp = _check_mdp(mdp)
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    n = v.int_array("pair_counts", pair_counts, ndim=3)
    if n.size and n.max() > v.MAX_COUNT:
        raise ValueError(f"pair_counts: expected counts of at most {v.MAX_COUNT}, got {n.max()}")
    if n.shape != (H, S, A):
        raise ValueError(f"pair_counts: expected shape ({H}, {S}, {A}), got {n.shape}")
    gen = v.as_rng(rng)
    counts = np.zeros((H, S, A, S), dtype=np.int64)
    sums = np.zeros((H, S, A))
    for h in range(H):
        counts[h], sums[h] = _draw_transitions(mdp, h, n[h], gen)
    return TransitionStatistics(counts, sums)


def collect_step(mdp: LinearMDP, policies, n_episodes, step: int, rng=None) -> TransitionStatistics:
    r"""The step-h transitions of ``n_episodes[j]`` episodes of each policy ``policies[j]``.

    The step-h pair of one episode of :math:`\pi` has law :math:`d_h^\pi(s, a)`, so the pair counts
    of n episodes are :math:`\mathrm{Multinomial}(n, d_h^\pi)`; next states and rewards follow
    (:func:`sample_offline_statistics`'s law). Only step ``step`` of the returned statistics is
    nonzero: PEDEL keeps, from the episodes of the (l, h) collection, their step-h transitions
    (:ref:`ftpedel-pseudocode`).

    Parameters
    ----------
    mdp : LinearMDP
        The simulator.
    policies : array_like
        Action probabilities ``(J, H, S, A)``, or deterministic policies as an int array
        ``(J, H, S)``.
    n_episodes : array_like
        Int array ``(J,)``: episodes of each policy.
    step : int
        The step h whose transitions are kept, in ``[0, H)``.
    rng : numpy.random.Generator, int or None
        Randomness of the draws.

    Returns
    -------
    TransitionStatistics
        Counts and reward sums, zero except at step ``step``.
    """
    mdp = _check_mdp(mdp)
    h = _check_step(mdp, step)
    arr = v.real_array("policies", policies)  # (bool, string, complex and ragged policies are refused)
    if arr.dtype.kind in "iu":
        probs = _stochastic(mdp, _check_policies(mdp, arr))
    else:
        probs = v.float_array("policies", arr, ndim=4, shape=(None, mdp.horizon, mdp.n_states, mdp.n_actions))
        v.check_simplex("policies", probs)
    n = v.int_array("n_episodes", n_episodes, ndim=1)
    if n.size and n.max() > v.MAX_COUNT:
        raise ValueError(f"n_episodes: expected counts of at most {v.MAX_COUNT}, got {n.max()}")
    if n.shape[0] != probs.shape[0]:
        raise ValueError(f"n_episodes: expected {probs.shape[0]} counts (one per policy of policies), got {n.shape[0]}")
    gen = v.as_rng(rng)
    occ = _pair_occupancies(mdp, probs)[:, h]  # (J, S, A)
    S, A = mdp.n_states, mdp.n_actions
    pairs = np.zeros(S * A, dtype=np.int64)
    for j in range(n.shape[0]):
        if n[j] > 0:
            p = occ[j].reshape(-1)
            pairs += gen.multinomial(int(n[j]), p / p.sum())
    out = empty_statistics(mdp)
    counts = np.array(out.counts)
    sums = np.array(out.reward_sums)
    counts[h], sums[h] = _draw_transitions(mdp, h, pairs.reshape(S, A), gen)
    return TransitionStatistics(counts, sums)


# --------------------------------------------------------------------------------------------
# PEDEL / FTPedel end to end
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class FTPedelResult:
    r"""The output of :func:`ftpedel` / :func:`pedel`.

    Parameters
    ----------
    policy_index : int
        Index of the returned policy in the class.
    policy : numpy.ndarray
        The returned policy, int array ``(H, S)``.
    online_episodes : int
        Online episodes used in total.
    rounds : int
        Rounds run.
    episodes_per_round : numpy.ndarray
        Int array ``(rounds,)``: online episodes of each round.
    survivors : tuple of numpy.ndarray
        The surviving class indices after each round's elimination.
    value_estimates : numpy.ndarray
        Array ``(n_policies,)``: the last round's :math:`\hat V^\pi` of each policy (NaN for
        policies eliminated before it).
    """

    policy_index: int
    policy: np.ndarray
    online_episodes: int
    rounds: int
    episodes_per_round: np.ndarray
    survivors: tuple
    value_estimates: np.ndarray


def confidence_radius(round_index: int, *, horizon: int, n_policies: int, delta: float,
                      radius_constant: float = 1.0) -> float:
    r"""The confidence radius :math:`\beta_\ell = c_\beta \log(2 H \lvert\Pi\rvert \ell^2 / \delta)` of round l.

    :math:`c_\beta` is ``radius_constant``. The paper's :math:`\beta_\ell` carries :math:`c H^4`
    ([recalled]); the default ``radius_constant=1`` drops it (:ref:`ftpedel-radius` says why);
    ``radius_constant=H**4`` restores the paper's scaling. The argument of the log is a union bound
    over steps, policies and rounds (:ref:`ftpedel-correctness`).

    Parameters
    ----------
    round_index : int >= 1
        The round :math:`\ell`.
    horizon : int >= 1
        The horizon H.
    n_policies : int >= 1
        The size of the class, ``|Pi|``.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    radius_constant : float > 0, default 1
        The factor :math:`c_\beta`.

    Returns
    -------
    float
        :math:`\beta_\ell`.

    Examples
    --------
    >>> round(confidence_radius(1, horizon=1, n_policies=8, delta=0.1), 4)   # log(160)
    5.0752
    """
    ell = v.positive_int("round_index", round_index)
    horizon = v.positive_int("horizon", horizon)
    n_policies = v.positive_int("n_policies", n_policies)
    delta = v.probability("delta", delta)
    radius_constant = v.positive_float("radius_constant", radius_constant)
    return float(radius_constant) * math.log(2 * horizon * n_policies * ell ** 2 / delta)


@dataclass(frozen=True, eq=False)
class _Tabular:
    P: np.ndarray


@dataclass(frozen=True, eq=False)
class _PlanningModel:
    """The model the plug-in design plans with: the known features and initial distribution, and
    estimated transitions ``tabular.P`` (H, S, A, S). It has what the DP oracle reads of a LinearMDP."""

    features: np.ndarray
    tabular: _Tabular
    initial: np.ndarray

    @property
    def horizon(self) -> int:
        return self.tabular.P.shape[0]

    @property
    def n_states(self) -> int:
        return self.features.shape[0]

    @property
    def n_actions(self) -> int:
        return self.features.shape[1]

    @property
    def dim(self) -> int:
        return self.features.shape[2]


def _estimated_transitions(mdp, counts_h, reg):
    """The ridge estimate of P_h from step-h transition counts (S, A, S), made a transition kernel.

    The regression is the one of the estimator (:func:`_regress_step`): ``mu-hat_h = Lambda^-1 sum
    n(s, a, s') phi(s, a) e_s'^T``, so ``P-hat_h(s' | s, a) = phi(s, a)^T mu-hat_h(s')`` generalises
    to pairs never sampled through the features. It is clipped at 0 and each row renormalised; a
    row with no estimated mass (a pair outside the data's span) gets the uniform next state.
    """
    phi = mdp.features
    S = mdp.n_states
    n_sa = counts_h.sum(axis=-1)
    Lam = np.einsum("sa,sai,saj->ij", n_sa, phi, phi) + reg * np.eye(mdp.dim)
    mu = np.linalg.solve(Lam, np.einsum("sat,sai->it", counts_h, phi))   # (d, S)
    P = np.clip(np.einsum("sai,it->sat", phi, mu), 0.0, None)
    mass = P.sum(axis=-1, keepdims=True)
    return np.where(mass > 1e-12, P / np.maximum(mass, 1e-300), 1.0 / S)


def _regress_step(mdp, counts_h, sums_h, reg, visit_h, next_actions):
    """Ridge estimates at step h from pooled counts: theta_h and (optionally) phi_{pi,h+1}.

    ``Lambda = sum n(s,a) phi phi^T + reg I``; ``theta = Lambda^{-1} sum phi r``;
    ``phi_{pi,h+1} = sum_{s,a,s'} n(s,a,s') phi_pi(s') phi(s,a)^T Lambda^{-1} phi_{pi,h}``.
    """
    phi = mdp.features
    n_sa = counts_h.sum(axis=-1)
    Lam = np.einsum("sa,sai,saj->ij", n_sa, phi, phi) + reg * np.eye(mdp.dim)
    theta = np.linalg.solve(Lam, np.einsum("sa,sai->i", sums_h, phi))
    if next_actions is None:
        return theta, None
    W = np.linalg.solve(Lam, visit_h.T)                      # (d, P)
    coef = np.einsum("sai,ip->psa", phi, W)                  # phi(s,a)^T Lambda^{-1} phi_pi
    mass = np.einsum("sat,psa->pt", counts_h, coef)          # weight on each next state
    next_feats = phi[np.arange(mdp.n_states)[None, :], next_actions]  # (P, S, d)
    return theta, np.einsum("pt,pti->pi", mass, next_feats)


def ftpedel(mdp: LinearMDP, policies, *, epsilon: float, delta: float, offline: TransitionStatistics | None = None,
            rng=None, targets: str = "difference", radius_constant: float = 1.0, regularizer: float = 1e-3,
            design: str = "optimal", growth: float = 1.25, max_episodes: float = 1e9,
            design_model: str = "oracle") -> FTPedelResult:
    r"""FTPedel (Wagenmaker & Pacchiano 2023 [recalled structure]): PEDEL with offline data pooled in.

    The pseudo-code and the reasons for its constants are in :ref:`ftpedel-pseudocode` and
    :ref:`ftpedel-correctness`. Rounds :math:`\ell = 1, \dots, \lceil \log_2(4/\epsilon) \rceil` with
    :math:`\epsilon_\ell = 2^{-\ell}` and :math:`\beta_\ell` from :func:`confidence_radius`. In round
    l, for h = 0, ..., H-1:

    1. targets: :math:`\hat\phi_{\pi,h} - \hat\phi_{\mathrm{leader},h}` (``targets="difference"``,
       leader = last round's empirical best) or :math:`\hat\phi_{\pi,h}` (``"raw"``, PEDEL's) over
       the survivors;
    2. design (with the true model, or with the estimated one: ``design_model``): the least N and
       weights :math:`\omega` with
       :math:`\max_p \|v_p\|^2_{(N \Lambda(\omega) + \Lambda_{\mathrm{off},h} + \lambda I)^{-1}}
       \le \epsilon_\ell^2 / \beta_\ell` (:func:`minimum_episodes`; 0 when the offline data already
       suffice), then ``ceil(N omega_j)`` episodes of each atom, checking the realised covariance
       and growing N by ``growth`` until the tolerance holds ("design, then verify", replacing
       OPTCOV, :ref:`ftpedel-design-then-verify`);
    3. regression on this round's step-h online transitions **plus the offline step-h tuples**:
       :math:`\hat\theta_h` and :math:`\hat\phi_{\pi,h+1}` for every survivor
       (:ref:`ftpedel-estimator`).

    Then :math:`\hat V^\pi = \sum_h \langle \hat\phi_{\pi,h}, \hat\theta_h \rangle` and policies with
    :math:`\hat V^\pi < \max \hat V - 2 \epsilon_\ell` are eliminated (estimation error at most
    :math:`\epsilon_\ell`, threshold :math:`2 \epsilon_\ell`: :math:`\pi^*` survives and every
    survivor of round l has :math:`\Delta \le 4 \epsilon_\ell`); stop when one survives or after
    the last round, returning the empirical best survivor.

    Parameters
    ----------
    mdp : LinearMDP
        The simulator (the algorithm sees it through sampled statistics and, for the oracle
        design only, through its model).
    policies : array_like
        Int array ``(n, H, S)``: the finite class :math:`\Pi` (at least 2 policies).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    offline : TransitionStatistics, optional
        :math:`D_{\mathrm{off}}`. None gives PEDEL.
    rng : numpy.random.Generator, int or None
        Randomness of the online samples.
    targets : {"difference", "raw"}, default "difference"
        The design targets (step 1 above).
    radius_constant : float > 0, default 1
        Multiplies :math:`\beta_\ell`; 1 drops the paper's :math:`H^4` (:ref:`ftpedel-radius`).
    regularizer : float > 0, default 1e-3
        Ridge :math:`\lambda` of every regression (and of the design's covariance).
    design : {"optimal", "uniform"}, default "optimal"
        "uniform" explores with the uniformly random policy (the naive baseline of FT-FIG3: same
        verification, so still correct, only more episodes).
    growth : float > 1, default 1.25
        Factor by which N grows when the realised covariance misses the tolerance.
    max_episodes : float > 0, default 1e9
        Raise ``ValueError`` rather than collect more online episodes than this.
    design_model : {"oracle", "plugin"}, default "oracle"
        The model each round's design is planned with: the true one ("oracle", the reference), or
        the transitions estimated from every transition seen so far ("plugin": offline tuples and
        earlier online data; the uniformly random policy while an earlier step has no data;
        re-planned with the data in hand when the realised covariance misses the tolerance;
        :ref:`ftpedel-plugin-design`). The verification is the same.

    Returns
    -------
    FTPedelResult
        The returned policy, the online episodes used and the elimination history.

    Examples
    --------
    >>> from mdps.instances.ftpedel import ft_x1
    >>> inst = ft_x1(n_arms=4, gap=0.2)
    >>> off = sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    >>> res = ftpedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, offline=off, rng=0)
    >>> res.policy_index
    0
    """
    mdp = _check_mdp(mdp)
    pol = _check_policies(mdp, policies)
    if pol.shape[0] < 2:
        raise ValueError(f"policies: expected a class of at least 2 policies to choose from, got {pol.shape[0]}")
    eps = v.positive_float("epsilon", epsilon)
    dlt = v.probability("delta", delta)
    gen = v.as_rng(rng)
    if targets not in TARGETS:
        raise ValueError(f"targets: expected one of {TARGETS}, got {targets!r}")
    if design not in DESIGNS:
        raise ValueError(f"design: expected one of {DESIGNS}, got {design!r}")
    if design_model not in DESIGN_MODELS:
        raise ValueError(f"design_model: expected one of {DESIGN_MODELS}, got {design_model!r}")
    c_beta = v.positive_float("radius_constant", radius_constant)
    reg = v.positive_float("regularizer", regularizer)
    growth = v.positive_float("growth", growth)
    if growth <= 1:
        raise ValueError(f"growth: expected a number > 1, got {growth!r}")
    max_episodes = v.positive_float("max_episodes", max_episodes)
    H, S = mdp.horizon, mdp.n_states
    if offline is None:
        offline = empty_statistics(mdp)
    if not isinstance(offline, TransitionStatistics):
        raise TypeError(f"offline: expected TransitionStatistics, got {type(offline).__name__}")
    if offline.counts.shape != (H, S, mdp.n_actions, S):
        raise ValueError(f"offline: expected counts of shape {(H, S, mdp.n_actions, S)}, got {offline.counts.shape}")
    return _ftpedel(mdp, pol, eps, dlt, offline, gen, targets, c_beta, reg, design, growth, max_episodes,
                    design_model=design_model)


def _with_propagation_target(differences, leader_visitation, later_actions, leader):
    r"""Step h's difference targets, plus the leader's own visitation when a survivor acts unlike
    the leader at some step after h (the *propagation target*, :ref:`ftpedel-propagation`).

    Why: with :math:`\hat P_h` the step-h regression and L the leader, the step-h error of the
    value-difference estimate :math:`\hat V^\pi - \hat V^L` is

    .. math::

       \langle (\hat P_h - P_h)(\phi_{\pi,h} - \phi_{L,h}), V^\pi_{h+1} \rangle
       + \langle (\hat P_h - P_h)\phi_{L,h}, V^\pi_{h+1} - V^L_{h+1} \rangle .

    The difference targets control the first term. The second vanishes only when :math:`\pi` and
    L act alike at every step after h; otherwise it needs :math:`\phi_{L,h}` itself covered.
    ``later_actions`` is the survivors' actions at steps h+1, ..., H-1, shape ``(P, H-h-1, S)``;
    ``leader`` the leader's row in it.
    """
    if np.any(later_actions != later_actions[leader]):
        return np.vstack([differences, leader_visitation[None, :]])
    return differences


def _ftpedel(mdp, pol, eps, dlt, offline, gen, targets, c_beta, reg, design, growth, max_episodes, *,
             elimination_factor=2.0, offline_in_design=True, offline_in_verification=True, pool_offline=True,
             offline_normalised=False, round_shift=0, schedule_shift=0, verify="realised",
             radius_log_delta=True, next_step=1, design_model="oracle", plugin_verify=True, plugin_freeze_round=None,
             plugin_step_offset=0, plugin_freeze_design=False, offline_scale=1.0, offline_step_shift=0,
             propagation_targets=True, record=None):
    """:func:`ftpedel` on validated input.

    The keywords other than ``record`` exist for the broken variants of ``proofs_check.ftpedel``
    only, and their defaults are the algorithm: ``elimination_factor`` (threshold
    ``elimination_factor * eps_l``); ``offline_in_design`` / ``offline_in_verification`` (Lambda_off
    seen by the design / by the verification of the realised covariance); ``offline_normalised``
    (Lambda_off,h divided by the number of step-h offline tuples, in the design and the
    verification); ``pool_offline`` (offline tuples in the regressions); ``round_shift`` (``l_max = ceil(log2(4/eps)) + round_shift``: -1 is
    a last round that certifies only 2 eps); ``schedule_shift`` (``eps_l = 2^-(l + schedule_shift)``:
    -1 is a schedule counted from l = 0); ``verify`` ("realised", or "planned": the stopping test
    reads the planned ``N Lambda(omega)`` instead of the collected data); ``radius_log_delta`` (False
    drops the ``1/delta`` inside beta_l's log); ``next_step`` (phi-hat_{pi,h+1} built from the
    actions of step ``h + next_step``; 0 is the wrong step); ``offline_scale`` (Lambda_off multiplied
    by it in the design and the verification: 2 counts the offline data twice);
    ``offline_step_shift`` (step h's design and verification see Lambda_off of step
    ``(h + shift) mod H``: 1 is the wrong step's offline data); ``propagation_targets`` (False
    drops the leader's visitation from the step-h targets, :func:`_with_propagation_target`: the
    defect of the difference targets at H >= 2 that the library had until 2026-12-05). ``design_model`` is the public
    option (see :func:`ftpedel`); ``plugin_verify`` (False trusts the plug-in plan),
    ``plugin_freeze_round`` (the plug-in model stops learning after that round),
    ``plugin_step_offset`` (P-hat_k estimated from step ``k + offset``'s data) and
    ``plugin_freeze_design`` (each step's first plug-in design reused in every round) are the
    plug-in design's broken variants (:func:`_plugin_collect`).

    ``record``: a list, or None. When a list, one dict per round is appended: ``round`` (l),
    ``eps`` (eps_l), ``tolerance`` (eps_l^2 / beta_l), ``survivors`` (class indices at the start of
    the round), ``estimates`` (their V-hat), ``kept`` (indices after the elimination), and ``steps``:
    per step h a dict with ``targets`` (the design's vectors, (P, d)), ``online_pair_counts``
    (this round's step-h online pairs n(s, a), (S, A)) and ``objective`` (the design objective
    max_p ||v_p||^2 in the inverse of the covariance the stopping test last read: the realised data
    plus the offline covariance plus the ridge, to compare with ``tolerance``; 0 for zero targets).
    Recording changes nothing else.
    """
    factor = float(elimination_factor)
    H, S, d = mdp.horizon, mdp.n_states, mdp.dim
    off_cov = offline.covariances(mdp)
    if offline_normalised:
        off_cov = off_cov / np.maximum(offline.pair_counts.sum(axis=(1, 2)), 1)[:, None, None]
    off_cov = float(offline_scale) * np.roll(off_cov, -int(offline_step_shift), axis=0)
    design_off = off_cov if offline_in_design else np.zeros_like(off_cov)
    verify_off = off_cov if offline_in_verification else np.zeros_like(off_cov)
    radius_delta = dlt if radius_log_delta else 1.0 - 1e-12
    n_pol = pol.shape[0]
    l_max = max(1, math.ceil(math.log2(4.0 / eps)) + int(round_shift))
    survivors = np.arange(n_pol)
    leader = 0
    values = np.full(n_pol, np.nan)
    history, per_round = [], []
    total = 0
    plugin = design_model == "plugin"
    # The plug-in design's data: every transition seen so far (offline, then each round's online
    # step-h transitions), per step.
    model_counts = np.array(offline.counts, dtype=np.int64) if plugin else None
    frozen_designs = {} if plugin_freeze_design else None
    first_feats = mdp.features[np.arange(S)[None, :], pol[:, 0, :]]  # (n, S, d)
    exact_first = np.einsum("s,nsi->ni", mdp.initial, first_feats)
    ell = 0
    for ell in range(1, l_max + 1):
        if survivors.size == 1:
            ell -= 1
            break
        eps_l = 2.0 ** -(ell + int(schedule_shift))
        tol = eps_l ** 2 / confidence_radius(ell, horizon=H, n_policies=n_pol, delta=radius_delta,
                                             radius_constant=c_beta)
        visit = np.empty((survivors.size, H, d))
        visit[:, 0] = exact_first[survivors]
        theta = np.empty((H, d))
        ref = int(np.searchsorted(survivors, leader))
        round_episodes = 0
        steps = []
        for h in range(H):
            vecs = visit[:, h] - visit[ref, h] if targets == "difference" else visit[:, h]
            if targets == "difference" and propagation_targets and h + 1 < H:
                vecs = _with_propagation_target(vecs, visit[ref, h], pol[survivors, h + 1:], ref)
            ones = np.ones(vecs.shape[0])
            online_counts = np.zeros((S, mdp.n_actions, S), dtype=np.int64)
            online_sums = np.zeros((S, mdp.n_actions))
            # The design objective at the data in hand (offline + ridge, then + each batch collected):
            # what the stopping test compares with tol, recorded next to it.
            objective = float(_q_values(verify_off[h] + reg * np.eye(d), vecs, ones)[0].max()) if np.any(vecs) else 0.0
            if objective > tol and plugin:
                objective, step_episodes = _plugin_collect(
                    mdp, h, vecs, tol, model_counts, design_off[h], verify_off[h], reg, design, growth,
                    max_episodes - total - round_episodes, online_counts, online_sums, gen,
                    verify=plugin_verify, step_offset=int(plugin_step_offset), frozen=frozen_designs)
                round_episodes += step_episodes
            elif objective > tol:
                plan = minimum_episodes(vecs, ones, tol, mdp=mdp, step=h, offline_covariance=design_off[h],
                                        regularizer=reg, design=design, rtol=0.02, design_rtol=0.02,
                                        max_iterations=30)
                N = plan.n_episodes
                atoms, weights = plan.design.policies, plan.design.weights
                collected = np.zeros(weights.size, dtype=np.int64)
                while True:
                    want = np.ceil(N * weights - 1e-9).astype(np.int64)
                    extra = np.maximum(want - collected, 0)
                    if total + round_episodes + extra.sum() > max_episodes:
                        raise ValueError(f"max_episodes: the run needs more than {max_episodes:g} online episodes")
                    new = collect_step(mdp, atoms, extra, h, gen)
                    online_counts += new.counts[h]
                    online_sums += new.reward_sums[h]
                    collected += extra
                    round_episodes += int(extra.sum())
                    if verify == "planned":
                        realised = np.tensordot(collected.astype(float), plan.design.covariances, 1)
                    else:
                        realised = np.einsum("sa,sai,saj->ij", online_counts.sum(-1), mdp.features, mdp.features)
                    objective = float(_q_values(realised + verify_off[h] + reg * np.eye(d), vecs, ones)[0].max())
                    if objective <= tol:
                        break
                    N *= growth
            if record is not None:
                steps.append({"targets": vecs.copy(), "online_pair_counts": online_counts.sum(-1),
                              "objective": objective})
            if plugin and (plugin_freeze_round is None or ell <= plugin_freeze_round):
                model_counts[h] += online_counts
            pooled_counts = online_counts + offline.counts[h] if pool_offline else online_counts
            pooled_sums = online_sums + offline.reward_sums[h] if pool_offline else online_sums
            nxt_step = h + int(next_step)
            next_actions = pol[survivors, nxt_step, :] if h + 1 < H else None
            theta[h], nxt = _regress_step(mdp, pooled_counts, pooled_sums, reg, visit[:, h], next_actions)
            if nxt is not None:
                visit[:, h + 1] = nxt
        total += round_episodes
        per_round.append(round_episodes)
        est = np.einsum("phi,hi->p", visit, theta)
        values[:] = np.nan
        values[survivors] = est
        keep = est >= est.max() - factor * eps_l
        if record is not None:
            record.append({"round": ell, "eps": eps_l, "tolerance": tol, "survivors": survivors.copy(),
                           "estimates": est.copy(), "kept": survivors[keep].copy(), "steps": steps})
        survivors = survivors[keep]
        leader = int(survivors[np.argmax(est[keep])])
        history.append(survivors.copy())
    best = int(survivors[np.nanargmax(values[survivors])])
    return FTPedelResult(best, pol[best].copy(), int(total), ell, np.array(per_round, dtype=np.int64),
                         tuple(history), values)


def _plugin_model(mdp, model_counts, h, reg, step_offset):
    """The planning model of step h: P-hat_k for k < h from the counts of step ``k + step_offset``
    (mod H; 0 is the algorithm, 1 the wrong step's data); steps >= h never matter to a step-h
    design and are uniform. Returns the model and whether every step k < h had data."""
    H, S = mdp.horizon, mdp.n_states
    P = np.full((H, S, mdp.n_actions, S), 1.0 / S)
    informed = True
    for k in range(h):
        counts = model_counts[(k + step_offset) % H]
        if counts.sum() == 0:
            informed = False
        else:
            P[k] = _estimated_transitions(mdp, counts, reg)
    return _PlanningModel(mdp.features, _Tabular(P), mdp.initial), informed


def _plugin_collect(mdp, h, vecs, tol, model_counts, design_off_h, verify_off_h, reg, design, growth, budget,
                    online_counts, online_sums, gen, *, verify=True, step_offset=0, frozen=None):
    """Round l's step-h collection with the plug-in design (``design_model="plugin"`` of :func:`ftpedel`).

    Plan with :func:`_plugin_model` (the uniformly random policy while some earlier step has no
    data: nothing to estimate its occupancies from), collect ``ceil(N omega_j)`` episodes of each
    atom, and verify the realised covariance as the oracle design does. When it misses the
    tolerance, re-plan with the model and the data in hand (the realised covariance enters like
    offline data), and collect at least ``(growth - 1)`` times the step's episodes so far, so that
    the collection grows geometrically even when the model is wrong. A plan the model cannot
    meet (a target direction the estimated transitions never reach) falls back to the uniformly
    random policy. ``verify=False`` (a mutant) trusts the first plan. ``frozen`` (a mutant that
    never re-plans): a dict step -> (atoms, weights) filled by the first plan of each step and
    reused in every later round, with N for that design under the model, grown by ``growth``
    until verified. Adds to ``online_counts`` / ``online_sums`` in place; returns the last realised
    design objective and the episodes collected.
    """
    d = mdp.dim
    ones = np.ones(vecs.shape[0])
    model, informed = _plugin_model(mdp, model_counts, h, reg, step_offset)
    plan_design = design if informed else "uniform"
    uniform = _uniform_probs(mdp)[None]

    def plan(known):
        try:
            res = _minimum_episodes(vecs, ones, tol, None, model, h, known, reg, plan_design, 0.02, 0.02, 30,
                                    _PLUGIN_MAX_PLAN, "fixed_point")
        except ValueError:  # the model reaches no design meeting the tolerance
            return None
        return None if res.design is None else (res.design.policies, res.design.weights, res.n_episodes)

    if frozen is not None and h in frozen:
        atoms, weights = frozen[h]
        occ = _pair_occupancies(model, atoms)[:, h]
        cov = np.einsum("j,jsa,sai,sak->ik", weights, occ, mdp.features, mdp.features)
        try:
            N = _fixed_design_episodes(cov, vecs, ones, design_off_h + reg * np.eye(d), tol, 1.0, _PLUGIN_MAX_PLAN)
        except ValueError:
            N = 1.0
    else:
        first = plan(design_off_h)
        atoms, weights, N = first if first is not None else (uniform, np.ones(1), 1.0)
        if frozen is not None:
            frozen[h] = (atoms, weights)
    episodes = 0
    while True:
        extra = np.ceil(N * weights - 1e-9).astype(np.int64)
        if extra.sum() == 0:
            extra[np.argmax(weights)] = 1
        if episodes + extra.sum() > budget:
            raise ValueError(f"max_episodes: the run needs more online episodes than allowed ({budget:g} left)")
        new = collect_step(mdp, atoms, extra, h, gen)
        online_counts += new.counts[h]
        online_sums += new.reward_sums[h]
        episodes += int(extra.sum())
        realised = np.einsum("sa,sai,saj->ij", online_counts.sum(-1), mdp.features, mdp.features)
        objective = float(_q_values(realised + verify_off_h + reg * np.eye(d), vecs, ones)[0].max())
        if objective <= tol or not verify:
            return objective, episodes
        if frozen is not None:
            N = max(N * growth, (growth - 1.0) * episodes)
            continue
        replan = plan(design_off_h + realised)
        if replan is None:
            atoms, weights, N = uniform, np.ones(1), 0.0
        else:
            atoms, weights, N = replan
        N = max(N, (growth - 1.0) * episodes)


#: The plug-in design's search over N stops here (a model that cannot meet the tolerance).
_PLUGIN_MAX_PLAN = 1e12


def pedel(mdp: LinearMDP, policies, *, epsilon: float, delta: float, rng=None, targets: str = "raw",
          radius_constant: float = 1.0, regularizer: float = 1e-3, design: str = "optimal", growth: float = 1.25,
          max_episodes: float = 1e9, design_model: str = "oracle") -> FTPedelResult:
    r"""PEDEL (Wagenmaker & Jamieson 2022 [recalled structure]): :func:`ftpedel` without offline data.

    Raw visitation targets :math:`\hat\phi_{\pi,h}` by default (PEDEL's). The rounds, the
    elimination at :math:`2 \epsilon_\ell` and the departures from the paper (design-then-verify
    instead of OPTCOV, :math:`\beta_\ell` without :math:`H^4`) are those of :func:`ftpedel`
    (:ref:`ftpedel-pseudocode`, :ref:`ftpedel-departures`).

    Parameters
    ----------
    mdp : LinearMDP
        The simulator.
    policies : array_like
        Int array ``(n, H, S)``: the finite class :math:`\Pi` (at least 2 policies).
    epsilon : float > 0
        The accuracy :math:`\epsilon`.
    delta : float in (0, 1)
        The confidence :math:`\delta`.
    rng : numpy.random.Generator, int or None
        Randomness of the online samples.
    targets : {"raw", "difference"}, default "raw"
        The design targets (see :func:`ftpedel`).
    radius_constant : float > 0, default 1
        Multiplies :math:`\beta_\ell`; 1 drops the paper's :math:`H^4`.
    regularizer : float > 0, default 1e-3
        Ridge :math:`\lambda` of every regression.
    design : {"optimal", "uniform"}, default "optimal"
        The optimal design, or the uniformly random policy (a baseline).
    growth : float > 1, default 1.25
        Factor by which N grows when the realised covariance misses the tolerance.
    max_episodes : float > 0, default 1e9
        Raise ``ValueError`` rather than collect more online episodes than this.
    design_model : {"oracle", "plugin"}, default "oracle"
        Plan the designs with the true model or the estimated one (see :func:`ftpedel`).

    Returns
    -------
    FTPedelResult
        The returned policy, the online episodes used and the elimination history.

    Examples
    --------
    >>> from mdps.instances.ftpedel import competitor_bandit
    >>> inst = competitor_bandit(n_arms=4, gap=0.2)
    >>> pedel(inst.mdp, inst.policies, epsilon=0.1, delta=0.1, rng=0).policy_index
    0
    """
    return ftpedel(mdp, policies, epsilon=epsilon, delta=delta, offline=None, rng=rng, targets=targets,
                   radius_constant=radius_constant, regularizer=regularizer, design=design, growth=growth,
                   max_episodes=max_episodes, design_model=design_model)


def pessimistic_choice(mdp: LinearMDP, policy_class: PolicyClass, offline: TransitionStatistics, *,
                       beta: float, regularizer: float = 1e-3) -> int:
    r"""An unverifiable learner: the class member with the largest lower confidence bound on offline data.

    .. math::

       \mathrm{LCB}(\pi) = \sum_h \langle \phi_{\pi,h}, \hat\theta_h \rangle
       - \sqrt{\beta}\, \|\phi_{\pi,h}\|_{\hat\Lambda_h^{-1}},

    with ridge estimates from the offline data only and the exact visitations of the class (so it
    is meant for H = 1 or known dynamics, as in FT-X2). Pessimism picks a well-covered policy
    without any online episode, but cannot certify it (:ref:`ftpedel-separation`; the LCB idea of
    Rashidinejad et al. 2021, :ref:`theory-lcb`).

    Parameters
    ----------
    mdp : LinearMDP
        The problem (its features; the dynamics enter only through ``policy_class``).
    policy_class : PolicyClass
        The exact statistics of the class.
    offline : TransitionStatistics
        The offline data :math:`D_{\mathrm{off}}`.
    beta : float > 0
        The squared confidence width multiplier :math:`\beta`.
    regularizer : float > 0, default 1e-3
        The ridge :math:`\lambda` of :math:`\hat\Lambda_h`.

    Returns
    -------
    int
        The index in the class of the policy with the largest LCB.

    Examples
    --------
    >>> from mdps.instances.ftpedel import ft_x2
    >>> inst = ft_x2(n_arms=4)
    >>> pc = policy_class(inst.mdp, inst.policies)
    >>> off = sample_offline_statistics(inst.mdp, inst.offline_counts, rng=0)
    >>> pessimistic_choice(inst.mdp, pc, off, beta=3.0)
    0
    """
    mdp = _check_mdp(mdp)
    if not isinstance(policy_class, PolicyClass):
        raise TypeError(f"policy_class: expected a PolicyClass, got {type(policy_class).__name__}")
    if not isinstance(offline, TransitionStatistics):
        raise TypeError(f"offline: expected TransitionStatistics, got {type(offline).__name__}")
    b = v.positive_float("beta", beta)
    reg = v.positive_float("regularizer", regularizer)
    lcb = np.zeros(len(policy_class))
    for h in range(mdp.horizon):
        theta, _ = _regress_step(mdp, offline.counts[h], offline.reward_sums[h], reg, None, None)
        Lam = offline.covariances(mdp)[h] + reg * np.eye(mdp.dim)
        phi = policy_class.visitations[:, h]
        width = np.sqrt(np.einsum("pi,ip->p", phi, np.linalg.solve(Lam, phi.T)))
        lcb += phi @ theta - math.sqrt(b) * width
    return int(np.argmax(lcb))
