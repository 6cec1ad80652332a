"""Shifting large-mean columns (:func:`shifted`, :func:`solve_shifted`): the same
rounded problem, solvable to the precision of its dtype."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from .. import losses
from .problem import Problem, ProblemCache, Result, _row_step

__all__ = ["shifted", "solve_shifted"]


def shifted(pb: Problem):
    """The problem with its large-mean columns shifted, when its precision needs it.

    A column whose mean is large next to its spread loses most of its digits to
    cancellation in every gradient (``x_j @ r`` with ``x_j ~ 1e5`` and a residual
    ``r ~ 1``): in float32, and for sparse ``X`` (whose columns the CD kernels
    centre only implicitly) in float64 too, the solvers then stall far from the
    optimum.  With an (unpenalised) intercept, shifting column ``j`` by a
    constant ``c_j`` and the targets by ``d`` leaves the problem unchanged:
    ``X w + b = (X - c) w + (b + c @ w)``.  ``c_j`` is a value of the working dtype
    near the weighted column mean, so ``x - c_j`` is exact for every ``x`` within
    a factor two of ``c_j`` (Sterbenz): the shifted problem holds the same rounded
    data.  Only columns with ``|mean| > 8 * spread`` are shifted.

    * dense float32 ``X``: ``X - c`` as one float32 copy in Fortran order (the
      layout the CD kernels read, so C-ordered input costs the copy it needed
      anyway); scikit-learn's estimators centre dense ``X`` the same way.
    * sparse ``X`` stays sparse (CSC): a column with ``|mean| > 8 * spread`` is at
      least 98.5% nonzero, so storing it in full as ``x - c_j`` (the implicit
      zeros become ``-c_j``) costs at most 1.5% more than it already does.

    For the squared loss ``y`` is shifted by its weighted mean too.  Returns
    ``(shifted problem, c, d)`` (``c``, ``d`` float64, exactly their working-dtype
    values) or ``None``.  The shifted arrays are kept in ``pb.cache``: a warm-started
    path shifts once, each alpha getting a problem with its own settings.
    """
    sparse = sp.issparse(pb.X)
    if not pb.fit_intercept or pb.n < 2 or not (sparse or pb.dtype == np.float32):
        return None
    key = (pb.loss, pb.fit_intercept)
    hit = pb.cache.get(pb, "shift", key)
    if hit is not None:
        if hit[0] is None:
            return None
        Xc, Y, c, d, cache = hit  # a path's next alpha: same arrays, this pb's settings
        return replace(pb, X=Xc, Y=Y, cache=cache), c, d
    X, s = pb.X, pb.s.astype(np.float64)
    sw = s.sum()
    if sparse:
        mean = np.asarray(X.T @ s, dtype=np.float64).ravel() / sw
        sq = np.asarray(X.multiply(X).T @ s, dtype=np.float64).ravel() / sw
    else:  # small float64 row blocks (_row_step): no (n, p) temporary
        step = _row_step(X)
        mean, sq = np.zeros(X.shape[1]), np.zeros(X.shape[1])
        for i in range(0, pb.n, step):
            B = X[i : i + step].astype(np.float64)
            mean += B.T @ s[i : i + step]
            sq += np.square(B, out=B).T @ s[i : i + step]
        mean /= sw
        sq /= sw
    spread = np.sqrt(np.maximum(sq - mean * mean, 0.0))
    # cancellation costs log2(|mean| / spread) bits of every gradient
    big = np.abs(mean) > 8 * spread
    if not np.any(big):
        pb.cache.put(pb, "shift", (None,), key)
        return None
    c = np.where(big, mean, 0.0).astype(pb.dtype)
    if sparse:
        J = np.flatnonzero(big)
        keep = sp.csc_matrix(X @ sp.diags((~big).astype(pb.dtype)))
        keep.eliminate_zeros()
        block = X[:, J].toarray() - c[J]
        rows = np.tile(np.arange(pb.n), J.size)
        cols = np.repeat(J, pb.n)
        full = sp.csc_matrix((block.ravel(order="F"), (rows, cols)), shape=X.shape)
        Xc = sp.csc_matrix(keep + full, dtype=pb.dtype)
        Xc.sort_indices()
    else:
        Xc = np.array(X, order="F")
        Xc -= c
    K = pb.Y.shape[1]
    Y, d = pb.Y, np.zeros(K, dtype=pb.dtype)
    if pb.loss == losses.SQUARED:
        d = (s @ pb.Y.astype(np.float64) / sw).astype(pb.dtype)
        Y = pb.Y - d
    c, d, cache = c.astype(np.float64), d.astype(np.float64), ProblemCache()
    pb.cache.put(pb, "shift", (Xc, Y, c, d, cache), key)
    return replace(pb, X=Xc, Y=Y, cache=cache), c, d


def solve_shifted(pb: Problem, W, b, run) -> Result:
    """``run(problem, W, b)`` on ``pb`` with its large-mean columns shifted
    (:func:`shifted`; ``pb`` itself when none needs it), the result mapped back:
    same coefficients, intercept ``b = b_shifted - c @ W + d`` (in float64, then
    rounded once to the working dtype).  ``W`` and ``b`` may be ``None``."""
    found = shifted(pb)
    if found is None:
        return run(pb, W, b)
    sub, c, d = found
    if W is not None:
        b = (np.asarray(b, dtype=np.float64) + np.asarray(W, dtype=np.float64) @ c - d).astype(
            sub.dtype
        )
        W = np.asarray(W, dtype=sub.dtype)
    res = run(sub, W, b)
    coef = np.asarray(res.coef, dtype=np.float64)
    intercept = np.asarray(res.intercept, dtype=np.float64) - coef @ c + d
    if pb.loss == losses.MULTINOMIAL:
        intercept -= intercept.mean()
    return res._replace(coef=coef.astype(pb.dtype), intercept=intercept.astype(pb.dtype))
