"""The fitting problem every solver reads, built in one place (:func:`make_problem`).

A :class:`Problem` holds one validated, converted problem::

    minimise  data_loss(Y, X @ W.T + b + offset; s) + penalty(W)

``losses`` gives the data term by integer code (``loss``, Tweedie's ``power``),
:attr:`Problem.penalty` the penalty object (``penalties.ElasticNetPenalty`` or a
non-convex one): the solvers ask it every question about the penalty
(``alpha`` included) and a path moves along ``alpha`` with :meth:`Problem.at`.
:class:`ProblemCache` keeps what does not depend on ``alpha`` for the next solve
of a warm-started path; the float64 helpers here accumulate float32 products
without a float64 copy of ``X``.  :func:`regression_problem` and
:func:`logistic_problem` build the problems of the estimators, paths, CV
estimators and the command (``alpha = 1``, moved along the path) from raw targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from numbers import Real
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_consistent_length

from .. import losses
from .._validation import check_offset, check_penalty_factor, check_sample_weight
from ..penalties import ElasticNetPenalty, make_penalty

__all__ = [
    "Problem",
    "ProblemCache",
    "Result",
    "make_problem",
    "regression_problem",
    "logistic_problem",
    "regression_loss",
    "encode_classes",
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


# the losses of the regression paths (``ElasticNetRegressor``'s ``loss``)
_REGRESSION = losses.REGRESSION_LOSS_NAMES


def regression_loss(loss: str, power) -> losses.Loss:
    """The table entry of a regression ``loss`` name (``"squared"`` is an alias)."""
    if loss == "squared":
        loss = "squared_error"
    if loss not in _REGRESSION:
        raise ValueError(f"loss must be one of {_REGRESSION}, got {loss!r}.")
    if loss == "tweedie" and (
        isinstance(power, bool) or not isinstance(power, Real) or not 1 < power < 2
    ):
        raise ValueError(f"power must be a float in (1, 2) for the tweedie loss, got {power!r}.")
    return losses.get_loss(loss, power=power)


def regression_problem(
    X,
    y,
    l1_ratio,
    sample_weight,
    penalty_factor,
    positive,
    fit_intercept,
    checked=False,
    *,
    loss: str = "squared_error",
    power: float = 1.5,
    offset=None,
    lower_bounds=None,
    upper_bounds=None,
) -> Problem:
    """The ``ElasticNetRegressor`` problem (with ``alpha = 1``) on validated ``X``
    (``checked``: ``y`` is a validated 1-D numeric array in the loss's range
    too, e.g. a CV fold's)."""
    entry = regression_loss(loss, power)
    if not checked:
        y = check_array(y, ensure_2d=False, dtype=X.dtype, input_name="y")
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D for a regression path, got shape {y.shape}.")
        check_consistent_length(X, y)
        entry.check_y(y)
    pb, _ = make_problem(
        X,
        y[:, None],
        sample_weight,
        entry.code,
        1.0,
        l1_ratio,
        penalty_factor,
        positive=positive,
        fit_intercept=fit_intercept,
        offset=offset,
        power=getattr(entry, "power", 1.5) if entry.code == losses.TWEEDIE else 1.5,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )
    return pb


def encode_classes(y, classes=None):
    """``(classes, Y, loss)``: one 0/1 column for two classes, one-hot otherwise."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}.")
    check_classification_targets(y)
    if classes is None:
        classes = np.unique(y)
    else:
        classes = np.asarray(classes)
        if classes.ndim != 1 or np.unique(classes).size != classes.size:
            raise ValueError("classes must be a 1-D array of distinct labels.")
        unknown = np.setdiff1d(np.unique(y), classes)
        if unknown.size:
            raise ValueError(f"y contains labels not in classes: {unknown.tolist()!r}.")
    if classes.size < 2:
        raise ValueError(
            f"A logistic path needs at least 2 classes, got {classes.size} ({classes!r})."
        )
    codes = np.searchsorted(np.sort(classes), y)
    order = np.argsort(classes)  # position in ``classes`` of each sorted label
    codes = order[codes]
    if classes.size == 2:
        return classes, (codes == 1).astype(np.float64)[:, None], losses.LOGISTIC
    return classes, np.eye(classes.size)[codes], losses.MULTINOMIAL


def logistic_problem(
    X,
    y,
    l1_ratio,
    sample_weight,
    penalty_factor,
    positive,
    fit_intercept,
    classes=None,
    *,
    lower_bounds=None,
    upper_bounds=None,
) -> tuple[Problem, np.ndarray]:
    """The ``ElasticNetClassifier`` problem (with ``alpha = 1``) and its classes."""
    check_consistent_length(X, y)
    classes, Y, loss = encode_classes(y, classes)
    pb, _ = make_problem(
        X,
        Y,
        sample_weight,
        loss,
        1.0,
        l1_ratio,
        penalty_factor,
        positive=positive,
        fit_intercept=fit_intercept,
        lower_bounds=lower_bounds,
        upper_bounds=upper_bounds,
    )
    return pb, classes
