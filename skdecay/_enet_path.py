"""Driver of the compiled squared-loss path (:mod:`skdecay._kernels.enet_path`).

Dense float64 problems whose penalised coordinates all carry an L1 or L2 weight
(every penalty factor positive, every ``alpha`` positive) are solved for a whole
grid in one compiled call; the others (sparse or float32 ``X``, unpenalised
features) keep the Python working-set solver of :mod:`skdecay.solvers`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import losses

if TYPE_CHECKING:
    from .solvers import Problem


class CompiledPath(NamedTuple):
    coefs: np.ndarray  # (m, K, p)
    intercepts: np.ndarray  # (m, K)
    gaps: np.ndarray  # (m,) duality gap of each solution
    gaps0: np.ndarray  # (m,) gap of the all-zero coefficients: the reference of tol
    n_iter: np.ndarray  # (m,) CD passes (or Newton iterations) per alpha
    converged: np.ndarray  # (m,) bool


__all__ = ["CompiledPath", "supports", "use_gram", "enet_path_compiled"]

# covariance updates pay O(n p) once per coordinate that ever moves and O(p) per
# coordinate update; residual updates pay O(n) per update (measured crossover in
# benchmarks/bench_small.py and the closing note of issue 11)
_GRAM_MAX_FEATURES = 2000


def supports(pb: Problem, alphas: np.ndarray | None = None) -> bool:
    """Whether the compiled path solves ``pb`` (dense float64, squared loss, one
    target, every feature penalised, positive alphas)."""
    return (
        pb.loss == losses.SQUARED
        and isinstance(pb.X, np.ndarray)
        and pb.X.dtype == np.float64
        and pb.Y.shape[1] == 1
        and bool(np.all(pb.pf > 0))
        and (alphas is None or bool(np.all(alphas > 0)))
    )


def use_gram(n: int, p: int) -> bool:
    """Covariance (Gram) updates when ``n`` is well above ``p``."""
    return p <= _GRAM_MAX_FEATURES and n >= 2 * p


def enet_path_compiled(pb: Problem, alphas, *, tol, max_iter, settle, W0=None):
    """Solve ``pb`` at every ``alpha`` (decreasing) in one compiled call.

    Returns a :class:`CompiledPath` (``coefs (m, 1, p)``, ``intercepts (m, 1)``,
    per-alpha ``gaps``, ``gaps0``, ``n_iter``, ``converged``); raises
    ``FloatingPointError`` when the iterates diverge."""
    from ._kernels.enet_path import DIVERGED, enet_path_dense

    X = pb.X if pb.X.flags.f_contiguous else np.asfortranarray(pb.X)
    n, p = X.shape
    alphas = np.ascontiguousarray(alphas, dtype=np.float64)
    m = alphas.size
    pf = np.asarray(pb.pf, dtype=np.float64)
    l1w = pb.l1_ratio * pf
    l2w = (1.0 - pb.l1_ratio) * pf
    w0 = np.zeros(p) if W0 is None else np.array(W0, dtype=np.float64).reshape(p)
    coefs = np.zeros((m, p))
    intercepts = np.zeros(m)
    gaps = np.zeros(m)
    gaps0 = np.zeros(m)
    n_iter = np.zeros(m, dtype=np.int64)
    status = np.zeros(m, dtype=np.int64)
    enet_path_dense(
        X,
        np.ascontiguousarray(pb.Y[:, 0], dtype=np.float64),
        pb.s / n,
        l1w,
        l2w,
        alphas,
        bool(pb.positive),
        bool(pb.fit_intercept),
        use_gram(n, p),
        float(tol),
        int(max_iter),
        bool(settle),
        w0,
        coefs,
        intercepts,
        gaps,
        gaps0,
        n_iter,
        status,
    )
    if np.any(status == DIVERGED):
        raise FloatingPointError(
            "skdecay: the solver produced non-finite coefficients; the data are "
            "probably badly scaled (standardize X) or contain huge values."
        )
    return CompiledPath(coefs[:, None, :], intercepts[:, None], gaps, gaps0, n_iter, status == 1)
