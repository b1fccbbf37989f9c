import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { FrameKind, messageFrame, pingFrame } from './frames.ts';
import { handshakeHeaders } from './handshake.ts';
import { appendMessage, startMember, stopMembers, unusedPeerUrl, waitFor, type TestMember } from './transport-testing.ts';

/** Opens a stream to `member` as member `from` by hand, returning the raw socket. */
function rawStream(member: TestMember, from: bigint): Promise<Socket> {
  const url = new URL(member.url);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname,
      port: url.port,
      path: '/raft/stream',
      agent: false,
      headers: { ...handshakeHeaders({ clusterId: 0xc1n, from, to: member.id }, 'test'), connection: 'Upgrade', upgrade: 'cairn-raft' },
    });
    request.on('upgrade', (_response, socket: Socket) => resolve(socket));
    request.on('response', (response) => reject(new Error(`refused with ${response.statusCode}`)));
    request.on('error', reject);
    request.end();
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));
}

test('messages are handed over in order, pings are answered, and misaddressed messages are dropped', async () => {
  const b = await startMember(2n);
  try {
    b.transport.addPeer(1n, [await unusedPeerUrl()]);
    const socket = await rawStream(b, 1n);
    const pong = new Promise<Buffer>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk)));
    // Split mid-frame on purpose: the receiver must reassemble.
    const bytes = Buffer.concat([
      messageFrame(appendMessage(1n, 2n, 1)),
      messageFrame(appendMessage(3n, 2n, 2)), // Not from the stream's sender.
      messageFrame(appendMessage(1n, 5n, 3)), // Not for this member.
      messageFrame(appendMessage(1n, 2n, 4)),
      pingFrame(FrameKind.Ping, 77),
    ]);
    socket.write(bytes.subarray(0, 30));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(bytes.subarray(30));
    const answer = await pong;
    assert.deepEqual([...answer], [...pingFrame(FrameKind.Pong, 77)]);
    assert.deepEqual(
      b.host.messages.map((message) => message.index),
      [1, 4],
    );
    assert.equal(b.lines.filter((line) => line.msg === 'ignored raft message not sent by the stream peer to this member').length, 2);
    socket.destroy();
  } finally {
    await stopMembers([b]);
  }
});

test('a corrupt frame closes that stream only; the member keeps serving other streams', async () => {
  const b = await startMember(2n);
  try {
    b.transport.addPeer(1n, [await unusedPeerUrl()]);
    b.transport.addPeer(3n, [await unusedPeerUrl()]);
    const bad = await rawStream(b, 1n);
    const good = await rawStream(b, 3n);
    const frame = messageFrame(appendMessage(1n, 2n, 1));
    frame[5] = 9; // The codec version byte.
    bad.write(frame);
    await closed(bad);
    assert.ok(b.lines.some((line) => line.msg === 'lost TCP streaming connection with remote peer' && String(line.reason).includes('unsupported message codec version 9')));
    const oversized = await rawStream(b, 1n);
    oversized.write(Buffer.from([0xff, 0xff, 0xff, 0xff, FrameKind.Message]));
    await closed(oversized);
    assert.ok(b.lines.some((line) => String(line.reason).includes('exceeds the limit')));
    good.write(messageFrame(appendMessage(3n, 2n, 8)));
    await waitFor('message on the good stream', () => b.host.messages.length === 1);
    assert.equal(b.host.messages[0]!.from, 3n);
    good.destroy();
  } finally {
    await stopMembers([b]);
  }
});

test('a stream that goes silent is closed after the link timeout', async () => {
  const b = await startMember(2n, { tuning: { linkTimeoutMs: 200 } });
  try {
    b.transport.addPeer(1n, [await unusedPeerUrl()]);
    const socket = await rawStream(b, 1n);
    const started = performance.now();
    await closed(socket);
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs >= 150 && elapsedMs < 2000, `closed after ${elapsedMs} ms`);
    assert.ok(b.lines.some((line) => line.reason === 'nothing received for 200 ms'));
  } finally {
    await stopMembers([b]);
  }
});
