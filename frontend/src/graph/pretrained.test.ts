import { describe, expect, it } from "vitest";
import type { InnerLayer } from "../api/types";
import { spec } from "../test/fixtures";
import {
  groupRows,
  setLayersTrainable,
  trainableChoices,
  trainableCounts,
  trainLastGroup,
  trainLastN,
} from "./pretrained";

const vgg = spec("VGG16");

/** What the report says about VGG16's layers at 32x32 (pools have no weights). */
function innerLayers(trainable: string[] = []): InnerLayer[] {
  return vgg.pretrained!.layers.map((l) => ({
    ...l,
    shape: [null, 2, 2, 512],
    params: l.type === "Conv2D" ? 1000 : 0,
    trainable: trainable.includes(l.name),
  }));
}

describe("pre-trained layers", () => {
  it("lists the layers that may train, leaving out those the report shows without weights", () => {
    expect(trainableChoices(vgg)).toHaveLength(18);
    expect(trainableChoices(vgg, innerLayers())).toHaveLength(13);
    expect(trainableChoices(vgg, innerLayers())[2]).toBe("block2_conv1");
  });

  it("counts trainable layers for the node card", () => {
    const node = { id: "v", type: "VGG16", params: { trainable_layers: ["block5_conv1", "block5_pool"] } };
    expect(trainableCounts(node, vgg, innerLayers())).toEqual({ trainable: 1, total: 13 });
    expect(trainableCounts(node, vgg)).toEqual({ trainable: 2, total: 18 });
  });

  it("groups layers by block with report shapes and params", () => {
    const node = { id: "v", type: "VGG16", params: { trainable_layers: ["block5_conv1"] } };
    const groups = groupRows(node, vgg, innerLayers(["block5_conv1"]));
    expect(groups.map((g) => g.name)).toEqual(["block1", "block2", "block3", "block4", "block5"]);
    const b5 = groups[4];
    expect(b5.rows.map((r) => [r.name, r.trainable, r.canTrain])).toEqual([
      ["block5_conv1", true, true],
      ["block5_conv2", false, true],
      ["block5_conv3", false, true],
      ["block5_pool", false, false],
    ]);
    expect(b5.rows[0].shape).toEqual([null, 2, 2, 512]);
    expect(b5.params).toBe(3000);
    expect(b5.trainable).toBe(1);
    expect(b5.trainableCapable).toBe(3);
  });

  it("shows unknown counts before the first report", () => {
    const node = { id: "v", type: "VGG16", params: {} };
    const b1 = groupRows(node, vgg, undefined)[0];
    expect(b1.params).toBeNull();
    expect(b1.rows[0].params).toBeNull();
  });

  it("switches layers on and off, keeping network order", () => {
    expect(setLayersTrainable(vgg, ["block5_conv3"], ["block5_conv1", "block1_conv1"], true)).toEqual([
      "block1_conv1",
      "block5_conv1",
      "block5_conv3",
    ]);
    expect(setLayersTrainable(vgg, ["block5_conv3", "block5_conv1"], ["block5_conv3"], false)).toEqual(["block5_conv1"]);
  });

  it("has quick settings for the last block and the last N weight-bearing layers", () => {
    const inner = innerLayers();
    expect(trainLastGroup(vgg, inner)).toEqual(["block5_conv1", "block5_conv2", "block5_conv3"]);
    expect(trainLastN(vgg, 4, inner)).toEqual(["block4_conv3", "block5_conv1", "block5_conv2", "block5_conv3"]);
    expect(trainLastN(vgg, 0, inner)).toEqual([]);
    expect(trainLastN(vgg, 99, inner)).toHaveLength(13);
  });
});
