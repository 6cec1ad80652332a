"""Group penalties on the rows of the weight matrices, and shrinking the network.

The group step against its numpy reference and the prox formula; input
selection on two moons with noise inputs; unit pruning on digits; the
smaller estimator of :meth:`shrink` against the original's predictions.
"""

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdecay import ElasticNetMLPClassifier, ElasticNetMLPRegressor, optim
from skdecay._kernels import mlp as K
from skdecay.network import layout_of, prune, row_groups

QUIET = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


def test_prox_group_is_the_group_soft_threshold():
    w = np.array([3.0, 4.0, 0.1, -0.1, 1.0])
    groups = np.array([[0, 2], [2, 2]])
    out = optim.prox_group(w, groups, np.array([1.0, 1.0]))
    np.testing.assert_allclose(out[:2], np.array([3.0, 4.0]) * (1 - 1 / 5))  # ||(3, 4)|| = 5
    np.testing.assert_array_equal(out[2:4], 0)  # norm 0.14 <= 1: exactly zero
    assert out[4] == 1.0  # not in a group


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_group_step_of_the_kernel_matches_numpy(solver):
    rng = np.random.default_rng(0)
    layout, n = layout_of([6, 5, 3])
    groups, glam = row_groups(layout, np.array([4.0, 2.0]), np.float64)
    assert groups.shape == (6 + 5, 2) and np.all(groups[:6, 1] == 5) and np.all(groups[6:, 1] == 3)
    np.testing.assert_allclose(glam[:6], 4.0 * np.sqrt(5))
    chain = optim.make_chain(solver, "decoupled")
    hyper = optim.hyper_parameters(0.05, 0.9, True, 0.9, 0.99, 1e-8)
    lam1, lam2 = np.full(n, 0.01), np.full(n, 0.02)
    pk, mk, vk = rng.standard_normal(n) * 0.3, np.zeros(n), np.zeros(n)
    pr, mr, vr = pk.copy(), mk.copy(), vk.copy()
    for t in range(1, 12):
        g = rng.standard_normal(n) * 0.5
        K.chain_update(pk, g.copy(), chain, hyper, lam1, lam2, groups, glam, mk, vk, t,
                       0 * g, 0 * g)  # fmt: skip
        optim.apply_chain(chain, pr, g, hyper, lam1, lam2, mr, vr, t, groups, glam)
        np.testing.assert_allclose(pk, pr, rtol=1e-12, atol=1e-14)
    zero_rows = [np.all(pk[g0 : g0 + gl] == 0) for g0, gl in groups]
    assert any(zero_rows)  # whole rows exactly zero


def _shrink_matches(est, X):
    small = est.shrink()
    assert small.n_parameters_ < est.n_parameters_
    if hasattr(est, "predict_proba"):
        np.testing.assert_allclose(small.predict_proba(X), est.predict_proba(X), atol=1e-12)
        np.testing.assert_array_equal(small.predict(X), est.predict(X))
    else:
        np.testing.assert_allclose(small.predict(X), est.predict(X), rtol=0, atol=1e-12)
    return small


def test_shrink_removes_dead_and_constant_units_exactly():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6))
    y = X[:, 0] - X[:, 1] ** 2
    for activation in ("relu", "tanh", "logistic", "identity"):
        m = ElasticNetMLPRegressor(
            (7, 5), activation=activation, alpha=0.0, max_iter=3, random_state=0
        )  # fmt: skip
        with pytest.warns(Warning):
            m.fit(X, y)
        m.coefs_[0][[1, 4]] = 0  # inputs 1 and 4 unused
        m.coefs_[1][2] = 0  # hidden unit 2 of layer 1: no outgoing weight
        m.coefs_[0][:, 5] = 0  # hidden unit 5 of layer 1: constant f(b)
        m.coefs_[1][:, 3] = 0  # hidden unit 3 of layer 2: constant f(b)
        small = _shrink_matches(m, X)
        assert small.coefs_[0].shape == (4, 5) and small.hidden_layer_sizes == (5, 4)
        np.testing.assert_array_equal(small.input_features_, [0, 2, 3, 5])
        np.testing.assert_array_equal(small.inactive_features_, [1, 4])
        assert small.n_features_in_ == 6
        assert small._m.shape == small._v.shape == (small.n_parameters_,)
        assert small._m[0] == m._m[0]  # W_0[0, 0] is kept: its Adam moments too
    # nothing to remove: same network
    coefs, intercepts, kept = prune(m.shrink().coefs_, m.shrink().intercepts_, "tanh")
    assert [W.shape for W in coefs] == [W.shape for W in m.shrink().coefs_]


@QUIET
def test_two_moons_input_groups_select_the_real_inputs():
    X, y = make_moons(1000, noise=0.25, random_state=0)
    rng = np.random.default_rng(0)
    X = StandardScaler().fit_transform(np.hstack([X, rng.standard_normal((1000, 20))]))
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    kw = dict(
        hidden_layer_sizes=(32, 32), batch_size=700, learning_rate_init=1e-2, max_iter=300,
        n_iter_no_change=20, random_state=0,
    )  # fmt: skip
    plain = ElasticNetMLPClassifier(alpha=0.0, **kw).fit(Xtr, ytr)
    # group L1 on each input's outgoing weights; L2 on the other layers keeps the
    # network from dodging the penalty by rescaling (W1 -> c*W1, W2 -> W2/c)
    grouped = ElasticNetMLPClassifier(
        alpha=[0, 1e-3, 1e-3], l1_ratio=0, group_alpha=[4e-3, 0, 0], **kw
    ).fit(Xtr, ytr)
    dropped = set(grouped.inactive_features_.tolist())
    assert 0 not in dropped and 1 not in dropped
    assert len(dropped) >= 18
    assert grouped.score(Xte, yte) >= plain.score(Xte, yte) - 0.01
    small = _shrink_matches(grouped, Xte)
    assert small.coefs_[0].shape[0] == 22 - len(dropped)
    # fine-tuning the smaller network reads the same X (its kept columns)
    small.set_params(warm_start=True, group_alpha=0.0, max_iter=5).fit(Xtr, ytr)
    assert small.score(Xte, yte) > 0.85


@pytest.mark.slow
@QUIET
def test_digits_unit_groups_prune_half_of_the_hidden_units():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    kw = dict(hidden_layer_sizes=(128, 128), max_iter=100, learning_rate_init=1e-3,
              alpha=1e-4, l1_ratio=0, random_state=0)  # fmt: skip
    plain = ElasticNetMLPClassifier(**kw).fit(Xtr, ytr)
    # group L1 on each hidden unit's outgoing weights (rows of W_1 and W_2)
    pruned = ElasticNetMLPClassifier(group_alpha=[0, 2e-4, 3e-3], **kw).fit(Xtr, ytr)
    small = _shrink_matches(pruned, Xte)
    kept = sum(small.hidden_layer_sizes)
    assert kept <= 128  # >= 50% of the 256 hidden units removed
    assert pruned.score(Xte, yte) >= plain.score(Xte, yte) - 0.01
    assert small.n_parameters_ < 0.5 * pruned.n_parameters_


def test_group_penalty_with_lbfgs_is_refused():
    X, y = make_moons(50, random_state=0)
    with pytest.raises(ValueError, match="group_alpha"):
        ElasticNetMLPClassifier(solver="lbfgs", group_alpha=0.1).fit(X, y)
    with pytest.raises(ValueError, match="group_alpha has shape"):
        ElasticNetMLPClassifier((4,), group_alpha=[0.1, 0.1, 0.1]).fit(X, y)
