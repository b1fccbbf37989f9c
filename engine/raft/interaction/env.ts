// The world of an interaction script: numbered RaftNodes over MemoryStorages, a message queue the script
// delivers explicitly, partitions, and an output buffer that captures what happens (including the core's log).
import type { RaftLogger } from '../config.ts';
import { decodeConfChange, decodeConfChangeV2 } from '../confchange-codec.ts';
import { describeMessage, describeReady } from '../describe.ts';
import { MemoryStorage } from '../memory-storage.ts';
import { RaftNode } from '../raw-node.ts';
import { type ConfState, EntryType, type Message, type NodeId, type Snapshot } from '../types.ts';
import { emptyConfState } from '../util.ts';

/** Log levels the env prints. */
export enum LogLevel {
  Debug = 0,
  Info = 1,
  Warn = 2,
  None = 3,
}

/** A MemoryStorage whose snapshot() is the node's latest applied state, as etcd's interaction env does. */
export class EnvStorage extends MemoryStorage {
  latestApplied: () => Snapshot = () => super.snapshot();

  override snapshot(): Snapshot {
    const applied = this.latestApplied();
    return applied.metadata.index > super.snapshot().metadata.index ? applied : super.snapshot();
  }
}

/** One scripted member. */
export interface EnvNode {
  id: NodeId;
  node: RaftNode;
  storage: EnvStorage;
  /** Applied states: data is the concatenation of applied payloads (an "appender" state machine). */
  history: Snapshot[];
  options: NodeOptions;
}

/** Per-node settings from add-nodes. */
export interface NodeOptions {
  preVote: boolean;
  checkQuorum: boolean;
  maxInflightMessages: number;
  maxSizePerMessageBytes: number;
  readOnlyLeaseBased: boolean;
}

/** Election timeout of scripted members, in ticks (the injected rng makes the randomized timeout exactly this). */
export const electionTick = 3;
/** Heartbeat interval of scripted members, in ticks. */
export const heartbeatTick = 1;

/** The scripted cluster. */
export class InteractionEnv {
  readonly nodes: EnvNode[] = [];
  messages: Message[] = [];
  logLevel = LogLevel.Info;
  /** Partition group per node id; nodes in different groups cannot exchange messages. */
  partition: Map<NodeId, number> | undefined;
  private output: string[] = [];
  private indent = '';

  /** Appends output lines (indented inside stabilize). */
  write(text: string): void {
    for (const line of text.split('\n')) this.output.push(this.indent + line);
  }

  /** Returns and clears the output. */
  takeOutput(): string {
    const text = this.output.join('\n');
    this.output = [];
    return text === '' ? 'ok' : text;
  }

  /** Runs `body` with output indented. */
  indented(body: () => void): void {
    const saved = this.indent;
    this.indent += '  ';
    try {
      body();
    } finally {
      this.indent = saved;
    }
  }

  /** A logger that writes at or above the env's level. */
  logger(): RaftLogger {
    const at = (level: LogLevel, label: string) => (message: string) => {
      if (level >= this.logLevel) this.write(`${label} ${message}`);
    };
    return { debug: at(LogLevel.Debug, 'DEBUG'), info: at(LogLevel.Info, 'INFO'), warn: at(LogLevel.Warn, 'WARN') };
  }

  /** The node with `id`. */
  get(id: NodeId): EnvNode {
    const node = this.nodes[Number(id) - 1];
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** Creates a node over `storage` (with its applied history) and registers it. */
  startNode(id: NodeId, storage: EnvStorage, history: Snapshot[], options: NodeOptions): EnvNode {
    const applied = history[history.length - 1].metadata.index;
    const node = new RaftNode({
      id,
      storage,
      rng: () => 0,
      electionTick,
      heartbeatTick,
      applied,
      preVote: options.preVote,
      checkQuorum: options.checkQuorum,
      maxInflightMessages: options.maxInflightMessages,
      maxSizePerMessageBytes: options.maxSizePerMessageBytes,
      readOnlyOption: options.readOnlyLeaseBased ? 1 : 0,
      logger: this.logger(),
    });
    const envNode: EnvNode = { id, node, storage, history, options };
    storage.latestApplied = () => envNode.history[envNode.history.length - 1];
    this.nodes[Number(id) - 1] = envNode;
    return envNode;
  }

  /** Handles one Ready of node `id`: persist, apply, queue messages, advance. */
  processReady(id: NodeId): void {
    const envNode = this.get(id);
    const { node, storage } = envNode;
    const ready = node.ready();
    this.write(describeReady(ready));
    if (ready.hardState) storage.setHardState(ready.hardState);
    if (ready.snapshot) {
      storage.applySnapshot(ready.snapshot);
      envNode.history.push(ready.snapshot);
    }
    storage.append(ready.entries);
    for (const entry of ready.committedEntries) {
      const last = envNode.history[envNode.history.length - 1];
      let confState: ConfState = last.metadata.confState;
      let update: Uint8Array = entry.data;
      if (entry.type === EntryType.ConfChange) {
        const change = decodeConfChange(entry.data);
        confState = node.applyConfChange(change);
        update = change.context ?? new Uint8Array(0);
      } else if (entry.type === EntryType.ConfChangeV2) {
        const change = decodeConfChangeV2(entry.data);
        confState = node.applyConfChange(change);
        update = change.context ?? new Uint8Array(0);
      }
      const data = new Uint8Array(last.data.length + update.length);
      data.set(last.data, 0);
      data.set(update, last.data.length);
      envNode.history.push({ data, metadata: { index: entry.index, term: entry.term, confState } });
    }
    for (const message of ready.messages) {
      // Messages sent across a partition are lost right away (and said so), not delivered after a heal.
      if (this.connected(message.from, message.to)) this.messages.push(message);
      else this.write(`dropped: ${describeMessage(message)}`);
    }
    node.advance();
  }

  /** Delivers the queued messages addressed to `id` (dropping those across a partition); returns how many. */
  deliverMessages(id: NodeId, drop: boolean): number {
    const mine = this.messages.filter((m) => m.to === id);
    if (mine.length === 0) return 0;
    this.messages = this.messages.filter((m) => m.to !== id);
    for (const message of mine) {
      if (drop || !this.connected(message.from, message.to)) {
        this.write(`dropped: ${describeMessage(message)}`);
        continue;
      }
      this.write(describeMessage(message));
      this.indented(() => {
        try {
          this.get(id).node.step(message);
        } catch (error) {
          this.write(`error: ${(error as Error).message}`);
        }
      });
    }
    return mine.length;
  }

  /** Whether two nodes can talk under the current partition. */
  connected(a: NodeId, b: NodeId): boolean {
    if (!this.partition) return true;
    return (this.partition.get(a) ?? -1) === (this.partition.get(b) ?? -1);
  }

  /** The initial applied state of a node started from a snapshot (or of an empty node). */
  static initialHistory(snapshot: Snapshot | undefined): Snapshot[] {
    return [snapshot ?? { data: new Uint8Array(0), metadata: { index: 0, term: 0, confState: emptyConfState() } }];
  }
}
