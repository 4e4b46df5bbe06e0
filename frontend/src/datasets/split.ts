/**
 * Split percentages, pure: three whole numbers (train, validation, test) that always add up to 100,
 * with train above 0 (the server refuses anything else, studio/datasets/splits.py).
 *
 * Editing one share moves the others so the sum stays 100. Train is the "rest": changing validation
 * or test takes from (or gives to) train first; changing train resizes validation and test in their
 * current proportion. Edits are computed from the split as it was when the edit began (`base`), so
 * typing "8" on the way to "80" does not lose the proportions.
 */
import type { SplitName, SplitSpec } from "../api/types";

export const SPLIT_NAMES: readonly SplitName[] = ["train", "validation", "test"];
export const SPLIT_LABELS: Record<SplitName, string> = { train: "Training", validation: "Validation", test: "Test" };
export const MAX_SEED = 2 ** 31 - 1;
export const DEFAULT_SPLIT: SplitSpec = { train: 70, validation: 15, test: 15, seed: 42 };

export type Shares = Pick<SplitSpec, SplitName>;

/** The lowest and highest value a share can take. */
export function shareBounds(name: SplitName): { min: number; max: number } {
  return name === "train" ? { min: 1, max: 100 } : { min: 0, max: 99 };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Share `total` between weights a and b in whole numbers (largest remainder; ties go to a). */
function apportion(total: number, a: number, b: number): [number, number] {
  if (a + b <= 0) return [total, 0];
  const exactA = (total * a) / (a + b);
  let first = Math.floor(exactA);
  let second = Math.floor(total - exactA);
  if (first + second < total) {
    if (exactA - first >= total - exactA - second) first += 1;
    else second += 1;
  }
  return [first, second];
}

/** Set one share; the others move so the three still add up to 100. Bad input leaves `base` as it is. */
export function setShare<T extends Shares>(base: T, name: SplitName, value: number): T {
  if (!Number.isFinite(value)) return base;
  const { min, max } = shareBounds(name);
  const v = clamp(Math.round(value), min, max);
  const b = normaliseShares(base);
  if (name === "train") {
    const [validation, test] = apportion(100 - v, b.validation, b.test);
    return { ...base, train: v, validation, test };
  }
  const other: SplitName = name === "validation" ? "test" : "validation";
  // Train gives or takes first; below 1 the other share makes up the rest.
  let train = 100 - v - b[other];
  let rest = b[other];
  if (train < 1) {
    train = 1;
    rest = 100 - v - 1;
  }
  return { ...base, train, [name]: v, [other]: rest };
}

/** Any three numbers as whole percentages adding up to 100 with train at least 1 (proportional). */
export function normaliseShares(s: Partial<Shares>): Shares {
  const raw = SPLIT_NAMES.map((n) => {
    const v = Number(s[n]);
    return Number.isFinite(v) && v > 0 ? v : 0;
  });
  const sum = raw[0] + raw[1] + raw[2];
  if (sum <= 0) return { train: 100, validation: 0, test: 0 };
  const exact = raw.map((v) => (v * 100) / sum);
  const out = exact.map(Math.floor);
  const order = [0, 1, 2].sort((i, j) => exact[j] - out[j] - (exact[i] - out[i]) || i - j);
  for (let k = 0; k < 100 - (out[0] + out[1] + out[2]); k++) out[order[k]] += 1;
  if (out[0] < 1) {
    const donor = out[1] >= out[2] ? 1 : 2;
    out[donor] -= 1;
    out[0] = 1;
  }
  return { train: out[0], validation: out[1], test: out[2] };
}

/** A preset (or anything else) that matches the current shares. */
export function sameShares(a: Shares, b: Shares): boolean {
  return a.train === b.train && a.validation === b.validation && a.test === b.test;
}

export function sameSplit(a: SplitSpec, b: SplitSpec): boolean {
  return sameShares(a, b) && a.seed === b.seed;
}

export const PRESETS: readonly Shares[] = [
  { train: 70, validation: 15, test: 15 },
  { train: 80, validation: 10, test: 10 },
  { train: 80, validation: 20, test: 0 },
  { train: 60, validation: 20, test: 20 },
];

/** A whole-number seed in the server's range, or null when the text is not one. */
export function parseSeed(text: string): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const n = Number(text.trim());
  return Number.isSafeInteger(n) && n <= MAX_SEED ? n : null;
}

export function randomSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 1_000_000);
}

/**
 * Classes that would get no image in a split that was asked for (too few images): what the
 * split editor warns about. The server gives each asked-for split an image when a class has enough.
 */
export function emptySplits(
  shares: Shares,
  classes: ({ name: string } & Record<SplitName, number>)[],
): { name: string; split: SplitName }[] {
  const out: { name: string; split: SplitName }[] = [];
  for (const c of classes) {
    for (const s of SPLIT_NAMES) if (shares[s] > 0 && c[s] === 0) out.push({ name: c.name, split: s });
  }
  return out;
}
