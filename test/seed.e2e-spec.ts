import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { readPlanSeed, SeedFormatError } from '../apps/server/src/seed/plan-seed';
import { SeedLoader } from '../apps/server/src/seed/seed-loader';
import { IdentityFixtures } from './support/identity-fixtures';
import { startTsProcess, watch } from './support/server-process';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const KITAHAMA = 'test/fixtures/seeds/kitahama';

/** Another city's plan in the same format: the loader knows nothing of Ube beyond seeds/ube. */
describe('a seed in the generic format', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let auditor: string;
  const get = (path: string) => request(app.getHttpServer()).get(path).auth(auditor, { type: 'bearer' });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    const fixtures = new IdentityFixtures(app);
    auditor = await fixtures.token(await fixtures.user('auditor'));
  });

  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('loads as the commands a person would send, year by year, as the import actor with business times', async () => {
    const result = await app.get(SeedLoader).load(await readPlanSeed(KITAHAMA));
    expect(result).toMatchObject({ planId: 'kitahama', divisionsAdded: 3 });

    const history = await get(`/api/items/kitahama-1-1/history?perPage=50&minPosition=${await app.get(EventStore).headPosition()}`).expect(200);
    expect(history.body.items.map((entry: { type: string }) => entry.type)).toEqual([
      'ItemRegistered',
      'IndicatorDefined',
      'TargetSet',
      'ActualSubmitted',
      'EvaluationSubmitted',
      'EvaluationApproved',
      'TargetSet',
      'ActualSubmitted',
      'EvaluationSubmitted',
      'EvaluationApproved',
      'NextYearPlanSet',
      'TargetSet',
    ]);
    expect(new Set(history.body.items.map((entry: { actor: { userId: string } }) => entry.actor.userId))).toEqual(new Set(['import:seed']));
    const approvedR4 = history.body.items[9];
    expect(approvedR4.occurredAt).toBe('2023-06-30T00:00:00.000Z');
    expect(new Date(approvedR4.recordedAt).getTime()).toBeGreaterThan(Date.parse('2026-01-01'));

    const status = await get('/api/items/kitahama-1-1/status').expect(200);
    const year = (fiscalYear: number) => status.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === fiscalYear);
    expect(year(2022)).toMatchObject({ approvedGrade: 'mostly_achieved', narrative: '○スマートフォン決済を導入しました。\n○口座振替の勧奨を行いました。' });
    expect(year(2021).narrative).toBe('（「北浜市行財政改革実施計画 令和4年度実績報告」には令和3年度の取組実績の記述がありません。実績値と評価のみ取り込みました。）');
    expect(year(2023)).toMatchObject({ nextYearPlan: '○督促の電子化を進めます。', indicators: [expect.objectContaining({ target: 99 })] });
  });

  it('records the seed\'s reason exactly where the published grade is not the computed one', async () => {
    const events = await app.get(EventStore).readStream('item-kitahama-2-1');
    const approvals = events.filter((event) => event.type === 'EvaluationApproved').map((event) => event.data);
    expect(approvals).toEqual([
      expect.not.objectContaining({ reason: expect.anything() }),
      expect.objectContaining({
        fiscalYear: 2022,
        grade: 'mostly_achieved',
        computed: expect.objectContaining({ grade: 'not_achieved' }),
        reason: '令和4年度実績報告に掲載された評価のとおり',
      }),
    ]);
    const qualitative = await app.get(EventStore).readStream('item-kitahama-1-2');
    expect(qualitative[0].data).toMatchObject({ qualitativeGoal: '未利用地の売却方針を定め、順次売却する' });
  });

  it('changes nothing when loaded again', async () => {
    const store = app.get(EventStore);
    const before = await store.headPosition();
    const again = await app.get(SeedLoader).load(await readPlanSeed(KITAHAMA));
    expect(again).toMatchObject({ eventsWritten: 0, divisionsAdded: 0 });
    expect(await store.headPosition()).toBe(before);
  });

  it('refuses a broken seed as a whole, naming each file, place and rule, before writing anything', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'seed-broken-'));
    await cp(KITAHAMA, broken, { recursive: true });
    await writeFile(
      join(broken, 'items', 'spending.yaml'),
      [
        'basicItem: nowhere',
        'items: []',
      ].join('\n'),
    );
    await writeFile(
      join(broken, 'items', 'revenue.yaml'),
      [
        'basicItem: revenue',
        'items:',
        '  - { number: 1, title: 収納率, divisions: [総務部 納税課], grades: { R4: 大変良い } }',
      ].join('\n'),
    );
    await writeFile(join(broken, 'items', 'other.yaml'), 'basicItem: spending\nitems:\n  - { number: 3, title: 範囲外, divisions: [総務部 納税課], results: { H30: ○古い実績 } }\n');
    const error = await readPlanSeed(broken).catch((caught) => caught);
    expect(error).toBeInstanceOf(SeedFormatError);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: expect.stringMatching(/items\/revenue\.yaml$/), path: '/items/0/grades/R4', message: expect.stringContaining('達成, 概ね達成, 未達成') }),
        expect.objectContaining({ file: expect.stringMatching(/items\/spending\.yaml$/), path: '/basicItem', message: 'no basic item "nowhere" in plan.yaml' }),
        expect.objectContaining({ file: expect.stringMatching(/items\/other\.yaml$/), path: '/items/0/results/H30', message: expect.stringContaining('FY2018 is outside') }),
      ]),
    );
    expect(error.message).toContain('シードの形式が正しくありません（3件）');

    // Valid as a document, refused by the deciders: 120% is no percentage.
    await writeFile(join(broken, 'items', 'spending.yaml'), 'basicItem: spending\nitems: []\n');
    await writeFile(join(broken, 'items', 'other.yaml'), 'basicItem: spending\nitems: []\n');
    await writeFile(
      join(broken, 'items', 'revenue.yaml'),
      [
        'basicItem: revenue',
        'items:',
        '  - number: 2',
        '    title: 稼働率',
        '    divisions: [総務部 納税課]',
        '    indicators: [{ name: 稼働率, unit: "%", direction: higher, kind: rate, targets: { R3: 120 } }]',
      ].join('\n'),
    );
    const store = app.get(EventStore);
    const before = await store.headPosition();
    const refused = await readPlanSeed(broken)
      .then((seed) => app.get(SeedLoader).load(seed))
      .catch((caught) => caught);
    expect(refused).toBeInstanceOf(SeedFormatError);
    expect(refused.problems).toEqual([
      expect.objectContaining({ path: '/items/0', message: expect.stringMatching(/^SetTarget FY2021: .*\(number\.out_of_range, targets\.0\.value\)$/) }),
    ]);
    expect(await store.headPosition()).toBe(before);
  });
});

describe('npm run seed:check', () => {
  it('prints per item and year the computed grade beside the published one, and every difference with its reason', async () => {
    const run = watch(startTsProcess('apps/cli/src/main.ts', ['seed', 'check', KITAHAMA], {}));
    expect(await run.exited).toBe(0);
    const lines = run.output().split('\n');
    expect(lines).toContain('2-1\tR4\t71.9%\t未達成\t概ね達成\t相違\t庁舎の光熱水費の削減');
    expect(lines).toContain('1-2\tR3\t―\t（判断）\t達成\t\t公有財産の売却');
    expect(run.output()).toContain('相違: 1件\n- 2-1 庁舎の光熱水費の削減 R4: 算定 未達成（達成率 71.9%）、公表 概ね達成\n    承認の理由として記録: 令和4年度実績報告に掲載された評価のとおり');
  });
});
