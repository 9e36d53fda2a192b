import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isValidIsoDate } from '@ledger/domain';
import { parse } from 'csv-parse/sync';
import type { Response } from 'express';
import { CurrentActor } from '../auth/actor.decorator';
import { Roles } from '../auth/roles.decorator';
import type { Actor } from '../auth/token.service';
import { CorrelationId } from '../common/correlation-id.decorator';
import { Problem } from '../common/problem';
import type { AgencyRequest } from './agency-authenticator';
import type { Agency } from './agency-registry';
import { PaymentBatchDoc, ReconciliationQuery, ReversalDto } from './dto';
import { MAX_UPLOAD_BYTES } from './multipart-raw-body.middleware';
import { PaymentIntake } from './payment-intake';
import { csvRecordToRow, MAX_BATCH_ROWS } from './payment-row';
import { ReconciliationService } from './reconciliation';

/** What multer's memory storage hands over (its global Express.Multer types are not loaded here). */
interface UploadedCsv {
  buffer: Buffer;
}

const REQUIRED_CSV_COLUMNS = ['reference', 'idNumber', 'name', 'scheme', 'regionCode', 'amountFen', 'paidAt'];

function agencyOf(request: AgencyRequest): Agency {
  if (!request.agency) throw new Problem(401, 'agency_signature_missing', 'This route is for signed agency requests.');
  return request.agency;
}

function rowsFromCsv(file: UploadedCsv): unknown[] {
  let records: Record<string, string>[];
  try {
    records = parse(file.buffer, { bom: true, columns: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new Problem(400, 'invalid_csv', `The CSV cannot be read: ${(error as Error).message}`);
  }
  const header = records.length ? Object.keys(records[0]!) : [];
  const missing = REQUIRED_CSV_COLUMNS.filter((c) => !header.includes(c));
  if (records.length && missing.length) throw new Problem(400, 'invalid_csv_header', `The CSV header lacks ${missing.join(', ')}.`, { missing });
  return records.map(csvRecordToRow);
}

function rowsFromJson(body: unknown): unknown[] {
  const payments = (body as { payments?: unknown } | undefined)?.payments;
  if (!Array.isArray(payments))
    throw new Problem(400, 'invalid_batch', 'Send { "payments": [ … ] } as JSON, or a CSV file as multipart/form-data (field "file").');
  return payments;
}

@ApiTags('agency payments')
@ApiHeader({ name: 'X-Agency-Id', required: true })
@ApiHeader({ name: 'X-Timestamp', required: true, description: 'RFC 3339, within 5 minutes of the ledger clock' })
@ApiHeader({ name: 'X-Signature', required: true, description: 'hex HMAC-SHA256 of X-Timestamp + "." + raw body, keyed with the agency secret' })
@Controller('v1/agency')
export class AgencyPaymentsController {
  constructor(
    private readonly intake: PaymentIntake,
    private readonly reconciliation: ReconciliationService,
  ) {}

  @Post('payments')
  @Roles('agency')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } }))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({ type: PaymentBatchDoc, description: 'or multipart/form-data with a CSV in field "file": header row, UTF-8 with or without BOM' })
  @ApiOperation({ summary: 'Post up to 10,000 payments; one result per row, in order (accepted, duplicate, conflict, held, rejected)' })
  async post(
    @Req() request: AgencyRequest,
    @Body() body: unknown,
    @UploadedFile() file: UploadedCsv | undefined,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
  ) {
    const rows = file ? rowsFromCsv(file) : rowsFromJson(body);
    if (rows.length === 0) throw new Problem(400, 'invalid_batch', 'The batch has no payments.');
    if (rows.length > MAX_BATCH_ROWS) throw new Problem(413, 'batch_too_large', `At most ${MAX_BATCH_ROWS} payments a request; this one has ${rows.length}.`);
    return this.intake.post(agencyOf(request), rows, { actor, correlationId });
  }

  @Post('payments/:reference/reversal')
  @Roles('agency')
  @ApiOperation({ summary: "Reverse one of the agency's own payments; 202 and held when the payment has not arrived yet" })
  async reverse(
    @Req() request: AgencyRequest,
    @Param('reference') reference: string,
    @Body() dto: ReversalDto,
    @CurrentActor() actor: Actor,
    @CorrelationId() correlationId: string,
    @Res({ passthrough: true }) response: Response,
  ) {
    const result = await this.intake.reverse(agencyOf(request), reference, dto.reason, { actor, correlationId, reason: dto.reason });
    response.status(result.status === 'held' || !result.projected ? 202 : 200);
    if (result.position) response.setHeader('Ledger-Position', String(result.position));
    return { reference, ...result };
  }

  @Get('reconciliation')
  @Roles('agency')
  @ApiOperation({
    summary: 'Receipts of one China-time day of payment with totals per status and a SHA-256 of the canonical list; CSV with ?format=csv or Accept: text/csv',
  })
  async reconcile(
    @Req() request: AgencyRequest,
    @Query() query: ReconciliationQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!isValidIsoDate(query.date)) throw new Problem(400, 'invalid_date', `date ${query.date} is not a calendar date.`, { field: 'date' });
    const result = await this.reconciliation.forDay(agencyOf(request).id, query.date);
    const csv = query.format === 'csv' || (query.format === undefined && /text\/csv/i.test(accept ?? ''));
    if (!csv) return result;
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="reconciliation-${query.date}.csv"`);
    response.setHeader('Reconciliation-Digest', `sha256=${result.digest.value}`);
    return ReconciliationService.csv(result);
  }
}
