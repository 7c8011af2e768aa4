// A modal form: title, fields, the error of the last submit, Cancel and a
// primary submit button. It cannot be dismissed while its call is pending.
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBar, useCommonStyles } from './common';

export function FormDialog({
  title,
  submitLabel,
  cancelLabel,
  busy = false,
  canSubmit = true,
  error,
  alert = false,
  onSubmit,
  onClose,
  children,
}: {
  title: ReactNode;
  submitLabel: ReactNode;
  /** Defaults to Cancel. */
  cancelLabel?: ReactNode;
  busy?: boolean;
  canSubmit?: boolean;
  /** The failure to show under the fields (already in the active locale). */
  error?: string | null;
  /** A confirmation (role alertdialog) rather than a form to fill in. */
  alert?: boolean;
  onSubmit: () => void | Promise<unknown>;
  onClose: () => void;
  children?: ReactNode;
}) {
  const c = useCommonStyles();
  const { t } = useTranslation();
  return (
    <Dialog open modalType={alert ? 'alert' : 'modal'} onOpenChange={(_, d) => !d.open && !busy && onClose()}>
      <DialogSurface>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (busy || !canSubmit) return;
            void onSubmit();
          }}
        >
          <DialogBody>
            <DialogTitle>{title}</DialogTitle>
            <DialogContent className={c.form}>
              {children}
              <ErrorBar message={error} />
            </DialogContent>
            <DialogActions>
              <Button type="button" onClick={onClose} disabled={busy}>
                {cancelLabel ?? t('cancel')}
              </Button>
              <Button type="submit" appearance="primary" disabled={busy || !canSubmit}>
                {submitLabel}
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
