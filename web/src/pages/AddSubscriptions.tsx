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
import { OfferCard, OfferPrice } from '../components/OfferCard';
import { PurchaseForm } from '../components/PurchaseForm';
import { OffersPage } from './PurchaseServices';
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
  const { t } = useTranslation();
  const cart = useCart();
  const [selected, setSelected] = useState<Offer | null>(null);
  const [tapped, setTapped] = useState<string | null>(null);
  const name = useSkuName();

  return (
    <OffersPage
      title={t('addSubscriptions')}
      hint={t('hoverHint')}
      renderOffer={(o) => (
        <div data-tapped={tapped === o.skuId} className={s.card} onClick={() => setTapped(o.skuId)} style={{ display: 'flex' }}>
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
      )}
    >
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
    </OffersPage>
  );
}
