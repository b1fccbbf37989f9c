// What each watcher saw during a run, in a form that two servers can be compared on. How events are split into
// WatchResponses depends on timing (a catching-up watcher gets many revisions in one response, a synced one one
// revision per response), and so does the header revision of an event response. So events are flattened per
// watcher, in order, and only control answers (created, canceled) keep their header revision.
import type { WatchStream } from '../support/grpc-client.ts';
import { normalize } from './normalize.ts';

/** Per watch id, everything the watcher received, in arrival order. */
export type WatchHistory = Record<string, unknown[]>;

/** Groups a stream's responses by watch id: control answers as they are, events one by one. */
export function watchHistory(stream: WatchStream): WatchHistory {
  const history: WatchHistory = {};
  for (const response of stream.responses) {
    const id = response.watch_id ?? '?';
    const items = (history[id] ??= []);
    const events = response.events ?? [];
    if (events.length > 0) {
      for (const event of events) items.push({ event: normalize(event) });
      if (!response.canceled && !response.created) continue;
    }
    const control = normalize(response) as Record<string, unknown>;
    delete control.events;
    items.push({ control });
  }
  return history;
}
