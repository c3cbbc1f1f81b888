"""API-wide fuzz of bad inputs: every public function of ``mdps``, ``mdps.instances`` and the
``provable_rl`` modules raises, and names the argument.

The project promises (README, "Errors and exit codes") that a bad input at a public boundary raises a
``ValueError`` or ``TypeError`` whose message names the argument, and never crashes, hangs,
returns a result or is silently corrected. This file checks that promise mechanically.

**The table.** :data:`ENTRIES` maps a public callable to a *valid call* (keyword arguments built
from small fixtures) and, for each argument, its :class:`Arg` kind. A kind lists the categories of
bad input that apply to it (wrong types: a bool for an int, a string for a number, complex, None;
NaN / inf; out of range; wrong shapes; huge sizes; wrong objects) and a hypothesis strategy for
each, which draws the parameters of one mutation of the valid value (where to put the NaN, which
huge size, which wrong type...). A case is (entry, argument, category, drawn parameters): the
valid call with that one argument mutated. Extending the fuzz to another package is a matter of
adding entries (and fixtures) with ``package=`` set, and listing the package in ``PACKAGES``;
:func:`test_every_public_name_has_an_entry` checks that every name of a package's ``__all__`` has
one (or a documented exemption: ``PRL_EXEMPT`` lists provable_rl's result classes and constants,
``PAPER_INSTANCE_MODULES`` those of the papers' instance modules ``mdps.instances.<paper>``).

**Isolation.** Cases run in a worker subprocess (this file run as a script), one batch per run,
which announces each case before running it and reports its outcome after: a segmentation fault or
an abort is attributed to the case that was running, a case that takes longer than
:data:`CASE_TIMEOUT` seconds is a hang (the worker is killed), and the batch resumes in a fresh
worker. The worker's address space is capped (:data:`WORKER_MEMORY`) so that an unguarded huge
allocation fails fast instead of swapping the machine.

**Budget.** The default run draws :data:`DEFAULT_EXAMPLES` values per (entry, argument,
category): the simplest example hypothesis tries first (the first wrong type, a NaN at index 0,
the smallest huge size...) and a random one, about 5400 cases in one worker (this file and
``test_api_fuzz_framework.py`` took 71 s under pytest on the shared 2-core machine, 2026-12-05, warm
Numba caches; each entry's valid call runs once per worker first, so a cold cache costs its compile
time once, under the startup timeout). ``pytest -m slow`` draws :data:`SLOW_EXAMPLES` per triple.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import queue
import re
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: Seconds a single case may take before it counts as a hang.
CASE_TIMEOUT = 20.0
#: Seconds a worker may take to start (imports, fixtures, compiling the kernels on a cold cache).
STARTUP_TIMEOUT = 300.0
#: Address-space cap of the worker, in bytes.
WORKER_MEMORY = 6 * 2**30
#: Hypothesis examples per (entry, argument, category): the default run, and the slow run.
DEFAULT_EXAMPLES = 2
SLOW_EXAMPLES = 50

NAN, INF = float("nan"), float("inf")


# ================================================================================================
# Fixtures: small valid problems, built in the worker (deterministically) and cached.
# ================================================================================================

def _build_fixtures() -> dict:
    import mdps

    gen = np.random.default_rng(20261205)
    S, A, H = 3, 2, 3
    P = gen.dirichlet(np.ones(S), size=(S, A))
    R = gen.random((S, A))
    initial = gen.dirichlet(np.ones(S))
    P_h = gen.dirichlet(np.ones(S), size=(H, S, A))
    R_h = gen.random((H, S, A))
    dmdp = mdps.DiscountedMDP(P, R, 0.9, initial)
    fh = mdps.FiniteHorizonMDP(P_h, R_h, initial)
    lin = mdps.one_hot_linear_mdp(fh)
    mab = mdps.MultiArmedBandit([0.2, 0.5, 0.9])
    cb = mdps.ContextualBandit([0.5, 0.5], [[0.1, 0.9, 0.4], [0.7, 0.2, 0.3]])
    mu = np.full((S, A), 1.0 / (S * A))
    mu_h = np.full((H, S, A), 1.0 / (S * A))
    data = mdps.sample_offline_data(dmdp, mu, 40, rng=0)
    fh_data = mdps.sample_episodes(fh, np.zeros((H, S), int), 5, rng=0)
    stats = data.statistics
    gym_P = {
        0: {0: [(0.5, 0, 0.0, False), (0.5, 1, 1.0, False)], 1: [(1.0, 2, 0.5, False)]},
        1: {0: [(1.0, 1, 0.0, False)], 1: [(0.3, 0, 1.0, False), (0.7, 2, 0.0, False)]},
        2: {0: [(1.0, 2, 0.25, False)], 1: [(1.0, 0, 0.75, False)]},
    }
    return dict(S=S, A=A, H=H, P=P, R=R, initial=initial, P_h=P_h, R_h=R_h, dmdp=dmdp, fh=fh, lin=lin,
                mab=mab, cb=cb, mu=mu, mu_h=mu_h, data=data, fh_data=fh_data, stats=stats, gym_P=gym_P,
                solution=dmdp.solution)


_FIXTURES: dict | None = None


def fixtures() -> dict:
    global _FIXTURES
    if _FIXTURES is None:
        _FIXTURES = _build_fixtures()
        _FIXTURES.update(_build_prl_fixtures(_FIXTURES))
    return _FIXTURES


# ================================================================================================
# Mutations: each category is a function (valid value, drawn parameters) -> bad value, and each
# argument kind a list of (category, strategy of parameters).
# ================================================================================================

def _flat_pick(arr: np.ndarray, frac: float) -> tuple:
    flat = min(int(frac * arr.size), arr.size - 1)
    return np.unravel_index(flat, arr.shape)


def m_replace(value, params):
    """Replace the value by the drawn one (a wrong type, an out-of-range scalar, a huge size)."""
    return params


def m_object(value, params):
    """Replace by a wrong object: a fixture by name, or a literal."""
    kind, payload = params
    return fixtures()[payload] if kind == "fixture" else payload


def m_array_type(value, params):
    arr = np.asarray(value)
    return {
        "none": None,
        "str": "0.5",
        "str_array": arr.astype(str),
        "complex_array": arr.astype(complex) + 1j,
        "complex_real": arr.astype(complex),
        "bool_array": arr != 0,
        "ragged": [list(np.ravel(arr)[:2]), [0.5]],
        "object_str": np.array([str(x) for x in np.ravel(arr)], dtype=object).reshape(arr.shape),
        "dict": {"a": 1},
    }[params]


def m_nonfinite(value, params):
    frac, bad = params
    arr = np.array(value, dtype=float)
    arr[_flat_pick(arr, frac)] = bad
    return arr


def m_entry(value, params):
    """Set one drawn entry to a drawn (out-of-range) value."""
    frac, bad = params
    arr = np.array(value)
    arr = arr.astype(float) if isinstance(bad, float) else arr
    arr[_flat_pick(arr, frac)] = bad
    return arr


def m_negative_keep_sum(value, params):
    """One entry of a probability row made negative, another raised: the row still sums to 1."""
    frac, eps = params
    arr = np.array(value, dtype=float)
    rows = arr.reshape(-1, arr.shape[-1])
    r = min(int(frac * rows.shape[0]), rows.shape[0] - 1)
    shift = rows[r, 0] + eps
    rows[r, 0] -= shift
    rows[r, -1] += shift if rows.shape[1] > 1 else 0.0
    return rows.reshape(arr.shape)


def m_bad_sum(value, params):
    frac, factor = params
    arr = np.array(value, dtype=float)
    rows = arr.reshape(-1, arr.shape[-1])
    r = min(int(frac * rows.shape[0]), rows.shape[0] - 1)
    rows[r] *= factor
    return rows.reshape(arr.shape)


def m_shape(value, params):
    how, frac = params
    arr = np.asarray(value)
    if how == "extra_axis":
        return np.stack([arr] * 5)
    if how == "drop_axis":
        return arr[0] if arr.ndim else arr
    if how == "truncate":
        axes = [i for i in range(arr.ndim) if arr.shape[i] > 1]
        if not axes:
            return np.concatenate([arr, arr], axis=0) if arr.ndim else arr[None]
        ax = axes[min(int(frac * len(axes)), len(axes) - 1)]
        return np.take(arr, range(arr.shape[ax] - 1), axis=ax)
    if how == "empty":
        return np.zeros((0,), dtype=arr.dtype)
    if how == "scalar":
        return arr.reshape(-1)[0]
    raise AssertionError(how)


def m_counts_sum(value, params):
    """Transition counts off by one at a drawn pair (sum over s' no longer equal to the counts)."""
    frac, delta = params
    arr = np.array(value)
    idx = _flat_pick(arr, frac)
    arr[idx] = arr[idx] + delta if arr[idx] + delta >= 0 else arr[idx] + abs(delta)
    return arr


def m_counts_negative(value, params):
    """One count made negative and another of its row raised, so that the row's sum is unchanged."""
    frac, amount = params
    arr = np.array(value)
    rows = arr.reshape(-1, arr.shape[-1])
    r = min(int(frac * rows.shape[0]), rows.shape[0] - 1)
    shift = rows[r, 0] + amount
    rows[r, 0] -= shift
    rows[r, -1] += shift if rows.shape[1] > 1 else 0
    return rows.reshape(arr.shape)


def m_gym(value, params):
    """A corrupted Gymnasium P dict (one entry, one key or one level of the nesting)."""
    import copy

    P = copy.deepcopy(value)
    entry = list(P[0][0][0])
    if params == "prob_str":
        entry[0] = "0.5"
    elif params == "prob_nan":
        entry[0] = NAN
    elif params == "reward_inf":
        entry[2] = INF
    elif params == "reward_complex":
        entry[2] = 1j
    elif params == "next_out_of_range":
        entry[1] = 7
    elif params == "next_bool":
        entry[1] = True
    elif params == "next_float":
        entry[1] = 0.5
    elif params == "terminated_str":
        entry[3] = "yes"
    elif params == "short_entry":
        entry = entry[:3]
    elif params == "state_key_str":
        P["0"] = P.pop(0)
        return P
    elif params == "action_list":
        P[0] = [P[0][0], P[0][1]]
        return P
    elif params == "missing_action":
        del P[1][1]
        return P
    elif params == "prob_negative":
        P[0][0] = [(-0.5, 0, 0.0, False), (1.5, 1, 1.0, False)]
        return P
    elif params == "empty":
        return {}
    P[0][0][0] = tuple(entry)
    return P


MUTATORS: dict[str, Callable] = {
    "replace": m_replace, "object": m_object, "array_type": m_array_type, "nonfinite": m_nonfinite,
    "entry": m_entry, "negative": m_negative_keep_sum, "bad_sum": m_bad_sum, "shape": m_shape,
    "counts_sum": m_counts_sum, "counts_negative": m_counts_negative, "gym": m_gym,
}


def _strategies():
    """Hypothesis strategies of mutation parameters, by category name (imported lazily: the
    worker does not need hypothesis)."""
    from hypothesis import strategies as st

    frac = st.floats(0.0, 1.0, exclude_max=True)
    nonfinite = st.sampled_from([NAN, INF, -INF])
    wrong_int = st.sampled_from([True, False, "3", 3 + 0j, None, b"3", [3], np.bool_(True)])
    wrong_num = st.sampled_from([True, False, "0.5", 0.5 + 0j, 0.5j, None, b"0.5", [0.5], np.bool_(False)])
    nonint = st.one_of(st.sampled_from([NAN, INF, -INF, 2.5]),
                       st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not float(x).is_integer()))
    nonpositive = st.one_of(st.integers(max_value=0), st.sampled_from([-(2**70), 0.0, -1.0]))
    # The first values are the simplest examples: sizes whose products overflow int64 come first.
    over_int = st.one_of(st.sampled_from([2**63 - 1, 2**63, 10**30, 1e30]), st.integers(min_value=2**62 + 1, max_value=2**64))
    over_memory = st.one_of(st.sampled_from([2**62, 2**61 + 1, 2**45]), st.integers(min_value=2**45, max_value=2**62),
                            over_int)
    over_count = st.one_of(st.sampled_from([2**62, 2**53 + 1]), st.integers(min_value=2**53 + 1, max_value=2**62), over_int)
    array_type = st.sampled_from(["bool_array", "str_array", "complex_array", "complex_real", "none", "str",
                                  "ragged", "object_str", "dict"])
    int_array_type = st.sampled_from(["bool_array", "str_array", "complex_array", "none", "str", "ragged",
                                      "object_str", "dict"])
    shapes = st.tuples(st.sampled_from(["extra_axis", "drop_axis", "truncate", "empty", "scalar"]), frac)
    rng_bad = st.sampled_from([True, False, "0", 0.5, -1, 1j, [1.5], "seed", np.bool_(True)])
    return dict(
        frac=frac, nonfinite=nonfinite, wrong_int=wrong_int, wrong_num=wrong_num, nonint=nonint,
        nonpositive=nonpositive, over_int=over_int, over_memory=over_memory, over_count=over_count,
        array_type=array_type, int_array_type=int_array_type, shapes=shapes, rng_bad=rng_bad, st=st,
    )


@dataclass(frozen=True)
class Arg:
    """How to mutate one argument: its kind and per-kind options.

    ``kind`` selects the categories (see :func:`categories`); ``low``/``high`` bound scalars
    (for ranges), ``shapes`` lists the shape mutations that are surely invalid for it, ``wrong``
    the wrong objects (fixture names or literals) for object arguments, ``choices`` the valid
    strings of a choice, ``name`` the name the message must carry (default: the argument's).
    """

    kind: str
    low: float | None = None
    high: float | None = None
    open_low: bool = True
    open_high: bool = True
    shapes: tuple = ("extra_axis", "drop_axis", "truncate", "empty", "scalar")
    wrong: tuple = ()
    name: str | None = None
    optional: bool = False  # None is a valid value (not a wrong type)


OBJECT_LITERALS = (None, 3, "mdp", (1, 2))


def _none_like(x) -> bool:
    """None, the "none" array mutation, or the None wrong object."""
    return x is None or (isinstance(x, str) and x == "none") or (
        isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) and x[0] == "literal" and x[1] is None)


def categories(arg: Arg) -> list[tuple[str, str, object]]:
    """``[(category, mutator, strategy of parameters)]`` for an argument."""
    out = _categories(arg)
    if arg.optional:  # None (and the "none" array mutation) is valid here
        out = [(cat, mut, strat.filter(lambda x: not _none_like(x))) for cat, mut, strat in out]
    return out


def _categories(arg: Arg) -> list[tuple[str, str, object]]:
    s = _strategies()
    st = s["st"]
    out = []
    k = arg.kind
    if k in ("size", "iters", "count", "nonneg_size", "nonneg_count"):  # nonneg_*: 0 is valid
        huge = {"size": s["over_memory"], "iters": s["over_int"], "count": s["over_count"],
                "nonneg_size": s["over_memory"], "nonneg_count": s["over_count"]}[k]
        negative = (st.one_of(st.integers(max_value=-1), st.sampled_from([-(2**70), -1.0]))
                    if k.startswith("nonneg_") else s["nonpositive"])
        out += [("wrong_type", "replace", s["wrong_int"]), ("non_integer", "replace", s["nonint"]),
                ("out_of_range", "replace", negative), ("huge", "replace", huge)]
    elif k == "real":  # a scalar in a range [low, high] (ends open or closed)
        lo, hi = arg.low, arg.high
        bad = []
        if lo is not None:
            bad.append(st.floats(max_value=lo, allow_nan=False, allow_infinity=False, exclude_max=not arg.open_low))
        if hi is not None:
            bad.append(st.floats(min_value=hi, allow_nan=False, allow_infinity=False, exclude_min=not arg.open_high))
        out += [("wrong_type", "replace", s["wrong_num"]), ("nonfinite", "replace", s["nonfinite"])]
        if bad:
            out.append(("out_of_range", "replace", st.one_of(*bad)))
    elif k in ("prob_array", "unit_array", "real_array", "extended_array"):  # extended: +-inf valid, NaN not
        out += [("wrong_type", "array_type", s["array_type"]),
                ("nonfinite", "nonfinite", st.tuples(s["frac"], st.just(NAN) if k == "extended_array"
                                                     else s["nonfinite"]))]
        if arg.shapes:
            out.append(("bad_shape", "shape", st.tuples(st.sampled_from(arg.shapes), s["frac"])))
        if k == "prob_array":
            out += [("negative", "negative", st.tuples(s["frac"], st.floats(1e-6, 0.5))),
                    ("bad_sum", "bad_sum", st.tuples(s["frac"], st.one_of(st.floats(0.0, 0.99), st.floats(1.01, 10.0))))]
        if k == "unit_array":
            out.append(("out_of_range", "entry", st.tuples(
                s["frac"], st.one_of(st.floats(max_value=-1e-6, min_value=-1e6), st.floats(min_value=1.000001, max_value=1e6)))))
    elif k in ("index_array", "count_array"):
        out += [("wrong_type", "array_type", s["int_array_type"]),
                ("non_integer", "entry", st.tuples(s["frac"], st.sampled_from([0.5, NAN, INF, 1.25])))]
        if arg.shapes:
            out.append(("bad_shape", "shape", st.tuples(st.sampled_from(arg.shapes), s["frac"])))
        if k == "index_array":
            out.append(("out_of_range", "entry", st.tuples(s["frac"], st.one_of(
                st.integers(max_value=-1, min_value=-(2**40)), st.integers(min_value=int(arg.high), max_value=2**40)))))
        else:
            out += [("negative", "counts_negative", st.tuples(s["frac"], st.integers(1, 5))),
                    ("huge", "entry", st.tuples(s["frac"], st.integers(2**53 + 1, 2**62)))]
    elif k == "object":
        wrong = [("literal", x) for x in OBJECT_LITERALS] + [("fixture", w) for w in arg.wrong]
        out.append(("wrong_object", "object", st.sampled_from(wrong)))
    elif k == "rng":
        out.append(("wrong_type", "replace", s["rng_bad"]))
    elif k == "choice":
        out.append(("wrong_choice", "replace", st.one_of(
            st.sampled_from([None, True, 3, ["pi"], b"pi", "", "PI "]),
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6).filter(lambda x: x not in arg.wrong))))
    elif k == "flag":
        out.append(("wrong_type", "replace", st.sampled_from([1, 0, "yes", None, 1.0, "False"])))
    elif k == "pair":
        out.append(("wrong_pair", "replace", st.sampled_from(
            ["0,1", (1.0, 0.0), (0.0, NAN), (0.0, INF), (0.0,), (0.0, 1.0, 2.0), ("0", "1"), (True, 2.0),
             (0.0, 1j), 3, {0: 1}, (None, 1.0)])))
    elif k == "gym":
        out.append(("corrupt", "gym", st.sampled_from(
            ["prob_str", "prob_nan", "reward_inf", "reward_complex", "next_out_of_range", "next_bool", "next_float",
             "terminated_str", "short_entry", "state_key_str", "action_list", "missing_action", "prob_negative",
             "empty"])))
        wrong = [("literal", x) for x in OBJECT_LITERALS]
        out.append(("wrong_object", "object", st.sampled_from(wrong)))
    else:
        raise AssertionError(f"unknown kind {k}")
    return out


# ================================================================================================
# The table: public callable -> valid call -> argument kinds.
# ================================================================================================

@dataclass(frozen=True)
class Entry:
    """A public callable, how to call it validly, and how each argument may be mutated."""

    fn: Callable  # takes the valid call's keyword arguments
    valid: Callable[[dict], dict]  # fixtures -> keyword arguments
    args: dict = field(default_factory=dict)  # argument name -> Arg
    extra: dict = field(default_factory=dict)  # argument name -> [(category, mutator, strategy)]
    covers: tuple = ()  # public names of ``package`` this entry exercises (default: its key's base)
    package: str = "mdps"  # the package whose ``__all__`` lists them


def _mdps():
    import mdps

    return mdps


def _call(name):
    return lambda **kw: getattr(_mdps(), name)(**kw)


PROB = Arg("prob_array")
OPTIONAL_PROB = Arg("prob_array", optional=True)
UNIT = Arg("unit_array")
REWARD_MODEL = Arg("choice", wrong=("bernoulli", "gaussian"))
REWARD_STD = Arg("real", low=0.0, open_low=False)
GAMMA = Arg("real", low=0.0, high=1.0, open_low=False, open_high=True)
DISCOUNTED_ONLY = ("fh", "lin", "mab", "cb", "data")
MDP_ONLY = ("mab", "cb", "data", "stats")
ANY_PROBLEM = ("data", "stats", "solution")


def _policy_arg(fx):
    return np.ones((fx["S"], fx["A"])) / fx["A"]


def _counts_extra():
    s = _strategies()
    st = s["st"]
    return [("sum_mismatch", "counts_sum", st.tuples(s["frac"], st.sampled_from([1, -1, 3])))]


def _reward_sums_extra():
    s = _strategies()
    st = s["st"]
    return [("out_of_range", "entry", st.tuples(s["frac"], st.one_of(
        st.floats(min_value=-1e6, max_value=-1e-3), st.floats(min_value=1e3, max_value=1e9))))]


def _stats_call(**kw):
    return _mdps().SufficientStatistics(**kw)


ENTRIES: dict[str, Entry] = {
    # ---------------------------------------------------------------- core
    "DiscountedMDP": Entry(
        _call("DiscountedMDP"),
        lambda fx: dict(P=fx["P"], R=fx["R"], gamma=0.9, initial=fx["initial"], reward_model="bernoulli", reward_std=0.1),
        dict(P=PROB, R=UNIT, gamma=GAMMA, initial=PROB, reward_model=REWARD_MODEL, reward_std=REWARD_STD)),
    "DiscountedMDP[gaussian]": Entry(
        _call("DiscountedMDP"),
        lambda fx: dict(P=fx["P"], R=fx["R"], gamma=0.9, initial=fx["initial"], reward_model="gaussian", reward_std=0.1),
        dict(reward_std=Arg("real", low=0.0, open_low=True)), covers=("DiscountedMDP",)),
    # P is a scipy.sparse matrix (the array mutations make dense arrays); its checks: tests/mdps/test_sparse.py
    "SparseDiscountedMDP": Entry(
        _call("SparseDiscountedMDP"),
        lambda fx: dict(P=__import__("scipy.sparse").sparse.csr_array(fx["P"].reshape(fx["S"] * fx["A"], fx["S"])),
                        R=fx["R"], gamma=0.9, initial=fx["initial"], reward_model="bernoulli", reward_std=0.1),
        dict(R=UNIT, gamma=GAMMA, initial=PROB, reward_model=REWARD_MODEL, reward_std=REWARD_STD)),
    "FiniteHorizonMDP": Entry(
        _call("FiniteHorizonMDP"),
        lambda fx: dict(P=fx["P_h"], R=fx["R_h"], initial=fx["initial"], reward_model="bernoulli", reward_std=0.1),
        dict(P=PROB, R=UNIT, initial=PROB, reward_model=REWARD_MODEL, reward_std=REWARD_STD)),
    "MultiArmedBandit": Entry(
        _call("MultiArmedBandit"), lambda fx: dict(means=[0.2, 0.5, 0.9], reward_model="bernoulli", reward_std=0.1),
        dict(means=Arg("unit_array", shapes=("extra_axis", "empty", "scalar")), reward_model=REWARD_MODEL,
             reward_std=REWARD_STD)),
    "ContextualBandit": Entry(
        _call("ContextualBandit"),
        lambda fx: dict(context_distribution=[0.5, 0.5], means=[[0.1, 0.9, 0.4], [0.7, 0.2, 0.3]]),
        dict(context_distribution=PROB, means=Arg("unit_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")))),
    "LinearMDP": Entry(
        _call("LinearMDP"),
        lambda fx: dict(features=fx["lin"].features, mu=fx["lin"].mu, theta=fx["lin"].theta, initial=fx["initial"]),
        # (features with one action fewer is a valid linear MDP: no "truncate" for features)
        dict(features=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")), mu=Arg("real_array"),
             theta=Arg("real_array"), initial=PROB)),
    "one_hot_linear_mdp": Entry(_call("one_hot_linear_mdp"), lambda fx: dict(mdp=fx["fh"]),
                                dict(mdp=Arg("object", wrong=("dmdp", "lin", "mab")))),
    "finite_horizon": Entry(_call("finite_horizon"), lambda fx: dict(mdp=fx["dmdp"], horizon=4),
                            dict(mdp=Arg("object", wrong=("fh", "lin", "cb")), horizon=Arg("size"))),
    "policy_matrix": Entry(_call("policy_matrix"), lambda fx: dict(policy=np.array([0, 1, 1]), n_actions=2),
                           dict(policy=Arg("index_array", high=2, shapes=()), n_actions=Arg("size"))),
    "policy_matrix[stochastic]": Entry(
        _call("policy_matrix"), lambda fx: dict(policy=_policy_arg(fx), n_actions=2),
        dict(policy=Arg("prob_array", shapes=("empty", "scalar"))), covers=("policy_matrix",)),
    "deterministic_policy": Entry(_call("deterministic_policy"), lambda fx: dict(policy=np.eye(2)[[0, 1, 1]]),
                                  dict(policy=Arg("prob_array", shapes=("empty", "scalar")))),
    "softmax_policy": Entry(_call("softmax_policy"), lambda fx: dict(logits=[[0.0, 1.0], [2.0, -1.0]]),
                            dict(logits=Arg("real_array", shapes=("empty", "scalar")))),
    # ---------------------------------------------------------------- converters
    "from_mdptoolbox": Entry(
        _call("from_mdptoolbox"),
        lambda fx: dict(transitions=np.transpose(fx["P"], (1, 0, 2)), rewards=fx["R"], gamma=0.9,
                        initial=fx["initial"], reward_range=(0.0, 1.0)),
        dict(transitions=PROB, rewards=Arg("real_array", shapes=("extra_axis", "truncate", "empty", "scalar")),
             gamma=GAMMA, initial=OPTIONAL_PROB, reward_range=Arg("pair", optional=True))),
    "to_mdptoolbox": Entry(_call("to_mdptoolbox"), lambda fx: dict(mdp=fx["dmdp"]),
                           dict(mdp=Arg("object", wrong=DISCOUNTED_ONLY))),
    "from_gymnasium": Entry(
        _call("from_gymnasium"), lambda fx: dict(env_or_P=fx["gym_P"], gamma=0.9, initial=fx["initial"], terminal="absorb"),
        dict(env_or_P=Arg("gym"), gamma=GAMMA, initial=OPTIONAL_PROB, terminal=Arg("choice", wrong=("absorb", "sink")))),
    "to_gymnasium": Entry(_call("to_gymnasium"), lambda fx: dict(mdp=fx["dmdp"], n_steps=10),
                          dict(mdp=Arg("object", wrong=("mab", "cb", "data")), n_steps=Arg("iters", optional=True))),
    # ---------------------------------------------------------------- data
    "OfflineData": Entry(
        _call("OfflineData"),
        lambda fx: dict(s=fx["fh_data"].s, a=fx["fh_data"].a, r=fx["fh_data"].r, s_next=fx["fh_data"].s_next,
                        n_states=3, n_actions=2, h=fx["fh_data"].h, horizon=3),
        dict(s=Arg("index_array", high=3), a=Arg("index_array", high=2), r=Arg("real_array"),
             s_next=Arg("index_array", high=3, optional=True), h=Arg("index_array", high=3), n_states=Arg("iters"),
             n_actions=Arg("iters"), horizon=Arg("iters"))),
    "OfflineData.statistics": Entry(
        lambda **kw: _mdps().OfflineData(**kw).statistics,
        lambda fx: dict(s=fx["data"].s, a=fx["data"].a, r=fx["data"].r, s_next=fx["data"].s_next,
                        n_states=3, n_actions=2),
        dict(n_states=Arg("size"), n_actions=Arg("size")), covers=("OfflineData",)),
    "OfflineData.split": Entry(lambda data, **kw: data.split(**kw), lambda fx: dict(data=fx["data"], n_folds=4, rng=0),
                               dict(n_folds=Arg("size"), rng=Arg("rng")), covers=("OfflineData",)),
    "OfflineData.subset": Entry(lambda data, **kw: data.subset(**kw),
                                lambda fx: dict(data=fx["data"], index=np.arange(10)),
                                dict(index=Arg("index_array", high=40, shapes=("extra_axis", "empty", "scalar"))),
                                covers=("OfflineData",)),
    "SufficientStatistics": Entry(
        _stats_call,
        lambda fx: dict(counts=fx["stats"].counts, reward_sums=fx["stats"].reward_sums,
                        transition_counts=fx["stats"].transition_counts),
        dict(counts=Arg("count_array"), reward_sums=Arg("real_array"),
             transition_counts=Arg("count_array", optional=True)),
        extra=dict(transition_counts=_counts_extra, reward_sums=_reward_sums_extra)),
    "SufficientStatistics[repetitions]": Entry(
        _stats_call,
        lambda fx: dict(counts=fx["stats"].counts[None], reward_sums=fx["stats"].reward_sums[None], n_repetitions=1,
                        reward_range=(0.0, 1.0)),
        dict(n_repetitions=Arg("iters", optional=True), reward_range=Arg("pair", optional=True)),
        covers=("SufficientStatistics",)),
    "data_distribution": Entry(
        _call("data_distribution"), lambda fx: dict(problem=fx["dmdp"], concentrability=2.0, off_support="uniform", rng=0),
        dict(problem=Arg("object", wrong=ANY_PROBLEM), concentrability=Arg("real", low=1.0, open_low=False),
             off_support=Arg("choice", wrong=("uniform", "dirichlet")), rng=Arg("rng"))),
    # ---------------------------------------------------------------- planning
    "PlanningResult": Entry(
        _call("PlanningResult"),
        lambda fx: dict(values=fx["solution"].values, q_values=fx["solution"].q_values, policy=fx["solution"].policy,
                        iterations=3, method="pi", value_error_bound=0.0, policy_error_bound=0.0),
        dict(values=Arg("real_array"), q_values=Arg("real_array"), policy=Arg("index_array", high=2),
             iterations=Arg("iters"), method=Arg("choice", wrong=("pi", "vi", "lp")),
             value_error_bound=Arg("real", low=0.0, open_low=False),
             policy_error_bound=Arg("real", low=0.0, open_low=False))),
    "backward_induction": Entry(_call("backward_induction"), lambda fx: dict(mdp=fx["fh"]),
                                dict(mdp=Arg("object", wrong=("dmdp", "mab", "cb", "data")))),
    "bellman_residual": Entry(_call("bellman_residual"), lambda fx: dict(mdp=fx["dmdp"], values=np.zeros(3)),
                              dict(mdp=Arg("object", wrong=DISCOUNTED_ONLY), values=Arg("real_array"))),
    "concentrability": Entry(
        _call("concentrability"), lambda fx: dict(problem=fx["dmdp"], data_distribution=fx["mu"], policy=None),
        dict(problem=Arg("object", wrong=ANY_PROBLEM), data_distribution=PROB)),
    "concentrability[policy]": Entry(
        _call("concentrability"), lambda fx: dict(problem=fx["dmdp"], data_distribution=fx["mu"], policy=_policy_arg(fx)),
        dict(policy=OPTIONAL_PROB), covers=("concentrability",)),
    "expected_return": Entry(_call("expected_return"), lambda fx: dict(problem=fx["dmdp"], policy=np.array([0, 1, 0])),
                             dict(problem=Arg("object", wrong=ANY_PROBLEM), policy=Arg("index_array", high=2))),
    "expected_return[bandit]": Entry(_call("expected_return"), lambda fx: dict(problem=fx["mab"], policy=np.array(2)),
                                     dict(policy=Arg("index_array", high=3, shapes=("extra_axis",))),
                                     covers=("expected_return",)),
    "suboptimality": Entry(_call("suboptimality"), lambda fx: dict(problem=fx["fh"], policy=_policy_arg(fx)),
                           dict(problem=Arg("object", wrong=ANY_PROBLEM), policy=PROB)),
    "greedy_policy": Entry(_call("greedy_policy"), lambda fx: dict(q_values=fx["R"]),
                           dict(q_values=Arg("real_array", shapes=("empty", "scalar")))),
    "linear_program": Entry(_call("linear_program"), lambda fx: dict(mdp=fx["dmdp"]),
                            dict(mdp=Arg("object", wrong=DISCOUNTED_ONLY))),
    "occupancy": Entry(_call("occupancy"), lambda fx: dict(mdp=fx["dmdp"], policy=_policy_arg(fx)),
                       dict(mdp=Arg("object", wrong=MDP_ONLY), policy=PROB)),
    "state_occupancy": Entry(_call("state_occupancy"), lambda fx: dict(mdp=fx["lin"], policy=np.array([1, 0, 1])),
                             dict(mdp=Arg("object", wrong=MDP_ONLY), policy=Arg("index_array", high=2))),
    "optimal_occupancy": Entry(_call("optimal_occupancy"), lambda fx: dict(problem=fx["cb"]),
                               dict(problem=Arg("object", wrong=ANY_PROBLEM))),
    "optimal_return": Entry(_call("optimal_return"), lambda fx: dict(problem=fx["fh"]),
                            dict(problem=Arg("object", wrong=ANY_PROBLEM))),
    "policy_evaluation": Entry(_call("policy_evaluation"), lambda fx: dict(mdp=fx["dmdp"], policy=_policy_arg(fx)),
                               dict(mdp=Arg("object", wrong=MDP_ONLY), policy=PROB)),
    "policy_q_values": Entry(_call("policy_q_values"), lambda fx: dict(mdp=fx["fh"], policy=np.zeros((3, 3), int)),
                             dict(mdp=Arg("object", wrong=MDP_ONLY),
                                  policy=Arg("index_array", high=2, shapes=("extra_axis", "truncate", "empty")))),
    "policy_iteration": Entry(_call("policy_iteration"), lambda fx: dict(mdp=fx["dmdp"], max_iter=100),
                              dict(mdp=Arg("object", wrong=DISCOUNTED_ONLY), max_iter=Arg("iters"))),
    "q_from_values": Entry(_call("q_from_values"), lambda fx: dict(mdp=fx["dmdp"], values=np.ones(3)),
                           dict(mdp=Arg("object", wrong=MDP_ONLY), values=Arg("real_array"))),
    "q_from_values[finite_horizon]": Entry(_call("q_from_values"), lambda fx: dict(mdp=fx["fh"], values=np.ones((4, 3))),
                                           dict(values=Arg("real_array")), covers=("q_from_values",)),
    "solve": Entry(_call("solve"), lambda fx: dict(mdp=fx["dmdp"], method="vi"),
                   dict(mdp=Arg("object", wrong=MDP_ONLY), method=Arg("choice", wrong=("pi", "vi", "lp")))),
    "modified_policy_iteration": Entry(
        _call("modified_policy_iteration"), lambda fx: dict(mdp=fx["dmdp"], m=5, tol=1e-6, max_iter=10_000),
        dict(mdp=Arg("object", wrong=DISCOUNTED_ONLY), m=Arg("iters"), tol=Arg("real", low=0.0, optional=True),
             max_iter=Arg("iters"))),
    "value_iteration": Entry(
        _call("value_iteration"), lambda fx: dict(mdp=fx["dmdp"], tol=1e-6, max_iter=10_000, initial_values=np.zeros(3)),
        dict(mdp=Arg("object", wrong=DISCOUNTED_ONLY), tol=Arg("real", low=0.0, optional=True), max_iter=Arg("iters"),
             initial_values=Arg("real_array", optional=True))),
    # ---------------------------------------------------------------- sampling
    "sample_episodes": Entry(
        _call("sample_episodes"), lambda fx: dict(mdp=fx["dmdp"], policy=_policy_arg(fx), n_episodes=4, rng=0, n_steps=5),
        dict(mdp=Arg("object", wrong=("mab", "cb", "data")), policy=Arg("prob_array", shapes=("truncate", "empty", "scalar")),
             n_episodes=Arg("size"), rng=Arg("rng"), n_steps=Arg("size"))),
    "sample_episodes[finite_horizon]": Entry(
        _call("sample_episodes"), lambda fx: dict(mdp=fx["fh"], policy=np.zeros((3, 3), int), n_episodes=4, rng=0),
        dict(policy=Arg("index_array", high=2, shapes=("extra_axis", "truncate", "empty")), n_episodes=Arg("size"),
             n_steps=Arg("size", optional=True)), covers=("sample_episodes",)),
    "sample_offline_data": Entry(
        _call("sample_offline_data"), lambda fx: dict(problem=fx["dmdp"], data_distribution=fx["mu"], n_samples=20, rng=0),
        dict(problem=Arg("object", wrong=("fh", "mab", "data")), data_distribution=PROB, n_samples=Arg("size"),
             rng=Arg("rng"))),
    "sample_offline_data[finite_horizon]": Entry(
        _call("sample_offline_data"), lambda fx: dict(problem=fx["fh"], data_distribution=fx["mu_h"], n_samples=20, rng=0),
        dict(data_distribution=PROB, n_samples=Arg("size")), covers=("sample_offline_data",)),
    "sample_offline_data[bandit]": Entry(
        _call("sample_offline_data"), lambda fx: dict(problem=fx["mab"], data_distribution=[0.2, 0.3, 0.5], n_samples=20),
        dict(data_distribution=PROB, n_samples=Arg("size")), covers=("sample_offline_data",)),
    "sample_statistics": Entry(
        _call("sample_statistics"),
        lambda fx: dict(problem=fx["fh"], data_distribution=fx["mu_h"], n_samples=100, rng=0, n_repetitions=2,
                        transitions=True),
        dict(problem=Arg("object", wrong=("dmdp", "mab", "data")), data_distribution=PROB, n_samples=Arg("count"),
             rng=Arg("rng"), n_repetitions=Arg("size", optional=True), transitions=Arg("flag"))),
}


# ---------------------------------------------------------------- provable_rl
# Fixtures of the algorithms (small, fast valid calls), built with the others in the worker.

def _build_prl_fixtures(fx: dict) -> dict:
    import mdps
    from mdps.instances import lcb as lcb_instances
    from mdps.instances import random_linear_mdp, random_mdp
    from provable_rl import ftpedel as ft

    S, A, H = fx["S"], fx["A"], fx["H"]
    stats = fx["stats"]
    lin2 = random_linear_mdp(n_states=3, n_actions=2, dim=2, horizon=2, rng=0)
    policies = ft.all_deterministic_policies(lin2)[:4]
    pc = ft.policy_class(lin2, policies)
    pair_counts = np.full((2, 3, 2), 3)
    off_stats = ft.sample_offline_statistics(lin2, pair_counts, rng=0)
    fh_off = mdps.sample_episodes(fx["fh"], np.zeros((H, S), int), 3, rng=1)
    counts4 = np.stack([stats.counts] * 2)[None]
    gen = np.random.default_rng(7)
    oc = gen.integers(0, 4, size=(H, S, A))
    ot = np.zeros((H, S, A, S), np.int64)
    for h, s, a in np.ndindex(H, S, A):
        ot[h, s, a] = gen.multinomial(oc[h, s, a], np.full(S, 1.0 / S))
    lf = fx["lin"].features
    d = lf.shape[2]
    return dict(
        mab_data=mdps.sample_offline_data(fx["mab"], [0.2, 0.3, 0.5], 30, rng=0),
        cb_data=mdps.sample_offline_data(fx["cb"], np.full((2, 3), 1 / 6), 30, rng=0),
        vi_counts=counts4, vi_sums=np.stack([stats.reward_sums] * 2)[None],
        vi_trans=np.stack([stats.transition_counts] * 2)[None], vi_penalty=np.full(counts4.shape, 0.1),
        pi=np.full((S, A), 1.0 / A), phi=np.stack([np.eye(A)] * S) + 0.0, lin2=lin2, policies=policies, pc=pc,
        pair_counts=pair_counts, off_stats=off_stats, fh_off=fh_off, oc=oc, os=gen.random((H, S, A)) * oc, ot=ot, lf=lf,
        gram=np.eye(d) + np.einsum("hsa,sai,saj->hij", oc, lf, lf), fw_targets=np.array([[1.0, -1.0], [0.5, 0.5]]),
        fw_covs=np.stack([np.diag([1.0, 0.1]), np.diag([0.1, 1.0])]),
        stats_no_transitions=mdps.SufficientStatistics(stats.counts, stats.reward_sums),
        lcb_h4=lcb_instances.lcb_h4(100, 1.5, 1.0, 3), lcb_h1=lcb_instances.lcb_h1(100, 2.0),
        data4=mdps.sample_offline_data(random_mdp(4, 2, gamma=0.9, rng=0), np.full((4, 2), 1 / 8), 30,
                                       rng=0),
    )


def _prl(module, name):
    import importlib

    return lambda **kw: getattr(importlib.import_module(f"provable_rl.{module}"), name)(**kw)


def _prl_entries(module: str, table: dict) -> dict:
    """Entries of ``provable_rl.<module>``: ``name -> (valid, args[, extra])``."""
    out = {}
    for key, spec in table.items():
        valid, args = spec[0], spec[1]
        extra = spec[2] if len(spec) > 2 else {}
        base = key.split("[")[0]
        out[f"{module}.{key}"] = Entry(_prl(module, base), valid, args, extra=extra, covers=(base,),
                                       package=f"provable_rl.{module}")
    return out


POS = Arg("real", low=0.0, open_low=True)
NONNEG = Arg("real", low=0.0, open_low=False)
DELTA = Arg("real", low=0.0, high=1.0)
ANY_REAL = Arg("real")
NONNEG_SIZE = Arg("nonneg_size")
EXTENDED = Arg("extended_array", shapes=("empty", "scalar"))
BACKEND = Arg("choice", wrong=("numba", "numpy"))
NOT_DISCOUNTED = ("fh", "lin", "mab", "data")
NOT_LINEAR = ("fh", "dmdp", "mab", "data")
NOT_FH = ("dmdp", "mab", "data")
BANDIT_DATA = Arg("object", wrong=("data", "fh_data", "dmdp", "stats"))
CB_DATA = Arg("object", wrong=("data", "fh_data", "dmdp"))  # (bandit data is one-context contextual data)


def _negative_extra():
    s = _strategies()
    return [("out_of_range", "replace", s["st"].floats(max_value=-1e-300, allow_nan=False, allow_infinity=False))]


def _unseen_extra():
    """``unseen_value``: a number or -inf."""
    s = _strategies()
    return [("wrong_type", "replace", s["wrong_num"]), ("nonfinite", "replace", s["st"].sampled_from([NAN, INF]))]


def _lcb_table():
    def pvi(fx):
        return dict(counts=fx["vi_counts"], reward_sums=fx["vi_sums"], transition_counts=fx["vi_trans"],
                    penalty=fx["vi_penalty"], gamma=0.9, initial_policy=np.zeros((1, 3), int), rng=0)

    return {
        "bandit_lcb": (lambda fx: dict(data=fx["mab_data"], delta=0.1, penalty_scale=1.0, rng=0),
                       dict(data=BANDIT_DATA, delta=Arg("real", low=0.0, high=1.0, optional=True),
                            penalty_scale=NONNEG, rng=Arg("rng"))),
        "most_played_arm": (lambda fx: dict(data=fx["mab_data"], rng=0), dict(data=BANDIT_DATA, rng=Arg("rng"))),
        "empirical_best_arm": (lambda fx: dict(data=fx["mab_data"], rng=0), dict(data=BANDIT_DATA, rng=Arg("rng"))),
        "contextual_lcb": (lambda fx: dict(data=fx["cb_data"], delta=0.1, penalty_scale=1.0, rng=0),
                           dict(data=CB_DATA, delta=Arg("real", low=0.0, high=1.0, optional=True),
                                penalty_scale=NONNEG, rng=Arg("rng"))),
        "contextual_most_played": (lambda fx: dict(data=fx["cb_data"], rng=0), dict(data=CB_DATA, rng=Arg("rng"))),
        "contextual_empirical_best": (lambda fx: dict(data=fx["cb_data"], rng=0), dict(data=CB_DATA, rng=Arg("rng"))),
        "hoeffding_penalty": (lambda fx: dict(counts=np.array([3, 0, 5]), log_term=np.full(3, 2.0), scale=1.0),
                              dict(counts=Arg("count_array", shapes=()), log_term=Arg("real_array", shapes=()),
                                   scale=NONNEG), dict(log_term=_negative_extra)),
        "n_vi_lcb_iterations": (lambda fx: dict(n_samples=100, gamma=0.9), dict(n_samples=Arg("count"), gamma=GAMMA)),
        "vi_lcb_penalty": (
            lambda fx: dict(counts=fx["stats"].counts, gamma=0.9, n_folds=3, delta=0.1, constants="tight",
                            penalty_scale=1.0),
            dict(counts=Arg("count_array", shapes=("drop_axis", "empty", "scalar")), gamma=GAMMA,
                 n_folds=Arg("count"), delta=Arg("real", low=0.0, high=1.0, open_high=False),
                 constants=Arg("choice", wrong=("tight", "paper")), penalty_scale=NONNEG)),
        "pessimistic_value_iteration": (
            pvi, dict(counts=Arg("count_array", shapes=("extra_axis", "drop_axis", "truncate", "empty", "scalar")),
                      reward_sums=Arg("real_array"), transition_counts=Arg("count_array"),
                      penalty=Arg("real_array"), gamma=GAMMA, initial_policy=Arg("index_array", high=2),
                      rng=Arg("rng")),
            dict(transition_counts=_counts_extra, reward_sums=_reward_sums_extra, unseen_value=_unseen_extra)),
        "random_argmax": (lambda fx: dict(values=fx["R"], rng=0), dict(values=EXTENDED, rng=Arg("rng"))),
        "seen_argmax": (lambda fx: dict(scores=fx["R"], counts=fx["stats"].counts, rng=0),
                        dict(scores=EXTENDED, counts=Arg("count_array"), rng=Arg("rng"))),
        "vi_lcb": (
            lambda fx: dict(data=fx["data"], gamma=0.9, delta=0.1, constants="tight", split=True, penalty_scale=1.0,
                            start="behaviour_cloning", unseen_value=-np.inf, rng=0),
            dict(data=Arg("object", wrong=("fh_data", "mab_data", "dmdp")), gamma=GAMMA,
                 delta=Arg("real", low=0.0, high=1.0, optional=True), constants=Arg("choice", wrong=("tight", "paper")),
                 split=Arg("flag"), penalty_scale=NONNEG, start=Arg("choice", wrong=("behaviour_cloning", "uniform")),
                 rng=Arg("rng")), dict(unseen_value=_unseen_extra)),
    }


def _hnpg_table():
    small = dict(k1=1, k2=2, m_on=10, m_off=10)
    hpe_args = dict(lam=NONNEG, k1=NONNEG_SIZE, k2=Arg("size"), m_on=NONNEG_SIZE, m_off=NONNEG_SIZE, ridge=NONNEG,
                    offline_distribution=PROB, reset=OPTIONAL_PROB, rng=Arg("rng"), backend=BACKEND)
    mdp = Arg("object", wrong=NOT_DISCOUNTED)
    return {
        "hac": (lambda fx: dict(mdp=fx["dmdp"], n_iterations=3, offline_distribution=fx["mu"], eta=0.5, rng=0,
                                reset=fx["mu"], **small),
                dict(mdp=mdp, n_iterations=Arg("iters"), eta=Arg("real", low=0.0, optional=True),
                     critic=Arg("choice", wrong=("hybrid", "online", "offline", "exact")), bootstrap=Arg("flag"),
                     average=Arg("flag"), warm_start=Arg("flag"), **hpe_args)),
        "hnpg": (lambda fx: dict(mdp=fx["dmdp"], policy_features=fx["phi"], n_iterations=3,
                                 offline_distribution=fx["mu"], rng=0, reset=fx["mu"], **small),
                 dict(mdp=mdp, policy_features=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")),
                      n_iterations=Arg("iters"), fit_ridge=NONNEG, warm_start=Arg("flag"), **hpe_args)),
        "hybrid_policy_evaluation": (
            lambda fx: dict(mdp=fx["dmdp"], policy=fx["pi"], offline_distribution=fx["mu"], rng=0,
                            initial_critic=np.zeros((3, 2)), reset=fx["mu"], **small),
            dict(mdp=mdp, policy=PROB, initial_critic=Arg("real_array", optional=True), bootstrap=Arg("flag"),
                 average=Arg("flag"), **hpe_args)),
        "hybrid_policy_evaluation[linear]": (
            lambda fx: dict(mdp=fx["dmdp"], policy=fx["pi"], offline_distribution=fx["mu"], rng=0, features=fx["phi"],
                            **small),
            dict(features=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar"), optional=True))),
        "hac[linear]": (
            lambda fx: dict(mdp=fx["dmdp"], n_iterations=3, offline_distribution=fx["mu"], rng=0, features=fx["phi"],
                            **small),
            dict(features=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar"), optional=True))),
        "absorbing_states": (lambda fx: dict(mdp=fx["dmdp"]), dict(mdp=mdp)),
        "deterministic_next": (lambda fx: dict(mdp=fx["dmdp"]), dict(mdp=mdp)),
        "mirror_descent_step": (lambda fx: dict(policy=fx["pi"], critic=fx["R"], eta=0.5),
                                dict(policy=PROB, critic=Arg("real_array"), eta=POS)),
        "npg_exact": (lambda fx: dict(mdp=fx["dmdp"], eta=0.5, n_iterations=3),
                      dict(mdp=mdp, eta=POS, n_iterations=Arg("iters"), return_policies=Arg("flag"))),
        "population_hpe": (
            lambda fx: dict(mdp=fx["dmdp"], policy=fx["pi"], offline_distribution=fx["mu"], n_iterations=3,
                            initial_critic=np.zeros((3, 2)), reset=fx["mu"]),
            dict(mdp=mdp, policy=PROB, offline_distribution=PROB, lam=NONNEG, n_iterations=Arg("iters"),
                 initial_critic=Arg("real_array", optional=True), reset=OPTIONAL_PROB)),
        "sample_round": (
            lambda fx: dict(mdp=fx["dmdp"], policy=fx["pi"], n_on=5, n_off=5, offline_distribution=fx["mu"], rng=0,
                            reset=fx["mu"]),
            dict(mdp=mdp, policy=PROB, n_on=NONNEG_SIZE, n_off=NONNEG_SIZE, offline_distribution=PROB,
                 reset=OPTIONAL_PROB, rng=Arg("rng"), backend=BACKEND)),
        "softmax_policy": (lambda fx: dict(logits=fx["R"]), dict(logits=Arg("real_array", shapes=("empty", "scalar")))),
    }


def _dual_rl_table():
    mdp = Arg("object", wrong=NOT_DISCOUNTED)
    occ = PROB
    div = Arg("choice", wrong=("kl", "chi2", "tv"))
    loss = Arg("choice", wrong=("gumbel", "chi2", "tv", "chi2_exact"))
    beta = Arg("real", low=0.0, high=1.0)
    solver = Arg("choice", optional=True, wrong=tuple(x.lower() for x in (
        "CLARABEL", "SCS", "ECOS", "OSQP", "HIGHS", "SCIPY", "CVXOPT", "GLPK", "CBC", "MOSEK", "GUROBI", "CPLEX",
        "XPRESS", "SCIP", "PIQP", "PROXQP", "DAQP", "QOCO", "COPT", "CUOPT", "NAG", "SDPA", "PDLP", "GLPK_MI")))

    def imit(fx, **kw):
        return dict(mdp=fx["dmdp"], expert_occupancy=fx["mu"], suboptimal_occupancy=fx["mu"], **kw)

    imit_args = dict(mdp=mdp, expert_occupancy=occ, suboptimal_occupancy=occ)
    # (bandit data and finite-horizon data have no discounted transitions; the 4-state data mismatches
    # the 3-state expert data and initial distribution)
    imit_data = Arg("object", wrong=("fh_data", "mab_data", "dmdp", "stats_no_transitions", "vi_counts"))

    def from_data(fx, **kw):
        return dict(expert_data=fx["data"], suboptimal_data=fx["stats"], initial=fx["initial"], gamma=0.9, **kw)

    from_data_args = dict(expert_data=imit_data, suboptimal_data=Arg("object", wrong=imit_data.wrong + ("data4",)),
                          initial=PROB, gamma=GAMMA)
    lam = Arg("real", low=0.0, high=1.0, open_high=False)  # the chi-square V-loss's lambda
    samples = dict(states=Arg("index_array", high=3), q_samples=Arg("real_array"), n_states=Arg("size"), loss=loss,
                   temperature=lam)
    return {
        "EmpiricalImitationModel": (
            lambda fx: dict(expert_occupancy=fx["mu"], suboptimal_occupancy=fx["mu"], transitions=fx["P"],
                            initial=fx["initial"], gamma=0.9),
            dict(expert_occupancy=occ, suboptimal_occupancy=occ, transitions=PROB, initial=PROB, gamma=GAMMA)),
        "empirical_imitation_model": (from_data, from_data_args),
        "recoil_from_data": (lambda fx: from_data(fx, beta=0.5, divergence="chi2", solver="CLARABEL"),
                             dict(beta=beta, divergence=div, solver=solver, **from_data_args)),
        "coverage_baseline_from_data": (lambda fx: from_data(fx, clip=1e-3, solver="CLARABEL"),
                                        dict(clip=beta, solver=solver, **from_data_args)),
        "implicit_loss_gradient": (
            lambda fx: dict(values=np.full(3, 0.5), states=fx["data"].s, q_samples=fx["data"].r, n_states=3,
                            loss="chi2", temperature=0.9),
            dict(values=Arg("real_array"), **samples)),
        "implicit_maximum_descent": (
            lambda fx: dict(states=fx["data"].s, q_samples=fx["data"].r, n_states=3, loss="chi2", temperature=0.9,
                            n_steps=20, step_size=1.0, decay=0.01, initial_values=np.zeros(3)),
            dict(n_steps=Arg("size"), step_size=POS, decay=NONNEG, initial_values=Arg("real_array", optional=True),
                 **samples)),
        "coverage_baseline_npg": (lambda fx: imit(fx, clip=1e-3, n_iterations=3, step_size=1.0),
                                  dict(clip=beta, n_iterations=Arg("iters"), step_size=POS, **imit_args)),
        "recoil_critic": (lambda fx: imit(fx, policy=fx["pi"], beta=0.5, divergence="chi2"),
                          dict(policy=PROB, beta=beta, divergence=div, **imit_args)),
        "recoil_npg": (lambda fx: imit(fx, beta=0.5, divergence="chi2", n_iterations=3, step_size=1.0),
                       dict(beta=beta, divergence=div, n_iterations=Arg("iters"), step_size=POS, **imit_args)),
        "advantage_weighted_policy": (
            lambda fx: dict(q_values=fx["R"], values=np.full(3, 0.5), behavior=fx["pi"], temperature=3.0, clip=100.0),
            dict(q_values=Arg("real_array"), values=Arg("real_array"), behavior=PROB, temperature=POS, clip=POS)),
        "coverage_baseline": (lambda fx: imit(fx, clip=1e-3), dict(clip=beta, solver=solver, **imit_args)),
        "dual_q": (lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], policy=fx["pi"], alpha=1.0),
                   dict(mdp=mdp, data_occupancy=occ, policy=PROB, alpha=POS, divergence=div, solver=solver)),
        "dual_q_minimizer": (lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], policy=fx["pi"], alpha=1.0),
                             dict(mdp=mdp, data_occupancy=occ, policy=PROB, alpha=POS, divergence=div)),
        "dual_q_objective": (
            lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], q_values=fx["R"], policy=fx["pi"], alpha=1.0),
            dict(mdp=mdp, data_occupancy=occ, q_values=Arg("real_array"), policy=PROB, alpha=POS, divergence=div)),
        "dual_v": (lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], alpha=1.0, divergence="chi2"),
                   dict(mdp=mdp, data_occupancy=occ, alpha=POS, divergence=div, positivity=Arg("flag"), solver=solver)),
        "dual_v_objective": (lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], values=np.ones(3), alpha=1.0),
                             dict(mdp=mdp, data_occupancy=occ, values=Arg("real_array"), alpha=POS, divergence=div)),
        "fdvl_semi_gradient": (
            lambda fx: dict(data=fx["data"], gamma=0.9, loss="chi2", temperature=0.9, n_steps=50, rng=0,
                            initial_q=np.zeros((3, 2)), initial_values=np.zeros(3), record_every=10),
            dict(data=Arg("object", wrong=("fh_data", "mab_data", "dmdp")), gamma=GAMMA, loss=loss,
                 temperature=Arg("real", low=0.0, high=1.0, open_high=False), n_steps=Arg("iters"),
                 learning_rate_v=POS, learning_rate_q=NONNEG, decay=NONNEG, policy_temperature=POS,
                 initial_q=Arg("real_array", optional=True), initial_values=Arg("real_array", optional=True),
                 record_every=Arg("iters", optional=True), rng=Arg("rng"))),
        "fdvl_value_iteration": (
            lambda fx: dict(mdp=fx["dmdp"], behavior=fx["pi"], loss="tv", temperature=0.9, max_iter=10_000),
            dict(mdp=mdp, behavior=PROB, loss=loss, temperature=Arg("real", low=0.0, high=1.0, open_high=False),
                 policy_temperature=POS, tol=POS, max_iter=Arg("iters"))),
        "flow_matrix": (lambda fx: dict(mdp=fx["dmdp"]), dict(mdp=mdp)),
        "get_divergence": (lambda fx: dict(divergence="chi2"), dict(divergence=div)),
        "implicit_maximum": (lambda fx: dict(q_values=fx["R"], behavior=fx["pi"], loss="tv", temperature=0.9),
                             dict(q_values=Arg("real_array"), behavior=PROB, loss=loss,
                                  temperature=Arg("real", low=0.0, high=1.0, open_high=False))),
        "implicit_objective": (
            lambda fx: dict(values=np.full(3, 0.5), q_values=fx["R"], behavior=fx["pi"], loss="tv", temperature=0.9),
            dict(values=Arg("real_array"), q_values=Arg("real_array"), behavior=PROB, loss=loss,
                 temperature=Arg("real", low=0.0, high=1.0, open_high=False))),
        "occupancy_lp": (lambda fx: dict(mdp=fx["dmdp"], method="highs"),
                         dict(mdp=mdp, method=Arg("choice", wrong=("highs", "highs-primal", "cvxpy")))),
        # (any non-negative measure: its rows are normalised, so a sum other than 1 is valid)
        "occupancy_lp[cvxpy]": (lambda fx: dict(mdp=fx["dmdp"], method="cvxpy", solver="CLARABEL"),
                                dict(solver=solver)),
        "value_lp[cvxpy]": (lambda fx: dict(mdp=fx["dmdp"], method="cvxpy", solver="CLARABEL"), dict(solver=solver)),
        "occupancy_policy": (lambda fx: dict(occupancy=fx["mu"]),
                             dict(occupancy=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")))),
        "q_residual": (lambda fx: dict(mdp=fx["dmdp"], q_values=fx["R"], policy=fx["pi"]),
                       dict(mdp=mdp, q_values=Arg("real_array"), policy=PROB)),
        "q_step": (lambda fx: dict(mdp=fx["dmdp"], values=np.ones(3)), dict(mdp=mdp, values=Arg("real_array"))),
        "recoil": (lambda fx: imit(fx, beta=0.5, divergence="chi2"),
                   dict(beta=beta, divergence=div, solver=solver, **imit_args)),
        "recoil_dual_q_objective": (
            lambda fx: imit(fx, q_values=fx["R"], policy=fx["pi"], beta=0.5, divergence="chi2"),
            dict(q_values=Arg("real_array"), policy=PROB, beta=beta, divergence=div, **imit_args)),
        "regularized_objective": (
            lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], occupancy=fx["mu"], alpha=1.0),
            dict(mdp=mdp, data_occupancy=occ, occupancy=Arg("real_array"), alpha=POS, divergence=div)),
        "regularized_primal": (lambda fx: dict(mdp=fx["dmdp"], data_occupancy=fx["mu"], alpha=1.0),
                               dict(mdp=mdp, data_occupancy=occ, alpha=POS, divergence=div, solver=solver)),
        "support_optimal_values": (lambda fx: dict(mdp=fx["dmdp"], behavior=fx["pi"], tol=1e-10, max_iter=100_000),
                                   dict(mdp=mdp, behavior=PROB, tol=POS, max_iter=Arg("iters"))),
        "tv_quantile_value": (lambda fx: dict(q_values=fx["R"], behavior=fx["pi"], temperature=0.9),
                              dict(q_values=Arg("real_array"), behavior=PROB,
                                   temperature=Arg("real", low=0.0, high=1.0, open_high=False))),
        "value_lp": (lambda fx: dict(mdp=fx["dmdp"], method="highs"),
                     dict(mdp=mdp, method=Arg("choice", wrong=("highs", "highs-primal", "cvxpy")))),
        "value_residual": (lambda fx: dict(mdp=fx["dmdp"], values=np.ones(3)), dict(mdp=mdp, values=Arg("real_array"))),
    }


def _ftpedel_table():
    lin = Arg("object", wrong=NOT_LINEAR)
    pols = Arg("index_array", high=2, shapes=("extra_axis", "drop_axis", "empty", "scalar"))
    pc = Arg("object", wrong=("lin2", "policies", "off_stats"))
    psd = Arg("real_array", optional=True, shapes=("extra_axis", "drop_axis", "truncate", "empty", "scalar"))
    cx = dict(epsilon=POS, beta=POS, constant=POS, regularizer=POS, rtol=DELTA)
    atoms = Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar"))  # (fewer atoms are valid)
    fw = dict(targets=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")),
              scales=Arg("real_array"), n_episodes=POS, offline_covariance=psd, regularizer=POS)
    return {
        "all_deterministic_policies": (lambda fx: dict(mdp=fx["lin2"], max_policies=4096),
                                       dict(mdp=lin, max_policies=Arg("iters"))),
        "best_response_policy": (lambda fx: dict(mdp=fx["lin2"], step=0, matrix=np.eye(2)),
                                 dict(mdp=lin, step=Arg("index_array", high=2, shapes=()),
                                      matrix=Arg("real_array"))),
        "collect_step": (lambda fx: dict(mdp=fx["lin2"], policies=fx["policies"], n_episodes=np.full(4, 3), step=1,
                                         rng=0),
                         dict(mdp=lin, policies=pols, n_episodes=Arg("count_array", shapes=("extra_axis", "truncate")),
                              step=Arg("index_array", high=2, shapes=()), rng=Arg("rng"))),
        "confidence_radius": (lambda fx: dict(round_index=1, horizon=2, n_policies=8, delta=0.1, radius_constant=1.0),
                              dict(round_index=Arg("iters"), horizon=Arg("iters"), n_policies=Arg("iters"),
                                   delta=DELTA, radius_constant=POS)),
        "cvxpy_design": (lambda fx: dict(targets=fx["fw_targets"], scales=np.ones(2), n_episodes=10.0,
                                         covariances=fx["fw_covs"], solver="CLARABEL", offline_covariance=0.1 * np.eye(2)),
                         dict(covariances=atoms, solver=Arg("choice", wrong=("CLARABEL", "SCS")), **fw)),
        "design_objective": (lambda fx: dict(design_covariance=np.eye(2), targets=fx["fw_targets"], scales=np.ones(2),
                                             n_episodes=10.0, offline_covariance=0.1 * np.eye(2)),
                             dict(design_covariance=Arg("real_array"), **{k: fw[k] for k in fw if k != "n_episodes"},
                                  n_episodes=NONNEG)),
        "empty_statistics": (lambda fx: dict(mdp=fx["lin2"]), dict(mdp=lin)),
        "frank_wolfe_design": (lambda fx: dict(targets=fx["fw_targets"], scales=np.ones(2), n_episodes=10.0,
                                               covariances=fx["fw_covs"], max_iterations=200, offline_covariance=0.1 * np.eye(2)),
                               dict(covariances=atoms, max_iterations=Arg("iters"), rtol=DELTA, **fw)),
        "frank_wolfe_design[oracle]": (lambda fx: dict(targets=fx["fw_targets"], scales=np.ones(2), n_episodes=10.0,
                                                       mdp=fx["lin2"], step=1, max_iterations=50),
                                       dict(mdp=lin, step=Arg("index_array", high=2, shapes=()))),
        "ftpedel": (lambda fx: dict(mdp=fx["lin2"], policies=fx["policies"], epsilon=0.5, delta=0.2,
                                    offline=fx["off_stats"], rng=0),
                    dict(mdp=lin, policies=pols, epsilon=POS, delta=DELTA,
                         offline=Arg("object", wrong=("lin2", "pc", "data"), optional=True), rng=Arg("rng"),
                         targets=Arg("choice", wrong=("difference", "raw")), radius_constant=POS, regularizer=POS,
                         design=Arg("choice", wrong=("optimal", "uniform")), growth=Arg("real", low=1.0)),
                    dict(max_episodes=_eta_extra)),
        "ftpedel_complexity": (lambda fx: dict(mdp=fx["lin2"], policy_class=fx["pc"], epsilon=0.5, beta=2.0),
                               dict(mdp=lin, policy_class=pc, **cx)),
        "minimum_episodes": (lambda fx: dict(targets=fx["fw_targets"], scales=np.ones(2), tolerance=0.1,
                                             covariances=fx["fw_covs"], offline_covariance=0.1 * np.eye(2)),
                             dict(tolerance=POS, covariances=atoms, rtol=DELTA, design_rtol=DELTA,
                                  max_iterations=Arg("iters"),
                                  design=Arg("choice", wrong=("optimal", "uniform")),
                                  method=Arg("choice", wrong=("fixed_point", "bisection")),
                                  **{k: fw[k] for k in fw if k != "n_episodes"}), dict(max_episodes=_eta_extra)),
        "online_complexity": (lambda fx: dict(mdp=fx["lin2"], policy_class=fx["pc"], epsilon=0.5, beta=2.0),
                              dict(mdp=lin, policy_class=pc, **cx)),
        "pedel": (lambda fx: dict(mdp=fx["lin2"], policies=fx["policies"], epsilon=0.5, delta=0.2, rng=0),
                  dict(mdp=lin, policies=pols, epsilon=POS, delta=DELTA, rng=Arg("rng"))),
        "pedel_complexity": (lambda fx: dict(mdp=fx["lin2"], policy_class=fx["pc"], epsilon=0.5, beta=2.0),
                             dict(mdp=lin, policy_class=pc, **cx)),
        "pessimistic_choice": (lambda fx: dict(mdp=fx["lin2"], policy_class=fx["pc"], offline=fx["off_stats"], beta=2.0),
                               dict(mdp=lin, policy_class=pc, offline=Arg("object", wrong=("lin2", "pc", "data")),
                                    beta=POS, regularizer=POS)),
        # (one policy (H, S) is a class of one)
        "policy_class": (lambda fx: dict(mdp=fx["lin2"], policies=fx["policies"]),
                         dict(mdp=lin, policies=Arg("index_array", high=2, shapes=("extra_axis", "empty", "scalar")))),
        "policy_covariance": (lambda fx: dict(mdp=fx["lin2"], policy=fx["policies"][0], step=1),
                              dict(mdp=lin, policy=Arg("index_array", high=2, shapes=("extra_axis", "truncate", "empty")),
                                   step=Arg("index_array", high=2, shapes=()))),
        "sample_offline_statistics": (lambda fx: dict(mdp=fx["lin2"], pair_counts=fx["pair_counts"], rng=0),
                                      dict(mdp=lin, pair_counts=Arg("count_array"), rng=Arg("rng"))),
        "sampled_policies": (lambda fx: dict(mdp=fx["lin2"], n_policies=3, rng=0, include_optimal=True),
                             dict(mdp=lin, n_policies=Arg("size"), rng=Arg("rng"), include_optimal=Arg("flag"))),
        "schedule_complexity": (lambda fx: dict(mdp=fx["lin2"], policy_class=fx["pc"], epsilon=0.5, delta=0.2),
                                dict(mdp=lin, policy_class=pc, epsilon=POS, delta=DELTA, radius_constant=POS,
                                     regularizer=POS)),
        "uniform_policy": (lambda fx: dict(mdp=fx["lin2"]), dict(mdp=lin)),
        "verifiable_lower_bound": (lambda fx: dict(mdp=fx["lin2"], policy_class=fx["pc"], epsilon=0.5, beta=2.0),
                                   dict(mdp=lin, policy_class=pc, epsilon=POS, beta=POS, constant=POS,
                                        regularizer=POS, rtol=DELTA)),
    }


def _eta_extra():
    """A positive number or inf (``eta`` of the actor-critics: inf is the greedy actor; ``max_episodes``)."""
    s = _strategies()
    st = s["st"]
    return [("wrong_type", "replace", s["wrong_num"]), ("nonfinite", "replace", st.sampled_from([NAN, -INF])),
            ("out_of_range", "replace", st.floats(max_value=0.0, allow_nan=False, allow_infinity=False))]


def _optimistic_ac_table():
    fh = Arg("object", wrong=NOT_FH)
    # (eta = inf is valid: the greedy actor; bonus_scale = 0 is valid except for the optimistic variants)
    run = dict(n_episodes=Arg("size"), rng=Arg("rng"), bonus_scale=NONNEG, delta=DELTA, epsilon=POS,
               switching=Arg("choice", wrong=("doubling", "every_episode")),
               reset=Arg("choice", wrong=("switch", "never")), backend=BACKEND)
    hybrid = dict(offline_data=Arg("object", wrong=("data", "mab_data", "dmdp", "fh")))
    return {
        "elliptical_radius": (lambda fx: dict(dim=3, horizon=2, n_episodes=10, delta=0.1, bonus_scale=1.0),
                              dict(dim=Arg("iters"), horizon=Arg("iters"), n_episodes=Arg("iters"), delta=DELTA,
                                   bonus_scale=NONNEG)),
        "epsilon_greedy_behaviour": (lambda fx: dict(mdp=fx["fh"], epsilon=0.2),
                                     dict(mdp=fh, epsilon=Arg("real", low=0.0, high=1.0, open_low=False,
                                                               open_high=False))),
        "exploration_log_term": (lambda fx: dict(n_states=3, n_actions=2, horizon=2, n_episodes=10, delta=0.1),
                                 dict(n_states=Arg("iters"), n_actions=Arg("iters"), horizon=Arg("iters"),
                                      n_episodes=Arg("iters"), delta=DELTA)),
        "greedy_policy_matrix": (lambda fx: dict(q_values=fx["R_h"]), dict(q_values=EXTENDED)),
        "hybrid_optimistic_actor_critic": (
            lambda fx: dict(mdp=fx["fh"], offline_data=fx["fh_off"], n_episodes=5, rng=0),
            dict(mdp=fh, **hybrid, **{**run, "bonus_scale": POS}), dict(eta=_eta_extra)),
        "linear_optimistic_actor_critic": (
            lambda fx: dict(mdp=fx["lin"], n_episodes=5, rng=0),
            dict(mdp=Arg("object", wrong=("dmdp", "mab", "data", "fh")), ridge=POS, **run), dict(eta=_eta_extra)),
        "linear_switch_bound": (lambda fx: dict(dim=3, horizon=2, n_episodes=10, ridge=1.0),
                                dict(dim=Arg("iters"), horizon=Arg("iters"), n_episodes=Arg("iters"), ridge=POS)),
        "low_switching_ucbvi": (lambda fx: dict(mdp=fx["fh"], n_episodes=5, rng=0),
                                dict(mdp=fh, n_episodes=Arg("size"), rng=Arg("rng"), bonus_scale=NONNEG)),
        "lsvi_ucb_q_values": (
            lambda fx: dict(features=fx["lf"], gram=fx["gram"], reward_sums=fx["os"], transition_counts=fx["ot"],
                            radius=0.7),
            dict(features=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")),
                 gram=Arg("real_array"), reward_sums=Arg("real_array"), transition_counts=Arg("count_array"),
                 radius=NONNEG)),
        "non_optimistic_hybrid_actor_critic": (
            lambda fx: dict(mdp=fx["fh"], offline_data=fx["fh_off"], n_episodes=5, rng=0),
            dict(mdp=fh, n_episodes=Arg("size"), rng=Arg("rng"), **hybrid)),
        "offline_episodes": (lambda fx: dict(mdp=fx["fh"], n_episodes=3, rng=0, epsilon=0.2),
                             dict(mdp=fh, n_episodes=NONNEG_SIZE, rng=Arg("rng"),
                                  epsilon=Arg("real", low=0.0, high=1.0, open_low=False, open_high=False))),
        "optimistic_actor_critic": (lambda fx: dict(mdp=fx["fh"], n_episodes=5, rng=0),
                                    dict(mdp=fh, **{**run, "bonus_scale": POS}), dict(eta=_eta_extra)),
        "optimistic_q_values": (
            lambda fx: dict(counts=fx["oc"], reward_sums=fx["os"], transition_counts=fx["ot"], bonus_scale=0.5,
                            log_term=3.0, unvisited_cap=True, horizon_factor=True),
            dict(counts=Arg("count_array"), reward_sums=Arg("real_array"), transition_counts=Arg("count_array"),
                 bonus_scale=ANY_REAL, log_term=NONNEG, unvisited_cap=Arg("flag"), horizon_factor=Arg("flag")),
            dict(transition_counts=_counts_extra)),
        "rare_switching_actor_critic": (lambda fx: dict(mdp=fx["fh"], n_episodes=5, rng=0),
                                        dict(mdp=fh, unvisited=Arg("choice", wrong=("cap", "zero")), **run),
                                        dict(eta=_eta_extra)),
        "switch_bound": (lambda fx: dict(n_states=3, n_actions=2, horizon=2, n_episodes=10),
                         dict(n_states=Arg("iters"), n_actions=Arg("iters"), horizon=Arg("iters"),
                              n_episodes=Arg("iters"))),
    }


def _scales_extra():
    """``gap_scales``: one scale made non-positive."""
    s = _strategies()
    st = s["st"]
    return [("out_of_range", "entry", st.tuples(s["frac"], st.one_of(st.just(0.0), st.floats(max_value=-1e-300,
                                                                                              allow_infinity=False))))]


def _lcb_lower_bounds_table():
    n = Arg("count")
    gap = Arg("real", low=0.0, high=0.5, open_high=False)
    c_h2 = Arg("real", low=1.0, high=2.0)  # C* in (1, 2)
    c_cb = Arg("real", low=1.0, high=2.0, open_high=False)  # C* in (1, 2]
    # (fewer scales are a valid grid: no "truncate")
    scales = Arg("real_array", optional=True, shapes=("extra_axis", "drop_axis", "empty", "scalar"))
    return {
        "mab_two_point_risk": (lambda fx: dict(n_samples=100, arm_mass=0.25, gap=0.1),
                               dict(n_samples=n, arm_mass=Arg("real", low=0.0, high=1.0, open_high=False), gap=gap)),
        "mab_two_point_risk_h2": (lambda fx: dict(n_samples=20, concentrability=1.5, gap=0.1),
                                  dict(n_samples=n, concentrability=c_h2, gap=gap)),
        "mab_minimax_lower_bound": (lambda fx: dict(n_samples=100, concentrability=4.0, gap_scales=[0.5, 1.0, 2.0]),
                                    dict(n_samples=n, concentrability=Arg("real", low=1.0), gap_scales=scales),
                                    dict(gap_scales=_scales_extra)),
        "mab_minimax_lower_bound[h2]": (lambda fx: dict(n_samples=20, concentrability=1.5, gap_scales=[0.5, 1.0]),
                                        dict(gap_scales=scales), dict(gap_scales=_scales_extra)),
        "most_played_risk_bound": (lambda fx: dict(n_samples=100, concentrability=1.5),
                                   dict(n_samples=n, concentrability=c_h2)),
        "contextual_two_point_risk": (lambda fx: dict(n_samples=100, concentrability=1.5, n_states=3, gap_scale=0.5),
                                      dict(n_samples=n, concentrability=c_cb, n_states=Arg("size"), gap_scale=POS)),
        "contextual_minimax_lower_bound": (
            lambda fx: dict(n_samples=100, concentrability=1.5, n_states=3, gap_scales=[0.5, 1.0]),
            dict(n_samples=n, concentrability=c_cb, n_states=Arg("size"), gap_scales=scales),
            dict(gap_scales=_scales_extra)),
    }


PRL_MODULES = ("lcb", "lcb_lower_bounds", "hnpg", "dual_rl", "ftpedel", "optimistic_ac")
for _module, _table in (("lcb", _lcb_table), ("lcb_lower_bounds", _lcb_lower_bounds_table), ("hnpg", _hnpg_table),
                        ("dual_rl", _dual_rl_table), ("ftpedel", _ftpedel_table),
                        ("optimistic_ac", _optimistic_ac_table)):
    ENTRIES.update(_prl_entries(_module, _table()))


def _mask_extra():
    """``allowed`` of :meth:`EmpiricalImitationModel.flow`: a boolean mask (0/1 numbers are not booleans)."""
    s = _strategies()
    st = s["st"]
    return [("wrong_type", "replace", st.sampled_from([None, "yes", 1, 1.0, np.ones((3, 2)), np.ones((3, 2), int),
                                                       [[1, 0], [0, 1], [1, 1]], {"a": 1}, [[True], [False, True]]])),
            ("bad_shape", "shape", st.tuples(st.sampled_from(["extra_axis", "drop_axis", "truncate", "empty", "scalar"]),
                                             s["frac"]))]


ENTRIES["dual_rl.EmpiricalImitationModel.flow"] = Entry(
    lambda model, **kw: model.flow(**kw),
    lambda fx: dict(model=__import__("provable_rl.dual_rl").dual_rl.empirical_imitation_model(
        fx["data"], fx["stats"], fx["initial"], 0.9), allowed=fx["mu"] > 0),
    {}, extra=dict(allowed=_mask_extra), covers=("EmpiricalImitationModel",), package="provable_rl.dual_rl")


# ---------------------------------------------------------------- mdps.instances

def _instance(name):
    import importlib

    return lambda **kw: getattr(importlib.import_module("mdps.instances"), name)(**kw)


def _instances_table():
    size = Arg("size")
    unit_open_high = Arg("real", low=0.0, high=1.0, open_low=False)
    choice = Arg("choice", wrong=("uniform", "dirichlet"))
    good = Arg("index_array", high=3, shapes=("extra_axis", "truncate", "empty", "scalar"), optional=True)
    cell = Arg("index_array", high=4, shapes=("extra_axis", "truncate", "empty", "scalar"))
    return {
        "chain_mdp": (lambda fx: dict(n_states=4, gamma=0.9, slip=0.1, small_reward=0.05),
                      dict(n_states=size, gamma=GAMMA, slip=unit_open_high,
                           small_reward=Arg("real", low=0.0, high=1.0, open_low=False, open_high=False))),
        "combination_lock": (lambda fx: dict(length=3, n_actions=3, gamma=0.85, rng=0, good_actions=np.array([0, 1, 2])),
                             dict(length=size, n_actions=size, gamma=GAMMA, rng=Arg("rng"), good_actions=good)),
        "finite_horizon_lock": (lambda fx: dict(horizon=3, n_actions=3, rng=0, distractor=0.1,
                                                good_actions=np.array([0, 1, 2])),
                                dict(horizon=size, n_actions=size, rng=Arg("rng"), distractor=unit_open_high,
                                     good_actions=good)),
        # (no walls, the "empty" mutation of walls, is valid)
        "gridworld": (lambda fx: dict(n_rows=4, n_cols=4, gamma=0.9, slip=0.1, goal=np.array([3, 3]), goal_reward=1.0,
                                      walls=np.array([[1, 1]]), start=np.array([0, 0])),
                      dict(n_rows=size, n_cols=size, gamma=GAMMA, slip=unit_open_high, goal=cell,
                           goal_reward=Arg("real", low=0.0, high=1.0, open_high=False), start=cell,
                           walls=Arg("index_array", high=4, shapes=("extra_axis", "truncate", "scalar")))),
        "sparse_chain": (lambda fx: dict(n_states=4, gamma=0.9, slip=0.1, small_reward=0.05),
                         dict(n_states=size, gamma=GAMMA, slip=unit_open_high,
                              small_reward=Arg("real", low=0.0, high=1.0, open_low=False, open_high=False))),
        "sparse_gridworld": (lambda fx: dict(n_rows=4, n_cols=4, gamma=0.9, slip=0.1),
                             dict(n_rows=size, n_cols=size, gamma=GAMMA, slip=unit_open_high)),
        "random_bandit": (lambda fx: dict(n_actions=3, rng=0), dict(n_actions=size, rng=Arg("rng"))),
        "random_contextual_bandit": (lambda fx: dict(n_states=2, n_actions=3, rng=0),
                                     dict(n_states=size, n_actions=size, rng=Arg("rng"))),
        "random_finite_horizon_mdp": (
            lambda fx: dict(n_states=3, n_actions=2, horizon=2, rng=0, concentration=1.0, initial="uniform"),
            dict(n_states=size, n_actions=size, horizon=size, rng=Arg("rng"), concentration=POS, initial=choice)),
        "random_linear_mdp": (lambda fx: dict(n_states=3, n_actions=2, dim=2, horizon=2, rng=0, concentration=1.0),
                              dict(n_states=size, n_actions=size, dim=size, horizon=size, rng=Arg("rng"),
                                   concentration=POS)),
        "random_mdp": (lambda fx: dict(n_states=3, n_actions=2, gamma=0.9, rng=0, concentration=1.0, initial="uniform"),
                       dict(n_states=size, n_actions=size, gamma=GAMMA, rng=Arg("rng"), concentration=POS,
                            initial=choice)),
    }


for _key, _spec in _instances_table().items():
    ENTRIES[f"instances.{_key}"] = Entry(_instance(_key), _spec[0], _spec[1], covers=(_key,), package="mdps.instances")


#: Reasons for names without an entry: result containers (built by the functions, not validated inputs)
#: and constants.
_RESULT = "a result container returned by the module's functions (not an input boundary)"
_CONSTANT = "a constant, not a callable"


def _paper_instance(module, name):
    import importlib

    return lambda **kw: getattr(importlib.import_module(f"mdps.instances.{module}"), name)(**kw)


def _optimistic_ac_instances_table():
    return {
        "coin_lock_mdp": (lambda fx: dict(gap=0.1, horizon=4, n_actions=3, rng=0, success=0.5, reward_std=0.01),
                          dict(gap=Arg("real", low=0.0, high=0.5, open_high=False), horizon=Arg("size"),
                               n_actions=Arg("size"), rng=Arg("rng"), success=Arg("real", low=0.0, high=1.0),
                               reward_std=POS)),
        "gap_family_mdp": (lambda fx: dict(gap=0.5, n_actions=3, horizon=3, rng=0),
                           dict(gap=Arg("real", low=0.0, high=1.0, open_high=False), n_actions=Arg("size"),
                                horizon=Arg("size"), rng=Arg("rng"))),
        "spread_value_mdp": (lambda fx: dict(n_states=3, n_actions=2, horizon=3, rng=0, concentration=0.5),
                             dict(n_states=Arg("size"), n_actions=Arg("size"), horizon=Arg("size"), rng=Arg("rng"),
                                  concentration=POS)),
    }


def _lcb_instances_table():
    n = Arg("iters")  # (N only sets the gaps here: nothing is allocated or summed from it)
    closed_unit = Arg("real", low=0.0, high=1.0, open_low=False, open_high=False)
    c_closed = Arg("real", low=1.0, open_low=False)  # C* >= 1
    c_12 = Arg("real", low=1.0, high=2.0, open_low=False, open_high=False)  # C* in [1, 2]
    hyp = Arg("choice", wrong=("A", "B"))
    return {
        "cb_as_mdp": (lambda fx: dict(instance=fx["lcb_h4"], gamma=0.9),
                      dict(instance=Arg("object", wrong=("lcb_h1", "dmdp", "cb", "mab")), gamma=GAMMA)),
        "lcb_h1": (lambda fx: dict(n_samples=100, concentrability=2.0, gap_scale=1.0, n_states=1, hypothesis="A",
                                   rare_arm_mean=0.3),
                   dict(n_samples=n, concentrability=Arg("real", low=1.0), gap_scale=NONNEG, n_states=Arg("size"),
                        hypothesis=hyp, rare_arm_mean=Arg("real", low=0.0, high=1.0, open_low=False, open_high=False,
                                                          optional=True))),
        "lcb_h1[gap]": (lambda fx: dict(n_samples=100, concentrability=2.0, gap=0.1),
                        dict(gap=Arg("real", low=0.0, high=0.5, open_high=False, optional=True))),
        "lcb_h2": (lambda fx: dict(n_samples=100, concentrability=1.5, gap_scale=0.2, n_states=1, hypothesis="B"),
                   dict(n_samples=n, concentrability=Arg("real", low=1.0, high=2.0),
                        gap_scale=Arg("real", low=0.0, high=0.5, open_high=False), n_states=Arg("size"), hypothesis=hyp)),
        "lcb_h3": (lambda fx: dict(n_samples=100, concentrability=1.0, gap_scale=0.5, n_states=3, noisy_anchor=True),
                   dict(n_samples=n, concentrability=Arg("real"), gap_scale=Arg("real", low=0.0, high=1.0, open_high=False),
                        n_states=Arg("size"), noisy_anchor=Arg("flag"))),
        "lcb_h3_expected_suboptimality": (lambda fx: dict(n_samples=100, n_states=3, gap_scale=0.5),
                                          dict(n_samples=n, n_states=Arg("iters"),
                                               gap_scale=Arg("real", low=0.0, high=1.0, open_high=False))),
        "lcb_delayed_chain": (lambda fx: dict(length=3, gamma=0.9, cash_out=0.5),
                              dict(length=Arg("size"), gamma=GAMMA, cash_out=closed_unit)),
        "lcb_gamble_mdp": (lambda fx: dict(n_gambles=2, gamma=0.9, safe_reward=0.3, gamble_mass=0.1),
                           dict(n_gambles=Arg("size"), gamma=GAMMA, safe_reward=closed_unit, gamble_mass=DELTA)),
        "lcb_h4": (lambda fx: dict(n_samples=100, concentrability=1.5, gap_scale=1.0, n_states=3, noisy_anchor=True),
                   dict(n_samples=n, concentrability=c_12, gap_scale=POS, n_states=Arg("size"), noisy_anchor=Arg("flag"))),
        "lcb_h5": (lambda fx: dict(n_samples=100, concentrability=1.5, gap_scale=1.0, n_states=3, gamma=0.5, rare=False,
                                   noisy_anchor=True),
                   dict(n_samples=n, concentrability=c_12, gap_scale=POS, n_states=Arg("size"), gamma=GAMMA,
                        rare=Arg("flag"), noisy_anchor=Arg("flag"))),
        "lcb_h6": (lambda fx: dict(n_samples=100, concentrability=2.0, gap_scale=0.2, n_states=4, gamma=0.9),
                   dict(n_samples=n, concentrability=c_closed, gap_scale=DELTA, n_states=Arg("size"), gamma=GAMMA)),
        "lcb_risky_branch": (
            lambda fx: dict(n_samples=100, gamma=0.9, safe_reward=0.4, good_probability=0.3, rare_count=2.0),
            dict(n_samples=n, gamma=GAMMA, safe_reward=closed_unit, good_probability=DELTA,
                 rare_count=Arg("real", low=0.0, high=50.0))),
        "lcb_random_contextual_bandit": (
            lambda fx: dict(rng=0, n_states=2, n_actions=3, concentrability=2.0),
            dict(rng=Arg("rng"), n_states=Arg("size"), n_actions=Arg("size"), concentrability=c_closed)),
        "lcb_random_mdp": (
            lambda fx: dict(rng=0, concentrability=2.0, n_states=3, n_actions=2, gamma=0.9, mixing="all"),
            dict(rng=Arg("rng"), concentrability=c_closed, n_states=Arg("size"), n_actions=Arg("size"), gamma=GAMMA,
                 mixing=Arg("choice", wrong=("all", "off")))),
    }


def _hnpg_instances_table():
    mdp = Arg("object", wrong=NOT_DISCOUNTED)
    gamma = GAMMA
    closed_unit = Arg("real", low=0.0, high=1.0, open_low=False, open_high=False)
    lock = dict(length=Arg("size"), n_actions=Arg("size"), gamma=gamma, rng=Arg("rng"),
                epsilon=Arg("real", low=0.0, high=1.0, open_low=False, open_high=False, optional=True))
    return {
        # (any non-negative group ids: 2**40 groups is an allocation to refuse)
        "aliased_features": (lambda fx: dict(groups=np.array([0, 1, 1]), n_actions=2),
                             dict(groups=Arg("index_array", high=2**40, shapes=("extra_axis", "empty", "scalar")),
                                  n_actions=Arg("size"))),
        "aliased_trap": (lambda fx: dict(gamma=0.9, distractor=0.3, trap_weight=0.9),
                         dict(gamma=gamma, distractor=closed_unit,
                              trap_weight=Arg("real", low=0.0, high=1.0, open_low=False))),
        "check_reset": (lambda fx: dict(mdp=fx["dmdp"], reset=fx["mu"]), dict(mdp=mdp, reset=PROB)),
        "epsilon_greedy_policy": (lambda fx: dict(mdp=fx["dmdp"], epsilon=0.2), dict(mdp=mdp, epsilon=closed_unit)),
        "linear_lock": (lambda fx: dict(length=3, n_actions=3, gamma=0.8, rng=0),
                        {k: lock[k] for k in ("length", "n_actions", "gamma", "rng")}),
        "lock_problem": (lambda fx: dict(length=3, n_actions=3, gamma=0.85, rng=0, epsilon=0.2, offline="epsilon_greedy"),
                         dict(offline=Arg("choice", wrong=("epsilon_greedy", "uniform", "off_path")), **lock)),
        "lock_with_exit": (lambda fx: dict(length=3, n_actions=3, gamma=0.85, rng=0, epsilon=0.2, exit_reset=0.2),
                           dict(exit_reset=Arg("real", low=0.0, high=1.0, open_low=False), **lock)),
        "product_reset": (lambda fx: dict(mdp=fx["dmdp"]), dict(mdp=mdp)),
        "reset_occupancy": (lambda fx: dict(mdp=fx["dmdp"], policy=fx["pi"], reset=fx["mu"]),
                            dict(mdp=mdp, policy=PROB, reset=OPTIONAL_PROB)),
    }


def _ftpedel_instances_table():
    PROB_OPEN_LOW = Arg("real", low=0.0, high=1.0, open_low=True, open_high=False)
    bandit = dict(n_arms=Arg("size"), gap=POS, best_mean=Arg("real", low=0.0, high=1.0, open_low=False, open_high=False),
                  reward_std=POS)
    return {
        "arm_policies": (lambda fx: dict(n_arms=3), dict(n_arms=Arg("size"))),
        # (fewer arms are a valid bandit: no "truncate")
        "bandit_linear_mdp": (lambda fx: dict(means=[0.2, 0.5, 0.9], reward_std=1.0),
                              dict(means=Arg("real_array", shapes=("extra_axis", "drop_axis", "empty", "scalar")),
                                   reward_std=POS)),
        "competitor_bandit": (lambda fx: dict(n_arms=3, gap=0.1, far_gap=0.5, best_mean=0.6, reward_std=1.0),
                              dict(far_gap=Arg("real", low=0.1, high=0.6, open_low=False, open_high=False), **bandit)),
        "ft_x1": (lambda fx: dict(n_arms=3, gap=0.1, n_offline=100, best_mean=0.6, reward_std=1.0),
                  dict(n_offline=Arg("count"), **bandit)),
        "ft_x2": (lambda fx: dict(n_arms=3, gap=0.1, n_offline=100, best_mean=0.6, reward_std=1.0),
                  dict(n_offline=Arg("count"), **bandit)),
        # (gaps, leak and best_mean of the routing family: bounded by each other, see the docstring)
        "routing_mdp": (lambda fx: dict(n_rooms=3, near_gap=0.05, far_gap=0.3, leak=0.1, best_mean=0.6),
                        dict(n_rooms=Arg("size"), near_gap=POS, far_gap=POS,
                             leak=Arg("real", low=0.0, high=0.66, open_low=False), best_mean=PROB_OPEN_LOW)),
        "partial_coverage_routing": (lambda fx: dict(n_offline=10, n_rooms=3, near_gap=0.05, far_gap=0.3, leak=0.1),
                                     dict(n_offline=Arg("count"), n_rooms=Arg("size"), near_gap=POS, far_gap=POS,
                                          leak=Arg("real", low=0.0, high=0.66, open_low=False))),
        "random_linear_family": (
            lambda fx: dict(rng=0, n_states=3, n_actions=2, dim=2, horizon=2, epsilon=0.1, n_policies=4, n_offline=5,
                            max_tries=50),
            dict(rng=Arg("rng"), n_states=Arg("size"), n_actions=Arg("size"), dim=Arg("size"), horizon=Arg("size"),
                 epsilon=POS, n_policies=Arg("size"), n_offline=Arg("nonneg_count"), max_tries=Arg("iters"))),
    }


def _dual_rl_instances_table():
    return {
        "imitation_fork": (lambda fx: dict(branch_length=2, n_actions=3, gamma=0.9, coverage=0.1, rng=0),
                           dict(branch_length=Arg("size"), n_actions=Arg("size"), gamma=GAMMA,
                                coverage=Arg("real", low=0.0, high=1.0, open_low=False), rng=Arg("rng"))),
    }


#: The papers' instance modules whose ``__all__`` the fuzz covers (``mdps.instances.<module>``), and
#: their names without an entry (result containers and constants).
PAPER_INSTANCE_MODULES = {
    "lcb": {"HARD_FAMILIES": _CONSTANT, "LCBInstance": _RESULT},
    "hnpg": {"AliasedTrap": _RESULT, "LinearLock": _RESULT, "LockProblem": _RESULT},
    "ftpedel": {"HybridInstance": _RESULT},
    "dual_rl": {"ImitationProblem": _RESULT},
    "optimistic_ac": {},
}
for _module, _table in (("lcb", _lcb_instances_table), ("hnpg", _hnpg_instances_table),
                        ("ftpedel", _ftpedel_instances_table), ("dual_rl", _dual_rl_instances_table),
                        ("optimistic_ac", _optimistic_ac_instances_table)):
    for _key, _spec in _table().items():
        ENTRIES[f"instances.{_module}.{_key}"] = Entry(_paper_instance(_module, _key.split("[")[0]), _spec[0], _spec[1],
                                                       covers=(_key.split("[")[0],),
                                                       package=f"mdps.instances.{_module}")

#: provable_rl names without an entry: result containers (built by the functions, not validated
#: inputs) and constants (the reasons: see _RESULT and _CONSTANT above).
PRL_EXEMPT: dict[str, dict[str, str]] = {
    "lcb": {"BanditResult": _RESULT, "VILCBResult": _RESULT},
    "hnpg": {"HACResult": _RESULT, "HPEResult": _RESULT, "RoundSamples": _RESULT},
    "dual_rl": {"DIVERGENCES": _CONSTANT, "IMPLICIT_LOSSES": _CONSTANT, "NEGATIVE_TOLERANCE": _CONSTANT,
                "RATIO_FLOOR": _CONSTANT, "Divergence": _RESULT, "ImplicitLoss": _RESULT, "DualVSolution": _RESULT,
                "FDVLResult": _RESULT, "ImitationResult": _RESULT, "ImitationTrace": _RESULT, "LPSolution": _RESULT,
                "RegularizedSolution": _RESULT, "ValueLPSolution": _RESULT},
    "ftpedel": {"Complexity": _RESULT, "Design": _RESULT, "FTPedelResult": _RESULT, "MinimumEpisodes": _RESULT,
                "PolicyClass": _RESULT, "TransitionStatistics": _RESULT},
    "optimistic_ac": {"ActorCriticRun": _RESULT},
    "lcb_lower_bounds": {"DEFAULT_GAP_SCALES": _CONSTANT},
}

def _raise_value_error(**kw):
    raise ValueError("x: expected nothing")


#: Entries of the protocol test only: a plain error, a segmentation fault, a hang.
PROTOCOL_ENTRIES: dict[str, Entry] = {
    "__error": Entry(_raise_value_error, lambda fx: {}, {"x": Arg("iters")}),
    "__crash": Entry(lambda **kw: __import__("ctypes").string_at(0), lambda fx: {}, {}),
    "__hang": Entry(lambda **kw: __import__("time").sleep(600), lambda fx: {}, {}),
}


def _entry(name: str) -> Entry:
    return ENTRIES[name] if name in ENTRIES else PROTOCOL_ENTRIES[name]


#: Public names without an entry, and why.
EXEMPT: dict[str, str] = {}


# ================================================================================================
# Cases and the worker protocol.
# ================================================================================================

@dataclass(frozen=True)
class Case:
    entry: str
    arg: str | None  # None: the valid call itself
    category: str
    mutator: str
    params: object


#: Values every run tries, whatever hypothesis draws: bool for an int, and sizes whose products with
#: small sizes overflow int64 (4 * 2**62 = 2**64 wraps to 0, 3 * 6148914691236517206 to 2), which
#: crashed kernels before they were bounded.
EXPLICIT = {
    "size": [("wrong_type", "replace", True), ("huge", "replace", 2**62), ("huge", "replace", 6148914691236517206),
             ("huge", "replace", 2**63 - 1), ("huge", "replace", 2**64)],
    "count": [("wrong_type", "replace", True), ("huge", "replace", 2**62), ("huge", "replace", 2**53 + 1)],
    "iters": [("wrong_type", "replace", True), ("huge", "replace", 2**63), ("huge", "replace", 2**64)],
    "real": [("wrong_type", "replace", True), ("wrong_type", "replace", "0.5")],
}
EXPLICIT["nonneg_size"] = EXPLICIT["size"]
EXPLICIT["nonneg_count"] = EXPLICIT["count"]


def plan(entry_name: str) -> list[tuple[str, str, str, object]]:
    """``[(argument, category, mutator, strategy)]`` for an entry: every category of every argument."""
    entry = ENTRIES[entry_name]
    out = []
    for arg_name, arg in entry.args.items():
        for cat, mut, strat in categories(arg):
            out.append((arg_name, cat, mut, strat))
    for arg_name, make in entry.extra.items():
        for cat, mut, strat in make():
            out.append((arg_name, cat, mut, strat))
    return out


def draw_cases(entry_names, n_examples: int) -> list[Case]:
    """Cases drawn by hypothesis: ``n_examples`` examples of one draw per (argument, category).

    The first example hypothesis runs is the simplest one of each strategy (the first wrong type,
    a NaN at index 0, the smallest huge size...); further examples are random but derandomised."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    cases: list[Case] = []
    seen: set = set()

    def collector(name, triples):
        @settings(max_examples=n_examples, phases=[Phase.generate], database=None, derandomize=True, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.data())
        def collect(data):
            for arg, cat, mut, strat in triples:
                params = data.draw(strat, label=f"{name}:{arg}:{cat}")
                case = Case(name, arg, cat, mut, params)
                key = pickle.dumps(case)
                if key not in seen:
                    seen.add(key)
                    cases.append(case)

        return collect

    for name in entry_names:
        cases.append(Case(name, None, "valid", "", None))
        for arg_name, arg in ENTRIES[name].args.items():
            for cat, mut, params in EXPLICIT.get(arg.kind, []):
                case = Case(name, arg_name, cat, mut, params)
                seen.add(pickle.dumps(case))
                cases.append(case)
        collector(name, plan(name))()
    return cases


def _outcome(exc: BaseException | None) -> dict:
    if exc is None:
        return {"status": "returned"}
    return {"status": "raised", "type": type(exc).__name__,
            "value_or_type_error": isinstance(exc, (ValueError, TypeError)), "message": str(exc)[:500]}


def run_case(case: Case) -> dict:
    """Run one case in this process: the entry's valid call with the case's mutation applied."""
    entry = _entry(case.entry)
    kwargs = entry.valid(fixtures())
    if case.arg is not None:
        kwargs[case.arg] = MUTATORS[case.mutator](kwargs.get(case.arg), case.params)
    try:
        entry.fn(**kwargs)
    except Exception as exc:  # noqa: BLE001 - the outcome is what is reported
        return _outcome(exc)
    return _outcome(None)


def _worker_main(cases_path: str, start: int) -> None:
    import warnings

    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX: no address-space cap
        resource = None

    # Run as a script, this file's directory heads sys.path and its "mdps" test package would shadow
    # the real one: import from the repository root instead.
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if p and Path(p).resolve() != here]
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    warnings.simplefilter("ignore")
    with open(cases_path, "rb") as f:
        cases = [Case(*c) for c in pickle.load(f)]
    fixtures()
    out = sys.stdout
    warm: set = set()
    for i in range(start, len(cases)):
        if cases[i].entry not in warm and cases[i].entry in ENTRIES:
            # The entry's valid call once first, under the startup timeout: compiling its Numba kernels
            # on a cold cache (tens of seconds on a loaded machine) is not a hang of the case.
            warm.add(cases[i].entry)
            print(f"WARM {i}", file=out, flush=True)
            run_case(Case(cases[i].entry, None, "valid", "", None))
        print(f"BEGIN {i}", file=out, flush=True)
        result = run_case(cases[i])
        print(f"END {i} {json.dumps(result)}", file=out, flush=True)


def run_batch(cases: list[Case], timeout: float = CASE_TIMEOUT, startup: float = STARTUP_TIMEOUT,
              script: Path | None = None) -> list[dict]:
    """Outcomes of ``cases``, run in worker subprocesses; a crash or a hang is the outcome of the case
    that was running, and the batch resumes after it in a fresh worker. ``script`` is the worker (a
    file that calls :func:`_worker_main` with its own entries added; default: this file)."""
    results: list[dict | None] = [None] * len(cases)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.pkl")
        with open(path, "wb") as f:  # plain tuples: the worker's module is __main__, not this one
            pickle.dump([(c.entry, c.arg, c.category, c.mutator, c.params) for c in cases], f)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                   PYTHONFAULTHANDLER="1")
        start = 0
        while start < len(cases):
            proc = subprocess.Popen([sys.executable, str(script or Path(__file__).resolve()), path, str(start)], cwd=ROOT,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            lines: queue.Queue = queue.Queue()
            errors: list[str] = []

            # The queue and the list are bound as defaults, not looked up when the thread runs: the
            # pump of a killed worker can reach its end of file after the next worker's queue exists,
            # and its None must not end the next worker's reading.
            def pump(stream=proc.stdout, sink=lines):
                for line in stream:
                    sink.put(line)
                sink.put(None)

            def drain(stream=proc.stderr, sink=errors):
                for line in stream:
                    sink.append(line)

            threading.Thread(target=pump, daemon=True).start()
            drainer = threading.Thread(target=drain, daemon=True)
            drainer.start()
            current = None
            first = True
            while True:
                try:
                    line = lines.get(timeout=startup if first else timeout)
                except queue.Empty:
                    proc.kill()  # the worker we started, by its handle
                    proc.wait()
                    idx = current if current is not None else start
                    results[idx] = {"status": "hang", "timeout": timeout}
                    start = idx + 1
                    break
                if line is None:
                    proc.wait()
                    drainer.join(timeout=10.0)  # the whole of stderr, for the report below
                    if current is not None:
                        results[current] = {"status": "crash", "returncode": proc.returncode,
                                            "stderr": "".join(errors)[-5000:]}
                        start = current + 1
                    else:
                        if start < len(cases) and results[start] is None:
                            raise RuntimeError(f"fuzz worker failed before its first case:\n{''.join(errors)[-3000:]}")
                        start = len(cases)
                    break
                if line.startswith("WARM "):  # a crash while warming up is the case's; the wait is a startup's
                    current = int(line.split()[1])
                    first = True
                elif line.startswith("BEGIN "):
                    current = int(line.split()[1])
                    first = False
                elif line.startswith("END "):
                    _, idx, payload = line.split(" ", 2)
                    results[int(idx)] = json.loads(payload)
                    current = None
            else:  # pragma: no cover
                pass
            if all(r is not None for r in results):
                break
    return results  # type: ignore[return-value]


def names_argument(message: str, name: str) -> bool:
    """Whether ``message`` names ``name`` as a word (``P`` in "P: expected ...", not in "Python")."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


def verdict(case: Case, result: dict) -> str | None:
    """None if the outcome is right, else a one-line description of what went wrong."""
    status = result["status"]
    if case.arg is None:
        if status == "returned":
            return None
        return f"the valid call failed: {result.get('type')}: {result.get('message')}"
    what = f"{case.arg} <- {case.category} {case.params!r}"
    if status == "crash":
        err = result["stderr"]
        err = err[err.find("Fatal Python error"):] if "Fatal Python error" in err else err[-300:]
        return f"{what}: CRASH (exit {result['returncode']}) {err[:300]}"
    if status == "hang":
        return f"{what}: HANG (> {result['timeout']} s)"
    if status == "returned":
        return f"{what}: returned a result (accepted silently)"
    if not result["value_or_type_error"]:
        return f"{what}: raised {result['type']} (not ValueError/TypeError): {result['message']}"
    arg = _entry(case.entry).args.get(case.arg)
    name = (arg.name if arg is not None and arg.name else None) or case.arg
    if not names_argument(result["message"], name):
        return f"{what}: the message does not name {name!r}: {result['type']}: {result['message']}"
    return None


def _report(cases, results, entry_name):
    bad = []
    for case, result in zip(cases, results):
        if case.entry == entry_name:
            problem = verdict(case, result)
            if problem:
                bad.append(problem)
    return bad


# ================================================================================================
# The tests.
# ================================================================================================

if __name__ != "__main__":
    import pytest

    #: Packages whose ``__all__`` must be covered, with their exemptions (name -> reason).
    PACKAGES = {"mdps": EXEMPT, "mdps.instances": {}, **{f"provable_rl.{m}": PRL_EXEMPT[m] for m in PRL_MODULES},
                **{f"mdps.instances.{m}": exempt for m, exempt in PAPER_INSTANCE_MODULES.items()}}

    def covered_names() -> set:
        """``package.name`` for every public name an entry exercises ("policy_matrix[stochastic]" and
        "OfflineData.split" cover "policy_matrix" and "OfflineData")."""
        out = set()
        for key, entry in ENTRIES.items():
            for name in entry.covers or (key.split("[")[0].split(".")[0],):
                out.add(f"{entry.package}.{name}")
        return out

    def test_every_public_name_has_an_entry():
        import importlib

        covered = covered_names()
        missing = [f"{package}.{name}" for package, exempt in PACKAGES.items()
                   for name in importlib.import_module(package).__all__
                   if f"{package}.{name}" not in covered and name not in exempt]
        assert not missing, f"public names without a fuzz entry: {missing}"

    def test_the_worker_attributes_crashes_and_hangs():
        """The protocol itself: a segfault and a hang are reported for the case that caused them,
        and the batch goes on in a fresh worker."""
        cases = [Case("__error", "x", "c", "replace", 1), Case("__crash", "x", "c", "replace", 1),
                 Case("__error", "x", "c", "replace", 2), Case("__hang", "x", "c", "replace", 1),
                 Case("__error", "x", "c", "replace", 3)]
        results = run_batch(cases, timeout=5.0)
        assert [r["status"] for r in results] == ["raised", "crash", "raised", "hang", "raised"]
        assert results[1]["returncode"] != 0
        assert verdict(cases[0], results[0]) is None
        assert "CRASH" in verdict(cases[1], results[1]) and "HANG" in verdict(cases[3], results[3])

    @pytest.fixture(scope="module")
    def default_run():
        cases = draw_cases(list(ENTRIES), DEFAULT_EXAMPLES)
        return cases, run_batch(cases)

    @pytest.mark.parametrize("entry_name", list(ENTRIES))
    def test_bad_inputs_raise_and_name_the_argument(default_run, entry_name):
        cases, results = default_run
        bad = _report(cases, results, entry_name)
        assert not bad, f"{entry_name}: {len(bad)} bad outcome(s):\n" + "\n".join(bad)

    @pytest.fixture(scope="module")
    def slow_run():
        cases = draw_cases(list(ENTRIES), SLOW_EXAMPLES)
        return cases, run_batch(cases)

    @pytest.mark.slow
    @pytest.mark.parametrize("entry_name", list(ENTRIES))
    def test_bad_inputs_raise_and_name_the_argument_full(slow_run, entry_name):
        cases, results = slow_run
        bad = _report(cases, results, entry_name)
        assert not bad, f"{entry_name}: {len(bad)} bad outcome(s):\n" + "\n".join(bad)


if __name__ == "__main__":
    _worker_main(sys.argv[1], int(sys.argv[2]))
