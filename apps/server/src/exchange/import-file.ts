import { DomainError } from '@app/domain';
import { CsvError, parse } from 'csv-parse/sync';
import { CellValue, Workbook } from 'exceljs';
import { extname } from 'node:path';

/** The columns of an actuals file: a Japanese header, or the English one (the API's field names). */
export const IMPORT_COLUMNS = {
  itemId: { label: '個別項目ID', required: true },
  indicatorId: { label: '指標ID', required: true },
  value: { label: '実績値', required: true },
  narrative: { label: '取組実績', required: false },
} as const;
export type ImportColumn = keyof typeof IMPORT_COLUMNS;

/** One refusal, where the department sees it: the row as Excel numbers it (the header is row 1) and the column's header. */
export interface RowError {
  row: number;
  column: string;
  rule: string;
  message: string;
}

export interface FileRow {
  row: number;
  cells: Partial<Record<ImportColumn, string | number>>;
}

export interface ImportTable {
  /** Each column's header as the file writes it, for naming it back in errors. */
  headers: Record<ImportColumn, string>;
  rows: FileRow[];
  /** Missing or repeated columns (row 1). */
  errors: RowError[];
}

const XLSX_MAGIC = Buffer.from('PK\u0003\u0004', 'latin1');

/**
 * Reads an uploaded file into rows: .csv in UTF-8 (with or without a BOM) or
 * .xlsx (its first sheet). Rows keep the number Excel shows, so that a refusal
 * points at the line the department typed; rows with nothing in the known
 * columns are left out (blank lines, notes in other columns).
 */
export async function readImportFile(fileName: string, content: Buffer): Promise<ImportTable> {
  const extension = extname(fileName).toLowerCase();
  const xlsx = extension === '.xlsx' || (extension !== '.csv' && content.subarray(0, 4).equals(XLSX_MAGIC));
  if (!xlsx && extension !== '.csv' && extension !== '') {
    throw new DomainError('invalid', 'import.file_type', '取り込めるのは .csv（UTF-8）と .xlsx のファイルです', 'file');
  }
  const lines = xlsx ? await xlsxLines(content) : csvLines(content);
  const [header = [], ...body] = lines;
  return tableOf(header, body);
}

function csvLines(content: Buffer): Array<Array<string | number | undefined>> {
  let text: string;
  try {
    // Excel's plain "CSV" is Shift_JIS in Japan: decoding strictly finds it instead of storing mojibake.
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw new DomainError(
      'invalid',
      'import.encoding',
      'CSVファイルは UTF-8 で保存してください（Excel では「CSV UTF-8（コンマ区切り）」を選びます）',
      'file',
    );
  }
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw new DomainError('invalid', 'import.csv_malformed', `CSVを読み取れません（${error.lines ?? '?'}行目付近: ${error.code}）`, 'file');
  }
}

async function xlsxLines(content: Buffer): Promise<Array<Array<string | number | undefined>>> {
  const workbook = new Workbook();
  try {
    // exceljs types its input as an ArrayBuffer; a copy of exactly the file's bytes is one.
    await workbook.xlsx.load(Uint8Array.from(content).buffer);
  } catch {
    throw new DomainError('invalid', 'import.file_unreadable', 'Excelファイル（.xlsx）として読み取れません', 'file');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new DomainError('invalid', 'import.file_unreadable', 'Excelファイルにシートがありません', 'file');
  const lines: Array<Array<string | number | undefined>> = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: Array<string | number | undefined> = [];
    row.eachCell({ includeEmpty: true }, (cell, columnNumber) => {
      cells[columnNumber - 1] = cellContent(cell.value, cell.numFmt);
    });
    lines[rowNumber - 1] = cells;
  });
  // Rows exceljs skipped (never written) are blank lines, so that indexes stay Excel's row numbers.
  return Array.from(lines, (line) => line ?? []);
}

/** What a cell shows: the text, the number, or a formula's result. */
function cellContent(value: CellValue, numFmt: string | undefined): string | number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') {
    // A cell formatted as a percentage holds 0.982 and shows 98.2%: the department means what it sees.
    return numFmt?.includes('%') ? Number((value * 100).toPrecision(12)) : value;
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('hyperlink' in value) return value.text;
  if ('error' in value) return value.error;
  return cellContent(value.result ?? null, numFmt);
}

function tableOf(header: Array<string | number | undefined>, body: Array<Array<string | number | undefined>>): ImportTable {
  const errors: RowError[] = [];
  const positions = new Map<ImportColumn, number>();
  const headers = Object.fromEntries(Object.entries(IMPORT_COLUMNS).map(([column, { label }]) => [column, label])) as Record<ImportColumn, string>;
  header.forEach((cell, index) => {
    const column = columnOf(cell);
    if (!column) return;
    if (positions.has(column)) {
      errors.push({ row: 1, column: String(cell), rule: 'import.column_repeated', message: `列「${cell}」が2回あります` });
      return;
    }
    positions.set(column, index);
    headers[column] = String(cell).trim();
  });
  for (const [column, { label, required }] of Object.entries(IMPORT_COLUMNS)) {
    if (required && !positions.has(column as ImportColumn)) {
      errors.push({ row: 1, column: label, rule: 'import.column_missing', message: `1行目に列「${label}」がありません` });
    }
  }
  const rows = body.flatMap((line, index): FileRow[] => {
    const cells: FileRow['cells'] = {};
    for (const [column, position] of positions) {
      const cell = line[position];
      const value = typeof cell === 'string' ? cell.trim() : cell;
      if (value !== undefined && value !== '') cells[column] = value;
    }
    return Object.keys(cells).length === 0 ? [] : [{ row: index + 2, cells }];
  });
  return { headers, rows, errors };
}

/** A header in either language, whatever its width (ＩＤ) or case. */
function columnOf(cell: string | number | undefined): ImportColumn | undefined {
  const text = String(cell ?? '').normalize('NFKC').trim().toLowerCase();
  return (Object.keys(IMPORT_COLUMNS) as ImportColumn[]).find(
    (column) => text === column.toLowerCase() || text === IMPORT_COLUMNS[column].label.normalize('NFKC').toLowerCase(),
  );
}

/** A number as people type it: full-width digits, thousands separators, a trailing %. NaN when it is none. */
export function readNumber(cell: string | number): number {
  if (typeof cell === 'number') return cell;
  const text = cell.normalize('NFKC').replace(/\u2212/g, '-').replace(/%$/, '').trim();
  if (!/^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$/.test(text) || !/\d/.test(text)) return Number.NaN;
  return Number(text.replace(/,/g, ''));
}
