"""Sampling: episodes, i.i.d. transitions, and sufficient statistics drawn directly.

Two Numba kernels do the loops that cannot be vectorised (an episode's next state depends on
the last one; i.i.d. next states need one search each). Both receive a
``numpy.random.Generator`` and precomputed tables, and both have one signature whatever the
problem: a discounted MDP is passed as a one-layer "finite-horizon" array, so each kernel
compiles once (``cache=True`` keeps that across processes).

A draw from a CDF row is the smallest ``i`` with ``u < cdf[i]`` for one uniform ``u``
(:func:`_draw`, a binary search; other modules use it with :func:`cdf`).
:func:`guide_table` and :func:`_draw_guided` (Chen and Asau's indexed search: ``guide[j]`` is the
answer for ``u = j / n``, so a draw starts there and scans about one entry) return exactly what
:func:`_draw` returns for the same ``u``; the kernels here no longer use them.

Both kernels draw with Walker's alias method instead (Vose's construction,
:func:`alias_table`): row ``p`` of length ``n`` becomes ``(prob, alias)`` with
``p[i] = (prob[i] + sum_{j: alias[j] = i} (1 - prob[j])) / n``; one uniform ``u`` gives the column
``j = floor(u n)`` and the answer ``j`` if ``frac(u n) < prob[j]``, else ``alias[j]``. That is one
load (``prob[j]``), plus ``alias[j]`` when the column aliases, whatever ``n``: a random policy's walk
over all (s, a) rows of a large ``P`` (out of cache) pays for those instead of a guide-table load
plus a CDF scan.
The law is exact up to float rounding, as with CDFs; a zero-probability entry has ``prob = 0``
and is never anyone's alias, so it is never drawn. The rollout kernel also advances a batch of
``_EPISODE_BATCH`` episodes in lockstep (one step of each in turn), so that the cache misses of
independent episodes overlap instead of waiting on each other. It spends no uniform on a
deterministic policy row: its action is known, so a deterministic policy costs two uniforms per
step (next state, Bernoulli reward).

:func:`sample_statistics` draws counts, reward sums and transition counts without any tuple
(multinomial counts, binomial reward sums, multinomial next-state counts), vectorised over
repetitions by numpy's Generator. It is what sweeps use.

Every public function validates its inputs before a kernel runs: the kernels do no bounds checks.
"""
from __future__ import annotations

import numba
import numpy as np

from . import _validation as v
from .core import ContextualBandit, DiscountedMDP, FiniteHorizonMDP, LinearMDP, MultiArmedBandit, policy_matrix
from .data import OfflineData, SufficientStatistics, pair_shape


def cdf(probabilities: np.ndarray) -> np.ndarray:
    """Cumulative sums along the last axis, scaled so that each row ends at exactly 1.0.

    The rows must be probability vectors (sums within 1e-8 of 1, else ``ValueError``); the scaling
    only removes rounding so that a uniform draw in [0, 1) always lands inside the row, and a
    zero-probability entry can never be drawn (``_draw`` returns the smallest i with u < cdf[i]).
    """
    probabilities = v.float_array("probabilities", probabilities)
    if probabilities.ndim == 0:
        raise ValueError("probabilities: expected at least a 1-d array, got a scalar")
    v.check_simplex("probabilities", probabilities)
    c = np.cumsum(probabilities, axis=-1)
    return np.ascontiguousarray(c / c[..., -1:])


@numba.njit(cache=True)
def _draw(cdf_row, u):
    # Smallest i with u < cdf_row[i]: binary search; cdf_row[-1] == 1.0 > u always.
    lo, hi = 0, cdf_row.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if u < cdf_row[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


@numba.njit(cache=True)
def _guide_kernel(cdf_rows):
    K, n = cdf_rows.shape
    guide = np.empty((K, n), np.int32)
    for k in range(K):
        i = 0
        for j in range(n):
            threshold = j / n
            while cdf_rows[k, i] <= threshold:
                i += 1
            guide[k, j] = i
    return guide


def guide_table(cdf_rows: np.ndarray) -> np.ndarray:
    """The guide table of CDF rows (as made by :func:`cdf`): ``guide[..., j]`` is the smallest
    ``i`` with ``cdf[..., i] > j / n``, an int32 array of the same shape. See :func:`_draw_guided`."""
    c = np.ascontiguousarray(cdf_rows, dtype=np.float64)
    if c.ndim == 0 or c.shape[-1] == 0 or np.any(c[..., -1] != 1.0):
        raise ValueError("cdf_rows: expected CDF rows ending at exactly 1.0 (use mdps.sampling.cdf)")
    return _guide_kernel(c.reshape(-1, c.shape[-1])).reshape(c.shape)


@numba.njit(cache=True)
def _draw_guided(cdf_row, guide_row, u):
    # Start at the answer for floor(u n) / n <= u, then fix up in both directions, so the result is
    # the smallest i with u < cdf_row[i] whatever the rounding of u * n.
    n = cdf_row.shape[0]
    i = guide_row[min(int(u * n), n - 1)]
    while i > 0 and cdf_row[i - 1] > u:
        i -= 1
    while cdf_row[i] <= u:
        i += 1
    return i


@numba.njit(cache=True)
def _reward(mean, gaussian, std, rng):
    if gaussian:
        return mean + std * rng.standard_normal()
    return 1.0 if rng.random() < mean else 0.0


@numba.njit(cache=True)
def _alias_kernel(rows):
    K, n = rows.shape
    prob = np.empty((K, n), np.float64)
    alias = np.empty((K, n), np.int32)
    scaled = np.empty(n, np.float64)
    small = np.empty(n, np.int64)  # a queue: zero-probability entries first
    large = np.empty(n, np.int64)  # a stack
    for k in range(K):
        total = 0.0
        for i in range(n):
            total += rows[k, i]
        n_small = n_large = 0
        for i in range(n):
            scaled[i] = rows[k, i] * n / total
            alias[k, i] = i
            if scaled[i] == 0.0:
                small[n_small] = i
                n_small += 1
        for i in range(n):
            if 0.0 < scaled[i] < 1.0:
                small[n_small] = i
                n_small += 1
            elif scaled[i] >= 1.0:
                large[n_large] = i
                n_large += 1
        # Zero entries go first, while the large entries' excess (which equals the total deficit,
        # at least one per zero entry) is intact: each gets prob 0 and a positive alias.
        head = 0
        while head < n_small and n_large > 0:
            i = small[head]
            head += 1
            j = large[n_large - 1]
            prob[k, i] = scaled[i]
            alias[k, i] = j
            scaled[j] = (scaled[j] + scaled[i]) - 1.0
            if scaled[j] < 1.0:
                n_large -= 1
                small[n_small] = j
                n_small += 1
        # What is left has scaled value 1 up to rounding.
        for t in range(head, n_small):
            prob[k, small[t]] = 1.0
        for t in range(n_large):
            prob[k, large[t]] = 1.0
    return prob, alias


def alias_table(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias tables of probability rows (last axis), by Vose's construction.

    Returns ``(prob, alias)``, float64 and int32 arrays of the shape of ``probabilities``, with
    ``p[i] = (prob[i] + sum_{j: alias[j] = i} (1 - prob[j])) / n`` for each row ``p`` of length
    ``n`` (up to float rounding; rows are first divided by their sums, as in :func:`cdf`). A draw
    (:func:`_draw_alias`) takes column ``j = floor(u n)`` of a uniform ``u`` and returns ``j`` if
    ``frac(u n) < prob[j]``, else ``alias[j]``. A zero-probability entry gets ``prob = 0`` and is
    no entry's alias, so it is never drawn. Rows must be probability vectors (``ValueError``).

    Examples
    --------
    >>> prob, alias = alias_table(np.array([0.5, 0.0, 0.5]))
    >>> prob.tolist(), alias.tolist()  # column 1 always gives 2; column 2 gives 2 or 0 half the time
    ([1.0, 0.0, 0.5], [0, 2, 0])
    """
    probabilities = v.float_array("probabilities", probabilities)
    if probabilities.ndim == 0:
        raise ValueError("probabilities: expected at least a 1-d array, got a scalar")
    v.check_simplex("probabilities", probabilities)
    rows = np.ascontiguousarray(probabilities.reshape(-1, probabilities.shape[-1]))
    prob, alias = _alias_kernel(rows)
    return prob.reshape(probabilities.shape), alias.reshape(probabilities.shape)


@numba.njit(cache=True)
def _draw_alias(prob_row, alias_row, u):
    n = prob_row.shape[0]
    x = u * n
    j = min(int(x), n - 1)
    if x - j < prob_row[j]:
        return j
    return alias_row[j]


def _single_actions(policy):
    """``single[h, s]``: the only action of a deterministic policy row, or -1 when the row is random
    (then the kernel spends a uniform on it)."""
    positive = policy > 0
    return np.where(positive.sum(axis=-1) == 1, positive.argmax(axis=-1), -1).astype(np.int64)


#: Episodes the rollout kernel advances in lockstep (the twin in the tests follows the same order).
_EPISODE_BATCH = 16


@numba.njit(cache=True)
def _rollout_kernel(P_prob, P_alias, R, single, pi_prob, pi_alias, initial_prob, initial_alias,
                    n_episodes, n_steps, gaussian, std, rng):
    """Episodes of ``n_steps``; layer h of P, R and the policy is ``min(h, n_layers - 1)``.

    Episodes run in batches of ``_EPISODE_BATCH``: the initial states of the batch, then step 0 of
    each, step 1 of each, ... Per step: one uniform for the action (none when ``single[h, s] >= 0``),
    one for the next state (alias draw), then the reward's (a uniform, or a normal). Output is in
    episode order.
    """
    L, S, A, _ = P_prob.shape
    # Rows of P addressed by one flat index, so a step does no slicing of 4-d arrays.
    prob_rows = P_prob.reshape(L * S * A, S)
    alias_rows = P_alias.reshape(L * S * A, S)
    R_flat = R.reshape(L * S * A)
    n = n_episodes * n_steps
    s_out = np.empty(n, np.int64)
    a_out = np.empty(n, np.int64)
    r_out = np.empty(n, np.float64)
    t_out = np.empty(n, np.int64)
    h_out = np.empty(n, np.int64)
    last_p = L - 1
    last_pi = single.shape[0] - 1
    state = np.empty(_EPISODE_BATCH, np.int64)
    for first in range(0, n_episodes, _EPISODE_BATCH):
        m = min(_EPISODE_BATCH, n_episodes - first)
        for b in range(m):
            state[b] = _draw_alias(initial_prob, initial_alias, rng.random())
        for h in range(n_steps):
            hpi = min(h, last_pi)
            layer = min(h, last_p) * S
            for b in range(m):
                s = state[b]
                a = single[hpi, s]
                if a < 0:
                    a = _draw_alias(pi_prob[hpi, s], pi_alias[hpi, s], rng.random())
                row = (layer + s) * A + a
                # _draw_alias on a flat row, inlined (u < 1 so j <= S - 1, see _draw_alias).
                x = rng.random() * S
                j = min(int(x), S - 1)
                if x - j >= prob_rows[row, j]:
                    j = alias_rows[row, j]
                i = (first + b) * n_steps + h
                s_out[i] = s
                a_out[i] = a
                r_out[i] = _reward(R_flat[row], gaussian, std, rng)
                t_out[i] = j
                h_out[i] = h
                state[b] = j
    return s_out, a_out, r_out, t_out, h_out


@numba.njit(cache=True)
def _iid_kernel(P_prob, P_alias, R, pair_prob, pair_alias, n_per_layer, gaussian, std, rng):
    """For each layer h, ``n_per_layer`` i.i.d. (s, a) ~ mu[h] (alias tables), then r and s'."""
    n_layers, S, A = R.shape
    n = n_layers * n_per_layer
    s_out = np.empty(n, np.int64)
    a_out = np.empty(n, np.int64)
    r_out = np.empty(n, np.float64)
    t_out = np.empty(n, np.int64)
    h_out = np.empty(n, np.int64)
    i = 0
    for h in range(n_layers):
        for _ in range(n_per_layer):
            k = _draw_alias(pair_prob[h], pair_alias[h], rng.random())
            s = k // A
            a = k - s * A
            s_out[i] = s
            a_out[i] = a
            r_out[i] = _reward(R[h, s, a], gaussian, std, rng)
            t_out[i] = _draw_alias(P_prob[h, s, a], P_alias[h, s, a], rng.random())
            h_out[i] = h
            i += 1
    return s_out, a_out, r_out, t_out, h_out


def _layers(mdp):
    """(P (L, S, A, S), R (L, S, A)) with L = 1 for discounted and L = H for finite horizon."""
    if isinstance(mdp, LinearMDP):
        mdp = mdp.tabular
    if isinstance(mdp, DiscountedMDP):
        return mdp.P[None], mdp.R[None], mdp
    if isinstance(mdp, FiniteHorizonMDP):
        return mdp.P, mdp.R, mdp
    raise TypeError(f"mdp: expected a DiscountedMDP, FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}")


def sample_episodes(mdp, policy, n_episodes: int, rng=None, *, n_steps: int | None = None) -> OfflineData:
    """Roll out ``policy`` for ``n_episodes`` episodes from the initial distribution.

    Parameters
    ----------
    mdp : DiscountedMDP, FiniteHorizonMDP or LinearMDP
    policy : int array (S,) / (H, S) or float array (S, A) / (H, S, A)
        Deterministic or stochastic; a stationary (S,)-shaped policy is used at every step.
    n_episodes : int >= 1
    rng : Generator, int seed or None
    n_steps : int, optional
        Episode length; required for a discounted MDP, and must equal H (the default) otherwise.

    Returns
    -------
    OfflineData
        ``n_episodes * n_steps`` tuples in episode order, with ``h`` the step within the episode.
    """
    P, R, tab = _layers(mdp)
    n_episodes = v.positive_int("n_episodes", n_episodes)
    S, A = tab.n_states, tab.n_actions
    if isinstance(tab, FiniteHorizonMDP):
        H = tab.horizon
        if n_steps is not None and v.positive_int("n_steps", n_steps) != H:
            raise ValueError(f"n_steps: expected the horizon {H} for a finite-horizon MDP, got {n_steps}")
        n_steps = H
    elif n_steps is None:
        raise ValueError("n_steps: expected an episode length for a discounted MDP, got None")
    n_steps = v.positive_int("n_steps", n_steps)
    pi = policy_matrix(policy, A)
    if pi.shape == (S, A):
        pi = pi[None]
    elif not (isinstance(tab, FiniteHorizonMDP) and pi.shape == (tab.horizon, S, A)):
        raise ValueError(f"policy: expected shape ({S},), ({S}, {A}) or a per-step policy, got {np.shape(policy)}")
    P_prob, P_alias = alias_table(P)
    pi_prob, pi_alias = alias_table(pi)
    initial_prob, initial_alias = alias_table(tab.initial)
    out = _rollout_kernel(P_prob, P_alias, R, _single_actions(pi), pi_prob, pi_alias, initial_prob, initial_alias,
                          n_episodes, n_steps, tab.reward_model == "gaussian", tab.reward_std, v.as_rng(rng))
    s, a, r, s_next, h = out
    return OfflineData(s, a, r, s_next, S, A, h, n_steps)


def _pair_distribution(problem, data_distribution):
    """Validate ``data_distribution`` against the problem; returns (layers, flattened (L, K) mu)."""
    shape = pair_shape(problem)
    mu = v.float_array("data_distribution", data_distribution, shape=shape)
    if mu.shape != shape:
        raise ValueError(f"data_distribution: expected shape {shape}, got {mu.shape}")
    flat = mu.reshape(-1, shape[-2] * shape[-1]) if len(shape) == 3 else mu.reshape(1, -1)
    v.check_simplex("data_distribution", flat)
    return flat


def sample_offline_data(problem, data_distribution, n_samples: int, rng=None) -> OfflineData:
    """``n_samples`` i.i.d. tuples with (s, a) ~ ``data_distribution``.

    Bandits give (s, a, r) with ``s_next=None`` (a multi-armed bandit has ``s = 0``). A
    finite-horizon MDP takes a per-step distribution of shape (H, S, A) and draws ``n_samples``
    tuples at every step.
    """
    n = v.positive_int("n_samples", n_samples)
    flat = _pair_distribution(problem, data_distribution)
    gen = v.as_rng(rng)
    if isinstance(problem, (MultiArmedBandit, ContextualBandit)):
        means = problem.means.reshape(-1)
        k = np.searchsorted(cdf(flat[0]), gen.random(n), side="right")
        if problem.reward_model == "gaussian":
            r = means[k] + problem.reward_std * gen.standard_normal(n)
        else:
            r = (gen.random(n) < means[k]).astype(np.float64)
        A = problem.n_actions
        S = 1 if isinstance(problem, MultiArmedBandit) else problem.n_states
        return OfflineData(k // A, k % A, r, None, S, A)
    P, R, tab = _layers(problem)
    P_prob, P_alias = alias_table(P)
    pair_prob, pair_alias = alias_table(flat)
    s, a, r, s_next, h = _iid_kernel(P_prob, P_alias, R, pair_prob, pair_alias, n,
                                     tab.reward_model == "gaussian", tab.reward_std, gen)
    if isinstance(tab, FiniteHorizonMDP):
        return OfflineData(s, a, r, s_next, tab.n_states, tab.n_actions, h, tab.horizon)
    return OfflineData(s, a, r, s_next, tab.n_states, tab.n_actions)


def sample_statistics(problem, data_distribution, n_samples: int, rng=None, *,
                      n_repetitions: int | None = None, transitions: bool = True) -> SufficientStatistics:
    """Sufficient statistics of ``n_samples`` i.i.d. tuples, drawn without the tuples.

    ``counts ~ Multinomial(n_samples, mu)``; ``reward_sums ~ Binomial(counts, R)`` (Bernoulli
    rewards) or ``Normal(counts R, counts std^2)`` (Gaussian); ``transition_counts[s, a] ~
    Multinomial(counts[s, a], P[s, a])``. The law is exactly that of the statistics of
    :func:`sample_offline_data`'s output.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
    data_distribution : array
        mu over pairs: (A,), (S, A), or (H, S, A) per step for finite horizon.
    n_samples : int >= 1
        Samples per dataset (per step in finite horizon, as in :func:`sample_offline_data`).
    rng : Generator, int seed or None
    n_repetitions : int, optional
        If given, a leading axis of that many independent datasets is added to every array.
    transitions : bool
        Draw transition counts (MDPs only); turn off when only rewards matter.

    Returns
    -------
    SufficientStatistics
        ``counts`` and ``reward_sums`` of shape ``(R,) + K`` and ``transition_counts`` of shape
        ``(R,) + K + (S,)``, where ``(R,)`` is present only with ``n_repetitions`` and ``K`` is
        (A,) for a bandit (no transitions), (S, A) for a contextual bandit (no transitions) or a
        discounted MDP, and (H, S, A) for a finite-horizon or linear MDP.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps.instances.random import random_mdp
    >>> from mdps.sampling import sample_statistics
    >>> stats = sample_statistics(random_mdp(4, 2, rng=0), np.full((4, 2), 1 / 8), 100, rng=0, n_repetitions=3)
    >>> stats.counts.shape, stats.transition_counts.shape, stats.n_samples.tolist()
    ((3, 4, 2), (3, 4, 2, 4), [100, 100, 100])
    """
    n = v.positive_int("n_samples", n_samples)
    flat = _pair_distribution(problem, data_distribution)
    gen = v.as_rng(rng)
    reps = 1 if n_repetitions is None else v.positive_int("n_repetitions", n_repetitions)
    if isinstance(problem, (MultiArmedBandit, ContextualBandit)):
        shape, means, P, model, std = flat.shape[1:], problem.means.reshape(1, -1), None, problem.reward_model, problem.reward_std
    else:
        P, R, tab = _layers(problem)
        means = R.reshape(R.shape[0], -1)
        model, std = tab.reward_model, tab.reward_std
    # numpy's multinomial rejects rows whose first entries sum above 1 + 1e-12; the rows here are
    # validated to 1e-8, so remove only that rounding, as cdf() does.
    flat = flat / flat.sum(axis=-1, keepdims=True)
    # counts: (reps, L, K)
    counts = gen.multinomial(n, flat, size=(reps, flat.shape[0]))
    if model == "gaussian":
        sums = counts * means + std * np.sqrt(counts) * gen.standard_normal(counts.shape)
    else:
        sums = gen.binomial(counts, means).astype(np.float64)
    trans = None
    if P is not None and transitions:
        L, S, A, _ = P.shape
        trans = gen.multinomial(counts.reshape(reps, L, S, A), P / P.sum(axis=-1, keepdims=True))
    shape = pair_shape(problem)
    lead = (reps,) if n_repetitions is not None else ()
    counts = counts.reshape(lead + shape)
    sums = sums.reshape(lead + shape)
    if trans is not None:
        trans = trans.reshape(lead + shape + (trans.shape[-1],))
    return SufficientStatistics(counts, sums, trans, n_repetitions)
