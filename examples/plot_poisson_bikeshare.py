r"""
Counts: a Poisson lasso on hourly bike rentals
==============================================

How many bikes are rented in a given hour?  The target is a **count**: never
negative, and its spread grows with its mean (a quiet night hour varies by a
few bikes, the evening rush by a hundred).  A least-squares model ignores
both; a Poisson model with the log link,

.. math::

    \frac{1}{n}\sum_i \big(\mu_i - y_i \log \mu_i + y_i\log y_i - y_i\big)
    + \alpha\Big(\rho\|w\|_1 + \frac{1-\rho}{2}\|w\|_2^2\Big),
    \qquad \mu_i = \exp(x_i^\top w + b),

predicts positive means and lets the effects multiply (rush hour *times*
good weather).  The first term is the mean Poisson half-deviance, the
objective of :class:`sklearn.linear_model.PoissonRegressor`; the L1 part
selects features.  Both models below are tuned by the same cross-validated
path (:class:`~skdecay.ElasticNetRegressorCV`, ``loss="poisson"`` against the
default squared error) on ISLP's ``Bikeshare`` data (Capital Bikeshare,
Washington DC, 2011: 8,645 hours).
"""

# %%
# Data: hour of the day, month, weather
# -------------------------------------
# ``hr``, ``mnth`` and ``weathersit`` are categories (one-hot encoded); the
# temperature, humidity and wind speed are standardized.  ``casual`` and
# ``registered`` add up to the target ``bikers`` and are left out.
import matplotlib.pyplot as plt
import numpy as np
from ISLP import load_data
from sklearn.compose import ColumnTransformer
from sklearn.metrics import d2_tweedie_score, mean_poisson_deviance, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdecay import ElasticNetRegressorCV
from skdecay.plotting import CVScoreDisplay, RegularizationPathDisplay

bike = load_data("Bikeshare")
categorical = ["hr", "mnth", "weathersit"]
numeric = ["temp", "hum", "windspeed", "workingday", "holiday"]
X, y = bike[categorical + numeric], bike["bikers"].to_numpy(dtype=float)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
print(f"{len(y_train)} training hours, {len(y_test)} test hours; mean count {y.mean():.0f}")


def encoder():
    return ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numbers", StandardScaler(), numeric),
        ],
        sparse_threshold=0.0,
        verbose_feature_names_out=False,
    )


# %%
# Two lassos, one path each
# -------------------------
# The same grid of 20 ``alpha`` values from ``alpha_max`` down, the same
# 3 folds; each CV estimator picks its ``alpha`` by its own held-out loss (the
# mean Poisson deviance, or the mean squared error) and refits on all
# training rows.
cv = dict(l1_ratio=1.0, alphas=20, eps=1e-4, cv=3)
poisson = make_pipeline(encoder(), ElasticNetRegressorCV(loss="poisson", **cv))
squared = make_pipeline(encoder(), ElasticNetRegressorCV(**cv))
poisson.fit(X_train, y_train)
squared.fit(X_train, y_train)

# %%
# Held-out scores
# ---------------
# The Poisson deviance needs positive predictions: the squared-error model
# predicts negative counts for some night hours, which are clipped to 0.5
# bike for its deviance (a kindness: the model itself has no such floor).
floor = 0.5
n_features = poisson[0].transform(X_test.iloc[:1]).shape[1]
for name, model in [("Poisson lasso", poisson), ("squared-error lasso", squared)]:
    pred = model.predict(X_test)
    mu = np.maximum(pred, floor)
    est = model[-1]
    print(
        f"{name:20s} alpha={est.alpha_:.3g}  features {np.count_nonzero(est.coef_)}/{n_features}"
        f"  negative predictions {np.sum(pred < 0):4d}"
        f"  mean Poisson deviance {mean_poisson_deviance(y_test, mu):6.2f}"
        f"  D² {d2_tweedie_score(y_test, mu, power=1):.3f}  R² {r2_score(y_test, pred):.3f}"
    )

# %%
# The log link wins on every measure here, R² included: the hour-of-day
# profile and the weather multiply the expected count, which an additive
# model can only approximate.  ``score`` of the Poisson model is the same D²
# (:func:`sklearn.metrics.d2_tweedie_score` with ``power=1``).
print(f"Poisson model's own score (D²): {poisson.score(X_test, y_test):.3f}")

# %%
# Predicted against observed
# --------------------------
# On log axes (counts + 1), the squared-error model's predictions fan out at
# low counts and hit the floor; the Poisson model follows the diagonal.
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), sharex=True, sharey=True)
for ax, (name, model) in zip(
    axes, [("Poisson lasso", poisson), ("squared-error lasso", squared)], strict=True
):
    mu = np.maximum(model.predict(X_test), floor)
    ax.scatter(y_test + 1, mu + 1, s=4, alpha=0.3)
    lims = [1, y.max() + 1]
    ax.plot(lims, lims, color="black", lw=1)
    ax.set(xscale="log", yscale="log", xlabel="observed count + 1", title=name)
axes[0].set_ylabel("predicted mean + 1")
fig.tight_layout()

# %%
# The Poisson path
# ----------------
# The coefficients are on the log scale of the mean: ``exp(w_j)`` is the
# factor by which one unit of feature ``j`` multiplies the expected count
# (``hr_4 = -3.2``: 4 a.m. divides it by about 25, compared with an hour whose
# indicator has a zero coefficient).  Temperature and humidity enter first,
# then the rush hours (8 a.m., 5 and 6 p.m.), then the night hours.  With
# 6,000 training hours almost every indicator earns its place, so the
# selected model keeps most of them: the L1 penalty's work here is the order
# of entry and the shrinkage.
path = RegularizationPathDisplay.from_estimator(poisson, X_train, y_train, n_labels=6)

# %%
# The cross-validation curve
# --------------------------
# The held-out mean Poisson deviance along the grid (higher is better: the
# estimator scores minus the deviance); the dashed line marks the chosen
# ``alpha``.  The curve is flat over the last decades of ``alpha``: a much
# sparser model from the start of the plateau would lose little.
curve = CVScoreDisplay.from_estimator(poisson)
plt.show()
