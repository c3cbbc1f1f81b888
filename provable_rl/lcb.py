"""Pessimism (LCB) for offline bandits, contextual bandits and discounted MDPs.

Rashidinejad, Zhu, Ma, Jiao & Russell (2021), "Bridging Offline RL and Imitation Learning: A Tale
of Pessimism" (NeurIPS 2021; IEEE Trans. Inf. Theory 2022). Notation and confidence tags follow
``theory/lcb.md``.

Theorems implemented (rates up to constants and log factors; delta = 1/N inside the algorithm,
C* = max d^{pi*}(s, a) / mu(s, a) the single-policy concentrability):

- Multi-armed bandit [recalled]: LCB has E[J(a*) - J(a_hat)] <~ min(1, sqrt(C* log N / N)), minimax
  optimal for C* >= 2; for C* in (1, 2) it is only polynomial while imitation (the most-played arm)
  is exponentially small: LCB is *not* adaptively optimal for MABs.
- Contextual bandit, |S| >= 2 [paper: adaptively optimal; recalled: the form]: LCB has
  E[subopt] <~ min(1, sqrt(S (C* - 1) / N) + S / N) up to logs, i.e. 1/N on nearly-expert data.
- Discounted MDP [recalled]: VI-LCB has E[subopt] <~ min(1/(1-gamma), sqrt(S C* / ((1-gamma)^5 N)))
  up to logs, and ~ S / ((1-gamma)^4 N) on nearly-expert data; "almost" adaptively optimal.

Conventions shared by every rule here (theory/lcb.md §2.1):

- A **seen** action (count >= 1) always ranks above an **unseen** one. The paper's recalled
  convention (unseen LCB = -1) can rank a seen-once arm below an unseen one once log(2|A|/delta) > 8.
- Ties are broken uniformly at random with the caller's Generator, by an explicit choice among the
  exact maximisers (never by adding a tiny number to a huge sentinel, which float64 absorbs).
- Every function accepts raw :class:`mdps.OfflineData` or :class:`mdps.SufficientStatistics`; the
  statistics may carry a leading axis of independent repetitions (the batched path the sweeps use:
  one vectorised call for thousands of datasets).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mdps import _validation as v
from mdps.data import OfflineData, SufficientStatistics

__all__ = [
    "BanditResult", "VILCBResult", "bandit_lcb", "contextual_empirical_best", "contextual_lcb",
    "contextual_most_played", "empirical_best_arm", "hoeffding_penalty", "most_played_arm",
    "n_vi_lcb_iterations", "pessimistic_value_iteration", "random_argmax", "seen_argmax",
    "vi_lcb", "vi_lcb_penalty",
]

#: The constant the paper puts inside VI-LCB's log term, [recalled] (theory/lcb.md §2.3).
PAPER_LOG_CONSTANT = 2000.0


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------

def random_argmax(values, rng=None) -> np.ndarray:
    """Argmax over the last axis with ties broken uniformly at random.

    The maximisers are found by exact comparison with the row maximum, then one of them is drawn
    uniformly (a random key per candidate, -1 for the others). Unlike ``argmax(values + tiny *
    noise)`` this cannot be defeated by a large value absorbing the noise.

    Parameters
    ----------
    values : float array (..., K)
    rng : Generator, int seed or None

    Returns
    -------
    int array (...)
    """
    vals = np.asarray(v.real_array("values", values), dtype=float)
    if vals.ndim == 0 or vals.shape[-1] == 0:
        raise ValueError(f"values: expected an array with a non-empty last axis, got shape {vals.shape}")
    if np.any(np.isnan(vals)):
        raise ValueError("values: expected no NaN")
    gen = v.as_rng(rng)
    candidates = vals == vals.max(axis=-1, keepdims=True)
    keys = np.where(candidates, gen.random(vals.shape), -1.0)
    return keys.argmax(axis=-1)


def seen_argmax(scores, counts, rng=None) -> np.ndarray:
    """Argmax of ``scores`` over the *seen* actions (``counts >= 1``), ties at random.

    Rows without any seen action return an action drawn uniformly at random.

    Parameters
    ----------
    scores : float array (..., K)
        The score of each action (only entries with ``counts >= 1`` are used; others may be anything
        finite or infinite).
    counts : int array (..., K)

    Returns
    -------
    int array (...)
    """
    scores = np.asarray(v.real_array("scores", scores), dtype=float)
    if np.any(np.isnan(scores)):
        raise ValueError("scores: expected no NaN (unseen actions may be -inf), got NaN")
    counts = _counts(counts)
    if scores.shape != counts.shape:
        raise ValueError(f"counts: expected the shape of scores {scores.shape}, got {counts.shape}")
    seen = counts > 0
    any_seen = seen.any(axis=-1, keepdims=True)
    # -inf marks unseen entries; a row with nothing seen becomes all-zero (a uniform draw).
    ranked = np.where(seen, scores, -np.inf)
    ranked = np.where(any_seen, ranked, 0.0)
    return random_argmax(ranked, rng)


def _counts(value, name="counts") -> np.ndarray:
    """Non-negative integer counts of at most :data:`mdps._validation.MAX_COUNT` (a read-only int64 copy)."""
    n = v.int_array(name, value)
    if n.size and n.max() > v.MAX_COUNT:
        raise ValueError(f"{name}: expected counts of at most {v.MAX_COUNT}, got {n.max()}")
    return n


def hoeffding_penalty(counts, log_term, scale: float = 1.0) -> np.ndarray:
    """The Hoeffding width ``scale * sqrt(log_term / (2 max(N, 1)))`` for rewards in [0, 1].

    With ``log_term = log(2 K / delta)`` (a union bound over K pairs) the bound
    ``|r_hat(a) - r(a)| <= b(a)`` holds for every seen pair at once with probability >= 1 - delta
    given the counts (theory/lcb.md §2.1, [derived]). Unseen pairs get the width of one sample;
    the selection rules never rank them by it.

    Parameters
    ----------
    counts : int array (..., K)
        N(a) or N(s, a), non-negative.
    log_term : float or float array broadcasting against ``counts``
        log(2 K / delta), finite and >= 0.
    scale : float >= 0
        The constant c_b in front (1 is Hoeffding's).

    Returns
    -------
    float array, the broadcast shape of ``counts`` and ``log_term``
        The width b >= 0.

    Examples
    --------
    >>> float(hoeffding_penalty(8, 4.0))   # sqrt(4 / 16)
    0.5
    """
    n = _counts(counts)
    log = np.asarray(v.real_array("log_term", log_term), dtype=float)
    if not np.all(np.isfinite(log)) or np.any(log < 0):
        raise ValueError(f"log_term: expected finite values >= 0, got {log_term!r}")
    return _scale(scale, "scale") * np.sqrt(log / (2.0 * np.maximum(n, 1)))


# --------------------------------------------------------------------------------------------
# Bandits
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BanditResult:
    """The choice of an offline bandit rule.

    Attributes
    ----------
    policy : int or int array
        MAB: the chosen arm (an int, or shape (R,) with a repetition axis).
        CB: the action per context, shape (S,) or (R, S).
    scores : float array
        The score each rule ranked by (LCB, empirical mean or count), shape of the counts; unseen
        entries hold ``-inf``.
    delta : float or float array or None
        The confidence level used (LCB only), per repetition when batched.
    """

    policy: object
    scores: np.ndarray
    delta: object = None


def _statistics(data, kind: str):
    """(counts, reward_sums, batched) with counts of shape (R, *K) for the given problem kind.

    Batching is read from ``SufficientStatistics.n_repetitions``, never guessed from the shape: a
    contextual bandit's (S, A) counts and R bandit datasets' (R, A) counts look alike.
    """
    if isinstance(data, OfflineData):
        if data.h is not None or data.horizon is not None:
            raise ValueError("data: expected bandit data without a time step h (finite-horizon data given)")
        if data.s_next is not None:
            raise ValueError("data: expected bandit data without next states (MDP transitions given)")
        stats = data.statistics
        if kind == "mab":
            if data.n_states != 1:
                raise ValueError(f"data: expected multi-armed bandit data (n_states 1), got n_states {data.n_states}")
            counts, sums = stats.counts.reshape(-1), stats.reward_sums.reshape(-1)
        else:
            counts = stats.counts.reshape(data.n_states, data.n_actions)
            sums = stats.reward_sums.reshape(data.n_states, data.n_actions)
        return counts[None], sums[None], False
    if not isinstance(data, SufficientStatistics):
        raise TypeError(f"data: expected OfflineData or SufficientStatistics, got {type(data).__name__}")
    single = 1 if kind == "mab" else 2
    shape = "(A,)" if kind == "mab" else "(S, A)"
    counts, sums = data.counts, data.reward_sums
    if data.n_repetitions is not None:
        if counts.ndim != single + 1:
            raise ValueError(f"data: expected counts of shape (R,) + {shape} with n_repetitions R = "
                             f"{data.n_repetitions}, got {counts.shape}")
        return counts, sums, True
    if counts.ndim != single:
        raise ValueError(f"data: expected counts of shape {shape} for one dataset (set n_repetitions for a "
                         f"leading axis of independent datasets), got {counts.shape}")
    return counts[None], sums[None], False


def _delta(delta, counts):
    """Per-repetition delta, shape (R,): 1/N by default."""
    n_samples = counts.reshape(counts.shape[0], -1).sum(axis=1)
    if np.any(n_samples < 1):
        raise ValueError("data: expected at least one sample in every dataset, got an empty one")
    if delta is None:
        return 1.0 / n_samples
    return np.full(counts.shape[0], v.probability("delta", delta))


def _scale(value, name="penalty_scale") -> float:
    return v.nonnegative_float(name, value)


def _lcb(data, kind, delta, penalty_scale, rng):
    counts, sums, batched = _statistics(data, kind)
    c = _scale(penalty_scale)
    gen = v.as_rng(rng)
    d = _delta(delta, counts)
    n_pairs = counts[0].size
    log_term = np.log(2.0 * n_pairs / d).reshape((-1,) + (1,) * (counts.ndim - 1))
    r_hat = sums / np.maximum(counts, 1)
    scores = np.where(counts > 0, r_hat - hoeffding_penalty(counts, log_term, c), -np.inf)
    policy = seen_argmax(scores, counts, gen)
    return _result(policy, scores, d, batched)


def _result(policy, scores, d, batched):
    if batched:
        return BanditResult(policy, scores, d)
    pol = policy[0]
    return BanditResult(int(pol) if pol.ndim == 0 else pol, scores[0], None if d is None else float(d[0]))


def _imitate(data, kind, rng):
    counts, _, batched = _statistics(data, kind)
    scores = np.where(counts > 0, counts.astype(float), -np.inf)
    return _result(seen_argmax(scores, counts, v.as_rng(rng)), scores, None, batched)


def _greedy(data, kind, rng):
    counts, sums, batched = _statistics(data, kind)
    scores = np.where(counts > 0, sums / np.maximum(counts, 1), -np.inf)
    return _result(seen_argmax(scores, counts, v.as_rng(rng)), scores, None, batched)


def bandit_lcb(data, *, delta=None, penalty_scale: float = 1.0, rng=None) -> BanditResult:
    """LCB for an offline multi-armed bandit (Rashidinejad et al. 2021, Algorithm 1 / §3).

    ``a_hat = argmax over seen arms of r_hat(a) - c sqrt(log(2|A|/delta) / (2 N(a)))``.

    The penalty is Hoeffding's with a union bound over arms (theory/lcb.md §2.1; the exact constant
    of the paper is [recalled], this one is [derived] and valid for rewards in [0, 1]).
    Departure from the paper: unseen arms rank below every seen arm instead of receiving LCB = -1,
    which keeps rates and improves constants (theory/lcb.md §2.1).

    Parameters
    ----------
    data : OfflineData (one state) or SufficientStatistics
        Statistics have counts of shape (A,), or (R, A) with ``n_repetitions = R`` (R independent
        datasets, batched; the leading axis is never guessed from the shape).
    delta : float in (0, 1), optional
        Confidence level; default ``1 / N`` (per dataset), as in the paper's theorems.
    penalty_scale : float >= 0
        The constant c in front of the penalty (1: Hoeffding; 0: the empirical best arm).
    rng : Generator, int seed or None
        For tie-breaking.

    Returns
    -------
    BanditResult
        ``policy`` is the arm (int, or (R,) when batched); ``scores`` the LCB values.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> stats = SufficientStatistics(np.array([90, 1]), np.array([54.0, 1.0]))
    >>> bandit_lcb(stats, rng=0).policy   # the arm seen once with reward 1 is not trusted
    0
    """
    return _lcb(data, "mab", delta, penalty_scale, rng)


def most_played_arm(data, *, rng=None) -> BanditResult:
    """Imitation (behaviour cloning) for a MAB: ``argmax_a N(a)``, ties at random (theory/lcb.md §1).

    The paper's foil for C* in (1, 2): exponentially small error when mu(a*) > 1/2, constant error
    when C* >= 2 allows a better-covered suboptimal arm.

    Parameters
    ----------
    data : OfflineData (one state) or SufficientStatistics
        Counts of shape (A,), or (R, A) with ``n_repetitions = R`` (R independent datasets).
    rng : Generator, int seed or None
        For tie-breaking (and the arm of a dataset without samples).

    Returns
    -------
    BanditResult
        ``policy`` is the arm (int, or (R,) when batched); ``scores`` the counts (-inf if unseen).

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> most_played_arm(SufficientStatistics(np.array([90, 1]), np.array([54.0, 1.0])), rng=0).policy
    0
    """
    return _imitate(data, "mab", rng)


def empirical_best_arm(data, *, rng=None) -> BanditResult:
    """Greedy / certainty equivalence for a MAB: ``argmax over seen arms of r_hat(a)`` (theory/lcb.md §1).

    The paper's foil on expert data: a rarely seen suboptimal arm with a lucky reward wins.

    Parameters
    ----------
    data : OfflineData (one state) or SufficientStatistics
        Counts of shape (A,), or (R, A) with ``n_repetitions = R`` (R independent datasets).
    rng : Generator, int seed or None
        For tie-breaking (and the arm of a dataset without samples).

    Returns
    -------
    BanditResult
        ``policy`` is the arm (int, or (R,) when batched); ``scores`` the empirical means (-inf if unseen).

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> empirical_best_arm(SufficientStatistics(np.array([90, 1]), np.array([54.0, 1.0])), rng=0).policy
    1
    """
    return _greedy(data, "mab", rng)


def contextual_lcb(data, *, delta=None, penalty_scale: float = 1.0, rng=None) -> BanditResult:
    """LCB for an offline contextual bandit (Rashidinejad et al. 2021, §4).

    ``pi_hat(s) = argmax over seen a of r_hat(s, a) - c sqrt(log(2|S||A|/delta) / (2 N(s, a)))``;
    a context without data gets a uniformly random action.

    The union bound runs over all S x A pairs; c = 1 is valid by Hoeffding ([derived]; the paper's
    constant is [recalled], theory/lcb.md §2.2). Unseen actions rank below seen ones (§2.1).

    Parameters
    ----------
    data : OfflineData or SufficientStatistics
        Statistics have counts of shape (S, A), or (R, S, A) with ``n_repetitions = R``.
    delta, penalty_scale, rng
        As in :func:`bandit_lcb`; delta defaults to 1/N.

    Returns
    -------
    BanditResult
        ``policy`` has shape (S,) or (R, S).

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> stats = SufficientStatistics(np.array([[50, 0], [1, 40]]), np.array([[30.0, 0.0], [1.0, 20.0]]))
    >>> contextual_lcb(stats, rng=0).policy.tolist()
    [0, 1]
    """
    return _lcb(data, "cb", delta, penalty_scale, rng)


def contextual_most_played(data, *, rng=None) -> BanditResult:
    """Behaviour cloning for a contextual bandit: ``argmax_a N(s, a)`` in every context, ties at random.

    Parameters
    ----------
    data : OfflineData or SufficientStatistics
        Counts of shape (S, A), or (R, S, A) with ``n_repetitions = R``.
    rng : Generator, int seed or None
        For tie-breaking (and the action of a context without data).

    Returns
    -------
    BanditResult
        ``policy`` has shape (S,) or (R, S); ``scores`` the counts (-inf if unseen).

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> stats = SufficientStatistics(np.array([[90, 1], [3, 40]]), np.array([[54.0, 1.0], [3.0, 20.0]]))
    >>> contextual_most_played(stats, rng=0).policy.tolist()
    [0, 1]
    """
    return _imitate(data, "cb", rng)


def contextual_empirical_best(data, *, rng=None) -> BanditResult:
    """Greedy for a contextual bandit: ``argmax over seen a of r_hat(s, a)`` in every context.

    Parameters
    ----------
    data : OfflineData or SufficientStatistics
        Counts of shape (S, A), or (R, S, A) with ``n_repetitions = R``.
    rng : Generator, int seed or None
        For tie-breaking (and the action of a context without data).

    Returns
    -------
    BanditResult
        ``policy`` has shape (S,) or (R, S); ``scores`` the empirical means (-inf if unseen).

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> stats = SufficientStatistics(np.array([[90, 1], [3, 40]]), np.array([[54.0, 1.0], [3.0, 20.0]]))
    >>> contextual_empirical_best(stats, rng=0).policy.tolist()
    [1, 0]
    """
    return _greedy(data, "cb", rng)


# --------------------------------------------------------------------------------------------
# VI-LCB for discounted MDPs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VILCBResult:
    """The output of :func:`vi_lcb`.

    Attributes
    ----------
    policy : int array (S,) or (R, S)
        pi_T, the returned deterministic policy.
    values : float array (S,) or (R, S)
        V_T. On the good event (probability >= 1 - delta) ``V_T <= V^{pi_T}`` state-wise: a
        certified lower bound on the policy's value.
    n_iterations : int
        T, the number of pessimistic backups.
    fold_size : int
        Samples per fold (split) or the dataset size (no split; the smallest when batched).
    delta : float or float array
    """

    policy: np.ndarray
    values: np.ndarray
    n_iterations: int
    fold_size: int
    delta: object


def n_vi_lcb_iterations(n_samples: int, gamma: float) -> int:
    """T = ceil(log(N) / (1 - gamma)), so that gamma^T <= 1/N ([recalled], theory/lcb.md §2.3); at least 1."""
    n = v.positive_int("n_samples", n_samples, maximum=v.MAX_COUNT)
    g = v.discount(gamma)
    return max(1, math.ceil(math.log(n) / (1.0 - g)))


def vi_lcb_penalty(counts, *, gamma: float, n_folds: int, delta, constants: str = "tight",
                   penalty_scale: float = 1.0) -> np.ndarray:
    """VI-LCB's Hoeffding penalty b_t(s, a) for fold counts ``counts`` (..., S, A).

    ``tight`` ([derived], theory/lcb.md §2.3): the target r + gamma V_{t-1}(s') lies in [0, V_max],
    so ``b = V_max sqrt(log(2 F S A / delta) / (2 m))`` with F = n_folds union-bounded folds.
    ``paper`` ([recalled]: the 2000 is unconfirmed): ``b = V_max sqrt(2000 log(2 F S A / delta) / m)``.
    Both are multiplied by ``penalty_scale``. ``delta`` may be an array broadcasting against the
    leading axes of ``counts`` (one per repetition).
    """
    if constants not in ("tight", "paper"):
        raise ValueError(f"constants: expected 'tight' or 'paper', got {constants!r}")
    counts = _counts(counts)
    if counts.ndim < 2:
        raise ValueError(f"counts: expected shape (..., S, A), got {counts.shape}")
    # every fold holds at least one sample, and a dataset at most MAX_COUNT
    n_folds = v.positive_int("n_folds", n_folds, maximum=v.MAX_COUNT)
    S, A = counts.shape[-2:]
    vmax = 1.0 / (1.0 - v.discount(gamma))
    d = np.asarray(v.real_array("delta", delta), float)
    if not np.all(np.isfinite(d) & (d > 0) & (d <= 1)):  # (0, 1]: vi_lcb's default 1/N is 1 for N = 1
        raise ValueError(f"delta: expected values in (0, 1], got {delta!r}")
    if d.ndim > counts.ndim - 2 or any(x not in (1, y) for x, y in zip(d.shape, counts.shape)):
        raise ValueError(f"delta: expected a scalar or an array broadcasting against the leading axes of "
                         f"counts {counts.shape[:-2]}, got shape {d.shape}")
    log_term = np.log(2.0 * n_folds * S * A / d)
    log_term = log_term.reshape(log_term.shape + (1,) * (counts.ndim - log_term.ndim))
    m = np.maximum(counts, 1)
    if constants == "tight":
        width = np.sqrt(log_term / (2.0 * m))
    else:
        width = np.sqrt(PAPER_LOG_CONSTANT * log_term / m)
    return _scale(penalty_scale) * vmax * width


def pessimistic_value_iteration(counts, reward_sums, transition_counts, penalty, gamma: float,
                                initial_policy, rng=None, *, unseen_value: float = -np.inf):
    """VI-LCB's loop (Rashidinejad et al. 2021, Algorithm 3, steps 3-5), batched over repetitions.

    For t = 1..T, with the statistics of iteration t only::

        Q_t(s, a) = r_t(s, a) - b_t(s, a) + gamma P_t(. | s, a) . V_{t-1}     (seen pairs)
        Q_t(s, a) = unseen_value                                               (unseen pairs)
        V_t(s) = max(V_{t-1}(s), max_a Q_t(s, a)), pi_t(s) switches to argmax_a Q_t only when it rises

    starting from V_0 = 0 and ``initial_policy`` (pi_0). The paper fills unseen pairs with r = 0 and
    a random P, which its penalty drives below 0 <= V_{t-1}; ``-inf`` is that effect exactly.

    Parameters
    ----------
    counts : int array (R, T, S, A)
        Counts of the fold used at each iteration (a no-split run passes the same pooled counts T
        times, e.g. with ``np.broadcast_to``).
    reward_sums : float array (R, T, S, A)
    transition_counts : int array (R, T, S, A, S)
    penalty : float array (R, T, S, A)
    gamma : float in [0, 1)
    initial_policy : int array (R, S)
    unseen_value : float
        Q of an unseen pair (keep -inf; anything else is a deliberate variant).

    rng : Generator, int seed or None
        Tie-breaking among maximisers of Q_t.

    Returns
    -------
    policy : int array (R, S)
        pi_T.
    values : float array (R, S)
        V_T (0 where no Q_t ever rose above 0).

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[[[4, 0]]]])                 # R = T = S = 1, A = 2: only action 0 seen
    >>> pi, V = pessimistic_value_iteration(counts, np.array([[[[3.0, 0.0]]]]), counts[..., None],
    ...                                     np.zeros((1, 1, 1, 2)), 0.5, np.array([[1]]), rng=0)
    >>> pi.tolist(), V.tolist()                          # Q(0) = 3/4 > V_0 = 0: switches to action 0
    ([[0]], [[0.75]])
    """
    gen = v.as_rng(rng)
    counts = v.real_array("counts", counts)
    if counts.ndim != 4:
        raise ValueError(f"counts: expected shape (R, T, S, A), got {counts.shape}")
    R, T, S, A = counts.shape
    for name, arr, shape in (("reward_sums", reward_sums, counts.shape), ("penalty", penalty, counts.shape),
                             ("transition_counts", transition_counts, counts.shape + (S,))):
        if np.shape(v.real_array(name, arr)) != shape:
            raise ValueError(f"{name}: expected shape {shape} (from counts), got {np.shape(arr)}")
    # Checked without copying: the no-split path passes broadcast views.
    if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
        raise ValueError("counts: expected non-negative integers")
    if counts.size and counts.max() > v.MAX_COUNT:
        raise ValueError(f"counts: expected counts of at most {v.MAX_COUNT}, got {counts.max()}")
    reward_sums = np.asarray(v.real_array("reward_sums", reward_sums), float)
    penalty = np.asarray(v.real_array("penalty", penalty), float)
    transition_counts = v.real_array("transition_counts", transition_counts)
    if transition_counts.size and transition_counts.min() < 0:
        raise ValueError("transition_counts: expected non-negative counts, got a negative one")
    if not np.all(np.isfinite(reward_sums)) or np.any(reward_sums < 0) or np.any(reward_sums > counts):
        raise ValueError("reward_sums: expected finite sums in [0, counts] (rewards in [0, 1])")
    if not np.all(np.isfinite(penalty)) or np.any(penalty < 0):
        raise ValueError("penalty: expected finite values >= 0")
    if transition_counts.dtype.kind not in "iu" or not np.array_equal(transition_counts.sum(axis=-1), counts):
        raise ValueError("transition_counts: expected integers summing over s' to counts")
    unseen_value = v.real_number("unseen_value", unseen_value, "a number (or -inf)")
    if np.isnan(unseen_value) or unseen_value == np.inf:
        raise ValueError(f"unseen_value: expected a number (or -inf), got {unseen_value!r}")
    pi = np.array(v.int_array("initial_policy", initial_policy, ndim=2, high=A), copy=True)
    if pi.shape != (R, S):
        raise ValueError(f"initial_policy: expected shape {(R, S)}, got {pi.shape}")
    g = v.discount(gamma)
    V = np.zeros((R, S))
    for t in range(T):
        n = counts[:, t]
        seen = n > 0
        m = np.maximum(n, 1)
        r_hat = reward_sums[:, t] / m
        # P_hat(. | s, a) . V without forming P_hat: counts-weighted sum, divided by the count.
        next_value = np.einsum("rsat,rt->rsa", transition_counts[:, t], V) / m
        Q = np.where(seen, r_hat - penalty[:, t] + g * next_value, unseen_value)
        v_mid = Q.max(axis=-1)
        rises = v_mid > V
        if np.any(rises):
            pi = np.where(rises, random_argmax(Q, gen), pi)
            V = np.where(rises, v_mid, V)
    return pi, V


def _fold_arrays(data, gamma, split, rng):
    """(counts, sums, trans) with shape (R, F, S, A[, S]), whether batched, and N per repetition."""
    if isinstance(data, OfflineData):
        if data.s_next is None:
            raise ValueError("data: expected MDP transitions (s_next), got bandit data")
        if data.h is not None:
            raise ValueError("data: expected discounted (stationary) data, got finite-horizon data with h")
        if split:
            n_folds = n_vi_lcb_iterations(len(data), gamma) + 1
            if n_folds > len(data):
                raise ValueError(f"data: expected at least T + 1 = {n_folds} tuples to split, got {len(data)}")
            folds = [f.statistics for f in data.split(n_folds, rng)]
        else:
            folds = [data.statistics]
        counts = np.stack([f.counts for f in folds])[None]
        sums = np.stack([f.reward_sums for f in folds])[None]
        trans = np.stack([f.transition_counts for f in folds])[None]
        return counts, sums, trans, False
    if not isinstance(data, SufficientStatistics):
        raise TypeError(f"data: expected OfflineData or SufficientStatistics, got {type(data).__name__}")
    if data.transition_counts is None:
        raise ValueError("data: expected statistics with transition_counts (an MDP), got none")
    counts, sums, trans = data.counts, data.reward_sums, data.transition_counts
    # The repetition axis comes from n_repetitions only: (R, S, A) pooled datasets and (F, S, A)
    # folds of one dataset have the same shape.
    batched = data.n_repetitions is not None
    if counts.ndim == 2 + batched:  # pooled: insert a fold axis of length 1 before (S, A)
        counts, sums, trans = counts[..., None, :, :], sums[..., None, :, :], trans[..., None, :, :, :]
    if counts.ndim == 3 and not batched:
        counts, sums, trans = counts[None], sums[None], trans[None]
    elif counts.ndim != 4 or not batched:
        lead = "(R, " if batched else "("
        raise ValueError(f"data: expected counts of shape {lead}S, A) or {lead}F, S, A)"
                         f"{' with n_repetitions R' if batched else ' (set n_repetitions for R datasets)'}, "
                         f"got {data.counts.shape}")
    if counts.shape[1] == 1 and split:
        raise ValueError("split: pooled statistics (one fold) cannot be split; pass per-fold statistics "
                         "(F = T + 1 folds) or split=False")
    if counts.shape[1] >= 2 and not split:
        raise ValueError(f"split: got split=False with per-fold statistics ({counts.shape[1]} folds); pool them "
                         "(sum over the fold axis) for a no-split run, or keep split=True")
    return counts, sums, trans, batched


def vi_lcb(data, gamma: float, *, delta=None, constants: str = "tight", split: bool = True,
           penalty_scale: float = 1.0, start: str = "behaviour_cloning", unseen_value: float = -np.inf,
           rng=None) -> VILCBResult:
    """VI-LCB: pessimistic value iteration for an offline discounted MDP.

    Rashidinejad et al. (2021), Algorithm 3 (VI-LCB) and its theorem E[J(pi*) - J(pi_hat)] <~
    sqrt(S C* / ((1-gamma)^5 N)) up to logs ([recalled], theory/lcb.md §2.3 and §3.3):

    1. T = ceil(log N / (1 - gamma)); split the data at random into T + 1 folds of
       m = floor(N / (T + 1)) tuples (the remainder is dropped).
    2. pi_0 = the most-played action of fold 0 in each state (behaviour cloning; a random action
       where fold 0 has no data); V_0 = 0.
    3. For t = 1..T, with fold t only: Q_t = r_t - b_t + gamma P_t V_{t-1}; monotone update
       (a state's value and action change only when max_a Q_t rises above V_{t-1}).
    4. Return pi_T and V_T, a certified lower bound: V_T <= V^{pi_T} with probability >= 1 - delta.

    Departures, all switchable: ``constants="tight"`` (default) uses the [derived] Hoeffding width
    V_max sqrt(log(2(T+1)SA/delta) / (2m)), valid because r + gamma V_{t-1} lies in [0, V_max];
    ``"paper"`` uses the [recalled] V_max sqrt(2000 log(...) / m), vacuous below ~4e4 samples per pair
    and fold. ``split=False`` reuses all data at every iteration (T iterations, pi_0 from all data):
    what practitioners do; its guarantee needs the leave-one-out argument of Li et al. (2022)
    instead of independence. Unseen pairs get Q = -inf (the paper's r = 0 and random P filler
    drives them below V_{t-1} anyway).

    Parameters
    ----------
    data : OfflineData or SufficientStatistics
        Raw tuples (split here with ``rng``), or statistics: pooled (S, A) (``split=False`` only), or
        per-fold (F, S, A) with F = T + 1 >= 2 folds (fold 0 for pi_0, folds 1..T for the iterations;
        ``split=True`` only). With ``n_repetitions = R`` the same shapes carry a leading axis of R
        independent datasets: (R, S, A) pooled or (R, F, S, A) per fold.
    gamma : float in [0, 1)
    delta : float in (0, 1), optional
        Default 1/N per dataset.
    constants : {"tight", "paper"}
    split : bool
        Split into folds (the paper) or reuse all data at every iteration. Statistics must match it
        (pooled for False, per-fold for True); a mismatch raises instead of being ignored.
    penalty_scale : float >= 0
        Multiplies the penalty (1 = as stated).
    start : {"behaviour_cloning", "uniform"}
        pi_0: the most-played action of fold 0 (the paper), or an action drawn uniformly at random
        in every state (an ablation that removes the imitation component).
    unseen_value : float
        Q of an unseen pair; the paper's effect is -inf. Other values are ablations (e.g. optimism
        about unseen pairs, ``1 / (1 - gamma)``).
    rng : Generator, int seed or None
        Splitting and tie-breaking.

    Returns
    -------
    VILCBResult

    Examples
    --------
    >>> from mdps import data_distribution, sample_offline_data
    >>> from mdps.instances import random_mdp
    >>> mdp = random_mdp(5, 3, gamma=0.5, rng=0)
    >>> data = sample_offline_data(mdp, data_distribution(mdp, 1.0), 4000, rng=1)
    >>> res = vi_lcb(data, 0.5, rng=2)
    >>> bool((res.policy == mdp.optimal_policy).all())
    True
    """
    g = v.discount(gamma)
    if constants not in ("tight", "paper"):
        raise ValueError(f"constants: expected 'tight' or 'paper', got {constants!r}")
    if not isinstance(split, (bool, np.bool_)):
        raise ValueError(f"split: expected True or False, got {split!r}")
    c = _scale(penalty_scale)
    if start not in ("behaviour_cloning", "uniform"):
        raise ValueError(f"start: expected 'behaviour_cloning' or 'uniform', got {start!r}")
    unseen = v.real_number("unseen_value", unseen_value, "a number (or -inf)")
    if np.isnan(unseen) or unseen == np.inf:
        raise ValueError(f"unseen_value: expected a number (or -inf), got {unseen_value!r}")
    gen = v.as_rng(rng)
    counts, sums, trans, batched = _fold_arrays(data, g, bool(split), gen)
    R, F, S, A = counts.shape
    n_samples = counts.reshape(R, -1).sum(axis=1)
    if np.any(n_samples < 1):
        raise ValueError("data: expected at least one sample in every dataset, got an empty one")
    d = 1.0 / n_samples if delta is None else np.full(R, v.probability("delta", delta))
    if F >= 2:  # split: fold 0 clones the behaviour, folds 1..T drive the iterations
        T = F - 1
        start_counts = counts[:, 0]
        it_counts, it_sums, it_trans = counts[:, 1:], sums[:, 1:], trans[:, 1:]
        fold_size = int(counts[:, 1:].reshape(R, T, -1).sum(axis=2).min())
    else:
        T = n_vi_lcb_iterations(int(n_samples.max()), g)
        start_counts = counts[:, 0]
        it_counts = np.broadcast_to(counts, (R, T, S, A))
        it_sums = np.broadcast_to(sums, (R, T, S, A))
        it_trans = np.broadcast_to(trans, (R, T, S, A, S))
        fold_size = int(n_samples.min())
    penalty = vi_lcb_penalty(counts if F >= 2 else counts[:, :1], gamma=g, n_folds=T + 1,
                             delta=d[:, None], constants=constants, penalty_scale=c)
    penalty = penalty[:, 1:] if F >= 2 else np.broadcast_to(penalty, (R, T, S, A))
    if start == "behaviour_cloning":
        pi0 = seen_argmax(np.where(start_counts > 0, start_counts.astype(float), -np.inf), start_counts, gen)
    else:
        pi0 = gen.integers(0, A, size=(R, S))
    pi, V = pessimistic_value_iteration(it_counts, it_sums, it_trans, penalty, g, pi0, gen, unseen_value=unseen)
    if batched:
        return VILCBResult(pi, V, T, fold_size, d)
    return VILCBResult(pi[0], V[0], T, fold_size, float(d[0]))
