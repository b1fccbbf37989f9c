// Seeded randomized simulation of 3- and 5-member clusters (see sim/cluster.ts): safety invariants after every
// step, progress after healing. RAFT_SIM_SEEDS=100000 runs more seeds, RAFT_SIM_START picks the first one, and
// RAFT_SIM_SEED=n reruns a single failing seed (odd seeds run 3 members, even seeds 5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RaftLog } from './log.ts';
import { runSimulation, SimulationFailure, type SimulationOptions } from './sim/cluster.ts';

const single = process.env['RAFT_SIM_SEED'];
const count = Number(process.env['RAFT_SIM_SEEDS'] ?? '2000');
const start = Number(process.env['RAFT_SIM_START'] ?? '1');

function optionsFor(seed: number): SimulationOptions {
  return { voters: seed % 2 === 1 ? 3 : 5, chaosSteps: 300, recoverySteps: 400 };
}

test(`simulation: ${single ? `seed ${single}` : `${count} seeds from ${start}`} keep Raft's safety properties and recover after healing`, () => {
  const seeds = single ? [Number(single)] : Array.from({ length: count }, (_, i) => start + i);
  let committed = 0;
  let reads = 0;
  for (const seed of seeds) {
    const result = runSimulation(seed, optionsFor(seed));
    committed += result.committedIndex;
    reads += result.readsConfirmed;
  }
  // The runs must do real work, or passing would mean nothing.
  assert.ok(committed / seeds.length > 20, `only ${committed / seeds.length} entries committed per run`);
  assert.ok(single || reads > seeds.length, `only ${reads} reads confirmed`);
});

test('simulation: a Raft that votes for out-of-date candidates is caught, with a reproduction line', () => {
  const original = RaftLog.prototype.isUpToDate;
  RaftLog.prototype.isUpToDate = () => true;
  try {
    let failure: unknown;
    for (let seed = 1; seed <= 50 && !failure; seed++) {
      try {
        runSimulation(seed, optionsFor(seed));
      } catch (error) {
        failure = error;
      }
    }
    assert.ok(failure instanceof SimulationFailure, 'the broken Raft went unnoticed');
    assert.match(failure.message, /leader completeness|state machine safety|log matching|election safety|linearizable/);
    assert.match(failure.message, /RAFT_SIM_SEED=\d+ /);
  } finally {
    RaftLog.prototype.isUpToDate = original;
  }
});
