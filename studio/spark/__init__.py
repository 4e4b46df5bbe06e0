"""Apache Spark for the studio: image folders as DataFrames, features from a network's frozen prefix,
heads trained on them, and trained models scoring DataFrames and SQL (Deep Learning Pipelines' ideas).

    from studio.spark import spark_session, read_images, featurize, train_head, score, register_predict
    spark = spark_session("local[2]")                      # or a cluster's master URL
    images = read_images(spark, "photos/")                 # path, label, image (bytes), length
    features = featurize(images, bundle)                   # + features, error (the frozen prefix's output)
    head = train_head(features, bundle, hyperparameters={"epochs": 10})
    register_predict(spark, head.bundle())
    images.createOrReplaceTempView("images")
    spark.sql("SELECT path, predict(image).label FROM images")

A ModelBundle (graph + weights bytes + classes) is what executors get: studio.spark.sources makes one
from a trained run or a project (Django, driver only); ModelBundle.from_model from any compiled graph.
No Django models are imported here: executors run only the pure cores. Needs requirements-spark.txt.
"""
from studio.spark.bundle import ModelBundle, NoFrozenPrefix
from studio.spark.featurize import feature_shape, features_to_numpy, featurize
from studio.spark.head import HeadResult, train_head
from studio.spark.images import read_images
from studio.spark.score import register_predict, score
from studio.spark.session import spark_session

__all__ = ["HeadResult", "ModelBundle", "NoFrozenPrefix", "feature_shape", "featurize", "features_to_numpy",
           "read_images", "register_predict", "score", "spark_session", "train_head"]
