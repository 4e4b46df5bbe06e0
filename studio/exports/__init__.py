"""Model downloads, evaluation and prediction: pure functions (no Django), and the run-bound services over them.

Modules, each owning one thing:
- ``formats``: the FORMATS registry and ``export_model`` (keras, h5, savedmodel, tflite, onnx).
- ``exporters`` / ``runtimes``: how each format is written, and how it is loaded back in its own runtime.
- ``verify``: run an exported file in its own runtime and compare it with the Keras model.
- ``bundle``: the download bundle (model, classes, preprocessing, script, ``predict.py``).
- ``preprocess``: the one image loader used for prediction here and in the bundle (numpy + Pillow only).
- ``predict``: top-k prediction for images, and a zip of images to CSV rows.
- ``archive``: safe reading of an uploaded zip (limits, no extraction).
- ``evaluation`` / ``charts``: confusion matrix and per-class metrics (numpy), the matrix as a PNG.

Run-bound modules (these touch Django: the Run row and its folder under DATA_DIR/runs/<id>/):
- ``run_weights``: a finished run's checkpoints (best, last), the 409 for runs that are not finished, file names.
- ``model_cache``: the per-process LRU of rebuilt trained models.
- ``run_evaluation``: evaluation on the test or validation split, cached as JSON.
- ``run_predictions``: uploads and zips through the run's model.
- ``run_downloads``: every format and the bundle, exported once, verified, cached.

Importing this package is cheap (numpy and Pillow); Keras and TensorFlow come with the modules that need them.
"""

from studio.exports.errors import BatchError, ExportError, ExportUnavailable, UnknownFormat
from studio.exports.preprocess import ImageError

__all__ = ["BatchError", "ExportError", "ExportUnavailable", "ImageError", "UnknownFormat"]
