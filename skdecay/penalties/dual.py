"""The dual side of the separable penalties, written once for every class.

The duality gap of a solver is ``data term's Fenchel-Young + penalty's
Fenchel-Young`` at a dual point scaled by ``c`` in ``[0, c_max]``.  For the
elastic net without a box (or with ``w >= 0`` only) the penalty's share is a
piecewise quadratic in ``c`` (:class:`FenchelYoungLine`, minimised exactly by
:func:`minimize_piecewise_quadratic`) and ``c_max`` a closed form
(:func:`scaling_limit`); any other convex penalty is evaluated through its own
``fenchel_young`` (:class:`GeneralLine`: no pieces, a scalar search).  The
penalty classes choose which (``fenchel_young_line``); the solvers only call it.
"""

from __future__ import annotations

import numpy as np

from .._kernels.screen import kkt_violations, pure_l1_scaling

__all__ = [
    "FenchelYoungLine",
    "GeneralLine",
    "minimize_piecewise_quadratic",
    "scaling_limit",
    "fast_violations",
]


class FenchelYoungLine:
    """``c -> sum_j g_j(w_j) + g_j*(c*v_j) - c*v_j*w_j`` for ``c >= 0``, from the
    per-feature weights ``l1, l2`` (float64, shape ``(p,)``, broadcast against
    ``w`` and ``v`` of shape ``(p,)`` or ``(K, p)``): the elastic net's share of the gap.

    Calling it evaluates the careful per-coefficient sum; :meth:`pieces` gives
    the same function as a piecewise quadratic, for its exact minimisation.
    """

    piecewise = True  # :meth:`pieces` gives the exact minimiser

    def __init__(self, w, v, l1, l2, positive=False):
        self.w, self.v, self.l1, self.l2 = w, v, l1, l2
        # |c*v| = c*a for c >= 0 (c*v under positive: only its positive part counts)
        self.a = a = np.maximum(v, 0.0) if positive else np.abs(v)
        smooth = l2 > 0
        self.all_smooth = bool(smooth.all())
        if self.all_smooth:
            self.smooth, self.two_l2 = None, 2 * l2
            hard = None
        else:
            self.smooth, self.two_l2 = smooth, 2 * np.where(smooth, l2, 1.0)
            hard = (l1 > 0) & ~smooth
        self.a_hard = None
        if hard is not None and hard.any():
            self.a_hard, self.l1_hard = a[..., hard], l1[hard]
            self.tol_hard = 1e-12 * self.l1_hard
        self.zero = not w.any()
        if not self.zero:
            self.aw = aw = np.abs(w)
            # sign(w) * v, with sign(v) (1 under positive) standing in for sign(0):
            # sign(w) * (c*v) == c * swv exactly since the sign is +-1 or 0
            self.swv = np.where(w != 0, np.sign(w) * v, v if positive else a)
            self.l2aw = l2aw = l2 * aw
            self.half_l2aw2 = 0.5 * l2aw * aw

    def __call__(self, c: float) -> float:
        # infeasible when c*a exceeds a pure-L1 threshold beyond rounding
        if self.a_hard is not None and (c * self.a_hard - self.l1_hard > self.tol_hard).any():
            return np.inf
        excess = np.maximum(c * self.a - self.l1, 0.0)  # max(|c v| - l1, 0)
        if self.zero:  # g(0) = 0 and both forms below reduce to the conjugate
            return float((excess * excess / self.two_l2).sum())
        below = self.l1 - c * self.swv  # < 0: c*v exceeds l1 in the direction of w's sign
        # g(w) + g*(m) - m*w, written so that nothing large cancels:
        # aligned excess: the completed square (excess - l2|w|)^2 / (2 l2);
        # otherwise a sum of non-negative pieces.
        square = (excess - self.l2aw) ** 2 / self.two_l2
        pieces = self.aw * below + self.half_l2aw2 + excess * excess / self.two_l2
        aligned = below < 0
        if not self.all_smooth:
            aligned &= self.smooth
        return float(np.where(aligned, square, pieces).sum())

    def pieces(self, hi: float = np.inf):
        """The function on ``[0, hi]`` as a piecewise quadratic:
        ``const + slope*c + sum_j [c > t_j] (a_j c - l1_j)**2 / (2 L_j)``.

        Per coefficient, ``g(w) + g*(c v) - c v w`` is ``g(w) - c v w`` plus, past
        the breakpoint ``t = l1 / a`` (``a = |v|``, or ``max(v, 0)`` under
        ``positive``), the conjugate's ``(a c - l1)**2 / (2 L)`` with ``L = l2``
        (``L = 1`` where ``l2 = 0``, as in the evaluated function: a pure-L1
        coefficient is infeasible past its breakpoint, which the dual scaling's
        upper bound excludes).  Returns ``(slope, t, q, r)``: the linear
        coefficient ``-sum v w`` and, for every coefficient whose breakpoint lies
        below ``hi``, the breakpoint and the derivative ``q c - r`` (``q = a**2 / L``,
        ``r = a l1 / L``) it adds past it, as flat arrays (see
        :func:`minimize_piecewise_quadratic`).
        """
        slope = 0.0 if self.zero else -float((self.v * self.w).sum())
        a, l1 = self.a, self.l1
        L = self.l2 if self.all_smooth else 0.5 * self.two_l2  # exact halving
        if a.ndim > 1:  # (K, p): one piece per coefficient
            a = a.ravel()
            l1 = np.broadcast_to(l1, self.v.shape).ravel()
            L = np.broadcast_to(L, self.v.shape).ravel()
        idx = np.flatnonzero(a * hi > l1)  # t = l1 / a < hi (a > 0)
        if idx.size < a.size:
            a, l1, L = a.take(idx), l1.take(idx), L.take(idx)
        aL = a / L
        return slope, l1 / a, a * aL, l1 * aL


def minimize_piecewise_quadratic(slope, curv, t, q, r, hi):
    """Minimiser over ``[0, hi]`` of the convex ``f`` with
    ``f'(c) = slope + curv * c + sum_{j: t_j < c} (q_j c - r_j)``.

    ``q_j t_j = r_j`` (each piece enters with zero derivative, so ``f'`` is
    continuous, and non-decreasing as ``curv, q >= 0``).  The breakpoints are
    sorted and the coefficients accumulated (cumulative sums) to get ``f'`` at
    every breakpoint; the minimiser is where ``f'`` changes sign (a root of
    the linear ``f'`` of that segment), or an end point.
    """
    if not hi > 0:
        return 0.0
    S, Q, start, end = float(slope), float(curv), 0.0, float(hi)
    if t.size:
        order = t.argsort()
        t = t[order]
        if t[-1] >= hi:  # only the breakpoints inside [0, hi) matter
            m = int(t.searchsorted(hi))
            t, order = t[:m], order[:m]
        if t.size:
            # f' at breakpoint j: pieces up to j included (piece j adds 0 there)
            Qs = q[order].cumsum()
            Qs += curv
            Ss = slope - r[order].cumsum()
            k = int((Ss + Qs * t >= 0).argmax())
            if Ss[k] + Qs[k] * t[k] >= 0:  # f' changes sign in [t_{k-1}, t_k]
                end = float(t[k])
                if k:
                    S, Q, start = float(Ss[k - 1]), float(Qs[k - 1]), float(t[k - 1])
            else:  # f' < 0 up to the last breakpoint
                S, Q, start = float(Ss[-1]), float(Qs[-1]), float(t[-1])
    start = max(start, 0.0)
    if S + Q * end < 0:
        return end  # (only when end = hi: decreasing throughout)
    if S + Q * start >= 0:  # already rising at the segment's start
        return start
    return min(max(-S / Q, start), end)


def scaling_limit(mag, l1, l2) -> float:
    """The largest ``c`` in ``[0, 1]`` keeping ``c v`` dual-feasible for the elastic
    net without a box: pure-L1 coefficients need ``c mag_j <= l1_j``.  ``mag = |v|``
    (``max(v, 0)`` under ``positive``) of shape ``(p,)`` or ``(K, p)``, the
    per-feature weights of shape ``(p,)``."""
    if mag.shape[-1] > 256:  # one compiled pass instead of a chain of temporaries
        return float(
            pure_l1_scaling(
                np.ascontiguousarray(np.atleast_2d(mag), dtype=np.float64),
                np.ascontiguousarray(l1, dtype=np.float64),
                np.ascontiguousarray(l2, dtype=np.float64),
            )
        )
    return _scaling_limit_numpy(mag, l1, l2)


def _scaling_limit_numpy(mag, l1, l2) -> float:
    """:func:`scaling_limit` in numpy (small ``p``, and the kernel's reference)."""
    if (l2 > 0).all():
        return 1.0  # no pure-L1 coefficient
    hard = (l1 > 0) & (l2 == 0)
    if not hard.any():
        return 1.0
    mag = mag[..., hard]
    l1 = l1[hard]
    over = mag > l1
    if not np.any(over):
        return 1.0
    ratio = np.divide(l1, mag, out=np.full(mag.shape, np.inf), where=over)
    return float(np.min(ratio))


class GeneralLine:
    """``c -> penalty.fenchel_young(w, c * v)``: the penalty's share of the gap along
    the dual scaling for a penalty without a piecewise form (a box); the solver
    minimises it by a bounded scalar search."""

    piecewise = False

    def __init__(self, penalty, w, v):
        self.penalty, self.w, self.v = penalty, w, v

    def __call__(self, c: float) -> float:
        return self.penalty.fenchel_young(self.w, c * self.v)


def fast_violations(V, w, l1, l2, positive: bool):
    """Per coefficient, the distance of ``V`` (minus the data gradient) to the elastic
    net's subdifferential at ``w`` without a box (``w >= 0`` under ``positive``):
    ``|V - sign(w) l1 - l2 w|`` where ``w != 0``, ``max(|V| - l1, 0)`` (``max(V - l1,
    0)`` under ``positive``) at 0.  Compiled for one long vector."""
    if V.ndim == 1 and V.shape[0] > 256:  # one compiled pass instead of temporaries
        return kkt_violations(V, w, l1, l2, bool(positive))
    moving = np.abs(V - np.sign(w) * l1 - l2 * w)
    mag = V if positive else np.abs(V)
    return np.where(w == 0, np.maximum(mag - l1, 0.0), moving)
