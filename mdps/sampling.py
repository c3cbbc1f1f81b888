"""Sampling: episodes, i.i.d. transitions, and sufficient statistics drawn directly.

Two Numba kernels do the loops that cannot be vectorised (an episode's next state depends on
the last one; i.i.d. next states need one draw each). Both receive a ``numpy.random.Generator``
and precomputed tables, and both have one signature whatever the problem: a discounted MDP is
passed as a one-layer "finite-horizon" array, so each kernel compiles once (``cache=True`` keeps
that across processes).

**Uniforms.** A kernel takes four 63-bit integers from the Generator (``rng.integers``) as the
state of a xoshiro256** stream (Blackman and Vigna 2018; .NET's default generator since .NET
6, a sibling of Julia's default xoshiro256++) and draws its uniforms from that stream, inlined
(:func:`_uniform`: 53-bit doubles in [0, 1), as ``Generator.random`` makes them). Calling
``rng.random()`` from Numba goes through the bit generator's function pointer, about 6 ns a call
here against about 2 ns inlined (``python benchmarks/bench_mdps.py`` prints both); at two or
three uniforms a step that was a third of the kernel's time. Normal rewards still come from ``rng.standard_normal()``. The
Generator therefore advances by four draws per call (plus the normals), the same seed gives the
same data, and two calls on one Generator use two independently seeded streams. (Episodes and
i.i.d. tuples drawn for a given seed before this stream was introduced, 2026-11-22, differ.)

**Draws.** A draw from a row uses Walker's alias method (Vose's construction,
:func:`alias_table`): row ``p`` of length ``n`` becomes ``(prob, alias)`` with
``p[i] = (prob[i] + sum_{j: alias[j] = i} (1 - prob[j])) / n``; one uniform ``u`` gives the column
``j = floor(u n)`` and the answer ``j`` if ``frac(u n) < prob[j]``, else ``alias[j]``. The kernels
read the two halves from one float64 per entry, ``alias[j] + prob[j]`` (:func:`packed_alias_table`;
an entry with ``prob = 1`` is stored as ``j + 0``, which always answers ``j``), so a step costs
one load from the table whatever ``n``. Packing rounds ``prob[j]`` to the float grid at
``alias[j]``, i.e. to a multiple of at most ``n 2^-52``: the same order as the grid of
``frac(u n)`` itself (``n 2^-53``), so the law is what it was, exact up to float rounding. A
zero-probability entry has ``prob = 0`` and is never anyone's alias, so it is never drawn.

The rollout kernel advances a batch of ``_EPISODE_BATCH`` episodes in lockstep (one step of each
in turn), so that the cache misses of independent episodes overlap instead of waiting on each
other. It draws each step's action and next-state uniform one round early and prefetches the table
entry they select (:func:`_prefetch`): under a uniform policy on the 200 x 10 benchmark MDP, whose
3 MB table does not stay in a core's cache, that took a step from about 55 to about 30 ns. It spends no uniform on a deterministic policy row (its action is known), so a
deterministic policy costs two uniforms a step (next state, Bernoulli reward). It writes only
what cannot be rebuilt by numpy (initial states, actions, rewards, next states, 4 + 8 + 4 bytes a
step); :func:`sample_episodes` rebuilds ``s`` and ``h`` vectorised.

:func:`sample_statistics` draws counts, reward sums and transition counts without any tuple
(multinomial counts, binomial reward sums, multinomial next-state counts), vectorised over
repetitions by numpy's Generator. It is what sweeps use.

Every public function validates its inputs before a kernel runs: the kernels do no bounds checks.
"""
from __future__ import annotations

import functools

import numba
import numpy as np
from llvmlite import ir as llvm_ir
from numba.core import cgutils
from numba.extending import intrinsic

from . import _NUMBA_CACHE as _CACHE
from . import _validation as v
from .core import ContextualBandit, DiscountedMDP, FiniteHorizonMDP, LinearMDP, MultiArmedBandit, policy_matrix
from .data import OfflineData, SufficientStatistics, pair_shape
from .sparse import SparseDiscountedMDP


def cdf(probabilities: np.ndarray) -> np.ndarray:
    """Cumulative sums along the last axis, scaled so that each row ends at exactly 1.0.

    The rows must be probability vectors (sums within 1e-8 of 1, else ``ValueError``); the scaling
    only removes rounding so that a uniform draw in [0, 1) always lands inside the row, and a
    zero-probability entry can never be drawn (``_draw`` returns the smallest i with u < cdf[i]).

    Parameters
    ----------
    probabilities : float array (..., n)
        Probability rows along the last axis.

    Returns
    -------
    numpy.ndarray
        The cumulative sums, same shape, each row ending at exactly 1.0.
    """
    probabilities = v.float_array("probabilities", probabilities)
    if probabilities.ndim == 0:
        raise ValueError("probabilities: expected at least a 1-d array, got a scalar")
    v.check_simplex("probabilities", probabilities)
    c = np.cumsum(probabilities, axis=-1)
    return np.ascontiguousarray(c / c[..., -1:])


@numba.njit(cache=_CACHE)
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


@numba.njit(cache=_CACHE)
def _reward(mean, gaussian, std, rng):
    if gaussian:
        return mean + std * rng.standard_normal()
    return 1.0 if rng.random() < mean else 0.0


@numba.njit(cache=_CACHE)
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
    takes column ``j = floor(u n)`` of a uniform ``u`` and returns ``j`` if ``frac(u n) < prob[j]``,
    else ``alias[j]`` (the kernels read both from :func:`packed_alias_table`). A zero-probability entry gets ``prob = 0`` and is
    no entry's alias, so it is never drawn. Rows must be probability vectors (``ValueError``).

    Parameters
    ----------
    probabilities : float array (..., n)
        Probability rows along the last axis.

    Returns
    -------
    prob : numpy.ndarray
        Float64 thresholds, the shape of ``probabilities``.
    alias : numpy.ndarray
        Int32 aliases, the shape of ``probabilities``.

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


def packed_alias_table(probabilities: np.ndarray) -> np.ndarray:
    """:func:`alias_table` packed into one float64 per entry: ``alias[j] + prob[j]``.

    An entry with ``prob = 1`` (it never aliases) is stored as ``j``, with threshold 0 and alias
    ``j``; every other threshold is in [0, 1), so ``floor`` recovers the alias and the remainder
    the threshold (exactly: the subtraction of a float's integer part is exact). Where
    ``alias + prob`` would round up to ``alias + 1`` the entry is stored one ulp below it. The
    threshold is rounded to the float grid at ``alias``, a multiple of at most ``n 2^-52`` (see the
    module docstring). Draw with ``_draw_packed``.

    Parameters
    ----------
    probabilities : float array (..., n)
        Probability rows along the last axis.

    Returns
    -------
    numpy.ndarray
        One float64 per entry, ``alias[j] + prob[j]``, the shape of ``probabilities``.

    Examples
    --------
    >>> packed_alias_table(np.array([0.5, 0.0, 0.5])).tolist()  # prob [1, 0, 0.5], alias [0, 2, 0]
    [0.0, 2.0, 0.5]
    """
    prob, alias = alias_table(probabilities)
    index = np.broadcast_to(np.arange(prob.shape[-1], dtype=np.float64), prob.shape)
    whole = np.where(prob >= 1.0, index, alias.astype(np.float64))
    packed = whole + np.where(prob >= 1.0, 0.0, prob)
    rounded_up = packed >= whole + 1.0
    packed[rounded_up] = np.nextafter(whole[rounded_up] + 1.0, 0.0)
    return packed


@numba.njit(inline="always")
def _draw_packed(row, u):
    # Column floor(u n); u < 1, and the min guards u * n rounding up to n.
    n = row.shape[0]
    x = u * n
    j = min(int(x), n - 1)
    entry = row[j]
    alias = int(entry)
    # A select, not a branch: the coin is a fair guess for the branch predictor.
    return j if x - j < entry - alias else alias


# xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2018/2021),
# state: uint64[4], never all zero.
@numba.njit(inline="always")
def _rotate_left(x, k):
    return (x << numba.uint64(k)) | (x >> numba.uint64(64 - k))


@numba.njit(inline="always")
def _uniform(stream):
    """``(u, stream)``: the next double in [0, 1) of the xoshiro256** ``stream`` and the advanced stream.

    ``stream`` is a tuple of four uint64 words, never all zero. ``u = (next >> 11) 2^-53``, the
    construction of ``Generator.random``: 53 random bits. The state is a tuple of values, not an
    array, so that after inlining LLVM keeps it in registers: an array would be reloaded after every
    store to an output array (they might alias), which measured ~10 ns a step."""
    s0, s1, s2, s3 = stream
    result = _rotate_left(s1 * numba.uint64(5), 7) * numba.uint64(9)
    t = s1 << numba.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotate_left(s3, 45)
    return (result >> numba.uint64(11)) * (1.0 / 9007199254740992.0), (s0, s1, s2, s3)


#: Exclusive upper end of the four seed draws (63-bit integers, as int64 holds them).
_STATE_HIGH = 2**63 - 1


@numba.njit(cache=_CACHE)
def _stream_state(rng):
    """A xoshiro256** stream seeded with four 63-bit draws from ``rng`` (all zero, never seen, becomes 1)."""
    s0 = numba.uint64(rng.integers(0, _STATE_HIGH))
    s1 = numba.uint64(rng.integers(0, _STATE_HIGH))
    s2 = numba.uint64(rng.integers(0, _STATE_HIGH))
    s3 = numba.uint64(rng.integers(0, _STATE_HIGH))
    if s0 == 0 and s1 == 0 and s2 == 0 and s3 == 0:
        s0 = numba.uint64(1)
    return (s0, s1, s2, s3)


@numba.njit(cache=_CACHE)
def _uniforms(rng, n):
    """``n`` uniforms of a stream seeded from ``rng`` as a kernel seeds it (for tests and twins)."""
    stream = _stream_state(rng)
    out = np.empty(n, np.float64)
    for i in range(n):
        out[i], stream = _uniform(stream)
    return out


@numba.njit(inline="always")
def _draw_reward(mean, gaussian, std, stream, rng):
    """``(reward, stream)``: Bernoulli(mean) from the stream, or mean + std N(0, 1) from ``rng``."""
    if gaussian:
        return mean + std * rng.standard_normal(), stream
    u, stream = _uniform(stream)
    return 1.0 if u < mean else 0.0, stream


def _single_actions(policy):
    """``single[h, s]``: the only action of a deterministic policy row, or -1 when the row is random
    (then the kernel spends a uniform on it)."""
    positive = policy > 0
    return np.where(positive.sum(axis=-1) == 1, positive.argmax(axis=-1), -1).astype(np.int64)


#: Episodes the rollout kernel advances in lockstep (the twin in the tests follows the same order).
_EPISODE_BATCH = 16


@intrinsic
def _prefetch(typingctx, table, row, column):
    """Ask the CPU to start loading ``table[row, column]`` (a 2-d array) into its caches.

    LLVM's ``llvm.prefetch`` (read, high locality): a hint that changes no result. The rollout
    kernel knows the table entry of an episode's next step one step early (it plans each step's
    action and uniform in the round before) and prefetches it, so that up to ``_EPISODE_BATCH``
    cache misses are under way at once instead of as many as the out-of-order window holds."""
    if not (isinstance(table, numba.types.Array) and table.ndim == 2):
        return None
    signature = numba.types.void(table, row, column)

    def codegen(context, builder, sig, args):
        array_type = sig.args[0]
        array = context.make_array(array_type)(context, builder, args[0])
        pointer = cgutils.get_item_pointer(context, builder, array_type, array, [args[1], args[2]])
        byte_pointer = builder.bitcast(pointer, llvm_ir.IntType(8).as_pointer())
        int32 = llvm_ir.IntType(32)
        function_type = llvm_ir.FunctionType(llvm_ir.VoidType(), [byte_pointer.type, int32, int32, int32])
        function = cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
        builder.call(function, [byte_pointer, llvm_ir.Constant(int32, 0), llvm_ir.Constant(int32, 3),
                                llvm_ir.Constant(int32, 1)])
        return context.get_dummy_value()

    return signature, codegen


@numba.njit(cache=_CACHE)
def _rollout_kernel(P_table, R, single, pi_table, initial_table, n_episodes, n_steps, gaussian, std, rng):
    """Episodes of ``n_steps``; layer h of P, R and the policy is ``min(h, n_layers - 1)``.

    Tables are packed alias tables. Episodes run in batches of ``_EPISODE_BATCH``: the initial
    states of the batch, then rounds ``k = 0 .. n_steps`` over the batch, where round k takes step
    k - 1 of each episode (its next state from the planned action and uniform, then the reward: a
    uniform, or a normal from ``rng``) and then plans step k: the action (a uniform only for a
    random policy row, none when ``single[h, s] >= 0``) and the next-state uniform, whose table
    entry is prefetched (:func:`_prefetch`) while the rest of the batch steps. Returns, in episode
    order, the initial states (n_episodes,) and the actions, rewards and next states
    (n_episodes * n_steps,).
    """
    L, S, A, _ = P_table.shape
    # Rows of P addressed by one flat index, so a step does no slicing of 4-d arrays.
    rows = P_table.reshape(L * S * A, S)
    R_flat = R.reshape(L * S * A)
    n = n_episodes * n_steps
    initial_out = np.empty(n_episodes, np.int32)
    a_out = np.empty(n, np.int32)
    r_out = np.empty(n, np.float64)
    t_out = np.empty(n, np.int32)
    last_p = L - 1
    last_pi = single.shape[0] - 1
    stream = _stream_state(rng)
    state = np.empty(_EPISODE_BATCH, np.int64)
    action = np.empty(_EPISODE_BATCH, np.int64)
    next_uniform = np.empty(_EPISODE_BATCH, np.float64)
    for first in range(0, n_episodes, _EPISODE_BATCH):
        m = min(_EPISODE_BATCH, n_episodes - first)
        for b in range(m):
            u, stream = _uniform(stream)
            state[b] = _draw_packed(initial_table, u)
            initial_out[first + b] = state[b]
        for k in range(n_steps + 1):
            layer_taken = min(k - 1, last_p) * S
            hpi = min(k, last_pi)
            layer = min(k, last_p) * S
            for b in range(m):
                s = state[b]
                if k > 0:  # take step k - 1
                    row = (layer_taken + s) * A + action[b]
                    s = _draw_packed(rows[row], next_uniform[b])
                    i = (first + b) * n_steps + k - 1
                    a_out[i] = action[b]
                    r_out[i], stream = _draw_reward(R_flat[row], gaussian, std, stream, rng)
                    t_out[i] = s
                    state[b] = s
                if k < n_steps:  # plan step k
                    a = single[hpi, s]
                    if a < 0:
                        u, stream = _uniform(stream)
                        a = _draw_packed(pi_table[hpi, s], u)
                    u, stream = _uniform(stream)
                    _prefetch(rows, (layer + s) * A + a, min(int(u * S), S - 1))
                    action[b] = a
                    next_uniform[b] = u
    return initial_out, a_out, r_out, t_out


@numba.njit(inline="always")
def _draw_packed_csr(packed, start, n, u):
    """:func:`_draw_packed` on the ``n`` entries ``packed[start:start + n]`` of a CSR row (a position in the row)."""
    x = u * n
    j = min(int(x), n - 1)
    entry = packed[start + j, 0]
    alias = int(entry)
    return j if x - j < entry - alias else alias


@numba.njit(cache=_CACHE)
def _sparse_rollout_kernel(indptr, indices, packed, R, single, pi_table, initial_table, n_episodes, n_steps,
                           gaussian, std, rng):
    """:func:`_rollout_kernel` for a sparse P (one layer): the same batches, rounds and uniforms.

    Row ``s A + a`` of P is ``indices[indptr[k]:indptr[k + 1]]`` with its packed alias table
    ``packed[indptr[k]:indptr[k + 1], 0]`` (positions within the row); a draw reads one entry of
    the table and one of ``indices``. Each uniform is spent where the dense kernel spends it, so a
    problem whose every row has one successor gives the dense kernel's data exactly."""
    S, A = R.shape
    R_flat = R.reshape(S * A)
    n = n_episodes * n_steps
    initial_out = np.empty(n_episodes, np.int32)
    a_out = np.empty(n, np.int32)
    r_out = np.empty(n, np.float64)
    t_out = np.empty(n, np.int32)
    last_pi = single.shape[0] - 1
    stream = _stream_state(rng)
    state = np.empty(_EPISODE_BATCH, np.int64)
    action = np.empty(_EPISODE_BATCH, np.int64)
    next_uniform = np.empty(_EPISODE_BATCH, np.float64)
    for first in range(0, n_episodes, _EPISODE_BATCH):
        m = min(_EPISODE_BATCH, n_episodes - first)
        for b in range(m):
            u, stream = _uniform(stream)
            state[b] = _draw_packed(initial_table, u)
            initial_out[first + b] = state[b]
        for k in range(n_steps + 1):
            hpi = min(k, last_pi)
            for b in range(m):
                s = state[b]
                if k > 0:  # take step k - 1
                    row = s * A + action[b]
                    start = indptr[row]
                    s = indices[start + _draw_packed_csr(packed, start, indptr[row + 1] - start, next_uniform[b])]
                    i = (first + b) * n_steps + k - 1
                    a_out[i] = action[b]
                    r_out[i], stream = _draw_reward(R_flat[row], gaussian, std, stream, rng)
                    t_out[i] = s
                    state[b] = s
                if k < n_steps:  # plan step k
                    a = single[hpi, s]
                    if a < 0:
                        u, stream = _uniform(stream)
                        a = _draw_packed(pi_table[hpi, s], u)
                    u, stream = _uniform(stream)
                    row = s * A + a
                    start = indptr[row]
                    _prefetch(packed, start + min(int(u * (indptr[row + 1] - start)), indptr[row + 1] - start - 1), 0)
                    action[b] = a
                    next_uniform[b] = u
    return initial_out, a_out, r_out, t_out


@numba.njit(cache=_CACHE)
def _iid_kernel(P_table, R, pair_table, n_per_layer, gaussian, std, rng):
    """For each layer h, ``n_per_layer`` i.i.d. (s, a) ~ mu[h], then r and s' (packed alias tables;
    layer ``min(h, L - 1)`` of the L layers of ``P_table``, so a stationary P is passed once).

    Returns the flat pair indices ``s A + a``, rewards and next states, layer by layer."""
    n_layers, S, A = R.shape
    last_p = P_table.shape[0] - 1  # 0 for a stationary P stored once
    n = n_layers * n_per_layer
    k_out = np.empty(n, np.int32)
    r_out = np.empty(n, np.float64)
    t_out = np.empty(n, np.int32)
    stream = _stream_state(rng)
    i = 0
    for h in range(n_layers):
        for _ in range(n_per_layer):
            u, stream = _uniform(stream)
            k = _draw_packed(pair_table[h], u)
            s = k // A
            a = k - s * A
            k_out[i] = k
            r_out[i], stream = _draw_reward(R[h, s, a], gaussian, std, stream, rng)
            u, stream = _uniform(stream)
            t_out[i] = _draw_packed(P_table[min(h, last_p), s, a], u)
            i += 1
    return k_out, r_out, t_out


@numba.njit(cache=_CACHE)
def _sparse_iid_kernel(indptr, indices, packed, R, pair_table, n, gaussian, std, rng):
    """:func:`_iid_kernel` for a sparse P (one layer, CSR rows as in :func:`_sparse_rollout_kernel`):
    the same uniforms in the same order, so rows with one successor give the dense kernel's data."""
    S, A = R.shape
    k_out = np.empty(n, np.int32)
    r_out = np.empty(n, np.float64)
    t_out = np.empty(n, np.int32)
    stream = _stream_state(rng)
    for i in range(n):
        u, stream = _uniform(stream)
        k = _draw_packed(pair_table[0], u)
        s = k // A
        a = k - s * A
        k_out[i] = k
        r_out[i], stream = _draw_reward(R[s, a], gaussian, std, stream, rng)
        u, stream = _uniform(stream)
        begin = indptr[k]
        t_out[i] = indices[begin + _draw_packed_csr(packed, begin, indptr[k + 1] - begin, u)]
    return k_out, r_out, t_out


def _layers(mdp):
    """(P (L, S, A, S), R (L, S, A)) with L = 1 for discounted and L = H for finite horizon."""
    if isinstance(mdp, LinearMDP):
        mdp = mdp.tabular
    if isinstance(mdp, DiscountedMDP):
        return mdp.P[None], mdp.R[None], mdp
    if isinstance(mdp, FiniteHorizonMDP):
        return mdp.P, mdp.R, mdp
    raise TypeError(f"mdp: expected a DiscountedMDP, FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}")


def _memory_guard(argument: str):
    """Turn a ``MemoryError`` (numpy's, or a kernel's) into a ``ValueError`` naming ``argument``.

    The sizes are checked against the machine's memory before anything is allocated; this catches
    what that check cannot see (memory already in use, an address-space limit)."""
    def decorate(fn):
        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except MemoryError as err:
                raise ValueError(f"{argument}: expected a size whose arrays fit in the free memory, "
                                 f"got one that does not ({err or 'MemoryError'})") from None
        return guarded
    return decorate


#: Bytes a sampled tuple takes at the peak of :func:`sample_episodes` / :func:`sample_offline_data`
#: (the kernel's outputs, then the int64 / float64 arrays of the OfflineData and their copies).
BYTES_PER_TUPLE = 96


@_memory_guard("n_episodes, n_steps")
def sample_episodes(mdp, policy, n_episodes: int, rng=None, *, n_steps: int | None = None) -> OfflineData:
    r"""Roll out ``policy`` for ``n_episodes`` episodes from the initial distribution.

    Each episode draws :math:`s_0 \sim \rho`, then for :math:`h = 0, \dots, n_{\text{steps}} - 1`:
    :math:`a_h \sim \pi_h(\cdot \mid s_h)`, :math:`r_h` from the reward model around
    :math:`R_h(s_h, a_h)`, and :math:`s_{h+1} \sim P_h(\cdot \mid s_h, a_h)`. A discounted MDP is
    rolled out for ``n_steps`` steps without discounting or stopping (the discount is the
    learner's business).

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem to simulate (a sparse one through a kernel that reads its CSR arrays).
    policy : int array (S,) / (H, S) or float array (S, A) / (H, S, A)
        Deterministic or stochastic; a stationary (S,)- or (S, A)-shaped policy is used at every
        step.
    n_episodes : int >= 1
        Number of episodes.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness (see :ref:`conventions-seeding`); the same seed gives the same data.
    n_steps : int, optional
        Episode length; required for a discounted MDP, and must equal H (the default) otherwise.

    Returns
    -------
    OfflineData
        ``n_episodes * n_steps`` tuples in episode order, with ``h`` the step within the episode
        and ``horizon = n_steps``.

    Raises
    ------
    ValueError
        If ``n_steps`` is missing (discounted) or differs from H, the policy has the wrong
        shape, or the tuples would not fit in memory.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> data = sample_episodes(chain_mdp(), [1] * 6, n_episodes=3, rng=0, n_steps=5)
    >>> len(data), data.h[:5].tolist()
    (15, [0, 1, 2, 3, 4])
    """
    if isinstance(mdp, SparseDiscountedMDP):
        P, R, tab = None, mdp.R[None], mdp
    else:
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
    v.check_allocation("n_steps", n_steps, BYTES_PER_TUPLE, "steps")
    v.check_allocation("n_episodes * n_steps", n_episodes * n_steps, BYTES_PER_TUPLE, "tuples")
    rng = v.as_rng(rng)
    pi = policy_matrix(policy, A)
    if pi.shape == (S, A):
        pi = pi[None]
    elif not (isinstance(tab, FiniteHorizonMDP) and pi.shape == (tab.horizon, S, A)):
        raise ValueError(f"policy: expected shape ({S},), ({S}, {A}) or a per-step policy, got {np.shape(policy)}")
    if P is None:
        initial, a, r, s_next = _sparse_rollout_kernel(
            tab.P.indptr, tab.P.indices, tab._alias_tables.reshape(-1, 1), tab.R, _single_actions(pi),
            packed_alias_table(pi), packed_alias_table(tab.initial), n_episodes, n_steps,
            tab.reward_model == "gaussian", tab.reward_std, rng)
    else:
        # The tables of P are cached on the MDP (one layer for a stationary one: the kernel reads
        # layer min(h, L - 1), and each row's table depends on that row alone, so the data are the same).
        P_table, R = tab._sampling_tables
        initial, a, r, s_next = _rollout_kernel(
            P_table, R, _single_actions(pi), packed_alias_table(pi), packed_alias_table(tab.initial),
            n_episodes, n_steps, tab.reward_model == "gaussian", tab.reward_std, rng)
    # The kernel's outputs are in range by construction: OfflineData's checks and copies are skipped.
    return OfflineData._trusted(_episode_states(initial, s_next, n_steps), a, r, s_next, S, A,
                                np.tile(np.arange(n_steps), n_episodes), n_steps)


def _episode_states(initial, next_states, n_steps):
    """The state of every step: the initial state, then the previous step's next state."""
    states = np.empty((initial.shape[0], n_steps), np.int64)
    states[:, 0] = initial
    states[:, 1:] = next_states.reshape(-1, n_steps)[:, :-1]
    return states.reshape(-1)


def _pair_distribution(problem, data_distribution):
    """Validate ``data_distribution`` against the problem; returns (layers, flattened (L, K) mu)."""
    shape = pair_shape(problem)
    like = f"the pairs of problem, a {type(problem).__name__}"
    mu = v.float_array("data_distribution", data_distribution, ndim=len(shape), shape=shape, like=like)
    flat = mu.reshape(-1, shape[-2] * shape[-1]) if len(shape) == 3 else mu.reshape(1, -1)
    v.check_simplex("data_distribution", flat)
    return flat


@_memory_guard("n_samples")
def sample_offline_data(problem, data_distribution, n_samples: int, rng=None) -> OfflineData:
    r"""``n_samples`` i.i.d. tuples with :math:`(s, a) \sim \mu` = ``data_distribution``.

    Each tuple draws :math:`(s, a) \sim \mu`, a reward from the reward model around the mean
    reward of :math:`(s, a)` and, for an MDP, :math:`s' \sim P(\cdot \mid s, a)`. Bandits give
    (s, a, r) with ``s_next=None`` (a multi-armed bandit has ``s = 0``). A finite-horizon MDP
    takes a per-step distribution of shape (H, S, A) and draws ``n_samples`` tuples at every step.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem to sample from.
    data_distribution : array
        :math:`\mu` over pairs: (A,), (S, A), or (H, S, A) per step for finite horizon (each
        step a probability vector); see :func:`~mdps.data_distribution`.
    n_samples : int >= 1
        Tuples per dataset (per step in finite horizon).
    rng : numpy.random.Generator, int or None, optional
        Source of randomness (see :ref:`conventions-seeding`).

    Returns
    -------
    OfflineData
        The tuples (with ``h`` and ``horizon`` in finite horizon, step by step).

    Raises
    ------
    ValueError
        If ``data_distribution`` has the wrong shape or is not a distribution, or the tuples
        (``n_samples``, times H in finite horizon) would not fit in memory
        (:data:`BYTES_PER_TUPLE` bytes each against the machine's physical memory).

    See Also
    --------
    sample_statistics : the same law, drawn as counts without the tuples.

    Examples
    --------
    >>> from mdps import MultiArmedBandit
    >>> data = sample_offline_data(MultiArmedBandit([0.2, 0.9]), [0.5, 0.5], 1000, rng=0)
    >>> len(data), data.s_next is None, data.statistics.counts.shape
    (1000, True, (2,))
    """
    n = v.positive_int("n_samples", n_samples)
    flat = _pair_distribution(problem, data_distribution)
    v.check_allocation("n_samples" if flat.shape[0] == 1 else "n_samples * horizon", n * flat.shape[0],
                       BYTES_PER_TUPLE, "tuples")
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
    if isinstance(problem, SparseDiscountedMDP):
        pair, r, s_next = _sparse_iid_kernel(problem.P.indptr, problem.P.indices, problem._alias_tables.reshape(-1, 1),
                                             problem.R, packed_alias_table(flat), n,
                                             problem.reward_model == "gaussian", problem.reward_std, gen)
        s, a = np.divmod(pair, problem.n_actions)
        return OfflineData(s, a, r, s_next, problem.n_states, problem.n_actions)
    P, R, tab = _layers(problem)
    P_table, R_table = tab._sampling_tables
    if R_table.shape[0] != R.shape[0]:  # a stationary finite-horizon MDP: its rewards at every step
        R_table = np.ascontiguousarray(R)
    pair, r, s_next = _iid_kernel(P_table, R_table, packed_alias_table(flat), n,
                                  tab.reward_model == "gaussian", tab.reward_std, gen)
    s, a = np.divmod(pair, tab.n_actions)
    if isinstance(tab, FiniteHorizonMDP):
        return OfflineData(s, a, r, s_next, tab.n_states, tab.n_actions, np.repeat(np.arange(tab.horizon), n),
                           tab.horizon)
    return OfflineData(s, a, r, s_next, tab.n_states, tab.n_actions)


@_memory_guard("n_samples, n_repetitions")
def sample_statistics(problem, data_distribution, n_samples: int, rng=None, *,
                      n_repetitions: int | None = None, transitions: bool = True) -> SufficientStatistics:
    r"""Sufficient statistics of ``n_samples`` i.i.d. tuples, drawn without the tuples.

    With :math:`N(s, a)` the counts, :math:`W(s, a)` the reward sums and :math:`n` = ``n_samples``:

    .. math::

        N \sim \mathrm{Multinomial}(n, \mu), \qquad
        W(s, a) \mid N \sim \mathrm{Binomial}(N(s, a), R(s, a)), \qquad
        N(s, a, \cdot) \mid N \sim \mathrm{Multinomial}(N(s, a), P(\cdot \mid s, a)),

    and, for Gaussian rewards of standard deviation :math:`\sigma`,
    :math:`W(s, a) \mid N \sim \mathcal{N}(N(s, a) R(s, a), N(s, a) \sigma^2)`. The law
    is exactly that of the statistics of :func:`sample_offline_data`'s output; the cost does not
    grow with ``n_samples``, which is how sweeps over millions of samples stay fast.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem to sample from.
    data_distribution : array
        :math:`\mu` over pairs: (A,), (S, A), or (H, S, A) per step for finite horizon.
    n_samples : int >= 1
        Samples per dataset (per step in finite horizon, as in :func:`sample_offline_data`); at
        most :math:`2^{53}` in total.
    rng : numpy.random.Generator, int or None, optional
        Source of randomness (see :ref:`conventions-seeding`).
    n_repetitions : int, optional
        If given, a leading axis of that many independent datasets is added to every array.
    transitions : bool, default True
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
    if isinstance(problem, SparseDiscountedMDP):
        raise TypeError("problem: expected a bandit or a dense MDP (transition counts of a sparse MDP would be "
                        "dense, S A S), got SparseDiscountedMDP; use sample_offline_data(...).statistics")
    n = v.positive_int("n_samples", n_samples)
    flat = _pair_distribution(problem, data_distribution)
    if n * flat.shape[0] > v.MAX_COUNT:
        raise ValueError(
            f"n_samples: expected at most {v.MAX_COUNT // flat.shape[0]} (a dataset of at most 2**53 tuples, "
            f"the largest count a float64 holds exactly), got {n}"
        )
    gen = v.as_rng(rng)
    reps = 1 if n_repetitions is None else v.positive_int("n_repetitions", n_repetitions)
    if not v.is_bool(transitions):
        raise v.ArgumentTypeError(f"transitions: expected True or False, got {transitions!r}")
    n_pairs = flat.shape[0] * flat.shape[1]
    n_next = problem.n_states if (transitions and not isinstance(problem, (MultiArmedBandit, ContextualBandit))) else 0
    v.check_allocation("n_repetitions", reps * n_pairs * (n_next + 3), 8, "entries of the statistics")
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
    return SufficientStatistics(counts, sums, trans, n_repetitions,
                                reward_range=None if model == "gaussian" else (0.0, 1.0))
