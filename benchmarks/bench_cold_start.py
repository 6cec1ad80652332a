"""Cold start of skdecay: imports, the command, and the extra cost of the first ``fit``.

Run from the repository root (one command; a few minutes, most of it in the
empty-cache rows)::

    PYTHONPATH=. python benchmarks/bench_cold_start.py

Every measurement runs in a fresh interpreter (``subprocess.run`` of
``sys.executable``) with the checkout on ``PYTHONPATH``, ``--repeat`` times;
the tables print the minimum and the median (the machine's load average is
printed before and after: on a busy machine trust the minimum).

1. imports, timed inside the child (interpreter start-up excluded):
   ``import skdecay`` against ``import sklearn`` (goal: at most +0.1 s; numba
   must not be imported), and what a user's script does first,
   ``from skdecay import ElasticNetRegressor`` against
   ``from sklearn.linear_model import ElasticNet`` (this one loads numba).
2. the command, wall time seen by the caller (start-up included; CPU time of
   the child with ``--clock cpu``):
   ``python -m skdecay --help`` and ``--version`` (goal: under 0.3 s), next to
   ``python -c pass``.
3. first fit vs second fit in a fresh process, warm numba cache (a temporary
   ``NUMBA_CACHE_DIR`` filled by one warm-up process per case).  *overhead* =
   first - second is what a user pays once per process (goal: at most 0.15 s).
   Its parts (medians): ``numba init``, numba's one-time set-up in a process
   (its typing and target registries, loaded inside the first kernel load,
   and the ``numba_extensions`` entry points of the environment), the same
   for any numba package: the ``numba floor`` row is the first call of a
   one-line cached function after skdecay's estimator modules are imported;
   ``loads``, the kernel signatures read from the cache (seconds, count, and
   one line per kernel in milliseconds); ``rest``, Python (validation,
   lazy imports).  The ``import`` column is ``import skdecay`` plus resolving
   the estimator's name (its module, scikit-learn and numba are imported
   there); ``sklearn`` rows are the same measurement for scikit-learn's
   estimator.
4. first-ever fit (an empty ``NUMBA_CACHE_DIR`` per case, what a user pays once
   after installing), with the compile time of every kernel signature (a
   kernel's time includes the kernels it calls, listed indented under it).

Problems are small (200 x 50; the MLPs train 5 epochs of a 32-unit network),
so a second fit takes milliseconds and the overhead is start-up work.
Options: ``--repeat N`` (fresh processes per cell, default 5), ``--repeat-cold N``
(default 1), ``--no-cold``, ``--cases`` (a subset of the case names), ``--clock cpu``
(CPU time of the measured process instead of wall time: steadier when other jobs
share the machine, and blind to time spent waiting for the disk).
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
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_IMPORT = 0.1  # s over `import sklearn`
GOAL_CLI = 0.3  # s wall for --help / --version
GOAL_OVERHEAD = 0.15  # s of first-fit overhead, warm cache
CLOCK = "wall"  # or "cpu" (--clock): CPU time of the measuring process

CASES = {
    # name: data kind, skdecay estimator, scikit-learn estimator
    "lasso dense float64": "lasso64",
    "lasso dense float32": "lasso32",
    "lasso sparse CSC float64": "lassocsc",
    "ridge dense float64": "ridge64",
    "enet classifier float64": "clf64",
    "enet regressor CV float64": "cv64",
    "mlp classifier float64": "mlp64",
    "mlp classifier float32": "mlp32",
}

# The child program: argv = [kind, package]; prints one JSON line.  For skdecay it
# records every kernel signature loaded or compiled during the first fit, and the
# time of numba's one-time set-up, by wrapping two numba methods (a measurement
# only: if numba renames them, the breakdown is left out).
CHILD_FIT = r"""
import json, os, sys, time, warnings
clock = time.process_time if os.environ["BENCH_CLOCK"] == "cpu" else time.perf_counter
warnings.simplefilter("ignore")
kind, package = sys.argv[1], sys.argv[2]
t0 = clock()
import numpy as np
import scipy.sparse as sp
if package == "skdecay":
    import skdecay
    t_import = clock() - t0
    name = {"ridge64": "RidgeRegressor", "clf64": "ElasticNetClassifier",
            "cv64": "ElasticNetRegressorCV"}.get(kind, "LassoRegressor")
    if kind.startswith("mlp"):
        name = "ElasticNetMLPClassifier"
    cls = getattr(skdecay, name)
else:
    if kind.startswith("mlp"):
        from sklearn.neural_network import MLPClassifier as cls
    elif kind == "ridge64":
        from sklearn.linear_model import Ridge as cls
    elif kind == "clf64":
        from sklearn.linear_model import LogisticRegression as cls
    elif kind == "cv64":
        from sklearn.linear_model import ElasticNetCV as cls
    else:
        from sklearn.linear_model import Lasso as cls
    t_import = clock() - t0
t_resolve = clock() - t0 - t_import

kernels, init = [], {}
if package == "skdecay":
    try:
        from numba.core import base, dispatcher, entrypoints, types

        compile_, refresh_, entry_ = (
            dispatcher.Dispatcher.compile, base.BaseContext.refresh, entrypoints.init_all
        )
        depth = [0]

        def compile(self, sig):
            depth[0] += 1
            n0, t = len(self.overloads), clock()
            try:
                return compile_(self, sig)
            finally:
                depth[0] -= 1
                mod = getattr(self.py_func, "__module__", None) or ""
                if len(self.overloads) > n0 and mod.startswith("skdecay"):
                    args = getattr(sig, "args", sig)
                    dts = sorted({str(a.dtype) for a in args if isinstance(a, types.Array)})
                    lit = " literal" if any(isinstance(a, types.Literal) for a in args) else ""
                    name = mod.rsplit(".", 1)[-1] + "." + self.py_func.__name__
                    kernels.append((depth[0], name, "/".join(dts) + lit, clock() - t))

        def refresh(self):  # re-entered while numba loads its registries
            depth[0] += 1
            t = clock()
            try:
                return refresh_(self)
            finally:
                depth[0] -= 1
                if "refresh" not in init and depth[0] == 1:  # outermost, in a compile
                    init["refresh"] = clock() - t

        def entry():  # numba_extensions entry points of the environment, once
            t = clock()
            try:
                return entry_()
            finally:
                init.setdefault("entry points", clock() - t)

        dispatcher.Dispatcher.compile = compile
        base.BaseContext.refresh = refresh
        entrypoints.init_all = entry
    except (ImportError, AttributeError):
        pass

rng = np.random.default_rng(0)
n, p = 200, 50
if kind == "lassocsc":
    X = sp.random(n, p, density=0.1, format="csc", random_state=0, dtype=np.float64)
else:
    X = rng.standard_normal((n, p))
w = np.zeros(p)
w[:5] = 1.0
y = np.asarray(X @ w) + 0.1 * rng.standard_normal(n)
if kind in ("lasso32", "mlp32"):
    X, y = X.astype(np.float32), y.astype(np.float32)
if kind in ("clf64", "mlp64", "mlp32"):
    y = (y > np.median(y)).astype(int)
skd = package == "skdecay"
if kind.startswith("mlp"):  # 5 epochs of adam, one hidden layer of 32
    kw = dict(hidden_layer_sizes=(32,), max_iter=5, random_state=0)
    kw.update(dict(alpha=1e-4, l1_ratio=0.5) if skd else dict(alpha=1e-4 * n))
elif kind == "ridge64":
    kw = dict(alpha=1.0)
elif kind == "clf64":
    kw = dict(alpha=1e-2, l1_ratio=0.5) if skd else dict(
        C=1.0 / (n * 1e-2), l1_ratio=0.5, solver="saga", max_iter=10000)
elif kind == "cv64":
    kw = dict(cv=3, alphas=20)
else:
    kw = dict(alpha=0.01 * float(np.max(np.abs(X.T @ y))) / n)

times = []
for i in range(3):
    est = cls(**kw)
    t = clock()
    est.fit(X, y)
    times.append(clock() - t)
    if i == 0:
        n_first = len(kernels)
print(json.dumps({
    "import": t_import, "resolve": t_resolve, "first": times[0], "second": min(times[1:]),
    "init": init or None, "kernels": kernels[:n_first],
}))
"""

CHILD_IMPORT = r"""
import os, sys, time
clock = time.process_time if os.environ["BENCH_CLOCK"] == "cpu" else time.perf_counter
t = clock()
exec(sys.argv[1])
dt = clock() - t
print(dt, int("numba" in sys.modules))
"""

# numba's own first-use cost: the first call of a one-line cached function, after
# skdecay's estimator modules (scikit-learn, scipy, numba) are imported
CHILD_FLOOR = r"""
import os, sys, time
clock = time.process_time if os.environ["BENCH_CLOCK"] == "cpu" else time.perf_counter
import skdecay.linear_model, skdecay.neural_network
sys.path.insert(0, sys.argv[1])
from floor_kernel import add
t = clock()
add(1.0, 2.0)
print(clock() - t)
"""
FLOOR_KERNEL = "import numba\n\n\n@numba.njit(cache=True)\ndef add(a, b):\n    return a + b\n"


def _env(cache_dir: str | None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [REPO] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.pop("NUMBA_CACHE_DIR", None)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    env["PYTHONWARNINGS"] = "ignore"
    env["BENCH_CLOCK"] = CLOCK
    return env


def _run(args: list[str], env: dict) -> str:
    proc = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({args[-2:]}):\n{proc.stderr[-3000:]}")
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def _fit(kind: str, package: str, env: dict) -> dict:
    return json.loads(_run(["-c", CHILD_FIT, kind, package], env))


def _stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def _load() -> str:
    try:
        return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "load average n/a"


def _imports(env: dict, repeat: int) -> None:
    rows = [
        ("import sklearn", "import sklearn"),
        ("import skdecay", "import skdecay"),
        ("from sklearn.linear_model import ElasticNet", None),
        ("from skdecay import ElasticNetRegressor", None),
    ]
    print(f"\n1. imports, fresh interpreter, {repeat} processes (seconds)")
    print(f"{'statement':<46}{'min':>8}{'median':>8}  numba imported")
    found = {}
    for label, stmt in rows:
        stmt = stmt or label
        runs = [_run(["-c", CHILD_IMPORT, stmt], env).split() for _ in range(repeat)]
        lo, med = _stats([float(r[0]) for r in runs])
        found[label] = (lo, med)
        print(f"{label:<46}{lo:>8.3f}{med:>8.3f}  {'yes' if runs[0][1] == '1' else 'no'}")
    extra = [found["import skdecay"][i] - found["import sklearn"][i] for i in (0, 1)]
    verdict = "ok" if extra[0] <= GOAL_IMPORT else "MISSED"
    print(
        f"{'import skdecay - import sklearn':<46}{extra[0]:>8.3f}{extra[1]:>8.3f}"
        f"  goal <= {GOAL_IMPORT}: {verdict}"
    )


def _command(env: dict, repeat: int) -> None:
    what = "CPU time" if CLOCK == "cpu" else "wall time"
    print(f"\n2. the command, {what} of the process, {repeat} processes (seconds)")
    print(f"{'command':<46}{'min':>8}{'median':>8}  output")
    for label, args in [
        ("python -c pass", ["-c", "pass"]),
        ("python -m skdecay --help", ["-m", "skdecay", "--help"]),
        ("python -m skdecay --version", ["-m", "skdecay", "--version"]),
    ]:
        walls = []
        for _ in range(repeat):
            t, c = time.perf_counter(), os.times()
            proc = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True)
            cpu = sum(os.times()[2:4]) - sum(c[2:4])  # the child's user + system time
            walls.append(cpu if CLOCK == "cpu" else time.perf_counter() - t)
        lo, med = _stats(walls)
        note = proc.stdout.strip() if "version" in label else ""
        if proc.returncode:
            note = f"exit code {proc.returncode}"
        if "skdecay" in label:
            ok = lo < GOAL_CLI and not proc.returncode
            note += f"  goal < {GOAL_CLI}: {'ok' if ok else 'MISSED'}"
        print(f"{label:<46}{lo:>8.3f}{med:>8.3f}  {note.strip()}")


def _floor(tmp: str, repeat: int) -> tuple[float, float] | None:
    src = os.path.join(tmp, "floor")
    os.makedirs(src)
    with open(os.path.join(src, "floor_kernel.py"), "w") as f:
        f.write(FLOOR_KERNEL)
    env = _env(os.path.join(tmp, "floor-cache"))
    _run(["-c", CHILD_FLOOR, src], env)  # fills the cache
    return _stats([float(_run(["-c", CHILD_FLOOR, src], env)) for _ in range(repeat)])


def _warm(cases: dict, env: dict, repeat: int, floor) -> None:
    for kind in cases.values():  # fill the cache (and the .pyc files)
        _fit(kind, "skdecay", env)
    print(
        f"\n3. first fit vs second fit in a fresh process (200 x 50), warm cache, "
        f"{repeat} processes, min/median seconds ({CLOCK}); the overhead's parts are medians"
    )
    head = (
        f"{'case':<27}{'package':<9}{'import':>12}{'first':>12}{'second':>8}"
        f"{'overhead':>12}  goal  {'numba init':>10}{'loads (n)':>13}{'rest':>7}"
    )
    print(head)
    print("-" * len(head))
    for case, kind in cases.items():
        for package in ("skdecay", "sklearn"):
            runs = [_fit(kind, package, env) for _ in range(repeat)]
            imp = _stats([r["import"] + r["resolve"] for r in runs])
            first = _stats([r["first"] for r in runs])
            second = min(r["second"] for r in runs)
            over = _stats([r["first"] - r["second"] for r in runs])
            parts = ""
            if package == "skdecay":
                goal = "ok" if over[0] <= GOAL_OVERHEAD else "MISS"
                init = [sum((r["init"] or {}).values()) for r in runs]
                # top-level signatures of the first fit; the first one holds numba's refresh
                loads = [
                    sum(k[3] for k in r["kernels"] if k[0] == 0)
                    - (r["init"] or {}).get("refresh", 0.0)
                    for r in runs
                ]
                n_loads = sum(k[0] == 0 for k in runs[0]["kernels"])
                rest = [
                    o - i - ld
                    for o, i, ld in zip(
                        [r["first"] - r["second"] for r in runs], init, loads, strict=True
                    )
                ]
                med = statistics.median
                parts = f"{med(init):>10.3f}{med(loads):>9.3f} ({n_loads}){med(rest):>7.3f}"
            else:
                goal = ""
            print(
                f"{case:<27}{package:<9}{imp[0]:>6.2f}/{imp[1]:<5.2f}{first[0]:>6.3f}/"
                f"{first[1]:<5.3f}{second:>8.4f}{over[0]:>6.3f}/{over[1]:<5.3f}  "
                f"{goal:<4}  {parts}"
            )
            if package == "skdecay" and n_loads:
                print("    loads (median ms): " + _per_kernel(runs))
    if floor is not None:
        label = "numba floor (first call of a cached one-line function)"
        print(f"{label:<56}{floor[0]:>6.3f}/{floor[1]:.3f}")


def _per_kernel(runs: list) -> str:
    """Median load time of each top-level kernel signature of the first fit (the
    first load's share of numba's refresh removed)."""
    per: dict = {}
    for r in runs:
        refresh = (r["init"] or {}).get("refresh", 0.0)
        for i, (_, name, dtypes, seconds) in enumerate(k for k in r["kernels"] if k[0] == 0):
            per.setdefault((i, name, dtypes), []).append(seconds - (refresh if i == 0 else 0.0))
    return ", ".join(
        f"{name} {dtypes} {1e3 * statistics.median(v):.0f}" for (_, name, dtypes), v in per.items()
    )


def _empty_cache(cases: dict, tmp: str, repeat: int) -> None:
    print(
        f"\n4. first-ever fit (empty NUMBA_CACHE_DIR), {repeat} process(es) per case: "
        "fit seconds, then the compile seconds of each kernel signature"
    )
    for case, kind in cases.items():
        runs = []
        for i in range(repeat):
            cache = os.path.join(tmp, f"cold-{kind}-{i}")
            os.makedirs(cache)
            runs.append(_fit(kind, "skdecay", _env(cache)))
        lo, med = _stats([r["first"] for r in runs])
        kernels = runs[0]["kernels"]
        print(f"{case:<27} first fit {lo:6.2f} / {med:.2f} s, {len(kernels)} signatures")
        # a kernel is recorded after the kernels it calls: print callers first
        for depth, name, dtypes, seconds in _callers_first(kernels):
            print(f"    {'  ' * depth}{name:<36}{dtypes:<18}{seconds:6.2f}")


def _callers_first(rows: list) -> list:
    """Rows are recorded when a compile ends, so callees come before their caller;
    return them caller first, each followed by its callees (a depth-first tree)."""
    done: list = []  # finished subtrees: (depth, rows in print order)
    for row in rows:
        children: list = []
        while done and done[-1][0] > row[0]:
            children = done.pop()[1] + children
        done.append((row[0], [row, *children]))
    return [row for _, subtree in done for row in subtree]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--repeat-cold", type=int, default=1)
    parser.add_argument("--no-cold", action="store_true")
    parser.add_argument("--cases", nargs="+", choices=list(CASES.values()), default=None)
    parser.add_argument(
        "--clock", choices=["wall", "cpu"], default="wall", help="cpu: steadier on a busy machine"
    )
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = args.clock
    cases = {k: v for k, v in CASES.items() if args.cases is None or v in args.cases}

    import numba
    import numpy
    import sklearn

    print(
        f"python {sys.version.split()[0]}, numpy {numpy.__version__}, "
        f"numba {numba.__version__}, scikit-learn {sklearn.__version__}, "
        f"{os.cpu_count()} CPUs; {_load()}; clock: {CLOCK}"
    )
    tmp = tempfile.mkdtemp(prefix="skdecay-bench-cold-")
    try:
        warm_env = _env(os.path.join(tmp, "warm"))
        _run(["-c", "import skdecay.cli, skdecay.linear_model"], warm_env)  # .pyc files
        _imports(warm_env, args.repeat)
        _command(warm_env, args.repeat)
        floor = _floor(tmp, args.repeat)
        _warm(cases, warm_env, args.repeat, floor)
        if not args.no_cold:
            _empty_cache(cases, tmp, args.repeat_cold)
        print(f"\n{_load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
