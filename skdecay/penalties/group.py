"""The sparse-group lasso: L1 plus a weighted sum of group norms.

:func:`check_groups` turns the user's ``groups`` into ``(order, starts)``;
:class:`SparseGroupPenalty` answers the block coordinate-descent solver
(:mod:`skdecay.solvers.bcd`), its group part being the block penalty of
:mod:`.multitask` on the zero-padded groups.
"""

from __future__ import annotations

import numpy as np

from ._base import Leveled
from .multitask import MultiTaskElasticNetPenalty

__all__ = ["SparseGroupPenalty", "check_groups"]


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


class SparseGroupPenalty(Leveled):
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
        self._alpha = float(alpha)
        self._l1_ratio = float(l1_ratio)
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
        self._block = MultiTaskElasticNetPenalty(self._alpha * (1 - self._l1_ratio), 1.0, weights)

    def _size(self) -> str:
        return f"n_groups={self.n_groups}"

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
        from .._kernels.group import group_threshold

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
