"""Write studio/graphs/backbone_data/<type>.json from keras.applications (weights=None, no download).

The studio validates graphs without importing TensorFlow, so the big backbones' layer lists, params
and wiring are packaged as data. Run this after upgrading Keras (tests/zoo fails when the data no
longer matches what Keras builds) or to add a backbone:

    .venv/bin/python scripts/gen_backbone_data.py            # every packaged backbone
    .venv/bin/python scripts/gen_backbone_data.py ResNet101  # a new one (then add its Backbone entry)
"""

import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studio.graphs.backbone_keras import describe_application  # noqa: E402
from studio.graphs.backbone_layers import DATA_DIR  # noqa: E402

log = logging.getLogger("gen_backbone_data")

# The backbones whose layers are data (VGG's are written out in backbones.py).
PACKAGED = ("ResNet50", "ResNet50V2", "MobileNetV2", "InceptionV3", "EfficientNetB0", "DenseNet121", "Xception")


def render(data: dict) -> str:
    """One layer per line: readable diffs when Keras changes a network."""
    head = {k: v for k, v in data.items() if k != "layers"}
    lines = [json.dumps(row, separators=(",", ":")) for row in data["layers"]]
    body = json.dumps(head, indent=1)[:-2]
    return body + ',\n "layers": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n"


def main(names: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    DATA_DIR.mkdir(exist_ok=True)
    for name in names or PACKAGED:
        data = describe_application(name)
        path = DATA_DIR / f"{name}.json"
        path.write_text(render(data))
        log.info("%s: %d layers -> %s", name, len(data["layers"]), path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
