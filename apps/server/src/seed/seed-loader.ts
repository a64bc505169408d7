import { EventStore } from '@app/event-store';
import { itemStreamId, planStreamId } from '@app/domain';
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { actionContext, runAs } from '../context/request-context';
import { CommandResult } from '../events/command-executor';
import { IdentityCommandBus } from '../identity/identity-command-bus';
import { IdentityDirectory } from '../identity/identity-directory';
import { AddDepartment, AddDivision, CreatedResult } from '../identity/identity.commands';
import { ChangeItem, ChangePlan, RegisterItem } from '../plan/plan.commands';
import type { PlanSeed } from './plan-seed';
import { SeedCommand, seedCommands } from './seed-commands';

/** Who the events of a seed name as their author. */
export const IMPORT_ACTOR = { userId: 'import:seed', role: 'import' };

export interface SeedLoadResult {
  planId: string;
  commands: number;
  /** Events the store gained while loading: 0 when the seed was loaded before. */
  eventsWritten: number;
  divisionsAdded: number;
}

/**
 * Sends a seed's commands through the command bus as the import actor, each
 * with its fixed command id and its business time. Every command is decided
 * in memory first (seedCommands), so a seed the deciders refuse writes nothing.
 */
@Injectable()
export class SeedLoader {
  constructor(
    private readonly commands: CommandBus,
    private readonly identity: IdentityCommandBus,
    private readonly directory: IdentityDirectory,
    private readonly eventStore: EventStore,
  ) {}

  /** Whether every command of the seed is already in the store (its last one is). */
  async isLoaded(seed: PlanSeed): Promise<boolean> {
    const last = seedCommands(seed).commands.at(-1)!;
    const events = await this.eventStore.readStream(streamOf(last));
    return events.some((event) => event.metadata.commandId === last.commandId);
  }

  async load(seed: PlanSeed, onProgress: (done: number, total: number) => void = () => {}): Promise<SeedLoadResult> {
    const { commands } = seedCommands(seed);
    const before = await this.eventStore.headPosition();
    return runAs(
      IMPORT_ACTOR,
      async () => {
        await this.directory.ready();
        const { divisionIds, added } = await this.ensureDivisions(commands);
        for (const [index, command] of commands.entries()) {
          const context = { ...actionContext.current()!, commandId: command.commandId, occurredAt: command.occurredAt };
          await actionContext.run(context, () => this.send(command, divisionIds));
          onProgress(index + 1, commands.length);
        }
        return {
          planId: seed.planId,
          commands: commands.length,
          eventsWritten: (await this.eventStore.headPosition()) - before,
          divisionsAdded: added,
        };
      },
      `seed-${seed.planId}-${randomUUID()}`,
    );
  }

  private send(command: SeedCommand, divisionIds: Map<string, string>): Promise<CommandResult> {
    switch (command.target) {
      case 'plan':
        return this.commands.execute(new ChangePlan(command.planId, command.command));
      case 'register-item': {
        const { planPeriod: _period, gradingRule: _rule, ...registration } = command.command;
        return this.commands.execute(
          new RegisterItem({ ...registration, divisionIds: command.divisions.map((name) => divisionIds.get(name)!) }),
        );
      }
      case 'item':
        return this.commands.execute(new ChangeItem(command.itemId, command.command));
    }
  }

  /**
   * The departments and divisions the items name, found by name or added. "部 課"
   * names both; a single name is the division of that name where exactly one
   * department has one, or else a department with one division of its own name.
   */
  private async ensureDivisions(commands: SeedCommand[]): Promise<{ divisionIds: Map<string, string>; added: number }> {
    const names = [...new Set(commands.flatMap((command) => (command.target === 'register-item' ? command.divisions : [])))];
    const divisionIds = new Map<string, string>();
    let added = 0;
    const ensure = async (departmentName: string, divisionName: string) => {
      let department = this.directory.organization().departments.find((candidate) => candidate.name === departmentName);
      if (!department) {
        const { id } = await this.identity.execute<CreatedResult>(new AddDepartment(departmentName));
        department = this.directory.organization().departments.find((candidate) => candidate.departmentId === id)!;
      }
      const division = department.divisions.find((candidate) => candidate.name === divisionName);
      if (division) return division.divisionId;
      added++;
      return (await this.identity.execute<CreatedResult>(new AddDivision(department.departmentId, divisionName))).id;
    };
    for (const name of names.filter((candidate) => candidate.includes(' '))) {
      const [departmentName, divisionName] = name.split(' ');
      divisionIds.set(name, await ensure(departmentName, divisionName));
    }
    for (const name of names.filter((candidate) => !candidate.includes(' '))) {
      const sameName = this.directory
        .organization()
        .departments.flatMap((department) => department.divisions.filter((division) => division.name === name));
      divisionIds.set(name, sameName.length === 1 ? sameName[0].divisionId : await ensure(name, name));
    }
    return { divisionIds, added };
  }
}

function streamOf(command: SeedCommand): string {
  switch (command.target) {
    case 'plan':
      return planStreamId(command.planId);
    case 'register-item':
      return itemStreamId(command.command.itemId);
    case 'item':
      return itemStreamId(command.itemId);
  }
}
