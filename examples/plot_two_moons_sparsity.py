r"""
Exact zeros in a neural network: L1 on two moons
================================================

Two multilayer perceptrons with two hidden layers of 128 ReLU units are
trained on the two-moons data set, one without a penalty and one with an L1
penalty (:class:`~skdecay.LassoMLPClassifier`, ``alpha=1e-3``), which
minimizes

.. math::

    \frac{1}{n}\sum_i \mathrm{logloss}(y_i, f(x_i)) + \alpha \sum_l \|W_l\|_1 .

skdecay applies the L1 part with a proximal (soft-threshold) step after each
Adam step, so weights become *exactly* zero instead of oscillating around
zero as with a subgradient.  We compare the decision boundaries and the
distribution of the weights.
"""

# %%
# Data and models
# ---------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdecay import LassoMLPClassifier
from skdecay.plotting import WeightDistributionDisplay

# both networks get the same fixed budget of epochs; no "not converged" noise
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_moons(n_samples=400, noise=0.25, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

common = dict(
    hidden_layer_sizes=(128, 128),
    learning_rate_init=1e-2,
    batch_size=100,
    max_iter=60,
    n_iter_no_change=60,  # train for the full budget: both models get the same epochs
    random_state=0,
)
models = {
    "no penalty": make_pipeline(StandardScaler(), LassoMLPClassifier(alpha=0.0, **common)),
    "L1, alpha=1e-3": make_pipeline(StandardScaler(), LassoMLPClassifier(alpha=1e-3, **common)),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    mlp = model[-1]
    weights = np.concatenate([W.ravel() for W in mlp.coefs_])
    print(
        f"{name:>15}: train accuracy {model.score(X_train, y_train):.3f}, "
        f"test accuracy {model.score(X_test, y_test):.3f}, "
        f"exact zeros {np.mean(weights == 0):.1%} of {weights.size} weights"
    )

# %%
# Decision boundaries
# -------------------
# Both networks separate the moons.  The penalized one does it with about 2%
# of its weights; its boundary has fewer kinks, and on this split it
# generalizes a little better (compare the test accuracies in the titles).
xx, yy = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.5, 2, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (name, model) in zip(axes, models.items(), strict=True):
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.6)
    ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(
        X_train[:, 0], X_train[:, 1], c=y_train, cmap="RdBu", edgecolors="k", linewidths=0.4, s=18
    )
    ax.set_title(f"{name} (test acc. {model.score(X_test, y_test):.2f})")
fig.tight_layout()

# %%
# Weight distributions
# --------------------
# The hatched bar at 0 counts the weights that are exactly zero: none without
# a penalty, most of them with L1.  The few remaining weights are the ones
# the network actually uses (too few to see on this linear scale; the
# per-layer view below uses log-scaled counts).
disp = WeightDistributionDisplay.from_estimators(list(models.values()), names=list(models))
print("exact zeros per model:", dict(zip(models, disp.n_zeros_.tolist(), strict=True)))

# %%
# Per layer, the L1 model is sparsest in the large 128 x 128 hidden matrix.
WeightDistributionDisplay.from_estimator(models["L1, alpha=1e-3"], by_layer=True, log=True)
plt.show()
