// The side-by-side suite: the figures the project tracks for Cairn against etcd, in one run. Request workloads
// run on one cluster per target (etcd first, then Cairn, workload by workload; the single-client run in
// alternating rounds); memory is measured on fresh clusters so that earlier workloads do not inflate it.
import { connectMany } from '../tests/support/grpc-client.ts';
import type { ServerKind } from '../tests/support/processes.ts';
import type { BenchOptions } from './options.ts';
import { runWorkload, type WorkloadSpec } from './workloads.ts';
import type { RunSummary } from './latency.ts';
import { acquireTarget, isReady, type BenchTarget, type MissingTarget } from './targets.ts';
import { runMetrics, runNotes, type Section } from './report.ts';
import { loadKeys, resident } from './memory.ts';

/** Requests of the single-client latency run: enough for a stable p50, short enough for the time budget. */
const latencyRunRequests = 1000;
/**
 * Rounds of the single-client run, alternating the targets. One run's p50 moves by 20% and more on a shared
 * 2-core machine (a member's placement on the cores, other tenants), in stretches that outlast a run: the median
 * round of each target, taken side by side, is the figure that holds from one suite to the next.
 */
const latencyRounds = 5;
/**
 * Unmeasured rounds per target before them: the suite starts on fresh servers, whose first thousand requests pay
 * for warming up (page cache and allocator for both, JIT compilation for Cairn) and ran 30-50% slower than the
 * next ones for both. A member serves for days; the figure tracked is the steady one.
 */
const latencyWarmUpRounds = 1;

/** The suite's request workloads, with the user's key/value/load flags applied. */
export function suiteWorkloads(options: BenchOptions): Array<{ name: string; spec: WorkloadSpec; rounds: number; warmUpRounds: number }> {
  const base = {
    keySizeBytes: options.keySizeBytes, valueSizeBytes: options.valueSizeBytes, keySpaceSize: options.keySpaceSize,
    consistency: 'l' as const, preload: options.preload, total: options.total,
    clients: options.clients, conns: options.conns,
  };
  const latencyTotal = options.given.has('total') ? Math.max(1, Math.round(options.total / 10)) : latencyRunRequests;
  return [
    { name: `put, 1 client (latency, median of ${latencyRounds} rounds)`, spec: { ...base, workload: 'put', clients: 1, conns: 1, total: latencyTotal, to: 'leader' }, rounds: latencyRounds, warmUpRounds: latencyWarmUpRounds },
    { name: `put, ${base.clients} clients / ${base.conns} conns`, spec: { ...base, workload: 'put', to: 'leader' }, rounds: 1, warmUpRounds: 0 },
    { name: `range serializable, ${base.clients} / ${base.conns}, all members`, spec: { ...base, workload: 'range', consistency: 's', to: 'all' }, rounds: 1, warmUpRounds: 0 },
    { name: `txn-put, ${base.clients} / ${base.conns}`, spec: { ...base, workload: 'txn-put', to: 'leader' }, rounds: 1, warmUpRounds: 0 },
  ];
}

/** The run with the median p50 of a target's rounds (the lower middle one of an even count). */
export function medianRun(runs: readonly RunSummary[]): RunSummary {
  if (runs.length === 0) throw new Error('medianRun: no runs');
  const sorted = [...runs].sort((a, b) => a.p50Ms - b.p50Ms);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function memorySection(kind: ServerKind, options: BenchOptions): Promise<Section['outcomes'][ServerKind]> {
  if (options.endpoints) return { missing: 'not measured for an existing cluster (no pids)' };
  const target = await acquireTarget(kind, { members: options.members });
  if (!isReady(target)) return target;
  try {
    const idle = await Promise.all(target.pids.map(resident));
    const clients = connectMany([target.leader], 8);
    const startMs = performance.now();
    try {
      await loadKeys(clients, options.keys, Math.max(options.keySizeBytes, 4 + String(options.keys).length), 256, 'mem/');
    } finally {
      for (const client of clients) client.close();
    }
    const loadMs = performance.now() - startMs;
    // Give the servers a moment to settle (flushes, a GC cycle) before reading their memory.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const loaded = await Promise.all(target.pids.map(resident));
    const most = (values: number[]): number => Math.max(...values);
    return {
      'idle RSS MiB (max member)': most(idle.map((memory) => memory.rssMiB)),
      'loaded RSS MiB (max member)': most(loaded.map((memory) => memory.rssMiB)),
      'loaded anon MiB (max member)': most(loaded.map((memory) => memory.anonMiB)),
      'load s': loadMs / 1000,
    };
  } finally {
    await target.stop();
  }
}

/** Runs the whole suite and returns its sections. */
export async function runSuite(options: BenchOptions): Promise<Section[]> {
  const targets: Array<BenchTarget | MissingTarget> = [];
  for (const kind of options.targets) {
    progress(`starting ${kind}${options.endpoints ? '' : ` (${options.members} members)`}`);
    targets.push(await acquireTarget(kind, { members: options.members, ...(options.endpoints ? { endpoints: options.endpoints } : {}) }));
  }
  const sections: Section[] = [];
  try {
    for (const { name, spec, rounds, warmUpRounds } of suiteWorkloads(options)) {
      const section: Section = { name, outcomes: {}, notes: [] };
      const runs = new Map<ServerKind, RunSummary[]>();
      for (let round = 0; round < warmUpRounds; round++) {
        for (const target of targets) {
          if (!isReady(target)) continue;
          const summary = await runWorkload(target, spec);
          progress(`${target.kind}: ${name}: warm-up, not counted: p50 ${summary.p50Ms.toFixed(2)} ms`);
          section.notes?.push(`${target.kind}: warm-up round (not counted) p50 ${summary.p50Ms.toFixed(2)} ms`);
        }
      }
      for (let round = 0; round < rounds; round++) {
        for (const target of targets) {
          if (!isReady(target)) continue;
          const summary = await runWorkload(target, spec);
          progress(`${target.kind}: ${name}: ${summary.perSecond.toFixed(0)} req/s, p50 ${summary.p50Ms.toFixed(2)} ms`);
          runs.set(target.kind, [...(runs.get(target.kind) ?? []), summary]);
          section.notes?.push(...runNotes(target.kind, summary));
        }
      }
      for (const target of targets) {
        if (!isReady(target)) {
          section.outcomes[target.kind] = { missing: target.missing };
          continue;
        }
        const summaries = runs.get(target.kind)!;
        section.outcomes[target.kind] = runMetrics(medianRun(summaries));
        if (rounds > 1) section.notes?.push(`${target.kind}: p50 per round ${summaries.map((run) => run.p50Ms.toFixed(2)).join(' / ')} ms`);
      }
      sections.push(section);
    }
  } finally {
    await Promise.all(targets.filter(isReady).map((target) => target.stop()));
  }
  const memory: Section = { name: `memory after ${options.keys} keys of 256 B`, outcomes: {} };
  for (const kind of options.targets) {
    progress(`${kind}: loading ${options.keys} keys for the memory check`);
    memory.outcomes[kind] = await memorySection(kind, options);
  }
  sections.push(memory);
  return sections;
}
