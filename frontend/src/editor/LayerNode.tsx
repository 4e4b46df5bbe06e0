/** A layer as a card on the canvas: type, name, key params, output shape, ports, problems. */
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { OUTPUT_HANDLE, type LayerFlowNode } from "../graph/flow";
import { formatCompact } from "../graph/params";
import { categoryColor } from "./colors";

function LayerNodeView({ data, selected }: NodeProps<LayerFlowNode>) {
  const { node, spec, summary, shape, errors, warnings, params, ports, pretrained } = data;
  const color = categoryColor(spec?.category);
  const hasError = errors.length > 0;
  // Weights that exist but do not train: shown greyed with a snowflake, like frozen VGG16 layers.
  const frozen = !!params && params.total > 0 && params.trainable === 0;
  const label = `${node.type} layer ${node.id}${shape ? `, output ${shape}` : ""}${hasError ? `, ${errors.length} problem${errors.length > 1 ? "s" : ""}` : ""}`;
  return (
    <div
      className={`layer-card${frozen ? " is-frozen" : ""}${selected ? " is-selected" : ""}${hasError ? " is-error" : ""}${spec ? "" : " is-unknown"}`}
      style={{ "--cat": color } as React.CSSProperties}
      aria-label={label}
      data-node-id={node.id}
    >
      {ports.map((p, i) => (
        <Handle
          key={p.id}
          id={p.id}
          type="target"
          position={Position.Top}
          className={`port port-in${p.connected ? " is-connected" : ""}`}
          style={{ left: `${((i + 1) / (ports.length + 1)) * 100}%` }}
          title={p.label ? `Input ${p.label}` : "Input"}
          aria-label={`${node.id} input${p.label ? ` ${p.label}` : ""}`}
        >
          {p.label && <span className="port-label">{p.label}</span>}
        </Handle>
      ))}
      <div className="layer-card-head">
        <span className="layer-type">{node.type}</span>
        <span className="layer-id" title={node.id}>
          {node.id}
        </span>
        {hasError && (
          <span className="layer-badge badge-error" title={errors.map((e) => e.message).join("\n")} aria-hidden="true">
            !
          </span>
        )}
        {!hasError && warnings.length > 0 && (
          <span className="layer-badge badge-warn" title={warnings.map((e) => e.message).join("\n")} aria-hidden="true">
            !
          </span>
        )}
      </div>
      {summary.length > 0 && <div className="layer-summary">{summary.join(" · ")}</div>}
      {pretrained && (
        <div className="layer-pretrained" title="Layers of the pre-trained network that train">
          <span className={pretrained.trainable ? "is-trainable" : "is-frozen"}>
            {pretrained.trainable ? "◆" : "❄"} {pretrained.trainable}/{pretrained.total} layers train
          </span>
        </div>
      )}
      <div className="layer-foot">
        <span className="layer-shape" title="Output shape">
          {shape || (spec ? "shape ?" : "unknown type")}
        </span>
        {params && params.total > 0 && (
          <span className="layer-params" title={`${params.total.toLocaleString()} params, ${params.trainable.toLocaleString()} trainable`}>
            {frozen && !pretrained && <span className="frozen-mark">❄ frozen · </span>}
            {formatCompact(params.total)} p
          </span>
        )}
      </div>
      {hasError && (
        <div className="layer-error" role="note">
          {errors[0].message}
          {errors.length > 1 && ` (+${errors.length - 1} more)`}
        </div>
      )}
      <Handle
        id={OUTPUT_HANDLE}
        type="source"
        position={Position.Bottom}
        className="port port-out"
        title="Output: drag to an input"
        aria-label={`${node.id} output`}
      />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
