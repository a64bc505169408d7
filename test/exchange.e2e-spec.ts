import { EventStore, RecordedEvent } from '@app/event-store';
import { addWorkingDays, japanDate } from '@app/workflow';
import { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Workbook, Worksheet } from 'exceljs';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import request from 'supertest';
import { ChangeSubmission } from '../apps/server/src/review/review.commands';
import { readPlanSeed, seedDirectory } from '../apps/server/src/seed/plan-seed';
import { IdentityFixtures } from './support/identity-fixtures';
import { PlanFixtures } from './support/plan-fixtures';
import { loadSeed, workflowSettled } from './support/review-fixtures';
import { startTsProcess, watch } from './support/server-process';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** The Excel exports of the item table and summaries, and a department's actuals imported from CSV and Excel. */
describe('the Excel/CSV exchange', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let tokens: Record<'staff' | 'reviewer' | 'auditor' | 'management', string>;
  let staffId: string;
  let divisionA: string;
  let planId: string;
  /** 50 items of division A in the spring stage of FY2021 (reporting FY2020's actuals). */
  let items: string[];
  let otherDivisionItem: string;
  let submittedItem: string;
  let itemOutsideStage: string;
  let draftPlan: string;

  const http = () => request(app.getHttpServer());
  const head = () => app.get(EventStore).headPosition();
  const download = async (path: string, token: string) => {
    const response = await http().get(path).auth(token, { type: 'bearer' }).responseType('blob').expect(200);
    const workbook = new Workbook();
    await workbook.xlsx.load(Uint8Array.from(response.body as Buffer).buffer);
    return { response, workbook };
  };
  const upload = (content: Buffer, fileName: string, token = tokens.staff) =>
    http().post(`/api/reviews/${planId}/2021/stages/spring/imports`).auth(token, { type: 'bearer' }).attach('file', content, fileName);
  const csv = (rows: Array<Array<string | number>>, header = ['個別項目ID', '指標ID', '実績値']) =>
    Buffer.from([header, ...rows].map((row) => row.join(',')).join('\r\n') + '\r\n', 'utf8');
  const fifty = () => items.map((itemId, index): Array<string | number> => [itemId, 'ind-1', 100 + index]);
  const headerOf = (sheet: Worksheet) => (sheet.getRow(1).values as unknown[]).slice(1);
  /**
   * Every event after `position` up to the store's head. readAll reaches the head a moment after
   * the last commit when an older transaction (the server's projections) is still open.
   */
  const eventsAfter = async (position: number): Promise<RecordedEvent[]> => {
    const upTo = await head();
    for (;;) {
      const events = await app.get(EventStore).readAll({ fromPosition: position + 1, limit: 1000 });
      if ((events.at(-1)?.globalPosition ?? position) >= upTo) return events;
      await setTimeout(10);
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    await loadSeed(app, await readPlanSeed(seedDirectory('ube')));
    const fixtures = new IdentityFixtures(app);
    divisionA = await fixtures.division('市民環境部', '市民課');
    const divisionB = await fixtures.division('建設部', '道路整備課');
    staffId = await fixtures.user('department_staff', [divisionA]);
    tokens = {
      staff: await fixtures.token(staffId),
      reviewer: await fixtures.token(await fixtures.user('reviewer')),
      auditor: await fixtures.token(await fixtures.user('auditor')),
      management: await fixtures.token(await fixtures.user('management')),
    };
    const plans = new PlanFixtures(app);
    ({ planId } = await plans.plan());
    items = [];
    for (let index = 0; index < 50; index++) items.push(await plans.item(planId, [divisionA]));
    otherDivisionItem = await plans.item(planId, [divisionB]);
    submittedItem = await plans.item(planId, [divisionA]);
    const reviewer = (path: string, body: object) => http().post(path).auth(tokens.reviewer, { type: 'bearer' }).send(body);
    await reviewer('/api/reviews', { planId, fiscalYear: 2021 }).expect(201);
    await reviewer(`/api/reviews/${planId}/2021/stages/spring/open`, { deadline: addWorkingDays(japanDate(new Date()), 30) }).expect(200);
    await workflowSettled(app);
    const submission = `/api/reviews/${planId}/2021/stages/spring/items/${submittedItem}`;
    await http()
      .put(`${submission}/draft`)
      .auth(tokens.staff, { type: 'bearer' })
      .send({ content: { actuals: [{ indicatorId: 'ind-1', value: 80 }], narrative: '○実施した', selfGrade: 'mostly_achieved' } })
      .expect(200);
    await http().post(`${submission}/submit`).auth(tokens.staff, { type: 'bearer' }).expect(200);
    // Registered after the stage opened: not asked for in it.
    itemOutsideStage = await plans.item(planId, [divisionA]);
    // A plan whose one item has FY2020's figures reported but not yet approved: a draft for everyone but its division.
    ({ planId: draftPlan } = await plans.plan());
    await plans.item(draftPlan, [divisionA], 'reported');
    await workflowSettled(app);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  describe('export', () => {
    it('writes the item table with Japanese headers, a frozen header row, widths, number formats and the seeded figures', async () => {
      const { response, workbook } = await download(`/api/exports/items.xlsx?planId=ube&fiscalYear=2020&minPosition=${await head()}`, tokens.auditor);
      expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const disposition = String(response.headers['content-disposition']);
      expect(disposition).toMatch(/^attachment; filename="items-ube-FY2020\.xlsx"; filename\*=UTF-8''/);
      expect(decodeURIComponent(disposition.split("UTF-8''")[1])).toBe('個別項目一覧_宇部市行政サービス改革推進計画_令和2年度.xlsx');

      const sheet = workbook.getWorksheet('個別項目一覧')!;
      expect(headerOf(sheet)).toEqual(['番号', '個別項目ID', '個別項目', '担当課', '指標ID', '指標', '単位', '目標値', '実績値', '達成率', '算定評価', '承認評価', '審査状況', '備考']);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.getColumn(3).width).toBe(40);
      const rows = sheet.getRows(2, sheet.rowCount - 1)!;
      expect(new Set(rows.map((row) => row.getCell(1).value)).size).toBe(54);

      const first = rows.find((row) => row.getCell(1).value === '1-1')!;
      expect(first.getCell(3).value).toBe('市民の利便性向上');
      expect(String(first.getCell(4).value)).toContain('市民環境部 市民課');
      expect([6, 7, 8, 9].map((column) => first.getCell(column).value)).toEqual(['コンビニ交付サービス年間利用件数', '件', 4500, 7426]);
      expect(first.getCell(8).numFmt).toBe('#,##0');
      expect(first.getCell(10).value).toBeCloseTo(7426 / 4500, 6);
      expect(first.getCell(10).numFmt).toBe('0.0%');
      expect([11, 12, 13].map((column) => first.getCell(column).value)).toEqual(['達成', '達成', '承認済み']);
    });

    it('holds back what the viewer may not read yet, as the item list does', async () => {
      const path = `/api/exports/items.xlsx?planId=${draftPlan}&fiscalYear=2020&minPosition=${await head()}`;
      const actual = async (token: string) => {
        const row = (await download(path, token)).workbook.getWorksheet('個別項目一覧')!.getRow(2);
        return { actual: row.getCell(9).value, note: row.getCell(14).value };
      };
      expect(await actual(tokens.staff)).toEqual({ actual: 90, note: null });
      expect(await actual(tokens.management)).toEqual({ actual: null, note: '承認前のため、実績値・達成率・評価は表示していません' });
    });

    it('writes one sheet per summary dimension with counts and shares', async () => {
      const { response, workbook } = await download(`/api/exports/summaries.xlsx?planId=ube&fiscalYear=2020&minPosition=${await head()}`, tokens.management);
      expect(decodeURIComponent(String(response.headers['content-disposition']).split("UTF-8''")[1])).toBe('達成状況集計_宇部市行政サービス改革推進計画_令和2年度.xlsx');
      expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['取組方針別', '基本項目別', '担当課別']);

      const sheet = workbook.getWorksheet('取組方針別')!;
      expect(headerOf(sheet)).toEqual(['取組方針', '項目数', '達成', '概ね達成', '未達成', '評価済み', '達成の割合', '概ね達成の割合', '未達成の割合']);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      const rows = sheet.getRows(2, 3)!;
      expect(rows.map((row) => [row.getCell(1).value, row.getCell(2).value])).toEqual([
        ['1.サービス改革', 12],
        ['2.連携・協働・共創改革', 23],
        ['3.マネジメント改革', 19],
      ]);
      const total = (column: number) => rows.reduce((sum, row) => sum + Number(row.getCell(column).value), 0);
      // The FY2020 distribution printed in Ube's report.
      expect([3, 4, 5].map(total)).toEqual([30, 14, 10]);
      const [service] = rows;
      expect(service.getCell(2).numFmt).toBe('#,##0');
      expect(service.getCell(7).numFmt).toBe('0.0%');
      expect(service.getCell(7).value).toBeCloseTo(Number(service.getCell(3).value) / Number(service.getCell(6).value), 9);
      expect(workbook.getWorksheet('基本項目別')!.getRows(2, 5)!.map((row) => row.getCell(2).value)).toEqual([12, 16, 7, 7, 12]);
    });
  });

  describe('import of actuals', () => {
    it('refuses a 50-row file with 3 bad rows whole, naming each row, column and rule, and writes nothing', async () => {
      const rows = fifty();
      rows[3][2] = 'abc';
      rows[16][1] = 'ind-9';
      rows[38][2] = '-3';
      const before = await head();
      const refused = await upload(csv(rows), '実績_市民課.csv').expect(422);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.rule).toBe('import.rows_invalid');
      expect(refused.body.errors.map(({ row, column, rule }: { row: number; column: string; rule: string }) => ({ row, column, rule }))).toEqual([
        { row: 5, column: '実績値', rule: 'number.not_finite' },
        { row: 18, column: '指標ID', rule: 'indicator.not_found' },
        { row: 40, column: '実績値', rule: 'number.out_of_range' },
      ]);
      expect(refused.body.errors[0].message).toBe('実績値 には有限の数値を入力してください');
      expect(await head()).toBe(before);
    });

    it('writes exactly 50 actuals from the corrected file, each event naming the file and its sha256, and nothing when it comes again', async () => {
      // Excel's "CSV UTF-8" starts with a byte order mark.
      const file = Buffer.concat([Buffer.from('\ufeff', 'utf8'), csv(fifty())]);
      const sha256 = createHash('sha256').update(file).digest('hex');
      const before = await head();
      const imported = await upload(file, '実績_市民課.csv').expect(200);
      expect(imported.body).toMatchObject({ fileName: '実績_市民課.csv', sha256, rows: 50, items: 50, actuals: 50 });

      const events = await eventsAfter(before);
      expect(events).toHaveLength(50);
      expect(new Set(events.map((event) => event.type))).toEqual(new Set(['DraftSaved']));
      for (const event of events) {
        expect(event.metadata).toMatchObject({ source: { fileName: '実績_市民課.csv', sha256 }, actor: { userId: staffId, role: 'department_staff', department: divisionA } });
      }
      const saved = new Map(events.map((event) => [event.streamId, (event.data as { content: { actuals: unknown } }).content.actuals]));
      items.forEach((itemId, index) => expect(saved.get(`submission-${planId}-2021-spring-${itemId}`)).toEqual([{ indicatorId: 'ind-1', value: 100 + index }]));

      const again = await upload(file, '実績_市民課.csv').expect(200);
      expect(again.body).toMatchObject({ sha256, rows: 50, items: 0, actuals: 0 });
      expect(await head()).toBe(imported.body.position);
    });

    it('takes an .xlsx with English headers and a narrative, and counts rows as Excel numbers them', async () => {
      const workbook = (rows: Array<Array<string | number | null>>) => {
        const book = new Workbook();
        const sheet = book.addWorksheet('実績');
        sheet.addRow(['itemId', 'indicatorId', 'value', 'narrative']);
        for (const row of rows) sheet.addRow(row);
        return book.xlsx.writeBuffer().then((content) => Buffer.from(content));
      };
      const rows: Array<Array<string | number | null>> = [
        [items[0], 'ind-1', 200, '○窓口で受け付けた'],
        [null, null, null, null],
        [items[1], 'ind-1', '1,201', '○窓口で受け付けた'],
        [items[2], 'ind-1', 'x', null],
      ];
      const before = await head();
      const refused = await upload(await workbook(rows), 'actuals.xlsx', tokens.reviewer).expect(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ row: 5, column: 'value', rule: 'number.not_finite' })]);
      expect(await head()).toBe(before);

      rows[3][2] = 202;
      const imported = await upload(await workbook(rows), 'actuals.xlsx', tokens.reviewer).expect(200);
      expect(imported.body).toMatchObject({ fileName: 'actuals.xlsx', rows: 3, items: 3, actuals: 3 });
      const events = await eventsAfter(before);
      expect(events.map((event) => (event.data as { content: object }).content)).toEqual([
        { actuals: [{ indicatorId: 'ind-1', value: 200 }], narrative: '○窓口で受け付けた' },
        { actuals: [{ indicatorId: 'ind-1', value: 1201 }], narrative: '○窓口で受け付けた' },
        { actuals: [{ indicatorId: 'ind-1', value: 202 }] },
      ]);
      expect(events[0].metadata).toMatchObject({ source: { fileName: 'actuals.xlsx' }, actor: { role: 'reviewer' } });
    });

    it('names every other kind of bad row: unknown item, another division\'s item, an item outside the stage, a submitted one, a repeat, a missing value', async () => {
      const before = await head();
      const refused = await upload(
        csv([
          ['no-such-item', 'ind-1', 5],
          [otherDivisionItem, 'ind-1', 5],
          [itemOutsideStage, 'ind-1', 5],
          [submittedItem, 'ind-1', 5],
          [items[10], 'ind-1', 5],
          [items[10], 'ind-1', 6],
          [items[11], 'ind-1', ''],
        ]),
        'rows.csv',
      ).expect(422);
      expect(refused.body.errors.map(({ row, column, rule }: { row: number; column: string; rule: string }) => [row, column, rule])).toEqual([
        [2, '個別項目ID', 'item.not_found'],
        [3, '個別項目ID', 'access.division_scope'],
        [4, '個別項目ID', 'submission.not_found'],
        [5, '個別項目ID', 'submission.submitted'],
        [7, '指標ID', 'indicator.repeated'],
        [8, '実績値', 'import.value_required'],
      ]);
      expect(await head()).toBe(before);
    });

    it('stops at an item changed between the check and its send, keeping what it wrote, and the same file again finishes the rest', async () => {
      const file = csv(items.slice(30, 35).map((itemId, index) => [itemId, 'ind-1', 500 + index]));
      const bus = app.get(CommandBus);
      const execute = bus.execute.bind(bus);
      let drafts = 0;
      const spy = jest.spyOn(bus, 'execute').mockImplementation(async (command) => {
        if (command instanceof ChangeSubmission && command.command.type === 'SaveDraft' && ++drafts === 3) {
          // A colleague saves this item's draft after the import checked it.
          await http()
            .put(`/api/reviews/${planId}/2021/stages/spring/items/${command.itemId}/draft`)
            .auth(tokens.staff, { type: 'bearer' })
            .send({ content: { narrative: '○同僚が入力した' } })
            .expect(200);
        }
        return execute(command);
      });
      try {
        const stopped = await upload(file, 'rows.csv').expect(409);
        expect(stopped.body).toMatchObject({ rule: 'import.incomplete', written: [items[30], items[31]], failedItemId: items[32], cause: 'concurrency.version_mismatch' });
      } finally {
        spy.mockRestore();
      }
      const finished = await upload(file, 'rows.csv').expect(200);
      expect(finished.body).toMatchObject({ items: 3, actuals: 3 });
      const changed = await http().get(`/api/reviews/${planId}/2021/stages/spring/items/${items[32]}`).auth(tokens.staff, { type: 'bearer' }).expect(200);
      expect(changed.body.content).toEqual({ narrative: '○同僚が入力した', actuals: [{ indicatorId: 'ind-1', value: 502 }] });
      expect((await upload(file, 'rows.csv').expect(200)).body).toMatchObject({ items: 0, actuals: 0 });
    });

    it('refuses a file without a required column, or not in UTF-8, before reading its rows', async () => {
      const missing = await upload(csv([[items[0], 5]], ['個別項目ID', '実績値']), 'rows.csv').expect(422);
      expect(missing.body.errors).toEqual([expect.objectContaining({ row: 1, column: '指標ID', rule: 'import.column_missing' })]);
      // 「個別項目ID」 in Shift_JIS, as Excel's plain CSV saves it.
      const shiftJis = Buffer.from([0x8c, 0xc2, 0x95, 0xca, 0x8d, 0x80, 0x96, 0xda, 0x49, 0x44, 0x0d, 0x0a]);
      const encoding = await upload(shiftJis, 'rows.csv').expect(422);
      expect(encoding.body).toMatchObject({ rule: 'import.encoding', errors: [expect.objectContaining({ field: 'file' })] });
    });
  });

  describe('the CLI', () => {
    let dataDir: string;
    const cli = async (...args: string[]) => {
      const run = watch(startTsProcess('apps/cli/src/main.ts', args, { DATABASE_URL: database.url, DATA_DIR: dataDir }));
      return { code: await run.exited, output: run.output() };
    };

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'reform-ledger-exchange-'));
    });

    it('imports actuals as the operator, printing every bad row of a refused file', async () => {
      const file = join(dataDir, 'rows.csv');
      await writeFile(file, csv([[items[20], 'ind-1', 'abc'], [items[21], 'ind-9', 7], [items[22], 'ind-1', 320]]));
      const before = await head();
      const refused = await cli('import', 'actuals', '--plan', planId, '--fy', 'R3', '--stage', 'spring', '--file', file);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain('2行目 実績値: 実績値 には有限の数値を入力してください (number.not_finite)');
      expect(refused.output).toContain('3行目 指標ID: 指標が見つかりません (indicator.not_found)');
      expect(await head()).toBe(before);

      await writeFile(file, csv([[items[20], 'ind-1', 300], [items[21], 'ind-1', 310], [items[22], 'ind-1', 320]]));
      const imported = await cli('import', 'actuals', '--plan', planId, '--fy', '2021', '--stage', 'spring', '--file', file);
      expect(imported.code).toBe(0);
      expect(imported.output).toContain('3行を読み、3項目の下書きに実績値3件を保存しました');
      const events = await eventsAfter(before);
      expect(events.map((event) => event.metadata.actor)).toEqual(Array(3).fill({ userId: `cli:${userInfo().username}`, role: 'administrator' }));
      expect(events[0].metadata.source).toEqual({ fileName: 'rows.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }, 120_000);

    it('exports the item table to a file', async () => {
      const out = join(dataDir, 'items.xlsx');
      const exported = await cli('export', 'items', '--plan', 'ube', '--fy', '2020', '--out', out);
      expect(exported.code).toBe(0);
      expect(exported.output).toContain(`${out} を作成しました`);
      const workbook = new Workbook();
      await workbook.xlsx.readFile(out);
      expect(workbook.getWorksheet('個別項目一覧')!.getRow(2).getCell(1).value).toBe('1-1');
    }, 120_000);
  });
});
