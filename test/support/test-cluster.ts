import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDatabase } from '../../apps/server/src/database/embedded-database';
import { freePort } from './server-process';

/** Environment variable through which global setup hands the test workers their cluster. */
export const ADMIN_URL_VARIABLE = 'REFORM_LEDGER_TEST_ADMIN_URL';

/** An embedded PostgreSQL in a temporary folder of its own; stopping it removes the folder. */
export interface ThrowawayCluster {
  url: string;
  stop(): Promise<void>;
}

/** For a test run or a benchmark: an embedded cluster on a free port, in a fresh folder named after `purpose`. */
export async function startThrowawayCluster(purpose: string, log: (message: string) => void = () => undefined): Promise<ThrowawayCluster> {
  const root = await mkdtemp(join(tmpdir(), `reform-ledger-${purpose}-`));
  // When we are root, PostgreSQL runs as another user, who must reach the cluster.
  await chmod(root, 0o755);
  const database = await startEmbeddedDatabase({ clusterDir: join(root, 'postgres'), port: await freePort(), databaseName: 'postgres', log });
  return {
    url: database.url,
    async stop() {
      await database.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

// Global setup and teardown share the global object, not always their modules.
const holder = globalThis as { reformLedgerTestCluster?: ThrowawayCluster };

export const embeddedTestCluster = {
  get: () => holder.reformLedgerTestCluster,
  set: (cluster: ThrowawayCluster) => (holder.reformLedgerTestCluster = cluster),
};
