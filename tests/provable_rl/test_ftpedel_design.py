"""The fast Frank-Wolfe design solver of FTPedel against its reference: the same designs, bit for bit.

``_frank_wolfe`` cuts numpy's per-call overhead and memoises solves; ``_frank_wolfe_reference`` is the
solver before that change. The rows of every FT claim stay the same only if the designs are
identical, so the comparison is exact (array bytes, values, iteration counts, certificates).
"""
import numpy as np
import pytest

from mdps.instances.ftpedel import ft_x1
from mdps.instances.random import random_linear_mdp
from provable_rl import ftpedel as ft
from provable_rl.ftpedel import _design, _policies


def _assert_same_design(fast, ref):
    for field in ("weights", "covariances", "policies", "indices"):
        a, b = getattr(fast, field), getattr(ref, field)
        assert (a is None) == (b is None), field
        if a is not None:
            assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes(), field
    assert (fast.n_episodes, fast.value, fast.iterations, fast.duality_gap) == \
        (ref.n_episodes, ref.value, ref.iterations, ref.duality_gap)


def _problems(n_random):
    """FT-X1's bandit (explicit atoms and DP oracle, with and without offline data), then seeded
    random problems: d from 1, one-action MDPs, explicit atoms, offline covariances, warm starts."""
    x1 = ft_x1(8, 0.1)
    pc = ft.policy_class(x1.mdp, x1.policies)
    V, g, off = pc.visitations[1:, 0] - pc.visitations[0, 0], pc.gaps[1:], np.diag(np.arange(8) * 30.0)
    yield V, g, 1.0, np.zeros((8, 8)), pc.covariances[:, 0], None
    yield V, g, 1000.0, off, None, (x1.mdp, 0)
    rng = np.random.default_rng(2026)
    for i in range(n_random):
        S, A, d, H = (int(x) for x in rng.integers(1, [4, 4, 6, 4], endpoint=True))
        if i == 0:
            A = 1  # one action: the uniform policy is the DP oracle's only starting atom
        if i == 1:
            d = 1
        mdp = random_linear_mdp(S, A, d, H, rng=rng)
        P = int(rng.integers(1, 6))
        V, g = rng.normal(size=(P, d)), rng.uniform(0.1, 1.0, P)
        off = np.zeros((d, d)) if i % 2 else np.diag(rng.uniform(0.0, 50.0, d))
        N = float(rng.uniform(1.0, 100.0))
        yield V, g, N, off, None, (mdp, int(rng.integers(0, H)))
        B = rng.normal(size=(int(rng.integers(1, 6)), d, d))
        yield V, g, N, off, B @ np.swapaxes(B, 1, 2), None


def test_fast_solver_gives_the_reference_designs():
    n = 0
    for V, g, N, off, C, oracle in _problems(12):
        args = (V, g, N, off, 1e-8, 2000, 1e-3, C, oracle)
        _design._clear_solved()
        fast = _design._frank_wolfe(*args, None)
        ref = _design._frank_wolfe_reference(*args, None)
        _assert_same_design(fast, ref)
        # warm-started from the design at half the episodes (the fixed point's and bisection's use)
        warm = _design._frank_wolfe_reference(V, g, N / 2, off, 1e-8, 2000, 1e-3, C, oracle, None)
        _assert_same_design(_design._frank_wolfe(*args, warm), _design._frank_wolfe_reference(*args, warm))
        n += 1
    assert n == 2 + 2 * 12


def test_memoised_solve_returns_an_independent_copy():
    x1 = ft_x1(4, 0.1)
    pc = ft.policy_class(x1.mdp, x1.policies)
    V, g = pc.visitations[1:, 0] - pc.visitations[0, 0], pc.gaps[1:]
    first = ft.frank_wolfe_design(V, g, 10.0, mdp=x1.mdp, step=0)
    first.weights[:] = 0.0  # a caller scribbling on its design must not change the next answer
    first.policies[:] = 0.0
    second = ft.frank_wolfe_design(V, g, 10.0, mdp=x1.mdp, step=0)
    _design._clear_solved()
    _assert_same_design(second, ft.frank_wolfe_design(V, g, 10.0, mdp=x1.mdp, step=0))
    # a different problem (N) is not served from the memo
    assert ft.frank_wolfe_design(V, g, 20.0, mdp=x1.mdp, step=0).value < second.value


def test_fast_best_response_is_the_reference():
    rng = np.random.default_rng(5)
    for _ in range(20):
        S, A, d, H = (int(x) for x in rng.integers(1, [5, 4, 5, 4], endpoint=True))
        mdp = random_linear_mdp(S, A, d, H, rng=rng)
        B = rng.normal(size=(d, d))
        M, h = B @ B.T, int(rng.integers(0, H))
        fast, ref = _policies._best_response(mdp, h, M), _policies._best_response_reference(mdp, h, M)
        assert fast[0].tobytes() == ref[0].tobytes() and fast[1].tobytes() == ref[1].tobytes()
        assert fast[2] == ref[2]


def test_lapack_failure_raises_linalg_error():
    # validated input keeps every A(omega) positive definite; should LAPACK still fail, the solver's
    # errstate makes it a LinAlgError (as numpy.linalg's wrappers did), not a silent NaN
    with pytest.raises(np.linalg.LinAlgError):
        with np.errstate(call=_design._raise_linalg_error, invalid="call"):
            _design._cholesky(-np.eye(2))


def test_memo_stays_within_its_byte_budget(monkeypatch):
    x1 = ft_x1(4, 0.1)
    pc = ft.policy_class(x1.mdp, x1.policies)
    V, g = pc.visitations[1:, 0] - pc.visitations[0, 0], pc.gaps[1:]
    _design._clear_solved()
    one = ft.frank_wolfe_design(V, g, 1.0, mdp=x1.mdp, step=0)
    monkeypatch.setattr(_design, "_SOLVED_MAX_BYTES", 2.5 * _design._design_bytes(one))
    designs = [ft.frank_wolfe_design(V, g, float(N), mdp=x1.mdp, step=0) for N in range(1, 6)]
    assert _design._SOLVED_BYTES[0] <= _design._SOLVED_MAX_BYTES and len(_design._SOLVED) < 5
    assert _design._SOLVED_BYTES[0] == sum(_design._design_bytes(d) for d in _design._SOLVED.values())
    _design._clear_solved()
    for N, design in zip(range(1, 6), designs):  # evicted or not, the same answers
        _assert_same_design(design, ft.frank_wolfe_design(V, g, float(N), mdp=x1.mdp, step=0))
    _design._clear_solved()
