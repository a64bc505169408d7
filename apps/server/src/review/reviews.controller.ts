import { DomainError } from '@app/domain';
import { StageKind, isStageKind } from '@app/workflow';
import { Body, Controller, ExecutionContext, Get, HttpCode, Param, Post, Put, Query, UseInterceptors, createParamDecorator } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { v5 as uuidv5 } from 'uuid';
import { Allow } from '../auth/access.decorators';
import { actionContext } from '../context/request-context';
import { CommandResult } from '../events/command-executor';
import { CommandInterceptor } from '../http/idempotency';
import { IfMatch } from '../http/if-match';
import { itemDivisions } from '../plan/item-reader';
import { FiscalYearParam, fiscalYearOfPath } from '../plan/fiscal-year.param';
import { newId } from '../plan/plan.commands';
import { ReasonDto } from '../plan/plan.dto';
import { ProjectionsService } from '../projections/projections.service';
import { ConsistencyQueryDto } from '../read/read.dto';
import { CurrentViewer, Viewer } from '../read/viewer';
import { ReviewReader } from './review-reader';
import { ChangeReviewCycle, ChangeSubmission, ReviewCycles } from './review.commands';
import {
  ApproveSubmissionDto,
  BulkApproveDto,
  CloseStageDto,
  ExtendDeadlineDto,
  NotificationsQueryDto,
  OpenReviewCycleDto,
  OpenStageDto,
  SaveDraftDto,
  TasksQueryDto,
} from './review.dto';

export interface StagePath {
  planId: string;
  fiscalYear: number;
  stage: StageKind;
}

export function stageOfPath(request: Request): StagePath {
  const planId = String(request.params.planId);
  const stage = String(request.params.stage);
  if (!isStageKind(stage)) throw new DomainError('not_found', 'stage.not_found', `段階 ${stage} はありません（spring / autumn）`, 'stage');
  return { planId, fiscalYear: fiscalYearOfPath(request), stage };
}

/** /:planId/:fiscalYear/stages/:stage — the stage a request is about; an unknown stage is 404. */
export const StageRef = createParamDecorator((_data: unknown, context: ExecutionContext): StagePath =>
  stageOfPath(context.switchToHttp().getRequest<Request>()),
);

/** …/stages/:stage/items/:itemId — the submission a request is about. */
const SubmissionRef = createParamDecorator((_data: unknown, context: ExecutionContext): StagePath & { itemId: string } => {
  const request = context.switchToHttp().getRequest<Request>();
  return { ...stageOfPath(request), itemId: String(request.params.itemId) };
});
type SubmissionPath = StagePath & { itemId: string };

/** Who is acting: the workflow records it in the events' data too, for the four-eyes rule. */
const actor = () => actionContext.current()!.actor!.userId;

/** Department staff act only on submissions of their own divisions' items. */
const ownItems = { targetDivisions: itemDivisions };
const SUBMISSION = ':planId/:fiscalYear/stages/:stage/items/:itemId';
const BATCH_NAMESPACE = 'c4a7e0b2-61d3-4f8e-9a05-2e8b3d7f1c66';

@ApiTags('reviews')
@ApiBearerAuth()
@Controller('api/reviews')
@UseInterceptors(CommandInterceptor)
export class ReviewsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly cycles: ReviewCycles,
    private readonly reader: ReviewReader,
    private readonly projections: ProjectionsService,
  ) {}

  /** 担当課の受信箱: 段階ごとの依頼と期限（期限順） */
  @Get('tasks')
  @Allow('review.read')
  async tasks(@Query() query: TasksQueryDto, @CurrentViewer() viewer: Viewer) {
    await this.projections.waitFor(query.minPosition);
    return this.reader.tasks(query, viewer);
  }

  /** 審査待ちの一覧（提出の古い順） */
  @Get('queue')
  @Allow('review.read')
  async queue(@Query() query: TasksQueryDto, @CurrentViewer() viewer: Viewer) {
    await this.projections.waitFor(query.minPosition);
    return this.reader.tasks(query, viewer, { queue: true });
  }

  /** 課あての通知（新しい依頼、督促、差し戻し、期限超過、承認） */
  @Get('notifications')
  @Allow('review.read')
  async notifications(@Query() query: NotificationsQueryDto, @CurrentViewer() viewer: Viewer) {
    await this.projections.waitFor(query.minPosition);
    return this.reader.notifications(query, viewer);
  }

  /** レビューの開始（計画と年度ごとに一度） */
  @Post()
  @Allow('review.manage')
  open(@Body() body: OpenReviewCycleDto): Promise<CommandResult> {
    return this.commands.execute(new ChangeReviewCycle(body.planId, body.fiscalYear, { type: 'OpenReviewCycle' }));
  }

  /** レビューの状態と各段階の進捗 */
  @Get(':planId/:fiscalYear')
  @Allow('review.read')
  async get(@Param('planId') planId: string, @FiscalYearParam() fiscalYear: number, @Query() { minPosition }: ConsistencyQueryDto) {
    const { state, version, position } = await this.cycles.load(planId, fiscalYear);
    if (state.status !== 'open') throw new DomainError('not_found', 'review_cycle.not_found', 'この年度のレビューは開始されていません');
    await this.projections.waitFor(Math.max(minPosition ?? 0, position));
    return { planId, fiscalYear, version, stages: await this.reader.progress(planId, fiscalYear) };
  }

  /** 段階の開始（期限つき） */
  @Post(':planId/:fiscalYear/stages/:stage/open')
  @HttpCode(200)
  @Allow('review.manage')
  openStage(@StageRef() { planId, fiscalYear, stage }: StagePath, @Body() body: OpenStageDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.commands.execute(new ChangeReviewCycle(planId, fiscalYear, { type: 'OpenStage', stage, ...body }, ifMatch));
  }

  /** 期限の延長（理由つき） */
  @Post(':planId/:fiscalYear/stages/:stage/deadline')
  @HttpCode(200)
  @Allow('review.manage')
  extend(@StageRef() { planId, fiscalYear, stage }: StagePath, @Body() body: ExtendDeadlineDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.commands.execute(new ChangeReviewCycle(planId, fiscalYear, { type: 'ExtendDeadline', stage, ...body }, ifMatch));
  }

  /** 段階の締め切り（未承認が残るときは理由が必要） */
  @Post(':planId/:fiscalYear/stages/:stage/close')
  @HttpCode(200)
  @Allow('review.manage')
  close(@StageRef() { planId, fiscalYear, stage }: StagePath, @Body() body: CloseStageDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.commands.execute(new ChangeReviewCycle(planId, fiscalYear, { type: 'CloseStage', stage, reason: body.reason }, ifMatch));
  }

  /** 一括承認: 1件ずつ確認し、結果を1件ずつ返します */
  @Post(':planId/:fiscalYear/stages/:stage/bulk-approve')
  @HttpCode(200)
  @Allow('review.manage')
  async bulkApprove(@StageRef() { planId, fiscalYear, stage }: StagePath, @Body() body: BulkApproveDto) {
    const batchId = newId('batch');
    const context = actionContext.current()!;
    const results = [];
    for (const itemId of [...new Set(body.itemIds)]) {
      try {
        // Each item is a command of its own, under the batch's correlation; a retried batch (same key) repeats none.
        const commandId = context.commandId ? uuidv5(`${context.commandId}/${itemId}`, BATCH_NAMESPACE) : undefined;
        const result: CommandResult = await actionContext.run({ ...context, commandId }, () =>
          this.commands.execute(new ChangeSubmission(planId, fiscalYear, stage, itemId, { type: 'ApproveSubmission', by: actor(), batchId })),
        );
        results.push({ itemId, outcome: 'approved', version: result.version, position: result.position });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        results.push({ itemId, outcome: 'refused', rule: error.rule, message: error.message });
      }
    }
    const position = Math.max(0, ...results.map((result) => result.position ?? 0));
    return { batchId, approved: results.filter((result) => result.outcome === 'approved').length, position, results };
  }

  /** 提出の内容と状態（ETag は版） */
  @Get(SUBMISSION)
  @Allow('review.read')
  async submission(@SubmissionRef() { planId, fiscalYear, stage, itemId }: SubmissionPath) {
    const { state, version } = await this.cycles.submission(planId, fiscalYear, stage, itemId);
    if (state.status === 'none') throw new DomainError('not_found', 'submission.not_found', 'この項目はこのレビューの対象ではありません');
    const { overdueDeadlines, remindedDeadlines, ...submission } = state;
    return { ...submission, overdue: overdueDeadlines.length > 0, overdueDeadlines, remindedDeadlines, version };
  }

  /** 下書きの保存 */
  @Put(`${SUBMISSION}/draft`)
  @Allow('review.submit', ownItems)
  saveDraft(@SubmissionRef() path: SubmissionPath, @Body() body: SaveDraftDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.submit(path, { type: 'SaveDraft', content: body.content, by: actor() }, ifMatch);
  }

  /** 提出 */
  @Post(`${SUBMISSION}/submit`)
  @HttpCode(200)
  @Allow('review.submit', ownItems)
  submitForReview(@SubmissionRef() path: SubmissionPath, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.submit(path, { type: 'SubmitForReview', by: actor() }, ifMatch);
  }

  /** 承認（提出・編集した人は承認できません） */
  @Post(`${SUBMISSION}/approve`)
  @HttpCode(200)
  @Allow('review.manage')
  approve(@SubmissionRef() path: SubmissionPath, @Body() body: ApproveSubmissionDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.submit(path, { type: 'ApproveSubmission', by: actor(), ...body }, ifMatch);
  }

  /** 差し戻し（理由つき） */
  @Post(`${SUBMISSION}/return`)
  @HttpCode(200)
  @Allow('review.manage')
  returnSubmission(@SubmissionRef() path: SubmissionPath, @Body() body: ReasonDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.submit(path, { type: 'ReturnSubmission', by: actor(), reason: body.reason }, ifMatch);
  }

  /** 承認済みの再開（事務局、理由つき） */
  @Post(`${SUBMISSION}/reopen`)
  @HttpCode(200)
  @Allow('review.manage')
  reopen(@SubmissionRef() path: SubmissionPath, @Body() body: ReasonDto, @IfMatch() ifMatch?: number): Promise<CommandResult> {
    return this.submit(path, { type: 'ReopenSubmission', by: actor(), reason: body.reason }, ifMatch);
  }

  private submit({ planId, fiscalYear, stage, itemId }: SubmissionPath, command: ChangeSubmission['command'], ifMatch?: number) {
    return this.commands.execute(new ChangeSubmission(planId, fiscalYear, stage, itemId, command, ifMatch));
  }
}
