"""Tuning: one selection estimator (``alpha``, ``l1_ratio``), cross-validated as a whole."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._settings import _GLM, GROUP_L1_RATIOS, L1_RATIOS

if TYPE_CHECKING:
    import numpy as np


@dataclass
class _Tuned:
    """The selection on all rows: the table, the final model and its path."""

    estimator: Any
    alphas: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    nonzero: np.ndarray
    path: Any  # RegularizationPath: coefs (n_alphas, [K,] n_features) for the plot
    best: int
    l1_ratio: float | None
    value_name: str = "coefficient on standardized features"
    notes: list[str] = field(default_factory=list)


def _feature_nonzero(coefs: np.ndarray) -> np.ndarray:
    """Features with a nonzero coefficient per alpha, from coefficients ``(n_alphas, [K,] p)``."""
    import numpy as np

    if coefs.ndim == 3:
        return np.count_nonzero(np.any(coefs != 0, axis=1), axis=1)
    return np.count_nonzero(coefs, axis=1)


def _mlp(kind: str, seed: int):
    """The MLP of ``--model mlp``: one hidden layer of 32 units, early stopping."""
    from ..neural_network import ElasticNetMLPClassifier, ElasticNetMLPRegressor

    cls = ElasticNetMLPClassifier if kind == "classification" else ElasticNetMLPRegressor
    return cls(
        hidden_layer_sizes=(32,),
        l1_ratio=0.5,
        learning_rate_init=1e-2,
        max_iter=200,
        early_stopping=True,
        validation_fraction=0.15,
        n_iter_no_change=10,
        random_state=seed,
    )


def _grid(model: str, n_alphas: int, n_rows: int) -> np.ndarray:
    import numpy as np

    if model == "ridge":  # sum-of-squares convention: alpha / n is the mean-loss penalty
        return n_rows * np.logspace(1, -4, n_alphas)
    return np.logspace(0, -4, n_alphas)  # mlp: alpha = 1 already silences most inputs


def _loss_params(model: str, power: float | None) -> dict:
    """The ``loss=`` (and Tweedie's ``power=``) of the regressors for ``--model``."""
    if model not in _GLM:
        return {}
    return {"loss": model, "power": power} if model == "tweedie" else {"loss": model}


def _deviance_name(model: str, power: float | None) -> str:
    if model == "tweedie":
        return f"Tweedie deviance (power={power:g})"
    return {"poisson": "Poisson deviance", "gamma": "Gamma deviance"}.get(model, "squared error")


def _selector(
    kind: str,
    model: str,
    n_alphas: int,
    cv,
    scoring: str | None,
    seed: int,
    n_rows: int,
    power: float | None = None,
    groups=None,
):
    """The estimator that chooses ``alpha`` (and ``l1_ratio``) by CV on the rows it is given.

    With ``groups`` (``--groups columns``), the linear models' group penalty:
    ``--model lasso`` the group lasso (``l1_ratio=0``), the others the
    sparse-group lasso over :data:`GROUP_L1_RATIOS`.
    """
    from sklearn.model_selection import GridSearchCV

    from ..linear_model import RidgeRegressor
    from ..model_selection import ElasticNetClassifierCV, ElasticNetRegressorCV

    grid = list(L1_RATIOS) if groups is None else list(GROUP_L1_RATIOS)
    grouped = {} if groups is None else {"groups": groups}
    if model in _GLM:  # scoring None: the estimator's own, the held-out mean deviance
        return ElasticNetRegressorCV(
            l1_ratio=grid,
            alphas=n_alphas,
            cv=cv,
            scoring=scoring,
            **_loss_params(model, power),
            **grouped,
        )
    if model in ("elasticnet", "lasso", "logistic"):
        cls = ElasticNetClassifierCV if kind == "classification" else ElasticNetRegressorCV
        if model == "lasso":
            grid = 1.0 if groups is None else 0.0
        return cls(l1_ratio=grid, alphas=n_alphas, cv=cv, scoring=scoring, **grouped)
    base = RidgeRegressor() if model == "ridge" else _mlp(kind, seed)
    grid = {"alpha": list(_grid(model, n_alphas, n_rows))}
    return GridSearchCV(base, grid, cv=cv, scoring=scoring)


def _pipeline(pre, selector):
    from sklearn.pipeline import Pipeline

    return Pipeline([("preprocess", pre), ("model", selector)])


def _fit_pipeline(pre, selector, X, y, offset=None):
    """``Pipeline([pre, selector]).fit(X, y)``, the offset (if any) passed to the model's
    ``fit`` (the preprocessing never sees it: no metadata routing needed)."""
    if offset is None:
        return _pipeline(pre, selector).fit(X, y)
    Xt = pre.fit_transform(X)
    selector.fit(Xt, y, offset=offset)
    return _pipeline(pre, selector)


def _finish_linear(
    search, Xt, y, kind: str, model: str, power: float | None = None, offset=None
) -> _Tuned:
    """Table, refit and path of a fitted ``ElasticNet*CV`` selector.

    The path is :func:`~skdecay.estimator_path` of the selector on its own grid
    at the chosen ``l1_ratio_``: the problem it solved (loss, offset, groups,
    penalty, ...), not one rebuilt here.  ``Xt`` is the preprocessed DataFrame
    when the selector has ``groups`` (:class:`~skdecay.ColumnGroups` reads the
    feature names).
    """
    import numpy as np

    from .._estimator_path import estimator_path
    from ..linear_model import ElasticNetClassifier, ElasticNetRegressor, LassoRegressor

    ratios = np.atleast_1d(np.asarray(search.l1_ratio, dtype=np.float64))
    i = int(np.flatnonzero(ratios == search.l1_ratio_)[0])
    scores = search.scores_path_[i]  # (n_alphas, n_folds)
    ratio = float(search.l1_ratio_)
    path = estimator_path(search, np.asarray(Xt, dtype=np.float64), y, offset=offset)
    alphas = np.asarray(path.alphas, dtype=np.float64)
    best = int(np.flatnonzero(alphas == search.alpha_)[0])
    grouped = {} if search.groups is None else {"groups": search.groups}
    if kind == "classification":
        final = ElasticNetClassifier(alpha=search.alpha_, l1_ratio=ratio, **grouped).fit(Xt, y)
    elif model == "lasso" and not grouped:
        final = LassoRegressor(alpha=search.alpha_).fit(Xt, y)
    else:
        loss = _loss_params(model, power)
        final = ElasticNetRegressor(alpha=search.alpha_, l1_ratio=ratio, **loss, **grouped)
        final.fit(Xt, y, **({} if offset is None else {"offset": offset}))
    coefs = np.array(path.coefs, dtype=np.float64)
    # the starred row is the model that is saved, so its count and the selected features agree
    coefs[best] = np.asarray(final.coef_, dtype=np.float64).reshape(coefs[best].shape)
    if coefs.ndim == 3 and coefs.shape[1] == 1:
        coefs = coefs[:, 0, :]
    path = path._replace(coefs=coefs)
    value_name = "coefficient on standardized features"
    if model in _GLM:
        value_name += " (log-mean scale)"
    return _Tuned(
        final, alphas, scores.mean(axis=1), scores.std(axis=1), _feature_nonzero(coefs), path,
        best, ratio, value_name,
    )  # fmt: skip


def _finish_grid(search, Xt, y, model: str) -> _Tuned:
    """Table, refits along the grid and path of a fitted ``GridSearchCV`` selector."""
    import numpy as np
    from sklearn.base import clone

    from ..path import RegularizationPath

    alphas = np.asarray(search.param_grid["alpha"], dtype=np.float64)
    res = search.cv_results_
    best = int(search.best_index_)
    fits = [
        search.best_estimator_
        if k == best
        else clone(search.estimator).set_params(alpha=a).fit(Xt, y)
        for k, a in enumerate(alphas)
    ]
    notes = []
    if model == "ridge":
        coefs = np.array([f.coef_ for f in fits])
        value_name = "coefficient on standardized features"
    else:
        # an input's importance: the norm of its outgoing first-layer weights
        coefs = np.array([np.linalg.norm(f.coefs_[0], axis=1) for f in fits])
        value_name = "norm of the input's first-layer weights"
        stopped = [f.n_iter_ for f in fits]
        notes.append(
            f"mlp: one hidden layer of 32 units, l1_ratio=0.5, Adam, early stopping on 15% of "
            f"the rows; {min(stopped)}-{max(stopped)} epochs along the grid (max 200). The plot "
            "shows each input's first-layer weight norm; 'nonzero' counts inputs in use"
        )
    nonzero = np.count_nonzero(coefs, axis=1)
    path = RegularizationPath(
        alphas,
        coefs,
        np.zeros(alphas.size),
        np.full(alphas.size, np.nan),
        np.zeros(alphas.size, int),
    )
    return _Tuned(
        fits[best], alphas, np.asarray(res["mean_test_score"]), np.asarray(res["std_test_score"]),
        nonzero, path, best, None, value_name, notes,
    )  # fmt: skip


def _deviance_scores(y, mu, power: float) -> tuple[float, float]:
    """``(D², mean deviance)`` of the means ``mu`` (Tweedie deviance of ``power``)."""
    from sklearn.metrics import d2_tweedie_score, mean_tweedie_deviance

    return d2_tweedie_score(y, mu, power=power), mean_tweedie_deviance(y, mu, power=power)


def _nested_scores(
    X, y, pre, selector, outer, scoring: str | None, log, power=None, offset=None
) -> np.ndarray:
    """Held-out score of the whole pipeline (preprocessing + selection) on each outer fold.

    The same numbers as ``cross_val_score(Pipeline([pre, selector]), X, y,
    cv=outer, scoring=scoring)``, with one progress line per fold.  With
    ``power`` (the log-link models, ``scoring=None``): ``(D², mean deviance)``
    of the held-out means (offset included) per fold, shape ``(n_folds, 2)``.
    """
    import numpy as np
    from sklearn.base import clone
    from sklearn.metrics import get_scorer

    scorer = get_scorer(scoring) if scoring is not None else None
    scores = []
    folds = list(outer.split(X, y))
    for k, (train, test) in enumerate(folds):
        t0 = time.perf_counter()
        off = None if offset is None else offset[train]
        est = _fit_pipeline(clone(pre), clone(selector), X.iloc[train], y[train], off)
        if scorer is not None:
            scores.append(scorer(est, X.iloc[test], y[test]))
            shown = f"{scoring}={scores[-1]:.4f}"
        else:
            mu = est.predict(X.iloc[test]) * (1.0 if offset is None else np.exp(offset[test]))
            scores.append(_deviance_scores(y[test], mu, power))
            shown = f"D²={scores[-1][0]:.4f}, mean deviance={scores[-1][1]:.4g}"
        chosen = est[-1]
        alpha = getattr(chosen, "alpha_", None) or chosen.best_params_["alpha"]
        ratio = getattr(chosen, "l1_ratio_", None)
        where = f"alpha={alpha:.4g}" + ("" if ratio is None else f", l1_ratio={ratio:g}")
        log(
            f"  outer fold {k + 1}/{len(folds)}: {shown} "
            f"(selected {where}; {time.perf_counter() - t0:.1f} s)"
        )
    return np.asarray(scores, dtype=np.float64)
