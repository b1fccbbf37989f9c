import { after, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSelfSignedCertificate } from '../tls/self-signed-certificate.ts';
import assert from 'node:assert/strict';
import { MessageType } from '../raft/types.ts';
import { appendMessage, connectAll, startMember, stopMembers, waitFor, waitForLinks, type TestMember } from './transport-testing.ts';

// A self-signed certificate for IP 127.0.0.1, made by the test (never a committed key), as --peer-auto-tls makes them.
const material = await ensureSelfSignedCertificate(mkdtempSync(path.join(os.tmpdir(), 'cairn-transport-tls-')), ['127.0.0.1'], 1);
const certificate = readFileSync(material.certificateFile, 'utf8');
const privateKey = readFileSync(material.keyFile, 'utf8');
after(() => rmSync(path.dirname(material.certificateFile), { recursive: true, force: true }));
const tls = { cert: certificate, key: privateKey, ca: certificate };

test('with TLS material, streams and snapshots run over https peer URLs', async () => {
  const members = await Promise.all([startMember(1n, { tls }), startMember(2n, { tls })]);
  const [a, b] = members as [TestMember, TestMember];
  try {
    assert.ok(a.url.startsWith('https://127.0.0.1:'));
    connectAll(members);
    await waitForLinks(a, [b]);
    a.transport.send([appendMessage(1n, 2n, 1), appendMessage(1n, 2n, 2)]);
    await waitFor('messages', () => b.host.messages.length === 2);
    a.host.payload = async function* () {
      yield new Uint8Array(300_000).fill(5);
    };
    a.transport.send([{ ...appendMessage(1n, 2n, 3), type: MessageType.Snap, entries: [], snapshot: { data: new Uint8Array(0), metadata: { index: 3, term: 3, confState: { voters: [1n, 2n], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } } } }]);
    await waitFor('snapshot', () => a.host.snapshotStatuses.length === 1);
    assert.deepEqual(a.host.snapshotStatuses, [{ id: 2n, ok: true }]);
  } finally {
    await stopMembers(members);
  }
});

test('a peer whose certificate the member does not trust is never streamed to', async () => {
  const a = await startMember(1n, { tls: { cert: certificate, key: privateKey } }); // No CA: trusts nothing self-signed.
  const b = await startMember(2n, { tls });
  const members = [a, b];
  try {
    connectAll(members);
    a.transport.send([appendMessage(1n, 2n, 1)]);
    await waitFor('dial failure', () => a.lines.some((line) => line.msg === 'failed to dial remote peer' && String(line.error).includes('self-signed')));
    assert.equal(a.transport.activeSince(2n), undefined);
    assert.equal(b.host.messages.length, 0);
  } finally {
    await stopMembers(members);
  }
});
