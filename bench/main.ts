// `npm run bench`: Cairn's load tool, modeled on etcd's `benchmark` command. Without a subcommand it runs the
// side-by-side suite; with one (put, range, txn-put, watch) it runs that workload on each target in turn.
import { parseOptions, usage, type BenchOptions } from './options.ts';
import { runSuite } from './suite.ts';
import { runWorkload, workloadLabel, type WorkloadSpec } from './workloads.ts';
import { runWatch } from './watch-fanout.ts';
import { acquireTarget, isReady } from './targets.ts';
import { json, runMetrics, runNotes, table, type Section } from './report.ts';
import { median, runCatchUp, runFailover } from './recovery.ts';

function workloadSpec(options: BenchOptions): WorkloadSpec {
  const workload = options.command as WorkloadSpec['workload'];
  return {
    workload, clients: options.clients, conns: options.conns, total: options.total, keySizeBytes: options.keySizeBytes,
    valueSizeBytes: options.valueSizeBytes, keySpaceSize: options.keySpaceSize, consistency: options.consistency,
    to: options.to ?? (workload === 'range' ? 'all' : 'leader'), preload: options.preload,
  };
}

/** Runs one subcommand on each target in turn (one cluster at a time, so they never compete for the CPUs). */
async function runSingle(options: BenchOptions): Promise<Section[]> {
  const spec = workloadSpec(options);
  const name = options.command === 'watch'
    ? `watch, ${options.watchers} watchers, ${options.puts} puts at ${options.putRatePerSecond || 'max'}/s (event latency)`
    : workloadLabel(spec);
  const section: Section = { name, outcomes: {}, notes: [] };
  for (const kind of options.targets) {
    const target = await acquireTarget(kind, { members: options.members, ...(options.endpoints ? { endpoints: options.endpoints } : {}) });
    if (!isReady(target)) {
      section.outcomes[kind] = { missing: target.missing };
      continue;
    }
    try {
      const summary = options.command === 'watch'
        ? await runWatch(target, { watchers: options.watchers, puts: options.puts, putRatePerSecond: options.putRatePerSecond,
          conns: options.conns, keySizeBytes: Math.max(options.keySizeBytes, 12), valueSizeBytes: options.valueSizeBytes,
          keySpaceSize: options.keySpaceSize })
        : await runWorkload(target, spec);
      const metrics = runMetrics(summary);
      if (options.command === 'watch') {
        metrics['events/s'] = metrics['req/s'];
        delete metrics['req/s'];
      }
      section.outcomes[kind] = metrics;
      section.notes?.push(...runNotes(kind, summary));
    } finally {
      await target.stop();
    }
  }
  return [section];
}

/** The recovery workloads: each target's own 3-member cluster, one after the other. */
async function runRecovery(options: BenchOptions): Promise<Section[]> {
  const failover = options.command === 'failover';
  const name = failover
    ? `failover: kill -9 the leader of 3 members, ${options.rounds} rounds`
    : `catch-up: a follower of 3 members misses ${options.writes} writes`;
  const section: Section = { name, outcomes: {}, notes: [] };
  for (const kind of options.targets) {
    try {
      if (failover) {
        const figures = await runFailover(kind, options.rounds);
        section.outcomes[kind] = {
          'writes back p50 ms': median(figures.writesBackMs!),
          'writes back max ms': Math.max(...figures.writesBackMs!),
          'new leader p50 ms': median(figures.newLeaderMs!),
        };
      } else {
        const figures = await runCatchUp(kind, options.writes, options.clients);
        section.outcomes[kind] = { 'caught up s': figures.catchUpMs! / 1000 };
      }
    } catch (error) {
      section.outcomes[kind] = { missing: (error as Error).message.split('\n')[0]! };
    }
  }
  return [section];
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    const message = (error as Error).message;
    process.stderr.write(`${message}${message === usage ? '' : `\n\n${usage}`}\n`);
    process.exitCode = message === usage ? 0 : 2;
    return;
  }
  const startedMs = performance.now();
  const sections = options.command === 'suite'
    ? await runSuite(options)
    : options.command === 'failover' || options.command === 'catch-up'
      ? await runRecovery(options)
      : await runSingle(options);
  const config = { ...options, given: undefined, elapsedSeconds: (performance.now() - startedMs) / 1000 };
  process.stdout.write(`${options.json ? json(config, sections) : table(sections, options.targets)}\n`);
}

await main();
