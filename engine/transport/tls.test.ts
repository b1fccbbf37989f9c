import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../raft/types.ts';
import { appendMessage, connectAll, startMember, stopMembers, waitFor, waitForLinks, type TestMember } from './transport-testing.ts';

// A self-signed certificate for IP 127.0.0.1 (valid until 2126) and its key, made for these tests only:
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -subj /CN=cairn-test-peer -addext subjectAltName=IP:127.0.0.1
const certificate = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUKgAwIBAgIUewSTc4cxlddnlpu1iVyVlRUolzQwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPY2Fpcm4tdGVzdC1wZWVyMCAXDTI2MTEyMzE2MjU1NFoYDzIx
MjYxMDMwMTYyNTU0WjAaMRgwFgYDVQQDDA9jYWlybi10ZXN0LXBlZXIwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAATR1VgGUORV8KsxEe/Se4B6hU9ejUKAEtgmzsoc
R3xMkRhgD9UL5IdsJz0pWfJh3vauyRGdhiPe4lor/5eBO751o2QwYjAdBgNVHQ4E
FgQU8KIFI11EHCAWwbg1iT4cpdzP8vUwHwYDVR0jBBgwFoAU8KIFI11EHCAWwbg1
iT4cpdzP8vUwDwYDVR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqG
SM49BAMCA0gAMEUCIQC7WPUzN712aBn9RKxC4wmWW1Tfe7VBm31n4KCDyNkbuQIg
aZlq1in1u+C8Kzw867kv54mQwiFpGkW/40PJP43griA=
-----END CERTIFICATE-----
`;
const privateKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgAe44NAKb53FZ9ZXz
JapaJRoZVTu0Q2W4Jz1b9wJHXPuhRANCAATR1VgGUORV8KsxEe/Se4B6hU9ejUKA
EtgmzsocR3xMkRhgD9UL5IdsJz0pWfJh3vauyRGdhiPe4lor/5eBO751
-----END PRIVATE KEY-----
`;
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
