import {
  ItemState,
  fold,
  formatFiscalYearBoth,
  itemDecider,
  itemStreamId,
  suggestedGrade,
} from '@app/domain';
import { EventStore, ReadStreamOptions } from '@app/event-store';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Request } from 'express';
import { StreamStates } from '../events/stream-states';

/** A moment in an item's life: a timestamp, or a global position of the store. */
export type Moment = { at: Date } | { position: number };

export interface ItemAsOf {
  state: ItemState;
  version: number;
  position: number;
  recordedAt: Date;
}

/** An item as its events tell it now or at any past moment, with the grade the rule suggests for each year. */
@Injectable()
export class ItemReader {
  constructor(
    private readonly eventStore: EventStore,
    private readonly states: StreamStates,
  ) {}

  async state(itemId: string): Promise<ItemState & { version: number }> {
    const { state, version } = await this.states.load(itemStreamId(itemId), itemDecider);
    return { ...state, version };
  }

  /** The item as its events stood at a moment, for auditors; 404 if it did not exist yet. */
  async stateAsOf(itemId: string, moment: Moment): Promise<ItemAsOf> {
    const options: ReadStreamOptions = 'at' in moment ? { asOf: moment.at } : { toPosition: moment.position };
    const events = await this.eventStore.readStream(itemStreamId(itemId), options);
    if (events.length === 0) {
      throw new NotFoundException({ rule: 'item.not_found', message: 'その時点で個別項目は登録されていません' });
    }
    const last = events[events.length - 1];
    return {
      state: fold(itemDecider, events as never),
      version: last.streamVersion,
      position: last.globalPosition,
      recordedAt: last.recordedAt,
    };
  }

  async view(itemId: string) {
    const item = await this.state(itemId);
    if (item.status === 'unregistered') {
      throw new NotFoundException({ rule: 'item.not_found', message: '個別項目が見つかりません' });
    }
    return {
      ...item,
      years: Object.fromEntries(
        Object.entries(item.years).map(([fiscalYear, year]) => [
          fiscalYear,
          { ...year, label: formatFiscalYearBoth(Number(fiscalYear)), suggestedGrade: suggestedGrade(item, Number(fiscalYear)) },
        ]),
      ),
    };
  }
}

/** For the access rules: an item's divisions (none for an unknown item). */
export const itemDivisions = async (request: Request, services: ModuleRef): Promise<string[]> =>
  (await services.get(ItemReader, { strict: false }).state(String(request.params.itemId))).divisionIds;
