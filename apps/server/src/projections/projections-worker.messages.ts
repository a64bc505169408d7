import { RunnerSnapshot, itemsProjection, reviewsProjection } from '@app/projections';
import type { EventStoreSettings } from '../event-store/create-event-store';

/** The projections the server keeps up to date: the worker runs them, the main thread reports on them. */
export const SERVER_PROJECTIONS = [itemsProjection, reviewsProjection];

export interface ProjectionsWorkerData {
  eventStore: EventStoreSettings;
  /** Wait between reads once caught up. */
  idleMs: number;
}

export type ToProjectionsWorker = { type: 'stop' };

export type FromProjectionsWorker =
  | { type: 'snapshot'; snapshot: RunnerSnapshot }
  | { type: 'log'; level: 'log' | 'warn'; message: string };
