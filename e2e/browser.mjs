// The people of the scenario and what they do in a page: sign in, fill and
// send forms, visit pages (each one checked with axe-core and watched for
// errors), read what the page shows.

import assert from 'node:assert/strict';
import { checkA11y, pathOf, shot, totpAt, totpCounter, watch } from './lib.mjs';

export const BASE = process.env.PALISADE_URL;
if (!BASE) throw new Error('PALISADE_URL is not set (run through cargo test -p palisade --test e2e_browser)');

/**
 * E2E_WORKAROUND_ORIGIN_NULL=1 (for developing the scenario only; never set by
 * the cargo test): rewrite the `Origin: null` that Chromium sends on form
 * posts from a page with `Referrer-Policy: no-referrer` into the real origin,
 * to get past a server that refuses `Origin: null`.
 */
const ORIGIN_WORKAROUND = process.env.E2E_WORKAROUND_ORIGIN_NULL === '1';

async function applyWorkarounds(context) {
  if (!ORIGIN_WORKAROUND) return;
  const origin = new URL(BASE).origin;
  await context.route('**/*', async (route) => {
    const req = route.request();
    const headers = await req.allHeaders();
    if (req.method() === 'POST' && headers.origin === 'null') {
      // Chromium will not let an interception change Origin: send it from
      // Playwright's side (same cookies) and hand the answer to the page.
      const response = await route.fetch({ headers: { ...headers, origin }, maxRedirects: 0 });
      await route.fulfill({ response });
    } else {
      await route.continue();
    }
  });
}

/** Every page title and address seen, checked at the end for case data. */
export const seen = [];
/** Script errors, console errors, failed loads and 5xx answers. */
export const problems = [];

/**
 * One person in one browser context (their own cookies).
 * `viewport` defaults to a laptop screen.
 */
export class Person {
  constructor(browser, { name, username, password, displayName, role }) {
    Object.assign(this, { browser, name, username, password, displayName, role });
    this.totpSecret = null;
    this.lastTotpCounter = -1;
  }

  async open(options = {}) {
    this.context = await this.browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
      ...options,
    });
    this.context.setDefaultTimeout(15_000);
    await applyWorkarounds(this.context);
    this.page = await this.newPage(this.context, this.name);
    return this;
  }

  async newPage(context, label) {
    const page = await context.newPage();
    watch(page, label, problems);
    page.on('load', async () => {
      try {
        seen.push({ who: label, url: page.url(), title: await page.title() });
      } catch {
        /* the page closed first */
      }
    });
    return page;
  }

  /** A phone-sized second context sharing this person's session cookie. */
  async phone() {
    const state = await this.context.storageState();
    const context = await this.browser.newContext({
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'en-GB',
      timezoneId: 'Europe/London',
      storageState: state,
    });
    context.setDefaultTimeout(15_000);
    await applyWorkarounds(context);
    return { context, page: await this.newPage(context, `${this.name} (phone)`) };
  }

  async close() {
    await this.context?.close();
  }

  /** Go to `path`, expect `status`, check accessibility; returns the response. */
  async visit(path, { status = 200, label, page = this.page } = {}) {
    const response = await page.goto(BASE + path);
    assert.ok(response, `no response for ${path}`);
    assert.equal(response.status(), status, `${this.name}: GET ${path} answered ${response.status()}, expected ${status}`);
    await checkA11y(page, label ?? `${this.name} ${path}`);
    return response;
  }

  /** The next unused TOTP code (a server may refuse a code used twice). */
  async nextTotp() {
    assert.ok(this.totpSecret, `${this.name} has no two-factor secret`);
    // Not in the last 3 s of a 30-s step either, so the code is still
    // current when the form arrives.
    let counter = totpCounter();
    if ((counter + 1) * 30_000 - Date.now() < 3_000) counter += 1;
    if (counter <= this.lastTotpCounter) counter = this.lastTotpCounter + 1;
    if (counter > totpCounter()) {
      const wait = counter * 30_000 - Date.now() + 500;
      console.log(`  waiting ${Math.ceil(wait / 1000)} s for a fresh two-factor code`);
      await new Promise((r) => setTimeout(r, wait));
      counter = totpCounter();
    }
    this.lastTotpCounter = counter;
    return totpAt(this.totpSecret, counter);
  }

  /** Sign in with password (and TOTP when asked); lands on the dashboard. */
  async signIn({ check = false } = {}) {
    const page = this.page;
    await this.visit('/login', { label: check ? 'login page' : `${this.name} /login` });
    if (check) await shot(page, 'login');
    await fillForm(page, { username: this.username, password: this.password });
    let response = await submit(page, 'username');
    if (pathOf(page.url()).startsWith('/login/two-factor')) {
      await checkA11y(page, 'two-factor sign-in page');
      if (check) await shot(page, 'login-two-factor');
      await fillForm(page, { code: await this.nextTotp() });
      response = await submit(page, 'code');
    }
    assert.equal(response.status(), 200, `${this.name}: sign-in ended on ${pathOf(page.url())} with ${response.status()}`);
    assert.equal(pathOf(page.url()), '/', `${this.name}: after signing in, expected the dashboard, got ${pathOf(page.url())}: ${await bodyText(page)}`);
    await checkA11y(page, `${this.name} dashboard`);
  }

  async signOut() {
    const page = this.page;
    const button = page.locator('form[action="/logout"] button, form[action="/logout"] input[type=submit]').first();
    assert.ok((await button.count()) > 0, `${this.name}: no sign-out button on ${pathOf(page.url())}`);
    await Promise.all([page.waitForNavigation(), button.click()]);
    // Signed out: a page that needs a session sends us to sign in.
    const response = await page.goto(BASE + '/');
    assert.ok(pathOf(response.url()).startsWith('/login'), `${this.name}: after signing out, / should lead to /login, got ${pathOf(response.url())}`);
  }
}

/** The form holding a field called `field` (first, or inside `scope`). */
export function formWith(page, field, scope = page) {
  return scope.locator(`form:has([name="${field}"])`).first();
}

/** Fill fields by name: selects by value or label, checkboxes by boolean. */
export async function fillForm(page, values, form = null) {
  for (const [name, value] of Object.entries(values)) {
    const scope = form ?? page;
    const field = scope.locator(`[name="${name}"]`).first();
    assert.ok((await field.count()) > 0, `no field named ${name} on ${pathOf(page.url())}`);
    const tag = await field.evaluate((e) => e.tagName.toLowerCase());
    const type = (await field.getAttribute('type')) ?? '';
    if (tag === 'select') {
      await selectOption(field, value);
    } else if (type === 'checkbox') {
      if (value) await field.check();
      else await field.uncheck();
    } else if (type === 'radio') {
      await scope.locator(`[name="${name}"][value="${value}"]`).check();
    } else {
      await field.fill(String(value));
    }
  }
}

/** Choose an option by value, by exact label, or by a label containing `want`. */
async function selectOption(select, want) {
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, label: o.textContent.trim() })));
  const hit =
    options.find((o) => o.value === want) ??
    options.find((o) => o.label === want) ??
    options.find((o) => o.label.toLowerCase().includes(String(want).toLowerCase()));
  assert.ok(hit, `no option ${JSON.stringify(want)} in a select offering ${JSON.stringify(options)}`);
  await select.selectOption(hit.value);
}

/**
 * Send the form that holds `field` with its submit button and wait for the
 * page it leads to; returns that page's response (after redirects).
 */
export async function submit(page, field, { form = null, button = null } = {}) {
  const f = form ?? formWith(page, field);
  assert.ok((await f.count()) > 0, `no form with a ${field} field on ${pathOf(page.url())}`);
  const b = button ?? f.locator('button[type=submit], button:not([type]), input[type=submit]').first();
  assert.ok((await b.count()) > 0, `the form with ${field} on ${pathOf(page.url())} has no submit button`);
  const [response] = await Promise.all([page.waitForNavigation(), b.click()]);
  assert.ok(response, `sending the ${field} form on ${pathOf(page.url())} gave no page`);
  return response;
}

export async function bodyText(page) {
  return page.locator('body').innerText();
}
