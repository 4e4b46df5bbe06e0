"""`manage.py spark_featurize`: features of an image folder from a network's frozen prefix, on Spark."""
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Compute the frozen prefix's features of every image under --images on Spark (local or a cluster) "
            "and write them as Parquet: path, label (the image's folder), features (flattened), error.")

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--project", type=int, help="A project id: its network with its initial weights.")
        source.add_argument("--run", type=int, help="A run id: the run's trained model.")
        parser.add_argument("--images", required=True, help="A folder of images (class folders give labels), "
                                                            "or any path Spark reads (hdfs://, s3a://).")
        parser.add_argument("--output", required=True, help="Where the Parquet dataset goes (a folder).")
        parser.add_argument("--master", default=None,
                            help="Spark master URL (default: $STUDIO_SPARK_MASTER, else local[*]).")
        parser.add_argument("--batch-size", type=int, default=32, help="Images per forward pass in an executor.")
        parser.add_argument("--partitions", type=int, default=0, help="Repartition the images first (0: as read).")
        parser.add_argument("--overwrite", action="store_true", help="Replace --output if it exists.")

    def handle(self, *args, project, run, images, output, master, batch_size, partitions, overwrite, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            from studio.spark import feature_shape, featurize, read_images, spark_session
            from studio.spark.bundle import NoFrozenPrefix
            from studio.spark.sources import SourceError, bundle_for_project, bundle_for_run
        except ImportError as exc:
            raise CommandError(str(exc)) from None
        started = time.monotonic()
        try:
            bundle = bundle_for_run(run) if run else bundle_for_project(project)
            shape = feature_shape(bundle)
        except (SourceError, NoFrozenPrefix) as exc:
            raise CommandError(str(exc)) from None
        spark = spark_session(master, app_name="keras-studio-featurize")
        frame = read_images(spark, images)
        if partitions > 0:
            frame = frame.repartition(partitions)
        result = featurize(frame, bundle, batch_size=batch_size).drop("image")
        result.write.mode("overwrite" if overwrite else "errorifexists").parquet(output)
        written = spark.read.parquet(output)
        total, failed = written.count(), written.filter("error IS NOT NULL").count()
        self.stdout.write(self.style.SUCCESS(
            f"Featurized {total - failed} of {total} images with {bundle.name} (features {list(shape)}) "
            f"into {output} in {time.monotonic() - started:.1f} s."))
        if failed:
            self.stdout.write(f"{failed} image(s) could not be used: see the error column.")
