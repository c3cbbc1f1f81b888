"""The exact lower bounds of provable_rl.lcb_lower_bounds against brute-force enumeration of every
dataset on tiny N, and their validation."""
import itertools
import math

import numpy as np
import pytest

from provable_rl.lcb_lower_bounds import (
    contextual_minimax_lower_bound,
    contextual_two_point_risk,
    mab_minimax_lower_bound,
    mab_two_point_risk,
    mab_two_point_risk_h2,
    most_played_risk_bound,
)


def _brute_two_point(n_samples, outcome_probs_a, outcome_probs_b, gap):
    """gap/2 * sum over every sequence of N outcomes of min(P_A, P_B)."""
    total = 0.0
    for seq in itertools.product(range(len(outcome_probs_a)), repeat=n_samples):
        pa = math.prod(outcome_probs_a[i] for i in seq)
        pb = math.prod(outcome_probs_b[i] for i in seq)
        total += min(pa, pb)
    return gap / 2 * total


def _bandit_outcomes(mass, means):
    """Probabilities of the outcomes (arm, reward) in the order (0, 0), (0, 1), (1, 0), (1, 1)."""
    return [mass[a] * (means[a] if r else 1 - means[a]) for a in range(2) for r in range(2)]


@pytest.mark.parametrize("n_samples, mass, gap", [(1, 0.5, 0.1), (4, 0.3, 0.2), (5, 0.25, 0.45), (3, 0.7, 0.5)])
def test_mab_two_point_risk_equals_the_sum_over_every_dataset(n_samples, mass, gap):
    a = _bandit_outcomes((mass, 1 - mass), (0.5 + gap, 0.5))
    b = _bandit_outcomes((mass, 1 - mass), (0.5 - gap, 0.5))
    assert mab_two_point_risk(n_samples, mass, gap) == pytest.approx(_brute_two_point(n_samples, a, b, gap), rel=1e-12)


@pytest.mark.parametrize("n_samples, C, gap", [(1, 4 / 3, 0.2), (4, 4 / 3, 0.1), (5, 1.6, 0.3)])
def test_h2_two_point_risk_equals_the_sum_over_every_dataset(n_samples, C, gap):
    a = _bandit_outcomes((1 / C, 1 - 1 / C), (0.5 + gap, 0.5))
    b = _bandit_outcomes((1 - 1 / C, 1 / C), (0.5, 0.5 + gap))
    assert mab_two_point_risk_h2(n_samples, C, gap) == pytest.approx(_brute_two_point(n_samples, a, b, gap), rel=1e-12)


def test_contextual_risk_equals_the_bayes_risk_over_every_dataset_and_hypothesis():
    # LCB-H4 (plain anchor) with S = 3: the anchor and two ambiguous contexts; 4 sign hypotheses.
    N, C, S, kappa = 3, 1.5, 3, 0.6
    rho = (C - 1) / (S - 1)
    gap = min(0.5, kappa / math.sqrt(N * rho / C))
    hypotheses = list(itertools.product((1, -1), repeat=S - 1))
    # Outcomes: the anchor's optimal action (reward always 1), then (context, action, reward).
    outcomes = [("anchor",)] + [(s, a, r) for s in range(S - 1) for a in range(2) for r in range(2)]

    def prob(outcome, signs):
        if outcome == ("anchor",):
            return (2 - C) / C
        s, a, r = outcome
        mean = 0.5 + signs[s] * gap if a == 0 else 0.5
        return rho / C * (mean if r else 1 - mean)

    total = 0.0
    for seq in itertools.product(outcomes, repeat=N):
        p = np.array([math.prod(prob(o, h) for o in seq) for h in hypotheses]) / len(hypotheses)
        for s in range(S - 1):  # the Bayes decision of context s: the sign with the larger posterior mass
            plus = sum(pi for pi, h in zip(p, hypotheses) if h[s] == 1)
            minus = sum(pi for pi, h in zip(p, hypotheses) if h[s] == -1)
            total += rho * gap * min(plus, minus)
    assert contextual_two_point_risk(N, C, S, kappa) == pytest.approx(total, rel=1e-12)


def test_lower_bounds_have_the_minimax_rates():
    # sqrt(C*/N) for the MAB at C* >= 2 and sqrt(S (C* - 1) / N) for the contextual bandit: 4x the data halves them.
    for C in (2.0, 4.0):
        a, b = mab_minimax_lower_bound(1000, C)[0], mab_minimax_lower_bound(4000, C)[0]
        assert a / b == pytest.approx(2.0, rel=0.02)
    a, b = contextual_minimax_lower_bound(2000, 1.5, 10)[0], contextual_minimax_lower_bound(8000, 1.5, 10)[0]
    assert a / b == pytest.approx(2.0, rel=0.02)
    # C* < 2: exponentially small, and below the most-played arm's exact worst case.
    lower, upper = mab_minimax_lower_bound(200, 4 / 3)[0], most_played_risk_bound(200, 4 / 3)
    assert 0 < lower <= upper < 1e-12


@pytest.mark.parametrize("call, match", [
    (lambda: mab_two_point_risk(0, 0.5, 0.1), "n_samples"),
    (lambda: mab_two_point_risk(10, 1.5, 0.1), "arm_mass"),
    (lambda: mab_two_point_risk(10, 0.5, 0.6), "gap"),
    (lambda: mab_two_point_risk_h2(10, 2.5, 0.1), "concentrability"),
    (lambda: mab_two_point_risk_h2(10 ** 6, 1.5, 0.1), "n_samples"),
    (lambda: mab_minimax_lower_bound(10, 1.0), "concentrability"),
    (lambda: mab_minimax_lower_bound(10, 4.0, gap_scales=[-1.0]), "gap_scales"),
    (lambda: contextual_two_point_risk(10, 3.0, 5, 1.0), "concentrability"),
    (lambda: contextual_two_point_risk(10, 1.5, 1, 1.0), "n_states"),
    (lambda: most_played_risk_bound(10, 2.0), "concentrability"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
