"""Frozen-prefix caching: where the cut goes, and that training on cached features trains the same weights."""
import keras
import numpy as np
import pytest
from training_builders import tiny_graph, vgg_graph

from studio.graphs import compile_graph
from studio.training.frozen import compute_features, find_frozen_cut
from studio.training.inputs import Rows, steps_per_epoch, training_dataset


def _images(count=12, size=32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, size, size, 3), dtype=np.uint8), [int(i % 2) for i in range(count)]


def _train(graph: dict, *, cached: bool, epochs: int = 2, batch_size: int = 4) -> tuple[list, str | None]:
    """Build with a fixed seed, train with a fixed data order; the full model's weights after training."""
    images, labels = _images()
    keras.utils.set_random_seed(11)
    model = compile_graph(graph)
    rows, train_model, layer = Rows(table=images), model, None
    if cached:
        cut = find_frozen_cut(model)
        rows, train_model, layer = compute_features(cut.prefix, rows, batch_size=8), cut.suffix, cut.layer
    train_model.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
                        loss=keras.losses.SparseCategoricalCrossentropy())
    data = training_dataset(rows, labels, batch_size=batch_size, seed=5, first_epoch=0, epochs=epochs, binary=False)
    train_model.fit(data, epochs=epochs, steps_per_epoch=steps_per_epoch(rows.count, batch_size),
                    shuffle=False, verbose=0)
    return model.get_weights(), layer


def _frozen_tiny_graph() -> dict:
    return tiny_graph(conv_trainable=False)


def _assert_same_weights(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-4, atol=1e-5)


def test_a_frozen_conv_prefix_trains_the_same_weights_on_cached_features():
    plain, _ = _train(_frozen_tiny_graph(), cached=False)
    cached, layer = _train(_frozen_tiny_graph(), cached=True)
    assert layer == "flat"
    _assert_same_weights(plain, cached)
    untrained, _ = _train(_frozen_tiny_graph(), cached=False, epochs=0)
    assert not np.allclose(plain[-2], untrained[-2])  # the head did train


@pytest.mark.slow
def test_vgg16_with_block5_trainable_trains_the_same_weights_on_cached_block4_features():
    plain, _ = _train(vgg_graph(), cached=False)
    cached, layer = _train(vgg_graph(), cached=True)
    assert layer == "vgg/block4_pool"
    _assert_same_weights(plain, cached)


def test_the_cut_stops_before_the_first_trainable_layer():
    assert find_frozen_cut(compile_graph(tiny_graph())) is None  # the first conv trains: nothing to cache
    cut = find_frozen_cut(compile_graph(vgg_graph(trainable_layers=())))
    assert cut.layer == "flat" and cut.feature_shape == (512,)  # the Flatten after VGG16 is frozen too


def test_random_layers_end_the_frozen_prefix():
    graph = _frozen_tiny_graph()
    graph["nodes"].insert(1, {"id": "flip", "type": "RandomFlip", "params": {"mode": "horizontal"}})
    graph["edges"][0] = {"source": "in", "target": "flip"}
    graph["edges"].insert(1, {"source": "flip", "target": "scale"})
    assert find_frozen_cut(compile_graph(graph)) is None
    graph = _frozen_tiny_graph()
    graph["nodes"].insert(3, {"id": "drop", "type": "Dropout", "params": {"rate": 0.5}})
    graph["edges"][2] = {"source": "conv", "target": "drop"}
    graph["edges"].insert(3, {"source": "drop", "target": "pool"})
    assert find_frozen_cut(compile_graph(graph)).layer == "conv"


def test_a_trainable_batch_normalization_ends_the_prefix_and_a_frozen_one_does_not():
    def with_bn(trainable: bool) -> dict:
        graph = _frozen_tiny_graph()
        graph["nodes"].insert(3, {"id": "bn", "type": "BatchNormalization", "params": {"trainable": trainable}})
        graph["edges"][2] = {"source": "conv", "target": "bn"}
        graph["edges"].insert(3, {"source": "bn", "target": "pool"})
        return graph

    assert find_frozen_cut(compile_graph(with_bn(True))).layer == "conv"
    assert find_frozen_cut(compile_graph(with_bn(False))).layer == "flat"


def test_a_frozen_residual_block_is_cut_after_the_merge():
    graph = {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [8, 8, 3]}},
            {"id": "conv", "type": "Conv2D", "params": {"filters": 3, "padding": "same", "trainable": False}},
            {"id": "add", "type": "Add", "params": {}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "edges": [{"source": "in", "target": "conv"}, {"source": "in", "target": "add", "port": 0},
                  {"source": "conv", "target": "add", "port": 1}, {"source": "add", "target": "flat"},
                  {"source": "flat", "target": "out"}],
    }
    assert find_frozen_cut(compile_graph(graph)).layer == "flat"
