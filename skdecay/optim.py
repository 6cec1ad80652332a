"""Composable optimizer steps (optax-style chains) and learning-rate schedules.

An optimizer is a *chain* of small steps applied to every parameter in turn,
written as a tuple of integer codes so that one numba kernel
(:func:`skdecay._kernels.mlp.chain_update`) runs any chain.  The functions
below are the plain-numpy reference of each step; :func:`apply_chain` runs a
chain with them and is what the kernel is tested against.

Steps (``g`` the data gradient, ``w`` the parameters, ``lr`` the learning rate,
``lam1 = alpha*l1_ratio`` and ``lam2 = alpha*(1-l1_ratio)`` per parameter,
both 0 for biases, which is how biases are masked out of every penalty):

``ADD_DECAYED_WEIGHTS``  ``g <- g + lam2 * w``                  (coupled L2)
``DECAY_WEIGHTS``        ``w <- w * (1 - lr * lam2)``            (decoupled decay)
``SCALE_BY_MOMENTUM``    PyTorch's SGD: ``buf <- momentum*buf + g``; direction
                         ``g + momentum*buf`` (Nesterov) or ``buf``
``SCALE_BY_ADAM``        PyTorch's Adam: ``m <- b1*m + (1-b1)*g``,
                         ``v <- b2*v + (1-b2)*g**2``, direction
                         ``mhat / (sqrt(vhat) + eps)`` with the bias-corrected
                         ``mhat = m/(1-b1**t)``, ``vhat = v/(1-b2**t)``
``DESCENT``              ``w <- w - lr * direction``
``PROX_L1``              ``w <- soft_threshold(w, lr * lam1 * metric)``
``PROX_GROUP``           per group ``g`` (a row of a weight matrix):
                         ``w_g <- w_g * max(0, 1 - lr*glam_g*mean(metric_g)/||w_g||)``

As in optax, the *position* of the L2 step is the whole difference between
coupled L2 and decoupled weight decay: before the optimizer's scaling its
gradient is rescaled by Adam (Adam + L2), outside it the weights shrink by
exactly ``lr*lam2`` per step (AdamW, Loshchilov & Hutter 2019).  With plain SGD
(momentum 0) both chains give the same weights.

The L1 part is always a proximal soft-threshold after the step (never a
subgradient), so weights become exactly zero.  Its threshold is taken in the
optimizer's metric: ``metric = 1`` for SGD, ``1/(sqrt(vhat)+eps)`` per
coordinate for Adam.  With Adam this is the proximal step in Adam's diagonal
metric: a weight stays exactly zero iff ``|mhat| <= lam1`` (the L1 optimality
condition), whereas an unscaled threshold ``lr*lam1`` would be negligible
against Adam's steps of size ~``lr``.

The group step applies the group-lasso prox to contiguous blocks of
parameters (each row of a weight matrix: an input feature's or a hidden
unit's outgoing weights) with thresholds ``glam_g = alpha_group *
sqrt(|g|)``.  After the L1 step it gives the exact prox of the sparse-group
penalty ``lam1*||w||_1 + sum_g glam_g*||w_g||_2`` (soft-threshold, then
group-shrink).  Adam's metric is diagonal and varies inside a group, where the
group prox has no closed form; we take the prox in the metric
``mean_{i in g}(1/(sqrt(vhat_i)+eps))``, one scalar per group (the metric of
Adam averaged over the group), so a whole group becomes exactly zero at once.

:func:`owlqn` is the quasi-Newton solver for L1 / elastic-net objectives
(full batch): L-BFGS on the smooth part, restricted to an orthant per
iteration (Andrew & Gao 2007).

The SGD momentum follows PyTorch, not scikit-learn: scikit-learn's MLP keeps
``v <- momentum*v - lr*g; w <- w + v`` (Nesterov: ``w <- w + momentum*v -
lr*g``), i.e. the learning rate inside the velocity.  Both agree for a
constant learning rate (``v = -lr*buf``) and differ when the rate changes
(invscaling / adaptive schedules): PyTorch's form applies the new rate to the
whole accumulated momentum at once.
"""

from __future__ import annotations

import numpy as np

from ._kernels.mlp import (
    ADD_DECAYED_WEIGHTS,
    DECAY_WEIGHTS,
    DESCENT,
    PROX_GROUP,
    PROX_L1,
    SCALE_BY_ADAM,
    SCALE_BY_MOMENTUM,
)

__all__ = [
    "ADD_DECAYED_WEIGHTS",
    "DECAY_WEIGHTS",
    "SCALE_BY_MOMENTUM",
    "SCALE_BY_ADAM",
    "DESCENT",
    "PROX_L1",
    "PROX_GROUP",
    "make_chain",
    "hyper_parameters",
    "add_decayed_weights",
    "decay_weights",
    "scale_by_momentum",
    "scale_by_adam",
    "descent",
    "prox_l1",
    "prox_group",
    "apply_chain",
    "owlqn",
    "scheduled_learning_rate",
    "plateau_learning_rate",
]


def make_chain(solver: str, decay: str) -> np.ndarray:
    """The step codes of an optimizer: ``solver`` in {"sgd", "adam"}, ``decay`` in
    {"coupled", "decoupled"}.

    ``coupled``:   add_decayed_weights -> scale (momentum | adam) -> descent -> prox_l1
                   -> prox_group
    ``decoupled``: decay_weights       -> scale (momentum | adam) -> descent -> prox_l1
                   -> prox_group
    """
    if solver not in ("sgd", "adam"):
        raise ValueError(f"unknown solver {solver!r}")
    if decay not in ("coupled", "decoupled"):
        raise ValueError(f"unknown decay {decay!r}")
    l2 = ADD_DECAYED_WEIGHTS if decay == "coupled" else DECAY_WEIGHTS
    scale = SCALE_BY_ADAM if solver == "adam" else SCALE_BY_MOMENTUM
    return np.array([l2, scale, DESCENT, PROX_L1, PROX_GROUP], dtype=np.int64)


def hyper_parameters(
    lr: float,
    momentum: float = 0.0,
    nesterov: bool = False,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    epsilon: float = 1e-8,
    dtype=np.float64,
) -> np.ndarray:
    """The kernel's ``hyper`` array ``[lr, momentum, nesterov, beta_1, beta_2, epsilon]``."""
    return np.array([lr, momentum, float(nesterov), beta_1, beta_2, epsilon], dtype=dtype)


def add_decayed_weights(g, w, lam2):
    """Coupled L2: the penalty's gradient ``lam2 * w`` joins the data gradient."""
    return g + lam2 * w


def decay_weights(w, lr, lam2):
    """Decoupled weight decay ``w * (1 - lr*lam2)``, outside any rescaling."""
    return w * (1 - lr * lam2)


def scale_by_momentum(g, buf, momentum, nesterov):
    """PyTorch's SGD momentum (``dampening=0``); updates ``buf`` in place."""
    buf *= momentum
    buf += g
    return g + momentum * buf if nesterov else buf.copy()


def scale_by_adam(g, m, v, t, beta_1, beta_2, epsilon):
    """PyTorch's Adam direction and metric; updates ``m`` and ``v`` in place.

    Returns ``(mhat / (sqrt(vhat) + eps), 1 / (sqrt(vhat) + eps))``.
    """
    m *= beta_1
    m += (1 - beta_1) * g
    v *= beta_2
    v += (1 - beta_2) * g * g
    denom = np.sqrt(v / (1 - beta_2**t)) + epsilon
    return (m / (1 - beta_1**t)) / denom, 1 / denom


def descent(w, lr, direction):
    return w - lr * direction


def prox_l1(w, threshold):
    """Soft-thresholding ``sign(w) * max(|w| - threshold, 0)``."""
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0)


def prox_group(w, groups, thresholds):
    """Group soft-threshold of the contiguous blocks ``groups`` (rows ``(offset, length)``)."""
    w = w.copy()
    for (g0, gl), thr in zip(groups, thresholds, strict=True):
        block = w[g0 : g0 + gl]
        nrm = np.linalg.norm(block)
        block *= max(0.0, 1 - thr / nrm) if nrm > 0 else 0.0
    return w


def no_groups(dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The ``(groups, glam)`` arguments of a chain without group penalty."""
    return np.zeros((0, 2), np.int64), np.zeros(0, dtype)


def apply_chain(
    chain, params, grad, hyper, lam1, lam2, m, v, t: int, groups=None, glam=None
) -> None:
    """Reference of the kernel's update: run ``chain`` on ``params`` in place.

    Same arguments as :func:`skdecay._kernels.mlp.chain_update`; ``t`` is the
    step number (1 for the first step).
    """
    lr, momentum, nesterov, beta_1, beta_2, epsilon = (float(h) for h in hyper)
    w = params.copy()
    g = grad.copy()
    direction = g
    metric = 1.0
    for code in chain:
        if code == ADD_DECAYED_WEIGHTS:
            g = add_decayed_weights(g, w, lam2)
            direction = g
        elif code == DECAY_WEIGHTS:
            w = decay_weights(w, lr, lam2)
        elif code == SCALE_BY_MOMENTUM:
            direction = scale_by_momentum(g, m, momentum, bool(nesterov))
        elif code == SCALE_BY_ADAM:
            direction, metric = scale_by_adam(g, m, v, t, beta_1, beta_2, epsilon)
        elif code == DESCENT:
            w = descent(w, lr, direction)
        elif code == PROX_L1:
            w = prox_l1(w, lr * lam1 * metric)
        elif code == PROX_GROUP:
            if groups is not None and len(groups):
                met = np.broadcast_to(metric, w.shape)
                scale = np.array([met[g0 : g0 + gl].mean() for g0, gl in groups])
                w = prox_group(w, groups, lr * np.asarray(glam) * scale)
        else:
            raise ValueError(f"unknown step code {code}")
    params[:] = w


# ---------------------------------------------------------------------------
# learning-rate schedules (Python side, once per epoch; scikit-learn's rules)


def scheduled_learning_rate(
    schedule: str, lr: float, learning_rate_init: float, power_t: float, t_seen: int
) -> float:
    """Learning rate for the next epoch, after ``t_seen`` samples in total.

    ``"invscaling"``: ``learning_rate_init / (t_seen + 1) ** power_t`` (as
    scikit-learn's MLP, where ``t`` counts samples); ``"constant"`` and
    ``"adaptive"`` keep ``lr``.
    """
    if schedule == "invscaling":
        return learning_rate_init / (t_seen + 1) ** power_t
    return lr


def plateau_learning_rate(schedule: str, lr: float) -> tuple[float, bool]:
    """What to do after ``n_iter_no_change`` epochs without improvement.

    Returns ``(new_lr, stop)``: ``"adaptive"`` divides the rate by 5 and goes
    on until it falls below ``1e-6``; the other schedules stop.
    """
    if schedule != "adaptive" or lr <= 1e-6:
        return lr, True
    return lr / 5.0, False


# ---------------------------------------------------------------------------
# orthant-wise L-BFGS (full batch, L1 + smooth)


def _pseudo_gradient(x, g, lam1):
    """Minimum-norm subgradient of ``f + sum lam1*|x|`` (Andrew & Gao's ``diamond f``)."""
    pg = g + lam1 * np.sign(x)
    at0 = x == 0
    right = g + lam1  # derivative to the right of 0
    left = g - lam1
    pg[at0] = np.where(right[at0] < 0, right[at0], np.where(left[at0] > 0, left[at0], 0.0))
    return pg


def owlqn(
    fun, x0, lam1, *, max_iter: int, max_fun: int, tol: float, memory: int = 10, callback=None
):
    """Minimise ``fun(x)[0] + sum(lam1 * |x|)`` by OWL-QN (Andrew & Gao, ICML 2007).

    ``fun`` returns ``(value, gradient)`` of the smooth part.  Each iteration
    takes the L-BFGS direction of the pseudo-gradient, projected on the orthant
    it points into, and a backtracking line search whose trial points are
    projected on that orthant: a coordinate that would cross zero is set to
    exactly zero, which is how the iterates become sparse (a plain L-BFGS on
    ``|x|`` never lands on zero).  Stops when the largest pseudo-gradient entry
    is ``<= tol`` (as L-BFGS-B's ``gtol``), after ``max_iter`` iterations or
    ``max_fun`` evaluations of ``fun``.  ``callback(x)`` runs after every
    iteration.

    Returns ``(x, value, n_iter, n_fun, converged)``.
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun(x)
    n_fun = 1
    F = f + np.sum(lam1 * np.abs(x))
    S, Yd = [], []
    n_iter = 0
    converged = False
    while n_iter < max_iter and n_fun < max_fun:
        pg = _pseudo_gradient(x, g, lam1)
        if np.max(np.abs(pg)) <= tol:
            converged = True
            break
        # two-loop recursion on -pg
        q = -pg
        rhos = [1.0 / np.dot(y, s) for s, y in zip(S, Yd, strict=True)]
        coef = []
        for s, y, rho in zip(reversed(S), reversed(Yd), reversed(rhos), strict=True):
            a = rho * np.dot(s, q)
            coef.append(a)
            q -= a * y
        if S:
            q *= np.dot(S[-1], Yd[-1]) / np.dot(Yd[-1], Yd[-1])
        for (s, y, rho), a in zip(zip(S, Yd, rhos, strict=True), reversed(coef), strict=True):
            b = rho * np.dot(y, q)
            q += (a - b) * s
        d = np.where(q * pg < 0, q, 0.0)  # keep the descent sign of -pg
        if not np.any(d):
            d = -pg
        orthant = np.where(x != 0, np.sign(x), -np.sign(pg))
        slope = np.dot(pg, d)
        step = 1.0 if S else 1.0 / max(1.0, np.linalg.norm(pg))
        while True:
            xn = x + step * d
            xn[np.sign(xn) != orthant] = 0.0
            fn, gn = fun(xn)
            n_fun += 1
            Fn = fn + np.sum(lam1 * np.abs(xn))
            if Fn <= F + 1e-4 * np.dot(pg, xn - x) or n_fun >= max_fun or step < 1e-20:
                break
            step *= 0.5
        n_iter += 1
        s_vec, y_vec = xn - x, gn - g
        if np.dot(s_vec, y_vec) > 1e-10 * np.dot(y_vec, y_vec):
            S.append(s_vec)
            Yd.append(y_vec)
            if len(S) > memory:
                S.pop(0)
                Yd.pop(0)
        done = abs(F - Fn) <= 1e-15 * max(1.0, abs(F)) or slope >= 0
        x, f, g, F = xn, fn, gn, Fn
        if callback is not None:
            callback(x)
        if done:
            converged = True
            break
    return x, F, n_iter, n_fun, converged
