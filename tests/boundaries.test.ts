// The dependency rules of docs/architecture.md, checked on every import of every source file, plus a check
// that the module graph has no cycles. A new folder must be given its rule here before it can import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/** Which top-level areas each area may import (besides itself). */
const allowed: Record<string, string[]> = {
  'engine/common': [],
  'engine/proto': [],
  'engine/raft': ['engine/common'],
  'engine/storage': ['engine/common', 'engine/raft'],
  'engine/mvcc': ['engine/common', 'engine/storage'],
  'engine/lease': ['engine/common', 'engine/storage'],
  'engine/auth': ['engine/common', 'engine/storage', 'engine/proto'],
  'engine/cli': ['engine/common'],
  'engine/transport': ['engine/common', 'engine/raft', 'engine/proto'],
  'engine/server': ['engine/common', 'engine/proto', 'engine/raft', 'engine/storage', 'engine/mvcc', 'engine/lease', 'engine/auth', 'engine/transport'],
  'engine/http2': ['engine/common'],
  'engine/api': ['engine/common', 'engine/proto', 'engine/server', 'engine/mvcc', 'engine/http2'],
  'engine/tls': ['engine/common'],
  'engine/embed': ['engine/common', 'engine/proto', 'engine/server', 'engine/api', 'engine/cli', 'engine/transport', 'engine/storage', 'engine/tls'],
  'engine/main.ts': ['engine/common', 'engine/cli', 'engine/embed'],
  // cairn-util works offline on a member's files: storage, the stores' record formats, and the server's layout.
  'engine/util': ['engine/common', 'engine/proto', 'engine/raft', 'engine/storage', 'engine/mvcc', 'engine/server', 'engine/cli'],
  'electron/common': [],
  'electron/preload': ['electron/common'],
  // The etcd client in electron/main speaks the wire contract: the engine's protos and their generated types.
  'electron/main': ['electron/common', 'engine/proto'],
  'electron/web': ['electron/common', 'electron/main'],
  'renderer/src': ['electron/common'],
};

/** Node built-ins may not be used where code must stay portable (pure core, browser). */
const noNodeBuiltins = ['engine/common', 'engine/raft', 'renderer/src', 'electron/common'];

function sourceFiles(directory: string): string[] {
  let files: string[] = [];
  for (const name of readdirSync(directory)) {
    if (['node_modules', 'generated', 'dist'].includes(name) || name.startsWith('.')) continue;
    const file = path.join(directory, name);
    if (statSync(file).isDirectory()) files = files.concat(sourceFiles(file));
    else if (/\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts')) files.push(file);
  }
  return files;
}

function areaOf(relative: string): string | undefined {
  return Object.keys(allowed)
    .sort((a, b) => b.length - a.length)
    .find((area) => relative === area || relative.startsWith(`${area}/`));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push((match[1] ?? match[2])!);
  }
  return found;
}

const files = ['engine', 'electron', 'renderer/src']
  .map((directory) => path.join(root, directory))
  .filter((directory) => {
    try {
      return statSync(directory).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap(sourceFiles);

test('every source file belongs to an area with a dependency rule', () => {
  const orphans = files.map((file) => path.relative(root, file)).filter((relative) => !relative.includes('.test.') && !areaOf(relative));
  assert.deepEqual(orphans, []);
});

test('imports respect the dependency rules between areas', () => {
  const violations: string[] = [];
  for (const file of files) {
    const relative = path.relative(root, file);
    const area = areaOf(relative);
    if (!area || relative.includes('.test.')) continue;
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('node:') && noNodeBuiltins.includes(area)) violations.push(`${relative} imports ${specifier}`);
      if (!specifier.startsWith('.')) continue;
      const target = path.relative(root, path.resolve(path.dirname(file), specifier));
      const targetArea = areaOf(target);
      if (!targetArea || targetArea === area) continue;
      if (!allowed[area]!.includes(targetArea)) violations.push(`${relative} imports ${target} (${area} may not depend on ${targetArea})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the module graph has no import cycles', () => {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importsOf(file)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.resolve(path.dirname(file), specifier));
    graph.set(file, targets);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((item) => path.relative(root, item)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});
