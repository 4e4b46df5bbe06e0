"""Featurize images with the frozen prefix of a network, on Spark executors (Deep Learning Pipelines' way).

The bundle (graph + weights) is broadcast once; each executor's Python worker builds the prefix the
first time a task needs it and keeps it (ModelBundle.build_cached); a pandas UDF feeds it the Arrow
batches of a partition, `batch_size` images per forward pass. The prefix is exactly the part the
studio's trainer caches (studio.training.frozen.find_frozen_cut), so a head trained on these
features (studio.spark.head.train_head) fits the same model the studio trains.
"""
from collections.abc import Iterator

import numpy as np
import pandas as pd

from studio.spark.bundle import ModelBundle, frozen_prefix

FEATURES_SCHEMA = "features array<float>, error string"


def feature_shape(bundle: ModelBundle) -> tuple[int, ...]:
    """The shape of one image's features (the rows hold them flattened). Also checks, on the driver, that
    the network has a frozen prefix at all (NoFrozenPrefix otherwise)."""
    return tuple(int(d) for d in frozen_prefix(bundle.build()).outputs[0].shape[1:])


def features_udf(spark, bundle: ModelBundle, *, batch_size: int = 32):
    """A pandas UDF: image bytes -> struct<features array<float>, error string>."""
    from pyspark.sql.functions import pandas_udf

    from studio.spark.inference import features_frame

    shared = spark.sparkContext.broadcast(bundle)

    @pandas_udf(FEATURES_SCHEMA)
    def featurize_images(batches: Iterator[pd.Series]) -> Iterator[pd.DataFrame]:
        prefix = shared.value.build_cached("prefix")
        for images in batches:
            yield features_frame(prefix, images, batch_size=batch_size)

    return featurize_images


def featurize(df, bundle: ModelBundle, *, input_col: str = "image", batch_size: int = 32):
    """`df` plus `features` (array<float>, null where the image could not be used) and `error`."""
    from pyspark.sql import functions as F

    feature_shape(bundle)  # fail on the driver, not in every task, when there is no frozen prefix
    udf = features_udf(df.sparkSession, bundle, batch_size=batch_size)
    out = df.withColumn("_featurized", udf(F.col(input_col)))
    return out.select(*df.columns, "_featurized.features", "_featurized.error")


def features_to_numpy(rows: pd.DataFrame, shape: tuple[int, ...], *, column: str = "features") -> np.ndarray:
    """Collected feature rows as one float32 array of shape (n, *shape)."""
    return np.stack([np.asarray(v, dtype=np.float32) for v in rows[column]]).reshape((len(rows), *shape))
