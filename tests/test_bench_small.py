"""Smoke test of ``benchmarks/bench_small.py``: its workloads with skdecay and
scikit-learn only, on diabetes (no ISLP data, no optional peer), one round."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pandas")

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_small.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_small", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_duality_gap_certifies_the_optimum(bench):
    """The one precision measure: ~0 at a tight solution, > 0 away from it."""
    from sklearn.datasets import load_breast_cancer, load_iris
    from sklearn.linear_model import ElasticNet, LogisticRegression

    X, y = bench.load_diabetes()
    X = bench.standardize(X)
    m = ElasticNet(alpha=0.5, l1_ratio=0.5, tol=1e-14, max_iter=100_000).fit(X, y)
    assert bench.relative_gap("squared", X, y, m.coef_, m.intercept_, 0.5, 0.5) < 1e-10
    assert bench.relative_gap("squared", X, y, 1.1 * m.coef_, m.intercept_, 0.5, 0.5) > 1e-6

    X, y = load_breast_cancer(return_X_y=True)
    X = bench.standardize(X)
    alpha = 0.01
    lr = LogisticRegression(C=1 / (len(y) * alpha), l1_ratio=0.0, tol=1e-12, max_iter=10_000)
    lr.fit(X, y)
    gap = bench.relative_gap("logistic", X, y, lr.coef_, lr.intercept_, alpha, 0.0)
    assert 0 <= gap < 1e-8
    gap = bench.relative_gap("logistic", X, y, 0.9 * lr.coef_, lr.intercept_, alpha, 0.0)
    assert gap > 1e-6

    X, y = load_iris(return_X_y=True)
    X = bench.standardize(X)
    lr = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    alpha = 1 / len(y)
    gap = bench.relative_gap("multinomial", X, y, lr.coef_, lr.intercept_, alpha, 0.0)
    assert 0 <= gap < 1e-8
    gap = bench.relative_gap("multinomial", X, y, lr.coef_, lr.intercept_ + [0, 0.1, 0], alpha, 0)
    assert gap > 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("workload", ["path", "cv-reg", "grid"])
def test_workloads_on_diabetes(bench, workload):
    ladder = bench.Ladder(1, max_seconds=30.0)
    rows = bench.build(workload, "diabetes", peers=())
    assert rows
    for w in rows:
        assert {c.column for c in w.contestants} == {"skdecay", "sklearn"}
        bench.run_workload(w, rounds=1, ladder=ladder, verbose=False)
        for c in w.contestants:
            res = w.results[c.name]
            assert res["reached"], (w.label, c.name, res["note"])
            assert res["err"] <= w.target
            assert res["coef_diff"] <= bench.COEF_TOL
            assert len(res["times"]) == 1 and res["times"][0] > 0
        if workload == "cv-reg":
            assert bench.same_choice(w)
    text = bench.table(rows)
    assert text.count("\n") == len(rows) + 1 and "not reached" not in text
    assert np.isfinite(bench.seconds(rows[0], "skdecay"))
