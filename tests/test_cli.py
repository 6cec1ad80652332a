"""The ``skdecay`` command, run in-process through ``skdecay.cli.main``.

Small CSVs (numeric + categorical columns, missing values) are written to
``tmp_path``; the checks compare the command's choices and files with
independent computations (scikit-learn preprocessing + our CV estimators, the
model file re-read with ``skops``).
"""

from __future__ import annotations

import csv
import fractions
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
sio = pytest.importorskip("skops.io")
pytest.importorskip("matplotlib")

import skdecay  # noqa: E402
from skdecay import ElasticNetRegressorCV  # noqa: E402
from skdecay.cli import KNOWN_TYPES, L1_RATIOS, load_model, main  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _agg(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")


def _frame(n: int = 90, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "noise": rng.normal(size=n),
            "color": rng.choice(["red", "green", "blue"], n),
            "flag": rng.choice([True, False], n),
        }
    )
    y = 3 * df["x1"] - 2 * (df["color"] == "red") + 0.3 * rng.normal(size=n)
    df["y"] = y
    df["label"] = np.where(df["x2"] + 0.3 * rng.normal(size=n) > 0, "yes", "no")
    df.loc[4, "x2"] = np.nan  # imputed
    df.loc[7, "color"] = np.nan
    return df


@pytest.fixture
def data(tmp_path):
    path = tmp_path / "data.csv"
    _frame().to_csv(path, index=False)
    return path


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _is_png(path) -> bool:
    with open(path, "rb") as f:
        return f.read(8) == PNG_MAGIC


def _table(out: str) -> list[list[str]]:
    """The rows of the printed table (alpha, score, std, nonzero)."""
    rows = []
    for line in out.splitlines():
        parts = line.replace("*", " ").split()
        if len(parts) == 4:
            try:
                [float(p) for p in parts]
            except ValueError:
                continue
            rows.append(parts)
    return rows


def test_fit_regression_matches_cv_estimator(data, tmp_path, capsys):
    out_file = tmp_path / "reg.skops"
    code, out, err = _run(
        [
            "fit",
            data,
            "--target",
            "y",
            "--cv",
            3,
            "--n-alphas",
            6,
            "--out",
            out_file,
            "--no-nested",
        ],
        capsys,
    )
    assert code == 0, err
    assert "CV r2" in out and "selected features" in out
    assert len(_table(out)) == 6
    # progress on stderr: the selection on all rows (no outer folds with --no-nested)
    assert "selection on all 90 rows" in err and "outer fold" not in err
    plot = tmp_path / "reg_path.png"
    assert _is_png(plot)
    assert str(plot) in out and str(out_file) in out

    # the file needs only trusted types, and loads with trusted_types + known types
    untrusted = sio.get_untrusted_types(file=out_file)
    assert set(untrusted) <= set(skdecay.trusted_types()) | KNOWN_TYPES
    pipe = sio.load(out_file, trusted=untrusted)
    model = pipe[-1]
    assert type(model).__name__ in ("ElasticNetRegressor", "LassoRegressor")

    # independent selection: one ElasticNetRegressorCV over all l1_ratios on the
    # same preprocessed data and folds chooses the same (alpha, l1_ratio)
    from sklearn.model_selection import KFold

    df = pd.read_csv(data)
    X = df.drop(columns=["y"])
    Xt = pipe[0].transform(X)
    ref = ElasticNetRegressorCV(
        l1_ratio=list(L1_RATIOS),
        alphas=6,
        cv=KFold(3, shuffle=True, random_state=0),
        scoring="r2",
    ).fit(Xt, df["y"])
    assert model.alpha == pytest.approx(ref.alpha_, rel=1e-12)
    assert getattr(model, "l1_ratio", 1.0) == ref.l1_ratio_
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-6, atol=1e-8)

    # the printed selected features are the nonzero coefficients' names
    names = pipe[0].get_feature_names_out()
    line = next(s for s in out.splitlines() if s.startswith("selected features"))
    printed = line.split(": ", 1)[1].split(", ")
    assert printed == list(names[model.coef_ != 0])
    assert "x1" in printed and "color_red" in printed


def test_fit_then_predict_classifier(data, tmp_path, capsys):
    out_file = tmp_path / "clf.skops"
    plot = tmp_path / "custom.png"
    code, out, err = _run(
        [
            "fit",
            data,
            "--target",
            "label",
            "--cv",
            3,
            "--n-alphas",
            5,
            "--out",
            out_file,
            "--plot",
            plot,
            "--quiet",
            "--no-nested",
        ],
        capsys,
    )
    assert code == 0, err
    assert err == ""  # --quiet
    assert "logistic (ElasticNetClassifier)" in out
    assert "neg_log_loss" in out
    assert _is_png(plot)

    model = load_model(out_file)
    new = pd.read_csv(data).drop(columns=["label"]).iloc[:25]
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    pred_path = tmp_path / "pred.csv"
    code, _, err = _run(["predict", out_file, new_path, "--out", pred_path], capsys)
    assert code == 0, err
    pred = pd.read_csv(pred_path)
    assert list(pred["prediction"]) == list(model.predict(new[model.feature_names_in_]))
    proba = pred[["proba_no", "proba_yes"]].to_numpy()
    np.testing.assert_allclose(proba, model.predict_proba(new[model.feature_names_in_]))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)

    # without --out the predictions go to stdout, one line per row plus a header
    code, out, _ = _run(["predict", out_file, new_path], capsys)
    assert code == 0
    assert out.splitlines()[0] == "prediction,proba_no,proba_yes"
    assert len(out.splitlines()) == 26


@pytest.mark.parametrize("model", ["ridge", "mlp"])
def test_fit_grid_models(data, tmp_path, capsys, model):
    out_file = tmp_path / f"{model}.skops"
    argv = ["fit", data, "--target", "y", "--model", model, "--cv", 2, "--out", out_file]
    code, out, err = _run([*argv, "--n-alphas", 3 if model == "ridge" else 2], capsys)
    assert code == 0, err
    assert sum(line.startswith("  outer fold") for line in err.splitlines()) == 2
    rows = _table(out)
    assert len(rows) == (3 if model == "ridge" else 2)
    if model == "ridge":
        p = load_model(out_file)[0].get_feature_names_out().size
        assert all(int(r[3]) == p for r in rows)  # ridge never zeroes a coefficient
    assert _is_png(tmp_path / f"{model}_path.png")
    pipe = load_model(out_file)
    X = pd.read_csv(data).drop(columns=["y"])
    assert pipe.predict(X).shape == (X.shape[0],)


def test_demo(tmp_path, capsys):
    code, out, err = _run(
        ["demo", "--out-dir", tmp_path, "--cv", 3, "--n-alphas", 5, "--quiet", "--no-nested"],
        capsys,
    )
    assert code == 0, err
    assert "diabetes" in out and "selected features" in out
    assert len(_table(out)) == 5
    assert _is_png(tmp_path / "diabetes_path.png")
    pipe = load_model(tmp_path / "diabetes.skops")
    assert list(pipe.feature_names_in_[:3]) == ["age", "sex", "bmi"]


def _bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("a,b,y\n")
    garbled = tmp_path / "garbled.csv"
    garbled.write_text('a,b\n1,2\n3,"4\n')
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x82\n\x00\x00")
    return empty, header, garbled, binary


def test_bad_input_exit_code_2(data, tmp_path, capsys):
    empty, header, garbled, binary = _bad_files(tmp_path)
    strange = tmp_path / "strange.skops"
    sio.dump({"x": fractions.Fraction(1, 3)}, strange)
    cases = [
        ["fit", tmp_path / "missing.csv", "--target", "y"],
        ["fit", tmp_path, "--target", "y"],  # a directory
        ["fit", empty, "--target", "y"],
        ["fit", header, "--target", "y"],
        ["fit", garbled, "--target", "a"],
        ["fit", binary, "--target", "a"],
        ["fit", data, "--target", "nope"],
        ["fit", data, "--target", "label", "--model", "elasticnet"],
        ["fit", data, "--target", "label", "--model", "lasso"],
        ["fit", data, "--target", "label", "--model", "ridge"],
        ["fit", data, "--target", "y", "--model", "logistic"],
        ["fit", data, "--target", "y", "--scoring", "no_such_scorer"],
        ["predict", tmp_path / "missing.skops", data],
        ["predict", data, data],  # not a model file
        ["predict", strange, data],  # untrusted type
    ]
    for argv in cases:
        code, out, err = _run(argv, capsys)
        assert code == 2, argv
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("skdecay: error: "), (argv, err)
        assert out == ""
    # nothing was written for the failed fits
    assert not list(tmp_path.glob("*.png"))


def test_predict_needs_the_training_columns(data, tmp_path, capsys):
    out_file = tmp_path / "m.skops"
    code, _, err = _run(
        ["fit", data, "--target", "y", "--model", "lasso", "--cv", 2, "--n-alphas", 3]
        + ["--out", out_file, "--quiet", "--no-nested"],
        capsys,
    )
    assert code == 0, err
    partial = tmp_path / "partial.csv"
    with open(partial, "w", newline="") as f:
        csv.writer(f).writerows([["x1", "x2"], [0.1, 0.2]])
    code, _, err = _run(["predict", out_file, partial], capsys)
    assert code == 2
    assert "noise" in err and err.count("\n") == 1


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fit", "data.csv"])  # --target missing
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--cv", "1"])
    assert exc.value.code == 2


# ---------------------------------------------------------------------------
# start-up: --version and --help answer without loading the heavy dependencies


def _python(args):
    root = str(Path(skdecay.__file__).resolve().parent.parent)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=root)


def test_version():
    proc = _python(["-m", "skdecay", "--version"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"skdecay {skdecay.__version__}"


def test_help_imports_no_heavy_dependency():
    code = (
        "import sys\n"
        "from skdecay.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "heavy = ('pandas', 'matplotlib', 'numba', 'skops', 'sklearn', 'numpy')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    proc = _python(["-c", code])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip().splitlines()
    assert out[0].startswith("usage: skdecay")
    assert out[-1] == "[]", out[-1]
    for command in ("fit", "predict", "demo"):
        assert command in proc.stdout
    proc = _python(["-m", "skdecay", "fit", "--help"])
    assert proc.returncode == 0 and "--target" in proc.stdout, proc.stderr


# ---------------------------------------------------------------------------
# log-link models: --model poisson|gamma|tweedie, --exposure / --offset


def _counts(n: int = 150, seed: int = 0) -> pd.DataFrame:
    """``_frame``'s features (``color`` as ``region``) with an exposure (hours), a count
    whose rate depends on ``x1`` and the region, and a positive amount."""
    rng = np.random.default_rng(seed + 1)
    df = _frame(n, seed)[["x1", "x2", "noise", "color"]].rename(columns={"color": "region"})
    df["hours"] = rng.uniform(0.5, 3.0, n)
    rate = np.exp(0.3 + 0.6 * df["x1"] - 0.5 * (df["region"] == "red"))
    df["count"] = rng.poisson(df["hours"] * rate)
    df["amount"] = rng.gamma(2.0, np.exp(1.0 + 0.5 * df["x1"]) / 2.0)
    return df


@pytest.fixture
def counts(tmp_path):
    """The CSV of :func:`_counts`."""
    _counts().to_csv(tmp_path / "counts.csv", index=False)
    return tmp_path / "counts.csv"


def test_fit_poisson_with_exposure_then_predict(counts, tmp_path, capsys):
    from sklearn.model_selection import KFold

    out_file = tmp_path / "pois.skops"
    argv = ["fit", counts, "--target", "count", "--model", "poisson", "--exposure", "hours"]
    argv += ["--drop", "amount", "--cv", 3, "--n-alphas", 6, "--out", out_file, "--no-nested"]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    assert "exposure 'hours': log(hours) is every row's offset, not a feature" in out
    assert "CV neg. mean Poisson deviance" in out
    assert len(_table(out)) == 6
    assert _is_png(tmp_path / "pois_path.png")

    model = load_model(out_file)  # trusted types only: ExposureModel is a known type
    assert type(model).__name__ == "ExposureModel" and model.column == "hours" and model.log
    pipe = model.model
    final = pipe[-1]
    assert final.loss == "poisson"

    # independent selection on the same preprocessed data, folds and offsets
    df = pd.read_csv(counts)
    offset = np.log(df["hours"].to_numpy())
    Xt = pipe[0].transform(df.drop(columns=["count", "amount", "hours"]))
    folds = KFold(3, shuffle=True, random_state=0)
    ref = ElasticNetRegressorCV(loss="poisson", l1_ratio=list(L1_RATIOS), alphas=6, cv=folds)
    ref.fit(Xt, df["count"], offset=offset)
    assert final.alpha == pytest.approx(ref.alpha_, rel=1e-12)
    assert final.l1_ratio == ref.l1_ratio_
    np.testing.assert_allclose(final.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    # the table's selected row is the CV estimator's best mean score: minus the deviance
    i = list(L1_RATIOS).index(ref.l1_ratio_)
    np.testing.assert_allclose(ref.scores_path_[i], -ref.deviance_path_[i])
    starred = next(s for s in out.splitlines() if s.startswith("*"))
    best = ref.scores_path_[i].mean(axis=1).max()
    assert float(starred.split()[2]) == pytest.approx(best, abs=1e-4) and best < 0

    # predict: the mean of each row, its exposure included; twice the hours, twice the mean
    new = df.drop(columns=["count"]).iloc[:20].copy()
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    code, out, err = _run(["predict", out_file, new_path], capsys)
    assert code == 0, err
    pred = pd.read_csv(pd.io.common.StringIO(out))["prediction"].to_numpy()
    expected = final.predict(pipe[0].transform(new.drop(columns=["amount", "hours"])),
                             offset=np.log(new["hours"].to_numpy()))  # fmt: skip
    np.testing.assert_allclose(pred, expected, rtol=1e-12)
    new["hours"] *= 2
    new.to_csv(new_path, index=False)
    code, out, _ = _run(["predict", out_file, new_path], capsys)
    doubled = pd.read_csv(pd.io.common.StringIO(out))["prediction"].to_numpy()
    np.testing.assert_allclose(doubled, 2 * pred, rtol=1e-12)
    # the exposure column is required, and must be positive
    new.drop(columns=["hours"]).to_csv(new_path, index=False)
    code, _, err = _run(["predict", out_file, new_path], capsys)
    assert code == 2 and "hours" in err
    new.assign(hours=-1.0).to_csv(new_path, index=False)
    code, _, err = _run(["predict", out_file, new_path], capsys)
    assert code == 2 and "exposure column 'hours' must hold positive numbers" in err


@pytest.mark.slow
def test_poisson_nested_scores_are_held_out_deviances(counts, tmp_path, capsys):
    """The nested D² and mean deviance equal an independent outer loop: the same
    preprocessing and CV estimator refitted on each outer training fold (with its
    offsets), scored on the held-out fold with the exposure included."""
    from sklearn.base import clone
    from sklearn.metrics import d2_tweedie_score, mean_poisson_deviance
    from sklearn.model_selection import KFold

    out_file = tmp_path / "pois.skops"
    argv = ["fit", counts, "--target", "count", "--model", "poisson", "--exposure", "hours"]
    code, out, err = _run([*argv, "--drop", "amount", "--cv", 3, "--n-alphas", 5, "--out",
                           out_file], capsys)  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    d2_line = next(s for s in lines if "D² (deviance explained)" in s)
    dev_line = next(s for s in lines if "mean Poisson deviance" in s and "±" in s and "CV" not in s)
    d2_mean = float(d2_line.split(")")[1].split("±")[0])
    dev_mean = float(dev_line.split("deviance")[1].split("±")[0])

    df = pd.read_csv(counts)
    y = df["count"].to_numpy(dtype=float)
    offset = np.log(df["hours"].to_numpy())
    X = df.drop(columns=["count", "amount", "hours"])
    pre = load_model(out_file).model[0]
    folds = KFold(3, shuffle=True, random_state=0)
    d2, dev = [], []
    for train, test in folds.split(X, y):
        p = clone(pre).fit(X.iloc[train])
        est = ElasticNetRegressorCV(loss="poisson", l1_ratio=list(L1_RATIOS), alphas=5, cv=folds)
        est.fit(p.transform(X.iloc[train]), y[train], offset=offset[train])
        mu = est.predict(p.transform(X.iloc[test]), offset=offset[test])
        d2.append(d2_tweedie_score(y[test], mu, power=1))
        dev.append(mean_poisson_deviance(y[test], mu))
    assert d2_mean == pytest.approx(np.mean(d2), abs=1e-4)
    assert dev_mean == pytest.approx(np.mean(dev), rel=1e-3)
    assert 0 < d2_mean < 1


@pytest.mark.parametrize(
    "model, extra, label",
    [
        ("gamma", ["--target", "amount", "--drop", "count"], "Gamma deviance"),
        ("tweedie", ["--target", "count", "--power", 1.3], "Tweedie deviance (power=1.3)"),
    ],
)
def test_fit_gamma_and_tweedie(counts, tmp_path, capsys, model, extra, label):
    out_file = tmp_path / f"{model}.skops"
    argv = ["fit", counts, "--model", model, *extra, "--cv", 2, "--n-alphas", 4]
    code, out, err = _run([*argv, "--out", out_file, "--no-nested", "--quiet"], capsys)
    assert code == 0, err
    assert f"CV neg. mean {label}" in out
    final = load_model(out_file)[-1]
    assert final.loss == model
    if model == "tweedie":
        assert final.power == 1.3
    # no exposure: the features include the hours column
    assert "hours" in load_model(out_file).feature_names_in_


@pytest.mark.parametrize(
    "change, argv, message",
    [
        ({"count": -2}, ["--model", "poisson"], "target 'count' has 1 negative value(s)"),
        ({"amount": 0.0}, ["--model", "gamma"], "--model gamma needs positive amounts"),
        ({}, ["--model", "poisson", "--power", 1.5], "--power is the Tweedie variance power"),
        ({}, ["--model", "tweedie", "--power", 2.5], "1 < power < 2"),
        ({}, ["--model", "elasticnet", "--exposure", "hours"], "needs a log-link model"),
        ({}, ["--model", "poisson", "--exposure", "nope"], "no column 'nope'"),
        ({"hours": 0.0}, ["--model", "poisson", "--exposure", "hours"], "must hold positive"),
        ({}, ["--model", "poisson", "--exposure", "count"], "names the target"),
        ({}, ["--model", "poisson", "--offset", "x1", "--scoring", "r2"], "--scoring cannot"),
    ],
)
def test_glm_input_errors(tmp_path, capsys, change, argv, message):
    df = _counts(40)
    for column, value in change.items():
        df.loc[3, column] = value
    target = "amount" if "gamma" in argv else "count"
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    code, out, err = _run(["fit", path, "--target", target, *argv, "--cv", 2, "--quiet"], capsys)
    assert code == 2 and out == ""
    assert err.startswith("skdecay: error:") and message in err, err


def test_count_target_suggests_poisson(counts, tmp_path, capsys):
    """Without --model, a non-negative integer target gets the elastic net and a
    hint towards --model poisson; with an explicit --model, no hint."""
    argv = ["fit", counts, "--target", "count", "--drop", "amount", "--cv", 2, "--n-alphas", 3]
    argv += ["--no-nested", "--quiet", "--out", tmp_path / "m.skops"]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    assert "elasticnet (ElasticNetRegressor)" in out
    assert "non-negative integers (counts?): --model poisson" in out
    code, out, err = _run([*argv, "--model", "lasso"], capsys)
    assert code == 0, err
    assert "counts?" not in out
    # a target with a negative value is not a count
    df = _counts()
    df.loc[0, "count"] = -1
    df.to_csv(tmp_path / "neg.csv", index=False)
    code, out, err = _run([argv[0], tmp_path / "neg.csv", *argv[2:]], capsys)
    assert code == 0, err
    assert "counts?" not in out
