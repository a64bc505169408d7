import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { SYSTEM_ACTOR, runAs } from '../apps/server/src/context/request-context';
import { ChangeReviewCycle } from '../apps/server/src/review/review.commands';
import { Clock } from '../apps/server/src/review/clock';
import { IdentityFixtures, PASSWORD } from './support/identity-fixtures';
import { TestClock, loadSeed, ubeBeforeFy2019, workflowSettled } from './support/review-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Debian's Chromium, as .ci/run installs it; never a test tool's own browser download. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = join(__dirname, '..', 'docs', 'screenshots');
const WEB_BUILD = join(__dirname, '..', 'apps', 'web', 'dist', 'index.html');

const available = existsSync(CHROMIUM) && existsSync(WEB_BUILD);
if (!available) {
  console.warn(`Browser tests skipped: ${existsSync(CHROMIUM) ? '' : `${CHROMIUM} is not installed (apt-get install chromium). `}${existsSync(WEB_BUILD) ? '' : 'The UI is not built (npm run build:web).'}`);
}

/**
 * One item's spring review in a real browser, each person at their own screen:
 * the department submits, the reviewer returns it, the department corrects and
 * resubmits, the reviewer approves; the auditor sees the four steps; management
 * sees the count change. Each screen is photographed for the README.
 */
(available ? describe : describe.skip)('the web UI in Chromium', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let browser: Browser;
  let baseUrl: string;
  let users: Record<'staff' | 'reviewer' | 'auditor' | 'management', string>;
  const clock = new TestClock(new Date('2020-04-01T09:00:00+09:00'));
  const ITEM = 'ube-1-1';
  const TITLE = '市民の利便性向上';

  async function signIn(userId: string): Promise<Page> {
    const page = await browser.newPage({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('ログインID').fill(userId);
    await page.getByLabel('パスワード').fill(PASSWORD);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url, overrides: [[Clock, clock]] });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await loadSeed(app, (await ubeBeforeFy2019()).seed);
    const [registered] = await app.get(EventStore).readStream(`item-${ITEM}`);
    const fixtures = new IdentityFixtures(app);
    users = {
      staff: await fixtures.user('department_staff', (registered.data as { divisionIds: string[] }).divisionIds),
      reviewer: await fixtures.user('reviewer'),
      auditor: await fixtures.user('auditor'),
      management: await fixtures.user('management'),
    };
    await runAs(SYSTEM_ACTOR, async () => {
      const commands = app.get(CommandBus);
      await commands.execute(new ChangeReviewCycle('ube', 2020, { type: 'OpenReviewCycle' }));
      await commands.execute(new ChangeReviewCycle('ube', 2020, { type: 'OpenStage', stage: 'spring', deadline: '2020-05-29', itemIds: [ITEM, 'ube-1-2'] }));
    });
    await workflowSettled(app);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
  });

  it('takes one item from submission through a return to approval, and shows it to the auditor and management', async () => {
    const login = await browser.newPage({ locale: 'ja-JP' });
    await login.goto(`${baseUrl}/login`);
    await shoot(login, 'login');
    await login.close();

    // Management first: FY2019 has nothing approved yet in サービス改革.
    const management = await signIn(users.management);
    await management.goto(`${baseUrl}/dashboard`);
    await management.getByLabel('年度').selectOption('2019');
    const policyAreas = management.getByRole('table', { name: '取組方針別' });
    await expectRow(policyAreas, '1.サービス改革', /^0$/);

    // The department fills in FY2019 and submits.
    const staff = await signIn(users.staff);
    await staff.getByRole('link', { name: TITLE }).first().waitFor();
    await shoot(staff, 'department-inbox');
    await staff.getByRole('link', { name: TITLE }).first().click();
    await staff.getByLabel(/コンビニ交付サービス年間利用件数/).fill('4217');
    await staff.getByLabel('前年度の取組実績').fill('○コンビニ交付サービスの周知を行った');
    await staff.getByLabel('自己評価').selectOption({ label: '達成' });
    await shoot(staff, 'department-submission-form');
    await staff.getByRole('button', { name: '提出する' }).click();
    await staff.getByText('提出しました').waitFor();

    // The reviewer returns it with a reason.
    const reviewer = await signIn(users.reviewer);
    await reviewer.goto(`${baseUrl}/reviews?planId=ube&fiscalYear=2020&stage=spring`);
    await reviewer.getByRole('link', { name: TITLE }).first().waitFor();
    // The stage's progress, with its deadline, beside the queue — and no refusal on the page.
    await reviewer.getByText('2020/05/29').first().waitFor();
    expect(await reviewer.getByRole('alert').count()).toBe(0);
    await shoot(reviewer, 'reviewer-queue');
    await reviewer.getByRole('link', { name: TITLE }).first().click();
    await reviewer.getByLabel('差し戻しの理由').fill('根拠となる数値の出典を追記してください');
    await shoot(reviewer, 'reviewer-decision');
    await reviewer.getByRole('button', { name: '差し戻す' }).click();
    await reviewer.getByText('差し戻し', { exact: true }).first().waitFor();

    // The department sees the reason, corrects and resubmits.
    await staff.goto(`${baseUrl}/inbox`);
    await staff.getByText('根拠となる数値の出典を追記してください').first().waitFor();
    await staff.getByRole('link', { name: TITLE }).first().click();
    await staff.getByLabel('前年度の取組実績').fill('○コンビニ交付サービスの周知を行った（出典: 市民課業務統計）');
    await staff.getByRole('button', { name: '提出する' }).click();
    await staff.getByText('提出しました').waitFor();

    // The reviewer approves.
    await reviewer.goto(`${baseUrl}/submissions/ube/2020/spring/${ITEM}`);
    await reviewer.getByRole('button', { name: '承認する' }).click();
    await reviewer.getByText('承認済み').first().waitFor();
    await workflowSettled(app);

    // The auditor sees the four steps, with who and why.
    const auditor = await signIn(users.auditor);
    await auditor.goto(`${baseUrl}/audit/${ITEM}`);
    const timeline = auditor.getByRole('list', { name: /履歴/ });
    await timeline.getByText('評価を承認').first().waitFor();
    const entries = await timeline.getByRole('listitem').allInnerTexts();
    // FY2019's entries (FY2018's came with the seed): the first submission, the return, the resubmission, the approval.
    const steps = entries.filter((entry) => /実績を提出|評価を差し戻し|評価を承認/.test(entry) && entry.includes('FY2019'));
    expect(steps.map((entry) => entry.match(/実績を提出|評価を差し戻し|評価を承認/)![0])).toEqual(['実績を提出', '評価を差し戻し', '実績を提出', '評価を承認']);
    expect(steps[1]).toContain('根拠となる数値の出典を追記してください');
    expect(steps[1]).toContain(users.reviewer);
    expect(steps[0]).toContain(users.staff);
    await shoot(auditor, 'auditor-timeline');

    // Management sees the count change.
    await management.reload();
    await management.getByLabel('年度').selectOption('2019');
    await expectRow(management.getByRole('table', { name: '取組方針別' }), '1.サービス改革', /^1$/);
    await shoot(management, 'management-dashboard');
  }, 120_000);
});

/** Waits until the row of `table` labelled `label` shows a count matching `count` in its 達成 column. */
async function expectRow(table: ReturnType<Page['getByRole']>, label: string, count: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  let seen: string | undefined;
  while (Date.now() < deadline) {
    const headers = await table.getByRole('columnheader').allInnerTexts();
    const column = headers.findIndex((header) => header.trim().startsWith('達成'));
    const row = table.getByRole('row').filter({ hasText: label });
    if ((await row.count()) > 0 && column >= 0) {
      const cells = [...(await row.first().getByRole('rowheader').allInnerTexts()), ...(await row.first().getByRole('cell').allInnerTexts())];
      seen = cells[column]?.trim();
      if (seen !== undefined && count.test(seen)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${label}: 達成 shows ${seen ?? 'nothing'}, expected ${count}`);
}
