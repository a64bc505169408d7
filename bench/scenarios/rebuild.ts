import { PostgresEventStore } from '@app/event-store';
import { SingleBar } from 'cli-progress';
import { generateCities } from '../support/city-generator';
import { BenchDatabase } from '../support/database';
import { startBuiltApp } from '../support/server';

export interface RebuildRun {
  eventsPerSecond: number;
  peakRssBytes: number;
}

/** Events per append while filling the store: one item's years at a time, as an import would. */
const FILL_BATCH = 1000;

/** Fills a migrated database with at least `events` generated events; returns how many. */
export async function fillStore(database: BenchDatabase, events: number, seed: number): Promise<number> {
  const store = new PostgresEventStore({ connectionString: database.url });
  const bar = new SingleBar({ format: '  イベント生成 [{bar}] {value}/{total}', hideCursor: true });
  bar.start(events, 0);
  let written = 0;
  try {
    for (const stream of generateCities({ cities: Math.ceil(events / 5_600), itemsPerCity: 100, fiscalYears: 10, seed })) {
      for (let start = 0; start < stream.events.length; start += FILL_BATCH) {
        await store.appendToStream(stream.streamId, stream.events.slice(start, start + FILL_BATCH), { expectedVersion: 'any' });
      }
      written += stream.events.length;
      bar.update(Math.min(written, events));
      if (written >= events) break;
    }
  } finally {
    bar.stop();
    await store.close();
  }
  return written;
}

/** The product's own rebuild: `cli projections rebuild items`, from dist/, timed from start to exit. */
export async function rebuildItems(database: BenchDatabase, events: number): Promise<RebuildRun> {
  const started = performance.now();
  const cli = startBuiltApp('cli', ['projections', 'rebuild', 'items'], { DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
  let peakRssBytes = 0;
  const sampling = setInterval(() => {
    cli.peakRss().then((rss) => (peakRssBytes = Math.max(peakRssBytes, rss)), () => undefined);
  }, 100);
  const code = await cli.exited;
  clearInterval(sampling);
  if (code !== 0) throw new Error(`projections rebuild exited with ${code}:\n${cli.output()}`);
  return { eventsPerSecond: events / ((performance.now() - started) / 1000), peakRssBytes };
}

/** The ceiling: every event read once through the store's readAll, pages as large as the rebuild's. */
export async function readEverything(database: BenchDatabase, pageSize: number): Promise<number> {
  const store = new PostgresEventStore({ connectionString: database.url });
  try {
    const started = performance.now();
    let events = 0;
    for (let from = 0; ; ) {
      const page = await store.readAll({ fromPosition: from, limit: pageSize });
      events += page.length;
      if (page.length < pageSize) break;
      from = page[page.length - 1].globalPosition + 1;
    }
    return events / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}
