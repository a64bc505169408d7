import { EventStore, PostgresEventStore } from '@app/event-store';
import { ProjectionRunner, itemsProjection, reviewsProjection } from '@app/projections';
import { SingleBar } from 'cli-progress';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../server/src/database/migrations';

const PROJECTIONS = [itemsProjection, reviewsProjection];

/**
 * `projections status` and `projections rebuild NAME`: straight on the database,
 * without the Nest app, whose own runner would contend for the projection.
 */
export async function runProjectionsCommand(action: string, name: string | undefined, databaseUrl: string): Promise<number> {
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, migrations, logging: false });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  const eventStore = new PostgresEventStore({ connectionString: databaseUrl });
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (action === 'status') return await printStatus(client, eventStore);
    const projection = PROJECTIONS.find((candidate) => candidate.name === name);
    if (!projection) {
      console.error(`エラー: 投影 ${name ?? '(未指定)'} はありません。次のいずれかです: ${PROJECTIONS.map((p) => p.name).join(', ')}`);
      return 2;
    }
    return await rebuild(client, eventStore, projection, databaseUrl);
  } finally {
    await client.end();
    await eventStore.close();
  }
}

async function printStatus(client: Client, eventStore: EventStore): Promise<number> {
  const head = await eventStore.headPosition();
  const { rows } = await client.query<{ build: number; name: string; version: number; position: string; status: string; updated_at: Date }>(
    `SELECT build, name, version, position::text AS position, status, updated_at FROM projection_builds
      WHERE status <> 'retired' ORDER BY name, build`,
  );
  console.log(`イベントストアの先頭位置: ${head.toLocaleString('ja-JP')}`);
  for (const projection of PROJECTIONS) {
    const builds = rows.filter((row) => row.name === projection.name);
    if (builds.length === 0) console.log(`${projection.name} v${projection.version}: まだ構築されていません`);
    for (const build of builds) {
      const position = Math.max(Number(build.position), 0);
      const state = build.status === 'active' ? '稼働中' : '構築中';
      console.log(
        `${build.name} v${build.version} (build ${build.build}) ${state}: 位置 ${position.toLocaleString('ja-JP')}、遅れ ${(head - position).toLocaleString('ja-JP')} 件、最終更新 ${build.updated_at.toISOString()}`,
      );
    }
  }
  return 0;
}

/** Asks for a fresh build, runs it here (or watches a running server do it), with a progress bar. */
async function rebuild(client: Client, eventStore: EventStore, projection: (typeof PROJECTIONS)[number], databaseUrl: string): Promise<number> {
  await ProjectionRunner.requestRebuild(client, projection);
  const head = await eventStore.headPosition();
  const bar = new SingleBar({
    format: `${projection.name} 再構築 |{bar}| {percentage}% {value}/{total} 位置 | {rate} 件/秒 | 残り {eta_formatted}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    etaBuffer: 20,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  bar.start(Math.max(head, 1), 0, { rate: 0 });
  const started = Date.now();
  let applied = 0;
  const runner = new ProjectionRunner({ connectionString: databaseUrl }, eventStore, projection, {
    onBatch: (progress) => {
      applied += progress.events;
      bar.setTotal(Math.max(progress.head, 1));
      bar.update(progress.position, { rate: Math.round(applied / ((Date.now() - started) / 1000 || 1)) });
    },
  });
  const ranHere = await runner.buildOnce();
  if (!ranHere) {
    // A server holds the projection: it runs the build; follow its progress.
    for (;;) {
      const { rows } = await client.query<{ position: string; status: string }>(
        `SELECT position::text AS position, status FROM projection_builds WHERE name = $1 ORDER BY build DESC LIMIT 1`,
        [projection.name],
      );
      bar.update(Math.max(Number(rows[0].position), 0), { rate: Math.round(Math.max(Number(rows[0].position), 0) / ((Date.now() - started) / 1000 || 1)) });
      if (rows[0].status === 'active') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  bar.update(bar.getTotal());
  bar.stop();
  console.log(`${projection.name} を再構築しました（${((Date.now() - started) / 1000).toFixed(1)} 秒）。`);
  return 0;
}
