r"""Claims, learner protocols, mutant panels, evidence, the registry and the sweep runner.

A :class:`Sweep` produces tidy data: ``cells(budget)`` lists the cells (small JSON-able dicts),
and ``run_cell(cell, rng, learner)`` returns the rows (dicts) of one cell, where ``learner`` is
the algorithm under test: a callable following the sweep's :class:`LearnerProtocol` (a
documented signature, e.g. ``learner(statistics, rng) -> arms``). The library's algorithm is the
protocol's default learner; anyone can pass their own (:func:`check`).

A :class:`Claim` reads a sweep's rows and returns a :class:`~proofs_check.statistics.Verdict`
through ``analyse(rows, budget)``. It carries a **panel** of :class:`Mutant` learners, each wrong
in a different way (a constant scaled, a term dropped, the key ingredient removed, the obvious
baseline); a claim is a check only if it holds for the algorithm and is rejected for every
mutant (:func:`check_claim`). How often that happens over root seeds is measured by
:func:`calibrate`.

Randomness: each cell's Generator comes from ``SeedSequence(root_seed, spawn_key=key(sweep,
cell))``: the same cell gets the same stream whatever the number of workers, the backend (loky,
dask, ray, a remote Dask cluster) or the order, and the algorithm and its mutants see the same
data (common random numbers). A sweep's rows are therefore a deterministic function of the
sweep, the budget, the learner and the root seed.

Caching: each cell's rows are stored as JSON under ``cache_dir/<sweep>/<budget>/<hash>.json``.
The hash covers the cell, the root seed, the budget, a **fingerprint of the code**: the source of
every project module the sweep's module reaches through its imports (the algorithm modules and
``mdps`` included), the package version, and the learner's identity and source. Editing an
algorithm therefore recomputes its cells without anyone bumping a number. Each file records its
key and its cell and is checked on read: a mismatched, empty, short or torn file is recomputed.
The cache directory defaults to ``$PROVABLE_RL_CACHE`` or ``.provable_rl_cache``. Cells are
written by the process that runs the sweep, each as soon as it completes, so an interrupted run
resumes with only the missing cells computed; on a cluster (:ref:`cluster`) only that process
needs the cache directory.

Examples
--------
>>> import numpy as np
>>> from proofs_check.framework import LearnerProtocol, Sweep, run_sweep
>>> def sample_mean(draws):
...     return draws.mean()
>>> protocol = LearnerProtocol("doc.estimator", "learner(draws) -> float",
...                            "draws: array (n,) of i.i.d. samples; returns an estimate of their mean",
...                            default=sample_mean)
>>> sweep = Sweep("doc.mean", cells=lambda budget: [{"n": 10}, {"n": 100}],
...               run_cell=lambda cell, rng, learner: [{"mean": learner(rng.standard_normal(cell["n"]))}],
...               protocol=protocol)
>>> rows = run_sweep(sweep, "smoke", use_cache=False)
>>> [row["n"] for row in rows]
[10, 100]
"""
from __future__ import annotations

import contextlib
import fnmatch
import functools
import hashlib
import importlib
import json
import math
import os
import re
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .statistics import Verdict

__all__ = [
    "BUDGETS",
    "KINDS",
    "BACKENDS",
    "CLAIM_MODULES",
    "PROJECT_PACKAGES",
    "CACHE_FORMAT",
    "DASK_CONNECT_TIMEOUT",
    "SelectionError",
    "LearnerProtocol",
    "Mutant",
    "Sweep",
    "Claim",
    "Evidence",
    "default_cache_dir",
    "per_budget",
    "dumps_json",
    "register",
    "unregister",
    "registered",
    "isolated_registry",
    "paper_modules",
    "all_claims",
    "get_claim",
    "select_claims",
    "cell_key",
    "cell_rng",
    "learner_name",
    "module_closure",
    "code_fingerprint",
    "learner_identity",
    "sweep_fingerprint",
    "cache_key",
    "cache_path",
    "clear_cache",
    "check_backend",
    "check_scheduler",
    "connect_scheduler",
    "sweep_cells",
    "run_sweep",
    "run_claim",
    "check_claim",
    "claim_runs",
    "precompute_cells",
    "check",
]

BUDGETS = ("smoke", "quick", "full")
KINDS = ("bound", "rate", "exact", "order")
BACKENDS = ("loky", "dask", "ray")
#: Modules that register claims on import, one per paper.
CLAIM_MODULES = ("lcb", "dual_rl", "hnpg", "optimistic_ac", "ftpedel")


def default_cache_dir() -> Path:
    """The default cache directory of the per-cell cache.

    Returns
    -------
    pathlib.Path
        ``$PROVABLE_RL_CACHE`` if set, else ``.provable_rl_cache`` (relative to the working
        directory).
    """
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

    Parameters
    ----------
    budget : {"smoke", "quick", "full"}
        The budget to choose for.
    smoke : object
        The value at the smoke budget (seconds per claim, what the tests run).
    quick : object
        The value at the quick budget (the command line's default).
    full : object
        The value at the full budget (publication quality).

    Returns
    -------
    object
        ``smoke``, ``quick`` or ``full``.

    Examples
    --------
    >>> per_budget("quick", smoke=2, quick=8, full=32)
    8
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    return {"smoke": smoke, "quick": quick, "full": full}[budget]


@dataclass(frozen=True)
class LearnerProtocol:
    """The documented call a sweep makes to the algorithm under test.

    The model is scikit-learn's estimator API: a sweep fixes the instances, the data and the
    exact evaluation; the learner only decides (an arm, a policy, a value estimate). Anything
    callable with this signature can be checked against the claims that use the protocol.

    Parameters
    ----------
    name : str
        Unique dotted name starting with the paper module (``"lcb.offline_bandit"``).
    signature : str
        The call, e.g. ``"learner(statistics, rng) -> arms"``.
    description : str
        Each argument (type, shape, meaning) and what is returned (shape, dtype, meaning).
    default : callable
        The library's algorithm, a module-level function (or a ``functools.partial`` of one).
    """

    name: str
    signature: str
    description: str
    default: Callable

    def __post_init__(self):
        for attr in ("name", "signature", "description"):
            value = getattr(self, attr)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{attr}: expected a non-empty string, got {value!r}")
        if not callable(self.default):
            raise TypeError(f"default: protocol {self.name} expected a callable learner, "
                            f"got {type(self.default).__name__}")


@dataclass(frozen=True)
class Mutant:
    """A deliberately wrong learner that a claim's check must reject.

    Parameters
    ----------
    name : str
        Short key, unique within a claim's panel (``"penalty_x10"``).
    learner : callable
        Follows the sweep's protocol; a module-level function or ``functools.partial`` of one.
    description : str
        How it is wrong, for tables (``"LCB's penalty x10: over-pessimism"``).
    """

    name: str
    learner: Callable
    description: str

    def __post_init__(self):
        if not isinstance(self.name, str) or not re.fullmatch(r"[A-Za-z0-9_.+\-]+", self.name):
            raise ValueError(f"name: expected a non-empty key of letters, digits and _.+-, got {self.name!r}")
        if not callable(self.learner):
            raise TypeError(f"learner: mutant {self.name} expected a callable, got {type(self.learner).__name__}")
        if not isinstance(self.description, str) or not self.description.strip():
            raise ValueError(f"description: mutant {self.name} needs a one-line description")


@dataclass(frozen=True)
class Sweep:
    """A grid of cells and the function that runs one.

    Parameters
    ----------
    name : str
        Unique, e.g. ``"lcb.mab_worst_case"``.
    cells : callable budget -> list of dict
        The cells at a budget; each dict is JSON-able (numbers, strings, lists) and unique.
    run_cell : callable (cell, rng, learner) -> list of dict
        The rows of one cell (at least one): plain JSON-able numbers and strings. ``learner`` is
        the algorithm under test, a callable following ``protocol``.
    protocol : LearnerProtocol
        What ``run_cell`` calls ``learner`` with; its ``default`` runs when no learner is given.
    version : int
        Part of the cache key. Code changes are detected by the code fingerprint; bump this only
        for a change the fingerprint cannot see (a data file read by the sweep).
    """

    name: str
    cells: Callable[[str], list]
    run_cell: Callable
    protocol: LearnerProtocol
    version: int = 1

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or "/" in self.name or "\\" in self.name:
            raise ValueError(f"name: expected a non-empty string without path separators, got {self.name!r}")
        if not callable(self.cells):
            raise TypeError(f"cells: expected a callable budget -> list of dict, got {type(self.cells).__name__}")
        if not callable(self.run_cell):
            raise TypeError(f"run_cell: expected a callable (cell, rng, learner) -> list of dict, "
                            f"got {type(self.run_cell).__name__}")
        if not isinstance(self.protocol, LearnerProtocol):
            raise TypeError(f"protocol: sweep {self.name} expected a LearnerProtocol, "
                            f"got {type(self.protocol).__name__}")


@dataclass(frozen=True)
class Claim:
    """One measurable statement of a paper, with the panel of wrong learners it must reject.

    Parameters
    ----------
    id : str
        The check's id (``"LCB-C1"``).
    name : str
        Descriptive dotted name (``"lcb.cb.rate_fixed_concentrability"``).
    paper : str
        Short citation (``"Rashidinejad et al. 2021"``).
    theorem : str
        Where in the paper (``"Thm 2 (CB upper bound)"``), with its confidence tag.
    statement : str
        One line: what is asserted, with its numbers.
    kind : {"bound", "rate", "exact", "order"}
        Which statistic decides it (see :mod:`proofs_check.statistics`): a high-probability
        bound (binomial test on violations), a rate (log-log slope with a bootstrap interval),
        an exact identity (tolerances) or an order between two quantities (a ratio with a
        margin).
    sweep : Sweep
        The sweep whose rows the claim reads.
    analyse : callable (rows, budget) -> Verdict
        Turns the sweep's rows at a budget into the verdict.
    mutants : tuple of Mutant
        The panel: learners following ``sweep.protocol``, each wrong in a different way. At least
        one; at least three unless ``panel_note`` says why the algorithm has fewer meaningful ways
        to be wrong.
    panel_note : str
        Why the panel is smaller than three, or what it cannot catch.
    """

    id: str
    name: str
    paper: str
    theorem: str
    statement: str
    kind: str
    sweep: Sweep
    analyse: Callable
    mutants: tuple = ()
    panel_note: str = ""

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValueError(f"id: expected a non-empty string, got {self.id!r}")
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name: claim {self.id} needs a dotted name starting with its paper module")
        if self.kind not in KINDS:
            raise ValueError(f"kind: expected one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.sweep, Sweep):
            raise TypeError(f"sweep: claim {self.id} expected a Sweep, got {type(self.sweep).__name__}")
        if not callable(self.analyse):
            raise TypeError(f"analyse: claim {self.id} expected a callable (rows, budget) -> Verdict")
        mutants = tuple(self.mutants) if isinstance(self.mutants, (list, tuple)) else None
        if not mutants or not all(isinstance(m, Mutant) for m in mutants):
            raise ValueError(f"mutants: claim {self.id} needs a non-empty panel of Mutant learners its check "
                             f"rejects, got {self.mutants!r}")
        names = [m.name for m in mutants]
        if len(set(names)) != len(names):
            raise ValueError(f"mutants: claim {self.id} has two mutants with the same name: {names}")
        if len(mutants) < 3 and not (isinstance(self.panel_note, str) and self.panel_note.strip()):
            raise ValueError(f"panel_note: claim {self.id} has {len(mutants)} mutant(s); a panel smaller than 3 "
                             "needs a note saying why")
        object.__setattr__(self, "mutants", mutants)

    @property
    def module(self) -> str:
        """The paper module the claim belongs to: the first part of its name (``"lcb"``)."""
        return self.name.split(".")[0]

    @property
    def protocol(self) -> LearnerProtocol:
        """The learner protocol of the claim's sweep."""
        return self.sweep.protocol

    @property
    def learner(self) -> Callable:
        """The library's algorithm: the protocol's default learner."""
        return self.sweep.protocol.default

    def get_mutant(self, name: str) -> Mutant:
        """The panel's mutant called ``name``.

        Parameters
        ----------
        name : str
            A mutant's name.

        Returns
        -------
        Mutant
            The mutant; a :class:`SelectionError` when the panel has none of that name.
        """
        for mutant in self.mutants:
            if mutant.name == name:
                return mutant
        raise SelectionError(f"mutant: claim {self.id} has no mutant {name!r}; its panel is "
                             f"{[m.name for m in self.mutants]}")


@dataclass(frozen=True)
class Evidence:
    """The result of running one claim (or its mutant) at a budget.

    Parameters
    ----------
    claim_id : str
        The claim's id.
    variant : str
        ``"algorithm"`` (the library's), a mutant's name, or ``learner_name(learner)`` for a
        learner of the user's.
    budget : {"smoke", "quick", "full"}
        The budget it ran at.
    verdict : Verdict
        What the claim's ``analyse`` returned.
    rows : list of dict
        The sweep's rows (not shown in the repr).
    seconds : float
        Wall time of the run, reading cached cells included.
    cells_computed : int
        How many cells ran.
    cells_cached : int
        How many cells were read from the cache (a resumed run has ``cells_cached > 0``).
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
        """Whether the claim held on this evidence (``verdict.holds``)."""
        return self.verdict.holds

    def to_dict(self, with_rows: bool = False) -> dict:
        """Strict-JSON-able summary: numpy types become Python ones, inf/nan become strings.

        Parameters
        ----------
        with_rows : bool
            Also include every row under ``"rows"``.

        Returns
        -------
        dict
            The claim id, variant, budget, verdict fields, timing and cell counts.
        """
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
    """``json.dumps`` for evidence: numpy types, tuples, inf and nan handled; always strict JSON.

    Parameters
    ----------
    obj : object
        Dicts, lists, tuples, numbers (numpy's included), strings, bools, None.
    **kwargs
        Passed to :func:`json.dumps` (``indent``, ``sort_keys``).

    Returns
    -------
    str
        Strict JSON: non-finite floats become ``"inf"``, ``"-inf"``, ``"nan"``.
    """
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

    Parameters
    ----------
    claim : Claim
        The claim to add.

    Returns
    -------
    Claim
        ``claim`` itself, so that ``CLAIM = register(Claim(...))`` reads naturally.
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"claim: expected a Claim, got {type(claim).__name__}")
    old = _REGISTRY.get(claim.id)
    if old is not None and old is not claim and old.name != claim.name:
        raise ValueError(f"claim: id {claim.id!r} is registered twice ({old.name!r} and {claim.name!r})")
    _REGISTRY[claim.id] = claim
    return claim


def unregister(claim) -> Claim:
    """Remove a claim from the registry and return it.

    Parameters
    ----------
    claim : Claim or str
        The claim or its id; a ValueError when it is not registered.

    Returns
    -------
    Claim
        The claim removed.
    """
    if not isinstance(claim, (Claim, str)):
        raise TypeError(f"claim: expected a Claim or a claim id (str), got {type(claim).__name__} {claim!r}")
    claim_id = claim.id if isinstance(claim, Claim) else claim
    try:
        return _REGISTRY.pop(claim_id)
    except KeyError:
        raise ValueError(f"claim: no registered claim {claim_id!r}") from None


@contextlib.contextmanager
def registered(*claims: Claim):
    """Register ``claims`` for the duration of a ``with`` block, then restore the registry.

    Parameters
    ----------
    *claims : Claim
        Claims added to the registry (next to those already there) inside the block.

    Yields
    ------
    tuple of Claim
        ``claims``.

    Examples
    --------
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

    Parameters
    ----------
    *claims : Claim
        The only claims registered inside the block.

    Yields
    ------
    tuple of Claim
        ``claims``.
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
    """The paper modules to import when reading the registries.

    Returns
    -------
    tuple of str
        :data:`CLAIM_MODULES`, or ``()`` inside :func:`isolated_registry`.
    """
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
    """Every registered claim, in paper order then id order.

    The paper modules (:data:`CLAIM_MODULES`) are imported first, which registers their claims.

    Returns
    -------
    list of Claim
        Ordered by paper (``CLAIM_MODULES`` order, other modules last), then by id in natural
        order (``LCB-C2`` before ``LCB-C10``).
    """
    _load_all()
    order = {m: i for i, m in enumerate(CLAIM_MODULES)}
    return sorted(_REGISTRY.values(), key=lambda c: (order.get(c.module, len(order)), c.module, _id_key(c.id)))


def get_claim(claim_id: str) -> Claim:
    """The registered claim with this id.

    Parameters
    ----------
    claim_id : str
        Exact id, e.g. ``"LCB-M1"``.

    Returns
    -------
    Claim
        The claim; a :class:`SelectionError` when no claim has that id.
    """
    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id: expected a claim id (str), got {type(claim_id).__name__} {claim_id!r}")
    _load_all()
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        raise SelectionError(f"claim_id: no claim {claim_id!r}; `provable-rl list` shows them") from None


def select_claims(patterns=None) -> list[Claim]:
    """Claims whose id (or name) matches any of the fnmatch ``patterns`` (all when empty).

    Matching ignores case (``lcb-m*`` selects ``LCB-M1``).

    Parameters
    ----------
    patterns : str or list of str, optional
        fnmatch patterns on ids and names; None or empty selects every claim.

    Returns
    -------
    list of Claim
        In the order of :func:`all_claims`; a :class:`SelectionError` (a ValueError) naming
        every pattern that matches no claim (a typo is not silently dropped).
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    if patterns is not None and (isinstance(patterns, (bytes, dict)) or not isinstance(patterns, (list, tuple))):
        raise TypeError(f"patterns: expected None, a str or a list of str, got {type(patterns).__name__} "
                        f"{patterns!r}")
    claims = all_claims()
    if not patterns:
        return claims
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"patterns: expected str patterns, got {type(pattern).__name__} {pattern!r}")

    def matches(claim, pattern):
        pattern = pattern.lower()
        return fnmatch.fnmatchcase(claim.id.lower(), pattern) or fnmatch.fnmatchcase(claim.name.lower(), pattern)

    unmatched = [p for p in patterns if not any(matches(c, p) for c in claims)]
    if unmatched:
        raise SelectionError(f"patterns: no claim matches {unmatched}; `provable-rl list` shows them")
    return [c for c in claims if any(matches(c, p) for p in patterns)]


# --------------------------------------------------------------------------------------------
# Running sweeps
# --------------------------------------------------------------------------------------------

#: Top-level packages whose modules are part of a sweep's code fingerprint.
PROJECT_PACKAGES = ("mdps", "provable_rl", "proofs_check")
CACHE_FORMAT = 2


def cell_key(sweep: Sweep, cell: dict) -> str:
    """Canonical JSON of (sweep name, cell): the identity of a cell, independent of key order.

    Parameters
    ----------
    sweep : Sweep
        The sweep the cell belongs to.
    cell : dict
        One of its cells.

    Returns
    -------
    str
        Sorted-key JSON of ``{"sweep": name, "cell": cell}``.
    """
    return json.dumps({"sweep": sweep.name, "cell": _plain(cell)}, sort_keys=True, separators=(",", ":"))


def cell_rng(root_seed: int, sweep: Sweep, cell: dict) -> np.random.Generator:
    r"""The cell's Generator: spawned from ``root_seed`` by a key derived from the cell only.

    With :math:`h = \mathrm{sha256}(\mathrm{cell\_key}(\text{sweep}, c))` and
    :math:`k_j` the :math:`j`-th little-endian 32-bit word of :math:`h` (:math:`j = 0..3`), the
    stream is ``SeedSequence(root_seed, spawn_key=(k_0, k_1, k_2, k_3))``. It does not depend on
    the learner (algorithm or mutant: common random numbers), the budget, the other cells, the
    backend or the order in which cells run.

    Parameters
    ----------
    root_seed : int
        The run's root seed (``--seed``).
    sweep : Sweep
        The sweep the cell belongs to.
    cell : dict
        The cell.

    Returns
    -------
    numpy.random.Generator
        A fresh Generator; two calls with the same arguments give the same stream.
    """
    root_seed = _check_seed("root_seed", root_seed)
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep: expected a Sweep, got {type(sweep).__name__}")
    _check_cell(cell)
    digest = hashlib.sha256(cell_key(sweep, cell).encode()).digest()
    spawn_key = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=spawn_key))


def _unwrap(func):
    """The function under ``functools.partial`` layers."""
    while isinstance(func, functools.partial):
        func = func.func
    return func


def learner_name(learner) -> str:
    """``module:qualname`` of a learner (through ``functools.partial``), for tables and cache keys.

    Parameters
    ----------
    learner : callable
        A function, a ``functools.partial`` of one, or a callable object.

    Returns
    -------
    str
        E.g. ``"provable_rl.lcb:lcb_bandit"``.
    """
    if not callable(learner):
        raise TypeError(f"learner: expected a callable, got {type(learner).__name__}")
    func = _unwrap(learner)
    module = getattr(func, "__module__", None) or type(func).__module__
    qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
    return f"{module}:{qualname}"


def _source_digest(module_name: str):
    """sha256 of a module's source file as this process loaded it, or None when it has none.

    The file is read once per loaded version of the module: the memo is keyed by the identities of
    the module's own functions, which an ``importlib.reload`` replaces. A file edited on disk while
    a run is going (the process still runs the code it imported) keeps the digest of the code that
    runs, so cells computed by the old code are never stored under the new code's key.
    """
    module = sys.modules.get(module_name)
    path = getattr(module, "__file__", None)
    if not path or not str(path).endswith(".py"):
        return None
    generation = tuple(id(value) for value in vars(module).values()
                       if isinstance(value, types.FunctionType) and value.__module__ == module_name)
    memo_key = (module_name, path, generation)
    digest = _SOURCE_MEMO.get(memo_key)
    if digest is None:
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return None
        _SOURCE_MEMO[memo_key] = digest
    return digest


_SOURCE_MEMO: dict = {}


def _referenced_module(value):
    if isinstance(value, types.ModuleType):
        return value.__name__
    try:
        ref = getattr(value, "__module__", None)
    except Exception:  # noqa: BLE001  an object whose attribute access raises is not a reference
        return None
    return ref if isinstance(ref, str) else None


def module_closure(*module_names: str) -> list:
    """The project modules reachable from ``module_names`` through their globals, sorted.

    Starting modules are always included; from them the walk follows every global that is a
    module or an object defined in one of :data:`PROJECT_PACKAGES`, or in a module whose source
    lies outside the interpreter's installation (a user's learner and its helpers): functions,
    classes, Numba dispatchers, constants; and every parent package (but not a package's submodule attributes,
    which depend on what else the process imported). This is what a sweep's rows can depend on.

    Parameters
    ----------
    *module_names : str
        The starting modules (None and empty names are skipped).

    Returns
    -------
    list of str
        The module names reached, sorted.
    """
    seen, stack = set(), [m for m in module_names if m]
    while stack:
        name = stack.pop()
        if name in seen or name not in sys.modules:
            continue
        seen.add(name)
        parent = name.rpartition(".")[0]
        if parent:
            stack.append(parent)
        is_package = hasattr(sys.modules[name], "__path__")
        for value in list(vars(sys.modules[name]).values()):
            ref = _referenced_module(value)
            if is_package and isinstance(value, types.ModuleType) and ref.startswith(name + "."):
                # A package holds each submodule imported anywhere in the process as an attribute:
                # following those would make the closure depend on what else was imported.
                continue
            if ref and ref not in seen and _is_own_code(ref):
                stack.append(ref)
    return sorted(seen)


def _installed_roots() -> tuple:
    import site
    import sysconfig

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    roots.update(p for p in sysconfig.get_paths().values() if p)
    with contextlib.suppress(AttributeError):
        roots.update(site.getsitepackages())
    with contextlib.suppress(AttributeError):
        roots.add(site.getusersitepackages())
    return tuple(sorted(os.path.realpath(r) for r in roots if r))


def _is_own_code(module_name: str) -> bool:
    """A project module, or a module from a source file outside the interpreter's installation
    (a researcher's own learner and its helpers): code whose edits must invalidate the cache."""
    if module_name.split(".")[0] in PROJECT_PACKAGES:
        return True
    path = getattr(sys.modules.get(module_name), "__file__", None)
    if not path:
        return False
    # Memoised by file path: the walk asks this for every global of every module it visits, once
    # per cell key, and realpath's system calls made key computation most of a warm-cache run.
    own = _OWN_CODE_MEMO.get(path)
    if own is None:
        global _INSTALLED_ROOTS
        if _INSTALLED_ROOTS is None:
            _INSTALLED_ROOTS = _installed_roots()
        real = os.path.realpath(path)
        own = not any(real == root or real.startswith(root + os.sep) for root in _INSTALLED_ROOTS)
        _OWN_CODE_MEMO[path] = own
    return own


_INSTALLED_ROOTS = None
_OWN_CODE_MEMO: dict = {}


@functools.lru_cache(maxsize=1)
def _package_version() -> str:
    # Cached: the installed metadata is read once per process (it was a tenth of every cell key).
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return "unknown"
    try:
        return version("provable-rl")
    except PackageNotFoundError:
        return "unknown"


def code_fingerprint(*callables) -> str | None:
    """sha256 over the sources of every project module the callables' modules reach, and the version.

    Parameters
    ----------
    *callables : callable
        Functions (through ``functools.partial``) whose modules start the walk of
        :func:`module_closure`.

    Returns
    -------
    str or None
        A hex digest; None when one of those modules has no source file (it cannot be cached).
    """
    starts = tuple(getattr(_unwrap(f), "__module__", None) for f in callables)
    if _FINGERPRINT_BATCH is not None and starts in _FINGERPRINT_BATCH:
        return _FINGERPRINT_BATCH[starts]
    modules = module_closure(*starts)
    parts, fingerprint = [], None
    for name in modules:
        digest = _source_digest(name)
        if digest is None:  # a module without a source file: nothing it computes can be cached
            break
        parts.append(f"{name}={digest}")
    else:
        parts.append(f"version={_package_version()}")
        fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    if _FINGERPRINT_BATCH is not None:
        _FINGERPRINT_BATCH[starts] = fingerprint
    return fingerprint


#: Fingerprints by starting modules while a :func:`fingerprint_batch` is open, else None.
_FINGERPRINT_BATCH: dict | None = None


@contextlib.contextmanager
def fingerprint_batch():
    """Within the block, each code fingerprint is computed once.

    A cell key needs the fingerprint of its sweep's and its learner's code, a walk over every
    module they reach (:func:`module_closure`). A run computes thousands of keys over a few dozen
    sweeps, and the code a process runs does not change during one command, so the commands
    (``verify``, ``reproduce``, ``calibrate``) and :func:`precompute_cells` compute each
    fingerprint once per batch. Outside a batch every call walks again, so a module reloaded
    between two calls (a notebook) gets its new fingerprint. Batches nest; the outermost one
    owns the memo.

    Examples
    --------
    >>> from proofs_check import framework
    >>> with framework.fingerprint_batch():
    ...     first = framework.code_fingerprint(framework.cell_key)
    ...     assert framework.code_fingerprint(framework.cell_key) == first
    """
    global _FINGERPRINT_BATCH
    outermost = _FINGERPRINT_BATCH is None
    if outermost:
        _FINGERPRINT_BATCH = {}
    try:
        yield
    finally:
        if outermost:
            _FINGERPRINT_BATCH = None


def learner_identity(learner):
    """A JSON-able identity of a learner for the cache key, or None when it cannot be cached.

    A module-level function is its ``module:qualname`` and the fingerprint of its module's code;
    a ``functools.partial`` adds its arguments' reprs. Lambdas, closures and functions without a
    source file have no stable identity: their cells are computed, never cached.

    Parameters
    ----------
    learner : callable
        The learner.

    Returns
    -------
    dict or None
        ``{"name", "code"}`` (``{"partial", "args", "keywords"}`` for a partial), or None.
    """
    if isinstance(learner, functools.partial):
        inner = learner_identity(learner.func)
        if inner is None:
            return None
        return {"partial": inner, "args": repr(learner.args),
                "keywords": repr(sorted((learner.keywords or {}).items()))}
    name = learner_name(learner)
    if "<" in name:  # <lambda>, <locals>: the same name for different code or captured values
        return None
    if not isinstance(learner, (types.FunctionType, types.BuiltinFunctionType)) and \
            not hasattr(learner, "py_func"):  # a callable object: its state is in its repr
        text = repr(learner)
        if " at 0x" in text:
            return None
        name = f"{name}({text})"
    code = code_fingerprint(learner)
    return None if code is None else {"name": name, "code": code}


def sweep_fingerprint(sweep: Sweep) -> str | None:
    """The code fingerprint of a sweep: its ``cells`` and ``run_cell`` modules and what they reach.

    Parameters
    ----------
    sweep : Sweep
        The sweep.

    Returns
    -------
    str or None
        See :func:`code_fingerprint`.
    """
    return code_fingerprint(sweep.cells, sweep.run_cell)


def cache_key(sweep: Sweep, budget: str, cell: dict, *, learner=None, seed: int = 0):
    """The dict that identifies one cached cell, or None when the cell cannot be cached.

    Parameters
    ----------
    sweep : Sweep
        The sweep.
    budget : {"smoke", "quick", "full"}
        The budget.
    cell : dict
        One of the sweep's cells.
    learner : callable, optional
        The learner; None means the protocol's default.
    seed : int
        The root seed.

    Returns
    -------
    dict or None
        Cache format, sweep name and version, code fingerprint, learner identity, budget, seed
        and cell; None when the learner or the sweep's code has no stable identity.
    """
    learner = sweep.protocol.default if learner is None else learner
    identity = learner_identity(learner)
    code = sweep_fingerprint(sweep)
    if identity is None or code is None:
        return None
    return _plain({"format": CACHE_FORMAT, "sweep": sweep.name, "version": sweep.version, "code": code,
                   "learner": identity, "budget": budget, "seed": seed, "cell": cell})


def _key_path(cache_dir: Path, sweep: Sweep, budget: str, key: dict) -> Path:
    text = json.dumps(key, sort_keys=True, separators=(",", ":"))
    return cache_dir / sweep.name / budget / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"


def cache_path(sweep: Sweep, budget: str, cell: dict, *, learner=None, seed: int = 0, cache_dir=None):
    """Where the rows of one cell are cached.

    The file is ``cache_dir/<sweep>/<budget>/<hash>.json``, where the hash is the first 32 hex
    digits of the sha256 of the cell's cache key (:func:`cache_key`).

    Parameters
    ----------
    sweep : Sweep
        The sweep.
    budget : {"smoke", "quick", "full"}
        The budget.
    cell : dict
        One of the sweep's cells.
    learner : callable, optional
        The learner; None means the protocol's default (the library's algorithm).
    seed : int
        The root seed.
    cache_dir : path, optional
        Default :func:`default_cache_dir`.

    Returns
    -------
    pathlib.Path or None
        The path (the file may not exist yet); None when the learner cannot be cached.
    """
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep: expected a Sweep, got {type(sweep).__name__}")
    _check_cell(cell)
    _check_runner(budget, learner, seed, 1, "loky", cache_dir=cache_dir)
    key = cache_key(sweep, budget, cell, learner=learner, seed=seed)
    if key is None:
        return None
    return _key_path(Path(cache_dir) if cache_dir is not None else default_cache_dir(), sweep, budget, key)


def _check_cache_dir(cache_dir) -> None:
    """None or a usable path: a str or os.PathLike, not empty, without a NUL byte."""
    if cache_dir is None:
        return
    if isinstance(cache_dir, bool) or not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir: expected a path (str or os.PathLike) or None, got {type(cache_dir).__name__} "
                        f"{cache_dir!r}")
    text = os.fspath(cache_dir)
    if isinstance(text, bytes) or not text or "\0" in text:
        raise ValueError(f"cache_dir: expected a non-empty path without NUL bytes, got {cache_dir!r}")


def clear_cache(cache_dir=None) -> int:
    """Delete every cached cell under ``cache_dir``.

    Only ``*.json`` files inside sweep folders and the folders they leave empty are removed.

    Parameters
    ----------
    cache_dir : path, optional
        Default :func:`default_cache_dir`. A ValueError when it is a file.

    Returns
    -------
    int
        How many cached cells were removed (0 when the directory does not exist).
    """
    _check_cache_dir(cache_dir)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if not root.exists():
        return 0
    if not root.is_dir():
        raise ValueError(f"cache_dir: expected a directory, got the file {str(root)!r}")
    removed = 0
    for path in sorted(root.glob("*/*/*.json*")):
        path.unlink()
        removed += 1
    for folder in sorted(root.glob("*/*"), reverse=True) + sorted(root.glob("*")):
        if folder.is_dir():
            with contextlib.suppress(OSError):
                folder.rmdir()
    return removed


def _run_one(sweep: Sweep, cell: dict, learner, root_seed: int) -> list:
    rows = sweep.run_cell(dict(cell), cell_rng(root_seed, sweep, cell), learner)
    if not isinstance(rows, (list, tuple)) or not all(isinstance(row, dict) for row in rows):
        raise TypeError(f"sweep {sweep.name}: run_cell must return a list of dicts, got {type(rows).__name__}")
    if not rows:
        raise ValueError(f"sweep {sweep.name}: run_cell returned no rows for cell {cell}; every cell needs at "
                         "least one, or a claim would be analysed on part of its grid")
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


def _run_indexed(index: int, sweep: Sweep, cell: dict, learner, root_seed: int) -> tuple:
    """``(index, rows, seconds)``: one cell's rows and the time it took where it ran."""
    start = time.perf_counter()
    rows = _run_one(sweep, cell, learner, root_seed)
    return index, rows, time.perf_counter() - start


def _run_indexed_or_none(index: int, sweep: Sweep, cell: dict, learner, root_seed: int) -> tuple:
    """:func:`_run_indexed`, with ``None`` rows when the cell raises: the sweep that needs the cell
    then runs it again in its own process and reports the error against its claim."""
    start = time.perf_counter()
    try:
        rows = _run_one(sweep, cell, learner, root_seed)
    except Exception:  # noqa: BLE001  re-raised where the cell is used (see the docstring)
        rows = None
    return index, rows, time.perf_counter() - start


def _read_cache(path: Path, key: dict, cell: dict):
    """The cached rows, or None when the file is missing, torn, for another key or cell, empty or short."""
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("key") != key:
        return None
    rows = document.get("rows")
    if not isinstance(rows, list) or not rows or document.get("n_rows") != len(rows):
        return None
    plain_cell = _plain(cell)
    for row in rows:
        if not isinstance(row, dict) or any(k not in row or row[k] != v for k, v in plain_cell.items()):
            return None
    return rows


def _write_cache(path: Path, key: dict, rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps({"key": key, "n_rows": len(rows), "rows": rows}))
    os.replace(tmp, path)  # atomic: a reader sees the old file or the whole new one


#: The most worker processes a run may ask for (past it no machine has the cores, and joblib
#: overflows).
MAX_JOBS = 1024


def _check_cell(cell) -> None:
    """A cell is a dict with str keys and finite JSON values (its key and its cache file are JSON)."""
    if not isinstance(cell, dict) or not all(isinstance(key, str) for key in cell):
        raise TypeError(f"cell: expected a dict with str keys, got {cell!r:.80}")
    try:
        json.dumps(_plain(cell), allow_nan=False)
    except (TypeError, ValueError) as err:
        raise type(err)(f"cell: expected finite JSON values (numbers, strings, bools, None, lists, dicts), "
                        f"got {cell!r:.80}: {err}") from None


def check_runner_options(budget: str = "smoke", **runner_options) -> None:
    """Raise a clear error for a bad budget or runner option, before any work starts.

    Parameters
    ----------
    budget : {"smoke", "quick", "full"}
        The sweep budget.
    **runner_options
        The options of :func:`run_sweep`: ``seed``, ``jobs``, ``backend``, ``scheduler``,
        ``cache_dir``, ``use_cache``, ``progress``; any other name is an error.

    Raises
    ------
    TypeError, ValueError
        Naming the option and showing its value.
    """
    allowed = {"seed", "jobs", "backend", "scheduler", "cache_dir", "use_cache", "progress"}
    unknown = sorted(set(runner_options) - allowed)
    if unknown:
        raise TypeError(f"runner_options: unknown option(s) {unknown}; expected some of {sorted(allowed)}")
    _check_runner(budget, None, runner_options.get("seed", 0), runner_options.get("jobs", 1),
                  runner_options.get("backend", "loky"), runner_options.get("scheduler"),
                  cache_dir=runner_options.get("cache_dir"), use_cache=runner_options.get("use_cache", True),
                  progress=runner_options.get("progress", False))


def _check_seed(name: str, seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name}: expected a non-negative int, got {type(seed).__name__} {seed!r}")
    if not 0 <= seed < 2 ** 63:
        raise ValueError(f"{name}: expected an int in [0, 2**63), got {seed!r}")
    return int(seed)


def _check_runner(budget, learner, seed, jobs, backend, scheduler=None, *, cache_dir=None, use_cache=True,
                  progress=False):
    if not isinstance(budget, str) or budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    if not isinstance(backend, str) or backend not in BACKENDS:
        raise ValueError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)):
        raise TypeError(f"jobs: expected a positive int or -1 (all cores), got {type(jobs).__name__} {jobs!r}")
    if jobs == 0 or jobs < -1 or jobs > MAX_JOBS:
        raise ValueError(f"jobs: expected an int in [1, {MAX_JOBS}] or -1 (all cores), got {jobs!r}")
    _check_seed("seed", seed)
    for name, value in (("use_cache", use_cache), ("progress", progress)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name}: expected a bool, got {type(value).__name__} {value!r}")
    _check_cache_dir(cache_dir)
    if learner is not None and not callable(learner):
        raise TypeError(f"learner: expected None (the library's algorithm) or a callable following the "
                        f"sweep's protocol, got {type(learner).__name__}")
    check_scheduler(scheduler, backend)


def check_scheduler(scheduler, backend: str) -> None:
    """Raise :class:`SelectionError` unless ``scheduler`` fits ``backend``.

    Parameters
    ----------
    scheduler : str or distributed.Client or None
        None, the address of a running Dask scheduler (a non-empty string such as
        ``"tcp://10.0.0.5:8786"``) or a connected ``distributed.Client``.
    backend : {"loky", "dask", "ray"}
        The backend it is meant for: a scheduler is only meaningful with ``"dask"``.

    Raises
    ------
    SelectionError
        When a scheduler is given with another backend, or is neither a string nor a client.
    """
    if scheduler is None:
        return
    if backend != "dask":
        raise SelectionError(f"scheduler: a Dask scheduler needs backend 'dask', got backend {backend!r} "
                             f"(with scheduler {_scheduler_text(scheduler)})")
    if isinstance(scheduler, str):
        if not scheduler.strip():
            raise SelectionError("scheduler: expected the address of a Dask scheduler, got an empty string")
        return
    if not (callable(getattr(scheduler, "submit", None)) and hasattr(scheduler, "scheduler")):
        raise SelectionError(f"scheduler: expected an address such as 'tcp://host:8786' or a "
                             f"distributed.Client, got {type(scheduler).__name__}")


def _scheduler_text(scheduler) -> str:
    return scheduler if isinstance(scheduler, str) else type(scheduler).__name__


def check_backend(backend: str) -> None:
    """Raise :class:`SelectionError` when ``backend`` is unknown or its package is not installed.

    Parameters
    ----------
    backend : str
        One of :data:`BACKENDS`: ``"loky"`` (always there, it comes with joblib), ``"dask"``
        (needs ``distributed``, the ``dask`` extra) or ``"ray"`` (needs ``ray``, the ``ray`` extra).

    Raises
    ------
    SelectionError
        A ValueError naming the backend and the extra to install.
    """
    if backend not in BACKENDS:
        raise SelectionError(f"backend: expected one of {BACKENDS}, got {backend!r}")
    if backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise SelectionError("backend: 'dask' needs dask.distributed (pip install 'provable-rl[dask]')") from None
    if backend == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise SelectionError("backend: 'ray' needs ray (pip install 'provable-rl[ray]')") from None


def sweep_cells(sweep: Sweep, budget: str) -> list:
    """The cells of ``sweep`` at ``budget``, checked: a list of unique JSON-able dicts.

    Parameters
    ----------
    sweep : Sweep
        The sweep.
    budget : {"smoke", "quick", "full"}
        The budget.

    Returns
    -------
    list of dict
        ``sweep.cells(budget)``; a ValueError or TypeError when empty, repeated or not JSON-able.
    """
    if budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    cells = sweep.cells(budget)
    if not isinstance(cells, (list, tuple)) or not all(isinstance(c, dict) for c in cells):
        raise TypeError(f"sweep {sweep.name}: cells({budget!r}) must return a list of dicts")
    if not cells:
        raise ValueError(f"sweep {sweep.name}: cells({budget!r}) is empty")
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


def run_sweep(sweep: Sweep, budget: str = "smoke", *, learner=None, seed: int = 0, jobs: int = 1,
              backend: str = "loky", scheduler=None, cache_dir=None, use_cache: bool = True,
              progress: bool = False) -> list:
    r"""Run every cell of ``sweep`` at ``budget`` with ``learner`` and return all rows (cell order).

    Each cell ``c`` draws its randomness from its own stream (see :func:`cell_rng`), so the rows
    are a deterministic function of ``(sweep, budget, learner, seed)``: the same whatever
    ``jobs``, ``backend``, ``scheduler``, the order in which the cells complete, or which of
    them came from the cache. Cached cells are read first; the others run and each is written to
    the cache as soon as it completes, so an interrupted run resumes where it stopped.

    Parameters
    ----------
    sweep : Sweep
        The grid of cells and the function that runs one.
    budget : {"smoke", "quick", "full"}
        Which grid: ``sweep.cells(budget)``.
    learner : callable, optional
        The algorithm under test, following ``sweep.protocol``; None runs the protocol's default
        (the library's algorithm).
    seed : int
        Root seed :math:`s`: cell :math:`c` draws from
        ``SeedSequence(s, spawn_key=key(sweep, c))``.
    jobs : int
        Parallel workers: 1 (the default) runs every cell in this process; -1 uses every core.
        With ``backend="loky"`` these are worker processes on this machine; with
        ``backend="dask"`` and no ``scheduler`` the size of a ``LocalCluster`` (one thread per
        worker process) started once per process; with ``backend="ray"`` the CPUs given to
        ``ray.init`` when ray is not initialised yet.
    backend : {"loky", "dask", "ray"}
        Where the cells run when ``jobs != 1`` (or a ``scheduler`` is given). The dask and ray
        backends need their extras (``pip install 'provable-rl[dask]'``, ``[ray]``).
    scheduler : str or distributed.Client, optional
        Only with ``backend="dask"``: the address of a running Dask scheduler (e.g.
        ``"tcp://10.0.0.5:8786"``) or a ``distributed.Client`` already connected to one. Every
        cell that is not cached then runs on that cluster, whatever ``jobs`` is; the cluster's
        workers set the parallelism. The connection is made once per address and process,
        within :data:`DASK_CONNECT_TIMEOUT` seconds (else a :class:`SelectionError`). Without
        it, ``backend="dask"`` with ``jobs != 1`` uses the ``distributed.Client`` this process
        already created, if any, else a ``LocalCluster``. See :ref:`cluster`.
    cache_dir : path, optional
        Default :func:`default_cache_dir`. Cells are read and written by this process only, so
        the directory need not be shared with the cluster's workers.
    use_cache : bool
        Read and write cached cells (a learner without a stable identity is never cached).
    progress : bool
        A tqdm bar on stderr.

    Returns
    -------
    list of dict
        The rows of every cell, each carrying its cell's keys. They do not depend on ``jobs``,
        ``backend``, ``scheduler`` or the cache.

    Raises
    ------
    SelectionError
        A backend that is not installed, a scheduler with a backend other than dask, or a
        scheduler that cannot be reached.

    Examples
    --------
    >>> import numpy as np
    >>> def mean_of(draws):
    ...     return float(np.mean(draws))
    >>> protocol = LearnerProtocol("doc.estimator", "learner(draws) -> float",
    ...                            "draws: array (n,); returns an estimate of their mean", default=mean_of)
    >>> sweep = Sweep("doc.mean", cells=lambda budget: [{"n": 10}, {"n": 100}],
    ...               run_cell=lambda cell, rng, learner: [{"mean": learner(rng.standard_normal(cell["n"]))}],
    ...               protocol=protocol)
    >>> run_sweep(sweep, "smoke", use_cache=False) == run_sweep(sweep, "smoke", use_cache=False, seed=0)
    True
    """
    return _run_sweep(sweep, budget, learner=learner, seed=seed, jobs=jobs, backend=backend, scheduler=scheduler,
                      cache_dir=cache_dir, use_cache=use_cache, progress=progress)[0]


def _run_sweep(sweep, budget, *, learner=None, seed=0, jobs=1, backend="loky", scheduler=None, cache_dir=None,
               use_cache=True, progress=False, label=None):
    """:func:`run_sweep`, also returning how many cells were computed and how many read from disk.

    Returns ``(rows, computed, cached, ahead_seconds)``: cells that :func:`precompute_cells`
    computed for this run count as computed, and ``ahead_seconds`` is the time they took in
    its pool.
    """
    if not isinstance(sweep, Sweep):
        raise TypeError(f"sweep: expected a Sweep, got {type(sweep).__name__}")
    _check_runner(budget, learner, seed, jobs, backend, scheduler, cache_dir=cache_dir, use_cache=use_cache,
                  progress=progress)
    learner = sweep.protocol.default if learner is None else learner
    cells = sweep_cells(sweep, budget)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    results: list = [None] * len(cells)
    todo = []
    ahead, ahead_seconds = 0, 0.0
    with fingerprint_batch():
        for i, cell in enumerate(cells):
            key = cache_key(sweep, budget, cell, learner=learner, seed=seed) if use_cache else None
            path = None if key is None else _key_path(cache_dir, sweep, budget, key)
            if path is not None:
                cached = _read_cache(path, key, cell)
                if cached is not None:
                    results[i] = cached
                    if path in _PRECOMPUTED:  # computed for this run by precompute_cells, not an old result
                        ahead += 1
                        ahead_seconds += _PRECOMPUTED.pop(path)
                    continue
            todo.append((i, cell, path, key))
    if todo:
        where = {i: (path, key) for i, _, path, key in todo}
        bar = _progress(len(todo), f"{sweep.name}{f' [{label}]' if label else ''}", progress)
        results_stream = _execute([(i, sweep, cell, learner, seed) for i, cell, _, _ in todo], jobs, backend,
                                  scheduler)
        try:
            # Each cell is written as soon as it arrives: an interruption loses only the cells in flight.
            for i, rows, _seconds in results_stream:
                results[i] = rows
                path, key = where[i]
                if path is not None:
                    _write_cache(path, key, rows)
                bar.update(1)
        finally:
            results_stream.close()  # cancels the cells still queued or running (dask, ray, loky)
            bar.close()
    missing = [cells[i] for i, rows in enumerate(results) if not rows]
    if missing:  # pragma: no cover  (_run_one and _read_cache refuse empty results)
        raise RuntimeError(f"sweep {sweep.name}: no rows for cells {missing}")
    computed = len(todo) + ahead
    return [row for rows in results for row in rows], computed, len(cells) - computed, ahead_seconds


def claim_runs(claims, *, learner=None, seeds=(0,)) -> list:
    """The ``(sweep, learner, seed)`` runs that checking ``claims`` makes, for :func:`precompute_cells`.

    Parameters
    ----------
    claims : iterable of proofs_check.Claim
        The claims.
    learner : callable, optional
        A learner checked instead of the library's algorithm (then no panel is run).
    seeds : iterable of int
        The root seeds.

    Returns
    -------
    list of tuple
        For each seed and claim: the algorithm's (or ``learner``'s) run, then each mutant's.
    """
    if isinstance(claims, Claim) or not hasattr(claims, "__iter__"):
        raise TypeError(f"claims: expected an iterable of Claim, got {claims!r}")
    claims = list(claims)
    for claim in claims:
        if not isinstance(claim, Claim):
            raise TypeError(f"claims: expected Claim objects, got {claim!r}")
    if learner is not None and not callable(learner):
        raise TypeError(f"learner: expected a callable or None, got {learner!r}")
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds: expected an iterable of int, got {seeds!r}")
    seeds = [_check_seed("seeds", seed) for seed in seeds]
    runs = []
    for seed in seeds:
        for claim in claims:
            runs.append((claim.sweep, learner, seed))
            if learner is None:
                runs.extend((claim.sweep, mutant.learner, seed) for mutant in claim.mutants)
    return runs


#: Cells that :func:`precompute_cells` computed in this process and no sweep has read yet: cache
#: path -> seconds the cell took in the pool. The sweep that reads one counts it as computed (not
#: as a cached result of an earlier run) and adds its time to the evidence's.
_PRECOMPUTED: dict = {}


def precompute_cells(runs, budget: str = "smoke", *, jobs: int = 1, backend: str = "loky", scheduler=None,
                     cache_dir=None, use_cache: bool = True, progress: bool = False) -> int:
    r"""Compute the uncached cells of several sweep runs in one pool of workers, caching each.

    Running claims one after another leaves workers idle: a sweep with fewer cells than workers,
    or with one long cell, holds the others until it ends, and so does every mutant's run. This
    runs the cells of every run at once (in the order given), so that the workers stay busy
    across claims, mutants and seeds; each cell is written to the cache as it completes. The
    sweeps that follow (:func:`run_claim`, :func:`run_sweep`) then read these cells, count them
    as computed in this run, and add the time each took to their evidence. The rows are those
    the sweeps would compute themselves (every cell draws from its own stream, :func:`cell_rng`).

    Nothing is computed ahead when ``use_cache`` is False, when ``jobs == 1`` without a
    ``scheduler`` (the sweeps run in this process anyway), or for a learner that cannot be
    cached (a lambda or closure). A cell that raises here is left uncomputed: the sweep that
    needs it runs it again and reports the error against its claim.

    Parameters
    ----------
    runs : iterable of (Sweep, callable or None, int)
        ``(sweep, learner, seed)`` triples: the sweep, the learner following its protocol (None:
        the protocol's default) and the root seed.
    budget : {"smoke", "quick", "full"}
        The sweeps' budget.
    jobs, backend, scheduler, cache_dir, use_cache, progress
        As for :func:`run_sweep`.

    Returns
    -------
    int
        The number of cells computed.

    Examples
    --------
    >>> from proofs_check import get_claim
    >>> claim = get_claim("LCB-M4")
    >>> runs = [(claim.sweep, None, 0)] + [(claim.sweep, m.learner, 0) for m in claim.mutants]
    >>> precompute_cells(runs, "smoke", jobs=2, use_cache=False)   # nothing to cache: nothing run
    0
    """
    check_runner_options(budget, jobs=jobs, backend=backend, scheduler=scheduler, cache_dir=cache_dir,
                         use_cache=use_cache, progress=progress)
    if isinstance(runs, (str, bytes, dict)) or not hasattr(runs, "__iter__"):
        raise TypeError(f"runs: expected an iterable of (sweep, learner, seed) triples, got {runs!r}")
    checked = []
    for run in runs:
        if not (isinstance(run, tuple) and len(run) == 3 and isinstance(run[0], Sweep)):
            raise TypeError(f"runs: expected (Sweep, learner or None, seed) triples, got {run!r}")
        sweep, learner, seed = run
        if learner is not None and not callable(learner):
            raise TypeError(f"runs: the learner of sweep {sweep.name} must be callable or None, got {learner!r}")
        checked.append((sweep, sweep.protocol.default if learner is None else learner, _check_seed("seed", seed)))
    if not use_cache or (jobs == 1 and scheduler is None):
        return 0
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    tasks, where, seen = [], {}, set()
    with fingerprint_batch():
        for sweep, learner, seed in checked:
            for cell in sweep_cells(sweep, budget):
                key = cache_key(sweep, budget, cell, learner=learner, seed=seed)
                if key is None:  # a learner without a stable identity: its sweep runs it
                    break
                path = _key_path(cache_dir, sweep, budget, key)
                if path in seen or _read_cache(path, key, cell) is not None:
                    continue
                seen.add(path)
                where[len(tasks)] = (path, key)
                tasks.append((len(tasks), sweep, cell, learner, seed))
    if not tasks:
        return 0
    bar = _progress(len(tasks), "cells", progress)
    stream = _execute(tasks, jobs, backend, scheduler, run=_run_indexed_or_none)
    computed = 0
    try:
        for i, rows, seconds in stream:
            bar.update(1)
            if rows is None:
                continue
            path, key = where[i]
            _write_cache(path, key, rows)
            _PRECOMPUTED[path] = seconds
            computed += 1
    finally:
        stream.close()
        bar.close()
    return computed


def _execute(tasks, jobs, backend, scheduler=None, run=_run_indexed):
    """Run ``tasks``, each ``(index, sweep, cell, learner, seed)``; yield ``run(*task)`` for each.

    ``run`` returns ``(index, rows, seconds)``; the results come in completion order when
    parallel. The tasks may belong to different sweeps and learners (:func:`precompute_cells`
    runs a whole selection of claims in one pool).
    """
    if scheduler is None and (jobs == 1 or len(tasks) == 1):
        for task in tasks:
            yield run(*task)
        return
    if backend == "loky":
        import joblib

        delayed = (joblib.delayed(run)(*task) for task in tasks)
        yield from joblib.Parallel(n_jobs=jobs, backend="loky", return_as="generator_unordered")(delayed)
        return
    check_backend(backend)
    if backend == "dask":
        yield from _dask_results(_dask_client(jobs, scheduler), tasks, run)
        return
    yield from _ray_results(tasks, jobs, run)


def _dask_results(client, tasks, run=_run_indexed):
    """Submit one dask task per cell task to ``client``; yield ``(index, rows, seconds)`` as each completes.

    On an error in a cell or when the consumer stops early (an interruption), the tasks not yet
    finished are cancelled.
    """
    from distributed import as_completed

    # pure=False: each cell is its own task, never deduplicated by a hash of its arguments.
    futures = [client.submit(run, *task, pure=False) for task in tasks]
    try:
        for future in as_completed(futures, loop=client.loop):
            yield future.result()
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            with contextlib.suppress(Exception):
                client.cancel(pending)


def _ray_results(tasks, jobs, run=_run_indexed):
    """Submit one ray task per cell task and yield ``(index, rows, seconds)`` as each completes (``ray.wait``).

    Unless ray is initialised already (``ray.init`` called by the user), it is initialised here:
    attached to the cluster named by ``$RAY_ADDRESS`` when that is set (the cluster sets the
    CPUs), else as a local instance with ``jobs`` CPUs (all when -1). Unfinished tasks are
    cancelled when the consumer stops early or a cell raises.
    """
    import ray

    if not ray.is_initialized():
        if os.environ.get("RAY_ADDRESS"):
            ray.init()  # ray reads the address; num_cpus is refused when attaching to a cluster
        else:
            ray.init(num_cpus=None if jobs == -1 else int(jobs), include_dashboard=False)
    remote = ray.remote(run)
    pending = [remote.remote(*task) for task in tasks]
    try:
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            for ref in ready:
                yield ray.get(ref)
    finally:
        for ref in pending:
            with contextlib.suppress(Exception):
                ray.cancel(ref)


#: Seconds to wait for a Dask scheduler given by address before giving up with a clear error.
DASK_CONNECT_TIMEOUT = 20
_DASK_CLUSTER: list = []
_DASK_CLIENTS: dict = {}


def _dask_client(jobs: int, scheduler=None):
    """The dask Client to run on.

    ``scheduler`` a Client: that client. ``scheduler`` an address: a client connected to it
    (once per address and process, within :data:`DASK_CONNECT_TIMEOUT` seconds, closed at exit).
    None: the Client this process already created, if any, else a LocalCluster started once per
    process (``jobs`` worker processes, one thread each) and closed at exit.
    """
    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler
    if scheduler is not None:
        return connect_scheduler(scheduler)
    from distributed.client import default_client

    try:
        return default_client()
    except ValueError:
        pass
    if _DASK_CLUSTER:
        return _DASK_CLUSTER[1]
    import atexit

    from distributed import Client, LocalCluster

    n_workers = (os.cpu_count() or 1) if jobs == -1 else jobs
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    _DASK_CLUSTER[:] = [cluster, client]
    atexit.register(_close_local_cluster)
    return client


def _close_local_cluster() -> None:
    """Close the LocalCluster :func:`_dask_client` started, if any (at exit, or earlier in tests)."""
    if not _DASK_CLUSTER:
        return
    cluster, client = _DASK_CLUSTER
    _DASK_CLUSTER.clear()
    with contextlib.suppress(Exception):
        client.close()
    with contextlib.suppress(Exception):
        cluster.close()


def connect_scheduler(address: str, timeout: float | None = None):
    """A ``distributed.Client`` connected to the Dask scheduler at ``address`` (one per address and process).

    Parameters
    ----------
    address : str
        The scheduler's address, e.g. ``"tcp://10.0.0.5:8786"`` (what ``dask scheduler`` prints).
    timeout : float, optional
        Seconds to wait for the connection; default :data:`DASK_CONNECT_TIMEOUT`.

    Returns
    -------
    distributed.Client
        Not made the default client of the process; closed at exit.

    Raises
    ------
    SelectionError
        When ``distributed`` is not installed, or no scheduler answers at ``address`` in time.
    """
    check_scheduler(address, "dask")
    check_backend("dask")
    client = _DASK_CLIENTS.get(address)
    if client is not None and client.status == "running":
        return client
    import atexit

    from distributed import Client

    timeout = DASK_CONNECT_TIMEOUT if timeout is None else timeout
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as err:  # noqa: BLE001  OSError/TimeoutError mostly; whatever it is, the address is bad
        raise SelectionError(f"scheduler: cannot connect to a Dask scheduler at {address!r} within {timeout:g} s "
                             f"({type(err).__name__}: {err}); start one with `dask scheduler` and its workers "
                             "with `dask worker ADDRESS`, and check the address") from None
    _DASK_CLIENTS[address] = client
    atexit.register(client.close)
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


def run_claim(claim: Claim, budget: str = "smoke", *, learner=None, mutant: str | None = None,
              **runner_options) -> Evidence:
    """Run a claim's sweep with one learner at ``budget`` and analyse the rows into :class:`Evidence`.

    Parameters
    ----------
    claim : Claim
        The claim to run.
    budget : {"smoke", "quick", "full"}
        The sweep's budget.
    learner : callable, optional
        A learner following ``claim.protocol``; None runs the library's algorithm.
    mutant : str, optional
        The name of one mutant of the claim's panel, run instead of the algorithm.
    **runner_options
        Those of :func:`run_sweep` (``seed``, ``jobs``, ``backend``, ``scheduler``,
        ``cache_dir``, ``use_cache``, ``progress``).

    Returns
    -------
    Evidence
        ``variant`` is ``"algorithm"``, the mutant's name, or ``learner_name(learner)``.
    """
    if not isinstance(claim, Claim):
        raise TypeError(f"claim: expected a Claim, got {type(claim).__name__}")
    if learner is not None and mutant is not None:
        raise ValueError("learner, mutant: give one of them, not both")
    if mutant is not None:
        learner, variant = claim.get_mutant(mutant).learner, mutant
    elif learner is not None:
        variant = learner_name(learner)
    else:
        variant = "algorithm"
    start = time.perf_counter()
    rows, computed, cached, ahead_seconds = _run_sweep(claim.sweep, budget, learner=learner,
                                                       label=None if variant == "algorithm" else variant,
                                                       **runner_options)
    verdict = claim.analyse(rows, budget)
    if not isinstance(verdict, Verdict):
        raise TypeError(f"claim {claim.id}: analyse must return a Verdict, got {type(verdict).__name__}")
    seconds = time.perf_counter() - start + ahead_seconds
    return Evidence(claim.id, variant, budget, verdict, rows, seconds, computed, cached)


def check_claim(claim: Claim, budget: str = "smoke", **runner_options) -> tuple:
    """The claim's evidence with the library's algorithm and with each mutant of its panel.

    Parameters
    ----------
    claim : Claim
        The claim to check.
    budget : {"smoke", "quick", "full"}
        The sweep's budget.
    **runner_options
        Those of :func:`run_sweep` (``seed``, ``jobs``, ``backend``, ``scheduler``,
        ``cache_dir``, ``use_cache``, ``progress``). They are used for the algorithm's run and
        for each mutant's; the cached cells of each are kept separately.

    Returns
    -------
    (Evidence, dict of str -> Evidence)
        The check passes when the first holds and none of the mutants' does.

    Examples
    --------
    >>> algorithm, mutants = check_claim(get_claim("LCB-M4"), "smoke")      # doctest: +SKIP
    >>> algorithm.holds and not any(e.holds for e in mutants.values())      # doctest: +SKIP
    True
    """
    algorithm = run_claim(claim, budget, **runner_options)
    mutants = {m.name: run_claim(claim, budget, mutant=m.name, **runner_options) for m in claim.mutants}
    return algorithm, mutants


def check(claim, learner=None, budget: str = "smoke", *, seed: int = 0, **runner_options) -> Evidence:
    """Run one claim against a learner: yours, or (``learner=None``) the library's algorithm.

    The model is scikit-learn's ``check_estimator``: the claim fixes the instances, the data,
    the exact evaluation and the statistic; ``learner`` only has to follow the claim's protocol
    (``get_claim(claim_id).protocol`` documents the call).

    Parameters
    ----------
    claim : str or Claim
        A claim id (``"LCB-M1"``) or the claim itself.
    learner : callable, optional
        Follows ``claim.protocol``. A module-level function is cached like the library's; a lambda
        or a closure runs without the cache.
    budget : {"smoke", "quick", "full"}
        The sweep's budget.
    seed : int
        Root seed.
    **runner_options
        ``jobs``, ``backend``, ``scheduler``, ``cache_dir``, ``use_cache``, ``progress`` (see
        :func:`run_sweep`); e.g. ``backend="dask", scheduler="tcp://host:8786"`` runs the cells
        on a Dask cluster.

    Returns
    -------
    Evidence
        ``evidence.holds`` is the verdict; ``evidence.verdict.summary`` the statistic.

    Examples
    --------
    >>> from proofs_check.framework import check
    >>> from provable_rl.lcb import empirical_best_arm
    >>> def greedy(statistics, rng):                     # doctest: +SKIP
    ...     return empirical_best_arm(statistics, rng=rng).policy
    >>> check("LCB-M4", learner=greedy).holds            # doctest: +SKIP
    False
    """
    if isinstance(claim, str):
        claim = get_claim(claim)
    return run_claim(claim, budget, learner=learner, seed=seed, **runner_options)
