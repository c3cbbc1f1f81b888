"""Claims: each theorem of the five papers as a measurable statement that can fail.

See :mod:`proofs_check.framework` (learner protocols, mutant panels, Claim, Sweep, Evidence, the
registry and the runner), :mod:`proofs_check.statistics` (the statistics every claim uses) and
:mod:`proofs_check.calibration` (measured error rates over root seeds).

To run a claim against your own algorithm: ``check("LCB-M1", learner=my_learner)``, where
``my_learner`` follows ``get_claim("LCB-M1").protocol``. To run the cells on a Dask cluster:
``check_claim(claim, "full", backend="dask", scheduler="tcp://HOST:8786")`` (see :ref:`cluster`).
"""
from .calibration import CalibrationResult, calibrate
from .framework import (
    BACKENDS,
    BUDGETS,
    KINDS,
    Claim,
    Evidence,
    LearnerProtocol,
    Mutant,
    SelectionError,
    Sweep,
    all_claims,
    cache_path,
    cell_rng,
    check,
    check_claim,
    claim_runs,
    clear_cache,
    default_cache_dir,
    get_claim,
    isolated_registry,
    learner_name,
    per_budget,
    precompute_cells,
    register,
    registered,
    run_claim,
    run_sweep,
    select_claims,
    unregister,
)
from .statistics import Verdict, all_of, bound_verdict, exact_verdict, order_verdict, rate_verdict

__all__ = [
    "BACKENDS", "BUDGETS", "KINDS", "CalibrationResult", "Claim", "Evidence", "LearnerProtocol", "Mutant",
    "SelectionError", "Sweep", "Verdict", "all_claims", "all_of", "bound_verdict", "cache_path", "calibrate",
    "cell_rng", "check", "check_claim", "claim_runs", "clear_cache", "default_cache_dir", "exact_verdict", "get_claim",
    "isolated_registry", "learner_name", "order_verdict", "per_budget", "precompute_cells", "rate_verdict", "register", "registered",
    "run_claim", "run_sweep", "select_claims", "unregister",
]
