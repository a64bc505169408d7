import { ADMIN_URL_VARIABLE, embeddedTestCluster, startThrowawayCluster } from './test-cluster';

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
  const cluster = await startThrowawayCluster('test');
  process.env[ADMIN_URL_VARIABLE] = cluster.url;
  embeddedTestCluster.set(cluster);
}
