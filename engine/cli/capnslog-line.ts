// One log line in the format of capnslog, the logger etcd 3.4 uses until its own logger is configured (and by
// default): "2006-01-02 15:04:05.000000 E | etcdmain: message". etcd prints the problems it finds in its flags,
// its ETCD_* variables and its config file this way, so Cairn prints them the same way before it exits.

/** capnslog's one-letter levels: info, warning, error, critical (fatal). */
export type CapnslogLevel = 'I' | 'W' | 'E' | 'C';

/** The line, without its newline, stamped with `now` in local time as capnslog does. */
export function capnslogLine(now: Date, level: CapnslogLevel, packageName: string, message: string): string {
  return `${capnslogTimestamp(now)} ${level} | ${packageName}: ${message}`;
}

/** Go's layout "2006-01-02 15:04:05.000000"; a Date has milliseconds only, so the last three digits are zeros. */
function capnslogTimestamp(now: Date): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}000`;
  return `${date} ${time}`;
}
