"""The ``provable-rl`` command line.

::

    provable-rl list                                   # one line per claim: id, kind, paper and theorem, name
    provable-rl verify [PATTERN ...] [--budget smoke|quick|full] [--jobs N] [--backend loky|dask|ray]
                       [--scheduler ADDRESS] [--seed N] [--no-cache] [--cache-dir DIR] [--json FILE]
                       [--with-rows] [--learner MODULE:FUNCTION]
    provable-rl calibrate [PATTERN ...] [--budget quick] [--seeds K] [--jobs N] [--json FILE]
    provable-rl figures [NAME ...] [--budget ...] [--jobs N] [--output DIR] [--list]
    provable-rl reproduce [--budget quick] [--jobs N] [--output paper_figures]
    provable-rl search [CLAIM ...] [--examples N] [--seed S | --seeds K] [--panel | --mutant NAME]
                       [--learner MODULE:FUNCTION] [--json FILE]
    provable-rl cache clear [--cache-dir DIR]

``verify`` exits 0 only when every selected claim holds and every mutant of its panel is rejected
(1 otherwise, 2 for bad arguments: unknown options, no claim matching a pattern, an unavailable
backend, a learner that cannot be imported; 3 for an internal error, with its traceback; 130 when
interrupted). With ``--learner`` it checks that function (following the claims' learner
protocol) instead of the library's algorithm, without the panels, and exits 0 when every
selected claim holds for it. ``calibrate`` runs the selected claims and their panels at root
seeds 1..K and reports how often each claim held and each mutant was rejected; it exits 0 when
every claim held and every mutant was rejected at every seed. ``reproduce`` runs every claim and its panel, makes every
figure and writes ``<output>/REPORT.md`` and ``<output>/evidence.json``; it exits like
``verify`` (and 1 when a figure fails). Cells are cached under ``--cache-dir`` (default
``$PROVABLE_RL_CACHE`` or ``.provable_rl_cache``), so an interrupted run resumes. With
``--backend dask --scheduler tcp://HOST:8786`` the cells of ``verify``, ``calibrate``,
``figures`` and ``reproduce`` run on an existing Dask cluster (``--scheduler`` without
``--backend dask``, or an address where no scheduler answers, is a usage error, exit 2); see
:ref:`cluster`. Also ``python -m experiments``.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import textwrap
import time
from pathlib import Path

from proofs_check import framework

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
#: The shell's code for a process killed by SIGPIPE: the reader of stdout closed the pipe.
EXIT_BROKEN_PIPE = 141
#: Upper bounds of the numeric options: past them a run could not finish (or allocate) anyway.
MAX_JOBS, MAX_SEEDS = 1024, 100_000
EXAMPLES = """examples:
  provable-rl list                                  # every claim: id, kind, paper and theorem, name
  provable-rl verify 'LCB-*' --budget smoke         # a paper's claims and mutant panels, in seconds
  provable-rl verify 'LCB-M*' --learner mymod:my_learner   # your own algorithm on a paper's claims
  provable-rl calibrate 'LCB-*' --budget smoke --seeds 20   # how often each claim holds, each mutant is rejected
  provable-rl verify --jobs 2 --json evidence.json  # all claims at the quick budget, evidence as JSON
  provable-rl figures 'AC-FIG*' --output figs       # figures from cached cells
  provable-rl reproduce                             # everything (on every core), and paper_figures/REPORT.md
  provable-rl search LCB-V1 --panel                 # worst case of a bound over its class; each mutant's counterexample
  provable-rl verify --budget full --backend dask --scheduler tcp://HOST:8786   # on a Dask cluster

exit codes: 0 every claim holds and every mutant is rejected; 1 a claim failed or a mutant survived;
2 bad arguments; 3 an internal error (traceback on stderr); 130 interrupted."""


def _seeds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}") from None
    if value < 1 or value > MAX_SEEDS:
        raise argparse.ArgumentTypeError(f"expected a positive int <= {MAX_SEEDS}, got {value}")
    return value


def load_learner(spec: str):
    """The callable named by ``module:function`` (``function`` may be dotted), imported.

    The current directory is importable, as for ``python -m``. Raises SelectionError (a usage
    error) when the module or the attribute does not exist or is not callable.
    """
    import importlib
    import os

    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise framework.SelectionError(f"learner: expected MODULE:FUNCTION, got {spec!r}")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj = importlib.import_module(module_name)
    except ImportError as err:
        raise framework.SelectionError(f"learner: cannot import module {module_name!r}: {err}") from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise framework.SelectionError(f"learner: module {module_name!r} has no attribute {attr!r}") from None
    if not callable(obj):
        raise framework.SelectionError(f"learner: {spec!r} is a {type(obj).__name__}, not a callable")
    return obj


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int or -1 (all cores), got {text!r}") from None
    if value == 0 or value < -1 or value > MAX_JOBS:
        raise argparse.ArgumentTypeError(f"expected a positive int <= {MAX_JOBS} or -1 (all cores), got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative int, got {text!r}") from None
    if value < 0 or value >= 2**63:
        raise argparse.ArgumentTypeError(f"expected a non-negative int below 2**63, got {value}")
    return value


def _version() -> str:
    from provable_rl import __version__
    return __version__


def _runner_parent(default_jobs: int) -> argparse.ArgumentParser:
    """The options of every command that runs sweeps (``--jobs`` defaulting to ``default_jobs``)."""
    runner = argparse.ArgumentParser(add_help=False)
    group = runner.add_argument_group("running sweeps")
    group.add_argument("--budget", choices=framework.BUDGETS, default=None,
                       help="smoke (seconds, for tests), quick (the default), full (publication quality)")
    where = ("1, in this process" if default_jobs == 1
             else f"{default_jobs}: every core; the results do not depend on it")
    group.add_argument("--jobs", type=_jobs, default=default_jobs, metavar="N",
                       help=f"worker processes for the cells (-1: all cores; default {where}); with "
                            "more than one, the uncached cells of every selected claim and mutant run in one pool "
                            "first")
    group.add_argument("--backend", choices=framework.BACKENDS, default="loky",
                       help="where the cells run when --jobs != 1 (default loky: processes on this machine; "
                            "dask/ray need their extras)")
    group.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="with --backend dask: run the cells on the running Dask cluster whose scheduler is "
                            "at ADDRESS (e.g. tcp://10.0.0.5:8786) instead of a local one; --jobs is then "
                            "ignored (the cluster's workers set the parallelism)")
    group.add_argument("--seed", type=_seed, default=0, metavar="N", help="root seed of every cell (default 0)")
    group.add_argument("--no-cache", action="store_true", help="recompute every cell and write nothing to the cache")
    group.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                       help="per-cell cache (default $PROVABLE_RL_CACHE or .provable_rl_cache)")
    group.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bars on stderr (default: when stderr is a terminal)")
    return runner


def build_parser() -> argparse.ArgumentParser:
    runner = _runner_parent(1)
    parser = argparse.ArgumentParser(
        prog="provable-rl", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check the claims of provable-RL papers on exactly solvable problems: each claim "
                    "must hold, and every mutant of its panel (deliberately wrong algorithms) must be rejected.",
        epilog=EXAMPLES)
    parser.add_argument("--version", action="version", version=f"provable-rl {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_list = sub.add_parser("list", help="one line per claim: id, kind, paper and theorem, name",
                            description="List the registered claims.")
    p_list.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch patterns on id or name")
    p_list.add_argument("--protocols", action="store_true",
                        help="also print each claim's learner protocol (the call your own learner must accept) "
                             "and its mutant panel")

    p_verify = sub.add_parser("verify", parents=[runner], help="check claims and their mutant panels, print a table",
                              description="Run the claims whose id or name matches a PATTERN (fnmatch; all "
                                          "when none) and every mutant of their panels. Exit 0 only when every "
                                          "claim holds and every mutant is rejected.")
    p_verify.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch patterns on id or name")
    p_verify.add_argument("--json", type=Path, default=None, metavar="FILE",
                          help="write the evidence (verdicts, statistics, intervals, timings) as JSON")
    p_verify.add_argument("--with-rows", action="store_true", help="include every row of data in --json")
    p_verify.add_argument("--learner", default=None, metavar="MODULE:FUNCTION",
                          help="check this learner (it must follow the claims' protocol, see `provable-rl list "
                               "--protocols`) instead of the library's algorithm; the panels are not run")

    p_cal = sub.add_parser("calibrate", parents=[runner], help="measure each claim's hold rate and each mutant's "
                                                                 "rejection rate over root seeds 1..K",
                           description="Run the selected claims and every mutant of their panels at root seeds "
                                       "1..K and report, per claim, how often it held and, per mutant, how often "
                                       "it was rejected, with exact 95% intervals. --seed is ignored.")
    p_cal.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch patterns on id or name")
    p_cal.add_argument("--seeds", type=_seeds, default=20, metavar="K", help="root seeds 1..K (default 20)")
    p_cal.add_argument("--json", type=Path, default=None, metavar="FILE",
                       help="write per claim id, seeds, hold_rate and mutants [{name, rejection_rate}] as JSON")
    p_cal.add_argument("--merge", type=Path, nargs="+", default=None, metavar="FILE",
                       help="instead of running, merge calibration JSON files of the same budget and seeds "
                            "(e.g. one per paper) into --json, recounting the whole-suite passes")

    p_cache = sub.add_parser("cache", help="manage the per-cell cache",
                             description="Manage the per-cell cache (default $PROVABLE_RL_CACHE or "
                                         ".provable_rl_cache).")
    p_cache.add_argument("action", choices=("clear", "info"), help="clear: delete every cached cell; "
                                                                     "info: count cached cells per sweep")
    p_cache.add_argument("--cache-dir", type=Path, default=None, metavar="DIR", help="the cache directory")

    p_fig = sub.add_parser("figures", parents=[runner], help="make figures from cached evidence",
                           description="Make the figures whose name matches a NAME pattern (all when none), "
                                       "reading cached cells and computing the missing ones.")
    p_fig.add_argument("names", nargs="*", metavar="NAME", help="fnmatch patterns on figure names")
    p_fig.add_argument("--output", type=Path, default=Path("paper_figures"), metavar="DIR",
                       help="where PNGs and CSVs go (default paper_figures)")
    p_fig.add_argument("--list", action="store_true", dest="list_only", help="list the figures and exit")

    p_search = sub.add_parser(
        "search", help="search a bound claim's instance class for its worst case and counterexamples",
        description="Run the hypothesis search of each bound claim (all searchable claims when no CLAIM is "
                    "given) over the instance class its theorem covers: report the instance with the largest "
                    "measured / bound and any counterexample, shrunk to a small instance (as JSON that "
                    "proofs_check.search.load_instance rebuilds). Exit 0 when the learner has no counterexample "
                    "(and, with --panel, every mutant has one), 1 otherwise.")
    p_search.add_argument("claims", nargs="*", metavar="CLAIM", help="fnmatch patterns on searchable claim ids")
    p_search.add_argument("--examples", type=_seeds, default=None, metavar="N",
                          help="instances to try per search (default: each property's own)")
    p_search.add_argument("--seed", type=_seed, default=0, metavar="S", help="the search seed (default 0)")
    p_search.add_argument("--seeds", type=_seeds, default=None, metavar="K",
                          help="instead of one seed, search at seeds 1..K and count the searches that found a "
                               "counterexample (the false-alarm rate for the algorithm, the power for a mutant)")
    who = p_search.add_mutually_exclusive_group()
    who.add_argument("--panel", action="store_true", help="also search every mutant of each claim's panel")
    who.add_argument("--mutant", default=None, metavar="NAME", help="search this mutant of the panel instead")
    who.add_argument("--learner", default=None, metavar="MODULE:FUNCTION",
                     help="search this learner (following the claim's protocol) instead of the library's")
    p_search.add_argument("--json", type=Path, default=None, metavar="FILE",
                          help="write every search (examples, worst instance, counterexample) as JSON")

    # The one command a newcomer runs: on every core by default (the rows do not depend on --jobs).
    p_rep = sub.add_parser("reproduce", parents=[_runner_parent(-1)],
                           help="every claim and mutant, every figure, and OUTPUT/REPORT.md",
                           description="Check every claim and its mutant, make every figure, and write "
                                       "OUTPUT/REPORT.md and OUTPUT/evidence.json.")
    p_rep.add_argument("--output", type=Path, default=Path("paper_figures"), metavar="DIR",
                       help="where figures, REPORT.md and evidence.json go (default paper_figures)")
    return parser


def _runner_options(args) -> dict:
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    return {"seed": args.seed, "jobs": args.jobs, "backend": args.backend, "scheduler": args.scheduler,
            "cache_dir": args.cache_dir if args.cache_dir is not None else framework.default_cache_dir(),
            "use_cache": not args.no_cache, "progress": progress}


def _log_result(index: int, total: int, result) -> None:
    print(f"[{index}/{total}] {result.claim.id}: {result.verdict_text}, mutants {result.mutant_text} "
          f"({result.seconds:.1f} s)", file=sys.stderr, flush=True)


def _log_calibration(index: int, total: int, result) -> None:
    rejected = ", ".join(f"{name} {sum(flags)}/{len(result.seeds)}" for name, flags in result.rejected.items())
    print(f"[{index + 1}/{total}] {result.claim.id}: holds {sum(result.holds)}/{len(result.seeds)}; "
          f"rejected {rejected} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)


def _logger(options: dict):
    """A line per claim on stderr when there are no progress bars."""
    return None if options["progress"] else _log_result


def _command_line(argv) -> str:
    return "provable-rl " + " ".join(shlex.quote(str(a)) for a in argv)


def _cmd_list(args) -> int:
    claims = framework.select_claims(args.patterns)
    if not claims:
        print("no claims registered", file=sys.stderr)
        return EXIT_OK
    width_id = max(len(c.id) for c in claims)
    width_kind = max(len(c.kind) for c in claims)
    width_src = max(len(f"{c.paper}, {c.theorem}") for c in claims)
    for c in claims:
        source = f"{c.paper}, {c.theorem}"
        print(f"{c.id:<{width_id}}  {c.kind:<{width_kind}}  {source:<{width_src}}  {c.name}")
        if args.protocols:
            print(f"    protocol {c.protocol.name}: {c.protocol.signature}  (default {framework.learner_name(c.learner)})")
            for m in c.mutants:
                print(f"    mutant {m.name}: {m.description}")
    if args.protocols:
        print("\nprotocols:")
        seen = {}
        for c in claims:
            seen.setdefault(c.protocol.name, c.protocol)
        for protocol in seen.values():
            print(f"\n{protocol.name}: {protocol.signature}\n" + textwrap.indent(protocol.description.strip(), "    "))
    return EXIT_OK


def _cmd_verify(args, argv) -> int:
    from . import report

    budget = args.budget or "quick"
    claims = framework.select_claims(args.patterns)
    if not claims:
        print("no claims registered: nothing verified", file=sys.stderr)
        return EXIT_FAILED
    learner = None
    if args.learner is not None:
        learner = load_learner(args.learner)
        protocols = sorted({c.protocol.name for c in claims})
        if len(protocols) > 1:
            raise framework.SelectionError(
                f"learner: the selected claims use {len(protocols)} learner protocols ({', '.join(protocols)}); "
                "select claims of one protocol (`provable-rl list --protocols` shows them)")
    options = _runner_options(args)
    start = time.perf_counter()
    results = report.verify_claims(claims, budget, learner=learner, on_result=_logger(options), **options)
    seconds = time.perf_counter() - start
    print(report.results_table(results))
    if args.json is not None:
        header = report.run_header(budget, args.seed, seconds=seconds, jobs=args.jobs, backend=args.backend,
                                   command=_command_line(argv), learner=args.learner or "algorithm")
        report.write_json(args.json, report.evidence_document(results, header, with_rows=args.with_rows))
        print(f"evidence written to {args.json}", file=sys.stderr)
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


def _cmd_calibrate(args, argv) -> int:
    from proofs_check.calibration import calibrate, calibration_document, calibration_table

    from . import report

    if args.merge:
        return _merge_calibrations(args, argv)
    budget = args.budget or "quick"
    claims = framework.select_claims(args.patterns)
    if not claims:
        print("no claims registered: nothing calibrated", file=sys.stderr)
        return EXIT_FAILED
    options = _runner_options(args)
    options.pop("seed")
    start = time.perf_counter()
    results = calibrate(claims, budget, args.seeds,
                        on_result=None if options["progress"] else _log_calibration, **options)
    seconds = time.perf_counter() - start
    print(calibration_table(results))
    print(f"{len(results)} claims x {args.seeds} seeds in {seconds:.1f} s")
    if args.json is not None:
        header = report.run_header(budget, None, seconds=seconds, jobs=args.jobs, backend=args.backend,
                                   command=_command_line(argv))
        report.write_json(args.json, calibration_document(results, header))
        print(f"calibration written to {args.json}", file=sys.stderr)
    ok = all(all(r.holds) and all(all(flags) for flags in r.rejected.values()) for r in results)
    return EXIT_OK if ok else EXIT_FAILED


def _merge_calibrations(args, argv) -> int:
    import json

    from proofs_check.calibration import merge_calibration_documents

    from . import report

    if args.json is None:
        raise framework.SelectionError("merge: --merge needs --json FILE to write the merged calibration to")
    documents = []
    for path in args.merge:
        try:
            documents.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as err:
            raise framework.SelectionError(f"merge: cannot read calibration {str(path)!r}: {err}") from None
    try:
        merged = merge_calibration_documents(documents)
    except (KeyError, TypeError, ValueError) as err:
        raise framework.SelectionError(f"merge: {err}") from None
    merged.update(command=_command_line(argv), date=report.run_header(merged.get("budget"), None)["date"])
    report.write_json(args.json, merged)
    suite = merged["suite"]
    print(f"{len(merged['claims'])} claims; the whole selection passed at {suite['passes']}/{suite['seeds']} seeds; "
          f"written to {args.json}")
    return EXIT_OK if suite["passes"] == suite["seeds"] else EXIT_FAILED


def _cmd_cache(args) -> int:
    root = args.cache_dir if args.cache_dir is not None else framework.default_cache_dir()
    if args.action == "clear":
        removed = framework.clear_cache(root)
        print(f"removed {removed} cached cells from {root}")
        return EXIT_OK
    if not Path(root).is_dir():
        print(f"no cache at {root}")
        return EXIT_OK
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir()):
        print(f"{folder.name}: {sum(1 for _ in folder.glob('*/*.json'))} cells")
    return EXIT_OK


def _make_figures(figures, budget, output: Path, options: dict) -> list[dict]:
    """Make each figure; a failure is recorded (and printed), not raised."""
    import traceback

    import matplotlib

    matplotlib.use("Agg")  # a command-line run never opens windows
    from .figures import make_figure

    made = []
    for figure in figures:
        entry = {"name": figure.name, "title": figure.title}
        try:
            png = make_figure(figure, budget, output, **options)
            entry.update(png=png.name, csv=f"{figure.name}.csv")
            print(f"{figure.name}: {png}", file=sys.stderr)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001  one broken figure must not stop the others
            traceback.print_exc(file=sys.stderr)
            entry["error"] = "".join(traceback.format_exception_only(type(err), err)).strip()
        made.append(entry)
    return made


def _cmd_figures(args) -> int:
    from .figures import select_figures

    figures = select_figures(args.names)
    if args.list_only:
        for f in figures:
            print(f"{f.name}  {f.title}  (sweeps: {', '.join(s.name for s in f.sweeps)})")
        return EXIT_OK
    if not figures:
        print("no figures registered", file=sys.stderr)
        return EXIT_OK
    made = _make_figures(figures, args.budget or "quick", args.output, _runner_options(args))
    for entry in made:
        print(f"{entry['name']}: {'ERROR ' + entry['error'] if 'error' in entry else args.output / entry['png']}")
    return EXIT_FAILED if any("error" in e for e in made) else EXIT_OK


def _cmd_reproduce(args, argv) -> int:
    from . import report
    from .figures import all_figures

    budget = args.budget or "quick"
    options = _runner_options(args)
    start = time.perf_counter()
    claims = framework.all_claims()
    # The worst cases of every explicit bound over its class, beside the fixed-instance verdicts
    # (the searches belong to the paper modules: none inside an isolated registry).
    search_ids = []
    if framework.paper_modules():
        from proofs_check import search as bound_search

        checked = {claim.id for claim in claims}
        search_ids = [prop.claim_id for prop in bound_search.all_properties() if prop.claim_id in checked]
    figures_wanted = all_figures()
    # With a local pool, one more worker runs the searches while the pool computes the cells, then
    # makes the figures while this process checks the claims: the machine is never left with one
    # busy core while another part of the run waits. Every part draws from its own seed, so the
    # outputs do not depend on where they ran.
    side = _side_worker() if args.jobs != 1 and args.backend == "loky" and args.scheduler is None else None
    finished = False
    try:
        searches_done = side.submit(_run_searches, search_ids, args.seed) if side is not None else None
        # The figures' own sweeps join the claims' cells in one pool (verify_claims then runs none).
        runs = framework.claim_runs(claims, seeds=(args.seed,))
        runs += [(sweep, None, args.seed) for figure in figures_wanted for sweep in figure.sweeps]
        framework.precompute_cells(runs, budget, **{k: v for k, v in options.items() if k != "seed"})
        figures_done = side.submit(_make_figures, figures_wanted, budget, args.output, options) \
            if side is not None else None
        results = report.verify_claims(claims, budget, on_result=_logger(options), **options)
        print(report.results_table(results))
        if side is None:
            figures = _make_figures(figures_wanted, budget, args.output, options)
            searches = _run_searches(search_ids, args.seed)
        else:
            figures, searches = figures_done.result(), searches_done.result()
        finished = True
    finally:
        if side is not None:  # an interrupted run does not wait for a search in flight
            side.shutdown(wait=finished, kill_workers=not finished)
    seconds = time.perf_counter() - start
    calibration = _read_calibration(args.output / f"calibration_{budget}.json")
    header = report.run_header(budget, args.seed, seconds=seconds, jobs=args.jobs, backend=args.backend,
                               command=_command_line(argv))
    args.output.mkdir(parents=True, exist_ok=True)
    document = report.evidence_document(results, header, figures=figures)
    document["searches"] = [{k: v for k, v in doc.items() if k != "examples"} for doc in searches]
    report.write_json(args.output / "evidence.json", document)
    path = report.write_report(args.output / "REPORT.md", results, header, figures, calibration, searches)
    print(f"report written to {path} ({len(results)} claims, {len(figures)} figures, {seconds:.1f} s)")
    ok = bool(results) and all(r.passed for r in results) and not any("error" in f for f in figures) \
        and not any(doc["found"] for doc in searches)
    return EXIT_OK if ok else EXIT_FAILED


def _side_worker():
    """One worker process of its own (not joblib's shared pool, which runs the cells)."""
    from joblib.externals.loky import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=1)


def _search_document(claim_id: str, seed: int) -> dict:
    """One bound search as its JSON document (a module-level function, so that a pool can run it)."""
    from proofs_check import search as bound_search

    return bound_search.search(claim_id, seed=seed).to_dict()


def _run_searches(claim_ids, seed: int) -> list[dict]:
    """The searches of ``claim_ids`` at ``seed``, in that order, one after another.

    Each search draws only from its own seed, so the documents do not depend on the process that
    runs them (``reproduce`` runs them in a worker of its own beside the cells' pool).
    """
    return [_search_document(claim_id, seed) for claim_id in claim_ids]


def _search_line(result) -> str:
    worst = result.worst or {}
    ratio = worst.get("ratio")
    text = (f"{result.claim_id:8s} {result.learner:22s} {len(result.examples):3d} examples, worst measured/bound "
            f"{ratio:.3g}" if isinstance(ratio, float) else f"{result.claim_id:8s} {result.learner:22s} worst {ratio}")
    if result.found:
        ce = result.counterexample
        params = ", ".join(f"{k}={v}" for k, v in ce["parameters"].items())
        text += f"; COUNTEREXAMPLE {params}: {ce['summary']}"
    else:
        text += f"; no counterexample (each instance at level {result.per_instance_level:.2g})"
    return text + f" ({result.seconds:.1f} s)"


def _cmd_search(args, argv) -> int:
    import fnmatch

    from proofs_check import search as bound_search
    from proofs_check.calibration import clopper_pearson

    properties = bound_search.all_properties()
    if args.claims:
        chosen = [p for p in properties if any(fnmatch.fnmatchcase(p.claim_id.lower(), c.lower()) for c in args.claims)]
        if not chosen:
            raise framework.SelectionError(f"CLAIM: no searchable claim matches {args.claims}; searchable: "
                                           f"{', '.join(p.claim_id for p in properties)}")
    else:
        chosen = properties
    learner = load_learner(args.learner) if args.learner else None
    seeds = list(range(1, args.seeds + 1)) if args.seeds else [args.seed]
    runs, summary, ok = [], [], True
    for prop in chosen:
        if args.mutant is not None:
            who = [("mutant", args.mutant)]
            prop.claim.get_mutant(args.mutant)
        else:
            who = [("learner", learner)] + ([("mutant", m.name) for m in prop.claim.mutants] if args.panel else [])
        for kind, value in who:
            results = []
            for seed in seeds:
                options = {"mutant": value} if kind == "mutant" else {"learner": value}
                result = bound_search.search(prop.claim_id, max_examples=args.examples, seed=seed, **options)
                results.append(result)
                runs.append(result.to_dict())
                if len(seeds) == 1:
                    print(_search_line(result), flush=True)
            found = sum(r.found for r in results)
            is_mutant = kind == "mutant"
            # A mutant must be caught; the learner under test must not be.
            ok &= (found == len(seeds)) if is_mutant else (found == 0)
            if len(seeds) > 1:
                low, high = clopper_pearson(found, len(seeds))
                label = results[0].learner
                print(f"{prop.claim_id:8s} {label:22s} counterexample found at {found}/{len(seeds)} seeds "
                      f"[{low:.2f}, {high:.2f}], worst measured/bound {max(r.worst['ratio'] for r in results if r.worst):.3g}, "
                      f"{sum(r.seconds for r in results):.1f} s", flush=True)
                summary.append({"claim": prop.claim_id, "learner": label, "seeds": seeds, "found": found,
                                "found_at": [r.seed for r in results if r.found], "interval": [low, high],
                                "seconds": sum(r.seconds for r in results)})
    if args.json is not None:
        from . import report

        header = report.run_header("search", args.seed, command=_command_line(argv), seeds=seeds)
        report.write_json(args.json, {"header": header, "summary": summary, "searches": runs})
    return EXIT_OK if ok else EXIT_FAILED


def _read_calibration(path: Path):
    """The calibration JSON that ``provable-rl calibrate --json`` wrote there, or None."""
    import json

    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _check_writable(args) -> None:
    """Fail before a long run when its output cannot be written (not after it)."""
    import os

    targets = []
    if getattr(args, "json", None) is not None:
        targets.append(("--json", Path(args.json).parent))
    if getattr(args, "output", None) is not None:
        targets.append(("--output", Path(args.output)))
    for option, folder in targets:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise framework.SelectionError(f"{option}: expected a writable location, got {str(folder)!r} "
                                           f"({str(existing)!r} is not a writable directory)")


def main(argv=None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` when None) and return the exit code.

    Exit codes: 0 every selected claim holds and every mutant is rejected; 1 a claim failed, a
    mutant survived or a figure failed; 2 bad arguments; 3 an internal error (a bug, with its
    traceback on stderr); 130 interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2), message already printed
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE if argv else EXIT_OK
    try:
        if args.command not in ("list", "cache", "search"):
            framework.check_backend(args.backend)
            if args.scheduler is not None:
                # Before any work: --scheduler only means something with dask, and an address
                # nobody answers at is reported now (within the timeout), not after the cached cells.
                if args.backend != "dask":
                    raise framework.SelectionError(f"--scheduler: a Dask scheduler needs --backend dask, "
                                                   f"got --backend {args.backend}")
                framework.connect_scheduler(args.scheduler)
        _check_writable(args)
        if args.command == "list":
            return _cmd_list(args)
        if args.command == "cache":
            return _cmd_cache(args)
        # One command runs one version of the code: each sweep's code fingerprint (part of every
        # cell key) is computed once for the whole command, not once per cell.
        with framework.fingerprint_batch():
            if args.command == "verify":
                return _cmd_verify(args, argv)
            if args.command == "calibrate":
                return _cmd_calibrate(args, argv)
            if args.command == "figures":
                return _cmd_figures(args)
            if args.command == "search":
                return _cmd_search(args, argv)
            return _cmd_reproduce(args, argv)
    except framework.SelectionError as err:
        # Bad selections (no claim matches a pattern) and unavailable backends: a usage error.
        # Any other exception (a bug, a paper module failing at import) keeps its traceback, exit 1.
        print(f"provable-rl {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; cached cells are kept, rerun to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`provable-rl list | head`): stop quietly, with the
        # shell's code for SIGPIPE, and keep Python from complaining when it flushes stdout at exit.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception:  # noqa: BLE001  a bug: its traceback, and a code of its own (not "a claim failed")
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(f"provable-rl {args.command}: internal error (exit {EXIT_ERROR}); the traceback is above",
              file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
