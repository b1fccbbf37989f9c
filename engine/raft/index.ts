// The Raft core's public surface: what the server and transport import.
export { RaftNode, type Peer } from './raw-node.ts';
export { MemoryStorage } from './memory-storage.ts';
export type { Storage, InitialState } from './storage.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './types.ts';
export { type Status, type ProgressStatus } from './status.ts';
export { ProgressState } from './progress.ts';
export { encodeConfChange, decodeConfChange, encodeConfChangeV2, decodeConfChangeV2 } from './confchange-codec.ts';
export { describeEntry, describeMessage, describeReady, describeSnapshot } from './describe.ts';
export { isEmptySnapshot, isLocalMessage, isResponseMessage } from './util.ts';
