// Keys: paged listings pinned to one revision, one level of the key tree with counts per folder, reads with
// values cut to size, history by walking mod revisions backwards, and writes guarded by compare-and-swap.
import type { KeyDeleteArgs, KeyHistory, KeysService, KeyValue, TreeEntry, WriteOutcome } from '../../common/contract.ts';
import { pageLimitDefault, valueBytesDefault, valuePreviewBytesDefault } from '../../common/limits.ts';
import type { ConnectionRegistry } from '../connections/connection-registry.ts';
import { isServiceError } from '../etcd/etcd-error.ts';
import { KvApi, headerRevision, prefixRange, toKeyValue } from '../etcd/kv-api.ts';
import { allKeysFrom, keyAfter, prefixEnd } from '../etcd/key-range.ts';
import { settle } from './call.ts';

/** Keys a delete preview lists by name. */
const deletePreviewSampleMax = 20;

/** Keys fetched per round trip while walking one tree level (folders are skipped, not read). */
const treeBatchMax = 1_000;

/** The keys service over the open connections. */
export function createKeysService(registry: ConnectionRegistry): KeysService {
  const kv = (connectionId: string): KvApi => new KvApi(registry.get(connectionId));
  return {
    list: (args) => settle(async () => {
      const api = kv(args.connectionId);
      const keysOnly = args.keysOnly ?? true;
      const limit = args.limit ?? pageLimitDefault;
      const whole = prefixRange(args.prefix);
      const range = args.after === undefined ? whole : { key: keyAfter(args.after), rangeEnd: whole.rangeEnd };
      const response = await api.range(range, { limit, revision: args.revision ?? 0, keys_only: keysOnly });
      const kvs = response.kvs.map((item) => toKeyValue(item, api.scope, args.valuePreviewBytes ?? valuePreviewBytesDefault, keysOnly));
      const last = kvs.at(-1);
      return {
        kvs,
        revision: args.revision || headerRevision(response),
        more: response.more,
        next: response.more && last ? last.key : null,
        remaining: Number(response.count),
      };
    }),

    tree: (args) => settle(async () => {
      const api = kv(args.connectionId);
      const separator = new TextEncoder().encode(args.separator);
      const end = prefixRange(args.prefix).rangeEnd!;
      const limit = args.limit ?? pageLimitDefault;
      let revision = args.revision ?? 0;
      let cursor: Uint8Array | null = args.after ?? args.prefix;
      const entries: TreeEntry[] = [];
      while (cursor !== null && entries.length < limit) {
        const response = await api.range({ key: cursor, rangeEnd: end }, { limit: Math.min(treeBatchMax, limit - entries.length + 1), revision, keys_only: true });
        revision ||= headerRevision(response);
        if (response.kvs.length === 0) {
          cursor = null;
          break;
        }
        let jumped = false;
        for (const item of response.kvs) {
          if (entries.length >= limit) break;
          const entry = toKeyValue(item, api.scope, 0, true);
          const folderEnd = indexOf(entry.key, separator, args.prefix.length);
          if (folderEnd < 0) {
            entries.push({ kind: 'key', kv: entry });
            cursor = keyAfter(entry.key);
            continue;
          }
          // A folder: count what is inside and continue after it, without reading its keys.
          const folder = entry.key.subarray(0, folderEnd + separator.length);
          const counted = await api.range(prefixRange(folder), { count_only: true, revision });
          entries.push({ kind: 'folder', key: new Uint8Array(folder), count: Number(counted.count) });
          const after = prefixEnd(folder);
          cursor = after === allKeysFrom ? null : after;
          jumped = true;
          break;
        }
        if (!jumped && !response.more) cursor = null;
      }
      let more = false;
      if (cursor !== null) {
        const rest = await api.range({ key: cursor, rangeEnd: end }, { count_only: true, revision });
        more = Number(rest.count) > 0;
      }
      return { entries, revision, more, next: more ? cursor : null };
    }),

    count: (args) => settle(async () => {
      const response = await kv(args.connectionId).range(prefixRange(args.prefix), { count_only: true, revision: args.revision ?? 0 });
      return { count: Number(response.count), revision: args.revision || headerRevision(response) };
    }),

    get: (args) => settle(async () => {
      const api = kv(args.connectionId);
      const response = await api.range({ key: args.key }, { revision: args.revision ?? 0 });
      const found = response.kvs[0];
      return { kv: found ? toKeyValue(found, api.scope, args.valueBytesMax ?? valueBytesDefault) : null, revision: headerRevision(response) };
    }),

    history: (args) => settle(async () => history(kv(args.connectionId), args.key, args.beforeRevision, args.limit ?? 20, args.valueBytesMax ?? valueBytesDefault)),

    put: (args) => settle(async (): Promise<WriteOutcome> => {
      const api = kv(args.connectionId);
      const lease = args.lease ?? '0';
      if (args.expectedModRevision === undefined) {
        const response = await api.put(args.key, args.value, { lease, ignore_lease: args.ignoreLease ?? false });
        return { outcome: 'done', revision: headerRevision(response), deleted: 0 };
      }
      const response = await api.txn(
        [{ target: 'mod', key: args.key, result: 'equal', operand: args.expectedModRevision }],
        [{ type: 'put', key: args.key, value: args.value, lease, ignoreLease: args.ignoreLease ?? false }],
        [{ type: 'range', key: args.key }],
      );
      return outcomeOf(api, response);
    }),

    previewDelete: (args) => settle(async () => {
      const api = kv(args.connectionId);
      const range = deleteRange(args);
      const response = await api.range(range, { limit: deletePreviewSampleMax, keys_only: true });
      return { count: Number(response.count), revision: headerRevision(response), sample: response.kvs.map((item) => new Uint8Array(api.scope.strip(item.key))) };
    }),

    delete: (args) => settle(async (): Promise<WriteOutcome> => {
      const api = kv(args.connectionId);
      if (args.expectedModRevision === undefined) {
        const response = await api.deleteRange(deleteRange(args));
        return { outcome: 'done', revision: headerRevision(response), deleted: Number(response.deleted) };
      }
      const response = await api.txn(
        [{ target: 'mod', key: args.key, result: 'equal', operand: args.expectedModRevision }],
        [{ type: 'delete', key: args.key }],
        [{ type: 'range', key: args.key }],
      );
      return outcomeOf(api, response);
    }),

    txn: (args) => settle(async () => {
      const api = kv(args.connectionId);
      const response = await api.txn(args.compare, args.success, args.failure);
      return { succeeded: response.succeeded, revision: headerRevision(response), responses: api.results(response, valueBytesDefault) };
    }),
  };
}

function deleteRange(args: KeyDeleteArgs): { key: Uint8Array; rangeEnd?: Uint8Array } {
  return args.prefix ? prefixRange(args.key) : { key: args.key };
}

function outcomeOf(api: KvApi, response: Awaited<ReturnType<KvApi['txn']>>): WriteOutcome {
  const revision = headerRevision(response);
  if (response.succeeded) {
    const deleted = response.responses[0]?.response_delete_range?.deleted;
    return { outcome: 'done', revision, deleted: Number(deleted ?? 0) };
  }
  const current = response.responses[0]?.response_range?.kvs[0];
  return { outcome: 'conflict', revision, current: current ? toKeyValue(current, api.scope, valueBytesDefault) : null };
}

async function history(api: KvApi, key: Uint8Array, beforeRevision: number | undefined, limit: number, valueBytesMax: number): Promise<KeyHistory> {
  const versions: KeyValue[] = [];
  let revision = beforeRevision === undefined ? 0 : beforeRevision - 1;
  let compactRevision: number | null = null;
  let createdAt: number | null = null;
  while (versions.length < limit && (beforeRevision === undefined || revision > 0)) {
    let found: KeyValue | undefined;
    try {
      const response = await api.range({ key }, { revision });
      found = response.kvs[0] && toKeyValue(response.kvs[0], api.scope, valueBytesMax);
    } catch (error) {
      if (!isServiceError(error) || !/compacted/.test(error.details)) throw error;
      compactRevision = revision;
      break;
    }
    if (!found) break;
    versions.push(found);
    if (found.version === 1) {
      createdAt = found.createRevision;
      break;
    }
    revision = found.modRevision - 1;
    if (revision <= 0) break;
  }
  const last = versions.at(-1);
  const more = versions.length === limit && last !== undefined && last.version > 1;
  return { versions, more, compactRevision, createdAt };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let index = from; index + needle.length <= haystack.length; index += 1) {
    for (let offset = 0; offset < needle.length; offset += 1) if (haystack[index + offset] !== needle[offset]) continue outer;
    return index;
  }
  return -1;
}
