// Node's file-system errors worded as Go's *os.PathError ("open /etc/etcd.yml: no such file or directory"), which
// is how etcd reports a config file it cannot read. Operators and scripts match on etcd's wording, and Node's own
// ("ENOENT: no such file or directory, open '/etc/etcd.yml'") differs in order and quoting.

/** Go's error texts (the C library's strerror) for the errno codes Node reports with different words. */
const goErrnoTexts: Readonly<Record<string, string>> = {
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** The Go *os.PathError text for `error`, thrown while reading the file at `path`. */
export function goPathError(error: unknown, path: string): string {
  const { code, syscall, message } = (error ?? {}) as { code?: unknown; syscall?: unknown; message?: unknown };
  const operation = typeof syscall === 'string' ? syscall : 'open';
  if (typeof code === 'string' && goErrnoTexts[code]) return `${operation} ${path}: ${goErrnoTexts[code]}`;
  // An error Go has no fixed text for: keep Node's description, without its "CODE: " prefix and ", open '...'" suffix.
  const text = typeof message === 'string' ? message : String(error);
  const description = typeof code === 'string' ? text.replace(`${code}: `, '').replace(/, \w+ '.*'$/, '').replace(/, \w+$/, '') : text;
  return `${operation} ${path}: ${description}`;
}
