// Human-readable renderings of Raft data in etcd's format, for logs, traces and the golden-file tests.
import { decodeConfChange, decodeConfChangeV2 } from './confchange-codec.ts';
import { ConfChangeTransition, ConfChangeType, type ConfChangeSingle, type ConfState, type Entry, EntryType, type HardState, type Message, MessageType, type Ready, type Snapshot, type SoftState, StateType } from './types.ts';

const changeLetters: Record<ConfChangeType, string> = {
  [ConfChangeType.AddNode]: 'v',
  [ConfChangeType.RemoveNode]: 'r',
  [ConfChangeType.UpdateNode]: 'u',
  [ConfChangeType.AddLearnerNode]: 'l',
};

/** Conf changes in the short form of etcd's tests: v2 (add voter), l3 (add learner), r1 (remove), u4 (update). */
export function describeChanges(changes: readonly ConfChangeSingle[]): string {
  return changes.map((change) => `${changeLetters[change.type]}${change.nodeId}`).join(' ');
}

/** An entry's payload: quoted text for normal entries, decoded changes for conf changes. */
export function describeEntryData(entry: Entry): string {
  try {
    if (entry.type === EntryType.ConfChange) return describeChanges([decodeConfChange(entry.data)]);
    if (entry.type === EntryType.ConfChangeV2) {
      const change = decodeConfChangeV2(entry.data);
      const changes = describeChanges(change.changes);
      if (change.transition === ConfChangeTransition.Auto) return changes;
      return `${changes} transition=${change.transition === ConfChangeTransition.JointExplicit ? 'explicit' : 'implicit'}`.trim();
    }
    return JSON.stringify(new TextDecoder().decode(entry.data));
  } catch {
    return `<${entry.data.byteLength} undecodable bytes>`;
  }
}

/** An entry as term/index type payload, e.g. 1/3 EntryNormal "foo". */
export function describeEntry(entry: Entry): string {
  const data = describeEntryData(entry);
  return `${entry.term}/${entry.index} Entry${EntryType[entry.type]}${data ? ` ${data}` : ''}`;
}

/** A configuration, as etcd prints ConfState. */
export function describeConfState(state: ConfState): string {
  const list = (ids: bigint[]) => `[${ids.join(' ')}]`;
  return (
    `Voters:${list(state.voters)} VotersOutgoing:${list(state.votersOutgoing)} Learners:${list(state.learners)} ` +
    `LearnersNext:${list(state.learnersNext)} AutoLeave:${state.autoLeave}`
  );
}

/** A snapshot's metadata. */
export function describeSnapshot(snapshot: Snapshot): string {
  const { index, term, confState } = snapshot.metadata;
  return `Index:${index} Term:${term} ConfState:${describeConfState(confState)}`;
}

/** A hard state, leaving out a zero vote. */
export function describeHardState(state: HardState): string {
  return `Term:${state.term}${state.vote !== 0n ? ` Vote:${state.vote}` : ''} Commit:${state.commit}`;
}

/** A soft state. */
export function describeSoftState(state: SoftState): string {
  return `Lead:${state.lead} State:State${StateType[state.raftState]}`;
}

/** A message on one line, e.g. 1->2 MsgApp Term:1 Log:1/3 Commit:4 Entries:[1/4 EntryNormal "x"]. */
export function describeMessage(m: Message): string {
  let text = `${m.from}->${m.to} Msg${MessageType[m.type]} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) text += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) text += ` Commit:${m.commit}`;
  if (m.entries.length > 0) text += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (m.context && m.context.length > 0) text += ` Context:${JSON.stringify(new TextDecoder().decode(m.context))}`;
  if (m.snapshot) text += ` Snapshot: ${describeSnapshot(m.snapshot)}`;
  return text;
}

/** A Ready on several lines, leaving out empty parts. */
export function describeReady(ready: Ready): string {
  const lines = [`Ready MustSync=${ready.mustSync}:`];
  if (ready.softState) lines.push(describeSoftState(ready.softState));
  if (ready.hardState) lines.push(`HardState ${describeHardState(ready.hardState)}`);
  if (ready.readStates.length > 0) {
    lines.push('ReadStates:', ...ready.readStates.map((state) => `Index:${state.index} Context:${JSON.stringify(new TextDecoder().decode(state.requestContext))}`));
  }
  if (ready.entries.length > 0) lines.push('Entries:', ...ready.entries.map(describeEntry));
  if (ready.snapshot) lines.push(`Snapshot ${describeSnapshot(ready.snapshot)}`);
  if (ready.committedEntries.length > 0) lines.push('CommittedEntries:', ...ready.committedEntries.map(describeEntry));
  if (ready.messages.length > 0) lines.push('Messages:', ...ready.messages.map(describeMessage));
  return lines.join('\n');
}
