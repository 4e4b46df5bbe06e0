"""Projects: the list, creating from starters, saving and reloading, tabs; no console errors anywhere."""
import json
import re
from pathlib import Path

import pytest
from canvas_helpers import chain, node
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_project_list_creates_renames_duplicates_and_deletes(page, screenshot):
    page.goto("/")
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    page.get_by_role("button", name="New project").first.click()
    dialog = page.get_by_role("dialog", name="New project")
    for starter in ("VGG16 transfer learning", "Small CNN from scratch", "MLP"):
        expect(dialog.get_by_role("radio", name=re.compile(starter))).to_be_visible()
    dialog.get_by_role("radio", name=re.compile("Small CNN from scratch")).check()
    expect(dialog.get_by_label("Project name")).to_have_value("Small CNN from scratch")
    dialog.get_by_label("Project name").fill("My CNN")
    screenshot("new-project-dialog")
    dialog.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+/model/$"))
    expect(page.locator(".react-flow__node")).to_have_count(10)
    expect(page.get_by_test_id("validity")).to_have_text("✓ Valid")
    screenshot("small-cnn")

    page.get_by_role("link", name="Projects", exact=True).click()
    card = page.locator(".project-card", has_text="My CNN")
    expect(card).to_contain_text("10 layers")
    card.get_by_role("button", name="Rename My CNN").click()
    page.get_by_label("New name for My CNN").fill("Conv baseline")
    page.get_by_role("button", name="Save").click()
    card = page.locator(".project-card", has_text="Conv baseline")
    expect(card).to_be_visible()
    cards = page.locator(".project-card", has_text="Conv baseline")
    expect(cards).to_have_count(1)
    card.get_by_role("button", name="Duplicate Conv baseline").click()
    expect(cards).to_have_count(2)
    screenshot("project-list")
    page.once("dialog", lambda d: d.accept())
    cards.first.get_by_role("button", name=re.compile("^Delete")).click()
    expect(cards).to_have_count(1)


def test_saving_then_reloading_shows_the_same_graph(page, studio_api, open_model):
    graph = chain(("in", "Input", {"shape": [16]}), ("a", "Dense", {"units": 8}), ("b", "Dense", {"units": 2}))
    project = studio_api.create_project("save me", graph=graph)
    open_model(project["id"])
    status = page.get_by_test_id("save-status")
    expect(status).to_have_text("Saved")

    node(page, "a").click()
    inspector = page.locator(".inspector")
    inspector.get_by_label("units").fill("32")
    inspector.get_by_label("activation").select_option("relu")
    expect(status).to_have_text("Unsaved changes")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(status).to_have_text("Saved")
    node(page, "b").drag_to(page.locator(".react-flow__pane"), target_position={"x": 520, "y": 420})
    expect(status).to_have_text("Saved", timeout=10_000)  # autosave
    saved = studio_api.project(project["id"])["graph"]

    page.reload()
    page.locator(".react-flow__node").first.wait_for()
    expect(node(page, "a")).to_contain_text("units 32 · relu")
    expect(page.locator(".react-flow__node")).to_have_count(3)
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    assert studio_api.project(project["id"])["graph"] == saved
    positions = {n["id"]: n["position"] for n in saved["nodes"]}
    assert positions["b"] != {"x": 60, "y": 360}, "the move was saved"


def test_leaving_with_unsaved_changes_asks_first(page, studio_api, open_model):
    project = studio_api.create_project("leave", graph=chain(("in", "Input", {"shape": [4]}), ("a", "Dense", {})))
    open_model(project["id"])
    node(page, "a").click()
    page.locator(".inspector").get_by_label("units").fill("3")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("link", name="Projects", exact=True).click()
    assert asked and "unsaved" in asked[0]
    expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/model/$"))


def test_tabs_show_their_empty_states_and_keep_the_url(page, studio_api, open_model, screenshot):
    project = studio_api.create_project("tabs", template="mlp")
    open_model(project["id"])
    tabs = page.get_by_role("navigation", name="Project steps")
    tabs.get_by_role("link", name="Data", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/data/$"))
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    tabs.get_by_role("link", name="Hyper-parameters", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/hyperparameters/$"))
    expect(page.get_by_role("heading", name="Hyper-parameters", exact=True)).to_be_visible()
    tabs.get_by_role("link", name="Training", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/training/$"))
    expect(page.get_by_role("heading", name="No runs yet")).to_be_visible()
    for label, slug, heading in [
        ("Results", "results", "No results yet"),
        ("Inference", "inference", "No trained model yet"),
    ]:
        tabs.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/{slug}/$"))
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    screenshot("tab-inference")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/results/$"))
    tabs.get_by_role("link", name="Model", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(7)
    page.locator(".react-flow__node").first.click()
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]"
    )
    assert overflow == [0, 0], "the editor fits a 1280x800 window without page scrollbars"
    page.goto("/datasets/")
    expect(page.get_by_role("heading", name="Datasets")).to_be_visible()
    screenshot("datasets")


SEQUENTIAL_JSON = {
    "class_name": "Sequential",
    "config": {
        "name": "tiny",
        "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [None, 8], "dtype": "float32", "name": "features"}},
            {"class_name": "Dense", "config": {"name": "hidden", "units": 4, "activation": "relu"}},
            {"class_name": "Dense", "config": {"name": "scores", "units": 2, "activation": "softmax"}},
        ],
    },
}


def test_importing_a_keras_file_and_exporting_json_and_python(page, screenshot):
    page.goto("/")
    page.get_by_role("button", name="New project").first.click()
    dialog = page.get_by_role("dialog", name="New project")
    dialog.get_by_role("radio", name=re.compile("Import a Keras model")).check()
    dialog.get_by_label("Keras model file").set_input_files(
        files=[{"name": "tiny.json", "mimeType": "application/json", "buffer": json.dumps(SEQUENTIAL_JSON).encode()}]
    )
    expect(dialog.get_by_label("Project name")).to_have_value("tiny")
    dialog.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+/model/$"))
    expect(page.locator(".react-flow__node")).to_have_count(3)
    expect(node(page, "scores").locator(".layer-shape")).to_have_text("(None, 2)")
    expect(page.get_by_test_id("params-total")).to_have_text(f"{8 * 4 + 4 + 4 * 2 + 2:,}")

    with page.expect_download() as download:
        page.get_by_role("button", name="Export the graph as JSON").click()
    assert download.value.suggested_filename == "tiny.json"
    exported = json.loads(Path(download.value.path()).read_text())
    assert [n["id"] for n in exported["nodes"]] == ["features", "hidden", "scores"]
    assert exported["edges"] == [{"source": "features", "target": "hidden"}, {"source": "hidden", "target": "scores"}]

    with page.expect_download() as download:
        page.get_by_role("button", name="Export a Keras Python script").click()
    assert download.value.suggested_filename == "tiny.py"
    script = Path(download.value.path()).read_text()
    assert "keras" in script and "Dense" in script
    screenshot("imported")


def test_an_invalid_graph_cannot_be_exported_as_python_and_says_why(page, studio_api, open_model):
    project = studio_api.create_project("broken", graph=chain(("a", "Dense", {"units": 3})))
    open_model(project["id"])
    page.get_by_role("button", name="Export a Keras Python script").click()
    expect(page.get_by_role("alert").filter(has_text="Python export failed")).to_contain_text("not valid")


def test_a_failed_save_says_why_and_a_retry_saves(page, studio_api, open_model):
    project = studio_api.create_project("flaky", graph=chain(("in", "Input", {"shape": [4]}), ("a", "Dense", {})))
    open_model(project["id"])
    busy = {"detail": "The database is busy; try again in a moment."}
    page.route(
        f"**/api/projects/{project['id']}/",
        lambda route: route.fulfill(status=503, json=busy) if route.request.method == "PUT" else route.continue_(),
    )
    node(page, "a").click()
    page.locator(".inspector").get_by_label("units").fill("5")
    page.get_by_role("button", name="Save", exact=True).click()
    status = page.get_by_test_id("save-status")
    expect(status).to_have_text("Save failed: The database is busy; try again in a moment.")
    page.unroute(f"**/api/projects/{project['id']}/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(status).to_have_text("Saved")
    assert studio_api.project(project["id"])["graph"]["nodes"][1]["params"]["units"] == 5
    # The browser logs the refused request itself; nothing else may be logged.
    page.console.errors[:] = [e for e in page.console.errors if "status of 503" not in e]
