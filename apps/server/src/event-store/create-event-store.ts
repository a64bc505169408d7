import { EventStore, EventStoreDbEventStore, PostgresEventStore } from '@app/event-store';
import type { Environment } from '../config/environment';

export const EVENT_STORE_SETTINGS = Symbol('EVENT_STORE_SETTINGS');

/** What it takes to open the event store: plain data, so that a worker thread can open its own. */
export interface EventStoreSettings {
  adapter: Environment['EVENT_STORE'];
  databaseUrl: string;
  eventStoreDb?: { connectionString: string; timeoutMs: number };
}

export function eventStoreSettings(
  environment: Pick<Environment, 'EVENT_STORE' | 'EVENTSTORE_CONNECTION_STRING' | 'EVENTSTORE_TIMEOUT_MS'>,
  databaseUrl: string,
): EventStoreSettings {
  return environment.EVENT_STORE === 'eventstoredb'
    ? {
        adapter: 'eventstoredb',
        databaseUrl,
        eventStoreDb: { connectionString: environment.EVENTSTORE_CONNECTION_STRING!, timeoutMs: environment.EVENTSTORE_TIMEOUT_MS },
      }
    : { adapter: 'postgres', databaseUrl };
}

/** The adapter the settings name; `warn` hears of connection trouble. */
export function createEventStore(settings: EventStoreSettings, warn: (message: string) => void): EventStore {
  if (settings.adapter === 'eventstoredb') return new EventStoreDbEventStore(settings.eventStoreDb!);
  return new PostgresEventStore({
    connectionString: settings.databaseUrl,
    onError: (error) => warn(`event store connection: ${String(error)}`),
  });
}
