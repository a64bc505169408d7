import { EventStore, EventStoreDbEventStore, PostgresEventStore } from '@app/event-store';
import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { DATABASE_URL } from '../database/database.tokens';

/** Provides the EventStore port, with the adapter EVENT_STORE names. */
@Global()
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EventStore) private readonly eventStore: EventStore) {}

  static register(): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: EventStore,
          inject: [ConfigService, DATABASE_URL],
          useFactory: (config: ConfigService<Environment, true>, databaseUrl: string): EventStore => {
            const logger = new Logger('EventStore');
            if (config.get('EVENT_STORE', { infer: true }) === 'eventstoredb') {
              logger.log('using EventStoreDB');
              return new EventStoreDbEventStore({
                connectionString: config.get('EVENTSTORE_CONNECTION_STRING', { infer: true })!,
                timeoutMs: config.get('EVENTSTORE_TIMEOUT_MS', { infer: true }),
              });
            }
            return new PostgresEventStore({
              connectionString: databaseUrl,
              onError: (error) => logger.warn(`event store connection: ${String(error)}`),
            });
          },
        },
      ],
      exports: [EventStore],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
  }
}
