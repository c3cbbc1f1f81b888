"""Every ``Examples`` section in the packages' docstrings runs and prints what it shows."""
import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ("mdps", "provable_rl", "proofs_check", "experiments")


def _modules():
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")]
    return sorted(names)


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"


def test_the_examples_are_found():
    """A guard on the collection itself: the packages do hold examples, and a failing one is caught."""
    attempted = sum(doctest.testmod(importlib.import_module(name), verbose=False, report=False).attempted
                    for name in ("mdps.sampling", "provable_rl.optimistic_ac"))
    assert attempted >= 5

    def broken():
        """
        >>> 1 + 1
        3
        """

    finder, runner = doctest.DocTestFinder(), doctest.DocTestRunner(verbose=False)
    for test in finder.find(broken, "broken", globs={}):
        runner.run(test, out=lambda _: None)
    assert runner.failures == 1
