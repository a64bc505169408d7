import { Logger } from '@nestjs/common';
import { PostgresEventStore, RecordedEvent } from '@app/event-store';
import { DataSource } from 'typeorm';
import { anEvent, newStreamId } from '../../../../libs/event-store/test/event-store.contract';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { CheckpointedFollower } from './checkpointed-follower';

describe('CheckpointedFollower', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: database.url, logging: false }).initialize();
    store = new PostgresEventStore({ connectionString: database.url });
  });
  afterAll(async () => {
    await store?.close();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('tries its checkpoint again when the database fails it at the start, then reacts to what follows', async () => {
    await dataSource.query('ALTER TABLE process_checkpoints RENAME TO process_checkpoints_away');
    const reactedTo: RecordedEvent[] = [];
    const follower = new CheckpointedFollower('follower-test', store, dataSource, () => true, async (event) => {
      reactedTo.push(event);
    }, new Logger('follower-test'));
    try {
      follower.start();
      const { lastPosition } = await store.appendToStream(newStreamId(), [anEvent()], { expectedVersion: 'no_stream' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await dataSource.query('ALTER TABLE process_checkpoints_away RENAME TO process_checkpoints');

      await follower.waitFor(lastPosition);

      expect(reactedTo.map((event) => event.globalPosition)).toContain(lastPosition);
      const rows = await dataSource.query(`SELECT position::int AS position FROM process_checkpoints WHERE name = 'follower-test'`);
      expect(rows).toEqual([{ position: lastPosition }]);
    } finally {
      await follower.stop();
    }
  }, 15_000);

  it('stops when asked while it still reads its checkpoint', async () => {
    const follower = new CheckpointedFollower('stopped-early', store, dataSource, () => true, async () => undefined, new Logger('stopped-early'));
    follower.start();
    // start() has sent the checkpoint read; stop() comes before its answer.
    await expect(follower.stop()).resolves.toBeUndefined();
  }, 5_000);
});
