"""Score a trained model over a DataFrame of images, and as a SQL function.

    register_predict(spark, bundle)              # once
    spark.sql("SELECT path, predict(image).label FROM images")

`predict(image)` returns struct<label string, probability double, probabilities array<double>,
error string>: the most probable class, its probability, every class's probability in the order of
the bundle's classes (the run's), and why an image could not be scored (null otherwise). The numbers
are those of the studio's POST /api/runs/{id}/predict/ for the same file (studio.spark.inference).
"""
from collections.abc import Iterator

import pandas as pd

from studio.spark.bundle import ModelBundle

PREDICTION_SCHEMA = "label string, probability double, probabilities array<double>, error string"


def predict_udf(spark, bundle: ModelBundle, *, batch_size: int = 32):
    """A pandas UDF: image bytes -> the prediction struct."""
    from pyspark.sql.functions import pandas_udf

    from studio.spark.inference import predictions_frame

    shared = spark.sparkContext.broadcast(bundle)
    classes = list(bundle.classes)

    @pandas_udf(PREDICTION_SCHEMA)
    def predict_images(batches: Iterator[pd.Series]) -> Iterator[pd.DataFrame]:
        model = shared.value.build_cached("full")
        for images in batches:
            yield predictions_frame(model, images, classes, batch_size=batch_size)

    return predict_images


def score(df, bundle: ModelBundle, *, input_col: str = "image", output_col: str = "prediction",
          batch_size: int = 32):
    """`df` plus a `prediction` struct column (see the module's docstring)."""
    from pyspark.sql import functions as F

    return df.withColumn(output_col, predict_udf(df.sparkSession, bundle, batch_size=batch_size)(F.col(input_col)))


def register_predict(spark, bundle: ModelBundle, *, name: str = "predict", batch_size: int = 32):
    """Register the model as the SQL function `name` (image bytes -> prediction struct); returns the UDF."""
    return spark.udf.register(name, predict_udf(spark, bundle, batch_size=batch_size))
