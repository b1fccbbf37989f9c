// The command line of `npm start` and how to tell whether the desktop window can open here.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { localClusterSizes } from '../common/limits.ts';
import { defaultUserDataDir } from './app-paths.ts';

/** The start of the line that carries browser mode's URL. */
export const browserModeUrlPrefix = 'Cairn browser mode: ';

/** Parsed command line. */
export interface LaunchOptions {
  web: boolean;
  port: number;
  clusterSize: number | undefined;
  userDataDir: string;
  /** True when --user-data-dir was given (Electron then uses it instead of its own default). */
  userDataDirGiven: boolean;
}

/** Parses the flags; returns an error message for a bad one. */
export function parseLaunchArgs(argv: readonly string[]): LaunchOptions | string {
  const options: LaunchOptions = { web: false, port: 0, clusterSize: undefined, userDataDir: defaultUserDataDir(), userDataDirGiven: false };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    const value = (): string | undefined => argv[++index];
    if (flag === '--web') options.web = true;
    else if (flag === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65_535) return '--port needs a port number (0 for any free port)';
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
    } else return `unknown flag ${flag} (flags: --web, --port <n>, --cluster-size <n>, --user-data-dir <folder>)`;
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

/** Why Electron cannot show a window here, or undefined when it can. */
export function electronUnavailableReason(): string | undefined {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are not set)';
  if (!electronBinary()) return 'the Electron binary is not installed (the optional "electron" package is missing)';
  return undefined;
}
