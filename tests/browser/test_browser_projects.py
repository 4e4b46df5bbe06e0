"""Projects: the list, creating from starters, saving and reloading, tabs; no console errors anywhere."""
import re

from playwright.sync_api import expect

from canvas_helpers import chain, node


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


def test_tabs_show_what_is_coming_and_keep_the_url(page, studio_api, open_model, screenshot):
    project = studio_api.create_project("tabs", template="mlp")
    open_model(project["id"])
    tabs = page.get_by_role("navigation", name="Project steps")
    for label, slug, text in [
        ("Data", "data", "dataset"),
        ("Hyper-parameters", "hyperparameters", "learning rate"),
        ("Training", "training", "live"),
        ("Results", "results", "Compare runs"),
        ("Inference", "inference", "Upload an image"),
    ]:
        tabs.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/projects/{project['id']}/{slug}/$"))
        expect(page.locator(".coming-soon")).to_contain_text(text)
    screenshot("tab-inference")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/results/$"))
    tabs.get_by_role("link", name="Model", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(7)
    page.goto("/datasets/")
    expect(page.get_by_role("heading", name="Datasets")).to_be_visible()
    screenshot("datasets")
