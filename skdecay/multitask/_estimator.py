"""MultiTaskElasticNetRegressor and the validation, prediction and tags it shares with
the CV estimator.
"""

from __future__ import annotations

from numbers import Integral, Number, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

from .._callbacks import CallbackSupportMixin, begin_fit, end_fit
from .._compat import DocLinkMixin, Interval, StrOptions, fit_context
from .._fit_state import atomic_fit
from .._validation import check_penalty_factor, check_scale, check_X
from ..penalties import MultiTaskElasticNetPenalty
from ..persistence import VersionedMixin
from ._solver import _FLOATS, _as_csc, _check_Y, _Data, _solve, _warn

_CONSTRAINTS = {
    "alpha": [Interval(Real, 0, None, closed="neither")],
    "l1_ratio": [Interval(Real, 0, 1, closed="both")],
    "fit_intercept": ["boolean"],
    "penalty_factor": ["array-like", None],
    "max_iter": [Interval(Integral, 0, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
    "selection": [StrOptions({"cyclic", "random"})],
    "random_state": ["random_state"],
}


class _MultiTask(VersionedMixin, DocLinkMixin, CallbackSupportMixin, BaseEstimator):
    """Validation, prediction and tags shared by the multi-task regressors."""

    def _validate(self, X, y):
        X, Y = validate_data(
            self,
            X,
            y,
            validate_separately=(
                {"accept_sparse": "csc", "dtype": _FLOATS, "order": "F"},
                {"ensure_2d": False, "dtype": _FLOATS},
            ),
        )
        if sp.issparse(X):
            X = _as_csc(X)
        check_scale(X)
        return X, _check_Y(Y, X, X.dtype, "ElasticNetRegressor")

    def _penalty(self, alpha, l1_ratio, p):
        pf = check_penalty_factor(self.penalty_factor, p)
        if np.any(pf == 0):
            raise ValueError(
                "penalty_factor must be positive for the multi-task models (an "
                "unpenalised feature has no finite duality-gap certificate here)."
            )
        return MultiTaskElasticNetPenalty(alpha, l1_ratio, pf)

    def predict(self, X):
        """Predicted targets, shape (n_samples, n_tasks), in the dtype of ``coef_``."""
        check_is_fitted(self)
        X = check_X(self, X)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskElasticNetRegressor(RegressorMixin, _MultiTask):
    r"""Multi-task linear regression with a block (L2,1) elastic-net penalty.

    Minimises

    .. math::

        \frac{1}{2n} \sum_i s_i \|y_i - B x_i - b\|_2^2
        + \alpha \sum_j f_j \Big(\rho \|B_{:j}\|_2 + \frac{1-\rho}{2} \|B_{:j}\|_2^2\Big)

    over the coefficients ``B`` (``coef_``, one row per task) and the
    unpenalised intercepts ``b``, with ``rho = l1_ratio``, sample weights ``s``
    rescaled to sum to ``n`` and penalty factors ``f``.  ``B_{:j}``, the
    coefficients of feature ``j`` over the tasks, is zeroed as a block: every
    task selects the same features.  With ``f = 1`` this is exactly the
    objective of :class:`sklearn.linear_model.MultiTaskElasticNet` (and, with
    ``l1_ratio=1``, :class:`~sklearn.linear_model.MultiTaskLasso`) with the same
    ``alpha`` and ``l1_ratio``; glmnet's ``family="mgaussian"`` with lambda =
    alpha.  Solved by block coordinate descent (block soft-thresholding), the
    whole loop compiled, stopped on the duality gap; sparse ``X`` is never
    centred.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (> 0).
    l1_ratio : float in [0, 1], default=0.5
        Mix of the L2,1 norm (``1``: multi-task lasso) and the squared
        Frobenius norm (``0``: ridge on every task).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept per task.
    penalty_factor : array-like of shape (n_features,), default=None
        Positive per-feature multipliers of the penalty (glmnet's
        ``penalty.factor``, used as given).
    max_iter : int, default=1000
        Maximum number of passes over the features (0 returns the starting point).
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol`` times the gap of the
        all-zero coefficients (intercepts at their optimum) and, as in
        scikit-learn, the last pass moved no block by more than ``tol`` times
        the largest (never below what the dtype resolves).
    warm_start : bool, default=False
        Start from the previous solution.
    selection : {"cyclic", "random"}, default="cyclic"
        Order of the features in each pass.
    random_state : int, RandomState instance or None, default=None
        Seed of the order when ``selection="random"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients, one row per task (same dtype as ``X``: float32 stays float32).
    intercept_ : ndarray of shape (n_tasks,)
    n_iter_ : int
        Passes over the features.
    dual_gap_ : float
        Duality gap at the solution: the objective is within ``dual_gap_`` of
        its minimum.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` has string column names.

    See Also
    --------
    MultiTaskElasticNetRegressorCV : ``alpha`` chosen by cross-validation.
    ElasticNetRegressor : one target.

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay import MultiTaskElasticNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6))
    >>> Y = X[:, :2] @ [[1.0, 2.0, -1.0], [0.5, 0.0, 1.0]]
    >>> model = MultiTaskElasticNetRegressor(alpha=0.1).fit(X, Y)
    >>> model.coef_.shape, np.flatnonzero(np.abs(model.coef_).sum(axis=0)).tolist()
    ((3, 6), [0, 1])
    """

    __module__ = "skdecay.multitask"  # the persisted (skops) type name

    _parameter_constraints = dict(_CONSTRAINTS)

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        fit_intercept=True,
        penalty_factor=None,
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        selection="cyclic",
        random_state=None,
    ):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state

    @atomic_fit
    @fit_context
    def fit(self, X, y, sample_weight=None):
        """Fit the model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Dense or sparse (used as CSC); never modified; float32 stays float32.
        y : array-like of shape (n_samples, n_tasks)
            Targets (2-D: for one target use :class:`~skdecay.ElasticNetRegressor`).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Rescaled to sum to ``n_samples``: integer weights equal repeated rows.

        Returns
        -------
        self : object
        """
        X, Y = self._validate(X, y)
        if isinstance(sample_weight, Number):
            sample_weight = None
        ctx = begin_fit(self, X=X, y=Y, sw=sample_weight)
        data = _Data(X, Y, sample_weight, self.fit_intercept)
        penalty = self._penalty(self.alpha, self.l1_ratio, X.shape[1])
        W = None
        coef = getattr(self, "coef_", None)
        if self.warm_start and coef is not None and np.shape(coef) == (Y.shape[1], X.shape[1]):
            W = np.asarray(coef).T
        res = _solve(
            data,
            penalty,
            W,
            max_iter=self.max_iter,
            tol=self.tol,
            selection=self.selection,
            rng=check_random_state(self.random_state),
        )
        if not res.converged:
            _warn(res, self.tol, stacklevel=4)
        self.coef_, self.intercept_ = res.coef, res.intercept
        self.n_iter_, self.dual_gap_ = res.n_iter, res.dual_gap
        end_fit(ctx, self, X=X, y=Y, sw=sample_weight)
        return self
