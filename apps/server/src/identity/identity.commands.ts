import {
  DomainError,
  ORGANIZATION_STREAM,
  Role,
  UserCommand,
  findDivision,
  organizationDecider,
  userDecider,
  userStreamId,
} from '@app/domain';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { CredentialStore } from '../auth/credential-store';
import { SessionService } from '../auth/session.service';
import { CommandExecutor, CommandResult } from '../events/command-executor';
import { IdentityDirectory } from './identity-directory';

export interface RoleGrant {
  role: Role;
  divisionIds?: string[];
}

export class RegisterUser {
  constructor(
    readonly userId: string,
    readonly displayName: string,
    readonly password: string,
    readonly divisionId?: string,
    readonly roles: RoleGrant[] = [],
    readonly email?: string,
  ) {}
}

export class GrantRole {
  constructor(
    readonly userId: string,
    readonly grant: RoleGrant,
  ) {}
}

export class RevokeRole {
  constructor(
    readonly userId: string,
    readonly role: Role,
  ) {}
}

export class DisableUser {
  constructor(
    readonly userId: string,
    readonly reason: string,
  ) {}
}

export class EnableUser {
  constructor(readonly userId: string) {}
}

/** A new password set by the person (changedBy self) or by an administrator. */
export class SetPassword {
  constructor(
    readonly userId: string,
    readonly newPassword: string,
    readonly changedBy: 'self' | 'administrator',
    /** The session to keep open (the person's own); every other one ends. */
    readonly keepSessionId?: string,
  ) {}
}

export class AddDepartment {
  constructor(readonly name: string) {}
}

export class AddDivision {
  constructor(
    readonly departmentId: string,
    readonly name: string,
  ) {}
}

export interface CreatedResult extends CommandResult {
  id: string;
}

/** Checks the divisions a command names against the organization, in the handler: deciders see one stream. */
function requireDivisions(directory: IdentityDirectory, divisionIds: readonly string[], field: string): void {
  const unknown = divisionIds.filter((divisionId) => !findDivision(directory.organization(), divisionId));
  if (unknown.length > 0) {
    throw new DomainError('not_found', 'division.not_found', `課が見つかりません: ${unknown.join(', ')}`, field);
  }
}

const grantCommand = (grant: RoleGrant): UserCommand => ({
  type: 'GrantRole',
  role: grant.role,
  divisionIds: grant.divisionIds ?? [],
});

@CommandHandler(RegisterUser)
export class RegisterUserHandler implements ICommandHandler<RegisterUser, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly directory: IdentityDirectory,
    private readonly credentials: CredentialStore,
  ) {}

  async execute(command: RegisterUser): Promise<CommandResult> {
    if (command.divisionId) requireDivisions(this.directory, [command.divisionId], 'divisionId');
    requireDivisions(this.directory, command.roles.flatMap((grant) => grant.divisionIds ?? []), 'roles');
    // The user's stream is created with 'no_stream', so a login id can be registered only once;
    // the password is stored after that, never over another person's.
    const result = await this.executor.execute(userStreamId(command.userId), userDecider, [
      { type: 'RegisterUser', userId: command.userId, displayName: command.displayName, divisionId: command.divisionId, email: command.email },
      ...command.roles.map(grantCommand),
    ]);
    await this.credentials.setPassword(command.userId, command.password);
    return result;
  }
}

@CommandHandler(GrantRole)
export class GrantRoleHandler implements ICommandHandler<GrantRole, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly directory: IdentityDirectory,
  ) {}

  execute({ userId, grant }: GrantRole): Promise<CommandResult> {
    requireDivisions(this.directory, grant.divisionIds ?? [], 'divisionIds');
    return this.executor.execute(userStreamId(userId), userDecider, grantCommand(grant));
  }
}

@CommandHandler(RevokeRole)
export class RevokeRoleHandler implements ICommandHandler<RevokeRole, CommandResult> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ userId, role }: RevokeRole): Promise<CommandResult> {
    return this.executor.execute(userStreamId(userId), userDecider, { type: 'RevokeRole', role });
  }
}

@CommandHandler(DisableUser)
export class DisableUserHandler implements ICommandHandler<DisableUser, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly sessions: SessionService,
  ) {}

  async execute({ userId, reason }: DisableUser): Promise<CommandResult> {
    const result = await this.executor.execute(userStreamId(userId), userDecider, { type: 'DisableUser', reason });
    await this.sessions.revokeAllOf(userId);
    return result;
  }
}

@CommandHandler(EnableUser)
export class EnableUserHandler implements ICommandHandler<EnableUser, CommandResult> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ userId }: EnableUser): Promise<CommandResult> {
    return this.executor.execute(userStreamId(userId), userDecider, { type: 'EnableUser' });
  }
}

@CommandHandler(SetPassword)
export class SetPasswordHandler implements ICommandHandler<SetPassword, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly credentials: CredentialStore,
    private readonly sessions: SessionService,
  ) {}

  async execute(command: SetPassword): Promise<CommandResult> {
    const result = await this.executor.execute(userStreamId(command.userId), userDecider, {
      type: 'RecordPasswordChange',
      changedBy: command.changedBy,
    });
    await this.credentials.setPassword(command.userId, command.newPassword);
    await this.sessions.revokeAllOf(command.userId, command.keepSessionId);
    return result;
  }
}

@CommandHandler(AddDepartment)
export class AddDepartmentHandler implements ICommandHandler<AddDepartment, CreatedResult> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ name }: AddDepartment): Promise<CreatedResult> {
    const departmentId = `dep-${randomUUID()}`;
    const result = await this.executor.execute(ORGANIZATION_STREAM, organizationDecider, {
      type: 'AddDepartment',
      departmentId,
      name,
    });
    return { ...result, id: departmentId };
  }
}

@CommandHandler(AddDivision)
export class AddDivisionHandler implements ICommandHandler<AddDivision, CreatedResult> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ departmentId, name }: AddDivision): Promise<CreatedResult> {
    const divisionId = `div-${randomUUID()}`;
    const result = await this.executor.execute(ORGANIZATION_STREAM, organizationDecider, {
      type: 'AddDivision',
      departmentId,
      divisionId,
      name,
    });
    return { ...result, id: divisionId };
  }
}

export const identityCommandHandlers = [
  RegisterUserHandler,
  GrantRoleHandler,
  RevokeRoleHandler,
  DisableUserHandler,
  EnableUserHandler,
  SetPasswordHandler,
  AddDepartmentHandler,
  AddDivisionHandler,
];
