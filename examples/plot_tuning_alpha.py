r"""
Tuning alpha: log grids, grid search, random search and a path-based CV
=======================================================================

Too large an ``alpha`` underfits (every weight near zero), too small one
overfits.  ``alpha`` is searched on a *log* grid, always with the scaler
inside the pipeline so that each cross-validation fold standardizes with its
own training statistics.  The estimator here is
:class:`~skdecay.ElasticNetRegressor`, minimizing

.. math::

    \frac{1}{2n}\|y - Xw - b\|^2
    + \alpha\Big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|_2^2\Big)

on the diabetes data (10 features).  We tune it three ways: scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` and
:class:`~sklearn.model_selection.RandomizedSearchCV`, and
:class:`~skdecay.ElasticNetRegressorCV`, which computes a warm-started path
per fold and is much cheaper for the same grid.
"""

# %%
# Grid search over alpha (log grid) in a pipeline
# -----------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform, uniform
from sklearn.datasets import load_diabetes
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    ValidationCurveDisplay,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdecay import ElasticNetRegressor, ElasticNetRegressorCV, alpha_max
from skdecay.plotting import CVScoreDisplay, RegularizationPathDisplay

X, y = load_diabetes(return_X_y=True, as_frame=True)
Xa = X.to_numpy()  # plain arrays for the searches (less pandas overhead per fit)
cv = KFold(n_splits=5, shuffle=True, random_state=0)
pipe = Pipeline([("scale", StandardScaler()), ("model", ElasticNetRegressor(l1_ratio=0.5))])

# the largest useful alpha (all coefficients zero from there on), in closed form
a_max = alpha_max(StandardScaler().fit_transform(Xa), y, l1_ratio=0.5)
alphas = np.geomspace(a_max, a_max * 1e-4, 12)
print(f"alpha_max = {a_max:.3g}")

grid = GridSearchCV(pipe, {"model__alpha": alphas}, cv=cv, scoring="r2").fit(Xa, y)
best = grid.best_params_
print(f"GridSearchCV:       alpha = {best['model__alpha']:.4g}, R^2 = {grid.best_score_:.3f}")

# %%
# Random search over alpha (log-uniform) and l1_ratio
# ---------------------------------------------------
search = RandomizedSearchCV(
    pipe,
    {"model__alpha": loguniform(a_max * 1e-4, a_max), "model__l1_ratio": uniform(0.05, 0.95)},
    n_iter=10,
    cv=cv,
    scoring="r2",
    random_state=0,
).fit(Xa, y)
best = search.best_params_
print(
    f"RandomizedSearchCV: alpha = {best['model__alpha']:.4g}, "
    f"l1_ratio = {best['model__l1_ratio']:.2f}, R^2 = {search.best_score_:.3f}"
)

# %%
# Validation curve: training vs held-out score
# --------------------------------------------
# On the left (large alpha) both scores are low: underfitting.  As alpha
# decreases the training score keeps rising; the held-out score levels off
# (and would fall with many more features than samples): the gap is overfitting.
disp = ValidationCurveDisplay.from_estimator(
    pipe,
    Xa,
    y,
    param_name="model__alpha",
    param_range=alphas,
    cv=cv,
    scoring="r2",
    std_display_style="fill_between",
)
disp.ax_.set_xscale("log")
disp.ax_.invert_xaxis()
disp.ax_.set_xlabel("alpha (log scale, decreasing to the right)")
disp.ax_.set_ylabel("R^2")

# %%
# The same search along a warm-started path
# -----------------------------------------
# :class:`~skdecay.ElasticNetRegressorCV` fits one path per (l1_ratio, fold)
# over the grid from ``alpha_max`` down, each fit starting from the previous
# one.  ``CVScoreDisplay`` draws its held-out scores (negative mean squared
# error by default) with one band of +/- one standard deviation over folds.
model = Pipeline(
    [
        ("scale", StandardScaler()),
        ("model", ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=30, cv=cv)),
    ]
).fit(X, y)
enet_cv = model[-1]
print(f"ElasticNetRegressorCV: alpha = {enet_cv.alpha_:.4g}, l1_ratio = {enet_cv.l1_ratio_:g}")
CVScoreDisplay.from_estimator(enet_cv)

# %%
# And the coefficients along the path of the selected ``l1_ratio``, with the
# chosen ``alpha`` marked; the feature names come from the pipeline.
RegularizationPathDisplay.from_estimator(model, X, y)
plt.show()
