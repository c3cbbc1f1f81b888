r"""Discounted MDPs with sparse transitions: gridworlds and chains with :math:`10^5` states.

:class:`SparseDiscountedMDP` is :class:`~mdps.DiscountedMDP` with ``P`` stored as a
``scipy.sparse`` CSR array of shape ``(S A, S)``: row ``s A + a`` is :math:`P(\cdot \mid s, a)`.
A problem whose pairs have a few successors each then takes memory and time proportional to its
number of non-zeros instead of :math:`S^2 A`. The library's functions accept it where a
discounted MDP is expected and the sparse form pays off:

- planning: :func:`mdps.solve` with ``"pi"`` (each evaluation a sparse LU solve, SuperLU),
  ``"vi"``, ``"mpi"`` and ``"lp"`` (a sparse constraint matrix), with the same a posteriori
  certificates as the dense solvers (:mod:`mdps.planning`), where the rounding allowance of a
  backup counts the successors of the fullest row instead of ``S``;
- :func:`mdps.policy_evaluation`, :func:`mdps.policy_q_values`, :func:`mdps.q_from_values`,
  :func:`mdps.bellman_residual`, :func:`mdps.state_occupancy`, :func:`mdps.occupancy`,
  :func:`mdps.expected_return`, :func:`mdps.optimal_return`, :func:`mdps.suboptimality`;
- :func:`mdps.sample_episodes` and :func:`mdps.sample_offline_data`: Numba kernels that read the
  CSR arrays (``indptr``, ``indices``) and one packed alias table per row (built once per MDP and
  cached on it);
- :func:`mdps.concentrability` and :func:`mdps.data_distribution` (through the occupancies).

Not for sparse problems: :func:`mdps.sample_statistics` (``TypeError``: its transition counts
are a dense (S, A, S) array; use ``sample_offline_data(...).statistics``, or convert a small
problem with :meth:`SparseDiscountedMDP.to_dense`) and the converters.

Measured by ``python benchmarks/bench_mdps.py --repeat 5`` (2026-12-05, a shared 2-core machine,
one BLAS thread): ``sparse_gridworld(316, 316, 0.99)`` (99,856 states, 1.6 million non-zeros) is
solved with "pi" in 1.2 s of CPU (one LU evaluation after the modified-policy-iteration start),
"mpi" in 0.6 s and "vi" in 4.8 s, certified within 4e-13, 3e-11 and 1e-10;
``sparse_chain(99_856, 0.99)`` with "pi" in 0.2 s and "mpi" in 0.15 s. Rolling out the uniform
policy on that gridworld costs 27.5 ns a step in the CSR kernel and 39 ns through
:func:`mdps.sample_episodes` (the dense kernel on a 200-state, 10-action random MDP: 23.7 ns).

:meth:`SparseDiscountedMDP.to_dense` and :meth:`SparseDiscountedMDP.from_dense` convert (the
dense form needs :math:`S^2 A` floats). The instances :func:`mdps.instances.sparse_gridworld` and
:func:`mdps.instances.sparse_chain` build the classic gridworld and chain at any size directly in
sparse form.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

from . import _validation as v
from .core import DiscountedMDP, _check_reward_model

#: Tolerance on "rows of a sparse P sum to one" (rows are never renormalised).
SPARSE_SIMPLEX_ATOL = 1e-9


def _csr_transitions(P, S: int, A: int) -> scipy.sparse.csr_array:
    """A validated, read-only float64 CSR copy of a sparse ``P`` of shape (S A, S)."""
    if not scipy.sparse.issparse(P):
        raise v.ArgumentTypeError(
            f"P: expected a scipy.sparse matrix or array of shape (S * A, S) = ({S * A}, {S}) "
            f"(use DiscountedMDP for a dense P), got {type(P).__name__}")
    if P.ndim != 2 or P.shape != (S * A, S):
        raise ValueError(f"P: expected shape (S * A, S) = ({S * A}, {S}) (from R {S, A}), got {P.shape}")
    if P.dtype.kind not in "iuf":
        raise v.ArgumentTypeError(f"P: expected real numbers, got dtype {P.dtype}")
    csr = scipy.sparse.csr_array(P, dtype=np.float64, copy=True)
    csr.sum_duplicates()  # also sorts the column indices of every row
    if not np.all(np.isfinite(csr.data)):
        raise ValueError("P: expected finite values, got NaN or inf")
    if np.any(csr.data < 0):
        k = int(np.argmax(csr.data < 0))
        row = int(np.searchsorted(csr.indptr, k, side="right") - 1)
        raise ValueError(f"P: expected non-negative probabilities, got {csr.data[k]!r} at row {row} "
                         f"(s={row // A}, a={row % A}), column {int(csr.indices[k])}")
    csr.eliminate_zeros()
    sums = np.add.reduceat(csr.data, csr.indptr[:-1]) if csr.data.size else np.zeros(S * A)
    sums[np.diff(csr.indptr) == 0] = 0.0  # reduceat gives the next entry for an empty row
    bad = np.abs(sums - 1.0) > SPARSE_SIMPLEX_ATOL
    if np.any(bad):
        row = int(np.argmax(bad))
        raise ValueError(f"P: expected rows summing to 1 within {SPARSE_SIMPLEX_ATOL}, got a sum of "
                         f"{float(sums[row])!r} at row {row} (s={row // A}, a={row % A})")
    for arr in (csr.data, csr.indices, csr.indptr):
        arr.setflags(write=False)
    return csr


@dataclass(frozen=True, eq=False)
class SparseDiscountedMDP:
    r"""A finite discounted MDP whose transitions are a sparse matrix.

    The same problem as :class:`~mdps.DiscountedMDP` (values, Bellman equations, reward models,
    :math:`V_{\max} = 1 / (1 - \gamma)`), with ``P`` a ``scipy.sparse`` CSR array of shape
    ``(S A, S)``: ``P[s * A + a, t]`` :math:`= P(t \mid s, a)`. The exact solution (policy
    iteration with sparse LU evaluations) is computed on first use and cached.

    Parameters
    ----------
    P : scipy.sparse matrix or array, shape (S * A, S)
        Transition probabilities, row ``s * A + a`` the law of the next state; non-negative,
        every row summing to 1 within 1e-9 (never renormalised). Copied to a read-only float64
        CSR array (duplicates summed, explicit zeros dropped).
    R : array (S, A)
        Mean rewards in [0, 1]; it fixes ``S`` and ``A``.
    gamma : float
        Discount factor in [0, 1).
    initial : array (S,)
        Initial-state distribution.
    reward_model : {"bernoulli", "gaussian"}, default "bernoulli"
        As in :class:`~mdps.DiscountedMDP`.
    reward_std : float, default 0.1
        As in :class:`~mdps.DiscountedMDP`.

    Raises
    ------
    TypeError
        If ``P`` is not a scipy sparse matrix (a dense P belongs in :class:`~mdps.DiscountedMDP`)
        or an argument is not numeric.
    ValueError
        If a shape does not match, an entry of ``P`` is negative, NaN or inf, a row of ``P`` does
        not sum to 1 within 1e-9, ``initial`` is not a distribution, a reward leaves [0, 1] or
        ``gamma`` is outside [0, 1).

    Examples
    --------
    >>> import scipy.sparse
    >>> from mdps import SparseDiscountedMDP
    >>> P = scipy.sparse.csr_array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [0.0, 1.0]])  # (S A, S)
    >>> mdp = SparseDiscountedMDP(P, R=[[0.0, 0.5], [1.0, 1.0]], gamma=0.5, initial=[1.0, 0.0])
    >>> mdp.optimal_values
    array([1.5, 2. ])
    """

    P: scipy.sparse.csr_array
    R: np.ndarray
    gamma: float
    initial: np.ndarray
    reward_model: str = "bernoulli"
    reward_std: float = 0.1

    def __post_init__(self):
        R = v.float_array("R", self.R, ndim=2)
        S, A = R.shape
        if S == 0 or A == 0:
            raise ValueError(f"R: expected shape (S, A) with S, A >= 1, got {R.shape}")
        v.check_unit_interval("R", R)
        P = _csr_transitions(self.P, S, A)
        initial = v.float_array("initial", self.initial, ndim=1, shape=(S,), like="R")
        v.check_simplex("initial", initial)
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "R", R)
        object.__setattr__(self, "initial", initial)
        object.__setattr__(self, "gamma", v.discount(self.gamma))
        object.__setattr__(self, "reward_std", _check_reward_model(self.reward_model, self.reward_std))

    @property
    def n_states(self) -> int:
        """The number of states ``S``."""
        return self.R.shape[0]

    @property
    def n_actions(self) -> int:
        """The number of actions ``A``."""
        return self.R.shape[1]

    @property
    def max_value(self) -> float:
        r""":math:`V_{\max} = 1 / (1 - \gamma)`, the largest possible value."""
        return 1.0 / (1.0 - self.gamma)

    @cached_property
    def max_successors(self) -> int:
        """The largest number of next states of a pair (non-zeros of the fullest row of ``P``)."""
        return int(np.diff(self.P.indptr).max())

    @cached_property
    def solution(self):
        """The exact optimal solution (policy iteration), cached: a :class:`mdps.planning.PlanningResult`."""
        from .planning import solve

        return solve(self, method="pi")

    @property
    def optimal_values(self) -> np.ndarray:
        r""":math:`V^\star(s)`, shape (S,)."""
        return self.solution.values

    @property
    def optimal_q(self) -> np.ndarray:
        r""":math:`Q^\star(s, a)`, shape (S, A)."""
        return self.solution.q_values

    @property
    def optimal_policy(self) -> np.ndarray:
        r"""An optimal deterministic policy :math:`\pi^\star(s)`, int array of shape (S,)."""
        return self.solution.policy

    @property
    def gaps(self) -> np.ndarray:
        r"""Action gaps :math:`V^\star(s) - Q^\star(s, a) \ge 0`, shape (S, A)."""
        return self.solution.gaps

    def to_dense(self) -> DiscountedMDP:
        """The same problem as a :class:`~mdps.DiscountedMDP` (``P`` of shape (S, A, S)).

        Returns
        -------
        DiscountedMDP
            Equal ``P``, ``R``, ``gamma``, ``initial`` and reward model.

        Raises
        ------
        ValueError
            If the dense ``P`` (:math:`S^2 A` floats, and the copies of its checks) would not fit
            in memory.

        Examples
        --------
        >>> from mdps.instances import sparse_chain
        >>> sparse_chain(n_states=5).to_dense().P.shape
        (5, 2, 5)
        """
        S, A = self.R.shape
        v.check_allocation("mdp", 3 * S * A * S, 8, "entries of the dense P (S A S) and its copies")
        return DiscountedMDP(self.P.toarray().reshape(S, A, S), self.R, self.gamma, self.initial,
                             self.reward_model, self.reward_std)

    @classmethod
    def from_dense(cls, mdp: DiscountedMDP) -> "SparseDiscountedMDP":
        """The same problem with ``P`` stored sparse (its zeros dropped).

        Parameters
        ----------
        mdp : DiscountedMDP
            The dense problem.

        Returns
        -------
        SparseDiscountedMDP
            Equal ``P`` (as a CSR array of shape (S A, S)), ``R``, ``gamma``, ``initial`` and reward
            model.

        Raises
        ------
        TypeError
            If ``mdp`` is not a :class:`~mdps.DiscountedMDP`.
        ValueError
            If a row of ``P`` sums to 1 only within the dense tolerance 1e-8, not within 1e-9.

        Examples
        --------
        >>> from mdps import SparseDiscountedMDP
        >>> from mdps.instances import chain_mdp
        >>> SparseDiscountedMDP.from_dense(chain_mdp(n_states=5)).P.nnz
        15
        """
        if not isinstance(mdp, DiscountedMDP):
            raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
        S, A = mdp.R.shape
        return cls(scipy.sparse.csr_array(mdp.P.reshape(S * A, S)), mdp.R, mdp.gamma, mdp.initial,
                   mdp.reward_model, mdp.reward_std)

    @cached_property
    def _alias_tables(self) -> np.ndarray:
        """Packed alias tables of the rows of ``P``, parallel to ``P.data`` (for the sampler).

        Rows with the same number of successors are tabled together by
        :func:`mdps.sampling.packed_alias_table`; entry ``k`` of row ``i`` (``indptr[i] + k``) holds
        ``alias + threshold`` with the alias a position within the row.
        """
        from .sampling import packed_alias_table

        indptr, data = self.P.indptr, self.P.data
        lengths = np.diff(indptr)
        packed = np.empty(data.shape[0], np.float64)
        for n in np.unique(lengths):
            rows = np.flatnonzero(lengths == n)
            where = indptr[rows][:, None] + np.arange(n)
            packed[where] = packed_alias_table(data[where])
        packed.setflags(write=False)
        return packed


# --------------------------------------------------------------------------------------------
# Linear algebra of the sparse form (unchecked helpers for mdps.planning)
# --------------------------------------------------------------------------------------------

def policy_rows(mdp: SparseDiscountedMDP, actions: np.ndarray) -> scipy.sparse.csr_array:
    r""":math:`P_\pi` (S, S) of a deterministic policy: the rows ``s A + pi(s)`` of ``P``."""
    return mdp.P[np.arange(mdp.n_states) * mdp.n_actions + actions]


def policy_transitions(mdp: SparseDiscountedMDP, pi: np.ndarray) -> scipy.sparse.csr_array:
    r""":math:`P_\pi(s, t) = \sum_a \pi(a \mid s) P(t \mid s, a)` of a stochastic (S, A) policy."""
    S, A = mdp.R.shape
    weights = scipy.sparse.csr_array((pi.reshape(-1), np.arange(S * A), np.arange(0, S * A + 1, A)), shape=(S, S * A))
    return weights @ mdp.P


def solve_evaluation(gamma: float, P_pi, b: np.ndarray, transpose: bool = False) -> np.ndarray:
    r"""The solution of :math:`(I - \gamma P_\pi) x = b` (or of its transpose), by sparse LU."""
    S = P_pi.shape[0]
    M = scipy.sparse.identity(S, format="csc") - gamma * (P_pi.T if transpose else P_pi).tocsc()
    # SuperLU with its default ordering (COLAMD): the minimum degree of M^T + M is 20% faster on a
    # 316 x 316 gridworld but 100x slower on a chain (every state returns to state 0: a dense column).
    return scipy.sparse.linalg.splu(M.tocsc(), permc_spec="COLAMD").solve(np.asarray(b, dtype=np.float64))
