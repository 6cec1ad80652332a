"""Optimizer chains: hand-written PyTorch formulas vs the kernel, and the numpy steps."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from skdecay import optim
from skdecay._kernels import mlp as K
from skdecay.network import layout_of, loss_and_gradient, unpack


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def _data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    Y = np.sin(X[:, :1]) + 0.1 * rng.standard_normal((n, 1))
    s = np.ones(n)
    layout, n_params = layout_of([4, 6, 1])
    params = rng.uniform(-0.7, 0.7, n_params)
    mask = np.zeros(n_params, bool)
    for wo, _, ni, no in layout:
        mask[wo : wo + ni * no] = True
    return X, Y, s, layout, params, mask


def _grad(X, Y, s, params, layout):
    coefs, intercepts = unpack(params, layout)
    _, gW, gb = loss_and_gradient(X, Y, s, coefs, intercepts, "tanh", K.SQUARED_LOSS)
    g = np.empty_like(params)
    for (wo, bo, ni, no), a, b in zip(layout, gW, gb, strict=True):
        g[wo : wo + ni * no] = a.ravel()
        g[bo : bo + no] = b
    return g


def _run_kernel(solver, decay, lr, lam1, lam2, momentum, nesterov, epochs, batch=8):
    X, Y, s, layout, params, mask = _data()
    chain = optim.make_chain(solver, decay)
    hyper = optim.hyper_parameters(lr, momentum, nesterov, 0.9, 0.999, 1e-8)
    l1, l2 = mask * lam1, mask * lam2
    m, v = np.zeros_like(params), np.zeros_like(params)
    t = 0
    for _ in range(epochs):
        e = np.empty(0, np.int32)
        _, t = K.mlp_epoch(X, np.empty(0), e, e, Y, s, np.arange(len(X)), batch, params,
                           layout, K.TANH, K.SQUARED_LOSS, chain, hyper, l1, l2,
                           *optim.no_groups(), m, v, t)  # fmt: skip
    return params, t


def _soft(w, thr):
    return np.sign(w) * np.maximum(np.abs(w) - thr, 0)


def _hand_written(solver, decay, lr, lam1, lam2, momentum, nesterov, epochs, batch=8):
    """PyTorch's SGD / Adam / AdamW written out, then the L1 prox (no skdecay.optim)."""
    X, Y, s, layout, w, mask = _data()
    b1, b2, eps = 0.9, 0.999, 1e-8
    buf = np.zeros_like(w)
    m, v = np.zeros_like(w), np.zeros_like(w)
    t = 0
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            sl = slice(start, start + batch)
            g = _grad(X[sl], Y[sl], s[sl], w, layout)
            t += 1
            if decay == "coupled":
                g = g + lam2 * mask * w
            else:
                w = w * (1 - lr * lam2 * mask)
            if solver == "sgd":
                buf = momentum * buf + g if t > 1 else g.copy()
                step = g + momentum * buf if nesterov else buf
                w = w - lr * step
                thr = lr * lam1 * mask
            else:
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                mhat = m / (1 - b1**t)
                vhat = v / (1 - b2**t)
                w = w - lr * mhat / (np.sqrt(vhat) + eps)
                thr = lr * lam1 * mask / (np.sqrt(vhat) + eps)
            w = _soft(w, thr)
    return w, t


@pytest.mark.parametrize(
    "solver,decay,momentum,nesterov",
    [
        ("sgd", "coupled", 0.0, False),
        ("sgd", "coupled", 0.9, False),
        ("sgd", "coupled", 0.9, True),
        ("sgd", "decoupled", 0.8, True),
        ("adam", "coupled", 0.0, False),
        ("adam", "decoupled", 0.0, False),
    ],
)
@pytest.mark.parametrize("lam1", [0.0, 0.01])
def test_kernel_steps_match_hand_written_formulas(solver, decay, momentum, nesterov, lam1):
    lr = 0.05 if solver == "sgd" else 0.01
    args = (solver, decay, lr, lam1, 0.1, momentum, nesterov, 2)
    w_k, t_k = _run_kernel(*args)
    w_h, t_h = _hand_written(*args)
    assert t_k == t_h == 6  # 2 epochs of 3 minibatches
    np.testing.assert_allclose(w_k, w_h, rtol=1e-12, atol=1e-14)


def test_plain_sgd_coupled_equals_decoupled():
    w_c, _ = _run_kernel("sgd", "coupled", 0.05, 0.01, 0.3, 0.0, False, 3)
    w_d, _ = _run_kernel("sgd", "decoupled", 0.05, 0.01, 0.3, 0.0, False, 3)
    np.testing.assert_allclose(w_c, w_d, rtol=0, atol=1e-10)
    # ... while with Adam the two are genuinely different optimizers
    a_c, _ = _run_kernel("adam", "coupled", 0.01, 0.0, 0.3, 0.0, False, 3)
    a_d, _ = _run_kernel("adam", "decoupled", 0.01, 0.0, 0.3, 0.0, False, 3)
    assert np.max(np.abs(a_c - a_d)) > 1e-4


def test_make_chain_places_the_l2_step():
    assert optim.make_chain("adam", "coupled").tolist() == [
        optim.ADD_DECAYED_WEIGHTS,
        optim.SCALE_BY_ADAM,
        optim.DESCENT,
        optim.PROX_L1,
        optim.PROX_GROUP,
    ]
    assert optim.make_chain("sgd", "decoupled").tolist() == [
        optim.DECAY_WEIGHTS,
        optim.SCALE_BY_MOMENTUM,
        optim.DESCENT,
        optim.PROX_L1,
        optim.PROX_GROUP,
    ]
    with pytest.raises(ValueError, match="solver"):
        optim.make_chain("lbfgs", "coupled")
    with pytest.raises(ValueError, match="decay"):
        optim.make_chain("sgd", "both")


def test_adam_prox_keeps_zero_exactly_when_mhat_within_lam1():
    """From w = 0 one Adam+prox step stays at 0 iff |mhat| <= lam1 (L1 optimality)."""
    g = np.linspace(-1, 1, 41)
    lam1 = np.full_like(g, 0.5)
    w = np.zeros_like(g)
    m, v = np.zeros_like(g), np.zeros_like(g)
    hyper = optim.hyper_parameters(0.1)
    optim.apply_chain(optim.make_chain("adam", "coupled"), w, g, hyper, lam1, 0 * g, m, v, 1)
    mhat = m / (1 - 0.9)
    np.testing.assert_array_equal(w == 0, np.abs(mhat) <= 0.5 + 1e-12)
    assert np.all(np.sign(w[w != 0]) == -np.sign(g[w != 0]))


def test_numpy_steps_are_the_formulas():
    rng = np.random.default_rng(0)
    w, g = rng.standard_normal(5), rng.standard_normal(5)
    np.testing.assert_allclose(optim.add_decayed_weights(g, w, 0.3), g + 0.3 * w)
    np.testing.assert_allclose(optim.decay_weights(w, 0.1, 0.3), w - 0.03 * w)
    np.testing.assert_allclose(optim.descent(w, 0.1, g), w - 0.1 * g)
    np.testing.assert_allclose(optim.prox_l1(w, 0.5), _soft(w, 0.5))
    buf = np.ones(5)
    d = optim.scale_by_momentum(g, buf, 0.9, True)
    np.testing.assert_allclose(buf, 0.9 + g)
    np.testing.assert_allclose(d, g + 0.9 * (0.9 + g))
    m, v = np.zeros(5), np.zeros(5)
    d, metric = optim.scale_by_adam(g, m, v, 1, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(d, g / (np.abs(g) + 1e-8))  # first Adam step: sign(g)
    np.testing.assert_allclose(metric, 1 / (np.abs(g) + 1e-8))


def test_learning_rate_schedules():
    assert optim.scheduled_learning_rate("invscaling", 0.3, 0.1, 0.5, 99) == pytest.approx(0.01)
    assert optim.scheduled_learning_rate("constant", 0.3, 0.1, 0.5, 99) == 0.3
    assert optim.scheduled_learning_rate("adaptive", 0.3, 0.1, 0.5, 99) == 0.3
    assert optim.plateau_learning_rate("adaptive", 0.1) == (pytest.approx(0.02), False)
    assert optim.plateau_learning_rate("adaptive", 1e-7) == (1e-7, True)
    assert optim.plateau_learning_rate("constant", 0.1) == (0.1, True)
