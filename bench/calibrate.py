"""Calibration benchmark: fit time and student-level 5-fold CV on ASSISTments 2009 (Piech split).

    python bench/calibrate.py [--data ../shared/data/assistments2009/builder_train.csv] [--folds 5]

Prints one JSON document: for each model (standard, forgetting, ability, history) the wall time of a fit
on the whole file, its in-sample log-likelihood and the pooled cross-validated AUC, RMSE and
log-loss with the per-fold AUC. Same seed (0), hence the same folds, for every model.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from comptoir.adaptive.calibrate import MODELS, cross_validate, fit
from comptoir.adaptive.data import read_responses

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared/data/assistments2009/builder_train.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    responses = read_responses(args.data, "piech")
    report = {"data": str(args.data), "responses": len(responses), "models": {}}
    for model in MODELS:
        start = time.perf_counter()
        doc = fit(responses, model)
        seconds = time.perf_counter() - start
        cv = cross_validate(responses, model, folds=args.folds)
        report["models"][model] = {
            "fit_seconds": round(seconds, 2), "iterations": doc["iterations"],
            "log_likelihood": round(doc["log_likelihood"], 1),
            "cv": {k: cv[k] for k in ("auc", "rmse", "log_loss", "n", "per_fold_auc")}}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
