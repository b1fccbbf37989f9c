// The cross-key half of the global revision counter, checked outside the per-key search in linear time (after a
// sort): every successful write has a revision of its own, and revisions never go back in real time. If call A
// returned before call B was invoked, B's revision is at least A's, and above it when B is a write (B's write
// incremented the counter after A had observed or produced its revision).
import { describeOperation, type KvOperation } from './history.ts';

/** How many violations are reported at most; one is enough to fail, a few help to see a pattern. */
const violationsMax = 10;

/** The revision a successful write produced, or undefined for reads and writes that changed nothing. */
export function writeRevision(operation: KvOperation): number | undefined {
  const output = operation.output;
  if (operation.outcome !== 'ok' || output === undefined) return undefined;
  if (output.kind === 'put') return output.revision;
  if (output.kind === 'delete') return output.deleted > 0 ? output.revision : undefined;
  if (output.kind === 'cas') return output.succeeded ? output.revision : undefined;
  return undefined;
}

/** Every violation of the global revision order in `operations` (at most ten), as text. */
export function checkRevisionOrder(operations: readonly KvOperation[]): string[] {
  const succeeded = operations.filter((operation) => operation.outcome === 'ok' && operation.output !== undefined);
  return [...duplicateWriteRevisions(succeeded), ...realTimeRegressions(succeeded)].slice(0, violationsMax);
}

function duplicateWriteRevisions(operations: readonly KvOperation[]): string[] {
  const byRevision = new Map<number, KvOperation>();
  const violations: string[] = [];
  for (const operation of operations) {
    const revision = writeRevision(operation);
    if (revision === undefined) continue;
    const earlier = byRevision.get(revision);
    if (earlier !== undefined && violations.length < violationsMax) {
      violations.push(`two writes were acknowledged at revision ${revision}:\n  ${describeOperation(earlier)}\n  ${describeOperation(operation)}`);
    }
    byRevision.set(revision, operation);
  }
  return violations;
}

function realTimeRegressions(operations: readonly KvOperation[]): string[] {
  const byCall = [...operations].sort((a, b) => a.callMs - b.callMs);
  const byReturn = [...operations].sort((a, b) => a.returnMs - b.returnMs);
  const violations: string[] = [];
  let returned = 0;
  let highest: KvOperation | undefined;
  for (const operation of byCall) {
    while (returned < byReturn.length && byReturn[returned].returnMs < operation.callMs) {
      const candidate = byReturn[returned];
      if (highest === undefined || candidate.output!.revision > highest.output!.revision) highest = candidate;
      returned += 1;
    }
    if (highest === undefined) continue;
    const revision = operation.output!.revision;
    const floor = highest.output!.revision;
    const isWrite = writeRevision(operation) !== undefined;
    if (isWrite ? revision > floor : revision >= floor) continue;
    violations.push(`revision went back in real time: ${isWrite ? 'a write at' : 'a response at'} ${revision} was invoked after ` +
      `a call had returned revision ${floor}:\n  ${describeOperation(highest)}\n  ${describeOperation(operation)}`);
    if (violations.length >= violationsMax) break;
  }
  return violations;
}
