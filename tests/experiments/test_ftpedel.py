"""The FTPedel figures build from smoke data, and the FTPedel notebook runs top to bottom at the smoke budget."""

import pytest

from experiments.figures import make_figure
from experiments.ftpedel import FIGURES

@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_figure_builds_from_smoke_data(figure, tmp_path, smoke_cache):
    png = make_figure(figure, "smoke", output_dir=tmp_path, cache_dir=smoke_cache)
    assert png.exists() and png.stat().st_size > 10_000
    assert (tmp_path / f"{figure.name}.csv").exists()

def test_notebook_runs_at_smoke_budget(run_notebook):
    outputs, figures = run_notebook("ftpedel")
    assert len(list(figures.glob("FT-FIG*.png"))) == len(FIGURES)
    assert "FT-F2: holds=True" in outputs and "FT-E3: holds=True" in outputs and "rejected=True" in outputs
    assert "rejected=False" not in outputs
