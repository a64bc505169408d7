import {
  DomainError,
  ItemCommand,
  PlanCommand,
  PlanState,
  findDivision,
  itemDecider,
  itemStreamId,
  planDecider,
  planStreamId,
} from '@app/domain';
import { Injectable } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { actionContext } from '../context/request-context';
import { CommandExecutor, CommandResult } from '../events/command-executor';
import { StreamStates } from '../events/stream-states';
import { IdentityDirectory } from '../identity/identity-directory';

export interface CreatedResult extends CommandResult {
  id: string;
}

/** A change to a plan's structure (RegisterPlan, AddPolicyArea, AddBasicItem). */
export class ChangePlan {
  constructor(
    readonly planId: string,
    readonly command: PlanCommand,
    readonly ifMatch?: number,
  ) {}
}

/** RegisterItem: needs the plan (its period, rule and basic items) and the divisions. */
export class RegisterItem {
  constructor(readonly command: Omit<Extract<ItemCommand, { type: 'RegisterItem' }>, 'planPeriod' | 'gradingRule'>) {}
}

/** Any other command on one item, from ReviseItem to RetireItem. */
export class ChangeItem {
  constructor(
    readonly itemId: string,
    readonly command: Exclude<ItemCommand, { type: 'RegisterItem' }>,
    readonly ifMatch?: number,
  ) {}
}

const ID_NAMESPACE = '0f6f3d0e-5b7a-4c1e-9a55-6f0b1f3a2c10';

/**
 * An id for something a command creates. From the command id when there is
 * one, so a retried command creates the same thing, not a second one.
 */
export function newId(prefix: string): string {
  const commandId = actionContext.current()?.commandId;
  return `${prefix}-${commandId ? uuidv5(commandId, ID_NAMESPACE) : randomUUID()}`;
}

@Injectable()
export class PlanReader {
  constructor(private readonly states: StreamStates) {}

  async plan(planId: string): Promise<PlanState & { version: number }> {
    const { state, version } = await this.states.load(planStreamId(planId), planDecider);
    return { ...state, version };
  }

  /** The plan, refused (404, naming planId) when it was never registered. */
  async registered(planId: string): Promise<PlanState & { version: number }> {
    const plan = await this.plan(planId);
    if (plan.status !== 'active') throw new DomainError('not_found', 'plan.not_found', '計画が見つかりません', 'planId');
    return plan;
  }
}

function requireDivisions(directory: IdentityDirectory, divisionIds: readonly string[]): void {
  const unknown = divisionIds.filter((divisionId) => !findDivision(directory.organization(), divisionId));
  if (unknown.length > 0) {
    throw new DomainError('not_found', 'division.not_found', `課が見つかりません: ${unknown.join(', ')}`, 'divisionIds');
  }
}

@CommandHandler(ChangePlan)
export class ChangePlanHandler implements ICommandHandler<ChangePlan, CommandResult> {
  constructor(private readonly executor: CommandExecutor) {}

  execute({ planId, command, ifMatch }: ChangePlan): Promise<CommandResult> {
    return this.executor.execute(planStreamId(planId), planDecider, command, { expectedVersion: ifMatch });
  }
}

@CommandHandler(RegisterItem)
export class RegisterItemHandler implements ICommandHandler<RegisterItem, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly plans: PlanReader,
    private readonly directory: IdentityDirectory,
  ) {}

  async execute({ command }: RegisterItem): Promise<CommandResult> {
    const plan = await this.plans.registered(command.planId);
    if (!plan.basicItems.some((basicItem) => basicItem.basicItemId === command.basicItemId)) {
      throw new DomainError('not_found', 'basic_item.not_found', '基本項目が見つかりません', 'basicItemId');
    }
    requireDivisions(this.directory, command.divisionIds);
    return this.executor.execute(itemStreamId(command.itemId), itemDecider, {
      ...command,
      planPeriod: { firstFiscalYear: plan.firstFiscalYear, lastFiscalYear: plan.lastFiscalYear },
      gradingRule: plan.gradingRule,
    });
  }
}

@CommandHandler(ChangeItem)
export class ChangeItemHandler implements ICommandHandler<ChangeItem, CommandResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly directory: IdentityDirectory,
  ) {}

  execute({ itemId, command, ifMatch }: ChangeItem): Promise<CommandResult> {
    if (command.type === 'ReviseItem' && command.changes.divisionIds) {
      requireDivisions(this.directory, command.changes.divisionIds);
    }
    return this.executor.execute(itemStreamId(itemId), itemDecider, command, { expectedVersion: ifMatch });
  }
}

export const planCommandHandlers = [ChangePlanHandler, RegisterItemHandler, ChangeItemHandler];
