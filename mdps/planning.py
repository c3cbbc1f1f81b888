"""Exact planning: the ground truth every check compares against.

One entry point, :func:`solve`, returns one result type, :class:`PlanningResult`. Every result
carries an *a posteriori* guarantee computed from its own output, not a promise of the method:
for a discounted MDP, with Bellman residual ``res = ||T V - V||_inf``,

    ||V - V*||_inf        <= res / (1 - gamma)          (``value_error_bound``)
    ||V^pi - V*||_inf     <= 2 res / (1 - gamma)        (``policy_error_bound``, pi greedy in V)

because T is a gamma-contraction and T_pi V = T V for the greedy pi. ``res`` is the computed
residual plus a bound on the floating-point error of computing it, ``(S + 3) eps (1 + ||V||_inf)``
(``eps`` the float64 machine epsilon), so the bounds hold for the numbers actually returned, even
for policy iteration whose computed residual can be exactly 0. Value iteration stops once its
last iterate is certified within ``tol`` of V* (not a span-stopped V).
Finite-horizon problems are solved exactly by backward induction.

Also here: exact policy evaluation (a linear solve, or backward induction), Q-values, greedy
policies, gaps, occupancy measures (normalised discounted, and per step), the expected return
and suboptimality of a policy, and the single-policy concentrability C* of a data distribution.
Notation as in :mod:`mdps.core`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from . import _validation as v
from .core import (
    ContextualBandit,
    DiscountedMDP,
    FiniteHorizonMDP,
    LinearMDP,
    MultiArmedBandit,
    policy_matrix,
)

METHODS = ("pi", "vi", "lp")
_SOLVER_OPTIONS = {"pi": {"max_iter"}, "vi": {"tol", "max_iter", "initial_values"}, "lp": set()}


@dataclass(frozen=True, eq=False)
class PlanningResult:
    """What :func:`solve` returns.

    Attributes
    ----------
    values : array (S,) or (H + 1, S)
        Optimal state values (finite horizon: one row per step, the last row 0).
    q_values : array (S, A) or (H, S, A)
        Q-values of ``values``.
    policy : int array (S,) or (H, S)
        A deterministic policy greedy in ``q_values`` (lowest index among ties).
    iterations : int
        Sweeps (value iteration), improvement steps (policy iteration), 1 (LP) or H (backward induction).
    method : str
        "pi", "vi", "lp" or "backward_induction".
    value_error_bound : float
        Certified bound on ``||values - V*||_inf``, computed from the result.
    policy_error_bound : float
        Certified bound on ``||V^policy - V*||_inf``.
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
        Q = v.float_array("q_values", self.q_values)
        if Q.ndim not in (2, 3) or 0 in Q.shape:
            raise ValueError(f"q_values: expected shape (S, A) or (H, S, A), got {Q.shape}")
        V = v.float_array("values", self.values)
        want = Q.shape[:1] if Q.ndim == 2 else (Q.shape[0] + 1, Q.shape[1])
        if V.shape != want:
            raise ValueError(f"values: expected shape {want} (from q_values {Q.shape}), got {V.shape}")
        pi = v.int_array("policy", self.policy)
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
        """``max_a Q(s, a) - Q(s, a)``, the action gaps (>= 0)."""
        return self.q_values.max(axis=-1, keepdims=True) - self.q_values


# --------------------------------------------------------------------------------------------
# Backups
# --------------------------------------------------------------------------------------------

def q_from_values(mdp, values: np.ndarray) -> np.ndarray:
    """Q(s, a) = R(s, a) + gamma sum_s' P(s'|s, a) V(s') (finite horizon: R_h + P_h V_{h+1}).

    ``values`` has shape (S,) for a discounted MDP and (H + 1, S) for a finite-horizon one.
    """
    if isinstance(mdp, DiscountedMDP):
        S, A = mdp.R.shape
        V = v.float_array("values", values, ndim=1, shape=(S,))
        # One (S*A, S) @ (S,) BLAS call: the backup is memory-bound, so this is as fast as it gets.
        return mdp.R + mdp.gamma * (mdp.P.reshape(S * A, S) @ V).reshape(S, A)
    mdp = _tabular(mdp)
    H, S, A = mdp.R.shape
    V = v.float_array("values", values, ndim=2, shape=(H + 1, S))
    return mdp.R + np.einsum("hsat,ht->hsa", mdp.P, V[1:])


def greedy_policy(q_values: np.ndarray) -> np.ndarray:
    """argmax_a Q(..., a) as an int array (lowest index among exact ties).

    ``q_values`` must be finite (NaN has no argmax) with at least one action on the last axis.
    """
    Q = v.float_array("q_values", q_values)
    if Q.ndim == 0 or Q.shape[-1] == 0:
        raise ValueError(f"q_values: expected an array of shape (..., A) with A >= 1, got shape {Q.shape}")
    return np.argmax(Q, axis=-1)


def bellman_residual(mdp: DiscountedMDP, values: np.ndarray) -> float:
    """``||T V - V||_inf`` for the Bellman optimality operator T."""
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    V = v.float_array("values", values, ndim=1, shape=(mdp.n_states,))
    return float(np.max(np.abs(q_from_values(mdp, V).max(axis=1) - V)))


def _tabular(mdp, name: str = "mdp"):
    if isinstance(mdp, LinearMDP):
        return mdp.tabular
    if not isinstance(mdp, (DiscountedMDP, FiniteHorizonMDP)):
        raise TypeError(
            f"{name}: expected a DiscountedMDP, FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}"
        )
    return mdp


def _policy_for(mdp, policy) -> np.ndarray:
    """The policy as probabilities with the shape this MDP needs: (S, A) or (H, S, A).

    In finite horizon a stationary policy (shape (S,) or (S, A)) is used at every step.
    """
    pi = policy_matrix(policy, mdp.n_actions)
    if isinstance(mdp, FiniteHorizonMDP) and pi.shape == (mdp.n_states, mdp.n_actions):
        pi = np.broadcast_to(pi, mdp.R.shape)
    want = (mdp.n_states, mdp.n_actions) if isinstance(mdp, DiscountedMDP) else mdp.R.shape
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
    """Exact V^pi.

    Discounted: the linear solve ``(I - gamma P_pi) V = R_pi``, shape (S,).
    Finite horizon: backward induction, shape (H + 1, S) with ``V[H] = 0``.
    """
    mdp = _tabular(mdp)
    pi = _policy_for(mdp, policy)
    if isinstance(mdp, DiscountedMDP):
        S = mdp.n_states
        P_pi = np.einsum("sa,sat->st", pi, mdp.P)
        R_pi = np.einsum("sa,sa->s", pi, mdp.R)
        return scipy.linalg.solve(np.eye(S) - mdp.gamma * P_pi, R_pi)
    H, S, A = mdp.R.shape
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        V[h] = np.einsum("sa,sa->s", pi[h], mdp.R[h] + mdp.P[h] @ V[h + 1])
    return V


def policy_q_values(mdp, policy) -> np.ndarray:
    """Exact Q^pi, shape (S, A) or (H, S, A)."""
    return q_from_values(_tabular(mdp), policy_evaluation(mdp, policy))


def expected_return(problem, policy) -> float:
    """J(pi): the expected value of ``policy`` from the initial (or context) distribution.

    MDPs: ``initial . V^pi`` (the first step's values in finite horizon). Bandits: the mean reward
    of the arm, or ``sum_s rho(s) sum_a pi(a|s) r(s, a)``.
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
    """J(pi*) for any problem type."""
    if isinstance(problem, MultiArmedBandit):
        return float(problem.means.max())
    if isinstance(problem, ContextualBandit):
        return float(problem.context_distribution @ problem.means.max(axis=1))
    mdp = _tabular(problem, "problem")
    V = mdp.optimal_values
    return float(mdp.initial @ (V if V.ndim == 1 else V[0]))


def suboptimality(problem, policy) -> float:
    """J(pi*) - J(pi) >= 0 (up to rounding)."""
    return optimal_return(problem) - expected_return(problem, policy)


# --------------------------------------------------------------------------------------------
# Solvers
# --------------------------------------------------------------------------------------------

def _rounding(n_states: int, values: np.ndarray) -> float:
    """A bound on the rounding error of one computed backup ``R + gamma P V`` and its residual.

    Each backup entry is a length-S dot product (error <= S eps ||V||) plus R and a subtraction.
    """
    return float((n_states + 3) * np.finfo(np.float64).eps * (1.0 + np.max(np.abs(values))))


def _result(mdp: DiscountedMDP, V: np.ndarray, iterations: int, method: str) -> PlanningResult:
    Q = q_from_values(mdp, V)
    res = float(np.max(np.abs(Q.max(axis=1) - V))) + _rounding(mdp.n_states, V)
    scale = 1.0 - mdp.gamma
    V = np.asarray(V, dtype=float)
    for arr in (V, Q):
        arr.setflags(write=False)
    policy = greedy_policy(Q)
    policy.setflags(write=False)
    # ||T_pi V - V|| and ||T V - V|| are both <= res (computed residual + rounding of the computed Q,
    # in which pi is greedy), so ||V^pi - V*|| <= ||V^pi - V|| + ||V - V*|| <= 2 res / (1 - gamma).
    return PlanningResult(V, Q, policy, iterations, method, res / scale, 2.0 * res / scale)


def value_iteration(mdp: DiscountedMDP, *, tol: float | None = None, max_iter: int = 1_000_000,
                    initial_values=None) -> PlanningResult:
    """Value iteration with a certified stop: ``||V - V*||_inf <= tol`` on return.

    Iterates ``V <- max_a (R + gamma P V)`` and stops at the first iterate ``V_k`` with
    ``gamma ||V_k - V_{k-1}||_inf + r <= tol (1 - gamma)``, where ``r`` bounds the rounding of one
    backup (see the module docstring). Since ``||V_k - V*|| <= gamma ||V_{k-1} - V*|| + r`` and
    ``||V_{k-1} - V*|| <= (||V_k - V_{k-1}|| + r) / (1 - gamma)``, the returned values satisfy
    ``||V - V*||_inf <= tol``; the result's ``value_error_bound`` re-certifies this a posteriori.

    Parameters
    ----------
    mdp : DiscountedMDP
    tol : float > 0, optional
        Target sup-norm error; it must exceed the rounding floor ``r / (1 - gamma)``, else
        ``ValueError`` (the floor is ``(S + 3) eps (1 + V_max) / (1 - gamma)``: 3e-13 for S = 10 and
        gamma = 0.9, 5e-8 for S = 200 and gamma = 0.999). Default: ``max(1e-10, 10 * floor)``.
    max_iter : int
        Raises ``ValueError`` if that many sweeps do not reach ``tol``.
    initial_values : array (S,), optional
        Starting point (default 0).

    Examples
    --------
    >>> from mdps.planning import value_iteration
    >>> from mdps.instances.classic import chain_mdp
    >>> value_iteration(chain_mdp(), tol=1e-9).value_error_bound <= 1e-9
    True
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    max_iter = v.positive_int("max_iter", max_iter)
    S, A = mdp.R.shape
    V = np.zeros(S) if initial_values is None else np.array(
        v.float_array("initial_values", initial_values, ndim=1, shape=(S,)))
    P_flat = mdp.P.reshape(S * A, S)
    # Iterates stay within max(||V_0||, V_max), which bounds the rounding of every backup.
    rounding = _rounding(S, np.array([max(float(np.max(np.abs(V))), mdp.max_value)]))
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
        V_new = (mdp.R + mdp.gamma * (P_flat @ V).reshape(S, A)).max(axis=1)
        residual = np.max(np.abs(V_new - V))
        V = V_new
        if mdp.gamma * residual + rounding <= threshold:
            return _result(mdp, V, it, "vi")
    raise ValueError(
        f"max_iter: value iteration did not reach tol={tol} in {max_iter} sweeps (last residual {residual:.3g})"
    )


def policy_iteration(mdp: DiscountedMDP, *, max_iter: int = 10_000) -> PlanningResult:
    """Howard's policy iteration with exact evaluation (a linear solve per step).

    An action is replaced only when it improves Q by more than ``1e-12 * V_max``, so rounding
    cannot make the loop cycle; the returned values are V^pi of a policy stable under that rule.
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    max_iter = v.positive_int("max_iter", max_iter)
    pi = greedy_policy(mdp.R)
    eps = 1e-12 * mdp.max_value
    states = np.arange(mdp.n_states)
    for it in range(1, max_iter + 1):
        V = policy_evaluation(mdp, pi)
        Q = q_from_values(mdp, V)
        best = greedy_policy(Q)
        improve = Q[states, best] > Q[states, pi] + eps
        if not np.any(improve):
            return _result(mdp, V, it, "pi")
        pi = np.where(improve, best, pi)
    raise ValueError(f"max_iter: policy iteration did not stabilise in {max_iter} steps")


def linear_program(mdp: DiscountedMDP) -> PlanningResult:
    """V* as the solution of the LP ``min 1^T V  s.t.  V(s) >= R(s, a) + gamma P(.|s, a) V``.

    Solved with scipy's HiGHS; a status other than optimal raises ``ValueError``. HiGHS works to
    a feasibility tolerance near 1e-7, so the returned values are typically within ~1e-7 of V*; the
    result's ``value_error_bound`` states what was actually reached.
    """
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    S, A = mdp.R.shape
    # Row (s, a): gamma P(.|s,a) V - V(s) <= -R(s, a).
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


def backward_induction(mdp) -> PlanningResult:
    """Exact optimal values of a finite-horizon (or linear) MDP, V of shape (H + 1, S)."""
    if not isinstance(mdp, (FiniteHorizonMDP, LinearMDP)):
        raise TypeError(f"mdp: expected a FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}")
    mdp = _tabular(mdp)
    H, S, A = mdp.R.shape
    V = np.zeros((H + 1, S))
    Q = np.empty((H, S, A))
    for h in range(H - 1, -1, -1):
        Q[h] = mdp.R[h] + mdp.P[h] @ V[h + 1]
        V[h] = Q[h].max(axis=1)
    policy = greedy_policy(Q)
    for arr in (V, Q, policy):
        arr.setflags(write=False)
    return PlanningResult(V, Q, policy, H, "backward_induction", 0.0, 0.0)


def solve(mdp, method: str = "pi", **options) -> PlanningResult:
    """Solve an MDP exactly.

    Parameters
    ----------
    mdp : DiscountedMDP, FiniteHorizonMDP or LinearMDP
    method : {"pi", "vi", "lp"}
        Policy iteration (default), value iteration (``tol``, ``max_iter`` options) or the LP.
        Finite-horizon problems always use backward induction, which is exact.

    Returns
    -------
    PlanningResult

    Examples
    --------
    >>> from mdps import solve
    >>> from mdps.instances import chain_mdp
    >>> result = solve(chain_mdp(n_states=4, gamma=0.9), method="vi", tol=1e-8)
    >>> result.value_error_bound <= 1e-8
    True
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method: expected one of {METHODS}, got {method!r}")
    unknown = sorted(set(options) - _SOLVER_OPTIONS[method])
    if unknown:
        raise TypeError(f"{unknown[0]}: expected an option of method {method!r} ({sorted(_SOLVER_OPTIONS[method])}), "
                        f"got an unknown keyword")
    if isinstance(mdp, (FiniteHorizonMDP, LinearMDP)):
        return backward_induction(mdp)
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected an MDP, got {type(mdp).__name__}")
    if method == "vi":
        return value_iteration(mdp, **options)
    if method == "pi":
        return policy_iteration(mdp, **options)
    return linear_program(mdp, **options)


# --------------------------------------------------------------------------------------------
# Occupancy measures and concentrability
# --------------------------------------------------------------------------------------------

def state_occupancy(mdp, policy) -> np.ndarray:
    """State occupancy of ``policy``.

    Discounted: ``d(s) = (1 - gamma) sum_t gamma^t Pr(s_t = s)``, shape (S,), sums to 1.
    Finite horizon: ``d[h, s] = Pr(s_h = s)``, shape (H, S), each row sums to 1.
    """
    mdp = _tabular(mdp)
    pi = _policy_for(mdp, policy)
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
    """State-action occupancy ``d(s, a) = d(s) pi(a|s)``: shape (S, A) discounted (sums to 1),
    (H, S, A) finite horizon (each step sums to 1).

    It satisfies the flow equations
    ``sum_a d(s, a) = (1 - gamma) initial(s) + gamma sum_{s', a'} P(s|s', a') d(s', a')``.
    """
    mdp = _tabular(mdp)
    pi = _policy_for(mdp, policy)
    return state_occupancy(mdp, pi)[..., None] * pi


def optimal_occupancy(problem) -> np.ndarray:
    """d^{pi*} for any problem: (A,) point mass (MAB), rho(s) 1{a = pi*(s)} (CB), or :func:`occupancy`."""
    if isinstance(problem, MultiArmedBandit):
        out = np.zeros(problem.n_actions)
        out[problem.optimal_arm] = 1.0
        return out
    if isinstance(problem, ContextualBandit):
        return problem.context_distribution[:, None] * policy_matrix(problem.optimal_policy, problem.n_actions)
    mdp = _tabular(problem, "problem")
    return occupancy(mdp, mdp.optimal_policy)


def concentrability(problem, data_distribution, policy=None) -> float:
    """Single-policy concentrability ``C* = max d^{pi}(s, a) / mu(s, a)`` with 0/0 = 0.

    ``policy`` defaults to the optimal policy. ``data_distribution`` has the shape of the
    occupancy: (A,) for a bandit, (S, A) for a contextual bandit or discounted MDP, and (H, S, A)
    or (S, A) (the same at every step) for a finite-horizon MDP; the maximum runs over all entries.
    Returns ``inf`` when ``mu`` misses a pair that the policy visits.
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
