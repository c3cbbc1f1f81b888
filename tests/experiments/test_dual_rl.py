"""Figures of experiments.dual_rl build from smoke data; the notebook runs top to bottom."""


from experiments.dual_rl import FIGURES
from experiments.figures import make_figure



def test_figures_build_from_smoke_data(tmp_path, smoke_cache):
    assert [f.name for f in FIGURES] == ["DUAL-FIG1", "DUAL-FIG2", "DUAL-FIG3", "DUAL-FIG4", "DUAL-FIG5"]
    for figure in FIGURES:
        png = make_figure(figure, "smoke", tmp_path, cache_dir=smoke_cache)
        assert png.exists() and png.stat().st_size > 10_000
        assert (tmp_path / f"{figure.name}.csv").exists()


def test_notebook_runs_at_smoke_budget(run_notebook):
    outputs, figures = run_notebook("dual_rl")
    assert len(list(figures.glob("DUAL-FIG*.png"))) == 5
