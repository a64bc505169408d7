import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { PostgresEventStore } from '@app/event-store';
import { Pool } from 'pg';
import type { BenchCluster } from '../support/database';
import { runConcurrently, sampleEvent } from '../support/workload';

export const APPEND_CLIENTS = 8;

/** One contender of the append scenarios: set up once, then measured window after window. */
export interface Appender {
  name: string;
  /** Appends `eventsPerCall` events for one client, one call; returns the events written. */
  append(client: number): Promise<number>;
  /** Closes its connections and drops its database, so that no vacuum of it falls into a later measurement. */
  close(): Promise<void>;
}

/**
 * The floor of any event store on this database: one plain INSERT per
 * transaction (or one multi-row INSERT per call), no version check, no hash,
 * into a table as wide as ours.
 */
export async function rawInsert(cluster: BenchCluster, eventsPerCall: number): Promise<Appender> {
  const database = await cluster.createDatabase();
  const pool = new Pool({ connectionString: database.url, max: APPEND_CLIENTS });
  await pool.query(`
    CREATE TABLE raw_events (
      global_position bigserial PRIMARY KEY, stream_id text NOT NULL, stream_version bigint NOT NULL,
      event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now())`);
  const versions = new Array<number>(APPEND_CLIENTS).fill(0);
  const columns = 5;
  const placeholders = Array.from(
    { length: eventsPerCall },
    (_, row) => `(${Array.from({ length: columns }, (_, column) => `$${row * columns + column + 1}`).join(', ')})`,
  ).join(', ');
  const text = `INSERT INTO raw_events (stream_id, stream_version, event_type, data, metadata) VALUES ${placeholders}`;
  return {
    name: eventsPerCall === 1 ? 'raw pg: single-row INSERT' : `raw pg: ${eventsPerCall}-row INSERT`,
    async append(client) {
      const values: unknown[] = [];
      for (let index = 0; index < eventsPerCall; index++) {
        const event = sampleEvent(index);
        values.push(`stream-${client}`, ++versions[client], event.type, JSON.stringify(event.data), JSON.stringify(event.metadata));
      }
      await pool.query(text, values);
      return eventsPerCall;
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

/** Ours: expected-version check, hash chain, ordered positions, append signal. */
export async function ourAppend(cluster: BenchCluster, eventsPerCall: number): Promise<Appender> {
  const database = await cluster.createDatabase({ migrate: true });
  const store = new PostgresEventStore({ connectionString: database.url, poolSize: APPEND_CLIENTS });
  const versions = new Array<number>(APPEND_CLIENTS).fill(0);
  return {
    name: 'reform-ledger appendToStream',
    async append(client) {
      const events = Array.from({ length: eventsPerCall }, (_, index) => sampleEvent(index));
      const { nextExpectedVersion } = await store.appendToStream(`item-bench-${client}`, events, {
        expectedVersion: versions[client] === 0 ? 'no_stream' : versions[client],
      });
      versions[client] = nextExpectedVersion;
      return eventsPerCall;
    },
    async close() {
      await store.close();
      await database.drop();
    },
  };
}

/** Emmett's PostgreSQL event store, the same workload with its expected-version check. */
export async function emmettAppend(cluster: BenchCluster, eventsPerCall: number): Promise<Appender> {
  const database = await cluster.createDatabase();
  const store = getPostgreSQLEventStore(database.url);
  const versions = new Array<bigint>(APPEND_CLIENTS).fill(0n);
  return {
    name: 'Emmett appendToStream',
    async append(client) {
      const events = Array.from({ length: eventsPerCall }, (_, index) => {
        const { type, data, metadata } = sampleEvent(index);
        return { type, data: data as Record<string, unknown>, metadata: metadata as unknown as Record<string, unknown> };
      });
      const result = await store.appendToStream(`item-bench-${client}`, events, { expectedStreamVersion: versions[client] });
      versions[client] = result.nextExpectedStreamVersion;
      return eventsPerCall;
    },
    async close() {
      await store.close();
      await database.drop();
    },
  };
}

export function measure(appender: Appender, durationMs: number): Promise<number> {
  return runConcurrently(APPEND_CLIENTS, durationMs, (client) => appender.append(client));
}
