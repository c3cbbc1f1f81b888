"""Claims, sweeps, evidence, the registry and the sweep runner.

A :class:`Sweep` produces tidy data: ``cells(budget)`` lists the cells (small JSON-able dicts),
and ``run_cell(cell, rng, mutant)`` returns the rows (dicts) of one cell. A :class:`Claim`
reads a sweep's rows and returns a :class:`~proofs_check.statistics.Verdict` through
``analyse(rows, budget)``; it runs twice, once with the algorithm and once with its **mutant**
(a deliberately broken variant), and is a check only if the mutant is rejected.

Randomness: each cell's Generator comes from ``SeedSequence(root_seed, spawn_key=key(sweep,
cell))``: the same cell gets the same stream whatever the number of workers, the backend or the
order, and the algorithm and its mutant see the same data (common random numbers).

Caching: each cell's rows are stored as JSON under ``cache_dir/<sweep>/<budget>/<hash>.json``
(the hash covers the sweep's name and version, the cell, the variant and the root seed), so an
interrupted run resumes and a re-run is instant. Bump a sweep's ``version`` when its code changes.
"""
from __future__ import annotations

import fnmatch
import hashlib
import importlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .statistics import Verdict

BUDGETS = ("smoke", "quick", "full")
KINDS = ("bound", "rate", "exact", "order")
BACKENDS = ("loky", "dask", "ray")
#: Modules that register claims on import, one per paper.
CLAIM_MODULES = ("lcb", "dual_rl", "hnpg", "optimistic_ac", "ftpedel")
DEFAULT_CACHE = Path(os.environ.get("PROVABLE_RL_CACHE", ".provable_rl_cache"))


@dataclass(frozen=True)
class Sweep:
    """A grid of cells and the function that runs one.

    Attributes
    ----------
    name : str
        Unique, e.g. ``"lcb.mab_worst_case"``.
    cells : callable budget -> list of dict
        The cells at a budget; each dict is JSON-able (numbers, strings, lists) and unique.
    run_cell : callable (cell, rng, mutant) -> list of dict
        The rows of one cell: plain JSON-able numbers and strings. ``mutant`` is None for the
        algorithm, or the key of a broken variant (a claim's ``mutant``) to run instead.
    version : int
        Part of the cache key; bump it when ``run_cell`` changes.
    """

    name: str
    cells: Callable[[str], list]
    run_cell: Callable
    version: int = 1


@dataclass(frozen=True)
class Claim:
    """One measurable statement of a paper.

    Attributes
    ----------
    id : str
        The check's id in ``theory/`` (``"LCB-C1"``).
    name : str
        Descriptive dotted name (``"lcb.cb.rate_fixed_concentrability"``).
    paper : str
        Short citation (``"Rashidinejad et al. 2021"``).
    theorem : str
        Where in the paper (``"Thm 2 (CB upper bound)"``), with its confidence tag.
    statement : str
        One line: what is asserted, with its numbers.
    kind : {"bound", "rate", "exact", "order"}
    sweep : Sweep
    analyse : callable (rows, budget) -> Verdict
    mutant : str
        Key of the broken variant, passed to the sweep's ``run_cell`` (``"no_penalty"``).
    mutant_description : str
        What the broken variant is, for tables (``"penalty removed: the empirical best arm"``).
    """

    id: str
    name: str
    paper: str
    theorem: str
    statement: str
    kind: str
    sweep: Sweep
    analyse: Callable
    mutant: str
    mutant_description: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind: expected one of {KINDS}, got {self.kind!r}")
        if not self.mutant:
            raise ValueError(f"mutant: claim {self.id} needs a mutant its check rejects")


@dataclass(frozen=True)
class Evidence:
    """The result of running one claim (or its mutant) at a budget."""

    claim_id: str
    variant: str  # "algorithm" or "mutant"
    budget: str
    verdict: Verdict
    rows: list = field(repr=False)
    seconds: float = 0.0

    @property
    def holds(self) -> bool:
        return self.verdict.holds

    def to_dict(self, with_rows: bool = False) -> dict:
        out = {
            "claim_id": self.claim_id, "variant": self.variant, "budget": self.budget,
            "holds": bool(self.verdict.holds), "statistic": _jsonable(self.verdict.statistic),
            "interval": [_jsonable(x) for x in self.verdict.interval], "summary": self.verdict.summary,
            "details": _jsonable(self.verdict.details), "seconds": self.seconds,
        }
        if with_rows:
            out["rows"] = self.rows
        return out


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, (np.floating, float)):
        return float(x) if np.isfinite(x) else str(float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

_REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim to the registry (ids are unique)."""
    if claim.id in _REGISTRY and _REGISTRY[claim.id] is not claim:
        raise ValueError(f"claim: id {claim.id!r} is registered twice")
    _REGISTRY[claim.id] = claim
    return claim


def _load_all() -> None:
    for name in CLAIM_MODULES:
        try:
            importlib.import_module(f"proofs_check.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"proofs_check.{name}":
                raise


def all_claims() -> list[Claim]:
    """Every registered claim, in paper order then id order."""
    _load_all()
    order = {m: i for i, m in enumerate(CLAIM_MODULES)}
    return sorted(_REGISTRY.values(), key=lambda c: (order.get(c.name.split(".")[0], 99), _id_key(c.id)))


def _id_key(claim_id: str):
    head, _, tail = claim_id.rpartition("-")
    digits = "".join(ch for ch in tail if ch.isdigit())
    return (head, tail.rstrip("0123456789") if not digits else tail[: len(tail) - len(digits)],
            int(digits) if digits else 0)


def get_claim(claim_id: str) -> Claim:
    _load_all()
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        raise ValueError(f"claim_id: no claim {claim_id!r}; `provable-rl list` shows them") from None


def select_claims(patterns=None) -> list[Claim]:
    """Claims whose id (or name) matches any of the fnmatch ``patterns`` (all when empty)."""
    claims = all_claims()
    if not patterns:
        return claims
    chosen = [c for c in claims if any(fnmatch.fnmatchcase(c.id, p) or fnmatch.fnmatchcase(c.name, p)
                                       for p in patterns)]
    if not chosen:
        raise ValueError(f"patterns: no claim matches {list(patterns)}; `provable-rl list` shows them")
    return chosen


# --------------------------------------------------------------------------------------------
# Running sweeps
# --------------------------------------------------------------------------------------------

def cell_key(sweep: Sweep, cell: dict) -> str:
    return json.dumps({"sweep": sweep.name, "cell": cell}, sort_keys=True, separators=(",", ":"))


def cell_rng(root_seed: int, sweep: Sweep, cell: dict) -> np.random.Generator:
    """The cell's Generator: spawned from ``root_seed`` by a key derived from the cell only."""
    digest = hashlib.sha256(cell_key(sweep, cell).encode()).digest()
    spawn_key = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=spawn_key))


def _cache_path(cache_dir: Path, sweep: Sweep, budget: str, cell: dict, mutant, root_seed: int) -> Path:
    key = json.dumps({"v": sweep.version, "cell": cell, "mutant": mutant, "seed": root_seed},
                     sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return cache_dir / sweep.name / budget / f"{digest}.json"


def _run_one(sweep: Sweep, cell: dict, mutant, root_seed: int) -> list:
    rows = sweep.run_cell(dict(cell), cell_rng(root_seed, sweep, cell), mutant)
    return [_jsonable({**cell, **row}) for row in rows]


def run_sweep(sweep: Sweep, budget: str = "smoke", *, mutant: str | None = None, seed: int = 0, jobs: int = 1,
              backend: str = "loky", cache_dir=None, use_cache: bool = True, progress: bool = False) -> list:
    """Run every cell of ``sweep`` at ``budget`` and return all rows (cell order).

    ``mutant`` None runs the algorithm; a mutant key runs that broken variant instead.

    Cached cells are read from disk; the rest run through joblib with ``jobs`` workers on
    ``backend`` ("loky" by default; "dask" and "ray" when installed). The rows do not depend on
    ``jobs``, ``backend`` or the cache.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0 or jobs < -1:
        raise ValueError(f"jobs: expected a positive int or -1 (all cores), got {jobs!r}")
    cells = sweep.cells(budget)
    cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
    results: list = [None] * len(cells)
    todo = []
    for i, cell in enumerate(cells):
        path = _cache_path(cache_dir, sweep, budget, cell, mutant, seed)
        if use_cache and path.exists():
            try:
                results[i] = json.loads(path.read_text())
                continue
            except (OSError, json.JSONDecodeError):
                pass  # a torn write from an interrupted run: recompute the cell
        todo.append((i, cell, path))
    if todo:
        bar = _progress(len(todo), f"{sweep.name}{f' [{mutant}]' if mutant else ''}", progress)
        for (i, cell, path), rows in zip(todo, _execute(sweep, [c for _, c, _ in todo], mutant, seed, jobs, backend)):
            results[i] = rows
            if use_cache:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".tmp{os.getpid()}")
                tmp.write_text(json.dumps(rows))
                os.replace(tmp, path)
            bar.update(1)
        bar.close()
    return [row for rows in results for row in rows]


def _execute(sweep, cells, mutant, seed, jobs, backend):
    if jobs == 1 or len(cells) == 1:
        for cell in cells:
            yield _run_one(sweep, cell, mutant, seed)
        return
    import joblib

    tasks = (joblib.delayed(_run_one)(sweep, cell, mutant, seed) for cell in cells)
    if backend == "loky":
        yield from joblib.Parallel(n_jobs=jobs, backend="loky", return_as="generator")(tasks)
        return
    if backend == "dask":
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:
            raise ValueError("backend: 'dask' needs the dask extra (pip install 'provable-rl[dask]')") from err
        with LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True) as cluster, \
                Client(cluster), joblib.parallel_config(backend="dask"):
            yield from joblib.Parallel(n_jobs=jobs, return_as="generator")(tasks)
        return
    try:
        from ray.util.joblib import register_ray
    except ImportError as err:
        raise ValueError("backend: 'ray' needs the ray extra (pip install 'provable-rl[ray]')") from err
    register_ray()
    with joblib.parallel_config(backend="ray"):
        yield from joblib.Parallel(n_jobs=jobs, return_as="generator")(tasks)


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total: int, desc: str, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, leave=False)


def run_claim(claim: Claim, budget: str = "smoke", *, mutant: bool = False, **runner_options) -> Evidence:
    """Run a claim's sweep (or, with ``mutant=True``, its mutant's) at ``budget`` into :class:`Evidence`."""
    start = time.perf_counter()
    rows = run_sweep(claim.sweep, budget, mutant=claim.mutant if mutant else None, **runner_options)
    verdict = claim.analyse(rows, budget)
    if not isinstance(verdict, Verdict):
        raise TypeError(f"claim {claim.id}: analyse must return a Verdict, got {type(verdict).__name__}")
    return Evidence(claim.id, "mutant" if mutant else "algorithm", budget, verdict, rows,
                    time.perf_counter() - start)


def check_claim(claim: Claim, budget: str = "smoke", **runner_options) -> tuple[Evidence, Evidence]:
    """The claim's evidence and its mutant's: a check passes when the first holds and the second does not."""
    return (run_claim(claim, budget, mutant=False, **runner_options),
            run_claim(claim, budget, mutant=True, **runner_options))
