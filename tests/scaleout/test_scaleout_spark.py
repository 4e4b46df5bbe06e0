"""Spark (local[2], one session for the module): featurize the demo photos with a network's frozen prefix,
train the head on the features, score with SQL, and get the numbers the studio itself computes.

The network is VGG16 (random weights, frozen, 32x32 input) + Flatten + Dense: the studio's transfer-learning
shape, small enough for two CPU cores.
"""
import glob
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from studio.exports.predict import predict_images
from studio.exports.preprocess import load_image_for_model
from studio.graphs import compile_graph

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["fish", "monument", "renewable_energy", "tool"]
PER_CLASS = 4
SIZE = (32, 32)
TOLERANCE = 1e-5  # different batch compositions, same float32 arithmetic


def _graph() -> dict:
    edges = [("in", "vgg"), ("vgg", "flat"), ("flat", "out")]
    return {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [*SIZE, 3]}},
            {"id": "vgg", "type": "VGG16", "params": {"weights": None, "trainable_layers": []}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": len(CLASSES), "activation": "softmax"}},
        ],
        "edges": [{"source": a, "target": b} for a, b in edges],
    }


@pytest.fixture(scope="module")
def spark():
    try:
        from studio.spark import spark_session
        from studio.spark.session import stop_spark
    except ImportError as exc:
        pytest.fail(f"{exc} (the test command installs requirements-spark.txt)")
    if shutil.which("java") is None:
        pytest.fail("Spark needs Java 17 (apt-get install -y openjdk-17-jre-headless).")
    session = spark_session("local[2]", app_name="studio-tests",
                            conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"})
    yield session
    stop_spark(session, shut_down_jvm=True)  # the rest of the test session gets the memory back


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    """PER_CLASS demo photos of each class, in class folders."""
    folder = tmp_path_factory.mktemp("photos")
    for name in CLASSES:
        (folder / name).mkdir()
        for path in sorted(glob.glob(str(ROOT / "demo_data" / "demo-photos" / name / "*.jpg")))[:PER_CLASS]:
            shutil.copy(path, folder / name)
    return folder


@pytest.fixture(scope="module")
def network():
    import keras

    from studio.spark import ModelBundle

    keras.utils.set_random_seed(7)
    graph = _graph()
    model = compile_graph(graph)
    return graph, model, ModelBundle.from_model(graph, model, classes=CLASSES)


@pytest.fixture(scope="module")
def images(spark, photos):
    from studio.spark import read_images

    frame = read_images(spark, photos).cache()
    frame.createOrReplaceTempView("images")
    return frame


@pytest.fixture(scope="module")
def features(images, network) -> pd.DataFrame:
    from studio.spark import featurize

    return featurize(images, network[2], batch_size=5).drop("image").toPandas()


@pytest.fixture(scope="module")
def head(features, network):
    from studio.spark import train_head

    return train_head(features, network[2], hyperparameters={"epochs": 40, "batch_size": 8, "seed": 1,
                                                             "learning_rate": 0.02})


def _local(path: str) -> str:
    return path.removeprefix("file:")


def _studio_inputs(paths) -> list[np.ndarray]:
    """What the studio's predict endpoint feeds its model for these files."""
    return [load_image_for_model(_local(p), size=SIZE) for p in paths]


def test_an_image_folder_becomes_a_dataframe_of_bytes_and_labels(images, photos):
    rows = images.select("path", "label", "image").toPandas()
    assert len(rows) == len(CLASSES) * PER_CLASS
    assert sorted(set(rows["label"])) == CLASSES
    first = rows.iloc[0]
    assert bytes(first["image"]) == Path(_local(first["path"])).read_bytes()


def test_features_are_the_frozen_prefix_of_the_studio_s_own_image_loading(features, network):
    from studio.training.frozen import find_frozen_cut

    cut = find_frozen_cut(network[1])
    assert cut.layer == "flat" and cut.feature_shape == (512,)
    assert features["error"].isna().all()
    expected = cut.prefix(np.stack(_studio_inputs(features["path"])), training=False).numpy()
    got = np.stack(features["features"].to_numpy())
    assert got.shape == (len(CLASSES) * PER_CLASS, 512)
    np.testing.assert_allclose(got, expected, atol=TOLERANCE, rtol=TOLERANCE)


def test_a_head_trained_on_spark_features_learns(head):
    assert head.classes == CLASSES and head.skipped == 0
    assert head.history["loss"][-1] < head.history["loss"][0] * 0.8, head.history["loss"]


def test_sql_predictions_equal_the_studio_s_predictions(spark, images, head):
    from studio.spark import register_predict

    register_predict(spark, head.bundle())
    rows = spark.sql("SELECT path, predict(image) AS p FROM images ORDER BY path").toPandas()
    expected = predict_images(head.model, _studio_inputs(rows["path"]), CLASSES, top_k=len(CLASSES))
    for (_, row), studio in zip(rows.iterrows(), expected, strict=True):
        assert row["p"]["error"] is None
        assert row["p"]["label"] == studio[0]["class"]
        assert row["p"]["probability"] == pytest.approx(studio[0]["probability"], abs=TOLERANCE)
        by_class = dict(zip(CLASSES, row["p"]["probabilities"], strict=True))
        for entry in studio:
            assert by_class[entry["class"]] == pytest.approx(entry["probability"], abs=TOLERANCE)


def test_an_unreadable_image_gets_a_reason_and_the_job_goes_on(spark, network, photos, tmp_path):
    from studio.spark import featurize, read_images, score

    folder = tmp_path / "mixed" / "fish"
    folder.mkdir(parents=True)
    shutil.copy(next((photos / "fish").iterdir()), folder / "good.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really a JPEG")
    frame = read_images(spark, tmp_path / "mixed")
    featured = featurize(frame, network[2]).select("path", "features", "error").toPandas().set_index("path")
    broken = featured.loc[[p for p in featured.index if p.endswith("broken.jpg")][0]]
    good = featured.loc[[p for p in featured.index if p.endswith("good.jpg")][0]]
    assert broken["features"] is None and broken["error"].startswith(("corrupt", "not_an_image"))
    assert good["error"] is None and len(good["features"]) == 512
    scored = score(frame, network[2]).select("path", "prediction.*").toPandas()
    assert scored["error"].notna().sum() == 1 and scored["label"].notna().sum() == 1


@pytest.mark.django_db
def test_the_commands_featurize_and_score_a_trained_run(spark, photos, features, head, alice, settings, tmp_path):
    from studio.training.models import Run
    from studio.training.paths import final_weights_path

    settings.DATA_DIR = tmp_path / "data"
    run = Run.objects.create(owner=alice, name="spark", graph=_graph(), hyperparameters={}, classes=CLASSES,
                             status=Run.Status.SUCCEEDED)
    final_weights_path(run.id).parent.mkdir(parents=True)
    head.save(final_weights_path(run.id))

    call_command("spark_featurize", "--run", str(run.id), "--images", str(photos),
                 "--output", str(tmp_path / "features.parquet"), "--batch-size", "8")
    written = pd.read_parquet(tmp_path / "features.parquet").sort_values("path")
    assert list(written.columns) == ["path", "label", "length", "features", "error"]
    # The run's frozen prefix is the untrained network's: the same features as before training.
    before = features.set_index("path").loc[written["path"]]
    np.testing.assert_allclose(np.stack(written["features"].to_numpy()), np.stack(before["features"].to_numpy()),
                               atol=TOLERANCE, rtol=TOLERANCE)

    call_command("spark_score", "--run", str(run.id), "--images", str(photos), "--output", str(tmp_path / "s.csv"))
    scored = pd.concat(pd.read_csv(part) for part in sorted((tmp_path / "s.csv").glob("part-*.csv")))
    assert set(scored.columns) >= {"path", "label", "prediction_label", "prediction_probability",
                                   "prediction_probabilities"}
    expected = predict_images(head.model, _studio_inputs(scored["path"]), CLASSES, top_k=1)
    assert list(scored["prediction_label"]) == [e[0]["class"] for e in expected]

    call_command("spark_score", "--run", str(run.id), "--images", str(photos), "--output", str(tmp_path / "n.json"),
                 "--sql", "SELECT predict(image).label AS predicted, count(*) AS n FROM images GROUP BY 1")
    counts = pd.concat(pd.read_json(part, lines=True) for part in (tmp_path / "n.json").glob("part-*.json"))
    assert counts["n"].sum() == len(CLASSES) * PER_CLASS
