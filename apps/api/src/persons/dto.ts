import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, Min, ValidateIf } from 'class-validator';
import { PERSON_CATEGORIES } from '@ledger/domain';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const REGION = /^\d{6}$/;
const SCHEMES = ['resident', 'employee'] as const;
const dateMessage = { message: '$property must be a calendar date YYYY-MM-DD' };

export class RegisterPersonDto {
  @ApiProperty({ example: '410327199001011238', description: '18-character resident ID number (GB 11643), check character verified' })
  @IsString()
  @Length(18, 18)
  idNumber!: string;

  @ApiProperty({ example: '张伟' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: '1990-01-01', description: 'must match the birth date inside the ID number' })
  @Matches(ISO_DATE, dateMessage)
  birthDate!: string;

  @ApiPropertyOptional({ enum: PERSON_CATEGORIES, isArray: true })
  @IsOptional()
  @IsIn(PERSON_CATEGORIES, { each: true })
  @ArrayMaxSize(PERSON_CATEGORIES.length)
  categories?: (typeof PERSON_CATEGORIES)[number][];
}

export class EnrollDto {
  @ApiProperty({ enum: SCHEMES })
  @IsIn(SCHEMES)
  scheme!: 'resident' | 'employee';

  @ApiProperty({ example: '410327', description: '6-digit GB/T 2260 region code' })
  @Matches(REGION, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode!: string;

  @ApiProperty({ example: '2024-01-01' })
  @Matches(ISO_DATE, dateMessage)
  enrolledOn!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  employerId?: string;

  @ApiPropertyOptional({ description: 'client-chosen id: resending the same enrollment is idempotent' })
  @IsOptional()
  @IsUUID()
  enrollmentId?: string;
}

export class EndEnrollmentDto {
  @ApiProperty({ example: '2024-06-30' })
  @Matches(ISO_DATE, dateMessage)
  endedOn!: string;

  @ApiProperty({ enum: ['moved_to_employee', 'moved_to_resident', 'transferred_out', 'left_employer', 'death', 'other'] })
  @IsIn(['moved_to_employee', 'moved_to_resident', 'transferred_out', 'left_employer', 'death', 'other'])
  reason!: 'moved_to_employee' | 'moved_to_resident' | 'transferred_out' | 'left_employer' | 'death' | 'other';
}

export class ChangeCategoriesDto {
  @ApiProperty({ enum: PERSON_CATEGORIES, isArray: true, description: 'the full set of categories from effectiveFrom on' })
  @IsIn(PERSON_CATEGORIES, { each: true })
  @ArrayMaxSize(PERSON_CATEGORIES.length)
  categories!: (typeof PERSON_CATEGORIES)[number][];

  @ApiProperty({ example: '2024-03-01' })
  @Matches(ISO_DATE, dateMessage)
  effectiveFrom!: string;
}

export class RecordLapseDto {
  @ApiProperty({ enum: SCHEMES })
  @IsIn(SCHEMES)
  scheme!: 'resident' | 'employee';

  @ApiProperty({ example: '410000' })
  @Matches(REGION, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode!: string;

  @ApiProperty({ example: '2025', description: "coverage year ('2025', resident) or month ('2025-03', employee) not paid" })
  @Matches(/^\d{4}(-(0[1-9]|1[0-2]))?$/, { message: 'period must be YYYY or YYYY-MM' })
  period!: string;

  @ApiProperty({ example: 'no payment received by the end of the extended window', description: 'why the clerk records it' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class RecordContributionDto {
  @ApiProperty()
  @IsUUID()
  personId!: string;

  @ApiPropertyOptional({ description: 'client-chosen id: resending the same payment records it once' })
  @IsOptional()
  @IsUUID()
  contributionId?: string;

  @ApiProperty({ enum: SCHEMES })
  @IsIn(SCHEMES)
  scheme!: 'resident' | 'employee';

  @ApiProperty({ example: '410327' })
  @Matches(REGION, { message: 'regionCode must be a 6-digit GB/T 2260 code' })
  regionCode!: string;

  @ApiPropertyOptional({ example: 2025, description: 'resident scheme: the coverage year paid for' })
  @ValidateIf((o: RecordContributionDto) => o.coverageMonth === undefined)
  @Type(() => Number)
  @IsInt({ message: 'coverageYear or coverageMonth is required' })
  coverageYear?: number;

  @ApiPropertyOptional({ example: '2025-03', description: 'employee scheme: the month paid for' })
  @IsOptional()
  @Matches(ISO_MONTH, { message: 'coverageMonth must be YYYY-MM' })
  coverageMonth?: string;

  @ApiProperty({ example: 40000, description: 'integer fen (1 元 = 100 fen)' })
  @IsInt({ message: 'amountFen must be an integer number of fen' })
  @Min(1, { message: 'amountFen must be positive' })
  amountFen!: number;

  @ApiProperty({ enum: ['individual', 'employer', 'medical_assistance', 'other'] })
  @IsIn(['individual', 'employer', 'medical_assistance', 'other'])
  payer!: 'individual' | 'employer' | 'medical_assistance' | 'other';

  @ApiProperty({ example: '2024-10-15T09:30:00+08:00' })
  @IsISO8601({ strict: true, strictSeparator: true })
  paidAt!: string;

  @ApiPropertyOptional({ enum: ['regular', 'make_up'] })
  @IsOptional()
  @IsIn(['regular', 'make_up'])
  kind?: 'regular' | 'make_up';

  @ApiPropertyOptional({ enum: ['individual', 'unit', 'both'] })
  @IsOptional()
  @IsIn(['individual', 'unit', 'both'])
  part?: 'individual' | 'unit' | 'both';

  @ApiPropertyOptional({ description: 'counter receipt number' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  reference?: string;
}

export class ReverseContributionDto {
  @ApiProperty({ example: 'paid twice at the counter' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class AsOfQuery {
  @ApiPropertyOptional({ example: '2025-03-01', description: 'default: today in Asia/Shanghai' })
  @IsOptional()
  @Matches(ISO_DATE, dateMessage)
  asOf?: string;
}

export class FindPersonsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(18)
  idNumber?: string;

  @ApiPropertyOptional({ description: 'name or the start of it' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}
