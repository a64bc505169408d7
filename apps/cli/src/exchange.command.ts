import { EventStore } from '@app/event-store';
import { itemsProjection } from '@app/projections';
import { StageKind } from '@app/workflow';
import { HttpException, INestApplicationContext } from '@nestjs/common';
import { SingleBar } from 'cli-progress';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataSource } from 'typeorm';
import { actionContext } from '../../server/src/context/request-context';
import { ActualsImport, ImportIncomplete, ImportRowsInvalid } from '../../server/src/exchange/actuals-import';
import { WorkbookExport } from '../../server/src/exchange/workbook-export';

/** The operator acts as an administrator, who reads every item's drafts. */
const OPERATOR_VIEWER = { seesAllDrafts: true, ownDivisions: [] };
/** How long an export waits for the read model to apply what is stored. */
const CATCH_UP_MS = 30_000;

export interface PlanYear {
  planId: string;
  fiscalYear: number;
}

/**
 * `export items|summaries --plan ube --fy 2020 [--out file.xlsx]`: the same
 * workbooks as GET /api/exports/…, once the read model has applied everything
 * stored when the command started.
 */
export async function exportWorkbook(app: INestApplicationContext, kind: 'items' | 'summaries', { planId, fiscalYear }: PlanYear, out?: string): Promise<number> {
  if (!(await readModelCaughtUp(app))) {
    console.error('エラー: 読み取りモデルが最新のイベントに追いついていません。少し待ってからやり直してください');
    return 1;
  }
  const exports = app.get(WorkbookExport);
  const file = kind === 'items' ? await exports.items(planId, fiscalYear, OPERATOR_VIEWER) : await exports.summaries(planId, fiscalYear);
  const path = out ?? file.fileName;
  await writeFile(path, file.content);
  console.log(`${path} を作成しました`);
  return 0;
}

/**
 * `import actuals --plan ube --fy 2020 --stage spring --file rows.csv`: the
 * department's file as the API's import takes it, as the CLI's operator; every
 * bad row is printed, and a progress bar follows the items being saved.
 */
export async function importActuals(app: INestApplicationContext, request: PlanYear & { stage: StageKind; file: string }): Promise<number> {
  const content = await readFile(request.file);
  const bar = new SingleBar({ format: '実績値の取り込み [{bar}] {percentage}% | {value}/{total} 項目 | 残り {eta_formatted}', hideCursor: true });
  try {
    const result = await app.get(ActualsImport).run(
      {
        ...request,
        fileName: basename(request.file),
        content,
        importer: { userId: actionContext.current()!.actor!.userId },
      },
      (done, total) => (done === 0 ? bar.start(total, 0) : bar.update(done)),
    );
    bar.stop();
    console.log(`${result.fileName}（sha256 ${result.sha256}）: ${result.rows}行を読み、${result.items}項目の下書きに実績値${result.actuals}件を保存しました`);
    if (result.items === 0) console.log('（このファイルは取り込み済みか、下書きと同じ内容のため、何も変わっていません）');
    return 0;
  } catch (error) {
    bar.stop();
    if (!(error instanceof ImportRowsInvalid || error instanceof ImportIncomplete)) throw error;
    console.error(`エラー: ${messageOf(error)}`);
    if (error instanceof ImportRowsInvalid) {
      for (const row of error.errors) console.error(`  ${row.row}行目 ${row.column}: ${row.message} (${row.rule})`);
    }
    return 1;
  }
}

function messageOf(error: HttpException): string {
  return String((error.getResponse() as { message?: unknown }).message ?? error.message);
}

/**
 * Whether the items read model has applied every event stored now. Read from
 * its build's checkpoint rather than this process's runner, which stands by
 * while a running server holds the projection.
 */
async function readModelCaughtUp(app: INestApplicationContext): Promise<boolean> {
  const head = await app.get(EventStore).headPosition();
  const database = app.get(DataSource);
  const deadline = Date.now() + CATCH_UP_MS;
  while (Date.now() < deadline) {
    const [build]: Array<{ position: string }> = await database.query(
      `SELECT position::text AS position FROM projection_builds WHERE name = $1 AND status = 'active'`,
      [itemsProjection.name],
    );
    if (build && Number(build.position) >= head) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
