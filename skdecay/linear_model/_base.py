"""The machinery every linear model shares: parameter constraints, the fit of one
problem (warm start, no-iteration exits, relaxed refit, MCP/SCAD), prediction,
sparse coefficients, and the sparse-group lasso hook.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import check_is_fitted

from .. import losses
from .._callbacks import CallbackSupportMixin
from .._compat import DocLinkMixin, Integral, Interval, Real, StrOptions
from .._groups import resolve_groups
from .._validation import (
    check_X,
)
from ..penalties import DEFAULT_GAMMA, SparseGroupPenalty
from ..persistence import VersionedMixin
from ..solvers import (
    Problem,
    ProblemCache,
    Result,
    columns,
    duality_gap,
    gap_at_zero,
    make_problem,
    solve,
    warn_not_converged,
)
from ..solvers.bcd import group_fit

_COMMON_CONSTRAINTS = {
    "alpha": [Interval(Real, 0, None, closed="left")],
    "fit_intercept": ["boolean"],
    "penalty_factor": ["array-like", None],
    "positive": ["boolean"],
    # 0: no iteration, the starting point is returned (as LogisticRegression, Ridge)
    "max_iter": [Interval(Integral, 0, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "warm_start": ["boolean"],
    "selection": [StrOptions({"cyclic", "random"})],
    "random_state": ["random_state"],
}
_L1_RATIO = {"l1_ratio": [Interval(Real, 0, 1, closed="both")]}
_RELAX = {"relax": ["boolean"], "relax_gamma": [Interval(Real, 0, 1, closed="both")]}
# the non-convex penalties (issue 13): gamma > 1 (MCP), > 2 (SCAD, checked at fit)
_NONCONVEX = {
    "penalty": [StrOptions({"elastic_net", "mcp", "scad"})],
    "gamma": [Interval(Real, 1, None, closed="neither"), None],
}
# the regressors' data terms: the squared error and the log-link GLM deviances
REGRESSION_LOSSES = losses.REGRESSION_LOSS_NAMES
LOSS_CONSTRAINTS = {
    "loss": [StrOptions(set(REGRESSION_LOSSES))],
    "power": [Interval(Real, 1, 2, closed="neither")],
}
# scalars or one value per feature, containing 0 (checked by the penalty object)
_BOUNDS = {"lower_bounds": ["array-like", Real, None], "upper_bounds": ["array-like", Real, None]}
# the sparse-group lasso: labels / index arrays, or a callable of n_features
GROUP_CONSTRAINTS = {
    "groups": ["array-like", list, callable, None],
    "group_weights": ["array-like", None],
}


class LinearModelBase(VersionedMixin, DocLinkMixin, CallbackSupportMixin, BaseEstimator):
    """Shared fit machinery; subclasses say which loss, alpha and l1_ratio."""

    def _effective_l1_ratio(self) -> float:
        return self.l1_ratio

    def _keeps_csr(self, X) -> bool:
        """Whether sparse CSR ``X`` is used as is (else converted to CSC)."""
        return False

    def _effective_alpha(self, sw, target: int = 0) -> float:
        return self.alpha

    def _initial(self, pb: Problem, target: int = 0):
        """The warm start ``(W, b)``, or ``(None, None)`` for the default start.

        As scikit-learn, a user may set ``coef_`` alone (no ``intercept_``): the
        intercept then starts at its optimum for those coefficients (squared
        loss) or for zero coefficients (log-losses).  ``coef_`` may be sparse
        (after :meth:`sparsify`).  A multi-output regressor solves one target at
        a time: ``target`` picks the row of its ``coef_`` (k, n_features).
        """
        K, p = pb.Y.shape[1], pb.X.shape[1]
        if self.warm_start and getattr(self, "coef_", None) is not None:
            coef = self.coef_.toarray() if sp.issparse(self.coef_) else self.coef_
            W = np.array(coef, dtype=pb.dtype)
            intercept = getattr(self, "intercept_", None)
            if self._coef_is_1d and W.ndim == 2 and W.shape[0] > target:
                W = W[target : target + 1]  # one target of a multi-output fit
                if intercept is not None and np.size(intercept) == np.shape(coef)[0]:
                    intercept = np.ravel(intercept)[target]
            W = W.reshape(K, -1)
            if W.shape != (K, p):
                return None, None
            if intercept is None:
                b = self._best_intercept(pb, W)
            else:
                b = np.array(intercept, dtype=pb.dtype).reshape(K)
            return W, b
        return None, None

    @classmethod
    def _best_intercept(cls, pb: Problem, W) -> np.ndarray:
        """The optimal intercept for the coefficients ``W`` (squared loss, whose
        ``Y`` already has any offset subtracted), else the one optimal for zero
        coefficients (a starting point)."""
        if pb.loss != losses.SQUARED or not pb.fit_intercept:
            return cls._zero_intercept(pb)
        r = pb.Y[:, 0] - np.asarray(pb.X @ W[0]).ravel()
        return np.array([np.dot(pb.s, r) / pb.n], dtype=pb.dtype)

    @staticmethod
    def _zero_intercept(pb: Problem) -> np.ndarray:
        if not pb.fit_intercept:
            return np.zeros(pb.Y.shape[1], dtype=pb.dtype)
        return np.asarray(pb.data_loss.intercept_at_zero(pb.Y, pb.s, pb.offset), dtype=pb.dtype)

    def _no_iteration(self, pb: Problem, W, b) -> Result | None:
        """The result without any iteration, or ``None`` when one is needed.

        As scikit-learn: a warm start already at the optimum (duality gap at most
        ``tol`` times the gap at zero) reports ``n_iter_ = 0``, and ``max_iter=0``
        returns the starting point (with a ConvergenceWarning unless optimal).
        """
        if W is None and self.max_iter > 0:
            return None
        if W is None:
            W = np.zeros((pb.Y.shape[1], pb.X.shape[1]), dtype=pb.dtype)
            b = self._zero_intercept(pb)
        gap0 = gap_at_zero(pb)
        gap = duality_gap(pb, W, b)
        converged = gap <= self.tol * gap0
        if not converged and self.max_iter > 0:
            return None
        res = Result(W, b, float(gap), float(gap0), 0, bool(converged))
        if not converged:
            warn_not_converged(res, self.tol, stacklevel=5)
        return res

    def _fit_problem(self, X, Y, sample_weight, loss, offset=None, power=1.5, target=0):
        pb, sw = make_problem(
            X,
            Y,
            sample_weight,
            loss,
            0.0,
            self._effective_l1_ratio(),
            self.penalty_factor,
            positive=self.positive,
            fit_intercept=self.fit_intercept,
            offset=offset,
            power=power,
            lower_bounds=getattr(self, "lower_bounds", None),  # RidgeRegressor has none
            upper_bounds=getattr(self, "upper_bounds", None),
        )
        pb = pb.at(self._effective_alpha(sw, target))
        pb = replace(pb, penalty=pb.penalty.as_kind(**self._nonconvex(loss)))  # MCP / SCAD
        W, b = self._initial(pb, target)
        res = self._no_iteration(pb, W, b)
        if res is None:
            res = self._solve(pb, W, b)
        self.n_iter_ = int(res.n_iter)
        self.dual_gap_ = float(res.dual_gap)
        gamma = self._relaxation()
        if gamma is not None:
            res = self._relaxed(pb, res, gamma)
        return res

    def _nonconvex(self, loss) -> dict:
        """The penalty family of ``penalty="mcp" | "scad"`` (the elastic net's by
        default): its ``kind`` and ``gamma`` (default 3 for MCP, 3.7 for SCAD, as
        ncvreg and skglm)."""
        kind = getattr(self, "penalty", "elastic_net")
        if kind == "elastic_net":
            return {"kind": kind}
        if loss not in (losses.SQUARED, losses.LOGISTIC, losses.MULTINOMIAL):
            raise ValueError(
                f"penalty={kind!r} supports the squared error and the logistic losses; "
                f"got loss={losses.LOSS_NAMES[loss]!r}."
            )
        gamma = DEFAULT_GAMMA[kind] if self.gamma is None else float(self.gamma)
        if kind == "scad" and not gamma > 2:
            raise ValueError(f"gamma must be > 2 for penalty='scad'; got {gamma!r}.")
        return {"kind": kind, "gamma": gamma}

    def _stopping_criterion(self, pb_conjugate: bool) -> str:
        """``"duality_gap"``, or ``"kkt"`` (stationarity) for a loss without a
        conjugate or a non-convex penalty."""
        convex = getattr(self, "penalty", "elastic_net") == "elastic_net"
        return "duality_gap" if pb_conjugate and convex else "kkt"

    def _relaxation(self) -> float | None:
        """The relaxed-fit mixing ``gamma`` when ``relax=True``, else ``None``."""
        return float(self.relax_gamma) if getattr(self, "relax", False) else None

    def _relaxed(self, pb: Problem, res: Result, gamma: float) -> Result:
        """glmnet's relaxed fit: ``gamma * W + (1 - gamma) * W_relaxed``, where
        ``W_relaxed`` refits the same loss without penalty on the active set
        (the features with a nonzero coefficient for some class), starting from
        ``W``; bounds and ``positive`` still hold.  The penalised fit's
        ``n_iter_`` and ``dual_gap_`` are kept; the refit's are
        ``relaxed_n_iter_`` and ``relaxed_dual_gap_``."""
        active = np.flatnonzero(np.any(res.coef != 0, axis=0))
        self.relaxed_n_iter_, self.relaxed_dual_gap_ = 0, 0.0
        if gamma == 1.0 or not active.size:
            return res
        sub = replace(
            pb,
            X=columns(pb.X, active),
            penalty=pb.penalty.unpenalized(active),
            cache=ProblemCache(),
        )
        W0 = np.ascontiguousarray(res.coef[:, active])
        refit = self._solve(sub, W0, res.intercept.copy())
        self.relaxed_n_iter_ = int(refit.n_iter)
        self.relaxed_dual_gap_ = float(refit.dual_gap)
        W = (gamma * res.coef).astype(pb.dtype)
        W[:, active] += ((1 - gamma) * refit.coef).astype(pb.dtype)
        b = (gamma * res.intercept + (1 - gamma) * refit.intercept).astype(pb.dtype)
        return res._replace(coef=W, intercept=b)

    def _solve(self, pb, W, b):
        return solve(
            pb,
            W,
            b,
            max_iter=self.max_iter,
            tol=self.tol,
            selection=self.selection,
            rng=check_random_state(self.random_state),
        )

    def _decision(self, X):
        check_is_fitted(self)
        X = check_X(self, X)
        Z = safe_sparse_dot(X, self.coef_.T, dense_output=True) + self.intercept_
        if sp.issparse(self.coef_) and self._coef_is_1d and self.coef_.shape[0] == 1:
            return np.asarray(Z).reshape(-1)  # a sparsified single-target regressor
        return np.asarray(Z)

    _coef_is_1d = False  # regressors: coef_ of shape (n_features,)

    @property
    def sparse_coef_(self):
        """``coef_`` as a ``scipy.sparse.csr_matrix`` of shape (n_targets, n_features)."""
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            return sp.csr_matrix(self.coef_)
        return sp.csr_matrix(np.atleast_2d(self.coef_))

    def sparsify(self):
        """Store ``coef_`` as a sparse (CSR) matrix; predictions are unchanged.

        Worth it when most coefficients are zero (``l1_ratio`` near 1): the
        model takes less memory and predicts faster.  As scikit-learn's
        ``sparsify``; :meth:`densify` undoes it.

        Returns
        -------
        self : object
        """
        check_is_fitted(self)
        if not sp.issparse(self.coef_):
            self.coef_ = sp.csr_matrix(np.atleast_2d(self.coef_))
        return self

    def densify(self):
        """Store ``coef_`` as a dense array again (the inverse of :meth:`sparsify`).

        Returns
        -------
        self : object
        """
        check_is_fitted(self)
        if sp.issparse(self.coef_):
            coef = self.coef_.toarray()
            self.coef_ = coef[0] if self._coef_is_1d and coef.shape[0] == 1 else coef
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _GroupMixin:
    """``groups=`` / ``group_weights=``: the sparse-group lasso (:mod:`.solvers.bcd`)."""

    def _group_penalty(self, pb):
        """The :class:`~skdecay.penalties.SparseGroupPenalty` of ``pb``, or ``None``."""
        groups = getattr(self, "groups", None)
        if groups is None or pb.penalty.alpha <= 0 or not np.any(pb.penalty.penalty_factor):
            return None  # no groups, or the unpenalised refit of relax=True
        if getattr(self, "penalty", "elastic_net") != "elastic_net":
            raise ValueError("groups combine with penalty='elastic_net' only.")
        groups = resolve_groups(groups, pb.X.shape[1], getattr(self, "feature_names_in_", None))
        return SparseGroupPenalty(
            pb.penalty.alpha, self._effective_l1_ratio(), groups, pb.X.shape[1], self.group_weights
        )

    def _no_iteration(self, pb, W, b):
        if self._group_penalty(pb) is not None:
            return None  # group_solve checks the start point itself
        return super()._no_iteration(pb, W, b)

    def _solve(self, pb, W, b):
        penalty = self._group_penalty(pb)
        if penalty is None:
            return super()._solve(pb, W, b)
        res = group_fit(pb, penalty, W, b, max_iter=self.max_iter, tol=self.tol)
        self.group_ids_ = penalty.group_ids
        self.group_weights_ = penalty.group_weights
        if not res.converged:
            warn_not_converged(res, self.tol, stacklevel=5)
        return res
