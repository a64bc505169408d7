import { Decider, DomainError } from '@app/domain';
import { PostgresEventStore, WrongExpectedVersionError } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { actionContext } from '../context/request-context';
import { CommandExecutor } from './command-executor';
import { EventWriter } from './event-writer';
import { StreamStates } from './stream-states';

type TallyEvent =
  | { type: 'Added'; data: { amount: number } }
  | { type: 'Closed'; data: Record<string, never> }
  | { type: 'Reopened'; data: Record<string, never> };
type TallyCommand = { type: 'Add'; amount: number } | { type: 'Close' } | { type: 'Reopen' };
interface Tally {
  total: number;
  closed: boolean;
}

const tally: Decider<Tally, TallyCommand, TallyEvent> = {
  initialState: () => ({ total: 0, closed: false }),
  decide(command, state) {
    if (command.type === 'Reopen') return state.closed ? [{ type: 'Reopened', data: {} }] : [];
    if (state.closed) throw new DomainError('conflict', 'tally.closed', 'closed');
    return command.type === 'Add' ? [{ type: 'Added', data: { amount: command.amount } }] : [{ type: 'Closed', data: {} }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'Added':
        return { ...state, total: state.total + event.data.amount };
      case 'Closed':
        return { ...state, closed: true };
      case 'Reopened':
        return { ...state, closed: false };
    }
  },
};

/** One server: its own store connection pool, its own kept states. */
function aServer(url: string) {
  const store = new PostgresEventStore({ connectionString: url });
  const states = new StreamStates(store);
  return { store, states, executor: new CommandExecutor(states, new EventWriter(store)) };
}

const asTester = <T>(work: () => Promise<T>, commandId?: string) =>
  actionContext.run({ correlationId: () => 'test', actor: { userId: 'tester', role: 'system' }, commandId }, work);

describe('CommandExecutor across two servers sharing a store', () => {
  let database: TestDatabase;
  let one: ReturnType<typeof aServer>;
  let two: ReturnType<typeof aServer>;
  let streamId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    one = aServer(database.url);
    two = aServer(database.url);
  });
  afterAll(async () => {
    await one?.store.close();
    await two?.store.close();
    await database?.drop();
  });
  beforeEach(() => {
    streamId = `tally-${randomUUID()}`;
  });

  const add = (server: ReturnType<typeof aServer>, amount: number, commandId?: string) =>
    asTester(() => server.executor.execute(streamId, tally, { type: 'Add', amount }), commandId);

  it('decides on the stream as the store holds it when what it kept is behind', async () => {
    await add(one, 1);
    await add(two, 10);
    const result = await add(one, 100);

    expect(result.version).toBe(3);
    expect((await one.states.load(streamId, tally)).state.total).toBe(111);
    expect((await one.store.readStream(streamId)).map((event) => event.data)).toEqual([{ amount: 1 }, { amount: 10 }, { amount: 100 }]);
  });

  it('refuses only on the store’s state, and then for good', async () => {
    await add(one, 1);
    await asTester(() => two.executor.execute(streamId, tally, { type: 'Close' }));

    await expect(add(one, 5)).rejects.toMatchObject({ rule: 'tally.closed' });
    expect(await one.store.readStream(streamId)).toHaveLength(2);
  });

  it('does not refuse on what it kept when the store has moved on', async () => {
    await asTester(() => one.executor.execute(streamId, tally, { type: 'Close' }));
    await asTester(() => two.executor.execute(streamId, tally, { type: 'Reopen' }));

    await expect(add(one, 3)).resolves.toMatchObject({ version: 3 });
    expect((await two.states.load(streamId, tally)).state).toEqual({ total: 3, closed: false });
  });

  it('gives a command sent again the earlier result, even when the other server handled it', async () => {
    const commandId = randomUUID();
    await add(one, 1);
    const first = await add(two, 10, commandId);
    const again = await add(one, 10, commandId);

    expect(again).toEqual(first);
    expect(await one.store.readStream(streamId)).toHaveLength(2);
  });

  it('does not try again after a failure of the database: the append it interrupted may have landed', async () => {
    await add(one, 1);
    const append = jest.fn().mockRejectedValue(new Error('connection lost'));
    const executor = new CommandExecutor(one.states, { append } as unknown as EventWriter);

    await expect(asTester(() => executor.execute(streamId, tally, { type: 'Add', amount: 2 }))).rejects.toThrow('connection lost');
    expect(append).toHaveBeenCalledTimes(1);
  });

  it('keeps a pinned version (If-Match) a conflict when the stream has moved on elsewhere', async () => {
    await add(one, 1);
    await add(two, 10);

    await expect(asTester(() => one.executor.execute(streamId, tally, { type: 'Add', amount: 5 }, { expectedVersion: 1 }))).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await expect(asTester(() => one.executor.execute(streamId, tally, { type: 'Add', amount: 5 }, { expectedVersion: 2 }))).resolves.toMatchObject({
      version: 3,
    });
  });
});
