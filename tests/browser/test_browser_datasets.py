"""Datasets in a real browser: upload with progress, the dataset page, the demo, the split editor, the Data tab."""
import base64
import io
import json
import os
import re
import zipfile

import pytest
from canvas_helpers import chain
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DEMO_CLASSES = ["fish", "monument", "renewable_energy", "tool"]


def _jpeg(color, size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def _noise_png(side: int) -> bytes:
    """An image that does not compress, so the upload takes long enough to watch under throttling."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def shapes_zip(*, noise: bool = False) -> bytes:
    """Three classes of tiny images (5 circles, 4 squares, 3 triangles) and a file that is not an image."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(4 if noise else 5):
            z.writestr(f"shapes/circle/{i}.jpg", _jpeg((200, 40 + 30 * i, 40), (40 + i, 30)))
        if noise:
            z.writestr("shapes/circle/noise.png", _noise_png(300))
        for i in range(4):
            z.writestr(f"shapes/square/{i}.jpg", _jpeg((40, 90, 200 - 20 * i), (32, 32)))
        for i in range(3):
            z.writestr(f"shapes/triangle/{i}.jpg", _jpeg((30, 160, 60), (24, 36)))
        z.writestr("shapes/square/readme.txt", "not an image")
    return out.getvalue()


def _csrf(page) -> dict:
    token = next((c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"), "")
    return {"X-CSRFToken": token}


def upload_via_api(page, name: str) -> dict:
    r = page.request.post(
        "/api/datasets/",
        multipart={"name": name,
                   "file": {"name": f"{name}.zip", "mimeType": "application/zip", "buffer": shapes_zip()}},
        headers=_csrf(page),
    )
    assert r.status == 201, r.text()
    return r.json()


def demo_via_api(page) -> dict:
    r = page.request.post("/api/datasets/demo/", headers=_csrf(page))
    assert r.status in (200, 201), r.text()
    return r.json()


def drop_file(page, target, name: str, data: bytes, events=("dragenter", "dragover", "drop")) -> None:
    """Drop a file on an element the way a browser does: dragenter, dragover, drop with a DataTransfer."""
    transfer = page.evaluate_handle(
        """([b64, name]) => {
            const bin = atob(b64);
            const bytes = new Uint8Array(bin.length);
            for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, { type: "application/zip" }));
            return dt;
        }""",
        [base64.b64encode(data).decode(), name],
    )
    for event in events:
        target.dispatch_event(event, {"dataTransfer": transfer})


def wait_for_images(page, selector: str) -> None:
    """Until every image that matches has loaded (decoded, with a size): broken thumbnails fail here."""
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)].every((i) => i.complete && i.naturalWidth > 0)", arg=selector
    )


def test_dropping_a_zip_shows_progress_then_classes_skipped_files_and_thumbnails(page, screenshot):
    page.goto("/datasets/")
    expect(page.get_by_role("heading", name="Upload a dataset")).to_be_visible()
    expect(page.get_by_text("One folder per class")).to_be_visible()

    # Slow the upload down (about 2-3 s) so that the progress bar can be seen between 0 and 100%.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 120_000})
    drop_file(page, page.get_by_test_id("dropzone"), "shapes.zip", shapes_zip(noise=True))
    progress = page.get_by_role("progressbar", name="Upload progress")
    expect(progress).to_have_attribute("aria-valuenow", re.compile(r"^[1-9]\d?$"))
    expect(page.get_by_test_id("upload-progress-text")).to_contain_text("% · ")
    expect(page.get_by_role("status").filter(has_text="Uploading")).to_contain_text("shapes.zip")
    screenshot("datasets-upload-progress")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

    result = page.get_by_test_id("upload-result")
    expect(result).to_contain_text("Added “shapes”: 3 classes, 12 images, 1 file skipped.", timeout=30_000)
    classes = result.get_by_role("list", name="Classes found")
    expect(classes.get_by_role("listitem")).to_have_text(["circle 5", "square 4", "triangle 3"])
    skipped = result.get_by_test_id("skipped")
    expect(skipped).to_contain_text("shapes/square/readme.txt")
    expect(skipped).to_contain_text("not an image")
    expect(page.locator(".dataset-card", has_text="shapes")).to_contain_text("3 classes · 12 images")
    screenshot("datasets-uploaded")

    result.get_by_role("link", name="Open “shapes”").click()
    page.wait_for_url(re.compile(r"/datasets/\d+/$"))
    expect(page.get_by_role("heading", name="shapes", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stat-images")).to_have_text("12")
    expect(page.get_by_test_id("stat-classes")).to_have_text("3")
    chart = page.get_by_test_id("class-chart")
    expect(chart.get_by_role("row")).to_have_count(4)  # header + 3 classes
    expect(chart.get_by_role("row", name=re.compile("^circle"))).to_contain_text("5")
    expect(page.get_by_test_id("image-stats")).to_contain_text("colour (RGB)")
    expect(page.locator(".skipped-table")).to_contain_text("not an image")

    grid = page.get_by_test_id("thumb-grid")
    expect(grid.get_by_role("img")).to_have_count(5)
    grid.scroll_into_view_if_needed()
    wait_for_images(page, ".thumb img")
    page.get_by_role("tab", name=re.compile("^square")).click()
    expect(grid.get_by_role("img")).to_have_count(4)
    expect(grid.get_by_role("img").first).to_have_attribute("alt", "shapes/square/0.jpg")
    expect(grid.get_by_role("img").first).to_have_attribute("loading", "lazy")
    page.get_by_label("Split", exact=True).select_option("train")
    expect(grid.get_by_role("img")).to_have_count(2)  # 70% of 4, rounded the studio's way
    wait_for_images(page, ".thumb img")
    screenshot("dataset-page-images")
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot("dataset-page")


def test_a_refused_upload_shows_the_servers_reason(page):
    page.goto("/datasets/")
    page.get_by_label("Dataset .zip file").set_input_files(
        files=[{"name": "broken.zip", "mimeType": "application/zip", "buffer": b"this is not a zip archive"}]
    )
    alert = page.get_by_role("alert").filter(has_text="“broken.zip” was not added.")
    expect(alert).to_be_visible()
    expect(alert).not_to_contain_text("HTTP 400")  # the server's own words, not a status code
    # Dropped anywhere on the page, not a zip at all: refused in the page, before any upload.
    heading = page.get_by_role("heading", name="Datasets", exact=True)
    drop_file(page, heading, "photo.jpg", _jpeg("red", (8, 8)), events=("dragenter", "dragover"))
    expect(page.locator(".drop-overlay")).to_contain_text("Drop the .zip to upload it")
    drop_file(page, heading, "photo.jpg", _jpeg("red", (8, 8)), events=("drop",))
    expect(page.locator(".drop-overlay")).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="“photo.jpg” is not a .zip file")).to_be_visible()
    # The browser logs the refused request itself; nothing else may be logged.
    page.console.errors[:] = [e for e in page.console.errors if "status of 400" not in e]


def test_adding_the_demo_and_changing_the_split_updates_the_counts(page, screenshot):
    # Start without the demo, whatever ran before.
    for d in page.request.get("/api/datasets/").json():
        if d["source"] == "demo":
            assert page.request.delete(f"/api/datasets/{d['id']}/", headers=_csrf(page)).status == 204
    page.goto("/datasets/")
    offer = page.get_by_role("region", name=re.compile("demo dataset"))
    expect(offer).to_contain_text("122 real photos in 4 classes")
    screenshot("datasets-demo-offer")
    offer.get_by_role("button", name="Add the demo dataset").click()
    page.wait_for_url(re.compile(r"/datasets/\d+/$"))
    expect(page.get_by_role("heading", name="Demo photos", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stat-classes")).to_have_text("4")
    expect(page.get_by_test_id("stat-images")).to_have_text("122")
    expect(page.get_by_role("tab")).to_have_text([re.compile(f"^{c}") for c in DEMO_CLASSES])

    # More images than a page: "Show more" fetches the rest.
    page.get_by_role("tab", name=re.compile("^tool")).click()
    grid = page.get_by_test_id("thumb-grid")
    expect(grid.get_by_role("img")).to_have_count(32)
    page.get_by_role("button", name="Show more").click()
    expect(grid.get_by_role("img")).to_have_count(39)
    expect(page.get_by_text("Showing 39 of 39")).to_be_visible()
    expect(page.get_by_role("button", name="Show more")).to_have_count(0)

    preview = page.get_by_test_id("split-preview")
    totals = [preview.get_by_test_id(f"split-total-{s}") for s in ("train", "validation", "test")]
    for cell, n in zip(totals, ("86", "18", "18"), strict=True):
        expect(cell).to_have_text(n)
    training = page.get_by_role("spinbutton", name="Training")
    training.fill("50")
    # The others follow so the three still add up to 100, and the preview recounts per class.
    expect(page.get_by_role("spinbutton", name="Validation")).to_have_value("25")
    expect(page.get_by_role("spinbutton", name="Test")).to_have_value("25")
    expect(page.get_by_test_id("split-state")).to_have_text("Unsaved changes")
    for cell, n in zip(totals, ("60", "31", "31"), strict=True):
        expect(cell).to_have_text(n)
    tool_row = preview.get_by_role("row", name=re.compile("^tool"))
    expect(tool_row.get_by_role("cell")).to_have_text(["19", "10", "10", "39"])
    test_slider = page.get_by_role("slider", name="Test")
    test_slider.press("ArrowLeft")  # 24%: training takes the freed percent
    expect(training).to_have_value("51")
    test_slider.press("ArrowRight")
    expect(training).to_have_value("50")
    expect(page.locator(".split-preview")).to_have_attribute("aria-busy", "false")
    page.get_by_role("region", name="Train / validation / test split").evaluate("(el) => el.scrollIntoView()")
    screenshot("dataset-split-preview")

    page.get_by_role("button", name="Save split").click()
    expect(page.get_by_test_id("split-state")).to_have_text("Split saved")
    dataset_id = int(re.search(r"/datasets/(\d+)/", page.url).group(1))
    saved = page.request.get(f"/api/datasets/{dataset_id}/").json()
    assert saved["split"] == {"train": 50, "validation": 25, "test": 25, "seed": 42}
    assert saved["split_counts"] == {"train": 60, "validation": 31, "test": 31}
    page.reload()
    expect(page.get_by_role("spinbutton", name="Training")).to_have_value("50")
    expect(page.get_by_test_id("split-total-train")).to_have_text("60")


def test_the_data_tab_chooses_a_dataset_and_checks_the_output_units(page, studio_api, screenshot):
    demo = demo_via_api(page)
    shapes = upload_via_api(page, "three shapes")
    graph = chain(
        ("in", "Input", {"shape": [32, 32, 3]}),
        ("flat", "Flatten", {}),
        ("out", "Dense", {"units": 3, "activation": "softmax"}),
    )
    project = studio_api.create_project("data tab", graph=graph)
    page.goto(f"/projects/{project['id']}/data/")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_text("Choose a dataset on the left")).to_be_visible()

    page.get_by_role("radio", name=re.compile("^Demo photos")).check()
    summary = page.get_by_test_id("data-summary")
    expect(summary.get_by_role("heading", name="Demo photos")).to_be_visible()
    expect(summary).to_contain_text("4 classes · 122 images")
    hint = page.get_by_test_id("output-hint")
    expect(hint).to_contain_text("The output layer “out” has 3 units but this dataset has 4 classes.")
    expect(hint.get_by_role("link", name="Open the Model tab")).to_be_visible()
    expect(summary.get_by_role("list", name="Images per split")).to_contain_text("Training")
    thumbs = summary.locator(".example-thumbs img")
    expect(thumbs).to_have_count(16)  # four examples for each of the four classes
    wait_for_images(page, ".example-thumbs img")
    screenshot("project-data-tab")
    stored = page.evaluate(f"() => localStorage.getItem('keras-studio:project-dataset:{project['id']}')")
    assert json.loads(stored) == {"dataset": demo["id"]}

    page.get_by_role("radio", name=re.compile("^three shapes")).check()
    expect(hint).to_contain_text("has 3 units: one per class")
    page.reload()
    expect(page.get_by_role("radio", name=re.compile("^three shapes"))).to_be_checked()
    expect(page.get_by_test_id("data-summary")).to_contain_text("3 classes · 12 images")
    stored = page.evaluate(f"() => localStorage.getItem('keras-studio:project-dataset:{project['id']}')")
    assert json.loads(stored) == {"dataset": shapes["id"]}


def test_renaming_inline_on_the_card_and_the_page_refuses_a_blank_name_and_cancels(page):
    demo = demo_via_api(page)
    page.goto("/datasets/")
    card = page.locator(f'[data-dataset-id="{demo["id"]}"]')
    card.get_by_role("button", name=f"Rename {demo['name']}").click()
    field = card.get_by_role("textbox")
    field.fill("   ")
    field.press("Enter")
    expect(card.get_by_role("alert")).to_have_text("A dataset needs a name.")
    field.press("Escape")
    expect(card.locator(".dataset-name")).to_have_text(demo["name"])
    card.get_by_role("button", name=f"Rename {demo['name']}").click()
    card.get_by_role("textbox").fill("Photos renamed")
    card.get_by_role("textbox").press("Enter")
    expect(card.locator(".dataset-name")).to_have_text("Photos renamed")

    page.goto(f"/datasets/{demo['id']}/")
    page.get_by_role("button", name="Rename", exact=True).click()
    title = page.get_by_label("Dataset name")
    expect(title).to_have_value("Photos renamed")
    title.fill("Demo photos")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo photos")
    assert page.request.get(f"/api/datasets/{demo['id']}/").json()["name"] == "Demo photos"
