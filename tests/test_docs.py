"""The documentation's promises that can be checked without building it.

- Every public object the API reference documents has a numpydoc docstring with every parameter
  described and, when it returns something, a Returns section (numpydoc's own validator).
- Nothing points to notes outside the repository: the theory lives in ``docs/theory/``.
- Every cross-reference (a ``:ref:`` role) in the code, the notebooks and the docs names a label
  that a docs page defines, so a reader can always follow a claim back to its theorem.
- The generated pages (claim catalogue, command line) cover every claim and subcommand.

The build itself (``sphinx -W``) runs in ``.ci/run`` after the tests.
"""
from __future__ import annotations

import importlib
import inspect
import re
import sys
import warnings
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SOURCES = ("mdps", "provable_rl", "proofs_check", "experiments", "benchmarks", "tests", "notebooks", "docs")
#: numpydoc checks every documented object must pass: a docstring exists (GL08), every parameter
#: is documented (PR01) and described (PR07), none is unknown (PR02), and a Returns section when
#: something is returned (RT01).
REQUIRED = ("GL08", "PR01", "PR02", "PR07", "RT01")


def documented_objects() -> list[str]:
    """Import paths of every object the API pages render (automodule :members: and autofunction)."""
    paths = []
    for page in sorted((DOCS / "api").glob("*.md")):
        text = page.read_text()
        for block in re.findall(r"```\{eval-rst\}\n(.*?)```", text, flags=re.S):
            for match in re.finditer(r"\.\. (automodule|autofunction|autoclass):: (\S+)\n((?:   :.*\n)*)", block):
                directive, target, options = match.groups()
                if directive != "automodule":
                    paths.append(target)
                elif ":members:" in options:
                    module = importlib.import_module(target)
                    for name in getattr(module, "__all__", ()):
                        obj = getattr(module, name)
                        if inspect.ismodule(obj):
                            continue
                        if callable(obj):
                            paths.append(f"{target}.{name}")
    return sorted(set(paths))


def test_the_api_reference_documents_every_public_module():
    names = documented_objects()
    modules = {path.rsplit(".", 1)[0] for path in names}
    for module in ("mdps", "mdps.instances", "mdps.instances.lcb", "mdps.instances.ftpedel", "mdps.instances.hnpg",
                   "mdps.instances.dual_rl", "mdps.instances.optimistic_ac", "provable_rl.lcb", "provable_rl.lcb_lower_bounds", "provable_rl.ftpedel", "provable_rl.hnpg",
                   "provable_rl.dual_rl", "provable_rl.optimistic_ac", "proofs_check", "experiments.report",
                   "experiments.figures", "experiments.plotting"):
        assert module in modules, f"docs/api does not render {module} (missing __all__ or :members:?)"
    assert len(names) > 200


@pytest.mark.parametrize("path", documented_objects())
def test_public_docstring_has_parameters_and_returns(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpydoc warns about unknown sections ("Example" for "Examples")
        result = numpydoc_validate.validate(path)
    problems = [f"{code}: {message}" for code, message in result["errors"] if code in REQUIRED]
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def _text_files():
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in (".py", ".md", ".ipynb", ".rst", ".txt") and "_build" not in path.parts \
                    and path.parent.name != "notebooks" or (path.suffix == ".ipynb" and top == "notebooks"):
                if path.is_file() and "_build" not in path.parts and not (top == "docs" and "notebooks" in path.parts):
                    yield path
    yield ROOT / "README.md"


OUTSIDE = re.compile(r"theory/[a-z_]+\.md|DESIGN\.md|\.\./shared|shared/theory|theory notes?\b", re.I)


def test_nothing_points_to_notes_outside_the_repository():
    offenders = []
    for path in _text_files():
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not offenders, "references to notes that do not ship with the project:\n" + "\n".join(offenders)


def _generate_module():
    sys.path.insert(0, str(DOCS))
    try:
        return importlib.import_module("_generate")
    finally:
        sys.path.remove(str(DOCS))


def _labels() -> set[str]:
    """Labels of the committed pages and of the pages the build generates (a fresh clone has no
    ``docs/cli.md`` or ``docs/catalogue.md`` until Sphinx runs)."""
    label = re.compile(r"^\(([A-Za-z0-9_\-:.]+)\)=\s*$", flags=re.M)
    generate = _generate_module()
    texts = [generate.cli_markdown(), generate.catalogue_markdown(None)]
    texts += [page.read_text() for page in DOCS.rglob("*.md")
              if "_build" not in page.parts and page.name not in ("cli.md", "catalogue.md")]
    return {name for text in texts for name in label.findall(text)}


REFERENCE = re.compile(r"(?::ref:|\{ref\})`(?:[^`<]*<)?([A-Za-z0-9_\-:.]+)>?`")


def test_every_cross_reference_names_a_label_of_the_docs():
    labels = _labels()
    missing = []
    for path in _text_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            for label in REFERENCE.findall(line):
                if label not in labels:
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {label}")
    assert not missing, "references to labels no docs page defines:\n" + "\n".join(missing)


def test_each_paper_module_points_to_its_theory_page():
    for module in ("lcb", "ftpedel", "hnpg", "dual_rl", "optimistic_ac"):
        page = DOCS / "theory" / f"{module}.md"
        assert page.is_file(), page
        assert f"(theory-{module})=" in page.read_text()
        for package in ("provable_rl", "proofs_check"):
            doc = importlib.import_module(f"{package}.{module}").__doc__
            assert f"theory-{module}" in doc, f"{package}.{module}'s docstring does not point to its theory page"


def test_generated_pages_cover_every_claim_and_subcommand():
    generate = _generate_module()
    from proofs_check import all_claims

    catalogue = generate.catalogue_markdown(generate.load_calibration())
    for claim in all_claims():
        assert f"### {claim.id}:" in catalogue
        for mutant in claim.mutants:
            assert f"`{mutant.name}`" in catalogue
    # The generator's markers for a claim or a mutant missing from the committed calibration (a
    # panel note may say "not calibrated" of a learner that is not in the panel).
    assert "Not in the committed calibration." not in catalogue, "the committed calibration misses a claim"
    assert "| not calibrated |" not in catalogue, "the committed calibration misses a mutant"
    cli = generate.cli_markdown()
    for command in ("list", "verify", "calibrate", "figures", "reproduce", "cache"):
        assert f"`provable-rl {command}`" in cli
