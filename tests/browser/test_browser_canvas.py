"""The model canvas in a real browser: palette drag and drop, connecting, validation on the right node."""
import re

import pytest
from canvas_helpers import EMPTY, chain, connect, node
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

def test_dragging_two_layers_from_the_palette_and_connecting_them_shows_a_shape(
    page, studio_api, open_model, screenshot
):
    project = studio_api.create_project("drag and drop", graph=EMPTY)
    open_model(project["id"])
    pane = page.locator(".react-flow__pane")
    expect(page.get_by_text("Drag layers here from the palette")).to_be_visible()

    page.locator('.palette-item[data-layer-type="Input"]').drag_to(pane, target_position={"x": 220, "y": 80})
    expect(node(page, "input_1")).to_be_visible()
    page.get_by_label("Search layers").fill("dense")
    page.locator('.palette-item[data-layer-type="Dense"]').drag_to(pane, target_position={"x": 220, "y": 330})
    expect(node(page, "dense_1")).to_be_visible()
    # Both are unconnected: no shape for the Dense layer yet.
    expect(node(page, "dense_1").locator(".layer-shape")).to_have_text("shape ?")

    connect(page, "input_1", "dense_1")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(node(page, "input_1").locator(".layer-shape")).to_have_text("(None, 224, 224, 3)")
    expect(node(page, "dense_1").locator(".layer-shape")).to_have_text("(None, 224, 224, 64)")
    expect(page.get_by_test_id("params-total")).to_have_text("256")
    screenshot("canvas-drag-connect")


def test_a_cycle_is_reported_on_the_node_that_closes_it(page, studio_api, open_model, screenshot):
    graph = chain(
        ("in", "Input", {"shape": [16]}),
        ("a", "Dense", {"units": 8}),
        ("b", "Dense", {"units": 8}),
        ("c", "Dense", {"units": 8}),
    )
    project = studio_api.create_project("cycle", graph=graph)
    open_model(project["id"])
    expect(page.get_by_test_id("validity")).to_have_text("✓ Valid")

    connect(page, "c", "a")  # a's only input now comes from c: a -> b -> c -> a

    expect(node(page, "a").locator(".layer-card")).to_have_class(re.compile(r"\bis-error\b"))
    expect(node(page, "a").locator(".layer-error")).to_contain_text("cycle")
    for other in ("b", "c"):
        expect(node(page, other)).not_to_contain_text("cycle")
    expect(page.get_by_test_id("validity")).to_contain_text("problem")
    problem = page.locator(".problem", has_text="cycle")
    expect(problem).to_be_visible()
    screenshot("canvas-cycle")

    # Clicking the problem selects that node and shows its parameters.
    page.get_by_role("button", name="Fit the model in view").click()
    problem.get_by_role("button").click()
    expect(node(page, "a")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator(".inspector").get_by_label("name", exact=True)).to_have_value("a")

    # Undo restores the valid chain.
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("validity")).to_have_text("✓ Valid")
    expect(node(page, "a").locator(".layer-card")).not_to_have_class(re.compile(r"\bis-error\b"))


def test_parameter_form_refuses_bad_values_and_shows_server_errors_on_the_field(
    page, studio_api, open_model, screenshot
):
    graph = chain(
        ("in", "Input", {"shape": [4, 4, 3]}),
        ("conv", "Conv2D", {"filters": 4, "kernel_size": [3, 3]}),
        ("fc", "Dense", {"units": 8}),
    )
    project = studio_api.create_project("form", graph=graph)
    open_model(project["id"])

    node(page, "fc").click()
    inspector = page.locator(".inspector")
    units = inspector.get_by_label("units")
    units.fill("0")
    expect(page.get_by_text("Not applied: Value must be at least 1.")).to_be_visible()
    expect(units).to_have_attribute("aria-invalid", "true")
    units.fill("1.5")
    expect(page.get_by_text("Not applied: Enter a whole number.")).to_be_visible()
    expect(node(page, "fc")).to_contain_text("units 8")
    units.fill("32")
    expect(node(page, "fc")).to_contain_text("units 32")
    expect(page.locator(".param-field.has-error")).to_have_count(0)

    # A kernel larger than its input passes the form's own checks; the server's answer lands on the field.
    node(page, "conv").click()
    inspector.get_by_label("kernel size").fill("5, 5")
    field = inspector.locator(".param-field", has_text="kernel size")
    expect(field.locator(".field-error")).to_contain_text("larger than the input")
    expect(node(page, "conv").locator(".layer-card")).to_have_class(re.compile(r"\bis-error\b"))
    screenshot("inspector-server-error")


def test_keyboard_adds_copies_pastes_deletes_and_undoes(page, studio_api, open_model):
    graph = chain(("in", "Input", {"shape": [16]}), ("a", "Dense", {"units": 8}))
    project = studio_api.create_project("keyboard", graph=graph)
    open_model(project["id"])
    cards = page.locator(".react-flow__node")
    expect(cards).to_have_count(2)

    node(page, "a").click()
    page.get_by_label("Search layers").fill("dropout")
    page.locator('.palette-item[data-layer-type="Dropout"]').focus()
    page.keyboard.press("Enter")  # added after the selected layer, and connected to it
    expect(node(page, "dropout_1")).to_be_visible()
    expect(page.locator('.react-flow__edge[data-id="a->dropout_1"]')).to_have_count(1)
    expect(node(page, "dropout_1").locator(".layer-shape")).to_have_text("(None, 8)")

    node(page, "dropout_1").click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(cards).to_have_count(4)
    expect(node(page, "dropout_2")).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Delete")
    expect(cards).to_have_count(3)
    page.keyboard.press("Control+z")
    expect(cards).to_have_count(4)
    page.keyboard.press("Control+Shift+z")
    expect(cards).to_have_count(3)
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+y")
    expect(cards).to_have_count(3)
    page.get_by_role("button", name="Undo (Ctrl+Z)").click()
    expect(cards).to_have_count(4)

    # Select everything and delete it; the palette hint comes back.
    page.locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    expect(cards).to_have_count(0)
    expect(page.get_by_text("Drag layers here from the palette")).to_be_visible()


def test_auto_layout_untangles_overlapping_layers(page, studio_api, open_model, screenshot):
    graph = chain(("in", "Input", {"shape": [16]}), ("a", "Dense", {"units": 8}), ("b", "Dense", {"units": 2}))
    for n in graph["nodes"]:
        n["position"] = {"x": 100, "y": 100}  # all on top of each other
    project = studio_api.create_project("layout", graph=graph)
    open_model(project["id"])
    boxes = [node(page, i).bounding_box() for i in ("in", "a", "b")]
    assert boxes[0]["y"] < boxes[1]["y"] - boxes[0]["height"] < boxes[2]["y"], "laid out top to bottom on opening"
    screenshot("canvas-auto-layout")


def test_merge_layers_take_their_inputs_on_ordered_ports(page, studio_api, open_model, screenshot):
    graph = {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [16]}, "position": {"x": 200, "y": 20}},
            {"id": "wide", "type": "Dense", "params": {"units": 6}, "position": {"x": 40, "y": 180}},
            {"id": "narrow", "type": "Dense", "params": {"units": 4}, "position": {"x": 360, "y": 180}},
            {"id": "cat", "type": "Concatenate", "params": {}, "position": {"x": 200, "y": 360}},
        ],
        "edges": [{"source": "in", "target": "wide"}, {"source": "in", "target": "narrow"}],
    }
    project = studio_api.create_project("merge", graph=graph)
    open_model(project["id"])
    ports = node(page, "cat").locator(".react-flow__handle.target")
    expect(ports).to_have_count(2)  # Concatenate takes at least two inputs

    connect(page, "narrow", "cat", port=0)
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    connect(page, "wide", "cat", port=1)
    expect(ports).to_have_count(3)  # a free port appears for a third input
    expect(node(page, "cat").locator(".layer-shape")).to_have_text("(None, 10)")
    expect(page.get_by_test_id("validity")).to_have_text("✓ Valid")
    screenshot("canvas-merge-ports")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    edges = studio_api.project(project["id"])["graph"]["edges"]
    assert {"source": "narrow", "target": "cat", "port": 0} in edges
    assert {"source": "wide", "target": "cat", "port": 1} in edges


def test_selecting_several_layers_and_a_connection(page, studio_api, open_model):
    graph = chain(("in", "Input", {"shape": [16]}), ("a", "Dense", {"units": 8}), ("b", "Dense", {"units": 2}))
    project = studio_api.create_project("select", graph=graph)
    open_model(project["id"])
    node(page, "a").click()
    node(page, "b").click(modifiers=["Control"])
    expect(page.locator(".inspector")).to_contain_text("2 layers selected")
    page.get_by_role("button", name="Delete selection", exact=True).click()
    expect(page.locator(".react-flow__node")).to_have_count(1)
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    # Click the middle of the (straight, vertical) connection from a to b.
    top = node(page, "a").locator(".react-flow__handle.source").bounding_box()
    bottom = node(page, "b").locator(".react-flow__handle.target").bounding_box()
    page.mouse.click(top["x"] + top["width"] / 2, (top["y"] + bottom["y"] + bottom["height"]) / 2)
    expect(page.locator(".inspector")).to_contain_text("Connection")
    page.get_by_role("button", name="Delete connection").click()
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.get_by_test_id("validity")).to_contain_text("problem")
