// Saved remote connections in `<userData>/connections.json` (mode 0600, written atomically). Passwords and
// private keys are stored encrypted with the SecretCipher; without one, a secret is written only when the draft
// says the user agreed (`allowPlaintextSecrets`), and the connection is then flagged so the GUI keeps saying so.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ConnectionDraft, ConnectionSummary } from '../../common/contract.ts';
import { connectionsMax } from '../../common/limits.ts';
import { array, boolean, nullable, object, oneOf, text, variants } from '../../common/validate.ts';
import { readJsonFile, writeFileAtomic } from '../util/atomic-file.ts';
import { ServiceFailure } from '../services/call.ts';
import type { ConnectionSettings } from '../etcd/etcd-connection.ts';
import type { SecretCipher } from './secret-cipher.ts';

/** A secret as stored: encrypted, or in clear with the user's consent. */
export type StoredSecret = { scheme: 'safe-storage'; data: string } | { scheme: 'plaintext'; data: string };

/** A connection as stored. */
export interface StoredConnection {
  id: string;
  name: string;
  endpoints: string[];
  environment: ConnectionSummary['environment'];
  color: string | null;
  keyPrefix: string | null;
  tls: { caPem: string | null; certPem: string | null; key: StoredSecret | null; serverName: string | null; insecureSkipVerify: boolean } | null;
  username: string | null;
  password: StoredSecret | null;
  createdAt: string;
  updatedAt: string;
}

interface StoreFile {
  version: 1;
  connections: StoredConnection[];
}

const anyText = text({ max: 1024 * 1024 });
const secret = variants<StoredSecret, 'scheme'>('scheme', {
  'safe-storage': object({ scheme: oneOf(['safe-storage'] as const), data: anyText }),
  plaintext: object({ scheme: oneOf(['plaintext'] as const), data: anyText }),
});
const storeCheck = object<StoreFile>({
  version: oneOf([1] as const),
  connections: array(object<StoredConnection>({
    id: text({ min: 1, max: 128 }),
    name: anyText,
    endpoints: array(anyText, { max: 64 }),
    environment: oneOf(['local', 'development', 'testing', 'staging', 'production'] as const),
    color: nullable(anyText),
    keyPrefix: nullable(anyText),
    tls: nullable(object({ caPem: nullable(anyText), certPem: nullable(anyText), key: nullable(secret), serverName: nullable(anyText), insecureSkipVerify: boolean() })),
    username: nullable(anyText),
    password: nullable(secret),
    createdAt: anyText,
    updatedAt: anyText,
  }), { max: connectionsMax }),
});

/** The saved connections. */
export class ConnectionStore {
  private connections: StoredConnection[];
  private readonly file: string;

  /** Loads `<directory>/connections.json` (a damaged file is an error, not an empty list: it holds user data). */
  constructor(directory: string, private readonly cipher: SecretCipher) {
    this.file = path.join(directory, 'connections.json');
    const raw = readJsonFile(this.file);
    if (raw === undefined) {
      this.connections = [];
      return;
    }
    const checked = storeCheck(raw, 'connections.json');
    if (!checked.ok) throw new Error(`${this.file} is damaged: ${checked.error}`);
    this.connections = checked.value.connections;
  }

  /** Every saved connection, without secrets. */
  list(): ConnectionSummary[] {
    return this.connections.map((stored) => summarize(stored));
  }

  /** One connection, without secrets. */
  summary(id: string): ConnectionSummary {
    return summarize(this.find(id));
  }

  /** The name and environment tag of a saved connection, or undefined when there is none with that id. */
  tag(id: string): Pick<StoredConnection, 'name' | 'environment'> | undefined {
    const found = this.connections.find((each) => each.id === id);
    return found && { name: found.name, environment: found.environment };
  }

  /** Saves a new connection. */
  add(draft: ConnectionDraft): ConnectionSummary {
    if (this.connections.length >= connectionsMax) throw new ServiceFailure({ code: 'invalid-argument', message: `At most ${connectionsMax} connections can be saved.` });
    const now = new Date().toISOString();
    const stored = this.build(randomUUID(), draft, undefined, now);
    this.connections.push(stored);
    this.save();
    return summarize(stored);
  }

  /** Replaces a connection's settings (secrets left undefined in the draft are kept). */
  update(id: string, draft: ConnectionDraft): ConnectionSummary {
    const previous = this.find(id);
    const stored = this.build(id, draft, previous, previous.createdAt);
    this.connections = this.connections.map((each) => (each.id === id ? stored : each));
    this.save();
    return summarize(stored);
  }

  /** Deletes a connection. */
  remove(id: string): void {
    this.find(id);
    this.connections = this.connections.filter((each) => each.id !== id);
    this.save();
  }

  /** What the etcd client needs for a saved connection, secrets decrypted. */
  settings(id: string): ConnectionSettings {
    return this.settingsOf(this.find(id));
  }

  /** What the etcd client needs for a draft (nothing saved); secrets the draft leaves undefined come from `baseId`. */
  draftSettings(draft: ConnectionDraft, baseId?: string): ConnectionSettings {
    const base = baseId === undefined ? undefined : this.find(baseId);
    const stored = this.build(baseId ?? 'draft', { ...draft, allowPlaintextSecrets: true }, base, new Date().toISOString(), false);
    return this.settingsOf(stored);
  }

  private settingsOf(stored: StoredConnection): ConnectionSettings {
    const key = stored.tls?.key ? this.reveal(stored.tls.key) : undefined;
    return {
      endpoints: stored.endpoints,
      tls: stored.tls && {
        caPem: stored.tls.caPem ?? undefined,
        certPem: stored.tls.certPem ?? undefined,
        keyPem: key,
        serverName: stored.tls.serverName ?? undefined,
        insecureSkipVerify: stored.tls.insecureSkipVerify,
      },
      username: stored.username ?? undefined,
      password: stored.password ? this.reveal(stored.password) : undefined,
      keyPrefix: stored.keyPrefix ?? undefined,
    };
  }

  private build(id: string, draft: ConnectionDraft, previous: StoredConnection | undefined, createdAt: string, encrypt = true): StoredConnection {
    const consent = draft.allowPlaintextSecrets === true;
    const keep = (next: string | null | undefined, old: StoredSecret | null | undefined): StoredSecret | null => {
      if (next === undefined) return old ?? null;
      if (next === null) return null;
      return encrypt ? this.protect(next, consent) : { scheme: 'plaintext', data: next };
    };
    const tls = draft.tls
      ? {
          caPem: draft.tls.caPem ?? null,
          certPem: draft.tls.certPem ?? null,
          key: keep(draft.tls.keyPem, previous?.tls?.key),
          serverName: draft.tls.serverName ?? null,
          insecureSkipVerify: draft.tls.insecureSkipVerify ?? false,
        }
      : null;
    return {
      id,
      name: draft.name,
      endpoints: [...draft.endpoints],
      environment: draft.environment,
      color: draft.color ?? null,
      keyPrefix: draft.keyPrefix ? draft.keyPrefix : null,
      tls,
      username: draft.username ?? null,
      password: draft.username ? keep(draft.password, previous?.password) : null,
      createdAt,
      updatedAt: new Date().toISOString(),
    };
  }

  private protect(plain: string, consent: boolean): StoredSecret {
    if (this.cipher.available) return { scheme: 'safe-storage', data: this.cipher.encrypt(plain) };
    if (!consent) {
      throw new ServiceFailure({
        code: 'secret-storage-unavailable',
        message: `${this.cipher.unavailableReason} Confirm that the secret may be stored unencrypted, or leave it empty.`,
      });
    }
    return { scheme: 'plaintext', data: plain };
  }

  private reveal(secretValue: StoredSecret): string {
    if (secretValue.scheme === 'plaintext') return secretValue.data;
    if (!this.cipher.available) {
      throw new ServiceFailure({ code: 'secret-storage-unavailable', message: 'This connection\'s secrets were encrypted with the system keychain, which is not available now (browser mode or no keyring). Open Cairn as a desktop app, or enter the password again.' });
    }
    return this.cipher.decrypt(secretValue.data);
  }

  private find(id: string): StoredConnection {
    const found = this.connections.find((each) => each.id === id);
    if (!found) throw new ServiceFailure({ code: 'not-found', message: `There is no saved connection with id ${id}.` });
    return found;
  }

  private save(): void {
    const content: StoreFile = { version: 1, connections: this.connections };
    writeFileAtomic(this.file, `${JSON.stringify(content, null, 2)}\n`);
  }
}

function summarize(stored: StoredConnection): ConnectionSummary {
  const plaintext = stored.password?.scheme === 'plaintext' || stored.tls?.key?.scheme === 'plaintext';
  return {
    id: stored.id,
    name: stored.name,
    endpoints: [...stored.endpoints],
    environment: stored.environment,
    color: stored.color,
    keyPrefix: stored.keyPrefix,
    tls: stored.tls && {
      caPem: stored.tls.caPem,
      certPem: stored.tls.certPem,
      hasKey: stored.tls.key !== null,
      serverName: stored.tls.serverName,
      insecureSkipVerify: stored.tls.insecureSkipVerify,
    },
    username: stored.username,
    hasPassword: stored.password !== null,
    isLocal: false,
    secretsInPlaintext: plaintext,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}
