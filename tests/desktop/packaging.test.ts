// `npm run dist` cannot run here (it downloads Electron), so these checks cover what can go wrong before it: the
// electron-builder configuration passes electron-builder's own schema, names files that exist, keeps the engine
// and native modules out of the asar, and the icon is a real PNG large enough for every platform.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { unpackedPath } from '../../electron/main/supervisor/engine-command.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  extraMetadata: { main: string };
  files: string[];
  asarUnpack: string[];
  linux: { target: string[]; icon: string };
  mac: { target: string[] };
  win: { target: string[] };
}

function loadConfig(): BuilderConfig {
  return YAML.parse(readFileSync(path.join(root, 'build', 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

test('the electron-builder configuration passes electron-builder\'s schema', async () => {
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(loadConfig(), new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...loadConfig(), linux: { notAnOption: true } }, new DebugLogger(false)), /Invalid configuration object/);
});

test('the packaged app has Linux, macOS and Windows targets, its main entry, and an unpacked engine', () => {
  const config = loadConfig();
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.mac.target, ['dmg']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.ok(existsSync(path.join(root, config.extraMetadata.main)), config.extraMetadata.main);
  for (const pattern of ['engine/**', 'electron/main/supervisor/member-launcher.mjs', 'node_modules/**']) assert.ok(config.asarUnpack.includes(pattern), pattern);
  for (const entry of config.files.filter((each) => !each.startsWith('!') && !each.includes('*'))) assert.ok(existsSync(path.join(root, entry)), entry);
  assert.equal(unpackedPath('/opt/Cairn/resources/app.asar/engine/bin/cairn-engine'), '/opt/Cairn/resources/app.asar.unpacked/engine/bin/cairn-engine');
  assert.equal(unpackedPath('/work/main/engine/bin/cairn-engine'), '/work/main/engine/bin/cairn-engine');
});

test('the icon is an RGBA PNG of at least 512x512 (electron-builder derives .icns and .ico from it)', () => {
  const icon = readFileSync(path.join(root, loadConfig().linux.icon));
  assert.deepEqual([...icon.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(icon.subarray(12, 16).toString('ascii'), 'IHDR');
  const width = icon.readUInt32BE(16);
  const height = icon.readUInt32BE(20);
  assert.ok(width >= 512 && width === height, `${width}x${height}`);
  assert.equal(icon[25], 6, 'colour type RGBA');
});
