import { DomainError, Indicator, IndicatorValue, ItemState, Role, checkBounds } from '@app/domain';
import { WrongExpectedVersionError } from '@app/event-store';
import { REVIEW_STAGES, StageKind, SubmissionContent, SubmissionState, submissionDecider } from '@app/workflow';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { AccessDecision, decideAccess, describeRefusal } from '../auth/access-rules';
import { actionContext } from '../context/request-context';
import { CommandResult } from '../events/command-executor';
import { ItemReader } from '../plan/item-reader';
import { ChangeSubmission, ReviewCycles } from '../review/review.commands';
import { FileRow, ImportColumn, ImportTable, RowError, readImportFile, readNumber } from './import-file';

/** Who imports: the draft's author, and the roles the per-row access check weighs. */
export interface Importer {
  userId: string;
  /** Absent for the CLI's operator, who acts outside the access rules (as for seeds and users). */
  roles?: Partial<Record<Role, string[]>>;
}

export interface ActualsImportRequest {
  planId: string;
  fiscalYear: number;
  stage: StageKind;
  fileName: string;
  content: Buffer;
  importer: Importer;
}

export interface ActualsImportResult {
  fileName: string;
  sha256: string;
  /** Rows read from the file (blank lines aside). */
  rows: number;
  /** Items whose draft this import changed: none when the same file comes again. */
  items: number;
  /** Actual values in those items' rows. */
  actuals: number;
  /** The position of the last event written, for ?minPosition=; 0 when nothing was. */
  position: number;
}

/** The whole file refused: every bad row with its column and rule; nothing written. */
export class ImportRowsInvalid extends UnprocessableEntityException {
  constructor(readonly errors: RowError[]) {
    super({
      rule: 'import.rows_invalid',
      message: `取り込めない行が${new Set(errors.map((error) => error.row)).size}行あります。何も書き込んでいません。ファイルを直してもう一度取り込んでください`,
      errors,
    });
  }
}

/** Stopped part-way by a change made meanwhile; the same file again finishes the rest. */
export class ImportIncomplete extends ConflictException {
  constructor(written: string[], failedItemId: string, cause: DomainError | WrongExpectedVersionError) {
    const reason = cause instanceof DomainError ? cause.message : '確認の後に他の変更がありました';
    super({
      rule: 'import.incomplete',
      message:
        `${written.length}項目を書き込んだ後、個別項目 ${failedItemId} で中断しました（${reason}）。` +
        '同じファイルをもう一度取り込むと、書き込み済みの項目を飛ばして残りを書き込みます',
      written,
      failedItemId,
      cause: cause instanceof DomainError ? cause.rule : 'concurrency.version_mismatch',
    });
  }
}

/** Names the command of one item's rows from one file, so that importing that file again repeats none. */
const IMPORT_NAMESPACE = '0f3c2a8e-5b71-4d19-9e64-7a2d1c5b8f30';

interface LoadedItem {
  item: ItemState;
  submission: SubmissionState;
  version: number;
  commandId: string;
  alreadyImported: boolean;
}

/** One item's share of the file, checked: what its SaveDraft will say. */
interface ItemDraft {
  itemId: string;
  rows: FileRow[];
  values: Map<string, { value: number; row: number }>;
  narrative?: { text: string; row: number };
  access?: Extract<AccessDecision, { allowed: true }>;
}

/**
 * A department's actuals for one stage, filled in offline and uploaded as
 * .csv or .xlsx. Each item's rows become the command a person would send from
 * the form — ChangeSubmission SaveDraft with content.actuals (and the
 * narrative) — and every event they write names the file and its sha256.
 *
 * All or nothing, as far as an event store allows: commands on different
 * streams cannot share a transaction, so the whole file is checked first —
 * every row, then every item's SaveDraft decided in memory on the state just
 * loaded — and nothing is sent unless all of it passes. Each send then expects
 * the version that was checked. What remains: a change to one of the
 * submissions between the check and its send (a colleague's save, a reminder
 * timer) stops the import at that item with the earlier items written; the
 * answer says so, and the same file again skips the items already written
 * (their command ids derive from the file's hash and the item) and writes the
 * rest.
 */
@Injectable()
export class ActualsImport {
  constructor(
    private readonly commands: CommandBus,
    private readonly cycles: ReviewCycles,
    private readonly items: ItemReader,
  ) {}

  async run(request: ActualsImportRequest, onProgress?: (done: number, total: number) => void): Promise<ActualsImportResult> {
    const { planId, fiscalYear, stage, fileName, content } = request;
    const sha256 = createHash('sha256').update(content).digest('hex');
    if (!REVIEW_STAGES[stage].fields.some((field) => field.key === 'actuals')) {
      throw new DomainError('invalid', 'import.stage_without_actuals', `${REVIEW_STAGES[stage].label}では実績値を入力しません`, 'stage');
    }
    await this.cycles.openStage(planId, fiscalYear, stage);
    const table = await readImportFile(fileName, content);
    if (table.errors.length > 0) throw new ImportRowsInvalid(table.errors);
    if (table.rows.length === 0) throw new DomainError('invalid', 'import.empty', 'ファイルに取り込む行がありません', 'file');

    const loaded = await this.load(request, table.rows, sha256);
    const drafts = await this.check(request, table, loaded);
    const plans = this.decide(request, table, loaded, drafts);

    const context = actionContext.current();
    if (!context?.actor) throw new Error('No actor in context: an import is written by a known person');
    const written: string[] = [];
    let position = 0;
    onProgress?.(0, plans.length);
    for (const { draft, command } of plans) {
      const { commandId, version } = loaded.get(draft.itemId)!;
      // Acting on this item as the access rule allowed it (role used, division), as its own draft request would record.
      const actor = draft.access ? { ...context.actor, role: draft.access.role, department: draft.access.division ?? context.actor.department } : context.actor;
      try {
        const result: CommandResult = await actionContext.run({ ...context, actor, commandId, source: { fileName, sha256 } }, () =>
          this.commands.execute(new ChangeSubmission(planId, fiscalYear, stage, draft.itemId, command, version)),
        );
        position = Math.max(position, result.position ?? 0);
      } catch (error) {
        // A refusal or a conflict is the world having moved since the check; anything else is the server's own failure (500).
        if (error instanceof DomainError || error instanceof WrongExpectedVersionError) throw new ImportIncomplete(written, draft.itemId, error);
        throw error;
      }
      written.push(draft.itemId);
      onProgress?.(written.length, plans.length);
    }
    return {
      fileName,
      sha256,
      rows: table.rows.length,
      items: plans.length,
      actuals: plans.reduce((sum, plan) => sum + plan.draft.values.size, 0),
      position,
    };
  }

  /** Each named item with its submission in this stage, as they stand now. */
  private async load({ planId, fiscalYear, stage }: ActualsImportRequest, rows: FileRow[], sha256: string): Promise<Map<string, LoadedItem>> {
    const itemIds = [...new Set(rows.map((row) => row.cells.itemId).filter((itemId) => itemId !== undefined).map(String))];
    const entries = await Promise.all(
      itemIds.map(async (itemId): Promise<[string, LoadedItem]> => {
        const [item, submission] = await Promise.all([this.items.state(itemId), this.cycles.submission(planId, fiscalYear, stage, itemId)]);
        const commandId = uuidv5(`${sha256}/${itemId}`, IMPORT_NAMESPACE);
        const alreadyImported = submission.commands.has(commandId);
        return [itemId, { item, submission: submission.state, version: submission.version, commandId, alreadyImported }];
      }),
    );
    return new Map(entries);
  }

  /** Every row on its own: what the form would refuse for it, with the row and column it is in. */
  private async check({ importer }: ActualsImportRequest, table: ImportTable, loaded: Map<string, LoadedItem>): Promise<Map<string, ItemDraft>> {
    const errors: RowError[] = [];
    const fail = (row: FileRow, column: ImportColumn, rule: string, message: string) => errors.push({ row: row.row, column: table.headers[column], rule, message });
    const drafts = new Map<string, ItemDraft>();
    const seen = new Map<string, number>();

    for (const row of table.rows) {
      const { itemId: itemCell, indicatorId: indicatorCell, value: valueCell, narrative: narrativeCell } = row.cells;
      if (itemCell === undefined) {
        fail(row, 'itemId', 'import.value_required', `${table.headers.itemId} を入力してください`);
        continue;
      }
      const itemId = String(itemCell);
      const { item, submission, alreadyImported } = loaded.get(itemId)!;
      if (item.status === 'unregistered') {
        fail(row, 'itemId', 'item.not_found', `個別項目 ${itemId} が見つかりません`);
        continue;
      }
      // The same rule as the draft form's guard, per row: department staff for their own divisions' items only.
      const access = importer.roles ? await decideAccess('review.submit', importer.roles, async () => item.divisionIds) : undefined;
      if (access && !access.allowed) {
        fail(row, 'itemId', access.rule, describeRefusal(access));
        continue;
      }
      // Written by an earlier run of this very file: a retry, which the command ids make a no-op.
      if (alreadyImported) continue;
      if ((indicatorCell === undefined) !== (valueCell === undefined) || (indicatorCell === undefined && narrativeCell === undefined)) {
        const missing = indicatorCell === undefined ? 'indicatorId' : 'value';
        fail(row, missing, 'import.value_required', `${table.headers[missing]} を入力してください`);
        continue;
      }
      const indicatorId = indicatorCell === undefined ? undefined : String(indicatorCell);
      const value = valueCell === undefined ? undefined : readNumber(valueCell);
      const narrative = narrativeCell === undefined ? undefined : String(narrativeCell);

      // The row alone as a draft, decided on the submission as it stands: the stage's rules (in scope,
      // not yet submitted or approved, a known indicator, a finite number, the narrative's length) in one place.
      const rowContent: SubmissionContent = {
        ...(indicatorId !== undefined ? { actuals: [{ indicatorId, value: value! }] } : {}),
        ...(narrative !== undefined ? { narrative } : {}),
      };
      const refusal = refusalOf(() => this.decideDraft(importer, item, submission, rowContent));
      if (refusal) {
        const column = columnOfField(refusal.field);
        fail(row, column, refusal.rule, readable(refusal, table.headers[column]));
        continue;
      }
      const indicator = indicatorId !== undefined ? item.indicators.find((candidate) => candidate.indicatorId === indicatorId)! : undefined;
      const outOfRange = indicator ? refusalOf(() => checkBounds(indicator, value!, table.headers.value)) : undefined;
      if (outOfRange) {
        fail(row, 'value', outOfRange.rule, outOfRange.message);
        continue;
      }

      const draft: ItemDraft = drafts.get(itemId) ?? { itemId, rows: [], values: new Map(), ...(access ? { access } : {}) };
      if (indicator) {
        const key = `${itemId}\u0000${indicator.indicatorId}`;
        if (seen.has(key)) {
          fail(row, 'indicatorId', 'indicator.repeated', `同じ個別項目・指標の行が${seen.get(key)}行目にもあります`);
          continue;
        }
        seen.set(key, row.row);
        draft.values.set(indicator.indicatorId, { value: value!, row: row.row });
      }
      if (narrative !== undefined) {
        if (draft.narrative && draft.narrative.text !== narrative.trim()) {
          fail(row, 'narrative', 'import.narrative_conflict', `同じ個別項目の${table.headers.narrative}が${draft.narrative.row}行目と違います（1項目に1つです）`);
          continue;
        }
        draft.narrative ??= { text: narrative.trim(), row: row.row };
      }
      draft.rows.push(row);
      drafts.set(itemId, draft);
    }
    if (errors.length > 0) throw new ImportRowsInvalid(errors.sort((a, b) => a.row - b.row));
    return drafts;
  }

  /**
   * Each item's SaveDraft as it will be sent, decided in memory on the loaded
   * state; those that would change nothing are left out. The file's values
   * replace the draft's for the indicators it names and keep the others, as
   * the form sends every indicator with the ones not touched as they were.
   */
  private decide({ importer }: ActualsImportRequest, table: ImportTable, loaded: Map<string, LoadedItem>, drafts: Map<string, ItemDraft>) {
    const errors: RowError[] = [];
    const plans: Array<{ draft: ItemDraft; command: Extract<ChangeSubmission['command'], { type: 'SaveDraft' }> }> = [];
    for (const draft of drafts.values()) {
      const { item, submission } = loaded.get(draft.itemId)!;
      const before = (submission.content.actuals as IndicatorValue[] | undefined) ?? [];
      const actuals = item.indicators.flatMap((indicator: Indicator): IndicatorValue[] => {
        const value = draft.values.get(indicator.indicatorId)?.value ?? before.find((entry) => entry.indicatorId === indicator.indicatorId)?.value;
        return value === undefined ? [] : [{ indicatorId: indicator.indicatorId, value }];
      });
      const content: SubmissionContent = { actuals, ...(draft.narrative ? { narrative: draft.narrative.text } : {}) };
      let changes: number;
      try {
        changes = this.decideDraft(importer, item, submission, content).length;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const column = columnOfField(error.field);
        for (const row of draft.rows) errors.push({ row: row.row, column: table.headers[column], rule: error.rule, message: readable(error, table.headers[column]) });
        continue;
      }
      if (changes > 0) plans.push({ draft, command: { type: 'SaveDraft', content, by: importer.userId } });
    }
    if (errors.length > 0) throw new ImportRowsInvalid(errors.sort((a, b) => a.row - b.row));
    return plans;
  }

  /** The submission decider's answer to the SaveDraft ChangeSubmission will send (with the item's indicators, as its handler adds them). */
  private decideDraft(importer: Importer, item: ItemState, submission: SubmissionState, content: SubmissionContent) {
    return submissionDecider.decide(
      { type: 'SaveDraft', content, by: importer.userId, indicatorIds: item.indicators.map((indicator) => indicator.indicatorId) },
      submission,
    );
  }
}

function refusalOf(check: () => unknown): DomainError | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/** The file's column a refusal's field (content.actuals.0.value, content.narrative…) is about. */
function columnOfField(field: string | undefined): ImportColumn {
  if (field?.endsWith('.indicatorId')) return 'indicatorId';
  if (field?.endsWith('.value')) return 'value';
  if (field === 'content.narrative') return 'narrative';
  return 'itemId';
}

/** The domain's message, naming the file's column where it names the API's field. */
function readable(error: DomainError, column: string): string {
  return error.field ? error.message.replace(error.field, column) : error.message;
}

