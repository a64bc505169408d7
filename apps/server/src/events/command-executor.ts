import { Decider, DomainError, DomainEvent } from '@app/domain';
import { WrongExpectedVersionError } from '@app/event-store';
import { Injectable } from '@nestjs/common';
import { actionContext } from '../context/request-context';
import { EventWriter, WriteOptions } from './event-writer';
import { StreamState, StreamStates } from './stream-states';

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

/**
 * A command's way through: fold the stream to state, decide, append expecting
 * the version folded. The state this process kept from its last look at the
 * stream is tried first; a concurrent writer (here or in another server) makes
 * the append fail, and the command is then decided again on the stream as the
 * store holds it, since deciding is pure and cheap — unless the caller pinned
 * the version it saw. A refusal is only ever given on the store's state.
 *
 * A command whose id the stream already holds was handled before (a retry, a
 * replayed import): it gets that earlier result and nothing is written twice.
 */
@Injectable()
export class CommandExecutor {
  constructor(
    private readonly states: StreamStates,
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
    const pinned = options.expectedVersion !== undefined;
    let kept = this.states.peek(streamId, decider);
    for (let conflicts = 0; ; ) {
      const folded = kept ?? (await this.states.load(streamId, decider));
      try {
        return await this.decideAndAppend(streamId, decider, commands, folded, { ...options, commandId });
      } catch (error) {
        // What this process kept may be behind the store: only the store's state may refuse or conflict for good.
        // Any other failure (the database) is not about the state, and an append it interrupted may have landed.
        if (kept && (error instanceof DomainError || error instanceof WrongExpectedVersionError)) {
          kept = undefined;
          continue;
        }
        if (!(error instanceof WrongExpectedVersionError) || pinned || ++conflicts >= RETRIES_ON_CONFLICT) throw error;
      }
    }
  }

  private async decideAndAppend<State, Command, Event extends DomainEvent>(
    streamId: string,
    decider: Decider<State, Command, Event>,
    commands: Command | Command[],
    folded: StreamState<State>,
    options: ExecuteOptions,
  ): Promise<CommandResult> {
    const { version, commands: handled } = folded;
    const earlier = options.commandId ? handled.get(options.commandId) : undefined;
    if (earlier) return { streamId, ...earlier };
    if (options.expectedVersion !== undefined && options.expectedVersion !== version) {
      throw new WrongExpectedVersionError(streamId, options.expectedVersion, version);
    }
    const events: Event[] = [];
    let state = folded.state;
    for (const command of Array.isArray(commands) ? commands : [commands]) {
      const decided = decider.decide(command, state);
      state = decided.reduce(decider.evolve, state);
      events.push(...decided);
    }
    if (events.length === 0) return { streamId, version };
    const result = await this.writer.append(streamId, events, version === 0 ? 'no_stream' : version, options);
    const outcome = { version: result.nextExpectedVersion, position: result.lastPosition };
    this.states.keep(streamId, decider, {
      state,
      ...outcome,
      commands: options.commandId ? new Map(handled).set(options.commandId, outcome) : handled,
    });
    return { streamId, ...outcome };
  }
}
