// Results as a side-by-side table (one column per target, plus cairn/etcd when both ran) or as JSON.
import type { ServerKind } from '../tests/support/processes.ts';
import type { RunSummary } from './latency.ts';

/** Named numbers of one target in one section, e.g. { 'req/s': 3200, 'p50 ms': 16.6 }. */
export type Metrics = Record<string, number>;

/** One measured thing (a workload or the memory check) with each target's metrics or why it is missing. */
export interface Section {
  name: string;
  outcomes: Partial<Record<ServerKind, Metrics | { missing: string }>>;
  /** Errors seen per target (a run with errors is reported, not hidden). */
  notes?: string[];
}

/** The metrics of a request run. */
export function runMetrics(summary: RunSummary): Metrics {
  const metrics: Metrics = {
    'total s': summary.totalMs / 1000,
    'req/s': summary.perSecond,
    'p50 ms': summary.p50Ms,
    'p90 ms': summary.p90Ms,
    'p99 ms': summary.p99Ms,
    errors: summary.errors,
  };
  // The servers' own cost per request: steadier than req/s when client and servers share the CPUs.
  if (summary.serverCpuMs !== undefined && summary.count > 0) metrics['server CPU us/req'] = (1000 * summary.serverCpuMs) / summary.count;
  return metrics;
}

/** Notes about failed requests in a run, if any. */
export function runNotes(kind: ServerKind, summary: RunSummary): string[] {
  return summary.errors === 0 ? [] : [`${kind}: ${summary.errors} failed requests; first: ${summary.firstError}`];
}

/** cairn divided by etcd, when both have the metric. */
export function ratio(section: Section, metric: string): number | undefined {
  const cairn = section.outcomes.cairn;
  const etcd = section.outcomes.etcd;
  if (!cairn || !etcd || 'missing' in cairn || 'missing' in etcd) return undefined;
  const [mine, theirs] = [cairn[metric] as number | undefined, etcd[metric] as number | undefined];
  return mine === undefined || theirs === undefined || theirs === 0 ? undefined : mine / theirs;
}

function format(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** The sections as a text table with one column per target (and cairn/etcd when both are present). */
export function table(sections: readonly Section[], targets: readonly ServerKind[]): string {
  const both = targets.includes('etcd') && targets.includes('cairn');
  const header = ['workload', 'metric', ...targets, ...(both ? ['cairn/etcd'] : [])];
  const rows: string[][] = [];
  for (const section of sections) {
    const metricNames = new Set<string>();
    for (const outcome of Object.values(section.outcomes)) {
      if (outcome && !('missing' in outcome)) for (const name of Object.keys(outcome)) metricNames.add(name);
    }
    if (metricNames.size === 0) metricNames.add('-');
    [...metricNames].forEach((metric, index) => {
      const cells = targets.map((kind) => {
        const outcome = section.outcomes[kind];
        if (!outcome) return '-';
        if ('missing' in outcome) return index === 0 ? 'missing' : '';
        return format(outcome[metric]);
      });
      rows.push([index === 0 ? section.name : '', metric, ...cells, ...(both ? [format(ratio(section, metric))] : [])]);
    });
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]): string => cells.map((cell, column) =>
    column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join('  ').trimEnd();
  const missing = sections.flatMap((section) => Object.entries(section.outcomes)
    .filter(([, outcome]) => outcome && 'missing' in outcome)
    .map(([kind, outcome]) => [kind, `${kind} missing: ${(outcome as { missing: string }).missing}`]));
  // One line per target (its first reason): the reason repeats in every section, only ports differ.
  const firstByKind = new Map<string, string>();
  for (const [kind, text] of missing) if (!firstByKind.has(kind)) firstByKind.set(kind, text);
  const notes = [...firstByKind.values()].concat(sections.flatMap((section) =>
    (section.notes ?? []).map((note) => `note: ${section.name}: ${note}`)));
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line), ...notes].join('\n');
}

/** A metric label as a JSON key: `p50 ms` -> `p50_ms`, `req/s` -> `req_per_s`. */
export function metricKey(label: string): string {
  return label.toLowerCase().replace(/\/s\b/g, '_per_s').replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

function keyed(metrics: Metrics): Metrics {
  return Object.fromEntries(Object.entries(metrics).map(([label, value]) => [metricKey(label), value]));
}

/** The sections as JSON (metric keys in snake case), with cairn/etcd for every metric both targets have. */
export function json(config: object, sections: readonly Section[]): string {
  return JSON.stringify({
    config,
    sections: sections.map((section) => {
      const ratios: Metrics = {};
      const etcd = section.outcomes.etcd;
      if (etcd && !('missing' in etcd)) {
        for (const metric of Object.keys(etcd)) {
          const value = ratio(section, metric);
          if (value !== undefined) ratios[metricKey(metric)] = value;
        }
      }
      const outcomes = Object.fromEntries(Object.entries(section.outcomes).map(([kind, outcome]) =>
        [kind, outcome && !('missing' in outcome) ? keyed(outcome) : outcome]));
      return { name: section.name, outcomes, ratios, notes: section.notes ?? [] };
    }),
  }, null, 2);
}
