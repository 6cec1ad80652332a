"""The solvers: Python drivers around the numba kernels, by room.

* :mod:`.problem`: the :class:`Problem` every solver reads (built by
  :func:`make_problem`), its typed cache, the :class:`Result` tuple;
* :mod:`.gap`: duality gaps, the stopping rule, the convergence warning;
* :mod:`.cd`: working-set coordinate descent (squared loss);
* :mod:`.prox_newton`: proximal Newton (every other loss of the table);
* :mod:`.precondition`: shifting large-mean columns (float32, sparse).

:func:`solve` picks the driver: the compiled whole-path solvers of
:mod:`skdecay._enet_path` / :mod:`skdecay._logistic_path` where they apply
(dense float64), the Python drivers otherwise.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import losses
from .cd import coordinate_descent, extrapolated_start
from .gap import (
    dual_point,
    duality_gap,
    gap_and_correlation,
    gap_at_zero,
    objective,
    stopping_rule,
    warn_not_converged,
    zero_dual,
    zero_reference,
)
from .precondition import shifted, solve_shifted
from .problem import (
    Problem,
    ProblemCache,
    Result,
    columns,
    correlation64,
    diverged,
    linear_predictor,
    make_problem,
    zero_point,
)
from .prox_newton import prox_newton

__all__ = [
    "Problem",
    "ProblemCache",
    "Result",
    "make_problem",
    "linear_predictor",
    "objective",
    "dual_point",
    "duality_gap",
    "gap_and_correlation",
    "gap_at_zero",
    "zero_point",
    "zero_reference",
    "stopping_rule",
    "problem_alpha_max",
    "coordinate_descent",
    "prox_newton",
    "solve",
    "extrapolated_start",
    "solve_compiled",
    "solve_shifted",
    "diverged",
    "warn_not_converged",
]


def problem_alpha_max(pb: Problem) -> float:
    """Smallest ``alpha`` at which every penalised coefficient is zero."""
    W, b = zero_point(pb)
    free = pb.penalty.unpenalized_mask()  # an excluded feature stays at 0
    if np.any(free):  # fit the unpenalised features alone first
        idx = np.flatnonzero(free)
        sub = replace(pb, X=columns(pb.X, idx), penalty=pb.penalty.unpenalized(idx))
        res = solve(sub, tol=1e-10, max_iter=1000, warn=False)
        W[:, idx] = res.coef
        b = res.intercept
        _, V = dual_point(pb, W, b, pb.predictor(W, b))
    elif pb.data_loss.link == "log":
        # the log-link GLMs: the gradient at zero itself, X' (s R0) / n, in the
        # arithmetic of the compiled path's own alpha_max (_logistic_path), so that
        # both agree to the last bit (the intercept is optimal: R0 has weighted mean 0)
        R0 = pb.data_loss.residual(pb.Y, pb.constant_predictor(b).astype(np.float64))
        sR = pb.s.astype(np.float64)[:, None] * R0
        if pb.dtype == np.float32:
            V = correlation64(pb.X, sR).T / pb.n
        else:
            V = np.asarray(pb.X.T @ sR).T / pb.n
    else:  # the zero point itself: its dual point is shared with the tolerance reference
        _, V = zero_dual(pb, W, b, pb.constant_predictor(b))
    return pb.penalty.alpha_max(-V)


def _zero_is_optimal(pb: Problem) -> bool:
    """``alpha >= alpha_max`` with every feature penalised by an L1 part: the
    all-zero coefficients (intercept optimal) are the exact solution."""
    if pb.penalty.smooth or np.any(pb.penalty.weights()[0] <= 0):
        return False
    return pb.penalty.alpha >= problem_alpha_max(pb)


def solve(
    pb: Problem,
    W=None,
    b=None,
    *,
    max_iter=1000,
    tol=1e-4,
    selection="cyclic",
    rng=None,
    warn=True,
    settle=True,
    compiled=True,
) -> Result:
    """Solve ``pb`` from ``(W, b)`` (default: zero coefficients, optimal intercept).

    Stops once the duality gap is at most ``tol`` times the gap at zero and, with
    ``settle`` (the estimators), the last pass moved no coefficient by more than
    ``tol`` times the largest, as in scikit-learn.  The paths pass
    ``settle=False``: the certificate alone decides, since the gap is quadratic
    in the coefficient error and settling to ``tol`` costs many extra passes.

    Dense float64 squared-loss problems with every feature penalised run the
    compiled solver of :mod:`skdecay._enet_path`, dense float64 logistic ones that
    of :mod:`skdecay._logistic_path` (:func:`solve_compiled`, cyclic order);
    ``compiled=False`` forces the Python solvers (the references the compiled
    ones are tested against)."""
    if W is None:
        W, b = zero_point(pb)
    else:  # a warm start from outside the box (e.g. new bounds) starts clipped
        W = pb.penalty.clip(W, pb.dtype)
    if shifted(pb) is not None:  # solve the shifted problem, map the intercept back
        kw = dict(max_iter=max_iter, tol=tol, selection=selection, rng=rng, settle=settle)
        res = solve_shifted(pb, W, b, lambda sub, W, b: solve(sub, W, b, warn=False, **kw))
        if warn and not res.converged:
            warn_not_converged(res, tol, stacklevel=4)
        return res
    out = (
        solve_compiled(pb, np.array([pb.penalty.alpha]), tol, max_iter, settle, W, b)
        if (compiled and selection == "cyclic")
        else None
    )
    if out is not None:
        gap0 = out.gaps0[0] if out.gaps0 is not None else gap_at_zero(pb)
        res = Result(
            out.coefs[0],
            out.intercepts[0],
            float(out.gaps[0]),
            float(gap0),
            max(int(out.n_iter[0]), 1),  # as the Python drivers (one pass at least)
            bool(out.converged[0]),
        )
        if warn and not res.converged:
            warn_not_converged(res, tol, stacklevel=4)
        return res
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    driver = coordinate_descent if pb.loss == losses.SQUARED else prox_newton
    res = driver(pb, W, b, max_iter=max_iter, tol=tol, selection=selection, rng=rng, settle=settle)
    if pb.loss != losses.SQUARED and _zero_is_optimal(pb):
        # From alpha_max on, zero (intercept optimal) is the exact solution; Newton's
        # rounding could leave ~1e-16 coefficients and a gap of pure rounding noise.
        W0, b0 = zero_point(pb)
        gap0 = gap_at_zero(pb)
        res = Result(W0, b0, gap0, gap0, res.n_iter, True)
    if warn and not res.converged:
        warn_not_converged(res, tol, stacklevel=4)
    return res


def solve_compiled(pb: Problem, alphas, tol, max_iter, settle, W=None, b=None):
    """``pb`` at every ``alpha`` of ``alphas`` by a compiled path solver, or ``None``
    when neither supports it (e.g. a non-convex penalty: the compiled solvers are
    elastic net only): a ``CompiledPath``, whose ``gaps0`` are the references of
    ``tol``.  ``(W, b)`` starts the first alpha."""
    from .. import _enet_path, _logistic_path  # both import .problem

    # (``supports`` turns away other prox codes than the elastic net's, e.g. MCP,
    # SCAD: the Python drivers fit those)
    if _enet_path.supports(pb, alphas):  # box bounds included
        return _enet_path.enet_path_compiled(
            pb, alphas, tol=tol, max_iter=max_iter, settle=settle, W0=W
        )
    if _logistic_path.supports(pb):  # box bounds included, but not for the multinomial
        gaps0 = np.zeros(len(alphas))
        coefs, intercepts, gaps, n_iter, converged = _logistic_path.logistic_path_compiled(
            pb,
            alphas,
            tol=tol,
            max_iter=max_iter,
            settle=settle,
            W0=W,
            b0=b,
            offset=pb.offset,
            power=pb.power,
            gaps0=gaps0,
        )
        return _enet_path.CompiledPath(alphas, coefs, intercepts, gaps, gaps0, n_iter, converged)
    return None
