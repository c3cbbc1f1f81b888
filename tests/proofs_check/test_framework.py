"""The claim machinery: protocols, panels, registry, cell randomness, cache, parallel runner, evidence.

The toy claim here (also used by tests/experiments/test_cli.py) does not depend on any paper
module: the Monte-Carlo mean of N standard normals has mean absolute error sqrt(2 / (pi N)),
a rate N^-1/2. Its learner protocol is ``learner(draws) -> estimates``; its panel averages only
sqrt(N) of the samples (a rate N^-1/4), only the first sample (no rate), or adds a bias.
"""
import contextlib
import functools
import importlib
import json
import math
import sys

import numpy as np
import pytest

from proofs_check import framework
from proofs_check.framework import (
    Claim,
    Evidence,
    LearnerProtocol,
    Mutant,
    Sweep,
    cache_path,
    cell_key,
    cell_rng,
    check,
    check_claim,
    dumps_json,
    get_claim,
    isolated_registry,
    register,
    registered,
    run_claim,
    run_sweep,
    select_claims,
    unregister,
)
from proofs_check.statistics import Verdict, rate_verdict

TOY_SIZES = (16, 64, 256, 1024, 4096)
TOY_BLOCKS = {"smoke": 6, "quick": 10, "full": 40}
TOY_REPS = 16
#: Calls of toy_run_cell in this process (the serial runner), per (cell n, block).
CALLS = []


def sample_mean(draws):
    """The library's toy learner: the mean of each row of ``draws`` (R, n)."""
    return draws.mean(axis=1)


def sqrt_samples_mean(draws):
    return draws[:, :math.isqrt(draws.shape[1])].mean(axis=1)


def first_sample(draws):
    return draws[:, 0]


def biased_mean(draws, bias=0.05):
    return draws.mean(axis=1) + bias


TOY_PROTOCOL = LearnerProtocol(
    "toy.mean_estimator", "learner(draws) -> estimates",
    "draws: float array (R, n) of i.i.d. N(0, 1) samples, one row per repetition; "
    "returns float array (R,): an estimate of the mean (0) per row", default=sample_mean)

TOY_PANEL = (Mutant("sqrt_samples", sqrt_samples_mean, "averages only sqrt(N) of the N samples"),
             Mutant("first_sample", first_sample, "returns the first sample: no averaging"),
             Mutant("biased", functools.partial(biased_mean, bias=0.05), "the mean plus 0.05"))


def toy_cells(budget):
    return [{"n_samples": n, "block": k} for n in TOY_SIZES for k in range(TOY_BLOCKS[budget])]


def toy_run_cell(cell, rng, learner):
    CALLS.append((cell["n_samples"], cell["block"]))
    draws = rng.standard_normal((TOY_REPS, cell["n_samples"]))
    return [{"error": float(np.abs(learner(draws)).mean())}]


TOY_SWEEP = Sweep("toy.mc_mean", toy_cells, toy_run_cell, protocol=TOY_PROTOCOL)


def toy_analyse(rows, budget, exponent=-0.5):
    blocks = np.zeros((len(TOY_SIZES), 1, TOY_BLOCKS[budget]))
    for row in rows:
        blocks[TOY_SIZES.index(row["n_samples"]), 0, row["block"]] = row["error"]
    return rate_verdict(TOY_SIZES, blocks, exponent, 0.1)


def toy_claim(claim_id="TOY-1", name="toy.mc_mean.rate", mutants=TOY_PANEL, analyse=toy_analyse, sweep=TOY_SWEEP):
    return Claim(id=claim_id, name=name, paper="Toy 2026", theorem="Prop 1 [derived]",
                 statement="mean |error| of a Monte-Carlo mean decays as N^-1/2", kind="rate",
                 sweep=sweep, analyse=analyse, mutants=mutants)


@pytest.fixture
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


# ------------------------------------------------------------------------------------------
# The check on the toy claim can fail
# ------------------------------------------------------------------------------------------

def test_toy_claim_holds_and_its_panel_is_rejected(tmp_path):
    evidence, mutants = check_claim(toy_claim(), "smoke", cache_dir=tmp_path)
    assert evidence.holds, evidence.verdict.summary
    assert set(mutants) == {"sqrt_samples", "first_sample", "biased"}
    for name, mutant in mutants.items():
        assert not mutant.holds, f"{name}: {mutant.verdict.summary}"
        assert mutant.variant == name
    assert -0.6 < evidence.verdict.statistic < -0.4
    assert -0.35 < mutants["sqrt_samples"].verdict.statistic < -0.15
    assert evidence.variant == "algorithm"
    assert evidence.cells_computed == len(toy_cells("smoke")) and evidence.cells_cached == 0


def test_check_runs_a_users_learner_cached_or_not(tmp_path, calls):
    def my_estimator(draws):  # a closure: no stable identity, so never cached
        return np.median(draws, axis=1)

    with isolated_registry(toy_claim()):
        evidence = check("TOY-1", learner=my_estimator, budget="smoke", cache_dir=tmp_path)
        assert evidence.holds and evidence.variant.endswith("my_estimator")
        assert not check("TOY-1", learner=first_sample, budget="smoke", cache_dir=tmp_path).holds
    assert not list(tmp_path.rglob("*my_estimator*"))
    n_cells = len(toy_cells("smoke"))
    calls.clear()
    check(toy_claim(), learner=my_estimator, budget="smoke", cache_dir=tmp_path)
    assert len(calls) == n_cells  # computed again: a closure is never read from the cache
    calls.clear()
    check(toy_claim(), learner=first_sample, budget="smoke", cache_dir=tmp_path)
    assert calls == []  # a module-level function is


def test_run_claim_takes_a_mutant_by_name_or_a_learner_not_both(tmp_path):
    claim = toy_claim()
    assert run_claim(claim, "smoke", mutant="biased", cache_dir=tmp_path).variant == "biased"
    with pytest.raises(ValueError, match="no mutant 'nope'"):
        run_claim(claim, "smoke", mutant="nope", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="not both"):
        run_claim(claim, "smoke", mutant="biased", learner=first_sample, cache_dir=tmp_path)
    with pytest.raises(TypeError, match="learner"):
        run_sweep(TOY_SWEEP, "smoke", learner="sample_mean", use_cache=False)


def test_wrong_exponent_is_rejected_on_the_algorithm(tmp_path):
    evidence = run_claim(toy_claim(analyse=lambda rows, b: toy_analyse(rows, b, exponent=-1.0)), "smoke",
                         cache_dir=tmp_path)
    assert not evidence.holds


# ------------------------------------------------------------------------------------------
# Same results whatever the jobs, the cache, the order
# ------------------------------------------------------------------------------------------

def test_rows_are_identical_for_one_and_two_loky_jobs():
    serial = run_sweep(TOY_SWEEP, "smoke", learner=TOY_PANEL[2].learner, seed=3, jobs=1, use_cache=False)
    parallel = run_sweep(TOY_SWEEP, "smoke", learner=TOY_PANEL[2].learner, seed=3, jobs=2, backend="loky",
                         use_cache=False)
    assert serial == parallel
    assert [(r["n_samples"], r["block"]) for r in serial] == [(c["n_samples"], c["block"])
                                                              for c in toy_cells("smoke")]


def test_rows_are_identical_with_and_without_cache(tmp_path, calls):
    fresh = run_sweep(TOY_SWEEP, "smoke", use_cache=False)
    first = run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path)
    n_cells = len(toy_cells("smoke"))
    assert len(calls) == 2 * n_cells
    again = run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path)
    assert len(calls) == 2 * n_cells  # a re-run reads every cell from disk
    assert fresh == first == again
    assert len(list(tmp_path.rglob("*.json"))) == n_cells


def test_interrupted_run_resumes_computing_only_missing_cells(tmp_path, calls):
    rows = run_sweep(TOY_SWEEP, "smoke", seed=5, cache_dir=tmp_path)
    cells = toy_cells("smoke")
    removed = [cells[1], cells[7], cells[-1]]
    for cell in removed:
        cache_path(TOY_SWEEP, "smoke", cell, seed=5, cache_dir=tmp_path).unlink()
    calls.clear()
    again = run_sweep(TOY_SWEEP, "smoke", seed=5, cache_dir=tmp_path)
    assert again == rows
    assert sorted(calls) == sorted((c["n_samples"], c["block"]) for c in removed)


_CRASH_AT = []


def _crashing_run_cell(cell, rng, learner):
    if (cell["n_samples"], cell["block"]) in _CRASH_AT:
        raise KeyboardInterrupt  # as if the user stopped the run here
    return toy_run_cell(cell, rng, learner)


def test_a_run_stopped_midway_keeps_finished_cells(tmp_path, calls):
    sweep = Sweep(TOY_SWEEP.name, toy_cells, _crashing_run_cell, protocol=TOY_PROTOCOL)
    cells = toy_cells("smoke")
    _CRASH_AT[:] = [(cells[10]["n_samples"], cells[10]["block"])]
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(sweep, "smoke", cache_dir=tmp_path)
    finally:
        _CRASH_AT.clear()
    assert len(calls) == 10 and len(list(tmp_path.rglob("*.json"))) == 10
    calls.clear()
    rows = run_sweep(sweep, "smoke", cache_dir=tmp_path)
    assert sorted(calls) == sorted((c["n_samples"], c["block"]) for c in cells[10:])
    assert rows == run_sweep(TOY_SWEEP, "smoke", use_cache=False)


def test_torn_cache_file_is_recomputed(tmp_path, calls):
    rows = run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path)
    cell = toy_cells("smoke")[4]
    path = cache_path(TOY_SWEEP, "smoke", cell, cache_dir=tmp_path)
    path.write_text(path.read_text()[: len(path.read_text()) // 2])  # as if killed mid-write
    other_cell = toy_cells("smoke")[9]
    other = cache_path(TOY_SWEEP, "smoke", other_cell, cache_dir=tmp_path)
    other.write_text('{"not": "a list of rows"}')
    calls.clear()
    assert run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path) == rows
    assert sorted(calls) == sorted([(cell["n_samples"], cell["block"]),
                                    (other_cell["n_samples"], other_cell["block"])])
    assert json.loads(path.read_text())["rows"] == [rows[4]]


@pytest.mark.parametrize("corrupt", ["empty_list", "empty_rows", "other_cell", "short", "old_format", "other_key"])
def test_a_readable_but_wrong_cache_file_is_recomputed(tmp_path, calls, corrupt):
    rows = run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path)
    cells = toy_cells("smoke")
    path = cache_path(TOY_SWEEP, "smoke", cells[3], cache_dir=tmp_path)
    other = cache_path(TOY_SWEEP, "smoke", cells[8], cache_dir=tmp_path)
    document = json.loads(path.read_text())
    if corrupt == "empty_list":
        path.write_text("[]")
    elif corrupt == "empty_rows":
        path.write_text(json.dumps({**document, "rows": [], "n_rows": 0}))
    elif corrupt == "other_cell":  # another cell's whole file copied over this one
        path.write_text(other.read_text())
    elif corrupt == "short":
        path.write_text(json.dumps({**document, "n_rows": 2}))
    elif corrupt == "old_format":  # a bare list of rows, as written before keys were recorded
        path.write_text(json.dumps(document["rows"]))
    else:  # the right rows under another key (another seed's file)
        path.write_text(json.dumps({**document, "key": {**document["key"], "seed": 9}}))
    calls.clear()
    assert run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path) == rows
    assert calls == [(cells[3]["n_samples"], cells[3]["block"])]


def test_a_cell_without_rows_is_an_error(tmp_path):
    def no_rows_for_one_cell(cell, rng, learner):
        return [] if cell["n_samples"] == 64 and cell["block"] == 2 else toy_run_cell(cell, rng, learner)

    sweep = Sweep("toy.holes", toy_cells, no_rows_for_one_cell, protocol=TOY_PROTOCOL)
    with pytest.raises(ValueError, match="no rows"):
        run_claim(toy_claim(sweep=sweep), "smoke", cache_dir=tmp_path)


TOY_ALGO_SOURCE = """
import numpy as np

SCALE = {scale}


def estimate(draws):
    return draws.mean(axis=1) * SCALE
"""


@contextlib.contextmanager
def _user_module(tmp_path, monkeypatch, name):
    """A researcher's module ``name`` (TOY_ALGO_SOURCE, SCALE 1) in its own folder on sys.path: (module, its path)."""
    package = tmp_path / f"pkg_{name}"
    package.mkdir()
    module_path = package / f"{name}.py"
    module_path.write_text(TOY_ALGO_SOURCE.format(scale=1.0))
    monkeypatch.syspath_prepend(str(package))
    try:
        yield importlib.import_module(name), module_path
    finally:
        sys.modules.pop(name, None)


def test_editing_the_learners_code_invalidates_its_cache(tmp_path, calls, monkeypatch):
    # The scenario of a stale verdict: the algorithm is edited, the cached cells must not be served.
    with _user_module(tmp_path, monkeypatch, "toy_user_algo") as (module, module_path):
        cache = tmp_path / "cache"
        first = run_sweep(TOY_SWEEP, "smoke", learner=module.estimate, cache_dir=cache)
        calls.clear()
        assert run_sweep(TOY_SWEEP, "smoke", learner=module.estimate, cache_dir=cache) == first
        assert calls == []
        module_path.write_text(TOY_ALGO_SOURCE.format(scale=3.0))
        module = importlib.reload(module)
        edited = run_sweep(TOY_SWEEP, "smoke", learner=module.estimate, cache_dir=cache)
        assert len(calls) == len(toy_cells("smoke"))
        assert edited[0]["error"] == pytest.approx(3 * first[0]["error"])


def test_a_file_edited_during_a_run_keeps_the_key_of_the_code_that_runs(tmp_path, monkeypatch):
    # A process that imported the old code and keeps computing after the file is edited must not
    # store its (old) cells under the new code's key; a reload brings the new key.
    from proofs_check.framework import code_fingerprint

    with _user_module(tmp_path, monkeypatch, "toy_user_algo2") as (module, module_path):
        loaded = code_fingerprint(module.estimate)
        module_path.write_text(TOY_ALGO_SOURCE.format(scale=5.0))
        assert code_fingerprint(module.estimate) == loaded
        module = importlib.reload(module)
        assert code_fingerprint(module.estimate) != loaded


def test_a_fingerprint_batch_computes_each_fingerprint_once_and_only_inside(tmp_path, monkeypatch):
    # One command runs one version of the code: inside a batch a reload does not change the
    # fingerprint (it is memoised); after the batch the walk runs again and sees the new code.
    from proofs_check.framework import code_fingerprint, fingerprint_batch

    with _user_module(tmp_path, monkeypatch, "toy_user_algo3") as (module, module_path):
        with fingerprint_batch():
            loaded = code_fingerprint(module.estimate)
            module_path.write_text(TOY_ALGO_SOURCE.format(scale=5.0))
            module = importlib.reload(module)
            with fingerprint_batch():  # nested: the outer batch's memo
                assert code_fingerprint(module.estimate) == loaded
            assert code_fingerprint(module.estimate) == loaded
        assert code_fingerprint(module.estimate) != loaded


def test_calibrate_with_a_pool_gives_the_verdicts_of_one_process(tmp_path):
    # The next claim's cells run in the pool while this process checks the current claim.
    from proofs_check.calibration import calibrate

    claims = ["LCB-C3", "LCB-M4"]  # registry order, which the selection keeps
    pooled = calibrate(claims, "smoke", seeds=2, jobs=2, cache_dir=tmp_path)
    serial = calibrate(claims, "smoke", seeds=2, use_cache=False)
    assert [r.claim.id for r in pooled] == claims
    assert [(r.holds, r.rejected) for r in pooled] == [(r.holds, r.rejected) for r in serial]
    assert all(any(flags) for r in pooled for flags in r.rejected.values())


def test_the_fingerprint_covers_the_algorithm_and_mdps_modules_a_sweep_reaches():
    import proofs_check.lcb  # noqa: F401

    modules = framework.module_closure("proofs_check.lcb")
    for name in ("proofs_check.lcb", "provable_rl.lcb", "mdps.core", "mdps.sampling", "mdps.instances.lcb"):
        assert name in modules, name
    assert "numpy" not in modules and "provable_rl.hnpg" not in modules


def test_cache_clear_removes_cached_cells(tmp_path):
    run_sweep(TOY_SWEEP, "smoke", cache_dir=tmp_path)
    assert framework.clear_cache(tmp_path) == len(toy_cells("smoke"))
    assert not list(tmp_path.rglob("*.json"))
    assert framework.clear_cache(tmp_path / "missing") == 0


def test_cache_separates_seed_learner_budget_and_version(tmp_path):
    cell = toy_cells("smoke")[0]
    paths = {cache_path(TOY_SWEEP, "smoke", cell, cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "smoke", cell, seed=1, cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "smoke", cell, learner=sqrt_samples_mean, cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "smoke", cell, learner=functools.partial(biased_mean, bias=0.1),
                        cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "smoke", cell, learner=functools.partial(biased_mean, bias=0.2),
                        cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "quick", cell, cache_dir=tmp_path),
             cache_path(Sweep(TOY_SWEEP.name, toy_cells, toy_run_cell, protocol=TOY_PROTOCOL, version=2), "smoke",
                        cell, cache_dir=tmp_path)}
    assert len(paths) == 7
    assert cache_path(TOY_SWEEP, "smoke", cell, learner=lambda d: d.mean(axis=1), cache_dir=tmp_path) is None


def test_default_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PROVABLE_RL_CACHE", str(tmp_path / "env_cache"))
    run_sweep(TOY_SWEEP, "smoke")
    assert len(list((tmp_path / "env_cache" / TOY_SWEEP.name / "smoke").glob("*.json"))) == len(toy_cells("smoke"))


def test_cell_rng_depends_only_on_seed_sweep_and_cell():
    def draw(seed, sweep, cell):
        return cell_rng(seed, sweep, cell).random(4).tolist()

    cell = {"n_samples": 16, "block": 2}
    assert draw(0, TOY_SWEEP, cell) == draw(0, TOY_SWEEP, {"block": 2, "n_samples": 16})
    assert draw(0, TOY_SWEEP, cell) == draw(0, TOY_SWEEP, {"block": np.int64(2), "n_samples": 16})
    assert draw(0, TOY_SWEEP, cell) != draw(1, TOY_SWEEP, cell)
    assert draw(0, TOY_SWEEP, cell) != draw(0, TOY_SWEEP, {"n_samples": 16, "block": 3})
    renamed = Sweep("toy.other", toy_cells, toy_run_cell, protocol=TOY_PROTOCOL)
    assert draw(0, TOY_SWEEP, cell) != draw(0, renamed, cell)
    assert cell_key(TOY_SWEEP, cell) == cell_key(TOY_SWEEP, {"block": 2, "n_samples": 16})


def test_rows_do_not_depend_on_cell_order():
    reversed_sweep = Sweep(TOY_SWEEP.name, lambda b: toy_cells(b)[::-1], toy_run_cell, protocol=TOY_PROTOCOL)
    forward = run_sweep(TOY_SWEEP, "smoke", use_cache=False)
    backward = run_sweep(reversed_sweep, "smoke", use_cache=False)
    assert backward == forward[::-1]


def test_dask_backend_gives_the_same_rows(tmp_path):
    # The LocalCluster the framework starts itself (2 worker processes), closed here rather than
    # at exit. A cluster given by its address: tests/proofs_check/test_backends.py.
    pytest.importorskip("distributed")
    serial = run_sweep(TOY_SWEEP, "smoke", use_cache=False)
    try:
        assert run_sweep(TOY_SWEEP, "smoke", jobs=2, backend="dask", use_cache=False) == serial
    finally:
        framework._close_local_cluster()


def test_progress_bar_does_not_change_rows(capsys):
    assert run_sweep(TOY_SWEEP, "smoke", use_cache=False, progress=True) == run_sweep(
        TOY_SWEEP, "smoke", use_cache=False)


# ------------------------------------------------------------------------------------------
# Rows and JSON
# ------------------------------------------------------------------------------------------

def _odd_rows(cell, rng, learner):
    return [{"big": np.float64(np.inf), "nan": float("nan"), "count": np.int32(3), "flag": np.bool_(True),
             "pair": (1, 2), "vector": np.arange(2)}]


def test_numpy_rows_become_plain_python_and_survive_the_cache(tmp_path):
    sweep = Sweep("toy.odd", lambda b: [{"k": 0}], _odd_rows, protocol=TOY_PROTOCOL)
    fresh, = run_sweep(sweep, "smoke", cache_dir=tmp_path)
    cached, = run_sweep(sweep, "smoke", cache_dir=tmp_path)
    for row in (fresh, cached):
        assert row["big"] == math.inf and math.isnan(row["nan"])
        assert type(row["count"]) is int and row["flag"] is True
        assert row["pair"] == [1, 2] and row["vector"] == [0, 1]


def test_dumps_json_is_strict_json_with_numpy_inf_and_nan():
    text = dumps_json({"a": np.float32(1.5), "b": np.inf, "c": [np.nan, -np.inf], "d": np.arange(2),
                       "e": (np.bool_(False),), 3: object})
    data = json.loads(text)  # would also parse Infinity, so check the text itself
    assert "Infinity" not in text and "NaN" not in text
    assert data == {"a": 1.5, "b": "inf", "c": ["nan", "-inf"], "d": [0, 1], "e": [False],
                    "3": str(object)}


def test_evidence_to_dict_is_strict_json():
    verdict = Verdict(False, float("nan"), (np.float64(-np.inf), 1.0), "s", {"x": np.arange(3)})
    evidence = Evidence("TOY-1", "mutant", "smoke", verdict, [{"a": 1}], 0.5, 1, 2)
    out = evidence.to_dict(with_rows=True)
    assert json.loads(json.dumps(out, allow_nan=False))["interval"] == ["-inf", 1.0]
    assert out["rows"] == [{"a": 1}] and out["cells_computed"] == 1 and out["cells_cached"] == 2


# ------------------------------------------------------------------------------------------
# Registry
# ------------------------------------------------------------------------------------------

def test_register_unregister_and_context_managers():
    claim = toy_claim("TOY-REG-1", "toy.reg")
    with isolated_registry(), registered(claim):
        assert get_claim("TOY-REG-1") is claim
        assert claim in select_claims(["TOY-REG-*"])
        assert select_claims(["toy.reg"]) == [claim]
    with pytest.raises(ValueError, match="no claim 'TOY-REG-1'"):
        get_claim("TOY-REG-1")
    with isolated_registry():
        register(claim)
        assert unregister("TOY-REG-1") is claim
        with pytest.raises(ValueError, match="no registered claim"):
            unregister(claim)


def test_isolated_registry_holds_only_its_claims():
    outside = toy_claim("TOY-OUT", "toy.out")
    with isolated_registry(), registered(outside):
        with isolated_registry(toy_claim("TOY-IN", "toy.in")):
            assert [c.id for c in framework.all_claims()] == ["TOY-IN"]
            assert framework.paper_modules() == ()
        assert framework.paper_modules() == ()  # still inside the outer isolated registry
        assert get_claim("TOY-OUT") is outside
    assert framework.paper_modules() == framework.CLAIM_MODULES


def test_same_id_with_another_name_is_an_error_and_reimport_replaces():
    with isolated_registry(toy_claim("TOY-DUP", "toy.dup")):
        with pytest.raises(ValueError, match="registered twice"):
            register(toy_claim("TOY-DUP", "toy.other_name"))
        again = register(toy_claim("TOY-DUP", "toy.dup"))  # as after importlib.reload
        assert get_claim("TOY-DUP") is again


def test_claims_sort_by_paper_module_then_natural_id():
    ids = ["LCB-C10", "LCB-C2", "DUAL-D1", "LCB-C1b", "LCB-C1"]
    claims = [toy_claim(i, f"{'dual_rl' if i.startswith('DUAL') else 'lcb'}.{i.lower()}") for i in ids]
    extra = toy_claim("AAA-1", "zzz_user.claim")
    with isolated_registry(*claims, extra):
        assert [c.id for c in framework.all_claims()] == ["LCB-C1", "LCB-C1b", "LCB-C2", "LCB-C10",
                                                          "DUAL-D1", "AAA-1"]
        assert [c.id for c in select_claims(["LCB-C1*"])] == ["LCB-C1", "LCB-C1b", "LCB-C10"]
        with pytest.raises(ValueError, match="no claim matches"):
            select_claims(["NOPE-*"])


def test_claim_sweep_mutant_and_protocol_validate_their_fields():
    args = ("X-1", "x.y", "p", "t", "s")
    with pytest.raises(ValueError, match="kind"):
        Claim(*args, "slope", TOY_SWEEP, toy_analyse, TOY_PANEL)
    with pytest.raises(ValueError, match="mutants"):
        Claim(*args, "rate", TOY_SWEEP, toy_analyse, ())
    with pytest.raises(ValueError, match="mutants"):
        Claim(*args, "rate", TOY_SWEEP, toy_analyse, ("sqrt_samples",))
    with pytest.raises(ValueError, match="panel_note"):
        Claim(*args, "rate", TOY_SWEEP, toy_analyse, TOY_PANEL[:2])
    assert Claim(*args, "rate", TOY_SWEEP, toy_analyse, TOY_PANEL[:1], panel_note="only one way").mutants == TOY_PANEL[:1]
    with pytest.raises(ValueError, match="same name"):
        Claim(*args, "rate", TOY_SWEEP, toy_analyse, TOY_PANEL + TOY_PANEL[:1])
    with pytest.raises(TypeError, match="sweep"):
        Claim(*args, "rate", "toy.mc_mean", toy_analyse, TOY_PANEL)
    with pytest.raises(TypeError, match="analyse"):
        Claim(*args, "rate", TOY_SWEEP, None, TOY_PANEL)
    with pytest.raises(ValueError, match="name"):
        Sweep("a/b", toy_cells, toy_run_cell, protocol=TOY_PROTOCOL)
    with pytest.raises(TypeError, match="run_cell"):
        Sweep("a", toy_cells, None, protocol=TOY_PROTOCOL)
    with pytest.raises(TypeError, match="protocol"):
        Sweep("a", toy_cells, toy_run_cell, protocol="learner(draws)")
    with pytest.raises(TypeError, match="learner"):
        Mutant("m", "not callable", "d")
    with pytest.raises(ValueError, match="description"):
        Mutant("m", first_sample, "")
    with pytest.raises(ValueError, match="name"):
        Mutant("two words", first_sample, "d")
    with pytest.raises(TypeError, match="default"):
        LearnerProtocol("a.b", "learner()", "text", default=None)
    with pytest.raises(TypeError, match="Claim"):
        register("TOY-1")
    claim = toy_claim()
    assert claim.protocol is TOY_PROTOCOL and claim.learner is sample_mean
    assert claim.get_mutant("biased") is TOY_PANEL[2]


# ------------------------------------------------------------------------------------------
# Bad input to the runner
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("options, match", [
    ({"budget": "huge"}, "budget"),
    ({"backend": "spark"}, "backend"),
    ({"jobs": 0}, "jobs"),
    ({"jobs": -2}, "jobs"),
    ({"jobs": 1.5}, "jobs"),
    ({"seed": -1}, "seed"),
    ({"seed": 1.0}, "seed"),
])
def test_run_sweep_rejects_bad_options(options, match):
    # A wrong type is a TypeError, a wrong value a ValueError; both name the option.
    with pytest.raises((ValueError, TypeError), match=match):
        run_sweep(TOY_SWEEP, **{"budget": "smoke", "use_cache": False, **options})


def test_run_sweep_rejects_bad_cells_and_rows():
    def sweep(name, cells, run_cell=toy_run_cell):
        return Sweep(name, cells, run_cell, protocol=TOY_PROTOCOL)

    with pytest.raises(ValueError, match="appears twice"):
        run_sweep(sweep("toy.dup", lambda b: [{"k": 1}, {"k": 1}]), "smoke", use_cache=False)
    with pytest.raises(ValueError, match="empty"):
        run_sweep(sweep("toy.nocells", lambda b: []), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="list of dicts"):
        run_sweep(sweep("toy.notlist", lambda b: {"k": 1}), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="JSON-able"):
        run_sweep(sweep("toy.obj", lambda b: [{"k": object()}]), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="list of dicts"):
        run_sweep(sweep("toy.rowtype", lambda b: [{"k": 1}], lambda c, r, m: {"e": 1}), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="plain numbers"):
        run_sweep(sweep("toy.rowobj", lambda b: [{"k": 1}], lambda c, r, m: [{"e": object()}]), "smoke",
                  use_cache=False)


def test_a_row_key_colliding_with_a_cell_key_is_an_error():
    clash = Sweep("toy.clash", lambda b: [{"k": 1}], lambda c, r, m: [{"k": 2, "e": 0.5}], protocol=TOY_PROTOCOL)
    with pytest.raises(ValueError, match="'k' = 2 collides with the cell's 1"):
        run_sweep(clash, "smoke", use_cache=False)
    # Restating a cell key with the same value is not an override.
    same = Sweep("toy.same", lambda b: [{"k": 1}], lambda c, r, m: [{"k": np.int64(1), "e": 0.5}],
                 protocol=TOY_PROTOCOL)
    assert run_sweep(same, "smoke", use_cache=False) == [{"k": 1, "e": 0.5}]


def test_per_budget_picks_the_value_of_a_budget():
    assert [framework.per_budget(b, 1, 2, 3) for b in framework.BUDGETS] == [1, 2, 3]
    assert framework.per_budget("full", smoke="a", quick="b", full="c") == "c"
    with pytest.raises(ValueError, match="budget.*'huge'"):
        framework.per_budget("huge", 1, 2, 3)


def test_analyse_must_return_a_verdict():
    claim = toy_claim(analyse=lambda rows, budget: True)
    with pytest.raises(TypeError, match="Verdict"):
        run_claim(claim, "smoke", use_cache=False)


def test_unavailable_backend_is_a_clear_error():
    for backend, module in (("dask", "distributed"), ("ray", "ray")):
        try:
            __import__(module)
        except ImportError:
            with pytest.raises(ValueError, match=backend):
                framework.check_backend(backend)
    framework.check_backend("loky")


def test_merged_calibration_counts_a_seed_only_where_every_claim_ran_and_held():
    """A part calibrated over fewer seeds does not pass the merged suite at the seeds it missed."""
    from proofs_check.calibration import merge_calibration_documents

    def entry(claim_id, seeds, failed=(), not_rejected=()):
        return {"id": claim_id, "seeds": list(seeds), "held_at": [s for s in seeds if s not in failed],
                "failed_at": list(failed), "mutants": [{"name": "m", "not_rejected_at": list(not_rejected)}]}

    full = {"budget": "quick", "seeds": [1, 2, 3, 4], "claims": [entry("A-1", [1, 2, 3, 4], failed=[2])]}
    short = {"budget": "quick", "seeds": [1, 2, 3, 4], "claims": [entry("B-1", [1, 2], not_rejected=[1])]}
    merged = merge_calibration_documents([full, short])
    assert merged["suite"]["failed_at"] == [1, 2, 3, 4]
    assert merged["suite"]["passes"] == 0
    alone = merge_calibration_documents([full])
    assert alone["suite"]["failed_at"] == [2] and alone["suite"]["passes"] == 3
