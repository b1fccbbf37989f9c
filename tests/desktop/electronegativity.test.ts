// Doyensec's electronegativity over electron/ (it parses TypeScript itself): no finding may remain. Findings that
// were reviewed carry an `eng-disable` comment with the reason beside the code. A control run over a deliberately
// insecure window proves the scan really looks at window options. The check that compares Electron's version
// with its newest releases is left out: it needs the internet, and the version is pinned in package.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withContentSecurityPolicy } from '../../electron/main/electron-main.ts';
import { contentSecurityPolicy } from '../../electron/main/security/content-security-policy.ts';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';

interface Issue {
  id: string;
  file: string;
  location: { line: number };
  severity: { name: string };
}

interface ScanResult {
  issues: Issue[];
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
}

type Run = (options: Record<string, unknown>) => Promise<ScanResult>;

const run = createRequire(import.meta.url)('@doyensec/electronegativity') as Run;
const electronDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'electron');

/** The Electron version in package.json's optionalDependencies. */
const electronVersion = '45.4.1';

function scan(input: string): Promise<ScanResult> {
  return run({ input, electronVersionOverride: electronVersion, isRelative: true, parserPlugins: [], excludeFromScan: ['AvailableSecurityFixesGlobalCheck'] });
}

function describeIssues(issues: Issue[]): string {
  return issues.map((issue) => `${issue.id} (${issue.severity.name}) at ${issue.file}:${issue.location.line}`).join('\n');
}

describe('electronegativity', () => {
  let root = '';

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cairn-electronegativity-'));
    trackTempDir(root);
  });

  after(() => removeTempDir(root));

  test('finds no issue in electron/', async () => {
    const result = await scan(electronDir);
    assert.deepEqual(result.errors.filter((error) => !error.tolerable), []);
    assert.equal(describeIssues(result.issues), '');
  });

  test('flags an insecure window (control: the scan does look at window options)', async () => {
    writeFileSync(path.join(root, 'main.js'), [
      "const { BrowserWindow } = require('electron');",
      "new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } }).loadURL('http://example.com');",
    ].join('\n'));
    const ids = (await scan(root)).issues.map((issue) => issue.id);
    assert.ok(ids.includes('SANDBOX_JS_CHECK'), ids.join(', '));
    assert.ok(ids.includes('CONTEXT_ISOLATION_JS_CHECK'), ids.join(', '));
  });

  test('the CSP literal the scan grades is the CSP the app serves', () => {
    let headers: Record<string, string[]> = {};
    withContentSecurityPolicy({ responseHeaders: { 'X-Other': ['kept'] } }, (response) => (headers = response.responseHeaders));
    assert.deepEqual(headers['Content-Security-Policy'], [contentSecurityPolicy()]);
    assert.deepEqual(headers['X-Other'], ['kept']);
  });
});
