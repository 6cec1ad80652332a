"""The ``fit`` and ``demo`` sub-commands: read, plan the columns, tune, report, write."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

from ._reading import (
    _check_glm_options,
    _check_glm_target,
    _check_scoring,
    _is_numeric,
    _looks_like_counts,
    _read_csv,
    _target_kind,
)
from ._report import _edge_note, _print_table, _selected_features, _write_plot
from ._settings import _GLM, _REGRESSION_ONLY, DEFAULT_POWER, L1_RATIOS, MAX_CLASSES, CLIError
from ._tuning import (
    _deviance_name,
    _finish_grid,
    _finish_linear,
    _fit_pipeline,
    _nested_scores,
    _selector,
)


def _fit_frame(
    df,
    target: str,
    *,
    model: str | None,
    cv: int,
    n_alphas: int,
    seed: int,
    out: Path,
    plot: Path,
    scoring: str | None = None,
    quiet: bool = False,
    source: str = "data",
    drop: tuple[str, ...] = (),
    task: str = "auto",
    nested: bool = True,
    power: float | None = None,
    exposure: str | None = None,
    offset_column: str | None = None,
    groups: str | None = None,
) -> int:
    """The ``fit`` pipeline on a DataFrame (shared by ``fit`` and ``demo``)."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, StratifiedKFold

    from .._groups import ColumnGroups
    from .._table import (
        ExposureModel,
        build_preprocessor,
        feature_groups,
        offset_from_column,
        plan_columns,
    )
    from ..linear_model import deviance_power

    def log(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    if target not in df.columns:
        raise CLIError(
            f"target column {target!r} not found; columns are: {', '.join(map(str, df.columns))}"
        )
    unknown = [c for c in drop if c not in df.columns]
    if unknown:
        raise CLIError(f"--drop: no column {', '.join(map(repr, unknown))} in the file")
    if target in drop:
        raise CLIError(f"--drop names the target {target!r}")
    power = _check_glm_options(model, power, exposure, offset_column, target, df.columns, drop)
    report = []
    missing_target = int(df[target].isna().sum())
    if missing_target:
        report.append(f"target {target!r}: {missing_target} rows without a value dropped")
    df = df[df[target].notna()].reset_index(drop=True)
    if df.shape[0] < 2 * cv:
        raise CLIError(f"{df.shape[0]} rows with a target value: too few for {cv}-fold CV")
    y_raw, X = df[target], df.drop(columns=[target])
    offset = None
    column = exposure if exposure is not None else offset_column
    if column is not None:  # the offset's column is not a feature
        try:
            offset = offset_from_column(X[column], column, log=exposure is not None)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
        X = X.drop(columns=[column])
        report.append(
            f"exposure {column!r}: log({column}) is every row's offset, not a feature"
            if exposure is not None
            else f"offset {column!r}: added to every row's linear predictor, not a feature"
        )
    if X.shape[1] == 0:
        raise CLIError("no feature columns besides the target")

    if model in _REGRESSION_ONLY and task == "classification":
        raise CLIError(f"--model {model} is a regression model, but --task classification")
    if model == "logistic" and task == "regression":
        raise CLIError("--model logistic is a classifier, but --task regression")
    if model in _REGRESSION_ONLY and task == "auto":
        task = "regression"
    kind, kind_line = _target_kind(y_raw, target, task)
    chosen = model is None
    if model is None:
        model = "elasticnet" if kind == "regression" else "logistic"
    elif model in _REGRESSION_ONLY and not _is_numeric(y_raw):
        raise CLIError(
            f"--model {model} needs a numeric target, but {target!r} is {y_raw.dtype} "
            "(use --model logistic or mlp)"
        )
    elif model == "logistic" and kind == "regression":
        raise CLIError(
            f"--model logistic needs class labels, but {target!r} looks continuous "
            f"(non-integer values or more than {MAX_CLASSES} distinct values; --task "
            "classification to insist)"
        )
    report.append(kind_line)
    if chosen and kind == "regression" and _looks_like_counts(y_raw):
        report.append(
            f"target {target!r}: non-negative integers (counts?): --model poisson fits a "
            "log-link elastic net, scored by the Poisson deviance"
        )
    if model in _GLM and scoring is not None and offset is not None:
        raise CLIError(
            "--scoring cannot be combined with --exposure/--offset (a scikit-learn scorer "
            "does not see the offset); leave it out to score by the mean deviance"
        )
    scoring = None if model in _GLM and scoring is None else _check_scoring(scoring, kind)
    if kind == "classification":
        y = np.asarray(y_raw.astype(str)) if not _is_numeric(y_raw) else y_raw.to_numpy()
        labels, counts = np.unique(y, return_counts=True)
        if counts.size < 2:
            raise CLIError(f"target {target!r} has a single class")
        if counts.min() < cv:
            hint = (
                f"; pass --task regression if {target!r} is a quantity"
                if _is_numeric(y_raw)
                else ""
            )
            raise CLIError(
                f"class {str(labels[np.argmin(counts)])!r} of {target!r} has {counts.min()} "
                f"row(s): "
                f"too few for {cv}-fold CV{hint}"
            )
        splitter = StratifiedKFold(cv, shuffle=True, random_state=seed)
        if groups is not None and counts.size > 2:
            raise CLIError(
                f"--groups {groups} with {counts.size} classes: the cross-validated grouped "
                "logistic model takes two classes only"
            )
    else:
        y = y_raw.to_numpy(dtype=np.float64)
        if not np.all(np.isfinite(y)):
            raise CLIError(f"target {target!r} has infinite values")
        if model in _GLM:
            _check_glm_target(y, target, model, power)
        splitter = KFold(cv, shuffle=True, random_state=seed)

    try:
        X, plan = plan_columns(X, drop)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    report += plan.decisions
    X = X.drop(columns=plan.dropped)
    if X.shape[1] == 0:
        raise CLIError("no feature columns left after dropping the columns listed above")
    if groups is not None and model in ("ridge", "mlp"):
        raise CLIError(
            f"--groups {groups} needs a model with a group penalty: elasticnet, lasso, "
            f"logistic, poisson, gamma or tweedie, not {model}"
        )
    # one group per input column, read from the feature names in every fit (so the
    # groups follow the one-hot width of each CV fold): the model sees pandas frames
    column_groups = ColumnGroups(X.columns) if groups is not None else None

    t0 = time.perf_counter()
    pre = build_preprocessor(plan)
    if column_groups is not None:
        pre.set_output(transform="pandas")
    selector = _selector(
        kind, model, n_alphas, splitter, scoring, seed, X.shape[0], power, column_groups
    )
    deviance = None
    if model in _GLM and scoring is None:  # held-out D² and mean deviance of the nested CV
        deviance = deviance_power(model, DEFAULT_POWER if power is None else power)
    log(
        f"skdecay fit: {source}: {X.shape[0]} rows, {X.shape[1]} columns; target {target!r} "
        f"({kind}); model {model}; {cv}-fold CV, {n_alphas} alphas"
        + (f"; nested over {cv} outer folds" if nested else "")
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            nested_scores = (
                _nested_scores(
                    X, y, pre, selector, splitter, scoring, log, power=deviance, offset=offset
                )
                if nested
                else None
            )
            t1 = time.perf_counter()
            search = _fit_pipeline(pre, selector, X, y, offset)
            frame = search[0].transform(X)  # a DataFrame with --groups
            Xt = np.asarray(frame, dtype=np.float64)
            if model in ("ridge", "mlp"):
                tuned = _finish_grid(search[-1], Xt, y, model)
            else:
                data = Xt if column_groups is None else frame
                tuned = _finish_linear(search[-1], data, y, kind, model, power, offset)
        except ValueError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CLIError(f"tuning failed: {first}") from None
        log(f"  selection on all {X.shape[0]} rows ({time.perf_counter() - t1:.1f} s)")
    unconverged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning) and not issubclass(
            w.category, UserWarning
        ):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if unconverged:
        log(f"  note: {len(unconverged)} ConvergenceWarning(s) during tuning (max_iter reached)")
    pre = search[0]
    names = np.asarray(pre.get_feature_names_out(), dtype=object)
    final = tuned.estimator
    if column_groups is not None:
        by_name, by_transformer = column_groups.labels(names), feature_groups(pre)
        if by_name.tolist() != by_transformer:  # e.g. a category "b_c" of "a" beside "a_b"
            clash = [
                f"{str(n)!r} of {str(t)!r} (read as {str(g)!r})"
                for n, g, t in zip(names, by_name, by_transformer, strict=False)
                if g != t
            ]
            raise CLIError(
                f"--groups columns: a feature's name starts with another column's name: "
                f"{', '.join(clash[:3])}; rename that column"
            )
        n_groups = int(np.max(final.group_ids_)) + 1
        report.append(
            f"--groups columns: {n_groups} groups, one per input column ({names.size} "
            "features); l1_ratio mixes L1 with the group norm (0: the group lasso)"
        )
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline([("preprocess", pre), ("model", final)])
    if column is not None:
        pipeline = ExposureModel(pipeline, column, log=exposure is not None)

    import skops.io as sio

    sio.dump(pipeline, out)
    title = f"{model} on {source}"
    if model == "mlp":
        title += ": first-layer weight norm of each input, one fit per alpha"
    groups = feature_groups(pre)
    groups = groups if len(groups) == names.size else None
    _write_plot(tuned, names, title, plot, ridge=model == "ridge", groups=groups)
    seconds = time.perf_counter() - t0

    stdout = sys.stdout
    print(
        f"{source}: {X.shape[0]} rows, {X.shape[1]} columns -> {names.size} features", file=stdout
    )
    for line in report:
        print(f"  {line}", file=stdout)
    ratio = "" if tuned.l1_ratio is None else f", l1_ratio={tuned.l1_ratio:g}"
    where = "" if tuned.l1_ratio is None else f" at l1_ratio={tuned.l1_ratio:g}"
    chose = "alpha" if tuned.l1_ratio is None or model == "lasso" else "alpha and l1_ratio"
    print(
        f"{model} ({type(final).__name__}): {chose} chosen by {cv}-fold CV on all "
        f"{X.shape[0]} rows{where}:",
        file=stdout,
    )
    # scoring None (the log-link models): the estimator's default, minus the mean deviance
    label = scoring if scoring is not None else f"neg. mean {_deviance_name(model, power)}"
    _print_table(tuned, label, stdout)
    b = tuned.best
    searched = np.atleast_1d(getattr(search[-1], "l1_ratio", L1_RATIOS))
    n_settings = tuned.alphas.size * (1 if chose == "alpha" else searched.size)
    print(
        f"selected: alpha={tuned.alphas[b]:.4g}{ratio} "
        f"(CV {label} of this setting {tuned.mean[b]:.4f} ± {tuned.std[b]:.4f}: the best of "
        f"{n_settings} settings, optimistic)",
        file=stdout,
    )
    edge = _edge_note(tuned)
    if edge:
        print(edge, file=stdout)
    if nested_scores is not None and nested_scores.ndim == 2:
        d2, dev = nested_scores[:, 0], nested_scores[:, 1]
        print(
            f"estimated held-out scores of the whole procedure (nested CV: preprocessing and the "
            f"choice of alpha and l1_ratio redone on each of {cv} outer training folds"
            f"{', offsets included' if offset is not None else ''}):\n"
            f"  D² (deviance explained) {d2.mean():.4f} ± {d2.std():.4f}\n"
            f"  mean {_deviance_name(model, power)} {dev.mean():.4g} ± {dev.std():.4g}",
            file=stdout,
        )
    elif nested_scores is not None:
        print(
            f"estimated {scoring} of the whole procedure: {nested_scores.mean():.4f} ± "
            f"{nested_scores.std():.4f} (nested CV: preprocessing and the choice of alpha"
            f"{'' if tuned.l1_ratio is None else ' and l1_ratio'} redone on each of {cv} outer "
            f"training folds, scored on its held-out fold)",
            file=stdout,
        )
    else:
        print(
            "no nested estimate (--no-nested): the CV score above is the best of several "
            "settings, an optimistic estimate",
            file=stdout,
        )
    kept = _selected_features(final, names)
    print(f"selected features ({kept.size}/{names.size}): {', '.join(map(str, kept))}", file=stdout)
    for note in tuned.notes:
        print(note, file=stdout)
    print(f"model written to {out}", file=stdout)
    print(f"path plot written to {plot}", file=stdout)
    log(f"done in {seconds:.1f} s")
    return 0


def _cmd_fit(args: argparse.Namespace) -> int:
    df = _read_csv(args.data, sep=args.sep, encoding=args.encoding)
    out = Path(args.out) if args.out else Path("model.skops")
    if args.plot:
        plot = Path(args.plot)
    elif args.out:
        plot = out.with_name(out.stem + "_path.png")
    else:
        plot = Path("skdecay_path.png")
    return _fit_frame(
        df,
        args.target,
        model=args.model,
        cv=args.cv,
        n_alphas=args.n_alphas,
        seed=args.seed,
        out=out,
        plot=plot,
        scoring=args.scoring,
        quiet=args.quiet,
        source=Path(args.data).name,
        drop=tuple(args.drop),
        task=args.task,
        nested=args.nested,
        power=args.power,
        exposure=args.exposure,
        offset_column=args.offset,
        groups=args.groups,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    import pandas as pd
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    df = pd.DataFrame(data.data, columns=data.feature_names)
    df["progression"] = data.target
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return _fit_frame(
        df,
        "progression",
        model=None,
        cv=args.cv,
        n_alphas=args.n_alphas,
        seed=args.seed,
        out=out_dir / "diabetes.skops",
        plot=out_dir / "diabetes_path.png",
        quiet=args.quiet,
        source="diabetes",
        nested=args.nested,
    )
