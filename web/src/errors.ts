// What the admin reads when a call fails: the translation of the server's
// error code (`errors.<code>` in the locale files) when there is one, else the
// server's own message. Messages made here (network, HTTP status) are already
// in the admin's language.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import en from './locales/en-US';

export function errorText(t: TFunction, e: unknown): string {
  if (e instanceof ApiError && Object.prototype.hasOwnProperty.call(en.errors, e.code)) {
    return t(`errors.${e.code}`, { defaultValue: e.message });
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** errorText bound to the active locale. */
export function useErrorText(): (e: unknown) => string {
  const { t } = useTranslation();
  return (e: unknown) => errorText(t, e);
}
