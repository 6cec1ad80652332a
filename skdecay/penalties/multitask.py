"""The block (L2,1) elastic net: multi-task regression, over the columns of ``W``.

``alpha * sum_j pf_j (l1_ratio ||W_j||_2 + (1 - l1_ratio)/2 ||W_j||_2**2)``
(scikit-learn's ``MultiTaskElasticNet``, glmnet's ``mgaussian``); the block
coordinate-descent kernels of :mod:`skdecay._kernels.multitask` take its block
prox code and weights (:meth:`MultiTaskElasticNetPenalty.kernel_arguments`).
"""

from __future__ import annotations

import numpy as np

from .._kernels import codes as _codes
from ._base import Leveled
from .elastic_net import coordinate_weights

__all__ = ["MultiTaskElasticNetPenalty", "PROX_BLOCK_ELASTIC_NET"]

PROX_BLOCK_ELASTIC_NET = _codes.PROX_BLOCK_ELASTIC_NET  # the block prox of ``_kernels.multitask``


class MultiTaskElasticNetPenalty(Leveled):
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
        self._alpha = float(alpha)
        self._l1_ratio = float(l1_ratio)
        self._pf = pf
        self._l1, self._l2 = coordinate_weights(self._alpha, self._l1_ratio, pf)

    def _size(self) -> str:
        return f"n_blocks={self._pf.shape[0]}"

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
