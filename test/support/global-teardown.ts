import { embeddedTestCluster } from './test-cluster';

export default async function globalTeardown(): Promise<void> {
  await embeddedTestCluster.get()?.stop();
}
