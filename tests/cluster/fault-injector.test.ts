// The fault injector on a fake cluster: seeded choices, one fault at a time, everything repaired at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector, type FaultableMember, type FaultTarget } from './fault-injector.ts';

/** A fake cluster that logs what is done to it and tracks which members are down, paused or cut off. */
function fakeCluster(): { cluster: FaultTarget; log: string[]; faulty: () => string[] } {
  const log: string[] = [];
  const down = new Set<string>();
  const paused = new Set<string>();
  let networkFault: string | undefined;
  const members: FaultableMember[] = ['m1', 'm2', 'm3'].map((name) => ({
    name,
    get running() {
      return !down.has(name);
    },
    kill: async (signal = 'SIGKILL') => {
      log.push(`${signal} ${name}`);
      if (signal === 'SIGKILL') down.add(name);
      if (signal === 'SIGSTOP') paused.add(name);
      if (signal === 'SIGCONT') paused.delete(name);
      return undefined;
    },
    start: () => {
      log.push(`start ${name}`);
      down.delete(name);
    },
    waitReady: async () => undefined,
  }));
  const cluster: FaultTarget = {
    members,
    network: {
      isolate: (name, kind) => {
        log.push(`isolate ${name} ${kind}`);
        networkFault = name;
      },
      delay: (name) => {
        log.push(`delay ${name}`);
        networkFault = name;
      },
      heal: () => {
        networkFault = undefined;
      },
    },
    leader: async () => members[0],
  };
  const faulty = (): string[] => [...down, ...paused, ...(networkFault ? [networkFault] : [])];
  return { cluster, log, faulty };
}

const timings = { faultMsMin: 20, faultMsMax: 40, quietMsMin: 5, quietMsMax: 10 };

test('faults follow the seed, come one at a time, and are all repaired at the end', async () => {
  const first = fakeCluster();
  let worst = 0;
  const watcher = setInterval(() => (worst = Math.max(worst, first.faulty().length)), 2);
  const faults = await new FaultInjector(first.cluster, { seed: 5, ...timings }).run(600);
  clearInterval(watcher);
  assert.ok(faults.length >= 5, `only ${faults.length} faults`);
  assert.deepEqual(new Set(faults.map((fault) => fault.kind)), new Set(['kill', 'pause', 'partition', 'latency']));
  assert.ok(worst <= 1, 'never more than one faulty member at a time');
  assert.deepEqual(first.faulty(), [], 'everything repaired at the end');

  const second = fakeCluster();
  const replayed = await new FaultInjector(second.cluster, { seed: 5, ...timings }).run(600);
  const shape = (list: typeof faults): string[] => list.map((fault) => `${fault.kind} ${fault.member}`);
  const common = Math.min(faults.length, replayed.length);
  assert.deepEqual(shape(replayed).slice(0, common), shape(faults).slice(0, common), 'the same seed makes the same choices');
});

test('a fault that fails (a member not ready after its restart) fails the run, and everything is still repaired', async () => {
  const { cluster, faulty } = fakeCluster();
  const member = cluster.members[1] as { waitReady: () => Promise<void> };
  member.waitReady = () => Promise.reject(new Error('not ready within 20000 ms'));
  const injector = new FaultInjector(cluster, { seed: 3, kinds: ['pause', 'partition', 'kill'], ...timings });
  await assert.rejects(injector.run(5_000), /not ready/);
  assert.deepEqual(faulty(), [], 'everything repaired after the failure');
});
