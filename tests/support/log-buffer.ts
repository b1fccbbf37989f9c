// Keeps the tail of a child process's output in memory, so a failing test can print what the server said without
// an unbounded buffer on a long run: only the newest bytes are kept, and the count of dropped bytes is reported.

/** The bytes of output kept per process by default (the newest ones). */
export const logBytesMaxDefault = 2 * 1024 * 1024;

/** A bounded in-memory log: append chunks, read back the newest `bytesMax` bytes. */
export class LogBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private droppedBytes = 0;

  /** A log that keeps at most `bytesMax` of the newest bytes. */
  constructor(private readonly bytesMax = logBytesMaxDefault) {}

  /** Appends output; drops the oldest chunks once over the limit. */
  append(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.chunks.push(buffer);
    this.bytes += buffer.length;
    while (this.bytes > this.bytesMax && this.chunks.length > 1) {
      const dropped = this.chunks.shift() as Buffer;
      this.bytes -= dropped.length;
      this.droppedBytes += dropped.length;
    }
  }

  /** The kept output as text, prefixed by a note when older output was dropped. */
  text(): string {
    const note = this.droppedBytes > 0 ? `[... ${this.droppedBytes} older bytes dropped ...]\n` : '';
    return note + Buffer.concat(this.chunks).toString('utf8');
  }

  /** The last `lineCount` lines, for short failure messages. */
  tail(lineCount: number): string {
    const lines = Buffer.concat(this.chunks).toString('utf8').trimEnd().split('\n');
    return lines.slice(-lineCount).join('\n');
  }
}
