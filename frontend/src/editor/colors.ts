/** One colour per layer category, shared by palette, cards and minimap. */
const COLORS: Record<string, string> = {
  Input: "#0e7490",
  Core: "#4f46e5",
  Convolution: "#7c3aed",
  Pooling: "#2563eb",
  Normalization: "#0d9488",
  Regularization: "#a16207",
  Activation: "#be185d",
  Merge: "#c2410c",
  Reshaping: "#475569",
  Preprocessing: "#0369a1",
  Augmentation: "#4d7c0f",
  Recurrent: "#9333ea",
  Pretrained: "#b45309",
};

export function categoryColor(category: string | undefined): string {
  if (!category) return "#64748b";
  if (COLORS[category]) return COLORS[category];
  let h = 0;
  for (const ch of category) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 42%)`;
}
