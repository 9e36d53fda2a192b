import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested } from 'class-validator';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const REGION = /^\d{6}$/;
const SCHEMES = ['employee', 'resident'] as const;
const dateMessage = { message: '$property must be a calendar date YYYY-MM-DD' };
const regionMessage = { message: '$property must be a 6-digit GB/T 2260 region code' };

export class RequestTransferDto {
  @ApiProperty()
  @IsUUID()
  personId!: string;

  @ApiProperty({ example: '410300', description: 'the old region (transfer-out)' })
  @Matches(REGION, regionMessage)
  fromRegion!: string;

  @ApiProperty({ example: '440100', description: 'the new region, where the request is made (transfer-in)' })
  @Matches(REGION, regionMessage)
  toRegion!: string;

  @ApiProperty({ enum: SCHEMES })
  @IsIn(SCHEMES)
  scheme!: 'employee' | 'resident';

  @ApiPropertyOptional({ enum: ['online', 'counter'], default: 'counter' })
  @IsOptional()
  @IsIn(['online', 'counter'])
  channel?: 'online' | 'counter';

  @ApiPropertyOptional({ enum: ['person', 'clerk'], default: 'clerk', description: 'who applied: the insured person, or the clerk for them' })
  @IsOptional()
  @IsIn(['person', 'clerk'])
  requestedBy?: 'person' | 'clerk';
}

/** Every action names the revision the clerk saw: a stale one is a 409 with the fresh state. */
export class TransferActionDto {
  @ApiProperty({ example: 0, description: 'the transfer revision the clerk saw' })
  @IsInt()
  @Min(0)
  expectedRevision!: number;
}

export class EnrollmentPeriodDto {
  @ApiProperty() @Matches(ISO_DATE, dateMessage) from!: string;
  @ApiProperty() @Matches(ISO_DATE, dateMessage) to!: string;
  @ApiProperty() @Matches(REGION, regionMessage) regionCode!: string;
  @ApiProperty({ enum: SCHEMES }) @IsIn(SCHEMES) scheme!: 'employee' | 'resident';
}

/** Corrections a clerk makes to the drafted information sheet; anything left out keeps the ledger's figure. */
export class CertificateCorrectionsDto {
  @ApiPropertyOptional({ example: '2024-08-31' })
  @IsOptional()
  @Matches(ISO_DATE, dateMessage)
  coverageEnd?: string;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) actualContributionMonths?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) deemedContributionMonths?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) continuousYears?: number;
  @ApiPropertyOptional({ description: 'fen' }) @IsOptional() @IsInt() @Min(0) arrearsFen?: number;
  @ApiPropertyOptional({ description: 'fen moved with the personal account' }) @IsOptional() @IsInt() @Min(0) personalAccountFen?: number;

  @ApiPropertyOptional({ type: [EnrollmentPeriodDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EnrollmentPeriodDto)
  enrollmentPeriods?: EnrollmentPeriodDto[];
}

export class ConfirmTransferOutDto extends TransferActionDto {
  @ApiPropertyOptional({ type: CertificateCorrectionsDto, description: 'omitted: the sheet drafted from the ledger (GET …/certificate-draft) as it is' })
  @IsOptional()
  @ValidateNested()
  @Type(() => CertificateCorrectionsDto)
  certificate?: CertificateCorrectionsDto;
}

export class CompleteTransferDto extends TransferActionDto {
  @ApiPropertyOptional({ example: '2024-09-01', description: 'default: the day after the old cover ends' })
  @IsOptional()
  @Matches(ISO_DATE, dateMessage)
  newEnrollmentOn?: string;

  @ApiPropertyOptional({ description: 'the new employer, for an employee-scheme enrollment' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  employerId?: string;
}

export class RejectTransferDto extends TransferActionDto {
  @ApiProperty({ example: '参保信息不一致', description: 'shown to the applicant' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

const STATUSES = ['open', 'all', 'requested', 'transferred_out', 'completed', 'rejected', 'cancelled'] as const;

export class TransferQueueQuery {
  @ApiPropertyOptional({ enum: STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: (typeof STATUSES)[number];

  @ApiPropertyOptional({ description: 'true: only past their deadline; false: only not' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsUUID()
  personId?: string;
}
