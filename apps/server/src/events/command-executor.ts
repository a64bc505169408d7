import { Decider, DomainEvent, fold } from '@app/domain';
import { EventStore, WrongExpectedVersionError } from '@app/event-store';
import { Injectable } from '@nestjs/common';
import { actionContext } from '../context/request-context';
import { EventWriter, WriteOptions } from './event-writer';

export interface ExecuteOptions extends WriteOptions {
  /** The version the caller saw (If-Match): a stream that has moved on since is a conflict, not retried. */
  expectedVersion?: number;
}

export interface CommandResult {
  streamId: string;
  /** The stream's version after the command. */
  version: number;
  /** Global position of the last event written; absent when the command changed nothing. */
  position?: number;
}

const RETRIES_ON_CONFLICT = 3;

/** A stream folded to its decider's state, with the events and the version it was read at. */
export async function loadStream<State, Event extends DomainEvent>(
  eventStore: EventStore,
  streamId: string,
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
) {
  const history = await eventStore.readStream(streamId);
  return { history, version: history.length, state: fold(decider, history as unknown as Event[]) };
}

/**
 * A command's way through: read the stream, fold it to state, decide, append
 * expecting the version that was read. A concurrent writer makes the append
 * fail; the command is then decided again on the fresh state, since deciding
 * is pure and cheap — unless the caller pinned the version it saw.
 *
 * A command whose id the stream already holds was handled before (a retry, a
 * replayed import): it gets that earlier result and nothing is written twice.
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
    options: ExecuteOptions = {},
  ): Promise<CommandResult> {
    const commandId = options.commandId ?? actionContext.current()?.commandId;
    for (let attempt = 1; ; attempt++) {
      const loaded = await loadStream(this.eventStore, streamId, decider);
      const { history, version } = loaded;
      let state = loaded.state;
      const earlier = commandId ? history.filter((event) => event.metadata.commandId === commandId).at(-1) : undefined;
      if (earlier) return { streamId, version: earlier.streamVersion, position: earlier.globalPosition };
      if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
        throw new WrongExpectedVersionError(streamId, options.expectedVersion, version);
      }
      const events: Event[] = [];
      for (const command of Array.isArray(commands) ? commands : [commands]) {
        const decided = decider.decide(command, state);
        state = decided.reduce(decider.evolve, state);
        events.push(...decided);
      }
      if (events.length === 0) return { streamId, version };
      try {
        const result = await this.writer.append(streamId, events, version === 0 ? 'no_stream' : version, {
          ...options,
          commandId,
        });
        return { streamId, version: result.nextExpectedVersion, position: result.lastPosition };
      } catch (error) {
        const pinned = options.expectedVersion !== undefined;
        if (!(error instanceof WrongExpectedVersionError) || pinned || attempt >= RETRIES_ON_CONFLICT) throw error;
      }
    }
  }
}
