"""Displays of ``skdecay.plotting``: the drawn data equal the estimator's values.

Headless (Agg).  Each test compares what was drawn (line data, bar heights,
fill bands) with the arrays of the fitted estimator or with an independently
computed path, and checks the Display API: ``ax=`` is used, ``plot`` returns
the display, bad input raises a clear error.  Figures are closed after each test.
"""

import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris, make_moons
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdecay import (
    ElasticNetClassifier,
    ElasticNetClassifierCV,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    LassoMLPClassifier,
    LassoRegressor,
    RidgeRegressor,
    enet_path,
    logistic_path,
)
from skdecay.plotting import (
    CVScoreDisplay,
    RegularizationPathDisplay,
    TrainingHistoryDisplay,
    WeightDistributionDisplay,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def diabetes_df():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    return X, y.to_numpy()


@pytest.fixture(scope="module")
def diabetes_std(diabetes_df):
    X, y = diabetes_df
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def iris_std():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def mlp():
    X, y = make_moons(n_samples=200, noise=0.25, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # few epochs on purpose
        return LassoMLPClassifier(
            (16, 8), alpha=3e-3, learning_rate_init=1e-2, max_iter=15, random_state=0, tol=0
        ).fit(X, y)


@pytest.fixture(scope="module")
def mlp_early():
    X, y = make_moons(n_samples=200, noise=0.25, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LassoMLPClassifier(
            (8,), alpha=1e-3, max_iter=6, early_stopping=True, random_state=0, tol=0
        ).fit(X, y)


@pytest.fixture(scope="module")
def cv_two_ratios(diabetes_std):
    X, y = diabetes_std
    return ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=15, cv=3).fit(X, y)


def test_import_does_not_load_matplotlib():
    code = "import sys, skdecay.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# RegularizationPathDisplay


def _drawn(disp) -> np.ndarray:
    """All drawn coefficient curves ``(n_alphas, n_columns)``: coloured lines + grey collection."""
    n_cols = len(disp.lines_) + (
        0 if disp.collection_ is None else len(disp.collection_.get_segments())
    )
    out = np.full((disp.alphas.size, n_cols), np.nan)
    for j, line in zip(disp.labelled_, disp.lines_):
        np.testing.assert_array_equal(line.get_xdata(), disp.alphas)
        out[:, j] = line.get_ydata()
    others = np.setdiff1d(np.arange(n_cols), disp.labelled_)
    if disp.collection_ is not None:
        for j, seg in zip(others, disp.collection_.get_segments()):
            np.testing.assert_array_equal(seg[:, 0], disp.alphas)
            out[:, j] = seg[:, 1]
    return out


def test_path_display_from_path_draws_the_path(diabetes_std):
    X, y = diabetes_std
    path = enet_path(X, y, l1_ratio=0.8, n_alphas=25)
    disp = RegularizationPathDisplay.from_path(path, selected_alpha=path.alphas[7], n_labels=3)
    assert isinstance(disp, RegularizationPathDisplay)
    np.testing.assert_array_equal(_drawn(disp), path.coefs)
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [path.alphas[7]] * 2)
    assert disp.ax_.get_xscale() == "log"
    assert disp.ax_.xaxis_inverted()  # strongest penalty on the left
    assert disp.figure_ is disp.ax_.figure
    # the 3 labelled lines are those largest in |coef| at the selected alpha
    assert set(disp.labelled_) == set(np.argsort(-np.abs(path.coefs[7]))[:3].tolist())
    assert len(disp.lines_) == 3 and len(disp.collection_.get_segments()) == X.shape[1] - 3
    legend_texts = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert legend_texts[:3] == [f"x{j}" for j in disp.labelled_]
    assert len(legend_texts) == 4  # 3 features + selected alpha
    assert "l1_ratio" not in disp.ax_.get_title()  # from_path does not know it unless told


def test_path_display_uses_given_ax_and_returns_self(diabetes_std):
    X, y = diabetes_std
    path = enet_path(X, y, n_alphas=5)
    fig, ax = plt.subplots()
    disp = RegularizationPathDisplay(path.alphas, path.coefs, name="lasso")
    assert disp.plot(ax=ax, legend=False) is disp
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.selected_line_ is None
    assert ax.get_title() == "lasso"
    assert ax.get_legend() is None


def test_path_display_from_estimator_pipeline_matches_enet_path(diabetes_df):
    X, y = diabetes_df
    model = make_pipeline(StandardScaler(), ElasticNetRegressor(alpha=0.3, l1_ratio=0.7))
    model.fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(model, X, y, n_alphas=12, eps=1e-2)
    ref = enet_path(StandardScaler().fit_transform(X), y, l1_ratio=0.7, n_alphas=12, eps=1e-2)
    np.testing.assert_allclose(disp.alphas, ref.alphas)
    np.testing.assert_allclose(_drawn(disp), ref.coefs, atol=1e-6)
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [0.3, 0.3])
    assert "l1_ratio = 0.7" in disp.ax_.get_title()
    # feature names come from the pipeline (the DataFrame's columns)
    labels = {ln.get_label() for ln in disp.lines_}
    assert {"bmi", "s5"} <= labels


def test_path_display_lasso_uses_l1_ratio_one(diabetes_std):
    X, y = diabetes_std
    disp = RegularizationPathDisplay.from_estimator(
        LassoRegressor(alpha=1.0).fit(X, y), X, y, n_alphas=8
    )
    ref = enet_path(X, y, l1_ratio=1.0, n_alphas=8)
    np.testing.assert_allclose(_drawn(disp), ref.coefs)
    # alpha_max is the first grid value and all coefficients vanish there
    np.testing.assert_array_equal(_drawn(disp)[0], 0)
    assert "lasso path, l1_ratio = 1" in disp.ax_.get_title()


def test_path_display_keeps_the_estimators_box(diabetes_std):
    X, y = diabetes_std
    upper = np.full(X.shape[1], np.inf)
    upper[2] = 5.0  # bmi's coefficient would exceed it
    est = ElasticNetRegressor(alpha=0.1, l1_ratio=1.0, lower_bounds=-10.0, upper_bounds=upper)
    est.fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(est, X, y, n_alphas=12)
    ref = enet_path(X, y, l1_ratio=1.0, alphas=disp.alphas, lower_bounds=-10.0, upper_bounds=upper)
    coefs = _drawn(disp)
    np.testing.assert_allclose(coefs, ref.coefs.reshape(coefs.shape), atol=1e-6)
    assert coefs[:, 2].max() <= 5.0 + 1e-12 and coefs.min() >= -10.0 - 1e-12
    assert coefs[-1, 2] == pytest.approx(5.0)  # the box binds at small alpha


def test_path_display_from_cv_estimator(diabetes_std, cv_two_ratios):
    X, y = diabetes_std
    cv = cv_two_ratios
    disp = RegularizationPathDisplay.from_estimator(cv, X, y)
    row = list(cv.l1_ratio).index(cv.l1_ratio_)
    np.testing.assert_allclose(disp.alphas, cv.alphas_[row])
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [cv.alpha_] * 2)
    ref = enet_path(X, y, l1_ratio=cv.l1_ratio_, alphas=cv.alphas_[row])
    coefs = _drawn(disp)
    np.testing.assert_allclose(coefs, ref.coefs, atol=1e-6)
    # the refit coefficients lie on the path at alpha_
    i = int(np.argmin(np.abs(cv.alphas_[row] - cv.alpha_)))
    np.testing.assert_allclose(coefs[i], cv.coef_, atol=1e-2 * np.abs(cv.coef_).max())


def test_path_display_multinomial_one_line_per_class_and_feature(iris_std):
    X, y = iris_std
    clf = ElasticNetClassifier(alpha=1e-2, l1_ratio=1.0).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(clf, X, y, n_alphas=6, n_labels=12)
    ref = logistic_path(X, y, l1_ratio=1.0, n_alphas=6)
    assert ref.coefs.shape == (6, 3, 4)
    np.testing.assert_allclose(_drawn(disp), ref.coefs.reshape(6, 12), atol=1e-6)
    for line, c in zip(disp.lines_, disp.labelled_):
        k, j = divmod(int(c), 4)
        assert line.get_label() == f"{k}: x{j}"
        assert line.get_linestyle() == ["-", "--", ":"][k]
    named = RegularizationPathDisplay.from_path(ref, class_names=["a", "b", "c"], n_labels=12)
    assert {ln.get_label() for ln in named.lines_} <= {
        f"{c}: x{j}" for c in "abc" for j in range(4)
    }


def test_path_display_classifier_cv(iris_std):
    X, y = iris_std
    X, y = X[y < 2], y[y < 2]  # binary: one coefficient row
    cv = ElasticNetClassifierCV(l1_ratio=1.0, alphas=6, cv=3).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(cv, X, y)
    assert _drawn(disp).shape == (6, 4)
    np.testing.assert_allclose(disp.alphas, cv.alphas_)
    assert disp.selected_line_.get_xdata()[0] == cv.alpha_


def test_path_display_errors(diabetes_std):
    X, y = diabetes_std
    with pytest.raises(NotFittedError):
        RegularizationPathDisplay.from_estimator(ElasticNetRegressor(), X, y)
    with pytest.raises(NotFittedError):
        RegularizationPathDisplay.from_estimator(
            make_pipeline(StandardScaler(), LassoRegressor()), X, y
        )
    with pytest.raises(TypeError, match="LinearRegression"):
        RegularizationPathDisplay.from_estimator(LinearRegression().fit(X, y), X, y)
    with pytest.raises(TypeError, match="ridge path"):
        RegularizationPathDisplay.from_estimator(RidgeRegressor().fit(X, y), X, y)
    with pytest.raises(TypeError, match="RegularizationPath"):
        RegularizationPathDisplay.from_path((np.ones(3), np.ones((3, 2))))
    with pytest.raises(ValueError, match="log axis"):
        RegularizationPathDisplay([1.0, 0.0], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="shape"):
        RegularizationPathDisplay([1.0, 0.5], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="feature_names"):
        RegularizationPathDisplay([1.0, 0.5], np.zeros((2, 3)), feature_names=["a"])


# ---------------------------------------------------------------------------
# WeightDistributionDisplay


def test_weight_display_linear_zero_bar_counts_exact_zeros(diabetes_std):
    X, y = diabetes_std
    model = LassoRegressor(alpha=2.0).fit(X, y)
    n_zero = int(np.sum(model.coef_ == 0))
    assert 0 < n_zero < X.shape[1]  # the test needs both kinds of weights
    disp = WeightDistributionDisplay.from_estimator(model, bins=7)
    assert disp.n_zeros_.tolist() == [n_zero]
    assert disp.zero_bars_[0].get_height() == n_zero
    assert disp.zero_bars_[0].get_x() + disp.zero_bars_[0].get_width() / 2 == pytest.approx(0)
    heights = [r.get_height() for r in disp.hist_bars_[0]]
    assert len(heights) == 7 and sum(heights) == X.shape[1] - n_zero  # nonzeros only
    assert disp.zero_fractions_[0] == pytest.approx(n_zero / X.shape[1])
    assert disp.ax_.texts[0].get_text().startswith(f"{n_zero} exact zeros")
    assert disp.axes_.shape == (1,) and disp.ax_ is disp.axes_[0]


def test_weight_display_mlp_all_layers_and_by_layer(mlp):
    together = WeightDistributionDisplay.from_estimator(mlp)
    all_w = np.concatenate([W.ravel() for W in mlp.coefs_])
    assert together.n_zeros_.tolist() == [int(np.sum(all_w == 0))]
    assert together.n_zeros_[0] > 0  # L1 with proximal steps: exact zeros
    assert together.zero_bars_[0].get_height() == together.n_zeros_[0]
    per_layer = WeightDistributionDisplay.from_estimator(mlp, by_layer=True)
    assert len(per_layer.axes_) == len(mlp.coefs_) == 3
    expected = [int(np.sum(W == 0)) for W in mlp.coefs_]
    assert per_layer.n_zeros_.tolist() == expected
    assert [b.get_height() for b in per_layer.zero_bars_] == expected
    assert sum(expected) == together.n_zeros_[0]


def test_weight_display_from_estimators_side_by_side(diabetes_df, mlp):
    X, y = diabetes_df
    pipe = make_pipeline(StandardScaler(), LassoRegressor(alpha=1.0)).fit(X, y)
    fig, axes = plt.subplots(1, 2)
    disp = WeightDistributionDisplay.from_estimators([pipe, mlp], names=["lasso", "mlp"], ax=axes)
    assert disp.figure_ is fig and list(disp.axes_) == list(axes)
    assert [a.get_title() for a in axes] == ["lasso", "mlp"]
    assert disp.n_zeros_[0] == np.sum(pipe[-1].coef_ == 0)
    assert disp.n_zeros_[1] == sum(int(np.sum(W == 0)) for W in mlp.coefs_)


def test_weight_display_all_zero_and_direct():
    disp = WeightDistributionDisplay([np.zeros(5), np.array([0.0, 1.0, -2.0])]).plot(log=True)
    assert disp.hist_bars_[0] is None
    assert disp.n_zeros_.tolist() == [5, 1]
    assert disp.zero_fractions_.tolist() == [1.0, pytest.approx(1 / 3)]


def test_weight_display_errors(mlp):
    with pytest.raises(NotFittedError):
        WeightDistributionDisplay.from_estimator(LassoRegressor())
    with pytest.raises(TypeError, match="coef_"):
        WeightDistributionDisplay.from_estimator(StandardScaler().fit(np.eye(3)))
    with pytest.raises(TypeError, match="fitted estimator"):
        WeightDistributionDisplay.from_estimator(np.ones(3))
    with pytest.raises(ValueError, match="names"):
        WeightDistributionDisplay.from_estimators([mlp], names=["a", "b"])
    with pytest.raises(ValueError, match="Axes"):
        _, ax = plt.subplots()
        WeightDistributionDisplay.from_estimator(mlp, by_layer=True, ax=ax)


# ---------------------------------------------------------------------------
# TrainingHistoryDisplay


def test_history_display_lines_equal_history(mlp):
    disp = TrainingHistoryDisplay.from_estimator(mlp)
    h = mlp.history_
    n = mlp.n_iter_
    assert disp.axes_.shape == (2, 2) and disp.ax_ is disp.axes_[0, 0]
    np.testing.assert_array_equal(disp.lines_["loss"].get_ydata(), mlp.loss_curve_)
    np.testing.assert_array_equal(disp.lines_["loss"].get_xdata(), np.arange(1, n + 1))
    assert disp.lines_["validation_score"] is None  # no early stopping: a note instead
    assert "early_stopping" in disp.axes_[0, 1].texts[0].get_text()
    for key in ("l2_norm", "zero_fraction"):
        assert len(disp.lines_[key]) == len(mlp.coefs_)
        for j, line in enumerate(disp.lines_[key]):
            np.testing.assert_array_equal(line.get_ydata(), h[key][:, j])
    # the last zero fractions are those of the final weights
    last = [ln.get_ydata()[-1] for ln in disp.lines_["zero_fraction"]]
    np.testing.assert_allclose(last, [np.mean(W == 0) for W in mlp.coefs_])


def test_history_display_validation_and_given_axes(mlp_early):
    fig, axes = plt.subplots(2, 2)
    disp = TrainingHistoryDisplay(mlp_early.history_, name="run").plot(ax=axes, mark_epoch=3)
    assert disp.figure_ is fig and disp.ax_ is axes[0, 0]
    np.testing.assert_allclose(
        disp.lines_["validation_score"].get_ydata(), mlp_early.validation_scores_
    )
    assert fig._suptitle.get_text() == "run"


def test_history_display_pipeline_uses_last_step():
    X, y = make_moons(n_samples=100, noise=0.2, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(
            StandardScaler(), LassoMLPClassifier((4,), max_iter=3, random_state=0)
        ).fit(X, y)
    disp = TrainingHistoryDisplay.from_estimator(pipe)
    np.testing.assert_array_equal(disp.lines_["loss"].get_ydata(), pipe[-1].loss_curve_)
    assert disp.figure_._suptitle.get_text() == "LassoMLPClassifier"


def test_history_display_errors(diabetes_std):
    X, y = diabetes_std
    with pytest.raises(NotFittedError):
        TrainingHistoryDisplay.from_estimator(LassoMLPClassifier())
    with pytest.raises(TypeError, match="history_"):
        TrainingHistoryDisplay.from_estimator(LassoRegressor().fit(X, y))
    with pytest.raises(TypeError, match="dict"):
        TrainingHistoryDisplay([1, 2, 3])


# ---------------------------------------------------------------------------
# CVScoreDisplay


def test_cv_display_curves_equal_mean_scores(cv_two_ratios):
    cv = cv_two_ratios
    disp = CVScoreDisplay.from_estimator(cv)
    assert len(disp.lines_) == len(disp.fills_) == 2 and disp.fill_ is disp.fills_[0]
    mean = cv.scores_path_.mean(axis=-1)
    sd = cv.scores_path_.std(axis=-1)
    for i, line in enumerate(disp.lines_):
        np.testing.assert_array_equal(line.get_xdata(), cv.alphas_[i])
        np.testing.assert_array_equal(line.get_ydata(), mean[i])
        assert line.get_label() == f"l1_ratio = {cv.l1_ratio[i]:g}"
        # the band spans mean - std .. mean + std
        verts = disp.fills_[i].get_paths()[0].vertices
        assert verts[:, 1].min() == pytest.approx((mean[i] - sd[i]).min())
        assert verts[:, 1].max() == pytest.approx((mean[i] + sd[i]).max())
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [cv.alpha_] * 2)
    # the selected alpha is where the best mean score is
    i = list(cv.l1_ratio).index(cv.l1_ratio_)
    assert cv.alphas_[i][np.argmax(mean[i])] == cv.alpha_
    assert disp.ax_.get_xscale() == "log" and disp.ax_.xaxis_inverted()
    assert "MSE" in disp.ax_.get_ylabel()


def test_cv_display_marks_both_choices(diabetes_std):
    X, y = diabetes_std
    kw = dict(l1_ratio=1.0, alphas=25, cv=KFold(5, shuffle=True, random_state=0))
    by_min = ElasticNetRegressorCV(**kw).fit(X, y)
    assert by_min.alpha_1se_ > by_min.alpha_min_  # diabetes: the 1-SE alpha is larger
    disp = CVScoreDisplay.from_estimator(by_min)
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [by_min.alpha_min_] * 2)
    np.testing.assert_array_equal(disp.other_line_.get_xdata(), [by_min.alpha_1se_] * 2)
    assert "alpha_1se_" in disp.other_line_.get_label()
    by_1se = ElasticNetRegressorCV(alpha_selection="1se", **kw).fit(X, y)
    disp = CVScoreDisplay.from_estimator(by_1se)
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [by_1se.alpha_1se_] * 2)
    np.testing.assert_array_equal(disp.other_line_.get_xdata(), [by_1se.alpha_min_] * 2)
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert any("alpha_min_" in t for t in labels)


def test_cv_display_classifier_pipeline_and_ax(iris_std):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(), ElasticNetClassifierCV(l1_ratio=0.5, alphas=5, eps=0.05, cv=3)
    )
    pipe.fit(X, y)
    fig, ax = plt.subplots()
    disp = CVScoreDisplay.from_estimator(pipe, ax=ax, std=False)
    assert disp.ax_ is ax and disp.fills_ == [] and disp.fill_ is None
    np.testing.assert_array_equal(
        disp.lines_[0].get_ydata(), pipe[-1].scores_path_[0].mean(axis=-1)
    )
    assert "accuracy" in ax.get_ylabel()


def test_cv_display_errors(diabetes_std):
    X, y = diabetes_std
    with pytest.raises(NotFittedError):
        CVScoreDisplay.from_estimator(ElasticNetRegressorCV())
    with pytest.raises(TypeError, match="ValidationCurveDisplay"):
        CVScoreDisplay.from_estimator(ElasticNetRegressor().fit(X, y))
    with pytest.raises(ValueError, match="match"):
        CVScoreDisplay(np.ones(3), np.ones((1, 4, 2)))


def test_displays_accept_dataframe_columns_without_pipeline(diabetes_df):
    X, y = diabetes_df
    Xs = pd.DataFrame(StandardScaler().fit_transform(X), columns=X.columns)
    model = ElasticNetRegressor(alpha=1.0, l1_ratio=1.0).fit(Xs, y)
    disp = RegularizationPathDisplay.from_estimator(model, Xs, y, n_alphas=5, n_labels=18)
    assert [ln.get_label() for ln in disp.lines_] == list(X.columns[disp.labelled_])
    assert disp.labelled_.size == np.count_nonzero(model.coef_)  # the nonzero ones at alpha


def test_docstring_examples_run():
    import doctest
    import importlib
    import pkgutil

    import skdecay.plotting

    attempted = failed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for info in pkgutil.iter_modules(skdecay.plotting.__path__, "skdecay.plotting."):
            module = importlib.import_module(info.name)
            result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
            attempted, failed = attempted + result.attempted, failed + result.failed
    assert attempted >= 4 and failed == 0


# ---------------------------------------------------------------------------
# readability: distinct colours, a legend that covers nothing, many lines


def _points_in_display(disp) -> np.ndarray:
    """Every drawn data point of the path (lines and grey collection) in pixels."""
    disp.figure_.canvas.draw()  # the layout is final only after a draw
    ax = disp.ax_
    xy = [np.column_stack([ln.get_xdata(), ln.get_ydata()]) for ln in disp.lines_]
    if disp.collection_ is not None:
        xy += list(disp.collection_.get_segments())
    return ax.transData.transform(np.vstack(xy))


def _legend_covers_none(ax, pixels: np.ndarray) -> bool:
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    inside = (
        (pixels[:, 0] >= box.x0)
        & (pixels[:, 0] <= box.x1)
        & (pixels[:, 1] >= box.y0)
        & (pixels[:, 1] <= box.y1)
    )
    return not inside.any()


@pytest.fixture(scope="module")
def wide_path():
    """A lasso path over 40 features with one-hot-like groups (many nonzero at the end)."""
    rng = np.random.default_rng(0)
    X = StandardScaler().fit_transform(rng.normal(size=(120, 40)))
    y = X @ rng.normal(size=40) + rng.normal(size=120)
    return enet_path(X, y, l1_ratio=1.0, n_alphas=30)


def test_path_legend_colours_unique_and_legend_covers_no_data(wide_path):
    path = wide_path
    names = [f"f{j}" for j in range(40)]
    disp = RegularizationPathDisplay.from_path(
        path, feature_names=names, selected_alpha=path.alphas[20], n_labels=18, l1_ratio=1.0
    )
    handles = disp.ax_.get_legend().legend_handles
    colours = [matplotlib.colors.to_hex(h.get_color()) for h in handles[:-1]]  # last: selected
    assert len(colours) == 18 and len(set(colours)) == 18
    grey = matplotlib.colors.to_hex(disp.collection_.get_colors()[0])
    assert grey not in colours
    # each legend entry names the line of its colour
    for h, line in zip(handles[:-1], disp.lines_):
        assert h.get_label() == line.get_label() and h.get_color() == line.get_color()
    # the 18 named lines are the largest at the selected alpha
    size = np.abs(path.coefs[20])
    assert set(disp.labelled_) == set(np.argsort(-size)[:18].tolist())
    assert np.all(np.diff(size[disp.labelled_]) <= 0)  # legend: largest first
    assert _legend_covers_none(disp.ax_, _points_in_display(disp))
    title = disp.ax_.get_title()
    assert "lasso path, l1_ratio = 1" in title and "18 largest of 40" in title


def test_path_value_name_is_the_axis_label(wide_path):
    disp = RegularizationPathDisplay.from_path(
        wide_path, value_name="norm of the input's first-layer weights"
    )
    assert disp.ax_.get_ylabel() == "norm of the input's first-layer weights"
    assert RegularizationPathDisplay.from_path(wide_path).ax_.get_ylabel() == "coefficient"


def test_path_thousands_of_lines_are_one_collection():
    rng = np.random.default_rng(0)
    alphas = np.geomspace(1.0, 1e-3, 40)
    coefs = np.cumsum(rng.normal(size=(40, 3000)), axis=0) * 0.01
    disp = RegularizationPathDisplay(alphas, coefs, selected_alpha=0.01).plot()
    assert len(disp.collection_.get_segments()) == 3000 - 10
    assert len(disp.ax_.lines) <= 10 + 2  # labelled lines, selected alpha, zero line
    np.testing.assert_allclose(_drawn(disp), coefs)
    y0, y1 = disp.ax_.get_ylim()  # the collection is inside the view
    assert y0 <= coefs.min() and y1 >= coefs.max()


def test_cv_display_overlapping_bands_stay_readable(cv_two_ratios):
    disp = CVScoreDisplay.from_estimator(cv_two_ratios)
    lines = disp.lines_
    assert len({ln.get_color() for ln in lines}) == len(lines)
    assert len({ln.get_linestyle() for ln in lines}) == len(lines)
    assert len({ln.get_marker() for ln in lines}) == len(lines)
    mean = cv_two_ratios.scores_path_.mean(axis=-1)
    for i, best in enumerate(disp.best_markers_):
        b = int(np.argmax(mean[i]))
        assert best.get_xdata()[0] == cv_two_ratios.alphas_[i][b]
        assert best.get_ydata()[0] == mean[i][b]
    disp.figure_.canvas.draw()  # the layout is final only after a draw
    pixels = np.vstack(
        [disp.ax_.transData.transform(np.column_stack(ln.get_data())) for ln in disp.ax_.lines[:-1]]
        + [disp.ax_.transData.transform(f.get_paths()[0].vertices) for f in disp.fills_]
    )
    assert _legend_covers_none(disp.ax_, pixels)


def test_outside_legend_fits_in_a_new_figure(wide_path, cv_two_ratios):
    # a figure saved without bbox_inches="tight" (e.g. by sphinx-gallery) keeps the legend
    for disp in (
        RegularizationPathDisplay.from_path(wide_path, selected_alpha=wide_path.alphas[9]),
        CVScoreDisplay.from_estimator(cv_two_ratios),
    ):
        fig = disp.figure_
        fig.canvas.draw()
        legend = disp.ax_.get_legend().get_window_extent()
        assert legend.x1 <= fig.bbox.x1 + 1 and legend.x0 >= disp.ax_.bbox.x1


def test_path_colour_families_for_groups(wide_path):
    from matplotlib.colors import rgb_to_hsv, to_hex, to_rgb

    groups = [f"g{j // 4}" if j < 20 else f"f{j}" for j in range(40)]  # 5 groups of 4 + singles
    disp = RegularizationPathDisplay.from_path(
        wide_path, selected_alpha=wide_path.alphas[20], n_labels=18, groups=groups
    )
    colours = [to_hex(ln.get_color()) for ln in disp.lines_]
    assert len(set(colours)) == len(colours)  # still all distinct
    hue = {}
    for line, j in zip(disp.lines_, disp.labelled_):
        hue.setdefault(groups[j], set()).add(
            round(float(rgb_to_hsv(to_rgb(line.get_color()))[0]), 3)
        )
    assert all(len(h) == 1 for h in hue.values())  # one hue per group
    hues = [next(iter(h)) for h in hue.values()]
    assert len(set(hues)) == len(hues) or len(hues) > 10  # different groups, different hues
    with pytest.raises(ValueError, match="groups"):
        RegularizationPathDisplay(wide_path.alphas, wide_path.coefs, groups=["a"])


# ---------------------------------------------------------------------------
# log-link regressors (loss="poisson" | "gamma" | "tweedie")

GLM_CASES = [("poisson", None), ("gamma", None), ("tweedie", 1.3)]


def _glm_data(loss, n=120, p=5, seed=0):
    """Standardized X, an offset (log exposure) and a target in the loss's range."""
    rng = np.random.default_rng(seed)
    X = StandardScaler().fit_transform(rng.standard_normal((n, p)))
    offset = np.log(rng.uniform(0.5, 2.0, n))
    mu = np.exp(0.5 + 0.7 * X[:, 0] - 0.4 * X[:, 1] + offset)
    y = rng.gamma(2.0, mu / 2.0) if loss == "gamma" else rng.poisson(mu).astype(float)
    return X, y, offset


def _glm_params(loss, power):
    return {"loss": loss} if power is None else {"loss": loss, "power": power}


@pytest.mark.parametrize("loss, power", GLM_CASES)
def test_path_display_glm_is_the_glm_path(loss, power):
    """from_estimator draws the path of the estimator's own loss (and offset), not
    the squared-error path; its first alpha is the GLM's alpha_max (all zeros)."""
    X, y, offset = _glm_data(loss)
    kw = _glm_params(loss, power)
    est = ElasticNetRegressor(alpha=0.05, l1_ratio=0.8, **kw).fit(X, y, offset=offset)
    disp = RegularizationPathDisplay.from_estimator(est, X, y, offset=offset, n_alphas=8, eps=0.02)
    ref = enet_path(X, y, l1_ratio=0.8, n_alphas=8, eps=0.02, offset=offset, **kw)
    np.testing.assert_allclose(disp.alphas, ref.alphas)
    np.testing.assert_allclose(_drawn(disp), ref.coefs, atol=1e-6)
    np.testing.assert_array_equal(_drawn(disp)[0], 0)
    assert np.count_nonzero(_drawn(disp)[-1]) > 0
    squared = enet_path(X, y, l1_ratio=0.8, n_alphas=8, eps=0.02)
    assert not np.allclose(disp.alphas, squared.alphas)
    # without the offset the grid (alpha_max) differs: the offset is used
    no_offset = enet_path(X, y, l1_ratio=0.8, n_alphas=8, eps=0.02, **kw)
    assert not np.allclose(disp.alphas, no_offset.alphas)
    assert disp.ax_.get_ylabel() == "coefficient (log-mean scale)"
    np.testing.assert_array_equal(disp.selected_line_.get_xdata(), [0.05, 0.05])


def test_path_display_glm_cv_estimator_refit_lies_on_the_path():
    X, y, offset = _glm_data("poisson", seed=1)
    cv = ElasticNetRegressorCV(loss="poisson", l1_ratio=1.0, alphas=8, eps=0.01, cv=3)
    cv.fit(X, y, offset=offset)
    disp = RegularizationPathDisplay.from_estimator(cv, X, y, offset=offset)
    np.testing.assert_allclose(disp.alphas, cv.alphas_)
    i = int(np.argmin(np.abs(disp.alphas - cv.alpha_)))
    np.testing.assert_allclose(_drawn(disp)[i], cv.coef_, atol=1e-3 * np.abs(cv.coef_).max())
    with pytest.raises(ValueError, match="offset"):
        clf = ElasticNetClassifier(alpha=0.1).fit(X, (y > np.median(y)).astype(int))
        RegularizationPathDisplay.from_estimator(clf, X, y > np.median(y), offset=offset)


@pytest.mark.parametrize(
    "loss, power, label",
    [("poisson", None, "mean Poisson deviance"), ("tweedie", 1.3, "(power=1.3)")],
)
def test_cv_display_glm_scores_are_minus_the_deviance(loss, power, label):
    X, y, offset = _glm_data(loss, seed=2)
    cv = ElasticNetRegressorCV(
        l1_ratio=[0.5, 1.0], alphas=5, eps=0.02, cv=3, **_glm_params(loss, power)
    )
    cv.fit(X, y, offset=offset)
    disp = CVScoreDisplay.from_estimator(cv)
    for i, line in enumerate(disp.lines_):
        np.testing.assert_allclose(line.get_ydata(), -cv.deviance_path_[i].mean(axis=-1))
    assert label in disp.ax_.get_ylabel() and "neg." in disp.ax_.get_ylabel()
    assert "MSE" not in disp.ax_.get_ylabel()


# ---------------------------------------------------------------------------
# from_estimator draws estimator_path: MCP / SCAD, classifier groups, several targets


def _small(seed=0, classes=None, n=120, p=6):
    rng = np.random.default_rng(seed)
    X = StandardScaler().fit_transform(rng.standard_normal((n, p)))
    z = 1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + rng.standard_normal(n)
    if classes is None:
        return X, z
    return X, np.searchsorted(np.quantile(z, np.linspace(0, 1, classes + 1)[1:-1]), z)


@pytest.mark.parametrize("penalty, gamma", [("mcp", 2.5), ("scad", 3.7)])
def test_path_display_nonconvex_draws_its_penalty(penalty, gamma):
    X, y = _small(seed=1)
    est = ElasticNetRegressor(alpha=0.05, l1_ratio=1.0, penalty=penalty, gamma=gamma).fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(est, X, y, n_alphas=10)
    ref = enet_path(X, y, l1_ratio=1.0, n_alphas=10, penalty=penalty, gamma=gamma)
    np.testing.assert_allclose(disp.alphas, ref.alphas)
    np.testing.assert_allclose(_drawn(disp), ref.coefs, atol=1e-10)
    lasso = enet_path(X, y, l1_ratio=1.0, n_alphas=10)
    assert not np.allclose(_drawn(disp), lasso.coefs)  # not the lasso path any more
    assert f"{penalty.upper()} path, gamma = {gamma:g}, l1_ratio = 1" in disp.ax_.get_title()


def test_path_display_cv_mcp_uses_the_chosen_gamma():
    X, y = _small(seed=2)
    cv = ElasticNetRegressorCV(l1_ratio=1.0, penalty="mcp", gamma=[1.5, 4.0], alphas=8, cv=3)
    cv.fit(X, y)
    disp = RegularizationPathDisplay.from_estimator(cv, X, y)
    ref = enet_path(X, y, alphas=cv.alphas_, penalty="mcp", gamma=cv.gamma_)
    np.testing.assert_allclose(_drawn(disp), ref.coefs, atol=1e-10)
    assert f"gamma = {cv.gamma_:g}" in disp.ax_.get_title()


@pytest.mark.parametrize("classes", [2, 3])
def test_path_display_classifier_groups_colour_families(classes):
    from matplotlib.colors import rgb_to_hsv, to_rgb

    X, y = _small(seed=3, classes=classes)
    groups = ["a", "a", "b", "b", "c", "c"]
    clf = ElasticNetClassifier(alpha=0.01, l1_ratio=0.5, groups=groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # cv13: rounding-level KKT flag
        clf.fit(X, y)
        disp = RegularizationPathDisplay.from_estimator(clf, X, y, n_alphas=6, n_labels=18)
        ref = logistic_path(X, y, l1_ratio=0.5, n_alphas=6, groups=groups)
    K = ref.coefs.shape[1]
    np.testing.assert_allclose(_drawn(disp), ref.coefs.reshape(6, K * 6), atol=1e-10)
    assert disp.groups == groups
    hue = {}
    for line, j in zip(disp.lines_, disp.labelled_):
        h = round(float(rgb_to_hsv(to_rgb(line.get_color()))[0]), 3)
        hue.setdefault(groups[int(j) % 6], set()).add(h)
    assert all(len(h) == 1 for h in hue.values())  # a group keeps one hue over classes
    assert len(hue) >= 2


def test_path_display_several_targets():
    X, y = _small(seed=4)
    Y = np.column_stack([y, X[:, 3] - y])
    est = ElasticNetRegressor(alpha=0.1, l1_ratio=1.0).fit(X, Y)
    disp = RegularizationPathDisplay.from_estimator(est, X, Y, n_alphas=8, n_labels=12)
    ref = enet_path(X, Y, l1_ratio=1.0, n_alphas=8)
    np.testing.assert_allclose(_drawn(disp), ref.coefs.reshape(8, 12), atol=1e-10)
    assert {ln.get_label().split(":")[0] for ln in disp.lines_} <= {"target 0", "target 1"}
    one = RegularizationPathDisplay.from_estimator(est, X, Y, target=1, alphas=ref.alphas)
    np.testing.assert_allclose(_drawn(one), ref.coefs[:, 1], atol=1e-10)
    # a CV fit per target: target=j draws that target's path at its own alpha_
    cv = ElasticNetRegressorCV(l1_ratio=1.0, alphas=8, cv=3).fit(X, Y)
    for t in range(2):
        disp = RegularizationPathDisplay.from_estimator(cv, X, Y, target=t)
        np.testing.assert_allclose(disp.alphas, cv.alphas_[t])
        ref = enet_path(X, Y[:, t], l1_ratio=1.0, alphas=cv.alphas_[t])
        np.testing.assert_allclose(_drawn(disp), ref.coefs, atol=1e-10)
        assert disp.selected_line_.get_xdata()[0] == cv.alpha_[t]
    with pytest.raises(ValueError, match="target=j"):
        RegularizationPathDisplay.from_estimator(cv, X, Y)


def test_cv_estimators_expose_what_the_display_draws():
    X, y = _small(seed=5)
    cv = ElasticNetRegressorCV(
        l1_ratio=[0.5, 1.0], penalty="mcp", gamma=[2.0, 5.0], relax=True,
        relax_gamma=[0.0, 1.0], alphas=6, cv=3,
    ).fit(X, y)  # fmt: skip
    k = [2.0, 5.0].index(cv.gamma_)
    r = [0.0, 1.0].index(cv.relax_gamma_)
    np.testing.assert_array_equal(cv.cv_scores_, cv.scores_path_[:, k, r])
    assert cv.score_name_ == "neg. MSE"
    disp = CVScoreDisplay.from_estimator(cv)
    for i, line in enumerate(disp.lines_):
        np.testing.assert_array_equal(line.get_ydata(), cv.scores_path_[i, k, r].mean(axis=-1))
    assert disp.ax_.get_ylabel().startswith("held-out neg. MSE")
    scored = ElasticNetRegressorCV(l1_ratio=1.0, alphas=5, cv=3, scoring="r2").fit(X, y)
    assert scored.score_name_ == "r2"
    assert ElasticNetClassifierCV(alphas=4, cv=3).fit(X, y > 0).score_name_ == "accuracy"


def test_cv_display_several_targets_needs_target():
    X, y = _small(seed=6)
    Y = np.column_stack([y, X[:, 3] - y])
    cv = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=6, cv=3).fit(X, Y)
    assert cv.cv_scores_.shape == (2, 2, 6, 3) and cv.score_name_ == "neg. MSE"
    for t in range(2):
        disp = CVScoreDisplay.from_estimator(cv, target=t)
        for i, line in enumerate(disp.lines_):
            np.testing.assert_array_equal(line.get_xdata(), cv.alphas_[t][i])
            np.testing.assert_array_equal(line.get_ydata(), cv.scores_path_[t][i].mean(axis=-1))
        assert disp.selected_line_.get_xdata()[0] == cv.alpha_[t]
    with pytest.raises(ValueError, match="target=j"):
        CVScoreDisplay.from_estimator(cv)
    with pytest.raises(ValueError, match="several targets"):
        CVScoreDisplay.from_estimator(ElasticNetRegressorCV(alphas=4, cv=3).fit(X, y), target=0)
