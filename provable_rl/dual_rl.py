r"""Dual RL: the occupancy LP, its f-regularised duals, f-DVL / XQL and ReCOIL, on tabular MDPs.

Sikchi, Zheng, Zhang & Niekum (2023), "Dual RL: Unification and New Methods for Reinforcement and
Imitation Learning" (arXiv 2302.08560, ICLR 2024). The notation, the algorithms as pseudo-code,
the claims DUAL-D1 ... D14 and DUAL-R2, and every departure from the paper are on the theory page
:ref:`theory-dual_rl`.

What is implemented (S states, A actions, discount :math:`\gamma`, initial distribution
:math:`\mu`, rewards :math:`r(s, a)`):

* **The occupancy LP** (:ref:`dual_rl-lp`). Primal :math:`\max_{d \ge 0} r^\top d` with the
  Bellman flow :math:`M d = (1 - \gamma)\mu` (:math:`M = E - \gamma P^\top`, :func:`flow_matrix`);
  dual :math:`\min_V (1 - \gamma)\mu^\top V` s.t. :math:`r + \gamma P V - V(s) \le 0`. Strong
  duality: both equal :math:`(1 - \gamma)\mu^\top V^*`; the flow multipliers are :math:`V^*`
  (:func:`occupancy_lp`, :func:`value_lp`).
* **The f-regularised primal** :math:`\max_d \mathbb{E}_d[r] - \alpha D_f(d \,\|\, d_O)`
  (:ref:`dual_rl-regularized`) and its duals (:ref:`dual_rl-duals`): **dual-V**
  :math:`\min_V (1 - \gamma)\mu^\top V + \alpha \mathbb{E}_{d_O}[f^*_p(\delta_V / \alpha)]` with
  optimal ratio :math:`w^* = d^*/d_O = \max(0, (f')^{-1}(\delta_{V^*} / \alpha))`, and **dual-Q**
  :math:`\min_Q (1 - \gamma)\mathbb{E}_{\mu, \pi}[Q] + \alpha \mathbb{E}_{d_O}[f^*(\delta^\pi_Q / \alpha)]`
  whose value at fixed :math:`\pi` is :math:`\mathbb{E}_{d^\pi}[r] - \alpha D_f(d^\pi \,\|\, d_O)`.
  Each as a cvxpy problem (:func:`regularized_primal`, :func:`dual_v`, :func:`dual_q`) and as a
  closed-form evaluator (:func:`regularized_objective`, :func:`dual_v_objective`,
  :func:`dual_q_objective`, :func:`dual_q_minimizer`).
* **One table of divergences**, :data:`DIVERGENCES` (KL, Pearson chi-square, total variation;
  :ref:`dual_rl-divergences`): :math:`f, f', (f')^{-1}, f^*, f^*_p`, the practical surrogate and
  its cvxpy atoms. Every other function reads from it, so a new divergence is one entry.
* **Tabular f-DVL and XQL** (:ref:`dual_rl-fdvl`): the per-state implicit-maximisation V-step
  :math:`\min_V (1 - \lambda) V + \lambda \mathbb{E}_{a \sim \mu(\cdot|s)}[g(Q(s, a) - V)]` (TV
  surrogate = quantile regression at level :math:`2 - 1/\lambda`; chi-square surrogate; Gumbel
  :math:`V = \beta \log \mathbb{E}_\mu e^{Q/\beta}`) (:func:`implicit_maximum`,
  :func:`tv_quantile_value`), the Q-step :math:`Q = r + \gamma P V` and advantage-weighted
  extraction (:func:`advantage_weighted_policy`), iterated to a fixed point exactly
  (:func:`fdvl_value_iteration`) or by sampled semi-gradient steps on an offline dataset
  (:func:`fdvl_semi_gradient`, Numba).
* **ReCOIL** (:ref:`dual_rl-recoil`) on tabular imitation:
  :math:`\min_\pi D_f(\beta d^\pi + (1 - \beta) d_S \,\|\, \beta d_E + (1 - \beta) d_S)`, exactly
  (:func:`recoil`) and as dual-Q iterations with an exact critic and NPG actor
  (:func:`recoil_npg`), and the coverage-assuming SMODICE-style baseline
  :math:`\max_d \mathbb{E}_d[\log(d_E / d_S)] - \mathrm{KL}(d \,\|\, d_S)`
  (:func:`coverage_baseline`, :func:`coverage_baseline_npg`); and both on the empirical problem
  built from sampled tuples (:func:`empirical_imitation_model`, :func:`recoil_from_data`,
  :func:`coverage_baseline_from_data`; :ref:`dual_rl-recoil-samples`).
* **The sampled V-step** by gradient descent on sampled actions, every iterate unclipped
  (:func:`implicit_maximum_descent`, :func:`implicit_loss_gradient`; :ref:`dual_rl-fdvl-samples`).

Departures from the paper (:ref:`dual_rl-departures`). Everything is exact and tabular (the
paper uses networks and minibatches). The f-DVL semi-gradient uses one Q table with no twin
critic, target network or Huber loss (the official code's choices for function approximation);
the AWR weight clip of 100 is kept. ReCOIL is solved in its primal occupancy form (the paper
optimises the dual-Q saddle point with networks); the dual-Q objective of ReCOIL is the evaluator
:func:`recoil_dual_q_objective`.

Solvers (:ref:`dual_rl-solvers`). cvxpy is imported inside the functions that use it
(``import provable_rl`` stays fast). Every cvxpy solve whose status is not ``optimal``
(including ``optimal_inaccurate``) raises ``ValueError`` with the status; :func:`occupancy_lp`
likewise raises on a HiGHS status other than success. Default path, measured with
``python benchmarks/bench_dual_rl.py`` (random MDPs, A = 4, gamma = 0.9, shared 2-core machine,
one run), the time of cvxpy's default (CLARABEL on the d-form) divided by the time of HiGHS on
the V-form (S variables; interior point + crossover, d* read from the multipliers) is 3.7, 0.9,
1.5, 8.2, 9.5 at S = 10, 30, 100, 300, 500, and HiGHS on the d-form over HiGHS on the V-form is
0.8, 1.5, 2.9, 16, 94; so ``method="highs"`` (V-form) is the default. Value iteration is faster
still (it is not an LP solver: no occupancy, no multipliers). The f-DVL chi-square V-step uses a
Numba kernel: numpy-twin time / Numba time of the whole fixed point is 1.3-2.8 in the benchmark.
The TV V-step is the numpy quantile: Numba-kernel time / quantile time is 0.45-0.6 at S <= 30
but 1.1-3.5 at S >= 100, where it matters.

A first example: the optimum of the occupancy LP is the normalised optimal value
:math:`(1 - \gamma)\mu^\top V^*`.

>>> from mdps.instances.random import random_mdp
>>> from provable_rl.dual_rl import occupancy_lp
>>> mdp = random_mdp(4, 2, gamma=0.9, rng=0)
>>> sol = occupancy_lp(mdp)
>>> bool(abs(sol.objective - (1 - mdp.gamma) * mdp.initial @ mdp.optimal_values) < 1e-8)
True
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numba
import numpy as np
import scipy.linalg
import scipy.special

from mdps import _validation as v
from mdps.core import DiscountedMDP
from mdps.data import OfflineData, SufficientStatistics

# --------------------------------------------------------------------------------------------
# The divergence table
# --------------------------------------------------------------------------------------------


def _xlogx(t):
    t = np.asarray(t, dtype=float)
    return np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0)


def _tv_conjugate(y):
    y = np.asarray(y, dtype=float)
    return np.where(np.abs(y) <= 0.5, y, np.inf)


def _tv_conjugate_nonneg(y):
    y = np.asarray(y, dtype=float)
    return np.where(y <= 0.5, np.maximum(y, -0.5), np.inf)


def _tv_inverse(y):
    raise ValueError("divergence: (f')^{-1} of total variation is set-valued; there is no closed-form ratio")


def _cvx_kl(d, dO):
    import cvxpy as cp

    return cp.sum(cp.rel_entr(d, dO))


def _cvx_chi2(d, dO):
    import cvxpy as cp

    return cp.sum(cp.multiply(1.0 / dO, cp.square(d - dO)))


def _cvx_tv(d, dO):
    import cvxpy as cp

    return 0.5 * cp.norm1(d - dO)


def _cvx_kl_conj(z):
    import cvxpy as cp

    return cp.exp(z - 1), []


def _cvx_chi2_conj(z):
    import cvxpy as cp

    return z + cp.square(z) / 4, []


def _cvx_chi2_conj_p(z):
    import cvxpy as cp

    return cp.square(cp.pos(z / 2 + 1)) - 1, []


def _cvx_tv_conj(z):
    return z, [z <= 0.5, z >= -0.5]


def _cvx_tv_conj_p(z):
    import cvxpy as cp

    return cp.maximum(z, -0.5), [z <= 0.5]


@dataclass(frozen=True)
class ImplicitLoss:
    r"""A V-loss :math:`g(y)`, :math:`y = Q - V`, of the f-DVL / XQL implicit-maximisation step.

    The per-state objective is

    .. math::

        (1 - \lambda)\, V + \lambda\, \mathbb{E}_{a \sim \mu(\cdot \mid s)}\big[g(Q(s, a) - V)\big].

    Piecewise-linear-derivative losses (``exponential=False``) are minimised exactly: on piece k,
    :math:`g'(y) = c_k + s_k y` (``intercepts[k]``, ``slopes[k]``), the pieces being cut by the
    ascending ``breakpoints`` (k = the number of breakpoints strictly below y).
    ``exponential=True`` is XQL's Gumbel loss :math:`\mathbb{E}_\mu[g((Q - V)/\beta)]` with
    :math:`g(z) = e^z - z - 1`, whose minimiser has a closed form. See :ref:`dual_rl-fdvl`.

    Parameters
    ----------
    name : str
        Key of the loss in :data:`IMPLICIT_LOSSES` ("tv", "chi2", "chi2_exact" or "gumbel").
    g : callable
        The loss :math:`g`, vectorised over numpy arrays.
    breakpoints : tuple of float, default ()
        Ascending points where :math:`g'` changes piece.
    intercepts : tuple of float, default ()
        :math:`c_k`, one per piece (``len(breakpoints) + 1`` of them).
    slopes : tuple of float, default ()
        :math:`s_k`, one per piece.
    exponential : bool, default False
        True for the Gumbel loss (the pieces are then unused).
    """

    name: str
    g: Callable
    breakpoints: tuple = ()
    intercepts: tuple = ()
    slopes: tuple = ()
    exponential: bool = False

    @property
    def min_temperature(self) -> float:
        r"""float: the value :math:`\lambda` must exceed, else V is unbounded below.

        It is :math:`1/(1 + g'(+\infty))` when :math:`g'` is eventually constant (the TV surrogate: 1/2),
        and 0 otherwise (chi-square, Gumbel).
        """
        if self.exponential or self.slopes[-1] > 0:
            return 0.0
        return 1.0 / (1.0 + self.intercepts[-1])


GUMBEL = ImplicitLoss("gumbel", lambda z: np.exp(z) - z - 1.0, exponential=True)


@dataclass(frozen=True)
class Divergence:
    r"""One f-divergence :math:`D_f(p \,\|\, q) = \mathbb{E}_q[f(p/q)]` and everything the algorithms read from it.

    The entries of :data:`DIVERGENCES` (KL, Pearson chi-square, total variation) make up the table of
    :ref:`dual_rl-divergences`.

    Parameters
    ----------
    name : str
        Key in :data:`DIVERGENCES`.
    f : callable
        The generator, convex with :math:`f(1) = 0`.
    f_prime : callable
        Its derivative :math:`f'` (where it exists).
    f_prime_inverse : callable
        :math:`(f')^{-1}(y)`; raises ``ValueError`` for TV (set-valued).
    conjugate : callable
        :math:`f^*(y) = \sup_t\, [t y - f(t)]` (``inf`` outside its domain).
    conjugate_nonneg : callable
        :math:`f^*_p(y) = \sup_{t \ge 0}\, [t y - f(t)]`.
    surrogate : ImplicitLoss
        The practical f-DVL / XQL V-loss.
    cvx_divergence : callable
        Maps ``(d, dO)`` to the cvxpy expression of :math:`D_f(d \,\|\, d_O)`.
    cvx_conjugate : callable
        Maps a cvxpy expression ``z`` to ``(expression, constraints)`` for :math:`f^*(z)`.
    cvx_conjugate_nonneg : callable
        Maps a cvxpy expression ``z`` to ``(expression, constraints)`` for :math:`f^*_p(z)`.
    exact_loss : ImplicitLoss or None, default None
        :math:`f^*_p` itself as a V-loss (:math:`\alpha = 1`) when its derivative is piecewise linear
        (chi-square). It overshoots the maximum; it is kept to show why the surrogate is used.
    """

    name: str
    f: Callable
    f_prime: Callable
    f_prime_inverse: Callable
    conjugate: Callable
    conjugate_nonneg: Callable
    surrogate: ImplicitLoss
    cvx_divergence: Callable
    cvx_conjugate: Callable
    cvx_conjugate_nonneg: Callable
    exact_loss: ImplicitLoss | None = None

    def ratio(self, residual, alpha: float) -> np.ndarray:
        r"""The dual-V optimal ratio :math:`w^* = \max\big(0, (f')^{-1}(\delta / \alpha)\big)`.

        Parameters
        ----------
        residual : array_like
            Bellman residuals :math:`\delta_V(s, a)`.
        alpha : float
            The regularisation weight :math:`\alpha > 0`.

        Returns
        -------
        numpy.ndarray
            :math:`w^*`, with the shape of ``residual``.
        """
        return np.maximum(0.0, self.f_prime_inverse(np.asarray(residual, dtype=float) / alpha))

    def value(self, p, q) -> float:
        r""":math:`D_f(p \,\|\, q) = \sum q\, f(p / q)`; requires :math:`q > 0` wherever the sum runs.

        Parameters
        ----------
        p : array_like
            The first distribution (flattened).
        q : array_like
            The reference distribution, same size as ``p``.

        Returns
        -------
        float
            The divergence.
        """
        p = np.asarray(p, dtype=float).reshape(-1)
        q = np.asarray(q, dtype=float).reshape(-1)
        return float(np.sum(q * self.f(p / q)))


#: The divergence table (:ref:`dual_rl-divergences`). Add a divergence by adding one entry.
DIVERGENCES: dict[str, Divergence] = {
    "kl": Divergence(
        name="kl",
        f=_xlogx,
        f_prime=lambda t: np.log(t) + 1.0,
        f_prime_inverse=lambda y: np.exp(np.asarray(y, dtype=float) - 1.0),
        conjugate=lambda y: np.exp(np.asarray(y, dtype=float) - 1.0),
        conjugate_nonneg=lambda y: np.exp(np.asarray(y, dtype=float) - 1.0),
        surrogate=GUMBEL,
        cvx_divergence=_cvx_kl, cvx_conjugate=_cvx_kl_conj, cvx_conjugate_nonneg=_cvx_kl_conj,
    ),
    "chi2": Divergence(
        name="chi2",
        f=lambda t: (np.asarray(t, dtype=float) - 1.0) ** 2,
        f_prime=lambda t: 2.0 * (np.asarray(t, dtype=float) - 1.0),
        f_prime_inverse=lambda y: 1.0 + np.asarray(y, dtype=float) / 2.0,
        conjugate=lambda y: np.asarray(y, dtype=float) + np.asarray(y, dtype=float) ** 2 / 4.0,
        conjugate_nonneg=lambda y: np.maximum(0.0, 1.0 + np.asarray(y, dtype=float) / 2.0) ** 2 - 1.0,
        surrogate=ImplicitLoss("chi2", lambda y: np.maximum(y + y * y / 4.0, 0.0),
                               (-4.0, 0.0), (1.0, 0.0, 1.0), (0.5, 0.0, 0.5)),
        cvx_divergence=_cvx_chi2, cvx_conjugate=_cvx_chi2_conj, cvx_conjugate_nonneg=_cvx_chi2_conj_p,
        exact_loss=ImplicitLoss("chi2_exact", lambda y: np.maximum(0.0, 1.0 + y / 2.0) ** 2 - 1.0,
                                (-2.0,), (0.0, 1.0), (0.0, 0.5)),
    ),
    "tv": Divergence(
        name="tv",
        f=lambda t: 0.5 * np.abs(np.asarray(t, dtype=float) - 1.0),
        f_prime=lambda t: 0.5 * np.sign(np.asarray(t, dtype=float) - 1.0),
        f_prime_inverse=_tv_inverse,
        conjugate=_tv_conjugate,
        conjugate_nonneg=_tv_conjugate_nonneg,
        surrogate=ImplicitLoss("tv", lambda y: np.maximum(y, 0.0), (0.0,), (0.0, 1.0), (0.0, 0.0)),
        cvx_divergence=_cvx_tv, cvx_conjugate=_cvx_tv_conj, cvx_conjugate_nonneg=_cvx_tv_conj_p,
    ),
}


def get_divergence(divergence) -> Divergence:
    """A :class:`Divergence` from its key in :data:`DIVERGENCES` (or itself).

    Parameters
    ----------
    divergence : str or Divergence
        "kl", "chi2" or "tv", or a :class:`Divergence` (returned unchanged).

    Returns
    -------
    Divergence
        The table entry.

    Raises
    ------
    ValueError
        For an unknown key.

    Examples
    --------
    >>> div = get_divergence("chi2")
    >>> float(div.conjugate(2.0))  # f*(y) = y + y^2/4
    3.0
    """
    if isinstance(divergence, Divergence):
        return divergence
    if not isinstance(divergence, str) or divergence not in DIVERGENCES:
        raise ValueError(f"divergence: expected one of {tuple(DIVERGENCES)}, got {divergence!r}")
    return DIVERGENCES[divergence]


#: V-losses of f-DVL / XQL (:ref:`dual_rl-divergences`, :ref:`dual_rl-fdvl`), read off
#: :data:`DIVERGENCES`: each divergence's practical surrogate ("gumbel", "chi2", "tv") and its
#: exact ``f*_p`` where tabulated ("chi2_exact").
IMPLICIT_LOSSES: dict[str, ImplicitLoss] = {
    **{div.surrogate.name: div.surrogate for div in DIVERGENCES.values()},
    **{div.exact_loss.name: div.exact_loss for div in DIVERGENCES.values() if div.exact_loss is not None},
}


def _loss(loss) -> ImplicitLoss:
    if not isinstance(loss, str) or loss not in IMPLICIT_LOSSES:
        raise ValueError(f"loss: expected one of {tuple(IMPLICIT_LOSSES)}, got {loss!r}")
    return IMPLICIT_LOSSES[loss]


# --------------------------------------------------------------------------------------------
# Validation and building blocks
# --------------------------------------------------------------------------------------------

def _mdp(mdp) -> DiscountedMDP:
    if not isinstance(mdp, DiscountedMDP):
        raise TypeError(f"mdp: expected a DiscountedMDP, got {type(mdp).__name__}")
    return mdp


def _occupancy_arg(name: str, mdp: DiscountedMDP, value, *, positive: bool) -> np.ndarray:
    d = v.float_array(name, value, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    v.check_simplex(name, d.reshape(-1))
    if positive and np.any(d <= 0):
        idx = tuple(int(i) for i in np.argwhere(d <= 0)[0])
        raise ValueError(f"{name}: expected full support (every entry > 0), got {d[idx]!r} at {idx}")
    return d


def _policy_arg(mdp: DiscountedMDP, policy) -> np.ndarray:
    from mdps.core import policy_matrix

    pi = policy_matrix(policy, mdp.n_actions)
    if pi.shape != (mdp.n_states, mdp.n_actions):
        raise ValueError(f"policy: expected shape ({mdp.n_states},) or {(mdp.n_states, mdp.n_actions)}, "
                         f"got {np.shape(policy)}")
    return pi


def _alpha(alpha) -> float:
    return v.positive_float("alpha", alpha)


def flow_matrix(mdp: DiscountedMDP) -> np.ndarray:
    r"""The Bellman-flow matrix :math:`M = E - \gamma P^\top`, shape (S, S*A).

    .. math::

        (M d)(s) = \sum_a d(s, a) - \gamma \sum_{s', a'} P(s \mid s', a')\, d(s', a')

    for ``d`` flattened row-major (index ``s*A + a``); a normalised occupancy satisfies
    :math:`M d = (1 - \gamma)\mu` (:ref:`dual_rl-lp`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (S states, A actions, discount :math:`\gamma`).

    Returns
    -------
    numpy.ndarray
        M, shape (S, S*A).
    """
    mdp = _mdp(mdp)
    S, A = mdp.n_states, mdp.n_actions
    E = np.kron(np.eye(S), np.ones((1, A)))
    return E - mdp.gamma * mdp.P.reshape(S * A, S).T


def value_residual(mdp: DiscountedMDP, values) -> np.ndarray:
    r"""The V-residual :math:`\delta_V(s, a) = r(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s') - V(s)`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    values : array_like, shape (S,)
        V.

    Returns
    -------
    numpy.ndarray
        :math:`\delta_V`, shape (S, A).
    """
    mdp = _mdp(mdp)
    V = v.float_array("values", values, ndim=1, shape=(mdp.n_states,))
    S, A = mdp.n_states, mdp.n_actions
    return mdp.R + mdp.gamma * (mdp.P.reshape(S * A, S) @ V).reshape(S, A) - V[:, None]


def q_residual(mdp: DiscountedMDP, q_values, policy) -> np.ndarray:
    r"""The Q-residual of a pair (Q, pi).

    .. math::

        \delta^\pi_Q(s, a) = r(s, a) + \gamma\, \mathbb{E}_{s' \sim P(\cdot \mid s, a),\, a' \sim \pi(\cdot \mid s')}
        Q(s', a') - Q(s, a).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    q_values : array_like, shape (S, A)
        Q.
    policy : array_like
        :math:`\pi`: shape (S,) (one action per state) or (S, A) (rows on the simplex).

    Returns
    -------
    numpy.ndarray
        :math:`\delta^\pi_Q`, shape (S, A).
    """
    mdp = _mdp(mdp)
    Q = v.float_array("q_values", q_values, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    pi = _policy_arg(mdp, policy)
    return mdp.R + mdp.gamma * np.einsum("sat,t->sa", mdp.P, np.sum(pi * Q, axis=1)) - Q


#: Solver tolerance on ``d >= 0``: an occupancy entry in ``[-NEGATIVE_TOLERANCE, 0)`` is a rounding
#: artefact of an interior-point solve and is set to 0 explicitly; a more negative entry raises.
#: (The raw CLARABEL / HiGHS occupancies of the claims' problems have min entry exactly 0.)
NEGATIVE_TOLERANCE = 1e-9

#: Most SGD steps :func:`fdvl_semi_gradient` takes (2**40: at ~10 ns a step, a run of hours; more would
#: not end in any useful time).
MAX_SGD_STEPS = 2**40


def _nonnegative_occupancy(name: str, d) -> np.ndarray:
    """``d`` with entries in ``[-NEGATIVE_TOLERANCE, 0)`` set to 0; raises ``ValueError`` below that."""
    d = np.asarray(d, dtype=float)
    if np.any(d < -NEGATIVE_TOLERANCE):
        raise ValueError(f"{name}: expected non-negative entries (up to the solver tolerance "
                         f"{NEGATIVE_TOLERANCE:g}), got {d.min()!r}")
    return np.where(d < 0.0, 0.0, d)


def occupancy_policy(occupancy) -> np.ndarray:
    r"""The policy of an occupancy, :math:`\pi(a \mid s) = d(s, a) / \sum_{a'} d(s, a')`.

    Uniform on states where :math:`\sum_a d(s, a) = 0`. Entries of ``d`` in
    ``[-NEGATIVE_TOLERANCE, 0)`` (solver rounding, :data:`NEGATIVE_TOLERANCE` = 1e-9) count as 0.

    Parameters
    ----------
    occupancy : array_like, shape (S, A)
        d, non-negative up to the solver tolerance.

    Returns
    -------
    numpy.ndarray
        :math:`\pi`, shape (S, A), rows on the simplex.

    Raises
    ------
    ValueError
        If an entry is below ``-NEGATIVE_TOLERANCE``.

    Examples
    --------
    >>> occupancy_policy([[0.3, 0.1], [0.0, 0.0]])
    array([[0.75, 0.25],
           [0.5 , 0.5 ]])
    """
    d = _nonnegative_occupancy("occupancy", v.float_array("occupancy", occupancy, ndim=2))
    mass = d.sum(axis=1, keepdims=True)
    uniform = np.full_like(d, 1.0 / d.shape[1])
    return np.where(mass > 1e-12, d / np.where(mass > 1e-12, mass, 1.0), uniform)


def _check_status(problem, what: str) -> None:
    if problem.status != "optimal":
        try:
            name = problem.solver_stats.solver_name
        except Exception:  # noqa: BLE001 - no stats when the solve did not run
            name = "solver"
        raise ValueError(f"{what}: the cvxpy solver {name} did not reach optimality (status {problem.status!r})")


def _solve(problem, solver, what: str) -> None:
    import cvxpy as cp

    if solver is not None and (not isinstance(solver, str) or solver.upper() not in cp.installed_solvers()):
        raise ValueError(f"solver: expected None or an installed cvxpy solver {cp.installed_solvers()}, got {solver!r}")
    try:
        problem.solve(solver=solver)
    except cp.error.SolverError as err:
        raise ValueError(f"{what}: the cvxpy solver {solver or '(default)'} failed ({err})") from err
    _check_status(problem, what)


# --------------------------------------------------------------------------------------------
# The occupancy LP and its dual (:ref:`dual_rl-lp`)
# --------------------------------------------------------------------------------------------

LP_METHODS = ("highs", "highs-primal", "cvxpy")


@dataclass(frozen=True, eq=False)
class LPSolution:
    r"""The occupancy LP's solution (:func:`occupancy_lp`).

    Parameters
    ----------
    occupancy : numpy.ndarray, shape (S, A)
        An optimal normalised occupancy :math:`d^*` (sums to 1).
    policy : numpy.ndarray, shape (S, A)
        :math:`d^*(s, a) / \sum_a d^*(s, a)` (uniform on states :math:`d^*` never visits).
    values : numpy.ndarray, shape (S,)
        The flow constraints' multipliers (:math:`V^*` when :math:`\mu > 0`).
    objective : float
        :math:`r \cdot d^* = (1 - \gamma)\, \mu^\top V^*`.
    method : str
        The solver path used (one of ``LP_METHODS``).
    """

    occupancy: np.ndarray
    policy: np.ndarray
    values: np.ndarray
    objective: float
    method: str


def _check_solver(method: str, solver) -> None:
    """A cvxpy solver name is meaningful only with ``method="cvxpy"``: refuse it elsewhere, not ignore it."""
    if solver is None:
        return
    if not isinstance(solver, str):
        raise TypeError(f"solver: expected a cvxpy solver name (str) or None, got {type(solver).__name__}")
    if method != "cvxpy":
        raise ValueError(f"solver: a cvxpy solver is used only with method='cvxpy', got solver={solver!r} "
                         f"with method={method!r}")


def occupancy_lp(mdp: DiscountedMDP, *, method: str = "highs", solver: str | None = None) -> LPSolution:
    r"""Solve the occupancy LP, the paper's primal (:ref:`dual_rl-lp`).

    .. math::

        \max_{d \ge 0}\; r^\top d \quad \text{s.t.} \quad M d = (1 - \gamma)\mu .

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP; its initial distribution is :math:`\mu`.
    method : {"highs", "highs-primal", "cvxpy"}, default "highs"
        "highs" (the fastest correct path in ``benchmarks/bench_dual_rl.py``) hands the LP pair to
        HiGHS in its V-form (S variables, S*A rows; interior point with crossover, so the answer is
        a vertex) and reads :math:`d^*` from the row multipliers; "highs-primal" gives HiGHS the
        d-form (S*A variables) and reads V from ``eqlin.marginals`` (:math:`-V^*` for the
        minimisation of :math:`-r^\top d`); "cvxpy" solves the d-form with ``solver`` and reads
        ``flow.dual_value`` (:math:`+V^*`).
    solver : str or None, default None
        The cvxpy solver of ``method="cvxpy"`` (None: cvxpy's default); with another method it
        must be None (a ValueError otherwise: it would be ignored).

    Returns
    -------
    LPSolution
        The occupancy, its policy, the multipliers and the optimal value.

    Raises
    ------
    ValueError
        When the solver does not report an optimal solution.
    """
    mdp = _mdp(mdp)
    if method not in LP_METHODS:
        raise ValueError(f"method: expected one of {LP_METHODS}, got {method!r}")
    _check_solver(method, solver)
    S, A = mdp.n_states, mdp.n_actions
    if method == "highs":
        dual = value_lp(mdp, method="highs")
        d = dual.occupancy
        return LPSolution(d, occupancy_policy(d), dual.values, float(np.sum(d * mdp.R)), method)
    M = flow_matrix(mdp)
    b = (1.0 - mdp.gamma) * mdp.initial
    r = mdp.R.reshape(-1)
    if method == "highs-primal":
        import scipy.optimize

        out = scipy.optimize.linprog(-r, A_eq=M, b_eq=b, bounds=(0, None), method="highs")
        if out.status != 0:
            raise ValueError(f"mdp: HiGHS did not reach optimality (status {out.status}: {out.message})")
        d, V, obj = out.x, -np.asarray(out.eqlin.marginals), -float(out.fun)
    else:
        import cvxpy as cp

        dv = cp.Variable(S * A, nonneg=True)
        flow = M @ dv == b
        prob = cp.Problem(cp.Maximize(r @ dv), [flow])
        _solve(prob, solver, "mdp")
        d, V, obj = dv.value, np.asarray(flow.dual_value, dtype=float), float(prob.value)
    d = _nonnegative_occupancy("occupancy (solver output)", d).reshape(S, A)
    return LPSolution(d, occupancy_policy(d), V, obj, method)


@dataclass(frozen=True, eq=False)
class ValueLPSolution:
    r"""The dual LP's solution (:func:`value_lp`).

    Parameters
    ----------
    values : numpy.ndarray, shape (S,)
        The minimiser V (:math:`V^*` when :math:`\mu > 0`).
    objective : float
        :math:`(1 - \gamma)\, \mu^\top V`.
    occupancy : numpy.ndarray, shape (S, A)
        The multipliers of the constraints :math:`\delta_V \le 0`: an optimal occupancy.
    method : str
        The solver path used.
    """

    values: np.ndarray
    objective: float
    occupancy: np.ndarray
    method: str


def value_lp(mdp: DiscountedMDP, *, method: str = "highs", solver: str | None = None) -> ValueLPSolution:
    r"""Solve the dual of the occupancy LP (:ref:`dual_rl-lp`).

    .. math::

        \min_V\; (1 - \gamma)\, \mu^\top V \quad \text{s.t.} \quad
        r(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s') - V(s) \le 0 \;\; \forall (s, a).

    With :math:`\mu > 0` everywhere its solution is exactly :math:`V^*`. The row multipliers are an
    optimal occupancy.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    method : {"highs", "highs-primal", "cvxpy"}, default "highs"
        "highs" (HiGHS interior point with crossover; "highs-primal" is read as "highs") or "cvxpy".
    solver : str or None, default None
        The cvxpy solver of ``method="cvxpy"`` (None: cvxpy's default); with another method it
        must be None (a ValueError otherwise: it would be ignored).

    Returns
    -------
    ValueLPSolution
        V, the optimal value and the multipliers.

    Raises
    ------
    ValueError
        When the solver does not report an optimal solution.
    """
    mdp = _mdp(mdp)
    if method not in LP_METHODS:
        raise ValueError(f"method: expected one of {LP_METHODS}, got {method!r}")
    _check_solver(method, solver)
    S, A = mdp.n_states, mdp.n_actions
    M = flow_matrix(mdp)
    c = (1.0 - mdp.gamma) * mdp.initial
    if method in ("highs", "highs-primal"):
        import scipy.optimize

        # delta_V <= 0  <=>  -M^T V <= -r.
        out = scipy.optimize.linprog(c, A_ub=-M.T, b_ub=-mdp.R.reshape(-1), bounds=(None, None), method="highs-ipm")
        if out.status != 0:
            raise ValueError(f"mdp: HiGHS did not reach optimality (status {out.status}: {out.message})")
        V, obj, d = out.x, float(out.fun), -np.asarray(out.ineqlin.marginals)
    else:
        import cvxpy as cp

        Vv = cp.Variable(S)
        cons = M.T @ Vv >= mdp.R.reshape(-1)
        prob = cp.Problem(cp.Minimize(c @ Vv), [cons])
        _solve(prob, solver, "mdp")
        V, obj, d = Vv.value, float(prob.value), np.asarray(cons.dual_value, dtype=float)
    return ValueLPSolution(np.asarray(V, dtype=float), obj, d.reshape(S, A), method)


# --------------------------------------------------------------------------------------------
# The f-regularised primal and its duals (:ref:`dual_rl-regularized`, :ref:`dual_rl-duals`)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class RegularizedSolution:
    r"""Solution of the f-regularised primal (:func:`regularized_primal`).

    Parameters
    ----------
    occupancy : numpy.ndarray, shape (S, A)
        The regularised optimum :math:`d_\alpha` (sums to 1; solver negatives above
        ``-NEGATIVE_TOLERANCE`` set to 0).
    policy : numpy.ndarray, shape (S, A)
        :math:`d_\alpha(s, a) / \sum_a d_\alpha(s, a)` (:func:`occupancy_policy`).
    values : numpy.ndarray, shape (S,)
        The flow constraints' multipliers: the dual-V solution :math:`V_\alpha` (up to its
        non-uniqueness, e.g. TV at large :math:`\alpha`).
    objective : float
        :math:`\mathbb{E}_{d_\alpha}[r] - \alpha D_f(d_\alpha \,\|\, d_O)` as reported by the solver.
    expected_reward : float
        :math:`\mathbb{E}_{d_\alpha}[r] = r^\top d_\alpha`.
    divergence_value : float
        :math:`D_f(d_\alpha \,\|\, d_O)`.
    """

    occupancy: np.ndarray
    policy: np.ndarray
    values: np.ndarray
    objective: float
    expected_reward: float
    divergence_value: float


def regularized_primal(mdp: DiscountedMDP, data_occupancy, alpha: float, divergence: str = "chi2", *,
                       solver: str | None = "CLARABEL") -> RegularizedSolution:
    r"""The f-regularised primal over occupancies (:ref:`dual_rl-regularized`).

    .. math::

        \max_{d \ge 0,\; M d = (1 - \gamma)\mu}\; r^\top d - \alpha\, D_f(d \,\|\, d_O).

    Solved with cvxpy (the KL problem needs the exponential cone, hence CLARABEL by default).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, on the simplex and of full support (:math:`D_f` divides by it).
    alpha : float
        The regularisation weight :math:`\alpha > 0`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence (:data:`DIVERGENCES`).
    solver : str or None, default "CLARABEL"
        The cvxpy solver (None: cvxpy's default).

    Returns
    -------
    RegularizedSolution
        :math:`d_\alpha`, its policy, the multipliers :math:`V_\alpha` and the objective's parts.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal.
    """
    import cvxpy as cp

    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    alpha = _alpha(alpha)
    S, A = mdp.n_states, mdp.n_actions
    r = mdp.R.reshape(-1)
    d = cp.Variable(S * A, nonneg=True)
    flow = flow_matrix(mdp) @ d == (1.0 - mdp.gamma) * mdp.initial
    prob = cp.Problem(cp.Maximize(r @ d - alpha * div.cvx_divergence(d, dO.reshape(-1))), [flow])
    _solve(prob, solver, "data_occupancy, alpha")
    dval = _nonnegative_occupancy("occupancy (solver output)", d.value).reshape(S, A)
    return RegularizedSolution(dval, occupancy_policy(dval), np.asarray(flow.dual_value, dtype=float),
                               float(prob.value), float(r @ dval.reshape(-1)), div.value(dval, dO))


def regularized_objective(mdp: DiscountedMDP, data_occupancy, occupancy, alpha: float,
                          divergence: str = "chi2") -> float:
    r"""The regularised objective :math:`\mathbb{E}_d[r] - \alpha D_f(d \,\|\, d_O)` in closed form at a given d.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward r).
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, of full support.
    occupancy : array_like, shape (S, A)
        d, non-negative up to ``NEGATIVE_TOLERANCE`` (evaluated as given).
    alpha : float
        :math:`\alpha > 0`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.

    Returns
    -------
    float
        The objective's value.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    d = v.float_array("occupancy", occupancy, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    _nonnegative_occupancy("occupancy", d)  # the check only: d itself is evaluated as given
    return float(np.sum(d * mdp.R) - _alpha(alpha) * div.value(d, dO))


@dataclass(frozen=True, eq=False)
class DualVSolution:
    r"""Solution of the dual-V problem (:func:`dual_v`).

    Parameters
    ----------
    values : numpy.ndarray, shape (S,)
        :math:`V_\alpha`.
    objective : float
        The dual-V optimum.
    residuals : numpy.ndarray, shape (S, A)
        :math:`\delta_{V_\alpha}`.
    ratio : numpy.ndarray or None
        :math:`w^*`, shape (S, A); None for TV, whose ratio is set-valued.
    occupancy : numpy.ndarray or None
        :math:`d_O\, w^*`, shape (S, A); None for TV.
    """

    values: np.ndarray
    objective: float
    residuals: np.ndarray
    ratio: np.ndarray | None
    occupancy: np.ndarray | None


def dual_v(mdp: DiscountedMDP, data_occupancy, alpha: float, divergence: str = "chi2", *,
           positivity: bool = True, solver: str | None = "CLARABEL") -> DualVSolution:
    r"""Dual-V, the Lagrangian dual of the V-form of the regularised primal (:ref:`dual_rl-duals`).

    .. math::

        \min_V\; (1 - \gamma)\, \mu^\top V
        + \alpha\, \mathbb{E}_{(s, a) \sim d_O}\big[f^*_p(\delta_V(s, a) / \alpha)\big].

    Its optimum equals the regularised primal's (strong duality, DUAL-D3), and the primal occupancy
    is :math:`d_O \max(0, (f')^{-1}(\delta_{V^*} / \alpha))` (KL, chi-square; DUAL-D4).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, of full support.
    alpha : float
        :math:`\alpha > 0`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.
    positivity : bool, default True
        False uses :math:`f^*` in place of :math:`f^*_p`, i.e. drops :math:`d \ge 0` from the
        primal: wrong wherever that constraint binds (kept to show why the paper uses :math:`f^*_p`).
    solver : str or None, default "CLARABEL"
        The cvxpy solver.

    Returns
    -------
    DualVSolution
        :math:`V_\alpha`, the optimum, the residuals, and (KL, chi-square) the ratio and occupancy.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal.
    """
    import cvxpy as cp

    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    alpha = _alpha(alpha)
    if not isinstance(positivity, (bool, np.bool_)):
        raise ValueError(f"positivity: expected True or False, got {positivity!r}")
    S = mdp.n_states
    M = flow_matrix(mdp)
    V = cp.Variable(S)
    delta = mdp.R.reshape(-1) - M.T @ V
    conj = div.cvx_conjugate_nonneg if positivity else div.cvx_conjugate
    expr, cons = conj(delta / alpha)
    prob = cp.Problem(cp.Minimize((1.0 - mdp.gamma) * mdp.initial @ V + alpha * (dO.reshape(-1) @ expr)), cons)
    _solve(prob, solver, "data_occupancy, alpha")
    Vval = np.asarray(V.value, dtype=float)
    res = value_residual(mdp, Vval)
    if div.name == "tv":
        ratio = occ = None
    else:
        ratio = div.ratio(res, alpha) if positivity else div.f_prime_inverse(res / alpha)
        occ = dO * ratio
    return DualVSolution(Vval, float(prob.value), res, ratio, occ)


def dual_v_objective(mdp: DiscountedMDP, data_occupancy, values, alpha: float, divergence: str = "chi2") -> float:
    r"""The dual-V objective in closed form at given values.

    .. math:: (1 - \gamma)\, \mu^\top V + \alpha \sum_{s, a} d_O(s, a)\, f^*_p(\delta_V(s, a) / \alpha)

    (``inf`` outside the TV conjugate's domain).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, of full support.
    values : array_like, shape (S,)
        V.
    alpha : float
        :math:`\alpha > 0`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.

    Returns
    -------
    float
        The objective's value.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    alpha = _alpha(alpha)
    res = value_residual(mdp, values)
    return float((1.0 - mdp.gamma) * mdp.initial @ np.asarray(values, float)
                 + alpha * np.sum(dO * div.conjugate_nonneg(res / alpha)))


def dual_q_objective(mdp: DiscountedMDP, data_occupancy, q_values, policy, alpha: float,
                     divergence: str = "chi2") -> float:
    r"""The dual-Q objective in closed form at a given (Q, pi) (:ref:`dual_rl-duals`).

    .. math::

        (1 - \gamma)\, \mathbb{E}_{s \sim \mu,\, a \sim \pi}[Q(s, a)]
        + \alpha\, \mathbb{E}_{(s, a) \sim d_O}\big[f^*(\delta^\pi_Q(s, a) / \alpha)\big].

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, of full support.
    q_values : array_like, shape (S, A)
        Q.
    policy : array_like
        :math:`\pi`, shape (S,) or (S, A).
    alpha : float
        :math:`\alpha > 0`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.

    Returns
    -------
    float
        The objective's value.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    alpha = _alpha(alpha)
    pi = _policy_arg(mdp, policy)
    Q = v.float_array("q_values", q_values, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    res = q_residual(mdp, Q, pi)
    return float((1.0 - mdp.gamma) * mdp.initial @ np.sum(pi * Q, axis=1) + alpha * np.sum(dO * div.conjugate(res / alpha)))


def _policy_occupancy(mdp: DiscountedMDP, pi: np.ndarray) -> np.ndarray:
    from mdps.planning import occupancy

    return occupancy(mdp, pi)


def _state_action_transition(mdp: DiscountedMDP, pi: np.ndarray) -> np.ndarray:
    """``P^pi((s, a), (s', a')) = P(s'|s, a) pi(a'|s')`` as an (S*A, S*A) matrix (row-major pairs)."""
    S, A = mdp.n_states, mdp.n_actions
    return np.einsum("sat,tb->satb", mdp.P, pi).reshape(S * A, S * A)


def _policy_q(mdp: DiscountedMDP, pi: np.ndarray, reward: np.ndarray) -> np.ndarray:
    """``Q = (I - gamma P^pi)^{-1} reward`` for an arbitrary (S, A) ``reward`` (for the MDP's own
    reward this is :func:`mdps.planning.policy_q_values`)."""
    S, A = mdp.n_states, mdp.n_actions
    system = np.eye(S * A) - mdp.gamma * _state_action_transition(mdp, pi)
    return scipy.linalg.solve(system, np.asarray(reward, dtype=float).reshape(-1)).reshape(S, A)


def dual_q_minimizer(mdp: DiscountedMDP, data_occupancy, policy, alpha: float, divergence: str = "chi2") -> np.ndarray:
    r"""The inner minimiser of dual-Q at fixed pi, in closed form (KL, chi-square).

    Stationarity of the inner problem gives :math:`\delta^\pi_Q = \alpha f'(d^\pi / d_O)`, so Q
    solves the linear system

    .. math:: (I - \gamma P^\pi)\, Q = r - \alpha f'(d^\pi / d_O)

    on (S*A)-vectors (:ref:`dual_rl-duals`). KL needs :math:`d^\pi > 0` everywhere (a full-support
    policy and state occupancy).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, of full support.
    policy : array_like
        :math:`\pi`, shape (S,) or (S, A).
    alpha : float
        :math:`\alpha > 0`.
    divergence : {"kl", "chi2"} or Divergence, default "chi2"
        The f-divergence (TV raises: its :math:`f'` is set-valued).

    Returns
    -------
    numpy.ndarray
        The minimising Q, shape (S, A).

    Raises
    ------
    ValueError
        For TV, or for KL when :math:`d^\pi` has a zero entry.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    if div.name == "tv":
        raise ValueError("divergence: f' of total variation is set-valued; use dual_q (cvxpy) instead")
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    alpha = _alpha(alpha)
    pi = _policy_arg(mdp, policy)
    d = _policy_occupancy(mdp, pi)
    if div.name == "kl" and np.any(d <= 0):
        raise ValueError("policy: KL dual-Q needs an occupancy d^pi > 0 everywhere (a full-support policy)")
    return _policy_q(mdp, pi, mdp.R - alpha * div.f_prime(d / dO))


def dual_q(mdp: DiscountedMDP, data_occupancy, policy, alpha: float, divergence: str = "chi2", *,
           solver: str | None = "CLARABEL") -> tuple:
    r"""The inner problem of dual-Q at fixed pi, solved with cvxpy (:ref:`dual_rl-duals`).

    .. math::

        \min_Q\; (1 - \gamma)\, \mathbb{E}_{\mu, \pi}[Q] + \alpha\, \mathbb{E}_{d_O}\big[f^*(\delta^\pi_Q / \alpha)\big]

    Its value should equal :math:`\mathbb{E}_{d^\pi}[r] - \alpha D_f(d^\pi \,\|\, d_O)`
    (:ref:`dual_rl-thm-dual-q`, DUAL-D5).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    data_occupancy : array_like, shape (S, A)
        :math:`d_O`, of full support.
    policy : array_like
        :math:`\pi`, shape (S,) or (S, A).
    alpha : float
        :math:`\alpha > 0`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.
    solver : str or None, default "CLARABEL"
        The cvxpy solver.

    Returns
    -------
    q_values : numpy.ndarray
        The minimiser Q, shape (S, A).
    value : float
        The minimum.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal.
    """
    import cvxpy as cp

    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dO = _occupancy_arg("data_occupancy", mdp, data_occupancy, positive=True)
    alpha = _alpha(alpha)
    pi = _policy_arg(mdp, policy)
    S, A = mdp.n_states, mdp.n_actions
    Ppi = _state_action_transition(mdp, pi)
    Q = cp.Variable(S * A)
    delta = mdp.R.reshape(-1) + mdp.gamma * (Ppi @ Q) - Q
    expr, cons = div.cvx_conjugate(delta / alpha)
    start = ((1.0 - mdp.gamma) * mdp.initial[:, None] * pi).reshape(-1)
    prob = cp.Problem(cp.Minimize(start @ Q + alpha * (dO.reshape(-1) @ expr)), cons)
    _solve(prob, solver, "data_occupancy, policy, alpha")
    return np.asarray(Q.value, dtype=float).reshape(S, A), float(prob.value)


# --------------------------------------------------------------------------------------------
# f-DVL and XQL: implicit maximisation, fixed points, semi-gradient updates (:ref:`dual_rl-fdvl`)
# --------------------------------------------------------------------------------------------

@numba.njit(cache=True)
def _implicit_max_kernel(q, mu, lam, breakpoints, intercepts, slopes):
    # Exact minimiser of (1 - lam) V + lam sum_a mu_a g(q_a - V) for a convex g whose derivative is
    # piecewise linear: the objective's derivative D(V) = c0 + c1 V on each piece between the
    # sorted candidate kinks q_a - breakpoint; return the first V where D crosses 0 (lower end of
    # a flat minimiser set).
    S, A = q.shape
    nb = breakpoints.size
    out = np.empty(S)
    cands = np.empty(A * nb)
    for s in range(S):
        k = 0
        for a in range(A):
            if mu[s, a] > 0.0:
                for b in range(nb):
                    cands[k] = q[s, a] - breakpoints[b]
                    k += 1
        c = np.sort(cands[:k])
        result = np.nan
        for p in range(k + 1):
            lo = -np.inf if p == 0 else c[p - 1]
            hi = np.inf if p == k else c[p]
            if p == 0:
                mid = hi - 1.0
            elif p == k:
                mid = lo + 1.0
            else:
                mid = 0.5 * (lo + hi)
            c0 = 1.0 - lam
            c1 = 0.0
            for a in range(A):
                w = mu[s, a]
                if w > 0.0:
                    y = q[s, a] - mid
                    region = 0
                    for b in range(nb):
                        if breakpoints[b] < y:
                            region += 1
                    c0 -= lam * w * (intercepts[region] + slopes[region] * q[s, a])
                    c1 += lam * w * slopes[region]
            if c1 > 0.0:
                root = -c0 / c1
                if root <= lo:
                    result = lo
                    break
                if root <= hi:
                    result = root
                    break
            elif c0 >= 0.0:
                result = lo
                break
        out[s] = result
    return out


def _behavior_arg(q, behavior):
    Q = v.float_array("q_values", q, ndim=2)
    mu = v.float_array("behavior", behavior, ndim=2, shape=Q.shape, like="q_values")
    v.check_simplex("behavior", mu)
    return Q, mu


def _temperature(loss: str, temperature) -> float:
    t = v.positive_float("temperature", temperature)
    spec = _loss(loss)
    if not spec.exponential and not spec.min_temperature < t <= 1.0:
        raise ValueError(f"temperature: loss {loss!r} needs lambda in ({spec.min_temperature:g}, 1] "
                         f"(else V is unbounded below or the weight 1 - lambda is negative), got {t!r}")
    return t


def implicit_maximum(q_values, behavior, *, loss: str = "tv", temperature: float = 0.9) -> np.ndarray:
    r"""The f-DVL / XQL V-step per state (:ref:`dual_rl-fdvl`).

    .. math::

        V(s) = \arg\min_V\; (1 - \lambda)\, V + \lambda\, \mathbb{E}_{a \sim \mu(\cdot \mid s)}\big[g(Q(s, a) - V)\big]

    (Gumbel: :math:`\arg\min_V \mathbb{E}_\mu[g((Q - V)/\beta)]`).

    Parameters
    ----------
    q_values : array_like, shape (S, A)
        Q.
    behavior : array_like, shape (S, A)
        The data's action distribution :math:`\mu(a \mid s)` (rows on the simplex); only actions
        with :math:`\mu > 0` count.
    loss : {"tv", "chi2", "chi2_exact", "gumbel"}, default "tv"
        "tv": :math:`g(y) = \max(y, 0)`, exactly quantile regression at level :math:`2 - 1/\lambda`;
        "chi2": the f-DVL surrogate :math:`\max(y + y^2/4, 0)`; "chi2_exact": :math:`f^*_p` of
        chi-square (:math:`\alpha = 1`), which overshoots the maximum; "gumbel": XQL's
        :math:`\mathbb{E}_\mu[e^z - z - 1]`, :math:`z = (Q - V)/\beta`, with closed form
        :math:`V = \beta \log \mathbb{E}_\mu e^{Q/\beta}`.
    temperature : float, default 0.9
        :math:`\lambda \in (0, 1]` (:math:`(1/2, 1]` for TV) for the polynomial losses;
        :math:`\beta > 0` for "gumbel".

    Returns
    -------
    numpy.ndarray
        The exact minimiser, shape (S,) (the lowest one when the minimiser is an interval).

    Examples
    --------
    >>> import numpy as np
    >>> q = np.array([[1.0, 2.0, 3.5, 0.5]]); mu = np.array([[0.4, 0.3, 0.1, 0.2]])
    >>> [float(implicit_maximum(q, mu, loss="tv", temperature=t)[0]) for t in (0.6, 0.8, 0.95)]
    [1.0, 2.0, 3.5]
    """
    spec = _loss(loss)
    Q, mu = _behavior_arg(q_values, behavior)
    t = _temperature(loss, temperature)
    if spec.exponential:
        return t * scipy.special.logsumexp(Q / t, b=mu, axis=1)
    return _implicit_max_kernel(Q, mu, t, np.array(spec.breakpoints, dtype=float),
                                np.array(spec.intercepts, dtype=float), np.array(spec.slopes, dtype=float))


def implicit_objective(values, q_values, behavior, *, loss: str = "tv", temperature: float = 0.9) -> np.ndarray:
    r"""The per-state V-loss of f-DVL / XQL.

    It is :math:`(1 - \lambda) V + \lambda\, \mathbb{E}_\mu[g(Q - V)]` for the polynomial losses and
    :math:`\mathbb{E}_\mu[g((Q - V)/\beta)]` for the Gumbel loss.

    Parameters
    ----------
    values : array_like, shape (S,)
        V.
    q_values : array_like, shape (S, A)
        Q.
    behavior : array_like, shape (S, A)
        :math:`\mu(a \mid s)`, rows on the simplex.
    loss : {"tv", "chi2", "chi2_exact", "gumbel"}, default "tv"
        The V-loss (:data:`IMPLICIT_LOSSES`).
    temperature : float, default 0.9
        :math:`\lambda` (polynomial losses) or :math:`\beta` (Gumbel).

    Returns
    -------
    numpy.ndarray
        The objective per state, shape (S,).
    """
    spec = _loss(loss)
    Q, mu = _behavior_arg(q_values, behavior)
    t = _temperature(loss, temperature)
    V = v.float_array("values", values, ndim=1, shape=(Q.shape[0],))
    y = Q - V[:, None]
    if spec.exponential:
        return np.sum(mu * spec.g(y / t), axis=1)
    return (1.0 - t) * V + t * np.sum(mu * spec.g(y), axis=1)


def tv_quantile_value(q_values, behavior, temperature: float) -> np.ndarray:
    r"""The TV-surrogate V-step in closed form: a quantile of Q under mu.

    The (lower) :math:`\tau`-quantile of :math:`Q(s, \cdot)` under :math:`\mu(\cdot \mid s)`,
    :math:`\tau = 2 - 1/\lambda` (:ref:`dual_rl-thm-implicit`, DUAL-D9). It equals
    :func:`implicit_maximum` with ``loss="tv"``.

    Parameters
    ----------
    q_values : array_like, shape (S, A)
        Q.
    behavior : array_like, shape (S, A)
        :math:`\mu(a \mid s)`, rows on the simplex.
    temperature : float
        :math:`\lambda \in (1/2, 1]`.

    Returns
    -------
    numpy.ndarray
        V, shape (S,).

    Examples
    --------
    >>> import numpy as np
    >>> float(tv_quantile_value(np.array([[1.0, 2.0, 3.5, 0.5]]), np.array([[0.4, 0.3, 0.1, 0.2]]), 0.8)[0])
    2.0
    """
    Q, mu = _behavior_arg(q_values, behavior)
    return _tv_quantile(Q, mu, _temperature("tv", temperature), 0)


def _tv_quantile(Q: np.ndarray, mu: np.ndarray, t: float, step_offset: int) -> np.ndarray:
    # step_offset moves the chosen sorted support value (clamped to the support); only the claims'
    # "quantile level off by one step" mutant (proofs_check.dual_rl) passes a non-zero offset.
    tau = 2.0 - 1.0 / t
    S, A = Q.shape
    masked = np.where(mu > 0, Q, -np.inf)
    order = np.argsort(masked, axis=1, kind="stable")
    qs = np.take_along_axis(masked, order, axis=1)
    cdf = np.cumsum(np.take_along_axis(mu, order, axis=1), axis=1)
    idx = np.argmax(cdf >= tau - 1e-12, axis=1)
    first = A - np.sum(mu > 0, axis=1)
    idx = np.clip(idx + int(step_offset), first, A - 1)
    return qs[np.arange(S), idx]


def support_optimal_values(mdp: DiscountedMDP, behavior, *, tol: float = 1e-12, max_iter: int = 1_000_000) -> np.ndarray:
    r""":math:`V^*_{\mathrm{supp}}`: value iteration restricted to the actions the behaviour policy plays.

    .. math::

        V^*_{\mathrm{supp}}(s) = \max_{a:\, \mu(a \mid s) > 0}\;
        r(s, a) + \gamma \sum_{s'} P(s' \mid s, a)\, V^*_{\mathrm{supp}}(s').

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    behavior : array_like, shape (S, A)
        :math:`\mu(a \mid s)`, rows on the simplex.
    tol : float, default 1e-12
        Certified sup-norm accuracy: stops when :math:`\gamma \|V_{k+1} - V_k\|_\infty \le` ``tol``
        :math:`(1 - \gamma)`.
    max_iter : int, default 1_000_000
        Most iterations.

    Returns
    -------
    numpy.ndarray
        :math:`V^*_{\mathrm{supp}}`, shape (S,).

    Raises
    ------
    ValueError
        If ``max_iter`` iterations do not reach ``tol``.
    """
    mdp = _mdp(mdp)
    mu = v.float_array("behavior", behavior, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    v.check_simplex("behavior", mu)
    tol = v.positive_float("tol", tol)
    S, A = mdp.n_states, mdp.n_actions
    P = mdp.P.reshape(S * A, S)
    V = np.zeros(S)
    for _ in range(v.positive_int("max_iter", max_iter)):
        Q = np.where(mu > 0, mdp.R + mdp.gamma * (P @ V).reshape(S, A), -np.inf)
        V_new = Q.max(axis=1)
        res = np.max(np.abs(V_new - V))
        V = V_new
        if mdp.gamma * res <= tol * (1.0 - mdp.gamma):
            return V
    raise ValueError(f"max_iter: restricted value iteration did not reach tol={tol}")


@dataclass(frozen=True, eq=False)
class FDVLResult:
    r"""Result of f-DVL / XQL on a tabular MDP (:func:`fdvl_value_iteration`, :func:`fdvl_semi_gradient`).

    Parameters
    ----------
    values : numpy.ndarray, shape (S,)
        V, the V-step's output at the last iterate.
    q_values : numpy.ndarray, shape (S, A)
        :math:`Q = r + \gamma P V` (exact version) or the learned Q table (sampled version).
    policy : numpy.ndarray, shape (S, A)
        The advantage-weighted extraction (:func:`advantage_weighted_policy`) under the behaviour
        policy (NaN rows where it is undefined, see :func:`fdvl_semi_gradient`).
    iterations : int
        Fixed-point iterations (exact version) or sampled steps (sampled version).
    error_bound : float
        Certified bound on :math:`\max_s |V(s) - V_{\mathrm{fix}}(s)|` (exact version); nan for
        the sampled version.
    """

    values: np.ndarray
    q_values: np.ndarray
    policy: np.ndarray
    iterations: int
    error_bound: float


def advantage_weighted_policy(q_values, values, behavior, *, temperature: float = 3.0, clip: float = 100.0) -> np.ndarray:
    r"""Tabular advantage-weighted regression (AWR), the policy extraction of f-DVL (:ref:`dual_rl-fdvl`).

    .. math::

        \pi = \arg\max_\pi \mathbb{E}_{a \sim \mu}\big[\min(e^{\kappa (Q - V)}, c) \log \pi(a \mid s)\big],
        \qquad
        \pi(a \mid s) \propto \mu(a \mid s) \min\big(e^{\kappa (Q(s, a) - V(s))}, c\big),

    with :math:`\kappa` = ``temperature`` and :math:`c` = ``clip`` (the official code's actor).

    Parameters
    ----------
    q_values : array_like, shape (S, A)
        Q.
    values : array_like, shape (S,)
        V.
    behavior : array_like, shape (S, A)
        :math:`\mu(a \mid s)`, rows on the simplex.
    temperature : float, default 3.0
        :math:`\kappa > 0`.
    clip : float, default 100.0
        :math:`c > 0`, the cap on the weight.

    Returns
    -------
    numpy.ndarray
        :math:`\pi`, shape (S, A).
    """
    Q, mu = _behavior_arg(q_values, behavior)
    V = v.float_array("values", values, ndim=1, shape=(Q.shape[0],))
    kappa = v.positive_float("temperature", temperature)
    clip = v.positive_float("clip", clip)
    w = mu * np.minimum(np.exp(np.minimum(kappa * (Q - V[:, None]), np.log(clip))), clip)
    return w / w.sum(axis=1, keepdims=True)


def _q_step(mdp: DiscountedMDP, V: np.ndarray) -> np.ndarray:
    S, A = mdp.n_states, mdp.n_actions
    return mdp.R + mdp.gamma * (mdp.P.reshape(S * A, S) @ V).reshape(S, A)


def q_step(mdp: DiscountedMDP, values) -> np.ndarray:
    r"""The exact f-DVL Q-step :math:`Q(s, a) = r(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')`.

    It is the fixed point of the official code's TD regression onto :math:`r + \gamma V(s')`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    values : array_like, shape (S,)
        V.

    Returns
    -------
    numpy.ndarray
        Q, shape (S, A).
    """
    mdp = _mdp(mdp)
    return _q_step(mdp, v.float_array("values", values, ndim=1, shape=(mdp.n_states,)))


def fdvl_value_iteration(mdp: DiscountedMDP, behavior, *, loss: str = "tv", temperature: float = 0.99,
                         policy_temperature: float = 3.0, tol: float = 1e-10, max_iter: int = 100_000) -> FDVLResult:
    r"""Exact tabular f-DVL / XQL: the Q-step and the V-step iterated to their fixed point.

    Iterates :math:`Q = r + \gamma P V` and the V-step :func:`implicit_maximum`
    (:ref:`dual_rl-fdvl`, DUAL-D12). The V-step is monotone and commutes with adding a constant,
    so the iteration is a :math:`\gamma`-contraction: it stops when
    :math:`\gamma \|V_{\mathrm{new}} - V\|_\infty \le` ``tol`` :math:`(1 - \gamma)`, which certifies
    :math:`\|V - V_{\mathrm{fix}}\|_\infty \le` ``tol``. The TV V-step uses the closed-form
    quantile (:func:`tv_quantile_value`), the others the exact per-state minimiser; the policy is
    :func:`advantage_weighted_policy` with ``policy_temperature``.

    With TV and :math:`\lambda \ge 1/(1 + \min_s \mu(a^* \mid s))` the fixed point is
    :math:`V^*_{\mathrm{supp}}` exactly; with Gumbel it lies within
    :math:`\beta \log(1/\mu_{\min}) / (1 - \gamma)` of it.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP.
    behavior : array_like, shape (S, A)
        :math:`\mu(a \mid s)`, rows on the simplex.
    loss : {"tv", "chi2", "chi2_exact", "gumbel"}, default "tv"
        The V-loss (see :func:`implicit_maximum`).
    temperature : float, default 0.99
        :math:`\lambda` (polynomial losses) or :math:`\beta` (Gumbel).
    policy_temperature : float, default 3.0
        :math:`\kappa` of the AWR extraction.
    tol : float, default 1e-10
        Certified sup-norm distance to the fixed point.
    max_iter : int, default 100_000
        Most iterations.

    Returns
    -------
    FDVLResult
        V, Q, the AWR policy, the number of iterations and the certified error bound.

    Raises
    ------
    ValueError
        If ``max_iter`` iterations do not reach ``tol``.
    """
    return _fdvl_value_iteration(mdp, behavior, loss, temperature, policy_temperature, tol, max_iter, 0)


def _fdvl_value_iteration(mdp, behavior, loss, temperature, policy_temperature, tol, max_iter, quantile_offset):
    # quantile_offset != 0 is the claims' mutant (proofs_check.dual_rl), not a feature.
    mdp = _mdp(mdp)
    v.positive_float("policy_temperature", policy_temperature)
    S, A = mdp.n_states, mdp.n_actions
    mu = v.float_array("behavior", behavior, ndim=2, shape=(S, A))
    v.check_simplex("behavior", mu)
    _loss(loss)
    t = _temperature(loss, temperature)
    tol = v.positive_float("tol", tol)
    V = np.zeros(S)
    threshold = tol * (1.0 - mdp.gamma)
    for it in range(1, v.positive_int("max_iter", max_iter) + 1):
        Q = _q_step(mdp, V)
        if loss == "tv":
            V_new = _tv_quantile(Q, mu, t, quantile_offset)
        else:
            V_new = implicit_maximum(Q, mu, loss=loss, temperature=t)
        res = float(np.max(np.abs(V_new - V)))
        V = V_new
        if mdp.gamma * res <= threshold:
            Q = _q_step(mdp, V)
            pi = advantage_weighted_policy(Q, V, mu, temperature=policy_temperature)
            return FDVLResult(V, Q, pi, it, mdp.gamma * res / (1.0 - mdp.gamma))
    raise ValueError(f"max_iter: f-DVL did not reach tol={tol} in {max_iter} iterations")


@numba.njit(cache=True)
def _v_grad(exponential, y, temperature, breakpoints, intercepts, slopes):
    # d/dV of the V-loss at residual y = Q - V (semi-gradient: Q held fixed).
    if exponential:
        return -(np.exp(y / temperature) - 1.0) / temperature
    region = 0
    for b in range(breakpoints.size):
        if breakpoints[b] < y:
            region += 1
    return (1.0 - temperature) - temperature * (intercepts[region] + slopes[region] * y)


@numba.njit(cache=True)
def _semi_gradient_kernel(s, a, r, s_next, gamma, exponential, breakpoints, intercepts, slopes, temperature,
                          lr_v, lr_q, decay, n_steps, Q, V, record_every, trace, rng):
    n = s.size
    k = 0
    for t in range(n_steps):
        i = rng.integers(0, n)
        si, ai = s[i], a[i]
        scale = 1.0 / (1.0 + decay * t)
        V[si] -= lr_v * scale * _v_grad(exponential, Q[si, ai] - V[si], temperature, breakpoints, intercepts, slopes)
        Q[si, ai] -= lr_q * scale * (Q[si, ai] - r[i] - gamma * V[s_next[i]])
        if (t + 1) % record_every == 0:
            trace[k, :] = V
            k += 1


def fdvl_semi_gradient(data: OfflineData, gamma: float, *, loss: str = "chi2", temperature: float = 0.9,
                       n_steps: int = 100_000, learning_rate_v: float = 0.1, learning_rate_q: float = 0.1,
                       decay: float = 0.0, policy_temperature: float = 3.0, initial_q=None, initial_values=None,
                       record_every: int | None = None, rng=None):
    r"""Sampled f-DVL / XQL from an offline dataset, by semi-gradient steps (:ref:`dual_rl-fdvl`).

    Each step draws a tuple (s, a, r, s') uniformly, takes a gradient step of the V-loss in V(s)
    at the current Q(s, a) (semi-gradient: Q held fixed), then a semi-gradient TD step
    :math:`Q(s, a) \leftarrow Q(s, a) - \eta_Q (Q(s, a) - r - \gamma V(s'))`. This is the official
    code's critic update with one tabular Q: no twin critic, no target network, a squared loss in
    place of the Huber loss (:ref:`dual_rl-departures`). Step sizes are
    :math:`\eta / (1 + \text{decay}\cdot t)`. Numba kernel; the randomness comes from ``rng`` only.

    Parameters
    ----------
    data : OfflineData
        Discounted-MDP tuples (with ``s_next``, without ``h``).
    gamma : float
        The discount :math:`\gamma \in (0, 1)`.
    loss : {"tv", "chi2", "chi2_exact", "gumbel"}, default "chi2"
        The V-loss (see :func:`implicit_maximum`).
    temperature : float, default 0.9
        :math:`\lambda` (polynomial losses) or :math:`\beta` (Gumbel).
    n_steps : int, default 100_000
        Sampled steps (at most ``MAX_SGD_STEPS``).
    learning_rate_v : float, default 0.1
        :math:`\eta_V > 0`.
    learning_rate_q : float, default 0.1
        :math:`\eta_Q \ge 0` (0 holds Q fixed).
    decay : float, default 0.0
        Step-size decay, :math:`\ge 0`.
    policy_temperature : float, default 3.0
        :math:`\kappa` of the AWR extraction.
    initial_q : array_like or None, default None
        Starting Q, shape (S, A) (None: zeros).
    initial_values : array_like or None, default None
        Starting V, shape (S,) (None: zeros).
    record_every : int or None, default None
        Record V every this many steps (None: no trace).
    rng : None, int or numpy.random.Generator, default None
        The source of randomness.

    Returns
    -------
    result : FDVLResult
        With the AWR policy under the data's empirical behaviour policy; the policy's rows are NaN
        on states with no data (no behaviour policy to reweight) and everywhere if V or Q
        diverged; ``error_bound`` is nan.
    trace : numpy.ndarray, shape (n_steps // record_every, S)
        V after every ``record_every`` steps (empty when ``record_every`` is None).

    Raises
    ------
    TypeError
        If ``data`` is not discounted-MDP :class:`~mdps.data.OfflineData`.
    """
    if not isinstance(data, OfflineData) or data.s_next is None or data.h is not None:
        raise TypeError("data: expected discounted-MDP OfflineData (with s_next, without h)")
    gamma = v.discount(gamma)
    spec = _loss(loss)
    t = _temperature(loss, temperature)
    n_steps = v.positive_int("n_steps", n_steps, maximum=MAX_SGD_STEPS)
    v.positive_float("policy_temperature", policy_temperature)
    lr_v = v.positive_float("learning_rate_v", learning_rate_v)
    lr_q = v.real_number("learning_rate_q", learning_rate_q, "a non-negative number")
    if not (np.isfinite(lr_q) and lr_q >= 0):
        raise ValueError(f"learning_rate_q: expected a non-negative number, got {learning_rate_q!r}")
    decay = v.real_number("decay", decay, "a non-negative number")
    if not (np.isfinite(decay) and decay >= 0):
        raise ValueError(f"decay: expected a non-negative number, got {decay!r}")
    S, A = data.n_states, data.n_actions
    Q = np.zeros((S, A)) if initial_q is None else np.array(v.float_array("initial_q", initial_q, ndim=2, shape=(S, A)))
    V = np.zeros(S) if initial_values is None else np.array(v.float_array("initial_values", initial_values, ndim=1, shape=(S,)))
    every = n_steps + 1 if record_every is None else v.positive_int("record_every", record_every)
    trace = np.zeros((n_steps // every, S))
    gen = v.as_rng(rng)
    _semi_gradient_kernel(data.s, data.a, data.r, data.s_next, gamma, spec.exponential,
                          np.array(spec.breakpoints, dtype=float), np.array(spec.intercepts, dtype=float),
                          np.array(spec.slopes, dtype=float), t, lr_v, lr_q, decay, n_steps, Q, V, every, trace, gen)
    counts = data.statistics.counts.astype(float)
    seen = counts.sum(axis=1) > 0
    pi = np.full((S, A), np.nan)
    # AWR reweights the data's behaviour policy: a state without data has none, so its row stays NaN
    # (rather than inventing a uniform behaviour). A diverged run (the Gumbel loss at a large
    # residual) has no policy to extract at all.
    if np.any(seen) and np.all(np.isfinite(Q)) and np.all(np.isfinite(V)):
        mu = counts[seen] / counts[seen].sum(axis=1, keepdims=True)
        pi[seen] = advantage_weighted_policy(Q[seen], V[seen], mu, temperature=policy_temperature)
    return FDVLResult(V, Q, pi, n_steps, float("nan")), trace



def _v_step_samples(states, q_samples, n_states):
    S = v.positive_int("n_states", n_states)
    # Per-state arrays of S floats are built from it (counts, gradients, values).
    v.check_allocation("n_states", S, 8)
    s = v.int_array("states", states, ndim=1, high=S)
    q = v.float_array("q_samples", q_samples, ndim=1, shape=s.shape, like="states")
    if s.size == 0:
        raise ValueError("states: expected at least one sample, got 0")
    return s, q, S


def _sample_gradient(spec: ImplicitLoss, t: float, states, q, V, counts):
    y = q - V[states]
    if spec.exponential:
        per_sample = -(np.exp(y / t) - 1.0) / t
        return np.bincount(states, per_sample, minlength=V.size) / np.maximum(counts, 1.0)
    piece = np.searchsorted(np.asarray(spec.breakpoints, dtype=float), y, side="left")
    slope = np.asarray(spec.intercepts, dtype=float)[piece] + np.asarray(spec.slopes, dtype=float)[piece] * y
    mean = np.bincount(states, slope, minlength=V.size) / np.maximum(counts, 1.0)
    return np.where(counts > 0, (1.0 - t) - t * mean, 0.0)


def implicit_loss_gradient(values, states, q_samples, n_states: int, *, loss: str = "chi2",
                           temperature: float = 0.9) -> np.ndarray:
    r"""Derivative in V(s) of the sampled V-loss of f-DVL / XQL, per state (:ref:`dual_rl-fdvl-samples`).

    For the polynomial losses, :math:`(1 - \lambda) - \lambda \frac{1}{n_s} \sum_{i: s_i = s} g'(q_i - V(s))`;
    for Gumbel (XQL), :math:`-\frac{1}{n_s} \sum_{i: s_i = s} (e^{(q_i - V(s))/\beta} - 1)/\beta`
    (which overflows to inf when :math:`(q_i - V)/\beta > 709`; returned as it is). 0 at states
    without samples.

    Parameters
    ----------
    values : array_like, shape (S,)
        V.
    states : array_like of int, shape (n,)
        :math:`s_i`.
    q_samples : array_like, shape (n,)
        :math:`q_i = Q(s_i, a_i)`, :math:`a_i` the data's action.
    n_states : int
        S.
    loss : {"tv", "chi2", "chi2_exact", "gumbel"}, default "chi2"
        The V-loss (see :func:`implicit_maximum`).
    temperature : float, default 0.9
        :math:`\lambda` (polynomial losses) or :math:`\beta` (Gumbel).

    Returns
    -------
    numpy.ndarray
        The derivative, shape (S,).

    Examples
    --------
    >>> implicit_loss_gradient([0.0], [0, 0], [1.0, -1.0], 1, loss="tv", temperature=0.9).round(3)
    array([-0.35])
    """
    s, q, S = _v_step_samples(states, q_samples, n_states)
    V = v.float_array("values", values, ndim=1, shape=(S,))
    spec = _loss(loss)
    t = _temperature(loss, temperature)
    return _sample_gradient(spec, t, s, q, V, np.bincount(s, minlength=S).astype(float))


def implicit_maximum_descent(states, q_samples, n_states: int, *, loss: str = "chi2", temperature: float = 0.9,
                             n_steps: int = 2000, step_size: float = 1.0, decay: float = 0.01,
                             initial_values=None) -> np.ndarray:
    r"""The f-DVL / XQL V-step fitted by gradient descent on sampled data, every iterate (:ref:`dual_rl-fdvl-samples`).

    Full-batch (sub)gradient descent on the sampled V-loss of each state,
    :math:`V_{k+1} = V_k - \eta_k \nabla \hat L(V_k)` (:func:`implicit_loss_gradient`), with
    :math:`\eta_k = \eta / (1 + \text{decay}\cdot k)` and Q held fixed (the samples
    :math:`q_i`). This is how the official code fits V (by gradient steps on the loss, there
    with Adam on minibatches, :ref:`dual_rl-departures`); its minimiser is
    :func:`implicit_maximum` under the data's empirical action distribution. Nothing is
    clipped: with the Gumbel loss at a small temperature an iterate can overflow to ``inf``
    (the instability f-DVL removes); the iterates are returned as they are.

    Parameters
    ----------
    states : array_like of int, shape (n,)
        :math:`s_i`.
    q_samples : array_like, shape (n,)
        :math:`q_i = Q(s_i, a_i)`.
    n_states : int
        S.
    loss : {"tv", "chi2", "chi2_exact", "gumbel"}, default "chi2"
        The V-loss.
    temperature : float, default 0.9
        :math:`\lambda` or :math:`\beta`.
    n_steps : int, default 2000
        K, the number of steps (at most ``MAX_SGD_STEPS``).
    step_size : float, default 1.0
        :math:`\eta > 0`.
    decay : float, default 0.01
        Step-size decay, :math:`\ge 0`.
    initial_values : array_like or None, default None
        :math:`V_0`, shape (S,) (None: the mean of the samples at each state, 0 without samples).

    Returns
    -------
    numpy.ndarray
        The iterates :math:`V_0, \dots, V_K`, shape (K + 1, S) (possibly non-finite for Gumbel).

    Examples
    --------
    >>> trace = implicit_maximum_descent([0, 0, 0, 0], [1.0, 2.0, 3.0, 4.0], 1, loss="tv", temperature=0.9)
    >>> trace.shape, round(float(trace[-1, 0]), 1)
    ((2001, 1), 4.0)
    """
    s, q, S = _v_step_samples(states, q_samples, n_states)
    spec = _loss(loss)
    t = _temperature(loss, temperature)
    n_steps = v.positive_int("n_steps", n_steps, maximum=MAX_SGD_STEPS)
    v.check_allocation("n_steps, n_states", (n_steps + 1) * S, 8, "iterate entries")
    eta = v.positive_float("step_size", step_size)
    decay = v.real_number("decay", decay, "a non-negative number")
    if not (np.isfinite(decay) and decay >= 0):
        raise ValueError(f"decay: expected a non-negative number, got {decay!r}")
    counts = np.bincount(s, minlength=S).astype(float)
    if initial_values is None:
        V = np.bincount(s, q, minlength=S) / np.maximum(counts, 1.0)
    else:
        V = np.array(v.float_array("initial_values", initial_values, ndim=1, shape=(S,)))
    trace = np.empty((n_steps + 1, S))
    trace[0] = V
    for k in range(n_steps):
        V = V - eta / (1.0 + decay * k) * _sample_gradient(spec, t, s, q, V, counts)
        trace[k + 1] = V
    return trace


# --------------------------------------------------------------------------------------------
# ReCOIL and the coverage baseline (:ref:`dual_rl-recoil`)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ImitationResult:
    """An imitation solution (:func:`recoil`, :func:`coverage_baseline`).

    Parameters
    ----------
    occupancy : numpy.ndarray, shape (S, A)
        The occupancy the program finds.
    policy : numpy.ndarray, shape (S, A)
        The policy recovered from it (:func:`occupancy_policy`).
    objective : float
        The program's optimal value.
    """

    occupancy: np.ndarray
    policy: np.ndarray
    objective: float


def recoil(mdp: DiscountedMDP, expert_occupancy, suboptimal_occupancy, beta: float = 0.5,
           divergence: str = "chi2", *, solver: str | None = "CLARABEL") -> ImitationResult:
    r"""ReCOIL, tabular: mixture matching over occupancies, solved exactly with cvxpy (:ref:`dual_rl-recoil`).

    .. math::

        \min_{d}\; D_f\big(\beta d + (1 - \beta) d_S \,\big\|\, \beta d_E + (1 - \beta) d_S\big)
        \quad \text{over occupancies } d.

    No coverage of :math:`d_E` by :math:`d_S` is assumed. Pairs outside
    :math:`\mathrm{supp}(d_E) \cup \mathrm{supp}(d_S)` are forced to 0 (the divergence is infinite
    there). When :math:`d_E` is the occupancy of a policy :math:`\pi_E`, the optimum is
    :math:`d = d_E` and the recovered policy is :math:`\pi_E` on the states :math:`d_E` visits,
    for every :math:`\beta \in (0, 1)`. The paper optimises the equivalent dual-Q saddle point with
    networks (:func:`recoil_dual_q_objective`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read).
    expert_occupancy : array_like, shape (S, A)
        :math:`d_E`, on the simplex.
    suboptimal_occupancy : array_like, shape (S, A)
        :math:`d_S`, on the simplex.
    beta : float, default 0.5
        The mixture weight :math:`\beta \in (0, 1)`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.
    solver : str or None, default "CLARABEL"
        The cvxpy solver.

    Returns
    -------
    ImitationResult
        The optimal occupancy, its policy and the optimal divergence.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal.
    """
    import cvxpy as cp

    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dE = _occupancy_arg("expert_occupancy", mdp, expert_occupancy, positive=False)
    dS = _occupancy_arg("suboptimal_occupancy", mdp, suboptimal_occupancy, positive=False)
    beta = v.probability("beta", beta)
    S, A = mdp.n_states, mdp.n_actions
    mix = (beta * dE + (1 - beta) * dS).reshape(-1)
    on = mix > 0
    d = cp.Variable(S * A, nonneg=True)
    cons = [flow_matrix(mdp) @ d == (1.0 - mdp.gamma) * mdp.initial]
    if np.any(~on):
        cons.append(d[np.flatnonzero(~on)] == 0)
    p = beta * d[np.flatnonzero(on)] + (1 - beta) * dS.reshape(-1)[on]
    # The divergence is O(beta^2) near its optimum; dividing by beta^2 (same argmin) keeps the
    # solver's absolute tolerance meaningful at small beta.
    prob = cp.Problem(cp.Minimize(div.cvx_divergence(p, mix[on]) / beta ** 2), cons)
    _solve(prob, solver, "expert_occupancy, suboptimal_occupancy")
    dval = _nonnegative_occupancy("occupancy (solver output)", d.value).reshape(S, A)
    return ImitationResult(dval, occupancy_policy(dval), float(prob.value) * beta ** 2)


def recoil_dual_q_objective(mdp: DiscountedMDP, expert_occupancy, suboptimal_occupancy, q_values, policy,
                            beta: float = 0.5, divergence: str = "chi2") -> float:
    r"""The ReCOIL dual-Q objective at (Q, pi) (:ref:`dual_rl-recoil`; the paper's ReCOIL theorem, [recalled]).

    .. math::

        \beta (1 - \gamma)\, \mathbb{E}_{s \sim \mu,\, a \sim \pi}[Q]
        + \mathbb{E}_{d_{\mathrm{mix}}}\big[f^*(\mathcal{T}_0 Q - Q)\big]
        - (1 - \beta)\, \mathbb{E}_{d_S}\big[\mathcal{T}_0 Q - Q\big],

    with :math:`d_{\mathrm{mix}} = \beta d_E + (1 - \beta) d_S` and the reward-free backup
    :math:`\mathcal{T}_0 Q(s, a) = \gamma\, \mathbb{E}_{s' \sim P,\, a' \sim \pi} Q(s', a')`.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read).
    expert_occupancy : array_like, shape (S, A)
        :math:`d_E`.
    suboptimal_occupancy : array_like, shape (S, A)
        :math:`d_S`.
    q_values : array_like, shape (S, A)
        Q.
    policy : array_like
        :math:`\pi`, shape (S,) or (S, A).
    beta : float, default 0.5
        :math:`\beta \in (0, 1)`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.

    Returns
    -------
    float
        The objective's value.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    dE = _occupancy_arg("expert_occupancy", mdp, expert_occupancy, positive=False)
    dS = _occupancy_arg("suboptimal_occupancy", mdp, suboptimal_occupancy, positive=False)
    beta = v.probability("beta", beta)
    pi = _policy_arg(mdp, policy)
    Q = v.float_array("q_values", q_values, ndim=2, shape=(mdp.n_states, mdp.n_actions))
    res = mdp.gamma * np.einsum("sat,t->sa", mdp.P, np.sum(pi * Q, axis=1)) - Q
    mix = beta * dE + (1 - beta) * dS
    return float(beta * (1 - mdp.gamma) * mdp.initial @ np.sum(pi * Q, axis=1)
                 + np.sum(mix * div.conjugate(res)) - (1 - beta) * np.sum(dS * res))


def coverage_baseline(mdp: DiscountedMDP, expert_occupancy, suboptimal_occupancy, *, clip: float = 1e-3,
                      solver: str | None = "CLARABEL") -> ImitationResult:
    r"""The coverage-assuming baseline: SMODICE-style dual-V with KL to the suboptimal data (:ref:`dual_rl-recoil`).

    When :math:`d_S` covers :math:`d_E`,
    :math:`\mathrm{KL}(d \,\|\, d_E) = \mathrm{KL}(d \,\|\, d_S) - \mathbb{E}_d[\log(d_E / d_S)]`,
    so it solves

    .. math:: \max_d\; \mathbb{E}_d[\tilde r] - \mathrm{KL}(d \,\|\, d_S)

    with the discriminator reward :math:`\tilde r = \log(c / (1 - c))`,
    :math:`c = d_E / (d_E + d_S)` clipped to ``[clip, 1 - clip]`` (SMODICE's bounded
    discriminator). :math:`\mathrm{KL}(\cdot \,\|\, d_S)` confines d to :math:`\mathrm{supp}(d_S)`:
    when :math:`d_S` misses the expert's states, so does d.

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read).
    expert_occupancy : array_like, shape (S, A)
        :math:`d_E`.
    suboptimal_occupancy : array_like, shape (S, A)
        :math:`d_S`.
    clip : float, default 1e-3
        The discriminator's clip, in (0, 1).
    solver : str or None, default "CLARABEL"
        The cvxpy solver.

    Returns
    -------
    ImitationResult
        The optimal occupancy, its policy and the optimal value.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal.
    """
    import cvxpy as cp

    mdp = _mdp(mdp)
    dE = _occupancy_arg("expert_occupancy", mdp, expert_occupancy, positive=False)
    dS = _occupancy_arg("suboptimal_occupancy", mdp, suboptimal_occupancy, positive=False)
    clip = v.probability("clip", clip)
    S, A = mdp.n_states, mdp.n_actions
    reward = _discriminator_reward(dE, dS, clip).reshape(-1)
    on = dS.reshape(-1) > 0
    d = cp.Variable(S * A, nonneg=True)
    cons = [flow_matrix(mdp) @ d == (1.0 - mdp.gamma) * mdp.initial]
    if np.any(~on):
        cons.append(d[np.flatnonzero(~on)] == 0)
    idx = np.flatnonzero(on)
    prob = cp.Problem(cp.Maximize(reward @ d - cp.sum(cp.rel_entr(d[idx], dS.reshape(-1)[idx]))), cons)
    _solve(prob, solver, "expert_occupancy, suboptimal_occupancy")
    dval = _nonnegative_occupancy("occupancy (solver output)", d.value).reshape(S, A)
    return ImitationResult(dval, occupancy_policy(dval), float(prob.value))


@dataclass(frozen=True, eq=False)
class ImitationTrace:
    r"""Iterates of an imitation algorithm (:func:`recoil_npg`, :func:`coverage_baseline_npg`).

    Parameters
    ----------
    policy : numpy.ndarray, shape (S, A)
        The final policy.
    occupancy : numpy.ndarray, shape (S, A)
        Its occupancy.
    distances : numpy.ndarray, shape (n_iterations + 1,)
        :math:`\|d^{\pi_k} - d_E\|_2^2` for k = 0 .. n_iterations (a diagnostic: :math:`d_E` is the
        expert data).
    q_values : numpy.ndarray, shape (S, A)
        The last critic.
    """

    policy: np.ndarray
    occupancy: np.ndarray
    distances: np.ndarray
    q_values: np.ndarray


def _discriminator_reward(dE: np.ndarray, dS: np.ndarray, clip: float) -> np.ndarray:
    """SMODICE's bounded discriminator reward ``log(c / (1 - c))``, ``c = d_E / (d_E + d_S)`` clipped
    to ``[clip, 1 - clip]`` (c = 1/2 where both are 0), shape (S, A)."""
    total = dE + dS
    c = np.clip(np.where(total > 0, dE / np.where(total > 0, total, 1.0), 0.5), clip, 1 - clip)
    return np.log(c / (1 - c))


#: Stand-in for a zero density ratio where ``f'(0) = -inf`` (KL): ``f'(RATIO_FLOOR) = log(1e-300) + 1
#: = -689.8``. It enters only ReCOIL's and the coverage baseline's pseudo-rewards, at pairs with
#: ``p = 0 < d_mix`` (resp. ``d = 0 < d_S``), where the exact gradient of the divergence is infinite
#: (it pushes mass onto the pair); a finite value keeps the NPG step and the critic's linear solve
#: defined and still dominates every other pseudo-reward. Chi-square (``f'(0) = -2``) needs no floor.
RATIO_FLOOR = 1e-300


def _f_prime_of_ratio(div: Divergence, ratio: np.ndarray) -> np.ndarray:
    if div.name == "kl":
        return div.f_prime(np.where(ratio > 0, ratio, RATIO_FLOOR))
    return div.f_prime(ratio)


def _mirror_step(pi: np.ndarray, Q: np.ndarray, step_size: float) -> np.ndarray:
    """NPG / mirror ascent ``pi <- pi exp(step_size Q)`` normalised per state (softmax of the
    logits); actions with ``pi = 0`` stay at 0."""
    with np.errstate(divide="ignore"):
        logits = np.where(pi > 0, np.log(np.where(pi > 0, pi, 1.0)) + step_size * Q, -np.inf)
    return scipy.special.softmax(logits, axis=1)


def _support_policy(support: np.ndarray) -> np.ndarray:
    mass = support.sum(axis=1, keepdims=True)
    return np.where(mass > 0, support / np.where(mass > 0, mass, 1.0), 1.0 / support.shape[1])


def _npg_on_occupancy(mdp, support, pseudo_reward, expert, n_iterations, step_size):
    """Natural policy gradient (mirror ascent, pi <- pi exp(eta Q)) on max_pi -Phi(d^pi) for a convex Phi:
    Q is the exact Q^pi of the pseudo-reward -dPhi/dd at d^pi. The policy starts from, and stays on,
    the support's own action distribution."""
    S, A = mdp.n_states, mdp.n_actions
    pi = _support_policy(support)
    distances = np.empty(n_iterations + 1)
    Q = np.zeros((S, A))
    for k in range(n_iterations + 1):
        d = _policy_occupancy(mdp, pi)
        distances[k] = float(np.sum((d - expert) ** 2))
        if k == n_iterations:
            break
        Q = _policy_q(mdp, pi, pseudo_reward(d))
        pi = _mirror_step(pi, Q, step_size)
    return ImitationTrace(pi, d, distances, Q)


def recoil_npg(mdp: DiscountedMDP, expert_occupancy, suboptimal_occupancy, beta: float = 0.5,
               divergence: str = "chi2", *, n_iterations: int = 100, step_size: float = 1.0) -> ImitationTrace:
    r"""Iterative tabular ReCOIL: the dual-Q saddle point with an exact critic and NPG steps (:ref:`dual_rl-recoil`).

    The saddle point is :math:`\max_\pi \min_Q` of :func:`recoil_dual_q_objective`. For fixed
    :math:`\pi` the inner minimiser satisfies :math:`\mathcal{T}_0 Q - Q = f'(p / d_{\mathrm{mix}})`
    on :math:`\mathrm{supp}(d_{\mathrm{mix}})`, with :math:`p = \beta d^\pi + (1 - \beta) d_S`
    (stationarity), i.e.

    .. math:: Q = -(I - \gamma P^\pi)^{-1} f'(p / d_{\mathrm{mix}}),

    and by the envelope theorem the outer gradient is :math:`\beta d^\pi(s) Q(s, a)`: so
    :math:`\pi \leftarrow \pi \exp(\eta Q)` (normalised) is NPG on
    :math:`-D_f(p \,\|\, d_{\mathrm{mix}})`. The policy starts at the mixture data's action
    distribution and never leaves its support. Departure: the paper learns Q and :math:`\pi` with
    networks and extracts :math:`\pi` by AWR. With KL, :math:`f'(0) = -\infty` at pairs where
    :math:`p = 0 < d_{\mathrm{mix}}`; there the pseudo-reward uses ``f'(RATIO_FLOOR) = -689.8``
    (:data:`RATIO_FLOOR`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read).
    expert_occupancy : array_like, shape (S, A)
        :math:`d_E`.
    suboptimal_occupancy : array_like, shape (S, A)
        :math:`d_S`.
    beta : float, default 0.5
        :math:`\beta \in (0, 1)`.
    divergence : {"kl", "chi2"} or Divergence, default "chi2"
        The f-divergence (TV raises: its :math:`f'` is set-valued).
    n_iterations : int, default 100
        NPG iterations.
    step_size : float, default 1.0
        :math:`\eta > 0`.

    Returns
    -------
    ImitationTrace
        The final policy, its occupancy, the distances to :math:`d_E` and the last critic.

    Raises
    ------
    ValueError
        For TV.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    if div.name == "tv":
        raise ValueError("divergence: f' of total variation is set-valued; use 'chi2' or 'kl'")
    dE = _occupancy_arg("expert_occupancy", mdp, expert_occupancy, positive=False)
    dS = _occupancy_arg("suboptimal_occupancy", mdp, suboptimal_occupancy, positive=False)
    beta = v.probability("beta", beta)
    n_iterations = v.positive_int("n_iterations", n_iterations)
    step_size = v.positive_float("step_size", step_size)
    mix = beta * dE + (1 - beta) * dS
    on = mix > 0

    def pseudo_reward(d):
        ratio = (beta * d + (1 - beta) * dS) / np.where(on, mix, 1.0)
        return np.where(on, -_f_prime_of_ratio(div, ratio), 0.0)

    return _npg_on_occupancy(mdp, mix, pseudo_reward, dE, n_iterations, step_size)


def recoil_critic(mdp: DiscountedMDP, expert_occupancy, suboptimal_occupancy, policy, beta: float = 0.5,
                  divergence: str = "chi2") -> np.ndarray:
    r"""The exact inner minimiser of ReCOIL's dual-Q at fixed pi (closed form, KL or chi-square).

    .. math:: Q = -(I - \gamma P^\pi)^{-1} f'(p / d_{\mathrm{mix}}) \quad \text{on } \mathrm{supp}(d_{\mathrm{mix}})

    (0 residual elsewhere), with :math:`p = \beta d^\pi + (1 - \beta) d_S`. At it
    :func:`recoil_dual_q_objective` equals :math:`-D_f(p \,\|\, d_{\mathrm{mix}})` when
    :math:`\mathrm{supp}(p) \subseteq \mathrm{supp}(d_{\mathrm{mix}})`. With KL, pairs with
    :math:`p = 0 < d_{\mathrm{mix}}` (where :math:`f'(0) = -\infty`) use ``f'(RATIO_FLOOR)``
    (:data:`RATIO_FLOOR`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read).
    expert_occupancy : array_like, shape (S, A)
        :math:`d_E`.
    suboptimal_occupancy : array_like, shape (S, A)
        :math:`d_S`.
    policy : array_like
        :math:`\pi`, shape (S,) or (S, A).
    beta : float, default 0.5
        :math:`\beta \in (0, 1)`.
    divergence : {"kl", "chi2"} or Divergence, default "chi2"
        The f-divergence (TV raises).

    Returns
    -------
    numpy.ndarray
        Q, shape (S, A).

    Raises
    ------
    ValueError
        For TV.
    """
    mdp = _mdp(mdp)
    div = get_divergence(divergence)
    if div.name == "tv":
        raise ValueError("divergence: f' of total variation is set-valued; use 'chi2' or 'kl'")
    dE = _occupancy_arg("expert_occupancy", mdp, expert_occupancy, positive=False)
    dS = _occupancy_arg("suboptimal_occupancy", mdp, suboptimal_occupancy, positive=False)
    beta = v.probability("beta", beta)
    pi = _policy_arg(mdp, policy)
    mix = beta * dE + (1 - beta) * dS
    on = mix > 0
    ratio = (beta * _policy_occupancy(mdp, pi) + (1 - beta) * dS) / np.where(on, mix, 1.0)
    return -_policy_q(mdp, pi, np.where(on, _f_prime_of_ratio(div, ratio), 0.0))


def coverage_baseline_npg(mdp: DiscountedMDP, expert_occupancy, suboptimal_occupancy, *, clip: float = 1e-3,
                          n_iterations: int = 100, step_size: float = 1.0) -> ImitationTrace:
    r"""The coverage baseline of :func:`coverage_baseline`, solved by the same NPG iterations as :func:`recoil_npg`.

    It maximises :math:`\mathbb{E}_d[\tilde r] - \mathrm{KL}(d \,\|\, d_S)` with the clipped
    discriminator reward :math:`\tilde r`; the pseudo-reward is
    :math:`\tilde r - \log(d / d_S) - 1` on :math:`\mathrm{supp}(d_S)`, where the policy starts and
    stays (``log`` of :data:`RATIO_FLOOR` in place of ``log 0`` at pairs with :math:`d = 0 < d_S`).

    Parameters
    ----------
    mdp : DiscountedMDP
        The MDP (its reward is not read).
    expert_occupancy : array_like, shape (S, A)
        :math:`d_E`.
    suboptimal_occupancy : array_like, shape (S, A)
        :math:`d_S`.
    clip : float, default 1e-3
        The discriminator's clip, in (0, 1).
    n_iterations : int, default 100
        NPG iterations.
    step_size : float, default 1.0
        :math:`\eta > 0`.

    Returns
    -------
    ImitationTrace
        The final policy, its occupancy, the distances to :math:`d_E` and the last critic.
    """
    mdp = _mdp(mdp)
    dE = _occupancy_arg("expert_occupancy", mdp, expert_occupancy, positive=False)
    dS = _occupancy_arg("suboptimal_occupancy", mdp, suboptimal_occupancy, positive=False)
    clip = v.probability("clip", clip)
    n_iterations = v.positive_int("n_iterations", n_iterations)
    step_size = v.positive_float("step_size", step_size)
    reward = _discriminator_reward(dE, dS, clip)
    on = dS > 0
    kl = DIVERGENCES["kl"]

    def pseudo_reward(d):
        # -d/dd KL(d || d_S) = -f'(d / d_S) with f' = log + 1 (RATIO_FLOOR where d = 0 < d_S).
        return np.where(on, reward - _f_prime_of_ratio(kl, d / np.where(on, dS, 1.0)), 0.0)

    return _npg_on_occupancy(mdp, dS, pseudo_reward, dE, n_iterations, step_size)



# --------------------------------------------------------------------------------------------
# ReCOIL and the coverage baseline from sampled data (:ref:`dual_rl-recoil-samples`)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class EmpiricalImitationModel:
    r"""The empirical imitation problem built from two datasets of sampled tuples (:func:`empirical_imitation_model`).

    Parameters
    ----------
    expert_occupancy : numpy.ndarray, shape (S, A)
        :math:`\hat d_E = N_E(s, a) / n_E`, the expert data's empirical distribution.
    suboptimal_occupancy : numpy.ndarray, shape (S, A)
        :math:`\hat d_S = N_S(s, a) / n_S`.
    transitions : numpy.ndarray, shape (S, A, S)
        :math:`\hat P(s' \mid s, a)` from the pooled transition counts of both datasets (0 rows on
        pairs without data).
    initial : numpy.ndarray, shape (S,)
        :math:`\mu`, the initial distribution.
    gamma : float
        The discount.
    """

    expert_occupancy: np.ndarray
    suboptimal_occupancy: np.ndarray
    transitions: np.ndarray
    initial: np.ndarray
    gamma: float

    def __post_init__(self):
        dE = v.float_array("expert_occupancy", self.expert_occupancy, ndim=2)
        v.check_simplex("expert_occupancy", dE.reshape(-1))
        S, A = dE.shape
        dS = v.float_array("suboptimal_occupancy", self.suboptimal_occupancy, shape=(S, A), like="expert_occupancy")
        v.check_simplex("suboptimal_occupancy", dS.reshape(-1))
        P = v.float_array("transitions", self.transitions, shape=(S, A, S), like="expert_occupancy")
        if np.any(P < 0):
            idx = tuple(int(i) for i in np.argwhere(P < 0)[0])
            raise ValueError(f"transitions: expected non-negative probabilities, got {P[idx]!r} at {idx}")
        # A pair with data has a transition row (its counts sum to the pair's count); a pair without
        # data has the 0 row: any other row sum is not an empirical model.
        sums = P.sum(axis=2)
        needed = (dE > 0) | (dS > 0)
        bad = np.abs(sums - 1.0) > v.SIMPLEX_ATOL
        bad &= needed | (sums != 0.0)
        if np.any(bad):
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"transitions: expected rows summing to 1 (0 only on pairs where both occupancies "
                             f"are 0), got a sum of {float(sums[idx])!r} at {idx}")
        mu = v.float_array("initial", self.initial, shape=(S,), like="expert_occupancy")
        v.check_simplex("initial", mu)
        for name, value in (("expert_occupancy", dE), ("suboptimal_occupancy", dS), ("transitions", P),
                            ("initial", mu), ("gamma", v.discount(self.gamma))):
            object.__setattr__(self, name, value)

    def flow(self, allowed: np.ndarray) -> tuple:
        r"""The empirical Bellman flow restricted to the ``allowed`` pairs.

        Rows are the states with at least one allowed pair; columns the allowed pairs. Mass that
        :math:`\hat P` sends to a state without an allowed pair leaves the model (there is no
        datum to continue from), so a solution is a sub-probability occupancy there.

        Parameters
        ----------
        allowed : numpy.ndarray of bool, shape (S, A)
            The pairs the occupancy may use.

        Returns
        -------
        matrix : numpy.ndarray, shape (n_rows, n_allowed)
            :math:`\sum_a d(s, a) - \gamma \sum_{s', a'} \hat P(s \mid s', a') d(s', a')` per row.
        rhs : numpy.ndarray, shape (n_rows,)
            :math:`(1 - \gamma)\mu(s)`.
        columns : numpy.ndarray of int
            The flat indices (into S * A) of the allowed pairs.
        """
        S, A = self.expert_occupancy.shape
        allowed = _boolean_mask("allowed", allowed, (S, A))
        rows = allowed.any(axis=1)
        columns = np.flatnonzero(allowed.reshape(-1))
        E = np.repeat(np.eye(S), A, axis=1)
        M = E - self.gamma * self.transitions.reshape(S * A, S).T
        return M[rows][:, columns], (1.0 - self.gamma) * self.initial[rows], columns


def _boolean_mask(name: str, value, shape: tuple) -> np.ndarray:
    # A mask is booleans: 0/1 numbers or strings are refused, not converted.
    if value is None or isinstance(value, (str, bytes)):
        raise v.ArgumentTypeError(f"{name}: expected a boolean array of shape {shape}, got {value!r}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a boolean array of shape {shape}, got {type(value).__name__} ({err})") from None
    if arr.dtype.kind != "b":
        raise v.ArgumentTypeError(f"{name}: expected a boolean array of shape {shape}, got dtype {arr.dtype}")
    if arr.shape != shape:
        raise ValueError(f"{name}: expected a boolean array of shape {shape}, got shape {arr.shape}")
    return arr


def _imitation_statistics(name: str, data):
    stats = data.statistics if isinstance(data, OfflineData) else data
    if not isinstance(stats, SufficientStatistics) or stats.transition_counts is None \
            or stats.n_repetitions is not None or np.ndim(stats.counts) != 2:
        raise TypeError(f"{name}: expected discounted-MDP OfflineData or SufficientStatistics with transition "
                        f"counts of shape (S, A, S) and no repetition axis, got {type(data).__name__}")
    if int(np.sum(stats.counts)) < 1:
        raise ValueError(f"{name}: expected at least one sample, got 0")
    return stats


def empirical_imitation_model(expert_data, suboptimal_data, initial, gamma: float) -> EmpiricalImitationModel:
    r"""Empirical distributions and transition model of an imitation dataset (:ref:`dual_rl-recoil-samples`).

    Parameters
    ----------
    expert_data : OfflineData or SufficientStatistics
        The expert tuples :math:`(s, a, s')`, :math:`(s, a) \sim d_E` (counts (S, A) and
        transition counts (S, A, S)).
    suboptimal_data : OfflineData or SufficientStatistics
        The suboptimal tuples, same shapes.
    initial : array_like, shape (S,)
        :math:`\mu`, a probability vector.
    gamma : float
        The discount :math:`\gamma \in (0, 1)`.

    Returns
    -------
    EmpiricalImitationModel
        :math:`\hat d_E, \hat d_S, \hat P, \mu, \gamma`.

    Raises
    ------
    TypeError
        If a dataset is not discounted-MDP data with transition counts.
    ValueError
        On an empty dataset, mismatched shapes or an initial distribution off the simplex.

    Examples
    --------
    >>> from mdps.instances.dual_rl import imitation_fork
    >>> from mdps.planning import occupancy
    >>> from mdps.sampling import sample_statistics
    >>> problem = imitation_fork(3, 3, 0.9, rng=0)
    >>> expert = sample_statistics(problem.mdp, occupancy(problem.mdp, problem.expert_policy), 100, rng=1)
    >>> other = sample_statistics(problem.mdp, occupancy(problem.mdp, problem.suboptimal_policy), 1000, rng=2)
    >>> model = empirical_imitation_model(expert, other, problem.mdp.initial, 0.9)
    >>> round(float(model.expert_occupancy.sum()), 12), model.transitions.shape
    (1.0, (7, 3, 7))
    """
    sE = _imitation_statistics("expert_data", expert_data)
    sS = _imitation_statistics("suboptimal_data", suboptimal_data)
    if sE.counts.shape != sS.counts.shape:
        raise ValueError(f"suboptimal_data: expected counts of shape {sE.counts.shape} (the expert data's), "
                         f"got {sS.counts.shape}")
    S, A = sE.counts.shape
    mu = v.float_array("initial", initial, ndim=1, shape=(S,))
    v.check_simplex("initial", mu)
    gamma = v.discount(gamma)
    cE, cS = sE.counts.astype(float), sS.counts.astype(float)
    T = (sE.transition_counts + sS.transition_counts).astype(float)
    N = T.sum(axis=2, keepdims=True)
    P = np.where(N > 0, T / np.where(N > 0, N, 1.0), 0.0)
    return EmpiricalImitationModel(cE / cE.sum(), cS / cS.sum(), P, mu, gamma)


def recoil_from_data(expert_data, suboptimal_data, initial, gamma: float, beta: float = 0.5,
                     divergence: str = "chi2", *, solver: str | None = "CLARABEL") -> ImitationResult:
    r"""ReCOIL learned from sampled tuples: :func:`recoil` on the empirical problem (:ref:`dual_rl-recoil-samples`).

    .. math::

        \min_{d \in \hat{\mathcal K}}\; D_f\big(\beta d + (1 - \beta)\hat d_S \,\big\|\,
        \beta \hat d_E + (1 - \beta)\hat d_S\big),

    where :math:`\hat{\mathcal K}` is the set of non-negative d on the pairs with data that satisfy
    the empirical Bellman flow (:meth:`EmpiricalImitationModel.flow`, with :math:`\hat P` pooled
    from both datasets). With chi-square the objective is
    :math:`\beta^2 \|d - \hat d_E\|^2_W`, :math:`W = \mathrm{diag}(1/\hat d_{\mathrm{mix}})`: the
    weighted projection of the expert's empirical distribution onto :math:`\hat{\mathcal K}`.
    The expert data may lie outside :math:`\mathrm{supp}(\hat d_S)`: no coverage is assumed.
    Departure: the paper fits the dual-Q saddle point with networks on minibatches; here the
    empirical primal is solved exactly (convex, cvxpy).

    Parameters
    ----------
    expert_data : OfflineData or SufficientStatistics
        Expert tuples (see :func:`empirical_imitation_model`).
    suboptimal_data : OfflineData or SufficientStatistics
        Suboptimal tuples.
    initial : array_like, shape (S,)
        :math:`\mu`.
    gamma : float
        The discount.
    beta : float, default 0.5
        :math:`\beta \in (0, 1)`.
    divergence : {"kl", "chi2", "tv"} or Divergence, default "chi2"
        The f-divergence.
    solver : str or None, default "CLARABEL"
        The cvxpy solver.

    Returns
    -------
    ImitationResult
        The empirical optimum d, its policy (uniform on states without data) and the divergence.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal (and as :func:`empirical_imitation_model`).

    Examples
    --------
    >>> from mdps.instances.dual_rl import imitation_fork
    >>> from mdps.planning import occupancy
    >>> from mdps.sampling import sample_statistics
    >>> problem = imitation_fork(3, 3, 0.9, rng=0)
    >>> expert = sample_statistics(problem.mdp, occupancy(problem.mdp, problem.expert_policy), 400, rng=1)
    >>> other = sample_statistics(problem.mdp, occupancy(problem.mdp, problem.suboptimal_policy), 4000, rng=2)
    >>> pi = recoil_from_data(expert, other, problem.mdp.initial, 0.9, beta=0.5).policy
    >>> bool(pi[0, 0] > 0.95)
    True
    """
    import cvxpy as cp

    model = empirical_imitation_model(expert_data, suboptimal_data, initial, gamma)
    div = get_divergence(divergence)
    beta = v.probability("beta", beta)
    dE, dS = model.expert_occupancy, model.suboptimal_occupancy
    mix = beta * dE + (1 - beta) * dS
    M, rhs, cols = model.flow(mix > 0)
    d = cp.Variable(cols.size, nonneg=True)
    p = beta * d + (1 - beta) * dS.reshape(-1)[cols]
    # Divided by beta^2 (same argmin) as in recoil: the objective is O(beta^2) near its optimum.
    prob = cp.Problem(cp.Minimize(div.cvx_divergence(p, mix.reshape(-1)[cols]) / beta ** 2), [M @ d == rhs])
    _solve(prob, solver, "expert_data, suboptimal_data")
    full = np.zeros(dE.size)
    full[cols] = _nonnegative_occupancy("occupancy (solver output)", d.value)
    dval = full.reshape(dE.shape)
    return ImitationResult(dval, occupancy_policy(dval), float(prob.value) * beta ** 2)


def coverage_baseline_from_data(expert_data, suboptimal_data, initial, gamma: float, *, clip: float = 1e-3,
                                solver: str | None = None) -> ImitationResult:
    r"""The coverage-assuming SMODICE-style baseline (:func:`coverage_baseline`) on the empirical problem.

    .. math:: \max_{d}\; \mathbb{E}_d[\tilde r] - \mathrm{KL}(d \,\|\, \hat d_S)

    over the non-negative d on :math:`\mathrm{supp}(\hat d_S)` satisfying the empirical flow
    (:meth:`EmpiricalImitationModel.flow`), with the clipped discriminator reward
    :math:`\tilde r` of :math:`\hat d_E, \hat d_S`. It is the algorithm of the occupancy-ratio
    methods that need :math:`\hat d_S` to cover the expert: d never leaves
    :math:`\mathrm{supp}(\hat d_S)`.

    Parameters
    ----------
    expert_data : OfflineData or SufficientStatistics
        Expert tuples.
    suboptimal_data : OfflineData or SufficientStatistics
        Suboptimal tuples.
    initial : array_like, shape (S,)
        :math:`\mu`.
    gamma : float
        The discount.
    clip : float, default 1e-3
        The discriminator's clip, in (0, 1).
    solver : str or None, default None
        None solves the problem exactly by Newton's method on its dual (below); a cvxpy solver
        name (e.g. "CLARABEL") solves the primal with cvxpy instead.

    Returns
    -------
    ImitationResult
        The empirical optimum d, its policy and the optimal value.

    Raises
    ------
    ValueError
        Unless the solver's status is optimal, or Newton's method converges (and as
        :func:`empirical_imitation_model`).

    Notes
    -----
    With the constraint :math:`M d = b` priced by V, the maximiser of the Lagrangian is
    :math:`d(V) = \hat d_S \exp(\tilde r - 1 - M^\top V)`, and V minimises the smooth convex
    dual :math:`g(V) = b^\top V + \sum d(V)`, whose gradient :math:`b - M d(V)` is the flow
    residual and whose Hessian is :math:`M\, \mathrm{diag}(d(V))\, M^\top`. Newton's method with
    a backtracking line search stops when the residual is at rounding level, so d(V) satisfies
    every KKT condition up to it. cvxpy's exponential-cone solvers stop at about 1e-8 and
    sometimes not at all: CLARABEL reported ``optimal_inaccurate`` on one of DUAL-R2's 120
    full-budget cells (block 8, beta 0.9, n_E = 800, root seed 0).
    """
    model = empirical_imitation_model(expert_data, suboptimal_data, initial, gamma)
    clip = v.probability("clip", clip)
    dE, dS = model.expert_occupancy, model.suboptimal_occupancy
    M, rhs, cols = model.flow(dS > 0)
    reward = _discriminator_reward(dE, dS, clip).reshape(-1)[cols]
    prior = dS.reshape(-1)[cols]
    if solver is None:
        d = _kl_flow_optimum(reward, prior, M, rhs)
        value = float(reward @ d - np.sum(d * np.log(d / prior)))
    else:
        import cvxpy as cp

        _check_solver("cvxpy", solver)
        var = cp.Variable(cols.size, nonneg=True)
        prob = cp.Problem(cp.Maximize(reward @ var - cp.sum(cp.rel_entr(var, prior))), [M @ var == rhs])
        _solve(prob, solver, "expert_data, suboptimal_data")
        d, value = var.value, float(prob.value)
    full = np.zeros(dE.size)
    full[cols] = _nonnegative_occupancy("occupancy (solver output)", d)
    dval = full.reshape(dE.shape)
    return ImitationResult(dval, occupancy_policy(dval), value)


def _kl_flow_optimum(reward: np.ndarray, prior: np.ndarray, matrix: np.ndarray, rhs: np.ndarray, *,
                     max_iter: int = 200) -> np.ndarray:
    """argmax of ``reward @ d - sum(d log(d / prior))`` subject to ``matrix @ d = rhs``, by Newton's
    method on the dual (see :func:`coverage_baseline_from_data`); ``prior > 0``."""
    V = np.zeros(matrix.shape[0])
    scale = max(1.0, float(np.abs(rhs).max()))

    def primal(values):
        with np.errstate(over="ignore"):
            return prior * np.exp(reward - 1.0 - matrix.T @ values)

    d = primal(V)
    dual = float(rhs @ V + d.sum())
    for _ in range(max_iter):
        gradient = rhs - matrix @ d
        if np.max(np.abs(gradient)) <= 1e-13 * scale:
            return d
        hessian = (matrix * d) @ matrix.T
        try:
            direction = -np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            direction = -np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        slope = float(gradient @ direction)
        if not slope < 0:  # no descent left: the residual is at the rounding floor of this problem
            break
        # Armijo on g; near the optimum g's decrease falls below its rounding, and a step that
        # shrinks the residual (the gradient) is taken instead.
        norm = float(np.max(np.abs(gradient)))
        step = 1.0
        while step > 1e-12:
            trial = V + step * direction
            d_trial = primal(trial)
            value = float(rhs @ trial + d_trial.sum())
            if np.isfinite(value) and (value <= dual + 0.25 * step * slope
                                       or np.max(np.abs(rhs - matrix @ d_trial)) < 0.5 * norm):
                break
            step *= 0.5
        else:
            break
        V, d, dual = trial, d_trial, value
    residual = float(np.max(np.abs(rhs - matrix @ d)))
    if not residual <= 1e-10 * scale:
        raise ValueError(f"expert_data, suboptimal_data: Newton's method on the coverage baseline's dual did not "
                         f"converge (flow residual {residual:.3g})")
    return d


__all__ = [
    "DIVERGENCES", "Divergence", "DualVSolution", "EmpiricalImitationModel", "coverage_baseline_from_data",
    "empirical_imitation_model", "recoil_from_data", "implicit_loss_gradient", "implicit_maximum_descent", "FDVLResult", "IMPLICIT_LOSSES", "ImitationResult", "ImitationTrace",
    "ImplicitLoss", "NEGATIVE_TOLERANCE", "RATIO_FLOOR", "coverage_baseline_npg", "recoil_critic", "recoil_npg",
    "LPSolution", "RegularizedSolution", "ValueLPSolution", "advantage_weighted_policy", "coverage_baseline",
    "dual_q", "dual_q_minimizer", "dual_q_objective", "dual_v", "dual_v_objective", "fdvl_semi_gradient",
    "fdvl_value_iteration", "flow_matrix", "get_divergence", "implicit_maximum", "implicit_objective",
    "occupancy_lp", "occupancy_policy", "q_residual", "q_step", "recoil", "recoil_dual_q_objective",
    "regularized_objective", "regularized_primal", "support_optimal_values", "tv_quantile_value",
    "value_lp", "value_residual",
]
