"""The multi-task problem (:class:`_Data`: weights, column moments, duality gap) and its
block coordinate-descent solve (:func:`_solve`, one compiled call).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
)

from .._kernels import multitask as K
from .._kernels.cd import column_moments_dense, column_moments_sparse
from .._validation import check_sample_weight, check_scale
from ..penalties import MultiTaskElasticNetPenalty
from ..solvers import Result

_FLOATS = [np.float64, np.float32]


def _design(X) -> tuple:
    """The design as the kernels of :mod:`skdecay._kernels.multitask` take it:
    ``(X, None, None, None)`` for dense ``X``, ``(None, data, indices, indptr)`` (int64
    indices) for CSC ``X``."""
    if sp.issparse(X):
        return None, X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64)
    return X, None, None, None


class _Data:
    """One validated problem: ``X`` dense Fortran or CSC, ``Y`` (n, k) C-ordered in
    the dtype of ``X``, ``h = s / n`` and the column moments, computed once and
    shared by every ``alpha`` of a path."""

    def __init__(self, X, Y, sample_weight, fit_intercept: bool):
        n = X.shape[0]
        dtype = X.dtype.type
        sw = check_sample_weight(sample_weight, n, np.float64)
        self.X, self.sparse, self.fit_intercept = X, sp.issparse(X), bool(fit_intercept)
        self.Y = np.ascontiguousarray(Y, dtype=dtype)
        self.h = (sw / np.sum(sw)).astype(dtype)  # s / n with s rescaled to sum n
        self.design = _design(X)  # the kernels' (X, data, indices, indptr)
        self.hx = None
        if self.sparse:
            self.parts = self.design[1:]
            self.xbar, self.col_sq = column_moments_sparse(
                *self.parts, self.h, X.shape[1], self.fit_intercept
            )
            self.hx = np.asarray(X.T @ self.h, dtype=dtype)
        else:
            self.xbar, self.col_sq = column_moments_dense(X, self.h, self.fit_intercept)
        self._zero = None
        self._X64 = None  # float32 X in float64, for certificates (on first need)

    @property
    def shape(self):
        return self.X.shape[1], self.Y.shape[1]

    def intercept_for(self, W):
        """The optimal intercepts for ``W`` (p, k) and the residual ``Y - X W - b``
        (Fortran order for dense ``X``, C order for sparse: the kernels' layouts)."""
        R = self.Y - np.asarray(self.X @ W, dtype=self.Y.dtype)
        b = np.zeros(self.Y.shape[1], dtype=self.Y.dtype)
        if self.fit_intercept:
            b = (self.h @ R.astype(np.float64)).astype(self.Y.dtype)
            R -= b
        return b, (np.ascontiguousarray(R) if self.sparse else np.asfortranarray(R))

    def gap(self, W, R, penalty, exact=True) -> float:
        """Duality gap at ``W`` with residual ``R`` (recomputed in float64 for float32)."""
        _, l1, l2 = penalty.kernel_arguments(np.float64)
        h = self.h.astype(np.float64)
        if exact and self.Y.dtype != np.float64:  # the certificate of a float32 iterate
            if self._X64 is None:
                self._X64 = self.X.astype(np.float64)
            X64 = self._X64
            W64 = W.astype(np.float64)
            R = self.Y.astype(np.float64) - np.asarray(X64 @ W64)
            R -= 0.0 if not self.fit_intercept else h @ R
            R = np.ascontiguousarray(R) if self.sparse else np.asfortranarray(R)
            return self._gap(X64, R, W64, h, l1, l2)
        return self._gap(self.X, R, W, self.h, l1, l2)

    def _gap(self, X, R, W, h, l1, l2) -> float:
        hx = np.asarray(X.T @ h, dtype=X.dtype) if sp.issparse(X) else None
        out = K.duality_gap(*_design(X), R, W, h, hx, self.fit_intercept, l1, l2)
        return float(out[0])

    def zero(self):
        """``(b, R, V, primal, rho, shift)`` at zero coefficients: the optimal
        intercept, the residual, the correlations ``V = X.T (h (R - rbar))`` (p, k,
        float64), the objective ``1/2 sum h ||R||**2`` and its two parts (see
        :func:`skdecay._kernels.multitask.residual_moments`)."""
        if self._zero is None:
            p, k = self.shape
            b, R = self.intercept_for(np.zeros((p, k), dtype=self.Y.dtype))
            h = self.h.astype(np.float64)
            R64 = R.astype(np.float64)
            rbar = np.zeros(k)
            rho, shift = K.residual_moments(R64, h, self.fit_intercept, rbar)
            V = np.zeros((p, k))
            design, hx = self.design, None
            if self.sparse:
                hx = self.hx.astype(np.float64)
                design = (None, self.parts[0].astype(np.float64), *self.parts[1:])
            K.correlation(*design, R64, h, hx, rbar, V)
            self._zero = (b, R, V, 0.5 * (rho + shift), rho, shift)
        return self._zero

    def alpha_max(self, l1_ratio: float, penalty_factor) -> float:
        """Smallest ``alpha`` at which the zero coefficients are optimal."""
        V = self.zero()[2]
        return MultiTaskElasticNetPenalty(1.0, l1_ratio, penalty_factor).alpha_max(V.T)


def _targets(penalty, data: _Data, tol: float) -> tuple[float, float, float]:
    """``(gap0, target, floor)``: stop at ``tol`` times the gap at zero, never below
    what rounding resolves (``2 eps |P(0)|``; ``100 eps**2 |P(0)|`` for ridge), or once
    the gap sits below ``floor = 10 eps |P(0)|`` and stops shrinking."""
    _, _, V, primal0, rho, shift = data.zero()
    _, l1, l2 = penalty.kernel_arguments(np.float64)
    gap0 = float(K.dual_gap(np.zeros(data.shape), V, rho, shift, l1, l2)[0])
    eps = float(np.finfo(data.Y.dtype).eps)
    ridge = penalty.l1_ratio <= 0
    rounding = (100 * eps * eps if ridge else 2 * eps) * abs(primal0)
    return gap0, max(tol * gap0, rounding), 10 * eps * abs(primal0)


def _solve(
    data: _Data,
    penalty,
    W=None,
    *,
    max_iter: int,
    tol: float,
    selection: str,
    rng,
    settle: bool = True,
) -> Result:
    """Block CD from ``W`` (p, k; zero if ``None``) to ``tol`` times the gap at zero.

    ``settle`` (single fits, as scikit-learn): the last pass must also move no
    block by more than ``tol`` times the largest; paths rely on the gap alone.
    From ``alpha_max`` on the exact all-zero solution is returned (no
    iteration); ``max_iter=0`` returns the starting point."""
    p, k = data.shape
    dtype = data.Y.dtype
    gap0, target, floor = _targets(penalty, data, tol)
    amax = penalty.alpha_max(data.zero()[2].T)
    if W is None or penalty.alpha >= amax:
        W = np.zeros((p, k), dtype=dtype)
    W = np.array(W, dtype=dtype, order="C")  # a copy the kernel may write
    b, R = data.intercept_for(W) if np.any(W) else data.zero()[:2]
    b, R = b.copy(), R.copy(order="K")  # the kernel writes them (keeps the layout)
    n_iter, converged = 0, False
    if penalty.alpha >= amax or max_iter == 0 or np.any(W):  # maybe optimal already
        gap = data.gap(W, R, penalty)
        converged = gap <= target
    if not converged and max_iter > 0:
        _, l1, l2 = penalty.kernel_arguments(np.float64)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        args = (data.fit_intercept, int(max_iter), float(tol), target, floor, bool(settle))
        args += (selection == "random", seed)
        delta = np.zeros(k, dtype=dtype) if data.sparse else b  # (dense: b itself)
        hx, xb, cs = data.hx, data.xbar, data.col_sq
        n_iter, gap, converged = K.solve(
            *data.design, R, delta, W, data.h, hx, xb, cs, l1, l2, *args
        )
        if not np.all(np.isfinite(W)):
            raise FloatingPointError(
                "skdecay: the multi-task solver diverged (non-finite coefficients); "
                "standardize X or increase alpha."
            )
        if data.sparse:
            b = b + delta
        if dtype != np.float64:
            # float32: the certificate of the returned point, from a residual
            # recomputed in float64 (the running one carries float32 rounding)
            b, R = data.intercept_for(W)
            gap = data.gap(W, R, penalty)
            converged = bool(converged) or (not settle and gap <= target)
    return Result(W.T.copy(), b, float(gap), float(gap0), int(n_iter), bool(converged))


def _warn(res: Result, tol: float, stacklevel: int) -> None:
    warnings.warn(
        f"skdecay: not converged after {res.n_iter} iterations: duality gap "
        f"{res.dual_gap:.3e} > tol * gap at zero = {tol * res.gap_zero:.3e}. "
        "Increase max_iter, loosen tol, standardize X or increase alpha.",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


def _check_Y(Y, X, dtype, what: str):
    """``Y`` as a 2-D float array of ``dtype``; 1-D targets are refused (as scikit-learn)."""
    Y = check_array(Y, ensure_2d=False, dtype=_FLOATS, input_name="y")
    if Y.ndim == 1:
        raise ValueError(
            f"For mono-task outputs, use {what}: y has shape {Y.shape}; the "
            "multi-task models need y of shape (n_samples, n_tasks)."
        )
    if Y.ndim != 2:
        raise ValueError(f"y must be 2-D (n_samples, n_tasks), got shape {Y.shape}.")
    check_consistent_length(X, Y)
    check_scale(None, Y)
    return Y.astype(dtype, copy=False)


def _as_csc(X):
    X = sp.csc_matrix(X)
    return X if X.has_sorted_indices else X.sorted_indices()
