"""A dataset: a user's labelled images, stored normalised under DATA_DIR/datasets/<id>/.

The class list (names in label order, with counts) lives on the dataset so a trained model's output
index maps back to a name even if files change later. Each image row knows its label index and its
split; the split itself is stored as a definition (percentages + seed) and the per-image assignment
is recomputed from it (studio.datasets.splits) whenever it changes.
"""
from django.conf import settings
from django.db import models

from studio.datasets.splits import SPLITS, SplitSpec


def default_split() -> dict:
    return SplitSpec().as_dict()


class Dataset(models.Model):
    class Status(models.TextChoices):
        # Ingestion is synchronous today, so rows are created "ready"; the other states are for a
        # background job that would create the row first and fill it in.
        PROCESSING = "processing"
        READY = "ready"
        FAILED = "failed"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        IMPORT = "import"
        DEMO = "demo"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")  # e.g. the demo's sources and licenses
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    error = models.TextField(blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    source_name = models.CharField(max_length=255, blank=True, default="")  # the uploaded file's name
    layout = models.CharField(max_length=16, blank=True, default="")  # "folders" or "csv"
    classes = models.JSONField(default=list)  # [{"name": str, "count": int}] in label order
    image_count = models.PositiveIntegerField(default=0)
    image_stats = models.JSONField(default=dict)  # see studio.datasets.ingest.image_stats
    skipped = models.JSONField(default=list)  # [{"file": str, "reason": str}], capped
    skipped_count = models.PositiveIntegerField(default=0)
    split = models.JSONField(default=default_split)  # {"train", "validation", "test", "seed"}
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "-created"])]
        constraints = [
            # One demo dataset per person, even when "add the demo" is clicked twice at once.
            models.UniqueConstraint(fields=["owner"], condition=models.Q(source="demo"), name="one_demo_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def class_names(self) -> list[str]:
        return [c["name"] for c in self.classes]

    @property
    def split_spec(self) -> SplitSpec:
        return SplitSpec.from_dict(self.split)


class DatasetImage(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="images")
    seq = models.PositiveIntegerField()  # file number: images/{seq:06d}.jpg, thumbs/{seq:06d}.jpg
    path = models.CharField(max_length=64)  # relative to the dataset folder
    source_path = models.CharField(max_length=1024)  # where it was in the upload
    label = models.PositiveIntegerField()  # index into dataset.classes
    width = models.PositiveIntegerField()  # original size, EXIF orientation applied
    height = models.PositiveIntegerField()
    mode = models.CharField(max_length=16)  # original Pillow mode
    format = models.CharField(max_length=16, blank=True, default="")
    split = models.CharField(max_length=16, choices=[(s, s) for s in SPLITS])

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["dataset", "seq"], name="unique_image_seq")]
        indexes = [
            models.Index(fields=["dataset", "label", "seq"]),
            models.Index(fields=["dataset", "split", "seq"]),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def thumb_path(self) -> str:
        return f"thumbs/{self.seq:06d}.jpg"
