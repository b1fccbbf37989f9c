// A member's log file that never grows without bound: lines are appended to `<name>.log`; past `fileBytesMax`
// the file becomes `<name>.log.1` (older ones shift up to `filesKept`) and a new file starts. Writes are
// synchronous appends of whole lines, so a crash of main loses nothing already handed to the log.
import fs from 'node:fs';
import path from 'node:path';

/** Size at which a log file is rotated, in bytes. */
export const logFileBytesMax = 5 * 1024 * 1024;

/** Rotated files kept besides the current one. */
export const logFilesKept = 3;

/** An append-only log file with size-based rotation. */
export class RotatingLog {
  private bytes: number;

  /** Opens (appends to) `file`. */
  constructor(readonly file: string, private readonly fileBytesMax = logFileBytesMax, private readonly filesKept = logFilesKept) {
    this.bytes = fs.existsSync(file) ? fs.statSync(file).size : 0;
  }

  /** Appends text (whole lines), rotating first when the file would grow past its limit; throws if it cannot write. */
  append(text: string): void {
    const size = Buffer.byteLength(text);
    if (this.bytes > 0 && this.bytes + size > this.fileBytesMax) this.rotate();
    try {
      fs.appendFileSync(this.file, text);
    } catch (error) {
      // The folder was removed while we run (a user cleaning up): make it again, once, and start a new file.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, text);
      this.bytes = 0;
    }
    this.bytes += size;
  }

  private rotate(): void {
    fs.rmSync(`${this.file}.${this.filesKept}`, { force: true });
    for (let index = this.filesKept - 1; index >= 1; index -= 1) {
      if (fs.existsSync(`${this.file}.${index}`)) fs.renameSync(`${this.file}.${index}`, `${this.file}.${index + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.bytes = 0;
  }
}
