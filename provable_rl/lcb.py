r"""Pessimism (LCB) for offline bandits, contextual bandits and discounted MDPs.

Rashidinejad, Zhu, Ma, Jiao & Russell (2021), "Bridging Offline RL and Imitation Learning: A Tale
of Pessimism" (NeurIPS 2021; IEEE Trans. Inf. Theory 2022). The notation, the theorems, the
confidence tags and every departure from the paper are on the theory page :ref:`theory-lcb`.

Theorems implemented (rates up to constants and log factors; :math:`\delta = 1/N` inside the
algorithm, :math:`C^\star = \max_{s,a} d^{\pi^\star}(s, a) / \mu(s, a)` the single-policy
concentrability, :ref:`lcb-concentrability`):

- Multi-armed bandit [recalled] (:ref:`lcb-thm-mab`): LCB has
  :math:`\mathbb E[J(a^\star) - J(\hat a)] \lesssim \min(1, \sqrt{C^\star \log N / N})`, minimax
  optimal for :math:`C^\star \ge 2`; for :math:`C^\star \in (1, 2)` it is only polynomial while
  imitation (the most-played arm) is exponentially small: LCB is *not* adaptively optimal for MABs.
- Contextual bandit with at least two contexts [paper: adaptively optimal; recalled: the form]
  (:ref:`lcb-thm-cb`): LCB has
  :math:`\mathbb E[\text{subopt}] \lesssim \min(1, \sqrt{S (C^\star - 1) / N} + S / N)` up to logs,
  i.e. :math:`1/N` on nearly-expert data.
- Discounted MDP [recalled] (:ref:`lcb-thm-mdp`): VI-LCB has
  :math:`\mathbb E[\text{subopt}] \lesssim \min(\frac{1}{1-\gamma}, \sqrt{S C^\star / ((1-\gamma)^5 N)})`
  up to logs, and :math:`\sim S / ((1-\gamma)^4 N)` on nearly-expert data; "almost" adaptively
  optimal.

Conventions shared by every rule here (:ref:`lcb-unseen`):

- A **seen** action (count >= 1) always ranks above an **unseen** one. The paper's recalled
  convention (unseen LCB = -1) can rank a seen-once arm below an unseen one once
  :math:`\log(2A/\delta) > 8`.
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

#: The constant the paper puts inside VI-LCB's log term, [recalled] (:ref:`lcb-vi-lcb-penalty`).
PAPER_LOG_CONSTANT = 2000.0


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------

def random_argmax(values, rng=None) -> np.ndarray:
    r"""Argmax over the last axis with ties broken uniformly at random.

    The maximisers :math:`\{k : v_k = \max_j v_j\}` are found by exact comparison with the row
    maximum, then one of them is drawn uniformly (a random key per candidate, -1 for the others).
    Unlike ``argmax(values + tiny * noise)`` this cannot be defeated by a large value absorbing the
    noise (:ref:`lcb-unseen`).

    Parameters
    ----------
    values : float array (..., K)
        The values to maximise over the last axis; no NaN (``-inf`` and ``inf`` are allowed).
    rng : Generator, int seed or None
        Draws the tie-breaking keys.

    Returns
    -------
    int array (...)
        The index of one maximiser per row, each maximiser equally likely.

    Examples
    --------
    >>> int(random_argmax([0.5, 2.0, 1.0], rng=0))
    1
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
    r"""Argmax of ``scores`` over the *seen* actions (``counts >= 1``), ties at random.

    Returns :math:`\arg\max_{k:\,N_k \ge 1} \text{score}_k`: a seen action always ranks above an
    unseen one, whatever their scores (:ref:`lcb-unseen`). Rows without any seen action return an
    action drawn uniformly at random.

    Parameters
    ----------
    scores : float array (..., K)
        The score of each action (only entries with ``counts >= 1`` are used; others may be anything
        finite or infinite, but not NaN).
    counts : int array (..., K)
        The number of samples of each action, non-negative, the shape of ``scores``.
    rng : Generator, int seed or None
        For tie-breaking (and the uniform draw of a row without seen actions).

    Returns
    -------
    int array (...)
        The chosen action per row.

    Examples
    --------
    >>> int(seen_argmax([5.0, -1.0], [0, 3], rng=0))   # the unseen action's score is ignored
    1
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
    r"""The Hoeffding width :math:`b = c \sqrt{L / (2 \max(N, 1))}` for rewards in [0, 1].

    With :math:`L = \log(2K/\delta)` (a union bound over K pairs) the bound
    :math:`|\hat r(a) - r(a)| \le b(a)` holds for every seen pair at once with probability at least
    :math:`1 - \delta` given the counts ([derived], :ref:`lcb-penalties`). Unseen pairs get the
    width of one sample; the selection rules never rank them by it.

    Parameters
    ----------
    counts : int array (..., K)
        N(a) or N(s, a), non-negative.
    log_term : float or float array broadcasting against ``counts``
        :math:`L = \log(2K/\delta)`, finite and >= 0.
    scale : float >= 0
        The constant :math:`c` in front (1 is Hoeffding's).

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
    """The choice of an offline bandit rule (:func:`bandit_lcb`, :func:`contextual_lcb` and the foils).

    Parameters
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
    r"""LCB for an offline multi-armed bandit (Rashidinejad et al. 2021, Algorithm 1 [recalled numbering]).

    .. math::

        \hat a = \arg\max_{a:\,N(a) \ge 1} \; \hat r(a) - c \sqrt{\frac{\log(2A/\delta)}{2 N(a)}} .

    The penalty is Hoeffding's with a union bound over arms (:ref:`lcb-penalties`; the exact
    constant of the paper is [recalled], this one is [derived] and valid for rewards in [0, 1]).
    Departure from the paper: unseen arms rank below every seen arm instead of receiving LCB = -1,
    which keeps rates and improves constants (:ref:`lcb-unseen`, :ref:`lcb-departures`). The
    algorithm is :ref:`lcb-bandit-lcb`; its guarantee :ref:`lcb-thm-mab`.

    Parameters
    ----------
    data : OfflineData (one state) or SufficientStatistics
        Statistics have counts of shape (A,), or (R, A) with ``n_repetitions = R`` (R independent
        datasets, batched; the leading axis is never guessed from the shape).
    delta : float in (0, 1), optional
        Confidence level; default ``1 / N`` (per dataset), as in the paper's theorems.
    penalty_scale : float >= 0
        The constant :math:`c` in front of the penalty (1: Hoeffding; 0: the empirical best arm).
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
    r"""Imitation (behaviour cloning) for a MAB: :math:`\hat a = \arg\max_a N(a)`, ties at random.

    The paper's foil (:ref:`lcb-foils`) for :math:`C^\star \in (1, 2)`: exponentially small error
    when :math:`\mu(a^\star) > 1/2`, constant error when :math:`C^\star \ge 2` allows a
    better-covered suboptimal arm (:ref:`lcb-thm-mab`).

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
    r"""Greedy / certainty equivalence for a MAB: :math:`\hat a = \arg\max_{a:\,N(a) \ge 1} \hat r(a)`.

    The paper's foil on expert data (:ref:`lcb-foils`, :ref:`lcb-thm-mab`): a rarely seen
    suboptimal arm with a lucky reward wins.

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
    r"""LCB for an offline contextual bandit (Rashidinejad et al. 2021, the contextual-bandit rule).

    .. math::

        \hat\pi(s) = \arg\max_{a:\,N(s,a) \ge 1} \; \hat r(s, a)
                     - c \sqrt{\frac{\log(2SA/\delta)}{2 N(s, a)}} ;

    a context without data gets a uniformly random action.

    The union bound runs over all S x A pairs; c = 1 is valid by Hoeffding ([derived]; the paper's
    constant is [recalled], :ref:`lcb-contextual`). Unseen actions rank below seen ones
    (:ref:`lcb-unseen`). Its guarantee is :ref:`lcb-thm-cb`.

    Parameters
    ----------
    data : OfflineData or SufficientStatistics
        Statistics have counts of shape (S, A), or (R, S, A) with ``n_repetitions = R``.
    delta : float in (0, 1), optional
        Confidence level; default ``1 / N`` (per dataset).
    penalty_scale : float >= 0
        The constant :math:`c` in front of the penalty (1: Hoeffding; 0: the empirical best action).
    rng : Generator, int seed or None
        For tie-breaking (and the action of a context without data).

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
    r"""Behaviour cloning for a contextual bandit: :math:`\hat\pi(s) = \arg\max_a N(s, a)`, ties at random.

    Not adaptive for any :math:`C^\star > 1` ([derived], :ref:`lcb-thm-cb`).

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
    r"""Greedy for a contextual bandit: :math:`\hat\pi(s) = \arg\max_{a:\,N(s,a) \ge 1} \hat r(s, a)`.

    The foil of :ref:`lcb-foils`, applied in every context.

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
    r"""The output of :func:`vi_lcb`.

    Parameters
    ----------
    policy : int array (S,) or (R, S)
        :math:`\pi_T`, the returned deterministic policy.
    values : float array (S,) or (R, S)
        :math:`V_T`. On the good event (probability at least :math:`1 - \delta`)
        :math:`V_T(s) \le V^{\pi_T}(s)` for every state: a certified lower bound on the policy's
        value (:ref:`lcb-vi-lcb`, checked by LCB-V1).
    n_iterations : int
        T, the number of pessimistic backups.
    fold_size : int
        Samples per fold (split) or the dataset size (no split; the smallest when batched).
    delta : float or float array
        The confidence level used, per repetition when batched.
    """

    policy: np.ndarray
    values: np.ndarray
    n_iterations: int
    fold_size: int
    delta: object


def n_vi_lcb_iterations(n_samples: int, gamma: float) -> int:
    r"""VI-LCB's number of iterations :math:`T = \lceil \log N / (1 - \gamma) \rceil`, at least 1.

    [recalled] (:ref:`lcb-vi-lcb`). Since :math:`\log\gamma \le -(1-\gamma)`, it guarantees
    :math:`\gamma^T \le e^{-(1-\gamma) T} \le 1/N` ([derived]).

    Parameters
    ----------
    n_samples : int >= 1
        N, the size of the dataset.
    gamma : float in [0, 1)
        The discount.

    Returns
    -------
    int
        T.

    Examples
    --------
    >>> n_vi_lcb_iterations(10_000, 0.5)   # ceil(9.21 / 0.5)
    19
    """
    n = v.positive_int("n_samples", n_samples, maximum=v.MAX_COUNT)
    g = v.discount(gamma)
    return max(1, math.ceil(math.log(n) / (1.0 - g)))


def vi_lcb_penalty(counts, *, gamma: float, n_folds: int, delta, constants: str = "tight",
                   penalty_scale: float = 1.0) -> np.ndarray:
    r"""VI-LCB's Hoeffding penalty :math:`b_t(s, a)` for fold counts ``counts`` (..., S, A).

    With :math:`V_{\max} = 1/(1-\gamma)`, F = ``n_folds`` union-bounded folds and
    :math:`m = \max(m_t(s, a), 1)` (:ref:`lcb-vi-lcb-penalty`):

    - ``"tight"`` ([derived]): the target :math:`r + \gamma V_{t-1}(s')` lies in
      :math:`[0, V_{\max}]`, so
      :math:`b = V_{\max} \sqrt{\log(2FSA/\delta) / (2m)}`.
    - ``"paper"`` ([recalled]: the 2000 is unconfirmed):
      :math:`b = V_{\max} \sqrt{2000 \log(2FSA/\delta) / m}`, vacuous (:math:`b \ge V_{\max}`)
      below about :math:`2000 \log(2FSA/\delta)` samples per pair and fold.

    Both are multiplied by ``penalty_scale``.

    Parameters
    ----------
    counts : int array (..., S, A)
        The counts :math:`m_t(s, a)` of one or more folds (any leading axes, e.g. (R, F, S, A)).
    gamma : float in [0, 1)
        The discount; sets :math:`V_{\max}`.
    n_folds : int >= 1
        F, the number of folds the union bound runs over (T + 1 for VI-LCB).
    delta : float or float array in (0, 1]
        The confidence level; an array broadcasts against the leading axes of ``counts`` (one per
        repetition).
    constants : {"tight", "paper"}
        Which constant (see above).
    penalty_scale : float >= 0
        Multiplies the penalty (1 = as stated).

    Returns
    -------
    float array, the shape of ``counts``
        The penalty :math:`b \ge 0` of every pair (unseen pairs get the width of one sample).

    Examples
    --------
    >>> import numpy as np
    >>> vi_lcb_penalty(np.array([[8, 1]]), gamma=0.5, n_folds=1, delta=0.5).round(3).tolist()
    [[0.721, 2.039]]
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
    r"""VI-LCB's loop (Rashidinejad et al. 2021, Algorithm 3 [recalled numbering], the backups and
    the monotone update), batched over repetitions.

    For :math:`t = 1, \dots, T`, with the statistics of iteration t only (:ref:`lcb-vi-lcb`):

    .. math::

        Q_t(s, a) = \begin{cases}
            \hat r_t(s, a) - b_t(s, a) + \gamma\, \hat P_t(\cdot \mid s, a)^\top V_{t-1}
                & m_t(s, a) \ge 1, \\
            \mathtt{unseen\_value} & m_t(s, a) = 0,
        \end{cases}
        \qquad
        V_t(s) = \max\bigl(V_{t-1}(s), \max_a Q_t(s, a)\bigr),

    and :math:`\pi_t(s)` switches to :math:`\arg\max_a Q_t(s, a)` only where the value rises,
    starting from :math:`V_0 = 0` and ``initial_policy`` (:math:`\pi_0`). The paper fills unseen
    pairs with r = 0 and a random P, which its penalty drives below :math:`0 \le V_{t-1}`; ``-inf``
    is that effect exactly.

    Parameters
    ----------
    counts : int array (R, T, S, A)
        Counts of the fold used at each iteration (a no-split run passes the same pooled counts T
        times, e.g. with ``np.broadcast_to``).
    reward_sums : float array (R, T, S, A)
        The sums of the rewards (in [0, 1]) of each pair in the same folds.
    transition_counts : int array (R, T, S, A, S)
        The next-state counts of each pair, summing over the last axis to ``counts``.
    penalty : float array (R, T, S, A)
        The penalty :math:`b_t(s, a) \ge 0` (e.g. from :func:`vi_lcb_penalty`).
    gamma : float in [0, 1)
        The discount.
    initial_policy : int array (R, S)
        :math:`\pi_0`, kept in every state whose value never rises above 0.
    rng : Generator, int seed or None
        Tie-breaking among maximisers of :math:`Q_t`.
    unseen_value : float
        Q of an unseen pair (keep -inf; anything else is a deliberate variant).

    Returns
    -------
    policy : int array (R, S)
        :math:`\pi_T`.
    values : float array (R, S)
        :math:`V_T` (0 where no :math:`Q_t` ever rose above 0).

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
    return _iterate(counts, reward_sums, lambda t: transition_counts[:, t], penalty, g, pi, gen, unseen_value)


def _iterate(counts, reward_sums, transitions_of, penalty, g, pi, gen, unseen_value):
    """The loop of :func:`pessimistic_value_iteration` on validated inputs; ``transitions_of(t)`` returns
    iteration t's next-state counts (R, S, A, S), so that a caller can build one fold's at a time."""
    R, T, S, A = counts.shape
    pi = pi.copy()
    V = np.zeros((R, S))
    for t in range(T):
        n = counts[:, t]
        seen = n > 0
        m = np.maximum(n, 1)
        r_hat = reward_sums[:, t] / m
        # P_hat(. | s, a) . V without forming P_hat: counts-weighted sum, divided by the count.
        next_value = np.einsum("rsat,rt->rsa", transitions_of(t), V) / m
        Q = np.where(seen, r_hat - penalty[:, t] + g * next_value, unseen_value)
        v_mid = Q.max(axis=-1)
        rises = v_mid > V
        if np.any(rises):
            pi = np.where(rises, random_argmax(Q, gen), pi)
            V = np.where(rises, v_mid, V)
    return pi, V


def _split_fold_arrays(folds, S, A):
    """(counts, sums, transitions_of_fold, False) of raw data split into folds, counts (1, F, S, A).

    The next-state counts are built one fold at a time, when an iteration needs them: all T + 1 folds
    at once take (T + 1) S^2 A x 8 bytes (3.7 GB at S = 1000, A = 4, N = 1e6, gamma = 0.9), one fold
    S^2 A x 8. Each array is the fold's own :attr:`mdps.OfflineData.statistics` (the same bincounts, so
    the results are identical), without caching every fold's table on the fold.
    """
    flats = [f.s * A + f.a for f in folds]
    counts = np.stack([np.bincount(flat, minlength=S * A).reshape(S, A) for flat in flats])[None]
    sums = np.stack([np.bincount(flat, weights=f.r, minlength=S * A).reshape(S, A)
                     for flat, f in zip(flats, folds)])[None]

    def transitions_of_fold(k):
        return np.bincount(flats[k] * S + folds[k].s_next, minlength=S * A * S).reshape(1, S, A, S)

    return counts, sums, transitions_of_fold, False


def _fold_arrays(data, gamma, split, rng):
    """(counts, sums, trans, batched): shapes (R, F, S, A[, S]); trans is a function of the fold index
    (next-state counts (1, S, A, S)) for raw data split into folds (:func:`_split_fold_arrays`)."""
    if isinstance(data, OfflineData):
        if data.s_next is None:
            raise ValueError("data: expected MDP transitions (s_next), got bandit data")
        if data.h is not None:
            raise ValueError("data: expected discounted (stationary) data, got finite-horizon data with h")
        if split:
            n_folds = n_vi_lcb_iterations(len(data), gamma) + 1
            if n_folds > len(data):
                raise ValueError(f"data: expected at least T + 1 = {n_folds} tuples to split, got {len(data)}")
            return _split_fold_arrays(data.split(n_folds, rng), data.n_states, data.n_actions)
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
    r"""VI-LCB: pessimistic value iteration for an offline discounted MDP.

    Rashidinejad et al. (2021), Algorithm 3 (VI-LCB) [recalled numbering], and its theorem
    ([recalled], :ref:`lcb-thm-mdp`)

    .. math::

        \mathbb E[J(\pi^\star) - J(\hat\pi)] \lesssim
        \sqrt{\frac{S C^\star}{(1-\gamma)^5 N}} \quad \text{up to logs.}

    The steps (:ref:`lcb-vi-lcb`):

    1. :math:`T = \lceil \log N / (1 - \gamma) \rceil` (:func:`n_vi_lcb_iterations`); split the data
       at random into T + 1 folds of :math:`m = \lfloor N / (T + 1) \rfloor` tuples (the remainder
       is dropped).
    2. :math:`\pi_0` = the most-played action of fold 0 in each state (behaviour cloning; a random
       action where fold 0 has no data); :math:`V_0 = 0`.
    3. For t = 1..T, with fold t only: :math:`Q_t = \hat r_t - b_t + \gamma \hat P_t V_{t-1}`;
       monotone update (a state's value and action change only when :math:`\max_a Q_t` rises above
       :math:`V_{t-1}`) (:func:`pessimistic_value_iteration`).
    4. Return :math:`\pi_T` and :math:`V_T`, a certified lower bound:
       :math:`V_T \le V^{\pi_T}` with probability at least :math:`1 - \delta`.

    Departures, all switchable (:ref:`lcb-departures`): ``constants="tight"`` (default) uses the
    [derived] Hoeffding width :math:`V_{\max} \sqrt{\log(2(T+1)SA/\delta) / (2m)}`, valid because
    :math:`r + \gamma V_{t-1}` lies in :math:`[0, V_{\max}]`; ``"paper"`` uses the [recalled]
    :math:`V_{\max} \sqrt{2000 \log(\dots) / m}`, vacuous below ~4e4 samples per pair and fold
    (:ref:`lcb-vi-lcb-penalty`). ``split=False`` reuses all data at every iteration (T iterations,
    :math:`\pi_0` from all data): what practitioners do; its guarantee needs the leave-one-out
    argument of Li et al. (2022) instead of independence. Unseen pairs get Q = -inf (the paper's
    r = 0 and random P filler drives them below :math:`V_{t-1}` anyway).

    Parameters
    ----------
    data : OfflineData or SufficientStatistics
        Raw tuples (split here with ``rng``), or statistics: pooled (S, A) (``split=False`` only), or
        per-fold (F, S, A) with F = T + 1 >= 2 folds (fold 0 for pi_0, folds 1..T for the iterations;
        ``split=True`` only). With ``n_repetitions = R`` the same shapes carry a leading axis of R
        independent datasets: (R, S, A) pooled or (R, F, S, A) per fold.
    gamma : float in [0, 1)
        The discount.
    delta : float in (0, 1), optional
        Confidence level; default 1/N per dataset.
    constants : {"tight", "paper"}
        The penalty's constant (:func:`vi_lcb_penalty`).
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
        The policy, its certified lower value, T, the fold size and delta.

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
        it_counts, it_sums = counts[:, 1:], sums[:, 1:]
        it_trans = trans if callable(trans) else trans[:, 1:]
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
    if callable(trans):  # raw data split here: folds 1..T's next-state counts built one at a time
        if not np.all(np.isfinite(it_sums)) or np.any(it_sums < 0) or np.any(it_sums > it_counts):
            raise ValueError("reward_sums: expected finite sums in [0, counts] (rewards in [0, 1])")
        pi, V = _iterate(it_counts, np.asarray(it_sums, float), lambda t: trans(t + 1), penalty, g, pi0, gen, unseen)
    else:
        pi, V = pessimistic_value_iteration(it_counts, it_sums, it_trans, penalty, g, pi0, gen, unseen_value=unseen)
    if batched:
        return VILCBResult(pi, V, T, fold_size, d)
    return VILCBResult(pi[0], V[0], T, fold_size, float(d[0]))
