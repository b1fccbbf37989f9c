// Runs the golden-file interaction scripts in testdata/: each command's output must match the file. Set
// REWRITE=1 to regenerate the expected outputs (then review the diff: the files are the specification).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTestFile, renderTestFile } from './interaction/datadriven.ts';
import { runCommand } from './interaction/commands.ts';
import { InteractionEnv } from './interaction/env.ts';

const directory = join(import.meta.dirname, 'testdata');
const rewrite = process.env['REWRITE'] === '1';

for (const name of readdirSync(directory).filter((file) => file.endsWith('.txt')).sort()) {
  test(`interaction ${name}`, () => {
    const path = join(directory, name);
    const file = parseTestFile(readFileSync(path, 'utf8'));
    const env = new InteractionEnv();
    const outputs: string[] = [];
    for (const testCase of file.cases) {
      let output: string;
      try {
        output = runCommand(env, testCase.command, testCase.args);
      } catch (error) {
        output = `${env.takeOutput()}\npanic: ${(error as Error).message}`.replace(/^ok\n/, '');
      }
      outputs.push(output);
      if (!rewrite) assert.equal(output, testCase.expected, `${name}:${testCase.line}: ${testCase.input}`);
    }
    if (rewrite) writeFileSync(path, renderTestFile(file, outputs));
  });
}
