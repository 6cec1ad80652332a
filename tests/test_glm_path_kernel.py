"""The compiled prox-Newton path on the log-link losses (Poisson, Gamma, Tweedie).

Objective (``s`` rescaled to sum ``n``, ``o`` the offset, ``mu = exp(Xw + b + o)``)::

    1/n sum_i s_i l(y_i, mu_i) + alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||**2)

with ``l`` the unit half-deviance.  References: scikit-learn's PoissonRegressor,
GammaRegressor and TweedieRegressor(link="log") for ``l1_ratio = 0``; the KKT
conditions written out here for the L1 and elastic-net optima; the duality gap
against a brute-force optimum.
"""

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

from skdecay import losses
from skdecay._logistic_path import logistic_path_compiled
from skdecay.penalties import ElasticNetPenalty
from skdecay.solvers import Problem

NAMES = ["poisson", "gamma", "tweedie"]
POWER = 1.5


def _data(name, n=150, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = np.asfortranarray(rng.standard_normal((n, p)))
    beta = np.zeros(p)
    beta[:3] = [0.4, -0.3, 0.2]
    mu = np.exp(0.3 + X @ beta)
    if name == "poisson":
        y = rng.poisson(mu).astype(float)
    elif name == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    else:
        y = rng.poisson(mu) * rng.gamma(2.0, 0.5, n)
    s = rng.uniform(0.5, 2.0, n)
    s *= n / s.sum()
    return X, y, s


def _solve(name, X, y, s, alphas, l1_ratio, *, offset=None, tol=1e-12, fit_intercept=True):
    code = losses.LOSS_CODES[name]
    pf = np.ones(X.shape[1])
    penalty = ElasticNetPenalty(float(alphas[0]), l1_ratio, pf)
    pb = Problem(X, y[:, None], s, code, penalty, fit_intercept)
    return logistic_path_compiled(
        pb,
        np.asarray(alphas, float),
        tol=tol,
        max_iter=200,
        settle=True,
        offset=offset,
        power=POWER,
    )


def _sk(name, alpha):
    kw = dict(alpha=alpha, tol=1e-14, max_iter=10000, solver="newton-cholesky")
    if name == "poisson":
        return PoissonRegressor(**kw)
    if name == "gamma":
        return GammaRegressor(**kw)
    return TweedieRegressor(power=POWER, link="log", **kw)


def _residual(name, y, eta):
    """``-dl/deta`` written out: y - mu, y/mu - 1, y mu**(1-p) - mu**(2-p)."""
    mu = np.exp(eta)
    if name == "poisson":
        return y - mu
    if name == "gamma":
        return y / mu - 1
    return y * mu ** (1 - POWER) - mu ** (2 - POWER)


@pytest.mark.parametrize("name", NAMES)
def test_ridge_glm_equals_scikit_learn(name):
    X, y, s = _data(name)
    alpha = 0.03
    coefs, b, gaps, it, conv = _solve(name, X, y, s, [alpha], 0.0)
    ref = _sk(name, alpha).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(coefs[0, 0], ref.coef_, rtol=1e-8, atol=1e-10)
    assert b[0, 0] == pytest.approx(ref.intercept_, rel=1e-8, abs=1e-10)
    assert conv[0]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("with_offset", [False, True])
def test_l1_glm_path_satisfies_kkt(name, l1_ratio, with_offset):
    X, y, s = _data(name, seed=1)
    n = X.shape[0]
    offset = np.random.default_rng(5).normal(0, 0.3, n) if with_offset else None
    alphas = np.geomspace(0.2, 0.002, 6)
    coefs, b, gaps, it, conv = _solve(name, X, y, s, alphas, l1_ratio, offset=offset)
    o = 0.0 if offset is None else offset
    assert np.all(conv)
    for a, alpha in enumerate(alphas):
        w, b0 = coefs[a, 0], b[a, 0]
        r = _residual(name, y, X @ w + b0 + o)
        g = -(X.T @ (s * r)) / n  # gradient of the mean half-deviance
        assert abs(np.dot(s, r)) / n < 1e-9  # the intercept's condition
        l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
        nz = w != 0
        np.testing.assert_allclose(g[nz] + l1 * np.sign(w[nz]) + l2 * w[nz], 0, atol=1e-8)
        assert np.all(np.abs(g[~nz]) <= l1 + 1e-8)
    assert np.count_nonzero(coefs[0, 0]) < np.count_nonzero(coefs[-1, 0])  # sparser at first


@pytest.mark.parametrize("name", ["poisson", "gamma"])
def test_glm_gap_certifies_against_the_brute_force_optimum(name):
    """The duality gap bounds the suboptimality: a loose fit's gap is >= its
    objective minus the optimum found by scipy, and the tight fit's is tiny."""
    X, y, s = _data(name, seed=2)
    alpha, l1_ratio = 0.01, 0.5
    loss = losses.get_loss(name)

    def objective(wb):
        w, b0 = wb[:-1], wb[-1]
        pen = alpha * (l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * w @ w)
        return loss.value(y[:, None], (X @ w + b0)[:, None], s) + pen

    tight = _solve(name, X, y, s, [alpha], l1_ratio, tol=1e-12)
    best = objective(np.r_[tight[0][0, 0], tight[1][0, 0]])
    other = minimize(objective, np.zeros(X.shape[1] + 1), method="Powell", options={"xtol": 1e-10})
    assert best <= other.fun + 1e-10
    assert tight[2][0] <= 1e-10
    loose = _solve(name, X, y, s, [alpha], l1_ratio, tol=1e-2)
    sub = objective(np.r_[loose[0][0, 0], loose[1][0, 0]]) - best
    assert loose[2][0] >= sub - 1e-13
    assert loose[2][0] > 0


@pytest.mark.parametrize("name", NAMES)
def test_glm_alpha_max_gives_exact_zeros(name):
    X, y, s = _data(name, seed=3)
    n = X.shape[0]
    loss = losses.get_loss(name, power=POWER)
    b0 = np.asarray(loss.intercept_at_zero(y[:, None], s)).reshape(-1)
    g = -(X.T @ (s * _residual(name, y, np.full(n, b0[0])))) / n
    amax = np.max(np.abs(g))
    coefs, b, gaps, it, conv = _solve(name, X, y, s, [amax, amax * (1 - 1e-4)], 1.0)
    assert np.count_nonzero(coefs[0, 0]) == 0 and b[0, 0] == pytest.approx(b0[0], rel=1e-12)
    assert np.count_nonzero(coefs[1, 0]) == 1
    assert np.argmax(np.abs(coefs[1, 0])) == np.argmax(np.abs(g))


@pytest.mark.parametrize(
    "name, below, tol", [("poisson", 1e-12, 1e-8), ("gamma", 1e-3, 1e-16), ("tweedie", 1e-9, 1e-8)]
)
def test_settles_just_below_alpha_max(name, below, tol):
    """A single fit (``settle``) just below ``alpha_max`` or at a tol under the
    rounding: the coefficients are tiny, so the relative test "the last step moved
    none by more than max(tol, 100 eps) max|W|" is never met by the model's own
    rounding (each case ran to max_iter before the absolute floor: a step that
    changes the objective by no more than its rounding has settled).  The fit stops
    within a few Newton steps, converged, at a point meeting the KKT conditions."""
    X, y, s = _data(name)
    n = X.shape[0]
    loss = losses.get_loss(name, power=POWER)
    b0 = np.asarray(loss.intercept_at_zero(y[:, None], s)).reshape(-1)
    g0 = -(X.T @ (s * _residual(name, y, np.full(n, b0[0])))) / n
    alpha = np.max(np.abs(g0)) * (1 - below)
    coefs, b, gaps, it, conv = _solve(name, X, y, s, [alpha], 1.0, tol=tol)
    assert conv[0] and it[0] < 20
    w = coefs[0, 0]
    assert np.count_nonzero(w) == 1
    r = _residual(name, y, X @ w + b[0, 0])
    g = -(X.T @ (s * r)) / n
    assert abs(np.dot(s, r)) / n < 1e-12
    nz = w != 0
    np.testing.assert_allclose(g[nz] + alpha * np.sign(w[nz]), 0, atol=1e-12)
    assert np.all(np.abs(g[~nz]) <= alpha + 1e-12)


def test_tweedie_stops_on_the_kkt_violation():
    """Without a closed-form conjugate the reported value is the largest KKT
    violation (gradient units), below tol times the violation at zero."""
    X, y, s = _data("tweedie", seed=4)
    n = X.shape[0]
    alpha = 0.01
    coefs, b, gaps, it, conv = _solve("tweedie", X, y, s, [alpha], 1.0, tol=1e-6)
    w = coefs[0, 0]
    r = _residual("tweedie", y, X @ w + b[0, 0])
    g = -(X.T @ (s * r)) / n
    viol = np.where(w != 0, np.abs(g + alpha * np.sign(w)), np.maximum(np.abs(g) - alpha, 0))
    worst = max(viol.max(), abs(np.dot(s, r)) / n)
    assert gaps[0] == pytest.approx(worst, rel=1e-6, abs=1e-15)
    b0 = np.asarray(losses.get_loss("tweedie", power=POWER).intercept_at_zero(y[:, None], s))
    g0 = -(X.T @ (s * _residual("tweedie", y, np.full(n, b0.reshape(-1)[0])))) / n
    assert gaps[0] <= 1e-6 * np.max(np.maximum(np.abs(g0) - alpha, 0)) + 1e-14


@pytest.mark.parametrize("cache", [None, 2], ids=["cache-fits", "chunks-of-2"])
@pytest.mark.parametrize("name", ["poisson", "tweedie"])
def test_c_ordered_x_gives_the_fortran_path(monkeypatch, name, cache):
    # Poisson: the duality gap's correlations by rows; Tweedie: the KKT rule's
    from skdecay import _logistic_path

    X, y, s = _data(name, seed=2)
    offset = np.random.default_rng(4).normal(0, 0.3, X.shape[0])
    alphas = np.geomspace(0.2, 0.002, 5)
    if cache is not None:
        monkeypatch.setattr(_logistic_path, "cache_columns", lambda p: cache)
    f = _solve(name, X, y, s, alphas, 0.5, offset=offset)
    c = _solve(name, np.ascontiguousarray(X), y, s, alphas, 0.5, offset=offset)
    assert f[4].all() and c[4].all()
    atol = 1e-12 if cache is None else 1e-8
    np.testing.assert_allclose(c[0], f[0], rtol=0, atol=atol)
    np.testing.assert_allclose(c[1], f[1], rtol=0, atol=atol)
