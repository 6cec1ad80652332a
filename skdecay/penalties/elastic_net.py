"""The elastic-net penalty, the one formula behind L1, L2 and their mixtures.

For coefficients ``w`` (shape ``(n_features,)`` or ``(n_classes, n_features)``),
per-feature penalty factors ``pf`` (glmnet's ``penalty.factor``; 0 leaves a
feature unpenalised) and a box ``lower_j <= w_j <= upper_j`` (``w >= 0`` under
``positive``)::

    penalty(w) = alpha * sum_j pf_j * (l1_ratio * |w_j| + (1 - l1_ratio) / 2 * w_j**2)

``l1_ratio=1`` is the lasso, ``l1_ratio=0`` ridge.  Everything here is plain
numpy: it is the reference the numba kernels are tested against and what the
solvers ask outside the hot loop (:class:`ElasticNetPenalty`).  The per-feature
scalars ``l1_j = alpha*l1_ratio*pf_j`` and ``l2_j = alpha*(1-l1_ratio)*pf_j``
(:func:`coordinate_weights`) are what the kernels consume.
"""

from __future__ import annotations

import numpy as np

from .._kernels import codes as _codes
from ._base import Leveled
from .dual import FenchelYoungLine, GeneralLine, fast_violations, scaling_limit

__all__ = ["coordinate_weights", "penalty_value", "ElasticNetPenalty", "PROX_ELASTIC_NET"]

PROX_ELASTIC_NET = _codes.PROX_ELASTIC_NET  # the kernels' scalar prox code


def coordinate_weights(alpha: float, l1_ratio: float, pf: np.ndarray, dtype=np.float64):
    """Per-feature ``(l1_j, l2_j)`` weights of the penalty, in ``dtype``."""
    pf = np.asarray(pf, dtype=np.float64)
    l1 = (alpha * l1_ratio) * pf
    l2 = (alpha * (1.0 - l1_ratio)) * pf
    return l1.astype(dtype, copy=False), l2.astype(dtype, copy=False)  # new arrays


def penalty_value(w, alpha, l1_ratio, pf) -> float:
    """``alpha * sum pf * (l1_ratio*|w| + (1-l1_ratio)/2 * w**2)`` (no box: the
    perceptrons' weight penalty)."""
    w = np.asarray(w, dtype=np.float64)
    l1, l2 = coordinate_weights(alpha, l1_ratio, pf)
    return float((l1 * np.abs(w)).sum() + 0.5 * (l2 * w * w).sum())


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


class ElasticNetPenalty(Leveled):
    """``alpha * sum_kj pf_j (l1_ratio |w_kj| + (1 - l1_ratio)/2 w_kj**2)`` plus the box
    ``lower_j <= w_kj <= upper_j`` (glmnet's ``lower.limits`` / ``upper.limits``).

    ``positive=True`` is ``lower = 0``; a penalty factor of ``inf`` excludes a
    feature (glmnet's ``exclude``: its box is ``[0, 0]``); ``pf = 0`` leaves it
    unpenalised.  The box must contain 0 (as glmnet's limits), so zero is always
    feasible and ``alpha_max`` keeps its meaning.

    A solver asks the penalty, never its fields.  The primal side: :meth:`value`,
    :meth:`prox`, :meth:`kernel_arguments` (the kernels' scalar prox),
    :meth:`clip` (a warm start into the box), :meth:`kkt_violation`,
    :meth:`nearest_subgradient`, :meth:`entry_slope`, :meth:`unpenalized_mask`;
    the dual side: :meth:`conjugate`, :meth:`fenchel_young`,
    :meth:`fenchel_young_line` (the gap along the dual scaling), :meth:`dual_scaling`,
    :meth:`dual_free` (what the dual point is projected against),
    :meth:`alpha_max`; paths: :meth:`at` (the same penalty at another ``alpha``),
    :meth:`unpenalized` (the refit without penalty).  Without a box (or with
    ``w >= 0`` only) the fast formulas answer (compiled for long vectors), with
    one the general ones: the choice is the penalty's.  ``V`` arguments are
    correlations ``-gradient`` of the data term (the dual side), ``G`` gradients.
    """

    convex = True
    name = "elastic_net"
    _code = PROX_ELASTIC_NET

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
        # an excluded feature is fixed at 0 by its box; it keeps a finite factor (1)
        # so that nothing counts it as unpenalised (free to move)
        pf = np.where(excluded, 1.0, pf)
        self._alpha = float(alpha)
        self._l1_ratio = float(l1_ratio)
        self._pf, self._lo, self._hi, self._excluded = pf, lo, hi, excluded
        self._l1, self._l2 = coordinate_weights(self._alpha, self._l1_ratio, pf)
        self._set_box()
        self._family = object()  # shared by :meth:`at`: the cache key of one problem

    def _set_box(self):
        lo, hi = self._lo, self._hi
        self._bounded = bool(np.any(np.isfinite(lo)) or np.any(np.isfinite(hi)))
        # ``_orthant``: None under a general box; else whether w >= 0 (the fast formulas)
        if not self._bounded:
            self._orthant = False
        elif np.all(lo == 0) and np.all(np.isinf(hi)):
            self._orthant = True
        else:
            self._orthant = None

    def _size(self) -> str:
        return f"n_features={self._pf.shape[0]}"

    # -- the penalty's own parameters (read-only; alpha, l1_ratio: Leveled) -----
    @property
    def penalty_factor(self) -> np.ndarray:
        """The per-feature factors (a copy; an excluded feature shows 1)."""
        return self._pf.copy()

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """``(lower, upper)`` per feature (``positive`` and exclusions applied)."""
        return self._lo.copy(), self._hi.copy()

    @property
    def prox_code(self) -> int:
        """The kernels' scalar prox code (``_kernels.codes``): the compiled whole-path
        solvers take ``PROX_ELASTIC_NET`` only."""
        return self._code

    @property
    def smooth(self) -> bool:
        """No L1 part (``alpha = 0`` or ``l1_ratio = 0``): a quadratic in the box."""
        return self._alpha == 0 or self._l1_ratio == 0

    def bounded(self) -> bool:
        """Whether some coefficient is bounded (``positive`` or excluded included)."""
        return self._bounded

    def has_box(self) -> bool:
        """Whether the coefficients have bounds beyond ``w >= 0`` (or excluded
        features): the solvers that cannot clip refuse such a penalty."""
        return self._orthant is None

    # -- paths and sub-problems ---------------------------------------------------
    def _copy(self) -> ElasticNetPenalty:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def at(self, alpha: float) -> ElasticNetPenalty:
        """The same penalty with another ``alpha`` (paths; shares :meth:`dual_key`'s
        family, so a problem's cache stays valid)."""
        new = self._copy()
        new._alpha = float(alpha)
        new._l1, new._l2 = coordinate_weights(new._alpha, new._l1_ratio, new._pf)
        return new

    def rounded(self, dtype) -> ElasticNetPenalty:
        """The same penalty with its bounds rounded to ``dtype`` (float32 ``X``: the
        kernels clip to the rounded bounds, so they are the box)."""
        if np.dtype(dtype) == np.float64 or not self._bounded:
            return self
        new = self._copy()
        new._lo = self._lo.astype(dtype).astype(np.float64)
        new._hi = self._hi.astype(dtype).astype(np.float64)
        new._set_box()
        return new

    def unpenalized(self, idx=None) -> ElasticNetPenalty:
        """The zero penalty on the coefficients ``idx`` (default: all), keeping their
        box: the refit of a relaxed fit, the unpenalised features of ``alpha_max``."""
        idx = slice(None) if idx is None else idx
        lo, hi = self._lo[idx], self._hi[idx]
        return ElasticNetPenalty(0.0, self._l1_ratio, np.zeros(lo.shape[0]), lower_bounds=lo,
                                 upper_bounds=hi)  # fmt: skip

    def as_kind(self, kind: str, gamma=None) -> ElasticNetPenalty:
        """The same weights and box under the penalty family ``kind``
        (``"elastic_net"``, ``"mcp"``, ``"scad"``; ``gamma=None``: the default)."""
        from . import make_penalty  # the registry of the families

        family = make_penalty(kind, 1.0, 0.0, np.ones(1), gamma)  # validates kind, gamma
        if type(family) is type(self) and getattr(family, "gamma", None) == getattr(
            self, "gamma", None
        ):
            return self
        new = object.__new__(type(family))
        new.__dict__.update(self.__dict__)
        if hasattr(family, "gamma"):
            new.gamma = family.gamma
        else:
            new.__dict__.pop("gamma", None)
        return new

    def dual_key(self) -> tuple:
        """What a cached dual point depends on besides the data: the penalty family
        (the same for every :meth:`at`) and whether ``alpha = 0`` frees every feature."""
        return (self._family, self._alpha == 0)

    # -- the primal side -------------------------------------------------------
    def value(self, W) -> float:
        """The penalty (``inf`` outside the box)."""
        W = np.asarray(W, dtype=np.float64)
        if self._bounded and (np.any(W < self._lo) or np.any(W > self._hi)):
            return np.inf
        return float((self._l1 * np.abs(W)).sum() + 0.5 * (self._l2 * W * W).sum())

    def prox(self, Z, step: float = 1.0):
        """``argmin_w 1/(2 step) ||w - z||**2 + penalty(w)``: soft-thresholding,
        ridge shrinkage, then the clip to the box (exact: one dimension)."""
        Z = np.asarray(Z, dtype=np.float64)
        out = np.sign(Z) * np.maximum(np.abs(Z) - step * self._l1, 0) / (1 + step * self._l2)
        return np.clip(out, self._lo, self._hi)

    def weights(self, dtype=np.float64):
        """``(l1_j, l2_j)``, the per-feature L1 and L2 weights at this ``alpha``, in
        ``dtype`` (new arrays)."""
        return self._l1.astype(dtype), self._l2.astype(dtype)

    def kernel_arguments(self, dtype=np.float64):
        """``(code, l1, l2, lower, upper, gamma)`` for the kernels' scalar prox
        (``_kernels.prox.coordinate``): the minimiser of ``a/2 w**2 - g w + l1 |w| +
        l2/2 w**2`` over ``[lower, upper]`` is ``clip(soft(g, l1) / (a + l2), lower,
        upper)``; arrays and ``gamma`` in ``dtype`` (``gamma`` unused here: 1)."""
        cast = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
        return (
            self._code,
            cast(self._l1),
            cast(self._l2),
            cast(self._lo),
            cast(self._hi),
            np.dtype(dtype).type(getattr(self, "gamma", 1.0)),
        )

    def elastic_net_arguments(self):
        """``(pf, l1_ratio, positive)``, glmnet's parametrisation, for the compiled
        logistic path (which scales by ``alpha`` itself), or ``None`` when it does not
        apply (a box beyond ``w >= 0``, or another prox than the elastic net's)."""
        if self._orthant is None or self._code != PROX_ELASTIC_NET:
            return None
        return self._pf, self._l1_ratio, bool(self._orthant)

    def clip(self, W, dtype=None):
        """``W`` clipped to the box (a warm start from outside it, e.g. new bounds), in
        ``dtype`` (default ``W``'s); ``W`` itself when there is no box."""
        if not self._bounded:
            return W
        W = np.asarray(W)
        return np.clip(W, self._lo, self._hi).astype(dtype or W.dtype)

    def unpenalized_mask(self) -> np.ndarray:
        """Per feature, whether it carries no penalty weight and can move (``pf = 0``,
        a box other than ``[0, 0]``), whatever ``alpha``."""
        return (self._pf == 0) & (self._lo < self._hi)

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
        at ``W`` (``G`` the data term's gradient): zero exactly at the optimum.
        Without a box (or with ``w >= 0`` only) the closed form, compiled for one
        long vector (:func:`~skdecay.penalties.dual.fast_violations`)."""
        W = np.asarray(W)
        if self._orthant is not None:
            V = -np.asarray(G, dtype=np.float64)
            return fast_violations(V, W, self._l1, self._l2, self._orthant)
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
    def dual_free(self, W, correlation):
        """Mask of the unpenalised coefficients the dual point must be orthogonal to
        (projected out) at ``W``; ``correlation(idx)`` gives the ``(K, m)`` correlations
        of the features ``idx`` (asked only under a box).

        An unpenalised coefficient constrained to be positive only enters while it
        is nonzero (at zero its constraint is an inequality).  Under a box, one at a
        bound whose correlation pushes outward (the bound is active) is left out:
        the box's conjugate takes it, finite, at ``v * bound``; one strictly inside
        its box, or pulled back inside, is projected out.  An excluded coefficient
        never enters.  Under a box with several classes the mask is per class,
        shape ``(K, p)`` (a coefficient may sit at its bound in one class only)."""
        free = self._alpha * self._pf == 0  # alpha = 0 leaves every feature unpenalised
        if self._orthant is None:
            if not free.any():
                return free
            lo, hi = self._lo, self._hi
            free = np.broadcast_to(free & (lo < hi), W.shape).copy()  # (K, p)
            at_lo, at_hi = W <= lo, W >= hi
            bound = np.flatnonzero(np.any(free & (at_lo | at_hi), axis=0))
            if bound.size:  # the side each correlation pushes to
                v = correlation(bound)
                outward = (at_lo[:, bound] & (v < 0)) | (at_hi[:, bound] & (v > 0))
                free[:, bound] &= ~outward
            return free[0] if free.shape[0] == 1 or (free == free[0]).all() else free
        if self._orthant:
            free &= np.any(W != 0, axis=0)
        return free

    def _free_rounding(self, V):
        """``V`` with the rounding of unpenalised coefficients (``l1 = l2 = 0``)
        removed: the dual points project them out (their correlation is zero up to
        rounding, ``<= 1e-12 max|V|``), as the unboxed formulas assume."""
        free = (self._l1 == 0) & (self._l2 == 0)
        if not free.any():
            return V
        tiny = np.abs(V) <= 1e-12 * np.max(np.abs(V), initial=0.0)
        return np.where(free & tiny, 0.0, V)

    def conjugate(self, V):
        """Per coefficient ``g*(v) = sup_{lower <= w <= upper} v w - g(w)`` (``inf``
        where unbounded; ``|v|`` within ``1e-12`` relative of a pure-L1 threshold
        counts as on it, as the solvers' dual points are built to sit there)."""
        V = self._free_rounding(np.asarray(V, dtype=np.float64))
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
            # pure L1: linear pieces, the sup at a bound (0 * inf = 0)
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

    def fenchel_young_line(self, W, V, limit: float = np.inf):
        """``(c_max, line)``: the dual scaling's upper end ``min(dual_scaling(V),
        limit)`` (``limit`` the data term's) and ``line(c) = fenchel_young(W, c V)``
        for ``c`` in ``[0, c_max]``.  Without a box ``line`` is the piecewise quadratic
        :class:`~skdecay.penalties.dual.FenchelYoungLine` (exact minimisation; the
        zero coefficients that stay inside their L1 threshold up to ``c_max``, whose
        terms are exactly 0, left out), else a
        :class:`~skdecay.penalties.dual.GeneralLine`."""
        w = np.asarray(W, dtype=np.float64)
        v = np.asarray(V, dtype=np.float64)
        if self._orthant is None:
            return min(self.dual_scaling(v), limit), GeneralLine(self, w, v)
        if v.ndim == 2 and v.shape[0] == 1:  # one target: plain (p,) vectors
            w, v = w[0], v[0]
        l1, l2 = self._l1, self._l2
        mag = np.maximum(v, 0.0) if self._orthant else np.abs(v)
        hi = min(scaling_limit(mag, l1, l2), limit)
        keep = (w != 0) | (mag * hi >= l1 * (1 - 1e-9))
        if keep.ndim > 1:
            keep = keep.any(axis=0)
        keep |= l1 <= 0
        if not keep.all():
            idx = np.flatnonzero(keep)
            w, v, l1, l2 = w.take(idx, -1), v.take(idx, -1), l1.take(idx), l2.take(idx)
        return hi, FenchelYoungLine(w, v, l1, l2, self._orthant)

    def dual_scaling(self, V) -> float:
        """Largest ``c`` in ``[0, 1]`` with a finite ``g*(c v)``: pure-L1 coefficients
        unbounded in the direction of ``v`` need ``c |v| <= l1``."""
        V = np.asarray(V, dtype=np.float64)
        if self._orthant is not None:
            mag = np.maximum(V, 0.0) if self._orthant else np.abs(V)
            return scaling_limit(mag, self._l1, self._l2)
        V = self._free_rounding(V)
        l1 = np.broadcast_to(self._l1, V.shape)
        hard = np.broadcast_to((self._l1 > 0) & (self._l2 <= 0), V.shape)
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
        if self._l1_ratio <= 0:
            return np.inf
        return float(np.max(slope[pen] / self._pf[pen]) / self._l1_ratio)
