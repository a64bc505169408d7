import { EventStore } from '@app/event-store';
import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Environment } from '../config/environment';
import { DATABASE_URL } from '../database/database.tokens';
import { EVENT_STORE_SETTINGS, EventStoreSettings, createEventStore, eventStoreSettings } from './create-event-store';

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
          provide: EVENT_STORE_SETTINGS,
          inject: [ConfigService, DATABASE_URL],
          useFactory: (config: ConfigService<Environment, true>, databaseUrl: string): EventStoreSettings =>
            eventStoreSettings(
              {
                EVENT_STORE: config.get('EVENT_STORE', { infer: true }),
                EVENTSTORE_CONNECTION_STRING: config.get('EVENTSTORE_CONNECTION_STRING', { infer: true }),
                EVENTSTORE_TIMEOUT_MS: config.get('EVENTSTORE_TIMEOUT_MS', { infer: true }),
              },
              databaseUrl,
            ),
        },
        {
          provide: EventStore,
          inject: [EVENT_STORE_SETTINGS],
          useFactory: (settings: EventStoreSettings): EventStore => {
            const logger = new Logger('EventStore');
            if (settings.adapter === 'eventstoredb') logger.log('using EventStoreDB');
            return createEventStore(settings, (message) => logger.warn(message));
          },
        },
      ],
      exports: [EventStore, EVENT_STORE_SETTINGS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
  }
}
