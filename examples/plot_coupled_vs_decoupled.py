r"""
Adam with L2 (coupled) versus AdamW (decoupled weight decay)
============================================================

With plain SGD, adding ``alpha/2 * ||W||^2`` to the loss and multiplying the
weights by ``(1 - lr*alpha)`` at each step are the same thing.  With Adam
they are not:

* **coupled** (``decay="coupled"``, "Adam + L2"): the gradient ``alpha * W``
  of the penalty is added to the data gradient and then goes through Adam's
  per-coordinate scaling by ``1 / sqrt(v)``, so weights with large gradients
  are decayed *less*;
* **decoupled** (``decay="decoupled"``, AdamW): ``W <- W - lr * alpha * W``
  is applied outside Adam's scaling, the same relative shrinkage for every
  weight.

Loshchilov & Hutter (ICLR 2019) observed that with decoupled decay the best
``alpha`` depends much less on the learning rate.  We train the same small
network (:class:`~skdecay.RidgeMLPRegressor`, one hidden layer of 32 ReLU
units, 30 epochs of Adam) on a grid of learning rates and ``alpha`` values,
once per kind of decay, and compare the validation scores.  This is a small
problem with a short, fixed training budget chosen to keep the example fast;
read it as an illustration, not as a benchmark.
"""

# %%
# Data and the grid
# -----------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdecay import RidgeMLPRegressor

# every network gets exactly 30 epochs; no "not converged" noise
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_friedman1(n_samples=400, n_features=20, noise=1.0, random_state=0)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.5, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
y_mean, y_std = y_train.mean(), y_train.std()  # standardized target as well
y_train, y_val = (y_train - y_mean) / y_std, (y_val - y_mean) / y_std

learning_rates = np.array([1e-3, 3e-3, 1e-2, 3e-2])
alphas = np.geomspace(1e-3, 3.0, 7)
scores = {}
for decay in ("coupled", "decoupled"):
    scores[decay] = np.empty((learning_rates.size, alphas.size))
    for i, lr in enumerate(learning_rates):
        for j, alpha in enumerate(alphas):
            net = RidgeMLPRegressor(
                (32,),
                alpha=alpha,
                decay=decay,
                solver="adam",
                learning_rate_init=lr,
                batch_size=32,
                max_iter=30,
                n_iter_no_change=30,
                random_state=0,
            ).fit(X_train, y_train)
            scores[decay][i, j] = net.score(X_val, y_val)  # R^2 on held-out data
    best = alphas[scores[decay].argmax(axis=1)]
    pairs = ", ".join(f"lr={lr:g}: {a:.3g}" for lr, a in zip(learning_rates, best, strict=True))
    print(f"{decay:>9}, best alpha per learning rate: {pairs}")

# %%
# Validation R^2 over (learning rate, alpha)
# ------------------------------------------
# The white box in each row marks the best ``alpha`` for that learning rate.
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True, constrained_layout=True)
vmin = min(s.min() for s in scores.values())
vmax = max(s.max() for s in scores.values())
for ax, (decay, s) in zip(axes, scores.items(), strict=True):
    im = ax.imshow(s, cmap="viridis", vmin=max(vmin, 0.0), vmax=vmax, aspect="auto")
    for i in range(s.shape[0]):
        for j in range(s.shape[1]):
            light = s[i, j] > 0.5 * (vmin + vmax)
            ax.text(j, i, f"{s[i, j]:.2f}", ha="center", va="center", fontsize=8,
                    color="k" if light else "w")  # fmt: skip
        j = int(s[i].argmax())
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="w", lw=2.5))
    ax.set_xticks(range(alphas.size), [f"{a:.3g}" for a in alphas])
    ax.set_yticks(range(learning_rates.size), [f"{lr:g}" for lr in learning_rates])
    ax.set_xlabel("alpha")
    ax.set_title(f"Adam, {decay} decay")
axes[0].set_ylabel("learning rate")
fig.colorbar(im, ax=axes, label="validation R^2")

# %%
# What the figure shows
# ---------------------
# With coupled L2 the best ``alpha`` falls steadily as the learning rate
# grows (the optimum moves along a diagonal of the grid): the two
# hyper-parameters must be tuned together.  With decoupled decay the best
# ``alpha`` stays in the same region of the grid for every learning rate
# (one row picks the neighbouring value, a near tie), so ``alpha`` can be
# tuned once.  Two caveats of this small setting: with
# the smallest learning rates 30 epochs leave the network under-trained (low
# scores in the top rows whatever the penalty), and the validation set has
# only 200 samples, so neighbouring cells within about 0.02 are not
# meaningfully different.  Note also the scale: AdamW's decay per step is
# ``lr * alpha``, so useful ``alpha`` values are larger than for coupled L2.
plt.show()
