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
    "make_chain",
    "hyper_parameters",
    "add_decayed_weights",
    "decay_weights",
    "scale_by_momentum",
    "scale_by_adam",
    "descent",
    "prox_l1",
    "apply_chain",
    "scheduled_learning_rate",
    "plateau_learning_rate",
]


def make_chain(solver: str, decay: str) -> np.ndarray:
    """The step codes of an optimizer: ``solver`` in {"sgd", "adam"}, ``decay`` in
    {"coupled", "decoupled"}.

    ``coupled``:   add_decayed_weights -> scale (momentum | adam) -> descent -> prox_l1
    ``decoupled``: decay_weights       -> scale (momentum | adam) -> descent -> prox_l1
    """
    if solver not in ("sgd", "adam"):
        raise ValueError(f"unknown solver {solver!r}")
    if decay not in ("coupled", "decoupled"):
        raise ValueError(f"unknown decay {decay!r}")
    l2 = ADD_DECAYED_WEIGHTS if decay == "coupled" else DECAY_WEIGHTS
    scale = SCALE_BY_ADAM if solver == "adam" else SCALE_BY_MOMENTUM
    return np.array([l2, scale, DESCENT, PROX_L1], dtype=np.int64)


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


def apply_chain(chain, params, grad, hyper, lam1, lam2, m, v, t: int) -> None:
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
