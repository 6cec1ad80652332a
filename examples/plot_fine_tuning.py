r"""
Fine-tuning a trained network with an L1 penalty
================================================

A network trained without a penalty uses every weight.  Continuing its
training (``warm_start=True``) with an L1 penalty,

.. math::

    \frac{1}{n}\sum_i \mathrm{logloss}(y_i, f(x_i)) + \alpha \sum_l \|W_l\|_1 ,

prunes it: skdecay's proximal steps set weights *exactly* to zero, and an
input feature whose outgoing first-layer weights are all zero is no longer
used at all (``inactive_features_``).  We pre-train an
:class:`~skdecay.ElasticNetMLPClassifier` on the breast-cancer data (30
features), fine-tune copies of it with several ``alpha`` values, and look at
the sparsity reached against the test accuracy.
"""

# %%
# Pre-training without a penalty
# ------------------------------
import copy
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdecay import ElasticNetMLPClassifier
from skdecay.plotting import TrainingHistoryDisplay, WeightDistributionDisplay

# fixed epoch budgets on purpose; no "not converged" noise
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

pre_epochs, tune_epochs = 30, 40
base = ElasticNetMLPClassifier(
    (64, 32),
    alpha=0.0,
    l1_ratio=1.0,
    learning_rate_init=1e-3,
    max_iter=pre_epochs,
    n_iter_no_change=pre_epochs,
    random_state=0,
).fit(X_train, y_train)
print(f"pre-trained: test accuracy {base.score(X_test, y_test):.3f}, exact zeros 0 weights")

# %%
# Fine-tuning with L1, warm-started from the pre-trained weights
# ---------------------------------------------------------------
# ``set_params(warm_start=True, alpha=...)`` keeps the weights (and Adam's
# state) and continues training with the penalty for ``tune_epochs`` epochs.
results = []
tuned = {}
for alpha in [1e-3, 3e-3, 1e-2, 3e-2]:
    net = copy.deepcopy(base).set_params(
        warm_start=True,
        alpha=alpha,
        max_iter=tune_epochs,
        # the stopping rule compares with the best loss so far, which the
        # unpenalized pre-training set lower than any penalized loss can go
        n_iter_no_change=tune_epochs,
    )
    net.fit(X_train, y_train)
    weights = np.concatenate([W.ravel() for W in net.coefs_])
    results.append((alpha, np.mean(weights == 0), net.score(X_test, y_test)))
    tuned[alpha] = net
    print(
        f"alpha={alpha:<6}: test accuracy {results[-1][2]:.3f}, "
        f"exact zeros {results[-1][1]:.1%}, "
        f"inputs used {X.shape[1] - net.inactive_features_.size} of {X.shape[1]}"
    )

# %%
# Training history of one fine-tuning run
# ---------------------------------------
# ``history_`` covers the pre-training and the fine-tuning (warm start
# continues it); the dotted line marks where the penalty was switched on.
# The objective jumps there (it now includes ``alpha * ||W||_1``) and then
# decreases; the weight norms fall and the share of exact zeros climbs
# steadily over the fine-tuning epochs (more epochs would prune further).
TrainingHistoryDisplay.from_estimator(
    tuned[1e-2], name="fine-tuning with L1, alpha=1e-2", mark_epoch=pre_epochs
)

# %%
# Sparsity reached against accuracy
# ---------------------------------
# Larger ``alpha`` prunes more; up to a point the test accuracy barely moves.
alphas_, zeros, accs = map(np.array, zip(*results, strict=True))
fig, ax = plt.subplots(figsize=(5.5, 4))
ax.plot(zeros, accs, "o-")
for a, z, acc in results:
    ax.annotate(f"alpha={a:g}", (z, acc), textcoords="offset points", xytext=(5, 5))
ax.axhline(base.score(X_test, y_test), color="0.5", ls="--", label="pre-trained, no penalty")
ax.set_xlabel("share of weights exactly zero")
ax.set_ylabel("test accuracy")
ax.legend()
fig.tight_layout()

# %%
# The weights before and after fine-tuning with ``alpha=1e-2``.
WeightDistributionDisplay.from_estimators(
    [base, tuned[1e-2]], names=["pre-trained", "fine-tuned, L1 alpha=1e-2"], log=True
)
plt.show()
