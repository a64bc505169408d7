import { PostgresEventStore } from '@app/event-store';
import { SingleBar } from 'cli-progress';
import { writeFile } from 'node:fs/promises';
import { buildAchievementReport, ReportMoment } from '../../server/src/report/achievement-report';
import { renderAchievementReport } from '../../server/src/report/report-html';
import { renderAchievementPdf } from '../../server/src/report/report-pdf';

export interface ReportOptions {
  plan: string;
  fiscalYear: number;
  asOf?: string;
  position?: number;
  format: 'html' | 'pdf';
  out?: string;
  chromiumPath: string;
}

/**
 * `report --plan ube --fy 2020 [--as-of 2021-06-30 | --position N] --format pdf [--out file]`:
 * straight from the store, with a progress bar while the events are read.
 */
export async function runReportCommand(options: ReportOptions, databaseUrl: string): Promise<number> {
  const eventStore = new PostgresEventStore({ connectionString: databaseUrl });
  const bar = new SingleBar({ format: 'イベントを読み込み中 [{bar}] {percentage}% | 位置 {value}/{total} | 残り {eta_formatted}', hideCursor: true });
  try {
    const moment: ReportMoment = options.asOf ? { date: options.asOf } : options.position !== undefined ? { position: options.position } : {};
    bar.start(1, 0);
    const report = await buildAchievementReport(eventStore, options.plan, options.fiscalYear, moment, (position, head) => {
      bar.setTotal(head);
      bar.update(position);
    });
    bar.stop();
    if (!report) {
      console.error(`エラー: 計画 ${options.plan} はその時点で登録されていません`);
      return 1;
    }
    const out = options.out ?? `achievement-${options.plan}-${options.fiscalYear}${options.asOf ? `-as-of-${options.asOf}` : ''}.${options.format}`;
    const content = options.format === 'pdf' ? await renderAchievementPdf(report, options.chromiumPath) : renderAchievementReport(report);
    await writeFile(out, content);
    console.log(`${out} を作成しました（イベント位置 ${report.position} まで、ルートハッシュ ${report.rootHash}）`);
    return 0;
  } finally {
    bar.stop();
    await eventStore.close();
  }
}
