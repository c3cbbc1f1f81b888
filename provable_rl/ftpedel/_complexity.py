r"""The complexity measures of :mod:`provable_rl.ftpedel`, built on :func:`minimum_episodes`.

FTPedel's :math:`N_{FT}` (:func:`ftpedel_complexity`, :ref:`ftpedel-upper-bound`), its online-only
case (:func:`online_complexity`), PEDEL's measure (:func:`pedel_complexity`,
:ref:`ftpedel-pedel-bound`), the verifiable lower bound (:func:`verifiable_lower_bound`,
:ref:`ftpedel-lower-bound`) and the measure of the algorithm's own round schedule
(:func:`schedule_complexity`, :ref:`ftpedel-offline-gain`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP

from ._algorithm import confidence_radius, _with_propagation_target
from ._checks import TARGETS, _check_mdp, _check_psd
from ._design import _minimum_episodes, minimum_episodes
from ._policies import PolicyClass


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
    >>> from provable_rl.ftpedel import policy_class
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
    >>> from provable_rl.ftpedel import policy_class
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
