import type { Command } from 'commander';
import { registerAuditCommands } from './audit/audit.cli';
import { registerAgencyCommands } from './agency/agency.cli';
import { registerLapseCommands } from './persons/lapse.cli';

/** Feature modules add their operator commands here (each registers on the shared program). */
export const CLI_COMMANDS: Array<(program: Command) => void> = [registerAuditCommands, registerLapseCommands, registerAgencyCommands];
