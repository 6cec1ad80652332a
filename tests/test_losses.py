"""Data terms (``skdecay.losses``) against hand formulas, finite differences and conjugates.

With ``s`` the sample weights (summing to ``n``) and ``Z`` the linear predictor::

    squared:      1/(2n) sum_i s_i (y_i - z_i)**2
    logistic:     1/n sum_i s_i (log(1 + exp(z_i)) - y_i z_i)
    multinomial:  1/n sum_i s_i (logsumexp(z_i) - y_i . z_i)
"""

import numpy as np
import pytest
from scipy.optimize import minimize, minimize_scalar
from scipy.special import expit, logsumexp, softmax
from sklearn.metrics import mean_gamma_deviance, mean_poisson_deviance, mean_tweedie_deviance

from skdecay import losses as L

CODES = {"squared": L.SQUARED, "logistic": L.LOGISTIC, "multinomial": L.MULTINOMIAL}


def _data(name, n=9, K=3, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.2, 3.0, n)
    s *= n / s.sum()
    if name == "squared":
        Y = rng.standard_normal((n, 1)) * 2 + 1
        Z = rng.standard_normal((n, 1))
    elif name == "logistic":
        Y = (rng.uniform(size=(n, 1)) < 0.5).astype(float)
        Y[0], Y[1] = 0.0, 1.0
        Z = 2 * rng.standard_normal((n, 1))
    else:
        Y = np.eye(K)[np.arange(n) % K]
        Z = 2 * rng.standard_normal((n, K))
    return Y, Z, s


def _ref_loss(name, Y, Z, s):
    n = Y.shape[0]
    if name == "squared":
        per = 0.5 * np.sum((Y - Z) ** 2, axis=1)
    elif name == "logistic":
        per = np.logaddexp(0, Z[:, 0]) - Y[:, 0] * Z[:, 0]
    else:
        per = logsumexp(Z, axis=1) - np.sum(Y * Z, axis=1)
    return np.dot(s, per) / n


def _feasible_theta(name, Y, rng):
    """A dual point: ``Y - theta`` valid probabilities (any theta for squared)."""
    if name == "squared":
        return rng.standard_normal(Y.shape)
    if name == "logistic":
        return Y - rng.uniform(0.05, 0.95, Y.shape)
    return Y - softmax(rng.standard_normal(Y.shape), axis=1)


def _conjugate_long_way(name, Y, u, s):
    """``f*(u) = sum_i sup_z (u_i . z - f_i(z))`` with ``f_i`` sample ``i``'s share of the loss.

    Closed forms (for ``u = -(s/n) theta``, ``q = Y - theta``): squared
    ``u.y + n u**2 / (2 s)``; logistic and multinomial ``(s/n) * sum_k q_k log q_k``
    (negative entropy, binary with the complementary class).
    """
    n = Y.shape[0]
    w = s / n
    if name == "squared":
        return float(np.sum(u * Y) + np.sum(u[:, 0] ** 2 / (2 * w)))
    q = Y + u / w[:, None]
    if name == "logistic":
        q = np.hstack([q, 1 - q])
    return float(np.sum(w[:, None] * q * np.log(q)))


# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CODES)
def test_loss_value_matches_formula(name):
    Y, Z, s = _data(name)
    assert L.loss_value(CODES[name], Y, Z, s) == pytest.approx(_ref_loss(name, Y, Z, s), rel=1e-13)


def test_loss_value_is_stable_for_large_scores():
    Y = np.array([[1.0], [0.0]])
    Z = np.array([[-800.0], [800.0]])
    s = np.ones(2)
    assert L.loss_value(L.LOGISTIC, Y, Z, s) == pytest.approx(800.0, rel=1e-12)
    Y3 = np.array([[1.0, 0.0, 0.0]])
    Z3 = np.array([[0.0, 900.0, -900.0]])
    assert L.loss_value(L.MULTINOMIAL, Y3, Z3, np.ones(1)) == pytest.approx(900.0, rel=1e-12)


@pytest.mark.parametrize("name", CODES)
def test_gradient_is_minus_weighted_residual(name):
    """``d loss / dZ = -(s/n) * residual(Y, Z)``, checked by central differences."""
    Y, Z, s = _data(name)
    n = Y.shape[0]
    code = CODES[name]
    grad = -(s / n)[:, None] * L.residual(code, Y, Z)
    h = 1e-6
    fd = np.empty_like(Z)
    for idx in np.ndindex(Z.shape):
        E = np.zeros_like(Z)
        E[idx] = h
        fd[idx] = (L.loss_value(code, Y, Z + E, s) - L.loss_value(code, Y, Z - E, s)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", CODES)
def test_curvature_is_the_diagonal_second_derivative(name):
    Y, Z, s = _data(name)
    n = Y.shape[0]
    code = CODES[name]
    curv = L.curvature(code, Z)
    h = 1e-3
    f0 = L.loss_value(code, Y, Z, s)
    for idx in np.ndindex(Z.shape):
        E = np.zeros_like(Z)
        E[idx] = h
        d2 = (L.loss_value(code, Y, Z + E, s) - 2 * f0 + L.loss_value(code, Y, Z - E, s)) / h**2
        assert d2 == pytest.approx(s[idx[0]] / n * curv[idx], rel=1e-4, abs=1e-9)


@pytest.mark.parametrize("name", CODES)
def test_predict_mean_and_log(name):
    Y, Z, s = _data(name)
    code = CODES[name]
    P = L.predict_mean(code, Z)
    if name == "squared":
        np.testing.assert_array_equal(P, Z)
        return
    if name == "logistic":
        np.testing.assert_allclose(P, 1 / (1 + np.exp(-Z)), rtol=1e-14)
        probs = np.hstack([1 - P, P])
    else:
        np.testing.assert_allclose(P, np.exp(Z) / np.exp(Z).sum(1, keepdims=True), rtol=1e-13)
        probs = P
    np.testing.assert_allclose(np.exp(L.log_predict_mean(code, Z)), probs, rtol=1e-13)
    big = np.hstack([Z, 1000 * np.ones((Z.shape[0], 1))])[:, : Z.shape[1]] * 500
    assert np.all(np.isfinite(L.log_predict_mean(code, big)))


@pytest.mark.parametrize("name", CODES)
@pytest.mark.parametrize("seed", range(3))
def test_fenchel_young_equals_primal_plus_conjugate_minus_pairing(name, seed):
    """``fenchel_young(theta) = f(z) + f*(u) - u.z`` at ``u = -(s/n) theta``, the long way."""
    rng = np.random.default_rng(seed + 10)
    Y, Z, s = _data(name, seed=seed)
    n = Y.shape[0]
    code = CODES[name]
    fy = L.fenchel_young(code, Y, Z, s)
    theta = _feasible_theta(name, Y, rng)
    u = -(s / n)[:, None] * theta
    long_way = _ref_loss(name, Y, Z, s) + _conjugate_long_way(name, Y, u, s) - np.sum(u * Z)
    got = fy(theta)
    assert got >= 0
    assert got == pytest.approx(long_way, rel=1e-9, abs=1e-13)


@pytest.mark.parametrize("name", CODES)
def test_conjugate_closed_forms_match_numerical_supremum(name):
    """Validates the reference conjugates above by maximising ``u.z - f_i(z)`` numerically."""
    rng = np.random.default_rng(5)
    Y, Z, s = _data(name, n=4)
    n = Y.shape[0]
    theta = _feasible_theta(name, Y, rng)
    u = -(s / n)[:, None] * theta
    total = 0.0
    for i in range(n):
        w = s[i] / n
        if name == "squared":
            res = minimize_scalar(lambda z: -(u[i, 0] * z - w * 0.5 * (Y[i, 0] - z) ** 2))
            total += -res.fun
        elif name == "logistic":
            res = minimize_scalar(lambda z: -(u[i, 0] * z - w * (np.logaddexp(0, z) - Y[i, 0] * z)))
            total += -res.fun
        else:
            res = minimize(
                lambda z: -(u[i] @ z - w * (logsumexp(z) - Y[i] @ z)),
                np.zeros(Y.shape[1]),
                method="BFGS",
                options={"gtol": 1e-12},
            )
            total += -res.fun
    assert total == pytest.approx(_conjugate_long_way(name, Y, u, s), rel=1e-7, abs=1e-10)


@pytest.mark.parametrize("name", CODES)
def test_fenchel_young_vanishes_at_the_residual(name):
    Y, Z, s = _data(name)
    code = CODES[name]
    value = L.fenchel_young(code, Y, Z, s)(L.residual(code, Y, Z))
    assert 0 <= value <= 1e-14 * (1 + L.loss_value(code, Y, Z, s))


@pytest.mark.parametrize("name", ["logistic", "multinomial"])
def test_fenchel_young_infinite_outside_the_domain(name):
    Y, Z, s = _data(name)
    code = CODES[name]
    theta = Y - 1.5  # Y - theta = 1.5: not a probability
    assert L.fenchel_young(code, Y, Z, s)(theta) == np.inf
    assert L.fenchel_young(code, Y, Z, s)(Y + 0.2) == np.inf  # negative probabilities


@pytest.mark.parametrize("name", ["logistic", "multinomial"])
def test_dual_scale_limit(name):
    """Largest ``c`` such that ``Y - c*theta`` stays a probability (theta: a scaled residual)."""
    rng = np.random.default_rng(1)
    Y, Z, s = _data(name)
    code = CODES[name]
    theta = L.residual(code, Y, Z) * rng.uniform(0.5, 2.0, (Y.shape[0], 1))
    c = L.dual_scale_limit(code, Y, theta)
    Q = Y - c * theta
    if name == "logistic":
        Q = np.hstack([Q, 1 - Q])
    assert np.all(Q >= -1e-12) and np.all(Q <= 1 + 1e-12)
    # maximal: a little more leaves the probabilities
    Q2 = Y - 1.001 * c * theta
    assert np.any(Q2 < -1e-12) or np.any(Q2 > 1 + 1e-12)
    assert L.dual_scale_limit(L.SQUARED, Y, theta) == np.inf
    # the plain residual is feasible: c = 1 gives back the predicted probabilities
    assert L.dual_scale_limit(code, Y, L.residual(code, Y, Z)) >= 1 - 1e-12


@pytest.mark.parametrize("name", CODES)
def test_intercept_at_zero_is_optimal(name):
    Y, Z, s = _data(name, n=12)
    code = CODES[name]
    b = np.asarray(L.intercept_at_zero(code, Y, s), dtype=float).reshape(-1)
    Z0 = np.broadcast_to(b, Y.shape)
    grad = -(s[:, None] * L.residual(code, Y, Z0)).sum(axis=0)  # gradient wrt the intercepts
    np.testing.assert_allclose(grad, 0, atol=1e-12)
    if name == "squared":
        assert b[0] == pytest.approx(np.dot(s, Y[:, 0]) / s.sum(), rel=1e-14)
    elif name == "logistic":
        assert expit(b[0]) == pytest.approx(np.dot(s, Y[:, 0]) / s.sum(), rel=1e-12)
    else:
        np.testing.assert_allclose(softmax(b), s @ Y / s.sum(), rtol=1e-12)
        assert abs(b.sum()) < 1e-12


# ---------------------------------------------------------------------------
# the GLM entries (log link): Poisson, Gamma, Tweedie against scikit-learn's
# deviances, finite differences and conjugates computed the long way

GLM = {"poisson": L.POISSON, "gamma": L.GAMMA, "tweedie": L.TWEEDIE}


def _glm_data(name, n=11, seed=0):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.2, 3.0, n)
    s *= n / s.sum()
    Z = 0.7 * rng.standard_normal((n, 1)) + 0.3
    if name == "gamma":
        Y = rng.gamma(2.0, 1.5, (n, 1))
    else:
        Y = rng.poisson(2.0, (n, 1)).astype(float)
        Y[0] = 0.0  # a zero count (its own formula branch)
        Y[1] = 3.5  # non-integer values are allowed
    return Y, Z, s


def _sk_half_deviance(name, Y, Z, s):
    mu = np.exp(Z[:, 0])
    if name == "poisson":
        return 0.5 * mean_poisson_deviance(Y[:, 0], mu, sample_weight=s)
    if name == "gamma":
        return 0.5 * mean_gamma_deviance(Y[:, 0], mu, sample_weight=s)
    return 0.5 * mean_tweedie_deviance(Y[:, 0], mu, sample_weight=s, power=1.5)


@pytest.mark.parametrize("name", GLM)
def test_glm_value_is_half_of_scikit_learns_mean_deviance(name):
    Y, Z, s = _glm_data(name)
    loss = L.get_loss(GLM[name], power=1.5)
    assert loss.value(Y, Z, s) == pytest.approx(_sk_half_deviance(name, Y, Z, s), rel=1e-12)
    # zero at mu = y (y > 0)
    pos = Y[:, 0] > 0
    np.testing.assert_allclose(loss.per_sample(Y[pos], np.log(Y[pos])), 0, atol=1e-13)


@pytest.mark.parametrize("name", GLM)
def test_glm_gradient_and_curvature_by_finite_differences(name):
    Y, Z, s = _glm_data(name)
    n = Y.shape[0]
    loss = L.get_loss(GLM[name], power=1.5)
    grad = -(s / n)[:, None] * loss.residual(Y, Z)
    curv = (s / n)[:, None] * loss.curvature(Y, Z, 0.0)
    h = 1e-5
    for i in range(n):
        E = np.zeros_like(Z)
        E[i] = h
        fp, f0, fm = loss.value(Y, Z + E, s), loss.value(Y, Z, s), loss.value(Y, Z - E, s)
        assert (fp - fm) / (2 * h) == pytest.approx(grad[i, 0], rel=1e-6, abs=1e-10)
        assert (fp - 2 * f0 + fm) / h**2 == pytest.approx(curv[i, 0], rel=1e-3, abs=1e-7)
    assert np.all(loss.curvature(Y, Z, 0.0) >= 0)
    np.testing.assert_allclose(loss.mean(Z), np.exp(Z), rtol=1e-15)


def _glm_conjugate_long_way(name, Y, theta, s):
    """``sum_i sup_z (u_i z - (s_i/n) l(y_i, z))`` at ``u = -(s/n) theta``, numerically."""
    n = Y.shape[0]
    loss = L.get_loss(GLM[name])
    total = 0.0
    for i in range(n):
        w = s[i] / n
        u = -w * theta[i, 0]
        yi = Y[i : i + 1]

        def neg(z, u=u, w=w, yi=yi):
            return -(u * z - w * loss.per_sample(yi, np.array([[z]]))[0])

        res = minimize_scalar(neg, bounds=(-40, 40), method="bounded", options={"xatol": 1e-12})
        total += -res.fun
    return total


@pytest.mark.parametrize("name", ["poisson", "gamma"])
@pytest.mark.parametrize("seed", range(3))
def test_glm_fenchel_young_is_primal_plus_conjugate_minus_pairing(name, seed):
    rng = np.random.default_rng(seed + 20)
    Y, Z, s = _glm_data(name, n=6, seed=seed)
    n = Y.shape[0]
    loss = L.get_loss(GLM[name])
    # a dual point inside the domain: q = y - theta > 0 (Poisson), r = 1 + theta > 0 (Gamma)
    if name == "poisson":
        theta = Y - rng.uniform(0.2, 4.0, Y.shape)
    else:
        theta = rng.uniform(0.2, 3.0, Y.shape) - 1
    u = -(s / n)[:, None] * theta
    long_way = loss.value(Y, Z, s) + _glm_conjugate_long_way(name, Y, theta, s) - np.sum(u * Z)
    got = loss.fenchel_young(Y, Z, s)(theta)
    assert got >= 0
    assert got == pytest.approx(long_way, rel=1e-6, abs=1e-9)
    # zero at the residual, infinite outside the domain, and the scale limit at its edge
    assert loss.fenchel_young(Y, Z, s)(loss.residual(Y, Z)) <= 1e-14 * (1 + loss.value(Y, Z, s))
    c = loss.dual_scale_limit(Y, theta)
    assert np.isfinite(loss.fenchel_young(Y, Z, s)(c * theta))
    assert loss.fenchel_young(Y, Z, s)(1.01 * c * theta) == np.inf


def test_tweedie_has_no_closed_form_conjugate():
    loss = L.get_loss("tweedie", power=1.3)
    assert loss.power == 1.3 and not loss.conjugate
    Y, Z, s = _glm_data("tweedie")
    with pytest.raises(ValueError, match="no closed-form conjugate"):
        loss.fenchel_young(Y, Z, s)
    for bad in (1.0, 2.0, 0.5, 3.0):
        with pytest.raises(ValueError, match="1 < power < 2"):
            L.get_loss("tweedie", power=bad)


@pytest.mark.parametrize("name", GLM)
@pytest.mark.parametrize("with_offset", [False, True])
def test_glm_intercept_at_zero_is_optimal(name, with_offset):
    Y, Z, s = _glm_data(name, n=15)
    loss = L.get_loss(GLM[name], power=1.5)
    offset = np.random.default_rng(3).normal(0, 0.5, Y.shape) if with_offset else None
    b = np.asarray(loss.intercept_at_zero(Y, s, offset)).reshape(-1)
    Z0 = b + (0 if offset is None else offset)
    grad = -np.dot(s, loss.residual(Y, Z0)[:, 0])
    assert abs(grad) <= 1e-12 * np.sum(s * Y[:, 0])
    if not with_offset:  # the weighted mean of y, whatever the power
        assert np.exp(b[0]) == pytest.approx(np.dot(s, Y[:, 0]) / s.sum(), rel=1e-13)


def test_logistic_intercept_with_offset_is_optimal():
    rng = np.random.default_rng(0)
    Y = (rng.uniform(size=(30, 1)) < 0.3).astype(float)
    s = np.ones(30)
    offset = rng.normal(0, 1, (30, 1))
    b = L.get_loss("logistic").intercept_at_zero(Y, s, offset)
    grad = -np.dot(s, L.residual(L.LOGISTIC, Y, offset + b)[:, 0])
    assert abs(grad) < 1e-12


@pytest.mark.parametrize("name, bad", [("poisson", -1.0), ("tweedie", -0.5), ("gamma", 0.0)])
def test_glm_target_range(name, bad):
    loss = L.get_loss(name, power=1.5)
    loss.check_y(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="targets"):
        loss.check_y(np.array([1.0, bad]))
    if name != "gamma":
        with pytest.raises(ValueError, match="positive target"):
            loss.check_y(np.zeros(3))


def test_unknown_loss_code_raises():
    for code in (6, -1, 99, "huber", None):
        with pytest.raises(ValueError, match="unknown loss"):
            L.get_loss(code)
    with pytest.raises(ValueError, match="unknown loss"):
        L.loss_value(7, np.zeros((2, 1)), np.zeros((2, 1)), np.ones(2))
    with pytest.raises(ValueError, match="needs the targets"):
        L.curvature(L.POISSON, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="no class probabilities"):
        L.log_predict_mean(L.POISSON, np.zeros((2, 1)))


def test_one_registry_of_codes():
    """Every code of the kernels' registry has exactly one table entry, and back."""
    from skdecay._kernels import codes

    assert set(L.LOSSES) == set(codes.LOSS_NAMES)
    for code, entry in L.LOSSES.items():
        assert entry.code == code and entry.name == codes.LOSS_NAMES[code]
        assert L.get_loss(entry.name) is entry
