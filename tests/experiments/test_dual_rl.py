"""Figures of experiments.dual_rl build from smoke data; the notebook runs top to bottom."""
from pathlib import Path

import nbformat
import pytest

from experiments.dual_rl import FIGURES
from experiments.figures import make_figure

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    # Shared by both tests: the notebook reads the rows the figure test computed.
    return tmp_path_factory.mktemp("dual_rl_cache")


def test_figures_build_from_smoke_data(tmp_path, cache):
    assert [f.name for f in FIGURES] == ["DUAL-FIG1", "DUAL-FIG2", "DUAL-FIG3", "DUAL-FIG4"]
    for figure in FIGURES:
        png = make_figure(figure, "smoke", tmp_path, cache_dir=cache)
        assert png.exists() and png.stat().st_size > 10_000
        assert (tmp_path / f"{figure.name}.csv").exists()


def test_notebook_runs_at_smoke_budget(tmp_path, cache, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("PROVABLE_RL_BUDGET", "smoke")
    monkeypatch.setenv("PROVABLE_RL_CACHE", str(cache))
    monkeypatch.setenv("PROVABLE_RL_FIGURES", str(tmp_path / "figures"))
    nb = nbformat.read(ROOT / "notebooks" / "dual_rl.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    assert len(list((tmp_path / "figures").glob("DUAL-FIG*.png"))) == 4
