"""Linear models: skdecay against scikit-learn, skglm and celer at equal precision.

Run from the repository root (one command; ``--quick``: one repeat, a coarser
``tol`` ladder and no saga)::

    PYTHONPATH=. python benchmarks/bench_linear.py [--quick] [--scenarios ...]

Scenarios (sizes fixed; numba and BLAS single-threaded: the thread variables
are set to 1 before numpy is imported)::

    lasso-dense    make_regression(2000, 10000, n_informative=50, noise=100,
                   random_state=0), Fortran order, no intercept;
                   alpha = alpha_max / 20 and / 100
    enet-path      same data, l1_ratio 0.5, 100 alphas geometric from alpha_max
                   to 1e-3 alpha_max, warm-started; every alpha to the target
    lasso-sparse   scipy.sparse.random(10000, 50000, density=1e-3, CSC, seed 0),
                   y = X @ w_true + noise (50 standard-normal coefficients,
                   noise as large as the signal); alpha_max / 20, / 100, / 1000
    logreg-l1      make_classification(5000, 2000, n_informative=50,
                   random_state=0), no intercept (liblinear would penalise it);
                   alpha_max / 20 and / 100; C = 1 / (n alpha) for the peers
    ridge          make_regression(20000, 500, noise=10, random_state=0), with
                   intercept, alpha = 1 (objective ||y - Xw - b||^2 + alpha ||w||^2)
    ridge-sparse-wide
                   scipy.sparse.random(1000, 200000, density=1e-3, CSR, seed 0),
                   y = X @ w_true + noise (w_true standard normal, noise as large
                   as the signal), alpha = 1, with and without intercept; the
                   reference solves the centred n x n kernel system in float64

Objectives (``n`` samples; intercept-free unless said)::

    squared:   P(w) = 1/(2n) ||y - Xw||^2 + alpha (l1_ratio ||w||_1 + (1-l1_ratio)/2 ||w||^2)
    logistic:  P(w) = 1/n sum log(1 + exp(-y_i x_i w)) + alpha ||w||_1,   y_i = +-1

Equal precision: a solution counts only when the duality gap computed here by
:func:`duality_gap` (never the solver's own estimate) is at most ``1e-6 * P(0)``
(for a path: at every alpha).  Each solver runs from scratch with ``tol`` on a
ladder 1e-1, 10**-1.5, ... until its solution meets the target; the time
reported is the best of ``--repeat`` runs at that first sufficient setting
(``tol`` means different things to different solvers, so only the gap is
comparable).  Ridge has no gap: its target is a relative coefficient error
``||w - w*|| / ||w*|| <= 1e-6`` against an exact solve in float64.
``peer/skdecay`` is the peer's time over skdecay's, both measured in the same
run (> 1: skdecay is faster).  numba code (skdecay, skglm, celer) is compiled or
loaded from cache on small problems before any timing.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402
from scipy.special import xlogy  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import Lasso, LogisticRegression, Ridge, enet_path  # noqa: E402

import skdecay  # noqa: E402

TARGET = 1e-6  # gap / P(0), or relative coefficient error for ridge
MAX_ITER = 100_000

try:
    import skglm
except ImportError:
    skglm = None
try:
    import celer
except ImportError:
    celer = None


# ---------------------------------------------------------------------------
# the one precision measure


def duality_gap(loss, X, y, w, alpha, l1_ratio=1.0):
    """``(gap, P(0))`` of the objectives in the module docstring at ``w`` (no intercept).

    Fenchel duality with the dual point built from the negative gradient
    ``u = -grad f(Xw)`` (the scaled residual ``r / n`` for the squared loss,
    ``y * sigmoid(-y Xw) / n`` for the logistic loss)::

        D(u) = -f*(-u) - g*(X^T u),
        squared:   -f*(-u) = u.y - n/2 ||u||^2
        logistic:  -f*(-u) = -1/n sum [a log a + (1-a) log(1-a)],  a = n u y in [0, 1]
        g*(v) = sum_j max(|v_j| - alpha l1_ratio, 0)^2 / (2 alpha (1 - l1_ratio))
                (for l1_ratio = 1: 0 if ||v||_inf <= alpha, else infinite)

    The dual point is ``c u`` with the ``c`` in ``[0, c_hi]`` that maximises ``D``
    (a bounded scalar search; ``c_hi = min(1, alpha / ||X^T u||_inf)`` keeps the
    lasso's dual feasible, else 1).  ``gap = P(w) - D(c u) >= 0`` vanishes only at
    the optimum and bounds ``P(w) - min P``.
    """
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64).ravel()
    z = np.asarray(X @ w, dtype=np.float64).ravel()
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    pen = l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)
    if loss == "squared":
        r = y - z
        primal, p0 = r @ r / (2 * n) + pen, y @ y / (2 * n)
        u = r / n
    else:  # y in {-1, +1}
        yz = y * z
        primal, p0 = np.mean(np.logaddexp(0, -yz)) + pen, np.log(2)
        u = y * np.exp(-np.logaddexp(0, yz)) / n  # y * sigmoid(-y z) / n
    v = np.asarray(X.T @ u, dtype=np.float64).ravel()
    vmax = max(np.max(np.abs(v)), 1e-300)

    def dual(c):  # D(c u); the dual point is scaled by the best c in [0, c_hi]
        if l2 == 0:
            conj = 0.0 if c * vmax <= l1 * (1 + 1e-12) else np.inf
        else:
            conj = np.sum(np.maximum(c * np.abs(v) - l1, 0) ** 2) / (2 * l2)
        if loss == "squared":
            return c * (u @ y) - n / 2 * c * c * (u @ u) - conj
        a = np.clip(c * n * u * y, 0, 1)
        ent = xlogy(a, a) + xlogy(1 - a, 1 - a)
        return -np.mean(ent) - conj

    c_hi = min(1.0, l1 / vmax) if l2 == 0 else 1.0
    best = max(dual(c_hi), dual(0.0))
    res = minimize_scalar(
        lambda c: -dual(c), bounds=(0.0, c_hi), method="bounded", options={"xatol": 1e-12}
    )
    best = max(best, -float(res.fun))
    return primal - best, p0


def relative_gap(loss, X, y, w, alpha, l1_ratio=1.0):
    gap, p0 = duality_gap(loss, X, y, w, alpha, l1_ratio)
    return gap / p0


# ---------------------------------------------------------------------------
# problems


def dense_regression():
    X, y = make_regression(
        n_samples=2000, n_features=10000, n_informative=50, noise=100, random_state=0
    )
    return np.asfortranarray(X), y


def sparse_regression():
    n, p = 10000, 50000
    X = sp.random(n, p, density=1e-3, format="csc", random_state=0)
    rng = np.random.default_rng(0)
    w_true = np.zeros(p)
    w_true[rng.choice(p, 50, replace=False)] = rng.standard_normal(50)
    signal = X @ w_true
    y = signal + np.sqrt(np.mean(signal**2)) * rng.standard_normal(n)
    return sp.csc_matrix(X), y


def classification():
    X, y = make_classification(n_samples=5000, n_features=2000, n_informative=50, random_state=0)
    return np.asfortranarray(X), 2.0 * y - 1.0


def ridge_data():
    X, y = make_regression(n_samples=20000, n_features=500, noise=10, random_state=0)
    return np.asfortranarray(X), y


def sparse_wide_regression():
    n, p = 1000, 200000
    X = sp.random(n, p, density=1e-3, format="csr", random_state=0)
    rng = np.random.default_rng(0)
    signal = X @ rng.standard_normal(p)
    y = signal + np.std(signal) * rng.standard_normal(n)
    return sp.csr_matrix(X), y


def alpha_max(loss, X, y, l1_ratio=1.0):
    g = X.T @ (y if loss == "squared" else y / 2)  # logistic: grad at 0 is -X^T y / (2n)
    return float(np.max(np.abs(g)) / (X.shape[0] * l1_ratio))


# ---------------------------------------------------------------------------
# timing at equal precision


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


class Ladder:
    def __init__(self, steps_per_decade, largest, smallest, repeat, max_seconds):
        top, bottom = np.log10(largest), np.log10(smallest)
        k = steps_per_decade
        self.tols = [10.0 ** (top - i / k) for i in range(int(round((top - bottom) * k)) + 1)]
        self.repeat, self.max_seconds = repeat, max_seconds

    def run(self, fit, error):
        """First ``tol`` whose solution has ``error(solution) <= TARGET``; best time.

        ``fit(tol)`` returns the solution; returns a dict with seconds (nan when
        never reached, or when one fit exceeded ``max_seconds``; ``lower`` is then
        the time of the longest fit, a lower bound of the time to the target).
        """
        err, lower = np.inf, 0.0
        for tol in self.tols:
            seconds, sol = _timed(lambda tol=tol: fit(tol))
            err = error(sol)
            if err <= TARGET:
                for _ in range(self.repeat - 1):
                    seconds = min(seconds, _timed(lambda tol=tol: fit(tol))[0])
                return dict(seconds=seconds, setting=f"tol={tol:.0e}", err=err, lower=seconds)
            lower = max(lower, seconds)
            if seconds > self.max_seconds:
                break
        return dict(seconds=np.nan, setting=f"tol={tol:.0e} (not reached)", err=err, lower=lower)


def _lasso_solvers(alpha):
    out = {
        "skdecay": lambda tol: skdecay.LassoRegressor(
            alpha=alpha, fit_intercept=False, tol=tol, max_iter=MAX_ITER
        ),
        "sklearn": lambda tol: Lasso(alpha=alpha, fit_intercept=False, tol=tol, max_iter=MAX_ITER),
    }
    if skglm is not None:  # absolute KKT tolerance: scale by alpha
        out["skglm"] = lambda tol: skglm.Lasso(
            alpha=alpha, fit_intercept=False, tol=tol * alpha, max_iter=1000, max_epochs=MAX_ITER
        )
    if celer is not None:
        out["celer"] = lambda tol: celer.Lasso(
            alpha=alpha, fit_intercept=False, tol=tol, max_iter=1000, max_epochs=MAX_ITER
        )
    return out


def _estimator_runs(make, X, y, error, ladder):
    def fit(tol):
        return make(tol).fit(X, y).coef_

    return ladder.run(fit, error)


def scenario_lasso(label, X, y, divisors, ladder):
    rows = []
    amax = alpha_max("squared", X, y)
    for div in divisors:
        alpha = amax / div
        err = lambda w, a=alpha: relative_gap("squared", X, y, w, a)  # noqa: E731
        results = {
            name: _estimator_runs(make, X, y, err, ladder)
            for name, make in _lasso_solvers(alpha).items()
        }
        rows.append((f"{label} a_max/{div}", results))
    return rows


def _grid(X, y, l1_ratio, n_alphas=100, eps=1e-3):
    amax = alpha_max("squared", X, y, l1_ratio)
    return np.geomspace(amax, amax * eps, n_alphas)


def scenario_path(X, y, ladder, l1_ratio=0.5):
    alphas = _grid(X, y, l1_ratio)

    def path_error(coefs):  # coefs (n_alphas, p): the worst alpha counts
        return max(
            relative_gap("squared", X, y, c, a, l1_ratio)
            for a, c in zip(alphas, coefs, strict=True)
        )

    def skdecay_path(tol):
        from skdecay import path as sk_path

        if hasattr(sk_path, "enet_path"):
            res = sk_path.enet_path(
                X,
                y,
                l1_ratio=l1_ratio,
                alphas=alphas,
                fit_intercept=False,
                tol=tol,
                max_iter=MAX_ITER,
            )
            return np.asarray(res.coefs).reshape(len(alphas), -1)
        est = skdecay.ElasticNetRegressor(
            l1_ratio=l1_ratio, fit_intercept=False, tol=tol, max_iter=MAX_ITER, warm_start=True
        )
        return np.array([est.set_params(alpha=a).fit(X, y).coef_.copy() for a in alphas])

    def sklearn_path(tol):
        _, coefs, _ = enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol, max_iter=MAX_ITER)
        return coefs.T

    solvers = {"skdecay": skdecay_path, "sklearn": sklearn_path}
    if skglm is not None:

        def skglm_path(tol):
            out = []
            est = None
            for a in alphas:
                if est is None:
                    est = skglm.ElasticNet(
                        alpha=a,
                        l1_ratio=l1_ratio,
                        fit_intercept=False,
                        tol=tol * a,
                        max_iter=1000,
                        max_epochs=MAX_ITER,
                        warm_start=True,
                    )
                est.set_params(alpha=a, tol=tol * a)
                out.append(est.fit(X, y).coef_.copy())
            return np.array(out)

        solvers["skglm"] = skglm_path
    results = {name: ladder.run(fit, path_error) for name, fit in solvers.items()}
    return [("enet path 100 alphas", results)]


def scenario_logistic(X, y, divisors, ladder, with_saga):
    rows = []
    n = X.shape[0]
    amax = alpha_max("logistic", X, y)
    y01 = (y > 0).astype(int)
    for div in divisors:
        alpha = amax / div
        C = 1.0 / (n * alpha)
        err = lambda w, a=alpha: relative_gap("logistic", X, y, w, a)  # noqa: E731
        makers = {
            "skdecay": lambda tol, a=alpha: skdecay.ElasticNetClassifier(
                alpha=a, l1_ratio=1.0, fit_intercept=False, tol=tol, max_iter=1000
            ),
            "liblinear": lambda tol, C=C: LogisticRegression(
                C=C,
                l1_ratio=1.0,
                solver="liblinear",
                fit_intercept=False,
                tol=tol,
                max_iter=MAX_ITER,
            ),
        }
        if with_saga:
            makers["saga"] = lambda tol, C=C: LogisticRegression(
                C=C, l1_ratio=1.0, solver="saga", fit_intercept=False, tol=tol, max_iter=MAX_ITER
            )
        if skglm is not None:
            makers["skglm"] = lambda tol, a=alpha: skglm.SparseLogisticRegression(
                alpha=a, fit_intercept=False, tol=tol * a, max_iter=1000, max_epochs=MAX_ITER
            )
        if celer is not None:
            makers["celer"] = lambda tol, C=C: celer.LogisticRegression(
                C=C, fit_intercept=False, tol=tol, max_iter=1000, max_epochs=MAX_ITER
            )
        results = {
            name: _estimator_runs(make, X, y01, err, ladder) for name, make in makers.items()
        }
        rows.append((f"L1 logistic a_max/{div}", results))
    return rows


def scenario_ridge(X, y, ladder, alpha=1.0):
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w_star = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(X.shape[1]), Xc.T @ yc)

    def err(w):
        return float(np.linalg.norm(np.ravel(w) - w_star) / np.linalg.norm(w_star))

    results = {
        "skdecay": _estimator_runs(
            lambda tol: skdecay.RidgeRegressor(alpha=alpha, tol=tol), X, y, err, ladder
        )
    }
    for solver in ("auto", "cholesky", "svd", "lsqr", "sparse_cg", "sag"):
        results[f"Ridge({solver})"] = _estimator_runs(
            lambda tol, s=solver: Ridge(alpha=alpha, solver=s, tol=tol, max_iter=MAX_ITER),
            X,
            y,
            err,
            ladder,
        )
    return [("ridge 20000x500", results)]


def scenario_ridge_sparse_wide(X, y, ladder, alpha=1.0):
    """Wide sparse ridge: the exact solution from the n x n kernel system (X X^T by a
    sparse product, centred as a matrix: X itself is never centred nor densified)."""
    rows = []
    M = (X @ X.T).toarray()
    for fit_intercept in (True, False):
        if fit_intercept:
            xm = np.asarray(X.mean(axis=0)).ravel()
            m = X @ xm
            K = M - m[:, None] - m[None, :] + xm @ xm
            yc = y - y.mean()
        else:
            K, xm, yc = M.copy(), np.zeros(X.shape[1]), y
        K[np.diag_indices_from(K)] += alpha
        u = np.linalg.solve(K, yc)
        w_star = X.T @ u - xm * u.sum()

        def err(w, w_star=w_star):
            return float(np.linalg.norm(np.ravel(w) - w_star) / np.linalg.norm(w_star))

        results = {
            "skdecay": _estimator_runs(
                lambda tol, b=fit_intercept: skdecay.RidgeRegressor(
                    alpha=alpha, tol=tol, fit_intercept=b
                ),
                X,
                y,
                err,
                ladder,
            )
        }
        for solver in ("auto", "sparse_cg", "lsqr", "sag"):
            results[f"Ridge({solver})"] = _estimator_runs(
                lambda tol, s=solver, b=fit_intercept: Ridge(
                    alpha=alpha, solver=s, tol=tol, max_iter=MAX_ITER, fit_intercept=b
                ),
                X,
                y,
                err,
                ladder,
            )
        label = "intercept" if fit_intercept else "no icpt"
        rows.append((f"ridge sp-wide {label}", results))
    return rows


# ---------------------------------------------------------------------------
# goals and report


def _goal(scenario, results):
    """``(peer time / skdecay time, required ratio, which peer)`` for the issue's goal."""
    ref = results["skdecay"]["seconds"]
    # a peer that never reached the target counts with the lower bound of its time
    finite = {
        k: (v["seconds"] if np.isfinite(v["seconds"]) else v["lower"])
        for k, v in results.items()
        if k != "skdecay"
    }
    if scenario.startswith("enet path"):
        name, need = "sklearn", 3.0
    elif scenario.startswith("L1 logistic"):
        name, need = ("skglm" if "skglm" in finite else min(finite, key=finite.get)), 1.0
    else:
        name = min(finite, key=finite.get) if finite else None
        need = 1.5 if scenario.startswith("lasso dense") else 1.0
    if name is None or name not in finite:
        return np.nan, need, name
    return finite[name] / ref, need, name


HEAD = (
    f"{'scenario':<26}{'solver':<17}{'seconds':>9}{'skdecay s':>11}"
    f"{'peer/skdecay':>14}{'error':>10}  setting"
)


def report(rows):
    """Print the rows of finished scenarios (as they finish) and return goal lines."""
    summary = []
    for scenario, results in rows:
        ref = results["skdecay"]["seconds"]
        for name, r in results.items():
            if np.isfinite(r["seconds"]):
                secs, ratio = f"{r['seconds']:.3f}", f"{r['seconds'] / ref:.2f}"
            else:  # never reached: at least as long as its longest fit
                secs, ratio = f">{r['lower']:.1f}", f">{r['lower'] / ref:.2f}"
            print(
                f"{scenario:<26}{name:<17}{secs:>9}{ref:>11.3f}{ratio:>14}"
                f"{r['err']:>10.1e}  {r['setting']}"
            )
        ratio, need, name = _goal(scenario, results)
        status = "met" if ratio >= need else "NOT met"
        summary.append(f"{scenario:<26} goal {name}/skdecay >= {need:g}: {ratio:.2f}  {status}")
        print(f"{'':<26}-> {summary[-1].split('goal ', 1)[1]}", flush=True)
    return summary


def _warm_up():
    rng = np.random.default_rng(0)
    Xd = np.asfortranarray(rng.standard_normal((40, 30)))
    Xs = sp.random(40, 30, density=0.3, format="csc", random_state=0)
    y = rng.standard_normal(40)
    yc = (y > 0).astype(int)
    for X in (Xd, Xs):
        a = alpha_max("squared", X, y) / 10
        for make in _lasso_solvers(a).values():
            make(1e-4).fit(X, y)
        skdecay.ElasticNetRegressor(alpha=a, fit_intercept=False).fit(X, y)
    skdecay.ElasticNetClassifier(alpha=0.01, fit_intercept=False).fit(Xd, yc)
    skdecay.RidgeRegressor(alpha=1.0).fit(Xd, y)
    if skglm is not None:
        skglm.SparseLogisticRegression(alpha=0.01, fit_intercept=False).fit(Xd, yc)
        skglm.ElasticNet(alpha=0.1, fit_intercept=False).fit(Xd, y)
    if celer is not None:
        celer.LogisticRegression(C=1.0).fit(Xd, yc)


SCENARIOS = ("lasso-dense", "enet-path", "lasso-sparse", "logreg-l1", "ridge", "ridge-sparse-wide")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 repeat, coarse ladder, no saga")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps-per-decade", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.steps_per_decade = 1, 1
    ladder = Ladder(args.steps_per_decade, 1e-1, 1e-14, args.repeat, args.max_seconds)

    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", FutureWarning)
    import numba
    import sklearn

    versions = [
        f"numpy {np.__version__}",
        f"numba {numba.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"skdecay {skdecay.__version__}",
    ]
    missing = []
    for name, mod in (("skglm", skglm), ("celer", celer)):
        if mod is None:
            missing.append(name)
        else:
            versions.append(f"{name} {mod.__version__}")
    print(", ".join(versions) + (f"; not installed: {', '.join(missing)}" if missing else ""))
    print(
        f"target: gap <= {TARGET:g} * P(0) (ridge: coefficient error <= {TARGET:g}); "
        f"best of {args.repeat} at the first sufficient tol; single-threaded\n"
    )
    _warm_up()
    print(HEAD)
    print("-" * len(HEAD), flush=True)
    summary = []
    if "lasso-dense" in args.scenarios:
        X, y = dense_regression()
        summary += report(scenario_lasso("lasso dense", X, y, (20, 100), ladder))
    if "enet-path" in args.scenarios:
        X, y = dense_regression()
        summary += report(scenario_path(X, y, ladder))
    if "lasso-sparse" in args.scenarios:
        X, y = sparse_regression()
        summary += report(scenario_lasso("lasso sparse", X, y, (20, 100, 1000), ladder))
    if "logreg-l1" in args.scenarios:
        X, y = classification()
        summary += report(scenario_logistic(X, y, (20, 100), ladder, with_saga=not args.quick))
    if "ridge" in args.scenarios:
        X, y = ridge_data()
        summary += report(scenario_ridge(X, y, ladder))
    if "ridge-sparse-wide" in args.scenarios:
        X, y = sparse_wide_regression()
        summary += report(scenario_ridge_sparse_wide(X, y, ladder))
    print("\ngoals")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
