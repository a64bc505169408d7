import { execSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { APPEND_CLIENTS, Appender, emmettAppend, measure, ourAppend, rawInsert } from './scenarios/append';
import { askAuditQuestions, growItem } from './scenarios/audit';
import { HttpRun, prepareSubmissions, submitActuals } from './scenarios/http';
import { VISIBILITY_POLL_MS, measureLag } from './scenarios/lag';
import { fillStore, readEverything, rebuildItems } from './scenarios/rebuild';
import { MeteredWindow, NodeProcess, microsecondsPer, startCpuMeter } from './support/cpu';
import { BenchCluster, startBenchCluster } from './support/database';
import { projectionsCaughtUp, startBenchServer } from './support/server';
import { Spread, spread } from './support/stats';

/**
 * `npm run bench`: every scenario of docs/benchmarks, each after a warm-up and
 * repeated (BENCH_REPEATS, at least 5), contenders interleaved within a repeat
 * so that a slow moment of the machine hits all of them alike. Writes
 * bench/results/latest.json and latest.md. `npm run bench -- append http` runs
 * only the scenarios named.
 */
const REPEATS = Math.max(5, Number(process.env.BENCH_REPEATS ?? 5));
/** BENCH_SMOKE=1: every scenario at a small size, to check the harness itself; its numbers mean nothing. */
const SMOKE = process.env.BENCH_SMOKE === '1';
const APPEND_WINDOW_MS = SMOKE ? 500 : 5_000;
const HTTP_SECONDS = SMOKE ? 2 : 10;
// Item numbers run 1–999 within a plan.
const HTTP_ITEMS = SMOKE ? 50 : 900;
const REBUILD_EVENTS = SMOKE ? 20_000 : 1_000_000;
const REBUILD_PAGE = 1_000;
const LAG_RATE = 500;
/** Share of LAG_RATE the acknowledgements must reach (median of the windows) for the lag to count as measured at that rate. */
const LAG_RATE_HELD = 0.95;
const LAG_MS = SMOKE ? 3_000 : 60_000;
const AUDIT_EVENTS = SMOKE ? 50 : 1_000;
const AUDIT_REQUESTS = SMOKE ? 20 : 200;

interface Row {
  scenario: string;
  measure: string;
  unit: string;
  values: number[];
  spread: Spread;
}

interface Check {
  target: string;
  measured: string;
  met: boolean;
}

const rows: Row[] = [];
const checks: Check[] = [];
const notes: string[] = [];

function record(scenario: string, measureName: string, unit: string, values: number[]): Spread {
  const summary = spread(values);
  rows.push({ scenario, measure: measureName, unit, values, spread: summary });
  return summary;
}

function check(target: string, measured: string, met: boolean): void {
  checks.push({ target, measured, met });
  console.log(`  ${met ? '達成' : '未達'}: ${target} — ${measured}`);
}

/**
 * Runs one measured window with the CPU meter on, and keeps its CPU per unit of
 * work (`units` of the result) for recordCpu.
 */
async function metered<T>(
  cluster: BenchCluster,
  node: NodeProcess,
  uses: MeteredWindow[],
  window: () => Promise<T>,
  units: (result: T, wallMs: number) => number,
): Promise<T> {
  const meter = startCpuMeter(node, cluster.postmasterPid);
  const result = await window();
  const use = meter.stop();
  uses.push({ use, units: units(result, use.wallMs) });
  return result;
}

/**
 * Beside a contender's throughput, the CPU each unit of its work cost: in its
 * Node process, and in PostgreSQL. Returns the median of their sum, where
 * PostgreSQL's could be read.
 */
function recordCpu(scenario: string, contender: string, nodeProcess: string, unit: string, uses: MeteredWindow[]): number | undefined {
  record(scenario, `${contender}: CPU in ${nodeProcess}`, `µs/${unit}`, uses.map(({ use, units }) => microsecondsPer(use.nodeMs, units)));
  const postgres = uses.flatMap(({ use, units }) => (use.postgresMs === undefined ? [] : [microsecondsPer(use.postgresMs, units)]));
  if (postgres.length === 0) return undefined;
  record(scenario, `${contender}: CPU in PostgreSQL`, `µs/${unit}`, postgres);
  return spread(uses.map(({ use, units }) => microsecondsPer(use.nodeMs + use.postgresMs!, units))).median;
}

/**
 * A measured ratio, and beside it the ratio the two sides' CPU per unit allows:
 * where both keep as much of the machine's cores busy, their rates go as the
 * inverse of their CPU per unit, so a ratio near that ceiling is bound by CPU,
 * not by waiting.
 */
function ratioBesideCpu(ratio: number, baselineCpu: number | undefined, oursCpu: number | undefined): string {
  return baselineCpu && oursCpu ? `${percent(ratio)} (CPU per unit allows ≈${percent(baselineCpu / oursCpu)})` : percent(ratio);
}

/** Events or requests done in a window, from its rate. */
const unitsAt = (perSecond: number, wallMs: number) => (perSecond * wallMs) / 1000;

const percent = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;
const mib = (bytes: number) => bytes / 1024 / 1024;

/** A server's high-water mark of resident memory (VmHWM) over the scenarios it served. */
interface ServerPeak {
  measure: string;
  bytes: number;
}

interface AppendResults {
  raw: Spread;
  ours: Spread;
  emmett: Spread;
  /** Medians of Node + PostgreSQL CPU per event, where measurable. */
  cpu: { raw?: number; ours?: number; emmett?: number };
}

async function appendScenarios(cluster: BenchCluster, eventsPerCall: number): Promise<AppendResults> {
  const label = eventsPerCall === 1 ? '1. 追記 (1件/トランザクション, 8並列)' : `2. 一括追記 (${eventsPerCall}件/呼び出し, 8並列)`;
  console.log(label);
  const contenders: Appender[] = [
    await rawInsert(cluster, eventsPerCall),
    await ourAppend(cluster, eventsPerCall),
    await emmettAppend(cluster, eventsPerCall),
  ];
  const values = new Map<Appender, number[]>(contenders.map((contender) => [contender, []]));
  const cpu = new Map<Appender, MeteredWindow[]>(contenders.map((contender) => [contender, []]));
  await cluster.checkpoint();
  try {
    for (const contender of contenders) await measure(contender, 2_000);
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      for (const contender of contenders) {
        values.get(contender)!.push(await metered(cluster, 'self', cpu.get(contender)!, () => measure(contender, APPEND_WINDOW_MS), unitsAt));
      }
      console.log(`  ${repeat}/${REPEATS}: ${contenders.map((c) => `${c.name} ${Math.round(values.get(c)!.at(-1)!)}`).join(', ')}`);
    }
  } finally {
    for (const contender of contenders) await contender.close();
  }
  const [raw, ours, emmett] = contenders.map((contender) => record(label, contender.name, 'events/s', values.get(contender)!));
  const [rawCpu, oursCpu, emmettCpu] = contenders.map((contender) => recordCpu(label, contender.name, 'the bench process', 'event', cpu.get(contender)!));
  return { raw, ours, emmett, cpu: { raw: rawCpu, ours: oursCpu, emmett: emmettCpu } };
}

/**
 * The items read model rebuilt from 1M events twice over: by the CLI alone, and
 * by a server's projection worker (as a deploy of a new projection version has
 * it done), each beside a raw readAll of the same events. Returns the server's
 * peak RSS over its rebuilds.
 */
async function rebuildScenario(cluster: BenchCluster): Promise<ServerPeak> {
  const label = `4. 投影の再構築 (${REBUILD_EVENTS.toLocaleString('en')}イベント, 約100項目×10年度の市)`;
  console.log(label);
  const database = await cluster.createDatabase({ migrate: true });
  const events = await fillStore(database, REBUILD_EVENTS, 2026);
  await cluster.checkpoint();
  await readEverything(database, REBUILD_PAGE);
  const readAll: number[] = [];
  const rebuild: number[] = [];
  const rss: number[] = [];
  const readAllCpu: MeteredWindow[] = [];
  const rebuildCpu: MeteredWindow[] = [];
  for (let repeat = 1; repeat <= REPEATS; repeat++) {
    readAll.push(await metered(cluster, 'self', readAllCpu, () => readEverything(database, REBUILD_PAGE), () => events));
    // The CLI's CPU is counted once it has exited and been waited for: the bench's ended children.
    const run = await metered(cluster, 'ended children', rebuildCpu, () => rebuildItems(database, events), () => events);
    rebuild.push(run.eventsPerSecond);
    rss.push(mib(run.peakRssBytes));
    console.log(`  ${repeat}/${REPEATS}: readAll ${Math.round(readAll.at(-1)!)} events/s, rebuild ${Math.round(run.eventsPerSecond)} events/s, peak RSS ${mib(run.peakRssBytes).toFixed(0)} MiB`);
  }

  // With a server holding the projection, `cli projections rebuild items` asks for the build and follows the server's worker through it.
  const server = await startBenchServer(database.url);
  const serverRebuild: number[] = [];
  const serverCpu: MeteredWindow[] = [];
  let serverPeak: number;
  try {
    console.log('  サーバーの読み取りモデル（全件の初回構築）を待っています…');
    await projectionsCaughtUp(server);
    for (let repeat = 1; repeat <= REPEATS; repeat++) {
      const run = await metered(cluster, server.child.pid!, serverCpu, () => rebuildItems(database, events), () => events);
      serverRebuild.push(run.eventsPerSecond);
      console.log(`  ${repeat}/${REPEATS}: rebuild in the server ${Math.round(run.eventsPerSecond)} events/s, server peak RSS ${mib(await server.peakRss()).toFixed(0)} MiB`);
    }
  } finally {
    serverPeak = await server.peakRss();
    await server.stop();
  }

  const raw = record(label, 'raw readAll', 'events/s', readAll);
  const ours = record(label, 'items + summaries rebuild (CLI)', 'events/s', rebuild);
  const inServer = record(label, 'items + summaries rebuild (server, projection worker)', 'events/s', serverRebuild);
  const peak = record(label, 'peak RSS of the rebuilding CLI', 'MiB', rss);
  const readAllCpuPerEvent = recordCpu(label, 'raw readAll', 'the bench process', 'event', readAllCpu);
  const cliCpuPerEvent = recordCpu(label, 'rebuild (CLI)', 'the CLI', 'event', rebuildCpu);
  const serverCpuPerEvent = recordCpu(label, 'rebuild (server)', 'the server', 'event', serverCpu);
  check('rebuild by the CLI ≥ 50% of raw readAll', ratioBesideCpu(ours.median / raw.median, readAllCpuPerEvent, cliCpuPerEvent), ours.median >= 0.5 * raw.median);
  check('rebuild by the server ≥ 50% of raw readAll', ratioBesideCpu(inServer.median / raw.median, readAllCpuPerEvent, serverCpuPerEvent), inServer.median >= 0.5 * raw.median);
  check('CLI RSS < 512 MiB during the rebuild', `${peak.max.toFixed(0)} MiB`, peak.max < 512);
  return { measure: 'server peak RSS over its first build and the rebuilds of 4', bytes: serverPeak };
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wanted = (name: string) => only.length === 0 || only.includes(name);
  const cluster = await startBenchCluster((message) => console.log(`  ${message}`));
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    commit: execSync('git rev-parse --short HEAD').toString().trim(),
    postgres: cluster.settings,
    appendClients: APPEND_CLIENTS,
    repeats: REPEATS,
  };
  console.log(`PostgreSQL ${cluster.settings.server_version}, ${machine.cpus} cores, ${REPEATS} repeats`);
  let rawSingle: { rate: Spread; cpu?: number } | undefined;
  /** The server's high-water marks: over the HTTP scenarios, and over the rebuilds it ran. */
  const serverPeaks: ServerPeak[] = [];
  try {
    if (wanted('append')) {
      const { raw, ours, emmett, cpu } = await appendScenarios(cluster, 1);
      rawSingle = { rate: raw, cpu: cpu.raw };
      check('appendToStream ≥ 70% of raw single-row INSERT', ratioBesideCpu(ours.median / raw.median, cpu.raw, cpu.ours), ours.median >= 0.7 * raw.median);
      check('appendToStream ≥ 2× Emmett', `${(ours.median / emmett.median).toFixed(2)}×`, ours.median >= 2 * emmett.median);
    }
    if (wanted('batch')) {
      const { raw, ours, cpu } = await appendScenarios(cluster, 100);
      check('batch append ≥ 60% of raw multi-row INSERT', ratioBesideCpu(ours.median / raw.median, cpu.raw, cpu.ours), ours.median >= 0.6 * raw.median);
    }
    if (wanted('http') || wanted('lag') || wanted('audit')) {
      const database = await cluster.createDatabase();
      const server = await startBenchServer(database.url);
      try {
        console.log(`  ${HTTP_ITEMS} items set up through the API…`);
        const target = await prepareSubmissions(server, HTTP_ITEMS);
        await cluster.checkpoint();
        if (wanted('http')) {
          for (const connections of [16, 64]) {
            const label = `3. HTTP SubmitActual (autocannon ${connections}接続)`;
            console.log(label);
            await submitActuals(target, connections, 3);
            const runs: HttpRun[] = [];
            const cpu: MeteredWindow[] = [];
            for (let repeat = 1; repeat <= REPEATS; repeat++) {
              runs.push(await metered(cluster, server.child.pid!, cpu, () => submitActuals(target, connections, HTTP_SECONDS), (run) => run.requests));
              const run = runs.at(-1)!;
              console.log(`  ${repeat}/${REPEATS}: ${Math.round(run.requestsPerSecond)} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, ${JSON.stringify(run.statuses)}, errors ${run.errors}`);
            }
            const rps = record(label, 'requests/s', 'req/s', runs.map((run) => run.requestsPerSecond));
            record(label, 'p50', 'ms', runs.map((run) => run.p50Ms));
            const p99 = record(label, 'p99', 'ms', runs.map((run) => run.p99Ms));
            const cpuPerRequest = recordCpu(label, 'SubmitActual', 'the server', 'request', cpu);
            const answers = (matches: (status: number) => boolean) =>
              runs.reduce((sum, run) => sum + Object.entries(run.statuses).reduce((s, [status, count]) => s + (matches(Number(status)) ? count : 0), 0), 0);
            const serverErrors = answers((status) => status >= 500) + runs.reduce((sum, run) => sum + run.errors, 0);
            const unexpected = answers((status) => status !== 200 && status !== 409);
            const conflicts = answers((status) => status === 409);
            notes.push(`HTTP ${connections}接続: 409 (同じ項目への同時コマンド) ${conflicts}件、その他の非200 ${unexpected}件、5xx/接続エラー ${serverErrors}件`);
            check(`HTTP ${connections}接続: no 5xx, no errors but 409`, `${serverErrors} 5xx/errors, ${unexpected} other`, serverErrors === 0 && unexpected === 0);
            if (connections === 64) {
              check('HTTP p99 < 100 ms at 64 connections', `${p99.median.toFixed(1)} ms`, p99.median < 100);
              if (rawSingle) {
                check(
                  'HTTP ≥ 50% of raw single-row INSERT at 64 connections',
                  ratioBesideCpu(rps.median / rawSingle.rate.median, rawSingle.cpu, cpuPerRequest),
                  rps.median >= 0.5 * rawSingle.rate.median,
                );
              }
            }
          }
        }
        if (wanted('lag')) {
          const label = `5. 反映遅延 (${LAG_RATE}コマンド/秒 × ${LAG_MS / 1000}秒)`;
          console.log(label);
          await cluster.checkpoint();
          await measureLag(target, database.url, LAG_RATE, 5_000);
          const runs = [];
          for (let repeat = 1; repeat <= REPEATS; repeat++) {
            runs.push(await measureLag(target, database.url, LAG_RATE, LAG_MS));
            const run = runs.at(-1)!;
            console.log(`  ${repeat}/${REPEATS}: ${Math.round(run.achievedPerSecond)} cmd/s, p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, 409 ${run.refused}, failed ${run.failed}`);
          }
          const achieved = record(label, 'commands acknowledged/s', 'cmd/s', runs.map((run) => run.achievedPerSecond));
          record(label, 'p50', 'ms', runs.map((run) => run.p50Ms));
          const p99 = record(label, 'p99', 'ms', runs.map((run) => run.p99Ms));
          notes.push(`反映遅延は projection_builds の位置を ${VISIBILITY_POLL_MS} ms ごとに読んで測定（分解能 ${VISIBILITY_POLL_MS} ms）。失敗 ${runs.reduce((s, r) => s + r.failed, 0)}件、409 ${runs.reduce((s, r) => s + r.refused, 0)}件`);
          // A lag measured at a rate the server could not keep up with is not the lag at that rate.
          const atRate = achieved.median >= LAG_RATE_HELD * LAG_RATE;
          check(
            `live lag p99 < 200 ms at ${LAG_RATE} commands/s`,
            `${p99.median.toFixed(1)} ms at ${Math.round(achieved.median)} commands/s acknowledged${atRate ? '' : ` (below ${percent(LAG_RATE_HELD)} of the rate asked)`}`,
            atRate && p99.median < 200,
          );
        }
        if (wanted('audit')) {
          const label = `6. 監査 (イベント${AUDIT_EVENTS}件の項目, API)`;
          console.log(label);
          const itemId = target.itemIds[target.itemIds.length - 1];
          const last = await growItem(target, itemId, AUDIT_EVENTS);
          await cluster.checkpoint();
          await askAuditQuestions(server, itemId, last - AUDIT_EVENTS / 2, 20);
          const runs = [];
          for (let repeat = 1; repeat <= REPEATS; repeat++) {
            runs.push(await askAuditQuestions(server, itemId, last - AUDIT_EVENTS / 2, AUDIT_REQUESTS));
            const run = runs.at(-1)!;
            console.log(`  ${repeat}/${REPEATS}: history p50 ${run.historyP50Ms.toFixed(1)} / p99 ${run.historyP99Ms.toFixed(1)} ms, as-of p50 ${run.asOfP50Ms.toFixed(1)} / p99 ${run.asOfP99Ms.toFixed(1)} ms`);
          }
          record(label, 'history p50', 'ms', runs.map((run) => run.historyP50Ms));
          const historyP99 = record(label, 'history p99', 'ms', runs.map((run) => run.historyP99Ms));
          record(label, 'as-of p50', 'ms', runs.map((run) => run.asOfP50Ms));
          const asOfP99 = record(label, 'as-of p99', 'ms', runs.map((run) => run.asOfP99Ms));
          check('audit history p99 < 50 ms', `${historyP99.median.toFixed(1)} ms`, historyP99.median < 50);
          check('audit as-of p99 < 50 ms', `${asOfP99.median.toFixed(1)} ms`, asOfP99.median < 50);
        }
      } finally {
        // The high-water mark of the whole life of the server: every HTTP scenario run above.
        serverPeaks.push({ measure: 'server peak RSS over 3, 5, 6 (those run)', bytes: await server.peakRss() });
        await server.stop();
      }
    }
    if (wanted('rebuild')) serverPeaks.push(await rebuildScenario(cluster));
    for (const peak of serverPeaks) record('7. メモリ', peak.measure, 'MiB', [mib(peak.bytes)]);
    if (serverPeaks.length > 0) {
      const highest = Math.max(...serverPeaks.map((peak) => mib(peak.bytes)));
      check('server RSS < 512 MiB (HTTP scenarios and rebuild)', `${highest.toFixed(0)} MiB`, highest < 512);
    }
  } finally {
    await cluster.stop();
  }
  await writeResults(machine);
}

async function writeResults(machine: Record<string, unknown>): Promise<void> {
  const folder = join(__dirname, SMOKE ? 'results/smoke' : 'results');
  await mkdir(folder, { recursive: true });
  const at = new Date().toISOString();
  await writeFile(join(folder, 'latest.json'), JSON.stringify({ at, machine, rows, checks, notes }, null, 2) + '\n');
  const format = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(1));
  const lines = [
    `# Benchmark results (${at})`,
    '',
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.commit}; ` +
      `PostgreSQL ${JSON.stringify(machine.postgres)}; ${machine.repeats} repeats after a warm-up.`,
    '',
    '| Scenario | Measure | Median | Min | Max | Unit |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map((row) => `| ${row.scenario} | ${row.measure} | ${format(row.spread.median)} | ${format(row.spread.min)} | ${format(row.spread.max)} | ${row.unit} |`),
    '',
    '| Target | Measured (median) | Met |',
    '|---|---|---|',
    ...checks.map((item) => `| ${item.target} | ${item.measured} | ${item.met ? 'yes' : '**no**'} |`),
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ];
  await writeFile(join(folder, 'latest.md'), lines.join('\n'));
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
