// What a leader knows about one follower's log, and how it sends to it: probing one message at a time until
// it finds where their logs match, then replicating optimistically within the inflights window, or waiting for
// a snapshot to be applied.
import { Inflights } from './inflights.ts';

/** How the leader currently sends to a follower. */
export enum ProgressState {
  /** Unknown match: send one MsgApp per heartbeat interval and wait for the answer. */
  Probe = 0,
  /** Known match: stream MsgApps, bounded by the inflights window. */
  Replicate = 1,
  /** A snapshot is on its way: send nothing until it is reported. */
  Snapshot = 2,
}

/** The leader's view of one peer. Invariant: match < next. */
export class Progress {
  /** The highest index known to be in the peer's log. */
  match: number;
  /** The index of the next entry to send. */
  next: number;
  state: ProgressState = ProgressState.Probe;
  /** The index of the snapshot in flight (state Snapshot), else 0. */
  pendingSnapshot = 0;
  /** Whether the peer was heard from since the last check-quorum round. */
  recentActive: boolean;
  /** In the probe state, whether a probe is outstanding (no more until it is answered or a heartbeat returns). */
  probeSent = false;
  readonly inflights: Inflights;
  isLearner: boolean;

  constructor(match: number, next: number, inflights: Inflights, isLearner: boolean, recentActive: boolean) {
    this.match = match;
    this.next = next;
    this.inflights = inflights;
    this.isLearner = isLearner;
    this.recentActive = recentActive;
  }

  /** A copy that shares nothing mutable with this one. */
  clone(): Progress {
    const copy = new Progress(this.match, this.next, this.inflights.clone(), this.isLearner, this.recentActive);
    copy.state = this.state;
    copy.pendingSnapshot = this.pendingSnapshot;
    copy.probeSent = this.probeSent;
    return copy;
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Forgets what a previous leader learned: a new term starts probing from `next`. */
  reset(match: number, next: number): void {
    this.resetState(ProgressState.Probe);
    this.match = match;
    this.next = next;
    this.recentActive = false;
  }

  /** Starts probing from just after the match (or after the snapshot that was just sent). */
  becomeProbe(): void {
    if (this.state === ProgressState.Snapshot) {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState(ProgressState.Probe);
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState(ProgressState.Probe);
      this.next = this.match + 1;
    }
  }

  /** Starts streaming from just after the match. */
  becomeReplicate(): void {
    this.resetState(ProgressState.Replicate);
    this.next = this.match + 1;
  }

  /** Waits for the snapshot at `snapshotIndex`. */
  becomeSnapshot(snapshotIndex: number): void {
    this.resetState(ProgressState.Snapshot);
    this.pendingSnapshot = snapshotIndex;
  }

  /** Raises match to `index` on an acknowledgement; false if it was stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    if (this.next < index + 1) this.next = index + 1;
    return updated;
  }

  /** Records a MsgApp carrying entries up to `lastIndex` (with `bytes` of entries). */
  sentEntries(lastIndex: number, bytes: number): void {
    if (this.state === ProgressState.Replicate) {
      this.next = lastIndex + 1;
      this.inflights.add(lastIndex, bytes);
    } else if (this.state === ProgressState.Probe) {
      this.probeSent = true;
    }
  }

  /**
   * Moves next back after the peer rejected a MsgApp at index `rejected`, using `matchHint` (the highest index at
   * which the logs may match). Returns false for a stale rejection.
   */
  maybeDecreaseTo(rejected: number, matchHint: number): boolean {
    if (this.state === ProgressState.Replicate) {
      // A rejection at or below match is stale: the peer has since acknowledged more.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // Probes go out one at a time, so only a rejection of the latest probe (next - 1) is current.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  /** Whether sending MsgApps to this peer is paused by flow control. */
  isPaused(): boolean {
    switch (this.state) {
      case ProgressState.Probe:
        return this.probeSent;
      case ProgressState.Replicate:
        return this.inflights.full();
      case ProgressState.Snapshot:
        return true;
    }
  }

  /** A one-line description, as etcd prints it. */
  toString(): string {
    let text = `${ProgressState[this.state]} match=${this.match} next=${this.next}`;
    if (this.isLearner) text += ' learner';
    if (this.isPaused()) text += ' paused';
    if (this.pendingSnapshot > 0) text += ` pendingSnap=${this.pendingSnapshot}`;
    if (!this.recentActive) text += ' inactive';
    const count = this.inflights.count();
    if (count > 0) text += ` inflight=${count}${this.inflights.full() ? '[full]' : ''}`;
    return text;
  }
}
