import { DomainError, Role } from '@app/domain';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { SYSTEM_ACTOR, runAs } from '../context/request-context';
import { IdentityCommandBus } from './identity-command-bus';
import { IdentityDirectory } from './identity-directory';
import { AddDepartment, AddDivision, RegisterUser, SetPassword } from './identity.commands';

export const IDENTITY_BOOTSTRAP_OPTIONS = Symbol('IDENTITY_BOOTSTRAP_OPTIONS');

export interface IdentityBootstrapOptions {
  /** Where the first administrator's password is written (never to the log). */
  dataDir: string;
  /** Seed one user per role, with fresh passwords printed, for trying the product. */
  demo: boolean;
}

export const FIRST_ADMINISTRATOR = 'admin';
const DEMO_DEPARTMENT = 'デモ部';
const DEMO_DIVISION = 'デモ課';
const DEMO_USERS: Array<{ userId: string; displayName: string; role: Role }> = [
  { userId: 'demo-staff', displayName: 'デモ 担当課職員', role: 'department_staff' },
  { userId: 'demo-reviewer', displayName: 'デモ 審査担当', role: 'reviewer' },
  { userId: 'demo-auditor', displayName: 'デモ 監査', role: 'auditor' },
  { userId: 'demo-management', displayName: 'デモ 幹部', role: 'management' },
  { userId: 'demo-admin', displayName: 'デモ 管理者', role: 'administrator' },
];

const newPassword = () => randomBytes(15).toString('base64url');

/**
 * On an empty database, creates the first administrator, whose password goes to
 * a file under the data directory; in demo mode, one user per role.
 */
@Injectable()
export class IdentityBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Identity');

  constructor(
    private readonly directory: IdentityDirectory,
    private readonly commands: IdentityCommandBus,
    @Inject(IDENTITY_BOOTSTRAP_OPTIONS) private readonly options: IdentityBootstrapOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.directory.ready();
    await runAs(SYSTEM_ACTOR, async () => {
      if (this.directory.allUsers().length === 0) await this.createFirstAdministrator();
      if (this.options.demo) await this.seedDemoUsers();
    });
  }

  private async createFirstAdministrator(): Promise<void> {
    const password = newPassword();
    try {
      await this.commands.execute(
        new RegisterUser(FIRST_ADMINISTRATOR, '管理者', password, undefined, [{ role: 'administrator' }]),
      );
    } catch (error) {
      // Another replica starting at the same moment created it first.
      if (error instanceof DomainError && error.rule === 'user.already_registered') return;
      throw error;
    }
    const file = join(this.options.dataDir, 'initial-admin-password');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    this.logger.log(
      `初回管理者を作成しました。ログインID: ${FIRST_ADMINISTRATOR}、初期パスワードは ${relative(process.cwd(), file) || file} にあります（ログイン後に変更してください）`,
    );
  }

  private async seedDemoUsers(): Promise<void> {
    const divisionId = await this.demoDivision();
    const printed: string[] = [];
    for (const demo of DEMO_USERS) {
      const password = newPassword();
      if (this.directory.user(demo.userId)) {
        await this.commands.execute(new SetPassword(demo.userId, password, 'administrator'));
      } else {
        const divisionIds = demo.role === 'department_staff' ? [divisionId] : [];
        await this.commands.execute(
          new RegisterUser(demo.userId, demo.displayName, password, divisionId, [{ role: demo.role, divisionIds }]),
        );
      }
      printed.push(`  ${demo.userId.padEnd(16)} ${password}   ${demo.displayName}`);
    }
    // Straight to the terminal, not the log: these are for the person trying the product.
    process.stdout.write(
      `\nデモモード: 次のユーザーでログインできます（パスワードは起動のたびに変わります）\n${printed.join('\n')}\n\n`,
    );
  }

  private async demoDivision(): Promise<string> {
    const find = () =>
      this.directory.organization().departments.find((department) => department.name === DEMO_DEPARTMENT);
    if (!find()) await this.commands.execute(new AddDepartment(DEMO_DEPARTMENT));
    const department = find()!;
    const existing = department.divisions.find((division) => division.name === DEMO_DIVISION);
    if (existing) return existing.divisionId;
    await this.commands.execute(new AddDivision(department.departmentId, DEMO_DIVISION));
    return find()!.divisions.find((division) => division.name === DEMO_DIVISION)!.divisionId;
  }
}
