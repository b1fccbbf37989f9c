// Durability of one member of the target (E2E_TARGET=cairn|etcd, default cairn) under `kill -9`: several clients
// write concurrently while the member is killed at a random moment; after it restarts on the same data dir every
// acknowledged put must still be there, at the revision it was acknowledged with, and revisions must only grow.
// Leases must survive restarts too. `E2E_SEED=n` replays the kill moments of a failing run (the key choices
// depend on timing as well, since the writers share one generator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, connectMany, type EtcdClient } from '../support/grpc-client.ts';
import type { ClusterHandle } from '../support/processes.ts';
import { Rng } from '../compat/rng.ts';
import { sleep, startTarget, target, targetUnavailableReason } from './target.ts';

/** Concurrent writers, each with its own connection and its own keys. */
const writerCount = 6;
/** Keys per writer: few enough that most keys are overwritten many times per round. */
const keysPerWriter = 20;
/** Crash rounds. */
const roundCount = 3;
/** The window in which the kill happens after the load starts, in milliseconds. */
const killAfterMsMin = 1_000;
const killAfterMsMax = 3_000;
/** Acknowledged writes per round whose exact revision is read back from history. */
const historySamplesPerRound = 150;

const seed = Number(process.env.E2E_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** The last acknowledged put of a key. */
interface Acked {
  value: string;
  revision: number;
}

/** What the test knows about every key: its last acknowledged write and a put that failed or was cut off. */
class WriteLedger {
  readonly acked = new Map<string, Acked>();
  /** A put that was sent but not acknowledged: it may or may not have been applied. */
  readonly unacknowledged = new Map<string, string>();
  /** Every acknowledged put of the current round, for sampling history. */
  roundWrites: Array<{ key: string; value: string; revision: number }> = [];
  /** Every revision ever acknowledged, to prove none is handed out twice. */
  readonly revisions = new Set<number>();
  maxRevision = 0;

  acknowledge(key: string, value: string, revision: number): void {
    assert.ok(!this.revisions.has(revision), `revision ${revision} was acknowledged twice (again for ${key}=${value})`);
    const previous = this.acked.get(key);
    assert.ok(!previous || revision > previous.revision, `${key}: revision ${revision} after ${previous?.revision}`);
    this.revisions.add(revision);
    this.maxRevision = Math.max(this.maxRevision, revision);
    this.acked.set(key, { value, revision });
    this.unacknowledged.delete(key);
    this.roundWrites.push({ key, value, revision });
  }
}

/** Puts until the first failure (the kill); the failed put is recorded as unacknowledged. */
async function writeUntilFailure(client: EtcdClient, writer: number, round: number, rng: Rng, ledger: WriteLedger): Promise<void> {
  for (let sequence = 0; ; sequence += 1) {
    const key = `crash/w${writer}/k${String(rng.int(0, keysPerWriter - 1)).padStart(2, '0')}`;
    const value = `round${round}-w${writer}-${sequence}`;
    ledger.unacknowledged.set(key, value);
    let revision: number;
    try {
      const response = await client.kv.put({ key, value }, { deadlineMs: 5_000 });
      revision = Number(response.header!.revision);
    } catch {
      // The member was killed: this put stays unacknowledged, and this writer is done for the round.
      return;
    }
    ledger.acknowledge(key, value, revision);
  }
}

/** Checks every key against the ledger, then makes what the member holds now the new baseline. */
async function verifyAfterRestart(client: EtcdClient, ledger: WriteLedger, rng: Rng, round: number): Promise<void> {
  const keys = new Set([...ledger.acked.keys(), ...ledger.unacknowledged.keys()]);
  const stored = await client.kv.range({ key: 'crash/', range_end: 'crash0' });
  const storedRevision = Number(stored.header!.revision);
  assert.ok(storedRevision >= ledger.maxRevision, `round ${round}: revision went back from ${ledger.maxRevision} to ${storedRevision}`);
  const byKey = new Map(stored.kvs.map((kv) => [kv.key.toString(), kv]));
  assert.deepEqual([...byKey.keys()].filter((key) => !keys.has(key)), [], 'keys nobody wrote');
  for (const key of keys) {
    const acked = ledger.acked.get(key);
    const maybe = ledger.unacknowledged.get(key);
    const kv = byKey.get(key);
    const context = `round ${round} (E2E_SEED=${seed}), ${key}: acked ${JSON.stringify(acked)}, unacknowledged ${maybe}`;
    if (!kv) {
      assert.equal(acked, undefined, `${context}: an acknowledged key is missing`);
      continue;
    }
    const value = kv.value.toString();
    const modRevision = Number(kv.mod_revision);
    if (acked && value === acked.value) {
      assert.equal(modRevision, acked.revision, `${context}: acknowledged value at another revision`);
    } else {
      assert.equal(value, maybe, `${context}: found ${value}, neither the last acknowledged value nor the one after it`);
      assert.ok(modRevision > (acked?.revision ?? 0), `${context}: the later write has an older revision ${modRevision}`);
    }
    ledger.acked.set(key, { value, revision: modRevision });
    ledger.revisions.add(modRevision);
    ledger.maxRevision = Math.max(ledger.maxRevision, modRevision);
  }
  ledger.unacknowledged.clear();
  await verifyHistorySample(client, ledger, rng, round);
  ledger.roundWrites = [];
}

/** Reads a sample of this round's acknowledged writes back at their own revisions (history survived too). */
async function verifyHistorySample(client: EtcdClient, ledger: WriteLedger, rng: Rng, round: number): Promise<void> {
  for (let index = 0; index < Math.min(historySamplesPerRound, ledger.roundWrites.length); index += 1) {
    const write = rng.pick(ledger.roundWrites);
    const response = await client.kv.range({ key: write.key, revision: write.revision });
    const kv = response.kvs[0];
    assert.ok(kv, `round ${round} (E2E_SEED=${seed}): ${write.key} missing at its revision ${write.revision}`);
    assert.deepEqual([kv.value.toString(), Number(kv.mod_revision)], [write.value, write.revision], `round ${round}: history of ${write.key}`);
  }
}

test(`every acknowledged put survives kill -9 of one ${target} member, ${roundCount} rounds (E2E_SEED=${seed})`, { timeout: 90_000 }, async (context) => {
  assert.equal(targetUnavailableReason(), undefined);
  const rng = new Rng(seed);
  const ledger = new WriteLedger();
  const cluster = await startTarget();
  try {
    for (let round = 1; round <= roundCount; round += 1) {
      const clients = connectMany(cluster.endpoints, writerCount);
      const revisionBefore = ledger.maxRevision;
      const writers = clients.map((client, writer) => writeUntilFailure(client, writer, round, rng, ledger));
      const killAfterMs = rng.int(killAfterMsMin, killAfterMsMax);
      await sleep(killAfterMs);
      await cluster.kill('SIGKILL');
      await Promise.all(writers);
      for (const client of clients) client.close();
      const acknowledged = ledger.roundWrites.length;
      context.diagnostic(`round ${round}: killed after ${killAfterMs} ms, ${acknowledged} puts acknowledged`);
      assert.ok(acknowledged >= 50, `round ${round}: only ${acknowledged} puts were acknowledged before the kill`);
      assert.ok(ledger.roundWrites.every((write) => write.revision > revisionBefore), 'a revision of this round is not above every earlier one');
      await cluster.restart();
      const client = connect(cluster.endpoints[0]);
      try {
        await verifyAfterRestart(client, ledger, rng, round);
        // The next write continues the revision sequence where the recovered store left it.
        const status = await client.kv.range({ key: 'crash/' });
        const next = await client.kv.put({ key: 'crash-marker', value: String(round) });
        assert.equal(Number(next.header!.revision), Number(status.header!.revision) + 1);
        assert.ok(Number(next.header!.revision) > ledger.maxRevision);
        ledger.maxRevision = Number(next.header!.revision);
        ledger.revisions.add(ledger.maxRevision);
      } finally {
        client.close();
      }
    }
  } finally {
    await cluster.stop();
  }
});

/** Remaining and granted TTL of a lease, and its keys. */
async function leaseState(client: EtcdClient, id: string): Promise<{ ttl: number; granted: number; keys: string[] }> {
  const response = await client.lease.timeToLive({ ID: id, keys: true });
  return { ttl: Number(response.TTL), granted: Number(response.grantedTTL), keys: response.keys.map((key) => key.toString()) };
}

/** Restarts the member and returns a fresh client on it. */
async function restarted(cluster: ClusterHandle, client: EtcdClient, how: 'SIGTERM' | 'SIGKILL'): Promise<EtcdClient> {
  client.close();
  if (how === 'SIGKILL') await cluster.kill('SIGKILL');
  await cluster.restart();
  return connect(cluster.endpoints[0]);
}

test(`a lease survives restarts of one ${target} member with its keys and remaining TTL`, { timeout: 60_000 }, async () => {
  assert.equal(targetUnavailableReason(), undefined);
  const cluster = await startTarget();
  let client = connect(cluster.endpoints[0]);
  try {
    const { ID: id } = await client.lease.grant({ TTL: 60 });
    await client.kv.put({ key: 'leased/key', value: 'v', lease: id });
    // Let the TTL run down far enough that a reset to the full 60 s would show.
    await sleep(4_000);
    const before = await leaseState(client, id);
    assert.ok(before.ttl <= 57, `remaining TTL ${before.ttl} after 4 s`);
    client = await restarted(cluster, client, 'SIGTERM');
    const after = await leaseState(client, id);
    assert.equal(after.granted, 60);
    assert.deepEqual(after.keys, ['leased/key']);
    if (target === 'cairn') {
      // Cairn keeps the remaining TTL across a restart: it goes on counting down instead of starting over.
      assert.ok(after.ttl <= before.ttl + 1, `remaining TTL ${before.ttl} before the restart, ${after.ttl} after: it was reset`);
      assert.ok(after.ttl >= before.ttl - 10, `remaining TTL ${before.ttl} before the restart, only ${after.ttl} after`);
    } else {
      // etcd 3.4 resets every lease to its full TTL when a member restarts. `--experimental-enable-lease-checkpoint`
      // does not help here: it checkpoints every 5 minutes only (and Debian's build panics with it unless
      // `--logger=zap` is set too). So for etcd this asserts its documented reset.
      assert.ok(after.ttl >= 58 && after.ttl > before.ttl, `etcd 3.4 resets the TTL: ${before.ttl} before, ${after.ttl} after`);
    }
    client = await restarted(cluster, client, 'SIGKILL');
    const afterCrash = await leaseState(client, id);
    assert.ok(afterCrash.ttl > 0 && afterCrash.ttl <= 60, `the lease is gone or wrong after kill -9: TTL ${afterCrash.ttl}`);
    assert.deepEqual(afterCrash.keys, ['leased/key']);
    const value = await client.kv.range({ key: 'leased/key' });
    assert.equal(value.kvs[0]?.lease, id);
    await client.lease.revoke({ ID: id });
    assert.equal((await client.kv.range({ key: 'leased/key' })).kvs.length, 0, 'revoking after the restarts still deletes the key');
  } finally {
    client.close();
    await cluster.stop();
  }
});
