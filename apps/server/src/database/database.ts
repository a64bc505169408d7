import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Environment } from '../config/environment';
import { RunningDatabase, startEmbeddedDatabase } from './embedded-database';

/** The PostgreSQL the server uses: DATABASE_URL's, or an embedded one under DATA_DIR. */
export async function openDatabase(
  environment: Environment,
  logger: Logger,
  { reuseRunning = false }: { reuseRunning?: boolean } = {},
): Promise<RunningDatabase> {
  if (environment.DATABASE_URL) {
    logger.info({ database: redactPassword(environment.DATABASE_URL) }, 'using the PostgreSQL of DATABASE_URL');
    return { url: environment.DATABASE_URL, stop: async () => undefined };
  }
  return startEmbeddedDatabase({
    clusterDir: join(resolve(environment.DATA_DIR), 'postgres'),
    port: environment.EMBEDDED_POSTGRES_PORT,
    databaseName: 'reform_ledger',
    log: (message) => logger.info(message),
    reuseRunning,
  });
}

function redactPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
