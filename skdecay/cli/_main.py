"""The entry point ``skdecay`` (``skdecay.cli:main``) and its argument parser."""

from __future__ import annotations

import argparse
import sys

from .. import __version__
from ._fit import _cmd_demo, _cmd_fit
from ._predict import _cmd_predict
from ._settings import _MODELS, DEFAULT_POWER, MAX_CLASSES, N_ALPHAS, N_ALPHAS_MLP, CLIError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skdecay",
        description="Cross-validated elastic net, lasso, ridge, logistic and MLP models on CSVs.",
    )
    parser.add_argument("--version", action="version", version=f"skdecay {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def tuning(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cv", type=int, default=5, help="number of CV folds (default 5)")
        p.add_argument(
            "--n-alphas",
            type=int,
            default=None,
            help=f"alphas on the grid (default {N_ALPHAS}; {N_ALPHAS_MLP} for --model mlp)",
        )
        p.add_argument("--seed", type=int, default=0, help="seed of the folds and the MLP (0)")
        p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
        p.add_argument(
            "--nested",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="estimate the score of the whole procedure by nested CV (default: yes; "
            "--no-nested is about cv+1 times faster)",
        )

    def reading(p: argparse.ArgumentParser) -> None:
        p.add_argument("--sep", default=",", help="field separator of the CSV (default ,)")
        p.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")

    fit = sub.add_parser("fit", help="tune and fit a model on a CSV file")
    fit.add_argument("data", help="CSV file with a header row")
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument(
        "--model",
        choices=_MODELS,
        default=None,
        help="default: elasticnet for a numeric target with non-integer values or more "
        f"than {MAX_CLASSES} distinct values, logistic otherwise; poisson (counts), gamma "
        "(positive amounts) and tweedie (non-negative amounts with zeros) are log-link "
        "elastic nets",
    )
    fit.add_argument(
        "--power",
        type=float,
        default=None,
        help=f"Tweedie variance power, 1 < power < 2 (--model tweedie; default {DEFAULT_POWER})",
    )
    offsets = fit.add_mutually_exclusive_group()
    offsets.add_argument(
        "--exposure",
        default=None,
        metavar="COL",
        help="column of positive exposures (time, policy years): log(COL) is the offset, so "
        "the model fits rates per unit of exposure (log-link models; not a feature)",
    )
    offsets.add_argument(
        "--offset",
        default=None,
        metavar="COL",
        help="column added as is to the linear predictor (log-link models; not a feature)",
    )
    fit.add_argument("--out", default=None, help="model file (default model.skops)")
    fit.add_argument(
        "--plot",
        default=None,
        help="path plot PNG (default <out stem>_path.png, or skdecay_path.png without --out)",
    )
    fit.add_argument(
        "--scoring",
        default=None,
        help="scikit-learn scorer (default r2 for regression, neg_log_loss for classes, "
        "the mean deviance for poisson/gamma/tweedie)",
    )
    fit.add_argument(
        "--task",
        choices=("auto", "regression", "classification"),
        default="auto",
        help="override the target kind (auto: see --model)",
    )
    fit.add_argument("--drop", nargs="+", default=[], metavar="COL", help="columns to leave out")
    fit.add_argument(
        "--groups",
        choices=("columns",),
        default=None,
        help="columns: one coefficient group per input column (a category's one-hot "
        "indicators, a date's parts), kept or dropped as a whole: the group lasso "
        "(--model lasso) or the sparse-group lasso tuned over l1_ratio (elasticnet, "
        "logistic with two classes, poisson, gamma, tweedie)",
    )
    reading(fit)
    tuning(fit)
    fit.set_defaults(func=_cmd_fit)

    pred = sub.add_parser("predict", help="predict with a model written by `skdecay fit`")
    pred.add_argument("model", help="model file (.skops)")
    pred.add_argument("data", help="CSV file with the model's feature columns")
    pred.add_argument("--out", default=None, help="predictions CSV (default: stdout)")
    reading(pred)
    pred.set_defaults(func=_cmd_predict)

    demo = sub.add_parser("demo", help="fit on scikit-learn's diabetes data")
    demo.add_argument("--out-dir", default=".", help="where the PNG and model go (default .)")
    tuning(demo)
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``skdecay ...``; returns the exit code.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on bad input (with one ``skdecay: error: ...`` line on stderr).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if getattr(args, "cv", 2) < 2:
        parser.error("--cv must be at least 2")
    if getattr(args, "n_alphas", None) is None and hasattr(args, "n_alphas"):
        args.n_alphas = N_ALPHAS_MLP if getattr(args, "model", None) == "mlp" else N_ALPHAS
    if getattr(args, "n_alphas", 1) < 1:
        parser.error("--n-alphas must be at least 1")
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"skdecay: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(
            f"skdecay: error: {exc.name or exc} is needed: pip install 'skdecay[cli]'",
            file=sys.stderr,
        )
        return 2
