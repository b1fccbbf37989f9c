// Measures one peer stream on loopback: messages per second one way (appends of one 256-byte entry, as a put
// makes, and empty heartbeats), and the latency of a message answered by the peer (one in flight at a time).
// Usage: node --import tsx engine/transport/stream-bench.ts [durationMs]
import { MessageType, type Message } from '../raft/types.ts';
import { appendMessage, connectAll, startMember, stopMembers, waitForLinks, type TestMember } from './transport-testing.ts';

const durationMs = Number(process.argv[2] ?? 2000);
/** Messages sent but not yet received, as Raft's in-flight limit would bound them. */
const windowMessages = 4096;
const batchMessages = 64;

async function throughput(a: TestMember, b: TestMember, make: (index: number) => Message, label: string): Promise<string> {
  b.host.keepMessages = false;
  const startCount = b.host.messageCount;
  const startBytes = a.transport.peerStats()[0]!.sentBytes;
  let sent = 0;
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    if (sent - (b.host.messageCount - startCount) < windowMessages) {
      a.transport.send(Array.from({ length: batchMessages }, () => make(++sent)));
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (performance.now() - started) / 1000;
  const received = b.host.messageCount - startCount;
  const megabytes = (a.transport.peerStats()[0]!.sentBytes - startBytes) / 1024 / 1024;
  const dropped = a.transport.peerStats()[0]!.droppedMessages;
  return `${label}: ${Math.round(received / seconds).toLocaleString('en')} messages/s, ${(megabytes / seconds).toFixed(1)} MiB/s, dropped ${dropped}`;
}

async function latency(a: TestMember, b: TestMember, rounds: number): Promise<string> {
  const samplesMs: number[] = [];
  b.host.onMessage = (message) => b.transport.send([{ ...message, type: MessageType.AppResp, to: 1n, from: 2n, entries: [] }]);
  for (let round = 0; round < rounds; round++) {
    const answered = new Promise<void>((resolve) => (a.host.onMessage = () => resolve()));
    const started = performance.now();
    a.transport.send([appendMessage(1n, 2n, round + 1, 1, 256)]);
    await answered;
    samplesMs.push(performance.now() - started);
  }
  b.host.onMessage = () => undefined;
  samplesMs.sort((x, y) => x - y);
  const at = (quantile: number) => samplesMs[Math.min(samplesMs.length - 1, Math.floor(quantile * samplesMs.length))]!.toFixed(3);
  const rtt = a.transport.peerStats()[0]!.roundTripSeconds;
  return `request/answer latency over ${rounds} rounds: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms; ping RTT ${rtt === undefined ? '-' : (rtt * 1000).toFixed(3)} ms`;
}

const members = await Promise.all([startMember(1n), startMember(2n)]);
const [a, b] = members as [TestMember, TestMember];
try {
  connectAll(members);
  await waitForLinks(a, [b]);
  await waitForLinks(b, [a]);
  a.host.keepMessages = false;
  console.log(await latency(a, b, 2000));
  console.log(await throughput(a, b, (index) => appendMessage(1n, 2n, index, 1, 256), 'appends of one 256-byte entry'));
  console.log(await throughput(a, b, (index) => ({ ...appendMessage(1n, 2n, index, 0), type: MessageType.Heartbeat }), 'heartbeats'));
  console.log(await throughput(a, b, (index) => appendMessage(1n, 2n, index, 64, 256), 'appends of 64 256-byte entries'));
} finally {
  await stopMembers(members);
}
