import { Badge, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { CheckmarkCircleFilled } from '@fluentui/react-icons';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Offer } from '../api';
import { useFormat } from '../format';
import { useCommonStyles } from './common';
import { priceOf } from './PurchaseForm';
import { offerDescription, useSkuName } from '../names';

const useStyles = makeStyles({
  card: { position: 'relative', justifyContent: 'space-between' },
  purchased: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: '6px',
    padding: '6px 8px',
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorPaletteGreenBackground1,
    color: tokens.colorPaletteGreenForeground1,
    fontSize: tokens.fontSizeBase200,
  },
  price: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  top: { display: 'flex', flexDirection: 'column', gap: '8px' },
});

export function AlreadyPurchased() {
  const s = useStyles();
  const { t } = useTranslation();
  return (
    <div className={s.purchased} role="note">
      <CheckmarkCircleFilled aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
      <span>{t('alreadyPurchased')}</span>
    </div>
  );
}

export function OfferPrice({ offer }: { offer: Offer }) {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const f = useFormat();
  const monthly = priceOf(offer, 'monthly');
  const annual = priceOf(offer, 'annual');
  return (
    <div>
      {monthly ? <div className={s.price}>{t('pricePerMonth', { price: f.money(monthly) })}</div> : null}
      {annual ? (
        <div className={monthly ? c.muted : s.price}>{t('pricePerYear', { price: f.money(annual) })}</div>
      ) : null}
    </div>
  );
}

/** One offer, as a region named after the offer (tests scope their queries to it). */
export function OfferCard({ offer, actions, className, onPointerEnter }: { offer: Offer; actions: ReactNode; className?: string; onPointerEnter?: () => void }) {
  const s = useStyles();
  const c = useCommonStyles();
  const { t, i18n } = useTranslation();
  const titleId = useId();
  const name = useSkuName();
  const description = offerDescription(offer, i18n.language);
  return (
    <section aria-labelledby={titleId} className={mergeClasses(c.card, s.card, className)} data-testid="offer" onPointerEnter={onPointerEnter}>
      <div className={s.top}>
        <h3 id={titleId} className={c.h3}>
          {name(offer.skuId, offer.name)}
        </h3>
        {offer.isAddOn ? (
          <Badge appearance="outline" shape="rounded" style={{ alignSelf: 'flex-start' }}>
            {t('addOn')}
          </Badge>
        ) : null}
        {offer.purchased ? <AlreadyPurchased /> : null}
        {description ? <p className={c.muted}>{description}</p> : null}
      </div>
      <OfferPrice offer={offer} />
      <div className={c.row}>{actions}</div>
    </section>
  );
}
