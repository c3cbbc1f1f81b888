r"""Exact planning: the ground truth every check compares against.

One entry point, :func:`solve`, returns one result type, :class:`PlanningResult`. Every result
carries an *a posteriori* guarantee computed from its own output, not a promise of the method.
For a discounted MDP with Bellman optimality operator
:math:`(TV)(s) = \max_a [R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')]` and residual
:math:`\varepsilon \ge \|TV - V\|_\infty`,

.. math::

    \|V - V^\star\|_\infty \le \frac{\varepsilon}{1 - \gamma}
    \quad (\texttt{value\_error\_bound}), \qquad
    \|V^\pi - V^\star\|_\infty \le \frac{2 \varepsilon}{1 - \gamma}
    \quad (\texttt{policy\_error\_bound}),

for :math:`\pi` greedy in :math:`V`, because :math:`T` is a :math:`\gamma`-contraction and
:math:`T_\pi V = T V` for the greedy :math:`\pi`. Here :math:`\varepsilon` is the computed
residual plus a bound on the floating-point error of computing it,
:math:`(S + 3)\, \epsilon_{\mathrm{mach}} (1 + \|V\|_\infty)` (float64 machine epsilon), so the
bounds hold for the numbers actually returned, even for policy iteration whose computed residual
can be exactly 0. Value iteration stops once its last iterate is certified within ``tol`` of
:math:`V^\star` (not a span-stopped V). Modified policy iteration stops on the span of
:math:`TV - V`, returns the shifted iterate that span certifies, and checks its certificate
before returning it. Finite-horizon problems are solved exactly by backward induction.

Every discounted solver also takes a :class:`~mdps.SparseDiscountedMDP` (``P`` a sparse (S A, S)
matrix; :mod:`mdps.sparse`): backups are sparse products, evaluations sparse LU solves, and the
rounding allowance counts the successors of the fullest row instead of S.

Also here: exact policy evaluation (a linear solve, or backward induction), Q-values, greedy
policies, gaps, occupancy measures (normalised discounted, and per step), the expected return
and suboptimality of a policy, and the single-policy concentrability :math:`C^\star` of a data
distribution. Notation as in :mod:`mdps.core` and :ref:`conventions`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.optimize
import scipy.sparse

from . import _NUMBA_CACHE
from . import _validation as v
from .core import (
    ContextualBandit,
    DiscountedMDP,
    FiniteHorizonMDP,
    LinearMDP,
    MultiArmedBandit,
    policy_matrix,
)
from .sparse import SparseDiscountedMDP, policy_rows, policy_transitions, solve_evaluation

#: The discounted problem types: dense and sparse transitions.
_DISCOUNTED = (DiscountedMDP, SparseDiscountedMDP)

METHODS = ("pi", "vi", "lp", "mpi")
_SOLVER_OPTIONS = {"pi": {"max_iter"}, "vi": {"tol", "max_iter", "initial_values"}, "lp": set(),
                   "mpi": {"m", "tol", "max_iter"}}


def _checked_floats(name: str, value) -> np.ndarray:
    """``v.float_array(name, value)``, without its copy when ``value`` is a float64 array."""
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        # The same check and message as v.float_array (a solver's results are checked on every call).
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name}: expected finite values, got NaN or inf")
        return value
    return v.float_array(name, value)


def _checked_ints(name: str, value) -> np.ndarray:
    """``v.int_array(name, value)``, without its copy when ``value`` is an int64 array."""
    if isinstance(value, np.ndarray) and value.dtype == np.int64:
        if value.size and value.min() < 0:
            raise ValueError(f"{name}: expected entries >= 0, got {value.min()}")
        return value
    return v.int_array(name, value)


@dataclass(frozen=True, eq=False)
class PlanningResult:
    r"""What :func:`solve` returns: the solution and the guarantee it met.

    The guarantee is certified *a posteriori*, from the returned arrays themselves:

    .. math::

        \|\texttt{values} - V^\star\|_\infty \le \texttt{value\_error\_bound}, \qquad
        \|V^{\texttt{policy}} - V^\star\|_\infty \le \texttt{policy\_error\_bound},

    with the bounds :math:`\varepsilon / (1 - \gamma)` and :math:`2 \varepsilon / (1 - \gamma)` of
    the residual :math:`\varepsilon` (see :func:`solve`). Backward induction is exact and
    reports 0 for both (the rounding of its H backups is not counted).

    Parameters
    ----------
    values : array (S,) or (H + 1, S)
        Optimal state values :math:`V^\star` (finite horizon: one row per step, the last row 0).
    q_values : array (S, A) or (H, S, A)
        Q-values of ``values``, :math:`Q(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')`
        (finite horizon: :math:`R_h + P_h V_{h+1}`).
    policy : int array (S,) or (H, S)
        A deterministic policy greedy in ``q_values`` (lowest index among ties).
    iterations : int
        Sweeps (value iteration), improvement steps (policy iteration), greedy steps (modified
        policy iteration), 1 (LP) or H (backward induction).
    method : {"pi", "vi", "lp", "mpi", "backward_induction"}
        The method that produced the result.
    value_error_bound : float
        Certified bound on :math:`\|\texttt{values} - V^\star\|_\infty`, computed from the result.
    policy_error_bound : float
        Certified bound on :math:`\|V^{\texttt{policy}} - V^\star\|_\infty`.

    Raises
    ------
    ValueError
        If the shapes of ``values``, ``q_values`` and ``policy`` disagree, an action is out of
        range, ``method`` is unknown or a bound is negative or not finite.

    Examples
    --------
    >>> from mdps import solve
    >>> from mdps.instances import chain_mdp
    >>> result = solve(chain_mdp(n_states=4), method="pi")
    >>> result.method, result.values.shape, result.policy.tolist()
    ('pi', (4,), [1, 1, 1, 1])
    """

    values: np.ndarray
    q_values: np.ndarray
    policy: np.ndarray
    iterations: int
    method: str
    value_error_bound: float
    policy_error_bound: float

    def __post_init__(self):
        # Checked, not converted: the solvers pass their read-only arrays through unchanged.
        Q = _checked_floats("q_values", self.q_values)
        if Q.ndim not in (2, 3) or 0 in Q.shape:
            raise ValueError(f"q_values: expected shape (S, A) or (H, S, A), got {Q.shape}")
        V = _checked_floats("values", self.values)
        want = Q.shape[:1] if Q.ndim == 2 else (Q.shape[0] + 1, Q.shape[1])
        if V.shape != want:
            raise ValueError(f"values: expected shape {want} (from q_values {Q.shape}), got {V.shape}")
        pi = _checked_ints("policy", self.policy)
        if pi.size and pi.max() >= Q.shape[-1]:
            raise ValueError(f"policy: expected actions < {Q.shape[-1]} (the actions of q_values), got {pi.max()}")
        if pi.shape != Q.shape[:-1]:
            raise ValueError(f"policy: expected shape {Q.shape[:-1]} (from q_values {Q.shape}), got {pi.shape}")
        v.positive_int("iterations", self.iterations)
        if not isinstance(self.method, str) or self.method not in METHODS + ("backward_induction",):
            raise ValueError(f"method: expected one of {METHODS + ('backward_induction',)}, got {self.method!r}")
        v.nonnegative_float("value_error_bound", self.value_error_bound)
        v.nonnegative_float("policy_error_bound", self.policy_error_bound)
        for name in ("values", "q_values", "policy"):
            if not isinstance(getattr(self, name), np.ndarray):
                object.__setattr__(self, name, {"values": V, "q_values": Q, "policy": pi}[name])

    @property
    def gaps(self) -> np.ndarray:
        r"""The action gaps :math:`\max_b Q(s, b) - Q(s, a) \ge 0`, shape of ``q_values``."""
        return self.q_values.max(axis=-1, keepdims=True) - self.q_values


# --------------------------------------------------------------------------------------------
# Backups
# --------------------------------------------------------------------------------------------

def q_from_values(mdp, values: np.ndarray) -> np.ndarray:
    r"""One Bellman backup: the Q-values of a value function.

    .. math::

        Q(s, a) = R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')

    for a discounted MDP, and :math:`Q_h(s, a) = R_h(s, a) + \sum_{s'} P_h(s' \mid s, a) V_{h+1}(s')`
    in finite horizon.

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    values : array (S,) or (H + 1, S)
        :math:`V`: shape (S,) for a discounted MDP, (H + 1, S) for a finite-horizon one (row
        ``h`` is :math:`V_h`; row 0 is not used).

    Returns
    -------
    numpy.ndarray
        Q-values, shape (S, A) or (H, S, A).

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> mdp = chain_mdp()
    >>> bool(np.allclose(q_from_values(mdp, mdp.optimal_values), mdp.optimal_q))
    True
    """
    if isinstance(mdp, _DISCOUNTED):
        S, A = mdp.R.shape
        return _backup(mdp, v.float_array("values", values, ndim=1, shape=(S,)))
    mdp = _tabular(mdp)
    H, S, A = mdp.R.shape
    V = v.float_array("values", values, ndim=2, shape=(H + 1, S))
    return mdp.R + np.einsum("hsat,ht->hsa", mdp.P, V[1:])


def _backup(mdp: DiscountedMDP, V: np.ndarray) -> np.ndarray:
    """:func:`q_from_values` of a float (S,) array, unchecked (the solvers' inner loops)."""
    S, A = mdp.R.shape
    # One (S*A, S) @ (S,) BLAS call: the backup is memory-bound, so this is as fast as it gets.
    # In place (the same numbers as R + gamma * PV): at small S the temporaries cost as much.
    Q = ((mdp.P if isinstance(mdp, SparseDiscountedMDP) else mdp.P.reshape(S * A, S)) @ V).reshape(S, A)
    Q *= mdp.gamma
    Q += mdp.R
    return Q


def greedy_policy(q_values: np.ndarray) -> np.ndarray:
    r"""The greedy policy :math:`\pi(s) = \arg\max_a Q(s, a)` (lowest index among exact ties).

    Parameters
    ----------
    q_values : float array (..., A)
        Finite Q-values (NaN has no argmax) with at least one action on the last axis.

    Returns
    -------
    numpy.ndarray
        Int array of actions of shape ``q_values.shape[:-1]``.

    Examples
    --------
    >>> greedy_policy([[0.1, 0.5], [0.3, 0.3]]).tolist()
    [1, 0]
    """
    Q = v.float_array("q_values", q_values)
    if Q.ndim == 0 or Q.shape[-1] == 0:
        raise ValueError(f"q_values: expected an array of shape (..., A) with A >= 1, got shape {Q.shape}")
    return np.argmax(Q, axis=-1)


def bellman_residual(mdp: DiscountedMDP, values: np.ndarray) -> float:
    r"""The Bellman residual :math:`\|TV - V\|_\infty` for the optimality operator :math:`T`.

    :math:`(TV)(s) = \max_a [R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')]`; a residual
    :math:`\varepsilon` certifies :math:`\|V - V^\star\|_\infty \le \varepsilon / (1 - \gamma)`.

    Parameters
    ----------
    mdp : DiscountedMDP or SparseDiscountedMDP
        The problem.
    values : array (S,)
        The value function :math:`V`.

    Returns
    -------
    float
        :math:`\|TV - V\|_\infty` as computed (without the rounding allowance that
        :class:`PlanningResult`'s bounds add).

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> mdp = chain_mdp()
    >>> bellman_residual(mdp, mdp.optimal_values) < 1e-12
    True
    """
    if not isinstance(mdp, _DISCOUNTED):
        raise TypeError(f"mdp: expected a DiscountedMDP or SparseDiscountedMDP, got {type(mdp).__name__}")
    V = v.float_array("values", values, ndim=1, shape=(mdp.n_states,))
    return float(np.max(np.abs(q_from_values(mdp, V).max(axis=1) - V)))


def _tabular(mdp, name: str = "mdp"):
    if isinstance(mdp, LinearMDP):
        return mdp.tabular
    if not isinstance(mdp, (DiscountedMDP, FiniteHorizonMDP, SparseDiscountedMDP)):
        raise TypeError(
            f"{name}: expected a DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP, "
            f"got {type(mdp).__name__}"
        )
    return mdp


def _policy_for(mdp, policy) -> np.ndarray:
    """The policy as probabilities with the shape this MDP needs: (S, A) or (H, S, A).

    In finite horizon a stationary policy (shape (S,) or (S, A)) is used at every step.
    """
    pi = policy_matrix(policy, mdp.n_actions)
    if isinstance(mdp, FiniteHorizonMDP) and pi.shape == (mdp.n_states, mdp.n_actions):
        pi = np.broadcast_to(pi, mdp.R.shape)
    want = (mdp.n_states, mdp.n_actions) if isinstance(mdp, _DISCOUNTED) else mdp.R.shape
    if pi.shape != want:
        raise ValueError(
            f"policy: expected shape {want[:-1]} (actions) or {want} (probabilities) for this MDP, "
            f"got {np.shape(policy)}"
        )
    return pi


# --------------------------------------------------------------------------------------------
# Policy evaluation
# --------------------------------------------------------------------------------------------

def policy_evaluation(mdp, policy) -> np.ndarray:
    r"""Exact :math:`V^\pi`.

    Discounted: the linear solve :math:`(I - \gamma P_\pi) V = R_\pi`, with
    :math:`P_\pi(s, s') = \sum_a \pi(a \mid s) P(s' \mid s, a)` and
    :math:`R_\pi(s) = \sum_a \pi(a \mid s) R(s, a)`. Finite horizon: backward induction,
    :math:`V_H = 0`, :math:`V_h(s) = \sum_a \pi_h(a \mid s) [R_h(s, a) + P_h V_{h+1}(s, a)]`.

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    policy : int array (S,) / (H, S) or float array (S, A) / (H, S, A)
        Deterministic or stochastic; in finite horizon a stationary policy ((S,) or (S, A)) is
        used at every step.

    Returns
    -------
    numpy.ndarray
        :math:`V^\pi`: shape (S,) discounted, (H + 1, S) finite horizon with ``V[H] = 0``.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> mdp = chain_mdp()
    >>> bool(np.allclose(policy_evaluation(mdp, mdp.optimal_policy), mdp.optimal_values))
    True
    """
    mdp = _tabular(mdp)
    pi = _policy_for(mdp, policy)
    if isinstance(mdp, SparseDiscountedMDP):
        actions = _deterministic_actions(pi)
        if actions is not None:
            return _evaluate_deterministic(mdp, actions)
        return solve_evaluation(mdp.gamma, policy_transitions(mdp, pi), np.einsum("sa,sa->s", pi, mdp.R))
    if isinstance(mdp, DiscountedMDP):
        actions = _deterministic_actions(pi)
        if actions is not None:
            return _evaluate_deterministic(mdp, actions)
        S = mdp.n_states
        P_pi = np.einsum("sa,sat->st", pi, mdp.P)
        R_pi = np.einsum("sa,sa->s", pi, mdp.R)
        return _solve_linear(np.eye(S) - mdp.gamma * P_pi, R_pi)
    H, S, A = mdp.R.shape
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        V[h] = np.einsum("sa,sa->s", pi[h], mdp.R[h] + mdp.P[h] @ V[h + 1])
    return V


def _deterministic_actions(pi: np.ndarray):
    """The action of every state if the (S, A) probabilities ``pi`` are one-hot, else None."""
    actions = np.argmax(pi, axis=1)
    if np.all(pi[np.arange(pi.shape[0]), actions] == 1.0) and np.count_nonzero(pi) == pi.shape[0]:
        return actions
    return None


def _solve_linear(M: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""The solution of ``M x = b`` for a C-ordered (S, S) ``M`` that may be overwritten.

    ``M.T`` is Fortran-ordered, so LAPACK factors it in place (numpy.linalg.solve would copy it
    first, and scipy.linalg.solve also estimates the condition number, together 20% to 40% of
    the time at S = 2000); ``getrs`` with ``trans=1`` then solves with the transpose of that
    factor, i.e. with ``M``. :math:`I - \gamma P_\pi` is strictly diagonally dominant by rows,
    so LU of its transpose is stable.
    """
    lu, piv, info = scipy.linalg.lapack.dgetrf(M.T, overwrite_a=True)
    if info == 0:
        x, info = scipy.linalg.lapack.dgetrs(lu, piv, b, trans=1)
    if info != 0:
        raise ValueError(f"policy: the evaluation system is singular or invalid (LAPACK info {info})")
    return x


def _evaluate_deterministic(mdp: DiscountedMDP, actions: np.ndarray) -> np.ndarray:
    r""":math:`V^\pi` of a deterministic policy: rows of P gathered, then one LU solve."""
    if isinstance(mdp, SparseDiscountedMDP):
        return solve_evaluation(mdp.gamma, policy_rows(mdp, actions), mdp.R[np.arange(mdp.n_states), actions])
    S = mdp.n_states
    states = np.arange(S)
    M = mdp.P[states, actions]  # a fresh (S, S) copy, so it can become I - gamma P_pi in place
    M *= -mdp.gamma
    M.reshape(-1)[:: S + 1] += 1.0  # the diagonal, through a view (M is C-contiguous)
    return _solve_linear(M, mdp.R[states, actions])


def policy_q_values(mdp, policy) -> np.ndarray:
    r"""Exact :math:`Q^\pi`, the backup of :math:`V^\pi` (:func:`q_from_values` of :func:`policy_evaluation`).

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    policy : int array (S,) / (H, S) or float array (S, A) / (H, S, A)
        Deterministic or stochastic, as in :func:`policy_evaluation`.

    Returns
    -------
    numpy.ndarray
        :math:`Q^\pi`, shape (S, A) or (H, S, A).
    """
    return q_from_values(_tabular(mdp), policy_evaluation(mdp, policy))


def expected_return(problem, policy) -> float:
    r""":math:`J(\pi)`: the expected value of ``policy`` from the initial (or context) distribution.

    MDPs: :math:`J(\pi) = \sum_s \rho(s) V^\pi(s)` (:math:`V^\pi_0` in finite horizon).
    Bandits: :math:`\sum_a \pi(a) r(a)`, or :math:`\sum_s \rho(s) \sum_a \pi(a \mid s) r(s, a)`
    for a contextual bandit.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    policy : int or array
        An arm (int) or arm probabilities (A,) for a multi-armed bandit; an action per context
        (S,) or probabilities (S, A) for a contextual bandit; a policy as in
        :func:`policy_evaluation` for an MDP.

    Returns
    -------
    float
        :math:`J(\pi)`, in :math:`[0, V_{\max}]`.

    Examples
    --------
    >>> from mdps import MultiArmedBandit
    >>> expected_return(MultiArmedBandit([0.2, 0.9]), [0.5, 0.5])
    0.55
    """
    if isinstance(problem, MultiArmedBandit):
        pi = policy_matrix(policy, problem.n_actions)
        if pi.shape != (problem.n_actions,):
            raise ValueError(f"policy: expected one arm index or arm probabilities, got shape {np.shape(policy)}")
        return float(pi @ problem.means)
    if isinstance(problem, ContextualBandit):
        pi = policy_matrix(policy, problem.n_actions)
        if pi.shape != problem.means.shape:
            raise ValueError(f"policy: expected shape ({problem.n_states},) or {problem.means.shape}, got {np.shape(policy)}")
        return float(problem.context_distribution @ np.einsum("sa,sa->s", pi, problem.means))
    mdp = _tabular(problem, "problem")
    V = policy_evaluation(mdp, policy)
    return float(mdp.initial @ (V if V.ndim == 1 else V[0]))


def optimal_return(problem) -> float:
    r""":math:`J(\pi^\star) = \max_\pi J(\pi)` for any problem type.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.

    Returns
    -------
    float
        The optimal expected return: the best mean for a bandit,
        :math:`\sum_s \rho(s) \max_a r(s, a)` for a contextual bandit,
        :math:`\sum_s \rho(s) V^\star(s)` (or :math:`V^\star_0`) for an MDP.
    """
    if isinstance(problem, MultiArmedBandit):
        return float(problem.means.max())
    if isinstance(problem, ContextualBandit):
        return float(problem.context_distribution @ problem.means.max(axis=1))
    mdp = _tabular(problem, "problem")
    V = mdp.optimal_values
    return float(mdp.initial @ (V if V.ndim == 1 else V[0]))


def suboptimality(problem, policy) -> float:
    r"""The suboptimality :math:`J(\pi^\star) - J(\pi) \ge 0` (up to rounding) of a policy.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    policy : int or array
        The policy, as in :func:`expected_return`.

    Returns
    -------
    float
        :func:`optimal_return` minus :func:`expected_return`.

    Examples
    --------
    >>> from mdps import MultiArmedBandit
    >>> round(suboptimality(MultiArmedBandit([0.2, 0.9]), 0), 12)
    0.7
    """
    return optimal_return(problem) - expected_return(problem, policy)


# --------------------------------------------------------------------------------------------
# Solvers
# --------------------------------------------------------------------------------------------

def _rounding(n_states: int, values: np.ndarray) -> float:
    """A bound on the rounding error of one computed backup ``R + gamma P V`` and its residual.

    Each backup entry is a length-S dot product (error <= S eps ||V||) plus R and a subtraction.
    For a sparse P, ``n_states`` is the number of terms of the longest dot product: the
    successors of the fullest row (:func:`_terms`).
    """
    return float((n_states + 3) * np.finfo(np.float64).eps * (1.0 + np.max(np.abs(values))))


def _terms(mdp) -> int:
    """Terms of the longest dot product of a backup: S, or the most successors of a sparse row."""
    return mdp.max_successors if isinstance(mdp, SparseDiscountedMDP) else mdp.n_states


def _result(mdp: DiscountedMDP, V: np.ndarray, iterations: int, method: str, Q=None, policy=None) -> PlanningResult:
    # A solver that has just computed the backup of V passes it as Q (the same expression), and
    # may pass its greedy policy np.argmax(Q, axis=1) too.
    V = np.asarray(V, dtype=float)
    Q = _backup(mdp, V) if Q is None else Q
    policy = np.argmax(Q, axis=1) if policy is None else policy  # greedy_policy(Q), without re-checking Q
    # Q[s, policy[s]] is Q.max(axis=1), the same numbers, gathered 4x faster at S = 100, A = 10.
    res = float(np.max(np.abs(Q[np.arange(Q.shape[0]), policy] - V))) + _rounding(_terms(mdp), V)
    scale = 1.0 - mdp.gamma
    for arr in (V, Q, policy):
        arr.setflags(write=False)
    # ||T_pi V - V|| and ||T V - V|| are both <= res (computed residual + rounding of the computed Q,
    # in which pi is greedy), so ||V^pi - V*|| <= ||V^pi - V|| + ||V - V*|| <= 2 res / (1 - gamma).
    if not np.isfinite(res) or V.shape != Q.shape[:1]:
        # NaN or inf in V or in the greedy Q (or a shape a solver got wrong): the checks raise.
        return PlanningResult(V, Q, policy, iterations, method, res / scale, 2.0 * res / scale)
    # Arrays made here, float64 and consistent: PlanningResult's checks (a third of policy
    # iteration's time at S = 100) would only repeat what the computation guarantees.
    result = object.__new__(PlanningResult)
    for name, value in (("values", V), ("q_values", Q), ("policy", policy), ("iterations", iterations),
                        ("method", method), ("value_error_bound", res / scale),
                        ("policy_error_bound", 2.0 * res / scale)):
        object.__setattr__(result, name, value)
    return result


def value_iteration(mdp: DiscountedMDP, *, tol: float | None = None, max_iter: int = 1_000_000,
                    initial_values=None) -> PlanningResult:
    r"""Value iteration with a certified stop: :math:`\|V - V^\star\|_\infty \le` ``tol`` on return.

    Iterates :math:`V_k = T V_{k-1}` and stops at the first iterate with

    .. math::

        \gamma \|V_k - V_{k-1}\|_\infty + r \le \mathrm{tol}\, (1 - \gamma),

    where :math:`r` bounds the rounding of one backup (see the module docstring). Since
    :math:`\|V_k - V^\star\| \le \gamma \|V_{k-1} - V^\star\| + r` and
    :math:`\|V_{k-1} - V^\star\| \le (\|V_k - V_{k-1}\| + r) / (1 - \gamma)`, the returned values
    satisfy :math:`\|V - V^\star\|_\infty \le` ``tol``; the result's ``value_error_bound``
    re-certifies this a posteriori.

    Parameters
    ----------
    mdp : DiscountedMDP or SparseDiscountedMDP
        The problem.
    tol : float > 0, optional
        Target sup-norm error; it must exceed the rounding floor :math:`r / (1 - \gamma)`, else
        ``ValueError`` (the floor is :math:`(S + 3)\, \epsilon_{\mathrm{mach}} (1 + V_{\max}) / (1 - \gamma)`:
        3e-13 for S = 10 and :math:`\gamma` = 0.9, 5e-8 for S = 200 and :math:`\gamma` = 0.999).
        Default: ``max(1e-10, 10 * floor)``.
    max_iter : int, default 1_000_000
        Raises ``ValueError`` if that many sweeps do not reach ``tol``.
    initial_values : array (S,), optional
        Starting point (default 0).

    Returns
    -------
    PlanningResult
        ``method="vi"``, ``iterations`` the number of sweeps, ``value_error_bound <= tol``.

    Examples
    --------
    >>> from mdps.planning import value_iteration
    >>> from mdps.instances.classic import chain_mdp
    >>> value_iteration(chain_mdp(), tol=1e-9).value_error_bound <= 1e-9
    True
    """
    if not isinstance(mdp, _DISCOUNTED):
        raise TypeError(f"mdp: expected a DiscountedMDP or SparseDiscountedMDP, got {type(mdp).__name__}")
    max_iter = v.positive_int("max_iter", max_iter)
    S, A = mdp.R.shape
    V = np.zeros(S) if initial_values is None else np.array(
        v.float_array("initial_values", initial_values, ndim=1, shape=(S,)))
    P_flat = mdp.P if isinstance(mdp, SparseDiscountedMDP) else mdp.P.reshape(S * A, S)
    # Iterates stay within max(||V_0||, V_max), which bounds the rounding of every backup.
    rounding = _rounding(_terms(mdp), np.array([max(float(np.max(np.abs(V))), mdp.max_value)]))
    floor = rounding / (1.0 - mdp.gamma)
    tol = max(1e-10, 10.0 * floor) if tol is None else v.positive_float("tol", tol)
    threshold = tol * (1.0 - mdp.gamma)
    if rounding >= threshold:
        raise ValueError(
            f"tol: expected more than the rounding floor {rounding / (1.0 - mdp.gamma):.3g} of this "
            f"problem, got {tol}"
        )
    residual = np.inf
    for it in range(1, max_iter + 1):
        # In place, the same numbers as (R + gamma * PV).max(axis=1), without two temporaries.
        Q = (P_flat @ V).reshape(S, A)
        Q *= mdp.gamma
        Q += mdp.R
        V_new = Q.max(axis=1)
        residual = np.max(np.abs(V_new - V))
        V = V_new
        if mdp.gamma * residual + rounding <= threshold:
            return _result(mdp, V, it, "vi")
    raise ValueError(
        f"max_iter: value iteration did not reach tol={tol} in {max_iter} sweeps (last residual {residual:.3g})"
    )


def _partial_evaluation(mdp: DiscountedMDP, actions: np.ndarray, values: np.ndarray, sweeps: int,
                        span_tol: float = 0.0) -> np.ndarray:
    r""":math:`T_\pi^{k} V` for a deterministic :math:`\pi`: up to ``sweeps`` backups with its gathered rows.

    Stops after fewer sweeps once one changes ``values`` by a vector of span at most ``span_tol``.
    """
    states = np.arange(mdp.n_states)
    # Gathered once, so that each sweep reads S^2 numbers instead of the S^2 A of a full backup;
    # gamma is folded into the copy, so a sweep is one matrix-vector product and one addition.
    if isinstance(mdp, SparseDiscountedMDP):
        gamma_P_pi = policy_rows(mdp, actions) * mdp.gamma
    else:
        gamma_P_pi = mdp.P[states, actions]
        gamma_P_pi *= mdp.gamma
    R_pi = mdp.R[states, actions]
    for _ in range(sweeps):
        new = gamma_P_pi @ values
        new += R_pi
        change = new - values
        values = new
        if change.max() - change.min() <= span_tol:
            break
    return values


def policy_iteration(mdp: DiscountedMDP, *, max_iter: int = 10_000) -> PlanningResult:
    r"""Howard's policy iteration with exact evaluation (a linear solve per step).

    Evaluates :math:`V^{\pi_k}` exactly (:func:`policy_evaluation`) and switches, in every state
    at once, to the greedy action of :math:`Q^{\pi_k}`. An action is replaced only when it
    improves Q by more than :math:`10^{-12} V_{\max}`, so rounding cannot make the loop cycle;
    the returned values are :math:`V^\pi` of a policy stable under that rule, and the result's
    bounds certify how close they are to :math:`V^\star`. The first policy is greedy in
    :math:`T 0 = \max_a R(\cdot, a)` (as in QuantEcon's ``DiscreteDP``): one backup,
    :math:`S^2 A` operations against about :math:`S^3 / 3` for an exact evaluation, which often
    saves an evaluation over starting from :math:`\arg\max_a R(s, a)` (a second value-iteration
    sweep saves fewer than its cost on random MDPs).

    At small S the overheads count: on random MDPs with S = 100, A = 10 one step is one LU
    factorisation (about 45 us of LAPACK's ``dgetrf``) and one backup (13 us), and the result
    is assembled from the arrays computed here without :class:`PlanningResult`'s re-checks
    (14 us) and with gathers instead of row maxima (the same numbers). Against QuantEcon's
    ``DiscreteDP`` policy iteration this took the per-round ratio from 0.78x min, 1.11x median
    to 1.35x min, 1.40x median (gamma 0.9; 1.37x and 1.40x at 0.99; CPU times, 41 interleaved
    rounds, ``python benchmarks/bench_peers.py --states 100 --rounds 41 --vi-states --gym-steps 0``):
    the 0.84x min ratio once measured there was noise around a 10% lead.

    Parameters
    ----------
    mdp : DiscountedMDP or SparseDiscountedMDP
        The problem.
    max_iter : int, default 10_000
        Raises ``ValueError`` if the policy is not stable after that many improvement steps.

    Returns
    -------
    PlanningResult
        ``method="pi"``, ``iterations`` the number of evaluations.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> policy_iteration(chain_mdp()).value_error_bound < 1e-12
    True
    """
    if not isinstance(mdp, _DISCOUNTED):
        raise TypeError(f"mdp: expected a DiscountedMDP or SparseDiscountedMDP, got {type(mdp).__name__}")
    max_iter = v.positive_int("max_iter", max_iter)
    states = np.arange(mdp.n_states)
    if isinstance(mdp, SparseDiscountedMDP):
        # A sparse LU evaluation costs hundreds of backups (1.4 s against 5 ms on a 316 x 316
        # gridworld), and from greedy(T 0) such a gridworld took 73 of them; from the greedy policy
        # of modified policy iteration (default tol) it is stable after one.
        pi = modified_policy_iteration(mdp).policy
    else:
        # max_a R(s, a), gathered (the same numbers as R.max(axis=1), faster at small S).
        pi = np.argmax(_backup(mdp, mdp.R[states, np.argmax(mdp.R, axis=1)]), axis=1)
    eps = 1e-12 * mdp.max_value
    for it in range(1, max_iter + 1):
        V = _evaluate_deterministic(mdp, pi)
        Q = _backup(mdp, V)
        best = np.argmax(Q, axis=1)
        improve = Q[states, best] > Q[states, pi] + eps  # Q[states, best] is Q.max(axis=1)
        if not improve.any():
            return _result(mdp, V, it, "pi", Q, best)
        pi = np.where(improve, best, pi)
    raise ValueError(f"max_iter: policy iteration did not stabilise in {max_iter} steps")


def modified_policy_iteration(mdp: DiscountedMDP, *, m: int = 20, tol: float | None = None,
                              max_iter: int = 100_000) -> PlanningResult:
    r"""Modified policy iteration (Puterman, section 6.5) with a certified stop.

    From :math:`V_0 = 0`, each iteration takes the greedy policy :math:`\pi_k` of
    :math:`V_k` and :math:`m` sweeps of its Bellman operator from :math:`TV_k`:
    :math:`V_{k+1} = T_{\pi_k}^{m} T V_k` (``m = 0`` would be value iteration, ``m`` large policy
    iteration). The sweeps stop early once one changes the values by a vector of span below
    the stopping span (defined below): later sweeps would add an almost constant vector, which
    changes neither the greedy policy nor the span test (Puterman's MPI allows a different number
    of sweeps at every step). With :math:`d = TV_k - V_k`, the shifted iterate

    .. math::

        V' = TV_k + \frac{\gamma}{1 - \gamma}\, \frac{\max_s d(s) + \min_s d(s)}{2}

    has :math:`\|TV' - V'\|_\infty \le \gamma\, \mathrm{span}(d) / 2`, since
    :math:`T(TV_k) - TV_k` lies between :math:`\gamma P_{\pi} d` for two policies, hence in
    :math:`[\gamma \min d, \gamma \max d]`. The span of :math:`d` shrinks with the mixing of
    the policies' chains, often much faster than :math:`\|d\|_\infty`. Once
    :math:`\gamma\, \mathrm{span}(d) / 2` plus rounding is below ``tol`` :math:`(1 - \gamma)`,
    the residual of :math:`V'` is computed, and :math:`V'` is returned if its certificate
    :math:`\|V' - V^\star\|_\infty \le` ``tol`` holds (iteration goes on from :math:`V'`
    otherwise). As for the other methods, the result's bounds are recomputed from the returned
    values.

    Parameters
    ----------
    mdp : DiscountedMDP or SparseDiscountedMDP
        The problem.
    m : int >= 1, default 20
        At most this many partial-evaluation sweeps per greedy step (each costs :math:`S^2`
        operations, a greedy step :math:`S^2 A`).
    tol : float > 0, optional
        Target sup-norm error, with the default of :func:`value_iteration`; it must exceed twice
        value iteration's rounding floor (the span and the residual are both computed), else
        ``ValueError``.
    max_iter : int, default 100_000
        Raises ``ValueError`` if that many greedy steps do not reach ``tol``.

    Returns
    -------
    PlanningResult
        ``method="mpi"``, ``iterations`` the number of greedy steps, ``value_error_bound <= tol``.

    Examples
    --------
    >>> from mdps.planning import modified_policy_iteration
    >>> from mdps.instances import chain_mdp
    >>> modified_policy_iteration(chain_mdp(), m=10, tol=1e-9).value_error_bound <= 1e-9
    True
    """
    if not isinstance(mdp, _DISCOUNTED):
        raise TypeError(f"mdp: expected a DiscountedMDP or SparseDiscountedMDP, got {type(mdp).__name__}")
    m = v.positive_int("m", m)
    max_iter = v.positive_int("max_iter", max_iter)
    S, A = mdp.R.shape
    gamma = mdp.gamma
    # From V = 0 the iterates, and V' close to V*, stay within V_max, as in value iteration; the
    # final certificate is recomputed from the returned values anyway.
    rounding = _rounding(_terms(mdp), np.array([mdp.max_value]))
    floor = rounding / (1.0 - gamma)
    tol = max(1e-10, 10.0 * floor) if tol is None else v.positive_float("tol", tol)
    threshold = tol * (1.0 - gamma)
    if 2.0 * rounding >= threshold:
        raise ValueError(f"tol: expected more than the rounding floor {2.0 * floor:.3g} of this problem, got {tol}")
    # Stop when gamma span(d) / 2 + 2 rounding <= tol (1 - gamma): 2 rounding, one for the
    # computed span and one that _result adds to the residual.
    stop_span = 2.0 * (threshold - 2.0 * rounding) / gamma if gamma > 0 else np.inf
    states = np.arange(S)
    V = np.zeros(S)
    Q = mdp.R.copy()  # the backup of V = 0
    span = np.inf
    for it in range(1, max_iter + 1):
        pi = np.argmax(Q, axis=1)
        TV = Q[states, pi]
        d = TV - V
        low, high = float(d.min()), float(d.max())
        span = high - low
        if span <= stop_span:
            V = TV + gamma / (1.0 - gamma) * (low + high) / 2.0
            Q = _backup(mdp, V)
            # The certificate exactly as _result computes it.
            if (float(np.max(np.abs(Q.max(axis=1) - V))) + _rounding(_terms(mdp), V)) / (1.0 - gamma) <= tol:
                return _result(mdp, V, it, "mpi", Q)
            continue
        # Sweeps whose change has span <= stop_span / 2 leave d = TV - V within stop_span.
        V = _partial_evaluation(mdp, pi, TV, m, stop_span / 2.0)
        Q = _backup(mdp, V)
    raise ValueError(
        f"max_iter: modified policy iteration did not reach tol={tol} in {max_iter} greedy steps "
        f"(last span of TV - V {span:.3g})"
    )


def linear_program(mdp: DiscountedMDP) -> PlanningResult:
    r""":math:`V^\star` as the solution of a linear program.

    .. math::

        \min_V \sum_s V(s) \quad \text{s.t.} \quad
        V(s) \ge R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s') \quad \forall (s, a).

    Solved with scipy's HiGHS (``scipy.optimize.linprog``); a status other than optimal raises
    ``ValueError``. HiGHS works to a feasibility tolerance near 1e-7, so the returned values are
    typically within about 1e-7 of :math:`V^\star`; the result's ``value_error_bound`` states what
    was actually reached. A :class:`~mdps.SparseDiscountedMDP` gives HiGHS a sparse constraint
    matrix (its non-zeros and S A more); a dense ``P`` gives it :math:`S^2 A` non-zeros whatever the
    storage. Either way the LP is far slower than value iteration (``python benchmarks/bench_mdps.py
    --repeat 5``, section 8, CPU times on a loaded shared machine): 0.88 s against 16 ms (56x) on a
    45 x 45 sparse gridworld at :math:`\gamma` = 0.95, and 66 s against 2.1 s (32x) on a dense
    random MDP with S = 1000, A = 10 (at S = 2000 it did not finish within 600 s of wall time).
    HiGHS's dual simplex, its interior point and the occupancy form of the LP all took about 1 s
    on that gridworld: the cost is HiGHS's pivots and factorisations, not the storage.

    Parameters
    ----------
    mdp : DiscountedMDP or SparseDiscountedMDP
        The problem.

    Returns
    -------
    PlanningResult
        ``method="lp"``, ``iterations=1``.
    """
    if not isinstance(mdp, _DISCOUNTED):
        raise TypeError(f"mdp: expected a DiscountedMDP or SparseDiscountedMDP, got {type(mdp).__name__}")
    S, A = mdp.R.shape
    # Row (s, a): gamma P(.|s,a) V - V(s) <= -R(s, a).
    if isinstance(mdp, SparseDiscountedMDP):
        pick = scipy.sparse.csr_array((np.ones(S * A), np.repeat(np.arange(S), A), np.arange(S * A + 1)), shape=(S * A, S))
        A_ub = mdp.gamma * mdp.P - pick
    else:
        A_ub = mdp.gamma * mdp.P.reshape(S * A, S) - np.repeat(np.eye(S), A, axis=0)
    bound = mdp.max_value
    out = scipy.optimize.linprog(
        c=np.ones(S), A_ub=A_ub, b_ub=-mdp.R.reshape(-1), bounds=[(-bound, 2 * bound)] * S,
        method="highs",
    )
    if out.status != 0:
        raise ValueError(
            f"mdp: the LP solver (scipy.optimize.linprog, HiGHS) did not reach optimality "
            f"(status {out.status}: {out.message})"
        )
    return _result(mdp, out.x, 1, "lp")


@numba.njit(cache=_NUMBA_CACHE)
def _backward_induction_kernel(P, R, horizon):
    """V (H + 1, S), Q (H, S, A) and the greedy policy (H, S) of P (L, S, A, S) and R (M, S, A).

    ``L`` and ``M`` are H (one layer per step) or 1 (a stationary problem's single layer, used
    at every step). Each Q(h, s, a) is ``R + sum_t P[h, s, a, t] V[h + 1, t]`` summed over t in
    increasing order, one multiplication and one addition at a time (no fastmath: LLVM neither
    reorders nor fuses them), so its bits depend neither on the machine nor on where the row is.
    Eight states' sums for the same action run side by side: eight independent chains of
    additions instead of one, and eight forward streams through P that the prefetchers follow.
    """
    n_p, S, A, _ = P.shape
    n_r = R.shape[0]
    V = np.zeros((horizon + 1, S))
    Q = np.empty((horizon, S, A))
    policy = np.empty((horizon, S), np.int64)
    for h in range(horizon - 1, -1, -1):
        hp = h if n_p > 1 else 0
        hr = h if n_r > 1 else 0
        s = 0
        while s + 8 <= S:
            for a in range(A):
                c0 = c1 = c2 = c3 = c4 = c5 = c6 = c7 = 0.0
                for t in range(S):
                    x = V[h + 1, t]
                    c0 += P[hp, s, a, t] * x
                    c1 += P[hp, s + 1, a, t] * x
                    c2 += P[hp, s + 2, a, t] * x
                    c3 += P[hp, s + 3, a, t] * x
                    c4 += P[hp, s + 4, a, t] * x
                    c5 += P[hp, s + 5, a, t] * x
                    c6 += P[hp, s + 6, a, t] * x
                    c7 += P[hp, s + 7, a, t] * x
                Q[h, s, a] = R[hr, s, a] + c0
                Q[h, s + 1, a] = R[hr, s + 1, a] + c1
                Q[h, s + 2, a] = R[hr, s + 2, a] + c2
                Q[h, s + 3, a] = R[hr, s + 3, a] + c3
                Q[h, s + 4, a] = R[hr, s + 4, a] + c4
                Q[h, s + 5, a] = R[hr, s + 5, a] + c5
                Q[h, s + 6, a] = R[hr, s + 6, a] + c6
                Q[h, s + 7, a] = R[hr, s + 7, a] + c7
            s += 8
        while s < S:
            for a in range(A):
                c0 = 0.0
                for t in range(S):
                    c0 += P[hp, s, a, t] * V[h + 1, t]
                Q[h, s, a] = R[hr, s, a] + c0
            s += 1
        for s in range(S):
            best = Q[h, s, 0]
            arg = 0
            for a in range(1, A):
                if Q[h, s, a] > best:  # strict: the first maximiser, as greedy_policy (np.argmax)
                    best = Q[h, s, a]
                    arg = a
            V[h, s] = best
            policy[h, s] = arg
    return V, Q, policy


def _kernel_layers(array: np.ndarray) -> np.ndarray:
    """The layers the kernel reads: the first only when ``array`` repeats it along the steps (stride 0).

    Always a read-only C-contiguous float64 array, so that the kernel has one signature.
    """
    layers = array[:1] if array.shape[0] > 1 and array.strides[0] == 0 else array
    layers = np.ascontiguousarray(layers, dtype=np.float64)
    if layers.flags.writeable:
        layers = layers.view()
        layers.setflags(write=False)
    return layers


def backward_induction(mdp) -> PlanningResult:
    r"""Exact optimal values of a finite-horizon (or linear) MDP by backward induction.

    :math:`V_H = 0`, then for :math:`h = H-1, \dots, 0`:
    :math:`Q_h = R_h + P_h V_{h+1}`, :math:`V_h(s) = \max_a Q_h(s, a)` and the greedy policy
    (the lowest index among exact ties, as :func:`greedy_policy`).

    One Numba kernel does the whole recursion. Each :math:`(P_h V_{h+1})(s, a)` is summed over
    :math:`s'` in increasing order, one rounding per multiplication and per addition (no
    fastmath, so the compiler neither reorders nor fuses them), so the numbers are the same on
    every machine and two identical (s, a) rows get identical Q-values, whose tie is then broken
    to the first action. Until 2026-12-05 the backup was numpy's matmul, which hands the sums to
    BLAS, whose order depends on the CPU (OpenBLAS picks its kernels per architecture) and on a
    row's position in its unrolled blocks. The switch moved the values and Q-values of the
    library's finite-horizon instances and of random problems (63 cases) by at most 7e-14; the
    greedy action changed only where two actions tie in exact arithmetic (mirror-image moves in
    a gridworld, Q-values 1 or 2 ulps apart). The kernel runs eight states' sums side by side
    (eight independent chains of additions, eight forward streams through ``P``) and is
    faster than a plain three-loop Numba reference that sums in the same order and gives the same
    bits: 1.23x at S = 100, A = 10, H = 50 with one ``P`` per step (40 MB, read from memory
    at every call), 2.6x for a stationary problem (best CPU times of 14 alternating rounds,
    ``python benchmarks/bench_mdps.py``, section 5, 2026-12-05). A stationary problem (:func:`~mdps.finite_horizon`) passes its one stored layer of
    ``P`` and ``R``, which the kernel reads at every step (nothing is copied H times).

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The problem (a linear MDP is solved through its ``tabular`` form).

    Returns
    -------
    PlanningResult
        Values of shape (H + 1, S), Q-values (H, S, A), policy (H, S), ``iterations=H``,
        ``method="backward_induction"`` and both bounds 0 (the computation is exact).

    Examples
    --------
    >>> from mdps.instances import finite_horizon_lock
    >>> float(backward_induction(finite_horizon_lock(horizon=4, rng=0)).values[0, 0])
    1.0
    """
    if not isinstance(mdp, (FiniteHorizonMDP, LinearMDP)):
        raise TypeError(f"mdp: expected a FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}")
    mdp = _tabular(mdp)
    H = mdp.horizon
    V, Q, policy = _backward_induction_kernel(_kernel_layers(mdp.P), _kernel_layers(mdp.R), H)
    for arr in (V, Q, policy):
        arr.setflags(write=False)
    return PlanningResult(V, Q, policy, H, "backward_induction", 0.0, 0.0)


def _auto_method(mdp) -> str:
    """The method ``solve(method="auto")`` runs: "pi" for small dense problems with gamma < 0.95, else "mpi".

    Measured by ``python benchmarks/bench_mdps.py --repeat 5`` (section 9, one BLAS thread, best
    CPU times, 2026-12-05): on random MDPs with A = 10, "mpi" takes 1.4x to 2x the time of "pi"
    at S = 50 (0.18 against 0.09 to 0.13 ms), the two are within 2x either way at S = 200, and
    "mpi" is 0.94x to 1.6x faster from S = 500 on (1.5x at S = 1000); on a 20 x 20 gridworld and a
    300-state chain at gamma = 0.99 it is 3.8x and 4.0x faster. Policy iteration suffers on slowly
    mixing chains (one exact evaluation per improvement, many improvements), so "mpi" is also
    taken for gamma >= 0.95 at small S, where it costs at most about 0.1 ms more on random MDPs.
    A sparse P: always "mpi" (an LU costs hundreds of backups there).
    """
    if isinstance(mdp, SparseDiscountedMDP) or mdp.n_states >= 100 or mdp.gamma >= 0.95:
        return "mpi"
    return "pi"


def solve(mdp, method: str = "auto", **options) -> PlanningResult:
    r"""Solve an MDP exactly, with a certified guarantee.

    The one planning entry point of the library (in the style of ``scipy.optimize`` and
    QuantEcon's ``DiscreteDP.solve``): every method returns a :class:`PlanningResult` whose
    bounds hold for the returned numbers. For a discounted MDP, with :math:`\varepsilon` the
    Bellman residual of the returned values plus a bound on its rounding,

    .. math::

        \|V - V^\star\|_\infty \le \frac{\varepsilon}{1 - \gamma}, \qquad
        \|V^\pi - V^\star\|_\infty \le \frac{2 \varepsilon}{1 - \gamma},

    where :math:`\pi` is the returned greedy policy. Finite-horizon and linear MDPs are solved
    exactly by backward induction (both bounds 0), whatever ``method`` says.

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    method : {"auto", "pi", "vi", "lp", "mpi"}, default "auto"
        Policy iteration (:func:`policy_iteration`), value iteration
        (:func:`value_iteration`), the linear program (:func:`linear_program`) or modified
        policy iteration (:func:`modified_policy_iteration`: greedy steps, each followed by up to
        :math:`m` sweeps of :math:`T_\pi`, stopped once
        :math:`\gamma\, \mathrm{span}(TV - V) / 2 \le (1 - \gamma)\, \mathrm{tol}` up to rounding
        and the certificate of the shifted values is checked). On dense random MDPs with 10
        actions "mpi" is the fastest for S >= 500 and "pi" below (see
        ``benchmarks/bench_peers.py``); "vi" is far slower for :math:`\gamma` near 1.
        ``"auto"`` (the default) picks "mpi" for a sparse MDP, for S >= 100 or for
        :math:`\gamma \ge 0.95`, and "pi" otherwise (the faster of the two where measured); the
        result's ``method`` says which ran, and its certificate is that method's. The cached
        :attr:`~mdps.DiscountedMDP.solution` (the ground truth of every claim) always runs "pi",
        so that its numbers do not depend on this rule.
    **options
        Options of the method: ``max_iter`` for "pi" and "auto"; ``tol``, ``max_iter`` and
        ``initial_values`` for "vi"; ``m``, ``tol`` and ``max_iter`` for "mpi"; none for "lp".
        Any other keyword raises ``TypeError``; a bad value raises ``TypeError`` or
        ``ValueError`` naming the option.

    Returns
    -------
    PlanningResult
        Values, Q-values, a greedy policy, the iteration count, the method and the certified
        ``value_error_bound`` and ``policy_error_bound``.

    Raises
    ------
    ValueError
        If ``method`` is unknown, or the method does not converge within ``max_iter`` (or the
        LP solver does not reach optimality).
    TypeError
        If ``mdp`` is not an MDP or an option does not belong to ``method``.

    Examples
    --------
    >>> from mdps import solve
    >>> from mdps.instances import chain_mdp
    >>> result = solve(chain_mdp(n_states=4, gamma=0.9), method="vi", tol=1e-8)
    >>> result.value_error_bound <= 1e-8
    True
    >>> mpi = solve(chain_mdp(n_states=4, gamma=0.9), method="mpi", m=5, tol=1e-9)
    >>> mpi.method, mpi.value_error_bound <= 1e-9, mpi.policy.tolist() == result.policy.tolist()
    ('mpi', True, True)
    >>> solve(chain_mdp(n_states=400, gamma=0.99), method="auto").method
    'mpi'
    """
    if not isinstance(method, str) or method not in METHODS + ("auto",):
        raise ValueError(f"method: expected one of {METHODS + ('auto',)}, got {method!r}")
    if method == "auto":
        unknown = sorted(set(options) - {"max_iter"})
        if unknown:
            raise TypeError(f"{unknown[0]}: expected an option of method 'auto' (['max_iter']), got an unknown keyword")
        method = _auto_method(mdp) if isinstance(mdp, _DISCOUNTED) else "pi"
    unknown = sorted(set(options) - _SOLVER_OPTIONS[method])
    if unknown:
        raise TypeError(f"{unknown[0]}: expected an option of method {method!r} ({sorted(_SOLVER_OPTIONS[method])}), "
                        f"got an unknown keyword")
    if isinstance(mdp, (FiniteHorizonMDP, LinearMDP)):
        return backward_induction(mdp)
    if not isinstance(mdp, _DISCOUNTED):
        raise TypeError(f"mdp: expected an MDP, got {type(mdp).__name__}")
    if method == "vi":
        return value_iteration(mdp, **options)
    if method == "pi":
        return policy_iteration(mdp, **options)
    if method == "mpi":
        return modified_policy_iteration(mdp, **options)
    return linear_program(mdp, **options)


# --------------------------------------------------------------------------------------------
# Occupancy measures and concentrability
# --------------------------------------------------------------------------------------------

def state_occupancy(mdp, policy) -> np.ndarray:
    r"""State occupancy of ``policy`` from the initial distribution.

    Discounted: the normalised discounted occupancy
    :math:`d^\pi(s) = (1 - \gamma) \sum_{t \ge 0} \gamma^t \Pr^\pi(s_t = s)`, the solution of
    :math:`(I - \gamma P_\pi^\top) d = (1 - \gamma) \rho`. Finite horizon:
    :math:`d^\pi_h(s) = \Pr^\pi(s_h = s)`, one distribution per step.

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    policy : int array (S,) / (H, S) or float array (S, A) / (H, S, A)
        Deterministic or stochastic, as in :func:`policy_evaluation`.

    Returns
    -------
    numpy.ndarray
        Shape (S,), summing to 1 (discounted), or (H, S), each row summing to 1.

    Examples
    --------
    >>> from mdps.instances import chain_mdp
    >>> float(state_occupancy(chain_mdp(), [0] * 6)[0])  # always back to state 0
    1.0
    """
    mdp = _tabular(mdp)
    pi = _policy_for(mdp, policy)
    if isinstance(mdp, SparseDiscountedMDP):
        actions = _deterministic_actions(pi)
        P_pi = policy_transitions(mdp, pi) if actions is None else policy_rows(mdp, actions)
        return solve_evaluation(mdp.gamma, P_pi, (1.0 - mdp.gamma) * mdp.initial, transpose=True)
    if isinstance(mdp, DiscountedMDP):
        S = mdp.n_states
        P_pi = np.einsum("sa,sat->st", pi, mdp.P)
        return scipy.linalg.solve(np.eye(S) - mdp.gamma * P_pi.T, (1.0 - mdp.gamma) * mdp.initial)
    H, S, A = mdp.R.shape
    d = np.empty((H, S))
    d[0] = mdp.initial
    for h in range(H - 1):
        d[h + 1] = np.einsum("sa,sat->t", d[h][:, None] * pi[h], mdp.P[h])
    return d


def occupancy(mdp, policy) -> np.ndarray:
    r"""State-action occupancy :math:`d^\pi(s, a) = d^\pi(s)\, \pi(a \mid s)`.

    In the discounted case it is the unique non-negative solution of the flow equations

    .. math::

        \sum_a d(s, a) = (1 - \gamma) \rho(s) + \gamma \sum_{s', a'} P(s \mid s', a') d(s', a'),

    and :math:`J(\pi) = \frac{1}{1 - \gamma} \sum_{s, a} d^\pi(s, a) R(s, a)`. In finite horizon,
    :math:`d^\pi_h(s, a) = \Pr^\pi(s_h = s, a_h = a)`.

    Parameters
    ----------
    mdp : DiscountedMDP, SparseDiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    policy : int array (S,) / (H, S) or float array (S, A) / (H, S, A)
        Deterministic or stochastic, as in :func:`policy_evaluation`.

    Returns
    -------
    numpy.ndarray
        Shape (S, A), summing to 1 (discounted), or (H, S, A), each step summing to 1.

    Examples
    --------
    >>> from mdps.instances import random_mdp
    >>> mdp = random_mdp(rng=0)
    >>> d = occupancy(mdp, mdp.optimal_policy)
    >>> bool(np.isclose((d * mdp.R).sum() / (1 - mdp.gamma), expected_return(mdp, mdp.optimal_policy)))
    True
    """
    mdp = _tabular(mdp)
    pi = _policy_for(mdp, policy)
    return state_occupancy(mdp, pi)[..., None] * pi


def optimal_occupancy(problem) -> np.ndarray:
    r"""The occupancy :math:`d^{\pi^\star}` of the optimal policy, for any problem type.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.

    Returns
    -------
    numpy.ndarray
        A point mass on the optimal arm, shape (A,) (multi-armed bandit);
        :math:`\rho(s) \mathbb{1}\{a = \pi^\star(s)\}`, shape (S, A) (contextual bandit); or
        :func:`occupancy` of the optimal policy, (S, A) or (H, S, A) (MDPs).
    """
    if isinstance(problem, MultiArmedBandit):
        out = np.zeros(problem.n_actions)
        out[problem.optimal_arm] = 1.0
        return out
    if isinstance(problem, ContextualBandit):
        return problem.context_distribution[:, None] * policy_matrix(problem.optimal_policy, problem.n_actions)
    mdp = _tabular(problem, "problem")
    return occupancy(mdp, mdp.optimal_policy)


def concentrability(problem, data_distribution, policy=None) -> float:
    r"""Single-policy concentrability of a data distribution.

    .. math::

        C^\star = \max_{s, a} \frac{d^{\pi^\star}(s, a)}{\mu(s, a)} \qquad (0 / 0 = 0),

    how much more often the optimal policy visits a pair than the data do
    (:math:`C^\star = 1` for expert data :math:`\mu = d^{\pi^\star}`). With ``policy`` given,
    :math:`d^\pi` replaces :math:`d^{\pi^\star}`. In finite horizon the maximum also runs over
    the steps :math:`h`. See :ref:`conventions-concentrability`.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit, DiscountedMDP, FiniteHorizonMDP or LinearMDP
        The problem.
    data_distribution : array
        :math:`\mu`, with the shape of the occupancy: (A,) for a bandit, (S, A) for a contextual
        bandit or discounted MDP, and (H, S, A) or (S, A) (the same at every step) for a
        finite-horizon MDP; a probability vector (per step).
    policy : int or array, optional
        The policy whose occupancy is compared (as in :func:`expected_return`); default the
        optimal policy.

    Returns
    -------
    float
        :math:`C^\star \ge 1`, or ``inf`` when :math:`\mu` misses a pair that the policy visits.

    Examples
    --------
    >>> from mdps import MultiArmedBandit
    >>> concentrability(MultiArmedBandit([0.2, 0.9]), [0.75, 0.25])
    4.0
    """
    if policy is None:
        d = optimal_occupancy(problem)
    elif isinstance(problem, (MultiArmedBandit, ContextualBandit)):
        d = policy_matrix(policy, problem.n_actions)
        if isinstance(problem, ContextualBandit):
            d = problem.context_distribution[:, None] * d
    else:
        d = occupancy(_tabular(problem, "problem"), policy)
    mu = v.float_array("data_distribution", data_distribution)
    if mu.shape != d.shape and not (d.ndim == 3 and mu.shape == d.shape[1:]):
        raise ValueError(f"data_distribution: expected shape {d.shape}, got {mu.shape}")
    v.check_simplex("data_distribution", mu.reshape(-1) if mu.ndim < 3 else mu.reshape(mu.shape[0], -1))
    mu = np.broadcast_to(mu, d.shape)
    visited = d > 0
    if np.any(visited & (mu <= 0)):
        return float("inf")
    return float(np.max(d[visited] / mu[visited]))
