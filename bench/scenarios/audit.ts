import { call, BenchServer } from '../support/server';
import { percentile } from '../support/stats';
import { SubmissionTarget, submissionBody, submissionPath } from './http';

export interface AuditRun {
  historyP50Ms: number;
  historyP99Ms: number;
  asOfP50Ms: number;
  asOfP99Ms: number;
}

/** Gives one item of the plan `events` more events, as a department resubmitting its figures would. */
export async function growItem(target: SubmissionTarget, itemId: string, events: number): Promise<number> {
  let position = 0;
  for (let value = 1; value <= events; value++) {
    const response = await fetch(`${target.baseUrl}${submissionPath(itemId)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${target.staffToken}`, 'content-type': 'application/json' },
      body: submissionBody(value),
    });
    if (response.status !== 200) throw new Error(`growing ${itemId}: ${response.status} ${await response.text()}`);
    position = ((await response.json()) as { position: number }).position;
  }
  return position;
}

/**
 * An auditor's two questions about one item, asked one after another
 * `requests` times each: its history (the first page, newest first as the
 * screen shows it) and its state as of a position halfway through its events.
 */
export async function askAuditQuestions(server: BenchServer, itemId: string, asOfPosition: number, requests: number): Promise<AuditRun> {
  const timed = async (path: string) => {
    const durations: number[] = [];
    for (let index = 0; index < requests; index++) {
      const started = performance.now();
      await call(server.baseUrl, server.adminToken, 'GET', path);
      durations.push(performance.now() - started);
    }
    return durations.sort((a, b) => a - b);
  };
  const history = await timed(`/api/items/${itemId}/history`);
  const asOf = await timed(`/api/items/${itemId}/as-of?position=${asOfPosition}`);
  return {
    historyP50Ms: percentile(history, 50),
    historyP99Ms: percentile(history, 99),
    asOfP50Ms: percentile(asOf, 50),
    asOfP99Ms: percentile(asOf, 99),
  };
}
