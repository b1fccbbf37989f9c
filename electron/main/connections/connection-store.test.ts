// Saved connections: secrets are encrypted when a cipher exists, refused without one unless the user agreed,
// never returned in summaries, kept or cleared on update as the draft says, and the file is private.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionDraft } from '../../common/contract.ts';
import { ServiceFailure } from '../services/call.ts';
import { ConnectionStore } from './connection-store.ts';
import { noCipher, safeStorageCipher, secretStorageStatus, type SafeStorageLike, type SecretCipher } from './secret-cipher.ts';

/** A stand-in for safeStorage: reversible, and visibly not the plain text. */
const fakeCipher: SecretCipher = {
  available: true,
  unavailableReason: '',
  encrypt: (plain) => Buffer.from(plain).reverse().toString('base64'),
  decrypt: (cipherText) => Buffer.from(cipherText, 'base64').reverse().toString(),
};

const draft: ConnectionDraft = {
  name: 'production', endpoints: ['https://etcd-1.example:2379'], environment: 'production', username: 'admin', password: 'hunter2',
  tls: { caPem: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----', keyPem: 'PRIVATE-KEY-MATERIAL' },
};

function withDirectory(run: (directory: string) => void): void {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-store-'));
  try {
    run(directory);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

test('secrets are encrypted on disk, absent from summaries, and decrypted for the client', () => withDirectory((directory) => {
  const store = new ConnectionStore(directory, fakeCipher);
  const summary = store.add(draft);
  assert.equal(summary.hasPassword, true);
  assert.equal(summary.tls?.hasKey, true);
  assert.equal(summary.secretsInPlaintext, false);
  assert.doesNotMatch(JSON.stringify(summary), /hunter2|PRIVATE-KEY-MATERIAL/);
  const file = path.join(directory, 'connections.json');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /hunter2|PRIVATE-KEY-MATERIAL/);
  if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  const reopened = new ConnectionStore(directory, fakeCipher);
  assert.equal(reopened.settings(summary.id).password, 'hunter2');
  assert.equal(reopened.settings(summary.id).tls?.keyPem, 'PRIVATE-KEY-MATERIAL');
}));

test('an update keeps secrets it leaves undefined and removes those it sets to null', () => withDirectory((directory) => {
  const store = new ConnectionStore(directory, fakeCipher);
  const { id } = store.add(draft);
  store.update(id, { ...draft, name: 'renamed', password: undefined, tls: { ...draft.tls, keyPem: undefined } });
  assert.equal(store.settings(id).password, 'hunter2');
  assert.equal(store.settings(id).tls?.keyPem, 'PRIVATE-KEY-MATERIAL');
  store.update(id, { ...draft, password: null, tls: { ...draft.tls, keyPem: null } });
  assert.equal(store.settings(id).password, undefined);
  assert.equal(store.summary(id).tls?.hasKey, false);
  assert.equal(store.draftSettings({ ...draft, password: undefined }, id).password, undefined);
}));

test('without a cipher, a secret is refused unless the user agreed to keep it in clear, and then it is flagged', () => withDirectory((directory) => {
  const store = new ConnectionStore(directory, noCipher('no keychain here.'));
  assert.throws(() => store.add(draft), (error: unknown) => error instanceof ServiceFailure && error.error.code === 'secret-storage-unavailable');
  const summary = store.add({ ...draft, allowPlaintextSecrets: true });
  assert.equal(summary.secretsInPlaintext, true);
  assert.equal(store.settings(summary.id).password, 'hunter2');
  const withoutSecrets = store.add({ name: 'dev', endpoints: ['127.0.0.1:2379'], environment: 'development' });
  assert.equal(withoutSecrets.secretsInPlaintext, false);
}));

test('a damaged store file is reported, not replaced by an empty list', () => withDirectory((directory) => {
  writeFileSync(path.join(directory, 'connections.json'), '{"version":1,"connections":[{"id":1}]}');
  assert.throws(() => new ConnectionStore(directory, fakeCipher), /connections\.json is damaged/);
}));

test('safeStorage encrypts when the OS keychain is there; its plain-text fallback counts as no encryption, and the GUI is told', () => {
  const fakeSafeStorage = (available: boolean, backend?: string): SafeStorageLike => ({
    isEncryptionAvailable: () => available,
    encryptString: (plain) => Buffer.from(`sealed:${plain}`),
    decryptString: (sealed) => sealed.toString().replace(/^sealed:/, ''),
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
  });
  const keychain = safeStorageCipher(fakeSafeStorage(true, 'gnome_libsecret'));
  assert.equal(keychain.available, true);
  assert.equal(keychain.decrypt(keychain.encrypt('hunter2')), 'hunter2');
  assert.doesNotMatch(keychain.encrypt('hunter2'), /hunter2/);
  assert.deepEqual(secretStorageStatus(keychain), { encrypted: true, backend: 'safe-storage', warning: null });
  // Electron on Linux without a keyring "encrypts" with a hard-coded key (basic_text): that is not protection.
  for (const cipher of [safeStorageCipher(fakeSafeStorage(true, 'basic_text')), safeStorageCipher(fakeSafeStorage(false))]) {
    assert.equal(cipher.available, false);
    const status = secretStorageStatus(cipher);
    assert.equal(status.encrypted, false);
    assert.match(status.warning ?? '', /stores it unencrypted/);
  }
});
