import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { ConfigurationError, validateEnvironment } from './config/environment';
import { resolveSessionSecret } from './auth/session-secret';
import { openDatabase } from './database/database';
import { configureApp } from './http/configure-app';
import { createLogger } from './logging/logger';

async function bootstrap(): Promise<void> {
  let environment;
  try {
    environment = validateEnvironment({ ...process.env, ...(process.argv.includes('--demo') ? { DEMO: 'true' } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    createLogger('info').fatal({ problems: error.problems }, error.message);
    process.exit(1);
  }
  const logger = createLogger(environment.LOG_LEVEL);
  // Started before Nest and stopped after it, so the app never outlives its database.
  const database = await openDatabase(environment, logger);
  let shuttingDown = false;
  const stopDatabase = async () => {
    await database.stop().catch((error) => logger.error({ err: error }, 'stopping PostgreSQL failed'));
  };

  try {
    const sessionSecret = await resolveSessionSecret(environment);
    const app = await NestFactory.create(
      AppModule.register({ environment, databaseUrl: database.url, sessionSecret, logger }),
      { bufferLogs: true },
    );
    app.useLogger(app.get(NestPinoLogger));
    configureApp(app, { webDir: environment.WEB_DIR });
    await app.listen(environment.PORT, environment.HOST);
    logger.info(`reform-ledger listening on http://${environment.HOST}:${environment.PORT} (GET /health)`);

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, async () => {
        if (shuttingDown) return;
        shuttingDown = true;
        logger.info({ signal }, 'shutting down');
        await app.close().catch((error) => logger.error({ err: error }, 'closing the app failed'));
        await stopDatabase();
        logger.info('stopped');
        process.exit(0);
      });
    }
  } catch (error) {
    logger.fatal({ err: error }, 'the server failed to start');
    await stopDatabase();
    process.exit(1);
  }
}

bootstrap().catch((error) => {
  createLogger('info').fatal({ err: error }, 'the server failed to start');
  process.exit(1);
});
