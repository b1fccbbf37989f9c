// No server outlives the process that started it, however that process ends; temp dirs go with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { etcdBinaryPath } from './processes.ts';
import { skipUnlessInstalled } from './tools.ts';

const skip = skipUnlessInstalled(etcdBinaryPath);

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'start-and-die.ts');

interface Started {
  pid: number;
  dataDir: string;
  stderr: () => string;
  exited: Promise<void>;
  kill: () => void;
}

/** Runs the fixture and resolves once it reports the etcd it started. */
function runFixture(mode: 'exit' | 'hang'): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n')) return;
      const { pid, dataDir } = JSON.parse(line) as { pid: number; dataDir: string };
      resolve({ pid, dataDir, stderr: () => stderr, exited, kill: () => child.kill('SIGKILL') });
    });
    exited.then(() => reject(new Error(`fixture exited before reporting: ${stderr}`)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  return !alive(pid);
}

test('a failing exit kills the servers, removes temp dirs and prints their logs', { timeout: 30_000, skip }, async () => {
  const started = await runFixture('exit');
  await started.exited;
  assert.ok(await waitUntilGone(started.pid, 2_000), `etcd ${started.pid} survived its parent`);
  assert.equal(existsSync(path.dirname(started.dataDir)), false);
  assert.match(started.stderr(), /===== etcd member etcd1/);
});

test('a parent killed with SIGKILL still takes its servers along (watchdog)', { timeout: 30_000, skip }, async () => {
  const started = await runFixture('hang');
  assert.ok(alive(started.pid));
  started.kill();
  await started.exited;
  assert.ok(await waitUntilGone(started.pid, 3_000), `etcd ${started.pid} survived its parent`);
  const deadline = Date.now() + 3_000;
  while (existsSync(path.dirname(started.dataDir)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(existsSync(path.dirname(started.dataDir)), false, 'the temp dir survived its parent');
});
