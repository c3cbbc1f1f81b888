r"""PEDEL and FTPedel: policy elimination with experiment design in linear MDPs, with offline data.

The theory (setting, pseudo-code, theorems, instances, departures) is on the page
:ref:`theory-ftpedel`.

References
----------
- A. Wagenmaker, K. Jamieson (2022), "Instance-Dependent Near-Optimal Policy Identification in
  Linear MDPs via Online Experiment Design", NeurIPS 2022 (arXiv 2207.02575): **PEDEL**.
- A. Wagenmaker, A. Pacchiano (2023), "Leveraging Offline Data in Online Reinforcement
  Learning", ICML 2023 (arXiv 2211.04974): **FTPedel**.

Theorems of PEDEL and FTPedel
-----------------------------
In the project's notation (:ref:`ftpedel-setting`); the constants are tagged [recalled] there.
A linear MDP of horizon H, with features :math:`\phi(s, a) \in \mathbb{R}^d` and a finite policy
class :math:`\Pi`. The feature visitation is :math:`\phi_{\pi,h} = E_\pi[\phi(s_h, a_h)]` and the
policy covariance :math:`\Lambda_{\pi,h} = E_\pi[\phi \phi^\top]`, so that
:math:`V^\pi = \sum_h \langle \phi_{\pi,h}, \theta_h \rangle`. The offline covariance is
:math:`\Lambda_{\mathrm{off},h} = \sum_\tau \phi \phi^\top` (unnormalised).

- **FTPedel upper bound** (W&P 2023, main theorem; :ref:`ftpedel-upper-bound`). With probability
  at least :math:`1 - \delta`, FTPedel returns an epsilon-optimal policy of :math:`\Pi` after
  :math:`\tilde O(N_{FT}(D_{\mathrm{off}}, \epsilon))` online episodes plus a lower-order
  burn-in, where

  .. math::

     N_{FT} = \sum_h \min\Big\{N : \inf_{\Lambda \in \Omega_h} \max_\pi
     \frac{\|\phi_{\pi,h} - \phi_{\pi^*,h}\|^2_{(N \Lambda + \Lambda_{\mathrm{off},h})^{-1}}}
     {\max(\Delta(\pi), \epsilon)^2} \le \frac{1}{c \beta}\Big\}

  (:func:`ftpedel_complexity`). With :math:`\Lambda_{\mathrm{off}} = 0` this is the online-only
  measure (:func:`online_complexity`). PEDEL's measure (W&J 2022 Thm 1,
  :ref:`ftpedel-pedel-bound`) uses raw visitations and :math:`\max(\Delta, \Delta_{\min}, \epsilon)`.
- **Lower bound** (W&P 2023; :ref:`ftpedel-lower-bound`). Every verifiable
  :math:`(\epsilon, \delta)`-PAC algorithm needs at least
  :math:`\max_h \min\{N : \dots / (\Delta(\pi) + \epsilon)^2 \le c / \beta\}` online episodes
  (:func:`verifiable_lower_bound`).

What provable_rl.ftpedel contains
---------------------------------
One private module per part; every name below is imported here, and ``provable_rl.ftpedel`` is
the one place to import from.

- ``_policies``: exact feature visitations, covariances and gaps of an explicit policy class
  (:func:`policy_class`, :func:`all_deterministic_policies`, :func:`sampled_policies`), and the
  design's linear-minimisation oracle (:func:`best_response_policy`).
- ``_design``: the experiment-design solver (:func:`frank_wolfe_design`, :ref:`ftpedel-design`).
  It runs Frank-Wolfe on the smoothed maximum
  :math:`f(\omega) = \eta^{-1} \log \sum_p \exp(\eta q_p(\omega))` with
  :math:`q_p = v_p^\top (N \Lambda(\omega) + \Lambda_{\mathrm{off}} + \lambda I)^{-1} v_p / g_p^2`.
  The linear-minimisation step over policies is one backward induction
  (:func:`best_response_policy`), so the policy space is never enumerated. :func:`cvxpy_design`
  solves the same convex problem with cvxpy. The minimum number of episodes is found by
  geometric bisection on N (:func:`minimum_episodes`).
- ``_complexity``: the complexity measures built on :func:`minimum_episodes`, including the
  schedule measure the algorithm's rounds target (:func:`schedule_complexity`, the offline gain
  it predicts: claim FT-E8).
- ``_data``: offline and online data as per-step transition statistics
  (:class:`TransitionStatistics`, :func:`sample_offline_statistics`, :func:`collect_step`).
- ``_algorithm``: PEDEL and FTPedel end to end, with sampling (:func:`ftpedel`, :func:`pedel`;
  :ref:`ftpedel-pseudocode`), and the unverifiable baseline :func:`pessimistic_choice`;
  ``_plugin``: the plug-in design (``design_model="plugin"``); ``_checks``: the argument checks
  the parts share.

The modules are private, as in scikit-learn's subpackages (``sklearn/linear_model/_ridge.py``
behind ``sklearn.linear_model``): the parts call one another's private helpers, so where a line
between two of them falls is a choice of layout, not of interface. One public namespace keeps
every import written against the former single module working, documents each name once, and
leaves a part free to move between modules.

Departures from the PEDEL and FTPedel papers
--------------------------------------------
All are deliberate; see each docstring and :ref:`ftpedel-departures`.

- OPTCOV (online Frank-Wolfe driven by a regret minimiser) is replaced by "design, then verify"
  (:ref:`ftpedel-design-then-verify`). By default (``design_model="oracle"``) the design is solved
  with the true model: an oracle design, honest about the statistics but not about the cost of
  finding the exploration policies. Then ``ceil(N omega_j)`` episodes of each atom are collected,
  the realised covariance is checked against the tolerance, and N grows by ``growth`` until the
  check passes. There is therefore no :math:`\epsilon^{-8/5}` burn-in term.
  ``design_model="plugin"`` plans each round's design with the transitions estimated from the
  data so far (the ridge regression the estimator runs, clipped to a kernel; the uniformly random
  policy while an earlier step has no data; the initial distribution is known, as the first
  visitations already assume), verifies the realised covariance the same way and re-plans with
  the data in hand when it misses (:ref:`ftpedel-plugin-design`; claim FT-E7 measures its cost
  against the oracle plan).
- The confidence radius is
  :math:`\beta_\ell = c_\beta \log(2 H \lvert\Pi\rvert \ell^2 / \delta)`
  (:ref:`ftpedel-radius`). The default ``radius_constant = 1`` drops the paper's :math:`H^4`
  factor. That factor comes from a worst-case propagation of visitation errors through the
  horizon. On the project's tiny problems it would make the tolerance
  :math:`\epsilon_\ell^2 / \beta_\ell`, hence every sample size, about :math:`H^4` times larger.
  Correctness at the default is checked empirically instead (claim FT-E1). Pass
  ``radius_constant=H**4`` for the paper's scaling.
- **The propagation target** (the library's addition, :ref:`ftpedel-propagation`). With
  ``targets="difference"`` at H >= 2, the step-h design also covers the leader's own visitation
  :math:`\hat\phi_{L,h}` whenever a survivor acts unlike the leader after step h: the step-h
  regression error reaches the value differences through
  :math:`\langle (\hat P_h - P_h)\phi_{L,h}, V^\pi_{h+1} - V^L_{h+1} \rangle`, which the
  differences alone do not control. Without it (the library until 2026-12-05) a class whose
  policies share their step-h visitation drew no step-h data and returned policies up to
  :math:`2\epsilon` off. The price: a near tie whose later actions differ costs about
  :math:`\beta_L / \epsilon_L^2` episodes.
- Data are handled as sufficient statistics. The step-h transitions of n episodes of a policy are
  drawn as multinomial counts over (s, a, s') with the exact step-h law (the same law as the
  statistics of n rollouts), and every regression uses counts.
"""
from ._algorithm import FTPedelResult, confidence_radius, ftpedel, pedel, pessimistic_choice
from ._complexity import (Complexity, ftpedel_complexity, online_complexity, pedel_complexity, schedule_complexity,
                          verifiable_lower_bound)
from ._data import TransitionStatistics, collect_step, empty_statistics, sample_offline_statistics
from ._design import Design, MinimumEpisodes, cvxpy_design, design_objective, frank_wolfe_design, minimum_episodes
from ._policies import (PolicyClass, all_deterministic_policies, best_response_policy, policy_class, policy_covariance,
                        sampled_policies, uniform_policy)

# Not public, but importable from here as from the former single module: the option names, and
# the private helpers that proofs_check.ftpedel (the panels' broken variants), the tests and the
# theory page reach through provable_rl.ftpedel.
from ._algorithm import _ftpedel, _regress_step, _with_propagation_target  # noqa: F401
from ._checks import DESIGN_MODELS, DESIGNS, TARGETS  # noqa: F401
from ._design import _q_values  # noqa: F401
from ._plugin import _estimated_transitions  # noqa: F401

__all__ = [
    "Complexity", "Design", "FTPedelResult", "MinimumEpisodes", "PolicyClass", "TransitionStatistics",
    "all_deterministic_policies", "best_response_policy", "collect_step", "confidence_radius", "cvxpy_design",
    "design_objective", "empty_statistics", "frank_wolfe_design", "ftpedel", "ftpedel_complexity",
    "minimum_episodes", "online_complexity", "pedel", "pedel_complexity", "pessimistic_choice", "policy_class",
    "policy_covariance", "sample_offline_statistics", "sampled_policies", "schedule_complexity", "uniform_policy",
    "verifiable_lower_bound",
]
