"""API-wide fuzz of bad inputs, continued: the public functions of ``proofs_check`` (the claim
framework, its statistics, calibration and search) and of ``experiments`` (report, figures,
plotting) raise, and name the argument.

The machinery is the one of ``tests/test_api_fuzz.py`` (loaded here under another module name, so
that its table is not shared with that file's tests): the same :class:`Arg` kinds, hypothesis
strategies, worker subprocess per batch (this file run as a script), crash and hang attribution and
verdicts. This file adds the entries (a valid call and the argument kinds of each public callable)
and the fixtures they need: a toy claim (the Monte-Carlo mean of standard normals, a rate
:math:`N^{-1/2}`, with one mutant) whose smoke budget runs in milliseconds, its evidence, a
calibration result, a search counterexample and a toy figure. Every runner call passes
``use_cache=False`` so that nothing is written to the user's cache.

Budget: the default run draws :data:`DEFAULT_EXAMPLES` examples per (entry, argument, category),
a few hundred cases in one worker (about 15 s); ``pytest -m slow`` draws ``SLOW_EXAMPLES``.
"""
from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve()
_CORE_NAME = "_api_fuzz_core"
if _CORE_NAME in sys.modules:
    core = sys.modules[_CORE_NAME]
else:
    _spec = importlib.util.spec_from_file_location(_CORE_NAME, _HERE.parent / "test_api_fuzz.py")
    core = importlib.util.module_from_spec(_spec)
    sys.modules[_CORE_NAME] = core
    _spec.loader.exec_module(core)

Arg, Entry, Case = core.Arg, core.Entry, core.Case
NAN, INF = float("nan"), float("inf")
DEFAULT_EXAMPLES = core.DEFAULT_EXAMPLES
SLOW_EXAMPLES = core.SLOW_EXAMPLES


# ================================================================================================
# Fixtures: a toy claim, its evidence, a calibration, a search counterexample, a toy figure.
# ================================================================================================

TOY_SIZES = (16, 32, 64, 128, 256)


def toy_mean(draws):
    """The toy learner: the mean of each row of ``draws`` (R, n)."""
    return draws.mean(axis=1)


def toy_first(draws):
    """The toy mutant: the first sample of each row."""
    return draws[:, 0]


def toy_cells(budget):
    from proofs_check import per_budget

    return [{"n_samples": n, "block": k} for n in TOY_SIZES for k in range(per_budget(budget, 4, 5, 6))]


def toy_run_cell(cell, rng, learner):
    draws = rng.standard_normal((4, cell["n_samples"]))
    return [{"error": float(np.abs(learner(draws)).mean())}]


def toy_analyse(rows, budget):
    from proofs_check import rate_verdict

    n_blocks = len({r["block"] for r in rows})
    blocks = np.zeros((len(TOY_SIZES), 1, n_blocks))
    for row in rows:
        blocks[TOY_SIZES.index(row["n_samples"]), 0, row["block"]] = row["error"]
    return rate_verdict(TOY_SIZES, blocks, -0.5, 0.25, n_bootstrap=200)


def toy_plot(data, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([1, 2], [1, 2])
    fig.savefig(path)
    plt.close(fig)


def _build_fixtures() -> dict:
    from experiments.figures import Figure
    from experiments.report import verify_claim
    from proofs_check import Claim, LearnerProtocol, Mutant, Sweep, calibrate, rate_verdict, run_claim
    from proofs_check.search import search

    protocol = LearnerProtocol("fuzz.toy_mean", "learner(draws) -> estimates", "draws (R, n) -> (R,)",
                               default=toy_mean)
    sweep = Sweep("fuzz.toy_sweep", toy_cells, toy_run_cell, protocol=protocol)
    claim = Claim(id="FUZZ-1", name="fuzz.toy.rate", paper="Toy 2026", theorem="Prop 1 [derived]",
                  statement="mean |error| of a Monte-Carlo mean decays as N^-1/2", kind="rate", sweep=sweep,
                  analyse=toy_analyse, mutants=(Mutant("first", toy_first, "the first sample only"),),
                  panel_note="a toy claim: one mutant is enough for the fuzz")
    evidence = run_claim(claim, "smoke", use_cache=False)
    verdict = evidence.verdict
    calibration = calibrate([claim], "smoke", seeds=2, use_cache=False)
    result = verify_claim(claim, "smoke", use_cache=False)
    found = search("LCB-C3", max_examples=1, seed=0).to_dict()
    document = {"claim": "LCB-C3", "learner": "algorithm", "seed": 0, "parameters": found["worst"]["parameters"]}
    figure = Figure("FUZZ-FIG", "toy", (sweep,), toy_plot)
    tmp = Path(tempfile.mkdtemp(prefix="fuzz_framework_"))
    import atexit
    import shutil

    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    header = {"budget": "smoke", "seed": 0}
    from proofs_check.calibration import calibration_document

    return dict(claim=claim, sweep=sweep, protocol=protocol, evidence=evidence, verdict=verdict,
                calibration=calibration, cal_doc=calibration_document(calibration, header), result=result,
                search=found, document=document, figure=figure, tmp=tmp, ax=ax, header=header,
                learner=toy_mean, rate=rate_verdict, mutant=claim.mutants[0], fig=fig, plt=plt)


_FIXTURES: dict | None = None


def fx() -> dict:
    global _FIXTURES
    if _FIXTURES is None:
        _FIXTURES = _build_fixtures()
    return _FIXTURES


def _m_fixture(value, params):
    """Replace by one of this file's fixtures (``("fixture", name)``) or a literal."""
    kind, payload = params
    return fx()[payload] if kind == "fixture" else payload


def _m_dict_edit(value, params):
    """A copy of a dict with one key removed (``("drop", key)``) or set (``("set", key, value)``)."""
    out = dict(value)
    if params[0] == "drop":
        out.pop(params[1], None)
    else:
        out[params[1]] = params[2]
    return out


core.MUTATORS["fw_object"] = _m_fixture
core.MUTATORS["dict_edit"] = _m_dict_edit


# ================================================================================================
# Argument kinds (the core kinds, and extras: lists of (category, mutator, strategy)).
# ================================================================================================

def _st():
    return core._strategies()["st"]


def _replace(category, *values):
    return lambda: [(category, "replace", _st().sampled_from(list(values)))]


def _objects(*wrong):
    """Wrong objects: literals and this file's fixtures by name."""
    vals = [("literal", x) for x in (None, 3, "x", (1, 2), 0.5)] + [("fixture", w) for w in wrong]
    return lambda: [("wrong_object", "fw_object", _st().sampled_from(vals))]


def _dict_edits(*edits):
    return lambda: [("bad_document", "dict_edit", _st().sampled_from(list(edits)))]


def _array_extra(types=("str_array", "complex_array", "complex_real", "none", "str", "ragged", "object_str", "dict"),
                 shapes=()):
    """Wrong types and shapes of an array argument whose non-finite values are valid (a non-finite
    measurement is a failing verdict, not an error)."""
    def make():
        st = _st()
        out = [("wrong_type", "array_type", st.sampled_from(list(types)))]
        if shapes:
            out.append(("bad_shape", "shape", st.tuples(st.sampled_from(list(shapes)), st.floats(0.0, 1.0,
                                                                                                 exclude_max=True))))
        return out

    return make


NOT_NONE = ("str_array", "complex_array", "complex_real", "str", "ragged", "object_str", "dict")


def _both(*makers):
    return lambda: [c for m in makers for c in m()]


BUDGET = Arg("choice", wrong=("smoke", "quick", "full"))
SEED = Arg("nonneg_size")
FLAG = Arg("flag")
CONFIDENCE = Arg("real", low=0.0, high=1.0)
N_BOOT = _both(_replace("wrong_type", True, "200", 200.5, None, NAN),
               _replace("out_of_range", 99, 0, -5), _replace("huge", 2**62, 2**63, 10**30))
CLAIM = _objects("sweep", "verdict", "evidence", "figure", "learner")
SWEEP = _objects("claim", "verdict", "figure", "learner")
FIGURE = _objects("claim", "sweep", "verdict")
LEARNER = _replace("wrong_object", 3, "mean", (1, 2), 0.5, np.zeros(3))
RUNNER = dict(use_cache=False)
#: A root seed: an int in [0, 2**63).
SEED63 = _both(_replace("wrong_type", True, "3", 3.0, NAN, [3]), _replace("out_of_range", -1, -(2**70)),
               _replace("huge", 2**63, 2**64, 10**30))
TEXT = _replace("wrong_type", 3, None, b"x", ["x"], 0.5)
PATTERNS = _replace("unknown", "NOPE-9", ["NOPE-9"], ["LCB-M1", "NOPE-9"], "", [""], 3, [3], b"LCB", {"LCB": 1},
                    ["LCB-*", None], True)
RESULTS = _replace("wrong_object", None, 3, "x", [3], [None], ["x"], {"a": 1})
HEADER = _replace("wrong_object", None, 3, "x", [1, 2])
PATH_ARG = _replace("wrong_type", None, 3, 0.5, ["x"], b"\0", "")


def _entries() -> dict:
    def pc(name, mod="proofs_check"):
        return lambda *a, **kw: getattr(importlib.import_module(mod), name)(*a, **kw)

    def claim_run(fn):
        return lambda **kw: fn()(**kw)

    E = {}

    def add(key, package, fn, valid, args=None, extra=None):
        E[f"{package}.{key}"] = Entry(fn, valid, args or {}, extra=extra or {}, covers=(key.split("[")[0],),
                                      package=package)

    # ------------------------------------------------------------ statistics (also proofs_check.*)
    x5 = np.array(TOY_SIZES, float)
    blocks = np.abs(np.random.default_rng(0).standard_normal((5, 1, 6))) / np.sqrt(x5)[:, None, None]
    seeds_a = np.array([1.0, 1.1, 0.9, 1.05, 0.95])
    for package in ("proofs_check", "proofs_check.statistics"):
        add("bound_verdict", package, pc("bound_verdict", package),
            lambda f: dict(violations=np.array([0, 1, 0, 0]), n_runs=4, delta=0.1, ratios=[0.5, 1.2], level=1e-3),
            dict(n_runs=Arg("size"), delta=Arg("real", low=0.0, high=1.0), level=CONFIDENCE,
                 ratios=Arg("extended_array", shapes=("extra_axis", "empty"), optional=True)))
        add("bound_verdict[count]", package, pc("bound_verdict", package),
            lambda f: dict(violations=2, n_runs=10, delta=0.1),
            extra=dict(violations=_replace("bad_count", -1, 11, 2.5, "2", True, None, NAN, 2**70)))
        E[f"{package}.bound_verdict"].extra["violations"] = _both(
            _array_extra(types=("str_array", "complex_array", "none", "str", "ragged", "object_str", "dict"),
                         shapes=("extra_axis", "truncate", "empty")),
            _replace("non_integer", np.array([0, 0.5, 0, 0]), np.array([0, 2, 0, 0]), np.array([0, NAN, 0, 0])))
        add("rate_verdict", package, pc("rate_verdict", package),
            lambda f: dict(x=x5, blocks=blocks, exponent=-0.5, tolerance=0.1, rng=0, n_bootstrap=200,
                           confidence=0.95, alternative="two-sided", competitors=(-1.0,)),
            dict(x=Arg("real_array", shapes=("extra_axis", "truncate", "empty", "scalar")),
                 exponent=Arg("real"), tolerance=Arg("real", low=0.0, high=0.25, open_low=False, open_high=False),
                 rng=Arg("rng"), confidence=CONFIDENCE,
                 alternative=Arg("choice", wrong=("two-sided", "at_most")),
                 competitors=Arg("real_array", shapes=("extra_axis",))),
            dict(n_bootstrap=N_BOOT, x=_replace("out_of_range", [1, 2, 3, 4, -5], [1, 1, 2, 3, 4], [0, 1, 2, 3, 4]),
                 blocks=_array_extra(types=("bool_array", "str_array", "complex_array", "none", "str", "ragged",
                                            "object_str", "dict"),
                                     shapes=("drop_axis", "truncate", "empty", "scalar"))))
        add("exact_verdict", package, pc("exact_verdict", package),
            lambda f: dict(measured=np.ones(3), expected=np.ones(3), atol=1e-6, rtol=0.0),
            dict(atol=Arg("real", low=0.0, open_low=False), rtol=Arg("real", low=0.0, open_low=False)),
            dict(measured=_array_extra(shapes=("truncate", "empty")),
                 expected=_both(_array_extra(shapes=("extra_axis", "truncate", "empty")),
                                _replace("nonfinite", np.array([1.0, NAN, 1.0]), np.array([INF, 1, 1])))))
        add("order_verdict", package, pc("order_verdict", package),
            lambda f: dict(smaller=seeds_a, larger=seeds_a * 2, margin=1.0, rng=0, n_bootstrap=200,
                           confidence=0.95, label="A / B", paired=False),
            dict(smaller=Arg("real_array", shapes=("extra_axis", "empty", "scalar")),
                 larger=Arg("real_array", shapes=("extra_axis", "empty", "scalar")), margin=Arg("real", low=0.0),
                 rng=Arg("rng"), confidence=CONFIDENCE, paired=FLAG),
            dict(n_bootstrap=N_BOOT, label=TEXT))
        add("all_of", package, pc("all_of", package), lambda f: dict(verdicts={"a": f_()["verdict"]}),
            extra=dict(verdicts=_replace("wrong_object", None, {}, [], {"a": 3}, {"a": None}, "x", 3,
                                         [("a", "b")], {3: "x"})))
    add("loglog_slope", "proofs_check.statistics", pc("loglog_slope", "proofs_check.statistics"),
        lambda f: dict(x=x5, y=1 / np.sqrt(x5)),
        dict(x=Arg("real_array", shapes=("extra_axis", "truncate", "empty", "scalar")),
             y=Arg("real_array", shapes=("extra_axis", "truncate", "empty", "scalar"))),
        dict(x=_replace("out_of_range", -x5, np.ones(5), np.zeros(5)), y=_replace("out_of_range", -x5, np.zeros(5))))

    # ------------------------------------------------------------ framework
    P = "proofs_check"
    add("per_budget", P, pc("per_budget"), lambda f: dict(budget="smoke", smoke=1, quick=2, full=3),
        dict(budget=BUDGET))
    add("get_claim", P, pc("get_claim"), lambda f: dict(claim_id="LCB-M1"),
        extra=dict(claim_id=_replace("unknown", "NOPE-9", "", "lcb-m99", 3, None, b"LCB-M1", ["LCB-M1"], True)))
    add("select_claims", P, pc("select_claims"), lambda f: dict(patterns=["LCB-M1"]), extra=dict(patterns=PATTERNS))
    add("cell_rng", P, pc("cell_rng"), lambda f: dict(root_seed=0, sweep=f_()["sweep"], cell={"n_samples": 16}),
        {},
        dict(root_seed=SEED63, sweep=SWEEP, cell=_replace("wrong_object", None, 3, "x", [1], {"n": object()}, {"n": NAN},
                                        {3: 1})))
    add("cache_path", P, pc("cache_path"),
        lambda f: dict(sweep=f_()["sweep"], budget="smoke", cell={"n_samples": 16}, learner=None, seed=0,
                       cache_dir=f_()["tmp"]),
        dict(budget=BUDGET),
        dict(seed=SEED63, sweep=SWEEP, cell=_replace("wrong_object", None, 3, "x", [1], {"n": NAN}, {3: 1}),
             learner=LEARNER, cache_dir=_replace("wrong_type", 3, 0.5, ["x"], b"\0", "\0")))
    add("clear_cache", P, pc("clear_cache"), lambda f: dict(cache_dir=f_()["tmp"] / "empty_cache"),
        extra=dict(cache_dir=_replace("wrong_type", 3, 0.5, ["x"], "\0", True)))
    add("learner_name", P, pc("learner_name"), lambda f: dict(learner=toy_mean),
        extra=dict(learner=_replace("wrong_object", 3, "mean", None, (1, 2), 0.5)))
    add("register", P, pc("register"), lambda f: dict(claim=f_()["claim"]), extra=dict(claim=CLAIM))
    add("unregister", P, lambda **kw: _register_then(pc("unregister"), **kw), lambda f: dict(claim=f_()["claim"]),
        extra=dict(claim=_both(CLAIM, _replace("unknown", "NOPE-9", "", "FUZZ-2"))))
    add("registered", P, lambda **kw: _enter(pc("registered"), kw["claim"]), lambda f: dict(claim=(f_()["claim"],)),
        extra=dict(claim=_replace("wrong_object", (None,), (3,), ("x",), (len,), ((1, 2),))))
    add("isolated_registry", P, lambda **kw: _enter(pc("isolated_registry"), kw["claim"]),
        lambda f: dict(claim=(f_()["claim"],)),
        extra=dict(claim=_replace("wrong_object", (None,), (3,), ("x",), (len,), ((1, 2),))))
    run_opts: dict = {}
    # jobs = -1 is valid (all cores); seeds are ints in [0, 2**63), like the command line's --seed.
    run_extra = dict(seed=SEED63, jobs=_both(_replace("wrong_type", True, "2", 1.5, None), _replace("out_of_range", 0, -2),
                                _replace("huge", 2**62, 10**30)),
                     backend=_replace("wrong_choice", "nope", None, 3, "LOKY "),
                     use_cache=_replace("wrong_type", "yes", 1, None),
                     progress=_replace("wrong_type", "yes", 2, None),
                     cache_dir=_replace("wrong_type", 3, 0.5, ["x"], "\0"))
    add("run_sweep", P, pc("run_sweep"),
        lambda f: dict(sweep=f_()["sweep"], budget="smoke", learner=None, seed=0, jobs=1, backend="loky",
                       use_cache=False, progress=False),
        dict(budget=BUDGET, **run_opts), dict(sweep=SWEEP, learner=LEARNER, **run_extra))
    add("run_claim", P, pc("run_claim"),
        lambda f: dict(claim=f_()["claim"], budget="smoke", learner=None, mutant=None, seed=0, use_cache=False),
        dict(budget=BUDGET, **run_opts),
        dict(claim=CLAIM, learner=LEARNER, mutant=_replace("unknown", "nope", 3, "", True), **run_extra))
    add("check_claim", P, pc("check_claim"), lambda f: dict(claim=f_()["claim"], budget="smoke", use_cache=False),
        dict(budget=BUDGET), dict(claim=CLAIM, **run_extra))
    add("check", P, pc("check"),
        lambda f: dict(claim=f_()["claim"], learner=toy_mean, budget="smoke", seed=0, use_cache=False),
        dict(budget=BUDGET, **run_opts),
        dict(claim=_both(CLAIM, _replace("unknown", "NOPE-9", "")), learner=LEARNER, **run_extra))
    add("precompute_cells", P, pc("precompute_cells"),
        lambda f: dict(runs=[(f_()["sweep"], None, 0)], budget="smoke", jobs=1, cache_dir=f_()["tmp"]),
        dict(budget=BUDGET),
        # (a real sweep with a bad learner or seed in its triple: tests/proofs_check/test_backends.py)
        dict(runs=_replace("wrong_object", "x", None, 3, [None], [(None, None, 0)], [("toy", None, 0)], [(1, 2)]),
             **{k: v for k, v in run_extra.items() if k != "seed"}))
    add("claim_runs", P, pc("claim_runs"), lambda f: dict(claims=[f_()["claim"]], learner=None, seeds=(0, 1)),
        extra=dict(claims=_replace("wrong_object", None, 3, "LCB-M1", [None], ["LCB-M1"]), learner=LEARNER,
                   seeds=_replace("wrong_object", None, 3, "12", [-1], [True], [1.5], [2**63])))
    add("calibrate", P, pc("calibrate"),
        lambda f: dict(claims=[f_()["claim"]], budget="smoke", seeds=2, use_cache=False),
        dict(budget=BUDGET),
        dict(claims=_replace("wrong_object", 3, "NOPE-9", [3], [None], [len]),
             seeds=_replace("wrong_type", True, "2", 2.5, None, 0, -1, [-1], [1, 1], 2**62, [NAN]),
             on_result=_replace("wrong_type", 3, "x"), **run_extra))

    # ------------------------------------------------------------ calibration
    C = "proofs_check.calibration"
    add("calibrate", C, pc("calibrate", C), lambda f: dict(claims=[f_()["claim"]], budget="smoke", seeds=2,
                                                          use_cache=False),
        dict(budget=BUDGET), dict(seeds=_replace("wrong_type", True, "2", 2.5, None, 0, -1, 2**62)))
    add("clopper_pearson", C, pc("clopper_pearson", C), lambda f: dict(successes=3, trials=10, confidence=0.95),
        dict(successes=Arg("nonneg_size"), trials=Arg("size"), confidence=CONFIDENCE),
        dict(successes=_replace("out_of_range", 11)))
    add("calibration_seeds", C, pc("calibration_seeds", C), lambda f: dict(seeds=3),
        extra=dict(seeds=_replace("wrong_type", True, False, "3", 2.5, None, 0, -1, [-1], [1, 1], [1.5], [True],
                                  2**62, 10**30, [2**70], NAN, INF)))
    add("suite_passes", C, pc("suite_passes", C), lambda f: dict(results=f_()["calibration"]),
        extra=dict(results=RESULTS))
    add("calibration_document", C, pc("calibration_document", C),
        lambda f: dict(results=f_()["calibration"], header=f_()["header"]),
        extra=dict(results=RESULTS, header=HEADER))
    add("calibration_table", C, pc("calibration_table", C), lambda f: dict(results=f_()["calibration"]),
        extra=dict(results=RESULTS))
    add("merge_calibration_documents", C, pc("merge_calibration_documents", C),
        lambda f: dict(documents=[f_()["cal_doc"]], header=None),
        extra=dict(documents=_replace("wrong_object", None, 3, "x", [], [None], [3], [{}], [{"claims": 3}]),
                   header=_replace("wrong_object", 3, "x", [1, 2])))

    # ------------------------------------------------------------ search
    S = "proofs_check.search"
    add("search", S, pc("search", S), lambda f: dict(claim_id="LCB-C3", max_examples=1, seed=0, level=0.05, ci=False),
        dict(level=CONFIDENCE, ci=FLAG),
        dict(seed=SEED63, claim_id=_replace("unknown", "NOPE-9", "", 3, None, "LCB-M1"),
             max_examples=_both(_replace("wrong_type", True, "1", 1.5), _replace("out_of_range", 0, -1),
                                _replace("huge", 2**62, 10**30)),
             learner=LEARNER, mutant=_replace("unknown", "nope", 3, ""), on_example=_replace("wrong_type", 3, "x")))
    doc_edits = _dict_edits(("drop", "claim"), ("drop", "parameters"), ("set", "claim", "NOPE-9"),
                            ("set", "claim", 3), ("set", "parameters", None), ("set", "parameters", 3),
                            ("set", "parameters", {}), ("set", "learner", "mutant:nope"), ("set", "learner", 3),
                            ("set", "seed", "x"), ("set", "seed", -1), ("set", "seed", NAN))
    not_a_doc = _replace("wrong_object", None, 3, "x", [1])
    add("load_instance", S, pc("load_instance", S), lambda f: dict(document=f_()["document"]),
        extra=dict(document=_both(not_a_doc, _dict_edits(("drop", "claim"), ("drop", "parameters"),
                                                         ("set", "claim", "NOPE-9"), ("set", "claim", 3),
                                                         ("set", "parameters", None), ("set", "parameters", 3),
                                                         ("set", "parameters", {})))))
    add("replay", S, pc("replay", S), lambda f: dict(document=f_()["document"], learner=None),
        extra=dict(document=_both(not_a_doc, doc_edits), learner=LEARNER))
    add("get_property", S, pc("get_property", S), lambda f: dict(claim_id="LCB-C3"),
        extra=dict(claim_id=_replace("unknown", "NOPE-9", "", 3, None, "LCB-M1")))
    add("register_property", S, _register_property, lambda f: dict(prop=_property_copy()),
        extra=dict(prop=_replace("wrong_object", 3, "x", (1, 2))), )
    add("binomial_trial", S, pc("binomial_trial", S), lambda f: dict(violations=1, n_runs=10, delta=0.1, label="v"),
        dict(violations=Arg("nonneg_size"), n_runs=Arg("size"), delta=Arg("real", low=0.0, high=1.0)),
        dict(violations=_replace("out_of_range", 11), label=TEXT,
             details=_replace("wrong_type", 3, "x", [1])))
    add("mean_bound_trial", S, pc("mean_bound_trial", S),
        lambda f: dict(values=np.array([0.1, 0.2, 0.3]), bound=0.5, value_range=1.0, label="m"),
        dict(values=Arg("real_array", shapes=("extra_axis", "empty", "scalar")), bound=Arg("real"),
             value_range=Arg("real", low=0.0)),
        dict(values=_replace("out_of_range", [0.1, 2.0, 0.3], [-0.1, 0.2]), label=TEXT,
             details=_replace("wrong_type", 3, "x", [1])))

    # ------------------------------------------------------------ experiments.report
    R = "experiments.report"
    add("verify_claim", R, pc("verify_claim", R),
        lambda f: dict(claim=f_()["claim"], budget="smoke", learner=None, use_cache=False),
        dict(budget=BUDGET), dict(claim=CLAIM, learner=LEARNER))
    add("verify_claims", R, pc("verify_claims", R),
        lambda f: dict(claims=[f_()["claim"]], budget="smoke", progress=False, use_cache=False),
        dict(budget=BUDGET),
        dict(claims=_replace("wrong_object", None, 3, "x", [3], [None], [len]), learner=LEARNER,
             on_result=_replace("wrong_type", 3, "x"), progress=_replace("wrong_type", "yes", 2, None)))
    add("run_header", R, pc("run_header", R), lambda f: dict(budget="smoke", seed=0, seconds=1.5),
        dict(seconds=Arg("real", low=0.0, open_low=False, optional=True)),
        dict(seed=SEED63, budget=_replace("wrong_type", None, 3, "", b"smoke", ["smoke"])))
    add("results_table", R, pc("results_table", R), lambda f: dict(results=[f_()["result"]]),
        extra=dict(results=RESULTS))
    add("evidence_document", R, pc("evidence_document", R),
        lambda f: dict(results=[f_()["result"]], header=f_()["header"], figures=None, with_rows=False),
        dict(with_rows=FLAG),
        dict(results=RESULTS, header=HEADER, figures=_replace("wrong_object", 3, "x", [3], [None], {"a": 1})))
    add("write_json", R, pc("write_json", R),
        lambda f: dict(path=f_()["tmp"] / "doc.json", document={"a": 1}),
        extra=dict(path=PATH_ARG, document=_replace("wrong_object", None, 3, "x", [1], {"a": object()})))
    add("calibration_markdown", R, pc("calibration_markdown", R), lambda f: dict(calibration=f_()["cal_doc"]),
        extra=dict(calibration=_replace("wrong_object", None, 3, "x", [1], {}, {"claims": 3}, {"claims": [3]})))
    add("search_markdown", R, pc("search_markdown", R), lambda f: dict(searches=[f_()["search"]], results=()),
        extra=dict(searches=_replace("wrong_object", None, 3, "x", [3], [None], [{}], {"a": 1}),
                   results=RESULTS))
    add("report_markdown", R, pc("report_markdown", R),
        lambda f: dict(results=[f_()["result"]], header=f_()["header"], figures=(), calibration=None, searches=None),
        extra=dict(results=RESULTS, header=HEADER, figures=_replace("wrong_object", 3, "x", [3], [None]),
                   calibration=_replace("wrong_object", 3, "x", [1], {"claims": 3}),
                   searches=_replace("wrong_object", 3, "x", [3], [None])))
    add("write_report", R, pc("write_report", R),
        lambda f: dict(path=f_()["tmp"] / "report.md", results=[f_()["result"]], header=f_()["header"]),
        extra=dict(path=PATH_ARG, results=RESULTS, header=HEADER))

    # ------------------------------------------------------------ experiments.figures
    F = "experiments.figures"
    add("register_figure", F, lambda **kw: _register_figure_then_remove(**kw), lambda f: dict(figure=f_()["figure"]),
        extra=dict(figure=FIGURE))
    add("unregister_figure", F, lambda **kw: _unregister_figure(**kw), lambda f: dict(figure=f_()["figure"]),
        extra=dict(figure=_both(FIGURE, _replace("unknown", "NOPE-FIG", ""))))
    add("registered_figures", F, lambda **kw: _enter(pc("registered_figures", F), kw["figures"]),
        lambda f: dict(figures=(f_()["figure"],)),
        extra=dict(figures=_replace("wrong_object", (None,), (3,), ("x",), (len,), ((1, 2),))))
    add("select_figures", F, pc("select_figures", F), lambda f: dict(patterns=None), extra=dict(patterns=PATTERNS))
    add("write_csv", F, pc("write_csv", F), lambda f: dict(rows=[{"a": 1, "b": 2.0}], path=f_()["tmp"] / "r.csv"),
        extra=dict(rows=_replace("wrong_object", None, 3, "x", [3], [None], [[1, 2]], {"a": 1}), path=PATH_ARG))
    add("figure_data", F, pc("figure_data", F), lambda f: dict(figure=f_()["figure"], budget="smoke", use_cache=False),
        dict(budget=BUDGET), dict(figure=FIGURE))
    add("make_figure", F, pc("make_figure", F),
        lambda f: dict(figure=f_()["figure"], budget="smoke", output_dir=f_()["tmp"], use_cache=False),
        dict(budget=BUDGET), dict(figure=FIGURE, output_dir=_replace("wrong_type", 3, 0.5, ["x"], b"\0", "")))

    # ------------------------------------------------------------ experiments.plotting
    G = "experiments.plotting"
    add("rate_panel", G, pc("rate_panel", G),
        lambda f: dict(ax=f_()["ax"], x=x5, mean=1 / np.sqrt(x5), lower=0.5 / np.sqrt(x5), upper=2 / np.sqrt(x5),
                       label="m", fit=True),
        dict(x=Arg("real_array", shapes=("extra_axis", "truncate", "empty", "scalar")), fit=FLAG),
        # (a NaN or inf mean is drawn as a gap; a negative one is drawn without a fitted slope)
        dict(ax=_replace("wrong_object", None, 3, "x"), x=_replace("out_of_range", -x5, np.zeros(5)),
             mean=_array_extra(shapes=("extra_axis", "truncate", "empty", "scalar")),
             lower=_array_extra(types=NOT_NONE, shapes=("extra_axis", "truncate", "empty", "scalar")),
             upper=_array_extra(types=NOT_NONE, shapes=("extra_axis", "truncate", "empty", "scalar")), label=TEXT))
    add("reference_line", G, pc("reference_line", G),
        lambda f: dict(ax=f_()["ax"], x=x5, exponent=-0.5, anchor=0.25, label="ref"),
        dict(x=Arg("real_array", shapes=("extra_axis", "empty", "scalar")), exponent=Arg("real"),
             anchor=Arg("real", low=0.0)),
        dict(ax=_replace("wrong_object", None, 3, "x"), x=_replace("out_of_range", -x5, np.zeros(5)),
             label=_replace("wrong_type", 3, b"x", ["x"], 0.5)))
    add("mean_interval", G, pc("mean_interval", G), lambda f: dict(values=np.ones((4, 3)), confidence=0.95),
        dict(confidence=CONFIDENCE),
        # (NaN replicates give a NaN mean, drawn as a gap; bools are success rates; more axes are valid)
        dict(values=_array_extra(shapes=("empty", "scalar"))))
    add("mean_interval[z]", G, pc("mean_interval", G), lambda f: dict(values=np.ones((4, 3)), confidence_z=1.96),
        dict(confidence_z=Arg("real", low=0.0, optional=True)))
    # The runner options (jobs, backend, use_cache, progress, cache_dir) are validated in
    # proofs_check.framework.run_sweep: fuzzed through the report and the figures here.
    add("verify_claim[runner]", R, pc("verify_claim", R),
        lambda f: dict(claim=f_()["claim"], budget="smoke", learner=None, use_cache=False), extra=run_extra)
    add("figure_data[runner]", F, pc("figure_data", F),
        lambda f: dict(figure=f_()["figure"], budget="smoke", use_cache=False), extra=run_extra)
    return E


#: Entries whose bad inputs are not all rejected yet: the fix belongs to proofs_check/framework.py
#: or proofs_check/search/__init__.py (outside this file's scope; see issue 15). They run, and are
#: marked xfail (non-strict) so that the default run passes; remove an entry once fixed.
KNOWN_FAILURES: dict = {}


def f_() -> dict:
    return fx()


def _property_copy():
    import dataclasses

    from proofs_check.search import get_property

    return dataclasses.replace(get_property("LCB-C3"))


def _register_property(prop):
    """Register ``prop`` in place of LCB-C3's property, then put the original back."""
    from proofs_check import search as se

    saved = se.get_property("LCB-C3")
    se._PROPERTIES.pop("LCB-C3")
    try:
        return se.register_property(prop)
    finally:
        se._PROPERTIES["LCB-C3"] = saved


def _enter(context, items):
    with context(*items):
        pass


def _register_then(unregister, claim):
    from proofs_check import register

    if hasattr(claim, "id") and claim.id == "FUZZ-1":
        register(claim)
    return unregister(claim=claim)


def _register_figure_then_remove(figure):
    from experiments.figures import register_figure, unregister_figure

    out = register_figure(figure=figure)
    unregister_figure(figure)
    return out


def _unregister_figure(figure):
    from experiments.figures import register_figure, unregister_figure

    if figure is fx()["figure"]:
        register_figure(figure)
    return unregister_figure(figure=figure)


ENTRIES = _entries()
core.ENTRIES.update(ENTRIES)

_CONST = "a constant, not a callable"
_CLASS = "a class (a result container, a protocol record or an exception), not a function"
_NOARGS = "takes no argument"
PACKAGES = {
    "proofs_check": {"BACKENDS": _CONST, "BUDGETS": _CONST, "KINDS": _CONST, "CalibrationResult": _CLASS,
                     "Claim": _CLASS, "Evidence": _CLASS, "LearnerProtocol": _CLASS, "Mutant": _CLASS,
                     "SelectionError": _CLASS, "Sweep": _CLASS, "Verdict": _CLASS, "all_claims": _NOARGS,
                     "default_cache_dir": _NOARGS},
    "proofs_check.statistics": {"BOUND_TEST_LEVEL": _CONST, "N_BOOTSTRAP": _CONST, "MAX_RATE_TOLERANCE": _CONST,
                                "MIN_RATE_BLOCKS": _CONST, "Verdict": _CLASS},
    "proofs_check.calibration": {"CONFIDENCE": _CONST, "CalibrationResult": _CLASS},
    "proofs_check.search": {"Trial": _CLASS, "BoundProperty": _CLASS, "SearchResult": _CLASS, "OutsideClass": _CLASS,
                            "all_properties": _NOARGS, "PAPER_SEARCH_MODULES": _CONST},
    "experiments.report": {"MutantResult": _CLASS, "ClaimResult": _CLASS, "package_versions": _NOARGS},
    "experiments.figures": {"Figure": _CLASS, "all_figures": _NOARGS},
    "experiments.plotting": {},
}


# ================================================================================================
# The tests.
# ================================================================================================

def _script() -> Path:
    return _HERE


if __name__ != "__main__":
    import pytest

    def test_every_public_name_has_an_entry():
        covered = {f"{e.package}.{name}" for key, e in ENTRIES.items() for name in e.covers}
        missing = [f"{package}.{name}" for package, exempt in PACKAGES.items()
                   for name in importlib.import_module(package).__all__
                   if f"{package}.{name}" not in covered and name not in exempt]
        assert not missing, f"public names without a fuzz entry: {missing}"

    @pytest.fixture(scope="module")
    def default_run():
        cases = core.draw_cases(list(ENTRIES), DEFAULT_EXAMPLES)
        return cases, core.run_batch(cases, script=_script())

    def _params():
        return [pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_FAILURES[name], strict=False))
                if name in KNOWN_FAILURES else name for name in ENTRIES]

    @pytest.mark.parametrize("entry_name", _params())
    def test_bad_inputs_raise_and_name_the_argument(default_run, entry_name):
        cases, results = default_run
        bad = core._report(cases, results, entry_name)
        assert not bad, f"{entry_name}: {len(bad)} bad outcome(s):\n" + "\n".join(bad)

    @pytest.fixture(scope="module")
    def slow_run():
        cases = core.draw_cases(list(ENTRIES), SLOW_EXAMPLES)
        return cases, core.run_batch(cases, script=_script())

    @pytest.mark.slow
    @pytest.mark.parametrize("entry_name", _params())
    def test_bad_inputs_raise_and_name_the_argument_full(slow_run, entry_name):
        cases, results = slow_run
        bad = core._report(cases, results, entry_name)
        assert not bad, f"{entry_name}: {len(bad)} bad outcome(s):\n" + "\n".join(bad)


if __name__ == "__main__":
    import atexit
    import os
    import shutil

    # A mutated use_cache (a truthy non-bool) must not write the toy sweep into a real cache.
    _cache = tempfile.mkdtemp(prefix="fuzz_framework_cache_")
    atexit.register(shutil.rmtree, _cache, ignore_errors=True)
    os.environ["PROVABLE_RL_CACHE"] = _cache
    core._worker_main(sys.argv[1], int(sys.argv[2]))
