/**
 * The service loop as people see it (issue 10): a visitor on a phone rates the chat that just
 * ended; a supervisor finds the follow-up and puts it right; the owner's dashboard shows it with
 * a chart, and a table downloads as CSV with the right rows. English and Russian screenshots.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatWorld, consoleLogin, SHOTS, shot, visitorPage, visitorSays, type World } from './harness';

let w: World;
chatWorld((world) => (w = world));

describe('ratings, follow-ups and the dashboard', () => {
  it('a visitor on a phone rates the ended chat "worse"; a supervisor follows it up; the dashboard and its CSV show it', async () => {
    const phone = await visitorPage(w, '/', { viewport: { width: 390, height: 844 } });
    await visitorSays(phone, 'My beans never arrived');
    const op = await consoleLogin(w);
    await op.click('.row >> text=My beans never arrived');
    await op.fill('.pane textarea', 'Let me check the tracking.');
    await op.press('.pane textarea', 'Enter');
    await phone.waitForSelector('.bk-them >> text=Let me check the tracking.');
    await op.click('.pane .actions button >> text=End chat');
    await op.click('.pane .confirm-bar button >> text=End chat');

    // the rating card appears once the chat has ended
    await phone.waitForSelector('.bk-rate >> text=How did the chat go?');
    await shot(phone, 'widget-rating-phone');
    await phone.click('.bk-face >> text=Worse than expected');
    await phone.fill('.bk-rate textarea', 'Still no parcel after two weeks');
    await phone.click('.bk-rate button[type=submit]');
    await phone.waitForSelector('.bk-rate [role=status] >> text=We are sorry');
    await shot(phone, 'widget-rating-sent-phone');
    // no SMTP here: the card offers no email
    expect(await phone.locator('.bk-rate >> text=Email me').count()).toBe(0);

    // the operator sees the verdict on the chat
    await op.waitForSelector('.pane .rating-line >> text=Still no parcel after two weeks');

    const admin = await consoleLogin(w, w.admin);
    await admin.waitForSelector('nav >> text=Follow-ups (1)');
    await admin.click('nav >> text=Follow-ups');
    await admin.click('.fu-list .row >> text=Still no parcel');
    await admin.waitForSelector('.fu-transcript >> text=My beans never arrived');
    await admin.click(".fu-detail button >> text=Take it");
    await admin.fill('.fu-note textarea', 'Called; re-shipped with express delivery');
    await admin.click('.fu-note button');
    await admin.waitForSelector('.fu-notes >> text=re-shipped with express delivery');
    await admin.screenshot({ path: join(SHOTS, 'console-follow-up.png') });
    await admin.click('.fu-resolve button >> text=Put right');
    await admin.waitForSelector('.fu-detail .chip >> text=put right');
    await admin.waitForSelector('nav button:text-is("Follow-ups")');

    await admin.click('nav >> text=Dashboard');
    await admin.waitForSelector('.tile >> text=Conversations');
    await admin.waitForSelector('.chart canvas');
    await admin.waitForSelector('.bar-row:has-text("Worse than expected") b:text-is("1")');
    const tall = async (width: number) => admin.setViewportSize({ width, height: Math.min(4000, await admin.evaluate(() => document.querySelector('.page')!.scrollHeight + 120)) });
    await tall(1400);
    await admin.screenshot({ path: join(SHOTS, 'console-dashboard.png') });

    // a table as CSV, with the right rows
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.click('.card:has(h2:text("Operators")) button >> text=CSV')]);
    const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const rows = csv.trim().split(/\r\n/).map((r) => r.split(','));
    expect(rows[0]).toEqual(['operator', 'conversations', 'first_response_median_s', 'first_response_p90_s', 'duration_median_s', 'better', 'as', 'worse']);
    expect(rows.slice(1)).toEqual([[expect.any(String), '1', expect.stringMatching(/^\d+(\.\d+)?$/), expect.stringMatching(/^\d+(\.\d+)?$/), expect.stringMatching(/^\d+(\.\d+)?$/), '0', '0', '1']]);

    await admin.click('.lang >> text=RU');
    await admin.waitForSelector('h1 >> text=Сводка');
    await admin.waitForSelector('.bar-row:has-text("Хуже ожиданий")');
    await admin.setViewportSize({ width: 390, height: 844 });
    await tall(390);
    await admin.screenshot({ path: join(SHOTS, 'console-dashboard-ru-phone.png') });
    // the settings of the loop, in Russian: NPS, how long a rating stays open, who is alerted, whether email works
    await admin.setViewportSize({ width: 1400, height: 860 });
    await admin.click('.lang >> text=RU');
    await admin.click('nav >> text=Настройки');
    const quality = admin.locator('h2:text("Оценки и уведомления")');
    await quality.scrollIntoViewIfNeeded();
    await admin.waitForSelector('.banner.warn >> text=Почта на этом сервере не настроена');
    await admin.screenshot({ path: join(SHOTS, 'console-settings-quality-ru.png') });
    await admin.click('.lang >> text=EN');
    await admin.context().close();
    await op.context().close();
    await phone.context().close();
  });

  it('the rating card in Russian', async () => {
    const phone = await visitorPage(w, '/', { viewport: { width: 390, height: 844 }, locale: 'ru-RU' });
    await visitorSays(phone, 'Здравствуйте, есть ли декаф?');
    const op = await consoleLogin(w);
    await op.click('.row >> text=есть ли декаф');
    await op.click('.pane .actions button >> text=End chat');
    await op.click('.pane .confirm-bar button >> text=End chat');
    await phone.waitForSelector('.bk-rate >> text=Как прошёл чат?');
    await phone.click('.bk-face >> text=Лучше ожиданий');
    await phone.click('.bk-rate button[type=submit]');
    await phone.waitForSelector('.bk-rate [role=status] >> text=Спасибо за отзыв!');
    await shot(phone, 'widget-rating-ru-phone');
    await op.context().close();
    await phone.context().close();
  });
});
