import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en-US';
import zhTW from './locales/zh-TW';
import deDE from './locales/de-DE';
import zhCN from './locales/zh-CN';

export const LOCALES = ['en-US', 'zh-TW', 'de-DE', 'zh-CN'] as const;
export type AppLocale = (typeof LOCALES)[number];

/** The language's own name, shown in the language switch. */
export const LOCALE_NAMES: Record<AppLocale, string> = {
  'en-US': 'English (United States)',
  'zh-TW': '中文 (台灣)',
  'de-DE': 'Deutsch (Deutschland)',
  'zh-CN': '中文 (中国)',
};

/** BCP 47 tag for <html lang>: explicit scripts so Chromium picks the right CJK glyphs. */
export const HTML_LANG: Record<AppLocale, string> = {
  'en-US': 'en-US',
  'zh-TW': 'zh-Hant-TW',
  'de-DE': 'de-DE',
  'zh-CN': 'zh-Hans-CN',
};

/** Maps any language tag to a supported locale, or null. */
export function matchLocale(tag: string | null | undefined): AppLocale | null {
  if (!tag) return null;
  const l = tag.toLowerCase().replace(/_/g, '-');
  for (const loc of LOCALES) if (loc.toLowerCase() === l) return loc;
  const [lang] = l.split('-');
  if (lang === 'zh') {
    if (/(^|-)(hant|tw|hk|mo)(-|$)/.test(l)) return 'zh-TW';
    return 'zh-CN';
  }
  if (lang === 'de') return 'de-DE';
  if (lang === 'en') return 'en-US';
  return null;
}

void i18n.use(initReactI18next).init({
  resources: {
    'en-US': { translation: en },
    'zh-TW': { translation: zhTW },
    'de-DE': { translation: deDE },
    'zh-CN': { translation: zhCN },
  },
  lng: 'en-US',
  fallbackLng: 'en-US',
  supportedLngs: [...LOCALES],
  load: 'currentOnly',
  interpolation: { escapeValue: false },
  returnNull: false,
  react: { useSuspense: false },
});

export default i18n;
