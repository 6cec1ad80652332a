"""The ``skdecay`` command (``python -m skdecay``).

``skdecay demo`` tunes an elastic net by cross-validation on scikit-learn's
bundled diabetes data and prints the alpha table and the selected features.
"""

from __future__ import annotations

import argparse
import sys
import time


def _demo(args: argparse.Namespace) -> int:
    import numpy as np
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import ElasticNetRegressor, alpha_max

    data = load_diabetes()
    X, y, names = data.data, data.target, np.asarray(data.feature_names)
    Xs = StandardScaler().fit_transform(X)
    amax = alpha_max(Xs, y, l1_ratio=1.0)
    alphas = amax * np.logspace(0, -3, args.n_alphas)
    l1_ratios = [0.1, 0.5, 0.9, 1.0]
    pipe = make_pipeline(StandardScaler(), ElasticNetRegressor(tol=1e-6))
    grid = {"elasticnetregressor__alpha": alphas, "elasticnetregressor__l1_ratio": l1_ratios}
    cv = KFold(args.cv, shuffle=True, random_state=0)
    t0 = time.perf_counter()
    search = GridSearchCV(pipe, grid, cv=cv, scoring="r2", verbose=0).fit(X, y)
    seconds = time.perf_counter() - t0
    res = search.cv_results_
    print(
        f"diabetes: {X.shape[0]} samples, {X.shape[1]} features; "
        f"{len(alphas) * len(l1_ratios)} candidates x {args.cv} folds in {seconds:.1f} s"
    )
    print(f"{'alpha':>10} {'l1_ratio':>8} {'CV R2':>8} {'± std':>7} {'nonzero':>7}")
    best_by_alpha = {}
    for i, params in enumerate(res["params"]):
        a = params["elasticnetregressor__alpha"]
        if (
            a not in best_by_alpha
            or res["mean_test_score"][i] > res["mean_test_score"][best_by_alpha[a]]
        ):
            best_by_alpha[a] = i
    for a in sorted(best_by_alpha, reverse=True):
        i = best_by_alpha[a]
        p = res["params"][i]
        model = ElasticNetRegressor(
            alpha=a, l1_ratio=p["elasticnetregressor__l1_ratio"], tol=1e-6
        ).fit(Xs, y)
        print(
            f"{a:10.4g} {p['elasticnetregressor__l1_ratio']:8.2f} "
            f"{res['mean_test_score'][i]:8.4f} {res['std_test_score'][i]:7.4f} "
            f"{np.count_nonzero(model.coef_):7d}"
        )
    best = search.best_estimator_[-1]
    print(
        f"selected: alpha={best.alpha:.4g}, l1_ratio={best.l1_ratio}, "
        f"CV R2={search.best_score_:.4f}"
    )
    kept = names[best.coef_ != 0]
    print(f"selected features ({kept.size}/{names.size}): {', '.join(kept)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="skdecay", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="cross-validated elastic net on the diabetes data")
    demo.add_argument("--cv", type=int, default=5, help="number of folds (default 5)")
    demo.add_argument("--n-alphas", type=int, default=12, help="alphas on the grid")
    demo.set_defaults(func=_demo)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
