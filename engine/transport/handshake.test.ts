import { test } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { handshakeHeaders, judgeHandshake, type HandshakeJudge } from './handshake.ts';
import { appendMessage, startMember, stopMembers, waitFor, type TestMember } from './transport-testing.ts';

const judge: HandshakeJudge = { memberId: 2n, clusterId: 0xabcn, isPeer: (id) => id === 1n, isRemoved: (id) => id === 7n };

test('the judge accepts a known peer of the same cluster addressing this member', () => {
  const verdict = judgeHandshake(handshakeHeaders({ clusterId: 0xabcn, from: 1n, to: 2n }, '3.5.17'), judge);
  assert.deepEqual(verdict, { accepted: true, from: 1n });
});

test('the judge refuses with etcd\'s reasons and statuses', () => {
  const cases: [Record<string, string>, number, string, string][] = [
    [handshakeHeaders({ clusterId: 0xdefn, from: 1n, to: 2n }, 'x'), 412, 'cluster ID mismatch', 'request cluster ID mismatch'],
    [handshakeHeaders({ clusterId: 0xabcn, from: 7n, to: 2n }, 'x'), 410, 'removed member', 'rejected stream from remote peer because it was removed'],
    [handshakeHeaders({ clusterId: 0xabcn, from: 1n, to: 3n }, 'x'), 412, 'to field mismatch', 'ignored streaming request; ID mismatch'],
    [handshakeHeaders({ clusterId: 0xabcn, from: 5n, to: 2n }, 'x'), 404, 'error sender not found', 'failed to find remote peer in cluster'],
    [{ ...handshakeHeaders({ clusterId: 0xabcn, from: 1n, to: 2n }, 'x'), 'x-cairn-peer-protocol': '2' }, 412, 'unsupported peer protocol version', 'rejected peer connection with an unsupported protocol version'],
    [{ ...handshakeHeaders({ clusterId: 0xabcn, from: 1n, to: 2n }, 'x'), 'x-cairn-from': 'zz' }, 400, 'invalid handshake headers', 'rejected peer connection with invalid handshake headers'],
  ];
  for (const [headers, status, reason, logMessage] of cases) {
    const verdict = judgeHandshake(headers, judge);
    assert.equal(verdict.accepted, false);
    if (verdict.accepted) continue;
    assert.deepEqual([verdict.status, verdict.reason, verdict.logMessage], [status, reason, logMessage]);
  }
});

/** Starts two members where `a` knows `b`; `b` is set up by `prepare` first. */
async function pair(options: { clusterB?: bigint; prepareB?: (b: TestMember, a: TestMember) => void; aTargetsId?: bigint } = {}): Promise<[TestMember, TestMember]> {
  const a = await startMember(1n);
  const b = await startMember(2n, { clusterId: options.clusterB });
  options.prepareB?.(b, a);
  a.transport.addPeer(options.aTargetsId ?? 2n, [b.url]);
  return [a, b];
}

test('a sender of another cluster is refused and logged as "request cluster ID mismatch"', async () => {
  const members = await pair({ clusterB: 0xdeadn, prepareB: (b, a) => b.transport.addPeer(1n, [a.url]) });
  const [a, b] = members;
  try {
    await waitFor('refusal', () => b.lines.some((line) => line.msg === 'request cluster ID mismatch'));
    const refusal = b.lines.find((line) => line.msg === 'request cluster ID mismatch')!;
    assert.equal(refusal['local-member-cluster-id'], 'dead');
    assert.equal(refusal['remote-peer-cluster-id'], 'c1');
    await waitFor('sender log', () => a.lines.some((line) => line.msg === 'peer refused the stream' && line.status === 412 && line.reason === 'cluster ID mismatch'));
    assert.equal(a.transport.activeSince(2n), undefined);
    a.transport.send([appendMessage(1n, 2n, 1)]);
    await waitFor('unreachable', () => a.host.unreachableIds.includes(2n));
    assert.equal(b.host.messages.length, 0);
  } finally {
    await stopMembers(members);
  }
});

test('a removed member is refused (410) and learns it was removed; its snapshots are refused too', async () => {
  const members = await pair({
    prepareB: (b, a) => {
      b.transport.addPeer(1n, [a.url]);
      b.host.removed.add(1n);
    },
  });
  const [a, b] = members;
  try {
    await waitFor('removal report', () => a.host.removedReports.includes(2n));
    assert.ok(b.lines.some((line) => line.msg === 'rejected stream from remote peer because it was removed' && line['remote-peer-id'] === '1'));
    a.host.payload = async function* () {
      yield new Uint8Array(1000);
    };
    a.transport.send([{ ...appendMessage(1n, 2n, 1), type: 7, entries: [], snapshot: { data: new Uint8Array(0), metadata: { index: 5, term: 1, confState: { voters: [1n, 2n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } } } }]);
    await waitFor('snapshot status', () => a.host.snapshotStatuses.length === 1);
    assert.deepEqual(a.host.snapshotStatuses, [{ id: 2n, ok: false }]);
    assert.equal(b.host.snapshots.length, 0);
  } finally {
    await stopMembers(members);
  }
});

test('a stream meant for another member ID, or from a sender this member does not know, is refused', async () => {
  const members = await pair({ aTargetsId: 3n, prepareB: (b, a) => b.transport.addPeer(1n, [a.url]) });
  const [a, b] = members;
  const c = await startMember(4n);
  members.push(c);
  try {
    await waitFor('to mismatch', () => b.lines.some((line) => line.msg === 'ignored streaming request; ID mismatch'));
    c.transport.addPeer(2n, [b.url]);
    await waitFor('unknown sender', () => b.lines.some((line) => line.msg === 'failed to find remote peer in cluster' && line['remote-peer-id'] === '4'));
    assert.equal(a.transport.activeSince(3n), undefined);
    assert.equal(c.transport.activeSince(2n), undefined);
  } finally {
    await stopMembers(members);
  }
});

test('a refused stream whose sender resets the connection at once does not take the member down', async () => {
  const member = await startMember(2n, { clusterId: 0xabcn });
  try {
    const { port } = new URL(member.url);
    for (let round = 0; round < 5; round++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          const headers = Object.entries(handshakeHeaders({ clusterId: 0xabcn, from: 7n, to: 2n }, '3.5.17')).map(([name, value]) => `${name}: ${value}\r\n`).join('');
          socket.write(`GET /raft/stream HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: Upgrade\r\nupgrade: cairn-raft\r\n${headers}\r\n`);
          // A removed member exits right after its refusal: its end of the connection is reset, not closed.
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 5);
        });
        socket.on('error', () => resolve());
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = await fetch(`${member.url}/version`);
    assert.equal(answer.status, 200, 'the member still serves its peer port');
  } finally {
    await stopMembers([member]);
  }
});
