// RaftConfig validation and defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type RaftConfig, ReadOnlyOption, resolveRaftConfig } from './config.ts';
import { RaftConfigError } from './errors.ts';
import { MemoryStorage } from './memory-storage.ts';

const base = (): RaftConfig => ({ id: 1n, storage: new MemoryStorage(), rng: () => 0 });

test('defaults follow etcd: 10 election ticks, 1 heartbeat tick, pre-vote and check-quorum on', () => {
  const config = resolveRaftConfig(base());
  assert.equal(config.electionTick, 10);
  assert.equal(config.heartbeatTick, 1);
  assert.equal(config.preVote, true);
  assert.equal(config.checkQuorum, true);
  assert.equal(config.maxSizePerMessageBytes, 1024 * 1024);
  assert.equal(config.maxCommittedSizePerReadyBytes, config.maxSizePerMessageBytes);
  assert.equal(config.maxInflightMessages, 512);
  assert.equal(config.readOnlyOption, ReadOnlyOption.Safe);
});

test('inconsistent settings are rejected', () => {
  const invalid: Partial<RaftConfig>[] = [
    { id: 0n },
    { electionTick: 1, heartbeatTick: 1 },
    { heartbeatTick: 0 },
    { maxInflightMessages: 0 },
    { applied: -1 },
    { maxInflightBytes: -1 },
    { readOnlyOption: ReadOnlyOption.LeaseBased, checkQuorum: false },
  ];
  for (const override of invalid) {
    assert.throws(() => resolveRaftConfig({ ...base(), ...override }), RaftConfigError, JSON.stringify(override, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  }
});
