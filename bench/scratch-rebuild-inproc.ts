import { PostgresEventStore } from '@app/event-store';
import { ProjectionRunner, itemsProjection } from '@app/projections';
import { fillStore } from './scenarios/rebuild';
import { startBenchCluster } from './support/database';
import { startCpuMeter } from './support/cpu';

async function main() {
  const cluster = await startBenchCluster(() => undefined);
  const database = await cluster.createDatabase({ migrate: true });
  const events = await fillStore(database, Number(process.env.N ?? 200_000), 2026);
  for (const batchSize of (process.env.BATCHES ?? '1000').split(',').map(Number)) {
    for (let r = 0; r < Number(process.env.RUNS ?? 2); r++) {
      const store = new PostgresEventStore({ connectionString: database.url });
      const { Client } = require('pg'); const c = new Client({ connectionString: database.url }); await c.connect();
      await ProjectionRunner.requestRebuild(c, itemsProjection); await c.end();
      const runner = new ProjectionRunner({ connectionString: database.url }, store, itemsProjection, { batchSize });
      const m = startCpuMeter('self', cluster.postmasterPid);
      await runner.buildOnce();
      const u = m.stop();
      console.log(`batch ${batchSize}: ${Math.round(events / u.wallMs * 1000)} ev/s; node ${(u.nodeMs * 1000 / events).toFixed(1)} pg ${(u.postgresMs! * 1000 / events).toFixed(1)} µs/ev; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)}`);
      await store.close();
    }
  }
  await database.drop();
  await cluster.stop();
}
main().catch((e) => { console.error(e); process.exit(1); });
