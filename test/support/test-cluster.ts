import type { RunningDatabase } from '../../apps/server/src/database/embedded-database';

/** Environment variable through which global setup hands the test workers their cluster. */
export const ADMIN_URL_VARIABLE = 'REFORM_LEDGER_TEST_ADMIN_URL';

interface EmbeddedTestCluster {
  root: string;
  database: RunningDatabase;
}

// Global setup and teardown share the global object, not always their modules.
const holder = globalThis as { reformLedgerTestCluster?: EmbeddedTestCluster };

export const embeddedTestCluster = {
  get: () => holder.reformLedgerTestCluster,
  set: (cluster: EmbeddedTestCluster) => (holder.reformLedgerTestCluster = cluster),
};
