import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MessageType, type Message } from '../raft/types.ts';
import { chunkHeader, messageFrame, snapshotEndFrame } from './frames.ts';
import { handshakeHeaders } from './handshake.ts';
import { incomingSnapshotSuffix } from './snapshot-receiver.ts';
import { connectAll, startMember, stopMembers, unusedPeerUrl, waitFor, type TestMember } from './transport-testing.ts';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function snapMessage(from: bigint, to: bigint): Message {
  return {
    type: MessageType.Snap, to, from, term: 4, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0,
    snapshot: { data: new Uint8Array([1, 2, 3]), metadata: { index: 12_345, term: 4, confState: { voters: [1n, 2n], learners: [3n], votersOutgoing: [], learnersNext: [], autoLeave: false } } },
  };
}

/** `totalBytes` of deterministic pseudo-random data in 64 KiB chunks made on the fly, hashed as they go. */
function generatedPayload(totalBytes: number, hash: ReturnType<typeof createHash>, failAfterBytes = Infinity): AsyncIterable<Uint8Array> {
  return (async function* () {
    let state = 0x12345678;
    for (let offset = 0; offset < totalBytes; offset += 65536) {
      if (offset >= failAfterBytes) throw new Error('backend copy failed');
      const chunk = Buffer.allocUnsafe(Math.min(65536, totalBytes - offset));
      for (let position = 0; position + 4 <= chunk.length; position += 4) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        chunk.writeUInt32LE(state, position);
      }
      hash.update(chunk);
      yield chunk;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function leftoverFiles(member: TestMember): string[] {
  return fs.readdirSync(member.directory).filter((name) => name.endsWith(incomingSnapshotSuffix));
}

/** The payload is well above the memory bound, so an implementation that held it whole could not pass. */
const payloadBytes = 48 * 1024 * 1024;
/** Chunked streaming needs a few chunks and socket buffers per side; the rest is headroom for GC timing. */
const memoryGrowthBytesMax = 20 * 1024 * 1024;

test('a 48 MiB snapshot payload arrives intact, fsynced, with bounded memory on both sides', async () => {
  const members = await Promise.all([startMember(1n), startMember(2n)]);
  const [a, b] = members as [TestMember, TestMember];
  try {
    connectAll(members);
    const sent = createHash('sha256');
    a.host.payload = () => generatedPayload(payloadBytes, sent);
    let receivedHash = '';
    b.host.onSnapshot = async (_message, file) => {
      receivedHash = await fileSha256(file);
    };
    collectGarbage();
    const baseline = process.memoryUsage();
    let peakGrowth = 0;
    const sampler = setInterval(() => {
      collectGarbage();
      const now = process.memoryUsage();
      peakGrowth = Math.max(peakGrowth, now.arrayBuffers + now.heapUsed - baseline.arrayBuffers - baseline.heapUsed);
    }, 25);
    try {
      a.transport.send([snapMessage(1n, 2n)]);
      await waitFor('snapshot status', () => a.host.snapshotStatuses.length === 1, 30_000);
    } finally {
      clearInterval(sampler);
    }
    assert.deepEqual(a.host.snapshotStatuses, [{ id: 2n, ok: true }]);
    assert.equal(b.host.snapshots.length, 1);
    assert.deepEqual(b.host.snapshots[0]!.message, snapMessage(1n, 2n));
    assert.equal(fs.statSync(b.host.snapshots[0]!.payloadFile).size, payloadBytes);
    assert.equal(receivedHash, sent.digest('hex'));
    assert.ok(peakGrowth < memoryGrowthBytesMax, `memory grew by up to ${peakGrowth} bytes`);
    assert.ok(a.transport.peerStats()[0]!.sentBytes > payloadBytes);
    assert.ok(b.transport.peerStats()[0]!.receivedBytes > payloadBytes);
  } finally {
    await stopMembers(members);
  }
});

test('a payload that fails midway reports the snapshot failed and leaves no file behind', async () => {
  const members = await Promise.all([startMember(1n), startMember(2n)]);
  const [a, b] = members as [TestMember, TestMember];
  try {
    connectAll(members);
    a.host.payload = () => generatedPayload(4 * 1024 * 1024, createHash('sha256'), 1024 * 1024);
    a.transport.send([snapMessage(1n, 2n)]);
    await waitFor('snapshot status', () => a.host.snapshotStatuses.length === 1);
    assert.deepEqual(a.host.snapshotStatuses, [{ id: 2n, ok: false }]);
    await waitFor('unreachable', () => a.host.unreachableIds.includes(2n));
    await waitFor('receiver gave up', () => b.lines.some((line) => line.msg === 'failed to receive database snapshot'));
    assert.equal(b.host.snapshots.length, 0);
    assert.deepEqual(leftoverFiles(b), []);
  } finally {
    await stopMembers(members);
  }
});

test('a host that fails to take the snapshot fails the sender, and the file is removed', async () => {
  const members = await Promise.all([startMember(1n), startMember(2n)]);
  const [a, b] = members as [TestMember, TestMember];
  try {
    connectAll(members);
    a.host.payload = () => generatedPayload(100_000, createHash('sha256'));
    b.host.onSnapshot = () => {
      throw new Error('disk full');
    };
    a.transport.send([snapMessage(1n, 2n)]);
    await waitFor('snapshot status', () => a.host.snapshotStatuses.length === 1);
    assert.deepEqual(a.host.snapshotStatuses, [{ id: 2n, ok: false }]);
    assert.ok(a.lines.some((line) => line.msg === 'failed to send database snapshot to remote peer' && String(line.error).includes('disk full')));
    assert.deepEqual(leftoverFiles(b), []);
  } finally {
    await stopMembers(members);
  }
});

/** Posts a hand-made snapshot body to `member` as member 1, returning the status and reason. */
async function rawUpload(member: TestMember, body: Buffer[], endEarly = false): Promise<{ status: number; reason: string }> {
  const url = new URL(member.url);
  const request = http.request({
    host: url.hostname,
    port: url.port,
    method: 'POST',
    path: '/raft/snapshot',
    agent: false,
    headers: handshakeHeaders({ clusterId: 0xc1n, from: 1n, to: member.id }, 'test'),
  });
  const answer = new Promise<{ status: number; reason: string }>((resolve) => {
    request.on('response', (response) => {
      let reason = '';
      response.on('data', (chunk: Buffer) => (reason += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, reason }));
    });
    request.on('error', () => resolve({ status: 0, reason: 'connection lost' }));
  });
  for (const part of body) request.write(part);
  if (endEarly) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    request.destroy();
  } else {
    request.end();
  }
  return answer;
}

test('the receiver refuses a bad checksum, a wrong size, a non-snapshot message and a truncated upload', async () => {
  const b = await startMember(2n);
  try {
    b.transport.addPeer(1n, [await unusedPeerUrl()]); // Any URL: the receiver only needs to know member 1.
    const payload = Buffer.alloc(1000, 7);
    const message = messageFrame(snapMessage(1n, 2n));
    const badChecksum = await rawUpload(b, [message, chunkHeader(payload.length), payload, snapshotEndFrame(1000, 12345)]);
    assert.deepEqual(badChecksum, { status: 400, reason: 'snapshot payload checksum mismatch' });
    const wrongSize = await rawUpload(b, [message, chunkHeader(payload.length), payload, snapshotEndFrame(999, 0)]);
    assert.deepEqual(wrongSize, { status: 400, reason: 'snapshot payload has 1000 bytes, the sender wrote 999' });
    const notSnap = await rawUpload(b, [messageFrame({ ...snapMessage(1n, 2n), type: MessageType.App })]);
    assert.deepEqual(notSnap, { status: 400, reason: 'wrong raft message type' });
    const noEnd = await rawUpload(b, [message, chunkHeader(payload.length), payload]);
    assert.deepEqual(noEnd, { status: 400, reason: 'snapshot upload ended before its end frame' });
    await rawUpload(b, [message, chunkHeader(payload.length), payload], true);
    await waitFor('aborted upload cleaned up', () => b.lines.filter((line) => line.msg === 'failed to receive database snapshot').length === 5);
    assert.deepEqual(leftoverFiles(b), []);
    assert.equal(b.host.snapshots.length, 0);
  } finally {
    await stopMembers([b]);
  }
});
