"""The tf.data pipeline: shapes, dtypes, labels in stored class order, file order, seeded shuffling, augmentation."""
import io

import numpy as np
import pytest
from dataset_builders import class_zip

from studio.datasets import services
from studio.datasets.augmentation import AugmentationError, augmentation_layers, check_augmentation

tf = pytest.importorskip("tensorflow")
from studio.datasets.pipeline import build_pipeline, split_pipeline  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(alice):
    # red 5 and green 4: green is class 0 (sorted names), red class 1
    archive = io.BytesIO(class_zip({"red": 5, "green": 4}))
    return services.dataset_create_from_zip(owner=alice, name="c", archive=archive)


def collect(ds) -> tuple[np.ndarray, np.ndarray]:
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in ds], strict=True)
    return np.concatenate(images), np.concatenate(labels)


def test_batches_have_the_model_input_shape_float_images_and_int_labels(dataset):
    ds = split_pipeline(dataset, None, image_size=(16, 12), batch_size=4)
    assert ds.element_spec[0].shape.as_list() == [None, 16, 12, 3]
    assert ds.element_spec[0].dtype == tf.float32 and ds.element_spec[1].dtype == tf.int32
    batches = list(ds)
    assert [int(b[0].shape[0]) for b in batches] == [4, 4, 1]


def test_labels_follow_the_stored_class_order_and_files_keep_their_order(dataset):
    images, labels = collect(split_pipeline(dataset, None, image_size=(8, 8), batch_size=3))
    assert dataset.class_names == ["green", "red"]
    assert labels.tolist() == [0] * 4 + [1] * 5
    # the pixels are the class colours, values in 0..255
    assert images.max() <= 255.0 and images.min() >= 0.0
    assert images[0, 4, 4, 1] > 150 and images[0, 4, 4, 0] < 80  # green
    assert images[-1, 4, 4, 0] > 150 and images[-1, 4, 4, 1] < 80  # red


def test_a_split_holds_only_its_images(dataset):
    train = dataset.images.filter(split="train").count()
    _, labels = collect(split_pipeline(dataset, "train", image_size=(8, 8), batch_size=32))
    assert len(labels) == train
    assert sorted(labels.tolist()) == sorted(dataset.images.filter(split="train").values_list("label", flat=True))


def test_training_shuffles_reproducibly_with_a_seed(dataset):
    def order(seed):
        return collect(split_pipeline(dataset, None, image_size=(4, 4), batch_size=9, training=True, seed=seed))[1]

    first = order(1)
    assert first.tolist() == order(1).tolist()
    assert sorted(first.tolist()) == [0] * 4 + [1] * 5


def test_training_with_cache_gives_the_same_images_every_epoch(dataset):
    ds = split_pipeline(dataset, None, image_size=(8, 8), batch_size=16, cache=True, training=True, seed=3)
    one, two = collect(ds), collect(ds)
    assert sorted(one[1].tolist()) == sorted(two[1].tolist())
    assert np.isclose(one[0].sum(), two[0].sum())


def test_augmentation_applies_to_training_only_and_keeps_shapes(dataset):
    spec = {"flip": "horizontal", "rotation": 0.1, "zoom": 0.1, "brightness": 0.2, "contrast": 0.2}
    train = split_pipeline(dataset, None, image_size=(8, 8), batch_size=4, training=True, seed=0, augmentation=spec)
    images, labels = collect(train)
    assert images.shape == (9, 8, 8, 3) and images.dtype == np.float32 and len(labels) == 9
    plain = collect(split_pipeline(dataset, None, image_size=(8, 8), batch_size=4, augmentation=spec))[0]
    reference = collect(split_pipeline(dataset, None, image_size=(8, 8), batch_size=4))[0]
    assert np.array_equal(plain, reference)  # not training: augmentation is ignored


def test_build_pipeline_is_pure_over_paths_and_labels(tmp_path):
    from PIL import Image

    paths = []
    for i, color in enumerate([(255, 0, 0), (0, 0, 255)]):
        path = tmp_path / f"{i}.jpg"
        Image.new("RGB", (10, 20), color).save(path)
        paths.append(str(path))
    images, labels = collect(build_pipeline(paths, [1, 0], image_size=(5, 5), batch_size=2))
    assert images.shape == (2, 5, 5, 3) and labels.tolist() == [1, 0]
    with pytest.raises(ValueError, match="same length"):
        build_pipeline(paths, [0], image_size=(5, 5), batch_size=2)


def test_an_augmentation_spec_becomes_layers_in_a_fixed_order():
    layers = augmentation_layers({"contrast": 0.1, "flip": True, "zoom": 0.2})
    assert [type(layer).__name__ for layer in layers] == ["RandomFlip", "RandomZoom", "RandomContrast"]
    assert check_augmentation({"flip": None, "rotation": 0, "zoom": 0.1}) == {"zoom": 0.1}
    assert augmentation_layers(None) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [({"flip": "diagonal"}, "flip must be one of"), ({"rotation": 2}, "rotation must be a number between 0 and 0.5"),
     ({"zoom": "lots"}, "zoom must be"), ({"blur": 1}, "Unknown augmentation settings: blur"), ([1], "JSON object")],
)
def test_a_bad_augmentation_spec_says_what_is_wrong(spec, message):
    with pytest.raises(AugmentationError, match=message):
        check_augmentation(spec)
