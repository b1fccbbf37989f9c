// The IPC handler layer without Electron: fake events drive the same handler main registers. Every channel of
// the contract accepts a valid argument and refuses a wrong one before any service code runs; unknown channels
// and untrusted senders are refused.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  channelOf, methodChannels, methodTable, resetConfirmation, type ArgsOf, type CairnApi, type EventMessage, type MethodName, type Result, type ServiceName,
} from '../../common/contract.ts';
import { ok } from '../../common/result.ts';
import type { Session, SessionSource } from '../services/service-host.ts';
import { createInvokeHandler, registerIpc } from './ipc-handler.ts';
import type { IpcInvokeEventLike, IpcMainLike, WebContentsLike } from './electron-api.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const on = { connectionId: 'local' };
const draft = { name: 'prod', endpoints: ['https://etcd.example.com:2379'], environment: 'production' as const };

/** A valid argument for every method: the table's type makes leaving one out a compile error. */
const validArgs: { [S in ServiceName]: { [M in MethodName<S>]: ArgsOf<S, M> } } = {
  app: { info: undefined },
  connections: {
    list: undefined, add: { draft }, update: { id: 'abc', draft }, remove: { id: 'abc' }, test: { draft }, checkTls: { endpoints: ['127.0.0.1:2379'] },
  },
  keys: {
    list: { ...on, prefix: bytes('app/'), limit: 100 },
    tree: { ...on, prefix: bytes(''), separator: '/' },
    count: { ...on, prefix: bytes('app/') },
    get: { ...on, key: bytes('app/a'), revision: 5 },
    history: { ...on, key: bytes('app/a'), limit: 10 },
    put: { ...on, key: bytes('app/a'), value: bytes('1'), expectedModRevision: 0 },
    previewDelete: { ...on, key: bytes('app/'), prefix: true },
    delete: { ...on, key: bytes('app/a'), expectedModRevision: 7 },
    txn: { ...on, compare: [{ target: 'value', key: bytes('a'), result: 'equal', value: bytes('1') }], success: [{ type: 'put', key: bytes('a'), value: bytes('2') }], failure: [] },
  },
  watch: { start: { ...on, key: bytes('app/'), prefix: true, prevKv: true }, stop: { watchId: 'w-1' } },
  leases: {
    list: on, grant: { ...on, ttl: 60 }, revoke: { ...on, id: '7587869434585733121' }, keepAliveOnce: { ...on, id: '1' }, timeToLive: { ...on, id: '1', keys: true },
  },
  cluster: {
    overview: on, status: on, addMember: { ...on, peerUrls: ['http://127.0.0.1:2380'], isLearner: true }, removeMember: { ...on, id: '18446744073709551615' },
    updateMember: { ...on, id: '1', peerUrls: ['http://127.0.0.1:2380'] }, promoteMember: { ...on, id: '1' }, moveLeader: { ...on, id: '1' },
  },
  maintenance: {
    saveSnapshot: { ...on, operationId: 'op-1', destination: 'library' }, listSnapshots: undefined, deleteSnapshot: { id: 'snap-1' },
    importSnapshot: { operationId: 'op-4', fileName: 'backup.db', sizeBytes: 544, offset: 0, chunk: bytes('x') },
    defragment: { ...on, endpoint: '127.0.0.1:2379' }, alarms: on, disarm: { ...on, memberId: '1', alarm: 'nospace' }, compact: { ...on, revision: 10 },
    hashKv: { ...on, endpoint: 'http://127.0.0.1:2379' }, schedules: undefined,
    setSchedule: { connectionId: 'c-1', schedule: { enabled: true, intervalMinutes: 60, keep: 24 } },
  },
  localCluster: {
    state: undefined, start: undefined, stop: undefined, startMember: { name: 'member-1' }, stopMember: { name: 'member-1' }, restartMember: { name: 'member-2' },
    logs: { name: 'member-1', lines: 100 }, reset: { confirm: resetConfirmation, size: 1 }, restoreSnapshot: { snapshotId: 'snap-1', confirm: 'x', operationId: 'op-2' },
    tls: undefined, setTls: { enabled: true, operationId: 'op-3' }, addMember: { asLearner: true }, removeMember: { name: 'member-4' },
  },
  auth: {
    status: on, enable: on, disable: on, listUsers: on, getUser: { ...on, name: 'root' }, addUser: { ...on, name: 'alice', password: 'secret' },
    deleteUser: { ...on, name: 'alice' }, changePassword: { ...on, name: 'alice', password: 'new' }, grantRole: { ...on, user: 'alice', role: 'reader' },
    revokeRole: { ...on, user: 'alice', role: 'reader' }, listRoles: on, getRole: { ...on, name: 'reader' }, addRole: { ...on, name: 'reader' },
    deleteRole: { ...on, name: 'reader' }, grantPermission: { ...on, role: 'reader', type: 'read', key: bytes('app/'), prefix: true },
    revokePermission: { ...on, role: 'reader', key: bytes('app/') },
  },
};

/** An argument no method accepts: methods without arguments refuse any non-empty object too. */
const wrongArgs: unknown[] = [{ connectionId: 42 }, 'text', [1, 2], { unexpected: true }];

/** A fake session whose every method records its call and succeeds. */
function recordingSource(): SessionSource & { calls: Array<[string, unknown]>; opened: number; disposed: number } {
  const calls: Array<[string, unknown]> = [];
  const source = {
    calls,
    opened: 0,
    disposed: 0,
    openSession: (): Session => {
      source.opened += 1;
      const api: Record<string, Record<string, unknown>> = {};
      for (const service of Object.keys(methodTable) as ServiceName[]) {
        api[service] = {};
        for (const method of methodTable[service]) {
          api[service][method] = async (args: unknown): Promise<Result<unknown>> => {
            calls.push([`${service}.${method}`, args]);
            return ok('called');
          };
        }
        for (const event of ['onDidChange', 'onDidChangeStatus', 'onDidReceive', 'onDidChangeState', 'onDidProgress', 'onDidChangeSchedule', 'onDidAppendLog']) {
          api[service][event] = () => ({ dispose: () => undefined });
        }
      }
      return { api: api as unknown as CairnApi, dispose: () => (source.disposed += 1) };
    },
  };
  return source;
}

function fakeContents(id: number): WebContentsLike & { sent: EventMessage[]; destroy(): void } {
  let destroyedListener: (() => void) | undefined;
  let destroyed = false;
  const sent: EventMessage[] = [];
  return {
    id, sent,
    isDestroyed: () => destroyed,
    send: (_channel: string, message: unknown) => sent.push(message as EventMessage),
    once: (_event: 'destroyed', listener: () => void) => (destroyedListener = listener),
    on: () => undefined,
    setWindowOpenHandler: () => undefined,
    session: undefined as never,
    destroy: () => {
      destroyed = true;
      destroyedListener?.();
    },
  };
}

const appPage = 'app://cairn/index.html';
const event = (senderId: number, url: string | null = appPage): IpcInvokeEventLike => ({ sender: { id: senderId }, senderFrame: url === null ? null : { url } });

function setup() {
  const source = recordingSource();
  const window = fakeContents(7);
  const handler = createInvokeHandler(source, {
    windowContents: (id) => (id === window.id ? window : undefined),
    isAppUrl: (url) => url.startsWith('app://cairn/'),
  });
  return { source, window, handler };
}

describe('IPC handler', () => {
  test('every channel of the contract accepts its valid argument and reaches its service', async () => {
    const { source, handler } = setup();
    let count = 0;
    for (const service of Object.keys(methodTable) as ServiceName[]) {
      for (const method of methodTable[service]) {
        const args = (validArgs[service] as Record<string, unknown>)[method];
        const result = await handler.handle(event(7), channelOf(service, method), args);
        assert.deepEqual(result, ok('called'), `${service}.${method} refused its valid argument: ${JSON.stringify(result)}`);
        count += 1;
      }
    }
    assert.equal(count, methodChannels.length);
    assert.equal(source.calls.length, methodChannels.length);
  });

  test('every channel refuses wrong arguments before any service code runs', async () => {
    const { source, handler } = setup();
    for (const channel of methodChannels) {
      for (const args of wrongArgs) {
        const result = await handler.handle(event(7), channel, args);
        assert.equal(result.ok, false, `${channel} accepted ${JSON.stringify(args)}`);
        assert.equal(!result.ok && result.error.code, 'invalid-argument', `${channel} with ${JSON.stringify(args)}`);
      }
    }
    assert.deepEqual(source.calls, []);
  });

  test('arguments past their limits are refused with the path of the problem', async () => {
    const { handler } = setup();
    const tooMany = await handler.handle(event(7), 'cairn:keys.list', { connectionId: 'local', prefix: bytes(''), limit: 1_000_000 });
    assert.equal(!tooMany.ok && tooMany.error.message, 'Invalid argument for keys.list: args.limit must be between 1 and 10000.');
    const badId = await handler.handle(event(7), 'cairn:leases.revoke', { connectionId: 'local', id: '18446744073709551616' });
    assert.match(!badId.ok ? badId.error.message : '', /args\.id must be an unsigned 64-bit integer/);
    const extra = await handler.handle(event(7), 'cairn:keys.get', { connectionId: 'local', key: bytes('a'), sneaky: 1 });
    assert.match(!extra.ok ? extra.error.message : '', /args\.sneaky is not a known property/);
  });

  test('unknown channels are refused', async () => {
    const { source, handler } = setup();
    for (const channel of ['cairn:keys.nope', 'cairn:keys', 'cairn:keys.get.extra', 'cairn:__proto__.toString', 'cairn:keys.constructor', 'cairn:keys.hasOwnProperty', 'keys.get', 'cairn:event', '']) {
      const result = await handler.handle(event(7), channel, {});
      assert.equal(!result.ok && result.error.code, 'unknown-channel', channel);
    }
    const nonString = await handler.handle(event(7), 42 as unknown as string, {});
    assert.equal(!nonString.ok && nonString.error.code, 'unknown-channel');
    assert.deepEqual(source.calls, []);
  });

  test('calls from other web contents or from a page that is not the app are refused', async () => {
    const { source, handler } = setup();
    for (const [sender, url] of [[8, appPage], [7, 'https://evil.example/'], [7, 'file:///etc/passwd'], [7, null]] as const) {
      const result = await handler.handle(event(sender, url), 'cairn:app.info', undefined);
      assert.equal(!result.ok && result.error.code, 'forbidden', `${sender} ${url}`);
    }
    assert.deepEqual(source.calls, []);
    assert.equal(source.opened, 0);
  });

  test('each window gets one session, disposed when the window is destroyed', async () => {
    const { source, window, handler } = setup();
    await handler.handle(event(7), 'cairn:app.info', undefined);
    await handler.handle(event(7), 'cairn:localCluster.state', {});
    assert.equal(source.opened, 1);
    window.destroy();
    assert.equal(source.disposed, 1);
  });

  test('registration covers exactly the contract channels', () => {
    const registered: string[] = [];
    const removed: string[] = [];
    const ipcMain: IpcMainLike = { handle: (channel) => registered.push(channel), removeHandler: (channel) => removed.push(channel) };
    const registration = registerIpc(ipcMain, async () => ok(null));
    assert.deepEqual(registered, [...methodChannels]);
    registration.dispose();
    assert.deepEqual(removed, [...methodChannels]);
  });
});
