import { EventStore, GENESIS_HASH, foldRoot } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SYSTEM_ACTOR, runAs } from '../apps/server/src/context/request-context';
import { ChangeItem } from '../apps/server/src/plan/plan.commands';
import { readPlanSeed, seedDirectory } from '../apps/server/src/seed/plan-seed';
import { SeedLoader } from '../apps/server/src/seed/seed-loader';
import { IdentityFixtures } from './support/identity-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

const PDF_TOOLS = existsSync('/usr/bin/chromium') && existsSync('/usr/bin/pdftotext');
if (!PDF_TOOLS) console.warn('PDF report tests skipped: they need /usr/bin/chromium and poppler-utils (pdftotext), which .ci/run installs.');

/** Ube's FY2020 achievement report, regenerated from the seeded events. */
describe('the achievement report', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let token: string;
  let seeded: number;
  const report = (query: string) =>
    request(app.getHttpServer()).get(`/api/reports/achievement?planId=ube&fiscalYear=2020&${query}`).auth(token, { type: 'bearer' });
  /** The report's text without what names the moment it covers (position and root hash). */
  const body = (html: string) => html.replace(/<p class="coverage">[^<]*<\/p>/, '');

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    await app.get(SeedLoader).load(await readPlanSeed(seedDirectory('ube')));
    seeded = await app.get(EventStore).headPosition();
    const fixtures = new IdentityFixtures(app);
    token = await fixtures.token(await fixtures.user('auditor'));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('counts FY2020 as the report printed it, and names the position and the chain root it covers', async () => {
    const html = await report('format=html').expect(200);
    expect(html.text).toContain('令和2年度取組の達成状況');
    expect(html.text).toMatch(/<tr><td>54<\/td><td>30<\/td><td>14<\/td><td>10<\/td><td>0<\/td><\/tr>/);
    const store = app.get(EventStore);
    let root = GENESIS_HASH;
    for (const event of await store.readAll({ limit: 100_000 })) if (event.globalPosition <= Number(html.headers['x-report-position'])) root = foldRoot(root, event.hash);
    expect(html.headers['x-report-root-hash']).toBe(root);
    expect(html.text).toContain(`チェーンのルートハッシュ ${root}`);
  });

  (PDF_TOOLS ? it : it.skip)('prints the PDF in Japanese, each item with its own figures and grades on its page, the footer on every page', async () => {
    const response = await report('format=pdf')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const directory = await mkdtemp(join(tmpdir(), 'report-'));
    const file = join(directory, 'report.pdf');
    await writeFile(file, response.body as Buffer);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())![1]);
    const pageText = (page: number) => execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), file, '-']).toString();
    const texts = Array.from({ length: pages }, (_, index) => pageText(index + 1));
    expect(pages).toBeGreaterThan(20);
    expect(texts[0]).toContain('宇部市行政サービス改革推進計画');
    expect(texts[0]).toContain('令和2年度取組の達成状況');
    const itemPage = texts.find((text) => text.includes('市民の利便性向上'))!;
    for (const figure of ['3,000', '4,000', '4,500', '5,000', '2,901', '4,217', '7,426', '概ね達成', '達成']) expect(itemPage).toContain(figure);
    const staffPage = texts.find((text) => text.includes('人員体制の最適化'))!;
    for (const figure of ['1,022', '999', '1,008', '概ね達成']) expect(staffPage).toContain(figure);
    for (const text of texts) expect(text).toMatch(/イベント位置 [\d,]+ まで/);
    // The first two pages, for the README.
    const docs = join(__dirname, '..', 'docs');
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '2', file, join(docs, 'report-page')]);
  }, 60_000);

  it('as of a date before the approvals, and at a position before a correction, differs in exactly that', async () => {
    const beforeApproval = await report('asOf=2021-06-29&format=html').expect(200);
    expect(beforeApproval.text).toMatch(/<tr><td>54<\/td><td>0<\/td><td>0<\/td><td>0<\/td><td>54<\/td><\/tr>/);

    const before = await report(`position=${seeded}&format=html`).expect(200);
    await runAs(SYSTEM_ACTOR, async () => {
      const commands = app.get(CommandBus);
      const change = (command: ConstructorParameters<typeof ChangeItem>[1]) => commands.execute(new ChangeItem('ube-1-1', command));
      const narrative = (await app.get(EventStore).readStream('item-ube-1-1'))
        .filter((event) => event.type === 'ActualSubmitted' && (event.data as { fiscalYear: number }).fiscalYear === 2020)
        .map((event) => (event.data as { narrative: string }).narrative)[0];
      await change({ type: 'ReopenEvaluation', fiscalYear: 2020, reason: 'コンビニ交付件数の集計誤りの訂正' });
      await change({ type: 'SubmitActual', fiscalYear: 2020, actuals: [{ indicatorId: 'ind-1', value: 7500 }], narrative, evidenceLinks: [] });
      await change({ type: 'SubmitEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '' });
      await change({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '' });
    });
    const now = await report('format=html').expect(200);
    expect(Number(now.headers['x-report-position'])).toBeGreaterThan(seeded);
    expect(body(now.text)).not.toBe(body(before.text));
    expect(body(before.text).replace('<td>7,426</td>', '<td>7,500</td>')).toBe(body(now.text));
    const again = await report(`position=${seeded}&format=html`).expect(200);
    expect(again.text).toBe(before.text);
  });
});
