r"""
Weight decay shrinks the weights: gradient descent on a linear model
====================================================================

A linear regression is trained by full-batch gradient descent on

.. math::

    \frac{1}{2n}\|y - Xw - b\|^2 + \frac{\alpha}{2}\|w\|_2^2

for ``alpha`` in ``[0, 0.01, 0.1, 1]``.  With plain SGD the L2 penalty is
exactly *weight decay*: every step multiplies the weights by
``(1 - lr * alpha)`` before the gradient step,
``w <- (1 - lr*alpha) * w - lr * grad``.

The model is :class:`~skdecay.ElasticNetMLPRegressor` with no hidden layer
(``hidden_layer_sizes=()``), ``solver="sgd"``, ``momentum=0`` and
``l1_ratio=0``: a linear model trained by gradient descent.  One
``partial_fit`` call is one epoch, so we can record the coefficients after
every epoch.  The end points are checked against the solution of
:class:`~skdecay.ElasticNetRegressor` (coordinate descent) with the same
``alpha`` and ``l1_ratio=0``: both minimize the same objective.
"""

# %%
# Data: four informative features of decreasing strength, one useless
# --------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler

from skdecay import ElasticNetMLPRegressor, ElasticNetRegressor

rng = np.random.default_rng(0)
n, true_w = 300, np.array([4.0, 2.5, 1.5, 0.5, 0.0])
X = StandardScaler().fit_transform(rng.standard_normal((n, true_w.size)))
y = X @ true_w + 3.0 + rng.normal(scale=1.0, size=n)

alphas = [0.0, 0.01, 0.1, 1.0]
n_epochs, lr = 150, 0.1

# %%
# Gradient descent with weight decay, one epoch per ``partial_fit``
# -----------------------------------------------------------------
trajectories, final = {}, {}
for alpha in alphas:
    gd = ElasticNetMLPRegressor(
        hidden_layer_sizes=(),
        solver="sgd",
        momentum=0.0,
        l1_ratio=0.0,
        alpha=alpha,
        learning_rate_init=lr,
        batch_size=n,  # full batch: plain gradient descent
        random_state=0,
    )
    path = []
    for _ in range(n_epochs):
        gd.partial_fit(X, y)
        path.append(gd.coefs_[0][:, 0].copy())
    trajectories[alpha] = np.array(path)
    final[alpha] = path[-1]
    cd = ElasticNetRegressor(alpha=alpha, l1_ratio=0.0, tol=1e-10).fit(X, y)
    print(
        f"alpha={alpha:<5}: GD weights {np.round(path[-1], 3)}  "
        f"max |GD - CD| = {np.max(np.abs(path[-1] - cd.coef_)):.1e}"
    )

# %%
# Coefficient trajectories over epochs
# ------------------------------------
# Larger ``alpha`` pulls every coefficient toward zero; none becomes exactly
# zero (that takes an L1 penalty, see the next example).
fig, axes = plt.subplots(1, len(alphas), figsize=(13, 3.5), sharey=True)
epochs = np.arange(1, n_epochs + 1)
for ax, alpha in zip(axes, alphas, strict=True):
    for j in range(true_w.size):
        ax.plot(epochs, trajectories[alpha][:, j], label=f"w{j} (true {true_w[j]:g})")
    ax.set_title(f"alpha = {alpha:g}")
    ax.set_xlabel("epoch")
    ax.set_xscale("log")
axes[0].set_ylabel("coefficient")
axes[-1].legend(fontsize="small")
fig.tight_layout()

# %%
# Final weights
# -------------
# For uncorrelated standardized features the L2 solution is
# ``w_ols / (1 + alpha)``: every weight shrinks by the same factor.  Here the
# sample correlations are small but not zero, so the large weights shrink by
# about that factor while the small ones shrink more.
fig, ax = plt.subplots(figsize=(6, 3.5))
width = 0.2
for i, alpha in enumerate(alphas):
    ax.bar(
        np.arange(true_w.size) + (i - 1.5) * width, final[alpha], width, label=f"alpha={alpha:g}"
    )
ax.scatter(
    np.arange(true_w.size), true_w, color="k", marker="_", s=300, label="true weight", zorder=3
)
ax.set_xticks(np.arange(true_w.size), [f"w{j}" for j in range(true_w.size)])
ax.set_ylabel("weight after gradient descent")
ax.legend(fontsize="small")
fig.tight_layout()
plt.show()
