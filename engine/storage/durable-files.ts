// Small helpers for making file-system changes durable: a rename or unlink is only durable once the directory
// holding it is synced, and data written by someone else (LMDB's copy thread) only once the file is synced.
import fs from 'node:fs';
import path from 'node:path';

/** fsyncs a file's data and metadata. */
export async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * fsyncs a directory, making the creation, renaming or removal of its entries durable. Windows cannot open a
 * directory for syncing (NTFS journals its metadata instead), so there it does nothing.
 */
export async function fsyncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  await fsyncFile(directory);
}

/** fsyncDirectory, synchronously (for code that must not yield to the event loop). */
export function fsyncDirectorySync(directory: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to `file` atomically and durably: a temporary file, fsync, rename, fsync of the directory. */
export async function writeFileDurably(file: string, data: Uint8Array): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await fs.promises.open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temporary, file);
  await fsyncDirectory(path.dirname(file));
}
