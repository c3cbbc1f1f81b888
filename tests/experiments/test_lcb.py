"""The LCB figures build from smoke data, and the LCB notebook runs top to bottom at the smoke budget."""

import re

import pytest

from experiments.figures import make_figure
from experiments.lcb import FIGURES, worst_case_curve



def test_worst_case_curve_is_the_outer_max_of_block_means():
    rows = [{"N": 10, "grid": g, "block": b, "v": v} for g, b, v in
            [("a", 0, 1.0), ("a", 1, 3.0), ("b", 0, 2.5), ("b", 1, 2.5)]]
    x, mean, lo, hi = worst_case_curve(rows, "v")
    assert list(x) == [10.0] and mean[0] == 2.5 and lo[0] == hi[0] == 2.5


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_figure_builds_from_smoke_data(figure, tmp_path, smoke_cache):
    png = make_figure(figure, "smoke", output_dir=tmp_path, cache_dir=smoke_cache)
    assert png.exists() and png.stat().st_size > 10_000
    assert (tmp_path / f"{figure.name}.csv").exists()


def test_notebook_runs_at_smoke_budget(run_notebook):
    outputs, figures = run_notebook("lcb")
    assert len(list(figures.glob("LCB-FIG*.png"))) == len(FIGURES)
    assert "LCB-C2: holds=True" in outputs and "LCB-M4: holds=True" in outputs
    # Every mutant of both panels rejected (the notebook prints one "rejects <name>: <bool>" per mutant).
    verdicts = re.findall(r"rejects \S+: (True|False)", outputs)
    assert len(verdicts) >= 6 and set(verdicts) == {"True"}, outputs
