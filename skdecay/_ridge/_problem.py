"""What every ridge solver shares about the problem: the penalty and sample weights,
the centred target, and the duality gap written out (kernel form, and from the
residual of the normal equations).
"""

from __future__ import annotations

import numpy as np

from ..solvers import Problem
from ._products import (
    _dot64,
    _weighted_dot,
)


def _penalty(pb: Problem) -> np.ndarray:
    """``n l2_j``: the ridge weights of the normal equations (``l2_j = alpha pf_j``)."""
    return pb.n * pb.penalty.weights()[1]


def _weights(pb: Problem):
    """``s`` in the dtype of ``X``, or ``None`` when every weight is 1."""
    return None if np.all(pb.s == 1) else pb.s


def _centred_target(pb: Problem, s):
    """``(ym, y - ym)``; ``ym`` is a python float, so ``y - ym`` keeps the dtype of ``y``."""
    y = pb.Y[:, 0]
    ym = _dot64(pb.s, y) / pb.n if pb.fit_intercept else 0.0
    return ym, y - ym


def _kernel_penalty(pb: Problem):
    """``lam = n alpha pf``: a float when every factor is the same (no vector of
    length ``p`` to allocate and read), else the float64 array."""
    lam = _penalty(pb)
    if lam.size and lam.min() == lam.max():
        return np.float64(lam[0])
    return lam


def _kernel_gap(pb: Problem, X, w, b, lam) -> float:
    """:func:`duality_gap` of ``pb`` at ``(w, b)`` when every ``lam_j > 0`` (pure L2),
    written out: the same dual point (the residual, projected onto the weighted
    zero-mean vectors with an intercept), scaled by the same best ``c`` in
    ``[0, 1]``, the same sums of non-negative terms.  ``X`` is ``pb.X`` possibly in
    another sparse format (CSR for the kernel system), ``w`` and ``b`` in its
    dtype, ``lam`` a scalar or one value per feature.

    ``duality_gap`` is written for every penalty: on 1000 x 200000 sparse ``X``
    it takes 40 ms (sorting 200000 L1 breakpoints, all zero here), more than the
    whole kernel-system CG; this takes two sparse products and a few passes
    over vectors of length ``p`` (about 1 ms).  With ``R = y - X w - b``,
    ``theta`` its projection and ``V = X^T (s theta)``::

        n gap(c) = 1/2 sum_i s_i (R_i - c theta_i)^2 + sum_j lam_j (w_j - c V_j / lam_j)^2 / 2

    a quadratic in ``c``, evaluated at its minimiser over ``[0, 1]``.
    """
    n, dt = pb.n, pb.dtype
    s = pb.s.astype(np.float64)
    Z = np.asarray(X @ w) + b  # as solvers.linear_predictor, in the dtype of X
    R = (pb.Y[:, 0] - Z).astype(np.float64)
    theta = R - (s @ R) / s.sum() if pb.fit_intercept else R
    st = theta * s
    V = np.asarray(X.T @ st.astype(dt), dtype=np.float64)
    w = w.astype(np.float64, copy=False)
    if np.ndim(lam) == 0:  # sum V^2 / lam, sum V w; then V / lam is scaled below
        VV, Vw, scale = float(V @ V) / lam, float(V @ w), -1 / lam
    else:
        V /= lam  # V_j / lam_j
        VV, Vw, scale = _weighted_dot(lam, V, V), _weighted_dot(lam, V, w), -1.0
    c, curvature = 1.0, float(st @ theta) + VV
    if curvature > 0:
        c = min(max((float(st @ R) + Vw) / curvature, 0.0), 1.0)
    # duality_gap takes the smaller of the gaps at c = 1 and at this minimiser:
    # the same number up to rounding (the two coincide when c = 1)
    d = R - c * theta
    V *= c * scale
    V += w  # w - c V / lam, in place: no other vector of length p
    best = 0.5 * float(s @ (d * d)) + 0.5 * _weighted_dot(lam, V, V)
    return max(best, 0.0) / n


def _ridge_cg_gap(w, g, lam, tt, rhs):
    """``n`` times the duality gap at ``w`` (every ``lam_j > 0``), from the residual
    ``g = A^T t - (A^T A + diag(lam)) w`` of the normal equations.

    With ``r = t - A w`` (the residual, the dual point of :func:`duality_gap`
    scaled by ``c``) and ``v = A^T r = lam w + g``, ``n`` times the gap is the
    quadratic ``f(c) = P - c r.t + c^2/2 (||r||^2 + sum v^2 / lam)`` with ``P =
    ||r||^2 / 2 + sum lam w^2 / 2``.  At ``c = 1`` it is ``G1 = sum g^2 / (2 lam)``
    and its slope is ``f'(1) = sum v g / lam``; :func:`duality_gap` takes the best
    ``c`` in ``[0, 1]``: ``G1 - f'(1)^2 / (2 Q)`` at ``c = 1 - f'(1) / Q`` (``Q =
    f''``).  ``||r||^2 = ||t||^2 - w.A^T t - w.g - sum lam w^2`` needs no pass over ``X``.
    """
    v = lam * w + g
    G1 = 0.5 * float(np.sum(g * g / lam))
    slope = float(np.sum(v * g / lam))
    if slope <= 0:
        return G1
    lw2 = float(np.sum(lam * w * w))
    rr = max(tt - float(w @ rhs) - float(w @ g) - lw2, 0.0)
    Q = rr + float(np.sum(v * v / lam))
    if slope >= Q:  # best c = 0: the primal objective itself
        return 0.5 * (rr + lw2)
    return max(G1 - slope * slope / (2 * Q), 0.0)
