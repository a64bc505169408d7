import type { RunnerSnapshot } from '@app/projections';
import type { EventStoreSettings } from '../event-store/create-event-store';

export interface ProjectionsWorkerData {
  eventStore: EventStoreSettings;
  /** Wait between reads once caught up. */
  idleMs: number;
}

export type ToProjectionsWorker = { type: 'stop' };

export type FromProjectionsWorker =
  | { type: 'snapshot'; snapshot: RunnerSnapshot }
  | { type: 'log'; level: 'log' | 'warn'; message: string };
