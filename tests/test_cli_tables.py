"""The ``skdecay`` command on messy tables: one file per problem seen on real data.

Every file is written to ``tmp_path`` by the test itself.  Each case asserts
the decision line of the report, or the single ``skdecay: error:`` line with
exit code 2; the nested score is recomputed with scikit-learn's
``cross_val_score`` on a hand-built pipeline.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("skops.io")
pytest.importorskip("matplotlib")

import skdecay  # noqa: E402
from skdecay import ElasticNetRegressorCV  # noqa: E402
from skdecay.cli import L1_RATIOS, load_model, main  # noqa: E402

FAST = ["--cv", 3, "--n-alphas", 4, "--no-nested", "--quiet"]


@pytest.fixture(autouse=True)
def _agg(monkeypatch, tmp_path):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)  # default model / plot files land here


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "color": rng.choice(["red", "green", "blue"], n),
        }
    )
    df["y"] = 2 * df["x1"] - df["x2"] + (df["color"] == "red") + 0.3 * rng.normal(size=n)
    return df


def _write(df: pd.DataFrame, path: Path, **kw) -> Path:
    df.to_csv(path, index=kw.pop("index", False), **kw)
    return path


def _one_error(code: int, out: str, err: str) -> str:
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skdecay: error: "), err
    return lines[0]


def _features(model_file) -> list[str]:
    return list(load_model(model_file)[0].get_feature_names_out())


# ---------------------------------------------------------------------------
# honest scores


def test_nested_score_equals_cross_val_score_of_the_pipeline(tmp_path, capsys):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = _frame(n=80, seed=3)
    df.loc[5, "x2"] = np.nan
    data = _write(df, tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", "--cv", 3, "--n-alphas", 5], capsys)
    assert code == 0, err
    assert (
        sum(line.startswith("  outer fold") for line in err.splitlines()) == 3
    )  # progress per fold
    m = re.search(r"estimated r2 of the whole procedure: (-?\d+\.\d+) ± (\d+\.\d+)", out)
    assert m, out

    # the same procedure built by hand: preprocessing + CV estimator, cross-validated together
    num = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    cat = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder())
    pre = ColumnTransformer([("num", num, ["x1", "x2"]), ("cat", cat, ["color"])])
    folds = KFold(3, shuffle=True, random_state=0)
    inner = ElasticNetRegressorCV(l1_ratio=list(L1_RATIOS), alphas=5, cv=folds, scoring="r2")
    X, y = df.drop(columns=["y"]), df["y"].to_numpy()
    scores = cross_val_score(make_pipeline(pre, inner), X, y, cv=folds, scoring="r2")
    assert float(m.group(1)) == pytest.approx(scores.mean(), abs=1e-4)
    assert float(m.group(2)) == pytest.approx(scores.std(), abs=1e-4)

    # the starred row's nonzero count is the number of selected features
    star = next(line for line in out.splitlines() if line.startswith("*"))
    selected = next(line for line in out.splitlines() if line.startswith("selected features"))
    n_sel = int(re.search(r"\((\d+)/\d+\)", selected).group(1))
    assert int(star.split()[-1]) == n_sel


def test_no_nested_says_the_score_is_optimistic(tmp_path, capsys):
    data = _write(_frame(), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert code == 0, err
    assert "optimistic" in out and "estimated r2" not in out


# ---------------------------------------------------------------------------
# columns


def test_id_index_constant_and_drop_columns(tmp_path, capsys):
    df = _frame()
    df.insert(0, "ID", np.arange(1, len(df) + 1))
    df["customer"] = [f"c{i:04d}" for i in range(len(df))]
    df["source"] = "web"
    df["leak"] = df["y"] * 2
    data = _write(df, tmp_path / "d.csv", index=True)  # pandas' index -> "Unnamed: 0"
    code, out, err = _run(["fit", data, "--target", "y", "--drop", "leak", *FAST], capsys)
    assert code == 0, err
    assert "column 'Unnamed: 0': dropped, a row index" in out
    assert "column 'ID': dropped, ID-like" in out
    assert "column 'customer': dropped, ID-like (unique text on every row)" in out
    assert "column 'source': dropped, constant ('web')" in out
    assert "column 'leak': dropped (--drop)" in out
    assert _features("model.skops") == ["x1", "x2", "color_blue", "color_green", "color_red"]

    code, out, err = _run(["fit", data, "--target", "y", "--drop", "nope", *FAST], capsys)
    assert "--drop: no column 'nope'" in _one_error(code, out, err)


def test_numbers_written_as_text_are_read(tmp_path, capsys):
    df = _frame()
    df["x1"] = df["x1"] * 1000
    text = df.astype({"x2": object})
    text["x1"] = [f"{v:,.1f}" for v in df["x1"]]  # "1,234.5"
    text.loc[3, "x1"] = "?"
    text.loc[8, "x2"] = "missing"
    data = _write(text, tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert code == 0, err
    assert re.search(r"column 'x1': numbers written as text, read as numbers \(\d+ with "
                     r"thousands separators .*1 missing marker\(s\) '\?'", out)  # fmt: skip
    assert "column 'x2': numbers written as text" in out and "'missing'" in out
    model = load_model("model.skops")
    assert _features("model.skops")[:2] == ["x1", "x2"]  # numeric, not one-hot categories
    # the saved pipeline reads "1,234.5" like 1234.5 (and "?" as missing, imputed)
    clean = df.drop(columns=["y"]).round({"x1": 1})
    clean.loc[3, "x1"] = np.nan
    clean.loc[8, "x2"] = np.nan
    np.testing.assert_allclose(
        model[0].transform(text.drop(columns=["y"])), model[0].transform(clean), atol=1e-6
    )


def test_stray_text_in_a_number_column_is_reported(tmp_path, capsys):
    df = _frame(n=80).astype({"x1": object})
    df.loc[2, "x1"] = "oops"
    data = _write(df, tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert code == 0, err
    assert "1 unreadable cell(s) ('oops') set to missing" in out
    assert "x1" in _features("model.skops")


def test_dates_become_numeric_features_and_predict_reads_them(tmp_path, capsys):
    df = _frame(n=90)
    df["day"] = pd.date_range("2020-01-01", periods=len(df), freq="3D").strftime("%Y-%m-%d")
    data = _write(df, tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert code == 0, err
    assert "column 'day': dates, encoded as years + month and weekday on a circle" in out
    names = _features("model.skops")
    assert [n for n in names if n.startswith("day_")] == [
        "day_years", "day_month_sin", "day_month_cos", "day_weekday_sin", "day_weekday_cos"
    ]  # fmt: skip
    years = load_model("model.skops")[0].named_transformers_["date"][0].transform(df[["day"]])
    np.testing.assert_allclose(years[0, 0], 2020.0)  # 1 January 2020
    new = _write(df.drop(columns=["y"]).head(5), tmp_path / "new.csv")
    code, out, err = _run(["predict", "model.skops", new], capsys)
    assert code == 0, err
    assert len(out.splitlines()) == 6


def test_high_cardinality_text_is_bounded(tmp_path, capsys):
    rng = np.random.default_rng(1)
    df = _frame(n=200)
    df["city"] = rng.choice([f"town{i}" for i in range(70)], len(df))
    data = _write(df, tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert code == 0, err
    assert re.search(r"column 'city': \d+ distinct values; one-hot encoded as its 19 most", out)
    city = [n for n in _features("model.skops") if n.startswith("city_")]
    assert len(city) <= 20 and "city_infrequent_sklearn" in city


def test_duplicate_column_names_are_an_error(tmp_path, capsys):
    path = tmp_path / "dup.csv"
    path.write_text("a,y,b,y\n" + "".join(f"{i},{i},{i % 3},{i}\n" for i in range(20)))
    code, out, err = _run(["fit", path, "--target", "y", *FAST], capsys)
    assert "two columns named 'y' (columns 2 and 4)" in _one_error(code, out, err)


def test_semicolon_file_gets_a_hint_and_reads_with_sep(tmp_path, capsys):
    data = _write(_frame(), tmp_path / "semi.csv", sep=";")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert "pass --sep ';'" in _one_error(code, out, err)
    code, out, err = _run(["fit", data, "--target", "y", "--sep", ";", *FAST], capsys)
    assert code == 0, err


def test_encoding_option(tmp_path, capsys):
    df = _frame()
    df["color"] = df["color"].replace({"red": "rouge foncé"})
    data = _write(df, tmp_path / "latin.csv", encoding="latin-1")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert "--encoding latin-1" in _one_error(code, out, err)
    code, out, err = _run(["fit", data, "--target", "y", "--encoding", "latin-1", *FAST], capsys)
    assert code == 0, err
    assert "color_rouge foncé" in _features("model.skops")


# ---------------------------------------------------------------------------
# target kind


def test_integer_target_kind_is_printed_and_overridable(tmp_path, capsys):
    df = _frame(n=90)
    df["cards"] = np.clip(np.round(df["x1"] + 3), 1, 7).astype(int)
    data = _write(df.drop(columns=["y"]), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "cards", "--cv", 2] + FAST[2:], capsys)
    assert code == 0, err
    n = df["cards"].nunique()
    assert (
        f"target 'cards': treated as classification ({n} integer values); "
        "pass --task regression for regression"
    ) in out
    assert out.count("logistic (ElasticNetClassifier)") == 1
    code, out, err = _run(["fit", data, "--target", "cards", "--task", "regression", *FAST], capsys)
    assert code == 0, err
    assert "target 'cards': regression (--task regression" in out
    assert "elasticnet (ElasticNetRegressor)" in out


def test_rare_class_error_suggests_regression(tmp_path, capsys):
    df = _frame(n=60)
    df["cards"] = np.where(np.arange(60) == 0, 9, np.arange(60) % 4)
    data = _write(df.drop(columns=["y"]), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "cards", *FAST], capsys)
    line = _one_error(code, out, err)
    assert "class '9' of 'cards' has 1 row(s)" in line and "--task regression" in line


# ---------------------------------------------------------------------------
# errors: one line, exit 2


def test_user_errors_are_one_line(tmp_path, capsys):
    df = _frame()
    df.loc[4, "x2"] = np.inf
    inf_file = _write(df, tmp_path / "inf.csv")
    code, out, err = _run(["fit", inf_file, "--target", "y", *FAST], capsys)
    assert "column 'x2' has 1 infinite value(s)" in _one_error(code, out, err)

    data = _write(_frame(), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", "--scoring", "accuracy", *FAST], capsys)
    assert "--scoring accuracy is a classification score" in _one_error(code, out, err)
    code, out, err = _run(["fit", data, "--target", "color", "--scoring", "r2", *FAST], capsys)
    assert "--scoring r2 is a regression score" in _one_error(code, out, err)


def test_predict_errors_are_one_line(tmp_path, capsys):
    data = _write(_frame(), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", *FAST], capsys)
    assert code == 0, err

    bad = _frame().drop(columns=["y"]).astype({"x1": object})
    bad.loc[1, "x1"] = "abc"
    bad_file = _write(bad, tmp_path / "bad.csv")
    code, out, err = _run(["predict", "model.skops", bad_file], capsys)
    line = _one_error(code, out, err)
    assert "column 'x1' must hold numbers" in line and "'abc'" in line

    inf = _frame().drop(columns=["y"])
    inf.loc[0, "x2"] = np.inf
    code, out, err = _run(["predict", "model.skops", _write(inf, tmp_path / "inf.csv")], capsys)
    assert "infinity" in _one_error(code, out, err)

    blob = Path("model.skops").read_bytes()
    for name, damaged in [
        ("truncated.skops", blob[: len(blob) // 2]),
        ("flipped.skops", blob[:200] + bytes(b ^ 0xFF for b in blob[200:400]) + blob[400:]),
    ]:
        Path(name).write_bytes(damaged)
        code, out, err = _run(["predict", name, bad_file], capsys)
        assert repr(name) in _one_error(code, out, err)


# ---------------------------------------------------------------------------
# start-up


def _cpu_seconds(args) -> float:
    """CPU time (user + system) of one child process: unlike wall time, not inflated by
    other processes competing for the cores."""
    import resource

    root = str(Path(skdecay.__file__).resolve().parent.parent)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=root)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert proc.returncode == 0, proc.stderr
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_help_and_version_are_fast():
    for args in (["--version"], ["--help"], ["fit", "--help"]):
        took = min(_cpu_seconds(["-m", "skdecay", *args]) for _ in range(3))
        assert took < 0.5, (args, took)


# ---------------------------------------------------------------------------
# the figure the command writes


def _written_figure(monkeypatch):
    import matplotlib.pyplot as plt

    closed = []
    real_close = plt.close
    monkeypatch.setattr(plt, "close", lambda fig=None: (closed.append(fig), real_close(fig)))
    return closed


def test_path_figure_titles_say_what_is_drawn(tmp_path, capsys, monkeypatch):
    closed = _written_figure(monkeypatch)
    data = _write(_frame(n=60), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", "--model", "lasso", *FAST], capsys)
    assert code == 0, err
    ax = closed[-1].axes[0]
    assert "lasso on d.csv" in ax.get_title() and "l1_ratio = 1" in ax.get_title()
    assert ax.get_ylabel() == "coefficient on standardized features"
    # the named lines are the selected model's nonzero coefficients
    model = load_model("model.skops")[-1]
    names = np.asarray(_features("model.skops"))
    named = {t.get_text() for t in ax.get_legend().get_texts()[:-1]}
    assert named == set(names[model.coef_ != 0])

    argv = ["fit", data, "--target", "y", "--model", "mlp", "--n-alphas", 2, *FAST[:2], *FAST[4:]]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    ax = closed[-1].axes[0]
    assert "first-layer weight norm" in ax.get_title()
    assert ax.get_ylabel() == "norm of the input's first-layer weights"
    assert "mlp: one hidden layer of 32 units" in out
    star = next(line for line in out.splitlines() if line.startswith("*"))
    selected = next(line for line in out.splitlines() if line.startswith("selected features"))
    assert f"({star.split()[-1]}/" in selected  # inputs in use = selected inputs


def test_multiclass_figure_names_the_classes(tmp_path, capsys, monkeypatch):
    closed = _written_figure(monkeypatch)
    df = _frame(n=90)
    df["kind"] = np.select([df["x1"] < -0.4, df["x1"] > 0.4], ["low", "high"], "mid")
    data = _write(df.drop(columns=["y"]), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "kind", *FAST], capsys)
    assert code == 0, err
    labels = [t.get_text() for t in closed[-1].axes[0].get_legend().get_texts()[:-1]]
    assert labels and all(label.split(": ")[0] in {"high", "low", "mid"} for label in labels)


def test_feature_groups_follow_the_input_columns():
    from skdecay._table import build_preprocessor, feature_groups, plan_columns

    df = _frame(n=40).drop(columns=["y"])
    df["color_x"] = np.arange(40) % 5 * 1.5  # a numeric column whose name prefixes nothing
    df["day"] = pd.date_range("2021-03-01", periods=40).strftime("%Y-%m-%d")
    X, plan = plan_columns(df)
    pre = build_preprocessor(plan).fit(X)
    names = list(pre.get_feature_names_out())
    groups = feature_groups(pre)
    assert len(groups) == len(names)
    for name, group in zip(names, groups):
        if name in ("x1", "x2", "color_x"):
            assert group == name
        elif name.startswith("day_"):
            assert group == "day"
        else:
            assert group == "color" and name.split("_")[1] in {"red", "green", "blue"}


# ---------------------------------------------------------------------------
# --groups columns: one coefficient group per input column


def test_feature_groups_match_within_each_transformer():
    """``feature_groups`` is ``groups_from_feature_names`` run per transformer, so a
    category ``size_s`` of ``kind`` stays with ``kind`` beside a numeric ``kind_size``
    (matching all columns at once reads it as ``kind_size``)."""
    from skdecay import groups_from_feature_names
    from skdecay._table import build_preprocessor, feature_groups, plan_columns

    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "kind_size": rng.normal(size=30),
            "kind": rng.choice(["size_s", "size_l", "plain"], 30),
        }
    )
    X, plan = plan_columns(df)
    pre = build_preprocessor(plan).fit(X)
    names = list(pre.get_feature_names_out())
    assert names == ["kind_size", "kind_plain", "kind_size_l", "kind_size_s"]
    assert feature_groups(pre) == ["kind_size", "kind", "kind", "kind"]
    assert groups_from_feature_names(names, df.columns).tolist() == [
        "kind_size", "kind", "kind_size", "kind_size"
    ]  # fmt: skip


def _grouped_frame(n: int = 90, seed: int = 0) -> pd.DataFrame:
    df = _frame(n=n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    df["shape"] = rng.choice(["square", "round", "flat", "tall"], n)  # noise: a whole group
    return df


def test_groups_columns_is_the_group_lasso_over_input_columns(tmp_path, capsys):
    """``--model lasso --groups columns`` = ``ElasticNetRegressorCV(l1_ratio=0)`` with
    one index group per input column, built by hand on a hand-built pipeline: the same
    alpha, coefficients and predictions; the saved model (holding ``ColumnGroups``)
    loads with the command's trusted types; every group is all zero or all nonzero."""
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = _grouped_frame()
    data = _write(df, tmp_path / "d.csv")
    argv = ["fit", data, "--target", "y", "--model", "lasso", "--groups", "columns", *FAST]
    code, out, err = _run([*argv, "--n-alphas", 12, "--out", tmp_path / "m.skops"], capsys)
    assert code == 0, err
    assert "--groups columns: 4 groups, one per input column (9 features)" in out
    alpha = float(re.search(r"selected: alpha=([0-9.e+-]+), l1_ratio=0 ", out).group(1))

    num = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    cat = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder())
    pre = ColumnTransformer(
        [("num", num, ["x1", "x2"]), ("cat", cat, ["color", "shape"])], sparse_threshold=0
    )
    X, y = df.drop(columns=["y"]), df["y"].to_numpy()
    Xt = pre.fit_transform(X)
    hand = [np.array([0]), np.array([1]), np.arange(2, 5), np.arange(5, 9)]  # x1 x2 color shape
    folds = KFold(3, shuffle=True, random_state=0)
    ref = ElasticNetRegressorCV(l1_ratio=0.0, alphas=12, cv=folds, scoring="r2", groups=hand)
    ref.fit(Xt, y)
    assert alpha == pytest.approx(ref.alpha_, rel=1e-3)  # printed with 4 digits

    model = load_model(tmp_path / "m.skops")
    final = model[-1]
    assert final.groups == skdecay.ColumnGroups(["x1", "x2", "color", "shape"])
    assert final.l1_ratio == 0.0 and final.alpha == pytest.approx(ref.alpha_, rel=1e-12)
    same = skdecay.ElasticNetRegressor(alpha=final.alpha, l1_ratio=0.0, groups=hand).fit(Xt, y)
    np.testing.assert_allclose(final.coef_, same.coef_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(model.predict(X), same.predict(Xt), rtol=1e-8, atol=1e-10)
    # along the grid, the saved model's ColumnGroups on the saved preprocessing's
    # frame is the hand-grouped fit; where some groups are out, they are out whole
    frame = model[0].transform(X)
    mixed = 0
    for a in np.ravel(ref.alphas_):
        by_columns = clone(final).set_params(alpha=a).fit(frame, y).coef_
        by_hand = clone(same).set_params(alpha=a).fit(Xt, y).coef_
        np.testing.assert_allclose(by_columns, by_hand, rtol=1e-8, atol=1e-12)
        zero = [bool(np.all(by_hand[g] == 0)) for g in hand]
        assert all(z or np.all(by_hand[g] != 0) for z, g in zip(zero, hand))
        mixed += any(zero) and not all(zero)
    assert mixed >= 2


def test_groups_columns_default_model_tunes_the_sparse_group_mix(tmp_path, capsys):
    """The default model with ``--groups columns`` searches ``l1_ratio`` over
    ``GROUP_L1_RATIOS`` (0 = group lasso; 1, the plain lasso, left out), as
    ``ElasticNetRegressorCV(groups=...)`` over those values."""
    from sklearn.model_selection import KFold

    from skdecay.cli._settings import GROUP_L1_RATIOS

    df = _grouped_frame(seed=2)
    data = _write(df, tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "y", "--groups", "columns", *FAST], capsys)
    assert code == 0, err
    assert 0.0 in GROUP_L1_RATIOS and 1.0 not in GROUP_L1_RATIOS
    assert f"the best of {4 * len(GROUP_L1_RATIOS)} settings" in out
    m = re.search(r"selected: alpha=([0-9.e+-]+), l1_ratio=([0-9.]+) ", out)
    model = load_model("model.skops")
    search_grid = skdecay.ElasticNetRegressorCV(
        l1_ratio=list(GROUP_L1_RATIOS),
        alphas=4,
        cv=KFold(3, shuffle=True, random_state=0),
        groups=model[-1].group_ids_,
    ).fit(np.asarray(model[0].transform(df.drop(columns=["y"]))), df["y"].to_numpy())
    assert float(m.group(2)) == search_grid.l1_ratio_
    assert float(m.group(1)) == pytest.approx(search_grid.alpha_, rel=1e-3)


def test_groups_columns_binary_logistic_predicts_after_loading(tmp_path, capsys):
    df = _grouped_frame(n=120, seed=4)
    df["label"] = np.where(df["y"] > df["y"].median(), "high", "low")
    data = _write(df.drop(columns=["y"]), tmp_path / "d.csv")
    code, out, err = _run(["fit", data, "--target", "label", "--groups", "columns", *FAST], capsys)
    assert code == 0, err
    model = load_model("model.skops")
    coef = model[-1].coef_.ravel()
    ids = model[-1].group_ids_
    assert ids.tolist() == [0, 1, 2, 2, 2, 3, 3, 3, 3]
    assert "--groups columns: 4 groups" in out
    proba = model.predict_proba(df.drop(columns=["y", "label"]))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    for g in range(4):  # the mix may zero single members, but an empty group is all zero
        assert np.any(coef[ids == g] != 0) or np.all(coef[ids == g] == 0)


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--model", "ridge"], "needs a model with a group penalty"),
        (["--model", "mlp"], "needs a model with a group penalty"),
        (["--target", "color"], "3 classes"),
    ],
)
def test_groups_columns_refuses_what_it_cannot_fit(tmp_path, capsys, extra, needle):
    data = _write(_grouped_frame(), tmp_path / "d.csv")
    argv = ["fit", data, "--target", "y", "--groups", "columns", *FAST, *extra]
    line = _one_error(*_run(argv, capsys))
    assert needle in line


def test_groups_columns_refuses_ambiguous_column_names(tmp_path, capsys):
    rng = np.random.default_rng(3)
    df = pd.DataFrame(
        {
            "kind_size": rng.normal(size=60),
            "kind": rng.choice(["size_s", "size_l", "plain"], 60),
        }
    )
    df["y"] = df["kind_size"] + (df["kind"] == "plain") + 0.3 * rng.normal(size=60)
    data = _write(df, tmp_path / "d.csv")
    line = _one_error(*_run(["fit", data, "--target", "y", "--groups", "columns", *FAST], capsys))
    assert "'kind_size_l' of 'kind' (read as 'kind_size')" in line


def test_groups_columns_poisson_with_exposure_matches_a_hand_grouped_fit(tmp_path, capsys):
    """``--model poisson --exposure COL --groups columns``: the selection equals
    ``ElasticNetRegressorCV(loss="poisson", groups=<hand index groups>)`` fitted with
    the log-exposure offset on the hand-preprocessed rows; the saved model predicts
    its coefficients' means times the exposure."""
    from sklearn.model_selection import KFold
    from sklearn.preprocessing import StandardScaler

    from skdecay.cli._settings import GROUP_L1_RATIOS

    rng = np.random.default_rng(5)
    n = 150
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "region": rng.choice(["E", "N", "S", "W"], n),
            "expo": rng.uniform(0.5, 2.0, n),
        }
    )
    df["claims"] = rng.poisson(df["expo"] * np.exp(0.5 * df["x"] + 0.7 * (df["region"] == "N")))
    data = _write(df, tmp_path / "c.csv")
    argv = ["fit", data, "--target", "claims", "--model", "poisson", "--exposure", "expo"]
    code, out, err = _run([*argv, "--groups", "columns", *FAST], capsys)
    assert code == 0, err
    m = re.search(r"selected: alpha=([0-9.e+-]+), l1_ratio=([0-9.]+) ", out)

    Xt = np.column_stack(
        [
            StandardScaler().fit_transform(df[["x"]]),
            pd.get_dummies(df["region"]).to_numpy(dtype=float),  # E N S W
        ]
    )
    y, offset = df["claims"].to_numpy(dtype=float), np.log(df["expo"].to_numpy())
    hand = [np.array([0]), np.arange(1, 5)]
    ref = ElasticNetRegressorCV(
        loss="poisson",
        l1_ratio=list(GROUP_L1_RATIOS),
        alphas=4,
        cv=KFold(3, shuffle=True, random_state=0),
        groups=hand,
    ).fit(Xt, y, offset=offset)
    assert float(m.group(2)) == ref.l1_ratio_
    assert float(m.group(1)) == pytest.approx(ref.alpha_, rel=1e-3)
    model = load_model("model.skops")
    inner = model.model[-1]
    assert inner.group_ids_.tolist() == [0, 1, 1, 1, 1]
    same = skdecay.ElasticNetRegressor(
        loss="poisson", alpha=inner.alpha, l1_ratio=inner.l1_ratio, groups=hand
    ).fit(Xt, y, offset=offset)
    np.testing.assert_allclose(inner.coef_, same.coef_, rtol=1e-6, atol=1e-9)
    expected = same.predict(Xt) * df["expo"].to_numpy()
    np.testing.assert_allclose(model.predict(df.drop(columns=["claims"])), expected, rtol=1e-6)


# ---------------------------------------------------------------------------
# the reported path is the estimator's own (skdecay.estimator_path), not a rebuilt one


def _reported(monkeypatch):
    """The ``_Tuned`` each ``fit`` reports (table, plot): recorded at ``_write_plot``."""
    import skdecay.cli._fit as fit_module

    seen = []
    real = fit_module._write_plot
    monkeypatch.setattr(
        fit_module, "_write_plot", lambda tuned, *a, **k: (seen.append(tuned), real(tuned, *a, **k))
    )
    return seen


def _check_reported_path(tuned, out, final, reference):
    """The table's alphas and nonzero column, and the plotted path, are ``reference``'s
    path; the starred row is the saved model's ``coef_`` (``reference`` solves the same
    problem there, cold-started: equal to the solvers' tolerance; the one-hot groups
    beside the intercept make the grouped fit's minimiser flat in some directions)."""
    rows = [line.split() for line in out.splitlines() if re.match(r"^[* ] +\d", line)]
    assert len(rows) == tuned.alphas.size
    np.testing.assert_allclose([float(r[-4]) for r in rows], tuned.alphas, rtol=1e-3)
    np.testing.assert_array_equal(tuned.alphas, reference.alphas)
    coefs, ref = tuned.path.coefs, np.asarray(reference.coefs)
    other = np.arange(tuned.alphas.size) != tuned.best
    np.testing.assert_allclose(coefs[other], ref[other], rtol=0, atol=1e-10)
    assert [int(r[-1]) for r in rows] == np.count_nonzero(coefs, axis=1).tolist()
    np.testing.assert_array_equal(coefs[tuned.best], final.coef_)
    scale = np.abs(final.coef_).max()
    np.testing.assert_allclose(ref[tuned.best], final.coef_, rtol=0, atol=1e-3 * scale)
    counts = np.count_nonzero(ref, axis=1)
    assert counts.min() < counts.max()  # a path, not a constant


def test_groups_columns_reported_path_is_the_estimator_path(tmp_path, capsys, monkeypatch):
    """``--groups columns`` (sparse-group lasso): the reported path equals
    ``skdecay.estimator_path`` of the saved pipeline on the table's grid, and a hand
    ``enet_path`` call with the input columns' index groups on hand-preprocessed rows."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    seen = _reported(monkeypatch)
    df = _grouped_frame(seed=2)
    data = _write(df, tmp_path / "d.csv")
    argv = ["fit", data, "--target", "y", "--groups", "columns", *FAST, "--n-alphas", 8]
    code, out, err = _run(argv, capsys)
    assert code == 0, err
    tuned = seen[-1]
    model = load_model("model.skops")
    X, y = df.drop(columns=["y"]), df["y"].to_numpy()
    via_estimator = skdecay.estimator_path(model, X, y, alphas=tuned.alphas)
    _check_reported_path(tuned, out, model[-1], via_estimator)

    num = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    cat = make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder())
    pre = ColumnTransformer(
        [("num", num, ["x1", "x2"]), ("cat", cat, ["color", "shape"])], sparse_threshold=0
    )
    hand = [np.array([0]), np.array([1]), np.arange(2, 5), np.arange(5, 9)]
    by_hand = skdecay.enet_path(
        pre.fit_transform(X), y, l1_ratio=tuned.l1_ratio, alphas=tuned.alphas, groups=hand
    )
    _check_reported_path(tuned, out, model[-1], by_hand)
    # groups, not single features: some alpha keeps a group whole and drops another whole
    zero = np.array([[np.all(c[g] == 0) for g in hand] for c in by_hand.coefs])
    assert np.any(zero.any(axis=1) & ~zero.all(axis=1))


def test_poisson_exposure_reported_path_is_the_estimator_path(tmp_path, capsys, monkeypatch):
    """``--model poisson --exposure COL``: the reported path is the Poisson path with
    the log-exposure offset: ``estimator_path`` of the saved pipeline with that offset,
    and a hand ``enet_path(loss="poisson", offset=...)`` call; without the offset it
    would differ."""
    from sklearn.preprocessing import StandardScaler

    seen = _reported(monkeypatch)
    rng = np.random.default_rng(7)
    n = 150
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "z": rng.normal(size=n),
            "region": rng.choice(["E", "N", "S", "W"], n),
            "expo": rng.uniform(0.2, 3.0, n),
        }
    )
    mean = df["expo"] * np.exp(0.5 * df["x"] + 0.7 * (df["region"] == "N"))
    df["claims"] = rng.poisson(mean)
    data = _write(df, tmp_path / "c.csv")
    argv = ["fit", data, "--target", "claims", "--model", "poisson", "--exposure", "expo"]
    code, out, err = _run([*argv, *FAST, "--n-alphas", 8], capsys)
    assert code == 0, err
    tuned = seen[-1]
    assert tuned.value_name.endswith("(log-mean scale)")
    model = load_model("model.skops")
    X, y = df.drop(columns=["claims"]), df["claims"].to_numpy(dtype=float)
    offset = np.log(df["expo"].to_numpy())
    inner = model.model
    via_estimator = skdecay.estimator_path(inner, X, y, alphas=tuned.alphas, offset=offset)
    _check_reported_path(tuned, out, inner[-1], via_estimator)

    Xt = np.column_stack(
        [
            StandardScaler().fit_transform(df[["x", "z"]]),
            pd.get_dummies(df["region"]).to_numpy(dtype=float),  # E N S W
        ]
    )
    np.testing.assert_allclose(np.asarray(inner[0].transform(X)), Xt, atol=1e-12)
    by_hand = skdecay.enet_path(
        Xt, y, loss="poisson", l1_ratio=tuned.l1_ratio, alphas=tuned.alphas, offset=offset
    )
    _check_reported_path(tuned, out, inner[-1], by_hand)
    no_offset = skdecay.enet_path(
        Xt, y, loss="poisson", l1_ratio=tuned.l1_ratio, alphas=tuned.alphas
    )
    assert np.abs(np.asarray(no_offset.coefs) - tuned.path.coefs).max() > 1e-3
