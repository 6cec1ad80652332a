"""Elastic-net linear models: regressors (CD) and a logistic classifier (prox-Newton).

Every estimator validates once, builds a :class:`~skdecay.solvers.Problem`
and hands it to :func:`skdecay.solvers.solve`; the fitted attributes come
from the solver's result.  Sample weights are rescaled to sum to
``n_samples`` (as scikit-learn does), so integer weights equal repeated rows.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import d2_tweedie_score, r2_score
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from . import losses
from ._callbacks import CallbackSupportMixin, begin_fit, end_fit
from ._compat import DocLinkMixin, Integral, Interval, Real, StrOptions, fit_context
from ._fit_state import atomic_fit
from ._groups import resolve_groups
from ._ridge import (
    _cg_cap,
    _ridge_cg,
    _ridge_direct,
    _ridge_dual_cg,
    _ridge_min_norm,
    _sparse_cap,
)
from ._validation import (
    check_offset,
    check_penalty_factor,
    check_sample_weight,
    check_weighted_classes,
    check_X,
    check_X_y,
    class_weight_vector,
)
from .penalties import DEFAULT_GAMMA, SparseGroupPenalty
from .persistence import VersionedMixin
from .solvers import (
    Problem,
    ProblemCache,
    Result,
    columns,
    duality_gap,
    gap_at_zero,
    make_problem,
    solve,
    solve_shifted,
    warn_not_converged,
)
from .solvers.bcd import group_fit

__all__ = [
    "ElasticNetRegressor",
    "LassoRegressor",
    "RidgeRegressor",
    "ElasticNetClassifier",
]

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
_LOSS = {
    "loss": [StrOptions(set(REGRESSION_LOSSES))],
    "power": [Interval(Real, 1, 2, closed="neither")],
}
# scalars or one value per feature, containing 0 (checked by the penalty object)
_BOUNDS = {"lower_bounds": ["array-like", Real, None], "upper_bounds": ["array-like", Real, None]}
# the sparse-group lasso: labels / index arrays, or a callable of n_features
_GROUPS = {"groups": ["array-like", list, callable, None], "group_weights": ["array-like", None]}


class _LinearModel(VersionedMixin, DocLinkMixin, CallbackSupportMixin, BaseEstimator):
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


# ---------------------------------------------------------------------------
# regressors


def deviance_power(loss: str, power: float) -> float:
    """The Tweedie power whose deviance is ``loss``'s: 0 squared error (the deviance
    is the squared error, D² is R²), 1 Poisson, 2 Gamma, ``power`` Tweedie."""
    return {"squared_error": 0.0, "poisson": 1.0, "gamma": 2.0}.get(loss, float(power))


class _GLMRegressor(RegressorMixin):
    """What the regressors with a ``loss`` share: the loss entry, the mean
    prediction (inverse link of the linear predictor plus an optional offset),
    the D² score and the target tags."""

    def _loss_entry(self) -> losses.Loss:
        return losses.get_loss(self.loss, power=self.power)

    def predict(self, X, offset=None):
        """The predicted mean ``mu = link^-1(X @ coef_ + intercept_ + offset)``.

        ``exp`` of the linear predictor for ``loss="poisson"``, ``"gamma"`` and
        ``"tweedie"`` (log link), the linear predictor itself for the squared
        error; in the dtype of the fitted coefficients.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor, as in :meth:`fit` (e.g. the log of
            each row's exposure: the prediction is then the expected count of
            the row rather than the rate per unit exposure).  ``None`` is 0.
            With metadata routing, request it with ``set_predict_request(offset=True)``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            2-D when ``coef_`` has one row per target (fitted on 2-D ``y``).
        """
        Z = self._decision(X)
        off = check_offset(offset, Z.shape[0], Z.dtype)
        if off is not None:
            Z = Z + (off if Z.ndim == 1 else off[:, None])
        if self.loss == "squared_error":
            return Z
        return np.exp(Z)

    def score(self, X, y, sample_weight=None, offset=None):
        """D², the fraction of deviance explained, of :meth:`predict` on ``(X, y)``.

        :func:`sklearn.metrics.d2_tweedie_score` with the loss's power (0 for
        the squared error, where D² is R², 1 Poisson, 2 Gamma, ``power`` for
        Tweedie), as scikit-learn's GLM regressors score.  1 is a perfect fit, 0
        the constant mean.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            2-D for a multi-output fit: R² averaged over the targets.
        sample_weight : array-like of shape (n_samples,), default=None
        offset : array-like of shape (n_samples,), default=None
            Passed to :meth:`predict`.  With metadata routing, request it with
            ``set_score_request(offset=True)``.

        Returns
        -------
        score : float
        """
        pred = self.predict(X, offset=offset)
        if self.loss == "squared_error":
            return float(r2_score(y, pred, sample_weight=sample_weight))
        y = np.asarray(y, dtype=np.float64)
        self._loss_entry().check_y(y)
        power = deviance_power(self.loss, self.power)
        return float(d2_tweedie_score(y, pred, sample_weight=sample_weight, power=power))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # the GLM deviances need y >= 0 (Poisson, Tweedie) or y > 0 (Gamma)
        tags.target_tags.positive_only = self.loss != "squared_error"
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


class ElasticNetRegressor(_GroupMixin, _GLMRegressor, _LinearModel):
    r"""Linear regression and GLMs (Poisson, Gamma, Tweedie) with an elastic-net penalty.

    Minimises

    .. math::

        \frac{1}{n} \sum_i s_i\, \ell(y_i, x_i^\top w + b + o_i)
        + \alpha \sum_j f_j \Big(\rho |w_j| + \frac{1-\rho}{2} w_j^2\Big)

    with ``rho = l1_ratio``, sample weights ``s`` rescaled to sum to ``n``,
    penalty factors ``f`` (``penalty_factor``, default 1), the ``offset`` ``o``
    of :meth:`fit` (default 0) and ``ell(y, z)`` the unit half-deviance of
    ``loss`` at the mean ``mu``:

    * ``"squared_error"``: ``(y - z)**2 / 2`` (``mu = z``).  With ``f = 1`` this
      is exactly :class:`sklearn.linear_model.ElasticNet` with the same
      ``alpha`` and ``l1_ratio``; solved by coordinate descent;
    * ``"poisson"``: ``y log(y / mu) - y + mu`` with ``mu = exp(z)`` (``y >= 0``);
    * ``"gamma"``: ``log(mu / y) + y / mu - 1`` with ``mu = exp(z)`` (``y > 0``);
    * ``"tweedie"``: ``y**(2-p) / ((1-p)(2-p)) - y mu**(1-p) / (1-p) +
      mu**(2-p) / (2-p)`` with ``mu = exp(z)``, ``p = power`` in (1, 2)
      (``y >= 0``: compound Poisson-gamma, e.g. claim amounts with zeros).

    Each half-deviance is zero at ``mu = y`` (half of
    :func:`sklearn.metrics.mean_tweedie_deviance`'s unit deviance).  With
    ``l1_ratio = 0`` the GLM objectives are those of
    :class:`sklearn.linear_model.PoissonRegressor`,
    :class:`~sklearn.linear_model.GammaRegressor` and
    :class:`~sklearn.linear_model.TweedieRegressor` (``link="log"``, same
    ``power``) with the same ``alpha``; with ``l1_ratio = 1`` Poisson is
    glmnet's ``family="poisson"`` with ``lambda = alpha``.  The GLMs are solved
    by proximal Newton (coordinate descent on each quadratic model).  The
    intercept ``b`` is not penalised; it is fitted as an extra coordinate, so
    sparse ``X`` is never centred.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (>= 0).  ``alpha = 0`` is least squares
        (prefer :class:`sklearn.linear_model.LinearRegression`) or the
        unpenalised GLM.
    l1_ratio : float in [0, 1], default=0.5
        Mix of L1 (``1``: lasso) and squared L2 (``0``: ridge).  With
        ``groups``, the mix of L1 and the *group* norm instead (see ``groups``).
    groups : array-like of shape (n_features,), list of index arrays or callable, default=None
        The sparse-group lasso: with groups the penalty becomes
        ``alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) * sum_g omega_g ||w_g||_2)``
        (``l1_ratio=0``: the group lasso, whole groups enter or leave;
        ``l1_ratio=1``: the lasso; no ridge part).  Either one label per
        feature or a list of (non-overlapping) index arrays, where a feature in
        no group becomes a group of its own (with weight 1, an ordinary lasso
        coordinate); a callable is called with ``n_features`` and returns
        either; :class:`~skdecay.ColumnGroups` reads one group per original
        column from the feature names at ``fit``.  Not with ``penalty_factor``,
        ``positive`` or bounds.  Squared error: block coordinate descent
        certified by the duality gap (see
        :class:`~skdecay.penalties.SparseGroupPenalty`); the GLM losses:
        proximal Newton around it, stopped on the duality gap for Poisson and
        Gamma and on the largest per-group KKT violation for Tweedie
        (``stopping_criterion_ = "kkt"``; :mod:`skdecay.solvers.group_newton`).
    group_weights : array-like of shape (n_groups,), default=None
        The group weights ``omega_g`` (positive), in the order of the groups
        (first appearance of a label, or the list order followed by the
        leftover singletons); default ``sqrt(|g|)`` (grpreg's).
    loss : {"squared_error", "poisson", "gamma", "tweedie"}, default="squared_error"
        The data term (see above); the GLM losses use the log link.
    power : float in (1, 2), default=1.5
        Tweedie's variance power (``Var[y] ~ mu**power``); used by
        ``loss="tweedie"`` only.
    fit_intercept : bool, default=True
        Fit an unpenalised intercept.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multipliers of the penalty (glmnet's ``penalty.factor``,
        used as given, not rescaled); 0 leaves a feature unpenalised and
        ``np.inf`` excludes it (its coefficient is exactly 0: glmnet's ``exclude``).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints ``lower_bounds <= coef_ <= upper_bounds`` (glmnet's
        ``lower.limits`` / ``upper.limits``): a scalar for every feature or one
        value per feature, ``-np.inf`` / ``np.inf`` for none.  The box must
        contain 0 (``lower_bounds <= 0 <= upper_bounds``), as in glmnet.  Each
        coordinate update is clipped to its box; the duality gap uses the boxed
        conjugate, so ``dual_gap_`` still certifies the optimum.
    max_iter : int, default=1000
        Maximum number of full passes over the features (squared error; each
        full pass is followed by cheaper passes over the nonzero coefficients),
        or of Newton iterations (GLMs).
    tol : float, default=1e-4
        Squared error, Poisson and Gamma: stop when the duality gap is at most
        ``tol`` times the gap of the all-zero coefficients (intercept at its
        optimum).  Tweedie, whose conjugate has no closed form: stop when the
        largest violation of the optimality (KKT) conditions is at most
        ``tol`` times that of the all-zero coefficients (see
        ``stopping_criterion_``).  The GLMs also wait until the last Newton
        step moved no coefficient by more than ``tol`` times the largest.
    warm_start : bool, default=False
        Start from the previous solution.
    selection : {"cyclic", "random"}, default="cyclic"
        Order of the coordinates in each pass.
    random_state : int, RandomState instance or None, default=None
        Seed of the order when ``selection="random"``.
    relax : bool, default=False
        Relaxed fit (glmnet's ``relax=TRUE``; Meinshausen's relaxed lasso): after
        the penalised fit, the same loss is refitted *without* penalty on its
        active set (the features with a nonzero coefficient), and the returned
        coefficients are ``relax_gamma * penalised + (1 - relax_gamma) *
        refitted``.  The selection of the lasso without its shrinkage of the
        selected coefficients.
    relax_gamma : float in [0, 1], default=0.0
        glmnet's ``gamma``: 0 is the fully relaxed (unpenalised) refit, 1 the
        penalised fit itself.
    penalty : {"elastic_net", "mcp", "scad"}, default="elastic_net"
        The penalty's family.  ``"mcp"`` (minimax concave penalty) and ``"scad"``
        (smoothly clipped absolute deviation) replace ``|w_j|`` by a non-convex
        ``rho(|w_j|)`` that stops shrinking large coefficients (Breheny's
        parametrization, as ncvreg and skglm; ``lam = alpha l1_ratio f_j``)::

            MCP:  lam |w| - w**2 / (2 gamma)   if |w| <= gamma lam,  gamma lam**2 / 2 beyond
            SCAD: lam |w|                      if |w| <= lam,
                  (2 gamma lam |w| - w**2 - lam**2) / (2 (gamma - 1))  if |w| <= gamma lam,
                  (gamma + 1) lam**2 / 2       beyond

        (the ridge part ``alpha (1 - l1_ratio) f_j / 2 w_j**2`` is kept: ncvreg's
        Mnet).  The objective is not convex: the fit returns a stationary point
        (coordinate-wise minimum) reached by coordinate descent from the warm
        start, and ``tol`` / ``dual_gap_`` measure stationarity (KKT), not a
        duality gap (``stopping_criterion_ == "kkt"``).  Squared error and
        logistic losses only.  Standardise ``X``: the firm / SCAD threshold is
        the exact coordinate minimiser when the column's curvature exceeds
        ``1/gamma`` (MCP) or ``1/(gamma - 1)`` (SCAD); below, each coordinate
        step compares candidates (still exact, but more prone to poor local minima).
    gamma : float > 1, default=None
        Concavity of MCP (``> 1``, default 3) or SCAD (``> 2``, default 3.7);
        ``gamma -> inf`` is the elastic net.  Ignored by ``penalty="elastic_net"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients (same dtype as ``X``: float32 input stays float32); one
        row per target for 2-D ``y`` with several columns (independent fits).
    intercept_ : float or ndarray of shape (n_targets,)
        An array for 2-D ``y`` (shape (1,) for a single column, as scikit-learn).
    group_ids_ : ndarray of shape (n_features,)
        With ``groups``: the group index of each feature (the order of
        ``group_weights``).
    group_weights_ : ndarray of shape (n_groups,)
        With ``groups``: the group weights used.
    n_iter_ : int or list of int
        Full passes over the features (squared error) or Newton iterations;
        a list, one count per target, for 2-D ``y`` with several columns.
    dual_gap_ : float or ndarray of shape (n_targets,)
        With ``stopping_criterion_ == "duality_gap"``: the duality gap at the
        solution, a certificate that the objective (with the half-deviances
        above) is within ``dual_gap_`` of its minimum.  With ``"kkt"``
        (Tweedie): the largest violation of the optimality conditions, the
        distance of minus the gradient of the data term to the penalty's
        subdifferential, over the coefficients and the intercept (zero at the
        optimum; not an objective bound).  With ``relax=True``, of the
        penalised fit (``relaxed_dual_gap_`` and ``relaxed_n_iter_`` are the
        unpenalised refit's).
    stopping_criterion_ : {"duality_gap", "kkt"}
        What ``dual_gap_`` and ``tol`` measure: ``"duality_gap"`` for the
        squared error, Poisson and Gamma (closed-form conjugates), ``"kkt"``
        for Tweedie and for ``penalty="mcp" | "scad"`` (stationarity).  With
        ``relax=True``, of the penalised fit (``relaxed_dual_gap_`` and
        ``relaxed_n_iter_`` are the unpenalised refit's).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when ``X`` has string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import ElasticNetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), ElasticNetRegressor(alpha=0.1)).fit(X, y)
    >>> round(model.score(X, y), 2)
    0.51

    A Poisson lasso for counts, with the log of each row's exposure as offset:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 3))
    >>> exposure = rng.uniform(0.5, 2.0, size=500)
    >>> y = rng.poisson(exposure * np.exp(0.5 * X[:, 0]))
    >>> glm = ElasticNetRegressor(alpha=0.05, l1_ratio=1.0, loss="poisson")
    >>> glm.fit(X, y, offset=np.log(exposure)).coef_.round(2)
    array([0.49, 0.  , 0.  ])
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        **_L1_RATIO,
        **_LOSS,
        **_RELAX,
        **_BOUNDS,
        **_GROUPS,
        **_NONCONVEX,
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        l1_ratio=0.5,
        groups=None,
        group_weights=None,
        loss="squared_error",
        power=1.5,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        max_iter=1000,
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
        self.loss = loss
        self.power = power
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state
        self.relax = relax
        self.relax_gamma = relax_gamma
        self.penalty = penalty
        self.gamma = gamma

    _coef_is_1d = True

    @atomic_fit
    @fit_context
    def fit(self, X, y, sample_weight=None, offset=None):
        """Fit the model; ``X`` dense or sparse (CSC is used as is).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Never modified; float32 stays float32.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            2-D ``y`` (squared error only; the GLM losses ravel one column with a
            ``DataConversionWarning``, as scikit-learn's GLM regressors, and
            reject several): one independent fit per target
            (column), ``coef_`` of shape (n_targets, n_features), as
            scikit-learn's ``ElasticNet``, ``Lasso`` and ``Ridge``; with one
            column, ``coef_`` is 1-D and ``intercept_`` has shape (1,), as
            there.  Poisson and Tweedie need ``y >= 0`` (not all zero), Gamma
            ``y > 0``.
        sample_weight : array-like of shape (n_samples,), default=None
            Rescaled to sum to ``n_samples``.
        offset : array-like of shape (n_samples,), default=None
            A known term added to every linear predictor, with coefficient 1
            (glmnet's and glum's ``offset``): for counts or amounts observed over
            an exposure ``e`` (time, policies, area), ``offset=np.log(e)`` models
            ``E[y] = e * exp(x w + b)``.  With the squared error it is subtracted
            from ``y``.  Through a ``Pipeline`` or ``GridSearchCV``, enable
            metadata routing and request it with ``set_fit_request(offset=True)``.

        Returns
        -------
        self : object
        """
        # 2-D y: the squared error only (the GLM losses ravel a column with a
        # DataConversionWarning and reject several, as scikit-learn's GLMs)
        multi = self.loss == "squared_error"
        X, y = check_X_y(
            self, X, y, y_numeric=True, keep_csr=self._keeps_csr(X), multi_output=multi
        )
        if sp.issparse(y):
            y = y.toarray()
        entry = self._loss_entry()
        Y = _check_targets(y, entry, self._n_alphas())
        ctx = begin_fit(self, X=X, y=y, sw=sample_weight)  # one task (a single solve)
        fits = []
        for j in range(Y.shape[1]):  # independent targets, one solve each
            res = self._fit_problem(
                X, Y[:, j : j + 1], sample_weight, entry.code, offset, self.power, target=j
            )
            fits.append((res, self.n_iter_, self.dual_gap_, *self._relaxed_stats()))
        self.coef_ = np.concatenate([f[0].coef for f in fits])
        self.intercept_ = np.concatenate([f[0].intercept for f in fits])
        if y.ndim == 1 or Y.shape[1] == 1:  # scikit-learn's shapes for one target
            self.coef_ = self.coef_[0]
            self.intercept_ = self.intercept_ if y.ndim == 2 else self.intercept_[0]
        else:  # as scikit-learn's ElasticNet: a list of counts, an array of gaps
            self.n_iter_ = [f[1] for f in fits]
            self.dual_gap_ = np.array([f[2] for f in fits])
            if self._relaxation() is not None:
                self.relaxed_n_iter_ = [f[3] for f in fits]
                self.relaxed_dual_gap_ = np.array([f[4] for f in fits])
        self.stopping_criterion_ = self._stopping_criterion(entry.conjugate)
        end_fit(ctx, self, X=X, y=y, sw=sample_weight)
        return self

    def _n_alphas(self) -> int:
        """How many alphas the estimator holds (one per target for ridge's array)."""
        return 1

    def _relaxed_stats(self) -> tuple:
        return getattr(self, "relaxed_n_iter_", None), getattr(self, "relaxed_dual_gap_", None)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # 2-D y: independent targets (the squared error only)
        tags.target_tags.multi_output = self.loss == "squared_error"
        return tags


def _check_targets(y, entry, n_alphas: int) -> np.ndarray:
    """``y`` as an (n_samples, n_targets) array, checked against the loss and the
    number of alphas (1, or one per target)."""
    Y = y if y.ndim == 2 else y[:, None]
    if Y.shape[1] == 0:
        raise ValueError("y has no target (shape (n_samples, 0)).")
    if n_alphas not in (1, Y.shape[1]):
        raise ValueError(
            f"Number of targets and number of penalties do not correspond: "
            f"{Y.shape[1]} != {n_alphas} (alpha must be a float or an array of "
            "shape (n_targets,))."
        )
    entry.check_y(Y)
    return Y


class LassoRegressor(ElasticNetRegressor):
    r"""L1-penalised linear regression or GLM: :class:`ElasticNetRegressor` with ``l1_ratio=1``.

    Minimises ``1/n * sum_i s_i ell(y_i, x_i w + b + o_i) + alpha * sum_j f_j |w_j|``
    with ``ell`` the unit half-deviance of ``loss``: for the squared error
    ``(y - z)**2 / 2``, the objective of :class:`sklearn.linear_model.Lasso`
    with the same ``alpha``; for ``loss="poisson"`` glmnet's
    ``family="poisson"`` lasso with ``lambda = alpha``.  Parameters and
    attributes are those of :class:`ElasticNetRegressor` without ``l1_ratio``;
    ``penalty="mcp"`` or ``"scad"`` replaces ``|w_j|`` by MCP's or SCAD's
    ``rho(|w_j|)`` at level ``alpha f_j`` (skglm's ``MCPRegression``; see
    :class:`ElasticNetRegressor`).

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay import LassoRegressor
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
    >>> LassoRegressor(alpha=0.1).fit(X, [0.0, 1.0, 2.0, 3.0]).coef_.round(3)
    array([0.92, 0.  ])
    """

    _parameter_constraints = {**_COMMON_CONSTRAINTS, **_LOSS, **_RELAX, **_BOUNDS, **_NONCONVEX}

    def __init__(
        self,
        alpha=1.0,
        *,
        loss="squared_error",
        power=1.5,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        max_iter=1000,
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
        self.loss = loss
        self.power = power
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state
        self.relax = relax
        self.relax_gamma = relax_gamma
        self.penalty = penalty
        self.gamma = gamma

    def _effective_l1_ratio(self) -> float:
        return 1.0


class RidgeRegressor(ElasticNetRegressor):
    r"""Linear regression with a squared L2 penalty, on the elastic-net engine.

    Minimises

    .. math::

        \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \sum_j f_j w_j^2

    with the raw sample weights ``s`` (not rescaled): the objective and the
    ``alpha`` of :class:`sklearn.linear_model.Ridge`.  Internally this is the
    elastic net with ``l1_ratio=0`` and ``alpha / sum(s)``.

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        An array gives each target (column of a 2-D ``y``) its own penalty, as
        scikit-learn's ``Ridge``.
    solver : {"auto", "cholesky", "cg", "cd"}, default="auto"
        ``"cholesky"`` (dense ``X`` only) solves the normal equations directly,
        or the ``n x n`` kernel system when ``n < p`` and every feature is
        penalised: exact, ``~n p min(n, p)`` flops.  ``"cg"`` runs
        Jacobi-preconditioned conjugate gradients on dense or sparse ``X``,
        centred and weighted implicitly (never copied, never densified): on the
        normal equations ``(A^T A + D) w = A^T t`` or, when ``n_samples <
        n_features``, ``alpha > 0`` and every penalty factor is positive, on the
        kernel (dual) system ``(A D^-1 A^T + I) u = t``, ``w = D^-1 A^T u``,
        whose vectors have length ``n_samples``.  Each iteration is one pass
        over dense ``X`` or two sparse products; it stops, like ``"cd"``, once
        the duality gap is at most ``tol`` times the gap at zero and the last
        step moved no coefficient by more than ``tol * max|w|`` (up to
        ``max_iter`` iterations).  ``"cd"`` runs coordinate descent, the only
        solver for ``positive=True``.  ``"auto"``:

        * ``positive=True`` or a ``penalty_factor`` of ``np.inf`` (an excluded
          feature, coefficient exactly 0): ``"cd"``, the only solver for both.
          (Box bounds are parameters of :class:`ElasticNetRegressor`, whose
          ``l1_ratio=0`` is this objective with ``alpha / sum(sample_weight)``.)
        * sparse ``X`` with ``n_samples < n_features``, ``alpha > 0`` and every
          penalty factor positive: ``"cg"`` on the kernel system (CSR ``X`` is
          used as is, other formats are converted once).  With
          ``n_samples <= 5000`` it is capped at ``10 + n_samples // 25``
          iterations and, if it cannot meet ``tol`` within the cap (tiny
          ``alpha``, very small ``tol``), the exact kernel solve takes over
          (the sparse product ``X D^-1 X^T``, centred and factored as a dense
          ``n x n`` matrix); larger problems run CG to ``max_iter``.  Measured
          on 1000 x 200000 sparse ``X`` with 200000 nonzeros: about 6
          iterations to ``tol=1e-5``, as fast as or faster than
          scikit-learn's ``Ridge`` (``sparse_cg``), about 4 times faster than
          the exact kernel solve and several hundred times faster than
          coordinate descent.
        * other sparse ``X`` (tall, or with unpenalised features): ``"cd"``,
          which is as fast as CG on tall sparse data (measured); in float32,
          ``"cg"`` on the normal equations, whose float64 accumulation stays
          within ~1e-5 of the optimum where float32 CD stalls 0.1-1% away.
        * dense ``X`` with ``m = min(n_samples, n_features) >= 250``,
          ``alpha > 0`` and every penalty factor positive: ``"cg"`` first (the
          kernel system when ``n < p``), capped at ``min(m // 50, 5 + m //
          100)`` iterations: on well-conditioned data CG reaches ``tol`` in a
          few passes over ``X`` (memory bound) and beats forming ``X^T X`` or
          ``X X^T`` (compute bound).  If CG cannot meet ``tol`` within the cap
          (ill-conditioned data, or a very small ``tol``), the Cholesky solve
          takes over and gives the exact solution: the failed attempt costs
          20-80% of the direct solve (measured; CG gives up early when the
          condition number it has seen already rules out meeting ``tol``).
          Other dense problems (small, or with unpenalised features) use
          ``"cholesky"``.

        With ``alpha=0`` (and ``positive=False``) every solver returns the
        minimum-norm least-squares solution, as scikit-learn's ``Ridge``: an
        SVD solve on dense ``X``, LSQR on sparse ``X`` (wide or rank-deficient
        ``X`` has many minimisers).  For a tiny positive ``alpha``, ``"cd"``
        meets ``tol`` on the objective but may stay far from the (nearly
        minimum-norm) coefficients: prefer ``"auto"``, ``"cg"`` or ``"cholesky"``.
    Other parameters and attributes are those of :class:`ElasticNetRegressor`
    (without ``l1_ratio``, ``loss`` and ``power``: the squared error only; an
    ``offset`` given to :meth:`fit` is subtracted from ``y``).  ``max_iter``
    bounds the CG iterations too; ``n_iter_`` counts them (CG) or is 1
    (direct solve).

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay import RidgeRegressor
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> float(RidgeRegressor(alpha=1.0).fit(X, [0.0, 1.0, 2.0]).coef_[0])
    0.6666666666666666
    """

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        # one alpha per target, as scikit-learn's Ridge
        "alpha": [Interval(Real, 0, None, closed="left"), np.ndarray],
        "solver": [StrOptions({"auto", "cholesky", "cg", "cd"})],
    }
    # the squared error only (not parameters: Ridge's objective is not a mean)
    loss = "squared_error"
    power = 1.5

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        solver="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        selection="cyclic",
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state

    def _keeps_csr(self, X) -> bool:
        """CSR ``X`` bound for the kernel system (``n_samples < n_features``, every
        feature penalised, not ``solver="cd"``) stays CSR: that solver works on
        rows.  Other sparse ``X`` is used as CSC (converted once if needed)."""
        return sp.issparse(X) and X.format == "csr" and self._kernel_system(*X.shape)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.solver != "cholesky"
        return tags

    def _kernel_system(self, n, p) -> bool:
        """Whether a solve of this shape goes through the n x n kernel system."""
        if self.solver == "cd" or self.positive or n >= p or np.min(self._alphas()) <= 0:
            return False
        if self.penalty_factor is None:
            return True
        try:  # invalid factors are reported by the usual validation
            pf = np.asarray(self.penalty_factor, dtype=np.float64)
            return bool(np.all((pf > 0) & np.isfinite(pf)))  # inf (excluded): CD
        except (TypeError, ValueError):
            return False

    def _effective_l1_ratio(self) -> float:
        return 0.0

    def _alphas(self) -> np.ndarray:
        """``alpha`` as a 1-D float64 array (one value, or one per target)."""
        alphas = np.asarray(self.alpha, dtype=np.float64).reshape(-1)
        if alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas >= 0)):
            raise ValueError(
                f"alpha must be a non-negative float or a 1-D array of them, got {self.alpha!r}."
            )
        return alphas

    def _n_alphas(self) -> int:
        return self._alphas().size

    def _effective_alpha(self, sw, target: int = 0) -> float:
        alphas = self._alphas()
        alpha = float(alphas[target if alphas.size > 1 else 0])
        return alpha / float(np.sum(sw, dtype=np.float64))

    def _solve(self, pb, W, b):
        if pb.penalty.has_box():  # excluded features (penalty_factor=inf): only CD clips them
            if self.solver not in ("auto", "cd"):
                raise ValueError(
                    f"solver={self.solver!r} does not support penalty_factor=inf (excluded "
                    "features); use solver='cd' or 'auto'."
                )
            if sp.issparse(pb.X) and pb.X.format != "csc":
                pb = replace(pb, X=sp.csc_matrix(pb.X).sorted_indices())
            return super()._solve(pb, W, b)
        # alpha = 0 on wide or singular X: the least-norm minimiser, whatever the solver
        min_norm = (
            pb.penalty.alpha == 0
            and not self.positive
            and not (sp.issparse(pb.X) and self.solver == "cholesky")
        )
        if not min_norm and (self.solver == "cd" or (self.solver == "auto" and self.positive)):
            return super()._solve(pb, W, b)
        # CG and the direct solves on float32 columns with large means: shifted
        return solve_shifted(pb, W, b, self._solve_ridge)

    def _solve_ridge(self, pb, W, b):
        sparse = sp.issparse(pb.X)
        # the kernel (dual) system: wide X, every feature penalised
        kernel = pb.n < pb.X.shape[1] and bool(np.all(pb.penalty.weights()[1] > 0))
        if (
            pb.penalty.alpha == 0
            and not self.positive
            and not (sparse and self.solver == "cholesky")
        ):
            # many minimisers on wide or singular X: the least-norm one (as Ridge)
            return _ridge_min_norm(pb, self.tol, self.max_iter)
        if self.solver == "auto" and sparse and pb.dtype == np.float32 and not self.positive:
            if not kernel and _similar_scales(pb.X):
                # CD keeps its residual in float32 and stalls 0.1-1% from the
                # optimum on tall sparse data; CG accumulates in float64 (like
                # scikit-learn's sparse_cg: ~1e-5)
                return self._cg_or_warn(_ridge_cg, pb, W)
        if self.solver == "cd" or (
            self.solver == "auto" and (self.positive or (sparse and not kernel))
        ):
            if sparse and pb.X.format != "csc":  # CD runs on columns
                pb = replace(pb, X=sp.csc_matrix(pb.X).sorted_indices())
            return super()._solve(pb, W, b)
        if self.positive:
            raise ValueError(
                f"solver={self.solver!r} does not support positive=True; use solver='cd' or 'auto'."
            )
        if self.solver == "cholesky" and sparse:
            raise ValueError(
                "solver='cholesky' does not support sparse X (it would form X^T X or X X^T "
                "as dense matrices); use solver='auto', 'cg' or 'cd'."
            )
        cg = _ridge_dual_cg if kernel else _ridge_cg
        kw = {"tol": self.tol, "max_iter": self.max_iter}
        if self.solver == "auto":
            cap = _sparse_cap(pb, self.max_iter) if sparse else _cg_cap(pb, self.max_iter)
            if cap is not None:  # None: no direct fallback, CG runs to max_iter
                res = cg(pb, W, cap=cap, **kw) if cap else None
                return _ridge_direct(pb) if res is None else res
        elif self.solver == "cholesky":
            return _ridge_direct(pb)
        return self._cg_or_warn(cg, pb, W)

    def _cg_or_warn(self, cg, pb, W):
        res = cg(pb, W, tol=self.tol, max_iter=self.max_iter)
        if not res.converged:
            warn_not_converged(res, self.tol, stacklevel=6)
        return res


def _similar_scales(X, spread: float = 1e8) -> bool:
    """Whether the columns' sums of squares lie within a factor ``spread`` of each
    other: unpreconditioned CG on the normal equations needs it (its condition
    number is at least that ratio), CD does not (each coordinate is scaled)."""
    sq = np.asarray(X.multiply(X).sum(axis=0), dtype=np.float64).ravel()
    sq = sq[sq > 0]
    return sq.size == 0 or float(sq.max()) <= spread * float(sq.min())


# ---------------------------------------------------------------------------
# classifier


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


class ElasticNetClassifier(ClassifierMixin, _GroupMixin, _LinearModel):
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

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        **_L1_RATIO,
        **_RELAX,
        **_BOUNDS,
        **_GROUPS,
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
