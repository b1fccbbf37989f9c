// A 3-member cluster of the target (E2E_TARGET=cairn|etcd, default cairn) behind peer proxies, in two tests:
//  1. The checkers must catch a real violation: gets sent as serializable reads while a member is partitioned
//     from its peers return stale values, and the linearizability checker must call that history illegal; a
//     recorded watch stream with one event taken out must fail the watch checker.
//  2. Chaos: client load while a seeded injector kills (SIGKILL) and restarts members, pauses them
//     (SIGSTOP/SIGCONT), partitions them and slows their peer links. Afterwards the recorded history must be
//     linearizable, the recorded watch streams must keep etcd's watch guarantees, and every member must hold the
//     same history (every acknowledged write at its revision, no revision skipped) and the same HashKV.
// `E2E_SEED=n` replays a run's choices of operations and faults (their timing, and so the exact history, depends
// on the machine); `CLUSTER_LOAD_MS` lengthens the chaos run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxiedCluster } from '../support/cluster.ts';
import { connect, type EtcdClient } from '../support/grpc-client.ts';
import { HistoryRecorder } from '../support/history-recorder.ts';
import { executeKvCall } from '../support/kv-call.ts';
import { fastReconnectChannelOptions, runKvLoad } from '../support/kv-load.ts';
import { assertLinearizable, checkLinearizability } from '../support/linearizability/check-history.ts';
import { assertWatchGuarantees, checkWatchGuarantees, inWatchedRange, writesOfHistory, type WatcherRecord } from '../support/watch-guarantees.ts';
import { WatchRecorder } from '../support/watch-recorder.ts';
import { target } from '../e2e/target.ts';
import { compareMemberHistories, hashKvByMember } from './convergence.ts';
import { FaultInjector } from './fault-injector.ts';
import { clusterReadyTimeoutMs, startTargetCluster } from './target-cluster.ts';

const seed = Number(process.env.E2E_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** How long clients write; faults stop `healthyTailMs` before the end, so the run ends on a healed cluster. */
const loadMs = Number(process.env.CLUSTER_LOAD_MS ?? 20_000);
const healthyTailMs = 2_000;
/** Time budget of the linearizability check; an undecided check fails the test. */
const checkTimeoutMs = 20_000;
/** etcd 3.4's periodic watch progress notifications, every second instead of every 10 minutes. */
const clusterFlags = ['--experimental-watch-progress-notify-interval', '1s'];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Puts a fence value through any member, retrying on errors (each attempt recorded); resolves with its revision. */
async function writeFence(clients: readonly EtcdClient[], recorder: HistoryRecorder, key: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const client = clients[attempt % clients.length];
    const call = recorder.begin(-1, { kind: 'put', key, value: `fence-${key}-${attempt}` }, client.endpoint);
    try {
      const output = await executeKvCall(client, call.input, 2_000);
      recorder.succeeded(call, output);
      if (output.kind === 'put') return output.revision;
    } catch (error) {
      recorder.failed(call, error);
      await sleep(250);
    }
  }
  throw new Error(`could not write a fence to ${key} through any member after the faults were repaired`);
}

/**
 * Writes a last value to every key, after the load: a watcher has received everything once it has its keys'
 * fences (without relying on progress notifications, whose interval flag not every server honours).
 */
async function writeFences(cluster: ProxiedCluster, recorder: HistoryRecorder, keys: readonly string[]): Promise<Map<string, number>> {
  const clients = cluster.endpoints.map((endpoint) => connect(endpoint, { channelOptions: fastReconnectChannelOptions }));
  try {
    const fences = new Map<string, number>();
    for (const key of keys) fences.set(key, await writeFence(clients, recorder, key));
    return fences;
  } finally {
    for (const client of clients) client.close();
  }
}

/** A linearizable read of every key through every member, recorded: each member must serve the final state. */
async function readEverythingEverywhere(cluster: ProxiedCluster, recorder: HistoryRecorder, keys: readonly string[]): Promise<void> {
  for (const endpoint of cluster.endpoints) {
    const client = connect(endpoint, { channelOptions: fastReconnectChannelOptions });
    try {
      for (const key of keys) {
        const call = recorder.begin(-2, { kind: 'get', key }, endpoint);
        try {
          recorder.succeeded(call, await executeKvCall(client, call.input, 5_000));
        } catch (error) {
          recorder.failed(call, error);
          throw new Error(`a healed member failed a linearizable read of ${key} through ${endpoint}: ${(error as Error).message}`);
        }
      }
    } finally {
      client.close();
    }
  }
}

/** The most frequent errors of a history, digits folded, for the diagnostics: what the faults did to clients. */
function errorSummary(operations: ReturnType<HistoryRecorder['operations']>): string {
  const counts = new Map<string, number>();
  for (const operation of operations) {
    if (operation.error === undefined) continue;
    const text = `${operation.outcome}: ${operation.error.replace(/\d+(\.\d+)?/g, 'N').slice(0, 80)}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([text, count]) => `${count}x ${text}`).join('; ');
}

/** The current revision, read through the first member. */
async function currentRevision(cluster: ProxiedCluster): Promise<number> {
  const client = connect(cluster.endpoints[0]);
  try {
    return Number((await client.kv.range({ key: 'any' })).header!.revision);
  } finally {
    client.close();
  }
}

describe(`3-member ${target} cluster behind peer proxies`, () => {
  let started: ProxiedCluster | undefined;
  before(async () => {
    started = await startTargetCluster(clusterFlags);
  });
  after(async () => {
    await started?.stop();
  });

  test('the checkers catch stale serializable reads from a partitioned member', async (t) => {
    assert.ok(started, 'the cluster started');
    const cluster = started;
    const prefix = 'stale/';
    const keys = [`${prefix}k0`, `${prefix}k1`, `${prefix}k2`];
    const leader = await cluster.waitForLeader(clusterReadyTimeoutMs);
    const victim = cluster.members.find((member) => member !== leader)!;
    const startRevision = (await currentRevision(cluster)) + 1;
    const watcher = new WatchRecorder({ name: `${leader.name}:${prefix}*`, endpoint: leader.endpoint, key: prefix, rangeEnd: 'stale0', startRevision });
    watcher.start();
    const recorder = new HistoryRecorder();
    const partition = (async () => {
      await sleep(500);
      cluster.network.isolate(victim.name);
      await sleep(2_500);
      cluster.network.heal();
    })();
    await Promise.all([
      runKvLoad({ endpoints: cluster.endpoints, keys, seed, durationMs: 3_500, recorder, workersPerEndpoint: 2, serializableReads: true }),
      partition,
    ]);
    const operations = recorder.operations();
    const report = checkLinearizability(operations, { timeoutMs: checkTimeoutMs });
    t.diagnostic(`${JSON.stringify(recorder.counts())}; verdict ${report.outcome}`);
    assert.equal(report.outcome, 'illegal', 'serializable reads from a partitioned member must not pass as linearizable');
    assert.match(report.summary, /read (absent|"[^"]+") but the key (is absent|holds)|header revision \d+ is below|revision went back/);

    const lastWrite = Math.max(...operations.map((operation) => operation.output?.revision ?? 0));
    await watcher.waitUntil(lastWrite, clusterReadyTimeoutMs);
    const record = await watcher.stop(lastWrite);
    assert.deepEqual(checkWatchGuarantees([record], writesOfHistory(operations)).violations, [], 'the untouched stream keeps the guarantees');
    record.segments[0].responses.find((response) => response.events.length > 0)!.events.shift();
    assert.match(checkWatchGuarantees([record], writesOfHistory(operations)).violations.join('\n'), /missed/);
  });

  test(`kill -9, SIGSTOP, partitions and latency: linearizable, watch guarantees kept, members converge (seed ${seed})`, async (t) => {
    assert.ok(started, 'the cluster started');
    const cluster = started;
    const prefix = 'chaos/';
    const prefixEnd = 'chaos0';
    const keys = Array.from({ length: 6 }, (_, index) => `${prefix}k${index}`);
    await cluster.waitReady(clusterReadyTimeoutMs);
    const startRevision = (await currentRevision(cluster)) + 1;
    // Range watchers on every member, and single-key watchers on two of them, all from before the first write.
    const watchers = [
      ...cluster.members.map((member) => new WatchRecorder({
        name: `${member.name}:${prefix}*`, endpoint: member.endpoint, key: prefix, rangeEnd: prefixEnd, startRevision, progressNotify: true,
      })),
      ...[0, 1].map((index) => new WatchRecorder({
        name: `${cluster.members[index].name}:${keys[index]}`, endpoint: cluster.members[index].endpoint, key: keys[index], startRevision, progressNotify: true,
      })),
    ];
    for (const watcher of watchers) watcher.start();

    const recorder = new HistoryRecorder();
    const injector = new FaultInjector(cluster, { seed, log: (line) => t.diagnostic(line) });
    const loadStarted = performance.now();
    await Promise.all([
      runKvLoad({ endpoints: cluster.endpoints, keys, seed, durationMs: loadMs, recorder, workersPerEndpoint: 3, callDeadlineMs: 2_000 }),
      injector.run(loadMs - healthyTailMs),
    ]);
    t.diagnostic(`load: ${JSON.stringify(recorder.counts())} in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s; ` +
      `proxies: ${cluster.proxies.map((proxy) => `${proxy.name} ${JSON.stringify(proxy.stats)}`).join(', ')}`);

    await cluster.waitReady(clusterReadyTimeoutMs);
    const fences = await writeFences(cluster, recorder, keys);
    const fenceRevision = Math.max(...fences.values());
    await readEverythingEverywhere(cluster, recorder, keys);
    // The last fence among a watcher's keys is the revision it must reach: every write it watches comes before.
    const reachTargets = watchers.map((watcher) => Math.max(...keys.filter((key) => inWatchedRange(key, watcher.options.key, watcher.options.rangeEnd))
      .map((key) => fences.get(key)!)));
    await Promise.all(watchers.map((watcher, index) => watcher.waitUntil(reachTargets[index], clusterReadyTimeoutMs)));
    const records: WatcherRecord[] = await Promise.all(watchers.map((watcher, index) => watcher.stop(reachTargets[index])));
    t.diagnostic(`watch calls: ${watchers.map((watcher) => `${watcher.options.name} ${watcher.segmentCount}`).join(', ')}`);

    // Each member's own full history from the start, read after the fact: every acknowledged write must be there.
    const histories = cluster.members.map((member) => new WatchRecorder({
      name: `${member.name} history`, endpoint: member.endpoint, key: prefix, rangeEnd: prefixEnd, startRevision,
    }));
    for (const history of histories) history.start();
    await Promise.all(histories.map((history) => history.waitUntil(fenceRevision, clusterReadyTimeoutMs)));
    const historyRecords = await Promise.all(histories.map((history) => history.stop(fenceRevision)));

    const operations = recorder.operations();
    t.diagnostic(`errors: ${errorSummary(operations)}`);
    const checkStarted = performance.now();
    const linearizability = checkLinearizability(operations, { timeoutMs: checkTimeoutMs });
    t.diagnostic(`linearizability: ${linearizability.outcome} in ${Math.round(performance.now() - checkStarted)} ms; ` +
      linearizability.keys.map((key) => `${key.key} ${key.operationCount} ops (${key.unknownCount} unknown)`).join(', '));
    assertLinearizable(linearizability);

    const watchReport = checkWatchGuarantees([...records, ...historyRecords], writesOfHistory(operations));
    t.diagnostic(`watch: ${watchReport.eventCount} events and ${watchReport.progressCount} progress notifications checked, ` +
      `${watchReport.unknownPutRevisions.size} unknown-outcome puts seen`);
    assertWatchGuarantees(watchReport);

    assert.deepEqual(compareMemberHistories(historyRecords, startRevision, fenceRevision), [], 'the members hold different histories');
    const hashes = await hashKvByMember(cluster.endpoints, fenceRevision);
    assert.equal(new Set([...hashes.values()].map((entry) => entry.hash)).size, 1, `HashKV differs at revision ${fenceRevision}: ${JSON.stringify([...hashes])}`);
  });
});
