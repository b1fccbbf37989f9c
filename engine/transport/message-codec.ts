// Cairn's binary encoding of a Raft message between members. It is not raftpb: peers are always Cairn members,
// so the format is ours, compact and cheap to validate. Every field is checked on decode because the bytes come
// from the network: a corrupt or hostile message must become a MessageCodecError, never a crash or a huge
// allocation.
//
// Layout (version 1), integers as unsigned LEB128 varints ("uv") unless noted:
//   u8 version, u8 type, u8 flags (1 reject, 2 context present, 4 snapshot present),
//   u64 to, u64 from (8 bytes big-endian each: member IDs are random 64-bit numbers, a varint saves nothing),
//   uv term, uv logTerm, uv index, uv commit, uv rejectHint,
//   uv entry count, then per entry: uv term, uv index, u8 type, uv data length, data,
//   [context] uv length, bytes,
//   [snapshot] uv index, uv term, four ID lists (voters, learners, votersOutgoing, learnersNext) each as
//              uv count then u64s, u8 autoLeave, uv data length, data.
import { AssertionError } from '../common/assert.ts';
import { peerMessageBytesMaxDefault } from '../common/limits.ts';
import { EntryType, MessageType, type ConfState, type Entry, type Message, type Snapshot } from '../raft/types.ts';
import { ByteReader } from './byte-reader.ts';
import { MessageCodecError } from './message-codec-error.ts';
import { varintBytes, writeVarint } from './varint.ts';

export { MessageCodecError } from './message-codec-error.ts';

/** The version byte every encoded message starts with. */
export const messageCodecVersion = 1;

const flagReject = 1;
const flagContext = 2;
const flagSnapshot = 4;
const flagsKnown = flagReject | flagContext | flagSnapshot;
const messageTypeMax = MessageType.PreVoteResp;
const entryTypeMax = EntryType.ConfChangeV2;

/** Fixed bytes of a message before its variable fields: version, type, flags, to, from. */
const headerBytes = 3 + 8 + 8;

/** The smallest encoding of an entry (term, index, type, data length), which bounds a count against the bytes left. */
const entryBytesMin = 4;

/** The exact number of bytes encodeMessage writes for `message`. */
export function encodedMessageBytes(message: Message): number {
  let size = headerBytes;
  size += varintBytes(message.term) + varintBytes(message.logTerm) + varintBytes(message.index);
  size += varintBytes(message.commit) + varintBytes(message.rejectHint);
  size += varintBytes(message.entries.length);
  for (const entry of message.entries) {
    size += varintBytes(entry.term) + varintBytes(entry.index) + 1 + varintBytes(entry.data.length) + entry.data.length;
  }
  if (message.context) size += varintBytes(message.context.length) + message.context.length;
  if (message.snapshot) size += snapshotBytes(message.snapshot);
  return size;
}

function snapshotBytes(snapshot: Snapshot): number {
  const { metadata } = snapshot;
  const state = metadata.confState;
  let size = varintBytes(metadata.index) + varintBytes(metadata.term);
  for (const ids of [state.voters, state.learners, state.votersOutgoing, state.learnersNext]) size += varintBytes(ids.length) + 8 * ids.length;
  return size + 1 + varintBytes(snapshot.data.length) + snapshot.data.length;
}

/** The bytes of `message` (a fresh buffer of exactly encodedMessageBytes(message)). */
export function encodeMessage(message: Message): Uint8Array {
  const out = new Uint8Array(encodedMessageBytes(message));
  const end = writeMessage(message, out, 0);
  if (!(end === out.length)) throw new AssertionError(`message encoding wrote ${end} of ${out.length} bytes`);
  return out;
}

/**
 * Writes `message` into `target` at `offset` and returns the offset after it; `target` must have room for
 * encodedMessageBytes(message). Lets a frame writer put its header and the message in one buffer.
 */
export function writeMessage(message: Message, target: Uint8Array, offset: number): number {
  if (!(message.type >= 0 && message.type <= messageTypeMax)) throw new AssertionError(`cannot encode message type ${message.type}`);
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  let at = offset;
  target[at++] = messageCodecVersion;
  target[at++] = message.type;
  target[at++] = (message.reject ? flagReject : 0) | (message.context ? flagContext : 0) | (message.snapshot ? flagSnapshot : 0);
  view.setBigUint64(at, BigInt.asUintN(64, message.to));
  view.setBigUint64(at + 8, BigInt.asUintN(64, message.from));
  at += 16;
  at = writeVarint(target, at, message.term);
  at = writeVarint(target, at, message.logTerm);
  at = writeVarint(target, at, message.index);
  at = writeVarint(target, at, message.commit);
  at = writeVarint(target, at, message.rejectHint);
  at = writeVarint(target, at, message.entries.length);
  for (const entry of message.entries) at = writeEntry(entry, target, at);
  if (message.context) at = writeBytes(target, at, message.context);
  if (message.snapshot) at = writeSnapshot(message.snapshot, target, view, at);
  return at;
}

function writeEntry(entry: Entry, target: Uint8Array, offset: number): number {
  if (!(entry.type >= 0 && entry.type <= entryTypeMax)) throw new AssertionError(`cannot encode entry type ${entry.type}`);
  let at = writeVarint(target, offset, entry.term);
  at = writeVarint(target, at, entry.index);
  target[at++] = entry.type;
  return writeBytes(target, at, entry.data);
}

function writeSnapshot(snapshot: Snapshot, target: Uint8Array, view: DataView, offset: number): number {
  const { metadata } = snapshot;
  const state = metadata.confState;
  let at = writeVarint(target, offset, metadata.index);
  at = writeVarint(target, at, metadata.term);
  for (const ids of [state.voters, state.learners, state.votersOutgoing, state.learnersNext]) {
    at = writeVarint(target, at, ids.length);
    for (const id of ids) {
      view.setBigUint64(at, BigInt.asUintN(64, id));
      at += 8;
    }
  }
  target[at++] = state.autoLeave ? 1 : 0;
  return writeBytes(target, at, snapshot.data);
}

function writeBytes(target: Uint8Array, offset: number, bytes: Uint8Array): number {
  const at = writeVarint(target, offset, bytes.length);
  target.set(bytes, at);
  return at + bytes.length;
}

/**
 * The message encoded in `bytes`. Throws MessageCodecError when the bytes are longer than `bytesMax`, truncated,
 * followed by trailing bytes, of another codec version, or hold a value outside its range. Byte fields are copies,
 * so the message never keeps the (possibly much larger) network buffer alive.
 */
export function decodeMessage(bytes: Uint8Array, bytesMax = peerMessageBytesMaxDefault): Message {
  if (bytes.length > bytesMax) throw new MessageCodecError(`message of ${bytes.length} bytes exceeds the limit of ${bytesMax} bytes`);
  const reader = new ByteReader(bytes);
  const version = reader.u8('version');
  if (version !== messageCodecVersion) throw new MessageCodecError(`unsupported message codec version ${version} (expected ${messageCodecVersion})`);
  const type = reader.u8('message type');
  if (type > messageTypeMax) throw new MessageCodecError(`bad message type ${type}`);
  const flags = reader.u8('flags');
  if ((flags & ~flagsKnown) !== 0) throw new MessageCodecError(`bad message flags 0x${flags.toString(16)}`);
  const message: Message = {
    type: type as MessageType,
    to: reader.u64('to'),
    from: reader.u64('from'),
    term: reader.varint('term'),
    logTerm: reader.varint('logTerm'),
    index: reader.varint('index'),
    commit: reader.varint('commit'),
    entries: [],
    reject: (flags & flagReject) !== 0,
    rejectHint: reader.varint('rejectHint'),
  };
  const count = reader.count('entry count', entryBytesMin);
  for (let position = 0; position < count; position++) message.entries.push(readEntry(reader));
  if ((flags & flagContext) !== 0) message.context = reader.bytes('context');
  if ((flags & flagSnapshot) !== 0) message.snapshot = readSnapshot(reader);
  if (!reader.done()) throw new MessageCodecError(`${reader.remaining()} trailing bytes after the message`);
  return message;
}

function readEntry(reader: ByteReader): Entry {
  const term = reader.varint('entry term');
  const index = reader.varint('entry index');
  const type = reader.u8('entry type');
  if (type > entryTypeMax) throw new MessageCodecError(`bad entry type ${type}`);
  return { term, index, type: type as EntryType, data: reader.bytes('entry data') };
}

function readSnapshot(reader: ByteReader): Snapshot {
  const index = reader.varint('snapshot index');
  const term = reader.varint('snapshot term');
  const confState: ConfState = {
    voters: reader.ids('voters'),
    learners: reader.ids('learners'),
    votersOutgoing: reader.ids('votersOutgoing'),
    learnersNext: reader.ids('learnersNext'),
    autoLeave: false,
  };
  const autoLeave = reader.u8('autoLeave');
  if (autoLeave > 1) throw new MessageCodecError(`bad autoLeave value ${autoLeave}`);
  confState.autoLeave = autoLeave === 1;
  return { metadata: { index, term, confState }, data: reader.bytes('snapshot data') };
}
