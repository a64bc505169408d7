import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CommandResult } from '../events/command-executor';
import { IdentityDirectory } from './identity-directory';

/**
 * The CommandBus for identity commands, answering only once the directory
 * shows the change: the access guard and the next read see it at once.
 */
@Injectable()
export class IdentityCommandBus {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: IdentityDirectory,
  ) {}

  async execute<Result extends CommandResult>(command: object): Promise<Result> {
    const result: Result = await this.commands.execute(command);
    if (result.position !== undefined) await this.directory.waitFor(result.position);
    return result;
  }
}
