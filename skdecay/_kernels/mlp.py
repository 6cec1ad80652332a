"""Multilayer perceptron: loss and gradient of a minibatch, one training epoch.

The network's parameters live in ONE flat vector ``params``; ``layout`` (int64,
shape ``(n_layers - 1, 4)``) gives for each weight matrix ``W_l`` its offset,
the offset of its bias ``b_l`` and its shape ``(n_in, n_out)``.  ``W_l`` is the
C-ordered block ``params[w_off : w_off + n_in*n_out]``, viewed as a matrix
without copying, so every product goes to BLAS through ``np.dot``.

One call of :func:`mlp_epoch` is one pass over the data in the minibatch order
given by ``perm``: forward, backward and the chained optimizer update of
:mod:`skdecay.optim` (selected by integer step codes) for every minibatch;
:func:`full_loss_grad` is the loss and gradient over all the data (L-BFGS).
Everything is computed in the dtype of ``X`` (float32 stays float32).

The input is dense or CSR, through one set of arguments: ``X`` (2-D; dense
rows are copied one minibatch at a time) and ``xdata, xind, xptr`` (a CSR
matrix's arrays; empty for dense input, and then ``X`` is read).  With CSR
input the first layer's products run over the stored entries of the
minibatch's rows, in place: nothing of ``X`` is copied or densified.
"""

import numpy as np

from . import kernel

# the codes of ``codes``: hidden activations, output losses, optimizer chain steps
from .codes import (  # re-exported: ``skdecay.optim``, the networks
    ADD_DECAYED_WEIGHTS,
    DECAY_WEIGHTS,
    DESCENT,
    IDENTITY,
    PROX_GROUP,
    PROX_L1,
    RELU,
    SCALE_BY_ADAM,
    SCALE_BY_MOMENTUM,
    TANH,
)
from .codes import LOGISTIC as LOGISTIC_LOSS
from .codes import MULTINOMIAL as MULTINOMIAL_LOSS
from .codes import POISSON as POISSON_LOSS
from .codes import SIGMOID as LOGISTIC  # the activation
from .codes import SQUARED as SQUARED_LOSS

KERNEL_STAMP = "0.1.0"


@kernel(error_model="numpy")
def _sigmoid(z):
    if z >= 0:
        return 1 / (1 + np.exp(-z))
    e = np.exp(z)
    return e / (1 + e)


@kernel(error_model="numpy")
def _activate(a, code):
    """Apply the activation in place to the flat block ``a``."""
    if code == RELU:
        for i in range(a.size):
            if a[i] < 0:
                a[i] = 0
    elif code == TANH:
        for i in range(a.size):
            a[i] = np.tanh(a[i])
    elif code == LOGISTIC:
        for i in range(a.size):
            a[i] = _sigmoid(a[i])
    elif code != IDENTITY:
        raise ValueError("unknown activation code " + str(code))


@kernel(error_model="numpy")
def _backprop_activation(d, a, code):
    """``d *= f'(z)``, with the derivative written through the output ``a = f(z)``."""
    if code == RELU:
        for i in range(d.size):
            if a[i] <= 0:
                d[i] = 0
    elif code == TANH:
        for i in range(d.size):
            d[i] *= 1 - a[i] * a[i]
    elif code == LOGISTIC:
        for i in range(d.size):
            d[i] *= a[i] * (1 - a[i])
    elif code != IDENTITY:
        raise ValueError("unknown activation code " + str(code))


@kernel(error_model="numpy")
def batch_loss_grad(
    xb, xdata, xind, xptr, rows, yb, sb, params, layout, act, out, grad, acts, deltas
):
    """Weighted data loss of a minibatch and its gradient, written into ``grad``.

    The minibatch input is the dense ``xb`` (shape ``(batch_len, n_features)``)
    or, when ``xptr`` is non-empty, the CSR rows ``rows`` of ``(xdata, xind,
    xptr)`` (``xb`` is then not read).  Returns ``sum_i s_i * loss_i``
    (float64); ``grad`` receives ``sum_i s_i * grad_i / batch_len`` for every
    parameter (biases included).  ``acts`` and ``deltas`` are work buffers of at
    least ``batch_len * (total number of units)`` entries.
    """
    bl = yb.shape[0]
    sparse = xptr.shape[0] > 0
    n_mat = layout.shape[0]
    starts = np.empty(n_mat + 1, np.int64)
    starts[0] = 0
    for l in range(n_mat):
        starts[l + 1] = starts[l] + bl * layout[l, 3]

    # forward
    for l in range(n_mat):
        wo, bo, ni, no = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
        W = params[wo : wo + ni * no].reshape((ni, no))
        af = acts[starts[l] : starts[l + 1]]
        A = af.reshape((bl, no))
        if l == 0 and sparse:
            af[:] = 0
            for i in range(bl):
                r = rows[i]
                row = A[i]
                for k in range(xptr[r], xptr[r + 1]):
                    xv = xdata[k]
                    wrow = W[xind[k]]
                    for j in range(no):
                        row[j] += xv * wrow[j]
        elif l == 0:
            np.dot(xb, W, A)
        else:
            prev = acts[starts[l - 1] : starts[l]].reshape((bl, ni))
            np.dot(prev, W, A)
        bias = params[bo : bo + no]
        for i in range(bl):
            row = A[i]
            for j in range(no):
                row[j] += bias[j]
        if l < n_mat - 1:
            _activate(af, act)

    # output layer: loss and delta = s_i * dloss_i/dz / bl
    K = layout[n_mat - 1, 3]
    Z = acts[starts[n_mat - 1] : starts[n_mat]].reshape((bl, K))
    D = deltas[starts[n_mat - 1] : starts[n_mat]].reshape((bl, K))
    loss = 0.0
    for i in range(bl):
        si = sb[i]
        li = 0.0
        if out == SQUARED_LOSS:
            for k in range(K):
                r = Z[i, k] - yb[i, k]
                li += 0.5 * r * r
                D[i, k] = si * r / bl
        elif out == LOGISTIC_LOSS:
            for k in range(K):
                z = Z[i, k]
                y = yb[i, k]
                li += max(z, 0) - y * z + np.log1p(np.exp(-abs(z)))
                D[i, k] = si * (_sigmoid(z) - y) / bl
        elif out == POISSON_LOSS:
            # half Poisson deviance y*log(y/mu) - y + mu with mu = exp(z)
            for k in range(K):
                z = Z[i, k]
                y = yb[i, k]
                mu = np.exp(z)
                li += mu - y * z
                if y > 0:
                    li += y * np.log(y) - y
                D[i, k] = si * (mu - y) / bl
        elif out == MULTINOMIAL_LOSS:
            m = Z[i, 0]
            for k in range(1, K):
                m = max(m, Z[i, k])
            tot = 0.0
            for k in range(K):
                tot += np.exp(Z[i, k] - m)
            lse = m + np.log(tot)
            for k in range(K):
                li += yb[i, k] * (lse - Z[i, k])
                D[i, k] = si * (np.exp(Z[i, k] - lse) - yb[i, k]) / bl
        else:
            raise ValueError("unknown loss code " + str(out))
        loss += si * li

    # backward
    for l in range(n_mat - 1, -1, -1):
        wo, bo, ni, no = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
        D = deltas[starts[l] : starts[l + 1]].reshape((bl, no))
        gW = grad[wo : wo + ni * no].reshape((ni, no))
        if l == 0 and sparse:
            grad[wo : wo + ni * no] = 0
            for i in range(bl):
                r = rows[i]
                drow = D[i]
                for k in range(xptr[r], xptr[r + 1]):
                    xv = xdata[k]
                    grow = gW[xind[k]]
                    for j in range(no):
                        grow[j] += xv * drow[j]
        elif l == 0:
            np.dot(xb.T, D, gW)
        else:
            prev = acts[starts[l - 1] : starts[l]].reshape((bl, ni))
            np.dot(prev.T, D, gW)
        gb = grad[bo : bo + no]
        gb[:] = 0
        for i in range(bl):
            row = D[i]
            for j in range(no):
                gb[j] += row[j]
        if l > 0:
            W = params[wo : wo + ni * no].reshape((ni, no))
            dpf = deltas[starts[l - 1] : starts[l]]
            np.dot(D, W.T, dpf.reshape((bl, ni)))
            _backprop_activation(dpf, acts[starts[l - 1] : starts[l]], act)
    return loss


@kernel(error_model="numpy")
def chain_update(params, grad, chain, hyper, lam1, lam2, groups, glam, m, v, t, direction, metric):
    """One optimizer step over every parameter, following the step codes in ``chain``.

    ``hyper = [lr, momentum, nesterov, beta_1, beta_2, epsilon]`` (params' dtype),
    ``lam1`` / ``lam2`` the per-parameter L1 / L2 strengths (0 for biases),
    ``groups`` (int64, shape ``(n_groups, 2)``) the offset and length of each
    contiguous group of parameters and ``glam`` its group-L1 threshold
    (``alpha_group * sqrt(length)``),
    ``m`` / ``v`` the optimizer state, ``t`` the step number (from 1);
    ``direction`` and ``metric`` are work arrays of the size of ``params``.
    ``grad`` is overwritten.  The formulas are those of
    :func:`skdecay.optim.apply_chain`; each step is one simple loop over the
    parameters (vectorised by LLVM).
    """
    sc = np.empty(6, params.dtype)
    sc[0] = 1 / (1 - hyper[3] ** t)  # inverse bias corrections
    sc[1] = 1 / (1 - hyper[4] ** t)
    sc[2] = 1 - hyper[3]
    sc[3] = 1 - hyper[4]
    sc[4] = 1
    sc[5] = 0
    lr, mom, b1, b2, eps = hyper[0], hyper[1], hyper[3], hyper[4], hyper[5]
    ibc1, ibc2, omb1, omb2, one, zero = sc[0], sc[1], sc[2], sc[3], sc[4], sc[5]
    n = params.shape[0]
    scaled = False  # direction holds the step (else the gradient is the step)
    has_metric = False
    for c in range(chain.shape[0]):
        code = chain[c]
        if code == ADD_DECAYED_WEIGHTS:
            for i in range(n):
                grad[i] += lam2[i] * params[i]
        elif code == DECAY_WEIGHTS:
            for i in range(n):
                params[i] *= one - lr * lam2[i]
        elif code == SCALE_BY_MOMENTUM:
            scaled = True
            if hyper[2] != 0:
                for i in range(n):
                    buf = mom * m[i] + grad[i]
                    m[i] = buf
                    direction[i] = grad[i] + mom * buf
            else:
                for i in range(n):
                    buf = mom * m[i] + grad[i]
                    m[i] = buf
                    direction[i] = buf
        elif code == SCALE_BY_ADAM:
            scaled = True
            has_metric = True
            for i in range(n):
                g = grad[i]
                mi = b1 * m[i] + omb1 * g
                vi = b2 * v[i] + omb2 * g * g
                m[i] = mi
                v[i] = vi
                inv = one / (np.sqrt(vi * ibc2) + eps)
                direction[i] = mi * ibc1 * inv
                metric[i] = inv
        elif code == DESCENT:
            if scaled:
                for i in range(n):
                    params[i] -= lr * direction[i]
            else:
                for i in range(n):
                    params[i] -= lr * grad[i]
        elif code == PROX_L1:
            for i in range(n):
                thr = lr * lam1[i]
                if has_metric:
                    thr *= metric[i]
                w = params[i]
                if w > thr:
                    params[i] = w - thr
                elif w < -thr:
                    params[i] = w + thr
                else:
                    params[i] = zero
        elif code == PROX_GROUP:
            # group soft-threshold; with Adam in the group's mean metric (a scalar)
            for g in range(groups.shape[0]):
                g0, gl = groups[g, 0], groups[g, 1]
                thr = lr * glam[g]
                if has_metric:
                    msum = zero
                    for i in range(g0, g0 + gl):
                        msum += metric[i]
                    thr *= msum / gl
                nrm = zero
                for i in range(g0, g0 + gl):
                    nrm += params[i] * params[i]
                nrm = np.sqrt(nrm)
                shrink = one - thr / nrm if nrm > thr else zero
                for i in range(g0, g0 + gl):
                    params[i] *= shrink
        else:
            raise ValueError("unknown optimizer step code " + str(code))


@kernel(error_model="numpy")
def mlp_epoch(
    X, xdata, xind, xptr, Y, s, perm, batch_size, params, layout, act, out,
    chain, hyper, lam1, lam2, groups, glam, m, v, t,
):  # fmt: skip
    """One training epoch over the minibatches ``perm[k*batch_size:(k+1)*batch_size]``.

    The input is the dense ``X`` or the CSR ``(xdata, xind, xptr)`` (see the
    module docstring).  Updates ``params``, ``m`` and ``v`` in place.  Returns
    ``(loss_sum, t)``: the sum over samples of ``s_i * loss_i`` (each
    evaluated at the parameters of its minibatch, as scikit-learn reports) and
    the new step count.
    """
    n = perm.shape[0]
    p = X.shape[1]
    K = Y.shape[1]
    sparse = xptr.shape[0] > 0
    n_mat = layout.shape[0]
    units = 0
    for l in range(n_mat):
        units += layout[l, 3]
    xb = np.empty((0 if sparse else batch_size, p), X.dtype)
    yb = np.empty((batch_size, K), X.dtype)
    sb = np.empty(batch_size, X.dtype)
    acts = np.empty(batch_size * units, X.dtype)
    deltas = np.empty(batch_size * units, X.dtype)
    grad = np.empty_like(params)
    direction = np.empty_like(params)
    metric = np.empty_like(params)
    loss = 0.0
    for start in range(0, n, batch_size):
        bl = min(batch_size, n - start)
        rows = perm[start : start + bl]
        _gather(X, Y, s, rows, sparse, xb, yb, sb)
        loss += batch_loss_grad(
            xb[:bl], xdata, xind, xptr, rows, yb[:bl], sb[:bl],
            params, layout, act, out, grad, acts, deltas,
        )  # fmt: skip
        t += 1
        chain_update(
            params, grad, chain, hyper, lam1, lam2, groups, glam, m, v, t, direction, metric
        )
    return loss, t


@kernel(error_model="numpy")
def _gather(X, Y, s, rows, sparse, xb, yb, sb):
    """Copy the minibatch's targets, weights and (dense input) rows of ``X``."""
    p = X.shape[1]
    K = Y.shape[1]
    for i in range(rows.shape[0]):
        r = rows[i]
        if not sparse:
            for j in range(p):
                xb[i, j] = X[r, j]
        for k in range(K):
            yb[i, k] = Y[r, k]
        sb[i] = s[r]


@kernel(error_model="numpy")
def full_loss_grad(X, xdata, xind, xptr, Y, s, rows, chunk, params, layout, act, out, grad):
    """Loss and gradient over the samples ``rows``, computed ``chunk`` rows at a time.

    Returns ``sum_i s_i * loss_i``; ``grad`` receives the gradient of
    ``sum_i s_i * loss_i / len(rows)`` (the full-batch gradient of L-BFGS).
    Memory: one chunk of activations (and, for dense input, of ``X``).
    """
    n = rows.shape[0]
    p = X.shape[1]
    K = Y.shape[1]
    sparse = xptr.shape[0] > 0
    units = 0
    for l in range(layout.shape[0]):
        units += layout[l, 3]
    xb = np.empty((0 if sparse else chunk, p), X.dtype)
    yb = np.empty((chunk, K), X.dtype)
    sb = np.empty(chunk, X.dtype)
    acts = np.empty(chunk * units, X.dtype)
    deltas = np.empty(chunk * units, X.dtype)
    part = np.empty_like(params)
    grad[:] = 0
    loss = 0.0
    for start in range(0, n, chunk):
        bl = min(chunk, n - start)
        sub = rows[start : start + bl]
        _gather(X, Y, s, sub, sparse, xb, yb, sb)
        loss += batch_loss_grad(
            xb[:bl], xdata, xind, xptr, sub, yb[:bl], sb[:bl],
            params, layout, act, out, part, acts, deltas,
        )  # fmt: skip
        w = part.dtype.type(bl / n)
        for i in range(params.shape[0]):
            grad[i] += w * part[i]
    return loss
