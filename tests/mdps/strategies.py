"""Hypothesis strategies for small random problems (S <= 6, A <= 4), built from seeds.

Drawing a seed (not the arrays) keeps shrinking cheap and every example reproducible; sparse
variants put exact zeros in P so that unreachable states and zero-probability entries occur.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from mdps.core import DiscountedMDP, FiniteHorizonMDP

seeds = st.integers(min_value=0, max_value=2**32 - 1)
gammas = st.sampled_from([0.0, 0.3, 0.7, 0.9, 0.95])


def _kernel(gen, shape, sparse):
    P = gen.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    if sparse:
        # Keep the largest entry of each row so no row is empty, zero the small ones exactly.
        keep = (P >= 0.2) | (P == P.max(axis=-1, keepdims=True))
        P = np.where(keep, P, 0.0)
        P /= P.sum(axis=-1, keepdims=True)
    return P


@st.composite
def discounted_mdps(draw, max_states: int = 6, max_actions: int = 4, gamma=None):
    S = draw(st.integers(1, max_states))
    A = draw(st.integers(1, max_actions))
    g = draw(gammas) if gamma is None else gamma
    sparse = draw(st.booleans())
    gen = np.random.default_rng(draw(seeds))
    initial = gen.dirichlet(np.ones(S))
    if sparse:
        initial = np.eye(S)[gen.integers(S)]
    return DiscountedMDP(_kernel(gen, (S, A, S), sparse), gen.random((S, A)), g, initial)


@st.composite
def finite_horizon_mdps(draw, max_states: int = 6, max_actions: int = 4, max_horizon: int = 5):
    S = draw(st.integers(1, max_states))
    A = draw(st.integers(1, max_actions))
    H = draw(st.integers(1, max_horizon))
    sparse = draw(st.booleans())
    gen = np.random.default_rng(draw(seeds))
    return FiniteHorizonMDP(_kernel(gen, (H, S, A, S), sparse), gen.random((H, S, A)), gen.dirichlet(np.ones(S)))


@st.composite
def stochastic_policies(draw, shape):
    """A policy of ``shape`` (..., A), rows on the simplex, some one-hot."""
    gen = np.random.default_rng(draw(seeds))
    pi = gen.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    if draw(st.booleans()):
        pi = np.eye(shape[-1])[gen.integers(shape[-1], size=shape[:-1])]
    return pi
