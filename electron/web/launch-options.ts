// The command line of `npm start`, and the choice it leads to: the desktop window when Electron can show one
// here, browser mode otherwise (or when asked for with --web).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { localClusterSizes } from '../common/limits.ts';
import { defaultUserDataDir } from '../main/app-paths.ts';

/** The start of the line that carries browser mode's URL. */
export const browserModeUrlPrefix = 'Cairn browser mode: ';

/** The flags, for messages. */
const flagsText = '--web, --port <n>, --cluster-size <n>, --user-data-dir <folder>, --renderer-dir <folder>';

/** Parsed command line. */
export interface LaunchOptions {
  web: boolean;
  port: number;
  clusterSize: number | undefined;
  userDataDir: string;
  /** True when --user-data-dir was given (Electron then uses it instead of its own default). */
  userDataDirGiven: boolean;
  /** A renderer build to serve in browser mode instead of renderer/dist (the GUI's tests use their own build). */
  rendererDir: string | undefined;
}

/** Parses the flags; returns an error message for a bad one. */
export function parseLaunchArgs(argv: readonly string[], defaultDataDir = defaultUserDataDir()): LaunchOptions | string {
  const options: LaunchOptions = { web: false, port: 0, clusterSize: undefined, userDataDir: defaultDataDir, userDataDirGiven: false, rendererDir: undefined };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    const value = (): string | undefined => argv[++index];
    if (flag === '--web') options.web = true;
    else if (flag === '--port') {
      const text = value() ?? '';
      const port = Number(text);
      if (!/^\d+$/.test(text) || port > 65_535) return '--port needs a port number (0 for any free port)';
      options.port = port;
    } else if (flag === '--cluster-size') {
      const size = Number(value());
      if (!(localClusterSizes as readonly number[]).includes(size)) return `--cluster-size must be one of ${localClusterSizes.join(', ')}`;
      options.clusterSize = size;
    } else if (flag === '--user-data-dir') {
      const directory = value();
      if (!directory) return '--user-data-dir needs a folder';
      options.userDataDir = path.resolve(directory);
      options.userDataDirGiven = true;
    } else if (flag === '--renderer-dir') {
      const directory = value();
      if (!directory) return '--renderer-dir needs a folder';
      options.rendererDir = path.resolve(directory);
    } else return `unknown flag ${flag} (flags: ${flagsText})`;
  }
  return options;
}

/** The Electron binary, when the optional `electron` package installed one. */
export function electronBinary(): string | undefined {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && fs.existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/** What `npm start` does: open the window with `binary`, or serve browser mode (with the reason when not asked for). */
export type LaunchMode = { mode: 'electron'; binary: string } | { mode: 'browser'; reason: string | undefined };

/** What can be found out about this machine for the choice (a parameter, so the choice can be tested). */
export interface LaunchEnvironment {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  binary: string | undefined;
}

/** Chooses between the desktop window and browser mode. */
export function chooseLaunchMode(options: Pick<LaunchOptions, 'web'>, machine: LaunchEnvironment): LaunchMode {
  if (options.web) return { mode: 'browser', reason: undefined };
  if (machine.platform === 'linux' && !machine.env.DISPLAY && !machine.env.WAYLAND_DISPLAY) {
    return { mode: 'browser', reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)' };
  }
  if (!machine.binary) return { mode: 'browser', reason: 'the Electron binary is not installed (the optional "electron" package is missing or could not download it)' };
  return { mode: 'electron', binary: machine.binary };
}
