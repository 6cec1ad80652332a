"""numba runtime: lazy compilation, cache stamps, NUMBA_CACHE_DIR, read-only installs."""

import importlib
import os
import pkgutil
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numba

import skdecay
import skdecay._kernels as kernels

KERNEL_MODULES = [
    importlib.import_module(f"skdecay._kernels.{m.name}")
    for m in pkgutil.iter_modules(kernels.__path__)
]

FIT_SCRIPT = textwrap.dedent(
    """
    import warnings, numpy as np, scipy.sparse as sp
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        import skdecay
        rng = np.random.default_rng(0)
        X = rng.standard_normal((40, 8)); y = X[:, 0] + 0.1 * rng.standard_normal(40)
        m = skdecay.ElasticNetRegressor(alpha=0.05).fit(X, y)
        skdecay.LassoRegressor(alpha=0.05).fit(sp.csc_matrix(X), y)
    assert m.coef_[0] > 0.5, m.coef_
    print("FILE", skdecay.__file__)
    print("WARNINGS", sum(issubclass(w.category, RuntimeWarning) for w in caught))
    """
)


def test_every_kernel_module_is_stamped_with_the_version():
    assert KERNEL_MODULES, "no kernel modules found"
    for mod in KERNEL_MODULES:
        assert getattr(mod, "KERNEL_STAMP", None) == skdecay.__version__, mod.__name__


def _dispatchers():
    for mod in KERNEL_MODULES:
        for obj in vars(mod).values():
            if isinstance(obj, numba.core.registry.CPUDispatcher):
                yield obj


def test_kernels_are_cached_and_take_no_functions():
    disps = list(_dispatchers())
    assert len(disps) >= 6
    for d in disps:
        assert d._cache.__class__.__name__ == "FunctionCache", d  # cache=True in effect


def test_import_compiles_nothing():
    code = (
        "import skdecay, skdecay.solvers, pkgutil, importlib, numba\n"
        "import skdecay._kernels as k\n"
        "n = 0\n"
        "for m in pkgutil.iter_modules(k.__path__):\n"
        "    mod = importlib.import_module('skdecay._kernels.' + m.name)\n"
        "    for o in vars(mod).values():\n"
        "        if isinstance(o, numba.core.registry.CPUDispatcher):\n"
        "            n += len(o.signatures)\n"
        "print(n)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_src_root()
    )
    assert out.stdout.strip() == "0"


def _src_root():
    return str(Path(skdecay.__file__).resolve().parent.parent)


def test_numba_cache_dir_is_honoured(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    subprocess.run(
        [sys.executable, "-c", FIT_SCRIPT],
        env=env,
        check=True,
        capture_output=True,
        cwd=_src_root(),
    )
    cached = list((tmp_path / "cache").rglob("*.nbi"))
    assert any("cd" in p.name for p in cached), cached


def test_read_only_install_imports_and_fits(tmp_path):
    """A copy of the package in a read-only folder, with no writable cache location.

    Permissions alone do not stop root (CI may run as root), so every cache
    folder numba would create is also blocked by a plain file of that name.
    """
    site = tmp_path / "site"
    shutil.copytree(
        Path(skdecay.__file__).parent,
        site / "skdecay",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    for pkg in [site / "skdecay", site / "skdecay" / "_kernels"]:
        (pkg / "__pycache__").write_text("not a folder")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".cache").write_text("not a folder")
    for path in [site, *site.rglob("*"), home]:
        mode = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        if path.is_dir():
            mode |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        path.chmod(mode)
    tmp_path.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=str(site),
        PYTHONDONTWRITEBYTECODE="1",
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", FIT_SCRIPT],
            env=env,
            cwd=str(home),
            capture_output=True,
            text=True,
        )
    finally:
        for path in [site, *site.rglob("*"), home]:
            path.chmod(0o755)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"FILE {site}" in out.stdout
    assert "WARNINGS 1" in out.stdout, out.stdout  # exactly one warning about caching
    assert not list(site.rglob("*.nbi"))
    assert not list(home.rglob("*.nbi"))
