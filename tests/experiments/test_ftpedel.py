"""The FTPedel figures build from smoke data, and the FTPedel notebook runs top to bottom at the smoke budget."""
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from experiments.figures import make_figure
from experiments.ftpedel import FIGURES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke_cache(tmp_path_factory):
    """One sweep cache for the figures and the notebook, so the smoke sweeps run once."""
    return tmp_path_factory.mktemp("ftpedel_cache")


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_figure_builds_from_smoke_data(figure, tmp_path, smoke_cache):
    png = make_figure(figure, "smoke", output_dir=tmp_path, cache_dir=smoke_cache)
    assert png.exists() and png.stat().st_size > 10_000
    assert (tmp_path / f"{figure.name}.csv").exists()


def test_notebook_runs_at_smoke_budget(tmp_path, monkeypatch, smoke_cache):
    monkeypatch.setenv("PROVABLE_RL_BUDGET", "smoke")
    monkeypatch.setenv("PROVABLE_RL_CACHE", str(smoke_cache))
    monkeypatch.setenv("PROVABLE_RL_FIGURES", str(tmp_path / "figures"))
    nb = nbformat.read(ROOT / "notebooks" / "ftpedel.ipynb", as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    assert len(list((tmp_path / "figures").glob("FT-FIG*.png"))) == len(FIGURES)
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "FT-F2: holds=True" in outputs and "FT-E3: holds=True" in outputs and "rejected=True" in outputs
    assert "rejected=False" not in outputs
