r"""
Categorical variables as blocks: a group lasso on credit card balances
======================================================================

A one-hot encoded categorical variable is several columns that mean one
thing: the lasso does not know that.  It selects indicator columns one by one,
so a variable can enter "half-way" (one level of three), and which
indicator it keeps depends on an arbitrary choice of reference level.  The
**group lasso** penalises the Euclidean norm of each block of coefficients,

.. math::

    \frac{1}{2n}\sum_i (y_i - x_i^\top w - b)^2
    + \alpha \sum_g \sqrt{|g|}\,\|w_g\|_2 ,

so a categorical variable enters or leaves the model as a whole, and a numeric
column (a group of one, :math:`\|w_g\|_2 = |w_j|`) is treated as by the lasso.
Both models below are :class:`~skdecay.ElasticNetRegressorCV` in a pipeline
(``l1_ratio=0`` with ``groups=`` is the group lasso, ``l1_ratio=1`` without
groups the lasso); the groups come from the column names
(:class:`~skdecay.ColumnGroups`), not from counting indicator columns by hand.
The data is ISLP's ``Credit`` table: the average credit card balance of 400
customers, with their income, credit limit and rating, age, education and four
categorical variables.
"""

# %%
# Data: six numbers and four categories
# -------------------------------------
# The numeric columns are standardized; ``Gender``, ``Student``, ``Married``
# (two levels each) and ``Ethnicity`` (three) are one-hot encoded with every
# level kept (no reference level: with an intercept the indicators of one
# variable are redundant, which the penalty resolves).  ``ID`` is dropped.
import matplotlib.pyplot as plt
import numpy as np
from ISLP import load_data
from sklearn.compose import make_column_transformer
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdecay import ColumnGroups, ElasticNetRegressorCV, enet_path, groups_from_feature_names
from skdecay.plotting import RegularizationPathDisplay

credit = load_data("Credit")
X, y = credit.drop(columns=["ID", "Balance"]), credit["Balance"].to_numpy(dtype=float)
categorical = ["Gender", "Student", "Married", "Ethnicity"]
numeric = [c for c in X.columns if c not in categorical]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
print(f"{len(y_train)} training and {len(y_test)} test customers; columns: {list(X.columns)}")


def encoder():
    return make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(sparse_output=False), categorical),
        verbose_feature_names_out=False,
    )


# %%
# One group per original column
# -----------------------------
# :func:`~skdecay.groups_from_feature_names` maps each output feature to the
# column it came from (``Ethnicity_Asian`` -> ``Ethnicity``).  Inside a
# pipeline, ``groups=ColumnGroups(X.columns)`` does the same in every ``fit``,
# from the feature names the estimator receives: ``set_output(transform=
# "pandas")`` passes them on.  The groups then follow the width of the encoding
# even when a fold misses a category.
names = encoder().fit(X_train).get_feature_names_out()
labels = groups_from_feature_names(names, X.columns)
for column in dict.fromkeys(labels):
    print(f"{column:10s} <- {[str(n) for n in names[labels == column]]}")

# %%
# Two cross-validated models
# --------------------------
# The same settings for both: 30 values of ``alpha`` from ``alpha_max`` (every
# coefficient zero) down to ``1e-4 * alpha_max``, 5 folds, the ``alpha`` with
# the lowest held-out mean squared error.
cv = dict(alphas=30, eps=1e-4, cv=5)
group_lasso = make_pipeline(
    encoder(), ElasticNetRegressorCV(l1_ratio=0.0, groups=ColumnGroups(X.columns), **cv)
).set_output(transform="pandas")
lasso = make_pipeline(encoder(), ElasticNetRegressorCV(l1_ratio=1.0, **cv)).set_output(
    transform="pandas"
)
group_lasso.fit(X_train, y_train)
lasso.fit(X_train, y_train)

# %%
# Held-out scores and what each model kept
# ----------------------------------------
# Both models predict the test customers equally well: ``Limit``, ``Rating``,
# ``Income`` and ``Student`` carry the signal, and with 300 training rows the
# cross-validation keeps almost every feature.  They differ in *how* the
# categorical variables are in the model.  With an intercept the indicators of
# one variable sum to one, so the lasso's solution is not even unique (moving
# weight from ``Student_No`` to ``-Student_Yes`` costs the same L1 norm): it
# puts the effect of ``Student`` on one indicator (``Student_No``, twice the
# size).  The group norm has a unique minimiser, which splits the effect
# symmetrically (``Student_Yes = -Student_No``): the same predictions, with no
# level singled out.
#
# (Round-off: a redundant indicator the lasso leaves at zero can come out as
# 1e-14 instead of 0.  Below, a coefficient counts as nonzero when it exceeds
# ``1e-8`` times the largest one.)


def active(coefs):
    coefs = np.abs(coefs)
    return coefs > 1e-8 * coefs.max()


for name, model in [("group lasso", group_lasso), ("lasso", lasso)]:
    pred = model.predict(X_test)
    est = model[-1]
    columns = set(labels[active(est.coef_)])
    print(
        f"{name:12s} alpha={est.alpha_:.3g}  R² {r2_score(y_test, pred):.3f}"
        f"  MAE {mean_absolute_error(y_test, pred):.1f}"
        f"  nonzero features {np.count_nonzero(active(est.coef_))}/{names.size}"
        f"  columns used {len(columns)}/{X.shape[1]}"
    )
print(f"{'feature':28s} {'group lasso':>12s} {'lasso':>8s}")
for j in np.flatnonzero(np.isin(labels, categorical)):
    w_group, w_lasso = group_lasso[-1].coef_[j] + 0.0, lasso[-1].coef_[j] + 0.0  # no "-0.00"
    print(f"{names[j]:28s} {w_group:12.2f} {w_lasso:8.2f}")

# %%
# The two paths
# -------------
# Each panel draws the coefficients along the cross-validated grid (the
# dashed line marks the chosen ``alpha``); the indicators of one categorical
# variable share a colour family.  ``Student`` enters both models at the same
# ``alpha``: as a symmetric pair in the group lasso, as one indicator of double
# size in the lasso.
fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
group_path = RegularizationPathDisplay.from_estimator(
    group_lasso, X_train, y_train, ax=axes[0], n_labels=12
)
# the lasso has no groups: draw its path with the same colour families
lasso_path = RegularizationPathDisplay.from_path(
    enet_path(lasso[0].transform(X_train), y_train, alphas=lasso[-1].alphas_, l1_ratio=1.0),
    feature_names=list(names),
    selected_alpha=lasso[-1].alpha_,
    l1_ratio=1.0,
    groups=list(labels),
    ax=axes[1],
    n_labels=12,
)
axes[0].set_title("group lasso (l1_ratio = 0, one group per column)")
axes[1].set_title("lasso (l1_ratio = 1)")
fig.tight_layout()

# %%
# The small effects, magnified
# ----------------------------
# ``Gender``, ``Married`` and ``Ethnicity`` hardly matter (coefficients of a
# few dollars on balances of hundreds).  Drawn alone, the same paths show how
# they enter: in the group lasso each variable's indicators leave zero
# together; in the lasso ``Ethnicity_Asian`` enters on its own, before the
# group lasso lets ``Ethnicity`` in at all, ``Ethnicity_African American``
# follows much later, and ``Ethnicity_Caucasian`` never: which levels it picks
# is an artefact of the encoding, not a finding about the data.
small = np.flatnonzero(np.isin(labels, ["Gender", "Married", "Ethnicity"]))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
for ax, path, title in [
    (axes[0], group_path, "group lasso"),
    (axes[1], lasso_path, "lasso"),
]:
    RegularizationPathDisplay(
        path.alphas,
        np.squeeze(path.coefs)[:, small],
        feature_names=list(names[small]),
        groups=list(labels[small]),  # no selected_alpha: label by size at the smallest alpha
        name=title,
    ).plot(ax=ax, n_labels=len(small))
    ax.axvline(path.selected_alpha, color="black", linestyle="--", linewidth=1)
fig.tight_layout()

# %%
# Where each variable enters
# --------------------------
# The ``alpha`` at which each coefficient first leaves zero, read off the two
# paths (the largest ``alpha`` of the grid at which it is nonzero; ``nan``:
# never).  The numeric columns enter at the same ``alpha`` in both models (a
# group of one is a lasso coordinate); the indicators of one variable enter
# together in the group lasso, one by one (or never) in the lasso.


def entry(path):
    nonzero = active(np.squeeze(path.coefs))
    first = np.argmax(nonzero, axis=0)  # path.alphas decrease
    return np.where(np.any(nonzero, axis=0), path.alphas[first], np.nan)


print(f"{'feature':28s} {'enters group lasso':>19s} {'enters lasso':>13s}")
for name, a_group, a_lasso in zip(names, entry(group_path), entry(lasso_path), strict=True):
    print(f"{name:28s} {a_group:19.3g} {a_lasso:13.3g}")

# %%
# A sparser choice: the one-standard-error rule
# ---------------------------------------------
# ``alpha_1se_`` (glmnet's ``lambda.1se``) is the largest ``alpha`` whose
# held-out error is within one standard error of the best.  The features
# active there, read off the paths: both models drop ``Gender``, ``Married``
# and ``Ethnicity`` entirely.
for name, model, path in [("group lasso", group_lasso, group_path), ("lasso", lasso, lasso_path)]:
    row = int(np.argmin(np.abs(path.alphas - model[-1].alpha_1se_)))
    kept = names[active(np.squeeze(path.coefs)[row])]
    print(f"{name:12s} alpha_1se={model[-1].alpha_1se_:.3g}: {[str(n) for n in kept]}")

# %%
# When to use which
# -----------------
# Here the two models predict equally well; the group lasso's answer is the
# one that can be read variable by variable ("ethnicity does not matter" is a
# statement about a whole block), and it does not depend on the encoding: with
# every level kept, relabelling or reordering the levels of a variable
# permutes its coefficients and nothing else, whereas the lasso's choice of
# indicators follows the column order and the reference level.
# ``0 < l1_ratio < 1`` (the sparse-group lasso) selects variables *and* levels
# inside the selected variables.  See
# :ref:`group_lasso` and :doc:`/user_guide/choosing_penalty` in the user guide.
plt.show()
