/** One measured number with the target it should meet, and the table printed at the end. */

export interface BenchRow {
  area: string;
  measure: string;
  value: number;
  unit: string;
  /** Decimal places shown. */
  digits?: number;
  /** e.g. ">= 200 MB/s"; `meets` says whether this run met it. */
  target?: string;
  meets?: boolean;
}

/** Plain rows of fixed-width columns; the targets column shows "ok" or "MISSED". */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((r) => [
    r.area,
    r.measure,
    `${r.value.toFixed(r.digits ?? 1)} ${r.unit}`,
    r.target ? `${r.target} ${r.meets === undefined ? '' : r.meets ? 'ok' : 'MISSED'}`.trim() : '',
  ]);
  const header = ['area', 'measure', 'value', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 2 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The same rows as a Markdown table, for docs/benchmarks.md. */
export function formatMarkdown(rows: readonly BenchRow[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    '| area | measure | value | target | met |',
    '|---|---|---:|---|---|',
    ...rows.map((r) => `| ${r.area} | ${cell(r.measure)} | ${r.value.toFixed(r.digits ?? 1)} ${r.unit} | ${cell(r.target ?? '')} | ${r.meets === undefined ? '' : r.meets ? 'yes' : '**no**'} |`),
  ].join('\n');
}
