"""MultiTaskElasticNetRegressorCV: alpha (and l1_ratio) chosen by K-fold cross-validation."""

from __future__ import annotations

from numbers import Integral, Number, Real

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from .._callbacks import begin_fit, end_fit
from .._compat import Interval, StrOptions, fit_context, routing_enabled
from .._fit_state import atomic_fit
from .._path_core import warn_path_not_converged
from .._validation import check_penalty_factor, check_sample_weight
from ._estimator import MultiTaskElasticNetRegressor, _MultiTask
from ._path import _check_alphas, _grid, _path
from ._solver import _as_csc, _Data


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

    __module__ = "skdecay.multitask"  # the persisted (skops) type name

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
        warn_path_not_converged(failed, len(out) * grids[0].size, type(self).__name__, 4)
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
