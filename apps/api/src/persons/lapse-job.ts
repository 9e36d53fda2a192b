import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { lapsesDue, type LapseRecordedData } from '@ledger/domain';
import { DataSource } from 'typeorm';
import type { CommandContext } from '../common/ledger-writer';
import { ExecutePersonCommand, type PersonCommandResult } from './person-command';
import { STATE_COLUMNS, stateOfRow, type StateRow } from './person-state-rows';

export interface LapseRunResult {
  periodEnd: string;
  personsScanned: number;
  lapsesRecorded: number;
}

const PAGE = 500;

/**
 * The period-end job: a lapse (断保) for everyone whose next period was not paid. The read model
 * only nominates candidates; each lapse goes through the person's decider on the stream, which
 * appends nothing for a period already lapsed or paid, so a rerun records nothing new.
 */
@Injectable()
export class LapseJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly commands: CommandBus,
  ) {}

  async run(periodEnd: string, context: CommandContext): Promise<LapseRunResult> {
    let after = '00000000-0000-0000-0000-000000000000';
    let personsScanned = 0;
    let lapsesRecorded = 0;
    for (;;) {
      const page: Array<StateRow & { personId: string }> = await this.dataSource.query(
        `SELECT v."personId", ${STATE_COLUMNS} FROM person_view v WHERE v."personId" > $1 ORDER BY v."personId" LIMIT $2`,
        [after, PAGE],
      );
      if (page.length === 0) break;
      for (const view of page) {
        personsScanned++;
        for (const due of lapsesDue(stateOfRow(view), periodEnd)) {
          const lapse = due.data as LapseRecordedData;
          const result: PersonCommandResult = await this.commands.execute(
            new ExecutePersonCommand(
              view.personId,
              { type: 'RecordLapse', data: { scheme: lapse.scheme, regionCode: lapse.regionCode, period: lapse.period, recordedFor: periodEnd } },
              { ...context, reason: `period-end lapse job for ${periodEnd}` },
            ),
          );
          lapsesRecorded += result.events.length;
        }
      }
      after = page[page.length - 1].personId;
    }
    return { periodEnd, personsScanned, lapsesRecorded };
  }
}
