import {
  ItemState,
  fold,
  formatFiscalYearBoth,
  itemDecider,
  itemStreamId,
  suggestedGrade,
} from '@app/domain';
import { EventStore } from '@app/event-store';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { Request } from 'express';
import { loadStream } from '../events/command-executor';

/** An item as its events tell it now, with the grade the rule suggests for each year. */
@Injectable()
export class ItemReader {
  constructor(private readonly eventStore: EventStore) {}

  async state(itemId: string): Promise<ItemState & { version: number }> {
    const { state, version } = await loadStream(this.eventStore, itemStreamId(itemId), itemDecider);
    return { ...state, version };
  }

  /** The item as its events stood at a moment, for auditors; 404 if it did not exist yet. */
  async stateAsOf(itemId: string, at: Date): Promise<ItemState> {
    const events = await this.eventStore.readStream(itemStreamId(itemId), { asOf: at });
    const item = fold(itemDecider, events as never);
    if (item.status === 'unregistered') {
      throw new NotFoundException({ rule: 'item.not_found', message: 'その時点で個別項目は登録されていません' });
    }
    return item;
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
