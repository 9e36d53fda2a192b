import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class ReversalDto {
  @ApiProperty({ example: 'paid twice at the bank counter' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;
}

export class ReconciliationQuery {
  @ApiProperty({ example: '2025-01-15', description: 'China-time day of paidAt' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'date must be YYYY-MM-DD' })
  date!: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'or send Accept: text/csv' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class ListQuery {
  @ApiPropertyOptional({ example: 100, description: 'at most 500' })
  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be 1-500' })
  limit?: string;

  @ApiPropertyOptional({ description: 'id of the last item of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;
}

export class PaymentRowDoc {
  @ApiProperty({ example: 'BANK-20250115-000001', description: "the agency's own unique reference: posting it again is a duplicate" })
  reference!: string;
  @ApiProperty({ example: '410327199001011238' })
  idNumber!: string;
  @ApiProperty({ example: '张伟' })
  name!: string;
  @ApiProperty({ enum: ['resident', 'employee'] })
  scheme!: string;
  @ApiProperty({ example: '410327' })
  regionCode!: string;
  @ApiPropertyOptional({ example: 2025 })
  coverageYear?: number;
  @ApiPropertyOptional({ example: '2025-03' })
  coverageMonth?: string;
  @ApiProperty({ example: 40000 })
  amountFen!: number;
  @ApiProperty({ example: '2024-10-15T09:30:00+08:00' })
  paidAt!: string;
}

export class PaymentBatchDoc {
  @ApiProperty({ type: [PaymentRowDoc], description: 'up to 10,000 rows; each row is checked on its own' })
  payments!: PaymentRowDoc[];
}
