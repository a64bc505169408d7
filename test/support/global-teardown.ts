import { rm } from 'node:fs/promises';
import { embeddedTestCluster } from './test-cluster';

export default async function globalTeardown(): Promise<void> {
  const cluster = embeddedTestCluster.get();
  if (!cluster) return;
  await cluster.database.stop();
  await rm(cluster.root, { recursive: true, force: true });
}
