r"""Instances of PEDEL / FTPedel: the offline+online example FT-X1 and the verifiable example FT-X2.

What each instance is and why it is hard: :ref:`ftpedel-instances`; the closed forms below are
derived in :ref:`ftpedel-closed-forms`.

Both are d-armed bandits written as linear MDPs (H = 1, one state, tabular features
:math:`\phi(0, a) = e_a`), with unit-variance Gaussian rewards so that
:math:`\beta = \log(1/\delta)` is the natural confidence term, and an explicit offline design
``offline_counts[h, s, a]``:

- **FT-X1** (:func:`ft_x1`): arm 0 optimal, every other arm gap :math:`\Delta`; the offline data
  cover arms 1..d-1 heavily and never arm 0. Offline alone cannot identify the optimum; online
  alone needs about :math:`\beta (\sqrt{d-1} + 1)^2 / \Delta^2` episodes; offline + online about
  :math:`\beta / \Delta^2`.
- **FT-X2** (:func:`ft_x2`): the same bandit with expert data (only arm 0 covered). Unverifiable
  learning (pessimism) needs no online episode; verifiable learning about
  :math:`\beta (d-1) / \Delta^2`.

:func:`competitor_bandit` is the family used for PEDEL against uniform exploration: one close
competitor (gap Delta) among arms whose gaps are large.

:func:`random_linear_family` is a multi-step, genuinely linear family (d < S A, features on the
simplex hence correlated, stochastic transitions and initial state, H >= 2) with an explicit
policy class chosen around epsilon: a near tie (gap < epsilon / 2), competitors whose gaps lie
between epsilon and 2 epsilon, and the rest at random, plus offline data on one action only (so
they cover some directions of the feature space better than others). Its exact values and optimal
policy come from the tabular MDP it exposes (``mdp.tabular``).

:func:`routing_mdp` is a structured two-step problem where the step-1 design depends on where the
step-0 actions lead (K rooms, a near tie and far policies): a design planned with a wrong
transition model, or the uniformly random policy, pays about K / 2 times more (FT-E7).
:func:`partial_coverage_routing` adds offline data on the optimum's and the near tie's directions
and none on the rest (FT-E8, the offline gain).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as v
from ..core import LinearMDP

__all__ = [
    "HybridInstance", "arm_policies", "bandit_linear_mdp", "competitor_bandit", "ft_x1", "ft_x2",
    "partial_coverage_routing", "random_linear_family", "routing_mdp",
]


def bandit_linear_mdp(means, *, reward_std: float = 1.0) -> LinearMDP:
    r"""A K-armed bandit as a linear MDP: H = 1, S = 1, d = K, :math:`\phi(0, a) = e_a`, Gaussian rewards.

    Every arm leads back to the single state; the mean reward of arm a is
    :math:`\langle e_a, \theta \rangle = \mathrm{means}[a]`.

    Parameters
    ----------
    means : array_like
        The K >= 2 mean rewards.
    reward_std : float > 0, default 1
        Standard deviation of the Gaussian rewards.

    Returns
    -------
    LinearMDP
        The bandit, with ``reward_model="gaussian"``.

    Examples
    --------
    >>> mdp = bandit_linear_mdp([0.6, 0.5, 0.5])
    >>> mdp.horizon, mdp.n_states, mdp.n_actions, mdp.dim
    (1, 1, 3, 3)
    """
    mu_arms = v.float_array("means", means, ndim=1)
    K = mu_arms.size
    if K < 2:
        raise ValueError(f"means: expected at least 2 arms, got {K}")
    features = np.eye(K)[None]                # (S=1, A=K, d=K)
    mu = np.ones((1, K, 1))                  # every arm leads back to the single state
    return LinearMDP(features, mu, mu_arms[None], np.ones(1), reward_model="gaussian",
                     reward_std=v.positive_float("reward_std", reward_std))


def arm_policies(n_arms: int) -> np.ndarray:
    """The policies "always play arm k" of a one-state, one-step problem.

    Parameters
    ----------
    n_arms : int >= 1
        The number of arms K.

    Returns
    -------
    numpy.ndarray
        Int array ``(K, 1, 1)``: policy k plays arm k.

    Examples
    --------
    >>> arm_policies(3).ravel().tolist()
    [0, 1, 2]
    """
    K = v.positive_int("n_arms", n_arms)
    v.check_allocation("n_arms", K, 8, "policies")
    return np.arange(K, dtype=np.int64).reshape(-1, 1, 1)


@dataclass(frozen=True, eq=False)
class HybridInstance:
    """A linear MDP, a policy class and an offline design.

    Parameters
    ----------
    mdp : LinearMDP
        The problem.
    policies : numpy.ndarray
        Int array ``(n, H, S)``: the finite policy class.
    offline_counts : numpy.ndarray
        Int array ``(H, S, A)``: how many offline tuples each (h, s, a) has.
    name : str
        A short name ("FT-X1", "FT-X2", "competitor", "random-linear").
    """

    mdp: LinearMDP
    policies: np.ndarray
    offline_counts: np.ndarray
    name: str

    @property
    def offline_covariances(self) -> np.ndarray:
        r""":math:`\Lambda_{\mathrm{off},h} = \sum_{s,a} n_h(s, a) \phi(s, a) \phi(s, a)^\top`, shape ``(H, d, d)``."""
        phi = self.mdp.features
        return np.einsum("hsa,sai,saj->hij", self.offline_counts, phi, phi)


def _arms(n_arms, gap, best_mean):
    K = v.positive_int("n_arms", n_arms)
    if K < 2:
        raise ValueError(f"n_arms: expected at least 2 arms, got {K}")
    v.check_allocation("n_arms", 3 * K * K, 8, "entries of the features (K x K) and their copies")
    gap = v.positive_float("gap", gap)
    best = v.probability("best_mean", best_mean, open_low=False, open_high=False)
    if gap > best:
        raise ValueError(f"gap: expected at most best_mean={best}, got {gap}")
    return K, gap, best


def ft_x1(n_arms: int = 8, gap: float = 0.1, *, n_offline: int = 10 ** 6, best_mean: float = 0.6,
          reward_std: float = 1.0) -> HybridInstance:
    r"""FT-X1: offline data cover the suboptimal arms (``n_offline`` each), never the optimal arm 0.

    Arm 0 has mean ``best_mean``, every other arm ``best_mean - gap``. With
    :math:`\beta = \log(1/\delta)`, the online-only complexity is
    :math:`\beta (\sqrt{d-1} + 1)^2 / \Delta^2` and the offline + online one tends to
    :math:`\beta / \Delta^2` as ``n_offline`` grows (:ref:`ftpedel-ft-x1`,
    :ref:`ftpedel-closed-forms`).

    Parameters
    ----------
    n_arms : int >= 2, default 8
        The number of arms d (= K).
    gap : float > 0, default 0.1
        The gap of every suboptimal arm, at most ``best_mean``.
    n_offline : int >= 1, default 10**6
        Offline tuples of each suboptimal arm.
    best_mean : float in [0, 1], default 0.6
        The mean of the optimal arm.
    reward_std : float > 0, default 1
        Standard deviation of the Gaussian rewards.

    Returns
    -------
    HybridInstance
        The bandit, the arm policies and ``offline_counts`` ``(1, 1, d)`` (0 for arm 0).

    Examples
    --------
    >>> inst = ft_x1(n_arms=4, n_offline=100)
    >>> inst.offline_counts.ravel().tolist()
    [0, 100, 100, 100]
    """
    K, gap, best = _arms(n_arms, gap, best_mean)
    n_off = v.positive_int("n_offline", n_offline, maximum=v.MAX_COUNT)
    means = np.full(K, best - gap)
    means[0] = best
    counts = np.full((1, 1, K), n_off, dtype=np.int64)
    counts[0, 0, 0] = 0
    return HybridInstance(bandit_linear_mdp(means, reward_std=reward_std), arm_policies(K), counts, "FT-X1")


def ft_x2(n_arms: int = 8, gap: float = 0.1, *, n_offline: int = 10 ** 6, best_mean: float = 0.6,
          reward_std: float = 1.0) -> HybridInstance:
    r"""FT-X2: expert offline data, ``n_offline`` samples of the optimal arm 0 only.

    Pessimism returns arm 0 with no online episode, while verifiable learning still needs about
    :math:`\beta (d-1) / \Delta^2` online episodes (:ref:`ftpedel-ft-x2`,
    :ref:`ftpedel-separation`).

    Parameters
    ----------
    n_arms : int >= 2, default 8
        The number of arms d (= K).
    gap : float > 0, default 0.1
        The gap of every suboptimal arm, at most ``best_mean``.
    n_offline : int >= 1, default 10**6
        Offline tuples of the optimal arm 0.
    best_mean : float in [0, 1], default 0.6
        The mean of the optimal arm.
    reward_std : float > 0, default 1
        Standard deviation of the Gaussian rewards.

    Returns
    -------
    HybridInstance
        The bandit, the arm policies and ``offline_counts`` ``(1, 1, d)`` (nonzero for arm 0 only).

    Examples
    --------
    >>> ft_x2(n_arms=3, n_offline=50).offline_counts.ravel().tolist()
    [50, 0, 0]
    """
    K, gap, best = _arms(n_arms, gap, best_mean)
    n_off = v.positive_int("n_offline", n_offline, maximum=v.MAX_COUNT)
    means = np.full(K, best - gap)
    means[0] = best
    counts = np.zeros((1, 1, K), dtype=np.int64)
    counts[0, 0, 0] = n_off
    return HybridInstance(bandit_linear_mdp(means, reward_std=reward_std), arm_policies(K), counts, "FT-X2")


def competitor_bandit(n_arms: int = 8, gap: float = 0.1, *, far_gap: float = 0.5, best_mean: float = 0.6,
                      reward_std: float = 1.0) -> HybridInstance:
    r"""Arm 0 optimal, arm 1 a close competitor (gap ``gap``), arms 2.. far (gap ``far_gap``); no offline data.

    Only arms 0 and 1 matter at small :math:`\epsilon`, so an optimal design spends almost nothing
    on the far arms, while uniform exploration pays a factor of about K/2 (the gap-irrelevant
    arms; :ref:`ftpedel-competitor`).

    Parameters
    ----------
    n_arms : int >= 2, default 8
        The number of arms K.
    gap : float > 0, default 0.1
        The gap of arm 1.
    far_gap : float, default 0.5
        The gap of arms 2.., in ``[gap, best_mean]``.
    best_mean : float in [0, 1], default 0.6
        The mean of the optimal arm.
    reward_std : float > 0, default 1
        Standard deviation of the Gaussian rewards.

    Returns
    -------
    HybridInstance
        The bandit, the arm policies and zero ``offline_counts``.

    Examples
    --------
    >>> inst = competitor_bandit(n_arms=4, gap=0.1, far_gap=0.5)
    >>> [round(float(m), 2) for m in inst.mdp.theta[0]]
    [0.6, 0.5, 0.1, 0.1]
    """
    K, gap, best = _arms(n_arms, gap, best_mean)
    far = v.positive_float("far_gap", far_gap)
    if far > best or far < gap:
        raise ValueError(f"far_gap: expected a number in [gap, best_mean] = [{gap}, {best}], got {far}")
    means = np.full(K, best - far)
    means[0], means[1] = best, best - gap
    return HybridInstance(bandit_linear_mdp(means, reward_std=reward_std), arm_policies(K),
                          np.zeros((1, 1, K), dtype=np.int64), "competitor")


def random_linear_family(rng=None, *, n_states: int = 4, n_actions: int = 2, dim: int = 3, horizon: int = 2,
                         epsilon: float = 0.1, n_policies: int = 8, n_offline: int = 50,
                         max_tries: int = 200, shared_first_step: bool = False) -> HybridInstance:
    r"""A random multi-step linear MDP with a policy class built around ``epsilon``.

    FT-E5's family (:ref:`ftpedel-random-family`). The MDP is
    :func:`mdps.instances.random.random_linear_mdp` (``features ~ Dirichlet(1)`` on the
    simplex, so feature vectors are correlated and d < S A is allowed; :math:`\mu_h` rows are
    distributions, so transitions are stochastic; Bernoulli rewards
    :math:`\langle \phi, \theta_h \rangle`; uniform initial state). Draws are repeated (at most
    ``max_tries``) until the deterministic policies contain a near tie (a gap in
    :math:`(0, \epsilon / 2)`) and at least two competitors with a gap in
    :math:`(\epsilon, 2 \epsilon)`. The class is: the optimum, the closest near tie, up to three
    competitors with a gap in ``(epsilon, 2 epsilon)`` and, to fill ``n_policies``, policies drawn
    at random among the rest; its order is shuffled. The offline data are ``n_offline`` tuples of
    action 0 at every state and step.

    A run that certifies only 2 epsilon can return one of the competitors; the near tie makes
    every correct run last all its rounds (two policies survive to the end).

    With ``shared_first_step=True`` the class is drawn from the policies that take action 0 at
    step 0 only: every policy has the same step-0 visitation, so the policies differ only after
    step 0 and an algorithm must learn the step-0 transitions to tell them apart, although every
    step-0 visitation difference is 0 (the case of :ref:`ftpedel-propagation`).

    Parameters
    ----------
    rng : numpy.random.Generator, int or None
        Randomness of the MDP, the class and its order.
    n_states : int, default 4
        S.
    n_actions : int, default 2
        A (:math:`A^{SH}` deterministic policies are enumerated: keep it at most 4096).
    dim : int, default 3
        The feature dimension d.
    horizon : int, default 2
        H.
    epsilon : float > 0, default 0.1
        The accuracy the class is built around.
    n_policies : int >= 4, default 8
        The size of the class.
    n_offline : int >= 0, default 50
        Offline tuples of action 0 at every state and step.
    max_tries : int >= 1, default 200
        Draws before giving up with ``ValueError``.
    shared_first_step : bool, default False
        Draw the class among the policies taking action 0 at step 0 (needs H >= 2).

    Returns
    -------
    HybridInstance
        The MDP, the shuffled class and ``offline_counts`` ``(H, S, A)``.
    """
    from ..instances.random import random_linear_mdp

    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    d, H = v.positive_int("dim", dim), v.positive_int("horizon", horizon)
    eps = v.positive_float("epsilon", epsilon)
    n_pol = v.positive_int("n_policies", n_policies)
    if n_pol < 4:
        raise ValueError(f"n_policies: expected at least 4, got {n_pol}")
    # (A >= 2 and S H > 12 already exceed 4096: A^(S H) is not computed for a huge exponent)
    if A > 1 and (S * H > 12 or A ** (S * H) > 4096):
        raise ValueError(f"n_states, n_actions, horizon: A^(S H) policies (A = {A}, S H = {S * H}) exceed 4096")
    if n_pol > A ** (S * H):
        raise ValueError(f"n_policies: expected at most A^(S H) = {A ** (S * H)}, got {n_pol}")
    if isinstance(n_offline, (bool, np.bool_)) or not isinstance(n_offline, (int, np.integer)) or n_offline < 0:
        raise ValueError(f"n_offline: expected a non-negative int, got {n_offline!r}")
    if n_offline > v.MAX_COUNT:
        raise ValueError(f"n_offline: expected a non-negative int of at most {v.MAX_COUNT}, got {n_offline!r}")
    n_off = int(n_offline)
    if not isinstance(shared_first_step, (bool, np.bool_)):
        raise TypeError(f"shared_first_step: expected a bool, got {type(shared_first_step).__name__}")
    if shared_first_step and (H < 2 or n_pol > A ** (S * (H - 1))):
        raise ValueError(f"shared_first_step: needs H >= 2 and n_policies <= A^(S (H-1)), got H = {H}, "
                         f"n_policies = {n_pol}")
    gen = v.as_rng(rng)
    grid = np.array(np.meshgrid(*[np.arange(A)] * (S * H), indexing="ij")).reshape(S * H, -1).T
    all_pols = grid.reshape(-1, H, S).astype(np.int64)
    if shared_first_step:
        all_pols = all_pols[np.all(all_pols[:, 0, :] == 0, axis=1)]
    for _ in range(v.positive_int("max_tries", max_tries)):
        mdp = random_linear_mdp(n_states=S, n_actions=A, dim=d, horizon=H, rng=gen)
        occ = np.zeros((all_pols.shape[0], S))
        occ[:] = mdp.initial
        values = np.zeros(all_pols.shape[0])
        R, P = mdp.tabular.R, mdp.tabular.P
        idx = np.arange(S)
        for h in range(H):
            acts = all_pols[:, h, :]                              # (n, S)
            values += np.einsum("ns,ns->n", occ, R[h][idx, acts])
            occ = np.einsum("ns,nst->nt", occ, P[h][idx, acts])
        best = int(np.argmax(values))
        gaps = values[best] - values
        tie = np.flatnonzero((gaps > 1e-9) & (gaps < eps / 2))
        mid = np.flatnonzero((gaps > eps) & (gaps < 2 * eps))
        if tie.size and mid.size >= 2:
            break
    else:
        raise ValueError(f"max_tries: no draw had a near tie and two competitors in (eps, 2 eps) at eps={eps}")
    chosen = [best, int(tie[np.argmin(gaps[tie])])]
    chosen += [int(j) for j in gen.choice(mid, size=min(3, mid.size), replace=False)]
    rest = np.setdiff1d(np.arange(all_pols.shape[0]), chosen)
    chosen += [int(j) for j in gen.choice(rest, size=max(n_pol - len(chosen), 0), replace=False)]
    order = gen.permutation(len(chosen))
    policies = all_pols[np.array(chosen)[order]]
    counts = np.zeros((H, S, A), dtype=np.int64)
    counts[:, :, 0] = n_off
    return HybridInstance(mdp, policies, counts, "random-linear")


def routing_mdp(n_rooms: int = 6, *, near_gap: float = 0.05, far_gap: float = 0.3, leak: float = 0.1,
                best_mean: float = 0.6) -> HybridInstance:
    r"""A two-step problem whose step-1 design depends on the step-0 transitions: "which action reaches which room".

    States: a start state 0 and rooms 1..K (``K = n_rooms``); actions 0..K-1; d = K. Step 0 starts
    in state 0, where action a has feature :math:`e_a` and leads to room a + 1 with probability
    ``1 - leak`` and to each other room with probability ``leak / (K - 1)``. In room k + 1 every
    action has feature :math:`e_k`. Every step-1 transition returns to state 0. Bernoulli rewards:
    0.5 at step 0 and :math:`\theta_1[k]` in room k + 1, with :math:`\theta_1` chosen so that
    policy 1 (action 1 at step 0) has gap ``near_gap`` and policies 2..K-1 gap ``far_gap``
    (policy 0 is optimal). The class is the K policies "action a at step 0" (action 0 elsewhere);
    no offline data.

    The far policies go in the first rounds; then only the value difference of rooms 1 and 2
    matters, and the learner must observe those two rooms, which only step-0 actions 0 and 1
    deliver. A design that does not know where the actions lead (the uniformly random policy, or a
    plan with a wrong step-0 model, e.g. the step-1 transitions, which all return to state 0)
    spreads its episodes over all K rooms and pays about K / 2 times more
    (:ref:`ftpedel-routing`).

    Parameters
    ----------
    n_rooms : int >= 3, default 6
        K, the number of rooms (= actions = d).
    near_gap : float > 0, default 0.05
        The gap of policy 1.
    far_gap : float >= near_gap, default 0.3
        The gap of policies 2..K-1.
    leak : float in [0, (K - 1) / K), default 0.1
        Probability of landing in a room other than the action's.
    best_mean : float in (0, 1], default 0.6
        The reward of room 1 (the optimal policy's room).

    Returns
    -------
    HybridInstance
        The MDP (H = 2, S = K + 1, A = d = K), the class ``(K, 2, K + 1)`` and zero offline counts.

    Examples
    --------
    >>> inst = routing_mdp(n_rooms=3)
    >>> inst.mdp.horizon, inst.mdp.n_states, inst.mdp.n_actions, inst.mdp.dim
    (2, 4, 3, 3)
    """
    K = v.positive_int("n_rooms", n_rooms)
    if K < 3:
        raise ValueError(f"n_rooms: expected at least 3 rooms, got {K}")
    v.check_allocation("n_rooms", 8 * (K + 1) ** 2 * K, 8, "entries of the transitions")
    near = v.positive_float("near_gap", near_gap)
    far = v.positive_float("far_gap", far_gap)
    if far < near:
        raise ValueError(f"far_gap: expected at least near_gap={near}, got {far}")
    rho = v.probability("leak", leak, open_low=False)
    best = v.probability("best_mean", best_mean, open_low=True, open_high=False)
    S = K + 1
    route = np.full((K, K), rho / (K - 1))
    np.fill_diagonal(route, 1.0 - rho)                        # route[a, k]: P(room k + 1 | action a)
    # V(pi_a) - V(pi_0) = (route[a] - route[0]) @ theta1 = -(1 - rho K / (K - 1)) (theta1[0] - theta1[a])
    # when theta1 is constant off rooms 0 and a; with several far rooms at the same level the
    # far policies' gap is the same expression.
    scale = 1.0 - rho * K / (K - 1)
    if scale <= 0:
        raise ValueError(f"leak: expected less than (K - 1) / K = {(K - 1) / K}, got {rho}")
    theta1 = np.full(K, best - far / scale)
    theta1[0], theta1[1] = best, best - near / scale
    if theta1.min() < 0:
        raise ValueError(f"far_gap, leak, best_mean: the rewards must stay in [0, 1], so far_gap must be at most "
                         f"best_mean (1 - leak K / (K - 1)) = {best * scale} with best_mean={best}, leak={rho}, "
                         f"K={K}; got far_gap={far}")
    features = np.zeros((S, K, K))
    features[0] = np.eye(K)
    for k in range(K):
        features[k + 1, :, k] = 1.0
    mu = np.zeros((2, K, S))
    mu[0, :, 1:] = route                                      # step 0: e_a -> the rooms
    mu[1, :, 0] = 1.0                                         # step 1: back to state 0
    theta = np.stack([np.full(K, 0.5), theta1])
    initial = np.zeros(S)
    initial[0] = 1.0
    mdp = LinearMDP(features, mu, theta, initial)
    policies = np.zeros((K, 2, S), dtype=np.int64)
    policies[:, 0, 0] = np.arange(K)
    return HybridInstance(mdp, policies, np.zeros((2, S, K), dtype=np.int64), "routing")


def partial_coverage_routing(n_offline: int = 30000, *, n_rooms: int = 6, near_gap: float = 0.05,
                             far_gap: float = 0.3, leak: float = 0.1) -> HybridInstance:
    r""":func:`routing_mdp` with offline data that cover the hard directions partly: the optimum's and its near tie's.

    ``n_offline`` tuples of each of: step 1 in room 1 and in room 2 (features :math:`e_0`,
    :math:`e_1`, the two rooms whose value difference decides the near tie) and step 0 action 0 at
    the start state (feature :math:`e_0`, the optimal policy's action). Nothing on the near tie's
    own action at step 0 (:math:`e_1` at step 0) nor on the far rooms and actions: the online
    design still has to cover those (:ref:`ftpedel-partial-coverage`).

    Parameters
    ----------
    n_offline : int >= 1, default 30000
        Offline tuples of each covered (step, state, action).
    n_rooms : int >= 3, default 6
        As in :func:`routing_mdp`.
    near_gap : float > 0, default 0.05
        As in :func:`routing_mdp`.
    far_gap : float >= near_gap, default 0.3
        As in :func:`routing_mdp`.
    leak : float, default 0.1
        As in :func:`routing_mdp`.

    Returns
    -------
    HybridInstance
        The routing MDP, its class and ``offline_counts`` ``(2, K + 1, K)``.

    Examples
    --------
    >>> inst = partial_coverage_routing(100, n_rooms=3)
    >>> [tuple(map(int, hsa)) for hsa in zip(*inst.offline_counts.nonzero())]
    [(0, 0, 0), (1, 1, 0), (1, 2, 0)]
    """
    n_off = v.positive_int("n_offline", n_offline, maximum=v.MAX_COUNT)
    inst = routing_mdp(n_rooms, near_gap=near_gap, far_gap=far_gap, leak=leak)
    counts = np.zeros_like(inst.offline_counts)
    counts[0, 0, 0] = n_off
    counts[1, 1, 0] = counts[1, 2, 0] = n_off
    return HybridInstance(inst.mdp, inst.policies, counts, "partial-coverage-routing")
