import { INestApplication } from '@nestjs/common';
import { ParsedMail, simpleParser } from 'mailparser';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR, runAs } from '../apps/server/src/context/request-context';
import { IdentityCommandBus } from '../apps/server/src/identity/identity-command-bus';
import { RegisterUser } from '../apps/server/src/identity/identity.commands';
import { Clock } from '../apps/server/src/review/clock';
import { NotificationMailer } from '../apps/server/src/review/notification-mailer';
import { IdentityFixtures, PASSWORD } from './support/identity-fixtures';
import { PlanFixtures } from './support/plan-fixtures';
import { TestClock, workflowSettled } from './support/review-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** The e-mail channel, against a real SMTP server on loopback. */
describe('the workflow\'s notification mails', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let smtp: SMTPServer;
  let smtpUrl: string;
  const received: ParsedMail[] = [];
  const clock = new TestClock(new Date('2021-04-01T09:00:00+09:00'));
  let reviewer: string;
  let planId: string;

  const start = async () => {
    app = await createTestApp({ databaseUrl: database.url, environment: { SMTP_URL: smtpUrl, MAIL_FROM: '行政改革推進課 <gyokaku@city.example.jp>' }, overrides: [[Clock, clock]] });
  };
  const mailed = async () => {
    const head = await workflowSettled(app);
    await app.get(NotificationMailer).waitFor(head);
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          received.push(mail);
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    database = await createTestDatabase();
    await start();
    const fixtures = new IdentityFixtures(app);
    const division = await fixtures.division('市民環境部', '市民課');
    const other = await fixtures.division('総務部', '総務課');
    const register = (userId: string, email: string, divisionIds: string[]) =>
      runAs(SYSTEM_ACTOR, () =>
        app.get(IdentityCommandBus).execute(new RegisterUser(userId, '宇部 太郎', PASSWORD, undefined, [{ role: 'department_staff', divisionIds }], email)),
      );
    await register('ube-staff', 'staff@city.example.jp', [division]);
    await register('other-staff', 'other@city.example.jp', [other]);
    reviewer = await fixtures.token(await fixtures.user('reviewer'));
    const plans = new PlanFixtures(app);
    ({ planId } = await plans.plan());
    await plans.item(planId, [division]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database.drop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('mails the staff of the item\'s divisions when a stage asks them for work, and no one else', async () => {
    const as = request(app.getHttpServer());
    await as.post('/api/reviews').auth(reviewer, { type: 'bearer' }).send({ planId, fiscalYear: 2021 }).expect(201);
    await as.post(`/api/reviews/${planId}/2021/stages/spring/open`).auth(reviewer, { type: 'bearer' }).send({ deadline: '2021-05-31' }).expect(200);
    await mailed();
    expect(received.map((mail) => [mail.to && 'text' in mail.to ? mail.to.text : '', mail.subject])).toEqual([
      ['staff@city.example.jp', '【スプリングレビュー】窓口のワンストップ化'],
    ]);
    expect(received[0].from?.text).toContain('gyokaku@city.example.jp');
    expect(received[0].text).toContain('スプリングレビュー: 提出の依頼があります');
    const inbox = await as.get('/api/reviews/notifications').auth(reviewer, { type: 'bearer' }).expect(200);
    expect(inbox.body.items[0].message).toBe('スプリングレビュー: 提出の依頼があります');
  });

  it('mails no one twice when its events are delivered again', async () => {
    await app.get(DataSource).query(`UPDATE process_checkpoints SET position = 0 WHERE name = 'review-mail'`);
    await app.close();
    await start();
    await mailed();
    expect(received).toHaveLength(1);
  }, 30_000);
});
