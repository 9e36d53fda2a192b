import { createHmac } from 'node:crypto';

/** The headers an agency sends: what the ledger verifies, written once for clients, tests and the benchmark. */
export function agencySignatureHeaders(agencyId: string, secret: string, rawBody: string | Buffer, at: Date = new Date()): Record<string, string> {
  const timestamp = at.toISOString();
  const signature = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return { 'X-Agency-Id': agencyId, 'X-Timestamp': timestamp, 'X-Signature': signature };
}
