// The commands of interaction scripts. Each writes what happened to the env's output.
import { describeEntry } from '../describe.ts';
import { describeTrackerConfig } from '../tracker.ts';
import { ProgressState } from '../progress.ts';
import { type ConfChangeSingle, ConfChangeTransition, ConfChangeType, type NodeId, StateType } from '../types.ts';
import { parseArgs, parseIdList } from './datadriven.ts';
import { EnvStorage, InteractionEnv, LogLevel, type NodeOptions } from './env.ts';

type Handler = (env: InteractionEnv, args: string[]) => void;

const encoder = new TextEncoder();

function nodeIds(env: InteractionEnv, positional: string[]): NodeId[] {
  if (positional.length > 0) return positional.map((id) => BigInt(id));
  return env.nodes.map((node) => node.id);
}

function firstId(args: string[]): NodeId {
  if (args.length === 0) throw new Error('a node id is required');
  return BigInt(args[0]);
}

function addNodes(env: InteractionEnv, args: string[]): void {
  const { positional, named } = parseArgs(args);
  const count = Number(positional[0]);
  const voters = parseIdList(named.get('voters'));
  const learners = parseIdList(named.get('learners'));
  const index = Number(named.get('index') ?? '0');
  const bootstrap = named.get('bootstrap') === 'true';
  const options: NodeOptions = {
    preVote: named.get('prevote') !== 'false',
    checkQuorum: named.get('checkquorum') !== 'false',
    maxInflightMessages: Number(named.get('max-inflight') ?? '256'),
    maxSizePerMessageBytes: Number(named.get('max-size') ?? String(Number.POSITIVE_INFINITY)),
    readOnlyLeaseBased: named.get('read-only') === 'lease',
  };
  for (let i = 0; i < count; i++) {
    const id = BigInt(env.nodes.length + 1);
    const storage = new EnvStorage();
    let snapshot;
    if (!bootstrap && (voters.length > 0 || learners.length > 0)) {
      if (index <= 1) throw new Error('index must be specified as > 1 due to bootstrap');
      const confState = { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
      snapshot = { data: encoder.encode(named.get('content') ?? ''), metadata: { index, term: 1, confState } };
      storage.applySnapshot(snapshot);
    }
    const envNode = env.startNode(id, storage, InteractionEnv.initialHistory(snapshot), options);
    if (bootstrap) envNode.node.bootstrap(voters);
  }
}

function campaign(env: InteractionEnv, args: string[]): void {
  env.get(firstId(args)).node.campaign();
}

function propose(env: InteractionEnv, args: string[]): void {
  try {
    env.get(firstId(args)).node.propose(encoder.encode(args[1] ?? ''));
  } catch (error) {
    env.write(`error: ${(error as Error).message}`);
  }
}

function proposeConfChange(env: InteractionEnv, args: string[]): void {
  const { positional, named } = parseArgs(args.slice(1));
  const changes: ConfChangeSingle[] = positional.map((token) => {
    const types: Record<string, ConfChangeType> = {
      v: ConfChangeType.AddNode,
      l: ConfChangeType.AddLearnerNode,
      r: ConfChangeType.RemoveNode,
      u: ConfChangeType.UpdateNode,
    };
    const type = types[token[0]];
    if (type === undefined) throw new Error(`unknown conf change ${token}`);
    return { type, nodeId: BigInt(token.slice(1)) };
  });
  const transitions: Record<string, ConfChangeTransition> = {
    auto: ConfChangeTransition.Auto,
    implicit: ConfChangeTransition.JointImplicit,
    explicit: ConfChangeTransition.JointExplicit,
  };
  const transition = transitions[named.get('transition') ?? 'auto'];
  const node = env.get(firstId(args)).node;
  try {
    if (named.get('v1') === 'true') {
      if (changes.length !== 1) throw new Error('v1 takes exactly one change');
      node.proposeConfChange({ id: 0n, type: changes[0].type, nodeId: changes[0].nodeId });
    } else {
      node.proposeConfChange({ transition, changes });
    }
  } catch (error) {
    env.write(`error: ${(error as Error).message}`);
  }
}

function processReady(env: InteractionEnv, args: string[]): void {
  const ids = nodeIds(env, parseArgs(args).positional);
  for (const id of ids) {
    if (ids.length > 1) env.write(`> ${id} handling Ready`);
    const body = () => {
      if (env.get(id).node.hasReady()) env.processReady(id);
      else env.write('<empty Ready>');
    };
    if (ids.length > 1) env.indented(body);
    else body();
  }
}

function deliverMessages(env: InteractionEnv, args: string[]): void {
  const { positional, named } = parseArgs(args);
  const drop = named.get('drop') === 'true';
  let delivered = 0;
  for (const id of nodeIds(env, positional)) delivered += env.deliverMessages(id, drop);
  if (delivered === 0) env.write('no messages');
}

/** Processes Readys and delivers messages among `ids` until nothing moves. */
function stabilize(env: InteractionEnv, args: string[]): void {
  const ids = nodeIds(env, parseArgs(args).positional);
  for (let round = 0; round < 1000; round++) {
    let moved = false;
    for (const id of ids) {
      if (env.get(id).node.hasReady()) {
        moved = true;
        env.write(`> ${id} handling Ready`);
        env.indented(() => env.processReady(id));
      }
    }
    for (const id of ids) {
      if (!env.messages.some((m) => m.to === id)) continue;
      moved = true;
      env.write(`> ${id} receiving messages`);
      env.indented(() => env.deliverMessages(id, false));
    }
    if (!moved) return;
  }
  throw new Error('stabilize did not converge in 1000 rounds');
}

function tick(env: InteractionEnv, id: NodeId, count: number): void {
  for (let i = 0; i < count; i++) env.get(id).node.tick();
}

function raftLog(env: InteractionEnv, args: string[]): void {
  const storage = env.get(firstId(args)).storage;
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  if (last < first) {
    env.write(`log is empty: first index=${first}, last index=${last}`);
    return;
  }
  for (const entry of storage.entries(first, last + 1, Number.POSITIVE_INFINITY)) env.write(describeEntry(entry));
}

function raftState(env: InteractionEnv): void {
  for (const envNode of env.nodes) {
    const status = envNode.node.status();
    const role = status.config.voters.includes(envNode.id) || status.config.votersOutgoing.includes(envNode.id) ? 'Voter' : 'Non-Voter';
    env.write(
      `${envNode.id}: State${StateType[status.softState.raftState]} (${role}) Term:${status.hardState.term} Lead:${status.softState.lead} ` +
        `Commit:${status.hardState.commit} Applied:${status.applied}`,
    );
  }
}

function status(env: InteractionEnv, args: string[]): void {
  const node = env.get(firstId(args)).node;
  const status = node.status();
  env.write(`config: ${describeTrackerConfig(node.internalRaft.tracker.config)}`);
  if (!status.progress) {
    env.write(`${status.id} is not the leader (StateType ${StateType[status.softState.raftState]})`);
    return;
  }
  for (const [id, pr] of status.progress) {
    let text = `${id}: State${ProgressState[pr.state]} match=${pr.match} next=${pr.next}`;
    if (pr.isLearner) text += ' learner';
    if (pr.paused) text += ' paused';
    if (pr.pendingSnapshot > 0) text += ` pendingSnap=${pr.pendingSnapshot}`;
    if (!pr.recentActive) text += ' inactive';
    if (pr.inflightMessages > 0) text += ` inflight=${pr.inflightMessages}`;
    env.write(text);
  }
}

function partition(env: InteractionEnv, args: string[]): void {
  // partition 1 / 2 3: each slash-separated group can only talk within itself.
  const groups = args.join(' ').split('/');
  const map = new Map<NodeId, number>();
  groups.forEach((group, index) => {
    for (const id of group.trim().split(/\s+/).filter(Boolean)) map.set(BigInt(id), index);
  });
  env.partition = map;
}

function restart(env: InteractionEnv, args: string[]): void {
  const id = firstId(args);
  const old = env.get(id);
  // Unpersisted state is lost; the state machine restarts from the storage's snapshot and replays the log.
  const snapshotIndex = old.storage.firstIndex() - 1;
  const history = old.history.filter((state) => state.metadata.index <= snapshotIndex);
  env.messages = env.messages.filter((m) => m.from !== id);
  env.startNode(id, old.storage, history.length > 0 ? history : InteractionEnv.initialHistory(undefined), old.options);
}

const handlers: Record<string, Handler> = {
  'add-nodes': addNodes,
  campaign,
  propose,
  'propose-conf-change': proposeConfChange,
  'process-ready': processReady,
  'deliver-msgs': deliverMessages,
  stabilize,
  'tick-heartbeat': (env, args) => tick(env, firstId(args), 1),
  'tick-election': (env, args) => tick(env, firstId(args), 3),
  tick: (env, args) => tick(env, firstId(args), Number(args[1] ?? '1')),
  'raft-log': raftLog,
  'raft-state': raftState,
  status,
  partition,
  heal: (env) => {
    env.partition = undefined;
  },
  'transfer-leadership': (env, args) => {
    const { named } = parseArgs(args);
    env.get(BigInt(named.get('from')!)).node.transferLeadership(BigInt(named.get('to')!));
  },
  'read-index': (env, args) => {
    try {
      env.get(firstId(args)).node.readIndex(encoder.encode(args[1] ?? ''));
    } catch (error) {
      env.write(`error: ${(error as Error).message}`);
    }
  },
  'report-unreachable': (env, args) => env.get(firstId(args)).node.reportUnreachable(BigInt(args[1])),
  'report-snapshot': (env, args) => {
    const { positional, named } = parseArgs(args);
    env.get(BigInt(positional[0])).node.reportSnapshot(BigInt(positional[1]), named.get('failed') === 'true');
  },
  compact: (env, args) => env.get(firstId(args)).storage.compact(Number(args[1])),
  restart,
  'log-level': (env, args) => {
    const levels: Record<string, LogLevel> = { debug: LogLevel.Debug, info: LogLevel.Info, warn: LogLevel.Warn, none: LogLevel.None };
    const level = levels[args[0]];
    if (level === undefined) throw new Error(`unknown log level ${args[0]}`);
    env.logLevel = level;
  },
};

/** Runs one command and returns its output; with the argument quiet=true the output is discarded (setup steps). */
export function runCommand(env: InteractionEnv, command: string, args: string[]): string {
  const handler = handlers[command];
  if (!handler) throw new Error(`unknown command ${command}`);
  const quiet = args.includes('quiet=true');
  handler(
    env,
    args.filter((arg) => arg !== 'quiet=true'),
  );
  const output = env.takeOutput();
  return quiet ? 'ok' : output;
}
