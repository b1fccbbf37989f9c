// The --version text. Clients and scripts grep for "etcd Version:", so the first lines keep etcd's layout and
// report the etcd release whose API Cairn implements; Cairn's own version follows.
import { cairnVersion, etcdApiVersion, etcdServerVersion } from '../common/version.ts';

/** The runtime the member runs on, given by the entry point (engine/cli does not read process globals). */
export interface RuntimeInfo {
  /** Node.js version, e.g. "v20.11.0". */
  nodeVersion: string;
  /** Node.js platform name, e.g. "linux" or "win32". */
  platform: string;
  /** Node.js architecture name, e.g. "x64". */
  arch: string;
}

// Go's names, as etcd prints them in "Go OS/Arch".
const goPlatforms: Record<string, string> = { win32: 'windows', sunos: 'solaris' };
const goArchitectures: Record<string, string> = { x64: 'amd64', ia32: '386' };

/** The --version text, one line per fact. */
export function versionText(runtime?: RuntimeInfo): string {
  const platform = runtime ? `${goPlatforms[runtime.platform] ?? runtime.platform}/${goArchitectures[runtime.arch] ?? runtime.arch}` : 'unknown';
  return [
    `etcd Version: ${etcdServerVersion}`,
    'Git SHA: Not provided (Cairn build)',
    `Go Version: none (Cairn runs on Node.js ${runtime?.nodeVersion ?? ''})`.replace(' )', ')'),
    `Go OS/Arch: ${platform}`,
    `Cairn Version: ${cairnVersion}`,
    `API Version: ${etcdApiVersion}`,
    '',
  ].join('\n');
}
