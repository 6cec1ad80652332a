"""The fitting problem every solver reads, built in one place (:func:`make_problem`).

A :class:`Problem` holds one validated, converted problem::

    minimise  data_loss(Y, X @ W.T + b + offset; s) + penalty(W)

``losses`` gives the data term by integer code (``loss``, Tweedie's ``power``),
:attr:`Problem.penalty` the penalty object (``penalties.ElasticNetPenalty`` or a
non-convex one): the solvers ask it every question about the penalty
(``alpha`` included) and a path moves along ``alpha`` with :meth:`Problem.at`.
:class:`ProblemCache` keeps what does not depend on ``alpha`` for the next solve
of a warm-started path; the float64 helpers here accumulate float32 products
without a float64 copy of ``X``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .. import losses
from .._validation import check_offset, check_penalty_factor, check_sample_weight
from ..penalties import ElasticNetPenalty, make_penalty

__all__ = [
    "Problem",
    "ProblemCache",
    "Result",
    "make_problem",
    "linear_predictor",
    "zero_point",
    "diverged",
    "check_finite",
]


class ProblemCache:
    """What a warm-started path reuses between solves of one problem.

    Each entry is stored with the arrays it was computed from (``X``, ``Y``,
    ``s``, ``offset``) and a key of the settings it depends on (for a dual point,
    the penalty's ``dual_key``), and is returned only for those very arrays and
    an equal key: the cache is valid for one problem, whatever ``alpha``.  The
    entries (slots, so a misspelt name raises):

    * ``zero_reference``: zero point, its predictor, objective and dual point;
    * ``zero_dual``: the dual point at zero (also ``alpha_max``'s gradient);
    * ``cd_moments``: lazily computed column moments of the CD solver;
    * ``cd_residual`` / ``cd_residual_before``: the last two solutions with their
      exact residuals (warm starts and the secant extrapolation of paths);
    * ``cd_correlation``: ``X.T @ residual`` at the last solution;
    * ``shift``: the problem with its large-mean columns shifted
      (``precondition``).
    """

    __slots__ = (
        "zero_reference",
        "zero_dual",
        "cd_moments",
        "cd_residual",
        "cd_residual_before",
        "cd_correlation",
        "shift",
    )

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, None)

    @staticmethod
    def _owners(pb: Problem) -> tuple:
        return (pb.X, pb.Y, pb.s, pb.offset)

    def get(self, pb: Problem, entry: str, key: tuple = ()):
        """The value of ``entry`` if stored for ``pb``'s arrays and an equal ``key``."""
        stored = getattr(self, entry)
        if stored is None:
            return None
        owners, stored_key, value = stored
        if stored_key != key or any(
            a is not b for a, b in zip(owners, self._owners(pb), strict=True)
        ):
            return None
        return value

    def put(self, pb: Problem, entry: str, value, key: tuple = ()) -> None:
        setattr(self, entry, (self._owners(pb), key, value))


@dataclass(frozen=True)
class Problem:
    """A validated problem: ``X`` dense Fortran-ordered or CSC (CSR for the ridge
    kernel solver), same dtype as ``Y``, ``s``; ``penalty`` answers every question
    about the penalty (``penalty.alpha`` is its level)."""

    X: np.ndarray | sp.csc_matrix
    Y: np.ndarray  # (n, K)
    s: np.ndarray  # (n,), sums to n
    loss: int
    penalty: ElasticNetPenalty  # or MCPPenalty / SCADPenalty
    fit_intercept: bool = True
    offset: np.ndarray | None = None  # (n,) added to every linear predictor
    power: float = 1.5  # Tweedie's variance power (losses.TWEEDIE only)
    # ``pb.at(alpha)`` / ``dataclasses.replace`` share the cache (a warm-started path)
    cache: ProblemCache = field(default_factory=ProblemCache, compare=False, repr=False)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def dtype(self):
        return self.X.dtype

    def at(self, alpha: float) -> Problem:
        """The same problem (and cache) with the penalty at another ``alpha``."""
        return replace(self, penalty=self.penalty.at(float(alpha)))

    @property
    def data_loss(self) -> losses.Loss:
        """The loss table's entry of this problem."""
        return losses.get_loss(self.loss, power=self.power)

    def constant_predictor(self, b):
        """The predictor of zero coefficients, ``b (+ offset)``, shape ``(n, K)``
        (read-only without offset: a broadcast view)."""
        Z = np.broadcast_to(np.asarray(b, dtype=self.dtype), self.Y.shape)
        return Z if self.offset is None else Z + self.offset[:, None]

    def predictor(self, W, b):
        """``X @ W.T + b (+ offset)``, shape ``(n, K)``, in the dtype of ``X``."""
        Z = linear_predictor(self.X, W, b)
        return Z if self.offset is None else Z + self.offset[:, None]


class Result(NamedTuple):
    coef: np.ndarray  # (K, p)
    intercept: np.ndarray  # (K,)
    dual_gap: float
    gap_zero: float
    n_iter: int
    converged: bool


def linear_predictor(X, W, b):
    return np.asarray(X @ W.T) + b


# Elements per block when a float32 product is accumulated in float64 (4 MiB).
_BLOCK = 1 << 19


def _row_step(X) -> int:
    """Rows per float64 block of float32 ``X``: at most 4 MiB and 1/32 of its rows."""
    n, p = X.shape
    return max(1, min(_BLOCK // max(p, 1), -(-n // 32)))


def _as64(X):
    """Sparse ``X`` with float64 values (a copy of ``data`` only, indices shared)."""
    return sp.csc_matrix((X.data.astype(np.float64), X.indices, X.indptr), shape=X.shape)


def predictor64(pb: Problem, W, b):
    """:meth:`Problem.predictor` accumulated in float64 (for float32 ``X``)."""
    Z = _predictor64(pb.X, W, b)
    return Z if pb.offset is None else Z + pb.offset[:, None]


def _predictor64(X, W, b):
    """``X @ W.T + b`` accumulated in float64 for float32 ``X``, without a float64
    copy of dense ``X`` (row blocks are converted one at a time)."""
    W64 = np.asarray(W, dtype=np.float64).T
    if sp.issparse(X):
        return np.asarray(_as64(sp.csc_matrix(X)) @ W64) + b
    step = _row_step(X)
    out = np.empty((X.shape[0], W64.shape[1]))
    for i in range(0, X.shape[0], step):
        out[i : i + step] = X[i : i + step].astype(np.float64) @ W64
    return out + np.asarray(b, dtype=np.float64)


def correlation64(X, T):
    """``X.T @ T`` accumulated in float64 for float32 ``X`` (``T`` float64, (n, K))."""
    if sp.issparse(X):
        return np.asarray(_as64(sp.csc_matrix(X)).T @ T)
    step = _row_step(X)
    out = np.zeros((X.shape[1], T.shape[1]))
    for i in range(0, X.shape[0], step):
        out += X[i : i + step].astype(np.float64).T @ T[i : i + step]
    return out


def zero_point(pb: Problem):
    """Zero coefficients and the intercept optimal for them."""
    K, p = pb.Y.shape[1], pb.X.shape[1]
    W = np.zeros((K, p), dtype=pb.dtype)
    if pb.fit_intercept:
        b = pb.data_loss.intercept_at_zero(pb.Y, pb.s, pb.offset).astype(pb.dtype)
    else:
        b = np.zeros(K, dtype=pb.dtype)
    return W, b


def abs_product64(X, v, transpose=False):
    """``|X| @ v`` (or ``|X|.T @ v``) in float64, ``v`` float64 (n or p, K)."""
    if sp.issparse(X):
        A = abs(_as64(sp.csc_matrix(X)))
        return np.asarray((A.T if transpose else A) @ v)
    step = _row_step(X)
    out = np.zeros((X.shape[1] if transpose else X.shape[0], v.shape[1]))
    for i in range(0, X.shape[0], step):
        A = np.abs(X[i : i + step].astype(np.float64))
        if transpose:
            out += A.T @ v[i : i + step]
        else:
            out[i : i + step] = A @ v
    return out


def columns(X, idx):
    if sp.issparse(X):
        return sp.csc_matrix(X[:, idx])
    return np.asfortranarray(X[:, idx])


def diverged() -> FloatingPointError:
    """The error every solver raises when its iterates become non-finite."""
    return FloatingPointError(
        "skdecay: the solver produced non-finite coefficients; the data are "
        "probably badly scaled (standardize X) or contain huge values."
    )


def check_finite(*arrays):
    for a in arrays:
        if not np.all(np.isfinite(a)):
            raise diverged()


def make_problem(
    X,
    Y,
    sample_weight,
    loss: int,
    alpha: float,
    l1_ratio: float,
    penalty_factor=None,
    *,
    positive: bool = False,
    fit_intercept: bool = True,
    offset=None,
    power: float = 1.5,
    lower_bounds=None,
    upper_bounds=None,
    penalty_kind: str = "elastic_net",
    gamma: float | None = None,
) -> tuple[Problem, np.ndarray]:
    """The one place a :class:`Problem` is built, from validated ``X`` and targets
    ``Y`` (``(n, K)``, already encoded for the loss).

    Sample weights are rescaled to sum to ``n``; penalty factors and bounds are
    checked and the penalty object built (``penalty_kind``: ``"elastic_net"``, or
    the non-convex ``"mcp"`` / ``"scad"`` of concavity ``gamma``); an ``offset``
    (``(n,)``, e.g. log exposure) is added to every linear predictor (for the
    squared loss it is folded into the targets, ``Y - offset``, which leaves the
    problem unchanged).  Returns the problem and the raw
    (unnormalised) weights.
    """
    n, p = X.shape
    sw = check_sample_weight(sample_weight, n, X.dtype)
    s = (sw * (n / np.sum(sw, dtype=np.float64))).astype(X.dtype)
    pf = check_penalty_factor(penalty_factor, p)
    Y = np.asarray(Y, dtype=X.dtype)
    offset = check_offset(offset, n, X.dtype)
    if offset is not None:
        if loss == losses.SQUARED:
            Y, offset = Y - offset[:, None], None
        elif not np.any(offset):
            offset = None
    # the penalty checks the bounds (the box must contain 0) and fixes the excluded
    # features (pf = inf) at 0; float32: the rounded bounds are the box (the kernels
    # clip to them)
    penalty = make_penalty(
        penalty_kind,
        alpha,
        l1_ratio,
        pf,
        gamma,
        positive=positive,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    ).rounded(X.dtype)
    pb = Problem(X, Y, s, loss, penalty, bool(fit_intercept), offset, float(power))
    return pb, sw
