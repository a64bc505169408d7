import { CreateEventStore1763900000000 } from './1763900000000-create-event-store';
import { OrderEventsByTransaction1764100000000 } from './1764100000000-order-events-by-transaction';
import { ShortenAppendOrderLock1764200000000 } from './1764200000000-shorten-append-order-lock';
import { AppendGroups1764300000000 } from './1764300000000-append-groups';

/** The event store's schema, in order; the server's data source runs them. */
export const eventStoreMigrations = [
  CreateEventStore1763900000000,
  OrderEventsByTransaction1764100000000,
  ShortenAppendOrderLock1764200000000,
  AppendGroups1764300000000,
];
