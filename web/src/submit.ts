// The pending and error state around an async call that a button or form
// starts: one call at a time, the failure kept and shown in the active locale.
import { useCallback, useRef, useState } from 'react';
import { useErrorText } from './errors';

export interface Submit {
  busy: boolean;
  /** The last failure (an ApiError or Error), null when none. */
  error: unknown;
  /** That failure in the active locale (errorText), null when none. */
  message: string | null;
  /** Runs fn unless a call is pending; true when it ran and did not throw. */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  /** Shows a failure that did not come from run (a check made before the call). */
  fail: (e: unknown) => void;
  clear: () => void;
}

export function useSubmit(): Submit {
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const pending = useRef(false);
  const run = useCallback(async (fn: () => Promise<unknown>): Promise<boolean> => {
    if (pending.current) return false;
    pending.current = true;
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e ?? new Error('failed'));
      return false;
    } finally {
      pending.current = false;
      setBusy(false);
    }
  }, []);
  const fail = useCallback((e: unknown) => setError(e), []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, message: error ? errorText(error) : null, run, fail, clear };
}
