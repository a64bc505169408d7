import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@app/event-store';

/**
 * Runs `clients` loops side by side for `durationMs`, each calling `step` with its
 * own index until time is up, and returns how many units (events, requests)
 * they completed per second. A step's failure fails the run: a benchmark that
 * hides errors measures nothing.
 */
export async function runConcurrently(
  clients: number,
  durationMs: number,
  step: (client: number) => Promise<number>,
): Promise<number> {
  const started = performance.now();
  const deadline = started + durationMs;
  let units = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        // Not `units += await …`: that reads units before the await and loses the other clients' counts.
        const done = await step(client);
        units += done;
      }
    }),
  );
  return units / ((performance.now() - started) / 1000);
}

/** The shape every append scenario writes: an actual as a department submits it, with full metadata. */
export function sampleEvent(value: number): NewEvent {
  const commandId = randomUUID();
  return {
    type: 'ActualSubmitted',
    schemaVersion: 1,
    data: {
      fiscalYear: 2020,
      actuals: [{ indicatorId: 'ind-1', value }],
      narrative: '窓口業務の電子化を進め、申請の約半数をオンラインで受け付けた。',
      evidenceLinks: [],
    },
    metadata: {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: { userId: 'bench-staff', role: 'department_staff', department: 'bench' },
      occurredAt: new Date().toISOString(),
    },
  };
}
