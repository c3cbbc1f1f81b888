r"""Data of :mod:`provable_rl.ftpedel` as per-step sufficient statistics of transitions.

Offline and online data are both counts :math:`n_h(s, a, s')` with reward sums
(:class:`TransitionStatistics`, :ref:`ftpedel-offline-data`); the samplers draw them with the exact
law of the statistics of that many logged tuples or rollouts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP

from ._checks import _check_mdp, _check_policies, _check_step
from ._policies import _pair_occupancies, _stochastic


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
