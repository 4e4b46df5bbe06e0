"""The management commands: import_dataset (folder or zip on the server) and load_demo."""
import pytest
from dataset_builders import class_zip, jpeg
from django.core.management import CommandError, call_command

from studio.datasets.models import Dataset

pytestmark = pytest.mark.django_db


def test_import_dataset_from_a_folder(alice, tmp_path, capsys):
    root = tmp_path / "flowers"
    for name, n in (("rose", 3), ("tulip", 2)):
        (root / name).mkdir(parents=True)
        for i in range(n):
            (root / name / f"{i}.jpg").write_bytes(jpeg())
    call_command("import_dataset", str(root), user="alice")
    dataset = Dataset.objects.get(owner=alice)
    assert dataset.name == "flowers" and dataset.source == "import"
    assert dataset.classes == [{"name": "rose", "count": 3}, {"name": "tulip", "count": 2}]
    assert "5 images in 2 classes" in capsys.readouterr().out


def test_import_dataset_from_a_zip_with_a_name(alice, tmp_path):
    archive = tmp_path / "colors.zip"
    archive.write_bytes(class_zip())
    call_command("import_dataset", str(archive), user="alice", name="My colours")
    assert Dataset.objects.get(owner=alice).name == "My colours"


@pytest.mark.parametrize(
    ("setup", "user", "message"),
    [("missing", "alice", "does not exist"), ("one-class", "alice", "needs at least 2 classes"),
     ("ok", "nobody", "No user named 'nobody'")],
)
def test_import_dataset_errors_are_clear(alice, tmp_path, setup, user, message):
    path = tmp_path / "incoming"
    if setup != "missing":
        for name in ("red", "green") if setup == "ok" else ("red",):
            (path / name).mkdir(parents=True)
            (path / name / "0.jpg").write_bytes(jpeg())
    with pytest.raises(CommandError, match=message):
        call_command("import_dataset", str(path), user=user)
    assert not Dataset.objects.exists()


def test_load_demo_prepares_once_and_adds_for_a_user(alice, data_dir, capsys):
    call_command("load_demo")
    assert len(list((data_dir / "demo").iterdir())) == 1
    assert not Dataset.objects.exists()
    call_command("load_demo", user="alice")
    call_command("load_demo", user="alice")
    assert Dataset.objects.filter(owner=alice, source="demo").count() == 1
    out = capsys.readouterr().out
    assert "Added dataset" in out and "Already there" in out


def test_import_dataset_refuses_a_symlinked_folder(alice, tmp_path):
    real = tmp_path / "real"
    for name in ("red", "green"):
        (real / name).mkdir(parents=True)
        (real / name / "0.jpg").write_bytes(jpeg())
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(CommandError, match="is a symbolic link; give the real folder path"):
        call_command("import_dataset", str(tmp_path / "link"), user="alice")
