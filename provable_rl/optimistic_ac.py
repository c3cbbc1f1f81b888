r"""Optimistic actor-critic with rare-switching policy resets: online, hybrid, non-optimistic hybrid.

Tan, Fan & Wei (2025), "Actor-Critics Can Achieve Optimal Sample Efficiency" (ICML 2025,
arXiv 2505.03710). The theory, the pseudo-code and the claims are on the page
:ref:`theory-optimistic_ac`. The paper states (abstract, [paper], see
:ref:`optimistic_ac-paper-statements`):

- **Online.** An actor-critic with (i) optimism, (ii) an off-policy critic that targets
  :math:`Q^*` and (iii) rare-switching policy resets finds an :math:`\varepsilon`-optimal policy
  within :math:`O(d H^5 \log|A| / \varepsilon^2 + d H^4 \log|F| / \varepsilon^2)` trajectories and
  has :math:`\sqrt{T}` regret when the Bellman-eluder dimension d grows at most like log T.
- **Hybrid.** Initialising the critic with offline data helps; a **non-optimistic** hybrid
  variant is provably efficient when
  :math:`N_{\mathrm{off}} \ge c^*_{\mathrm{off}}\, d H^4 / \varepsilon^2`, with
  :math:`c^*_{\mathrm{off}}` the single-policy concentrability of the offline data.

**The paper's own algorithm boxes were not available.** What is implemented here is the
reconstruction of :ref:`optimistic_ac-algorithm` (tabular and linear-MDP instantiations,
:ref:`optimistic_ac-tabular-algorithm` and :ref:`optimistic_ac-linear-algorithm`), named after
what each function does rather than after the paper's (unconfirmed) acronyms:

- critic, at each switch: a backward pass with the optimality target
  :math:`Q_h = \mathrm{clip}(\hat r + \hat P V_{h+1} + b, 0, H - h)`, :math:`V_h = \max_a Q_h`
  (tabular, UCB bonus :math:`b = c (H - h) \sqrt{\iota / n}`), or LSVI-UCB ridge regression with an
  elliptical bonus :math:`\beta \|\phi\|_{\Lambda_h^{-1}}` (linear MDP);
- rare switching: recompute the critic only when some count :math:`n_h(s, a)` reaches a power of 2
  (tabular: at most :math:`S A H (\log_2 T + 1)` switches, :func:`switch_bound`) or some
  :math:`\det \Lambda_h` has doubled since the last switch (linear: at most
  :math:`H d \log_2(1 + T / (d \lambda))` switches, :func:`linear_switch_bound`); both bounds are
  derived in :ref:`optimistic_ac-switch-bounds`;
- policy reset to uniform at each switch, then a softmax (mirror-descent / NPG) actor
  :math:`\pi_{t+1} \propto \pi_t \exp(\eta Q)` between switches, i.e.
  :math:`\mathrm{softmax}(\eta\, n_{\mathrm{seg}} Q)`;
- hybrid: counts and estimates preloaded with offline episodes; non-optimistic hybrid: bonus 0 and
  unvisited pairs valued 0 (plain value iteration on the empirical model).

Departures from the paper (all forced by the missing boxes, see :ref:`optimistic_ac-departures`):
GOLF's confidence set is replaced by a UCB / elliptical bonus (the standard relaxation), the
switching rule is count / determinant doubling, the reset goes to the uniform policy, and the
bonus scale ``c`` is a free parameter (theory needs c ~ 1-2 [recalled]; smaller values, such as
c = 0.1, work better in practice on the lock), and the actor step is a constant ``eta``
(default 1) rather than the theory's :math:`\eta = \sqrt{2 \log A / (H^2 T_{\mathrm{seg}})}`,
which needs the segment length :math:`T_{\mathrm{seg}}` in advance (a constant eta = 1 worked on the numpy prototype the
reconstruction was first tried on, [recalled]).

The value of a pair never visited is a separate parameter, ``unvisited``: ``"cap"`` (the
default) gives it the cap ``H - h``, which is what the UCB bonus :math:`c (H - h) \sqrt{\iota / n}`
gives at n = 0 for any c > 0 (optimistic initialisation); ``"zero"`` gives it 0, the least-squares
value without data (the non-optimistic variant). On the lock (AC-T2) it is this initialisation, not
the size of the bonus at visited pairs, that drives exploration (see proofs_check.optimistic_ac and
:ref:`optimistic_ac-optimism`).

Every run reports the **expected** regret of the policy actually played in each episode,
:math:`V^*_1(s_1) - V^{\pi_t}_1(s_1)` computed exactly from the true model (not from sampled
returns), the number of critic switches, and the first episode whose policy is epsilon-optimal.

The whole episode loop (rollout, count updates, backward pass at switches, exact evaluation of
the played policy, actor update) is one Numba kernel per setting (tabular, linear) taking the
numpy Generator; :func:`rare_switching_actor_critic` with ``backend="numpy"`` runs the same
algorithm in plain numpy with the same random stream (the tests' twin and the benchmark's
reference). The exact evaluation, redone after every actor step that moved the policy, is most of a
run's cost; it sums the S A Q-values of a step side by side and reuses those of a step whose next
values have not moved in any bit since the last episode (once the actor has converged in double
precision at the later steps), with every sum taken in the same order as before, so the runs are the
same doubles as with the plain pair-by-pair loop (issue 11, 2026-12-05; ``benchmarks/bench_optimistic_ac.py``
prints the ratio of the two).

A first run
-----------
>>> from mdps.instances.random import random_finite_horizon_mdp
>>> mdp = random_finite_horizon_mdp(5, 3, 5, rng=0)
>>> run = optimistic_actor_critic(mdp, 500, rng=1, bonus_scale=0.1)
>>> run.cumulative_regret.shape, run.n_switches <= switch_bound(5, 3, 5, 500)
((500,), True)
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numba
import numpy as np

from mdps import _validation as v
from mdps.core import FiniteHorizonMDP, LinearMDP, _softmax
from mdps.data import OfflineData
from mdps.sampling import _reward, cdf, sample_episodes

__all__ = [
    "ActorCriticRun", "elliptical_radius", "epsilon_greedy_behaviour", "exploration_log_term", "greedy_policy_matrix",
    "hybrid_optimistic_actor_critic", "linear_optimistic_actor_critic", "linear_switch_bound", "low_switching_ucbvi",
    "lsvi_ucb_q_values", "non_optimistic_hybrid_actor_critic", "offline_episodes", "optimistic_actor_critic",
    "optimistic_q_values", "rare_switching_actor_critic", "switch_bound",
]

SWITCHING = ("doubling", "every_episode")
RESETS = ("switch", "never")
UNVISITED = ("cap", "zero")
#: Reset modes of the kernels; mode 2 (reset before every actor step) is reachable only through
#: the private :func:`_broken_variant` (a mutant for proofs_check, not a feature).
_RESET_MODES = {"switch": 0, "never": 1, "every_episode": 2}
BACKENDS = ("numba", "numpy")
#: A linear switch fires when some log det Lambda_h exceeds its value at the last switch by more than
#: this: log 2 plus a margin far above rounding (1e-13 here) so that exact doublings, which are common
#: with one-hot features (det = prod(ridge + n_i)), do not fire in one backend and not in the other.
LOG_DOUBLING = math.log(2.0) + 1e-9
#: Actor probabilities below this (the smallest normal double) are set to 0, see ``_mirror_step``.
_SMALLEST_NORMAL = float(np.finfo(np.float64).tiny)


@dataclass(frozen=True, eq=False)
class ActorCriticRun:
    r"""What a run of an actor-critic returns.

    The fields are set once by the run (a frozen dataclass); see :ref:`optimistic_ac-setting` for
    the regret and the tolerance :math:`\varepsilon`.

    Parameters
    ----------
    regret : float array (T,)
        Expected regret of each episode's policy, :math:`V^*_1(\rho) - V^{\pi_t}_1(\rho)` (start
        distribution :math:`\rho` averaged), computed exactly from the true model.
    cumulative_regret : float array (T,)
        ``cumsum(regret)``: :math:`\sum_{t' \le t} (V^*_1(\rho) - V^{\pi_{t'}}_1(\rho))`.
    switches : int array (T,)
        Number of critic switches (recomputations) after each episode.
    n_switches : int
        Total number of switches (the initial critic is not counted).
    first_within_epsilon : int
        First episode (1-based) whose policy was ``epsilon``-optimal; -1 if none was.
    epsilon : float
        The tolerance of ``first_within_epsilon``.
    policy : float array (H, S, A)
        The policy after the last episode.
    q_values : float array (H, S, A)
        The last critic.
    """

    regret: np.ndarray
    cumulative_regret: np.ndarray
    switches: np.ndarray
    n_switches: int
    first_within_epsilon: int
    epsilon: float
    policy: np.ndarray
    q_values: np.ndarray


# --------------------------------------------------------------------------------------------
# Small pure functions
# --------------------------------------------------------------------------------------------

def switch_bound(n_states: int, n_actions: int, horizon: int, n_episodes: int) -> float:
    r"""Upper bound ``S A H (log2 T + 1)`` on the number of count-doubling switches in T episodes.

    .. math::

        \#\text{switches}(T) \le S A H (\log_2 T + 1).

    Each (h, s, a) fires at counts :math:`1, 2, 4, \dots, 2^{\lfloor \log_2 T \rfloor}`, i.e. at
    most :math:`\log_2 T + 1` times, and a switch needs at least one firing (online episodes only;
    offline counts only delay them). Derivation: :ref:`optimistic_ac-switch-bounds`.

    Parameters
    ----------
    n_states, n_actions, horizon : int
        S, A, H (positive).
    n_episodes : int
        T, the number of online episodes (positive).

    Returns
    -------
    float
        ``S A H (log2 T + 1)``.

    Examples
    --------
    >>> switch_bound(5, 3, 5, 1024)
    825.0
    """
    pairs = (v.positive_int("n_states", n_states) * v.positive_int("n_actions", n_actions)
             * v.positive_int("horizon", horizon))
    return pairs * (math.log2(v.positive_int("n_episodes", n_episodes)) + 1.0)


def linear_switch_bound(dim: int, horizon: int, n_episodes: int, ridge: float = 1.0) -> float:
    r"""Upper bound ``H d log2(1 + T / (d ridge))`` on the determinant-doubling switches in T online episodes.

    .. math::

        \#\text{switches}(T) \le H d \log_2\Big(1 + \frac{T}{d \lambda}\Big),
        \qquad \lambda = \texttt{ridge}.

    A switch needs some :math:`\log\det\Lambda_h` to have grown by more than :math:`\log 2` since
    the last switch, and these growths are disjoint for each h, so the switches number at most
    :math:`\sum_h (\log\det\Lambda_h(T) - \log\det\Lambda_h(0)) / \log 2`. With
    :math:`\|\phi\| \le 1`,
    :math:`\det\Lambda_h(T) \le (\mathrm{tr}\,\Lambda_h(T) / d)^d \le (\lambda + T / d)^d` and
    :math:`\det\Lambda_h(0) = \lambda^d` (no offline data). Derivation:
    :ref:`optimistic_ac-switch-bounds`.

    Parameters
    ----------
    dim, horizon, n_episodes : int
        d, H and T (positive).
    ridge : float
        The ridge :math:`\lambda` of :math:`\Lambda_h = \lambda I + \sum \phi \phi^\top` (positive).

    Returns
    -------
    float
        :math:`H d \log_2(1 + T / (d \lambda))`.

    Examples
    --------
    >>> linear_switch_bound(5, 5, 5 * 1023)
    250.0
    """
    d, H = v.positive_int("dim", dim), v.positive_int("horizon", horizon)
    T = v.positive_int("n_episodes", n_episodes)
    return H * d * math.log2(1.0 + T / (d * v.positive_float("ridge", ridge)))


def exploration_log_term(n_states: int, n_actions: int, horizon: int, n_episodes: int, delta: float) -> float:
    r"""The log factor ``iota = log(S A H T / delta)`` of the tabular UCB bonus ``c (H - h) sqrt(iota / n)``.

    .. math::

        \iota = \log\frac{S A H T}{\delta}, \qquad
        b_h(s, a) = c\,(H - h)\sqrt{\iota / n_h(s, a)}.

    With :math:`c \ge 1/\sqrt 2` the bonus makes the critic dominate :math:`Q^*` with probability
    at least :math:`1 - \delta` (Hoeffding and a union bound, :ref:`optimistic_ac-optimism`).

    Parameters
    ----------
    n_states, n_actions, horizon, n_episodes : int
        S, A, H and T (positive).
    delta : float in (0, 1)
        Failure probability of the union bound over (h, s, a, episode).

    Returns
    -------
    float
        :math:`\iota` (dimensionless).

    Examples
    --------
    >>> round(exploration_log_term(2, 2, 2, 10, 0.1), 4)  # log(800)
    6.6846
    """
    size = (v.positive_int("n_states", n_states) * v.positive_int("n_actions", n_actions)
            * v.positive_int("horizon", horizon) * v.positive_int("n_episodes", n_episodes))
    return math.log(size / v.probability("delta", delta))


def elliptical_radius(dim: int, horizon: int, n_episodes: int, delta: float, bonus_scale: float) -> float:
    r"""The LSVI-UCB radius ``beta = c d H sqrt(log(d H T / delta))`` (Jin et al. 2020), c = ``bonus_scale``.

    .. math::

        \beta = c\, d\, H \sqrt{\log(d H T / \delta)},

    the radius of the elliptical bonus :math:`\beta \|\phi(s, a)\|_{\Lambda_h^{-1}}` of the linear
    critic (:ref:`optimistic_ac-linear-algorithm`; the form and c of order 1 are [recalled]).

    Parameters
    ----------
    dim, horizon, n_episodes : int
        d (feature dimension), H and T (positive).
    delta : float in (0, 1)
        Failure probability.
    bonus_scale : float
        c >= 0; the theory's constant is c of order 1, 0 removes the bonus.

    Returns
    -------
    float
        :math:`\beta`, in units of value (the bonus is :math:`\beta \|\phi(s, a)\|_{\Lambda_h^{-1}}`).

    Examples
    --------
    >>> round(elliptical_radius(5, 5, 100, 0.1, 2.0), 3)  # 2 * 25 * sqrt(log(25000))
    159.112
    """
    c = _bonus("bonus_scale", bonus_scale, allow_negative=False)
    log_term = math.log(v.positive_int("dim", dim) * v.positive_int("horizon", horizon)
                        * v.positive_int("n_episodes", n_episodes) / v.probability("delta", delta))
    return c * dim * horizon * math.sqrt(log_term)


def _bonus(name, value, *, allow_negative: bool) -> float:
    x = v.real_number(name, value, "a finite number >= 0")
    if not np.isfinite(x) or (x < 0 and not allow_negative):
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return x


def greedy_policy_matrix(q_values: np.ndarray) -> np.ndarray:
    r"""One-hot argmax (lowest index among ties) of ``q_values`` along the last axis.

    The greedy policy :math:`\pi_Q(a \mid s) = \mathbb 1[a = \min \arg\max_{a'} Q(s, a')]`.

    Parameters
    ----------
    q_values : float array (..., A)
        Action values, e.g. (H, S, A); no NaN, non-empty last axis.

    Returns
    -------
    float array
        Same shape as ``q_values``: 1 at the first maximiser of each row, 0 elsewhere.

    Raises
    ------
    ValueError
        For a scalar, an empty last axis or a NaN.

    Examples
    --------
    >>> greedy_policy_matrix([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    array([[0., 1., 0.],
           [1., 0., 0.]])
    """
    q_values = np.asarray(v.real_array("q_values", q_values), dtype=float)
    if q_values.ndim == 0 or q_values.shape[-1] == 0 or np.any(np.isnan(q_values)):
        raise ValueError(f"q_values: expected an array without NaN with a non-empty last axis, got shape "
                         f"{q_values.shape}")
    out = np.zeros_like(q_values)
    np.put_along_axis(out, np.argmax(q_values, axis=-1)[..., None], 1.0, axis=-1)
    return out


def epsilon_greedy_behaviour(mdp, epsilon: float) -> np.ndarray:
    r"""``(1 - epsilon) pi* + epsilon Uniform(A)``, shape (H, S, A): a behaviour policy whose
    quality (and hence the offline data's concentrability c*_off) is set by ``epsilon``.

    .. math::

        \pi_b = (1 - \epsilon)\, \pi^* + \epsilon\, \mathrm{Unif}(\mathcal A),

    with :math:`\pi^*` the greedy policy of the exact :math:`Q^*` (lowest index among ties). On
    the lock, :math:`c^*_{\mathrm{off}} = (1 - \epsilon + \epsilon / A)^{-H}`
    (:ref:`optimistic_ac-instances`).

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP (a LinearMDP through its tabular form); its :math:`Q^*` is solved exactly.
    epsilon : float in [0, 1]
        Weight of the uniform policy: 0 gives :math:`\pi^*`, 1 the uniform policy.

    Returns
    -------
    float array (H, S, A)
        The behaviour policy, rows summing to 1.

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> behaviour = epsilon_greedy_behaviour(finite_horizon_lock(3, 2, rng=0), 0.5)
    >>> behaviour.shape, float(behaviour[0, 0].max())
    ((3, 2, 2), 0.75)
    """
    tab = _tabular(mdp)
    eps = v.probability("epsilon", epsilon, open_low=False, open_high=False)
    A = tab.n_actions
    star = greedy_policy_matrix(tab.optimal_q)
    return (1.0 - eps) * star + eps / A


def optimistic_q_values(counts, reward_sums, transition_counts, bonus_scale: float, log_term: float,
                        unvisited_cap: bool = True, horizon_factor: bool = True) -> np.ndarray:
    r"""The tabular critic: backward pass with the optimality target and a UCB bonus (numpy).

    For :math:`h = H-1, \dots, 0` and visited pairs (:math:`n = n_h(s, a) \ge 1`):

    .. math::

        Q_h(s, a) = \mathrm{clip}_{[0,\, H-h]}\Big(\hat r_h(s, a)
        + \hat P_h(\cdot \mid s, a)^\top V_{h+1} + c\,(H - h)\sqrt{\iota / n}\Big),
        \qquad V_h(s) = \max_a Q_h(s, a),

    with :math:`\hat r = \text{reward\_sums} / n` and
    :math:`\hat P = \text{transition\_counts} / n`; unvisited pairs get :math:`H - h`
    (``unvisited_cap``) or 0. Steps are 0-based, so ``H - h`` is the number of steps left. See
    :ref:`optimistic_ac-tabular-algorithm`.

    Parameters
    ----------
    counts : int array (H, S, A)
        Visit counts :math:`n_h(s, a)` (non-negative integers).
    reward_sums : float array (H, S, A)
        Sums of the observed rewards at each (h, s, a).
    transition_counts : int array (H, S, A, S)
        Counts of each next state; their sums over the last axis must equal ``counts``.
    bonus_scale : float
        c, the scale of the bonus (a negative one is a pessimistic mutant's).
    log_term : float
        :math:`\iota \ge 0` (see :func:`exploration_log_term`).
    unvisited_cap : bool
        True: unvisited pairs are valued :math:`H - h` (optimistic initialisation); False: 0.
    horizon_factor : bool
        False drops the bonus's :math:`H - h` factor (a mutant's bonus :math:`c \sqrt{\iota / n}`).

    Returns
    -------
    float array (H, S, A)
        The critic :math:`Q`.

    Raises
    ------
    ValueError
        For counts that are negative or not integers, transition counts that do not sum to the
        counts, non-finite reward sums, a non-finite ``bonus_scale``, a negative or non-finite
        ``log_term``, and flags that are not booleans.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[[2, 0]]])            # H = 1, S = 1, A = 2; action 1 never tried
    >>> sums = np.array([[[1.0, 0.0]]])
    >>> trans = np.array([[[[2], [0]]]])
    >>> optimistic_q_values(counts, sums, trans, 0.0, 1.0)
    array([[[0.5, 1. ]]])
    >>> optimistic_q_values(counts, sums, trans, 0.0, 1.0, unvisited_cap=False)
    array([[[0.5, 0. ]]])
    """
    counts = _count_array("counts", counts, 3)
    H, S, A = counts.shape
    sums = v.float_array("reward_sums", reward_sums, shape=(H, S, A), like="counts")
    trans = _check_transition_counts(transition_counts, counts)
    bonus_scale = _bonus("bonus_scale", bonus_scale, allow_negative=True)  # negative: a pessimistic mutant
    log_term = v.nonnegative_float("log_term", log_term)
    _check_flag("unvisited_cap", unvisited_cap)
    _check_flag("horizon_factor", horizon_factor)
    return _optimistic_q_values(counts, sums, trans, bonus_scale, log_term, bool(unvisited_cap),
                                bool(horizon_factor))


def _check_flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}")


def _count_array(name, value, ndim):
    """Non-negative integer counts of at most :data:`mdps._validation.MAX_COUNT`."""
    n = v.int_array(name, value, ndim=ndim)
    if n.size and n.max() > v.MAX_COUNT:
        raise ValueError(f"{name}: expected counts of at most {v.MAX_COUNT}, got {n.max()}")
    return n


def _check_transition_counts(transition_counts, counts):
    """Non-negative integer counts (H, S, A, S) whose sums over s' are ``counts``."""
    trans = _count_array("transition_counts", transition_counts, 4)
    H, S, A = counts.shape
    if trans.shape != (H, S, A, S):
        raise ValueError(f"transition_counts: expected shape {(H, S, A, S)} (from counts), got {trans.shape}")
    if np.any(trans.sum(axis=-1) != counts):
        raise ValueError("transition_counts: expected sums over the next state equal to counts, got a mismatch")
    return trans


def _optimistic_q_values(counts, reward_sums, transition_counts, bonus_scale, log_term, unvisited_cap=True,
                         horizon_factor=True):
    """Unvalidated :func:`optimistic_q_values` (the numpy twin's per-episode critic)."""
    H, S, A = counts.shape
    Q = np.empty((H, S, A))
    V = np.zeros(S)
    for h in range(H - 1, -1, -1):
        left = H - h
        n = counts[h]
        safe = np.maximum(n, 1)
        scale = left if horizon_factor else 1.0
        q = (reward_sums[h] + transition_counts[h] @ V) / safe + bonus_scale * scale * np.sqrt(log_term / safe)
        q = np.minimum(np.maximum(q, 0.0), left)
        Q[h] = np.where(n > 0, q, left if unvisited_cap else 0.0)
        V = Q[h].max(axis=1)
    return Q


def lsvi_ucb_q_values(features, gram, reward_sums, transition_counts, radius: float) -> np.ndarray:
    r"""The linear critic: LSVI-UCB backward pass (numpy).

    For :math:`h = H-1, \dots, 0`:

    .. math::

        w_h = \Lambda_h^{-1} \sum_\tau \phi(s^\tau_h, a^\tau_h)\big(r^\tau_h + V_{h+1}(s^\tau_{h+1})\big),
        \qquad
        Q_h(s, a) = \min\Big\{H - h,\; w_h^\top \phi(s, a) + \beta \|\phi(s, a)\|_{\Lambda_h^{-1}}\Big\},

    :math:`V_h = \max_a Q_h`, with the data entering through per-pair sums (for a finite state
    space the same estimator as the sum over tuples). See :ref:`optimistic_ac-linear-algorithm`.

    Parameters
    ----------
    features : float array (S, A, d)
        :math:`\phi(s, a)`.
    gram : float array (H, d, d)
        :math:`\Lambda_h = \lambda I + \sum \phi \phi^\top`, symmetric positive definite.
    reward_sums : float array (H, S, A)
        Sums of the observed rewards at each (h, s, a).
    transition_counts : int array (H, S, A, S)
        Counts of each observed (h, s, a, s').
    radius : float
        :math:`\beta \ge 0` (see :func:`elliptical_radius`).

    Returns
    -------
    float array (H, S, A)
        The critic :math:`Q`.

    Raises
    ------
    ValueError
        For non-finite or misshapen arrays, negative transition counts, a ``gram`` matrix that is
        not symmetric positive definite (singular), and a negative ``radius``.

    Examples
    --------
    >>> import numpy as np
    >>> features = np.eye(2).reshape(1, 2, 2)    # S = 1, A = 2, one-hot features, d = 2
    >>> gram = np.eye(2)[None]                   # H = 1, no data yet
    >>> lsvi_ucb_q_values(features, gram, np.zeros((1, 1, 2)), np.zeros((1, 1, 2, 1), int), 0.5)
    array([[[0.5, 0.5]]])
    """
    features = v.float_array("features", features, ndim=3)
    S, A, d = features.shape
    gram = v.float_array("gram", gram, shape=(None, d, d), like="features")
    H = gram.shape[0]
    if H == 0 or d == 0:
        raise ValueError(f"gram, features: expected at least one step and one feature, got gram of shape {gram.shape}")
    if not np.allclose(gram, np.swapaxes(gram, 1, 2), rtol=1e-10, atol=0.0):
        raise ValueError("gram: expected symmetric matrices, got an asymmetric one")
    try:
        np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:
        raise ValueError("gram: expected positive definite matrices (ridge I + sum phi phi^T), got a singular "
                         "or indefinite one") from None
    sums = v.float_array("reward_sums", reward_sums, shape=(H, S, A), like="gram, features")
    trans = _count_array("transition_counts", transition_counts, 4)
    if trans.shape != (H, S, A, S):
        raise ValueError(f"transition_counts: expected shape {(H, S, A, S)} (from gram, features), got {trans.shape}")
    radius = v.nonnegative_float("radius", radius)
    return _lsvi_ucb_q_values(features, gram, sums, trans, radius)


def _lsvi_ucb_q_values(features, gram, reward_sums, transition_counts, radius):
    """Unvalidated :func:`lsvi_ucb_q_values` (the numpy twin's per-episode critic)."""
    H = gram.shape[0]
    S, A, d = features.shape
    Q = np.empty((H, S, A))
    V = np.zeros(S)
    for h in range(H - 1, -1, -1):
        inv = np.linalg.inv(gram[h])
        targets = reward_sums[h] + transition_counts[h] @ V  # (S, A)
        w = inv @ np.einsum("sad,sa->d", features, targets)
        width = np.sqrt(np.maximum(np.einsum("sad,de,sae->sa", features, inv, features), 0.0))
        Q[h] = np.minimum(features @ w + radius * width, H - h)
        V = Q[h].max(axis=1)
    return Q


# --------------------------------------------------------------------------------------------
# Numba kernels
# --------------------------------------------------------------------------------------------

@numba.njit(cache=True)
def _greedy_policy(Q, pi):
    """pi = the greedy policy of Q (first maximiser)."""
    H, S, A = Q.shape
    for h in range(H):
        for s in range(S):
            best = 0
            for a in range(1, A):
                if Q[h, s, a] > Q[h, s, best]:
                    best = a
            for a in range(A):
                pi[h, s, a] = 1.0 if a == best else 0.0


@numba.njit(cache=True)
def _actor_weights(Q, eta, weights, flat_rows):
    """weights = exp(eta (Q - max_a Q)), the factor of one mirror-descent step; computed once per
    critic (Q is fixed between switches), so the actor's steps spend no ``exp``. ``flat_rows[h, s]``:
    whether every weight of the row is 1 (a step leaves any policy there as it is)."""
    H, S, A = Q.shape
    for h in range(H):
        for s in range(S):
            m = Q[h, s, 0]
            for a in range(1, A):
                m = max(m, Q[h, s, a])
            flat = True
            for a in range(A):
                weights[h, s, a] = math.exp(eta * (Q[h, s, a] - m))
                flat = flat and weights[h, s, a] == 1.0
            flat_rows[h, s] = flat


@numba.njit(cache=True)
def _softmax_rows(logits, pi):
    """pi = softmax(logits) per row (the actor of reset mode 1, which never resets)."""
    H, S, A = logits.shape
    for h in range(H):
        for s in range(S):
            m = logits[h, s, 0]
            for a in range(1, A):
                m = max(m, logits[h, s, a])
            total = 0.0
            for a in range(A):
                pi[h, s, a] = math.exp(logits[h, s, a] - m)
                total += pi[h, s, a]
            for a in range(A):
                pi[h, s, a] /= total


@numba.njit(cache=True)
def _mirror_step(pi, weights, flat_rows):
    """One actor step ``pi <- pi * weights / Z`` per row; returns whether ``pi`` changed.

    Used after a reset to uniform (reset modes 0 and 2), when the critic has been fixed since the
    reset: then every row's best action has weight 1 and keeps the largest probability, and the
    result equals ``softmax(eta n Q)`` up to rounding (and the flush below). Mode 1 never resets and
    its critic changes under it, so an action driven to 0 by an earlier critic could never come
    back, and a row could empty: that mode keeps logits (:func:`_softmax_rows`) instead.
    A row whose positive entries all have weight 1 (they tie at max Q) is left as it is: the step
    is the identity there, and skipping it saves renormalising a 1 that rounding can make 1 -/+ ulp.
    Entries that fall below the smallest normal double (2.2e-308) become 0, because arithmetic on
    subnormals is ~100x slower and they carry no probability that shows in a regret.
    Two shortcuts that leave every bit as it was: a row whose weights are all 1 (``flat_rows``, from
    :func:`_actor_weights`) is skipped without looking at ``pi``, and a row whose sum is exactly 1 is not
    divided by it (the actor has converged in double precision there; x / 1.0 is x)."""
    H, S, A = pi.shape
    changed = False
    for h in range(H):
        for s in range(S):
            if flat_rows[h, s]:
                continue
            identity = True
            for a in range(A):
                if pi[h, s, a] > 0.0 and weights[h, s, a] != 1.0:
                    identity = False
                    break
            if identity:
                continue
            changed = True
            total = 0.0
            for a in range(A):
                p = pi[h, s, a] * weights[h, s, a]
                if p < _SMALLEST_NORMAL:
                    p = 0.0
                pi[h, s, a] = p
                total += p
            if total != 1.0:
                for a in range(A):
                    pi[h, s, a] /= total
    return changed


@numba.njit(cache=True)
def _model_by_next_state(P, R):
    """``(P_by_next, R_flat)``: ``P_by_next[h, t, s A + a] = P[h, s, a, t]`` and ``R_flat[h, s A + a] =
    R[h, s, a]``, the layout of :func:`_policy_return` (copied once per run)."""
    H, S, A = R.shape
    P_by_next = np.empty((H, S, S * A))
    R_flat = np.empty((H, S * A))
    for h in range(H):
        for s in range(S):
            for a in range(A):
                R_flat[h, s * A + a] = R[h, s, a]
                for t in range(S):
                    P_by_next[h, t, s * A + a] = P[h, s, a, t]
    return P_by_next, R_flat


@numba.njit(cache=True)
def _policy_return(P_by_next, R_flat, pi, initial, V, q, fresh):
    """J(pi) = initial . V^pi_0 by exact backward induction, reusing what the previous call left.

    ``V`` (H + 1, S) and ``q`` (H, S A) keep the values V^pi_h and the Q-values Q^pi_h of the last call
    (``fresh=True`` on the first call of a run: nothing to reuse). Q^pi_h = R_h + P_h V_{h+1} is recomputed
    only when V_{h+1} differs, in some bit, from the last call's: once the actor has converged in double
    precision at the later steps (the non-greedy probabilities too small to move a sum), the policy still
    changes but those values do not, and a call costs S A operations per step instead of S^2 A. The model
    comes laid out by next state (:func:`_model_by_next_state`) so that the S A sums of a step advance side by
    side, one vectorised pass per next state, instead of one dependent chain after the other. Each sum is
    still taken in the order t = 0, 1, ..., S - 1 from R_h(s, a), and V_h(s) = sum over a of pi q in the
    order a = 0, 1, ... over the actions with pi > 0; a Q-value that is reused is the one the same inputs
    gave. So J(pi) is the same double, bit for bit, as the plain pair-by-pair loop (the tests compare them;
    ``benchmarks/bench_optimistic_ac.py`` times them)."""
    H, S, A = pi.shape
    SA = S * A
    stale = fresh
    if fresh:
        for s in range(S):
            V[H, s] = 0.0
    for h in range(H - 1, -1, -1):
        if stale:
            for k in range(SA):
                q[h, k] = R_flat[h, k]
            for t in range(S):
                v = V[h + 1, t]
                for k in range(SA):
                    q[h, k] += P_by_next[h, t, k] * v
        stale = fresh
        for s in range(S):
            total = 0.0
            for a in range(A):
                p = pi[h, s, a]
                if p > 0.0:
                    total += p * q[h, s * A + a]
            # A change in any bit (0.0 against -0.0 too) makes the Q-values of step h - 1 stale.
            if total != V[h, s] or math.copysign(1.0, total) != math.copysign(1.0, V[h, s]):
                stale = True
            V[h, s] = total
    out = 0.0
    for s in range(S):
        out += initial[s] * V[0, s]
    return out


@numba.njit(cache=True)
def _draw_cdf(cdf_row, u):
    """``mdps.sampling._draw`` without branches: the smallest i with u < cdf_row[i] is the number of entries
    below it at or under u (the row is non-decreasing and ends at 1.0 > u), so the same index; a binary
    search's branches go each way at random, and the rows here are short."""
    count = 0
    for i in range(cdf_row.shape[0] - 1):
        count += cdf_row[i] <= u
    return count


@numba.njit(cache=True)
def _draw_probs(row, u):
    # Smallest a with u < cumsum(row)[a]; the last action with positive mass if rounding leaves u above.
    c = 0.0
    last = 0
    for a in range(row.shape[0]):
        if row[a] > 0.0:
            last = a
        c += row[a]
        if u < c:
            return a
    return last


@numba.njit(cache=True)
def _tabular_critic(counts, reward_sums, trans, bonus_scale, log_term, unvisited_cap, bonus_horizon, Q):
    H, S, A = counts.shape
    V = np.zeros(S)
    Vn = np.empty(S)
    for h in range(H - 1, -1, -1):
        left = float(H - h)
        for s in range(S):
            best = -1.0
            for a in range(A):
                n = counts[h, s, a]
                if n == 0:
                    q = left if unvisited_cap else 0.0
                else:
                    nxt = 0.0
                    for t in range(S):
                        nxt += trans[h, s, a, t] * V[t]
                    scale = left if bonus_horizon else 1.0
                    q = (reward_sums[h, s, a] + nxt) / n + bonus_scale * scale * math.sqrt(log_term / n)
                    q = min(max(q, 0.0), left)
                Q[h, s, a] = q
                best = max(best, q)
            Vn[s] = best
        for s in range(S):
            V[s] = Vn[s]


@numba.njit(cache=True)
def _cholesky_inverse(M, inv):
    """inv = M^-1 and log det M for a symmetric positive-definite M (small d)."""
    d = M.shape[0]
    L = np.zeros((d, d))
    logdet = 0.0
    for i in range(d):
        for j in range(i + 1):
            s = M[i, j]
            for k in range(j):
                s -= L[i, k] * L[j, k]
            if i == j:
                L[i, i] = math.sqrt(s)
                logdet += 2.0 * math.log(L[i, i])
            else:
                L[i, j] = s / L[j, j]
    # inv = L^-T L^-1, column by column.
    Linv = np.zeros((d, d))
    for c in range(d):
        for i in range(c, d):
            s = 1.0 if i == c else 0.0
            for k in range(c, i):
                s -= L[i, k] * Linv[k, c]
            Linv[i, c] = s / L[i, i]
    for i in range(d):
        for j in range(d):
            s = 0.0
            for k in range(max(i, j), d):
                s += Linv[k, i] * Linv[k, j]
            inv[i, j] = s
    return logdet


@numba.njit(cache=True)
def _linear_critic(features, gram, reward_sums, trans, radius, Q):
    H = gram.shape[0]
    S, A, d = features.shape
    V = np.zeros(S)
    inv = np.empty((d, d))
    b = np.empty(d)
    w = np.empty(d)
    for h in range(H - 1, -1, -1):
        _cholesky_inverse(gram[h], inv)
        b[:] = 0.0
        for s in range(S):
            for a in range(A):
                target = reward_sums[h, s, a]
                for t in range(S):
                    target += trans[h, s, a, t] * V[t]
                if target != 0.0:
                    for i in range(d):
                        b[i] += features[s, a, i] * target
        for i in range(d):
            acc = 0.0
            for j in range(d):
                acc += inv[i, j] * b[j]
            w[i] = acc
        left = float(H - h)
        for s in range(S):
            best = -np.inf
            for a in range(A):
                mean = 0.0
                width = 0.0
                for i in range(d):
                    mean += features[s, a, i] * w[i]
                    acc = 0.0
                    for j in range(d):
                        acc += inv[i, j] * features[s, a, j]
                    width += features[s, a, i] * acc
                q = min(mean + radius * math.sqrt(max(width, 0.0)), left)
                Q[h, s, a] = q
                best = max(best, q)
            V[s] = best


@numba.njit(cache=True)
def _actor_critic_kernel(P_cdf, P, R, initial_cdf, initial, optimal_return, features, counts, reward_sums,
                         trans, gram, linear, n_episodes, bonus_scale, log_term, unvisited_cap, radius, eta,
                         greedy, switch_period, reset_mode, epsilon, gaussian, std, bonus_horizon, growth, rng):
    """The whole run. ``linear`` selects the LSVI-UCB critic and determinant doubling; otherwise
    the tabular UCB critic and count doubling. ``counts``, ``reward_sums``, ``trans``, ``gram``
    arrive preloaded (offline data) and are updated in place. reset_mode: 0 at switches,
    1 never, 2 every episode. switch_period: 0 the doubling rule, k >= 1 a switch after every
    k-th episode instead. growth: the doubling factor (2; other values only from
    :func:`_broken_variant`): a count reaching ``growth`` times its count at its last firing
    (tabular), ``det Lambda_h`` growing by more than ``growth`` (linear). bonus_horizon: the
    tabular bonus carries its (H - h) factor."""
    H, S, A = R.shape
    d = features.shape[2]
    Q = np.empty((H, S, A))
    pi = np.empty((H, S, A))
    weights = np.empty((H, S, A))
    flat_rows = np.zeros((H, S), np.bool_)
    logits = np.zeros((H, S, A))  # reset mode 1 only
    Vscratch = np.empty((H + 1, S))
    P_by_next, R_flat = _model_by_next_state(P, R)
    q_scratch = np.empty((H, S * A))
    fresh = True
    logdet_ref = np.zeros(H)
    log_growth = LOG_DOUBLING if growth == 2.0 else math.log(growth) + 1e-9
    # Tabular firing thresholds for growth != 2 (growth == 2 keeps the power-of-2 test exactly).
    next_fire = np.ones((H, S, A), np.int64)
    # log det Lambda_h and Lambda_h^-1 kept current by rank-one updates (matrix determinant lemma,
    # Sherman-Morrison: O(d^2) per step instead of a Cholesky per step and episode); both are
    # recomputed exactly at every switch so rounding cannot accumulate across segments.
    logdet_now = np.zeros(H)
    gram_inv = np.zeros((H, d, d))
    u = np.empty(d)
    regret = np.empty(n_episodes)
    switches = np.empty(n_episodes, np.int64)
    if linear:
        _linear_critic(features, gram, reward_sums, trans, radius, Q)
        for h in range(H):
            logdet_ref[h] = _cholesky_inverse(gram[h], gram_inv[h])
            logdet_now[h] = logdet_ref[h]
    else:
        _tabular_critic(counts, reward_sums, trans, bonus_scale, log_term, unvisited_cap, bonus_horizon, Q)
    if greedy:
        _greedy_policy(Q, pi)
    else:
        pi[:] = 1.0 / A
        _actor_weights(Q, eta, weights, flat_rows)
    n_switch = 0
    first = -1
    # The exact evaluation of pi (O(H S^2 A)) is the costliest part of an episode; it is redone
    # only when pi changed (a switch, or an actor step that was not the identity).
    changed = True
    regret_now = 0.0
    for t in range(n_episodes):
        if changed:
            regret_now = optimal_return - _policy_return(P_by_next, R_flat, pi, initial, Vscratch, q_scratch,
                                                         fresh)
            fresh = False
            changed = False
        regret[t] = regret_now
        if first < 0 and regret[t] <= epsilon:
            first = t + 1
        switch = switch_period > 0 and (t + 1) % switch_period == 0
        s = _draw_cdf(initial_cdf, rng.random())
        for h in range(H):
            a = _draw_probs(pi[h, s], rng.random())
            s_next = _draw_cdf(P_cdf[h, s, a], rng.random())
            r = _reward(R[h, s, a], gaussian, std, rng)
            counts[h, s, a] += 1
            reward_sums[h, s, a] += r
            trans[h, s, a, s_next] += 1
            n = counts[h, s, a]
            if linear:
                quad = 0.0
                for i in range(d):
                    acc = 0.0
                    for j in range(d):
                        gram[h, i, j] += features[s, a, i] * features[s, a, j]
                        acc += gram_inv[h, i, j] * features[s, a, j]
                    u[i] = acc
                    quad += features[s, a, i] * acc
                logdet_now[h] += math.log1p(quad)
                for i in range(d):
                    for j in range(d):
                        gram_inv[h, i, j] -= u[i] * u[j] / (1.0 + quad)
            elif switch_period > 0:
                pass
            elif growth == 2.0:
                if n & (n - 1) == 0:
                    switch = True
            elif n >= next_fire[h, s, a]:
                switch = True
                next_fire[h, s, a] = max(n + 1, math.ceil(growth * n))
            s = s_next
        if linear and not switch and switch_period == 0:
            for h in range(H):
                if logdet_now[h] > logdet_ref[h] + log_growth:
                    switch = True
                    break
        if switch:
            n_switch += 1
            if linear:
                _linear_critic(features, gram, reward_sums, trans, radius, Q)
                for h in range(H):
                    logdet_ref[h] = _cholesky_inverse(gram[h], gram_inv[h])
                    logdet_now[h] = logdet_ref[h]
            else:
                _tabular_critic(counts, reward_sums, trans, bonus_scale, log_term, unvisited_cap, bonus_horizon, Q)
            changed = True
            if greedy:
                _greedy_policy(Q, pi)
            else:
                _actor_weights(Q, eta, weights, flat_rows)
                if reset_mode == 0:
                    pi[:] = 1.0 / A
        if not greedy:
            if reset_mode == 1:
                for h in range(H):
                    for s2 in range(S):
                        for a2 in range(A):
                            logits[h, s2, a2] += eta * Q[h, s2, a2]
                _softmax_rows(logits, pi)
                changed = True
            elif reset_mode == 2:
                # Reset then one step: softmax(eta Q), the same policy until Q changes.
                if switch or t == 0:
                    pi[:] = 1.0 / A
                    _mirror_step(pi, weights, flat_rows)
                    changed = True
            elif _mirror_step(pi, weights, flat_rows):
                changed = True
        switches[t] = n_switch
    return regret, switches, n_switch, first, pi, Q


# --------------------------------------------------------------------------------------------
# The plain numpy twin (same algorithm, same random stream)
# --------------------------------------------------------------------------------------------
# The twin is written the textbook way, softmax(logits) recomputed and evaluated every episode, so
# that it also checks the kernel's shortcuts (multiplicative actor steps, skipped re-evaluations).

def _numpy_run(P_cdf, P, R, initial_cdf, initial, optimal_return, features, counts, reward_sums, trans,
               gram, linear, n_episodes, bonus_scale, log_term, unvisited_cap, radius, eta, greedy,
               switch_period, reset_mode, epsilon, gaussian, std, bonus_horizon, growth, rng):
    H, S, A = R.shape
    log_growth = LOG_DOUBLING if growth == 2.0 else math.log(growth) + 1e-9
    next_fire = np.ones((H, S, A), np.int64)

    def critic():
        if linear:
            return _lsvi_ucb_q_values(features, gram, reward_sums, trans, radius)
        return _optimistic_q_values(counts, reward_sums, trans, bonus_scale, log_term, unvisited_cap,
                                    horizon_factor=bonus_horizon)

    def logdets():
        return np.linalg.slogdet(gram)[1]

    Q = critic()
    logdet_ref = logdets() if linear else None
    logits = np.zeros((H, S, A))
    regret = np.empty(n_episodes)
    switches = np.empty(n_episodes, np.int64)
    n_switch, first = 0, -1
    for t in range(n_episodes):
        pi = greedy_policy_matrix(Q) if greedy else _softmax(logits)
        V = np.zeros(S)
        for h in range(H - 1, -1, -1):
            V = np.einsum("sa,sa->s", pi[h], R[h] + P[h] @ V)
        regret[t] = optimal_return - initial @ V
        if first < 0 and regret[t] <= epsilon:
            first = t + 1
        switch = switch_period > 0 and (t + 1) % switch_period == 0
        s = int(np.searchsorted(initial_cdf, rng.random(), side="right"))
        for h in range(H):
            row = pi[h, s]
            u = rng.random()
            a = int(np.searchsorted(np.cumsum(row), u, side="right"))
            if a >= A:
                a = int(np.flatnonzero(row > 0)[-1])
            s_next = int(np.searchsorted(P_cdf[h, s, a], rng.random(), side="right"))
            if gaussian:
                r = R[h, s, a] + std * rng.standard_normal()
            else:
                r = 1.0 if rng.random() < R[h, s, a] else 0.0
            counts[h, s, a] += 1
            reward_sums[h, s, a] += r
            trans[h, s, a, s_next] += 1
            n = counts[h, s, a]
            if linear:
                gram[h] += np.outer(features[s, a], features[s, a])
            elif switch_period > 0:
                pass
            elif growth == 2.0:
                switch = switch or n & (n - 1) == 0
            elif n >= next_fire[h, s, a]:
                switch = True
                next_fire[h, s, a] = max(n + 1, math.ceil(growth * n))
            s = s_next
        if linear and not switch and switch_period == 0:
            switch = bool(np.any(logdets() > logdet_ref + log_growth))
        if switch:
            n_switch += 1
            Q = critic()
            if linear:
                logdet_ref = logdets()
            if reset_mode == 0:
                logits[:] = 0.0
        if reset_mode == 2:
            logits[:] = 0.0
        if not greedy:
            logits += eta * Q
        switches[t] = n_switch
    pi = greedy_policy_matrix(Q) if greedy else _softmax(logits)
    return regret, switches, n_switch, first, pi, Q


# --------------------------------------------------------------------------------------------
# Public algorithms
# --------------------------------------------------------------------------------------------

def _tabular(mdp) -> FiniteHorizonMDP:
    if isinstance(mdp, LinearMDP):
        return mdp.tabular
    if not isinstance(mdp, FiniteHorizonMDP):
        raise TypeError(f"mdp: expected a FiniteHorizonMDP or LinearMDP, got {type(mdp).__name__}")
    return mdp


#: The kernels' tables of each MDP (the cdfs of P and of the start distribution, V*_1 of the start), built at its
#: first run: the MDPs are immutable, and the checks inside ``cdf`` cost more than a short run (AC-T3c runs the
#: learner ~8 times per instance).
_KERNEL_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kernel_tables(tab: FiniteHorizonMDP):
    tables = _KERNEL_TABLES.get(tab)
    if tables is None:
        tables = (cdf(tab.P), cdf(tab.initial), float(tab.initial @ tab.optimal_values[0]))
        _KERNEL_TABLES[tab] = tables
    return tables


def _offline_statistics(offline_data, tab: FiniteHorizonMDP):
    H, S, A = tab.R.shape
    counts = np.zeros((H, S, A), np.int64)
    sums = np.zeros((H, S, A))
    trans = np.zeros((H, S, A, S), np.int64)
    if offline_data is None:
        return counts, sums, trans
    if not isinstance(offline_data, OfflineData):
        raise TypeError(f"offline_data: expected an OfflineData or None, got {type(offline_data).__name__}")
    if (offline_data.horizon != H or offline_data.n_states != S or offline_data.n_actions != A
            or offline_data.s_next is None):
        raise ValueError(
            f"offline_data: expected finite-horizon tuples with next states for H={H}, S={S}, A={A}, got "
            f"horizon={offline_data.horizon}, S={offline_data.n_states}, A={offline_data.n_actions}, "
            f"next states {'missing' if offline_data.s_next is None else 'present'}")
    if tab.reward_model == "bernoulli" and offline_data.r.size:
        r = np.asarray(offline_data.r)
        if np.any((r < 0) | (r > 1)):  # the critic would clip them silently
            bad = r[(r < 0) | (r > 1)].flat[0]
            raise ValueError(f"offline_data: expected rewards in [0, 1] (the MDP's rewards are Bernoulli), got {bad!r}")
    # The bincounts of ``offline_data.statistics`` (the same numbers), without building and checking a
    # SufficientStatistics: a hybrid run is often shorter than those checks.
    flat = (offline_data.h * S + offline_data.s) * A + offline_data.a
    counts += np.bincount(flat, minlength=H * S * A).reshape(H, S, A)
    sums += np.bincount(flat, weights=offline_data.r, minlength=H * S * A).reshape(H, S, A)
    trans += np.bincount(flat * S + offline_data.s_next, minlength=H * S * A * S).reshape(H, S, A, S)
    return counts, sums, trans


def _positive_bonus(bonus_scale) -> float:
    x = v.real_number("bonus_scale", bonus_scale, "a positive bonus scale")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"bonus_scale: expected a positive bonus scale for the optimistic variant, "
                         f"got {bonus_scale!r}")
    return x


def _eta(eta) -> tuple[float, bool]:
    x = v.real_number("eta", eta, "a positive number or inf")
    if x == np.inf:
        return 0.0, True
    return v.positive_float("eta", x), False


def _run(mdp, n_episodes, rng, *, linear, bonus_scale, eta, delta, offline_data, switching, reset, epsilon,
         ridge, backend, unvisited="cap", broken=False, switch_period=None, growth=2.0, bonus_horizon=True,
         bonus_log=True) -> ActorCriticRun:
    """The shared driver. ``broken=True`` (only from :func:`_broken_variant`) admits a negative
    ``bonus_scale``, ``reset="every_episode"`` and the knobs after it: mutants for proofs_check,
    not features."""
    if not broken and (switch_period is not None or growth != 2.0 or not bonus_horizon or not bonus_log):
        raise ValueError("switch_period, growth, bonus_horizon, bonus_log: mutant knobs, only for _broken_variant")
    tab = _tabular(mdp)
    T = v.positive_int("n_episodes", n_episodes)
    v.check_allocation("n_episodes", T, 24, "episodes (regret, cumulative regret, switches)")
    bonus_scale = _bonus("bonus_scale", bonus_scale, allow_negative=broken)
    eta_value, greedy = _eta(eta)
    delta = v.probability("delta", delta)
    epsilon = v.positive_float("epsilon", epsilon)
    if switching not in SWITCHING:
        raise ValueError(f"switching: expected one of {SWITCHING}, got {switching!r}")
    if reset not in (tuple(_RESET_MODES) if broken else RESETS):
        raise ValueError(f"reset: expected one of {RESETS}, got {reset!r}")
    if unvisited not in UNVISITED:
        raise ValueError(f"unvisited: expected one of {UNVISITED}, got {unvisited!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    gen = v.as_rng(rng)
    H, S, A = tab.R.shape
    counts, sums, trans = _offline_statistics(offline_data, tab)
    if linear:
        # A writable copy: the tabular path passes a writable dummy, and a read-only array would make
        # Numba compile a second signature of the whole kernel.
        features = np.array(mdp.features, dtype=float, order="C")
        d = features.shape[2]
        ridge = v.positive_float("ridge", ridge)
        gram = ridge * np.broadcast_to(np.eye(d), (H, d, d)) + np.einsum("hsa,sai,saj->hij", counts, features, features)
        gram = np.ascontiguousarray(gram)
        radius = elliptical_radius(d, H, T, delta, abs(bonus_scale)) * np.sign(bonus_scale)
        if not bonus_horizon:
            radius /= H
        if not bonus_log:
            radius /= math.sqrt(math.log(d * H * T / delta))
        log_term = 0.0
    else:
        features = np.zeros((1, 1, 1))
        gram = np.zeros((1, 1, 1))
        radius = 0.0
        # exploration_log_term's formula, on sizes checked above (its own checks cost more than a short run).
        log_term = math.log(S * A * H * T / delta) if bonus_log else 1.0
    if switch_period is None:
        switch_period = 1 if switching == "every_episode" else 0
    switch_period = v.positive_int("switch_period", switch_period) if switch_period else 0
    growth = float(growth)
    if not (np.isfinite(growth) and growth > 1.0):
        raise ValueError(f"growth: expected a doubling factor > 1, got {growth!r}")
    P_cdf, initial_cdf, optimal_return = _kernel_tables(tab)
    args = (P_cdf, tab.P, tab.R, initial_cdf, tab.initial, optimal_return,
            features, counts, sums, trans, gram, linear, T, bonus_scale, log_term, unvisited == "cap", radius,
            eta_value, greedy, switch_period, _RESET_MODES[reset], epsilon,
            tab.reward_model == "gaussian", float(tab.reward_std), bool(bonus_horizon), growth, gen)
    runner = _actor_critic_kernel if backend == "numba" else _numpy_run
    regret, switches, n_switch, first, pi, Q = runner(*args)
    return ActorCriticRun(regret, np.cumsum(regret), switches, int(n_switch), int(first), epsilon, pi, Q)


def rare_switching_actor_critic(mdp: FiniteHorizonMDP, n_episodes: int, rng=None, *, bonus_scale: float = 1.0,
                                unvisited: str = "cap", eta: float = 1.0, delta: float = 0.1,
                                offline_data: OfflineData | None = None, switching: str = "doubling",
                                reset: str = "switch", epsilon: float = 0.1,
                                backend: str = "numba") -> ActorCriticRun:
    r"""Tabular off-policy actor-critic targeting Q*, with rare switches and policy resets.

    Reconstruction of Tan, Fan & Wei (2025) Algorithms A-C (:ref:`optimistic_ac-algorithm`,
    :ref:`optimistic_ac-tabular-algorithm`; the paper's algorithm boxes were not available).
    Each episode plays the current policy; when some count :math:`n_h(s, a)` reaches a power of 2
    the critic is recomputed by the backward pass (:func:`optimistic_q_values`)

    .. math::

        Q_h(s, a) = \mathrm{clip}_{[0,\, H-h]}\Big(\hat r_h(s, a) + \hat P_h(\cdot \mid s, a)^\top V_{h+1}
        + c\,(H - h)\sqrt{\iota / n_h(s, a)}\Big),
        \qquad \iota = \log\frac{S A H T}{\delta},

    and the policy is reset to uniform; between switches the actor takes mirror-descent steps
    :math:`\pi_h(\cdot \mid s) \leftarrow \pi_h(\cdot \mid s) \exp(\eta Q_h(s, \cdot)) / Z`,
    so that :math:`k` steps after a reset :math:`\pi_h = \mathrm{softmax}(\eta k Q_h)`.

    Departures (see the module docstring and :ref:`optimistic_ac-departures`): UCB bonus instead
    of GOLF's confidence set, count doubling as the switching rule, reset to uniform, a constant
    ``eta`` instead of the theory's :math:`\sqrt{2 \log A / (H^2 T_{\mathrm{seg}})}`, and the value
    of unvisited pairs as its own parameter.

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP (a LinearMDP is used through its tabular form). It serves as a simulator for the
        rollouts, and its exact model for the regret of the policies played.
    n_episodes : int
        T, the number of online episodes.
    rng : Generator, int seed or None
        The random stream of the rollouts (the Numba and numpy backends draw the same stream).
    bonus_scale : float >= 0
        c, the size of the bonus at visited pairs. Positive: optimistic (Algorithms A, B); 0 with
        ``unvisited="zero"``: non-optimistic (Algorithm C, plain value iteration on the empirical model).
    unvisited : {"cap", "zero"}
        Value of a pair never visited: ``"cap"`` = ``H - h``, the limit of the UCB bonus at n = 0
        (optimistic initialisation, the default); ``"zero"`` = 0, the value of a regression with
        no data. Independent of ``bonus_scale``.
    eta : float
        Actor step size; ``np.inf`` plays the critic's greedy policy (low-switching UCBVI).
    delta : float in (0, 1)
        Confidence level inside iota.
    offline_data : OfflineData, optional
        Finite-horizon tuples preloaded into the counts and estimates (hybrid variants).
    switching : {"doubling", "every_episode"}
        Count doubling (the algorithm) or a new critic after every episode (a baseline).
    reset : {"switch", "never"}
        Reset the actor to uniform at each switch (the algorithm) or never (a baseline).
    epsilon : float
        Tolerance for ``first_within_epsilon``.
    backend : {"numba", "numpy"}
        The Numba kernel, or the plain numpy twin (same random stream; slow).

    Returns
    -------
    ActorCriticRun
        Per-episode expected regret, switches, the first epsilon-optimal episode, the last policy
        and the last critic.

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> lock = finite_horizon_lock(5, 3, rng=0)
    >>> run = rare_switching_actor_critic(lock, 2000, rng=0, bonus_scale=0.1)
    >>> bool(run.first_within_epsilon > 0)
    True
    """
    return _run(mdp, n_episodes, rng, linear=False, bonus_scale=bonus_scale, eta=eta, delta=delta,
                offline_data=offline_data, switching=switching, reset=reset, epsilon=epsilon, ridge=1.0,
                backend=backend, unvisited=unvisited)


def _broken_variant(mdp, n_episodes, rng=None, *, linear=False, bonus_scale=1.0, unvisited="cap", eta=1.0,
                    delta=0.1, offline_data=None, switching="doubling", reset="switch", epsilon=0.1, ridge=1.0,
                    backend="numba", switch_period=None, growth=2.0, bonus_horizon=True,
                    bonus_log=True) -> ActorCriticRun:
    """Private: the same run, also admitting a negative ``bonus_scale`` (pessimism online),
    ``reset="every_episode"`` (the actor never accumulates) and these knobs, each a way to be wrong:

    - ``switch_period=k``: a switch after every k-th episode instead of the doubling rule
      (``switching="every_episode"`` is k = 1);
    - ``growth``: the doubling factor of the switching rule (2); a count fires when it reaches
      ``growth`` times its count at its last firing (tabular), a switch when some ``det Lambda_h``
      grew by more than ``growth`` (linear);
    - ``bonus_horizon=False``: the bonus without its horizon factor (tabular ``c sqrt(iota / n)``;
      linear radius ``c d sqrt(log(d H T / delta))``);
    - ``bonus_log=False``: the bonus without its log factor (tabular iota = 1; linear radius ``c d H``).

    Mutants for proofs_check and the kernel-twin tests only."""
    return _run(mdp, n_episodes, rng, linear=linear, bonus_scale=bonus_scale, eta=eta, delta=delta,
                offline_data=offline_data, switching=switching, reset=reset, epsilon=epsilon, ridge=ridge,
                backend=backend, unvisited=unvisited, broken=True, switch_period=switch_period, growth=growth,
                bonus_horizon=bonus_horizon, bonus_log=bonus_log)


def optimistic_actor_critic(mdp, n_episodes: int, rng=None, *, bonus_scale: float = 1.0, **options) -> ActorCriticRun:
    r"""Online optimistic actor-critic (reconstructed Algorithm A): no offline data, UCB bonus on.

    :func:`rare_switching_actor_critic` with a bonus :math:`c (H - h) \sqrt{\iota / n}`,
    :math:`c > 0`, and no offline data (:ref:`optimistic_ac-tabular-algorithm`). The learner of the
    claims AC-T1, AC-T1c, AC-T2 and AC-T2b (:ref:`optimistic_ac-claims`).

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP (simulator and exact model for the regret).
    n_episodes : int
        T, the number of online episodes.
    rng : Generator, int seed or None
        The random stream of the rollouts.
    bonus_scale : float
        c > 0, the scale of the UCB bonus.
    **options
        The other keyword arguments of :func:`rare_switching_actor_critic` (``unvisited``,
        ``eta``, ``delta``, ``switching``, ``reset``, ``epsilon``, ``backend``); not
        ``offline_data``.

    Returns
    -------
    ActorCriticRun
        The run (see :class:`ActorCriticRun`).

    Raises
    ------
    ValueError
        For a ``bonus_scale`` that is not positive, or offline data.

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> run = optimistic_actor_critic(finite_horizon_lock(4, 3, rng=0), 300, rng=0, bonus_scale=0.1)
    >>> run.regret.shape
    (300,)
    """
    bonus_scale = _positive_bonus(bonus_scale)
    if options.get("offline_data") is not None:
        raise ValueError("offline_data: the online variant takes none; use hybrid_optimistic_actor_critic")
    return rare_switching_actor_critic(mdp, n_episodes, rng, bonus_scale=bonus_scale, **options)


def hybrid_optimistic_actor_critic(mdp, offline_data: OfflineData, n_episodes: int, rng=None, *,
                                   bonus_scale: float = 1.0, **options) -> ActorCriticRun:
    r"""Hybrid optimistic actor-critic (reconstructed Algorithm B): the critic starts from ``offline_data``.

    :func:`rare_switching_actor_critic` with a bonus :math:`c > 0` and the counts
    :math:`n_h(s, a)`, reward sums and transition counts preloaded with the offline tuples
    (:ref:`optimistic_ac-tabular-algorithm`).

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP (simulator and exact model for the regret).
    offline_data : OfflineData
        Finite-horizon tuples with next states, e.g. from :func:`offline_episodes`.
    n_episodes : int
        T, the number of online episodes.
    rng : Generator, int seed or None
        The random stream of the rollouts.
    bonus_scale : float
        c > 0, the scale of the UCB bonus.
    **options
        The other keyword arguments of :func:`rare_switching_actor_critic` (``unvisited``,
        ``eta``, ``delta``, ``switching``, ``reset``, ``epsilon``, ``backend``).

    Returns
    -------
    ActorCriticRun
        The run (see :class:`ActorCriticRun`).

    Raises
    ------
    ValueError
        For ``offline_data=None`` or a ``bonus_scale`` that is not positive.

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> lock = finite_horizon_lock(4, 3, rng=0)
    >>> data = offline_episodes(lock, 20, rng=1, epsilon=0.25)
    >>> hybrid_optimistic_actor_critic(lock, data, 300, rng=0, bonus_scale=0.1).regret.shape
    (300,)
    """
    if offline_data is None:
        raise ValueError("offline_data: expected an OfflineData for the hybrid variant, got None")
    bonus_scale = _positive_bonus(bonus_scale)
    return rare_switching_actor_critic(mdp, n_episodes, rng, bonus_scale=bonus_scale, offline_data=offline_data,
                                       **options)


def non_optimistic_hybrid_actor_critic(mdp, offline_data: OfflineData, n_episodes: int, rng=None,
                                       **options) -> ActorCriticRun:
    r"""Non-optimistic hybrid actor-critic (reconstructed Algorithm C): offline data, bonus 0.

    The critic is plain value iteration on the empirical model (``bonus_scale=0``,
    ``unvisited="zero"``: unseen pairs get 0). Efficient when
    :math:`N_{\mathrm{off}} \ge c^*_{\mathrm{off}}\, d H^4 / \varepsilon^2` [paper]
    (:ref:`optimistic_ac-hybrid-threshold`); without offline data it can be stuck forever.

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP (simulator and exact model for the regret).
    offline_data : OfflineData
        Finite-horizon tuples with next states, e.g. from :func:`offline_episodes`.
    n_episodes : int
        T, the number of online episodes.
    rng : Generator, int seed or None
        The random stream of the rollouts.
    **options
        The other keyword arguments of :func:`rare_switching_actor_critic` (``eta``, ``delta``,
        ``switching``, ``reset``, ``epsilon``, ``backend``); not ``bonus_scale`` or
        ``unvisited``, which are fixed.

    Returns
    -------
    ActorCriticRun
        The run (see :class:`ActorCriticRun`).

    Raises
    ------
    ValueError
        For ``offline_data=None``.

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> lock = finite_horizon_lock(4, 3, rng=0)
    >>> data = offline_episodes(lock, 50, rng=1, epsilon=0.25)
    >>> non_optimistic_hybrid_actor_critic(lock, data, 300, rng=0).regret.shape
    (300,)
    """
    if offline_data is None:
        raise ValueError("offline_data: expected an OfflineData for the hybrid variant, got None")
    return rare_switching_actor_critic(mdp, n_episodes, rng, bonus_scale=0.0, unvisited="zero",
                                       offline_data=offline_data, **options)


def low_switching_ucbvi(mdp, n_episodes: int, rng=None, *, bonus_scale: float = 1.0, **options) -> ActorCriticRun:
    r"""UCBVI with count-doubling switches: the same code path with a greedy actor (eta = inf).

    :func:`rare_switching_actor_critic` with :math:`\eta = \infty`: the policy played is the
    greedy policy of the critic, :math:`\pi_h(s) = \arg\max_a Q_h(s, a)`, which changes only at
    a switch. A baseline (:ref:`optimistic_ac-tabular-algorithm`).

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP (simulator and exact model for the regret).
    n_episodes : int
        T, the number of online episodes.
    rng : Generator, int seed or None
        The random stream of the rollouts.
    bonus_scale : float
        c >= 0, the scale of the UCB bonus.
    **options
        The other keyword arguments of :func:`rare_switching_actor_critic` (``unvisited``,
        ``delta``, ``offline_data``, ``switching``, ``reset``, ``epsilon``, ``backend``); not
        ``eta``.

    Returns
    -------
    ActorCriticRun
        The run (see :class:`ActorCriticRun`).

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> run = low_switching_ucbvi(finite_horizon_lock(4, 3, rng=0), 300, rng=0, bonus_scale=0.1)
    >>> sorted(set(run.policy.ravel().tolist()))
    [0.0, 1.0]
    """
    return rare_switching_actor_critic(mdp, n_episodes, rng, bonus_scale=bonus_scale, eta=np.inf, **options)


def linear_optimistic_actor_critic(mdp: LinearMDP, n_episodes: int, rng=None, *, bonus_scale: float = 1.0,
                                   eta: float = 1.0, ridge: float = 1.0, delta: float = 0.1,
                                   offline_data: OfflineData | None = None, switching: str = "doubling",
                                   reset: str = "switch", epsilon: float = 0.1,
                                   backend: str = "numba") -> ActorCriticRun:
    r"""Linear-MDP optimistic actor-critic: LSVI-UCB critic, determinant-doubling switches, softmax actor.

    Reconstruction of Tan, Fan & Wei (2025) for linear MDPs (:ref:`optimistic_ac-linear-algorithm`;
    the paper's algorithm boxes were not available).
    :math:`\Lambda_h = \lambda I + \sum \phi \phi^\top` (:math:`\lambda` = ``ridge``); at a switch
    (some :math:`\det \Lambda_h` doubled since the last one) the critic is
    (:func:`lsvi_ucb_q_values`)

    .. math::

        Q_h(s, a) = \min\Big\{H - h,\; w_h^\top \phi(s, a) + \beta \|\phi(s, a)\|_{\Lambda_h^{-1}}\Big\},
        \qquad \beta = c\, d\, H \sqrt{\log(d H T / \delta)},

    with :math:`w_h` the ridge regression of :math:`r + \max_a Q_{h+1}`; the actor is reset to
    uniform and then runs :math:`\mathrm{softmax}(\eta\, n_{\mathrm{seg}} Q)`. ``offline_data``
    preloads :math:`\Lambda` and the regression sums (hybrid); ``bonus_scale=0`` is the
    non-optimistic variant. There is no separate initialisation here: a direction with no data has
    :math:`w_h^\top \phi = 0` and bonus :math:`\beta \|\phi\| / \sqrt{\lambda}`, so optimism
    comes only from the bonus. Departures as in :func:`rare_switching_actor_critic` (elliptical bonus
    for GOLF, determinant doubling, constant eta; :ref:`optimistic_ac-departures`).

    The regression is computed from per-(h, s, a, s') counts, which for a finite state space is
    the same estimator as the sum over stored tuples.

    The default ``bonus_scale=1`` is the theory-sized radius. It is large: on the AC-T5 instance
    (d = 5, ``|A|`` = 10, H = 5) :math:`\beta \approx 100`, the critic sits at its cap and the
    regret is linear for the first ~65k episodes, after which it grows like :math:`\sqrt{T}` (claim
    AC-T5b, measured over T = 2^17..2^21; :ref:`optimistic_ac-linear-rate`). A smaller
    ``bonus_scale`` learns sooner on a given instance but is a choice, not the theorem's learner.

    Parameters
    ----------
    mdp : LinearMDP
        The linear MDP: ``mdp.features`` (S, A, d) and its tabular form (simulator and exact model
        for the regret).
    n_episodes : int
        T, the number of online episodes.
    rng : Generator, int seed or None
        The random stream of the rollouts.
    bonus_scale : float >= 0
        c, the scale of the radius :math:`\beta` (:func:`elliptical_radius`); 0 removes the bonus.
    eta : float
        Actor step size; ``np.inf`` plays the critic's greedy policy.
    ridge : float
        :math:`\lambda > 0`, the ridge of :math:`\Lambda_h`.
    delta : float in (0, 1)
        Confidence level inside :math:`\beta`.
    offline_data : OfflineData, optional
        Finite-horizon tuples preloaded into :math:`\Lambda_h` and the regression sums (hybrid).
    switching : {"doubling", "every_episode"}
        Determinant doubling (the algorithm) or a new critic after every episode (a baseline).
    reset : {"switch", "never"}
        Reset the actor to uniform at each switch (the algorithm) or never (a baseline).
    epsilon : float
        Tolerance for ``first_within_epsilon``.
    backend : {"numba", "numpy"}
        The Numba kernel, or the plain numpy twin (same random stream; slow).

    Returns
    -------
    ActorCriticRun
        The run (see :class:`ActorCriticRun`).

    Raises
    ------
    TypeError
        If ``mdp`` is not a LinearMDP.

    Examples
    --------
    >>> from mdps.instances.random import random_linear_mdp
    >>> lin = random_linear_mdp(8, 4, 3, 3, rng=1)
    >>> run = linear_optimistic_actor_critic(lin, 200, rng=0)
    >>> run.cumulative_regret.shape, run.n_switches <= linear_switch_bound(3, 3, 200)
    ((200,), True)
    """
    if not isinstance(mdp, LinearMDP):
        raise TypeError(f"mdp: expected a LinearMDP, got {type(mdp).__name__}")
    return _run(mdp, n_episodes, rng, linear=True, bonus_scale=bonus_scale, eta=eta, delta=delta,
                offline_data=offline_data, switching=switching, reset=reset, epsilon=epsilon, ridge=ridge,
                backend=backend)


def offline_episodes(mdp, n_episodes: int, rng=None, *, epsilon: float = 0.2) -> OfflineData | None:
    r"""Offline episodes of the epsilon-greedy optimal behaviour policy, for the hybrid variants.

    The behaviour is :math:`\pi_b = (1 - \epsilon) \pi^* + \epsilon\, \mathrm{Unif}(\mathcal A)`
    (:ref:`optimistic_ac-setting`); its concentrability :math:`c^*_{\mathrm{off}}` grows with
    :math:`\epsilon`.

    Parameters
    ----------
    mdp : FiniteHorizonMDP or LinearMDP
        The MDP the episodes are sampled from (a LinearMDP through its tabular form).
    n_episodes : int
        N_off >= 0, the number of episodes (each gives H tuples).
    rng : Generator, int seed or None
        The random stream of the episodes.
    epsilon : float in [0, 1]
        Behaviour ``(1 - epsilon) pi* + epsilon Uniform(A)`` (see :func:`epsilon_greedy_behaviour`);
        larger epsilon means larger concentrability c*_off.

    Returns
    -------
    OfflineData or None
        ``n_episodes * H`` finite-horizon tuples with next states; None when ``n_episodes == 0``
        (what the hybrid learners take as "no offline data").

    Examples
    --------
    >>> from mdps.instances.classic import finite_horizon_lock
    >>> len(offline_episodes(finite_horizon_lock(4, 2, rng=0), 3, rng=0))
    12
    """
    if isinstance(n_episodes, (int, np.integer)) and not isinstance(n_episodes, bool) and n_episodes == 0:
        return None
    return sample_episodes(_tabular(mdp), epsilon_greedy_behaviour(mdp, epsilon), n_episodes, rng)
