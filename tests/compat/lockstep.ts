// Runs one sequence of operations against two servers in lockstep (both answer operation i before either gets
// i + 1) and stops at the first answer that differs. At the end it compares what every watcher saw and the
// final contents of the key space.
import { execute, type Operation, type Session } from './operations.ts';
import { firstDifference, normalize, type Outcome } from './normalize.ts';
import { watchHistory } from './watch-history.ts';
import type { OperationSource } from './run-state.ts';

/** A difference between the reference server and the server under test. */
export interface Mismatch {
  /** Index of the operation whose answers differ; -1 for the end-of-run checks. */
  index: number;
  /** What was compared: an operation, `watch <id>` or `final key space`. */
  what: string;
  operation?: Operation;
  reference: unknown;
  subject: unknown;
  /** The path of the first differing field. */
  path: string;
}

/** The result of a lockstep run. */
export interface LockstepResult {
  operations: number;
  mismatch?: Mismatch;
}

/** etcd re-syncs lagging watchers every 100 ms; wait well past that before anything timing-sensitive. */
const watchSyncMs = 300;

/** A watch stream counts as settled after this long without a response. */
const watchQuietMs = 150;

/** An upper bound on settling, so a stream that never goes quiet cannot hang the run. */
const settleTimeoutMs = 5_000;

/** Compares the two servers' answers to every operation of `source`; stops at the first difference. */
export async function runLockstep(reference: Session, subject: Session, source: OperationSource):
  Promise<LockstepResult> {
  let lastHistoricalWatchAtMs = -Infinity;
  let index = 0;
  for (let operation = source.next(); operation !== undefined; operation = source.next(), index += 1) {
    if (operation.kind === 'compact' || operation.kind === 'watchCancel') {
      // A lagging watcher catches up on a 100 ms timer, so a compaction (or a cancel) racing with its catch-up
      // would change what it sees differently on each server; let every watcher catch up first.
      const sinceWatchMs = performance.now() - lastHistoricalWatchAtMs;
      if (sinceWatchMs < watchSyncMs) await delay(watchSyncMs - sinceWatchMs);
      await Promise.all([reference.watch.waitQuiet(watchQuietMs, settleTimeoutMs), subject.watch.waitQuiet(watchQuietMs, settleTimeoutMs)]);
    }
    const [expected, actual] = await Promise.all([execute(reference, operation), execute(subject, operation)]);
    if (operation.kind === 'watchCreate' && Number(operation.request.start_revision ?? 0) !== 0) {
      lastHistoricalWatchAtMs = performance.now();
    }
    const path = firstDifference(expected, actual);
    if (path !== undefined) {
      return { operations: index + 1, mismatch: { index, what: operation.kind, operation, reference: expected, subject: actual, path } };
    }
    source.observe(operation, expected);
  }
  const mismatch = await compareEndState(reference, subject);
  return { operations: index, mismatch };
}

async function compareEndState(reference: Session, subject: Session): Promise<Mismatch | undefined> {
  await delay(watchSyncMs);
  await Promise.all([reference.watch.waitQuiet(watchQuietMs * 2, settleTimeoutMs), subject.watch.waitQuiet(watchQuietMs * 2, settleTimeoutMs)]);
  const expectedWatches = watchHistory(reference.watch);
  const actualWatches = watchHistory(subject.watch);
  for (const id of new Set([...Object.keys(expectedWatches), ...Object.keys(actualWatches)])) {
    const path = firstDifference(expectedWatches[id], actualWatches[id]);
    if (path !== undefined) {
      return { index: -1, what: `watch ${id}`, reference: expectedWatches[id], subject: actualWatches[id], path };
    }
  }
  const streamState = (session: Session): unknown => ({ ended: session.watch.ended, error: session.watch.error?.message });
  const streamPath = firstDifference(streamState(reference), streamState(subject));
  if (streamPath !== undefined) {
    return { index: -1, what: 'watch stream state', reference: streamState(reference), subject: streamState(subject), path: streamPath };
  }
  const everything = { key: Buffer.from([0]), range_end: Buffer.from([0]) };
  const [expected, actual] = await Promise.all([finalKeys(reference, everything), finalKeys(subject, everything)]);
  const path = firstDifference(expected, actual);
  return path === undefined ? undefined : { index: -1, what: 'final key space', reference: expected, subject: actual, path };
}

async function finalKeys(session: Session, request: { key: Buffer; range_end: Buffer }): Promise<Outcome> {
  try {
    return { response: normalize(await session.client.kv.range(request)) };
  } catch (error) {
    return { failure: (error as Error).message };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
