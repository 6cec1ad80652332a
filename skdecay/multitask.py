r"""Multi-task elastic net: one sparsity pattern shared by several regression targets.

Minimises, over the coefficients ``B`` (``coef_``, shape ``(n_tasks, n_features)``)
and the intercepts ``b``,

.. math::

    \frac{1}{2n} \sum_i s_i \|y_i - B x_i - b\|_2^2
    + \alpha \sum_j f_j \Big(\rho \|B_{:j}\|_2 + \frac{1-\rho}{2} \|B_{:j}\|_2^2\Big)

(``rho = l1_ratio``, ``s`` the sample weights rescaled to sum to ``n``, ``f`` the
penalty factors): the L2,1 norm zeroes whole columns, so a feature is selected
for every task or for none.  :class:`sklearn.linear_model.MultiTaskElasticNet`
with the same ``alpha`` and ``l1_ratio``; glmnet's ``family="mgaussian"`` with
lambda = alpha.

Data flow: the estimators validate once and build a :class:`_Data` (weights,
column moments); :func:`_solve` asks the :class:`~skdecay.penalties.MultiTaskElasticNetPenalty`
for its kernel weights and ``alpha_max`` and runs the whole block
coordinate-descent loop in one compiled call (:mod:`skdecay._kernels.multitask`),
stopped on the duality gap relative to the gap of the all-zero coefficients.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Number, Real
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._callbacks import CallbackSupportMixin, begin_fit, end_fit
from ._compat import DocLinkMixin, Interval, StrOptions, fit_context, routing_enabled
from ._fit_state import atomic_fit
from ._kernels import multitask as K
from ._kernels.cd import column_moments_dense, column_moments_sparse
from ._validation import check_penalty_factor, check_sample_weight, check_scale, check_X
from .path import RegularizationPath
from .penalties import MultiTaskElasticNetPenalty
from .persistence import VersionedMixin

__all__ = [
    "MultiTaskElasticNetRegressor",
    "MultiTaskElasticNetRegressorCV",
    "multitask_enet_path",
]

_FLOATS = [np.float64, np.float32]
_RESOLUTION = np.finfo(np.float64).resolution


# ---------------------------------------------------------------------------
# the problem and its solver


def _design(X) -> tuple:
    """The design as the kernels of :mod:`skdecay._kernels.multitask` take it:
    ``(X, None, None, None)`` for dense ``X``, ``(None, data, indices, indptr)`` (int64
    indices) for CSC ``X``."""
    if sp.issparse(X):
        return None, X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64)
    return X, None, None, None


class _Data:
    """One validated problem: ``X`` dense Fortran or CSC, ``Y`` (n, k) C-ordered in
    the dtype of ``X``, ``h = s / n`` and the column moments, computed once and
    shared by every ``alpha`` of a path."""

    def __init__(self, X, Y, sample_weight, fit_intercept: bool):
        n = X.shape[0]
        dtype = X.dtype.type
        sw = check_sample_weight(sample_weight, n, np.float64)
        self.X, self.sparse, self.fit_intercept = X, sp.issparse(X), bool(fit_intercept)
        self.Y = np.ascontiguousarray(Y, dtype=dtype)
        self.h = (sw / np.sum(sw)).astype(dtype)  # s / n with s rescaled to sum n
        self.design = _design(X)  # the kernels' (X, data, indices, indptr)
        self.hx = None
        if self.sparse:
            self.parts = self.design[1:]
            self.xbar, self.col_sq = column_moments_sparse(
                *self.parts, self.h, X.shape[1], self.fit_intercept
            )
            self.hx = np.asarray(X.T @ self.h, dtype=dtype)
        else:
            self.xbar, self.col_sq = column_moments_dense(X, self.h, self.fit_intercept)
        self._zero = None
        self._X64 = None  # float32 X in float64, for certificates (on first need)

    @property
    def shape(self):
        return self.X.shape[1], self.Y.shape[1]

    def intercept_for(self, W):
        """The optimal intercepts for ``W`` (p, k) and the residual ``Y - X W - b``
        (Fortran order for dense ``X``, C order for sparse: the kernels' layouts)."""
        R = self.Y - np.asarray(self.X @ W, dtype=self.Y.dtype)
        b = np.zeros(self.Y.shape[1], dtype=self.Y.dtype)
        if self.fit_intercept:
            b = (self.h @ R.astype(np.float64)).astype(self.Y.dtype)
            R -= b
        return b, (np.ascontiguousarray(R) if self.sparse else np.asfortranarray(R))

    def gap(self, W, R, penalty, exact=True) -> float:
        """Duality gap at ``W`` with residual ``R`` (recomputed in float64 for float32)."""
        _, l1, l2 = penalty.kernel_arguments(np.float64)
        h = self.h.astype(np.float64)
        if exact and self.Y.dtype != np.float64:  # the certificate of a float32 iterate
            if self._X64 is None:
                self._X64 = self.X.astype(np.float64)
            X64 = self._X64
            W64 = W.astype(np.float64)
            R = self.Y.astype(np.float64) - np.asarray(X64 @ W64)
            R -= 0.0 if not self.fit_intercept else h @ R
            R = np.ascontiguousarray(R) if self.sparse else np.asfortranarray(R)
            return self._gap(X64, R, W64, h, l1, l2)
        return self._gap(self.X, R, W, self.h, l1, l2)

    def _gap(self, X, R, W, h, l1, l2) -> float:
        hx = np.asarray(X.T @ h, dtype=X.dtype) if sp.issparse(X) else None
        out = K.duality_gap(*_design(X), R, W, h, hx, self.fit_intercept, l1, l2)
        return float(out[0])

    def zero(self):
        """``(b, R, V, primal, rho, shift)`` at zero coefficients: the optimal
        intercept, the residual, the correlations ``V = X.T (h (R - rbar))`` (p, k,
        float64), the objective ``1/2 sum h ||R||**2`` and its two parts (see
        :func:`skdecay._kernels.multitask.residual_moments`)."""
        if self._zero is None:
            p, k = self.shape
            b, R = self.intercept_for(np.zeros((p, k), dtype=self.Y.dtype))
            h = self.h.astype(np.float64)
            R64 = R.astype(np.float64)
            rbar = np.zeros(k)
            rho, shift = K.residual_moments(R64, h, self.fit_intercept, rbar)
            V = np.zeros((p, k))
            design, hx = self.design, None
            if self.sparse:
                hx = self.hx.astype(np.float64)
                design = (None, self.parts[0].astype(np.float64), *self.parts[1:])
            K.correlation(*design, R64, h, hx, rbar, V)
            self._zero = (b, R, V, 0.5 * (rho + shift), rho, shift)
        return self._zero

    def alpha_max(self, l1_ratio: float, penalty_factor) -> float:
        """Smallest ``alpha`` at which the zero coefficients are optimal."""
        V = self.zero()[2]
        return MultiTaskElasticNetPenalty(1.0, l1_ratio, penalty_factor).alpha_max(V.T)


class _Result(NamedTuple):
    coef: np.ndarray  # (k, p)
    intercept: np.ndarray  # (k,)
    dual_gap: float
    gap_zero: float
    n_iter: int
    converged: bool


def _targets(penalty, data: _Data, tol: float) -> tuple[float, float, float]:
    """``(gap0, target, floor)``: stop at ``tol`` times the gap at zero, never below
    what rounding resolves (``2 eps |P(0)|``; ``100 eps**2 |P(0)|`` for ridge), or once
    the gap sits below ``floor = 10 eps |P(0)|`` and stops shrinking."""
    _, _, V, primal0, rho, shift = data.zero()
    _, l1, l2 = penalty.kernel_arguments(np.float64)
    gap0 = float(K.dual_gap(np.zeros(data.shape), V, rho, shift, l1, l2)[0])
    eps = float(np.finfo(data.Y.dtype).eps)
    ridge = penalty.l1_ratio <= 0
    rounding = (100 * eps * eps if ridge else 2 * eps) * abs(primal0)
    return gap0, max(tol * gap0, rounding), 10 * eps * abs(primal0)


def _solve(
    data: _Data,
    penalty,
    W=None,
    *,
    max_iter: int,
    tol: float,
    selection: str,
    rng,
    settle: bool = True,
) -> _Result:
    """Block CD from ``W`` (p, k; zero if ``None``) to ``tol`` times the gap at zero.

    ``settle`` (single fits, as scikit-learn): the last pass must also move no
    block by more than ``tol`` times the largest; paths rely on the gap alone.
    From ``alpha_max`` on the exact all-zero solution is returned (no
    iteration); ``max_iter=0`` returns the starting point."""
    p, k = data.shape
    dtype = data.Y.dtype
    gap0, target, floor = _targets(penalty, data, tol)
    amax = penalty.alpha_max(data.zero()[2].T)
    if W is None or penalty.alpha >= amax:
        W = np.zeros((p, k), dtype=dtype)
    W = np.array(W, dtype=dtype, order="C")  # a copy the kernel may write
    b, R = data.intercept_for(W) if np.any(W) else data.zero()[:2]
    b, R = b.copy(), R.copy(order="K")  # the kernel writes them (keeps the layout)
    n_iter, converged = 0, False
    if penalty.alpha >= amax or max_iter == 0 or np.any(W):  # maybe optimal already
        gap = data.gap(W, R, penalty)
        converged = gap <= target
    if not converged and max_iter > 0:
        _, l1, l2 = penalty.kernel_arguments(np.float64)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        args = (data.fit_intercept, int(max_iter), float(tol), target, floor, bool(settle))
        args += (selection == "random", seed)
        delta = np.zeros(k, dtype=dtype) if data.sparse else b  # (dense: b itself)
        hx, xb, cs = data.hx, data.xbar, data.col_sq
        n_iter, gap, converged = K.solve(
            *data.design, R, delta, W, data.h, hx, xb, cs, l1, l2, *args
        )
        if not np.all(np.isfinite(W)):
            raise FloatingPointError(
                "skdecay: the multi-task solver diverged (non-finite coefficients); "
                "standardize X or increase alpha."
            )
        if data.sparse:
            b = b + delta
        if dtype != np.float64:
            # float32: the certificate of the returned point, from a residual
            # recomputed in float64 (the running one carries float32 rounding)
            b, R = data.intercept_for(W)
            gap = data.gap(W, R, penalty)
            converged = bool(converged) or (not settle and gap <= target)
    return _Result(W.T.copy(), b, float(gap), float(gap0), int(n_iter), bool(converged))


def _warn(res: _Result, tol: float, stacklevel: int) -> None:
    warnings.warn(
        f"skdecay: not converged after {res.n_iter} iterations: duality gap "
        f"{res.dual_gap:.3e} > tol * gap at zero = {tol * res.gap_zero:.3e}. "
        "Increase max_iter, loosen tol, standardize X or increase alpha.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


def _check_Y(Y, X, dtype, what: str):
    """``Y`` as a 2-D float array of ``dtype``; 1-D targets are refused (as scikit-learn)."""
    Y = check_array(Y, ensure_2d=False, dtype=_FLOATS, input_name="y")
    if Y.ndim == 1:
        raise ValueError(
            f"For mono-task outputs, use {what}: y has shape {Y.shape}; the "
            "multi-task models need y of shape (n_samples, n_tasks)."
        )
    if Y.ndim != 2:
        raise ValueError(f"y must be 2-D (n_samples, n_tasks), got shape {Y.shape}.")
    check_consistent_length(X, Y)
    check_scale(None, Y)
    return Y.astype(dtype, copy=False)


def _as_csc(X):
    X = sp.csc_matrix(X)
    return X if X.has_sorted_indices else X.sorted_indices()


# ---------------------------------------------------------------------------
# the estimators


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


# ---------------------------------------------------------------------------
# paths and cross-validation


def _grid(data: _Data, l1_ratio, pf, n_alphas: int, eps: float) -> np.ndarray:
    if l1_ratio <= 0:
        raise ValueError(
            "An automatic alpha grid needs l1_ratio > 0 (ridge has no alpha_max); "
            "pass an explicit grid with alphas=[...]."
        )
    amax = data.alpha_max(l1_ratio, pf)
    if not amax > _RESOLUTION:  # nothing to select (constant Y): scikit-learn's choice
        return np.full(n_alphas, _RESOLUTION)
    return np.geomspace(amax, amax * eps, num=n_alphas)


def _check_alphas(alphas) -> np.ndarray:
    a = np.asarray(alphas, dtype=np.float64)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError(
            f"alphas must be a non-empty 1-D array of positive floats, got {alphas!r}."
        )
    return np.sort(a)[::-1].copy()


def _path(data: _Data, l1_ratio, pf, alphas, *, tol, max_iter, selection, rng):
    """Warm-started fits along ``alphas`` (decreasing); returns the path and the
    alphas whose fit did not converge."""
    p, k = data.shape
    m = alphas.size
    coefs = np.zeros((m, k, p), dtype=data.Y.dtype)
    intercepts = np.zeros((m, k), dtype=data.Y.dtype)
    gaps, n_iter, failed = np.zeros(m), np.zeros(m, dtype=np.int64), []
    penalty = MultiTaskElasticNetPenalty(1.0, l1_ratio, pf)
    W = None
    for i, alpha in enumerate(alphas):
        res = _solve(
            data,
            penalty.at(alpha),
            W,
            max_iter=max_iter,
            tol=tol,
            selection=selection,
            rng=rng,
            settle=False,
        )
        W = res.coef.T
        coefs[i], intercepts[i], gaps[i], n_iter[i] = (
            res.coef,
            res.intercept,
            res.dual_gap,
            res.n_iter,
        )
        if not res.converged:
            failed.append(float(alpha))
    return RegularizationPath(alphas, coefs, intercepts, gaps, n_iter), failed


def _warn_path(failed, total, what, stacklevel):
    if failed:
        shown = ", ".join(f"{a:.4g}" for a in failed[:10])
        warnings.warn(
            f"skdecay: {what}: {len(failed)} of {total} fits did not reach the tolerance, "
            f"at alpha = {shown}. Increase max_iter, loosen tol or standardize X.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


def multitask_enet_path(
    X,
    Y,
    *,
    l1_ratio: float = 0.5,
    alphas=None,
    n_alphas: int = 100,
    eps: float = 1e-3,
    fit_intercept: bool = True,
    sample_weight=None,
    penalty_factor=None,
    tol: float = 1e-4,
    max_iter: int = 1000,
    selection: str = "cyclic",
    random_state=None,
) -> RegularizationPath:
    r"""Multi-task elastic-net path by warm-started block coordinate descent.

    For each ``alpha`` (decreasing) minimises the objective of
    :class:`~skdecay.MultiTaskElasticNetRegressor`, starting from the solution
    at the previous ``alpha``; from ``alpha_max`` on (``max_j ||X_j^T (s (Y -
    Ybar))|| / (n l1_ratio f_j)``) the exact all-zero solution is returned.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    Y : array-like of shape (n_samples, n_tasks)
    l1_ratio : float in (0, 1], default=0.5
        (0 needs an explicit ``alphas``.)
    alphas : array-like of shape (n_alphas,), default=None
        The grid (sorted decreasing); ``None``: ``n_alphas`` values from
        ``alpha_max`` down to ``eps * alpha_max`` (geometric).
    n_alphas : int, default=100
    eps : float, default=1e-3
    fit_intercept : bool, default=True
    sample_weight : array-like of shape (n_samples,), default=None
    penalty_factor : array-like of shape (n_features,), default=None
    tol : float, default=1e-4
        Per ``alpha``, relative to the duality gap of the all-zero coefficients.
    max_iter : int, default=1000
    selection : {"cyclic", "random"}, default="cyclic"
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    path : ~skdecay.path.RegularizationPath
        ``alphas (n_alphas,)``, ``coefs (n_alphas, n_tasks, n_features)``,
        ``intercepts (n_alphas, n_tasks)``, ``dual_gaps``, ``n_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay import multitask_enet_path
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 5))
    >>> Y = X[:, :2] @ rng.standard_normal((2, 3))
    >>> path = multitask_enet_path(X, Y, n_alphas=10)
    >>> path.coefs.shape, bool(np.all(path.coefs[0] == 0))
    ((10, 3, 5), True)
    """
    if not (isinstance(l1_ratio, Real) and 0 <= l1_ratio <= 1):
        raise ValueError(f"l1_ratio must be a float in [0, 1], got {l1_ratio!r}.")
    if not (isinstance(tol, Real) and tol >= 0):
        raise ValueError(f"tol must be a non-negative float, got {tol!r}.")
    if isinstance(max_iter, bool) or not isinstance(max_iter, Integral) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}.")
    if selection not in ("cyclic", "random"):
        raise ValueError(f"selection must be 'cyclic' or 'random', got {selection!r}.")
    X = check_array(X, accept_sparse="csc", dtype=_FLOATS, order="F")
    X = _as_csc(X) if sp.issparse(X) else X
    check_scale(X)
    Y = _check_Y(Y, X, X.dtype, "enet_path")
    pf = check_penalty_factor(penalty_factor, X.shape[1])
    MultiTaskElasticNetPenalty(1.0, l1_ratio, pf)  # validates the factors
    data = _Data(X, Y, sample_weight, fit_intercept)
    if alphas is None:
        if isinstance(n_alphas, bool) or not isinstance(n_alphas, Integral) or n_alphas < 1:
            raise ValueError(f"n_alphas must be a positive integer, got {n_alphas!r}.")
        if not (isinstance(eps, Real) and 0 < eps < np.inf):
            raise ValueError(f"eps must be a positive float, got {eps!r}.")
        alphas = _grid(data, l1_ratio, pf, n_alphas, eps)
    else:
        alphas = _check_alphas(alphas)
    path, failed = _path(
        data,
        float(l1_ratio),
        pf,
        alphas,
        tol=tol,
        max_iter=max_iter,
        selection=selection,
        rng=check_random_state(random_state),
    )
    _warn_path(failed, alphas.size, "multitask_enet_path", 3)
    return path


def _fold(X, Y, sw, train, test, l1_ratio, pf, alphas, settings, seed):
    """Path on ``train``, held-out mean squared errors (over rows, then tasks) per alpha."""
    X_train, X_test = X[train], X[test]
    if sp.issparse(X):
        X_train, X_test = _as_csc(X_train), _as_csc(X_test)
    else:
        X_train = np.asfortranarray(X_train)
    sw_train = None if sw is None else sw[train]
    sw_test = None if sw is None else sw[test]
    data = _Data(X_train, Y[train], sw_train, settings["fit_intercept"])
    path, failed = _path(
        data,
        l1_ratio,
        pf,
        alphas,
        tol=settings["tol"],
        max_iter=settings["max_iter"],
        selection=settings["selection"],
        rng=np.random.RandomState(seed),
    )
    Y_test = Y[test].astype(np.float64)
    err = np.empty(alphas.size)
    for i in range(alphas.size):
        pred = np.asarray(X_test @ path.coefs[i].T.astype(np.float64)) + path.intercepts[i]
        err[i] = np.average((pred - Y_test) ** 2, axis=0, weights=sw_test).mean()
    return err, failed


class MultiTaskElasticNetRegressorCV(RegressorMixin, _MultiTask):
    r"""Multi-task elastic net with ``alpha`` (and ``l1_ratio``) chosen by cross-validation.

    Fits the objective of :class:`~skdecay.MultiTaskElasticNetRegressor`

    .. math::

        \frac{1}{2n} \sum_i s_i \|y_i - B x_i - b\|_2^2
        + \alpha \sum_j f_j \Big(\rho \|B_{:j}\|_2 + \frac{1-\rho}{2} \|B_{:j}\|_2^2\Big)

    and is a drop-in for :class:`sklearn.linear_model.MultiTaskElasticNetCV`:
    for each ``l1_ratio`` the grid runs from ``alpha_max`` (computed on all the
    data) down to ``eps * alpha_max``; every fold runs a warm-started path on
    its training rows and scores each ``alpha`` by the mean squared error on its
    held-out rows (averaged over rows, weighted by ``sample_weight``, then over
    tasks).  For each ``l1_ratio`` the first (largest) ``alpha`` with the
    lowest mean error over folds is kept, then the first ``l1_ratio`` with a
    strictly lower error; the model is refitted on all the data there.

    Parameters
    ----------
    l1_ratio : float or array-like of floats in [0, 1], default=0.5
        A list is searched together with ``alpha``.  An automatic grid needs
        ``l1_ratio > 0``.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like of shape (n_alphas,), default=100
        Number of alphas of the automatic grid, or the grid itself.
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), default=None
        Positive per-feature penalty multipliers, also used by the grid.
    max_iter : int, default=1000
        Maximum passes per ``alpha``.
    tol : float, default=1e-4
        Relative duality-gap tolerance of each fit.
    cv : int, cross-validation generator or iterable, default=None
        Anything :func:`sklearn.model_selection.check_cv` accepts (``None``: 5-fold).
    n_jobs : int, default=None
        Parallel ``(l1_ratio, fold)`` tasks through joblib (threads: the
        compiled solver releases the GIL).
    verbose : int or bool, default=0
    selection : {"cyclic", "random"}, default="cyclic"
    random_state : int, RandomState instance or None, default=None
        Seeds of ``selection="random"`` (one per task, drawn once).

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The grids (1-D for a single ``l1_ratio`` or an explicit grid).
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared errors, unit dimensions squeezed (scikit-learn's layout).
    coef_ : ndarray of shape (n_tasks, n_features)
    intercept_ : ndarray of shape (n_tasks,)
    dual_gap_ : float
        Of the refit.
    n_iter_ : int
        Of the refit.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay import MultiTaskElasticNetRegressorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((60, 5))
    >>> Y = X[:, :2] @ rng.standard_normal((2, 3)) + 0.1 * rng.standard_normal((60, 3))
    >>> model = MultiTaskElasticNetRegressorCV(alphas=10, cv=3).fit(X, Y)
    >>> model.mse_path_.shape
    (10, 3)
    """

    _parameter_constraints = {
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "fit_intercept": ["boolean"],
        "penalty_factor": ["array-like", None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "selection": [StrOptions({"cyclic", "random"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        fit_intercept=True,
        penalty_factor=None,
        max_iter=1000,
        tol=1e-4,
        cv=None,
        n_jobs=None,
        verbose=0,
        selection="cyclic",
        random_state=None,
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.selection = selection
        self.random_state = random_state

    def get_metadata_routing(self):
        """Route ``fit``'s metadata to the splitter's ``split`` (e.g. ``groups`` for
        ``GroupKFold``), so that the estimator works inside ``GridSearchCV`` with
        metadata routing enabled.

        Returns
        -------
        routing : MetadataRouter
        """
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    @atomic_fit
    @fit_context
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the paths, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used by the path fits, the held-out errors and the refit.
        **params : dict
            Passed to the splitter's ``split`` (e.g. ``groups=`` for ``GroupKFold``).

        Returns
        -------
        self : object
        """
        X, Y = self._validate(X, y)
        if isinstance(sample_weight, Number):
            sample_weight = None
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        ctx = begin_fit(self, X=X, y=Y, sw=sample_weight)
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if ratios.ndim != 1 or ratios.size == 0 or np.any((ratios < 0) | (ratios > 1)):
            raise ValueError(f"Every l1_ratio must be in [0, 1], got {self.l1_ratio!r}.")
        pf = check_penalty_factor(self.penalty_factor, X.shape[1])
        self._penalty(1.0, 0.5, X.shape[1])  # validates the factors
        if isinstance(self.alphas, Integral):
            full = _Data(X, Y, sw, self.fit_intercept)
            grids = [_grid(full, r, pf, int(self.alphas), self.eps) for r in ratios]
        else:
            grids = [_check_alphas(self.alphas)] * ratios.size
        if routing_enabled():
            params = dict(process_routing(self, "fit", **params).splitter.split)
        folds = list(check_cv(self.cv).split(X, Y, **params))
        settings = {k: getattr(self, k) for k in ("fit_intercept", "tol", "max_iter", "selection")}
        seeds = check_random_state(self.random_state).randint(
            np.iinfo(np.int32).max, size=(ratios.size, len(folds))
        )
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(
            delayed(_fold)(X, Y, sw, train, test, r, pf, a, settings, seeds[i, f])
            for i, (r, a) in enumerate(zip(ratios, grids, strict=True))
            for f, (train, test) in enumerate(folds)
        )
        errs = np.moveaxis(np.reshape([o[0] for o in out], (ratios.size, len(folds), -1)), 2, 1)
        failed = sorted({a for o in out for a in o[1]}, reverse=True)
        _warn_path(failed, len(out) * grids[0].size, type(self).__name__, 4)
        best, (bi, bj) = np.inf, (0, 0)
        for i, mean in enumerate(errs.mean(axis=2)):
            j = int(np.argmin(mean))
            if mean[j] < best:
                best, (bi, bj) = mean[j], (i, j)
        self.l1_ratio_ = float(ratios[bi])
        self.alpha_ = float(grids[bi][bj])
        self.alphas_ = np.asarray(grids) if isinstance(self.alphas, Integral) else grids[0]
        if self.alphas_.ndim == 2 and ratios.size == 1:
            self.alphas_ = self.alphas_[0]
        self.mse_path_ = np.squeeze(errs)
        model = MultiTaskElasticNetRegressor(
            alpha=self.alpha_,
            l1_ratio=self.l1_ratio_,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            max_iter=self.max_iter,
            tol=self.tol,
            selection=self.selection,
            random_state=self.random_state,
        ).fit(X, Y, sample_weight=sample_weight)
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        self.dual_gap_, self.n_iter_ = model.dual_gap_, model.n_iter_
        end_fit(ctx, self, X=X, y=Y, sw=sample_weight)
        return self
