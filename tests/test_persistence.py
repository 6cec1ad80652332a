"""Persistence: pickle and skops round-trips of every public estimator, plain fitted state."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning

import skdecay

sio = pytest.importorskip("skops.io")

_MLP = dict(hidden_layer_sizes=(8,), max_iter=20, learning_rate_init=1e-2, random_state=0)

ESTIMATORS = [
    skdecay.ElasticNetRegressor(alpha=0.05),
    skdecay.LassoRegressor(alpha=0.05),
    skdecay.RidgeRegressor(alpha=2.0),
    skdecay.ElasticNetClassifier(alpha=0.01),
    skdecay.ElasticNetRegressorCV(alphas=5, cv=3, l1_ratio=[0.5, 1.0]),
    skdecay.ElasticNetClassifierCV(alphas=5, cv=3),
    skdecay.MultiTaskElasticNetRegressor(alpha=0.05),
    skdecay.MultiTaskElasticNetRegressorCV(alphas=5, cv=3),
    skdecay.ElasticNetMLPClassifier(**_MLP, early_stopping=True, validation_fraction=0.2),
    skdecay.ElasticNetMLPRegressor(**_MLP, alpha=[1e-3, 1e-2], l1_ratio=[1.0, 0.0]),
    skdecay.RidgeMLPClassifier(**_MLP),
    skdecay.RidgeMLPRegressor(**_MLP, solver="sgd"),
    skdecay.LassoMLPClassifier(**_MLP),
    skdecay.LassoMLPRegressor(**_MLP),
]
IDS = [type(e).__name__ for e in ESTIMATORS]


def test_every_public_estimator_is_covered():
    public = {
        n
        for n in skdecay.__all__
        if isinstance(getattr(skdecay, n), type) and n.endswith(("Regressor", "Classifier", "CV"))
    }
    assert public == set(IDS)


def _data(est):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 5))
    if is_classifier(est):
        y = np.array(["a", "b", "c"])[np.argmax(X[:, :3] + 0.3 * rng.standard_normal((60, 3)), 1)]
    else:
        y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(60)
    if not est.__sklearn_tags__().target_tags.single_output:  # multi-task: 2-D y
        y = np.column_stack([y, X[:, 2] - y])
    return X, y


def _fitted(est):
    est = clone(est)
    X, y = _data(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    return est, X


def _outputs(est, X):
    out = [est.predict(X)]
    if is_classifier(est):
        out += [est.predict_proba(X), est.decision_function(X)]
    return out


def _assert_same_outputs(a, b, X):
    for u, v in zip(_outputs(a, X), _outputs(b, X), strict=True):
        assert u.dtype == v.dtype
        assert np.array_equal(u, v)


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_pickle_round_trip(est):
    est, X = _fitted(est)
    loaded = pickle.loads(pickle.dumps(est))
    assert type(loaded) is type(est)
    _assert_same_outputs(est, loaded, X)
    # still trainable: a warm-started refit from the loaded state works
    X2, y2 = _data(est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        loaded.fit(X2, y2)


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_skops_round_trip_needs_trusted_types(est, tmp_path):
    est, X = _fitted(est)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert f"{type(est).__module__}.{type(est).__qualname__}" in untrusted
    assert set(untrusted) <= set(skdecay.trusted_types()), untrusted
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path)  # never loads our classes without being told to
    loaded = sio.load(path, trusted=skdecay.trusted_types())
    assert type(loaded) is type(est)
    _assert_same_outputs(est, loaded, X)


def test_trusted_types_lists_our_estimators_and_their_public_helper_types():
    """Exactly the public estimators plus the public parameter-value classes
    (``ColumnGroups``): no private class, no other public class (a Display)."""
    names = skdecay.trusted_types()
    assert names == sorted(names)
    estimators = {f"{type(e).__module__}.{type(e).__qualname__}" for e in ESTIMATORS}
    assert set(names) == estimators | {"skdecay._groups.ColumnGroups"}
    assert len(names) == len(ESTIMATORS) + 1


def test_skops_round_trip_of_column_groups_in_a_pipeline(tmp_path):
    """A pipeline whose estimator holds ``groups=ColumnGroups(...)`` loads with
    ``trusted_types()`` alone and predicts the same; trusting only the estimator
    classes is not enough (the helper type is in the file)."""
    pd = pytest.importorskip("pandas")
    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "x": rng.standard_normal(80),
            "colour": rng.choice(["red", "green", "blue"], 80),
            "z": rng.standard_normal(80),
        }
    )
    y = X["x"] + 2.0 * (X["colour"] == "red") + 0.1 * rng.standard_normal(80)
    groups = skdecay.ColumnGroups(X.columns)
    pre = make_column_transformer(
        (StandardScaler(), ["x", "z"]), (OneHotEncoder(sparse_output=False), ["colour"])
    )
    model = make_pipeline(
        pre, skdecay.ElasticNetRegressor(alpha=0.3, l1_ratio=0.5, groups=groups)
    ).set_output(transform="pandas")
    model.fit(X, y)
    assert model[-1].group_ids_.tolist() == [0, 1, 2, 2, 2]  # x, z, colour's 3 levels
    path = tmp_path / "grouped.skops"
    sio.dump(model, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert "skdecay._groups.ColumnGroups" in untrusted
    assert set(untrusted) <= set(skdecay.trusted_types()), untrusted
    estimators_only = [n for n in skdecay.trusted_types() if not n.endswith(".ColumnGroups")]
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path, trusted=estimators_only)
    loaded = sio.load(path, trusted=skdecay.trusted_types())
    assert loaded[-1].groups == groups
    assert np.array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded[-1].coef_, model[-1].coef_)
    # the loaded parameter still resolves groups on a refit
    loaded.fit(X, y)
    np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-10, atol=1e-12)


def test_a_foreign_untrusted_type_still_fails(tmp_path):
    """trusted_types() does not open the door to other classes in the same file."""
    est, X = _fitted(ESTIMATORS[0])
    bundle = {"model": est, "extra": _Foreign()}
    path = tmp_path / "bundle.skops"
    sio.dump(bundle, path)
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.load(path, trusted=skdecay.trusted_types())


class _Foreign:
    pass


# ---------------------------------------------------------------------------
# fitted state: only plain arrays and scalars

_ARRAY_KINDS = set("biufcUS")  # bool, int, uint, float, complex, unicode, bytes


def _plain(value, where: str) -> list[str]:
    """Paths of the values that are not plain data (empty when all are)."""
    if value is None or isinstance(value, bool | int | float | str):
        return []
    if isinstance(value, np.ndarray):
        return [] if value.dtype.kind in _ARRAY_KINDS else [f"{where}: ndarray[{value.dtype}]"]
    if isinstance(value, np.generic):
        return [] if value.dtype.kind in _ARRAY_KINDS else [f"{where}: {type(value)}"]
    if isinstance(value, list | tuple):
        return [bad for i, v in enumerate(value) for bad in _plain(v, f"{where}[{i}]")]
    if isinstance(value, dict):
        bad = [f"{where}: key {k!r}" for k in value if not isinstance(k, str | int)]
        return bad + [b for k, v in value.items() for b in _plain(v, f"{where}[{k!r}]")]
    return [f"{where}: {type(value).__module__}.{type(value).__qualname__}"]


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_fitted_state_is_plain_data(est):
    est, _ = _fitted(est)
    params = est.get_params(deep=False)
    state = {k: v for k, v in vars(est).items() if k not in params}
    assert any(k.endswith("_") for k in state)  # there is fitted state to check
    bad = [b for k, v in state.items() for b in _plain(v, k)]
    assert not bad, bad


def test_plain_data_walk_rejects_objects():
    """The walker itself: objects and object arrays are reported, plain data is not."""
    assert _plain({"a": [np.zeros(2), (1, 2.0, "s", None, np.float32(1))]}, "x") == []
    assert _plain([np.array([object()])], "x") == ["x[0]: ndarray[object]"]
    assert _plain({"k": _Foreign()}, "x") == ["x['k']: test_persistence._Foreign"]
