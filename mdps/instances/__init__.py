"""Instances: random problems, classic teaching problems, and the hard families of the papers.

The random problems (``mdps.instances.random``: Dirichlet transitions, uniform mean rewards,
random linear MDPs) and the classic ones (``mdps.instances.classic``: a chain, a gridworld, two
combination locks) are re-exported here. Every random generator takes ``rng`` (a
``numpy.random.Generator``, an int seed or None; see :ref:`conventions-seeding`). The papers' own
families live in one submodule per paper (``mdps.instances.lcb``, ``mdps.instances.ftpedel``,
``mdps.instances.hnpg``, ``mdps.instances.dual_rl``).
"""
from .classic import chain_mdp, combination_lock, finite_horizon_lock, gridworld, sparse_chain, sparse_gridworld
from .random import random_bandit, random_contextual_bandit, random_finite_horizon_mdp, random_linear_mdp, random_mdp

__all__ = [
    "chain_mdp", "combination_lock", "finite_horizon_lock", "gridworld", "random_bandit", "sparse_chain", "sparse_gridworld",
    "random_contextual_bandit", "random_finite_horizon_mdp", "random_linear_mdp", "random_mdp",
]
