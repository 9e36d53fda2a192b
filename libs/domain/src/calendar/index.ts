export { CalendarError } from './calendar-error';
export type { CalendarErrorCode } from './calendar-error';
export { CHINA_HOLIDAY_NOTICES } from './holiday-notices';
export type { HolidayNotice, HolidayRange } from './holiday-notices';
export { addWorkingDays, chinaWorkingDayCalendar, createWorkingDayCalendar, isWorkingDay, workingDaysBetween } from './working-day-calendar';
export type { WorkingDayCalendar } from './working-day-calendar';
