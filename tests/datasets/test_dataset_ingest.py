"""Building datasets from archives and folders: layouts, skips, refusals, and nothing left behind."""
import io
import os
import zipfile

import pytest
from dataset_builders import class_zip, image_bytes, jpeg, make_zip, patch_member, png, png_header_only, understate_size
from PIL import Image

from studio.datasets import services, storage
from studio.datasets.errors import ArchiveRejected, DatasetError, TooLarge
from studio.datasets.models import Dataset, DatasetImage

pytestmark = pytest.mark.django_db


def create(owner, data: bytes, name: str = "colors") -> Dataset:
    return services.dataset_create_from_zip(owner=owner, name=name, archive=io.BytesIO(data), source_name="t.zip")


def reasons(dataset: Dataset) -> dict[str, str]:
    return {item["file"]: item["reason"] for item in dataset.skipped}


def leftovers() -> list[str]:
    """Everything in the datasets folder: after a failure there must be nothing."""
    return sorted(p.name for p in storage.datasets_root().iterdir())


def test_a_zip_of_class_folders_becomes_a_dataset_with_sorted_classes(alice):
    dataset = create(alice, class_zip({"red": 3, "green": 2}))
    assert dataset.classes == [{"name": "green", "count": 2}, {"name": "red", "count": 3}]
    assert dataset.layout == "folders" and dataset.image_count == 5 and dataset.skipped == []
    images = list(dataset.images.order_by("seq"))
    assert [(i.source_path, i.label) for i in images] == [
        ("green/0.jpg", 0), ("green/1.jpg", 0), ("red/0.jpg", 1), ("red/1.jpg", 1), ("red/2.jpg", 1)]
    folder = storage.dataset_dir(dataset.id)
    for image in images:
        stored = Image.open(folder / image.path)
        assert stored.format == "JPEG" and stored.mode == "RGB"
        assert Image.open(folder / image.thumb_path).format == "JPEG"
    assert dataset.image_stats["width"] == {"min": 8, "max": 8, "mean": 8.0, "median": 8}
    assert dataset.image_stats["modes"] == {"RGB": 5}


def test_one_wrapper_folder_is_tolerated_and_nested_folders_belong_to_their_class(alice):
    data = make_zip({"export/red/a.jpg": jpeg("red"), "export/red/more/b.jpg": jpeg("red"),
                     "export/green/c.jpg": jpeg("green")})
    dataset = create(alice, data)
    assert dataset.class_names == ["green", "red"]
    assert sorted(dataset.images.values_list("source_path", flat=True)) == [
        "export/green/c.jpg", "export/red/a.jpg", "export/red/more/b.jpg"]


def test_macos_and_hidden_files_are_ignored_silently(alice):
    extra = {"__MACOSX/red/._0.jpg": b"junk", "red/.DS_Store": b"junk", "green/Thumbs.db": b"junk"}
    dataset = create(alice, class_zip(extra=extra))
    assert dataset.skipped == [] and dataset.image_count == 6


def test_a_csv_with_a_header_labels_images_anywhere_in_the_zip(alice):
    rows = "filename,label\nimgs/a.jpg,cat\nimgs/b.jpg,dog\nimgs/c.png,dog\nmissing.jpg,cat\nimgs/d.jpg,\n"
    data = make_zip({"labels.csv": rows.encode(), "imgs/a.jpg": jpeg("red"), "imgs/b.jpg": jpeg("green"),
                     "imgs/c.png": png("blue"), "imgs/d.jpg": jpeg("red"), "imgs/unlisted.jpg": jpeg("red")})
    dataset = create(alice, data)
    assert dataset.layout == "csv"
    assert dataset.classes == [{"name": "cat", "count": 1}, {"name": "dog", "count": 2}]
    why = reasons(dataset)
    assert why["missing.jpg"] == "listed in labels.csv but not in the archive"
    assert why["imgs/d.jpg"] == "no label in the CSV"
    assert why["imgs/unlisted.jpg"] == "not listed in labels.csv"


def test_a_csv_without_a_header_inside_a_wrapper_folder(alice):
    rows = "a.jpg;cat\nb.jpg;dog\n"  # semicolons, as spreadsheet exports in many locales write them
    data = make_zip({"set/labels.csv": rows.encode(), "set/a.jpg": jpeg("red"), "set/b.jpg": jpeg("green")})
    dataset = create(alice, data)
    assert dataset.class_names == ["cat", "dog"] and dataset.image_count == 2


def test_files_that_are_not_images_are_skipped_and_listed(alice):
    dataset = create(alice, class_zip(extra={"red/notes.txt": b"hello", "README.md": b"# data"}))
    assert dataset.image_count == 6
    why = reasons(dataset)
    assert why["red/notes.txt"] == "not an image (or not JPEG, PNG, GIF, BMP, TIFF, WebP or PPM)"
    assert why["README.md"].startswith("not inside a class folder")


def test_truncated_and_corrupt_images_are_skipped_with_a_reason(alice):
    whole = image_bytes(size=(64, 64), fmt="PNG")
    dataset = create(alice, class_zip(extra={"red/cut.png": whole[: len(whole) // 2], "red/zero.jpg": b""}))
    why = reasons(dataset)
    assert why["red/cut.png"].startswith("corrupt or truncated image")
    assert why["red/zero.jpg"].startswith("not an image")
    assert dataset.image_count == 6


def test_a_pillow_decompression_bomb_is_skipped_not_decoded(alice):
    dataset = create(alice, class_zip(extra={"red/bomb.png": png_header_only(40_000, 40_000)}))
    assert "decompression bomb" in reasons(dataset)["red/bomb.png"]
    assert dataset.image_count == 6


def test_mixed_modes_are_all_stored_as_rgb(alice):
    files = {"a/l.png": png(mode="L"), "a/rgba.png": png(mode="RGBA"), "a/p.png": png(mode="P"),
             "b/cmyk.jpg": image_bytes(mode="CMYK"), "b/rgb.jpg": jpeg()}
    buffer = io.BytesIO()
    Image.new("I;16", (8, 6), 40000).save(buffer, "PNG")
    files["b/sixteen.png"] = buffer.getvalue()
    dataset = create(alice, make_zip(files))
    assert dataset.image_stats["modes"] == {"L": 1, "RGBA": 1, "P": 1, "CMYK": 1, "RGB": 1, "I;16": 1}
    folder = storage.dataset_dir(dataset.id)
    for image in dataset.images.all():
        assert Image.open(folder / image.path).mode == "RGB"


def test_an_empty_class_is_left_out_and_reported(alice):
    data = make_zip({"red/0.jpg": jpeg(), "green/0.jpg": jpeg(), "blue/notes.txt": b"x"}, dirs=("gray/",))
    dataset = create(alice, data)
    assert dataset.class_names == ["green", "red"]
    why = reasons(dataset)
    assert why["blue/"].startswith("empty class") and why["gray/"].startswith("empty class")


def test_a_single_class_is_refused_because_classification_needs_two(alice):
    expected = "Only one class was found .'red', 3 images.. Classification needs at least 2"
    with pytest.raises(DatasetError, match=expected):
        create(alice, class_zip({"red": 3}))
    assert Dataset.objects.count() == 0 and leftovers() == []


def test_an_archive_without_images_says_what_was_wrong(alice):
    with pytest.raises(DatasetError, match="No usable images were found .2 files skipped"):
        create(alice, make_zip({"a/x.txt": b"x", "b/y.txt": b"y"}))


@pytest.mark.parametrize("name", ["../../evil.jpg", "red/../../evil.jpg", "/etc/evil.jpg", "C:/evil.jpg",
                                  "..\\..\\evil.jpg"])
def test_paths_that_escape_the_archive_are_refused(alice, data_dir, name):
    with pytest.raises(ArchiveRejected, match="absolute path|climbs out"):
        create(alice, class_zip(extra={name: jpeg()}))
    assert leftovers() == []
    assert not list(data_dir.parent.rglob("evil.jpg"))
    assert Dataset.objects.count() == 0


def test_symlink_members_are_skipped_and_never_followed(alice):
    dataset = create(alice, make_zip({"red/0.jpg": jpeg(), "green/0.jpg": jpeg()},
                                     symlinks={"red/passwd.jpg": "/etc/passwd", "green/up": "../../"}))
    why = reasons(dataset)
    assert why["red/passwd.jpg"].startswith("symbolic link") and why["green/up"].startswith("symbolic link")
    assert dataset.image_count == 2


def test_too_many_files_are_refused(alice, settings):
    settings.STUDIO_DATASET_MAX_FILES = 5
    with pytest.raises(ArchiveRejected, match="holds 6 files; at most 5"):
        create(alice, class_zip({"red": 3, "green": 3}))


def test_a_declared_size_over_the_limit_is_refused_before_reading(alice, settings):
    settings.STUDIO_DATASET_MAX_UNCOMPRESSED_BYTES = 1000
    with pytest.raises(TooLarge, match="declares .* of uncompressed data"):
        create(alice, class_zip({"red": 3, "green": 3}))
    assert leftovers() == []


def test_a_zip_bomb_member_is_refused_by_its_compression_ratio(alice):
    bomb = class_zip(extra={"red/zeros.bmp": bytes(4 * 1024 * 1024)})  # 4 MiB of zeros deflate to ~4 KiB
    with pytest.raises(ArchiveRejected, match="zip bomb"):
        create(alice, bomb)


def test_a_member_that_lies_about_its_size_is_never_read_past_it(alice, settings):
    # The headers claim 100 bytes; the data is 2 MiB. Reading stops at 100 bytes (and the checksum then fails),
    # so the lie can neither pass the size checks nor make the reader produce more than was declared.
    big = image_bytes(size=(600, 600), fmt="BMP")
    data = understate_size(class_zip(extra={"red/liar.bmp": big}), "red/liar.bmp", 100)
    dataset = create(alice, data)
    assert reasons(dataset)["red/liar.bmp"].startswith("damaged archive member")
    assert dataset.image_count == 6


def test_bytes_are_counted_while_reading_against_the_per_file_limit(alice, settings):
    settings.STUDIO_DATASET_MAX_FILE_BYTES = 2000
    dataset = create(alice, class_zip(extra={"red/big.bmp": image_bytes(size=(40, 40), fmt="BMP")}))
    assert reasons(dataset)["red/big.bmp"].startswith("larger than 2.0 KiB")


def test_encrypted_members_are_skipped(alice):
    # Set the "encrypted" bit of the general purpose flags (zipfile reads them from the central directory).
    data = patch_member(class_zip(extra={"red/secret.jpg": jpeg()}), "red/secret.jpg", local_offset=6,
                        central_offset=8, value=b"\x01\x00")
    dataset = create(alice, data)
    assert reasons(dataset)["red/secret.jpg"].startswith("encrypted")


def test_something_that_is_not_a_zip_is_refused(alice):
    with pytest.raises(ArchiveRejected, match="not a readable zip archive"):
        create(alice, jpeg())


def test_a_database_failure_leaves_no_rows_and_no_files(alice, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(DatasetImage.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        create(alice, class_zip())
    assert Dataset.objects.count() == 0 and leftovers() == []


def test_progress_is_reported_for_every_file(alice):
    calls = []
    services.dataset_create_from_zip(owner=alice, name="p", archive=io.BytesIO(class_zip()),
                                     progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 6) for i in range(1, 7)]


def test_a_split_is_assigned_at_creation_and_recomputed_on_change(alice):
    dataset = create(alice, class_zip({"red": 10, "green": 10}))
    assert dataset.split == {"train": 70, "validation": 15, "test": 15, "seed": 42}
    assert sorted(dataset.images.values_list("split", flat=True)).count("train") == 14
    from studio.datasets.splits import SplitSpec

    services.dataset_set_split(dataset=dataset, spec=SplitSpec(50, 50, 0, seed=1))
    splits = list(dataset.images.values_list("split", flat=True))
    assert splits.count("train") == 10 and splits.count("validation") == 10


def test_delete_removes_rows_and_files(alice):
    dataset = create(alice, class_zip())
    folder = storage.dataset_dir(dataset.id)
    assert folder.is_dir()
    services.dataset_delete(dataset=dataset)
    assert not folder.exists() and DatasetImage.objects.count() == 0


def test_a_folder_import_skips_symlinks_and_never_follows_them(alice, tmp_path):
    root = tmp_path / "photos"
    for name in ("red", "green"):
        (root / name).mkdir(parents=True)
        (root / name / "0.jpg").write_bytes(jpeg(name))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(jpeg("blue"))
    os.symlink(outside / "secret.jpg", root / "red" / "link.jpg")
    os.symlink(outside, root / "blue")  # a whole class folder that points elsewhere
    dataset = services.dataset_create_from_folder(owner=alice, name="photos", folder=root)
    assert dataset.class_names == ["green", "red"]
    why = reasons(dataset)
    assert why["red/link.jpg"].startswith("symbolic link") and why["blue"].startswith("symbolic link")
    assert not DatasetImage.objects.filter(source_path__contains="secret").exists()


def test_zip_members_with_unsupported_compression_are_skipped(alice):
    data = make_zip({"red/0.jpg": jpeg(), "green/0.jpg": jpeg(), "red/odd.jpg": jpeg()}, compression=zipfile.ZIP_STORED)
    # Compression method 99 (WinZip AES), which zipfile cannot read.
    data = patch_member(data, "red/odd.jpg", local_offset=8, central_offset=10, value=(99).to_bytes(2, "little"))
    dataset = create(alice, data)
    assert reasons(dataset)["red/odd.jpg"].startswith("compressed with a method this server cannot read")
    assert dataset.image_count == 2


def test_windows_backslash_paths_are_read_as_folders(alice):
    dataset = create(alice, make_zip({"red\\0.jpg": jpeg(), "green\\0.jpg": jpeg(), "green\\1.jpg": jpeg()}))
    assert dataset.classes == [{"name": "green", "count": 2}, {"name": "red", "count": 1}]


def test_csv_paths_may_include_the_wrapper_folder(alice):
    rows = "file,class\nset/a.jpg,cat\nb.jpg,dog\n"
    dataset = create(alice, make_zip({"set/labels.csv": rows.encode(), "set/a.jpg": jpeg(), "set/b.jpg": jpeg()}))
    assert dataset.class_names == ["cat", "dog"] and dataset.skipped == []


def test_several_csv_files_are_refused_with_their_names(alice):
    with pytest.raises(DatasetError, match=r"several CSV files at the top \(a.csv, b.csv\)"):
        create(alice, make_zip({"a.csv": b"x.jpg,1", "b.csv": b"x.jpg,2", "x.jpg": jpeg()}))
