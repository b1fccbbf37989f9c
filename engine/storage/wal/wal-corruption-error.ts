// The error a WAL that cannot be trusted is refused with. It names the segment file and the byte offset of
// the first bad record so that an operator can inspect it (or restore the member from a peer).

/** A WAL segment holds a record that is damaged or inconsistent with the records before it. */
export class WalCorruptionError extends Error {
  constructor(
    readonly file: string,
    readonly offsetBytes: number,
    readonly reason: string,
  ) {
    super(`wal: corrupt record in ${file} at byte offset ${offsetBytes}: ${reason}`);
    this.name = 'WalCorruptionError';
  }
}
