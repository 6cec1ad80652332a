"""Honest training state of the MLPs: interrupts, kept epoch, n_iter_, threads, memory.

Each test reproduces a case of issue 15 that used to leave the estimator
inconsistent, and checks the state against an independent reference (a fresh
fit with the same seed, the arrays of the fitted weights, threadpoolctl's view
of the BLAS limits, tracemalloc's peak).
"""

import _thread
import threading
import tracemalloc
import warnings

import matplotlib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_info

from skdecay import ElasticNetMLPClassifier, ElasticNetMLPRegressor, LassoMLPClassifier
from skdecay._kernels import mlp as mlp_kernels
from skdecay.neural_network import _threads
from skdecay.plotting import TrainingHistoryDisplay

matplotlib.use("Agg")
QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _classification(n=300, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, (X[:, 0] + 0.5 * X[:, 1] - 0.3 * X[:, 2] ** 2 > 0).astype(int)


def _params(est):
    return np.concatenate([np.ravel(a) for a in [*est.coefs_, *est.intercepts_]])


KW = dict(
    hidden_layer_sizes=(16,), learning_rate_init=1e-2, batch_size=50, random_state=0, tol=0.0,
    n_iter_no_change=100_000,
)  # fmt: skip


def _consistent(m, X, y, n_batches):
    """Everything describes the same number of epochs, and the weights are those of a
    fresh, uninterrupted fit of that many epochs."""
    rows = len(m.loss_curve_)
    assert m.n_iter_ == rows == len(m.history_["loss"]) == m.history_["l1_norm"].shape[0]
    assert m.t_ == rows * len(X) and m._step == rows * n_batches
    ref = ElasticNetMLPClassifier(max_iter=rows, **KW).fit(X, y)
    np.testing.assert_array_equal(_params(m), _params(ref))
    np.testing.assert_array_equal(m._m, ref._m)
    np.testing.assert_array_equal(m.loss_curve_, ref.loss_curve_)
    assert m.history_["kept"][-1] and m.history_["kept"].sum() == 1


@QUIET
def test_interrupt_from_a_timer_keeps_the_last_complete_epoch():
    X, y = _classification()
    ElasticNetMLPClassifier(max_iter=2, **KW).fit(X, y)  # kernels compiled / loaded
    m = ElasticNetMLPClassifier(max_iter=100_000, **KW)
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            m.fit(X, y)
    finally:
        timer.cancel()
    assert 1 <= m.n_iter_ < 100_000
    check_is_fitted(m)
    _consistent(m, X, y, n_batches=6)
    # a warm start continues from exactly there: same as one uninterrupted fit
    done = m.n_iter_
    m.set_params(warm_start=True, max_iter=3).fit(X, y)
    assert m.n_iter_ == 3 and len(m.loss_curve_) == done + 3
    ref = ElasticNetMLPClassifier(max_iter=done + 3, **KW).fit(X, y)
    np.testing.assert_array_equal(_params(m), _params(ref))
    assert m._step == ref._step and m.t_ == ref.t_


def _interrupt_after_kernel(monkeypatch):
    """Ctrl-C arriving while the epoch kernel runs: raised when it returns."""
    kernel = mlp_kernels.mlp_epoch

    def interrupted(*args, **kwargs):
        out = kernel(*args, **kwargs)
        _thread.interrupt_main()
        return out

    monkeypatch.setattr(mlp_kernels, "mlp_epoch", interrupted)


@QUIET
def test_interrupt_in_the_first_epoch_of_a_fresh_fit_leaves_it_unfitted(monkeypatch):
    X, y = _classification()
    m = ElasticNetMLPClassifier(max_iter=5, **KW).fit(X, y)  # previously fitted
    _interrupt_after_kernel(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        m.fit(X[:, :4], y)  # a refit on other data, interrupted in its first epoch
    with pytest.raises(NotFittedError):
        check_is_fitted(m)
    assert not [k for k in vars(m) if k.endswith("_")]  # no half-fitted attribute left


@QUIET
def test_interrupt_in_the_first_epoch_of_a_warm_start_keeps_the_previous_state(monkeypatch):
    X, y = _classification()
    m = ElasticNetMLPClassifier(max_iter=4, warm_start=True, **KW).fit(X, y)
    before = (_params(m), m._m.copy(), m._step, m.n_iter_, list(m.loss_curve_), m.t_)
    _interrupt_after_kernel(monkeypatch)
    with pytest.warns(UserWarning, match="keeps its previous state"):
        m.fit(X, y)
    np.testing.assert_array_equal(_params(m), before[0])
    np.testing.assert_array_equal(m._m, before[1])
    assert (m._step, m.n_iter_, m.loss_curve_, m.t_) == before[2:]
    monkeypatch.undo()
    _consistent(m, X, y, n_batches=6)


def test_early_stopping_history_marks_the_kept_epoch():
    X, y = _classification(n=400)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = LassoMLPClassifier(
            (32,), alpha=3e-3, early_stopping=True, max_iter=60, learning_rate_init=2e-2,
            n_iter_no_change=15, random_state=0,
        ).fit(X, y)  # fmt: skip
    h = m.history_
    kept = np.flatnonzero(h["kept"])
    assert kept.size == 1
    k = kept[0]
    assert k == int(np.argmax(m.validation_scores_)) and k < len(h["loss"]) - 1
    # the kept row describes the weights the estimator holds; the last row does not
    np.testing.assert_allclose(h["zero_fraction"][k], [np.mean(W == 0) for W in m.coefs_])
    np.testing.assert_allclose(h["l1_norm"][k], [np.abs(W).sum() for W in m.coefs_])
    assert not np.allclose(h["l1_norm"][-1], h["l1_norm"][k])
    disp = TrainingHistoryDisplay.from_estimator(m)
    assert len(disp.lines_["kept"]) == 4
    assert disp.lines_["kept"][0].get_xdata()[0] == k + 1  # epochs are drawn from 1
    matplotlib.pyplot.close("all")


@QUIET
def test_n_iter_and_partial_fit_follow_scikit_learn():
    X, y = _classification()
    m = ElasticNetMLPClassifier(max_iter=4, warm_start=True, **KW).fit(X, y)
    m.fit(X, y)
    assert m.n_iter_ == 4 and len(m.loss_curve_) == 8  # n_iter_: the last fit only
    m.partial_fit(X, y)
    assert m.n_iter_ == 1 and len(m.loss_curve_) == 9 and m.t_ == 9 * len(X)
    es = ElasticNetMLPClassifier((8,), early_stopping=True, max_iter=15, random_state=0)
    es.fit(X, y)
    scores, best = list(es.validation_scores_), es.best_validation_score_
    kept_before = int(np.argmax(es.history_["kept"]))
    es.partial_fit(X, y)
    assert es.validation_scores_ == scores and es.best_validation_score_ == best
    assert es.best_loss_ == es.loss_curve_[-1]
    assert np.isnan(es.history_["validation_score"][-1])
    assert np.flatnonzero(es.history_["kept"]).tolist() == [len(es.loss_curve_) - 1]
    assert kept_before < len(es.loss_curve_) - 1


def _blas_threads():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_overlapping_fits_in_threads_do_not_leak_blas_limits():
    _threads._blas_controller()  # load the BLAS numba uses, then look at it
    original = _blas_threads()
    if not original or max(original) < 2:
        pytest.skip("BLAS runs one thread here: nothing could leak")
    # the shared limit, entered and left in the order that broke nested limits
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def fit_a():
        with _threads._one_blas_thread():
            a_in.set()
            b_in.wait()
        a_out.set()

    def fit_b():
        a_in.wait()
        with _threads._one_blas_thread():
            b_in.set()
            a_out.wait()
            seen.append(_threads._LIMIT["depth"])  # b still trains under the shared limit

    threads = [threading.Thread(target=f) for f in (fit_a, fit_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [1]
    assert _blas_threads() == original and _threads._LIMIT["depth"] == 0
    # real fits overlapping in threads
    X, y = _classification()
    errors = []

    def fits():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                for seed in range(4):
                    ElasticNetMLPClassifier((16,), max_iter=5, random_state=seed).fit(X, y)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fits) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _blas_threads() == original
    assert _threads._LIMIT["depth"] == 0


def test_the_shared_limit_is_one_blas_thread_and_restores():
    _threads._blas_controller()
    original = _blas_threads()
    with _threads._one_blas_thread():
        assert set(_blas_threads()) == {1}
        with _threads._one_blas_thread():
            assert set(_blas_threads()) == {1}
        assert set(_blas_threads()) == {1}
    assert _blas_threads() == original


def _peak_during(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@QUIET
@pytest.mark.parametrize("early", [False, True])
def test_no_copy_of_an_f_ordered_X(early):
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((20_000, 100)))  # 16 MB
    y = X[:, 0] - X[:, 1] + 0.1 * rng.standard_normal(len(X))
    kw = dict(hidden_layer_sizes=(8,), max_iter=1, early_stopping=early, random_state=0)
    ElasticNetMLPRegressor(**kw).fit(X, y)  # compile / load the kernels (same layout)
    peak = _peak_during(lambda: ElasticNetMLPRegressor(**kw).fit(X, y))
    assert peak < 0.25 * X.nbytes, (peak, X.nbytes)
    c = ElasticNetMLPRegressor(**kw).fit(np.ascontiguousarray(X), y)
    f = ElasticNetMLPRegressor(**kw).fit(X, y)
    np.testing.assert_allclose(_params(f), _params(c), rtol=1e-12, atol=1e-14)


@pytest.mark.slow
@QUIET
def test_wide_csr_trains_within_twice_its_size():
    """100000 x 10000 CSR at density 1e-3: nothing of X is densified or copied."""
    rng = np.random.default_rng(0)
    n, p, per_row = 100_000, 10_000, 10  # density 1e-3
    X = sp.csr_matrix(
        (rng.standard_normal(n * per_row), rng.integers(0, p, n * per_row),
         np.arange(0, n * per_row + 1, per_row)),
        shape=(n, p),
    )  # fmt: skip
    y = np.asarray(X[:, :5].sum(axis=1)).ravel() + 0.1 * rng.standard_normal(X.shape[0])
    size = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    kw = dict(hidden_layer_sizes=(16,), max_iter=2, random_state=0)
    ElasticNetMLPRegressor(**kw).fit(X[:200], y[:200])  # compile / load the kernels
    peak = _peak_during(lambda: ElasticNetMLPRegressor(**kw).fit(X, y).predict(X[:1000]))
    assert peak < 2 * size, (peak, size)


@QUIET
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5])  # scipy's L-BFGS-B, OWL-QN
def test_interrupt_during_lbfgs_keeps_the_last_complete_iteration(monkeypatch, l1_ratio):
    X, y = _classification()
    kw = dict(hidden_layer_sizes=(8,), solver="lbfgs", l1_ratio=l1_ratio, tol=0.0,
              random_state=0)  # fmt: skip
    kernel = mlp_kernels.full_loss_grad
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 12:
            raise KeyboardInterrupt
        return kernel(*args, **kwargs)

    monkeypatch.setattr(mlp_kernels, "full_loss_grad", interrupted)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        m = ElasticNetMLPClassifier(max_iter=500, **kw).fit(X, y)
    monkeypatch.undo()
    assert 1 <= m.n_iter_ < 12 and len(m.loss_curve_) == m.n_iter_
    ref = ElasticNetMLPClassifier(max_iter=m.n_iter_, **kw).fit(X, y)
    np.testing.assert_allclose(_params(m), _params(ref), rtol=1e-12, atol=1e-14)
    assert m.loss_ == pytest.approx(ref.loss_, rel=1e-12)
