"""Verifying claims in bulk, and writing what came out: a terminal table, JSON evidence, REPORT.md.

:func:`verify_claims` runs each claim and every mutant of its panel (an error in one claim is recorded, not
raised, so the others still run) and returns :class:`ClaimResult` objects; the writers turn them
into a plain-text table (:func:`results_table`), a strict-JSON document
(:func:`evidence_document`, :func:`write_json`) and the Markdown report of
``provable-rl reproduce`` (:func:`write_report`).

Examples
--------
::

    from proofs_check import select_claims
    from experiments.report import verify_claims, results_table

    results = verify_claims(select_claims(["LCB-*"]), "smoke")
    print(results_table(results))
"""
from __future__ import annotations

import datetime
import platform
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from proofs_check.framework import (Claim, Evidence, _jsonable, check_runner_options, claim_runs, dumps_json,
                                    learner_name, precompute_cells, run_claim)

__all__ = ["MutantResult", "ClaimResult", "verify_claim", "verify_claims", "package_versions", "run_header",
           "results_table", "evidence_document", "write_json", "calibration_markdown", "search_markdown",
           "report_markdown", "write_report"]

#: Distributions whose versions the report records.
VERSIONED_PACKAGES = ("provable-rl", "numpy", "scipy", "numba", "cvxpy", "matplotlib", "joblib")


@dataclass(frozen=True)
class MutantResult:
    """One mutant of a claim's panel at a budget: its evidence, or the error that stopped it.

    Parameters
    ----------
    name : str
        The mutant's name in the claim's panel (``"no_penalty"``).
    description : str
        One line saying how the mutant is wrong.
    evidence : proofs_check.Evidence or None
        The claim's check run with the mutant as the learner; None when it raised.
    error : str or None
        The exception's one-line text when the run raised, else None.
    """

    name: str
    description: str
    evidence: Evidence | None
    error: str | None = None

    @property
    def rejected(self) -> bool:
        """The mutant ran and its verdict does not hold (an error is not a rejection)."""
        return self.evidence is not None and not self.evidence.holds

    @property
    def text(self) -> str:
        """``"rejected"``, ``"NOT REJECTED"`` or ``"ERROR"``."""
        if self.evidence is None:
            return "ERROR"
        return "rejected" if self.rejected else "NOT REJECTED"

    def to_dict(self, with_rows: bool = False) -> dict:
        """The mutant's entry of the JSON evidence.

        Parameters
        ----------
        with_rows : bool
            Include every row of the sweep's data in ``"run"``.

        Returns
        -------
        dict
            ``{"name", "description", "rejected", "run", "error"}``.
        """
        return {"name": self.name, "description": self.description, "rejected": self.rejected,
                "run": None if self.evidence is None else self.evidence.to_dict(with_rows), "error": self.error}


@dataclass(frozen=True)
class ClaimResult:
    """A claim checked at a budget: its evidence with the learner under test, and each mutant's.

    Parameters
    ----------
    claim : proofs_check.Claim
        The claim that was checked.
    evidence : proofs_check.Evidence or None
        Its check run with the learner under test; None when it raised.
    mutants : tuple of MutantResult
        One entry per mutant of the panel; empty when a user's learner was checked
        (``verify --learner``): the panel measures the claim, not the user's algorithm.
    error : str or None
        The exception's one-line text when the claim's run raised, else None.
    learner : str
        ``"algorithm"`` (the library's), or the name of the user's learner.
    """

    claim: Claim
    evidence: Evidence | None
    mutants: tuple = ()
    error: str | None = None
    learner: str = "algorithm"

    @property
    def holds(self) -> bool:
        """The verdict with the learner under test holds."""
        return self.evidence is not None and bool(self.evidence.holds)

    @property
    def mutants_rejected(self) -> bool:
        """Every mutant of the panel ran and was rejected (vacuously true with no panel run)."""
        return all(m.rejected for m in self.mutants)

    @property
    def passed(self) -> bool:
        """The check passed: the claim holds and every mutant of its panel is rejected."""
        return self.holds and self.mutants_rejected

    @property
    def seconds(self) -> float:
        """Seconds spent on the claim and its panel (cells read from cache cost nothing)."""
        runs = [self.evidence] + [m.evidence for m in self.mutants]
        return sum(e.seconds for e in runs if e is not None)

    @property
    def cells_cached(self) -> int:
        """Cells of the claim and its panel read from the cache."""
        runs = [self.evidence] + [m.evidence for m in self.mutants]
        return sum(e.cells_cached for e in runs if e is not None)

    @property
    def cells_total(self) -> int:
        """Cells of the claim and its panel, cached or computed."""
        runs = [self.evidence] + [m.evidence for m in self.mutants]
        return sum(e.cells_cached + e.cells_computed for e in runs if e is not None)

    @property
    def verdict_text(self) -> str:
        """``"holds"``, ``"FAILS"`` or ``"ERROR"``."""
        if self.evidence is None:
            return "ERROR"
        return "holds" if self.holds else "FAILS"

    @property
    def mutant_text(self) -> str:
        """``"k/m rejected"``, or ``"-"`` when no panel ran."""
        if not self.mutants:
            return "-"
        return f"{sum(m.rejected for m in self.mutants)}/{len(self.mutants)} rejected"

    def to_dict(self, with_rows: bool = False) -> dict:
        """The claim's entry of the JSON evidence (``verify --json``, ``evidence.json``).

        Parameters
        ----------
        with_rows : bool
            Include every row of the sweeps' data.

        Returns
        -------
        dict
            The claim's id, name, kind, paper, theorem, statement, protocol and learner; the
            verdicts ``holds``, ``mutants_rejected`` and ``passed``; time and cache counts; the
            algorithm's evidence and one entry per mutant (:meth:`MutantResult.to_dict`).
        """
        c = self.claim
        return {
            "id": c.id, "name": c.name, "kind": c.kind, "paper": c.paper, "theorem": c.theorem,
            "statement": c.statement, "protocol": c.protocol.name, "learner": self.learner,
            "holds": self.holds, "mutants_rejected": self.mutants_rejected, "passed": self.passed,
            "seconds": self.seconds, "cells_cached": self.cells_cached, "cells_total": self.cells_total,
            "algorithm": None if self.evidence is None else self.evidence.to_dict(with_rows),
            "mutants": [m.to_dict(with_rows) for m in self.mutants],
            "error": self.error,
        }


def _error_text(err: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(err), err)).strip()


# ------------------------------------------------------------------------------------------
# Argument checks: a wrong object raises a TypeError/ValueError naming the argument, not an
# AttributeError deep inside the formatting.
# ------------------------------------------------------------------------------------------

def _check_claim_args(claim, budget, learner) -> None:
    from proofs_check.framework import BUDGETS

    if not isinstance(claim, Claim):
        raise TypeError(f"claim: expected a proofs_check.Claim, got {claim!r}")
    if not isinstance(budget, str) or budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    if learner is not None and not callable(learner):
        raise TypeError(f"learner: expected a callable following the claim's protocol, got {learner!r}")


def _list_of(name: str, value, kind, what: str) -> list:
    if value is None or isinstance(value, (str, bytes, dict)):
        raise TypeError(f"{name}: expected a list of {what}, got {value!r}")
    try:
        value = list(value)
    except TypeError:
        raise TypeError(f"{name}: expected a list of {what}, got {value!r}") from None
    for item in value:
        if not isinstance(item, kind):
            raise TypeError(f"{name}: expected {what} items, got {type(item).__name__} ({str(item)[:80]})")
    return value


def _check_dict(name: str, value, optional: bool = False) -> None:
    if not (isinstance(value, dict) or (optional and value is None)):
        raise TypeError(f"{name}: expected a dict{' or None' if optional else ''}, got {value!r}")


def _check_path(name: str, value) -> Path:
    import os

    if not isinstance(value, (str, os.PathLike)) or isinstance(value, bytes) or str(value) in ("", "."):
        raise TypeError(f"{name}: expected a file path (str or os.PathLike), got {value!r}")
    if "\0" in str(value):
        raise ValueError(f"{name}: the path contains a NUL character: {value!r}")
    return Path(value)


def _check_calibration(calibration) -> None:
    _check_dict("calibration", calibration)
    claims = calibration.get("claims")
    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        raise ValueError(f"calibration: expected a calibration document (a dict with a 'claims' list), "
                         f"got {str(calibration)[:200]}")


def _check_searches(searches) -> list:
    searches = _list_of("searches", searches, dict, "search documents (dicts)")
    for doc in searches:
        if "claim" not in doc:
            raise ValueError(f"searches: expected SearchResult.to_dict() documents, got {str(doc)[:200]}")
    return searches


def verify_claim(claim: Claim, budget: str = "smoke", *, learner=None, **runner_options) -> ClaimResult:
    """Run ``claim`` and every mutant of its panel at ``budget``; an exception becomes an error entry.

    Parameters
    ----------
    claim : proofs_check.Claim
        The claim to check.
    budget : {"smoke", "quick", "full"}
        The sweep budget.
    learner : callable, optional
        A learner following ``claim.protocol``, checked instead of the library's algorithm; the
        panel is then not run.
    **runner_options
        Passed to :func:`proofs_check.run_sweep` (``seed``, ``jobs``, ``backend``,
        ``cache_dir``, ``use_cache``, ``progress``).

    Returns
    -------
    ClaimResult
        The claim's evidence and each mutant's; an exception in one run is recorded (and its
        traceback printed on stderr), not raised.
    """
    _check_claim_args(claim, budget, learner)
    # A bad option is the caller's error, not the claim's: raise it before running anything.
    check_runner_options(budget, **runner_options)
    evidence = error = None
    try:
        evidence = run_claim(claim, budget, learner=learner, **runner_options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # noqa: BLE001  one broken claim must not stop the report
        error = _error_text(err)
        traceback.print_exc(file=sys.stderr)
    mutants = []
    if learner is None:
        for mutant in claim.mutants:
            try:
                mutants.append(MutantResult(mutant.name, mutant.description,
                                            run_claim(claim, budget, mutant=mutant.name, **runner_options)))
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as err:  # noqa: BLE001
                mutants.append(MutantResult(mutant.name, mutant.description, None, _error_text(err)))
                traceback.print_exc(file=sys.stderr)
    return ClaimResult(claim, evidence, tuple(mutants), error,
                       "algorithm" if learner is None else learner_name(learner))


def verify_claims(claims, budget: str = "smoke", *, learner=None, progress: bool = False, on_result=None,
                  **runner_options) -> list[ClaimResult]:
    """:func:`verify_claim` for each claim, in order.

    Parameters
    ----------
    claims : iterable of proofs_check.Claim
        The claims to check (e.g. ``select_claims(["LCB-*"])``).
    budget : {"smoke", "quick", "full"}
        The sweep budget.
    learner : callable, optional
        A learner following the claims' protocol, checked instead of the library's algorithm.
    progress : bool
        Show progress bars on stderr.
    on_result : callable, optional
        ``on_result(index, n_claims, result)``, called after each claim (the command line logs a
        line per claim when there are no bars).
    **runner_options
        Passed to :func:`proofs_check.run_sweep`.

    Returns
    -------
    list of ClaimResult
        One per claim, in order.
    """
    from proofs_check.statistics import _flag

    claims = _list_of("claims", claims, Claim, "proofs_check.Claim")
    for claim in claims:
        _check_claim_args(claim, budget, learner)
    _flag("progress", progress)
    if on_result is not None and not callable(on_result):
        raise TypeError(f"on_result: expected a callable or None, got {on_result!r}")
    # With several workers, every uncached cell of every claim and mutant runs first in one pool
    # (claims one after another leave workers idle); the loop below then reads them.
    precompute_cells(claim_runs(claims, learner=learner, seeds=(runner_options.get("seed", 0),)), budget,
                     progress=progress, **{k: v for k, v in runner_options.items() if k != "seed"})
    results = []
    bar = None
    if progress and claims:
        from tqdm import tqdm

        bar = tqdm(total=len(claims), desc="claims", unit="claim")
    try:
        for claim in claims:
            if bar is not None:
                bar.set_postfix_str(claim.id)
            results.append(verify_claim(claim, budget, learner=learner, progress=progress, **runner_options))
            if on_result is not None:
                on_result(len(results), len(claims), results[-1])
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return results


def package_versions() -> dict:
    """Versions of Python and of the packages the results depend on (without importing them).

    Returns
    -------
    dict
        ``{"python": "3.11.7", "provable-rl": ..., "numpy": ..., ...}``; a package that is not
        installed maps to ``"not installed"``.
    """
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_header(budget: str, seed: int, *, seconds: float | None = None, **extra) -> dict:
    """The context of a run: budget, seed, UTC date, versions, total time and anything in ``extra``.

    Parameters
    ----------
    budget : str
        The sweep budget (or the name of a run without one, e.g. ``"search"``).
    seed : int or None
        The root seed (None for a run over several seeds, such as a calibration).
    seconds : float, optional
        The run's wall-clock time.
    **extra
        More entries (``jobs``, ``backend``, ``command``...).

    Returns
    -------
    dict
        ``{"budget", "seed", "date", "versions", "seconds", **extra}``.
    """
    from proofs_check.statistics import _int, _real

    if not isinstance(budget, str) or not budget:  # (a sweep budget, or the command's name: "search")
        raise TypeError(f"budget: expected a non-empty str, got {budget!r}")
    if seed is not None:  # (None: a run over several seeds, e.g. a calibration)
        _int("seed", seed, high=2**63 - 1)
    if seconds is not None:
        _real("seconds", seconds, low=0.0)
    return {"budget": budget, "seed": seed,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "versions": package_versions(), "seconds": seconds, **extra}


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def results_table(results) -> str:
    """A fixed-width text table of a run, as ``provable-rl verify`` prints it.

    Parameters
    ----------
    results : list of ClaimResult
        The checked claims.

    Returns
    -------
    str
        One line per claim (verdict, panel, cells from cache, time, statistic), below each claim
        one line per mutant (verdict, statistic), and a last line counting the passed checks.
    """
    results = _list_of("results", results, ClaimResult, "ClaimResult")
    header = ("claim", "kind", "verdict", "mutants", "cached", "time", "statistic")
    body = []
    for r in results:
        summary = r.evidence.verdict.summary if r.evidence is not None else (r.error or "")
        body.append((r.claim.id, r.claim.kind, r.verdict_text, r.mutant_text,
                     f"{r.cells_cached}/{r.cells_total}", _format_seconds(r.seconds), summary.replace("\n", " ")))
        for m in r.mutants:
            text = m.evidence.verdict.summary if m.evidence is not None else (m.error or "")
            body.append(("", "", "", f"  {m.name}", "", m.text, text.replace("\n", " ")))
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *body]:
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths)) + "  " + row[-1])
    n_pass = sum(r.passed for r in results)
    cached = sum(r.cells_cached for r in results)
    total = sum(r.cells_total for r in results)
    lines.append(f"{n_pass}/{len(results)} checks passed (claim holds and every mutant of its panel rejected); "
                 f"{cached} of {total} cells read from cache")
    return "\n".join(lines)


def evidence_document(results, header: dict, *, figures=None, with_rows: bool = False) -> dict:
    """The JSON document of a run: ``{"header", "claims", "figures", "passed"}``.

    Parameters
    ----------
    results : list of ClaimResult
        The checked claims.
    header : dict
        The run's context (:func:`run_header`).
    figures : list of dict, optional
        The figures made (name, title, file names or error).
    with_rows : bool
        Include every row of data.

    Returns
    -------
    dict
        A document of plain JSON types (numpy values converted).
    """
    from proofs_check.statistics import _flag

    results = _list_of("results", results, ClaimResult, "ClaimResult")
    _check_dict("header", header)
    _flag("with_rows", with_rows)
    if figures is not None:
        figures = _list_of("figures", figures, dict, "figure entries (dicts)")
    doc = {"header": header, "claims": [r.to_dict(with_rows) for r in results],
           "passed": all(r.passed for r in results)}
    if figures is not None:
        doc["figures"] = figures
    return _jsonable(doc)


def _check_json_values(name: str, value, where: str = "") -> None:
    """Raise a TypeError naming ``name`` at the first value JSON cannot hold (an arbitrary object
    would otherwise be written as its ``str``, and read back as a different thing)."""
    import numpy as np

    if isinstance(value, dict):
        for key, item in value.items():
            _check_json_values(name, item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_json_values(name, item, f"{where}[{index}]")
    elif isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufU":
            raise TypeError(f"{name}: expected JSON values, got an array of dtype {value.dtype} at {name}{where}")
    elif not (value is None or isinstance(value, (bool, int, float, str, np.generic, Path))) or \
            isinstance(value, (np.complexfloating, np.void)):
        raise TypeError(f"{name}: expected JSON values (dicts, lists, numbers, strings, bools, None), got "
                        f"{type(value).__name__} {value!r} at {name}{where}")


def write_json(path, document: dict) -> Path:
    """Write ``document`` as strict JSON (numpy types converted, inf/nan as strings).

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (its folder is created).
    document : dict
        The document.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = _check_path("path", path)
    _check_dict("document", document)
    _check_json_values("document", document)
    try:
        text = dumps_json(document, indent=2)
    except (TypeError, ValueError) as err:
        raise TypeError(f"document: not serialisable as JSON: {err}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return path


def _cell(text) -> str:
    """A Markdown table cell: pipes escaped, newlines flattened."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _num(x, spec: str) -> str:
    try:
        return format(x, spec)
    except (TypeError, ValueError):
        return str(x)


def _interval_text(evidence: Evidence | None) -> str:
    if evidence is None:
        return ""
    interval = tuple(evidence.verdict.interval)
    if len(interval) != 2:
        return str(interval)
    return f"[{_num(interval[0], '.3g')}, {_num(interval[1], '.3g')}]"


def _statistic_text(evidence: Evidence | None) -> str:
    """The verdict's summary, which states the statistic; the bare number when there is none."""
    if evidence is None:
        return ""
    return evidence.verdict.summary or _num(evidence.verdict.statistic, ".4g")


def _rate_text(rate, interval) -> str:
    try:
        return f"{rate:.2f} [{interval[0]:.2f}, {interval[1]:.2f}]"
    except (TypeError, ValueError, IndexError):
        return str(rate)


def calibration_markdown(calibration: dict) -> list:
    """The "Measured error rates" section of REPORT.md from a ``provable-rl calibrate --json`` document.

    Parameters
    ----------
    calibration : dict
        A document written by ``provable-rl calibrate --json`` (or ``--merge``).

    Returns
    -------
    list of str
        The section's Markdown lines: the command and date, the runs merged, the whole
        selection's pass count, and a table of hold and rejection rates with their exact 95%
        intervals.
    """
    _check_calibration(calibration)
    suite = calibration.get("suite", {})
    seeds = calibration.get("seeds", [])
    seed_text = f"{seeds[0]}..{seeds[-1]}" if seeds else "none"
    lines = ["## Measured error rates", "",
             f"From `{calibration.get('command', 'provable-rl calibrate')}` on {calibration.get('date', 'n/a')} "
             f"(budget {calibration.get('budget')}, root seeds {seed_text}). Each rate is over the seeds, with "
             "an exact 95% interval: a claim's hold rate is one minus its false-alarm rate; a mutant's "
             "rejection rate is the check's power against that wrong algorithm.", ""]
    parts = calibration.get("parts") or []
    if parts:
        lines += [f"Merged from {len(parts)} runs:", ""]
        lines += [f"- `{part.get('command')}` ({part.get('date')}, {_format_seconds(float(part.get('seconds') or 0))})"
                  for part in parts]
        lines.append("")
    if suite.get("seeds"):
        lines += [f"**The whole selection passed at {suite['passes']} of {suite['seeds']} seeds**"
                  + (f" (failed at {', '.join(map(str, suite['failed_at']))})." if suite.get("failed_at") else "."), ""]
    lines += ["| id | holds | mutant | rejected |", "|---|---|---|---|"]
    for entry in calibration.get("claims", []):
        lines.append("| " + " | ".join(_cell(v) for v in (
            entry["id"], _rate_text(entry["hold_rate"], entry.get("hold_interval")), "", "")) + " |")
        for m in entry.get("mutants", []):
            lines.append("| " + " | ".join(_cell(v) for v in (
                "", "", m["name"], _rate_text(m["rejection_rate"], m.get("rejection_interval")))) + " |")
    return lines


def _parameters_text(parameters: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in parameters.items())


def search_markdown(searches, results=()) -> list:
    """The "Worst cases found by search" section of REPORT.md.

    Parameters
    ----------
    searches : list of dict
        :meth:`proofs_check.search.SearchResult.to_dict` documents of the library's algorithm,
        one per bound claim.
    results : list of ClaimResult
        The fixed-instance results of the same run, shown beside each search.

    Returns
    -------
    list of str
        The section's Markdown lines: per bound claim, the fixed-instance verdict, the number of
        instances the search tried, the largest measured / bound it found and on which instance,
        and the counterexample if there is one.
    """
    searches = _check_searches(searches)
    results = _list_of("results", results, ClaimResult, "ClaimResult")
    fixed = {r.claim.id: r for r in results}
    lines = ["## Worst cases found by search", "",
             "Each explicit bound searched over the instance class its theorem covers "
             "(`provable-rl search CLAIM`): hypothesis steers toward the largest measured / bound, and an "
             "instance whose per-instance test rejects the bound at level 0.05 / examples is a counterexample, "
             "shrunk to a small instance.", "",
             "| id | fixed instances | examples | worst measured / bound | on the instance | counterexample |",
             "|---|---|---|---|---|---|"]
    for doc in searches:
        result = fixed.get(doc["claim"])
        fixed_text = (_statistic_text(result.evidence) or result.verdict_text) if result is not None else "not run"
        worst = doc.get("worst") or {}
        ratio = worst.get("ratio")
        ratio_text = f"{ratio:.3g}" if isinstance(ratio, float) else str(ratio)
        counterexample = doc.get("counterexample")
        ce_text = "none" if counterexample is None else (
            f"{_parameters_text(counterexample['parameters'])}: {counterexample['summary']}")
        lines.append("| " + " | ".join(_cell(v) for v in (
            doc["claim"], fixed_text, len(doc.get("examples", [])), ratio_text,
            _parameters_text(worst.get("parameters", {})), ce_text)) + " |")
    return lines


def report_markdown(results, header: dict, figures=(), calibration: dict | None = None, searches=None) -> str:
    """The text of REPORT.md.

    Parameters
    ----------
    results : list of ClaimResult
        The checked claims.
    header : dict
        The run's context (:func:`run_header`).
    figures : list of dict
        Each with ``name``, ``title``, and ``png``/``csv`` (file names relative to the report)
        or ``error``.
    calibration : dict, optional
        A ``provable-rl calibrate --json`` document; its measured hold and rejection rates get a
        section of their own (:func:`calibration_markdown`).
    searches : list of dict, optional
        Search results of the library's algorithm (:func:`search_markdown`).

    Returns
    -------
    str
        The report: the run's context, a table of claims, the mutant panels, the measured error
        rates and the figures.
    """
    results = _list_of("results", results, ClaimResult, "ClaimResult")
    _check_dict("header", header)
    figures = _list_of("figures", figures, dict, "figure entries (dicts)")
    if calibration is not None:
        _check_calibration(calibration)
    if searches is not None:
        searches = _check_searches(searches)
    n_pass = sum(r.passed for r in results)
    lines = ["# provable-rl: claims checked", ""]
    versions = ", ".join(f"{k} {v}" for k, v in header.get("versions", {}).items())
    meta = [("budget", header.get("budget")), ("seed", header.get("seed")), ("date", header.get("date")),
            ("total time", _format_seconds(header["seconds"]) if header.get("seconds") is not None else "n/a"),
            ("jobs", header.get("jobs")), ("backend", header.get("backend")), ("versions", versions),
            ("command", header.get("command"))]
    lines += [f"- **{k}**: {v}" for k, v in meta if v is not None]
    lines += ["", f"**{n_pass} of {len(results)} checks passed** (the claim holds with the library's algorithm "
              "and the same check rejects every mutant of its panel, each a deliberately wrong algorithm).", ""]
    if results:
        lines += ["| id | paper | theorem | statement | statistic | interval | verdict | mutants | time |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in results:
            c = r.claim
            stat = _statistic_text(r.evidence) or f"error: {r.error}"
            lines.append("| " + " | ".join(_cell(v) for v in (
                c.id, c.paper, c.theorem, c.statement, stat, _interval_text(r.evidence),
                r.verdict_text, r.mutant_text, _format_seconds(r.seconds))) + " |")
        lines += ["", "## Mutant panels", "",
                  "Each claim's check run on each wrong algorithm of its panel at the same budget and seed.", "",
                  "| id | mutant | how it is wrong | verdict | statistic |", "|---|---|---|---|---|"]
        for r in results:
            for m in r.mutants:
                stat = m.evidence.verdict.summary if m.evidence is not None else f"error: {m.error}"
                lines.append("| " + " | ".join(_cell(v) for v in (r.claim.id, m.name, m.description, m.text, stat))
                             + " |")
            if r.claim.panel_note:
                lines.append("| " + " | ".join(_cell(v) for v in (r.claim.id, "(note)", r.claim.panel_note, "", ""))
                             + " |")
    else:
        lines.append("No claims were registered.")
    if calibration:
        lines += [""] + calibration_markdown(calibration)
    if searches:
        lines += [""] + search_markdown(searches, results)
    lines += ["", "## Figures", ""]
    if not figures:
        lines.append("No figures were registered.")
    for fig in figures:
        if fig.get("error"):
            lines.append(f"- **{fig['name']}**: {fig.get('title', '')} — ERROR: {_cell(fig['error'])}")
        else:
            lines.append(f"- [{fig['name']}]({fig['png']}): {fig.get('title', '')} (data: [{fig['csv']}]({fig['csv']}))")
    for fig in figures:
        if not fig.get("error"):
            lines += ["", f"### {fig['name']}", "", f"![{fig.get('title', fig['name'])}]({fig['png']})"]
    return "\n".join(lines) + "\n"


def write_report(path, results, header: dict, figures=(), calibration: dict | None = None, searches=None) -> Path:
    """Write :func:`report_markdown` to ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file to write (its folder is created).
    results, header, figures, calibration, searches
        As in :func:`report_markdown`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = _check_path("path", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_markdown(results, header, figures, calibration, searches))
    return path
