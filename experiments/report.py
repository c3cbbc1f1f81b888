"""Verifying claims in bulk, and writing what came out: a terminal table, JSON evidence, REPORT.md.

:func:`verify_claims` runs each claim and its mutant (an error in one claim is recorded, not
raised, so the others still run) and returns :class:`ClaimResult` objects; the writers turn them
into a plain-text table (:func:`results_table`), a strict-JSON document
(:func:`evidence_document`, :func:`write_json`) and the Markdown report of
``provable-rl reproduce`` (:func:`write_report`).

Example
-------
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

from proofs_check.framework import Claim, Evidence, _jsonable, dumps_json, run_claim

#: Distributions whose versions the report records.
VERSIONED_PACKAGES = ("provable-rl", "numpy", "scipy", "numba", "cvxpy", "matplotlib", "joblib")


@dataclass(frozen=True)
class ClaimResult:
    """A claim checked at a budget: its evidence and its mutant's, or the error that stopped either."""

    claim: Claim
    evidence: Evidence | None
    mutant_evidence: Evidence | None
    error: str | None = None
    mutant_error: str | None = None

    @property
    def holds(self) -> bool:
        """The algorithm's verdict holds."""
        return self.evidence is not None and bool(self.evidence.holds)

    @property
    def mutant_rejected(self) -> bool:
        """The mutant ran and its verdict does not hold (an error is not a rejection)."""
        return self.mutant_evidence is not None and not self.mutant_evidence.holds

    @property
    def passed(self) -> bool:
        """The check passed: the claim holds and its mutant is rejected."""
        return self.holds and self.mutant_rejected

    @property
    def seconds(self) -> float:
        return sum(e.seconds for e in (self.evidence, self.mutant_evidence) if e is not None)

    @property
    def verdict_text(self) -> str:
        if self.evidence is None:
            return "ERROR"
        return "holds" if self.holds else "FAILS"

    @property
    def mutant_text(self) -> str:
        if self.mutant_evidence is None:
            return "ERROR"
        return "rejected" if self.mutant_rejected else "NOT REJECTED"

    def to_dict(self, with_rows: bool = False) -> dict:
        c = self.claim
        return {
            "id": c.id, "name": c.name, "kind": c.kind, "paper": c.paper, "theorem": c.theorem,
            "statement": c.statement, "mutant": c.mutant, "mutant_description": c.mutant_description,
            "holds": self.holds, "mutant_rejected": self.mutant_rejected, "passed": self.passed,
            "seconds": self.seconds,
            "algorithm": None if self.evidence is None else self.evidence.to_dict(with_rows),
            "mutant_run": None if self.mutant_evidence is None else self.mutant_evidence.to_dict(with_rows),
            "error": self.error, "mutant_error": self.mutant_error,
        }


def _error_text(err: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(err), err)).strip()


def verify_claim(claim: Claim, budget: str = "smoke", **runner_options) -> ClaimResult:
    """Run ``claim`` and its mutant at ``budget``; an exception becomes the result's error."""
    evidence = mutant = error = mutant_error = None
    try:
        evidence = run_claim(claim, budget, mutant=False, **runner_options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # noqa: BLE001  one broken claim must not stop the report
        error = _error_text(err)
        traceback.print_exc(file=sys.stderr)
    try:
        mutant = run_claim(claim, budget, mutant=True, **runner_options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # noqa: BLE001
        mutant_error = _error_text(err)
        traceback.print_exc(file=sys.stderr)
    return ClaimResult(claim, evidence, mutant, error, mutant_error)


def verify_claims(claims, budget: str = "smoke", *, progress: bool = False, on_result=None,
                  **runner_options) -> list[ClaimResult]:
    """:func:`verify_claim` for each claim, in order.

    ``progress`` shows bars on stderr; ``on_result(index, n_claims, result)`` is called after
    each claim (the command line logs a line per claim when there are no bars).
    """
    claims = list(claims)
    results = []
    bar = None
    if progress and claims:
        from tqdm import tqdm

        bar = tqdm(total=len(claims), desc="claims", unit="claim")
    try:
        for claim in claims:
            if bar is not None:
                bar.set_postfix_str(claim.id)
            results.append(verify_claim(claim, budget, progress=progress, **runner_options))
            if on_result is not None:
                on_result(len(results), len(claims), results[-1])
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return results


def package_versions() -> dict:
    """Versions of Python and of the packages the results depend on (without importing them)."""
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_header(budget: str, seed: int, *, seconds: float | None = None, **extra) -> dict:
    """The context of a run: budget, seed, UTC date, versions, total time and anything in ``extra``."""
    return {"budget": budget, "seed": seed,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "versions": package_versions(), "seconds": seconds, **extra}


def _format_seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def results_table(results) -> str:
    """A fixed-width text table: id, kind, verdict, mutant, time, and the statistic's summary."""
    header = ("claim", "kind", "verdict", "mutant", "time", "statistic")
    body = []
    for r in results:
        summary = r.evidence.verdict.summary if r.evidence is not None else (r.error or "")
        body.append((r.claim.id, r.claim.kind, r.verdict_text, r.mutant_text, _format_seconds(r.seconds),
                     summary.replace("\n", " ")))
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *body]:
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row, widths)) + "  " + row[-1])
    n_pass = sum(r.passed for r in results)
    lines.append(f"{n_pass}/{len(results)} checks passed (claim holds and mutant rejected)")
    return "\n".join(lines)


def evidence_document(results, header: dict, *, figures=None, with_rows: bool = False) -> dict:
    """The JSON document of a run: ``{"header", "claims", "figures", "passed"}``."""
    doc = {"header": header, "claims": [r.to_dict(with_rows) for r in results],
           "passed": all(r.passed for r in results)}
    if figures is not None:
        doc["figures"] = figures
    return _jsonable(doc)


def write_json(path, document: dict) -> Path:
    """Write ``document`` as strict JSON (numpy types converted, inf/nan as strings)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_json(document, indent=2) + "\n")
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


def report_markdown(results, header: dict, figures=()) -> str:
    """The text of REPORT.md.

    ``figures`` is a list of dicts with ``name``, ``title``, and ``png``/``csv`` (file names
    relative to the report) or ``error``.
    """
    n_pass = sum(r.passed for r in results)
    lines = ["# provable-rl: claims checked", ""]
    versions = ", ".join(f"{k} {v}" for k, v in header.get("versions", {}).items())
    meta = [("budget", header.get("budget")), ("seed", header.get("seed")), ("date", header.get("date")),
            ("total time", _format_seconds(header["seconds"]) if header.get("seconds") is not None else "n/a"),
            ("jobs", header.get("jobs")), ("backend", header.get("backend")), ("versions", versions),
            ("command", header.get("command"))]
    lines += [f"- **{k}**: {v}" for k, v in meta if v is not None]
    lines += ["", f"**{n_pass} of {len(results)} checks passed** (the claim holds on the algorithm's data "
              "and the same check rejects the mutant, a deliberately broken variant).", ""]
    if results:
        lines += ["| id | paper | theorem | statement | statistic | interval | verdict | mutant | mutant rejected | time |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in results:
            c = r.claim
            stat = _statistic_text(r.evidence) or f"error: {r.error}"
            mutant = c.mutant_description or c.mutant
            rejected = r.mutant_text if r.mutant_evidence is None else (
                f"{r.mutant_text}: {r.mutant_evidence.verdict.summary}")
            if r.mutant_evidence is None and r.mutant_error:
                rejected = f"ERROR: {r.mutant_error}"
            lines.append("| " + " | ".join(_cell(v) for v in (
                c.id, c.paper, c.theorem, c.statement, stat, _interval_text(r.evidence),
                r.verdict_text, mutant, rejected, _format_seconds(r.seconds))) + " |")
    else:
        lines.append("No claims were registered.")
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


def write_report(path, results, header: dict, figures=()) -> Path:
    """Write :func:`report_markdown` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_markdown(results, header, figures))
    return path

