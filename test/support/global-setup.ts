import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase } from '../../apps/server/src/database/embedded-database';
import { freePort } from './server-process';
import { ADMIN_URL_VARIABLE, embeddedTestCluster } from './test-cluster';

/**
 * Tests run against a real PostgreSQL: the one DATABASE_URL names, or else an
 * embedded one started here for this run. Each test file creates its own
 * database in it (see test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env[ADMIN_URL_VARIABLE] = process.env.DATABASE_URL;
    return;
  }
  const root = await mkdtemp(join(tmpdir(), 'reform-ledger-test-'));
  // When tests run as root, PostgreSQL runs as another user, who must reach the cluster.
  await chmod(root, 0o755);
  const database = await startEmbeddedDatabase({
    clusterDir: join(root, 'postgres'),
    port: await freePort(),
    databaseName: 'postgres',
    log: () => undefined,
  });
  process.env[ADMIN_URL_VARIABLE] = database.url;
  embeddedTestCluster.set({ root, database });
}
