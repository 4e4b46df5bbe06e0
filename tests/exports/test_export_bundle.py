"""The download bundle: a zip whose predict.py runs with keras, numpy and Pillow alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest
from export_builders import CLASS_NAMES, SIZE, noise_image_bytes

from studio.exports.bundle import make_bundle, preprocessing_spec
from studio.exports.predict import predict_images
from studio.exports.preprocess import load_image_for_model

GRAPH = {"version": 1, "name": "tiny", "nodes": [], "edges": []}
SCRIPT = "import keras\n# the generated script\n"
# Only what a bundle may use: importing the studio from predict.py must fail loudly.
RUNNER = (
    "import runpy, sys; sys.modules['studio'] = None; "
    "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
)


def _bundle(model, tmp_path, **overrides):
    arguments = {
        "dest": tmp_path / "out" / "tiny-run-1.zip",
        "class_names": CLASS_NAMES,
        "preprocessing": None,
        "graph": GRAPH,
        "script": SCRIPT,
        "hyperparameters": {"epochs": 1, "learning_rate": np.float32(0.001), "batch_size": np.int64(16)},
        "metrics": {"accuracy": np.float64(0.5), "val_loss": float("nan")},
    }
    return make_bundle(model, **{**arguments, **overrides})


@pytest.fixture(scope="module")
def unpacked(tiny_model, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("bundle")
    path = _bundle(tiny_model, tmp_path)
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path / "unpacked")
    return tmp_path / "unpacked" / "tiny-run-1"


def test_the_bundle_holds_every_file_under_one_folder(tiny_model, tmp_path):
    path = _bundle(tiny_model, tmp_path)
    assert path == tmp_path / "out" / "tiny-run-1.zip"
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
    expected = ["README.txt", "classes.json", "graph.json", "model.keras", "model.py", "predict.py", "preprocess.py"]
    assert names == sorted(f"tiny-run-1/{name}" for name in [*expected, "preprocessing.json", "run.json"])
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny-run-1.zip"]  # no temporary files left


def test_the_json_files_say_what_the_model_expects_and_how_it_was_trained(unpacked):
    assert json.loads((unpacked / "classes.json").read_text()) == CLASS_NAMES
    preprocessing = json.loads((unpacked / "preprocessing.json").read_text())
    assert preprocessing["input_size"] == list(SIZE) and preprocessing["color_mode"] == "rgb"
    assert preprocessing["value_range"] == [0, 255]
    run = json.loads((unpacked / "run.json").read_text())
    # numpy numbers become plain JSON numbers, and a NaN metric becomes null (NaN is not JSON).
    assert run == {
        "hyperparameters": {"epochs": 1, "learning_rate": pytest.approx(0.001), "batch_size": 16},
        "metrics": {"accuracy": 0.5, "val_loss": None},
    }
    assert json.loads((unpacked / "graph.json").read_text()) == GRAPH
    assert (unpacked / "model.py").read_text() == SCRIPT
    readme = (unpacked / "README.txt").read_text()
    assert "python predict.py" in readme and f"keras=={keras.__version__}" in readme


def test_the_bundled_model_loads_in_safe_mode_without_optimizer_state(unpacked, tiny_model, inputs):
    loaded = keras.saving.load_model(unpacked / "model.keras", safe_mode=True)
    assert getattr(loaded, "optimizer", None) is None
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), tiny_model.predict(inputs, verbose=0))


def test_the_bundle_ships_the_studios_own_image_loader(unpacked):
    from studio.exports import preprocess

    assert (unpacked / "preprocess.py").read_bytes() == open(preprocess.__file__, "rb").read()


def _run_predict(unpacked, *args):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-c", RUNNER, "predict.py", *args],
        cwd=unpacked,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_predict_py_prints_the_models_top_classes_without_the_studio(unpacked, tiny_model):
    images = []
    for seed in (1, 2):
        images.append(unpacked.parent / f"photo{seed}.jpg")
        images[-1].write_bytes(noise_image_bytes("JPEG", size=(50, 40), seed=seed))
    (unpacked.parent / "notes.txt").write_text("not an image")
    done = _run_predict(unpacked, *map(str, images), str(unpacked.parent / "notes.txt"), "--json", "--top-k", "2")
    assert done.returncode == 1, done.stderr  # one file failed, the others were still predicted
    assert "notes.txt: The file is not an image" in done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    expected = predict_images(tiny_model, [load_image_for_model(p, size=SIZE) for p in images], CLASS_NAMES, 2)
    assert [item["image"] for item in printed] == list(map(str, images))
    for item, want in zip(printed, expected, strict=True):
        assert [p["class"] for p in item["predictions"]] == [w["class"] for w in want]
        assert [p["probability"] for p in item["predictions"]] == pytest.approx([w["probability"] for w in want])


def test_predict_py_prints_readable_text_by_default(unpacked, tiny_model):
    image = unpacked.parent / "photo.png"
    image.write_bytes(noise_image_bytes("PNG", seed=5))
    done = _run_predict(unpacked, str(image))
    assert done.returncode == 0, done.stderr
    (best,) = predict_images(tiny_model, [load_image_for_model(image, size=SIZE)], CLASS_NAMES, 1)
    lines = done.stdout.splitlines()
    assert lines[0] == str(image) and len(lines) == 4  # the file, then its top 3 classes
    assert lines[1].split()[-1] == best[0]["class"] and lines[1].strip().startswith(f"{best[0]['probability']:.2%}")


def test_class_names_must_match_the_model_outputs(tiny_model, tmp_path):
    with pytest.raises(ValueError, match="3 outputs but 2 class names"):
        _bundle(tiny_model, tmp_path, class_names=["a", "b"])


def test_preprocessing_that_contradicts_the_model_is_refused(tiny_model, tmp_path):
    with pytest.raises(ValueError, match="input_size"):
        _bundle(tiny_model, tmp_path, preprocessing={"input_size": [64, 64]})
    with pytest.raises(ValueError, match="color_mode"):
        _bundle(tiny_model, tmp_path, preprocessing={"color_mode": "grayscale"})


def test_preprocessing_defaults_come_from_the_model_input(tiny_model):
    spec = preprocessing_spec(tiny_model)
    assert spec["input_size"] == [32, 32] and spec["channels"] == 3 and spec["resample"] == "bilinear"
