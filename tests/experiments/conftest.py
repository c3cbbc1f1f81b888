"""Fixtures shared by the figure and notebook tests of every paper."""
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


def check_stored_outputs(nb, name: str) -> None:
    """The notebook is stored executed top to bottom at the quick budget, without errors, so a
    reader browsing the repository sees its figures."""
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    counts = [cell.get("execution_count") for cell in code]
    assert counts == list(range(1, len(code) + 1)), \
        f"notebooks/{name}.ipynb is not stored executed in order (execution counts {counts})"
    errors = [out for cell in code for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors, f"notebooks/{name}.ipynb is stored with an error output"
    printed = "".join(out.get("text", "") for cell in code for out in cell.get("outputs", []))
    assert "budget: quick" in printed, f"notebooks/{name}.ipynb is not stored at the quick budget"
    assert any("image/png" in out.get("data", {}) for cell in code for out in cell.get("outputs", [])), \
        f"notebooks/{name}.ipynb is stored without its figures"
    for cell in code:
        cell.outputs = []


@pytest.fixture(scope="module")
def smoke_cache(tmp_path_factory):
    """One sweep cache per test module, so the figures and the notebook run the smoke sweeps once."""
    return tmp_path_factory.mktemp("smoke_cache")


@pytest.fixture
def run_notebook(tmp_path, monkeypatch, smoke_cache):
    """Execute ``notebooks/<name>.ipynb`` top to bottom at the smoke budget.

    Returns the text the code cells printed and the folder the notebook wrote its figures to.
    The notebook must be stored with the outputs of a quick-budget run (:func:`check_stored_outputs`).
    """
    nbclient = pytest.importorskip("nbclient")

    def run(name: str):
        figures = tmp_path / "figures"
        monkeypatch.setenv("PROVABLE_RL_BUDGET", "smoke")
        monkeypatch.setenv("PROVABLE_RL_CACHE", str(smoke_cache))
        monkeypatch.setenv("PROVABLE_RL_FIGURES", str(figures))
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        check_stored_outputs(nb, name)
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT)}}).execute()
        printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                          for out in cell.get("outputs", []))
        return printed, figures

    return run
