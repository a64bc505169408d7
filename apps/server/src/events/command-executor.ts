import { Decider, DomainEvent, fold } from '@app/domain';
import { EventStore, WrongExpectedVersionError } from '@app/event-store';
import { Injectable } from '@nestjs/common';
import { EventWriter, WriteOptions } from './event-writer';

export interface CommandResult {
  streamId: string;
  /** The stream's version after the command. */
  version: number;
  /** Global position of the last event written; absent when the command changed nothing. */
  position?: number;
}

const RETRIES_ON_CONFLICT = 3;

/**
 * A command's way through: read the stream, fold it to state, decide, append
 * expecting the version that was read. A concurrent writer makes the append
 * fail; the command is then decided again on the fresh state, since deciding
 * is pure and cheap.
 */
@Injectable()
export class CommandExecutor {
  constructor(
    private readonly eventStore: EventStore,
    private readonly writer: EventWriter,
  ) {}

  /** Several commands on one stream are decided in turn and appended together, atomically. */
  async execute<State, Command, Event extends DomainEvent>(
    streamId: string,
    decider: Decider<State, Command, Event>,
    commands: Command | Command[],
    options: WriteOptions = {},
  ): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      const history = await this.eventStore.readStream(streamId);
      const version = history.length;
      let state = fold(decider, history as unknown as Event[]);
      const events: Event[] = [];
      for (const command of Array.isArray(commands) ? commands : [commands]) {
        const decided = decider.decide(command, state);
        state = decided.reduce(decider.evolve, state);
        events.push(...decided);
      }
      if (events.length === 0) return { streamId, version };
      try {
        const result = await this.writer.append(streamId, events, version === 0 ? 'no_stream' : version, options);
        return { streamId, version: result.nextExpectedVersion, position: result.lastPosition };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= RETRIES_ON_CONFLICT) throw error;
      }
    }
  }
}
