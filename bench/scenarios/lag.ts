import { Client } from 'pg';
import { percentile } from '../support/stats';
import { SubmissionTarget, submissionBody, submissionPath } from './http';

export interface LagRun {
  /** Commands acknowledged per second, over the run. */
  achievedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Commands answered with something other than 200 (409s from two commands on one item at once). */
  refused: number;
  failed: number;
}

/** How often the read model's position is looked at: the resolution of every lag measured. */
export const VISIBILITY_POLL_MS = 2;
const MOST_IN_FLIGHT = 256;

/**
 * Sends SubmitActual at a steady rate, open loop (a slow answer does not slow
 * the sending), and measures for each acknowledged command the time until the
 * items read model has applied its position, as seen in projection_builds.
 */
export async function measureLag(target: SubmissionTarget, databaseUrl: string, perSecond: number, durationMs: number): Promise<LagRun> {
  const acknowledged: Array<{ at: number; position: number }> = [];
  const visible: Array<{ at: number; position: number }> = [];
  let refused = 0;
  let failed = 0;
  let sending = true;
  let highestAcknowledged = 0;

  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  const watching = (async () => {
    // After the sending, until the read model has caught up with every acknowledgement.
    while (sending || (visible.at(-1)?.position ?? 0) < highestAcknowledged) {
      const { rows } = await sql.query<{ position: string }>(
        `SELECT position::text AS position FROM projection_builds WHERE name = 'items' AND status = 'active'`,
      );
      visible.push({ at: performance.now(), position: Number(rows[0]?.position ?? 0) });
      await new Promise((resolve) => setTimeout(resolve, VISIBILITY_POLL_MS));
    }
  })();

  const started = performance.now();
  let sent = 0;
  let inFlight = 0;
  const requests: Promise<void>[] = [];
  while (performance.now() - started < durationMs) {
    const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
    while (sent < due && inFlight < MOST_IN_FLIGHT) {
      const itemId = target.itemIds[sent % target.itemIds.length];
      const value = ++sent;
      inFlight += 1;
      requests.push(
        fetch(`${target.baseUrl}${submissionPath(itemId)}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${target.staffToken}`, 'content-type': 'application/json' },
          body: submissionBody(value),
        })
          .then(async (response) => {
            const at = performance.now();
            const body = (await response.json()) as { position?: number };
            if (response.status === 200 && body.position !== undefined) {
              acknowledged.push({ at, position: body.position });
              highestAcknowledged = Math.max(highestAcknowledged, body.position);
            }
            else if (response.status === 409) refused += 1;
            else failed += 1;
          })
          .catch(() => void (failed += 1))
          .finally(() => void (inFlight -= 1)),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(requests);
  const elapsedSeconds = (performance.now() - started) / 1000;
  sending = false;
  await watching;
  await sql.end();

  // For each acknowledgement: the first look at the read model, after it, that found its position applied.
  const lags: number[] = [];
  for (const { at, position } of acknowledged) {
    const seen = visible.find((sample) => sample.position >= position && sample.at >= at)
      ?? visible.find((sample) => sample.position >= position);
    if (seen) lags.push(Math.max(0, seen.at - at));
  }
  lags.sort((a, b) => a - b);
  if (lags.length < acknowledged.length) failed += acknowledged.length - lags.length;
  return {
    achievedPerSecond: acknowledged.length / elapsedSeconds,
    p50Ms: lags.length ? percentile(lags, 50) : Number.NaN,
    p99Ms: lags.length ? percentile(lags, 99) : Number.NaN,
    refused,
    failed,
  };
}
