// The production guard in main: every method that changes a cluster is refused on a production connection unless
// the call carries the connection's name as confirmation; reads, read-only transactions and other environments
// pass untouched. Calls go through `dispatch`, as they do from a window or a browser tab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelOf, methodTable, type CairnApi, type Result, type ServiceName } from '../../common/contract.ts';
import { isWriteMethod, writeMethods } from '../../common/contract-writes.ts';
import { ok } from '../../common/result.ts';
import { dispatch } from '../ipc/dispatch.ts';
import { guardProductionWrites } from './production-guard.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A service table whose every method records its call and succeeds. */
function recordingApi(): { api: CairnApi; calls: string[] } {
  const calls: string[] = [];
  const api: Record<string, Record<string, unknown>> = {};
  for (const service of Object.keys(methodTable) as ServiceName[]) {
    api[service] = {};
    for (const method of methodTable[service]) {
      api[service][method] = async (): Promise<Result<unknown>> => {
        calls.push(`${service}.${method}`);
        return ok('called');
      };
    }
  }
  return { api: api as unknown as CairnApi, calls };
}

const tags = { prod: { name: 'Payments (prod)', environment: 'production' as const }, dev: { name: 'Dev', environment: 'development' as const } };

function guarded() {
  const { api, calls } = recordingApi();
  const safe = guardProductionWrites(api, (id) => tags[id as keyof typeof tags]);
  return { api: { ...safe, watch: api.watch } as CairnApi, calls };
}

/** A valid argument for each write method, on connection `connectionId`. */
function writeArgs(connectionId: string): Record<string, unknown> {
  const on = { connectionId };
  return {
    'keys.put': { ...on, key: bytes('a'), value: bytes('1') },
    'keys.delete': { ...on, key: bytes('a') },
    'keys.txn': { ...on, compare: [], success: [{ type: 'delete', key: bytes('a') }], failure: [] },
    'leases.grant': { ...on, ttl: 60 },
    'leases.revoke': { ...on, id: '1' },
    'cluster.addMember': { ...on, peerUrls: ['http://10.0.0.9:2380'], isLearner: true },
    'cluster.removeMember': { ...on, id: '1' },
    'cluster.updateMember': { ...on, id: '1', peerUrls: ['http://10.0.0.9:2380'] },
    'cluster.promoteMember': { ...on, id: '1' },
    'cluster.moveLeader': { ...on, id: '1' },
    'maintenance.defragment': { ...on, endpoint: '10.0.0.1:2379' },
    'maintenance.disarm': { ...on, memberId: '1', alarm: 'nospace' },
    'maintenance.compact': { ...on, revision: 5 },
    'auth.enable': on,
    'auth.disable': on,
    'auth.addUser': { ...on, name: 'alice', password: 'pw' },
    'auth.deleteUser': { ...on, name: 'alice' },
    'auth.changePassword': { ...on, name: 'alice', password: 'pw2' },
    'auth.grantRole': { ...on, user: 'alice', role: 'r' },
    'auth.revokeRole': { ...on, user: 'alice', role: 'r' },
    'auth.addRole': { ...on, name: 'r' },
    'auth.deleteRole': { ...on, name: 'r' },
    'auth.grantPermission': { ...on, role: 'r', type: 'read', key: bytes('a') },
    'auth.revokePermission': { ...on, role: 'r', key: bytes('a') },
  };
}

async function call(api: CairnApi, name: string, args: unknown): Promise<Result<unknown>> {
  const [service, method] = name.split('.') as [ServiceName, string];
  return dispatch(api, channelOf(service, method), args);
}

test('every write to a production connection is refused without its name, and nothing reaches the service', async () => {
  const { api, calls } = guarded();
  const writes = writeArgs('prod');
  assert.deepEqual(Object.keys(writes).sort(), Object.entries(writeMethods).flatMap(([service, methods]) => methods.map((method) => `${service}.${method}`)).sort());
  for (const [name, args] of Object.entries(writes)) {
    for (const confirmation of [undefined, 'payments (prod)', 'yes']) {
      const result = await call(api, name, confirmation === undefined ? args : { ...(args as object), productionConfirmation: confirmation });
      assert.equal(!result.ok && result.error.code, 'confirmation-required', `${name} with ${String(confirmation)}`);
      assert.match(!result.ok ? result.error.message : '', /"Payments \(prod\)" is tagged production/);
    }
  }
  assert.deepEqual(calls, []);
});

test('with the connection\'s name as confirmation every write goes through', async () => {
  const { api, calls } = guarded();
  for (const [name, args] of Object.entries(writeArgs('prod'))) {
    const result = await call(api, name, { ...(args as object), productionConfirmation: 'Payments (prod)' });
    assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
  }
  assert.equal(calls.length, Object.keys(writeArgs('prod')).length);
});

test('reads, read-only transactions, other environments and unknown ids need no confirmation', async () => {
  const { api, calls } = guarded();
  const reads: Array<[string, unknown]> = [
    ['keys.get', { connectionId: 'prod', key: bytes('a') }],
    ['keys.previewDelete', { connectionId: 'prod', key: bytes('a/'), prefix: true }],
    ['keys.txn', { connectionId: 'prod', compare: [], success: [{ type: 'range', key: bytes('a') }], failure: [] }],
    ['leases.keepAliveOnce', { connectionId: 'prod', id: '1' }],
    ['maintenance.saveSnapshot', { connectionId: 'prod', operationId: 'op', destination: 'library' }],
    ['keys.put', { connectionId: 'dev', key: bytes('a'), value: bytes('1') }],
    ['keys.put', { connectionId: 'local', key: bytes('a'), value: bytes('1') }],
    ['keys.put', { connectionId: 'no-such-connection', key: bytes('a'), value: bytes('1') }],
  ];
  for (const [name, args] of reads) assert.ok((await call(api, name, args)).ok, name);
  assert.equal(calls.length, reads.length);
  for (const service of Object.keys(methodTable) as ServiceName[]) {
    for (const method of methodTable[service]) if (method.startsWith('get') || method === 'list') assert.equal(isWriteMethod(service, method), false, `${service}.${method}`);
  }
});

test('the confirmation is validated like any argument', async () => {
  const { api } = guarded();
  const tooLong = await call(api, 'keys.put', { connectionId: 'prod', key: bytes('a'), value: bytes('1'), productionConfirmation: 'x'.repeat(10_000) });
  assert.equal(!tooLong.ok && tooLong.error.code, 'invalid-argument');
  const notText = await call(api, 'keys.put', { connectionId: 'prod', key: bytes('a'), value: bytes('1'), productionConfirmation: true });
  assert.equal(!notText.ok && notText.error.code, 'invalid-argument');
});
