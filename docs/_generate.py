"""Pages of the documentation generated from the code and the committed data, never by hand.

``catalogue.md``
    Every registered claim: its paper and theorem, statement, kind, learner protocol, mutant
    panel (with the panel note), the figures drawn from its sweep, and the hold and rejection
    rates measured by ``provable-rl calibrate`` (read from
    ``paper_figures/calibration_quick.json``; a claim missing from that file says so).
``cli.md``
    The command line: ``provable-rl --help`` and the help of every subcommand.

Both are written by ``docs/conf.py`` at the start of every build, and
``tests/test_docs.py`` checks that they can be generated and cover every claim.
"""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION = ROOT / "paper_figures" / "calibration_quick.json"

PAPER_PAGES = {
    "lcb": ("theory/lcb", "LCB pessimism"),
    "ftpedel": ("theory/ftpedel", "PEDEL and FTPedel"),
    "hnpg": ("theory/hnpg", "Hybrid NPG and HAC"),
    "dual_rl": ("theory/dual_rl", "Dual RL"),
    "optimistic_ac": ("theory/optimistic_ac", "Optimistic actor-critic"),
}


def _rate(successes_rate: float, seeds: list) -> str:
    return f"{round(successes_rate * len(seeds))}/{len(seeds)}"


def _interval(interval) -> str:
    low, high = interval
    return f"[{low:.2f}, {high:.2f}]"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def load_calibration(path: Path = CALIBRATION) -> dict | None:
    """The committed calibration document, or None when there is none."""
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def catalogue_markdown(calibration: dict | None = None) -> str:
    """The claim catalogue as MyST markdown, one section per paper and one entry per claim.

    Parameters
    ----------
    calibration : dict or None
        A document written by ``provable-rl calibrate --json`` (or ``--merge``); its rates are
        shown next to each claim. None shows "not calibrated" everywhere.

    Returns
    -------
    str
        The page's text.
    """
    from experiments.figures import all_figures
    from proofs_check import all_claims

    measured = {entry["id"]: entry for entry in (calibration or {}).get("claims", [])}
    figures_of: dict[str, list[str]] = {}
    for figure in all_figures():
        for sweep in figure.sweeps:
            figures_of.setdefault(sweep.name, []).append(figure.name)

    lines = ["# Claim catalogue", "",
             "Every claim the library checks, generated from the claim registry and the committed "
             "calibration (`paper_figures/calibration_quick.json`) each time the documentation is built. "
             "A claim **holds** when its statistic passes; each mutant of its panel is a deliberately wrong "
             "learner that the same check must **reject**. The rates are the fractions of root seeds at "
             "which that happened, with exact (Clopper-Pearson) 95% intervals.", ""]
    if calibration:
        lines += [f"Calibration: budget `{calibration.get('budget')}`, seeds "
                  f"{min(calibration['seeds'])}..{max(calibration['seeds'])}, measured {calibration.get('date', '?')}"
                  f" (`{calibration.get('command', 'provable-rl calibrate')}`); the whole selection passed at "
                  f"{calibration['suite']['passes']}/{calibration['suite']['seeds']} seeds.", ""]
    else:
        lines += ["No calibration file is committed: no rates are shown.", ""]

    claims = all_claims()
    for module, (page, title) in PAPER_PAGES.items():
        selected = [claim for claim in claims if claim.module == module]
        if not selected:
            continue
        lines += [f"## {title}", "", f"Theory: {{doc}}`/{page}`.", ""]
        for claim in selected:
            lines += [f"### {claim.id}: `{claim.name}`", "",
                      f"*{_cell(claim.paper)}, {_cell(claim.theorem)}.* Kind: **{claim.kind}**. "
                      f"Learner protocol: `{claim.protocol.name}`.", "",
                      _cell(claim.statement), ""]
            entry = measured.get(claim.id)
            if entry is not None:
                lines += [f"Held at {_rate(entry['hold_rate'], entry['seeds'])} seeds "
                          f"(95% interval {_interval(entry['hold_interval'])}).", ""]
            else:
                lines += ["Not in the committed calibration.", ""]
            lines += ["| mutant | what is wrong | rejected |", "|---|---|---|"]
            rates = {m["name"]: m for m in (entry or {}).get("mutants", [])}
            for mutant in claim.mutants:
                rate = rates.get(mutant.name)
                shown = (f"{_rate(rate['rejection_rate'], entry['seeds'])} {_interval(rate['rejection_interval'])}"
                         if rate else "not calibrated")
                lines.append(f"| `{mutant.name}` | {_cell(mutant.description)} | {shown} |")
            lines.append("")
            if claim.panel_note:
                lines += [f"Panel note: {_cell(claim.panel_note)}", ""]
            figures = figures_of.get(claim.sweep.name, [])
            if figures:
                lines += ["Figures from the same sweep: " + ", ".join(f"`{name}`" for name in figures) + ".", ""]
    return "\n".join(lines) + "\n"


def cli_markdown() -> str:
    """The command-line reference: the help text of ``provable-rl`` and of each subcommand.

    Returns
    -------
    str
        The page's text (MyST markdown).
    """
    import argparse

    from experiments.cli import build_parser

    parser = build_parser()
    lines = ["(cli)=", "# Command line", "", "Generated from the parser at build time.", "", "```text",
             parser.format_help().rstrip(), "```", ""]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                lines += [f"## `provable-rl {name}`", "", "```text", subparser.format_help().rstrip(), "```", ""]
    return "\n".join(lines)


def write_generated_pages(docs: Path) -> None:
    """Write ``catalogue.md`` and ``cli.md`` into the documentation source folder ``docs``.

    Parameters
    ----------
    docs : pathlib.Path
        The documentation source folder.
    """
    for name, text in (("catalogue.md", catalogue_markdown(load_calibration())), ("cli.md", cli_markdown())):
        path = docs / name
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
