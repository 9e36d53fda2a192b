import { PassThrough, type Writable } from 'node:stream';
import type { NextFunction, Response } from 'express';
import { Problem } from '../common/problem';
import type { AuthenticatedRequest } from '../auth/auth.guard';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Agencies sign the raw body, and for multipart uploads no body parser keeps it: this reads the
 * upload into request.rawBody before the guard checks the signature, then lets multer read the
 * same bytes again by answering its `req.pipe(busboy)` from the buffer.
 */
export async function multipartRawBody(request: AuthenticatedRequest, _response: Response, next: NextFunction): Promise<void> {
  const type = request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type) || request.headers['x-agency-id'] === undefined || request.rawBody) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_UPLOAD_BYTES) throw new Problem(413, 'upload_too_large', `The upload is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  request.rawBody = body;
  let replay: PassThrough | undefined;
  request.pipe = (<T extends NodeJS.WritableStream>(destination: T): T => {
    replay = new PassThrough();
    replay.end(body);
    return replay.pipe(destination as unknown as Writable) as unknown as T;
  }) as typeof request.pipe;
  request.unpipe = ((destination?: NodeJS.WritableStream) => {
    replay?.unpipe(destination as Writable | undefined);
    return request;
  }) as typeof request.unpipe;
  next();
}
