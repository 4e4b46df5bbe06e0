"""The VGG16 starter: its layers by block, frozen or trainable, and the parameter counts that follow."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BLOCK5_CONV_PARAMS = 512 * 512 * 3 * 3 + 512  # each of block5_conv1..3


def count(page, test_id: str) -> int:
    return int(page.get_by_test_id(test_id).inner_text().replace(",", ""))


def test_training_block5_of_vgg16_raises_the_trainable_count(page, studio_api, open_model, screenshot):
    project = studio_api.create_project("vgg", template="vgg16-transfer")
    open_model(project["id"])
    expect(page.get_by_test_id("params-trainable")).not_to_have_text("–")
    before = count(page, "params-trainable")
    total = count(page, "params-total")
    vgg = page.locator('.react-flow__node[data-id="vgg16"]')
    expect(vgg).to_contain_text("0/13 layers train")

    vgg.click()
    panel = page.locator(".pretrained")
    expect(panel.locator(".pretrained-group")).to_have_count(5)
    expect(panel.get_by_role("switch", name="block5_conv1 trainable")).to_have_attribute("aria-checked", "false")
    screenshot("vgg16-frozen")

    panel.get_by_role("button", name="Train all of block5").click()
    expect(page.get_by_test_id("params-trainable")).to_have_text(f"{before + 3 * BLOCK5_CONV_PARAMS:,}")
    expect(page.get_by_test_id("params-total")).to_have_text(f"{total:,}")
    for i in (1, 2, 3):
        expect(panel.get_by_role("switch", name=f"block5_conv{i} trainable")).to_have_attribute("aria-checked", "true")
    expect(panel.locator(".inner-layer.is-trainable")).to_have_count(3)
    expect(vgg).to_contain_text("3/13 layers train")
    screenshot("vgg16-block5-trainable")

    # One layer back to frozen.
    panel.get_by_role("switch", name="block5_conv3 trainable").click()
    expect(page.get_by_test_id("params-trainable")).to_have_text(f"{before + 2 * BLOCK5_CONV_PARAMS:,}")
    expect(panel.locator(".inner-layer", has_text="block5_conv3")).to_have_class(re.compile(r"\bis-frozen\b"))

    # Quick settings.
    panel.get_by_role("button", name="Freeze all").click()
    expect(page.get_by_test_id("params-trainable")).to_have_text(f"{before:,}")
    panel.get_by_label("Number of last layers to train").fill("2")
    panel.get_by_role("button", name="Train last").click()
    expect(page.get_by_test_id("params-trainable")).to_have_text(f"{before + 2 * BLOCK5_CONV_PARAMS:,}")
    expect(panel.get_by_role("switch", name="block5_conv1 trainable")).to_have_attribute("aria-checked", "false")

    # The choice is the node's trainable_layers param, saved with the project.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    saved = studio_api.project(project["id"])["graph"]
    vgg_node = next(n for n in saved["nodes"] if n["id"] == "vgg16")
    assert vgg_node["params"]["trainable_layers"] == ["block5_conv2", "block5_conv3"]
