import { Button, Checkbox, Field, Input, Radio, RadioGroup, makeStyles } from '@fluentui/react-components';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BillingCycle, Offer } from '../api';
import type { NewLine } from '../cart';
import { multiply, useFormat } from '../format';
import { useCheckedSubmit } from '../submit';
import { CheckedForm, ErrorBar, useCommonStyles } from './common';

const useStyles = makeStyles({
  radioRow: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: '8px' },
  quantity: { maxWidth: '200px' },
});

export function priceOf(offer: Offer, cycle: BillingCycle) {
  return offer.prices.find((p) => p.billingCycle === cycle)?.unitPrice;
}

export function PurchaseForm({
  offer,
  showAutoAssign,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  offer: Offer;
  showAutoAssign: boolean;
  submitLabel: string;
  onSubmit: (line: NewLine) => Promise<void>;
  onCancel?: () => void;
}) {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const idBase = useId();
  const cycles = (['monthly', 'annual'] as BillingCycle[]).filter((cy) => priceOf(offer, cy));
  const min = Math.max(1, offer.minQuantity ?? 1);
  const max = offer.maxQuantity ?? 300;
  const [quantityText, setQuantityText] = useState(String(min));
  const [cycle, setCycle] = useState<BillingCycle>(cycles[0] ?? 'monthly');
  const [autoAssign, setAutoAssign] = useState(false);
  const submit = useCheckedSubmit();
  const { busy, touched } = submit;

  const quantity = /^\d+$/.test(quantityText.trim()) ? Number(quantityText.trim()) : NaN;
  const valid = Number.isInteger(quantity) && quantity >= min && quantity <= max;
  const unit = priceOf(offer, cycle);

  return (
    <CheckedForm
      onSubmit={() => void submit.runIfValid(valid, () => onSubmit({ skuId: offer.skuId, quantity, billingCycle: cycle, autoAssign: showAutoAssign && autoAssign }))}
    >
      <Field
        label={t('licenseCount')}
        required
        validationState={touched && !valid ? 'error' : 'none'}
        validationMessage={touched && !valid ? t('quantityRange', { min, max }) : undefined}
        hint={touched && !valid ? undefined : t('quantityRange', { min, max })}
      >
        <Input
          className={s.quantity}
          type="number"
          inputMode="numeric"
          min={min}
          max={max}
          step={1}
          value={quantityText}
          onChange={(_, d) => setQuantityText(d.value)}
          onBlur={submit.touch}
        />
      </Field>
      <Field label={t('billingFrequency')}>
        <RadioGroup value={cycle} onChange={(_, d) => setCycle(d.value as BillingCycle)}>
          {cycles.map((cy) => {
            const price = priceOf(offer, cy);
            const descId = `${idBase}-${cy}`;
            return (
              <div key={cy} className={s.radioRow}>
                <Radio value={cy} label={cy === 'annual' ? t('payYearly') : t('payMonthly')} aria-describedby={descId} />
                <span id={descId} className={c.muted}>
                  {t(cy === 'annual' ? 'pricePerYear' : 'pricePerMonth', { price: f.money(price) })}
                </span>
              </div>
            );
          })}
        </RadioGroup>
      </Field>
      {showAutoAssign ? (
        <Checkbox checked={autoAssign} onChange={(_, d) => setAutoAssign(Boolean(d.checked))} label={t('autoAssign')} />
      ) : null}
      <p className={c.p} aria-live="polite">
        {valid && unit ? t('estimatedTotal', { amount: f.money(multiply(unit, quantity)) }) : '\u00a0'}
      </p>
      <ErrorBar message={submit.message} />
      <div className={c.row}>
        <Button type="submit" appearance="primary" disabled={busy}>
          {submitLabel}
        </Button>
        {onCancel ? (
          <Button type="button" onClick={onCancel} disabled={busy}>
            {t('cancel')}
          </Button>
        ) : null}
      </div>
    </CheckedForm>
  );
}
