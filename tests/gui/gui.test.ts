// The GUI end to end: the real renderer build in Debian's Chromium, against the real browser mode of the
// shell with its local three-member engine cluster, plus a second etcd client writing behind the GUI's back.
// The tests share one browser mode and one page and run in order (each leaves the screen where the next
// expects it), which keeps the suite well under a minute and a half on two cores.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { removeTempDir, trackTempDir } from '../support/child-cleanup.ts';
import { etcdctl, etcdctlBinaryPath, skipUnlessInstalled } from '../support/etcdctl.ts';
import { connect, type EtcdClient } from '../support/grpc-client.ts';
import { startBrowserMode, type BrowserMode } from './browser-mode.ts';
import { chromiumPath, editorText, screenshotDir, keyRow, openApp, replaceEditorText, type GuiSession } from './gui-session.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

// Without Debian's Chromium the suite cannot run; on CI that is a failure, on a developer's machine a skip.
const missingBrowser = existsSync(chromiumPath) ? false : `${chromiumPath} is missing (apt-get install chromium)`;
if (missingBrowser && process.env.CI === 'true') throw new Error(missingBrowser);

let mode: BrowserMode;
let gui: GuiSession;
let client: EtcdClient;

const text = (value: Uint8Array | Buffer | undefined): string => Buffer.from(value ?? []).toString('utf8');

async function valueOf(key: string): Promise<string | null> {
  const response = await client.kv.range({ key });
  return response.kvs[0] ? text(response.kvs[0].value) : null;
}

before(async () => {
  if (missingBrowser) return;
  const rendererDir = ensureRendererBuilt();
  mode = await startBrowserMode({ rendererDir, clusterSize: 3 });
  client = connect(mode.clientEndpoints[0]!);
  await client.kv.put({ key: '/gui/app/config.json', value: '{"replicas": 3}' });
  await client.kv.put({ key: '/gui/app/name', value: 'cairn' });
  await client.kv.put({ key: '/gui/other', value: 'x' });
  gui = await openApp(mode.url);
}, { timeout: 90_000 });

afterEach(async (t) => {
  // The screen as each test left it, so a failure can be seen, not just read.
  if (gui) await gui.page.screenshot({ path: path.join(screenshotDir, `after-${t.name.slice(0, 40).replace(/[^\w]+/g, '-')}.png`) });
});

after(async () => {
  await gui?.close();
  client?.close();
  await mode?.close();
});

test('the app opens on the local cluster and shows its leader and revision', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('status-leader').filter({ hasNotText: 'Leader: —' }).waitFor({ timeout: 20_000 });
  assert.match(await page.getByTestId('active-environment').innerText(), /local/i);
  assert.match(await page.getByTestId('status-revision').innerText(), /Revision: \d+/);
  await gui.shot('gui-01-start');
});

test('keys: a prefix search shows folders with counts, and a key opens in the editor with its metadata', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('key-search').fill('/gui/');
  await keyRow(page, 'app/').waitFor();
  assert.match(await keyRow(page, 'app/').innerText(), /2/);
  await keyRow(page, 'app/').click();
  await keyRow(page, 'config.json').click();
  await page.getByTestId('editor-key').filter({ hasText: '/gui/app/config.json' }).waitFor();
  await page.getByTestId('value-editor').locator('.view-lines', { hasText: 'replicas' }).waitFor();
  assert.equal(await page.getByTestId('format-select').inputValue(), 'json');
  const modRevision = Number(await page.getByTestId('mod-revision').innerText());
  assert.equal(modRevision, Number((await client.kv.range({ key: '/gui/app/config.json' })).kvs[0]!.mod_revision));
  await gui.shot('gui-02-keys');
});

test('a new key is created, then edited and saved, and another client reads both values', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('new-key').click();
  await page.getByTestId('new-key-name').fill('/gui/app/created.yaml');
  await page.getByTestId('new-key-continue').click();
  await replaceEditorText(page, 'name: cairn\nreplicas: 1\n');
  await page.getByTestId('save-key').click();
  await waitFor(async () => (await valueOf('/gui/app/created.yaml')) === 'name: cairn\nreplicas: 1\n', 'the created key');
  await keyRow(page, 'created.yaml').waitFor();
  await replaceEditorText(page, 'name: cairn\nreplicas: 2\n');
  await page.getByTestId('unsaved').waitFor();
  await page.getByTestId('save-key').click();
  await waitFor(async () => (await valueOf('/gui/app/created.yaml')) === 'name: cairn\nreplicas: 2\n', 'the edited key');
  await page.getByTestId('unsaved').waitFor({ state: 'detached' });
  await gui.shot('gui-03-create-edit');
});

test('a save over a change made by another client is refused and shown as a diff; overwriting then wins', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await client.kv.put({ key: '/gui/app/created.yaml', value: 'name: theirs\n' });
  await replaceEditorText(page, 'name: mine\n');
  await page.getByTestId('save-key').click();
  await page.getByTestId('conflict').waitFor();
  assert.equal(await valueOf('/gui/app/created.yaml'), 'name: theirs\n', 'the conflicting save wrote nothing');
  await page.getByTestId('diff-editor').locator('.view-lines', { hasText: 'theirs' }).first().waitFor();
  // The diff is computed in a worker; wait for its highlighting so the screenshot shows what the user sees.
  await page.getByTestId('diff-editor').locator('.char-delete, .line-delete').first().waitFor();
  await gui.shot('gui-04-conflict');
  await page.getByTestId('conflict-overwrite').click();
  await waitFor(async () => (await valueOf('/gui/app/created.yaml')) === 'name: mine\n', 'the overwrite');
  await page.getByTestId('conflict').waitFor({ state: 'detached' });
  // The diff editor gives way to the plain editor, which renders its lines a moment later.
  await page.getByTestId('value-editor').locator('.view-lines', { hasText: 'mine' }).waitFor();
  assert.match(await editorText(page), /mine/);
});

test('the history lists earlier versions, compares one with the draft, and restores it', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('history-tab').click();
  const rows = page.getByTestId('history-table').locator('tbody tr');
  await waitFor(async () => (await rows.count()) === 4, 'four versions of the key');
  assert.match(await rows.first().innerText(), /current/);
  await rows.last().getByRole('button', { name: 'Compare' }).click();
  await gui.shot('gui-05-history');
  await page.getByRole('tab', { name: 'Value' }).click();
  await page.getByTestId('diff-editor').locator('.view-lines', { hasText: 'replicas: 1' }).first().waitFor();
  await page.getByTestId('history-tab').click();
  await rows.last().getByRole('button', { name: 'Restore' }).click();
  await waitFor(async () => (await valueOf('/gui/app/created.yaml')) === 'name: cairn\nreplicas: 1\n', 'the restored version');
  await page.getByRole('tab', { name: 'Value' }).click();
});

test('a prefix is exported to a JSON file and a file is imported after a preview', { skip: missingBrowser }, async () => {
  const { page } = gui;
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export /gui/' }).click();
  const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { format: string; keys: { key: string; value: string }[] };
  assert.equal(exported.format, 'cairn-export/1');
  assert.deepEqual(exported.keys.find((entry) => entry.key === '/gui/app/name'), { key: '/gui/app/name', value: 'cairn' });
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-gui-import-'));
  trackTempDir(directory);
  const file = path.join(directory, 'import.json');
  writeFileSync(file, JSON.stringify({ ...exported, keys: [{ key: '/gui/imported/a', value: '1' }, { key: '/gui/imported/bin', value: 'AP8=', valueEncoding: 'base64' }] }));
  await page.getByLabel('Import keys from a file').setInputFiles(file);
  await page.getByTestId('confirm-ok').filter({ hasText: 'Import 2 keys' }).click();
  await waitFor(async () => (await valueOf('/gui/imported/a')) === '1', 'the imported keys');
  const binary = (await client.kv.range({ key: '/gui/imported/bin' })).kvs[0]!.value;
  assert.deepEqual([...binary], [0, 255]);
  removeTempDir(directory);
});

test('deleting a key asks for confirmation and removes it', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('delete-key').click();
  await page.getByTestId('confirm-ok').click();
  await waitFor(async () => (await valueOf('/gui/app/created.yaml')) === null, 'the delete');
  await keyRow(page, 'created.yaml').waitFor({ state: 'detached' });
  // A folder's keys go in one delete, after a preview that shows how many and which (here from the keyboard:
  // the Delete key on the active folder row).
  await keyRow(page, 'imported/').click();
  await page.keyboard.press('Delete');
  await page.getByRole('dialog').filter({ hasText: 'Delete all 2 keys that start with “/gui/imported/”' }).waitFor();
  assert.match(await page.getByRole('dialog').innerText(), /\/gui\/imported\/a[\s\S]*\/gui\/imported\/bin/);
  await gui.shot('gui-06-prefix-delete');
  await page.getByTestId('confirm-ok').click();
  await waitFor(async () => (await client.kv.range({ key: '/gui/imported/', range_end: '/gui/imported0', count_only: true })).count === '0', 'the prefix delete');
});

test('keyboard: the palette lists the screen\'s shortcuts; N, Ctrl+S, R and / work without the mouse', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await showKeysUnder(page, '/gui/');
  await keyRow(page, 'other').waitFor();
  await page.keyboard.press('Control+K');
  const palette = page.locator('#palette-list');
  await palette.waitFor();
  assert.match(await palette.innerText(), /New key…\s+N\s+Refresh keys\s+R\s+Search keys by prefix\s+\/\s+Go to Keys\s+Alt\+1/);
  await gui.shot('gui-06a-palette');
  await page.keyboard.press('Escape');
  await palette.waitFor({ state: 'detached' });
  // Letters are shortcuts only outside text fields: leave the search box first, as a user would with a click.
  const leaveFields = (): Promise<void> => page.evaluate('document.activeElement && document.activeElement.blur()');
  await leaveFields();
  await page.keyboard.press('n');
  await page.getByTestId('new-key-name').fill('/gui/keyboard.txt');
  await page.keyboard.press('Enter');
  await replaceEditorText(page, 'saved with Ctrl+S');
  // Ctrl+S from outside the value editor (Monaco has its own): the key search has the focus.
  await page.getByTestId('key-search').focus();
  await page.keyboard.press('Control+S');
  await waitFor(async () => (await valueOf('/gui/keyboard.txt')) === 'saved with Ctrl+S', 'the key saved with Ctrl+S');
  await client.kv.put({ key: '/gui/keyboard-r', value: 'written behind the GUI' });
  await leaveFields();
  await page.keyboard.press('r');
  await keyRow(page, 'keyboard-r').waitFor();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate('document.activeElement?.dataset?.testid'), 'key-search');
  await client.kv.deleteRange({ key: '/gui/keyboard-r' });
  await client.kv.deleteRange({ key: '/gui/keyboard.txt' });
});

test('the watch tail shows a put written by another client', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-watch').click();
  await page.getByTestId('watch-key').fill('/gui/');
  await page.getByTestId('watch-start').click();
  await page.getByTestId('watch-state').filter({ hasText: 'Live' }).waitFor();
  const put = await client.kv.put({ key: '/gui/watched', value: 'seen by the GUI' });
  await page.getByTestId('watch-events').getByText('/gui/watched').waitFor();
  // The status bar moves with the tail, not at its next refresh (every 5 s).
  await page.getByTestId('status-revision').filter({ hasText: `Revision: ${put.header!.revision}` }).waitFor({ timeout: 1000 });
  assert.match(await page.getByTestId('watch-events').innerText(), /PUT[\s\S]*seen by the GUI/);
  await gui.shot('gui-06-watch');
  await page.getByTestId('watch-stop').click();
});

test('a flood of 1,000 events per second keeps the watch table bounded and the window responsive', { skip: missingBrowser }, async () => {
  const { page } = gui;
  const total = 6_000;
  await page.getByTestId('nav-watch').click();
  // Rows of an earlier tail stay until cleared; start from an empty table so the counts below are exact.
  if (await page.getByTestId('watch-clear').isEnabled()) await page.getByTestId('watch-clear').click();
  await page.getByTestId('watch-key').fill('/flood/');
  await page.getByTestId('watch-start').click();
  await page.getByTestId('watch-state').filter({ hasText: 'Live' }).waitFor();
  // The writer paces itself at about 1,000 puts a second while the test keeps asking the page for a trivial
  // answer: a frozen renderer shows up as a long round trip.
  let writing = true;
  const roundTripsMs: number[] = [];
  const probing = (async () => {
    while (writing) {
      const started = performance.now();
      await page.evaluate('1');
      roundTripsMs.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const startedMs = performance.now();
  for (let sent = 0; sent < total; sent += 100) {
    await Promise.all(Array.from({ length: 100 }, (_, offset) => client.kv.put({ key: `/flood/${String(sent + offset).padStart(5, '0')}`, value: 'x'.repeat(64) })));
    const aheadMs = (sent + 100) - (performance.now() - startedMs);
    if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
  }
  // The newest event arrives on top; 5,000 rows are kept (watchRowsMax) and the other 1,000 counted as dropped,
  // whether the renderer or the main process's own bound dropped them.
  await page.getByTestId('watch-events').getByText(`/flood/0${total - 1}`).waitFor({ timeout: 15_000 });
  writing = false;
  await probing;
  const slowestMs = Math.max(...roundTripsMs);
  assert.ok(slowestMs < 2_000, `the window answered within ${Math.round(slowestMs)} ms at worst`);
  await page.getByTestId('watch-dropped').filter({ hasText: '1,000 older events dropped' }).waitFor({ timeout: 5_000 });
  assert.match(await page.getByTestId('watch-received').innerText(), /events received/);
  await gui.shot('gui-06b-watch-flood');
  await page.getByTestId('watch-stop').click();
  await client.kv.deleteRange({ key: '/flood/', range_end: '/flood0' });
});

test('a production connection asks to type its name before a write', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('add-connection').click();
  await page.getByTestId('connection-name').fill('Prod mirror');
  await page.getByTestId('connection-endpoints').fill(mode.clientEndpoints.join('\n'));
  await page.getByTestId('connection-environment').selectOption('production');
  await page.getByTestId('connection-test').click();
  await page.getByTestId('connection-test-report').filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('connection-save').click();
  await page.locator('[data-connection="Prod mirror"]').getByRole('button', { name: 'Use' }).click();
  assert.match(await page.getByTestId('active-environment').innerText(), /production/i);
  await page.getByTestId('new-key').click();
  await page.getByTestId('new-key-name').fill('/gui/prod-write');
  await page.getByTestId('new-key-continue').click();
  await replaceEditorText(page, 'careful');
  await page.getByTestId('save-key').click();
  await page.getByTestId('confirm-type').waitFor();
  assert.equal(await page.getByTestId('confirm-ok').isDisabled(), true, 'the write waits for the typed name');
  // The rest of the app is covered (and dimmed) while the question is open: nothing else can be clicked.
  // (A string, as elsewhere here: the test project has no DOM types.)
  const covering = await page.evaluate(`(() => {
    const element = document.elementFromPoint(40, 400);
    return { className: element?.className ?? null, background: element ? getComputedStyle(element).backgroundColor : null };
  })()`);
  assert.deepEqual(covering, { className: 'modal-backdrop', background: 'rgba(0, 0, 0, 0.533)' });
  await gui.shot('gui-08-production-confirm');
  await page.getByTestId('confirm-type').fill('Prod mirror');
  await page.getByTestId('confirm-ok').click();
  // Main refuses a production write that does not carry the typed name, so this proves the GUI passes it on.
  await waitFor(async () => (await valueOf('/gui/prod-write')) === 'careful', 'the confirmed production write');
  await page.getByTestId('unsaved').waitFor({ state: 'detached' });
  // A delete asks twice: the delete itself, then the production name.
  await page.getByTestId('delete-key').click();
  await page.getByRole('dialog').filter({ hasText: 'Delete /gui/prod-write?' }).getByTestId('confirm-ok').click();
  await page.getByTestId('confirm-type').fill('Prod mirror');
  await page.getByTestId('confirm-ok').click();
  await waitFor(async () => (await valueOf('/gui/prod-write')) === null, 'the confirmed production delete');
  await page.getByTestId('connection-switcher').selectOption({ label: 'Local cluster' });
});

test('the TLS settings of a connection check picked files and explain problems in plain words', { skip: missingBrowser || (existsSync('/usr/bin/openssl') ? false : 'openssl is missing') }, async () => {
  const { page } = gui;
  const directory = mkdtempSync(path.join(os.tmpdir(), 'cairn-gui-tls-'));
  trackTempDir(directory);
  const cert = path.join(directory, 'server.crt');
  const key = path.join(directory, 'server.key');
  const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=etcd.example.com'], { encoding: 'utf8' });
  assert.equal(openssl.status, 0, openssl.stderr);
  const notPem = path.join(directory, 'notes.txt');
  writeFileSync(notPem, 'not a certificate');
  await page.getByTestId('nav-connections').click();
  await page.getByTestId('add-connection').click();
  await page.getByTestId('connection-endpoints').fill('https://127.0.0.1:1');
  await page.getByTestId('connection-tls').check();
  const files = page.getByTestId('tls-settings').locator('input[type="file"]');
  await files.nth(0).setInputFiles(notPem);
  await page.getByTestId('tls-settings').getByText('is not a PEM file').waitFor();
  await files.nth(0).setInputFiles(cert);
  await files.nth(1).setInputFiles(cert);
  await files.nth(2).setInputFiles(key);
  await page.getByTestId('tls-check').click();
  const findings = page.getByTestId('tls-findings');
  await findings.waitFor();
  // The certificate names etcd.example.com, not 127.0.0.1: the check must say so before anyone connects.
  await findings.locator('li.error, li.warning').first().waitFor();
  await findings.scrollIntoViewIfNeeded();
  await gui.shot('gui-09-tls-check');
  removeTempDir(directory);
  await page.getByRole('button', { name: 'Cancel' }).click();
});

test('a lease granted in the GUI is attached to a key and counts down', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-leases').click();
  await page.getByRole('button', { name: 'Grant lease' }).click();
  const detail = page.getByRole('region', { name: 'Lease detail' });
  await detail.getByRole('heading', { name: /^Lease \d+$/ }).waitFor();
  const leaseId = (await detail.getByRole('heading').innerText()).replace('Lease ', '');
  await showKeysUnder(page, '/gui/');
  await keyRow(page, 'other').click();
  await page.getByLabel('Lease id to attach').fill(leaseId);
  await page.getByRole('button', { name: 'Attach' }).click();
  await page.getByTestId('key-metadata').getByText(/\d+ s left/).waitFor();
  const attached = (await client.kv.range({ key: '/gui/other' })).kvs[0]!;
  assert.equal(BigInt(attached.lease).toString(), leaseId);
  await gui.shot('gui-09b-lease');
});

test('maintenance compares the hashes of the members and defragments one endpoint', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-maintenance').click();
  await page.getByRole('button', { name: 'Compare hashes (HashKV)' }).click();
  await page.getByText('All members hold the same data.').waitFor({ timeout: 15_000 });
  // Each endpoint row names its member, as the Cluster screen does.
  for (const name of ['member-1', 'member-2', 'member-3']) await page.locator('tbody tr .member-name', { hasText: name }).waitFor();
  await page.getByRole('button', { name: 'Defragment', exact: true }).first().click();
  await page.locator('.toast', { hasText: /^Defragmented/ }).waitFor({ timeout: 15_000 });
  await gui.shot('gui-09c-maintenance');
});

test('users, roles and permissions are managed from the Auth screen', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-auth').click();
  await page.getByLabel('New role name').waitFor();
  await page.getByLabel('New role name').fill('gui-reader');
  await page.getByRole('button', { name: 'Add role' }).click();
  const role = page.locator('.entity', { hasText: 'gui-reader' });
  await role.getByLabel('Key or prefix').fill('/gui/');
  await role.getByRole('button', { name: 'Grant' }).click();
  await role.getByText('/gui/* (every key starting with it)').waitFor();
  await page.getByLabel('New user name').fill('gui-user');
  await page.getByLabel('New user password').fill('secret-password');
  await page.getByRole('button', { name: 'Add user' }).click();
  const user = page.locator('.entity', { hasText: 'gui-user' });
  await user.getByLabel('Role to grant to gui-user').selectOption('gui-reader');
  await user.getByRole('button', { name: 'Grant' }).click();
  await user.locator('.chip', { hasText: 'gui-reader' }).waitFor();
  assert.match(await page.getByTestId('auth-state').innerText(), /disabled/);
  await gui.shot('gui-09d-auth');
});

test('the theme follows the operating system, Monaco included', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await showKeysUnder(page, '/gui/');
  await keyRow(page, 'other').click();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.locator('.monaco-editor.vs-dark').first().waitFor();
  const background = await page.evaluate('getComputedStyle(document.body).backgroundColor');
  assert.equal(background, 'rgb(21, 24, 30)');
  await gui.shot('gui-09e-dark');
  // The Cluster screen in the dark theme too: status badges and the two tables must stay readable.
  await page.getByTestId('nav-cluster').click();
  await page.getByTestId('leader-badge').waitFor();
  await page.getByTestId('local-members').waitFor();
  await gui.shot('gui-09f-dark-cluster');
  await page.getByTestId('nav-keys').click();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('.monaco-editor.vs').first().waitFor();
});

test('a learner member is started from the Cluster screen, promoted once it has caught up, and removed', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-cluster').click();
  await page.getByTestId('add-local-learner').click();
  // The supervisor registers the learner (MemberAdd) and starts its process with --initial-cluster-state existing.
  const process = page.getByTestId('local-members').locator('tr[data-member="member-4"]');
  await process.getByTestId('process-state').filter({ hasText: 'running' }).waitFor({ timeout: 60_000 });
  const learner = page.getByTestId('members-table').locator('tr[data-member="member-4"]');
  await learner.locator('.badge', { hasText: 'learner' }).waitFor({ timeout: 15_000 });
  await learner.locator('.badge', { hasText: 'healthy' }).waitFor({ timeout: 15_000 });
  const id = await learner.locator('td').nth(1).innerText();
  assert.ok((await client.cluster.memberList()).members.some((member) => BigInt(member.ID).toString() === id && member.isLearner), 'another client lists the learner');
  await gui.shot('gui-17-learner-started');
  // etcd refuses to promote a learner that has not caught up with the leader; the user clicks again a moment later.
  await waitFor(async () => {
    if (await learner.getByRole('button', { name: 'Promote' }).isEnabled()) await learner.getByRole('button', { name: 'Promote' }).click();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return (await learner.locator('.badge', { hasText: 'follower' }).count()) + (await learner.getByTestId('leader-badge').count()) > 0;
  }, 'the promotion', 30_000);
  assert.ok((await client.cluster.memberList()).members.every((member) => !member.isLearner), 'another client sees four voters');
  await gui.shot('gui-18-learner-promoted');
  await process.getByTestId('member-remove').click();
  await page.getByRole('dialog', { name: 'Remove member process' }).getByTestId('confirm-ok').click();
  await process.waitFor({ state: 'detached', timeout: 45_000 });
  await waitFor(async () => (await client.cluster.memberList()).members.length === 3, 'three members again', 15_000);
  await learner.waitFor({ state: 'detached', timeout: 15_000 });
});

test('a snapshot of the local cluster is taken into the library', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-snapshots').click();
  await page.getByTestId('take-snapshot').click();
  const rows = page.getByTestId('snapshots-table').locator('tbody tr');
  await rows.first().waitFor({ timeout: 30_000 });
  assert.match(await rows.first().innerText(), /Local cluster/);
  await gui.shot('gui-10-snapshot');
});

test('restoring the snapshot brings the local cluster back without later writes', { skip: missingBrowser }, async () => {
  const { page } = gui;
  // After the snapshot: one key from before is deleted and a new one written; the restore must undo both.
  assert.equal(await valueOf('/gui/other'), 'x');
  await client.kv.deleteRange({ key: '/gui/other' });
  await client.kv.put({ key: '/gui/after-snapshot', value: 'lost on restore' });
  await page.getByTestId('restore-snapshot').first().click();
  await page.getByTestId('confirm-type').fill('replace local cluster data');
  await page.getByTestId('confirm-ok').click();
  await page.getByTestId('snapshot-progress').waitFor({ timeout: 10_000 });
  const outcome = page.getByTestId('restore-outcome');
  await outcome.waitFor({ timeout: 90_000 });
  const said = await outcome.innerText();
  await gui.shot('gui-11-restore');
  assert.match(said, /Restore finished/, said);
  // The status bar keeps the last known leader through the restart (marked while the cluster elects), never "—".
  assert.doesNotMatch(await page.getByTestId('status-leader').innerText(), /Leader: —/);
  await page.getByTestId('status-leader-note').waitFor({ state: 'detached', timeout: 15_000 });
  assert.match(said, /The local cluster is back with the data of .* \(revision \d+\)/);
  await waitFor(async () => {
    try {
      return (await valueOf('/gui/other')) === 'x' && (await valueOf('/gui/after-snapshot')) === null;
    } catch {
      return false;
    }
  }, 'the restored data', 30_000);
});

test('a picked file that is not a snapshot is refused in words before anything is restored', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-snapshots').click();
  const rowsBefore = await page.getByTestId('snapshots-table').locator('tbody tr').count();
  // The size says a sha256 trailer is there (512 * k + 32 bytes), so it is the first page that gives it away.
  await page.getByTestId('restore-file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.alloc(512 + 32, 'a') });
  const outcome = page.getByTestId('restore-outcome').filter({ hasText: 'Restore failed' });
  await outcome.waitFor({ timeout: 15_000 });
  assert.match(await outcome.innerText(), /The file is not an etcd or Cairn snapshot\. Nothing was changed\./);
  await gui.shot('gui-11b-restore-file-refused');
  assert.equal(await page.getByTestId('snapshots-table').locator('tbody tr').count(), rowsBefore, 'nothing was added to the library');
  assert.equal(await page.getByRole('dialog').count(), 0, 'no restore was offered');
  await outcome.getByRole('button', { name: 'Dismiss' }).click();
});

test('a snapshot file imported into the library says when it was imported, not when it was taken (light and dark)', { skip: missingBrowser }, async () => {
  const { page } = gui;
  const library = path.join(mode.host.options.userDataDir, 'snapshots');
  const taken = readdirSync(library).find((name) => name.endsWith('.db') && !name.startsWith('imported-'));
  assert.ok(taken, 'the snapshot taken earlier is in the library');
  await page.getByTestId('nav-snapshots').click();
  await page.getByTestId('restore-file-input').setInputFiles({ name: 'backup-from-prod.db', mimeType: 'application/octet-stream', buffer: readFileSync(path.join(library, taken)) });
  const dialog = page.getByRole('dialog', { name: 'Restore into the local cluster' });
  await dialog.waitFor({ timeout: 30_000 });
  assert.match(await dialog.innerText(), /backup-from-prod\.db \(revision \d+, a file imported .*; when it was taken is unknown\)/);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const row = page.getByTestId('snapshots-table').locator('tbody tr', { hasText: 'backup-from-prod.db' });
  await row.waitFor();
  assert.match(await row.getByTestId('snapshot-taken').innerText(), /^Unknown\s+Imported /);
  assert.equal(await row.getByTestId('imported-badge').innerText(), 'Imported');
  await gui.shot('gui-11c-imported');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction('getComputedStyle(document.body).backgroundColor === "rgb(21, 24, 30)"');
  await gui.shot('gui-11d-imported-dark');
  await page.keyboard.press('Control+K');
  await page.locator('#palette-list').waitFor();
  await gui.shot('gui-11e-palette-dark');
  await page.keyboard.press('Escape');
  await page.emulateMedia({ colorScheme: 'light' });
});

test('with 100,000 keys the key tree shows its first page in under a second', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await seedKeys('/bench/', 100_000);
  await page.getByTestId('nav-keys').click();
  await page.getByTestId('key-search').fill('/bench/');
  // Measured from Enter (which skips the typing pause) to the first row on screen.
  const started = Date.now();
  await page.getByTestId('key-search').press('Enter');
  await keyRow(page, 'key-000000').waitFor({ timeout: 10_000 });
  const elapsedMs = Date.now() - started;
  await page.getByTestId('keys-loaded').filter({ hasText: '100,000 keys' }).waitFor();
  await gui.shot('gui-07-100k-keys');
  assert.ok(elapsedMs < 1000, `the first page took ${elapsedMs} ms`);
  // Scrolling to the end of the loaded page loads the next one, without freezing the page.
  await page.getByTestId('key-list').hover();
  const secondPageRow = page.getByTestId('key-list').locator('.label', { hasText: /^key-000[5-9]\d\d$/ });
  await waitFor(async () => {
    await page.mouse.wheel(0, 2000);
    return (await secondPageRow.count()) > 0;
  }, 'the second page while scrolling');
  // The flat list says how much of the prefix is loaded, and loads more on request.
  await page.getByRole('button', { name: 'Flat list' }).click();
  await page.getByTestId('keys-loaded').filter({ hasText: 'Loaded 500 of 100,000' }).waitFor();
  await page.getByTestId('load-more').click();
  await page.getByTestId('keys-loaded').filter({ hasText: 'Loaded 1,000 of 100,000' }).waitFor();
  await gui.shot('gui-07b-100k-list');
  await page.getByRole('button', { name: 'Tree' }).click();
});

// Membership changes run before the stop/start test: etcd's strict reconfiguration check (which the engine
// follows) refuses them until every voter's peer link has been up for a health interval, and a member that was
// just restarted has not.
test('"Make leader" on the Cluster screen moves leadership to the chosen follower', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-cluster').click();
  const members = page.getByTestId('members-table').locator('tbody tr');
  // The screen first shows the overview of its last visit (before the snapshot restore, which may have elected
  // another leader) while it asks for a fresh one: wait until it shows the leader another client sees, or the
  // fresh overview could take the button away just as it is clicked.
  const leaderRow = members.filter({ has: page.getByTestId('leader-badge') });
  await waitFor(async () => {
    const leaderId = BigInt((await client.maintenance.status()).leader).toString();
    return (await leaderRow.count()) === 1 && (await leaderRow.locator('td').nth(1).innerText()) === leaderId;
  }, 'the current leader on screen', 20_000);
  const follower = members.filter({ has: page.getByRole('button', { name: 'Make leader' }) }).filter({ has: page.locator('.badge', { hasText: 'healthy' }) }).first();
  const target = await follower.getAttribute('data-member');
  assert.ok(target);
  const errorsBefore = await page.locator('.toast.error').count();
  await follower.getByRole('button', { name: 'Make leader' }).click();
  // Whatever the outcome, a toast tells it: wait for the success or an error, and name the error if it came.
  const success = page.locator('.toast', { hasText: `Leadership moved to ${target}.` });
  await waitFor(async () => (await success.count()) > 0 || (await page.locator('.toast.error').count()) > errorsBefore, 'a toast', 15_000);
  assert.equal(await success.count(), 1, `toasts: ${JSON.stringify(await page.locator('.toast').allInnerTexts())}`);
  await waitFor(async () => (await members.filter({ has: page.getByTestId('leader-badge') }).getAttribute('data-member')) === target, `${target} leading`, 15_000);
  // Another client sees the same leader: the GUI did not just repaint its badge.
  const status = await client.maintenance.status();
  assert.equal(BigInt(status.leader).toString(), await leaderRow.locator('td').nth(1).innerText());
  await gui.shot('gui-14-move-leader');
});

test('the add-member dialog checks peer URLs; a learner is added, cannot be promoted before it has started, and is removed', { skip: missingBrowser }, async () => {
  const { page } = gui;
  const members = page.getByTestId('members-table').locator('tbody tr');
  await page.getByRole('button', { name: 'Add member…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a member' });
  const peerUrls = dialog.getByLabel('Peer URLs');
  assert.equal(await dialog.getByRole('button', { name: 'Add member' }).isDisabled(), true, 'nothing to add yet');
  await peerUrls.fill('10.0.0.4');
  await dialog.getByText('“10.0.0.4” is not a peer URL like http://host:2380.').waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Add member' }).isDisabled(), true);
  await gui.shot('gui-15-add-member-invalid');
  // A free loopback port nobody listens on: the learner is registered, as etcd does, before any process runs.
  const peerUrl = `http://127.0.0.1:${await freePort()}`;
  await peerUrls.fill(peerUrl);
  assert.equal(await dialog.getByLabel('Add as a learner (recommended)').isChecked(), true);
  await dialog.getByRole('button', { name: 'Add member' }).click();
  await dialog.waitFor({ state: 'detached' });
  const learner = members.filter({ hasText: peerUrl });
  await learner.waitFor({ timeout: 15_000 });
  assert.match(await learner.innerText(), /\(not started\)[\s\S]*learner[\s\S]*not started/);
  const listed = await client.cluster.memberList();
  assert.ok(listed.members.some((member) => member.isLearner && member.peerURLs.includes(peerUrl)), 'another client lists the learner');
  await gui.shot('gui-16-learner-added');
  // A learner that never started has copied nothing, so it cannot be promoted yet; the button says why.
  const promote = learner.getByRole('button', { name: 'Promote' });
  assert.equal(await promote.isDisabled(), true);
  assert.match(await promote.getAttribute('title') ?? '', /Start this member first/);
  await learner.getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('dialog', { name: 'Remove member' }).getByTestId('confirm-ok').click();
  await learner.waitFor({ state: 'detached', timeout: 15_000 });
  await waitFor(async () => (await client.cluster.memberList()).members.length === 3, 'three members again');
  assert.equal(await members.count(), 3);
});

test('the cluster screen lists three members with one leader; stopping the leader elects another', { skip: missingBrowser }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-cluster').click();
  const members = page.getByTestId('members-table').locator('tbody tr');
  await waitFor(async () => (await members.count()) === 3, 'three members');
  await page.getByTestId('leader-badge').waitFor();
  const leaderRow = members.filter({ has: page.getByTestId('leader-badge') });
  const leaderName = await leaderRow.getAttribute('data-member');
  assert.ok(leaderName);
  await gui.shot('gui-12-members');
  const process = page.getByTestId('local-members').locator(`tr[data-member="${leaderName}"]`);
  await process.getByTestId('member-stop').click();
  await process.getByTestId('process-state').filter({ hasText: 'stopped' }).waitFor({ timeout: 15_000 });
  await waitFor(async () => {
    const row = members.filter({ has: page.getByTestId('leader-badge') });
    return (await row.count()) === 1 && (await row.getAttribute('data-member')) !== leaderName;
  }, 'a new leader', 20_000);
  await gui.shot('gui-13-failover');
  await process.getByTestId('member-start').click();
  await process.getByTestId('process-state').filter({ hasText: 'running' }).waitFor({ timeout: 20_000 });
});

test('the TLS wizard secures the local cluster and the browser then works over TLS', { skip: missingBrowser || skipUnlessInstalled(etcdctlBinaryPath) }, async () => {
  const { page } = gui;
  await page.getByTestId('nav-cluster').click();
  assert.equal(await page.getByTestId('local-tls-state').innerText(), 'plain http');
  await page.getByTestId('open-tls-wizard').click();
  await page.getByTestId('tls-wizard').getByText('Restart the members one at a time').waitFor();
  await gui.shot('gui-19-tls-wizard-plan');
  await page.getByTestId('tls-wizard-start').click();
  await page.getByTestId('tls-steps').locator('li.done').first().waitFor({ timeout: 30_000 });
  await gui.shot('gui-20-tls-wizard-progress');
  await page.getByTestId('tls-done').waitFor({ timeout: 120_000 });
  const files = await page.getByTestId('tls-files').innerText();
  const tls = mode.host.localTls.state();
  for (const file of tls.files) assert.ok(files.includes(file.path), `the wizard shows ${file.path}`);
  await gui.shot('gui-21-tls-wizard-done');
  await page.getByTestId('tls-wizard-close').click();
  assert.match(await page.getByTestId('local-tls-state').innerText(), /TLS/);
  const endpoints = mode.host.localCluster.clientUrls();
  assert.ok(endpoints.every((endpoint) => endpoint.startsWith('https://')), endpoints.join(', '));
  // A plain client (the one these tests used so far) is refused now.
  await assert.rejects(client.kv.range({ key: '/gui/other' }, { deadlineMs: 3_000 }));
  // The Keys screen still lists and writes, now over TLS with the client certificate.
  await showKeysUnder(page, '/gui/');
  await keyRow(page, 'other').waitFor({ timeout: 15_000 });
  await page.getByTestId('new-key').click();
  await page.getByTestId('new-key-name').fill('/gui/over-tls');
  await page.getByTestId('new-key-continue').click();
  await replaceEditorText(page, 'encrypted all the way');
  await page.getByTestId('save-key').click();
  await page.getByTestId('unsaved').waitFor({ state: 'detached', timeout: 15_000 });
  await keyRow(page, 'over-tls').waitFor();
  const fileOf = (role: string, kind: string): string => tls.files.find((file) => file.role === role && file.kind === kind)!.path;
  const read = await etcdctl([
    'get', '/gui/over-tls', '--print-value-only', `--cacert=${fileOf('ca', 'certificate')}`, `--cert=${fileOf('client', 'certificate')}`, `--key=${fileOf('client', 'private-key')}`,
  ], { endpoints });
  assert.equal(read.code, 0, read.stderr);
  assert.equal(read.stdout.trim(), 'encrypted all the way');
  await gui.shot('gui-22-keys-over-tls');
});

/** Shows the Keys screen filtered to `prefix` (Enter applies the filter at once). */
async function showKeysUnder(page: GuiSession['page'], prefix: string): Promise<void> {
  await page.getByTestId('nav-keys').click();
  await page.getByTestId('key-search').fill(prefix);
  await page.getByTestId('key-search').press('Enter');
}

/** Writes `count` small keys under `prefix` from the second client, in transactions of 128 puts, 8 at a time. */
async function seedKeys(prefix: string, count: number): Promise<void> {
  const batchKeys = 128;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const first = next;
      next = Math.min(count, next + batchKeys);
      const success = [];
      for (let index = first; index < next; index++) success.push({ request_put: { key: `${prefix}key-${String(index).padStart(6, '0')}`, value: 'v' } });
      await client.kv.txn({ success });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** A loopback port that was free a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 100 ms until it is true, failing with `what` after `timeoutMs`. */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
