"""The HNPG figures build from smoke data, and the HNPG notebook runs top to bottom at the smoke budget."""

import pytest

from experiments.figures import make_figure
from experiments.hnpg import FIGURES, average_suboptimality, loss_curves, samples_to_solve



def test_summaries_of_rows():
    rows = [{"length": 3, "learner": "hybrid", "solved": s, "online_samples": n} for s, n in ((1, 10), (0, 30))]
    assert samples_to_solve(rows, "hybrid", "online_samples") == [(3, 20.0, 10.0, 30.0, False)]
    rows = [{"learner": "hybrid", "t": t, "seed": k, "mc_loss": float(t + k)} for t in (0, 1) for k in (0, 1)]
    rows.append({"learner": "hybrid", "t": 2, "seed": 0, "mc_loss": None})
    t, mean, lo, hi = loss_curves(rows, "hybrid", "mc_loss")
    assert list(t) == [0, 1] and list(mean) == [0.5, 1.5] and all(lo < mean) and all(hi > mean)
    rows = [{"gamma": 0.5, "T": T, "average_suboptimality": v} for T, v in ((10, 1.0), (10, 3.0), (20, 0.5), (20, 1.5))]
    T, mean, _, _ = average_suboptimality(rows, 0.5)
    assert list(T) == [10.0, 20.0] and list(mean) == [2.0, 1.0]


@pytest.mark.parametrize("figure", FIGURES, ids=lambda f: f.name)
def test_figure_builds_from_smoke_data(figure, tmp_path, smoke_cache):
    png = make_figure(figure, "smoke", output_dir=tmp_path, cache_dir=smoke_cache)
    assert png.exists() and png.stat().st_size > 10_000
    assert (tmp_path / f"{figure.name}.csv").exists()


def test_notebook_runs_at_smoke_budget(run_notebook):
    outputs, figures = run_notebook("hnpg")
    assert len(list(figures.glob("HNPG-FIG*.png"))) == len(FIGURES)
    for claim_id in ("HNPG-H1", "HNPG-H4", "HNPG-H5", "HNPG-H6", "HNPG-H7", "HNPG-H8"):
        assert f"{claim_id}: holds=True" in outputs
