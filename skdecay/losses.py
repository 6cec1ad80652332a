"""Data terms: one table entry per loss, each answering what a solver asks.

Targets ``Y`` and linear predictors ``Z = X @ W.T + b (+ offset)`` are ``(n, K)``
arrays (``K = n_classes`` for the multinomial, 1 otherwise).  Sample weights
``s`` are rescaled to sum to ``n``, so every data term is a weighted *mean* of a
per-sample loss ``l(y, z)``::

    squared:      1/2 (y - z)**2
    logistic:     log(1 + exp(z)) - y z,                      y in {0, 1}
    multinomial:  logsumexp(z) - y . z,                        y one-hot
    poisson:      mu - y log(mu) + y log(y) - y,  mu = exp(z),  y >= 0
    gamma:        log(mu / y) + y / mu - 1,       mu = exp(z),  y > 0
    tweedie(p):   y**(2-p)/((1-p)(2-p)) - y mu**(1-p)/(1-p) + mu**(2-p)/(2-p),
                  mu = exp(z), 1 < p < 2, y >= 0

The three GLM losses are the unit half-deviances of scikit-learn's
``PoissonRegressor``, ``GammaRegressor`` and ``TweedieRegressor(link="log")``
(zero at ``mu = y``).  Every entry gives:

* ``value(Y, Z, s)``, ``mean(Z)`` (the inverse link);
* ``residual(Y, Z) = -dl/dz``: the gradient of the mean loss wrt ``Z`` is
  ``-(s/n) * residual``; ``curvature(Y, Z) = d2l/dz2`` (the diagonal of the
  multinomial block);
* ``fenchel_young(Y, Z, s)``: the data term's share of the duality gap at the
  dual point ``u = -(s/n) theta``, ``f(z) + f*(u) - u.z`` summed sample by sample
  (each term a Bregman divergence, >= 0), as a function of ``theta``, and
  ``dual_scale_limit(Y, theta)``, the largest ``c`` with ``c * theta`` in the
  conjugate's domain.  ``conjugate = False`` (Tweedie) means no closed form: the
  solvers stop on the KKT conditions instead of a duality gap;
* ``intercept_at_zero(Y, s, offset)``: the optimal intercept(s) of the zero
  coefficients; ``check_y(y)``: the valid range of the target.

:data:`LOSSES` maps each code of :mod:`skdecay._kernels.codes` to its entry;
:func:`get_loss` is the only way in, and raises for an unknown code.  The
module-level functions (``loss_value(code, ...)`` etc.) are the same table read
by code, for the solvers' hot paths.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, softmax, xlogy

from ._kernels import codes as _codes
from ._kernels.codes import GAMMA, LOGISTIC, LOSS_NAMES, MULTINOMIAL, POISSON, SQUARED, TWEEDIE

LOSS_CODES = {name: code for code, name in LOSS_NAMES.items()}
LOSS_CODES["squared"] = SQUARED  # the historical short name

__all__ = [
    *(name for name in _codes.__all__ if name in globals()),  # the codes imported above
    "LOSS_CODES",
    "REGRESSION_LOSS_NAMES",
    "GLM_LOSS_NAMES",
    "Loss",
    "LOSSES",
    "get_loss",
    "loss_value",
    "predict_mean",
    "log_predict_mean",
    "residual",
    "curvature",
    "fenchel_young",
    "squared_gap_line",
    "dual_scale_limit",
    "intercept_at_zero",
]

_SLACK = 1e-13  # within fenchel_young's 1e-12 tolerance of rounding-level violations


def _weighted_mean(s, per) -> float:
    return float(np.dot(s, per) / per.shape[0])


def _logsumexp(Z):
    m = np.max(Z, axis=1, keepdims=True)
    return m + np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))


def _generalized_kl(q, m):
    """``q log(q/m) - q + m`` (>= 0; ``q = 0`` gives ``m``), elementwise."""
    return xlogy(q, q) - xlogy(q, m) - q + m


def _generalized_kl_line(s, base, sign, ref, slack):
    """``theta -> 1/n sum_i s_i KL(base_i + sign * theta_i || ref_i)`` (generalized
    KL, each term >= 0); ``inf`` when an argument is below ``-slack``."""
    n = base.shape[0]

    def value(theta):
        Q = base + sign * theta
        if np.any(Q < -slack):
            return np.inf
        per = np.sum(_generalized_kl(np.maximum(Q, 0.0), ref), axis=1)
        return float(np.dot(s, np.maximum(per, 0.0)) / n)

    return value


class Loss:
    """A per-sample loss ``l(y, z)`` of the linear predictor ``z`` (see the module)."""

    code: int = -1
    name: str = ""
    link: str = "identity"
    conjugate: bool = True  # a closed-form conjugate: the duality gap certifies
    classifier: bool = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- what every entry defines -------------------------------------------
    def per_sample(self, Y, Z):  # (n,)
        raise NotImplementedError

    def mean(self, Z):
        raise NotImplementedError

    def residual(self, Y, Z):
        raise NotImplementedError

    def curvature(self, Y, Z, floor: float = 1e-10):
        raise NotImplementedError

    def intercept_at_zero(self, Y, s, offset=None):
        raise NotImplementedError

    def check_y(self, y) -> None:
        """Raise ``ValueError`` when ``y`` is outside the loss's range."""

    # -- derived -------------------------------------------------------------
    def value(self, Y, Z, s) -> float:
        """Weighted mean data loss (``s`` sums to ``n``)."""
        return _weighted_mean(s, self.per_sample(Y, Z))

    def fenchel_young(self, Y, Z, s):
        raise ValueError(
            f"the {self.name} loss has no closed-form conjugate: no duality gap "
            "(its fits stop on the KKT conditions)"
        )

    def dual_scale_limit(self, Y, theta) -> float:
        return np.inf


class Squared(Loss):
    code, name = SQUARED, "squared_error"

    def per_sample(self, Y, Z):
        return 0.5 * np.sum((Y - Z) ** 2, axis=1)

    def mean(self, Z):
        return Z

    def residual(self, Y, Z):
        return Y - Z

    def curvature(self, Y, Z, floor: float = 1e-10):
        return np.ones_like(Z)

    def intercept_at_zero(self, Y, s, offset=None):
        off = 0.0 if offset is None else np.dot(s, offset) / np.sum(s)
        return np.dot(s, Y) / np.sum(s) - off

    def fenchel_young(self, Y, Z, s):
        n = Y.shape[0]
        R = Y - Z
        return lambda theta: float(0.5 * np.dot(s, np.sum((R - theta) ** 2, axis=1)) / n)


class _Probabilities(Loss):
    """Shared by the logistic losses: the dual point gives probabilities ``Y - theta``
    and the Fenchel-Young term is their Kullback-Leibler divergence to the model's."""

    classifier = True

    def curvature(self, Y, Z, floor: float = 1e-10):
        P = self.mean(Z)
        return np.maximum(P * (1 - P), floor)

    def _targets_and_log_probabilities(self, Y, Z):
        raise NotImplementedError

    def fenchel_young(self, Y, Z, s):
        n = Y.shape[0]
        Y2, logp = self._targets_and_log_probabilities(Y, Z)

        def value(theta):
            T = np.hstack([theta, -theta]) if self.code == LOGISTIC else theta
            Q = Y2 - T
            if np.any(Q < -1e-12) or np.any(Q > 1 + 1e-12):
                return np.inf
            Q = np.clip(Q, 0.0, 1.0)
            kl = np.sum(xlogy(Q, Q) - Q * logp, axis=1)
            return float(np.dot(s, np.maximum(kl, 0.0)) / n)

        return value


class Logistic(_Probabilities):
    code, name, link = LOGISTIC, "logistic", "logit"

    def per_sample(self, Y, Z):
        return -(Y[:, 0] * log_expit(Z[:, 0]) + (1 - Y[:, 0]) * log_expit(-Z[:, 0]))

    def mean(self, Z):
        return expit(Z)

    def log_mean(self, Z):
        """``[log(1-p), log(p)]`` per sample."""
        return np.hstack([log_expit(-Z), log_expit(Z)])

    def residual(self, Y, Z):
        return Y - expit(Z)

    def _targets_and_log_probabilities(self, Y, Z):
        return np.hstack([Y, 1 - Y]), np.hstack([log_expit(Z), log_expit(-Z)])

    def dual_scale_limit(self, Y, theta) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(theta > 0, (Y + _SLACK) / theta, np.inf)
            down = np.where(theta < 0, (1 - Y + _SLACK) / -theta, np.inf)
        return float(max(np.min(np.minimum(up, down)), 0.0))

    def intercept_at_zero(self, Y, s, offset=None):
        if offset is not None and np.any(offset != 0):
            return _newton_intercept(self, Y, s, offset)
        mean = np.clip(np.dot(s, Y) / np.sum(s), 1e-12, 1 - 1e-12)
        return np.log(mean) - np.log1p(-mean)

    def check_y(self, y) -> None:
        if np.any((y != 0) & (y != 1)):
            raise ValueError("the logistic loss needs targets coded 0/1.")


class Multinomial(_Probabilities):
    code, name, link = MULTINOMIAL, "multinomial", "softmax"

    def per_sample(self, Y, Z):
        return _logsumexp(Z)[:, 0] - np.sum(Y * Z, axis=1)

    def mean(self, Z):
        return softmax(Z, axis=1)

    def log_mean(self, Z):
        return Z - _logsumexp(Z)

    def residual(self, Y, Z):
        return Y - softmax(Z, axis=1)

    def _targets_and_log_probabilities(self, Y, Z):
        return Y, Z - _logsumexp(Z)

    def dual_scale_limit(self, Y, theta) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(theta > 0, (Y + _SLACK) / theta, np.inf)
        return float(max(np.min(up), 0.0))

    def intercept_at_zero(self, Y, s, offset=None):
        if offset is not None and np.any(offset != 0):
            raise ValueError("offsets are not supported for the multinomial loss.")
        mean = np.clip(np.dot(s, Y) / np.sum(s), 1e-12, 1 - 1e-12)
        logp = np.log(mean)
        return logp - logp.mean()


class _LogLink(Loss):
    """Tweedie-family losses with the log link, ``mu = exp(z)``: the derivatives are
    ``-dl/dz = y mu**(1-p) - mu**(2-p)`` and ``d2l/dz2 = (2-p) mu**(2-p) - (1-p) y
    mu**(1-p)`` (>= 0 for ``1 <= p <= 2``, ``y >= 0``)."""

    link = "log"
    power = 1.0

    def mean(self, Z):
        return np.exp(Z)

    def residual(self, Y, Z):
        p = self.power
        return Y * np.exp((1 - p) * Z) - np.exp((2 - p) * Z)

    def curvature(self, Y, Z, floor: float = 1e-10):
        p = self.power
        c = (2 - p) * np.exp((2 - p) * Z) - (1 - p) * Y * np.exp((1 - p) * Z)
        return np.maximum(c, floor)

    def intercept_at_zero(self, Y, s, offset=None):
        """``exp(b) = sum s y e**((1-p) o) / sum s e**((2-p) o)``: the zero of the
        intercept's gradient ``sum s e**((1-p)(b+o)) (e**(b+o) - y)``."""
        p = self.power
        o = np.zeros(Y.shape) if offset is None else np.asarray(offset).reshape(Y.shape)
        num = np.dot(s, Y * np.exp((1 - p) * o))
        den = np.dot(s, np.exp((2 - p) * o))
        return np.log(np.maximum(num, np.finfo(np.float64).tiny)) - np.log(den)

    def check_y(self, y) -> None:
        if np.any(y < 0):
            raise ValueError(f"the {self.name} loss needs non-negative targets.")
        if not np.any(y > 0):
            raise ValueError(f"the {self.name} loss needs at least one positive target.")


class Poisson(_LogLink):
    code, name, power = POISSON, "poisson", 1.0

    def per_sample(self, Y, Z):
        return np.sum(np.exp(Z) - Y * Z + xlogy(Y, Y) - Y, axis=1)

    def residual(self, Y, Z):
        return Y - np.exp(Z)

    def fenchel_young(self, Y, Z, s):
        """Generalized KL divergence between ``q = Y - theta`` (>= 0) and ``mu``."""
        return _generalized_kl_line(s, Y, -1.0, np.exp(Z), 1e-12 * np.maximum(1.0, Y))

    def dual_scale_limit(self, Y, theta) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            up = np.where(theta > 0, (Y + _SLACK * np.maximum(1.0, Y)) / theta, np.inf)
        return float(max(np.min(up), 0.0))


class Gamma(_LogLink):
    code, name, power = GAMMA, "gamma", 2.0

    def per_sample(self, Y, Z):
        return np.sum(Z - np.log(Y) + Y * np.exp(-Z) - 1, axis=1)

    def residual(self, Y, Z):
        return Y * np.exp(-Z) - 1

    def curvature(self, Y, Z, floor: float = 1e-10):
        return np.maximum(Y * np.exp(-Z), floor)

    def fenchel_young(self, Y, Z, s):
        """With ``r = 1 + theta`` (>= 0) and ``t = y / mu``: ``f(z) + f*(u) - u z =
        r log(r / t) - r + t``, a generalized KL divergence."""
        return _generalized_kl_line(s, np.ones_like(Y), 1.0, Y * np.exp(-Z), 1e-12)

    def dual_scale_limit(self, Y, theta) -> float:
        with np.errstate(divide="ignore", invalid="ignore"):
            down = np.where(theta < 0, (1 + _SLACK) / -theta, np.inf)
        return float(max(np.min(down), 0.0))

    def check_y(self, y) -> None:
        if np.any(y <= 0):
            raise ValueError("the gamma loss needs positive targets.")


class Tweedie(_LogLink):
    """Tweedie deviance with ``1 < power < 2`` (compound Poisson-gamma)."""

    code, name = TWEEDIE, "tweedie"
    conjugate = False

    def __init__(self, power: float = 1.5):
        power = float(power)
        if not 1.0 < power < 2.0:
            raise ValueError(f"the tweedie loss needs 1 < power < 2, got {power!r}.")
        self.power = power

    def __repr__(self) -> str:
        return f"Tweedie(power={self.power!r})"

    def per_sample(self, Y, Z):
        p = self.power
        const = np.power(Y, 2 - p) / ((1 - p) * (2 - p))
        term = -Y * np.exp((1 - p) * Z) / (1 - p) + np.exp((2 - p) * Z) / (2 - p)
        return np.sum(const + term, axis=1)


def _newton_intercept(loss: Loss, Y, s, offset, iters: int = 50):
    """The intercept minimising ``loss`` at zero coefficients with an offset (one
    output): a safeguarded 1-D Newton iteration on the convex function."""
    o = np.asarray(offset, dtype=np.float64).reshape(Y.shape)
    b = np.asarray(loss.intercept_at_zero(Y, s), dtype=np.float64).reshape(-1) - np.dot(
        s, o[:, 0]
    ) / np.sum(s)
    for _ in range(iters):
        Z = o + b
        g = -np.dot(s, loss.residual(Y, Z)[:, 0])
        h = np.dot(s, loss.curvature(Y, Z, 0.0)[:, 0])
        if not h > 0:
            break
        step = g / h
        b = b - step
        if abs(step) <= 1e-15 * (1 + abs(b[0])):
            break
    return b


LOSSES: dict[int, Loss] = {
    SQUARED: Squared(),
    LOGISTIC: Logistic(),
    MULTINOMIAL: Multinomial(),
    POISSON: Poisson(),
    GAMMA: Gamma(),
    TWEEDIE: Tweedie(1.5),
}


#: The regressors' losses (``ElasticNetRegressor(loss=...)``, the regression paths),
#: in code order: the squared error and the log-link GLM deviances.
REGRESSION_LOSS_NAMES = tuple(e.name for e in LOSSES.values() if not e.classifier)
#: The log-link ones (counts, positive amounts): ``poisson``, ``gamma``, ``tweedie``.
GLM_LOSS_NAMES = tuple(e.name for e in LOSSES.values() if e.link == "log")


def get_loss(code, power: float | None = None) -> Loss:
    """The table entry of ``code`` (an integer code or a name); ``power`` for Tweedie.

    Raises ``ValueError`` for an unknown code: no loss is ever guessed."""
    if isinstance(code, str):
        if code not in LOSS_CODES:
            raise ValueError(f"unknown loss {code!r}; known: {sorted(LOSS_NAMES.values())}.")
        code = LOSS_CODES[code]
    entry = LOSSES[_codes.check_code("loss", code, LOSS_NAMES)]
    if entry.code == TWEEDIE and power is not None and power != entry.power:
        return Tweedie(power)
    return entry


# -- the table read by code (the solvers' hot paths) --------------------------


def loss_value(code: int, Y, Z, s) -> float:
    """Weighted mean data loss (``s`` sums to ``n``)."""
    return get_loss(code).value(Y, Z, s)


def predict_mean(code: int, Z):
    """The model's mean prediction (the inverse link of ``Z``)."""
    return get_loss(code).mean(Z)


def log_predict_mean(code: int, Z):
    """Log class probabilities: ``[log(1-p), log(p)]`` (binary) or ``log_softmax(Z)``."""
    entry = get_loss(code)
    if not entry.classifier:
        raise ValueError(f"the {entry.name} loss has no class probabilities.")
    return entry.log_mean(Z)


def residual(code: int, Y, Z):
    """``-dl/dz``; the loss gradient wrt ``Z`` is ``-(s/n) * residual``."""
    return get_loss(code).residual(Y, Z)


def curvature(code: int, Z, floor: float = 1e-10, Y=None):
    """Diagonal second derivative of the per-sample loss wrt each column of ``Z``
    (``Y`` is needed by the losses whose curvature depends on the target)."""
    entry = get_loss(code)
    if Y is None and isinstance(entry, _LogLink):
        raise ValueError(f"the {entry.name} loss's curvature needs the targets Y.")
    return entry.curvature(Y, Z, floor)


def fenchel_young(code: int, Y, Z, s):
    """The data term's share of the duality gap as a function of ``theta``."""
    return get_loss(code).fenchel_young(Y, Z, s)


def dual_scale_limit(code: int, Y, theta) -> float:
    """Largest ``c`` keeping ``c * theta`` in the conjugate's domain (``inf`` for squared)."""
    return get_loss(code).dual_scale_limit(Y, theta)


def intercept_at_zero(code: int, Y, s, offset=None):
    """Optimal intercept(s) when all coefficients are zero."""
    return get_loss(code).intercept_at_zero(Y, s, offset)


def squared_gap_line(Y, Z, s, theta):
    """The squared loss's :func:`fenchel_young` along the dual scaling ``c``.

    Returns ``(value, slope, curvature)``: ``value(c)`` is
    ``fenchel_young(SQUARED, Y, Z, s)(c * theta)`` (the same careful sum of
    per-sample squares), a quadratic in ``c`` whose derivative is
    ``slope + curvature * c`` (``slope = -1/n sum s R theta``, ``curvature =
    1/n sum s theta**2``, ``R = Y - Z``).
    """
    n = Y.shape[0]
    R = Y - Z
    if R.shape[1] == 1:  # one target: plain vectors (the sum over K is exact)
        R, theta = R[:, 0], theta[:, 0]
        stheta = s * theta
        slope = -float(np.dot(stheta, R)) / n
        curv = float(np.dot(stheta, theta)) / n

        def value(c):
            d = R - c * theta
            return float(0.5 * np.dot(s, d * d) / n)

        return value, slope, curv
    slope = -float(np.dot(s, np.sum(R * theta, axis=1))) / n
    curv = float(np.dot(s, np.sum(theta * theta, axis=1))) / n

    def value(c):
        return float(0.5 * np.dot(s, np.sum((R - c * theta) ** 2, axis=1)) / n)

    return value, slope, curv
