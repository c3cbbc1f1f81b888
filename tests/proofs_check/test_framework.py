"""The claim machinery: registry, cell randomness, cache, parallel runner, evidence.

The toy claim here (also used by tests/experiments/test_cli.py) does not depend on any paper
module: the Monte-Carlo mean of N standard normals has mean absolute error sqrt(2 / (pi N)),
a rate N^-1/2; its mutant averages only sqrt(N) of the samples, a rate N^-1/4.
"""
import json
import math

import numpy as np
import pytest

from proofs_check import framework
from proofs_check.framework import (
    Claim,
    Evidence,
    Sweep,
    cache_path,
    cell_key,
    cell_rng,
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


def toy_cells(budget):
    return [{"n_samples": n, "block": k} for n in TOY_SIZES for k in range(TOY_BLOCKS[budget])]


def toy_run_cell(cell, rng, mutant):
    CALLS.append((cell["n_samples"], cell["block"]))
    n = cell["n_samples"]
    used = math.isqrt(n) if mutant == "sqrt_samples" else n
    draws = rng.standard_normal((TOY_REPS, n))[:, :used]
    return [{"error": float(np.abs(draws.mean(axis=1)).mean()), "variant": mutant or "algorithm"}]


TOY_SWEEP = Sweep("toy.mc_mean", toy_cells, toy_run_cell, version=1)


def toy_analyse(rows, budget, exponent=-0.5):
    blocks = np.zeros((len(TOY_SIZES), 1, TOY_BLOCKS[budget]))
    for row in rows:
        blocks[TOY_SIZES.index(row["n_samples"]), 0, row["block"]] = row["error"]
    return rate_verdict(TOY_SIZES, blocks, exponent, 0.1)


def toy_claim(claim_id="TOY-1", name="toy.mc_mean.rate", mutant="sqrt_samples", analyse=toy_analyse):
    return Claim(id=claim_id, name=name, paper="Toy 2026", theorem="Prop 1 [derived]",
                 statement="mean |error| of a Monte-Carlo mean decays as N^-1/2", kind="rate",
                 sweep=TOY_SWEEP, analyse=analyse, mutant=mutant,
                 mutant_description="averages only sqrt(N) of the N samples")


@pytest.fixture
def calls():
    CALLS.clear()
    yield CALLS
    CALLS.clear()


# ------------------------------------------------------------------------------------------
# The check on the toy claim can fail
# ------------------------------------------------------------------------------------------

def test_toy_claim_holds_and_its_mutant_is_rejected(tmp_path):
    evidence, mutant = check_claim(toy_claim(), "smoke", cache_dir=tmp_path)
    assert evidence.holds, evidence.verdict.summary
    assert not mutant.holds, mutant.verdict.summary
    assert -0.6 < evidence.verdict.statistic < -0.4
    assert -0.35 < mutant.verdict.statistic < -0.15
    assert (evidence.variant, mutant.variant) == ("algorithm", "mutant")
    assert evidence.cells_computed == len(toy_cells("smoke")) and evidence.cells_cached == 0


def test_wrong_exponent_is_rejected_on_the_algorithm(tmp_path):
    evidence = run_claim(toy_claim(analyse=lambda rows, b: toy_analyse(rows, b, exponent=-1.0)), "smoke",
                         cache_dir=tmp_path)
    assert not evidence.holds


# ------------------------------------------------------------------------------------------
# Same results whatever the jobs, the cache, the order
# ------------------------------------------------------------------------------------------

def test_rows_are_identical_for_one_and_two_loky_jobs():
    serial = run_sweep(TOY_SWEEP, "smoke", mutant="sqrt_samples", seed=3, jobs=1, use_cache=False)
    parallel = run_sweep(TOY_SWEEP, "smoke", mutant="sqrt_samples", seed=3, jobs=2, backend="loky",
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


def _crashing_run_cell(cell, rng, mutant):
    if (cell["n_samples"], cell["block"]) in _CRASH_AT:
        raise KeyboardInterrupt  # as if the user stopped the run here
    return toy_run_cell(cell, rng, mutant)


def test_a_run_stopped_midway_keeps_finished_cells(tmp_path, calls):
    sweep = Sweep(TOY_SWEEP.name, toy_cells, _crashing_run_cell)
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
    assert json.loads(path.read_text()) == [rows[4]]


def test_cache_separates_seed_variant_budget_and_version(tmp_path):
    cell = toy_cells("smoke")[0]
    paths = {cache_path(TOY_SWEEP, "smoke", cell, cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "smoke", cell, seed=1, cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "smoke", cell, mutant="sqrt_samples", cache_dir=tmp_path),
             cache_path(TOY_SWEEP, "quick", cell, cache_dir=tmp_path),
             cache_path(Sweep(TOY_SWEEP.name, toy_cells, toy_run_cell, version=2), "smoke", cell,
                        cache_dir=tmp_path)}
    assert len(paths) == 5


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
    renamed = Sweep("toy.other", toy_cells, toy_run_cell)
    assert draw(0, TOY_SWEEP, cell) != draw(0, renamed, cell)
    assert cell_key(TOY_SWEEP, cell) == cell_key(TOY_SWEEP, {"block": 2, "n_samples": 16})


def test_rows_do_not_depend_on_cell_order():
    reversed_sweep = Sweep(TOY_SWEEP.name, lambda b: toy_cells(b)[::-1], toy_run_cell)
    forward = run_sweep(TOY_SWEEP, "smoke", use_cache=False)
    backward = run_sweep(reversed_sweep, "smoke", use_cache=False)
    assert backward == forward[::-1]


def test_dask_backend_gives_the_same_rows(tmp_path):
    pytest.importorskip("distributed")
    serial = run_sweep(TOY_SWEEP, "smoke", use_cache=False)
    assert run_sweep(TOY_SWEEP, "smoke", jobs=2, backend="dask", use_cache=False) == serial


def test_progress_bar_does_not_change_rows(capsys):
    assert run_sweep(TOY_SWEEP, "smoke", use_cache=False, progress=True) == run_sweep(
        TOY_SWEEP, "smoke", use_cache=False)


# ------------------------------------------------------------------------------------------
# Rows and JSON
# ------------------------------------------------------------------------------------------

def _odd_rows(cell, rng, mutant):
    return [{"big": np.float64(np.inf), "nan": float("nan"), "count": np.int32(3), "flag": np.bool_(True),
             "pair": (1, 2), "vector": np.arange(2)}]


def test_numpy_rows_become_plain_python_and_survive_the_cache(tmp_path):
    sweep = Sweep("toy.odd", lambda b: [{"k": 0}], _odd_rows)
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


def test_claim_and_sweep_validate_their_fields():
    with pytest.raises(ValueError, match="kind"):
        Claim("X-1", "x.y", "p", "t", "s", "slope", TOY_SWEEP, toy_analyse, "m")
    with pytest.raises(ValueError, match="mutant"):
        Claim("X-1", "x.y", "p", "t", "s", "rate", TOY_SWEEP, toy_analyse, "")
    with pytest.raises(TypeError, match="sweep"):
        Claim("X-1", "x.y", "p", "t", "s", "rate", "toy.mc_mean", toy_analyse, "m")
    with pytest.raises(TypeError, match="analyse"):
        Claim("X-1", "x.y", "p", "t", "s", "rate", TOY_SWEEP, None, "m")
    with pytest.raises(ValueError, match="name"):
        Sweep("a/b", toy_cells, toy_run_cell)
    with pytest.raises(TypeError, match="run_cell"):
        Sweep("a", toy_cells, None)
    with pytest.raises(TypeError, match="Claim"):
        register("TOY-1")


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
    ({"mutant": ""}, "mutant"),
])
def test_run_sweep_rejects_bad_options(options, match):
    with pytest.raises(ValueError, match=match):
        run_sweep(TOY_SWEEP, **{"budget": "smoke", "use_cache": False, **options})


def test_run_sweep_rejects_bad_cells_and_rows():
    duplicated = Sweep("toy.dup", lambda b: [{"k": 1}, {"k": 1}], toy_run_cell)
    with pytest.raises(ValueError, match="appears twice"):
        run_sweep(duplicated, "smoke", use_cache=False)
    with pytest.raises(TypeError, match="list of dicts"):
        run_sweep(Sweep("toy.notlist", lambda b: {"k": 1}, toy_run_cell), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="JSON-able"):
        run_sweep(Sweep("toy.obj", lambda b: [{"k": object()}], toy_run_cell), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="list of dicts"):
        run_sweep(Sweep("toy.rowtype", lambda b: [{"k": 1}], lambda c, r, m: {"e": 1}), "smoke", use_cache=False)
    with pytest.raises(TypeError, match="plain numbers"):
        run_sweep(Sweep("toy.rowobj", lambda b: [{"k": 1}], lambda c, r, m: [{"e": object()}]), "smoke",
                  use_cache=False)


def test_a_row_key_colliding_with_a_cell_key_is_an_error():
    clash = Sweep("toy.clash", lambda b: [{"k": 1}], lambda c, r, m: [{"k": 2, "e": 0.5}])
    with pytest.raises(ValueError, match="'k' = 2 collides with the cell's 1"):
        run_sweep(clash, "smoke", use_cache=False)
    # Restating a cell key with the same value is not an override.
    same = Sweep("toy.same", lambda b: [{"k": 1}], lambda c, r, m: [{"k": np.int64(1), "e": 0.5}])
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
