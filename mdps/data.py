r"""Offline data: raw tuples, their sufficient statistics, and data distributions with a set C*.

:class:`OfflineData` holds parallel arrays ``s, a, r, s_next`` (and ``h`` in finite horizon);
its :attr:`~OfflineData.statistics` (counts, reward sums, transition counts) are computed once
and cached. :class:`SufficientStatistics` is what algorithms consume; it can also be drawn
directly (see :func:`mdps.sampling.sample_statistics`), optionally with a leading axis of
independent repetitions, which is how sweeps over millions of samples stay fast.

:func:`data_distribution` builds a data distribution :math:`\mu` whose single-policy
concentrability is exactly the requested :math:`C^\star`:
:math:`\mu = d^\star / C + (1 - 1/C)\, \nu` with :math:`\nu` supported off
:math:`\mathrm{supp}(d^\star)` (the construction and why it is exact [derived]:
:ref:`conventions-concentrability`; its use in the LCB experiments: :ref:`theory-lcb`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import _validation as v
from .core import ContextualBandit, DiscountedMDP, FiniteHorizonMDP, LinearMDP, MultiArmedBandit


@dataclass(frozen=True, eq=False)
class SufficientStatistics:
    r"""Counts and sums that summarise a dataset for a tabular algorithm.

    For pairs :math:`(s, a)` (and steps :math:`h` in finite horizon), the counts
    :math:`N(s, a)`, the reward sums :math:`\sum_{i: (s_i, a_i) = (s, a)} r_i` and the transition
    counts :math:`N(s, a, s')`. They give the empirical model of :meth:`empirical_rewards` and
    :meth:`empirical_transitions`.

    Shapes use ``K`` for the pair axes of the problem: ``(A,)`` for a bandit, ``(S, A)`` for a
    contextual bandit or discounted MDP, ``(H, S, A)`` for a finite-horizon MDP; an optional
    leading axis ``(R,)`` indexes independent repetitions.

    Parameters
    ----------
    counts : int array, shape ``K`` or ``(R,) + K``
        :math:`N(s, a)`, the number of samples of each pair.
    reward_sums : float array, shape of ``counts``
        Sum of observed rewards at each pair.
    transition_counts : int array, shape ``counts.shape + (S,)``, or None, default None
        :math:`N(s, a, s')`; None for bandits.
    n_repetitions : int or None, default None
        The length ``R`` of the leading repetition axis, or None when there is none.
        :func:`mdps.sampling.sample_statistics` sets it when asked for repetitions.
    reward_range : (low, high) or None, default (0.0, 1.0)
        The range of a single observed reward: every ``reward_sums`` entry must then lie in
        ``[low * counts, high * counts]`` (checked, up to rounding). None for rewards without
        bounds (Gaussian), when only a zero sum at a zero count is checked; an algorithm that
        needs bounded rewards should refuse such statistics.

    Raises
    ------
    ValueError
        Everything is checked at construction: integer, non-negative counts (totals at most
        :math:`2^{53}` per dataset), finite reward sums consistent with the counts and
        ``reward_range``, transition counts of shape ``counts.shape + (S,)`` that sum over
        :math:`s'` to the counts.
    TypeError
        If a count array does not have an integer dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from mdps import SufficientStatistics
    >>> stats = SufficientStatistics(counts=np.array([4, 0, 2]), reward_sums=np.array([3.0, 0.0, 1.0]))
    >>> stats.n_samples, stats.empirical_rewards().tolist()
    (6, [0.75, 0.0, 0.5])
    """

    counts: np.ndarray
    reward_sums: np.ndarray
    transition_counts: np.ndarray | None = None
    n_repetitions: int | None = None
    reward_range: tuple | None = (0.0, 1.0)

    def __post_init__(self):
        counts = self._count_array("counts", self.counts)
        if counts.ndim == 0:
            raise ValueError("counts: expected an array of shape (A,), (S, A) or (H, S, A), got a scalar")
        if self.n_repetitions is not None:
            reps = v.positive_int("n_repetitions", self.n_repetitions)
            if counts.ndim < 2 or counts.shape[0] != reps:
                raise ValueError(
                    f"n_repetitions: expected counts with a leading axis of length {reps}, got shape {counts.shape}"
                )
            object.__setattr__(self, "n_repetitions", reps)
        # Totals per dataset (per repetition) must stay exact in float64 and far from int64 overflow.
        totals = counts.reshape(counts.shape[0], -1).sum(axis=1, dtype=np.float64) if self.n_repetitions is not None \
            else np.array([counts.sum(dtype=np.float64)])
        if totals.size and totals.max() > v.MAX_COUNT:
            raise ValueError(f"counts: expected a total of at most {v.MAX_COUNT} samples per dataset, got {totals.max():.6g}")
        sums = v.real_array("reward_sums", self.reward_sums)
        sums = np.asarray(sums, dtype=np.float64)
        if sums.shape != counts.shape:
            raise ValueError(f"reward_sums: expected shape {counts.shape} like counts, got {sums.shape}")
        if not np.all(np.isfinite(sums)):
            raise ValueError("reward_sums: expected finite values, got NaN or inf")
        rr = self.reward_range
        if rr is not None:
            try:
                low, high = (v.real_number("reward_range", x, "a pair (low, high) of numbers") for x in rr)
            except (TypeError, ValueError) as err:
                if isinstance(err, v.ArgumentTypeError):
                    raise
                raise ValueError(f"reward_range: expected a pair (low, high) of numbers or None, got {rr!r}") from None
            if not (np.isfinite(low) and np.isfinite(high) and low <= high):
                raise ValueError(f"reward_range: expected finite low <= high, got {rr!r}")
            object.__setattr__(self, "reward_range", (low, high))
            # A sum of c rewards in [low, high] lies in [c low, c high] (up to the rounding of the sum).
            slack = 1e-9 * np.maximum(counts, 1) * max(abs(low), abs(high), 1.0)
            bad = (sums < counts * low - slack) | (sums > counts * high + slack)
        else:
            bad = (counts == 0) & (sums != 0)
        if np.any(bad):
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            want = "0 where a count is 0" if rr is None else \
                f"a sum within [{self.reward_range[0]} * count, {self.reward_range[1]} * count] (rewards in {self.reward_range})"
            raise ValueError(f"reward_sums: expected {want}, got {float(sums[idx])!r} with count {int(counts[idx])} at {idx}")
        if self.transition_counts is not None:
            tc = self._count_array("transition_counts", self.transition_counts)
            if tc.shape[:-1] != counts.shape or tc.ndim < 3:
                raise ValueError(f"transition_counts: expected shape {counts.shape} + (S,), got {tc.shape}")
            if tc.shape[-1] != counts.shape[-2]:
                raise ValueError(
                    f"transition_counts: expected a last axis of length S = {counts.shape[-2]} (the states of "
                    f"counts' (S, A) axes), got shape {tc.shape}"
                )
            if not np.array_equal(tc.sum(axis=-1), counts):
                raise ValueError("transition_counts: expected sum over s' equal to counts")
            object.__setattr__(self, "transition_counts", tc)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "reward_sums", sums)

    @staticmethod
    def _count_array(name, value):
        """An integer array of non-negative counts (its own dtype kept), each at most MAX_COUNT."""
        arr = v.real_array(name, value)
        if arr.dtype.kind not in "iu":
            raise v.ArgumentTypeError(f"{name}: expected an integer array, got dtype {arr.dtype}")
        if arr.size and arr.min() < 0:
            raise ValueError(f"{name}: expected non-negative counts, got {arr.min()}")
        if arr.size and arr.max() > v.MAX_COUNT:
            raise ValueError(f"{name}: expected counts of at most {v.MAX_COUNT}, got {arr.max()}")
        return arr

    @property
    def n_samples(self):
        """Total number of samples: an int, or an int array ``(n_repetitions,)`` with a repetition axis."""
        if self.n_repetitions is not None:
            return self.counts.reshape(self.n_repetitions, -1).sum(axis=1)
        return int(self.counts.sum())

    def empirical_rewards(self) -> np.ndarray:
        r"""The empirical mean rewards :math:`\hat r(s, a) = \text{reward\_sums} / N(s, a)`, and 0 where a pair is unseen.

        Returns
        -------
        numpy.ndarray
            Float array of the shape of ``counts``.
        """
        return self.reward_sums / np.maximum(self.counts, 1)

    def empirical_transitions(self) -> np.ndarray:
        r"""The empirical transitions :math:`\hat P(s' \mid s, a) = N(s, a, s') / N(s, a)`, and 0 rows where a pair is unseen.

        Returns
        -------
        numpy.ndarray
            Float array of the shape of ``transition_counts``.

        Raises
        ------
        ValueError
            If there are no transition counts (bandit statistics).
        """
        if self.transition_counts is None:
            raise ValueError("transition_counts: these statistics have no transitions (a bandit)")
        return self.transition_counts / np.maximum(self.counts, 1)[..., None]


@dataclass(frozen=True, eq=False)
class OfflineData:
    r"""A dataset of transitions as parallel arrays.

    Tuple :math:`i` is :math:`(s_i, a_i, r_i, s'_i)`, plus its step :math:`h_i` in finite
    horizon. Every array is copied, checked and made read-only; the sufficient statistics are
    computed on first use (:attr:`statistics`) and cached.

    Parameters
    ----------
    s : int array (N,)
        States (contexts; all 0 for a multi-armed bandit), in ``[0, n_states)``; N >= 1.
    a : int array (N,)
        Actions, in ``[0, n_actions)``.
    r : float array (N,)
        Observed rewards (finite).
    s_next : int array (N,) or None
        Next states, in ``[0, n_states)``; None for bandits.
    n_states : int >= 1
        Number of states ``S``, which the indices must respect.
    n_actions : int >= 1
        Number of actions ``A``, which the indices must respect.
    h : int array (N,) or None, default None
        Step of each tuple in a finite-horizon problem, in ``[0, horizon)``.
    horizon : int or None, default None
        H for finite-horizon data (required with ``h``, and only with it).

    Raises
    ------
    ValueError
        If the dataset is empty, the arrays differ in length, an index is out of range, or only
        one of ``h`` and ``horizon`` is given.

    Examples
    --------
    >>> from mdps import OfflineData
    >>> data = OfflineData(s=[0, 0, 1], a=[1, 1, 0], r=[1.0, 0.0, 1.0], s_next=[1, 0, 1], n_states=2, n_actions=2)
    >>> len(data), data.statistics.counts.tolist()
    (3, [[0, 2], [1, 0]])
    """

    s: np.ndarray
    a: np.ndarray
    r: np.ndarray
    s_next: np.ndarray | None
    n_states: int
    n_actions: int
    h: np.ndarray | None = None
    horizon: int | None = None

    def __post_init__(self):
        S = v.positive_int("n_states", self.n_states)
        A = v.positive_int("n_actions", self.n_actions)
        s = v.int_array("s", self.s, ndim=1, high=S)
        n = s.shape[0]
        if n == 0:
            raise ValueError("s: expected a non-empty dataset, got 0 tuples")
        a = v.int_array("a", self.a, ndim=1, high=A)
        r = v.float_array("r", self.r, ndim=1)
        for name, arr in (("a", a), ("r", r)):
            if arr.shape[0] != n:
                raise ValueError(f"{name}: expected {n} entries like s, got {arr.shape[0]}")
        s_next = None
        if self.s_next is not None:
            s_next = v.int_array("s_next", self.s_next, ndim=1, high=S)
            if s_next.shape[0] != n:
                raise ValueError(f"s_next: expected {n} entries like s, got {s_next.shape[0]}")
        h = None
        if (self.h is None) != (self.horizon is None):
            raise ValueError("h, horizon: expected both (finite-horizon data) or neither")
        if self.h is not None:
            H = v.positive_int("horizon", self.horizon)
            h = v.int_array("h", self.h, ndim=1, high=H)
            if h.shape[0] != n:
                raise ValueError(f"h: expected {n} entries like s, got {h.shape[0]}")
            object.__setattr__(self, "horizon", H)
        for name, arr in (("s", s), ("a", a), ("r", r), ("s_next", s_next), ("h", h)):
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "n_states", S)
        object.__setattr__(self, "n_actions", A)

    @classmethod
    def _trusted(cls, s, a, r, s_next, n_states, n_actions, h=None, horizon=None) -> "OfflineData":
        """An OfflineData of arrays the library has just made, in range by construction (the samplers).

        Skips the checks and the copies of ``__post_init__``; the arrays end as the checked
        constructor would leave them: int64 indices, float64 rewards, read-only."""
        self = object.__new__(cls)
        fields = {"s": s, "a": a, "r": r, "s_next": s_next, "h": h}
        for name, arr in fields.items():
            if arr is not None:
                arr = np.asarray(arr, dtype=np.float64 if name == "r" else np.int64)
                arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        object.__setattr__(self, "n_states", int(n_states))
        object.__setattr__(self, "n_actions", int(n_actions))
        object.__setattr__(self, "horizon", None if horizon is None else int(horizon))
        return self

    def __len__(self) -> int:
        return self.s.shape[0]

    @cached_property
    def statistics(self) -> SufficientStatistics:
        """Counts, reward sums and (if there are next states) transition counts, cached.

        Shapes: (S, A), or (H, S, A) with steps; data with one state and no next states (a
        multi-armed bandit) gives per-arm arrays (A,). A contextual bandit with a single context is
        indistinguishable from that and also gets (A,) (:func:`~mdps.sample_statistics` gives (1, A)).
        Their ``reward_range`` is (0, 1) when every reward of the data lies in [0, 1], else None.
        Raises ``ValueError`` naming ``n_states, n_actions`` (and ``horizon``) when the tables
        would not fit in memory.
        """
        S, A = self.n_states, self.n_actions
        shape = (S, A) if self.h is None else (self.horizon, S, A)
        size = math.prod(shape)  # a Python int: checked before any int64 index is formed
        v.check_allocation("n_states, n_actions" + (", horizon" if self.h is not None else ""),
                           size * (S if self.s_next is not None else 1) + 2 * size, 8,
                           "entries of the statistics")
        flat = self.s * A + self.a if self.h is None else (self.h * S + self.s) * A + self.a
        counts = np.bincount(flat, minlength=size).reshape(shape)
        sums = np.bincount(flat, weights=self.r, minlength=size).reshape(shape)
        trans = None
        if self.s_next is not None:
            trans = np.bincount(flat * S + self.s_next, minlength=size * S).reshape(shape + (S,))
        if self.n_states == 1 and self.s_next is None and self.h is None:
            counts, sums = counts[0], sums[0]  # a multi-armed bandit: statistics per arm
        bounded = bool(np.all((self.r >= 0.0) & (self.r <= 1.0)))
        return SufficientStatistics(counts, sums, trans, reward_range=(0.0, 1.0) if bounded else None)

    def split(self, n_folds: int, rng=None) -> list["OfflineData"]:
        """A random partition into ``n_folds`` folds of ``floor(N / n_folds)`` tuples each.

        The ``N mod n_folds`` tuples left over are dropped, so every fold has the same size.

        Parameters
        ----------
        n_folds : int
            Number of folds, between 1 and ``len(self)``.
        rng : numpy.random.Generator, int or None, optional
            Randomness of the partition (see :ref:`conventions-seeding`).

        Returns
        -------
        list of OfflineData
            The folds, disjoint, each of ``len(self) // n_folds`` tuples.
        """
        n_folds = v.positive_int("n_folds", n_folds)
        if n_folds > len(self):
            raise ValueError(f"n_folds: expected at most {len(self)} (the dataset size), got {n_folds}")
        m = len(self) // n_folds
        order = v.as_rng(rng).permutation(len(self))[: m * n_folds].reshape(n_folds, m)
        return [self.subset(idx) for idx in order]

    def subset(self, index) -> "OfflineData":
        """The tuples at ``index``.

        Parameters
        ----------
        index : int array or bool array
            Positions in ``[0, N)`` (repeats allowed), or a boolean mask of length N; at least one
            tuple must be selected.

        Returns
        -------
        OfflineData
            The selected tuples, with the same sizes (``n_states``, ``n_actions``, ``horizon``).
        """
        n = len(self)
        if v.is_bool(index) or index is None:
            raise v.ArgumentTypeError(f"index: expected an int array or a boolean mask, got {index!r}")
        try:
            arr = np.asarray(index) if not isinstance(index, slice) else None
        except (TypeError, ValueError) as err:
            raise ValueError(f"index: expected an int array or a boolean mask, got {type(index).__name__} ({err})") from None
        if arr is not None:
            if arr.dtype.kind == "b":
                if arr.shape != (n,):
                    raise ValueError(f"index: expected a boolean mask of shape ({n},), got shape {arr.shape}")
            else:
                arr = v.int_array("index", arr, high=n)
            if arr.ndim != 1:
                raise ValueError(f"index: expected a 1-d index, got shape {arr.shape}")
            if not (np.any(arr) if arr.dtype.kind == "b" else arr.size):
                raise ValueError("index: expected at least one tuple, got an empty selection")
            index = arr
        pick = lambda x: None if x is None else x[index]  # noqa: E731
        return OfflineData(pick(self.s), pick(self.a), pick(self.r), pick(self.s_next),
                           self.n_states, self.n_actions, pick(self.h), self.horizon)


def pair_shape(problem) -> tuple:
    """The shape of a problem's (state, action) pairs, the shape of a data distribution ``mu``.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.

    Returns
    -------
    tuple of int
        (A,) for a multi-armed bandit, (S, A) for a contextual bandit or a discounted MDP, and
        (H, S, A) for a finite-horizon or linear MDP.
    """
    if isinstance(problem, MultiArmedBandit):
        return (problem.n_actions,)
    if isinstance(problem, LinearMDP):
        problem = problem.tabular
    if isinstance(problem, FiniteHorizonMDP):
        return problem.R.shape
    from .sparse import SparseDiscountedMDP  # imported here: mdps.sparse imports mdps.core only

    if isinstance(problem, (ContextualBandit, DiscountedMDP, SparseDiscountedMDP)):
        return (problem.n_states, problem.n_actions)
    raise TypeError(f"problem: expected a bandit or an MDP, got {type(problem).__name__}")


def data_distribution(problem, concentrability: float = 1.0, *, off_support="uniform", rng=None) -> np.ndarray:
    r"""A data distribution :math:`\mu` whose single-policy concentrability is exactly ``concentrability``.

    With :math:`d^\star = d^{\pi^\star}` the optimal occupancy (:func:`~mdps.optimal_occupancy`)
    and :math:`\nu` a distribution supported off :math:`\mathrm{supp}(d^\star)`,

    .. math::

        \mu = \frac{d^\star}{C} + \Big(1 - \frac{1}{C}\Big) \nu .

    Then :math:`d^\star / \mu = C` on :math:`\mathrm{supp}(d^\star)` and the ratio is 0
    elsewhere, so :math:`C^\star = C` exactly [derived] (:ref:`conventions-concentrability`). The
    realised value is recomputed with :func:`~mdps.concentrability` before returning.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem whose optimal occupancy :math:`d^\star` is covered.
    concentrability : float >= 1, default 1.0
        The :math:`C^\star` to realise; 1 gives expert data :math:`\mu = d^\star`. A value above
        1 needs pairs off :math:`\mathrm{supp}(d^\star)` (at every step in finite horizon).
    off_support : {"uniform", "dirichlet"} or array, default "uniform"
        :math:`\nu`: uniform over the pairs off :math:`\mathrm{supp}(d^\star)`, a Dirichlet(1)
        draw over them (uses ``rng``), or an explicit distribution of the shape of the occupancy
        that must put no mass on :math:`\mathrm{supp}(d^\star)`. In finite horizon every step is
        handled separately and each step of :math:`\mu` sums to 1.
    rng : numpy.random.Generator, int or None, optional
        Randomness of the "dirichlet" draw (validated even when unused).

    Returns
    -------
    numpy.ndarray
        :math:`\mu`, read-only, with the shape of the occupancy: (A,), (S, A) or (H, S, A).

    Raises
    ------
    ValueError
        If ``concentrability`` is not a finite number >= 1, ``off_support`` is invalid or puts
        mass on :math:`\mathrm{supp}(d^\star)`, or :math:`C > 1` is asked of a problem whose optimal
        policy visits every pair.

    Examples
    --------
    >>> from mdps import concentrability, data_distribution
    >>> from mdps.instances import random_mdp
    >>> mdp = random_mdp(n_states=5, n_actions=3, gamma=0.9, rng=0)
    >>> round(concentrability(mdp, data_distribution(mdp, 2.0)), 12)
    2.0
    """
    from .planning import concentrability as realised, optimal_occupancy

    C = v.real_number("concentrability", concentrability, "a number >= 1")
    gen = v.as_rng(rng)  # validated even when unused ("uniform" or an explicit off_support)
    if not (np.isfinite(C) and C >= 1.0):
        raise ValueError(f"concentrability: expected a finite number >= 1, got {concentrability!r}")
    d_star = optimal_occupancy(problem)
    steps = d_star.reshape(-1, d_star.shape[-2] * d_star.shape[-1]) if d_star.ndim == 3 else d_star.reshape(1, -1)
    off = steps <= 0
    if isinstance(off_support, str):
        if off_support == "uniform":
            nu = off / np.maximum(off.sum(axis=1, keepdims=True), 1)
        elif off_support == "dirichlet":
            raw = np.where(off, gen.gamma(1.0, size=off.shape), 0.0)
            nu = raw / np.maximum(raw.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        else:
            raise ValueError(f"off_support: expected 'uniform', 'dirichlet' or an array, got {off_support!r}")
    else:
        nu = v.float_array("off_support", off_support, shape=d_star.shape).reshape(steps.shape)
        v.check_simplex("off_support", nu)
        if np.any(nu[~off] > 0):
            raise ValueError("off_support: expected no mass on the support of the optimal occupancy d*")
    if C > 1.0 and np.any(nu.sum(axis=1) <= 0):
        raise ValueError(
            f"concentrability: C* = {C} > 1 needs pairs outside the optimal occupancy's support, "
            "and this problem has none (every pair is visited by pi*)"
        )
    mu = (steps / C + (1.0 - 1.0 / C) * nu).reshape(d_star.shape)
    got = realised(problem, mu)
    if not np.isclose(got, C, rtol=1e-9, atol=0):
        raise ValueError(f"concentrability: the constructed distribution has C* = {got}, not {C}")
    mu.setflags(write=False)
    return mu
