import { Controller, Get, Param, ParseIntPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isDomainError, listPolicies, resolvePolicy } from '@ledger/domain';
import { Roles } from '../auth/roles.decorator';
import { Problem } from '../common/problem';

@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/policies')
export class PoliciesController {
  @Get()
  @Roles('clerk', 'auditor', 'agency')
  @ApiOperation({ summary: 'The policy catalogue: which regions and coverage years are configured, and from which sources' })
  list() {
    return { policies: listPolicies() };
  }

  /** Asked as a resource, an unconfigured region or year is 404; inside a command it is 422. */
  private resolve(regionCode: string, year: number) {
    try {
      return resolvePolicy(regionCode, year);
    } catch (error) {
      if (isDomainError(error)) throw new Problem(404, error.code, error.message);
      throw error;
    }
  }

  @Get(':regionCode/:year')
  @Roles('clerk', 'auditor', 'agency')
  @ApiOperation({ summary: 'The effective policy of a region and coverage year after inheritance (what to charge, windows, waiting rule)' })
  get(@Param('regionCode') regionCode: string, @Param('year', ParseIntPipe) year: number) {
    if (!/^\d{6}$/.test(regionCode)) throw new Problem(400, 'invalid_region_code', 'regionCode must be a 6-digit GB/T 2260 code.', { field: 'regionCode' });
    const policy = this.resolve(regionCode, year);
    const { resident } = policy;
    return {
      regionCode: policy.regionCode,
      coverageYear: policy.coverageYear,
      individualContributionFen: resident.individualContributionFen,
      individualContributionByCategoryFen: resident.personalShareByCategoryFen,
      subsidyFen: resident.subsidyFen,
      centralizedWindow: resident.centralizedWindow,
      extendedWindow: resident.extendedWindow,
      waitingPeriod: resident.waitingPeriod,
      employeeGapRule: policy.employeeGapRule,
      exemptCategories: policy.exemptCategories,
      newbornGraceDays: policy.newbornGraceDays,
      employee: policy.employee,
      definedBy: policy.definedBy,
      sources: policy.sources,
      assumptions: policy.assumptions,
    };
  }
}
