// Executes one operation of the KV model (put, linearizable get, delete, compare-and-swap txn) through our gRPC
// client, and turns etcd's response into the model's output.
import type { EtcdClient } from './grpc-client.ts';
import type { KvInput, KvOutput } from './linearizability/history.ts';

function headerRevision(response: { header?: { revision?: string } | null }): number {
  const revision = Number(response.header?.revision);
  if (!Number.isSafeInteger(revision) || revision <= 0) throw new Error(`response without a valid header revision: ${JSON.stringify(response.header)}`);
  return revision;
}

/** How to send a call. */
export interface KvCallOptions {
  /**
   * Serve gets from the member's local state without a ReadIndex round (etcd's `serializable`). Such reads may be
   * stale, so a history with them is not linearizable under faults: used to prove the checker notices.
   */
  serializableReads?: boolean;
}

/** Sends `input` to the member behind `client` with a deadline; resolves with the model's view of the answer. */
export async function executeKvCall(client: EtcdClient, input: KvInput, deadlineMs: number, options: KvCallOptions = {}): Promise<KvOutput> {
  const call = { deadlineMs };
  switch (input.kind) {
    case 'put': {
      const response = await client.kv.put({ key: input.key, value: input.value }, call);
      return { kind: 'put', revision: headerRevision(response) };
    }
    case 'get': {
      // serializable: false is etcd's default: a linearizable read through the leader's ReadIndex.
      const response = await client.kv.range({ key: input.key, serializable: options.serializableReads ?? false }, call);
      const kv = response.kvs[0];
      return kv === undefined
        ? { kind: 'get', value: undefined, modRevision: 0, revision: headerRevision(response) }
        : { kind: 'get', value: kv.value.toString('utf8'), modRevision: Number(kv.mod_revision), revision: headerRevision(response) };
    }
    case 'delete': {
      const response = await client.kv.deleteRange({ key: input.key }, call);
      return { kind: 'delete', deleted: Number(response.deleted), revision: headerRevision(response) };
    }
    case 'cas': {
      const response = await client.kv.txn({
        compare: [{ key: input.key, target: 'MOD', result: 'EQUAL', mod_revision: input.expectedModRevision }],
        success: [{ request_put: { key: input.key, value: input.value } }],
        failure: [],
      }, call);
      return { kind: 'cas', succeeded: response.succeeded, revision: headerRevision(response) };
    }
  }
}
