"""Input checks shared by every public function of the project (the rules: :ref:`conventions-validation`).

Each check raises ``ValueError`` (or ``TypeError``) naming the argument, what was expected and
what came: ``"<argument>: expected <what>, got <value>"``. Nothing is clipped or renormalised: a
bad input is an error, not a correction.

- Types: a bool is not an integer, and a bool, a string, a complex number or None is not a
  number (scalars: :func:`real_number`; arrays: :func:`real_array`, which also refuses arrays of
  strings, complex or bool dtype and ragged nests). Wrong types raise :class:`ArgumentTypeError`,
  both a ``TypeError`` and a ``ValueError``.
- Values: NaN and inf are refused wherever a finite number is meant; ranges are checked.
- Sizes: every size is at most :data:`MAX_INT` (2**62), so that no product of a size with a small
  number overflows int64; sizes that allocate are checked against the machine's memory
  (:func:`check_allocation`, :data:`MEMORY_LIMIT`), and counts against :data:`MAX_COUNT` (2**53).
"""
from __future__ import annotations

import numbers
import os

import numpy as np

#: Tolerance on "rows sum to one" for probability arrays given in float64.
SIMPLEX_ATOL = 1e-8

#: Largest integer any size argument may take (so that it, and a small multiple, fit in int64).
MAX_INT = 2**62

#: Largest total count a dataset may hold: 2**53, the largest integer a float64 holds exactly
#: (counts are divided and summed as floats, and their totals must not overflow int64).
MAX_COUNT = 2**53


class ArgumentTypeError(TypeError, ValueError):
    """A public argument of the wrong type (a bool for an int, a string for a number, ...).

    Both a ``TypeError`` and a ``ValueError``, so that callers that catch either see it (callers
    written when such values were rejected, or converted, with a ``ValueError`` keep working)."""


def _physical_memory() -> int:
    """Bytes of physical memory of this machine (2**40 when the OS does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 2**40


#: Bytes a public function may ask for at once: an array larger than the machine's physical memory
#: cannot be allocated, so sizes that would need one are refused up front (``check_allocation``).
MEMORY_LIMIT = _physical_memory()


def is_bool(value) -> bool:
    """True for Python and numpy booleans (which are not integers here)."""
    return isinstance(value, (bool, np.bool_))


def real_number(name: str, value, expected: str) -> float:
    """``value`` as a float if it is a real number: not a bool, str, complex, None or array.

    ``expected`` completes the message "<name>: expected <expected>, got <value>"; finiteness and
    range are the caller's checks.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if is_bool(value) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name}: expected {expected}, got {value!r} ({type(value).__name__})")
    try:
        return float(value)
    except OverflowError:  # an int beyond the float range
        return float("inf") if value > 0 else float("-inf")


def check_allocation(name: str, n_elements: int, bytes_each: int, what: str = "entries") -> None:
    """Raise unless ``n_elements`` items of ``bytes_each`` bytes fit in :data:`MEMORY_LIMIT`.

    ``name`` names the argument(s) the size comes from, e.g. ``"n_episodes * n_steps"``.
    """
    n_elements = int(n_elements)
    limit = MEMORY_LIMIT // max(int(bytes_each), 1)
    if n_elements > limit:
        raise ValueError(
            f"{name}: expected at most {limit} {what} ({bytes_each} bytes each, the memory of this "
            f"machine is {MEMORY_LIMIT} bytes), got {n_elements}"
        )


def as_rng(rng) -> np.random.Generator:
    """Normalise ``rng`` (a Generator, an int seed, a SeedSequence or None) to a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if is_bool(rng):
        raise ArgumentTypeError(f"rng: expected a numpy.random.Generator, an int seed or None, got {rng!r}")
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise ValueError(f"rng: expected a non-negative int seed, got {rng}")
        return np.random.default_rng(rng)
    raise ArgumentTypeError(
        f"rng: expected a numpy.random.Generator, an int seed or None, got {type(rng).__name__}"
    )


def real_array(name: str, value) -> np.ndarray:
    """``value`` as a numpy array of real numbers (integer or float dtype), without copying.

    Booleans, strings, complex numbers, None and ragged nests are refused: they are not numbers
    here, and numpy would otherwise convert some of them silently ("0.5" to 0.5, True to 1.0).
    """
    if value is None or isinstance(value, (str, bytes)):
        raise ArgumentTypeError(f"{name}: expected an array of real numbers, got {value!r}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name}: expected a rectangular array of real numbers, got {type(value).__name__} ({err})") from None
    if arr.dtype.kind == "O":
        for item in arr.flat:
            if is_bool(item) or not isinstance(item, numbers.Real):
                raise ArgumentTypeError(f"{name}: expected an array of real numbers, got an entry {item!r} ({type(item).__name__})")
    elif arr.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{name}: expected an array of real numbers, got dtype {arr.dtype}")
    return arr


def float_array(name: str, value, ndim: int | None = None, shape: tuple | None = None,
                like: str | None = None) -> np.ndarray:
    """A read-only float64 C-contiguous copy of ``value``, with NaN/inf and shape checked.

    ``like`` names the argument(s) the expected shape comes from, for the message.
    """
    src = real_array(name, value)
    try:
        arr = np.array(src, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError, OverflowError) as err:
        raise ArgumentTypeError(f"{name}: expected an array of numbers, got {type(value).__name__}") from err
    if ndim is None and shape is not None:
        ndim = len(shape)  # a shape is a whole shape: a scalar or a prefix does not match it
    if ndim is not None and arr.ndim != ndim:
        source = f" (from {like})" if like and shape is not None else ""
        raise ValueError(f"{name}: expected a {ndim}-d array{source}, got shape {arr.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, arr.shape)):
            if want is not None and want != got:
                source = f" (from {like})" if like else ""
                raise ValueError(
                    f"{name}: expected shape {tuple('*' if w is None else w for w in shape)}{source}, "
                    f"got {arr.shape} (axis {axis} mismatches)"
                )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    arr.setflags(write=False)
    return arr


def int_array(name: str, value, ndim: int | None = None, low: int = 0, high: int | None = None) -> np.ndarray:
    """A read-only int64 copy of ``value`` whose entries lie in ``[low, high)``."""
    if is_bool(value) or (isinstance(value, np.ndarray) and value.dtype.kind == "b"):
        raise ArgumentTypeError(f"{name}: expected an integer array, got booleans {value!r}")
    arr = real_array(name, value)
    if arr.dtype.kind in "fO":
        arr = np.array(arr, dtype=np.float64)
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name}: expected integers, got non-integral values")
        if arr.size and np.max(np.abs(arr)) > MAX_INT:
            raise ValueError(f"{name}: expected integers of at most {MAX_INT} in size, got {np.max(np.abs(arr))!r}")
    elif arr.dtype.kind == "u" and arr.size and arr.max() > MAX_INT:
        raise ValueError(f"{name}: expected integers of at most {MAX_INT} in size, got {arr.max()!r}")
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


def positive_int(name: str, value, maximum: int = MAX_INT) -> int:
    """``value`` as an int in ``[1, maximum]``.

    An integral float (``1e6``) is accepted; a bool, a string, a complex number, None, NaN, inf or a
    fractional number is not. ``maximum`` defaults to :data:`MAX_INT`.
    """
    x = real_number(name, value, "a positive integer")
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif np.isfinite(x) and x.is_integer():
        value = int(x)
    else:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    if value > maximum:
        raise ValueError(f"{name}: expected a positive integer of at most {maximum}, got {value!r}")
    return value


def probability(name: str, value, *, open_low: bool = True, open_high: bool = True) -> float:
    """``value`` as a float in (0, 1) (ends open or closed as asked)."""
    lo, hi = "(" if open_low else "[", ")" if open_high else "]"
    x = real_number(name, value, f"a number in {lo}0, 1{hi}")
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
    x = real_number(name, value, "a positive number")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")
    return x


def nonnegative_float(name: str, value) -> float:
    """``value`` as a finite float >= 0 (a scale or a weight for which 0 means "off").

    Booleans, strings and None are refused rather than converted.
    """
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    x = real_number(name, value, "a finite number >= 0")
    if not (np.isfinite(x) and x >= 0):
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return x
