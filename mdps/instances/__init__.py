"""Instances: random problems, classic teaching problems, and the hard families of the papers.

The papers' own families live in one submodule per paper (``mdps.instances.lcb``,
``mdps.instances.hnpg``, ...); the random and classic problems are re-exported here.
"""
from .classic import chain_mdp, combination_lock, finite_horizon_lock, gridworld
from .random import random_bandit, random_contextual_bandit, random_finite_horizon_mdp, random_linear_mdp, random_mdp

__all__ = [
    "chain_mdp", "combination_lock", "finite_horizon_lock", "gridworld", "random_bandit",
    "random_contextual_bandit", "random_finite_horizon_mdp", "random_linear_mdp", "random_mdp",
]
