import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeResidentId } from '@ledger/domain';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { BusinessClock } from '../../apps/api/src/transfers/business-clock';
import { startTestApp, type TestApp } from '../support/test-app';

// The callbacks given to waitForFunction/evaluate run in the page; this file is compiled without the DOM library.
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  documentElement: { scrollWidth: number; clientWidth: number };
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const hasChromium = existsSync(CHROMIUM);
const suite = hasChromium ? describe : describe.skip;
const title = hasChromium
  ? 'the clerk page in headless Chromium'
  : `the clerk page in headless Chromium — SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const TODAY = '2024-10-14';

/**
 * The real service on a port, the page it serves, and a clerk using it: log in, find a person,
 * take a transfer through every step with the page's buttons, and see the person's timeline change.
 */
suite(title, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let http: ReturnType<typeof request>;
  let seq = 500;
  const pageErrors: string[] = [];
  const clerk = () => ({ Authorization: `Bearer ${t.clerkToken}` });
  const on = (date: string) => jest.spyOn(t.app.get(BusinessClock), 'today').mockReturnValue(date);

  async function person(region: string, birthDate: string, name: string): Promise<{ personId: string; idNumber: string }> {
    const idNumber = makeResidentId(region, birthDate, seq++);
    const res = await http.post('/v1/persons').set(clerk()).send({ idNumber, name, birthDate }).expect(201);
    return { personId: res.body.personId, idNumber };
  }

  /** An employee in Luoyang (Henan) since January 2024, paid January to August. */
  async function luoyangEmployee(name: string, employerId?: string) {
    const p = await person('410302', '1990-03-07', name);
    await http
      .post(`/v1/persons/${p.personId}/enrollments`)
      .set(clerk())
      .send({ scheme: 'employee', regionCode: '410302', enrolledOn: '2024-01-01', ...(employerId ? { employerId } : {}) })
      .expect(201);
    for (let m = 1; m <= 8; m++) {
      const month = `2024-0${m}`;
      await http
        .post('/v1/contributions')
        .set(clerk())
        .send({
          personId: p.personId,
          scheme: 'employee',
          regionCode: '410302',
          coverageMonth: month,
          amountFen: 60000,
          payer: 'employer',
          part: 'both',
          paidAt: `${month}-15T10:00:00+08:00`,
        })
        .expect(201);
    }
    return p;
  }

  async function seedQueueAndEmployers() {
    // An older request, overdue by the page's date, and one well within its deadline.
    const late = await luoyangEmployee('Liu Yang');
    on('2024-09-20');
    await http.post('/v1/transfers').set(clerk()).send({ personId: late.personId, fromRegion: '410300', toRegion: '310100', scheme: 'employee' }).expect(201);
    const other = await luoyangEmployee('Chen Jing');
    on('2024-10-09');
    await http
      .post('/v1/transfers')
      .set(clerk())
      .send({ personId: other.personId, fromRegion: '410300', toRegion: '320100', scheme: 'employee', channel: 'online', requestedBy: 'person' })
      .expect(201);

    on('2024-01-05');
    await http
      .post('/v1/employers')
      .set(clerk())
      .send({
        employerId: 'yiyang-machinery',
        name: 'Yiyang Machinery Co.',
        unitType: 'enterprise',
        staffCount: 120,
        smeQualified: false,
        regionCode: '410302',
      })
      .expect(201);
    await http
      .post('/v1/employers')
      .set(clerk())
      .send({
        employerId: 'luoyang-textiles',
        name: 'Luoyang Textiles Ltd.',
        unitType: 'enterprise',
        staffCount: 860,
        smeQualified: true,
        regionCode: '410302',
      })
      .expect(201);
    await http
      .post('/v1/employers')
      .set(clerk())
      .send({
        employerId: 'county-bureau',
        name: 'County Water Bureau',
        unitType: 'government_body',
        staffCount: 45,
        smeQualified: false,
        regionCode: '410302',
      })
      .expect(201);
    const a = await luoyangEmployee('Zhao Lei', 'yiyang-machinery');
    const b = await luoyangEmployee('Qian Yu', 'yiyang-machinery');
    const c = await luoyangEmployee('Sun Mei', 'luoyang-textiles');
    await http
      .post('/v1/employers/yiyang-machinery/deferrals')
      .set(clerk())
      .send({ deferralId: 'ym-2024q1', months: ['2024-01', '2024-02', '2024-03'], employees: [a.personId, b.personId] })
      .expect(201);
    on('2024-06-20');
    await http.post('/v1/employers/yiyang-machinery/deferrals/ym-2024q1/make-ups').set(clerk()).send({ personId: a.personId, fen: 180000 }).expect(201);
    await http
      .post('/v1/employers/luoyang-textiles/deferrals')
      .set(clerk())
      .send({ deferralId: 'lt-2024q3', months: ['2024-07', '2024-08', '2024-09'], employees: [c.personId] })
      .expect(201);
  }

  async function newPage(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  async function logIn(page: Page) {
    await page.goto(`${base}/clerk/`);
    await page.fill('input[name=token]', t.clerkToken);
    await page.click('button:has-text("Log in as a clerk")');
    await page.waitForSelector('nav.tabs');
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    http = request(t.app.getHttpServer());
    await seedQueueAndEmployers();
    on(TODAY);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    jest.restoreAllMocks();
    await t?.close();
  });

  it('serves the page itself, publicly, and keeps the API behind the token', async () => {
    await http.get('/').expect(302).expect('Location', '/clerk/');
    const html = await http.get('/clerk/').expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const version = /main\.js\?v=([0-9a-f]+)/.exec(html.text)?.[1];
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const js = await http.get('/clerk/assets/main.js').expect(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text.length).toBeGreaterThan(10_000);
    await http
      .get('/clerk/assets/main.css')
      .expect(200)
      .expect('Content-Type', /text\/css/);
    await http.get('/clerk/assets/other.js').expect(404);
    await http.get('/v1/transfers').expect(401);
  });

  it('refuses a wrong token on the login screen with the API’s problem', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    await page.goto(`${base}/clerk/`);
    await page.fill('input[name=token]', 'lt_not-a-real-token');
    await page.click('button:has-text("Log in as a clerk")');
    const problem = page.locator('.problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('invalid_token');
    expect(await problem.textContent()).toContain('The bearer token is unknown or revoked.');
    await page.fill('input[name=token]', t.auditorToken);
    await page.click('button:has-text("Log in as a clerk")');
    await page.waitForFunction(() => document.querySelector('.problem')?.textContent?.includes('forbidden_for_role'));
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-login-refused.png') });
    await context.close();
  });

  it('logs in as a clerk, finds a person, completes a transfer end to end through the buttons and sees the timeline change', async () => {
    const zhang = await luoyangEmployee('Zhang Wei');
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    await logIn(page);

    // Find the person by ID number: one match opens the person.
    await page.fill('input[name=q]', zhang.idNumber);
    await page.click('form.search button[type=submit]');
    await page.waitForSelector(`[data-person="${zhang.personId}"]`);
    expect(await page.locator('.person-head h2').textContent()).toBe('Zhang Wei');
    expect(await page.locator('.chart rect.bar.enrollment').count()).toBe(1);
    expect(await page.locator('.chart rect.bar.covered').count()).toBeGreaterThan(0);

    // A same-province move is refused with the API's words and code.
    await page.fill('input[name=toRegion]', '410100');
    await page.click('button:has-text("Request transfer")');
    await page.waitForSelector('.problem:has-text("not_cross_province")');
    expect(await page.locator('.problem p').first().textContent()).toMatch(/inside a province/);

    await page.fill('input[name=toRegion]', '440100');
    await page.click('button:has-text("Request transfer")');
    await page.waitForSelector('.notice:has-text("Transfer requested")');
    expect(await page.locator('.notice').textContent()).toContain('2024-10-28');
    // The request form folds away once the refreshed list shows the open transfer; the confirmation stays in view.
    await page.waitForFunction(() => document.querySelector('details.subform')?.getAttribute('open') === null);
    expect(await page.locator('.notice:has-text("Transfer requested")').isVisible()).toBe(true);

    await page.click('nav.tabs a:has-text("Transfers")');
    const card = page.locator('li.transfer', { hasText: 'Zhang Wei' });
    await card.waitFor();
    expect(await card.getAttribute('data-step')).toBe('requested');
    expect(await card.locator('.deadline').textContent()).toContain('10 working days left');
    expect(await card.locator('.waiting').textContent()).toContain('wait for Henan 410302 to confirm the transfer-out');
    const overdue = page.locator('li.transfer.is-overdue', { hasText: 'Liu Yang' });
    expect(await overdue.locator('.deadline').textContent()).toMatch(/Overdue by 3 working days \(due 2024-10-10\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-desktop-transfers.png'), fullPage: true });

    await card.locator('.actions button:has-text("Confirm transfer-out")').click();
    const sheet = card.locator('form.panel');
    await sheet.locator('input[name=coverageEnd]').waitFor();
    expect(await sheet.locator('input[name=coverageEnd]').inputValue()).toBe('2024-08-31');
    expect(await sheet.locator('input[name=actualContributionMonths]').inputValue()).toBe('8');
    await sheet.locator('input[name=personalAccount]').fill('1234.56');
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-desktop-transfer-out-sheet.png'), fullPage: true });
    await sheet.locator('button[type=submit]').click();
    await page.waitForFunction(
      (name) =>
        [...document.querySelectorAll('li.transfer')].some((li) => li.textContent?.includes(name) && li.getAttribute('data-step') === 'transferred_out'),
      'Zhang Wei',
    );
    expect(await card.locator('.waiting').textContent()).toContain('Applicant waits for Guangdong 440100 to complete the transfer-in');
    expect(await card.locator('.deadline').textContent()).toContain('Due 2024-10-21');

    await card.locator('.actions button:has-text("Complete transfer")').click();
    const completion = card.locator('form.panel');
    expect(await completion.locator('input[name=newEnrollmentOn]').inputValue()).toBe('2024-09-01');
    await completion.locator('button[type=submit]').click();
    await page.waitForFunction(
      (name) => [...document.querySelectorAll('li.transfer')].some((li) => li.textContent?.includes(name) && li.getAttribute('data-step') === 'completed'),
      'Zhang Wei',
    );
    expect(await card.locator('.actions').count()).toBe(0);

    // Back to the person: the old enrollment ends with its cover, the new one starts via the transfer.
    await card.locator('a.person-link').click();
    await page.waitForSelector(`[data-person="${zhang.personId}"]`);
    await page.waitForSelector('.chart rect.bar.enrollment.via-transfer');
    expect(await page.locator('.chart rect.bar.enrollment').count()).toBe(2);
    expect(await page.locator('.chart rect.bar.enrollment.via-transfer title').textContent()).toContain(
      'Guangdong 440100 · employee scheme · 2024-09-01 → open · via transfer',
    );
    expect(await page.locator('[data-event-type=EnrollmentEnded]').textContent()).toContain('ended 2024-08-31 · Transferred out');
    expect(await page.locator('[data-event-type=EnrolledInScheme]').last().textContent()).toContain('via transfer, no waiting period');
    expect(await page.locator('.plain li').first().textContent()).toContain('Completed');
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-desktop-person-timeline.png'), fullPage: true });

    await page.setViewportSize(PHONE);
    // The chart redraws at the new width once its ResizeObserver reports it.
    await page.waitForFunction((w) => Number(document.querySelector('.chart svg')?.getAttribute('width')) < w, PHONE.width);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-phone-person-timeline.png'), fullPage: true });
    await context.close();
  });

  it('shows a second clerk’s conflict with the fresh state', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    await logIn(page);
    await page.click('nav.tabs a:has-text("Transfers")');
    const card = page.locator('li.transfer', { hasText: 'Chen Jing' });
    await card.waitFor();
    // Another clerk confirms the transfer-out while this page still shows the request.
    const transferId = await card.getAttribute('data-transfer');
    await http.post(`/v1/transfers/${transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 0 }).expect(201);
    await card.locator('.actions button:has-text("Reject")').click();
    await card.locator('textarea[name=reason]').fill('documents missing');
    await card.locator('form.panel button[type=submit]').click();
    await card.locator('.problem:has-text("concurrency_conflict")').waitFor();
    expect(await card.locator('.problem').textContent()).toContain('Someone else got there first');
    expect(await card.getAttribute('data-step')).toBe('transferred_out');
    await context.close();
  });

  it('lists the employers’ deferrals with make-up due dates and overdue make-ups', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await newPage(context);
    await logIn(page);
    await page.click('nav.tabs a:has-text("Employers")');
    const yiyang = page.locator('li.employer', { hasText: 'Yiyang Machinery Co.' });
    await yiyang.waitFor();
    expect(await yiyang.locator('[data-deferral=ym-2024q1]').textContent()).toMatch(/Make-up overdue.*make-up due 2024-06-30/);
    expect(await page.locator('li.employer', { hasText: 'Luoyang Textiles' }).locator('[data-deferral=lt-2024q3]').textContent()).toContain(
      'make-up due 2024-12-31',
    );
    expect(await page.locator('li.employer', { hasText: 'County Water Bureau' }).textContent()).toContain('Not eligible');
    await page.selectOption('select[aria-label=Deferrals]', 'overdue');
    await page.waitForFunction(() => document.querySelectorAll('li.employer').length === 1);
    await page.selectOption('select[aria-label=Deferrals]', '');
    await page.waitForFunction(() => document.querySelectorAll('li.employer').length === 3);
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-desktop-employers.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    await page.waitForFunction(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-phone-employers.png'), fullPage: true });
    await context.close();
  });

  it('shows held agency payments, or says clearly that they are not available', async () => {
    const answer = await http.get('/v1/clerk/held-payments').set(clerk());
    const context = await browser.newContext({ viewport: PHONE });
    const page = await newPage(context);
    await logIn(page);
    await page.click('nav.tabs a:has-text("Held payments")');
    if (answer.status === 404) {
      await page.waitForSelector('.notice.unavailable');
      expect(await page.locator('.notice.unavailable').textContent()).toContain('Not available.');
    } else {
      expect(answer.status).toBe(200);
      await page.waitForSelector('table, .empty');
      expect(await page.locator('.problem').count()).toBe(0);
    }
    await page.click('nav.tabs a:has-text("Transfers")');
    await page.waitForSelector('li.transfer');
    await page.screenshot({ path: join(ARTIFACTS, 'clerk-phone-transfers.png'), fullPage: true });
    await context.close();
  });

  it('ran without a single script error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
