import {
  BadRequestException,
  CallHandler,
  ConflictException,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import canonicalize from 'canonicalize';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { Observable, from, lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import type { SignedInRequest } from '../auth/access.guard';
import { actionContext } from '../context/request-context';
import { CommandResult } from '../events/command-executor';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
/** How long another request with the same key waits for the first to finish. */
const WAIT_FOR_FIRST_MS = 15_000;
/** A key whose first request has not finished in this long was abandoned (a crash): it may run again. */
const ABANDONED_AFTER_MS = 60_000;

interface KeyRow {
  request_hash: string;
  status_code: number | null;
  response: unknown;
  started_at: Date;
}

/**
 * The HTTP side of commands: the response carries the stream's new version as
 * its ETag, and an Idempotency-Key makes a command happen once. The first
 * request with a key runs the command (the key becomes its command id) and
 * keeps its response; a repeat gets that response again and writes nothing,
 * a repeat with another body is 422. A key is remembered only for a command
 * that succeeded: after a refusal the caller may correct the body and retry.
 */
@Injectable()
export class CommandInterceptor implements NestInterceptor {
  constructor(@InjectDataSource() private readonly database: DataSource) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.handle(context, next));
  }

  private async handle(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const request = context.switchToHttp().getRequest<SignedInRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.header('idempotency-key');
    if (key === undefined) return this.run(next, response);
    if (!KEY_PATTERN.test(key)) {
      throw new BadRequestException({
        rule: 'idempotency.key_invalid',
        message: 'Idempotency-Key は1〜200文字の表示可能なASCII文字です',
        errors: [{ field: 'Idempotency-Key', rule: 'idempotency.key_invalid', message: 'invalid key' }],
      });
    }
    const userId = request.session.user.userId;
    const requestHash = hashRequest(request);
    const acting = actionContext.current();
    if (acting) acting.commandId = `${userId}:${key}`;

    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      if (await this.claim(userId, key, requestHash)) break;
      const row = await this.find(userId, key);
      if (!row) continue;
      if (row.request_hash !== requestHash) {
        throw new UnprocessableEntityException({
          rule: 'idempotency.key_reused',
          message: 'この Idempotency-Key は別の内容の要求に使われています',
        });
      }
      if (row.status_code !== null) {
        response.status(row.status_code).setHeader('Idempotent-Replayed', 'true');
        setEtag(response, row.response);
        return row.response;
      }
      if (Date.now() - row.started_at.getTime() > ABANDONED_AFTER_MS && (await this.takeOver(userId, key, row))) break;
      if (Date.now() > deadline) {
        throw new ConflictException({ rule: 'idempotency.in_progress', message: '同じキーの要求を処理中です' });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    try {
      const result = await this.run(next, response);
      await this.database.query(
        'UPDATE idempotency_keys SET status_code = $3, response = $4 WHERE user_id = $1 AND key = $2',
        [userId, key, response.statusCode, JSON.stringify(result ?? null)],
      );
      return result;
    } catch (error) {
      await this.database.query('DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2', [userId, key]);
      throw error;
    }
  }

  private async run(next: CallHandler, response: Response): Promise<unknown> {
    const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    setEtag(response, result);
    return result;
  }

  private async claim(userId: string, key: string, requestHash: string): Promise<boolean> {
    const inserted = await this.database.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, started_at) VALUES ($1, $2, $3, now())
       ON CONFLICT DO NOTHING RETURNING key`,
      [userId, key, requestHash],
    );
    return inserted.length === 1;
  }

  private async find(userId: string, key: string): Promise<KeyRow | undefined> {
    const rows: KeyRow[] = await this.database.query(
      'SELECT request_hash, status_code, response, started_at FROM idempotency_keys WHERE user_id = $1 AND key = $2',
      [userId, key],
    );
    return rows[0];
  }

  private async takeOver(userId: string, key: string, row: KeyRow): Promise<boolean> {
    const updated = await this.database.query(
      `UPDATE idempotency_keys SET started_at = now()
        WHERE user_id = $1 AND key = $2 AND status_code IS NULL AND started_at = $3 RETURNING key`,
      [userId, key, row.started_at],
    );
    return updated[1] === 1; // TypeORM answers an UPDATE with [rows, count]
  }
}

function hashRequest(request: Request): string {
  return createHash('sha256')
    .update(`${request.method} ${request.originalUrl}\n`)
    .update(canonicalize(request.body ?? null) ?? '')
    .digest('hex');
}

function setEtag(response: Response, result: unknown): void {
  const version = (result as Partial<CommandResult> | undefined)?.version;
  if (typeof version === 'number') response.setHeader('ETag', `"${version}"`);
}
