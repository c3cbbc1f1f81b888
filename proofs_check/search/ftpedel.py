r"""FTPedel's correctness over a class of Gaussian bandits (Wagenmaker & Pacchiano 2023; :ref:`theory-ftpedel`).

One explicit bound of :mod:`proofs_check.ftpedel` is searched:

``FT-E1``
    FTPedel returns an :math:`\epsilon`-optimal member of its class :math:`\Pi` with probability
    at least :math:`1 - \delta` (the correctness half of the FTPedel upper bound,
    :ref:`ftpedel-upper-bound`; the good event of :ref:`ftpedel-correctness`). The claim checks
    the protocol's default learner, FTPedel at radius constant :math:`c_\beta = 0.3`
    (:data:`proofs_check.ftpedel.E1_RADIUS`), on one 16-armed bandit.

**The class.** :math:`K`-armed bandits written as linear MDPs (:math:`H = 1`, tabular features,
unit-variance Gaussian rewards, the arm policies as :math:`\Pi`;
:func:`mdps.instances.ftpedel.bandit_linear_mdp`), :math:`2 \le K \le 16`:

- ``"gaps"`` (FT-X1's shape, :func:`mdps.instances.ftpedel.ft_x1`): the optimal arm has mean 0.6
  and every other arm the gap :math:`\Delta = r \epsilon`, :math:`r \in \{1.1, 1.5, 2\}`, so that
  every suboptimal answer is a violation;
- ``"competitor"`` (:func:`mdps.instances.ftpedel.competitor_bandit`): one arm at gap
  :math:`r \epsilon` and the others at gap 0.5;

with :math:`\epsilon \in \{0.1, 0.05, 0.025\}`, offline data of 10, 20 or 50 tuples on every arm
or on every arm but the optimal one (FT-X1's offline design), or none, and the optimal arm first
(the initial leader) or last. The claim's bandit (16 arms, :math:`\epsilon = 0.05`, gaps
:math:`0.055`, 20 tuples on every arm, optimum first) is a member.

**The test.** Per instance, :data:`E1_FIRST_RUNS` independent runs (fresh offline data and
online samples each), and :data:`E1_MORE_RUNS` more when the first look is suggestive; a run
violates when the returned arm's gap exceeds :math:`\epsilon`. The violations are tested against
the rate :math:`\delta = 0.05` (:data:`E1_SEARCH_DELTA`, half the claim's
:data:`proofs_check.ftpedel.E1_DELTA`) with the exact binomial test at each of the two looks,
Bonferroni over the looks (:func:`two_look_p_value`).

**Which** :math:`\delta` **the learner is given** ([derived], :func:`failure_bound`). At
:math:`c_\beta = 0.3` the theorem's union bound does not cover the claim's call (the claim passes
:math:`\delta = 0.1` itself and relies on the bound's slack; :ref:`ftpedel-radius`), so a search
over many instances at that call would test something no theorem states. The search therefore
gives each run a smaller :math:`\delta_{\rm run}`: the largest (at most :math:`\delta`) at which
the union bound of :func:`failure_bound`, computed at the protocol default's radius constant 0.3,
is at most :math:`\delta` (:func:`run_delta`). The protocol is unchanged (``learner(mdp,
policies, epsilon=..., delta=delta_run, offline=..., rng=...)``), and the test is valid both for
the default learner (whose failure probability is at most ``failure_bound(delta_run) <= delta``)
and for any learner that is :math:`(\epsilon, \delta_{\rm run})`-PAC (at most
:math:`\delta_{\rm run} \le \delta`). The mutants of the panel (elimination at
:math:`\epsilon_\ell`, :math:`\beta_\ell / 10`) get the same call; on the claim's bandit
:math:`\delta_{\rm run} \approx 2.8 \cdot 10^{-3}`.

**Not searched.** Multi-step problems (:math:`H \ge 2`, e.g. FT-E5's random linear family): the
visitation estimates then propagate errors through the horizon, the paper's radius carries
:math:`c H^4` with an unknown universal :math:`c` (`[recalled]`), and no explicit failure bound
exists at :math:`c_\beta = 0.3`. Bernoulli rewards: the Gaussian tail of :func:`failure_bound`
would have to become a sub-Gaussian one. Both are outside the class.

Every strategy shrinks toward small instances: fewer arms, the largest :math:`\epsilon` (fewest
rounds), the ``"gaps"`` family, the smallest gap ratio, no offline data, the optimum first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mdps.instances.ftpedel import HybridInstance, arm_policies, bandit_linear_mdp
from provable_rl import ftpedel as ft

from .. import ftpedel as claims
from . import BoundProperty, binomial_trial, register_property

__all__ = ["E1_CONTINUE_FROM", "E1_ENOUGH", "E1_FIRST_RUNS", "E1_MORE_RUNS", "E1_PROPERTY", "E1_SEARCH_DELTA",
           "E1Instance", "e1_evaluate", "e1_load", "e1_parameters", "failure_bound", "run_delta",
           "two_look_p_value"]

#: Runs of the first look at an instance; the second look adds :data:`E1_MORE_RUNS` runs when
#: the first saw at least :data:`E1_CONTINUE_FROM` violations (:func:`two_look_p_value`).
E1_FIRST_RUNS = 20
E1_MORE_RUNS = 60
E1_CONTINUE_FROM = 2
#: No second look when the first one already has this many violations (its p-value alone is
#: then below 1e-3).
E1_ENOUGH = 6
#: The failure rate tested: half the claim's delta = 0.1. Each run's delta_run is solved for it
#: (:func:`run_delta`); at a smaller rate the binomial test needs a smaller violation frequency to
#: reject, and the panel's frequencies fall more slowly than the rate.
E1_SEARCH_DELTA = 0.05
#: Mean of the optimal arm, and the gap of the far arms of the competitor family.
BEST_MEAN, FAR_GAP = 0.6, 0.5
_EPSILONS = (0.1, 0.05, 0.025)
_GAP_RATIOS = (1.1, 1.5, 2.0)
#: Offline designs: none, or ``arms:count`` tuples on every arm or on every arm but the optimum.
_OFFLINE = ("none", "all:10", "all:20", "all:50", "suboptimal:10", "suboptimal:20", "suboptimal:50")


def _strategies():
    from hypothesis import strategies as st

    return st


# ------------------------------------------------------------------------------------------
# The derived failure bound
# ------------------------------------------------------------------------------------------

def failure_bound(means, epsilon: float, delta: float, *, radius_constant: float = claims.E1_RADIUS,
                  regularizer: float = claims.REGULARIZER) -> float:
    r"""An upper bound on FTPedel's probability of returning an arm that is not :math:`\epsilon`-optimal ([derived]).

    For a Gaussian bandit (unit variance, tabular features, :math:`H = 1`, the arm policies as
    :math:`\Pi`, :math:`K = \lvert\Pi\rvert`) and FTPedel with difference targets, radius
    constant :math:`c` and ridge :math:`\lambda`, run at confidence :math:`\delta`.

    *Round* :math:`\ell` (:math:`\epsilon_\ell = 2^{-\ell}`, :math:`\ell \le L =
    \max(1, \lceil \log_2(4/\epsilon) \rceil)`) ends only when the pooled counts :math:`n_a`
    (online of this round plus offline) satisfy
    :math:`1/(n_a + \lambda) + 1/(n_{\rm lead} + \lambda) \le \tau_\ell = \epsilon_\ell^2 /
    \beta_\ell`, :math:`\beta_\ell = c \log(2 K \ell^2 / \delta)`, for every survivor
    :math:`a`. On a bandit the counts are fixed by the round's design (its atoms are arms), not
    by the round's rewards. The estimate :math:`\hat\theta_a = S_a / (n_a + \lambda)` with
    :math:`S_a \sim \mathcal N(n_a \mu_a, n_a)` has noise variance at most :math:`1/(n_a +
    \lambda)` and bias at most :math:`\lambda \lvert\mu_a\rvert / (n_a + \lambda) \le \lambda
    \lvert\mu_a\rvert \tau_\ell`. So for two survivors :math:`a, \star` the error of
    :math:`\hat\theta_a - \hat\theta_\star` is Gaussian, with a bias at most :math:`b_\ell = 2
    \lambda \max\lvert\mu\rvert \tau_\ell` and a variance :math:`1/(n_a + \lambda) + 1/(n_\star +
    \lambda)` at most :math:`s_\ell \tau_\ell`: :math:`s_\ell = 1` when the leader is :math:`a` or
    :math:`\star` (always when :math:`K = 2`; in round 1, whose leader is the first policy, when
    that policy is optimal), :math:`s_\ell = 2` otherwise (each term is below
    :math:`\tau_\ell - 1/(n_{\rm lead} + \lambda)`).

    *Violation.* Let :math:`\star` be an optimal arm and :math:`\Delta_a` the gaps. A run returns
    an arm with :math:`\Delta > \epsilon` only if :math:`\star` is eliminated in some round
    (:math:`\hat\theta_a - \hat\theta_\star > 2 \epsilon_\ell` for a survivor :math:`a`, an error
    above :math:`2 \epsilon_\ell + \Delta_a`), or :math:`\star` survives all :math:`L` rounds and
    a bad arm :math:`b` has the larger last estimate (an error above :math:`\Delta_b`). A union
    bound over these events gives

    .. math::

        P(\Delta(\hat\pi) > \epsilon) \le \sum_{\ell=1}^{L} \sum_{a \ne \star}
        \bar\Phi\Big(\frac{2 \epsilon_\ell + \Delta_a - b_\ell}{\sqrt{s_\ell \tau_\ell}}\Big)
        + \sum_{b:\, \Delta_b > \epsilon} \bar\Phi\Big(\frac{\Delta_b - b_L}{\sqrt{s_L \tau_L}}\Big),

    with :math:`\bar\Phi` the standard normal tail. At :math:`c = 1` the first sum is at most
    :math:`\sum_\ell (K - 1) e^{-\beta_\ell} / 2 < \delta / 2` (:ref:`ftpedel-correctness`); at
    :math:`c = 0.3` it must be evaluated. Each round's fresh online rewards are independent of the
    design that fixed their counts, so the bound is exact without offline data; offline tuples are
    reused by every round, and the bound then treats each round's design as given, as the
    theorem's good event does.

    Parameters
    ----------
    means : array_like, shape (K,)
        The arms' mean rewards, K >= 2.
    epsilon : float
        The accuracy :math:`\epsilon > 0`.
    delta : float
        The confidence the run is given, in (0, 1).
    radius_constant : float
        :math:`c` (default: FT-E1's 0.3).
    regularizer : float
        :math:`\lambda` (default: the end-to-end learners' 1e-3).

    Returns
    -------
    float
        The bound (may exceed 1).

    Examples
    --------
    >>> means = [0.6] + [0.545] * 15                       # FT-E1's bandit
    >>> failure_bound(means, 0.05, 0.1) > 0.1, failure_bound(means, 0.05, 0.1, radius_constant=1.0) < 1e-3
    (True, True)
    """
    from scipy.stats import norm

    mu = np.asarray(means, dtype=float)
    K = mu.size
    best = int(np.argmax(mu))
    gaps = mu[best] - mu
    others = np.delete(gaps, best)
    n_rounds = max(1, math.ceil(math.log2(4.0 / epsilon)))
    scale = float(np.abs(mu).max())

    def spread(ell):      # variance of a difference, in units of tau_l: 1 when the leader is in the pair
        return 1.0 if K == 2 or (ell == 1 and best == 0) else 2.0

    total = 0.0
    for ell in range(1, n_rounds + 1):
        eps_l = 2.0 ** -ell
        tol = eps_l ** 2 / ft.confidence_radius(ell, horizon=1, n_policies=K, delta=delta,
                                                radius_constant=radius_constant)
        bias = 2.0 * regularizer * scale * tol
        total += float(norm.sf((2.0 * eps_l + others - bias) / math.sqrt(spread(ell) * tol)).sum())
    bad = gaps[gaps > epsilon]
    total += float(norm.sf((bad - bias) / math.sqrt(spread(n_rounds) * tol)).sum())
    return total


def run_delta(means, epsilon: float, rate: float, **kwargs) -> float:
    r"""The largest :math:`\delta_{\rm run} \le` ``rate`` with :func:`failure_bound` at most ``rate``.

    The bound decreases as :math:`\delta` decreases (the radius grows); found by bisection on
    :math:`\log \delta` (60 halvings, the lower end kept, so the bound at the answer is at most
    ``rate``).

    Parameters
    ----------
    means : array_like, shape (K,)
        The arms' mean rewards.
    epsilon : float
        The accuracy.
    rate : float
        The failure rate to certify, in (0, 1).
    **kwargs
        Passed to :func:`failure_bound`.

    Returns
    -------
    float
        :math:`\delta_{\rm run}`.

    Examples
    --------
    >>> d = run_delta([0.6] + [0.545] * 15, 0.05, 0.1)
    >>> 0.01 < d < 0.02, failure_bound([0.6] + [0.545] * 15, 0.05, d) <= 0.1
    (True, True)
    """
    if failure_bound(means, epsilon, rate, **kwargs) <= rate:
        return float(rate)
    lo, hi = math.log(1e-300), math.log(rate)
    if failure_bound(means, epsilon, math.exp(lo), **kwargs) > rate:
        raise ValueError(f"rate: no delta certifies the rate {rate:g}")
    for _ in range(60):
        mid = (lo + hi) / 2
        if failure_bound(means, epsilon, math.exp(mid), **kwargs) <= rate:
            lo = mid
        else:
            hi = mid
    return float(math.exp(lo))


def two_look_p_value(first_violations: int, first_runs: int, violations: int, runs: int, rate: float) -> float:
    r"""The p-value of "P(violation) <= rate" from one or two looks at i.i.d. runs (Bonferroni over the looks).

    The first look sees :math:`k_1` violations in :math:`n_1` runs; a second look, taken or not by
    any rule, sees :math:`k` in all :math:`n \ge n_1` runs (pass :math:`n = n_1` when it was not
    taken). With :math:`p_1 = P(\mathrm{Bin}(n_1, \delta) \ge k_1)` and :math:`p_2 =
    P(\mathrm{Bin}(n, \delta) \ge k)` (1 without a second look) the p-value is
    :math:`\min(1, 2 \min(p_1, p_2))`. It is valid whatever the rule: under the null each look's
    exact binomial p-value is below :math:`\alpha / 2` with probability at most :math:`\alpha / 2`
    (the second one as a function of the :math:`n` runs the rule may or may not draw; not drawing
    them only replaces it by 1), and a union bound gives :math:`\alpha`. The binomial tails
    increase with the violation probability, so any rate below :math:`\delta` is covered too.

    Parameters
    ----------
    first_violations : int
        :math:`k_1`.
    first_runs : int
        :math:`n_1 \ge 1`.
    violations : int
        :math:`k \ge k_1`, over all runs.
    runs : int
        :math:`n \ge n_1`; equal to :math:`n_1` when there was no second look.
    rate : float
        :math:`\delta`, in (0, 1).

    Returns
    -------
    float
        The p-value.

    Examples
    --------
    >>> round(two_look_p_value(7, 20, 7, 20, 0.1), 4)            # 2 P(Bin(20, 0.1) >= 7)
    0.0048
    >>> two_look_p_value(3, 20, 20, 80, 0.1) < 1e-3 < two_look_p_value(3, 20, 3, 20, 0.1)
    True
    """
    import scipy.stats

    k1, n1, k, n = int(first_violations), int(first_runs), int(violations), int(runs)
    if n1 < 1 or not 0 <= k1 <= n1:
        raise ValueError(f"first_violations: expected a count in [0, first_runs={n1}], got {first_violations!r}")
    if n < n1 or not k1 <= k <= k1 + n - n1:
        raise ValueError(f"violations, runs: expected runs >= {n1} and violations in [{k1}, {k1 + n - n1}], "
                         f"got {violations!r} of {runs!r}")
    if not 0 < rate < 1:
        raise ValueError(f"rate: expected a number in (0, 1), got {rate!r}")
    p_first = float(scipy.stats.binom.sf(k1 - 1, n1, rate))
    p_second = float(scipy.stats.binom.sf(k - 1, n, rate)) if n > n1 else 1.0
    return min(1.0, 2.0 * min(p_first, p_second))


# ------------------------------------------------------------------------------------------
# FT-E1
# ------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class E1Instance:
    """One FT-E1 instance: the bandit and its offline design, the accuracy and the confidences.

    Parameters
    ----------
    problem : mdps.instances.ftpedel.HybridInstance
        The bandit, the arm policies and ``offline_counts``.
    epsilon : float
        The accuracy.
    delta : float
        The tested failure rate (:data:`E1_SEARCH_DELTA`).
    run_delta : float
        The confidence each run is given (:func:`run_delta`).
    bound : float
        :func:`failure_bound` at ``run_delta`` (at most ``delta``).
    """

    problem: HybridInstance
    epsilon: float
    delta: float
    run_delta: float
    bound: float


def e1_parameters():
    """Hypothesis strategy of FT-E1 instances: Gaussian bandits with offline data.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts with ``family`` (``"gaps"`` first, then ``"competitor"``), ``n_arms``,
        ``epsilon``, ``gap_ratio``, ``offline`` and ``optimum``; each field shrinks toward its
        simplest value.
    """
    st = _strategies()

    def family(name):
        return st.fixed_dictionaries({
            "family": st.just(name), "n_arms": st.integers(2, 16), "epsilon": st.sampled_from(_EPSILONS),
            "gap_ratio": st.sampled_from(_GAP_RATIOS), "offline": st.sampled_from(_OFFLINE),
            "optimum": st.sampled_from(("first", "last"))})

    return st.one_of(family("gaps"), family("competitor"))


def e1_load(parameters: dict) -> E1Instance:
    r"""The bandit of FT-E1 parameters, with :math:`\delta_{\rm run}` (deterministic).

    ``"gaps"``: arm means 0.6 and :math:`0.6 - r \epsilon`; ``"competitor"``: 0.6,
    :math:`0.6 - r \epsilon` and 0.1 for the rest. ``optimum="last"`` reverses the arms, so the
    initial leader (the first policy) is a suboptimal arm. ``offline="all:n"``: n tuples on every
    arm; ``"suboptimal:n"``: on every arm but the optimal one (FT-X1's design); ``"none"``.

    Parameters
    ----------
    parameters : dict
        A draw of :func:`e1_parameters`.

    Returns
    -------
    E1Instance
        The bandit, its offline design, :math:`\epsilon`, the tested rate and :math:`\delta_{\rm run}`.
    """
    K, eps = parameters["n_arms"], parameters["epsilon"]
    gap = parameters["gap_ratio"] * eps
    if parameters["family"] == "gaps":
        means = np.full(K, BEST_MEAN - gap)
    elif parameters["family"] == "competitor":
        means = np.full(K, BEST_MEAN - FAR_GAP)
        means[1] = BEST_MEAN - gap
    else:
        raise ValueError(f"parameters: unknown family {parameters['family']!r}")
    means[0] = BEST_MEAN
    if parameters["optimum"] == "last":
        means = means[::-1].copy()
    counts = np.zeros((1, 1, K), dtype=np.int64)
    if parameters["offline"] != "none":
        arms, n_offline = parameters["offline"].split(":")
        counts[:] = int(n_offline)
        if arms == "suboptimal":
            counts[0, 0, int(np.argmax(means))] = 0
        elif arms != "all":
            raise ValueError(f"parameters: unknown offline design {parameters['offline']!r}")
    problem = HybridInstance(bandit_linear_mdp(means), arm_policies(K), counts, f"FT-E1 {parameters['family']}")
    rate = E1_SEARCH_DELTA
    delta_run = run_delta(means, eps, rate)
    return E1Instance(problem, float(eps), rate, delta_run, failure_bound(means, eps, delta_run))


def e1_evaluate(instance: E1Instance, parameters, learner, rng):
    """FT-E1's bound on one bandit: the runs returning an arm that is not eps-optimal, tested at delta = 0.05.

    :data:`E1_FIRST_RUNS` runs, then :data:`E1_MORE_RUNS` more when the first look saw at least
    :data:`E1_CONTINUE_FROM` violations (and fewer than :data:`E1_ENOUGH`); the p-value is
    :func:`two_look_p_value`'s, the measured frequency and its interval are over all runs.

    Parameters
    ----------
    instance : E1Instance
        From :func:`e1_load`.
    parameters : dict
        Its parameters (unused beyond the instance).
    learner : callable
        A learner of the protocol ``ftpedel.pac_learner_r03``.
    rng : numpy.random.Generator
        The example's generator; split into the offline data's and the learner's.

    Returns
    -------
    proofs_check.search.Trial
        The violation frequency against the rate, with the two-look p-value.
    """
    import dataclasses

    problem, eps = instance.problem, instance.epsilon
    mdp, policies = problem.mdp, problem.policies
    gaps = ft.policy_class(mdp, policies).gaps
    data_rng, algo_rng = rng.spawn(2)
    outcomes = []

    def run(n_runs):
        for _ in range(n_runs):
            off = ft.sample_offline_statistics(mdp, problem.offline_counts, data_rng)
            res = learner(mdp, policies, epsilon=eps, delta=instance.run_delta, offline=off, rng=algo_rng)
            outcomes.append(float(gaps[res.policy_index]) / eps)

    run(E1_FIRST_RUNS)
    first = sum(g > 1.0 for g in outcomes)
    if E1_CONTINUE_FROM <= first < E1_ENOUGH:
        run(E1_MORE_RUNS)
    violations = sum(g > 1.0 for g in outcomes)
    p_value = two_look_p_value(first, E1_FIRST_RUNS, violations, len(outcomes), instance.delta)
    trial = binomial_trial(violations, len(outcomes), instance.delta, label="runs not eps-optimal",
                           details={"first_look": f"{first}/{E1_FIRST_RUNS}", "run_delta": instance.run_delta,
                                    "failure_bound": instance.bound, "max_gap_over_eps": max(outcomes)})
    return dataclasses.replace(trial, p_value=p_value, summary=(
        f"{violations}/{len(outcomes)} runs not eps-optimal (first look {first}/{E1_FIRST_RUNS}; allowed rate "
        f"{instance.delta:g}, two-look p {p_value:.2g})"))


E1_PROPERTY = register_property(BoundProperty(
    "FT-E1",
    "Gaussian bandits as linear MDPs (H = 1, tabular features, the arm policies as the class): K = 2..16 arms, "
    "every competitor at gap r eps (FT-X1's shape) or one competitor at r eps and the rest at gap 0.5, "
    "r in {1.1, 1.5, 2}, eps in {0.1, 0.05, 0.025}, no offline data or 10..50 tuples on every arm or on the "
    "suboptimal ones, optimum first or last. Each run is given the largest delta_run <= 0.05 at which the "
    "derived union bound for radius constant 0.3 is <= 0.05; 20 runs (+60 when 2..5 violations), exact "
    "binomial test at 0.05 per look, Bonferroni over the two looks.",
    e1_parameters, e1_load, e1_evaluate, max_examples=10, ci_examples=3))
