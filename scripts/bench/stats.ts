/**
 * Summaries of repeated measurements: medians and spreads, as every
 * benchmark report quotes them.
 */

/** A sample's median and the spread around it. */
export interface Summary {
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (position - low);
}

/**
 * Summarizes a sample.
 *
 * @param values The measurements (at least one).
 * @returns Median, quartiles, extremes and count.
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error("nothing to summarize");
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    n: sorted.length,
  };
}

/**
 * Pairs two samples taken round by round and divides them.
 *
 * @param numerator One value per round.
 * @param denominator One value per round, same rounds.
 * @returns The per-round ratios.
 */
export function ratios(numerator: readonly number[], denominator: readonly number[]): number[] {
  return numerator.map((value, i) => value / (denominator[i] as number));
}

/**
 * Replaces the part of a Markdown report between two markers (added at the end when missing).
 *
 * @param report The whole report.
 * @param section The marker's name, e.g. `codec`.
 * @param body The new text between `<!-- section:start -->` and `<!-- section:end -->`.
 * @returns The report with that section replaced.
 */
export function replaceSection(report: string, section: string, body: string): string {
  const start = `<!-- ${section}:start -->`;
  const end = `<!-- ${section}:end -->`;
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = report.indexOf(start);
  const to = report.indexOf(end);
  if (from === -1 || to === -1) return `${report.trimEnd()}\n\n${block}\n`;
  return report.slice(0, from) + block + report.slice(to + end.length);
}
