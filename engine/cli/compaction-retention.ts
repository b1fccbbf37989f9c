// --auto-compaction-retention is read according to --auto-compaction-mode, as etcd's parseCompactionRetention
// does: in periodic mode a plain number counts hours ("1" is one hour) and anything else is a Go duration
// ("30m"); in revision mode it is a number of revisions.
import { parseGoDuration } from '../common/go-duration.ts';

/** The retention in milliseconds (periodic) or revisions (revision); 0 disables auto compaction. */
export function parseCompactionRetention(mode: 'periodic' | 'revision', text: string): { retention: number } | { error: string } {
  const trimmed = text.trim() === '' ? '0' : text.trim();
  if (/^\d+$/.test(trimmed)) {
    const count = Number(trimmed);
    if (!Number.isSafeInteger(count)) return { error: `--auto-compaction-retention ${JSON.stringify(text)} is out of range` };
    return { retention: mode === 'periodic' ? count * 3_600_000 : count };
  }
  if (mode === 'revision') {
    return { error: `--auto-compaction-retention ${JSON.stringify(text)} must be a number of revisions when --auto-compaction-mode is 'revision'` };
  }
  const parsed = parseGoDuration(trimmed);
  if ('error' in parsed) return { error: `error parsing CompactionRetention: ${parsed.error}` };
  if (parsed.ms < 0) return { error: `--auto-compaction-retention ${JSON.stringify(text)} must not be negative` };
  return { retention: parsed.ms };
}
