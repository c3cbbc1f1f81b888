"""The ``provable-rl`` command line.

::

    provable-rl list                                   # one line per claim: id, kind, paper and theorem, name
    provable-rl verify [PATTERN ...] [--budget smoke|quick|full] [--jobs N] [--backend loky|dask|ray]
                       [--seed N] [--no-cache] [--cache-dir DIR] [--json FILE] [--with-rows]
    provable-rl figures [NAME ...] [--budget ...] [--jobs N] [--output DIR] [--list]
    provable-rl reproduce [--budget quick] [--jobs N] [--output paper_figures]

``verify`` exits 0 only when every selected claim holds and every selected mutant is rejected
(1 otherwise, 2 for bad arguments: unknown options, no claim matching a pattern, an unavailable
backend; any other exception propagates with its traceback, exit status 1). ``reproduce`` runs every claim and its mutant, makes every
figure and writes ``<output>/REPORT.md`` and ``<output>/evidence.json``; it exits like
``verify`` (and 1 when a figure fails). Cells are cached under ``--cache-dir`` (default
``$PROVABLE_RL_CACHE`` or ``.provable_rl_cache``), so an interrupted run resumes. Also
``python -m experiments``.
"""
from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from proofs_check import framework

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXAMPLES = """examples:
  provable-rl list                                  # every claim: id, kind, paper and theorem, name
  provable-rl verify 'LCB-*' --budget smoke         # a paper's claims and mutants, in seconds
  provable-rl verify --jobs 2 --json evidence.json  # all claims at the quick budget, evidence as JSON
  provable-rl figures 'AC-FIG*' --output figs       # figures from cached cells
  provable-rl reproduce --jobs 2                    # everything, and paper_figures/REPORT.md

exit codes: 0 every claim holds and every mutant is rejected; 1 otherwise; 2 bad arguments."""


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int or -1 (all cores), got {text!r}") from None
    if value == 0 or value < -1:
        raise argparse.ArgumentTypeError(f"expected a positive int or -1 (all cores), got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative int, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative int, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    runner = argparse.ArgumentParser(add_help=False)
    group = runner.add_argument_group("running sweeps")
    group.add_argument("--budget", choices=framework.BUDGETS, default=None,
                       help="smoke (seconds, for tests), quick (the default), full (publication quality)")
    group.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                       help="worker processes for the cells (-1: all cores; default 1, in this process)")
    group.add_argument("--backend", choices=framework.BACKENDS, default="loky",
                       help="joblib backend when --jobs != 1 (default loky; dask/ray need their extras)")
    group.add_argument("--seed", type=_seed, default=0, metavar="N", help="root seed of every cell (default 0)")
    group.add_argument("--no-cache", action="store_true", help="recompute every cell and write nothing to the cache")
    group.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                       help="per-cell cache (default $PROVABLE_RL_CACHE or .provable_rl_cache)")
    group.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="progress bars on stderr (default: when stderr is a terminal)")

    parser = argparse.ArgumentParser(
        prog="provable-rl", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check the claims of provable-RL papers on exactly solvable problems: each claim "
                    "must hold, and its mutant (a deliberately broken algorithm) must be rejected.",
        epilog=EXAMPLES)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_list = sub.add_parser("list", help="one line per claim: id, kind, paper and theorem, name",
                            description="List the registered claims.")
    p_list.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch patterns on id or name")

    p_verify = sub.add_parser("verify", parents=[runner], help="check claims and their mutants, print a table",
                              description="Run the claims whose id or name matches a PATTERN (fnmatch; all "
                                          "when none) and their mutants. Exit 0 only when every claim holds "
                                          "and every mutant is rejected.")
    p_verify.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch patterns on id or name")
    p_verify.add_argument("--json", type=Path, default=None, metavar="FILE",
                          help="write the evidence (verdicts, statistics, intervals, timings) as JSON")
    p_verify.add_argument("--with-rows", action="store_true", help="include every row of data in --json")

    p_fig = sub.add_parser("figures", parents=[runner], help="make figures from cached evidence",
                           description="Make the figures whose name matches a NAME pattern (all when none), "
                                       "reading cached cells and computing the missing ones.")
    p_fig.add_argument("names", nargs="*", metavar="NAME", help="fnmatch patterns on figure names")
    p_fig.add_argument("--output", type=Path, default=Path("paper_figures"), metavar="DIR",
                       help="where PNGs and CSVs go (default paper_figures)")
    p_fig.add_argument("--list", action="store_true", dest="list_only", help="list the figures and exit")

    p_rep = sub.add_parser("reproduce", parents=[runner],
                           help="every claim and mutant, every figure, and OUTPUT/REPORT.md",
                           description="Check every claim and its mutant, make every figure, and write "
                                       "OUTPUT/REPORT.md and OUTPUT/evidence.json.")
    p_rep.add_argument("--output", type=Path, default=Path("paper_figures"), metavar="DIR",
                       help="where figures, REPORT.md and evidence.json go (default paper_figures)")
    return parser


def _runner_options(args) -> dict:
    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    return {"seed": args.seed, "jobs": args.jobs, "backend": args.backend,
            "cache_dir": args.cache_dir if args.cache_dir is not None else framework.default_cache_dir(),
            "use_cache": not args.no_cache, "progress": progress}


def _log_result(index: int, total: int, result) -> None:
    print(f"[{index}/{total}] {result.claim.id}: {result.verdict_text}, mutant {result.mutant_text} "
          f"({result.seconds:.1f} s)", file=sys.stderr, flush=True)


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
    return EXIT_OK


def _cmd_verify(args, argv) -> int:
    from . import report

    budget = args.budget or "quick"
    claims = framework.select_claims(args.patterns)
    if not claims:
        print("no claims registered: nothing verified", file=sys.stderr)
        return EXIT_FAILED
    options = _runner_options(args)
    start = time.perf_counter()
    results = report.verify_claims(claims, budget, on_result=_logger(options), **options)
    seconds = time.perf_counter() - start
    print(report.results_table(results))
    if args.json is not None:
        header = report.run_header(budget, args.seed, seconds=seconds, jobs=args.jobs, backend=args.backend,
                                   command=_command_line(argv))
        report.write_json(args.json, report.evidence_document(results, header, with_rows=args.with_rows))
        print(f"evidence written to {args.json}", file=sys.stderr)
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


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
    results = report.verify_claims(claims, budget, on_result=_logger(options), **options)
    print(report.results_table(results))
    figures = _make_figures(all_figures(), budget, args.output, options)
    seconds = time.perf_counter() - start
    header = report.run_header(budget, args.seed, seconds=seconds, jobs=args.jobs, backend=args.backend,
                               command=_command_line(argv))
    args.output.mkdir(parents=True, exist_ok=True)
    report.write_json(args.output / "evidence.json", report.evidence_document(results, header, figures=figures))
    path = report.write_report(args.output / "REPORT.md", results, header, figures)
    print(f"report written to {path} ({len(results)} claims, {len(figures)} figures, {seconds:.1f} s)")
    ok = bool(results) and all(r.passed for r in results) and not any("error" in f for f in figures)
    return EXIT_OK if ok else EXIT_FAILED


def main(argv=None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` when None) and return the exit code."""
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
        if args.command != "list":
            framework.check_backend(args.backend)
        if args.command == "list":
            return _cmd_list(args)
        if args.command == "verify":
            return _cmd_verify(args, argv)
        if args.command == "figures":
            return _cmd_figures(args)
        return _cmd_reproduce(args, argv)
    except framework.SelectionError as err:
        # Bad selections (no claim matches a pattern) and unavailable backends: a usage error.
        # Any other exception (a bug, a paper module failing at import) keeps its traceback, exit 1.
        print(f"provable-rl {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; cached cells are kept, rerun to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
