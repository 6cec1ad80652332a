"""Bad-input matrix: every public estimator against every kind of messy input.

Each case of :data:`CASES` says, per estimator family, what must happen:

* ``Raises(ValueError, match)``: a clear error whose message names the problem;
* ``Fits(warns=..., allow=..., check=...)``: the fit succeeds, emits exactly the
  expected (documented) warning if any, no other warning than those allowed,
  predictions are finite, and ``check`` (a hand-written property) holds.

The table is parametrized as ``case x estimator`` (ids ``case-Estimator``),
only for the pairs that apply.  Running this file as a script prints the
observed outcome of every pair (first line of the error or warnings)::

    PYTHONPATH=. python tests/test_bad_input.py

A second parametrization checks that the caller's arrays (C / F order,
float32, read-only, CSR / CSC) are byte-identical after ``fit`` and ``predict``.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

import skdecay
from skdecay import (
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetMLPClassifier,
    ElasticNetMLPRegressor,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoMLPClassifier,
    LassoMLPRegressor,
    LassoRegressor,
    RidgeMLPClassifier,
    RidgeMLPRegressor,
    RidgeRegressor,
)

# ---------------------------------------------------------------------------
# estimators and data

_MLP = dict(hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=1e-2, random_state=0)

ESTIMATORS = {
    "ElasticNetRegressor": ElasticNetRegressor(alpha=0.1),
    "LassoRegressor": LassoRegressor(alpha=0.1),
    "RidgeRegressor": RidgeRegressor(),
    "ElasticNetClassifier": ElasticNetClassifier(alpha=0.01),
    "ElasticNetRegressorCV": ElasticNetRegressorCV(alphas=5, cv=3),
    "ElasticNetClassifierCV": ElasticNetClassifierCV(alphas=5, cv=3),
    "ElasticNetMLPClassifier": ElasticNetMLPClassifier(**_MLP),
    "ElasticNetMLPRegressor": ElasticNetMLPRegressor(**_MLP),
    "RidgeMLPClassifier": RidgeMLPClassifier(**_MLP),
    "RidgeMLPRegressor": RidgeMLPRegressor(**_MLP),
    "LassoMLPClassifier": LassoMLPClassifier(**_MLP),
    "LassoMLPRegressor": LassoMLPRegressor(**_MLP),
}


_REGRESSORS = ("ElasticNetRegressor", "LassoRegressor", "RidgeRegressor")


def family(name: str) -> str:
    """``linear`` (single-alpha linear models), ``cv`` or ``mlp``."""
    if "MLP" in name:
        return "mlp"
    return "cv" if name.endswith("CV") else "linear"


def test_matrix_covers_every_public_estimator():
    # multi-task (2-D y only) estimators have their own bad-input tests (test_multitask.py)
    public = {
        n
        for n in skdecay.__all__
        if isinstance(getattr(skdecay, n), type)
        and n.endswith(("Regressor", "Classifier", "CV"))
        and getattr(skdecay, n)().__sklearn_tags__().target_tags.single_output
    }
    assert public == set(ESTIMATORS)


N, P = 30, 4
_rng = np.random.default_rng(0)
X0 = _rng.standard_normal((N, P))
_noise = _rng.standard_normal(N)
Y_REG = X0 @ np.array([1.0, 0.5, 0.0, 0.0]) + 0.1 * _noise
Y_CLF = (X0[:, 0] + 0.7 * _noise > 0).astype(int)  # not separable
Y_SEP = (X0[:, 0] > 0).astype(int)  # separable by feature 0
BIG = 1e150


def target(name: str) -> np.ndarray:
    return Y_CLF if is_classifier(ESTIMATORS[name]) else Y_REG


# ---------------------------------------------------------------------------
# outcomes


@dataclass
class Raises:
    exc: type
    match: str


@dataclass
class Fits:
    warns: tuple[type, str] | None = None  # the documented warning that must appear
    allow: tuple[tuple[type, str], ...] = ()  # warnings that may appear
    check: Callable | None = None  # check(est, X, y, pred) -> None


# the documented "maximum iterations reached" warning of the stochastic MLP trainer
MLP_MAX_ITER = (ConvergenceWarning, "maximum iterations")
SOLVER = (ConvergenceWarning, "did not reach the tolerance|not converged")


@dataclass
class Case:
    id: str
    data: Callable  # data(name) -> (X, y, fit_kwargs, params)
    outcome: dict = field(default_factory=dict)  # family or estimator name -> outcome
    predict_X: Callable | None = None  # X used for predict (default: the fit X)
    xfail: dict = field(default_factory=dict)  # estimator name -> reason


def _with(X=None, y=None, params=None, **fit_kw):
    def data(name):
        return (
            X0 if X is None else (X(name) if callable(X) else X),
            target(name) if y is None else (y(name) if callable(y) else y),
            fit_kw,
            params or {},
        )

    return data


def _set(X, i, j, v):
    X = X.copy()
    X[i, j] = v
    return X


def _target_with(value):
    def y(name):
        return _set(target(name)[:, None].astype(float), 2, 0, value)[:, 0]

    return y


def _all(outcome):
    return {"linear": outcome, "cv": outcome, "mlp": outcome}


# -- checks of the fits ------------------------------------------------------


def _ols_predictions(est, X, y, pred):
    """Huge ``X``: any penalty is negligible, so predictions are those of least squares."""
    ols = LinearRegression().fit(X / BIG, y).predict(X / BIG)
    np.testing.assert_allclose(pred, ols, rtol=1e-3, atol=1e-3 * np.std(y))


def _tracks_huge_y(est, X, y, pred):
    """Huge ``y``: predictions follow the targets (R^2 of the fit is high and finite)."""
    r2 = 1 - np.sum((y / BIG - pred / BIG) ** 2) / np.sum((y / BIG - np.mean(y / BIG)) ** 2)
    assert r2 > 0.5, r2


def _constant_prediction(est, X, y, pred):
    np.testing.assert_allclose(pred, y[0], rtol=1e-6)


def _zero_coef_last(est, X, y, pred):
    """A constant or all-zero column cannot help: its coefficient is exactly zero."""
    coef = np.atleast_2d(est.coef_)
    assert np.all(coef[:, -1] == 0), coef


def _duplicate_coefs_equal(est, X, y, pred):
    """Elastic net with l1_ratio < 1 splits the weight of duplicated columns equally."""
    coef = np.atleast_2d(est.coef_)
    np.testing.assert_allclose(coef[:, 0], coef[:, -1], rtol=1e-3, atol=1e-6)
    assert np.all(np.abs(coef[:, 0]) > 0.1)


def _perfect_accuracy(est, X, y, pred):
    assert np.array_equal(pred, y)


def _matches_least_squares(est, X, y, pred):
    np.testing.assert_allclose(pred, LinearRegression().fit(X, y).predict(X), rtol=1e-6, atol=1e-6)


def _independent_targets(est, X, y, pred):
    """2-D ``y``: one row of ``coef_`` per target, each the single-target fit's."""
    assert est.coef_.shape == (y.shape[1], X.shape[1]) and pred.shape == y.shape
    for j in range(y.shape[1]):
        np.testing.assert_array_equal(est.coef_[j], clone(est).fit(X, y[:, j]).coef_)


def _one_target_shapes(est, X, y, pred):
    """``y`` of shape (n, 1): 1-D ``coef_`` and predictions, ``intercept_`` (1,)."""
    assert est.coef_.shape == (X.shape[1],) and pred.shape == (X.shape[0],)
    assert np.shape(est.intercept_) == (1,)


def _cv_one_target_shapes(est, X, y, pred):
    """The CV estimator keeps ``y`` of shape (n, 1) 2-D: one alpha, one coef_ row."""
    assert est.coef_.shape == (1, X.shape[1]) and pred.shape == (X.shape[0], 1)
    assert np.shape(est.alpha_) == (1,) and np.shape(est.intercept_) == (1,)


def _finite_weights(est, X, y, pred):
    assert all(np.all(np.isfinite(W)) for W in est.coefs_)
    assert est.n_iter_ < est.max_iter  # training stopped at the divergence


CASES = [
    Case(
        "nan-in-X",
        _with(X=_set(X0, 3, 1, np.nan)),
        _all(Raises(ValueError, "Input X contains NaN")),
    ),
    Case(
        "inf-in-X",
        _with(X=_set(X0, 3, 1, np.inf)),
        _all(Raises(ValueError, "Input X contains infinity")),
    ),
    Case(
        "nan-in-y", _with(y=_target_with(np.nan)), _all(Raises(ValueError, "Input y contains NaN"))
    ),
    Case(
        "inf-in-y",
        _with(y=_target_with(np.inf)),
        _all(Raises(ValueError, "Input y contains infinity")),
    ),
    Case(
        "empty-X",
        _with(X=np.empty((0, P)), y=np.empty(0)),
        _all(Raises(ValueError, r"0 sample\(s\)")),
    ),
    Case(
        "no-features",
        _with(X=np.empty((N, 0))),
        _all(Raises(ValueError, r"0 feature\(s\)")),
    ),
    Case(
        "one-sample",
        _with(X=X0[:1], y=lambda name: target(name)[:1]),
        {
            "linear": Fits(check=_constant_prediction),
            "cv": Raises(ValueError, "n_splits=3 greater than the number of samples"),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
            "ElasticNetClassifier": Raises(ValueError, "at least 2 classes"),
            "ElasticNetClassifierCV": Raises(ValueError, "at least 2 classes"),
            "ElasticNetMLPClassifier": Raises(ValueError, "at least 2 classes"),
            "RidgeMLPClassifier": Raises(ValueError, "at least 2 classes"),
            "LassoMLPClassifier": Raises(ValueError, "at least 2 classes"),
        },
    ),
    Case(
        "one-class-or-constant-y",
        _with(
            y=lambda name: np.zeros(N, int) if is_classifier(ESTIMATORS[name]) else np.full(N, 3.0)
        ),
        {
            "linear": Fits(check=_constant_prediction),
            "cv": Fits(check=_constant_prediction),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
            **{
                n: Raises(ValueError, "at least 2 classes")
                for n in ESTIMATORS
                if is_classifier(ESTIMATORS[n])
            },
        },
    ),
    Case(
        "string-features",
        _with(X=np.array([["a", "b", "c", "d"]] * N, dtype=object)),
        _all(Raises(ValueError, "could not convert string to float")),
    ),
    Case(
        "X-y-length-mismatch",
        _with(y=lambda name: target(name)[:-1]),
        _all(Raises(ValueError, "inconsistent numbers of samples")),
    ),
    Case(
        "predict-other-feature-count",
        _with(),
        _all(Raises(ValueError, "X has 3 features, but .* is expecting 4 features")),
        predict_X=lambda: X0[:, :3],
    ),
    Case(
        "sample-weight-wrong-length",
        _with(sample_weight=np.ones(3)),
        _all(Raises(ValueError, r"sample_weight.shape == \(3,\), expected \(30,\)")),
    ),
    Case(
        "negative-sample-weight",
        _with(sample_weight=np.r_[-1.0, np.ones(N - 1)]),
        _all(Raises(ValueError, "Negative values in data passed to sample_weight")),
    ),
    Case(
        "all-zero-sample-weight",
        _with(sample_weight=np.zeros(N)),
        _all(Raises(ValueError, "sample_weight must not be all zero")),
    ),
    Case(
        "sample-weight-leaves-one-class",
        _with(sample_weight=(Y_CLF == 1).astype(float)),
        {
            n: Raises(ValueError, "only one class|a single class")
            for n in ESTIMATORS
            if is_classifier(ESTIMATORS[n])
        },
    ),
    Case(
        "huge-X-1e150",
        _with(X=X0 * BIG),
        {
            "linear": Fits(allow=(SOLVER,)),
            "cv": Fits(allow=(SOLVER,)),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
            "ElasticNetRegressor": Fits(allow=(SOLVER,), check=_ols_predictions),
            "LassoRegressor": Fits(allow=(SOLVER,), check=_ols_predictions),
            "RidgeRegressor": Fits(check=_ols_predictions),
        },
    ),
    Case(
        "huge-y-1e150",
        _with(y=Y_REG * BIG),
        {
            n: Fits(
                allow=(SOLVER, MLP_MAX_ITER),
                check=_tracks_huge_y if family(n) == "linear" else None,
            )
            for n in ESTIMATORS
            if not is_classifier(ESTIMATORS[n])
        },
    ),
    Case(
        "constant-column",
        _with(X=np.c_[X0, np.full(N, 2.0)]),
        {
            "linear": Fits(check=_zero_coef_last),
            "cv": Fits(check=_zero_coef_last),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
            # ridge with a direct solver: the centred column is zero, coef 0 up to rounding
            "RidgeRegressor": Fits(),
        },
    ),
    Case(
        "duplicated-column",
        _with(X=np.c_[X0, X0[:, :1]]),
        {
            "linear": Fits(check=_duplicate_coefs_equal),
            "cv": Fits(check=_duplicate_coefs_equal),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
            "LassoRegressor": Fits(),  # the lasso may put the weight on either copy
        },
    ),
    Case(
        "all-zero-column",
        _with(X=np.c_[X0, np.zeros(N)]),
        {
            "linear": Fits(check=_zero_coef_last),
            "cv": Fits(check=_zero_coef_last),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
        },
    ),
    Case(
        "separable-classes",
        _with(y=Y_SEP),
        {
            "ElasticNetClassifier": Fits(check=_perfect_accuracy),
            "ElasticNetClassifierCV": Fits(check=_perfect_accuracy),
            **{
                n: Fits(allow=(MLP_MAX_ITER,))
                for n in ESTIMATORS
                if family(n) == "mlp" and is_classifier(ESTIMATORS[n])
            },
        },
    ),
    Case(
        "alpha-0",
        _with(params={"alpha": 0.0}),
        {
            "linear": Fits(check=_matches_least_squares),
            "mlp": Fits(allow=(MLP_MAX_ITER,)),
            "ElasticNetClassifier": Fits(),  # overlapping classes: a finite optimum exists
        },
    ),
    Case(
        "alpha-0-separable",
        _with(y=Y_SEP, params={"alpha": 0.0}),
        # no finite minimiser: the logistic solver must say it did not converge
        {"ElasticNetClassifier": Fits(warns=SOLVER, check=_perfect_accuracy)},
    ),
    Case(
        "cv-grid-with-alpha-0",
        _with(params={"alphas": [0.1, 0.01, 0.0]}),
        {"cv": Fits()},
    ),
    Case(
        "diverging-learning-rate",
        _with(params={"learning_rate_init": 1e4, "solver": "sgd"}),
        {"mlp": Fits(warns=(ConvergenceWarning, "Training diverged"), check=_finite_weights)},
    ),
    # multi-output regression (issue 13): the linear regressors take 2-D y as
    # scikit-learn's ElasticNet / Lasso / Ridge; the CV estimator one CV fit per target
    Case(
        "two-column-y",
        _with(y=np.column_stack([Y_REG, X0[:, 1] - Y_REG])),
        {
            **{n: Fits(check=_independent_targets) for n in _REGRESSORS},
            "ElasticNetRegressorCV": Fits(check=_independent_targets),
        },
    ),
    Case(
        "one-column-y",
        _with(y=Y_REG[:, None]),
        {
            **{n: Fits(check=_one_target_shapes) for n in _REGRESSORS},
            "ElasticNetRegressorCV": Fits(check=_cv_one_target_shapes),
        },
    ),
    Case(
        "sparse-X-to-mlp",
        _with(X=sp.csr_matrix(X0)),
        {"mlp": Fits(allow=(MLP_MAX_ITER,))},
    ),
]


def _outcome(case: Case, name: str):
    return case.outcome.get(name, case.outcome.get(family(name)))


PAIRS = [
    pytest.param(
        case,
        name,
        id=f"{case.id}-{name}",
        marks=[pytest.mark.xfail(strict=True, reason=case.xfail[name])]
        if name in case.xfail
        else [],
    )
    for case in CASES
    for name in ESTIMATORS
    if _outcome(case, name) is not None
]


def _run(case: Case, name: str):
    """Fit (and predict) as the case says; returns ``(est, X, y, pred, error, warnings)``."""
    X, y, fit_kw, params = case.data(name)
    X_orig, y_orig = _snapshot(X), _snapshot(y)
    est = clone(ESTIMATORS[name]).set_params(**params)
    pred, error = None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y, **fit_kw)
            pred = est.predict(case.predict_X() if case.predict_X else X)
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            error = exc
    _assert_unchanged(X, X_orig)
    _assert_unchanged(y, y_orig)
    return est, X, y, pred, error, caught


@pytest.mark.parametrize("case, name", PAIRS)
def test_bad_input(case, name):
    outcome = _outcome(case, name)
    est, X, y, pred, error, caught = _run(case, name)
    if isinstance(outcome, Raises):
        assert error is not None, f"no error; warnings: {[str(w.message) for w in caught]}"
        assert isinstance(error, outcome.exc), repr(error)
        assert re.search(outcome.match, str(error)), str(error)
        return
    if error is not None:
        raise error
    messages = [(w.category, str(w.message)) for w in caught]
    if outcome.warns is not None:
        assert any(_matches(m, outcome.warns) for m in messages), messages
    allowed = (*outcome.allow, *([outcome.warns] if outcome.warns else []))
    unexpected = [m for m in messages if not any(_matches(m, a) for a in allowed)]
    assert not unexpected, unexpected
    assert np.all(np.isfinite(np.asarray(pred, dtype=np.float64))), pred
    if is_classifier(est):
        assert np.all(np.isfinite(est.predict_proba(X)))
    if outcome.check is not None:
        outcome.check(est, X, y, np.asarray(pred))


def _matches(message, expected) -> bool:
    category, text = message
    return issubclass(category, expected[0]) and re.search(expected[1], text) is not None


# ---------------------------------------------------------------------------
# the caller's arrays are never modified


def _snapshot(a):
    if a is None:
        return None
    if sp.issparse(a):
        return (a.format, a.data.copy(), a.indices.copy(), a.indptr.copy(), a.shape)
    a = np.asarray(a)
    return (a.copy(order="K"), a.flags.c_contiguous, a.flags.f_contiguous, a.flags.writeable)


def _assert_unchanged(a, snap):
    if a is None:
        return
    if sp.issparse(a):
        fmt, data, indices, indptr, shape = snap
        assert a.format == fmt and a.shape == shape
        assert a.data.dtype == data.dtype
        assert np.array_equal(a.data, data) and np.array_equal(a.indices, indices)
        assert np.array_equal(a.indptr, indptr)
        return
    a = np.asarray(a)
    copy, c, f, writeable = snap
    assert a.dtype == copy.dtype and a.shape == copy.shape
    assert a.tobytes(order="A") == copy.tobytes(order="A") or a.dtype == object
    assert np.array_equal(a, copy, equal_nan=a.dtype.kind == "f")
    assert (a.flags.c_contiguous, a.flags.f_contiguous, a.flags.writeable) == (c, f, writeable)


def _readonly(a):
    a = np.array(a)
    a.flags.writeable = False
    return a


LAYOUTS = {
    "C-float64": lambda X: np.ascontiguousarray(X),
    "F-float64": lambda X: np.asfortranarray(X),
    "C-float32": lambda X: np.ascontiguousarray(X, dtype=np.float32),
    "F-float32": lambda X: np.asfortranarray(X, dtype=np.float32),
    "readonly": _readonly,
    "CSR": lambda X: sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0)),
    "CSC": lambda X: sp.csc_matrix(np.where(np.abs(X) > 0.5, X, 0.0)),
    "CSC-unsorted": lambda X: _unsorted_csc(np.where(np.abs(X) > 0.5, X, 0.0)),
}


def _unsorted_csc(X):
    A = sp.csc_matrix(X)
    for j in range(A.shape[1]):  # reverse the row indices inside every column
        lo, hi = A.indptr[j], A.indptr[j + 1]
        A.indices[lo:hi] = A.indices[lo:hi][::-1].copy()
        A.data[lo:hi] = A.data[lo:hi][::-1].copy()
    A.has_sorted_indices = False
    return A


IMMUTABLE = [
    pytest.param(layout, name, id=f"{layout}-{name}") for layout in LAYOUTS for name in ESTIMATORS
]


@pytest.mark.parametrize("layout, name", IMMUTABLE)
def test_caller_arrays_are_not_modified(layout, name):
    X = LAYOUTS[layout](X0)
    y = _readonly(target(name)) if layout == "readonly" else target(name).copy()
    sw = np.linspace(0.5, 2.0, N)
    if layout == "readonly":
        sw = _readonly(sw)
    snaps = [_snapshot(a) for a in (X, y, sw)]
    est = clone(ESTIMATORS[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y, sample_weight=sw)
    for a, s in zip((X, y, sw), snaps, strict=True):
        _assert_unchanged(a, s)
    outputs = [est.predict(X)]
    if is_classifier(est):
        outputs += [est.predict_proba(X), est.decision_function(X)]
    for a, s in zip((X, y, sw), snaps, strict=True):
        _assert_unchanged(a, s)
    for out in outputs:
        assert np.all(np.isfinite(np.asarray(out, dtype=np.float64)))
    if layout.endswith("float32") and family(name) != "mlp":
        assert np.asarray(est.coef_).dtype == np.float32


# ---------------------------------------------------------------------------
# the outcome table (for the notes): python tests/test_bad_input.py


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def outcome_table() -> list[str]:
    rows = []
    for param in PAIRS:
        case, name = param.values
        _, _, _, pred, error, caught = _run(case, name)
        if error is not None:
            what = f"{type(error).__name__}: {_first_line(str(error))}"
        else:
            kinds = sorted(
                {f"{w.category.__name__}: {_first_line(str(w.message))}" for w in caught}
            )
            what = "fits, " + ("; ".join(kinds) if kinds else "no warning")
        rows.append(f"{case.id:32s} {name:24s} {what}")
    return rows


def compact_table(rows: list[str]) -> list[str]:
    """Group the estimators that share an outcome, case by case."""
    groups: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        case, name, what = row[:32].strip(), row[33:58].strip(), row[58:].strip()
        what = re.sub(r"[-+]?\d[\d.]*e[-+]\d+", "<x>", what.replace(name, "<estimator>"))
        groups.setdefault(case, {}).setdefault(what, []).append(name)
    out = []
    for case, outcomes in groups.items():
        out.append(f"* {case}")
        out += [f"    - {', '.join(names)}: {what}" for what, names in outcomes.items()]
    return out


if __name__ == "__main__":  # pragma: no cover
    table = outcome_table()
    print("\n".join(compact_table(table) if "--compact" in sys.argv else table))
    sys.exit(0)
