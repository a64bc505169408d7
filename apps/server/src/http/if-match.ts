import { BadRequestException, ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The stream version the client last saw, from If-Match ("7", W/"7" or 7);
 * undefined when the client sent none and accepts the latest version.
 */
export const IfMatch = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined => {
  const header = context.switchToHttp().getRequest<Request>().header('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const version = header.trim().match(/^(?:W\/)?"?(\d{1,15})"?$/)?.[1];
  if (version === undefined) {
    throw new BadRequestException({
      rule: 'if_match.invalid',
      message: 'If-Match には ETag の値（版番号）を指定してください',
      errors: [{ field: 'If-Match', rule: 'if_match.invalid', message: 'expected a version such as "7"' }],
    });
  }
  return Number(version);
});
