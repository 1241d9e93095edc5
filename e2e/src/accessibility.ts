import { AxeBuilder } from '@axe-core/playwright';
import axe from 'axe-core';
import { expect, type Page } from '@playwright/test';
import { screenshotPath } from './screenshots.js';

/** The widths every state is checked and photographed at: a desktop window and a 390 px phone. */
export const WIDTHS = [
  { label: 'desktop', width: 1280, height: 800 },
  { label: '390', width: 390, height: 844 },
] as const;

/** WCAG 2.2's target size (2.5.8, AA), off in axe by default: the 390 px layout is for fingers. */
const OPTIONS = { rules: { 'target-size': { enabled: true } } };

/**
 * axe's source, evaluated only where the page has no axe yet: AxeBuilder
 * evaluates it twice per run, and each is about 0.3 s of a core here.
 */
const AXE_ONCE_PER_DOCUMENT = `if (typeof window.axe === 'undefined') {\n${axe.source}\n}`;

/**
 * Runs axe (every rule axe runs by default: WCAG 2.x A and AA and best
 * practices, plus target size) on the page as it is now, at each of WIDTHS,
 * expects no violation, and saves a screenshot per width as
 * `<name>-<width>.png`. Legacy mode runs axe in the page itself: the default
 * mode opens a blank page per run to merge the results of frames, which this
 * app does not have.
 */
export async function expectAccessibleAtEveryWidth(page: Page, name: string): Promise<void> {
  for (const { label, width, height } of WIDTHS) {
    await page.setViewportSize({ width, height });
    const { violations } = await new AxeBuilder({ page, axeSource: AXE_ONCE_PER_DOCUMENT }).options(OPTIONS).setLegacyMode().analyze();
    const found = violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(found, `axe violations on "${name}" at ${label}`).toEqual([]);
    await page.screenshot({ path: screenshotPath(`${name}-${label}`), fullPage: true });
  }
}
