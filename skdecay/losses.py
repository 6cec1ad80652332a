"""Data terms: squared error, binary logistic and multinomial (softmax) log-loss.

Targets ``Y`` and linear predictors ``Z = X @ W.T + b`` are ``(n, K)`` arrays
(``K = 1`` for squared error and binary logistic, ``K = n_classes`` for the
multinomial).  Sample weights ``s`` are rescaled to sum to ``n``, so every data
term is a weighted *mean*::

    squared:      1/(2n) * sum_i s_i * (y_i - z_i)**2
    logistic:     1/n * sum_i s_i * (log(1 + exp(z_i)) - y_i * z_i),   y_i in {0, 1}
    multinomial:  1/n * sum_i s_i * (logsumexp(z_i) - y_i @ z_i),     y_i one-hot

For every loss the gradient with respect to ``Z`` is ``-(s/n) * residual(Y, Z)``
with ``residual = Y - prediction``; :func:`dual_value` is the data part of the
Fenchel dual at the dual point ``u = -(s/n) * theta`` (``theta`` a corrected
residual), used by the duality gap.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, softmax, xlogy

SQUARED, LOGISTIC, MULTINOMIAL = 0, 1, 2
LOSS_CODES = {"squared": SQUARED, "logistic": LOGISTIC, "multinomial": MULTINOMIAL}

__all__ = [
    "SQUARED",
    "LOGISTIC",
    "MULTINOMIAL",
    "LOSS_CODES",
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


def loss_value(code: int, Y, Z, s) -> float:
    """Weighted mean data loss (``s`` sums to ``n``)."""
    n = Y.shape[0]
    if code == SQUARED:
        per = 0.5 * np.sum((Y - Z) ** 2, axis=1)
    elif code == LOGISTIC:
        per = -(Y[:, 0] * log_expit(Z[:, 0]) + (1 - Y[:, 0]) * log_expit(-Z[:, 0]))
    else:
        per = _logsumexp(Z)[:, 0] - np.sum(Y * Z, axis=1)
    return float(np.dot(s, per) / n)


def predict_mean(code: int, Z):
    """The model's mean prediction: ``Z``, ``sigmoid(Z)`` or ``softmax(Z)``."""
    if code == SQUARED:
        return Z
    if code == LOGISTIC:
        return expit(Z)
    return softmax(Z, axis=1)


def log_predict_mean(code: int, Z):
    """Log class probabilities: ``[log(1-p), log(p)]`` (binary) or ``log_softmax(Z)``."""
    if code == LOGISTIC:
        return np.hstack([log_expit(-Z), log_expit(Z)])
    return Z - _logsumexp(Z)


def residual(code: int, Y, Z):
    """``Y - prediction``; the loss gradient wrt ``Z`` is ``-(s/n) * residual``."""
    return Y - predict_mean(code, Z)


def curvature(code: int, Z, floor: float = 1e-10):
    """Diagonal second derivative of the per-sample loss wrt each column of ``Z``.

    1 for squared error, ``p * (1 - p)`` for the logistic losses (the diagonal
    of the multinomial Hessian block), floored at ``floor`` for stability.
    """
    if code == SQUARED:
        return np.ones_like(Z)
    P = predict_mean(code, Z)
    return np.maximum(P * (1 - P), floor)


def fenchel_young(code: int, Y, Z, s):
    """The data term's share of the duality gap, as a function of ``theta``.

    At the dual point ``u = -(s/n)*theta`` it is ``f(z) + f*(u) - u @ z``,
    summed sample by sample (each term >= 0): ``1/(2n) * sum s * (y - z -
    theta)**2`` for squared error and, for the logistic losses, the weighted
    mean Kullback-Leibler divergence between the dual probabilities
    ``Y - theta`` (which must be valid probabilities, else ``inf``) and the
    model's ``predict_mean(Z)``.  Everything that does not depend on ``theta``
    is computed once, since the solver evaluates it along a line search.
    """
    n = Y.shape[0]
    if code == SQUARED:
        R = Y - Z
        return lambda theta: float(0.5 * np.dot(s, np.sum((R - theta) ** 2, axis=1)) / n)
    if code == LOGISTIC:
        logp = np.hstack([log_expit(Z), log_expit(-Z)])
        Y2 = np.hstack([Y, 1 - Y])
    else:
        logp = Z - _logsumexp(Z)
        Y2 = Y

    def value(theta):
        T = np.hstack([theta, -theta]) if code == LOGISTIC else theta
        Q = Y2 - T
        if np.any(Q < -1e-12) or np.any(Q > 1 + 1e-12):
            return np.inf
        Q = np.clip(Q, 0.0, 1.0)
        kl = np.sum(xlogy(Q, Q) - Q * logp, axis=1)
        return float(np.dot(s, np.maximum(kl, 0.0)) / n)

    return value


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
        curvature = float(np.dot(stheta, theta)) / n

        def value(c):
            d = R - c * theta
            return float(0.5 * np.dot(s, d * d) / n)

        return value, slope, curvature
    slope = -float(np.dot(s, np.sum(R * theta, axis=1))) / n
    curvature = float(np.dot(s, np.sum(theta * theta, axis=1))) / n

    def value(c):
        return float(0.5 * np.dot(s, np.sum((R - c * theta) ** 2, axis=1)) / n)

    return value, slope, curvature


def dual_scale_limit(code: int, Y, theta) -> float:
    """Largest ``c`` keeping ``Y - c*theta`` valid probabilities (``inf`` for squared)."""
    if code == SQUARED:
        return np.inf
    slack = 1e-13  # within fenchel_young's 1e-12 clipping of rounding-level violations
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(theta > 0, (Y + slack) / theta, np.inf)
        if code == LOGISTIC:
            down = np.where(theta < 0, (1 - Y + slack) / -theta, np.inf)
        else:
            down = np.inf
    return float(max(np.min(np.minimum(up, down)), 0.0))


def _logsumexp(Z):
    m = np.max(Z, axis=1, keepdims=True)
    return m + np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True))


def intercept_at_zero(code: int, Y, s):
    """Optimal intercept(s) when all coefficients are zero."""
    mean = np.dot(s, Y) / np.sum(s)
    if code == SQUARED:
        return mean
    mean = np.clip(mean, 1e-12, 1 - 1e-12)
    if code == LOGISTIC:
        return np.log(mean) - np.log1p(-mean)
    logp = np.log(mean)
    return logp - logp.mean()
