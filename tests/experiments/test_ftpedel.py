"""The FTPedel figures build from smoke data, and the FTPedel notebook runs top to bottom at the smoke budget."""

import re

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
    assert "FT-F2: holds=True" in outputs and "FT-E3: holds=True" in outputs
    # Every mutant of both panels rejected (the notebook prints one "rejects <name>: <bool>" per mutant).
    verdicts = re.findall(r"rejects \S+: (True|False)", outputs)
    assert len(verdicts) >= 6 and set(verdicts) == {"True"}
