// The renderer's component and store tests (vitest + happy-dom, `renderer/src/**/*.spec.ts`), run from the
// node:test runner so `npm test` has one way to run every test: vitest runs as a child process and this test
// fails, printing vitest's output, when any spec fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Runs vitest once and collects its output and exit status. */
function runVitest(): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'renderer/vitest.config.ts', '--reporter=verbose'], {
      cwd: root,
      // No colours: the output is read in a test log. CI=true keeps vitest from watching or asking anything.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

test('the renderer component and store specs pass under vitest', { timeout: 180_000 }, async (t) => {
  const { status, output } = await runVitest();
  if (status !== 0) assert.fail(`vitest exited with ${status}:\n${output}`);
  // A run that found no spec would also exit 0 with --passWithNoTests; make sure tests really ran.
  const summary = /Tests\s+(\d+) passed/.exec(output);
  assert.ok(summary && Number(summary[1]) > 0, `vitest ran no tests:\n${output}`);
  t.diagnostic(`vitest: ${summary[1]} tests passed`);
});
