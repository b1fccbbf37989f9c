// --initial-cluster: "name=peer-url,name=peer-url,...". A name may repeat to give a member several peer URLs,
// as etcd's types.NewURLsMap allows. Members keep the order of their first appearance.
import { parseUrlList } from './url-list.ts';

/** One member of the initial cluster (the shape engine/server's ServerConfig expects). */
export interface InitialClusterMember {
  name: string;
  peerUrls: string[];
}

/** Parses an --initial-cluster value; an empty value is an empty cluster. */
export function parseInitialCluster(text: string): { members: InitialClusterMember[] } | { error: string } {
  const urlsByName = new Map<string, Set<string>>();
  const ownerByUrl = new Map<string, string>();
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.indexOf('=');
    const name = equals < 0 ? '' : entry.slice(0, equals).trim();
    if (name === '') return { error: `invalid --initial-cluster entry ${JSON.stringify(entry)}: expected name=peer-url` };
    const parsed = parseUrlList(entry.slice(equals + 1), 'advertise');
    if ('error' in parsed) return { error: `invalid --initial-cluster entry ${JSON.stringify(entry)}: ${parsed.error}` };
    if (parsed.urls.length === 0) return { error: `invalid --initial-cluster entry ${JSON.stringify(entry)}: expected name=peer-url` };
    for (const url of parsed.urls) {
      const owner = ownerByUrl.get(url);
      if (owner !== undefined && owner !== name) return { error: `--initial-cluster gives peer URL ${url} to both "${owner}" and "${name}"` };
      ownerByUrl.set(url, name);
      if (!urlsByName.has(name)) urlsByName.set(name, new Set());
      urlsByName.get(name)!.add(url);
    }
  }
  return { members: [...urlsByName].map(([name, urls]) => ({ name, peerUrls: [...urls].sort() })) };
}

/** The --initial-cluster value for the given members. */
export function formatInitialCluster(members: readonly InitialClusterMember[]): string {
  return members.flatMap((member) => member.peerUrls.map((url) => `${member.name}=${url}`)).join(',');
}
