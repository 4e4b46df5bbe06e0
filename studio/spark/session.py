"""The SparkSession the studio's Spark jobs run in: local mode on one machine, a cluster by its master URL.

- master: the argument, else STUDIO_SPARK_MASTER, else whatever spark-submit or the defaults say
  (`local[*]` when nothing does). `local[2]` runs two executor cores on this machine; a cluster is
  `spark://host:7077`, `yarn`, `k8s://https://...` and needs nothing else changed here.
- The Python of the driver is the Python of the executors (PYSPARK_PYTHON) unless set otherwise:
  the executors import TensorFlow, Keras, Pillow and this package, so on a cluster every node needs
  requirements.txt + requirements-spark.txt installed (README.md, "Deployment (scale-out)").
- The studio's pure code (studio.graphs, studio.training.frozen, studio.exports.preprocess) travels
  to the executors as a zip (SparkContext.addPyFile), so a cluster needs no checkout of the project.
- Arrow carries the batches between the JVM and the Python UDFs.
"""
import logging
import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # studio/
# What the executors import: the pure cores. Django apps' models/views never run there.
SHIPPED = ("__init__.py", "env.py", "graphs", "training", "datasets", "exports", "spark")
DEFAULT_CONF = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Images are large rows: small Arrow batches keep an executor's memory in check.
    "spark.sql.execution.arrow.maxRecordsPerBatch": "256",
    "spark.ui.showConsoleProgress": "false",
}
_shipped_to: set[str] = set()


def _require_pyspark() -> Any:
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError:
        raise ImportError("Spark support needs the optional extras: pip install -r requirements-spark.txt "
                          "(pyspark, pandas, pyarrow) and Java 17.") from None
    return SparkSession


def spark_session(master: str | None = None, *, app_name: str = "keras-studio",
                  conf: dict[str, str] | None = None, ship_code: bool = True):
    """Get or create the SparkSession; `conf` adds Spark settings (spark.executor.memory, ...)."""
    session_class = _require_pyspark()
    # py4j logs every connection it opens and closes at INFO (and at interpreter exit, into closed streams).
    logging.getLogger("py4j").setLevel(logging.WARNING)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    builder = session_class.builder.appName(app_name)
    master = master or os.environ.get("STUDIO_SPARK_MASTER") or None
    settings = dict(DEFAULT_CONF)
    if master:
        builder = builder.master(master)
        if master.startswith("local"):
            # One machine: keep the driver on the loopback interface (no other address is needed).
            settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"})
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    if ship_code:
        ship_studio_code(spark)
    return spark


def _zip_studio(target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in SHIPPED:
            source = PACKAGE_DIR / name
            files = [source] if source.is_file() else sorted(source.rglob("*.py"))
            for path in files:
                if "__pycache__" in path.parts or "migrations" in path.parts:
                    continue
                archive.write(path, Path("studio") / path.relative_to(PACKAGE_DIR))
    return target


def ship_studio_code(spark) -> None:
    """Send the studio's pure code to the executors (once per SparkContext)."""
    context = spark.sparkContext
    if context.applicationId in _shipped_to:
        return
    folder = Path(tempfile.mkdtemp(prefix="studio-spark-"))
    context.addPyFile(str(_zip_studio(folder / "studio.zip")))
    _shipped_to.add(context.applicationId)
    log.info("Shipped the studio's code to Spark application %s", context.applicationId)


def stop_spark(spark, *, shut_down_jvm: bool = False) -> None:
    """Stop the session; with `shut_down_jvm`, also end the local JVM (py4j gateway) this process started,
    which otherwise lives, holding its memory, until the Python process exits."""
    spark.stop()
    if not shut_down_jvm:
        return
    from pyspark import SparkContext

    gateway = SparkContext._gateway
    if gateway is None:
        return
    proc = getattr(gateway, "proc", None)
    try:
        gateway.shutdown()
    finally:
        SparkContext._gateway = None
        SparkContext._jvm = None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
