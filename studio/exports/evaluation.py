"""Evaluation of a classifier from labels and predicted probabilities: pure numpy, JSON-ready results.

Conventions (the same as scikit-learn's): the confusion matrix has true classes in rows and predicted
classes in columns; a precision, recall or F1 whose denominator is zero is 0.0; macro averages weigh
every class equally, weighted averages weigh each class by its support (its number of true samples).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def _labels(y_true: Sequence[int] | np.ndarray, num_classes: int, what: str = "y_true") -> np.ndarray:
    labels = np.asarray(y_true)
    if labels.ndim != 1 or (labels.size and not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError(f"{what} must be a 1-D sequence of class indices")
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{what} holds a class index outside 0..{num_classes - 1}")
    return labels


def _probabilities(y_true: np.ndarray, probabilities: Any) -> np.ndarray:
    probs = np.asarray(probabilities, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[0] != len(y_true):
        raise ValueError(f"probabilities must have shape (n_samples, n_classes) with n_samples = {len(y_true)}")
    if not np.all(np.isfinite(probs)):
        raise ValueError("probabilities hold NaN or infinite values")
    return probs


def confusion_matrix(y_true: Sequence[int], y_pred: Sequence[int], num_classes: int) -> np.ndarray:
    """Counts: ``matrix[t, p]`` = samples of true class t predicted as p (int64, num_classes square)."""
    true = _labels(y_true, num_classes)
    pred = _labels(y_pred, num_classes, "y_pred")
    if len(true) != len(pred):
        raise ValueError("y_true and y_pred must have the same length")
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (true, pred), 1)
    return matrix


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.zeros(numerator.shape, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def classification_metrics(matrix: np.ndarray, class_names: Sequence[str]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1/support and their macro and weighted averages."""
    matrix = np.asarray(matrix, dtype=np.int64)
    if matrix.shape != (len(class_names), len(class_names)):
        raise ValueError("the confusion matrix must be square with one row per class name")
    true_positives = np.diag(matrix).astype(np.float64)
    predicted = matrix.sum(axis=0).astype(np.float64)  # column sums: how often each class was predicted
    support = matrix.sum(axis=1)  # row sums: how many samples truly belong to each class
    precision = _ratio(true_positives, predicted)
    recall = _ratio(true_positives, support.astype(np.float64))
    f1 = _ratio(2 * precision * recall, precision + recall)
    total = int(support.sum())
    weights = support / total if total else np.zeros(len(support))

    def average(w: np.ndarray) -> dict[str, float]:
        return {"precision": float(precision @ w), "recall": float(recall @ w), "f1": float(f1 @ w)}

    n = len(class_names)
    return {
        "accuracy": float(true_positives.sum() / total) if total else 0.0,
        "total": total,
        "per_class": [
            {
                "class": class_names[i],
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i in range(n)
        ],
        "macro": average(np.full(n, 1.0 / n) if n else np.zeros(0)),
        "weighted": average(weights),
    }


def top_k_accuracy(y_true: Sequence[int], probabilities: Any, k: int) -> float:
    """Share of samples whose true class is among the k most probable (ties: lower class index first)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    probs = _probabilities(np.asarray(y_true), probabilities)
    true = _labels(y_true, probs.shape[1])
    if not len(true):
        return 0.0
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == true[:, None], axis=1)))


def _sample(i: int, true: np.ndarray, pred: np.ndarray, probs: np.ndarray, ids: Sequence[Any] | None) -> dict:
    return {
        "index": i,
        "id": ids[i] if ids is not None else i,
        "true": int(true[i]),
        "predicted": int(pred[i]),
        "confidence": float(probs[i, pred[i]]),  # the probability of the predicted class
        "true_probability": float(probs[i, true[i]]),
    }


def misclassified(
    y_true: Sequence[int], probabilities: Any, *, limit: int | None = None, ids: Sequence[Any] | None = None
) -> list[dict[str, Any]]:
    """Wrong predictions, most confident first: the mistakes the model is surest about."""
    probs = _probabilities(np.asarray(y_true), probabilities)
    true = _labels(y_true, probs.shape[1])
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != true)
    # Stable sort on -confidence: equal confidences keep sample order.
    order = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")]
    return [_sample(int(i), true, pred, probs, ids) for i in order[:limit]]


def difficult(
    y_true: Sequence[int], probabilities: Any, *, limit: int | None = None, ids: Sequence[Any] | None = None
) -> list[dict[str, Any]]:
    """Right predictions, least confident first: the samples the model barely got."""
    probs = _probabilities(np.asarray(y_true), probabilities)
    true = _labels(y_true, probs.shape[1])
    pred = probs.argmax(axis=1)
    right = np.flatnonzero(pred == true)
    order = right[np.argsort(probs[right, pred[right]], kind="stable")]
    return [_sample(int(i), true, pred, probs, ids) for i in order[:limit]]


def evaluate(
    y_true: Sequence[int],
    probabilities: Any,
    class_names: Sequence[str],
    *,
    top_k: Sequence[int] = (1, 3, 5),
    limit: int = 20,
    ids: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """Everything the evaluation page shows, as one JSON-ready dict (the matrix included as numbers)."""
    probs = _probabilities(np.asarray(y_true), probabilities)
    if probs.shape[1] != len(class_names):
        raise ValueError(f"probabilities have {probs.shape[1]} columns but there are {len(class_names)} classes")
    true = _labels(y_true, len(class_names))
    matrix = confusion_matrix(true, probs.argmax(axis=1), len(class_names))
    result = classification_metrics(matrix, class_names)
    result["confusion_matrix"] = {"labels": list(class_names), "matrix": matrix.tolist()}
    result["top_k_accuracy"] = {str(k): top_k_accuracy(true, probs, k) for k in top_k if k <= len(class_names)}
    result["misclassified"] = misclassified(true, probs, limit=limit, ids=ids)
    result["difficult"] = difficult(true, probs, limit=limit, ids=ids)
    return result
