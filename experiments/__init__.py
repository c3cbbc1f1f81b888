"""Figures, the report and the ``provable-rl`` command line.

- :mod:`experiments.figures`: the :class:`~experiments.figures.Figure` protocol (sweep rows in,
  CSV and PNG out) and the figure registry; each paper's figures are ``FIGURES`` in
  ``experiments/<paper>.py``.
- :mod:`experiments.plotting`: log-log rate panels, reference slopes, confidence bands.
- :mod:`experiments.report`: verifying claims in bulk; the table, JSON evidence and REPORT.md.
- :mod:`experiments.cli`: ``provable-rl list | verify | calibrate | figures | reproduce | cache``
  (also ``python -m experiments``); its reference is the :ref:`command-line page <cli>`.

Nothing here is imported eagerly, so ``import experiments`` stays fast (matplotlib is imported
only by the functions that draw).
"""
