"""The parallel backends: same rows as ``jobs=1``, each cell cached as it completes, resuming.

- loky and dask (a 2-worker ``LocalCluster`` attached by its address, as a real cluster would be)
  give exactly the rows of ``jobs=1``, at a non-zero seed and for a mutant learner;
- a dask run that crashes after a few cells resumes with those cells read from the cache and
  only the others computed, and ends with the rows of ``jobs=1``;
- a scheduler with another backend, of the wrong type, or that does not answer is a clear error
  (within the connection timeout, not a hang);
- the ray backend (ray is not installed in CI: a fake module stands in for it) submits one task
  per cell and writes each cell to the cache as ``ray.wait`` hands it over, not at the end.

The toy sweep is the Monte-Carlo mean of ``tests/proofs_check/test_framework.py`` (30 cells at
the smoke budget, milliseconds each). The whole module takes ~10-20 s, mostly starting the
cluster's two worker processes.
"""
import functools
import socket
import sys
import types
import uuid
from pathlib import Path

import pytest

from proofs_check import framework
from proofs_check.framework import SelectionError, Sweep, run_claim, run_sweep
from tests.proofs_check.test_framework import TOY_PANEL, TOY_PROTOCOL, TOY_SWEEP, toy_cells, toy_claim, toy_run_cell

N_CELLS = len(toy_cells("smoke"))


@pytest.fixture(scope="module")
def dask_scheduler():
    """The address of a running 2-worker LocalCluster (processes, one thread each), closed after the module."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp",
                                       dashboard_address=":0")
    try:
        yield cluster.scheduler_address
    finally:
        client = framework._DASK_CLIENTS.pop(cluster.scheduler_address, None)
        if client is not None:
            client.close(timeout=10)
        cluster.close(timeout=10)


# ------------------------------------------------------------------------------------------
# Same rows whatever the backend
# ------------------------------------------------------------------------------------------

def test_loky_and_dask_give_the_rows_of_one_job(dask_scheduler, tmp_path):
    mutant = TOY_PANEL[2].learner  # a functools.partial: pickled to the workers with its argument
    serial = run_sweep(TOY_SWEEP, "smoke", learner=mutant, seed=7, use_cache=False)
    assert run_sweep(TOY_SWEEP, "smoke", learner=mutant, seed=7, jobs=2, backend="loky", use_cache=False) == serial
    on_cluster = run_sweep(TOY_SWEEP, "smoke", learner=mutant, seed=7, backend="dask", scheduler=dask_scheduler,
                           cache_dir=tmp_path)
    assert on_cluster == serial
    # Every cell was written to the cache by this process; reading them back changes nothing.
    evidence = run_claim(toy_claim(), "smoke", mutant="biased", seed=7, backend="dask", scheduler=dask_scheduler,
                         cache_dir=tmp_path)
    assert evidence.rows == serial
    assert (evidence.cells_computed, evidence.cells_cached) == (0, N_CELLS)


def test_a_connected_client_can_be_passed_as_the_scheduler(dask_scheduler):
    from distributed import Client

    with Client(dask_scheduler, set_as_default=False, timeout=20) as client:
        rows = run_sweep(TOY_SWEEP, "smoke", seed=1, backend="dask", scheduler=client, use_cache=False)
    assert rows == run_sweep(TOY_SWEEP, "smoke", seed=1, use_cache=False)


# ------------------------------------------------------------------------------------------
# An interrupted dask run resumes with nothing recomputed
# ------------------------------------------------------------------------------------------

def flaky_run_cell(cell, rng, learner, *, calls_dir, fail_at=None):
    """The toy cell, recording each call as a file (the workers are other processes); the
    ``fail_at``-th call and every later one raise, like a machine lost in the middle of a run."""
    calls = Path(calls_dir)
    calls.mkdir(parents=True, exist_ok=True)
    (calls / f"{cell['n_samples']}-{cell['block']}-{uuid.uuid4().hex}").touch()
    if fail_at is not None and sum(1 for _ in calls.iterdir()) >= fail_at:
        raise RuntimeError("simulated crash of the run")
    return toy_run_cell(cell, rng, learner)


def flaky_sweep(calls_dir, fail_at=None):
    # The same name and code as far as the cache key goes: only the partial's arguments differ.
    return Sweep("toy.flaky", toy_cells, functools.partial(flaky_run_cell, calls_dir=str(calls_dir), fail_at=fail_at),
                 protocol=TOY_PROTOCOL)


def _called_cells(calls_dir):
    return sorted(tuple(int(x) for x in p.name.split("-")[:2]) for p in Path(calls_dir).iterdir())


def test_an_interrupted_dask_run_resumes_from_the_cache(dask_scheduler, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_sweep(flaky_sweep(tmp_path / "run1", fail_at=12), "smoke", seed=5, backend="dask",
                  scheduler=dask_scheduler, cache_dir=cache)
    cached_files = list((cache / "toy.flaky" / "smoke").glob("*.json"))
    kept = len(cached_files)
    assert 1 <= kept < N_CELLS, kept  # the cells finished before the crash were written as they came

    # The rerun reads those cells and computes only the others, once each.
    evidence = run_claim(toy_claim(sweep=flaky_sweep(tmp_path / "run2")), "smoke", seed=5, backend="dask",
                         scheduler=dask_scheduler, cache_dir=cache)
    assert (evidence.cells_cached, evidence.cells_computed) == (kept, N_CELLS - kept)
    recomputed = _called_cells(tmp_path / "run2")
    assert len(recomputed) == N_CELLS - kept == len(set(recomputed))
    import json

    cached_cells = {(doc["rows"][0]["n_samples"], doc["rows"][0]["block"])
                    for doc in (json.loads(p.read_text()) for p in cached_files)}
    assert not cached_cells & set(recomputed)

    # Same seed, same rows as one job in this process, from scratch.
    serial = run_sweep(flaky_sweep(tmp_path / "run3"), "smoke", seed=5, jobs=1, use_cache=False)
    assert evidence.rows == serial


# ------------------------------------------------------------------------------------------
# The scheduler option
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("backend, scheduler, message", [
    ("loky", "tcp://127.0.0.1:8786", "needs backend 'dask'"),
    ("dask", "  ", "empty string"),
    ("dask", 8786, "expected an address"),
])
def test_a_scheduler_that_does_not_fit_is_a_selection_error(backend, scheduler, message):
    with pytest.raises(SelectionError, match=message):
        run_sweep(TOY_SWEEP, "smoke", backend=backend, scheduler=scheduler, use_cache=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_scheduler_is_a_clear_error_not_a_hang(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(framework, "DASK_CONNECT_TIMEOUT", 2)
    address = f"tcp://127.0.0.1:{_free_port()}"
    with pytest.raises(SelectionError, match=f"cannot connect to a Dask scheduler at '{address}' within 2 s"):
        run_sweep(TOY_SWEEP, "smoke", backend="dask", scheduler=address, use_cache=False)


# ------------------------------------------------------------------------------------------
# ray: one task per cell, each cached as it arrives (a fake ray module)
# ------------------------------------------------------------------------------------------

class FakeRay(types.ModuleType):
    """The part of ray the backend uses. ``wait`` hands over the most recently submitted pending
    task (so completion order differs from submission order) and records how many cells the
    cache held at that moment."""

    def __init__(self, cache_dir):
        super().__init__("ray")
        self.cache_dir = Path(cache_dir)
        self.initialized = False
        self.init_kwargs = None
        self.cached_at_wait = []
        self.cancelled = []

    def is_initialized(self):
        return self.initialized

    def init(self, **kwargs):
        self.initialized, self.init_kwargs = True, kwargs

    def remote(self, func):
        return types.SimpleNamespace(remote=lambda *args: (func, args))

    def wait(self, refs, num_returns=1):
        assert num_returns == 1 and refs
        self.cached_at_wait.append(sum(1 for _ in self.cache_dir.rglob("*.json")))
        return [refs[-1]], list(refs[:-1])

    def get(self, ref):
        func, args = ref
        return func(*args)

    def cancel(self, ref):
        self.cancelled.append(ref)


def test_ray_caches_each_cell_as_it_arrives(tmp_path, monkeypatch):
    fake = FakeRay(tmp_path)
    monkeypatch.setitem(sys.modules, "ray", fake)
    rows = run_sweep(TOY_SWEEP, "smoke", seed=2, jobs=2, backend="ray", cache_dir=tmp_path)
    assert rows == run_sweep(TOY_SWEEP, "smoke", seed=2, use_cache=False)
    assert fake.init_kwargs["num_cpus"] == 2
    # Before the i-th hand-over, the i cells handed over so far were already on disk.
    assert fake.cached_at_wait == list(range(N_CELLS))
    assert fake.cancelled == []
    # With $RAY_ADDRESS (a ray cluster), ray.init attaches to it without a CPU count.
    attached = FakeRay(tmp_path / "other")
    monkeypatch.setitem(sys.modules, "ray", attached)
    monkeypatch.setenv("RAY_ADDRESS", "ray://head:10001")
    assert run_sweep(TOY_SWEEP, "smoke", seed=2, jobs=2, backend="ray", use_cache=False) == rows
    assert attached.init_kwargs == {}


def test_ray_cancels_the_pending_cells_when_one_fails(tmp_path, monkeypatch):
    fake = FakeRay(tmp_path / "cache")
    monkeypatch.setitem(sys.modules, "ray", fake)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_sweep(flaky_sweep(tmp_path / "calls", fail_at=4), "smoke", jobs=2, backend="ray",
                  cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 3
    assert len(fake.cancelled) == N_CELLS - 4
    # The rerun (ray already initialised) computes only the missing cells.
    evidence = run_claim(toy_claim(sweep=flaky_sweep(tmp_path / "calls2")), "smoke", jobs=2, backend="ray",
                         cache_dir=tmp_path / "cache")
    assert (evidence.cells_cached, evidence.cells_computed) == (3, N_CELLS - 3)
    assert evidence.rows == run_sweep(flaky_sweep(tmp_path / "calls3"), "smoke", use_cache=False)


# ------------------------------------------------------------------------------------------
# Claims, mutants and seeds in one pool (precompute_cells)
# ------------------------------------------------------------------------------------------

def test_precomputed_cells_are_the_serial_rows_and_count_as_computed(tmp_path):
    claim = toy_claim()
    runs = framework.claim_runs([claim], seeds=(3, 4))
    assert len(runs) == 2 * (1 + len(claim.mutants))
    computed = framework.precompute_cells(runs, "smoke", jobs=2, cache_dir=tmp_path)
    assert computed == len(runs) * N_CELLS
    for seed in (3, 4):
        evidence = run_claim(claim, "smoke", mutant="biased", seed=seed, jobs=2, cache_dir=tmp_path)
        assert evidence.rows == run_sweep(TOY_SWEEP, "smoke", learner=TOY_PANEL[2].learner, seed=seed,
                                          use_cache=False)
        # Computed in this run (by the pool), not a result of an earlier run read from disk.
        assert (evidence.cells_computed, evidence.cells_cached) == (N_CELLS, 0)
    # Read a second time, the same cells are cached results; nothing is left to compute.
    again = run_claim(claim, "smoke", mutant="biased", seed=3, jobs=2, cache_dir=tmp_path)
    assert (again.cells_computed, again.cells_cached) == (0, N_CELLS)
    assert framework.precompute_cells(runs, "smoke", jobs=2, cache_dir=tmp_path) == 0


def test_precompute_runs_nothing_without_a_cache_or_with_one_job(tmp_path):
    runs = framework.claim_runs([toy_claim()])
    assert framework.precompute_cells(runs, "smoke", jobs=2, use_cache=False) == 0
    assert framework.precompute_cells(runs, "smoke", jobs=1, cache_dir=tmp_path) == 0
    assert not any(tmp_path.iterdir())


def test_a_cell_that_raises_in_the_pool_is_reported_against_its_claim(tmp_path):
    from experiments.report import verify_claims

    sweep = flaky_sweep(tmp_path / "calls", fail_at=1)  # every call raises
    results = verify_claims([toy_claim(sweep=sweep)], "smoke", jobs=2, cache_dir=tmp_path / "cache")
    assert results[0].error is not None and "simulated crash" in results[0].error
    assert not list((tmp_path / "cache").rglob("*.json"))


@pytest.mark.parametrize("runs, message", [
    ("LCB-M1", "expected an iterable"),
    ([(TOY_SWEEP, None)], "triples"),
    ([("toy.mc_mean", None, 0)], "triples"),
    ([(TOY_SWEEP, 3, 0)], "must be callable"),
    ([(TOY_SWEEP, None, -1)], r"\[0, 2\*\*63\)"),
])
def test_precompute_rejects_bad_runs(runs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        framework.precompute_cells(runs, "smoke", jobs=2, use_cache=False)
