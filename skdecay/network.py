"""The network in plain numpy: flat-parameter layout, forward pass, loss and gradient.

These are the formulas of :mod:`skdecay._kernels.mlp` written with numpy
arrays: the estimators use them to predict, and the tests use them as the
reference of the training kernel.  The parameters of a network with layer sizes
``(n_0, ..., n_L)`` live in one flat vector; ``layout`` row ``l`` holds the
offset of ``W_l`` (C order, shape ``(n_l, n_{l+1})``), the offset of ``b_l`` and
the shape.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit, log_softmax

from ._kernels import mlp as _mlp

__all__ = [
    "ACTIVATIONS",
    "OUT_ACTIVATIONS",
    "layout_of",
    "unpack",
    "pack",
    "forward",
    "loss_and_gradient",
    "row_groups",
    "prune",
]

ACTIVATIONS = {
    "identity": _mlp.IDENTITY,
    "logistic": _mlp.LOGISTIC,
    "tanh": _mlp.TANH,
    "relu": _mlp.RELU,
}
OUT_ACTIVATIONS = {
    _mlp.SQUARED_LOSS: "identity",
    _mlp.LOGISTIC_LOSS: "logistic",
    _mlp.MULTINOMIAL_LOSS: "softmax",
    _mlp.POISSON_LOSS: "exp",
}


# ---------------------------------------------------------------------------
# the network in plain numpy (predictions, and the reference of the kernel)


def layout_of(sizes) -> tuple[np.ndarray, int]:
    """``(layout, n_params)`` of the flat parameter vector for layer ``sizes``."""
    rows, off = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        rows.append([off, off + n_in * n_out, n_in, n_out])
        off += n_in * n_out + n_out
    return np.array(rows, dtype=np.int64), off


def unpack(params, layout):
    """Views ``(coefs, intercepts)`` into the flat vector (no copy)."""
    coefs = [params[wo : wo + ni * no].reshape(ni, no) for wo, _, ni, no in layout]
    intercepts = [params[bo : bo + no] for _, bo, _, no in layout]
    return coefs, intercepts


def pack(coefs, intercepts, dtype) -> np.ndarray:
    parts = []
    for W, b in zip(coefs, intercepts, strict=True):
        parts += [np.ravel(W), np.ravel(b)]
    return np.concatenate(parts).astype(dtype)


def _activate(A, act: str):
    if act == "relu":
        return np.maximum(A, 0, out=A)
    if act == "tanh":
        return np.tanh(A, out=A)
    if act == "logistic":
        return expit(A, out=A)
    return A


def forward(X, coefs, intercepts, activation: str, keep: bool = False):
    """Output-layer linear predictor ``Z`` (and all layer outputs if ``keep``)."""
    A, outs = X, [X]
    for l, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        A = A @ W + b
        if l < len(coefs) - 1:
            A = _activate(A, activation)
        outs.append(A)
    return (A, outs) if keep else A


def _loss_and_delta(code, Y, Z, s):
    """Per-sample losses and ``d loss_i / dZ``."""
    if code == _mlp.SQUARED_LOSS:
        return 0.5 * np.sum((Z - Y) ** 2, axis=1), Z - Y
    if code == _mlp.LOGISTIC_LOSS:
        per = -np.sum(Y * log_expit(Z) + (1 - Y) * log_expit(-Z), axis=1)
        return per, expit(Z) - Y
    if code == _mlp.POISSON_LOSS:  # half deviance, mu = exp(Z)
        mu = np.exp(Z)
        ylogy = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0)), 0.0)
        return np.sum(ylogy - Y - Y * Z + mu, axis=1), mu - Y
    if code != _mlp.MULTINOMIAL_LOSS:
        raise ValueError(f"unknown loss code {code}")
    logp = log_softmax(Z, axis=1)
    return -np.sum(Y * logp, axis=1), np.exp(logp) - Y


def loss_and_gradient(X, Y, s, coefs, intercepts, activation: str, out: int):
    """numpy reference of the kernel's :func:`batch_loss_grad`.

    Returns ``(sum_i s_i * loss_i, grad_coefs, grad_intercepts)`` with the
    gradient of ``sum_i s_i * loss_i / len(X)``.
    """
    Z, outs = forward(X, coefs, intercepts, activation, keep=True)
    per, D = _loss_and_delta(out, Y, Z, s)
    D = D * (s / X.shape[0])[:, None]
    gW, gb = [None] * len(coefs), [None] * len(coefs)
    for l in range(len(coefs) - 1, -1, -1):
        gW[l] = outs[l].T @ D
        gb[l] = D.sum(axis=0)
        if l > 0:
            A = outs[l]
            D = D @ coefs[l].T
            if activation == "relu":
                D = D * (A > 0)
            elif activation == "tanh":
                D = D * (1 - A * A)
            elif activation == "logistic":
                D = D * A * (1 - A)
    return float(np.dot(s, per)), gW, gb


# ---------------------------------------------------------------------------
# group structure and pruning


def row_groups(layout, group_alpha, dtype) -> tuple[np.ndarray, np.ndarray]:
    """``(groups, glam)`` of the group penalty on the rows of the weight matrices.

    Row ``j`` of ``W_l`` holds the outgoing weights of unit ``j`` of layer ``l``
    (an input feature for ``l = 0``): a contiguous block of ``n_out`` entries
    of the flat vector, penalised by ``group_alpha[l] * sqrt(n_out) * ||row||``.
    Matrices with ``group_alpha[l] = 0`` have no groups.
    """
    groups, glam = [], []
    for (wo, _, ni, no), a in zip(layout, group_alpha, strict=True):
        if a > 0:
            groups += [(wo + j * no, no) for j in range(ni)]
            glam += [a * np.sqrt(no)] * ni
    return np.array(groups, np.int64).reshape(-1, 2), np.array(glam, dtype)


def group_penalty_value(coefs, group_alpha) -> float:
    """``sum_l group_alpha_l * sqrt(n_out_l) * sum_j ||W_l[j, :]||``."""
    return float(
        sum(
            a * np.sqrt(W.shape[1]) * np.sum(np.linalg.norm(W, axis=1))
            for W, a in zip(coefs, group_alpha, strict=True)
            if a > 0
        )
    )


def _activate_value(b, act: str):
    return _activate(np.array(b, dtype=np.float64), act)


def prune(coefs, intercepts, activation: str):
    """Remove the inputs and hidden units that cannot change the output.

    A unit (or input) whose outgoing weights are all exactly zero is dead;
    a hidden unit whose incoming weights are all zero outputs the constant
    ``f(b_j)``, which is folded into the next layer's bias and the unit
    removed.  Repeats until nothing changes (removing a unit can kill the
    units feeding only it).  Returns ``(coefs, intercepts, kept)`` with
    ``kept[l]`` the indices of the kept units of layer ``l`` (``kept[0]``: the
    kept input features).  The output layer is never pruned, and every layer
    keeps at least one unit.
    """
    coefs = [np.array(W) for W in coefs]
    intercepts = [np.array(b) for b in intercepts]
    kept = [np.arange(W.shape[0]) for W in coefs] + [np.arange(coefs[-1].shape[1])]
    changed = True
    while changed:
        changed = False
        for l in range(len(coefs)):
            W = coefs[l]
            keep = np.flatnonzero(np.any(W != 0, axis=1))
            if l > 0:
                # constant units (no incoming weight): fold f(b) into the next bias
                const = np.flatnonzero(np.all(coefs[l - 1] == 0, axis=0))
                if const.size:
                    fb = _activate_value(intercepts[l - 1][const], activation)
                    intercepts[l] = intercepts[l] + (fb @ W[const]).astype(W.dtype)
                    keep = np.setdiff1d(keep, const)
            if keep.size == 0:
                keep = np.array([0])
                if l > 0 and np.all(coefs[l - 1][:, 0] == 0):
                    W[0] = 0  # its constant output was folded above
            if keep.size == W.shape[0]:
                continue
            changed = True
            coefs[l] = W[keep]
            kept[l] = kept[l][keep]
            if l > 0:
                coefs[l - 1] = coefs[l - 1][:, keep]
                intercepts[l - 1] = intercepts[l - 1][keep]
    return coefs, intercepts, kept
