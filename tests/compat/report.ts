// Formats a compat mismatch so that it can be understood and replayed from the test output alone.
import { describe } from './normalize.ts';
import type { Mismatch } from './lockstep.ts';
import type { CompatTarget } from './targets.ts';

/** Where a run came from, for the report and the replay command. */
export interface RunLabel {
  target: CompatTarget;
  /** `random seed N` or `fixed case "name"`. */
  name: string;
  seed?: number;
  operationsPerSeed?: number;
}

/** A multi-line report: which run, which operation, the request, both answers, the first difference, a replay. */
export function mismatchReport(label: RunLabel, mismatch: Mismatch, logTail: string): string {
  const where = mismatch.index >= 0 ? `operation #${mismatch.index} (${mismatch.what})` : `end-of-run check: ${mismatch.what}`;
  const replay = label.seed === undefined
    ? `COMPAT_TARGET=${label.target} node --import tsx --test --test-name-pattern='${label.name}' tests/compat/compat.test.ts`
    : `COMPAT_TARGET=${label.target} COMPAT_SEED=${label.seed} COMPAT_OPS=${label.operationsPerSeed} ` +
      'node --import tsx --test tests/compat/compat.test.ts';
  return [
    `compat mismatch, target ${label.target}, ${label.name}, ${where}`,
    ...(mismatch.operation ? [`  request:  ${describe(mismatch.operation)}`] : []),
    `  reference etcd:  ${describe(mismatch.reference)}`,
    `  subject ${label.target}:${' '.repeat(Math.max(1, 8 - label.target.length))}${describe(mismatch.subject)}`,
    `  first difference at ${mismatch.path}`,
    `  replay:   ${replay}`,
    '  server logs (last lines):',
    logTail.replace(/^/gm, '    '),
  ].join('\n');
}
