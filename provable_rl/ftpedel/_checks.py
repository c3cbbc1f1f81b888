"""Argument checks shared by the parts of :mod:`provable_rl.ftpedel`, and the names of its options.

Each check raises ``ValueError`` or ``TypeError`` naming the argument, what was expected and what
was given (the helpers of :mod:`mdps._validation` do the elementary checks).
"""
from __future__ import annotations

import numpy as np

from mdps import _validation as v
from mdps.core import LinearMDP


TARGETS = ("difference", "raw")
DESIGNS = ("optimal", "uniform")
DESIGN_MODELS = ("oracle", "plugin")


def _check_mdp(mdp) -> LinearMDP:
    if not isinstance(mdp, LinearMDP):
        raise TypeError(f"mdp: expected a LinearMDP, got {type(mdp).__name__}")
    return mdp


def _check_policies(mdp: LinearMDP, policies) -> np.ndarray:
    H, S, A = mdp.horizon, mdp.n_states, mdp.n_actions
    pol = v.int_array("policies", policies, high=A)
    if pol.ndim == 2 and pol.shape == (H, S):
        pol = pol[None]
    if pol.ndim != 3 or pol.shape[1:] != (H, S) or pol.shape[0] == 0:
        raise ValueError(f"policies: expected an int array of shape (n_policies, {H}, {S}), got {pol.shape}")
    return pol


def _check_step(mdp: LinearMDP, step) -> int:
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < mdp.horizon:
        raise ValueError(f"step: expected an int in [0, {mdp.horizon}), got {step!r}")
    return int(step)


def _check_psd(name: str, matrix, d: int) -> np.ndarray:
    mat = v.float_array(name, matrix, ndim=2, shape=(d, d))
    if not np.allclose(mat, mat.T, atol=1e-9 * (1 + np.abs(mat).max())):
        raise ValueError(f"{name}: expected a symmetric matrix, got an asymmetric one")
    if np.linalg.eigvalsh(mat).min() < -1e-9 * (1 + np.abs(mat).max()):
        raise ValueError(f"{name}: expected a positive semi-definite matrix, got a negative eigenvalue")
    return mat


def _check_atoms(covariances, d: int) -> np.ndarray:
    """Exploration atoms (J, d, d), J >= 1: symmetric positive semi-definite covariances."""
    C = v.float_array("covariances", covariances, ndim=3, shape=(None, d, d))
    if C.shape[0] == 0:
        raise ValueError("covariances: expected at least one atom, got 0")
    tol = 1e-9 * (1 + np.abs(C).max(axis=(1, 2)))
    if np.any(np.abs(C - np.swapaxes(C, 1, 2)).max(axis=(1, 2)) > tol):
        raise ValueError("covariances: expected symmetric matrices, got an asymmetric one")
    low = np.linalg.eigvalsh(C).min(axis=1)
    if np.any(low < -tol):
        j = int(np.argmax(low < -tol))
        raise ValueError(f"covariances: expected positive semi-definite matrices, got a negative eigenvalue "
                         f"{low[j]!r} at atom {j}")
    return C


def _check_targets(targets, scales):
    V = v.float_array("targets", targets, ndim=2)
    if V.shape[0] == 0:
        raise ValueError("targets: expected at least one target vector, got 0")
    g = v.float_array("scales", scales, ndim=1, shape=(V.shape[0],))
    if np.any(g <= 0):
        raise ValueError(f"scales: expected positive scales, got {g.min()!r}")
    return V, g
