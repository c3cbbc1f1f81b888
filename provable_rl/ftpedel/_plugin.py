r"""The plug-in design of :mod:`provable_rl.ftpedel` (``design_model="plugin"``).

Each round's step-h design is planned with the transitions estimated from every transition seen
so far, then verified on the realised covariance like the oracle design
(:ref:`ftpedel-plugin-design`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mdps.core import LinearMDP

from ._data import collect_step
from ._design import _fixed_design_episodes, _minimum_episodes, _q_values
from ._policies import _pair_occupancies, _uniform_probs


#: The plug-in design's search over N stops here (a model that cannot meet the tolerance).
_PLUGIN_MAX_PLAN = 1e12


@dataclass(frozen=True, eq=False)
class _Tabular:
    P: np.ndarray


@dataclass(frozen=True, eq=False)
class _PlanningModel:
    """The model the plug-in design plans with: the known features and initial distribution, and
    estimated transitions ``tabular.P`` (H, S, A, S). It has what the DP oracle reads of a LinearMDP:
    the sizes S, A and d are LinearMDP's own properties (read off ``features``), the horizon is
    read off ``tabular.P`` (a LinearMDP reads it off ``mu``, which the estimate does not have)."""

    features: np.ndarray
    tabular: _Tabular
    initial: np.ndarray

    n_states = LinearMDP.n_states
    n_actions = LinearMDP.n_actions
    dim = LinearMDP.dim

    @property
    def horizon(self) -> int:
        return self.tabular.P.shape[0]


def _estimated_transitions(mdp, counts_h, reg):
    """The ridge estimate of P_h from step-h transition counts (S, A, S), made a transition kernel.

    The regression is the one of the estimator (:func:`_regress_step`): ``mu-hat_h = Lambda^-1 sum
    n(s, a, s') phi(s, a) e_s'^T``, so ``P-hat_h(s' | s, a) = phi(s, a)^T mu-hat_h(s')`` generalises
    to pairs never sampled through the features. It is clipped at 0 and each row renormalised; a
    row with no estimated mass (a pair outside the data's span) gets the uniform next state.
    """
    phi = mdp.features
    S = mdp.n_states
    n_sa = counts_h.sum(axis=-1)
    Lam = np.einsum("sa,sai,saj->ij", n_sa, phi, phi) + reg * np.eye(mdp.dim)
    mu = np.linalg.solve(Lam, np.einsum("sat,sai->it", counts_h, phi))   # (d, S)
    P = np.clip(np.einsum("sai,it->sat", phi, mu), 0.0, None)
    mass = P.sum(axis=-1, keepdims=True)
    return np.where(mass > 1e-12, P / np.maximum(mass, 1e-300), 1.0 / S)


def _plugin_model(mdp, model_counts, h, reg, step_offset):
    """The planning model of step h: P-hat_k for k < h from the counts of step ``k + step_offset``
    (mod H; 0 is the algorithm, 1 the wrong step's data); steps >= h never matter to a step-h
    design and are uniform. Returns the model and whether every step k < h had data."""
    H, S = mdp.horizon, mdp.n_states
    P = np.full((H, S, mdp.n_actions, S), 1.0 / S)
    informed = True
    for k in range(h):
        counts = model_counts[(k + step_offset) % H]
        if counts.sum() == 0:
            informed = False
        else:
            P[k] = _estimated_transitions(mdp, counts, reg)
    return _PlanningModel(mdp.features, _Tabular(P), mdp.initial), informed


def _plugin_collect(mdp, h, vecs, tol, model_counts, design_off_h, verify_off_h, reg, design, growth, budget,
                    online_counts, online_sums, gen, *, verify=True, step_offset=0, frozen=None):
    """Round l's step-h collection with the plug-in design (``design_model="plugin"`` of :func:`ftpedel`).

    Plan with :func:`_plugin_model` (the uniformly random policy while some earlier step has no
    data: nothing to estimate its occupancies from), collect ``ceil(N omega_j)`` episodes of each
    atom, and verify the realised covariance as the oracle design does. When it misses the
    tolerance, re-plan with the model and the data in hand (the realised covariance enters like
    offline data), and collect at least ``(growth - 1)`` times the step's episodes so far, so that
    the collection grows geometrically even when the model is wrong. A plan the model cannot
    meet (a target direction the estimated transitions never reach) falls back to the uniformly
    random policy. ``verify=False`` (a mutant) trusts the first plan. ``frozen`` (a mutant that
    never re-plans): a dict step -> (atoms, weights) filled by the first plan of each step and
    reused in every later round, with N for that design under the model, grown by ``growth``
    until verified. Adds to ``online_counts`` / ``online_sums`` in place; returns the last realised
    design objective and the episodes collected.
    """
    d = mdp.dim
    ones = np.ones(vecs.shape[0])
    model, informed = _plugin_model(mdp, model_counts, h, reg, step_offset)
    plan_design = design if informed else "uniform"
    uniform = _uniform_probs(mdp)[None]

    def plan(known):
        try:
            res = _minimum_episodes(vecs, ones, tol, None, model, h, known, reg, plan_design, 0.02, 0.02, 30,
                                    _PLUGIN_MAX_PLAN, "fixed_point")
        except ValueError:  # the model reaches no design meeting the tolerance
            return None
        return None if res.design is None else (res.design.policies, res.design.weights, res.n_episodes)

    if frozen is not None and h in frozen:
        atoms, weights = frozen[h]
        occ = _pair_occupancies(model, atoms)[:, h]
        cov = np.einsum("j,jsa,sai,sak->ik", weights, occ, mdp.features, mdp.features)
        try:
            N = _fixed_design_episodes(cov, vecs, ones, design_off_h + reg * np.eye(d), tol, 1.0, _PLUGIN_MAX_PLAN)
        except ValueError:
            N = 1.0
    else:
        first = plan(design_off_h)
        atoms, weights, N = first if first is not None else (uniform, np.ones(1), 1.0)
        if frozen is not None:
            frozen[h] = (atoms, weights)
    episodes = 0
    while True:
        extra = np.ceil(N * weights - 1e-9).astype(np.int64)
        if extra.sum() == 0:
            extra[np.argmax(weights)] = 1
        if episodes + extra.sum() > budget:
            raise ValueError(f"max_episodes: the run needs more online episodes than allowed ({budget:g} left)")
        new = collect_step(mdp, atoms, extra, h, gen)
        online_counts += new.counts[h]
        online_sums += new.reward_sums[h]
        episodes += int(extra.sum())
        realised = np.einsum("sa,sai,saj->ij", online_counts.sum(-1), mdp.features, mdp.features)
        objective = float(_q_values(realised + verify_off_h + reg * np.eye(d), vecs, ones)[0].max())
        if objective <= tol or not verify:
            return objective, episodes
        if frozen is not None:
            N = max(N * growth, (growth - 1.0) * episodes)
            continue
        replan = plan(design_off_h + realised)
        if replan is None:
            atoms, weights, N = uniform, np.ones(1), 0.0
        else:
            atoms, weights, N = replan
        N = max(N, (growth - 1.0) * episodes)
