"""Figures of experiments.optimistic_ac build from smoke data; the notebook runs top to bottom."""
from pathlib import Path

import nbformat

from tests.experiments.conftest import check_stored_outputs
import pytest

from experiments.figures import make_figure
from experiments.optimistic_ac import FIGURES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    # Shared by both tests: the notebook reads the rows the figure test computed.
    return tmp_path_factory.mktemp("optimistic_ac_cache")


def test_figures_build_from_smoke_data(tmp_path, cache):
    assert [f.name for f in FIGURES] == ["AC-FIG1", "AC-FIG2", "AC-FIG3", "AC-FIG4", "AC-FIG5"]
    for figure in FIGURES:
        png = make_figure(figure, "smoke", tmp_path, cache_dir=cache)
        assert png.exists() and png.stat().st_size > 10_000
        assert (tmp_path / f"{figure.name}.csv").exists()


def test_notebook_runs_at_smoke_budget(tmp_path, cache, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("PROVABLE_RL_BUDGET", "smoke")
    monkeypatch.setenv("PROVABLE_RL_CACHE", str(cache))
    monkeypatch.setenv("PROVABLE_RL_FIGURES", str(tmp_path / "figures"))
    nb = nbformat.read(ROOT / "notebooks" / "optimistic_ac.ipynb", as_version=4)
    check_stored_outputs(nb, "optimistic_ac")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    assert len(list((tmp_path / "figures").glob("AC-FIG*.png"))) == 5
