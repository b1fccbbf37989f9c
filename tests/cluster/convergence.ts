// Checks that the members of a cluster ended up with the same data after the faults were repaired: the same
// MVCC history (every member's full-history watch lists the same events, one per revision, with no revision
// skipped), and the same HashKV at the same revision.
import { connect } from '../support/grpc-client.ts';
import type { WatcherRecord } from '../support/watch-guarantees.ts';

/** The deadline of one HashKV call. */
const hashKvDeadlineMs = 5_000;

function eventsOf(record: WatcherRecord): string[] {
  return record.segments.flatMap((segment) => segment.responses.flatMap((response) => response.events.map((event) =>
    `${event.modRevision} ${event.type} ${event.key}${event.value === undefined ? '' : `=${event.value}`}`)));
}

/**
 * Problems with the members' full histories (one watcher per member, all over the same range from `fromRevision`
 * to `toRevision`, with no other writers in the cluster): they must list the same events, and every revision in
 * the range exactly once (the global counter moves by one per write, and a write never vanishes).
 */
export function compareMemberHistories(records: readonly WatcherRecord[], fromRevision: number, toRevision: number): string[] {
  const problems: string[] = [];
  const lists = records.map((record) => ({ name: record.name, events: eventsOf(record).filter((event) => Number(event.split(' ')[0]) <= toRevision) }));
  const [first, ...others] = lists;
  if (first === undefined) return ['no member histories to compare'];
  const revisions = first.events.map((event) => Number(event.split(' ')[0]));
  for (let revision = fromRevision, index = 0; revision <= toRevision; revision += 1, index += 1) {
    if (revisions[index] !== revision) {
      problems.push(`${first.name}: expected an event at revision ${revision}, found ${revisions[index] ?? 'nothing'} (revisions must be contiguous)`);
      break;
    }
  }
  for (const other of others) {
    const length = Math.max(first.events.length, other.events.length);
    for (let index = 0; index < length; index += 1) {
      if (first.events[index] === other.events[index]) continue;
      problems.push(`histories differ at event ${index}: ${first.name} has "${first.events[index] ?? 'nothing'}", ${other.name} has "${other.events[index] ?? 'nothing'}"`);
      break;
    }
  }
  return problems;
}

/** Each member's HashKV at `revision` (they must all be equal), as `endpoint -> hash`. */
export async function hashKvByMember(endpoints: readonly string[], revision: number): Promise<Map<string, { hash: number; compactRevision: string }>> {
  const hashes = new Map<string, { hash: number; compactRevision: string }>();
  for (const endpoint of endpoints) {
    const client = connect(endpoint, { deadlineMs: hashKvDeadlineMs });
    try {
      const response = await client.maintenance.hashKv(revision);
      hashes.set(endpoint, { hash: response.hash, compactRevision: response.compact_revision });
    } finally {
      client.close();
    }
  }
  return hashes;
}
