"""Shared data sets for the correctness tests.

Every fixture returns fresh arrays (built once, copied per test), so a test
that mutates its data cannot leak into another one.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_regression
from sklearn.preprocessing import StandardScaler


def _standardized(X):
    return np.asfortranarray(StandardScaler().fit_transform(X))


@functools.cache
def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return _standardized(X), y


@functools.cache
def _wide():
    X, y = make_regression(
        n_samples=60, n_features=200, n_informative=10, noise=1.0, random_state=0
    )
    return np.asfortranarray(X), y


@functools.cache
def _sparse():
    rng = np.random.default_rng(42)
    X = sp.random(
        200, 100, density=0.05, format="csc", random_state=rng, data_rvs=rng.standard_normal
    )
    X = sp.csc_matrix(X)
    X.sort_indices()
    beta = rng.standard_normal(100)
    y = X @ beta + 3.0 + 0.1 * rng.standard_normal(200)
    return X, y


@functools.cache
def _breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return _standardized(X), y


@functools.cache
def _wine():
    X, y = load_wine(return_X_y=True)
    return _standardized(X), y


def _copy(X, y):
    return X.copy(), y.copy()


@pytest.fixture
def diabetes():
    """Standardized diabetes (442 x 10), Fortran order, raw target."""
    return _copy(*_diabetes())


@pytest.fixture
def wide_regression():
    """Dense p > n regression: make_regression 60 x 200, 10 informative features."""
    return _copy(*_wide())


@pytest.fixture
def sparse_regression():
    """CSC 200 x 100 with density 0.05 (standard normal entries), target with offset 3."""
    return _copy(*_sparse())


@pytest.fixture
def breast_cancer():
    """Standardized breast cancer (569 x 30), binary target."""
    return _copy(*_breast_cancer())


@pytest.fixture
def wine():
    """Standardized wine (178 x 13), three classes."""
    return _copy(*_wine())


REGRESSION_SETS = {"diabetes": _diabetes, "wide": _wide, "sparse": _sparse}


@pytest.fixture(params=list(REGRESSION_SETS))
def regression_data(request):
    """Each regression problem in turn: ``(name, X, y)``."""
    return (request.param, *_copy(*REGRESSION_SETS[request.param]()))


@pytest.fixture
def make_weights():
    """``make_weights(n, seed=0)``: random positive sample weights in [0.2, 3)."""

    def make(n, seed=0):
        return np.random.default_rng(seed).uniform(0.2, 3.0, n)

    return make


@pytest.fixture
def rng():
    return np.random.default_rng(0)
