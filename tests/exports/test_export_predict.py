"""Top-k prediction for images, and a zip of images scored into CSV rows."""

from __future__ import annotations

import csv
import importlib.util
import io
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from export_builders import CLASS_NAMES, SIZE, image_bytes, noise_image_bytes

from studio.exports import BatchError
from studio.exports.archive import ZipLimits
from studio.exports.predict import as_probabilities, predict_images, predict_zip, rows_to_csv
from studio.exports.preprocess import load_image_for_model


def test_predict_images_gives_the_top_k_classes_most_probable_first(tiny_model, inputs):
    results = predict_images(tiny_model, list(inputs), CLASS_NAMES, top_k=2)
    expected = tiny_model.predict(inputs, verbose=0)
    assert len(results) == 4
    for result, probabilities in zip(results, expected, strict=True):
        order = np.argsort(-probabilities)
        assert [r["class"] for r in result] == [CLASS_NAMES[i] for i in order[:2]]
        assert [r["probability"] for r in result] == pytest.approx(probabilities[order[:2]].tolist(), abs=1e-6)


def _table(results) -> list[list[tuple[str, float]]]:
    return [[(r["class"], round(r["probability"], 6)) for r in result] for result in results]


def test_predict_images_batches_without_changing_results(tiny_model, inputs):
    in_threes = predict_images(tiny_model, list(inputs), CLASS_NAMES, 3, batch_size=3)
    at_once = predict_images(tiny_model, list(inputs), CLASS_NAMES, 3, batch_size=32)
    assert _table(in_threes) == _table(at_once)


def test_top_k_larger_than_the_class_count_lists_every_class(tiny_model, inputs):
    (result,) = predict_images(tiny_model, [inputs[0]], CLASS_NAMES, top_k=10)
    assert sorted(r["class"] for r in result) == sorted(CLASS_NAMES)
    assert sum(r["probability"] for r in result) == pytest.approx(1.0, abs=1e-5)


def test_predict_images_of_nothing_is_nothing(tiny_model):
    assert predict_images(tiny_model, [], CLASS_NAMES) == []


def test_class_names_must_match_the_model_outputs(tiny_model, inputs):
    with pytest.raises(ValueError, match="3 outputs but 2 class names"):
        predict_images(tiny_model, [inputs[0]], ["a", "b"])


def test_a_single_sigmoid_unit_is_read_as_two_classes():
    np.testing.assert_allclose(as_probabilities(np.array([[0.8], [0.1]]), 2), [[0.2, 0.8], [0.9, 0.1]])


def test_logits_are_turned_into_probabilities():
    probs = as_probabilities(np.array([[2.0, 0.0, -1.0]]), 3)
    np.testing.assert_allclose(probs.sum(), 1.0)
    assert probs[0, 0] == pytest.approx(np.exp(2) / (np.exp(2) + 1 + np.exp(-1)))


def test_the_bundle_script_reads_outputs_by_the_same_rules(tmp_path):
    # predict.py in a bundle cannot import the studio: it carries its own copy, which must not drift.
    from studio.exports import bundle, preprocess

    for source in (bundle._FILES / "predict.py", Path(preprocess.__file__)):
        shutil.copy(source, tmp_path / source.name)
    spec = importlib.util.spec_from_file_location("bundle_predict_copy", tmp_path / "predict.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    sys.modules.pop("preprocess", None)  # the copy imported its neighbour under that plain name
    for outputs, n in [
        (np.array([[0.7, 0.2, 0.1]]), 3),
        (np.array([[3.0, -1.0, 0.5]]), 3),
        (np.array([[0.3]]), 2),
        (np.array([[-2.0]]), 2),
    ]:
        np.testing.assert_allclose(script.as_probabilities(outputs, n), as_probabilities(outputs, n))


def _zip(entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return out.getvalue()


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.fixture
def mixed_zip() -> bytes:
    truncated = noise_image_bytes("JPEG", size=(64, 64))
    return _zip(
        [
            ("photos/a.png", noise_image_bytes("PNG", seed=1)),
            ("photos/", b""),
            ("__MACOSX/photos/._a.png", b"resource fork"),
            ("photos/.DS_Store", b"finder"),
            ("photos/notes.txt", b"not an image"),
            ("photos/b.jpg", noise_image_bytes("JPEG", seed=2)),
            ("photos/broken.jpg", truncated[: len(truncated) // 2]),
            ("../escape.png", image_bytes()),
            (_symlink("photos/link.png"), b"/etc/passwd"),
            ("=HYPERLINK(1).png", image_bytes()),
        ]
    )


def test_a_zip_is_scored_file_by_file_with_errors_listed_not_raised(tiny_model, mixed_zip):
    rows = predict_zip(tiny_model, mixed_zip, class_names=CLASS_NAMES, size=SIZE, top_k=2, batch_size=2)
    by_file = {row.file: row for row in rows}
    # Junk (the macOS fork, .DS_Store) and folders are skipped silently; everything else has a row, in order.
    assert [row.file for row in rows] == [
        "photos/a.png", "photos/notes.txt", "photos/b.jpg", "photos/broken.jpg",
        "../escape.png", "photos/link.png", "=HYPERLINK(1).png",
    ]  # fmt: skip
    assert by_file["photos/notes.txt"].error.startswith("The file is not an image")
    assert "damaged or truncated" in by_file["photos/broken.jpg"].error
    assert "unsafe path" in by_file["../escape.png"].error
    assert "symbolic link" in by_file["photos/link.png"].error
    ok = [row for row in rows if row.error is None]
    assert [row.file for row in ok] == ["photos/a.png", "photos/b.jpg", "=HYPERLINK(1).png"]
    # The same numbers as predicting the same files one by one.
    image = load_image_for_model(noise_image_bytes("JPEG", seed=2), size=SIZE)
    assert _table([by_file["photos/b.jpg"].predictions]) == _table(predict_images(tiny_model, [image], CLASS_NAMES, 2))


def test_the_csv_has_one_row_per_file_and_defuses_formulas(tiny_model, mixed_zip):
    rows = predict_zip(tiny_model, mixed_zip, class_names=CLASS_NAMES, size=SIZE, top_k=2)
    table = list(csv.reader(io.StringIO(rows_to_csv(rows, top_k=2))))
    assert table[0] == ["file", "status", "class_1", "probability_1", "class_2", "probability_2", "error"]
    assert len(table) == 1 + len(rows)
    first = table[1]
    assert first[:2] == ["photos/a.png", "ok"] and first[2] in CLASS_NAMES and 0 <= float(first[3]) <= 1
    notes = table[2]
    assert notes[1] == "error" and notes[2:6] == ["", "", "", ""] and "not an image" in notes[6]
    assert table[-1][0] == "'=HYPERLINK(1).png"  # a spreadsheet shows it as text instead of running it


def test_a_file_that_is_not_a_zip_is_refused_as_a_whole(tiny_model):
    with pytest.raises(BatchError, match="not a readable zip"):
        predict_zip(tiny_model, b"PK\x03\x04 but not really", class_names=CLASS_NAMES, size=SIZE)


def test_too_many_files_refuse_the_batch(tiny_model):
    data = _zip([(f"{i}.png", image_bytes()) for i in range(4)])
    with pytest.raises(BatchError, match="holds 4 files; the limit is 3"):
        predict_zip(tiny_model, data, class_names=CLASS_NAMES, size=SIZE, limits=ZipLimits(max_files=3))


def test_a_batch_over_the_total_size_is_refused(tiny_model):
    data = _zip([("a.png", noise_image_bytes()), ("b.png", noise_image_bytes(seed=3))])
    with pytest.raises(BatchError, match="unpacks to"):
        predict_zip(tiny_model, data, class_names=CLASS_NAMES, size=SIZE, limits=ZipLimits(max_total_bytes=5000))


def test_a_zip_bomb_entry_is_an_error_row_without_being_inflated(tiny_model):
    bomb = b"\x00" * (4 * 1024 * 1024)  # 4 MB of zeros deflate to about 4 kB
    data = _zip([("bomb.png", bomb), ("ok.png", image_bytes())])
    assert len(data) < 20_000
    limits = ZipLimits(max_file_bytes=1024 * 1024)
    rows = predict_zip(tiny_model, data, class_names=CLASS_NAMES, size=SIZE, limits=limits)
    assert "limit is 1,048,576 per file" in rows[0].error
    assert rows[1].error is None


def test_a_header_that_understates_the_size_is_caught_by_the_bounded_read(tiny_model):
    data = bytearray(_zip([("liar.png", b"\x00" * 300_000)]))
    # Rewrite the declared uncompressed size (local header and central directory) to 100 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        data[at : at + 4] = (100).to_bytes(4, "little")
    (row,) = predict_zip(tiny_model, bytes(data), class_names=CLASS_NAMES, size=SIZE)
    assert row.error  # zipfile stops at the declared size and the CRC check fails: never 300 kB


def test_an_encrypted_entry_is_an_error_row(tiny_model):
    data = bytearray(_zip([("secret.png", image_bytes())]))
    # zipfile cannot write encrypted entries: set the "encrypted" flag bit in both headers by hand.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 0x1
    (row,) = predict_zip(tiny_model, bytes(data), class_names=CLASS_NAMES, size=SIZE)
    assert row.error == "encrypted entries are not supported"
