"""The compiled warm-started path of the logistic losses: a thin driver.

:func:`logistic_path_compiled` solves a :class:`~skdecay.solvers.Problem` of
the binary logistic or multinomial loss for a decreasing grid of ``alpha`` in
one call of :func:`skdecay._kernels.logistic_path.logistic_path` (joint
proximal Newton, strong-rule working sets, duality-gap stopping identical to
:func:`skdecay.solvers.prox_newton`'s).  It applies to dense float64 problems
(:func:`supports`); float32 and sparse ``X`` keep the Python solver.

``X`` is read in the layout it comes in, as scikit-learn's ``LogisticRegression``
does: a Fortran-ordered ``X`` by columns, a C-ordered one by rows, with the
working-set columns that coordinate descent reads gathered into a cache of at
most :func:`cache_columns` columns (a quarter of ``X`` for wide problems).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from . import losses
from ._enet_path import frozen
from ._kernels.codes import PROX_ELASTIC_NET
from ._kernels.logistic_path import NON_FINITE
from ._kernels.logistic_path import logistic_path as _path_kernel
from .solvers.problem import Problem, diverged

__all__ = ["supports", "logistic_path_compiled", "cache_columns"]

# The column cache of a C-ordered X holds at most this fraction of X's columns
# (and always the _GRAM = 64 columns of the covariance mode, or all of them)
_CACHE_FRACTION = 0.25
_CACHE_MIN_COLUMNS = 64


def supports(pb: Problem) -> bool:
    """Whether the compiled path applies: dense float64 ``X``, any loss of the
    table but the squared error (the logistic losses and the log-link GLMs), the
    elastic net (the kernel takes glmnet's parameters,
    :meth:`~skdecay.penalties.ElasticNetPenalty.elastic_net_arguments`), with box
    bounds (``lower_bounds``, ``upper_bounds``, excluded features) except for the
    multinomial loss, whose shifts common to all classes leave the box."""
    return (
        pb.penalty.prox_code == PROX_ELASTIC_NET
        and (pb.penalty.elastic_net_arguments() is not None or pb.loss != losses.MULTINOMIAL)
        and not sp.issparse(pb.X)
        and pb.X.dtype == np.float64
        and pb.loss in losses.LOSSES
        and pb.loss != losses.SQUARED
    )


def _glmnet_arguments(pb: Problem):
    """``(pf, l1_ratio, positive, lower, upper, boxed)`` for the kernel: glmnet's
    parametrisation and the box (``[0, inf)`` under ``positive``; ``boxed`` when
    it goes beyond, e.g. an excluded feature's ``[0, 0]``)."""
    pen = pb.penalty
    args = pen.elastic_net_arguments()
    if args is None:  # a box: the penalty's own factors (1 for an excluded feature)
        lower, upper = pen.bounds
        pf, l1_ratio, positive, boxed = pen.penalty_factor, pen.l1_ratio, False, True
    else:
        pf, l1_ratio, positive = args
        p = pf.shape[0]
        lower = np.zeros(p) if positive else np.full(p, -np.inf)
        upper = np.full(p, np.inf)
        boxed = False
    cast = lambda a: np.ascontiguousarray(a, dtype=np.float64)  # noqa: E731
    return cast(pf), float(l1_ratio), bool(positive), cast(lower), cast(upper), boxed


def cache_columns(n_features: int) -> int:
    """Columns in the coordinate-descent cache of a C-ordered ``X``: a quarter of
    them, at least 64 (the covariance mode's working sets) or all of them.  A
    working set that does not fit is visited in chunks, each gathered again in
    every pass (a sweep over the rows of ``X``)."""
    return min(n_features, max(_CACHE_MIN_COLUMNS, int(_CACHE_FRACTION * n_features)))


def _max_inner(loss: int) -> int:
    """CD passes per Newton step.  The multinomial model couples the classes, so
    its passes converge slowly and a cheaper, less exact Newton step pays
    (digits, L2, tol 1e-6: 100 passes 0.65 s, 30 passes 0.31 s, both 11 Newton
    steps; 10 passes 18 steps)."""
    return 30 if loss == losses.MULTINOMIAL else 100


def logistic_path_compiled(
    pb: Problem,
    alphas: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    settle: bool,
    W0: np.ndarray | None = None,
    b0: np.ndarray | None = None,
    max_inner: int | None = None,
    offset: np.ndarray | None = None,
    power: float = 1.5,
    gaps0: np.ndarray | None = None,
):
    """Warm-started fits of ``pb`` along ``alphas`` (decreasing), in one compiled call.

    Minimises, for each ``alpha``, the objective of ``pb`` (its penalty's
    ``alpha`` is ignored)::

        1/n sum_i s_i loss(y_i, W x_i + b) + alpha sum_{k,j} pf_j (l1_ratio |W_kj|
                                                 + (1 - l1_ratio)/2 W_kj**2)

    subject to the penalty's box ``lower_j <= W_kj <= upper_j`` (if any),
    starting from ``(W0, b0)`` (default: zero coefficients, optimal intercept)
    for the first ``alpha`` and from the previous solution for the next ones.
    Each fit stops once its duality gap is at most ``max(tol * gap0, floor)``
    (``gap0`` the gap at zero, :func:`skdecay.solvers.gap_at_zero`) and, with
    ``settle`` (single fits), its last Newton step moved no coefficient by more
    than ``max(tol, 100 eps) * max|W|`` or its optimality violation is within
    the rounding of the correlations (an absolute floor: just below
    ``alpha_max`` the coefficients are tiny); ``max_iter`` bounds the Newton
    iterations per ``alpha``.  From ``alpha_max`` on (every ``pf > 0``) the
    exact zero solution is returned with ``n_iter = 0``.  A given ``gaps0``
    (float64, shape ``(n_alphas,)``) receives each fit's ``gap0``, the reference of
    ``tol`` (:func:`skdecay.solvers.gap_at_zero`, computed in the kernel anyway).

    Returns
    -------
    coefs : ndarray of shape (n_alphas, K, n_features)
    intercepts : ndarray of shape (n_alphas, K)
        The softmax is invariant to a shift common to all classes: for the
        multinomial the intercepts and the coefficients of unpenalised
        features are centred to sum 0 over the classes (under ``positive``
        those coefficients are shifted to a smallest value of 0 instead).
    gaps : ndarray of shape (n_alphas,)
        Duality gaps (for converged fits the minimum over the dual scaling, as
        :func:`skdecay.solvers.duality_gap`).
    n_iter : ndarray of shape (n_alphas,)
    converged : ndarray of shape (n_alphas,), bool

    Raises
    ------
    FloatingPointError
        When the iterates become non-finite (badly scaled data).
    """
    if not supports(pb):
        raise ValueError(
            "logistic_path_compiled needs dense float64 X, a logistic or log-link loss and "
            "the elastic net (a box: not with the multinomial loss)."
        )
    alphas = np.ascontiguousarray(alphas, dtype=np.float64)
    if alphas.ndim != 1 or np.any(np.diff(alphas) > 0):
        raise ValueError("alphas must be a 1-D decreasing array.")
    X = pb.X
    if not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.ascontiguousarray(X)  # a strided view: one C-ordered copy
    n, p = X.shape
    rows = not X.flags.f_contiguous  # read a C-ordered X by rows
    XR = X if rows else X.T  # C-ordered either way: one compiled variant
    Xg = np.empty((cache_columns(p) if rows else 0, n))
    K = pb.Y.shape[1]
    # Y and s meet the kernel's own (writable) arrays in the gap: always copies,
    # so that a read-only caller's array does not compile a second variant
    Y = np.array(pb.Y.T, dtype=np.float64, order="C")
    s = np.array(pb.s, dtype=np.float64)
    pf, l1_ratio, positive, lower, upper, boxed = _glmnet_arguments(pb)
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=np.float64).reshape(n)
    loss = losses.get_loss(pb.loss, power=power)
    if pb.fit_intercept:
        b_zero = loss.intercept_at_zero(pb.Y, pb.s, None if offset is None else off[:, None])
        b_zero = np.asarray(b_zero, dtype=np.float64)
    else:
        b_zero = np.zeros(K)
    b_zero = np.ascontiguousarray(b_zero.reshape(K))
    # as _path_core.solve_path: from alpha_max on zero is exact (every feature penalised)
    if np.all(pf > 0):  # the gradient at zero (intercept optimal, offset included)
        R0 = loss.residual(pb.Y, b_zero.reshape(1, K) + off[:, None])
        G = -(X.T @ (pb.s[:, None] * R0)).T / n
        amax = pb.penalty.alpha_max(G)
    else:
        amax = np.inf
    W = np.zeros((K, p)) if W0 is None else np.array(W0, dtype=np.float64).reshape(K, p)
    b = b_zero.copy() if b0 is None else np.array(b0, dtype=np.float64).reshape(K)
    m = alphas.size
    coefs = np.zeros((m, K, p))
    intercepts = np.zeros((m, K))
    gaps = np.full(m, np.inf)
    if gaps0 is None:
        gaps0 = np.zeros(m)
    elif gaps0.shape != (m,) or gaps0.dtype != np.float64:
        raise ValueError("gaps0 must be a float64 array of shape (n_alphas,).")
    n_iter = np.zeros(m, dtype=np.int64)
    converged = np.zeros(m, dtype=np.bool_)
    if m:
        status = _path_kernel(
            frozen(XR),
            rows,
            Xg,
            frozen(Xg),
            Y,
            s,
            frozen(off),
            frozen(pf),
            l1_ratio,
            alphas,
            positive,
            frozen(lower),
            frozen(upper),
            boxed,
            bool(pb.fit_intercept),
            int(pb.loss),
            float(getattr(loss, "power", 1.0)),
            float(tol),
            int(max_iter),
            bool(settle),
            int(_max_inner(pb.loss) if max_inner is None else max_inner),
            float(amax),
            frozen(b_zero),
            np.ascontiguousarray(W),
            np.ascontiguousarray(b),
            coefs,
            intercepts,
            gaps,
            gaps0,
            n_iter,
            converged,
        )
        if status == NON_FINITE:
            raise diverged()
    return coefs, intercepts, gaps, n_iter, converged
