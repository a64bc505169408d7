import { Role } from '@app/domain';
import { INestApplication } from '@nestjs/common';
import { SessionService } from '../../apps/server/src/auth/session.service';
import { SYSTEM_ACTOR, runAs } from '../../apps/server/src/context/request-context';
import { IdentityCommandBus } from '../../apps/server/src/identity/identity-command-bus';
import {
  AddDepartment,
  AddDivision,
  CreatedResult,
  DisableUser,
  RegisterUser,
} from '../../apps/server/src/identity/identity.commands';

export const PASSWORD = 'correct horse battery staple';

/** Sets up users and divisions directly through the command bus, as the system would. */
export class IdentityFixtures {
  private counter = 0;
  private readonly departments = new Map<string, string>();

  constructor(private readonly app: INestApplication) {}

  private run<Result>(command: object): Promise<Result> {
    return runAs(SYSTEM_ACTOR, () => this.app.get(IdentityCommandBus).execute(command) as Promise<Result>);
  }

  async division(departmentName = `部${++this.counter}`, divisionName = `課${this.counter}`): Promise<string> {
    const department = await this.run<CreatedResult>(new AddDepartment(`${departmentName}-${Date.now()}`));
    const division = await this.run<CreatedResult>(new AddDivision(department.id, divisionName));
    this.departments.set(division.id, department.id);
    return division.id;
  }

  departmentOf(divisionId: string): string {
    return this.departments.get(divisionId)!;
  }

  async disable(userId: string): Promise<void> {
    await this.run(new DisableUser(userId, 'テストのため'));
  }

  /** A new user holding the role (department staff for the divisions given). */
  async user(role: Role | undefined, divisionIds: string[] = [], password = PASSWORD): Promise<string> {
    const userId = `user${++this.counter}-${Math.random().toString(36).slice(2, 8)}`;
    await this.run(new RegisterUser(userId, `利用者 ${this.counter}`, password, undefined, role ? [{ role, divisionIds }] : []));
    return userId;
  }

  /** A Bearer token for the user, issued without going through the (rate-limited) login. */
  async token(userId: string): Promise<string> {
    return (await this.app.get(SessionService).issue(userId)).token;
  }
}
