"""numba runtime: lazy compilation, cache stamps, NUMBA_CACHE_DIR, read-only installs."""

import importlib
import os
import pkgutil
import shutil
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numba
import numpy as np
import pytest

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
        # cache=True in effect (skdecay's guarded subclass of numba's cache)
        assert isinstance(d._cache, numba.core.caching.FunctionCache), d


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


# ---------------------------------------------------------------------------
# lazy public names (PEP 562): `import skdecay` loads no estimator, no numba


def test_import_skdecay_imports_neither_numba_nor_the_estimators():
    code = textwrap.dedent(
        """
        import sys
        import skdecay
        print(skdecay.__version__)
        heavy = ("numba", "numpy", "scipy", "sklearn", "skdecay.linear_model",
                 "skdecay._kernels")
        print(sorted(m for m in sys.modules if m.startswith(heavy)))
        from skdecay import ElasticNetRegressor
        print("numba" in sys.modules, "skdecay.neural_network" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=_src_root()
    )
    version, loaded, after = out.stdout.strip().splitlines()
    assert version == skdecay.__version__
    assert loaded == "[]", loaded
    # the estimator's module (and numba, for its kernels) come with the name, no more
    assert after == "True False", after


def test_lazy_names_resolve_to_their_modules():
    names = [n for n in skdecay.__all__ if n != "__version__"]
    assert set(names) == set(skdecay._LAZY), "__all__ and the lazy table disagree"
    for name in names:
        obj = getattr(skdecay, name)
        assert obj.__module__ == f"skdecay.{skdecay._LAZY[name]}", name
        assert obj is getattr(importlib.import_module(obj.__module__), name)
    assert set(skdecay.__all__) <= set(dir(skdecay))
    for module in skdecay._SUBMODULES:
        assert getattr(skdecay, module) is importlib.import_module(f"skdecay.{module}")
        assert module in dir(skdecay)
    with pytest.raises(AttributeError, match="no_such_name"):
        skdecay.no_such_name  # noqa: B018
    with pytest.raises(ImportError):
        exec("from skdecay import no_such_name", {})


def test_type_checking_imports_match_the_lazy_table():
    """The ``if TYPE_CHECKING:`` block (what IDEs and type checkers see) imports
    every lazy name from the module the lazy table names."""
    import ast

    tree = ast.parse(Path(skdecay.__file__).read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen = {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == skdecay._LAZY


# ---------------------------------------------------------------------------
# read-only copy of the installed package, MLP included


def _installed_package() -> Path:
    """The installed ``skdecay`` folder (site-packages in CI), else the imported one."""
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        init = Path(distribution("skdecay").locate_file("skdecay/__init__.py"))
        if init.is_file():
            return init.parent
    except PackageNotFoundError:
        pass
    return Path(skdecay.__file__).resolve().parent


MLP_SCRIPT = FIT_SCRIPT + textwrap.dedent(
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = skdecay.LassoMLPClassifier(
            hidden_layer_sizes=(6,), max_iter=20, learning_rate_init=5e-2, random_state=0
        ).fit(X, (y > 0).astype(int))
    assert clf.score(X, (y > 0).astype(int)) > 0.8
    print("MLP OK")
    """
)


def test_read_only_install_imports_and_fits(tmp_path):
    """A copy of the installed package in a read-only folder, with no writable cache
    location: linear models (dense and sparse) and an MLP fit, compiled in memory.

    Permissions alone do not stop root (CI may run as root), so every cache
    folder numba would create is also blocked by a plain file of that name.
    """
    site = tmp_path / "site"
    shutil.copytree(
        _installed_package(), site / "skdecay", ignore=shutil.ignore_patterns("__pycache__")
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
            [sys.executable, "-c", MLP_SCRIPT],
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
    assert "MLP OK" in out.stdout, out.stdout
    assert not list(site.rglob("*.nbi"))
    assert not list(home.rglob("*.nbi"))


# ---------------------------------------------------------------------------
# the on-disk cache is invalidated by a version change

CACHE_STATS_SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, warnings, numpy as np, numba
    import skdecay, skdecay._kernels as k
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5)); y = X[:, 0] + 0.1 * rng.standard_normal(40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        skdecay.ElasticNetRegressor(alpha=0.05).fit(X, y)  # cd kernels call prox kernels
    seen, hits, misses, sigs = set(), 0, 0, 0
    for m in pkgutil.iter_modules(k.__path__):
        mod = importlib.import_module("skdecay._kernels." + m.name)
        for o in vars(mod).values():
            if isinstance(o, numba.core.registry.CPUDispatcher) and id(o) not in seen:
                seen.add(id(o))
                sigs += len(o.signatures)
                hits += sum(o.stats.cache_hits.values())
                misses += sum(o.stats.cache_misses.values())
    print(json.dumps(dict(version=skdecay.__version__, file=skdecay.__file__,
                          hits=hits, misses=misses, sigs=sigs)))
    """
)


def _cache_stats(site: Path, cache: Path) -> dict:
    import json

    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", CACHE_STATS_SCRIPT],
        env=env,
        cwd=str(site),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    stats = json.loads(out.stdout.strip().splitlines()[-1])
    assert stats["file"].startswith(str(site)), stats
    return stats


def test_version_bump_invalidates_the_kernel_cache(tmp_path):
    """Fit with a fresh ``NUMBA_CACHE_DIR`` (compiled, cached there), refit (served from
    the cache), bump the version stamps, refit (recompiled, not served stale)."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    shutil.copytree(
        Path(skdecay.__file__).resolve().parent,
        site / "skdecay",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    cold = _cache_stats(site, cache)
    assert cold["sigs"] >= 3 and cold["hits"] == 0 and cold["misses"] == cold["sigs"], cold
    # NUMBA_CACHE_DIR is honoured: the index files are there, none next to the sources
    assert any(p.name.startswith("cd.") for p in cache.rglob("*.nbi")), list(cache.rglob("*"))
    assert not list(site.rglob("*.nbi"))
    # served from the cache (kernels inlined into a cached caller are not even loaded)
    warm = _cache_stats(site, cache)
    assert warm["misses"] == 0 and warm["hits"] == warm["sigs"] >= 1, warm

    new = "9.9.9"
    assert len(new) == len(skdecay.__version__)  # same file sizes: only the content changes
    stamp = f'KERNEL_STAMP = "{skdecay.__version__}"'
    for mod in (site / "skdecay" / "_kernels").glob("*.py"):
        text = mod.read_text()
        if mod.name != "__init__.py":
            assert stamp in text, mod
            mod.write_text(text.replace(stamp, f'KERNEL_STAMP = "{new}"'))
    init = site / "skdecay" / "__init__.py"
    init.write_text(init.read_text().replace(f'"{skdecay.__version__}"', f'"{new}"'))

    bumped = _cache_stats(site, cache)
    assert bumped["version"] == new
    assert bumped["hits"] == 0 and bumped["misses"] == bumped["sigs"] == cold["sigs"], bumped


# ---------------------------------------------------------------------------
# threads: no parallel kernels, BLAS under threadpoolctl's control


def test_no_kernel_is_parallel():
    """Our kernels never start numba threads: NUMBA_NUM_THREADS has nothing to limit."""
    for d in _dispatchers():
        assert not d.targetoptions.get("parallel"), d


def test_fits_never_start_numba_threads():
    code = textwrap.dedent(
        """
        import warnings, numpy as np, scipy.sparse as sp, numba
        import numba.np.ufunc.parallel as par
        import skdecay
        rng = np.random.default_rng(0)
        X = rng.standard_normal((60, 5)); y = X[:, 0] + 0.1 * rng.standard_normal(60)
        c = (y > 0).astype(int)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            skdecay.ElasticNetRegressor(alpha=0.01).fit(X, y)
            skdecay.LassoRegressor(alpha=0.01).fit(sp.csc_matrix(X), y)
            skdecay.ElasticNetClassifier().fit(X, c)
            skdecay.ElasticNetRegressorCV(alphas=4, cv=3, n_jobs=2).fit(X, y)
            skdecay.ElasticNetMLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, c)
        print("LAUNCHED", par._is_initialized, numba.get_num_threads())
        """
    )
    env = {**os.environ, "NUMBA_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=_src_root(),
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "LAUNCHED False 1" in out.stdout, out.stdout


def test_threadpoolctl_controls_the_blas_of_mlp_training():
    """numba's ``np.dot`` calls scipy's BLAS (``scipy.linalg.cython_blas``); threadpoolctl
    must see that library and limit it, and a limited fit gives the same weights."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import scipy.linalg.cython_blas  # noqa: F401 - the BLAS numba binds to

    blas = [
        i
        for i in threadpoolctl.threadpool_info()
        if i["user_api"] == "blas" and "scipy" in Path(i["filepath"]).parent.name
    ]
    assert blas, threadpoolctl.threadpool_info()

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 40))
    y = (X[:, :3].sum(axis=1) > 0).astype(int)
    est = skdecay.ElasticNetMLPClassifier(
        hidden_layer_sizes=(64,), max_iter=5, batch_size=300, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        free = est.fit(X, y).coefs_
        with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
            limited_info = [
                i
                for i in threadpoolctl.threadpool_info()
                if i["filepath"] in {b["filepath"] for b in blas}
            ]
            limited = est.fit(X, y).coefs_
    assert all(i["num_threads"] == 1 for i in limited_info), limited_info
    for a, b in zip(free, limited, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_mlp_training_runs_on_one_blas_thread_and_restores_the_setting(monkeypatch):
    """No oversubscription under joblib/dask: every epoch of an MLP fit sees one BLAS
    thread, whatever the caller allowed, and the caller's limit is back afterwards."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from skdecay.neural_network import _base

    seen = []
    train = _base._BaseMLP._train

    def spy(self, *args, **kwargs):
        info = threadpoolctl.threadpool_info()
        seen.append([i["num_threads"] for i in info if i["user_api"] == "blas"])
        return train(self, *args, **kwargs)

    monkeypatch.setattr(_base._BaseMLP, "_train", spy)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    y = X[:, 0] - X[:, 1]
    est = skdecay.RidgeMLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        outside = [
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X, y)
            est.partial_fit(X, y)
        after = [
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        ]
    assert len(seen) == 2 and all(n == [1] * len(n) for n in seen) and seen[0], seen
    assert after == outside and max(outside) == 2, (outside, after)
