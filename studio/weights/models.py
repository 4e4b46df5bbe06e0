"""A weights file in a person's library: checked weights for one backbone architecture, stored normalised.

The file itself lives under DATA_DIR/weights/<owner id>/<id>.h5, written by our own code (arrays by
layer name, see studio.graphs.backbone_weights), never the bytes that were uploaded.
"""

from django.conf import settings
from django.db import models


class WeightsFile(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="weights_files")
    name = models.CharField(max_length=200)
    architecture = models.CharField(max_length=64)  # a pre-trained registry type: "MobileNetV2", "VGG16", ...
    path = models.CharField(max_length=500, blank=True, default="")  # relative to DATA_DIR
    size = models.BigIntegerField(default=0)  # bytes of the stored (normalised) file
    # Where the weights came from, in words: "uploaded dog_breed.h5", "from run 12 (node mobilenet)".
    source = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["owner", "architecture"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.architecture})"
