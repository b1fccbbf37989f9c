import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryType, MessageType, type Message } from '../raft/types.ts';
import { decodeMessage, encodedMessageBytes, encodeMessage, MessageCodecError, messageCodecVersion } from './message-codec.ts';

/** A seeded PRNG (mulberry32), so a failing case can be reproduced from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMessage(random: () => number): Message {
  const integer = (max: number) => Math.floor(random() * (max + 1));
  const number = () => [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER][integer(8)]! - (random() < 0.5 ? 0 : integer(1));
  const id = () => (random() < 0.2 ? 0n : (BigInt(Math.floor(random() * 2 ** 32)) << 32n) | BigInt(Math.floor(random() * 2 ** 32)));
  const bytes = (max: number) => Uint8Array.from({ length: integer(max) }, () => integer(255));
  const ids = () => Array.from({ length: integer(5) }, id);
  const message: Message = {
    type: integer(18) as MessageType,
    to: id(),
    from: id(),
    term: Math.max(0, number()),
    logTerm: Math.max(0, number()),
    index: Math.max(0, number()),
    entries: Array.from({ length: integer(6) }, () => ({ term: Math.max(0, number()), index: Math.max(0, number()), type: integer(2) as EntryType, data: bytes(300) })),
    commit: Math.max(0, number()),
    reject: random() < 0.5,
    rejectHint: Math.max(0, number()),
  };
  if (random() < 0.4) message.context = bytes(40);
  if (random() < 0.3) {
    message.snapshot = {
      data: bytes(500),
      metadata: { index: Math.max(0, number()), term: Math.max(0, number()), confState: { voters: ids(), learners: ids(), votersOutgoing: ids(), learnersNext: ids(), autoLeave: random() < 0.5 } },
    };
  }
  return message;
}

function fullMessage(): Message {
  return {
    type: MessageType.Snap,
    to: 0xffffffffffffffffn,
    from: 0x8e9e05c52164694dn,
    term: 7,
    logTerm: 6,
    index: 1_000_000,
    entries: [
      { term: 6, index: 999_999, type: EntryType.Normal, data: new Uint8Array([1, 2, 3]) },
      { term: 7, index: 1_000_000, type: EntryType.ConfChangeV2, data: new Uint8Array(0) },
    ],
    commit: 999_998,
    reject: true,
    rejectHint: 12,
    context: new Uint8Array([9, 9]),
    snapshot: {
      data: new Uint8Array([4, 5]),
      metadata: { index: 900, term: 5, confState: { voters: [1n, 2n], learners: [3n], votersOutgoing: [1n], learnersNext: [3n], autoLeave: true } },
    },
  };
}

test('a message with every field set round-trips, and its size is known before encoding', () => {
  const message = fullMessage();
  const bytes = encodeMessage(message);
  assert.equal(bytes.length, encodedMessageBytes(message));
  assert.equal(bytes[0], messageCodecVersion);
  assert.deepEqual(decodeMessage(bytes), message);
});

test('absent context and snapshot stay absent; an empty context stays present', () => {
  const message: Message = { ...fullMessage(), context: undefined, snapshot: undefined };
  delete message.context;
  delete message.snapshot;
  const decoded = decodeMessage(encodeMessage(message));
  assert.equal('context' in decoded, false);
  assert.equal('snapshot' in decoded, false);
  const withEmpty = decodeMessage(encodeMessage({ ...message, context: new Uint8Array(0) }));
  assert.deepEqual(withEmpty.context, new Uint8Array(0));
});

test('decoded byte fields are copies that do not keep the network buffer alive', () => {
  const bytes = encodeMessage(fullMessage());
  const decoded = decodeMessage(bytes);
  assert.notEqual(decoded.entries[0]!.data.buffer, bytes.buffer);
  assert.equal(decoded.entries[0]!.data.buffer.byteLength, 3);
});

test('1,000 random messages round-trip exactly', () => {
  for (let seed = 1; seed <= 1000; seed++) {
    const message = randomMessage(prng(seed));
    const bytes = encodeMessage(message);
    assert.equal(bytes.length, encodedMessageBytes(message), `seed ${seed}`);
    assert.deepEqual(decodeMessage(bytes), message, `seed ${seed}`);
  }
});

test('every truncation of a message is a MessageCodecError', () => {
  const bytes = encodeMessage(fullMessage());
  for (let length = 0; length < bytes.length; length++) {
    assert.throws(() => decodeMessage(bytes.subarray(0, length)), MessageCodecError, `length ${length}`);
  }
});

test('random corruption decodes or fails with a MessageCodecError, never another error', () => {
  const random = prng(42);
  for (let round = 0; round < 1500; round++) {
    const bytes = encodeMessage(randomMessage(random));
    const flips = 1 + Math.floor(random() * 4);
    for (let flip = 0; flip < flips; flip++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    try {
      decodeMessage(bytes);
    } catch (error) {
      assert.ok(error instanceof MessageCodecError, `round ${round}: ${String(error)}`);
    }
  }
});

test('bad version, type, flags, entry type, autoLeave and trailing bytes are refused with a clear reason', () => {
  const good = encodeMessage(fullMessage());
  const corrupt = (offset: number, value: number) => {
    const bytes = good.slice();
    bytes[offset] = value;
    return bytes;
  };
  assert.throws(() => decodeMessage(corrupt(0, 2)), /unsupported message codec version 2/);
  assert.throws(() => decodeMessage(corrupt(1, 19)), /bad message type 19/);
  assert.throws(() => decodeMessage(corrupt(2, 0x80)), /bad message flags/);
  assert.throws(() => decodeMessage(Buffer.concat([good, Buffer.from([0])])), /1 trailing bytes/);
  const plain = encodeMessage({ ...fullMessage(), context: undefined, snapshot: undefined, entries: [{ term: 1, index: 1, type: EntryType.Normal, data: new Uint8Array(0) }] });
  // The only entry is last: term, index, type, then a zero data length, so its type is the second-last byte.
  const entryTypeOffset = plain.length - 2;
  const badEntry = plain.slice();
  badEntry[entryTypeOffset] = 3;
  assert.throws(() => decodeMessage(badEntry), /bad entry type 3/);
  const snapshotOnly: Message = { ...fullMessage(), entries: [], context: undefined };
  const snapshotBytes = encodeMessage(snapshotOnly);
  // autoLeave sits just before the snapshot data's length byte and its two bytes.
  const badAutoLeave = snapshotBytes.slice();
  badAutoLeave[snapshotBytes.length - 4] = 2;
  assert.throws(() => decodeMessage(badAutoLeave), /bad autoLeave value 2/);
});

test('oversized messages, forged counts and overlong varints are refused before allocating', () => {
  const bytes = encodeMessage(fullMessage());
  assert.throws(() => decodeMessage(bytes, bytes.length - 1), /exceeds the limit/);
  // A message that claims 2^40 entries with no bytes behind them.
  const header = encodeMessage({ ...fullMessage(), entries: [], context: undefined, snapshot: undefined });
  const forged = Buffer.concat([header.subarray(0, header.length - 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x20])]);
  assert.throws(() => decodeMessage(forged), /entry count \d+ exceeds the \d+ bytes left/);
  const overlong = Buffer.concat([header.subarray(0, 19), Buffer.alloc(9, 0xff)]);
  assert.throws(() => decodeMessage(overlong), /term varint is longer than 8 bytes/);
  const unsafe = Buffer.concat([header.subarray(0, 19), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])]);
  assert.throws(() => decodeMessage(unsafe), /term \d+ is out of range/);
});
