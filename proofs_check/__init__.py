"""Claims: each theorem of the five papers as a measurable statement that can fail.

See :mod:`proofs_check.framework` (Claim, Sweep, Evidence, the registry and the runner) and
:mod:`proofs_check.statistics` (the statistics every claim uses).
"""
from .framework import (
    BUDGETS,
    Claim,
    Evidence,
    Sweep,
    all_claims,
    check_claim,
    get_claim,
    register,
    run_claim,
    run_sweep,
    select_claims,
)
from .statistics import Verdict, all_of, bound_verdict, exact_verdict, order_verdict, rate_verdict

__all__ = [
    "BUDGETS", "Claim", "Evidence", "Sweep", "Verdict", "all_claims", "all_of", "bound_verdict",
    "check_claim", "exact_verdict", "get_claim", "order_verdict", "rate_verdict", "register",
    "run_claim", "run_sweep", "select_claims",
]
