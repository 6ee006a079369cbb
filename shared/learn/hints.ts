/**
 * Turns similar, resolved past failures into short hints for the next
 * attempt's prompt.
 */

/** A past failure as the hints need it (a `SimilarFailure` row fits). */
export interface SimilarResolved {
  normalized: string;
  resolution: string | null;
  /** Cosine distance to the current failure (0 = same direction). */
  distance: number;
}

/**
 * Farthest cosine distance a past failure may be to give a hint. @default 0.45
 * Measured on bench/data/errors.jsonl (docs/decisions/learning.md): within 0.45,
 * most messages have a same-cause neighbour and few have an other-cause one.
 */
export const DEFAULT_HINT_MAX_DISTANCE = 0.45;

export interface HintOptions {
  /** Most hints returned. @default 3 */
  maxHints?: number;
  /** Farthest distance that still gives a hint. @default 0.45 */
  maxDistance?: number;
  /** Longest quoted error, in characters. @default 160 */
  maxErrorChars?: number;
  /** Longest quoted resolution, in characters. @default 600 */
  maxResolutionChars?: number;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

/**
 * Hints, nearest first: `A similar failure (similarity 0.91: "…") was resolved by: …`.
 * Skips failures without a resolution, farther than `maxDistance`, or whose
 * resolution repeats one already given.
 */
export function buildHints(similar: readonly SimilarResolved[], options: HintOptions = {}): string[] {
  const maxHints = options.maxHints ?? 3;
  const maxDistance = options.maxDistance ?? DEFAULT_HINT_MAX_DISTANCE;
  const maxError = options.maxErrorChars ?? 160;
  const maxResolution = options.maxResolutionChars ?? 600;
  const seen = new Set<string>();
  const hints: string[] = [];
  const nearestFirst = [...similar].sort((a, b) => a.distance - b.distance);
  for (const s of nearestFirst) {
    if (hints.length >= maxHints) break;
    if (!Number.isFinite(s.distance) || s.distance > maxDistance) continue;
    const resolution = s.resolution === null ? '' : clip(s.resolution, maxResolution);
    if (resolution === '' || seen.has(resolution)) continue;
    seen.add(resolution);
    const similarity = Math.max(0, 1 - s.distance).toFixed(2);
    hints.push(`A similar failure (similarity ${similarity}: "${clip(s.normalized, maxError)}") was resolved by: ${resolution}`);
  }
  return hints;
}
