import type { RecordedEvent } from '@app/event-store';

/** Runs SQL inside the transaction of one batch. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

/** The physical name of each of a projection's tables in one build, by logical name. */
export type TableNames<Table extends string = string> = Record<Table, string>;

/**
 * A read model built from the events. Named and versioned: a change to what it
 * stores is a new version, which is built from position 0 into fresh tables
 * beside the old ones and swapped in when it has caught up.
 */
export interface Projection<Table extends string = string> {
  name: string;
  version: number;
  /** Logical table names; readers see each through a view of that name. */
  tables: readonly Table[];
  /** Creates this build's tables (empty) under the given physical names. */
  createTables(sql: Sql, tables: TableNames<Table>): Promise<void>;
  /** Applies a batch of events, in global order, inside the batch's transaction. */
  apply(sql: Sql, tables: TableNames<Table>, events: readonly RecordedEvent[]): Promise<void>;
}

export function physicalNames<Table extends string>(projection: Projection<Table>, build: number): TableNames<Table> {
  return Object.fromEntries(projection.tables.map((table) => [table, `${table}__b${build}`])) as TableNames<Table>;
}
