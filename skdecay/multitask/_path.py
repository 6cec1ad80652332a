"""The multi-task alpha grid and warm-started path (:func:`multitask_enet_path`)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_array,
)

from .._path_core import RegularizationPath, geometric_grid, warn_path_not_converged
from .._validation import check_penalty_factor, check_scale
from ..penalties import MultiTaskElasticNetPenalty
from ._solver import _FLOATS, _as_csc, _check_Y, _Data, _solve


def _grid(data: _Data, l1_ratio, pf, n_alphas: int, eps: float) -> np.ndarray:
    if l1_ratio <= 0:
        raise ValueError(
            "An automatic alpha grid needs l1_ratio > 0 (ridge has no alpha_max); "
            "pass an explicit grid with alphas=[...]."
        )
    return geometric_grid(data.alpha_max(l1_ratio, pf), n_alphas, eps)


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
    warn_path_not_converged(failed, alphas.size, "multitask_enet_path", 3)
    return path


multitask_enet_path.__module__ = "skdecay.multitask"  # its public home (skdecay._LAZY)
