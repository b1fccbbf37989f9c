// An in-memory CairnApi for store and component tests: a tiny MVCC keyspace with revisions, history and
// compare-and-swap, a watch whose events a test pushes, a cluster whose members and leader a test sets, and
// main's production rule (a write to a production connection without `productionConfirmation` equal to its name
// is refused), so tests prove what the GUI sends without a server. Every call is recorded in `calls`.
// Not used by the app itself.
import type {
  CairnApi, CairnError, ClusterOverview, ConnectionSummary, ConnectionTestReport, KeyValue, LeaseInfo, LocalClusterState, LocalTlsState, MemberInfo,
  OnConnection, OperationProgress, Result, ScheduleArgs, SnapshotImportArgs, SnapshotInfo, SnapshotScheduleState, TreeEntry, WatchBatch, WatchStateChange,
} from '../../../electron/common/contract.ts';
import { changesCluster } from '../../../electron/common/contract-writes.ts';

type Listener<T> = (value: T) => void;
type Handler = (args: never) => Promise<Result<unknown>>;

const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });
const failed = (error: CairnError): Promise<Result<never>> => Promise.resolve({ ok: false, error });
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value);

/** The fake's keyspace, which tests may change behind the GUI's back (another client writing). */
export interface FakeKeyspace {
  revision: number;
  keys: Map<string, KeyValue>;
  /** Every version ever written, per key, oldest first. */
  versions: Map<string, KeyValue[]>;
  /** Writes a key as another client would (text or raw bytes). */
  put(key: string, value: string | Uint8Array, lease?: string): KeyValue;
  /** Deletes a key as another client would; true when it existed. */
  remove(key: string): boolean;
}

/** One call the GUI made. */
export interface FakeCall {
  service: string;
  method: string;
  args: unknown;
}

/** The fake API and the state tests read and change. */
export interface Fake {
  api: CairnApi;
  keyspace: FakeKeyspace;
  calls: FakeCall[];
  connections: ConnectionSummary[];
  cluster: ClusterOverview;
  leases: LeaseInfo[];
  local: LocalClusterState;
  /** The local cluster's TLS; `localCluster.setTls` reports two steps as progress and flips it. */
  localTls: LocalTlsState;
  /** What `connections.test` answers. */
  testReport: ConnectionTestReport;
  /** The snapshot library `maintenance.listSnapshots` lists; `importSnapshot` adds to it once a file's last chunk arrives. */
  snapshots: SnapshotInfo[];
  /** Every connection's schedule as main runs it; `maintenance.setSchedule` changes it. */
  schedules: SnapshotScheduleState[];
  /** Pushes a schedule change, as main does when a run starts or ends. */
  emitSchedule(state: SnapshotScheduleState): void;
  /** Makes `service.method` answer this error until cleared (`undefined`). */
  fail(service: string, method: string, error: CairnError | undefined): void;
  /** Pushes a batch of watch events, as main does. */
  emitWatch(batch: WatchBatch): void;
  emitWatchState(change: WatchStateChange): void;
  /** Pushes a progress event, as main does during long operations. */
  emitProgress(progress: OperationProgress): void;
  /** The recorded calls of one method. */
  callsOf(service: string, method: string): unknown[];
}

/** A connection summary with sensible defaults. */
export function fakeConnection(overrides: Partial<ConnectionSummary> & Pick<ConnectionSummary, 'id' | 'name'>): ConnectionSummary {
  return {
    endpoints: ['127.0.0.1:2379'], environment: 'development', color: null, keyPrefix: null, tls: null, username: null, hasPassword: false,
    isLocal: false, secretsInPlaintext: false, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...overrides,
  };
}

/** A member with a reachable status. */
export function fakeMember(id: string, name: string, leaderId: string, isLearner = false): MemberInfo {
  const clientUrl = `http://127.0.0.1:${2379 + Number(id) * 10}`;
  return {
    id, name, peerUrls: [`http://127.0.0.1:${2380 + Number(id) * 10}`], clientUrls: name ? [clientUrl] : [], isLearner,
    status: name ? {
      endpoint: clientUrl, reachable: true, memberId: id, leaderId, isLeader: id === leaderId, isLearner, raftTerm: 3, raftIndex: 42,
      raftAppliedIndex: 42, revision: 1, dbSize: 20480, dbSizeInUse: 16384, version: '3.5.0', errors: [], latencyMs: 2,
    } : null,
  };
}

/** Creates the fake API with an empty keyspace, the local connection and a three-member cluster led by member 1. */
export function createFakeApi(): Fake {
  const keyspace = createKeyspace();
  const calls: FakeCall[] = [];
  const failures = new Map<string, CairnError>();
  const listeners = {
    watch: new Set<Listener<WatchBatch>>(), watchState: new Set<Listener<WatchStateChange>>(), progress: new Set<Listener<OperationProgress>>(),
    schedule: new Set<Listener<SnapshotScheduleState>>(),
  };
  const fake: Fake = {
    api: undefined as unknown as CairnApi,
    keyspace,
    calls,
    connections: [fakeConnection({ id: 'local', name: 'Local cluster', environment: 'local', isLocal: true })],
    cluster: { clusterId: '99', leaderId: '1', members: ['1', '2', '3'].map((id) => fakeMember(id, `member-${id}`, '1')), endpoints: [], revision: null },
    leases: [],
    local: { phase: 'running', size: 3, dataDir: '/tmp/fake', members: [], error: null, tls: false },
    localTls: { enabled: false, directory: '/tmp/fake/local-tls', files: [], expiresAt: null, generatedAt: null, clientCommonName: 'root', hosts: ['127.0.0.1', 'localhost'] },
    testReport: { ok: true, endpoint: '127.0.0.1:2379', latencyMs: 3, version: '3.5.0', clusterId: '99', memberId: '1', leaderId: '1', memberCount: 3, authEnabled: false },
    snapshots: [],
    schedules: [],
    emitSchedule: (state) => {
      fake.schedules = [...fake.schedules.filter((each) => each.connectionId !== state.connectionId), state];
      listeners.schedule.forEach((listener) => listener(state));
    },
    fail: (service, method, error) => (error ? failures.set(`${service}.${method}`, error) : failures.delete(`${service}.${method}`)),
    emitWatch: (batch) => listeners.watch.forEach((listener) => listener(batch)),
    emitWatchState: (change) => listeners.watchState.forEach((listener) => listener(change)),
    emitProgress: (progress) => listeners.progress.forEach((listener) => listener(progress)),
    callsOf: (service, method) => calls.filter((call) => call.service === service && call.method === method).map((call) => call.args),
  };
  const services: Record<string, Record<string, unknown>> = {
    keys: keyServices(keyspace),
    watch: {
      start: () => ok({ watchId: 'watch-1' }),
      stop: () => ok(null),
      onDidReceive: (listener: Listener<WatchBatch>) => subscribe(listeners.watch, listener),
      onDidChangeState: (listener: Listener<WatchStateChange>) => subscribe(listeners.watchState, listener),
    },
    connections: {
      list: () => ok({ connections: fake.connections, secretStorage: { encrypted: true, backend: 'safe-storage', warning: null } }),
      test: () => ok(fake.testReport),
      add: (args: { draft: { name: string } }) => {
        const saved = fakeConnection({ id: `c${fake.connections.length}`, name: args.draft.name });
        fake.connections = [...fake.connections, saved];
        return ok(saved);
      },
    },
    cluster: clusterServices(fake),
    leases: {
      list: () => ok({ leases: fake.leases }),
      grant: (args: { ttl: number }) => {
        const lease = { id: String(7000 + fake.leases.length), ttl: args.ttl, grantedTtl: args.ttl, keyCount: 0 };
        fake.leases = [...fake.leases, lease];
        return ok({ id: lease.id, ttl: args.ttl });
      },
      revoke: (args: { id: string }) => {
        fake.leases = fake.leases.filter((lease) => lease.id !== args.id);
        return ok(null);
      },
    },
    maintenance: {
      alarms: () => ok([]),
      defragment: () => ok(null),
      compact: (args: { revision: number }) => ok({ revision: args.revision }),
      disarm: () => ok([]),
      ...snapshotServices(fake, listeners.schedule),
      onDidProgress: (listener: Listener<OperationProgress>) => subscribe(listeners.progress, listener),
    },
    localCluster: {
      state: () => ok(fake.local),
      restoreSnapshot: (args: { snapshotId?: string; operationId: string }) => {
        if (!fake.snapshots.some((snapshot) => snapshot.id === args.snapshotId)) return failed({ code: 'not-found', message: 'That snapshot is not in the library.' });
        fake.emitProgress({ operationId: args.operationId, kind: 'restore', phase: 'running', step: 'Starting the members on the restored data', bytesDone: 0, bytesTotal: null });
        return ok(fake.local);
      },
      tls: () => ok(fake.localTls),
      setTls: (args: { enabled: boolean; operationId: string }) => {
        const step = (text: string, phase: OperationProgress['phase'] = 'running') =>
          fake.emitProgress({ operationId: args.operationId, kind: 'tls', phase, step: text, bytesDone: 0, bytesTotal: null });
        step('Making a certificate authority and the server, peer and client certificates');
        step('Restarting member-1 with an https client URL');
        step('Every member serves https', 'done');
        const directory = fake.localTls.directory;
        const files = (['ca', 'server', 'peer', 'client'] as const).flatMap((role) => [
          { role, kind: 'certificate' as const, path: `${directory}/${role}.pem`, description: role },
          { role, kind: 'private-key' as const, path: `${directory}/${role}-key.pem`, description: 'key' },
        ]);
        fake.localTls = { ...fake.localTls, enabled: args.enabled, files, expiresAt: '2028-01-01T00:00:00Z', generatedAt: '2026-01-01T00:00:00Z' };
        fake.local = { ...fake.local, tls: args.enabled };
        return ok(fake.localTls);
      },
    },
  };
  fake.api = new Proxy({} as CairnApi, {
    get: (_target, service: string) => new Proxy({}, {
      get: (_inner, method: string) => (args: unknown) => {
        if (method.startsWith('onDid')) {
          const event = services[service]?.[method] as ((listener: unknown) => unknown) | undefined;
          return event ? event(args) : { dispose: () => undefined };
        }
        calls.push({ service, method, args });
        const failure = failures.get(`${service}.${method}`) ?? productionRefusal(fake, service, method, args);
        if (failure) return failed(failure);
        const handler = services[service]?.[method] as Handler | undefined;
        if (!handler) return service === 'auth' ? ok(null) : failed({ code: 'not-supported', message: `The fake API has no ${service}.${method}.` });
        return handler(args as never);
      },
    }),
  });
  return fake;
}

/** What main answers a cluster-changing call on a production connection without the typed name. */
function productionRefusal(fake: Fake, service: string, method: string, args: unknown): CairnError | undefined {
  const call = args as Partial<OnConnection> | undefined;
  const connection = fake.connections.find((candidate) => candidate.id === call?.connectionId);
  if (connection?.environment !== 'production' || !changesCluster(service, method, args)) return undefined;
  if (call?.productionConfirmation === connection.name) return undefined;
  return { code: 'confirmation-required', message: `Writes to the production connection “${connection.name}” must be confirmed by typing its name.` };
}

function subscribe<T>(set: Set<Listener<T>>, listener: Listener<T>): { dispose(): void } {
  set.add(listener);
  return { dispose: () => set.delete(listener) };
}

function createKeyspace(): FakeKeyspace {
  const keyspace: FakeKeyspace = {
    revision: 1,
    keys: new Map(),
    versions: new Map(),
    put(key, value, lease = '0') {
      keyspace.revision++;
      const old = keyspace.keys.get(key);
      const bytes = typeof value === 'string' ? utf8(value) : value;
      const kv: KeyValue = {
        key: utf8(key), value: bytes, valueSize: bytes.length, valueTruncated: false,
        createRevision: old?.createRevision ?? keyspace.revision, modRevision: keyspace.revision, version: (old?.version ?? 0) + 1, lease,
      };
      keyspace.keys.set(key, kv);
      keyspace.versions.set(key, [...(keyspace.versions.get(key) ?? []), kv]);
      return kv;
    },
    remove(key) {
      if (!keyspace.keys.delete(key)) return false;
      keyspace.revision++;
      return true;
    },
  };
  return keyspace;
}

function keyServices(keyspace: FakeKeyspace): Record<string, unknown> {
  const sortedUnder = (prefix: string, after: string | null): string[] =>
    [...keyspace.keys.keys()].filter((key) => key.startsWith(prefix) && (after === null || key > after)).sort();
  const keysOnly = (kv: KeyValue): KeyValue => ({ ...kv, value: new Uint8Array(), valueSize: null });
  return {
    list: (args: { prefix: Uint8Array; after?: Uint8Array; limit?: number; revision?: number }) => {
      const matching = sortedUnder(text(args.prefix), args.after ? text(args.after) : null);
      const page = matching.slice(0, args.limit ?? 500);
      const more = matching.length > page.length;
      return ok({ kvs: page.map((key) => keysOnly(keyspace.keys.get(key)!)), revision: args.revision ?? keyspace.revision, more, next: more ? utf8(page.at(-1)!) : null, remaining: matching.length });
    },
    tree: (args: { prefix: Uint8Array; separator: string; limit?: number; revision?: number }) => {
      const prefix = text(args.prefix);
      const entries = new Map<string, TreeEntry>();
      for (const key of sortedUnder(prefix, null)) {
        const cut = key.indexOf(args.separator, prefix.length);
        if (cut < 0) entries.set(key, { kind: 'key', kv: keysOnly(keyspace.keys.get(key)!) });
        else {
          const folder = key.slice(0, cut + args.separator.length);
          const existing = entries.get(folder);
          entries.set(folder, { kind: 'folder', key: utf8(folder), count: existing?.kind === 'folder' ? existing.count + 1 : 1 });
        }
      }
      const all = [...entries.values()];
      const page = all.slice(0, args.limit ?? 500);
      return ok({ entries: page, revision: args.revision ?? keyspace.revision, more: all.length > page.length, next: null });
    },
    count: (args: { prefix: Uint8Array }) => ok({ count: sortedUnder(text(args.prefix), null).length, revision: keyspace.revision }),
    get: (args: { key: Uint8Array; valueBytesMax?: number }) => {
      const kv = keyspace.keys.get(text(args.key)) ?? null;
      const limit = args.valueBytesMax ?? 1024 * 1024;
      if (!kv || kv.value.length <= limit) return ok({ kv, revision: keyspace.revision });
      return ok({ kv: { ...kv, value: kv.value.slice(0, limit), valueTruncated: true }, revision: keyspace.revision });
    },
    history: (args: { key: Uint8Array }) =>
      ok({ versions: [...(keyspace.versions.get(text(args.key)) ?? [])].reverse(), more: false, compactRevision: null, createdAt: null }),
    put: (args: { key: Uint8Array; value: Uint8Array; lease?: string; expectedModRevision?: number }) => {
      const key = text(args.key);
      const current = keyspace.keys.get(key) ?? null;
      if (args.expectedModRevision !== undefined && (current?.modRevision ?? 0) !== args.expectedModRevision) {
        return ok({ outcome: 'conflict', revision: keyspace.revision, current });
      }
      const kv = keyspace.put(key, args.value, args.lease ?? '0');
      return ok({ outcome: 'done', revision: kv.modRevision, deleted: 0 });
    },
    previewDelete: (args: { key: Uint8Array }) => {
      const matching = sortedUnder(text(args.key), null);
      return ok({ count: matching.length, revision: keyspace.revision, sample: matching.slice(0, 10).map(utf8) });
    },
    delete: (args: { key: Uint8Array; prefix?: boolean; expectedModRevision?: number }) => {
      const key = text(args.key);
      const current = keyspace.keys.get(key) ?? null;
      if (args.expectedModRevision !== undefined && current?.modRevision !== args.expectedModRevision) {
        return ok({ outcome: 'conflict', revision: keyspace.revision, current });
      }
      const doomed = args.prefix ? sortedUnder(key, null) : current ? [key] : [];
      doomed.forEach((name) => keyspace.remove(name));
      return ok({ outcome: 'done', revision: keyspace.revision, deleted: doomed.length });
    },
    txn: (args: { success: { type: string; key: Uint8Array; value?: Uint8Array }[] }) => {
      for (const op of args.success) if (op.type === 'put') keyspace.put(text(op.key), op.value!);
      return ok({ succeeded: true, revision: keyspace.revision, responses: [] });
    },
  };
}

/**
 * The snapshot library and schedules: imports collect their chunks in order (as main does) and add a library entry
 * at the store's current revision once the last one arrives; schedules answer like main's runner.
 */
function snapshotServices(fake: Fake, scheduleListeners: Set<Listener<SnapshotScheduleState>>): Record<string, unknown> {
  const imports = new Map<string, number>();
  return {
    listSnapshots: () => ok(fake.snapshots),
    importSnapshot: (args: SnapshotImportArgs) => {
      const received = imports.get(args.operationId) ?? 0;
      if (args.offset !== received) {
        imports.delete(args.operationId);
        return failed({ code: 'invalid-argument', message: 'The parts of the file arrived out of order. Nothing was imported; pick the file again.' });
      }
      imports.set(args.operationId, received + args.chunk.length);
      if (received + args.chunk.length < args.sizeBytes) return ok(null);
      imports.delete(args.operationId);
      const info: SnapshotInfo = {
        id: `imported-${fake.snapshots.length + 1}`, fileName: args.fileName, path: `/tmp/fake/snapshots/imported-${fake.snapshots.length + 1}.db`, sizeBytes: args.sizeBytes,
        revision: fake.keyspace.revision, sha256: 'f'.repeat(64), takenAt: '2026-11-23T10:00:00.000Z', importedAt: '2026-11-23T10:00:00.000Z',
        connectionName: 'Imported file', inLibrary: true,
      };
      fake.snapshots = [info, ...fake.snapshots];
      return ok(info);
    },
    schedules: () => ok(fake.schedules),
    setSchedule: (args: ScheduleArgs) => {
      const previous = fake.schedules.find((each) => each.connectionId === args.connectionId);
      fake.schedules = fake.schedules.filter((each) => each.connectionId !== args.connectionId);
      if (!args.schedule) return ok(null);
      const state: SnapshotScheduleState = {
        connectionId: args.connectionId, schedule: args.schedule, running: false, lastRun: previous?.lastRun ?? null, snapshotIds: previous?.snapshotIds ?? [],
        nextRunAt: args.schedule.enabled ? new Date(Date.now() + args.schedule.intervalMinutes * 60_000).toISOString() : null,
      };
      fake.schedules = [...fake.schedules, state];
      return ok(state);
    },
    onDidChangeSchedule: (listener: Listener<SnapshotScheduleState>) => subscribe(scheduleListeners, listener),
  };
}

function clusterServices(fake: Fake): Record<string, unknown> {
  const summaries = () => fake.cluster.members.map(({ status: _status, ...member }) => member);
  const change = (id: string) => ok({ member: summaries().find((member) => member.id === id) ?? null, members: summaries() });
  const setMembers = (members: MemberInfo[], leaderId = fake.cluster.leaderId) => {
    fake.cluster = { ...fake.cluster, leaderId, members: members.map((member) => (member.name ? fakeMember(member.id, member.name, leaderId ?? '', member.isLearner) : member)) };
  };
  return {
    // The store revision of the keyspace, unless a test sets one (as a restore would move it back).
    overview: () => ok({ ...fake.cluster, revision: fake.cluster.revision ?? fake.keyspace.revision }),
    // Each member's status at its client URL, as main probes the connection's endpoints.
    status: () => ok(fake.cluster.members.flatMap((member) => (member.status ? [member.status] : []))),
    addMember: (args: { peerUrls: string[]; isLearner: boolean }) => {
      const id = String(10 + fake.cluster.members.length);
      setMembers([...fake.cluster.members, { id, name: '', peerUrls: args.peerUrls, clientUrls: [], isLearner: args.isLearner, status: null }]);
      return change(id);
    },
    promoteMember: (args: { id: string }) => {
      setMembers(fake.cluster.members.map((member) => (member.id === args.id ? { ...member, isLearner: false } : member)));
      return change(args.id);
    },
    removeMember: (args: { id: string }) => {
      setMembers(fake.cluster.members.filter((member) => member.id !== args.id));
      return ok({ member: null, members: summaries() });
    },
    moveLeader: (args: { id: string }) => {
      setMembers(fake.cluster.members, args.id);
      return ok(null);
    },
  };
}
