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

from ._kernels import codes as _codes
from ._kernels.screen import pure_l1_scaling

__all__ = [
    "coordinate_weights",
    "penalty_value",
    "penalty_gradient",
    "penalty_prox",
    "penalty_conjugate",
    "penalty_fenchel_young",
    "FenchelYoungLine",
    "fenchel_young_along",
    "minimize_piecewise_quadratic",
    "dual_scaling",
    "scaling_limit",
    "alpha_max_from_gradient",
    "ElasticNetPenalty",
    "PROX_ELASTIC_NET",
]


def coordinate_weights(alpha: float, l1_ratio: float, pf: np.ndarray, dtype=np.float64):
    """Per-feature ``(l1_j, l2_j)`` weights of the penalty, in ``dtype``."""
    pf = np.asarray(pf, dtype=np.float64)
    l1 = (alpha * l1_ratio) * pf
    l2 = (alpha * (1.0 - l1_ratio)) * pf
    return l1.astype(dtype, copy=False), l2.astype(dtype, copy=False)  # new arrays


def penalty_value(w, alpha, l1_ratio, pf) -> float:
    """``alpha * sum pf * (l1_ratio*|w| + (1-l1_ratio)/2 * w**2)``."""
    w = np.asarray(w, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    return float((l1 * np.abs(w)).sum() + 0.5 * (l2 * w * w).sum())


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


class FenchelYoungLine:
    """``c -> sum_j g_j(w_j) + g_j*(c*v_j) - c*v_j*w_j`` for ``c >= 0``, from the
    per-feature weights ``l1, l2`` (float64, shape ``(p,)``, broadcast against
    ``w`` and ``v`` of shape ``(p,)`` or ``(K, p)``): :func:`penalty_fenchel_young`.

    Calling it evaluates the careful per-coefficient sum; :meth:`pieces` gives
    the same function as a piecewise quadratic, for its exact minimisation.
    """

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


def fenchel_young_along(w, v, l1, l2, positive=False) -> FenchelYoungLine:
    """:func:`penalty_fenchel_young` from per-feature weights: a :class:`FenchelYoungLine`."""
    return FenchelYoungLine(w, v, l1, l2, positive)


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


def dual_scaling(v, alpha, l1_ratio, pf, positive=False) -> float:
    """Largest ``c in (0, 1]`` such that ``c * v`` is in the conjugate's domain."""
    v = np.asarray(v, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    return scaling_limit(np.maximum(v, 0.0) if positive else np.abs(v), l1, l2)


def scaling_limit(mag, l1, l2) -> float:
    """:func:`dual_scaling` from ``mag = |v|`` (``max(v, 0)`` under ``positive``) and
    the per-feature weights (shape ``(p,)``, ``mag`` of shape ``(p,)`` or ``(K, p)``)."""
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


def alpha_max_from_gradient(grad, l1_ratio, pf, positive=False) -> float:
    """Smallest ``alpha`` for which zero is optimal, given the loss gradient at zero.

    ``grad`` is the gradient of the data term with respect to the penalised
    coefficients at the point where they are all zero (and the unpenalised
    ones, intercept included, are optimal).  Zero stays optimal as long as
    ``|grad_j| <= alpha * l1_ratio * pf_j`` (``-grad_j <= ...`` under
    ``positive``).  Ridge (``l1_ratio = 0``) never zeroes: returns ``inf``.
    (:meth:`ElasticNetPenalty.alpha_max` without bounds.)
    """
    return ElasticNetPenalty(1.0, l1_ratio, pf, positive=positive).alpha_max(grad)


# ---------------------------------------------------------------------------
# Penalty objects: what a solver asks a penalty, answered by the penalty


PROX_ELASTIC_NET = (
    _codes.PROX_ELASTIC_NET
)  # the scalar prox code of the kernels (see ``kernel_arguments``)


class ElasticNetPenalty:
    """``alpha * sum_kj pf_j (l1_ratio |w_kj| + (1 - l1_ratio)/2 w_kj**2)`` plus the box
    ``lower_j <= w_kj <= upper_j`` (glmnet's ``lower.limits`` / ``upper.limits``).

    ``positive=True`` is ``lower = 0``; a penalty factor of ``inf`` excludes a
    feature (glmnet's ``exclude``: its box is ``[0, 0]``); ``pf = 0`` leaves it
    unpenalised.  The box must contain 0 (as glmnet's limits), so zero is always
    feasible and ``alpha_max`` keeps its meaning.

    A solver asks the penalty, never its fields: :meth:`value`, :meth:`prox`
    (and :meth:`kernel_arguments` for the kernels' scalar prox),
    :meth:`kkt_violation`, :meth:`conjugate`, :meth:`fenchel_young`,
    :meth:`dual_scaling`, :meth:`alpha_max` and :meth:`at` (the same penalty at
    another ``alpha``, for paths).  ``v`` arguments are correlations ``-gradient``
    of the data term (the dual side), ``g`` arguments gradients.
    """

    convex = True
    name = "elastic_net"

    def __init__(
        self,
        alpha: float,
        l1_ratio: float,
        penalty_factor,
        *,
        positive: bool = False,
        lower_bounds=None,
        upper_bounds=None,
    ):
        pf = np.asarray(penalty_factor, dtype=np.float64).reshape(-1)
        p = pf.shape[0]
        if np.any(np.isnan(pf)) or np.any(pf < 0):
            raise ValueError("penalty_factor must be non-negative (inf excludes a feature).")
        lo = np.full(p, -np.inf)
        if lower_bounds is not None:
            lo = _per_feature(lower_bounds, p, "lower_bounds")
        hi = np.full(p, np.inf)
        if upper_bounds is not None:
            hi = _per_feature(upper_bounds, p, "upper_bounds")
        if positive:
            lo = np.maximum(lo, 0.0)
        if np.any(lo > 0) or np.any(hi < 0):
            raise ValueError(
                "lower_bounds must be <= 0 and upper_bounds >= 0: the box contains 0 "
                "(as glmnet's limits)."
            )
        excluded = np.isinf(pf)
        lo = np.where(excluded, 0.0, lo)
        hi = np.where(excluded, 0.0, hi)
        pf = np.where(excluded, 0.0, pf)
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self._pf, self._lo, self._hi, self._excluded = pf, lo, hi, excluded
        self._l1, self._l2 = coordinate_weights(self.alpha, self.l1_ratio, pf)
        self._bounded = bool(np.any(np.isfinite(lo)) or np.any(np.isfinite(hi)))

    def __repr__(self) -> str:
        return (
            f"ElasticNetPenalty(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}, "
            f"n_features={self._pf.shape[0]})"
        )

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lower, upper)`` per feature (``positive`` and exclusions applied)."""
        return self._lo.copy(), self._hi.copy()

    def at(self, alpha: float) -> ElasticNetPenalty:
        """The same penalty with another ``alpha`` (paths)."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.alpha = float(alpha)
        new._l1, new._l2 = coordinate_weights(new.alpha, new.l1_ratio, new._pf)
        return new

    # -- the primal side -------------------------------------------------------
    def value(self, W) -> float:
        """The penalty (``inf`` outside the box)."""
        W = np.asarray(W, dtype=np.float64)
        if np.any(W < self._lo) or np.any(W > self._hi):
            return np.inf
        return float((self._l1 * np.abs(W)).sum() + 0.5 * (self._l2 * W * W).sum())

    def prox(self, Z, step: float = 1.0):
        """``argmin_w 1/(2 step) ||w - z||**2 + penalty(w)``: soft-thresholding,
        ridge shrinkage, then the clip to the box (exact: one dimension)."""
        Z = np.asarray(Z, dtype=np.float64)
        out = np.sign(Z) * np.maximum(np.abs(Z) - step * self._l1, 0) / (1 + step * self._l2)
        return np.clip(out, self._lo, self._hi)

    def kernel_arguments(self, dtype=np.float64):
        """``(code, l1, l2, lower, upper)`` for the kernels' scalar prox: the minimiser
        of ``a/2 w**2 - g w + l1 |w| + l2/2 w**2`` over ``[lower, upper]`` is
        ``clip(soft(g, l1) / (a + l2), lower, upper)``."""
        cast = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
        return PROX_ELASTIC_NET, cast(self._l1), cast(self._l2), cast(self._lo), cast(self._hi)

    def entry_slope(self, V):
        """Per coefficient, how steeply the data term pulls it out of 0 in a feasible
        direction: ``max(V if upper > 0, -V if lower < 0, 0)`` (``|V|`` without a box,
        ``max(V, 0)`` under ``positive``; 0 for an excluded feature).  A zero
        coefficient stays optimal while this is at most its L1 weight."""
        V = np.asarray(V, dtype=np.float64)
        if not self._bounded:
            return np.abs(V)
        up = np.where(self._hi > 0, V, 0.0)
        down = np.where(self._lo < 0, -V, 0.0)
        return np.maximum(np.maximum(up, down), 0.0)

    def nearest_subgradient(self, W, V):
        """Per coefficient, the point of ``subgradient + normal cone`` at ``W`` nearest
        to ``V`` (the optimality condition is ``V`` in that set, ``V = -gradient``)."""
        W = np.asarray(W, dtype=np.float64)
        V = np.asarray(V, dtype=np.float64)
        base = self._l2 * W
        a = base + np.where(W > 0, self._l1, -self._l1)  # the interval [a, b]
        b = base + np.where(W < 0, -self._l1, self._l1)
        a = np.where(W <= self._lo, -np.inf, a)  # at a bound: the normal cone opens it
        b = np.where(W >= self._hi, np.inf, b)
        return np.clip(V, a, b)

    def kkt_violation(self, W, G):
        """Per coefficient, the distance from 0 to ``G + subgradient + normal cone``
        at ``W`` (``G`` the data term's gradient): zero exactly at the optimum."""
        W = np.asarray(W, dtype=np.float64)
        G = np.asarray(G, dtype=np.float64)
        l1, l2 = self._l1, self._l2
        r = G + l2 * W
        a = np.where(W > 0, r + l1, np.where(W < 0, r - l1, r - l1))  # interval [a, b]
        b = np.where(W > 0, r + l1, np.where(W < 0, r - l1, r + l1))
        at_hi = W >= self._hi
        at_lo = W <= self._lo
        out = np.maximum(np.maximum(a, -b), 0.0)  # interior: distance to [a, b]
        out = np.where(at_hi, np.maximum(a, 0.0), out)  # may push up: a <= 0 suffices
        out = np.where(at_lo, np.maximum(-b, 0.0), out)
        return np.where(at_hi & at_lo, 0.0, out)  # a fixed coefficient (box [0, 0])

    # -- the dual side -------------------------------------------------------
    def conjugate(self, V):
        """Per coefficient ``g*(v) = sup_{lower <= w <= upper} v w - g(w)`` (``inf``
        where unbounded; ``|v|`` within ``1e-12`` relative of a pure-L1 threshold
        counts as on it, as the solvers' dual points are built to sit there)."""
        V = np.asarray(V, dtype=np.float64)
        l1, l2 = np.broadcast_to(self._l1, V.shape), np.broadcast_to(self._l2, V.shape)
        lo, hi = np.broadcast_to(self._lo, V.shape), np.broadcast_to(self._hi, V.shape)
        # the slopes of v w - l1 |w| going up and down; an excess within rounding
        # of a pure-L1 threshold counts as none (the dual point sits on it)
        up = np.maximum(V - l1, 0.0)
        down = np.maximum(-V - l1, 0.0)
        up = np.where(up > 1e-12 * l1, up, 0.0)
        down = np.where(down > 1e-12 * l1, down, 0.0)
        smooth = l2 > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            w_star = np.clip(np.where(smooth, (up - down) / np.where(smooth, l2, 1.0), 0.0), lo, hi)
            val = V * w_star - l1 * np.abs(w_star) - 0.5 * l2 * w_star * w_star
            # pure L1 (or no penalty): linear pieces, the sup at a bound (0 * inf = 0)
            lin_up = np.where(up > 0, up * hi, 0.0)
            lin_down = np.where(down > 0, down * -lo, 0.0)
            lin = np.maximum(np.maximum(lin_up, lin_down), 0.0)
        return np.where(smooth, val, lin)

    def fenchel_young(self, W, V) -> float:
        """``sum g(w) + g*(v) - v w >= 0``, the penalty's share of the duality gap."""
        W = np.asarray(W, dtype=np.float64)
        gw = self.value(W)
        if not np.isfinite(gw):
            return np.inf
        conj = self.conjugate(V)
        if not np.all(np.isfinite(conj)):
            return np.inf
        l1, l2 = self._l1, self._l2
        per = l1 * np.abs(W) + 0.5 * l2 * W * W + conj - np.asarray(V) * W
        return float(np.maximum(per, 0.0).sum())

    def dual_scaling(self, V) -> float:
        """Largest ``c`` in ``[0, 1]`` with a finite ``g*(c v)``: pure-L1 coefficients
        unbounded in the direction of ``v`` need ``c |v| <= l1``."""
        V = np.asarray(V, dtype=np.float64)
        l1 = np.broadcast_to(self._l1, V.shape)
        hard = np.broadcast_to(self._l2 <= 0, V.shape)
        up_open = np.broadcast_to(np.isinf(self._hi), V.shape)
        down_open = np.broadcast_to(np.isinf(self._lo), V.shape)
        mag = np.where(V > 0, np.where(up_open, V, 0.0), np.where(down_open, -V, 0.0))
        over = hard & (mag > l1)
        if not np.any(over):
            return 1.0
        return float(np.min(l1[over] / mag[over]))

    def alpha_max(self, G) -> float:
        """Smallest ``alpha`` at which zero is optimal, from the data term's gradient
        ``G`` at zero (unpenalised coefficients and intercept optimal): the largest
        descent slope ``max(-G if upper > 0, G if lower < 0)`` over ``l1_ratio * pf``.
        ``inf`` for ridge when some coefficient can move; 0 when none can."""
        G = np.atleast_2d(np.asarray(G, dtype=np.float64))
        slope = np.maximum(np.where(self._hi > 0, -G, 0.0), np.where(self._lo < 0, G, 0.0)).max(
            axis=0
        )
        pen = (self._pf > 0) & ~self._excluded
        if not np.any(pen) or not np.any(slope[pen] > 0):
            return 0.0
        if self.l1_ratio <= 0:
            return np.inf
        return float(np.max(slope[pen] / self._pf[pen]) / self.l1_ratio)


def _per_feature(value, p: int, name: str):
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(p, float(arr))
    arr = arr.reshape(-1)
    if arr.shape[0] != p:
        raise ValueError(
            f"{name} has {arr.shape[0]} values; expected a scalar or one value per feature ({p})."
        )
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not be NaN.")
    return arr.copy()


# ---------------------------------------------------------------------------
# Block (L2,1) elastic net: multi-task regression, and groups of coefficients


PROX_BLOCK_ELASTIC_NET = _codes.PROX_BLOCK_ELASTIC_NET  # the block prox of ``_kernels.multitask``

__all__ += ["MultiTaskElasticNetPenalty", "PROX_BLOCK_ELASTIC_NET"]


class MultiTaskElasticNetPenalty:
    """``alpha * sum_j pf_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2**2)``
    over the blocks ``W_j = W[:, j]`` of a coefficient matrix ``W`` of shape
    ``(n_tasks, n_blocks)`` (scikit-learn's ``MultiTaskElasticNet``, glmnet's
    ``mgaussian``).

    A block is the column of one feature over the tasks; the same formulas hold
    for any partition of coefficients into blocks (a group lasso), which is why
    every method works on columns of a 2-D array.  Penalty factors must be
    positive (an unpenalised block has no finite dual certificate in the block
    solver).  The questions a solver asks are those of
    :class:`ElasticNetPenalty`, with blocks in place of coordinates.  ``V``
    arguments are correlations (``-gradient`` of the data term), ``G`` gradients.
    """

    convex = True
    name = "multitask_elastic_net"

    def __init__(self, alpha: float, l1_ratio: float, penalty_factor):
        pf = np.asarray(penalty_factor, dtype=np.float64).reshape(-1)
        if not np.all(np.isfinite(pf)) or np.any(pf <= 0):
            raise ValueError("penalty_factor must be positive and finite for a block penalty.")
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self._pf = pf
        self._l1, self._l2 = coordinate_weights(self.alpha, self.l1_ratio, pf)

    def __repr__(self) -> str:
        return (
            f"MultiTaskElasticNetPenalty(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}, "
            f"n_blocks={self._pf.shape[0]})"
        )

    def at(self, alpha: float) -> MultiTaskElasticNetPenalty:
        """The same penalty with another ``alpha`` (paths)."""
        return type(self)(alpha, self.l1_ratio, self._pf)

    @staticmethod
    def _norms(W):
        W = np.asarray(W, dtype=np.float64)
        return np.sqrt(np.einsum("kj,kj->j", W, W)), W

    # -- the primal side -------------------------------------------------------
    def value(self, W) -> float:
        """The penalty of ``W`` (shape ``(n_tasks, n_blocks)``)."""
        nrm, _ = self._norms(W)
        return float((self._l1 * nrm).sum() + 0.5 * (self._l2 * nrm * nrm).sum())

    def prox(self, Z, step: float = 1.0):
        """``argmin_W 1/(2 step) ||W - Z||_F**2 + penalty(W)``: per block the block
        soft-threshold ``max(1 - step l1_j / ||Z_j||, 0) Z_j``, then the ridge
        shrinkage ``1 / (1 + step l2_j)``."""
        nrm, Z = self._norms(Z)
        with np.errstate(divide="ignore", invalid="ignore"):
            keep = np.where(nrm > step * self._l1, 1.0 - step * self._l1 / nrm, 0.0)
        return Z * (keep / (1.0 + step * self._l2))

    def kernel_arguments(self, dtype=np.float64):
        """``(code, l1, l2)``: the minimiser of ``a/2 ||w||**2 - g.w + l1 ||w|| + l2/2
        ||w||**2`` over one block is ``max(1 - l1 / ||g||, 0) g / (a + l2)``."""
        cast = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
        return PROX_BLOCK_ELASTIC_NET, cast(self._l1), cast(self._l2)

    def kkt_violation(self, W, G):
        """Per block, the distance from 0 to ``G_j + l2_j W_j + l1_j d||W_j||``: the
        norm of ``G_j + l2_j W_j + l1_j W_j / ||W_j||`` where ``W_j != 0``, else
        ``max(||G_j|| - l1_j, 0)``.  Zero exactly at the optimum."""
        nrm, W = self._norms(W)
        G = np.asarray(G, dtype=np.float64)
        unit = np.divide(W, nrm, out=np.zeros_like(W), where=nrm > 0)
        moving = np.linalg.norm(G + self._l2 * W + self._l1 * unit, axis=0)
        at_zero = np.maximum(np.linalg.norm(G, axis=0) - self._l1, 0.0)
        return np.where(nrm > 0, moving, at_zero)

    # -- the dual side -------------------------------------------------------
    def conjugate(self, V):
        """Per block ``g*(v) = max(||v|| - l1, 0)**2 / (2 l2)`` (``l2 > 0``); for a
        pure-L2,1 block 0 inside ``||v|| <= l1`` (within ``1e-12`` relative) and
        ``inf`` outside."""
        nrm, _ = self._norms(V)
        excess = np.maximum(nrm - self._l1, 0.0)
        smooth = self._l2 > 0
        out = np.where(smooth, excess**2 / (2 * np.where(smooth, self._l2, 1.0)), 0.0)
        return np.where(~smooth & (excess > 1e-12 * self._l1), np.inf, out)

    def fenchel_young(self, W, V) -> float:
        """``sum_j g(W_j) + g*(V_j) - V_j.W_j >= 0``, the penalty's share of the
        duality gap, summed from non-negative pieces (no cancellation)."""
        nw, W = self._norms(W)
        nv, V = self._norms(V)
        if np.any(np.isinf(self.conjugate(V))):
            return np.inf
        l1, l2 = self._l1, self._l2
        # ||v|| ||w|| - v.w as ||v|| ||w|| / 2 * ||v/||v|| - w/||w||||**2
        uw = np.divide(W, nw, out=np.zeros_like(W), where=nw > 0)
        uv = np.divide(V, nv, out=np.zeros_like(V), where=nv > 0)
        cross = 0.5 * nv * nw * np.einsum("kj,kj->j", uv - uw, uv - uw)
        excess = nv - l1
        smooth = l2 > 0
        safe = np.where(smooth, l2, 1.0)
        over = smooth & (excess > 0)
        aligned = (excess - l2 * nw) ** 2 / (2 * safe)
        inside = np.maximum(-excess, 0.0) * nw + 0.5 * l2 * nw * nw
        per = np.where(over, aligned, inside) + cross
        return float(per.sum())

    def dual_scaling(self, V) -> float:
        """Largest ``c`` in ``[0, 1]`` with a finite ``g*(c V)``: pure-L2,1 blocks
        need ``c ||V_j|| <= l1_j``."""
        nrm, _ = self._norms(V)
        hard = (self._l2 <= 0) & (nrm > self._l1)
        if not np.any(hard):
            return 1.0
        return float(np.min(self._l1[hard] / nrm[hard]))

    def alpha_max(self, G) -> float:
        """Smallest ``alpha`` at which zero is optimal, from the data term's gradient
        ``G`` (shape ``(n_tasks, n_blocks)``) at zero: ``max_j ||G_j|| / (l1_ratio
        pf_j)``; ``inf`` for ridge (``l1_ratio = 0``) unless ``G`` vanishes."""
        nrm, _ = self._norms(G)
        if not np.any(nrm > 0):
            return 0.0
        if self.l1_ratio <= 0:
            return np.inf
        return float(np.max(nrm / self._pf) / self.l1_ratio)


__all__ += ["SparseGroupPenalty", "check_groups"]


def check_groups(groups, n_features: int):
    """``(order, starts)`` of a partition of ``range(n_features)`` into groups.

    ``groups`` is either one label per feature (any hashable labels; the groups
    are ordered by first appearance) or a list of index arrays.  With index
    arrays, a feature in no group becomes a group of its own (weight 1 by
    default: an ordinary lasso coordinate, since a singleton's ``||w_g||_2`` is
    ``|w_j|``); a feature in two groups, an out-of-range or repeated index and
    an empty group raise ``ValueError``.  ``order[starts[g]:starts[g+1]]`` are
    the features of group ``g``."""
    p = int(n_features)
    if isinstance(groups, np.ndarray) and groups.ndim == 1 and groups.dtype != object:
        labels = groups
    elif isinstance(groups, (list, tuple)) and all(np.ndim(g) == 0 for g in groups):
        labels = np.asarray(groups)
    else:
        labels = None
    if labels is not None:
        if labels.shape[0] != p:
            raise ValueError(
                f"groups has {labels.shape[0]} labels but X has {p} features; give one "
                "label per feature or a list of index arrays."
            )
        _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        rank = np.argsort(np.argsort(first))  # groups by first appearance
        gid = rank[inverse.reshape(-1)]
        members = [np.flatnonzero(gid == g) for g in range(first.size)]
    else:
        members, seen = [], np.zeros(p, dtype=bool)
        for g in groups:
            idx = np.asarray(g).reshape(-1)
            if idx.dtype == bool:
                raise ValueError("groups: give index arrays, not boolean masks.")
            if idx.size == 0:
                raise ValueError("groups: an empty group.")
            if not np.issubdtype(idx.dtype, np.integer):
                raise ValueError("groups: index arrays must hold integers.")
            if idx.min() < 0 or idx.max() >= p:
                raise ValueError(f"groups: an index is out of range for {p} features.")
            if np.unique(idx).size != idx.size or np.any(seen[idx]):
                raise ValueError("groups: a feature appears twice (groups must not overlap).")
            seen[idx] = True
            members.append(np.sort(idx))
        members += [np.array([j]) for j in np.flatnonzero(~seen)]
    sizes = np.array([m.size for m in members], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    order = (np.concatenate(members) if members else np.zeros(0)).astype(np.int64)
    return order, starts


class SparseGroupPenalty:
    """``alpha * (l1_ratio * ||w||_1 + (1 - l1_ratio) * sum_g omega_g ||w_g||_2)``,
    the sparse-group lasso (Simon et al. 2013); ``l1_ratio=1`` is the lasso,
    ``l1_ratio=0`` the group lasso (Yuan & Lin 2006).

    ``l1_ratio`` here mixes the L1 norm with the *group* norm, not with a ridge
    term as in :class:`ElasticNetPenalty`.  ``groups`` as :func:`check_groups`;
    ``group_weights`` ``omega`` default to ``sqrt(|g|)`` (grpreg's), in the
    order of the groups (first appearance of a label, or the list order, then
    the leftover singletons).  The group part reuses
    :class:`MultiTaskElasticNetPenalty` on the padded ``(max |g|, n_groups)``
    array of the groups (zero padding leaves every norm unchanged).  ``w`` is
    1-D (``(n_features,)``) or ``(1, n_features)``; ``V`` arguments are
    correlations (``-gradient``), ``G`` gradients.
    """

    convex = True
    name = "sparse_group_lasso"

    def __init__(self, alpha: float, l1_ratio: float, groups, n_features: int, group_weights=None):
        self.alpha = float(alpha)
        self.l1_ratio = float(l1_ratio)
        self.n_features = int(n_features)
        self.groups = groups
        self.order, self.starts = check_groups(groups, n_features)
        sizes = np.diff(self.starts)
        if group_weights is None:
            weights = np.sqrt(sizes.astype(np.float64))
        else:
            weights = np.asarray(group_weights, dtype=np.float64).reshape(-1)
            if weights.shape[0] != sizes.size:
                raise ValueError(
                    f"group_weights has {weights.shape[0]} entries for {sizes.size} groups."
                )
            if not np.all(np.isfinite(weights)) or np.any(weights <= 0):
                raise ValueError("group_weights must be positive and finite.")
        self.group_weights = weights
        # group g's features sit in column g of the padded array, rows 0..|g|-1
        self._col = np.repeat(np.arange(sizes.size), sizes)
        self._row = np.arange(self.order.size) - np.repeat(self.starts[:-1], sizes)
        self._block = MultiTaskElasticNetPenalty(self.alpha * (1 - self.l1_ratio), 1.0, weights)

    def __repr__(self) -> str:
        return (
            f"SparseGroupPenalty(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r}, "
            f"n_groups={self.n_groups})"
        )

    @property
    def n_groups(self) -> int:
        return self.starts.size - 1

    @property
    def group_ids(self) -> np.ndarray:
        """The group index of every feature."""
        out = np.empty(self.n_features, dtype=np.int64)
        out[self.order] = self._col
        return out

    def at(self, alpha: float) -> SparseGroupPenalty:
        """The same penalty with another ``alpha`` (paths)."""
        return type(self)(alpha, self.l1_ratio, self.groups, self.n_features, self.group_weights)

    def kernel_arguments(self):
        """``(order, starts, omega, alpha, tau)`` for :mod:`skdecay._kernels.group`."""
        return self.order, self.starts, self.group_weights, self.alpha, self.l1_ratio

    def _pad(self, w):
        w = np.asarray(w, dtype=np.float64).reshape(-1)
        out = np.zeros((int(np.diff(self.starts).max(initial=1)), self.n_groups))
        out[self._row, self._col] = w[self.order]
        return out

    def _unpad(self, P):
        out = np.empty(self.n_features)
        out[self.order] = P[self._row, self._col]
        return out

    # -- the primal side -------------------------------------------------------
    def value(self, W) -> float:
        w = np.asarray(W, dtype=np.float64).reshape(-1)
        l1 = self.alpha * self.l1_ratio * np.abs(w).sum()
        return float(l1 + self._block.value(self._pad(w)))

    def prox(self, Z, step: float = 1.0):
        """Soft-threshold at ``step alpha l1_ratio``, then the block soft-threshold
        at ``step alpha (1 - l1_ratio) omega_g`` (the prox of the sum is the
        composition for this pair)."""
        z = np.asarray(Z, dtype=np.float64)
        shape = z.shape
        z = z.reshape(-1)
        t = step * self.alpha * self.l1_ratio
        u = np.sign(z) * np.maximum(np.abs(z) - t, 0.0)
        return self._unpad(self._block.prox(self._pad(u), step)).reshape(shape)

    def kkt_violation(self, W, G):
        """Per group, the distance from ``-G_g`` to the subdifferential at ``W_g``:
        ``max(||S_{alpha l1_ratio}(G_g)|| - alpha (1 - l1_ratio) omega_g, 0)``
        for a zero group, else the norm of ``G_i + alpha l1_ratio sign(w_i) +
        alpha (1 - l1_ratio) omega_g w_i / ||w_g||`` over the nonzero ``w_i`` and
        ``max(|G_i| - alpha l1_ratio, 0)`` over the zero ones."""
        w = np.asarray(W, dtype=np.float64).reshape(-1)
        g = np.asarray(G, dtype=np.float64).reshape(-1)
        t1 = self.alpha * self.l1_ratio
        t2 = self.alpha * (1 - self.l1_ratio) * self.group_weights
        Pw, Pg = self._pad(w), self._pad(g)
        nrm = np.linalg.norm(Pw, axis=0)
        unit = np.divide(Pw, nrm, out=np.zeros_like(Pw), where=nrm > 0)
        soft = np.maximum(np.abs(Pg) - t1, 0.0)
        moving = np.where(Pw != 0, Pg + t1 * np.sign(Pw) + t2 * unit, soft)
        return np.where(
            nrm > 0,
            np.linalg.norm(moving, axis=0),
            np.maximum(np.linalg.norm(soft, axis=0) - t2, 0.0),
        )

    # -- the dual side -------------------------------------------------------
    def _thresholds(self, V):
        from ._kernels.group import group_threshold

        v = np.asarray(V, dtype=np.float64).reshape(-1)
        omega = (1 - self.l1_ratio) * self.group_weights
        return np.array(
            [
                group_threshold(v[self.order[a:e]], self.l1_ratio, omega[g])
                for g, (a, e) in enumerate(zip(self.starts[:-1], self.starts[1:], strict=True))
            ]
        )

    def conjugate(self, V):
        """Per group, the indicator of ``||S_{alpha l1_ratio}(V_g)|| <= alpha
        (1 - l1_ratio) omega_g`` (0 inside, within ``1e-12`` relative; ``inf``
        outside): the sparse-group norm's dual ball, the infimal convolution of
        the L-infinity ball and the group balls."""
        t = self._thresholds(V)
        return np.where(t <= self.alpha * (1 + 1e-12), 0.0, np.inf)

    def fenchel_young(self, W, V) -> float:
        """``g(W) + g*(V) - V.W >= 0``, the penalty's share of the duality gap."""
        if np.any(np.isinf(self.conjugate(V))):
            return np.inf
        v = np.asarray(V, dtype=np.float64).reshape(-1)
        w = np.asarray(W, dtype=np.float64).reshape(-1)
        return float(self.value(w) - v @ w)

    def dual_scaling(self, V) -> float:
        """Largest ``c`` in ``[0, 1]`` with ``c V`` in the dual ball:
        ``min(1, alpha / alpha_max(V))`` (the ball scales with ``alpha``)."""
        amax = float(np.max(self._thresholds(V), initial=0.0))
        return 1.0 if amax <= self.alpha else self.alpha / amax

    def alpha_max(self, G) -> float:
        """Smallest ``alpha`` at which zero is optimal, from the data term's gradient
        ``G`` at zero: the largest per-group root of ``||S_{a l1_ratio}(G_g)|| =
        a (1 - l1_ratio) omega_g`` (monotone in ``a``; bisection)."""
        return float(np.max(self._thresholds(G), initial=0.0))


# ---------------------------------------------------------------------------
# Non-convex penalties: MCP and SCAD (Breheny's parametrization, as ncvreg and skglm)


PROX_MCP = _codes.PROX_MCP  # the scalar prox codes of the kernels (``_kernels.prox``)
PROX_SCAD = _codes.PROX_SCAD

__all__ += ["MCPPenalty", "SCADPenalty", "PROX_MCP", "PROX_SCAD", "make_penalty"]


class _NonConvexPenalty(ElasticNetPenalty):
    """What MCP and SCAD share: per coefficient ``rho(|w|; lam_j, gamma) + l2_j/2 w**2``
    with ``lam_j = alpha l1_ratio pf_j`` and ``l2_j = alpha (1 - l1_ratio) pf_j`` (the
    ridge part is ncvreg's Mnet / ``alpha < 1``), within the same box as
    :class:`ElasticNetPenalty` (whose bounds, ``alpha_max``, ``entry_slope`` and
    ``at`` it keeps: ``rho``'s slope at 0 is ``lam``).

    Not convex: no conjugate, hence no duality gap; the solvers stop on the
    stationarity measure :meth:`kkt_violation` (the distance of the gradient to
    minus the Clarke subdifferential), and a returned point is a stationary
    point (a coordinate-wise minimum), not necessarily the global minimum.
    """

    convex = False
    _code = -1
    _gamma_min = 1.0

    def __init__(self, alpha, l1_ratio, penalty_factor, gamma, **box):
        gamma = float(gamma)
        if not gamma > self._gamma_min:
            raise ValueError(
                f"gamma must be > {self._gamma_min:g} for {self.name.upper()}; got {gamma!r}."
            )
        super().__init__(alpha, l1_ratio, penalty_factor, **box)
        self.gamma = gamma

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(alpha={self.alpha!r}, gamma={self.gamma!r}, "
            f"l1_ratio={self.l1_ratio!r}, n_features={self._pf.shape[0]})"
        )

    # the non-convex part, per coefficient, of t = |w| >= 0 (lam broadcast)
    def _rho(self, t, lam):  # pragma: no cover - defined by the subclasses
        raise NotImplementedError

    def _slope(self, t, lam):  # pragma: no cover
        raise NotImplementedError

    def curvature_limit(self) -> float:
        """The coordinate problem ``a/2 w**2 - g w + penalty(w)`` is strictly convex
        for ``a + l2 >`` this (``1/gamma`` for MCP, ``1/(gamma - 1)`` for SCAD)."""
        raise NotImplementedError  # pragma: no cover

    def value(self, W) -> float:
        """The penalty (``inf`` outside the box)."""
        W = np.asarray(W, dtype=np.float64)
        if np.any(W < self._lo) or np.any(W > self._hi):
            return np.inf
        return float(self._rho(np.abs(W), self._l1).sum() + 0.5 * (self._l2 * W * W).sum())

    def coordinate(self, a, g):
        """Per coefficient, the minimiser over the box of ``a/2 w**2 - g w + penalty(w)``
        (``a >= 0`` the curvature, broadcast against ``g``): the numpy reference of the
        kernels' ``_kernels.prox.ncv_coordinate``, found by comparing candidates (every
        region's stationary point and boundary, the box ends) -- exact also where
        ``a + l2`` is below :meth:`curvature_limit` and the problem is not convex."""
        g = np.asarray(g, dtype=np.float64)
        a = np.broadcast_to(np.asarray(a, dtype=np.float64), g.shape)
        lam = np.broadcast_to(self._l1, g.shape)
        l2 = np.broadcast_to(self._l2, g.shape)
        lo, hi = np.broadcast_to(self._lo, g.shape), np.broadcast_to(self._hi, g.shape)
        A = a + l2
        s = np.where(g >= 0, 1.0, -1.0)
        ag, gm = np.abs(g), self.gamma
        with np.errstate(divide="ignore", invalid="ignore"):
            cands = [
                np.zeros_like(g),
                s * lam,
                s * gm * lam,
                g / A,
                s * np.maximum(ag - lam, 0) / A,
                s * np.maximum(ag - lam, 0) / (A - 1 / gm),
                s * (ag - gm * lam / (gm - 1)) / (A - 1 / (gm - 1)),
                lo,
                hi,
            ]
        best = np.zeros_like(g)
        fbest = np.full(g.shape, np.inf)
        for c in cands:
            c = np.clip(np.where(np.isfinite(c), c, 0.0), lo, hi)
            f = 0.5 * A * c * c - g * c + self._rho(np.abs(c), lam)
            better = f < fbest
            best, fbest = np.where(better, c, best), np.where(better, f, fbest)
        return np.where(A > 0, best, 0.0)

    def prox(self, Z, step: float = 1.0):
        """``argmin_w 1/(2 step) ||w - z||**2 + penalty(w)`` (over the box): the firm
        (MCP) or SCAD threshold, a global minimiser also when ``1/step`` is below
        :meth:`curvature_limit` (:meth:`coordinate`)."""
        Z = np.asarray(Z, dtype=np.float64)
        return self.coordinate(1.0 / step, Z / step)

    def kernel_arguments(self, dtype=np.float64):
        """``(code, l1, l2, lower, upper, gamma)``: the kernels' coordinate update
        (``_kernels.prox.coordinate``) minimises ``a/2 w**2 - g w + rho(|w|; l1, gamma)
        + l2/2 w**2`` over ``[lower, upper]``; ``gamma`` in ``dtype``."""
        code, l1, l2, lo, hi = super().kernel_arguments(dtype)
        return self._code, l1, l2, lo, hi, np.dtype(dtype).type(self.gamma)

    def _derivative(self, W):
        """``rho'(|w|) sign(w) + l2 w`` where ``w != 0`` (the penalty is smooth there)."""
        return np.sign(W) * self._slope(np.abs(W), self._l1) + self._l2 * W

    def nearest_subgradient(self, W, V):
        """Per coefficient, the point of the Clarke subdifferential plus the box's
        normal cone at ``W`` nearest to ``V``: the derivative where ``W != 0``, the
        interval ``[-l1, l1]`` at 0 (opened by the normal cone at a bound)."""
        W = np.asarray(W, dtype=np.float64)
        V = np.asarray(V, dtype=np.float64)
        d = self._derivative(W)
        a = np.where(W != 0, d, -self._l1)
        b = np.where(W != 0, d, self._l1)
        a = np.where(W <= self._lo, -np.inf, a)
        b = np.where(W >= self._hi, np.inf, b)
        return np.clip(V, a, b)

    def kkt_violation(self, W, G):
        """Per coefficient, the distance from 0 to ``G + dC penalty(W) + normal cone``
        (``G`` the data term's gradient, ``dC`` the Clarke subdifferential: the
        derivative where ``W != 0``, ``[-l1, l1]`` at 0): the stationarity measure,
        zero exactly at a stationary point."""
        W = np.asarray(W, dtype=np.float64)
        G = np.asarray(G, dtype=np.float64)
        return np.abs(G + self.nearest_subgradient(W, -G))

    def _no_dual(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__} is not convex: it has no Fenchel conjugate and no "
            "duality gap (the solvers stop on kkt_violation)."
        )

    conjugate = fenchel_young = dual_scaling = _no_dual


class MCPPenalty(_NonConvexPenalty):
    """The minimax concave penalty (Zhang, 2010) of level ``lam = alpha l1_ratio pf_j``
    and concavity ``gamma > 1``, per coefficient::

        rho(w) = lam |w| - w**2 / (2 gamma)   if |w| <= gamma lam
               = gamma lam**2 / 2             otherwise

    plus ``alpha (1 - l1_ratio) pf_j / 2 w**2`` (ncvreg's ``penalty="MCP"``, skglm's
    ``MCPenalty(alpha, gamma)`` at ``l1_ratio=1``).  Its coordinate update is the firm
    threshold, ``soft(g, lam) / (a + l2 - 1/gamma)`` up to ``|g| = (a + l2) gamma lam``
    and the unpenalised ``g / (a + l2)`` beyond (no shrinkage of large coefficients),
    exact for ``a + l2 > 1/gamma`` (standardised columns: ``a = 1`` for the squared
    loss); below, the kernels compare candidates (:meth:`coordinate`).
    ``gamma -> inf`` is the elastic net.
    """

    name = "mcp"
    _code = PROX_MCP
    _gamma_min = 1.0

    def _rho(self, t, lam):
        g = self.gamma
        return np.where(t <= g * lam, lam * t - t * t / (2 * g), 0.5 * g * lam * lam)

    def _slope(self, t, lam):
        return np.maximum(lam - t / self.gamma, 0.0)

    def curvature_limit(self) -> float:
        return 1.0 / self.gamma


class SCADPenalty(_NonConvexPenalty):
    """The smoothly clipped absolute deviation (Fan & Li, 2001) of level
    ``lam = alpha l1_ratio pf_j`` and ``gamma > 2`` (Fan & Li's ``a``), per coefficient::

        rho(w) = lam |w|                                          if |w| <= lam
               = (2 gamma lam |w| - w**2 - lam**2) / (2 (gamma - 1))  if |w| <= gamma lam
               = (gamma + 1) lam**2 / 2                           otherwise

    plus the ridge part ``alpha (1 - l1_ratio) pf_j / 2 w**2`` (ncvreg's
    ``penalty="SCAD"``, skglm's ``SCAD(alpha, gamma)`` at ``l1_ratio=1``).  Its
    coordinate update, the SCAD threshold, is exact for ``a + l2 > 1/(gamma - 1)``;
    below, the kernels compare candidates (:meth:`coordinate`).
    """

    name = "scad"
    _code = PROX_SCAD
    _gamma_min = 2.0

    def _rho(self, t, lam):
        g = self.gamma
        mid = (2 * g * lam * t - t * t - lam * lam) / (2 * (g - 1))
        return np.where(t <= lam, lam * t, np.where(t <= g * lam, mid, 0.5 * (g + 1) * lam * lam))

    def _slope(self, t, lam):
        g = self.gamma
        return np.where(t <= lam, lam, np.maximum(g * lam - t, 0.0) / (g - 1))

    def curvature_limit(self) -> float:
        return 1.0 / (self.gamma - 1)


#: the default concavities (ncvreg's and skglm's)
DEFAULT_GAMMA = {"mcp": 3.0, "scad": 3.7}
NONCONVEX_PENALTIES = {"mcp": MCPPenalty, "scad": SCADPenalty}


def make_penalty(kind, alpha, l1_ratio, penalty_factor, gamma=None, **box):
    """The penalty object of ``kind`` (``"elastic_net"``, ``"mcp"`` or ``"scad"``;
    ``gamma=None``: 3 for MCP, 3.7 for SCAD); ``box``: ``positive``,
    ``lower_bounds``, ``upper_bounds``."""
    if kind in (None, "elastic_net"):
        return ElasticNetPenalty(alpha, l1_ratio, penalty_factor, **box)
    if kind not in NONCONVEX_PENALTIES:
        raise ValueError(f"penalty must be 'elastic_net', 'mcp' or 'scad'; got {kind!r}.")
    gamma = DEFAULT_GAMMA[kind] if gamma is None else gamma
    return NONCONVEX_PENALTIES[kind](alpha, l1_ratio, penalty_factor, gamma, **box)
