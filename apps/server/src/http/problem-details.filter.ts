import { DomainError } from '@app/domain';
import { WrongExpectedVersionError } from '@app/event-store';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details: the one shape of every error this API returns. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  [extension: string]: unknown;
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const problem = toProblem(exception);
    problem.instance = request.originalUrl;
    problem.requestId = request.id;
    if (typeof problem.retryAfterSeconds === 'number') response.setHeader('Retry-After', String(problem.retryAfterSeconds));
    if (problem.status >= 500 && problem.status !== 503) {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }
}

const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  forbidden: HttpStatus.FORBIDDEN,
};

function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof DomainError) {
    const status = DOMAIN_STATUS[exception.kind];
    return {
      type: 'about:blank',
      title: STATUS_CODES[status]!,
      status,
      detail: exception.message,
      rule: exception.rule,
      ...(exception.field
        ? { errors: [{ field: exception.field, rule: exception.rule, message: exception.message }] }
        : {}),
    };
  }
  if (exception instanceof WrongExpectedVersionError) {
    return {
      type: 'about:blank',
      title: STATUS_CODES[HttpStatus.CONFLICT]!,
      status: HttpStatus.CONFLICT,
      detail: '他の人が先に変更しました。最新の内容を読み込んでからやり直してください',
      rule: 'concurrency.version_mismatch',
      currentVersion: exception.actualVersion,
    };
  }
  if (!(exception instanceof HttpException)) {
    return {
      type: 'about:blank',
      title: STATUS_CODES[HttpStatus.INTERNAL_SERVER_ERROR]!,
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'The server failed to handle the request; the log has the details under this requestId.',
    };
  }
  const status = exception.getStatus();
  const body = exception.getResponse();
  const { statusCode, message, ...extensions } =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : { message: body };
  void statusCode;
  // Nest's own exceptions put the status text in `error`; others (terminus) put data there.
  const title = typeof extensions.error === 'string' ? extensions.error : (STATUS_CODES[status] ?? 'Error');
  if (typeof extensions.error === 'string') delete extensions.error;
  // Extensions first: the members RFC 9457 defines are ours to set.
  return {
    ...extensions,
    type: 'about:blank',
    title,
    status,
    detail: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message,
  };
}
