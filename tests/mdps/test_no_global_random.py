"""No code of the project uses numpy's global random state (``np.random.seed``, ``np.random.rand``, ...).

Every draw must come from a ``numpy.random.Generator`` passed in as ``rng``. Allowed under
``np.random.``: constructors and types (``default_rng``, ``Generator``, ``SeedSequence``, the bit
generators) — anything else followed by ``(`` is a call into the global state.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("mdps", "provable_rl", "proofs_check", "experiments")
ALLOWED = {"default_rng", "Generator", "SeedSequence", "BitGenerator", "PCG64", "PCG64DXSM", "Philox",
           "SFC64", "MT19937"}
CALL = re.compile(r"\b(?:np|numpy)\.random\.([A-Za-z_]\w*)\s*\(")
FROM_IMPORT = re.compile(r"from\s+numpy\.random\s+import\s+([^\n]+)")
ALIAS = re.compile(r"(?:import\s+numpy\.random|from\s+numpy\s+import\s+random)\s+as\s+(\w+)")


def offending_lines(text: str) -> list[str]:
    found = []
    aliases = ALIAS.findall(text)
    alias_call = re.compile(r"\b(?:%s)\.([A-Za-z_]\w*)\s*\(" % "|".join(aliases)) if aliases else None
    for lineno, line in enumerate(text.splitlines(), 1):
        calls = CALL.findall(line) + (alias_call.findall(line) if alias_call else [])
        for name in calls:
            if name not in ALLOWED:
                found.append(f"{lineno}: np.random.{name}(")
        for names in FROM_IMPORT.findall(line):
            for name in re.findall(r"\w+", names):
                if name not in ALLOWED and name != "as":
                    found.append(f"{lineno}: from numpy.random import {name}")
    return found


def test_the_check_catches_global_state_calls():
    bad = ("np.random.seed(0)\nx = numpy.random.rand(3)\ny = np.random.choice(5, p=p)\n"
           "from numpy.random import randint\nimport numpy.random as npr\nz = npr.normal(size=3)\n")
    assert len(offending_lines(bad)) == 5
    good = "rng = np.random.default_rng(0)\ng: np.random.Generator = rng\nss = np.random.SeedSequence(1)\n"
    assert offending_lines(good) == []


def test_no_global_numpy_random_state_in_the_project():
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for hit in offending_lines(path.read_text(encoding="utf-8")):
                problems.append(f"{path.relative_to(ROOT)}:{hit}")
    assert not problems, "global numpy random state used:\n" + "\n".join(problems)
