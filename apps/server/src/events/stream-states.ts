import { Decider, DomainEvent } from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import { Injectable } from '@nestjs/common';

type Folding<State, Event extends DomainEvent> = Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>;

/** Where a command left its stream: the version after its last event, and that event's global position. */
export interface CommandOutcome {
  version: number;
  position: number;
}

/** A stream folded to its decider's state, as of `version`. */
export interface StreamState<State> {
  state: State;
  version: number;
  /** The global position of the stream's last event (0 for an empty stream). */
  position: number;
  /** The commands the stream holds events of: a command sent again gets its earlier outcome. */
  commands: ReadonlyMap<string, CommandOutcome>;
}

interface Entry {
  decider: Folding<unknown, DomainEvent>;
  folded: StreamState<unknown>;
}

/** Streams kept folded; the least recently used go first. */
const KEPT_STREAMS = 2_000;

/**
 * Streams folded to their deciders' state, kept between requests so that a
 * command reads only the events its stream gained since (usually none), not
 * the whole stream again. States are immutable: evolve returns new objects.
 */
@Injectable()
export class StreamStates {
  private readonly kept = new Map<string, Entry>();

  constructor(private readonly eventStore: EventStore) {}

  /** The stream as the store holds it now. */
  async load<State, Event extends DomainEvent>(streamId: string, decider: Folding<State, Event>): Promise<StreamState<State>> {
    const known = this.peek(streamId, decider);
    const fresh = await this.eventStore.readStream(streamId, known ? { fromVersion: known.version + 1 } : {});
    if (known && fresh.length === 0) return known;
    const folded = extend(known ?? { state: decider.initialState(), version: 0, position: 0, commands: new Map() }, decider, fresh);
    this.keep(streamId, decider, folded);
    return folded;
  }

  /**
   * The stream as this process last saw it, without asking the store: it may
   * have moved on since (another server appended), which an append expecting
   * this version finds out.
   */
  peek<State, Event extends DomainEvent>(streamId: string, decider: Folding<State, Event>): StreamState<State> | undefined {
    const entry = this.kept.get(streamId);
    if (!entry || entry.decider !== decider) return undefined;
    this.kept.delete(streamId);
    this.kept.set(streamId, entry);
    return entry.folded as StreamState<State>;
  }

  /** What an append by this process made of the stream. */
  keep<State, Event extends DomainEvent>(streamId: string, decider: Folding<State, Event>, folded: StreamState<State>): void {
    this.kept.delete(streamId);
    this.kept.set(streamId, { decider: decider as Folding<unknown, DomainEvent>, folded });
    if (this.kept.size > KEPT_STREAMS) this.kept.delete(this.kept.keys().next().value!);
  }
}

function extend<State, Event extends DomainEvent>(
  from: StreamState<State>,
  decider: Folding<State, Event>,
  events: readonly RecordedEvent[],
): StreamState<State> {
  const commands = new Map(from.commands);
  let state = from.state;
  for (const event of events) {
    state = decider.evolve(state, event as unknown as Event);
    if (event.metadata.commandId) commands.set(event.metadata.commandId, { version: event.streamVersion, position: event.globalPosition });
  }
  const last = events.at(-1);
  return { state, version: last?.streamVersion ?? from.version, position: last?.globalPosition ?? from.position, commands };
}
