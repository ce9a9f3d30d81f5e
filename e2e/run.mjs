// Palisade in a real browser, as its people use it. Run by
// crates/palisade/tests/e2e_browser.rs, which starts `palisade serve` on a
// fresh store and passes PALISADE_URL, PALISADE_SETUP_URL, E2E_OUT.
//
// Each step asserts what the person would see. axe-core checks every page
// visited (WCAG 2.0/2.1 A and AA, 2.2 AA); screenshots of the main pages go to
// E2E_OUT. Exit 0 only when every step passed, no page had an accessibility
// violation, and no page had a script error, a failed load or a 5xx.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, Person, bodyText, fillForm, formWith, problems, seen, submit } from './browser.mjs';
import {
  OUT,
  a11yCheckedCount,
  a11yFailures,
  a11yReport,
  base32Decode,
  checkA11y,
  makePng,
  mainText,
  pathOf,
  saveFailure,
  shot,
  totpAt,
  totpCounter,
} from './lib.mjs';

const SETUP_URL = process.env.PALISADE_SETUP_URL;
assert.ok(SETUP_URL, 'PALISADE_SETUP_URL is not set');

// What the case holds. None of it may appear in an address, a page title, or
// on a page the colleague sees.
const CASE = {
  title: 'Unwanted messages from Mr Quentin Harrow',
  subject: 'Quentin Harrow',
  kind: 'amorous',
  parties: 'Quentin Harrow',
};
const SUMMARY_PHONE = 'Texted at night asking to meet outside the surgery';
const SUMMARY_DESK = 'Phoned reception asking for my home address';
// A patient's message that tries to run script three ways: it must show as text.
const HOSTILE = [
  'I know where you park <script>window.__palisadePwned = "script"</script>',
  '<img src=x onerror="window.__palisadePwned = \'img\'">',
  '<a href="javascript:window.__palisadePwned=\'link\'">click</a>',
  '<svg onload="window.__palisadePwned=\'svg\'"><script>window.__palisadePwned=\'svg-script\'</script></svg>',
].join(' ');
const FLAG_TEXT = 'Chaperone required for this patient';
const PASSWORD = 'correct horse battery staple 42';

const people = {};
const state = { caseId: null, actionKinds: [], entrySummaries: [], flagTexts: [] };

// ------------------------------------------------------------------ steps

const steps = [];
const step = (name, fn) => steps.push({ name, fn });

// A check whose failure fails the step but lets it (and the run) go on: for
// what a person would see wrong without being stopped by it.
let softFailures = [];
function check(ok, message) {
  if (!ok) {
    softFailures.push(message);
    console.log(`     ✗ ${message}`);
  }
}

step('first-run setup via the one-time link', async () => {
  const admin = people.admin;
  const page = admin.page;
  const response = await page.goto(SETUP_URL);
  assert.equal(response.status(), 200, `the setup link answered ${response.status()}`);
  await checkA11y(page, 'setup page');
  await shot(page, 'setup');
  assert.ok(!(await page.title()).includes(pathOf(SETUP_URL).split('/').pop()), 'the setup token is in the page title');
  await fillForm(page, {
    org_name: 'Riverside Medical Practice',
    username: admin.username,
    display_name: admin.displayName,
    password: admin.password,
    password_confirm: admin.password,
  });
  const done = await submit(page, 'org_name');
  assert.equal(done.status(), 200, `setup ended with ${done.status()}: ${await bodyText(page)}`);
  // Signed in straight away, or sent to sign in: either way, sign-in works.
  if (pathOf(page.url()).startsWith('/login')) await admin.signIn();
  else await checkA11y(page, `admin ${pathOf(page.url())} after setup`);
  assert.match(await bodyText(page), /Riverside Medical Practice|Alex Morgan/, 'after setup the page names neither the practice nor the administrator');

  // The link works once only.
  const again = await admin.browser.newPage();
  const second = await again.goto(SETUP_URL);
  assert.ok(second.status() >= 400 || !pathOf(second.url()).startsWith('/setup'), `the setup link still works after use (${second.status()})`);
  await again.close();
});

step('admin creates a clinician, a manager and a colleague', async () => {
  const admin = people.admin;
  const page = admin.page;
  for (const who of [people.drsmith, people.pmjones, people.recep]) {
    await admin.visit('/settings/users', { label: 'users (admin)' });
    await fillForm(page, {
      username: who.username,
      display_name: who.displayName,
      role: who.role,
      password: who.password,
    }, formWith(page, 'display_name'));
    const r = await submit(page, 'display_name');
    assert.equal(r.status(), 200, `creating ${who.username} answered ${r.status()}: ${await mainText(page)}`);
  }
  await admin.visit('/settings/users', { label: 'users (admin)' });
  const text = await mainText(page);
  for (const who of [people.drsmith, people.pmjones, people.recep]) {
    assert.ok(text.includes(who.username) || text.includes(who.displayName), `the user list lacks ${who.username}`);
  }
  await shot(page, 'settings-users');
  await admin.visit('/settings', { label: 'organisation settings (admin)' });
  await shot(page, 'settings');
});

step('clinician signs in and enrols two-factor authentication', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  // A wrong password: refused, with a message saying so, on an accessible page.
  await dr.visit('/login', { label: 'login page' });
  await fillForm(page, { username: dr.username, password: 'not the password' });
  const wrong = await submit(page, 'username');
  assert.equal(wrong.status(), 401, `a wrong password answered ${wrong.status()}`);
  assert.match(await mainText(page), /wrong|incorrect|not right/i, 'a wrong password gives no clear message');
  await checkA11y(page, 'login page, wrong password');
  await shot(page, 'login-error');
  await dr.signIn({ check: true });
  await shot(page, 'dashboard-empty');
  await dr.visit('/account/two-factor', { label: 'two-factor enrolment' });
  // A QR code, and the secret written out for typing in by hand.
  const qr = page.locator('main svg, main img').first();
  assert.ok((await qr.count()) > 0, 'the enrolment page shows no QR code');
  await shot(page, 'two-factor-enrolment');
  const secret = await readTotpSecret(page);
  dr.totpSecret = base32Decode(secret);
  assert.ok(dr.totpSecret.length >= 10, `the two-factor secret is only ${dr.totpSecret.length} bytes`);

  // A wrong code is refused with a message, and nothing changes.
  const current = totpAt(dr.totpSecret, totpCounter());
  await fillForm(page, { code: current === '000000' ? '111111' : '000000' });
  let r = await submit(page, 'code');
  assert.ok(r.status() >= 400 || /not right|incorrect|wrong|did not match|invalid/i.test(await mainText(page)), 'a wrong two-factor code was not refused');
  await checkA11y(page, 'two-factor enrolment, wrong code');

  await fillForm(page, { code: await dr.nextTotp() });
  r = await submit(page, 'code');
  assert.equal(r.status(), 200, `confirming the two-factor code answered ${r.status()}: ${await mainText(page)}`);
  const text = await mainText(page);
  assert.match(text, /recovery code/i, 'no recovery codes shown after enrolment');
  dr.recoveryCodes = readRecoveryCodes(text);
  assert.ok(dr.recoveryCodes.length >= 5, `expected at least 5 recovery codes, found ${dr.recoveryCodes.length}: ${text}`);
  await checkA11y(page, 'recovery codes');
  await shot(page, 'recovery-codes');
});

step('clinician signs out and in again with password and two-factor code', async () => {
  const dr = people.drsmith;
  await dr.signOut();
  await dr.signIn({ check: true });
  // The cookie the session rides on.
  const cookies = await dr.context.cookies(BASE);
  const session = cookies.find((c) => c.name === 'palisade' || c.name === '__Host-palisade');
  assert.ok(session, `no session cookie; cookies: ${cookies.map((c) => c.name)}`);
  assert.equal(session.httpOnly, true, 'the session cookie is readable by script');
  assert.equal(session.sameSite, 'Strict', 'the session cookie is not SameSite=Strict');
  // The security headers on a page.
  const r = await dr.page.goto(BASE + '/');
  const h = r.headers();
  assert.match(h['content-security-policy'] ?? '', /default-src 'none'/);
  assert.match(h['content-security-policy'] ?? '', /frame-ancestors 'none'/);
  assert.doesNotMatch(h['content-security-policy'] ?? '', /unsafe-inline/);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.match(h['cache-control'] ?? '', /no-store/);
  await dr.visit('/account/sessions', { label: 'my sessions' });
  await dr.visit('/account', { label: 'my account' });
});

step('clinician opens a case', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit('/cases/new', { label: 'open a case' });
  await fillForm(page, CASE);
  const r = await submit(page, 'title');
  assert.equal(r.status(), 200, `opening the case answered ${r.status()}: ${await mainText(page)}`);
  const m = pathOf(page.url()).match(/^\/cases\/([^/?#]+)/);
  assert.ok(m, `after opening a case, expected its page, got ${pathOf(page.url())}`);
  state.caseId = m[1];
  assert.ok(!/quentin|harrow/i.test(state.caseId), 'the case id in the address names the patient');
  assert.ok((await mainText(page)).includes(CASE.title), 'the new case page does not show its title');
});

step('clinician quick-logs a message with a photo from a 375-px phone', async () => {
  const dr = people.drsmith;
  const { context, page } = await dr.phone();
  try {
    await dr.visit(`/cases/${state.caseId}/log`, { page, label: 'quick log (phone, 375 px)' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the quick log is ${overflow} px wider than a 375-px phone screen`);
    await shot(page, 'quick-log-mobile');
    const form = formWith(page, 'summary');
    await fillForm(page, {
      channel: 'sms',
      direction: 'inbound',
      occurred_at: localInput(daysAgo(1), '21:40'),
      summary: SUMMARY_PHONE,
      content: HOSTILE,
    }, form);
    await form.locator('input[type=file][name="attachments"]').setInputFiles({
      name: 'screenshot.png',
      mimeType: 'image/png',
      buffer: makePng(64),
    });
    const r = await submit(page, 'summary', { form });
    assert.equal(r.status(), 200, `logging the contact answered ${r.status()}: ${await mainText(page)}`);
    await checkA11y(page, `after quick log (phone) ${pathOf(page.url())}`);
    await shot(page, 'quick-log-mobile-saved');
  } finally {
    await context.close();
  }
  state.entrySummaries.push(SUMMARY_PHONE);
});

step('clinician logs a phone call from the desktop', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}/log`, { label: 'quick log (desktop)' });
  await fillForm(page, {
    channel: 'phone_call',
    direction: 'inbound',
    occurred_at: localInput(daysAgo(3), '09:15'),
    summary: SUMMARY_DESK,
  }, formWith(page, 'summary'));
  const r = await submit(page, 'summary');
  assert.equal(r.status(), 200, `logging the call answered ${r.status()}: ${await mainText(page)}`);
  state.entrySummaries.push(SUMMARY_DESK);
});

step('the case page shows the timeline, the chart and the photo; the hostile message is inert', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}`, { label: 'case page' });
  let text = await mainText(page);
  for (const s of state.entrySummaries) assert.ok(text.includes(s), `the timeline does not show "${s}"`);
  // Open the text message's entry (entries may be collapsed to one line each).
  const entry = page.locator('main li, main article, main details').filter({ hasText: SUMMARY_PHONE }).last();
  const fold = entry.locator('summary').first();
  if ((await fold.count()) > 0 && (await entry.evaluate((e) => e.tagName === 'DETAILS' && !e.open))) await fold.click();
  text = await mainText(page);
  // The patient's markup is shown as the text it is, and ran nothing.
  assert.ok(text.includes('<script>window.__palisadePwned'), 'the message content is not shown as text');
  assert.equal(await page.evaluate(() => window.__palisadePwned), undefined, 'the patient message ran script');
  assert.equal(await page.locator('a[href^="javascript:" i]').count(), 0, 'a javascript: link from the message is live');
  assert.equal(await page.locator('main img[src="x"], main [onerror], main [onload]').count(), 0, 'markup from the message became elements');
  // The contact-frequency chart: inline SVG with at least one bar.
  const chart = page.locator('main svg[role="img"]').first();
  assert.ok((await chart.count()) > 0, 'no contact-frequency chart (svg role=img) on the case page');
  const marks = await chart.locator('rect, circle, path').count();
  assert.ok(marks >= 1, 'the chart has no bars');
  // Drawn, not just present: an SVG element nested where SVG does not render
  // children (e.g. inside an unclosed <line>) has no box.
  const bar = chart.locator('rect').first();
  const box = await bar.boundingBox();
  check(box && box.width > 0 && box.height > 0, `the chart's first bar is not drawn (box ${JSON.stringify(box)}; parent <${await bar.evaluate((e) => e.parentElement.tagName)}>)`);
  await chart.screenshot({ path: path.join(OUT, 'chart.png') });
  // The photo's thumbnail loads, and the original downloads byte for byte.
  const thumb = page.locator('img[src*="/thumbnail"]').first();
  assert.ok((await thumb.count()) > 0, 'no thumbnail for the photo on the case page');
  await thumb.scrollIntoViewIfNeeded();
  assert.ok(await thumb.evaluate((i) => i.complete && i.naturalWidth > 0), 'the thumbnail did not load');
  const original = (await thumb.getAttribute('src')).replace(/\/thumbnail$/, '');
  const download = await dr.context.request.get(BASE + original);
  assert.equal(download.status(), 200, `downloading the photo answered ${download.status()}`);
  assert.ok(Buffer.compare(await download.body(), makePng(64)) === 0, 'the downloaded photo is not the bytes uploaded');
  state.attachmentPath = original;
  await shot(page, 'case-page');
  await page.setViewportSize({ width: 375, height: 812 });
  await checkA11y(page, 'case page at 375 px');
  await page.setViewportSize({ width: 1280, height: 900 });
});

step('the timeline filters narrow the list', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}?channel=phone_call`, { label: 'case page, filtered' });
  const text = await mainText(page);
  assert.ok(text.includes(SUMMARY_DESK), 'filtering by phone call hides the phone call');
  assert.ok(!text.includes(SUMMARY_PHONE), 'filtering by phone call still shows the text message');
});

step('clinician shares the case with the manager', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}/sharing`, { label: 'sharing' });
  const form = formWith(page, 'user');
  const field = form.locator('[name="user"]');
  const isSelect = (await field.evaluate((e) => e.tagName)) === 'SELECT';
  if (isSelect) {
    const labels = await field.locator('option').allInnerTexts();
    assert.ok(!labels.some((l) => l.includes(people.recep.displayName) || l.includes(people.recep.username)), 'a colleague is offered as someone to share with');
  }
  await fillForm(page, { user: isSelect ? people.pmjones.displayName : people.pmjones.username }, form);
  const r = await submit(page, 'user', { form });
  assert.equal(r.status(), 200, `sharing answered ${r.status()}: ${await mainText(page)}`);
  await dr.visit(`/cases/${state.caseId}/sharing`, { label: 'sharing (shared)' });
  assert.ok((await mainText(page)).includes(people.pmjones.displayName), 'the sharing page does not list the manager');
  await shot(page, 'sharing');
});

step('admin, with no share, cannot open the case', async () => {
  const admin = people.admin;
  await admin.visit(`/cases/${state.caseId}`, { status: 404, label: 'case page as admin (404)' });
  assert.ok(!(await bodyText(admin.page)).includes(CASE.title), 'the 404 page shows the case title');
});

step('manager signs in, sees the case, records the formal letter and publishes a colleague flag', async () => {
  const pm = people.pmjones;
  const page = pm.page;
  await pm.signIn();
  assert.ok((await mainText(page)).includes(CASE.title), 'the manager\'s dashboard does not list the shared case');
  await shot(page, 'dashboard');
  await pm.visit(`/cases/${state.caseId}`, { label: 'case page (manager)' });
  assert.ok((await mainText(page)).includes(SUMMARY_PHONE), 'the manager does not see the timeline');

  await pm.visit(`/cases/${state.caseId}/actions/new`, { label: 'record an action' });
  await fillForm(page, {
    kind: 'manager_letter',
    date: isoDate(new Date()),
    by: pm.displayName,
    reference: 'RMP/2026/014',
    notes: 'Letter setting out expected behaviour sent by recorded delivery',
  }, formWith(page, 'kind'));
  let r = await submit(page, 'kind');
  assert.equal(r.status(), 200, `recording the action answered ${r.status()}: ${await mainText(page)}`);
  state.actionKinds.push('manager_letter');

  // The flag form lives on the case page (or its sharing page).
  await pm.visit(`/cases/${state.caseId}`, { label: 'case page (manager, after action)' });
  if ((await page.locator('form[action$="/flags"]').count()) === 0) {
    await pm.visit(`/cases/${state.caseId}/sharing`, { label: 'sharing (manager)' });
  }
  const flagForm = page.locator('form[action$="/flags"]').first();
  assert.ok((await flagForm.count()) > 0, 'the manager finds no form to publish a colleague flag');
  await fillForm(page, { patient: 'Mr Q. Harrow, DOB 01/02/1970', text: FLAG_TEXT }, flagForm);
  r = await submit(page, 'text', { form: flagForm });
  assert.equal(r.status(), 200, `publishing the flag answered ${r.status()}: ${await mainText(page)}`);
  state.flagTexts.push(FLAG_TEXT);
  await pm.visit('/flags', { label: 'flags board (manager)' });
  assert.ok((await mainText(page)).includes(FLAG_TEXT), 'the flag is not on the flags board');
});

step('colleague signs in and sees only the flag', async () => {
  const rc = people.recep;
  const page = rc.page;
  await rc.signIn();
  for (const where of ['/', '/flags']) {
    await rc.visit(where, { label: `colleague ${where}` });
    const text = await bodyText(page);
    if (where === '/flags') {
      assert.ok(text.includes(FLAG_TEXT), 'the colleague does not see the flag');
      await shot(page, 'flags-board');
    }
    for (const secret of [CASE.title, SUMMARY_PHONE, SUMMARY_DESK, 'I know where you park', 'RMP/2026/014']) {
      assert.ok(!text.includes(secret), `the colleague's ${where} shows case content: "${secret}"`);
    }
  }
  await rc.visit(`/cases/${state.caseId}`, { status: 404, label: 'case page as colleague (404)' });
  assert.ok(!(await bodyText(page)).includes(CASE.title), 'the colleague\'s 404 page shows the case title');
  const att = await rc.context.request.get(BASE + state.attachmentPath);
  assert.equal(att.status(), 404, `the colleague fetching the photo got ${att.status()}`);
  for (const p of ['/cases/new', `/cases/${state.caseId}/log`, `/cases/${state.caseId}/audit`]) {
    const resp = await page.goto(BASE + p);
    assert.ok([403, 404].includes(resp.status()), `the colleague opening ${p} got ${resp.status()}`);
  }
});

step('clinician sees the manager\'s action on the case page and as a line on the chart', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}`, { label: 'case page with an action' });
  check(/letter/i.test(await mainText(page)), 'the case page does not show the recorded letter');
  const marks = await page.locator('main svg[role="img"] line.chart__action').count();
  check(marks >= 1, 'the chart shows no vertical line for the action');
  await shot(page, 'case-page-with-action');
  await page.locator('main svg[role="img"]').first().screenshot({ path: path.join(OUT, 'chart-with-action.png') });
});

step('clinician reads the audit trail: the manager\'s views, the action, the share', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}/audit`, { label: 'audit trail' });
  const text = await mainText(page);
  await shot(page, 'audit-trail');
  const pmName = new RegExp(`${people.pmjones.displayName}|${people.pmjones.username}`);
  const lines = text.split('\n');
  const byManager = lines.filter((l) => pmName.test(l));
  check(byManager.length >= 3, `the audit trail shows fewer than 3 events by the manager:\n${text}`);
  check(byManager.some((l) => /view|opened|read/i.test(l)), `the audit trail shows no view by the manager:\n${text}`);
  check(lines.some((l) => /shar/i.test(l)), `the audit trail does not show the share:\n${text}`);
  check(lines.some((l) => /action|letter/i.test(l)), `the audit trail does not show the action:\n${text}`);
  check(lines.some((l) => /download/i.test(l)), `the audit trail does not show the photo's download:\n${text}`);
  check(lines.some((l) => /flag/i.test(l)), `the audit trail does not show the flag:\n${text}`);
});

step('clinician revokes the share and the manager loses the case at once', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  await dr.visit(`/cases/${state.caseId}/sharing`, { label: 'sharing (before revoke)' });
  const revoke = page.locator('form[action*="/shares/"][action$="/revoke"]').first();
  assert.ok((await revoke.count()) > 0, 'no revoke button on the sharing page');
  await Promise.all([page.waitForNavigation(), revoke.locator('button, input[type=submit]').first().click()]);
  await checkA11y(page, `after revoking ${pathOf(page.url())}`);
  await people.pmjones.visit(`/cases/${state.caseId}`, { status: 404, label: 'case page as manager after revoke (404)' });
});

step('a recovery code signs the clinician in once, and only once', async () => {
  const dr = people.drsmith;
  const page = dr.page;
  const code = dr.recoveryCodes[0];
  for (const attempt of ['first', 'second']) {
    await dr.signOut();
    await dr.visit('/login', { label: 'login page' });
    await fillForm(page, { username: dr.username, password: dr.password });
    await submit(page, 'username');
    assert.equal(pathOf(page.url()), '/login/two-factor', `the password led to ${pathOf(page.url())}`);
    await fillForm(page, { code });
    const r = await submit(page, 'code');
    if (attempt === 'first') {
      assert.equal(pathOf(page.url()), '/', `a recovery code did not sign in (${r.status()} on ${pathOf(page.url())}): ${await mainText(page)}`);
    } else {
      assert.notEqual(pathOf(page.url()), '/', 'a recovery code worked twice');
      assert.ok(r.status() >= 400, `a used recovery code answered ${r.status()}`);
      await checkA11y(page, 'two-factor sign-in, refused code');
    }
  }
});

step('no page title or address carried case data', async () => {
  const leaks = [];
  for (const s of seen) {
    const url = decodeURIComponent(s.url);
    for (const secret of [CASE.subject, 'Harrow', 'Quentin', 'park', 'meet outside']) {
      if (s.title.includes(secret)) leaks.push(`${s.who}: title "${s.title}" on ${pathOf(s.url)}`);
      if (url.includes(secret)) leaks.push(`${s.who}: address ${pathOf(s.url)}`);
    }
  }
  assert.deepEqual(leaks, [], 'case data in a title or address');
  assert.ok(seen.length > 20, `only ${seen.length} page loads were seen`);
});

// ------------------------------------------------------------------ helpers

async function readTotpSecret(page) {
  const text = await mainText(page);
  const uri = (await page.content()).match(/otpauth:\/\/[^"'<\s]+/);
  if (uri) {
    const secret = new URL(uri[0].replaceAll('&amp;', '&')).searchParams.get('secret');
    if (secret) return secret;
  }
  for (const el of await page.locator('main code, main kbd, main samp').allInnerTexts()) {
    const clean = el.replace(/[\s-]/g, '');
    if (/^[A-Z2-7]{16,}=*$/.test(clean)) return clean;
  }
  const grouped = text.match(/\b(?:[A-Z2-7]{4}[ -]?){4,}[A-Z2-7]*\b/);
  assert.ok(grouped, `no two-factor secret written out on the enrolment page:\n${text}`);
  return grouped[0];
}

function readRecoveryCodes(text) {
  const codes = text.match(/\b[a-z0-9]{4,6}(?:-[a-z0-9]{4,6})+\b/gi) ?? [];
  return [...new Set(codes)];
}

function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000);
}

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/** A `datetime-local` value for day `d` at `hhmm`. */
function localInput(d, hhmm) {
  return `${isoDate(d)}T${hhmm}`;
}

// ------------------------------------------------------------------ run

// This machine's network is closed: Chromium must not reach out for updates or services.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu'],
});
const mk = (name, username, displayName, role) =>
  new Person(browser, { name, username, displayName, role, password: `${PASSWORD} ${username}` });
people.admin = mk('admin', 'amorgan', 'Alex Morgan', 'admin');
people.drsmith = mk('clinician', 'drsmith', 'Dr Sam Smith', 'clinician');
people.pmjones = mk('manager', 'pmjones', 'Pat Jones', 'manager');
people.recep = mk('colleague', 'recep', 'Robin Reception', 'colleague');
for (const p of Object.values(people)) await p.open();

const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : null;
let failed = 0;
let passed = 0;
const started = Date.now();
for (const { name, fn } of steps) {
  if (only && !only.test(name)) continue;
  const t0 = Date.now();
  softFailures = [];
  try {
    await fn();
    if (softFailures.length) {
      failed++;
      console.log(`FAIL ${name} (${softFailures.length} check(s) failed; the steps after it still run)`);
      for (const p of Object.values(people)) await saveFailure(p.page, `${name}-${p.name}`);
    } else {
      passed++;
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    }
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
    for (const p of Object.values(people)) {
      const files = await saveFailure(p.page, `${name}-${p.name}`);
      if (files.length && p.page.url() !== 'about:blank') console.log(`     ${p.name} was on ${pathOf(p.page.url())}: ${files[0]}`);
    }
    // Later steps depend on earlier ones.
    break;
  }
}
await browser.close();

fs.writeFileSync(
  path.join(OUT, 'scenario.json'),
  JSON.stringify(
    {
      base: BASE,
      case_id: state.caseId,
      entry_summaries: state.entrySummaries,
      action_kinds: state.actionKinds,
      flag_texts: state.flagTexts,
      // Must never reach the server's console or log.
      patient_data: [CASE.title, CASE.subject, 'Harrow', SUMMARY_PHONE, SUMMARY_DESK, 'I know where you park'],
    },
    null,
    2,
  ),
);

if (a11yFailures.length) {
  console.log(`\naxe-core found violations on ${a11yFailures.length} of ${a11yCheckedCount()} pages checked:${a11yReport()}`);
}
if (problems.length) {
  console.log(`\nerrors seen in pages:\n  ${[...new Set(problems)].join('\n  ')}`);
}
const skipped = only ? 0 : steps.length - passed - failed;
console.log(`\nscreenshots: ${OUT}`);
console.log(`browser scenario (${((Date.now() - started) / 1000).toFixed(1)} s, ${a11yCheckedCount()} pages checked with axe-core):`);
console.log(`${passed} passed, ${failed + (a11yFailures.length ? 1 : 0) + (problems.length ? 1 : 0)} failed, ${skipped} skipped`);
process.exit(failed || a11yFailures.length || problems.length ? 1 : 0);
