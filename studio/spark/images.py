"""An image folder as a Spark DataFrame: one row per file, its bytes undecoded (Spark's binaryFile source).

Columns: `path` (as Spark names it: file:/..., hdfs://..., s3a://...), `label` (the name of the folder
holding the file: the class in a folder-per-class layout), `image` (the file's bytes) and `length`.
Decoding happens later, inside the UDFs, with the studio's own image loader.
"""
from pathlib import Path

# Hadoop globs are case-sensitive: the usual spellings of the formats the studio's loader accepts.
IMAGE_GLOB = "*.{jpg,jpeg,png,gif,bmp,webp,tif,tiff,JPG,JPEG,PNG,GIF,BMP,WEBP,TIF,TIFF}"


def read_images(spark, path: str | Path, *, recursive: bool = True, glob: str = IMAGE_GLOB):
    """The images under `path` (a folder, or anything Spark reads: hdfs://, s3a://, a glob)."""
    from pyspark.sql import functions as F

    location = str(path)
    if "://" not in location and not location.startswith("file:"):
        location = str(Path(location).resolve())
    frame = (spark.read.format("binaryFile")
             .option("pathGlobFilter", glob)
             .option("recursiveFileLookup", "true" if recursive else "false")
             .load(location))
    return frame.select(
        "path",
        F.element_at(F.split("path", "/"), -2).alias("label"),
        F.col("content").alias("image"),
        "length",
    )
