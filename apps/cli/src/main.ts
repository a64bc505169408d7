import 'reflect-metadata';
import { DomainError, ROLES, Role, isRole, parseFiscalYear } from '@app/domain';
import { STAGE_KINDS, StageKind, isStageKind } from '@app/workflow';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { AppModule } from '../../server/src/app.module';
import { resolveSessionSecret } from '../../server/src/auth/session-secret';
import { ConfigurationError, validateEnvironment } from '../../server/src/config/environment';
import { runAs } from '../../server/src/context/request-context';
import { openDatabase } from '../../server/src/database/database';
import { IdentityCommandBus } from '../../server/src/identity/identity-command-bus';
import { IdentityDirectory } from '../../server/src/identity/identity-directory';
import { GrantRole, RegisterUser, RevokeRole } from '../../server/src/identity/identity.commands';
import { toUserResponse } from '../../server/src/identity/identity.views';
import { createLogger } from '../../server/src/logging/logger';
import { SeedLoader } from '../../server/src/seed/seed-loader';
import { SeedFormatError } from '../../server/src/seed/plan-seed';
import { exportWorkbook, importActuals, PlanYear } from './exchange.command';
import { runProjectionsCommand } from './projections.command';
import { runReportCommand } from './report.command';
import { DEFAULT_SEED, checkSeed, loadSeed, readSeed } from './seed.command';

const USAGE = `使い方: npm run cli -- <コマンド> [オプション]

  users list                                   利用者の一覧
  users create --login ID --name 氏名 [--division 課ID] [--email アドレス] [--role 役割 [--divisions 課ID,...]]
                                               利用者を作成し、初期パスワードを表示します
  users grant  --login ID --role 役割 [--divisions 課ID,...]
  users revoke --login ID --role 役割
  departments list                             部と課（課IDの確認に）
  projections status                           読み取りモデルの位置と遅れ
  projections rebuild 名前                     読み取りモデルを位置0から作り直す（進捗バー付き）
  seed load [シード]                           計画のシードを読み込む（既定: ${DEFAULT_SEED}、seeds/ 配下の名前かパス）
  seed check [シード]                          算定した評価と公表された評価を項目・年度ごとに照合する
  report --plan ID --fy 年度 [--as-of YYYY-MM-DD | --position N] [--format pdf|html] [--out ファイル]
                                               取組の達成状況をイベントから作成（--as-of は業務日時のその日の終わりまで）
  export items --plan ID --fy 年度 [--out ファイル.xlsx]
                                               個別項目一覧をExcelに書き出す（指標ごとの目標・実績・達成率、評価、審査状況）
  export summaries --plan ID --fy 年度 [--out ファイル.xlsx]
                                               達成状況の集計（取組方針別・基本項目別・担当課別）をExcelに書き出す
  import actuals --plan ID --fy 年度 --stage spring --file ファイル(.csv|.xlsx)
                                               実績値を取り込み、項目ごとに下書き保存する（列: 個別項目ID, 指標ID, 実績値, 取組実績）。
                                               全行を確認し、誤りがあれば行ごとに表示して何も書き込みません

役割: ${ROLES.join(', ')}
データベースは npm start と同じもの（DATABASE_URL、なければ ./data の組み込み PostgreSQL）を使います。`;

interface Services {
  app: INestApplicationContext;
  commands: IdentityCommandBus;
  directory: IdentityDirectory;
  seeds: SeedLoader;
}

type Options = Record<string, string | undefined>;

/** The commands run in the app; one that answers a number exits with it (a refused import: 1). */
const commands: Record<string, (services: Services, options: Options, argument?: string) => Promise<void | number>> = {
  'export items': ({ app }, options) => exportWorkbook(app, 'items', planYear(options), options.out),
  'export summaries': ({ app }, options) => exportWorkbook(app, 'summaries', planYear(options), options.out),
  'import actuals': ({ app }, options) =>
    importActuals(app, { ...planYear(options), stage: requireStage(options.stage), file: required(options, 'file') }),
  'seed load': async ({ seeds }, _options, name) => loadSeed(seeds, await readSeed(name)),
  'users list': async ({ directory }) => {
    for (const user of directory.allUsers().map(toUserResponse)) {
      const roles = user.roles.map((grant) => grant.label + (grant.divisionIds.length ? `(${grant.divisionIds.join(',')})` : ''));
      console.log(`${user.userId.padEnd(20)} ${user.displayName.padEnd(12)} ${user.status === 'active' ? '有効' : '無効'}  ${roles.join('、')}`);
    }
  },
  'users create': async ({ commands }, options) => {
    const password = randomBytes(15).toString('base64url');
    const grants = options.role ? [{ role: requireRole(options.role), divisionIds: list(options.divisions) }] : [];
    await commands.execute(new RegisterUser(required(options, 'login'), required(options, 'name'), password, options.division, grants, options.email));
    console.log(`利用者 ${options.login} を作成しました。初期パスワード: ${password}`);
    console.log('このパスワードは再表示されません。本人に伝え、初回ログイン後に変更してもらってください。');
  },
  'users grant': async ({ commands }, options) => {
    const role = requireRole(options.role);
    await commands.execute(new GrantRole(required(options, 'login'), { role, divisionIds: list(options.divisions) }));
    console.log(`${options.login} に役割 ${role} を付与しました。`);
  },
  'users revoke': async ({ commands }, options) => {
    const role = requireRole(options.role);
    await commands.execute(new RevokeRole(required(options, 'login'), role));
    console.log(`${options.login} の役割 ${role} を外しました。`);
  },
  'departments list': async ({ directory }) => {
    for (const department of directory.organization().departments) {
      console.log(`${department.name}  (${department.departmentId})`);
      for (const division of department.divisions) console.log(`  ${division.name}  (${division.divisionId})`);
    }
  },
};

class UsageError extends Error {}

function required(options: Options, name: string): string {
  const value = options[name];
  if (!value) throw new UsageError(`--${name} を指定してください`);
  return value;
}

function requireRole(value: string | undefined): Role {
  if (!isRole(value)) throw new UsageError(`--role は次のいずれかです: ${ROLES.join(', ')}`);
  return value;
}

function requireFiscalYear(options: Options): number {
  const fiscalYear = parseFiscalYear(required(options, 'fy'));
  if (fiscalYear === undefined) throw new UsageError('--fy は 2020、R2、令和2年度 のように指定してください');
  return fiscalYear;
}

function planYear(options: Options): PlanYear {
  return { planId: required(options, 'plan'), fiscalYear: requireFiscalYear(options) };
}

function requireStage(value: string | undefined): StageKind {
  if (!isStageKind(value)) throw new UsageError(`--stage は次のいずれかです: ${STAGE_KINDS.join(', ')}`);
  return value;
}

function reportOptions(options: Options, chromiumPath: string) {
  const fiscalYear = requireFiscalYear(options);
  const format = options.format ?? 'pdf';
  if (format !== 'pdf' && format !== 'html') throw new UsageError('--format は pdf か html です');
  if (options['as-of'] && !/^\d{4}-\d{2}-\d{2}$/.test(options['as-of'])) throw new UsageError('--as-of は YYYY-MM-DD の日付です');
  const position = options.position === undefined ? undefined : Number(options.position);
  if (position !== undefined && !(Number.isInteger(position) && position >= 0)) throw new UsageError('--position は0以上の整数です');
  return { plan: required(options, 'plan'), fiscalYear, asOf: options['as-of'], position, format: format as 'pdf' | 'html', out: options.out, chromiumPath };
}

function list(value: string | undefined): string[] {
  return value ? value.split(',').map((item) => item.trim()).filter(Boolean) : [];
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      login: { type: 'string' },
      name: { type: 'string' },
      division: { type: 'string' },
      email: { type: 'string' },
      divisions: { type: 'string' },
      role: { type: 'string' },
      plan: { type: 'string' },
      fy: { type: 'string' },
      'as-of': { type: 'string' },
      position: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      stage: { type: 'string' },
      file: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = commands[positionals.slice(0, 2).join(' ')];
  const projections = positionals[0] === 'projections' && ['status', 'rebuild'].includes(positionals[1]);
  const seedCheck = positionals[0] === 'seed' && positionals[1] === 'check';
  const report = positionals[0] === 'report';
  if (values.help || (!command && !projections && !seedCheck && !report)) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (seedCheck) return checkSeed(await readSeed(positionals[2]));

  // The CLI loads a seed only when told to (seed load), never as a side effect.
  const environment = validateEnvironment({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', SEED: 'none' });
  const logger = createLogger(environment.LOG_LEVEL);
  const database = await openDatabase(environment, logger, { reuseRunning: true });
  if (projections || report) {
    try {
      return projections
        ? await runProjectionsCommand(positionals[1], positionals[2], database.url)
        : await runReportCommand(reportOptions(values as Options, environment.CHROMIUM_PATH), database.url);
    } finally {
      await database.stop();
    }
  }
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.register({ environment, databaseUrl: database.url, sessionSecret: await resolveSessionSecret(environment), logger }),
      { logger: false },
    );
    try {
      const services = { app, commands: app.get(IdentityCommandBus), directory: app.get(IdentityDirectory), seeds: app.get(SeedLoader) };
      // The operator at the terminal acts as an administrator; events name their OS account.
      const code = await runAs({ userId: `cli:${userInfo().username}`, role: 'administrator' }, () =>
        command(services, values as Options, positionals[2]),
      );
      return code ?? 0;
    } finally {
      await app.close();
    }
  } finally {
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError || error instanceof DomainError || error instanceof ConfigurationError || error instanceof SeedFormatError) {
      console.error(`エラー: ${error.message}`);
      if (error instanceof UsageError) console.error(`\n${USAGE}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    }
    console.error(error);
    process.exit(1);
  },
);
