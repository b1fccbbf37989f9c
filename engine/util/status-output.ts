// `snapshot status` output in etcdctl's formats: simple (comma-separated), table (tablewriter's look), json
// (snapshot.Status's JSON names) and fields. Sizes are go-humanize's Bytes (SI units, as etcdctl prints them).
import type { SnapshotStatus } from './snapshot-status.ts';

/** The output formats `-w` accepts. */
export const statusFormats = ['simple', 'table', 'json', 'fields'] as const;

/** One of statusFormats. */
export type StatusFormat = (typeof statusFormats)[number];

/** go-humanize's Bytes: "123 B", "2.1 MB", "25 kB". */
export function humanizeBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const exponent = Math.floor(Math.log(bytes) / Math.log(1000));
  const value = Math.floor((bytes / 1000 ** exponent) * 10 + 0.5) / 10;
  return value < 10 ? `${value.toFixed(1)} ${sizes[exponent]}` : `${value.toFixed(0)} ${sizes[exponent]}`;
}

function row(status: SnapshotStatus): string[] {
  return [status.hash.toString(16), String(status.revision), String(status.totalKey), humanizeBytes(status.totalSize)];
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return ' '.repeat(left) + text + ' '.repeat(width - text.length - left);
}

function table(status: SnapshotStatus): string {
  const header = ['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE'];
  const cells = row(status);
  const widths = header.map((title, index) => Math.max(title.length, cells[index]!.length));
  const rule = `+${widths.map((width) => '-'.repeat(width + 2)).join('+')}+`;
  // etcdctl's table printer right-aligns every cell (tablewriter.ALIGN_RIGHT).
  const cell = (text: string, index: number) => text.padStart(widths[index]!);
  return [rule, `| ${header.map((title, index) => center(title, widths[index]!)).join(' | ')} |`, rule, `| ${cells.map(cell).join(' | ')} |`, rule].join('\n');
}

/** The text `snapshot status -w format` prints (without the final newline). */
export function formatStatus(status: SnapshotStatus, format: StatusFormat): string {
  switch (format) {
    case 'simple':
      return row(status).join(', ');
    case 'table':
      return table(status);
    case 'json':
      return JSON.stringify({ hash: status.hash, revision: status.revision, totalKey: status.totalKey, totalSize: status.totalSize });
    case 'fields':
      return [`"Hash" : ${status.hash}`, `"Revision" : ${status.revision}`, `"Keys" : ${status.totalKey}`, `"Size" : ${status.totalSize}`].join('\n');
  }
}
