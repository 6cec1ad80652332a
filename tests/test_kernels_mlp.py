"""The MLP kernels against their numpy references and finite differences."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from skdecay import optim
from skdecay._kernels import mlp as K
from skdecay.network import ACTIVATIONS, layout_of, loss_and_gradient, unpack
from skdecay.penalties import penalty_value

LOSSES = {
    "squared": K.SQUARED_LOSS,
    "logistic": K.LOGISTIC_LOSS,
    "multinomial": K.MULTINOMIAL_LOSS,
    "poisson": K.POISSON_LOSS,
}
NO_GROUPS = optim.no_groups()
CHAINS = [(solver, decay) for solver in ("sgd", "adam") for decay in ("coupled", "decoupled")]


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # the test machine is shared: multithreaded BLAS on tiny products only oversubscribes
    with threadpool_limits(1):
        yield


def _problem(loss, n=20, p=3, hidden=(5, 5), n_out=3, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    if loss == "squared":
        Y = rng.standard_normal((n, n_out))
    elif loss == "poisson":
        Y = rng.poisson(1.5, (n, n_out)).astype(float)
    elif loss == "logistic":
        Y = (rng.random((n, n_out)) < 0.5).astype(float)
    else:
        Y = np.eye(n_out)[rng.integers(0, n_out, n)]
    s = rng.uniform(0.2, 3.0, n)
    s *= n / s.sum()
    sizes = [p, *hidden, n_out]
    layout, n_params = layout_of(sizes)
    params = rng.uniform(-0.8, 0.8, n_params)
    return (X.astype(dtype), Y.astype(dtype), s.astype(dtype), params.astype(dtype), layout)


def _kernel_loss_grad(X, Y, s, params, layout, act, out):
    units = int(layout[:, 3].sum())
    grad = np.empty_like(params)
    acts = np.empty(X.shape[0] * units, X.dtype)
    deltas = np.empty_like(acts)
    e = np.empty(0, np.int32)
    loss = K.batch_loss_grad(
        xb=X, xdata=np.empty(0, X.dtype), xind=e, xptr=e, rows=np.arange(len(X)), yb=Y, sb=s,
        params=params, layout=layout, act=act, out=out, grad=grad, acts=acts, deltas=deltas,
    )  # fmt: skip
    return loss, grad


def _epoch(X, Y, s, perm, batch, params, layout, act, out, chain, hyper, l1, l2, m, v, t,
           groups=None, glam=None):  # fmt: skip
    """``K.mlp_epoch`` on dense ``X`` (keyword call)."""
    e = np.empty(0, np.int32)
    if groups is None:
        groups, glam = optim.no_groups(X.dtype)
    return K.mlp_epoch(
        X=X, xdata=np.empty(0, X.dtype), xind=e, xptr=e, Y=Y, s=s, perm=perm,
        batch_size=batch, params=params, layout=layout, act=act, out=out, chain=chain,
        hyper=hyper, lam1=l1, lam2=l2, groups=groups, glam=glam, m=m, v=v, t=t,
    )  # fmt: skip


def _weight_mask(layout, n_params):
    mask = np.zeros(n_params, bool)
    for wo, _, ni, no in layout:
        mask[wo : wo + ni * no] = True
    return mask


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("loss", list(LOSSES))
def test_gradient_of_full_objective_matches_finite_differences(activation, loss):
    X, Y, s, params, layout = _problem(loss)
    n = X.shape[0]
    act, out = ACTIVATIONS[activation], LOSSES[loss]
    alpha, l1_ratio = 0.03, 0.4
    mask = _weight_mask(layout, params.size)

    def objective(w):
        coefs, intercepts = unpack(w, layout)
        data, _, _ = loss_and_gradient(X, Y, s, coefs, intercepts, activation, out)
        return data / n + sum(penalty_value(W, alpha, l1_ratio, 1.0) for W in coefs)

    def penalty_grad(w):
        return mask * (alpha * l1_ratio * np.sign(w) + alpha * (1 - l1_ratio) * w)

    # numpy reference
    coefs, intercepts = unpack(params, layout)
    _, gW, gb = loss_and_gradient(X, Y, s, coefs, intercepts, activation, out)
    g_ref = np.empty_like(params)
    for (wo, bo, ni, no), a, b in zip(layout, gW, gb, strict=True):
        g_ref[wo : wo + ni * no] = a.ravel()
        g_ref[bo : bo + no] = b
    g_ref += penalty_grad(params)
    # kernel
    loss_k, g_k = _kernel_loss_grad(X, Y, s, params, layout, act, out)
    g_k += penalty_grad(params)
    assert loss_k / n + sum(penalty_value(W, alpha, l1_ratio, 1.0) for W in coefs) == pytest.approx(
        objective(params), rel=1e-12
    )

    h = 1e-6
    fd = np.empty_like(params)
    for i in range(params.size):
        e = np.zeros_like(params)
        e[i] = h
        fd[i] = (objective(params + e) - objective(params - e)) / (2 * h)
    scale = np.max(np.abs(fd))
    np.testing.assert_allclose(g_ref, fd, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(g_k, fd, rtol=1e-6, atol=1e-6 * scale)
    np.testing.assert_allclose(g_k, g_ref, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("solver,decay", CHAINS)
def test_chain_update_matches_numpy_reference(solver, decay):
    rng = np.random.default_rng(1)
    n = 200
    chain = optim.make_chain(solver, decay)
    hyper = optim.hyper_parameters(0.05, 0.9, True, 0.8, 0.95, 1e-6)
    lam1 = rng.uniform(0, 0.3, n) * (rng.random(n) < 0.8)
    lam2 = rng.uniform(0, 0.5, n)
    p_k, m_k, v_k = rng.standard_normal(n) * 0.1, np.zeros(n), np.zeros(n)
    p_r, m_r, v_r = p_k.copy(), m_k.copy(), v_k.copy()
    for t in range(1, 8):
        g = rng.standard_normal(n)
        K.chain_update(
            p_k, g.copy(), chain, hyper, lam1, lam2, *NO_GROUPS, m_k, v_k, t, 0 * g, 0 * g
        )
        optim.apply_chain(chain, p_r, g, hyper, lam1, lam2, m_r, v_r, t)
        np.testing.assert_allclose(p_k, p_r, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(m_k, m_r, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(v_k, v_r, rtol=1e-13, atol=1e-15)
    assert np.any(p_k == 0)  # the prox produced exact zeros


def _reference_epoch(
    X, Y, s, perm, batch, params, layout, activation, out, chain, hyper, l1, l2, m, v, t
):  # noqa: E501
    """One epoch written with the numpy pieces: loss_and_gradient + optim.apply_chain."""
    loss = 0.0
    n_mat = len(layout)
    for start in range(0, X.shape[0], batch):
        idx = perm[start : start + batch]
        coefs, intercepts = unpack(params, layout)
        ls, gW, gb = loss_and_gradient(X[idx], Y[idx], s[idx], coefs, intercepts, activation, out)
        loss += ls
        g = np.empty_like(params)
        for l in range(n_mat):
            wo, bo, ni, no = layout[l]
            g[wo : wo + ni * no] = gW[l].ravel()
            g[bo : bo + no] = gb[l]
        t += 1
        optim.apply_chain(chain, params, g, hyper, l1, l2, m, v, t)
    return loss, t


@pytest.mark.parametrize("solver,decay", CHAINS)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_epoch_matches_numpy_reference(solver, decay, loss):
    X, Y, s, params, layout = _problem(loss, n=37, seed=3)
    out = LOSSES[loss]
    mask = _weight_mask(layout, params.size)
    lam1 = np.where(mask, 0.02, 0.0)
    lam2 = np.where(mask, 0.05, 0.0)
    chain = optim.make_chain(solver, decay)
    hyper = optim.hyper_parameters(0.05, 0.9, solver == "sgd", 0.9, 0.999, 1e-8)
    perm = np.random.default_rng(0).permutation(X.shape[0])
    n_p = params.size
    pk, mk, vk = params.copy(), np.zeros(n_p), np.zeros(n_p)
    pr, mr, vr = params.copy(), np.zeros(n_p), np.zeros(n_p)
    tk = tr = 0
    for _ in range(3):
        lk, tk = _epoch(X, Y, s, perm, 10, pk, layout, K.TANH, out, chain, hyper,
                        lam1, lam2, mk, vk, tk)  # fmt: skip
        lr, tr = _reference_epoch(X, Y, s, perm, 10, pr, layout, "tanh", out, chain, hyper,
                                  lam1, lam2, mr, vr, tr)  # fmt: skip
        assert tk == tr == 4 * (_ + 1)
        assert lk == pytest.approx(lr, rel=1e-11)
        np.testing.assert_allclose(pk, pr, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(mk, mr, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(vk, vr, rtol=1e-10, atol=1e-14)
    assert np.all(pk[~mask] != 0)  # biases are never thresholded


def test_float32_stays_float32_and_agrees_with_float64():
    X, Y, s, params, layout = _problem("multinomial", n=40)
    chain = optim.make_chain("adam", "decoupled")
    out = {}
    for dt in (np.float64, np.float32):
        p = params.astype(dt)
        m, v = np.zeros_like(p), np.zeros_like(p)
        lam = np.full(p.size, 1e-3, dt)
        hyper = optim.hyper_parameters(1e-2, dtype=dt)
        args = (X.astype(dt), Y.astype(dt), s.astype(dt), np.arange(40), 8, p, layout)
        loss, t = _epoch(*args, K.RELU, K.MULTINOMIAL_LOSS, chain, hyper, lam, lam, m, v, 0)
        assert p.dtype == m.dtype == v.dtype == dt
        out[dt] = (loss, p)
    assert out[np.float32][0] == pytest.approx(out[np.float64][0], rel=1e-5)
    np.testing.assert_allclose(out[np.float32][1], out[np.float64][1], rtol=1e-4, atol=1e-5)


def test_stable_outputs_for_huge_logits():
    X, Y, s, params, layout = _problem("logistic", n=10)
    params = params * 1e3
    for out in (K.LOGISTIC_LOSS, K.MULTINOMIAL_LOSS):
        loss, g = _kernel_loss_grad(X, Y, s, params, layout, K.IDENTITY, out)
        assert np.isfinite(loss) and np.all(np.isfinite(g))
