"""Evaluation numbers, checked against a confusion matrix worked out by hand."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from studio.exports.charts import confusion_matrix_png
from studio.exports.evaluation import (
    classification_metrics,
    confusion_matrix,
    difficult,
    evaluate,
    misclassified,
    top_k_accuracy,
)

CLASSES = ["cat", "dog", "fox"]
# Ten samples. Each row: true class, probabilities (cat, dog, fox); the predicted class is the largest.
Y_TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
PROBS = np.array(
    [
        [0.90, 0.05, 0.05],  # 0: cat -> cat, confidence 0.90
        [0.50, 0.30, 0.20],  # 1: cat -> cat, 0.50
        [0.30, 0.60, 0.10],  # 2: cat -> dog (wrong), 0.60
        [0.10, 0.20, 0.70],  # 3: cat -> fox (wrong), 0.70; cat is not even in its top 2
        [0.20, 0.70, 0.10],  # 4: dog -> dog, 0.70
        [0.35, 0.40, 0.25],  # 5: dog -> dog, 0.40
        [0.80, 0.15, 0.05],  # 6: dog -> cat (wrong), 0.80
        [0.10, 0.10, 0.80],  # 7: fox -> fox, 0.80
        [0.25, 0.30, 0.45],  # 8: fox -> fox, 0.45
        [0.20, 0.45, 0.35],  # 9: fox -> dog (wrong), 0.45
    ]
)
# Rows are true classes, columns predicted:  cat: 2 cat, 1 dog, 1 fox;  dog: 1 cat, 2 dog;  fox: 1 dog, 2 fox.
MATRIX = [[2, 1, 1], [1, 2, 0], [0, 1, 2]]


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    matrix = confusion_matrix(Y_TRUE, PROBS.argmax(axis=1), 3)
    assert matrix.tolist() == MATRIX and matrix.dtype == np.int64


def test_accuracy_and_per_class_metrics_match_the_hand_computation():
    m = classification_metrics(np.array(MATRIX), CLASSES)
    assert m["accuracy"] == pytest.approx(0.6)  # diagonal 2 + 2 + 2 = 6 of 10
    assert m["total"] == 10
    per = {row["class"]: row for row in m["per_class"]}
    # precision = diagonal / column sum (predicted 3, 4, 3 times); recall = diagonal / row sum (support 4, 3, 3)
    assert per["cat"]["precision"] == pytest.approx(2 / 3) and per["cat"]["recall"] == pytest.approx(2 / 4)
    assert per["dog"]["precision"] == pytest.approx(2 / 4) and per["dog"]["recall"] == pytest.approx(2 / 3)
    assert per["fox"]["precision"] == pytest.approx(2 / 3) and per["fox"]["recall"] == pytest.approx(2 / 3)
    # F1 = 2pr / (p + r): cat 2(2/3)(1/2) / (2/3 + 1/2) = (2/3) / (7/6) = 4/7; dog the same (p, r swapped); fox 2/3
    assert per["cat"]["f1"] == pytest.approx(4 / 7)
    assert per["dog"]["f1"] == pytest.approx(4 / 7)
    assert per["fox"]["f1"] == pytest.approx(2 / 3)
    assert [row["support"] for row in m["per_class"]] == [4, 3, 3]


def test_macro_averages_weigh_classes_equally():
    macro = classification_metrics(np.array(MATRIX), CLASSES)["macro"]
    assert macro["precision"] == pytest.approx((2 / 3 + 1 / 2 + 2 / 3) / 3)  # 11/18 = 0.6111
    assert macro["recall"] == pytest.approx((1 / 2 + 2 / 3 + 2 / 3) / 3)  # 11/18
    assert macro["f1"] == pytest.approx((4 / 7 + 4 / 7 + 2 / 3) / 3)  # 38/63 = 0.6032


def test_weighted_averages_weigh_classes_by_support():
    weighted = classification_metrics(np.array(MATRIX), CLASSES)["weighted"]
    assert weighted["precision"] == pytest.approx((4 * 2 / 3 + 3 * 1 / 2 + 3 * 2 / 3) / 10)  # 37/60 = 0.6167
    assert weighted["recall"] == pytest.approx(0.6)  # (4 * 1/2 + 3 * 2/3 + 3 * 2/3) / 10 = 6/10: always accuracy
    assert weighted["f1"] == pytest.approx((4 * 4 / 7 + 3 * 4 / 7 + 3 * 2 / 3) / 10)  # (4 + 2) / 10 = 0.6


def test_a_class_never_predicted_scores_zero_instead_of_dividing_by_zero():
    m = classification_metrics(np.array([[2, 0], [1, 0]]), ["a", "b"])
    b = m["per_class"][1]
    assert (b["precision"], b["recall"], b["f1"], b["support"]) == (0.0, 0.0, 0.0, 1)
    assert m["per_class"][0]["precision"] == pytest.approx(2 / 3)


def test_top_k_accuracy_counts_the_true_class_among_the_k_most_probable():
    assert top_k_accuracy(Y_TRUE, PROBS, 1) == pytest.approx(0.6)
    # Top 2 misses only sample 3 (cat at 0.10, below fox 0.70 and dog 0.20): 9 of 10.
    assert top_k_accuracy(Y_TRUE, PROBS, 2) == pytest.approx(0.9)
    assert top_k_accuracy(Y_TRUE, PROBS, 3) == 1.0


def test_misclassified_lists_the_surest_mistakes_first():
    wrong = misclassified(Y_TRUE, PROBS)
    # Wrong: 6 (0.80), 3 (0.70), 2 (0.60), 9 (0.45).
    assert [s["index"] for s in wrong] == [6, 3, 2, 9]
    assert wrong[0] == {
        "index": 6, "id": 6, "true": 1, "predicted": 0, "confidence": 0.8, "true_probability": 0.15,
    }  # fmt: skip


def test_difficult_lists_correct_predictions_least_confident_first():
    # Correct: 5 (0.40), 8 (0.45), 1 (0.50), 4 (0.70), 7 (0.80), 0 (0.90).
    assert [s["index"] for s in difficult(Y_TRUE, PROBS)] == [5, 8, 1, 4, 7, 0]
    assert [s["index"] for s in difficult(Y_TRUE, PROBS, limit=2)] == [5, 8]


def test_selections_carry_the_callers_ids():
    ids = [f"img{i}.jpg" for i in range(10)]
    assert misclassified(Y_TRUE, PROBS, ids=ids, limit=1)[0]["id"] == "img6.jpg"


def test_evaluate_gathers_everything_as_plain_json_values():
    import json

    result = evaluate(Y_TRUE, PROBS, CLASSES, top_k=(1, 2, 5), limit=3)
    assert result["confusion_matrix"] == {"labels": CLASSES, "matrix": MATRIX}
    assert result["accuracy"] == pytest.approx(0.6)
    assert result["top_k_accuracy"] == {"1": pytest.approx(0.6), "2": pytest.approx(0.9)}  # no top-5 of 3 classes
    assert [s["index"] for s in result["misclassified"]] == [6, 3, 2]
    assert [s["index"] for s in result["difficult"]] == [5, 8, 1]
    json.dumps(result)


@pytest.mark.parametrize(
    ("y_true", "probs", "message"),
    [
        ([0, 3], np.full((2, 3), 1 / 3), "outside 0..2"),
        ([0, 1], np.full((3, 3), 1 / 3), "shape"),
        ([0, 1], np.array([[np.nan, 0.5, 0.5], [0.2, 0.3, 0.5]]), "NaN"),
        ([0.5, 1], np.full((2, 3), 1 / 3), "class indices"),
    ],
)
def test_inconsistent_inputs_are_clear_errors(y_true, probs, message):
    with pytest.raises(ValueError, match=message):
        evaluate(y_true, probs, CLASSES)


def test_no_samples_gives_zeros_not_errors():
    result = evaluate([], np.zeros((0, 3)), CLASSES)
    assert result["accuracy"] == 0.0 and result["misclassified"] == [] and result["top_k_accuracy"]["1"] == 0.0


HIGH = (8, 48, 107)  # the colour of a cell that holds its whole row


def _pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def test_the_confusion_matrix_png_shades_cells_by_their_share_of_the_row():
    perfect = _pixels(confusion_matrix_png(np.diag([5, 7]), ["a", "b"]))
    mixed = _pixels(confusion_matrix_png(np.array([[3, 2], [4, 3]]), ["a", "b"]))
    assert HIGH in {colour for _, colour in perfect.getcolors(100_000)}
    assert HIGH not in {colour for _, colour in mixed.getcolors(100_000)}


def test_the_png_stays_readable_for_many_classes():
    names = [f"class number {i}" for i in range(60)]
    image = _pixels(confusion_matrix_png(np.eye(60, dtype=int), names))
    assert image.width < 1200 and image.height < 1200


def test_the_png_needs_a_square_matrix_that_fits_the_names():
    with pytest.raises(ValueError, match="square"):
        confusion_matrix_png(np.zeros((2, 3)), ["a", "b"])
