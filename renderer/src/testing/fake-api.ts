// An in-memory CairnApi for unit tests of stores: a tiny MVCC keyspace with revisions and compare-and-swap,
// so tests prove the GUI's save, conflict and paging logic without a server. Not used by the app itself.
import type { CairnApi, KeyValue, Result } from '../../../electron/common/contract.ts';

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

/** The fake's state, which tests may change behind the GUI's back (another client writing). */
export interface FakeKeyspace {
  revision: number;
  keys: Map<string, KeyValue>;
  /** Writes a key as another client would. */
  put(key: string, value: string): KeyValue;
}

/** Creates the fake API and its keyspace. */
export function createFakeApi(): { api: CairnApi; keyspace: FakeKeyspace } {
  const keyspace: FakeKeyspace = {
    revision: 1,
    keys: new Map(),
    put(key, value) {
      keyspace.revision++;
      const old = keyspace.keys.get(key);
      const kv: KeyValue = {
        key: bytes(key), value: bytes(value), valueSize: value.length, valueTruncated: false,
        createRevision: old?.createRevision ?? keyspace.revision, modRevision: keyspace.revision, version: (old?.version ?? 0) + 1, lease: '0',
      };
      keyspace.keys.set(key, kv);
      return kv;
    },
  };
  const sortedKeys = (): string[] => [...keyspace.keys.keys()].sort();
  const keys: Partial<CairnApi['keys']> = {
    list: async (args) => {
      const prefix = text(args.prefix);
      const after = args.after ? text(args.after) : null;
      const matching = sortedKeys().filter((key) => key.startsWith(prefix) && (after === null || key > after));
      const page = matching.slice(0, args.limit ?? 500);
      const more = matching.length > page.length;
      return ok({ kvs: page.map((key) => ({ ...keyspace.keys.get(key)!, value: new Uint8Array(), valueSize: null })), revision: args.revision ?? keyspace.revision, more, next: more ? bytes(page.at(-1)!) : null, remaining: matching.length });
    },
    get: async (args) => ok({ kv: keyspace.keys.get(text(args.key)) ?? null, revision: keyspace.revision }),
    put: async (args) => {
      const key = text(args.key);
      const current = keyspace.keys.get(key) ?? null;
      if (args.expectedModRevision !== undefined && (current?.modRevision ?? 0) !== args.expectedModRevision) {
        return ok({ outcome: 'conflict', revision: keyspace.revision, current });
      }
      const kv = keyspace.put(key, text(args.value));
      return ok({ outcome: 'done', revision: kv.modRevision, deleted: 0 });
    },
  };
  const connections: Partial<CairnApi['connections']> = {
    list: () => ok({ connections: [], secretStorage: { encrypted: true, backend: 'safe-storage', warning: null } }),
    onDidChange: () => ({ dispose: () => undefined }),
    onDidChangeStatus: () => ({ dispose: () => undefined }),
  };
  return { api: { keys, connections } as unknown as CairnApi, keyspace };
}
