import type { RecordedEvent } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { Projection, TableNames } from '../src';

/** Builds recorded events for a stream, numbering versions and positions as a store would. */
export class EventLog {
  private position = 0;
  private readonly versions = new Map<string, number>();
  readonly events: RecordedEvent[] = [];

  append(streamId: string, type: string, data: unknown, actor = { userId: 'tanaka', role: 'department_staff' }, at?: string): RecordedEvent {
    const version = (this.versions.get(streamId) ?? 0) + 1;
    this.versions.set(streamId, version);
    const recordedAt = new Date(at ?? Date.UTC(2021, 3, 1, 0, 0, this.position));
    const event: RecordedEvent = {
      id: randomUUID(),
      type,
      schemaVersion: 1,
      data,
      metadata: {
        commandId: randomUUID(),
        correlationId: 'c',
        causationId: 'c',
        actor,
        occurredAt: recordedAt.toISOString(),
      },
      streamId,
      streamVersion: version,
      globalPosition: ++this.position,
      recordedAt,
      previousHash: '',
      hash: '',
    };
    this.events.push(event);
    return event;
  }
}

/** given(events) / then(rows): a projection applied to real tables in a test database. */
export async function projectionHarness<Table extends string>(projection: Projection<Table>) {
  const database: TestDatabase = await createTestDatabase();
  const client = new Client({ connectionString: database.url });
  await client.connect();
  const sql = { query: async (text: string, params?: unknown[]) => (await client.query(text, params as unknown[])).rows };
  let counter = 0;
  return {
    /** Fresh tables, the events applied in batches of `batchSize`; returns the table names. */
    async given(events: readonly RecordedEvent[], batchSize = 500): Promise<TableNames<Table>> {
      const tables = Object.fromEntries(projection.tables.map((table) => [table, `${table}__t${++counter}`])) as TableNames<Table>;
      await projection.createTables(sql, tables);
      for (let start = 0; start < events.length; start += batchSize) {
        await client.query('BEGIN');
        await projection.apply(sql, tables, events.slice(start, start + batchSize));
        await client.query('COMMIT');
      }
      return tables;
    },
    rows: (text: string, params?: unknown[]) => sql.query(text, params),
    async close() {
      await client.end();
      await database.drop();
    },
  };
}
