"""mdps.sampling: the Numba kernels against slow Python twins, chi-square checks of the sampled
laws at fixed seeds, sample_statistics against sample_offline_data, reproducibility, bad input."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.stats

from mdps.core import DiscountedMDP, policy_matrix
from mdps.instances.random import (
    random_bandit,
    random_contextual_bandit,
    random_finite_horizon_mdp,
    random_linear_mdp,
    random_mdp,
)
from mdps.sampling import (
    _EPISODE_BATCH,
    _draw,
    _STATE_HIGH,
    _draw_packed,
    _iid_kernel,
    _rollout_kernel,
    _single_actions,
    _uniform,
    _uniforms,
    alias_table,
    cdf,
    packed_alias_table,
    sample_episodes,
    sample_offline_data,
    sample_statistics,
)

#: Level of every statistical check here. The seeds are fixed, so each test is deterministic; the
#: level is the chance that a correct sampler would have been flagged at a fresh seed.
LEVEL = 1e-3


# --------------------------------------------------------------------------------------------
# Slow twins: plain Python, consuming the Generator in the kernels' order
# --------------------------------------------------------------------------------------------

def draw_reference(probabilities, u):
    """Smallest i with u < (p_0 + ... + p_i) / (p_0 + ... + p_{n-1}), by a linear scan."""
    total = 0.0
    for p in probabilities:
        total += p
    acc = 0.0
    for i, p in enumerate(probabilities):
        acc += p
        if u < acc / total:
            return i
    raise AssertionError("u >= 1")


def alias_reference(probabilities):
    """Vose's alias tables in plain Python, in the kernel's order: zero entries first in the queue
    of small entries, large entries taken from the top of a stack."""
    n = len(probabilities)
    total = 0.0
    for p in probabilities:
        total += p
    scaled = [p * n / total for p in probabilities]
    prob, alias = [0.0] * n, list(range(n))
    small = [i for i in range(n) if scaled[i] == 0.0] + [i for i in range(n) if 0.0 < scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    head = 0
    while head < len(small) and large:
        i = small[head]
        head += 1
        j = large[-1]
        prob[i], alias[i] = scaled[i], j
        scaled[j] = (scaled[j] + scaled[i]) - 1.0
        if scaled[j] < 1.0:
            small.append(large.pop())
    for i in small[head:] + large:
        prob[i] = 1.0
    return prob, alias


def draw_alias_reference(prob, alias, u):
    x = u * len(prob)
    j = min(int(x), len(prob) - 1)
    return j if x - j < prob[j] else alias[j]


def packed_draw_reference(prob, alias, u):
    """What a draw from the packed table must give: the alias draw with the threshold rounded as
    packing rounds it (to the float grid at alias + prob)."""
    x = u * len(prob)
    j = min(int(x), len(prob) - 1)
    if prob[j] >= 1.0:
        return j
    threshold = (alias[j] + prob[j]) - alias[j]
    if threshold >= 1.0:  # stored one ulp below alias + 1
        threshold = np.nextafter(alias[j] + 1.0, 0.0) - alias[j]
    return j if x - j < threshold else alias[j]


class Xoshiro256StarStar:
    """The kernels' uniform stream in plain Python: xoshiro256** from Blackman & Vigna's reference C
    code, seeded with four ``rng.integers(0, 2**63 - 1)`` draws; normals still come from ``rng``."""

    MASK = (1 << 64) - 1

    def __init__(self, rng):
        self.rng = rng
        self.s = [int(rng.integers(0, _STATE_HIGH)) for _ in range(4)]
        if not any(self.s):
            self.s[0] = 1

    @classmethod
    def rotl(cls, x, k):
        return ((x << k) | (x >> (64 - k))) & cls.MASK

    def next(self):
        s = self.s
        result = (self.rotl((s[1] * 5) & self.MASK, 7) * 9) & self.MASK
        t = (s[1] << 17) & self.MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def random(self):
        return (self.next() >> 11) * 2.0**-53

    def standard_normal(self):
        return self.rng.standard_normal()


def reward_reference(mean, gaussian, std, stream):
    return mean + std * stream.standard_normal() if gaussian else float(stream.random() < mean)


def rollout_reference(P, R, policy, initial, n_episodes, n_steps, gaussian, std, rng):
    """Episodes in batches of _EPISODE_BATCH advanced in lockstep, drawing in the kernel's order
    (each step's action and next-state uniform are drawn one round early, after the previous
    step's reward); returns the kernel's (initial states, actions, rewards, next states)."""
    rng = Xoshiro256StarStar(rng)
    initial_table = alias_reference(initial)
    tables = {}

    def table(key, row):
        if key not in tables:
            tables[key] = alias_reference(row)
        return tables[key]

    def plan(hpi, s):
        row = policy[hpi, s]
        # A deterministic row spends no uniform: the kernel knows its action without a draw.
        if np.count_nonzero(row) == 1:
            a = int(np.flatnonzero(row)[0])
        else:
            a = packed_draw_reference(*table(("pi", hpi, s), row), rng.random())
        return a, rng.random()

    out, initial_states = {}, []
    for first in range(0, n_episodes, _EPISODE_BATCH):
        batch = range(first, min(first + _EPISODE_BATCH, n_episodes))
        state, planned = {}, {}
        for e in batch:
            state[e] = packed_draw_reference(*initial_table, rng.random())
            initial_states.append(state[e])
        # Round k takes step k - 1 (next state, then reward) and plans step k, episode by episode.
        for k in range(n_steps + 1):
            for e in batch:
                if k > 0:
                    s, layer = state[e], min(k - 1, P.shape[0] - 1)
                    a, u = planned[e]
                    t = packed_draw_reference(*table(("P", layer, s, a), P[layer, s, a]), u)
                    out[e, k - 1] = (a, reward_reference(R[layer, s, a], gaussian, std, rng), t)
                    state[e] = t
                if k < n_steps:
                    planned[e] = plan(min(k, policy.shape[0] - 1), state[e])
    rows = [out[e, h] for e in range(n_episodes) for h in range(n_steps)]
    return [np.array(initial_states)] + [np.array(col) for col in zip(*rows)]


def iid_reference(P, R, pairs, n_per_layer, gaussian, std, rng):
    """The i.i.d. kernel's (pair index s A + a, reward, next state), layer by layer."""
    rng = Xoshiro256StarStar(rng)
    A = R.shape[2]
    rows = []
    for h in range(R.shape[0]):
        pair_table = alias_reference(pairs[h])
        for _ in range(n_per_layer):
            k = packed_draw_reference(*pair_table, rng.random())
            s, a = divmod(k, A)
            r = reward_reference(R[h, s, a], gaussian, std, rng)
            rows.append((k, r, packed_draw_reference(*alias_reference(P[h, s, a]), rng.random())))
    return [np.array(col) for col in zip(*rows)]


def _sparse_mdp(seed, S=4, A=3, gamma=0.9, reward_model="bernoulli"):
    gen = np.random.default_rng(seed)
    P = gen.dirichlet(np.ones(S), size=(S, A))
    P[P < 0.15] = 0.0  # exact zeros that must never be drawn
    P /= P.sum(axis=-1, keepdims=True)
    return DiscountedMDP(P, gen.random((S, A)), gamma, gen.dirichlet(np.ones(S)), reward_model=reward_model)


def test_draw_matches_reference_and_searchsorted():
    gen = np.random.default_rng(0)
    for _ in range(200):
        p = gen.dirichlet(np.full(6, 0.5))
        p[gen.random(6) < 0.3] = 0.0
        if p.sum() == 0:
            continue
        p /= p.sum()
        row = cdf(p)
        assert row[-1] == 1.0
        boundaries = row[:-1][row[:-1] < 1.0]  # u exactly on a CDF step, where off-by-one bugs live
        for u in np.concatenate([gen.random(20), [0.0, np.nextafter(1.0, 0.0)], boundaries]):
            k = _draw(row, u)
            assert k == draw_reference(p, u) == np.searchsorted(row, u, side="right")
            assert p[k] > 0


def test_alias_table_matches_reference_and_encodes_the_law():
    gen = np.random.default_rng(3)
    for n in (1, 2, 3, 7, 10, 64, 300):
        for _ in range(20):
            p = gen.dirichlet(np.full(n, 0.3))
            p[gen.random(n) < 0.3] = 0.0
            if p.sum() == 0:
                continue
            p /= p.sum()
            prob, alias = alias_table(p)
            ref_prob, ref_alias = alias_reference(p)
            np.testing.assert_array_equal(prob, ref_prob)
            np.testing.assert_array_equal(alias, ref_alias)
            assert prob.dtype == np.float64 and alias.dtype == np.int32
            # The law: column j gives j with prob[j], alias[j] otherwise, each column with chance 1/n.
            law = (prob + np.bincount(alias, weights=1 - prob, minlength=n)) / n
            np.testing.assert_allclose(law, p, rtol=0, atol=1e-14)
            # Zero-probability entries are never drawn: prob 0 and never an alias of a live column.
            assert np.all(prob[p == 0] == 0) and np.all(p[alias[prob < 1]] > 0)
            edges = (np.arange(n)[:, None] + np.array([0.0, 0.5, 1 - 1e-12])) / n
            packed = packed_alias_table(p)
            for u in np.concatenate([gen.random(50), edges.ravel(), [0.0, np.nextafter(1.0, 0.0)]]):
                u = min(u, np.nextafter(1.0, 0.0))
                k = draw_alias_reference(ref_prob, ref_alias, u)
                assert p[k] > 0 and _draw_packed(packed, u) == packed_draw_reference(ref_prob, ref_alias, u)
    prob, alias = alias_table(np.array([[0.25, 0.75], [1.0, 0.0]]))
    assert prob.shape == alias.shape == (2, 2)
    with pytest.raises(ValueError, match="^probabilities: expected rows summing to 1"):
        alias_table(np.array([0.2, 0.2]))
    with pytest.raises(ValueError, match="^probabilities: expected non-negative"):
        alias_table(np.array([1.2, -0.2]))
    with pytest.raises(ValueError, match="^probabilities: expected at least a 1-d array"):
        alias_table(1.0)


def test_alias_draws_follow_the_law():
    """Many draws from one row with exact zeros and a tiny entry: chi-square against p."""
    p = np.array([0.0, 0.3, 1e-3, 0.0, 0.25, 0.449, 0.0])
    packed = packed_alias_table(p)
    u = np.random.default_rng(4).random(200_000)
    x = u * 7
    j = np.minimum(x.astype(np.int64), 6)
    alias = np.floor(packed[j])
    draws = np.where(x - j < packed[j] - alias, j, alias).astype(np.int64)
    assert all(_draw_packed(packed, w) == d for w, d in zip(u[:2000], draws[:2000]))
    assert chi_square_pvalue(np.bincount(draws, minlength=7)[None], p[None]) > LEVEL


@pytest.mark.parametrize("gaussian", [False, True])
def test_rollout_kernel_matches_reference_exactly(gaussian):
    fh = random_finite_horizon_mdp(4, 3, 5, rng=1)
    policy = np.random.default_rng(2).dirichlet(np.ones(3), size=(5, 4))
    mixed = policy.copy()
    mixed[:, ::2] = np.eye(3)[np.random.default_rng(3).integers(0, 3, size=(5, 2))]  # deterministic rows
    # 37 episodes: two full batches of 16 and a partial one.
    for P, R, pi, n_steps in [(fh.P, fh.R, policy, 5), (fh.P[:1], fh.R[:1], policy[:1], 7),
                              (fh.P, fh.R, mixed, 5), (fh.P[:1], fh.R[:1], np.eye(3)[[0, 2, 1, 1]][None], 6)]:
        fast = _rollout_kernel(packed_alias_table(P), R, _single_actions(pi), packed_alias_table(pi),
                               packed_alias_table(fh.initial), 37, n_steps, gaussian, 0.3, np.random.default_rng(9))
        slow = rollout_reference(P, R, pi, fh.initial, 37, n_steps, gaussian, 0.3, np.random.default_rng(9))
        for f, s in zip(fast, slow):
            np.testing.assert_array_equal(f, s)


@pytest.mark.parametrize("gaussian", [False, True])
def test_iid_kernel_matches_reference_exactly(gaussian):
    fh = random_finite_horizon_mdp(3, 2, 3, rng=4)
    pairs = np.random.default_rng(5).dirichlet(np.full(6, 0.5), size=3)
    fast = _iid_kernel(packed_alias_table(fh.P), fh.R, packed_alias_table(pairs), 200, gaussian, 0.2,
                       np.random.default_rng(6))
    slow = iid_reference(fh.P, fh.R, pairs, 200, gaussian, 0.2, np.random.default_rng(6))
    for f, s in zip(fast, slow):
        np.testing.assert_array_equal(f, s)


def test_packed_table_draws_what_the_alias_table_draws():
    """One float per entry, alias + prob: same draws as the two tables wherever the rounding of the
    threshold cannot matter, the rounding itself as documented, and the entries near 1 kept below."""
    gen = np.random.default_rng(1)
    for n in (1, 2, 3, 7, 64, 300):
        rows = gen.dirichlet(np.full(n, 0.3), size=10)
        rows[gen.random(rows.shape) < 0.3] = 0.0
        rows = rows[rows.sum(axis=1) > 0]
        rows /= rows.sum(axis=1, keepdims=True)
        prob, alias = alias_table(rows)
        packed = packed_alias_table(rows)
        assert packed.shape == rows.shape and packed.dtype == np.float64
        whole = np.floor(packed)
        np.testing.assert_array_equal(whole, np.where(prob >= 1, np.arange(n), alias))
        threshold = np.where(prob >= 1, 1.0, packed - whole)
        assert np.all(np.abs(threshold - np.where(prob >= 1, 1.0, prob)) <= n * 2.0**-52)
        for k in range(rows.shape[0]):
            for u in np.concatenate([gen.random(200), [0.0, np.nextafter(1.0, 0.0)]]):
                d = _draw_packed(packed[k], u)
                assert d == packed_draw_reference(prob[k], alias[k], u) and rows[k, d] > 0
    # prob within an ulp of 1 at a large alias: alias + prob rounds to alias + 1, stored one below.
    row = np.full(300, 1 / 300)
    row[0] *= 1 - 1e-14  # prob[0] = 1 - 6e-15, alias[0] = 299, and ulp(299) = 5.7e-14
    row[299] *= 1 + 1e-14
    prob, alias = alias_table(row)
    packed = packed_alias_table(row)
    near_one = (prob < 1) & (alias + prob >= alias + 1.0)
    assert near_one.any()
    assert np.all(np.floor(packed[near_one]) == alias[near_one])


def test_xoshiro_twin_and_kernel_step_give_the_published_outputs():
    """Known answers of the reference xoshiro256** from the state (1, 2, 3, 4) (the reference test of
    the Rust crate rand_xoshiro, from the authors' C code), so that a mistake
    shared by the twin and the kernel cannot pass unseen."""
    published = [11520, 0, 1509978240, 1215971899390074240]
    twin = Xoshiro256StarStar.__new__(Xoshiro256StarStar)
    twin.s = [1, 2, 3, 4]
    assert [twin.next() for _ in range(4)] == published
    stream = tuple(np.uint64(w) for w in (1, 2, 3, 4))
    for value in published:
        u, stream = _uniform(stream)
        assert u == (value >> 11) * 2.0**-53


def test_uniform_stream_is_xoshiro256starstar():
    """The kernels' stream equals the reference C algorithm (in Python) and is uniform."""
    fast = _uniforms(np.random.default_rng(11), 5000)
    ref = Xoshiro256StarStar(np.random.default_rng(11))
    np.testing.assert_array_equal(fast[:500], [ref.random() for _ in range(500)])
    assert 0.0 <= fast.min() and fast.max() < 1.0
    assert scipy.stats.kstest(fast, "uniform").pvalue > LEVEL
    # Fresh streams on one Generator differ; the same seed repeats.
    gen = np.random.default_rng(11)
    assert not np.array_equal(_uniforms(gen, 10), _uniforms(gen, 10))
    np.testing.assert_array_equal(_uniforms(np.random.default_rng(11), 10), fast[:10])


def test_cdf_rejects_rows_that_are_not_distributions():
    with pytest.raises(ValueError, match="^probabilities: expected rows summing to 1"):
        cdf(np.array([0.2, 0.2]))
    with pytest.raises(ValueError, match="^probabilities: expected non-negative"):
        cdf(np.array([1.2, -0.2]))


# --------------------------------------------------------------------------------------------
# Chi-square checks of the sampled laws
# --------------------------------------------------------------------------------------------

def chi_square_pvalue(counts, probabilities):
    """Pooled Pearson test of rows of counts against rows of probabilities; zero-probability
    cells must have zero counts (checked exactly)."""
    counts = np.asarray(counts).reshape(-1, np.shape(counts)[-1])
    probabilities = np.asarray(probabilities).reshape(-1, counts.shape[1])
    probabilities = np.broadcast_to(probabilities, counts.shape)
    assert np.all(counts[probabilities == 0] == 0), "a zero-probability outcome was drawn"
    stat, dof = 0.0, 0
    for n_row, p_row in zip(counts, probabilities):
        n = n_row.sum()
        if n == 0:
            continue
        support = p_row > 0
        expected = n * p_row[support]
        stat += np.sum((n_row[support] - expected) ** 2 / expected)
        dof += support.sum() - 1
    return scipy.stats.chi2.sf(stat, dof) if dof else 1.0


def bernoulli_sums_pvalue(sums, counts, means):
    """Pooled chi-square of reward sums against Binomial(counts, means) (normal approximation)."""
    keep = (counts > 0) & (means > 0) & (means < 1)
    z2 = (sums[keep] - counts[keep] * means[keep]) ** 2 / (counts[keep] * means[keep] * (1 - means[keep]))
    return scipy.stats.chi2.sf(z2.sum(), keep.sum())


def test_iid_samples_follow_mu_p_and_r():
    mdp = _sparse_mdp(seed=11)
    mu = np.random.default_rng(12).dirichlet(np.ones(12)).reshape(4, 3)
    stats = sample_offline_data(mdp, mu, 20_000, rng=13).statistics
    assert chi_square_pvalue(stats.counts.reshape(1, -1), mu.reshape(1, -1)) > LEVEL
    assert chi_square_pvalue(stats.transition_counts, mdp.P) > LEVEL
    assert bernoulli_sums_pvalue(stats.reward_sums, stats.counts, mdp.R) > LEVEL


def test_chi_square_check_can_fail():
    """The same check rejects samples drawn from a slightly wrong kernel."""
    mdp = _sparse_mdp(seed=11)
    wrong = DiscountedMDP(np.roll(mdp.P, 1, axis=2) * 0.1 + mdp.P * 0.9, mdp.R, mdp.gamma, mdp.initial)
    stats = sample_offline_data(wrong, np.full((4, 3), 1 / 12), 20_000, rng=13).statistics
    with pytest.raises(AssertionError):
        assert chi_square_pvalue(stats.transition_counts, mdp.P) > LEVEL


def test_episodes_follow_initial_policy_and_p():
    mdp = _sparse_mdp(seed=21)
    policy = np.random.default_rng(22).dirichlet(np.ones(3), size=4)
    data = sample_episodes(mdp, policy, 500, rng=23, n_steps=20)
    assert len(data) == 10_000 and np.array_equal(data.h, np.tile(np.arange(20), 500))
    first = data.s[data.h == 0]
    assert chi_square_pvalue(np.bincount(first, minlength=4)[None], mdp.initial[None]) > LEVEL
    stats = data.statistics
    assert chi_square_pvalue(stats.counts.sum(axis=0), policy) > LEVEL  # actions given states
    assert chi_square_pvalue(stats.transition_counts.sum(axis=0), mdp.P) > LEVEL
    assert bernoulli_sums_pvalue(stats.reward_sums.sum(axis=0), stats.counts.sum(axis=0), mdp.R) > LEVEL
    # Episodes chain: each step starts where the last one ended.
    inner = data.h[1:] > 0
    np.testing.assert_array_equal(data.s[1:][inner], data.s_next[:-1][inner])


def test_finite_horizon_episodes_follow_each_steps_kernel():
    mdp = random_finite_horizon_mdp(3, 2, 4, rng=31)
    policy = np.random.default_rng(32).integers(0, 2, size=(4, 3))
    data = sample_episodes(mdp, policy, 3000, rng=33)
    stats = data.statistics
    assert stats.counts.shape == (4, 3, 2)
    np.testing.assert_array_equal(stats.counts * (1 - policy_matrix(policy, 2)), 0)  # only pi's actions
    assert chi_square_pvalue(stats.transition_counts, mdp.P) > LEVEL
    with pytest.raises(ValueError, match="^n_steps: expected the horizon 4"):
        sample_episodes(mdp, policy, 3, rng=0, n_steps=5)


def test_gaussian_rewards():
    mdp = _sparse_mdp(seed=41, reward_model="gaussian")
    mu = np.full((4, 3), 1 / 12)
    data = sample_offline_data(mdp, mu, 20_000, rng=42)
    z = (data.r - mdp.R[data.s, data.a]) / mdp.reward_std
    assert scipy.stats.kstest(z, "norm").pvalue > LEVEL


# --------------------------------------------------------------------------------------------
# sample_statistics: shapes, and the same law as the statistics of sample_offline_data
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["bandit", "contextual", "discounted", "finite_horizon", "linear"])
@pytest.mark.parametrize("reps", [None, 3])
def test_sample_statistics_shapes(kind, reps):
    problem, pairs = {
        "bandit": (random_bandit(4, rng=0), (4,)),
        "contextual": (random_contextual_bandit(3, 2, rng=0), (3, 2)),
        "discounted": (random_mdp(3, 2, rng=0), (3, 2)),
        "finite_horizon": (random_finite_horizon_mdp(3, 2, 4, rng=0), (4, 3, 2)),
        "linear": (random_linear_mdp(3, 2, 2, 4, rng=0), (4, 3, 2)),
    }[kind]
    mu = np.full(pairs, 1.0 / np.prod(pairs[-2:]) if len(pairs) > 1 else 1.0 / pairs[0])
    stats = sample_statistics(problem, mu, 50, rng=1, n_repetitions=reps)
    lead = () if reps is None else (reps,)
    assert stats.counts.shape == lead + pairs and stats.reward_sums.shape == lead + pairs
    if kind in ("bandit", "contextual"):
        assert stats.transition_counts is None
    else:
        assert stats.transition_counts.shape == lead + pairs + (3,)
    per_dataset = 50 * (4 if len(pairs) == 3 else 1)
    np.testing.assert_array_equal(stats.n_samples, per_dataset if reps is None else np.full(reps, per_dataset))
    # The same shapes as the statistics of raw tuples.
    raw = sample_offline_data(problem, mu, 50, rng=1).statistics
    assert raw.counts.shape == pairs
    assert stats.n_repetitions == reps
    assert sample_statistics(problem, mu, 50, rng=1, transitions=False).transition_counts is None


@pytest.mark.parametrize("reward_model", ["bernoulli", "gaussian"])
def test_sample_statistics_has_the_law_of_sample_offline_data(reward_model):
    gen = np.random.default_rng(51)
    P = gen.dirichlet(np.ones(2), size=(2, 2))
    mdp = DiscountedMDP(P, gen.random((2, 2)), 0.9, [0.5, 0.5], reward_model=reward_model, reward_std=0.5)
    mu = np.array([[0.1, 0.2], [0.3, 0.4]])
    n, reps = 40, 1500
    direct = sample_statistics(mdp, mu, n, rng=52, n_repetitions=reps)
    rng = np.random.default_rng(53)
    raw = [sample_offline_data(mdp, mu, n, rng).statistics for _ in range(reps)]
    pvalues = []
    for name, pick in [("counts", lambda st: st.counts), ("reward_sums", lambda st: st.reward_sums),
                       ("transition_counts", lambda st: st.transition_counts[..., 0])]:
        a = pick(direct).reshape(reps, -1)
        b = np.array([pick(st).reshape(-1) for st in raw])
        for k in range(4):
            pvalues.append(scipy.stats.ks_2samp(a[:, k], b[:, k]).pvalue)
    # Theory for the counts: Multinomial(n, mu) means and variances.
    counts = direct.counts.reshape(reps, -1)
    z = (counts.mean(axis=0) - n * mu.reshape(-1)) / np.sqrt(n * mu.reshape(-1) * (1 - mu.reshape(-1)) / reps)
    pvalues.append(scipy.stats.chi2.sf(np.sum(z ** 2), 4))
    assert min(pvalues) > LEVEL / len(pvalues), pvalues  # Bonferroni over the 13 checks


@pytest.mark.parametrize("kind", ["bandit", "contextual", "discounted", "finite_horizon"])
def test_same_seed_same_data(kind):
    problem = {
        "bandit": random_bandit(4, rng=0), "contextual": random_contextual_bandit(3, 2, rng=0),
        "discounted": random_mdp(3, 2, rng=0), "finite_horizon": random_finite_horizon_mdp(3, 2, 4, rng=0),
    }[kind]
    shape = {"bandit": (4,), "finite_horizon": (4, 3, 2)}.get(kind, (3, 2))
    mu = np.random.default_rng(1).dirichlet(np.ones(int(np.prod(shape[-2:]))), size=shape[:-2] or None)
    mu = mu.reshape(shape)

    def everything(seed):
        out = [sample_offline_data(problem, mu, 100, rng=seed)]
        stats = sample_statistics(problem, mu, 100, rng=seed, n_repetitions=2)
        out += [stats.counts, stats.reward_sums, stats.transition_counts]
        if kind in ("discounted", "finite_horizon"):
            pi = np.zeros(3, dtype=int)
            out.append(sample_episodes(problem, pi, 5, rng=seed, n_steps=None if kind == "finite_horizon" else 6))
        return [x for item in out for x in ((item.s, item.a, item.r, item.s_next) if hasattr(item, "s") else (item,))]

    first, second, other = everything(7), everything(7), everything(8)
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x, y) for x, y in zip(first, other) if x is not None)


# --------------------------------------------------------------------------------------------
# Bad input and the numba cache
# --------------------------------------------------------------------------------------------

def test_sampling_bad_input():
    mdp = random_mdp(3, 2, rng=0)
    mu = np.full((3, 2), 1 / 6)
    for bad in (0, -5, 2.5):
        with pytest.raises(ValueError, match="^n_samples: expected a positive integer"):
            sample_offline_data(mdp, mu, bad, rng=0)
        with pytest.raises(ValueError, match="^n_samples: expected a positive integer"):
            sample_statistics(mdp, mu, bad, rng=0)
        with pytest.raises(ValueError, match="^n_episodes: expected a positive integer"):
            sample_episodes(mdp, [0, 1, 0], bad, rng=0, n_steps=3)
        with pytest.raises(ValueError, match="^n_repetitions: expected a positive integer"):
            sample_statistics(mdp, mu, 10, rng=0, n_repetitions=bad)
    with pytest.raises(ValueError, match="^n_steps: expected an episode length"):
        sample_episodes(mdp, [0, 1, 0], 2, rng=0)
    with pytest.raises(ValueError, match="^n_steps: expected a positive integer"):
        sample_episodes(mdp, [0, 1, 0], 2, rng=0, n_steps=0)
    with pytest.raises(ValueError, match="^policy: expected entries < 2, got 2"):
        sample_episodes(mdp, [0, 2, 0], 2, rng=0, n_steps=3)
    with pytest.raises(ValueError, match="^policy: expected shape"):
        sample_episodes(mdp, [0, 1], 2, rng=0, n_steps=3)
    with pytest.raises(ValueError, match="^data_distribution: expected shape"):
        sample_offline_data(mdp, np.full((2, 3), 1 / 6), 10, rng=0)
    with pytest.raises(ValueError, match="^data_distribution: expected rows summing to 1"):
        sample_statistics(mdp, np.full((3, 2), 0.2), 10, rng=0)
    with pytest.raises(ValueError, match="^data_distribution: expected finite"):
        sample_offline_data(mdp, np.full((3, 2), np.nan), 10, rng=0)
    with pytest.raises(ValueError, match="^rng: expected a non-negative int seed"):
        sample_offline_data(mdp, mu, 10, rng=-1)
    with pytest.raises(TypeError, match="^rng: expected a numpy.random.Generator"):
        sample_offline_data(mdp, mu, 10, rng="seed")
    with pytest.raises(TypeError, match="^mdp: expected"):
        sample_episodes(random_bandit(3, rng=0), 0, 2, rng=0, n_steps=1)


def test_numba_kernels_are_cached_on_disk():
    """A fresh process loads the kernels from the on-disk cache instead of compiling them."""
    script = textwrap.dedent("""
        import numpy as np
        from mdps.instances.random import random_mdp
        from mdps.sampling import _iid_kernel, _rollout_kernel, sample_episodes, sample_offline_data
        mdp = random_mdp(3, 2, rng=0)
        sample_episodes(mdp, [0, 1, 0], 2, rng=0, n_steps=3)
        sample_offline_data(mdp, np.full((3, 2), 1 / 6), 5, rng=0)
        print(sum(_rollout_kernel.stats.cache_hits.values()), sum(_iid_kernel.stats.cache_misses.values()),
              sum(_iid_kernel.stats.cache_hits.values()))
    """)
    # This process compiles (or loads) both kernels first, which writes the cache if it is missing.
    mdp = random_mdp(3, 2, rng=0)
    sample_episodes(mdp, [0, 1, 0], 2, rng=0, n_steps=3)
    sample_offline_data(mdp, np.full((3, 2), 1 / 6), 5, rng=0)
    root = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root)
    rollout_hits, iid_misses, iid_hits = map(int, out.stdout.split())
    assert rollout_hits >= 1 and iid_hits >= 1 and iid_misses == 0


def test_rows_within_the_simplex_tolerance_are_sampled():
    """Rows accepted by validation (sums within 1e-8 of 1) must not crash numpy's multinomial."""
    # numpy raises "sum(pvals[:-1]) > 1.0" for these rows unless the rounding is removed first.
    P = np.array([[[0.3, 0.7 + 5e-10, 0.0]], [[0.3, 0.7, 0.0]], [[0.0, 0.0, 1.0]]])
    mdp = DiscountedMDP(P, np.full((3, 1), 0.5), 0.9, [0.5, 0.5, 0.0])
    mu = np.array([[0.5], [0.5 + 5e-10], [0.0]])
    stats = sample_statistics(mdp, mu, 1000, rng=0, n_repetitions=2)
    np.testing.assert_array_equal(stats.n_samples, [1000, 1000])
    assert len(sample_offline_data(mdp, mu, 10, rng=0)) == 10
