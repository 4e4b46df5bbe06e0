"""`manage.py spark_score`: a trained run's predictions over an image folder on Spark, or any SQL over them."""
import time

from django.core.management.base import BaseCommand, CommandError

DEFAULT_QUERY = "SELECT path, label, predict(image) AS prediction FROM images"


class Command(BaseCommand):
    help = ("Score every image under --images with a run's trained model on Spark. The images are the SQL view "
            "`images` (path, label, image, length) and the model the SQL function predict(image), which returns "
            "struct<label, probability, probabilities, error>; --sql runs any query over them (default: "
            f'"{DEFAULT_QUERY}"). The result goes to --output as Parquet, JSON lines (.json) or CSV (.csv).')

    def add_arguments(self, parser):
        parser.add_argument("--run", type=int, required=True, help="The run whose trained model scores.")
        parser.add_argument("--images", required=True, help="A folder of images, or any path Spark reads.")
        parser.add_argument("--output", required=True, help="Where the result goes (a folder, as Spark writes).")
        parser.add_argument("--sql", default=DEFAULT_QUERY, help="The query to run over `images` with predict().")
        parser.add_argument("--master", default=None,
                            help="Spark master URL (default: $STUDIO_SPARK_MASTER, else local[*]).")
        parser.add_argument("--batch-size", type=int, default=32, help="Images per forward pass in an executor.")
        parser.add_argument("--overwrite", action="store_true", help="Replace --output if it exists.")

    def handle(self, *args, run, images, output, sql, master, batch_size, overwrite, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            from studio.spark import read_images, register_predict, spark_session
            from studio.spark.sources import SourceError, bundle_for_run
        except ImportError as exc:
            raise CommandError(str(exc)) from None
        started = time.monotonic()
        try:
            bundle = bundle_for_run(run)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        spark = spark_session(master, app_name="keras-studio-score")
        read_images(spark, images).createOrReplaceTempView("images")
        register_predict(spark, bundle, batch_size=batch_size)
        try:
            result = spark.sql(sql)
        except Exception as exc:  # an AnalysisException / ParseException: the query is the user's
            raise CommandError(f"The query failed: {str(exc).splitlines()[0]}") from None
        writer = _flat(result) if output.endswith(".csv") else result
        writer = writer.write.mode("overwrite" if overwrite else "errorifexists")
        if output.endswith(".csv"):
            writer.option("header", "true").csv(output)
        elif output.endswith(".json"):
            writer.json(output)
        else:
            writer.parquet(output)
        self.stdout.write(self.style.SUCCESS(
            f"Scored with run {run} ({len(bundle.classes)} classes) into {output} "
            f"in {time.monotonic() - started:.1f} s."))


def _flat(frame):
    """CSV holds no structs or arrays: struct fields become columns (prediction_label, ...), arrays JSON text."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, BinaryType, MapType, StructType

    columns = []
    for field in frame.schema.fields:
        if isinstance(field.dataType, StructType):
            for inner in field.dataType.fields:
                value = F.col(f"`{field.name}`.`{inner.name}`")
                if isinstance(inner.dataType, (ArrayType, MapType, StructType)):
                    value = F.to_json(value)
                columns.append(value.alias(f"{field.name}_{inner.name}"))
        elif isinstance(field.dataType, (ArrayType, MapType)):
            columns.append(F.to_json(F.col(f"`{field.name}`")).alias(field.name))
        elif not isinstance(field.dataType, BinaryType):
            columns.append(F.col(f"`{field.name}`"))
    return frame.select(*columns)
