r"""PEDEL's own theorem (Wagenmaker & Jamieson 2022): claims on the episodes PEDEL uses.

PEDEL (Policy Elimination with Online Experiment Design) is the online-only algorithm that
FTPedel extends (:ref:`theory-ftpedel`); its claims live here, beside :mod:`proofs_check.ftpedel`,
which imports this module last so that they register with the rest of the paper's claims.
"""
from __future__ import annotations
