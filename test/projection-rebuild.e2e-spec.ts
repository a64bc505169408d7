import { PostgresEventStore } from '@app/event-store';
import { ProjectionRunner, itemsProjection } from '@app/projections';
import { Client } from 'pg';
import { generatePlan } from './support/plan-event-generator';
import { startTsProcess, watch } from './support/server-process';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * The items read model over 100,000 events: followed live while they were
 * appended, rebuilt without interruption, and rebuilt while being killed with
 * SIGKILL ten times — the three give the same rows.
 */
const ITEMS = 200;
const EVENTS_PER_ITEM = 500;
const KILLS = 10;

describe('rebuilding the items projection', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;

  const readModel = async () => {
    const dump: Record<string, unknown[]> = {};
    for (const [table, order] of Object.entries({
      item_status: 'item_id, fiscal_year',
      item_history: 'item_id, stream_version',
      item_state: 'item_id',
      policy_areas: 'plan_id, policy_area_id',
      basic_items: 'plan_id, basic_item_id',
    })) {
      dump[table] = (await sql.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
    }
    return dump;
  };
  const build = async () =>
    (await sql.query(`SELECT build, position::text AS position, status FROM projection_builds WHERE name = 'items' ORDER BY build DESC LIMIT 1`)).rows[0];
  const cli = () => startTsProcess('apps/cli/src/main.ts', ['projections', 'rebuild', 'items'], { DATABASE_URL: database.url });

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

  it('gives the same rows live, rebuilt, and rebuilt through ten SIGKILLs', async () => {
    const live = new ProjectionRunner({ connectionString: database.url }, store, itemsProjection, { idleMs: 20, retryMs: 200 });
    live.start();
    for (const stream of generatePlan({ items: ITEMS, eventsPerItem: EVENTS_PER_ITEM })) {
      for (let start = 0; start < stream.events.length; start += 100) {
        await store.appendToStream(stream.streamId, stream.events.slice(start, start + 100), { expectedVersion: 'any' });
      }
    }
    const head = await store.headPosition();
    expect(head).toBeGreaterThanOrEqual(100_000);
    expect(await live.waitFor(head, 300_000)).toBe(true);
    await live.stop();
    const followed = await readModel();
    expect(followed.item_status).toHaveLength(ITEMS * 4);
    expect(followed.item_history).toHaveLength(ITEMS * EVENTS_PER_ITEM);

    const uninterrupted = watch(cli());
    expect(await uninterrupted.exited).toBe(0);
    expect(uninterrupted.output()).toContain('items を再構築しました');
    expect(await readModel()).toEqual(followed);

    const { build: rebuilt } = await build();
    let lastPosition = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const child = cli();
      const running = watch(child);
      // Kill only once this run has moved the build on by a random stretch, never past its end.
      const stretch = 500 + Math.floor(Math.random() * 5000);
      for (;;) {
        const current = await build();
        if (current.build !== rebuilt + 1) expect(current.status).toBe('active');
        if (current.build === rebuilt + 1 && Number(current.position) >= lastPosition + stretch) break;
        expect(running.output()).not.toContain('再構築しました');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      child.kill('SIGKILL');
      expect(await running.exited).toBe('SIGKILL');
      const after = await build();
      expect(after).toMatchObject({ build: rebuilt + 1, status: 'building' });
      expect(Number(after.position)).toBeGreaterThan(lastPosition);
      expect(Number(after.position)).toBeLessThan(head);
      lastPosition = Number(after.position);
    }
    const finishing = watch(cli());
    expect(await finishing.exited).toBe(0);
    expect(await build()).toMatchObject({ build: rebuilt + 1, status: 'active' });
    expect(await readModel()).toEqual(followed);
  }, 900_000);
});

describe('a rebuild asked for while a runner follows', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let sql: Client;
  let runner: ProjectionRunner;

  const append = async (streams: ReturnType<typeof generatePlan>) => {
    for (const stream of streams) await store.appendToStream(stream.streamId, stream.events, { expectedVersion: 'any' });
    return store.headPosition();
  };
  const builds = async () =>
    (await sql.query(`SELECT build, status FROM projection_builds WHERE name = 'items' AND status <> 'retired' ORDER BY build`)).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: database.url });
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    runner = new ProjectionRunner({ connectionString: database.url }, store, itemsProjection, { idleMs: 20, retryMs: 200 });
  });
  afterAll(async () => {
    await runner?.stop();
    await sql?.end();
    await store?.close();
    await database?.drop();
  });

  it('is carried out by the runner holding the projection, which then follows on from where the log is', async () => {
    runner.start();
    expect(await runner.waitFor(await append(generatePlan({ planId: 'first', items: 2, eventsPerItem: 12 })), 30_000)).toBe(true);
    // Built, then following: the runner goes by the build rows it has read.
    expect(await runner.waitFor(await append(generatePlan({ planId: 'second', items: 1, eventsPerItem: 12 })), 30_000)).toBe(true);
    const [{ build: followed }] = await builds();

    // As the CLI does when a server holds the projection.
    await ProjectionRunner.requestRebuild(sql, itemsProjection);
    while ((await builds()).some((build) => build.status === 'building')) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await builds()).toEqual([{ build: followed + 1, status: 'active' }]);

    expect(await runner.waitFor(await append(generatePlan({ planId: 'third', items: 2, eventsPerItem: 12 })), 30_000)).toBe(true);
    const { rows } = await sql.query(`SELECT item_id, count(*)::int AS events FROM item_history GROUP BY item_id ORDER BY item_id`);
    expect(rows).toEqual(['first-1', 'first-2', 'second-1', 'third-1', 'third-2'].map((itemId) => ({ item_id: itemId, events: 12 })));
  }, 60_000);
});
