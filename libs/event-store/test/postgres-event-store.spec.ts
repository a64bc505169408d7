import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { EventStore, InvalidEventError, PostgresEventStore, RecordedEvent, WrongExpectedVersionError } from '../src';
import { anEvent, eventStoreContract, newStreamId } from './event-store.contract';

eventStoreContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  const store = new PostgresEventStore({ connectionString: database.url });
  return {
    store,
    teardown: async () => {
      await store.close();
      await database.drop();
    },
  };
});

describe('PostgresEventStore', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: database.url });
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await store?.close();
    await database?.drop();
  });

  const eventCount = async () => Number((await sql.query('SELECT count(*) FROM events')).rows[0].count);

  describe('append-only table', () => {
    let streamId: string;
    beforeEach(async () => {
      streamId = newStreamId();
      await store.appendToStream(streamId, [anEvent(), anEvent()], { expectedVersion: 'no_stream' });
    });

    it.each([
      ['UPDATE', `UPDATE events SET data = '{"value": 0}' WHERE stream_id = $1`],
      ['DELETE', `DELETE FROM events WHERE stream_id = $1`],
    ])('refuses %s of an event row', async (operation, statement) => {
      await expect(sql.query(statement, [streamId])).rejects.toThrow(`events are append-only: ${operation} refused`);
      expect((await store.readStream(streamId)).length).toBe(2);
    });

    it('refuses TRUNCATE', async () => {
      await expect(sql.query('TRUNCATE events')).rejects.toThrow('events are append-only: TRUNCATE refused');
    });
  });

  describe('tamper evidence', () => {
    async function withTriggerDisabled(work: () => Promise<unknown>) {
      await sql.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
      try {
        await work();
      } finally {
        await sql.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
      }
    }

    it('reports an altered event at its exact version and position', async () => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, Array.from({ length: 5 }, () => anEvent()), { expectedVersion: 'no_stream' });
      const altered = (await store.readStream(streamId))[2];

      await withTriggerDisabled(() =>
        sql.query(`UPDATE events SET data = '{"value": 9999}' WHERE stream_id = $1 AND stream_version = 3`, [streamId]),
      );

      const expectedBreak = {
        streamId,
        streamVersion: 3,
        globalPosition: altered.globalPosition,
        reason: 'hash_mismatch',
      };
      expect(await store.verifyStream(streamId)).toMatchObject({ ok: false, firstBreak: expectedBreak });
      expect(await store.verifyAll()).toMatchObject({ ok: false, firstBreak: expectedBreak });
    });

    it('reports an event deleted from the middle or from the end of a stream', async () => {
      const middle = newStreamId();
      const end = newStreamId();
      for (const streamId of [middle, end]) {
        await store.appendToStream(streamId, Array.from({ length: 4 }, () => anEvent()), { expectedVersion: 'no_stream' });
      }
      await withTriggerDisabled(async () => {
        await sql.query('DELETE FROM events WHERE stream_id = $1 AND stream_version = 2', [middle]);
        await sql.query('DELETE FROM events WHERE stream_id = $1 AND stream_version = 4', [end]);
      });

      expect((await store.verifyStream(middle)).firstBreak).toMatchObject({ streamVersion: 3, reason: 'version_gap' });
      expect((await store.verifyStream(end)).firstBreak).toEqual({
        streamId: end,
        streamVersion: 4,
        reason: 'version_gap',
      });
    });
  });

  it('writes all events of an append or none: the 10th failing a database constraint leaves nothing', async () => {
    const streamId = newStreamId();
    const before = await eventCount();
    const batch = Array.from({ length: 10 }, (_, index) =>
      // PostgreSQL's jsonb refuses the NUL character; the adapter does not check for it.
      anEvent('ActualSubmitted', { narrative: index === 9 ? 'broken \u0000 text' : `row ${index}` }),
    );

    await expect(store.appendToStream(streamId, batch, { expectedVersion: 'no_stream' })).rejects.toThrow(
      /unsupported Unicode escape sequence/,
    );

    expect(await store.readStream(streamId)).toEqual([]);
    expect(await eventCount()).toBe(before);
    const head = await sql.query('SELECT 1 FROM event_streams WHERE stream_id = $1', [streamId]);
    expect(head.rowCount).toBe(0);
  });

  it('answers a retried append with the same event ids with the first result, writing nothing twice', async () => {
    const streamId = newStreamId();
    const batch = [anEvent(), anEvent()].map((event) => ({ ...event, id: randomUUID() }));

    const first = await store.appendToStream(streamId, batch, { expectedVersion: 'no_stream' });
    const retried = await store.appendToStream(streamId, batch, { expectedVersion: 'no_stream' });

    expect(retried).toEqual(first);
    expect((await store.readStream(streamId)).length).toBe(2);
  });

  it('refuses event ids that belong to other events', async () => {
    const id = randomUUID();
    await store.appendToStream(newStreamId(), [{ ...anEvent(), id }], { expectedVersion: 'no_stream' });
    const streamId = newStreamId();
    await expect(
      store.appendToStream(streamId, [{ ...anEvent(), id }], { expectedVersion: 'no_stream' }),
    ).rejects.toBeInstanceOf(InvalidEventError);
    expect(await store.readStream(streamId)).toEqual([]);
  });

  it('lets go of the ordering lock when an append fails inside the database', async () => {
    const failing = new PostgresEventStore({ connectionString: database.url, poolSize: 1 });
    try {
      const broken = anEvent('ActualSubmitted', { narrative: 'broken \u0000 text' });
      await expect(failing.appendToStream(newStreamId(), [broken], { expectedVersion: 'no_stream' })).rejects.toThrow();
      // A lock left behind would hold up every later append, on any connection.
      await expect(store.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' })).resolves.toBeDefined();
      await expect(failing.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' })).resolves.toBeDefined();
    } finally {
      await failing.close();
    }
  }, 10_000);

  it('keeps an event out of reads until every transaction that began writing before it has ended', async () => {
    const writer = new Client({ connectionString: database.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query('SELECT pg_current_xact_id()');
      const { lastPosition } = await store.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' });

      // Committed, so the head counts it; not yet readable, so no reader can move past a position still to come.
      expect(await store.headPosition()).toBe(lastPosition);
      expect((await store.readAll({ fromPosition: lastPosition })).map((event) => event.globalPosition)).toEqual([]);

      await writer.query('COMMIT');
      expect((await store.readAll({ fromPosition: lastPosition })).map((event) => event.globalPosition)).toEqual([lastPosition]);
    } finally {
      await writer.end();
    }
  });

  it('appends to a stream another process has moved on since this one last saw it', async () => {
    const other = new PostgresEventStore({ connectionString: database.url });
    try {
      const streamId = newStreamId();
      await store.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });
      await other.appendToStream(streamId, [anEvent()], { expectedVersion: 1 });

      await expect(store.appendToStream(streamId, [anEvent()], { expectedVersion: 1 })).rejects.toMatchObject({ actualVersion: 2 });
      expect(await store.appendToStream(streamId, [anEvent()], { expectedVersion: 2 })).toMatchObject({ nextExpectedVersion: 3 });
      await other.appendToStream(streamId, [anEvent()], { expectedVersion: 'any' });
      expect(await store.appendToStream(streamId, [anEvent()], { expectedVersion: 'any' })).toMatchObject({ nextExpectedVersion: 5 });

      expect((await store.readStream(streamId)).map((event) => event.streamVersion)).toEqual([1, 2, 3, 4, 5]);
      expect(await store.verifyStream(streamId)).toMatchObject({ ok: true, eventsChecked: 5 });
    } finally {
      await other.close();
    }
  });

  it('answers reads of the whole log while every connection for commands is taken', async () => {
    const busy = new PostgresEventStore({ connectionString: database.url, poolSize: 1 });
    const writer = new Client({ connectionString: database.url });
    await writer.connect();
    try {
      const streamId = newStreamId();
      const { lastPosition } = await busy.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });
      await writer.query('BEGIN');
      await writer.query('SELECT 1 FROM event_streams WHERE stream_id = $1 FOR UPDATE', [streamId]);
      const waiting = busy.appendToStream(streamId, [anEvent()], { expectedVersion: 1 });
      // The append holds the pool's one connection, waiting on the head row.
      while (Number((await sql.query(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].count) === 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      expect(await busy.headPosition()).toBeGreaterThanOrEqual(lastPosition);
      expect((await busy.readAll({ fromPosition: lastPosition, limit: 1 })).map((event) => event.globalPosition)).toEqual([lastPosition]);

      await writer.query('COMMIT');
      await expect(waiting).resolves.toMatchObject({ nextExpectedVersion: 2 });
    } finally {
      await writer.end();
      await busy.close();
    }
  });

  describe('appends racing another writer of the stream', () => {
    let writer: Client;
    beforeEach(async () => {
      writer = new Client({ connectionString: database.url });
      await writer.connect();
    });
    afterEach(() => writer.end());

    const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

    it('waits for a concurrent append of the same version, then appends after it', async () => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });
      const other = new PostgresEventStore({ connectionString: database.url });
      try {
        // The other append sits uncommitted with version 2 when ours (still expecting 1) inserts.
        await writer.query('BEGIN');
        const { rows } = await writer.query('SELECT last_hash FROM event_streams WHERE stream_id = $1', [streamId]);
        await writer.query(
          `SELECT append_event($1, 1, $2, gen_random_uuid(), 'ActualSubmitted', 1, '{}', $3, repeat('a', 64), now(), $4)`,
          [streamId, rows[0].last_hash, JSON.stringify(anEvent().metadata), 0x52_4c_45_56],
        );
        const ours = store.appendToStream(streamId, [anEvent()], { expectedVersion: 'any' });
        await settle();
        await writer.query('COMMIT');

        expect(await ours).toMatchObject({ nextExpectedVersion: 3 });
        expect((await store.readStream(streamId)).map((event) => event.streamVersion)).toEqual([1, 2, 3]);
        // The failed insert held the ordering lock; it must be free again.
        await expect(other.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' })).resolves.toBeDefined();
      } finally {
        await other.close();
      }
    }, 10_000);

    it('holds no ordering lock while it waits to update the head, and takes its events back if the head moved', async () => {
      const streamId = newStreamId();
      await store.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });
      const before = await eventCount();
      await writer.query('BEGIN');
      await writer.query('UPDATE event_streams SET version = version + 1 WHERE stream_id = $1', [streamId]);
      const ours = store.appendToStream(streamId, [anEvent()], { expectedVersion: 1 });
      const refused = expect(ours).rejects.toMatchObject({ actualVersion: 2 });
      await settle();

      // Ours waits on the head row; appends to other streams go on meanwhile.
      await expect(store.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' })).resolves.toBeDefined();
      await writer.query('COMMIT');

      await refused;
      expect((await store.readStream(streamId)).map((event) => event.streamVersion)).toEqual([1]);
      expect(await eventCount()).toBe(before + 1);
    }, 10_000);
  });

  describe('appends made in the same turn of the event loop', () => {
    let grouping: PostgresEventStore;
    let other: PostgresEventStore;
    /** The groups the store sent, as the streams of their appends. */
    let groups: string[][];
    /** What each group was answered: a position (or null) per append, or the error that failed it whole. */
    let answers: unknown[];

    beforeEach(() => {
      grouping = new PostgresEventStore({ connectionString: database.url });
      other = new PostgresEventStore({ connectionString: database.url });
      groups = [];
      answers = [];
      const sendsGroups = grouping as unknown as { callAppendGroup(group: { streamId: string }[]): Promise<unknown> };
      const callAppendGroup = sendsGroups.callAppendGroup.bind(grouping);
      jest.spyOn(sendsGroups, 'callAppendGroup').mockImplementation((group) => {
        groups.push(group.map((append) => append.streamId));
        const answer = callAppendGroup(group);
        answer.then((positions) => answers.push(positions), (error) => answers.push(error));
        return answer;
      });
    });
    afterEach(async () => {
      await other.close();
      await grouping.close();
    });

    it('go in one group, each chained on its own stream, its position its own last event\'s', async () => {
      const existing = Array.from({ length: 6 }, () => newStreamId());
      const created = Array.from({ length: 6 }, () => newStreamId());
      for (const streamId of existing) await grouping.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });

      const results = await Promise.all([
        ...existing.map((streamId) => grouping.appendToStream(streamId, [anEvent(), anEvent()], { expectedVersion: 1 })),
        ...created.map((streamId) => grouping.appendToStream(streamId, [anEvent(), anEvent()], { expectedVersion: 'no_stream' })),
      ]);

      expect(groups).toEqual([[...existing, ...created].sort()]);
      expect(answers).toEqual([expect.arrayContaining([expect.any(String)])]);
      for (const [index, streamId] of [...existing, ...created].entries()) {
        const events = await grouping.readStream(streamId);
        expect(events.map((event) => event.streamVersion)).toEqual(index < 6 ? [1, 2, 3] : [1, 2]);
        expect(results[index]).toEqual({ nextExpectedVersion: events.length, lastPosition: events.at(-1)!.globalPosition });
        expect(await grouping.verifyStream(streamId)).toMatchObject({ ok: true });
      }
      // Positions in the group's order (by stream), each append's events side by side.
      const groupedPositions: number[] = [];
      for (const streamId of [...existing, ...created].sort()) {
        const fromVersion = existing.includes(streamId) ? 2 : 1;
        groupedPositions.push(...(await grouping.readStream(streamId, { fromVersion })).map((event) => event.globalPosition));
      }
      expect(groupedPositions).toEqual([...groupedPositions].sort((a, b) => a - b));
    });

    it('leave out an append whose head moved on or whose stream the group already writes, which is sent again alone', async () => {
      const moved = newStreamId();
      const twice = newStreamId();
      await grouping.appendToStream(moved, [anEvent()], { expectedVersion: 'no_stream' });
      await grouping.appendToStream(twice, [anEvent()], { expectedVersion: 'no_stream' });
      await other.appendToStream(moved, [anEvent()], { expectedVersion: 1 });

      const [stale, anyVersion, first, second] = await Promise.allSettled([
        grouping.appendToStream(moved, [anEvent()], { expectedVersion: 1 }),
        grouping.appendToStream(moved, [anEvent()], { expectedVersion: 'any' }),
        grouping.appendToStream(twice, [anEvent()], { expectedVersion: 'any' }),
        grouping.appendToStream(twice, [anEvent()], { expectedVersion: 'any' }),
      ]);

      expect(groups[0]).toEqual([moved, moved, twice, twice].sort());
      // One append to `twice` went in with the group; the others were answered null.
      expect((answers[0] as (string | null)[]).map((position) => position !== null)).toEqual(
        [moved, moved, twice, twice].sort().map((streamId, index, sorted) => streamId !== sorted[index - 1] && streamId === twice),
      );
      // Both appends to `moved` were left out and go again concurrently: the stale one
      // is refused at version 2, or at 3 if the 'any' one landed first.
      expect(stale).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedVersionError) });
      expect([2, 3]).toContain((stale as PromiseRejectedResult).reason.actualVersion);
      expect(anyVersion).toMatchObject({ status: 'fulfilled', value: { nextExpectedVersion: 3 } });
      expect([first, second].map((result) => result.status === 'fulfilled' && result.value.nextExpectedVersion).sort()).toEqual([2, 3]);
      expect((await grouping.readStream(moved)).map((event) => event.streamVersion)).toEqual([1, 2, 3]);
      expect((await grouping.readStream(twice)).map((event) => event.streamVersion)).toEqual([1, 2, 3]);
      expect(await grouping.verifyStream(moved)).toMatchObject({ ok: true });
      expect(await grouping.verifyStream(twice)).toMatchObject({ ok: true });
    });

    it('that fail as a whole are sent again one by one: only the one reusing an event id fails', async () => {
      const id = randomUUID();
      await grouping.appendToStream(newStreamId(), [{ ...anEvent(), id }], { expectedVersion: 'no_stream' });
      const streams = [newStreamId(), newStreamId(), newStreamId()];
      const before = await eventCount();

      const results = await Promise.allSettled(
        streams.map((streamId, index) =>
          grouping.appendToStream(streamId, [index === 1 ? { ...anEvent(), id } : anEvent()], { expectedVersion: 'no_stream' }),
        ),
      );

      expect(groups).toHaveLength(1);
      expect(answers).toEqual([expect.objectContaining({ constraint: 'events_event_id_unique' })]);
      expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(results[1]).toMatchObject({ reason: expect.any(InvalidEventError) });
      expect(await eventCount()).toBe(before + 2);
      expect(await grouping.readStream(streams[1])).toEqual([]);
      // The failed group held the ordering lock; it must be free again.
      await expect(other.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' })).resolves.toBeDefined();
    });

    it('share a group only up to 100 events: larger appends go side by side, each alone', async () => {
      const [large, larger, ...small] = Array.from({ length: 5 }, () => newStreamId());
      const sixty = () => Array.from({ length: 60 }, () => anEvent());

      await Promise.all([
        grouping.appendToStream(large, sixty(), { expectedVersion: 'no_stream' }),
        grouping.appendToStream(larger, sixty(), { expectedVersion: 'no_stream' }),
        ...small.map((streamId) => grouping.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' })),
      ]);

      // The first 60 went alone (not through append_group()); the second 60 took the small ones along.
      expect(groups).toEqual([[larger, ...small].sort()]);
      for (const streamId of [large, larger, ...small]) expect(await grouping.verifyStream(streamId)).toMatchObject({ ok: true });
      expect((await grouping.readStream(larger)).length).toBe(60);
    });

    it('go alone when they are the turn\'s only one, and a new stream expected where one exists is refused', async () => {
      const streamId = newStreamId();
      await other.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });

      await expect(grouping.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' })).rejects.toMatchObject({
        actualVersion: 1,
      });
      expect(await grouping.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' })).toMatchObject({
        nextExpectedVersion: 1,
      });
      expect(groups).toEqual([]);
    });
  });

  it('announces a burst of appends to other processes in a few notifications, the last for the highest position', async () => {
    const listener = new Client({ connectionString: database.url });
    await listener.connect();
    try {
      const heard: number[] = [];
      listener.on('notification', ({ payload }) => heard.push(Number(payload)));
      await listener.query('LISTEN reform_ledger_events');
      const streamId = newStreamId();
      const started = performance.now();
      let last = { nextExpectedVersion: 0, lastPosition: 0 };
      for (let index = 0; index < 100; index++) {
        last = await store.appendToStream(streamId, [anEvent()], { expectedVersion: last.nextExpectedVersion || 'no_stream' });
      }
      const elapsedMs = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect(heard.at(-1)).toBe(last.lastPosition);
      // The first at once, then at most one per 10 ms, and one for the appends of the last interval.
      expect(heard.length).toBeLessThanOrEqual(Math.floor(elapsedMs / 10) + 2);
    } finally {
      await listener.end();
    }
  }, 10_000);

  describe('live subscriptions', () => {
    async function firstLiveEvent(subscriber: EventStore, writer: EventStore): Promise<RecordedEvent> {
      const streamId = newStreamId();
      const subscription = subscriber.subscribe({ fromPosition: (await writer.headPosition()) + 1 });
      const iterator = subscription[Symbol.asyncIterator]();
      const next = iterator.next();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await writer.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' });
      try {
        const { value } = await next;
        return value;
      } finally {
        await subscription.close();
      }
    }

    it('wakes on NOTIFY without waiting for the poll', async () => {
      // A poll interval far beyond the test's timeout: only a notification can deliver in time.
      const listening = new PostgresEventStore({ connectionString: database.url, pollIntervalMs: 600_000 });
      try {
        const delivered = await firstLiveEvent(listening, store);
        expect(delivered.streamVersion).toBe(1);
      } finally {
        await listening.close();
      }
    }, 10_000);

    it('falls back to polling without notifications', async () => {
      const polling = new PostgresEventStore({
        connectionString: database.url,
        notifications: false,
        pollIntervalMs: 50,
      });
      try {
        expect((await firstLiveEvent(polling, store)).streamVersion).toBe(1);
      } finally {
        await polling.close();
      }
    }, 10_000);
  });
});
