"""The fold machinery of the CV estimators (:mod:`skdecay.model_selection`).

One task is one ``(l1_ratio, gamma, fold)`` triple: a warm-started path on the
fold's training rows (elastic net, MCP / SCAD, or the sparse-group lasso of
any loss: the path functions of :mod:`skdecay.path`), then every ``alpha``
scored on the held-out rows.  With ``relax`` each ``alpha``'s
fit is also refitted without penalty on its active set (glmnet's relaxed
fit) and every mix ``g * penalised + (1 - g) * relaxed`` of ``relax_gammas``
is scored; held-out predictions mix the same way, so one refit per active set
serves every ``g``.  The selection rules (best mean score, one standard error)
live here too.
"""

from __future__ import annotations

import numpy as np

from . import losses
from ._callbacks import leaf_task, metadata
from ._path_core import (
    as_csc,
    group_penalty,
    solve_group_path,
    solve_path,
    with_penalty,
)
from .linear_model import ElasticNetClassifier, ElasticNetRegressor
from .solvers import Result, solve
from .solvers.problem import logistic_problem, regression_problem

__all__ = ["fold_task", "choose", "best_candidate", "one_standard_error"]


def _rows(X, train, test, classes):
    """The training (Fortran / CSC) and held-out parts of ``X``."""
    if not isinstance(X, np.ndarray):
        return as_csc(X[train]), as_csc(X[test])
    if X.flags.f_contiguous:  # the training rows gathered once, Fortran-ordered
        rows = np.asarray(train)
        rows = np.flatnonzero(rows) if rows.dtype == bool else rows
        return np.take(X.T, rows, axis=1).T, X[test]
    # C-ordered (a classifier's X): the logistic path reads it by rows
    return (X[train] if classes is not None else np.asfortranarray(X[train])), X[test]


def _train_problem(X_train, y_train, sw_train, train, l1_ratio, settings, classes):
    common = (
        l1_ratio,
        sw_train,
        settings["penalty_factor"],
        settings["positive"],
        settings["fit_intercept"],
    )
    box = {k: settings[k] for k in ("lower_bounds", "upper_bounds")}
    if classes is None:
        offset = settings.get("offset")
        return regression_problem(
            X_train,
            y_train,
            *common,
            checked=True,
            loss=settings["loss"],
            power=settings["power"],
            offset=None if offset is None else offset[train],
            **box,
        )
    return logistic_problem(X_train, y_train, *common, classes, **box)[0]


class _Quiet:
    """Mixin: the unpenalised refits of a fold report non-convergence to the task
    (one warning for the whole CV fit) instead of warning each."""

    def _solve(self, pb, W, b):
        res = solve(
            pb, W, b, max_iter=self.max_iter, tol=self.tol, selection=self.selection,
            rng=np.random.RandomState(self.random_state), warn=False,
        )  # fmt: skip
        self.converged_ = self.converged_ and res.converged
        return res


class _QuietRegressor(_Quiet, ElasticNetRegressor):
    pass


class _QuietClassifier(_Quiet, ElasticNetClassifier):
    pass


def _relaxed_refits(pb, path, settings, classes, seed):
    """Per alpha, the fully relaxed fit (``relax_gamma = 0``): the unpenalised refit
    on the active set, by the single estimators' own relaxation; one refit per
    distinct active set.  Returns ``(coefs, intercepts, alphas not converged)``."""
    cls = _QuietRegressor if classes is None else _QuietClassifier
    shell = cls(
        max_iter=settings["max_iter"],
        tol=settings["tol"],
        selection=settings["selection"],
        random_state=seed,
    )
    coefs, intercepts = np.empty_like(path.coefs), np.empty_like(path.intercepts)
    done, failed = {}, []
    for i in range(path.coefs.shape[0]):
        key = np.any(path.coefs[i] != 0, axis=0).tobytes()
        if key not in done:
            shell.converged_ = True
            res = Result(path.coefs[i], path.intercepts[i], 0.0, 0.0, 0, True)
            done[key] = (shell._relaxed(pb, res, 0.0), shell.converged_)
        if not done[key][1]:
            failed.append(float(path.alphas[i]))
        if np.any(path.coefs[i] != 0):
            coefs[i], intercepts[i] = done[key][0].coef, done[key][0].intercept
        else:  # no active feature: the null model of this alpha (its own intercept)
            coefs[i], intercepts[i] = path.coefs[i], path.intercepts[i]
    return coefs, intercepts, failed


def fold_task(
    X, y, sw, cw, train, test, config, alphas, settings, scorer, classes, deviance, seed, est, ctx
) -> tuple[np.ndarray, np.ndarray | None, list[float]]:
    """Path on ``train``, scored on ``test``: ``(scores, deviance or None, failed alphas)``.

    ``config`` is ``(l1_ratio, gamma)`` (``gamma`` of MCP / SCAD, ignored by
    the elastic net).  ``scores`` (higher is better) has shape ``(n_relax,
    n_alphas)``: one row per ``settings["relax_gammas"]`` (one row without
    relaxation).  The default regression score (``deviance`` true) is
    ``-deviance`` with ``deviance`` the ``sw``-weighted mean deviance of the
    loss on the held-out rows (the mean squared error for the squared loss,
    :func:`sklearn.metrics.mean_tweedie_deviance` with the loss's power for the
    GLMs).  The ``offset`` of ``settings`` (or ``None``) is sliced like ``y``.
    ``cw`` (per-sample class weights, or ``None``) multiplies the training
    weights only: held-out scores are not class weighted (as
    ``LogisticRegressionCV``).  ``ctx`` is the callback context of this task
    (for ``est``, the CV estimator): one leaf per alpha.
    """
    l1_ratio, gamma = config
    X_train, X_test = _rows(X, train, test, classes)
    sw_train = None if sw is None else sw[train]
    sw_test = None if sw is None else sw[test]
    if cw is not None:
        sw_train = cw[train] if sw_train is None else sw_train * cw[train]
    y_train = y[train]
    pb = _train_problem(X_train, y_train, sw_train, train, l1_ratio, settings, classes)
    ctx.call_on_fit_task_begin(estimator=est, X=X_train, y=y_train, metadata=metadata(sw_train))
    on_alpha = None
    if ctx:

        def on_alpha(i, coef, intercept):
            def attrs():
                if classes is None:
                    return {"coef_": coef[0].copy(), "intercept_": intercept[0]}
                return {"coef_": coef.copy(), "intercept_": intercept.copy()}

            leaf_task(ctx, est, f"alpha={alphas[i]:.3g}", attrs, X=X_train, y=y_train, sw=sw_train)

    kw = dict(tol=settings["tol"], max_iter=settings["max_iter"], on_alpha=on_alpha)
    if settings.get("groups") is not None:  # the sparse-group lasso (path.py's, any loss)
        pen = group_penalty(pb, settings["groups"], settings["group_weights"], 1.0)
        path, failed = solve_group_path(pb, pen, alphas, **kw)
    else:
        pb = with_penalty(pb, settings["penalty"], gamma)
        rng = np.random.RandomState(seed)
        path, failed = solve_path(pb, alphas, selection=settings["selection"], rng=rng, **kw)
    ctx.call_on_fit_task_end(estimator=est, X=X_train, y=y_train, metadata=metadata(sw_train))
    offset = settings.get("offset")
    held_out = (X_test, y[test], sw_test, None if offset is None else offset[test])
    fits = [(path.coefs, path.intercepts)]
    relax = settings.get("relax_gammas")
    if relax is not None:
        *relaxed, not_relaxed = _relaxed_refits(pb, path, settings, classes, seed)
        fits.append(relaxed)
        failed = sorted(set(failed) | set(not_relaxed), reverse=True)
    Zs = [_decisions(X_test, c, b, held_out[3]) for c, b in fits]
    scores, errs = [], []
    for g in [1.0] if relax is None else relax:
        if len(fits) == 1 or g == 1:
            coefs, intercepts, Z = fits[0][0], fits[0][1], Zs[0]
        else:  # the mix of the two fits, and of their (linear) predictions
            coefs = g * fits[0][0] + (1 - g) * fits[1][0]
            intercepts = g * fits[0][1] + (1 - g) * fits[1][1]
            Z = g * Zs[0] + (1 - g) * Zs[1]
        s, e = _score_path(pb, Z, coefs, intercepts, held_out, scorer, classes, deviance, est)
        scores.append(s)
        errs.append(e)
    return np.array(scores), (np.array(errs) if deviance else None), failed


def _decisions(X_test, coefs, intercepts, offset_test):
    """Held-out linear predictors of every alpha in one product: (n_alphas, n_test, K)."""
    coefs = coefs.astype(np.float64)
    Z = np.stack([np.asarray(X_test @ c.T) for c in coefs]) + intercepts[:, None, :]
    if offset_test is not None:
        Z += offset_test[None, :, None]
    return Z


def _score_path(pb, Z, coefs, intercepts, held_out, scorer, classes, deviance, est):
    """``(scores, deviances or None)`` of every alpha from its held-out predictors ``Z``."""
    X_test, y_test, sw_test, _ = held_out
    if deviance:
        yt = y_test.astype(np.float64)
        if pb.loss == losses.SQUARED:
            err = np.average((Z[:, :, 0].T - yt[:, None]) ** 2, axis=0, weights=sw_test)
        else:  # the mean unit deviance: twice the loss table's half-deviance
            entry = pb.data_loss
            err = np.array(
                [2 * np.average(entry.per_sample(yt[:, None], Zi), weights=sw_test) for Zi in Z]
            )
        return -err, err
    if scorer is None:  # the classifiers' default: accuracy, for every alpha at once
        picked = (Z[:, :, 0] > 0).astype(np.intp) if Z.shape[2] == 1 else Z.argmax(axis=2)
        hit = classes[picked] == y_test[None, :]
        return np.average(hit, axis=1, weights=sw_test), None
    shell = _shell(classes, pb.X.shape[1], est, X_test)
    kwargs = {} if sw_test is None else {"sample_weight": sw_test}
    scores = np.empty(Z.shape[0])
    for i in range(Z.shape[0]):
        if classes is None:
            shell.coef_, shell.intercept_ = coefs[i][0], intercepts[i][0]
            shell._held_out_decision = Z[i, :, 0]
        else:
            shell.coef_, shell.intercept_ = coefs[i], intercepts[i]
            shell._held_out_decision = Z[i]
        scores[i] = scorer(shell, X_test, y_test, **kwargs)
    return scores, None


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


def _shell(classes, n_features, est, X_test):
    """A fitted-looking single-alpha estimator the scorer can call ``predict`` on
    (its held-out decision values include the held-out offset)."""
    if classes is None:
        shell = _HeldOutRegressor(fit_intercept=est.fit_intercept, loss=est.loss, power=est.power)
    else:
        shell = _HeldOutClassifier(fit_intercept=est.fit_intercept)
        shell.classes_ = classes
    shell.n_features_in_ = n_features
    shell._held_out = X_test
    return shell


def choose(full) -> tuple[tuple[int, ...], int, int]:
    """From ``full`` scores ``(n_l1_ratio, n_gamma, n_relax, n_alphas, n_folds)``:
    the chosen candidate's indices ``(l1_ratio, gamma, relax_gamma)``, its best
    alpha index and its one-standard-error alpha index."""
    flat = full.reshape(-1, *full.shape[-2:])
    cand, j = best_candidate(flat)
    where = tuple(int(i) for i in np.unravel_index(cand, full.shape[:-2]))
    return where, j, one_standard_error(flat[cand], j)


def best_candidate(scores) -> tuple[int, int]:
    """``(candidate index, alpha index)`` of the best mean score (higher is better)
    over ``scores`` of shape ``(n_candidates, n_alphas, n_folds)``: as
    ``ElasticNetCV``, the first best alpha (the largest) for each candidate, then
    the first candidate whose best mean score is strictly better."""
    best_score, best = -np.inf, (0, 0)
    for i, mean in enumerate(scores.mean(axis=2)):
        j = int(np.argmax(mean))
        if mean[j] > best_score:
            best_score, best = mean[j], (i, j)
    return best


def one_standard_error(scores, best: int) -> int:
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
