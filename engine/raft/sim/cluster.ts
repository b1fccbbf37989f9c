// A seeded, randomized run of a Raft cluster: random proposals, membership changes, leadership transfers and
// reads over an unreliable network with partitions and crash-restarts, with every safety invariant checked
// after each step; then the network heals and the cluster must make progress again. runSimulation(seed) is
// deterministic, so a failing seed reproduces exactly.
import { ProposalDroppedError, StepPeerNotFoundError } from '../errors.ts';
import { type ConfChangeSingle, ConfChangeTransition, ConfChangeType, type Message, MessageType, type NodeId, StateType } from '../types.ts';
import { Checker, InvariantViolation } from './checker.ts';
import { type NetworkFaults, reliableNetwork, SimNetwork } from './network.ts';
import { Rng } from './rng.ts';
import { type NodeSettings, SimNode } from './sim-node.ts';

/** What a run is made of. */
export interface SimulationOptions {
  /** Initial voters (3 or 5). */
  voters: number;
  /** Steps of chaos before healing. */
  chaosSteps: number;
  /** Steps the healed cluster gets to commit a new entry everywhere. */
  recoverySteps: number;
}

/** The outcome of a successful run. */
export interface SimulationResult {
  seed: number;
  committedIndex: number;
  leaders: number;
  messagesDelivered: number;
  readsConfirmed: number;
}

/** A failed run, with what is needed to reproduce it. */
export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    cause: Error,
    detail: string,
  ) {
    super(`seed ${seed} failed at step ${step}: ${cause.message}\n${detail}\nreproduce: RAFT_SIM_SEED=${seed} node --import tsx --test engine/raft/simulation.test.ts`);
    this.name = 'SimulationFailure';
    this.cause = cause;
  }
}

const encoder = new TextEncoder();

class Simulation {
  readonly rng: Rng;
  readonly checker: Checker;
  readonly network: SimNetwork;
  readonly nodes = new Map<NodeId, SimNode>();
  readonly settings: NodeSettings;
  step = 0;
  private proposals = 0;
  private readonly maxNodeId: number;
  private readonly splitReadyRate: number;
  private readonly rates: Record<'propose' | 'membership' | 'crash' | 'partition' | 'transfer' | 'read', number>;

  constructor(
    readonly seed: number,
    readonly options: SimulationOptions,
  ) {
    this.rng = new Rng(seed);
    this.checker = new Checker(options.voters);
    const faults: NetworkFaults = {
      dropRate: this.rng.pick([0, 0.02, 0.1, 0.25]),
      duplicateRate: this.rng.pick([0, 0.02, 0.1]),
      maxDelaySteps: this.rng.pick([0, 1, 3, 6]),
    };
    this.network = new SimNetwork(this.rng.fork(), faults);
    // Removed members would disrupt elections if neither protection were on (a known Raft limitation).
    const protection = this.rng.pick([
      { preVote: true, checkQuorum: true },
      { preVote: true, checkQuorum: false },
      { preVote: false, checkQuorum: true },
    ]);
    this.settings = {
      electionTick: 10,
      heartbeatTick: this.rng.pick([1, 2, 3]),
      ...protection,
      maxSizePerMessageBytes: this.rng.pick([0, 64, 256, 4096]),
      maxInflightMessages: this.rng.pick([1, 2, 8, 64]),
      maxInflightBytes: this.rng.pick([0, 128, 1024]),
      maxCommittedSizePerReadyBytes: this.rng.pick([0, 128, 4096]),
    };
    this.splitReadyRate = this.rng.pick([0, 0.3]);
    // Each run draws how often things happen, so that some runs are calm and others very hostile.
    this.rates = {
      propose: this.rng.pick([0.1, 0.25, 0.5]),
      membership: this.rng.pick([0.01, 0.03]),
      crash: this.rng.pick([0.01, 0.02, 0.05]),
      partition: this.rng.pick([0.005, 0.01, 0.03]),
      transfer: this.rng.pick([0, 0.005, 0.02]),
      read: 0.025,
    };
    this.maxNodeId = options.voters + 2;
    const initial = Array.from({ length: options.voters }, (_, i) => BigInt(i + 1));
    for (const id of initial) {
      const sim = this.addNode(id);
      sim.node.bootstrap(initial);
    }
  }

  private addNode(id: NodeId): SimNode {
    const sim = new SimNode(id, this.settings, this.rng.fork(), this.checker);
    sim.start();
    this.nodes.set(id, sim);
    return sim;
  }

  private live(): SimNode[] {
    return [...this.nodes.values()].filter((sim) => !sim.crashed);
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const sim of this.live()) {
      const raft = sim.node.internalRaft;
      if (raft.state === StateType.Leader && (!best || raft.term > best.node.internalRaft.term)) best = sim;
    }
    return best;
  }

  /** One step: random events, a tick, message delivery and Ready processing. */
  runStep(chaos: boolean): void {
    this.step++;
    if (chaos) this.randomEvents();
    for (const sim of this.live()) if (this.rng.chance(0.9)) sim.node.tick();
    const { delivered, lost } = this.network.due(this.step);
    for (const message of delivered) this.deliver(message);
    for (const message of lost) this.reportLoss(message);
    this.processReadies();
    this.checker.checkLeaders(this.nodes.values());
  }

  private deliver(message: Message): void {
    const sim = this.nodes.get(message.to);
    if (!sim || sim.crashed) {
      this.reportLoss(message);
      return;
    }
    try {
      sim.node.step(message);
    } catch (error) {
      // A response from a member this node no longer (or not yet) knows is refused, as etcd does.
      if (!(error instanceof StepPeerNotFoundError)) throw error;
    }
    // The transport reports a snapshot as sent once the receiver has it, as etcd's snapshot stream does.
    if (message.type === MessageType.Snap) this.sender(message)?.node.reportSnapshot(message.to, false);
  }

  /** What a sender's transport reports about a lost message: failed snapshots always, unreachable peers often. */
  private reportLoss(message: Message): void {
    const sender = this.sender(message);
    if (!sender) return;
    if (message.type === MessageType.Snap) sender.node.reportSnapshot(message.to, true);
    else if (this.rng.chance(0.5)) sender.node.reportUnreachable(message.to);
  }

  private sender(message: Message): SimNode | undefined {
    const sim = this.nodes.get(message.from);
    return sim && !sim.crashed ? sim : undefined;
  }

  private processReadies(): void {
    for (const sim of this.live()) {
      if (sim.busy() && this.rng.chance(0.7)) this.network.send(sim.finishReady(), this.step);
      if (!sim.busy() && sim.node.hasReady()) this.network.send(sim.startReady(this.rng.chance(this.splitReadyRate)), this.step);
      if (!sim.busy() && this.rng.chance(0.05)) sim.snapshotAndCompact(this.rng.int(4));
    }
  }

  private randomEvents(): void {
    const rates = this.rates;
    if (this.rng.chance(rates.propose)) this.propose();
    if (this.rng.chance(rates.membership)) this.changeMembership();
    if (this.rng.chance(rates.crash)) this.crashOrRestart();
    if (this.rng.chance(rates.partition)) this.partitionOrHeal();
    if (this.rng.chance(rates.transfer)) this.transferLeadership();
    if (this.rng.chance(rates.read)) this.read();
  }

  private propose(): void {
    const candidates = this.live();
    if (candidates.length === 0) return;
    const sim = this.rng.chance(0.7) ? (this.leader() ?? this.rng.pick(candidates)) : this.rng.pick(candidates);
    const data = encoder.encode(`p${this.seed}-${this.proposals++}${'x'.repeat(this.rng.int(40))}`);
    try {
      sim.node.propose(data);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
    }
  }

  private read(): void {
    const candidates = this.live();
    if (candidates.length === 0) return;
    const sim = this.rng.pick(candidates);
    const context = encoder.encode(`r${this.step}-${sim.id}`);
    this.checker.onReadRequested(context);
    try {
      sim.node.readIndex(context);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
    }
  }

  /** Proposes a random valid change against the leader's applied configuration. */
  private changeMembership(): void {
    const leader = this.leader();
    if (!leader) return;
    const config = leader.node.status().config;
    const propose = (change: Parameters<SimNode['node']['proposeConfChange']>[0]) => {
      try {
        leader.node.proposeConfChange(change);
      } catch (error) {
        if (!(error instanceof ProposalDroppedError)) throw error;
      }
    };
    if (config.votersOutgoing.length > 0) {
      // Explicit joint configurations must be left by an empty change.
      if (!config.autoLeave) propose({ transition: ConfChangeTransition.Auto, changes: [] });
      return;
    }
    const members = new Set([...config.voters, ...config.learners]);
    const outsiders: NodeId[] = [];
    for (let id = 1; id <= this.maxNodeId; id++) if (!members.has(BigInt(id))) outsiders.push(BigInt(id));
    const choices: (() => void)[] = [];
    const single = (type: ConfChangeType, nodeId: NodeId) => () => propose({ id: 0n, type, nodeId });
    if (outsiders.length > 0) {
      const id = this.rng.pick(outsiders);
      this.ensureRunning(id);
      choices.push(single(ConfChangeType.AddLearnerNode, id), single(ConfChangeType.AddNode, id));
    }
    if (config.learners.length > 0) choices.push(single(ConfChangeType.AddNode, this.rng.pick(config.learners)));
    if (config.voters.length > 1) {
      const voter = this.rng.pick(config.voters);
      choices.push(single(ConfChangeType.RemoveNode, voter));
      choices.push(this.jointChange([{ type: ConfChangeType.AddLearnerNode, nodeId: voter }], propose));
    }
    if (outsiders.length > 0 && config.voters.length > 0) {
      const id = this.rng.pick(outsiders);
      this.ensureRunning(id);
      const replaced = this.rng.pick(config.voters);
      choices.push(this.jointChange([{ type: ConfChangeType.AddNode, nodeId: id }, { type: ConfChangeType.RemoveNode, nodeId: replaced }], propose));
    }
    if (choices.length > 0) this.rng.pick(choices)();
  }

  private jointChange(changes: ConfChangeSingle[], propose: (change: { transition: ConfChangeTransition; changes: ConfChangeSingle[] }) => void) {
    return () => propose({ transition: this.rng.pick([ConfChangeTransition.Auto, ConfChangeTransition.JointImplicit, ConfChangeTransition.JointExplicit]), changes });
  }

  /** A member being added must be running (with whatever storage it had, or none). */
  private ensureRunning(id: NodeId): void {
    const sim = this.nodes.get(id);
    if (!sim) this.addNode(id);
    else if (sim.crashed) sim.start();
  }

  private crashOrRestart(): void {
    const crashed = [...this.nodes.values()].filter((sim) => sim.crashed);
    if (crashed.length > 0 && this.rng.chance(0.6)) {
      this.rng.pick(crashed).start();
      return;
    }
    const live = this.live();
    if (live.length > 0) this.rng.pick(live).crash();
  }

  private partitionOrHeal(): void {
    if (this.network.isPartitioned() && this.rng.chance(0.5)) {
      this.network.heal();
      return;
    }
    const ids = [...this.nodes.keys()];
    const groups: NodeId[][] = [[], []];
    for (const id of ids) groups[this.rng.int(2)].push(id);
    // Sometimes isolate a single member, the classic disruptive-rejoin case.
    if (this.rng.chance(0.3)) {
      const lonely = this.rng.pick(ids);
      this.network.partition([[lonely], ids.filter((id) => id !== lonely)]);
    } else {
      this.network.partition(groups);
    }
  }

  private transferLeadership(): void {
    const leader = this.leader();
    if (!leader) return;
    const voters = leader.node.status().config.voters.filter((id) => id !== leader.id);
    if (voters.length > 0) leader.node.transferLeadership(this.rng.pick(voters));
  }

  /** Heals everything and requires a new proposal to be applied by every member of the final configuration. */
  recover(): void {
    this.network.heal();
    this.network.faults = reliableNetwork;
    for (const sim of this.nodes.values()) if (sim.crashed) sim.start();
    const marker = encoder.encode(`final-${this.seed}`);
    let markerIndex = 0;
    const deadline = this.step + this.options.recoverySteps;
    while (this.step < deadline) {
      this.runStep(false);
      const leader = this.leader();
      if (!leader) continue;
      const raft = leader.node.internalRaft;
      if (markerIndex === 0 || raft.log.termOrZero(markerIndex) !== raft.term) {
        // (Re)propose until an entry of the current leader's term carries the marker.
        try {
          leader.node.propose(marker);
          markerIndex = raft.log.lastIndex();
        } catch (error) {
          if (!(error instanceof ProposalDroppedError)) throw error;
        }
        continue;
      }
      const config = leader.node.status().config;
      const members = [...config.voters, ...config.votersOutgoing, ...config.learners];
      if (members.every((id) => (this.nodes.get(id)?.appliedIndex ?? 0) >= markerIndex)) return;
    }
    throw new InvariantViolation(`no progress: the healed cluster did not apply a new entry on every member within ${this.options.recoverySteps} steps`);
  }

  describe(): string {
    const lines = [`settings: ${JSON.stringify(this.settings)} faults: ${JSON.stringify(this.network.faults)} splitReady: ${this.splitReadyRate} rates: ${JSON.stringify(this.rates)}`];
    for (const sim of this.nodes.values()) {
      const status = sim.node.status();
      lines.push(
        `  node ${sim.id}${sim.crashed ? ' (crashed)' : ''}: ${StateType[status.softState.raftState]} term=${status.hardState.term} ` +
          `lead=${status.softState.lead} commit=${status.hardState.commit} applied=${sim.appliedIndex} last=${status.lastIndex} ` +
          `voters=${status.config.voters.join(',')}${status.config.votersOutgoing.length ? ` outgoing=${status.config.votersOutgoing.join(',')}` : ''} learners=${status.config.learners.join(',')}`,
      );
    }
    lines.push(`  leaders by term: ${this.checker.leaderHistory()}`);
    const leader = this.leader();
    if (leader) lines.push(`  leader ${leader.id} progress: ${[...leader.node.internalRaft.tracker.progress].map(([id, pr]) => `${id}: ${pr}`).join('; ')}`);
    return lines.join('\n');
  }
}

/** Runs one seed; throws SimulationFailure (with a reproduction line) if an invariant breaks or progress stalls. */
export function runSimulation(seed: number, options: SimulationOptions): SimulationResult {
  const simulation = new Simulation(seed, options);
  try {
    // Start with an election so that most runs spend their chaos with a leader.
    simulation.nodes.get(1n)!.node.campaign();
    for (let i = 0; i < options.chaosSteps; i++) simulation.runStep(true);
    simulation.recover();
  } catch (error) {
    throw new SimulationFailure(seed, simulation.step, error as Error, simulation.describe());
  }
  return {
    seed,
    committedIndex: simulation.checker.maxCommittedIndex,
    leaders: simulation.checker.leaderHistory().split(' ').length,
    messagesDelivered: simulation.network.delivered,
    readsConfirmed: simulation.checker.readsConfirmed,
  };
}
