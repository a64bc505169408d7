import { ProjectionRunner } from '@app/projections';
import { parentPort, workerData } from 'node:worker_threads';
import { createEventStore } from '../event-store/create-event-store';
import { FromProjectionsWorker, ProjectionsWorkerData, SERVER_PROJECTIONS, ToProjectionsWorker } from './projections-worker.messages';

/**
 * The server's projection runners, on a thread of their own: each of a batch's
 * round trips to PostgreSQL would otherwise wait its turn behind the HTTP
 * requests on the server's event loop, and their sum is the read models' lag.
 */
const { eventStore: settings, idleMs } = workerData as ProjectionsWorkerData;
const port = parentPort!;
const send = (message: FromProjectionsWorker) => port.postMessage(message);

const eventStore = createEventStore(settings, (message) => send({ type: 'log', level: 'warn', message }));
const runners = SERVER_PROJECTIONS.map(
  (projection) =>
    new ProjectionRunner({ connectionString: settings.databaseUrl }, eventStore, projection, {
      idleMs,
      log: (message) => send({ type: 'log', level: 'log', message }),
      onChange: (snapshot) => send({ type: 'snapshot', snapshot }),
    }),
);
for (const runner of runners) runner.start();

port.on('message', (message: ToProjectionsWorker) => {
  if (message.type !== 'stop') return;
  void (async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await eventStore.close();
    port.close();
  })();
});
