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
from ._kernels.codes import PROX_ELASTIC_NET
from .solvers.problem import diverged

if TYPE_CHECKING:
    from .solvers.problem import Problem


class CompiledPath(NamedTuple):
    alphas: np.ndarray  # (m,) decreasing
    coefs: np.ndarray  # (m, K, p)
    intercepts: np.ndarray  # (m, K)
    gaps: np.ndarray  # (m,) duality gap of each solution
    gaps0: np.ndarray | None  # (m,) gap of the all-zero coefficients: the reference of tol
    n_iter: np.ndarray  # (m,) CD passes (or Newton iterations) per alpha
    converged: np.ndarray  # (m,) bool


__all__ = ["CompiledPath", "supports", "use_gram", "frozen", "enet_path_compiled"]

# Measured on this machine (single thread, tol 1e-4; the closing note of issue 11):
# * a 100-alpha path with covariance updates beats residual updates whenever
#   n >= p (442x10: 0.9 vs 1.7 ms, 10000x50: 16 vs 156 ms, 500x300: 37 vs 57 ms);
#   at 300x600 residual updates win (84 vs 133 ms).  The Gram matrix takes p**2
#   floats: capped at 2000 features;
# * a single fit from zero visits every coordinate at first, so the covariance
#   storage computes most Gram rows (500x300: 8 ms, residual 0.6 ms): single fits
#   use residual updates, and beat the Python working-set solver up to about
#   n * p = 250 000 (1000x100: 0.7 vs 1.4 ms; 3000x150: 2.3 vs 2.1 ms; 10000x50:
#   7.5 vs 3.5 ms); larger single fits keep the Python solver (working sets,
#   Anderson extrapolation over the working set).
# * a path on large wide data (residual storage) pays one pass per epoch, far
#   above Python's per-alpha overhead; there the Python solver's secant starts
#   and Anderson extrapolation over the working set need fewer passes
#   (2000x10000, noise 100, 100 alphas, tol 1e-5: 204 passes in 4.3 s against
#   1161 passes in 18.3 s compiled): such paths keep the Python solver.
_GRAM_MAX_FEATURES = 2000
_SINGLE_FIT_MAX_SIZE = 250_000
_RESIDUAL_PATH_MAX_SIZE = 2_000_000
_GRAM_PATH_MAX_SIZE = 20_000_000  # the Gram rows cost up to n p**2 (2e10 flops at p=1000)


def supports(pb: Problem, alphas: np.ndarray) -> bool:
    """Whether the compiled solver takes ``pb`` at ``alphas``: dense float64,
    squared loss, the elastic net's prox, one target, every feature penalised
    (box bounds and excluded features are fine), positive alphas, and a size
    where compiling the whole loop pays (see above)."""
    return (
        pb.loss == losses.SQUARED
        and pb.penalty.prox_code == PROX_ELASTIC_NET  # the kernel's only coordinate update
        and isinstance(pb.X, np.ndarray)
        and pb.X.dtype == np.float64
        and pb.Y.shape[1] == 1
        and not pb.penalty.unpenalized_mask().any()
        and bool(np.all(alphas > 0))
        and _small_enough(*pb.X.shape, alphas.size)
    )


def _small_enough(n: int, p: int, n_alphas: int) -> bool:
    if n_alphas == 1:
        return n * p <= _SINGLE_FIT_MAX_SIZE
    limit = _GRAM_PATH_MAX_SIZE if use_gram(n, p, n_alphas) else _RESIDUAL_PATH_MAX_SIZE
    return n * p <= limit


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only view of ``a``: the kernels' read-only inputs always reach numba
    typed read-only, so a caller's read-only array (a joblib memmap, a broadcast)
    does not cost a second compilation of a whole path kernel."""
    view = a.view()
    view.flags.writeable = False
    return view


def use_gram(n: int, p: int, n_alphas: int) -> bool:
    """Covariance (Gram) updates for paths with ``n >= p`` (see above)."""
    return n_alphas > 1 and n >= p and p <= _GRAM_MAX_FEATURES


def enet_path_compiled(pb: Problem, alphas, *, tol, max_iter, settle, W0=None, grid_eps=0.0):
    """Solve ``pb`` at every ``alpha`` (decreasing) in one compiled call.

    With ``grid_eps > 0``, ``alphas`` is the number of grid values: the grid of
    :func:`skdecay.alpha_grid` (``alpha_max`` down to ``grid_eps * alpha_max``) is
    computed in the same call.

    Returns a :class:`CompiledPath` (``coefs (m, 1, p)``, ``intercepts (m, 1)``,
    per-alpha ``gaps``, ``gaps0``, ``n_iter``, ``converged``); raises
    ``FloatingPointError`` when the iterates diverge."""
    from ._kernels.enet_path import DIVERGED, enet_path_dense

    X = pb.X if pb.X.flags.f_contiguous else np.asfortranarray(pb.X)
    n, p = X.shape
    if grid_eps > 0:
        alphas = np.empty(int(alphas))
    else:
        alphas = np.array(alphas, dtype=np.float64)  # a copy: the kernel may write it
    m = alphas.size
    # the weights per unit alpha (the kernel scales them) and the box of each coefficient
    _, l1w, l2w, lo, hi, _ = pb.penalty.at(1.0).kernel_arguments(np.float64)
    w0 = np.zeros(p) if W0 is None else np.array(W0, dtype=np.float64).reshape(p)
    coefs = np.zeros((m, p))
    intercepts = np.zeros(m)
    gaps = np.zeros(m)
    gaps0 = np.zeros(m)
    n_iter = np.zeros(m, dtype=np.int64)
    status = np.zeros(m, dtype=np.int64)
    enet_path_dense(
        frozen(X),
        frozen(np.ascontiguousarray(pb.Y[:, 0], dtype=np.float64)),
        frozen(pb.s / n),
        frozen(l1w),
        frozen(l2w),
        alphas,
        float(grid_eps),
        frozen(lo),
        frozen(hi),
        bool(pb.fit_intercept),
        use_gram(n, p, m),
        float(tol),
        int(max_iter),
        bool(settle),
        frozen(w0),
        coefs,
        intercepts,
        gaps,
        gaps0,
        n_iter,
        status,
    )
    if np.any(status == DIVERGED):
        raise diverged()
    return CompiledPath(
        alphas, coefs[:, None, :], intercepts[:, None], gaps, gaps0, n_iter, status == 1
    )
