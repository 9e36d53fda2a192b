import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';

const RESIDENT_ID = /\b(\d{4})\d{10}(\d{3}[\dXx])\b/g;

/** Resident ID numbers never reach the logs whole: keep the first 4 and last 4 characters. */
export function maskIdNumbersIn(text: string): string {
  return text.replace(RESIDENT_ID, '$1**********$2');
}

export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-signature"]', 'req.headers.cookie', '*.idNumber', '*.secret', '*.token'],
        censor: '[redacted]',
      },
      genReqId: (req) => (req as unknown as { correlationId?: string }).correlationId ?? '',
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskIdNumbersIn(req.url) }),
      },
      customProps: (req) => ({ correlationId: (req as unknown as { correlationId?: string }).correlationId }),
      autoLogging: { ignore: (req) => req.url === '/health' },
    },
  };
}
