import autocannon from 'autocannon';
import { call, BenchServer, token } from '../support/server';

export interface HttpRun {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Connection errors and timeouts. */
  errors: number;
}

export interface SubmissionTarget {
  baseUrl: string;
  staffToken: string;
  itemIds: string[];
}

const STAFF_PASSWORD = 'bench-staff-password-2026';
const FISCAL_YEAR = 2020;

/**
 * A plan of `items` items of one division, made through the API as an
 * administrator would, and a member of that division's staff to submit.
 */
export async function prepareSubmissions(server: BenchServer, items: number): Promise<SubmissionTarget> {
  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    call<T>(server.baseUrl, server.adminToken, method, path, body);
  const department = await api<{ id: string }>('POST', '/api/departments', { name: 'ベンチマーク部' });
  const division = await api<{ id: string }>('POST', `/api/departments/${department.id}/divisions`, { name: 'ベンチマーク課' });
  await api('POST', '/api/users', {
    loginId: 'bench-staff',
    displayName: 'ベンチマーク 職員',
    password: STAFF_PASSWORD,
    roles: [{ role: 'department_staff', divisionIds: [division.id] }],
  });
  await api('POST', '/api/plans', { planId: 'bench', name: 'ベンチマーク計画', firstFiscalYear: 2018, lastFiscalYear: 2027 });
  await api('POST', '/api/plans/bench/policy-areas', { policyAreaId: 'pa-1', number: 1, title: 'サービス改革' });
  await api('POST', '/api/plans/bench/basic-items', { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '行政サービスの質的向上' });
  const itemIds = Array.from({ length: items }, (_, index) => `bench-${index + 1}`);
  await inParallel(itemIds, 8, async (itemId, index) => {
    await api('POST', '/api/plans/bench/items', {
      itemId,
      basicItemId: 'bi-1',
      number: index + 1,
      title: `ベンチマーク項目 ${index + 1}`,
      divisionIds: [division.id],
      schedulePhases: [],
    });
    await api('POST', `/api/items/${itemId}/indicators`, { indicatorId: 'ind-1', name: '電子申請件数', unit: '件', direction: 'higher', kind: 'annual' });
  });
  return { baseUrl: server.baseUrl, staffToken: await token(server.baseUrl, 'bench-staff', STAFF_PASSWORD), itemIds };
}

export function submissionPath(itemId: string): string {
  return `/api/items/${itemId}/years/${FISCAL_YEAR}/actual`;
}

export function submissionBody(value: number): string {
  return JSON.stringify({ actuals: [{ indicatorId: 'ind-1', value }], narrative: `ベンチマークの実績 ${value}` });
}

/** SubmitActual over HTTP with autocannon: each request to the next item in turn, with a fresh figure. */
export async function submitActuals(target: SubmissionTarget, connections: number, durationSeconds: number): Promise<HttpRun> {
  let next = 0;
  const result = await autocannon({
    url: target.baseUrl,
    connections,
    duration: durationSeconds,
    headers: { authorization: `Bearer ${target.staffToken}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'PUT',
        setupRequest: (request) => {
          const itemId = target.itemIds[next++ % target.itemIds.length];
          return { ...request, path: submissionPath(itemId), body: submissionBody(next) };
        },
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = count ?? 0;
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    statuses,
    errors: result.errors,
  };
}

export async function inParallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}
