r"""Measured error rates of the checks: how often a claim holds and how often each mutant is rejected.

A verdict is a statistical test, so it errs: a correct algorithm can fail a claim at an unlucky
root seed (a false alarm), and a wrong one can pass (a miss). :func:`calibrate` runs each claim
and every mutant of its panel at root seeds 1..K (seed 0, the command line's default, is left
out so that the calibration does not reuse the tests' draws) and counts. Rates come with exact
(Clopper-Pearson) 95% intervals (:func:`clopper_pearson`): with :math:`K = 20` seeds and 20/20
holds, the false-alarm rate is below :math:`1 - 0.025^{1/20} \approx 0.17` with 95% confidence.

Examples
--------
>>> from proofs_check.calibration import calibrate
>>> results = calibrate(["LCB-M4"], budget="smoke", seeds=3, use_cache=False)   # doctest: +SKIP
>>> results[0].hold_rate, results[0].rejection_rates                            # doctest: +SKIP
(1.0, {'penalty_x100': 1.0, ...})
"""
from __future__ import annotations

import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.stats

from .framework import Claim, check_runner_options, claim_runs, precompute_cells, run_claim, select_claims
from .statistics import _int, _real

__all__ = [
    "CONFIDENCE",
    "CalibrationResult",
    "calibrate",
    "clopper_pearson",
    "calibration_seeds",
    "suite_passes",
    "calibration_document",
    "calibration_table",
    "merge_calibration_documents",
]

CONFIDENCE = 0.95
#: The most root seeds a calibration takes (each runs the whole selection and its panels).
MAX_SEEDS = 100_000


def clopper_pearson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple:
    r"""Exact two-sided binomial interval for a rate ``successes / trials``.

    With :math:`k` successes in :math:`n` trials and :math:`\alpha = 1 - \text{confidence}`,
    the interval is :math:`[p_L, p_U]` with

    .. math::

        p_L = B^{-1}\!\left(\tfrac{\alpha}{2};\, k,\, n - k + 1\right), \qquad
        p_U = B^{-1}\!\left(1 - \tfrac{\alpha}{2};\, k + 1,\, n - k\right),

    where :math:`B^{-1}(q; a, b)` is the quantile function of the Beta(:math:`a, b`)
    distribution, :math:`p_L = 0` when :math:`k = 0` and :math:`p_U = 1` when :math:`k = n`.
    It covers the true rate with probability at least ``confidence`` for every rate (it is
    conservative). For :math:`k = n`, :math:`p_L = (\alpha/2)^{1/n}`.

    Parameters
    ----------
    successes : int
        :math:`k`, between 0 and ``trials``.
    trials : int
        :math:`n`, positive.
    confidence : float
        Coverage of the interval (default 0.95).

    Returns
    -------
    tuple of float
        ``(p_L, p_U)``.

    Examples
    --------
    >>> [round(x, 3) for x in clopper_pearson(20, 20)]
    [0.832, 1.0]
    """
    _int("successes", successes, high=2**31)
    _int("trials", trials, low=1, high=2**31)
    _real("confidence", confidence, low=0.0, high=1.0, open_low=True, open_high=True)
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError(f"successes, trials: expected 0 <= successes <= trials and trials > 0, "
                         f"got {successes}, {trials}")
    alpha = 1 - confidence
    lo = 0.0 if successes == 0 else float(scipy.stats.beta.ppf(alpha / 2, successes, trials - successes + 1))
    hi = 1.0 if successes == trials else float(scipy.stats.beta.ppf(1 - alpha / 2, successes + 1,
                                                                    trials - successes))
    return lo, hi


def calibration_seeds(seeds) -> tuple:
    """``seeds`` as a tuple of root seeds: an int K means 1..K; an iterable is taken as given.

    Seed 0 (the command line's default, used by the tests) is left out of ``1..K`` so that a
    calibration does not reuse the tests' draws.

    Parameters
    ----------
    seeds : int or iterable of int
        K (positive), or distinct non-negative ints.

    Returns
    -------
    tuple of int
        The root seeds, in order.

    Examples
    --------
    >>> calibration_seeds(3), calibration_seeds([0, 5])
    ((1, 2, 3), (0, 5))
    """
    if isinstance(seeds, bool):
        raise TypeError(f"seeds: expected a positive int or an iterable of non-negative ints, got {seeds!r}")
    if isinstance(seeds, (str, bytes, dict)) or seeds is None:
        raise TypeError(f"seeds: expected a positive int or an iterable of non-negative ints, got {seeds!r}")
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise ValueError(f"seeds: expected a positive number of seeds, got {seeds}")
        if seeds > MAX_SEEDS:
            raise ValueError(f"seeds: expected at most {MAX_SEEDS} seeds, got {seeds}")
        return tuple(range(1, int(seeds) + 1))
    try:
        given = tuple(seeds)
    except TypeError:
        raise TypeError(f"seeds: expected a positive int or an iterable of non-negative ints, got {seeds!r}") from None
    for seed in given:
        if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seeds: expected ints, got {type(seed).__name__} {seed!r} in {seeds!r}")
    out = tuple(int(s) for s in given if s >= 0)
    if any(x >= 2**63 for x in out):
        raise ValueError(f"seeds: expected root seeds below 2**63, got {seeds!r}")
    if not out or len(out) != len(given) or len(set(out)) != len(out):
        raise ValueError(f"seeds: expected distinct non-negative ints, got {seeds!r}")
    return out


@dataclass
class CalibrationResult:
    r"""One claim at one budget over several root seeds.

    An error while running counts as not holding (for the algorithm) or not rejected (for a
    mutant), and its text is kept in ``errors``. The hold rate is :math:`\hat p = \frac{1}{K}
    \sum_i \mathbb{1}[\text{holds at seed } i]`, and likewise each mutant's rejection rate.

    Parameters
    ----------
    claim : Claim
        The claim calibrated.
    budget : {"smoke", "quick", "full"}
        The budget it ran at.
    seeds : tuple of int
        The root seeds.
    holds : list of bool
        ``holds[i]``: the claim held with the library's algorithm at ``seeds[i]``.
    rejected : dict of str to list of bool
        ``rejected[name][i]``: mutant ``name`` was rejected at ``seeds[i]``.
    errors : list of str
        One line per exception raised (seed, variant, error).
    seconds : float
        Wall time of the claim's calibration.
    """

    claim: Claim
    budget: str
    seeds: tuple
    holds: list = field(default_factory=list)
    rejected: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def hold_rate(self) -> float:
        """The fraction of seeds at which the claim held."""
        return sum(self.holds) / len(self.seeds)

    @property
    def rejection_rates(self) -> dict:
        """Per mutant name, the fraction of seeds at which it was rejected."""
        return {name: sum(flags) / len(self.seeds) for name, flags in self.rejected.items()}

    def passed_at(self) -> list:
        """Per seed: the claim held and every mutant was rejected.

        Returns
        -------
        list of bool
            One flag per seed, in the order of ``seeds``.
        """
        return [self.holds[i] and all(flags[i] for flags in self.rejected.values()) for i in range(len(self.seeds))]

    def to_dict(self) -> dict:
        """The JSON entry of the claim in a calibration document.

        Returns
        -------
        dict
            Id, name, kind, budget, seeds, hold rate with its Clopper-Pearson interval, the seeds
            where it held and failed, and per mutant its rejection rate, interval and the seeds
            where it was not rejected; the errors and the time.
        """
        n = len(self.seeds)
        descriptions = {m.name: m.description for m in self.claim.mutants}
        return {
            "id": self.claim.id, "name": self.claim.name, "kind": self.claim.kind, "budget": self.budget,
            "seeds": list(self.seeds), "hold_rate": self.hold_rate,
            "hold_interval": list(clopper_pearson(sum(self.holds), n)),
            "held_at": [s for s, h in zip(self.seeds, self.holds) if h],
            "failed_at": [s for s, h in zip(self.seeds, self.holds) if not h],
            "mutants": [{"name": name, "description": descriptions.get(name, ""),
                         "rejection_rate": sum(flags) / n,
                         "rejection_interval": list(clopper_pearson(sum(flags), n)),
                         "not_rejected_at": [s for s, r in zip(self.seeds, flags) if not r]}
                        for name, flags in self.rejected.items()],
            "errors": list(self.errors), "seconds": self.seconds,
        }


def _error_text(err: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(err), err)).strip()


def calibrate(claims=None, budget: str = "quick", seeds=20, *, on_result=None, **runner_options) -> list:
    """Run each claim and its whole mutant panel at every root seed and count verdicts.

    Parameters
    ----------
    claims : list of Claim or of fnmatch patterns, optional
        Default: every registered claim.
    budget : {"smoke", "quick", "full"}
        The budget of every run.
    seeds : int or iterable of int
        K means the root seeds 1..K (see :func:`calibration_seeds`).
    on_result : callable (index, total, CalibrationResult), optional
        Called after each claim (for progress output).
    **runner_options
        Those of :func:`~proofs_check.framework.run_sweep` except ``seed``: ``jobs``,
        ``backend``, ``scheduler``, ``cache_dir``, ``use_cache``, ``progress``. Cells are cached as by
        ``verify``, so a calibration resumes and reuses ``verify``'s cells at the same seeds.
        Editing a module the claims use while a calibration runs changes the code fingerprint:
        the cells computed before the edit are not reused (by design), so edit before or after.

    Returns
    -------
    list of CalibrationResult
        One per claim, in the order given.
    """
    import time

    if "seed" in runner_options:
        raise TypeError("seed: calibrate runs at several root seeds; pass seeds=")
    seeds = calibration_seeds(seeds)
    from .framework import BUDGETS

    if not isinstance(budget, str) or budget not in BUDGETS:
        raise ValueError(f"budget: expected one of {BUDGETS}, got {budget!r}")
    if "seed" in runner_options:
        raise TypeError("seed: calibrate runs root seeds 1..K itself (the seeds argument); no seed option")
    check_runner_options(budget, **runner_options)
    if on_result is not None and not callable(on_result):
        raise TypeError(f"on_result: expected a callable or None, got {on_result!r}")
    if isinstance(claims, (str, bytes, dict, Claim)) or (claims is not None and not hasattr(claims, "__iter__")):
        raise TypeError(f"claims: expected None, a list of claims or a list of patterns, got {claims!r}")
    if claims is None or (claims and all(isinstance(c, str) for c in claims)):
        claims = select_claims(claims or None)
    claims = list(claims)
    for claim in claims:
        if not isinstance(claim, Claim):
            raise TypeError(f"claims: expected Claim objects or patterns (str), got {claim!r}")
    results = []
    # With several workers, each claim's cells at every seed (algorithm and panel) run in one pool,
    # and the next claim's pool runs while this thread checks the claim from its cached cells:
    # the checks (reading cells, bootstraps) would otherwise leave the workers idle.
    ahead = ThreadPoolExecutor(max_workers=1)
    try:
        pending = ahead.submit(precompute_cells, claim_runs(claims[:1], seeds=seeds), budget, **runner_options)
        for index, claim in enumerate(claims):
            start = time.perf_counter()
            pending.result()
            if index + 1 < len(claims):
                pending = ahead.submit(precompute_cells, claim_runs([claims[index + 1]], seeds=seeds), budget,
                                       **runner_options)
            results.append(_calibrate_claim(claim, budget, seeds, runner_options))
            results[-1].seconds = time.perf_counter() - start
            if on_result is not None:
                on_result(index, len(claims), results[-1])
    finally:
        # Normally nothing is left running; after an error or an interrupt, the pool ahead finishes
        # in the background (its cells are cached) instead of holding up the error.
        ahead.shutdown(wait=False, cancel_futures=True)
    return results


def _calibrate_claim(claim, budget, seeds, runner_options):
    """One claim's and its panel's verdicts at every seed (from the cache when precomputed)."""
    result = CalibrationResult(claim, budget, seeds, rejected={m.name: [] for m in claim.mutants})
    for seed in seeds:
        try:
            result.holds.append(bool(run_claim(claim, budget, seed=seed, **runner_options).holds))
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001  an error is a failed verdict, recorded
            result.holds.append(False)
            result.errors.append(f"seed {seed} algorithm: {_error_text(err)}")
        for mutant in claim.mutants:
            try:
                held = run_claim(claim, budget, mutant=mutant.name, seed=seed, **runner_options).holds
                result.rejected[mutant.name].append(not held)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as err:  # noqa: BLE001  an error is not a rejection
                result.rejected[mutant.name].append(False)
                result.errors.append(f"seed {seed} mutant {mutant.name}: {_error_text(err)}")
    return result


def _check_results(results) -> list:
    """``results`` as a list of CalibrationResult (a TypeError naming ``results`` otherwise)."""
    if isinstance(results, (str, bytes, dict)) or results is None:
        raise TypeError(f"results: expected a list of CalibrationResult, got {results!r}")
    try:
        results = list(results)
    except TypeError:
        raise TypeError(f"results: expected a list of CalibrationResult, got {results!r}") from None
    for r in results:
        if not isinstance(r, CalibrationResult):
            raise TypeError(f"results: expected CalibrationResult items, got {type(r).__name__}")
    return results


def _check_header(header, optional: bool = False) -> None:
    if not (isinstance(header, dict) or (optional and header is None)):
        raise TypeError(f"header: expected a dict{' or None' if optional else ''}, got {header!r}")


def suite_passes(results) -> list:
    """Per seed: every claim held and every mutant was rejected.

    Parameters
    ----------
    results : list of CalibrationResult
        Results over the same seeds (a ValueError otherwise).

    Returns
    -------
    list of bool
        One flag per seed: the whole selection passed there. Empty when ``results`` is.
    """
    results = _check_results(results)
    if not results:
        return []
    seeds = results[0].seeds
    if any(r.seeds != seeds for r in results):
        raise ValueError("results: expected the same seeds for every claim")
    per_claim = [r.passed_at() for r in results]
    return [all(p[i] for p in per_claim) for i in range(len(seeds))]


def calibration_document(results, header: dict) -> dict:
    """The JSON of a calibration: the header, the whole-suite pass count, and one entry per claim.

    Parameters
    ----------
    results : list of CalibrationResult
        Results over the same seeds.
    header : dict
        The run's context (budget, date, versions, command...), copied to the top level.

    Returns
    -------
    dict
        ``header``'s entries, ``"seeds"``, ``"suite"`` (passes, seeds, pass rate, the seeds where
        the selection failed) and ``"claims"`` (:meth:`CalibrationResult.to_dict` of each).
    """
    results = _check_results(results)
    _check_header(header)
    passes = suite_passes(results)
    n = len(passes)
    seeds = list(results[0].seeds) if results else []
    return {
        **header,
        "seeds": seeds,
        "suite": {"passes": int(sum(passes)), "seeds": n,
                  "pass_rate": (sum(passes) / n) if n else None,
                  "failed_at": [s for s, ok in zip(seeds, passes) if not ok]},
        "claims": [r.to_dict() for r in results],
    }


def calibration_table(results) -> str:
    """A fixed-width text table: per claim its hold rate, then each mutant's rejection rate.

    Parameters
    ----------
    results : list of CalibrationResult
        The results to tabulate.

    Returns
    -------
    str
        Columns claim, holds (k/K), mutant, rejected (k/K) and the failing seeds, then a line
        with the whole-selection pass count.
    """
    results = _check_results(results)
    lines = []
    header = ("claim", "holds", "mutant", "rejected", "failing seeds")
    rows = []
    for r in results:
        n = len(r.seeds)
        failed = [s for s, h in zip(r.seeds, r.holds) if not h]
        rows.append((r.claim.id, f"{sum(r.holds)}/{n}", "", "", ",".join(map(str, failed))))
        for name, flags in r.rejected.items():
            missed = [s for s, x in zip(r.seeds, flags) if not x]
            rows.append(("", "", name, f"{sum(flags)}/{n}", ",".join(map(str, missed))))
    widths = [max(len(str(row[i])) for row in rows + [header]) for i in range(len(header))]
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
    passes = suite_passes(results)
    if passes:
        lines.append(f"whole selection passed at {sum(passes)}/{len(passes)} seeds")
    return "\n".join(lines)


def merge_calibration_documents(documents, header: dict | None = None) -> dict:
    """One calibration document from several (e.g. one per paper, run separately), same budget and seeds.

    The whole-suite pass count is recomputed from each claim's per-seed results, so the merged
    document says at how many seeds *every* claim of every part held with its panel rejected.
    A claim present in two documents is an error.

    Parameters
    ----------
    documents : iterable of dict
        Calibration documents (:func:`calibration_document`) of the same budget and seeds.
    header : dict, optional
        The merged document's context; default the first document's (without its claims,
        suite and seeds).

    Returns
    -------
    dict
        A calibration document whose ``"parts"`` lists each input's command, date and time,
        ``"seconds"`` their sum.
    """
    _check_header(header, optional=True)
    if isinstance(documents, (str, bytes, dict)) or documents is None:
        raise TypeError(f"documents: expected an iterable of calibration documents, got {documents!r}")
    try:
        documents = list(documents)
    except TypeError:
        raise TypeError(f"documents: expected an iterable of calibration documents, got {documents!r}") from None
    if not documents:
        raise ValueError("documents: expected at least one calibration document")
    for doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("claims"), list) or not all(
                isinstance(c, dict) for c in doc["claims"]):
            raise ValueError(f"documents: expected calibration documents (dicts with a 'claims' list), "
                             f"got {str(doc)[:200]}")
    seeds, budget = documents[0].get("seeds"), documents[0].get("budget")
    claims, seen = [], set()
    for doc in documents:
        if doc.get("seeds") != seeds or doc.get("budget") != budget:
            raise ValueError(f"documents: expected the same budget and seeds, got {doc.get('budget')!r} "
                             f"{doc.get('seeds')} and {budget!r} {seeds}")
        for entry in doc.get("claims", []):
            if entry["id"] in seen:
                raise ValueError(f"documents: claim {entry['id']} appears twice")
            seen.add(entry["id"])
            claims.append(entry)
    # A seed counts as a pass only where every claim was run and held (a claim calibrated over fewer
    # seeds than the others does not pass the suite at the seeds it missed).
    passed = []
    for seed in seeds:
        passed.append(all(seed in c.get("seeds", seeds) and seed in c.get("held_at", ()) and seed not in c["failed_at"]
                          and all(seed not in m["not_rejected_at"] for m in c["mutants"]) for c in claims))
    base = dict(header if header is not None else {k: v for k, v in documents[0].items()
                                                   if k not in ("claims", "suite", "seeds")})
    base["parts"] = [{k: doc.get(k) for k in ("command", "date", "seconds")} for doc in documents]
    base["seconds"] = sum(float(doc.get("seconds") or 0) for doc in documents)
    n = len(seeds)
    return {**base, "seeds": seeds,
            "suite": {"passes": int(sum(passed)), "seeds": n, "pass_rate": sum(passed) / n if n else None,
                      "failed_at": [s for s, ok in zip(seeds, passed) if not ok]},
            "claims": claims}
