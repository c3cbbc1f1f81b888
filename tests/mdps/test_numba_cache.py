"""``import mdps`` survives a Numba cache that cannot be written (read-only site-packages, no home).

Numba raises "no locator available" when it cannot write a cache next to the source nor in the
user's cache directory. Each test simulates that in a fresh interpreter by making Numba's locators
fail (running as root, file permissions alone would not stop the writes), then imports mdps.
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = textwrap.dedent("""
    import warnings
    import numba.core.caching as caching
    import numba.core.config as config

    ALLOW_CACHE_DIR = {allow}
    original = caching._CacheLocator.ensure_cache_path

    def read_only(self):
        path = self.get_cache_path()
        if ALLOW_CACHE_DIR and config.CACHE_DIR and path.startswith(config.CACHE_DIR):
            return original(self)
        raise PermissionError(13, "read-only file system (simulated)", path)

    caching._CacheLocator.ensure_cache_path = read_only
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import mdps
    import numpy as np
    from mdps.sampling import _uniforms
    assert _uniforms(np.random.default_rng(0), 3).shape == (3,)  # a kernel compiles and runs
    lines = [str(w.message) for w in caught if "Numba" in str(w.message)]
    print(mdps._NUMBA_CACHE, repr(config.CACHE_DIR), len(lines))
    print(lines[0] if lines else "")
""")


def _run(tmp_path, allow):
    env = dict(os.environ, TMPDIR=str(tmp_path), PYTHONPATH=str(ROOT))
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", PRELUDE.format(allow=allow)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.splitlines()


def test_unwritable_cache_falls_back_to_a_temporary_directory_with_one_warning(tmp_path):
    status, message = _run(tmp_path, allow=True)
    cached, cache_dir, n_warnings = status.split(" ")
    assert cached == "True" and n_warnings == "1"
    assert str(tmp_path) in cache_dir and "mdps-numba-cache-" in cache_dir
    assert "caching compiled kernels in" in message and "\n" not in message
    assert any((tmp_path / d).is_dir() for d in os.listdir(tmp_path) if d.startswith("mdps-numba-cache-"))


def test_no_writable_directory_at_all_compiles_without_a_cache(tmp_path):
    status, message = _run(tmp_path, allow=False)
    cached, cache_dir, n_warnings = status.split(" ")
    assert cached == "False" and cache_dir == "''" and n_warnings == "1"
    assert "without a cache" in message
