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
    "dual_scaling",
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
    a function of the dual scaling ``c`` (the solver evaluates it along a line
    search), with everything independent of ``c`` computed once.
    """
    w = np.asarray(w, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    l1 = np.broadcast_to(l1, v.shape)
    l2 = np.broadcast_to(l2, v.shape)
    aw = np.abs(w)
    sw = np.where(w != 0, np.sign(w), 1.0 if positive else np.sign(v))
    smooth = l2 > 0
    l2_safe = np.where(smooth, l2, 1.0)
    hard = (l1 > 0) & ~smooth

    def value(c: float) -> float:
        m = c * v
        excess = np.maximum(m - l1, 0) if positive else np.maximum(np.abs(m) - l1, 0)
        if np.any(excess[hard] > 1e-12 * l1[hard]):
            return np.inf
        aligned = sw * m - l1  # > 0: m exceeds l1 in the direction of w's sign
        # g(w) + g*(m) - m*w, written so that nothing large cancels:
        # aligned excess: the completed square (excess - l2|w|)^2 / (2 l2);
        # otherwise a sum of non-negative pieces.
        square = (excess - l2 * aw) ** 2 / (2 * l2_safe)
        pieces = aw * (l1 - sw * m) + 0.5 * l2 * aw * aw + excess**2 / (2 * l2_safe)
        terms = np.where(smooth & (aligned > 0), square, pieces)
        return float(np.sum(terms))

    return value


def dual_scaling(v, alpha, l1_ratio, pf, positive=False) -> float:
    """Largest ``c in (0, 1]`` such that ``c * v`` is in the conjugate's domain."""
    v = np.asarray(v, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    l1 = np.broadcast_to(l1, v.shape)
    l2 = np.broadcast_to(l2, v.shape)
    hard = (l1 > 0) & (l2 == 0)
    mag = np.maximum(v, 0) if positive else np.abs(v)
    mag = mag[hard]
    over = mag > l1[hard]
    if not np.any(over):
        return 1.0
    return float(np.min(l1[hard][over] / mag[over]))


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
