// Shared set-up of the vitest specs: a fresh fake API and a fresh Pinia for each test, and the active
// connection chosen (the local cluster unless a test adds and selects another).
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { setApi } from '../api/index.ts';
import { useConnectionsStore } from '../stores/connections.ts';
import { createFakeApi, fakeConnection, type Fake } from './fake-api.ts';

/** A fake API and the Pinia the stores and mounted components share. */
export interface TestApp {
  fake: Fake;
  pinia: Pinia;
}

/** Installs a new fake API and Pinia and loads the connections (so `connectionId` is the local cluster). */
export async function startTestApp(): Promise<TestApp> {
  window.localStorage.clear();
  const fake = createFakeApi();
  setApi(fake.api);
  const pinia = createPinia();
  setActivePinia(pinia);
  await useConnectionsStore().load();
  return { fake, pinia };
}

/** Adds a connection tagged production named `name` and makes it the active one. */
export async function useProductionConnection(app: TestApp, name = 'Payments prod'): Promise<void> {
  app.fake.connections = [...app.fake.connections, fakeConnection({ id: 'prod', name, environment: 'production' })];
  const connections = useConnectionsStore();
  await connections.load();
  connections.select('prod');
}

/** Lets pending promises and Vue's scheduler run (a few rounds, for chains of awaits). */
export async function settle(rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) await new Promise((resolve) => setTimeout(resolve, 0));
}
