"""Claims: each theorem of the five papers as a measurable statement that can fail.

See :mod:`proofs_check.framework` (Claim, Sweep, Evidence, the registry and the runner) and
:mod:`proofs_check.statistics` (the statistics every claim uses).
"""
from .framework import (
    BACKENDS,
    BUDGETS,
    KINDS,
    Claim,
    Evidence,
    SelectionError,
    Sweep,
    all_claims,
    cache_path,
    cell_rng,
    check_claim,
    default_cache_dir,
    get_claim,
    isolated_registry,
    per_budget,
    register,
    registered,
    run_claim,
    run_sweep,
    select_claims,
    unregister,
)
from .statistics import Verdict, all_of, bound_verdict, exact_verdict, order_verdict, rate_verdict

__all__ = [
    "BACKENDS", "BUDGETS", "KINDS", "Claim", "Evidence", "SelectionError", "Sweep", "Verdict", "all_claims", "all_of",
    "bound_verdict", "cache_path", "cell_rng", "check_claim", "default_cache_dir", "exact_verdict",
    "get_claim", "isolated_registry", "order_verdict", "per_budget", "rate_verdict", "register", "registered",
    "run_claim", "run_sweep", "select_claims", "unregister",
]
