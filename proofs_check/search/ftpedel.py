r"""FTPedel's correctness on Gaussian bandits and its episodes on multi-step MDPs (Wagenmaker & Pacchiano 2023; :ref:`theory-ftpedel`).

Two explicit bounds of :mod:`proofs_check.ftpedel` are searched: FT-E1 (below) and FT-E6 (after
it).

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
would have to become a sub-Gaussian one. Both are outside FT-E1's class.

Every strategy shrinks toward small instances: fewer arms, the largest :math:`\epsilon` (fewest
rounds), the ``"gaps"`` family, the smallest gap ratio, no offline data, the optimum first.

``FT-E6``
    FTPedel's online episodes lie between the verifiable lower bound
    (:func:`provable_rl.ftpedel.verifiable_lower_bound` at :math:`\beta = \log(1 / (2.4 \delta))`,
    :ref:`ftpedel-lower-bound`) and :math:`64 L\, N_{\rm FT}(\beta_L)` (the [derived] band of
    :data:`proofs_check.ftpedel.E6_BAND_FACTOR`), on multi-step linear MDPs without offline data;
    the claim checks it on the random family at :math:`S = 4`, :math:`A = 2`, :math:`d = 3`,
    :math:`H = 2`, :math:`\epsilon = 0.2 \cdot 4^{-k}`, :math:`k = 0, 1, 2`.

**What is tested per instance.** The claim asserts both inequalities in every run. Neither is a
deterministic consequence of the algorithm: the band needs the survivors of round :math:`\ell`
to have gaps at most :math:`8 \epsilon_\ell`, and the floor needs each eliminated policy to have
been resolved at its own gap; both hold on the good event (every round's estimates within
:math:`\epsilon_\ell`), which has probability at least :math:`1 - \delta` (:math:`\delta = 0.1`,
:data:`proofs_check.ftpedel.E6_DELTA`; the [recalled] lower bound itself speaks of expected
episodes). So a run violates when its episodes fall outside :math:`[\text{lower bound}, 64 L
N_{\rm FT}]`, and :data:`E6_RUNS` runs are tested against the rate :math:`\delta` with the exact
binomial test; the measured quantity, which the search steers by, is the worst episode ratio
:math:`\max(\text{episodes} / (64 L N_{\rm FT}), \text{lower bound} / \text{episodes})` (bound 1).
The measures are FT-E6's own (:func:`proofs_check.ftpedel.e6_instance`: ``rtol=0.02``).

**The class.** :func:`mdps.instances.ftpedel.random_linear_family` (Dirichlet(1) features on the
simplex, stochastic transitions, Bernoulli rewards, uniform start; a class of
:math:`|\Pi| \in \{8, 16, 32\}` policies with a near tie below :math:`\epsilon / 2` and
competitors at gaps in :math:`(\epsilon, 2 \epsilon)`) built around the :math:`\epsilon` searched,
with :math:`(S, A, H)` in :data:`E6_LAYOUTS` (the claim's first; each keeps the enumerated
:math:`A^{S H}` policies at most 4096), :math:`d \in \{3, 2\}`, :math:`\epsilon \in \{0.2, 0.05,
0.0125\}` (the claim's grid), 256 instance seeds, no offline data, FTPedel at radius constant 1
(the protocol's default). Larger :math:`d` is in the theorem's class but not searched: at
:math:`d = 4, 5` the no-elimination mutant stayed inside the band on all 14 instances tried, at
:math:`d = 2, 3` it left it on 16 of 36.

**Correctness is recorded, not tested.** A first version of the property also counted runs whose
answer is not :math:`\epsilon`-optimal (FT-E6's fourth sub-check). Its search of the library's
FTPedel found a counterexample at seed 0: the claim's layout, :math:`d = 3`, 8 policies,
:math:`\epsilon = 0.0125`, instance seed 0 (``random_linear_family(numpy.random.default_rng(0),
epsilon=0.0125)``), where FTPedel returned policy 2, gap :math:`1.41 \epsilon`, in 4 of 4 runs
(12 of 12 in a later check): the five survivors took the same actions at step 0, so the
difference targets of step 0 vanished, no step-0 episode was drawn, and every later estimate was
0. That was a defect of :func:`provable_rl.ftpedel.ftpedel`, fixed on 2026-12-05 by the
propagation target (:ref:`ftpedel-propagation`); ``tests/proofs_check/test_search.py`` keeps the
instance as a test of both versions, and FT-E5's panel has the old one. The band is now against
:math:`N_{\rm FT}` with the propagation term (``ftpedel_complexity(..., propagation=True)``), as
in FT-E6. Whether correctness can rejoin the property is a question of its false-alarm rate over
the whole class, which has not been measured with the fix.

**The panel.** radius x16 leaves the band from above at :math:`\epsilon = 0.2` (the first,
simplest, instance); :math:`\beta_\ell / 1000` falls below the lower bound; no elimination
leaves the band from above only where some eliminated policy is expensive to resolve (at
:math:`\epsilon \le 0.05` on about 40% of the :math:`d \le 3` instances), which the search finds.

Measured before the propagation target (the measurements below are of the defective version and
its differences-only :math:`N_{\rm FT}`; the fixed version's are in the test suite at seed 0 only),
at search seeds 1..20 with :func:`proofs_check.search.search` (``search("FT-E6", seed=s)`` and
``mutant=NAME``, the search ``provable-rl search FT-E6 --seeds 20`` runs at each seed), one process per
learner, ``nice -n 5``, on the shared 2-core machine at a load average of about 30 (2026-12-05; three
processes side by side because the sequential 20-seed commands did not fit the session at that load): the algorithm
found a counterexample at 0/20 seeds (seeds 1..20; worst episode ratio 0.233; 43-101 s a search);
radius x16 at 20/20 (``provable-rl search FT-E6 --mutant radius_x16 --seeds 20``, 48 s for the 20);
no elimination at 20/20 (seeds 1..20; 12-190 s a search); :math:`\beta_\ell / 1000` at
20/20 (seeds 1..20; 27-232 s a search). At seed 0 (the tests') the algorithm has no
counterexample and every mutant has one.

Every strategy shrinks toward small instances: the claim's layout, :math:`d = 3`, 8 policies, the
largest :math:`\epsilon`, the smallest instance seed.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from mdps.instances.ftpedel import HybridInstance, arm_policies, bandit_linear_mdp, random_linear_family
from provable_rl import ftpedel as ft

from .. import ftpedel as claims
from . import BoundProperty, Trial, binomial_trial, register_property

__all__ = ["E1_CONTINUE_FROM", "E1_ENOUGH", "E1_FIRST_RUNS", "E1_MORE_RUNS", "E1_PROPERTY", "E1_SEARCH_DELTA",
           "E1Instance", "E6_LAYOUTS", "E6_PROPERTY", "E6_RUNS", "E6Instance", "e1_evaluate", "e1_load",
           "e1_parameters", "e6_evaluate", "e6_load", "e6_parameters", "failure_bound", "run_delta",
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


# ------------------------------------------------------------------------------------------
# FT-E6
# ------------------------------------------------------------------------------------------

#: (S, A, H) of the FT-E6 class, the claim's first; each keeps the A^(S H) deterministic policies that
#: :func:`mdps.instances.ftpedel.random_linear_family` enumerates at most 4096.
E6_LAYOUTS = ((4, 2, 2), (3, 2, 3), (3, 3, 2), (2, 3, 3), (2, 4, 2))
#: Independent runs per instance; at the per-instance level 0.05 / 12 the exact binomial test of the
#: rate 0.1 rejects from 3 violating runs of 4 (p = 0.0037).
E6_RUNS = 4
#: Feature dimensions searched, the claim's 3 first. At d = 4 and 5 the no-elimination mutant stayed
#: inside the band on all 14 instances tried (eps = 0.05 and 0.0125), at d = 2 and 3 it left it on 16 of 36.
_E6_DIMS = (3, 2)
_E6_CLASS_SIZES = (8, 16, 32)


@dataclass(frozen=True, eq=False)
class E6Instance:
    """One FT-E6 instance: the multi-step linear MDP, its class and its two deterministic measures.

    Parameters
    ----------
    problem : mdps.instances.ftpedel.HybridInstance
        The MDP and the policy class (its offline design is not used: no offline data).
    gaps : numpy.ndarray
        :math:`\\Delta(\\pi)` of every policy of the class.
    epsilon : float
        The accuracy.
    n_ft : float
        :math:`N_{\\rm FT}(\\epsilon)` at :math:`\\beta_L` (the last round's radius).
    lower_bound : float
        The verifiable lower bound at :math:`\\beta = \\log(1 / (2.4 \\delta))`.
    band : float
        :math:`64 L` (:data:`proofs_check.ftpedel.E6_BAND_FACTOR` times the rounds).
    """

    problem: HybridInstance
    gaps: np.ndarray
    epsilon: float
    n_ft: float
    lower_bound: float
    band: float


def e6_parameters():
    """Hypothesis strategy of FT-E6 instances: random multi-step linear MDPs built around epsilon.

    Returns
    -------
    hypothesis.strategies.SearchStrategy
        JSON-able dicts with ``layout`` (an index into :data:`E6_LAYOUTS`), ``dim`` (3, the
        claim's, or 2), ``n_policies`` (8, 16 or 32), ``epsilon`` (FT-E6's grid, the largest
        first) and ``instance_seed`` (0..255: few shrinking steps, each of which costs a design
        and four runs).
    """
    st = _strategies()
    return st.fixed_dictionaries({
        "layout": st.integers(0, len(E6_LAYOUTS) - 1), "dim": st.sampled_from(_E6_DIMS),
        "n_policies": st.sampled_from(_E6_CLASS_SIZES), "epsilon": st.sampled_from(claims.E6_EPSILONS),
        "instance_seed": st.integers(0, 255)})


def e6_load(parameters: dict) -> E6Instance:
    r"""The MDP, class and measures of FT-E6 parameters (deterministic).

    :func:`mdps.instances.ftpedel.random_linear_family` with the layout's :math:`S, A, H`, the
    dimension and class size, built around ``epsilon`` (a near tie and competitors with gaps in
    :math:`(\epsilon, 2\epsilon)`); the measures as FT-E6 computes them
    (:func:`proofs_check.ftpedel.e6_instance`): :math:`N_{\rm FT}` at the last round's radius
    :math:`\beta_L`, the lower bound at :math:`\log(1 / (2.4 \delta))`, both with ``rtol=0.02``.

    Parameters
    ----------
    parameters : dict
        A draw of :func:`e6_parameters`.

    Returns
    -------
    E6Instance
        The problem, its gaps, :math:`\epsilon` and the measures (computed once per process for
        each parameter set: the searches of several seeds share their first, smallest, instances).
    """
    return _e6_instance(int(parameters["layout"]), int(parameters["dim"]), int(parameters["n_policies"]),
                        float(parameters["epsilon"]), int(parameters["instance_seed"]))


@functools.lru_cache(maxsize=256)
def _e6_instance(layout: int, dim: int, n_policies: int, eps: float, seed: int) -> E6Instance:
    S, A, H = E6_LAYOUTS[layout]
    # Every parameter set of the class has an instance (all 23040 checked: the family found its near
    # tie and competitors within its draws).
    inst = random_linear_family(np.random.default_rng(seed), n_states=S, n_actions=A, dim=dim, horizon=H,
                                epsilon=eps, n_policies=n_policies)
    pc = ft.policy_class(inst.mdp, inst.policies)
    rounds = claims.rounds_for(eps)
    beta_last = ft.confidence_radius(rounds, horizon=H, n_policies=len(pc), delta=claims.E6_DELTA)
    n_ft = ft.ftpedel_complexity(inst.mdp, pc, epsilon=eps, beta=beta_last, rtol=0.02, propagation=True).n_episodes
    lower = ft.verifiable_lower_bound(inst.mdp, pc, epsilon=eps, beta=math.log(1 / (2.4 * claims.E6_DELTA)),
                                      rtol=0.02).n_episodes
    return E6Instance(inst, np.asarray(pc.gaps, dtype=float), eps, float(n_ft), float(lower),
                      claims.E6_BAND_FACTOR * rounds)


def e6_evaluate(instance: E6Instance, parameters, learner, rng) -> Trial:
    r"""FT-E6's episode bounds on one MDP: the runs outside :math:`[\text{lower bound}, 64 L N_{\rm FT}]`.

    A run violates when its online episodes fall below the verifiable lower bound or exceed
    :math:`64 L N_{\rm FT}(\beta_L)`; the violations of :data:`E6_RUNS` runs are tested against
    :math:`\delta` = :data:`proofs_check.ftpedel.E6_DELTA` with the exact binomial test. Whether
    the answer is :math:`\epsilon`-optimal is recorded (``not_eps_optimal``), not tested (see the
    module docstring).

    Parameters
    ----------
    instance : E6Instance
        From :func:`e6_load`.
    parameters : dict
        Its parameters (unused beyond the instance).
    learner : callable
        A learner of the protocol ``ftpedel.pac_learner``.
    rng : numpy.random.Generator
        The example's generator; each run gets an independent child.

    Returns
    -------
    proofs_check.search.Trial
        Measured: the worst episode ratio over the runs, :math:`\max(\text{episodes} / (64 L
        N_{\rm FT}), \text{lower bound} / \text{episodes})` (above 1 outside the band); bound 1;
        p-value: the exact binomial test of the violating runs at rate :math:`\delta`.
    """
    problem, eps = instance.problem, instance.epsilon
    ceiling = instance.band * instance.n_ft
    worst, violations, below, above, wrong, episodes = 0.0, 0, 0, 0, 0, []
    for run_rng in rng.spawn(E6_RUNS):
        res = learner(problem.mdp, problem.policies, epsilon=eps, delta=claims.E6_DELTA, offline=None, rng=run_rng)
        n = int(res.online_episodes)
        low, high = n < instance.lower_bound, n > ceiling
        below, above, violations = below + low, above + high, violations + (low or high)
        wrong += bool(instance.gaps[res.policy_index] > eps)
        worst = max(worst, n / ceiling, instance.lower_bound / max(n, 1e-300))
        episodes.append(n)
    binomial = binomial_trial(violations, E6_RUNS, claims.E6_DELTA)
    return Trial(worst, 1.0, binomial.p_value, binomial.interval,
                 f"{violations}/{E6_RUNS} runs outside [lower bound, 64 L N_FT] ({below} below, {above} above; "
                 f"worst episode ratio {worst:.3g}, p {binomial.p_value:.2g}; {wrong} not eps-optimal, not tested)",
                 {"violations": violations, "runs": E6_RUNS, "below_lower_bound": below, "above_band": above,
                  "not_eps_optimal": wrong, "episodes": episodes, "n_ft": instance.n_ft,
                  "lower_bound": instance.lower_bound, "band": instance.band})


E6_PROPERTY = register_property(BoundProperty(
    "FT-E6",
    "Random multi-step linear MDPs (mdps.instances.ftpedel.random_linear_family: Dirichlet features, stochastic "
    "transitions, Bernoulli rewards) with (S, A, H) in {(4, 2, 2), (3, 2, 3), (3, 3, 2), (2, 3, 3), (2, 4, 2)}, "
    "d in {3, 2}, classes of 8, 16 or 32 policies built around eps (a near tie, competitors at gaps in "
    "(eps, 2 eps)), eps in {0.2, 0.05, 0.0125}, no offline data, delta = 0.1. The library's FTPedel (radius "
    "constant 1) must use at least the verifiable lower bound's episodes and at most 64 L N_FT(beta_L), except "
    f"with probability delta (both hold on the good event); {E6_RUNS} runs per instance, exact binomial test of "
    "the rate 0.1.",
    e6_parameters, e6_load, e6_evaluate, max_examples=12, ci_examples=3))
