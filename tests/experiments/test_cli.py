"""The ``provable-rl`` command line on toy claims registered in an isolated registry (no paper
module is imported, so these tests do not depend on them)."""
import json
import subprocess
import sys

import numpy as np
import pytest

from experiments import cli
from experiments.figures import Figure, registered_figures
from proofs_check.framework import isolated_registry
from proofs_check.framework import Mutant
from tests.proofs_check.test_framework import CALLS, TOY_PANEL, TOY_SWEEP, sample_mean, toy_cells, toy_claim


def half_samples_mean(draws):
    """A 'mutant' no rate check can reject: half the samples still give an N^-1/2 rate."""
    return draws[:, : draws.shape[1] // 2].mean(axis=1)


def _plot(data, path):
    import matplotlib.pyplot as plt

    from experiments.plotting import rate_panel, reference_line

    rows = data[TOY_SWEEP.name]
    sizes = sorted({r["n_samples"] for r in rows})
    mean = [np.mean([r["error"] for r in rows if r["n_samples"] == n]) for n in sizes]
    fig, ax = plt.subplots(figsize=(4, 3))
    rate_panel(ax, sizes, mean, label="Monte-Carlo mean")
    reference_line(ax, sizes, -0.5, anchor=mean[0])
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


TOY_FIGURE = Figure("TOY-FIG1", "mean |error| against N", (TOY_SWEEP,), _plot)


@pytest.fixture
def toy_registry():
    """The toy claim only (its panel is rejected), and the toy figure."""
    CALLS.clear()
    with isolated_registry(toy_claim()), registered_figures(TOY_FIGURE):
        yield
    CALLS.clear()


@pytest.fixture
def mixed_registry():
    """The toy claim plus two broken checks: one whose claim fails, one with a mutant that passes."""
    wrong_rate = toy_claim("TOY-2", "toy.mc_mean.wrong_rate",
                           analyse=lambda rows, budget: _analyse(rows, budget, -1.0))
    blind = toy_claim("TOY-3", "toy.mc_mean.blind_mutant",
                      mutants=TOY_PANEL + (Mutant("half_samples", half_samples_mean, "half the samples"),))
    with isolated_registry(toy_claim(), wrong_rate, blind), registered_figures(TOY_FIGURE):
        yield


def _analyse(rows, budget, exponent):
    from tests.proofs_check.test_framework import toy_analyse

    return toy_analyse(rows, budget, exponent)


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_no_subcommand_prints_the_subcommands(capsys):
    code, out, _ = run(capsys)
    assert code == 0
    for command in ("list", "verify", "calibrate", "figures", "reproduce", "cache"):
        assert command in out


def test_list_shows_id_kind_paper_theorem_name(toy_registry, capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    line, = out.strip().splitlines()
    for field in ("TOY-1", "rate", "Toy 2026", "Prop 1 [derived]", "toy.mc_mean.rate"):
        assert field in line
    code, out, _ = run(capsys, "list", "--protocols")
    assert code == 0
    for text in ("protocol toy.mean_estimator: learner(draws) -> estimates", "mutant sqrt_samples:",
                 "mutant biased:", "draws: float array (R, n)"):
        assert text in out, text


def test_verify_passes_and_writes_json_evidence(toy_registry, capsys, tmp_path):
    evidence_file = tmp_path / "out" / "evidence.json"
    code, out, err = run(capsys, "verify", "TOY-*", "--budget", "smoke", "--cache-dir", str(tmp_path / "cache"),
                         "--json", str(evidence_file), "--seed", "2")
    assert code == 0, out
    assert "[1/1] TOY-1: holds, mutants 3/3 rejected" in err  # stderr is not a terminal: a line per claim
    assert "holds" in out and "rejected" in out and "1/1 checks passed" in out
    assert "0 of 120 cells read from cache" in out
    for name in ("sqrt_samples", "first_sample", "biased"):
        assert name in out
    doc = json.loads(evidence_file.read_text())
    assert doc["passed"] is True and doc["header"]["budget"] == "smoke" and doc["header"]["seed"] == 2
    assert "numpy" in doc["header"]["versions"]
    claim, = doc["claims"]
    assert claim["id"] == "TOY-1" and claim["holds"] and claim["mutants_rejected"] and claim["passed"]
    assert [(m["name"], m["rejected"]) for m in claim["mutants"]] == [("sqrt_samples", True), ("first_sample", True),
                                                                       ("biased", True)]
    assert claim["cells_cached"] == 0 and claim["cells_total"] == 4 * len(toy_cells("smoke"))
    algorithm, mutant = claim["algorithm"], claim["mutants"][0]["run"]
    assert -0.6 < algorithm["statistic"] < -0.4 and len(algorithm["interval"]) == 2
    assert algorithm["holds"] and not mutant["holds"] and mutant["variant"] == "sqrt_samples"
    assert algorithm["seconds"] >= 0 and algorithm["summary"].startswith("slope")
    assert algorithm["cells_computed"] == len(toy_cells("smoke")) and "rows" not in algorithm


def test_verify_matches_names_and_exits_1_when_a_claim_fails_or_a_mutant_survives(mixed_registry, capsys,
                                                                                    tmp_path):
    cache = str(tmp_path / "cache")
    code, out, _ = run(capsys, "verify", "toy.mc_mean.rate", "--budget", "smoke", "--cache-dir", cache)
    assert code == 0 and "TOY-2" not in out
    code, out, _ = run(capsys, "verify", "TOY-*", "--budget", "smoke", "--cache-dir", cache,
                       "--json", str(tmp_path / "e.json"), "--with-rows")
    assert code == 1
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith("TOY-")}
    assert "FAILS" in rows["TOY-2"] and "3/3 rejected" in rows["TOY-2"]
    assert "holds" in rows["TOY-3"] and "3/4 rejected" in rows["TOY-3"]
    assert "half_samples" in out and "NOT REJECTED" in out
    doc = json.loads((tmp_path / "e.json").read_text())
    assert [c["passed"] for c in doc["claims"]] == [True, False, False]
    assert len(doc["claims"][0]["algorithm"]["rows"]) == len(toy_cells("smoke"))
    code, _, _ = run(capsys, "verify", "TOY-3", "--budget", "smoke", "--cache-dir", cache)
    assert code == 1


def test_verify_results_do_not_depend_on_jobs_or_cache(toy_registry, capsys, tmp_path):
    def statistic(*extra):
        path = tmp_path / "e.json"
        assert run(capsys, "verify", "TOY-1", "--budget", "smoke", "--cache-dir", str(tmp_path / "c"),
                   "--json", str(path), *extra)[0] == 0
        claim = json.loads(path.read_text())["claims"][0]
        return claim["algorithm"]["statistic"], [m["run"]["statistic"] for m in claim["mutants"]]

    first = statistic()
    assert statistic() == first  # from the cache
    assert statistic("--no-cache", "--jobs", "2") == first


def test_a_claim_that_raises_is_an_error_not_a_crash(capsys, tmp_path):
    def broken(rows, budget):
        raise RuntimeError("analysis bug")

    with isolated_registry(toy_claim("TOY-ERR", "toy.err", analyse=broken), toy_claim()):
        code, out, err = run(capsys, "verify", "--budget", "smoke", "--cache-dir", str(tmp_path))
    assert code == 1 and "analysis bug" in err
    assert "ERROR" in next(line for line in out.splitlines() if line.startswith("TOY-ERR"))
    assert "holds" in next(line for line in out.splitlines() if line.startswith("TOY-1"))


@pytest.mark.parametrize("argv, message", [
    (["verify", "--budget", "huge"], "invalid choice"),
    (["verify", "--jobs", "0"], "--jobs"),
    (["verify", "--jobs", "two"], "--jobs"),
    (["verify", "--seed", "-3"], "--seed"),
    (["verify", "--jobs", str(2**62)], "--jobs"),
    (["calibrate", "--seeds", str(2**62)], "--seeds"),
    (["calibrate", "--seeds", "0"], "--seeds"),
    (["verify", "--backend", "spark"], "invalid choice"),
    (["verify", "NO-SUCH-*"], "no claim matches"),
    (["figures", "NO-SUCH-FIG"], "no figure matches"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_2_with_a_message(toy_registry, capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_a_backend_that_is_not_installed_exits_2(toy_registry, capsys, monkeypatch):
    # distributed is in the test extra: its absence is simulated (an import of None raises ImportError).
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, err = run(capsys, "verify", "--backend", "dask", "--jobs", "2")
    assert code == 2 and "'dask' needs dask.distributed" in err
    monkeypatch.setitem(sys.modules, "ray", None)
    code, _, err = run(capsys, "calibrate", "--backend", "ray", "--jobs", "2")
    assert code == 2 and "'ray' needs ray" in err


@pytest.mark.parametrize("command", ["verify", "calibrate", "figures", "reproduce"])
def test_a_scheduler_needs_the_dask_backend(toy_registry, capsys, command):
    code, _, err = run(capsys, command, "--scheduler", "tcp://127.0.0.1:8786", "--jobs", "2")
    assert code == 2
    assert f"provable-rl {command}: error: --scheduler: a Dask scheduler needs --backend dask" in err


def test_an_unreachable_scheduler_exits_2_within_the_timeout(toy_registry, capsys, monkeypatch):
    import socket
    import time

    pytest.importorskip("distributed")
    monkeypatch.setattr(cli.framework, "DASK_CONNECT_TIMEOUT", 2)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    start = time.perf_counter()
    code, out, err = run(capsys, "verify", "--budget", "smoke", "--backend", "dask", "--scheduler", address)
    assert code == 2 and out == ""
    assert f"cannot connect to a Dask scheduler at '{address}' within 2 s" in err
    assert time.perf_counter() - start < 30


def test_verify_runs_on_a_dask_cluster_given_by_its_address(toy_registry, capsys, tmp_path):
    # An in-process cluster (threads) keeps this cheap; tests/proofs_check/test_backends.py runs
    # one with worker processes.
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        try:
            code, out, _ = run(capsys, "verify", "TOY-1", "--budget", "smoke", "--backend", "dask",
                               "--scheduler", cluster.scheduler_address, "--cache-dir", str(tmp_path),
                               "--json", str(tmp_path / "dask.json"))
            assert code == 0, out
            assert len(CALLS) == 4 * len(toy_cells("smoke"))  # every cell ran on the cluster's threads
        finally:
            client = cli.framework._DASK_CLIENTS.pop(cluster.scheduler_address, None)
            if client is not None:
                client.close()
    code, out, _ = run(capsys, "verify", "TOY-1", "--budget", "smoke", "--no-cache", "--json",
                       str(tmp_path / "serial.json"))
    assert code == 0
    dask_doc, serial_doc = (json.loads((tmp_path / name).read_text()) for name in ("dask.json", "serial.json"))
    assert dask_doc["header"]["backend"] == "dask" and "--scheduler" in dask_doc["header"]["command"]
    for key in ("statistic", "interval", "summary"):
        assert dask_doc["claims"][0]["algorithm"][key] == serial_doc["claims"][0]["algorithm"][key]


def test_an_internal_error_exits_3_with_its_traceback(toy_registry, capsys, monkeypatch):
    # E.g. a paper module raising at import while the claims load: a bug with its traceback and
    # a code of its own, not a one-line usage error and not "a claim failed".
    def broken(patterns=None):
        raise ValueError("module-level constant out of range")

    monkeypatch.setattr(cli.framework, "select_claims", broken)
    code, _, err = run(capsys, "verify", "--budget", "smoke")
    assert code == 3 and "Traceback" in err and "module-level constant" in err


def test_an_unwritable_output_is_refused_before_running(toy_registry, capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for argv in (["verify", "--json", str(blocker / "e.json")], ["reproduce", "--output", str(blocker / "out")]):
        CALLS.clear()
        code, _, err = run(capsys, *argv, "--budget", "smoke", "--cache-dir", str(tmp_path / "c"))
        assert code == 2 and "writable" in err and CALLS == []


def test_patterns_match_ids_and_names_case_insensitively(toy_registry, capsys):
    code, out, _ = run(capsys, "list", "toy-1")
    assert code == 0 and "TOY-1" in out
    code, out, _ = run(capsys, "list", "TOY.MC_MEAN.*")
    assert code == 0 and "TOY-1" in out


def test_verify_with_nothing_registered_exits_1(capsys):
    with isolated_registry():
        code, _, err = run(capsys, "verify")
    assert code == 1 and "no claims" in err


def test_figures_reads_cached_cells_and_writes_png_and_csv(toy_registry, capsys, tmp_path):
    cache = str(tmp_path / "cache")
    assert run(capsys, "verify", "TOY-1", "--budget", "smoke", "--cache-dir", cache)[0] == 0
    CALLS.clear()
    code, out, _ = run(capsys, "figures", "TOY-FIG*", "--budget", "smoke", "--cache-dir", cache,
                       "--output", str(tmp_path / "figs"))
    assert code == 0, out
    assert CALLS == []  # every cell came from the cache
    png, csv = tmp_path / "figs" / "TOY-FIG1.png", tmp_path / "figs" / "TOY-FIG1.csv"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    lines = csv.read_text().splitlines()
    assert lines[0].split(",")[:3] == ["sweep", "n_samples", "block"]
    assert len(lines) == 1 + len(toy_cells("smoke"))
    code, out, _ = run(capsys, "figures", "--list")
    assert code == 0 and "TOY-FIG1" in out and TOY_SWEEP.name in out


def test_figures_computes_missing_cells(toy_registry, capsys, tmp_path):
    code, _, _ = run(capsys, "figures", "--budget", "smoke", "--cache-dir", str(tmp_path / "c"),
                     "--output", str(tmp_path / "f"))
    assert code == 0 and len(CALLS) == len(toy_cells("smoke"))
    assert (tmp_path / "f" / "TOY-FIG1.png").exists()


def test_reproduce_writes_report_evidence_and_figures(mixed_registry, capsys, tmp_path):
    out_dir = tmp_path / "paper_figures"
    code, out, _ = run(capsys, "reproduce", "--budget", "smoke", "--jobs", "1", "--cache-dir", str(tmp_path / "cache"),
                       "--output", str(out_dir), "--seed", "1")
    assert code == 1  # TOY-2 fails and TOY-3's mutant survives
    report = (out_dir / "REPORT.md").read_text()
    for text in ("**budget**: smoke", "**seed**: 1", "**date**:", "**total time**:", "numpy",
                 "1 of 3 checks passed", "[TOY-FIG1](TOY-FIG1.png)", "TOY-FIG1.csv",
                 "| id | paper | theorem | statement | statistic | interval | verdict | mutants | time |",
                 "## Mutant panels", "| TOY-3 | half_samples | half the samples | NOT REJECTED |"):
        assert text in report, text
    claims_table = report.split("## Mutant panels")[0]
    table = [line for line in claims_table.splitlines() if line.startswith("| TOY-")]
    assert [line.split(" | ")[0] for line in table] == ["| TOY-1", "| TOY-2", "| TOY-3"]
    assert "| holds |" in table[0] and "3/3 rejected" in table[0]
    assert "| FAILS |" in table[1] and "3/4 rejected" in table[2]
    assert "Toy 2026" in table[0] and "Prop 1 [derived]" in table[0] and "N^-1/2" in table[0]
    assert (out_dir / "TOY-FIG1.png").exists()
    doc = json.loads((out_dir / "evidence.json").read_text())
    assert doc["figures"] == [{"name": "TOY-FIG1", "title": TOY_FIGURE.title, "png": "TOY-FIG1.png",
                               "csv": "TOY-FIG1.csv"}]


def test_reproduce_exits_0_when_every_check_passes(toy_registry, capsys, tmp_path):
    code, out, _ = run(capsys, "reproduce", "--budget", "smoke", "--jobs", "1", "--cache-dir", str(tmp_path / "cache"),
                       "--output", str(tmp_path / "out"))
    assert code == 0, out
    assert "1 of 1 checks passed" in (tmp_path / "out" / "REPORT.md").read_text()


def test_a_figure_that_raises_is_reported_and_fails_the_run(capsys, tmp_path):
    def broken(data, path):
        raise RuntimeError("plot bug")

    with isolated_registry(toy_claim()), registered_figures(Figure("TOY-BAD", "broken", (TOY_SWEEP,), broken)):
        code, _, err = run(capsys, "reproduce", "--budget", "smoke", "--jobs", "1", "--cache-dir", str(tmp_path / "c"),
                           "--output", str(tmp_path / "o"))
    assert code == 1 and "plot bug" in err
    assert "TOY-BAD**: broken — ERROR: RuntimeError: plot bug" in (tmp_path / "o" / "REPORT.md").read_text()


def test_verify_with_a_users_learner(toy_registry, capsys, tmp_path, monkeypatch):
    (tmp_path / "my_learners.py").write_text(
        "import numpy as np\n\n"
        "def median(draws):\n    return np.median(draws, axis=1)\n\n"
        "def first(draws):\n    return draws[:, 0]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(__import__("sys").modules, "my_learners", raising=False)
    code, out, _ = run(capsys, "verify", "TOY-1", "--budget", "smoke", "--learner", "my_learners:median",
                       "--json", "e.json")
    assert code == 0, out
    claim, = json.loads((tmp_path / "e.json").read_text())["claims"]
    assert claim["learner"] == "my_learners:median" and claim["holds"] and claim["mutants"] == []
    assert run(capsys, "verify", "TOY-1", "--budget", "smoke", "--learner", "my_learners:first")[0] == 1
    for spec, message in (("my_learners", "MODULE:FUNCTION"), ("no_such_module:f", "cannot import"),
                          ("my_learners:nope", "no attribute"), ("my_learners:np", "not a callable")):
        code, _, err = run(capsys, "verify", "TOY-1", "--budget", "smoke", "--learner", spec)
        assert code == 2 and message in err, (spec, err)


def test_calibrate_counts_holds_and_rejections_over_seeds(mixed_registry, capsys, tmp_path):
    path = tmp_path / "cal.json"
    code, out, err = run(capsys, "calibrate", "TOY-1", "TOY-3", "--budget", "smoke", "--seeds", "3",
                         "--cache-dir", str(tmp_path / "c"), "--json", str(path))
    assert code == 1  # TOY-3's half_samples mutant is never rejected
    doc = json.loads(path.read_text())
    assert doc["seeds"] == [1, 2, 3] and doc["budget"] == "smoke" and doc["command"].startswith("provable-rl calibrate")
    toy1, toy3 = doc["claims"]
    assert toy1["id"] == "TOY-1" and toy1["hold_rate"] == 1.0 and toy1["seeds"] == [1, 2, 3]
    assert {m["name"]: m["rejection_rate"] for m in toy1["mutants"]} == {
        "sqrt_samples": 1.0, "first_sample": 1.0, "biased": 1.0}
    assert {m["name"]: m["rejection_rate"] for m in toy3["mutants"]}["half_samples"] == 0.0
    assert doc["suite"] == {"passes": 0, "seeds": 3, "pass_rate": 0.0, "failed_at": [1, 2, 3]}
    assert "half_samples" in out and "0/3" in out and "whole selection passed at 0/3 seeds" in out
    code, _, _ = run(capsys, "calibrate", "TOY-1", "--budget", "smoke", "--seeds", "2", "--cache-dir",
                     str(tmp_path / "c"))
    assert code == 0
    # The calibration lands in REPORT.md when reproduce finds it beside the report.
    out_dir = tmp_path / "pf"
    out_dir.mkdir()
    (out_dir / "calibration_smoke.json").write_text(path.read_text())
    run(capsys, "reproduce", "--budget", "smoke", "--jobs", "1", "--cache-dir", str(tmp_path / "c"),
        "--output", str(out_dir))
    report = (out_dir / "REPORT.md").read_text()
    assert "## Measured error rates" in report and "passed at 0 of 3 seeds" in report
    assert "|  |  | half_samples | 0.00 [0.00, 0.71] |" in report


def test_calibrations_run_in_parts_merge_into_one(mixed_registry, capsys, tmp_path):
    cache = str(tmp_path / "c")
    for part in ("TOY-1", "TOY-3"):
        run(capsys, "calibrate", part, "--budget", "smoke", "--seeds", "2", "--cache-dir", cache,
            "--json", str(tmp_path / f"{part}.json"))
    code, out, _ = run(capsys, "calibrate", "--merge", str(tmp_path / "TOY-1.json"), str(tmp_path / "TOY-3.json"),
                       "--json", str(tmp_path / "all.json"))
    assert code == 1 and "passed at 0/2 seeds" in out
    merged = json.loads((tmp_path / "all.json").read_text())
    assert [c["id"] for c in merged["claims"]] == ["TOY-1", "TOY-3"] and len(merged["parts"]) == 2
    code, out, _ = run(capsys, "calibrate", "--merge", str(tmp_path / "TOY-1.json"), "--json", str(tmp_path / "one.json"))
    assert code == 0 and "passed at 2/2 seeds" in out
    code, _, err = run(capsys, "calibrate", "--merge", str(tmp_path / "TOY-1.json"), str(tmp_path / "TOY-1.json"),
                       "--json", str(tmp_path / "dup.json"))
    assert code == 2 and "appears twice" in err


def test_cache_clear_and_info(toy_registry, capsys, tmp_path):
    cache = str(tmp_path / "c")
    assert run(capsys, "verify", "TOY-1", "--budget", "smoke", "--cache-dir", cache)[0] == 0
    code, out, _ = run(capsys, "cache", "info", "--cache-dir", cache)
    assert code == 0 and f"{TOY_SWEEP.name}: {4 * len(toy_cells('smoke'))} cells" in out
    code, out, _ = run(capsys, "cache", "clear", "--cache-dir", cache)
    assert code == 0 and f"removed {4 * len(toy_cells('smoke'))} cached cells" in out
    code, out, _ = run(capsys, "verify", "TOY-1", "--budget", "smoke", "--cache-dir", cache)
    assert "0 of 120 cells read from cache" in out


def test_reproduce_runs_on_every_core_by_default():
    # The command a newcomer runs uses the machine; the other commands run in this process unless asked.
    parser = cli.build_parser()
    assert parser.parse_args(["reproduce"]).jobs == -1
    assert parser.parse_args(["reproduce", "--jobs", "1"]).jobs == 1
    assert parser.parse_args(["verify"]).jobs == 1


def test_module_entry_point():
    done = subprocess.run([sys.executable, "-m", "experiments", "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and "reproduce" in done.stdout


def test_importing_the_packages_loads_neither_matplotlib_nor_cvxpy():
    code = ("import sys, experiments, experiments.cli, experiments.report, experiments.figures, provable_rl; "
            "bad = [m for m in ('matplotlib', 'cvxpy') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_search_reports_the_worst_case_and_each_mutants_counterexample(capsys, tmp_path):
    out = tmp_path / "search.json"
    code, text, _ = run(capsys, "search", "lcb-c3", "--panel", "--json", str(out))
    assert code == 0, text
    assert "LCB-C3   algorithm" in text and "no counterexample" in text
    for mutant in ("ucb", "empirical_best", "optimistic_unseen"):
        assert f"mutant:{mutant}" in text
    assert text.count("COUNTEREXAMPLE") == 3
    document = json.loads(out.read_text())
    by_learner = {run_["learner"]: run_ for run_ in document["searches"]}
    assert by_learner["algorithm"]["counterexample"] is None
    from proofs_check.search import load_instance, replay

    counterexample = by_learner["mutant:ucb"]["counterexample"]
    load_instance(counterexample)
    assert replay(counterexample).p_value == counterexample["p_value"]


def test_search_over_seeds_counts_the_searches_that_found_a_counterexample(capsys, tmp_path):
    out = tmp_path / "rates.json"
    code, text, _ = run(capsys, "search", "LCB-C3", "--mutant", "ucb", "--seeds", "3", "--json", str(out))
    assert code == 0 and "found at 3/3 seeds" in text
    assert json.loads(out.read_text())["summary"][0]["found"] == 3
    # The algorithm is not caught: --seeds counts 0 counterexamples and exits 0.
    code, text, _ = run(capsys, "search", "LCB-C3", "--seeds", "2")
    assert code == 0 and "found at 0/2 seeds" in text


def test_search_exits_1_when_a_mutant_survives(capsys, monkeypatch):
    # A panel search whose mutant yields no counterexample (here: the mutant is the algorithm itself).
    from proofs_check import Claim, Mutant

    monkeypatch.setattr(Claim, "get_mutant", lambda self, name: Mutant(name, self.protocol.default, "not wrong"))
    code, text, _ = run(capsys, "search", "LCB-C3", "--mutant", "ucb", "--seed", "0")
    assert code == 1 and "no counterexample" in text


@pytest.mark.parametrize("argv, message", [
    (("search", "NOPE-1"), "no searchable claim"),
    (("search", "LCB-C3", "--mutant", "nope"), "nope"),
    (("search", "LCB-C3", "--examples", "0"), "positive"),
])
def test_search_bad_arguments_exit_2(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_a_closed_pipe_ends_the_command_quietly():
    # `provable-rl list | head -1`: the reader goes away; no traceback, the shell's SIGPIPE code.
    proc = subprocess.Popen([sys.executable, "-m", "experiments", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.read(10)
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait() in (0, cli.EXIT_BROKEN_PIPE)
    assert b"Traceback" not in stderr


def test_reproduce_searches_are_the_same_in_the_side_worker():
    # reproduce runs the bound searches in a worker of its own when --jobs != 1: same documents, in order.
    from experiments.cli import _run_searches, _side_worker

    def timeless(documents):
        return [{k: v for k, v in doc.items() if k != "seconds"} for doc in documents]

    serial = _run_searches(["LCB-C3", "LCB-V1"], 0)
    side = _side_worker()
    try:
        pooled = side.submit(_run_searches, ["LCB-C3", "LCB-V1"], 0).result()
    finally:
        side.shutdown(wait=True)
    assert [doc["claim"] for doc in pooled] == ["LCB-C3", "LCB-V1"]
    assert timeless(pooled) == timeless(serial)
