import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { EntryType, MessageType, type Message } from '../raft/types.ts';
import { startMember, stopMembers, waitFor } from './transport-testing.ts';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

/** A peer that accepts the stream upgrade and then does not read a byte until `resume()`. */
async function stuckPeer(): Promise<{ url: string; resume(): void; received(): number; close(): Promise<void> }> {
  const sockets: net.Socket[] = [];
  let received = 0;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    let head = '';
    const onHead = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onHead);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: cairn-raft\r\nconnection: Upgrade\r\n\r\n');
      socket.pause();
      socket.on('data', (data: Buffer) => (received += data.length));
    };
    socket.on('data', onHead);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    resume: () => sockets.forEach((socket) => socket.resume()),
    received: () => received,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('a receiver that stops reading fills a bounded queue; further messages are dropped and reported, memory stays flat', async () => {
  const queueBytesMax = 2 * 1024 * 1024;
  const peer = await stuckPeer();
  const a = await startMember(1n, { tuning: { queueMessagesMax: 1000, queueBytesMax, socketBufferBytesMax: 256 * 1024, linkTimeoutMs: 30_000 } });
  try {
    a.transport.addPeer(2n, [peer.url]);
    await waitFor('stream to the stuck peer', () => a.transport.activeSince(2n) !== undefined);
    // One shared payload, so the test itself allocates nothing per message.
    const data = new Uint8Array(16 * 1024).fill(1);
    const message = (index: number): Message => ({
      type: MessageType.App, to: 2n, from: 1n, term: 1, logTerm: 1, index, commit: 0, reject: false, rejectHint: 0,
      entries: [{ term: 1, index: index + 1, type: EntryType.Normal, data }],
    });
    collectGarbage();
    const before = process.memoryUsage();
    let maxQueuedBytes = 0;
    let slowestSendMs = 0;
    let index = 0;
    for (let round = 0; round < 200; round++) {
      const batch = Array.from({ length: 50 }, () => message(index++));
      const started = performance.now();
      a.transport.send(batch);
      slowestSendMs = Math.max(slowestSendMs, performance.now() - started);
      await new Promise((resolve) => setImmediate(resolve));
      maxQueuedBytes = Math.max(maxQueuedBytes, a.transport.peerStats()[0]!.queuedBytes);
    }
    collectGarbage();
    const after = process.memoryUsage();
    const stats = a.transport.peerStats()[0]!;
    // 10,000 messages of 16 KiB (160 MiB) were offered; the kernel's socket buffers take a few MiB, the queue 2 MiB.
    assert.ok(maxQueuedBytes <= queueBytesMax + 64, `queued ${maxQueuedBytes} bytes`);
    assert.ok(stats.droppedMessages > 9000, `dropped ${stats.droppedMessages}`);
    assert.ok(a.host.unreachableIds.includes(2n));
    const grownBytes = after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed;
    assert.ok(grownBytes < 16 * 1024 * 1024, `memory grew by ${grownBytes} bytes`);
    assert.ok(slowestSendMs < 100, `slowest send() took ${slowestSendMs} ms`);
    // Once the receiver reads again, the queue drains.
    peer.resume();
    await waitFor('queue drained', () => a.transport.peerStats()[0]!.queuedBytes === 0);
    assert.ok(peer.received() > 0);
  } finally {
    await stopMembers([a]);
    await peer.close();
  }
});
