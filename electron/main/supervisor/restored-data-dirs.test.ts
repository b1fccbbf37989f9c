// The restore swap's crash repair: a member left without data by an interrupted swap gets its old data back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recoverInterruptedSwap } from './restored-data-dirs.ts';

test('an interrupted swap is undone; a finished swap and an untouched member are left alone', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-swap-'));
  try {
    const interrupted = path.join(root, 'member-1.data');
    fs.mkdirSync(`${interrupted}.pre-restore`);
    fs.writeFileSync(path.join(`${interrupted}.pre-restore`, 'marker'), 'old');
    fs.mkdirSync(`${interrupted}.restored`);
    const finished = path.join(root, 'member-2.data');
    fs.mkdirSync(finished);
    fs.writeFileSync(path.join(finished, 'marker'), 'restored');
    fs.mkdirSync(`${finished}.pre-restore`);
    const untouched = path.join(root, 'member-3.data');
    fs.mkdirSync(untouched);

    assert.equal(recoverInterruptedSwap([{ dataDir: interrupted }, { dataDir: finished }, { dataDir: untouched }]), 1);
    assert.equal(fs.readFileSync(path.join(interrupted, 'marker'), 'utf8'), 'old');
    assert.equal(fs.existsSync(`${interrupted}.pre-restore`), false);
    assert.equal(fs.existsSync(`${interrupted}.restored`), false);
    assert.equal(fs.readFileSync(path.join(finished, 'marker'), 'utf8'), 'restored');
    assert.equal(fs.existsSync(untouched), true);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
