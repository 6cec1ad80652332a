"""Lasso: skdecay against scikit-learn (and skglm, celer if installed) at equal precision.

Run from the repository root (one command; a few minutes)::

    PYTHONPATH=. python benchmarks/bench_lasso.py

Objective, for every solver (``fit_intercept=False``)::

    P(w) = 1/(2n) * ||y - X w||^2 + alpha * ||w||_1,   alpha = alpha_max / 20,
    alpha_max = max_j |X_j^T y| / n   (the smallest alpha with w = 0 optimal).

Problems (sizes fixed; single-threaded BLAS and numba):

* dense: ``make_regression(n_samples=2000, n_features=10000, n_informative=50,
  noise=100, random_state=0)``, ``X`` in Fortran order;
* sparse: ``scipy.sparse.random(10000, 50000, density=1e-3, format="csc",
  random_state=0)``, ``y = X @ w_true + noise`` with 50 standard-normal
  coefficients at random positions and Gaussian noise as large as the signal
  (standard deviation = RMS of ``X @ w_true``), ``numpy`` seed 0.

Equal precision: a solver's solution counts only when the duality gap computed
*here* (:func:`lasso_gap`, never the solver's own estimate) is at most
``1e-6 * P(0)``, ``P(0) = ||y||^2 / (2n)``.  Each solver runs from scratch
(no warm start) with ``tol`` = 1, 10**-0.5, 0.1, ... (``--steps-per-decade``)
until its solution meets the target; the time reported is the best of 3 fits at
that first sufficient ``tol`` (a ``*`` marks a solver that met the target at the
first ``tol`` already).  Solvers' ``tol`` have different meanings (relative gap
for skdecay, scikit-learn and celer, each with its own reference; absolute KKT
violation for skglm, which gets the ladder value times ``alpha``), so only
the gap column is comparable, not the ``tol`` column.  ``x skdecay`` is the
solver's time divided by skdecay's, measured in the same run (> 1: skdecay is
faster).  numba solvers are warmed up (compiled or loaded from cache) on small
problems before any timing.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.datasets import make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import Lasso  # noqa: E402

import skdecay  # noqa: E402

TARGET = 1e-6  # required gap / P(0)
MAX_ITER = 100_000


# ---------------------------------------------------------------------------
# the one precision measure


def lasso_gap(X, y, w, alpha):
    """Duality gap of ``1/(2n)||y - Xw||^2 + alpha ||w||_1`` at ``w``, and ``P(0)``.

    Fenchel dual, with ``theta`` in the role of the residual::

        D(theta) = (1/n) theta.y - 1/(2n) ||theta||^2,  s.t. ||X^T theta||_inf <= n alpha

    (the conjugate of ``f(z) = 1/(2n)||y - z||^2`` is ``u.y + n/2 ||u||^2``,
    taken at ``u = -theta/n``; the conjugate of ``alpha||.||_1`` is the
    indicator of ``||X^T theta / n||_inf <= alpha``).  The feasible point is the
    rescaled residual ``theta = r / max(1, ||X^T r||_inf / (n alpha))``,
    ``r = y - Xw``; ``gap = P(w) - D(theta) >= 0``, zero exactly at the optimum.
    """
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64)
    r = y - np.asarray(X @ w).ravel()
    primal = r @ r / (2 * n) + alpha * np.abs(w).sum()
    scale = max(1.0, np.max(np.abs(X.T @ r)) / (n * alpha))
    theta = r / scale
    dual = theta @ y / n - theta @ theta / (2 * n)
    return primal - dual, y @ y / (2 * n)


# ---------------------------------------------------------------------------
# problems


def dense_problem():
    X, y = make_regression(
        n_samples=2000, n_features=10000, n_informative=50, noise=100, random_state=0
    )
    return np.asfortranarray(X), y


def sparse_problem():
    n, p = 10000, 50000
    X = sp.random(n, p, density=1e-3, format="csc", random_state=0)
    rng = np.random.default_rng(0)
    w_true = np.zeros(p)
    w_true[rng.choice(p, 50, replace=False)] = rng.standard_normal(50)
    signal = X @ w_true
    y = signal + np.sqrt(np.mean(signal**2)) * rng.standard_normal(n)
    return sp.csc_matrix(X), y


def alpha_max(X, y):
    return np.max(np.abs(X.T @ y)) / X.shape[0]


# ---------------------------------------------------------------------------
# solvers: name -> make(alpha, tol) returning an unfitted estimator with coef_


def _solvers():
    """Available solvers; ``make(alpha, tol)`` gets ``tol`` from the ladder."""
    solvers = {
        "skdecay": lambda a, tol: skdecay.LassoRegressor(
            alpha=a, fit_intercept=False, tol=tol, max_iter=MAX_ITER
        ),
        "sklearn": lambda a, tol: Lasso(alpha=a, fit_intercept=False, tol=tol, max_iter=MAX_ITER),
    }
    missing = []
    try:
        import skglm

        solvers["skglm"] = lambda a, tol: skglm.Lasso(  # absolute KKT tolerance
            alpha=a, fit_intercept=False, tol=tol * a, max_iter=1000, max_epochs=MAX_ITER
        )
    except ImportError:
        missing.append("skglm")
    try:
        import celer

        solvers["celer"] = lambda a, tol: celer.Lasso(
            alpha=a, fit_intercept=False, tol=tol, max_iter=1000, max_epochs=MAX_ITER
        )
    except ImportError:
        missing.append("celer")
    return solvers, missing


def _warm_up(solvers):
    """Compile or load every numba kernel (dense and sparse) before timing."""
    rng = np.random.default_rng(0)
    Xd = np.asfortranarray(rng.standard_normal((30, 20)))
    Xs = sp.random(30, 20, density=0.3, format="csc", random_state=0)
    y = rng.standard_normal(30)
    for make in solvers.values():
        for X in (Xd, Xs):
            make(0.1 * alpha_max(X, y), 1e-4).fit(X, y)


def _fit(make, X, y, alpha, tol):
    est = make(alpha, tol)
    t = time.perf_counter()
    est.fit(X, y)
    return time.perf_counter() - t, est.coef_


def time_to_precision(make, X, y, alpha, tols, repeat=3):
    """First ``tol`` whose solution meets the target gap; best time of ``repeat`` fits."""
    for i, tol in enumerate(tols):
        seconds, coef = _fit(make, X, y, alpha, tol)
        gap, p0 = lasso_gap(X, y, coef, alpha)
        if gap <= TARGET * p0:
            for _ in range(repeat - 1):
                seconds = min(seconds, _fit(make, X, y, alpha, tol)[0])
            break
    else:
        seconds = np.nan  # never reached the target
    return dict(
        tol=tol, first=i == 0, seconds=seconds, rel_gap=gap / p0, nnz=int(np.count_nonzero(coef))
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps-per-decade", type=int, default=2)
    parser.add_argument("--largest-tol", type=float, default=1.0)
    parser.add_argument("--smallest-tol", type=float, default=1e-12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--problems", nargs="+", default=["dense", "sparse"], choices=["dense", "sparse"]
    )
    args = parser.parse_args(argv)
    k = args.steps_per_decade
    top, bottom = np.log10(args.largest_tol), np.log10(args.smallest_tol)
    tols = [10.0 ** (top - i / k) for i in range(int(round((top - bottom) * k)) + 1)]

    warnings.simplefilter("ignore", ConvergenceWarning)
    solvers, missing = _solvers()
    import numba
    import sklearn

    versions = [
        f"numpy {np.__version__}",
        f"numba {numba.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"skdecay {skdecay.__version__}",
    ]
    for name in ("skglm", "celer"):
        if name in solvers:
            versions.append(f"{name} {__import__(name).__version__}")
    print(", ".join(versions) + (f"; not installed: {', '.join(missing)}" if missing else ""))
    _warm_up(solvers)

    builders = {
        "dense": ("dense 2000x10000", dense_problem),
        "sparse": ("sparse CSC 10000x50000", sparse_problem),
    }
    head = (
        f"{'problem':<24}{'solver':<9}{'tol':>9} {'seconds':>9}{'gap/P(0)':>10}"
        f"{'nnz':>7}{'x skdecay':>11}"
    )
    print(
        f"\ntarget: duality gap <= {TARGET:g} * P(0); alpha = alpha_max / 20; "
        f"best of {args.repeat} at the first sufficient tol"
    )
    print(head)
    print("-" * len(head))
    for key in args.problems:
        label, build = builders[key]
        X, y = build()
        alpha = alpha_max(X, y) / 20
        results = {
            name: time_to_precision(make, X, y, alpha, tols, args.repeat)
            for name, make in solvers.items()
        }
        ref = results["skdecay"]["seconds"]
        for name, r in results.items():
            tol = f"{r['tol']:.1e}" + ("*" if r["first"] else " ")
            print(
                f"{label:<24}{name:<9}{tol:>10}{r['seconds']:>9.3f}"
                f"{r['rel_gap']:>10.1e}{r['nnz']:>7}{r['seconds'] / ref:>11.2f}"
            )
        print(f"{label}: sklearn / skdecay = {results['sklearn']['seconds'] / ref:.2f}")


if __name__ == "__main__":
    main()
