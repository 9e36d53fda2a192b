import { HttpException } from '@nestjs/common';

/**
 * An RFC 9457 problem with a stable machine-readable `code`. Thrown anywhere in the HTTP layer;
 * the ProblemFilter writes it as application/problem+json.
 */
export class Problem extends HttpException {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super({ code, detail, ...extra }, httpStatus);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export const PROBLEM_TYPE_BASE = 'https://ledger.example/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemBody(status: number, code: string, detail: string, extra: Record<string, unknown> = {}, instance?: string): ProblemBody {
  return {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    ...(instance ? { instance } : {}),
    ...extra,
  };
}
