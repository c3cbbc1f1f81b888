r"""The hard families LCB-H1 ... LCB-H6 of Rashidinejad et al. (2021), described in :ref:`lcb-hard-instances`.

Each family is a function of the sample size ``n_samples`` (N), the concentrability
``concentrability`` (:math:`C^\star = \max_{s,a} d^{\pi^\star}(s, a) / \mu(s, a)`), a gap scale and
the number of states ``n_states`` (S), and returns an :class:`LCBInstance`: the problem, its data
distribution :math:`\mu`, and the **realised** :math:`C^\star`
(:func:`mdps.planning.concentrability`), which is checked against the requested one. The families
are [derived] (:ref:`lcb-hard-instances`): they reach the stated minimax rates numerically, but are
not confirmed to be the paper's own constructions.

A parameter a family does not use (S for a bandit, N where nothing depends on it) is accepted
and validated so that every family can be called the same way; each docstring says which.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validation as v
from ..core import ContextualBandit, DiscountedMDP, MultiArmedBandit
from ..planning import concentrability as realised_concentrability, optimal_occupancy

__all__ = [
    "HARD_FAMILIES", "LCBInstance", "cb_as_mdp", "lcb_h1", "lcb_h2", "lcb_h3", "lcb_h3_expected_suboptimality",
    "lcb_delayed_chain", "lcb_gamble_mdp", "lcb_h4", "lcb_h5", "lcb_h6", "lcb_random_contextual_bandit", "lcb_random_mdp",
    "lcb_risky_branch",
]


class LCBInstance(NamedTuple):
    r"""A problem, its data distribution and the realised single-policy concentrability.

    Unpacks as ``problem, data_distribution, concentrability = lcb_h1(...)``.

    Parameters
    ----------
    problem : MultiArmedBandit, ContextualBandit or DiscountedMDP
        The instance.
    data_distribution : float array, the shape of the problem's (state,) action pairs
        :math:`\mu`, the distribution the offline pairs are drawn from (read-only).
    concentrability : float
        The realised :math:`C^\star = \max_{s,a} d^{\pi^\star}(s, a) / \mu(s, a)`
        (:ref:`lcb-concentrability`).
    """

    problem: object
    data_distribution: np.ndarray
    concentrability: float


def _concentrability(value, low=1.0, high=np.inf, name="concentrability") -> float:
    # A bool or a string is not a number (float() would take True as 1 and "1.5" as 1.5).
    C = v.real_number(name, value, f"a number in [{low}, {high}]")
    if not (np.isfinite(C) and low <= C <= high):
        raise ValueError(f"{name}: expected a finite number in [{low}, {high}], got {value!r}")
    return C


def _flag(name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def _finish(problem, mu, nominal, *, exact=True) -> LCBInstance:
    mu = np.asarray(mu, dtype=float)
    got = realised_concentrability(problem, mu)
    if exact and not np.isclose(got, nominal, rtol=1e-9, atol=1e-12):
        raise ValueError(f"concentrability: the family realises C* = {got}, not the requested {nominal}")
    if not exact and got > nominal * (1 + 1e-9):
        raise ValueError(f"concentrability: the family realises C* = {got} > the class bound {nominal}")
    mu = mu.copy()
    mu.setflags(write=False)
    return LCBInstance(problem, mu, float(got))


def lcb_h1(n_samples: int, concentrability: float = 2.0, gap_scale: float = 1.0, n_states: int = 1, *,
           gap: float | None = None, hypothesis: str = "A", rare_arm_mean: float | None = None) -> LCBInstance:
    r"""LCB-H1: a two-armed bandit where LCB's worst case is :math:`\sqrt{C^\star/N}` (:ref:`lcb-h1`).

    :math:`\mu = (1/C^\star, 1 - 1/C^\star)`. Hypothesis "A": :math:`r = (1/2 + \Delta, 1/2)`, the
    *less* covered arm is optimal and :math:`C^\star` is exactly the requested value. Hypothesis "B":
    :math:`r = (1/2 - \Delta, 1/2)`, arm 2 optimal with realised
    :math:`C^\star = 1/(1 - 1/C^\star) \le C^\star`, still in :math:`\mathrm{MAB}(C^\star)`.
    :math:`\Delta = \kappa \sqrt{C^\star/N}` (``gap_scale`` :math:`\kappa`), capped at 1/2, unless
    ``gap`` fixes it. ``n_states`` must be 1 (a bandit).

    Parameters
    ----------
    n_samples : int
        N (sets Delta).
    concentrability : float > 1
        :math:`C^\star`.
    gap_scale : float >= 0
        :math:`\kappa` in :math:`\Delta = \kappa \sqrt{C^\star/N}` (ignored when ``gap`` is given).
    n_states : int
        Must be 1.
    gap : float in (0, 1/2], optional
        A fixed reward gap instead of the N-dependent one.
    hypothesis : {"A", "B"}
        Which arm is optimal: "A" the less covered arm 1, "B" arm 2.
    rare_arm_mean : float in [0, 1], optional
        Adds a third arm with this Bernoulli mean and data mass 1/N, taken from arm 2 ([derived],
        not in the paper, :ref:`lcb-departures`; needs :math:`N > C^\star/(C^\star - 1)`).
        :math:`C^\star` is unchanged when the third arm is suboptimal. It is LCB-M4's trap inside the
        minimax family: one or two lucky samples make the empirical best arm (no penalty) or an
        optimistic bonus pick it with constant probability, while every :math:`\mathrm{MAB}(C^\star)`
        instance of the grid stays in the class.

    Returns
    -------
    LCBInstance
        ``(MultiArmedBandit, mu (2,) or (3,) with a rare arm, realised C*)``.

    Examples
    --------
    >>> bandit, mu, C = lcb_h1(1000, 4.0, gap_scale=1.0)
    >>> bandit.means.round(4).tolist(), mu.tolist(), C
    ([0.5632, 0.5], [0.25, 0.75], 4.0)
    """
    N = v.positive_int("n_samples", n_samples)
    C = _concentrability(concentrability, 1.0 + 1e-12)
    kappa = v.nonnegative_float("gap_scale", gap_scale)
    if v.positive_int("n_states", n_states) != 1:
        raise ValueError(f"n_states: expected 1 for a multi-armed bandit, got {n_states}")
    delta = min(0.5, kappa * np.sqrt(C / N)) if gap is None else v.probability("gap", gap, open_high=False)
    if delta > 0.5:
        raise ValueError(f"gap: expected at most 1/2 (means stay in [0, 1]), got {gap}")
    if hypothesis == "A":
        means = [0.5 + delta, 0.5]
    elif hypothesis == "B":
        means = [0.5 - delta, 0.5]
    else:
        raise ValueError(f"hypothesis: expected 'A' or 'B', got {hypothesis!r}")
    mu = np.array([1.0 / C, 1.0 - 1.0 / C])
    if delta == 0:
        raise ValueError("gap_scale: expected a positive gap (a zero gap makes every arm optimal)")
    if rare_arm_mean is not None:
        rare = v.real_number("rare_arm_mean", rare_arm_mean, "a Bernoulli mean in [0, 1]")
        if not 0.0 <= rare <= 1.0:
            raise ValueError(f"rare_arm_mean: expected a Bernoulli mean in [0, 1], got {rare_arm_mean!r}")
        if mu[1] <= 1.0 / N:
            raise ValueError(f"n_samples: expected N > C*/(C* - 1) so that the rare arm's mass 1/N fits, got {N}")
        means.append(rare)
        mu = np.array([mu[0], mu[1] - 1.0 / N, 1.0 / N])
    return _finish(MultiArmedBandit(np.array(means)), mu, C, exact=hypothesis == "A")


def lcb_h2(n_samples: int, concentrability: float = 4.0 / 3.0, gap_scale: float = 0.2, n_states: int = 1, *,
           hypothesis: str = "A") -> LCBInstance:
    r"""LCB-H2: two hypotheses told apart by the counts alone, for :math:`C^\star \in (1, 2)` (:ref:`lcb-h2`).

    "A": :math:`\mu = (1/C^\star, 1 - 1/C^\star)`, :math:`r = (1/2 + g, 1/2)` (arm 1 optimal).
    "B": :math:`\mu = (1 - 1/C^\star, 1/C^\star)`, :math:`r = (1/2, 1/2 + g)`. The optimal arm always
    carries mass :math:`1/C^\star > 1/2`, so the most-played arm errs with probability
    :math:`e^{-\Theta(N)}`. ``gap_scale`` is the constant reward gap g; N is unused.

    Parameters
    ----------
    n_samples : int
        Validated, unused.
    concentrability : float in (1, 2)
        :math:`C^\star`, exact under both hypotheses.
    gap_scale : float in (0, 1/2]
        The reward gap g.
    n_states : int
        Must be 1.
    hypothesis : {"A", "B"}
        Which arm is optimal (and carries mass :math:`1/C^\star`): "A" arm 1, "B" arm 2.

    Returns
    -------
    LCBInstance
        ``(MultiArmedBandit, mu (2,), C*)``.

    Examples
    --------
    >>> bandit, mu, C = lcb_h2(1000, 4 / 3, hypothesis="B")
    >>> bandit.means.tolist(), mu.round(2).tolist()
    ([0.5, 0.7], [0.25, 0.75])
    """
    v.positive_int("n_samples", n_samples)
    C = _concentrability(concentrability, 1.0 + 1e-12, 2.0 - 1e-12)
    g = v.probability("gap_scale", gap_scale, open_high=False)
    if g > 0.5:
        raise ValueError(f"gap_scale: expected at most 1/2, got {gap_scale}")
    if v.positive_int("n_states", n_states) != 1:
        raise ValueError(f"n_states: expected 1 for a multi-armed bandit, got {n_states}")
    if hypothesis == "A":
        means, mu = [0.5 + g, 0.5], [1.0 / C, 1.0 - 1.0 / C]
    elif hypothesis == "B":
        means, mu = [0.5, 0.5 + g], [1.0 - 1.0 / C, 1.0 / C]
    else:
        raise ValueError(f"hypothesis: expected 'A' or 'B', got {hypothesis!r}")
    return _finish(MultiArmedBandit(np.array(means)), np.array(mu), C)


def lcb_h3(n_samples: int, concentrability: float = 1.0, gap_scale: float = 1.0, n_states: int = 10, *,
           noisy_anchor: bool = True) -> LCBInstance:
    r"""LCB-H3: the missing-mass contextual bandit, rate S/N on (nearly) expert data (:ref:`lcb-h3`).

    Context 0 (the anchor) has :math:`\rho = 1 - (S-1)/N`, each of the S-1 rare contexts
    :math:`\rho = 1/N`; two actions, action 0 optimal. Rare contexts: mean rewards
    (1, 1 - ``gap_scale``) (``gap_scale = 1``: "pays 1 vs 0"), expert data
    :math:`\mu(s, 0) = \rho(s)`.

    ``noisy_anchor=True`` (default; [derived], not in the plain family, :ref:`lcb-noisy-anchor`)
    puts LCB-M4 inside the anchor: Bernoulli means (0.6, 0.5) and a rare suboptimal action,
    :math:`\mu(0, 1) = 1/N`, :math:`\mu(0, 0) = \rho(0) - 1/N`. Its one or two samples make the
    empirical best action (no penalty) or an optimistic bonus pick it with constant probability, so
    the 1/N rate tests the penalty and not only "seen before unseen". The realised coefficient is
    :math:`\rho(0) / (\rho(0) - 1/N) = 1 + O(1/N)` (checked); ``noisy_anchor=False`` is the pure
    expert family (anchor means (1, 0), :math:`C^\star = 1`).

    Parameters
    ----------
    n_samples : int > n_states
        N; sets rho and the rare action's mass.
    concentrability : float
        Must be 1 (the expert class; the noisy anchor's realised value is returned).
    gap_scale : float in (0, 1]
        The reward gap in the rare contexts.
    n_states : int >= 2
        S.
    noisy_anchor : bool
        Add the rare noisy suboptimal action in the anchor (see above).

    Returns
    -------
    LCBInstance
        ``(ContextualBandit, mu (S, 2), realised C*)``.

    Examples
    --------
    >>> inst = lcb_h3(1000, n_states=10)
    >>> round(inst.concentrability, 6), inst.data_distribution[0].tolist()
    (1.00101, [0.99, 0.001])
    """
    N = v.positive_int("n_samples", n_samples)
    S = v.positive_int("n_states", n_states)
    if S < 2:
        raise ValueError(f"n_states: expected at least 2 contexts, got {S}")
    v.check_allocation("n_states", 8 * S, 8, "entries of the context arrays")
    if N <= S:
        raise ValueError(f"n_samples: expected more than n_states = {S}, got {N}")
    if _concentrability(concentrability) != 1.0:
        raise ValueError(f"concentrability: LCB-H3 is expert data, expected 1, got {concentrability}")
    g = v.probability("gap_scale", gap_scale, open_high=False)
    rho = np.full(S, 1.0 / N)
    rho[0] = 1.0 - (S - 1) / N
    means = np.zeros((S, 2))
    means[:, 0] = 1.0
    means[:, 1] = 1.0 - g
    mu = np.zeros((S, 2))
    mu[:, 0] = rho
    realised = 1.0
    if _flag("noisy_anchor", noisy_anchor):
        means[0] = (0.6, 0.5)
        mu[0] = (rho[0] - 1.0 / N, 1.0 / N)
        realised = rho[0] / mu[0, 0]
    return _finish(ContextualBandit(rho, means), mu, realised)


def lcb_h3_expected_suboptimality(n_samples: int, n_states: int = 10, gap_scale: float = 1.0) -> float:
    r"""The rare contexts' exact share of E[subopt] of seen-first LCB on LCB-H3.

    A rare context (:math:`\rho = 1/N`) is unseen with probability :math:`(1 - 1/N)^N` and then gets
    a uniformly random action ([derived], :ref:`lcb-h3`):

    .. math::

        \mathbb E[\text{subopt}] = \frac{S - 1}{N} \Bigl(1 - \frac1N\Bigr)^N \frac{g}{2} .

    This is LCB's whole error with ``noisy_anchor=False``; with the noisy anchor LCB also errs there
    when the rare action's lower bound beats :math:`a^\star`'s, which needs many samples of a
    1/N-mass action (LCB-C2 checks the formula against Monte Carlo to 10%).

    Parameters
    ----------
    n_samples : int
        N.
    n_states : int
        S (one anchor and S - 1 rare contexts).
    gap_scale : float in (0, 1]
        The reward gap g in the rare contexts.

    Returns
    -------
    float
        The expected suboptimality contributed by the rare contexts.

    Examples
    --------
    >>> round(lcb_h3_expected_suboptimality(1000, 10), 6)
    0.001655
    """
    N = v.positive_int("n_samples", n_samples)
    S = v.positive_int("n_states", n_states)
    g = v.probability("gap_scale", gap_scale, open_high=False)
    return (S - 1) / N * (1.0 - 1.0 / N) ** N * g / 2.0


def lcb_h4(n_samples: int, concentrability: float = 1.5, gap_scale: float = 1.0, n_states: int = 10, *,
           noisy_anchor: bool = True) -> LCBInstance:
    r"""LCB-H4: ambiguous contexts, rate :math:`\sqrt{S (C^\star-1) / N}` for :math:`C^\star \in [1, 2]`.

    The family of :ref:`lcb-h4`.

    Anchor context 0: :math:`\rho = 2 - C^\star`, data on its optimal action 0
    (:math:`\mu = \rho/C^\star`). S-1 ambiguous contexts of total :math:`\rho`-mass
    :math:`C^\star - 1`, each with :math:`\mu(s, 0) = \mu(s, 1) = \rho(s)/C^\star` and Bernoulli means
    :math:`(1/2 + \Delta_s, 1/2)`, :math:`\Delta_s = \kappa / \sqrt{N \rho(s) / C^\star}` (``gap_scale``
    :math:`\kappa`), capped at 1/2. The masses sum to 1 and :math:`\max d^{\pi^\star}/\mu = C^\star`
    exactly; :math:`C^\star = 1 + S/N` gives the 1/N regime. ``n_samples`` is the total sample size
    the gaps are scaled for (VI-LCB's checks pass the total N, not a fold's size).

    ``noisy_anchor=False`` is the plain family: anchor means (1, 0), nothing else seen there.
    ``noisy_anchor=True`` (default; [derived], :ref:`lcb-noisy-anchor`): anchor means (0.6, 0.5) and
    a rare suboptimal action, :math:`\mu = (1 - 1/N) \mu_{\text{plain}} + (1/N) \mathbb 1\{(0, 1)\}`.
    Without it only "seen ranks above unseen" matters and greedy or UCB reach the same rates; with
    it an unpenalised rule picks the rare action after a lucky sample (constant error, LCB-M4's
    mechanism). Realised coefficient :math:`C^\star N / (N - 1)` (checked).

    Parameters
    ----------
    n_samples : int
        N.
    concentrability : float in [1, 2]
        :math:`C^\star` of the plain family (the realised value is :math:`C^\star N/(N-1)` with the
        noisy anchor).
    gap_scale : float > 0
        :math:`\kappa` in :math:`\Delta_s`.
    n_states : int >= 2
        S.
    noisy_anchor : bool
        Add the rare noisy suboptimal action in the anchor (see above).

    Returns
    -------
    LCBInstance
        ``(ContextualBandit, mu (S, 2), realised C*)``.

    Examples
    --------
    >>> inst = lcb_h4(1000, 1.5, n_states=10)
    >>> round(inst.concentrability, 6), round(float(inst.data_distribution[0, 1]), 6)
    (1.501502, 0.001)
    """
    N = v.positive_int("n_samples", n_samples)
    C = _concentrability(concentrability, 1.0, 2.0)
    kappa = v.positive_float("gap_scale", gap_scale)
    S = v.positive_int("n_states", n_states)
    noisy = _flag("noisy_anchor", noisy_anchor)
    if S < 2:
        raise ValueError(f"n_states: expected at least 2 contexts (an anchor and an ambiguous one), got {S}")
    v.check_allocation("n_states", 8 * S, 8, "entries of the context arrays")
    if noisy and N < 2:
        raise ValueError(f"n_samples: expected at least 2 with a noisy anchor (mass 1/N), got {N}")
    rho = np.empty(S)
    rho[0] = 2.0 - C
    rho[1:] = (C - 1.0) / (S - 1)
    means = np.zeros((S, 2))
    means[0] = (1.0, 0.0)
    mu = np.zeros((S, 2))
    mu[0, 0] = rho[0] / C
    if C > 1.0:
        gap = np.minimum(0.5, kappa / np.sqrt(N * rho[1:] / C))
        means[1:, 0] = 0.5 + gap
        means[1:, 1] = 0.5
        mu[1:, :] = (rho[1:] / C)[:, None]
    else:  # C* = 1: the ambiguous contexts have no mass; keep them well defined
        means[1:] = (1.0, 0.0)
    mu, rho = mu / mu.sum(), rho / rho.sum()
    realised = C
    if noisy:
        means[0] = (0.6, 0.5)
        mu = (1.0 - 1.0 / N) * mu
        mu[0, 1] = 1.0 / N
        realised = C * N / (N - 1.0)
    return _finish(ContextualBandit(rho, means), mu, realised)


def cb_as_mdp(instance: LCBInstance, gamma: float) -> LCBInstance:
    r"""LCB-H5's construction: a contextual bandit as a discounted MDP whose actions do not matter.

    :math:`P(s' \mid s, a) = \rho(s')`, R = the bandit's means, initial distribution :math:`\rho`.
    Then :math:`J(\pi) = \mathbb E_\rho[r(s, \pi(s))] / (1 - \gamma)`, the optimal occupancy is
    :math:`\rho(s) \mathbb 1\{a = \pi^\star(s)\}` and the data distribution (and :math:`C^\star`)
    carry over unchanged (:ref:`lcb-h5`).

    Parameters
    ----------
    instance : LCBInstance of a ContextualBandit
        The bandit instance to embed (e.g. from :func:`lcb_h3` or :func:`lcb_h4`).
    gamma : float in [0, 1)
        The discount of the MDP.

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, the same mu, the same realised C*)`` (C* re-checked on the MDP).

    Examples
    --------
    >>> mdp, mu, C = cb_as_mdp(lcb_h4(1000, 1.5, n_states=4), 0.5)
    >>> mdp.P.shape, round(C, 4)
    ((4, 2, 4), 1.5015)
    """
    if not isinstance(instance, LCBInstance):
        raise TypeError(f"instance: expected an LCBInstance of a ContextualBandit, got {type(instance).__name__}")
    cb = instance.problem
    if not isinstance(cb, ContextualBandit):
        raise TypeError(f"instance: expected a contextual-bandit LCBInstance, got {type(cb).__name__}")
    rho = cb.context_distribution
    S, A = cb.means.shape
    v.check_allocation("instance", 3 * S * A * S, 8, "entries of P (S A S) and its copies")
    P = np.broadcast_to(rho, (S, A, S)).copy()
    mdp = DiscountedMDP(P, cb.means, gamma, rho, cb.reward_model, cb.reward_std)
    return _finish(mdp, instance.data_distribution, instance.concentrability)


def lcb_h5(n_samples: int, concentrability: float = 1.5, gap_scale: float = 1.0, n_states: int = 6, *,
           gamma: float = 0.5, rare: bool = False, noisy_anchor: bool = True) -> LCBInstance:
    r"""LCB-H5: LCB-H4 (or, with ``rare=True``, LCB-H3) as a CB-like discounted MDP (:ref:`lcb-h5`).

    Built with :func:`cb_as_mdp`. Exercises VI-LCB's code path on a problem whose suboptimality is
    the bandit's times :math:`1/(1-\gamma)`. ``n_samples`` enters as in the bandit family (the total
    N); ``noisy_anchor`` as there: with it, value iteration without a penalty values the rare action
    by one lucky sample and keeps it.

    Parameters
    ----------
    n_samples : int
        N, as in :func:`lcb_h4` / :func:`lcb_h3`.
    concentrability : float
        :math:`C^\star`, as in :func:`lcb_h4` (in [1, 2]) or :func:`lcb_h3` (must be 1).
    gap_scale : float
        As in :func:`lcb_h4` (:math:`\kappa`) or :func:`lcb_h3` (the rare contexts' gap).
    n_states : int >= 2
        S.
    gamma : float in [0, 1)
        The discount of the MDP.
    rare : bool
        LCB-H3 (expert data, rare states) instead of LCB-H4.
    noisy_anchor : bool
        As in :func:`lcb_h4` / :func:`lcb_h3`.

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, mu (S, 2), realised C*)``.

    Examples
    --------
    >>> mdp, mu, C = lcb_h5(1000, 1.0, rare=True)
    >>> float(mdp.gamma), mdp.P.shape, round(C, 4)
    (0.5, (6, 2, 6), 1.001)
    """
    S = v.positive_int("n_states", n_states)
    v.check_allocation("n_states", 3 * S * 2 * S, 8, "entries of P (S A S) and its copies")
    base = (lcb_h3(n_samples, concentrability, gap_scale, n_states, noisy_anchor=noisy_anchor) if _flag("rare", rare)
            else lcb_h4(n_samples, concentrability, gap_scale, n_states, noisy_anchor=noisy_anchor))
    return cb_as_mdp(base, gamma)


def lcb_h6(n_samples: int, concentrability: float = 2.0, gap_scale: float = 0.2, n_states: int = 6, *,
           gamma: float = 0.9) -> LCBInstance:
    r"""LCB-H6: a horizon-sensitive chain where one mistake is absorbing (:ref:`lcb-h6`, qualitative).

    States 0..S-2 form a chain walked by action 0, which pays 1 - ``gap_scale`` per step (the last
    chain state loops on itself); action 1 pays 1 once and falls into the absorbing state S-1
    (reward 0). :math:`Q^\star(s, 1) = 1` while :math:`V^\star(s) = (1 - g)/(1 - \gamma)`, so a single
    imitation error costs :math:`\sim 1/(1 - \gamma)`. Data:
    :math:`\mu = d^{\pi^\star}/C^\star + (1 - 1/C^\star) \nu` with :math:`\nu` uniform off
    :math:`\operatorname{supp} d^{\pi^\star}` (exact :math:`C^\star`). N is unused.

    Parameters
    ----------
    n_samples : int
        Validated, unused.
    concentrability : float >= 1
        :math:`C^\star`, exact.
    gap_scale : float in (0, 1)
        The chain's per-step shortfall g.
    n_states : int >= 3
        S (a chain of S - 1 states and the absorbing state).
    gamma : float in [0, 1)
        The discount; :math:`(1 - g)/(1 - \gamma) > 1` is required so that the chain is optimal.

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, mu (S, 2), C*)``.

    Examples
    --------
    >>> mdp, mu, C = lcb_h6(1000, 2.0, 0.2, 5)
    >>> mdp.optimal_policy[:4].tolist(), C
    ([0, 0, 0, 0], 2.0)
    """
    from ..data import data_distribution

    v.positive_int("n_samples", n_samples)
    C = _concentrability(concentrability)
    g = v.probability("gap_scale", gap_scale)
    S = v.positive_int("n_states", n_states)
    if S < 3:
        raise ValueError(f"n_states: expected at least 3 (a chain of 2 and the absorbing state), got {S}")
    v.check_allocation("n_states", 3 * S * 2 * S, 8, "entries of P (S A S) and its copies")
    gam = v.discount(gamma)
    if (1.0 - g) / (1.0 - gam) <= 1.0:
        raise ValueError(f"gap_scale: expected (1 - gap_scale)/(1 - gamma) > 1 so that the chain is optimal, "
                         f"got gap_scale {gap_scale} with gamma {gamma}")
    dead = S - 1
    P = np.zeros((S, 2, S))
    R = np.zeros((S, 2))
    for s in range(dead):
        P[s, 0, min(s + 1, dead - 1)] = 1.0
        P[s, 1, dead] = 1.0
        R[s] = (1.0 - g, 1.0)
    P[dead, :, dead] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    mdp = DiscountedMDP(P, R, gam, initial)
    return _finish(mdp, data_distribution(mdp, C), C)


def lcb_random_contextual_bandit(rng, *, n_states: int, n_actions: int, concentrability: float) -> LCBInstance:
    r"""The random-instance recipe of LCB-C3 (:ref:`lcb-random-recipe`), steps 2-4.

    :math:`\rho \sim \mathrm{Dirichlet}(1)`; :math:`\pi^\star` uniform; :math:`R \sim U[0, 1]` with
    :math:`R(s, \pi^\star(s))` raised to the row maximum (plus 1e-9, so that :math:`\pi^\star` is the
    unique optimum); :math:`\nu \sim \mathrm{Dirichlet}(1)` over the pairs off :math:`\pi^\star`;
    :math:`\mu = d^{\pi^\star}/C^\star + (1 - 1/C^\star) \nu` (exact :math:`C^\star`,
    :ref:`lcb-dialling`).

    Parameters
    ----------
    rng : Generator or int seed
        Draws the instance.
    n_states : int >= 1
        S.
    n_actions : int >= 2
        A.
    concentrability : float >= 1
        :math:`C^\star`, exact.

    Returns
    -------
    LCBInstance
        ``(ContextualBandit, mu (S, A), C*)``.

    Examples
    --------
    >>> cb, mu, C = lcb_random_contextual_bandit(0, n_states=3, n_actions=2, concentrability=2.0)
    >>> mu.shape, round(C, 9)
    ((3, 2), 2.0)
    """
    gen = v.as_rng(rng)
    S, A = v.positive_int("n_states", n_states), v.positive_int("n_actions", n_actions)
    if A < 2:
        raise ValueError(f"n_actions: expected at least 2, got {A}")
    C = _concentrability(concentrability)
    v.check_allocation("n_states, n_actions", 6 * S * A, 8, "entries of the means and the data distribution")
    rho = gen.dirichlet(np.ones(S))
    pi_star = gen.integers(0, A, size=S)
    R = gen.random((S, A))
    R[np.arange(S), pi_star] = R.max(axis=1)
    # Break exact ties so that pi* is the unique optimum (the recipe's "raise to the row maximum").
    R[np.arange(S), pi_star] = np.minimum(1.0, R[np.arange(S), pi_star] + 1e-9)
    cb = ContextualBandit(rho, R)
    d_star = optimal_occupancy(cb)
    off = d_star <= 0
    nu = np.where(off, gen.gamma(1.0, size=(S, A)), 0.0)
    nu /= nu.sum()
    mu = d_star / C + (1.0 - 1.0 / C) * nu
    return _finish(cb, mu, C)


def lcb_random_mdp(rng, *, concentrability: float, n_states: int = 5, n_actions: int = 3, gamma: float = 0.9,
                   mixing: str = "all") -> LCBInstance:
    r"""A random MDP with data :math:`\mu = d^{\pi^\star}/C + (1 - 1/C) \nu` (LCB-V1, V4).

    The MDP is :func:`mdps.instances.random_mdp`.

    ``mixing="all"``: :math:`\nu` uniform over all pairs, so the realised :math:`C^\star` is *below*
    the nominal one (:ref:`lcb-dialling`; LCB-V1's instance, seed 20210323 at gamma 0.5, realises
    1.54 for nominal 2 and 2.69 for nominal 10:
    ``lcb_random_mdp(20210323, concentrability=2.0, gamma=0.5).concentrability``);
    ``"off"``: :math:`\nu` uniform off :math:`\operatorname{supp} d^{\pi^\star}`, exact
    :math:`C^\star`.

    Parameters
    ----------
    rng : Generator or int seed
        Draws the MDP.
    concentrability : float >= 1
        The nominal :math:`C^\star` (C in the mixture).
    n_states : int
        S.
    n_actions : int
        A.
    gamma : float in [0, 1)
        The discount.
    mixing : {"all", "off"}
        Where :math:`\nu` puts its mass (see above).

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, mu (S, A), realised C*)``.

    Examples
    --------
    >>> round(lcb_random_mdp(20210323, concentrability=2.0, gamma=0.5).concentrability, 3)
    1.536
    """
    from ..data import data_distribution
    from .random import random_mdp

    C = _concentrability(concentrability)
    mdp = random_mdp(n_states, n_actions, gamma, rng)
    if mixing == "off":
        return _finish(mdp, data_distribution(mdp, C), C)
    if mixing != "all":
        raise ValueError(f"mixing: expected 'all' or 'off', got {mixing!r}")
    d_star = optimal_occupancy(mdp)
    mu = d_star / C + (1.0 - 1.0 / C) / d_star.size
    return _finish(mdp, mu, C, exact=False)


def lcb_gamble_mdp(n_gambles: int = 4, *, gamma: float = 0.9, safe_reward: float = 0.4,
                   gamble_mass: float = 0.1) -> LCBInstance:
    r"""Gamble states whose next-state value has the largest spread: a horizon-sensitive pessimism test.

    ([derived], not in the paper; :ref:`lcb-horizon-instances`.) States 0..G-1 are gambles:
    action 0 pays 0 and moves to the absorbing *good* state G (reward 1, value :math:`1/(1-\gamma)`)
    or *bad* state G+1 (reward 0) with probability 1/2 each; action 1 pays ``safe_reward`` and stays.
    Gambling is worth :math:`\gamma / (2(1-\gamma))` against :math:`r_{\text{safe}}/(1-\gamma)`: with
    gamma = 0.9 and the default safe reward, gambling is optimal (:math:`V^\star = 4.5` against 4).
    The target :math:`r + \gamma V(s')` of a gamble spans the whole range :math:`[0, 1/(1-\gamma)]`,
    so a penalty that forgets its horizon factor :math:`V_{\max} = 1/(1-\gamma)` is
    :math:`\sim (1-\gamma)` of the width it needs, and the maximum over the iterations' independent
    folds drives VI-LCB's value above the truth. Data: ``gamble_mass`` spread evenly over the gamble
    pairs, the rest evenly over the good and bad pairs; the start is uniform on the gambles.

    Parameters
    ----------
    n_gambles : int >= 1
        G.
    gamma : float in [0, 1)
        The discount.
    safe_reward : float in [0, 1]
        Must be below gamma / 2 so that gambling is optimal.
    gamble_mass : float in (0, 1)
        The total data mass on the gamble states' pairs.

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, mu (G + 2, 2), realised C*)``.

    Examples
    --------
    >>> mdp, mu, C = lcb_gamble_mdp(4)
    >>> mdp.optimal_values.round(2).tolist(), round(C, 6)
    ([4.5, 4.5, 4.5, 4.5, 10.0, 0.0], 2.0)
    """
    G = v.positive_int("n_gambles", n_gambles)
    v.check_allocation("n_gambles", 3 * (G + 2) * 2 * (G + 2), 8, "entries of P (S A S) and its copies")
    gam = v.discount(gamma)
    safe = v.probability("safe_reward", safe_reward, open_low=False, open_high=False)
    w = v.probability("gamble_mass", gamble_mass)
    if safe >= gam / 2:
        raise ValueError(f"safe_reward: expected below gamma / 2 = {gam / 2:g} so that gambling is optimal, "
                         f"got {safe_reward}")
    S = G + 2
    good, bad = G, G + 1
    P = np.zeros((S, 2, S))
    R = np.zeros((S, 2))
    for s in range(G):
        P[s, 0, good] = P[s, 0, bad] = 0.5
        P[s, 1, s] = 1.0
        R[s, 1] = safe
    P[good, :, good] = 1.0
    R[good] = 1.0
    P[bad, :, bad] = 1.0
    initial = np.zeros(S)
    initial[:G] = 1.0 / G
    mdp = DiscountedMDP(P, R, gam, initial)
    mu = np.zeros((S, 2))
    mu[:G] = w / (2 * G)
    mu[G:] = (1.0 - w) / 4
    return _finish(mdp, mu, realised_concentrability(mdp, mu))


def lcb_delayed_chain(length: int = 15, *, gamma: float = 0.9, cash_out: float = 0.5) -> LCBInstance:
    r"""A chain whose reward lies ``length`` steps away: value iteration needs enough rounds.

    ([derived], not in the paper; :ref:`lcb-horizon-instances`.) Chain states 0..k-1
    (k = ``length``): action 0 pays 0 and moves one step right, action 1 pays ``cash_out`` once and
    falls into an absorbing dead state (reward 0). State k pays 1 forever. Starting at 0, walking is
    optimal when :math:`\gamma^k / (1 - \gamma)` exceeds ``cash_out`` (2.06 against 0.5 by default).
    Value iteration from :math:`V_0 = 0` sees the payoff at state 0 only after k + 1 rounds, and
    needs a few horizons :math:`1/(1 - \gamma)` more before it beats the cash-out: a learner that
    runs :math:`\sim \log N` rounds instead of :math:`\log N / (1 - \gamma)` cashes out. Data:
    uniform over all pairs.

    Parameters
    ----------
    length : int >= 1
        k.
    gamma : float in [0, 1)
        The discount.
    cash_out : float in [0, 1]
        Must be below gamma^k / (1 - gamma) so that walking is optimal.

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, mu (k + 2, 2), realised C*)``.

    Examples
    --------
    >>> mdp, mu, C = lcb_delayed_chain(15)
    >>> round(float(mdp.optimal_values[0]), 3), mdp.optimal_policy[:3].tolist()
    (2.059, [0, 0, 0])
    """
    k = v.positive_int("length", length)
    v.check_allocation("length", 3 * (k + 2) * 2 * (k + 2), 8, "entries of P (S A S) and its copies")
    gam = v.discount(gamma)
    cash = v.probability("cash_out", cash_out, open_low=False, open_high=False)
    if cash >= gam ** k / (1.0 - gam):
        raise ValueError(f"cash_out: expected below gamma^k / (1 - gamma) = {gam ** k / (1 - gam):g} so that "
                         f"walking is optimal, got {cash_out}")
    S = k + 2
    pay, dead = k, k + 1
    P = np.zeros((S, 2, S))
    R = np.zeros((S, 2))
    for s in range(k):
        P[s, 0, s + 1] = 1.0
        P[s, 1, dead] = 1.0
        R[s, 1] = cash
    P[pay, :, pay] = 1.0
    R[pay] = 1.0
    P[dead, :, dead] = 1.0
    initial = np.zeros(S)
    initial[0] = 1.0
    mdp = DiscountedMDP(P, R, gam, initial)
    mu = np.full((S, 2), 1.0 / (2 * S))
    return _finish(mdp, mu, realised_concentrability(mdp, mu))


def lcb_risky_branch(n_samples: int, *, gamma: float = 0.9, safe_reward: float = 0.4,
                     good_probability: float = 0.3, rare_count: float = 1.0) -> LCBInstance:
    r"""A rarely sampled lottery whose target spans the horizon: a horizon-sensitive noisy anchor.

    ([derived], not in the paper; :ref:`lcb-horizon-instances`.) State 0 (the start) has a *safe*
    action 0 (reward ``safe_reward``, stay: value :math:`r_{\text{safe}}/(1-\gamma)`) and a *risky*
    action 1 (reward 0, then the absorbing good state 1, reward 1, with probability
    ``good_probability``, else the absorbing bad state 2, reward 0): worth
    :math:`\gamma p/(1-\gamma)`, below the safe value. Data: mass ``rare_count`` / N on the risky
    pair, the rest evenly over the other five pairs. One lucky sample of the risky pair puts its
    empirical target at :math:`\gamma/(1-\gamma)`; the Hoeffding penalty with its horizon factor,
    :math:`V_{\max}\sqrt{\log(\cdot)/(2m)}`, is above that, the penalty without it
    (:math:`\sqrt{\log(\cdot)/(2m)}`, ~3 at m = 1) is not, and the risky branch wins.

    Parameters
    ----------
    n_samples : int >= 2
        N, the dataset size the rare mass is 1/N-scaled for.
    gamma : float in [0, 1)
        The discount.
    safe_reward : float in [0, 1]
        The safe action's reward; must exceed ``gamma * good_probability`` so that safe is optimal.
    good_probability : float in (0, 1)
        The risky action's chance of reaching the good state.
    rare_count : float > 0
        The expected number of risky samples in a dataset of N (its mass is rare_count / N < 1/2).

    Returns
    -------
    LCBInstance
        ``(DiscountedMDP, mu (3, 2), realised C*)``.

    Examples
    --------
    >>> mdp, mu, C = lcb_risky_branch(10 ** 6)
    >>> mdp.optimal_values.round(2).tolist(), mdp.optimal_policy[0].item()
    ([4.0, 10.0, 0.0], 0)
    """
    N = v.positive_int("n_samples", n_samples)
    if N < 2:
        raise ValueError(f"n_samples: expected at least 2, got {n_samples}")
    gam = v.discount(gamma)
    safe = v.probability("safe_reward", safe_reward, open_low=False, open_high=False)
    p = v.probability("good_probability", good_probability)
    if safe <= gam * p:
        raise ValueError(f"safe_reward: expected above gamma * good_probability = {gam * p:g} so that the safe "
                         f"action is optimal, got {safe_reward}")
    if isinstance(rare_count, bool) or not isinstance(rare_count, (int, float, np.integer, np.floating)) \
            or not 0.0 < float(rare_count) < N / 2:
        raise ValueError(f"rare_count: expected a number in (0, n_samples / 2), got {rare_count!r}")
    rare = float(rare_count) / N
    P = np.zeros((3, 2, 3))
    R = np.zeros((3, 2))
    P[0, 0, 0] = 1.0
    R[0, 0] = safe
    P[0, 1, 1], P[0, 1, 2] = p, 1.0 - p
    P[1, :, 1] = 1.0
    R[1] = 1.0
    P[2, :, 2] = 1.0
    initial = np.array([1.0, 0.0, 0.0])
    mdp = DiscountedMDP(P, R, gam, initial)
    mu = np.full((3, 2), (1.0 - rare) / 5)
    mu[0, 1] = rare
    return _finish(mdp, mu, realised_concentrability(mdp, mu))


#: The families by id (:ref:`lcb-hard-instances`), each callable as
#: ``family(n_samples, concentrability, gap_scale, n_states)``.
HARD_FAMILIES = {"LCB-H1": lcb_h1, "LCB-H2": lcb_h2, "LCB-H3": lcb_h3, "LCB-H4": lcb_h4, "LCB-H5": lcb_h5,
                 "LCB-H6": lcb_h6}
