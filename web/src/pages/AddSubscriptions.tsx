// Sovereign clouds (and any cloud via Subscriptions): Billing → Subscriptions →
// Add subscriptions → hover/tap an offer → Buy now → licenses and cycle → Add to cart.
// No auto-assign option in this flow.
import {
  Button,
  Dialog,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  makeStyles,
} from '@fluentui/react-components';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Offer } from '../api';
import { useCart } from '../cart';
import { ErrorBar, Loading, PageHeader, useCommonStyles } from '../components/common';
import { OfferCard, OfferPrice } from '../components/OfferCard';
import { PurchaseForm } from '../components/PurchaseForm';
import { useSignedIn } from '../session';
import { useOffers, WelcomeBanner } from './PurchaseServices';
import { useSkuName } from '../names';

const useStyles = makeStyles({
  card: {
    '& .ld-buy-now': { opacity: 0, transitionProperty: 'opacity', transitionDuration: '120ms' },
    '&:hover .ld-buy-now': { opacity: 1 },
    '&:focus-within .ld-buy-now': { opacity: 1 },
    '&[data-tapped="true"] .ld-buy-now': { opacity: 1 },
    '@media (hover: none)': { '& .ld-buy-now': { opacity: 1 } },
  },
});

export function AddSubscriptions() {
  const s = useStyles();
  const c = useCommonStyles();
  const { t } = useTranslation();
  const { session } = useSignedIn();
  const cart = useCart();
  const offers = useOffers();
  const [selected, setSelected] = useState<Offer | null>(null);
  const [tapped, setTapped] = useState<string | null>(null);
  const name = useSkuName();

  return (
    <div className={c.page}>
      <PageHeader title={t('addSubscriptions')} />
      <WelcomeBanner />
      <p className={c.muted}>
        {t('offersIntro', { org: session.organization.displayName, currency: session.organization.currency })} {t('hoverHint')}
      </p>
      <ErrorBar message={offers.error} onRetry={offers.reload} />
      {offers.loading ? <Loading /> : null}
      {offers.data && offers.data.length === 0 ? <p className={c.p}>{t('noOffers')}</p> : null}
      <div className={c.grid}>
        {offers.data?.map((o) => (
          <div key={o.skuId} data-tapped={tapped === o.skuId} className={s.card} onClick={() => setTapped(o.skuId)} style={{ display: 'flex' }}>
            <OfferCard
              offer={o}
              className="ld-offer"
              actions={
                <Button className="ld-buy-now" appearance="primary" onClick={() => setSelected(o)}>
                  {t('buyNow')}
                </Button>
              }
            />
          </div>
        ))}
      </div>
      <Dialog open={selected !== null} onOpenChange={(_, d) => !d.open && setSelected(null)}>
        <DialogSurface>
          {selected ? (
            <DialogBody>
              <DialogTitle>{name(selected.skuId, selected.name)}</DialogTitle>
              <DialogContent style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
                <OfferPrice offer={selected} />
                <PurchaseForm
                  offer={selected}
                  showAutoAssign={false}
                  submitLabel={t('addToCart')}
                  onCancel={() => setSelected(null)}
                  onSubmit={async (line) => {
                    await cart.addLine(line);
                    setSelected(null);
                  }}
                />
              </DialogContent>
            </DialogBody>
          ) : null}
        </DialogSurface>
      </Dialog>
    </div>
  );
}
