"""The non-convex penalties MCP and SCAD (Breheny's parametrization, as ncvreg and skglm).

One class each, sharing :class:`_NonConvexPenalty`: per coefficient a concave
``rho(|w|; lam, gamma)`` of level ``lam = alpha l1_ratio pf_j`` plus the elastic
net's ridge part, within the same box as
:class:`~skdecay.penalties.ElasticNetPenalty` (whose questions they answer the
same way where the answer does not depend on convexity).  Not convex: no
conjugate and no duality gap; the solvers stop on :meth:`kkt_violation`.  The
kernels' coordinate update is selected by the scalar prox code
(``_kernels.codes.PROX_MCP`` / ``PROX_SCAD``) that :meth:`kernel_arguments`
hands them with ``gamma``.
"""

from __future__ import annotations

import numpy as np

from .._kernels import codes as _codes
from .elastic_net import ElasticNetPenalty

__all__ = ["MCPPenalty", "SCADPenalty", "PROX_MCP", "PROX_SCAD", "DEFAULT_GAMMA",
           "NONCONVEX_PENALTIES"]  # fmt: skip

PROX_MCP = _codes.PROX_MCP  # the scalar prox codes of the kernels (``_kernels.prox``)
PROX_SCAD = _codes.PROX_SCAD


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

    conjugate = fenchel_young = fenchel_young_line = dual_scaling = _no_dual


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
