import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, Logger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';
const CORRELATION_ID_HEADER = 'x-correlation-id';

/** One JSON logger for the whole process, from start-up to shutdown. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
    level,
    base: { service: 'reform-ledger' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    },
    destination,
  );
}

/**
 * Every request gets an id, taken from X-Request-Id or X-Correlation-Id when the
 * caller sent one, echoed in the response and carried by each log line.
 */
export function httpLogging(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      genReqId: (request: IncomingMessage, response: ServerResponse) => {
        const sent = request.headers[REQUEST_ID_HEADER] ?? request.headers[CORRELATION_ID_HEADER];
        const id = typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
        response.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      customProps: (request: IncomingMessage) => ({ correlationId: (request as IncomingMessage & { id: string }).id }),
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (request) => request.url === '/health' },
    },
  };
}
