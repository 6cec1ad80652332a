"""ElasticNetClassifier: binary and multinomial logistic regression."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from .. import losses
from .._callbacks import begin_fit, end_fit
from .._compat import StrOptions, fit_context
from .._fit_state import atomic_fit
from .._validation import (
    check_penalty_factor,
    check_sample_weight,
    check_weighted_classes,
    check_X_y,
    class_weight_vector,
)
from ._base import (
    _BOUNDS,
    _COMMON_CONSTRAINTS,
    _L1_RATIO,
    _NONCONVEX,
    _RELAX,
    GROUP_CONSTRAINTS,
    LinearModelBase,
    _GroupMixin,
)


def _centre_unpenalised(W, alpha, penalty_factor):
    """Multinomial coefficients with unpenalised columns centred over the classes.

    Softmax is invariant to adding the same vector to every class's row, so an
    unpenalised column is determined only up to a shift; scikit-learn reports
    the centred one (the minimum-norm choice).  Penalised columns are left
    alone (with L2 they are centred at the optimum already).
    """
    if alpha == 0:
        free = np.ones(W.shape[1], dtype=bool)
    elif penalty_factor is None:
        return W
    else:
        free = check_penalty_factor(penalty_factor, W.shape[1]) == 0
    if not free.any():
        return W
    W = W.copy()
    W[:, free] -= W[:, free].mean(axis=0, dtype=np.float64).astype(W.dtype)
    return W


class ElasticNetClassifier(ClassifierMixin, _GroupMixin, LinearModelBase):
    r"""Logistic regression with an elastic-net penalty (binary and multinomial).

    Minimises

    .. math::

        \frac{1}{n} \sum_i s_i\, \ell(y_i, x_i^\top W + b)
        + \alpha \sum_{k, j} f_j \Big(\rho |W_{kj}| + \frac{1-\rho}{2} W_{kj}^2\Big)

    with ``ell`` the binary log-loss (two classes, one coefficient row) or the
    multinomial (softmax) log-loss (one row per class; never one-vs-rest),
    sample weights ``s`` rescaled to sum to ``n`` and intercepts unpenalised.
    This is :class:`sklearn.linear_model.LogisticRegression` with
    ``C = 1 / (n * alpha)`` and the same ``l1_ratio``, and
    ``SGDClassifier(loss="log_loss", penalty="elasticnet")`` with the same
    ``alpha``.  Solved by proximal Newton with coordinate-descent inner solves,
    stopped on the duality gap.

    Parameters
    ----------
    alpha : float, default=1e-4
    l1_ratio : float in [0, 1], default=0.5
    groups, group_weights : default=None
        The sparse-group lasso, as in :class:`ElasticNetRegressor` (then
        ``l1_ratio`` mixes L1 and the group norm).  With more than two classes
        a group is the block of its features' coefficients across *all*
        classes, ``||W[:, g]||_F`` (glmnet's ``type.multinomial="grouped"``):
        a feature group is kept or dropped for every class at once; its weight
        is still ``sqrt(|g|)`` by default.  Solved by proximal Newton (block CD
        inside for two classes, accelerated proximal gradient on the exact
        multinomial model otherwise), stopped on the duality gap (relative to
        that of the all-zero coefficients), which ``dual_gap_`` reports.
    fit_intercept, penalty_factor, positive, warm_start, selection, random_state
        As in :class:`ElasticNetRegressor`.
    relax, relax_gamma
        Relaxed fit, as in :class:`ElasticNetRegressor`.  The unpenalised
        logistic refit has no optimum when the classes are separable on the
        active set (it then ends with a ``ConvergenceWarning``).
    penalty : {"elastic_net", "mcp", "scad"}, default="elastic_net"
        As in :class:`ElasticNetRegressor`: ``W_kj``'s ``rho |W_kj|`` becomes
        MCP's or SCAD's ``rho(|W_kj|)`` at level ``alpha l1_ratio f_j``, and the
        fit stops on stationarity (``stopping_criterion_ == "kkt"``).  The
        logistic curvature is at most ``1/4`` per sample, below ``1/gamma`` for
        standardised columns and the default ``gamma``: coordinate steps then
        compare candidates (exact); a larger ``gamma`` (> 4) keeps the closed-form
        thresholds.
    gamma : float > 1, default=None
        MCP's (default 3) or SCAD's (default 3.7, ``> 2``) concavity.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        As in :class:`ElasticNetRegressor`; the same box for every class's row.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying ``sample_weight`` (scikit-learn's
        semantics): a dict ``{label: weight}`` (missing labels weigh 1), or
        ``"balanced"``: ``n_samples / (n_classes * np.bincount(y))`` with the
        counts weighted by ``sample_weight``.  The products are then rescaled
        to sum to ``n`` like any sample weights, so the matching
        ``LogisticRegression`` has ``C = 1 / (alpha * sum of the weights)``.
    max_iter : int, default=100
        Maximum number of Newton iterations (each visits every class); 0
        returns the starting point.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol`` times the gap of the
        all-zero coefficients (intercepts at their optimum).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        For the multinomial, the coefficients of unpenalised features (all of
        them when ``alpha=0``) are centred over the classes, as scikit-learn's.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        For the multinomial, centred to sum to zero (softmax is shift invariant).
    n_iter_ : int
    dual_gap_ : float
        The duality gap, or with ``stopping_criterion_ == "kkt"`` the largest
        stationarity (KKT) violation.
    stopping_criterion_ : {"duality_gap", "kkt"}
        ``"kkt"`` for ``penalty="mcp" | "scad"``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import ElasticNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), ElasticNetClassifier(alpha=1e-3)).fit(X, y)
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    """

    __module__ = "skdecay.linear_model"  # the persisted (skops) type name

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        **_L1_RATIO,
        **_RELAX,
        **_BOUNDS,
        **GROUP_CONSTRAINTS,
        **_NONCONVEX,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        alpha=1e-4,
        *,
        l1_ratio=0.5,
        groups=None,
        group_weights=None,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        class_weight=None,
        max_iter=100,
        tol=1e-4,
        warm_start=False,
        selection="cyclic",
        random_state=None,
        relax=False,
        relax_gamma=0.0,
        penalty="elastic_net",
        gamma=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.groups = groups
        self.group_weights = group_weights
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state
        self.relax = relax
        self.relax_gamma = relax_gamma
        self.penalty = penalty
        self.gamma = gamma

    @atomic_fit
    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Fit the model; ``X`` dense or sparse (CSC is used as is)."""
        X, y = check_X_y(self, X, y)
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        n_classes = self.classes_.size
        if n_classes < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but "
                f"the data contain only one class: {self.classes_[0]!r}."
            )
        check_weighted_classes(y, sample_weight)
        ctx = begin_fit(self, X=X, y=y, sw=sample_weight)  # one task (a single solve)
        cw = class_weight_vector(self.class_weight, self.classes_, y, sample_weight)
        weights = sample_weight
        if cw is not None:
            weights = check_sample_weight(sample_weight, len(y), np.float64) * cw
            check_weighted_classes(y, weights)
        if n_classes == 2:
            Y, loss = codes[:, None].astype(X.dtype), losses.LOGISTIC
        else:
            Y, loss = np.eye(n_classes, dtype=X.dtype)[codes], losses.MULTINOMIAL
        res = self._fit_problem(X, Y, weights, loss)
        self.coef_ = res.coef
        boxed = self.positive or self.lower_bounds is not None or self.upper_bounds is not None
        if loss == losses.MULTINOMIAL and not boxed:  # a shift could leave the box
            self.coef_ = _centre_unpenalised(res.coef, self.alpha, self.penalty_factor)
        self.intercept_ = res.intercept
        self.stopping_criterion_ = self._stopping_criterion(True)
        end_fit(ctx, self, X=X, y=y, sw=sample_weight)
        return self

    def decision_function(self, X):
        """Linear scores: shape (n_samples,) for two classes, else (n_samples, n_classes)."""
        scores = self._decision(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        scores = self.decision_function(X)
        idx = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[idx]

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        scores = self._decision(X)
        if scores.shape[1] == 1:
            p = losses.predict_mean(losses.LOGISTIC, scores)
            return np.hstack([1 - p, p])
        return losses.predict_mean(losses.MULTINOMIAL, scores)

    def predict_log_proba(self, X):
        scores = self._decision(X)
        if scores.shape[1] == 1:
            return losses.log_predict_mean(losses.LOGISTIC, scores)
        return losses.log_predict_mean(losses.MULTINOMIAL, scores)
