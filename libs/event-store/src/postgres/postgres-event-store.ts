import { DatabaseError, Pool, PoolClient, PoolConfig } from 'pg';
import { CatchUpSubscription, pollingOnly } from '../catch-up-subscription';
import {
  AppendOptions,
  AppendResult,
  ChainVerification,
  EventStore,
  EventStoreHealth,
  EventSubscription,
  InvalidEventError,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  WrongExpectedVersionError,
  satisfiesExpectedVersion,
} from '../event-store';
import { ChainVerifier, GENESIS_HASH, chainEvents, prepareEvents } from '../hash-chain';
import { APPEND_CHANNEL, PostgresAppendSignal } from './postgres-append-signal';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Connections in the store's pool (default 10). */
  poolSize?: number;
  /** Longest wait of a live subscription between reads (default 1000 ms). */
  pollIntervalMs?: number;
  /** LISTEN for appends; when false, subscriptions only poll (default true). */
  notifications?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * Key of the transaction-level advisory lock that orders appends.
 *
 * Why: a bigserial alone lets a reader skip events. Transaction A draws position 5,
 * B draws 6, B commits first; a reader sees 6, moves its checkpoint past 5, and
 * never sees 5 when A commits. Here every append draws its positions only after
 * taking this lock, and holds it until its commit is visible (PostgreSQL releases
 * locks after the commit record is flushed and the transaction shows as committed).
 * So positions become visible in the order they were drawn, and any reader that
 * sees position p sees every committed position below it. Gaps left by rolled-back
 * appends are permanent and harmless.
 *
 * Cost: the lock covers only the INSERT and the commit; reading the stream head,
 * checking the expectation and hashing happen before it. Appends of different
 * streams still share one commit at a time, which bench/ measures.
 */
const APPEND_ORDER_LOCK = 0x52_4c_45_56; // "RLEV"

const APPEND_RETRIES_FOR_ANY = 3;
const UNIQUE_VIOLATION = '23505';

// Output names equal the column names, so ORDER BY must qualify them (events.x):
// a bare name would sort by the text alias.
const EVENT_COLUMNS = `
  global_position::text AS global_position, event_id::text AS event_id, stream_id,
  stream_version::text AS stream_version, event_type, schema_version, data, metadata,
  recorded_at, previous_hash, hash`;

interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: RecordedEvent['metadata'];
  recorded_at: Date;
  previous_hash: string;
  hash: string;
}

export class PostgresEventStore extends EventStore {
  private readonly pool: Pool;
  private readonly appendSignal: PostgresAppendSignal;
  private readonly pollIntervalMs: number;
  private readonly notifications: boolean;

  constructor(options: PostgresEventStoreOptions) {
    super();
    const onError = options.onError ?? (() => undefined);
    const connection: PoolConfig = { connectionString: options.connectionString };
    this.pool = new Pool({ ...connection, max: options.poolSize ?? 10 });
    this.pool.on('error', onError);
    this.appendSignal = new PostgresAppendSignal(connection, 1000, onError);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.notifications = options.notifications ?? true;
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    if (typeof streamId !== 'string' || streamId.length === 0) {
      throw new InvalidEventError('streamId must be a non-empty string');
    }
    const prepared = prepareEvents(events);
    const eventIds = prepared.map((event) => event.id);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.appendOnce(streamId, prepared, options);
      } catch (error) {
        const duplicateIds = error instanceof DatabaseError && error.constraint === 'events_event_id_unique';
        if (error instanceof WrongExpectedVersionError || duplicateIds) {
          const earlier = await this.findEarlierAppend(streamId, eventIds);
          if (earlier) return earlier;
          if (duplicateIds) throw new InvalidEventError('The append reuses event ids of other events');
          throw error;
        }
        if (!(error instanceof DatabaseError) || error.code !== UNIQUE_VIOLATION) throw error;
        // Another append created the stream between our head read and our insert.
        if (options.expectedVersion === 'any' && attempt < APPEND_RETRIES_FOR_ANY) continue;
        throw new WrongExpectedVersionError(streamId, options.expectedVersion, await this.streamVersion(streamId));
      }
    }
  }

  private async appendOnce(
    streamId: string,
    events: ReturnType<typeof prepareEvents>,
    { expectedVersion }: AppendOptions,
  ): Promise<AppendResult> {
    return this.inTransaction(async (client) => {
      const head = await client.query<{ version: string; last_hash: string }>(
        'SELECT version::text AS version, last_hash FROM event_streams WHERE stream_id = $1 FOR UPDATE',
        [streamId],
      );
      const currentVersion = head.rows.length ? Number(head.rows[0].version) : 0;
      if (!satisfiesExpectedVersion(expectedVersion, currentVersion)) {
        throw new WrongExpectedVersionError(streamId, expectedVersion, currentVersion);
      }
      const ordered = await client.query<{ now: Date }>(
        `SELECT date_trunc('milliseconds', clock_timestamp()) AS now
           FROM (SELECT pg_advisory_xact_lock($1)) AS append_order`,
        [APPEND_ORDER_LOCK],
      );
      const recordedAt = ordered.rows[0].now;
      const chained = chainEvents(
        streamId,
        events,
        { version: currentVersion, hash: head.rows[0]?.last_hash ?? GENESIS_HASH },
        recordedAt,
      );
      const last = chained[chained.length - 1];
      const inserted = await client.query<{ last_position: string }>(
        `WITH incoming AS (
           SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
             id uuid, "streamVersion" bigint, type text, "schemaVersion" integer,
             data jsonb, metadata jsonb, "previousHash" text, hash text)
         ), inserted AS (
           INSERT INTO events (event_id, stream_id, stream_version, event_type, schema_version,
                               data, metadata, recorded_at, previous_hash, hash)
           SELECT id, $1, "streamVersion", type, "schemaVersion", data, metadata, $3,
                  "previousHash", hash
             FROM incoming ORDER BY "streamVersion"
           RETURNING global_position
         ), head AS (
           INSERT INTO event_streams (stream_id, version, last_hash, updated_at)
           VALUES ($1, $4, $5, $3)
           ON CONFLICT (stream_id) DO UPDATE
             SET version = EXCLUDED.version, last_hash = EXCLUDED.last_hash,
                 updated_at = EXCLUDED.updated_at
         )
         SELECT last_position::text AS last_position,
                pg_notify('${APPEND_CHANNEL}', last_position::text)
           FROM (SELECT max(global_position) AS last_position FROM inserted) AS appended`,
        [streamId, JSON.stringify(chained), recordedAt, last.streamVersion, last.hash],
      );
      return {
        nextExpectedVersion: last.streamVersion,
        lastPosition: Number(inserted.rows[0].last_position),
      };
    });
  }

  /**
   * An append retried with the same event ids (say, after a lost acknowledgement)
   * gets the first append's result instead of writing the events twice.
   */
  private async findEarlierAppend(streamId: string, eventIds: string[]): Promise<AppendResult | undefined> {
    const found = await this.pool.query<{ event_id: string; stream_id: string; stream_version: string; global_position: string }>(
      `SELECT event_id::text AS event_id, stream_id, stream_version::text AS stream_version,
              global_position::text AS global_position
         FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY events.global_position`,
      [eventIds],
    );
    const sameAppend =
      found.rows.length === eventIds.length &&
      found.rows.every(
        (row, index) =>
          row.event_id === eventIds[index] &&
          row.stream_id === streamId &&
          Number(row.stream_version) === Number(found.rows[0].stream_version) + index,
      );
    if (!sameAppend) return undefined;
    const last = found.rows[found.rows.length - 1];
    return { nextExpectedVersion: Number(last.stream_version), lastPosition: Number(last.global_position) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return readStreamWith(this.pool, streamId, options);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return readAllWith(this.pool, options);
  }

  async headPosition(): Promise<number> {
    const result = await this.pool.query<{ head: string }>(
      'SELECT COALESCE(max(global_position), 0)::text AS head FROM events',
    );
    return Number(result.rows[0].head);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return new CatchUpSubscription(
      (page) => this.readAll(page),
      this.notifications ? this.appendSignal : pollingOnly,
      {
        fromPosition: options.fromPosition ?? 0,
        batchSize: options.batchSize ?? 500,
        pollIntervalMs: this.pollIntervalMs,
      },
    );
  }

  /** Checks one stream's chain, and that its recorded head matches its last event. */
  async verifyStream(streamId: string): Promise<ChainVerification> {
    return this.inSnapshot(async (client) => {
      const verifier = new ChainVerifier();
      for (const event of await readStreamWith(client, streamId, {})) {
        if (!verifier.check(event)) break;
      }
      await checkRecordedHeads(client, verifier, streamId);
      return verifier.result();
    });
  }

  /** Checks every stream's chain in one consistent snapshot of the store. */
  async verifyAll(): Promise<ChainVerification> {
    return this.inSnapshot(async (client) => {
      const verifier = new ChainVerifier();
      const pageSize = 5000;
      for (let fromPosition = 0; ; ) {
        const page = await readAllWith(client, { fromPosition, limit: pageSize });
        for (const event of page) {
          if (!verifier.check(event)) return verifier.result();
        }
        if (page.length < pageSize) break;
        fromPosition = page[page.length - 1].globalPosition + 1;
      }
      await checkRecordedHeads(client, verifier);
      return verifier.result();
    });
  }

  async checkHealth(): Promise<EventStoreHealth> {
    try {
      await this.pool.query('SELECT 1 FROM events LIMIT 0');
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    if (this.pool.ended) return;
    await this.appendSignal.close();
    await this.pool.end();
  }

  private async streamVersion(streamId: string): Promise<number> {
    const result = await this.pool.query<{ version: string }>(
      'SELECT version::text AS version FROM event_streams WHERE stream_id = $1',
      [streamId],
    );
    return result.rows.length ? Number(result.rows[0].version) : 0;
  }

  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient('BEGIN', work);
  }

  private async inSnapshot<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', work);
  }

  private async withClient<T>(begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

type Queryable = Pick<Pool, 'query'>;

async function readStreamWith(
  db: Queryable,
  streamId: string,
  { fromVersion = 1, toVersion, asOf, toPosition }: ReadStreamOptions,
): Promise<RecordedEvent[]> {
  const result = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events
      WHERE stream_id = $1 AND stream_version >= $2
        AND ($3::bigint IS NULL OR stream_version <= $3)
        AND ($4::timestamptz IS NULL OR recorded_at <= $4)
        AND ($5::bigint IS NULL OR global_position <= $5)
      ORDER BY events.stream_version`,
    [streamId, fromVersion, toVersion ?? null, asOf ?? null, toPosition ?? null],
  );
  return result.rows.map(toRecordedEvent);
}

async function readAllWith(
  db: Queryable,
  { fromPosition = 0, limit = 1000 }: ReadAllOptions,
): Promise<RecordedEvent[]> {
  const result = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE global_position >= $1 ORDER BY events.global_position LIMIT $2`,
    [fromPosition, limit],
  );
  return result.rows.map(toRecordedEvent);
}

/**
 * The chain alone cannot see events cut off a stream's end; the head row kept
 * by every append can. Reported as a version gap at the first missing version.
 */
async function checkRecordedHeads(db: Queryable, verifier: ChainVerifier, streamId?: string): Promise<void> {
  if (!verifier.result().ok) return;
  const heads = await db.query<{ stream_id: string; version: string }>(
    `SELECT stream_id, version::text AS version FROM event_streams
      WHERE $1::text IS NULL OR stream_id = $1 ORDER BY stream_id`,
    [streamId ?? null],
  );
  for (const head of heads.rows) {
    verifier.expectHead(head.stream_id, Number(head.version));
  }
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    globalPosition: Number(row.global_position),
    recordedAt: row.recorded_at,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}
