// Structured logging in the shape of etcd's zap JSON logger, one object per line:
//   {"level":"info","ts":"2026-11-23T12:00:00.123Z","caller":"server/etcd-server.ts:123","msg":"...", ...fields}
// Operators feed etcd's logs to the same tools, so keeping the field names and order lets those tools read ours.
// The sink is injected because engine/common may not touch node:* modules (the caller decides on stderr, a
// file or a test array), and the caller location is passed in by the call site (a `caller` field, or a child
// logger's `caller`) since walking the stack on every log line would cost more than the line itself.

/** The levels etcd's --log-level accepts, least severe first. */
export const logLevels = ['debug', 'info', 'warn', 'error', 'panic', 'fatal'] as const;

/** One log level. */
export type LogLevel = (typeof logLevels)[number];

/** Extra key/value pairs of one log line. A `caller` field is written in the caller position. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Receives each finished log line (without a trailing newline). */
export type LogSink = (line: string) => void;

/** What a logger is built from. */
export interface LoggerOptions {
  /** Where lines go. */
  sink: LogSink;
  /** Lines below this level are dropped (default 'info', as etcd's). */
  level?: LogLevel;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  /** Fields written on every line of this logger. */
  fields?: LogFields;
  /** Runs after a fatal line is written (the process entry point passes `() => process.exit(1)`). */
  onFatal?: (message: string) => void;
}

/** A structured logger. */
export interface Logger {
  /** The current minimum level. */
  readonly level: LogLevel;
  /** Changes the minimum level of this logger and every logger derived from the same root. */
  setLevel(level: LogLevel): void;
  /** Whether a line at `level` would be written (to skip building costly fields). */
  enabled(level: LogLevel): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Writes the line, then throws (zap's Panic). */
  panic(message: string, fields?: LogFields): never;
  /** Writes the line, runs `onFatal`, then throws in case `onFatal` returned (zap's Fatal exits). */
  fatal(message: string, fields?: LogFields): never;
  /** A logger that adds `fields` to every line (per-component context such as the member ID). */
  child(fields: LogFields): Logger;
}

/** True when `text` names a log level. */
export function isLogLevel(text: string): text is LogLevel {
  return (logLevels as readonly string[]).includes(text);
}

/** A logger writing etcd-style JSON lines to `options.sink`. */
export function createLogger(options: LoggerOptions): Logger {
  const shared: SharedState = {
    sink: options.sink,
    threshold: severity(options.level ?? 'info'),
    clock: options.clock ?? Date.now,
    onFatal: options.onFatal,
  };
  return new JsonLogger(shared, { ...options.fields });
}

/** A logger that writes nothing (for tests and tools that do not log). */
export function discardLogger(): Logger {
  return createLogger({ sink: () => undefined, level: 'fatal' });
}

/** The error thrown by `panic` and `fatal` after their line is written. */
export class LogPanicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogPanicError';
  }
}

interface SharedState {
  sink: LogSink;
  threshold: number;
  clock: () => number;
  onFatal: ((message: string) => void) | undefined;
}

function severity(level: LogLevel): number {
  return logLevels.indexOf(level);
}

class JsonLogger implements Logger {
  constructor(
    private readonly shared: SharedState,
    private readonly fields: Record<string, unknown>,
  ) {}

  get level(): LogLevel {
    return logLevels[this.shared.threshold]!;
  }

  setLevel(level: LogLevel): void {
    this.shared.threshold = severity(level);
  }

  enabled(level: LogLevel): boolean {
    return severity(level) >= this.shared.threshold;
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  panic(message: string, fields?: LogFields): never {
    this.write('panic', message, fields);
    throw new LogPanicError(message);
  }

  fatal(message: string, fields?: LogFields): never {
    this.write('fatal', message, fields);
    this.shared.onFatal?.(message);
    throw new LogPanicError(message);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.shared, { ...this.fields, ...fields });
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (!this.enabled(level)) return;
    this.shared.sink(formatLogLine(level, this.shared.clock(), message, { ...this.fields, ...fields }));
  }
}

// Fields may not overwrite the line's own keys: a consumer reading `level` must get the real level.
const ownKeys = new Set(['level', 'ts', 'msg', 'caller']);

/** One JSON log line in zap's key order: level, ts, caller, msg, then the fields. */
export function formatLogLine(level: LogLevel, timeMs: number, message: string, fields: LogFields): string {
  const record: Record<string, unknown> = { level, ts: new Date(timeMs).toISOString() };
  if (typeof fields.caller === 'string') record.caller = fields.caller;
  record.msg = message;
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'caller' && typeof value === 'string') continue;
    record[ownKeys.has(key) ? `field.${key}` : key] = value;
  }
  try {
    return JSON.stringify(record, toJsonValue);
  } catch (error) {
    // A field that cannot be serialised (a cycle) must not lose the line: keep the message and say why.
    const reason = error instanceof Error ? error.message : String(error);
    return JSON.stringify({ level, ts: record.ts, caller: record.caller, msg: message, 'logger-error': reason });
  }
}

const utf8 = new TextDecoder('utf-8');

/** JSON.stringify replacer for the value types JSON lacks. */
function toJsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return formatId(value);
  if (value instanceof Error) return value.message;
  if (value instanceof Uint8Array) return utf8.decode(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

const int64Min = -(1n << 63n);
const uint64Max = (1n << 64n) - 1n;

/** A 64-bit ID in etcd's form: unsigned lowercase hex without padding, as etcd's types.ID prints it. */
export function formatId(id: bigint): string {
  if (id >= int64Min && id <= uint64Max) return BigInt.asUintN(64, id).toString(16);
  return id.toString(16);
}
