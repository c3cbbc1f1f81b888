"""Problems for provable RL: tabular and linear MDPs, bandits, exact planning and offline data.

The ground truth every check in the project compares against. See :mod:`mdps.core` for the
notation (``S``, ``A``, ``H``, ``gamma``, ``P``, ``R``) used throughout.
"""
from .core import (
    ContextualBandit,
    DiscountedMDP,
    FiniteHorizonMDP,
    LinearMDP,
    MultiArmedBandit,
    deterministic_policy,
    finite_horizon,
    one_hot_linear_mdp,
    policy_matrix,
    softmax_policy,
)
from .converters import from_gymnasium, from_mdptoolbox, to_gymnasium, to_mdptoolbox
from .data import OfflineData, SufficientStatistics, data_distribution
from .planning import (
    PlanningResult,
    backward_induction,
    bellman_residual,
    concentrability,
    expected_return,
    greedy_policy,
    linear_program,
    occupancy,
    optimal_occupancy,
    optimal_return,
    policy_evaluation,
    policy_iteration,
    policy_q_values,
    q_from_values,
    solve,
    state_occupancy,
    suboptimality,
    value_iteration,
)
from .sampling import sample_episodes, sample_offline_data, sample_statistics

__all__ = [
    "backward_induction", "bellman_residual", "from_gymnasium", "from_mdptoolbox", "greedy_policy",
    "linear_program", "policy_iteration", "to_gymnasium", "to_mdptoolbox", "value_iteration",
    "ContextualBandit", "DiscountedMDP", "FiniteHorizonMDP", "LinearMDP", "MultiArmedBandit",
    "OfflineData", "PlanningResult", "SufficientStatistics", "concentrability", "data_distribution",
    "deterministic_policy", "expected_return", "finite_horizon", "occupancy", "one_hot_linear_mdp",
    "optimal_occupancy", "optimal_return", "policy_evaluation", "policy_matrix", "policy_q_values",
    "q_from_values", "sample_episodes", "softmax_policy", "sample_offline_data", "sample_statistics", "solve",
    "state_occupancy", "suboptimality",
]
