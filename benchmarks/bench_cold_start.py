"""Cold start of skdecay: ``import`` time and the extra cost of the first ``fit``.

Run from the repository root (one command; a few minutes, most of it spent in
the cold-cache rows)::

    PYTHONPATH=. python benchmarks/bench_cold_start.py

Every measurement runs in a fresh interpreter (``subprocess.run`` of
``sys.executable -c ...``), with the checkout on ``PYTHONPATH``:

* import rows: wall time of ``import numba``, of ``import sklearn.linear_model``,
  of ``import skdecay`` in an empty interpreter, and of ``import skdecay`` after
  numpy, scipy and scikit-learn are already loaded (skdecay's own share);
* fit rows, one fresh process per case and per repeat: the first fit in the
  process, then a second identical fit on a fresh estimator.  *overhead* =
  first - second is what a user pays once per process (goal: <= 0.3 s).
  ``warm``: numba's on-disk cache lives in a temporary ``NUMBA_CACHE_DIR``
  filled by one warm-up process beforehand, so kernels are loaded, not
  compiled.  ``cold``: a new empty ``NUMBA_CACHE_DIR`` per case, so the first
  fit compiles (the first-ever fit after installing).  ``sklearn`` rows are the
  same measurement for the scikit-learn estimator, for reference.

The problems are small (200 x 50; the MLP rows train 5 epochs of a 32-unit
network), so the second fit takes milliseconds and the
overhead is almost all import-time laziness and kernel loading/compilation.
Options: ``--repeat N`` (fresh processes per warm/sklearn cell, median
reported; default 3), ``--repeat-cold N`` (default 1), ``--no-cold``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL = 0.3  # seconds of first-fit overhead

CASES = {
    # name: (package estimator, data kind)
    "lasso dense float64": "dense64",
    "lasso dense float32": "dense32",
    "lasso sparse CSC float64": "csc64",
    "enet classifier dense float64": "clf64",
    "mlp classifier float64": "mlp64",
    "mlp classifier float32": "mlp32",
}

# The child program: argv = [-c, kind, package]; prints one JSON line.
CHILD_FIT = r"""
import json, sys, time
kind, package = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if package == "skdecay":
    import skdecay
elif kind.startswith("mlp"):
    import sklearn.neural_network
else:
    import sklearn.linear_model
t_import = time.perf_counter() - t0

import numpy as np
import scipy.sparse as sp

rng = np.random.default_rng(0)
n, p = 200, 50
if kind == "csc64":
    X = sp.random(n, p, density=0.1, format="csc", random_state=0, dtype=np.float64)
else:
    X = rng.standard_normal((n, p))
w = np.zeros(p)
w[:5] = 1.0
y = np.asarray(X @ w) + 0.1 * rng.standard_normal(n)
if kind in ("dense32", "mlp32"):
    X, y = X.astype(np.float32), y.astype(np.float32)
if kind in ("clf64", "mlp64", "mlp32"):
    y = (y > np.median(y)).astype(int)
    alpha = 1e-2
else:
    alpha = 0.01 * float(np.max(np.abs(X.T @ y))) / n


def make():
    if kind.startswith("mlp"):  # 5 epochs of adam, one hidden layer of 32
        kw = dict(hidden_layer_sizes=(32,), max_iter=5, random_state=0)
        if package == "skdecay":
            return skdecay.ElasticNetMLPClassifier(alpha=1e-4, l1_ratio=0.5, **kw)
        return sklearn.neural_network.MLPClassifier(alpha=1e-4 * 200, **kw)
    if package == "skdecay":
        if kind == "clf64":
            return skdecay.ElasticNetClassifier(alpha=alpha, l1_ratio=0.5)
        return skdecay.LassoRegressor(alpha=alpha)
    if kind == "clf64":
        return sklearn.linear_model.LogisticRegression(
            C=1.0 / (n * alpha), l1_ratio=0.5, solver="saga", max_iter=10000
        )
    return sklearn.linear_model.Lasso(alpha=alpha)


times = []
for _ in range(3):
    est = make()
    t = time.perf_counter()
    est.fit(X, y)
    times.append(time.perf_counter() - t)
print(json.dumps({"import": t_import, "first": times[0], "second": min(times[1:])}))
"""

IMPORTS = {
    "import numba": "import numba",
    "import sklearn.linear_model": "import sklearn.linear_model",
    "import skdecay (empty interpreter)": "import skdecay",
    "import skdecay (numpy, scipy, sklearn loaded)": "import skdecay",
}
PRELOAD = "import numpy, scipy.sparse, sklearn.base, sklearn.linear_model, sklearn.utils"

CHILD_IMPORT = r"""
import sys, time
exec(sys.argv[1])
t = time.perf_counter()
exec(sys.argv[2])
print(time.perf_counter() - t)
"""


def _env(cache_dir: str | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [REPO] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.pop("NUMBA_CACHE_DIR", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    env["PYTHONWARNINGS"] = "ignore"
    return env


def _run(code: str, args: list[str], env: dict) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({args}):\n{proc.stderr}")
    return proc.stdout.strip().splitlines()[-1]


def _fit(kind: str, package: str, env: dict) -> dict:
    return json.loads(_run(CHILD_FIT, [kind, package], env))


def _median_fit(kind, package, env, repeat):
    runs = [_fit(kind, package, env) for _ in range(repeat)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}, runs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-cold", type=int, default=1)
    parser.add_argument("--no-cold", action="store_true")
    args = parser.parse_args(argv)

    import numba
    import numpy
    import sklearn

    print(
        f"python {sys.version.split()[0]}, numpy {numpy.__version__}, "
        f"numba {numba.__version__}, scikit-learn {sklearn.__version__}"
    )
    tmp = tempfile.mkdtemp(prefix="skdecay-bench-cold-")
    try:
        warm_dir = os.path.join(tmp, "warm")
        os.makedirs(warm_dir)
        warm_env = _env(warm_dir)

        # (a) import times
        print(f"\nimport time, fresh interpreter, median of {args.repeat}")
        print(f"{'what':<48}{'seconds':>9}")
        _run(CHILD_IMPORT, ["pass", "import skdecay"], warm_env)  # .pyc files
        for label, stmt in IMPORTS.items():
            pre = PRELOAD if "loaded" in label else "pass"
            ts = [float(_run(CHILD_IMPORT, [pre, stmt], warm_env)) for _ in range(args.repeat)]
            print(f"{label:<48}{statistics.median(ts):>9.3f}")

        # (b) first fit vs second fit
        for kind in CASES.values():  # warm-up: fill the numba cache
            _fit(kind, "skdecay", warm_env)
        rows = []
        for case, kind in CASES.items():
            med, _ = _median_fit(kind, "skdecay", warm_env, args.repeat)
            rows.append((case, "skdecay", "warm", med))
            med, _ = _median_fit(kind, "sklearn", warm_env, args.repeat)
            rows.append((case, "sklearn", "-", med))
            if not args.no_cold:
                cold = []
                for i in range(args.repeat_cold):
                    cold_dir = os.path.join(tmp, f"cold-{kind}-{i}")
                    os.makedirs(cold_dir)
                    cold.append(_fit(kind, "skdecay", _env(cold_dir)))
                med = {k: statistics.median(r[k] for r in cold) for k in cold[0]}
                rows.append((case, "skdecay", "cold", med))

        print(
            f"\nfirst fit vs second fit in the same fresh process (200 x 50), "
            f"median of {args.repeat} processes ({args.repeat_cold} for cold cache); "
            f"goal: overhead <= {GOAL} s"
        )
        head = (
            f"{'case':<31}{'package':<9}{'cache':<7}{'import_s':>9}{'first_s':>9}"
            f"{'second_s':>10}{'overhead_s':>11}  goal"
        )
        print(head)
        print("-" * len(head))
        for case, package, cache, m in rows:
            over = m["first"] - m["second"]
            goal = "" if package != "skdecay" else ("ok" if over <= GOAL else "MISSED")
            if cache == "cold":
                goal = "(compile)"
            print(
                f"{case:<31}{package:<9}{cache:<7}{m['import']:>9.3f}{m['first']:>9.3f}"
                f"{m['second']:>10.4f}{over:>11.3f}  {goal}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
