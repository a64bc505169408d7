import { CreateEventStore1763900000000 } from './1763900000000-create-event-store';

/** The event store's schema, in order; the server's data source runs them. */
export const eventStoreMigrations = [CreateEventStore1763900000000];
