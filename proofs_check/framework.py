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
(the hash covers the sweep's version, the cell, the variant and the root seed), so an
interrupted run resumes and a re-run is instant. Bump a sweep's ``version`` when its code
changes. The cache directory defaults to ``$PROVABLE_RL_CACHE`` or ``.provable_rl_cache``, read
when a sweep runs.

Example
-------
>>> import numpy as np
>>> from proofs_check.framework import Sweep, run_sweep
>>> sweep = Sweep("doc.mean", cells=lambda budget: [{"n": 10}, {"n": 100}],
...               run_cell=lambda cell, rng, mutant: [{"mean": rng.standard_normal(cell["n"]).mean()}])
>>> rows = run_sweep(sweep, "smoke", use_cache=False)
>>> [row["n"] for row in rows]
[10, 100]
"""
from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import importlib
import json
import math
import os
import re
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


def default_cache_dir() -> Path:
    """``$PROVABLE_RL_CACHE`` if set, else ``.provable_rl_cache`` (relative to the working directory)."""
    return Path(os.environ.get("PROVABLE_RL_CACHE") or ".provable_rl_cache")


class SelectionError(ValueError):
    """A pattern, id or backend the user asked for does not exist or is not available.

    A ValueError (callers catching that keep working); the command line reports it as a usage
    error, while any other exception propagates with its traceback.
    """


def per_budget(budget: str, smoke, quick, full):
    """The value for ``budget``: ``smoke``, ``quick`` or ``full``.

    For a sweep's ``cells(budget)`` and a claim's ``analyse(rows, budget)``, which size their
    grid by budget.

    Example
    -------
    >>> per_budget("quick", smoke=2, quick=8, full=32)
    8
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    return {"smoke": smoke, "quick": quick, "full": full}[budget]


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

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or "/" in self.name or "\\" in self.name:
            raise ValueError(f"name: expected a non-empty string without path separators, got {self.name!r}")
        if not callable(self.cells):
            raise TypeError(f"cells: expected a callable budget -> list of dict, got {type(self.cells).__name__}")
        if not callable(self.run_cell):
            raise TypeError(f"run_cell: expected a callable (cell, rng, mutant) -> list of dict, "
                            f"got {type(self.run_cell).__name__}")


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
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValueError(f"id: expected a non-empty string, got {self.id!r}")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name: claim {self.id} needs a dotted name starting with its paper module")
        if self.kind not in KINDS:
            raise ValueError(f"kind: expected one of {KINDS}, got {self.kind!r}")
        if not self.mutant:
            raise ValueError(f"mutant: claim {self.id} needs a mutant its check rejects")
        if not isinstance(self.sweep, Sweep):
            raise TypeError(f"sweep: claim {self.id} expected a Sweep, got {type(self.sweep).__name__}")
        if not callable(self.analyse):
            raise TypeError(f"analyse: claim {self.id} expected a callable (rows, budget) -> Verdict")

    @property
    def module(self) -> str:
        """The paper module the claim belongs to: the first part of its name (``"lcb"``)."""
        return self.name.split(".")[0]


@dataclass(frozen=True)
class Evidence:
    """The result of running one claim (or its mutant) at a budget.

    ``seconds`` is the wall time of the run (reading cached cells included);
    ``cells_computed`` and ``cells_cached`` say how many cells ran and how many came from disk.
    """

    claim_id: str
    variant: str  # "algorithm" or "mutant"
    budget: str
    verdict: Verdict
    rows: list = field(repr=False)
    seconds: float = 0.0
    cells_computed: int = 0
    cells_cached: int = 0

    @property
    def holds(self) -> bool:
        return self.verdict.holds

    def to_dict(self, with_rows: bool = False) -> dict:
        """Strict-JSON-able summary: numpy types become Python ones, inf/nan become strings."""
        out = {
            "claim_id": self.claim_id, "variant": self.variant, "budget": self.budget,
            "holds": bool(self.verdict.holds), "statistic": _jsonable(self.verdict.statistic),
            "interval": [_jsonable(x) for x in self.verdict.interval], "summary": self.verdict.summary,
            "details": _jsonable(self.verdict.details), "seconds": _jsonable(self.seconds),
            "n_rows": len(self.rows), "cells_computed": self.cells_computed, "cells_cached": self.cells_cached,
        }
        if with_rows:
            out["rows"] = _jsonable(self.rows)
        return out


def _plain(x, *, strict_json: bool = False):
    """Numpy scalars/arrays and tuples to plain Python.

    With ``strict_json=False`` (rows) floats stay floats, inf and nan included, and anything that
    would not survive a JSON round trip raises TypeError. With ``strict_json=True`` (evidence
    files) non-finite floats become "inf", "-inf", "nan" and other types their ``str``.
    """
    if isinstance(x, dict):
        return {str(k): _plain(v, strict_json=strict_json) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v, strict_json=strict_json) for v in x]
    if isinstance(x, np.ndarray):
        return _plain(x.tolist(), strict_json=strict_json)
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if not strict_json or math.isfinite(x) else str(float(x))
    if strict_json:
        return str(x)
    raise TypeError(f"expected JSON-able values (numbers, strings, bools, None, lists, dicts), "
                    f"got {type(x).__name__}: {x!r}")


def _jsonable(x):
    """:func:`_plain` for strict JSON (evidence files)."""
    return _plain(x, strict_json=True)


def dumps_json(obj, **kwargs) -> str:
    """``json.dumps`` for evidence: numpy types, tuples, inf and nan handled; always strict JSON."""
    return json.dumps(_jsonable(obj), allow_nan=False, **kwargs)


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------

_REGISTRY: dict[str, Claim] = {}
#: Whether the paper modules are imported when the registry is read (off inside isolated_registry).
_LOAD_MODULES = [True]


def register(claim: Claim) -> Claim:
    """Add a claim to the registry and return it (ids are unique).

    Registering a claim again with the same id and name replaces it (a module re-imported, e.g.
    by ``importlib.reload`` in a notebook); the same id with another name is an error.
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"claim: expected a Claim, got {type(claim).__name__}")
    old = _REGISTRY.get(claim.id)
    if old is not None and old is not claim and old.name != claim.name:
        raise ValueError(f"claim: id {claim.id!r} is registered twice ({old.name!r} and {claim.name!r})")
    _REGISTRY[claim.id] = claim
    return claim


def unregister(claim) -> Claim:
    """Remove a claim (a Claim or its id) from the registry and return it."""
    claim_id = claim.id if isinstance(claim, Claim) else claim
    try:
        return _REGISTRY.pop(claim_id)
    except KeyError:
        raise ValueError(f"claim: no registered claim {claim_id!r}") from None


@contextlib.contextmanager
def registered(*claims: Claim):
    """Register ``claims`` for the duration of a ``with`` block, then restore the registry.

    >>> with registered(my_claim):          # doctest: +SKIP
    ...     check_claim(get_claim(my_claim.id))
    """
    saved = dict(_REGISTRY)
    try:
        for claim in claims:
            register(claim)
        yield claims
    finally:
        _REGISTRY.clear()
        _REGISTRY.update(saved)


@contextlib.contextmanager
def isolated_registry(*claims: Claim):
    """An empty registry holding only ``claims``, with the paper modules not loaded (for tests).

    Inside the block, :func:`all_claims` and ``experiments.figures.all_figures`` see only what is
    registered there; on exit the previous registry comes back.
    """
    saved = dict(_REGISTRY)
    _REGISTRY.clear()
    _LOAD_MODULES.append(False)
    try:
        for claim in claims:
            register(claim)
        yield claims
    finally:
        _LOAD_MODULES.pop()
        _REGISTRY.clear()
        _REGISTRY.update(saved)


def paper_modules() -> tuple:
    """The paper modules to import when reading the registries (none inside :func:`isolated_registry`)."""
    return CLAIM_MODULES if _LOAD_MODULES[-1] else ()


def _load_all() -> None:
    for name in paper_modules():
        try:
            importlib.import_module(f"proofs_check.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"proofs_check.{name}":
                raise


def _id_key(claim_id: str) -> tuple:
    """Natural order: ``LCB-C2`` before ``LCB-C10`` (digit runs compare as numbers)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", claim_id) if part)


def all_claims() -> list[Claim]:
    """Every registered claim, in paper order (``CLAIM_MODULES``, others last) then id order."""
    _load_all()
    order = {m: i for i, m in enumerate(CLAIM_MODULES)}
    return sorted(_REGISTRY.values(), key=lambda c: (order.get(c.module, len(order)), c.module, _id_key(c.id)))


def get_claim(claim_id: str) -> Claim:
    """The registered claim with this id."""
    _load_all()
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        raise SelectionError(f"claim_id: no claim {claim_id!r}; `provable-rl list` shows them") from None


def select_claims(patterns=None) -> list[Claim]:
    """Claims whose id (or name) matches any of the fnmatch ``patterns`` (all when empty).

    Matching is case-sensitive. Raises ValueError when patterns are given and none matches.
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    claims = all_claims()
    if not patterns:
        return claims
    chosen = [c for c in claims if any(fnmatch.fnmatchcase(c.id, p) or fnmatch.fnmatchcase(c.name, p)
                                       for p in patterns)]
    if not chosen:
        raise SelectionError(f"patterns: no claim matches {list(patterns)}; `provable-rl list` shows them")
    return chosen


# --------------------------------------------------------------------------------------------
# Running sweeps
# --------------------------------------------------------------------------------------------

def cell_key(sweep: Sweep, cell: dict) -> str:
    """Canonical JSON of (sweep name, cell): the identity of a cell, independent of key order."""
    return json.dumps({"sweep": sweep.name, "cell": _plain(cell)}, sort_keys=True, separators=(",", ":"))


def cell_rng(root_seed: int, sweep: Sweep, cell: dict) -> np.random.Generator:
    """The cell's Generator: spawned from ``root_seed`` by a key derived from the cell only.

    It does not depend on the variant (algorithm or mutant), the budget, the other cells or
    the order in which cells run.
    """
    digest = hashlib.sha256(cell_key(sweep, cell).encode()).digest()
    spawn_key = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=spawn_key))


def _cache_path(cache_dir: Path, sweep: Sweep, budget: str, cell: dict, mutant, root_seed: int) -> Path:
    key = json.dumps({"v": sweep.version, "cell": _plain(cell), "mutant": mutant, "seed": root_seed},
                     sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return cache_dir / sweep.name / budget / f"{digest}.json"


def cache_path(sweep: Sweep, budget: str, cell: dict, *, mutant=None, seed: int = 0, cache_dir=None) -> Path:
    """Where the rows of one cell are cached."""
    return _cache_path(Path(cache_dir) if cache_dir is not None else default_cache_dir(),
                       sweep, budget, cell, mutant, seed)


def _run_one(sweep: Sweep, cell: dict, mutant, root_seed: int) -> list:
    rows = sweep.run_cell(dict(cell), cell_rng(root_seed, sweep, cell), mutant)
    if not isinstance(rows, (list, tuple)) or not all(isinstance(row, dict) for row in rows):
        raise TypeError(f"sweep {sweep.name}: run_cell must return a list of dicts, got {type(rows).__name__}")
    for row in rows:
        # A row restating a cell key with the same value is harmless; a different value would
        # silently replace the cell's and mislabel the row.
        clash = [key for key in row if key in cell and not _same(row[key], cell[key])]
        if clash:
            raise ValueError(f"sweep {sweep.name}: run_cell returned a row whose key {clash[0]!r} = "
                             f"{row[clash[0]]!r} collides with the cell's {cell[clash[0]]!r}; rename the row key")
    try:
        return [_plain({**cell, **row}) for row in rows]
    except TypeError as err:
        raise TypeError(f"sweep {sweep.name}: rows must hold plain numbers and strings: {err}") from None


def _same(a, b) -> bool:
    try:
        return bool(_plain(a) == _plain(b))
    except TypeError:  # not JSON-able: _plain reports it below
        return False


def _run_indexed(index: int, sweep: Sweep, cell: dict, mutant, root_seed: int) -> tuple:
    return index, _run_one(sweep, cell, mutant, root_seed)


def _read_cache(path: Path):
    """The cached rows, or None when missing or torn (an interrupted write)."""
    try:
        rows = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return None
    return rows


def _write_cache(path: Path, rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(rows))
    os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one


def _check_runner(budget, mutant, seed, jobs, backend):
    if budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs == 0 or jobs < -1:
        raise ValueError(f"jobs: expected a positive int or -1 (all cores), got {jobs!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: expected a non-negative int, got {seed!r}")
    if mutant is not None and not (isinstance(mutant, str) and mutant):
        raise ValueError(f"mutant: expected None or a non-empty string key, got {mutant!r}")


def check_backend(backend: str) -> None:
    """Raise ValueError when ``backend`` is unknown or its package is not installed."""
    if backend not in BACKENDS:
        raise SelectionError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    if backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise SelectionError("backend: 'dask' needs dask.distributed (pip install 'provable-rl[dask]')") from None
    if backend == "ray":
        try:
            import ray.util.joblib  # noqa: F401
        except ImportError:
            raise SelectionError("backend: 'ray' needs ray (pip install 'provable-rl[ray]')") from None


def sweep_cells(sweep: Sweep, budget: str) -> list:
    """The cells of ``sweep`` at ``budget``, checked: a list of unique JSON-able dicts."""
    if budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    cells = sweep.cells(budget)
    if not isinstance(cells, (list, tuple)) or not all(isinstance(c, dict) for c in cells):
        raise TypeError(f"sweep {sweep.name}: cells({budget!r}) must return a list of dicts")
    seen = set()
    for cell in cells:
        try:
            key = cell_key(sweep, cell)
        except TypeError as err:
            raise TypeError(f"sweep {sweep.name}: cells must be JSON-able: {err}") from None
        if key in seen:
            # Two equal cells would get the same random stream: not independent replicates.
            raise ValueError(f"sweep {sweep.name}: cell {cell} appears twice at budget {budget!r}; "
                             "give replicates a distinguishing key such as 'block'")
        seen.add(key)
    return list(cells)


def run_sweep(sweep: Sweep, budget: str = "smoke", *, mutant: str | None = None, seed: int = 0, jobs: int = 1,
              backend: str = "loky", cache_dir=None, use_cache: bool = True, progress: bool = False) -> list:
    """Run every cell of ``sweep`` at ``budget`` and return all rows (cell order).

    ``mutant`` None runs the algorithm; a mutant key runs that broken variant instead.

    Cached cells are read from disk; the rest run through joblib with ``jobs`` workers on
    ``backend`` ("loky" by default; "dask" and "ray" when installed; ``jobs=1`` runs in this
    process). Each computed cell is cached as soon as it finishes. The rows do not depend on
    ``jobs``, ``backend`` or the cache. ``progress`` shows a tqdm bar on stderr.
    """
    return _run_sweep(sweep, budget, mutant=mutant, seed=seed, jobs=jobs, backend=backend,
                      cache_dir=cache_dir, use_cache=use_cache, progress=progress)[0]


def _run_sweep(sweep, budget, *, mutant=None, seed=0, jobs=1, backend="loky", cache_dir=None,
               use_cache=True, progress=False):
    """:func:`run_sweep`, also returning how many cells were computed and how many read from disk."""
    _check_runner(budget, mutant, seed, jobs, backend)
    cells = sweep_cells(sweep, budget)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    results: list = [None] * len(cells)
    todo = []
    for i, cell in enumerate(cells):
        path = _cache_path(cache_dir, sweep, budget, cell, mutant, seed)
        if use_cache:
            cached = _read_cache(path)
            if cached is not None:
                results[i] = cached
                continue
        todo.append((i, cell, path))
    if todo:
        paths = {i: path for i, _, path in todo}
        bar = _progress(len(todo), f"{sweep.name}{f' [{mutant}]' if mutant else ''}", progress)
        try:
            for i, rows in _execute(sweep, [(i, cell) for i, cell, _ in todo], mutant, seed, jobs, backend):
                results[i] = rows
                if use_cache:
                    _write_cache(paths[i], rows)
                bar.update(1)
        finally:
            bar.close()
    return [row for rows in results for row in rows], len(todo), len(cells) - len(todo)


def _execute(sweep, indexed_cells, mutant, seed, jobs, backend):
    """Yield ``(index, rows)`` for each ``(index, cell)``, in completion order when parallel."""
    if jobs == 1 or len(indexed_cells) == 1:
        for i, cell in indexed_cells:
            yield i, _run_one(sweep, cell, mutant, seed)
        return
    import joblib

    tasks = (joblib.delayed(_run_indexed)(i, sweep, cell, mutant, seed) for i, cell in indexed_cells)
    if backend == "loky":
        yield from joblib.Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")(tasks)
        return
    check_backend(backend)
    if backend == "dask":
        _dask_client(jobs)
        with joblib.parallel_config(backend="dask"):
            yield from joblib.Parallel(n_jobs=jobs, return_as="generator_unordered")(tasks)
        return
    from ray.util.joblib import register_ray

    register_ray()
    with joblib.parallel_config(backend="ray"):
        # ray's joblib backend is pool-based and cannot stream results.
        yield from joblib.Parallel(n_jobs=jobs, return_as="list")(tasks)


_DASK_CLUSTER: list = []


def _dask_client(jobs: int):
    """The dask Client to run on: the one the user connected to, else a LocalCluster started once
    per process (``jobs`` worker processes, one thread each) and closed at exit."""
    from distributed.client import default_client

    try:
        return default_client()
    except ValueError:
        pass
    import atexit

    from distributed import Client, LocalCluster

    n_workers = (os.cpu_count() or 1) if jobs == -1 else jobs
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    _DASK_CLUSTER[:] = [cluster, client]

    def close():
        client.close()
        cluster.close()

    atexit.register(close)
    return client


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total: int, desc: str, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, leave=False, unit="cell")


def run_claim(claim: Claim, budget: str = "smoke", *, mutant: bool = False, **runner_options) -> Evidence:
    """Run a claim's sweep (or, with ``mutant=True``, its mutant's) at ``budget`` into :class:`Evidence`.

    ``runner_options`` are those of :func:`run_sweep` (``seed``, ``jobs``, ``backend``,
    ``cache_dir``, ``use_cache``, ``progress``).
    """
    start = time.perf_counter()
    rows, computed, cached = _run_sweep(claim.sweep, budget, mutant=claim.mutant if mutant else None,
                                        **runner_options)
    verdict = claim.analyse(rows, budget)
    if not isinstance(verdict, Verdict):
        raise TypeError(f"claim {claim.id}: analyse must return a Verdict, got {type(verdict).__name__}")
    return Evidence(claim.id, "mutant" if mutant else "algorithm", budget, verdict, rows,
                    time.perf_counter() - start, computed, cached)


def check_claim(claim: Claim, budget: str = "smoke", **runner_options) -> tuple[Evidence, Evidence]:
    """The claim's evidence and its mutant's: a check passes when the first holds and the second does not."""
    return (run_claim(claim, budget, mutant=False, **runner_options),
            run_claim(claim, budget, mutant=True, **runner_options))
