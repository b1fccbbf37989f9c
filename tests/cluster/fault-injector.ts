// A seeded fault injector for a proxied cluster: in turns, it waits a quiet moment, picks a fault and a member
// (the leader half of the time, since faults there matter most), holds the fault for a while, and repairs it
// before the next one, so at most one member is faulty at a time and a majority normally stays up:
//   kill       SIGKILL, then restart on the same data dir (and wait until it is ready again);
//   pause      SIGSTOP, then SIGCONT;
//   partition  cut all of the member's peer links (blackhole or reset), then heal;
//   latency    delay all of its peer traffic, then heal.
// Choices follow the seed; their timing (and so the leader picked) depends on the cluster.
import { Rng } from '../compat/rng.ts';
import type { MemberHandle } from '../support/member.ts';
import type { PeerNetwork } from '../support/peer-network.ts';

/** The faults the injector can apply. */
export type FaultKind = 'kill' | 'pause' | 'partition' | 'latency';

/** What the injector does to a member (a MemberHandle, or a fake in unit tests). */
export type FaultableMember = Pick<MemberHandle, 'name' | 'running' | 'kill' | 'start' | 'waitReady'>;

/** What the injector needs of a cluster (a ProxiedCluster, or a fake in unit tests). */
export interface FaultTarget {
  readonly members: readonly FaultableMember[];
  readonly network: Pick<PeerNetwork, 'isolate' | 'delay' | 'heal'>;
  leader(): Promise<FaultableMember | undefined>;
}

/** Every kind of fault, the default choice. */
export const allFaultKinds: readonly FaultKind[] = ['kill', 'pause', 'partition', 'latency'];

/** One fault as applied, for the test's report. */
export interface FaultRecord {
  kind: FaultKind;
  member: string;
  /** Leader at the time the fault was chosen. */
  wasLeader: boolean;
  detail: string;
  /** When the fault started and was repaired, in ms since the injector started. */
  startMs: number;
  endMs: number;
}

/** Options of a FaultInjector. */
export interface FaultInjectorOptions {
  seed: number;
  kinds?: readonly FaultKind[];
  /** How long each fault lasts, in milliseconds. */
  faultMsMin?: number;
  faultMsMax?: number;
  /** Quiet time between faults, in milliseconds. */
  quietMsMin?: number;
  quietMsMax?: number;
  /** How long a restarted member may take to become ready again. */
  restartReadyTimeoutMs?: number;
  /** Called with one line per fault, for the test's diagnostics. */
  log?: (line: string) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Applies seeded faults to a cluster until told to stop; always leaves the cluster repaired. */
export class FaultInjector {
  /** Every fault applied so far. */
  readonly faults: FaultRecord[] = [];
  private readonly rng: Rng;
  private readonly startedMs = performance.now();
  private readonly paused = new Set<FaultableMember>();

  /** An injector for `cluster`; call run(). */
  constructor(private readonly cluster: FaultTarget, private readonly options: FaultInjectorOptions) {
    this.rng = new Rng(options.seed);
  }

  private now(): number {
    return performance.now() - this.startedMs;
  }

  /** Applies faults until `durationMs` have passed, then repairs everything. */
  async run(durationMs: number): Promise<FaultRecord[]> {
    const endMs = this.now() + durationMs;
    try {
      while (this.now() < endMs) {
        await sleep(Math.min(this.rng.int(this.options.quietMsMin ?? 500, this.options.quietMsMax ?? 1_500), Math.max(0, endMs - this.now())));
        const faultMsMin = this.options.faultMsMin ?? 1_000;
        // A fault shorter than the minimum proves little; one past the end would eat the healthy tail.
        if (endMs - this.now() < faultMsMin) break;
        const faultMs = Math.round(Math.min(this.rng.int(faultMsMin, this.options.faultMsMax ?? 3_000), endMs - this.now()));
        await this.injectOne(faultMs);
      }
    } finally {
      await this.repairAll();
    }
    return this.faults;
  }

  private async pickMember(): Promise<{ member: FaultableMember; wasLeader: boolean }> {
    const leader = this.rng.chance(0.5) ? await this.cluster.leader() : undefined;
    if (leader !== undefined) return { member: leader, wasLeader: true };
    const member = this.rng.pick(this.cluster.members);
    return { member, wasLeader: false };
  }

  private async injectOne(faultMs: number): Promise<void> {
    const kind = this.rng.pick(this.options.kinds ?? allFaultKinds);
    const { member, wasLeader } = await this.pickMember();
    const startMs = this.now();
    let detail = `${faultMs} ms`;
    switch (kind) {
      case 'kill':
        await member.kill('SIGKILL');
        await sleep(faultMs);
        member.start();
        await member.waitReady(this.options.restartReadyTimeoutMs ?? 20_000);
        detail = `down ${faultMs} ms, ready again after ${Math.round(this.now() - startMs - faultMs)} ms`;
        break;
      case 'pause':
        await member.kill('SIGSTOP');
        this.paused.add(member);
        await sleep(faultMs);
        await member.kill('SIGCONT');
        this.paused.delete(member);
        break;
      case 'partition': {
        const cut = this.rng.chance(0.7) ? 'blackhole' : 'reset';
        this.cluster.network.isolate(member.name, cut);
        await sleep(faultMs);
        this.cluster.network.heal();
        detail = `${cut} ${faultMs} ms`;
        break;
      }
      case 'latency': {
        const latencyMs = this.rng.int(20, 200);
        this.cluster.network.delay(member.name, latencyMs);
        await sleep(faultMs);
        this.cluster.network.heal();
        detail = `+${latencyMs} ms each way for ${faultMs} ms`;
        break;
      }
    }
    const record: FaultRecord = { kind, member: member.name, wasLeader, detail, startMs, endMs: this.now() };
    this.faults.push(record);
    this.options.log?.(`fault ${kind} ${member.name}${wasLeader ? ' (leader)' : ''}: ${detail} [${(startMs / 1000).toFixed(1)}-${(record.endMs / 1000).toFixed(1)} s]`);
  }

  /** Continues paused members, restarts stopped ones and heals the network. */
  async repairAll(): Promise<void> {
    for (const member of this.paused) await member.kill('SIGCONT');
    this.paused.clear();
    this.cluster.network.heal();
    for (const member of this.cluster.members) if (!member.running) member.start();
  }
}
