"""Input checks shared by every public function of the project.

Each check raises ``ValueError`` (or ``TypeError``) naming the argument, what was expected and
what came. Nothing is clipped or renormalised: a bad input is an error, not a correction.
"""
from __future__ import annotations

import numbers

import numpy as np

#: Tolerance on "rows sum to one" for probability arrays given in float64.
SIMPLEX_ATOL = 1e-8


def as_rng(rng) -> np.random.Generator:
    """Normalise ``rng`` (a Generator, an int seed, a SeedSequence or None) to a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise ValueError(f"rng: expected a non-negative int seed, got {rng}")
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng: expected a numpy.random.Generator, an int seed or None, got {type(rng).__name__}"
    )


def float_array(name: str, value, ndim: int | None = None, shape: tuple | None = None) -> np.ndarray:
    """A read-only float64 C-contiguous copy of ``value``, with NaN/inf and shape checked."""
    try:
        arr = np.array(value, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected an array of numbers, got {type(value).__name__}") from err
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d array, got shape {arr.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                raise ValueError(
                    f"{name}: expected shape {tuple('*' if w is None else w for w in shape)}, "
                    f"got {arr.shape} (axis {axis} mismatches)"
                )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    arr.setflags(write=False)
    return arr


def int_array(name: str, value, ndim: int | None = None, low: int = 0, high: int | None = None) -> np.ndarray:
    """A read-only int64 copy of ``value`` whose entries lie in ``[low, high)``."""
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name}: expected integers, got non-integral values")
    elif arr.dtype.kind not in "iub":
        raise TypeError(f"{name}: expected an integer array, got dtype {arr.dtype}")
    arr = np.array(arr, dtype=np.int64, order="C", copy=True)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d array, got shape {arr.shape}")
    if arr.size:
        if arr.min() < low:
            raise ValueError(f"{name}: expected entries >= {low}, got {arr.min()}")
        if high is not None and arr.max() >= high:
            raise ValueError(f"{name}: expected entries < {high}, got {arr.max()}")
    arr.setflags(write=False)
    return arr


def check_simplex(name: str, arr: np.ndarray, axis: int = -1) -> None:
    """Raise unless every slice along ``axis`` is a probability vector."""
    if np.any(arr < 0):
        idx = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name}: expected non-negative probabilities, got {arr[idx]!r} at index {idx}")
    sums = arr.sum(axis=axis)
    bad = np.abs(sums - 1.0) > SIMPLEX_ATOL
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0])
        value = float(np.atleast_1d(sums)[idx])
        raise ValueError(
            f"{name}: expected rows summing to 1 along axis {axis}, got a sum of {value!r} at {idx}"
        )


def check_unit_interval(name: str, arr: np.ndarray) -> None:
    """Raise unless every entry lies in [0, 1]."""
    if np.any((arr < 0) | (arr > 1)):
        bad = arr[(arr < 0) | (arr > 1)].flat[0]
        raise ValueError(f"{name}: expected values in [0, 1], got {bad!r}")


def positive_int(name: str, value) -> int:
    """``value`` as an int, which must be >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def probability(name: str, value, *, open_low: bool = True, open_high: bool = True) -> float:
    """``value`` as a float in (0, 1) (ends open or closed as asked)."""
    lo, hi = "(" if open_low else "[", ")" if open_high else "]"
    try:
        x = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a number in {lo}0, 1{hi}, got {value!r}") from err
    lo_ok = x > 0 if open_low else x >= 0
    hi_ok = x < 1 if open_high else x <= 1
    if not (lo_ok and hi_ok and np.isfinite(x)):
        raise ValueError(f"{name}: expected a number in {lo}0, 1{hi}, got {value!r}")
    return x


def discount(value) -> float:
    """A discount factor in [0, 1)."""
    return probability("gamma", value, open_low=False, open_high=True)


def positive_float(name: str, value) -> float:
    """``value`` as a finite float > 0."""
    try:
        x = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a positive number, got {value!r}") from err
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")
    return x


def nonnegative_float(name: str, value) -> float:
    """``value`` as a finite float >= 0 (a scale or a weight for which 0 means "off").

    Booleans, strings and None are refused rather than converted.
    """
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    try:
        x = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}") from err
    if not (np.isfinite(x) and x >= 0):
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return x
