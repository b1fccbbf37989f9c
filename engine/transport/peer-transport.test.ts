import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../raft/types.ts';
import { appendMessage, connectAll, startMember, stopMembers, unusedPeerUrl, waitFor, waitForLinks, type TestMember } from './transport-testing.ts';

/** Handles that keep a process alive (the test runner's own are there before and after). */
function liveHandles(): string[] {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap' || name === 'Timeout');
}

test('three members exchange messages, each peer\'s messages arriving in order', async () => {
  const members = await Promise.all([startMember(1n), startMember(2n), startMember(3n)]);
  try {
    connectAll(members);
    for (const member of members) await waitForLinks(member, members.filter((other) => other !== member));
    const perPeer = 500;
    // Several sends per turn and several turns, as Ready cycles would produce them.
    for (let batch = 0; batch < perPeer / 50; batch++) {
      for (const member of members) {
        const messages = [];
        for (const other of members) {
          if (other === member) continue;
          for (let position = 0; position < 50; position++) messages.push(appendMessage(member.id, other.id, batch * 50 + position + 1, 2, 64));
        }
        member.transport.send(messages);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor('all messages', () => members.every((member) => member.host.messages.length === 2 * perPeer));
    for (const member of members) {
      for (const other of members) {
        if (other === member) continue;
        const indexes = member.host.messages.filter((message) => message.from === other.id).map((message) => message.index);
        assert.deepEqual(indexes, Array.from({ length: perPeer }, (_, position) => position + 1), `${other.id} -> ${member.id}`);
      }
      assert.ok(member.host.messages.every((message) => message.to === member.id && message.entries.length === 2));
      assert.deepEqual(member.host.unreachableIds, []);
    }
  } finally {
    await stopMembers(members);
  }
});

test('a peer that restarts on the same URL is reconnected to, and messages flow again', async () => {
  const a = await startMember(1n);
  let b = await startMember(2n);
  const port = Number(new URL(b.url).port);
  const members: TestMember[] = [a, b];
  try {
    connectAll(members);
    await waitForLinks(a, [b]);
    a.transport.send([appendMessage(1n, 2n, 1)]);
    await waitFor('first message', () => b.host.messages.length === 1);
    await b.transport.stop();
    await waitFor('link down', () => a.transport.activeSince(2n) === undefined);
    a.transport.send([appendMessage(1n, 2n, 2)]);
    await waitFor('unreachable report', () => a.host.unreachableIds.includes(2n));
    b = await startMember(2n, { port, directory: b.directory });
    members[1] = b;
    b.transport.addPeer(1n, [a.url]);
    await waitForLinks(a, [b]);
    a.transport.send([appendMessage(1n, 2n, 3)]);
    await waitFor('message after restart', () => b.host.messages.length === 1);
    assert.equal(b.host.messages[0]!.index, 3);
    assert.ok(a.lines.some((line) => line.msg === 'lost TCP streaming connection with remote peer'));
  } finally {
    await stopMembers(members);
  }
});

test('a peer that restarts and dials us is dialled back at once, not after our back-off', async () => {
  const slowRetry = { backoff: { baseMs: 30_000, maxMs: 30_000 } };
  const a = await startMember(1n, { tuning: slowRetry });
  let b = await startMember(2n);
  const port = Number(new URL(b.url).port);
  const members: TestMember[] = [a, b];
  try {
    connectAll(members);
    await waitForLinks(a, [b]);
    await b.transport.stop();
    await waitFor('link down', () => a.transport.activeSince(2n) === undefined);
    b = await startMember(2n, { port, directory: b.directory });
    members[1] = b;
    b.transport.addPeer(1n, [a.url]);
    // a waits 30 s between dials; only b's stream to a can bring a's link back this soon.
    await waitFor('a dials b again', () => a.transport.activeSince(2n) !== undefined, 3_000);
    a.transport.send([appendMessage(1n, 2n, 2)]);
    await waitFor('message after restart', () => b.host.messages.some((message) => message.index === 2));
  } finally {
    await stopMembers(members);
  }
});

test('updatePeer moves the stream to the peer\'s new URL', async () => {
  const a = await startMember(1n);
  let b = await startMember(2n);
  const members: TestMember[] = [a, b];
  try {
    connectAll(members);
    await waitForLinks(a, [b]);
    await b.transport.stop();
    b = await startMember(2n, { directory: b.directory });
    members[1] = b;
    b.transport.addPeer(1n, [a.url]);
    a.transport.updatePeer(2n, [b.url]);
    await waitForLinks(a, [b]);
    assert.deepEqual(a.transport.peerStats()[0]!.urls, [b.url]);
    a.transport.send([appendMessage(1n, 2n, 9)]);
    await waitFor('message at the new URL', () => b.host.messages.length === 1);
  } finally {
    await stopMembers(members);
  }
});

test('round-trip time and sent/received bytes are measured per peer', async () => {
  const members = await Promise.all([startMember(1n), startMember(2n)]);
  const [a, b] = members as [TestMember, TestMember];
  try {
    connectAll(members);
    await waitForLinks(a, [b]);
    a.transport.send([appendMessage(1n, 2n, 1, 1, 1000)]);
    await waitFor('message', () => b.host.messages.length === 1);
    await waitFor('round trip sample', () => a.transport.peerStats()[0]!.roundTripSeconds !== undefined);
    const sender = a.transport.peerStats()[0]!;
    const receiver = b.transport.peerStats()[0]!;
    assert.ok(sender.roundTripSeconds! > 0 && sender.roundTripSeconds! < 1, `rtt ${sender.roundTripSeconds}`);
    assert.ok(a.host.roundTrips.length > 0 && a.host.roundTrips[0]!.id === 2n);
    assert.ok(sender.sentBytes > 1000, `sent ${sender.sentBytes}`);
    // The receiver's count of what it read from member 1 covers the message and the pings.
    assert.ok(receiver.receivedBytes >= sender.sentBytes - 9 * 2, `received ${receiver.receivedBytes}`);
    assert.ok(sender.activeSinceMs! <= Date.now() && sender.active);
    assert.equal(sender.droppedMessages, 0);
  } finally {
    await stopMembers(members);
  }
});

test('messages to unknown peers are ignored, and a removed peer gets nothing more', async () => {
  const members = await Promise.all([startMember(1n), startMember(2n)]);
  const [a, b] = members as [TestMember, TestMember];
  try {
    connectAll(members);
    await waitForLinks(a, [b]);
    a.transport.send([appendMessage(1n, 99n, 1), { ...appendMessage(1n, 2n, 1), type: MessageType.Heartbeat, entries: [] }]);
    await waitFor('heartbeat', () => b.host.messages.length === 1);
    a.transport.removePeer(2n);
    a.transport.send([appendMessage(1n, 2n, 2)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(b.host.messages.length, 1);
    assert.deepEqual(a.host.unreachableIds, []);
    assert.deepEqual(a.transport.peerStats(), []);
  } finally {
    await stopMembers(members);
  }
});

test('stop() closes every socket, listener and timer', async () => {
  const before = liveHandles().length;
  const members = await Promise.all([startMember(1n), startMember(2n), startMember(3n)]);
  connectAll(members);
  for (const member of members) await waitForLinks(member, members.filter((other) => other !== member));
  members[0]!.transport.addPeer(4n, [await unusedPeerUrl()]); // A peer that is never up: its redial timer must go too.
  assert.ok(liveHandles().length > before);
  await stopMembers(members);
  assert.deepEqual(liveHandles().slice(before), []);
  assert.equal(liveHandles().length, before);
});
