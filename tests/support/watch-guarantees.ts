// Checks recorded watch streams against the writes of a history, for etcd's watch guarantees
// (https://etcd.io/docs/v3.5/learning/api_guarantees/#watch-apis):
//   ordered    events of a watcher come in revision order, never going back, across reconnects too;
//   unique     no (revision, key) event twice;
//   atomic     all events of one revision arrive in one response (a revision is never split);
//   reliable   every write to a watched key between the watch's start and the revision the watcher is known to
//              have reached appears (no gaps), including after a reconnect that resumed at last event + 1;
//   accurate   every event equals a write: same key, same value, same mod revision, same type; writes with an
//              unknown outcome may appear (they happened), but then at one revision for every watcher;
//   progress   a progress notification at revision p is never ahead of events: no event at or below p after it.
import type { KvOperation } from './linearizability/history.ts';

/** A write the watchers may see: acknowledged (its revision known) or of unknown outcome. */
export interface WatchedWrite {
  key: string;
  kind: 'put' | 'delete';
  /** The value of a put; values are unique per history, which is how an event is matched to its write. */
  value?: string;
  /** The revision, known exactly for acknowledged writes. */
  revision?: number;
  acknowledged: boolean;
}

/** One event as a watcher received it. */
export interface WatchEventRecord {
  type: 'put' | 'delete';
  key: string;
  /** The value of a put event. */
  value?: string;
  modRevision: number;
}

/** One WatchResponse: its events, or a progress notification (no events, the header revision). */
export interface WatchResponseRecord {
  events: WatchEventRecord[];
  /** Set for a progress notification: the revision it claims all events up to have been sent. */
  progressRevision?: number;
}

/** One watch call, from its create request to the end of its stream. */
export interface WatchSegmentRecord {
  /** The start revision of the create request (resolved, never 0). */
  startRevision: number;
  responses: WatchResponseRecord[];
  /** Why the segment ended (stream error, cancel), if it did before the recording stopped. */
  endedBy?: string;
}

/** Everything one logical watcher received, reconnects included. */
export interface WatcherRecord {
  name: string;
  /** The watched key, or the start of the watched range. */
  key: string;
  /** etcd's range end: undefined for a single key, '\0' for every key from `key` on. */
  rangeEnd?: string;
  segments: WatchSegmentRecord[];
  /** The revision the watcher is known to have reached (all events up to it must be there); default: its coverage. */
  caughtUpRevision?: number;
}

/** The result of a check. */
export interface WatchReport {
  violations: string[];
  /** Events received over all watchers. */
  eventCount: number;
  /** Progress notifications received over all watchers (each one checked against the events after it). */
  progressCount: number;
  /** The revision at which each unknown-outcome put that was seen took effect, by value. */
  unknownPutRevisions: Map<string, number>;
}

/** The writes of a recorded KV history, as the watch checker wants them (reads and no-op writes left out). */
export function writesOfHistory(operations: readonly KvOperation[]): WatchedWrite[] {
  const writes: WatchedWrite[] = [];
  for (const { input, output, outcome } of operations) {
    if (outcome === 'fail' || input.kind === 'get') continue;
    const acknowledged = outcome === 'ok';
    if (input.kind === 'delete') {
      if (output?.kind === 'delete' && output.deleted === 0) continue;
      writes.push({ key: input.key, kind: 'delete', revision: output?.revision, acknowledged });
    } else {
      if (output?.kind === 'cas' && !output.succeeded) continue;
      writes.push({ key: input.key, kind: 'put', value: input.value, revision: output?.revision, acknowledged });
    }
  }
  return writes;
}

/** True when `key` is watched by a watcher on [start, rangeEnd). */
export function inWatchedRange(key: string, start: string, rangeEnd: string | undefined): boolean {
  if (rangeEnd === undefined || rangeEnd === '') return key === start;
  if (rangeEnd === '\0') return key >= start;
  return key >= start && key < rangeEnd;
}

/** How many violations are kept per watcher; the first few tell the story. */
const violationsPerWatcherMax = 10;

interface WriteIndex {
  putsByValue: Map<string, WatchedWrite>;
  byRevision: Map<number, WatchedWrite>;
  keysWithUnknownDeletes: Set<string>;
}

function indexWrites(writes: readonly WatchedWrite[]): WriteIndex {
  const index: WriteIndex = { putsByValue: new Map(), byRevision: new Map(), keysWithUnknownDeletes: new Set() };
  for (const write of writes) {
    if (write.kind === 'put') {
      if (write.value === undefined) throw new Error(`a put to ${write.key} without a value`);
      if (index.putsByValue.has(write.value)) throw new Error(`the value ${write.value} was written twice; values must be unique`);
      index.putsByValue.set(write.value, write);
    } else if (!write.acknowledged) {
      index.keysWithUnknownDeletes.add(write.key);
    }
    if (write.acknowledged && write.revision !== undefined) index.byRevision.set(write.revision, write);
  }
  return index;
}

function describeEvent(event: WatchEventRecord): string {
  return `${event.type} ${event.key}${event.value === undefined ? '' : `="${event.value}"`} at ${event.modRevision}`;
}

/** Unknown-outcome writes that watchers saw, so they are known to have happened. */
interface SeenUnknown {
  /** Revision of each seen put, by value. */
  puts: Map<string, number>;
  /** Seen deletes, by `revision\0key`. */
  deletes: Map<string, { key: string; revision: number }>;
}

/** Checks one event against the writes; records the revisions unknown writes were seen at. */
function matchEvent(event: WatchEventRecord, index: WriteIndex, seen: SeenUnknown): string | undefined {
  const acknowledgedAtRevision = index.byRevision.get(event.modRevision);
  if (event.type === 'put') {
    const write = event.value === undefined ? undefined : index.putsByValue.get(event.value);
    if (write === undefined) return `${describeEvent(event)}: nobody wrote this value`;
    if (write.key !== event.key) return `${describeEvent(event)}: the value was written to ${write.key}`;
    if (write.revision !== undefined) {
      return write.revision === event.modRevision ? undefined : `${describeEvent(event)}: the put was acknowledged at revision ${write.revision}`;
    }
    if (acknowledgedAtRevision !== undefined) return `${describeEvent(event)}: revision ${event.modRevision} belongs to another acknowledged write`;
    const earlier = seen.puts.get(event.value!);
    if (earlier !== undefined && earlier !== event.modRevision) {
      return `${describeEvent(event)}: another watcher saw this unknown-outcome put at revision ${earlier}`;
    }
    seen.puts.set(event.value!, event.modRevision);
    return undefined;
  }
  if (acknowledgedAtRevision !== undefined) {
    return acknowledgedAtRevision.kind === 'delete' && acknowledgedAtRevision.key === event.key ? undefined
      : `${describeEvent(event)}: revision ${event.modRevision} is an acknowledged ${acknowledgedAtRevision.kind} of ${acknowledgedAtRevision.key}`;
  }
  if (!index.keysWithUnknownDeletes.has(event.key)) return `${describeEvent(event)}: nobody deleted this key at this revision`;
  seen.deletes.set(`${event.modRevision}\0${event.key}`, { key: event.key, revision: event.modRevision });
  return undefined;
}

interface WatcherSummary {
  /** `revision\0key` of every event received. */
  received: Set<string>;
  startRevision: number;
  reached: number;
}

/** Checks order, uniqueness, atomicity, continuity and progress of one watcher; matches its events to writes. */
function checkWatcher(watcher: WatcherRecord, index: WriteIndex, seen: SeenUnknown, violations: string[]): WatcherSummary {
  const note = (message: string): void => {
    if (violations.length < violationsPerWatcherMax) violations.push(`watcher ${watcher.name}: ${message}`);
  };
  const startRevision = watcher.segments[0]?.startRevision ?? 0;
  const received = new Set<string>();
  let lastEvent: WatchEventRecord | undefined;
  let lastEventResponse = -1;
  let covered = startRevision - 1;
  let responseNumber = 0;
  for (const [segmentNumber, segment] of watcher.segments.entries()) {
    if (segment.startRevision > covered + 1) {
      note(`segment ${segmentNumber} resumed at ${segment.startRevision} but only revisions up to ${covered} had been received: the revisions between were never watched`);
    }
    let progress = -1;
    for (const response of segment.responses) {
      responseNumber += 1;
      for (const event of response.events) {
        if (!inWatchedRange(event.key, watcher.key, watcher.rangeEnd)) note(`${describeEvent(event)} is outside the watched range`);
        if (event.modRevision < segment.startRevision) note(`${describeEvent(event)} is before the start revision ${segment.startRevision}`);
        if (event.modRevision <= progress) note(`${describeEvent(event)} arrived after a progress notification at ${progress}`);
        if (lastEvent !== undefined && event.modRevision < lastEvent.modRevision) {
          note(`${describeEvent(event)} arrived after ${describeEvent(lastEvent)}: out of order`);
        }
        if (lastEvent !== undefined && event.modRevision === lastEvent.modRevision && lastEventResponse !== responseNumber) {
          note(`revision ${event.modRevision} was split over two responses`);
        }
        const eventKey = `${event.modRevision}\0${event.key}`;
        if (received.has(eventKey)) note(`${describeEvent(event)} arrived twice`);
        received.add(eventKey);
        const mismatch = matchEvent(event, index, seen);
        if (mismatch !== undefined) note(mismatch);
        lastEvent = event;
        lastEventResponse = responseNumber;
        covered = Math.max(covered, event.modRevision);
      }
      if (response.progressRevision !== undefined) {
        progress = Math.max(progress, response.progressRevision);
        covered = Math.max(covered, response.progressRevision);
      }
    }
  }
  const reached = watcher.caughtUpRevision ?? covered;
  if (covered < reached) note(`received events only up to revision ${covered}, but was expected to reach ${reached}`);
  return { received, startRevision, reached };
}

/** Checks every watcher against the writes; the report lists every violation found (none means all held). */
export function checkWatchGuarantees(watchers: readonly WatcherRecord[], writes: readonly WatchedWrite[]): WatchReport {
  const index = indexWrites(writes);
  const seen: SeenUnknown = { puts: new Map(), deletes: new Map() };
  const violations: string[] = [];
  const summaries = watchers.map((watcher) => {
    const own: string[] = [];
    const summary = checkWatcher(watcher, index, seen, own);
    violations.push(...own);
    return summary;
  });
  // Reliability, once every watcher is read: unknown writes seen by one watcher happened, so every watcher whose
  // range and span cover them must have them too.
  const happened = writes.filter((write) => write.revision !== undefined && write.acknowledged)
    .map((write) => ({ key: write.key, revision: write.revision!, what: `${write.kind} ${write.key}${write.value === undefined ? '' : `="${write.value}"`}` }));
  for (const [value, revision] of seen.puts) {
    const write = index.putsByValue.get(value)!;
    happened.push({ key: write.key, revision, what: `unknown-outcome put ${write.key}="${value}" (seen by a watcher)` });
  }
  for (const { key, revision } of seen.deletes.values()) {
    happened.push({ key, revision, what: `unknown-outcome delete ${key} (seen by a watcher)` });
  }
  watchers.forEach((watcher, position) => {
    const { received, startRevision, reached } = summaries[position];
    let missing = 0;
    for (const write of happened) {
      if (write.revision < startRevision || write.revision > reached) continue;
      if (!inWatchedRange(write.key, watcher.key, watcher.rangeEnd)) continue;
      if (received.has(`${write.revision}\0${write.key}`)) continue;
      missing += 1;
      if (missing <= violationsPerWatcherMax) violations.push(`watcher ${watcher.name}: missed ${write.what} at revision ${write.revision}`);
    }
    if (missing > violationsPerWatcherMax) violations.push(`watcher ${watcher.name}: missed ${missing} writes in all`);
  });
  const responses = watchers.flatMap((watcher) => watcher.segments.flatMap((segment) => segment.responses));
  const eventCount = responses.reduce((count, response) => count + response.events.length, 0);
  const progressCount = responses.filter((response) => response.progressRevision !== undefined).length;
  return { violations, eventCount, progressCount, unknownPutRevisions: seen.puts };
}

/** Throws listing every violation unless the report has none. */
export function assertWatchGuarantees(report: WatchReport): void {
  if (report.violations.length === 0) return;
  throw new Error(`watch guarantees VIOLATED (${report.violations.length}):\n  ${report.violations.join('\n  ')}`);
}
