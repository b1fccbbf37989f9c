// Splits a child's output chunks into whole lines: a chunk may end in the middle of a line (or of a UTF-8
// character), so the unfinished rest waits for the next chunk. An endless line is cut at `lineCharsMax`.

/** Longest line kept whole, in characters; longer ones are cut so one line cannot exhaust memory. */
export const lineCharsMax = 16 * 1024;

/** Turns a stream of chunks into lines. */
export class LineSplitter {
  private rest = '';
  private readonly decoder = new TextDecoder();

  /** The complete lines in `chunk` (with what earlier chunks left over). */
  push(chunk: Uint8Array): string[] {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    if (this.rest.length > lineCharsMax) {
      parts.push(this.rest.slice(0, lineCharsMax));
      this.rest = '';
    }
    return parts.map((line) => (line.length > lineCharsMax ? line.slice(0, lineCharsMax) : line.replace(/\r$/, '')));
  }

  /** What is left at the end of the stream, as a last line. */
  end(): string[] {
    const last = this.rest + this.decoder.decode();
    this.rest = '';
    return last === '' ? [] : [last];
  }
}
