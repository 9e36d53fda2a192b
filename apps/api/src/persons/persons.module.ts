import { Module } from '@nestjs/common';
import { ContributionsController } from './contributions.controller';
import { LapseJob } from './lapse-job';
import { LapsesController } from './lapses.controller';
import { ExecutePersonCommandHandler } from './person-command';
import { PersonQueries } from './person-queries';
import { PersonRegistry } from './person-registry';
import { PersonsController } from './persons.controller';
import { PoliciesController } from './policies.controller';

@Module({
  controllers: [PersonsController, ContributionsController, PoliciesController, LapsesController],
  providers: [ExecutePersonCommandHandler, PersonRegistry, PersonQueries, LapseJob],
  exports: [PersonQueries, LapseJob],
})
export class PersonsModule {}
