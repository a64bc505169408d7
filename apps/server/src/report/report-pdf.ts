import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { AchievementReport } from './achievement-report';
import { coverage, renderAchievementReport } from './report-html';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export class PdfUnavailableError extends Error {
  override readonly name = 'PdfUnavailableError';
}

/**
 * The report's HTML printed to A4 by Chromium, which embeds the Japanese font it
 * draws with (IPA Gothic from Debian's fonts-ipafont-gothic). Every page's
 * footer names the position the report covers and the chain's root hash there.
 */
export async function renderAchievementPdf(report: AchievementReport, chromiumPath: string): Promise<Buffer> {
  if (!existsSync(chromiumPath)) {
    throw new PdfUnavailableError(`PDF の作成には Chromium が必要です（${chromiumPath} がありません。apt-get install chromium fonts-ipafont-gothic）`);
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, args: FLAGS });
  try {
    const page = await browser.newPage();
    await page.setContent(renderAchievementReport(report), { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:6.5pt;width:100%;padding:0 10mm;font-family:'IPAGothic',sans-serif;display:flex;justify-content:space-between;">
        <span>${coverage(report).replace(/[<>&]/g, '')}</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
      margin: { top: '12mm', bottom: '16mm', left: '10mm', right: '10mm' },
    });
  } finally {
    await browser.close();
  }
}
