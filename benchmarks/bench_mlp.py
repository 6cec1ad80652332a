"""MLP training speed: skdecay against scikit-learn, PyTorch and the matrix-product floor.

Run from the repository root (a few minutes; ``--quick`` for a smoke run)::

    PYTHONPATH=. python benchmarks/bench_mlp.py [--threads 1] [--quick]

Every contestant trains the same network for exactly ``--epochs`` (20) epochs,
no early stopping (``tol=0``, ``n_iter_no_change = epochs + 1``): a (128, 128)
ReLU MLP with a softmax output, cross-entropy loss, Adam with learning rate
1e-3, minibatches of 200, a fresh random permutation of the training set every
epoch, and a small L2 weight penalty ``alpha = 1e-4`` on the weight matrices
(biases never penalized).  Problems (standardized with the training mean and
standard deviation):

* ``digits``: ``load_digits`` (1797 x 64, 10 classes), stratified 75/25 split;
* ``synthetic``: ``make_classification(n_samples=50000, n_features=100,
  n_informative=50, n_classes=10, random_state=0)``, stratified 80/20 split.

Contestants, each in float64 and float32 (``X`` cast once before timing):

* ``skdecay``: ``ElasticNetMLPClassifier(alpha=1e-4, l1_ratio=0)`` (decoupled
  decay, the default for Adam: objective ``mean(cross-entropy) + alpha/2 *
  sum ||W_l||^2``); ``skdecay-L1`` (float32 only) is the same run with
  ``l1_ratio=1`` (proximal soft-threshold after each step), to show what the
  prox costs;
* ``sklearn``: ``MLPClassifier`` with the same architecture and
  ``alpha = 1e-4 * batch_size`` (scikit-learn divides its L2 term by the batch
  size; coupled L2 inside Adam);
* ``torch`` (when importable): a plain loop, ``nn.Sequential(Linear, ReLU,
  Linear, ReLU, Linear)``, ``CrossEntropyLoss``, ``torch.optim.AdamW(lr=1e-3,
  weight_decay=1e-4)`` on the weights only (biases in a group with no decay),
  Glorot-uniform initialisation as scikit-learn's, manual minibatch slicing of
  a ``torch.randperm`` permutation (no DataLoader);
* ``floor``: one epoch of the matrix products alone, in numpy/BLAS on
  preallocated arrays of the same dtype: per minibatch the forward
  ``X_b @ W1``, ``H1 @ W2``, ``H2 @ W3`` and the backward ``H2.T @ D3``,
  ``D3 @ W3.T``, ``H1.T @ D2``, ``D2 @ W2.T``, ``X_b.T @ D1`` (no activation,
  loss, optimizer, shuffling or allocation).  No trainer can do the same
  arithmetic with fewer BLAS calls, so its time is the target.

Timing: every contestant first runs a warm-up fit (2 epochs, so numba kernels
are compiled or loaded from the on-disk cache and torch/BLAS are initialised);
then ``--repeats`` full fits, interleaved across contestants (the floor is
measured before and after every round), and the best ``fit`` time (training
loop only, scoring excluded) divided by the number of epochs is ``s/epoch``.
The clock is wall time (``time.perf_counter``), or with ``--clock cpu`` the
CPU time of the process (``time.process_time``, all its threads): on a shared
machine the CPU time of a ``--threads 1`` run is far less sensitive to other
jobs than wall time.  The load average is printed at the start and the end;
compare ratios measured in one run, not absolute seconds.  ``x floor``
divides by the floor of the same dtype, ``x torch32`` by PyTorch's float32
time, both measured in this run.  skdecay's first-fit overhead (first warm-up
fit minus the second, identical one, per dtype, on the first problem) is
printed separately; ``--cold-cache`` points ``NUMBA_CACHE_DIR`` at an empty
folder so that it includes compilation.

Threads: BLAS (OpenBLAS, MKL), OpenMP, numba and torch are all limited to
``--threads`` (default: all cores) before numpy is imported, and again with
``threadpoolctl``.  On a machine busy with other jobs, use ``--threads 1``
(and ``--clock cpu``): with more runnable threads than free cores, BLAS and
OpenMP threads wait on each other and the timings stop meaning anything (on
2 cores at a load average of ~5, the float32 floor of the synthetic problem
took 2.8 s/epoch with 2 threads against 0.075 s with 1).

The goal (issue 3): skdecay within 1.5x of the floor at equal test accuracy,
well ahead of PyTorch float32.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2, help="timed fits per contestant")
    parser.add_argument("--quick", action="store_true", help="smoke run: small data, 3 epochs")
    parser.add_argument(
        "--datasets", nargs="+", default=["digits", "synthetic"], choices=["digits", "synthetic"]
    )
    parser.add_argument(
        "--contestants",
        nargs="+",
        default=["skdecay", "skdecay-L1", "sklearn", "torch"],
        choices=["skdecay", "skdecay-L1", "sklearn", "torch"],
    )
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall: time.perf_counter; cpu: time.process_time (all threads of this process; "
        "robust to other load on the machine, meaningful with --threads 1)",
    )
    parser.add_argument(
        "--cold-cache", action="store_true", help="empty NUMBA_CACHE_DIR: first fit compiles"
    )
    return parser


ARGS = _parser().parse_args(sys.argv[1:] if __name__ == "__main__" else [])
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = str(ARGS.threads)
if ARGS.cold_cache:
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="skdecay_bench_numba_")

import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits, make_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import skdecay  # noqa: E402

try:
    import torch
except ImportError:  # torch is never a dependency of skdecay
    torch = None

HIDDEN = (128, 128)
BATCH = 200
LR = 1e-3
ALPHA = 1e-4
DTYPES = {"f64": np.float64, "f32": np.float32}
clock = time.process_time if ARGS.clock == "cpu" else time.perf_counter


# ---------------------------------------------------------------------------
# data


def load_problem(name: str, quick: bool) -> tuple[np.ndarray, ...]:
    """Standardized float64 ``X_train, X_test, y_train, y_test``."""
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        test_size = 0.25
    else:
        X, y = make_classification(
            n_samples=5000 if quick else 50000,
            n_features=100,
            n_informative=50,
            n_classes=10,
            random_state=0,
        )
        test_size = 0.2
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, stratify=y, random_state=0)
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), ytr, yte


# ---------------------------------------------------------------------------
# contestants: fit(Xtr, ytr, Xte, yte, epochs) -> (fit seconds, test accuracy, zero fraction)


def _zero_fraction(weights) -> float:
    total = sum(w.size for w in weights)
    return sum(int(np.count_nonzero(w == 0)) for w in weights) / total


def fit_skdecay(Xtr, ytr, Xte, yte, epochs, l1_ratio=0.0):
    est = skdecay.ElasticNetMLPClassifier(
        hidden_layer_sizes=HIDDEN,
        activation="relu",
        solver="adam",
        alpha=ALPHA,
        l1_ratio=l1_ratio,
        batch_size=BATCH,
        learning_rate_init=LR,
        max_iter=epochs,
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
    )
    t0 = clock()
    est.fit(Xtr, ytr)
    seconds = clock() - t0
    assert est.n_iter_ == epochs, est.n_iter_
    assert est.coefs_[0].dtype == Xtr.dtype, est.coefs_[0].dtype
    return seconds, est.score(Xte, yte), _zero_fraction(est.coefs_)


def fit_skdecay_l1(Xtr, ytr, Xte, yte, epochs):
    return fit_skdecay(Xtr, ytr, Xte, yte, epochs, l1_ratio=1.0)


def fit_sklearn(Xtr, ytr, Xte, yte, epochs):
    est = MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        activation="relu",
        solver="adam",
        alpha=ALPHA * BATCH,
        batch_size=BATCH,
        learning_rate_init=LR,
        max_iter=epochs,
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=epochs + 1,
    )
    t0 = clock()
    est.fit(Xtr, ytr)
    seconds = clock() - t0
    assert est.n_iter_ == epochs, est.n_iter_
    assert est.coefs_[0].dtype == Xtr.dtype, est.coefs_[0].dtype
    return seconds, est.score(Xte, yte), _zero_fraction(est.coefs_)


def fit_torch(Xtr, ytr, Xte, yte, epochs):
    tdtype = torch.float64 if Xtr.dtype == np.float64 else torch.float32
    gen = torch.Generator().manual_seed(0)
    classes, y_idx = np.unique(ytr, return_inverse=True)
    sizes = [Xtr.shape[1], *HIDDEN, len(classes)]
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        lin = torch.nn.Linear(fan_in, fan_out, dtype=tdtype)
        bound = np.sqrt(6.0 / (fan_in + fan_out))  # scikit-learn's Glorot uniform
        with torch.no_grad():
            lin.weight.uniform_(-bound, bound, generator=gen)
            lin.bias.uniform_(-bound, bound, generator=gen)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    weights = [m.weight for m in model if isinstance(m, torch.nn.Linear)]
    biases = [m.bias for m in model if isinstance(m, torch.nn.Linear)]
    opt = torch.optim.AdamW(
        [{"params": weights, "weight_decay": ALPHA}, {"params": biases, "weight_decay": 0.0}],
        lr=LR,
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    X = torch.from_numpy(np.ascontiguousarray(Xtr))
    y = torch.from_numpy(y_idx.astype(np.int64))
    n = X.shape[0]
    t0 = clock()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, BATCH):
            idx = perm[start : start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            opt.step()
    seconds = clock() - t0
    with torch.no_grad():
        pred = model(torch.from_numpy(np.ascontiguousarray(Xte))).argmax(1).numpy()
    acc = float(np.mean(classes[pred] == yte))
    return seconds, acc, _zero_fraction([w.detach().numpy() for w in weights])


def floor_epochs(Xtr, n_classes, epochs):
    """Seconds for ``epochs`` epochs of the minibatch matrix products alone."""
    dtype = Xtr.dtype
    rng = np.random.default_rng(0)
    sizes = [Xtr.shape[1], *HIDDEN, n_classes]
    W = [
        rng.standard_normal((a, b)).astype(dtype) * 0.1
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    gW = [np.empty_like(w) for w in W]
    H = [np.empty((BATCH, s), dtype) for s in sizes[1:]]  # H1, H2, output
    D = [np.empty((BATCH, s), dtype) for s in sizes[1:]]  # deltas of the same shapes
    for d in D:
        d[...] = rng.standard_normal(d.shape)
    n = Xtr.shape[0]
    t0 = clock()
    for _ in range(epochs):
        for start in range(0, n, BATCH):
            Xb = Xtr[start : start + BATCH]
            m = Xb.shape[0]
            h1, h2, out = H[0][:m], H[1][:m], H[2][:m]
            d1, d2, d3 = D[0][:m], D[1][:m], D[2][:m]
            np.matmul(Xb, W[0], out=h1)
            np.matmul(h1, W[1], out=h2)
            np.matmul(h2, W[2], out=out)
            np.matmul(h2.T, d3, out=gW[2])
            np.matmul(d3, W[2].T, out=d2)
            np.matmul(h1.T, d2, out=gW[1])
            np.matmul(d2, W[1].T, out=d1)
            np.matmul(Xb.T, d1, out=gW[0])
    return clock() - t0


# ---------------------------------------------------------------------------
# driver


def _contestants(names: list[str]) -> tuple[list[tuple[str, str, object]], list[str]]:
    """``(name, dtype key, fit)`` for every available contestant, and notes on the others."""
    rows, notes = [], []
    fits = {"skdecay": fit_skdecay, "skdecay-L1": fit_skdecay_l1, "sklearn": fit_sklearn}
    if "skdecay" in names or "skdecay-L1" in names:
        if not hasattr(skdecay, "ElasticNetMLPClassifier"):
            notes.append("skdecay.ElasticNetMLPClassifier not available: skipped")
            names = [n for n in names if not n.startswith("skdecay")]
    if "torch" in names:
        if torch is None:
            notes.append("torch not installed (pip install torch): skipped")
            names = [n for n in names if n != "torch"]
        else:
            fits["torch"] = fit_torch
    for name in names:
        for key in DTYPES:
            if name == "skdecay-L1" and key == "f64":
                continue
            rows.append((name, key, fits[name]))
    return rows, notes


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_problem(name: str, args, contestants, compile_overhead: dict) -> list[dict]:
    Xtr64, Xte64, ytr, yte = load_problem(name, args.quick)
    data = {k: (Xtr64.astype(t), Xte64.astype(t)) for k, t in DTYPES.items()}
    n_classes = len(np.unique(ytr))
    results = {}

    def keep_best(cname, key, seconds, acc=np.nan, zeros=np.nan):
        prev = results.get((cname, key))
        if prev is None or seconds < prev["seconds"]:
            results[(cname, key)] = dict(seconds=seconds, acc=acc, zeros=zeros)

    def measure_floor():
        for key, (Xtr, _) in data.items():
            seconds = floor_epochs(Xtr, n_classes, args.epochs)
            _progress(f"{name} floor {key}: {seconds / args.epochs:.4f} s/epoch")
            keep_best("floor", key, seconds)

    for Xtr, _ in data.values():
        floor_epochs(Xtr, n_classes, 1)  # warm-up
    measure_floor()
    # warm-up fits (2 epochs); skdecay's first fits give the compile / cache-load overhead
    for cname, key, fit in contestants:
        Xtr, Xte = data[key]
        first = fit(Xtr, ytr, Xte, yte, 2)[0]
        _progress(f"{name} {cname} {key}: warm-up fit {first:.3f} s")
        if cname.startswith("skdecay") and (cname, key) not in compile_overhead:
            second = fit(Xtr, ytr, Xte, yte, 2)[0]
            compile_overhead[(cname, key)] = (first, second)
    # timed fits, interleaved so that a noisy moment hits every contestant alike
    # (the floor too: it is measured once more in every round)
    for _ in range(args.repeats):
        for cname, key, fit in contestants:
            Xtr, Xte = data[key]
            seconds, acc, zeros = fit(Xtr, ytr, Xte, yte, args.epochs)
            _progress(f"{name} {cname} {key}: {seconds / args.epochs:.4f} s/epoch, acc {acc:.4f}")
            keep_best(cname, key, seconds, acc, zeros)
        measure_floor()
    shape = f"{Xtr64.shape[0]}x{Xtr64.shape[1]}"
    return [
        dict(problem=f"{name} {shape}", contestant=c, dtype=k, **r) for (c, k), r in results.items()
    ]


def print_table(rows: list[dict], epochs: int) -> None:
    head = (
        f"{'problem (train)':<22}{'contestant':<12}{'dtype':<6}{'s/epoch':>10}"
        f"{'x floor':>9}{'x torch32':>10}{'test acc':>10}{'W zeros':>9}"
    )
    print(head)
    print("-" * len(head))
    for problem in dict.fromkeys(r["problem"] for r in rows):
        group = [r for r in rows if r["problem"] == problem]
        floor = {r["dtype"]: r["seconds"] for r in group if r["contestant"] == "floor"}
        torch32 = next(
            (r["seconds"] for r in group if r["contestant"] == "torch" and r["dtype"] == "f32"),
            np.nan,
        )
        for r in group:
            spe = r["seconds"] / epochs
            acc = "" if np.isnan(r["acc"]) else f"{r['acc']:.4f}"
            zeros = "" if np.isnan(r["zeros"]) else f"{100 * r['zeros']:.1f}%"
            x_torch = r["seconds"] / torch32 if np.isfinite(torch32) else np.nan
            print(
                f"{problem:<22}{r['contestant']:<12}{r['dtype']:<6}{spe:>10.4f}"
                f"{r['seconds'] / floor[r['dtype']]:>9.2f}{x_torch:>10.2f}{acc:>10}{zeros:>9}"
            )
        print()


def main(args=ARGS) -> None:
    if args.quick:
        args.epochs, args.repeats = 3, 1
    warnings.simplefilter("ignore", ConvergenceWarning)
    if torch is not None:
        torch.set_num_threads(args.threads)
    contestants, notes = _contestants(args.contestants)
    import numba
    import sklearn

    versions = [
        f"numpy {np.__version__}",
        f"numba {numba.__version__}",
        f"scikit-learn {sklearn.__version__}",
        f"skdecay {skdecay.__version__}",
    ]
    if torch is not None:
        versions.append(f"torch {torch.__version__}")
    print(", ".join(versions))
    print(
        f"threads={args.threads}, epochs={args.epochs}, best of {args.repeats} fits, "
        f"hidden={HIDDEN}, batch={BATCH}, lr={LR}, alpha={ALPHA}"
        + f", clock={args.clock}"
        + (", cold numba cache" if args.cold_cache else "")
    )
    print("load average at start: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for note in notes:
        print("note:", note)
    rows: list[dict] = []
    compile_overhead: dict = {}
    with threadpool_limits(args.threads):
        for name in args.datasets:
            rows += run_problem(name, args, contestants, compile_overhead)
    print()
    print_table(rows, args.epochs)
    for (cname, key), (first, second) in compile_overhead.items():
        print(
            f"{cname} {key} first-fit overhead: {first - second:.3f} s "
            f"(first 2-epoch fit {first:.3f} s, second {second:.3f} s)"
        )
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        "\ns/epoch = best fit time / epochs; x floor: same-dtype matrix products alone; "
        "x torch32: PyTorch float32 (both measured in this run). Goal: skdecay <= 1.5x floor."
    )


if __name__ == "__main__":
    main()
