import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { readPlanSeed, seedDirectory } from '../apps/server/src/seed/plan-seed';
import { seedCommands } from '../apps/server/src/seed/seed-commands';
import { addWorkingDays, japanDate } from '@app/workflow';
import { IdentityFixtures } from './support/identity-fixtures';
import { workflowSettled } from './support/review-fixtures';
import { startTsProcess, watch } from './support/server-process';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Ube City's FY2020 achievement report, loaded the way the first start loads it. */
describe('the Ube seed', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let auditor: string;
  let head: number;
  const get = (path: string) =>
    request(app.getHttpServer())
      .get(`${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`)
      .auth(auditor, { type: 'bearer' })
      .expect(200);

  beforeAll(async () => {
    database = await createTestDatabase();
    // SEED=ube, as `npm start` has by default: the start itself loads the plan.
    app = await createTestApp({ databaseUrl: database.url, environment: { SEED: 'ube' } });
    head = await app.get(EventStore).headPosition();
    const fixtures = new IdentityFixtures(app);
    auditor = await fixtures.token(await fixtures.user('auditor'));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('holds 54 items: 12 / 23 / 19 by policy area, 12 / 16 / 7 / 7 / 12 by basic item', async () => {
    const items = await get('/api/items?planId=ube&fiscalYear=2020&perPage=100');
    expect(items.body.total).toBe(54);
    const count = async (by: string) =>
      (await get(`/api/summaries?planId=ube&fiscalYear=2020&by=${by}`)).body.groups.map((group: { label: string; items: number }) => [group.label, group.items]);
    expect(await count('policy_area')).toEqual([
      ['1.サービス改革', 12],
      ['2.連携・協働・共創改革', 23],
      ['3.マネジメント改革', 19],
    ]);
    expect((await count('basic_item')).map(([, items]: [string, number]) => items)).toEqual([12, 16, 7, 7, 12]);
  });

  it('shows the figures printed for item 1 of 行政サービスの質的向上, year by year', async () => {
    const status = await get('/api/items/ube-1-1/status');
    const indicator = (fiscalYear: number) =>
      status.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === fiscalYear).indicators[0];
    expect([2018, 2019, 2020, 2021].map((fiscalYear) => indicator(fiscalYear).target)).toEqual([3000, 4000, 4500, 5000]);
    expect([2018, 2019, 2020].map((fiscalYear) => indicator(fiscalYear).actual)).toEqual([2901, 4217, 7426]);
    expect(status.body.years.map((row: { approvedGrade: string | null }) => row.approvedGrade)).toEqual([
      'mostly_achieved',
      'achieved',
      'achieved',
      null,
    ]);
    expect(status.body.years[0]).toMatchObject({ title: '市民の利便性向上', indicators: [expect.objectContaining({ name: 'コンビニ交付サービス年間利用件数', unit: '件' })] });

    const history = await get('/api/items/ube-1-1/history?perPage=100');
    const approvals = history.body.items.filter((entry: { type: string }) => entry.type === 'EvaluationApproved');
    expect(approvals.map((entry: { fiscalYear: number; occurredAt: string; actor: { userId: string } }) => [entry.fiscalYear, entry.occurredAt, entry.actor.userId])).toEqual([
      [2018, '2019-06-30T00:00:00.000Z', 'import:seed'],
      [2019, '2020-06-30T00:00:00.000Z', 'import:seed'],
      [2020, '2021-06-30T00:00:00.000Z', 'import:seed'],
    ]);
  });

  it('sums FY2020 from the events to the grade distribution printed in the report', async () => {
    const summary = await get('/api/summaries?planId=ube&fiscalYear=2020&by=policy_area');
    const printed = (await readPlanSeed(seedDirectory('ube'))).items.reduce<Record<string, number>>((tally, item) => {
      const grade = item.grades.get(2020);
      if (grade) tally[grade] = (tally[grade] ?? 0) + 1;
      return tally;
    }, {});
    const total = summary.body.groups.reduce(
      (sum: Record<string, number>, group: { grades: Record<string, number> }) => {
        for (const [grade, count] of Object.entries(group.grades)) sum[grade] = (sum[grade] ?? 0) + count;
        return sum;
      },
      {},
    );
    expect(total).toEqual({ achieved: printed.achieved, mostly_achieved: printed.mostly_achieved, not_achieved: printed.not_achieved });
    expect(total).toEqual(PRINTED_FY2020);
  });

  it('keeps a published grade that differs from the computed one, with the report as its reason', async () => {
    const { checks } = seedCommands(await readPlanSeed(seedDirectory('ube')));
    const differences = checks.filter((check) => check.differs && !check.indicator);
    expect(differences.length).toBeGreaterThan(0);
    for (const difference of differences) {
      const events = await app.get(EventStore).readStream(`item-${difference.itemId}`);
      const approval = events.find((event) => event.type === 'EvaluationApproved' && (event.data as { fiscalYear: number }).fiscalYear === difference.fiscalYear);
      expect(approval?.data).toMatchObject({
        grade: difference.printed,
        computed: { grade: difference.computed!.grade },
        reason: '令和２年度取組の達成状況（公表資料）に掲載された評価のとおり (as published in the FY2020 achievement report)',
      });
    }
  });

  it('takes its next review as the README walks through it: the FY2022 spring stage reports FY2021', async () => {
    const fixtures = new IdentityFixtures(app);
    const [registered] = await app.get(EventStore).readStream('item-ube-1-1');
    const staff = await fixtures.token(await fixtures.user('department_staff', (registered.data as { divisionIds: string[] }).divisionIds));
    const reviewer = await fixtures.token(await fixtures.user('reviewer'));
    const as = (token: string) => ({
      post: (path: string, body: object = {}) => request(app.getHttpServer()).post(path).auth(token, { type: 'bearer' }).send(body),
      put: (path: string, body: object) => request(app.getHttpServer()).put(path).auth(token, { type: 'bearer' }).send(body),
    });
    await as(reviewer).post('/api/reviews', { planId: 'ube', fiscalYear: 2022 }).expect(201);
    await as(reviewer).post('/api/reviews/ube/2022/stages/spring/open', { deadline: addWorkingDays(japanDate(new Date()), 20) }).expect(200);
    await workflowSettled(app);
    const submission = '/api/reviews/ube/2022/stages/spring/items/ube-1-1';
    await as(staff).put(`${submission}/draft`, { content: { actuals: [{ indicatorId: 'ind-1', value: 5200 }], narrative: '○コンビニ交付を拡大した', selfGrade: 'achieved' } }).expect(200);
    await as(staff).post(`${submission}/submit`).expect(200);
    await as(reviewer).post(`${submission}/approve`).expect(200);
    head = await workflowSettled(app);
    const status = await get('/api/items/ube-1-1/status');
    expect(status.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === 2021)).toMatchObject({
      approvedGrade: 'achieved',
      indicators: [expect.objectContaining({ target: 5000, actual: 5200 })],
    });
  });

  it('changes nothing when the server starts again on the same database', async () => {
    head = await app.get(EventStore).headPosition();
    await app.close();
    app = await createTestApp({ databaseUrl: database.url, environment: { SEED: 'ube' } });
    expect(await app.get(EventStore).headPosition()).toBe(head);
  }, 60_000);
});

describe('npm run seed:check on the Ube seed', () => {
  it('lists every difference between the computed and the published grade, with its reason', async () => {
    const run = watch(startTsProcess('apps/cli/src/main.ts', ['seed', 'check'], {}));
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/^1-1\tR2\t165\.0%\t達成\t達成\t一致\t市民の利便性向上$/m);
    expect(run.output()).toMatch(/相違: [1-9]\d*件/);
  });
});

/** Tallied by hand from the grade tables of ../shared/seed/ (R2 column, 54 items). */
const PRINTED_FY2020 = { achieved: 30, mostly_achieved: 14, not_achieved: 10 };
