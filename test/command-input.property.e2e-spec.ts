import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { addWorkingDays, japanDate } from '@app/workflow';
import { IdentityFixtures } from './support/identity-fixtures';
import { PlanFixtures } from './support/plan-fixtures';
import { workflowSettled } from './support/review-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * Random and malformed bodies against every command endpoint, sent by a person
 * allowed to use it so that they reach validation and the deciders: the answer
 * is a success or a 4xx in problem+json, never a 500, and a refused command
 * leaves the store as it was.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const REFUSALS = new Set([400, 401, 403, 404, 409, 422]);

type Who = 'admin' | 'reviewer' | 'staff';

interface CommandEndpoint {
  method: 'post' | 'put';
  path: (itemId: string, planId?: string) => string;
  who: Who;
  valid: Record<string, unknown>;
}

const endpoints: CommandEndpoint[] = [
  { method: 'post', path: () => '/api/plans', who: 'admin', valid: { planId: 'p-1', name: '計画', firstFiscalYear: 2018, lastFiscalYear: 2021 } },
  { method: 'post', path: (_item, plan = PLAN) => `/api/plans/${plan}/policy-areas`, who: 'admin', valid: { number: 5, title: '方針' } },
  { method: 'post', path: (_item, plan = PLAN) => `/api/plans/${plan}/basic-items`, who: 'admin', valid: { policyAreaId: 'pa-1', title: '基本項目' } },
  { method: 'post', path: (_item, plan = PLAN) => `/api/plans/${plan}/items`, who: 'admin', valid: { basicItemId: 'bi-1', number: 1, title: '項目', divisionIds: [] } },
  { method: 'post', path: (item) => `/api/items/${item}/revisions`, who: 'admin', valid: { changes: { title: '新名称' }, reason: '理由' } },
  { method: 'post', path: (item) => `/api/items/${item}/indicators`, who: 'admin', valid: { name: '指標', unit: '件', direction: 'higher', kind: 'annual' } },
  { method: 'post', path: (item) => `/api/items/${item}/indicators/ind-1/revisions`, who: 'admin', valid: { changes: { name: '新' }, reason: '理由' } },
  { method: 'put', path: (item) => `/api/items/${item}/years/2020/targets`, who: 'reviewer', valid: { targets: [{ indicatorId: 'ind-1', value: 10 }] } },
  { method: 'put', path: (item) => `/api/items/${item}/years/2020/actual`, who: 'staff', valid: { actuals: [{ indicatorId: 'ind-1', value: 5 }], narrative: '実施' } },
  { method: 'put', path: (item) => `/api/items/${item}/years/2020/self-evaluation`, who: 'staff', valid: { grade: 'achieved', comment: '' } },
  { method: 'post', path: (item) => `/api/items/${item}/years/2020/approval`, who: 'reviewer', valid: { grade: 'achieved', reason: '理由' } },
  { method: 'post', path: (item) => `/api/items/${item}/years/2020/return`, who: 'reviewer', valid: { reason: '理由' } },
  { method: 'post', path: (item) => `/api/items/${item}/years/2020/reopen`, who: 'reviewer', valid: { reason: '理由' } },
  { method: 'put', path: (item) => `/api/items/${item}/years/2021/plan`, who: 'staff', valid: { planText: '計画', nextTargets: [{ indicatorId: 'ind-1', value: 20 }] } },
  { method: 'post', path: (item) => `/api/items/${item}/retirement`, who: 'admin', valid: { reason: '統合' } },
  {
    method: 'put',
    path: (item, plan = PLAN) => `/api/reviews/${plan}/2021/stages/spring/items/${item}/draft`,
    who: 'staff',
    valid: { content: { actuals: [{ indicatorId: 'ind-1', value: 5 }], narrative: '実施', selfGrade: 'achieved' } },
  },
];
let PLAN = '';

const anyValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, '', ' ', 'R2', '__proto__', 1e308, -1, 0),
  fc.array(fc.anything(), { maxLength: 3 }),
  fc.object(),
);

/** Mostly a valid body with fields replaced, dropped or added; sometimes any JSON value; sometimes not JSON at all. */
function rawBodies(valid: Record<string, unknown>): fc.Arbitrary<string> {
  const keys = Object.keys(valid);
  const mutated = fc
    .record(
      {
        replace: fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: keys.length }),
        drop: fc.subarray(keys),
        extra: fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    )
    .map(({ replace = {}, drop = [], extra = {} }) => {
      const body: Record<string, unknown> = { ...valid, ...replace, ...extra };
      for (const key of drop) delete body[key];
      return JSON.stringify(body);
    });
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 2, arbitrary: fc.anything().map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

describe('command endpoints under random input', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let tokens: Record<Who, string>;
  let items: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    const identity = new IdentityFixtures(app);
    const division = await identity.division();
    tokens = {
      admin: await identity.token(await identity.user('administrator')),
      reviewer: await identity.token(await identity.user('reviewer')),
      staff: await identity.token(await identity.user('department_staff', [division])),
    };
    const plans = new PlanFixtures(app);
    PLAN = (await plans.plan()).planId;
    // One item per endpoint, each at a stage where its valid body would succeed.
    const stageOf = (index: number) => (index === 9 ? 'reported' : index === 10 || index === 11 ? 'submitted' : index === 12 ? 'approved' : 'registered');
    items = await Promise.all(endpoints.map((_, index) => plans.item(PLAN, [division], stageOf(index))));
    // The draft endpoint's item is asked for in an open spring stage.
    const reviews = (path: string, body: object) =>
      request(app.getHttpServer()).post(path).auth(tokens.reviewer, { type: 'bearer' }).send(body).expect((response) => expect(response.status).toBeLessThan(300));
    await reviews('/api/reviews', { planId: PLAN, fiscalYear: 2021 });
    await reviews(`/api/reviews/${PLAN}/2021/stages/spring/open`, { deadline: addWorkingDays(japanDate(new Date()), 30), itemIds: [items.at(-1)] });
    await workflowSettled(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it.each(endpoints.map((endpoint, index) => [`${endpoint.method.toUpperCase()} ${endpoint.path(':itemId', ':planId')}`, index]))(
    '%s: success or a 4xx problem, never a 500, and no event from a refusal',
    async (_route, index) => {
      const endpoint = endpoints[index as number];
      const eventStore = app.get(EventStore);
      await fc.assert(
        fc.asyncProperty(rawBodies(endpoint.valid), async (raw) => {
          const before = await eventStore.headPosition();
          const response = await request(app.getHttpServer())
            [endpoint.method](endpoint.path(items[index as number]))
            .auth(tokens[endpoint.who], { type: 'bearer' })
            .set('content-type', 'application/json')
            .send(raw);
          if (response.status === 200 || response.status === 201) return;
          if (!REFUSALS.has(response.status)) {
            throw new Error(`${response.status} for body ${raw}: ${response.text}`);
          }
          expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(await eventStore.headPosition()).toBe(before);
        }),
        { numRuns: RUNS },
      );
    },
    600_000,
  );
});
