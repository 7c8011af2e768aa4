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

/** A submit for a form that checks its own fields before the call. */
export interface CheckedSubmit extends Submit {
  /** True once the user tried to submit (or left a field that calls touch): fields show their errors from then on. */
  touched: boolean;
  touch: () => void;
  /** Marks the fields touched, then runs fn when they are valid; false when they are not or fn did not succeed. */
  runIfValid: (valid: boolean, fn: () => Promise<unknown>) => Promise<boolean>;
}

export function useCheckedSubmit(): CheckedSubmit {
  const submit = useSubmit();
  const [touched, setTouched] = useState(false);
  const touch = useCallback(() => setTouched(true), []);
  const { run } = submit;
  const runIfValid = useCallback(
    (valid: boolean, fn: () => Promise<unknown>) => {
      setTouched(true);
      return valid ? run(fn) : Promise.resolve(false);
    },
    [run],
  );
  return { ...submit, touched, touch, runIfValid };
}
