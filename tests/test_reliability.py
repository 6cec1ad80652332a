"""Reliability guarantees (docs/guarantees.rst): numeric stress in float32,
corrupted kernel caches, version skew of saved models, interrupted and
concurrent fits, and memory."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning

from skdecay import ElasticNetClassifier, ElasticNetRegressor, LassoRegressor, RidgeRegressor

# ---------------------------------------------------------------------------
# float32 with large column means or column scales spanning 1e12

ALPHA = {"enet": 0.01, "lasso": 0.01, "ridge": 1.0, "ridge-cd": 1.0, "ridge-cg": 1.0, "clf": 1e-3}


def _make(kind):
    return {
        "enet": lambda: ElasticNetRegressor(alpha=0.01, l1_ratio=0.5),
        "lasso": lambda: LassoRegressor(alpha=0.01),
        "ridge": lambda: RidgeRegressor(alpha=1.0),
        "ridge-cd": lambda: RidgeRegressor(alpha=1.0, solver="cd"),
        "ridge-cg": lambda: RidgeRegressor(alpha=1.0, solver="cg"),
        "clf": lambda: ElasticNetClassifier(alpha=1e-3, l1_ratio=0.5),
    }[kind]()


def _data(case, kind, seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((600, 12))
    if case == "scales":
        X = Z * np.logspace(-6, 6, 12)
    else:
        X = Z + case
    beta = rng.standard_normal(12)
    if kind == "clf":
        y = (Z @ beta + rng.logistic(size=600) > 0).astype(np.float64)
    else:
        y = Z @ beta + 0.3 * rng.standard_normal(600)
    X32 = X.astype(np.float32)
    return X32, y.astype(np.float32), X32.astype(np.float64), y.astype(np.float32).astype(float)


def _objective(kind, X, y, w):
    """Objective at coefficients ``w`` with the intercept optimal for them (float64)."""
    a, z0 = ALPHA[kind], X @ w
    if kind == "clf":

        def loss(b):
            z = z0 + b
            return np.mean(np.logaddexp(0, z) - y * z)

        b = minimize_scalar(loss).x
        return loss(b) + a * (0.5 * np.abs(w).sum() + 0.25 * w @ w), b
    b = np.mean(y - z0)
    r = y - z0 - b
    if kind.startswith("ridge"):
        return r @ r + a * w @ w, b
    l1 = 1.0 if kind == "lasso" else 0.5
    return 0.5 * np.mean(r * r) + a * (l1 * np.abs(w).sum() + (1 - l1) / 2 * w @ w), b


def _optimum(kind, X64, y64):
    """The float64 optimum of the same rounded data (centred explicitly, tight tol)."""
    Xc = X64 - X64.mean(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = _make("ridge" if kind == "ridge-cg" else kind)  # CG: the direct solver's optimum
        ref = ref.set_params(tol=1e-12, max_iter=10_000).fit(Xc, y64)
    return _objective(kind, X64, y64, np.ravel(ref.coef_))[0]


@pytest.mark.parametrize("case", [1e2, 1e4, 1e6, "scales"])
@pytest.mark.parametrize("kind", list(ALPHA))
@pytest.mark.parametrize("sparse", [False, True])
def test_float32_reaches_the_optimum_without_warning(case, kind, sparse):
    X32, y32, X64, y64 = _data(case, kind)
    Xin = sp.csc_matrix(X32) if sparse else X32
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = _make(kind).fit(Xin, y32 if kind != "clf" else y64)
    assert est.coef_.dtype == np.float32
    w = np.ravel(est.coef_).astype(np.float64)
    f, b = _objective(kind, X64, y64, w)
    f0 = _optimum(kind, X64, y64)
    assert (f - f0) / abs(f0) <= 1e-4
    # the stored float32 intercept is the optimal one for these coefficients (to the
    # solver's tolerance, on the scale of y, or to its own float32 rounding)
    err = abs(float(np.ravel(est.intercept_)[0]) - b)
    assert err <= 1e-3 * np.std(y64) + 4 * np.spacing(np.float32(abs(b)))


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_paths_and_cv_on_large_means(sparse):
    from skdecay import ElasticNetClassifierCV, ElasticNetRegressorCV, enet_path, logistic_path

    X32, y32, X64, y64 = _data(1e5, "enet")
    yb = _data(1e5, "clf")[1]
    Xin = sp.csc_matrix(X32) if sparse else X32
    Xc = X64 - X64.mean(axis=0)  # the same rounded data, centred exactly in float64
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        p32 = enet_path(Xin, y32, n_alphas=8, tol=1e-6)
        l32 = logistic_path(Xin, yb, n_alphas=5, tol=1e-6)
        cv32 = ElasticNetRegressorCV(cv=3, n_alphas=8).fit(Xin, y32)
        ElasticNetClassifierCV(cv=3, n_alphas=5).fit(Xin, yb)
    p64 = enet_path(Xc, y64, n_alphas=8, tol=1e-10)
    l64 = logistic_path(Xc, yb.astype(float), n_alphas=5, tol=1e-10)
    np.testing.assert_allclose(p32.alphas, p64.alphas, rtol=1e-5)
    np.testing.assert_allclose(p32.coefs, p64.coefs, atol=1e-3)
    np.testing.assert_allclose(l32.coefs, l64.coefs, atol=1e-3)
    assert cv32.alpha_ == pytest.approx(ElasticNetRegressorCV(cv=3, n_alphas=8).fit(Xc, y64).alpha_)


@pytest.mark.parametrize("kind", ["lasso", "ridge-cg", "clf"])
def test_float32_not_optimal_still_warns(kind):
    X32, y32, _, y64 = _data("scales", kind)
    est = _make(kind).set_params(max_iter=2)
    with pytest.warns(ConvergenceWarning):
        est.fit(X32, y32 if kind != "clf" else y64)


def test_float32_sparse_large_means_stay_sparse():
    X32, y32, _, _ = _data(1e5, "enet")
    X = sp.csc_matrix(X32)
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    ElasticNetRegressor(alpha=0.01).fit(X, y32)
    for a, b in zip(before, (X.data, X.indices, X.indptr), strict=True):
        np.testing.assert_array_equal(a, b)  # the caller's matrix is untouched


# ---------------------------------------------------------------------------
# version records of saved models


def _fitted_models():
    from skdecay import ElasticNetMLPRegressor, ElasticNetRegressorCV

    X, y = np.random.default_rng(0).standard_normal((40, 3)), np.arange(40.0)
    yield ElasticNetRegressor(alpha=0.1).fit(X, y)
    yield ElasticNetClassifier().fit(X, y > 20)
    yield ElasticNetRegressorCV(cv=2, n_alphas=3).fit(X, y)
    yield ElasticNetMLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_records_version_and_warns_on_skew(monkeypatch):
    import pickle

    import skdecay
    from skdecay.persistence import InconsistentVersionWarning

    for model in _fitted_models():
        blob = pickle.dumps(model)
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            same = pickle.loads(blob)  # same version: silent
        assert same._skdecay_version == skdecay.__version__
        monkeypatch.setattr(skdecay, "__version__", "99.0.0")
        with pytest.warns(InconsistentVersionWarning, match=r"saved by skdecay 0\.1\.0"):
            old = pickle.loads(blob)
        assert old._skdecay_version == "0.1.0"  # the version that saved it, kept
        monkeypatch.undo()
        np.testing.assert_allclose(old.predict(np.ones((2, 3))), model.predict(np.ones((2, 3))))


def test_state_without_version_warns():
    from sklearn.exceptions import InconsistentVersionWarning as SklearnWarning

    model = ElasticNetRegressor().fit(np.eye(3), [0.0, 1.0, 2.0])
    state = model.__getstate__()
    del state["_skdecay_version"]
    with pytest.warns(SklearnWarning, match="unknown"):  # ours subclasses scikit-learn's
        ElasticNetRegressor().__setstate__(state)


def test_skops_and_predict_command_report_skew(tmp_path, monkeypatch, capsys):
    sio = pytest.importorskip("skops.io")
    pytest.importorskip("pandas")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skdecay
    from skdecay.cli import load_model
    from skdecay.persistence import InconsistentVersionWarning, version_skew

    X = np.random.default_rng(1).standard_normal((30, 2))
    model = make_pipeline(StandardScaler(), ElasticNetRegressor(alpha=0.1)).fit(X, X[:, 0])
    path = tmp_path / "m.skops"
    sio.dump(model, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        loaded = load_model(path)
    assert version_skew(loaded) == [] and capsys.readouterr().err == ""
    monkeypatch.setattr(skdecay, "__version__", "99.0.0")
    with pytest.warns(InconsistentVersionWarning):
        sio.load(path, trusted=sio.get_untrusted_types(file=path))
    loaded = load_model(path)  # the command reports it once, on stderr
    assert version_skew(loaded) == [("ElasticNetRegressor", "0.1.0")]
    err = capsys.readouterr().err
    assert "saved by skdecay 0.1.0" in err and "this is skdecay 99.0.0" in err


# ---------------------------------------------------------------------------
# corrupted numba cache files

_PROBE = """
import numpy as np
from skdecay._kernels import kernel

@kernel
def probe(x):
    acc = np.zeros(1, dtype=x.dtype)[0]
    for v in x:
        acc += v * v
    return acc
"""


def _load_probe(folder, name):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.pop(name, None)
    spec.loader.exec_module(module)  # a fresh dispatcher: its cache is read from disk
    return module.probe


def _corrupt(cache, how):
    nbc = sorted(cache.glob("*.nbc"))
    nbi = next(cache.glob("*.nbi"))
    if how == "truncated .nbc":
        for f in nbc:
            f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    elif how == "empty .nbc":
        for f in nbc:
            f.write_bytes(b"")
    elif how == "garbage .nbi":
        nbi.write_bytes(b"\x80\x04garbage" * 10)
    else:  # the two overloads' data files swapped
        a, b = (f.read_bytes() for f in nbc)
        nbc[0].write_bytes(b)
        nbc[1].write_bytes(a)


@pytest.mark.parametrize(
    "how", ["truncated .nbc", "empty .nbc", "garbage .nbi", "dtype-swapped .nbc"]
)
def test_corrupted_kernel_cache_warns_once_and_recompiles(tmp_path, monkeypatch, how):
    from skdecay._kernels import KernelCacheWarning

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    name = "skdecay_probe_" + how.replace(" ", "_").replace(".", "").replace("-", "_")
    (tmp_path / f"{name}.py").write_text(_PROBE)
    x64, x32 = np.arange(5.0), np.arange(5.0, dtype=np.float32)
    probe = _load_probe(tmp_path, name)
    assert probe(x64) == 30.0 and probe(x32) == 30.0  # both overloads cached on disk
    cache = tmp_path / "__pycache__"
    assert len(list(cache.glob("*.nbc"))) == 2
    _corrupt(cache, how)
    probe = _load_probe(tmp_path, name)
    with pytest.warns(KernelCacheWarning, match="__pycache__") as record:
        assert probe(x64) == 30.0
        assert probe(x32) == 30.0
        assert probe(x64) == 30.0
    ours = [w for w in record if issubclass(w.category, KernelCacheWarning)]
    assert len(ours) == 1 and str(cache) in str(ours[0].message)  # once per kernel
    probe = _load_probe(tmp_path, name)  # the entries were rewritten: a clean load
    with warnings.catch_warnings():
        warnings.simplefilter("error", KernelCacheWarning)
        assert probe(x64) == 30.0 and probe(x32) == 30.0
        assert probe.stats.cache_hits  # served from the rewritten cache


# ---------------------------------------------------------------------------
# interrupted and concurrent fits


def _state(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("__")}


def _assert_same_state(before, after):
    assert before.keys() == after.keys()
    for k, v in before.items():
        assert after[k] is v, k  # the very same objects: nothing rewritten


@pytest.mark.parametrize("Est", [ElasticNetRegressor, RidgeRegressor, ElasticNetClassifier])
def test_interrupted_fit_keeps_previous_state(Est, monkeypatch):
    import skdecay.linear_model._base as lm  # where the fit looks solve up

    rng = np.random.default_rng(0)
    X1, X2 = rng.standard_normal((30, 3)), rng.standard_normal((20, 5))
    y1 = np.arange(30) % 3 if Est is ElasticNetClassifier else rng.standard_normal(30)
    y2 = np.arange(20) % 2 if Est is ElasticNetClassifier else rng.standard_normal(20)
    est = Est().set_params(solver="cd") if Est is RidgeRegressor else Est()
    est.fit(X1, y1)
    before = _state(est)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lm, "solve", interrupted)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X2, y2)
    _assert_same_state(before, _state(est))
    assert est.predict(X1).shape == (30,)  # still usable as fitted before

    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    fresh = clone(est)
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(X2, y2)
    with pytest.raises(NotFittedError):  # a failed first fit leaves it unfitted
        fresh.predict(X2)


def test_cv_interrupted_during_refit_keeps_previous_state(monkeypatch):
    from skdecay import ElasticNetRegressorCV

    rng = np.random.default_rng(1)
    X1, X2 = rng.standard_normal((40, 3)), rng.standard_normal((40, 6))
    est = ElasticNetRegressorCV(cv=2, n_alphas=4).fit(X1, X1[:, 0])
    before = _state(est)

    class Boom:
        def fit(self, *args, **kwargs):
            raise KeyboardInterrupt

    monkeypatch.setattr(ElasticNetRegressorCV, "_refit_model", lambda self: Boom())
    with pytest.raises(KeyboardInterrupt):
        est.fit(X2, X2[:, 1])
    _assert_same_state(before, _state(est))
    assert est.n_features_in_ == 3 and est.coef_.shape == (3,)


def test_concurrent_fit_of_one_instance_raises_clearly(monkeypatch):
    import threading

    import skdecay.linear_model._base as lm  # where the fit looks solve up

    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((30, 4)), np.arange(30) % 3
    est = ElasticNetClassifier()
    entered, release = threading.Event(), threading.Event()
    real = lm.solve

    def slow(*args, **kwargs):
        entered.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(lm, "solve", slow)
    first = threading.Thread(target=est.fit, args=(X, y))
    first.start()
    assert entered.wait(30)
    with pytest.raises(RuntimeError, match="already running on this instance"):
        est.fit(X[:, :2], y % 2)  # a second fit while the first runs
    release.set()
    first.join(30)
    # the first fit's complete state, nothing of the second
    assert est.n_features_in_ == 4 and est.coef_.shape == (3, 4) and est.classes_.size == 3
    monkeypatch.setattr(lm, "solve", real)
    est.fit(X[:, :2], y % 2)  # once it is done, the instance fits again
    assert est.coef_.shape == (1, 2)


# ---------------------------------------------------------------------------
# memory: no copy of X beyond what scikit-learn makes


def _peak_fit(est, X, y):
    import tracemalloc

    # compiled code loaded (not counted): the same shapes, so the same solver runs
    est.fit(X, y)
    tracemalloc.start()
    try:
        est.fit(X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "make",
    [
        lambda: RidgeRegressor(solver="cholesky"),
        lambda: ElasticNetRegressor(alpha=0.01),
        lambda: ElasticNetClassifier(alpha=1e-3),
    ],
    ids=["ridge-cholesky", "enet", "classifier"],
)
def test_fortran_x_is_not_copied(make):
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((3000, 200)) + 3.0)  # 4.8 MB
    y = X[:, 0] - 3 + rng.standard_normal(3000)
    if isinstance(make(), ElasticNetClassifier):
        y = (y > 0).astype(float)
    assert _peak_fit(make(), X, y) < 0.5 * X.nbytes  # blocks and vectors only


def test_ridge_cholesky_c_order_makes_one_copy_at_most():
    # scikit-learn's Ridge(solver="cholesky") centres a copy of X; ours converts
    # C-ordered X once to the Fortran layout and builds the Gram matrix from
    # centred row blocks (it used to make two full copies)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3000, 200)) + 3.0
    y = X[:, 0] + rng.standard_normal(3000)
    assert _peak_fit(RidgeRegressor(solver="cholesky"), X, y) < 1.5 * X.nbytes


@pytest.mark.parametrize(
    "n_classes, l1_ratio",
    [(2, 0.5), (3, 0.5), (2, 0.0)],
    ids=["binary", "multinomial", "binary-l2-chunked"],
)
def test_c_ordered_x_is_not_copied_by_the_classifier(n_classes, l1_ratio):
    # scikit-learn's LogisticRegression (lbfgs, saga) copies neither layout; ours
    # reads a C-ordered X by rows and caches at most a quarter of its columns for
    # coordinate descent (the L2 fit's working set, every column, goes in chunks)
    from skdecay._logistic_path import cache_columns

    rng = np.random.default_rng(3)
    X = rng.standard_normal((1500, 400)) + 1.0  # 4.8 MB
    y = np.digitize(X[:, 0] - 1 + X[:, 1] + rng.standard_normal(1500), [-0.5, 0.5][: n_classes - 1])
    assert X.flags.c_contiguous and cache_columns(400) == 100
    assert _peak_fit(ElasticNetClassifier(alpha=1e-3, l1_ratio=l1_ratio), X, y) < 0.5 * X.nbytes


def test_classifier_cv_folds_are_single_copies():
    # each fold's training rows are one copy in the layout the solver reads (they
    # used to be gathered C-ordered, then copied to Fortran order; and C-ordered X
    # was first copied whole): training + held-out rows of a fold, about one X
    from skdecay import ElasticNetClassifierCV

    rng = np.random.default_rng(4)
    X = rng.standard_normal((1500, 200))
    y = (X[:, 0] + rng.standard_normal(1500) > 0).astype(int)
    for Xo in (X, np.asfortranarray(X)):
        est = ElasticNetClassifierCV(n_alphas=3, cv=3)
        assert _peak_fit(est, Xo, y) < 1.4 * X.nbytes


def test_classifier_reads_either_layout_and_strided_views_alike():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((300, 24)) + rng.standard_normal(24)
    y = np.arange(300) % 3
    fits = [
        ElasticNetClassifier(alpha=1e-3, tol=1e-10).fit(Xo, y)
        for Xo in (np.ascontiguousarray(X[:, ::2]), np.asfortranarray(X[:, ::2]), X[:, ::2])
    ]
    for est in fits[1:]:
        np.testing.assert_allclose(est.coef_, fits[0].coef_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(est.intercept_, fits[0].intercept_, rtol=0, atol=1e-10)


def test_kernel_cache_is_stamped_with_every_kernel_source():
    from skdecay._kernels import _sources_digest, cd

    stamp = cd.column_moments_dense._cache._cache_file._source_stamp
    assert stamp[1] == _sources_digest()  # a change to any kernel module invalidates it


_FIT = r"""
import warnings, numpy as np
from skdecay import ElasticNetRegressor
rng = np.random.default_rng(0)
X = rng.standard_normal((60, 5)).astype(np.float32)
y = X @ np.arange(5, dtype=np.float32)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    coef = ElasticNetRegressor(alpha=0.01).fit(X, y).coef_
ours = [str(w.message) for w in caught if type(w.message).__name__ == "KernelCacheWarning"]
print(len(ours), " ".join(map(repr, coef.tolist())), sep="\n")
print(ours[0] if ours else "")
"""


@pytest.mark.slow
def test_truncated_cache_of_a_real_fit_in_a_new_process(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))

    def run():
        out = subprocess.run(
            [sys.executable, "-c", _FIT], env=env, capture_output=True, text=True, timeout=600
        )
        assert out.returncode == 0, out.stderr[-2000:]
        count, coef, message = out.stdout.split("\n", 2)
        return int(count), message, np.array([float(c) for c in coef.split()])

    n0, _, coef0 = run()  # compiles and fills the cache
    files = list(tmp_path.rglob("*.nbc"))
    assert n0 == 0 and files
    for f in files:  # every entry truncated: the hand-deletion case of the issue
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    n1, message, coef1 = run()
    assert n1 >= 1 and str(tmp_path) in message
    np.testing.assert_array_equal(coef1, coef0)
    n2, _, coef2 = run()  # rewritten: clean
    assert n2 == 0
    np.testing.assert_array_equal(coef2, coef0)
