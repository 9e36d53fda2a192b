import { Module } from '@nestjs/common';
import { ContributionsController } from './contributions.controller';
import { CoverageFastPath } from './coverage-fast-path';
import { LapseJob } from './lapse-job';
import { LapsesController } from './lapses.controller';
import { ExecutePersonCommandHandler } from './person-command';
import { PersonQueries } from './person-queries';
import { PersonRegistry } from './person-registry';
import { PersonStates } from './person-states';
import { PersonsController } from './persons.controller';
import { PoliciesController } from './policies.controller';

@Module({
  controllers: [PersonsController, ContributionsController, PoliciesController, LapsesController],
  providers: [ExecutePersonCommandHandler, PersonRegistry, PersonQueries, PersonStates, LapseJob, CoverageFastPath],
  exports: [PersonQueries, PersonStates, LapseJob],
})
export class PersonsModule {}
