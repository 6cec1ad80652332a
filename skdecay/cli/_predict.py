"""The ``predict`` sub-command and :func:`load_model` (trusting only known types)."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from ._reading import _file_error, _read_csv
from ._settings import KNOWN_TYPES, CLIError


def load_model(path: str | os.PathLike):
    """Load a pipeline written by ``skdecay fit``, trusting only known types.

    The untrusted types the file asks for must all be skdecay estimators
    (:func:`skdecay.trusted_types`) or in :data:`KNOWN_TYPES`; otherwise
    :class:`CLIError` is raised and nothing is loaded.  A damaged file is a
    :class:`CLIError` too.
    """
    import skops.io as sio

    from ..persistence import (
        InconsistentVersionWarning,
        running_version,
        trusted_types,
        version_skew,
    )

    name = str(path)
    allowed = set(trusted_types()) | KNOWN_TYPES
    try:
        needed = sio.get_untrusted_types(file=path)
    except OSError as exc:
        raise _file_error(name, exc) from None
    except Exception as exc:  # zip or schema errors: not a skops file
        raise CLIError(f"{name!r} is not a skops model file ({type(exc).__name__})") from None
    unknown = sorted(set(needed) - allowed)
    if unknown:
        raise CLIError(f"refusing to load {name!r}: untrusted types {', '.join(unknown)}")
    try:
        with warnings.catch_warnings():  # reported once below, in the command's words
            warnings.simplefilter("ignore", InconsistentVersionWarning)
            model = sio.load(path, trusted=list(needed))
    except Exception as exc:  # a damaged archive: truncated, bad CRC, broken schema
        raise CLIError(f"{name!r} is damaged and cannot be loaded ({type(exc).__name__})") from None
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{name!r} holds a {type(model).__name__}, not a model written by skdecay fit"
        )
    for what, saved in version_skew(model):
        print(
            f"skdecay: warning: {what} in {name!r} was saved by skdecay {saved}; "
            f"this is skdecay {running_version()}. Refit it if predictions look wrong.",
            file=sys.stderr,
        )
    return model


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    model = load_model(args.model)
    df = _read_csv(args.data, sep=args.sep, encoding=args.encoding)
    columns = list(getattr(model, "feature_names_in_", df.columns))
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise CLIError(f"{args.data!r} lacks the model's columns: {', '.join(map(str, missing))}")
    X = df[columns]
    try:
        result = pd.DataFrame({"prediction": model.predict(X)}, index=df.index)
        if hasattr(model, "predict_proba"):
            proba = model.predict_proba(X)
            for k, label in enumerate(model.classes_):
                result[f"proba_{label}"] = proba[:, k]
    except (ValueError, TypeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CLIError(f"cannot predict on {args.data!r}: {first}") from None
    if args.out:
        result.to_csv(args.out, index=False)
        print(f"{len(result)} predictions written to {args.out}", file=sys.stderr)
    else:
        try:
            result.to_csv(sys.stdout, index=False)
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `skdecay predict ... | head`: the reader stopped
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python exits
            os.close(devnull)
    return 0
