"""Fixtures shared by the figure and notebook tests of every paper."""
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke_cache(tmp_path_factory):
    """One sweep cache per test module, so the figures and the notebook run the smoke sweeps once."""
    return tmp_path_factory.mktemp("smoke_cache")


@pytest.fixture
def run_notebook(tmp_path, monkeypatch, smoke_cache):
    """Execute ``notebooks/<name>.ipynb`` top to bottom at the smoke budget.

    Returns the text the code cells printed and the folder the notebook wrote its figures to.
    The notebook must be stored without outputs.
    """
    nbclient = pytest.importorskip("nbclient")

    def run(name: str):
        figures = tmp_path / "figures"
        monkeypatch.setenv("PROVABLE_RL_BUDGET", "smoke")
        monkeypatch.setenv("PROVABLE_RL_CACHE", str(smoke_cache))
        monkeypatch.setenv("PROVABLE_RL_FIGURES", str(figures))
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"), \
            f"notebooks/{name}.ipynb is stored with outputs"
        nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(ROOT)}}).execute()
        printed = "".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                          for out in cell.get("outputs", []))
        return printed, figures

    return run
