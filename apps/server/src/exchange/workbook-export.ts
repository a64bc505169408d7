import { GRADE_LABELS, GRADES, Grade, formatFiscalYear } from '@app/domain';
import { STATUS_LABELS } from '@app/projections';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Workbook, Worksheet } from 'exceljs';
import { IdentityDirectory } from '../identity/identity-directory';
import { PlanReader } from '../plan/plan.commands';
import { ListItemsQueryDto, SUMMARY_DIMENSIONS } from '../read/read.dto';
import { GetSummary, GetSummaryHandler, ListItems, ListItemsHandler, divisionLabels } from '../read/read.queries';
import { Viewer } from '../read/viewer';

/** A workbook ready to send: its bytes and its name, in Japanese and as an ASCII fallback. */
export interface ExportedFile {
  fileName: string;
  asciiFileName: string;
  content: Buffer;
}

interface Column {
  header: string;
  width: number;
  /** Excel's number format for the whole column; cells may set their own. */
  numFmt?: string;
  wrap?: true;
}

/** A row of the item table as ListItems gives it to this viewer. */
type ItemRow = Awaited<ReturnType<ListItemsHandler['execute']>>['items'][number];

const COUNT = '#,##0';
const RATE = '0.0%';
/** The query's largest page: the export reads every page. */
const PAGE = 200;

const SUMMARY_SHEETS: Record<(typeof SUMMARY_DIMENSIONS)[number], { sheet: string; group: string }> = {
  policy_area: { sheet: '取組方針別', group: '取組方針' },
  basic_item: { sheet: '基本項目別', group: '基本項目' },
  division: { sheet: '担当課別', group: '担当課' },
};

/**
 * The item table and the summaries as Excel workbooks, from the same queries
 * the API answers (ListItems with the viewer's draft redaction, GetSummary), so
 * a spreadsheet never shows more than the screen does.
 */
@Injectable()
export class WorkbookExport {
  constructor(
    private readonly queries: QueryBus,
    private readonly plans: PlanReader,
    private readonly directory: IdentityDirectory,
  ) {}

  async items(planId: string, fiscalYear: number, viewer: Viewer): Promise<ExportedFile> {
    const plan = await this.plans.registered(planId);
    const rows = await this.allItems(planId, fiscalYear, viewer);
    const divisions = divisionLabels(this.directory);
    const workbook = newWorkbook();
    const sheet = table(workbook, '個別項目一覧', [
      { header: '番号', width: 8 },
      { header: '個別項目ID', width: 14 },
      { header: '個別項目', width: 40, wrap: true },
      { header: '担当課', width: 26, wrap: true },
      { header: '指標ID', width: 12 },
      { header: '指標', width: 34, wrap: true },
      { header: '単位', width: 8 },
      { header: '目標値', width: 12 },
      { header: '実績値', width: 12 },
      { header: '達成率', width: 10, numFmt: RATE },
      { header: '算定評価', width: 10 },
      { header: '承認評価', width: 10 },
      { header: '審査状況', width: 10 },
      { header: '備考', width: 34, wrap: true },
    ]);
    for (const item of rows) {
      const common = [
        item.planOrder.slice(1).join('-'),
        item.itemId,
        item.title,
        item.divisionIds.map((divisionId) => divisions.get(divisionId) ?? divisionId).join('、'),
      ];
      const grades = [gradeLabel(item.computedGrade), gradeLabel(item.approvedGrade), STATUS_LABELS[item.reviewState] ?? item.reviewState];
      const note = item.redacted ? '承認前のため、実績値・達成率・評価は表示していません' : null;
      // One line per indicator, so that each figure sits in a cell of its own; an item graded by judgement gets one line.
      const indicators = item.indicators.length > 0 ? item.indicators : [undefined];
      for (const indicator of indicators) {
        const row = sheet.addRow([
          ...common,
          indicator?.indicatorId ?? null,
          indicator?.name ?? null,
          indicator?.unit ?? null,
          indicator?.target ?? null,
          indicator?.actual ?? null,
          indicator?.rate ?? null,
          ...grades,
          note,
        ]);
        for (const column of [8, 9]) {
          const cell = row.getCell(column);
          if (typeof cell.value === 'number') cell.numFmt = figureFormat(cell.value);
        }
      }
    }
    return this.file(workbook, `個別項目一覧_${plan.name}_${formatFiscalYear(fiscalYear)}`, `items-${planId}-FY${fiscalYear}`);
  }

  async summaries(planId: string, fiscalYear: number): Promise<ExportedFile> {
    const plan = await this.plans.registered(planId);
    const workbook = newWorkbook();
    for (const by of SUMMARY_DIMENSIONS) {
      const summary: Awaited<ReturnType<GetSummaryHandler['execute']>> = await this.queries.execute(new GetSummary(planId, fiscalYear, by));
      const sheet = table(workbook, SUMMARY_SHEETS[by].sheet, [
        { header: SUMMARY_SHEETS[by].group, width: 40, wrap: true },
        { header: '項目数', width: 10, numFmt: COUNT },
        ...GRADES.map((grade) => ({ header: GRADE_LABELS[grade], width: 10, numFmt: COUNT })),
        { header: '評価済み', width: 10, numFmt: COUNT },
        ...GRADES.map((grade) => ({ header: `${GRADE_LABELS[grade]}の割合`, width: 14, numFmt: RATE })),
      ]);
      for (const group of summary.groups) {
        const counts = GRADES.map((grade) => Number(group.grades[grade]));
        sheet.addRow([
          group.label,
          Number(group.items),
          ...counts,
          counts.reduce((sum, count) => sum + count, 0),
          ...GRADES.map((grade) => group.shares[grade]),
        ]);
      }
    }
    return this.file(workbook, `達成状況集計_${plan.name}_${formatFiscalYear(fiscalYear)}`, `summaries-${planId}-FY${fiscalYear}`);
  }

  /** Every row of the year, page by page through the same query as GET /api/items. */
  private async allItems(planId: string, fiscalYear: number, viewer: Viewer): Promise<ItemRow[]> {
    const rows: ItemRow[] = [];
    for (let page = 1; ; page++) {
      const filters = Object.assign(new ListItemsQueryDto(), { planId, fiscalYear, page, perPage: PAGE });
      const answer: Awaited<ReturnType<ListItemsHandler['execute']>> = await this.queries.execute(new ListItems(filters, viewer));
      rows.push(...answer.items);
      if (answer.items.length < PAGE || rows.length >= answer.total) return rows;
    }
  }

  private async file(workbook: Workbook, name: string, asciiName: string): Promise<ExportedFile> {
    return {
      fileName: `${safeFileName(name)}.xlsx`,
      asciiFileName: `${asciiName.replace(/[^A-Za-z0-9._-]/g, '_')}.xlsx`,
      content: Buffer.from(await workbook.xlsx.writeBuffer()),
    };
  }
}

function newWorkbook(): Workbook {
  const workbook = new Workbook();
  workbook.creator = 'reform-ledger';
  workbook.created = new Date();
  return workbook;
}

/** A sheet with a bold header row that stays in view (frozen) and filters, and the columns' widths and formats. */
function table(workbook: Workbook, name: string, columns: Column[]): Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({
    header: column.header,
    width: column.width,
    style: {
      ...(column.numFmt ? { numFmt: column.numFmt } : {}),
      alignment: { vertical: 'top', ...(column.wrap ? { wrapText: true } : {}) },
    },
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  for (let column = 1; column <= columns.length; column++) {
    header.getCell(column).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF5' } };
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return sheet;
}

/** Whole numbers with thousands separators; decimals as written (98.2, 0.55). */
function figureFormat(value: number): string {
  return Number.isInteger(value) ? COUNT : '#,##0.0##';
}

function gradeLabel(grade: string | null): string | null {
  return grade ? (GRADE_LABELS[grade as Grade] ?? grade) : null;
}

/** A name every file system accepts: no path separators or characters Windows refuses. */
function safeFileName(name: string): string {
  return name.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim();
}
