"""The elastic-net penalty, the one formula behind L1, L2 and their mixtures.

For coefficients ``w`` (shape ``(n_features,)`` or ``(n_classes, n_features)``),
per-feature penalty factors ``pf`` (glmnet's ``penalty.factor``; 0 leaves a
feature unpenalised) and an optional ``w >= 0`` constraint::

    penalty(w) = alpha * sum_j pf_j * (l1_ratio * |w_j| + (1 - l1_ratio) / 2 * w_j**2)

``l1_ratio=1`` is the lasso, ``l1_ratio=0`` ridge.  Everything here is plain
numpy: it is the reference the numba kernels are tested against and what the
solvers use outside the hot loop.  :func:`coordinate_weights` gives the two
per-feature scalars ``l1_j = alpha*l1_ratio*pf_j`` and
``l2_j = alpha*(1-l1_ratio)*pf_j`` that the kernels consume.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "coordinate_weights",
    "penalty_value",
    "penalty_gradient",
    "penalty_prox",
    "penalty_conjugate",
    "penalty_fenchel_young",
    "fenchel_young_along",
    "fenchel_young_pieces",
    "minimize_piecewise_quadratic",
    "dual_scaling",
    "scaling_limit",
    "alpha_max_from_gradient",
]


def coordinate_weights(alpha: float, l1_ratio: float, pf: np.ndarray, dtype=np.float64):
    """Per-feature ``(l1_j, l2_j)`` weights of the penalty, in ``dtype``."""
    pf = np.asarray(pf, dtype=np.float64)
    l1 = (alpha * l1_ratio) * pf
    l2 = (alpha * (1.0 - l1_ratio)) * pf
    return l1.astype(dtype), l2.astype(dtype)


def penalty_value(w, alpha, l1_ratio, pf) -> float:
    """``alpha * sum pf * (l1_ratio*|w| + (1-l1_ratio)/2 * w**2)``."""
    w = np.asarray(w, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    return float(np.sum(l1 * np.abs(w)) + 0.5 * np.sum(l2 * w * w))


def penalty_gradient(w, alpha, l1_ratio, pf):
    """Gradient of the smooth part plus ``sign(w)`` as the L1 subgradient (0 at 0)."""
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf, np.result_type(w, np.float32))
    return l1 * np.sign(w) + l2 * w


def penalty_prox(z, step, alpha, l1_ratio, pf, positive=False):
    """``argmin_w 1/(2*step)*||w - z||**2 + penalty(w)`` (with ``w >= 0`` if positive).

    Soft-thresholding at ``step*l1_j`` followed by the ridge shrinkage
    ``1 / (1 + step*l2_j)``.
    """
    z = np.asarray(z)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf, np.result_type(z, np.float32))
    if positive:
        out = np.maximum(z - step * l1, 0)
    else:
        out = np.sign(z) * np.maximum(np.abs(z) - step * l1, 0)
    return out / (1 + step * l2)


def _excess(v, l1, positive):
    return np.maximum(v - l1, 0) if positive else np.maximum(np.abs(v) - l1, 0)


def penalty_conjugate(v, alpha, l1_ratio, pf, positive=False):
    """Per-coefficient Fenchel conjugate ``g_j*(v_j)`` of the penalty (``inf`` if infeasible).

    ``g_j*(v) = max(|v| - l1_j, 0)**2 / (2*l2_j)`` (``v`` instead of ``|v|``
    under ``positive``); when ``l2_j = 0`` it is 0 inside ``|v| <= l1_j`` and
    ``inf`` outside (for an unpenalised coefficient: 0 at ``v = 0`` only, which
    is treated as 0 here: the solver's dual point is projected so that such
    ``v_j`` vanish up to rounding).
    """
    v = np.asarray(v, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    l1 = np.broadcast_to(l1, v.shape)
    l2 = np.broadcast_to(l2, v.shape)
    ex = _excess(v, l1, positive)
    out = np.zeros_like(v)
    smooth = l2 > 0
    out[smooth] = ex[smooth] ** 2 / (2 * l2[smooth])
    hard = (l1 > 0) & ~smooth
    out[hard & (ex > 1e-12 * l1)] = np.inf
    return out


def penalty_fenchel_young(w, v, alpha, l1_ratio, pf, positive=False):
    """``c -> sum_j g_j(w_j) + g_j*(c*v_j) - c*v_j*w_j >= 0``: the penalty's share of the gap.

    Summed coefficient by coefficient, each term non-negative, so the gap is
    computed without cancelling the large primal and dual objectives.  Returns
    a function of the dual scaling ``c >= 0`` (the solver evaluates it along a
    line search), with everything independent of ``c`` computed once.
    """
    w = np.asarray(w, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    return fenchel_young_along(w, v, l1, l2, positive)


def _magnitude(v, positive):
    """``|v|`` (``max(v, 0)`` under ``positive``): ``|c*v| = c*_magnitude(v)`` for ``c >= 0``."""
    return np.maximum(v, 0.0) if positive else np.abs(v)


def fenchel_young_along(w, v, l1, l2, positive=False):
    """:func:`penalty_fenchel_young` from the per-feature weights ``l1, l2`` (float64,
    shape ``(p,)``, broadcast against ``w`` and ``v`` of shape ``(p,)`` or ``(K, p)``)."""
    a = _magnitude(v, positive)  # |c*v| = c*a for c >= 0 (c*v under positive)
    aw = np.abs(w)
    # sign(w) * v, with sign(v) (1 under positive) standing in for sign(0):
    # sign(w) * (c*v) == c * swv exactly since the sign is +-1 or 0
    swv = np.where(w != 0, np.sign(w) * v, v if positive else a)
    smooth = l2 > 0
    two_l2 = 2 * np.where(smooth, l2, 1.0)
    hard = (l1 > 0) & ~smooth
    if hard.any():
        a_hard, l1_hard = a[..., hard], l1[hard]
        tol_hard = 1e-12 * l1_hard
    else:
        a_hard = None
    l2aw = l2 * aw
    half_l2aw2 = 0.5 * l2aw * aw
    all_smooth = bool(smooth.all())

    def value(c: float) -> float:
        # infeasible when c*a exceeds a pure-L1 threshold beyond rounding
        if a_hard is not None and (c * a_hard - l1_hard > tol_hard).any():
            return np.inf
        excess = np.maximum(c * a - l1, 0.0)  # max(|c v| - l1, 0)
        below = l1 - c * swv  # < 0: c*v exceeds l1 in the direction of w's sign
        # g(w) + g*(m) - m*w, written so that nothing large cancels:
        # aligned excess: the completed square (excess - l2|w|)^2 / (2 l2);
        # otherwise a sum of non-negative pieces.
        square = (excess - l2aw) ** 2 / two_l2
        pieces = aw * below + half_l2aw2 + excess * excess / two_l2
        aligned = below < 0
        terms = np.where(aligned if all_smooth else smooth & aligned, square, pieces)
        return float(terms.sum())

    return value


def fenchel_young_pieces(w, v, l1, l2, positive=False):
    """:func:`fenchel_young_along` as a piecewise quadratic in ``c >= 0``.

    Per coefficient, ``g(w) + g*(c v) - c v w`` is ``g(w) - c v w`` plus, past
    the breakpoint ``t = l1 / a`` (``a = |v|``, or ``max(v, 0)`` under
    ``positive``), the conjugate's ``(a c - l1)**2 / (2 L)`` with ``L = l2``
    (``L = 1`` where ``l2 = 0``, as in the evaluated function: a pure-L1
    coefficient is infeasible past its breakpoint, which the dual scaling's
    upper bound excludes).  Returns ``(slope, t, q, r)``: the linear coefficient
    ``-sum v w`` and, for every coefficient with ``a > 0``, the breakpoint and
    the derivative ``q c - r`` (``q = a**2 / L``, ``r = a l1 / L``) it adds
    past it.  Arrays are flattened.
    """
    w = np.asarray(w, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    slope = -float(np.sum(v * w))
    a = _magnitude(v, positive)
    l1 = np.broadcast_to(l1, a.shape)
    L = np.broadcast_to(np.where(l2 > 0, l2, 1.0), a.shape)
    on = a > 0
    a, l1, L = a[on], l1[on], L[on]
    return slope, l1 / a, a * a / L, a * l1 / L


def minimize_piecewise_quadratic(slope, curv, t, q, r, hi):
    """Minimiser over ``[0, hi]`` of the convex ``f`` with
    ``f'(c) = slope + curv * c + sum_{j: t_j < c} (q_j c - r_j)``.

    ``q_j t_j = r_j`` (each piece enters with zero derivative, so ``f'`` is
    continuous and non-decreasing when ``curv, q >= 0``).  The breakpoints
    inside ``[0, hi)`` are sorted and the coefficients accumulated segment by
    segment; the minimiser is where ``f'`` changes sign, or an end point.
    """
    if not hi > 0:
        return 0.0
    inside = t < hi
    if not np.all(inside):
        t, q, r = t[inside], q[inside], r[inside]
    if t.size:
        order = np.argsort(t)
        t = t[order]
        # segment k runs from t_{k-1} to t_k (t_{-1} = 0, t_m = hi) with the
        # first k pieces active: f'(c) = S_k + Q_k c
        Q = np.empty(t.size + 1)
        Q[0] = curv
        np.cumsum(q[order], out=Q[1:])
        Q[1:] += curv
        S = np.empty(t.size + 1)
        S[0] = 0.0
        np.cumsum(r[order], out=S[1:])
        S = slope - S
        right = np.append(t, hi)
        rising = S + Q * right >= 0  # f'(end of segment k) >= 0
        if not rising[-1]:
            return float(hi)
        k = int(np.argmax(rising))
        Sk, Qk = float(S[k]), float(Q[k])
        left = max(float(t[k - 1]), 0.0) if k else 0.0
        hi_k = float(right[k])
    else:
        Sk, Qk, left, hi_k = float(slope), float(curv), 0.0, float(hi)
        if Sk + Qk * hi_k < 0:
            return float(hi)
    if Sk >= -Qk * left:  # already rising at the segment's start
        return left
    return min(max(-Sk / Qk, left), hi_k)


def dual_scaling(v, alpha, l1_ratio, pf, positive=False) -> float:
    """Largest ``c in (0, 1]`` such that ``c * v`` is in the conjugate's domain."""
    v = np.asarray(v, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    return scaling_limit(_magnitude(v, positive), l1, l2)


def scaling_limit(mag, l1, l2) -> float:
    """:func:`dual_scaling` from ``mag = |v|`` (``max(v, 0)`` under ``positive``) and
    the per-feature weights (shape ``(p,)``, ``mag`` of shape ``(p,)`` or ``(K, p)``)."""
    hard = (l1 > 0) & (l2 == 0)
    if not np.any(hard):
        return 1.0
    mag = mag[..., hard]
    l1 = l1[hard]
    over = mag > l1
    if not np.any(over):
        return 1.0
    ratio = np.divide(l1, mag, out=np.full(mag.shape, np.inf), where=over)
    return float(np.min(ratio))


def alpha_max_from_gradient(grad, l1_ratio, pf, positive=False) -> float:
    """Smallest ``alpha`` for which zero is optimal, given the loss gradient at zero.

    ``grad`` is the gradient of the data term with respect to the penalised
    coefficients at the point where they are all zero (and the unpenalised
    ones, intercept included, are optimal).  Zero stays optimal as long as
    ``|grad_j| <= alpha * l1_ratio * pf_j`` (``-grad_j <= ...`` under
    ``positive``).  Ridge (``l1_ratio = 0``) never zeroes: returns ``inf``.
    """
    grad = np.atleast_2d(np.asarray(grad, dtype=np.float64))
    pf = np.broadcast_to(np.asarray(pf, dtype=np.float64), grad.shape)
    mag = np.maximum(-grad, 0) if positive else np.abs(grad)
    pen = pf > 0
    if not np.any(pen):
        return 0.0
    ratio = np.max(mag[pen] / pf[pen])
    if ratio == 0:
        return 0.0
    if l1_ratio <= 0:
        return np.inf
    return float(ratio / l1_ratio)
