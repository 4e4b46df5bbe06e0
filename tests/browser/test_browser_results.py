"""Results and Inference in a real browser: a tiny run trained by a real worker, then its confusion
matrix, galleries and downloads on the Results tab, and images dropped on the Inference tab.

The project (Input 32x32x3 -> Rescaling -> Conv2D -> GlobalAveragePooling2D -> Dense softmax), the
dataset (3 colours x 8 images, a zip built here with Pillow) and the run are created through the API
with the test account's token; the `train_worker` fixture trains it.
"""
import io
import time
import zipfile

import numpy as np
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COLORS = {"red": (200, 40, 40), "green": (40, 180, 60), "blue": (40, 60, 200)}
GRAPH = {
    "version": 1,
    "nodes": [
        {"id": "in", "type": "Input", "params": {"shape": [32, 32, 3]}},
        {"id": "scale", "type": "Rescaling", "params": {"scale": 1 / 255}},
        {"id": "conv", "type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
        {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
        {"id": "out", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ],
    "edges": [{"source": a, "target": b} for a, b in [("in", "scale"), ("scale", "conv"), ("conv", "gap"),
                                                      ("gap", "out")]],
}


def png(colour: str, seed: int, size=(40, 32)) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(COLORS[colour]) + rng.normal(0, 25, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


@pytest.fixture(scope="module")
def trained(browser, studio_url, account, train_worker) -> dict:
    """A project with a finished run (trained by the worker), made through the API with the account's token."""
    context = browser.new_context(base_url=studio_url,
                                  extra_http_headers={"Authorization": f"Token {account['token']}"})
    api = context.request
    images = {f"colours/{c}/{i}.png": png(c, seed=10 * k + i) for k, c in enumerate(COLORS) for i in range(8)}
    r = api.post("/api/datasets/", multipart={
        "name": "colours", "file": {"name": "colours.zip", "mimeType": "application/zip", "buffer": zip_of(images)}})
    assert r.status == 201, r.text()
    dataset = r.json()
    r = api.post("/api/projects/", data={"name": "Colour check", "graph": GRAPH})
    assert r.status == 201, r.text()
    project = r.json()
    hyperparameters = {"epochs": 25, "batch_size": 4, "seed": 3, "learning_rate": 0.02,
                       "split": {"validation": 0.25, "test": 0.25}}
    r = api.post("/api/runs/", data={"project": project["id"], "dataset": dataset["id"], "name": "colours run",
                                     "hyperparameters": hyperparameters})
    assert r.status == 201, r.text()
    run = r.json()
    deadline = time.monotonic() + 240
    while run["status"] not in ("succeeded", "failed", "stopped"):
        assert time.monotonic() < deadline, f"the run did not finish in time: {run['status']}"
        time.sleep(0.5)
        run = api.get(f"/api/runs/{run['id']}/").json()
    assert run["status"] == "succeeded", run["error"]
    context.close()
    return {"project": project, "run": run, "classes": list(COLORS)}


def test_results_tab_shows_the_confusion_matrix_scores_galleries_and_downloads(page, trained, screenshot):
    project, run = trained["project"], trained["run"]
    page.goto(f"/projects/{project['id']}/results/")
    matrix = page.get_by_test_id("confusion-matrix").locator("table")
    expect(matrix).to_be_visible(timeout=60_000)
    headers = matrix.locator("thead th.rs-cm-col").all_inner_texts()
    assert sorted(headers) == sorted(trained["classes"])
    counts = [int(t) for t in matrix.locator("tbody td:not(.rs-cm-total)").all_inner_texts()]
    assert len(counts) == 9 and sum(counts) == 6  # 25% of 24 images, stratified
    runs = page.get_by_role("navigation", name="Finished runs")
    expect(runs.get_by_role("link", name=run["name"])).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("class-table").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("radio", name="Test")).to_be_checked()
    expect(page.get_by_test_id("misclassified")).to_be_visible()
    expect(page.get_by_test_id("difficult").locator("img").first).to_be_visible()
    screenshot("results-tab")

    downloads = page.get_by_test_id("downloads")
    downloads.scroll_into_view_if_needed()
    expect(downloads.locator("a[data-format]")).to_have_count(7)  # 5 formats, the bundle, the resumable .keras
    screenshot("results-downloads")
    with page.expect_download(timeout=60_000) as info:
        downloads.locator('a[data-format="tflite"]').click()
    download = info.value
    assert download.suggested_filename == f"colour-check_run-{run['id']}.tflite"
    assert download.failure() is None

    page.get_by_text("Validation", exact=True).click()
    expect(page).to_have_url(f"/projects/{project['id']}/results/?split=validation")
    expect(matrix).to_be_visible(timeout=60_000)
    counts = [int(t) for t in matrix.locator("tbody td:not(.rs-cm-total)").all_inner_texts()]
    assert sum(counts) == 6


def _drop(page, target, files: dict[str, tuple[str, bytes]]) -> None:
    """Drop files on an element the way a person drags them from the desktop."""
    handle = page.evaluate_handle(
        """(files) => {
            const dt = new DataTransfer();
            for (const [name, type, bytes] of files) dt.items.add(new File([new Uint8Array(bytes)], name, {type}));
            return dt;
        }""",
        [[name, kind, list(data)] for name, (kind, data) in files.items()],
    )
    target.dispatch_event("dragover", {"dataTransfer": handle})
    target.dispatch_event("drop", {"dataTransfer": handle})


def test_inference_tab_predicts_dropped_images_and_scores_a_zip(page, trained, screenshot):
    project = trained["project"]
    page.goto(f"/projects/{project['id']}/inference/")
    drop = page.get_by_test_id("image-drop")
    expect(drop).to_be_visible()
    _drop(page, drop, {"red-photo.png": ("image/png", png("red", seed=99)),
                       "blue-photo.png": ("image/png", png("blue", seed=98, size=(64, 48)))})
    cards = page.get_by_test_id("prediction")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text="red-photo.png").get_by_test_id("top-class")).to_contain_text("red", timeout=30_000)
    expect(cards.filter(has_text="blue-photo.png").get_by_test_id("top-class")).to_contain_text("blue")
    expect(cards.first.locator(".rs-bars li")).to_have_count(3)

    page.locator('input[type="file"][accept="image/*"]').set_input_files(
        [{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not an image"}])
    bad = cards.filter(has_text="notes.txt")
    expect(bad).to_have_attribute("data-status", "error")
    expect(bad.get_by_role("alert")).to_contain_text("not an image")
    # A request whose only file is not an image is answered 400 (with each file's reason), and Chromium
    # logs every 4xx it fetches: that one is expected.
    page.console.errors[:] = [e for e in page.console.errors if not ("status of 400" in e and "/predict/" in e)]
    screenshot("inference-tab")

    page.locator('input[type="file"][accept=".zip,application/zip"]').set_input_files(
        [{"name": "batch.zip", "mimeType": "application/zip",
          "buffer": zip_of({"a/green.png": png("green", seed=5), "a/red.png": png("red", seed=6),
                            "a/readme.txt": b"hello"})}])
    batch = page.get_by_test_id("batch")
    link = batch.get_by_role("link", name=f"Download colour-check_run-{trained['run']['id']}_predictions.csv")
    expect(link).to_be_visible(timeout=30_000)
    expect(batch).to_contain_text("3 files from batch.zip, 1 not usable")
    expect(batch.locator("table tbody tr")).to_have_count(3)
    batch.scroll_into_view_if_needed()
    screenshot("inference-batch")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"colour-check_run-{trained['run']['id']}_predictions.csv"
