"""Instances of theory/ftpedel.md: the offline+online example FT-X1 and the verifiable example FT-X2.

Both are d-armed bandits written as linear MDPs (H = 1, one state, tabular features
``phi(0, a) = e_a``), with unit-variance Gaussian rewards so that beta = log(1/delta) is the
natural confidence term, and an explicit offline design ``offline_counts[h, s, a]``:

- **FT-X1** (:func:`ft_x1`): arm 0 optimal, every other arm gap Delta; the offline data cover
  arms 1..d-1 heavily and never arm 0. Offline alone cannot identify the optimum; online alone
  needs about beta (sqrt(d-1) + 1)^2 / Delta^2 episodes; offline + online about beta / Delta^2.
- **FT-X2** (:func:`ft_x2`): the same bandit with expert data (only arm 0 covered). Unverifiable
  learning (pessimism) needs no online episode; verifiable learning about beta (d-1) / Delta^2.

:func:`competitor_bandit` is the family used for PEDEL against uniform exploration: one close
competitor (gap Delta) among arms whose gaps are large.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validation as v
from ..core import LinearMDP


def bandit_linear_mdp(means, *, reward_std: float = 1.0) -> LinearMDP:
    """A K-armed bandit as a linear MDP: H = 1, S = 1, d = K, ``phi(0, a) = e_a``, Gaussian rewards."""
    mu_arms = v.float_array("means", means, ndim=1)
    K = mu_arms.size
    if K < 2:
        raise ValueError(f"means: expected at least 2 arms, got {K}")
    features = np.eye(K)[None]                # (S=1, A=K, d=K)
    mu = np.ones((1, K, 1))                  # every arm leads back to the single state
    return LinearMDP(features, mu, mu_arms[None], np.ones(1), reward_model="gaussian",
                     reward_std=v.positive_float("reward_std", reward_std))


def arm_policies(n_arms: int) -> np.ndarray:
    """The policies "always play arm k" of a one-state, one-step problem: int array (K, 1, 1)."""
    return np.arange(v.positive_int("n_arms", n_arms), dtype=np.int64).reshape(-1, 1, 1)


@dataclass(frozen=True, eq=False)
class HybridInstance:
    """A linear MDP, a policy class and an offline design.

    Attributes
    ----------
    mdp : LinearMDP
    policies : int array (n, H, S)
    offline_counts : int array (H, S, A)
        How many offline tuples each (h, s, a) has.
    name : str
    """

    mdp: LinearMDP
    policies: np.ndarray
    offline_counts: np.ndarray
    name: str

    @property
    def offline_covariances(self) -> np.ndarray:
        """Lambda_off,h = sum_{s,a} n_h(s, a) phi phi^T, shape (H, d, d)."""
        phi = self.mdp.features
        return np.einsum("hsa,sai,saj->hij", self.offline_counts, phi, phi)


def _arms(n_arms, gap, best_mean):
    K = v.positive_int("n_arms", n_arms)
    if K < 2:
        raise ValueError(f"n_arms: expected at least 2 arms, got {K}")
    gap = v.positive_float("gap", gap)
    best = v.probability("best_mean", best_mean, open_low=False, open_high=False)
    if gap > best:
        raise ValueError(f"gap: expected at most best_mean={best}, got {gap}")
    return K, gap, best


def ft_x1(n_arms: int = 8, gap: float = 0.1, *, n_offline: int = 10 ** 6, best_mean: float = 0.6,
          reward_std: float = 1.0) -> HybridInstance:
    """FT-X1: offline data cover the suboptimal arms (``n_offline`` each), never the optimal arm 0."""
    K, gap, best = _arms(n_arms, gap, best_mean)
    n_off = v.positive_int("n_offline", n_offline)
    means = np.full(K, best - gap)
    means[0] = best
    counts = np.full((1, 1, K), n_off, dtype=np.int64)
    counts[0, 0, 0] = 0
    return HybridInstance(bandit_linear_mdp(means, reward_std=reward_std), arm_policies(K), counts, "FT-X1")


def ft_x2(n_arms: int = 8, gap: float = 0.1, *, n_offline: int = 10 ** 6, best_mean: float = 0.6,
          reward_std: float = 1.0) -> HybridInstance:
    """FT-X2: expert offline data, ``n_offline`` samples of the optimal arm 0 only."""
    K, gap, best = _arms(n_arms, gap, best_mean)
    n_off = v.positive_int("n_offline", n_offline)
    means = np.full(K, best - gap)
    means[0] = best
    counts = np.zeros((1, 1, K), dtype=np.int64)
    counts[0, 0, 0] = n_off
    return HybridInstance(bandit_linear_mdp(means, reward_std=reward_std), arm_policies(K), counts, "FT-X2")


def competitor_bandit(n_arms: int = 8, gap: float = 0.1, *, far_gap: float = 0.5, best_mean: float = 0.6,
                      reward_std: float = 1.0) -> HybridInstance:
    """Arm 0 optimal, arm 1 a close competitor (gap ``gap``), arms 2.. far (gap ``far_gap``); no offline data.

    Only arms 0 and 1 matter at small epsilon, so an optimal design spends almost nothing on the
    far arms, while uniform exploration pays a factor of about K/2 (the gap-irrelevant arms).
    """
    K, gap, best = _arms(n_arms, gap, best_mean)
    far = v.positive_float("far_gap", far_gap)
    if far > best or far < gap:
        raise ValueError(f"far_gap: expected a number in [gap, best_mean] = [{gap}, {best}], got {far}")
    means = np.full(K, best - far)
    means[0], means[1] = best, best - gap
    return HybridInstance(bandit_linear_mdp(means, reward_std=reward_std), arm_policies(K),
                          np.zeros((1, 1, K), dtype=np.int64), "competitor")
