import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { goPathError } from './go-path-error.ts';

function thrownBy(read: () => unknown): unknown {
  try {
    read();
  } catch (error) {
    return error;
  }
  assert.fail('expected the read to throw');
}

test("Node's read errors are worded as Go's os.PathError, as etcd prints them", () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'cairn-path-error-'));
  try {
    const missing = path.join(directory, 'absent.yaml');
    assert.equal(goPathError(thrownBy(() => readFileSync(missing, 'utf8')), missing), `open ${missing}: no such file or directory`);
    assert.equal(goPathError(thrownBy(() => readFileSync(directory, 'utf8')), directory), `read ${directory}: is a directory`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('errors without a Go text keep their description and still name the file', () => {
  const odd = Object.assign(new Error("EXDEV: cross-device link not permitted, open '/a'"), { code: 'EXDEV', syscall: 'open' });
  assert.equal(goPathError(odd, '/a'), 'open /a: cross-device link not permitted');
  assert.equal(goPathError(new Error('disk on fire'), '/b'), 'open /b: disk on fire');
});
