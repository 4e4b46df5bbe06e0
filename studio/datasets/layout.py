"""Work out which file belongs to which class, from the archive's layout. Pure.

Two layouts are accepted:
- class folders, as `keras.utils.image_dataset_from_directory` reads them: `cats/001.jpg`,
  `dogs/xyz/002.png` (the first folder names the class; deeper folders are fine);
- a CSV of (file, label) rows at the top, with the images anywhere in the archive (paths relative
  to the CSV). A header row is optional; columns named file/filename/path/image and label/class are
  found by name, otherwise the first two columns are used.
Either may sit inside one wrapper folder (`my-data/cats/001.jpg`), which is ignored.
Class order is the sorted class names, as Keras orders them, so label i means classes[i].
"""
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from studio.datasets.errors import DatasetError
from studio.datasets.limits import MAX_CSV_BYTES
from studio.datasets.sources import DIR, FILE, SYMLINK, UNREADABLE, Entry

_FILE_COLUMNS = ("file", "filename", "file_name", "path", "filepath", "image", "image_path", "img")
_LABEL_COLUMNS = ("label", "class", "class_name", "category", "target", "y")
MAX_CLASS_NAME = 200
_NOT_IN_A_CLASS = "not inside a class folder (put each image in a folder named after its class)"


@dataclass(frozen=True)
class Candidate:
    entry: Entry  # the member to read
    class_name: str


@dataclass
class Plan:
    layout: str  # "folders" or "csv"
    candidates: list[Candidate]  # sorted by (class, path): the order files are numbered in
    class_names: list[str]  # sorted; classes with no candidate are included (reported empty later)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _skip(path: PurePosixPath | str, reason: str) -> dict[str, str]:
    return {"file": str(path), "reason": reason}


def strip_wrapper(entries: list[Entry]) -> tuple[list[Entry], PurePosixPath | None]:
    """Drop one top-level folder that wraps everything (`data/cats/1.jpg` -> `cats/1.jpg`)."""
    files = [e for e in entries if e.kind != DIR]
    if not files or any(len(e.path.parts) < 2 for e in files):
        return entries, None
    top = files[0].path.parts[0]
    if any(e.path.parts[0] != top for e in entries):
        return entries, None
    deeper = any(len(e.path.parts) >= 3 for e in files)
    csv_inside = any(len(e.path.parts) == 2 and e.path.suffix.lower() == ".csv" for e in files)
    if not (deeper or csv_inside):
        return entries, None  # `cats/1.jpg` alone: that folder is a class, not a wrapper
    stripped = [Entry(PurePosixPath(*e.path.parts[1:]), e.kind, e.size, e.reason)
                for e in entries if len(e.path.parts) > 1]
    return stripped, PurePosixPath(top)


def plan_layout(entries: list[Entry], read: Callable[[Entry], bytes], *, max_classes: int) -> Plan:
    """Map members to classes; raises DatasetError when no usable layout is found."""
    entries, wrapper = strip_wrapper(entries)
    prefix = (lambda p: wrapper / p) if wrapper else (lambda p: p)
    skipped: list[dict[str, str]] = []
    usable = []
    for e in entries:
        if e.kind == SYMLINK:
            skipped.append(_skip(prefix(e.path), "symbolic link: links are never followed"))
        elif e.kind == UNREADABLE:
            skipped.append(_skip(prefix(e.path), e.reason))
        else:
            usable.append(e)
    csvs = [e for e in usable if e.kind == FILE and len(e.path.parts) == 1 and e.path.suffix.lower() == ".csv"]
    if len(csvs) > 1:
        names = ", ".join(e.name for e in csvs)
        raise DatasetError(
            f"The archive has several CSV files at the top ({names}); keep the one that labels the images."
        )
    if csvs:
        plan = _plan_csv(usable, csvs[0], read, prefix, wrapper)
    else:
        plan = _plan_folders(usable, prefix)
    plan.skipped = skipped + plan.skipped
    if not plan.candidates and not plan.class_names:
        raise DatasetError(
            "No images were found in class folders. Put each class in its own folder "
            "(cats/001.jpg, dogs/002.jpg) and zip those folders, or add a CSV of (file, label) rows."
        )
    if len(plan.class_names) > max_classes:
        raise DatasetError(f"The archive has {len(plan.class_names)} classes; at most {max_classes} are supported "
                           "(STUDIO_DATASET_MAX_CLASSES). Check that the first folder level holds the classes.")
    return plan


def _plan_folders(entries: list[Entry], prefix: Callable[[PurePosixPath], PurePosixPath]) -> Plan:
    classes: set[str] = set()
    candidates, skipped = [], []
    for e in entries:
        if len(e.path.parts) == 1:
            if e.kind == DIR:
                classes.add(e.path.parts[0])
            else:
                skipped.append(_skip(prefix(e.path), _NOT_IN_A_CLASS))
            continue
        name = e.path.parts[0]
        classes.add(name)
        if e.kind == FILE:
            candidates.append(Candidate(Entry(e.path, e.kind, e.size), name))
    for name in classes:
        if len(name) > MAX_CLASS_NAME:
            raise DatasetError(f"The class folder name {name[:40]!r}... is longer than {MAX_CLASS_NAME} characters.")
    candidates.sort(key=lambda c: (c.class_name, c.entry.name))
    plan = Plan("folders", candidates, sorted(classes), skipped)
    return _with_prefixed_paths(plan, prefix)


def _with_prefixed_paths(plan: Plan, prefix: Callable[[PurePosixPath], PurePosixPath]) -> Plan:
    """Candidates keep the member's real archive path (needed to read it)."""
    plan.candidates = [Candidate(Entry(prefix(c.entry.path), c.entry.kind, c.entry.size), c.class_name)
                       for c in plan.candidates]
    return plan


def _read_csv_rows(entry: Entry, read: Callable[[Entry], bytes]) -> list[list[str]]:
    if entry.size > MAX_CSV_BYTES:
        raise DatasetError(f"The CSV file {entry.name} is larger than {MAX_CSV_BYTES // 2**20} MiB.")
    raw = read(entry)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError(f"The CSV file {entry.name} is not UTF-8 text; save it as UTF-8 and upload again.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise DatasetError(f"The CSV file {entry.name} cannot be parsed: {exc}.") from None


def _plan_csv(entries: list[Entry], csv_entry: Entry, read: Callable[[Entry], bytes],
              prefix: Callable[[PurePosixPath], PurePosixPath], wrapper: PurePosixPath | None) -> Plan:
    rows = _read_csv_rows(Entry(prefix(csv_entry.path), csv_entry.kind, csv_entry.size), read)
    files = {e.path.as_posix(): e for e in entries if e.kind == FILE and e != csv_entry}
    if not rows:
        raise DatasetError(f"The CSV file {csv_entry.name} is empty; it needs one (file, label) row per image.")
    file_col, label_col, body = 0, 1, rows
    first = [cell.strip().lower() for cell in rows[0]]
    first_ref = _normalise_ref(rows[0][0] if rows[0] else "")
    names_columns = any(name in first for name in _FILE_COLUMNS + _LABEL_COLUMNS)
    if names_columns or (first_ref not in files and "." not in PurePosixPath(first_ref).name):
        body = rows[1:]  # a header row: find the columns by name where it names them
        file_col = next((first.index(n) for n in _FILE_COLUMNS if n in first), 0)
        label_col = next((first.index(n) for n in _LABEL_COLUMNS if n in first), 1 if file_col != 1 else 0)
    candidates, skipped, listed, classes = [], [], set(), set()
    for number, row in enumerate(body, start=2 if body is not rows else 1):
        if len(row) <= max(file_col, label_col):
            skipped.append(_skip(f"{csv_entry.name}, row {number}", "needs a file and a label column"))
            continue
        ref, label = _normalise_ref(row[file_col]), row[label_col].strip()
        if wrapper and ref not in files and ref.startswith(f"{wrapper}/"):
            ref = ref[len(f"{wrapper}/"):]  # written relative to the archive, not to the CSV
        if ref in listed:
            skipped.append(_skip(ref, "listed twice in the CSV; the first row was used"))
            continue
        if ref in files:
            listed.add(ref)  # mentioned: not reported again as "not listed"
        if not label:
            skipped.append(_skip(ref or f"{csv_entry.name}, row {number}", "no label in the CSV"))
        elif len(label) > MAX_CLASS_NAME:
            skipped.append(_skip(ref, f"label longer than {MAX_CLASS_NAME} characters"))
        elif ref not in files:
            where = ref or f"{csv_entry.name}, row {number}"
            skipped.append(_skip(where, f"listed in {csv_entry.name} but not in the archive"))
        else:
            classes.add(label)
            candidates.append(Candidate(files[ref], label))
    for name in sorted(set(files) - listed):
        skipped.append(_skip(prefix(PurePosixPath(name)), f"not listed in {csv_entry.name}"))
    candidates.sort(key=lambda c: (c.class_name, c.entry.name))
    return _with_prefixed_paths(Plan("csv", candidates, sorted(classes), skipped), prefix)


def _normalise_ref(ref: str) -> str:
    """A CSV file reference as a relative POSIX path ('./a\\b.jpg' -> 'a/b.jpg'); unsafe ones never
    match an archive member, so they end up skipped as missing."""
    parts = [p for p in ref.strip().replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts)
