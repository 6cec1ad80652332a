"""The elastic-net and lasso regressors (squared error and the GLM deviances)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._callbacks import begin_fit, end_fit
from .._compat import fit_context
from .._fit_state import atomic_fit
from .._validation import (
    check_X_y,
)
from ._base import (
    _BOUNDS,
    _COMMON_CONSTRAINTS,
    _L1_RATIO,
    _NONCONVEX,
    _RELAX,
    GROUP_CONSTRAINTS,
    LOSS_CONSTRAINTS,
    LinearModelBase,
    _GroupMixin,
)
from ._glm import GLMRegressorBase


class ElasticNetRegressor(_GroupMixin, GLMRegressorBase, LinearModelBase):
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

    __module__ = "skdecay.linear_model"  # the persisted (skops) type name

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        **_L1_RATIO,
        **LOSS_CONSTRAINTS,
        **_RELAX,
        **_BOUNDS,
        **GROUP_CONSTRAINTS,
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

    __module__ = "skdecay.linear_model"  # the persisted (skops) type name

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        **LOSS_CONSTRAINTS,
        **_RELAX,
        **_BOUNDS,
        **_NONCONVEX,
    }

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
