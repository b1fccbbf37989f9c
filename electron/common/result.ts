// Errors are values across the IPC boundary: every service method resolves with a Result, never rejects, so the
// renderer handles failures with the same code path in Electron and in browser mode (where a rejected promise
// would lose its fields crossing the socket).

/** Stable error codes the GUI can branch on; the message is for people. */
export type ErrorCode =
  | 'invalid-argument'
  | 'unknown-channel'
  | 'forbidden'
  | 'not-found'
  | 'already-exists'
  | 'conflict'
  | 'compacted'
  | 'future-revision'
  | 'unavailable'
  | 'timeout'
  | 'cancelled'
  | 'permission-denied'
  | 'auth-failed'
  | 'auth-not-enabled'
  | 'tls'
  | 'not-supported'
  | 'busy'
  | 'confirmation-required'
  | 'secret-storage-unavailable'
  | 'too-large'
  | 'etcd'
  | 'internal';

/** A failure in plain words: `message` for people, `code` for code, `detail` for the curious (raw error text). */
export interface CairnError {
  code: ErrorCode;
  message: string;
  detail?: string;
}

/** The outcome of every service call. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: CairnError };

/** A successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A failed Result. */
export function fail<T = never>(code: ErrorCode, message: string, detail?: string): Result<T> {
  return { ok: false, error: detail === undefined ? { code, message } : { code, message, detail } };
}

/** A failed Result carrying an existing error. */
export function failWith<T = never>(error: CairnError): Result<T> {
  return { ok: false, error };
}
