"""RidgeRegressor: the squared L2 penalty, solved by Cholesky, CG or coordinate descent."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp

from .._compat import Interval, Real, StrOptions
from .._ridge import (
    cg_cap,
    ridge_cg,
    ridge_direct,
    ridge_dual_cg,
    ridge_min_norm,
    sparse_cap,
)
from ..solvers import (
    solve_shifted,
    warn_not_converged,
)
from ._base import _COMMON_CONSTRAINTS
from ._regressor import ElasticNetRegressor


class RidgeRegressor(ElasticNetRegressor):
    r"""Linear regression with a squared L2 penalty, on the elastic-net engine.

    Minimises

    .. math::

        \sum_i s_i (y_i - x_i^\top w - b)^2 + \alpha \sum_j f_j w_j^2

    with the raw sample weights ``s`` (not rescaled): the objective and the
    ``alpha`` of :class:`sklearn.linear_model.Ridge`.  Internally this is the
    elastic net with ``l1_ratio=0`` and ``alpha / sum(s)``.

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        An array gives each target (column of a 2-D ``y``) its own penalty, as
        scikit-learn's ``Ridge``.
    solver : {"auto", "cholesky", "cg", "cd"}, default="auto"
        ``"cholesky"`` (dense ``X`` only) solves the normal equations directly,
        or the ``n x n`` kernel system when ``n < p`` and every feature is
        penalised: exact, ``~n p min(n, p)`` flops.  ``"cg"`` runs
        Jacobi-preconditioned conjugate gradients on dense or sparse ``X``,
        centred and weighted implicitly (never copied, never densified): on the
        normal equations ``(A^T A + D) w = A^T t`` or, when ``n_samples <
        n_features``, ``alpha > 0`` and every penalty factor is positive, on the
        kernel (dual) system ``(A D^-1 A^T + I) u = t``, ``w = D^-1 A^T u``,
        whose vectors have length ``n_samples``.  Each iteration is one pass
        over dense ``X`` or two sparse products; it stops, like ``"cd"``, once
        the duality gap is at most ``tol`` times the gap at zero and the last
        step moved no coefficient by more than ``tol * max|w|`` (up to
        ``max_iter`` iterations).  ``"cd"`` runs coordinate descent, the only
        solver for ``positive=True``.  ``"auto"``:

        * ``positive=True`` or a ``penalty_factor`` of ``np.inf`` (an excluded
          feature, coefficient exactly 0): ``"cd"``, the only solver for both.
          (Box bounds are parameters of :class:`ElasticNetRegressor`, whose
          ``l1_ratio=0`` is this objective with ``alpha / sum(sample_weight)``.)
        * sparse ``X`` with ``n_samples < n_features``, ``alpha > 0`` and every
          penalty factor positive: ``"cg"`` on the kernel system (CSR ``X`` is
          used as is, other formats are converted once).  With
          ``n_samples <= 5000`` it is capped at ``10 + n_samples // 25``
          iterations and, if it cannot meet ``tol`` within the cap (tiny
          ``alpha``, very small ``tol``), the exact kernel solve takes over
          (the sparse product ``X D^-1 X^T``, centred and factored as a dense
          ``n x n`` matrix); larger problems run CG to ``max_iter``.  Measured
          on 1000 x 200000 sparse ``X`` with 200000 nonzeros: about 6
          iterations to ``tol=1e-5``, as fast as or faster than
          scikit-learn's ``Ridge`` (``sparse_cg``), about 4 times faster than
          the exact kernel solve and several hundred times faster than
          coordinate descent.
        * other sparse ``X`` (tall, or with unpenalised features): ``"cd"``,
          which is as fast as CG on tall sparse data (measured); in float32,
          ``"cg"`` on the normal equations, whose float64 accumulation stays
          within ~1e-5 of the optimum where float32 CD stalls 0.1-1% away.
        * dense ``X`` with ``m = min(n_samples, n_features) >= 250``,
          ``alpha > 0`` and every penalty factor positive: ``"cg"`` first (the
          kernel system when ``n < p``), capped at ``min(m // 50, 5 + m //
          100)`` iterations: on well-conditioned data CG reaches ``tol`` in a
          few passes over ``X`` (memory bound) and beats forming ``X^T X`` or
          ``X X^T`` (compute bound).  If CG cannot meet ``tol`` within the cap
          (ill-conditioned data, or a very small ``tol``), the Cholesky solve
          takes over and gives the exact solution: the failed attempt costs
          20-80% of the direct solve (measured; CG gives up early when the
          condition number it has seen already rules out meeting ``tol``).
          Other dense problems (small, or with unpenalised features) use
          ``"cholesky"``.

        With ``alpha=0`` (and ``positive=False``) every solver returns the
        minimum-norm least-squares solution, as scikit-learn's ``Ridge``: an
        SVD solve on dense ``X``, LSQR on sparse ``X`` (wide or rank-deficient
        ``X`` has many minimisers).  For a tiny positive ``alpha``, ``"cd"``
        meets ``tol`` on the objective but may stay far from the (nearly
        minimum-norm) coefficients: prefer ``"auto"``, ``"cg"`` or ``"cholesky"``.
    Other parameters and attributes are those of :class:`ElasticNetRegressor`
    (without ``l1_ratio``, ``loss`` and ``power``: the squared error only; an
    ``offset`` given to :meth:`fit` is subtracted from ``y``).  ``max_iter``
    bounds the CG iterations too; ``n_iter_`` counts them (CG) or is 1
    (direct solve).

    Examples
    --------
    >>> import numpy as np
    >>> from skdecay import RidgeRegressor
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> float(RidgeRegressor(alpha=1.0).fit(X, [0.0, 1.0, 2.0]).coef_[0])
    0.6666666666666666
    """

    __module__ = "skdecay.linear_model"  # the persisted (skops) type name

    _parameter_constraints = {
        **_COMMON_CONSTRAINTS,
        # one alpha per target, as scikit-learn's Ridge
        "alpha": [Interval(Real, 0, None, closed="left"), np.ndarray],
        "solver": [StrOptions({"auto", "cholesky", "cg", "cd"})],
    }
    # the squared error only (not parameters: Ridge's objective is not a mean)
    loss = "squared_error"
    power = 1.5

    def __init__(
        self,
        alpha=1.0,
        *,
        fit_intercept=True,
        penalty_factor=None,
        positive=False,
        solver="auto",
        max_iter=1000,
        tol=1e-4,
        warm_start=False,
        selection="cyclic",
        random_state=None,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.penalty_factor = penalty_factor
        self.positive = positive
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state

    def _keeps_csr(self, X) -> bool:
        """CSR ``X`` bound for the kernel system (``n_samples < n_features``, every
        feature penalised, not ``solver="cd"``) stays CSR: that solver works on
        rows.  Other sparse ``X`` is used as CSC (converted once if needed)."""
        return sp.issparse(X) and X.format == "csr" and self._kernel_system(*X.shape)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self.solver != "cholesky"
        return tags

    def _kernel_system(self, n, p) -> bool:
        """Whether a solve of this shape goes through the n x n kernel system."""
        if self.solver == "cd" or self.positive or n >= p or np.min(self._alphas()) <= 0:
            return False
        if self.penalty_factor is None:
            return True
        try:  # invalid factors are reported by the usual validation
            pf = np.asarray(self.penalty_factor, dtype=np.float64)
            return bool(np.all((pf > 0) & np.isfinite(pf)))  # inf (excluded): CD
        except (TypeError, ValueError):
            return False

    def _effective_l1_ratio(self) -> float:
        return 0.0

    def _alphas(self) -> np.ndarray:
        """``alpha`` as a 1-D float64 array (one value, or one per target)."""
        alphas = np.asarray(self.alpha, dtype=np.float64).reshape(-1)
        if alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas >= 0)):
            raise ValueError(
                f"alpha must be a non-negative float or a 1-D array of them, got {self.alpha!r}."
            )
        return alphas

    def _n_alphas(self) -> int:
        return self._alphas().size

    def _effective_alpha(self, sw, target: int = 0) -> float:
        alphas = self._alphas()
        alpha = float(alphas[target if alphas.size > 1 else 0])
        return alpha / float(np.sum(sw, dtype=np.float64))

    def _solve(self, pb, W, b):
        if pb.penalty.has_box():  # excluded features (penalty_factor=inf): only CD clips them
            if self.solver not in ("auto", "cd"):
                raise ValueError(
                    f"solver={self.solver!r} does not support penalty_factor=inf (excluded "
                    "features); use solver='cd' or 'auto'."
                )
            if sp.issparse(pb.X) and pb.X.format != "csc":
                pb = replace(pb, X=sp.csc_matrix(pb.X).sorted_indices())
            return super()._solve(pb, W, b)
        # alpha = 0 on wide or singular X: the least-norm minimiser, whatever the solver
        min_norm = (
            pb.penalty.alpha == 0
            and not self.positive
            and not (sp.issparse(pb.X) and self.solver == "cholesky")
        )
        if not min_norm and (self.solver == "cd" or (self.solver == "auto" and self.positive)):
            return super()._solve(pb, W, b)
        # CG and the direct solves on float32 columns with large means: shifted
        return solve_shifted(pb, W, b, self._solve_ridge)

    def _solve_ridge(self, pb, W, b):
        sparse = sp.issparse(pb.X)
        # the kernel (dual) system: wide X, every feature penalised
        kernel = pb.n < pb.X.shape[1] and bool(np.all(pb.penalty.weights()[1] > 0))
        if (
            pb.penalty.alpha == 0
            and not self.positive
            and not (sparse and self.solver == "cholesky")
        ):
            # many minimisers on wide or singular X: the least-norm one (as Ridge)
            return ridge_min_norm(pb, self.tol, self.max_iter)
        if self.solver == "auto" and sparse and pb.dtype == np.float32 and not self.positive:
            if not kernel and _similar_scales(pb.X):
                # CD keeps its residual in float32 and stalls 0.1-1% from the
                # optimum on tall sparse data; CG accumulates in float64 (like
                # scikit-learn's sparse_cg: ~1e-5)
                return self._cg_or_warn(ridge_cg, pb, W)
        if self.solver == "cd" or (
            self.solver == "auto" and (self.positive or (sparse and not kernel))
        ):
            if sparse and pb.X.format != "csc":  # CD runs on columns
                pb = replace(pb, X=sp.csc_matrix(pb.X).sorted_indices())
            return super()._solve(pb, W, b)
        if self.positive:
            raise ValueError(
                f"solver={self.solver!r} does not support positive=True; use solver='cd' or 'auto'."
            )
        if self.solver == "cholesky" and sparse:
            raise ValueError(
                "solver='cholesky' does not support sparse X (it would form X^T X or X X^T "
                "as dense matrices); use solver='auto', 'cg' or 'cd'."
            )
        cg = ridge_dual_cg if kernel else ridge_cg
        kw = {"tol": self.tol, "max_iter": self.max_iter}
        if self.solver == "auto":
            cap = sparse_cap(pb, self.max_iter) if sparse else cg_cap(pb, self.max_iter)
            if cap is not None:  # None: no direct fallback, CG runs to max_iter
                res = cg(pb, W, cap=cap, **kw) if cap else None
                return ridge_direct(pb) if res is None else res
        elif self.solver == "cholesky":
            return ridge_direct(pb)
        return self._cg_or_warn(cg, pb, W)

    def _cg_or_warn(self, cg, pb, W):
        res = cg(pb, W, tol=self.tol, max_iter=self.max_iter)
        if not res.converged:
            warn_not_converged(res, self.tol, stacklevel=6)
        return res


def _similar_scales(X, spread: float = 1e8) -> bool:
    """Whether the columns' sums of squares lie within a factor ``spread`` of each
    other: unpreconditioned CG on the normal equations needs it (its condition
    number is at least that ratio), CD does not (each coordinate is scaled)."""
    sq = np.asarray(X.multiply(X).sum(axis=0), dtype=np.float64).ravel()
    sq = sq[sq > 0]
    return sq.size == 0 or float(sq.max()) <= spread * float(sq.min())
