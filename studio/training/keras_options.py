"""A run's hyper-parameters as Keras objects: optimizer (with its schedule), loss, metrics."""
import keras

from studio.training.preflight import output_spec, resolve_loss


def build_optimizer(hp: dict, *, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    rate = hp["learning_rate"]
    schedule = hp["lr_schedule"]
    if schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=max(1, hp["epochs"] * steps_per_epoch))
    elif schedule == "step":
        rate = keras.optimizers.schedules.ExponentialDecay(
            rate, decay_steps=max(1, hp["lr_step_epochs"] * steps_per_epoch), decay_rate=hp["lr_decay_factor"],
            staircase=True)
    name = hp["optimizer"]
    if name == "sgd":
        return keras.optimizers.SGD(rate, momentum=hp["momentum"])
    if name == "rmsprop":
        return keras.optimizers.RMSprop(rate, momentum=hp["momentum"])
    if name == "adamw":
        return keras.optimizers.AdamW(rate, weight_decay=hp["weight_decay"])
    return keras.optimizers.Adam(rate)


def loss_spec(run_graph: dict, report: dict, hp: dict, num_classes: int) -> dict:
    """{"name", "from_logits"}: the same choice the pre-flight check reported."""
    spec = output_spec(run_graph, report)
    result = resolve_loss(requested=hp["loss"], units=spec["units"], activation=spec["activation"],
                          num_classes=num_classes)
    if "error" in result:
        raise ValueError(result["error"])
    return result


def build_loss(spec: dict) -> keras.losses.Loss:
    if spec["name"] == "binary_crossentropy":
        return keras.losses.BinaryCrossentropy(from_logits=spec["from_logits"])
    return keras.losses.SparseCategoricalCrossentropy(from_logits=spec["from_logits"])


def build_metrics(hp: dict, spec: dict) -> list:
    # Named as Keras logs them by default ("accuracy"), whatever the loss.
    binary = spec["name"] == "binary_crossentropy"
    metrics = []
    for name in hp["metrics"]:
        if name == "accuracy":
            metrics.append(keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0 if spec["from_logits"] else 0.5)
                           if binary else keras.metrics.SparseCategoricalAccuracy(name="accuracy"))
        elif name == "top_5_accuracy" and not binary:
            metrics.append(keras.metrics.SparseTopKCategoricalAccuracy(k=5, name="top_5_accuracy"))
    return metrics


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
