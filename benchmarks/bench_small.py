"""Small tabular problems: skdecay against scikit-learn, glmnet and glum where users live.

Issue 11's workloads: data of 10^2-10^4 rows and 3-64 columns, tuned over many
fits, so per-call overhead counts as much as the solver.  The peers are not
dependencies of skdecay; install them in a separate virtualenv (from the
repository root)::

    python -m venv /work/benchvenv
    /work/benchvenv/bin/pip install -e ".[benchmark]" python-glmnet==2.6.1 glum skglm celer
    /work/benchvenv/bin/pip install --no-deps ISLP   # only for its CSV files

then one command::

    /work/benchvenv/bin/python benchmarks/bench_small.py [--rounds N] [--quick] [--workloads ...]

A missing peer is left out (its column shows "-"); without ISLP the rows on
its data sets are skipped.

prints the library versions, the load average at start and end, one markdown
table (``workload | skdecay (min/median) | sklearn | glmnet | glum | others |
goal | met?``) and the details of every contestant (chosen ``tol``, the gap it
reached, its coefficients against scikit-learn's, its choice of
``alpha``/``l1_ratio``).  Everything runs single-threaded: the thread
variables are set to 1 before numpy is imported.

Workloads (``--workloads``; datasets: scikit-learn's diabetes, breast_cancer,
iris, wine, digits and the ISLP package's CSV files, read with pandas)::

    path        100-alpha elastic-net path, l1_ratio 0.5 and 1.0, on diabetes,
                Hitters (NA Salary dropped, categoricals one-hot, y = log Salary)
                and Credit (y = Balance).  X standardized, y centred, and every
                contestant gets that same centred data with fit_intercept=False
                (scikit-learn's enet_path fits no intercept).  Grid:
                skdecay.alpha_grid (alpha_max down to 1e-3 alpha_max).
                skdecay.enet_path vs sklearn.linear_model.enet_path vs Fortran
                glmnet (python-glmnet ElasticNet, lambda_path, standardize=False)
                vs glum (GeneralizedLinearRegressor, alpha_search, alphas) and,
                under "others", skglm's and celer's ElasticNet warm-started alpha
                by alpha.
    cv-reg      ElasticNetRegressorCV(l1_ratio=[.1,.5,.9,1], alphas=100,
                cv=KFold(5)) vs ElasticNetCV (same folds, same 100 alphas per
                l1_ratio from the same formula) vs glmnet's own CV (one
                ElasticNet(n_splits=5) per l1_ratio, the same folds passed as
                groups, our grid mapped to lambda, scoring="mean_squared_error",
                cut_point=0: the minimum, not the 1-SE rule), on the three data
                sets above, X standardized, y raw, intercept fitted.
    grid        GridSearchCV(make_pipeline(StandardScaler(), est), {alpha:
                logspace(-3, 1, 20), l1_ratio: [.2, .5, .8, 1]}, cv=5), est =
                skdecay.ElasticNetRegressor vs sklearn ElasticNet; time per fit
                (total / 401 fits).  The ladder picks tol on the 80 full-data fits.
    cv-clf      ElasticNetClassifierCV(l1_ratio=[.1,.5,.9,1], alphas=grid,
                cv=StratifiedKFold(5), scoring="neg_log_loss") vs
                LogisticRegressionCV(solver="saga", l1_ratios=..., Cs = 1 /
                (n_train * grid)) vs glmnet's LogitNet(n_splits=5) on ISLP Default
                (y = default, student one-hot) and breast_cancer, X standardized.
                Grid: 20 alphas from the l1_ratio=0.1 logistic alpha_max down to
                1e-4 of it (so that the choice is inside the grid), shared by
                every l1_ratio (LogisticRegressionCV shares its Cs).
    multinomial Multinomial L2 (l1_ratio=0, alpha = 1/n, i.e. C = 1) on iris,
                wine, digits, and make_classification(n = 10 K, p = 20, K classes)
                for K in 10, 100, 300: ElasticNetClassifier vs
                LogisticRegression(lbfgs); target gap 1e-8 * P(0) (the issue's
                "tol 1e-8"); the cells show n_iter_.

Conventions of the peers (n samples, rho = l1_ratio, our objective as in
skdecay's docstrings: 1/(2n)||y - Xw - b||^2 + alpha (rho ||w||_1 +
(1-rho)/2 ||w||^2), logistic: mean log-loss + the same penalty)::

    sklearn     same alpha; LogisticRegression(CV): C = 1 / (n alpha)
    glmnet      Fortran glmnet standardizes y internally (gaussian): for rho < 1
                ours is glmnet's alpha' = rho / (rho + s (1 - rho)) and
                lambda = alpha (rho + s (1 - rho)), s the 1/n standard deviation
                of y (root mean square when no intercept); rho = 1 and LogitNet:
                alpha' = rho, lambda = alpha.  standardize=False (X is already).
                In its CV each fold has its own s, so its folds solve slightly
                different problems; its choice is shown mapped with the full s.
    glum        same alpha and l1_ratio (normal family, unit dispersion).
    skglm       same alpha; tol is absolute, so tol * alpha is passed.
    celer       same alpha.

Equal precision: every output is checked by :func:`duality_gap` (one function,
never a solver's own estimate): gap <= 1e-6 * P(0) (P(0): the objective at
zero coefficients with the best intercept), at every alpha of a path; for the
CV estimators at the refit (alpha_, l1_ratio_); for the grid search at each
of the 80 grid points fitted on the full (scaled) data.  Each contestant's
``tol`` is the first of the ladder 1e-1, 10^-1.5, ..., 1e-14 whose output meets
the target (cached for all rounds); its coefficients are compared with
scikit-learn's solution of the same problem at a tight tol before any timing.
Timing: ``--rounds`` rounds (default 5), each timing every contestant of the
row once, round-robin (the starting contestant rotates); min and median
seconds; ratio = peer's min / skdecay's min (> 1: skdecay is faster).
"""

import os

if __name__ == "__main__":  # before numpy is imported; not when a test imports us
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib.metadata  # noqa: E402
import importlib.util  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, NamedTuple  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402
from scipy.special import logsumexp, xlogy  # noqa: E402
from sklearn import datasets as skdata  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import (  # noqa: E402
    ElasticNet,
    ElasticNetCV,
    LogisticRegression,
    LogisticRegressionCV,
    enet_path,
)
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import skdecay  # noqa: E402


def _optional(name):
    try:
        return __import__(name)
    except ImportError:
        return None


glmnet = _optional("glmnet")
glum = _optional("glum")
skglm = _optional("skglm")
celer = _optional("celer")

TARGET = 1e-6  # gap / P(0)
MULTINOMIAL_TARGET = 1e-8
MAX_ITER = 100_000
COEF_TOL = 1e-2  # coefficient difference to scikit-learn's, relative to its largest
L1_RATIOS = [0.1, 0.5, 0.9, 1.0]
N_FOLDS = 5
COLUMNS = ("skdecay", "sklearn", "glmnet", "glum", "others")


# ---------------------------------------------------------------------------
# the one precision measure


def duality_gap(loss, X, Y, W, b, alpha, l1_ratio):
    """``(gap, P(0))`` of skdecay's objective at coefficients ``W`` and intercept ``b``.

    ``loss``: ``"squared"`` (``Y`` the targets), ``"logistic"`` (``Y`` in {0, 1})
    or ``"multinomial"`` (``Y`` integer class codes 0..K-1); ``W`` of shape
    ``(p,)`` or ``(K, p)``; ``b`` ``None`` (no intercept) or scalar / ``(K,)``.
    Primal, with ``Z = X W^T + b`` and ``ell`` the per-sample loss::

        P = 1/n sum_i ell(y_i, z_i) + alpha (rho ||W||_1 + (1-rho)/2 ||W||^2)

    Dual point from the negative gradient ``U = (Y - A) / n`` (``A`` the
    predictions: ``z``, ``sigmoid(z)``, ``softmax(z)``, one-hot ``Y``)::

        D(U) = -1/n sum_i ell*(y_i, -n u_i) - g*(X^T U)
        squared:     -1/n sum ell* = U.y - n/2 ||U||^2
        logistic:    -1/n sum [a log a + (1-a) log(1-a)],   a = y - n u in [0, 1]
        multinomial: -1/n sum_ik a_ik log a_ik,              a_i = y_i - n u_i a distribution
        g*(V) = sum max(|V| - alpha rho, 0)^2 / (2 alpha (1 - rho))   (rho = 1: 0 or inf)

    An unpenalised intercept makes ``sum_i U_i = 0`` a dual constraint: the
    squared loss subtracts the mean of ``U``; the others move mass within the
    rows of ``A`` until its column sums are those of ``Y``
    (:func:`_match_column_sums`, which keeps every row a distribution).  The
    point is then scaled by the ``c`` in ``[0, c_hi]`` maximising ``D``
    (``A(c) = (1 - c) Y + c A``; ``c_hi`` keeps the lasso's dual feasible).
    ``gap = P - D >= 0`` bounds the sub-optimality.  ``P(0)``: the objective at
    ``W = 0`` with the best intercept.
    """
    X = np.asarray(X, dtype=np.float64)
    n = X.shape[0]
    W = np.atleast_2d(np.asarray(W, dtype=np.float64))
    K = W.shape[0]
    intercept = b is not None
    b = np.zeros(K) if b is None else np.broadcast_to(np.asarray(b, np.float64).ravel(), (K,))
    Z = X @ W.T + b
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    pen = l1 * np.abs(W).sum() + 0.5 * l2 * np.sum(W * W)
    y = np.asarray(Y)
    if loss == "squared":
        T = y.astype(np.float64).reshape(n, 1)
        data = np.sum((T - Z) ** 2) / (2 * n)
        yc = T - T.mean() if intercept else T
        p0 = np.sum(yc**2) / (2 * n)
        A = Z
    elif loss == "logistic":
        T = y.astype(np.float64).reshape(n, 1)
        data = np.mean(np.logaddexp(0, Z) - T * Z)
        m = T.mean()
        p0 = -(xlogy(m, m) + xlogy(1 - m, 1 - m)) if intercept else np.log(2)
        A = np.exp(-np.logaddexp(0, -Z))  # sigmoid
    else:
        T = np.eye(K)[y.astype(int)]
        data = np.mean(logsumexp(Z, axis=1) - np.sum(T * Z, axis=1))
        pi = T.mean(axis=0)
        p0 = -np.sum(xlogy(pi, pi)) if intercept else np.log(K)
        A = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
    primal = data + pen
    if loss == "squared":
        U = (T - A) / n
        if intercept:
            U = U - U.mean(axis=0)
    else:
        if intercept:
            A = _match_column_sums(A, T) if loss == "multinomial" else _match_binary(A, T)
        U = (T - A) / n
    V = X.T @ U
    vmax = max(float(np.max(np.abs(V))), 1e-300)

    def dual(c):
        if l2 == 0:
            conj = 0.0 if c * vmax <= l1 * (1 + 1e-12) else np.inf
        else:
            conj = np.sum(np.maximum(c * np.abs(V) - l1, 0) ** 2) / (2 * l2)
        if loss == "squared":
            return c * np.sum(U * T) - n / 2 * c * c * np.sum(U * U) - conj
        a = np.clip(T - c * n * U, 0, 1)
        if loss == "logistic":
            ent = xlogy(a, a) + xlogy(1 - a, 1 - a)
        else:
            ent = xlogy(a, a)
        return -np.sum(ent) / n - conj

    c_hi = min(1.0, l1 / vmax) if l2 == 0 else 1.0
    best = max(dual(c_hi), dual(0.0))
    res = minimize_scalar(
        lambda c: -dual(c), bounds=(0.0, c_hi), method="bounded", options={"xatol": 1e-13}
    )
    best = max(best, -float(res.fun))
    return primal - best, p0


def _match_column_sums(A, T):
    """Move mass within rows of ``A`` (rows on the simplex) so that its column
    sums become those of ``T``, keeping ``A >= 0`` and the row sums.

    Each column with too much mass gives the same fraction of every entry;
    each row spreads what it gave over the columns that lack mass, in
    proportion to their lack (so each such column gains exactly its lack).
    """
    r = T.sum(axis=0) - A.sum(axis=0)
    excess = np.maximum(-r, 0) / np.maximum(A.sum(axis=0), 1e-300)  # fraction given
    given = A * excess
    lack = np.maximum(r, 0)
    total = lack.sum()
    if total <= 0:
        return A
    return A - given + np.outer(given.sum(axis=1), lack / total)


def _match_binary(a, t):
    """The binary case of :func:`_match_column_sums` (columns ``1 - a`` and ``a``)."""
    both = _match_column_sums(np.hstack([1 - a, a]), np.hstack([1 - t, t]))
    return both[:, 1:]


def relative_gap(loss, X, Y, W, b, alpha, l1_ratio):
    gap, p0 = duality_gap(loss, X, Y, W, b, alpha, l1_ratio)
    return gap / p0


def path_error(X, y, alphas, coefs, l1_ratio):
    """Worst relative gap along a path (no intercept); ``coefs`` (n_alphas, p)."""
    coefs = np.asarray(coefs)
    if coefs.shape[0] != len(alphas):
        return np.inf
    return max(
        relative_gap("squared", X, y, c, None, a, l1_ratio)
        for a, c in zip(alphas, coefs, strict=True)
    )


def coef_diff(W, W_ref):
    """``max |W - W_ref| / max |W_ref|``."""
    W, W_ref = np.asarray(W, np.float64).ravel(), np.asarray(W_ref, np.float64).ravel()
    if W.shape != W_ref.shape:
        return np.inf
    return float(np.max(np.abs(W - W_ref)) / max(np.max(np.abs(W_ref)), 1e-300))


# ---------------------------------------------------------------------------
# data


def _islp_csv(name: str) -> pd.DataFrame:
    """An ISLP data file, read without importing ISLP (its heavy deps may be missing)."""
    spec = importlib.util.find_spec("ISLP")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("ISLP is not installed: pip install --no-deps ISLP")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / f"{name}.csv"
    return pd.read_csv(path)


def _design(df: pd.DataFrame) -> np.ndarray:
    """Numeric columns as they are, string columns one-hot (first level dropped)."""
    df = df.apply(lambda s: s.str.strip() if s.dtype == object else s)
    return pd.get_dummies(df, drop_first=True, dtype=float).to_numpy(dtype=np.float64)


def load_diabetes():
    return skdata.load_diabetes(return_X_y=True)


def load_hitters():
    df = _islp_csv("Hitters").dropna(subset=["Salary"])
    return _design(df.drop(columns="Salary")), np.log(df["Salary"].to_numpy(np.float64))


def load_credit():
    df = _islp_csv("Credit")
    df = df.drop(columns=[c for c in ("ID", "Unnamed: 0") if c in df])
    return _design(df.drop(columns="Balance")), df["Balance"].to_numpy(np.float64)


def load_default():
    df = _islp_csv("Default")
    return _design(df.drop(columns="default")), (df["default"] == "Yes").to_numpy(int)


def load_breast_cancer():
    return skdata.load_breast_cancer(return_X_y=True)


REGRESSION = {"diabetes": load_diabetes, "Hitters": load_hitters, "Credit": load_credit}
BINARY = {"Default": load_default, "breast_cancer": load_breast_cancer}
MULTICLASS = {
    "iris": lambda: skdata.load_iris(return_X_y=True),
    "wine": lambda: skdata.load_wine(return_X_y=True),
    "digits": lambda: skdata.load_digits(return_X_y=True),
}
for _k in (10, 100, 300):
    MULTICLASS[f"K={_k}"] = lambda k=_k: skdata.make_classification(
        n_samples=10 * k,
        n_features=20,
        n_informative=12,
        n_redundant=4,
        n_classes=k,
        n_clusters_per_class=1,
        random_state=0,
    )


def standardize(X):
    return StandardScaler().fit_transform(np.asarray(X, dtype=np.float64))


def fold_ids(cv, X, y):
    """Fold number of each sample (the held-out fold), to give glmnet the same folds."""
    ids = np.empty(len(y), dtype=int)
    for k, (_, test) in enumerate(cv.split(X, y)):
        ids[test] = k
    return ids


# ---------------------------------------------------------------------------
# the benchmark machinery


@dataclass
class Contestant:
    """One solver of one workload: ``fit(tol)`` returns its output."""

    name: str
    column: str
    fit: Callable[[float], Any]
    error: Callable[[Any], float]  # relative gap, worst over the checked solutions
    coef_diff: Callable[[Any], float] | None = None  # to scikit-learn's tight solution
    info: Callable[[Any], str] | None = None
    timed: Callable[[float], Any] | None = None  # what is timed, if not fit
    cell_note: Callable[[Any], str] | None = None  # shown in the table cell
    check: Callable[[Any], str] | None = None  # "" or why the output is not accepted


@dataclass
class Workload:
    key: str
    label: str
    contestants: list[Contestant]
    goal: str
    met: Callable[[dict], str]
    target: float = TARGET
    per: int = 1  # fits per timed call (the grid search reports time per fit)
    results: dict = field(default_factory=dict)


class Ladder:
    def __init__(self, steps_per_decade: int, largest=1e-1, smallest=1e-14, max_seconds=30.0):
        top, bottom = np.log10(largest), np.log10(smallest)
        k = steps_per_decade
        self.tols = [10.0 ** (top - i / k) for i in range(int(round((top - bottom) * k)) + 1)]
        self.max_seconds = max_seconds


def _timed(fn):
    gc.collect()
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


class _Deadline:
    """Interrupt a fit (between two Python bytecodes) after ``seconds`` of wall time."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = hasattr(signal, "SIGALRM") and seconds > 0

    def _raise(self, signum, frame):
        raise TimeoutError(f"stopped after {self.seconds:g}s")

    def __enter__(self):
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def calibrate(c: Contestant, target: float, ladder: Ladder) -> dict:
    """First ``tol`` of the ladder whose output meets ``target``, and its checks.

    A fit that runs longer than ``ladder.max_seconds`` is interrupted and ends
    the ladder (the contestant then never reached the target; its time is at
    least ``max_seconds``).
    """
    err, note, lower = np.inf, "", 0.0
    for tol in ladder.tols:
        try:
            with _Deadline(ladder.max_seconds):
                seconds, out = _timed(lambda tol=tol: c.fit(tol))
        except TimeoutError as exc:
            note, lower = f"interrupted at tol={tol:.0e}: {exc}", ladder.max_seconds
            break
        except Exception as exc:  # a peer's failure is a result, not a crash
            note = f"{type(exc).__name__}: {exc}"[:80]
            continue
        err = c.error(out)
        lower = max(lower, seconds)
        why = c.check(out) if c.check else ""
        if why:
            note = why
        elif err <= target:
            note = f"larger tols rejected: {note}" if note else ""
            res = dict(tol=tol, err=err, reached=True, out=out, times=[], note=note)
            res["coef_diff"] = c.coef_diff(out) if c.coef_diff else np.nan
            res["info"] = c.info(out) if c.info else ""
            res["cell"] = c.cell_note(out) if c.cell_note else ""
            return res
        if seconds > ladder.max_seconds:
            note = f"one fit took {seconds:.1f}s; " + note
            break
    # never reached: at least as long as its longest fit (a lower bound of the time)
    return dict(
        tol=tol, err=err, reached=False, times=[], note=note, coef_diff=np.nan, info="", lower=lower
    )


def run_workload(w: Workload, rounds: int, ladder: Ladder, verbose=True) -> Workload:
    """Calibrate every contestant, then time them round-robin over ``rounds``."""
    for c in w.contestants:
        w.results[c.name] = calibrate(c, w.target, ladder)
    live = [c for c in w.contestants if w.results[c.name]["reached"]]
    for r in range(rounds):
        order = live[r % len(live) :] + live[: r % len(live)] if live else []
        for c in order:
            res = w.results[c.name]
            fn = c.timed or c.fit
            res["times"].append(_timed(lambda fn=fn, tol=res["tol"]: fn(tol))[0] / w.per)
    if verbose:
        print(f"  done: {w.label}", flush=True)
    return w


def _best(w: Workload, column: str):
    """The contestant of ``column`` with the smallest min time: ``(name, result)``."""
    cands = [
        (c.name, w.results[c.name])
        for c in w.contestants
        if c.column == column and w.results[c.name]["times"]
    ]
    return min(cands, key=lambda kv: min(kv[1]["times"])) if cands else (None, None)


def seconds(w: Workload, column: str, lower=False) -> float:
    """Min time of the column's best contestant; ``lower``: else the lower bound, if any."""
    _, res = _best(w, column)
    if res:
        return min(res["times"])
    bounds = [
        w.results[c.name]["lower"] / w.per
        for c in w.contestants
        if c.column == column and not w.results[c.name]["reached"]
    ]
    return max(bounds) if lower and bounds else np.nan


# ---------------------------------------------------------------------------
# goals


def _ratio(w, column):  # a peer that never reached the target counts with its lower bound
    return seconds(w, column, lower=True) / seconds(w, "skdecay")


def _yes(ok):
    return "yes" if ok else "no"


def met_path(w):
    r = _ratio(w, "glmnet")
    return "n/a (no glmnet)" if np.isnan(r) else _yes(r >= 0.5)


def met_cv(w):
    """>= 2x scikit-learn with the same choice (unknown when scikit-learn never
    reached the target: its lower bound counts) and faster than glmnet's CV."""
    r_sk, r_gl = _ratio(w, "sklearn"), _ratio(w, "glmnet")
    same = same_choice(w)
    ok = r_sk >= 2 and same is not False and (np.isnan(r_gl) or r_gl > 1)
    notes = [
        "choice differs" if same is False else "",
        "sklearn: lower bound" if same is None else "",
        "no glmnet" if np.isnan(r_gl) else "",
    ]
    notes = ", ".join(x for x in notes if x)
    return _yes(ok) + (f" ({notes})" if notes else "")


def met_grid(w):
    r = _ratio(w, "sklearn")
    return "n/a" if np.isnan(r) else _yes(1 / r <= 0.8)


# ---------------------------------------------------------------------------
# workload 1: the path


def path_workload(data: str, X, y, l1_ratio: float, peers) -> Workload:
    X, y = standardize(X), np.asarray(y, np.float64) - np.mean(y)
    X = np.asfortranarray(X)
    alphas = skdecay.alpha_grid(X, y, l1_ratio=l1_ratio, fit_intercept=False)
    _, ref, _ = enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=1e-14, max_iter=10**6)
    ref = ref.T
    err = lambda C: path_error(X, y, alphas, C, l1_ratio)  # noqa: E731
    diff = lambda C: coef_diff(C, ref)  # noqa: E731
    cs = []

    def ours(tol):
        res = skdecay.enet_path(
            X, y, l1_ratio=l1_ratio, alphas=alphas, fit_intercept=False, tol=tol, max_iter=MAX_ITER
        )
        return res.coefs

    cs.append(Contestant("skdecay.enet_path", "skdecay", ours, err, diff))

    def sk(tol):
        return enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol, max_iter=MAX_ITER)[1].T

    cs.append(Contestant("sklearn enet_path", "sklearn", sk, err, diff))
    if glmnet is not None and "glmnet" in peers:
        s = np.sqrt(np.mean(y**2))  # glmnet's scale of y without intercept (y is centred)
        a_gl = l1_ratio / (l1_ratio + s * (1 - l1_ratio))
        lam = alphas * (l1_ratio + s * (1 - l1_ratio))

        def gl(tol):
            m = glmnet.ElasticNet(
                alpha=a_gl,
                lambda_path=lam,
                standardize=False,
                fit_intercept=False,
                n_splits=0,
                tol=tol,
                max_iter=10**7,
            ).fit(X, y)
            return m.coef_path_.T

        cs.append(Contestant("glmnet ElasticNet", "glmnet", gl, err, diff))
    if glum is not None and "glum" in peers:

        def gm(tol):
            m = glum.GeneralizedLinearRegressor(
                family="normal",
                l1_ratio=l1_ratio,
                alpha_search=True,
                alphas=alphas,
                fit_intercept=False,
                gradient_tol=tol,
                max_iter=1000,
            ).fit(X, y)
            return m.coef_path_

        cs.append(Contestant("glum GLM alpha_search", "glum", gm, err, diff))
    if skglm is not None and "skglm" in peers:

        def sg(tol):
            est = skglm.ElasticNet(
                alpha=alphas[0], l1_ratio=l1_ratio, fit_intercept=False, warm_start=True
            )
            out = []
            for a in alphas:
                est.set_params(alpha=a, tol=tol * a, max_iter=1000, max_epochs=MAX_ITER)
                out.append(est.fit(X, y).coef_.copy())
            return np.array(out)

        cs.append(Contestant("skglm ElasticNet loop", "others", sg, err, diff))
    if celer is not None and "celer" in peers:

        def ce(tol):
            est = celer.ElasticNet(
                alpha=alphas[0], l1_ratio=l1_ratio, fit_intercept=False, warm_start=True
            )
            out = []
            for a in alphas:
                est.set_params(alpha=a, tol=tol, max_iter=1000, max_epochs=MAX_ITER)
                out.append(est.fit(X, y).coef_.copy())
            return np.array(out)

        cs.append(Contestant("celer ElasticNet loop", "others", ce, err, diff))
    return Workload(
        "path",
        f"path {data} l1_ratio={l1_ratio:g}",
        cs,
        "<= 2x glmnet",
        met_path,
    )


# ---------------------------------------------------------------------------
# workload 2: ElasticNetRegressorCV


def _enet_reference(X, y, alpha, l1_ratio):
    m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=10**6).fit(X, y)
    return m.coef_


class Choice(NamedTuple):
    """What a CV estimator chose and refitted: ``alphas[index]``, ``l1_ratio``."""

    alpha: float
    l1_ratio: float
    index: int
    coef: np.ndarray
    intercept: Any

    def __str__(self):
        return f"alpha={self.alpha:.4g} (#{self.index}) l1_ratio={self.l1_ratio:g}"


def _cv_contestant(name, column, fit, loss, X, y, reference_coef, reference_choice=None):
    """A CV contestant: ``fit(tol)`` returns a :class:`Choice`; the refit is checked.

    With ``reference_choice`` (a callable giving the choice of a tight run), an
    output is accepted only when it makes that choice (same alpha, same l1_ratio).
    """

    def check(o):
        if reference_choice is None:
            return ""
        ref = reference_choice()
        if (o.index, o.l1_ratio) == (ref.index, ref.l1_ratio):
            return ""
        return f"choice {o} differs from the tight run's {ref}"

    return Contestant(
        name,
        column,
        fit,
        lambda o: relative_gap(loss, X, y, o.coef, o.intercept, o.alpha, o.l1_ratio),
        lambda o: coef_diff(o.coef, reference_coef(o.alpha, o.l1_ratio)),
        str,
        check=check,
    )


def _cached(fn):
    memo = {}

    def inner():
        if "v" not in memo:
            memo["v"] = fn()
        return memo["v"]

    return inner


def cv_reg_workload(data: str, X, y, peers) -> Workload:
    X, y = np.asfortranarray(standardize(X)), np.asarray(y, np.float64)
    cv = KFold(N_FOLDS)
    grids = {r: skdecay.alpha_grid(X, y, l1_ratio=r, n_alphas=100, eps=1e-3) for r in L1_RATIOS}

    def choice(m):
        k = int(np.argmin(np.abs(grids[m.l1_ratio_] - m.alpha_)))
        return Choice(float(m.alpha_), float(m.l1_ratio_), k, m.coef_, m.intercept_)

    def ours(tol):
        return choice(
            skdecay.ElasticNetRegressorCV(
                l1_ratio=L1_RATIOS, alphas=100, eps=1e-3, cv=cv, tol=tol, max_iter=MAX_ITER
            ).fit(X, y)
        )

    def sk(tol, max_iter=MAX_ITER):
        return choice(
            ElasticNetCV(
                l1_ratio=L1_RATIOS, alphas=100, eps=1e-3, cv=cv, tol=tol, max_iter=max_iter
            ).fit(X, y)
        )

    def ref_coef(alpha, rho):
        return _enet_reference(X, y, alpha, rho)

    tight = _cached(lambda: sk(1e-12, 10**6))  # the reference choice: ElasticNetCV, tight
    cs = [
        _cv_contestant("ElasticNetRegressorCV", "skdecay", ours, "squared", X, y, ref_coef, tight),
        _cv_contestant("ElasticNetCV", "sklearn", sk, "squared", X, y, ref_coef, tight),
    ]
    if glmnet is not None and "glmnet" in peers:
        groups = fold_ids(cv, X, y)
        s = np.std(y)

        def gl(tol):
            best = None
            for rho in L1_RATIOS:
                scale = rho + s * (1 - rho)
                m = glmnet.ElasticNet(
                    alpha=rho / scale,
                    lambda_path=grids[rho] * scale,
                    standardize=False,
                    n_splits=N_FOLDS,
                    scoring="mean_squared_error",
                    cut_point=0.0,
                    tol=tol,
                    max_iter=10**7,
                ).fit(X, y, groups=groups)
                score = float(np.max(m.cv_mean_score_))
                if best is None or score > best[0]:
                    k = int(m.lambda_max_inx_)
                    c = Choice(grids[rho][k], rho, k, m.coef_path_[:, k], m.intercept_path_[k])
                    best = (score, c)
            return best[1]

        cs.append(
            _cv_contestant("glmnet ElasticNet(n_splits=5)", "glmnet", gl, "squared", X, y, ref_coef)
        )
    return Workload(
        "cv-reg", f"ElasticNetRegressorCV {data}", cs, ">= 2x sklearn, < glmnet", met_cv
    )


def same_choice(w: Workload) -> bool | None:
    """Whether skdecay and scikit-learn chose the same (alpha, l1_ratio); None if unknown."""
    outs = [
        w.results[c.name].get("out") for c in w.contestants if c.column in ("skdecay", "sklearn")
    ]
    if len(outs) != 2 or any(o is None for o in outs):
        return None
    return (outs[0].index, outs[0].l1_ratio) == (outs[1].index, outs[1].l1_ratio)


# ---------------------------------------------------------------------------
# workload 3: grid search


GRID_ALPHAS = np.logspace(-3, 1, 20)
GRID_L1 = [0.2, 0.5, 0.8, 1.0]


def grid_workload(data: str, X, y, peers) -> Workload:
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    Xs = np.asfortranarray(standardize(X))
    n_fits = len(GRID_ALPHAS) * len(GRID_L1) * 5 + 1
    refs = {}

    def ref(a, r):
        if (a, r) not in refs:
            refs[a, r] = _enet_reference(Xs, y, a, r)
        return refs[a, r]

    def all_points(make):
        def fit(tol):  # every grid point on the full scaled data: the ladder's check
            return {
                (a, r): ((m := make(a, r, tol).fit(Xs, y)).coef_, m.intercept_)
                for a in GRID_ALPHAS
                for r in GRID_L1
            }

        return fit

    def err(out):
        return max(relative_gap("squared", Xs, y, c, b, a, r) for (a, r), (c, b) in out.items())

    def diff(out):
        return max(coef_diff(c, ref(a, r)) for (a, r), (c, _) in out.items())

    def search(make, prefix):
        def timed(tol):
            pipe = make_pipeline(StandardScaler(), make(1.0, 0.5, tol))
            grid = {f"{prefix}__alpha": GRID_ALPHAS, f"{prefix}__l1_ratio": GRID_L1}
            return GridSearchCV(pipe, grid, cv=5).fit(X, y)

        return timed

    def ours(a, r, tol):
        return skdecay.ElasticNetRegressor(alpha=a, l1_ratio=r, tol=tol, max_iter=MAX_ITER)

    def sk(a, r, tol):
        return ElasticNet(alpha=a, l1_ratio=r, tol=tol, max_iter=MAX_ITER)

    cs = [
        Contestant(
            "GridSearchCV(ElasticNetRegressor)",
            "skdecay",
            all_points(ours),
            err,
            diff,
            timed=search(ours, "elasticnetregressor"),
        ),
        Contestant(
            "GridSearchCV(ElasticNet)",
            "sklearn",
            all_points(sk),
            err,
            diff,
            timed=search(sk, "elasticnet"),
        ),
    ]
    return Workload(
        "grid",
        f"GridSearchCV per fit {data}",
        cs,
        "per fit <= 0.8x sklearn",
        met_grid,
        per=n_fits,
    )


# ---------------------------------------------------------------------------
# workload 4: ElasticNetClassifierCV


def cv_clf_workload(data: str, X, y, peers, n_alphas=20, eps=1e-4) -> Workload:
    X, y = np.asfortranarray(standardize(X)), np.asarray(y)
    n = X.shape[0]
    cv = StratifiedKFold(N_FOLDS)
    alphas = skdecay.alpha_grid(
        X, y, l1_ratio=min(L1_RATIOS), loss="logistic", n_alphas=n_alphas, eps=eps
    )
    n_train = len(next(cv.split(X, y))[0])
    Cs = 1.0 / (n_train * alphas)  # increasing, as alphas decrease
    y01 = (y == np.unique(y)[1]).astype(int)

    def ref_coef(alpha, rho):  # scikit-learn's solution of the same problem, tight
        m = LogisticRegression(
            C=1 / (n * alpha), l1_ratio=rho, solver="saga", tol=1e-10, max_iter=20000
        ).fit(X, y)
        return m.coef_

    def ours(tol):
        m = skdecay.ElasticNetClassifierCV(
            l1_ratio=L1_RATIOS,
            alphas=alphas,
            cv=cv,
            scoring="neg_log_loss",
            tol=tol,
            max_iter=1000,
        ).fit(X, y)
        k = int(np.argmin(np.abs(alphas - m.alpha_)))
        return Choice(float(m.alpha_), float(m.l1_ratio_), k, m.coef_, m.intercept_)

    def sk(tol):
        m = LogisticRegressionCV(
            Cs=Cs,
            l1_ratios=L1_RATIOS,
            solver="saga",
            cv=cv,
            scoring="neg_log_loss",
            tol=tol,
            max_iter=MAX_ITER,
            use_legacy_attributes=False,
        ).fit(X, y)
        C = float(np.ravel(m.C_)[0])
        k = int(np.argmin(np.abs(np.log(Cs / C))))
        # the refit solves the full-data problem at C_, i.e. alpha = 1 / (n C_)
        return Choice(1.0 / (n * C), float(np.ravel(m.l1_ratio_)[0]), k, m.coef_, m.intercept_)

    # the reference choice: skdecay at a tight tol (saga cannot get there in minutes)
    tight = _cached(lambda: ours(1e-10))
    cs = [
        _cv_contestant(
            "ElasticNetClassifierCV", "skdecay", ours, "logistic", X, y01, ref_coef, tight
        ),
        _cv_contestant(
            "LogisticRegressionCV(saga)", "sklearn", sk, "logistic", X, y01, ref_coef, tight
        ),
    ]
    if glmnet is not None and "glmnet" in peers:
        groups = fold_ids(cv, X, y)

        def gl(tol):
            best = None
            for rho in L1_RATIOS:
                m = glmnet.LogitNet(
                    alpha=rho,
                    lambda_path=alphas,
                    standardize=False,
                    n_splits=N_FOLDS,
                    scoring="log_loss",
                    cut_point=0.0,
                    tol=tol,
                    max_iter=10**7,
                ).fit(X, y, groups=groups)
                score = float(np.max(m.cv_mean_score_))
                if best is None or score > best[0]:
                    k = int(m.lambda_max_inx_)
                    coef, b = m.coef_path_[0, :, k], m.intercept_path_[0, k]
                    best = (score, Choice(alphas[k], rho, k, coef, b))
            return best[1]

        cs.append(
            _cv_contestant(
                "glmnet LogitNet(n_splits=5)", "glmnet", gl, "logistic", X, y01, ref_coef
            )
        )
    return Workload(
        "cv-clf", f"ElasticNetClassifierCV {data}", cs, ">= 2x LogRegCV(saga), < glmnet", met_cv
    )


# ---------------------------------------------------------------------------
# workload 5: multinomial L2


def multinomial_workload(data: str, X, y, peers) -> Workload:
    X = np.asfortranarray(standardize(X))
    classes, codes = np.unique(y, return_inverse=True)
    n = X.shape[0]
    alpha = 1.0 / n  # C = 1

    def err(m):
        return relative_gap("multinomial", X, codes, m.coef_, m.intercept_, alpha, 0.0)

    ref = {}

    def diff(m):
        if "W" not in ref:
            r = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-12, max_iter=10000)
            ref["W"] = r.fit(X, y).coef_
        return coef_diff(m.coef_, ref["W"])

    def ours(tol):
        return skdecay.ElasticNetClassifier(alpha=alpha, l1_ratio=0.0, tol=tol, max_iter=1000).fit(
            X, y
        )

    def sk(tol):
        return LogisticRegression(C=1.0, solver="lbfgs", tol=tol, max_iter=MAX_ITER).fit(X, y)

    def iters(m):
        return f"{int(np.max(m.n_iter_))} it"

    cs = [
        Contestant("ElasticNetClassifier", "skdecay", ours, err, diff, iters, cell_note=iters),
        Contestant("LogisticRegression(lbfgs)", "sklearn", sk, err, diff, iters, cell_note=iters),
    ]
    label = f"multinomial L2 {data} (n={n}, p={X.shape[1]}, K={classes.size})"
    return Workload(
        "multinomial", label, cs, "- (n_iter_ shown)", lambda w: "-", target=MULTINOMIAL_TARGET
    )


# ---------------------------------------------------------------------------
# building, running and reporting


WORKLOADS = ("path", "cv-reg", "grid", "cv-clf", "multinomial")
ALL_PEERS = ("glmnet", "glum", "skglm", "celer")


def build(workload: str, data: str, peers=ALL_PEERS) -> list[Workload]:
    """The rows of one workload on one data set (``peers``: optional peers to include)."""
    if workload == "path":
        X, y = REGRESSION[data]()
        return [path_workload(data, X, y, r, peers) for r in (0.5, 1.0)]
    if workload == "cv-reg":
        return [cv_reg_workload(data, *REGRESSION[data](), peers)]
    if workload == "grid":
        return [grid_workload(data, *REGRESSION[data](), peers)]
    if workload == "cv-clf":
        return [cv_clf_workload(data, *BINARY[data](), peers)]
    return [multinomial_workload(data, *MULTICLASS[data](), peers)]


DATASETS = {
    "path": list(REGRESSION),
    "cv-reg": list(REGRESSION),
    "grid": list(REGRESSION),
    "cv-clf": list(BINARY),
    "multinomial": list(MULTICLASS),
}


def _cell(w: Workload, column: str) -> str:
    if column == "others":  # every other peer, each with its ratio
        cells = [
            _one_cell(w, c.name, w.results[c.name], column)
            for c in w.contestants
            if c.column == column
        ]
        return "; ".join(cells) or "-"
    name, res = _best(w, column)
    return _one_cell(w, name, res, column)


def _one_cell(w: Workload, name: str | None, res: dict | None, column: str) -> str:
    """``min/median unit (ratio x)``; a peer's ratio is its min over skdecay's.

    Not reached: the lower bound of the time (its longest ladder fit).  When
    skdecay itself did not reach the target its lower bound is the reference,
    so a peer's ratio is an upper bound ("<").
    """
    ref = seconds(w, "skdecay")
    ref_text = ""
    if np.isnan(ref):
        ref, ref_text = seconds(w, "skdecay", lower=True), "< "
    if res is None:
        failed = [
            w.results[c.name]
            for c in w.contestants
            if c.column == column and not w.results[c.name]["reached"]
        ]
        if not failed:
            return "-"
        res = max(failed, key=lambda r: r["lower"])
    prefix = f"{name.split()[0]} " if column == "others" else ""
    if not res["times"]:
        lower = res["lower"] / w.per
        ratio = "" if column == "skdecay" else f" (> {lower / ref:.3g}x)"
        return f"{prefix}not reached: > {lower:.3g} s{ratio}"
    t = np.array(res["times"])
    unit, scale = ("ms", 1e3) if np.max(t) < 1 else ("s", 1.0)
    text = f"{scale * t.min():.3g}/{scale * np.median(t):.3g} {unit}"
    if column != "skdecay":
        text += f" ({ref_text}{t.min() / ref:.3g}x)"
    if res.get("cell"):
        text += f", {res['cell']}"
    return prefix + text


def table(rows: list[Workload]) -> str:
    head = "| workload | " + " | ".join(
        f"{c} (min/median)" if c == "skdecay" else c for c in COLUMNS
    )
    lines = [head + " | goal | met? |", "|" + " --- |" * (len(COLUMNS) + 3)]
    for w in rows:
        cells = [_cell(w, c) for c in COLUMNS]
        met = w.met(w) if np.isfinite(seconds(w, "skdecay")) else "no (skdecay not reached)"
        lines.append(f"| {w.label} | " + " | ".join(cells) + f" | {w.goal} | {met} |")
    return "\n".join(lines)


def details(rows: list[Workload]) -> str:
    lines = [
        "| workload | contestant | tol | gap/P(0) | coef diff vs sklearn | choice / info | note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for w in rows:
        for c in w.contestants:
            r = w.results[c.name]
            tol = f"{r['tol']:.0e}" if r["reached"] else f"not reached ({r['tol']:.0e})"
            diff = r["coef_diff"]
            flag = " MISMATCH" if np.isfinite(diff) and diff > COEF_TOL else ""
            lines.append(
                f"| {w.label} | {c.name} | {tol} | {r['err']:.1e} | {diff:.1e}{flag} "
                f"| {r['info']} | {r['note']} |"
            )
    return "\n".join(lines)


def versions() -> str:
    import numba
    import scipy
    import sklearn

    out = [
        f"numpy {np.__version__}",
        f"scipy {scipy.__version__}",
        f"numba {numba.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"skdecay {skdecay.__version__}",
        f"pandas {pd.__version__}",
    ]
    missing = []
    for name, dist in (
        ("glmnet", "python-glmnet"),
        ("glum", "glum"),
        ("skglm", "skglm"),
        ("celer", "celer"),
        ("ISLP", "ISLP"),
    ):
        try:
            out.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(dist)
    return ", ".join(out) + (f"; not installed: {', '.join(missing)}" if missing else "")


def _git_state() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def warm_up() -> None:
    """Compile (or load from cache) the numba code on tiny problems before timing."""
    X, y = skdata.make_regression(60, 8, random_state=0)
    yc = (y > 0).astype(int)
    skdecay.enet_path(X, y, l1_ratio=0.5, n_alphas=5, fit_intercept=False)
    skdecay.ElasticNetRegressor(alpha=0.1).fit(X, y)
    skdecay.ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], alphas=5, cv=3).fit(X, y)
    skdecay.ElasticNetClassifierCV(l1_ratio=[0.5, 1.0], alphas=5, cv=3).fit(X, yc)
    skdecay.ElasticNetClassifier(alpha=0.01, l1_ratio=0.0).fit(X, np.arange(60) % 3)
    if skglm is not None:
        skglm.ElasticNet(alpha=0.1, fit_intercept=False).fit(X, y)
    if celer is not None:
        celer.ElasticNet(alpha=0.1, fit_intercept=False).fit(X, y)


def main(argv=None) -> list[Workload]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1 round, a coarser tol ladder")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    parser.add_argument("--datasets", nargs="+", default=None, help="subset of data sets")
    parser.add_argument("--peers", nargs="+", default=list(ALL_PEERS), choices=ALL_PEERS)
    parser.add_argument("--max-seconds", type=float, default=60.0, help="per ladder fit")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 1
    ladder = Ladder(1 if args.quick else 2, max_seconds=args.max_seconds)
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", FutureWarning)
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", UserWarning)

    print(versions())
    print(f"git {_git_state()}; single-threaded; rounds {args.rounds}; ladder {len(ladder.tols)}")
    load0 = os.getloadavg()
    print(f"load average at start: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}", flush=True)
    warm_up()
    rows = []
    for wl in args.workloads:
        for data in DATASETS[wl]:
            if args.datasets and data not in args.datasets:
                continue
            try:
                built = build(wl, data, args.peers)
            except FileNotFoundError as exc:
                print(f"  skipped {wl} {data}: {exc}")
                continue
            for w in built:
                rows.append(run_workload(w, args.rounds, ladder))
    load1 = os.getloadavg()
    print()
    print(table(rows))
    print()
    print(details(rows))
    print(f"\nload average at end: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    return rows


if __name__ == "__main__":
    main()
