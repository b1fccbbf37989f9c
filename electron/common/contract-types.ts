// The data that crosses the IPC boundary: arguments and results of every service method in contract.ts.
// Bytes (keys, values) are Uint8Array: Electron's structured clone carries them as is, and the browser-mode
// socket encodes them on the wire (wire-codec.ts), so the renderer sees the same shapes in both modes.
// Revisions are JS numbers (etcd revisions stay far below 2^53); member and lease ids are uint64 and so travel
// as decimal strings.
import type { CairnError } from './result.ts';

// ---------------------------------------------------------------- app

/** Where the app runs: the Electron window, or browser mode (the same services over a local socket). */
export type AppMode = 'electron' | 'browser';

/** How secrets (passwords, private keys) are kept on disk. */
export interface SecretStorageStatus {
  /** True when secrets are encrypted with the OS keychain (Electron safeStorage). */
  encrypted: boolean;
  /** Which mechanism encrypts them, or 'none'. */
  backend: 'safe-storage' | 'none';
  /** Plain words for the user when secrets cannot be encrypted (shown before any secret is saved). */
  warning: string | null;
}

/** Facts about the running app. */
export interface AppInfo {
  name: string;
  version: string;
  mode: AppMode;
  platform: string;
  /** Folder holding connections, the local cluster's data, logs and snapshots. */
  userDataDir: string;
  secretStorage: SecretStorageStatus;
  /** True when main can show native open/save dialogs (Electron); browser mode uses the snapshot library. */
  nativeDialogs: boolean;
}

// ---------------------------------------------------------------- connections

/** The id of the bundled local cluster's connection; it always exists and cannot be removed. */
export const localConnectionId = 'local';

/** An environment tag; 'production' makes the GUI confirm every write. */
export type EnvironmentTag = 'local' | 'development' | 'testing' | 'staging' | 'production';

/** TLS settings as typed or picked by the user: PEM text, so browser mode (no file paths) works the same. */
export interface TlsDraft {
  /** CA bundle to trust instead of the system roots. */
  caPem?: string;
  /** Client certificate (for client-cert auth). */
  certPem?: string;
  /** Client private key: a secret. On update, undefined keeps the stored key and null removes it. */
  keyPem?: string | null;
  /** Name to verify the server certificate against, when it differs from the endpoint host. */
  serverName?: string;
  /** Accept any server certificate. Dangerous; the GUI should say so. */
  insecureSkipVerify?: boolean;
}

/** A connection as the user edits it. */
export interface ConnectionDraft {
  name: string;
  /** `host:port`, `http://host:port` or `https://host:port`; `https` (or tls) means TLS. */
  endpoints: string[];
  environment: EnvironmentTag;
  /** A `#rrggbb` colour for the tag. */
  color?: string;
  /** Every key the GUI shows and writes is under this prefix (UTF-8 text); the prefix is hidden in keys. */
  keyPrefix?: string;
  /** TLS settings; null or absent means plain text. */
  tls?: TlsDraft | null;
  username?: string;
  /** A secret. On update, undefined keeps the stored password and null removes it. */
  password?: string | null;
  /** The user agreed to keep secrets unencrypted on disk because the OS keychain is not available. */
  allowPlaintextSecrets?: boolean;
}

/** TLS settings as stored, without the private key. */
export interface TlsSummary {
  caPem: string | null;
  certPem: string | null;
  hasKey: boolean;
  serverName: string | null;
  insecureSkipVerify: boolean;
}

/** A saved connection, without secrets. */
export interface ConnectionSummary {
  id: string;
  name: string;
  endpoints: string[];
  environment: EnvironmentTag;
  color: string | null;
  keyPrefix: string | null;
  tls: TlsSummary | null;
  username: string | null;
  hasPassword: boolean;
  /** True for the bundled local cluster. */
  isLocal: boolean;
  /** True when this connection's secrets are on disk without encryption (the user agreed to it). */
  secretsInPlaintext: boolean;
  /** ISO 8601 times. */
  createdAt: string;
  updatedAt: string;
}

/** Every connection, and how their secrets are kept. */
export interface ConnectionList {
  connections: ConnectionSummary[];
  secretStorage: SecretStorageStatus;
}

/** What "test connection" found wrong, in categories the GUI can explain. */
export type ConnectionFailureKind =
  | 'invalid-endpoint'
  | 'dns-not-found'
  | 'connection-refused'
  | 'host-unreachable'
  | 'timeout'
  | 'tls-unknown-ca'
  | 'tls-expired'
  | 'tls-not-yet-valid'
  | 'tls-name-mismatch'
  | 'tls-self-signed'
  | 'tls-handshake'
  | 'tls-required'
  | 'tls-not-offered'
  | 'client-certificate-required'
  | 'auth-failed'
  | 'auth-required'
  | 'not-etcd'
  | 'unknown';

/** One failure of a connection test, in plain words. */
export interface ConnectionFailure {
  kind: ConnectionFailureKind;
  /** A sentence for the user, e.g. "Nothing is listening on 10.0.0.5:2379 (connection refused)." */
  message: string;
  /** What to try next, e.g. "Check that etcd runs and listens on this address." */
  hint: string;
  endpoint: string | null;
  /** The raw error text. */
  detail: string;
}

/** The outcome of a connection test. */
export type ConnectionTestReport =
  | { ok: true; endpoint: string; latencyMs: number; version: string; clusterId: string; memberId: string; leaderId: string; memberCount: number; authEnabled: boolean | null }
  | { ok: false; failures: ConnectionFailure[] };

/** Whether main currently reaches a connection (pushed as it changes). */
export interface ConnectionStatus {
  connectionId: string;
  state: 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'failed';
  endpoint: string | null;
  error: CairnError | null;
}

/** Input of the TLS check: the material and the endpoints it is meant for. */
export interface TlsCheckArgs {
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  /** Endpoints whose host names the server certificate should cover (for a server certificate check). */
  endpoints?: string[];
}

/** One finding of the TLS check. */
export interface TlsFinding {
  level: 'ok' | 'warning' | 'error';
  /** Which input it is about. */
  subject: 'ca' | 'cert' | 'key' | 'pair';
  message: string;
}

// ---------------------------------------------------------------- keys

/** A key and its value (possibly cut short) with etcd's metadata. */
export interface KeyValue {
  /** The key without the connection's prefix scope. */
  key: Uint8Array;
  /** The value, or its first bytes when `valueTruncated`; empty in keys-only listings. */
  value: Uint8Array;
  /** The full value size in bytes; null in keys-only listings, where the server does not send it. */
  valueSize: number | null;
  valueTruncated: boolean;
  createRevision: number;
  modRevision: number;
  version: number;
  /** The attached lease id, '0' for none. */
  lease: string;
}

/** A page of keys under a prefix, in key order. */
export interface KeyPage {
  kvs: KeyValue[];
  /** The revision the page was read at: pass it back to read the next pages at the same point in time. */
  revision: number;
  /** True when keys remain after this page. */
  more: boolean;
  /** Pass as `after` to get the next page; null when there is none. */
  next: Uint8Array | null;
  /** Keys from the start of this page to the end of the prefix (on the first page: all keys under the prefix). */
  remaining: number;
}

/** One entry of a tree level: a folder (a shared prefix ending in the separator) or a key. */
export type TreeEntry = { kind: 'folder'; key: Uint8Array; count: number } | { kind: 'key'; kv: KeyValue };

/** A page of one tree level. */
export interface TreePage {
  entries: TreeEntry[];
  revision: number;
  more: boolean;
  next: Uint8Array | null;
}

/** The outcome of a write with a compare-and-swap guard. */
export type WriteOutcome =
  | { outcome: 'done'; revision: number; deleted: number }
  /** The key changed since it was loaded (or exists when it should not): `current` is what is there now. */
  | { outcome: 'conflict'; revision: number; current: KeyValue | null };

/** How a transaction compares a key. */
export type TxnCompare =
  | { target: 'version' | 'create' | 'mod'; key: Uint8Array; rangeEnd?: Uint8Array; result: CompareResult; operand: number }
  | { target: 'value'; key: Uint8Array; rangeEnd?: Uint8Array; result: CompareResult; value: Uint8Array }
  | { target: 'lease'; key: Uint8Array; rangeEnd?: Uint8Array; result: CompareResult; lease: string };

/** A comparison of etcd's Compare. */
export type CompareResult = 'equal' | 'not-equal' | 'greater' | 'less';

/** One operation of a transaction. `prefix` turns `key` into a prefix (rangeEnd computed by main). */
export type TxnOp =
  | { type: 'put'; key: Uint8Array; value: Uint8Array; lease?: string; ignoreLease?: boolean }
  | { type: 'delete'; key: Uint8Array; rangeEnd?: Uint8Array; prefix?: boolean; prevKv?: boolean }
  | { type: 'range'; key: Uint8Array; rangeEnd?: Uint8Array; prefix?: boolean; limit?: number; keysOnly?: boolean; countOnly?: boolean };

/** What one transaction operation did. */
export type TxnOpResult =
  | { type: 'put'; revision: number }
  | { type: 'delete'; deleted: number; prevKvs: KeyValue[] }
  | { type: 'range'; kvs: KeyValue[]; count: number; more: boolean };

/** The outcome of a transaction. */
export interface TxnResult {
  succeeded: boolean;
  revision: number;
  responses: TxnOpResult[];
}

/** Earlier versions of a key, newest first. */
export interface KeyHistory {
  versions: KeyValue[];
  /** True when older versions exist beyond `limit` (ask again with `beforeRevision`). */
  more: boolean;
  /** Set when older history is gone because the store was compacted at this revision. */
  compactRevision: number | null;
  /** Set when the walk reached the start of the key's current life (it was deleted and created again before). */
  createdAt: number | null;
}

// ---------------------------------------------------------------- watch

/** One change seen by a watch. */
export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
  prevKv: KeyValue | null;
}

/** Events pushed to the window that owns the watch, batched (at most one push per ~50 ms per watch). */
export interface WatchBatch {
  watchId: string;
  events: WatchEvent[];
  /** The store revision of the last response in this batch. */
  revision: number;
  /** Events dropped before this batch because the window did not keep up (bounded buffer). */
  dropped: number;
}

/** A change in a watch's life. */
export interface WatchStateChange {
  watchId: string;
  /** 'live' once the server confirmed it; 'reconnecting' while main resumes it after losing the connection. */
  state: 'live' | 'reconnecting' | 'ended';
  /** Why it ended (state 'ended'). */
  reason: 'stopped' | 'compacted' | 'cancelled-by-server' | 'connection-closed' | 'error' | null;
  /** With reason 'compacted': the oldest revision still available (restart from here). */
  compactRevision: number | null;
  /** The next revision main resumes from (for a caller that restarts the watch itself). */
  resumeRevision: number | null;
  message: string | null;
}

// ---------------------------------------------------------------- leases

/** A lease and its remaining time. */
export interface LeaseInfo {
  id: string;
  /** Remaining seconds; null when not asked (past `leasesWithTtlMax`). */
  ttl: number | null;
  grantedTtl: number | null;
  /** Number of attached keys; null when not asked. */
  keyCount: number | null;
}

/** A lease with its attached keys. */
export interface LeaseDetail {
  id: string;
  ttl: number;
  grantedTtl: number;
  keys: Uint8Array[];
}

// ---------------------------------------------------------------- cluster

/** One member as the cluster lists it. */
export interface MemberSummary {
  id: string;
  /** Empty for a member added but not started yet. */
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** Status of one endpoint (Maintenance.Status), or why it could not be asked. */
export type EndpointStatus =
  | {
      endpoint: string;
      reachable: true;
      memberId: string;
      leaderId: string;
      isLeader: boolean;
      isLearner: boolean;
      raftTerm: number;
      raftIndex: number;
      raftAppliedIndex: number;
      /** The store revision in this member's response header. */
      revision: number;
      dbSize: number;
      dbSizeInUse: number;
      version: string;
      errors: string[];
      latencyMs: number;
    }
  | { endpoint: string; reachable: false; error: CairnError };

/** A member with its status, joined by member id. */
export interface MemberInfo extends MemberSummary {
  status: EndpointStatus | null;
}

/** The members of a cluster and who leads. */
export interface ClusterOverview {
  clusterId: string;
  leaderId: string | null;
  members: MemberInfo[];
  /** Status of the connection's own endpoints (they may be proxies or load balancers, not member URLs). */
  endpoints: EndpointStatus[];
  /** The highest store revision in the response headers of this overview's calls; null when none answered. */
  revision: number | null;
}

/** The members after a membership change. */
export interface MembershipChange {
  member: MemberSummary | null;
  members: MemberSummary[];
}

// ---------------------------------------------------------------- maintenance

/** An alarm raised by a member. */
export interface AlarmInfo {
  memberId: string;
  alarm: 'nospace' | 'corrupt';
}

/** The outcome of HashKV on one endpoint. */
export interface HashKvResult {
  endpoint: string;
  memberId: string;
  hash: number;
  compactRevision: number;
  revision: number;
}

/** A snapshot file taken by the app. */
export interface SnapshotInfo {
  id: string;
  fileName: string;
  /** Absolute path on the machine running main. */
  path: string;
  sizeBytes: number;
  /** Store revision when it was taken (of an imported file: the revision `cairn-util snapshot status` reads in it). */
  revision: number;
  /** sha256 of the file, hex. */
  sha256: string;
  /**
   * ISO 8601 time it was taken. A snapshot file does not record when it was taken, so for an imported file (see
   * `importedAt`) this is the import time, kept only to order the library: show `importedAt` and "unknown" instead.
   */
  takenAt: string;
  /** ISO 8601 time a file the user picked was imported into the library; null for snapshots Cairn took. */
  importedAt: string | null;
  connectionName: string;
  /** True when the file is in the app's snapshot library (it then can be listed, restored and deleted). */
  inLibrary: boolean;
}

/** How often a connection is snapshotted into the library, and how many of those snapshots are kept. */
export interface SnapshotSchedule {
  enabled: boolean;
  /** Minutes between two snapshots (the GUI offers minutes and hours). */
  intervalMinutes: number;
  /** Scheduled snapshots of this connection kept in the library; older ones are deleted after each new one. */
  keep: number;
}

/** The outcome of one scheduled snapshot. */
export interface ScheduledRunResult {
  /** ISO 8601. */
  at: string;
  ok: boolean;
  /** The snapshot taken, or null when it failed. */
  snapshotId: string | null;
  /** Plain words: what was saved (and deleted by retention), or why it failed. */
  message: string;
}

/** A connection's snapshot schedule as main runs it. */
export interface SnapshotScheduleState {
  connectionId: string;
  schedule: SnapshotSchedule;
  /** ISO 8601, or null when the schedule is off. */
  nextRunAt: string | null;
  running: boolean;
  lastRun: ScheduledRunResult | null;
  /** Snapshots this schedule took that are still in the library, newest first. */
  snapshotIds: string[];
}

/** Progress of a long operation the renderer started with its own `operationId`. */
export interface OperationProgress {
  operationId: string;
  kind: 'snapshot' | 'restore' | 'defragment' | 'reset' | 'tls';
  phase: 'running' | 'done' | 'failed';
  /** Human-readable step, e.g. "Stopping members". */
  step: string;
  bytesDone: number;
  /** Null when the total is unknown. */
  bytesTotal: number | null;
}

// ---------------------------------------------------------------- local cluster

/** The life of one supervised member process. */
export type LocalMemberState = 'stopped' | 'starting' | 'running' | 'unhealthy' | 'stopping' | 'crashed' | 'waiting-to-restart';

/** One member of the local cluster. */
export interface LocalMember {
  name: string;
  /** Learned from the member once it served; null before the first start. */
  memberId: string | null;
  state: LocalMemberState;
  pid: number | null;
  clientUrl: string;
  peerUrl: string;
  dataDir: string;
  logFile: string;
  /** Restarts after crashes since the app started. */
  crashRestarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /** When a crashed member is started again (ISO 8601), or null. */
  nextRestartAt: string | null;
  /** True for a member added to the running cluster (`localCluster.addMember`); only those can be removed. */
  joined: boolean;
}

/** The whole local cluster. */
export interface LocalClusterState {
  phase: 'stopped' | 'starting' | 'running' | 'degraded' | 'stopping' | 'resetting' | 'restoring' | 'securing' | 'failed';
  /** True when the members serve https with client-certificate auth (the TLS wizard turned it on). */
  tls: boolean;
  size: number;
  dataDir: string;
  members: LocalMember[];
  /** Why the last start failed, or null. */
  error: CairnError | null;
}

/** One file of the local cluster's certificates. */
export interface LocalTlsFile {
  role: 'ca' | 'server' | 'peer' | 'client';
  kind: 'certificate' | 'private-key';
  /** Absolute path on the machine running main. */
  path: string;
  /** What it is for, in plain words. */
  description: string;
}

/** The local cluster's TLS: on or off, and where its certificates are. */
export interface LocalTlsState {
  enabled: boolean;
  /** The folder of the certificates and keys. */
  directory: string;
  /** Empty until the certificates have been made. */
  files: LocalTlsFile[];
  /** ISO 8601: when the first of the certificates expires; null before they exist. */
  expiresAt: string | null;
  /** ISO 8601: when they were made; null before they exist. */
  generatedAt: string | null;
  /** The Common Name of the client certificate (etcd's user name for it when auth is on). */
  clientCommonName: string;
  /** The host names the server and peer certificates are valid for. */
  hosts: string[];
}

/** Lines a member wrote (its stderr/stdout: the engine logs JSON lines). */
export interface LogLines {
  name: string;
  lines: string[];
}

// ---------------------------------------------------------------- auth

/** A permission of a role. */
export interface Permission {
  type: 'read' | 'write' | 'readwrite';
  key: Uint8Array;
  /** Empty for a single key; `prefix` computes it. */
  rangeEnd: Uint8Array;
}

/** Auth state of a cluster. */
export interface AuthStatus {
  enabled: boolean;
  authRevision: number;
}

/** A user and their roles. */
export interface UserInfo {
  name: string;
  roles: string[];
}

/** A role and its permissions. */
export interface RoleInfo {
  name: string;
  permissions: Permission[];
}
