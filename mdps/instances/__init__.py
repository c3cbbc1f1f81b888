"""Instances: random problems, classic teaching problems, and the hard families of the papers."""
from .random import random_bandit, random_contextual_bandit, random_finite_horizon_mdp, random_linear_mdp, random_mdp
from .classic import chain_mdp, combination_lock, finite_horizon_lock

__all__ = [
    "chain_mdp", "combination_lock", "finite_horizon_lock", "random_bandit", "random_contextual_bandit", "random_finite_horizon_mdp",
    "random_linear_mdp", "random_mdp",
]
