// Where Cairn keeps its data when Electron is not there to say: the same folder Electron's app.getPath('userData')
// uses for an app named "cairn", so the desktop app and browser mode share connections and the local cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app's folder name under the platform's settings folder. */
export const appFolderName = 'cairn';

/** The user-data folder for this platform. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), appFolderName);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', appFolderName);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), appFolderName);
}

/** The repository (or unpacked app) root: electron/main/../.. */
export const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The app version from package.json. */
export function appVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

/** The switch that hands the desktop app a data folder chosen on `npm start`'s command line. */
export const userDataDirSwitch = '--cairn-user-data-dir';

/** The switch that hands the desktop app the size of a newly created local cluster. */
export const clusterSizeSwitch = '--cairn-cluster-size';

/** The value of `--name=value` in argv, if present. */
export function switchValue(argv: readonly string[], name: string): string | undefined {
  return argv.find((argument) => argument.startsWith(`${name}=`))?.slice(name.length + 1);
}
