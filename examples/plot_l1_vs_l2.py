r"""
L1 versus L2: shrinking all weights or selecting some
=====================================================

On the same data, an L2 penalty (ridge) shrinks every coefficient a little,
while an L1 penalty (lasso) sets the irrelevant ones *exactly* to zero and
shrinks the others by a constant amount.  Both are elastic nets,

.. math::

    \frac{1}{2n}\|y - Xw - b\|^2
    + \alpha\Big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|_2^2\Big),

with ``rho = l1_ratio = 0`` (ridge) or ``1`` (lasso).  The regularization
paths show the whole picture: every coefficient as a function of ``alpha``.
"""

# %%
# Data: 4 relevant features, 4 irrelevant ones
# ---------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from skdecay import ElasticNetRegressor, LassoRegressor, enet_path
from skdecay.plotting import RegularizationPathDisplay

rng = np.random.default_rng(1)
n = 500
true_w = np.array([8.0, 5.0, 3.0, 1.0, 0.0, 0.0, 0.0, 0.0])
names = [f"x{j}" for j in range(true_w.size)]
X = StandardScaler().fit_transform(rng.standard_normal((n, true_w.size)))
y = X @ true_w + rng.normal(scale=3.0, size=n)

# %%
# Coefficients at one alpha
# -------------------------
# ``alpha`` is picked so that both penalties cost the fit a similar amount;
# the point is the *shape* of the solutions.
ols = LinearRegression().fit(X, y)
ridge = ElasticNetRegressor(alpha=1.0, l1_ratio=0.0).fit(X, y)
lasso = LassoRegressor(alpha=1.0).fit(X, y)
table = pd.DataFrame(
    {
        "true": true_w,
        "least squares": ols.coef_,
        "L2 (ridge)": ridge.coef_,
        "L1 (lasso)": lasso.coef_,
    },
    index=names,
).round(2)
print(table)
print(f"\nexact zeros: ridge {np.sum(ridge.coef_ == 0)}, lasso {np.sum(lasso.coef_ == 0)}")

# %%
# Ridge roughly halves every coefficient (``w_ols / (1 + alpha)`` for exactly
# uncorrelated standardized features; the small sample correlations move the
# tiny ones a little).  The lasso subtracts about ``alpha`` from each large
# coefficient and sets the weak and irrelevant ones to exactly zero.

# %%
# Regularization paths
# --------------------
# The lasso path starts at ``alpha_max`` (all coefficients zero) and lets the
# features in one by one, strongest first; the irrelevant ones stay at or
# near zero until ``alpha`` is small.  The ridge path has no ``alpha_max``:
# coefficients approach zero only as ``alpha`` grows without bound, so we give
# its grid explicitly.  On both axes ``alpha`` decreases to the right.
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
lasso_path = enet_path(X, y, l1_ratio=1.0, n_alphas=60, eps=1e-3)
RegularizationPathDisplay.from_path(
    lasso_path, feature_names=names, selected_alpha=1.0, name="L1 (lasso)", ax=axes[0]
)
ridge_path = enet_path(X, y, l1_ratio=0.0, alphas=np.geomspace(1e3, 1e-2, 60))
RegularizationPathDisplay.from_path(
    ridge_path, feature_names=names, selected_alpha=1.0, name="L2 (ridge)", ax=axes[1]
)
fig.tight_layout()

# %%
# The same lasso path from a fitted estimator: ``from_estimator`` computes
# the path over :func:`~skdecay.alpha_grid` for the estimator's ``l1_ratio``
# and marks its ``alpha``.
RegularizationPathDisplay.from_estimator(lasso, X, y, n_alphas=60, feature_names=names, n_labels=4)
plt.show()
