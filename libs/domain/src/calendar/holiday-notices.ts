/**
 * China's public holidays and adjusted working days (调休), one entry per annual State
 * Council notice (国务院办公厅关于YYYY年部分节假日安排的通知). Data, not logic: adding a year
 * means adding a notice here, and a year without a notice is refused rather than guessed.
 *
 * `holidays` are the announced off ranges (inclusive, as announced, so weekend days inside a
 * range are included); each lists the Saturdays/Sundays it turns into working days.
 *
 * Doubts, recorded so they can be checked against the published notices:
 * - 2021–2025 are transcribed from memory of the notices; every adjusted working day was
 *   checked to fall on a weekend, every announced range to contain its festival, and each
 *   year's net loss of working days to equal its statutory holiday days (see the spec).
 * - 2026 (国办发明电〔2025〕7号 as recalled) matches the figures in the brief; it is the
 *   most recent notice and the one whose document number is least certain.
 * - The 2023 New Year break began on Saturday 2022-12-31; it belongs to the 2023 notice.
 *   That date is a weekend anyway, so the 2022 calendar is unaffected.
 */
export interface HolidayRange {
  readonly name: string;
  readonly from: string;
  readonly to: string;
  /** Weekend days this break turns into working days (调休上班). */
  readonly workingDays?: readonly string[];
}

export interface HolidayNotice {
  readonly year: number;
  readonly source: string;
  readonly holidays: readonly HolidayRange[];
  /**
   * Not the State Council's notice but the statutory holidays alone (全国年节及纪念日放假办法),
   * without the adjusted working days the notice will add. Deadlines computed in such a year are
   * shown as provisional; replace the entry when the notice is published.
   */
  readonly provisional?: boolean;
}

export const CHINA_HOLIDAY_NOTICES: readonly HolidayNotice[] = [
  {
    year: 2021,
    source: '国办发明电〔2020〕27号',
    holidays: [
      { name: '元旦', from: '2021-01-01', to: '2021-01-03' },
      { name: '春节', from: '2021-02-11', to: '2021-02-17', workingDays: ['2021-02-07', '2021-02-20'] },
      { name: '清明节', from: '2021-04-03', to: '2021-04-05' },
      { name: '劳动节', from: '2021-05-01', to: '2021-05-05', workingDays: ['2021-04-25', '2021-05-08'] },
      { name: '端午节', from: '2021-06-12', to: '2021-06-14' },
      { name: '中秋节', from: '2021-09-19', to: '2021-09-21', workingDays: ['2021-09-18'] },
      { name: '国庆节', from: '2021-10-01', to: '2021-10-07', workingDays: ['2021-09-26', '2021-10-09'] },
    ],
  },
  {
    year: 2022,
    source: '国办发明电〔2021〕11号',
    holidays: [
      { name: '元旦', from: '2022-01-01', to: '2022-01-03' },
      { name: '春节', from: '2022-01-31', to: '2022-02-06', workingDays: ['2022-01-29', '2022-01-30'] },
      { name: '清明节', from: '2022-04-03', to: '2022-04-05', workingDays: ['2022-04-02'] },
      { name: '劳动节', from: '2022-04-30', to: '2022-05-04', workingDays: ['2022-04-24', '2022-05-07'] },
      { name: '端午节', from: '2022-06-03', to: '2022-06-05' },
      { name: '中秋节', from: '2022-09-10', to: '2022-09-12' },
      { name: '国庆节', from: '2022-10-01', to: '2022-10-07', workingDays: ['2022-10-08', '2022-10-09'] },
    ],
  },
  {
    year: 2023,
    source: '国办发明电〔2022〕16号',
    holidays: [
      { name: '元旦', from: '2022-12-31', to: '2023-01-02' },
      { name: '春节', from: '2023-01-21', to: '2023-01-27', workingDays: ['2023-01-28', '2023-01-29'] },
      { name: '清明节', from: '2023-04-05', to: '2023-04-05' },
      { name: '劳动节', from: '2023-04-29', to: '2023-05-03', workingDays: ['2023-04-23', '2023-05-06'] },
      { name: '端午节', from: '2023-06-22', to: '2023-06-24', workingDays: ['2023-06-25'] },
      { name: '中秋节、国庆节', from: '2023-09-29', to: '2023-10-06', workingDays: ['2023-10-07', '2023-10-08'] },
    ],
  },
  {
    year: 2024,
    source: '国办发明电〔2023〕7号',
    holidays: [
      { name: '元旦', from: '2024-01-01', to: '2024-01-01' },
      { name: '春节', from: '2024-02-10', to: '2024-02-17', workingDays: ['2024-02-04', '2024-02-18'] },
      { name: '清明节', from: '2024-04-04', to: '2024-04-06', workingDays: ['2024-04-07'] },
      { name: '劳动节', from: '2024-05-01', to: '2024-05-05', workingDays: ['2024-04-28', '2024-05-11'] },
      { name: '端午节', from: '2024-06-08', to: '2024-06-10' },
      { name: '中秋节', from: '2024-09-15', to: '2024-09-17', workingDays: ['2024-09-14'] },
      { name: '国庆节', from: '2024-10-01', to: '2024-10-07', workingDays: ['2024-09-29', '2024-10-12'] },
    ],
  },
  {
    // First year under the revised 全国年节及纪念日放假办法: +1 day at Spring Festival
    // (New Year's Eve, 除夕) and +1 at Labour Day, 13 statutory days in all.
    year: 2025,
    source: '国办发明电〔2024〕12号',
    holidays: [
      { name: '元旦', from: '2025-01-01', to: '2025-01-01' },
      { name: '春节', from: '2025-01-28', to: '2025-02-04', workingDays: ['2025-01-26', '2025-02-08'] },
      { name: '清明节', from: '2025-04-04', to: '2025-04-06' },
      { name: '劳动节', from: '2025-05-01', to: '2025-05-05', workingDays: ['2025-04-27'] },
      { name: '端午节', from: '2025-05-31', to: '2025-06-02' },
      { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08', workingDays: ['2025-09-28', '2025-10-11'] },
    ],
  },
  {
    year: 2026,
    source: '国办发明电〔2025〕7号',
    holidays: [
      { name: '元旦', from: '2026-01-01', to: '2026-01-03', workingDays: ['2026-01-04'] },
      { name: '春节', from: '2026-02-15', to: '2026-02-23', workingDays: ['2026-02-14', '2026-02-28'] },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06' },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05', workingDays: ['2026-05-09'] },
      { name: '端午节', from: '2026-06-19', to: '2026-06-21' },
      { name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
      { name: '国庆节', from: '2026-10-01', to: '2026-10-07', workingDays: ['2026-09-20', '2026-10-10'] },
    ],
  },
  {
    // The 2027 notice is usually published in November or December of 2026 and is not loaded yet.
    // Without this entry every transfer requested from mid-December 2026 would be refused, because
    // its 10-working-day deadline falls in 2027. These are the statutory days only (lunar dates:
    // 除夕 2027-02-05, 春节 02-06, 端午 06-09, 中秋 09-15), with no 调休.
    year: 2027,
    source: '全国年节及纪念日放假办法 (2024 revision), statutory days only: provisional until the 2027 notice',
    provisional: true,
    holidays: [
      { name: '元旦', from: '2027-01-01', to: '2027-01-01' },
      { name: '春节', from: '2027-02-05', to: '2027-02-08' },
      { name: '清明节', from: '2027-04-05', to: '2027-04-05' },
      { name: '劳动节', from: '2027-05-01', to: '2027-05-02' },
      { name: '端午节', from: '2027-06-09', to: '2027-06-09' },
      { name: '中秋节', from: '2027-09-15', to: '2027-09-15' },
      { name: '国庆节', from: '2027-10-01', to: '2027-10-03' },
    ],
  },
];
