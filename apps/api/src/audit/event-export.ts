import { stringify } from 'csv-stringify';
import type { StoredEvent } from '@ledger/event-store';
import type { Response } from 'express';
import { maskIdNumbersIn } from '../common/logging';

export type ExportFormat = 'ndjson' | 'csv';

const CSV_COLUMNS = ['position', 'eventId', 'streamName', 'revision', 'type', 'recordedAt', 'actor', 'correlationId', 'causationId', 'reason', 'data'];

/**
 * Writes pages of events to the response as they are read, waiting for the socket to drain,
 * so an export of millions of events holds one page in memory. ID numbers are masked unless revealed.
 */
export async function streamEvents(response: Response, format: ExportFormat, reveal: boolean, pages: AsyncIterable<StoredEvent[]>): Promise<void> {
  const clean = (text: string) => (reveal ? text : maskIdNumbersIn(text));
  response.status(200);
  response.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  const write = (chunk: string) => (response.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => response.once('drain', () => resolve())));
  if (format === 'ndjson') {
    for await (const page of pages) {
      await write(
        page
          .map((e) =>
            clean(
              JSON.stringify({
                position: e.position,
                eventId: e.eventId,
                streamName: e.streamName,
                revision: e.revision,
                type: e.type,
                recordedAt: e.metadata.recordedAt,
                metadata: e.metadata,
                data: e.data,
              }),
            ),
          )
          .join('\n') + (page.length ? '\n' : ''),
      );
    }
  } else {
    const csv = stringify({ header: true, columns: CSV_COLUMNS, bom: true });
    csv.on('data', (chunk: Buffer) => response.write(chunk));
    const ended = new Promise<void>((resolve, reject) => {
      csv.on('end', resolve);
      csv.on('error', reject);
    });
    for await (const page of pages) {
      for (const e of page) {
        const m = e.metadata;
        const ok = csv.write([
          e.position,
          e.eventId,
          e.streamName,
          e.revision,
          e.type,
          m.recordedAt,
          m.actor,
          m.correlationId,
          m.causationId,
          m.reason ?? '',
          clean(JSON.stringify(e.data)),
        ]);
        if (!ok) await new Promise((resolve) => csv.once('drain', resolve));
      }
      if (response.writableNeedDrain) await new Promise((resolve) => response.once('drain', resolve));
    }
    csv.end();
    await ended;
  }
  response.end();
}
