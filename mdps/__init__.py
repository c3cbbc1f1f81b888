r"""Problems for provable RL: tabular and linear MDPs, bandits, exact planning and offline data.

The ground truth every check in the project compares against:

- **Problems** (frozen dataclasses of validated, read-only arrays): :class:`DiscountedMDP`,
  :class:`FiniteHorizonMDP`, :class:`LinearMDP`, :class:`MultiArmedBandit`,
  :class:`ContextualBandit`; policies as int arrays of actions or float arrays of probabilities
  (:func:`policy_matrix`, :func:`deterministic_policy`, :func:`softmax_policy`).
- **Exact planning**: one entry point, :func:`solve`, and one result type,
  :class:`PlanningResult`, whose error bounds are certified from its own output; exact policy
  evaluation, occupancy measures :math:`d^\pi`, expected returns :math:`J(\pi)`, and the
  single-policy concentrability :math:`C^\star = \max_{s,a} d^{\pi^\star}(s,a)/\mu(s,a)`.
- **Offline data**: :class:`OfflineData` (parallel arrays of tuples), its
  :class:`SufficientStatistics`, data distributions with a prescribed :math:`C^\star`
  (:func:`data_distribution`), and samplers (:func:`sample_episodes`,
  :func:`sample_offline_data`, :func:`sample_statistics`).
- **Converters** to and from pymdptoolbox's arrays and Gymnasium environments.
- **Sparse transitions**: :class:`SparseDiscountedMDP` (``P`` a ``scipy.sparse`` (S A, S)
  matrix) for gridworlds and chains of :math:`10^5` states, solved, evaluated and sampled by the
  same functions (:mod:`mdps.sparse`).

The notation (``S``, ``A``, ``H``, ``gamma``, ``P[s, a, s']``, ``R[s, a]``), the array shapes,
the seeding and validation rules shared by the whole library are stated in :ref:`conventions`.
"""
import os as _os


def _numba_cache() -> bool:
    """Make sure Numba can cache the kernels, or fall back; returns whether caching is on.

    Numba caches a compiled kernel next to its source (``__pycache__``) or in the user's cache
    directory, and refuses to even define a ``cache=True`` function when neither is writable
    ("no locator available": a read-only site-packages and no writable home). Then the cache goes
    to a per-user directory under the system's temporary directory (``NUMBA_CACHE_DIR`` is set for
    this process and its children), with a one-line warning; if that is not writable either, the
    kernels of :mod:`mdps` compile without a cache. An explicit ``NUMBA_CACHE_DIR`` is left alone.
    """
    try:
        import numba
    except ImportError:  # pragma: no cover - numba is a dependency
        return False

    def _probe():  # defined here, so Numba looks for a cache next to this package
        return 0

    try:
        numba.njit(cache=True)(_probe)
        return True
    except RuntimeError as err:
        if "no locator available" not in str(err):
            raise
    import tempfile
    import warnings

    user = _os.getuid() if hasattr(_os, "getuid") else "user"
    path = _os.path.join(tempfile.gettempdir(), f"mdps-numba-cache-{user}")
    try:
        _os.makedirs(path, mode=0o700, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        _os.environ["NUMBA_CACHE_DIR"] = numba.config.CACHE_DIR = path
        numba.njit(cache=True)(_probe)
    except (OSError, RuntimeError):
        _os.environ.pop("NUMBA_CACHE_DIR", None)
        numba.config.CACHE_DIR = ""
        warnings.warn("mdps: Numba cannot write a cache anywhere (package, home and temporary directories "
                      "are read-only); kernels are compiled without a cache", RuntimeWarning, stacklevel=3)
        return False
    warnings.warn(f"mdps: Numba cannot write its cache next to the package or in the home directory; "
                  f"caching compiled kernels in {path} (set NUMBA_CACHE_DIR to choose)", RuntimeWarning, stacklevel=3)
    return True


#: Whether the Numba kernels of mdps are cached across processes (see ``_numba_cache``).
_NUMBA_CACHE = _numba_cache()

from .core import (
    ContextualBandit,
    DiscountedMDP,
    FiniteHorizonMDP,
    LinearMDP,
    MultiArmedBandit,
    deterministic_policy,
    finite_horizon,
    one_hot_linear_mdp,
    policy_matrix,
    softmax_policy,
)
from .converters import from_gymnasium, from_mdptoolbox, to_gymnasium, to_mdptoolbox
from .data import OfflineData, SufficientStatistics, data_distribution
from .planning import (
    PlanningResult,
    backward_induction,
    bellman_residual,
    concentrability,
    expected_return,
    greedy_policy,
    linear_program,
    modified_policy_iteration,
    occupancy,
    optimal_occupancy,
    optimal_return,
    policy_evaluation,
    policy_iteration,
    policy_q_values,
    q_from_values,
    solve,
    state_occupancy,
    suboptimality,
    value_iteration,
)
from .sparse import SparseDiscountedMDP
from .sampling import sample_episodes, sample_offline_data, sample_statistics

__all__ = [
    "backward_induction", "bellman_residual", "from_gymnasium", "from_mdptoolbox", "greedy_policy",
    "linear_program", "modified_policy_iteration", "policy_iteration", "to_gymnasium", "to_mdptoolbox", "value_iteration",
    "ContextualBandit", "DiscountedMDP", "FiniteHorizonMDP", "LinearMDP", "MultiArmedBandit",
    "OfflineData", "PlanningResult", "SparseDiscountedMDP", "SufficientStatistics", "concentrability", "data_distribution",
    "deterministic_policy", "expected_return", "finite_horizon", "occupancy", "one_hot_linear_mdp",
    "optimal_occupancy", "optimal_return", "policy_evaluation", "policy_matrix", "policy_q_values",
    "q_from_values", "sample_episodes", "softmax_policy", "sample_offline_data", "sample_statistics", "solve",
    "state_occupancy", "suboptimality",
]
