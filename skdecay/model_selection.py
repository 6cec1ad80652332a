"""Cross-validated elastic-net estimators built on warm-started paths.

For every ``l1_ratio`` the alpha grid is computed once on the full data and
shared by all folds (as in :class:`sklearn.linear_model.ElasticNetCV`); each
``(l1_ratio, fold)`` pair is one task: a warm-started path on the training
part (:mod:`skdecay.path`), scored at every ``alpha`` on the held-out part.
Tasks run through :class:`joblib.Parallel` (threads: the numba kernels release
the GIL, and ``X`` is shared rather than copied).  The ``(l1_ratio, alpha)``
with the best mean score over folds is then refitted on all the data.
"""

from __future__ import annotations

from numbers import Integral, Number

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import ClassifierMixin
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.multiclass import check_classification_targets

from . import losses
from ._callbacks import begin_fit, end_fit, leaf_task, metadata
from ._compat import Interval, Real, StrOptions, fit_context, routing_enabled, scorer_with_labels
from ._fit_state import atomic_fit
from ._validation import (
    check_offset,
    check_sample_weight,
    check_weighted_classes,
    check_X_y,
    class_weight_vector,
)
from .linear_model import (
    _GROUPS,
    _LOSS,
    ElasticNetClassifier,
    ElasticNetRegressor,
    _GLMRegressor,
    _LinearModel,
)
from .path import (
    RegularizationPath,
    _as_csc,
    _check_alphas,
    _grid,
    _group_penalty,
    _logistic_problem,
    _regression_problem,
    _solve_path,
    _warn_not_converged,
)
from .solvers import bcd

__all__ = ["ElasticNetRegressorCV", "ElasticNetClassifierCV"]

_CV_CONSTRAINTS = {
    "l1_ratio": [Interval(Real, 0, 1, closed="both"), "array-like"],
    "eps": [Interval(Real, 0, None, closed="neither")],
    "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
    "n_alphas": [Interval(Integral, 1, None, closed="left"), None],
    "fit_intercept": ["boolean"],
    "penalty_factor": ["array-like", None],
    "positive": ["boolean"],
    "lower_bounds": ["array-like", Real, None],
    "upper_bounds": ["array-like", Real, None],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "cv": ["cv_object"],
    "scoring": [str, callable, None],
    "alpha_selection": [StrOptions({"min", "1se"})],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
    "selection": [StrOptions({"cyclic", "random"})],
    "random_state": ["random_state"],
}


def _fold_task(
    X, y, sw, cw, train, test, l1_ratio, alphas, settings, scorer, classes, deviance, seed, est, ctx
) -> tuple[np.ndarray, np.ndarray | None, list[float]]:
    """Path on ``train``, scored on ``test``: ``(scores, deviance or None, failed alphas)``.

    ``scores`` (higher is better) has one entry per alpha; the default
    regression score (``deviance`` true) is ``-deviance`` with ``deviance`` the
    ``sw``-weighted mean deviance of the loss on the held-out rows (the mean
    squared error for the squared loss, :func:`sklearn.metrics.mean_tweedie_deviance`
    with the loss's power for the GLMs).  The ``offset`` of ``settings`` (or
    ``None``) is sliced like ``y``.  ``cw`` (per-sample class weights, or ``None``)
    multiplies the training weights only: held-out scores are not class
    weighted (as ``LogisticRegressionCV``).  ``ctx`` is the callback context of
    this task (for ``est``, the CV estimator): one leaf per alpha.
    """
    if not isinstance(X, np.ndarray):
        X_train, X_test = _as_csc(X[train]), _as_csc(X[test])
    elif X.flags.f_contiguous:  # the training rows gathered once, Fortran-ordered
        rows = np.asarray(train)
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        X_train, X_test = np.take(X.T, rows, axis=1).T, X[test]
    else:  # C-ordered (a classifier's X): the logistic path reads it by rows
        X_train, X_test = X[train], X[test]
        if classes is None:
            X_train = np.asfortranarray(X_train)
    sw_train = None if sw is None else sw[train]
    sw_test = None if sw is None else sw[test]
    if cw is not None:
        sw_train = cw[train] if sw_train is None else sw_train * cw[train]
    common = (
        l1_ratio,
        sw_train,
        settings["penalty_factor"],
        settings["positive"],
        settings["fit_intercept"],
    )
    offset = settings.get("offset")
    box = {k: settings[k] for k in ("lower_bounds", "upper_bounds")}
    if classes is None:
        pb = _regression_problem(
            X_train,
            y[train],
            *common,
            checked=True,
            loss=settings["loss"],
            power=settings["power"],
            offset=None if offset is None else offset[train],
            **box,
        )
    else:
        pb, _ = _logistic_problem(X_train, y[train], *common, classes, **box)
    y_train = y[train]
    ctx.call_on_fit_task_begin(estimator=est, X=X_train, y=y_train, metadata=metadata(sw_train))
    on_alpha = None
    if ctx:

        def on_alpha(i, coef, intercept):
            def attrs():
                if classes is None:
                    return {"coef_": coef[0].copy(), "intercept_": intercept[0]}
                return {"coef_": coef.copy(), "intercept_": intercept.copy()}

            leaf_task(ctx, est, f"alpha={alphas[i]:.3g}", attrs, X=X_train, y=y_train, sw=sw_train)

    if settings.get("groups") is not None:  # the sparse-group lasso (regressors)
        pen = _group_penalty(pb, settings["groups"], settings["group_weights"], 1.0)
        coefs, intercepts, gaps, n_iter, failed = bcd.group_path(
            pb, pen, alphas, tol=settings["tol"], max_iter=settings["max_iter"]
        )
        path = RegularizationPath(alphas, coefs[:, None, :], intercepts[:, None], gaps, n_iter)
    else:
        path, failed = _solve_path(
            pb,
            alphas,
            tol=settings["tol"],
            max_iter=settings["max_iter"],
            selection=settings["selection"],
            rng=np.random.RandomState(seed),
            on_alpha=on_alpha,
        )
    ctx.call_on_fit_task_end(estimator=est, X=X_train, y=y_train, metadata=metadata(sw_train))
    y_test = y[test]
    # held-out linear predictors of every alpha in one product: (n_alphas, n_test, K)
    coefs = path.coefs.astype(np.float64)
    Z = np.stack([np.asarray(X_test @ c.T) for c in coefs]) + path.intercepts[:, None, :]
    if offset is not None:
        Z += offset[test][None, :, None]
    if deviance:
        yt = y_test.astype(np.float64)
        if pb.loss == losses.SQUARED:
            err = np.average((Z[:, :, 0].T - yt[:, None]) ** 2, axis=0, weights=sw_test)
        else:  # the mean unit deviance: twice the loss table's half-deviance
            entry = pb.data_loss
            err = np.array(
                [
                    2 * np.average(entry.per_sample(yt[:, None], Zi), weights=sw_test)
                    for Zi in Z.astype(np.float64)
                ]
            )
        return -err, err, failed
    if scorer is None:  # the classifiers' default: accuracy, for every alpha at once
        if Z.shape[2] == 1:
            picked = (Z[:, :, 0] > 0).astype(np.intp)
        else:
            picked = Z.argmax(axis=2)
        hit = classes[picked] == y_test[None, :]
        return np.average(hit, axis=1, weights=sw_test), None, failed
    shell = _shell(classes, X.shape[1], settings, X_test)
    kwargs = {} if sw_test is None else {"sample_weight": sw_test}
    scores = np.empty(alphas.size)
    for i in range(alphas.size):
        coef, intercept = path.coefs[i], path.intercepts[i]
        if classes is None:
            shell.coef_, shell.intercept_ = coef[0], intercept[0]
            shell._held_out_decision = Z[i, :, 0]
        else:
            shell.coef_, shell.intercept_ = coef, intercept
            shell._held_out_decision = Z[i]
        scores[i] = scorer(shell, X_test, y_test, **kwargs)
    return scores, None, failed


class _HeldOut:
    """Mixin for the scorer's view of one alpha of a fold's path: the decision
    values on the held-out rows are computed once for the whole path, so
    ``predict`` on those very rows (the scorer's call) skips validation."""

    def _decision(self, X):
        if X is self._held_out:
            return self._held_out_decision
        return super()._decision(X)


class _HeldOutRegressor(_HeldOut, ElasticNetRegressor):
    pass


class _HeldOutClassifier(_HeldOut, ElasticNetClassifier):
    pass


def _shell(classes, n_features, settings, X_test):
    """A fitted-looking single-alpha estimator the scorer can call ``predict`` on
    (its held-out decision values include the held-out offset)."""
    if classes is None:
        est = _HeldOutRegressor(
            fit_intercept=settings["fit_intercept"], loss=settings["loss"], power=settings["power"]
        )
    else:
        est = _HeldOutClassifier(fit_intercept=settings["fit_intercept"])
        est.classes_ = classes
    est.n_features_in_ = n_features
    est._held_out = X_test
    return est


class _PathCV(_LinearModel):
    """Shared cross-validation logic; subclasses define the loss and the refit model."""

    _is_classifier = False

    def _l1_ratios(self) -> np.ndarray:
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=np.float64))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError("l1_ratio must be a float or a non-empty 1-D list of floats.")
        if not np.all((ratios >= 0) & (ratios <= 1)):
            raise ValueError(f"Every l1_ratio must be in [0, 1], got {ratios.tolist()!r}.")
        return ratios

    def _n_alphas(self):
        """Grid size when the grid is automatic, else ``None`` (explicit alphas)."""
        if self.n_alphas is not None:
            if not isinstance(self.alphas, Integral):
                raise ValueError(
                    "Give either an explicit grid in alphas or a grid size in n_alphas, "
                    "not both (n_alphas is an alias of an integer alphas)."
                )
            return int(self.n_alphas)
        return int(self.alphas) if isinstance(self.alphas, Integral) else None

    def _full_problem(self, X, y, l1_ratio, sw, offset=None):
        args = (l1_ratio, sw, self.penalty_factor, self.positive, self.fit_intercept)
        box = dict(lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds)
        if self._is_classifier:
            return _logistic_problem(X, y, *args, self.classes_, **box)[0]
        return _regression_problem(
            X, y, *args, checked=True, loss=self.loss, power=self.power, offset=offset, **box
        )

    def _alpha_grid(self, X, y, l1_ratio, sw, offset, n_alphas):
        pb = self._full_problem(X, y, l1_ratio, sw, offset)
        groups = getattr(self, "groups", None)
        if groups is None:
            return _grid(pb, n_alphas, self.eps)
        pen = _group_penalty(pb, groups, self.group_weights, 1.0)
        return bcd.group_grid(pb, pen, n_alphas, self.eps)

    def get_metadata_routing(self):
        """Route ``fit``'s metadata to the splitter's ``split`` (e.g. ``groups`` for
        ``GroupKFold``), as scikit-learn's ``ElasticNetCV``, so that the estimator
        works inside ``GridSearchCV`` with metadata routing enabled.

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

    def _split_params(self, params: dict) -> dict:
        """``split``'s parameters: routed when metadata routing is on, else as given."""
        if routing_enabled():
            return dict(process_routing(self, "fit", **params).splitter.split)
        return params

    def _scorer(self):
        """The held-out scorer, or ``None`` for the built-in criterion."""
        if self.scoring is None:
            return None
        if self._is_classifier and not callable(self.scoring):
            return scorer_with_labels(self.scoring, self.classes_)
        return check_scoring(self, scoring=self.scoring)

    def _cv_fit(self, X, y, sample_weight, split_params, cw=None, offset=None):
        if isinstance(sample_weight, Number):
            sample_weight = None  # uniform weights change nothing (as scikit-learn)
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        offset = check_offset(offset, X.shape[0], np.float64)
        split_params = self._split_params(split_params)
        l1_ratios = self._l1_ratios()
        n_alphas = self._n_alphas()
        if n_alphas is None:
            grid = _check_alphas(self.alphas)
            alphas = [grid] * l1_ratios.size
        else:
            alphas = [self._alpha_grid(X, y, r, sw, offset, n_alphas) for r in l1_ratios]
        cv = check_cv(self.cv, y, classifier=self._is_classifier)
        folds = list(cv.split(X, y, **split_params))
        deviance = self.scoring is None and not self._is_classifier
        # None: a criterion computed here for every alpha at once (deviance, accuracy)
        scorer = self._scorer()
        settings = {
            k: getattr(self, k)
            for k in (
                "penalty_factor",
                "positive",
                "lower_bounds",
                "upper_bounds",
                "fit_intercept",
                "tol",
                "max_iter",
                "selection",
            )
        }
        if not self._is_classifier:
            settings.update(loss=self.loss, power=self.power, offset=offset)
            settings.update(groups=self.groups, group_weights=self.group_weights)
        classes = self.classes_ if self._is_classifier else None
        seeds = check_random_state(self.random_state).randint(
            np.iinfo(np.int32).max, size=(l1_ratios.size, len(folds))
        )
        # callbacks: the fit has one task per (l1_ratio, fold) path and the refit
        n_paths = l1_ratios.size * len(folds)
        root = begin_fit(
            self, max_subtasks=n_paths + 1, sequential_subtasks=False, X=X, y=y, sw=sample_weight
        )
        contexts = [
            root.subcontext(
                task_name=f"path l1_ratio={r:g} fold {f}",
                task_id=i * len(folds) + f,
                max_subtasks=len(alphas[i]),
            )
            for i, r in enumerate(l1_ratios)
            for f in range(len(folds))
        ]
        tasks = (
            delayed(_fold_task)(
                X,
                y,
                sw,
                cw,
                train,
                test,
                r,
                a,
                settings,
                scorer,
                classes,
                deviance,
                seeds[i, f],
                self,
                contexts[i * len(folds) + f],
            )  # fmt: skip
            for i, (r, a) in enumerate(zip(l1_ratios, alphas, strict=True))
            for f, (train, test) in enumerate(folds)
        )
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(tasks)

        shape = (l1_ratios.size, len(folds), -1)  # tasks are l1_ratio-major
        scores = np.moveaxis(np.reshape([o[0] for o in out], shape), 2, 1)
        self.scores_path_ = scores  # (n_l1_ratio, n_alphas, n_folds)
        if deviance:
            errs = np.moveaxis(np.reshape([o[1] for o in out], shape), 2, 1)
            self.deviance_path_ = np.squeeze(errs)
            if self.loss == "squared_error":
                self.mse_path_ = self.deviance_path_
        failed = sorted({a for o in out for a in o[2]}, reverse=True)
        _warn_not_converged(failed, len(out) * len(alphas[0]), type(self).__name__, 6)

        best = _best_alpha(scores)
        self.l1_ratio_ = float(l1_ratios[best[0]])
        self.alpha_min_ = float(alphas[best[0]][best[1]])
        self.alpha_1se_ = float(alphas[best[0]][_one_standard_error(scores[best[0]], best[1])])
        self.alpha_ = self.alpha_1se_ if self.alpha_selection == "1se" else self.alpha_min_
        if n_alphas is None:
            self.alphas_ = alphas[0]
        else:
            self.alphas_ = np.asarray(alphas)
            if l1_ratios.size == 1:
                self.alphas_ = self.alphas_[0]

        model = self._refit_model()
        refit = root.subcontext(task_name="refit", task_id=n_paths)
        with refit.propagate_callback_context(model):
            refit.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata(sample_weight))
            if self._is_classifier:
                model.fit(X, y, sample_weight=sample_weight)
            else:
                model.fit(X, y, sample_weight=sample_weight, offset=offset)
                self.stopping_criterion_ = model.stopping_criterion_
            refit.call_on_fit_task_end(estimator=self, X=X, y=y, metadata=metadata(sample_weight))
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        end_fit(root, self, X=X, y=y, sw=sample_weight)
        return self

    def _refit_model(self):
        if self._is_classifier:
            kw = {"class_weight": self.class_weight}
        else:
            kw = {"loss": self.loss, "power": self.power}
            kw.update(groups=self.groups, group_weights=self.group_weights)
        cls = ElasticNetClassifier if self._is_classifier else ElasticNetRegressor
        return cls(
            **kw,
            alpha=self.alpha_,
            l1_ratio=self.l1_ratio_,
            fit_intercept=self.fit_intercept,
            penalty_factor=self.penalty_factor,
            positive=self.positive,
            lower_bounds=self.lower_bounds,
            upper_bounds=self.upper_bounds,
            max_iter=self.max_iter,
            tol=self.tol,
            selection=self.selection,
            random_state=self.random_state,
        )


def _best_alpha(scores) -> tuple[int, int]:
    """``(l1_ratio index, alpha index)`` of the best mean score (higher is better):
    as ``ElasticNetCV``, the first best alpha (the largest) for each l1_ratio, then
    the first l1_ratio whose best mean score is strictly better."""
    best_score, best = -np.inf, (0, 0)
    for i, mean in enumerate(scores.mean(axis=2)):
        j = int(np.argmax(mean))
        if mean[j] > best_score:
            best_score, best = mean[j], (i, j)
    return best


def _one_standard_error(scores, best: int) -> int:
    """Index of the largest alpha (alphas decreasing: the first index) whose mean
    score over folds is within one standard error of the best mean score.

    ``scores`` is ``(n_alphas, n_folds)``, higher is better; the standard error
    is that of the best alpha's mean, ``std(ddof=1) / sqrt(n_folds)`` over the
    folds (glmnet's ``lambda.1se``).  Alphas beyond the best (smaller, less
    regularised) are never chosen."""
    mean = scores.mean(axis=1)
    k = scores.shape[1]
    row = scores[best]
    scale = float(np.max(np.abs(row))) if k > 1 else 0.0
    # scaled: held-out errors of huge targets (1e150) would overflow when squared
    se = scale * float(np.std(row / scale, ddof=1)) / np.sqrt(k) if 0 < scale < np.inf else 0.0
    within = np.flatnonzero(mean[: best + 1] >= mean[best] - se)
    return int(within[0])


def _fill_doc(cls):
    """Insert the text shared by both CV estimators into ``cls.__doc__``."""
    doc = cls.__doc__.replace("    {shared_doc}\n", _SHARED_DOC)
    cls.__doc__ = doc.replace("    {shared_params}\n", _SHARED_PARAMS)
    return cls


_SHARED_DOC = """
    For each ``l1_ratio`` an alpha grid is computed on the full data
    (:func:`~skdecay.alpha_grid`: ``n_alphas`` values from ``alpha_max`` down to
    ``eps * alpha_max``) unless ``alphas`` is an explicit grid; every fold then
    runs a warm-started path on its training rows and scores each ``alpha`` on
    its held-out rows.  For each ``l1_ratio`` the first (largest) ``alpha``
    with the best mean score over folds is kept, then the first ``l1_ratio``
    with a strictly better score wins (scikit-learn's tie rule): that is
    ``alpha_min_``.  ``alpha_1se_`` is the largest ``alpha`` (same ``l1_ratio``)
    whose mean score is within one standard error of the best (glmnet's
    ``lambda.1se``: a sparser, more regularised model that is statistically
    as good).  The model is refitted on all the data at ``alpha_`` (one of the
    two, by ``alpha_selection``) and ``l1_ratio_``.

"""

_SHARED_PARAMS = """    l1_ratio : float or array-like of floats in [0, 1], default=0.5
        Mix of L1 and L2; a list is searched together with ``alpha``.  An
        automatic grid needs ``l1_ratio > 0`` (give ``alphas`` explicitly for 0).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like of shape (n_alphas,), default=100
        Number of alphas of the automatic grid (per ``l1_ratio``), or the grid
        itself (sorted decreasing, shared by every ``l1_ratio``).
    n_alphas : int, default=None
        Same as an integer ``alphas`` (the spelling of scikit-learn < 1.7,
        kept for convenience); ``None`` uses ``alphas``.
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers (0: unpenalised, ``np.inf``: excluded),
        also used by the grid.
    positive : bool, default=False
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (containing 0), as in
        :class:`~skdecay.ElasticNetRegressor`; the grid starts at the boxed
        :func:`~skdecay.alpha_max`.
    cv : int, cross-validation generator or iterable, default=None
        Anything :func:`sklearn.model_selection.check_cv` accepts; ``None`` is
        5-fold (``KFold`` for regression, ``StratifiedKFold`` for classification).
    alpha_selection : {"min", "1se"}, default="min"
        Which ``alpha`` the refit uses: ``"min"`` the best mean held-out score
        (``alpha_min_``, scikit-learn's choice), ``"1se"`` the largest ``alpha``
        within one standard error of it (``alpha_1se_``, glmnet's
        ``lambda.1se``).  Both are always reported.
    n_jobs : int, default=None
        Parallel ``(l1_ratio, fold)`` tasks through joblib (threads).
    verbose : int or bool, default=0
        joblib's verbosity.
    selection : {"cyclic", "random"}, default="cyclic"
    random_state : int, RandomState instance or None, default=None
        Seeds of ``selection="random"`` (one per task, drawn once, so results
        do not depend on ``n_jobs``).
"""


@_fill_doc
class ElasticNetRegressorCV(_GLMRegressor, _PathCV):
    r"""Elastic-net regression or GLM with ``alpha`` (and ``l1_ratio``) chosen by cross-validation.

    Fits the objective of :class:`~skdecay.ElasticNetRegressor`

    .. math::

        \frac{1}{n} \sum_i s_i\, \ell(y_i, x_i^\top w + b + o_i)
        + \alpha \sum_j f_j \Big(\rho |w_j| + \frac{1-\rho}{2} w_j^2\Big)

    with ``ell`` the unit half-deviance of ``loss`` (``(y - z)**2 / 2`` for the
    squared error; Poisson, Gamma, Tweedie with the log link) and the
    ``offset`` ``o`` of :meth:`fit`.  With the squared error it is a drop-in
    for :class:`sklearn.linear_model.ElasticNetCV`: same grid, same folds, same
    mean-squared-error criterion and tie rule, hence the same ``alpha_`` and
    ``mse_path_`` up to solver tolerance.  With a GLM loss the grid starts at
    that loss's :func:`~skdecay.alpha_max` (offset included) and the default
    criterion is the held-out mean deviance (lower is better).
    {shared_doc}
    Parameters
    ----------
    {shared_params}
    max_iter : int, default=1000
        Maximum coordinate-descent passes per ``alpha``.
    tol : float, default=1e-4
        Relative duality-gap tolerance of each fit (along the paths, the gap
        alone decides, as in :func:`~skdecay.enet_path`; the final refit also
        waits for the coefficients to settle).
    scoring : str, callable or None, default=None
        ``None``: the mean deviance of ``loss`` on each held-out fold (weighted
        by the held-out ``sample_weight``; the folds' values are then averaged
        unweighted), lower is better: the mean squared error for
        ``"squared_error"``, exactly as ``ElasticNetCV``, and
        :func:`sklearn.metrics.mean_poisson_deviance`,
        :func:`~sklearn.metrics.mean_gamma_deviance` or
        :func:`~sklearn.metrics.mean_tweedie_deviance` (same ``power``) of the
        predicted means (held-out offsets included) for the GLMs.  Otherwise
        a scikit-learn scorer name or callable ``scorer(estimator, X, y)``,
        called with ``sample_weight=`` the held-out weights when weights are
        given; its ``predict`` on the held-out rows includes their offsets.
    loss : {"squared_error", "poisson", "gamma", "tweedie"}, default="squared_error"
        As in :class:`~skdecay.ElasticNetRegressor`.
    power : float in (1, 2), default=1.5
        Tweedie's power (``loss="tweedie"`` only).
    groups : array-like of shape (n_features,), list of index arrays or callable, default=None
        Feature groups: the sparse-group lasso of
        :class:`~skdecay.ElasticNetRegressor` (``l1_ratio`` then mixes L1 and
        the group norm; ``l1_ratio=0`` is the group lasso, whose automatic grid
        starts at the group ``alpha_max``).  Not to be confused with the
        *sample* ``groups`` that :meth:`fit` passes to the splitter.
    group_weights : array-like of shape (n_groups,), default=None
        Default ``sqrt(|g|)``.

    Attributes
    ----------
    alpha_ : float
        The ``alpha`` of the refit (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_ : float
        The ``alpha`` of the best mean held-out score.
    alpha_1se_ : float
        The largest ``alpha`` whose mean held-out score is within one standard
        error (over folds) of the best, at ``l1_ratio_``.
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The grids; 1-D for a single ``l1_ratio`` or an explicit ``alphas``
        (scikit-learn's layout).
    deviance_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out mean deviances of ``loss`` (see ``scoring``), unit dimensions
        squeezed as in scikit-learn; only with ``scoring=None``.
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        ``deviance_path_`` under scikit-learn's name, for
        ``loss="squared_error"`` only (held-out mean squared errors).
    scores_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out scores, higher is better (``-deviance_path_`` by default),
        never squeezed.
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    dual_gap_ : float
        Of the refit.
    stopping_criterion_ : {"duality_gap", "kkt"}
        Of the refit (see :class:`~skdecay.ElasticNetRegressor`).
    n_iter_ : int
        Of the refit.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import ElasticNetRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=20).fit(X, y)
    >>> model.scores_path_.shape
    (2, 20, 5)
    """

    _parameter_constraints = {**_CV_CONSTRAINTS, **_LOSS, **_GROUPS}
    _coef_is_1d = True

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        groups=None,
        group_weights=None,
        eps=1e-3,
        alphas=100,
        n_alphas=None,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        max_iter=1000,
        tol=1e-4,
        cv=None,
        scoring=None,
        alpha_selection="min",
        n_jobs=None,
        verbose=0,
        selection="cyclic",
        random_state=None,
        loss="squared_error",
        power=1.5,
    ):
        self.l1_ratio = l1_ratio
        self.groups = groups
        self.group_weights = group_weights
        self.eps = eps
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.loss = loss
        self.power = power
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.scoring = scoring
        self.alpha_selection = alpha_selection
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.selection = selection
        self.random_state = random_state

    @atomic_fit
    @fit_context
    def fit(self, X, y, sample_weight=None, offset=None, **params):
        """Cross-validate the path, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Never modified; float32 stays float32.
        y : array-like of shape (n_samples,)
            In the range of ``loss`` (see :class:`~skdecay.ElasticNetRegressor`).
            One target: ``(n_samples, 1)`` is raveled with a
            ``DataConversionWarning`` and several columns raise, as
            scikit-learn's ``ElasticNetCV``.  For several targets use
            :class:`~skdecay.MultiTaskElasticNetRegressorCV` (one alpha, a
            shared sparsity pattern) or
            ``MultiOutputRegressor(ElasticNetRegressorCV())`` (an alpha per target).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used by the path fits (training rows, rescaled to sum to their
            count), by the held-out scores and by the refit.
        offset : array-like of shape (n_samples,), default=None
            Added to the linear predictor (e.g. log exposure), as in
            :meth:`ElasticNetRegressor.fit <skdecay.ElasticNetRegressor.fit>`:
            sliced with the rows for every fold's path and held-out score, and
            used by the grid and the refit.  Through ``Pipeline`` or
            ``GridSearchCV``: ``set_fit_request(offset=True)``.
        **params : dict
            Passed to the splitter's ``split`` (e.g. ``groups=`` for ``GroupKFold``).

        Returns
        -------
        self : object
        """
        _reject_targets(y)
        X, y = check_X_y(self, X, y, y_numeric=True)
        self._loss_entry().check_y(y)
        return self._cv_fit(X, y, sample_weight, params, offset=offset)


def _reject_targets(y) -> None:
    """A clear error for 2-D ``y`` with several columns (one CV target only)."""
    try:  # np.shape would dispatch through __array_function__: convert instead
        shape = y.shape if hasattr(y, "shape") else np.asarray(y).shape
    except (TypeError, ValueError):  # ragged or odd: left to the usual validation
        return
    if len(shape) == 2 and shape[1] > 1:
        raise ValueError(
            f"ElasticNetRegressorCV fits one target, got y of shape {tuple(shape)}. For "
            "several targets use MultiTaskElasticNetRegressorCV (one alpha, a shared "
            "sparsity pattern) or sklearn.multioutput.MultiOutputRegressor("
            "ElasticNetRegressorCV()) (an alpha per target)."
        )


@_fill_doc
class ElasticNetClassifierCV(ClassifierMixin, _PathCV):
    r"""Elastic-net logistic regression with ``alpha`` (and ``l1_ratio``) chosen by CV.

    Fits the objective of :class:`~skdecay.ElasticNetClassifier` (binary
    log-loss, or multinomial for more than two classes)

    .. math::

        \frac{1}{n} \sum_i s_i\, \ell(y_i, x_i^\top W + b)
        + \alpha \sum_{k, j} f_j \Big(\rho |W_{kj}| + \frac{1-\rho}{2} W_{kj}^2\Big)

    i.e. :class:`sklearn.linear_model.LogisticRegressionCV` with
    ``C = 1 / (n * alpha)``, but on an ``alpha`` grid: since ``n`` differs
    between the folds and the full data, a fixed ``alpha`` is the
    regularisation that transfers from the folds to the refit, while a fixed
    ``C`` is not.
    {shared_doc}
    Parameters
    ----------
    {shared_params}
    class_weight : dict, "balanced" or None, default=None
        As in :class:`~skdecay.ElasticNetClassifier`; ``"balanced"`` is computed
        once on all the data and multiplies the training weights of every fold
        (held-out scores are not class weighted), as ``LogisticRegressionCV``.
    max_iter : int, default=100
        Maximum Newton iterations per ``alpha``.
    tol : float, default=1e-4
        Relative duality-gap tolerance of each fit.
    scoring : str, callable or None, default=None
        ``None``: accuracy, the default of scikit-learn 1.9's
        ``LogisticRegressionCV`` (which announces ``"neg_log_loss"`` for 1.11;
        ``scoring="neg_log_loss"`` breaks the frequent accuracy ties and is
        recommended).  Otherwise a scorer name or callable, called with
        ``sample_weight=`` the held-out weights when weights are given.  Named
        scorers whose metric takes ``labels`` (``"neg_log_loss"``,
        ``"neg_brier_score"``) are given ``classes_`` (and, for two classes,
        ``pos_label=classes_[1]``), so a held-out fold lacking a class is
        scored correctly.  :meth:`score` uses ``scoring`` too.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    alpha_ : float
        The ``alpha`` of the refit (``alpha_min_`` or ``alpha_1se_``).
    alpha_min_ : float
        The ``alpha`` of the best mean held-out score.
    alpha_1se_ : float
        The largest ``alpha`` whose mean held-out score is within one standard
        error (over folds) of the best, at ``l1_ratio_``.
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
    scores_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out scores, higher is better.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    dual_gap_ : float
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdecay import ElasticNetClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = ElasticNetClassifierCV(l1_ratio=1.0, alphas=10, cv=3).fit(X, y)
    >>> clf.coef_.shape, clf.scores_path_.shape
    ((1, 30), (1, 10, 3))
    """

    _parameter_constraints = {
        **_CV_CONSTRAINTS,
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    _is_classifier = True

    def __init__(
        self,
        *,
        l1_ratio=0.5,
        eps=1e-3,
        alphas=100,
        n_alphas=None,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        lower_bounds=None,
        upper_bounds=None,
        class_weight=None,
        max_iter=100,
        tol=1e-4,
        cv=None,
        scoring=None,
        alpha_selection="min",
        n_jobs=None,
        verbose=0,
        selection="cyclic",
        random_state=None,
    ):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.scoring = scoring
        self.alpha_selection = alpha_selection
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.selection = selection
        self.random_state = random_state

    @atomic_fit
    @fit_context
    def fit(self, X, y, sample_weight=None, **params):
        """Cross-validate the path, then refit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Never modified; float32 stays float32.
        y : array-like of shape (n_samples,)
        sample_weight : float or array-like of shape (n_samples,), default=None
            Used by the path fits (training rows, rescaled to sum to their
            count), by the held-out scores and by the refit.
        **params : dict
            Passed to the splitter's ``split`` (e.g. ``groups=`` for
            ``GroupKFold``); with metadata routing enabled, routed to it.

        Returns
        -------
        self : object
        """
        X, y = check_X_y(self, X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but "
                f"the data contain only one class: {self.classes_[0]!r}."
            )
        check_weighted_classes(y, sample_weight)
        if isinstance(sample_weight, Number):
            sample_weight = None
        # "balanced" is counted on all the data, then used by every fold (as
        # LogisticRegressionCV) and by the refit
        cw = class_weight_vector(self.class_weight, self.classes_, y, sample_weight)
        return self._cv_fit(X, y, sample_weight, params, cw)

    def score(self, X, y, sample_weight=None):
        """Score with ``scoring`` (accuracy when ``None``), as ``LogisticRegressionCV``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
        if self.scoring is None:
            return ClassifierMixin.score(self, X, y, **kwargs)
        return check_scoring(self, scoring=self.scoring)(self, X, y, **kwargs)

    decision_function = ElasticNetClassifier.decision_function
    predict = ElasticNetClassifier.predict
    predict_proba = ElasticNetClassifier.predict_proba
    predict_log_proba = ElasticNetClassifier.predict_log_proba
