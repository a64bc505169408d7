import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startTsProcess, watch } from './support/server-process';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('administrator CLI', () => {
  let database: TestDatabase;
  let dataDir: string;

  const cli = async (...args: string[]) => {
    const run = watch(startTsProcess('apps/cli/src/main.ts', args, { DATABASE_URL: database.url, DATA_DIR: dataDir }));
    return { code: await run.exited, output: run.output() };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'reform-ledger-cli-'));
  });
  afterAll(() => database?.drop());

  it('creates a user with a role and prints a one-time password that signs in', async () => {
    const created = await cli('users', 'create', '--login', 'sato', '--name', '佐藤 次郎', '--role', 'auditor');
    expect(created.code).toBe(0);
    const password = created.output.match(/初期パスワード: (\S+)/)?.[1];
    expect(password).toBeDefined();

    const app: INestApplication = await createTestApp({ databaseUrl: database.url });
    try {
      const token = await request(app.getHttpServer()).post('/api/auth/token').send({ loginId: 'sato', password });
      expect(token.status).toBe(200);
      const [registered] = await app.get(EventStore).readStream('user-sato');
      expect(registered.metadata.actor).toEqual({ userId: `cli:${userInfo().username}`, role: 'administrator' });
    } finally {
      await app.close();
    }

    const listed = await cli('users', 'list');
    expect(listed.output).toMatch(/sato\s+佐藤 次郎\s+有効\s+監査/);
  });

  it('grants and revokes roles, and explains a refusal in Japanese', async () => {
    expect((await cli('users', 'grant', '--login', 'sato', '--role', 'management')).code).toBe(0);
    expect((await cli('users', 'revoke', '--login', 'sato', '--role', 'management')).code).toBe(0);
    const refused = await cli('users', 'revoke', '--login', 'sato', '--role', 'management');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('エラー: このユーザーはその役割を持っていません');
  });

  it('answers an unknown command with its usage and exit code 2', async () => {
    const unknown = await cli('users', 'explode');
    expect(unknown.code).toBe(2);
    expect(unknown.output).toContain('使い方: npm run cli');
  });

  it('loads a seed with npm run seed\'s command, then writes the achievement report from the events', async () => {
    const loaded = await cli('seed', 'load', 'test/fixtures/seeds/kitahama');
    expect(loaded.code).toBe(0);
    expect(loaded.output).toContain('読み込みました: 計画 kitahama、3項目');
    const out = join(dataDir, 'kitahama.html');
    const written = await cli('report', '--plan', 'kitahama', '--fy', 'R4', '--format', 'html', '--out', out);
    expect(written.code).toBe(0);
    expect(written.output).toMatch(/kitahama\.html を作成しました（イベント位置 \d+ まで、ルートハッシュ [0-9a-f]{64}）/);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('令和4年度取組の達成状況');
    expect(html).toContain('市税収納率の向上');
    const refused = await cli('report', '--plan', 'kitahama', '--fy', 'someday');
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('--fy は 2020、R2、令和2年度 のように指定してください');
  }, 120_000);
});
