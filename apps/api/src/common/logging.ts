import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/app-config';

const RESIDENT_ID = /\b(\d{4})\d{10}(\d{3}[\dXx])\b/g;

/** Resident ID numbers never reach the logs whole: keep the first 4 and last 4 characters. */
export function maskIdNumbersIn(text: string): string {
  return text.replace(RESIDENT_ID, '$1**********$2');
}

type LoggedRequest = { correlationId?: string; url?: string };

/** How each request is logged; Nest's pino-http middleware and the coverage fast path both use these. */
export const requestLogOptions = {
  serializers: {
    req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskIdNumbersIn(req.url) }),
  },
  genReqId: (req: unknown) => (req as LoggedRequest).correlationId ?? '',
  customProps: (req: unknown) => ({ correlationId: (req as LoggedRequest).correlationId }),
  autoLogging: { ignore: (req: unknown) => (req as LoggedRequest).url === '/health' },
};

/** `stream`: where log lines go (standard output when not given; tests capture them). */
export function loggerParams(config: AppConfig, stream?: DestinationStream): Params {
  const options: Options = {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-signature"]', 'req.headers.cookie', '*.idNumber', '*.secret', '*.token'],
      censor: '[redacted]',
    },
    ...requestLogOptions,
  };
  return { pinoHttp: stream ? [options, stream] : options };
}
