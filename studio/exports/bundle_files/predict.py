"""Predict the classes of images with the model in this folder.

    python predict.py photo.jpg [more.jpg ...] [--top-k 3] [--json]

Needs only keras (with its backend, e.g. tensorflow), numpy and Pillow. The images are prepared by
preprocess.py as described in preprocessing.json, exactly as the studio prepares them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's start-up chatter off the output
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from preprocess import ImageError, load_image_for_model  # noqa: E402


def top_classes(probabilities: np.ndarray, class_names: list[str], k: int) -> list[dict]:
    order = np.argsort(-probabilities, kind="stable")[:k]
    return [{"class": class_names[i], "probability": float(probabilities[i])} for i in order]


def as_probabilities(outputs: np.ndarray, num_classes: int) -> np.ndarray:
    """Class probabilities from the model's outputs (the same rules as the studio's predictions).

    One sigmoid unit for two classes gives [1 - p, p]; outputs that are not a distribution (logits)
    get a softmax.
    """
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    if outputs.shape[1] == 1 and num_classes == 2:
        p = outputs[:, 0]
        if np.any((p < 0) | (p > 1)):
            p = 1.0 / (1.0 + np.exp(-p))
        return np.stack([1.0 - p, p], axis=1)
    if outputs.shape[1] != num_classes:
        raise ValueError(f"the model has {outputs.shape[1]} outputs but classes.json lists {num_classes} classes")
    if np.all(outputs >= -1e-6) and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3):
        return outputs
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Top-k classes of images, with this folder's model.")
    parser.add_argument("images", nargs="+", help="image files (JPEG, PNG, GIF, BMP, WebP, TIFF)")
    parser.add_argument("--top-k", type=int, default=3, help="how many classes to show per image (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per image instead of text")
    args = parser.parse_args(argv)

    preprocessing = json.loads((HERE / "preprocessing.json").read_text(encoding="utf-8"))
    class_names = json.loads((HERE / "classes.json").read_text(encoding="utf-8"))
    size = tuple(preprocessing["input_size"])
    color_mode = preprocessing.get("color_mode", "rgb")

    import keras  # imported late: it is the slow part, and argument errors should not wait for it

    # safe_mode refuses Lambda layers and arbitrary code in the file.
    model = keras.saving.load_model(HERE / "model.keras", compile=False, safe_mode=True)
    failures = 0
    for name in args.images:
        try:
            image = load_image_for_model(name, size=size, color_mode=color_mode)
        except ImageError as exc:
            failures += 1
            print(f"{name}: {exc}", file=sys.stderr)
            continue
        outputs = model(image[np.newaxis], training=False)
        if isinstance(outputs, (list, tuple)):
            outputs = outputs[0]
        probabilities = as_probabilities(keras.ops.convert_to_numpy(outputs), len(class_names))[0]
        best = top_classes(probabilities, class_names, max(1, args.top_k))
        if args.json:
            print(json.dumps({"image": name, "predictions": best}))
        else:
            print(name)
            for item in best:
                print(f"  {item['probability']:7.2%}  {item['class']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
