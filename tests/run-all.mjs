#!/usr/bin/env node
// `npm test`: type-check (the Node project, then the renderer's), lint, the dependency-boundary check, unit tests
// beside the code, then end-to-end suites against real processes. Stops at the first failing stage and exits non-zero.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const node = process.execPath;
/** Every *.test.ts file below `directory`, skipping dependencies. */
function findTests(directory) {
  let found = [];
  let names = [];
  try {
    names = readdirSync(directory);
  } catch {
    return found;
  }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) found = found.concat(findTests(file));
    else if (name.endsWith('.test.ts')) found.push(file);
  }
  return found.sort();
}

const only = process.argv.slice(2);
const unitTests = ['engine', 'electron', 'renderer', 'bench'].flatMap(findTests);
const endToEndTests = findTests('tests');
const selected = only.length > 0 ? [...unitTests, ...endToEndTests].filter((file) => only.some((part) => file.includes(part))) : [...unitTests, ...endToEndTests];

const stages = [
  ['type-check', node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
  // The renderer is a separate TypeScript project for the browser (DOM types, .vue files through vue-tsc).
  ['type-check renderer', node, ['node_modules/vue-tsc/bin/vue-tsc.js', '-p', 'renderer/tsconfig.json', '--noEmit']],
  ['type-check renderer tooling', node, ['node_modules/typescript/bin/tsc', '-p', 'renderer/tsconfig.node.json', '--noEmit']],
  ['lint', node, ['node_modules/eslint/bin/eslint.js', '--max-warnings=0', '.']],
  // Engine processes started by the tests load this bundle of the sources instead of compiling them each time.
  ['engine bundles', node, ['engine/bin/build-bundles.mjs']],
  ['tests', node, ['--import', 'tsx', '--test', '--test-concurrency=1', ...selected]],
];

for (const [name, command, args] of stages) {
  process.stdout.write(`\n== ${name}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stdout.write(`\n== ${name} failed after ${seconds} s\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`== ${name} passed in ${seconds} s\n`);
}
