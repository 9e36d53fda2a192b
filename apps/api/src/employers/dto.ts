import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { DEPARTURE_REASONS, UNIT_TYPES } from '@ledger/domain';

const REGION = /^\d{6}$/;
const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const EMPLOYER_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Optional on employer actions: given, a stale revision is a 409 with the fresh state; omitted, the action is decided on the latest state. */
export class EmployerActionDto {
  @ApiPropertyOptional({ description: 'the employer revision the clerk saw' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedRevision?: number;
}

export class RegisterEmployerDto {
  @ApiPropertyOptional({ example: '91410327MA44XXXX1X', description: 'the unit code; default: a generated id' })
  @IsOptional()
  @Matches(EMPLOYER_ID, { message: 'employerId must be 1-64 letters, digits, dots, dashes or underscores' })
  employerId?: string;

  @ApiProperty({ example: '宜阳县某某机械有限公司' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: UNIT_TYPES })
  @IsIn(UNIT_TYPES)
  unitType!: (typeof UNIT_TYPES)[number];

  @ApiProperty({ example: 120 })
  @IsInt()
  @Min(0)
  staffCount!: number;

  @ApiProperty({ description: 'meets the SME (中小企业) classification' })
  @IsBoolean()
  smeQualified!: boolean;

  @ApiProperty({ example: '410327' })
  @Matches(REGION, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode!: string;
}

export class RecordArrearsDto extends EmployerActionDto {
  @ApiProperty({ description: 'months in arrears now (a total, not a change)' })
  @IsInt()
  @Min(0)
  months!: number;

  @ApiProperty({ description: 'fen owed now' })
  @IsInt()
  @Min(0)
  fen!: number;
}

export class GrantDeferralDto extends EmployerActionDto {
  @ApiPropertyOptional({ description: 'default: a generated id' })
  @IsOptional()
  @Matches(EMPLOYER_ID, { message: 'deferralId must be 1-64 letters, digits, dots, dashes or underscores' })
  deferralId?: string;

  @ApiProperty({ example: ['2024-07', '2024-08', '2024-09'], description: 'consecutive contribution months deferred' })
  @IsArray()
  @ArrayMaxSize(24)
  @Matches(ISO_MONTH, { each: true, message: 'months must be YYYY-MM' })
  months!: string[];

  @ApiProperty({ description: 'person ids of the employees whose unit part is deferred' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @IsUUID('all', { each: true })
  employees!: string[];
}

export class RecordMakeUpDto extends EmployerActionDto {
  @ApiProperty({ description: 'fen paid' })
  @IsInt()
  @Min(1)
  fen!: number;

  @ApiPropertyOptional({ description: 'one employee; omitted: everything the deferral still owes' })
  @IsOptional()
  @IsUUID()
  personId?: string;
}

export class RecordDepartureDto extends EmployerActionDto {
  @ApiProperty()
  @IsUUID()
  personId!: string;

  @ApiProperty({ enum: DEPARTURE_REASONS })
  @IsIn(DEPARTURE_REASONS)
  reason!: (typeof DEPARTURE_REASONS)[number];
}

export class EmployerListQuery {
  @ApiPropertyOptional({ enum: ['active', 'overdue'], description: 'active: a deferral not fully made up; overdue: past its make-up date' })
  @IsOptional()
  @IsIn(['active', 'overdue'])
  deferral?: 'active' | 'overdue';
}
