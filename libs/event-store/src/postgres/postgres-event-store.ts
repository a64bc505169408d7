import { DatabaseError, Pool, PoolClient, PoolConfig, QueryConfig } from 'pg';
import { CatchUpSubscription, pollingOnly, sleep } from '../catch-up-subscription';
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
import { ChainVerifier, ChainedEvent, GENESIS_HASH, chainEvents, prepareEvents } from '../hash-chain';
import { STREAM_HEAD_MOVED } from './migrations/1764200000000-shorten-append-order-lock';
import { APPEND_CHANNEL, PostgresAppendSignal } from './postgres-append-signal';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Connections in the store's pool for commands (default 10). */
  poolSize?: number;
  /** Longest wait of a live subscription between reads (default 1000 ms). */
  pollIntervalMs?: number;
  /** LISTEN for appends; when false, subscriptions only poll (default true). */
  notifications?: boolean;
  onError?: (error: unknown) => void;
}

/**
 * Key of the session-level advisory lock under which appends draw positions.
 *
 * Why: a bigserial alone lets a reader skip events. Transaction A draws position 5,
 * B draws 6, B commits first; a reader sees 6, moves its checkpoint past 5, and
 * never sees 5 when A commits.
 *
 * So each append function (append_event(), append_events(), append_group(): one
 * round trip) takes this lock, inserts the events (the first write gives the transaction its id, the rows
 * draw their positions), and lets go before it writes the stream's head and the
 * transaction commits. Transaction ids and positions are thus handed out in the
 * same order, and readers take only events whose transaction is older than the
 * oldest one still open (`SAFE_TO_READ`):
 * every event below a visible one has then either committed, or rolled back and
 * left a harmless gap. The lock is held for microseconds, and commits run side by
 * side, sharing WAL flushes, instead of queueing behind one another.
 *
 * The price: an event becomes readable only once every transaction that began
 * writing before it has ended, appends or not; a session left idle inside a
 * transaction holds back every reader (set idle_in_transaction_session_timeout).
 */
const APPEND_ORDER_LOCK = 0x52_4c_45_56; // "RLEV"

/** Events every transaction older than the oldest open one wrote: nothing below them is still to come. */
const SAFE_TO_READ = 'events.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))';

/** Stream heads remembered from this store's own reads and appends (most recent last). */
const REMEMBERED_HEADS = 10_000;

interface StreamHead {
  version: number;
  hash: string;
  recordedAt: Date;
}

const NEW_STREAM: StreamHead = { version: 0, hash: GENESIS_HASH, recordedAt: new Date(0) };

/** Shortest time between two NOTIFYs of a store: appends in between are announced together. */
const ANNOUNCE_INTERVAL_MS = 10;

/**
 * Most appends, and most events, sent in one group. Grouping pays PostgreSQL's
 * work per transaction once for many small appends; an append of a hundred
 * events already does, and large appends go faster side by side, on their own
 * connections, than one after another in one transaction (8 × 100 events: 28%
 * of raw INSERT grouped, 41% alone).
 */
const GROUP_LIMIT = { appends: 64, events: 100 };

/** Connections for reads of the whole log: a server runs two projections and two followers. */
const LOG_POOL_SIZE = 4;

/** Tries of one append against heads that keep moving (another writer of the stream) before giving up. */
const APPEND_ATTEMPTS = 4;

// Output names equal the column names, so ORDER BY must qualify them (events.x):
// a bare name would sort by the text alias.
const EVENT_COLUMNS = `
  global_position::text AS global_position, event_id::text AS event_id, stream_id,
  stream_version::text AS stream_version, event_type, schema_version, data, metadata,
  recorded_at, previous_hash, hash`;

/** An append waiting for the end of the event loop's turn, to go with the others made in it. */
interface WaitingAppend {
  streamId: string;
  head: StreamHead;
  events: ChainedEvent[];
  recordedAt: Date;
  sent: { resolve: (lastPosition: number | null) => void; reject: (error: unknown) => void };
}

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
  /**
   * Reads of the whole log (readAll, headPosition) go through connections of
   * their own: the projections and followers that make them would otherwise
   * queue behind a burst of commands for a free connection (measured: 40–60 ms
   * per read at 500 commands/s), and that wait is the read models' lag.
   */
  private readonly logPool: Pool;
  private readonly appendSignal: PostgresAppendSignal;
  private readonly pollIntervalMs: number;
  private readonly notifications: boolean;
  private readonly onError: (error: unknown) => void;
  private unannouncedPosition = 0;
  private readonly heads = new Map<string, StreamHead>();
  private announcing?: Promise<void>;
  private readonly pagesBeingRead = new Map<string, Promise<RecordedEvent[]>>();
  private readonly waitingAppends: WaitingAppend[] = [];

  constructor(options: PostgresEventStoreOptions) {
    super();
    const onError = (this.onError = options.onError ?? (() => undefined));
    const connection: PoolConfig = { connectionString: options.connectionString };
    this.pool = new Pool({ ...connection, max: options.poolSize ?? 10 });
    this.pool.on('error', onError);
    this.logPool = new Pool({ ...connection, max: LOG_POOL_SIZE });
    this.logPool.on('error', onError);
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
    try {
      return await this.appendOnce(streamId, prepared, options);
    } catch (error) {
      const duplicateIds = error instanceof DatabaseError && error.constraint === 'events_event_id_unique';
      if (!(error instanceof WrongExpectedVersionError) && !duplicateIds) throw error;
      const earlier = await this.findEarlierAppend(streamId, eventIds);
      if (earlier) return earlier;
      if (duplicateIds) throw new InvalidEventError('The append reuses event ids of other events');
      throw error;
    }
  }

  /**
   * One round trip when the head is known: commands read their stream before
   * appending, so the head usually is, and a stream expected not to exist is
   * taken at its word. A head that has moved on since (another process appended)
   * makes the append function refuse; the head is then read afresh.
   */
  private async appendOnce(
    streamId: string,
    events: ReturnType<typeof prepareEvents>,
    { expectedVersion }: AppendOptions,
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const assumed = attempt === 1 ? (this.heads.get(streamId) ?? (expectedVersion === 'no_stream' ? NEW_STREAM : undefined)) : undefined;
      const head = assumed ?? (await this.readHead(streamId));
      if (!satisfiesExpectedVersion(expectedVersion, head.version)) {
        if (assumed) continue;
        throw new WrongExpectedVersionError(streamId, expectedVersion, head.version);
      }
      // Never before the stream's previous event, whatever this machine's clock says.
      const recordedAt = new Date(Math.max(Date.now(), head.recordedAt.getTime()));
      const chained = chainEvents(streamId, events, head, recordedAt);
      const lastPosition = await this.send({ streamId, head, events: chained, recordedAt });
      if (lastPosition === null) {
        this.heads.delete(streamId);
        if (attempt >= APPEND_ATTEMPTS) {
          throw new WrongExpectedVersionError(streamId, expectedVersion, (await this.readHead(streamId)).version);
        }
        continue;
      }
      const last = chained[chained.length - 1];
      this.rememberHead(streamId, { version: last.streamVersion, hash: last.hash, recordedAt });
      this.announce(lastPosition);
      return { nextExpectedVersion: last.streamVersion, lastPosition };
    }
  }

  /**
   * The last position written, or null when the stream's head has moved on from
   * the one chained onto. Appends made in the same turn of the event loop go
   * together (a server's requests that arrived together, writers woken by the
   * same commit): one round trip, one transaction and one commit for them all,
   * so that PostgreSQL's work per transaction is paid once per group. The wait
   * is until the turn ends, never for another append to finish.
   */
  private send(append: Omit<WaitingAppend, 'sent'>): Promise<number | null> {
    return new Promise((resolve, reject) => {
      this.waitingAppends.push({ ...append, sent: { resolve, reject } });
      if (this.waitingAppends.length === 1) setImmediate(() => this.sendWaiting());
    });
  }

  private sendWaiting(): void {
    let group: WaitingAppend[] = [];
    let events = 0;
    for (const append of this.waitingAppends.splice(0)) {
      if (group.length === GROUP_LIMIT.appends || (group.length > 0 && events + append.events.length > GROUP_LIMIT.events)) {
        void this.sendGroup(group);
        group = [];
        events = 0;
      }
      group.push(append);
      events += append.events.length;
    }
    void this.sendGroup(group);
  }

  private async sendGroup(group: WaitingAppend[]): Promise<void> {
    if (group.length > 1) {
      // In stream order: an append to a stream already in the group is the one left out, and two groups move heads in the same order.
      group.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
      const lastPositions = await this.callAppendGroup(group).catch(() => null);
      if (lastPositions) {
        group.forEach((append, index) => append.sent.resolve(lastPositions[index] === null ? null : Number(lastPositions[index])));
        return;
      }
      // Failed as a whole (a head moved during the call, event ids used before), the
      // group wrote nothing: each append goes again alone, to succeed or fail on its
      // own. (After a lost connection the group may have landed: then each append's
      // head has moved on, and appendToStream finds its events by their ids.)
    }
    await Promise.all(group.map((append) => this.callAppendEvents(append).then(append.sent.resolve, append.sent.reject)));
  }

  private async callAppendEvents({ streamId, head, events, recordedAt }: Omit<WaitingAppend, 'sent'>): Promise<number | null> {
    const lastPosition = await this.callWithOrderLock<string | null>(appendQuery(streamId, head, events, recordedAt));
    return lastPosition === null ? null : Number(lastPosition);
  }

  private callAppendGroup(group: readonly WaitingAppend[]): Promise<(string | null)[] | null> {
    return this.callWithOrderLock<(string | null)[]>(appendGroupQuery(group));
  }

  /** Runs an append function (which answers in the column `last_position`), freeing the ordering lock if it fails. */
  private async callWithOrderLock<T>(query: QueryConfig): Promise<T | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ last_position: T }>(query);
      client.release();
      return rows[0].last_position;
    } catch (error) {
      await releaseOrderLock(client);
      if (headMovedDuringAppend(error)) return null;
      throw error;
    }
  }

  private async readHead(streamId: string): Promise<StreamHead> {
    const { rows } = await this.pool.query<{ version: string; last_hash: string; updated_at: Date }>(
      'SELECT version::text AS version, last_hash, updated_at FROM event_streams WHERE stream_id = $1',
      [streamId],
    );
    return rows.length
      ? { version: Number(rows[0].version), hash: rows[0].last_hash, recordedAt: rows[0].updated_at }
      : NEW_STREAM;
  }

  private rememberHead(streamId: string, head: StreamHead): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > REMEMBERED_HEADS) this.heads.delete(this.heads.keys().next().value!);
  }

  /**
   * Tells listeners that events up to the position are in: this process's own
   * subscriptions at once, other processes by NOTIFY. A NOTIFY is sent after the
   * commit, never inside it: PostgreSQL lets only one notifying transaction
   * commit at a time, which would queue every append behind the previous one's
   * WAL flush. And at most one per ANNOUNCE_INTERVAL_MS, for the highest
   * position: one per append cost ≈30 µs of CPU, a seventh of the append itself.
   */
  private announce(position: number): void {
    if (this.notifications) this.appendSignal.appended(position);
    this.unannouncedPosition = Math.max(this.unannouncedPosition, position);
    this.announcing ??= (async () => {
      while (this.unannouncedPosition > 0) {
        const highest = this.unannouncedPosition;
        this.unannouncedPosition = 0;
        await this.pool.query('SELECT pg_notify($1, $2)', [APPEND_CHANNEL, String(highest)]).catch(this.onError);
        await sleep(ANNOUNCE_INTERVAL_MS);
      }
    })().finally(() => (this.announcing = undefined));
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
    const events = await readStreamWith(this.pool, streamId, options);
    const last = events.at(-1);
    // Read to its end, the stream's last event is its head: the append that usually follows needs it.
    if (last && options.toVersion === undefined && options.asOf === undefined && options.toPosition === undefined) {
      this.rememberHead(streamId, { version: last.streamVersion, hash: last.hash, recordedAt: last.recordedAt });
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return readAllWith(this.logPool, options);
  }

  async headPosition(): Promise<number> {
    const result = await this.logPool.query<{ head: string }>(
      'SELECT COALESCE(max(global_position), 0)::text AS head FROM events',
    );
    return Number(result.rows[0].head);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return new CatchUpSubscription(
      (page) => this.readPageOnce(page),
      this.notifications ? this.appendSignal : pollingOnly,
      {
        fromPosition: options.fromPosition ?? 0,
        batchSize: options.batchSize ?? 500,
        pollIntervalMs: this.pollIntervalMs,
      },
    );
  }

  /** Subscriptions woken by the same append ask for the same page: one query answers them all. */
  private readPageOnce(page: ReadAllOptions): Promise<RecordedEvent[]> {
    const key = `${page.fromPosition}/${page.limit}`;
    let reading = this.pagesBeingRead.get(key);
    if (!reading) {
      reading = this.readAll(page).finally(() => this.pagesBeingRead.delete(key));
      this.pagesBeingRead.set(key, reading);
    }
    return reading;
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
    await this.announcing;
    await this.appendSignal.close();
    await Promise.all([this.pool.end(), this.logPool.end()]);
  }

  private async inSnapshot<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
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

/** One event goes to append_event() as plain parameters; more to append_events() as one JSON array. */
function appendQuery(streamId: string, head: StreamHead, chained: readonly ChainedEvent[], recordedAt: Date): QueryConfig {
  if (chained.length === 1) {
    const [event] = chained;
    return {
      name: 'append_event',
      text: 'SELECT append_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)::text AS last_position',
      values: [
        streamId, head.version, head.hash, event.id, event.type, event.schemaVersion,
        event.canonicalData, event.canonicalMetadata, event.hash, recordedAt, APPEND_ORDER_LOCK,
      ],
    };
  }
  return {
    name: 'append_events',
    text: 'SELECT append_events($1, $2, $3, $4, $5, $6)::text AS last_position',
    values: [streamId, head.version, head.hash, eventsJson(chained), recordedAt, APPEND_ORDER_LOCK],
  };
}

/** Several streams' appends, as append_group() takes them: one array per field, one element per append. */
function appendGroupQuery(group: readonly WaitingAppend[]): QueryConfig {
  const events = group.flatMap((append, index) => append.events.map((event) => eventJson(event, `"append":${index + 1},`)));
  return {
    name: 'append_group',
    text: 'SELECT append_group($1, $2, $3, $4, $5, $6, $7, $8)::text[] AS last_position',
    values: [
      group.map((append) => append.streamId),
      group.map((append) => append.head.version),
      group.map((append) => append.head.hash),
      group.map((append) => append.events[append.events.length - 1].streamVersion),
      group.map((append) => append.events[append.events.length - 1].hash),
      group.map((append) => append.recordedAt),
      `[${events.join(',')}]`,
      APPEND_ORDER_LOCK,
    ],
  };
}

/** Another append to the stream got in between the head check and this one's insert or head update. */
function headMovedDuringAppend(error: unknown): boolean {
  return (
    error instanceof DatabaseError &&
    (error.code === STREAM_HEAD_MOVED || error.constraint === 'events_stream_version_unique')
  );
}

/** The events as append_events() reads them, data and metadata in the canonical JSON they were hashed in. */
function eventsJson(events: readonly ChainedEvent[]): string {
  return `[${events.map((event) => eventJson(event)).join(',')}]`;
}

function eventJson(event: ChainedEvent, leadingFields = ''): string {
  return (
    `{${leadingFields}"id":${JSON.stringify(event.id)},"streamVersion":${event.streamVersion},"type":${JSON.stringify(event.type)},` +
    `"schemaVersion":${event.schemaVersion},"data":${event.canonicalData},"metadata":${event.canonicalMetadata},` +
    `"previousHash":${JSON.stringify(event.previousHash)},"hash":${JSON.stringify(event.hash)}}`
  );
}

/**
 * After a failed append the connection may still hold the ordering
 * lock (a session lock outlives the failed statement): let go of it, or, if
 * that fails too, close the connection, which ends the session and the lock.
 */
async function releaseOrderLock(client: PoolClient): Promise<void> {
  try {
    await client.query('SELECT pg_advisory_unlock($1)', [APPEND_ORDER_LOCK]);
    client.release();
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error)));
  }
}

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
    `SELECT ${EVENT_COLUMNS} FROM events
      WHERE global_position >= $1 AND ${SAFE_TO_READ}
      ORDER BY events.global_position LIMIT $2`,
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
