// The newest lines of a member's output in memory, for the log view and for error messages: a bounded ring, so
// a chatty member cannot grow main's memory.

/** A bounded list of the newest lines. */
export class LineRing {
  private readonly lines: string[] = [];

  /** A ring that keeps at most `linesMax` lines. */
  constructor(private readonly linesMax: number) {}

  /** Adds lines, dropping the oldest ones past the limit. */
  push(lines: readonly string[]): void {
    this.lines.push(...lines);
    if (this.lines.length > this.linesMax) this.lines.splice(0, this.lines.length - this.linesMax);
  }

  /** The newest `count` lines, oldest first. */
  tail(count: number): string[] {
    return this.lines.slice(-count);
  }
}
