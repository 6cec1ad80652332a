"""Groups from feature names: ``groups_from_feature_names`` and ``ColumnGroups``.

Every check compares against a group list written out by hand for the table
below (which output column comes from which input column), or against the
same estimator fitted with that hand-built list.
"""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from skdecay import (
    ColumnGroups,
    ElasticNetClassifier,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    enet_path,
    groups_from_feature_names,
)
from skdecay.penalties import check_groups
from skdecay.plotting import RegularizationPathDisplay

NUM = ["age", "income"]
CAT = ["age_group", "city"]  # "age_group" starts with the numeric column "age"


def _table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "age_group": rng.choice(["young", "old"], n),
            "income": rng.normal(size=n),
            "city": rng.choice(["Oslo", "Lima", "Pune"], n),
        }
    )
    effect = X["city"].map({"Oslo": 1.0, "Lima": -1.0, "Pune": 0.0}).to_numpy()
    y = 0.05 * X["age"].to_numpy() + 2 * X["income"].to_numpy() + effect
    return X, y + 0.3 * rng.normal(size=n)


def _pre(verbose=True):
    return make_column_transformer(
        (StandardScaler(), NUM),
        (OneHotEncoder(sparse_output=False), CAT),
        verbose_feature_names_out=verbose,
    )


# the output of _pre(): age, income, age_group_old, age_group_young, city_Lima, city_Oslo,
# city_Pune -- written out by hand
HAND_LABELS = ["age", "income", "age_group", "age_group", "city", "city", "city"]
HAND_INDEX = [[0], [1], [2, 3], [4, 5, 6]]


@pytest.mark.parametrize("verbose", [True, False])
def test_labels_of_a_column_transformer(verbose):
    X, _ = _table()
    names = _pre(verbose).fit(X).get_feature_names_out()
    labels = groups_from_feature_names(names, X.columns)
    assert labels.tolist() == HAND_LABELS  # "age_group_old" is not "age"
    # the same partition as the hand-built index arrays
    for a, b in zip(check_groups(labels, 7), check_groups(HAND_INDEX, 7), strict=True):
        np.testing.assert_array_equal(a, b)


def test_labels_of_skrub_table_vectorizer():
    skrub = pytest.importorskip("skrub")
    X, _ = _table()
    X["day"] = pd.date_range("2020-01-01", periods=len(X), freq="D")
    tv = skrub.TableVectorizer().fit(X)
    names = list(tv.get_feature_names_out())
    labels = groups_from_feature_names(names, X.columns).tolist()
    # hand-built: the column of each name, read off the names skrub printed
    expected = []
    for name in names:
        owner = [c for c in X.columns if name == c or name.startswith(c + "_")]
        expected.append(max(owner, key=len))
    assert labels == expected
    assert labels.count("city") == 3 and labels.count("day") >= 2
    assert labels.count("age") == 1


def test_names_matching_no_column_raise():
    X, _ = _table()
    poly = make_column_transformer((PolynomialFeatures(2), ["age", "income"]))
    names = poly.fit(X).get_feature_names_out()  # "age income": two columns
    with pytest.raises(ValueError, match="start with none of the columns"):
        groups_from_feature_names(names, X.columns)
    with pytest.raises(ValueError, match="sep"):
        groups_from_feature_names(["a_b"], ["a"], sep="")
    with pytest.raises(ValueError, match="columns is empty"):
        groups_from_feature_names(["a_b"], [])
    # another separator
    assert groups_from_feature_names(["a:1", "a:2", "b"], ["a", "b"], sep=":").tolist() == [
        "a",
        "a",
        "b",
    ]


def test_column_groups_in_a_pipeline_equal_the_hand_built_groups():
    X, y = _table()
    kw = dict(alpha=0.05, l1_ratio=0.0, tol=1e-10)
    pipe = make_pipeline(_pre(), ElasticNetRegressor(groups=ColumnGroups(X.columns), **kw))
    pipe.set_output(transform="pandas").fit(X, y)
    Z = _pre().fit_transform(X)
    hand = ElasticNetRegressor(groups=HAND_INDEX, **kw).fit(Z, y)
    np.testing.assert_allclose(pipe[-1].coef_, hand.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(pipe[-1].group_ids_, hand.group_ids_)
    # the group lasso zeroes whole groups: age_group (no effect) is out, city in
    coef = pipe[-1].coef_
    assert np.all(coef[2:4] == 0) and np.all(coef[4:] != 0)


def test_column_groups_in_the_cv_estimator_and_the_path_display():
    X, y = _table()
    cv = dict(l1_ratio=0.0, alphas=8, cv=3, tol=1e-10)
    pipe = make_pipeline(_pre(), ElasticNetRegressorCV(groups=ColumnGroups(X.columns), **cv))
    pipe.set_output(transform="pandas").fit(X, y)
    Z = _pre().fit_transform(X)
    hand = ElasticNetRegressorCV(groups=HAND_LABELS, **cv).fit(Z, y)
    assert pipe[-1].alpha_ == hand.alpha_
    np.testing.assert_allclose(pipe[-1].alphas_, hand.alphas_)
    np.testing.assert_allclose(pipe[-1].coef_, hand.coef_, rtol=1e-10, atol=1e-12)
    assert isinstance(pipe[-1].groups, ColumnGroups)  # the parameter is left as given

    disp = RegularizationPathDisplay.from_estimator(pipe, X, y)
    assert list(disp.groups) == HAND_LABELS
    ref = enet_path(Z, y, alphas=disp.alphas, l1_ratio=0.0, groups=HAND_INDEX, tol=1e-10)
    np.testing.assert_allclose(np.squeeze(disp.coefs), np.squeeze(ref.coefs), atol=1e-8)


def test_column_groups_follow_the_width_of_each_fit():
    # a category missing from some training rows changes the width of the one-hot
    # output: fixed labels no longer fit, ColumnGroups is recomputed in every fit
    X, y = _table()
    rows = (X["city"] != "Pune").to_numpy()
    pipe = make_pipeline(
        _pre(), ElasticNetRegressor(alpha=0.05, l1_ratio=0.0, groups=ColumnGroups(X.columns))
    ).set_output(transform="pandas")
    fitted = clone(pipe).fit(X[rows], y[rows])
    assert fitted[-1].coef_.shape == (6,)
    hand = ElasticNetRegressor(alpha=0.05, l1_ratio=0.0, groups=[[0], [1], [2, 3], [4, 5]])
    hand.fit(_pre().fit_transform(X[rows]), y[rows])
    np.testing.assert_allclose(fitted[-1].coef_, hand.coef_, rtol=1e-8, atol=1e-10)
    fixed = make_pipeline(_pre(), ElasticNetRegressor(alpha=0.05, l1_ratio=0.0, groups=HAND_LABELS))
    with pytest.raises(ValueError, match="7 labels but X has 6 features"):
        fixed.fit(X[rows], y[rows])
    # and a grid search clones the pipeline and refits it per fold
    search = GridSearchCV(pipe, {"elasticnetregressor__alpha": [0.01, 0.1]}, cv=KFold(3))
    search.fit(X, y)
    assert isinstance(search.best_estimator_[-1].groups, ColumnGroups)


def test_column_groups_in_the_binary_classifier():
    X, y = _table()
    yc = (y > np.median(y)).astype(int)
    kw = dict(alpha=0.02, l1_ratio=0.0, tol=1e-8)
    pipe = make_pipeline(_pre(), ElasticNetClassifier(groups=ColumnGroups(X.columns), **kw))
    pipe.set_output(transform="pandas").fit(X, yc)
    hand = ElasticNetClassifier(groups=HAND_INDEX, **kw).fit(_pre().fit_transform(X), yc)
    np.testing.assert_allclose(pipe[-1].coef_, hand.coef_, rtol=1e-6, atol=1e-8)


def test_column_groups_without_feature_names_raise():
    X, y = _table()
    Z = _pre().fit_transform(X)  # a NumPy array: no names
    est = ElasticNetRegressor(alpha=0.05, l1_ratio=0.0, groups=ColumnGroups(X.columns))
    with pytest.raises(ValueError, match="set_output"):
        est.fit(Z, y)
    with pytest.raises(ValueError, match="set_output"):
        enet_path(Z, y, l1_ratio=0.0, groups=ColumnGroups(X.columns), n_alphas=3)


def test_column_groups_is_a_plain_parameter_value():
    g = ColumnGroups(pd.Index(["a", "b"]), sep=("_", ":"))
    assert g.columns == ["a", "b"]
    assert pickle.loads(pickle.dumps(g)) == g
    assert clone(ElasticNetRegressor(groups=g)).groups == g
    assert g != ColumnGroups(["a", "b"])
    assert "ColumnGroups(columns=['a', 'b']" in repr(g)
    assert g.labels(["a_1", "b:x", "b"]).tolist() == ["a", "b", "b"]


def test_labels_of_spline_bases():
    from sklearn.preprocessing import SplineTransformer

    X, _ = _table()
    # n_knots=4, degree=3: 4 + 3 - 1 = 6 basis functions per column
    ct = make_column_transformer((SplineTransformer(n_knots=4), ["age", "income"])).fit(X)
    labels = groups_from_feature_names(ct.get_feature_names_out(), X.columns)
    assert labels.tolist() == ["age"] * 6 + ["income"] * 6
