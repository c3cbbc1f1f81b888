"""The figure protocol (tidy rows in, CSV and PNG out, never rerunning cached cells) and the
plotting helpers."""
import csv

import numpy as np
import pytest

from experiments import figures as figures_module
from experiments.figures import (
    Figure,
    all_figures,
    figure_data,
    make_figure,
    register_figure,
    registered_figures,
    select_figures,
    unregister_figure,
    write_csv,
)
from experiments.plotting import mean_interval, rate_panel, reference_line
from proofs_check.framework import isolated_registry
from tests.proofs_check.test_framework import CALLS, TOY_SWEEP, toy_cells


def _plot(data, path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    rows = data[TOY_SWEEP.name]
    ax.plot([r["n_samples"] for r in rows], [r["error"] for r in rows], ".")
    fig.savefig(path)
    plt.close(fig)


def test_make_figure_writes_csv_and_png_and_reads_the_cache(tmp_path):
    figure = Figure("TOY-FIG", "toy", [TOY_SWEEP], _plot)
    assert figure.sweeps == (TOY_SWEEP,)
    CALLS.clear()
    png = make_figure(figure, "smoke", tmp_path / "out", cache_dir=tmp_path / "cache", seed=4)
    n_cells = len(toy_cells("smoke"))
    assert len(CALLS) == n_cells
    assert png == tmp_path / "out" / "TOY-FIG.png" and png.read_bytes()[:4] == b"\x89PNG"
    with open(tmp_path / "out" / "TOY-FIG.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n_cells and rows[0]["sweep"] == TOY_SWEEP.name
    assert set(rows[0]) == {"sweep", "n_samples", "block", "error"}
    CALLS.clear()
    make_figure(figure, "smoke", tmp_path / "out", cache_dir=tmp_path / "cache", seed=4)
    assert CALLS == []
    data = figure_data(figure, "smoke", cache_dir=tmp_path / "cache", seed=4)
    assert CALLS == [] and len(data[TOY_SWEEP.name]) == n_cells


def test_a_plot_that_writes_nothing_is_an_error(tmp_path):
    figure = Figure("TOY-EMPTY", "nothing", (TOY_SWEEP,), lambda data, path: None)
    with pytest.raises(RuntimeError, match="did not write"):
        make_figure(figure, "smoke", tmp_path, use_cache=False)


def test_write_csv_uses_the_union_of_columns(tmp_path):
    write_csv([{"a": 1, "b": 2.5}, {"a": 2, "c": "x"}], tmp_path / "sub" / "t.csv")
    lines = (tmp_path / "sub" / "t.csv").read_text().splitlines()
    assert lines == ["a,b,c", "1,2.5,", "2,,x"]


def test_figure_registry_and_selection():
    fig_a = Figure("TOY-A1", "a", (TOY_SWEEP,), _plot)
    fig_b = Figure("TOY-B1", "b", (TOY_SWEEP,), _plot)
    with isolated_registry():
        assert all_figures() == []
        with registered_figures(fig_a, fig_b):
            assert all_figures() == [fig_a, fig_b]
            assert select_figures(["TOY-B*"]) == [fig_b]
            assert select_figures("TOY-A1") == [fig_a]
            with pytest.raises(ValueError, match="no figure matches"):
                select_figures(["NOPE"])
            with pytest.raises(ValueError, match="registered twice"):
                register_figure(Figure("TOY-A1", "other", (TOY_SWEEP,), _plot))
        assert all_figures() == []
        register_figure(fig_a)
        assert unregister_figure("TOY-A1") is fig_a
        with pytest.raises(ValueError, match="no registered figure"):
            unregister_figure(fig_a)
    assert figures_module._EXTRA == {}


def test_figure_validates_its_fields():
    with pytest.raises(ValueError, match="name"):
        Figure("", "t", (TOY_SWEEP,), _plot)
    with pytest.raises(TypeError, match="Sweep"):
        Figure("F", "t", ("toy.mc_mean",), _plot)
    with pytest.raises(TypeError, match="plot"):
        Figure("F", "t", (TOY_SWEEP,), None)
    with pytest.raises(TypeError, match="Figure"):
        register_figure("F")


def test_plotting_helpers_draw_the_fitted_slope_and_reference(tmp_path):
    import matplotlib.pyplot as plt

    x = np.array([10.0, 100.0, 1000.0])
    fig, ax = plt.subplots()
    line = rate_panel(ax, x, 2 * x ** -0.5, lower=x ** -0.5, upper=3 * x ** -0.5, label="measured")
    reference_line(ax, x, -0.5, anchor=2 * 10 ** -0.5)
    labels = [t.get_text() for t in ax.legend().get_texts()]
    assert labels == ["measured (slope -0.50)", "rate $x^{-0.5}$"]
    assert np.allclose(line.get_ydata(), 2 * x ** -0.5)
    assert np.allclose(ax.get_lines()[1].get_ydata(), 2 * x ** -0.5)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    rate_panel(ax, x, np.array([1.0, 0.0, 1.0]), label="with a zero")  # no slope to fit, no error
    assert ax.get_lines()[-1].get_label() == "with a zero"
    plt.close(fig)


def test_mean_interval_is_a_student_t_interval_over_the_last_axis():
    import scipy.stats

    values = np.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]])
    mean, lo, hi = mean_interval(values)
    assert np.allclose(mean, [2.0, 4.0])
    # s = 1 over 3 values: half-width t_{2, 0.975} / sqrt(3) = 4.303 / sqrt(3), wider than 1.96 / sqrt(3).
    assert np.allclose(hi - mean, [scipy.stats.t.ppf(0.975, 2) / np.sqrt(3), 0.0]) and np.allclose(mean - lo, hi - mean)
    assert np.allclose(mean_interval(values, confidence_z=1.96)[2], hi, rtol=1e-4)
    assert np.all(mean_interval(values, confidence=0.5)[2] < hi + 1e-12)
    single = mean_interval(np.array([[5.0]]))
    assert all(np.allclose(v, [5.0]) for v in single)
    with pytest.raises(ValueError, match="confidence"):
        mean_interval(values, confidence=1.0)
