import type { Browser, Page } from 'playwright-core';

export const CHROMIUM: string;
export function servePlayground(): Promise<{ url: string; close(): Promise<void> }>;
export function launchChromium(): Promise<Browser>;
export function settled(page: Page): Promise<void>;
