r"""Property-based bound checks: hypothesis searches a bound's instance class for its worst case.

A bound claim checks its theorem on a few instances chosen by hand; the theorem speaks of *every*
instance of a class. A :class:`BoundProperty` states the class (a hypothesis strategy over the
instance's parameters: sizes, discount, coverage, sample size, a seed for the random parts), how
to build an instance from its parameters, and how to test the bound on one instance: run the
learner on :math:`n` independent datasets and return a :class:`Trial` with the measured quantity,
the bound, their ratio and the p-value of "the bound holds on this instance".

:func:`search` runs hypothesis over the class. Each example's ratio measured / bound is passed to
:func:`hypothesis.target`, which steers the search toward the instances where the bound is
tightest. An example whose p-value is below the per-instance level is a **counterexample**;
hypothesis then shrinks it to a small instance (smaller sizes, fewer samples, simpler families),
and :func:`search` returns it as JSON that :func:`load_instance` rebuilds and
:func:`replay` re-tests with the same random numbers.

**False alarms.** A search tries at most ``max_examples`` instances before its first
counterexample; each is tested at level :math:`\alpha / \text{max\_examples}` (Bonferroni), so
for a correct algorithm the probability that a search reports any counterexample is at most
:math:`\alpha` (0.05 by default) whatever the steering does. The rate is measured with
``provable-rl search CLAIM --seeds K`` (the docs' page on searching states the measured rates).

**Power.** The search of a claim must find a counterexample for every mutant of the claim's
panel within its default example budget; :func:`search` accepts ``mutant=NAME`` like
:func:`proofs_check.run_claim`.

Randomness: the data of an example are drawn from a generator keyed by the search seed and the
example's parameters, so the same parameters give the same verdict (which shrinking needs) and a
counterexample replays exactly.

A first search (the library's LCB over LCB-C3's class):

>>> from proofs_check.search import search
>>> result = search("LCB-C3", max_examples=2, seed=0)          # doctest: +SKIP
>>> result.counterexample is None, round(result.worst["ratio"], 2)   # doctest: +SKIP
(True, 0.05)
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["Trial", "BoundProperty", "SearchResult", "OutsideClass", "search", "replay", "load_instance",
           "register_property", "get_property", "all_properties", "binomial_trial", "mean_bound_trial",
           "PAPER_SEARCH_MODULES"]

#: The modules that define properties, imported on first use of the registry.
PAPER_SEARCH_MODULES = ("lcb", "ftpedel", "hnpg", "optimistic_ac", "dual_rl")
#: The family-wise false-alarm level of one search (Bonferroni over its examples).
DEFAULT_LEVEL = 0.05

_PROPERTIES: dict = {}


class OutsideClass(ValueError):
    """Raised by a property's ``evaluate`` for parameters outside the class its theorem covers.

    The search discards such an example (it is neither a pass nor a counterexample); outside a
    search the error propagates.
    """


@dataclass(frozen=True)
class Trial:
    r"""The bound tested on one instance.

    Parameters
    ----------
    measured : float
        The measured quantity (a mean suboptimality, a violation frequency...).
    bound : float
        What the theorem allows for it on this instance.
    p_value : float
        The p-value of the null hypothesis "the bound holds on this instance": small values are
        evidence of a violation. Exact (binomial) or from a valid concentration inequality
        (empirical Bernstein), never asymptotic.
    interval : tuple of float
        A 95% confidence interval of the quantity that ``measured`` estimates.
    summary : str
        One line for a report.
    details : dict
        Anything else worth recording (sizes, counts).
    """

    measured: float
    bound: float
    p_value: float
    interval: tuple
    summary: str
    details: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        """measured / bound (inf when the bound is 0 and the measurement is not)."""
        if self.bound > 0:
            return float(self.measured / self.bound)
        return 0.0 if self.measured <= 0 else math.inf

    def to_dict(self) -> dict:
        """The trial as plain JSON types.

        Returns
        -------
        dict
            ``{"measured", "bound", "ratio", "p_value", "interval", "summary", "details"}``.
        """
        return {"measured": float(self.measured), "bound": float(self.bound), "ratio": _finite(self.ratio),
                "p_value": float(self.p_value), "interval": [float(x) for x in self.interval],
                "summary": self.summary, "details": _plain(self.details)}


@dataclass(frozen=True)
class BoundProperty:
    """A bound claim stated over its whole instance class.

    Parameters
    ----------
    claim_id : str
        The claim whose bound is searched (``"LCB-C3"``); its protocol's default learner and its
        mutant panel are the search's learner and panel.
    instance_class : str
        One paragraph: the class the theorem covers and the part of it searched (the ranges).
    parameters : callable
        ``parameters() -> hypothesis strategy`` of JSON-able dicts, one per instance; strategies
        should shrink toward small instances (small sizes first, families in order of simplicity).
    load : callable
        ``load(parameters) -> instance``: builds the instance, deterministically.
    evaluate : callable
        ``evaluate(instance, parameters, learner, rng) -> Trial``: runs ``learner`` (following
        the claim's protocol) on independent datasets drawn with ``rng`` and tests the bound.
    max_examples : int
        The default number of instances a search tries (its power and its cost).
    ci_examples : int
        The number tried by the bounded version the tests run.
    """

    claim_id: str
    instance_class: str
    parameters: Callable
    load: Callable
    evaluate: Callable
    max_examples: int = 20
    ci_examples: int = 4

    def __post_init__(self):
        for name in ("parameters", "load", "evaluate"):
            if not callable(getattr(self, name)):
                raise TypeError(f"{name}: property {self.claim_id} expected a callable")
        for name in ("max_examples", "ci_examples"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: expected a positive int, got {value!r}")

    @property
    def claim(self):
        """The registered claim (:func:`proofs_check.get_claim`)."""
        from proofs_check import get_claim

        return get_claim(self.claim_id)


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    Parameters
    ----------
    claim_id : str
        The claim searched.
    learner : str
        ``"algorithm"``, ``"mutant:NAME"`` or the user's learner's name.
    seed : int
        The search seed.
    max_examples : int
        The example budget.
    level : float
        The family-wise false-alarm level; each instance is tested at ``level / max_examples``.
    examples : list of dict
        Every instance tried before shrinking: its parameters and its trial.
    worst : dict or None
        The example with the largest measured / bound.
    counterexample : dict or None
        The shrunk counterexample (claim, parameters, seed, learner, trial), or None.
    seconds : float
        Wall-clock time of the search.
    """

    claim_id: str
    learner: str
    seed: int
    max_examples: int
    level: float
    examples: list
    worst: dict | None
    counterexample: dict | None
    seconds: float

    @property
    def per_instance_level(self) -> float:
        """The level each instance is tested at: ``level / max_examples``."""
        return self.level / self.max_examples

    @property
    def found(self) -> bool:
        """A counterexample was found."""
        return self.counterexample is not None

    def to_dict(self) -> dict:
        """The result as plain JSON types (``provable-rl search --json``).

        Returns
        -------
        dict
            Every field, with ``per_instance_level`` and ``found``.
        """
        return _plain({"claim": self.claim_id, "learner": self.learner, "seed": self.seed,
                       "max_examples": self.max_examples, "level": self.level,
                       "per_instance_level": self.per_instance_level, "found": self.found,
                       "worst": self.worst, "counterexample": self.counterexample, "seconds": self.seconds,
                       "examples": self.examples})


# ----------------------------------------------------------------------------------------------
# The per-instance tests
# ----------------------------------------------------------------------------------------------

def _count(name: str, value, *, low: int = 0, high: int = 10 ** 12) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name}: expected an int in [{low}, {high}], got {value!r}")
    return int(value)


def _real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__} {value!r}")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def _text_and_details(label, details) -> dict:
    if not isinstance(label, str):
        raise TypeError(f"label: expected a str, got {type(label).__name__}")
    if details is not None and not isinstance(details, dict):
        raise TypeError(f"details: expected a dict or None, got {type(details).__name__}")
    return details or {}

def binomial_trial(violations: int, n_runs: int, delta: float, *, label: str = "violations",
                   details: dict | None = None) -> Trial:
    r"""Test "P(violation) <= delta" on one instance from ``violations`` out of ``n_runs``.

    The p-value is exact: :math:`P(\mathrm{Bin}(n, \delta) \ge k)`. The measured quantity is the
    frequency :math:`k/n`, the bound :math:`\delta`.

    Parameters
    ----------
    violations : int
        :math:`k`, the runs where the event the theorem excludes happened.
    n_runs : int
        :math:`n`, independent runs.
    delta : float
        The theorem's failure probability, in (0, 1).
    label : str
        What a violation is, for the summary.
    details : dict, optional
        Recorded with the trial.

    Returns
    -------
    Trial

    Examples
    --------
    >>> trial = binomial_trial(12, 40, 0.1)
    >>> round(trial.ratio, 2), trial.p_value < 1e-3
    (3.0, True)
    """
    import scipy.stats

    from proofs_check.statistics import _clopper_pearson

    n = _count("n_runs", n_runs, low=1)
    k = _count("violations", violations)
    if k > n:
        raise ValueError(f"violations: expected a count in [0, n_runs={n}], got {violations!r}")
    delta = _real("delta", delta)
    if not 0 < delta < 1:
        raise ValueError(f"delta: expected a number in (0, 1), got {delta!r}")
    details = _text_and_details(label, details)
    p_value = float(scipy.stats.binom.sf(k - 1, n, delta))
    low, high = _clopper_pearson(k, n, 0.95)
    return Trial(k / n, float(delta), p_value, (low, high),
                 f"{k}/{n} {label} (allowed rate {delta:g}, p {p_value:.2g})",
                 {"violations": k, "runs": n, **details})


def mean_bound_trial(values, bound: float, value_range: float, *, label: str = "mean",
                     details: dict | None = None) -> Trial:
    r"""Test :math:`E[X] \le b` on one instance from i.i.d. draws of :math:`X \in [0, r]`.

    The p-value inverts the empirical Bernstein bound (Maurer and Pontil 2009, Theorem 4): with
    probability at least :math:`1 - \alpha`,

    .. math::

        E[X] \ge \bar X - \sqrt{\frac{2 V \log(2/\alpha)}{n}} - \frac{7 r \log(2/\alpha)}{3 (n - 1)},

    with :math:`V` the sample variance. The p-value is the smallest :math:`\alpha` at which this
    lower confidence bound exceeds :math:`b` (1 when it never does). Valid for every
    distribution on :math:`[0, r]`, and much sharper than Hoeffding's when the variance is small.

    Parameters
    ----------
    values : array_like, shape (n,)
        The draws, in :math:`[0, r]`; at least 2.
    bound : float
        :math:`b`.
    value_range : float
        :math:`r > 0`.
    label : str
        The quantity's name, for the summary.
    details : dict, optional
        Recorded with the trial.

    Returns
    -------
    Trial

    Examples
    --------
    >>> import numpy as np
    >>> draws = np.random.default_rng(0).uniform(0.0, 0.2, size=1000)   # mean 0.1
    >>> mean_bound_trial(draws, 0.05, 1.0).p_value < 1e-6, mean_bound_trial(draws, 0.2, 1.0).p_value
    (True, 1.0)
    """
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError):
        raise TypeError(f"values: expected an array of real draws, got {type(values).__name__}") from None
    if raw.dtype.kind not in "biuf":  # strings, complex numbers and objects are not real draws
        raise TypeError(f"values: expected an array of real draws, got dtype {raw.dtype}")
    x = raw.astype(float).ravel()
    if np.asarray(values).dtype == bool:
        raise TypeError("values: expected real draws, got booleans")
    if np.ndim(values) != 1:
        raise ValueError(f"values: expected a 1-d array of draws, got shape {np.shape(values)}")
    n = x.size
    if n < 2:
        raise ValueError(f"values: expected at least 2 draws, got {n}")
    if not np.all(np.isfinite(x)):
        raise ValueError("values: expected finite draws, got NaN or inf")
    bound = _real("bound", bound)
    value_range = _real("value_range", value_range)
    if not value_range > 0:
        raise ValueError(f"value_range: expected a positive number, got {value_range!r}")
    details = _text_and_details(label, details)
    if np.any(x < -1e-12) or np.any(x > value_range * (1 + 1e-9)):
        raise ValueError(f"values: expected draws in [0, {value_range:g}], got [{x.min():g}, {x.max():g}]")
    mean = float(x.mean())
    variance = float(x.var(ddof=1))

    def lower(alpha):
        log_term = math.log(2.0 / alpha)
        return mean - math.sqrt(2.0 * variance * log_term / n) - 7.0 * value_range * log_term / (3.0 * (n - 1))

    p_value = 1.0
    if lower(1.0) > bound:          # alpha = 1 is the loosest level the inequality allows
        lo, hi = -700.0, 0.0        # bisection on log(alpha)
        for _ in range(80):
            mid = (lo + hi) / 2
            if lower(math.exp(mid)) > bound:
                hi = mid
            else:
                lo = mid
        p_value = float(math.exp(hi))
    half = math.sqrt(2.0 * variance * math.log(2 / 0.05) / n) + 7.0 * value_range * math.log(2 / 0.05) / (3.0 * (n - 1))
    return Trial(mean, float(bound), p_value, (max(0.0, mean - half), mean + half),
                 f"{label} {mean:.4g} vs bound {bound:.4g} (p {p_value:.2g})", {"draws": n, **details})


# ----------------------------------------------------------------------------------------------
# The registry
# ----------------------------------------------------------------------------------------------

def register_property(prop: BoundProperty) -> BoundProperty:
    """Add a property to the registry (one per claim id).

    Parameters
    ----------
    prop : BoundProperty
        The property.

    Returns
    -------
    BoundProperty
        ``prop``.
    """
    if not isinstance(prop, BoundProperty):
        raise TypeError(f"prop: expected a BoundProperty, got {type(prop).__name__}")
    old = _PROPERTIES.get(prop.claim_id)
    if old is not None and old is not prop:
        raise ValueError(f"prop: claim {prop.claim_id!r} already has a property")
    _PROPERTIES[prop.claim_id] = prop
    return prop


def _load_modules() -> None:
    for name in PAPER_SEARCH_MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":     # a paper without explicit bounds has no module
                raise


def all_properties() -> list:
    """Every registered property, in the order of the claims.

    Returns
    -------
    list of BoundProperty
    """
    _load_modules()
    from proofs_check import all_claims

    order = {claim.id: i for i, claim in enumerate(all_claims())}
    return sorted(_PROPERTIES.values(), key=lambda p: order.get(p.claim_id, len(order)))


def get_property(claim_id: str) -> BoundProperty:
    """The property of a claim (case-insensitive id).

    Parameters
    ----------
    claim_id : str
        A claim id with a property (``"LCB-C3"``).

    Returns
    -------
    BoundProperty

    Raises
    ------
    proofs_check.SelectionError
        When the claim has no property.
    """
    from proofs_check import SelectionError

    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id: expected a str, got {type(claim_id).__name__}")
    _load_modules()
    for key, prop in _PROPERTIES.items():
        if key.lower() == claim_id.lower():
            return prop
    raise SelectionError(f"claim_id: no bound property for {claim_id!r}; searchable: {', '.join(_PROPERTIES)}")


# ----------------------------------------------------------------------------------------------
# Searching
# ----------------------------------------------------------------------------------------------

def _plain(x):
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return _plain(x.item())
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


def _finite(x: float):
    return float(x) if math.isfinite(x) else str(x)


def _example_rng(seed: int, parameters: dict) -> np.random.Generator:
    """The data's generator: keyed by the search seed and the parameters, so replays are exact."""
    text = json.dumps(_plain(parameters), sort_keys=True)
    key = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(key,)))


def _resolve_learner(prop: BoundProperty, learner, mutant):
    claim = prop.claim
    if learner is not None and mutant is not None:
        raise ValueError("learner, mutant: give one or the other, not both")
    if mutant is not None:
        return claim.get_mutant(mutant).learner, f"mutant:{mutant}"
    if learner is None:
        return claim.protocol.default, "algorithm"
    if not callable(learner):
        raise TypeError(f"learner: expected a callable following {claim.protocol.signature}, "
                        f"got {type(learner).__name__}")
    from proofs_check import learner_name

    return learner, learner_name(learner)


class _Counterexample(AssertionError):
    pass


def search(claim_id: str, *, learner=None, mutant: str | None = None, max_examples: int | None = None,
           seed: int = 0, level: float = DEFAULT_LEVEL, ci: bool = False, on_example=None) -> SearchResult:
    r"""Search a bound claim's instance class for its worst case, and for a counterexample.

    Parameters
    ----------
    claim_id : str
        A claim with a registered :class:`BoundProperty` (see :func:`all_properties`).
    learner : callable, optional
        A learner following the claim's protocol (default: the library's algorithm).
    mutant : str, optional
        The name of a mutant of the claim's panel, searched instead of the algorithm.
    max_examples : int, optional
        Instances to try (default: the property's ``max_examples``, or ``ci_examples`` with
        ``ci=True``).
    seed : int
        The search seed: it fixes hypothesis's choices and every example's data.
    level : float
        The family-wise false-alarm level; each instance is tested at
        :math:`\alpha / \text{max\_examples}`.
    ci : bool
        Use the property's bounded example count (what ``pytest`` runs).
    on_example : callable, optional
        ``on_example(parameters, trial)`` after each example (progress logging).

    Returns
    -------
    SearchResult
        Every example, the worst one (largest measured / bound) and the shrunk counterexample,
        if any.
    """
    from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings, target
    from hypothesis import seed as hypothesis_seed

    prop = get_property(claim_id)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 63:
        raise ValueError(f"seed: expected an int in [0, 2**63), got {seed!r}")
    if not (isinstance(level, (int, float)) and not isinstance(level, bool) and 0 < level < 1):
        raise ValueError(f"level: expected a number in (0, 1), got {level!r}")
    if max_examples is None:
        max_examples = prop.ci_examples if ci else prop.max_examples
    if isinstance(max_examples, bool) or not isinstance(max_examples, (int, np.integer)) \
            or not 1 <= max_examples <= 100_000:
        raise ValueError(f"max_examples: expected an int in [1, 100000], got {max_examples!r}")
    max_examples = int(max_examples)
    if on_example is not None and not callable(on_example):
        raise TypeError(f"on_example: expected a callable (parameters, trial) or None, got {type(on_example).__name__}")
    if mutant is not None and not isinstance(mutant, str):
        raise TypeError(f"mutant: expected a mutant's name (str), got {type(mutant).__name__}")
    if not isinstance(ci, bool):
        raise TypeError(f"ci: expected a bool, got {type(ci).__name__}")
    run_learner, learner_label = _resolve_learner(prop, learner, mutant)
    per_instance = level / max_examples
    examples: list = []
    failures: list = []
    shrinking = {"on": False}
    started = time.perf_counter()

    memo: dict = {}

    def test(parameters):
        # The same parameters get the same data, hence the same trial: evaluate each once.
        key = json.dumps(_plain(parameters), sort_keys=True)
        if key not in memo:
            instance = prop.load(parameters)
            try:
                memo[key] = prop.evaluate(instance, parameters, run_learner, _example_rng(seed, parameters))
            except OutsideClass:
                memo[key] = None
            if memo[key] is not None and not shrinking["on"]:
                examples.append({"parameters": _plain(parameters), **memo[key].to_dict()})
                if on_example is not None:
                    on_example(parameters, memo[key])
        trial = memo[key]
        if trial is None:
            reject()
        record = {"parameters": _plain(parameters), **trial.to_dict()}
        target(min(trial.ratio, 1e6), label="measured / bound")
        if trial.p_value < per_instance:
            failures.append(record)
            shrinking["on"] = True
            raise _Counterexample(trial.summary)

    configured = settings(max_examples=max_examples, database=None, deadline=None, derandomize=False,
                          phases=(Phase.generate, Phase.target, Phase.shrink), report_multiple_bugs=False,
                          suppress_health_check=list(HealthCheck), print_blob=False,
                          verbosity=Verbosity.quiet)
    runner = hypothesis_seed(int(seed))(configured(given(prop.parameters())(test)))
    try:
        runner()
    except _Counterexample:
        pass
    counterexample = None
    if failures:
        last = failures[-1]      # hypothesis replays the shrunk example last
        counterexample = {"claim": prop.claim_id, "learner": learner_label, "seed": int(seed),
                          "per_instance_level": per_instance, **last}
    worst = max(examples, key=lambda r: r["ratio"] if isinstance(r["ratio"], float) else math.inf, default=None)
    return SearchResult(prop.claim_id, learner_label, int(seed), max_examples, float(level), examples, worst,
                        counterexample, time.perf_counter() - started)


def load_instance(document: dict):
    """Rebuild the instance of a counterexample (or of any example) from its JSON.

    Parameters
    ----------
    document : dict
        A ``counterexample`` of :meth:`SearchResult.to_dict` (or any dict with ``"claim"`` and
        ``"parameters"``).

    Returns
    -------
    object
        What the claim's property builds (for the LCB properties an
        :class:`mdps.instances.lcb.LCBInstance`: the problem, the data distribution and its
        realised concentrability).
    """
    prop = _document_property(document)
    return _load_document_instance(prop, document["parameters"])


def _load_document_instance(prop: BoundProperty, parameters: dict):
    """``prop.load(parameters)`` for a document's parameters: a missing or malformed entry is the
    document's error (a ValueError or TypeError naming ``document``), not a KeyError of the loader."""
    try:
        return prop.load(parameters)
    except (KeyError, IndexError) as err:
        raise ValueError(f"document: 'parameters' of a {prop.claim_id} instance lack or garble the entry {err}; "
                         f"got {parameters!r}") from None
    except (TypeError, ValueError) as err:
        raise type(err)(f"document: 'parameters' of a {prop.claim_id} instance are not valid: {err}") from None


def _document_property(document) -> BoundProperty:
    """The property a counterexample document belongs to, with the document's shape checked."""
    from proofs_check import SelectionError

    if not isinstance(document, dict) or "claim" not in document or "parameters" not in document:
        raise ValueError("document: expected a dict with 'claim' and 'parameters' (a search's counterexample)")
    if not isinstance(document["claim"], str) or not isinstance(document["parameters"], dict):
        raise ValueError("document: expected 'claim' a str and 'parameters' a dict, got "
                         f"{type(document['claim']).__name__} and {type(document['parameters']).__name__}")
    seed = document.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 63:
        raise ValueError(f"document: expected 'seed' an int in [0, 2**63), got {seed!r}")
    learner = document.get("learner", "algorithm")
    if not isinstance(learner, str):
        raise ValueError(f"document: expected 'learner' a str, got {type(learner).__name__}")
    try:
        return get_property(document["claim"])
    except SelectionError as err:
        raise ValueError(f"document: {err}") from None


def replay(document: dict, *, learner=None) -> Trial:
    """Re-test a counterexample: the same instance, the same data, the same learner.

    Parameters
    ----------
    document : dict
        A ``counterexample`` of :meth:`SearchResult.to_dict`.
    learner : callable, optional
        The learner to replay; by default the one recorded (the algorithm or a mutant of the
        panel; a user's learner must be passed again).

    Returns
    -------
    Trial
        Identical to the recorded one for the recorded learner.
    """
    prop = _document_property(document)
    label = document.get("learner", "algorithm")
    if learner is not None and not callable(learner):
        raise TypeError(f"learner: expected a callable following {prop.claim.protocol.signature}, "
                        f"got {type(learner).__name__}")
    if learner is None:
        if label == "algorithm":
            learner = prop.claim.protocol.default
        elif label.startswith("mutant:"):
            try:
                learner = prop.claim.get_mutant(label.split(":", 1)[1]).learner
            except (KeyError, ValueError) as err:
                raise ValueError(f"document: its learner {label!r} is not a mutant of {prop.claim_id}: {err}") from None
        else:
            raise ValueError(f"learner: the counterexample was found for {label!r}; pass that learner")
    parameters = document["parameters"]
    instance = _load_document_instance(prop, parameters)
    return prop.evaluate(instance, parameters, learner, _example_rng(document.get("seed", 0), parameters))
