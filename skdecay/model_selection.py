"""Cross-validated elastic-net estimators built on warm-started paths.

For every ``l1_ratio`` the alpha grid is computed once on the full data and
shared by all folds (as in :class:`sklearn.linear_model.ElasticNetCV`); each
``(l1_ratio, gamma, fold)`` triple is one task (:mod:`skdecay._cv`): a
warm-started path on the training part (:mod:`skdecay.path`; ``gamma`` is
MCP's or SCAD's concavity), scored at every ``alpha`` (and, with ``relax``,
every ``relax_gamma``) on the held-out part.  Tasks run through
:class:`joblib.Parallel` (threads: the numba kernels release the GIL, and
``X`` is shared rather than copied).  The candidate with the best mean score
over folds is then refitted on all the data.  Several targets are
cross-validated independently, each with its own ``alpha``, on the same folds.
"""

from __future__ import annotations

from numbers import Integral, Number

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import ClassifierMixin
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.multiclass import check_classification_targets

from ._callbacks import begin_fit, end_fit, metadata
from ._compat import Interval, Real, StrOptions, fit_context, routing_enabled, scorer_with_labels
from ._cv import choose, fold_task
from ._cv_docs import fill_doc
from ._fit_state import atomic_fit
from ._groups import resolve_groups
from ._path_core import (
    check_alphas,
    group_penalty,
    problem_grid,
    warn_path_not_converged,
    with_penalty,
)
from ._validation import (
    check_offset,
    check_sample_weight,
    check_weighted_classes,
    check_X_y,
    class_weight_vector,
)
from .linear_model import ElasticNetClassifier, ElasticNetRegressor
from .linear_model._base import GROUP_CONSTRAINTS, LOSS_CONSTRAINTS, LinearModelBase
from .linear_model._glm import GLMRegressorBase
from .penalties import DEFAULT_GAMMA
from .solvers import bcd
from .solvers.problem import logistic_problem, regression_problem

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
    # MCP / SCAD, their concavity (a list is cross-validated), the relaxed fit
    "penalty": [StrOptions({"elastic_net", "mcp", "scad"})],
    "gamma": [Interval(Real, 1, None, closed="neither"), "array-like", None],
    "relax": ["boolean"],
    "relax_gamma": [Interval(Real, 0, 1, closed="both"), "array-like"],
    **GROUP_CONSTRAINTS,
}
#: the relaxed mixes cross-validated by default (glmnet's ``cv.glmnet(relax=TRUE)``)
RELAX_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _grid_values(value, name: str) -> np.ndarray:
    """A float or a non-empty 1-D list of floats in ``[0, 1]`` as an array."""
    values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a float or a non-empty 1-D list of floats.")
    if not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"Every {name} must be in [0, 1], got {values.tolist()!r}.")
    return values


class _PathCV(LinearModelBase):
    """Shared cross-validation logic; subclasses define the loss and the refit model."""

    _is_classifier = False

    def _l1_ratios(self) -> np.ndarray:
        return _grid_values(self.l1_ratio, "l1_ratio")

    def _gammas(self) -> np.ndarray:
        """MCP's / SCAD's concavities to try (``[nan]`` for the elastic net)."""
        if self.penalty == "elastic_net" or self.gamma is None:
            return np.array([DEFAULT_GAMMA.get(self.penalty, np.nan)])
        low = 2.0 if self.penalty == "scad" else 1.0
        gammas = np.atleast_1d(np.asarray(self.gamma, dtype=np.float64))
        if gammas.ndim != 1 or not gammas.size or not np.all((gammas > low) & (gammas < np.inf)):
            raise ValueError(
                f"gamma must be > {low:g} for penalty={self.penalty!r} (a float or a "
                f"non-empty list of finite floats), got {self.gamma!r}."
            )
        return gammas

    def _relax_gammas(self) -> np.ndarray | None:
        if not self.relax:
            return None
        return _grid_values(self.relax_gamma, "relax_gamma")

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
            return logistic_problem(X, y, *args, self.classes_, **box)[0]
        return regression_problem(
            X, y, *args, checked=True, loss=self.loss, power=self.power, offset=offset, **box
        )

    def _alpha_grid(self, X, y, l1_ratio, sw, offset, n_alphas):
        pb = self._full_problem(X, y, l1_ratio, sw, offset)
        groups = self._feature_groups()
        if groups is None:  # MCP / SCAD: the lasso's alpha_max (gamma-free)
            return problem_grid(
                with_penalty(pb, self.penalty, self._gammas()[0]), n_alphas, self.eps
            )
        pen = group_penalty(pb, groups, self.group_weights, 1.0)
        return bcd.group_grid(pb, pen, n_alphas, self.eps)

    def _check_combinations(self) -> None:
        if self.groups is not None and self.penalty != "elastic_net":
            raise ValueError("groups combine with penalty='elastic_net' only.")

    def _feature_groups(self):
        """``groups`` for this fit (:class:`~skdecay.ColumnGroups` read from the
        feature names), or ``None``."""
        groups = getattr(self, "groups", None)
        names = getattr(self, "feature_names_in_", None)
        return None if groups is None else resolve_groups(groups, self.n_features_in_, names)

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
        self._check_combinations()
        if isinstance(sample_weight, Number):
            sample_weight = None  # uniform weights change nothing (as scikit-learn)
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X.shape[0], np.float64)
        offset = check_offset(offset, X.shape[0], np.float64)
        split_params = self._split_params(split_params)
        l1_ratios, gammas, relax = self._l1_ratios(), self._gammas(), self._relax_gammas()
        n_alphas = self._n_alphas()
        if n_alphas is None:
            grid = check_alphas(self.alphas)
            alphas = [grid] * l1_ratios.size
        else:
            alphas = [self._alpha_grid(X, y, r, sw, offset, n_alphas) for r in l1_ratios]
        cv = check_cv(self.cv, y, classifier=self._is_classifier)
        folds = list(cv.split(X, y, **split_params))
        deviance = self.scoring is None and not self._is_classifier
        # None: a criterion computed here for every alpha at once (deviance, accuracy)
        scorer = self._scorer()
        names = ["penalty_factor", "positive", "lower_bounds", "upper_bounds", "fit_intercept"]
        names += ["tol", "max_iter", "selection", "penalty", "groups", "group_weights"]
        settings = {k: getattr(self, k) for k in names}
        settings["groups"] = self._feature_groups()
        settings["relax_gammas"] = relax
        if not self._is_classifier:
            settings.update(loss=self.loss, power=self.power, offset=offset)
        classes = self.classes_ if self._is_classifier else None
        # the candidates of the outer grid, l1_ratio-major
        configs = [(i, k) for i in range(l1_ratios.size) for k in range(gammas.size)]
        seeds = check_random_state(self.random_state).randint(
            np.iinfo(np.int32).max, size=(len(configs), len(folds))
        )
        # callbacks: the fit has one task per (l1_ratio, gamma, fold) path and the refit
        n_paths = len(configs) * len(folds)
        root = begin_fit(
            self, max_subtasks=n_paths + 1, sequential_subtasks=False, X=X, y=y, sw=sample_weight
        )
        contexts = [
            root.subcontext(
                task_name=f"path l1_ratio={l1_ratios[i]:g}"
                + ("" if np.isnan(gammas[k]) else f" gamma={gammas[k]:g}")
                + f" fold {f}",
                task_id=c * len(folds) + f,
                max_subtasks=len(alphas[i]),
            )
            for c, (i, k) in enumerate(configs)
            for f in range(len(folds))
        ]
        tasks = (
            delayed(fold_task)(
                X,
                y,
                sw,
                cw,
                train,
                test,
                (l1_ratios[i], gammas[k]),
                alphas[i],
                settings,
                scorer,
                classes,
                deviance,
                seeds[c, f],
                self,
                contexts[c * len(folds) + f],
            )  # fmt: skip
            for c, (i, k) in enumerate(configs)
            for f, (train, test) in enumerate(folds)
        )
        out = Parallel(n_jobs=self.n_jobs, verbose=self.verbose, prefer="threads")(tasks)
        full = self._store_scores(out, l1_ratios, gammas, relax, len(folds), deviance)
        failed = sorted({a for o in out for a in o[2]}, reverse=True)
        warn_path_not_converged(failed, len(out) * len(alphas[0]), type(self).__name__, 6)
        self._select(full, l1_ratios, gammas, relax, alphas, n_alphas)

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

    def _store_scores(self, out, l1_ratios, gammas, relax, n_folds, deviance) -> np.ndarray:
        """``scores_path_`` (and the deviances) from the tasks' outputs: the full
        ``(n_l1_ratio, n_gamma, n_relax, n_alphas, n_folds)`` array is kept for the
        selection, the public one drops the gamma axis for a scalar ``gamma`` and
        the relax axis without ``relax``; returns the full array."""
        n_relax = 1 if relax is None else relax.size
        shape = (l1_ratios.size, gammas.size, n_folds, n_relax, -1)  # task order
        full = np.moveaxis(np.reshape([o[0] for o in out], shape), 2, -1)
        axes = ((1, self._gamma_axis()), (2, relax is not None))
        drop = tuple(ax for ax, keep in axes if not keep)
        self.scores_path_ = np.squeeze(full, axis=drop)
        if deviance:
            errs = np.moveaxis(np.reshape([o[1] for o in out], shape), 2, -1)
            self.deviance_path_ = np.squeeze(errs)
            if self.loss == "squared_error":
                self.mse_path_ = self.deviance_path_
        return full

    def _gamma_axis(self) -> bool:
        """Whether ``gamma`` is a list (then cross-validated: an axis of the scores)."""
        return self.penalty != "elastic_net" and np.ndim(self.gamma) == 1

    def _select(self, full, l1_ratios, gammas, relax, alphas, n_alphas) -> None:
        """The chosen candidate and alphas (``alpha_min_``, ``alpha_1se_``, ``alpha_``)
        from the ``full`` scores (see :meth:`_store_scores`)."""
        (i, k, r), j, j_1se = choose(full)
        self.l1_ratio_ = float(l1_ratios[i])
        if self.penalty != "elastic_net":
            self.gamma_ = float(gammas[k])
        if relax is not None:
            self.relax_gamma_ = float(relax[r])
        self.alpha_min_ = float(alphas[i][j])
        self.alpha_1se_ = float(alphas[i][j_1se])
        self.alpha_ = self.alpha_1se_ if self.alpha_selection == "1se" else self.alpha_min_
        self.cv_scores_ = full[:, k, r]  # per l1_ratio, at the chosen gamma_ / relax_gamma_
        self.score_name_ = self._score_name()
        if n_alphas is None:
            self.alphas_ = alphas[0]
        else:
            self.alphas_ = np.asarray(alphas)
            if l1_ratios.size == 1:
                self.alphas_ = self.alphas_[0]

    def _refit_model(self):
        if self._is_classifier:
            kw = {"class_weight": self.class_weight}
        else:
            kw = {"loss": self.loss, "power": self.power}
        cls = ElasticNetClassifier if self._is_classifier else ElasticNetRegressor
        return cls(
            **kw,
            groups=self._feature_groups(),
            group_weights=self.group_weights,
            penalty=self.penalty,
            gamma=getattr(self, "gamma_", None),
            relax=self.relax,
            relax_gamma=getattr(self, "relax_gamma_", 0.0),
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

    def _score_name(self) -> str:
        """``score_name_``: what ``scores_path_`` holds (higher is better)."""
        if self.scoring is not None:
            return self.scoring if isinstance(self.scoring, str) else "score"
        if self._is_classifier or self.loss == "squared_error":
            return "accuracy" if self._is_classifier else "neg. MSE"
        power = f" (power={float(self.power):g})" if self.loss == "tweedie" else ""
        return f"neg. mean {self.loss.capitalize()} deviance{power}"


@fill_doc
class ElasticNetRegressorCV(GLMRegressorBase, _PathCV):
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

    Attributes
    ----------
    {shared_attrs}
    deviance_path_ : ndarray of shape (n_l1_ratio, [n_gamma,] [n_relax_gamma,] n_alphas, n_folds)
        Held-out mean deviances of ``loss`` (see ``scoring``), unit dimensions
        squeezed as in scikit-learn; only with ``scoring=None``.
    mse_path_ : ndarray of shape (n_l1_ratio, [n_gamma,] [n_relax_gamma,] n_alphas, n_folds)
        ``deviance_path_`` under scikit-learn's name, for
        ``loss="squared_error"`` only (held-out mean squared errors).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        Of the refit.
    stopping_criterion_ : {"duality_gap", "kkt"}
        Of the refit (see :class:`~skdecay.ElasticNetRegressor`).
    n_iter_ : int or list of int
        Of the refit.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Notes
    -----
    With 2-D ``y`` (several targets, squared error only) every target is
    cross-validated on its own (its own grid, ``alpha_``, ``l1_ratio_``, ...),
    on the same folds: the result equals one fit per column.  Every fitted
    attribute above then gains a leading axis of length ``n_targets``
    (``alpha_`` of shape (n_targets,), ``coef_`` (n_targets, n_features),
    ``scores_path_`` (n_targets, ...), unit axes of ``mse_path_`` squeezed
    per target), also for ``y`` of shape (n_samples, 1), whose predictions
    keep that shape.  For one alpha and a shared sparsity pattern use
    :class:`~skdecay.MultiTaskElasticNetRegressorCV`.

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

    _parameter_constraints = {**_CV_CONSTRAINTS, **LOSS_CONSTRAINTS}
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
        penalty="elastic_net",
        gamma=None,
        relax=False,
        relax_gamma=RELAX_GAMMAS,
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
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.penalty = penalty
        self.gamma = gamma
        self.relax = relax
        self.relax_gamma = relax_gamma
        self.loss = loss
        self.power = power
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
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            In the range of ``loss`` (see :class:`~skdecay.ElasticNetRegressor`).
            2-D ``y`` (squared error only): independent targets, each with its
            own ``alpha`` (see Notes); the GLM losses ravel one column with a
            ``DataConversionWarning`` and reject several.
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
        multi = self.loss == "squared_error"
        if not multi and len(getattr(y, "shape", ())) == 2 and y.shape[1] > 1:
            raise ValueError(
                f"Several targets (y of shape {y.shape}) need loss='squared_error'; got "
                f"loss={self.loss!r}: cross-validate one target at a time."
            )
        X, y = check_X_y(self, X, y, y_numeric=True, multi_output=multi)
        if sp.issparse(y):
            y = y.toarray()
        self._loss_entry().check_y(y)
        if y.ndim == 2:
            return self._fit_targets(X, y, sample_weight, offset, params)
        return self._cv_fit(X, y, sample_weight, params, offset=offset)

    def _fit_targets(self, X, Y, sample_weight, offset, params):
        """One independent CV fit per column of ``Y``, on the same folds."""
        if Y.shape[1] == 0:
            raise ValueError("y has no target (shape (n_samples, 0)).")
        cv = check_cv(self.cv, Y[:, 0])
        folds = list(cv.split(X, Y[:, 0], **self._split_params(params)))
        # callbacks: one task per target, each the CV fit of that target
        root = begin_fit(self, max_subtasks=Y.shape[1], X=X, y=Y, sw=sample_weight)
        fits = []
        for j in range(Y.shape[1]):
            # a fresh estimator (clone would copy the callbacks, which are propagated)
            fit = type(self)(**{**self.get_params(deep=False), "cv": folds})
            task = root.subcontext(task_name=f"target {j}")
            with task.propagate_callback_context(fit):
                md = metadata(sample_weight)
                task.call_on_fit_task_begin(estimator=self, X=X, y=Y[:, j], metadata=md)
                fits.append(fit.fit(X, Y[:, j], sample_weight=sample_weight, offset=offset))
                task.call_on_fit_task_end(estimator=self, X=X, y=Y[:, j], metadata=md)
        for name in _PER_TARGET:
            if hasattr(fits[0], name):
                setattr(self, name, np.stack([getattr(f, name) for f in fits]))
        self.n_iter_ = [f.n_iter_ for f in fits]
        self.stopping_criterion_ = fits[0].stopping_criterion_
        self.score_name_ = fits[0].score_name_
        end_fit(root, self, X=X, y=Y, sw=sample_weight)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self.loss == "squared_error"  # independent targets
        return tags


# the fitted attributes of a single-target fit stacked over targets
_PER_TARGET = (
    "alpha_",
    "alpha_min_",
    "alpha_1se_",
    "l1_ratio_",
    "gamma_",
    "relax_gamma_",
    "alphas_",
    "scores_path_",
    "cv_scores_",
    "deviance_path_",
    "mse_path_",
    "coef_",
    "intercept_",
    "dual_gap_",
)


@fill_doc
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
    {shared_attrs}
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
        penalty="elastic_net",
        gamma=None,
        relax=False,
        relax_gamma=RELAX_GAMMAS,
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
        self.groups = groups
        self.group_weights = group_weights
        self.eps = eps
        self.alphas = alphas
        self.n_alphas = n_alphas
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.penalty = penalty
        self.gamma = gamma
        self.relax = relax
        self.relax_gamma = relax_gamma
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
